//! Regenerates the README's pictures of the forms (`docs/screenshots/*.png`, first page at
//! 80 dpi): `cargo test -p tongban-forms --test screenshots -- --ignored`.

mod common;

use std::path::Path;

use common::*;
use tongban_forms::Notice;

#[test]
#[ignore = "writes docs/screenshots; run by hand after changing a form's layout"]
fn write_screenshots() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    let hall = hall();
    let receipt_case = case(12);
    let receipt = tongban_forms::receipt(&receipt_of(&receipt_case, Some(due(21)), &hall)).unwrap();
    // Sample 37: a material missing and a 帮办代办 helper at the window.
    let notice_case = case(37);
    let notice = tongban_forms::notice(&Notice {
        case: &notice_case,
        issued_on: day(),
        supplement_by: due(14),
        clerk: "张敏",
        hall: &hall,
        mark: mark(),
    })
    .unwrap();
    // A 一件事 of three items (北京市丰台区's 退休一件事), some materials missing.
    let bundle_case = bundle_case();
    let bundle_receipt = tongban_forms::receipt(&receipt_of(&bundle_case, deadline_of(&bundle_case), &hall)).unwrap();
    let bundle_notice = tongban_forms::notice(&Notice {
        case: &bundle_case,
        issued_on: day(),
        supplement_by: due(14),
        clerk: "张敏",
        hall: &hall,
        mark: mark(),
    })
    .unwrap();
    let entries = entries(100);
    let ledger = tongban_forms::ledger(&day_ledger(&entries, &hall)).unwrap();
    for (name, pdf) in [
        ("receipt", receipt),
        ("notice", notice),
        ("ledger", ledger),
        ("receipt-bundle", bundle_receipt),
        ("notice-bundle", bundle_notice),
    ] {
        let path = write("screenshots", &format!("{name}.pdf"), &pdf);
        std::fs::copy(png(&path, 1), docs.join(format!("{name}.png"))).unwrap();
    }
}
