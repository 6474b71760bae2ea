//! The types that cross into the window. Each derives `ts_rs::TS`; `tests/bindings.rs` writes
//! them to `ui/src/bindings/` and fails when the committed files differ.

use serde::{Deserialize, Serialize};
use tongban_core::case::{CaseStatus, EventKind};
use ts_rs::TS;

/// Who this desk is, for the window's title bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DeskInfo {
    pub region_code: String,
    /// Full name, e.g. 河南省南阳市新野县.
    pub region_name: String,
    /// Hall and window, e.g. 新野县政务服务中心跨省通办窗口.
    pub window: String,
    pub desk_code: String,
    pub db_path: String,
    #[ts(type = "number")]
    pub case_count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct StatusOption {
    pub value: CaseStatus,
    pub label: String,
}

/// The queue's search and filters. Dates are `YYYY-MM-DD`; `page` counts from 1.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct CaseQuery {
    pub text: Option<String>,
    pub status: Option<CaseStatus>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub item_code: Option<String>,
    /// The handling region (办理地) code.
    pub partner: Option<String>,
    pub clerk: Option<String>,
    pub page: u32,
    pub page_size: u32,
}

/// One line of the queue, ready to show: 证件号码 already masked, region named, overdue counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseRow {
    pub id: String,
    pub number: String,
    pub status: CaseStatus,
    pub status_label: String,
    pub applicant_name: String,
    pub applicant_id_masked: String,
    pub item_name: String,
    pub handling_region: String,
    /// With its parent only (南京市玄武区), for the table; the full name is in the detail view.
    pub handling_region_name: String,
    /// RFC 3339.
    pub received_at: String,
    /// 承诺办结 date, `YYYY-MM-DD`; null while 待补正.
    pub deadline: Option<String>,
    /// Working days past the deadline; 0 when not overdue.
    #[ts(type = "number")]
    pub overdue_days: i64,
    /// Login of the clerk who took the case in.
    pub clerk: String,
    /// The clerk's name when this desk knows the user, else the login.
    pub clerk_name: String,
    pub pending_sync: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CasePage {
    pub rows: Vec<CaseRow>,
    #[ts(type = "number")]
    pub total: u64,
}

/// The forms printed for one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseForm {
    /// 收件登记表.
    Receipt,
    /// 一次性告知书.
    Notice,
}

/// What happens to a PDF once it is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AfterPrint {
    /// Open it in the PDF viewer (the clerk checks it and prints from there).
    Open,
    /// Send it to the default printer.
    Printer,
    /// Only save it.
    Save,
}

/// The 每日台账 to print. Dates are `YYYY-MM-DD`; `to` defaults to `from`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct LedgerQuery {
    pub from: String,
    pub to: Option<String>,
    /// Login of one clerk.
    pub clerk: Option<String>,
    /// One partner (办理地) region code.
    pub partner: Option<String>,
}

/// A printed form: saved, recorded, and handed on as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrintOutcome {
    /// Where the PDF was saved.
    pub path: String,
    /// Marked 补打: the same form was printed before.
    pub reprint: bool,
    /// What was done, in Chinese, for the clerk.
    pub message: String,
    /// Saved and recorded, but the viewer or printer failed: why, in Chinese.
    pub warning: Option<String>,
}

/// One hub's sync state, for the status bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HubSyncView {
    pub region: String,
    pub name: String,
    /// The desk's own region's hub (its back office's inbox), not a partner's.
    pub own_region: bool,
    /// The hub answered in its last round.
    pub online: bool,
    /// A round is running now.
    pub syncing: bool,
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "number")]
    pub quarantined: u64,
    /// RFC 3339.
    pub last_success_at: Option<String>,
    /// Why the last round failed, in Chinese; null after a success.
    pub last_error: Option<String>,
}

/// A change of a partner's catalog no clerk has marked read yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CatalogNews {
    #[ts(type = "number")]
    pub id: i64,
    pub region_name: String,
    pub from_version: Option<String>,
    pub to_version: String,
    /// One Chinese sentence per change (新增事项 …, 变更事项 …：新增材料「…」).
    pub lines: Vec<String>,
    /// RFC 3339.
    pub at: String,
}

/// The status bar: every hub, what waits for no hub, and unread catalog changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncOverview {
    /// The background sync runs (false: the window shows the hubs as configured, offline).
    pub running: bool,
    pub hubs: Vec<HubSyncView>,
    /// Events whose handling region has no hub configured.
    #[ts(type = "number")]
    pub unrouted: u64,
    pub catalog_news: Vec<CatalogNews>,
}

impl From<&tongban_sync::HubStatus> for HubSyncView {
    fn from(h: &tongban_sync::HubStatus) -> HubSyncView {
        HubSyncView {
            region: h.region.clone(),
            name: h.name.clone(),
            own_region: h.own_region,
            online: h.online,
            syncing: h.syncing,
            pending: h.pending,
            quarantined: h.quarantined,
            last_success_at: h.last_success_at.map(|t| t.to_rfc3339()),
            last_error: h.last_error.clone(),
        }
    }
}

/// One line of the 台账 on the supervisor's screen: what the printed ledger lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LedgerRow {
    pub number: String,
    /// RFC 3339.
    pub received_at: String,
    pub applicant_name: String,
    pub applicant_id_masked: String,
    pub item_name: String,
    pub handling_region_name: String,
    pub status: CaseStatus,
    pub status_label: String,
    pub clerk_name: String,
    /// 材料流转: 网络＋邮寄 and the waybills, as printed.
    pub transfer: String,
    pub pending_sync: bool,
}

