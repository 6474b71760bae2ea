//! Backup and restore, as a hall's admin lives them: a backup to a USB stick while the desk works,
//! the old PC's disk dead, the desk restored on a new PC from a backup the hubs have long moved
//! past; and the bad days: a full, write-protected or pulled stick, a damaged or foreign backup, a
//! wrong password. Real files, the real `tongban` binary, a real hub on loopback.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{
    init_desk, ok, open_store, partner_add, stderr, stdout, tongban, tongban_admin, tongban_with_input, PASSWORD,
};
use rusqlite::types::Value;
use tongban_store::{BackupProgress, Store};
use tongban_tests::free_port;
use tongban_tests::hub::{hub_database, HubProcess, FENGTAI, XINYE};

/// A desk with `n` cases for 丰台区, each with a scan, one receipt printed (its PDF kept), a hall
/// setting changed: (its database).
fn desk_with_cases(dir: &Path, n: usize) -> PathBuf {
    let db = dir.join("desk.db");
    init_desk(&db, XINYE, "H1", "helper");
    add_cases(&db, n, 0);
    ok(tongban_admin(&db, &["settings", "set", "hall.phone", "0377-66012345"]));
    let first = open_store(&db).list_cases(&Default::default(), 1, 1).unwrap().rows[0].number.clone();
    let pdf = dir.join("登记表.pdf");
    ok(tongban(&db, &["print", "receipt", &first, "--out", pdf.to_str().unwrap()]));
    db
}

/// Takes `n` more cases in on `db`, each with its own scan.
fn add_cases(db: &Path, n: usize, from: usize) {
    let mut store = open_store(db);
    for i in from..from + n {
        let scan = format!("第{i}件的身份证扫描件").repeat(200);
        let sha = store.put_blob(scan.as_bytes(), "image/jpeg", "身份证.jpg", Utc::now()).unwrap().sha256;
        let mut form = tongban_desk::demo::sample_form(i % 3); // the three items 丰台区 handles
        form.materials[0].scans = vec![sha];
        store.create_case(&form, "wang", Utc::now()).unwrap();
    }
}

/// The one backup folder in `target`.
fn only_backup(target: &Path) -> PathBuf {
    let found = backups_in(target);
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().unwrap()
}

fn backups_in(target: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> =
        std::fs::read_dir(target).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    found.sort();
    found
}

/// Every table of a desk database, row by row in rowid order (keyed by the desk's data key).
fn tables(db: &Path, store: &Store) -> BTreeMap<String, Vec<Vec<Value>>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {};", store.data_key().sqlcipher_key_pragma())).unwrap();
    let names: Vec<String> = {
        let mut stmt = conn.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect()
    };
    let mut out = BTreeMap::new();
    for name in names {
        let without_rowid: bool = conn
            .query_row("SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_schema WHERE name = ?1", [&name], |r| r.get(0))
            .unwrap();
        let order = if without_rowid { "1" } else { "rowid" };
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{name}\" ORDER BY {order}")).unwrap();
        let width = stmt.column_count();
        let mut rows: Vec<Vec<Value>> = stmt
            .query_map([], |r| (0..width).map(|i| r.get::<_, Value>(i)).collect())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        if without_rowid {
            rows.sort_by_key(|r| format!("{r:?}"));
        }
        out.insert(name, rows);
    }
    out
}

fn column(db: &Path, store: &Store, table: &str, name: &str) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {};", store.data_key().sqlcipher_key_pragma())).unwrap();
    let stmt = conn.prepare(&format!("SELECT * FROM {table} LIMIT 0")).unwrap();
    stmt.column_index(name).unwrap()
}

