//! The desk's audit chain head, kept by the hubs it syncs with. Each round a desk reports the
//! position and hash of its chain's last entry; the hub keeps every head it was told and answers
//! with the one it kept before. The desk checks that its chain still holds that entry with that
//! hash: a chain rewritten or cut short since the last round no longer does. The hub never moves
//! its kept head backwards, and keeps a refused report too, so its operator sees it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most a desk's own description of a break may hold, in bytes.
pub const MAX_BROKEN_LEN: usize = 2000;

/// The most a desk reads of the hub's answer, in bytes (two heads and a flag need a few hundred).
pub const MAX_AUDIT_ANSWER: usize = 4 * 1024;

/// `POST /v1/audit/head`: a desk's chain head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditHeadReport {
    /// The desk's id (the UUID made when it was set up).
    pub desk_id: String,
    /// The position of the chain's last entry (from 1; 0 for an empty chain).
    pub seq: u64,
    /// That entry's SHA-256, 64 lower-case hex digits.
    pub hash: String,
    /// The desk's own check found the chain broken: where and how, in Chinese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broken: Option<String>,
}

/// A head as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KeptHead {
    pub seq: u64,
    pub hash: String,
    /// When the hub received it.
    pub at: DateTime<Utc>,
}

/// The hub's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditHeadAnswer {
    /// False when the report went backwards (a shorter chain, or the same position with another
    /// hash): the hub keeps its head and records the report.
    pub accepted: bool,
    /// The head the hub kept before this report; `None` for a desk's first report.
    pub previous: Option<KeptHead>,
    /// The head the hub keeps now.
    pub kept: KeptHead,
}
