//! What the CLI stories share: running the real `tongban` binary on a database file.
#![allow(dead_code)] // each test file uses its own part

pub mod hub;

use std::path::Path;
use std::process::{Command, Output};

pub fn tongban(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tongban"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TONGBAN_DB")
        .env_remove("TONGBAN_USER")
        .output()
        .expect("tongban runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_string()
}

/// The command succeeded: its output.
pub fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// The PDF's text with all whitespace removed (so wrapped values can be searched).
pub fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect()
}