/// A restored desk equals its source: every table (the documented differences aside) and every
/// blob, byte for byte and decrypted.
fn assert_restored_equals(source: &Path, restored: &Path, audit_seq_at_backup: i64) {
    let src_store = open_store(source);
    let dst_store = open_store(restored);
    assert!(src_store.data_key() == dst_store.data_key(), "the same desk, the same key");
    let mut src = tables(source, &src_store);
    let mut dst = tables(restored, &dst_store);
    assert_eq!(src.keys().collect::<Vec<_>>(), dst.keys().collect::<Vec<_>>(), "the same tables");

    // The outbox: every event this desk made (and the hubs may want) waits to be sent again.
    let outbox = column(source, &src_store, "events", "outbox");
    let (local, kind) = (column(source, &src_store, "events", "local"), column(source, &src_store, "events", "kind"));
    for row in dst.get_mut("events").unwrap() {
        let own = row[local] == Value::Integer(1) && row[kind] != Value::Text("pushed".into());
        assert_eq!(row[outbox], Value::Integer(i64::from(own)), "{row:?}");
        row[outbox] = Value::Null;
    }
    for row in src.get_mut("events").unwrap() {
        row[outbox] = Value::Null;
    }
    // Settings: the backup's own rows (the last backup on the source, the restore on the copy).
    for rows in [src.get_mut("settings").unwrap(), dst.get_mut("settings").unwrap()] {
        rows.retain(|r| !matches!(&r[0], Value::Text(k) if k.starts_with("backup.")));
    }
    // The audit chain: the same up to the snapshot; then the source noted the backup and the copy
    // its restore.
    let (src_audit, dst_audit) = (src.remove("audit").unwrap(), dst.remove("audit").unwrap());
    let n = audit_seq_at_backup as usize;
    assert_eq!(src_audit[..n], dst_audit[..n]);
    assert_eq!(dst_audit.len(), n + 1, "one entry more: the restore");
    assert!(format!("{:?}", dst_audit[n]).contains("备份恢复"), "{:?}", dst_audit[n]);
    src.remove("hub_blobs");
    assert!(dst.remove("hub_blobs").unwrap_or_default().is_empty(), "which scans a hub holds is asked again");
    for (table, rows) in &src {
        assert_eq!(rows, &dst[table], "table {table}");
    }
    assert!(!src["cases"].is_empty() && !src["prints"].is_empty() && !src["users"].is_empty());

    // Every blob: the same encrypted file, and it decrypts to its hash on the new PC.
    let attachments = &src["attachments"];
    assert!(attachments.len() >= 2, "scans and the kept receipt");
    for row in attachments {
        let Value::Text(sha) = &row[0] else { panic!("{row:?}") };
        assert_eq!(std::fs::read(src_store.blob_path(sha)).unwrap(), std::fs::read(dst_store.blob_path(sha)).unwrap());
        assert_eq!(src_store.read_blob(sha).unwrap(), dst_store.read_blob(sha).unwrap());
    }
}

#[test]
fn a_desk_restored_on_a_new_pc_is_the_same_desk_table_by_table_and_blob_by_blob() {
    let dir = tempfile::tempdir().unwrap();
    let db = desk_with_cases(dir.path(), 12);
    let stick = dir.path().join("U盘");
    let said = ok(tongban_admin(&db, &["backup", "--to", stick.to_str().unwrap()]));
    assert!(said.contains("已备份到") && said.contains("12 件办件") && said.contains("已校验"), "{said}");
    let backup = only_backup(&stick);
    assert!(backup.file_name().unwrap().to_string_lossy().starts_with("tongban-backup-411329-H1-"));

    // Nothing plain on the stick: the database is SQLCipher, the scans encrypted.
    let bytes = std::fs::read(backup.join("desk.db")).unwrap();
    assert_ne!(&bytes[..16], b"SQLite format 3\0");
    assert!(!String::from_utf8_lossy(&bytes).contains("身份证"));
    let verified = ok(tongban_admin(&db, &["backup", "--verify", backup.to_str().unwrap()]));
    assert!(verified.contains("完好"), "{verified}");
    let manifest = tongban_store::Manifest::read(&backup).unwrap();
    assert_eq!(manifest.schema_version, tongban_store::SCHEMA_VERSION);

    // A clerk cannot back up or see the status: an admin's work.
    let refused = tongban(&db, &["backup", "--to", stick.to_str().unwrap()]);
    assert!(!refused.status.success() && stderr(&refused).contains("没有管理本受理台的权限"), "{}", stderr(&refused));

    let new_pc = dir.path().join("新电脑").join("desk.db");
    let said = ok(tongban_admin(&new_pc, &["restore", backup.to_str().unwrap()]));
    assert!(said.contains("已恢复受理台"), "{said}");
    assert_restored_equals(&db, &new_pc, manifest.audit_seq);
    // The same accounts: the clerk logs in with her password and sees her cases.
    let listed = ok(tongban(&new_pc, &["case", "list", "--json"]));
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed["total"], 12);
    ok(tongban_admin(&new_pc, &["audit", "verify"]));
    let leftovers: Vec<_> = backups_in(new_pc.parent().unwrap());
    assert!(
        leftovers.iter().all(|p| !p.to_string_lossy().contains("restoring")),
        "no staging left behind: {leftovers:?}"
    );
}

