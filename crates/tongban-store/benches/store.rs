//! Store benchmarks: what a clerk waits for.
//!
//! 1. Durable commits: `Store::create_case` on a WAL + `synchronous=FULL` file on the real disk
//!    (`target/bench-tmp`, not tmpfs), one transaction and fsync per case.
//! 2. Search while typing: `Store::list_cases` with `CaseFilter::text` over a database of
//!    1,000,000 generated cases, built once with `Store::append_batch` and cached at
//!    `target/bench-data/million.db` (rebuilt when its case count is not the one asked for).
//!
//! Run: `cargo bench -p tongban-store --bench store` (release profile). Arguments and
//! environment:
//! - `commit` / `search`: run only that part (both by default); `plans`: print the query plans.
//! - `TONGBAN_BENCH_CASES` (default 1000000), `TONGBAN_BENCH_COMMITS` (default 300),
//!   `TONGBAN_BENCH_RUNS` (default 50 runs per query, capped at 20 s per query).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use tongban_core::case::{Author, CaseEvent, CaseId, CaseNumber, CaseStatus, DeskCode, EventBody, Intake};
use tongban_desk::demo::{ensure_desk, sample_form, sample_id_number, sample_name, DEMO_CLERK, DEMO_REGION};
use tongban_store::{china_time, CaseFilter, Store};
use uuid::Uuid;

/// Cases per calendar day in the generated database: 1,000,000 cases span 2025-01-01 to
/// 2026-12-16, the years whose working-day calendar ships with the app.
const PER_DAY: usize = 1400;
const CHUNK: usize = 10_000;
const WINDOW: &str = "新野县政务服务中心跨省通办专窗";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let want = |part: &str| args.is_empty() || args.iter().any(|a| a == part);
    let root = workspace_target();
    println!("# tongban-store benchmarks");
    println!();
    if want("commit") {
        let commits = env_usize("TONGBAN_BENCH_COMMITS", 300);
        bench_commits(&root.join("bench-tmp"), commits);
    }
    if want("search") || want("plans") {
        let cases = env_usize("TONGBAN_BENCH_CASES", 1_000_000);
        let runs = env_usize("TONGBAN_BENCH_RUNS", 50);
        let path = root.join("bench-data").join(if cases == 1_000_000 {
            "million.db".to_string()
        } else {
            format!("cases-{cases}.db")
        });
        let store = million(&path, cases);
        if want("search") {
            bench_search(&store, runs);
        }
        if want("plans") || want("search") {
            print_plans(&store, cases);
        }
    }
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

fn bench_commits(tmp: &Path, commits: usize) {
    let dir = tmp.join(format!("commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("bench-tmp");
    let path = dir.join("desk.db");
    let mut store = Store::open(&path).expect("open");
    ensure_desk(&mut store).expect("desk");
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
    println!("## Durable case commit (`Store::create_case`, WAL + synchronous=FULL, {})", tmp.display());
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
        s.n as f64 / wall.as_secs_f64()
    );
    println!();
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
fn million(path: &Path, cases: usize) -> Store {
    if path.exists() {
        let store = Store::open(path).expect("open cached database");
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
    let mut store = Store::open(path).expect("open");
    ensure_desk(&mut store).expect("desk");
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
    let store = Store::open(path).expect("reopen");
    assert_eq!(store.case_count().unwrap(), cases as u64);
    let first = Stats::of(chunk_times[..chunk_times.len().min(10)].to_vec());
    let last = Stats::of(chunk_times[chunk_times.len().saturating_sub(10)..].to_vec());
    println!("## Generated database: {} cases", cases);
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

fn bench_search(store: &Store, runs: usize) {
    let budget = Duration::from_secs(20);
    let cases = store.case_count().unwrap() as usize;
    println!("## Search while typing (`list_cases(filter, page, 50)`, {cases} cases)");
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
