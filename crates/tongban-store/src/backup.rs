//! Backups of a whole desk, and restoring one onto another PC.
//!
//! A backup is one folder, `tongban-backup-<region>-<desk code>-<Beijing time>`, holding the
//! database as SQLite's online backup API copied it (a consistent snapshot taken while the window
//! and the sync keep writing; SQLCipher, keyed with the desk's own data key, so nothing in it is
//! plain), the key file as it is, the encrypted scans and kept PDFs the snapshot lists (copied as
//! they are: same key, same names), and `manifest.json`: the format and schema versions, the desk,
//! counts, and each file's size and SHA-256, authenticated with a key derived from the data key.
//!
//! A backup is written under a temporary name, checked by opening it (every hash, SQLite's
//! `integrity_check`, the counts, every scan decrypted against its content hash) and only then
//! renamed to its name; older backups in the folder are pruned after that. A full, read-only or
//! removed target therefore leaves the backups already there as they were.
//!
//! Restoring checks all of that before it touches anything on the PC, then writes the desk under
//! temporary names beside the target, checks it again, and renames it into place (the database
//! last: until it is there, there is no desk). The restored desk sends every event it made again
//! (hubs are idempotent by event id) and takes back from the hubs its own intakes made after the
//! backup (see `sync`).

use std::fs;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tongban_core::validate::ValidationError;

use crate::crypt::DataKey;
use crate::vault::{keys_path, sibling, Vault};
use crate::{migrate, FileKind, Result, Store, StoreError};

/// The layout this build writes and reads. A backup of a later format is refused.
pub const BACKUP_FORMAT: u32 = 1;
/// The manifest's file name in a backup folder.
pub const MANIFEST: &str = "manifest.json";
/// The prefix of every backup folder's name; pruning touches nothing else.
pub const BACKUP_PREFIX: &str = "tongban-backup-";
/// The most of a manifest a restore reads (a million scans fit in far less).
const MAX_MANIFEST: u64 = 256 * 1024 * 1024;
/// The database's name inside a backup.
const DB_NAME: &str = "desk.db";
/// Pages copied per step of the online backup (4 KiB each): progress every 4 MiB.
const PAGES_PER_STEP: i32 = 1024;
/// How often a backup restarts because another connection wrote before it copies all pages at once.
const MAX_RESTARTS: u32 = 3;

/// The manifest of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The program that wrote it (`tongban-store`'s version).
    pub program: String,
    /// The database's schema version (`PRAGMA user_version`).
    pub schema_version: i64,
    pub desk_id: String,
    pub region: String,
    pub desk_code: String,
    pub window: String,
    pub taken_at: DateTime<Utc>,
    pub cases: u64,
    pub events: u64,
    pub prints: u64,
    /// The audit chain's length in the snapshot.
    pub audit_seq: i64,
    /// Every file but the manifest, by path relative to the folder ('/'-separated).
    pub files: Vec<ManifestFile>,
    /// Scans the snapshot lists whose file the desk did not have (a damaged desk): not in the backup.
    #[serde(default)]
    pub missing_scans: Vec<String>,
    /// HMAC-SHA256 of the manifest without this field, keyed from the data key.
    #[serde(default)]
    pub mac: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    /// For a scan: its content's SHA-256 (the decrypted file must hash to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<String>,
}

/// Where a backup or a restore stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupProgress {
    /// What is being done, in Chinese.
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

/// A finished backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupDone {
    pub path: PathBuf,
    pub taken_at: DateTime<Utc>,
    pub cases: u64,
    pub scans: u64,
    pub bytes: u64,
    /// Older backups removed to keep the last N.
    pub pruned: Vec<PathBuf>,
    pub missing_scans: Vec<String>,
}

impl BackupDone {
    /// One line for the clerk.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "已备份到「{}」：{} 件办件、{} 个扫描件和打印件（加密），共 {:.1} MB，已校验",
            self.path.display(),
            self.cases,
            self.scans,
            self.bytes as f64 / 1_048_576.0
        );
        if !self.pruned.is_empty() {
            s.push_str(&format!("；删除了较早的 {} 份备份", self.pruned.len()));
        }
        if !self.missing_scans.is_empty() {
            s.push_str(&format!("；本机缺少 {} 个扫描件的文件，未能备份", self.missing_scans.len()));
        }
        s
    }
}

/// The automatic backup's settings (kept with the desk's other settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupPrefs {
    /// Where the daily backup goes (a USB stick, a network share); empty: no automatic backup.
    pub folder: String,
    /// How many backups the folder keeps.
    pub keep: u32,
    /// Days after which the admin is warned that the last backup is old.
    pub warn_days: u32,
}

