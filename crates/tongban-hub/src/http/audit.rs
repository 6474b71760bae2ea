//! `POST /v1/audit/head`.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use tongban_wire::audit::{AuditHeadAnswer, AuditHeadReport};
use tongban_wire::ErrorBody;

use super::error::ApiError;
use super::extract::{Caller, JsonBody};
use super::AppState;
use crate::credentials::Role;

/// Keep a desk's audit chain head; the answer holds the head kept before, for the desk to check
/// that its chain still contains it.
#[utoipa::path(
    post, path = "/v1/audit/head", tag = "audit",
    request_body = AuditHeadReport,
    responses(
        (status = 200, body = AuditHeadAnswer),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn report_head(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(report): JsonBody<AuditHeadReport>,
) -> Result<Json<AuditHeadAnswer>, ApiError> {
    caller.require(&[Role::Window, Role::Helper, Role::BackOffice, Role::Supervisor], "报告审计链头")?;
    let Caller(credential) = caller;
    Ok(Json(state.run(move |hub| hub.report_audit_head(&credential, &report, Utc::now())).await?))
}
