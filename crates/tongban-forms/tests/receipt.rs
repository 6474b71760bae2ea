//! The 收件登记表, read back with poppler: every required element with the case's values, the
//! font embedded as a subset with a Unicode map, pagination of a long materials list, rare
//! name characters, and a character the font lacks.

mod common;

use chrono::Duration;
use common::*;
use tongban_core::applicant::Applicant;
use tongban_core::case::{CaseState, ResultDelivery};
use tongban_fixtures::sample_form;
use tongban_forms::{FormError, PrintMark, Receipt};

fn render(case: &CaseState) -> Result<Vec<u8>, FormError> {
    let hall = hall();
    tongban_forms::receipt(&receipt_of(case, Some(due(21)), &hall))
}

fn with_name(i: usize, name: &str) -> CaseState {
    let mut form = sample_form(i);
    match &mut form.applicant {
        Applicant::Person(p) => p.name = name.into(),
        Applicant::Enterprise(e) => e.name = name.into(),
    }
    case_from(form, i as u32 + 1)
}

#[test]
fn the_receipt_prints_every_required_element_with_the_cases_values_on_both_copies() {
    // Sample 12: a person, through a 帮办代办 helper, papers mailed with a waybill, result mailed.
    let case = case(12);
    let form = &case.intake.form;
    let pdf = render(&case).unwrap();
    let path = write("receipt", "full.pdf", &pdf);
    assert!(pdf.len() < 100 * 1024, "{} bytes", pdf.len());
    assert_font_embedded_subset_unicode(&path);

    let Applicant::Person(p) = &form.applicant else { panic!("sample 12 is a person") };
    let agent = form.agent.as_ref().expect("sample 12 has a helper");
    let ResultDelivery::Mail { recipient, phone, address } = &form.delivery else {
        panic!("sample 12 mails the result")
    };
    let number = case.intake.number.to_string();
    let mut expected: Vec<String> = vec![
        "新野县政务服务中心".into(),
        "跨省通办收件登记表".into(),
        format!("办件编号：{number}"),
        "收件日期：2026年3月2日".into(),
        format!("事项名称{}", form.item.name),
        format!("事项编码{}", form.item.code),
        "办理地北京市丰台区".into(),
        format!("办理部门{}", form.item.department),
        "受理地河南省南阳市新野县".into(),
        "受理窗口新野县政务服务中心跨省通办专窗".into(),
        format!("申请人{}", p.name),
        format!("联系电话{}", p.phone),
        "证件类型居民身份证".into(),
        format!("证件号码{}", p.id_number),
        format!("代办人{}（帮办代办）", agent.name),
        format!("代办人电话{}", agent.phone),
        format!("证件号码{}", agent.id_number),
        "申请材料清单".into(),
        "序号材料名称形式份数原件核验备注".into(),
        "流转方式网络流转＋邮寄（运单号1179000000012）".into(),
        "承诺办结2026年3月23日前办结（承诺时限10个工作日）".into(),
        format!("结果送达邮寄送达：{recipient}，{phone}，{address}"),
        format!("告知事项{}", hall().receipt_notice),
        "受理人：张敏".into(),
        "受理人签字：".into(),
        "申请人（代办人）签字：".into(),
        "日期：年月日".into(),
        "（受理窗口盖章）".into(),
        "地址：河南省南阳市新野县书院路18号政务服务中心一楼".into(),
        "咨询电话：0377-66012345".into(),
        format!("办公时间：{}", hall().office_hours),
        "打印时间：2026-03-0210:31".into(),
    ];
    for (i, m) in case.materials.iter().enumerate() {
        let check = if m.form == tongban_core::case::MaterialForm::Original { "已核验" } else { "—" };
        expected.push(format!("{}{}{}{}{check}", i + 1, m.name, m.form.label(), m.copies));
    }
    let pages: Vec<String> = raw_pages(&path).iter().map(|p| squeeze(p)).collect();
    assert_eq!(pages.len(), 2, "one page per copy");
    for (i, page) in pages.iter().enumerate() {
        // Each copy carries everything.
        for e in &expected {
            assert!(page.contains(&squeeze(e)), "page {}: missing {e}\n--- text ---\n{page}", i + 1);
        }
    }
    let raw = pages.concat();
    let (first, second) = (&pages[0], &pages[1]);
    assert!(first.contains("第一联存档联") && first.contains("存档联第1页共1页"), "{first}");
    assert!(second.contains("第二联申请人联") && second.contains("申请人联第1页共1页"), "{second}");
    assert!(!raw.contains("补打"), "a first print is not a reprint");
    for page in [1, 2] {
        assert_eq!(qr_codes(&path, page), vec![number.clone()], "the QR code on page {page} encodes the 办件编号");
    }
}