pub const DEFAULT_BACKUP_KEEP: u32 = 7;
pub const DEFAULT_BACKUP_WARN_DAYS: u32 = 7;
/// The settings row of the last successful backup (time and folder).
const LAST_BACKUP: &str = "backup.last";
/// The settings row a restore writes: the backup it came from.
const RESTORED_FROM: &str = "backup.restored_from";

impl Default for BackupPrefs {
    fn default() -> BackupPrefs {
        BackupPrefs { folder: String::new(), keep: DEFAULT_BACKUP_KEEP, warn_days: DEFAULT_BACKUP_WARN_DAYS }
    }
}

impl BackupPrefs {
    pub const KEYS: [(&'static str, &'static str); 3] = [
        ("backup.folder", "自动备份文件夹（U 盘或共享文件夹）"),
        ("backup.keep", "保留备份份数"),
        ("backup.warn_days", "备份超过几天提醒"),
    ];

    pub(crate) fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "backup.folder" => self.folder.clone(),
            "backup.keep" => self.keep.to_string(),
            "backup.warn_days" => self.warn_days.to_string(),
            _ => return None,
        })
    }

    pub(crate) fn set(&mut self, key: &str, value: &str) -> std::result::Result<(), ValidationError> {
        let value = value.trim();
        let number = |lo: u32, hi: u32, unit: &str| {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| (lo..=hi).contains(n))
                .ok_or_else(|| ValidationError::new(format!("「{value}」无效，应为{lo}至{hi}之间的整数（{unit}）")))
        };
        match key {
            "backup.folder" => self.folder = value.to_string(),
            "backup.keep" => self.keep = number(1, 365, "份")?,
            "backup.warn_days" => self.warn_days = number(1, 365, "天")?,
            _ => return Err(ValidationError::new(format!("没有设置项「{key}」"))),
        }
        Ok(())
    }
}

/// The last backup and whether it is old, for the admin's status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackupStatus {
    pub last_at: Option<DateTime<Utc>>,
    pub last_path: Option<String>,
    pub prefs: BackupPrefs,
    /// No backup yet, or the last one older than `warn_days`: the warning to show, in Chinese.
    pub warning: Option<String>,
    /// The backup this desk was restored from, if it was.
    pub restored_from: Option<RestoredFrom>,
}

/// What a restored desk remembers of its backup: the sync takes back its own intakes made after
/// `taken_at` from the hubs, and explains an audit chain the hubs saw longer before `restored_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestoredFrom {
    pub taken_at: DateTime<Utc>,
    pub restored_at: DateTime<Utc>,
    pub audit_seq: i64,
}

/// How a restore opens the backup: a user's password (the backup's key file), or the recovery key.
pub enum RestoreKey<'a> {
    Login { login: &'a str, password: &'a str },
    RecoveryKey(&'a str),
}

/// A backup target's fault, said with the target's name.
fn target_error(target: &Path, e: &std::io::Error) -> StoreError {
    use std::io::ErrorKind::*;
    let why = match e.kind() {
        StorageFull | QuotaExceeded => "空间不足".to_string(),
        ReadOnlyFilesystem => "是只读的（U 盘的写保护开关？）".to_string(),
        PermissionDenied => "没有写入权限".to_string(),
        NotFound => "已被移除或不存在（U 盘被拔出？网络共享断开？）".to_string(),
        _ => format!("无法写入（{e}）"),
    };
    StoreError::BackupTarget(format!("备份位置「{}」{why}；本次备份未完成，该位置原有的备份未被改动", target.display()))
}

fn invalid(from: &Path, what: impl std::fmt::Display) -> StoreError {
    StoreError::BackupInvalid(format!("备份「{}」不能使用：{what}；本机未被改动", from.display()))
}

/// Copies `from` to `to`, returning the SHA-256 and size of what was written; synced.
fn copy_hashed(from: &Path, to: &Path) -> std::io::Result<(String, u64)> {
    let mut input = fs::File::open(from)?;
    if let Some(dir) = to.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut output = fs::File::create(to)?;
    let mut hashing = crate::blobs::HashingWriter::new(&mut output);
    std::io::copy(&mut input, &mut hashing)?;
    let hashed = hashing.finish();
    output.sync_all()?;
    Ok(hashed)
}

fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut sink = std::io::sink();
    let mut hashing = crate::blobs::HashingWriter::new(&mut sink);
    std::io::copy(&mut fs::File::open(path)?, &mut hashing)?;
    Ok(hashing.finish())
}

fn sync_tree(dir: &Path) {
    crate::vault::sync_dir(&dir.join("."));
}

