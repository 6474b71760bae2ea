//! Workbooks as partner offices lay them out, and broken ones: each problem at its sheet, row
//! and column, all of a file's problems at once.

mod common;

use common::*;
use tongban_catalog::{read_bytes, CatalogFileError, Format, ReadOptions, SHOWN_PROBLEMS};
use tongban_core::catalog::Catalog;

const ITEMS: Option<&str> = Some("事项清单");

fn read(sheets: Vec<SheetSpec>) -> Result<tongban_catalog::Imported, CatalogFileError> {
    read_bytes(&workbook(sheets), Format::Xlsx, &ReadOptions::default())
}

fn items_sheet(rows: Vec<Vec<C>>) -> SheetSpec {
    let mut all = vec![header_row()];
    all.extend(rows);
    sheet("事项清单", all)
}

fn problems_of(rows: Vec<Vec<C>>) -> Vec<tongban_catalog::FileProblem> {
    invalid(read(vec![meta_sheet(), items_sheet(rows)]).unwrap_err())
}

fn expected(items: Vec<tongban_core::catalog::CatalogItem>) -> Catalog {
    Catalog {
        region: "110106".into(),
        version: "2026-11".into(),
        note: "测试用".into(),
        items,
        bundles: vec![],
        contacts: vec![],
    }
}

#[test]
fn merged_item_cells_as_offices_send_them() {
    // Columns in another order, a 序号 column, ASCII parentheses and stray spaces in headers,
    // an unknown column, an extra sheet; the item columns merged over each item's rows.
    let headers = row![
        "序号",
        "事项名称",
        " 事项编码 ",
        "领域",
        "办理部门",
        "办理模式",
        "法定时限(工作日)",
        "承诺时限\u{3000}(工作日)*",
        "收费",
        "送达方式",
        "备注",
        "材料名称",
        "材料形式",
        "份数",
        "必要性",
        "适用条件",
        "材料标准",
        "可用电子证照"
    ];
    let p = &PENSION;
    let y = &MEDICAL;
    let rows = vec![
        headers,
        row![
            1,
            p[2],
            p[0],
            p[3],
            p[4],
            p[5],
            45,
            15,
            p[8],
            p[9],
            "",
            "居民身份证",
            "原件",
            1,
            "必需",
            "",
            "在有效期内",
            "居民身份证"
        ],
        row!["", "", "", "", "", "", "", "", "", "", "", "申请表", "原件", 1, "必需", "", "本人签字", ""],
        row!["", "", "", "", "", "", "", "", "", "", "", "授权委托书", "原件", 1, "条件", "委托他人办理的", "", ""],
        row![
            2,
            y[2],
            y[0],
            y[3],
            y[4],
            y[5],
            5,
            1,
            y[8],
            y[9],
            "备注",
            "居民身份证",
            "原件",
            1,
            "必需",
            "",
            "在有效期内",
            "居民身份证"
        ],
        row!["", "", "", "", "", "", "", "", "", "", "", "申请表", "原件", 1, "必需", "", "本人签字", ""],
    ];
    let mut items = sheet("事项清单", rows);
    for col in 0..10u16 {
        items = items.merge(1, col, 3, col).merge(4, col, 5, col);
    }
    let got = read(vec![sheet("封面", vec![row!["丰台区跨省通办事项清单"]]), items, meta_sheet()]).unwrap();
    assert_eq!(got.catalog, expected(vec![expected_pension(), expected_medical()]));
    assert!(got.warnings.iter().any(|w| w.contains("工作表「封面」")), "{:?}", got.warnings);
    assert!(got.warnings.iter().any(|w| w.contains("K列「备注」")), "{:?}", got.warnings);
    assert_eq!(got.warnings.len(), 2, "序号 is ignored silently: {:?}", got.warnings);
}

#[test]
fn blank_below_and_repeated_rows_group_into_items() {
    let rows = vec![
        full(PENSION, ID_CARD),
        blank_item(FORM),
        full(PENSION, PROXY), // repeated identically
        full(MEDICAL, ID_CARD),
        vec![],
        blank_item(FORM), // after an empty row: still the same item
    ];
    let got = read(vec![meta_sheet(), items_sheet(rows)]).unwrap();
    assert_eq!(got.catalog, expected(vec![expected_pension(), expected_medical()]));
    assert!(got.warnings.is_empty());
}

#[test]
fn a_title_row_above_the_header() {
    let mut rows = vec![row!["丰台区跨省通办事项清单（2026年11月）"], header_row()];
    rows.extend([full(MEDICAL, ID_CARD), blank_item(FORM)]);
    let items = sheet("事项清单", rows).merge(0, 0, 0, 16);
    let got = read(vec![meta_sheet(), items]).unwrap();
    assert_eq!(got.catalog.items, vec![expected_medical()]);
}

