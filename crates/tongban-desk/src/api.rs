//! The types that cross into the window. Each derives `ts_rs::TS`; `tests/bindings.rs` writes
//! them to `ui/src/bindings/` and fails when the committed files differ.

use serde::{Deserialize, Serialize};
use tongban_core::case::{CaseStatus, EventKind};
use tongban_core::printed::FormKind;
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
    /// Only cases that owe a 一次性告知书 (行政许可法 §32): all of them, or those past due.
    #[serde(default)]
    pub notice: Option<NoticeFilter>,
    pub page: u32,
    pub page_size: u32,
}

/// Which cases owing a 一次性告知书 the queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeFilter {
    /// 待告知: every case whose notice is owed.
    Owed,
    /// 告知逾期: past the 5 working days.
    Overdue,
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
    /// 承诺办结 date, `YYYY-MM-DD`; null while it has not started or stands still (see
    /// `clock_note`).
    pub deadline: Option<String>,
    /// The deadline went through a year without a holiday notice: show it as 预估.
    pub deadline_estimated: bool,
    /// Why there is no deadline: 「材料补齐之日起计算」, 「补正期间暂停计时」.
    pub clock_note: Option<String>,
    /// Working days past the deadline; 0 when not overdue.
    #[ts(type = "number")]
    pub overdue_days: i64,
    /// 告知期限: a 一次性告知书 is owed by this day (5 working days; see `CaseDetail::notice_rule`).
    pub notice_due: Option<DueDate>,
    /// 补正期限: the applicant was told to bring the materials by this day.
    pub supplement_due: Option<DueDate>,
    /// Login of the clerk who took the case in.
    pub clerk: String,
    /// The clerk's name when this desk knows the user, else the login.
    pub clerk_name: String,
    pub pending_sync: bool,
    /// The applicant has materials to bring: a 一次性告知书 to give, 补正收件 to record.
    pub awaits_applicant: bool,
}

/// A day a clock runs to, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DueDate {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Counted through a year without a holiday notice: shown as 预估.
    pub estimated: bool,
    /// Working days past it as of today; 0 when not past.
    #[ts(type = "number")]
    pub overdue_days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CasePage {
    pub rows: Vec<CaseRow>,
    #[ts(type = "number")]
    pub total: u64,
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
    /// The form went out as asked (opened in the viewer, sent to the printer, or saved) and was
    /// recorded. `false`: the viewer or printer failed, `warning` says why; nothing was recorded,
    /// so the next print of it is not a 补打.
    pub delivered: bool,
    /// Marked 补打: the same form was printed before.
    pub reprint: bool,
    /// What was done, in Chinese, for the clerk.
    pub message: String,
    /// Not delivered: why and what to do, in Chinese.
    pub warning: Option<String>,
}

/// A ledger exported to Excel (not a print: nothing is recorded as printed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LedgerExport {
    /// Where the .xlsx was saved.
    pub path: String,
    /// What was done, in Chinese, for the clerk.
    pub message: String,
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

/// The offline guardrail for one partner (`tongban_core::offline`): shown in the status bar, the
/// intake dialog and 合作地区 once past the warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct OfflineNotice {
    pub region: String,
    pub name: String,
    pub level: tongban_core::offline::OfflineLevel,
    /// RFC 3339: the last successful sync, or when the partner was set up if it never synced.
    pub since: String,
    pub synced_ever: bool,
    #[ts(type = "number")]
    pub days: i64,
    /// Since when, and what to do, in Chinese.
    pub message: String,
}