impl Manifest {
    fn mac_of(&self, key: &DataKey) -> Result<String> {
        let mut unsigned = self.clone();
        unsigned.mac = String::new();
        let bytes = serde_json::to_vec(&unsigned)?;
        let k = key.derive("backup manifest v1");
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&*k).expect("HMAC takes any key length");
        mac.update(&bytes);
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    /// Reads a backup's manifest, size-capped, and refuses a format or schema this build cannot
    /// read. Nothing else is trusted yet.
    pub fn read(from: &Path) -> Result<Manifest> {
        let path = from.join(MANIFEST);
        let file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(invalid(from, format!("找不到清单文件 {MANIFEST}（不是通办收件台的备份，或备份不完整）")))
            }
            Err(e) => return Err(invalid(from, format!("清单文件无法读取（{e}）"))),
        };
        let mut text = Vec::new();
        file.take(MAX_MANIFEST + 1)
            .read_to_end(&mut text)
            .map_err(|e| invalid(from, format!("清单文件无法读取（{e}）")))?;
        if text.len() as u64 > MAX_MANIFEST {
            return Err(invalid(from, "清单文件过大"));
        }
        // The format first, so a later layout is named as such rather than as damage.
        let format = serde_json::from_slice::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("format").and_then(serde_json::Value::as_u64))
            .ok_or_else(|| invalid(from, "清单文件已损坏"))?;
        if format > u64::from(BACKUP_FORMAT) {
            return Err(StoreError::BackupNewer(format!(
                "备份「{}」由较新版本的通办收件台制作（备份格式 {format}，本程序支持 {BACKUP_FORMAT}）；请先升级通办收件台再恢复，本机未被改动",
                from.display()
            )));
        }
        let manifest: Manifest =
            serde_json::from_slice(&text).map_err(|e| invalid(from, format!("清单文件已损坏（{e}）")))?;
        if manifest.schema_version > migrate::SCHEMA_VERSION {
            return Err(StoreError::BackupNewer(format!(
                "备份「{}」的数据库版本为 {}，高于本程序支持的 {}；请先升级通办收件台再恢复，本机未被改动",
                from.display(),
                manifest.schema_version,
                migrate::SCHEMA_VERSION
            )));
        }
        for f in &manifest.files {
            if !safe_relative(&f.path) {
                return Err(invalid(from, format!("清单列出的文件「{}」不在备份文件夹内", f.path)));
            }
        }
        if !manifest.files.iter().any(|f| f.path == DB_NAME) || !manifest.files.iter().any(|f| f.path == keys_name()) {
            return Err(invalid(from, "清单中没有数据库或密钥文件"));
        }
        Ok(manifest)
    }

    /// Every listed file is there with its size and hash (no key needed: damage shows here).
    pub fn check_files(&self, from: &Path, mut progress: impl FnMut(BackupProgress)) -> Result<()> {
        let total = self.files.len() as u64;
        for (i, f) in self.files.iter().enumerate() {
            let path = from.join(&f.path);
            let (sha, size) = match hash_file(&path) {
                Ok(h) => h,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(invalid(from, format!("缺少文件「{}」", f.path)))
                }
                Err(e) => return Err(invalid(from, format!("文件「{}」无法读取（{e}）", f.path))),
            };
            if size != f.size || sha != f.sha256 {
                return Err(invalid(from, format!("文件「{}」已损坏（内容与清单记录的校验值不符）", f.path)));
            }
            progress(BackupProgress { stage: "核对备份文件", done: i as u64 + 1, total });
        }
        Ok(())
    }

    /// The manifest was written with `key` (another desk's backup, or an edited manifest, is not).
    fn check_mac(&self, from: &Path, key: &DataKey) -> Result<()> {
        if self.mac != self.mac_of(key)? {
            return Err(invalid(from, "清单文件的校验码不符（被改动过，或不属于这把密钥）"));
        }
        Ok(())
    }
}

fn keys_name() -> String {
    keys_path(Path::new(DB_NAME)).to_string_lossy().into_owned()
}

fn blobs_name() -> String {
    sibling(Path::new(DB_NAME), "blobs").to_string_lossy().into_owned()
}

/// A '/'-separated path that stays inside the folder.
fn safe_relative(path: &str) -> bool {
    !path.is_empty() && !path.contains('\\') && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
}

/// The backup's name for a time: Beijing wall-clock time, sortable.
fn folder_name(region: &str, desk_code: &str, at: DateTime<Utc>) -> String {
    let t = at.with_timezone(&tongban_core::time::china_time()).format("%Y%m%d-%H%M%S");
    format!("{BACKUP_PREFIX}{region}-{desk_code}-{t}")
}

/// Opens a database read-only with the data key (nothing is written next to it).
fn open_read_only(path: &Path, key: &DataKey) -> Result<Connection> {
    crate::initialize_sqlcipher();
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!("PRAGMA key = {};", *key.sqlcipher_literal()))?;
    Ok(conn)
}

fn count(conn: &Connection, table: &str) -> Result<u64> {
    Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
}

