//! The `tongban-hub` binary: credentials from the command line, serving on port 0, and a hub
//! killed and restarted that still has everything it acknowledged.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::Method;
use tongban_wire::catalog::CatalogDocument;
use tongban_wire::events::PushOutcome;

use crate::support::*;

const BIN: &str = env!("CARGO_BIN_EXE_tongban-hub");

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).env_remove("TONGBAN_HUB_REGION").output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn issue(db: &str, role: &str, region: Option<&str>, code: Option<&str>, desk: &str) -> String {
    let mut args = vec!["credential", "issue", "--db", db, "--role", role, "--desk", desk];
    if let Some(region) = region {
        args.extend(["--region", region]);
    }
    if let Some(code) = code {
        args.extend(["--desk-code", code]);
    }
    let (ok, stdout, stderr) = run(&args);
    assert!(ok, "{stderr}");
    stdout.trim().to_string()
}

/// Starts `serve` on port 0 and returns the process and the URL it printed.
fn serve(database: &TestDatabase, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--db", database.db.to_str().unwrap()])
        .args(["--blob-dir", database.blob_dir.to_str().unwrap()])
        .args(extra)
        .env("TONGBAN_HUB_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    (child, url.to_string())
}

fn api(url: &str, token: &str) -> Api {
    Api::with_token(url.to_string(), token)
}

#[tokio::test]
async fn a_hub_killed_and_restarted_keeps_every_event_blob_catalog_and_credential() {
    let database = TestDatabase::new();
    let db_arg = database.db.to_str().unwrap();
    let (ok, _, stderr) = run(&["credential", "issue", "--db", db_arg, "--role", "admin", "--desk", "运维"]);
    assert!(!ok && stderr.contains("尚未初始化"), "{stderr}");
    assert!(run(&["init", "--db", db_arg, "--region", HUB]).0);
    let partner = issue(db_arg, "partner", Some(PARTNER), Some("A1"), "朝阳区政务服务中心1号窗");
    let admin = issue(db_arg, "admin", None, None, "运维");
    // One live credential per desk code: the hall's admin cannot hand A1 to a second desk.
    let (ok, _, stderr) = run(&[
        "credential",
        "issue",
        "--db",
        db_arg,
        "--role",
        "window",
        "--region",
        PARTNER,
        "--desk-code",
        "a1",
        "--desk",
        "2号窗",
    ]);
    assert!(!ok && stderr.contains("窗口代码 A1 已有有效凭据 #1"), "{stderr}");
    let (ok, _, stderr) =
        run(&["credential", "issue", "--db", db_arg, "--role", "window", "--region", PARTNER, "--desk", "2号窗"]);
    assert!(!ok && stderr.contains("须指明受理台的窗口代码（--desk-code）"), "{stderr}");
    let (_, listing, _) = run(&["credential", "list", "--db", db_arg]);
    assert!(listing.contains("朝阳区政务服务中心1号窗") && listing.contains("\tA1\twindow\t"), "{listing}");
    assert!(listing.contains("未确认"), "{listing}");
    assert!(!listing.contains(&partner), "tokens are never listed");

    let (mut first, url) = serve(&database, &[]);
    let desk = api(&url, &partner);
    desk.confirm(PARTNER, "A1").await;
    let scan = b"scan of a household register".as_slice();
    assert_eq!(desk.put_blob(scan).await.0, 201);
    let cases: Vec<_> = (1..=3).map(|i| intake(PARTNER, i, if i == 1 { vec![sha256(scan)] } else { vec![] })).collect();
    let outcomes = desk.push(&cases).await;
    let catalog = api(&url, &admin)
        .request(Method::PUT, "/v1/catalog")
        .json(&catalog_upload(HUB, "2026-03"))
        .send()
        .await
        .unwrap();
    assert_eq!(catalog.status(), 201);
    first.kill().unwrap();
    first.wait().unwrap();

    let (mut second, url) = serve(&database, &["--region", HUB]);
    let desk = api(&url, &partner);
    let pulled = desk.pull(0, 100).await;
    assert_eq!(pulled.events.iter().map(|e| e.event.clone()).collect::<Vec<_>>(), cases);
    let again = desk.push(&cases).await;
    for (before, after) in outcomes.iter().zip(&again) {
        assert!(matches!(after, PushOutcome::Duplicate { .. }));
        assert_eq!(seq_of(before), seq_of(after));
    }
    let fetched = desk.request(Method::GET, &format!("/v1/blobs/{}", sha256(scan))).send().await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), scan);
    let document: CatalogDocument =
        desk.request(Method::GET, "/v1/catalog").send().await.unwrap().json().await.unwrap();
    assert_eq!(document.version, "2026-03");
    assert_eq!(document.sha256, sha256(document.content.get().as_bytes()));

    assert!(run(&["credential", "revoke", "--db", db_arg, "--id", "1"]).0);
    assert_eq!(
        desk.request(Method::GET, "/v1/events").send().await.unwrap().status(),
        401,
        "revocation takes effect on a running hub"
    );
    second.kill().unwrap();
    second.wait().unwrap();

    let blob_dir = database.blob_dir.to_str().unwrap();
    let (ok, _, stderr) =
        run(&["serve", "--listen", "127.0.0.1:0", "--db", db_arg, "--blob-dir", blob_dir, "--region", OTHER]);
    assert!(!ok && stderr.contains("不能以地区「320102」启动"), "{stderr}");
}