impl From<tongban_store::PartnerOffline> for OfflineNotice {
    fn from(p: tongban_store::PartnerOffline) -> OfflineNotice {
        OfflineNotice {
            region: p.region,
            name: p.name,
            level: p.verdict.level,
            since: p.verdict.since.to_rfc3339(),
            synced_ever: p.verdict.synced_ever,
            days: p.verdict.days,
            message: p.verdict.message,
        }
    }
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
    /// Cases whose 一次性告知书 is past its 告知期限 (5 working days), and those due today.
    #[ts(type = "number")]
    pub notices_overdue: u64,
    #[ts(type = "number")]
    pub notices_due_today: u64,
    /// The machine's clock cannot be true (2001 after a dead CMOS battery, behind what this desk
    /// already recorded): no case is taken in until it is set right.
    pub clock_warning: Option<String>,
    /// Partners past the offline guardrail's warning (or refusal), most days first.
    pub offline: Vec<OfflineNotice>,
    /// Partners whose last 对账 found something to look at.
    pub reconciliation_news: Vec<crate::reconciliation::ReconciliationNews>,
    /// Grows whenever the desk's cases change (the newest event's sequence number): a view whose
    /// list is older reads it again, so a partner's decision shows without touching the window.
    #[ts(type = "number")]
    pub data_version: i64,
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
    /// 承诺办结, `YYYY-MM-DD`, or why there is none yet (as printed on the 台账).
    pub deadline: String,
    pub deadline_estimated: bool,
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
    /// Cases whose 一次性告知书 is due today or overdue (告知期限, 行政许可法 §32), the earliest first.
    pub notices_due: Vec<CaseRow>,
    /// More owe a notice than the list shows.
    pub notices_due_more: bool,
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
    /// What the hub holds this desk to be: 「窗口受理台 A1：仅本受理台收件的办件」, once it said.
    pub identity: Option<String>,
    /// Why the hub refused this desk last time (another desk holds its code, …).
    pub identity_problem: Option<String>,
    /// Cases and the credential cross the network to this hub unencrypted (plain http off this
    /// machine, allowed by an admin): shown as a warning.
    pub unencrypted: bool,
    /// The hub's certificate is checked against a CA given for this partner.
    pub own_ca: bool,
    /// The fingerprint of the key the hub seals its decisions with, as pinned here ("3F2A 9C1E
    /// …"), for the admin to compare with the partner's letter; absent until the first contact.
    pub signing_key_fingerprint: Option<String>,
    /// The key was entered by an admin, not taken on first contact.
    pub signing_key_by_admin: bool,
    /// The offline guardrail, once past its warning.
    pub offline: Option<OfflineNotice>,
}

/// Adding or changing a partner's hub.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct PartnerForm {
    pub region: String,
    pub name: String,
    pub url: String,
    /// Empty or null keeps the configured one (when editing).
    pub credential: Option<String>,
    /// An admin allows a plain `http://` address off this machine (a closed 政务外网 segment).
    #[serde(default)]
    pub allow_plain_http: bool,
    /// PEM certificate of the CA that signs the hub's certificate, when the system does not
    /// trust it (a province's private CA). Null keeps the configured one; empty removes it.
    #[serde(default)]
    pub ca_cert: Option<String>,
    /// The hub's public key for its seals (64 hex digits) from the partner's letter: pinned at
    /// once, instead of on first contact. Null or empty keeps what is pinned.
    #[serde(default)]
    pub signing_key: Option<String>,
}

/// Everything the case detail view shows about one case, ready to display: names resolved,
/// 证件号码 masked, times in Beijing time (`YYYY-MM-DD HH:MM`), and the actions its status allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseDetail {
    pub id: String,
    pub number: String,
    pub status: CaseStatus,
    pub status_label: String,
    pub item: ItemLine,
    /// A 一件事's items, each with its own department; empty for a single item.
    pub bundle_items: Vec<ItemLine>,
    pub catalog_version: Option<String>,
    pub receiving_region: String,
    pub receiving_region_name: String,
    pub handling_region: String,
    /// Full name, e.g. 北京市丰台区.
    pub handling_region_name: String,
    pub window: String,
    pub applicant: PartyView,
    pub agent: Option<PartyView>,
    /// e.g. 网络流转、邮寄纸质材料.
    pub transfer_label: String,
    pub transfer_waybill: Option<String>,
    /// e.g. 窗口领取, or 邮寄送达：收件人 电话 地址.
    pub delivery_label: String,
    /// The waybill of the mailed result, once 结果已寄出.
    pub result_waybill: Option<String>,
    pub received_at: String,
    pub clerk_name: String,
    /// 承诺办结 date, `YYYY-MM-DD`; null while the clock has not started or stands still.
    pub deadline: Option<String>,
    pub deadline_estimated: bool,
    /// Why there is no deadline: 「材料补齐之日起计算」, 「补正期间暂停计时」.
    pub clock_note: Option<String>,
    pub promised_days: u32,
    /// Working days past the deadline; 0 when not overdue.
    #[ts(type = "number")]
    pub overdue_days: i64,
    /// 告知期限: a 一次性告知书 is owed by this day.
    pub notice_due: Option<DueDate>,
    /// The rule beside the 告知期限: §32's 逾期视为受理 only for a 行政许可.
    pub notice_rule: String,
    /// 补正期限: the applicant was told to bring the materials by this day.
    pub supplement_due: Option<DueDate>,
    /// 容缺补齐期限: the materials taken in on trust (容缺受理) are owed by this day.
    pub owed_due: Option<DueDate>,
    /// 承诺时限 in words: 「当场办结」, 「15个工作日」, 「30日」.
    pub promise_label: String,
    pub pending_sync: bool,
    /// 待同步 or 已同步.
    pub sync_label: String,
    pub note: String,
    pub materials: Vec<MaterialView>,
    /// 寄递: the packages the case's paper travelled in, oldest first.
    pub packages: Vec<crate::PackageView>,
    /// Where each original is (received materials with paper originals).
    pub originals: Vec<crate::OriginalView>,
    /// Oldest first.
    pub history: Vec<HistoryEntry>,
    /// Oldest first.
    pub prints: Vec<PrintView>,
    pub actions: Vec<CaseAction>,
}

