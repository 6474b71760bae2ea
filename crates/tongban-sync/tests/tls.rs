//! A desk and an HTTPS hub: the hub's own certificate from a region's private CA, trusted because
//! the partner was given that CA; a certificate the desk cannot verify refused in Chinese with
//! nothing sent; a plain http hub off this machine never contacted.

mod support;

use chrono::Utc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tongban_store::{HubSetup, HubTransport, Store};
use tongban_sync::client::HubClient;
use tongban_sync::{sync_once, SyncError, SyncSettings};
use tongban_testca::{ServerFiles, TestCa};

use support::*;

/// The hub of `files` serving HTTPS with `tls` on loopback; its https URL.
async fn serve_https(files: &HubFiles, tls: &ServerFiles, stop: &CancellationToken) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let config = tongban_hub::HubConfig {
        db: files.db.clone(),
        tls: Some(tongban_hub::config::TlsFiles { cert: tls.cert.clone(), key: tls.key.clone() }),
        ..Default::default()
    };
    let stopped = stop.clone();
    tokio::spawn(async move {
        tongban_hub::serve(listener, config, async move { stopped.cancelled().await }).await.unwrap()
    });
    url
}

fn add(store: &mut Store, url: &str, token: &str, ca: Option<&TestCa>) {
    let setup =
        HubSetup {
            region: FENGTAI.into(), name: "北京市丰台区".into(), url: url.into(), credential: token.into()
        };
    let transport = HubTransport { allow_plain_http: false, ca_cert: ca.map(TestCa::cert_pem) };
    store.add_hub_with(&setup, &transport, Utc::now()).unwrap();
}

async fn round(db: &std::path::Path) -> Result<tongban_sync::RoundReport, SyncError> {
    let mut results = sync_once(reopen(db), &fast_settings()).await.unwrap();
    results.remove(0).1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_given_the_partners_ca_syncs_over_https_and_one_without_it_sends_nothing() {
    let files = HubFiles::create();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("北京市政务测试CA");
    let stop = CancellationToken::new();
    let url = serve_https(&files, &ca.issue_server(dir.path(), "hub"), &stop).await;

    let mut window = desk(dir.path(), "window", XINYE, "A1");
    add(&mut window, &url, &files.window_token, Some(&ca));
    take_in_cases(&mut window, 3, 0);
    let db = window.path().to_path_buf();
    drop(window);
    let report = round(&db).await.expect("the round succeeds over https");
    assert_eq!(report.pushed, 3);
    assert_eq!(files.counts().0, 3, "the hub holds the three intakes");

    // The helper's laptop was not given the CA: the hub is refused before anything is sent.
    let mut helper = desk(dir.path(), "helper", XINYE, "H1");
    add(&mut helper, &url, &files.partner_token, None);
    take_in_cases(&mut helper, 2, 0);
    let db = helper.path().to_path_buf();
    drop(helper);
    let err = round(&db).await.unwrap_err();
    assert_eq!(err.code(), "hub_certificate", "{err}");
    let message = err.to_string();
    assert!(message.contains("通办中心的证书不是本机信任的机构签发的"), "{message}");
    assert!(message.contains("--ca-cert"), "says what to do: {message}");
    assert!(!message.is_ascii() && !message.to_lowercase().contains("ssl routines"), "no raw OpenSSL: {message}");
    assert_eq!(files.counts().0, 3, "nothing more reached the hub");
    assert_eq!(reopen(&db).sync_state(FENGTAI).unwrap().pending, 2, "its cases wait on the desk");
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_for_another_name_is_refused_in_chinese() {
    let files = HubFiles::create();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("北京市政务测试CA");
    let stop = CancellationToken::new();
    let elsewhere = ca.issue_server_for(dir.path(), "other", &["hub.other.example"]);
    let url = serve_https(&files, &elsewhere, &stop).await;
    let mut window = desk(dir.path(), "window", XINYE, "A1");
    add(&mut window, &url, &files.window_token, Some(&ca));
    let db = window.path().to_path_buf();
    drop(window);
    let err = round(&db).await.unwrap_err();
    assert_eq!(err.code(), "hub_certificate", "{err}");
    assert!(err.to_string().contains("证书上的名称与所配置的地址不符"), "{err}");
    stop.cancel();
}

#[test]
fn a_plain_http_hub_off_this_machine_is_never_contacted_unless_allowed() {
    let settings = SyncSettings::default();
    let err = HubClient::new("http://10.1.2.3:8730", "token", &settings).err().expect("refused");
    assert_eq!(err.code(), "plain_http_refused");
    assert!(err.to_string().contains("不是加密连接（https）"), "{err}");
    assert!(HubClient::new("http://127.0.0.1:8730", "token", &settings).is_ok(), "the demo on loopback");
    assert!(HubClient::new("https://10.1.2.3:8730", "token", &settings).is_ok());
}
