//! The error body every 4xx and 5xx carries, and the per-event rejection of a push.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stable, machine-readable reason. Clients branch on this, never on the message text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed: bad JSON, a bad query string or path parameter, a missing header.
    BadRequest,
    /// The JSON is well-formed but not of the expected shape.
    InvalidBody,
    /// No credential, or one that is unknown or revoked.
    Unauthorized,
    /// The credential's role or region may not do this.
    Forbidden,
    /// No such route.
    NotFound,
    /// The route exists but not with this method.
    MethodNotAllowed,
    /// The body is larger than the hub accepts.
    PayloadTooLarge,
    /// The body is not `application/json` where JSON is expected.
    UnsupportedMediaType,
    /// More events in one push than the hub accepts; split the batch.
    BatchTooLarge,
    /// Too many requests from this credential (or address) in a short time; `Retry-After` says
    /// how long to wait.
    RateLimited,
    /// No case with this id on the hub.
    UnknownCase,
    /// No complete blob with this SHA-256 on the hub (or none the credential may read).
    UnknownBlob,
    /// The hub has not been given a catalog yet.
    NoCatalog,
    /// An event with this id exists with different content.
    EventConflict,
    /// The event does not fit the case's current status.
    InvalidTransition,
    /// The event kind belongs to the other side (受理地 / 办理地).
    WrongSide,
    /// The event's author region is not the credential's region.
    WrongRegion,
    /// The credential's region is neither the case's receiving nor its handling region, or the
    /// case is not addressed to this hub's region.
    NotParty,
    /// The event kind stays on the desk that made it (e.g. 已推送).
    LocalEvent,
    /// The event's content is incomplete (e.g. 不予受理 without a reason).
    InvalidEvent,
    /// The event refers to a scan the hub does not have yet: upload the blob, then push again.
    MissingBlob,
    /// A chunk's `Upload-Offset` is not where the upload stands; ask for the status and resume.
    OffsetMismatch,
    /// Another upload of the same blob is under way.
    UploadInProgress,
    /// The uploaded bytes do not hash to the SHA-256 named in the path; the partial was discarded.
    HashMismatch,
    /// A catalog with this version exists with different content.
    CatalogVersionExists,
    /// The credential was revoked: the desk must be given a new one (its cases stay on it).
    CredentialRevoked,
    /// A desk credential issued before desk codes: the hub's admin must issue a new one naming
    /// the desk code.
    CredentialOutdated,
    /// The desk has not confirmed its identity under this credential yet (`PUT /v1/desk`).
    DeskUnconfirmed,
    /// The desk's code is not the one the credential was issued for.
    DeskCodeMismatch,
    /// Another desk confirmed this credential (its desk code) first.
    DeskCodeTaken,
    /// The event names another desk as its author than the one the credential is bound to.
    WrongDesk,
    /// An intake's or 更正编号's 办件编号 is not of the credential's desk (region and desk code).
    NumberNotOwn,
    /// The 办件编号 is held by another case.
    NumberTaken,
    /// A field of an intake fails the validators (`field` names it).
    InvalidIntake,
    /// An intake's item or materials differ from the catalog version it names.
    CatalogMismatch,
    /// A decision from a region that does not handle the case.
    NotHandlingRegion,
    /// A receiving-side event on a case another desk took in.
    NotOwnCase,
    /// Another desk's decision on the case was admitted first: this one is not taken.
    Superseded,
    /// The hub holds no calendar for this year.
    UnknownCalendarYear,
    /// The hub holds this year's calendar with other content; a year never changes once published.
    CalendarYearExists,
    /// Something failed on the hub; retrying later may help.
    Internal,
    /// A code this client does not know yet (added by a newer hub).
    #[serde(other)]
    Other,
}

impl ErrorCode {
    /// The stable name, as serialised.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "bad_request",
            InvalidBody => "invalid_body",
            Unauthorized => "unauthorized",
            Forbidden => "forbidden",
            NotFound => "not_found",
            MethodNotAllowed => "method_not_allowed",
            PayloadTooLarge => "payload_too_large",
            UnsupportedMediaType => "unsupported_media_type",
            BatchTooLarge => "batch_too_large",
            RateLimited => "rate_limited",
            UnknownCase => "unknown_case",
            UnknownBlob => "unknown_blob",
            NoCatalog => "no_catalog",
            EventConflict => "event_conflict",
            InvalidTransition => "invalid_transition",
            WrongSide => "wrong_side",
            WrongRegion => "wrong_region",
            NotParty => "not_party",
            LocalEvent => "local_event",
            InvalidEvent => "invalid_event",
            MissingBlob => "missing_blob",
            OffsetMismatch => "offset_mismatch",
            UploadInProgress => "upload_in_progress",
            HashMismatch => "hash_mismatch",
            CatalogVersionExists => "catalog_version_exists",
            CredentialRevoked => "credential_revoked",
            CredentialOutdated => "credential_outdated",
            DeskUnconfirmed => "desk_unconfirmed",
            DeskCodeMismatch => "desk_code_mismatch",
            DeskCodeTaken => "desk_code_taken",
            WrongDesk => "wrong_desk",
            NumberNotOwn => "number_not_own",
            NumberTaken => "number_taken",
            InvalidIntake => "invalid_intake",
            CatalogMismatch => "catalog_mismatch",
            NotHandlingRegion => "not_handling_region",
            NotOwnCase => "not_own_case",
            Superseded => "superseded",
            UnknownCalendarYear => "unknown_calendar_year",
            CalendarYearExists => "calendar_year_exists",
            Internal => "internal",
            Other => "other",
        }
    }
}

/// The body of every error response: a code to branch on and a Chinese message to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// In Chinese, for the clerk; names the field or value at fault.
    pub message: String,
    /// The field at fault, as a path into the event (`intake.applicant.id_number`), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody { code, message: message.into(), field: None }
    }

    pub fn at_field(self, field: Option<String>) -> ErrorBody {
        ErrorBody { field, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_serialises_as_its_stable_name() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::EventConflict,
            ErrorCode::CatalogVersionExists,
            ErrorCode::CalendarYearExists,
            ErrorCode::Superseded,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }

    #[test]
    fn a_code_from_a_newer_hub_reads_as_other() {
        let body: ErrorBody = serde_json::from_str(r#"{"code":"quota_exceeded","message":"超出配额"}"#).unwrap();
        assert_eq!(body.code, ErrorCode::Other);
        assert_eq!(body.message, "超出配额");
    }
}