/// An item as the case took it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ItemLine {
    pub code: String,
    pub name: String,
    pub department: String,
    pub promised_days: u32,
    /// 「当场办结」, 「15个工作日」, 「30日」.
    pub promise_label: String,
    /// 事项类型 (empty when the catalog did not say).
    pub kind_label: String,
    /// 设定依据 as the case carries it from the catalog.
    pub basis: String,
    /// 受理条件 from the catalog version the case was taken in under (empty when this desk does
    /// not hold it or the guide states none).
    pub conditions: String,
    /// 决定机构: the catalog's, else the department.
    pub decided_by: String,
    /// 收费 with its 收费依据, 「工本费20元（收费依据：…）」; for a case taken in before the fee
    /// was carried, from the catalog version it names; empty when neither says.
    pub fee: String,
}

/// The applicant or the agent, with the 证件号码 masked ([`crate::Desk::reveal_id_number`] shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PartyView {
    /// 自然人, 法人或其他组织, or the agent's role (帮办代办 / 委托代理).
    pub kind_label: String,
    pub name: String,
    /// 居民身份证 …, or 统一社会信用代码.
    pub id_label: String,
    pub id_masked: String,
    pub phone: String,
    pub address: String,
    /// An enterprise's 法定代表人 and 联系人; empty otherwise.
    pub legal_representative: String,
    pub contact_name: String,
}

/// Whose 证件号码 to reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Applicant,
    Agent,
}

/// One material of a case as it is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct MaterialView {
    /// Its place in the case's list, what [`MaterialTick::position`] refers to.
    pub position: u32,
    pub name: String,
    pub form_label: String,
    pub copies: u32,
    pub required: bool,
    pub received: bool,
    pub original_verified: bool,
    /// Required and not received (nor replaced by an alternative, nor owed).
    pub missing: bool,
    /// 容缺: taken in on trust, to follow by the case's 容缺补齐期限.
    pub owed: bool,
    /// 份数 in words: 「1」, 「原件1份、复印件1份」.
    pub counts: String,
    /// 任选其一: the group it belongs to; empty when it stands alone.
    pub choice: String,
    /// 容缺受理: 「5个工作日内补齐」, empty when it may not follow.
    pub deferral: String,
    pub condition: String,
    pub standard: String,
    pub note: String,
    /// 电子证照 cited instead of paper, e.g. 居民户口簿 No.… (签发机关).
    pub e_license: Option<String>,
    pub scans: Vec<ScanView>,
}

/// A scan kept in the desk's blobs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScanView {
    pub sha256: String,
    pub file_name: String,
    #[ts(type = "number")]
    pub size: u64,
    pub media_type: String,
}

/// One event of the case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct HistoryEntry {
    pub at: String,
    /// The user's name when this desk knows them, else the login.
    pub by: String,
    /// 受理地 or 办理地.
    pub side_label: String,
    pub region_name: String,
    /// What happened, e.g. 收件, 要求补正.
    pub what: String,
    /// What the event carries: a reason, a list, a waybill, the materials received.
    pub details: Vec<String>,
    /// Still waiting in the outbox for a hub.
    pub pending_sync: bool,
    /// Kept for the audit but not counted: 「已被取代：…」 (another desk's decision was admitted
    /// first) or 「已放弃：…」 (an admin gave it up), with why.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set_aside: Option<String>,
    /// The deciding region's hub's seal, checked again now against the key pinned for it:
    /// 「已验证：北京市丰台区通办中心签发」, or why it no longer holds. Absent for this desk's own
    /// events and for those of a hub whose key is not pinned.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal: Option<SealView>,
}