#[test]
fn an_enterprise_case_waiting_for_materials_says_what_is_missing_and_that_the_clock_has_not_started() {
    // Sample 29: an enterprise applying for 营业执照变更登记 (29 % 5 = 4) whose 营业执照正副本 is
    // missing (29 % 8 = 5).
    let case = case(29);
    assert!(!case.intake.form.is_complete());
    let hall = hall();
    let pdf = tongban_forms::receipt(&receipt_of(&case, None, &hall)).unwrap();
    let path = write("receipt", "enterprise-missing.pdf", &pdf);
    let raw = squeeze(&raw_text(&path));
    let Applicant::Enterprise(e) = &case.intake.form.applicant else { panic!("sample 29 is an enterprise") };
    for expected in [
        format!("申请单位{}", e.name),
        format!("统一社会信用代码{}", e.credit_code),
        format!("法定代表人{}", e.legal_representative),
        format!("联系人{}", e.contact_name),
        "2营业执照正副本原件1—未提交，须补正".to_string(),
        "材料补齐之日起3个工作日内办结（目前材料不齐，待补正）".to_string(),
        "结果送达窗口领取".to_string(),
    ] {
        assert!(raw.contains(&squeeze(&expected)), "missing {expected}\n{raw}");
    }
}

#[test]
fn a_result_fetched_online_or_not_handed_over_says_so() {
    for (delivery, expected) in [
        (ResultDelivery::Online, "结果送达网上获取（电子证照或网上下载）"),
        (ResultDelivery::NotNeeded, "结果送达无需送达"),
    ] {
        let mut case = case(13);
        case.intake.form.delivery = delivery;
        let hall = hall();
        let pdf = tongban_forms::receipt(&receipt_of(&case, None, &hall)).unwrap();
        let raw = squeeze(&raw_text(&write("receipt", "delivery.pdf", &pdf)));
        assert!(raw.contains(&squeeze(expected)), "missing {expected}\n{raw}");
    }
}

#[test]
fn forty_materials_continue_on_a_second_page_of_each_copy_with_the_header_repeated() {
    let case = case_with_materials(40);
    let pdf = render(&case).unwrap();
    let path = write("receipt", "forty.pdf", &pdf);
    assert!(pdf.len() < 100 * 1024, "{} bytes", pdf.len());
    let pages: Vec<String> = raw_pages(&path).iter().map(|p| squeeze(p)).collect();
    assert_eq!(pages.len(), 4, "two pages per copy");
    for (i, page) in pages.iter().enumerate() {
        let copy = if i < 2 { "存档联" } else { "申请人联" };
        assert!(page.contains(&format!("{copy}第{}页共2页", i % 2 + 1)), "page {}: {page}", i + 1);
        assert!(page.contains("序号材料名称形式份数原件核验备注"), "header on page {}", i + 1);
        assert!(page.contains(case.intake.number.as_str()), "number on page {}", i + 1);
    }
    assert!(pages[1].contains("跨省通办收件登记表（续）") && pages[3].contains("跨省通办收件登记表（续）"));
    // Every material exactly once per copy, in order; the tail after the last one.
    for copy in [&pages[0..2], &pages[2..4]] {
        let text = copy.concat();
        let mut at = 0;
        for (k, m) in case.materials.iter().enumerate() {
            let row = squeeze(&format!("{}{}", k + 1, m.name));
            assert_eq!(text.matches(&squeeze(&m.name)).count(), 1, "{} once", m.name);
            at = at + text[at..].find(&row).unwrap_or_else(|| panic!("row {} in order", k + 1));
        }
        let tail = text.find("流转方式").expect("tail printed");
        assert!(tail > at, "the tail follows the last material");
        assert!(copy[1].contains("（受理窗口盖章）"), "signatures and seal on the last page of the copy");
    }
}

