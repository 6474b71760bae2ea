//! Personal data at rest, as a thief who found the laptop and an insider with `sqlite3` would
//! try it: nothing readable in the desk's files, nothing done without a login, and every change
//! made around the program found by `tongban audit verify` and by the next sync.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::Utc;
use common::{ok, stderr, stdout, tongban_with_input};
use tongban_desk::demo::{DEMO_CLERK, DEMO_PASSWORD};
use tongban_desk::{AfterPrint, Desk, FormKind};
use tongban_store::Store;
use tongban_tests::free_port;
use tongban_tests::hub::{hub_database, HubProcess, FENGTAI};

/// `tongban` on the demo desk as `login` (every demo user has the demo password).
fn demo(db: &Path, login: &str, args: &[&str]) -> Output {
    tongban_with_input(db, login, args, &format!("{DEMO_PASSWORD}\n"))
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn nothing_personal_is_readable_in_the_desks_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let seeded = tongban_desk::demo::seed(&db, 30).unwrap();
    let desk = Desk::open_as(&db, DEMO_CLERK, DEMO_PASSWORD).unwrap();
    // A scan whose bytes carry a name, an ID number and a phone, as a scanned form would.
    let mut scan = vec![0xFF, 0xD8, 0xFF, 0xE0];
    scan.extend("扫描件：欧阳喆 11010519491231002X 13937700001".repeat(300).as_bytes());
    desk.attach_scan("身份证.jpg", &scan).unwrap();
    for case in seeded.iter().take(5) {
        desk.print_case_form(FormKind::Receipt, &case.number, AfterPrint::Save).unwrap();
        desk.case_detail(&case.number).unwrap();
    }
    let out = dir.path().join("登记表.pdf");
    ok(demo(&db, DEMO_CLERK, &["print", "receipt", &seeded[6].number, "--out", out.to_str().unwrap()]));

    let mut needles: Vec<String> = vec!["欧阳喆".into(), "11010519491231002X".into(), "13937700001".into()];
    for (i, case) in seeded.iter().enumerate() {
        let form = tongban_desk::demo::sample_form(i);
        needles.push(case.applicant_name.clone());
        needles.push(form.applicant.id_number().to_string());
        needles.push(form.applicant.phone().to_string());
    }
    needles.retain(|n| !n.is_empty());
    // The desk is still open: its WAL is there with the newest pages.
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    assert!(wal.exists(), "the WAL is part of what is checked");
    let mut checked = vec![db.clone(), wal, tongban_store::keys_path(&db)];
    let blobs = files_under(&dir.path().join("desk.blobs"));
    assert!(blobs.len() >= 6, "the scan and the prints are kept: {blobs:?}");
    checked.extend(blobs.iter().cloned());
    // The demo desk's login screen lists its accounts (only a demo desk's does), so their names
    // are in its key file; a sample applicant may share one (李强). Applicants are what is checked.
    let accounts: Vec<&str> =
        tongban_desk::demo::DEMO_USERS.iter().map(|(_, name, _)| *name).chain(["张敏", "赵敏"]).collect();
    for file in &checked {
        let bytes = std::fs::read(file).unwrap();
        let key_file = file == &tongban_store::keys_path(&db);
        for needle in needles.iter().filter(|n| !(key_file && accounts.contains(&n.as_str()))) {
            assert!(!contains(&bytes, needle.as_bytes()), "「{needle}」 readable in {}", file.display());
        }
    }
    // No kept PDF reads back: pdftotext finds no document in any blob.
    for blob in &blobs {
        let text = std::process::Command::new("pdftotext").arg(blob).arg("-").output().expect("pdftotext");
        assert!(String::from_utf8_lossy(&text.stdout).trim().is_empty(), "{} reads as a PDF", blob.display());
    }
    // The folder beside the database holds no plain copies for the viewer.
    assert!(!dir.path().join("desk.prints").exists() && !dir.path().join("desk.scans").exists());
    drop(desk);

    // A copy of the database alone, opened without a login: encrypted, and it says so.
    let stolen = tempfile::tempdir().unwrap();
    let copy = stolen.path().join("desk.db");
    std::fs::copy(&db, &copy).unwrap();
    let o = common::tongban_with_input(&copy, "", &["case", "list"], "");
    assert!(stderr(&o).contains("数据库已加密，请登录"), "{}", stderr(&o));
    let o = demo(&copy, DEMO_CLERK, &["case", "list"]);
    assert!(stderr(&o).contains("找不到密钥文件"), "{}", stderr(&o));
    let raw = rusqlite::Connection::open(&copy).unwrap();
    assert!(raw.query_row("SELECT count(*) FROM cases", [], |r| r.get::<_, i64>(0)).is_err(), "sqlite3 reads nothing");
}

