//! `PUT /v1/desk`: a desk confirms who it is under its credential.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use tongban_wire::desks::{DeskClaim, DeskConfirmation};
use tongban_wire::ErrorBody;

use super::error::ApiError;
use super::extract::{Caller, JsonBody};
use super::AppState;
use crate::credentials::Role;

/// Confirm the desk's identity: its region and desk code must be the credential's, and the first
/// desk to confirm a credential is bound to it (by `desk_id`). A second desk presenting the same
/// token (set up with the same code) is refused with `desk_code_taken`; confirming again from the
/// same desk changes nothing. Every sync round starts here, so a desk learns at once that its
/// code is another's, or that its credential was revoked.
#[utoipa::path(
    put, path = "/v1/desk", tag = "desks",
    request_body = DeskClaim,
    responses(
        (status = 200, description = "受理台身份已确认", body = DeskConfirmation),
        (status = 400, body = ErrorBody),
        (status = 401, description = "凭据无效，或已被吊销（credential_revoked）", body = ErrorBody),
        (status = 403, description = "管理员凭据、地区不符，或凭据签发时未指定窗口代码", body = ErrorBody),
        (status = 409, description = "窗口代码与凭据不符（desk_code_mismatch），或已由另一台受理台确认（desk_code_taken）", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn confirm(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(claim): JsonBody<DeskClaim>,
) -> Result<Json<DeskConfirmation>, ApiError> {
    caller.require(&Role::DESKS, "确认受理台身份")?;
    let Caller(credential) = caller;
    Ok(Json(state.run(move |hub| hub.confirm_desk(&credential, &claim, Utc::now())).await?))
}
