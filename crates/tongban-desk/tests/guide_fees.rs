//! What the published 办事指南 say of fees and of who decides, taken in at the window: a charge
//! with its 收费依据 shown beside the item and printed on the 收件登记表, a 决定机构 apart from the
//! 办理部门 (a 派出所 receives, the 区公安分局 decides) named on the receipt and the 一次性告知书,
//! wording with no amount kept as the guide words it, a new version's fee said in words, and a fee
//! that cannot be right refused at its cell with nothing imported.

use tongban_core::catalog::{changes, CatalogIntake, Provided};
use tongban_core::guide::{Charge, Fee};
use tongban_desk::{AfterPrint, Desk, FormKind};
use tongban_fixtures::{catalog_draft, zhou_guilan};
use tongban_tests::pdf_text_without_whitespace;

mod guide_support;

/// The 事项清单 sheet of a 格式版本 3 workbook, as export writes it.
const HEADER: [&str; 26] = [
    "事项编码*",
    "实施编码",
    "事项名称*",
    "领域*",
    "办理部门*",
    "受理机构",
    "决定机构",
    "办理模式*",
    "事项类型",
    "服务对象",
    "法定时限",
    "承诺时限*",
    "收费",
    "收费依据",
    "送达方式*",
    "受理条件",
    "设定依据",
    "材料名称*",
    "材料形式*",
    "份数*",
    "必要性*",
    "适用条件",
    "任选其一",
    "容缺受理",
    "材料标准",
    "可用电子证照",
];