#[test]
fn the_command_line_logs_in_and_checks_the_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let seeded = tongban_desk::demo::seed(&db, 3).unwrap();
    // --user alone acts for nobody.
    let o = tongban_with_input(&db, DEMO_CLERK, &["case", "list"], "");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("没有给出密码"), "{}", stderr(&o));
    let o = tongban_with_input(&db, "", &["case", "list"], "");
    assert!(stderr(&o).contains("数据库已加密，请登录"), "{}", stderr(&o));
    // A wrong password and an unknown login read the same.
    let wrong = tongban_with_input(&db, DEMO_CLERK, &["case", "list"], "wrong-password\n");
    let unknown = tongban_with_input(&db, "nobody", &["case", "list"], &format!("{DEMO_PASSWORD}\n"));
    assert_eq!(stderr(&wrong), "错误：用户名或密码错误");
    assert_eq!(stderr(&unknown), stderr(&wrong));
    // The role is checked as the window checks it.
    let supervisor = demo(&db, "liqiang", &["case", "decide", &seeded[0].number, "受理"]);
    assert!(stderr(&supervisor).contains("李强（督查）没有作出办理决定的权限"), "{}", stderr(&supervisor));
    let clerk = demo(
        &db,
        DEMO_CLERK,
        &["partner", "add", "--region", FENGTAI, "--name", "丰台", "--hub", "http://127.0.0.1:9", "--credential", "x"],
    );
    assert!(stderr(&clerk).contains("没有管理本受理台的权限"), "{}", stderr(&clerk));
    let audit = demo(&db, DEMO_CLERK, &["audit", "verify"]);
    assert!(stderr(&audit).contains("没有督查的权限"), "{}", stderr(&audit));
    // Every login and the failed ones are in the audit log, the latter without saying who exists.
    let log = ok(demo(&db, "liqiang", &["audit", "list", "--kind", "登录失败"]));
    assert!(log.contains("用户名不存在") && log.contains("密码错误"), "{log}");
    assert!(!log.contains("nobody"), "an unknown login's name is not kept: {log}");
    let logins = ok(demo(&db, "liqiang", &["audit", "list", "--person", "liqiang", "--kind", "login"]));
    assert!(logins.contains("命令行"), "{logins}");
    // A disabled user is refused, also on the command line.
    ok(demo(&db, "wangfang", &["user", "disable", "chenjing"]));
    let disabled = demo(&db, "chenjing", &["case", "list"]);
    assert!(stderr(&disabled).contains("用户「chenjing」已停用"), "{}", stderr(&disabled));
}

/// Opens the desk's database as an insider with the key would, with plain SQL.
fn insider(db: &Path) -> rusqlite::Connection {
    let key = Store::unlock(db, DEMO_CLERK, DEMO_PASSWORD, Utc::now()).unwrap().data_key().clone();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {};", key.sqlcipher_key_pragma())).unwrap();
    conn
}

