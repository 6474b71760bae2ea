//! How the hub reaches a PostgreSQL server on another machine: always through TLS, always
//! checking the server's certificate (its chain and its name), never falling back to plain text.
//!
//! The connection string is the one PostgreSQL's operators know (libpq's URL), read by
//! tokio-postgres, with two of libpq's options the driver lacks taken out first:
//! - `sslrootcert=PATH`: the PEM file of the certificate authority that issued the database
//!   server's certificate (a 政务云's private CA). Without it, the system's trusted roots.
//! - `sslmode=verify-ca` / `verify-full`: both mean "require" here, as does `require`: the hub
//!   never connects to a certificate it has not checked in full, whatever libpq would allow.
//!
//! Over TCP, TLS is required (`prefer`, PostgreSQL's default, is raised to `require`): a server
//! or anyone on the path answering "no TLS" must not make the hub send its password and the
//! cases in clear. `sslmode=disable` is accepted only for a server on this machine (a loopback
//! address); a unix socket never uses TLS, as in libpq. (Hosts of both kinds in one URL are all
//! reached with TLS: keep a socket and a network address in separate configurations.)

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use percent_encoding::percent_decode_str;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};

use crate::{HubError, Result};

/// What a `postgres://` URL asks for, once libpq's options the driver lacks are taken out.
#[derive(Debug)]
pub(crate) struct ConnectionPlan {
    pub(crate) config: tokio_postgres::Config,
    /// The CA file (`sslrootcert`), or `None` for the system's roots.
    pub(crate) roots: Option<PathBuf>,
    /// Whether any host is reached over TCP, so TLS is used.
    pub(crate) uses_tls: bool,
}

/// Reads `url` and applies the rules above, or says in Chinese what is wrong with it.
// Windows has no unix sockets, so every host there is TCP.
#[cfg_attr(not(unix), allow(clippy::unnecessary_filter_map))]
pub(crate) fn plan(url: &str) -> Result<ConnectionPlan> {
    let bad = |why: String| HubError::Config(format!("PostgreSQL 连接串无效：{why}"));
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut roots = None;
    let mut mode = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "sslrootcert" => {
                let path = percent_decode_str(value)
                    .decode_utf8()
                    .map_err(|_| bad("sslrootcert 不是有效的 UTF-8 路径".into()))?;
                // libpq's `system`: the system's roots, which is also the default here.
                if path != "system" {
                    roots = Some(PathBuf::from(path.into_owned()));
                }
            }
            "sslmode" => {
                mode = Some(match value {
                    "disable" => SslMode::Disable,
                    "prefer" | "allow" => SslMode::Prefer,
                    "require" | "verify-ca" | "verify-full" => SslMode::Require,
                    other => {
                        return Err(bad(format!(
                            "sslmode={other} 不认识（可用 disable、prefer、require、verify-ca、verify-full）"
                        )))
                    }
                });
            }
            _ => kept.push(pair),
        }
    }
    let rebuilt = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
    let mut config: tokio_postgres::Config = rebuilt.parse().map_err(|e| bad(format!("{e}")))?;
    // Where TCP goes: the host names, and `hostaddr`'s addresses (which, when given, are dialled).
    let tcp: Vec<String> = config
        .get_hosts()
        .iter()
        .filter_map(|h| match h {
            Host::Tcp(name) => Some(name.clone()),
            #[cfg(unix)]
            Host::Unix(_) => None,
        })
        .chain(config.get_hostaddrs().iter().map(IpAddr::to_string))
        .collect();
    let remote = tcp.iter().find(|h| !is_loopback(h));
    let mode = match (mode, remote) {
        // Only unix sockets: nothing leaves the machine (the driver would ask for TLS there too).
        _ if tcp.is_empty() => SslMode::Disable,
        (Some(SslMode::Disable), Some(host)) => {
            return Err(bad(format!(
                "数据库服务器「{host}」不在本机，连接必须用 TLS 加密：请去掉 sslmode=disable（并在服务器上开启 ssl）"
            )))
        }
        (Some(SslMode::Disable), None) => SslMode::Disable,
        _ => SslMode::Require,
    };
    config.ssl_mode(mode);
    let uses_tls = mode == SslMode::Require;
    Ok(ConnectionPlan { config, roots, uses_tls })
}

/// A loopback name or address: the server runs on this machine.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost") || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The TLS connector for `plan`: rustls (with ring, as the hub's own HTTPS), trusting the
/// `sslrootcert` file alone when given, else the system's roots (loaded only when TLS is used).
pub(crate) fn connector(plan: &ConnectionPlan) -> Result<MakeRustlsConnect> {
    let mut store = RootCertStore::empty();
    if plan.uses_tls {
        match &plan.roots {
            Some(file) => add_file(&mut store, file)?,
            None => {
                let found = rustls_native_certs::load_native_certs();
                store.add_parsable_certificates(found.certs);
                if store.is_empty() {
                    return Err(HubError::Config(
                        "连接 PostgreSQL 要用 TLS，但本机没有可信的根证书：请在连接串中用 sslrootcert=证书文件 \
                         指定签发数据库服务器证书的 CA"
                            .into(),
                    ));
                }
            }
        }
    }
    // See http::tls for why ring.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HubError::Config(format!("TLS 设置有误：{e}")))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn add_file(store: &mut RootCertStore, file: &Path) -> Result<()> {
    let bad = |why: String| HubError::Config(format!("sslrootcert「{}」{why}", file.display()));
    let certs = CertificateDer::pem_file_iter(file)
        .map_err(|e| bad(format!("无法读取：{e}")))?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad(format!("不是有效的 PEM 证书：{e}")))?;
    let (added, _) = store.add_parsable_certificates(certs);
    if added == 0 {
        return Err(bad("中没有可用的 CA 证书（应为 PEM 格式）".into()));
    }
    Ok(())
}

