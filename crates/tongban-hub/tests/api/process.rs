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

#[test]
fn migrate_brings_the_database_to_this_version_and_a_newer_one_is_refused_untouched() {
    let database = TestDatabase::new();
    let db = database.db.to_str().unwrap();
    let (ok, _, stderr) = run(&["migrate", "--db", db]);
    assert!(!ok && stderr.contains("尚未初始化"), "{stderr}");
    assert!(run(&["init", "--db", db, "--region", HUB]).0);
    let (ok, stdout, stderr) = run(&["migrate", "--db", db]);
    assert!(ok, "{stderr}");
    let (kind, version) = if database.is_postgres {
        ("postgresql", tongban_hub::POSTGRES_SCHEMA_VERSION)
    } else {
        ("sqlite", tongban_hub::SCHEMA_VERSION)
    };
    assert!(stdout.contains(&format!("（{kind}，地区 {HUB}）已是本程序的第 {version} 版结构")), "{stdout}");
    // A database a newer build wrote is refused, by migrate and by serve, and left as it was.
    if database.is_postgres {
        crate::cluster::execute_sql(&database.db, "UPDATE schema_version SET version = 99");
    } else {
        crate::cluster::execute_sql(&database.db, "PRAGMA user_version = 99");
    }
    let (ok, _, stderr) = run(&["migrate", "--db", db]);
    assert!(!ok && stderr.contains("数据库版本为 99，高于本程序支持的"), "{stderr}");
    let blob_dir = database.blob_dir.to_str().unwrap();
    let (ok, _, stderr) = run(&["serve", "--listen", "127.0.0.1:0", "--db", db, "--blob-dir", blob_dir]);
    assert!(!ok && stderr.contains("数据库版本为 99"), "{stderr}");
}

#[tokio::test]
async fn health_says_which_database_answers() {
    let hub = TestHub::start().await;
    let health: tongban_wire::Health =
        hub.anonymous().request(Method::GET, "/health").send().await.unwrap().json().await.unwrap();
    let kind = if hub.db.to_string_lossy().starts_with("postgres") { "postgresql" } else { "sqlite" };
    assert_eq!((health.status.as_str(), health.database.as_deref()), ("ok", Some(kind)));
}

/// A county's SQLite hub moved into another database (the province's PostgreSQL, in the run on
/// PostgreSQL): every event under its number, the signing key, the credentials and the scans
/// come along, and desks carry on from their cursors.
#[tokio::test]
async fn an_exported_sqlite_hub_imports_into_an_empty_database_with_every_count_checked() {
    let county = TestHub::on(TestDatabase::sqlite(), tongban_hub::Limits::default()).await;
    let desk = county.api(&county.partner);
    let scan = b"scan of a residence permit".as_slice();
    assert_eq!(desk.put_blob(scan).await.0, 201);
    let cases: Vec<_> = (1..=5).map(|i| intake(PARTNER, i, if i == 2 { vec![sha256(scan)] } else { vec![] })).collect();
    let outcomes = desk.push(&cases).await;
    let before = desk.pull(0, 100).await;
    let key = county.open_again().signer().public();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let county_db = county.db.to_str().unwrap();
    let county_blobs = county.blob_dir().to_str().unwrap();
    let (ok, stdout, stderr) =
        run(&["export", "--db", county_db, "--blob-dir", county_blobs, "--out", out.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("events\t5 行") && stdout.contains("扫描件\t1 个"), "{stdout}");
    // A second export into the same folder is refused: it would mix two hubs.
    assert!(!run(&["export", "--db", county_db, "--out", out.to_str().unwrap()]).0);

    let province = TestDatabase::new();
    let (db, blobs) = (province.db.to_str().unwrap(), province.blob_dir.to_str().unwrap());
    let (ok, stdout, stderr) = run(&["import", "--db", db, "--blob-dir", blobs, "--from", out.to_str().unwrap()]);
    assert!(ok, "{stderr}");
    let credentials = county.open_again().credentials().unwrap().len();
    assert!(stdout.contains("已导入并核对") && stdout.contains(&format!("credentials\t{credentials} 行")), "{stdout}");
    // Into a database that holds a hub: refused, nothing changed.
    let (ok, _, stderr) = run(&["import", "--db", db, "--blob-dir", blobs, "--from", out.to_str().unwrap()]);
    assert!(!ok && stderr.contains("只能导入到新建的空数据库"), "{stderr}");
    // An export whose rows were cut short is refused whole.
    let cut = dir.path().join("cut");
    std::fs::create_dir_all(cut.join("rows")).unwrap();
    for entry in std::fs::read_dir(out.join("rows")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let kept = if path.ends_with("events.jsonl") {
            text.lines().take(4).map(|l| format!("{l}\n")).collect()
        } else {
            text
        };
        std::fs::write(cut.join("rows").join(path.file_name().unwrap()), kept).unwrap();
    }
    std::fs::copy(out.join("manifest.json"), cut.join("manifest.json")).unwrap();
    assert!(Command::new("cp").arg("-r").arg(out.join("blobs")).arg(cut.join("blobs")).status().unwrap().success());
    let other = TestDatabase::new();
    let (ok, _, stderr) = run(&[
        "import",
        "--db",
        other.db.to_str().unwrap(),
        "--blob-dir",
        other.blob_dir.to_str().unwrap(),
        "--from",
        cut.to_str().unwrap(),
    ]);
    assert!(!ok && stderr.contains("表 events：清单记载 5 行，读到 4 行"), "{stderr}");

    // The moved hub serves the same events under the same numbers, sealed with the same key, to
    // the same tokens, and admits what comes next after them.
    let (mut served, url) = serve(&province, &[]);
    let moved = api(&url, &county.partner);
    let after = moved.pull(0, 100).await;
    assert_eq!(after, before);
    let health: tongban_wire::Health =
        moved.request(Method::GET, "/health").send().await.unwrap().json().await.unwrap();
    assert_eq!(health.signing_key, Some(key.to_hex()));
    let fetched = moved.request(Method::GET, &format!("/v1/blobs/{}", sha256(scan))).send().await.unwrap();
    assert_eq!(fetched.bytes().await.unwrap().as_ref(), scan);
    let next = moved.push(&[intake(PARTNER, 6, vec![])]).await;
    assert!(seq_of(&next[0]) > outcomes.iter().map(seq_of).max().unwrap());
    served.kill().unwrap();
    served.wait().unwrap();
}