/// Checks a database with SQLite's own check, and its schema version.
fn check_database(conn: &Connection, from: &Path, manifest: &Manifest) -> Result<()> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|_| invalid(from, "数据库无法用这把密钥打开（已损坏，或不属于这个备份的密钥文件）"))?;
    if version != manifest.schema_version {
        return Err(invalid(from, "数据库的版本与清单不符"));
    }
    let result: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| invalid(from, format!("数据库已损坏（{e}）")))?;
    if result != "ok" {
        return Err(invalid(from, format!("数据库已损坏（{result}）")));
    }
    let counts = (count(conn, "cases")?, count(conn, "events")?, count(conn, "prints")?);
    if counts != (manifest.cases, manifest.events, manifest.prints) {
        return Err(invalid(from, "数据库的办件、事件或打印记录数与清单不符"));
    }
    Ok(())
}

/// Every scan file the manifest lists decrypts to its content hash.
fn check_scans(
    manifest: &Manifest,
    from: &Path,
    key: &DataKey,
    progress: &mut impl FnMut(BackupProgress),
) -> Result<()> {
    let blob_key = key.derive(crate::blobs::BLOB_KEY_PURPOSE);
    let scans: Vec<&ManifestFile> = manifest.files.iter().filter(|f| f.scan.is_some()).collect();
    let total = scans.len() as u64;
    for (i, f) in scans.iter().enumerate() {
        let sha = f.scan.as_deref().unwrap_or_default();
        if f.path != format!("{}/{}", blobs_name(), relative_blob(key, sha)) {
            return Err(invalid(from, format!("扫描件「{}」不在它应在的位置", f.path)));
        }
        crate::blobs::read_encrypted(&blob_key, sha, &from.join(&f.path), &mut std::io::sink())
            .map_err(|_| invalid(from, format!("扫描件「{}」已损坏，无法解密", f.path)))?;
        progress(BackupProgress { stage: "校验扫描件", done: i as u64 + 1, total });
    }
    Ok(())
}

/// A blob's path under the blobs folder, '/'-separated.
fn relative_blob(key: &DataKey, sha256: &str) -> String {
    let name = key.blob_name(sha256);
    format!("{}/{name}", name.get(..2).unwrap_or("00"))
}

/// Opens a backup's own copy of the database read-only and checks it against the manifest.
fn verify_opened(
    from: &Path,
    manifest: &Manifest,
    key: &DataKey,
    progress: &mut impl FnMut(BackupProgress),
) -> Result<()> {
    manifest.check_mac(from, key)?;
    let conn = open_read_only(&from.join(DB_NAME), key)?;
    check_database(&conn, from, manifest)?;
    let desk_id: Option<String> = conn.query_row("SELECT id FROM desk", [], |r| r.get(0)).optional()?;
    if desk_id.as_deref() != Some(manifest.desk_id.as_str()) {
        return Err(invalid(from, "数据库中的受理台与清单不符"));
    }
    drop(conn);
    match Vault::load(&from.join(DB_NAME)) {
        Ok(Some(vault)) if vault.fits(key) => {}
        _ => return Err(invalid(from, "密钥文件不属于这个数据库")),
    }
    check_scans(manifest, from, key, progress)
}

/// Checks a backup whole with the desk's key: every file's hash, the manifest's MAC, the database
/// opened (integrity, counts) and every scan decrypted. What `tongban backup` runs after writing.
pub fn verify_backup(from: &Path, key: &DataKey, mut progress: impl FnMut(BackupProgress)) -> Result<Manifest> {
    let manifest = Manifest::read(from)?;
    manifest.check_files(from, &mut progress)?;
    verify_opened(from, &manifest, key, &mut progress)?;
    Ok(manifest)
}

