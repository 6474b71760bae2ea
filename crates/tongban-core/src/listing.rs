//! A case as the queue and the 台账 list it: what the store fills in from its projection and
//! the forms print. Plain data: no storage here.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::case::{CaseId, CaseStatus, Transfer};
use crate::workdays::Deadline;

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    pub id: CaseId,
    pub number: String,
    pub status: CaseStatus,
    pub item_code: String,
    pub item_name: String,
    pub receiving_region: String,
    pub handling_region: String,
    pub applicant_name: String,
    pub applicant_id: String,
    pub clerk: String,
    pub received_at: DateTime<Utc>,
    pub received_on: NaiveDate,
    /// 承诺办结: `None` while it has not started (待补正) or stands still (需补正).
    pub deadline: Option<Deadline>,
    /// 告知期限: a 一次性告知书 is owed by this day.
    pub notice_due: Option<Deadline>,
    /// 补正期限: the applicant was told to bring the materials by this day.
    pub supplement_due: Option<Deadline>,
    /// 容缺补齐期限: the materials taken on trust are owed by this day.
    pub owed_due: Option<Deadline>,
    /// Some event of the case still waits for a hub.
    pub pending_sync: bool,
    /// The clerk's display name as the intake carried it; empty for intakes made before names
    /// travelled with events.
    pub clerk_name: String,
}

/// One line of the 台账: the case as listed, plus what the ledger prints beyond the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    pub case: CaseSummary,
    /// The clerk's display name (the login if the user is unknown here).
    pub clerk_name: String,
    pub transfer: Transfer,
    /// The waybill of the mailed result, once 结果已寄出.
    pub result_waybill: Option<String>,
}
