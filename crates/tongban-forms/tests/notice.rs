//! The 一次性告知书, read back with poppler.

mod common;

use common::*;
use tongban_core::case::{CaseState, EventBody};
use tongban_core::hall::HallTexts;
use tongban_fixtures::sample_form;
use tongban_forms::{FormError, Notice};

fn render_with(case: &CaseState, hall: &HallTexts) -> Result<Vec<u8>, FormError> {
    tongban_forms::notice(&Notice {
        case, issued_on: day(), supplement_by: due(14), clerk: "张敏", hall, mark: mark()
    })
}

fn render(case: &CaseState) -> Result<Vec<u8>, FormError> {
    render_with(case, &hall())
}

#[test]
fn the_notice_lists_every_missing_material_with_its_standard_the_law_the_deadline_and_where_to_go() {
    // Sample 5: 基本养老保险参保缴费凭证 missing (5 % 8 = 5).
    let case = case(5);
    let missing: Vec<_> = case.intake.form.missing_materials().cloned().collect();
    assert_eq!(missing.len(), 1);
    let pdf = render(&case).unwrap();
    let path = write("notice", "missing.pdf", &pdf);
    assert!(pdf.len() < 100 * 1024, "{} bytes", pdf.len());
    assert_font_embedded_subset_unicode(&path);
    let raw = squeeze(&raw_text(&path));
    let form = &case.intake.form;
    let expected = [
        "新野县政务服务中心".to_string(),
        "一次性告知书".into(),
        format!("编号：{}", case.intake.number),
        format!("{}：", form.applicant.name()),
        format!("您（单位）于2026年3月2日在本窗口申请办理的「{}」", form.item.name),
        format!("办件编号：{}；办理地：北京市丰台区；办理部门：{}", case.intake.number, form.item.department),
        "序号材料名称问题应当符合的要求".into(),
        format!("1{}未提交{}（原件1份）", missing[0].name, missing[0].standard),
        // A 公共服务 cites its own 设定依据, not 行政许可法.
        "依据《中华人民共和国社会保险法》第十九条的规定，按照一次性告知的要求".into(),
        "法律依据：「企业职工基本养老保险关系转移接续申请」（公共服务）的设定依据：《中华人民共和国社会保险法》第十九条".into(),
        "请于2026年3月16日前（自告知之日起10个工作日内）将上述材料一次性补正齐全".into(),
        "送至河南省南阳市新野县书院路18号政务服务中心一楼（新野县政务服务中心跨省通办专窗）".into(),
        hall().notice_closing,
        format!("办公时间：{}", hall().office_hours),
        "咨询电话：0377-66012345".into(),
        "受理人：张敏".into(),
        "受理人签字：".into(),
        "申请人签收：".into(),
        "（受理窗口盖章）".into(),
        "2026年3月2日".into(),
        "第1页共1页".into(),
    ];
    for e in &expected {
        assert!(raw.contains(&squeeze(e)), "missing {e}\n--- text ---\n{raw}");
    }
    assert!(!raw.contains("行政许可法"), "{raw}");
    // Materials the applicant did bring are not listed.
    assert!(!raw.contains("1居民身份证") && !raw.contains("2居民身份证"), "{raw}");
}

/// The statute as the notice quotes it (checked word for word).
#[test]
fn a_licence_cites_article_32_of_the_administrative_licensing_law() {
    // Sample 53: 户口迁入（投靠）, a 行政许可, with 亲属关系证明 missing (53 % 8 = 5, 53 % 5 = 3).
    let case = case(53);
    assert_eq!(case.intake.form.item.kind, Some(tongban_core::guide::ItemKind::License));
    let pdf = render(&case).unwrap();
    let raw = squeeze(&raw_text(&write("notice", "licence.pdf", &pdf)));
    for e in [
        "依据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定".to_string(),
        "《中华人民共和国行政许可法》第三十二条第一款第（四）项".into(),
        tongban_forms_legal_basis(),
    ] {
        assert!(raw.contains(&squeeze(&e)), "missing {e}\n--- text ---\n{raw}");
    }
    assert!(!raw.contains("设定依据"), "§32 is the basis of a licence's notice: {raw}");
}

fn tongban_forms_legal_basis() -> String {
    "申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理。".into()
}

#[test]
fn what_the_handling_region_asked_for_is_listed_with_the_catalog_standard_when_it_names_a_material() {
    let mut case = case(0);
    case.apply(&EventBody::SupplementRequested {
        items: vec!["基本养老保险参保缴费凭证需加盖社保经办机构业务章".into(), "近三个月工资流水".into()],
        note: String::new(),
    })
    .unwrap();
    let items = tongban_forms::notice_items(&case);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].name, "基本养老保险参保缴费凭证");
    let pdf = render(&case).unwrap();
    let path = write("notice", "supplement.pdf", &pdf);
    let raw = squeeze(&raw_text(&path));
    for e in [
        "1基本养老保险参保缴费凭证需补正办理地意见：基本养老保险参保缴费凭证需加盖社保经办机构业务章。加盖转出地社保经办机构业务章（原件1份）",
        "2近三个月工资流水需补正办理地意见：近三个月工资流水",
    ] {
        assert!(raw.contains(&squeeze(e)), "missing {e}\n{raw}");
    }
}