impl Store {
    /// Backs the desk up into a new folder under `target`, keeping the newest `keep` backups
    /// there (older ones are removed only after this one checked out). `progress` is called as
    /// the work goes on. Runs on this connection; the window opens a second one for it, so the
    /// desk goes on meanwhile.
    pub fn back_up(
        &mut self,
        target: &Path,
        keep: u32,
        now: DateTime<Utc>,
        mut progress: impl FnMut(BackupProgress),
    ) -> Result<BackupDone> {
        let desk = self.require_desk()?;
        fs::create_dir_all(target).map_err(|e| target_error(target, &e))?;
        let name = folder_name(&desk.region, desk.desk_code.as_str(), now);
        let final_path = target.join(&name);
        if final_path.exists() {
            return Err(StoreError::BackupTarget(format!(
                "备份位置「{}」已有同名备份「{name}」，请稍后再试",
                target.display()
            )));
        }
        let partial = target.join(format!(".{name}.partial"));
        remove_partials(target);
        let written = self.write_backup(&partial, now, &mut progress);
        let manifest = match written {
            Ok(m) => m,
            Err(e) => {
                let _ = fs::remove_dir_all(&partial);
                return Err(e);
            }
        };
        // Checked as a restore would read it, before it gets its name.
        let checked = verify_backup(&partial, &self.key, &mut progress);
        if let Err(e) = checked {
            let _ = fs::remove_dir_all(&partial);
            return Err(match e {
                StoreError::BackupInvalid(m) => StoreError::BackupTarget(format!(
                    "备份位置「{}」写入的备份读回时校验不符（{m}）；本次备份未完成，原有的备份未被改动",
                    target.display()
                )),
                e => e,
            });
        }
        if let Err(e) = fs::rename(&partial, &final_path) {
            let _ = fs::remove_dir_all(&partial);
            return Err(target_error(target, &e));
        }
        sync_tree(target);
        let pruned = prune(target, keep.max(1));
        let bytes = manifest.files.iter().map(|f| f.size).sum();
        let done = BackupDone {
            path: final_path,
            taken_at: manifest.taken_at,
            cases: manifest.cases,
            scans: manifest.files.iter().filter(|f| f.scan.is_some()).count() as u64,
            bytes,
            pruned,
            missing_scans: manifest.missing_scans.clone(),
        };
        let last = serde_json::json!({ "at": now, "path": done.path.display().to_string() }).to_string();
        self.conn.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, '')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![LAST_BACKUP, last, now.to_rfc3339()],
        )?;
        Ok(done)
    }

    fn write_backup(
        &mut self,
        partial: &Path,
        now: DateTime<Utc>,
        progress: &mut impl FnMut(BackupProgress),
    ) -> Result<Manifest> {
        let io = |e: std::io::Error| target_error(partial.parent().unwrap_or(partial), &e);
        fs::create_dir_all(partial).map_err(io)?;
        let db = partial.join(DB_NAME);
        crate::initialize_sqlcipher();
        let mut dst = Connection::open(&db)?;
        dst.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        dst.execute_batch(&format!("PRAGMA key = {};", *self.key.sqlcipher_literal()))?;
        copy_pages(&self.conn, &mut dst, progress).map_err(|e| match e {
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::DiskFull
                        | rusqlite::ErrorCode::ReadOnly
                        | rusqlite::ErrorCode::CannotOpen
                        | rusqlite::ErrorCode::SystemIoFailure
                ) =>
            {
                io(std::io::Error::other(format!("{f}")))
            }
            e => e,
        })?;
        // One file, no WAL beside it: a backup on a write-protected stick still opens read-only.
        dst.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
        let desk = self.require_desk()?;
        let schema_version: i64 = dst.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let audit_seq: i64 = dst.query_row("SELECT coalesce(max(seq), 0) FROM audit", [], |r| r.get(0))?;
        let (cases, events, prints) = (count(&dst, "cases")?, count(&dst, "events")?, count(&dst, "prints")?);
        let scans: Vec<String> = {
            let mut stmt = dst.prepare("SELECT sha256 FROM attachments ORDER BY sha256")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        drop(dst);
        let mut files = Vec::with_capacity(scans.len() + 2);
        let (sha256, size) = hash_file(&db).map_err(io)?;
        files.push(ManifestFile { path: DB_NAME.into(), size, sha256, scan: None });
        let (sha256, size) = copy_hashed(&keys_path(&self.path), &partial.join(keys_name())).map_err(io)?;
        files.push(ManifestFile { path: keys_name(), size, sha256, scan: None });
        let mut missing_scans = Vec::new();
        let total = scans.len() as u64;
        for (i, sha) in scans.iter().enumerate() {
            let relative = format!("{}/{}", blobs_name(), relative_blob(&self.key, sha));
            match copy_hashed(&self.blob_path(sha), &partial.join(&relative)) {
                Ok((sha256, size)) => {
                    files.push(ManifestFile { path: relative, size, sha256, scan: Some(sha.clone()) })
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound && !self.blob_path(sha).exists() => {
                    missing_scans.push(sha.clone())
                }
                Err(e) => return Err(io(e)),
            }
            progress(BackupProgress { stage: "复制扫描件和打印件", done: i as u64 + 1, total });
        }
        let mut manifest = Manifest {
            format: BACKUP_FORMAT,
            program: env!("CARGO_PKG_VERSION").into(),
            schema_version,
            desk_id: desk.id.clone(),
            region: desk.region.clone(),
            desk_code: desk.desk_code.as_str().to_string(),
            window: desk.window_label(),
            taken_at: now,
            cases,
            events,
            prints,
            audit_seq,
            files,
            missing_scans,
            mac: String::new(),
        };
        manifest.mac = manifest.mac_of(&self.key)?;
        let manifest_path = partial.join(MANIFEST);
        {
            let mut f = fs::File::create(&manifest_path).map_err(io)?;
            f.write_all(&serde_json::to_vec_pretty(&manifest)?).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        sync_tree(partial);
        sync_tree(&partial.join(blobs_name()));
        Ok(manifest)
    }

    /// The last backup, the automatic backup's settings and the warning to show.
    pub fn backup_status(&self, now: DateTime<Utc>) -> Result<BackupStatus> {
        let prefs = self.backup_prefs()?;
        let last: Option<String> =
            self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [LAST_BACKUP], |r| r.get(0)).optional()?;
        let last: Option<serde_json::Value> = last.and_then(|t| serde_json::from_str(&t).ok());
        let last_at = last
            .as_ref()
            .and_then(|v| v.get("at")?.as_str().map(str::to_string))
            .and_then(|t| crate::desk::parse_time(&t).ok());
        let last_path = last.as_ref().and_then(|v| v.get("path")?.as_str().map(str::to_string));
        let warning = match last_at {
            None => Some("本受理台还没有备份：请管理员在「备份」中备份到 U 盘或共享文件夹".to_string()),
            Some(at) if now - at > chrono::Duration::days(i64::from(prefs.warn_days)) => Some(format!(
                "最近一次备份是 {}，已超过 {} 天：请尽快备份",
                tongban_core::time::china_time_text(at),
                prefs.warn_days
            )),
            Some(_) => None,
        };
        Ok(BackupStatus { last_at, last_path, prefs, warning, restored_from: self.restored_from()? })
    }

    /// The automatic backup's settings.
    pub fn backup_prefs(&self) -> Result<BackupPrefs> {
        let mut prefs = BackupPrefs::default();
        for (key, _) in BackupPrefs::KEYS {
            let value: Option<String> =
                self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?;
            if let Some(value) = value {
                let _ = prefs.set(key, &value);
            }
        }
        Ok(prefs)
    }

    /// Whether the automatic backup is due: a folder is set and the last backup is from before
    /// today (Beijing time), or there is none.
    pub fn backup_due(&self, now: DateTime<Utc>) -> Result<Option<PathBuf>> {
        let status = self.backup_status(now)?;
        if status.prefs.folder.trim().is_empty() {
            return Ok(None);
        }
        let today = now.with_timezone(&tongban_core::time::china_time()).date_naive();
        let due =
            status.last_at.is_none_or(|at| at.with_timezone(&tongban_core::time::china_time()).date_naive() < today);
        Ok(due.then(|| PathBuf::from(status.prefs.folder.trim())))
    }

    /// The backup this desk was restored from, if it was.
    pub fn restored_from(&self) -> Result<Option<RestoredFrom>> {
        restored_from_in(&self.conn)
    }

    /// Whether a hub's audit head this chain does not hold is the tail lost with a restore: the
    /// hub kept it before this desk was restored from an older backup. A head kept after the
    /// restore must be in the chain like any other.
    pub fn audit_gap_from_restore(&self, kept_at: DateTime<Utc>) -> Result<bool> {
        Ok(self.restored_from()?.is_some_and(|r| kept_at < r.restored_at))
    }
}