/// How many cases share one status, item, partner or clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Tally {
    /// The status's stable name, the item code, the region code or the login.
    pub key: String,
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// The supervisor's view of some days: the ledger, its counts, and what is overdue (any day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SupervisionReport {
    /// `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    #[ts(type = "number")]
    pub total: u64,
    /// Not yet 已送达.
    #[ts(type = "number")]
    pub open: u64,
    pub rows: Vec<LedgerRow>,
    /// Every status, in the state machine's order, zeros included.
    pub by_status: Vec<Tally>,
    /// Most first.
    pub by_item: Vec<Tally>,
    pub by_partner: Vec<Tally>,
    pub by_clerk: Vec<Tally>,
    /// Open cases past their 承诺办结 date, the longest overdue first.
    pub overdue: Vec<CaseRow>,
    /// More are overdue than the list shows.
    pub overdue_more: bool,
}

/// A partner's catalog as this desk holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PartnerCatalog {
    pub version: String,
    pub note: String,
    #[ts(type = "number")]
    pub items: u64,
    #[ts(type = "number")]
    pub bundles: u64,
    #[ts(type = "number")]
    pub contacts: u64,
    /// 通办中心 or 文件导入.
    pub source: String,
    /// RFC 3339.
    pub received_at: String,
}

/// A partner region: its hub, its catalog, its sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PartnerView {
    pub region: String,
    /// Full name, e.g. 北京市丰台区.
    pub region_name: String,
    /// The name the clerk gave it.
    pub name: String,
    /// False for a region whose catalog was imported from a file but whose hub is not set up.
    pub hub_configured: bool,
    pub url: String,
    /// The start and end of the credential (tok…6789), never the whole of it.
    pub credential_hint: String,
    /// The desk's own region's hub (its back office's inbox).
    pub own_region: bool,
    pub online: bool,
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "number")]
    pub quarantined: u64,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    /// RFC 3339.
    pub added_at: String,
    pub catalog: Option<PartnerCatalog>,
}

/// Adding or changing a partner's hub.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct PartnerForm {
    pub region: String,
    pub name: String,
    pub url: String,
    /// Empty or null keeps the configured one (when editing).
    pub credential: Option<String>,
}

/// The back office's inbox: the cases this desk's region handles that partner windows took in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct InboxQuery {
    /// Applicant name, 证件号码 or 办件编号, as in the queue's search.
    pub text: Option<String>,
    /// Only the cases waiting for a first decision (待受理: 已收件, 已推送, 已补正).
    pub awaiting: bool,
    pub status: Option<CaseStatus>,
    pub page: u32,
    pub page_size: u32,
}

/// One case of the inbox: the queue's line plus where it was taken in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InboxRow {
    pub case: CaseRow,
    /// 受理地 code and short name (南阳市新野县).
    pub receiving_region: String,
    pub receiving_region_name: String,
    /// 待受理: the case waits for this region's first decision.
    pub awaiting_decision: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    #[ts(type = "number")]
    pub total: u64,
    /// How many cases of the inbox are 待受理, whatever the filter.
    #[ts(type = "number")]
    pub awaiting: u64,
}

/// A decision the case's status allows now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DecisionOption {
    pub kind: EventKind,
    /// What the case becomes, as the button says it (已受理, 不予受理, 需补正, …).
    pub label: String,
}

/// What the decision form of one case offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DecisionChoices {
    pub number: String,
    pub status: CaseStatus,
    pub status_label: String,
    /// In life-cycle order; empty when nothing is for this region to decide.
    pub options: Vec<DecisionOption>,
    /// The case's materials by name, for 需补正 to pick from.
    pub materials: Vec<String>,
}

/// A decision as the window's form holds it; only the fields of `kind` are read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct DecisionDraft {
    pub kind: Option<EventKind>,
    /// 不予受理: the reason given to the applicant.
    pub reason: String,
    /// 需补正: materials picked from the case's list.
    pub materials: Vec<String>,
    /// 需补正: anything else the applicant must bring, one per line.
    pub other: String,
    /// 办结: 准予 (true) or 不予 (false).
    pub approved: Option<bool>,
    /// 办结: the result in words; 需补正: an explanation for the receiving window.
    pub note: String,
    /// 结果已寄出: the EMS waybill.
    pub waybill: String,
}

/// A decision recorded on this desk (it travels to the region's hub with the next sync).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Decided {
    pub number: String,
    pub status: CaseStatus,
    pub status_label: String,
    /// For the clerk, in Chinese.
    pub message: String,
}

/// A partner's decision that reached this desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ArrivedDecisionView {
    pub number: String,
    pub applicant_name: String,
    /// The partner region's short name.
    pub region_name: String,
    pub kind: EventKind,
    /// What the case became (需补正, 已受理, …).
    pub label: String,
    /// The decision's content in a line: the reason, the list, the waybill; may be empty.
    pub detail: String,
    /// RFC 3339.
    pub at: String,
}

/// The partners' decisions that arrived after a cursor, with one notification's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DecisionNews {
    /// Ask again from here.
    #[ts(type = "number")]
    pub cursor: i64,
    pub decisions: Vec<ArrivedDecisionView>,
    /// The notification's title and body; empty when nothing arrived.
    pub title: String,
    pub body: String,
}

/// An event held back by the sync, with why and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct QuarantineRow {
    pub event_id: String,
    /// 办件编号, when this desk knows the case.
    pub number: Option<String>,
    /// 收件, 需补正, …
    pub event_label: String,
    /// 推送被拒 (the hub refused it) or 无法接收 (the hub sent it, it does not fit here).
    pub direction_label: String,
    pub outgoing: bool,
    pub hub_name: String,
    pub code: String,
    /// The reason, in Chinese, as the hub (or this desk) gave it.
    pub message: String,
    /// What to do before 重新提交, in Chinese.
    pub advice: String,
    /// RFC 3339.
    pub at: String,
}
