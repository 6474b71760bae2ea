//! CSV (UTF-8 or GB18030, region and version given) and JSON files, sound and broken.

mod common;

use common::*;
use tongban_catalog::{read_bytes, write_bytes, CatalogFileError, Format, ReadOptions};
use tongban_core::catalog::Catalog;

fn opts() -> ReadOptions {
    ReadOptions { region: Some("110106".into()), version: Some("2026-11".into()) }
}

fn csv_text(rows: &[Vec<&str>]) -> String {
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> =
            r.iter()
                .map(|c| {
                    if c.contains([',', '"', '\n']) {
                        format!("\"{}\"", c.replace('"', "\"\""))
                    } else {
                        c.to_string()
                    }
                })
                .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn line(item: Option<[&str; 10]>, material: [&str; 7]) -> Vec<&'static str> {
    let item: Vec<&str> = match item {
        Some(i) => i.to_vec(),
        None => vec![""; 10],
    };
    item.into_iter().chain(material).map(|s| -> &'static str { Box::leak(s.to_string().into_boxed_str()) }).collect()
}

fn office_csv() -> String {
    csv_text(&[
        HEADERS.to_vec(),
        line(Some(PENSION), ID_CARD),
        line(None, FORM),
        line(None, PROXY),
        line(Some(MEDICAL), ID_CARD),
        line(Some(MEDICAL), FORM),
    ])
}

fn expected() -> Catalog {
    Catalog {
        region: "110106".into(),
        version: "2026-11".into(),
        note: String::new(),
        items: vec![expected_pension(), expected_medical()],
        bundles: vec![],
        contacts: vec![],
    }
}

#[test]
fn csv_in_every_encoding_excel_writes() {
    let text = office_csv();
    let utf8 = text.as_bytes().to_vec();
    let bom: Vec<u8> = b"\xEF\xBB\xBF".iter().chain(utf8.iter()).copied().collect();
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the fixture really is not UTF-8");
    for bytes in [utf8, bom, gbk.into_owned()] {
        let got = read_bytes(&bytes, Format::Csv, &opts()).unwrap();
        assert_eq!(got.catalog, expected());
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    }
}

#[test]
fn csv_needs_region_and_version() {
    let bytes = office_csv().into_bytes();
    let problems = invalid(read_bytes(&bytes, Format::Csv, &ReadOptions::default()).unwrap_err());
    let p = find(&problems, None, None, None, "CSV 文件中没有地区代码和版本");
    assert!(p.message.contains("--region 110106 --version 2026-11"), "{p}");
    assert_eq!(problems.len(), 1, "{problems:#?}");

    let only_region = ReadOptions { region: Some("110106".into()), version: None };
    let problems = invalid(read_bytes(&bytes, Format::Csv, &only_region).unwrap_err());
    find(&problems, None, None, None, "没有版本");
    assert_eq!(problems.len(), 1, "{problems:#?}");

    let bad_region = ReadOptions { region: Some("999999".into()), ..opts() };
    let problems = invalid(read_bytes(&bytes, Format::Csv, &bad_region).unwrap_err());
    find(&problems, None, None, None, "「999999」不是有效的行政区划代码");
}

#[test]
fn csv_problems_at_their_rows() {
    let mut two = FORM;
    two[2] = "两份";
    let mut offline = MEDICAL;
    offline[5] = "线下办";
    let text =
        csv_text(&[HEADERS.to_vec(), line(Some(PENSION), ID_CARD), line(None, two), line(Some(offline), ID_CARD)]);
    let problems = invalid(read_bytes(text.as_bytes(), Format::Csv, &opts()).unwrap_err());
    let p = find(&problems, None, Some(3), Some("M列（份数）"), "份数应为正整数，实际为「两份」");
    assert_eq!(p.to_string(), "第3行 M列（份数）：份数应为正整数，实际为「两份」");
    find(&problems, None, Some(4), Some("F列（办理模式）"), "「线下办」");
    assert_eq!(problems.len(), 2, "{problems:#?}");

    let problems = invalid(read_bytes(b"\xEF\xBB\xBF", Format::Csv, &opts()).unwrap_err());
    find(&problems, None, None, None, "CSV 文件没有数据");
    let problems = invalid(read_bytes(csv_text(&[HEADERS.to_vec()]).as_bytes(), Format::Csv, &opts()).unwrap_err());
    find(&problems, None, None, None, "CSV 文件没有数据");
    assert_eq!(read_bytes(b"", Format::Csv, &opts()).unwrap_err().code(), "catalog_unreadable");
    // Random bytes: problems, not a panic.
    let noise: Vec<u8> = (0..3000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    assert!(read_bytes(&noise, Format::Csv, &opts()).is_err());
}

#[test]
fn csv_written_reads_in_excel_order() {
    let bytes = write_bytes(&expected(), Format::Csv).unwrap();
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    // Written in the current layout (read above in layout 1's headers).
    assert_eq!(
        lines[0],
        "事项编码*,实施编码,事项名称*,领域*,办理部门*,受理机构,决定机构,办理模式*,事项类型,服务对象,法定时限,承诺时限*,收费,\
收费依据,送达方式*,受理条件,设定依据,材料名称*,材料形式*,份数*,必要性*,适用条件,任选其一,容缺受理,材料标准,可用电子证照"
    );
    assert_eq!(lines.len(), 1 + 5 + 1, "header, five materials, the final line end");
    assert!(lines[3].starts_with("110106-SB-001,,企业职工基本养老保险关系转移接续,社保"));
    assert!(lines[3].ends_with("授权委托书,原件,1,条件,委托他人办理的,,,,"), "{}", lines[3]);
}

fn json_of(catalog: &Catalog) -> String {
    String::from_utf8(write_bytes(catalog, Format::Json).unwrap()).unwrap()
}

#[test]
fn json_syntax_and_type_errors() {
    let msg = |text: &str| {
        let problems = invalid(read_bytes(text.as_bytes(), Format::Json, &ReadOptions::default()).unwrap_err());
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].sheet.as_ref(), problems[0].row, problems[0].column.as_ref()), (None, None, None));
        problems[0].message.clone()
    };
    let m = msg("{\n  \"region\": \"110106\",\n    \"version\" \"2026-11\"\n}");
    assert!(m.starts_with("JSON 格式错误（第3行第15列）：此处应为「:」"), "{m}");
    let m = msg("{\"region\": \"110106\", \"version\": \"x\", \"items\": [");
    assert!(m.starts_with("JSON 格式错误（第1行") && m.contains("意外结束"), "{m}");

    let good = json_of(&expected());
    let m = msg(&good.replacen("\"copies\": 1", "\"copies\": \"两份\"", 1));
    assert!(m.contains("类型不对：应为不小于0的整数，实际为字符串「两份」"), "{m}");
    let m = msg(&good.replacen("\"copies\": 1", "\"copies\": -3", 1));
    assert!(m.contains("实际为整数 -3"), "{m}");
    let m = msg(&good.replacen("\"copies\": 1", "\"copies\": 3.5", 1));
    assert!(m.contains("实际为小数 3.5"), "{m}");
    let m = msg(&good.replacen("\"proxy_receipt\"", "\"线下办\"", 1));
    assert!(m.contains("取值「线下办」不认识，应为「fully_online」「proxy_receipt」「multi_site」之一"), "{m}");
    let m = msg(&good.replacen("\"domain\": \"社保\",", "", 1));
    assert!(m.contains("缺少字段「domain」"), "{m}");
    assert_eq!(read_bytes(b"", Format::Json, &ReadOptions::default()).unwrap_err().code(), "catalog_unreadable");
    // A BOM is fine.
    let bom: Vec<u8> = b"\xEF\xBB\xBF".iter().chain(good.as_bytes()).copied().collect();
    assert_eq!(read_bytes(&bom, Format::Json, &ReadOptions::default()).unwrap().catalog, expected());
}

