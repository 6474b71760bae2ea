//! The region hub (通办中心): the exchange endpoint of one region.
//!
//! Desks of partner regions push the cases they take in for this region and pull the decisions;
//! this region's back-office desks read their inbox and post decisions. The hub stores events in
//! one SQLite file (the default) or in PostgreSQL shared by several hub processes, and checks
//! each against the case's state with the same state machine the desk uses
//! ([`tongban_core::case::CaseStatus::apply`]).
//!
//! - [`Hub`]: the database and the rules, synchronous, one module per table group that owns its
//!   SQL ([`credentials`], [`ledger`], [`blobs`], [`catalog`], [`calendar`], `identity`), run on
//!   either backend through the storage seam (`db`), each backend migrated forward only.
//! - [`http`]: the `/v1` API over axum, started with [`serve`].
//! - [`config`]: settings from a TOML file, the environment and flags.
//!
//! Invariants:
//! - **The region a request acts for comes from its credential**, never from the body: an event
//!   whose author region is not the credential's region is rejected.
//! - **One writer**: every write is one transaction under the hub's writer lock (SQLite's one
//!   connection; PostgreSQL's advisory lock shared by every process), so hub sequence numbers are
//!   assigned in commit order and a pull by cursor can never skip an event that commits later
//!   with a smaller number.
//! - **Pushes are idempotent by event id**, blobs by SHA-256.
//! - **Every event served is sealed** with the hub's Ed25519 key over the event and the hub's
//!   region, so a desk applies only what this hub said, whatever the path in between did.

mod audit;
pub mod blobs;
pub mod calendar;
pub mod catalog;
pub mod config;
pub mod credentials;
pub mod db;
pub mod http;
mod identity;
pub mod ledger;
mod migrate;
mod scope;
pub mod transfer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::Connection;
use tongban_core::case::{CaseId, EventKind, TransitionError, WrongSide};
use tongban_core::seal::HubSigner;
use tongban_core::validate::FieldError;
use tongban_wire::{ErrorBody, ErrorCode};

pub use config::{HubConfig, Limits};
pub use credentials::{Authenticated, Credential, IssuedCredential, Role};
pub use db::postgres::SCHEMA_VERSION as POSTGRES_SCHEMA_VERSION;
pub use db::postgres_url;
pub use http::serve;
pub use migrate::SCHEMA_VERSION;

