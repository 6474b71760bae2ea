//! The `/v1` HTTP API over axum. Handlers are a few lines each: check the role, call [`Hub`] off
//! the async threads, map the error. The OpenAPI document is generated from the handlers'
//! annotations and the [`tongban_wire`] types, and served at `/v1/openapi.json`.

mod blobs;
mod calendar;
mod cases;
mod catalog;
mod desks;
pub mod error;
mod events;
mod extract;

use std::future::Future;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;
use tongban_wire::{paths, ErrorBody, ErrorCode, Health};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use self::error::ApiError;
use crate::config::{HubConfig, Limits};
use crate::{blocking, Hub, Result};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub hub: Arc<Hub>,
    pub limits: Limits,
}

impl AppState {
    /// Runs `f` on the hub off the async threads.
    async fn run<T: Send + 'static>(&self, f: impl FnOnce(&Arc<Hub>) -> Result<T> + Send + 'static) -> Result<T> {
        let hub = self.hub.clone();
        blocking(move || f(&hub)).await
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "通办中心 API (Tongban hub)",
        description = "跨省通办：合作地区受理台推送办件事件与扫描件、拉取办理结果；本地区后台查看收件箱并作出决定。\
                       所有错误均为 {code, message} JSON，message 为中文。地区以凭据为准，不以请求内容为准。\n\n\
                       凭据发给一台受理台（地区 + 窗口代码 + 角色），同一窗口代码只有一份有效凭据；受理台每轮同步先以 PUT /v1/desk 确认身份。\
                       各角色可见的范围：window（窗口受理台）与 helper（帮办代办）只读写本受理台收件的办件；\
                       back_office（本地区后台）读取本地区收件箱中的全部办件并作出办理决定；\
                       supervisor（督查）只读本地区的全部办件；admin（管理员）只发布事项清单。",
    ),
    modifiers(&BearerAuth),
    components(schemas(ErrorBody, ErrorCode)),
    tags(
        (name = "events", description = "办件事件：推送与按游标拉取"),
        (name = "cases", description = "办理地后台：收件箱与办理决定"),
        (name = "blobs", description = "扫描件：按 SHA-256 断点续传"),
        (name = "catalog", description = "事项清单"),
        (name = "desks", description = "受理台身份：地区、窗口代码与可见范围"),
        (name = "calendar", description = "节假日安排（工作日日历），按年发布，一经发布不再更改"),
        (name = "meta", description = "健康检查"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Whether the hub is up, and which region it serves. No credential needed.
#[utoipa::path(get, path = "/health", tag = "meta", responses((status = 200, body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        region: state.hub.region().to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    })
}

fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(events::push, events::pull))
        .routes(routes!(cases::inbox))
        .routes(routes!(cases::decide))
        .routes(routes!(blobs::put_blob, blobs::upload_chunk, blobs::get_blob))
        .routes(routes!(blobs::blob_status))
        .routes(routes!(catalog::get_catalog, catalog::put_catalog))
        .routes(routes!(desks::confirm))
        .merge(calendar::routes())
        .routes(routes!(health))
}

/// The OpenAPI document of this hub's API.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented_routes().split_for_parts().1
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(ErrorCode::NotFound, format!("没有 {} 这个地址", uri.path()))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed, format!("{} 不支持 {method} 方法", uri.path()))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    // Reached only through a bug; the panic itself is logged by the panic hook.
    ApiError::new(ErrorCode::Internal, "通办中心内部错误，请稍后重试").into_response()
}

/// The whole API as an axum router.
pub fn router(hub: Arc<Hub>, limits: Limits) -> Router {
    let (router, doc) = documented_routes().split_for_parts();
    let doc = Arc::new(doc.to_pretty_json().expect("the OpenAPI document serialises"));
    router
        .route(
            paths::OPENAPI,
            get(move || {
                let doc = doc.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], doc.to_string()) }
            }),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limits.max_json_body))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        credential = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(AppState { hub, limits })
}

/// Opens the hub database and serves the API on `listener` until `shutdown` completes; requests
/// under way are finished first.
pub async fn serve(
    listener: TcpListener,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let hub = Hub::open(&config.db, config.region.as_deref())?;
    tracing::info!(region = hub.region(), db = %config.db.display(), "hub database open");
    let app = router(Arc::new(hub), config.limits);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    Ok(())
}