#[test]
fn wrong_values_are_all_reported_at_their_cells() {
    let mut two = ID_CARD;
    two[2] = "两份";
    let mut half = FORM;
    half[2] = "3.5";
    let mut negative = MEDICAL;
    negative[7] = "-3";
    let mut offline = MEDICAL;
    offline[0] = "110106-YB-009";
    offline[5] = "线下办";
    offline[9] = "窗口领取、快递";
    let mut no_condition = PROXY;
    no_condition[4] = "";
    let mut needless_condition = FORM;
    needless_condition[4] = "委托他人办理的";
    let mut scan = FORM;
    scan[1] = "扫描件";
    scan[0] = "扫描材料";
    let mut date = vec![C::E; 17];
    date[10] = C::from("照片");
    date[11] = C::from("原件");
    date[12] = C::D(2026, 3, 1);
    date[13] = C::from("必需");
    let rows = vec![
        full(PENSION, two),             // row 2
        blank_item(half),               // row 3
        blank_item(no_condition),       // row 4
        full(negative, ID_CARD),        // row 5
        blank_item(needless_condition), // row 6
        full(offline, scan),            // row 7
        date,                           // row 8
    ];
    let problems = problems_of(rows);
    let p = find(&problems, ITEMS, Some(2), Some("M列（份数）"), "份数应为正整数，实际为「两份」");
    assert_eq!(p.to_string(), "工作表「事项清单」第2行 M列（份数）：份数应为正整数，实际为「两份」");
    find(&problems, ITEMS, Some(3), Some("M列（份数）"), "实际为「3.5」");
    find(&problems, ITEMS, Some(4), Some("O列（适用条件）"), "必要性为「条件」时应写明适用条件");
    find(&problems, ITEMS, Some(5), Some("H列（承诺时限）"), "承诺时限应为正整数，实际为「-3」");
    find(&problems, ITEMS, Some(6), Some("O列（适用条件）"), "适用条件应留空");
    find(&problems, ITEMS, Some(7), Some("F列（办理模式）"), "实际为「线下办」");
    find(&problems, ITEMS, Some(7), Some("J列（送达方式）"), "「快递」不认识");
    find(&problems, ITEMS, Some(7), Some("L列（材料形式）"), "实际为「扫描件」");
    find(&problems, ITEMS, Some(8), Some("M列（份数）"), "实际为日期「2026-03-01」");
    // Nothing else: no echo of the same cells from the core's checks (份数 0, 承诺时限 > 法定).
    assert_eq!(problems.len(), 9, "{problems:#?}");
}

#[test]
fn numbers_huge_formulas_and_text() {
    let mut rows = vec![full(PENSION, ID_CARD), blank_item(FORM), blank_item(PROXY)];
    rows[0][6] = C::from("45"); // integer text is fine
    rows[0][12] = C::F("=2-1".into(), 1.0); // a formula's cached value
    rows[1][12] = C::N(1e20);
    rows[2][12] = C::from("２份");
    let problems = problems_of(rows);
    find(&problems, ITEMS, Some(3), Some("M列"), "份数数值过大：「100000000000000000000」");
    find(&problems, ITEMS, Some(4), Some("M列"), "只填数字");
    assert_eq!(problems.len(), 2, "{problems:#?}");

    let mut rows = vec![full(PENSION, ID_CARD), blank_item(FORM), blank_item(PROXY)];
    rows[0][6] = C::from("45");
    rows[0][12] = C::F("=2-1".into(), 1.0);
    let got = read(vec![meta_sheet(), items_sheet(rows)]).unwrap();
    assert_eq!(got.catalog.items, vec![expected_pension()]);
}

