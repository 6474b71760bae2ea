//! The desk's local case store: one SQLite file per desk.
//!
//! Events are the source of truth; the `cases` and `materials` tables are a projection that
//! is written in the same transaction as the event that changes it, so the two never disagree.
//! The file runs in WAL mode with `synchronous=FULL`: once a call that saves a case returns,
//! the case survives a crash or a power cut.
//!
//! Each module owns its tables and the SQL that creates them; [`migrate`] applies them in order.

mod audit;
mod backup;
mod blobs;
mod calendar;
mod cases;
mod catalogs;
mod crypt;
mod desk;
mod events;
mod hubs;
mod identity;
mod migrate;
mod offline;
mod outcomes;
mod prints;
mod reconciliation;
mod seals;
mod setaside;
mod settings;
mod sync;
pub mod upgrade;
mod vault;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use tongban_core::case::{FoldError, TransitionError};
use tongban_core::code::{AppCode, DeskCode, HubCode};
use tongban_core::validate::FieldError;
use tongban_core::workdays::WorkCalendar;

pub use audit::{AuditEntry, AuditFilter, AuditHead, AuditKind, ChainBreak, NewAuditEntry};
pub use backup::{
    list_backups, restore, verify_backup, BackupDone, BackupPrefs, BackupProgress, BackupStatus, Manifest,
    ManifestFile, RestoreKey, Restored, RestoredFrom, BACKUP_FORMAT, BACKUP_PREFIX, MANIFEST,
};
pub use blobs::{BlobInfo, MissingScan};
pub use calendar::{CalendarImport, OfficialYear};
pub use cases::{CaseFilter, Page};
pub use catalogs::{CatalogSource, CatalogUpdate, HeldCatalog, Installed};
pub use crypt::{DataKey, RecoveryKey};
pub use desk::{
    check_password_rules, role_label, Account, DeskIdentity, DeskSetup, User, LOCKOUT_MINUTES, MAX_FAILED_LOGINS,
    MIN_PASSWORD_CHARS, ROLES,
};
pub use events::{Appended, ArrivedDecision, OutboxEntry, StoredEvent};
pub use hubs::{is_loopback_url, HubEntry, HubSetup, HubTransport};
pub use identity::{DeskConfirmed, HubDesk, DESK_CODE_TAKEN};
#[doc(hidden)]
pub use migrate::rewind_schema_for_tests;
pub use migrate::SCHEMA_VERSION;
pub use offline::PartnerOffline;
pub use outcomes::CaseOutcome;
pub use prints::{LedgerFilter, NewPrint, PrintRecord};
pub use reconciliation::{HeldHere, ReconciliationRecord};
pub use seals::{is_seal_refusal, PinnedKey, Seal, SealCheck};
pub use setaside::{SetAside, SetAsideKind};
pub use settings::{Setting, WindowPrefs, DEFAULT_IDLE_LOCK_MINUTES, OFFLINE_KEYS, SCANNER_FOLDER};
pub use sync::{Applied, Direction, HubSyncState, OutboxPage, Pulled, QuarantinedEvent, Settled, Verdict};
// Plain types and Beijing time live in the core (the forms print them without linking the
// store); re-exported so the store's callers keep one import.
pub use tongban_core::hall::HallTexts;
pub use tongban_core::listing::{CaseSummary, LedgerEntry};
pub use tongban_core::printed::FormKind;
pub use tongban_core::time::china_time;
pub use vault::{keys_path, DemoAccount, PublicDesk, Vault, KDF_M_KIB, KDF_P, KDF_T};