pub(crate) fn restored_from_in(conn: &Connection) -> Result<Option<RestoredFrom>> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([RESTORED_FROM], |r| r.get(0))
        .optional()?;
    Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
}

/// Copies every page of `src` into `dst` with the online backup API, a step at a time. A write by
/// another connection restarts it; after a few restarts the rest is copied in one step, which
/// holds a read snapshot to the end (writers go on in the WAL meanwhile).
fn copy_pages(src: &Connection, dst: &mut Connection, progress: &mut impl FnMut(BackupProgress)) -> Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let backup = Backup::new(src, dst)?;
    let mut restarts = 0;
    let mut last_remaining = i32::MAX;
    loop {
        let pages = if restarts >= MAX_RESTARTS { -1 } else { PAGES_PER_STEP };
        match backup.step(pages)? {
            StepResult::Done => break,
            StepResult::More | StepResult::Busy | StepResult::Locked => {}
            // Any other outcome rusqlite may add later: go on stepping.
            _ => {}
        }
        let p = backup.progress();
        if p.remaining > last_remaining {
            restarts += 1;
        }
        last_remaining = p.remaining;
        let total = p.pagecount.max(1) as u64;
        progress(BackupProgress { stage: "复制数据库", done: total - p.remaining.max(0) as u64, total });
    }
    let p = backup.progress();
    progress(BackupProgress { stage: "复制数据库", done: p.pagecount as u64, total: p.pagecount as u64 });
    Ok(())
}

