//! Extractors that turn every malformed request into an [`ApiError`] instead of axum's plain-text
//! rejections, and the caller's identity from its bearer token.

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::Json;
use serde::de::DeserializeOwned;
use tongban_core::case::CaseId;
use tongban_wire::ErrorCode;

use super::error::ApiError;
use super::AppState;
use crate::blocking;
use crate::credentials::{Authenticated, Credential, Role};

/// The authenticated credential a request acts for.
pub struct Caller(pub Credential);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let missing =
            || ApiError::new(ErrorCode::Unauthorized, "缺少访问凭据：请在 Authorization 头中提供 Bearer 令牌");
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(missing)?;
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).ok_or_else(missing)?;
        let (hub, token) = (state.hub.clone(), token.to_string());
        let credential = match blocking(move || hub.authenticate(&token)).await? {
            Authenticated::Live(credential) => credential,
            Authenticated::Revoked(c) => {
                let at = c
                    .revoked_at
                    .map(|t| t.with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d %H:%M").to_string());
                return Err(ApiError::new(
                    ErrorCode::CredentialRevoked,
                    format!(
                        "本受理台的访问凭据（#{}，{}）已于 {} 被通办中心吊销：请向通办中心管理员申领新的凭据",
                        c.id,
                        c.who(),
                        at.unwrap_or_default()
                    ),
                ));
            }
            Authenticated::Unknown => return Err(ApiError::new(ErrorCode::Unauthorized, "访问凭据无效")),
        };
        tracing::Span::current().record("credential", credential.id);
        Ok(Caller(credential))
    }
}

impl Caller {
    /// Refuses the request unless the credential has one of `roles`; `action` names what was
    /// attempted, in Chinese.
    pub fn require(&self, roles: &[Role], action: &str) -> Result<(), ApiError> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::Forbidden, format!("「{}」凭据无权{action}", self.0.role.label())))
        }
    }
}

/// A JSON body; every rejection becomes a JSON error naming the body limit when it is exceeded.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<JsonBody<T>, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(value)| JsonBody(value))
            .map_err(|r| ApiError::from_json(r, state.limits.max_json_body))
    }
}

/// Query parameters; a malformed query string is a JSON 400.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<QueryParams<T>, ApiError> {
        Ok(QueryParams(Query::<T>::from_request_parts(parts, state).await?.0))
    }
}

/// A blob's SHA-256 from the path.
pub struct BlobHash(pub String);

impl<S: Send + Sync> FromRequestParts<S> for BlobHash {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<BlobHash, ApiError> {
        let Path(sha256) = Path::<String>::from_request_parts(parts, state).await?;
        if !tongban_wire::is_sha256_hex(&sha256) {
            return Err(ApiError::bad_request(format!("「{sha256}」不是有效的 SHA-256：应为 64 位小写十六进制数字")));
        }
        Ok(BlobHash(sha256))
    }
}

/// A case id from the path.
pub struct CasePath(pub CaseId);

impl<S: Send + Sync> FromRequestParts<S> for CasePath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<CasePath, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state).await?;
        let id = id.parse().map_err(|_| ApiError::bad_request(format!("「{id}」不是有效的办件标识（UUID）")))?;
        Ok(CasePath(CaseId(id)))
    }
}

/// A required header holding a non-negative integer.
pub fn number_header(headers: &HeaderMap, name: &str) -> Result<u64, ApiError> {
    let value = headers.get(name).ok_or_else(|| ApiError::bad_request(format!("缺少请求头 {name}")))?;
    value
        .to_str()
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ApiError::bad_request(format!("请求头 {name} 应为非负整数")))
}

/// A page size within `1..=max`, or `default` when absent.
pub fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(ApiError::bad_request(format!("limit 为 {n}，应在 1 到 {max} 之间"))),
    }
}
