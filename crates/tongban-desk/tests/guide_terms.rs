//! What the published 办事指南 say, taken in at the window: alternatives (任选其一), 容缺受理, who
//! may apply, a 即办 item and a 公共服务 item whose 一次性告知书 cites its own 设定依据. The
//! catalog is read from a workbook written in the guides' own words, as a region's admin makes it.

use tongban_core::applicant::{Applicant, Enterprise};
use tongban_core::case::CaseStatus;
use tongban_core::catalog::{CatalogIntake, Provided};
use tongban_desk::{AfterPrint, Completion, Desk, FormKind, MaterialTick};
use tongban_fixtures::{catalog_draft, zhou_guilan};
use tongban_tests::pdf_text_without_whitespace;

mod guide_support;

/// The 事项清单 sheet of a 格式版本 2 workbook, one material a row, the guides' wording in every
/// cell that has one.
const HEADER: [&str; 24] = [
    "事项编码*",
    "实施编码",
    "事项名称*",
    "领域*",
    "办理部门*",
    "受理机构",
    "办理模式*",
    "事项类型",
    "服务对象",
    "法定时限",
    "承诺时限*",
    "收费",
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

type Row = [&'static str; 24];

const MOVE: [&str; 15] = [
    "110106-HJ-101",
    "",
    "夫妻投靠户口迁移",
    "户籍",
    "北京市公安局丰台分局",
    "丰台区政务服务中心公安窗口",
    "异地代收代办",
    "行政许可",
    "自然人",
    "20（情况特别复杂的可延长至50）",
    "20个工作日",
    "不收费",
    "窗口领取、邮寄送达",
    "结婚满两年",
    "《中华人民共和国户口登记条例》第十条",
];
const CERTIFICATE: [&str; 15] = [
    "110106-SB-101",
    "",
    "出具参保凭证",
    "社保",
    "北京市丰台区社会保险事业管理中心",
    "",
    "异地代收代办",
    "公共服务",
    "自然人、法人",
    "无",
    "即办",
    "不收费",
    "窗口领取",
    "",
    "《中华人民共和国社会保险法》第七十四条",
];
const COMPANY: [&str; 15] = [
    "110106-SC-101",
    "",
    "企业名称变更登记",
    "市场主体登记",
    "北京市丰台区市场监督管理局",
    "",
    "异地代收代办",
    "行政许可",
    "法人",
    "15",
    "现场即时；网上3",
    "不收费",
    "窗口领取",
    "",
    "《市场主体登记管理条例》第二十四条",
];

fn row(item: [&'static str; 15], material: [&'static str; 9]) -> Row {
    let mut out = [""; 24];
    out[..15].copy_from_slice(&item);
    out[15..].copy_from_slice(&material);
    out
}

fn rows() -> Vec<Row> {
    vec![
        row(MOVE, ["居民身份证", "原件", "1", "必要", "", "身份证明", "", "在有效期内", ""]),
        row(MOVE, ["居民户口簿", "原件", "1", "必要", "", "身份证明", "", "首页及本人页", ""]),
        row(MOVE, ["结婚证", "原件及复印件", "原件1份、复印件2份", "必要", "", "", "", "", ""]),
        row(
            MOVE,
            ["住房证明", "复印件", "1", "必要", "", "", "可容缺，10个工作日内补齐", "房屋所有权证或租赁合同", ""],
        ),
        row(CERTIFICATE, ["社会保障卡", "原件", "1", "必要", "", "", "", "", ""]),
        row(CERTIFICATE, ["参保凭证申请表", "原件", "1", "必要", "", "", "", "本人签字", ""]),
        row(COMPANY, ["变更登记申请书", "原件", "1", "必要", "", "", "", "法定代表人签字", ""]),
    ]
}

fn workbook() -> Vec<u8> {
    workbook_of(&rows())
}

fn workbook_of(rows: &[Row]) -> Vec<u8> {
    guide_support::workbook(&HEADER, rows, "指南-2026-12", "2")
}

fn desk() -> (tempfile::TempDir, Desk) {
    guide_support::desk_holding(&workbook())
}

fn person() -> Applicant {
    zhou_guilan()
}

fn company() -> Applicant {
    Applicant::Enterprise(Enterprise {
        name: "北京丰台示范科技有限公司".into(),
        credit_code: "91350100M000100Y43".into(),
        legal_representative: "周桂兰".into(),
        contact_name: "周桂兰".into(),
        contact_phone: "13937700002".into(),
        address: String::new(),
    })
}

fn draft(item: &str, applicant: Applicant, received: &[&str]) -> CatalogIntake {
    let materials =
        received.iter().map(|name| Provided { name: (*name).into(), received: true, ..Default::default() }).collect();
    catalog_draft("110106", item, applicant, materials)
}

#[test]
fn the_guides_wording_round_trips_through_every_format() {
    let read = tongban_catalog::read_bytes(&workbook(), tongban_catalog::Format::Xlsx, &Default::default()).unwrap();
    let catalog = read.catalog;
    let moving = catalog.item("110106-HJ-101").unwrap();
    assert_eq!(moving.legal_days, Some(20));
    assert_eq!(moving.legal_extension.as_ref().map(|e| (e.to_days, e.when.as_str())), Some((50, "情况特别复杂")));
    assert_eq!(moving.accepted_by, "丰台区政务服务中心公安窗口");
    assert_eq!(moving.materials[2].form.label(), "原件及复印件");
    assert_eq!((moving.materials[2].originals, moving.materials[2].copies), (1, 2));
    assert_eq!(moving.materials[0].choice, "身份证明");
    assert_eq!(moving.materials[3].deferral.map(|d| d.days), Some(10));
    let certificate = catalog.item("110106-SB-101").unwrap();
    assert_eq!((certificate.legal_days, certificate.promised_days), (None, 0));
    let company = catalog.item("110106-SC-101").unwrap();
    assert_eq!((company.promised_days, company.promised_online_days), (0, Some(3)));
    for format in [tongban_catalog::Format::Xlsx, tongban_catalog::Format::Json, tongban_catalog::Format::Csv] {
        let bytes = tongban_catalog::write_bytes(&catalog, format).unwrap();
        let opts =
            tongban_catalog::ReadOptions { region: Some("110106".into()), version: Some("指南-2026-12".into()) };
        let back = tongban_catalog::read_bytes(&bytes, format, &opts).unwrap().catalog;
        assert_eq!(back.items, catalog.items, "{format:?} keeps every field");
    }
}

#[test]
fn wording_that_is_not_understood_is_named_at_its_cell_with_a_right_example_and_nothing_imports() {
    let mut bad = rows();
    bad[0][7] = "行政审批"; // 事项类型
    bad[0][8] = "外星人"; // 服务对象
    bad[0][9] = "尽快"; // 法定时限
    bad[4][10] = "网上5"; // 承诺时限 with no window promise
    bad[2][17] = "原件1份"; // 份数 of 原件及复印件 without the copies
    bad[3][21] = "视情况"; // 容缺受理
    bad[1][20] = "户籍证明"; // 任选其一: 居民身份证 is now alone in 身份证明
    let error = tongban_catalog::read_bytes(&workbook_of(&bad), tongban_catalog::Format::Xlsx, &Default::default())
        .unwrap_err();
    let problems = match &error {
        tongban_catalog::CatalogFileError::Invalid { problems } => problems.clone(),
        other => panic!("{other:?}"),
    };
    let at = |row: usize, column: &str, words: &str| {
        assert!(
            problems.iter().any(|p| p.row == Some(row)
                && p.column.as_deref().is_some_and(|c| c.contains(column))
                && p.message.contains(words)),
            "no problem at row {row} {column} with 「{words}」: {problems:#?}"
        );
    };
    at(2, "事项类型", "应为「行政许可」");
    at(2, "服务对象", "应为「自然人」「法人」或「自然人、法人」");
    at(2, "法定时限", "应写作「20」「20个工作日」「60日」「即办」「无」");
    at(6, "承诺时限", "没有写现场（窗口）办理的承诺时限");
    at(4, "份数", "应写作「1」或「原件1份、复印件1份」");
    at(5, "容缺受理", "如「10个工作日内补齐」");
    at(2, "任选其一", "只有「居民身份证」一项材料");
    assert!(problems.iter().all(|p| p.sheet.as_deref() == Some("事项清单")), "{problems:#?}");
}

#[test]
fn an_alternatives_group_is_satisfied_by_its_second_choice() {
    let (_dir, desk) = desk();
    let taken = desk.take_in(&draft("110106-HJ-101", person(), &["居民户口簿", "结婚证", "住房证明"])).unwrap();
    assert_eq!(taken.status, CaseStatus::Received, "{taken:?}");
    assert!(taken.missing.is_empty() && taken.owed.is_empty());
    // Neither choice: the notice names the group once, with both choices.
    let none = desk.take_in(&draft("110106-HJ-101", person(), &["结婚证", "住房证明"])).unwrap();
    assert_eq!(none.status, CaseStatus::AwaitingMaterials);
    assert_eq!(none.missing, ["居民身份证", "居民户口簿"]);
    let notice = desk.print_case_form(FormKind::Notice, &none.number, AfterPrint::Save).unwrap();
    let text = pdf_text_without_whitespace(std::path::Path::new(&notice.path));
    assert!(text.contains("身份证明（任选其一：居民身份证或居民户口簿）"), "{text}");
}

#[test]
fn a_deferred_material_is_owed_not_missing_and_is_received_later() {
    let (_dir, desk) = desk();
    let taken = desk.take_in(&draft("110106-HJ-101", person(), &["居民身份证", "结婚证"])).unwrap();
    assert_eq!(taken.status, CaseStatus::Received, "a 容缺 material does not make the case 待补正");
    assert_eq!(taken.owed, ["住房证明"]);
    let due = taken.owed_due.clone().expect("the owed material has its own due date");
    let detail = desk.case_detail(&taken.number).unwrap();
    assert_eq!(detail.owed_due.as_ref().map(|d| d.date.clone()), Some(due.clone()));
    let owed = detail.materials.iter().find(|m| m.name == "住房证明").unwrap();
    assert!(owed.owed && !owed.missing && owed.deferral == "10个工作日内补齐");
    assert!(detail.actions.iter().any(|a| a.label == "补交容缺材料"));
    let receipt = desk.print_case_form(FormKind::Receipt, &taken.number, AfterPrint::Save).unwrap();
    let text = pdf_text_without_whitespace(std::path::Path::new(&receipt.path));
    assert!(text.contains("容缺受理，10个工作日内补齐"), "{text}");
    assert!(text.contains("原件1份、复印件2份"), "{text}");
    assert!(text.contains(&format!("住房证明，须于{}前补齐", zh_date(&due))), "the due date is printed: {text}");

    let position = detail.materials.iter().position(|m| m.name == "住房证明").unwrap() as u32;
    let completion = Completion {
        materials: vec![MaterialTick { position, received: true, original_verified: false, scans: Vec::new() }],
        then: Some(AfterPrint::Save),
    };
    let done = desk.complete_case(&taken.number, &completion).unwrap();
    assert_eq!(done.status, CaseStatus::Received, "the case goes on as it was");
    let after = desk.case_detail(&taken.number).unwrap();
    assert_eq!(after.owed_due, None);
    assert!(after.materials.iter().all(|m| !m.owed && !m.missing), "{:#?}", after.materials);
    assert!(after.history.iter().any(|h| h.what == "补交容缺材料"), "{:?}", after.history);
}

#[test]
fn a_company_is_refused_for_a_personal_item_and_a_person_for_a_company_one() {
    let (_dir, desk) = desk();
    let refused = desk.take_in(&draft("110106-HJ-101", company(), &["居民身份证"])).unwrap_err();
    assert!(
        refused.message.contains("服务对象为自然人") && refused.message.contains("法人（企业）不能申请"),
        "{refused:?}"
    );
    let refused = desk.take_in(&draft("110106-SC-101", person(), &["变更登记申请书"])).unwrap_err();
    assert!(refused.message.contains("服务对象为法人"), "{refused:?}");
    let details = desk.item_details("110106", "110106-SC-101").unwrap();
    assert!(!details.persons_may_apply && details.organizations_may_apply);
    assert!(desk.take_in(&draft("110106-SC-101", company(), &["变更登记申请书"])).is_ok());
}

#[test]
fn an_on_the_spot_item_prints_as_concluded_at_once_and_a_public_service_cites_its_own_basis() {
    let (_dir, desk) = desk();
    let details = desk.item_details("110106", "110106-SB-101").unwrap();
    assert_eq!((details.promise.as_str(), details.legal.as_str()), ("当场办结", "无法定时限"));
    assert_eq!(details.kind, "公共服务");
    assert_eq!(details.basis, "《中华人民共和国社会保险法》第七十四条");

    let taken = desk.take_in(&draft("110106-SB-101", person(), &["社会保障卡", "参保凭证申请表"])).unwrap();
    let receipt = desk.print_case_form(FormKind::Receipt, &taken.number, AfterPrint::Save).unwrap();
    assert!(pdf_text_without_whitespace(std::path::Path::new(&receipt.path)).contains("当场办结"));

    let lacking = desk.take_in(&draft("110106-SB-101", person(), &["社会保障卡"])).unwrap();
    let notice = desk.print_case_form(FormKind::Notice, &lacking.number, AfterPrint::Save).unwrap();
    let text = pdf_text_without_whitespace(std::path::Path::new(&notice.path));
    assert!(text.contains("依据《中华人民共和国社会保险法》第七十四条的规定"), "{text}");
    assert!(!text.contains("行政许可法"), "a 公共服务 is not a licence: {text}");
    // Nor does its detail view say so beside a 告知期限.
    let detail = desk.case_detail(&lacking.number).unwrap();
    assert_eq!(detail.notice_rule, "材料不齐须在5个工作日内一次性告知");

    // A 行政许可 still cites 行政许可法 §32, on paper and on screen.
    let licence = desk.take_in(&draft("110106-HJ-101", person(), &["居民身份证", "住房证明"])).unwrap();
    let notice = desk.print_case_form(FormKind::Notice, &licence.number, AfterPrint::Save).unwrap();
    assert!(pdf_text_without_whitespace(std::path::Path::new(&notice.path)).contains("行政许可法》第三十二条"));
    let detail = desk.case_detail(&licence.number).unwrap();
    assert!(detail.notice_rule.contains("行政许可法第三十二条") && detail.notice_rule.contains("逾期视为受理"));
}

/// 「2026年12月21日」 of a `YYYY-MM-DD`.
fn zh_date(iso: &str) -> String {
    let d = chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap();
    format!("{}年{}月{}日", chrono::Datelike::year(&d), chrono::Datelike::month(&d), chrono::Datelike::day(&d))
}
