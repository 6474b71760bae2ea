//! The desk's sync engine: it carries the outbox to the region hubs and brings their events back.
//!
//! - [`SyncEngine`]: one tokio task per configured hub, each with a ticker, a "sync now" channel,
//!   exponential backoff with jitter after a failure, and a stop on the shutdown token. The state
//!   of every hub (online, pending, last success, last error in Chinese) is published on a watch
//!   channel for the window.
//! - [`sync_once`]: one round with every hub, for `tongban sync --once` and scripts.
//! - A round ([`round`]): check the hub is the region's; confirm this desk's identity (region,
//!   desk code) under its credential, recording the scope the hub holds it to or why it refused;
//!   upload the scans the outbox refers to
//!   (resuming partial uploads); push the outbox in batches and settle the verdicts (stored events
//!   leave the outbox, rejected ones are quarantined); pull by cursor and apply page by page;
//!   then the working-day calendars and the catalog the hub publishes.
//! - [`client::HubClient`]: the `/v1` API with connect and overall timeouts; every answer is
//!   checked before it is believed.
//! - Each round ends with the desk's audit chain head sent to the hub, which answers with the
//!   head it kept before; a chain that no longer holds it (or that the desk's own check finds
//!   broken) fails the round with the first broken link named.
//!
//! Which hub an event goes to, and the transactions that make a crash harmless, are described in
//! `tongban_store`'s sync module: an event goes to the hub of its case's handling region; settling
//! a push and applying a pulled page with its cursor are one transaction each.
//!
//! Nothing here can lose or duplicate an event: the hub takes pushes idempotently by event id and
//! blobs by SHA-256, an event leaves the outbox only after the hub answered that it holds it, and
//! the cursor moves only with the events it covers.

pub mod client;
mod engine;
pub mod reconcile;
pub mod round;

use std::time::Duration;

use tongban_core::code::{AppCode, DeskCode};
use tongban_store::StoreError;
use tongban_wire::ErrorCode;

pub use engine::{sync_once, HubStatus, SyncEngine};
pub use round::RoundReport;

/// Timing and sizes. The defaults suit a county hall's network; tests shorten them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// Time between rounds when all is well.
    pub interval: Duration,
    /// First wait after a failure; doubled per failure up to `backoff_max`, with jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    pub connect_timeout: Duration,
    /// Whole request, body included: a hub that hangs mid-answer is given up on after this.
    pub request_timeout: Duration,
    /// Events per push (the hub accepts up to 500 by default; a refused size is halved).
    pub push_batch: usize,
    /// Events per pulled page.
    pub pull_limit: u32,
    /// Scans larger than this go up in resumable chunks of this size; smaller ones in one PUT.
    pub chunk_size: usize,
    /// The running engine's own 对账 with each hub: how often (after a round that pulled all),
    /// over how many days back, and after how many days an unsigned package is listed.
    pub daily_reconciliation: DailyReconciliation,
}

/// The engine's own 对账 with each hub, whose findings are news in the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyReconciliation {
    /// `None`: never on its own (only when someone asks).
    pub every: Option<Duration>,
    /// The days compared, today included.
    pub days: u32,
    pub package_days: i64,
}

impl Default for SyncSettings {
    fn default() -> SyncSettings {
        SyncSettings {
            interval: Duration::from_secs(60),
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(300),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            push_batch: 200,
            pull_limit: 500,
            chunk_size: 4 * 1024 * 1024,
            daily_reconciliation: DailyReconciliation {
                every: Some(Duration::from_secs(24 * 3600)),
                days: 14,
                package_days: reconcile::PACKAGE_DAYS,
            },
        }
    }
}