#[test]
fn a_missing_required_column_is_one_problem() {
    let rows: Vec<Vec<C>> = [full(PENSION, ID_CARD), blank_item(FORM), full(MEDICAL, ID_CARD)]
        .into_iter()
        .map(|mut r| {
            r.remove(4); // 办理部门
            r
        })
        .collect();
    let mut header = header_row();
    header.remove(4);
    let mut all = vec![header];
    all.extend(rows);
    let problems = invalid(read(vec![meta_sheet(), sheet("事项清单", all)]).unwrap_err());
    let p = find(&problems, ITEMS, Some(1), None, "缺少「办理部门」列");
    assert_eq!(p.column, None);
    assert_eq!(problems.len(), 1, "{problems:#?}");

    // Without 事项编码 no row can be grouped: still one problem, and a bundle is not checked.
    let mut header = header_row();
    header[0] = C::from("编码说明");
    let rows = vec![header, full(PENSION, ID_CARD), full(MEDICAL, ID_CARD)];
    let bundles = sheet(
        "一件事",
        vec![
            row!["一件事编码", "一件事名称", "牵头部门", "承诺时限（工作日）", "包含事项编码"],
            row!["YJS-1", "退休一件事", "丰台区人社局", 5, "110106-SB-001、110106-YB-002"],
        ],
    );
    let problems = invalid(read(vec![meta_sheet(), sheet("事项清单", rows), bundles]).unwrap_err());
    find(&problems, ITEMS, Some(1), None, "缺少「事项编码」列");
    assert_eq!(problems.len(), 1, "{problems:#?}");
}