/// Removes what a backup cut off by a crash or a pulled stick left in `target`.
fn remove_partials(target: &Path) {
    let Ok(entries) = fs::read_dir(target) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!(".{BACKUP_PREFIX}")) && name.ends_with(".partial") {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Keeps the newest `keep` backups in `target` (by name, which is the time), removing the rest.
fn prune(target: &Path, keep: u32) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(target) else { return Vec::new() };
    let mut backups: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(BACKUP_PREFIX))
        .filter(|e| e.path().join(MANIFEST).is_file())
        .map(|e| e.path())
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep as usize);
    let mut pruned = Vec::new();
    for old in backups.into_iter().take(excess) {
        if fs::remove_dir_all(&old).is_ok() {
            pruned.push(old);
        }
    }
    pruned
}

/// The backups in `target`, newest first (name and manifest), for the window's list.
pub fn list_backups(target: &Path) -> Vec<(PathBuf, Manifest)> {
    let Ok(entries) = fs::read_dir(target) else { return Vec::new() };
    let mut out: Vec<(PathBuf, Manifest)> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(BACKUP_PREFIX))
        .filter_map(|e| Manifest::read(&e.path()).ok().map(|m| (e.path(), m)))
        .collect();
    out.sort_by(|a, b| b.0.cmp(&a.0));
    out
}

/// A restore's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Restored {
    pub db: PathBuf,
    pub manifest: Manifest,
    /// Events put back into the outbox, to be sent again (hubs keep each once).
    pub requeued: u64,
    /// The desk that was replaced, moved aside (only with `replace`).
    pub replaced_kept_at: Option<PathBuf>,
}

impl Restored {
    /// What was restored and what the first sync will do, in Chinese (the CLI and the window).
    pub fn summary(&self) -> String {
        let m = &self.manifest;
        let mut out = format!(
            "已恢复受理台到「{}」：{} 的备份，{}（{}）{} 件办件；本机所办事件 {} 条将重新同步（通办中心按事件编号去重），备份之后本机收件的办件将在同步时从通办中心取回",
            self.db.display(),
            tongban_core::time::china_time_text(m.taken_at),
            m.window,
            m.desk_code,
            m.cases,
            self.requeued
        );
        if let Some(aside) = &self.replaced_kept_at {
            out.push_str(&format!("\n原受理台已移到「{}」保留", aside.display()));
        }
        out
    }
}

