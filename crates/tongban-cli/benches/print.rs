//! A one-off `tongban print receipt` as a whole process, as a script or an operator runs it: the
//! process starting, logging in (the password's Argon2id, the encrypted database opened), reading
//! the case, the form rendered and written, the print recorded.
//!
//! `cargo bench -p tongban-cli --bench print` (release profile). On a demo desk in a temporary
//! directory, it times, each `TONGBAN_BENCH_RUNS` times (default 30): `tongban --version` (the
//! process alone), `tongban case show` (the process, the login and a read) and `tongban print
//! receipt` (all that, and the print), and prints a Markdown table (median, min, p95, max).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use tongban_desk::demo::{DEMO_CLERK, DEMO_PASSWORD};

/// Runs `tongban` on `db` as the demo's clerk, the password on standard input; the time is the
/// whole process's, from spawning it to its end.
fn tongban(db: &Path, args: &[&str]) -> (Output, Duration) {
    let t = Instant::now();
    let out = common::tongban_with_input(db, DEMO_CLERK, args, &format!("{DEMO_PASSWORD}\n"));
    let took = t.elapsed();
    assert!(out.status.success(), "tongban {args:?}: {}", common::stderr(&out));
    (out, took)
}

fn row(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = times[((times.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)];
    let (min, median, max) = (times[0], times[times.len() / 2], times[times.len() - 1]);
    println!("| {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} |", times.len(), ms(median), ms(min), ms(p95), ms(max));
}

fn main() {
    let runs: usize = std::env::var("TONGBAN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let db = dir.path().join("desk.db");
    tongban(&db, &["demo", "--cases", "10"]);
    let (listed, _) = tongban(&db, &["case", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("case list --json");
    let number = list["rows"][0]["number"].as_str().expect("a demo case").to_string();
    let out = dir.path().join("receipt.pdf");
    let out = out.to_str().unwrap();

    let version = || {
        let t = Instant::now();
        let o = Command::new(env!("CARGO_BIN_EXE_tongban")).arg("--version").output().expect("tongban runs");
        assert!(o.status.success());
        t.elapsed()
    };
    // One of each first: the binary and the database in the page cache.
    version();
    tongban(&db, &["case", "show", &number]);
    tongban(&db, &["print", "receipt", &number, "--out", out]);

    println!("| process | runs | median ms | min ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    row("`tongban --version`", (0..runs).map(|_| version()).collect());
    row("`tongban case show`", (0..runs).map(|_| tongban(&db, &["case", "show", &number]).1).collect());
    row(
        "`tongban print receipt`",
        (0..runs).map(|_| tongban(&db, &["print", "receipt", &number, "--out", out]).1).collect(),
    );
    println!("\nreceipt: {} bytes", std::fs::metadata(out).expect("the receipt is written").len());
}
