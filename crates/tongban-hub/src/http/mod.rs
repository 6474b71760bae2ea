//! The `/v1` HTTP API over axum. Handlers are a few lines each: check the role, call [`Hub`] off
//! the async threads, map the error. The OpenAPI document is generated from the handlers'
//! annotations and the [`tongban_wire`] types, and served at `/v1/openapi.json`.

mod audit;
mod blobs;
mod calendar;
mod cases;
mod catalog;
mod desks;
pub mod error;
mod events;
mod extract;
mod listen;
mod tls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

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
use crate::config::{Guards, HubConfig, Limits};
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
        (name = "audit", description = "受理台审计链头的保存"),
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

/// Whether the hub is up and its database answers, and which region it serves. No credential
/// needed.
#[utoipa::path(get, path = "/health", tag = "meta", responses(
    (status = 200, body = Health),
    (status = 500, description = "数据库无法访问", body = ErrorBody),
))]
async fn health(State(state): State<AppState>) -> std::result::Result<Json<Health>, ApiError> {
    state.run(|hub| hub.check_database()).await?;
    Ok(Json(Health {
        status: "ok".into(),
        region: state.hub.region().to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        signing_key: Some(state.hub.signer().public().to_hex()),
        database: Some(state.hub.database_kind().to_string()),
    }))
}

fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(events::push, events::pull))
        .routes(routes!(events::reconciliation))
        .routes(routes!(cases::inbox))
        .routes(routes!(cases::decide))
        .routes(routes!(blobs::put_blob, blobs::upload_chunk, blobs::get_blob))
        .routes(routes!(blobs::blob_status))
        .routes(routes!(catalog::get_catalog, catalog::put_catalog))
        .routes(routes!(desks::confirm))
        .routes(routes!(audit::report_head))
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

/// `app` with the per-request guards: a request body that stalls is cut off, and each credential
/// (or, without one, each peer address) may make only so many requests a second — tower_governor's
/// token bucket, answered 429 `rate_limited` with the wait in Chinese.
pub fn guarded(app: Router, guards: &Guards) -> Router {
    use tower_governor::governor::GovernorConfigBuilder;
    use tower_governor::GovernorLayer;
    let per_request = Duration::from_secs(1) / guards.requests_per_second.max(1);
    let config = GovernorConfigBuilder::default()
        .period(per_request)
        .burst_size(guards.request_burst)
        .key_extractor(CallerKey)
        .finish()
        .expect("a positive rate and burst (checked by the settings)");
    let limiter = config.limiter().clone();
    // Keys of callers gone quiet are forgotten, so random tokens cannot grow the table for ever.
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(60)).await;
            limiter.retain_recent();
        }
    });
    app.layer(GovernorLayer::new(config).error_handler(|e| {
        let wait = match e {
            tower_governor::GovernorError::TooManyRequests { wait_time, .. } => wait_time.max(1),
            _ => 1,
        };
        let mut response =
            ApiError::new(ErrorCode::RateLimited, format!("请求过于频繁，请 {wait} 秒后重试")).into_response();
        if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }))
    .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(guards.body_idle_timeout))
}

/// Whose requests a rate is counted for: the bearer token's hash, else the peer address.
#[derive(Clone)]
struct CallerKey;

impl tower_governor::key_extractor::KeyExtractor for CallerKey {
    type Key = [u8; 32];

    fn extract<T>(
        &self,
        request: &axum::http::Request<T>,
    ) -> std::result::Result<[u8; 32], tower_governor::GovernorError> {
        use sha2::Digest;
        if let Some(token) = request.headers().get(header::AUTHORIZATION) {
            return Ok(sha2::Sha256::digest(token.as_bytes()).into());
        }
        let peer = request
            .extensions()
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_default();
        Ok(sha2::Sha256::digest(peer.as_bytes()).into())
    }
}

/// Opens the hub database and serves the API on `listener` (HTTPS when `config.tls` names a
/// certificate) until `shutdown` completes; requests under way are finished first.
pub async fn serve(
    listener: TcpListener,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let tls = config.tls.as_ref().map(tls::TlsServer::start).transpose()?;
    if crate::db::postgres_url(&config.db).is_some() && config.blob_dir.is_none() {
        return Err(crate::HubError::Config(crate::blobs::NO_BLOB_DIR.into()));
    }
    let (db, blob_dir, region) = (config.db.clone(), config.blob_dir.clone(), config.region.clone());
    // Opening migrates and, for PostgreSQL, connects: blocking work, off the async threads.
    let hub = Arc::new(blocking(move || Hub::open_with(&db, blob_dir.as_deref(), region.as_deref())).await?);
    tracing::info!(
        region = hub.region(),
        database = hub.database_kind(),
        db = %crate::db::shown(&config.db),
        tls = tls.is_some(),
        "hub database open"
    );
    let pass = hub.clone();
    let forgotten = blocking(move || pass.forget_upload_leases_of_a_lone_process()).await?;
    if forgotten > 0 {
        tracing::info!(forgotten, "uploads left under way by the previous process may resume");
    }
    remove_abandoned_uploads_hourly(hub.clone(), config.limits.abandoned_upload_age);
    let app = guarded(router(hub, config.limits), &config.guards);
    listen::run(listener, app, tls, config.guards, shutdown).await?;
    Ok(())
}

fn remove_abandoned_uploads_hourly(hub: Arc<Hub>, age: Duration) {
    let age = chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
    tokio::spawn(async move {
        loop {
            let pass = hub.clone();
            match blocking(move || pass.remove_abandoned_uploads(age, chrono::Utc::now())).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "abandoned uploads removed"),
                Err(e) => tracing::warn!(error = %e, "could not remove abandoned uploads"),
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}

/// Checks a certificate chain and key as `serve` would load them (for `tongban-hub serve` to
/// refuse a bad pair before it binds).
pub fn check_tls(files: &crate::config::TlsFiles) -> Result<()> {
    tls::server_config(files).map(|_| ())
}