/// A backup of a desk, made once for the refusal stories: (desk, backup folder).
fn backed_up(dir: &Path) -> (PathBuf, PathBuf) {
    let db = desk_with_cases(dir, 3);
    let stick = dir.join("stick");
    ok(tongban_admin(&db, &["backup", "--to", stick.to_str().unwrap()]));
    (db.clone(), only_backup(&stick))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x55;
    std::fs::write(path, bytes).unwrap();
}

fn edit_manifest(backup: &Path, f: impl FnOnce(&mut serde_json::Value)) {
    let path = backup.join("manifest.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(path, serde_json::to_vec(&v).unwrap()).unwrap();
}

/// Every file and folder in `dir`, for "nothing was touched".
fn everything_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push((p.clone(), Vec::new()));
                out.extend(everything_in(&p));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_damaged_foreign_or_newer_backup_and_a_wrong_password_are_refused_before_anything_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let (db, backup) = backed_up(dir.path());
    let scan = tongban_store::Manifest::read(&backup).unwrap().files.into_iter().find(|f| f.scan.is_some()).unwrap();

    type Damage = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Damage, &str)> = vec![
        ("a flipped byte in the database", Box::new(|b| flip_byte(&b.join("desk.db"), 3000)), "文件「desk.db」已损坏"),
        (
            "a flipped byte in a scan",
            Box::new({
                let p = scan.path.clone();
                move |b| flip_byte(&b.join(&p), 100)
            }),
            "已损坏",
        ),
        (
            "a scan missing",
            Box::new({
                let p = scan.path.clone();
                move |b| std::fs::remove_file(b.join(&p)).unwrap()
            }),
            "缺少文件",
        ),
        (
            "the key file missing",
            Box::new(|b| std::fs::remove_file(b.join("desk.keys")).unwrap()),
            "缺少文件「desk.keys」",
        ),
        ("no manifest", Box::new(|b| std::fs::remove_file(b.join("manifest.json")).unwrap()), "找不到清单文件"),
        (
            "a garbled manifest",
            Box::new(|b| std::fs::write(b.join("manifest.json"), "{\"format\": 1, ").unwrap()),
            "清单文件已损坏",
        ),
        ("a newer format", Box::new(|b| edit_manifest(b, |v| v["format"] = 99.into())), "由较新版本的通办收件台制作"),
        ("a newer schema", Box::new(|b| edit_manifest(b, |v| v["schema_version"] = 99.into())), "数据库版本为 99"),
        ("a manifest edited (counts)", Box::new(|b| edit_manifest(b, |v| v["cases"] = 2.into())), "校验码不符"),
        (
            "a path outside the folder",
            Box::new(|b| edit_manifest(b, |v| v["files"][0]["path"] = "../../etc/passwd".into())),
            "不在备份文件夹内",
        ),
    ];
    for (what, damage, message) in cases {
        let copy = dir.path().join(format!("copy-{}", what.replace(' ', "-")));
        copy_dir(&backup, &copy);
        damage(&copy);
        let new_pc = dir.path().join(format!("pc-{}", what.replace(' ', "-")));
        let out = tongban_admin(&new_pc.join("desk.db"), &["restore", copy.to_str().unwrap()]);
        assert!(!out.status.success(), "{what}: restored anyway");
        let said = stderr(&out);
        assert!(said.contains(message) && said.contains("本机未被改动"), "{what}: {said}");
        assert!(!said.contains("panicked"), "{what}: {said}");
        assert!(everything_in(&new_pc).is_empty(), "{what}: the new PC was touched: {:?}", everything_in(&new_pc));
    }

    // A wrong password, a clerk instead of an admin, another desk's recovery key.
    let new_pc = dir.path().join("pc-login").join("desk.db");
    let wrong = tongban_with_input(&new_pc, "admin", &["restore", backup.to_str().unwrap()], "不是这个密码\n");
    assert!(stderr(&wrong).contains("用户名或密码错误"), "{}", stderr(&wrong));
    let clerk = tongban(&new_pc, &["restore", backup.to_str().unwrap()]);
    assert!(stderr(&clerk).contains("不是管理员"), "{}", stderr(&clerk));
    let other_key = tongban_store::DataKey::random().recovery_key();
    let foreign = tongban_with_input(
        &new_pc,
        "admin",
        &["restore", "--recovery-key", backup.to_str().unwrap()],
        &format!("{}\n", other_key.as_str()),
    );
    assert!(stderr(&foreign).contains("恢复密钥不正确"), "{}", stderr(&foreign));
    assert!(everything_in(new_pc.parent().unwrap()).is_empty());
    // The backup itself was not written to by any of it (a failed login is noted nowhere there).
    tongban_store::Manifest::read(&backup).unwrap().check_files(&backup, |_| {}).unwrap();

    // The right recovery key restores it.
    let key = open_store(&db).data_key().recovery_key();
    let out = tongban_with_input(
        &new_pc,
        "admin",
        &["restore", "--recovery-key", backup.to_str().unwrap()],
        &format!("{}\n", key.as_str()),
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn a_restore_never_overwrites_a_desk_unless_asked_and_then_keeps_the_old_one_aside() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, backup) = backed_up(dir.path());
    let other = dir.path().join("other").join("desk.db");
    init_desk(&other, XINYE, "A9", "clerk");
    let before = everything_in(other.parent().unwrap());
    let refused = tongban_admin(&other, &["restore", backup.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("已有受理台") && stderr(&refused).contains("--replace"), "{}", stderr(&refused));
    assert_eq!(everything_in(other.parent().unwrap()), before, "the desk there is untouched");

    let said = ok(tongban_admin(&other, &["restore", "--replace", backup.to_str().unwrap()]));
    assert!(said.contains("原受理台已移到"), "{said}");
    assert_eq!(open_store(&other).require_desk().unwrap().desk_code.as_str(), "H1");
    let aside: Vec<PathBuf> = backups_in(other.parent().unwrap())
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".replaced-"))
        .collect();
    assert_eq!(aside.len(), 1);
    let kept = aside[0].join("desk.db");
    assert_eq!(open_store(&kept).require_desk().unwrap().desk_code.as_str(), "A9", "the replaced desk is kept whole");
}

