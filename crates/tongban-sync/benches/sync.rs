//! Sync throughput on loopback, against a hub served in this process:
//! 1. `push`: cases/s for a desk pushing 10,000 queued cases (`TONGBAN_BENCH_SYNC_CASES`).
//! 2. `scan`: one large scan uploaded by the desk (resumable chunks) vs `curl -T` PUTting the same
//!    bytes to the same hub (`TONGBAN_BENCH_SCAN_MIB`, default 64).
//! 3. `desks`: hub events/s with several desks pushing at once (`TONGBAN_BENCH_DESKS`, default 4,
//!    each with 2,500 cases).
//!
//! `cargo bench -p tongban-sync --bench sync [-- push|scan|desks]`. Results go to stdout; see
//! docs/benchmarks.md for the numbers and the machine.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use chrono::Utc;
use support::*;
use tongban_sync::{sync_once, SyncSettings};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Production settings: the default batch and chunk sizes, not the tests' small ones.
fn settings() -> SyncSettings {
    SyncSettings::default()
}

async fn push(cases: usize) {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
    take_in_cases(&mut store, cases, 0);
    let started = Instant::now();
    let results = sync_once(store, &settings()).await.unwrap();
    let took = started.elapsed();
    let report = results[0].1.as_ref().unwrap();
    assert_eq!(report.pushed, cases);
    assert_eq!(files.counts().0, cases as u64);
    println!(
        "push: {cases} queued cases in {took:.2?} = {:.0} cases/s (batches of {}, one round incl. pulling them back)",
        cases as f64 / took.as_secs_f64(),
        settings().push_batch
    );
}

async fn scan(mib: usize) {
    let bytes = scan_bytes(7, mib * 1024 * 1024);
    let megabytes = bytes.len() as f64 / (1024.0 * 1024.0);

    // The desk: one case whose scan is this file; the round uploads it in chunks, then pushes.
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut store = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
    let sha = store.put_blob(&bytes, "image/tiff", "档案.tif", Utc::now()).unwrap().sha256;
    store.create_case(&intake_form("档案", Some(sha.clone())), "wang", Utc::now()).unwrap();
    // curl sends the plain bytes (the desk keeps them encrypted, and decrypts them to upload).
    let file = dir.path().join("scan.tif");
    std::fs::write(&file, &bytes).unwrap();
    let started = Instant::now();
    let results = sync_once(store, &settings()).await.unwrap();
    let desk_took = started.elapsed();
    assert_eq!(results[0].1.as_ref().unwrap().scans_uploaded, 1);

    // curl: the same bytes PUT in one request to a fresh hub (the first already has the blob).
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let url = format!("{}/v1/blobs/{sha}", hub.url());
    let token = files.partner_token.clone();
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("curl")
            .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H"])
            .arg(format!("Authorization: Bearer {token}"))
            .arg("-T")
            .arg(&file)
            .arg(&url)
            .output()
            .expect("curl is installed")
    })
    .await
    .unwrap();
    let curl_took = started.elapsed();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "201", "{}", String::from_utf8_lossy(&out.stderr));
    println!(
        "scan: {megabytes:.0} MiB — desk {desk_took:.2?} = {:.0} MiB/s ({} MiB chunks), curl PUT {curl_took:.2?} = {:.0} MiB/s",
        megabytes / desk_took.as_secs_f64(),
        settings().chunk_size / (1024 * 1024),
        megabytes / curl_took.as_secs_f64()
    );
}

async fn desks(count: usize, cases_each: usize) {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir().unwrap();
    let mut dbs = Vec::new();
    for i in 0..count {
        // Each desk is another window of 新野县 with its own code, so its numbers are its own.
        let mut store = desk(dir.path(), &format!("desk{i}"), XINYE, &format!("D{i}"));
        add_hub(&mut store, FENGTAI, &hub.url(), &files.partner_token);
        take_in_cases(&mut store, cases_each, 0);
        dbs.push(store.path().to_path_buf());
    }
    let started = Instant::now();
    let rounds: Vec<_> = dbs
        .iter()
        .map(|db| {
            let store = support::reopen(db);
            tokio::spawn(async move { sync_once(store, &settings()).await })
        })
        .collect();
    for round in rounds {
        let results = round.await.unwrap().unwrap();
        results[0].1.as_ref().unwrap();
    }
    let took = started.elapsed();
    let total = count * cases_each;
    assert_eq!(files.counts().0, total as u64);
    println!(
        "desks: {count} desks × {cases_each} cases pushed at once in {took:.2?} = {:.0} events/s at the hub",
        total as f64 / took.as_secs_f64()
    );
}

fn main() {
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        if wanted("push") {
            push(env_number("TONGBAN_BENCH_SYNC_CASES", 10_000)).await;
        }
        if wanted("scan") {
            scan(env_number("TONGBAN_BENCH_SCAN_MIB", 64)).await;
        }
        if wanted("desks") {
            desks(env_number("TONGBAN_BENCH_DESKS", 4), 2_500).await;
        }
    });
    // Let the in-process hubs finish their shutdown before the runtime goes.
    std::thread::sleep(Duration::from_millis(50));
}
