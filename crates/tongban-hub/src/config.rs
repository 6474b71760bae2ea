//! Settings. The library takes a [`HubConfig`]; the binary builds one from, in rising order of
//! precedence, built-in defaults, a TOML file (`--config`), `TONGBAN_HUB_*` environment variables
//! and command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::{HubError, Result};

const MAX_TIMEOUT_SECS: u64 = 86_400;
const MAX_REQUESTS_PER_SECOND: u32 = 1_000_000;
/// Ten years.
const MAX_ABANDONED_UPLOAD_HOURS: u64 = 87_600;

/// What [`crate::serve`] needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubConfig {
    /// The SQLite file, or a `postgres://` URL (see [`crate::Hub::open_with`]).
    pub db: PathBuf,
    /// The scans' folder: beside a SQLite file when `None`; required with PostgreSQL, the same
    /// shared folder for every hub process of the region.
    pub blob_dir: Option<PathBuf>,
    /// Required for a new database; checked against the stored region otherwise.
    pub region: Option<String>,
    pub limits: Limits,
    /// Serve HTTPS with this certificate chain and key; plain HTTP when `None` (loopback, or
    /// behind a proxy that terminates TLS).
    pub tls: Option<TlsFiles>,
    pub guards: Guards,
}

/// A PEM certificate chain (the hub's certificate first) and its PEM private key. Read at start
/// (a bad pair refuses to start) and again whenever either file changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Bounds on what clients may hold of the hub: connections, time, request rate. Slow or greedy
/// clients are cut off here so the rest (and `/health`) are still served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guards {
    /// Connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Connections one peer address may hold at once; more are closed as they arrive.
    pub max_connections_per_peer: usize,
    /// Time a client has for its TLS handshake and for each request's headers.
    pub header_timeout: Duration,
    /// Longest pause while a request body is being sent.
    pub body_idle_timeout: Duration,
    /// Requests one credential (or, without one, one peer address) may make per second, sustained.
    pub requests_per_second: u32,
    /// Requests it may make at once above that rate.
    pub request_burst: u32,
}

impl Default for Guards {
    fn default() -> Guards {
        // A desk's round is a handful of requests plus one per 200 events and one per scan (or
        // scan chunk): a helper's laptop back from a month offline uploads hundreds of scans in a
        // burst, and must never meet the limit; a flood (thousands a second) does.
        Guards {
            max_connections: 512,
            max_connections_per_peer: 64,
            header_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(30),
            requests_per_second: 200,
            request_burst: 2000,
        }
    }
}

/// Bounds on what one request may ask of the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON body (push batches, decisions, catalogs), in bytes.
    pub max_json_body: usize,
    /// Most events in one push.
    pub max_push_batch: usize,
    /// Largest blob, in bytes.
    pub max_blob_size: u64,
    /// An upload nobody continued for this long is removed with its partial file.
    pub abandoned_upload_age: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        // A batch of 500 intakes with ten materials each is about 2 MiB of JSON.
        Limits {
            max_json_body: 8 * 1024 * 1024,
            max_push_batch: 500,
            max_blob_size: 256 * 1024 * 1024,
            abandoned_upload_age: Duration::from_secs(72 * 3600),
        }
    }
}

/// The listen address when none is configured: loopback, so a hub is never exposed by accident
/// (off loopback it serves HTTPS with `tls_cert` and `tls_key`, or sits behind a TLS proxy).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8730";

/// One source of settings; every field optional so sources can be layered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsLayer {
    pub listen: Option<String>,
    pub db: Option<PathBuf>,
    pub blob_dir: Option<PathBuf>,
    pub region: Option<String>,
    pub max_json_body: Option<usize>,
    pub max_push_batch: Option<usize>,
    pub max_blob_size: Option<u64>,
    pub abandoned_upload_hours: Option<u64>,
    /// PEM certificate chain; with `tls_key`, the hub serves HTTPS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub max_connections: Option<usize>,
    pub max_connections_per_peer: Option<usize>,
    pub header_timeout_secs: Option<u64>,
    pub body_idle_timeout_secs: Option<u64>,
    pub requests_per_second: Option<u32>,
    pub request_burst: Option<u32>,
}

