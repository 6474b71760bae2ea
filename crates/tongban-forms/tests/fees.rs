//! 收费 and 决定机构 on the printed forms, read back with poppler: the item's fee with its basis on
//! the 收件登记表, each item's of a 一件事, none for a case taken in before fees were carried; the
//! 决定机构 on the receipt and the 一次性告知书 when another authority than the 办理部门 decides.

mod common;

use common::*;
use tongban_core::case::CaseState;
use tongban_core::guide::parse_fee;
use tongban_forms::Notice;

fn receipt_text(case: &CaseState, name: &str) -> String {
    let hall = hall();
    let pdf = tongban_forms::receipt(&receipt_of(case, deadline_of(case), &hall)).unwrap();
    let path = write(name, "receipt.pdf", &pdf);
    squeeze(&raw_text(&path))
}

fn notice_text(case: &CaseState, name: &str) -> String {
    let hall = hall();
    let pdf = tongban_forms::notice(&Notice {
        case,
        issued_on: day(),
        supplement_by: due(14),
        clerk: "张敏",
        hall: &hall,
        mark: mark(),
    })
    .unwrap();
    let path = write(name, "notice.pdf", &pdf);
    squeeze(&raw_text(&path))
}

const BASIS: &str = "《国家发展改革委财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）";

#[test]
fn the_receipt_prints_the_fee_with_its_basis_and_the_deciding_authority_on_both_copies() {
    let mut form = retirement_form("110106-SB-0101");
    form.item.fee = Some(parse_fee("住宅类每件80元，非住宅类每件550元").unwrap());
    form.item.fee_basis = BASIS.into();
    form.item.decided_by = "北京市丰台区人民政府".into();
    let case = case_from(form, 41);
    let text = receipt_text(&case, "fees-receipt");
    let fee = format!("收费住宅类每件80元；非住宅类每件550元（收费依据：{BASIS}）");
    assert_eq!(text.matches(&fee).count(), 2, "存档联 and 申请人联: {text}");
    assert_eq!(text.matches("决定机构北京市丰台区人民政府").count(), 2, "{text}");

    let notice = notice_text(&case, "fees-notice");
    assert!(notice.contains("；决定机构：北京市丰台区人民政府）"), "{notice}");
}

#[test]
fn a_free_item_prints_free_and_a_case_of_before_prints_no_fee_at_all() {
    let free = case_from(retirement_form("110106-SB-0101"), 42);
    let text = receipt_text(&free, "fees-free");
    assert!(text.contains("收费不收费"), "{text}");
    assert!(!text.contains("决定机构"), "the department decides: {text}");

    let mut form = retirement_form("110106-SB-0101");
    form.item.fee = None;
    let before = case_from(form, 43);
    let text = receipt_text(&before, "fees-before");
    assert!(!text.contains("收费"), "a case that does not say is not said to be free: {text}");
}

#[test]
fn a_bundle_prints_each_items_fee() {
    let mut case = bundle_case();
    case.intake.form.bundle_items[1].fee = Some(parse_fee("工本费20元").unwrap());
    let text = receipt_text(&case, "fees-bundle");
    // By their numbers in the bundle's table above, so no item's name prints twice a copy.
    assert_eq!(text.matches("收费事项1：不收费；事项2：工本费20元；事项3：不收费").count(), 2, "{text}");
    // All alike: said once.
    let text = receipt_text(&bundle_case(), "fees-bundle-free");
    assert_eq!(text.matches("收费不收费").count(), 2, "{text}");
}