/// What a pulled event's seal says now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SealView {
    /// The seal holds for the event as stored.
    pub verified: bool,
    pub text: String,
}

/// One print of one of the case's forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PrintView {
    #[ts(type = "number")]
    pub id: i64,
    pub form: FormKind,
    pub form_label: String,
    pub at: String,
    pub by: String,
    /// 补打.
    pub reprint: bool,
}

/// What the clerk can do with a case now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseActionKind {
    /// 补正收件: the applicant brought materials (待补正, 需补正, 补正中).
    Complete,
    /// 结果已送达.
    Deliver,
    PrintReceipt,
    PrintNotice,
    /// 办理决定, on the handling region's desk (its back office), for a partner's case.
    Decide,
    /// 寄出原件: the receiving desk mails the paper to the handling region.
    MailOriginals,
    /// 签收原件, on the handling region's desk: a package of originals arrived.
    SignOriginals,
    /// 签收结果: the mailed result arrived at the receiving hall.
    SignResult,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CaseAction {
    pub kind: CaseActionKind,
    /// The button's text, e.g. 补打收件登记表.
    pub label: String,
    /// The key that triggers it in the detail view, e.g. F3.
    pub shortcut: String,
}

/// 补正收件: which materials the applicant brought now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct Completion {
    pub materials: Vec<MaterialTick>,
    /// What happens to the printed 收件登记表 (or new 一次性告知书).
    pub then: Option<AfterPrint>,
}

/// One material brought (or scanned) now.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct MaterialTick {
    pub position: u32,
    pub received: bool,
    pub original_verified: bool,
    /// SHA-256 of scans to attach (from [`crate::Desk::attach_scan`]).
    pub scans: Vec<String>,
}

/// What 补正收件 did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Completed {
    pub status: CaseStatus,
    pub status_label: String,
    /// Required materials still missing (a new 一次性告知书 lists them).
    pub missing: Vec<String>,
    /// The form printed: the 收件登记表, or a new 一次性告知书 if something is still missing.
    pub form: FormKind,
    pub print: Option<PrintOutcome>,
    /// The materials were recorded but the form could not be printed: why, in Chinese. The
    /// window offers to print again.
    pub print_error: Option<String>,
}

/// How the result reached the applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryWay {
    /// 窗口领取.
    AtWindow,
    /// 邮寄送达.
    Mail,
}

/// 结果已送达, as the clerk records it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct DeliveryRecord {
    pub way: DeliveryWay,
    /// The waybill, required when mailed.
    pub waybill: Option<String>,
    pub note: Option<String>,
}

/// The scanner's output folder and its newest scans, for picking one instead of browsing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScannerFolder {
    /// Null until a folder is set.
    pub folder: Option<String>,
    /// Newest first: files whose first bytes say PDF, JPEG, PNG or TIFF.
    pub files: Vec<ScannerFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ScannerFile {
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
    /// When the scanner wrote it, Beijing time `YYYY-MM-DD HH:MM`.
    pub modified: String,
}

/// Who is logged in to the window and what their role lets them do, so the window shows only
/// the views they may use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SessionView {
    pub login: String,
    pub display_name: String,
    /// clerk / helper / back_office / supervisor / admin.
    pub role: String,
    /// 窗口受理, 帮办代办, 后台审批, 督查, 管理员.
    pub role_label: String,
    /// Locked after idle or by the user: the screen is hidden until the password is given again.
    pub locked: bool,
    /// 收件 (clerk, helper, admin).
    pub can_take_in: bool,
    /// 办理决定 for the handling region's back office (back_office, admin).
    pub can_decide: bool,
    /// 督查: the day's ledger and counts (supervisor, admin).
    pub can_supervise: bool,
    /// 用户管理 and the desk's settings (admin).
    pub can_administer: bool,
}

/// What the login screen shows before anyone logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LoginInfo {
    /// Minutes without activity before the window locks itself.
    pub idle_lock_minutes: u32,
    /// Only on the demo desk: its accounts and their shared password, so a newcomer can log in.
    pub demo: Option<DemoLogin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DemoLogin {
    pub accounts: Vec<AccountView>,
    pub password: String,
}

/// A user as the 用户管理 dialog lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AccountView {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub role_label: String,
    pub disabled: bool,
    /// False for users made before passwords existed: they log in once an admin sets one.
    pub has_password: bool,
}

