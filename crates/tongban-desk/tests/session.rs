//! The window's accounts: first run, login, lock, and every event and print carrying the
//! logged-in user.

use tongban_core::catalog::Provided;
use tongban_desk::demo::DEMO_PASSWORD;
use tongban_desk::{AfterPrint, CaseQuery, Desk, DeskSetupForm, FormKind, NewAccount};
use tongban_fixtures::{catalog_draft, zhou_guilan};
use tongban_store::Store;

fn demo_window() -> (tempfile::TempDir, std::path::PathBuf, Desk) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 0).unwrap();
    let desk = Desk::open_window(&db).unwrap();
    (dir, db, desk)
}

fn intake(desk: &Desk) -> Result<tongban_desk::TakenIn, tongban_desk::AppError> {
    let item = desk.item_choices()?.into_iter().find(|c| !c.bundle).unwrap();
    let id_card = Provided { name: "居民身份证".into(), received: true, ..Provided::default() };
    desk.take_in(&catalog_draft("110106", &item.code, zhou_guilan(), vec![id_card]))
}

fn query() -> CaseQuery {
    CaseQuery { page: 1, page_size: 20, ..CaseQuery::default() }
}

#[test]
fn nobody_logged_in_sees_no_cases_and_writes_nothing() {
    let (_dir, _db, desk) = demo_window();
    assert!(desk.session().is_none());
    assert_eq!(desk.list_cases(&query()).unwrap_err().code, "not_logged_in");
    assert_eq!(intake(&desk).unwrap_err().code, "not_logged_in");
    assert_eq!(desk.print_ledger(&Default::default(), AfterPrint::Save).unwrap_err().code, "not_logged_in");
    assert_eq!(desk.info().unwrap().case_count, 0);
}

#[test]
fn a_wrong_password_is_refused_and_the_right_one_opens_a_session_with_the_roles_rights() {
    let (_dir, _db, desk) = demo_window();
    let wrong = desk.log_in("zhangmin", "not-the-password").unwrap_err();
    assert_eq!((wrong.code.as_str(), wrong.message.as_str()), ("bad_login", "用户名或密码错误"));
    assert_eq!(desk.log_in("nobody", DEMO_PASSWORD).unwrap_err().message, "用户名或密码错误");
    assert!(desk.session().is_none());

    let clerk = desk.log_in("zhangmin", DEMO_PASSWORD).unwrap();
    assert_eq!((clerk.display_name.as_str(), clerk.role_label.as_str()), ("张敏", "窗口受理"));
    assert!(clerk.can_take_in && !clerk.can_decide && !clerk.can_supervise && !clerk.can_administer);
    assert_eq!(desk.accounts().unwrap_err().code, "not_permitted");

    let supervisor = desk.log_in("liqiang", DEMO_PASSWORD).unwrap();
    assert!(supervisor.can_supervise && !supervisor.can_take_in);
    let refused = intake(&desk).unwrap_err();
    assert_eq!(refused.code, "not_permitted");
    assert_eq!(refused.message, "李强（督查）没有收件的权限");
    assert!(desk.list_cases(&query()).is_ok(), "a supervisor reads the queue");
}

#[test]
fn events_and_prints_carry_the_logged_in_user() {
    let (_dir, db, desk) = demo_window();
    desk.log_in("wangfang", DEMO_PASSWORD).unwrap();
    let taken = intake(&desk).unwrap();
    desk.print_case_form(FormKind::Notice, &taken.number, AfterPrint::Save).unwrap();
    desk.log_out();
    assert_eq!(
        desk.print_case_form(FormKind::Notice, &taken.number, AfterPrint::Save).unwrap_err().code,
        "not_logged_in"
    );

    desk.log_in("zhangmin", DEMO_PASSWORD).unwrap();
    desk.print_case_form(FormKind::Notice, &taken.number, AfterPrint::Save).unwrap();

    let store = tongban_desk::demo::open(&db).unwrap();
    let case = store.case_by_number(&taken.number).unwrap();
    let events = store.events_of(case.id).unwrap();
    assert_eq!(events[0].event.author.user, "wangfang");
    let prints = store.recent_prints(10).unwrap();
    let users: Vec<&str> = prints.iter().map(|p| p.user.as_str()).collect();
    assert_eq!(users, ["zhangmin", "wangfang"], "newest first");
    let rows = desk.list_cases(&query()).unwrap().rows;
    assert_eq!(rows[0].clerk_name, "王芳");
}

