//! 收费 as the guides state it (不收费, 工本费20元, 每件10元, 按面积收取：…) with its 收费依据, and
//! 决定机构 apart from the 办理部门: read from each format, refused at their cell when they cannot
//! be right, written back unchanged; files and stored catalogs of before still read.

mod common;

use common::*;
use tongban_catalog::{read_bytes, write_bytes, CatalogFileError, Format, ReadOptions};
use tongban_core::catalog::Catalog;
use tongban_core::guide::{parse_fee, Charge, Fee};

const ITEMS: Option<&str> = Some("事项清单");

const BASIS_2559: &str = "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）";

/// The layout-1 columns of the fixtures, then 收费依据 (R) and 决定机构 (S).
fn header() -> Vec<C> {
    let mut h = header_row();
    h.push(C::from("收费依据"));
    h.push(C::from("决定机构"));
    h
}

/// An item row: the fixture's item with its 收费 (column I), then 收费依据 and 决定机构.
fn item_row(item: [&str; 10], fee: &str, basis: &str, decided_by: &str) -> Vec<C> {
    let mut item = item;
    item[8] = fee;
    let mut row = full(item, ID_CARD);
    row.push(C::from(basis));
    row.push(C::from(decided_by));
    row
}

fn read_items(rows: Vec<Vec<C>>) -> Result<tongban_catalog::Imported, CatalogFileError> {
    let mut all = vec![header()];
    all.extend(rows);
    read_bytes(&workbook(vec![meta_sheet(), sheet("事项清单", all)]), Format::Xlsx, &ReadOptions::default())
}

fn with_code(item: [&'static str; 10], code: &'static str) -> [&'static str; 10] {
    let mut i = item;
    i[0] = code;
    i
}

fn charge(name: &str, yuan: u64, unit: &str) -> Charge {
    Charge { name: name.into(), amount_fen: yuan * 100, unit: unit.into(), note: String::new() }
}

/// The small catalog with the fees and deciders guides state.
fn guided() -> Catalog {
    let mut c = small_catalog();
    c.items[0].fee = Fee::Charges { how: String::new(), charges: vec![charge("工本费", 20, "")] };
    c.items[0].fee_basis = "《关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）".into();
    c.items[0].decided_by = "北京市公安局丰台分局".into();
    c.items[0].accepted_by = "丰台区政务服务中心公安窗口".into();
    c.items[1].fee = Fee::Text { text: "按国家规定标准收取".into() };
    c.items[2].fee = Fee::Charges {
        how: "按面积收取".into(),
        charges: vec![charge("住宅", 80, "每件"), charge("非住宅", 550, "每件")],
    };
    c.items[2].fee_basis = BASIS_2559.into();
    c
}

#[test]
fn fees_and_deciders_round_trip_in_every_format() {
    let catalog = guided();
    let bytes = write_bytes(&catalog, Format::Xlsx).unwrap();
    let back = read_bytes(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    assert_eq!(back.catalog, catalog);
    // Words kept as words are said once, at their cell.
    assert_eq!(back.warnings.len(), 1, "{:?}", back.warnings);
    assert!(back.warnings[0].starts_with("工作表「事项清单」第5行 M列（收费）："), "{}", back.warnings[0]);
    assert!(back.warnings[0].contains("按原文保存"));

    let mut plain = catalog.clone();
    plain.bundles.clear();
    plain.contacts.clear();
    plain.note.clear();
    let opts = ReadOptions { region: Some("110106".into()), version: Some("2026-11".into()) };
    let csv = write_bytes(&plain, Format::Csv).unwrap();
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(text.contains("按面积收取：住宅每件80元；非住宅每件550元"), "{text}");
    assert!(text.contains("北京市公安局丰台分局"));
    assert_eq!(read_bytes(&csv, Format::Csv, &opts).unwrap().catalog, plain);

    let json = write_bytes(&catalog, Format::Json).unwrap();
    let text = String::from_utf8(json.clone()).unwrap();
    assert!(text.contains("\"amount_fen\": 8000"), "money in 分, as an integer: {text}");
    assert!(text.contains("\"decided_by\": \"北京市公安局丰台分局\""));
    assert_eq!(read_bytes(&json, Format::Json, &ReadOptions::default()).unwrap().catalog, catalog);
}

#[test]
fn guide_wordings_read_from_a_workbook() {
    let pension = with_code(PENSION, "110106-SB-001");
    let medical = with_code(MEDICAL, "110106-YB-002");
    let third = with_code(MEDICAL, "110106-YB-003");
    let fourth = with_code(MEDICAL, "110106-YB-004");
    let read = read_items(vec![
        item_row(pension, "工本费20元", "发改价格〔2003〕2322号", "北京市公安局丰台分局"),
        item_row(medical, "按面积收取：住宅每件80元，非住宅每件550元", BASIS_2559, ""),
        item_row(third, "免费", "", ""),
        item_row(fourth, "按国家规定标准收取", "", ""),
    ])
    .unwrap();
    let items = &read.catalog.items;
    assert_eq!(items[0].fee, Fee::Charges { how: String::new(), charges: vec![charge("工本费", 20, "")] });
    assert_eq!(items[0].fee_basis, "发改价格〔2003〕2322号");
    assert_eq!(items[0].decided_by, "北京市公安局丰台分局");
    assert_eq!(items[0].decider(), "北京市公安局丰台分局");
    assert_eq!(items[1].fee, parse_fee("按面积收取：住宅每件80元；非住宅每件550元").unwrap());
    assert_eq!(items[1].fee_basis, BASIS_2559);
    assert_eq!(items[1].decider(), "丰台区医疗保障局", "no 决定机构: the 办理部门 decides");
    assert_eq!(items[2].fee, Fee::Free);
    assert_eq!(items[3].fee, Fee::Text { text: "按国家规定标准收取".into() });
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert!(read.warnings[0].starts_with("工作表「事项清单」第5行 I列（收费）："), "{}", read.warnings[0]);
}

#[test]
fn a_fee_that_cannot_be_right_is_named_at_its_cell_and_nothing_imports() {
    let pension = with_code(PENSION, "110106-SB-001");
    let medical = with_code(MEDICAL, "110106-YB-002");
    let third = with_code(MEDICAL, "110106-YB-003");
    let fourth = with_code(MEDICAL, "110106-YB-004");
    let problems = invalid(
        read_items(vec![
            item_row(pension, "工本费-20元", "", ""),
            item_row(medical, "工本费元", "", ""),
            item_row(third, "每件10.555元", "", ""),
            item_row(fourth, "工本费20元", "", ""),
        ])
        .unwrap_err(),
    );
    assert_eq!(problems.len(), 3, "{problems:?}");
    let p = find(&problems, ITEMS, Some(2), Some("I列（收费）"), "负数");
    assert!(p.message.contains("工本费20元"), "a right example: {}", p.message);
    let p = find(&problems, ITEMS, Some(3), Some("I列（收费）"), "没有写金额");
    assert!(p.message.contains("「工本费20元」"), "{}", p.message);
    find(&problems, ITEMS, Some(4), Some("I列（收费）"), "两位小数");
    // One bad cell is enough for the whole file to be refused.
    let one = invalid(
        read_items(vec![item_row(pension, "不收费", "", ""), item_row(medical, "工本费元", "", "")]).unwrap_err(),
    );
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].to_string().split('：').next(), Some("工作表「事项清单」第3行 I列（收费）"));
}

