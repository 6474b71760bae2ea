//! The connection loop: what `axum::serve` does, plus the bounds it lacks. A client gets
//! [`Guards::header_timeout`] for its TLS handshake and each request's headers (hyper's own
//! timer), a peer address holds at most [`Guards::max_connections_per_peer`] connections and the
//! hub at most [`Guards::max_connections`], so sockets that never finish their headers (slowloris)
//! are cut off and cannot crowd out other desks or `/health`.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::tls::TlsServer;
use crate::config::Guards;

/// How long requests under way may take to finish once shutdown is asked for.
const DRAIN: Duration = Duration::from_secs(30);

/// Accepts connections on `listener` and serves `app` on them until `shutdown` completes.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    tls: Option<TlsServer>,
    guards: Guards,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(guards.max_connections));
    let peers = PeerConnections::new(guards.max_connections_per_peer);
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(guards.header_timeout);
    tokio::pin!(shutdown);
    loop {
        // At the cap, the next connection waits in the kernel's backlog until one closes.
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a little instead of spinning, as axum::serve does.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(held) = peers.enter(peer.ip()) else {
            tracing::debug!(%peer, "too many connections from this address: closed");
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let tls = tls.clone();
        let app = app.clone();
        let http = http.clone();
        let watcher = graceful.watcher();
        let header_timeout = guards.header_timeout;
        tokio::spawn(async move {
            let _held = (permit, held);
            match tls {
                None => serve_connection(tcp, peer, app, &http, watcher).await,
                Some(tls) => match tokio::time::timeout(header_timeout, tls.acceptor().accept(tcp)).await {
                    Ok(Ok(stream)) => serve_connection(stream, peer, app, &http, watcher).await,
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                },
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still under way after {} s: stopping anyway", DRAIN.as_secs());
    }
    Ok(())
}

async fn serve_connection<I>(
    io: I,
    peer: SocketAddr,
    app: Router,
    http: &http1::Builder,
    watcher: hyper_util::server::graceful::Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // Handlers and the rate limit see the peer as axum's ConnectInfo.
    let service = app.map_request(move |mut request: Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request.map(axum::body::Body::new)
    });
    let connection = http.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    if let Err(e) = watcher.watch(connection).await {
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}

/// How many connections each peer address holds; an entry goes when its last connection does.
#[derive(Clone)]
struct PeerConnections {
    limit: usize,
    open: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One connection counted against its peer until dropped.
struct PeerConnection {
    peers: PeerConnections,
    ip: IpAddr,
}

impl PeerConnections {
    fn new(limit: usize) -> PeerConnections {
        PeerConnections { limit, open: Arc::default() }
    }

    fn enter(&self, ip: IpAddr) -> Option<PeerConnection> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(ip).or_insert(0);
        if *count >= self.limit {
            return None;
        }
        *count += 1;
        Some(PeerConnection { peers: self.clone(), ip })
    }
}

impl Drop for PeerConnection {
    fn drop(&mut self) {
        let mut open = self.peers.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.ip) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_holds_at_most_its_share_and_gets_it_back_as_connections_close() {
        let peers = PeerConnections::new(2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = peers.enter(a).unwrap();
        let _second = peers.enter(a).unwrap();
        assert!(peers.enter(a).is_none(), "a third connection from one address is refused");
        assert!(peers.enter(b).is_some(), "another address is not affected");
        drop(first);
        assert!(peers.enter(a).is_some());
        assert!(peers.open.lock().unwrap().get(&b).is_none(), "an address with no connection is forgotten");
    }
}