#[test]
fn a_locked_window_writes_nothing_until_its_user_gives_the_password() {
    let (_dir, _db, desk) = demo_window();
    desk.log_in("zhangmin", DEMO_PASSWORD).unwrap();
    assert!(desk.lock().unwrap().locked);
    assert_eq!(intake(&desk).unwrap_err().code, "session_locked");
    assert_eq!(desk.list_cases(&query()).unwrap_err().code, "session_locked");
    assert_eq!(desk.unlock("wrong-password").unwrap_err().message, "用户名或密码错误");
    assert!(desk.session().unwrap().locked);
    let unlocked = desk.unlock(DEMO_PASSWORD).unwrap();
    assert!(!unlocked.locked && unlocked.login == "zhangmin");
    intake(&desk).unwrap();
}

#[test]
fn the_admin_adds_resets_and_disables_users() {
    let (_dir, _db, desk) = demo_window();
    desk.log_in("wangfang", DEMO_PASSWORD).unwrap();
    let new = NewAccount {
        login: "zhaolei".into(),
        display_name: "赵磊".into(),
        role: "back_office".into(),
        password: "赵磊的密码123".into(),
        password_again: "赵磊的密码124".into(),
    };
    let mismatch = desk.add_account(&new).unwrap_err();
    assert_eq!(mismatch.field.as_deref(), Some("password_again"));
    let short =
        desk.add_account(&NewAccount { password: "short".into(), password_again: "short".into(), ..new.clone() });
    assert_eq!(short.unwrap_err().field.as_deref(), Some("password"));
    let accounts = desk.add_account(&NewAccount { password_again: new.password.clone(), ..new.clone() }).unwrap();
    let added = accounts.iter().find(|a| a.login == "zhaolei").unwrap();
    assert_eq!(added.role_label, "后台审批");

    desk.reset_password("zhaolei", "新密码abcdef", "新密码abcdef").unwrap();
    assert_eq!(desk.disable_account("wangfang").unwrap_err().code, "not_permitted");
    let accounts = desk.disable_account("zhaolei").unwrap();
    assert!(accounts.iter().any(|a| a.login == "zhaolei" && a.disabled));
    assert_eq!(desk.log_in("zhaolei", "新密码abcdef").unwrap_err().code, "user_disabled");
}

#[test]
fn a_user_changes_their_own_password_after_giving_the_current_one() {
    let (_dir, _db, desk) = demo_window();
    desk.log_in("zhangmin", DEMO_PASSWORD).unwrap();
    let wrong = desk.change_password("wrong-password", "张敏新密码888", "张敏新密码888").unwrap_err();
    assert_eq!(wrong.field.as_deref(), Some("current"));
    desk.change_password(DEMO_PASSWORD, "张敏新密码888", "张敏新密码888").unwrap();
    desk.log_out();
    assert_eq!(desk.log_in("zhangmin", DEMO_PASSWORD).unwrap_err().code, "bad_login");
    desk.log_in("zhangmin", "张敏新密码888").unwrap();
}

fn setup_form() -> DeskSetupForm {
    DeskSetupForm {
        region: "411329".into(),
        hall: "新野县政务服务中心".into(),
        window_name: "跨省通办专窗".into(),
        desk_code: "B2".into(),
        address: "新野县书院路1号".into(),
        phone: "0377-66012345".into(),
        office_hours: String::new(),
        admin_login: "admin".into(),
        admin_name: "王管理".into(),
        password: "管理员密码2026".into(),
        password_again: "管理员密码2026".into(),
    }
}