#[test]
fn rare_name_characters_print_and_extract_as_themselves() {
    for (i, name) in [(0, "欧阳喆"), (1, "𠮷野堃"), (3, "王珺昇"), (4, "李䶮")] {
        let case = with_name(i, name);
        let pdf = render(&case).unwrap();
        let path = write("receipt", &format!("rare-{i}.pdf"), &pdf);
        assert_font_embedded_subset_unicode(&path);
        let raw = raw_text(&path);
        assert_eq!(raw.matches(name).count(), 2, "{name} on both copies:\n{raw}");
    }
}

#[test]
fn a_character_the_font_lacks_is_reported_with_the_field_and_nothing_is_printed() {
    let case = with_name(0, "张\u{E000}");
    let err = render(&case).unwrap_err();
    assert_eq!(err, FormError::MissingGlyph { field: "申请人姓名".into(), ch: '\u{E000}' });
    assert_eq!(err.code(), "missing_glyph");
    assert!(err.to_string().starts_with("申请人姓名中的「\u{E000}」（U+E000）是打印字体中没有的字，无法打印"), "{err}");

    let mut form = sample_form(0);
    form.materials[1].name = "参保缴费凭证\u{E001}".into();
    let err = render(&case_from(form, 1)).unwrap_err();
    assert!(err.to_string().starts_with("第2项材料名称中的「\u{E001}」（U+E001）"), "{err}");
}

#[test]
fn long_text_wraps_inside_its_cell_and_text_too_long_to_fit_is_refused() {
    let mut form = sample_form(0);
    let long_name = "关于申请人在原参保地连续缴纳基本养老保险费满十五年以上且在转入地已办理就业登记的情况说明（须由原参保地社会保险经办机构出具并加盖业务专用章）";
    form.materials[0].name = long_name.into();
    form.note = "申请人称原件已于上月寄出，".repeat(6);
    let case = case_from(form, 1);
    let pdf = render(&case).unwrap();
    let path = write("receipt", "long.pdf", &pdf);
    let raw = squeeze(&raw_text(&path));
    assert_eq!(raw.matches(long_name).count(), 2, "the whole name, wrapped, on both copies");
    assert!(raw.contains(&squeeze(&case.intake.form.note)), "the whole note");

    let mut hall = hall();
    hall.receipt_notice = "请妥善保管本登记表。".repeat(200);
    let err = tongban_forms::receipt(&receipt_of(&case, deadline_of(&case), &hall)).unwrap_err();
    assert_eq!(err.code(), "text_too_long", "{err}");
    assert!(err.to_string().contains("过长"), "{err}");
}

#[test]
fn a_reprint_is_marked_with_its_date_and_the_first_print() {
    let case = case(0);
    let hall = hall();
    let mark = PrintMark { printed_at: at(16, 5) + Duration::days(3), first_printed_at: Some(at(10, 31)) };
    let pdf = tongban_forms::receipt(&Receipt { mark, ..receipt_of(&case, deadline_of(&case), &hall) }).unwrap();
    let path = write("receipt", "reprint.pdf", &pdf);
    for page in text_pages(&path) {
        let page = squeeze(&page);
        assert!(page.contains("补打2026-03-0516:05（首次打印于2026-03-0210:31）"), "{page}");
    }
}

#[test]
fn text_on_one_baseline_is_one_run_so_viewers_select_it_as_a_line() {
    // PDFium (Chrome, Edge's WebView2) selects text by show operators: a baseline drawn as one
    // `Tm` and one `TJ` (the gaps between cells as kerns) selects and copies as a line, where
    // one `Tm` per cell would cram the line into its first glyph.
    let pdf = lopdf::Document::load_mem(&render(&case(2)).unwrap()).unwrap();
    for (n, page) in pdf.get_pages() {
        let content = lopdf::content::Content::decode(&pdf.get_page_content(page)).unwrap();
        let (mut runs, mut last_y, mut joined) = (0, None, 0);
        for op in &content.operations {
            match op.operator.as_str() {
                "Tm" => {
                    let y = op.operands[5].as_float().unwrap();
                    assert_ne!(last_y, Some(y), "page {n}: a second run on the baseline {y}");
                    last_y = Some(y);
                    runs += 1;
                }
                "TJ" => joined += op.operands[0].as_array().unwrap().iter().filter(|o| o.as_float().is_ok()).count(),
                // A change of size or weight starts a run of its own.
                "Tf" | "Tr" | "w" => last_y = None,
                _ => {}
            }
        }
        assert!(runs > 20 && joined > 10, "page {n}: {runs} runs, {joined} kerns");
    }
}
