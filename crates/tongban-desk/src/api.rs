//! The types that cross into the window. Each derives `ts_rs::TS`; `tests/bindings.rs` writes
//! them to `ui/src/bindings/` and fails when the committed files differ.

use serde::{Deserialize, Serialize};
use tongban_core::case::CaseStatus;
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
