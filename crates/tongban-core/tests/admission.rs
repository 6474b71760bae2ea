//! What a hub checks before it admits a desk's event, and a desk before it applies a hub's.

use chrono::NaiveDate;
use tongban_core::admission::{check_author, check_intake, check_number, check_renumbering, Renumbering};
use tongban_core::applicant::{Applicant, IdKind, Person};
use tongban_core::case::*;

fn intake() -> Intake {
    Intake {
        number: CaseNumber::parse("411329-20261123-A1-0007").unwrap(),
        receiving_region: "411329".into(),
        window: "新野县政务服务中心跨省通办专窗".into(),
        received_on: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        form: IntakeForm {
            item: ItemRef {
                code: "110106-SB-0001".into(),
                name: "企业职工基本养老保险关系转移接续申请".into(),
                department: "北京市丰台区社会保险事业管理中心".into(),
                promised_days: 15,
                promised_unit: Default::default(),
                kind: None,
                basis: String::new(),
                catalog_version: None,
                decided_by: String::new(),
                fee: None,
                fee_basis: String::new(),
            },
            handling_region: "110106".into(),
            applicant: Applicant::Person(Person {
                name: "王建国".into(),
                id_kind: IdKind::ResidentId,
                id_number: "11010519491231002X".into(),
                phone: "13800138000".into(),
                address: String::new(),
            }),
            agent: None,
            materials: vec![],
            transfer: Transfer { network: true, mail: false, waybill: None },
            delivery: ResultDelivery::AtWindow,
            note: String::new(),
            bundle_items: vec![],
        },
    }
}

fn number(s: &str) -> CaseNumber {
    CaseNumber::parse(s).unwrap()
}

#[test]
fn an_intake_as_a_desk_makes_it_passes_and_each_bad_field_is_named() {
    assert_eq!(check_intake(&intake()), Ok(()));
    let with = |change: &dyn Fn(&mut Intake)| {
        let mut i = intake();
        change(&mut i);
        check_intake(&i).unwrap_err()
    };
    fn person(i: &mut Intake) -> &mut Person {
        match &mut i.form.applicant {
            Applicant::Person(p) => p,
            _ => unreachable!(),
        }
    }
    type Change<'a> = &'a dyn Fn(&mut Intake);
    let cases: [(Change, &str); 7] = [
        (&|i| person(i).name = " ".into(), "applicant.name"),
        (&|i| person(i).id_number = "123".into(), "applicant.id_number"),
        (&|i| person(i).phone = "not a phone".into(), "applicant.phone"),
        (&|i| i.receiving_region = "999999".into(), "receiving_region"),
        (&|i| i.number = serde_json::from_str("\"411329-2026-A1\"").unwrap(), "number"),
        (&|i| i.number = number("110105-20261123-A1-0007"), "number"),
        (&|i| i.window = String::new(), "window"),
    ];
    for (change, field) in cases {
        assert_eq!(with(change).field, field);
    }
    let other_day = with(&|i| i.received_on = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
    assert_eq!(other_day.to_string(), "办件编号：办件编号「411329-20261123-A1-0007」的日期不是受理日期 2026-11-24");
}

#[test]
fn a_number_read_from_the_wire_is_checked_as_written() {
    let padded: CaseNumber = serde_json::from_str("\" 411329-20261123-A1-0007\"").unwrap();
    assert!(check_number(&padded).unwrap_err().message.contains("前后不能有空格"));
    let lower: CaseNumber = serde_json::from_str("\"411329-20261123-a1-0007\"").unwrap();
    assert!(check_number(&lower).is_err());
    assert_eq!(check_number(&number("411329-20261123-A1-0007")).unwrap().desk_code(), "A1");
}

#[test]
fn an_author_needs_a_login_and_a_desk_and_a_name_of_sound_length() {
    let author = |user: &str, desk: &str, name: &str| Author {
        user: user.into(),
        desk: desk.into(),
        region: "411329".into(),
        name: name.into(),
    };
    assert_eq!(check_author(&author("zhangmin", "d1", "张敏")), Ok(()));
    assert_eq!(check_author(&author("zhangmin", "d1", "")), Ok(()), "events from before names travelled");
    assert_eq!(check_author(&author(" ", "d1", "")).unwrap_err().field, "author.user");
    assert_eq!(check_author(&author("z", "", "")).unwrap_err().field, "author.desk");
    assert_eq!(check_author(&author("z", "d1", &"名".repeat(51))).unwrap_err().field, "author.name");
    assert_eq!(check_author(&author("z", "d1", "张\u{7}敏")).unwrap_err().message, "不能含有控制字符");
}

#[test]
fn a_renumbering_moves_from_the_number_now_or_is_already_applied_with_its_intake() {
    let (a1, a3, a4) =
        (number("411329-20261123-A1-0007"), number("411329-20261123-A3-0001"), number("411329-20261123-A3-0002"));
    assert_eq!(check_renumbering(&a1, &a1, &a1, &a3, "411329"), Ok(Renumbering::Moves(a3.clone())));
    // Admitted together with its intake: the case already carries the new number.
    assert_eq!(check_renumbering(&a3, &a1, &a1, &a3, "411329"), Ok(Renumbering::AlreadyApplied));
    // From a number the case no longer has.
    assert_eq!(check_renumbering(&a3, &a1, &a1, &a4, "411329").unwrap_err().field, "from");
    assert_eq!(check_renumbering(&a1, &a1, &a1, &a1, "411329").unwrap_err().message, "新编号与原编号相同");
    let elsewhere = number("110105-20261123-A3-0001");
    assert_eq!(check_renumbering(&a1, &a1, &a1, &elsewhere, "411329").unwrap_err().field, "to");
    let other_day = number("411329-20261124-A3-0001");
    assert!(check_renumbering(&a1, &a1, &a1, &other_day, "411329").unwrap_err().message.contains("日期"));
}
