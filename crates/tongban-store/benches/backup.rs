//! Backup and restore of a desk: how long an admin waits and how much the stick must hold.
//!
//! Builds a desk of `TONGBAN_BENCH_CASES` cases (default 10,000), each with a scan of
//! `TONGBAN_BENCH_SCAN_KB` KiB (default 16; a real hall's scans are larger, the time grows with
//! the bytes), under `target/bench-tmp/backup`, then times `Store::back_up` (snapshot, copy, read
//! back and check every hash, the database and every scan) and `tongban_store::restore` (check the
//! backup whole, stage, open, re-derive the outbox, rename), and prints the sizes.
//!
//! Run: `cargo bench -p tongban-store --bench backup` (release), or with `--profile dev` (the
//! dependencies — SQLite, SQLCipher, ChaCha20 — are optimised in dev builds too).

mod common;

use std::path::Path;
use std::time::Instant;

use chrono::Utc;
use common::demo_setup;
use tongban_fixtures::{sample_form, DEMO_PASSWORD};
use tongban_store::{RestoreKey, Store};

fn size_of(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path).unwrap().flatten().map(|e| size_of(&e.path())).sum()
    } else {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }
}

fn main() {
    let cases: usize = std::env::var("TONGBAN_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let scan_kb: usize = std::env::var("TONGBAN_BENCH_SCAN_KB").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-tmp/backup");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let db = root.join("desk.db");

    let started = Instant::now();
    let mut store = Store::create(&db).unwrap();
    store.init_desk_with(&demo_setup(), Some(DEMO_PASSWORD), &[], Utc::now()).unwrap();
    let admin = demo_setup().first_user.login;
    for i in 0..cases {
        let mut scan = vec![0xFF, 0xD8, 0xFF, 0xE0];
        let mut x = i as u64 + 1;
        while scan.len() < scan_kb * 1024 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            scan.extend_from_slice(&x.to_le_bytes());
        }
        let sha = store.put_blob(&scan, "image/jpeg", "身份证.jpg", Utc::now()).unwrap().sha256;
        let mut form = sample_form(i % 40);
        form.materials[0].scans = vec![sha];
        store.create_case(&form, &admin, Utc::now()).unwrap();
    }
    println!(
        "desk: {cases} cases, {cases} scans of {scan_kb} KiB, built in {:.1} s; database {:.1} MB, scans {:.1} MB",
        started.elapsed().as_secs_f64(),
        size_of(&db) as f64 / 1e6,
        size_of(&store.blob_dir()) as f64 / 1e6
    );

    let stick = root.join("stick");
    let started = Instant::now();
    let done = store.back_up(&stick, 3, Utc::now(), |_| {}).unwrap();
    let backup_time = started.elapsed();
    println!(
        "backup (snapshot, copy, read back and check everything): {:.2} s, {:.1} MB in {} files",
        backup_time.as_secs_f64(),
        size_of(&done.path) as f64 / 1e6,
        done.scans + 3
    );
    let started = Instant::now();
    tongban_store::verify_backup(&done.path, store.data_key(), |_| {}).unwrap();
    println!("verify alone (tongban backup --verify): {:.2} s", started.elapsed().as_secs_f64());
    // The demo's first user is a clerk: the restore opens the backup with the recovery key.
    let recovery = store.data_key().recovery_key();
    drop(store);

    let new_pc = root.join("pc").join("desk.db");
    let started = Instant::now();
    let key = RestoreKey::RecoveryKey(recovery.as_str());
    let restored = tongban_store::restore(&done.path, &new_pc, key, false, Utc::now(), |_| {}).unwrap();
    println!(
        "restore (check the backup whole, recovery key, stage, open, re-derive the outbox of {} events, rename): {:.2} s",
        restored.requeued,
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&root);
}
