//! Taking a case in as the window does: pick an item of the partner's catalog, check typed
//! values as the clerk types them, save, and see what is missing.

use chrono::NaiveDate;
use tongban_core::applicant::{Applicant, IdKind};
use tongban_core::case::{CaseStatus, ELicense, Transfer};
use tongban_core::catalog::{CatalogIntake, Provided};
use tongban_desk::{Desk, FieldKind};
use tongban_fixtures::{catalog_draft, zhou_guilan};

fn demo_desk() -> (tempfile::TempDir, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 0).unwrap();
    let desk = Desk::open_as(&db, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).unwrap();
    (dir, desk)
}

fn draft(item: &str, materials: Vec<Provided>) -> CatalogIntake {
    catalog_draft("110106", item, zhou_guilan(), materials)
}

#[test]
fn the_picker_lists_the_demo_partners_items_and_bundles_with_their_liaisons() {
    let (_dir, desk) = demo_desk();
    let choices = desk.item_choices().unwrap();
    assert_eq!(choices.len(), 30, "28 items and 2 一件事 of 丰台区's sample");
    assert!(choices.iter().all(|c| c.partner == "110106" && c.partner_name == "北京市丰台区"));
    let retire = choices.iter().find(|c| c.name == "退休一件事").unwrap();
    assert!(retire.bundle && retire.domain == "一件事");

    let details = desk.item_details("110106", &retire.code).unwrap();
    assert_eq!(details.offer.bundle_items.len(), 3);
    assert_eq!(details.offer.materials.iter().filter(|m| m.material.name == "社会保障卡").count(), 1);
    assert!(!details.contacts.is_empty(), "the items' liaisons and the region's");
    assert!(details.contacts.iter().any(|c| c.item.is_none()), "the region-wide liaison comes too");

    let unknown = desk.item_details("110106", "NO-SUCH").unwrap_err();
    assert_eq!(unknown.code, "unknown_item");
    assert_eq!(desk.item_details("310101", "X").unwrap_err().code, "no_catalog");
}

#[test]
fn typed_values_are_checked_with_the_stores_own_rules() {
    let ok = Desk::check_field(FieldKind::IdNumber, Some(IdKind::ResidentId), " 11010519491231002x ", day());
    assert_eq!(
        (ok.normalized.as_str(), ok.message, ok.note.as_deref()),
        ("11010519491231002X", None, Some("1949年12月31日出生，女"))
    );
    let bad = Desk::check_field(FieldKind::IdNumber, None, "110105194912310021", day());
    assert_eq!(bad.message.as_deref(), Some("校验码错误：第18位为「1」，按GB 11643应为「X」"));
    assert!(Desk::check_field(FieldKind::Phone, None, "1393770000", day()).message.is_some());
    assert!(Desk::check_field(FieldKind::CreditCode, None, "91350100M000100Y43", day()).message.is_none());
    assert_eq!(
        Desk::check_field(FieldKind::CreditCode, None, "9A350100M000100Y43", day()).message.as_deref(),
        Some("第2位「A」不是有效的机构类别代码：登记管理部门代码9（工商）下只有1（企业）、2（个体工商户）、3（农民专业合作社）")
    );
}

/// Today as the window passes it (a fixed day: tests never read the clock).
fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 6).unwrap()
}

fn with_check(first17: &str) -> String {
    format!("{first17}{}", tongban_core::validate::resident_id_check_digit(first17).unwrap())
}

#[test]
fn a_birth_date_after_today_is_refused_as_of_the_day_the_window_passes() {
    let tomorrow = with_check("11010520261207001");
    let refused = Desk::check_field(FieldKind::IdNumber, Some(IdKind::ResidentId), &tomorrow, day());
    assert_eq!(refused.message.as_deref(), Some("出生日期晚于今天：2026年12月07日出生，今天是2026年12月6日，请核对"));
    assert_eq!(refused.normalized, "");
    // Born today is possible; a day later the same number is fine.
    let today = with_check("11010520261206001");
    assert_eq!(Desk::check_field(FieldKind::IdNumber, None, &today, day()).message, None);
    let later = day().succ_opt().unwrap();
    assert_eq!(Desk::check_field(FieldKind::IdNumber, None, &tomorrow, later).message, None);
}

