//! The hub at province scale: 1,000 simulated desks, each pushing a day's intakes one at a time
//! (as a desk's sync round does when cases come in through the day) and pulling what is new
//! after each, against one SQLite hub, one PostgreSQL hub and two PostgreSQL hub processes on one
//! database, in one run on this machine.
//!
//! `cargo bench -p tongban-hub --bench province` (release). `TONGBAN_BENCH_DESKS` (default 1000),
//! `TONGBAN_BENCH_CASES` (a day's intakes per desk, default 10) and `TONGBAN_BENCH_IN_FLIGHT`
//! (requests under way at once over all desks, default 200: a province's halls do not all press
//! a key in the same millisecond) change the load. Prints a Markdown table: admitted events per
//! second over the whole run, and p50/p99 of a push's and of a pull's latency as the desks saw it.
//! The PostgreSQL server is a throwaway cluster on a unix socket with fsync off (as in the
//! tests), so its numbers are the hub's and the protocol's, not a disk's; SQLite runs with the
//! hub's `synchronous = FULL` on this machine's disk.

#[allow(dead_code)]
#[path = "../tests/api/cluster.rs"]
mod cluster;
#[allow(dead_code)]
#[path = "../tests/api/support.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tongban_hub::{Hub, Role};
use tongban_wire::desks::DeskClaim;
use tongban_wire::events::{PullResponse, PushOutcome, PushRequest, PushResponse};

use cluster::TestDatabase;
use support::{desk_id, intake_by, HubProcess, HUB, PARTNER};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Desk code `n` (1-based) of 1,000s: two letters and two digits, e.g. "AB07".
fn code(n: usize) -> String {
    let letters = (n / 100) as u8;
    format!("{}{}{:02}", (b'A' + letters / 26) as char, (b'A' + letters % 26) as char, n % 100)
}

struct Outcome {
    name: &'static str,
    events: usize,
    took: Duration,
    push: Vec<Duration>,
    pull: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn run(
    name: &'static str,
    database: TestDatabase,
    processes: usize,
    desks: usize,
    cases: u32,
    in_flight: usize,
) -> Outcome {
    let tokens: Vec<(String, String)> = {
        let hub = Hub::open_with(&database.db, Some(&database.blob_dir), Some(HUB)).unwrap();
        let now = Utc::now();
        (1..=desks)
            .map(|n| {
                let code = code(n);
                let issued = hub.issue_credential(Some(PARTNER), Role::Window, Some(&code), &code, now).unwrap();
                let claim = DeskClaim {
                    desk_id: desk_id(PARTNER, &code),
                    region: PARTNER.into(),
                    desk_code: code.clone(),
                    name: code.clone(),
                };
                hub.confirm_desk(&issued.credential, &claim, now).unwrap();
                (code, issued.token)
            })
            .collect()
    };
    let served: Vec<HubProcess> = (0..processes).map(|_| HubProcess::start(&database, 0)).collect();
    let urls: Arc<Vec<String>> = Arc::new(served.iter().map(|s| format!("http://127.0.0.1:{}", s.port)).collect());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let (took, push, pull, events) = runtime.block_on(async move {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap();
        let gate = Arc::new(tokio::sync::Semaphore::new(in_flight));
        let started = Instant::now();
        let tasks: Vec<_> = tokens
            .into_iter()
            .enumerate()
            .map(|(n, (code, token))| {
                let (http, gate, urls) = (http.clone(), gate.clone(), urls.clone());
                tokio::spawn(async move {
                    // Each desk talks to one process, as a load balancer would keep it.
                    let base = &urls[n % urls.len()];
                    let (mut push, mut pull, mut cursor, mut admitted) = (vec![], vec![], 0u64, 0usize);
                    for seq in 1..=cases {
                        let event = intake_by(PARTNER, &code, seq);
                        let permit = gate.acquire().await.unwrap();
                        let t = Instant::now();
                        let response = http
                            .post(format!("{base}/v1/events"))
                            .bearer_auth(&token)
                            .json(&PushRequest { events: vec![event] })
                            .send()
                            .await
                            .unwrap();
                        assert!(response.status().is_success(), "{}", response.status());
                        let outcomes = response.json::<PushResponse>().await.unwrap().outcomes;
                        push.push(t.elapsed());
                        admitted += outcomes.iter().filter(|o| matches!(o, PushOutcome::Accepted { .. })).count();
                        let t = Instant::now();
                        let page: PullResponse = http
                            .get(format!("{base}/v1/events?since={cursor}&limit=200"))
                            .bearer_auth(&token)
                            .send()
                            .await
                            .unwrap()
                            .json()
                            .await
                            .unwrap();
                        pull.push(t.elapsed());
                        drop(permit);
                        cursor = page.next_cursor;
                    }
                    (push, pull, admitted)
                })
            })
            .collect();
        let (mut push, mut pull, mut events) = (vec![], vec![], 0);
        for task in tasks {
            let (a, b, n) = task.await.unwrap();
            push.extend(a);
            pull.extend(b);
            events += n;
        }
        (started.elapsed(), push, pull, events)
    });
    drop(served);
    assert_eq!(events, desks * cases as usize, "{name}: every intake admitted once");
    Outcome { name, events, took, push, pull }
}

fn main() {
    let desks = setting("TONGBAN_BENCH_DESKS", 1000);
    let cases = setting("TONGBAN_BENCH_CASES", 10) as u32;
    let in_flight = setting("TONGBAN_BENCH_IN_FLIGHT", 200);
    assert!(desks < 26 * 26 * 100, "desk codes run out at 67,599 desks");
    eprintln!("{desks} desks × {cases} intakes, {in_flight} requests in flight at most");
    let outcomes = [
        run("SQLite, one hub process", TestDatabase::sqlite(), 1, desks, cases, in_flight),
        run("PostgreSQL, one hub process", TestDatabase::postgres(), 1, desks, cases, in_flight),
        run("PostgreSQL, two hub processes", TestDatabase::postgres(), 2, desks, cases, in_flight),
    ];
    println!(
        "| backend | events admitted | wall time | admitted events/s | push p50 | push p99 | pull p50 | pull p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for mut o in outcomes {
        o.push.sort();
        o.pull.sort();
        println!(
            "| {} | {} | {:.1} s | {:.0} | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
            o.name,
            o.events,
            o.took.as_secs_f64(),
            o.events as f64 / o.took.as_secs_f64(),
            percentile(&o.push, 0.5),
            percentile(&o.push, 0.99),
            percentile(&o.pull, 0.5),
            percentile(&o.pull, 0.99),
        );
    }
}
