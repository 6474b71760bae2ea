//! The hub against a hostile network: its own TLS (a test CA, a bad pair, a renewed certificate),
//! slow clients that never finish their headers, and a credential that floods it. All against the
//! real `tongban-hub` binary on loopback.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tongban_testca::TestCa;
use tongban_wire::{ErrorBody, ErrorCode};

const BIN: &str = env!("CARGO_BIN_EXE_tongban-hub");

fn init(dir: &Path) -> String {
    let db = dir.join("hub.db");
    let out = Command::new(BIN).args(["init", "--db", db.to_str().unwrap(), "--region", "411329"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(BIN)
        .args(["credential", "issue", "--db", db.to_str().unwrap(), "--role", "window"])
        .args(["--region", "110105", "--desk-code", "A1", "--desk", "朝阳区1号窗"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Served {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--db", dir.join("hub.db").to_str().unwrap()])
        .args(extra)
        .envs(env.iter().copied())
        .env("TONGBAN_HUB_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected: {line:?}")).to_string();
    Served { child, url }
}

fn trusting(ca: &TestCa) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca.cert_pem().as_bytes()).unwrap())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn health(client: &reqwest::Client, url: &str) -> Result<u16, reqwest::Error> {
    Ok(client.get(format!("{url}/health")).send().await?.status().as_u16())
}

#[tokio::test]
async fn the_hub_serves_https_with_its_certificate_and_picks_up_a_renewed_one() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let ca = TestCa::new("丰台区政务测试CA");
    let files = ca.issue_server(dir.path(), "hub");
    let (cert, key) = (files.cert.to_str().unwrap(), files.key.to_str().unwrap());
    let hub = serve(dir.path(), &["--tls-cert", cert, "--tls-key", key], &[]);
    assert!(hub.url.starts_with("https://127.0.0.1:"), "{}", hub.url);
    assert_eq!(health(&trusting(&ca), &hub.url).await.unwrap(), 200);
    let stranger = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    assert!(health(&stranger, &hub.url).await.is_err(), "a client not trusting the CA is refused");
    let plain = hub.url.replace("https://", "http://");
    assert!(health(&stranger, &plain).await.is_err(), "no plain HTTP on an HTTPS hub");

    // The certificate is renewed by another CA: the hub serves it without a restart.
    let renewed_by = TestCa::new("新的政务测试CA");
    let renewed = renewed_by.issue_server(dir.path(), "renewed");
    std::fs::rename(&renewed.cert, &files.cert).unwrap();
    std::fs::rename(&renewed.key, &files.key).unwrap();
    let started = Instant::now();
    while health(&trusting(&renewed_by), &hub.url).await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the renewed certificate was not picked up");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(health(&trusting(&ca), &hub.url).await.is_err(), "the old certificate is gone");
}

#[test]
fn a_bad_certificate_pair_stops_the_hub_before_it_listens_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let ca = TestCa::new("测试CA");
    let one = ca.issue_server(dir.path(), "one");
    let other = ca.issue_server(dir.path(), "other");
    std::fs::write(dir.path().join("empty.crt"), "").unwrap();
    let db = dir.path().join("hub.db");
    let empty = dir.path().join("empty.crt");
    let missing = dir.path().join("missing.crt");
    let cases: [(&[&str], String); 4] = [
        (
            &["--tls-cert", one.cert.to_str().unwrap(), "--tls-key", other.key.to_str().unwrap()],
            format!("TLS 文件「{}」与证书「{}」不匹配", other.key.display(), one.cert.display()),
        ),
        (&["--tls-cert", empty.to_str().unwrap(), "--tls-key", one.key.to_str().unwrap()], "中没有证书".to_string()),
        (
            &["--tls-cert", missing.to_str().unwrap(), "--tls-key", one.key.to_str().unwrap()],
            "missing.crt」无法读取".to_string(),
        ),
        (&["--tls-cert", one.cert.to_str().unwrap()], "tls_cert 与 tls_key 须同时指定".to_string()),
    ];
    for (args, expected) in cases {
        let out = Command::new(BIN)
            .args(["serve", "--listen", "127.0.0.1:0", "--db", db.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} must refuse");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(&expected), "{args:?}: {stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "it never listened");
    }
}

/// Opens `count` connections that send half a request's headers and then nothing.
fn slow_clients(url: &str, count: usize) -> Vec<TcpStream> {
    let addr = url.trim_start_matches("http://");
    (0..count)
        .filter_map(|_| {
            let mut socket = TcpStream::connect(addr).ok()?;
            socket.write_all(b"GET /health HTTP/1.1\r\nHost: hub\r\nX-Slow: ").ok()?;
            Some(socket)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_finish_their_headers_are_cut_off_and_health_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let hub = serve(dir.path(), &[], &[("TONGBAN_HUB_HEADER_TIMEOUT_SECS", "2")]);
    // 1,100 sockets from 127.0.0.1, as in the attack that once left /health unanswered; the hub
    // keeps 64 of them (its per-address share) and closes the rest as they come.
    let mut attackers = slow_clients(&hub.url, 1100);
    assert!(attackers.len() >= 1000, "only {} connections opened", attackers.len());

    // Another desk (another address: 127.0.0.2 is loopback too) is answered at once.
    let other_desk = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let started = Instant::now();
    assert_eq!(health(&other_desk, &hub.url).await.unwrap(), 200);
    assert!(started.elapsed() < Duration::from_secs(3));

    // Within the header timeout every slow socket is closed by the hub.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let still_open = attackers
        .iter_mut()
        .filter(|s| {
            s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
            let mut byte = [0u8; 512];
            // Closed: EOF or a reset. Open: the read times out.
            matches!((&**s).read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut)
        })
        .count();
    assert_eq!(still_open, 0, "slow sockets still held by the hub");
    drop(attackers);
    // And the same address is served again.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(3)).build().unwrap();
    assert_eq!(health(&client, &hub.url).await.unwrap(), 200);
}

#[tokio::test]
async fn a_credential_that_floods_the_hub_is_told_to_wait_and_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let token = init(dir.path());
    let hub = serve(dir.path(), &[], &[("TONGBAN_HUB_REQUESTS_PER_SECOND", "2"), ("TONGBAN_HUB_REQUEST_BURST", "5")]);
    let client = reqwest::Client::new();
    let mut limited = None;
    for _ in 0..20 {
        let response = client.get(format!("{}/v1/catalog", hub.url)).bearer_auth(&token).send().await.unwrap();
        if response.status().as_u16() == 429 {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("twenty requests at once must hit the limit");
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=5).contains(&wait), "{wait}");
    let body: ErrorBody = limited.json().await.unwrap();
    assert_eq!(body.code, ErrorCode::RateLimited);
    assert!(body.message.starts_with("请求过于频繁，请") && body.message.ends_with("秒后重试"), "{}", body.message);
    // Another caller (no credential: counted by its address) still gets its answer.
    assert_eq!(health(&client, &hub.url).await.unwrap(), 200);
}