/// Everything that can go wrong in the store. The messages are Chinese because they reach the
/// clerk through the window and the CLI.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("数据库错误：{0}")]
    Sqlite(rusqlite::Error),
    #[error("数据库文件已损坏（有内容无法读取或校验不符）；文件未被改动，请从备份恢复或联系技术支持")]
    DamagedPage,
    #[error("文件读写错误：{0}")]
    Io(#[from] std::io::Error),
    #[error("数据库版本为 {found}，高于本程序支持的 {supported}；请升级通办收件台后再打开，数据库未被改动")]
    NewerSchema { found: i64, supported: i64 },
    #[error("「{0}」不是通办收件台的数据库")]
    NotADatabase(PathBuf),
    #[error("数据库已加密，请登录")]
    Encrypted,
    #[error("数据库文件「{0}」已损坏，无法读取；文件未被改动，请从备份恢复或联系技术支持")]
    Damaged(PathBuf),
    #[error("找不到数据库「{0}」")]
    NoDatabase(PathBuf),
    #[error("数据库「{0}」尚未加密，须由用户登录后完成加密")]
    PlainDatabase(PathBuf),
    #[error("找不到密钥文件「{0}」：它须与数据库放在同一文件夹；如已丢失，请管理员使用恢复密钥重新设置密码")]
    NoKeyFile(PathBuf),
    #[error("密钥文件「{0}」已损坏或不属于这个数据库；文件未被改动，请从备份恢复，或由管理员使用恢复密钥重新设置密码")]
    KeyFileDamaged(PathBuf),
    #[error("恢复密钥不正确：请逐组核对（共 11 组，每组 5 个字符）")]
    BadRecoveryKey,
    #[error("{0}")]
    Migration(String),
    #[error("本机尚未设置受理台，请先运行 tongban init")]
    NotInitialized,
    #[error("本机已设置为受理台（{0}），不能重复设置")]
    AlreadyInitialized(String),
    #[error("找不到办件「{0}」")]
    UnknownCase(String),
    #[error("找不到用户「{0}」")]
    UnknownUser(String),
    #[error("用户名或密码错误")]
    BadLogin,
    #[error("连续 {} 次密码错误，该用户暂时不能登录，请 {minutes} 分钟后再试", desk::MAX_FAILED_LOGINS)]
    LoginLocked { minutes: i64 },
    #[error("用户「{0}」已停用，不能登录；如有疑问请联系管理员")]
    UserDisabled(String),
    #[error("用户「{0}」还没有设置密码，请管理员在用户管理中重置密码（或运行 tongban user passwd {0}）")]
    NoPassword(String),
    #[error("密码处理失败：{0}")]
    Password(String),
    #[error("事件 {0} 已存在且内容不同，拒绝覆盖")]
    Conflict(uuid::Uuid),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Fold(#[from] FoldError),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("数据格式错误：{0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Calendar(#[from] tongban_core::workdays::CalendarError),
    #[error("扫描件 {0} 不存在")]
    MissingBlob(String),
    #[error("没有为地区「{0}」配置通办中心，请先运行 tongban partner add")]
    UnknownHub(String),
    #[error("事件 {0} 不在隔离区中")]
    NotQuarantined(uuid::Uuid),
    #[error("{}的事项清单有 {} 处问题，未导入：\n{}", tongban_core::region::display_name(region), problems.len(), problems.join("\n"))]
    InvalidCatalog { region: String, problems: Vec<String> },
    #[error(
        "{}的事项清单版本「{version}」已存在且内容不同；已发布的版本不能更改内容，请使用新的版本号",
        tongban_core::region::display_name(region)
    )]
    CatalogVersionConflict { region: String, version: String },
    #[error("本机还没有{}的事项清单，请先同步或运行 tongban catalog import", tongban_core::region::display_name(.0))]
    NoCatalog(String),
    #[error("不能收件：{0}")]
    DeskCodeTaken(String),
    #[error("办件编号「{0}」已被本机的另一办件使用")]
    NumberTaken(String),
    #[error("{0}")]
    NotRenumberable(String),
    #[error("{0}")]
    NotDiscardable(String),
    #[error("{0}")]
    AdminOnly(String),
    /// The offline guardrail: the message says since when and what to do.
    #[error("不能收件：{0}")]
    OfflineTooLong(String),
    #[error("仍无法接收：{message}")]
    StillRefused { code: AppCode, message: String },
    #[error("数据已损坏：{0}")]
    Corrupt(String),
    #[error("{0}")]
    BackupTarget(String),
    #[error("{0}")]
    BackupInvalid(String),
    #[error("{0}")]
    BackupNewer(String),
    #[error("{0}")]
    DeskExists(String),
    #[error("{}的通办中心出示的签名公钥（指纹 {presented}）与本机登记的（指纹 {pinned}）不同：可能有人冒充该通办中心，本次未同步，办件都在本机。\
             请向该通办中心的管理员电话核对指纹；确已更换密钥的，由管理员在「合作地区」中登记新的公钥（tongban partner trust-key）",
        tongban_core::region::display_name(region))]
    SigningKeyChanged { region: String, pinned: String, presented: String },
}

