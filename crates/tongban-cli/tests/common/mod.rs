//! What the CLI stories share: running the real `tongban` binary on a database file, and desks
//! set up to talk to a hub (the hub itself is `tongban_tests::hub`).
#![allow(dead_code)] // each test file uses its own part

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

/// The partner desk the CLI stories' hub credential is issued to.
pub const HELPER_DESK: &str = "新野县帮办员";

pub fn init_desk(db: &Path, region: &str, desk_code: &str, role: &str) {
    ok(tongban(
        db,
        &[
            "init",
            "--region",
            region,
            "--hall",
            "政务服务中心",
            "--window",
            "通办窗口",
            "--desk-code",
            desk_code,
            "--login",
            "wang",
            "--name",
            "王晓丽",
            "--role",
            role,
        ],
    ));
}

/// Configures the hub at `port` on the desk: `tongban partner add`.
pub fn partner_add(db: &Path, region: &str, name: &str, port: u16, token: &str) -> String {
    let url = format!("http://127.0.0.1:{port}");
    ok(tongban(db, &["partner", "add", "--region", region, "--name", name, "--hub", &url, "--credential", token]))
}
