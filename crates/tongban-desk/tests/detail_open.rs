#![cfg(unix)]

//! Opening what a case keeps, as the detail view does: a scan and a print are copied out of the
//! store beside the database and handed to the viewer, exactly as kept. One test, because it sets
//! the viewer command in the environment every thread of this process would see.

use tongban_desk::{AfterPrint, Desk, FormKind};

#[test]
fn a_kept_scan_and_a_kept_print_open_in_the_viewer_as_they_were_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let cases = tongban_desk::demo::seed(&db, 1).unwrap();
    let desk = Desk::open_as(&db, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).unwrap();
    let opened = dir.path().join("opened.txt");
    let viewer = dir.path().join("viewer.sh");
    std::fs::write(&viewer, format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&viewer, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // SAFETY: this test binary runs only this one test, so no other thread reads the environment.
    unsafe { std::env::set_var(tongban_desk::viewer::VIEWER_ENV, &viewer) };
    let wait_opened = || {
        for _ in 0..50 {
            // The shell creates the file before printf writes it: empty means "not yet".
            if let Ok(path) = std::fs::read_to_string(&opened).map(|p| p.trim().to_string()) {
                if path.is_empty() {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    continue;
                }
                let _ = std::fs::remove_file(&opened);
                return path;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("the viewer was never started");
    };

    let scan = desk.attach_scan("身份证.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).unwrap();
    let path = desk.open_scan(&scan.sha256).unwrap();
    assert_eq!(wait_opened(), path);
    // A plain copy for the viewer, outside the desk's folder (which keeps everything encrypted).
    let view = tongban_desk::viewer::ViewFolder::for_desk(&db);
    assert!(path.starts_with(&view.path().display().to_string()) && path.ends_with("身份证.jpg"), "{path}");
    assert!(!path.starts_with(&dir.path().display().to_string()), "{path}");
    assert_eq!(std::fs::read(&path).unwrap(), [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]);
    assert_eq!(desk.open_scan(&"00".repeat(32)).unwrap_err().code, "missing_blob");

    let number = &cases[0].number;
    let printed = desk.print_case_form(FormKind::Receipt, number, AfterPrint::Save).unwrap();
    let kept = std::fs::read(&printed.path).unwrap();
    std::fs::remove_file(&printed.path).unwrap(); // the clerk deleted the saved copy
    let detail = desk.case_detail(number).unwrap();
    let path = desk.open_print(number, detail.prints[0].id).unwrap();
    assert_eq!(wait_opened(), path);
    assert_eq!(std::fs::read(&path).unwrap(), kept, "the PDF exactly as it was handed out");
    assert_eq!(desk.open_print(number, 9999).unwrap_err().code, "unknown_print");
}
