//! Pushing events to a hub and pulling what is new since a cursor.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_core::case::{CaseEvent, CaseId, EventKind};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{ErrorBody, ErrorCode};

/// `POST /v1/events`: events from a desk's outbox, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    pub events: Vec<CaseEvent>,
}

/// One outcome per pushed event, in the order of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    pub outcomes: Vec<PushOutcome>,
}

/// What the hub did with one event. `accepted` and `duplicate` both mean "the hub has it": the
/// desk takes the event out of its outbox. `rejected` means it never will: the desk quarantines
/// the event with the message, except `missing_blob`, which clears once the scan is uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PushOutcome {
    /// New on the hub, stored under sequence number `seq`.
    Accepted { id: Uuid, seq: u64 },
    /// The hub already had this event with the same content (a retried push).
    Duplicate { id: Uuid, seq: u64 },
    /// Refused; nothing was stored for this event. `field` names the field at fault, when one is.
    Rejected {
        id: Uuid,
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
}

impl PushOutcome {
    pub fn rejected(id: Uuid, error: ErrorBody) -> PushOutcome {
        PushOutcome::Rejected { id, code: error.code, message: error.message, field: error.field }
    }

    pub fn id(&self) -> Uuid {
        match self {
            PushOutcome::Accepted { id, .. } | PushOutcome::Duplicate { id, .. } | PushOutcome::Rejected { id, .. } => {
                *id
            }
        }
    }

    /// The hub holds the event: it may leave the outbox.
    pub fn is_stored(&self) -> bool {
        !matches!(self, PushOutcome::Rejected { .. })
    }
}

/// Pull page sizes: the default when `limit` is absent, and the most a hub returns at once.
pub const PULL_LIMIT_DEFAULT: u32 = 200;
pub const PULL_LIMIT_MAX: u32 = 1000;

/// The most one event takes as JSON in a pulled page, for a reader's budget (an intake with its
/// materials and scans is a few KiB; the hub admits nothing near this).
pub const MAX_EVENT_JSON: usize = 64 * 1024;

/// The most a page of `limit` events can take as JSON: what a desk reads before it refuses.
pub fn max_pull_page(limit: u32) -> usize {
    (limit.clamp(1, PULL_LIMIT_MAX) as usize + 1) * MAX_EVENT_JSON
}

/// `GET /v1/events?since=N&limit=M`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The cursor: the `next_cursor` of the previous page, 0 for the start.
    #[serde(default)]
    pub since: u64,
    /// At most this many events (1 to 1000, default 200).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of the events the credential may see, in the hub's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    pub events: Vec<SequencedEvent>,
    /// Pass as `since` for the next page. Equals the request's `since` when nothing is new.
    pub next_cursor: u64,
    /// More events are ready now: pull again without waiting.
    pub has_more: bool,
}

/// An event with the sequence number the hub gave it when it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SequencedEvent {
    pub seq: u64,
    pub event: CaseEvent,
    /// The hub's seal on the event: an Ed25519 signature (128 hex digits) by the key `/health`
    /// presents, over `tongban_core::seal::message(hub region, event)`. Absent only from hubs
    /// of before seals, which had no key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_is_tagged_and_flat() {
        let id = Uuid::nil();
        let rejected = PushOutcome::rejected(id, ErrorBody::new(ErrorCode::WrongSide, "「受理」只能由办理地录入"));
        let json = serde_json::to_value(&rejected).unwrap();
        assert_eq!(json["outcome"], "rejected");
        assert_eq!(json["code"], "wrong_side");
        assert!(!rejected.is_stored());
        assert!(PushOutcome::Duplicate { id, seq: 3 }.is_stored());
        assert_eq!(serde_json::from_value::<PushOutcome>(json).unwrap(), rejected);
    }
}

/// `GET /v1/reconciliation?from=…&to=…&since=N&limit=M` (对账): what the hub holds of the
/// credential's cases for the days `from` to `to` (Beijing time, both included), without content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReconciliationQuery {
    /// The first day, `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// The last day, `YYYY-MM-DD` (at most 366 days after `from`).
    pub to: NaiveDate,
    /// The cursor: the `next_cursor` of the previous page, 0 for the start.
    #[serde(default)]
    pub since: u64,
    /// At most this many events (1 to 5000, default 2000).
    #[serde(default)]
    pub limit: Option<u32>,
}

pub const RECONCILIATION_LIMIT_DEFAULT: u32 = 2000;
pub const RECONCILIATION_LIMIT_MAX: u32 = 5000;
/// The longest period one reconciliation covers.
pub const RECONCILIATION_MAX_DAYS: i64 = 366;

/// The instants `[start, end)` a reconciliation of the days `from` to `to` (Beijing, both
/// included) covers, or, in Chinese, why the period is refused: backwards, longer than
/// [`RECONCILIATION_MAX_DAYS`], or at the edge of what dates hold. The hub and the desk both ask.
pub fn reconciliation_window(from: NaiveDate, to: NaiveDate) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let refused =
        || format!("对账期间 {from} 至 {to} 无效：截止日期不得早于起始日期，期间至多 {RECONCILIATION_MAX_DAYS} 天");
    if !(0..RECONCILIATION_MAX_DAYS).contains(&(to - from).num_days()) {
        return Err(refused());
    }
    let start = tongban_core::time::beijing_midnight(from);
    let end = to.succ_opt().and_then(tongban_core::time::beijing_midnight);
    start.zip(end).ok_or_else(refused)
}

/// One event as the hub holds it: enough to compare, nothing of the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeldEvent {
    pub seq: u64,
    pub id: Uuid,
    pub case_id: CaseId,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
}

/// One page of a reconciliation, in the hub's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReconciliationPage {
    pub events: Vec<HeldEvent>,
    /// Pass as `since` for the next page.
    pub next_cursor: u64,
    pub has_more: bool,
}

#[cfg(test)]
mod reconciliation_tests {
    use super::*;

    #[test]
    fn a_period_is_a_year_at_most_forwards_and_never_past_the_edge_of_dates() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let (start, end) = reconciliation_window(day(2026, 12, 1), day(2026, 12, 7)).unwrap();
        assert_eq!(start.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-07T16:00:00+00:00");
        assert!(reconciliation_window(day(2026, 12, 7), day(2026, 12, 1)).is_err());
        assert!(reconciliation_window(day(2026, 1, 1), day(2027, 1, 1)).is_ok(), "366 days");
        assert!(reconciliation_window(day(2026, 1, 1), day(2027, 1, 2)).is_err());
        // The last and first days dates hold: refused, not a panic.
        let last = reconciliation_window(NaiveDate::MAX - chrono::Duration::days(1), NaiveDate::MAX);
        assert!(last.unwrap_err().contains("无效"));
        assert!(reconciliation_window(NaiveDate::MIN, NaiveDate::MIN).is_err());
    }
}
