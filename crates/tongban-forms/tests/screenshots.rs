//! Regenerates the README's pictures of the forms (`docs/screenshots/*.png`, first page at
//! 80 dpi): `cargo test -p tongban-forms --test screenshots -- --ignored`.

mod common;

use std::path::Path;

use chrono::Duration;
use common::*;
use tongban_forms::{Notice, Receipt};

#[test]
#[ignore = "writes docs/screenshots; run by hand after changing a form's layout"]
fn write_screenshots() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&docs).unwrap();
    let hall = hall();
    let receipt_case = case(12);
    let receipt = tongban_forms::receipt(&Receipt {
        case: &receipt_case,
        deadline: Some(day() + Duration::days(21)),
        clerk: "张敏",
        hall: &hall,
        mark: mark(),
    })
    .unwrap();
    let notice_case = case(5);
    let notice = tongban_forms::notice(&Notice {
        case: &notice_case,
        issued_on: day(),
        supplement_by: day() + Duration::days(14),
        clerk: "张敏",
        hall: &hall,
        mark: mark(),
    })
    .unwrap();
    let entries = entries(100);
    let ledger = tongban_forms::ledger(&day_ledger(&entries, &hall)).unwrap();
    for (name, pdf) in [("receipt", receipt), ("notice", notice), ("ledger", ledger)] {
        let path = write("screenshots", &format!("{name}.pdf"), &pdf);
        std::fs::copy(png(&path, 1), docs.join(format!("{name}.png"))).unwrap();
    }
}