#[test]
fn json_core_problems_name_the_field() {
    let mut catalog = expected();
    catalog.items[1].materials[0].copies = 0;
    catalog.items[0].promised_days = 50;
    catalog.items.push(catalog.items[0].clone());
    let e = read_bytes(json_of(&catalog).as_bytes(), Format::Json, &opts()).unwrap_err();
    let problems = invalid(e);
    let p = find(&problems, None, None, Some("第2个事项（编码 110106-YB-002）第1项材料 份数"), "份数应至少为1");
    assert_eq!(p.to_string(), "第2个事项（编码 110106-YB-002）第1项材料 份数：份数应至少为1");
    find(&problems, None, None, Some("第1个事项（编码 110106-SB-001）承诺时限"), "超过法定时限");
    find(&problems, None, None, Some("第3个事项（编码 110106-SB-001）事项编码"), "与第1个事项重复");

    let mut other = expected();
    other.version = "2026-12".into();
    let problems = invalid(read_bytes(json_of(&other).as_bytes(), Format::Json, &opts()).unwrap_err());
    find(&problems, None, None, Some("版本"), "与指定的「2026-11」不一致");
}

#[test]
fn errors_have_codes_and_chinese_text() {
    let e = CatalogFileError::Invalid { problems: vec![] };
    assert_eq!(e.code(), "catalog_invalid");
    let e = CatalogFileError::NotRepresentable { message: "x".into() };
    assert_eq!(e.code(), "catalog_not_representable");
}
