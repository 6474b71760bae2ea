//! Every error leaves the hub as `{code, message}` JSON with a 4xx or 5xx status chosen from the
//! code, so a client that knows the code knows the status and the other way round.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tongban_wire::{ErrorBody, ErrorCode};

use crate::HubError;

/// The HTTP status of each wire error code.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode::*;
    match code {
        BadRequest => StatusCode::BAD_REQUEST,
        InvalidBody | InvalidEvent | HashMismatch | InvalidIntake | CatalogMismatch => StatusCode::UNPROCESSABLE_ENTITY,
        Unauthorized | CredentialRevoked => StatusCode::UNAUTHORIZED,
        Forbidden | WrongSide | WrongRegion | NotParty | LocalEvent | CredentialOutdated | WrongDesk | NumberNotOwn
        | NotHandlingRegion | NotOwnCase => StatusCode::FORBIDDEN,
        NotFound | UnknownCase | UnknownBlob | NoCatalog | UnknownCalendarYear => StatusCode::NOT_FOUND,
        MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        RateLimited => StatusCode::TOO_MANY_REQUESTS,
        PayloadTooLarge | BatchTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        EventConflict | InvalidTransition | MissingBlob | OffsetMismatch | UploadInProgress | CatalogVersionExists
        | DeskUnconfirmed | DeskCodeMismatch | DeskCodeTaken | NumberTaken | Superseded | CalendarYearExists => {
            StatusCode::CONFLICT
        }
        Internal | Other => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error response.
#[derive(Debug)]
pub struct ApiError(pub ErrorBody);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError(ErrorBody::new(code, message))
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::BadRequest, message)
    }

    pub(crate) fn from_json(rejection: JsonRejection, max_body: usize) -> ApiError {
        let detail = rejection.body_text();
        match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(ErrorCode::PayloadTooLarge, format!("请求体超过 {max_body} 字节的上限"))
            }
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ApiError::new(ErrorCode::UnsupportedMediaType, "请求体应为 JSON，请设置 Content-Type: application/json")
            }
            StatusCode::UNPROCESSABLE_ENTITY => {
                ApiError::new(ErrorCode::InvalidBody, format!("请求体的字段不符合要求：{detail}"))
            }
            _ => ApiError::bad_request(format!("请求体不是有效的 JSON：{detail}")),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad_request(format!("查询参数不正确：{}", rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::bad_request(format!("路径参数不正确：{}", rejection.body_text()))
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> ApiError {
        let code = e.code();
        if code == ErrorCode::Internal {
            // The details are for the operator's log, not for the desk.
            tracing::error!("internal error: {e}");
            return ApiError::new(code, "通办中心内部错误，请稍后重试");
        }
        ApiError(e.body())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(self.0.code);
        let mut response = (status, Json(self.0)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        response
    }
}