impl StoreError {
    /// A stable machine-readable code for the window, so it never matches on message text.
    pub fn code(&self) -> AppCode {
        match self {
            StoreError::Sqlite(_) => DeskCode::Database.into(),
            StoreError::DamagedPage => DeskCode::DatabaseDamaged.into(),
            StoreError::Io(_) => DeskCode::Io.into(),
            StoreError::NewerSchema { .. } => DeskCode::NewerSchema.into(),
            StoreError::NotADatabase(_) => DeskCode::NotADatabase.into(),
            StoreError::Encrypted => DeskCode::Encrypted.into(),
            StoreError::Damaged(_) => DeskCode::DatabaseDamaged.into(),
            StoreError::NoDatabase(_) => DeskCode::NoDatabase.into(),
            StoreError::PlainDatabase(_) => DeskCode::PlainDatabase.into(),
            StoreError::NoKeyFile(_) => DeskCode::NoKeyFile.into(),
            StoreError::KeyFileDamaged(_) => DeskCode::KeyFileDamaged.into(),
            StoreError::BadRecoveryKey => DeskCode::BadRecoveryKey.into(),
            StoreError::Migration(_) => DeskCode::Migration.into(),
            StoreError::NotInitialized => DeskCode::DeskNotInitialized.into(),
            StoreError::AlreadyInitialized(_) => DeskCode::DeskAlreadyInitialized.into(),
            StoreError::UnknownCase(_) => HubCode::UnknownCase.into(),
            StoreError::UnknownUser(_) => DeskCode::UnknownUser.into(),
            StoreError::BadLogin => DeskCode::BadLogin.into(),
            StoreError::LoginLocked { .. } => DeskCode::LoginLocked.into(),
            StoreError::UserDisabled(_) => DeskCode::UserDisabled.into(),
            StoreError::NoPassword(_) => DeskCode::NoPassword.into(),
            StoreError::Password(_) => DeskCode::Password.into(),
            StoreError::Conflict(_) => HubCode::EventConflict.into(),
            StoreError::Transition(_) | StoreError::Fold(_) => HubCode::InvalidTransition.into(),
            StoreError::Invalid(_) => DeskCode::InvalidInput.into(),
            StoreError::Json(_) => DeskCode::BadData.into(),
            StoreError::Calendar(_) => DeskCode::Calendar.into(),
            StoreError::MissingBlob(_) => HubCode::MissingBlob.into(),
            StoreError::UnknownHub(_) => DeskCode::UnknownHub.into(),
            StoreError::NotQuarantined(_) => DeskCode::NotQuarantined.into(),
            StoreError::InvalidCatalog { .. } => DeskCode::CatalogInvalid.into(),
            StoreError::CatalogVersionConflict { .. } => DeskCode::CatalogVersionConflict.into(),
            StoreError::NoCatalog(_) => HubCode::NoCatalog.into(),
            StoreError::DeskCodeTaken(_) => HubCode::DeskCodeTaken.into(),
            StoreError::NumberTaken(_) => HubCode::NumberTaken.into(),
            StoreError::NotRenumberable(_) => DeskCode::NotRenumberable.into(),
            StoreError::NotDiscardable(_) => DeskCode::NotDiscardable.into(),
            StoreError::AdminOnly(_) => DeskCode::AdminOnly.into(),
            StoreError::OfflineTooLong(_) => DeskCode::OfflineTooLong.into(),
            StoreError::StillRefused { code, .. } => *code,
            StoreError::Corrupt(_) => DeskCode::Corrupt.into(),
            StoreError::BackupTarget(_) => DeskCode::BackupTarget.into(),
            StoreError::BackupInvalid(_) => DeskCode::BackupInvalid.into(),
            StoreError::BackupNewer(_) => DeskCode::BackupNewer.into(),
            StoreError::DeskExists(_) => DeskCode::DeskExists.into(),
            StoreError::SigningKeyChanged { .. } => DeskCode::SigningKeyChanged.into(),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    /// A page that does not decrypt or is malformed is a damaged file, said as such.
    fn from(e: rusqlite::Error) -> StoreError {
        match &e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) =>
            {
                StoreError::DamagedPage
            }
            _ => StoreError::Sqlite(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// An open desk database, with the data key it was opened with (the scans are encrypted with
/// keys derived from it).
pub struct Store {
    conn: Connection,
    path: PathBuf,
    calendar: WorkCalendar,
    key: DataKey,
    /// How far this connection checked the audit chain, and when it last checked all of it.
    audit_checked: Option<(i64, DateTime<Utc>)>,
}

/// The first bytes of a plain (unencrypted) SQLite file.
const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What is at a database's path, judged by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Missing,
    /// An unencrypted SQLite file: a desk from before encryption, to be encrypted at login.
    Plain,
    /// Anything else of a database's shape: encrypted (or damaged; only the key can tell).
    Encrypted,
    /// Not of a database's shape at all.
    Foreign,
}

impl FileKind {
    pub fn of(path: &Path) -> Result<FileKind> {
        use std::io::Read;
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Missing),
            Err(e) => return Err(e.into()),
        };
        let len = file.metadata()?.len();
        if len == 0 {
            return Ok(FileKind::Missing);
        }
        let mut head = [0u8; 16];
        let n = file.read(&mut head)?;
        Ok(if n == 16 && &head == PLAIN_HEADER {
            FileKind::Plain
        } else if len % 512 == 0 {
            FileKind::Encrypted
        } else {
            FileKind::Foreign
        })
    }
}

/// Initializes SQLite and SQLCipher once, before any connection of this process is keyed.
/// SQLite marks itself initialized before it runs SQLCipher's own initialization
/// (`SQLITE_EXTRA_INIT`), so a second thread opening its first connection meanwhile had its
/// `PRAGMA key` refused ("An error occurred with PRAGMA key"), seen once with the window's
/// engine and the tests' threads opening at once. A `Once` makes every caller wait for the whole
/// of it.
fn initialize_sqlcipher() {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        // SAFETY: sqlite3_initialize may be called at any time from any thread; it is what every
        // sqlite3_open calls first.
        unsafe {
            rusqlite::ffi::sqlite3_initialize();
        }
    });
}