#[test]
fn an_address_code_missing_from_the_region_list_is_accepted_with_a_note() {
    let old = with_check("11999919800101001");
    let check = Desk::check_field(FieldKind::IdNumber, Some(IdKind::ResidentId), &old, day());
    assert_eq!(check.message, None, "old codes stay on real IDs");
    assert_eq!(check.normalized, old);
    assert_eq!(check.warning.as_deref(), Some("行政区划代码 119999 不在现行代码表中，请核对"));
    // A code in the list has no note; a wrong number has an error and no note.
    assert_eq!(Desk::check_field(FieldKind::IdNumber, None, "11010519491231002X", day()).warning, None);
    let wrong = Desk::check_field(FieldKind::IdNumber, None, &old[..17], day());
    assert!(wrong.message.is_some() && wrong.warning.is_none());
}

#[test]
fn an_intake_is_saved_with_what_is_missing_or_refused_with_the_field_named() {
    let (_dir, desk) = demo_desk();
    let retire = desk.item_choices().unwrap().into_iter().find(|c| c.name == "退休一件事").unwrap();
    let license =
        ELicense {
            kind: String::new(), number: "110105195607120056".into(), issuer: "北京市公安局丰台分局".into()
        };
    let taken = desk
        .take_in(&draft(
            &retire.code,
            vec![
                Provided { name: "居民身份证".into(), e_license: Some(license), ..Provided::default() },
                Provided { name: "社会保障卡".into(), received: true, ..Provided::default() },
            ],
        ))
        .unwrap();
    assert_eq!(taken.status, CaseStatus::AwaitingMaterials);
    assert_eq!(taken.missing, ["基本养老金申领表", "参保人员信息变更表", "离退休证明"]);
    assert!(taken.number.starts_with("411329-"));

    let mut wrong = draft(&retire.code, vec![]);
    if let Applicant::Person(p) = &mut wrong.applicant {
        p.id_number = "110105195607120057".into();
    }
    let e = desk.take_in(&wrong).unwrap_err();
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("invalid_input", Some("applicant.id_number")));
    let e = desk
        .take_in(&draft(&retire.code, vec![Provided { name: "结婚证".into(), ..Provided::default() }]))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("materials[0].name"));
    assert_eq!(desk.info().unwrap().case_count, 1, "nothing saved for a refused intake");
}

#[test]
fn a_waybill_is_checked_and_one_typed_for_two_cases_is_warned_of() {
    let (_dir, desk) = demo_desk();
    let retire = desk.item_choices().unwrap().into_iter().find(|c| c.name == "退休一件事").unwrap();
    let mailed = |waybill: &str| {
        let mut d = draft(&retire.code, vec![]);
        d.transfer = Transfer { network: true, mail: true, waybill: Some(waybill.into()) };
        d
    };
    // A wrong S10 check digit: refused at the field, nothing saved.
    let e = desk.take_in(&mailed("EA123456784CN")).unwrap_err();
    assert_eq!((e.code.as_str(), e.field.as_deref()), ("invalid_input", Some("transfer.waybill")));
    assert!(e.message.contains("第11位应为「5」而不是「4」"), "{}", e.message);
    assert_eq!(desk.info().unwrap().case_count, 0);
    // Right, typed loosely: kept in its normal form, nothing to say.
    let first = desk.take_in(&mailed(" ea123456785cn ")).unwrap();
    assert!(first.warnings.is_empty(), "{:?}", first.warnings);
    // The same package's number for a second case: saved, and warned of with the first case named.
    let second = desk.take_in(&mailed("EA123456785CN")).unwrap();
    assert_eq!(second.warnings.len(), 1, "{:?}", second.warnings);
    assert!(second.warnings[0].contains(&first.number) && second.warnings[0].contains("请核对面单"));
    // A format the desk does not know (顺丰): saved as typed, with a note.
    let sf = desk.take_in(&mailed("SF1402837465920")).unwrap();
    assert!(sf.warnings.iter().any(|w| w.contains("不是本机能核对的格式")), "{:?}", sf.warnings);
    let typed = Desk::check_field(FieldKind::Waybill, None, "EA123456784CN", day());
    assert!(typed.message.unwrap().contains("UPU S10"));
    assert_eq!(Desk::check_field(FieldKind::Waybill, None, "ea123456785cn", day()).normalized, "EA123456785CN");
}
