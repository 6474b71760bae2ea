//! The wire format between desks and region hubs, version 1.
//!
//! Everything a desk and a hub say to each other is a type in this crate, so the two cannot
//! drift apart, and the hub's OpenAPI document (`GET /v1/openapi.json`) is generated from these
//! same types for partners that bring their own system. Case events themselves are the domain
//! types of [`tongban_core::case`]; this crate only wraps them for transport.
//!
//! Compatibility rule: within `/v1`, fields may be added (readers ignore unknown fields) but never
//! removed or renamed, and a new error code reads as [`ErrorCode::Other`] on an older desk.
//!
//! - [`events`]: pushing a batch of events and pulling by cursor.
//! - [`decisions`]: the handling region's inbox and the decisions its back office posts.
//! - [`desks`]: a desk confirming who it is under its credential (region, desk code, scope).
//! - [`blobs`]: scans by SHA-256 with resumable upload.
//! - [`catalog`]: the region's catalog of items, carried as opaque JSON.
//! - [`calendar`]: working-day calendars, one year at a time, hashed by content.
//! - [`error`]: the one error body, `{code, message}`.
//! - [`audit`]: the desk's audit chain head, which the hubs keep.

pub mod audit;
pub mod blobs;
pub mod calendar;
pub mod catalog;
pub mod decisions;
pub mod desks;
pub mod error;
pub mod events;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use error::{ErrorBody, ErrorCode};

/// The routes of version 1, for clients. The hub declares the same strings on its handlers and
/// a hub test checks that each of these appears in its OpenAPI document.
pub mod paths {
    pub const HEALTH: &str = "/health";
    pub const OPENAPI: &str = "/v1/openapi.json";
    pub const EVENTS: &str = "/v1/events";
    pub const RECONCILIATION: &str = "/v1/reconciliation";
    pub const INBOX: &str = "/v1/inbox";
    /// `{case_id}` is the case's UUID.
    pub const DECISIONS: &str = "/v1/cases/{case_id}/decisions";
    /// `{sha256}` is 64 lower-case hex digits.
    pub const BLOB: &str = "/v1/blobs/{sha256}";
    pub const BLOB_STATUS: &str = "/v1/blobs/{sha256}/status";
    pub const CATALOG: &str = "/v1/catalog";
    pub const DESK: &str = "/v1/desk";
    pub const CALENDAR: &str = "/v1/calendar";
    /// `{year}` is four digits.
    pub const CALENDAR_YEAR: &str = "/v1/calendar/{year}";
    pub const AUDIT_HEAD: &str = "/v1/audit/head";

    /// `template` with its one `{...}` placeholder replaced by `value`.
    pub fn fill(template: &str, value: &str) -> String {
        match (template.find('{'), template.find('}')) {
            (Some(start), Some(end)) if start < end => {
                format!("{}{value}{}", &template[..start], &template[end + 1..])
            }
            _ => template.to_string(),
        }
    }
}

/// `GET /health`: answered without a credential, for load balancers and the desk's "online" light.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `"ok"` when the hub answers at all.
    pub status: String,
    /// The region this hub serves (GB/T 2260).
    pub region: String,
    /// The hub's software version.
    pub version: String,
    /// The hub's public key for the seals on the events it serves (64 hex digits, Ed25519).
    /// A desk pins it the first time (or an admin enters it when adding the partner) and
    /// refuses a hub that later presents another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signing_key: Option<String>,
    /// The database the hub keeps its tables in, `"sqlite"` or `"postgresql"`; the hub answered
    /// a query on it just now (when it cannot, `/health` is an error, so a load balancer takes
    /// the process out). Absent from hubs before PostgreSQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// True for 64 lower-case hexadecimal digits, the only form a blob's SHA-256 takes on the wire.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_template_is_filled_with_its_value() {
        assert_eq!(paths::fill(paths::BLOB_STATUS, "ab"), "/v1/blobs/ab/status");
        assert_eq!(paths::fill(paths::EVENTS, "x"), "/v1/events");
    }

    #[test]
    fn only_lower_case_hex_of_64_digits_is_a_sha256() {
        let ok = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert!(is_sha256_hex(ok));
        assert!(!is_sha256_hex(&ok.to_uppercase()));
        assert!(!is_sha256_hex(&ok[1..]));
        assert!(!is_sha256_hex(&ok.replace('e', "g")));
    }
}
