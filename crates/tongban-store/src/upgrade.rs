//! Encrypting a desk database from before encryption, in place, at the first login after the
//! upgrade (only then is a password at hand to wrap the new key for).
//!
//! Nothing is overwritten until the encrypted copy is complete, and a power cut at any moment
//! leaves either the plain database (the next login starts over) or the encrypted one (the next
//! login finishes):
//!
//! 1. under the lock beside the database, the plain file is exported into `desk.db.encrypting`
//!    (SQLCipher's `sqlcipher_export`), the scans into `desk.blobs.encrypting/`, and the key file
//!    into `desk.keys.pending` (a slot for every user, from their password hash of before);
//! 2. the plain file is renamed `desk.db.plain-backup`, then the encrypted one `desk.db`: that
//!    rename is the commit;
//! 3. the key file and the scans' folder take their places (the plain scans move to
//!    `desk.blobs.plain-backup/`);
//! 4. the encrypted database is checked (integrity, every table's rows against the backup, every
//!    scan decrypted against its hash); only then are the plain backups deleted. A check that fails
//!    puts the plain database back and says so.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use crate::crypt::DataKey;
use crate::vault::{sibling, sync_dir, DbLock, Vault};
use crate::{FileKind, Result, Store, StoreError};

struct Paths {
    db: PathBuf,
    encrypting: PathBuf,
    backup: PathBuf,
    keys: PathBuf,
    keys_pending: PathBuf,
    blobs: PathBuf,
    blobs_encrypting: PathBuf,
    blobs_backup: PathBuf,
}

impl Paths {
    fn of(db: &Path) -> Paths {
        let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Paths {
            db: db.to_path_buf(),
            encrypting: db.with_file_name(format!("{name}.encrypting")),
            backup: db.with_file_name(format!("{name}.plain-backup")),
            keys: crate::keys_path(db),
            keys_pending: sibling(db, "keys.pending"),
            blobs: sibling(db, "blobs"),
            blobs_encrypting: sibling(db, "blobs.encrypting"),
            blobs_backup: sibling(db, "blobs.plain-backup"),
        }
    }
}

/// Brings a database whose encryption was cut off back to one whole state: before the commit,
/// the plain database as it was; after it, the encrypted one with its key file and scans in
/// place (the check and the removal of the plain backups wait for a login, which has the key).
/// Waits while another process is encrypting.
pub fn recover(db: &Path) -> Result<()> {
    let p = Paths::of(db);
    if !p.encrypting.exists() && !p.keys_pending.exists() && !p.blobs_encrypting.exists() {
        return Ok(());
    }
    let _lock = DbLock::exclusive(db)?;
    recover_locked(&p)
}

fn recover_locked(p: &Paths) -> Result<()> {
    if p.encrypting.exists() {
        // Not committed: back to the plain database.
        if FileKind::of(&p.db)? == FileKind::Missing && p.backup.exists() {
            fs::rename(&p.backup, &p.db)?;
        }
        remove_file(&p.encrypting)?;
        remove_file(&p.keys_pending)?;
        remove_dir(&p.blobs_encrypting)?;
        sync_dir(&p.db);
        return Ok(());
    }
    // Committed: finish putting things in place.
    if p.keys_pending.exists() {
        if p.keys.exists() {
            remove_file(&p.keys_pending)?;
        } else {
            fs::rename(&p.keys_pending, &p.keys)?;
        }
    }
    if p.blobs_encrypting.exists() {
        if p.blobs.exists() && !p.blobs_backup.exists() {
            fs::rename(&p.blobs, &p.blobs_backup)?;
        }
        move_tree(&p.blobs_encrypting, &p.blobs)?;
        remove_dir(&p.blobs_encrypting)?;
    }
    sync_dir(&p.db);
    Ok(())
}

