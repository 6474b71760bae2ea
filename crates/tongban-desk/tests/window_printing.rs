#![cfg(unix)]

//! Printing as the window does it: the PDF saved beside the database, recorded, handed to the
//! viewer or printer; a 补打 saved under its own name; a viewer or printer that fails leaves the
//! PDF saved but records nothing (the form did not go out, so the next print is no 补打), and
//! says why in Chinese. One test, because it sets environment variables
//! (the viewer command, `PATH`) that every thread of this process would see.

use std::path::Path;

use tongban_desk::demo::{seed, DEMO_CLERK};
use tongban_desk::{AfterPrint, Desk, FormKind, LedgerQuery};

fn pdf_text(path: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_window_saves_records_and_hands_on_each_print() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let cases = seed(&db, 3).unwrap();
    let desk = Desk::open_as(&db, tongban_desk::demo::DEMO_CLERK, tongban_desk::demo::DEMO_PASSWORD).unwrap();
    // Plain copies for the viewer go to a folder of the desk's own outside its folder.
    assert_eq!(desk.prints_dir(), tongban_desk::viewer::ViewFolder::for_desk(&db).path());

    // A viewer that writes down what it was asked to open.
    let opened = dir.path().join("opened.txt");
    let viewer = dir.path().join("viewer.sh");
    std::fs::write(&viewer, format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display())).unwrap();
    std::fs::set_permissions(&viewer, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    // SAFETY: this test binary runs only this one test, so no other thread reads the environment.
    unsafe { std::env::set_var(tongban_desk::viewer::VIEWER_ENV, &viewer) };

    let number = &cases[0].number;
    let first = desk.print_case_form(FormKind::Receipt, number, AfterPrint::Open).unwrap();
    assert!(!first.reprint && first.delivered);
    assert_eq!(first.warning, None, "{first:?}");
    let first_path = desk.prints_dir().join(format!("收件登记表-{number}.pdf"));
    assert_eq!(Path::new(&first.path), first_path);
    assert!(first.message.contains("已在查看器中打开") && !first.message.contains(".pdf"), "{}", first.message);
    let text = pdf_text(&first_path);
    assert!(text.contains(number) && text.contains(&cases[0].applicant_name), "{text}");
    assert!(!text.contains("补打"));
    // The viewer is started detached; give it a moment to write.
    for _ in 0..50 {
        // Written, not only created (the shell creates the file before printf writes it).
        if std::fs::read_to_string(&opened).is_ok_and(|p| !p.is_empty()) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(std::fs::read_to_string(&opened).unwrap(), first.path);

    // Again: a 补打 under its own name, so the first (perhaps still open) is not replaced.
    let again = desk.print_case_form(FormKind::Receipt, number, AfterPrint::Save).unwrap();
    assert!(again.reprint);
    assert_ne!(again.path, first.path);
    assert!(again.path.contains("-补打"), "{}", again.path);
    assert!(pdf_text(Path::new(&again.path)).contains("补打"));

    // No viewer: the notice is saved but not recorded, the clerk is told why in Chinese (no
    // launcher's English, no path), and the next print is a first print, not a 补打.
    let second = &cases[1].number;
    unsafe { std::env::set_var(tongban_desk::viewer::VIEWER_ENV, dir.path().join("no-such-viewer")) };
    let failed = desk.print_case_form(FormKind::Receipt, second, AfterPrint::Open).unwrap();
    unsafe { std::env::set_var(tongban_desk::viewer::VIEWER_ENV, &viewer) };
    assert!(!failed.delivered && !failed.reprint, "{failed:?}");
    let why = failed.warning.clone().expect("why it did not print");
    assert!(why.starts_with("收件登记表未打印：找不到设置的 PDF 查看器"), "{why}");
    assert!(why.contains("请安装 PDF 阅读器") && why.contains("不算已打印"), "{why}");
    assert!(!failed.message.contains("已在查看器中打开"), "{}", failed.message);
    assert!(Path::new(&failed.path).is_file(), "the PDF stays saved for whoever fixes the viewer");
    let retried = desk.print_case_form(FormKind::Receipt, second, AfterPrint::Save).unwrap();
    assert!(retried.delivered && !retried.reprint, "{retried:?}");
    assert!(!pdf_text(Path::new(&retried.path)).contains("补打"));

    // No `lp` on PATH: the ledger is saved, not recorded, and the clerk is told why it did not print.
    let empty_bin = dir.path().join("bin");
    std::fs::create_dir(&empty_bin).unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    unsafe { std::env::set_var("PATH", &empty_bin) };
    let today = tongban_desk::printing::beijing(chrono::Utc::now()).date().to_string();
    let query = LedgerQuery { from: today.clone(), clerk: Some(DEMO_CLERK.into()), ..LedgerQuery::default() };
    let ledger = desk.print_ledger(&query, AfterPrint::Printer);
    unsafe { std::env::set_var("PATH", path) };
    let ledger = ledger.unwrap();
    assert!(!ledger.delivered, "{ledger:?}");
    let warning = ledger.warning.clone().expect("no printer command");
    assert!(warning.contains("本机没有打印命令 lp") && !warning.contains(&ledger.path), "{warning}");
    assert!(pdf_text(Path::new(&ledger.path)).contains("跨省通办每日收件台账"));

    // Bad input changes nothing: no file, no record.
    let bad = desk.print_ledger(&LedgerQuery { from: "2026-13-01".into(), ..LedgerQuery::default() }, AfterPrint::Save);
    assert_eq!(bad.unwrap_err().message, "起始日期「2026-13-01」无效，应为 YYYY-MM-DD 格式的日期");
    let unknown = desk.print_case_form(FormKind::Notice, "411329-20260101-A1-9999", AfterPrint::Save).unwrap_err();
    assert_eq!(unknown.code, "unknown_case", "{unknown:?}");
    // The ledger is no case's form: refused by name, nothing saved or recorded.
    let ledger_of_a_case = desk.print_case_form(FormKind::Ledger, number, AfterPrint::Save).unwrap_err();
    assert_eq!(
        (ledger_of_a_case.code.as_str(), ledger_of_a_case.message.as_str()),
        ("invalid_input", "每日台账不属于单个办件，请用台账打印")
    );
    let files = std::fs::read_dir(desk.prints_dir()).unwrap().count();
    // Two receipts of the first case, the second case's receipt (saved twice under one name:
    // the failed try and the first real print) and the ledger.
    assert_eq!(files, 4, "{files} files");
}
