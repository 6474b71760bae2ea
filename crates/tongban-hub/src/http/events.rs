//! `POST /v1/events` and `GET /v1/events`.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use tongban_wire::events::{
    PullQuery, PullResponse, PushRequest, PushResponse, ReconciliationPage, ReconciliationQuery, PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX, RECONCILIATION_LIMIT_DEFAULT, RECONCILIATION_LIMIT_MAX,
};
use tongban_wire::ErrorBody;

use super::error::ApiError;
use super::extract::{page_limit, Caller, JsonBody, QueryParams};
use super::AppState;
use crate::credentials::{confirmed_desk, Role};
use crate::HubError;

/// Push a batch of events, oldest first. Each event is admitted or rejected on its own.
///
/// Who may push what: a window or helper desk the events of the cases it takes in, under 办件编号
/// of its own desk code; the back office of the hub's region its decisions. A supervisor writes
/// nothing. The desk must have confirmed itself (`PUT /v1/desk`), and every event names it as
/// author. Intakes are checked with the desk's own validators and against the catalog version
/// they name; a decision that loses to another desk's admitted first is `superseded`.
#[utoipa::path(
    post, path = "/v1/events", tag = "events",
    request_body = PushRequest,
    responses(
        (status = 200, description = "每个事件一个结果，顺序与请求相同", body = PushResponse),
        (status = 400, description = "请求体不是有效的 JSON", body = ErrorBody),
        (status = 401, description = "缺少或无效的凭据", body = ErrorBody),
        (status = 403, description = "凭据角色无权推送（督查为只读）、凭据签发时未指定窗口代码", body = ErrorBody),
        (status = 409, description = "受理台尚未确认身份（desk_unconfirmed）", body = ErrorBody),
        (status = 413, description = "请求体过大或事件过多", body = ErrorBody),
        (status = 415, description = "请求体不是 JSON", body = ErrorBody),
        (status = 422, description = "请求体字段不符合要求", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    caller.require(&Role::WRITERS, "推送事件")?;
    confirmed_desk(&caller.0)?;
    let max = state.limits.max_push_batch;
    if request.events.len() > max {
        return Err(HubError::BatchTooLarge { max, got: request.events.len() }.into());
    }
    let Caller(credential) = caller;
    let outcomes = state.run(move |hub| hub.push(&credential, &request.events, Utc::now())).await?;
    Ok(Json(PushResponse { outcomes }))
}

/// Pull the events the credential may see, after the cursor `since`.
///
/// Scopes: a window or helper desk reads only the cases it took in (and the handling region's
/// events on them); a back-office desk of the hub's region reads its whole inbox; a supervisor
/// reads every case of its region on this hub, read-only.
#[utoipa::path(
    get, path = "/v1/events", tag = "events",
    params(PullQuery),
    responses(
        (status = 200, body = PullResponse),
        (status = 400, description = "查询参数不正确", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "管理员凭据不读取办件；凭据签发时未指定窗口代码", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<PullQuery>,
) -> Result<Json<PullResponse>, ApiError> {
    caller.require(&Role::DESKS, "读取办件事件")?;
    let limit = page_limit(query.limit, PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX)?;
    let Caller(credential) = caller;
    Ok(Json(state.run(move |hub| hub.pull(&credential, query.since, limit)).await?))
}

/// 对账: the events the hub holds of the credential's cases, dated in a period (Beijing days,
/// both included; at most 366), without content, for the desk to compare with its own records.
///
/// The scope is the pull's: a window or helper desk the cases it took in, a back office its
/// region's inbox, a supervisor its region's cases.
#[utoipa::path(
    get, path = "/v1/reconciliation", tag = "events",
    params(ReconciliationQuery),
    responses(
        (status = 200, body = ReconciliationPage),
        (status = 400, description = "查询参数不正确（日期、期间、limit）", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "管理员凭据不读取办件；凭据签发时未指定窗口代码", body = ErrorBody),
        (status = 422, description = "对账期间无效", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn reconciliation(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<ReconciliationQuery>,
) -> Result<Json<ReconciliationPage>, ApiError> {
    caller.require(&Role::DESKS, "对账")?;
    let limit = page_limit(query.limit, RECONCILIATION_LIMIT_DEFAULT, RECONCILIATION_LIMIT_MAX)?;
    let Caller(credential) = caller;
    let ReconciliationQuery { from, to, since, .. } = query;
    Ok(Json(state.run(move |hub| hub.reconciliation(&credential, from, to, since, limit)).await?))
}
