//! The handling region's side: its inbox of cases and the decisions its back office posts.
//!
//! A decision is the handling side's event in a form a partner system can post without knowing
//! the event format: the hub turns it into the event, authored by the credential's desk and
//! region, and admits it exactly as if it had been pushed to `/v1/events`. A back-office desk
//! with an outbox may push the events directly instead; both paths meet in one admission check.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tongban_core::case::{CaseEvent, CaseId, CaseNumber, CaseStatus, EventBody};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `GET /v1/inbox`: filters and paging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only cases in this status.
    #[serde(default)]
    pub status: Option<CaseStatus>,
    /// The `next_after` of the previous page.
    #[serde(default)]
    pub after: Option<u64>,
    /// At most this many cases (1 to 1000, default 200).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of the inbox, oldest case first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InboxPage {
    pub cases: Vec<InboxCase>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<u64>,
}

/// A case addressed to the hub's region, as the back office's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InboxCase {
    pub case_id: CaseId,
    pub number: CaseNumber,
    pub status: CaseStatus,
    /// The status in Chinese (已收件, 已受理, …).
    pub status_label: String,
    pub applicant_name: String,
    pub item_code: String,
    pub item_name: String,
    /// 受理地 (GB/T 2260).
    pub receiving_region: String,
    pub received_on: NaiveDate,
    /// When the hub stored the case's latest event.
    pub updated_at: DateTime<Utc>,
}

/// `POST /v1/cases/{case_id}/decisions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionRequest {
    /// Made by the client (UUID v7), so a retried post is recognised: the same id with the same
    /// decision answers with the event already made, a different decision is `event_conflict`.
    pub event_id: Uuid,
    /// The back-office user who decided (recorded as the event's author).
    pub user: String,
    /// The user's display name (赵敏), shown by the receiving desk.
    #[serde(default)]
    pub user_name: String,
    pub decision: Decision,
}

/// What the handling region decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Decision {
    /// 受理.
    Accept,
    /// 不予受理, with the reason given to the applicant.
    Refuse { reason: String },
    /// 需补正: what the applicant must still bring.
    RequestSupplement {
        items: Vec<String>,
        #[serde(default)]
        note: String,
    },
    /// 办理中.
    StartProcessing,
    /// 办结: 准予 (`approved: true`) or 不予.
    Conclude {
        approved: bool,
        #[serde(default)]
        note: String,
    },
    /// 结果已寄出, with the EMS waybill.
    MailResult { waybill: String },
}

impl Decision {
    /// The event body this decision records.
    pub fn into_event_body(self) -> EventBody {
        match self {
            Decision::Accept => EventBody::Accepted,
            Decision::Refuse { reason } => EventBody::Refused { reason },
            Decision::RequestSupplement { items, note } => EventBody::SupplementRequested { items, note },
            Decision::StartProcessing => EventBody::Processing,
            Decision::Conclude { approved, note } => EventBody::Concluded { approved, note },
            Decision::MailResult { waybill } => EventBody::ResultMailed { waybill },
        }
    }
}

/// The event the decision became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionResponse {
    pub seq: u64,
    /// True when this answers a retry of a decision already recorded.
    pub duplicate: bool,
    pub event: CaseEvent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_reads_from_tagged_json_and_becomes_its_event() {
        let request: DecisionRequest = serde_json::from_str(
            r#"{"event_id":"0191e6a4-0000-7000-8000-000000000001","user":"李审批",
                "decision":{"type":"request_supplement","items":["户口簿原件"]}}"#,
        )
        .unwrap();
        assert_eq!(
            request.decision.into_event_body(),
            EventBody::SupplementRequested { items: vec!["户口簿原件".into()], note: String::new() }
        );
        let refuse: Decision = serde_json::from_str(r#"{"type":"refuse","reason":"不属于本地管辖"}"#).unwrap();
        assert_eq!(refuse.into_event_body(), EventBody::Refused { reason: "不属于本地管辖".into() });
    }
}