/// Why a round with a hub failed. Every message is Chinese and names the hub or the thing at
/// fault; the window shows it as the hub's last error. All of them are retried with backoff.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("无法连接通办中心 {url}：{detail}")]
    Unreachable { url: String, detail: String },
    #[error("通办中心 {url} 超过 {seconds} 秒没有回复")]
    TimedOut { url: String, seconds: u64 },
    #[error("与通办中心 {url} 的连接中断：{detail}")]
    Interrupted { url: String, detail: String },
    #[error("通办中心 {url} 的回复无法识别：{what}")]
    Garbled { url: String, what: String },
    #[error("通办中心拒绝了请求：{message}")]
    Refused { status: u16, code: ErrorCode, message: String },
    #[error("{url} 是地区 {found} 的通办中心，不是所配置的地区 {expected}；请检查通办中心地址")]
    WrongHub { url: String, expected: String, found: String },
    #[error("{count} 个事件引用的扫描件仍未到达通办中心，稍后重试")]
    ScansNotArriving { count: usize },
    /// The hub would not take this desk as it is: its credential was revoked or is outdated, its
    /// desk code is not the credential's, or another desk holds the code.
    #[error("{message}。本机的办件都已保留，未同步的事件仍在本机")]
    Identity { code: ErrorCode, message: String },
    #[error("通办中心 {url} 提供的节假日安排未安装：{reasons}（请核对国务院办公厅的通知，并告知该通办中心的管理员）")]
    CalendarRefused { url: String, reasons: String },
    /// The hub's certificate could not be verified: never a round over a connection that may be
    /// someone else's.
    #[error("与通办中心 {url} 的加密连接未能建立：{reason}。请核对通办中心地址；若该通办中心的证书由省级政务CA等本机不认识的机构签发，请向其索取CA证书，在“合作地区”中为它设置（tongban partner add --ca-cert 文件）")]
    Certificate { url: String, reason: String },
    #[error("通办中心地址 {url} 不是加密连接（https），且管理员未允许对该合作地区使用 http：办件和凭据不会以明文发出")]
    PlainHttpRefused { url: String },
    #[error("为通办中心 {url} 设置的CA证书无法使用：{detail}")]
    BadCaCertificate { url: String, detail: String },
    /// The hub presented another sealing key than the one pinned: it may not be the partner's hub.
    #[error("{0}")]
    SigningKeyChanged(String),
    #[error("通办中心 {url} 没有出示签名公钥，而本机已登记该通办中心的公钥（指纹 {fingerprint}）：可能有人冒充该通办中心，本次未同步，办件都在本机。请告知该通办中心的管理员")]
    SigningKeyMissing { url: String, fingerprint: String },
    /// A pulled event's seal did not hold: it was held in the quarantine and the pull stopped
    /// before it, so the next round asks for it again.
    #[error("通办中心 {url} 发来的事件（{event}）签名不符，未予采用并已放入隔离区：可能有人在途中篡改了数据。本轮在该事件前停止拉取，下一轮重新拉取；一再出现时请告知该通办中心的管理员")]
    SealBroken { url: String, event: uuid::Uuid },
    /// A catalog or calendar year the hub served whose seal did not hold: not installed.
    #[error("通办中心 {url} 提供的{what}签名不符，未予采用：可能有人在途中篡改了数据。本机保留原有的；一再出现时请告知该通办中心的管理员")]
    DocumentSealBroken { url: String, what: String },
    #[error("本机数据库：{0}")]
    Store(#[from] StoreError),
    #[error("审计链异常：{0}")]
    AuditBroken(String),
}

impl SyncError {
    /// A stable code for the window (the message is for people).
    pub fn code(&self) -> AppCode {
        match self {
            SyncError::Unreachable { .. } => DeskCode::HubUnreachable.into(),
            SyncError::TimedOut { .. } => DeskCode::HubTimeout.into(),
            SyncError::Interrupted { .. } => DeskCode::HubInterrupted.into(),
            SyncError::Garbled { .. } => DeskCode::HubGarbled.into(),
            SyncError::Refused { code, .. } => (*code).into(),
            SyncError::WrongHub { .. } => DeskCode::WrongHub.into(),
            SyncError::ScansNotArriving { .. } => DeskCode::ScansNotArriving.into(),
            SyncError::Identity { code, .. } => (*code).into(),
            SyncError::CalendarRefused { .. } => DeskCode::CalendarRefused.into(),
            SyncError::Certificate { .. } => DeskCode::HubCertificate.into(),
            SyncError::PlainHttpRefused { .. } => DeskCode::PlainHttpRefused.into(),
            SyncError::BadCaCertificate { .. } => DeskCode::BadCaCertificate.into(),
            SyncError::SigningKeyChanged(_) => DeskCode::SigningKeyChanged.into(),
            SyncError::SigningKeyMissing { .. } => DeskCode::SigningKeyMissing.into(),
            SyncError::SealBroken { .. } | SyncError::DocumentSealBroken { .. } => DeskCode::SealBroken.into(),
            SyncError::Store(e) => e.code(),
            SyncError::AuditBroken(_) => DeskCode::AuditBroken.into(),
        }
    }
}