/// A role to pick from, with its Chinese name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RoleOption {
    pub value: String,
    pub label: String,
}

/// A user an admin adds; the password is typed twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub role: String,
    pub password: String,
    pub password_again: String,
}

/// The first-run screen's 从备份恢复: the backup folder, and either an admin's login and password
/// as of the backup or the recovery key (when `login` is empty).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct RestoreForm {
    pub from: String,
    pub login: String,
    pub password: String,
    pub recovery_key: String,
}

/// A restore done: what came back and what the first sync will do, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RestoreOutcome {
    pub message: String,
}

/// The first-run screen: the desk, the hall's printed texts and the first admin.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct DeskSetupForm {
    /// GB/T 2260 code of this desk's region.
    pub region: String,
    /// 政务服务中心 name.
    pub hall: String,
    /// 窗口 name.
    pub window_name: String,
    /// 窗口代码: 1 to 4 letters or digits, unique in the region.
    pub desk_code: String,
    pub address: String,
    pub phone: String,
    pub office_hours: String,
    pub admin_login: String,
    pub admin_name: String,
    pub password: String,
    pub password_again: String,
}

/// The defaults the first-run screen starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SetupDefaults {
    pub office_hours: String,
    #[ts(type = "number")]
    pub min_password_chars: u32,
}

/// One line of the region type-ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RegionChoice {
    pub code: String,
    /// Full name, e.g. 河南省南阳市新野县.
    pub name: String,
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
    /// On 待受理: the partner's cases (matching the search) that are not here, and why, e.g.
    /// 「另有 1 件待补正：…受理窗口补正收件后才进入待受理」. `None` when there is nothing to say.
    pub hint: Option<String>,
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
    /// When `options` is empty: why there is nothing to decide, and what comes next.
    pub why_none: Option<String>,
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
    /// Who decided: the approver's name (赵敏), else their login.
    pub by: String,
    /// Set when this decision took the place of one this desk made (the hub admitted it first):
    /// what this desk's was.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded: Option<String>,
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
    /// An admin may give it up instead (放弃, with a reason); an intake never (the case would go).
    pub discardable: bool,
}

/// Which audit entries to show: any of a person (login), a case (办件编号), a kind, a range of
/// days (`YYYY-MM-DD`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, TS)]
pub struct AuditQuery {
    pub person: Option<String>,
    pub case_number: Option<String>,
    /// An `AuditKind` (`login`, `id_reveal`, …) or its Chinese label.
    pub kind: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: u32,
    pub page_size: u32,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditLine {
    #[ts(type = "number")]
    pub seq: i64,
    /// Beijing time, to the second.
    pub at: String,
    pub login: String,
    /// 张敏（zhangmin）, or 本机 for the desk itself.
    pub person: String,
    pub kind: String,
    pub kind_label: String,
    pub case_number: Option<String>,
    pub detail: String,
    /// The entry's chain hash, its first 16 hex digits.
    pub hash_prefix: String,
}

/// A page of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AuditPage {
    pub rows: Vec<AuditLine>,
    #[ts(type = "number")]
    pub total: u64,
    /// The kinds to filter by, with their Chinese names.
    pub kinds: Vec<KindOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct KindOption {
    pub value: String,
    pub label: String,
}

/// The recovery key while it is still to be handed out: 11 groups of five characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RecoveryKeyView {
    pub groups: Vec<String>,
}

/// The 备份 dialog: the last backup, the automatic backup's settings, and the warning to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupView {
    /// Beijing time, `YYYY-MM-DD HH:MM`; null before the first backup.
    pub last_at: Option<String>,
    pub last_path: Option<String>,
    /// The daily backup's folder; empty: none.
    pub folder: String,
    pub keep: u32,
    pub warn_days: u32,
    /// The last backup is older than `warn_days`, or there is none (Chinese).
    pub warning: Option<String>,
    /// The backup this desk was restored from, said in Chinese.
    pub restored_from: Option<String>,
}

/// The 备份 dialog's settings as the admin typed them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct BackupSettings {
    pub folder: String,
    pub keep: u32,
    pub warn_days: u32,
}

/// Where a backup stands, pushed to the window as the `backup-progress` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupStep {
    pub stage: String,
    /// 0–100 over the whole backup.
    pub percent: u32,
}

/// A finished backup, for the dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupResult {
    pub path: String,
    pub summary: String,
}
