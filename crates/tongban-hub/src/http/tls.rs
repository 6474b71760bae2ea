//! The hub's own HTTPS: rustls (with ring) from a PEM certificate chain and key. The pair is
//! checked at start (a bad pair refuses to start, naming the file) and read again whenever either
//! file changes, so a renewed certificate takes effect without a restart; a renewed pair that does
//! not load is logged and the one in use stays.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsFiles;
use crate::{HubError, Result};

/// How often the certificate files are looked at for a renewal.
const RELOAD_CHECK: Duration = Duration::from_secs(10);

/// The TLS settings connections are accepted with; swapped whole on a reload.
#[derive(Clone)]
pub(crate) struct TlsServer {
    current: Arc<ArcSwap<ServerConfig>>,
}

impl TlsServer {
    /// Loads `files`, and keeps them loaded (a task on the current runtime) while the server runs.
    pub(crate) fn start(files: &TlsFiles) -> Result<TlsServer> {
        let server = TlsServer { current: Arc::new(ArcSwap::from_pointee(server_config(files)?)) };
        let watched = server.clone();
        let files = files.clone();
        tokio::spawn(async move {
            let mut seen = modified(&files);
            loop {
                tokio::time::sleep(RELOAD_CHECK).await;
                let now = modified(&files);
                if now == seen {
                    continue;
                }
                seen = now;
                match server_config(&files) {
                    Ok(config) => {
                        watched.current.store(Arc::new(config));
                        tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded");
                    }
                    Err(e) => tracing::error!("{e}; the certificate in use stays"),
                }
            }
        });
        Ok(server)
    }

    pub(crate) fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.current.load_full())
    }
}

fn modified(files: &TlsFiles) -> [Option<SystemTime>; 2] {
    let at = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    [at(&files.cert), at(&files.key)]
}

/// The rustls configuration for `files`, or why not, in Chinese naming the file.
pub(crate) fn server_config(files: &TlsFiles) -> Result<ServerConfig> {
    let bad = |path: &Path, why: String| HubError::Config(format!("TLS 文件「{}」{why}", path.display()));
    let chain = CertificateDer::pem_file_iter(&files.cert)
        .map_err(|e| bad(&files.cert, format!("无法读取：{e}")))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(&files.cert, format!("不是有效的 PEM 证书链：{e}")))?;
    if chain.is_empty() {
        return Err(bad(&files.cert, "中没有证书（应为 PEM 格式的证书链，本机证书在前）".into()));
    }
    let key =
        PrivateKeyDer::from_pem_file(&files.key).map_err(|e| bad(&files.key, format!("不是有效的 PEM 私钥：{e}")))?;
    // ring rather than aws-lc-rs: it cross-builds for Windows with mingw alone (aws-lc needs
    // cmake and NASM there). rustls marks it deprecated only for lacking post-quantum key
    // exchange, which the desks' TLS stacks (SChannel, OpenSSL 3.0) do not offer either.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Config(format!("TLS 设置有误：{e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| bad(&files.key, format!("与证书「{}」不匹配或无法使用：{e}", files.cert.display())))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