#[test]
fn the_handling_regions_note_is_printed_with_what_it_asked_for() {
    let mut case = case(0);
    case.apply(&EventBody::SupplementRequested {
        items: vec!["近三个月工资流水".into()],
        note: "  流水须加盖银行业务章，复印件无效  ".into(),
    })
    .unwrap();
    let pdf = render(&case).unwrap();
    let path = write("notice", "supplement-note.pdf", &pdf);
    let raw = squeeze(&raw_text(&path));
    assert!(raw.contains(&squeeze("办理地说明：流水须加盖银行业务章，复印件无效")), "{raw}");
    // Without a note there is no empty line for one.
    let mut plain = self::case(0);
    plain
        .apply(&EventBody::SupplementRequested { items: vec!["近三个月工资流水".into()], note: String::new() })
        .unwrap();
    let raw = squeeze(&raw_text(&write("notice", "supplement-no-note.pdf", &render(&plain).unwrap())));
    assert!(!raw.contains("办理地说明"), "{raw}");
}

#[test]
fn a_complete_case_has_nothing_to_notify() {
    let case = case(0);
    assert!(case.intake.form.is_complete());
    let err = render(&case).unwrap_err();
    assert_eq!(err.code(), "nothing_to_notify");
    assert_eq!(
        err.to_string(),
        format!("办件{}的材料齐全，没有需要补正的内容，无需出具一次性告知书", case.intake.number)
    );
}

#[test]
fn a_long_list_continues_with_the_header_repeated_and_pages_counted() {
    let mut form = sample_form(0);
    form.materials = (1..=40).map(|k| material(k, false)).collect();
    let case = case_from(form, 7);
    let pdf = render(&case).unwrap();
    let path = write("notice", "forty.pdf", &pdf);
    let pages: Vec<String> = raw_pages(&path).iter().map(|p| squeeze(p)).collect();
    // Two copies of the same length, each counting its own pages.
    assert!(pages.len() >= 4 && pages.len().is_multiple_of(2), "{} pages", pages.len());
    let n = pages.len() / 2;
    for (copy, (ordinal, name)) in [("第一联", "存档联"), ("第二联", "申请人联")].into_iter().enumerate() {
        let own = &pages[copy * n..(copy + 1) * n];
        for (i, page) in own.iter().enumerate() {
            assert!(page.contains(&format!("{name}第{}页共{n}页", i + 1)), "{name} page {}: {page}", i + 1);
            assert!(page.contains(&format!("{ordinal}{name}")), "{name} page {}: {page}", i + 1);
            assert!(page.contains(case.intake.number.as_str()));
        }
        let all = own.concat();
        for k in 1..=40 {
            let material = squeeze(&material(k, false).name);
            assert_eq!(all.matches(&material).count(), 1, "{name}: {material}");
        }
        assert!(own[1].contains("一次性告知书（续）") && own[1].contains("序号材料名称问题应当符合的要求"));
        assert!(own[n - 1].contains("受理人签字"), "signatures on the last page of the {name}");
    }
    assert!(pages[n - 1].contains("申请人签收"), "the applicant signs the 存档联");
}

#[test]
fn the_notice_prints_in_two_copies_the_applicant_signs_the_archive_one() {
    let case = case(5);
    let pdf = render(&case).unwrap();
    let path = write("notice", "copies.pdf", &pdf);
    let pages: Vec<String> = raw_pages(&path).iter().map(|p| squeeze(p)).collect();
    assert_eq!(pages.len(), 2, "one page per copy");
    let (archive, applicant) = (&pages[0], &pages[1]);
    assert!(archive.contains("第一联存档联") && archive.contains("存档联第1页共1页"), "{archive}");
    assert!(applicant.contains("第二联申请人联") && applicant.contains("申请人联第1页共1页"), "{applicant}");
    // Each copy tells everything: what is missing, the law, the date, where to go.
    let missing = case.intake.form.missing_materials().next().unwrap().name.clone();
    for page in [archive, applicant] {
        for e in [
            format!("编号：{}", case.intake.number),
            format!("1{missing}未提交"),
            "请于2026年3月16日前".into(),
            "补正地点：".into(),
            "受理人：张敏".into(),
            "（受理窗口盖章）".into(),
        ] {
            assert!(page.contains(&squeeze(&e)), "missing {e}\n{page}");
        }
    }
    assert!(archive.contains("申请人签收："), "{archive}");
    assert!(!applicant.contains("签收"), "{applicant}");
    assert!(applicant.contains("本联交申请人留存，补正时请携带本告知书。"), "{applicant}");
    assert!(!archive.contains("代办人"), "no agent, no agent line: {archive}");
}

#[test]
fn the_notice_names_the_agent_with_the_id_masked() {
    // Sample 37: a 帮办代办 helper (37 % 5 == 2) and a material missing (37 % 8 == 5).
    let case = case(37);
    let agent = case.intake.form.agent.clone().expect("an agent");
    let pdf = render(&case).unwrap();
    let path = write("notice", "agent.pdf", &pdf);
    let pages: Vec<String> = raw_pages(&path).iter().map(|p| squeeze(p)).collect();
    assert_eq!(pages.len(), 2);
    let masked = tongban_core::applicant::mask_id_number(&agent.id_number);
    assert_ne!(masked, agent.id_number);
    let line = format!("代办人：{}（帮办代办）证件号码：{masked}联系电话：{}", agent.name, agent.phone);
    for page in &pages {
        assert!(page.contains(&squeeze(&line)), "missing {line}\n{page}");
        assert!(!page.contains(&agent.id_number), "the agent's full number is not printed: {page}");
    }
    assert!(pages[0].contains("申请人（代办人）签收："), "{}", pages[0]);
}

#[test]
fn a_hall_text_with_a_character_the_font_lacks_is_reported_by_its_setting_name() {
    let mut hall = hall();
    hall.address = "新野县书院路\u{E000}号".into();
    let err = render_with(&case(5), &hall).unwrap_err();
    assert!(err.to_string().starts_with("服务中心地址中的「\u{E000}」（U+E000）"), "{err}");
}
