#![cfg(windows)]

//! The desk's files on Windows, where a file another program holds open cannot be replaced: the
//! clerk opens a kept print (or a scan) from the case's detail while the PDF reader still shows
//! it from the first time, or prints a new receipt of the same name while the old one is open. Runs on
//! Windows, and under Wine in CI (`./dev test`: `cargo test --target x86_64-pc-windows-gnu`).
//! One test, because it sets the viewer's environment variable for the whole process.

use std::fs;
use std::os::windows::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use tongban_desk::demo::seed;
use tongban_desk::{AfterPrint, Desk, FormKind};

/// What a PDF reader does with the file it shows: open for reading, shared for reading only.
fn reader_shows(path: &Path) -> fs::File {
    const FILE_SHARE_READ: u32 = 1;
    fs::OpenOptions::new().read(true).share_mode(FILE_SHARE_READ).open(path).unwrap()
}

#[test]
fn kept_prints_and_scans_open_again_while_the_reader_still_shows_them() {
    // A hall's desk under a Chinese folder name.
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("新野县受理台");
    fs::create_dir(&folder).unwrap();
    let db = folder.join("受理台.db");
    let cases = seed(&db, 3).unwrap();
    let desk = Desk::open_as(&db, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).unwrap();
    // A viewer that starts and leaves at once (the holding is done by `reader_shows`).
    let viewer = PathBuf::from(std::env::var_os("SystemRoot").expect("SystemRoot")).join(r"system32\hostname.exe");
    // SAFETY: this test binary runs only this one test, so no other thread reads the environment.
    unsafe { std::env::set_var(tongban_desk::viewer::VIEWER_ENV, &viewer) };

    let number = &cases[0].number;
    let printed = desk.print_case_form(FormKind::Receipt, number, AfterPrint::Save).unwrap();
    let receipt = fs::read(&printed.path).unwrap();
    let _reader = reader_shows(Path::new(&printed.path));

    // From the case's detail, the same print again: it is the same file, shown again as it is.
    let print_id = desk.case_detail(number).unwrap().prints[0].id;
    assert_eq!(desk.open_print(number, print_id).unwrap(), printed.path);
    assert_eq!(desk.open_print(number, print_id).unwrap(), printed.path);

    // A receipt printed after 补齐材料 is a new form under the same name as the first one, which
    // the reader still shows: it goes beside it instead of failing.
    let name = Path::new(&printed.path).file_name().unwrap().to_str().unwrap().to_string();
    let completed = tongban_desk::printing::save_pdf(&desk.prints_dir(), &name, b"%PDF-1.7 after completion").unwrap();
    assert_eq!(completed.file_name().unwrap().to_str().unwrap(), name.replace(".pdf", " (2).pdf"));
    assert_eq!(fs::read(&printed.path).unwrap(), receipt, "the open receipt is untouched");

    // A scan, opened twice from the detail while the first copy is open.
    let scan = desk.attach_scan("身份证 正面.png", PNG).unwrap();
    let first = desk.open_scan(&scan.sha256).unwrap();
    let _scan_reader = reader_shows(Path::new(&first));
    assert_eq!(desk.open_scan(&scan.sha256).unwrap(), first);
}

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xC9, 0xFE, 0x92, 0xEF,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];