/// Everything the hub refuses or fails at. The messages are Chinese: they reach clerks through
/// the desk and operators through the command line.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("数据库错误：{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL 数据库错误：{0}")]
    Postgres(String),
    #[error("文件读写错误：{0}")]
    Io(#[from] std::io::Error),
    #[error("数据格式错误：{0}")]
    Json(#[from] serde_json::Error),
    #[error("数据库版本为 {found}，高于本程序支持的 {supported}；请升级通办中心后再打开，数据库未被改动")]
    NewerSchema { found: i64, supported: i64 },
    #[error("「{0}」不是通办中心的数据库")]
    NotADatabase(PathBuf),
    #[error("数据库「{0}」尚未初始化：请先运行 tongban-hub init --db {0} --region 行政区划代码")]
    NotInitialized(PathBuf),
    #[error("数据库属于地区「{stored}」的通办中心，不能以地区「{given}」启动")]
    RegionMismatch { stored: String, given: String },
    #[error("「{0}」不是有效的行政区划代码（6位数字）")]
    InvalidRegion(String),
    #[error("{0}")]
    InvalidCredential(String),
    #[error("找不到编号为 {0} 的凭据")]
    UnknownCredential(i64),
    #[error("配置错误：{0}")]
    Config(String),
    #[error("{0}")]
    InvalidRequest(String),

    #[error("事件 {0} 已存在且内容不同，拒绝覆盖")]
    EventConflict(uuid::Uuid),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    WrongSide(#[from] WrongSide),
    #[error("事件作者所属地区「{author}」与凭据所属地区「{credential}」不符")]
    WrongRegion { author: String, credential: String },
    #[error("{0}")]
    NotParty(String),
    #[error("「{}」只在受理台本地记录，不推送到通办中心", .0.label())]
    LocalEvent(EventKind),
    #[error("{0}")]
    InvalidEvent(String),
    #[error("扫描件 {0} 尚未上传到通办中心：请先上传扫描件，再推送引用它的事件")]
    MissingBlob(String),
    #[error("一次最多推送 {max} 个事件，本次为 {got} 个：请分批推送")]
    BatchTooLarge { max: usize, got: usize },
    #[error("找不到办件「{0}」")]
    UnknownCase(CaseId),

    #[error("通办中心没有扫描件 {0}")]
    UnknownBlob(String),
    #[error("上传位置不符：通办中心已收到 {expected} 字节，本次从第 {given} 字节开始；请查询上传状态后续传")]
    OffsetMismatch { expected: u64, given: u64 },
    #[error("扫描件总长度与先前声明的 {announced} 字节不符（本次为 {given} 字节）")]
    LengthMismatch { announced: u64, given: u64 },
    #[error("扫描件 {0} 正在由另一请求上传，请稍后查询上传状态")]
    UploadInProgress(String),
    #[error("扫描件 {0} 的上传已由另一个请求接手（本请求停顿过久）：本请求已停止，请查询上传状态后续传")]
    LeaseLost(String),
    #[error("收到的内容与 SHA-256 {0} 不符，已丢弃已收到的部分：请从头重新上传")]
    HashMismatch(String),
    #[error("扫描件大小 {size} 字节超过上限 {max} 字节")]
    BlobTooLarge { size: u64, max: u64 },
    #[error("上传的内容超过声明的 {0} 字节")]
    BlobOverrun(u64),

    #[error("地区 {} 的窗口代码 {} 已有有效凭据 #{}（{}，签发于 {}）：一个窗口代码只能有一份有效凭据；如需更换，请先吊销 #{}",
        region_label(&.0.region), .0.desk_code.as_deref().unwrap_or(""), .0.id, .0.desk, .0.issued_at.format("%Y-%m-%d"), .0.id)]
    DeskCodeIssued(Box<Credential>),
    #[error("本受理台的窗口代码为 {desk}，而凭据是签发给{credential}的：请核对窗口代码，或请通办中心管理员为本受理台签发对应的凭据")]
    DeskCodeMismatch { desk: String, credential: String },
    #[error("窗口代码 {} 已由另一台受理台于 {} 在通办中心确认使用（凭据 #{}，{}）：本受理台不能再以窗口代码 {} 收件或同步。请管理员为本受理台更正窗口代码（tongban desk code），并向通办中心申领对应的凭据；若本机是原受理台的电脑损坏后重新安装的，请通办中心管理员吊销凭据 #{} 并为本机重新签发，同步后原受理台推送过的办件会从通办中心取回",
        .0.desk_code.as_deref().unwrap_or(""), .0.confirmed_at.map(|t| t.with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default(),
        .0.id, .0.desk, .0.desk_code.as_deref().unwrap_or(""), .0.id)]
    DeskCodeTaken(Box<Credential>),
    #[error("管理员凭据不属于任何受理台，不能读取或推送办件")]
    NotADesk,
    #[error("凭据 #{0} 签发时未指定窗口代码，通办中心已不再接受：请通办中心管理员吊销它，并用 tongban-hub credential issue --desk-code 为本受理台重新签发")]
    CredentialOutdated(i64),
    #[error("本受理台尚未在通办中心确认身份：请先确认（PUT /v1/desk），再推送事件")]
    DeskUnconfirmed,
    #[error("事件记录的受理台「{author}」不是本凭据确认的受理台（{credential}）")]
    WrongDesk { author: String, credential: String },
    #[error("办件编号「{number}」不属于本凭据的受理台（{credential}）：受理台只能使用本窗口代码的编号")]
    NumberNotOwn { number: String, credential: String },
    #[error("办件编号「{0}」已被另一办件使用")]
    NumberTaken(String),
    #[error("收件信息不符合要求：{0}")]
    InvalidIntake(FieldError),
    #[error("收件的事项或材料与事项清单不符：{0}")]
    CatalogMismatch(FieldError),
    #[error("事件的作者信息不符合要求：{0}")]
    InvalidAuthor(FieldError),
    #[error("{0}")]
    NotHandlingRegion(String),
    #[error("{0}")]
    NotOwnCase(String),
    #[error("{0}")]
    Superseded(String),
    #[error("{0}")]
    InvalidRenumbering(FieldError),
    #[error("{0}")]
    Forbidden(String),

    #[error("通办中心尚未发布事项清单")]
    NoCatalog,
    #[error("事项清单版本「{0}」已发布且内容不同；请使用新的版本号")]
    CatalogVersionExists(String),

    #[error(transparent)]
    CalendarText(#[from] tongban_wire::calendar::YearTextError),
    #[error("{0}年的节假日安排已发布且内容不同；一年的安排一经发布不再更改，通办中心保留原内容")]
    CalendarYearExists(i32),
    #[error("通办中心没有{0}年的节假日安排")]
    UnknownCalendarYear(i32),
}

