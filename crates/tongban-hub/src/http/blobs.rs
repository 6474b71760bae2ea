//! Blob upload (whole or resumable) and download. See [`tongban_wire::blobs`] for the protocol.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tokio_util::io::ReaderStream;
use tongban_wire::blobs::{BlobStatus, UPLOAD_LENGTH, UPLOAD_OFFSET};
use tongban_wire::ErrorBody;

use super::error::ApiError;
use super::extract::{number_header, BlobHash, Caller};
use super::AppState;
use crate::blobs::UploadStart;
use crate::credentials::{desk_code_of, Role};

/// Takes the body into the blob's upload; `Ok((true, _))` when this request completed the blob.
async fn receive(
    state: AppState,
    caller: Caller,
    sha256: String,
    offset: u64,
    length: u64,
    restart: bool,
    body: Body,
) -> Result<(bool, BlobStatus), ApiError> {
    caller.require(&Role::WRITERS, "上传扫描件")?;
    desk_code_of(&caller.0)?;
    let Caller(credential) = caller;
    let max = state.limits.max_blob_size;
    let (who, sha) = (credential.clone(), sha256.clone());
    let start = state.run(move |hub| hub.begin_upload(&who, &sha, offset, length, restart, max)).await?;
    let mut slot = match start {
        UploadStart::AlreadyStored(status) => return Ok((false, status)),
        UploadStart::Ready(slot) => slot,
    };
    if let Some(cut) = slot.append(body.into_data_stream()).await? {
        return Err(ApiError::bad_request(format!(
            "上传在第 {} 字节处中断（{cut}）：已收到的部分已保存，请查询上传状态后续传",
            slot.received()
        )));
    }
    if slot.received() < slot.length() {
        let (received, length) = (slot.received(), Some(slot.length()));
        return Ok((false, BlobStatus { sha256, received, length, complete: false }));
    }
    Ok((true, slot.finish().await?))
}

/// Upload a whole blob in one request (starts over any partial upload).
#[utoipa::path(
    put, path = "/v1/blobs/{sha256}", tag = "blobs",
    params(("sha256" = String, Path, description = "64 位小写十六进制 SHA-256", pattern = "^[0-9a-f]{64}$")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 201, description = "已保存", body = BlobStatus),
        (status = 200, description = "通办中心已有该扫描件", body = BlobStatus),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, description = "内容与 SHA-256 不符", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn put_blob(
    State(state): State<AppState>,
    caller: Caller,
    BlobHash(sha256): BlobHash,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<BlobStatus>), ApiError> {
    let length = number_header(&headers, header::CONTENT_LENGTH.as_str())?;
    let (created, status) = receive(state, caller, sha256, 0, length, true, body).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(status)))
}

/// Append a chunk at `Upload-Offset` to an upload of `Upload-Length` bytes.
#[utoipa::path(
    patch, path = "/v1/blobs/{sha256}", tag = "blobs",
    params(
        ("sha256" = String, Path, description = "64 位小写十六进制 SHA-256", pattern = "^[0-9a-f]{64}$"),
        ("upload-offset" = u64, Header, description = "本段的起始字节位置，须等于已收到的字节数"),
        ("upload-length" = u64, Header, description = "扫描件的总字节数"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "已收到本段；complete 表示已完整并校验", body = BlobStatus),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "位置不符或另一上传进行中", body = ErrorBody),
        (status = 413, body = ErrorBody),
        (status = 422, description = "内容与 SHA-256 不符，已丢弃", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn upload_chunk(
    State(state): State<AppState>,
    caller: Caller,
    BlobHash(sha256): BlobHash,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<BlobStatus>, ApiError> {
    let offset = number_header(&headers, UPLOAD_OFFSET)?;
    let length = number_header(&headers, UPLOAD_LENGTH)?;
    let (_, status) = receive(state, caller, sha256, offset, length, false, body).await?;
    Ok(Json(status))
}

/// Where an upload stands: the offset to resume from.
#[utoipa::path(
    get, path = "/v1/blobs/{sha256}/status", tag = "blobs",
    params(("sha256" = String, Path, description = "64 位小写十六进制 SHA-256", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, body = BlobStatus),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn blob_status(
    State(state): State<AppState>,
    caller: Caller,
    BlobHash(sha256): BlobHash,
) -> Result<Json<BlobStatus>, ApiError> {
    caller.require(&Role::WRITERS, "上传扫描件")?;
    let Caller(credential) = caller;
    Ok(Json(state.run(move |hub| hub.blob_status(&credential, &sha256)).await?))
}

/// Download a blob the credential's desk uploaded or that a case in its scope refers to (the same
/// scopes as `GET /v1/events`).
#[utoipa::path(
    get, path = "/v1/blobs/{sha256}", tag = "blobs",
    params(("sha256" = String, Path, description = "64 位小写十六进制 SHA-256", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "扫描件内容", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_blob(
    State(state): State<AppState>,
    caller: Caller,
    BlobHash(sha256): BlobHash,
) -> Result<Response, ApiError> {
    caller.require(&Role::DESKS, "读取扫描件")?;
    let Caller(credential) = caller;
    let (path, size) = state.run(move |hub| hub.readable_blob(&credential, &sha256)).await?;
    let file = tokio::fs::File::open(path).await.map_err(crate::HubError::from)?;
    Ok((
        [(header::CONTENT_TYPE, "application/octet-stream".to_string()), (header::CONTENT_LENGTH, size.to_string())],
        Body::from_stream(ReaderStream::new(file)),
    )
        .into_response())
}