/// A demo desk in its own folder under `dir` with a few cases and a print, synced once with a hub
/// of its own (which now keeps its chain head; a hub credential is one desk's).
fn synced_desk(dir: &Path, name: &str) -> (PathBuf, HubProcess) {
    let home = dir.join(name);
    std::fs::create_dir_all(&home).unwrap();
    let (hub_db, credential, _) = hub_database(&home, "新野县跨省通办专窗", "A1");
    let hub = HubProcess::start(&hub_db, free_port());
    let credential = credential.as_str();
    let db = home.join("desk.db");
    let seeded = tongban_desk::demo::seed(&db, 6).unwrap();
    let add = [
        "partner",
        "add",
        "--region",
        FENGTAI,
        "--name",
        "北京市丰台区",
        "--hub",
        &hub.url(),
        "--credential",
        credential,
    ];
    ok(demo(&db, "wangfang", &add));
    let out = dir.join(name).join("r.pdf");
    ok(demo(&db, DEMO_CLERK, &["print", "receipt", &seeded[0].number, "--out", out.to_str().unwrap()]));
    let synced = sync(&db);
    assert!(synced.status.success(), "{}", stderr(&synced));
    (db, hub)
}

fn sync(db: &Path) -> Output {
    demo(db, DEMO_CLERK, &["sync", "--once"])
}

fn verify(db: &Path) -> Output {
    demo(db, "liqiang", &["audit", "verify"])
}

#[test]
fn tampering_is_found_by_verify_and_by_the_next_sync() {
    let dir = tempfile::tempdir().unwrap();
    let changes: [(&str, &str, &str); 4] = [
        (
            "an applicant renamed in the event",
            "UPDATE events SET body = replace(body, '\"name\":\"', '\"name\":\"假') WHERE seq = (SELECT min(seq) FROM events)",
            "已被改动",
        ),
        ("a partner's decision turned around", "UPDATE events SET body = replace(body, 'accepted', 'refused') WHERE kind = 'accepted'", "已被改动"),
        ("an event's author changed", "UPDATE events SET author = 'liqiang' WHERE seq = (SELECT max(seq) FROM events)", "已被改动"),
        ("a print deleted", "DELETE FROM prints", "打印记录"),
    ];
    for (i, (what, sql, said)) in changes.into_iter().enumerate() {
        let (db, _hub) = synced_desk(dir.path(), &format!("desk{i}"));
        let whole = ok(verify(&db));
        assert!(whole.starts_with("审计链完整") && whole.contains("北京市丰台区的通办中心确认保存到第"), "{whole}");
        let changed = insider(&db).execute(sql, []).unwrap();
        assert!(changed > 0, "{what}: the change applied");
        let o = verify(&db);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", stdout(&o));
        assert!(stderr(&o).contains("审计链已被改动：审计链第") && stderr(&o).contains(said), "{what}: {}", stderr(&o));
        let s = sync(&db);
        assert!(!s.status.success(), "{what}: the sync reports it");
        assert!(stdout(&s).contains("审计链异常"), "{what}: {}", stdout(&s));
    }

    // The chain's last entries deleted, the hub's head among them: the desk alone cannot see the
    // end is missing, the head the hub keeps can.
    let (db, _hub) = synced_desk(dir.path(), "desk-cut");
    let conn = insider(&db);
    let head: i64 = conn.query_row("SELECT max(seq) FROM audit", [], |r| r.get(0)).unwrap();
    conn.execute("DELETE FROM audit WHERE seq > ?1", [head - 3]).unwrap();
    drop(conn);
    let o = verify(&db);
    assert!(stderr(&o).contains("被截断") && stderr(&o).contains("通办中心"), "{}", stderr(&o));
    let s = sync(&db);
    assert!(stdout(&s).contains("审计链异常"), "{}", stdout(&s));
}

