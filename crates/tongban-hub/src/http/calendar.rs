//! `GET /v1/calendar`, `GET` and `PUT /v1/calendar/{year}`: the working-day calendars desks install.

use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use tongban_wire::calendar::{index_etag, CalendarIndex, CalendarYearDocument, CalendarYearUpload, MAX_YEAR_DOCUMENT};
use tongban_wire::ErrorBody;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ApiError;
use super::extract::Caller;
use super::AppState;
use crate::catalog::Published;
use crate::credentials::Role;

/// The calendar routes, with a body limit of their own: a year is a few KB, so the hub never
/// reads the megabytes a push batch may take for one.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_index))
        .routes(routes!(get_year, put_year))
        .layer(DefaultBodyLimit::max(MAX_YEAR_DOCUMENT))
}

/// A year from the path: four digits.
pub struct YearPath(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for YearPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<YearPath, ApiError> {
        let Path(year) = Path::<String>::from_request_parts(parts, state).await?;
        match year.parse() {
            Ok(y) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => Ok(YearPath(y)),
            _ => Err(ApiError::bad_request(format!("「{year}」不是有效的年份：应为 4 位数字"))),
        }
    }
}

/// The upload, its size named by the calendar's own limit when exceeded.
pub struct YearUpload(pub CalendarYearUpload);

impl FromRequest<AppState> for YearUpload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<YearUpload, ApiError> {
        Json::<CalendarYearUpload>::from_request(req, state)
            .await
            .map(|Json(upload)| YearUpload(upload))
            .map_err(|r| ApiError::from_json(r, MAX_YEAR_DOCUMENT))
    }
}

fn quoted(tag: &str) -> String {
    format!("\"{tag}\"")
}

/// Every year of working-day calendar this hub holds, with each year's content hash.
#[utoipa::path(
    get, path = "/v1/calendar", tag = "calendar",
    params(("if-none-match" = Option<String>, Header, description = "先前取得的 ETag")),
    responses(
        (status = 200, body = CalendarIndex, headers(("etag" = String, description = "各年份及其校验值的 SHA-256，带引号"))),
        (status = 304, description = "本地副本已是最新"),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_index(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL, "读取节假日安排")?;
    let index = state.run(|hub| hub.calendar_index()).await?;
    let tag = quoted(&index_etag(&index));
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if current {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok(([(header::ETAG, tag)], Json(index)).into_response())
}

/// One year's working-day calendar, in the calendar line format.
#[utoipa::path(
    get, path = "/v1/calendar/{year}", tag = "calendar",
    params(("year" = String, Path, description = "年份（4 位数字）", pattern = "^[0-9]{4}$")),
    responses(
        (status = 200, body = CalendarYearDocument),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, description = "通办中心没有该年份", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_year(
    State(state): State<AppState>,
    caller: Caller,
    YearPath(year): YearPath,
) -> Result<Json<CalendarYearDocument>, ApiError> {
    caller.require(&Role::ALL, "读取节假日安排")?;
    Ok(Json(state.run(move |hub| hub.calendar_year(year)).await?))
}

/// Publish one year's working-day calendar (admin only). A year never changes content once held.
#[utoipa::path(
    put, path = "/v1/calendar/{year}", tag = "calendar",
    params(("year" = String, Path, description = "年份（4 位数字）", pattern = "^[0-9]{4}$")),
    request_body = CalendarYearUpload,
    responses(
        (status = 201, description = "已发布", body = CalendarYearDocument),
        (status = 200, description = "该年份已以相同内容发布", body = CalendarYearDocument),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "该年份已以不同内容发布", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, description = "不是恰好一年的有效节假日安排，或年份与地址不符", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn put_year(
    State(state): State<AppState>,
    caller: Caller,
    YearPath(year): YearPath,
    YearUpload(upload): YearUpload,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Admin], "发布节假日安排")?;
    let Caller(credential) = caller;
    let (published, document) =
        state.run(move |hub| hub.publish_calendar_year(&credential, year, &upload, Utc::now())).await?;
    let status = if published == Published::New { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(document)).into_response())
}
