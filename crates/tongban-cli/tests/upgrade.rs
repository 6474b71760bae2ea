//! A desk database from before encryption is encrypted in place at the first login after the
//! upgrade, its scans with it, and a SIGKILL at any moment of that loses nothing: the next login
//! finds either the plain desk as it was or the encrypted one, and finishes.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use common::{ok, stderr};
use sha2::Digest;
use tongban_desk::demo::{demo_setup, ensure_desk, sample_form, DEMO_CLERK, DEMO_PASSWORD};
use tongban_store::{FileKind, Store};

/// Scans kept: their SHA-256 and bytes.
type Scans = Vec<(String, Vec<u8>)>;

/// A plain desk database as version 10 (the last before encryption) wrote it: the demo desk and its users with argon2 password
/// hashes, `cases` cases, and `scans` scans kept as plain files named by their SHA-256.
fn plain_desk(dir: &Path, cases: usize, scans: usize) -> (PathBuf, Vec<String>, Scans) {
    use argon2::password_hash::PasswordHasher;
    let db = dir.join("desk.db");
    let mut store = Store::open_unencrypted_for_benchmark(&db).unwrap();
    store.init_desk_with(&demo_setup(), Some(DEMO_PASSWORD), &[], Utc::now()).unwrap();
    ensure_desk(&mut store).unwrap();
    let mut numbers = Vec::new();
    for i in 0..cases {
        numbers.push(store.create_case(&sample_form(i), DEMO_CLERK, Utc::now()).unwrap().1.to_string());
    }
    drop(store);
    // What version 10 had not: the key file, the audit chain; what it had: password hashes.
    std::fs::remove_file(tongban_store::keys_path(&db)).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("desk.blobs"));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let phc = argon2::Argon2::default().hash_password(DEMO_PASSWORD.as_bytes()).unwrap().to_string();
    conn.execute("UPDATE users SET password_hash = ?1", [&phc]).unwrap();
    // Nor what later steps added.
    tongban_store::rewind_schema_for_tests(&conn, 10).unwrap();
    let mut kept = Vec::new();
    for i in 0..scans {
        let bytes: Vec<u8> = format!("扫描件{i}：申请人李建国 11010519491231002X ").repeat(2000).into_bytes();
        let sha = hex::encode(sha2::Sha256::digest(&bytes));
        let path = dir.join("desk.blobs").join(&sha[..2]).join(&sha);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &bytes).unwrap();
        conn.execute(
            "INSERT INTO attachments (sha256, size, media_type, file_name, added_at) VALUES (?1, ?2, 'image/jpeg', 'a.jpg', ?3)",
            rusqlite::params![sha, bytes.len() as i64, Utc::now().to_rfc3339()],
        )
        .unwrap();
        kept.push((sha, bytes));
    }
    drop(conn);
    assert_eq!(FileKind::of(&db).unwrap(), FileKind::Plain);
    (db, numbers, kept)
}