/// Prepared statements kept per connection: more than the write paths use together.
const STATEMENT_CACHE: usize = 128;

impl Store {
    /// Makes a new encrypted database at `path` with a fresh random data key, and its key file
    /// (with no slot yet: [`Store::init_desk_with`] gives the first user one). Refused if a
    /// database is already there.
    pub fn create(path: &Path) -> Result<Store> {
        if FileKind::of(path)? != FileKind::Missing {
            return Err(StoreError::AlreadyInitialized(path.display().to_string()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let key = DataKey::random();
        vault::Vault::new(path, &key).save()?;
        Store::open_keyed(path, key, true, true)
    }

    /// Opens the encrypted database at `path` with its data key and migrates it forward. A
    /// database written by a newer version is refused and left untouched; so is a plain one
    /// ([`upgrade`] encrypts those) and one the key does not open.
    pub fn open(path: &Path, key: &DataKey) -> Result<Store> {
        Store::open_keyed(path, key.clone(), false, true)
    }

    /// The same store without SQLCipher, for the benchmark that measures what encryption costs.
    /// Never used by the desk (a plain database is encrypted at the first login).
    #[doc(hidden)]
    pub fn open_unencrypted_for_benchmark(path: &Path) -> Result<Store> {
        Store::open_keyed(path, DataKey::random(), true, false)
    }

    /// Logs `login` in: opens their key slot with `password`, then the database with the key it
    /// holds, and checks the user there too (a disabled user is refused). A slot made from a
    /// password hash of before encryption is rewrapped with today's parameters.
    ///
    /// A plain database of before encryption is encrypted at this login (see [`upgrade`]); one
    /// whose encryption was cut off is first brought back to a whole state.
    pub fn unlock(path: &Path, login: &str, password: &str, now: DateTime<Utc>) -> Result<Store> {
        upgrade::recover(path)?;
        match FileKind::of(path)? {
            FileKind::Missing => return Err(StoreError::NoDatabase(path.to_path_buf())),
            FileKind::Plain => return upgrade::encrypt_plain(path, login, password, now),
            FileKind::Foreign => return Err(StoreError::NotADatabase(path.to_path_buf())),
            FileKind::Encrypted => {}
        }
        let (key, stale) = Vault::unlock(path, login, password, now)?;
        let mut store = Store::open(path, &key).map_err(|e| match e {
            StoreError::Encrypted => StoreError::Damaged(path.to_path_buf()),
            e => e,
        })?;
        let login = login.trim();
        if store.is_disabled(login)? {
            Vault::disable(path, &key, login)?;
            return Err(StoreError::UserDisabled(login.to_string()));
        }
        if stale {
            Vault::set_password(path, &key, login, password, true)?;
        }
        if upgrade::check_pending(path) {
            upgrade::check_and_clean(&store)?;
        }
        store.take_failed_logins()?;
        Ok(store)
    }

    /// Opens the database with the recovery key printed at set-up (for an admin who forgot their
    /// password, or a key file that was lost). A key that is not this desk's changes nothing.
    pub fn open_with_recovery_key(path: &Path, recovery_key: &str) -> Result<Store> {
        let key = RecoveryKey::parse(recovery_key).ok_or(StoreError::BadRecoveryKey)?;
        if let Some(vault) = Vault::load(path).ok().flatten() {
            if !vault.fits(&key) {
                return Err(StoreError::BadRecoveryKey);
            }
        }
        match FileKind::of(path)? {
            FileKind::Missing => return Err(StoreError::NoDatabase(path.to_path_buf())),
            FileKind::Plain => return Err(StoreError::PlainDatabase(path.to_path_buf())),
            FileKind::Foreign => return Err(StoreError::NotADatabase(path.to_path_buf())),
            FileKind::Encrypted => {}
        }
        Store::open(path, &key).map_err(|e| match e {
            StoreError::Encrypted => StoreError::BadRecoveryKey,
            e => e,
        })
    }

    fn open_keyed(path: &Path, key: DataKey, create: bool, encrypted: bool) -> Result<Store> {
        match FileKind::of(path)? {
            FileKind::Missing if !create => return Err(StoreError::NoDatabase(path.to_path_buf())),
            FileKind::Plain if encrypted => return Err(StoreError::PlainDatabase(path.to_path_buf())),
            FileKind::Foreign => return Err(StoreError::NotADatabase(path.to_path_buf())),
            _ => {}
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        initialize_sqlcipher();
        let conn = Connection::open(path)?;
        // A wrong key is answered by our own message; SQLCipher's log lines would only be noise.
        conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
        // The key first: SQLCipher reads nothing before it.
        if encrypted {
            conn.execute_batch(&format!("PRAGMA key = {};", *key.sqlcipher_literal()))?;
        }
        // Busy timeout next: the CLI and the window may share one file.
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let found = match conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)) {
            Ok(v) => v,
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
                return Err(StoreError::Encrypted)
            }
            Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DatabaseCorrupt => {
                return Err(StoreError::Damaged(path.to_path_buf()))
            }
            Err(e) => return Err(e.into()),
        };
        if found > SCHEMA_VERSION {
            return Err(StoreError::NewerSchema { found, supported: SCHEMA_VERSION });
        }
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;",
        )?;
        // Nothing here touches durability (every commit is still WAL + FULL): a page cache of 32 MB
        // instead of 2 MB, so a long round (a queue of thousands, the audit chain's walk) reads and
        // decrypts each page once rather than again and again; sorts and temporary indexes in memory.
        conn.execute_batch(
            "PRAGMA cache_size = -32768;
             PRAGMA temp_store = MEMORY;",
        )?;
        // Every write of a case runs a dozen statements (event, projection, clocks); kept prepared,
        // SQLite parses each once per connection instead of once per event.
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let mut store =
            Store { conn, path: path.to_path_buf(), calendar: WorkCalendar::shipped(), key, audit_checked: None };
        migrate::run(&mut store.conn)?;
        store.calendar = calendar::load(&store.conn)?;
        cases::rebuild_missing_clocks(&mut store.conn, &store.calendar)?;
        Ok(store)
    }

    /// The data key (for a second connection to the same database, e.g. the sync engine's).
    pub fn data_key(&self) -> &DataKey {
        &self.key
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The working-day calendar: the shipped years plus any imported ones.
    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    /// The folder beside the database where scans are kept by SHA-256.
    pub fn blob_dir(&self) -> PathBuf {
        let stem = self.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        self.path.with_file_name(format!("{stem}.blobs"))
    }
}

/// Begins a write. IMMEDIATE, because a desk has two connections (the window's and the sync
/// engine's): a deferred transaction that reads first and writes later fails at once with
/// "database is locked" when the other wrote in between, where this one waits its turn.
pub(crate) fn write(conn: &mut rusqlite::Connection) -> Result<rusqlite::Transaction<'_>> {
    Ok(rusqlite::Transaction::new(conn, rusqlite::TransactionBehavior::Immediate)?)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub fn temp_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::create(&dir.path().join("desk.db")).unwrap();
        (dir, store)
    }
}
