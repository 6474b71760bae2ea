//! `tongban init --password-stdin` and `tongban user …`: accounts set up by a script.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{ok, stderr, tongban};

/// Runs `tongban` with `input` on its standard input.
fn tongban_with_stdin(db: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("TONGBAN_DB")
        .env_remove("TONGBAN_USER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tongban runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("tongban ends")
}

fn can_log_in(db: &Path, login: &str, password: &str) -> bool {
    tongban_store::Store::open(db).unwrap().verify_login(login, password, chrono::Utc::now()).is_ok()
}

#[test]
fn a_script_sets_up_the_desk_and_its_users_with_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let init = [
        "init",
        "--region",
        "411329",
        "--hall",
        "新野县政务服务中心",
        "--window",
        "跨省通办专窗",
        "--desk-code",
        "A1",
        "--login",
        "admin",
        "--name",
        "王芳",
        "--password-stdin",
    ];
    let short = tongban_with_stdin(&db, &init, "short\n");
    assert!(!short.status.success());
    assert!(stderr(&short).contains("密码至少需要 8 个字符"), "{}", stderr(&short));
    assert!(ok(tongban_with_stdin(&db, &init, "管理员密码2026\n")).contains("已设置受理台"));
    assert!(can_log_in(&db, "admin", "管理员密码2026"));

    let add = ["user", "add", "zhangmin", "--name", "张敏", "--role", "clerk", "--password-stdin"];
    assert!(ok(tongban_with_stdin(&db, &add, "张敏的密码123\n")).contains("已添加用户 zhangmin（张敏，窗口受理）"));
    let again = tongban_with_stdin(&db, &add, "张敏的密码123\n");
    assert!(stderr(&again).contains("登录名「zhangmin」已被使用"), "{}", stderr(&again));
    let bad_role = tongban_with_stdin(&db, &["user", "add", "li", "--name", "李", "--role", "boss"], "");
    assert!(stderr(&bad_role).contains("不是有效角色"), "{}", stderr(&bad_role));

    let list = ok(tongban(&db, &["user", "list"]));
    assert!(list.contains("zhangmin\t张敏\t窗口受理\t正常"), "{list}");
    assert!(!list.contains("张敏的密码123"), "never in clear");

    ok(tongban_with_stdin(&db, &["user", "passwd", "zhangmin"], "新的密码45678\n"));
    assert!(!can_log_in(&db, "zhangmin", "张敏的密码123"));
    assert!(can_log_in(&db, "zhangmin", "新的密码45678"));

    assert!(ok(tongban(&db, &["user", "disable", "zhangmin"])).contains("已停用用户 zhangmin"));
    assert!(ok(tongban(&db, &["user", "list"])).contains("zhangmin\t张敏\t窗口受理\t已停用"));
    assert!(!can_log_in(&db, "zhangmin", "新的密码45678"));
    let last_admin = tongban(&db, &["user", "disable", "admin"]);
    assert!(stderr(&last_admin).contains("唯一的管理员"), "{}", stderr(&last_admin));
}
