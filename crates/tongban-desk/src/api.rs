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