#[test]
fn the_recovery_key_gives_the_admin_a_new_password_and_a_wrong_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let sheet = dir.path().join("恢复密钥.pdf");
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
        "--recovery-sheet",
        sheet.to_str().unwrap(),
    ];
    let said = ok(tongban_with_input(&db, "admin", &init, "管理员密码2026\n"));
    let key_line = said.lines().last().unwrap().trim().to_string();
    assert_eq!(key_line.split('-').count(), 11, "{said}");
    let text = tongban_tests::pdf_text(&sheet);
    assert!(text.contains("恢复密钥") && text.contains(&key_line[..5]), "{text}");

    let keys_before = std::fs::read(tongban_store::keys_path(&db)).unwrap();
    let mut wrong = key_line.clone().into_bytes();
    wrong[0] = if wrong[0] == b'A' { b'B' } else { b'A' };
    let o = tongban_with_input(
        &db,
        "",
        &["recover", "admin"],
        &format!("{}\n新密码123456\n", String::from_utf8(wrong).unwrap()),
    );
    assert!(stderr(&o).contains("恢复密钥不正确"), "{}", stderr(&o));
    let other = tongban_store::DataKey::random().recovery_key();
    let o = tongban_with_input(&db, "", &["recover", "admin"], &format!("{}\n新密码123456\n", other.as_str()));
    assert!(stderr(&o).contains("恢复密钥不正确"), "another desk's key: {}", stderr(&o));
    assert_eq!(std::fs::read(tongban_store::keys_path(&db)).unwrap(), keys_before, "nothing written");

    ok(tongban_with_input(&db, "", &["recover", "admin"], &format!("{}\n新密码123456\n", key_line.to_lowercase())));
    assert!(Store::unlock(&db, "admin", "新密码123456", Utc::now()).is_ok());
    assert!(Store::unlock(&db, "admin", "管理员密码2026", Utc::now()).is_err());
    let log = ok(tongban_with_input(&db, "admin", &["audit", "list", "--kind", "recovery"], "新密码123456\n"));
    assert!(log.contains("用恢复密钥为管理员「admin」设置新密码"), "{log}");

    // The key file lost: the recovery key alone brings the desk back.
    std::fs::remove_file(tongban_store::keys_path(&db)).unwrap();
    let o = tongban_with_input(&db, "admin", &["case", "list"], "新密码123456\n");
    assert!(stderr(&o).contains("找不到密钥文件"), "{}", stderr(&o));
    ok(tongban_with_input(&db, "", &["recover", "admin"], &format!("{key_line}\n第三个密码123\n")));
    ok(tongban_with_input(&db, "admin", &["case", "list"], "第三个密码123\n"));
}

#[test]
fn a_damaged_database_or_a_cut_scan_is_named_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 3).unwrap();
    let desk = Desk::open_as(&db, DEMO_CLERK, DEMO_PASSWORD).unwrap();
    let scan = desk.attach_scan("身份证.jpg", &[0xFF, 0xD8, 0xFF, 0xE0, 9, 9, 9]).unwrap();
    drop(desk);
    // A scan file cut short.
    let blob = Store::unlock(&db, DEMO_CLERK, DEMO_PASSWORD, Utc::now()).unwrap().blob_path(&scan.sha256);
    let bytes = std::fs::read(&blob).unwrap();
    std::fs::write(&blob, &bytes[..bytes.len() - 5]).unwrap();
    let desk = Desk::open_as(&db, DEMO_CLERK, DEMO_PASSWORD).unwrap();
    let e = desk.open_scan(&scan.sha256).unwrap_err();
    assert!(e.message.contains("文件不完整或已损坏"), "{}", e.message);
    drop(desk);
    // Every page but the first overwritten (a disk that failed).
    let mut damaged = std::fs::read(&db).unwrap();
    damaged[4096..].fill(0x55);
    std::fs::write(&db, &damaged).unwrap();
    let _ = std::fs::remove_file(format!("{}-wal", db.display()));
    let o = demo(&db, DEMO_CLERK, &["case", "list"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已损坏"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&db).unwrap(), damaged, "nothing overwritten");
}