/// The desk a plain database of before encryption belongs to, for the login screen.
pub fn plain_desk(db: &Path) -> Result<Option<crate::PublicDesk>> {
    let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let desk = conn
        .query_row("SELECT id, region, hall || window_name, desk_code FROM desk", [], |r| {
            Ok(crate::PublicDesk { id: r.get(0)?, region: r.get(1)?, window: r.get(2)?, desk_code: r.get(3)? })
        })
        .optional();
    match desk {
        Ok(d) => Ok(d),
        // A plain database from before any desk was set up has no desk table yet.
        Err(rusqlite::Error::SqliteFailure(..)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Whether a committed encryption still waits for its check (plain backups are still there).
pub(crate) fn check_pending(db: &Path) -> bool {
    let p = Paths::of(db);
    p.backup.exists() || p.blobs_backup.exists()
}

/// Logs `login` in to a plain database with their password of before, encrypts it as the module
/// says, and returns it open. A wrong password changes nothing (beyond the failure count).
pub(crate) fn encrypt_plain(db: &Path, login: &str, password: &str, now: DateTime<Utc>) -> Result<Store> {
    let _lock = DbLock::exclusive(db)?;
    let p = Paths::of(db);
    recover_locked(&p)?;
    if FileKind::of(db)? != FileKind::Plain {
        // Another process encrypted it while this one waited for the lock.
        drop(_lock);
        return Store::unlock(db, login, password, now);
    }
    let plain = Connection::open(db)?;
    plain.busy_timeout(std::time::Duration::from_secs(5))?;
    let users = legacy_users(&plain)?;
    let login = login.trim();
    legacy_check(&plain, &users, login, password, now)?;

    // 1. The encrypted copies, beside the plain files.
    let key = DataKey::random();
    remove_file(&p.encrypting)?;
    remove_dir(&p.blobs_encrypting)?;
    plain.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let version: i64 = plain.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    plain.execute(
        "ATTACH DATABASE ?1 AS encrypted KEY ?2",
        rusqlite::params![p.encrypting.to_string_lossy(), format!("x'{}'", hex::encode(key.bytes()))],
    )?;
    plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
    plain.execute_batch(&format!("PRAGMA encrypted.user_version = {version}; DETACH DATABASE encrypted;"))?;
    let desk = plain
        .query_row("SELECT id, region, hall || window_name, desk_code FROM desk", [], |r| {
            Ok(crate::PublicDesk { id: r.get(0)?, region: r.get(1)?, window: r.get(2)?, desk_code: r.get(3)? })
        })
        .optional()?;
    let demo = plain
        .query_row("SELECT value = '1' FROM settings WHERE key = 'desk.demo'", [], |r| r.get::<_, bool>(0))
        .optional()
        .ok()
        .flatten()
        .unwrap_or(false);
    drop(plain);
    fs::File::open(&p.encrypting)?.sync_all()?;
    if p.blobs.exists() {
        encrypt_blobs(&key, &p.blobs, &p.blobs_encrypting)?;
    }
    let mut vault = Vault::new(db, &key);
    if let Some(desk) = desk {
        vault.set_desk_field(desk);
    }
    for user in &users {
        if let Some(phc) = &user.phc {
            vault.add_legacy_slot(&key, &user.login, phc, !user.disabled);
        }
    }
    if demo {
        vault.set_demo_field(
            users
                .iter()
                .filter(|u| !u.disabled && u.phc.is_some())
                .map(|u| crate::DemoAccount {
                    login: u.login.clone(),
                    display_name: u.name.clone(),
                    role: u.role.clone(),
                })
                .collect(),
        );
    }
    vault.save_to(&p.keys_pending)?;

    // 2. The commit: the encrypted file takes the plain one's name.
    fs::rename(&p.db, &p.backup)?;
    fs::rename(&p.encrypting, &p.db)?;
    sync_dir(db);
    // 3. Key file and scans into place.
    recover_locked(&p)?;
    drop(_lock);
    // 4. Checked at this login.
    let mut store = Store::unlock(db, login, password, now)?;
    store.record(
        &crate::NewAuditEntry {
            kind: crate::AuditKind::Settings,
            user: login,
            case_id: None,
            detail: "数据库已加密（升级后首次登录时完成，原未加密文件经核对后删除）".into(),
        },
        now,
    )?;
    Ok(store)
}

/// Checks a freshly encrypted database against the plain backup, then deletes the backup; a
/// check that fails puts the plain database back. Called at each login while a backup exists.
pub(crate) fn check_and_clean(store: &Store) -> Result<()> {
    let db = store.path().to_path_buf();
    let _lock = DbLock::exclusive(&db)?;
    let p = Paths::of(&db);
    if let Err(problem) = compare(store, &p) {
        drop(_lock);
        roll_back(&p)?;
        return Err(StoreError::Migration(format!(
            "数据库加密后核对不符（{problem}），已恢复为加密前的数据库，数据未丢失；请联系技术支持"
        )));
    }
    remove_file(&p.backup)?;
    for suffix in ["-wal", "-shm"] {
        remove_file(&PathBuf::from(format!("{}{suffix}", p.backup.display())))?;
    }
    remove_dir(&p.blobs_backup)?;
    sync_dir(&db);
    Ok(())
}

fn compare(store: &Store, p: &Paths) -> Result<(), String> {
    let ok: String = store.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    if ok != "ok" {
        return Err(format!("完整性检查：{ok}"));
    }
    if p.backup.exists() {
        let plain = Connection::open_with_flags(&p.backup, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
        let tables: Vec<String> = plain
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| e.to_string())?;
        for table in tables {
            let count =
                |c: &Connection| c.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get::<_, i64>(0));
            let (before, after) =
                (count(&plain).map_err(|e| e.to_string())?, count(&store.conn).map_err(|e| e.to_string())?);
            if before != after {
                return Err(format!("表 {table} 加密前 {before} 行，加密后 {after} 行"));
            }
        }
    }
    if p.blobs_backup.exists() {
        for (sha256, _) in plain_blob_files(&p.blobs_backup).map_err(|e| e.to_string())? {
            store.copy_blob(&sha256, &mut std::io::sink()).map_err(|e| format!("扫描件 {}：{e}", &sha256[..12]))?;
        }
    }
    Ok(())
}

fn roll_back(p: &Paths) -> Result<()> {
    let _lock = DbLock::exclusive(&p.db)?;
    if !p.backup.exists() {
        return Err(StoreError::Migration("加密前的数据库备份已不在，无法恢复".into()));
    }
    let failed = p.db.with_file_name(format!(
        "{}.encrypted-failed",
        p.db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    fs::rename(&p.db, &failed)?;
    for suffix in ["-wal", "-shm"] {
        remove_file(&PathBuf::from(format!("{}{suffix}", p.db.display())))?;
    }
    fs::rename(&p.backup, &p.db)?;
    if p.keys.exists() {
        fs::rename(&p.keys, failed.with_extension("keys"))?;
    }
    if p.blobs_backup.exists() {
        if p.blobs.exists() {
            fs::rename(&p.blobs, failed.with_extension("blobs"))?;
        }
        fs::rename(&p.blobs_backup, &p.blobs)?;
    }
    sync_dir(&p.db);
    Ok(())
}

struct LegacyUser {
    login: String,
    name: String,
    role: String,
    phc: Option<String>,
    disabled: bool,
}

fn legacy_users(conn: &Connection) -> Result<Vec<LegacyUser>> {
    let has_disabled: bool =
        conn.query_row("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'disabled_at'", [], |r| {
            r.get::<_, i64>(0)
        })? > 0;
    let disabled = if has_disabled { "disabled_at IS NOT NULL" } else { "0" };
    let mut stmt = conn
        .prepare(&format!("SELECT login, display_name, role, password_hash, {disabled} FROM users ORDER BY rowid"))?;
    let rows = stmt.query_map([], |r| {
        Ok(LegacyUser { login: r.get(0)?, name: r.get(1)?, role: r.get(2)?, phc: r.get(3)?, disabled: r.get(4)? })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The check of before encryption: the argon2 hash in the users table, the same answers.
fn legacy_check(
    conn: &Connection,
    users: &[LegacyUser],
    login: &str,
    password: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    use argon2::password_hash::{phc::PasswordHash, PasswordVerifier};
    let matches = |phc: &str| {
        PasswordHash::new(phc).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    };
    let Some(user) = users.iter().find(|u| u.login == login) else {
        return Err(StoreError::BadLogin);
    };
    let lockout: Option<String> = conn
        .query_row("SELECT locked_until FROM users WHERE login = ?1", [login], |r| r.get(0))
        .optional()
        .ok()
        .flatten()
        .flatten();
    if let Some(until) = lockout.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).filter(|t| *t > now) {
        let minutes = ((until.with_timezone(&Utc) - now).num_seconds().max(1) + 59) / 60;
        return Err(StoreError::LoginLocked { minutes });
    }
    if !user.phc.as_deref().is_some_and(matches) {
        let _ = conn.execute("UPDATE users SET failed_logins = failed_logins + 1 WHERE login = ?1", [login]);
        return Err(StoreError::BadLogin);
    }
    if user.disabled {
        return Err(StoreError::UserDisabled(login.to_string()));
    }
    Ok(())
}

/// The plain blob files of a folder of before: `<shard>/<sha256>`.
fn plain_blob_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for shard in fs::read_dir(dir)? {
        let shard = shard?;
        if !shard.file_type()?.is_dir() {
            continue;
        }
        for file in fs::read_dir(shard.path())? {
            let file = file?;
            let name = file.file_name().to_string_lossy().into_owned();
            if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) && file.file_type()?.is_file() {
                out.push((name, file.path()));
            }
        }
    }
    Ok(out)
}

fn encrypt_blobs(key: &DataKey, from: &Path, to: &Path) -> Result<()> {
    let blob_key = key.derive(crate::blobs::BLOB_KEY_PURPOSE);
    for (sha256, path) in plain_blob_files(from)? {
        let target = crate::blobs::blob_path_in(to, &key.blob_name(&sha256));
        let mut file = std::io::BufReader::new(fs::File::open(&path)?);
        crate::blobs::write_encrypted(&blob_key, &sha256, &target, &mut file)?;
    }
    Ok(())
}

/// Moves every file under `from` to the same place under `to`, creating folders.
fn move_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            move_tree(&entry.path(), &target)?;
        } else if !target.exists() {
            fs::rename(entry.path(), &target)?;
        }
    }
    Ok(())
}

fn remove_file(path: &Path) -> Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

fn remove_dir(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
