//! `GET` and `PUT /v1/catalog`.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use tongban_wire::catalog::{CatalogDocument, CatalogUpload};
use tongban_wire::ErrorBody;

use super::error::ApiError;
use super::extract::{Caller, JsonBody};
use super::AppState;
use crate::catalog::Published;
use crate::credentials::Role;

fn etag(document: &CatalogDocument) -> String {
    format!("\"{}\"", document.sha256)
}

/// The region's current catalog of items, exactly as published.
#[utoipa::path(
    get, path = "/v1/catalog", tag = "catalog",
    params(("if-none-match" = Option<String>, Header, description = "先前取得的 ETag")),
    responses(
        (status = 200, body = CatalogDocument, headers(("etag" = String, description = "内容的 SHA-256，带引号"))),
        (status = 304, description = "本地副本已是最新"),
        (status = 401, body = ErrorBody),
        (status = 404, description = "尚未发布事项清单", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_catalog(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    caller.require(&Role::ALL, "读取事项清单")?;
    let document = state.run(|hub| hub.current_catalog()).await?;
    let tag = etag(&document);
    let current = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    if current {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok(([(header::ETAG, tag)], Json(document)).into_response())
}

/// Publish a catalog version (admin only). A version never changes content once published.
#[utoipa::path(
    put, path = "/v1/catalog", tag = "catalog",
    request_body = CatalogUpload,
    responses(
        (status = 201, description = "已发布", body = CatalogDocument),
        (status = 200, description = "该版本已以相同内容发布", body = CatalogDocument),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "该版本已以不同内容发布", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn put_catalog(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(upload): JsonBody<CatalogUpload>,
) -> Result<Response, ApiError> {
    caller.require(&[Role::Admin], "发布事项清单")?;
    let Caller(credential) = caller;
    let (published, document) = state.run(move |hub| hub.publish_catalog(&credential, upload, Utc::now())).await?;
    let status = if published == Published::New { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, [(header::ETAG, etag(&document))], Json(document)).into_response())
}