/// What to tell the operator when connecting failed: the driver's words, and for a refused
/// certificate or a server without TLS, what to do.
pub(crate) fn explain_connect_error(plan: &ConnectionPlan, error: &str) -> String {
    let error = error.strip_prefix("无法连接 PostgreSQL：").unwrap_or(error);
    let lower = error.to_ascii_lowercase();
    let hint = if lower.contains("certificate") || lower.contains("unknownissuer") || lower.contains("notvalidforname")
    {
        match &plan.roots {
            Some(file) => format!(
                "数据库服务器的证书未通过检查：它须由「{}」中的 CA 签发，且包含连接串中的主机名",
                file.display()
            ),
            None => "数据库服务器的证书未通过检查：它须由本机信任的 CA 签发，且包含连接串中的主机名；\
                     私有 CA 请在连接串中用 sslrootcert=证书文件 指定"
                .into(),
        }
    } else if lower.contains("server does not support tls") || lower.contains("ssl is not enabled") {
        "数据库服务器未开启 TLS（ssl = on）：通办汇聚端不以明文连接数据库；\
         本机的数据库可改用 unix 套接字，或在连接串中写 sslmode=disable"
            .into()
    } else {
        return format!("无法连接 PostgreSQL：{error}");
    };
    format!("无法连接 PostgreSQL：{hint}（{error}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(url: &str) -> SslMode {
        plan(url).unwrap().config.get_ssl_mode()
    }

    #[test]
    fn a_server_on_another_machine_is_reached_only_through_checked_tls() {
        // PostgreSQL's default (prefer) would fall back to plain text: raised to require.
        assert_eq!(mode("postgres://hub@db.zwy.example/tongban"), SslMode::Require);
        assert_eq!(mode("postgres://hub@10.1.2.3:5432/tongban?sslmode=prefer"), SslMode::Require);
        assert_eq!(mode("postgres://hub@db.zwy.example/tongban?sslmode=verify-full"), SslMode::Require);
        assert!(plan("postgres://hub@db.zwy.example/tongban").unwrap().uses_tls);
        let refused = plan("postgres://hub@db.zwy.example/tongban?sslmode=disable").unwrap_err().to_string();
        assert!(refused.contains("db.zwy.example") && refused.contains("TLS"), "{refused}");
        // One remote host among several is enough to refuse plain text.
        assert!(plan("postgres://hub@localhost,db.zwy.example/tongban?sslmode=disable").is_err());
    }

    #[test]
    fn this_machine_may_go_without_tls_only_when_asked() {
        assert_eq!(mode("postgres://hub@localhost/tongban?sslmode=disable"), SslMode::Disable);
        assert_eq!(mode("postgres://hub@127.0.0.1/tongban?sslmode=disable"), SslMode::Disable);
        assert_eq!(mode("postgres://hub@[::1]:5433/tongban?sslmode=disable"), SslMode::Disable);
        // Unasked, loopback TCP is TLS too: whoever answers on the port is not trusted blindly.
        assert_eq!(mode("postgres://hub@localhost/tongban"), SslMode::Require);
    }

    #[cfg(unix)]
    #[test]
    fn a_unix_socket_carries_no_tls() {
        // As in libpq, whatever the mode (the driver would ask for TLS there too).
        for url in ["postgres://hub@/tongban?host=/run/postgresql", "postgres://hub@%2Frun%2Fpostgresql/tongban"] {
            let socket = plan(url).unwrap();
            assert!(!socket.uses_tls, "{url}");
            assert_eq!(socket.config.get_ssl_mode(), SslMode::Disable, "{url}");
        }
    }

    #[test]
    fn libpq_options_the_driver_lacks_are_taken_out() {
        let p = plan("postgres://hub@db.zwy.example/tongban?sslmode=verify-full&sslrootcert=/etc/tongban/%E6%94%BF%E5%8A%A1-ca.pem&connect_timeout=5")
            .unwrap();
        assert_eq!(p.roots, Some(PathBuf::from("/etc/tongban/政务-ca.pem")));
        assert_eq!(p.config.get_connect_timeout(), Some(&std::time::Duration::from_secs(5)));
        assert_eq!(plan("postgres://hub@db.zwy.example/t?sslrootcert=system").unwrap().roots, None);
        let wrong = plan("postgres://hub@db.zwy.example/t?sslmode=always").unwrap_err().to_string();
        assert!(wrong.contains("sslmode=always"), "{wrong}");
        let unknown = plan("postgres://hub@db.zwy.example/t?colour=blue").unwrap_err().to_string();
        assert!(unknown.contains("PostgreSQL 连接串无效"), "{unknown}");
    }

    #[test]
    fn a_root_file_without_certificates_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "not a certificate\n").unwrap();
        let p = plan(&format!("postgres://hub@db.zwy.example/t?sslrootcert={}", file.display())).unwrap();
        let refused = connector(&p).map(drop).unwrap_err().to_string();
        assert!(refused.contains("ca.pem") && refused.contains("没有可用的 CA 证书"), "{refused}");
        let missing = plan("postgres://hub@db.zwy.example/t?sslrootcert=/nonexistent/ca.pem").unwrap();
        assert!(connector(&missing).map(drop).unwrap_err().to_string().contains("无法读取"));
    }
}