impl HubError {
    /// The wire code a client branches on.
    pub fn code(&self) -> ErrorCode {
        use HubError::*;
        match self {
            Sqlite(_) | Postgres(_) | Io(_) | Json(_) | NewerSchema { .. } | NotADatabase(_) | NotInitialized(_) => {
                ErrorCode::Internal
            }
            RegionMismatch { .. } | Config(_) => ErrorCode::Internal,
            InvalidRegion(_) | InvalidCredential(_) => ErrorCode::BadRequest,
            InvalidRequest(_) => ErrorCode::InvalidBody,
            UnknownCredential(_) => ErrorCode::NotFound,
            EventConflict(_) => ErrorCode::EventConflict,
            Transition(_) => ErrorCode::InvalidTransition,
            WrongSide(_) => ErrorCode::WrongSide,
            WrongRegion { .. } => ErrorCode::WrongRegion,
            NotParty(_) => ErrorCode::NotParty,
            LocalEvent(_) => ErrorCode::LocalEvent,
            InvalidEvent(_) => ErrorCode::InvalidEvent,
            MissingBlob(_) => ErrorCode::MissingBlob,
            BatchTooLarge { .. } => ErrorCode::BatchTooLarge,
            UnknownCase(_) => ErrorCode::UnknownCase,
            UnknownBlob(_) => ErrorCode::UnknownBlob,
            OffsetMismatch { .. } | LengthMismatch { .. } => ErrorCode::OffsetMismatch,
            UploadInProgress(_) | LeaseLost(_) => ErrorCode::UploadInProgress,
            HashMismatch(_) => ErrorCode::HashMismatch,
            BlobTooLarge { .. } | BlobOverrun(_) => ErrorCode::PayloadTooLarge,
            NoCatalog => ErrorCode::NoCatalog,
            CatalogVersionExists(_) => ErrorCode::CatalogVersionExists,
            DeskCodeIssued(_) => ErrorCode::BadRequest,
            DeskCodeMismatch { .. } => ErrorCode::DeskCodeMismatch,
            DeskCodeTaken(_) => ErrorCode::DeskCodeTaken,
            NotADesk => ErrorCode::Forbidden,
            CredentialOutdated(_) => ErrorCode::CredentialOutdated,
            DeskUnconfirmed => ErrorCode::DeskUnconfirmed,
            WrongDesk { .. } => ErrorCode::WrongDesk,
            NumberNotOwn { .. } => ErrorCode::NumberNotOwn,
            NumberTaken(_) => ErrorCode::NumberTaken,
            InvalidIntake(_) => ErrorCode::InvalidIntake,
            CatalogMismatch(_) => ErrorCode::CatalogMismatch,
            InvalidAuthor(_) | InvalidRenumbering(_) => ErrorCode::InvalidEvent,
            NotHandlingRegion(_) => ErrorCode::NotHandlingRegion,
            NotOwnCase(_) => ErrorCode::NotOwnCase,
            Superseded(_) => ErrorCode::Superseded,
            Forbidden(_) => ErrorCode::Forbidden,
            CalendarText(tongban_wire::calendar::YearTextError::TooLarge { .. }) => ErrorCode::PayloadTooLarge,
            CalendarText(_) => ErrorCode::InvalidBody,
            CalendarYearExists(_) => ErrorCode::CalendarYearExists,
            UnknownCalendarYear(_) => ErrorCode::UnknownCalendarYear,
        }
    }

    /// The field at fault, as a path into the pushed event, when one is.
    pub fn field(&self) -> Option<String> {
        match self {
            HubError::InvalidIntake(f) | HubError::CatalogMismatch(f) => Some(format!("intake.{}", f.field)),
            HubError::InvalidAuthor(f) | HubError::InvalidRenumbering(f) => Some(f.field.clone()),
            _ => None,
        }
    }

    /// The error as the wire carries it.
    pub fn body(&self) -> ErrorBody {
        ErrorBody::new(self.code(), self.to_string()).at_field(self.field())
    }
}

pub type Result<T, E = HubError> = std::result::Result<T, E>;

/// An open hub database: its region, its tables and the folder of blobs beside it.
pub struct Hub {
    db: db::Database,
    region: String,
    /// `None` only for a PostgreSQL hub opened for administration.
    blob_dir: Option<PathBuf>,
    /// Blobs with a chunk being written right now; a second writer would interleave bytes.
    /// Catalog versions parsed for checking intakes; a version never changes content.
    catalogs: catalog::ParsedVersions,
    /// Seals every event the hub serves (see [`tongban_core::seal`]).
    signer: HubSigner,
}