type Row = [&'static str; 26];

const ID_CARD_FEE_BASIS: &str =
    "《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》（发改价格〔2003〕2322号）";
const MORTGAGE_FEE_BASIS: &str =
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）";

const ID_CARD: [&str; 17] = [
    "110106-HJ-201",
    "",
    "居民身份证换领、补领",
    "户籍",
    "北京市公安局丰台分局新村派出所",
    "丰台区政务服务中心公安窗口",
    "北京市公安局丰台分局",
    "异地代收代办",
    "",
    "自然人",
    "60日",
    "60日",
    "换领、补领居民身份证工本费20元",
    ID_CARD_FEE_BASIS,
    "窗口领取、邮寄送达",
    "",
    "《中华人民共和国居民身份证法》第十条",
];
const MORTGAGE: [&str; 17] = [
    "110106-BDC-201",
    "",
    "不动产抵押登记",
    "不动产",
    "北京市规划和自然资源委员会丰台分局",
    "",
    "",
    "异地代收代办",
    "行政确认",
    "自然人、法人",
    "30",
    "5",
    "住宅类每件80元，非住宅类每件550元",
    MORTGAGE_FEE_BASIS,
    "窗口领取",
    "",
    "《不动产登记暂行条例》第七条",
];
const CERTIFICATE: [&str; 17] = [
    "110106-SB-201",
    "",
    "出具参保凭证",
    "社保",
    "北京市丰台区社会保险事业管理中心",
    "",
    "",
    "异地代收代办",
    "公共服务",
    "自然人、法人",
    "无",
    "即办",
    "不收费",
    "",
    "窗口领取",
    "",
    "",
];
const COPIES: [&str; 17] = [
    "110106-DA-201",
    "",
    "档案复制",
    "档案",
    "北京市丰台区档案馆",
    "",
    "",
    "异地代收代办",
    "公共服务",
    "自然人、法人",
    "无",
    "5",
    "按国家规定标准收取",
    "",
    "窗口领取",
    "",
    "",
];

fn row(item: [&'static str; 17], material: [&'static str; 9]) -> Row {
    let mut out = [""; 26];
    out[..17].copy_from_slice(&item);
    out[17..].copy_from_slice(&material);
    out
}

fn rows() -> Vec<Row> {
    vec![
        row(ID_CARD, ["居民身份证", "原件", "1", "必需", "", "", "", "换领的交回原证", ""]),
        row(ID_CARD, ["居民户口簿", "原件", "1", "必需", "", "", "", "", ""]),
        row(MORTGAGE, ["不动产权证书", "原件", "1", "必需", "", "", "", "", ""]),
        row(MORTGAGE, ["主债权合同及抵押合同", "原件", "1", "必需", "", "", "", "", ""]),
        row(CERTIFICATE, ["社会保障卡", "原件", "1", "必需", "", "", "", "", ""]),
        row(COPIES, ["居民身份证", "原件", "1", "必需", "", "", "", "", ""]),
    ]
}

fn import(rows: &[Row], version: &str) -> Result<tongban_catalog::Imported, tongban_catalog::CatalogFileError> {
    let workbook = guide_support::workbook(&HEADER, rows, version, "3");
    tongban_catalog::read_bytes(&workbook, tongban_catalog::Format::Xlsx, &Default::default())
}

fn desk() -> (tempfile::TempDir, Desk) {
    guide_support::desk_holding(&guide_support::workbook(&HEADER, &rows(), "指南-2026-12", "3"))
}

fn draft(item: &str, received: &[&str]) -> CatalogIntake {
    let materials =
        received.iter().map(|name| Provided { name: (*name).into(), received: true, ..Default::default() }).collect();
    catalog_draft("110106", item, zhou_guilan(), materials)
}

fn charge(name: &str, yuan: u64, unit: &str) -> Charge {
    Charge { name: name.into(), amount_fen: yuan * 100, unit: unit.into(), note: String::new() }
}

#[test]
fn the_guides_fees_read_as_charges_in_fen_and_words_without_an_amount_are_kept() {
    let read = import(&rows(), "指南-2026-12").unwrap();
    let catalog = &read.catalog;
    let id_card = catalog.item("110106-HJ-201").unwrap();
    assert_eq!(
        id_card.fee,
        Fee::Charges { how: String::new(), charges: vec![charge("换领、补领居民身份证工本费", 20, "")] }
    );
    assert_eq!(id_card.fee_basis, ID_CARD_FEE_BASIS);
    assert_eq!(
        (id_card.department.as_str(), id_card.decider()),
        ("北京市公安局丰台分局新村派出所", "北京市公安局丰台分局")
    );
    let mortgage = catalog.item("110106-BDC-201").unwrap();
    assert_eq!(
        mortgage.fee,
        Fee::Charges {
            how: String::new(),
            charges: vec![charge("住宅类", 80, "每件"), charge("非住宅类", 550, "每件")]
        }
    );
    assert_eq!(mortgage.decider(), "北京市规划和自然资源委员会丰台分局", "no 决定机构: the 办理部门 decides");
    assert_eq!(catalog.item("110106-SB-201").unwrap().fee, Fee::Free);
    assert_eq!(catalog.item("110106-DA-201").unwrap().fee, Fee::Text { text: "按国家规定标准收取".into() });
    assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
    assert!(
        read.warnings[0].contains("第7行 M列（收费）") && read.warnings[0].contains("按原文保存"),
        "{:?}",
        read.warnings
    );
    for format in [tongban_catalog::Format::Xlsx, tongban_catalog::Format::Json, tongban_catalog::Format::Csv] {
        let bytes = tongban_catalog::write_bytes(catalog, format).unwrap();
        let opts =
            tongban_catalog::ReadOptions { region: Some("110106".into()), version: Some("指南-2026-12".into()) };
        let back = tongban_catalog::read_bytes(&bytes, format, &opts).unwrap().catalog;
        assert_eq!(back.items, catalog.items, "{format:?} keeps the fee, its basis and the 决定机构");
    }
}

#[test]
fn the_fee_and_the_deciding_authority_are_shown_beside_the_item_printed_and_in_the_detail() {
    let (_dir, desk) = desk();
    let details = desk.item_details("110106", "110106-HJ-201").unwrap();
    assert_eq!(details.fee, "换领、补领居民身份证工本费20元");
    assert!(details.charged);
    assert_eq!(details.fee_basis, ID_CARD_FEE_BASIS);
    assert_eq!(details.decided_by, "北京市公安局丰台分局");
    assert_eq!(details.accepted_by, "丰台区政务服务中心公安窗口");
    let free = desk.item_details("110106", "110106-SB-201").unwrap();
    assert_eq!((free.fee.as_str(), free.charged, free.decided_by.as_str()), ("不收费", false, ""));
    let words = desk.item_details("110106", "110106-DA-201").unwrap();
    assert_eq!((words.fee.as_str(), words.charged), ("按国家规定标准收取", true));

    let taken = desk.take_in(&draft("110106-HJ-201", &["居民身份证", "居民户口簿"])).unwrap();
    let receipt = desk.print_case_form(FormKind::Receipt, &taken.number, AfterPrint::Save).unwrap();
    let text = pdf_text_without_whitespace(std::path::Path::new(&receipt.path));
    assert!(text.contains("办理部门北京市公安局丰台分局新村派出所"), "{text}");
    assert!(text.contains("决定机构北京市公安局丰台分局"), "{text}");
    assert!(
        text.contains(&format!(
            "收费换领、补领居民身份证工本费20元（收费依据：{}）",
            ID_CARD_FEE_BASIS.replace(' ', "")
        )),
        "{text}"
    );
    let detail = desk.case_detail(&taken.number).unwrap();
    assert_eq!(detail.item.decided_by, "北京市公安局丰台分局");
    assert_eq!(detail.item.fee, format!("换领、补领居民身份证工本费20元（收费依据：{ID_CARD_FEE_BASIS}）"));

    // The notice names the authority that decides, beside the 办理部门.
    let lacking = desk.take_in(&draft("110106-HJ-201", &["居民身份证"])).unwrap();
    let notice = desk.print_case_form(FormKind::Notice, &lacking.number, AfterPrint::Save).unwrap();
    let text = pdf_text_without_whitespace(std::path::Path::new(&notice.path));
    assert!(text.contains("办理部门：北京市公安局丰台分局新村派出所；决定机构：北京市公安局丰台分局"), "{text}");

    // A free item prints 不收费 and no 决定机构 of its own.
    let certificate = desk.take_in(&draft("110106-SB-201", &["社会保障卡"])).unwrap();
    let receipt = desk.print_case_form(FormKind::Receipt, &certificate.number, AfterPrint::Save).unwrap();
    let text = pdf_text_without_whitespace(std::path::Path::new(&receipt.path));
    assert!(text.contains("收费不收费"), "{text}");
    assert!(!text.contains("决定机构"), "{text}");
    let detail = desk.case_detail(&certificate.number).unwrap();
    assert_eq!(detail.item.decided_by, "北京市丰台区社会保险事业管理中心", "the department decides");
}

#[test]
fn a_new_version_says_what_changed_in_the_fee_and_the_deciding_authority_in_words() {
    let old = import(&rows(), "指南-2026-12").unwrap().catalog;
    let mut next = rows();
    next[0][12] = "换领、补领居民身份证工本费25元";
    next[1][12] = next[0][12];
    next[0][6] = "北京市公安局";
    next[1][6] = next[0][6];
    next[2][13] = "";
    next[3][13] = "";
    let new = import(&next, "指南-2027-01").unwrap().catalog;
    let lines = changes(&old, &new).lines();
    let of = |what: &str| lines.iter().any(|l| l.contains(what));
    assert!(of("收费：换领、补领居民身份证工本费20元 → 换领、补领居民身份证工本费25元"), "{lines:#?}");
    assert!(of("决定机构：北京市公安局丰台分局 → 北京市公安局"), "{lines:#?}");
    assert!(of(&format!("收费依据：{MORTGAGE_FEE_BASIS} → （未写）")), "{lines:#?}");
}

#[test]
fn a_fee_that_cannot_be_right_is_named_at_its_cell_with_a_right_example_and_nothing_imports() {
    let mut bad = rows();
    bad[2][12] = "住宅类每件-80元";
    bad[3][12] = bad[2][12];
    bad[5][12] = "工本费元";
    let problems = match import(&bad, "指南-2026-12").unwrap_err() {
        tongban_catalog::CatalogFileError::Invalid { problems } => problems,
        other => panic!("{other:?}"),
    };
    assert_eq!(problems.len(), 2, "{problems:#?}");
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(shown[0].starts_with("工作表「事项清单」第4行 M列（收费）：") && shown[0].contains("负数"), "{shown:#?}");
    assert!(
        shown[1].starts_with("工作表「事项清单」第7行 M列（收费）：") && shown[1].contains("没有写金额"),
        "{shown:#?}"
    );
    assert!(shown.iter().all(|p| p.contains("应写作「工本费20元」")), "{shown:#?}");
}