/// Restores the backup in `from` as the desk at `db`. Everything about the backup is checked
/// before anything on this PC is touched: the manifest's format and versions, every file's hash,
/// the key (a user's password opens the backup's key file, read only, or the recovery key), the
/// manifest's MAC, the database opened (integrity, counts) and every scan decrypted. A desk at
/// `db` is refused unless `replace`, and then moved aside, not deleted. The desk is written under
/// temporary names, opened and checked again, and renamed into place, the database last.
pub fn restore(
    from: &Path,
    db: &Path,
    key: RestoreKey<'_>,
    replace: bool,
    now: DateTime<Utc>,
    mut progress: impl FnMut(BackupProgress),
) -> Result<Restored> {
    let manifest = Manifest::read(from)?;
    let occupied = FileKind::of(db)? != FileKind::Missing || keys_path(db).exists() || sibling(db, "blobs").exists();
    if occupied && !replace {
        return Err(StoreError::DeskExists(format!(
            "「{}」已有受理台；恢复会替换它。确要替换时请加 --replace（原受理台会移到旁边保留，不会删除）",
            db.display()
        )));
    }
    manifest.check_files(from, &mut progress)?;
    let backup_db = from.join(DB_NAME);
    let data_key = match key {
        RestoreKey::Login { login, password } => {
            let vault = Vault::load(&backup_db)
                .map_err(|_| invalid(from, "密钥文件已损坏"))?
                .ok_or_else(|| invalid(from, "缺少密钥文件"))?;
            vault.open_slot(login, password)?
        }
        RestoreKey::RecoveryKey(text) => {
            let key = crate::RecoveryKey::parse(text).ok_or(StoreError::BadRecoveryKey)?;
            match Vault::load(&backup_db) {
                Ok(Some(v)) if !v.fits(&key) => return Err(StoreError::BadRecoveryKey),
                _ => key,
            }
        }
    };
    verify_opened(from, &manifest, &data_key, &mut progress)?;
    if let RestoreKey::Login { login, .. } = key {
        let conn = open_read_only(&backup_db, &data_key)?;
        let role: Option<(String, bool)> = conn
            .query_row("SELECT role, disabled_at IS NOT NULL FROM users WHERE login = ?1", [login.trim()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        match role {
            Some((role, false)) if role == "admin" => {}
            Some((_, true)) => return Err(StoreError::UserDisabled(login.trim().to_string())),
            _ => {
                return Err(StoreError::AdminOnly(format!(
                    "恢复受理台须由备份中的管理员登录；「{}」不是管理员",
                    login.trim()
                )))
            }
        }
    }

    // Only now is anything written on this PC: a staging folder beside the target.
    let parent = db.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let stem = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| DB_NAME.into());
    let staging = parent.join(format!(".{stem}.restoring"));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    let staged = staging.join(db.file_name().unwrap_or(std::ffi::OsStr::new(DB_NAME)));
    let written = stage(from, &manifest, &staged, &data_key, now, &mut progress);
    let requeued = match written {
        Ok(n) => n,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let replaced_kept_at = if occupied {
        let aside = parent.join(format!(
            "{stem}.replaced-{}",
            now.with_timezone(&tongban_core::time::china_time()).format("%Y%m%d-%H%M%S")
        ));
        fs::create_dir_all(&aside)?;
        for path in [db.to_path_buf(), keys_path(db), sibling(db, "blobs")] {
            if path.exists() {
                fs::rename(&path, aside.join(path.file_name().unwrap_or_default()))?;
            }
        }
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", db.display()));
            if side.exists() {
                fs::rename(&side, aside.join(side.file_name().unwrap_or_default()))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    // The scans and the key file first, the database last: until it is in place there is no desk.
    if sibling(&staged, "blobs").exists() {
        fs::rename(sibling(&staged, "blobs"), sibling(db, "blobs"))?;
    }
    fs::rename(keys_path(&staged), keys_path(db))?;
    // Closing the staged desk folded its WAL into the file; should one be left, it goes along.
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", staged.display()));
        if side.exists() {
            fs::rename(&side, format!("{}{suffix}", db.display()))?;
        }
    }
    fs::rename(&staged, db)?;
    crate::vault::sync_dir(db);
    let _ = fs::remove_dir_all(&staging);
    Ok(Restored { db: db.to_path_buf(), manifest, requeued, replaced_kept_at })
}

/// Writes the restored desk at `staged` and checks it: the files copied, the database opened and
/// migrated forward, its own events put back in the outbox, the restore recorded.
fn stage(
    from: &Path,
    manifest: &Manifest,
    staged: &Path,
    key: &DataKey,
    now: DateTime<Utc>,
    progress: &mut impl FnMut(BackupProgress),
) -> Result<u64> {
    let dir = staged.parent().expect("the staged database has a folder");
    fs::create_dir_all(dir)?;
    let total = manifest.files.len() as u64;
    for (i, f) in manifest.files.iter().enumerate() {
        let to = if f.path == DB_NAME {
            staged.to_path_buf()
        } else if f.path == keys_name() {
            keys_path(staged)
        } else {
            let rest = f
                .path
                .strip_prefix(&format!("{}/", blobs_name()))
                .ok_or_else(|| invalid(from, "清单列出了未知的文件"))?;
            sibling(staged, "blobs").join(rest)
        };
        let (sha, size) = copy_hashed(&from.join(&f.path), &to)?;
        if sha != f.sha256 || size != f.size {
            return Err(invalid(from, format!("文件「{}」复制后校验不符（备份在恢复时被改动？）", f.path)));
        }
        progress(BackupProgress { stage: "恢复文件", done: i as u64 + 1, total });
    }
    let mut store = Store::open(staged, key)?;
    let result: String = store.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if result != "ok" {
        return Err(invalid(from, format!("恢复后的数据库未通过检查（{result}）")));
    }
    let requeued = store.after_restore(manifest, now)?;
    drop(store);
    Ok(requeued)
}

impl Store {
    /// What a restored desk does before it is used: every event it made goes back into the
    /// outbox (the hubs keep each once by id, so what they hold answers `duplicate`, and what a
    /// hub lost comes back to it), the scans a hub was known to hold are asked about again, and
    /// the restore is written down (the audit log, and the backup's time for the sync).
    fn after_restore(&mut self, manifest: &Manifest, now: DateTime<Utc>) -> Result<u64> {
        let restored = RestoredFrom { taken_at: manifest.taken_at, restored_at: now, audit_seq: manifest.audit_seq };
        let tx = crate::write(&mut self.conn)?;
        let requeued = tx.execute(
            "UPDATE events SET outbox = 1
              WHERE local = 1 AND outbox = 0 AND set_aside IS NULL AND kind <> 'pushed'",
            [],
        )? as u64;
        tx.execute("DELETE FROM hub_blobs", [])?;
        tx.execute(
            "INSERT INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, '')
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            params![RESTORED_FROM, serde_json::to_string(&restored)?, now.to_rfc3339()],
        )?;
        let detail = format!(
            "从 {} 的备份恢复（备份时审计链到第 {} 条）；本机所办事件 {requeued} 条重新排队同步",
            tongban_core::time::china_time_text(manifest.taken_at),
            manifest.audit_seq
        );
        crate::audit::append_in(&tx, now, "", crate::AuditKind::Backup, None, &detail, None, None)?;
        tx.commit()?;
        Ok(requeued)
    }
}