/// The first login after the upgrade: `tongban case list`, in the background.
fn first_login(db: &Path) -> std::process::Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tongban"))
        .arg("--db")
        .arg(db)
        .args(["--user", DEMO_CLERK, "--password-stdin", "case", "list", "--json", "--page-size", "10000"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    let _ = writeln!(child.stdin.take().unwrap(), "{DEMO_PASSWORD}");
    child
}

/// Everything the plain desk had is in the encrypted one, and nothing of it is left in clear.
fn assert_whole_and_encrypted(db: &Path, numbers: &[String], scans: &[(String, Vec<u8>)]) {
    let dir = db.parent().unwrap();
    assert_eq!(FileKind::of(db).unwrap(), FileKind::Encrypted);
    let store = Store::unlock(db, DEMO_CLERK, DEMO_PASSWORD, Utc::now()).unwrap();
    assert_eq!(store.case_count().unwrap(), numbers.len() as u64);
    for number in numbers {
        store.case_by_number(number).unwrap();
    }
    for (sha, bytes) in scans {
        assert_eq!(&store.read_blob(sha).unwrap(), bytes, "scan {sha}");
        assert!(!dir.join("desk.blobs").join(&sha[..2]).join(sha).exists(), "no plain scan left");
    }
    assert_eq!(store.verify_audit(1).unwrap(), None);
    let left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("backup") || n.contains("encrypting") || n.contains("pending") || n.contains("failed"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let raw = std::fs::read(db).unwrap();
    assert!(!raw.windows("李建国".len()).any(|w| w == "李建国".as_bytes()));
    // Every user of before logs in with the password they had.
    for login in ["liqiang", "wangfang", "chenjing"] {
        Store::unlock(db, login, DEMO_PASSWORD, Utc::now()).unwrap_or_else(|e| panic!("{login}: {e}"));
    }
}

#[test]
fn a_plain_desk_is_encrypted_at_the_first_login_with_its_scans_and_users() {
    let dir = tempfile::tempdir().unwrap();
    let (db, numbers, scans) = plain_desk(dir.path(), 40, 5);
    // A wrong password changes nothing.
    let wrong = common::tongban_with_input(&db, DEMO_CLERK, &["case", "list"], "wrong-password\n");
    assert_eq!(stderr(&wrong), "错误：用户名或密码错误");
    assert_eq!(FileKind::of(&db).unwrap(), FileKind::Plain);
    let listed = ok(first_login(&db).wait_with_output().unwrap());
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed["total"], numbers.len());
    assert_whole_and_encrypted(&db, &numbers, &scans);
    // The encryption is in the audit log.
    let log = ok(common::tongban_with_input(
        &db,
        "liqiang",
        &["audit", "list", "--kind", "settings"],
        &format!("{DEMO_PASSWORD}\n"),
    ));
    assert!(log.contains("数据库已加密"), "{log}");
}

#[test]
fn a_power_cut_at_any_moment_of_the_encryption_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (cases, scans) = (1500, 40);
    // How long the whole encryption takes here, on a copy.
    let timing = tempfile::tempdir().unwrap();
    let (copy, _, _) = plain_desk(timing.path(), cases, scans);
    let started = Instant::now();
    ok(first_login(&copy).wait_with_output().unwrap());
    let whole = started.elapsed();
    drop(timing);

    let (db, numbers, kept) = plain_desk(dir.path(), cases, scans);
    // TONGBAN_UPGRADE_SEED replays a failed run (its seed is printed first).
    let mut seed = std::env::var("TONGBAN_UPGRADE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(Utc::now().timestamp_subsec_nanos() as u64 | 1);
    eprintln!("seed {seed} (TONGBAN_UPGRADE_SEED={seed} replays the kill moments)");
    let mut next = move || {
        // xorshift: reproducible from the printed seed.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    eprintln!("whole encryption {whole:?}");
    let mut states = Vec::new();
    for round in 0..12 {
        let at = Duration::from_micros(next() % (whole.as_micros() as u64 * 11 / 10 + 1));
        let mut child = first_login(&db);
        std::thread::sleep(at);
        let _ = child.kill();
        let status = child.wait().unwrap();
        let kind = FileKind::of(&db).unwrap();
        states.push(format!("round {round}: killed at {at:?}, {status}, {kind:?}"));
        // Whatever state the kill left, the desk is one whole desk: the plain one or the encrypted one.
        match kind {
            FileKind::Plain => {
                let conn = rusqlite::Connection::open(&db).unwrap();
                let n: i64 = conn.query_row("SELECT count(*) FROM cases", [], |r| r.get(0)).unwrap();
                assert_eq!(n as usize, cases, "{states:?}");
            }
            FileKind::Encrypted => {}
            other => panic!("{other:?} after a kill: {states:?}"),
        }
        if kind == FileKind::Encrypted && round >= 6 {
            break;
        }
    }
    eprintln!("{}", states.join("\n"));
    let listed = ok(first_login(&db).wait_with_output().unwrap());
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed["total"], numbers.len(), "{states:?}");
    assert_whole_and_encrypted(&db, &numbers, &kept);
}
