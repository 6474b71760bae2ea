//! Store benchmarks: what a clerk waits for.
//!
//! 1. Durable commits: `Store::create_case` on a WAL + `synchronous=FULL` file on the real disk
//!    (`target/bench-tmp`, not tmpfs), one transaction and fsync per case.
//! 2. Search while typing: `Store::list_cases` with `CaseFilter::text` over a database of
//!    1,000,000 generated cases, built once with `Store::append_batch` and cached at
//!    `target/bench-data/million.db` (rebuilt when its case count is not the one asked for).
//!
//! Both run twice in one go, on a plain SQLite file and on the SQLCipher-encrypted one the desk
//! uses, and the cost of encryption is printed as a ratio.
//!
//! Run: `cargo bench -p tongban-store --bench store` (release profile). Arguments and
//! environment:
//! - `commit` / `search`: run only that part (both by default); `plans`: print the query plans.
//! - `plain` / `encrypted`: only that mode (both by default).
//! - `TONGBAN_BENCH_CASES` (default 1000000), `TONGBAN_BENCH_COMMITS` (default 300),
//!   `TONGBAN_BENCH_RUNS` (default 50 runs per query, capped at 20 s per query).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use tongban_core::case::{Author, CaseEvent, CaseId, CaseNumber, CaseStatus, DeskCode, EventBody, Intake};
use tongban_core::time::china_time;
use tongban_fixtures::{sample_form, sample_id_number, sample_name, DEMO_CLERK, DEMO_REGION};
use tongban_store::{CaseFilter, Store};
use uuid::Uuid;

/// Cases per calendar day in the generated database: 1,000,000 cases span 2025-01-01 to
/// 2026-12-16, the years whose working-day calendar ships with the app.
const PER_DAY: usize = 1400;
const CHUNK: usize = 10_000;
const WINDOW: &str = "新野县政务服务中心跨省通办专窗";