#[test]
fn a_csv_fee_problem_names_its_row_and_column() {
    let mut catalog = guided();
    catalog.bundles.clear();
    catalog.contacts.clear();
    let csv = String::from_utf8(write_bytes(&catalog, Format::Csv).unwrap()).unwrap();
    // CSV repeats an item's cells on each of its rows.
    let broken = csv.replace("工本费20元", "工本费-20元");
    let opts = ReadOptions { region: Some("110106".into()), version: Some("2026-11".into()) };
    let problems = invalid(read_bytes(broken.as_bytes(), Format::Csv, &opts).unwrap_err());
    assert_eq!(problems.len(), 1, "{problems:?}");
    find(&problems, None, Some(2), Some("M列（收费）"), "负数");
}

#[test]
fn files_of_before_still_import() {
    // Layout 1: 收费 only, no 收费依据 or 决定机构 (the fixtures' own header).
    let rows = vec![header_row(), full(PENSION, ID_CARD)];
    let read =
        read_bytes(&workbook(vec![meta_sheet(), sheet("事项清单", rows)]), Format::Xlsx, &ReadOptions::default())
            .unwrap();
    assert_eq!(read.catalog.items[0].fee, Fee::Free);
    assert_eq!(read.catalog.items[0].fee_basis, "");
    assert_eq!(read.catalog.items[0].decided_by, "");

    // Layout 2 read 「决定机构」 as the 办理部门: a file with no 办理部门 column still means that.
    let mut old_header = header_row();
    old_header[4] = C::from("决定机构");
    let rows = vec![old_header, full(PENSION, ID_CARD)];
    let read =
        read_bytes(&workbook(vec![meta_sheet(), sheet("事项清单", rows)]), Format::Xlsx, &ReadOptions::default())
            .unwrap();
    assert_eq!(read.catalog.items[0].department, "丰台区人力资源和社会保障局");
    assert_eq!(read.catalog.items[0].decided_by, "");
    assert!(read.warnings.iter().any(|w| w.contains("没有「办理部门」列") && w.contains("E列")), "{:?}", read.warnings);

    // Both columns: each its own.
    let mut both = header();
    both[4] = C::from("实施主体");
    let rows = vec![both, item_row(PENSION, "不收费", "", "北京市公安局丰台分局")];
    let read =
        read_bytes(&workbook(vec![meta_sheet(), sheet("事项清单", rows)]), Format::Xlsx, &ReadOptions::default())
            .unwrap();
    assert_eq!(read.catalog.items[0].department, "丰台区人力资源和社会保障局");
    assert_eq!(read.catalog.items[0].decided_by, "北京市公安局丰台分局");
}