#[test]
fn the_first_run_sets_the_desk_up_with_its_admin_and_hall_texts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("new.db");
    let desk = Desk::open_window(&db).unwrap();
    assert_eq!(desk.info().unwrap_err().code, "desk_not_initialized");

    let cases = [
        (DeskSetupForm { password_again: "别的密码123456".into(), ..setup_form() }, "password_again"),
        (DeskSetupForm { region: "999999".into(), ..setup_form() }, "region"),
        (DeskSetupForm { desk_code: "太长的代码".into(), ..setup_form() }, "desk_code"),
        (DeskSetupForm { hall: " ".into(), ..setup_form() }, "hall"),
        (DeskSetupForm { admin_name: "".into(), ..setup_form() }, "admin_name"),
        (DeskSetupForm { password: "short".into(), password_again: "short".into(), ..setup_form() }, "password"),
    ];
    for (form, field) in cases {
        let e = desk.set_up(&form).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
        assert_eq!(desk.info().unwrap_err().code, "desk_not_initialized", "a refused form writes nothing");
    }

    let info = desk.set_up(&setup_form()).unwrap();
    assert_eq!((info.region_name.as_str(), info.desk_code.as_str()), ("河南省南阳市新野县", "B2"));
    assert!(desk.session().is_none(), "the login screen comes next");
    assert!(desk.login_info().unwrap().demo.is_none(), "only the demo desk shows its password");
    let admin = desk.log_in("admin", "管理员密码2026").unwrap();
    assert!(admin.can_administer);
    let texts = Store::unlock(&db, "admin", "管理员密码2026", chrono::Utc::now()).unwrap().hall_texts().unwrap();
    assert_eq!((texts.address.as_str(), texts.phone.as_str()), ("新野县书院路1号", "0377-66012345"));
    assert_eq!(desk.set_up(&setup_form()).unwrap_err().code, "desk_already_initialized");
}

#[test]
fn the_demo_desk_shows_its_accounts_and_the_region_search_gives_full_names() {
    let (_dir, _db, desk) = demo_window();
    let info = desk.login_info().unwrap();
    assert_eq!(info.idle_lock_minutes, 10);
    let demo = info.demo.unwrap();
    assert_eq!(demo.password, DEMO_PASSWORD);
    let roles: Vec<&str> = demo.accounts.iter().map(|a| a.role.as_str()).collect();
    assert!(["clerk", "supervisor", "admin"].iter().all(|r| roles.contains(r)), "{roles:?}");
    let found = Desk::regions("新野");
    assert_eq!(found[0].code, "411329");
    assert_eq!(found[0].name, "河南省南阳市新野县");
}

#[test]
fn the_first_run_restores_a_backup_after_checking_it_and_then_asks_for_a_login() {
    let (dir, db, _desk) = demo_window();
    {
        let mut store = Store::unlock(&db, "wangfang", DEMO_PASSWORD, chrono::Utc::now()).unwrap();
        tongban_desk::demo::install_sample_catalog(&mut store).unwrap();
    }
    let mut store = Store::unlock(&db, "wangfang", DEMO_PASSWORD, chrono::Utc::now()).unwrap();
    let taken = store.back_up(&dir.path().join("stick"), 3, chrono::Utc::now(), |_| {}).unwrap();
    drop(store);

    let new_pc = dir.path().join("新电脑").join("desk.db");
    let desk = Desk::open_window(&new_pc).unwrap();
    assert_eq!(desk.info().unwrap_err().code, "desk_not_initialized");
    let form = |from: &str, login: &str, password: &str, key: &str| tongban_desk::RestoreForm {
        from: from.into(),
        login: login.into(),
        password: password.into(),
        recovery_key: key.into(),
    };
    let from = taken.path.to_str().unwrap();
    let refused = [
        (form("", "wangfang", DEMO_PASSWORD, ""), "备份文件夹"),
        (form(from, "", "", ""), "恢复密钥"),
        (form(from, "wangfang", "不对的密码", ""), "密码"),
        (form(from, "", "", "ABCD-EFGH"), "恢复密钥"),
        (form(dir.path().join("nothing").to_str().unwrap(), "wangfang", DEMO_PASSWORD, ""), "备份"),
    ];
    for (bad, said) in refused {
        let e = desk.restore_here(&bad).unwrap_err();
        assert!(e.message.contains(said), "{said} in {e:?}");
        assert_eq!(desk.info().unwrap_err().code, "desk_not_initialized", "nothing written: {e:?}");
    }

    let done = desk.restore_here(&form(from, "wangfang", DEMO_PASSWORD, "")).unwrap();
    assert!(done.message.starts_with("已恢复受理台到"), "{}", done.message);
    assert!(desk.session().is_none(), "the login screen comes next");
    assert_eq!(desk.info().unwrap().desk_code, "A1");
    desk.log_in("zhangmin", DEMO_PASSWORD).unwrap();
    assert!(!desk.item_choices().unwrap().is_empty(), "the restored desk's catalog");
    // A desk is here now: the window never restores over it.
    assert_eq!(
        desk.restore_here(&form(from, "wangfang", DEMO_PASSWORD, "")).unwrap_err().code,
        "desk_already_initialized"
    );
}