#[test]
fn duplicate_item_codes() {
    let mut other_department = PENSION;
    other_department[4] = "丰台区医疗保障局";
    let rows = vec![
        full(PENSION, ID_CARD),       // row 2
        full(other_department, FORM), // row 3: same code, another department
        full(MEDICAL, ID_CARD),       // row 4
        full(PENSION, PROXY),         // row 5: the code again, not next to its item
    ];
    let problems = problems_of(rows);
    find(&problems, ITEMS, Some(3), Some("E列（办理部门）"), "与本事项第2行的「丰台区人力资源和社会保障局」不一致");
    find(&problems, ITEMS, Some(5), Some("A列（事项编码）"), "事项编码「110106-SB-001」已在第2行用过");
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn first_row_without_item_and_a_row_without_material() {
    let mut no_material = PENSION.iter().map(|s| C::from(*s)).collect::<Vec<_>>();
    no_material.extend(std::iter::repeat_n(C::E, 7));
    let rows = vec![blank_item(ID_CARD), full(MEDICAL, ID_CARD), no_material, full(MEDICAL, FORM)];
    let problems = problems_of(rows);
    find(&problems, ITEMS, Some(2), Some("A列"), "事项编码不能为空");
    find(&problems, ITEMS, Some(2), Some("C列"), "事项名称不能为空");
    find(&problems, ITEMS, Some(2), Some("F列"), "办理模式不能为空");
    // Row 4 starts an item with no material, then row 5 goes back to the item of row 3.
    find(&problems, ITEMS, Some(4), Some("K列"), "没有申请材料");
    find(&problems, ITEMS, Some(5), Some("A列"), "已在第3行用过");
    // 法定时限 may be empty (no legal limit), so it is not among them.
    assert_eq!(problems.len(), 9, "{problems:#?}");
}

#[test]
fn empty_item_sheets() {
    for items in [
        sheet("事项清单", vec![]),
        sheet("事项清单", vec![header_row()]),
        sheet("事项清单", vec![header_row(), vec![C::E; 3]]),
    ] {
        let problems = invalid(read(vec![meta_sheet(), items]).unwrap_err());
        let p = find(&problems, ITEMS, None, None, "没有数据");
        assert!(p.to_string().starts_with("工作表「事项清单」没有数据"), "{p}");
        assert_eq!(problems.len(), 1, "{problems:#?}");
    }
}

#[test]
fn missing_sheets() {
    let problems = invalid(read(vec![items_sheet(vec![full(MEDICAL, ID_CARD), blank_item(FORM)])]).unwrap_err());
    find(&problems, None, None, None, "缺少工作表「说明」");
    assert_eq!(problems.len(), 1, "{problems:#?}");

    let e = read(vec![sheet("Sheet1", vec![row!["a", "b"]])]).unwrap_err();
    let problems = invalid(e);
    find(&problems, None, None, None, "缺少工作表「说明」");
    find(&problems, None, None, None, "缺少工作表「事项清单」");
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn the_meta_sheet() {
    let items = || items_sheet(vec![full(MEDICAL, ID_CARD), blank_item(FORM)]);
    // 版本 as a number is its text; no 发布说明 is fine; the header may be missing.
    let meta = sheet("说明", vec![row!["地区代码", "110106"], row!["版本", 2026.11]]);
    let got = read(vec![meta, items()]).unwrap();
    assert_eq!((got.catalog.version.as_str(), got.catalog.note.as_str()), ("2026.11", ""));

    // 版本 turned into a date by Excel; a bad region code; an unknown row.
    let meta =
        sheet("说明", vec![row!["项目", "内容"], row!["地区代码", 11010], row!["版本", ""], row!["负责人", "张三"]]);
    let mut rows = meta.rows;
    rows[2][1] = C::D(2026, 11, 1);
    let got = read(vec![sheet("说明", rows), items()]).unwrap_err();
    let problems = invalid(got);
    let meta = Some("说明");
    find(&problems, meta, Some(2), Some("B列（内容）"), "「11010」不是有效的行政区划代码");
    find(&problems, meta, Some(3), Some("B列（内容）"), "版本「2026-11-01」被 Excel 当成了日期");
    assert_eq!(problems.len(), 2, "{problems:#?}");

    // Missing rows.
    let problems = invalid(read(vec![sheet("说明", vec![row!["项目", "内容"]]), items()]).unwrap_err());
    find(&problems, meta, None, None, "缺少「地区代码」一行");
    find(&problems, meta, None, None, "缺少「版本」一行");
    assert_eq!(problems.len(), 2, "{problems:#?}");

    // Options that disagree with the file.
    let bytes = workbook(vec![meta_sheet(), items()]);
    let opts = ReadOptions { region: Some("110105".into()), version: Some("2026-12".into()) };
    let problems = invalid(read_bytes(&bytes, Format::Xlsx, &opts).unwrap_err());
    find(&problems, meta, Some(2), None, "文件中的地区代码为「110106」，与指定的「110105」不一致");
    find(&problems, meta, Some(4), None, "文件中的版本为「2026-11」，与指定的「2026-12」不一致");
}

#[test]
fn merges_in_the_header_or_across_columns() {
    let items = items_sheet(vec![full(PENSION, ID_CARD), blank_item(FORM), full(MEDICAL, ID_CARD)])
        .merge(0, 0, 0, 1)
        .merge(3, 2, 3, 4);
    let problems = invalid(read(vec![meta_sheet(), items]).unwrap_err());
    find(&problems, ITEMS, Some(1), None, "表头中有合并单元格「A1:B1」");
    find(&problems, ITEMS, Some(4), None, "合并单元格「C4:E4」跨了多列");
}

fn bundle_sheet(rows: Vec<Vec<C>>) -> SheetSpec {
    let mut all = vec![row!["一件事编码*", "一件事名称*", "牵头部门*", "承诺时限（工作日）*", "包含事项编码*"]];
    all.extend(rows);
    sheet("一件事", all)
}

fn contact_sheet(rows: Vec<Vec<C>>) -> SheetSpec {
    let mut all = vec![row!["事项编码", "姓名*", "单位", "电话*", "联系时间"]];
    all.extend(rows);
    sheet("联络人", all)
}

#[test]
fn bundles_and_contacts() {
    let items = || {
        items_sheet(vec![
            full(PENSION, ID_CARD),
            blank_item(FORM),
            blank_item(PROXY),
            full(MEDICAL, ID_CARD),
            blank_item(FORM),
        ])
    };
    let good = read(vec![
        meta_sheet(),
        items(),
        bundle_sheet(vec![row!["YJS-1", "退休一件事", "丰台区人社局", 10, "110106-SB-001；\n110106-YB-002"]]),
        contact_sheet(vec![
            row!["", "王丽", "专窗", "010-63812301", "工作日"],
            row!["110106-YB-002", "赵静", "", 13_812_345_678_f64, ""],
        ]),
    ])
    .unwrap()
    .catalog;
    assert_eq!(good.bundles[0].items, ["110106-SB-001", "110106-YB-002"]);
    assert_eq!(good.bundles[0].promised_days, 10);
    assert_eq!(good.contacts[0].item, None);
    assert_eq!(good.contacts[1].item.as_deref(), Some("110106-YB-002"));
    assert_eq!(good.contacts[1].phone, "13812345678");

    let problems = invalid(
        read(vec![
            meta_sheet(),
            items(),
            bundle_sheet(vec![
                row!["YJS-1", "退休一件事", "丰台区人社局", 10, "110106-SB-001、110106-XX-404"],
                row!["110106-SB-001", "", "丰台区人社局", "十", "110106-SB-001"],
            ]),
            contact_sheet(vec![
                row!["", "王丽", "专窗", "6381230", ""],
                row!["110106-XX-404", "赵静", "", "010-63856120", ""],
            ]),
        ])
        .unwrap_err(),
    );
    let b = Some("一件事");
    find(&problems, b, Some(2), Some("E列（包含事项编码）"), "事项编码「110106-XX-404」不在本目录中");
    find(&problems, b, Some(3), Some("A列（一件事编码）"), "与事项编码重复");
    find(&problems, b, Some(3), Some("B列（一件事名称）"), "一件事名称不能为空");
    find(&problems, b, Some(3), Some("D列（承诺时限）"), "承诺时限应为正整数，实际为「十」");
    find(&problems, b, Some(3), Some("E列"), "至少两个不同的事项");
    let c = Some("联络人");
    find(&problems, c, Some(2), Some("D列（电话）"), "手机号码");
    find(&problems, c, Some(3), Some("A列（事项编码）"), "不在本目录中");
    assert_eq!(problems.len(), 7, "{problems:#?}");
}

#[test]
fn many_problems_are_listed_up_to_a_cap() {
    let mut two = ID_CARD;
    two[2] = "两份";
    let mut rows = vec![full(PENSION, FORM)];
    for i in 0..250 {
        let mut m = two;
        let name = format!("材料{i}");
        m[0] = &name;
        rows.push(blank_item(m));
    }
    let e = read(vec![meta_sheet(), items_sheet(rows)]).unwrap_err();
    assert_eq!(e.code(), "catalog_invalid");
    assert_eq!(e.problems().len(), 250, "every row is checked");
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + SHOWN_PROBLEMS + 1);
    assert_eq!(lines[0], "事项清单文件有 250 处问题：");
    assert_eq!(lines[1], "工作表「事项清单」第3行 M列（份数）：份数应为正整数，实际为「两份」");
    assert_eq!(*lines.last().unwrap(), "另有 50 处问题未列出");
}

/// A zip archive holding one stored file (no compression), for "a zip that is not a workbook".
fn plain_zip(name: &str, content: &[u8]) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    let crc = crc32(content);
    let (n, len) = (name.len() as u16, content.len() as u32);
    let mut out = Vec::new();
    out.extend(0x0403_4b50u32.to_le_bytes());
    out.extend([20u16, 0, 0, 0, 0].iter().flat_map(|v| v.to_le_bytes()));
    out.extend(crc.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(name.as_bytes());
    out.extend(content);
    let central = out.len() as u32;
    out.extend(0x0201_4b50u32.to_le_bytes());
    out.extend([20u16, 20, 0, 0, 0, 0].iter().flat_map(|v| v.to_le_bytes()));
    out.extend(crc.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend([0u16, 0, 0, 0].iter().flat_map(|v| v.to_le_bytes()));
    out.extend(0u32.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out.extend(name.as_bytes());
    let size = out.len() as u32 - central;
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u16, 0, 1, 1].iter().flat_map(|v| v.to_le_bytes()));
    out.extend(size.to_le_bytes());
    out.extend(central.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

#[test]
fn not_a_workbook() {
    let opts = ReadOptions::default();
    let unreadable = |bytes: &[u8]| match read_bytes(bytes, Format::Xlsx, &opts) {
        Err(e @ CatalogFileError::Unreadable { .. }) => {
            assert_eq!(e.code(), "catalog_unreadable");
            e.to_string()
        }
        other => panic!("expected Unreadable, got {other:?}"),
    };
    assert!(unreadable(b"").contains("空"));
    assert!(unreadable(b"hello, world").contains("不是 Excel 工作簿"));
    assert!(unreadable(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0]).contains(".xls"));
    assert!(unreadable(b"PK\x03\x04 not really a zip").contains("无法打开"));
    assert!(unreadable(&plain_zip("hello.txt", b"hello")).contains("无法打开"));
    // A workbook cut short.
    let good = workbook(vec![meta_sheet(), items_sheet(vec![full(MEDICAL, ID_CARD)])]);
    assert!(unreadable(&good[..good.len() / 2]).contains("无法打开"));
}

#[test]
fn damaged_workbooks_never_panic() {
    let good = workbook(vec![
        meta_sheet(),
        items_sheet(vec![full(PENSION, ID_CARD), blank_item(FORM), full(MEDICAL, ID_CARD)]),
    ]);
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let opts = ReadOptions::default();
    for cut in (0..good.len()).step_by(good.len() / 40 + 1) {
        let _ = read_bytes(&good[..cut], Format::Xlsx, &opts);
    }
    for _ in 0..150 {
        let mut bytes = good.clone();
        for _ in 0..1 + next() % 8 {
            let i = (next() as usize) % bytes.len();
            bytes[i] = next() as u8;
        }
        let _ = read_bytes(&bytes, Format::Xlsx, &opts);
    }
    let mut random = vec![0u8; 4096];
    random.iter_mut().for_each(|b| *b = next() as u8);
    for prefix in [&b""[..], b"PK\x03\x04", b"PK"] {
        let bytes: Vec<u8> = prefix.iter().chain(random.iter()).copied().collect();
        assert!(read_bytes(&bytes, Format::Xlsx, &opts).is_err());
    }
}