#[test]
fn the_layout_version_is_stated_and_a_newer_one_refused() {
    let bytes = write_bytes(&guided(), Format::Xlsx).unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let meta = wb.worksheet_range("说明").unwrap();
    let version = meta.rows().find(|r| r[0] == "格式版本").map(|r| r[1].to_string());
    assert_eq!(version.as_deref(), Some("3"));
    let guide = meta.rows().find(|r| r[0] == "填写说明").map(|r| r[1].to_string()).unwrap();
    assert!(guide.contains("工本费20元") && guide.contains("决定机构"), "{guide}");

    let newer = sheet(
        "说明",
        vec![row!["项目", "内容"], row!["地区代码", 110106], row!["版本", "2026-11"], row!["格式版本", 4]],
    );
    let rows = vec![header_row(), full(PENSION, ID_CARD)];
    let problems = invalid(
        read_bytes(&workbook(vec![newer, sheet("事项清单", rows)]), Format::Xlsx, &ReadOptions::default()).unwrap_err(),
    );
    find(&problems, Some("说明"), Some(4), None, "只认识到版本 3");
}

/// A catalog as hubs and desks stored it before fees were structured: `fee` a string.
const OLD_JSON: &str = r#"{
  "region": "110106",
  "version": "2026-10",
  "items": [
    {"code": "110106-BDC-002", "name": "不动产抵押登记", "domain": "不动产",
     "department": "北京市规划和自然资源委员会丰台分局", "mode": "proxy_receipt",
     "legal_days": 30, "promised_days": 5, "fee": "住宅每件80元，非住宅每件550元",
     "delivery": ["at_window"], "materials": [{"name": "不动产权证书", "form": "original", "copies": 1}]},
    {"code": "110106-SB-001", "name": "养老保险关系转移接续", "domain": "社保",
     "department": "丰台区人力资源和社会保障局", "mode": "proxy_receipt",
     "legal_days": 45, "promised_days": 15, "fee": "不收费",
     "delivery": ["at_window"], "materials": [{"name": "居民身份证", "form": "original", "copies": 1}]},
    {"code": "110106-SB-002", "name": "资格认证", "domain": "社保",
     "department": "丰台区人力资源和社会保障局", "mode": "proxy_receipt",
     "promised_days": 0, "fee": "",
     "delivery": ["at_window"], "materials": [{"name": "居民身份证", "form": "original", "copies": 1}]},
    {"code": "110106-SB-003", "name": "社保卡申领", "domain": "社保",
     "department": "丰台区人力资源和社会保障局", "mode": "proxy_receipt", "promised_days": 5,
     "delivery": ["at_window"], "materials": [{"name": "居民身份证", "form": "original", "copies": 1}]},
    {"code": "110106-SB-004", "name": "某事项", "domain": "社保",
     "department": "丰台区人力资源和社会保障局", "mode": "proxy_receipt", "promised_days": 5,
     "fee": "按规定收取", "delivery": ["at_window"],
     "materials": [{"name": "居民身份证", "form": "original", "copies": 1}]}
  ]
}"#;

#[test]
fn an_old_json_catalog_with_a_fee_string_still_reads() {
    // As the store and the hub read what they kept: serde alone.
    let stored: Catalog = serde_json::from_str(OLD_JSON).unwrap();
    assert_eq!(
        stored.items[0].fee,
        Fee::Charges {
            how: String::new(), charges: vec![charge("住宅", 80, "每件"), charge("非住宅", 550, "每件")]
        }
    );
    assert_eq!(stored.items[1].fee, Fee::Free);
    assert_eq!(stored.items[2].fee, Fee::Free);
    assert_eq!(stored.items[3].fee, Fee::Free);
    assert_eq!(stored.items[4].fee, Fee::Text { text: "按规定收取".into() });
    // And as a file.
    let read = read_bytes(OLD_JSON.as_bytes(), Format::Json, &ReadOptions::default()).unwrap();
    assert_eq!(read.catalog, stored);
    // Written again, it is the structured form, and reads back the same.
    let again = write_bytes(&stored, Format::Json).unwrap();
    assert!(!String::from_utf8(again.clone()).unwrap().contains("\"fee\": \"不收费\""));
    assert_eq!(read_bytes(&again, Format::Json, &ReadOptions::default()).unwrap().catalog, stored);
}

#[test]
fn a_json_fee_of_the_wrong_shape_is_refused_in_chinese() {
    let bad =
        OLD_JSON.replacen(r#""fee": "不收费""#, r#""fee": {"kind": "charges", "charges": [{"amount_fen": -100}]}"#, 1);
    let problems = invalid(read_bytes(bad.as_bytes(), Format::Json, &ReadOptions::default()).unwrap_err());
    assert_eq!(problems.len(), 1);
    assert!(problems[0].message.contains("收费（fee）应为文字"), "{}", problems[0].message);
    let empty = OLD_JSON.replacen(r#""fee": "不收费""#, r#""fee": {"kind": "charges", "charges": []}"#, 1);
    let problems = invalid(read_bytes(empty.as_bytes(), Format::Json, &ReadOptions::default()).unwrap_err());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].column.as_deref(), Some("第2个事项（编码 110106-SB-001）收费"));
    assert!(problems[0].message.contains("不收费的请写「不收费」"));
}
