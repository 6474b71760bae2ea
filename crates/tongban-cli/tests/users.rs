//! `tongban init` and `tongban user …`: accounts set up by a script, every command logged in.

mod common;

use std::path::Path;

use common::{ok, stderr, tongban_with_input};

fn can_log_in(db: &Path, login: &str, password: &str) -> bool {
    tongban_store::Store::unlock(db, login, password, chrono::Utc::now()).is_ok()
}

/// The admin's password first (the login), then the command's new password.
fn as_admin(db: &Path, args: &[&str], new_password: &str) -> std::process::Output {
    tongban_with_input(db, "admin", args, &format!("管理员密码2026\n{new_password}\n"))
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
    ];
    let short = tongban_with_input(&db, "admin", &init, "short\n");
    assert!(!short.status.success());
    assert!(stderr(&short).contains("密码至少需要 8 个字符"), "{}", stderr(&short));
    let clerk_first = tongban_with_input(&db, "admin", &[&init[..], &["--role", "clerk"]].concat(), "管理员密码2026\n");
    assert!(stderr(&clerk_first).contains("第一个用户须为管理员"), "{}", stderr(&clerk_first));
    let set_up = ok(tongban_with_input(&db, "admin", &init, "管理员密码2026\n"));
    assert!(set_up.contains("已设置受理台"), "{set_up}");
    assert!(set_up.contains("恢复密钥"), "the recovery key is shown once: {set_up}");
    assert!(can_log_in(&db, "admin", "管理员密码2026"));

    let add = ["user", "add", "zhangmin", "--name", "张敏", "--role", "clerk"];
    assert!(ok(as_admin(&db, &add, "张敏的密码123")).contains("已添加用户 zhangmin（张敏，窗口受理）"));
    let again = as_admin(&db, &add, "张敏的密码123");
    assert!(stderr(&again).contains("登录名「zhangmin」已被使用"), "{}", stderr(&again));
    let bad_role = as_admin(&db, &["user", "add", "li", "--name", "李", "--role", "boss"], "李的密码12345");
    assert!(stderr(&bad_role).contains("不是有效角色"), "{}", stderr(&bad_role));

    let list = ok(as_admin(&db, &["user", "list"], ""));
    assert!(list.contains("zhangmin\t张敏\t窗口受理\t正常"), "{list}");
    assert!(!list.contains("张敏的密码123"), "never in clear");

    // A clerk may not manage users, and may change only their own password.
    let clerk = |args: &[&str], input: &str| tongban_with_input(&db, "zhangmin", args, input);
    let refused = clerk(&["user", "list"], "张敏的密码123\n");
    assert!(stderr(&refused).contains("张敏（窗口受理）没有管理本受理台的权限"), "{}", stderr(&refused));
    let refused = clerk(&["user", "passwd", "admin"], "张敏的密码123\n新的密码45678\n");
    assert!(stderr(&refused).contains("没有管理本受理台的权限"), "{}", stderr(&refused));
    ok(clerk(&["user", "passwd", "zhangmin"], "张敏的密码123\n自己的新密码99\n"));
    assert!(can_log_in(&db, "zhangmin", "自己的新密码99"));

    ok(as_admin(&db, &["user", "passwd", "zhangmin"], "新的密码45678"));
    assert!(!can_log_in(&db, "zhangmin", "自己的新密码99"));
    assert!(can_log_in(&db, "zhangmin", "新的密码45678"));

    assert!(ok(as_admin(&db, &["user", "disable", "zhangmin"], "")).contains("已停用用户 zhangmin"));
    assert!(ok(as_admin(&db, &["user", "list"], "")).contains("zhangmin\t张敏\t窗口受理\t已停用"));
    assert!(!can_log_in(&db, "zhangmin", "新的密码45678"));
    let disabled = clerk(&["case", "list"], "新的密码45678\n");
    assert!(stderr(&disabled).contains("用户「zhangmin」已停用"), "{}", stderr(&disabled));
    let last_admin = as_admin(&db, &["user", "disable", "admin"], "");
    assert!(stderr(&last_admin).contains("不能停用自己的账号"), "{}", stderr(&last_admin));
}
