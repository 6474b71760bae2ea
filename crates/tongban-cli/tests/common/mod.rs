//! What the CLI stories share: running the real `tongban` binary on a database file, and desks
//! set up to talk to a hub (the hub itself is `tongban_tests::hub`).
#![allow(dead_code)] // each test file uses its own part

use std::path::Path;
use std::process::{Command, Output};

/// Every test user's password.
pub const PASSWORD: &str = "测试密码2026";

/// Runs `tongban` on `db` as `wang` (the user [`init_desk`] makes), logged in with [`PASSWORD`].
pub fn tongban(db: &Path, args: &[&str]) -> Output {
    tongban_as(db, "wang", args)
}

/// Runs `tongban` as the desk's admin.
pub fn tongban_admin(db: &Path, args: &[&str]) -> Output {
    tongban_as(db, "admin", args)
}

/// Runs `tongban` on `db` as `login`, with [`PASSWORD`] on standard input (`--password-stdin`;
/// `init` reads it as its first user's).
pub fn tongban_as(db: &Path, login: &str, args: &[&str]) -> Output {
    tongban_with_input(db, login, args, &format!("{PASSWORD}\n"))
}

/// Runs `tongban` as `login` with `input` on standard input (the login's password first).
pub fn tongban_with_input(db: &Path, login: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .arg("--db")
        .arg(db)
        .args(["--user", login, "--password-stdin"])
        .args(args)
        .env_remove("TONGBAN_DB")
        .env_remove("TONGBAN_USER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tongban runs");
    // A command that reads no password closes its end early; that is fine.
    let _ = child.stdin.take().expect("stdin").write_all(input.as_bytes());
    child.wait_with_output().expect("tongban ends")
}

/// The desk's database, opened as `wang` would log in.
pub fn open_store(db: &Path) -> tongban_store::Store {
    tongban_store::Store::unlock(db, "wang", PASSWORD, chrono::Utc::now()).expect("the desk opens with wang's password")
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

/// Sets a desk up with its admin (`admin`, 管理员) and `login` (`name`) in `role`, both with
/// [`PASSWORD`].
pub fn init_desk_with(db: &Path, region: &str, desk_code: &str, login: &str, name: &str, role: &str) {
    init_hall_desk(db, region, "政务服务中心", "通办窗口", desk_code, (login, name, role));
}

/// [`init_desk_with`] for the hall `hall` and its window `window`.
pub fn init_hall_desk(db: &Path, region: &str, hall: &str, window: &str, desk_code: &str, user: (&str, &str, &str)) {
    let (login, name, role) = user;
    ok(tongban_as(
        db,
        "admin",
        &[
            "init",
            "--region",
            region,
            "--hall",
            hall,
            "--window",
            window,
            "--desk-code",
            desk_code,
            "--login",
            "admin",
            "--name",
            "管理员",
        ],
    ));
    let input = format!("{PASSWORD}\n{PASSWORD}\n");
    ok(tongban_with_input(db, "admin", &["user", "add", login, "--name", name, "--role", role], &input));
}

/// [`init_desk_with`] for 王晓丽 (`wang`), whom [`tongban`] acts as.
pub fn init_desk(db: &Path, region: &str, desk_code: &str, role: &str) {
    init_desk_with(db, region, desk_code, "wang", "王晓丽", role);
}

/// Configures the hub at `port` on the desk: `tongban partner add`.
pub fn partner_add(db: &Path, region: &str, name: &str, port: u16, token: &str) -> String {
    let url = format!("http://127.0.0.1:{port}");
    ok(tongban_admin(db, &["partner", "add", "--region", region, "--name", name, "--hub", &url, "--credential", token]))
}