/// Mounts a tmpfs of `size` at `at` (`None` where this machine does not let the test mount).
fn mount_tmpfs(at: &Path, size: &str) -> Option<()> {
    std::fs::create_dir_all(at).unwrap();
    let out = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(at)
        .stderr(Stdio::null())
        .status()
        .ok()?;
    out.success().then_some(())
}

struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_read_only_or_pulled_target_fails_in_chinese_and_the_earlier_backups_stay() {
    let dir = tempfile::tempdir().unwrap();
    let db = desk_with_cases(dir.path(), 3);
    let mut store = open_store(&db);
    let t0 = Utc::now();

    // Pulled out midway: the folder being written vanishes while the scans are copied.
    let stick = dir.path().join("stick");
    let first = store.back_up(&stick, 5, t0, |_| {}).unwrap();
    let mut pulled = false;
    let err = store
        .back_up(&stick, 5, t0 + chrono::Duration::seconds(1), |p: BackupProgress| {
            if p.stage == "复制扫描件和打印件" && !pulled {
                pulled = true;
                for e in std::fs::read_dir(&stick).unwrap().flatten() {
                    if e.file_name().to_string_lossy().ends_with(".partial") {
                        std::fs::remove_dir_all(e.path()).unwrap();
                    }
                }
            }
        })
        .unwrap_err();
    assert!(pulled);
    let said = err.to_string();
    assert!(
        said.contains(&format!("备份位置「{}」", stick.display())) && said.contains("原有的备份未被改动"),
        "{said}"
    );
    assert_eq!(backups_in(&stick), std::slice::from_ref(&first.path), "only the earlier backup, nothing half-written");
    tongban_store::verify_backup(&first.path, store.data_key(), |_| {}).unwrap();

    // Keeping the last N: the oldest goes once a newer one checked out.
    let second = store.back_up(&stick, 2, t0 + chrono::Duration::seconds(2), |_| {}).unwrap();
    let third = store.back_up(&stick, 2, t0 + chrono::Duration::seconds(3), |_| {}).unwrap();
    assert_eq!(third.pruned, std::slice::from_ref(&first.path));
    assert_eq!(backups_in(&stick), [second.path.clone(), third.path.clone()]);

    // Read-only (a write-protected stick) and full: real file systems where the test may mount them.
    let usb = dir.path().join("usb");
    if mount_tmpfs(&usb, "4m").is_none() {
        eprintln!("skipped the full and read-only stick: this machine does not let the test mount a tmpfs");
        return;
    }
    let _mounted = Mounted(usb.clone());
    let kept = store.back_up(&usb, 5, t0 + chrono::Duration::seconds(4), |_| {}).unwrap();
    // Full: a large scan that does not fit the stick.
    let big: Vec<u8> = (0..6_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    store.put_blob(&big, "image/tiff", "大图.tif", Utc::now()).unwrap();
    let err = store.back_up(&usb, 5, t0 + chrono::Duration::seconds(5), |_| {}).unwrap_err();
    assert!(err.to_string().contains("空间不足") && err.to_string().contains(&usb.display().to_string()), "{err}");
    assert_eq!(backups_in(&usb), std::slice::from_ref(&kept.path), "nothing half-written left, the earlier one kept");
    tongban_store::verify_backup(&kept.path, store.data_key(), |_| {}).unwrap();

    let remount = Command::new("mount").args(["-o", "remount,ro"]).arg(&usb).status().unwrap();
    assert!(remount.success());
    let err = store.back_up(&usb, 1, t0 + chrono::Duration::seconds(6), |_| {}).unwrap_err();
    assert!(err.to_string().contains("只读") && err.to_string().contains(&usb.display().to_string()), "{err}");
    assert_eq!(backups_in(&usb), std::slice::from_ref(&kept.path));
    // A backup on a write-protected stick still restores (it is opened read-only).
    let new_pc = dir.path().join("pc").join("desk.db");
    let key = tongban_store::RestoreKey::Login { login: "admin", password: PASSWORD };
    tongban_store::restore(&kept.path, &new_pc, key, false, Utc::now(), |_| {}).unwrap();
}

/// (cases, events, distinct event ids) straight from the hub's database.
fn hub_counts(db: &Path) -> (u64, u64, u64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0)).unwrap();
    (
        one("SELECT count(*) FROM cases"),
        one("SELECT count(*) FROM events"),
        one("SELECT count(DISTINCT id) FROM events"),
    )
}

