//! The error body every 4xx and 5xx carries, and the per-event rejection of a push.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stable, machine-readable reason (the hub's codes). Defined in the core, where the desk's
/// own codes join it in [`tongban_core::code::AppCode`]; its OpenAPI schema keeps this name.
pub use tongban_core::code::HubCode as ErrorCode;

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