impl Hub {
    /// Opens (creating if missing) the hub database at `path` and migrates it forward; scans are
    /// kept in the folder `<name>.blobs` beside it. `path` may be a `postgres://` URL instead
    /// (see [`Hub::open_with`]). `region` is required for a new database and must match the
    /// stored one otherwise. A database written by a newer version is refused and left untouched.
    pub fn open(path: &Path, region: Option<&str>) -> Result<Hub> {
        Hub::open_with(path, None, region)
    }

    /// [`Hub::open`] with the scans' folder given. With PostgreSQL every hub process must reach
    /// the same folder (a shared mount); a hub opened without one (the admin commands) refuses
    /// scans. For SQLite it defaults to the folder beside the file.
    pub fn open_with(db: &Path, blob_dir: Option<&Path>, region: Option<&str>) -> Result<Hub> {
        let (database, blob_dir) = open_database(db, blob_dir)?;
        let shown = PathBuf::from(db::shown(db));
        let region = database.write(|c| identity::establish(c, &shown, region))?;
        let signer = database.write(identity::signer)?;
        Ok(Hub { db: database, region, blob_dir, catalogs: catalog::ParsedVersions::default(), signer })
    }

    /// The region this hub serves (GB/T 2260).
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The key this hub seals the events it serves with; desks pin its public half.
    pub fn signer(&self) -> &HubSigner {
        &self.signer
    }

    /// The SQLite connection, for the unit tests that look at the file.
    #[cfg(test)]
    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.sqlite()
    }

    /// The schema version of this hub's database (each backend counts its own steps).
    pub fn schema_version(&self) -> i64 {
        match &self.db {
            db::Database::Sqlite(_) => SCHEMA_VERSION,
            db::Database::Postgres(_) => db::postgres::SCHEMA_VERSION,
        }
    }

    /// Which database this hub keeps its tables in: "sqlite" or "postgresql".
    pub fn database_kind(&self) -> &'static str {
        self.db.kind()
    }

    /// Whether the database answers a query now (for `/health`). A SQLite file lives in this
    /// process and answers whenever it does: it is not queried (a health check must not queue
    /// behind a push for the one connection).
    pub fn check_database(&self) -> Result<()> {
        match &self.db {
            db::Database::Sqlite(_) => Ok(()),
            db::Database::Postgres(_) => self.db.read(|c| c.query_row("SELECT 1", &[], |r| r.get::<i64>(0)).map(drop)),
        }
    }
}

/// The database `db` names (a SQLite file, created if missing, or a `postgres://` URL), migrated
/// forward, and the scans' folder: `blob_dir`, else beside a SQLite file.
pub(crate) fn open_database(db: &Path, blob_dir: Option<&Path>) -> Result<(db::Database, Option<PathBuf>)> {
    Ok(match db::postgres_url(db) {
        Some(url) => (db::Database::Postgres(db::postgres::Postgres::connect(url)?), blob_dir.map(Path::to_path_buf)),
        None => {
            let conn = open_sqlite(db)?;
            let stem = db.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            let blob_dir = blob_dir.map_or_else(|| db.with_file_name(format!("{stem}.blobs")), Path::to_path_buf);
            (db::Database::Sqlite(Mutex::new(conn)), Some(blob_dir))
        }
    })
}

/// The SQLite file at `path`, created if missing, migrated forward.
fn open_sqlite(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut conn = Connection::open(path)?;
    // The admin commands may run while the hub serves the same file.
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let found = match conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)) {
        Ok(v) => v,
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            return Err(HubError::NotADatabase(path.to_path_buf()))
        }
        Err(e) => return Err(e.into()),
    };
    if found > SCHEMA_VERSION {
        return Err(HubError::NewerSchema { found, supported: SCHEMA_VERSION });
    }
    // FULL: an acknowledged push survives a power cut; the desk drops it from its outbox.
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")?;
    // Admitting an event runs a dozen statements; kept prepared, each is parsed once.
    conn.set_prepared_statement_cache_capacity(128);
    migrate::run(&mut conn)?;
    Ok(conn)
}

/// Runs blocking database and file work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| HubError::Io(std::io::Error::other(e.to_string())))?
}

/// A region's name for messages: "411329（河南省南阳市新野县）", or the bare code if unknown.
pub(crate) fn region_label(code: &str) -> String {
    match tongban_core::region::full_name(code) {
        Some(name) => format!("{code}（{name}）"),
        None => code.to_string(),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub const HUB_REGION: &str = "411329";

    pub fn temp_hub() -> (tempfile::TempDir, Hub) {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::open(&dir.path().join("hub.db"), Some(HUB_REGION)).unwrap();
        (dir, hub)
    }
}