/// A plain SQLite file, or the SQLCipher one the desk uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Plain,
    Encrypted,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::Plain => "plain SQLite",
            Mode::Encrypted => "SQLCipher",
        }
    }

    /// Opens the demo desk at `path` in this mode, making it if missing.
    fn open(self, path: &Path) -> Store {
        match self {
            Mode::Plain => {
                let mut store = Store::open_unencrypted_for_benchmark(path).expect("open plain");
                common::ensure_demo_desk(&mut store);
                store
            }
            Mode::Encrypted => common::open_encrypted(path),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |part: &str| {
        let parts = ["commit", "search", "plans"];
        !args.iter().any(|a| parts.contains(&a.as_str())) || args.iter().any(|a| a == part)
    };
    let modes: Vec<Mode> = match (args.iter().any(|a| a == "plain"), args.iter().any(|a| a == "encrypted")) {
        (true, false) => vec![Mode::Plain],
        (false, true) => vec![Mode::Encrypted],
        _ => vec![Mode::Plain, Mode::Encrypted],
    };
    let root = workspace_target();
    println!("# tongban-store benchmarks");
    println!();
    if want("commit") {
        let commits = env_usize("TONGBAN_BENCH_COMMITS", 300);
        let results: Vec<(Mode, Stats, f64)> = modes
            .iter()
            .map(|&m| {
                let (s, rate) = bench_commits(&root.join("bench-tmp"), commits, m);
                (m, s, rate)
            })
            .collect();
        if let [(_, plain, plain_rate), (_, enc, enc_rate)] = results.as_slice() {
            println!("### Cost of encryption, durable commit");
            println!();
            println!("| | plain | SQLCipher | ratio |");
            println!("|---|---:|---:|---:|");
            println!(
                "| median ms | {} | {} | {:.2}× |",
                ms(plain.median),
                ms(enc.median),
                ratio(enc.median, plain.median)
            );
            println!("| p95 ms | {} | {} | {:.2}× |", ms(plain.p95), ms(enc.p95), ratio(enc.p95, plain.p95));
            println!("| commits/s | {plain_rate:.0} | {enc_rate:.0} | {:.2}× |", enc_rate / plain_rate);
            println!();
        }
    }
    if want("search") || want("plans") {
        let cases = env_usize("TONGBAN_BENCH_CASES", 1_000_000);
        let runs = env_usize("TONGBAN_BENCH_RUNS", 50);
        let mut results = Vec::new();
        for &mode in &modes {
            let name = match (cases, mode) {
                (1_000_000, Mode::Encrypted) => "million.db".to_string(),
                (1_000_000, Mode::Plain) => "million-plain.db".to_string(),
                (n, Mode::Encrypted) => format!("cases-{n}.db"),
                (n, Mode::Plain) => format!("cases-{n}-plain.db"),
            };
            let store = million(&root.join("bench-data").join(name), cases, mode);
            if want("search") {
                results.push((mode, bench_search(&store, runs, mode)));
            }
            if want("plans") && mode == Mode::Encrypted {
                print_plans(&store, cases);
            }
        }
        if let [(_, plain), (_, enc)] = results.as_slice() {
            println!("### Cost of encryption, search over {cases} cases (median ms)");
            println!();
            println!("| query | plain | SQLCipher | ratio |");
            println!("|---|---:|---:|---:|");
            let mut ratios = Vec::new();
            for ((label, p), (_, e)) in plain.iter().zip(enc) {
                let r = ratio(e.median, p.median);
                ratios.push(r);
                println!("| {label} | {} | {} | {r:.2}× |", ms(p.median), ms(e.median));
            }
            let geo = (ratios.iter().map(|r| r.ln()).sum::<f64>() / ratios.len() as f64).exp();
            println!("| geometric mean | | | {geo:.2}× |");
            println!();
        }
    }
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// `<workspace>/target` (or `CARGO_TARGET_DIR`), whatever directory the bench runs from.
fn workspace_target() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    target.canonicalize().unwrap_or(target)
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

struct Stats {
    n: usize,
    min: Duration,
    median: Duration,
    p95: Duration,
    p99: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut samples: Vec<Duration>) -> Stats {
        assert!(!samples.is_empty());
        samples.sort();
        let pick = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
        Stats {
            n: samples.len(),
            min: samples[0],
            median: pick(0.5),
            p95: pick(0.95),
            p99: pick(0.99),
            max: samples[samples.len() - 1],
        }
    }
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1000.0;
    if v < 1.0 {
        format!("{v:.3}")
    } else if v < 100.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.0}")
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Durable commits
// ---------------------------------------------------------------------------------------------

fn bench_commits(tmp: &Path, commits: usize, mode: Mode) -> (Stats, f64) {
    let dir = tmp.join(format!("commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench-tmp");
    let path = dir.join("desk.db");
    let mut store = mode.open(&path);
    let forms: Vec<_> = (0..commits + 10).map(sample_form).collect();
    // Warm up: the first commits create the WAL file and the day's number row.
    for form in &forms[..10] {
        store.create_case(form, DEMO_CLERK, Utc::now()).expect("create_case");
    }
    let mut samples = Vec::with_capacity(commits);
    let started = Instant::now();
    for form in &forms[10..] {
        let t = Instant::now();
        store.create_case(form, DEMO_CLERK, Utc::now()).expect("create_case");
        samples.push(t.elapsed());
    }
    let wall = started.elapsed();
    assert_eq!(store.case_count().unwrap(), (commits + 10) as u64);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    let s = Stats::of(samples);
    let rate = s.n as f64 / wall.as_secs_f64();
    println!(
        "## Durable case commit, {} (`Store::create_case`, WAL + synchronous=FULL, {})",
        mode.label(),
        tmp.display()
    );
    println!();
    println!("| commits | median ms | p95 ms | p99 ms | min ms | max ms | commits/s |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {} | {} | {} | {} | {} | {:.0} |",
        s.n,
        ms(s.median),
        ms(s.p95),
        ms(s.p99),
        ms(s.min),
        ms(s.max),
        rate
    );
    println!();
    (s, rate)
}

// ---------------------------------------------------------------------------------------------
// 2. The million-case database
// ---------------------------------------------------------------------------------------------

fn day_of(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days((i / PER_DAY) as i64)
}

/// When case `i` was taken in: 08:30 Beijing time on its day, then one every 20 seconds.
fn time_of(i: usize) -> DateTime<Utc> {
    let start = day_of(i).and_time(NaiveTime::from_hms_opt(8, 30, 0).unwrap());
    let local = china_time().from_local_datetime(&start).unwrap();
    (local + chrono::Duration::seconds(20 * (i % PER_DAY) as i64)).with_timezone(&Utc)
}

fn number_of(i: usize) -> CaseNumber {
    CaseNumber::compose(DEMO_REGION, day_of(i), &DeskCode::parse("A1").unwrap(), (i % PER_DAY) as u32 + 1)
}

fn intake_event(i: usize, desk_id: &str) -> CaseEvent {
    CaseEvent {
        id: Uuid::now_v7(),
        case_id: CaseId(Uuid::now_v7()),
        at: time_of(i),
        author: Author {
            user: DEMO_CLERK.into(),
            desk: desk_id.into(),
            region: DEMO_REGION.into(),
            name: "张敏".into(),
        },
        body: EventBody::Received {
            intake: Intake {
                number: number_of(i),
                receiving_region: DEMO_REGION.into(),
                window: WINDOW.into(),
                received_on: day_of(i),
                form: sample_form(i),
            },
        },
    }
}

/// Opens the cached database, or builds it when it does not hold exactly `cases` cases.
fn million(path: &Path, cases: usize, mode: Mode) -> Store {
    if path.exists() {
        let store = mode.open(path);
        let count = store.case_count().expect("case_count");
        if count == cases as u64 {
            println!("## Generated database: reusing {} ({count} cases, {})", path.display(), mib(file_size(path)));
            println!();
            return store;
        }
        println!("(cached database has {count} cases, not {cases}: rebuilding)");
        drop(store);
        remove_db(path);
    }
    std::fs::create_dir_all(path.parent().expect("bench-data")).expect("bench-data");
    let mut store = mode.open(path);
    let desk_id = store.desk().unwrap().expect("desk").id;
    let started = Instant::now();
    let mut generating = Duration::ZERO;
    let mut chunk_times = Vec::new();
    let mut done = 0;
    while done < cases {
        let n = CHUNK.min(cases - done);
        let t = Instant::now();
        let events: Vec<CaseEvent> = (done..done + n).map(|i| intake_event(i, &desk_id)).collect();
        generating += t.elapsed();
        let t = Instant::now();
        store.append_batch(&events, true).expect("append_batch");
        chunk_times.push(t.elapsed());
        done += n;
        if done % 100_000 == 0 || done == cases {
            eprintln!("  built {done} cases in {:.1} s", started.elapsed().as_secs_f64());
        }
    }
    let build = started.elapsed();
    // Closing checkpoints the WAL into the main file.
    drop(store);
    let store = mode.open(path);
    assert_eq!(store.case_count().unwrap(), cases as u64);
    let first = Stats::of(chunk_times[..chunk_times.len().min(10)].to_vec());
    let last = Stats::of(chunk_times[chunk_times.len().saturating_sub(10)..].to_vec());
    println!("## Generated database: {} cases, {}", cases, mode.label());
    println!();
    println!("| what | value |");
    println!("|---|---:|");
    println!("| build time (append_batch, chunks of {CHUNK}) | {:.1} s |", build.as_secs_f64());
    println!("| of which generating events | {:.1} s |", generating.as_secs_f64());
    println!("| cases/s | {:.0} |", cases as f64 / build.as_secs_f64());
    println!("| median chunk, first 10 chunks | {} ms |", ms(first.median));
    println!("| median chunk, last 10 chunks | {} ms |", ms(last.median));
    println!("| file size after close | {} |", mib(file_size(path)));
    println!();
    store
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

/// The case whose applicant the ID and number searches look for: about 5/8 into the data (so in
/// 2026 for a million cases), and a person (`i % 7 != 6`).
fn probe(cases: usize) -> usize {
    let p = cases / 8 * 5 + 3;
    if p % 7 == 6 {
        p + 1
    } else {
        p
    }
}

fn queries(cases: usize) -> Vec<(String, CaseFilter)> {
    let probe = probe(cases);
    let id = sample_id_number(probe);
    let text = |t: &str| CaseFilter { text: Some(t.to_string()), ..Default::default() };
    let name = sample_name(0); // 王建国
    vec![
        ("surname 「王」".into(), text("王")),
        (format!("full name 「{name}」"), text(&name)),
        ("ID prefix 「411329」".into(), text("411329")),
        (format!("ID last 4 「{}」", &id[14..]), text(&id[14..])),
        (format!("full ID 「{id}」"), text(&id)),
        ("number prefix 「411329-2026」".into(), text("411329-2026")),
        (format!("full number 「{}」", number_of(probe)), text(number_of(probe).as_str())),
        (format!("「{name}」 + status 已收件"), CaseFilter { status: Some(CaseStatus::Received), ..text(&name) }),
        // In the sample data every 杨 (i % 24 == 5) lacks a material and no 王 (i % 24 == 0) does.
        ("「杨」 + status 待补正".into(), CaseFilter { status: Some(CaseStatus::AwaitingMaterials), ..text("杨") }),
        (
            "「王」 + status 待补正 (no match)".into(),
            CaseFilter { status: Some(CaseStatus::AwaitingMaterials), ..text("王") },
        ),
        ("no filter, first page".into(), CaseFilter::default()),
        ("no filter, page 100".into(), CaseFilter::default()),
    ]
}

fn bench_search(store: &Store, runs: usize, mode: Mode) -> Vec<(String, Stats)> {
    let budget = Duration::from_secs(20);
    let cases = store.case_count().unwrap() as usize;
    let mut results = Vec::new();
    println!("## Search while typing, {} (`list_cases(filter, page, 50)`, {cases} cases)", mode.label());
    println!();
    println!("| query | matches | rows | runs | median ms | p95 ms | min ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (label, filter) in queries(cases) {
        let page = if label.contains("page 100") { 100 } else { 1 };
        // Two warm-up runs: the page cache, the statement cache.
        let first = store.list_cases(&filter, page, 50).expect("list_cases");
        store.list_cases(&filter, page, 50).expect("list_cases");
        let mut samples = Vec::new();
        let started = Instant::now();
        while samples.len() < runs && (samples.len() < 5 || started.elapsed() < budget) {
            let t = Instant::now();
            let got = store.list_cases(&filter, page, 50).expect("list_cases");
            samples.push(t.elapsed());
            assert_eq!(got.total, first.total);
        }
        let s = Stats::of(samples);
        println!(
            "| {label} | {} | {} | {} | {} | {} | {} | {} |",
            first.total,
            first.rows.len(),
            s.n,
            ms(s.median),
            ms(s.p95),
            ms(s.min),
            ms(s.max)
        );
        results.push((label, s));
    }
    let mut samples = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        store.case_count().unwrap();
        samples.push(t.elapsed());
    }
    let s = Stats::of(samples);
    println!(
        "| `case_count()` | {} | – | {} | {} | {} | {} | {} |",
        store.case_count().unwrap(),
        s.n,
        ms(s.median),
        ms(s.p95),
        ms(s.min),
        ms(s.max)
    );
    println!();
    // Sanity: the searches find what they look for.
    let probe = probe(cases);
    let id = sample_id_number(probe);
    let found = store.list_cases(&CaseFilter { text: Some(id.clone()), ..Default::default() }, 1, 50).unwrap();
    assert!(found.rows.iter().any(|r| r.number == number_of(probe).as_str()), "full ID search misses the probe");
    let found =
        store.list_cases(&CaseFilter { text: Some(id[14..].to_string()), ..Default::default() }, 1, 50).unwrap();
    let last4 = &id[14..];
    assert!(found
        .rows
        .iter()
        .all(|r| r.applicant_id.ends_with(last4) || r.applicant_id.starts_with(last4) || r.number.starts_with(last4)));
    results
}

// ---------------------------------------------------------------------------------------------
// Query plans
// ---------------------------------------------------------------------------------------------

fn print_plans(store: &Store, cases: usize) {
    println!("## Query plans (EXPLAIN QUERY PLAN of the SQL `list_cases` runs)");
    println!();
    for (label, filter) in queries(cases) {
        let page = if label.contains("page 100") { 100 } else { 1 };
        println!("### {label}");
        println!();
        println!("```");
        for line in store.explain_list(&filter, page, 50).expect("explain") {
            println!("{line}");
        }
        println!("```");
        println!();
    }
}
