//! The back office's inbox and decisions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use tongban_wire::decisions::{DecisionRequest, DecisionResponse, InboxPage, InboxQuery};
use tongban_wire::ErrorBody;

use super::error::ApiError;
use super::extract::{page_limit, Caller, CasePath, JsonBody, QueryParams};
use super::AppState;
use crate::credentials::{confirmed_desk, desk_code_of, Role};
use crate::ledger::{INBOX_LIMIT_DEFAULT, INBOX_LIMIT_MAX};

/// The cases addressed to this hub's region (back office only).
#[utoipa::path(
    get, path = "/v1/inbox", tag = "cases",
    params(InboxQuery),
    responses(
        (status = 200, body = InboxPage),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn inbox(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(mut query): QueryParams<InboxQuery>,
) -> Result<Json<InboxPage>, ApiError> {
    caller.require(&[Role::BackOffice], "查看本地区收件箱")?;
    desk_code_of(&caller.0)?;
    query.limit = Some(page_limit(query.limit, INBOX_LIMIT_DEFAULT, INBOX_LIMIT_MAX)?);
    Ok(Json(state.run(move |hub| hub.inbox(&query)).await?))
}

/// Record a decision on a case (back office only). The hub makes the handling side's event,
/// authored by the credential's desk and region, and admits it like a pushed event.
#[utoipa::path(
    post, path = "/v1/cases/{case_id}/decisions", tag = "cases",
    params(("case_id" = uuid::Uuid, Path, description = "办件的 UUID")),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "已记录", body = DecisionResponse),
        (status = 200, description = "同一决定的重试：返回先前记录的事件", body = DecisionResponse),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "办件不存在", body = ErrorBody),
        (status = 409, description = "与办件状态不符；同一事件编号已用于不同决定；另一后台的决定已先被采纳（superseded）；受理台尚未确认身份", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    CasePath(case_id): CasePath,
    JsonBody(request): JsonBody<DecisionRequest>,
) -> Result<(StatusCode, Json<DecisionResponse>), ApiError> {
    caller.require(&[Role::BackOffice], "作出办理决定")?;
    confirmed_desk(&caller.0)?;
    let Caller(credential) = caller;
    let response = state.run(move |hub| hub.decide(&credential, case_id, request, Utc::now())).await?;
    let status = if response.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(response)))
}