impl SettingsLayer {
    /// Reads a TOML file; unknown keys are refused so a typo does not silently do nothing.
    pub fn from_file(path: &Path) -> Result<SettingsLayer> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| HubError::Config(format!("无法读取配置文件「{}」：{e}", path.display())))?;
        toml::from_str(&text).map_err(|e| HubError::Config(format!("配置文件「{}」有误：{e}", path.display())))
    }

    /// Reads `TONGBAN_HUB_LISTEN`, `_DB`, `_BLOB_DIR`, `_REGION`, `_MAX_JSON_BODY`, `_MAX_PUSH_BATCH` and
    /// `_MAX_BLOB_SIZE` through `var` (the process environment in the binary).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<SettingsLayer> {
        let get = |name: &str| var(&format!("TONGBAN_HUB_{name}")).filter(|v| !v.trim().is_empty());
        fn number<T: std::str::FromStr>(name: &str, value: Option<String>) -> Result<Option<T>> {
            value
                .map(|v| {
                    v.trim()
                        .parse()
                        .map_err(|_| HubError::Config(format!("环境变量 TONGBAN_HUB_{name}「{v}」应为非负整数")))
                })
                .transpose()
        }
        Ok(SettingsLayer {
            listen: get("LISTEN"),
            db: get("DB").map(PathBuf::from),
            blob_dir: get("BLOB_DIR").map(PathBuf::from),
            region: get("REGION"),
            max_json_body: number("MAX_JSON_BODY", get("MAX_JSON_BODY"))?,
            max_push_batch: number("MAX_PUSH_BATCH", get("MAX_PUSH_BATCH"))?,
            max_blob_size: number("MAX_BLOB_SIZE", get("MAX_BLOB_SIZE"))?,
            abandoned_upload_hours: number("ABANDONED_UPLOAD_HOURS", get("ABANDONED_UPLOAD_HOURS"))?,
            tls_cert: get("TLS_CERT").map(PathBuf::from),
            tls_key: get("TLS_KEY").map(PathBuf::from),
            max_connections: number("MAX_CONNECTIONS", get("MAX_CONNECTIONS"))?,
            max_connections_per_peer: number("MAX_CONNECTIONS_PER_PEER", get("MAX_CONNECTIONS_PER_PEER"))?,
            header_timeout_secs: number("HEADER_TIMEOUT_SECS", get("HEADER_TIMEOUT_SECS"))?,
            body_idle_timeout_secs: number("BODY_IDLE_TIMEOUT_SECS", get("BODY_IDLE_TIMEOUT_SECS"))?,
            requests_per_second: number("REQUESTS_PER_SECOND", get("REQUESTS_PER_SECOND"))?,
            request_burst: number("REQUEST_BURST", get("REQUEST_BURST"))?,
        })
    }

    /// `self` with every field `over` sets replaced.
    pub fn overridden_by(self, over: SettingsLayer) -> SettingsLayer {
        SettingsLayer {
            listen: over.listen.or(self.listen),
            db: over.db.or(self.db),
            blob_dir: over.blob_dir.or(self.blob_dir),
            region: over.region.or(self.region),
            max_json_body: over.max_json_body.or(self.max_json_body),
            max_push_batch: over.max_push_batch.or(self.max_push_batch),
            max_blob_size: over.max_blob_size.or(self.max_blob_size),
            abandoned_upload_hours: over.abandoned_upload_hours.or(self.abandoned_upload_hours),
            tls_cert: over.tls_cert.or(self.tls_cert),
            tls_key: over.tls_key.or(self.tls_key),
            max_connections: over.max_connections.or(self.max_connections),
            max_connections_per_peer: over.max_connections_per_peer.or(self.max_connections_per_peer),
            header_timeout_secs: over.header_timeout_secs.or(self.header_timeout_secs),
            body_idle_timeout_secs: over.body_idle_timeout_secs.or(self.body_idle_timeout_secs),
            requests_per_second: over.requests_per_second.or(self.requests_per_second),
            request_burst: over.request_burst.or(self.request_burst),
        }
    }

    /// The final settings: the listen address and the hub's configuration.
    pub fn resolve(self) -> Result<(SocketAddr, HubConfig)> {
        let listen_text = self.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let listen = listen_text
            .parse()
            .map_err(|_| HubError::Config(format!("监听地址「{listen_text}」无效，应如 127.0.0.1:8730")))?;
        let db = self.db.ok_or_else(|| {
            HubError::Config("请指定数据库（--db 或 TONGBAN_HUB_DB）：SQLite 文件路径，或 postgres:// 连接串".into())
        })?;
        let defaults = Limits::default();
        let limits = Limits {
            max_json_body: self.max_json_body.unwrap_or(defaults.max_json_body),
            max_push_batch: self.max_push_batch.unwrap_or(defaults.max_push_batch),
            max_blob_size: self.max_blob_size.unwrap_or(defaults.max_blob_size),
            abandoned_upload_age: self
                .abandoned_upload_hours
                .map(|h| Duration::from_secs(h.saturating_mul(3600)))
                .unwrap_or(defaults.abandoned_upload_age),
        };
        if limits.max_push_batch == 0 || limits.max_json_body == 0 || limits.abandoned_upload_age.is_zero() {
            return Err(HubError::Config("max_push_batch、max_json_body 与 abandoned_upload_hours 须大于 0".into()));
        }
        let tls = match (self.tls_cert, self.tls_key) {
            (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (None, None) => None,
            _ => return Err(HubError::Config("tls_cert 与 tls_key 须同时指定（证书链与私钥，PEM 格式）".into())),
        };
        let g = Guards::default();
        let guards = Guards {
            max_connections: self.max_connections.unwrap_or(g.max_connections),
            max_connections_per_peer: self.max_connections_per_peer.unwrap_or(g.max_connections_per_peer),
            header_timeout: self.header_timeout_secs.map(Duration::from_secs).unwrap_or(g.header_timeout),
            body_idle_timeout: self.body_idle_timeout_secs.map(Duration::from_secs).unwrap_or(g.body_idle_timeout),
            requests_per_second: self.requests_per_second.unwrap_or(g.requests_per_second),
            request_burst: self.request_burst.unwrap_or(g.request_burst),
        };
        // Upper bounds too: a timeout past the clock's range would panic when a deadline is
        // computed, a rate above 10⁹/s has no period a token bucket can hold.
        if self.header_timeout_secs.is_some_and(|s| s > MAX_TIMEOUT_SECS)
            || self.body_idle_timeout_secs.is_some_and(|s| s > MAX_TIMEOUT_SECS)
            || self.requests_per_second.is_some_and(|r| r > MAX_REQUESTS_PER_SECOND)
            || self.abandoned_upload_hours.is_some_and(|h| h > MAX_ABANDONED_UPLOAD_HOURS)
        {
            return Err(HubError::Config(format!(
                "header_timeout_secs 与 body_idle_timeout_secs 不能超过 {MAX_TIMEOUT_SECS}，\
                 requests_per_second 不能超过 {MAX_REQUESTS_PER_SECOND}，abandoned_upload_hours 不能超过 {MAX_ABANDONED_UPLOAD_HOURS}"
            )));
        }
        if guards.max_connections == 0
            || guards.max_connections_per_peer == 0
            || guards.header_timeout.is_zero()
            || guards.body_idle_timeout.is_zero()
            || guards.requests_per_second == 0
            || guards.request_burst == 0
        {
            return Err(HubError::Config(
                "max_connections、max_connections_per_peer、各项超时、requests_per_second 与 request_burst 须大于 0"
                    .into(),
            ));
        }
        Ok((listen, HubConfig { db, blob_dir: self.blob_dir, region: self.region, limits, tls, guards }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_environment_which_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hub.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\ndb = \"/srv/hub.db\"\nregion = \"411329\"\nmax_push_batch = 50\n",
        )
        .unwrap();
        let env = SettingsLayer::from_env(|name| match name {
            "TONGBAN_HUB_DB" => Some("/env/hub.db".into()),
            "TONGBAN_HUB_MAX_PUSH_BATCH" => Some("70".into()),
            _ => None,
        })
        .unwrap();
        let flags = SettingsLayer { listen: Some("127.0.0.1:0".into()), ..SettingsLayer::default() };
        let (listen, config) =
            SettingsLayer::from_file(&file).unwrap().overridden_by(env).overridden_by(flags).resolve().unwrap();
        assert_eq!(listen, "127.0.0.1:0".parse().unwrap());
        assert_eq!(config.db, PathBuf::from("/env/hub.db"));
        assert_eq!(config.region.as_deref(), Some("411329"));
        assert_eq!(config.limits.max_push_batch, 70);
        assert_eq!(config.limits.max_blob_size, Limits::default().max_blob_size);
    }

    #[test]
    fn bad_settings_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("hub.toml");
        std::fs::write(&file, "listn = \"x\"").unwrap();
        let err = SettingsLayer::from_file(&file).unwrap_err().to_string();
        assert!(err.contains("配置文件") && err.contains("listn"), "{err}");
        let err = SettingsLayer::from_env(|n| (n == "TONGBAN_HUB_MAX_BLOB_SIZE").then(|| "很大".into())).unwrap_err();
        assert_eq!(err.to_string(), "配置错误：环境变量 TONGBAN_HUB_MAX_BLOB_SIZE「很大」应为非负整数");
        for layer in [
            SettingsLayer { header_timeout_secs: Some(u64::MAX), ..Default::default() },
            SettingsLayer { body_idle_timeout_secs: Some(86_401), ..Default::default() },
            SettingsLayer { requests_per_second: Some(u32::MAX), ..Default::default() },
            SettingsLayer { abandoned_upload_hours: Some(u64::MAX), ..Default::default() },
        ] {
            let layer = SettingsLayer { db: Some("/srv/hub.db".into()), ..layer };
            assert!(layer.resolve().unwrap_err().to_string().contains("不能超过"));
        }
        let err = SettingsLayer { listen: Some("nowhere".into()), ..Default::default() }.resolve().unwrap_err();
        assert!(err.to_string().contains("监听地址「nowhere」无效"), "{err}");
    }
}