/// A helper desk (H1) set up for the hub at `port`.
fn helper_desk(dir: &Path, port: u16, token: &str) -> PathBuf {
    let db = dir.join("helper.db");
    init_desk(&db, XINYE, "H1", "helper");
    partner_add(&db, FENGTAI, "北京市丰台区", port, token);
    db
}

#[test]
fn an_old_backup_restored_after_the_hub_moved_on_resyncs_without_duplicating_anything() {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, token, _) = hub_database(dir.path(), common::HELPER_DESK, "H1");
    let port = free_port();
    let _hub = HubProcess::start(&hub_db, port);
    let desk = helper_desk(dir.path(), port, &token);
    add_cases(&desk, 3, 0);
    ok(tongban(&desk, &["sync", "--once"]));
    let stick = dir.path().join("stick");
    ok(tongban_admin(&desk, &["backup", "--to", stick.to_str().unwrap()]));
    let old = only_backup(&stick);
    // After the backup the old PC took two more cases in and synced them; then its disk died.
    add_cases(&desk, 2, 3);
    ok(tongban(&desk, &["sync", "--once"]));
    assert_eq!(hub_counts(&hub_db), (5, 5, 5));
    let numbers_before: Vec<String> = {
        let store = open_store(&desk);
        store.list_cases(&Default::default(), 1, 100).unwrap().rows.into_iter().map(|c| c.number).collect()
    };

    let new_pc = dir.path().join("新电脑").join("helper.db");
    let said = ok(tongban_admin(&new_pc, &["restore", old.to_str().unwrap()]));
    assert!(said.contains("3 件办件"), "{said}");
    let out = tongban(&new_pc, &["sync", "--once"]);
    assert!(out.status.success(), "the restored desk syncs: {} {}", stdout(&out), stderr(&out));
    // Nothing twice on the hub; the two cases taken in after the backup are back on the desk.
    assert_eq!(hub_counts(&hub_db), (5, 5, 5), "{}", stdout(&out));
    let store = open_store(&new_pc);
    let mut numbers: Vec<String> =
        store.list_cases(&Default::default(), 1, 100).unwrap().rows.into_iter().map(|c| c.number).collect();
    let mut expected = numbers_before.clone();
    numbers.sort();
    expected.sort();
    assert_eq!(numbers, expected, "every case of the old PC, once");
    assert_eq!(store.outbox_len().unwrap(), 0, "every event the hub held answered as a duplicate");
    assert!(store.quarantined().unwrap().is_empty());
    drop(store);
    // A case taken in now gets the next number, not one the hub already holds.
    add_cases(&new_pc, 1, 5);
    let out = tongban(&new_pc, &["sync", "--once"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hub_counts(&hub_db), (6, 6, 6));
    assert!(open_store(&new_pc).quarantined().unwrap().is_empty());
    // And it goes on syncing: the audit chain's lost tail was explained once, not each round.
    let again = tongban(&new_pc, &["sync", "--once"]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[test]
fn a_backup_taken_while_a_sync_runs_and_is_killed_restores_to_a_consistent_desk() {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, token, _) = hub_database(dir.path(), common::HELPER_DESK, "H1");
    let port = free_port();
    let _hub = HubProcess::start(&hub_db, port);
    let desk = helper_desk(dir.path(), port, &token);
    let n = 200;
    add_cases(&desk, n, 0);
    let mut sync = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .arg("--db")
        .arg(&desk)
        .args(["--user", "wang", "--password-stdin", "sync"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let _ = writeln!(sync.stdin.take().unwrap(), "{PASSWORD}");
    }
    // Once the hub holds something, the sync is under way: back up meanwhile, and kill the sync
    // while the backup copies.
    let started = Instant::now();
    while hub_counts(&hub_db).1 == 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "the sync never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let stick = dir.path().join("stick");
    let mut store = Store::open(&desk, open_store(&desk).data_key()).unwrap();
    let mut killed = false;
    let done = store
        .back_up(&stick, 3, Utc::now(), |p: BackupProgress| {
            if !killed && p.stage == "复制扫描件和打印件" {
                killed = true;
                sync.kill().unwrap();
            }
        })
        .unwrap();
    let _ = sync.kill();
    sync.wait().unwrap();
    drop(store);

    let new_pc = dir.path().join("pc").join("helper.db");
    ok(tongban_admin(&new_pc, &["restore", done.path.to_str().unwrap()]));
    let restored = open_store(&new_pc);
    let conn = rusqlite::Connection::open(&new_pc).unwrap();
    conn.execute_batch(&format!("PRAGMA key = {};", restored.data_key().sqlcipher_key_pragma())).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    assert_eq!(restored.verify_audit(1).unwrap(), None, "the audit chain holds");
    // Every case whole: its intake, its status folding from its events; the outbox only its own.
    let cases = restored.list_cases(&Default::default(), 1, 10_000).unwrap().rows;
    assert_eq!(cases.len(), n);
    for case in &cases {
        let events = restored.events_of(case.id).unwrap();
        assert!(!events.is_empty());
        assert!(events.iter().all(|e| !e.in_outbox || e.local));
    }
    drop((restored, conn));
    // And it syncs to the end with every case on the hub once.
    for _ in 0..5 {
        if tongban(&new_pc, &["sync", "--once"]).status.success() && hub_counts(&hub_db).0 == n as u64 {
            break;
        }
    }
    let (cases, events, ids) = hub_counts(&hub_db);
    assert_eq!((cases, events), (n as u64, ids), "every case once, no event twice");
}

/// The ids of the credentials `tongban-hub credential list` shows for desk code `code`, live ones.
fn live_credential_of(hub_db: &Path, code: &str) -> String {
    let listed = tongban_tests::hub::hub_admin(&["credential", "list", "--db", hub_db.to_str().unwrap()]);
    let line = listed
        .lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .find(|columns| columns.get(2) == Some(&code) && columns.last() == Some(&"有效"))
        .unwrap_or_else(|| panic!("no live credential for {code}:\n{listed}"));
    line[0].to_string()
}

#[test]
fn a_dead_disk_with_no_backup_takes_back_from_the_hub_every_case_it_had_pushed() {
    let dir = tempfile::tempdir().unwrap();
    let (hub_db, token, back_office_token) = hub_database(dir.path(), common::HELPER_DESK, "H1");
    let port = free_port();
    let _hub = HubProcess::start(&hub_db, port);
    let desk = helper_desk(dir.path(), port, &token);
    add_cases(&desk, 3, 0);
    ok(tongban(&desk, &["sync", "--once"]));
    let (first, pushed) = {
        let store = open_store(&desk);
        let rows = store.list_cases(&Default::default(), 1, 100).unwrap().rows;
        let first = rows.iter().map(|c| c.number.clone()).min().unwrap();
        let pushed: BTreeMap<String, String> = rows.into_iter().map(|c| (c.number, c.applicant_name)).collect();
        (first, pushed)
    };
    // The partner accepts the first; the desk mails its originals; both sync.
    let office = dir.path().join("office.db");
    init_desk(&office, FENGTAI, "S1", "back_office");
    partner_add(&office, FENGTAI, "北京市丰台区", port, &back_office_token);
    ok(tongban(&office, &["sync", "--once"]));
    ok(tongban(&office, &["case", "decide", &first, "accept"]));
    ok(tongban(&office, &["sync", "--once"]));
    ok(tongban(&desk, &["case", "mail", &first, "--waybill", "EA123456785CN"]));
    ok(tongban(&desk, &["sync", "--once"]));
    // One more intake never left the PC before its disk died, and nobody had taken a backup.
    add_cases(&desk, 1, 3);
    std::fs::remove_dir_all(desk.parent().unwrap().join("helper.db.blobs")).ok();
    std::fs::remove_file(&desk).unwrap();

    // A new PC set up as the same desk (新野县, H1). The old credential is bound to the dead PC:
    // the hub says so, and says what to do.
    let new_pc = dir.path().join("新电脑").join("helper.db");
    std::fs::create_dir_all(new_pc.parent().unwrap()).unwrap();
    init_desk(&new_pc, XINYE, "H1", "helper");
    partner_add(&new_pc, FENGTAI, "北京市丰台区", port, &token);
    let refused = tongban(&new_pc, &["sync", "--once"]);
    let said = format!("{}{}", stdout(&refused), stderr(&refused));
    assert!(!refused.status.success() && said.contains("重新签发"), "{said}");
    // The hub's admin revokes it and issues the new PC its own for the same desk code.
    let old = live_credential_of(&hub_db, "H1");
    tongban_tests::hub::hub_admin(&["credential", "revoke", "--db", hub_db.to_str().unwrap(), "--id", &old]);
    let renewed = tongban_tests::hub::issue_credential(&hub_db, "window", Some(XINYE), "H1", common::HELPER_DESK);
    partner_add(&new_pc, FENGTAI, "北京市丰台区", port, &renewed);
    let out = tongban(&new_pc, &["sync", "--once"]);
    assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));

    // Everything it had pushed is back, under the same numbers, with what happened since and the scans.
    let store = open_store(&new_pc);
    let rows = store.list_cases(&Default::default(), 1, 100).unwrap().rows;
    let back: BTreeMap<String, String> = rows.iter().map(|c| (c.number.clone(), c.applicant_name.clone())).collect();
    assert_eq!(back, pushed, "every pushed case, once; the unpushed one is lost with the disk");
    let accepted = rows.iter().find(|c| c.number == first).unwrap();
    assert_eq!(accepted.status, tongban_core::case::CaseStatus::Accepted);
    let detail = ok(tongban(&new_pc, &["case", "show", &first]));
    assert!(detail.contains("寄往办理地途中（运单 EA123456785CN"), "{detail}");
    for case in &rows {
        for sha in store.materials_of(case.id).unwrap().iter().flat_map(|m| m.scans.clone()) {
            assert!(store.blob_info(&sha).unwrap().is_some(), "the scan of {} came back", case.number);
        }
    }
    assert_eq!(store.outbox_len().unwrap(), 0, "nothing of the old desk is pushed again");
    drop(store);
    // The next intake takes the next number, not one the hub holds; and it pushes.
    add_cases(&new_pc, 1, 4);
    let out = tongban(&new_pc, &["sync", "--once"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(hub_counts(&hub_db).0, 4);
    assert!(open_store(&new_pc).quarantined().unwrap().is_empty());
}
