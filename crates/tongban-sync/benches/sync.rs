//! Sync throughput on loopback, against a hub served in this process:
//! 1. `push`: cases/s for a desk pushing 10,000 queued cases (`TONGBAN_BENCH_SYNC_CASES`).
//! 0. `growth`: for each queue length in `TONGBAN_BENCH_GROWTH` (default 10000,100000): the
//!    durable-commit ceiling of this disk (two SQLite files, WAL + FULL, 200 rows a transaction),
//!    the push-shaped ceiling (the same commits, each event written with the rows and indexes a
//!    push writes on both sides, the desk's file encrypted), a push of that many queued intakes
//!    (with the round's phases at debug level; `TONGBAN_BENCH_PUSH_ONLY=1` stops there), the back office pulling them all, and its rounds with
//!    nothing new (the cost that must not grow with the cases it handles).
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

use chrono::{Duration as Days, Utc};
use support::*;
use tongban_core::case::{CaseEvent, CaseId, CaseNumber, DeskCode, EventBody};
use tongban_store::Store;
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

/// Rows/s that this disk commits durably, the way a push writes: a transaction of 200 rows in one
/// SQLite file (the hub), then one in another (the desk), each WAL + `synchronous=FULL`, rows of
/// `body`'s size. The ceiling a push can approach; measured in the same run as the push.
fn durable_ceiling(dir: &std::path::Path, rows: usize, body: &str) -> f64 {
    let open = |name: &str| {
        let conn = rusqlite::Connection::open(dir.join(name)).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.execute_batch("CREATE TABLE rows (id INTEGER PRIMARY KEY, key TEXT UNIQUE, body TEXT)").unwrap();
        conn
    };
    let mut files = [open("ceiling-hub.db"), open("ceiling-desk.db")];
    let started = Instant::now();
    let mut done = 0;
    while done < rows {
        let n = 200.min(rows - done);
        for conn in &mut files {
            let tx = conn.transaction().unwrap();
            {
                let mut stmt = tx.prepare_cached("INSERT INTO rows (key, body) VALUES (?1, ?2)").unwrap();
                for i in done..done + n {
                    stmt.execute(rusqlite::params![uuid::Uuid::now_v7().to_string() + &i.to_string(), body]).unwrap();
                }
            }
            tx.commit().unwrap();
        }
        done += n;
    }
    rows as f64 / started.elapsed().as_secs_f64()
}

/// The same durable commits as [`durable_ceiling`] (200 events a transaction, the hub's file then
/// the desk's, WAL + `synchronous=FULL`), but each event written as the push writes it, with
/// nothing else: the rows and indexes of both schemas, and the desk's file encrypted as the
/// desk's is. Per event, the hub inserts the event (`body`, the table and its five indexes), the
/// case's row (four), its number and its scan's reference; the desk takes the event out of its
/// outbox (the row rewritten, its outbox index entry gone), appends the 已推送 event (a small
/// row and its indexes), the audit entry for it (five) and moves the case's status (its status
/// index). Events/s: what a push would reach if everything but these writes cost nothing.
fn push_shaped_ceiling(dir: &std::path::Path, events: usize, body: &str) -> f64 {
    let open = |name: &str, key: Option<&str>, schema: &str| {
        let conn = rusqlite::Connection::open(dir.join(name)).unwrap();
        if let Some(key) = key {
            conn.execute_batch(&format!("PRAGMA key = {key};")).unwrap();
        }
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.execute_batch(schema).unwrap();
        conn
    };
    let mut hub = open(
        "shaped-hub.db",
        None,
        "CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL,
             kind TEXT NOT NULL, receiving_region TEXT NOT NULL, handling_region TEXT NOT NULL, body TEXT NOT NULL,
             stored_at TEXT NOT NULL, credential_id INTEGER NOT NULL, receiving_desk TEXT NOT NULL);
         CREATE INDEX events_by_case ON events (case_id, seq);
         CREATE INDEX events_by_receiving_region ON events (receiving_region, seq);
         CREATE INDEX events_by_handling_region ON events (handling_region, seq);
         CREATE INDEX events_by_receiving_desk ON events (receiving_region, receiving_desk, seq);
         CREATE TABLE cases (case_id TEXT PRIMARY KEY, first_seq INTEGER NOT NULL UNIQUE, number TEXT NOT NULL,
             receiving_region TEXT NOT NULL, handling_region TEXT NOT NULL, status TEXT NOT NULL,
             applicant_name TEXT NOT NULL, item_code TEXT NOT NULL, item_name TEXT NOT NULL,
             received_on TEXT NOT NULL, updated_at TEXT NOT NULL, desk_code TEXT NOT NULL);
         CREATE INDEX cases_by_handling_region ON cases (handling_region, first_seq);
         CREATE INDEX cases_by_receiving_desk ON cases (receiving_region, desk_code);
         CREATE TABLE case_numbers (number TEXT PRIMARY KEY, case_id TEXT NOT NULL) WITHOUT ROWID;
         CREATE TABLE blob_refs (sha256 TEXT NOT NULL, case_id TEXT NOT NULL, PRIMARY KEY (sha256, case_id))
             WITHOUT ROWID;",
    );
    let mut desk = open(
        "shaped-desk.db",
        Some(&format!("\"x'{}'\"", "ab".repeat(32))),
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, case_id TEXT NOT NULL,
             kind TEXT NOT NULL, at TEXT NOT NULL, author TEXT NOT NULL, body TEXT NOT NULL, local INTEGER NOT NULL,
             outbox INTEGER NOT NULL);
         CREATE INDEX events_by_case ON events (case_id, seq);
         CREATE INDEX events_in_outbox ON events (seq) WHERE outbox = 1;
         CREATE TABLE audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, user TEXT NOT NULL, kind TEXT NOT NULL,
             case_id TEXT, detail TEXT NOT NULL, ref TEXT, digest TEXT, hash TEXT NOT NULL);
         CREATE INDEX audit_by_case ON audit (case_id, seq);
         CREATE INDEX audit_by_user ON audit (user, seq);
         CREATE INDEX audit_by_kind ON audit (kind, seq);
         CREATE INDEX audit_by_ref ON audit (ref) WHERE ref IS NOT NULL;
         CREATE TABLE cases (id TEXT PRIMARY KEY, status TEXT NOT NULL, received_at TEXT NOT NULL,
             updated_at TEXT NOT NULL, last_seq INTEGER NOT NULL);
         CREATE INDEX cases_by_status ON cases (status, received_at);",
    );
    // The desk's queue as the push finds it (not timed): the events, in the outbox, and their cases.
    let ids: Vec<(String, String)> =
        (0..events).map(|_| (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string())).collect();
    {
        let tx = desk.transaction().unwrap();
        for (id, case) in &ids {
            tx.execute(
                "INSERT INTO events (id, case_id, kind, at, author, body, local, outbox)
                 VALUES (?1, ?2, 'received', '2026-12-07T00:00:00+00:00', 'wang', ?3, 1, 1)",
                rusqlite::params![id, case, body],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO cases (id, status, received_at, updated_at, last_seq)
                 VALUES (?1, 'received', '2026-12-07T00:00:00+00:00', '2026-12-07T00:00:00+00:00', 1)",
                [case],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    let hash = "0".repeat(64);
    let started = Instant::now();
    for (batch, chunk) in ids.chunks(200).enumerate() {
        let tx = hub.transaction().unwrap();
        for (i, (id, case)) in chunk.iter().enumerate() {
            let number = format!("411329-20261207-H1-{batch:04}{i:03}");
            let seq: i64 = tx
                .prepare_cached(
                    "INSERT INTO events (id, case_id, kind, receiving_region, handling_region, body, stored_at,
                         credential_id, receiving_desk)
                     VALUES (?1, ?2, 'received', '411329', '110106', ?3, '2026-12-07T00:00:00Z', 7, 'H1') RETURNING seq",
                )
                .unwrap()
                .query_row(rusqlite::params![id, case, body], |r| r.get(0))
                .unwrap();
            tx.prepare_cached(
                "INSERT INTO cases (case_id, first_seq, number, receiving_region, handling_region, status,
                     applicant_name, item_code, item_name, received_on, updated_at, desk_code)
                 VALUES (?1, ?2, ?3, '411329', '110106', 'received', '申请人', '0001', '事项', '2026-12-07',
                     '2026-12-07T00:00:00Z', 'H1')",
            )
            .unwrap()
            .execute(rusqlite::params![case, seq, number])
            .unwrap();
            tx.prepare_cached("INSERT INTO case_numbers (number, case_id) VALUES (?1, ?2)")
                .unwrap()
                .execute([&number, case])
                .unwrap();
            tx.prepare_cached("INSERT INTO blob_refs (sha256, case_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING")
                .unwrap()
                .execute([&hash, case])
                .unwrap();
        }
        tx.commit().unwrap();
        let tx = desk.transaction().unwrap();
        for (id, case) in chunk {
            tx.prepare_cached("UPDATE events SET outbox = 0 WHERE id = ?1 AND outbox = 1")
                .unwrap()
                .execute([id])
                .unwrap();
            let pushed = uuid::Uuid::now_v7().to_string();
            let pushed_body = format!(
                r#"{{"id":"{pushed}","case_id":"{case}","at":"2026-12-07T00:00:00Z","author":{{"user":"wang","desk":"{case}","region":"411329","name":"王敏"}},"body":{{"type":"pushed"}}}}"#
            );
            tx.prepare_cached(
                "INSERT INTO events (id, case_id, kind, at, author, body, local, outbox)
                 VALUES (?1, ?2, 'pushed', '2026-12-07T00:00:00+00:00', 'wang', ?3, 1, 0)",
            )
            .unwrap()
            .execute([&pushed, case, &pushed_body])
            .unwrap();
            tx.prepare_cached(
                "INSERT INTO audit (at, user, kind, case_id, detail, ref, digest, hash)
                 VALUES ('2026-12-07T00:00:00+00:00', 'wang', 'event', ?1, '记录办件事件「已推送」', ?2, ?3, ?3)",
            )
            .unwrap()
            .execute([case, &pushed, &hash])
            .unwrap();
            tx.prepare_cached(
                "UPDATE cases SET status = 'pushed', updated_at = '2026-12-07T00:00:01+00:00', last_seq = 2 WHERE id = ?1",
            )
            .unwrap()
            .execute([case])
            .unwrap();
        }
        tx.commit().unwrap();
    }
    events as f64 / started.elapsed().as_secs_f64()
}

/// Queues `count` intakes for 丰台区 on `store`, all citing `scan` (held by the desk): the first
/// taken in as a clerk does, the rest copies of it under their own ids and numbers (1,000 a day
/// back from yesterday), appended in chunks of 10,000 so building a long queue takes seconds.
fn queue_intakes(store: &mut Store, count: usize, scan: &str) {
    let form = intake_form("申请人0", Some(scan.to_string()));
    let (first, _) = store.create_case(&form, "wang", Utc::now()).unwrap();
    let template = store.events_of(first).unwrap().remove(0).event;
    let EventBody::Received { intake } = &template.body else { unreachable!("the first event is the intake") };
    let desk = DeskCode::parse(intake.number.desk_code()).unwrap();
    let today = Utc::now().date_naive();
    let mut made = 1;
    while made < count {
        let chunk: Vec<CaseEvent> = (made..count.min(made + 10_000))
            .map(|i| {
                let day = today - Days::days(1 + (i / 1000) as i64);
                let mut intake = intake.clone();
                intake.number = CaseNumber::compose(XINYE, day, &desk, (i % 1000) as u32 + 1);
                intake.received_on = day;
                if let tongban_core::applicant::Applicant::Person(p) = &mut intake.form.applicant {
                    p.name = format!("申请人{i}");
                }
                CaseEvent {
                    id: uuid::Uuid::now_v7(),
                    case_id: CaseId(uuid::Uuid::now_v7()),
                    at: template.at,
                    author: template.author.clone(),
                    body: EventBody::Received { intake },
                }
            })
            .collect();
        made += chunk.len();
        store.append_batch(&chunk, true).unwrap();
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// One line of the growth table: the ceiling, the push, the back office's pull and idle rounds.
async fn growth(cases: usize) {
    let files = HubFiles::create();
    let hub = ServedHub::start(&files).await;
    let dir = tempfile::tempdir_in(bench_dir()).unwrap();

    let mut helper = desk(dir.path(), "helper", XINYE, "H1");
    add_hub(&mut helper, FENGTAI, &hub.url(), &files.partner_token);
    let scan = helper.put_blob(&scan_bytes(1, 200 * 1024), "image/jpeg", "身份证.jpg", Utc::now()).unwrap().sha256;
    let t = Instant::now();
    queue_intakes(&mut helper, cases, &scan);
    let queued = t.elapsed();
    let body = serde_json::to_string(&helper.outbox(1).unwrap()[0].event).unwrap();
    let ceiling = durable_ceiling(dir.path(), cases.min(20_000), &body);
    let shaped = push_shaped_ceiling(dir.path(), cases.min(20_000), &body);

    let started = Instant::now();
    let results = sync_once(helper, &settings()).await.unwrap();
    let pushed = started.elapsed();
    assert_eq!(results[0].1.as_ref().unwrap().pushed, cases);
    assert_eq!(files.counts().0, cases as u64);
    let rate = cases as f64 / pushed.as_secs_f64();
    if std::env::var_os("TONGBAN_BENCH_PUSH_ONLY").is_some() {
        println!(
            "growth {cases}: ceiling {ceiling:.0} rows/s; push-shaped ceiling {shaped:.0} events/s; push {pushed:.2?} = {rate:.0} cases/s = {:.0} % of the ceiling, {:.0} % of the push-shaped one",
            100.0 * rate / ceiling,
            100.0 * rate / shaped
        );
        return;
    }

    let mut office = desk(dir.path(), "office", FENGTAI, "S1");
    add_hub(&mut office, FENGTAI, &hub.url(), &files.back_office_token);
    let office_db = office.path().to_path_buf();
    drop(office);
    let started = Instant::now();
    let mut pulled = 0;
    loop {
        let results = sync_once(reopen(&office_db), &settings()).await.unwrap();
        let report = results[0].1.as_ref().unwrap();
        pulled += report.pulled;
        if !report.more_to_pull {
            break;
        }
    }
    let pulling = started.elapsed();
    assert_eq!(pulled, cases);
    let mut rounds = Vec::new();
    let mut wanted = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let results = sync_once(reopen(&office_db), &settings()).await.unwrap();
        rounds.push(started.elapsed());
        let report = results[0].1.as_ref().unwrap();
        assert_eq!((report.pulled, report.scans_fetched), (0, 0), "nothing new");
        let store = reopen(&office_db);
        let started = Instant::now();
        assert!(store.scans_missing(FENGTAI, 50).unwrap().is_empty());
        wanted.push(started.elapsed());
    }
    let engine_rounds = engine_idle_rounds(&office_db, 7).await;
    println!(
        "growth {cases}: queued in {queued:.1?}; ceiling {ceiling:.0} rows/s; push-shaped ceiling {shaped:.0} events/s; push {pushed:.2?} = {rate:.0} cases/s = {:.0} % of the ceiling, {:.0} % of the push-shaped one; back office pulled {pulled} in {pulling:.2?} = {:.0} events/s; idle round median {:.1?} (scans_missing {:.2?}); the running engine's idle round median {:.1?}",
        100.0 * rate / ceiling,
        100.0 * rate / shaped,
        pulled as f64 / pulling.as_secs_f64(),
        median(rounds),
        median(wanted),
        median(engine_rounds),
    );
}

/// The back office as the window runs it: one engine keeps its store open, and each "sync now"
/// is a round with nothing new (its audit chain walked on from where the last round left it; the
/// whole chain at the engine's start and every 6 hours). Each round timed from the button to the
/// state the window sees.
async fn engine_idle_rounds(office_db: &std::path::Path, rounds: usize) -> Vec<Duration> {
    let stop = tokio_util::sync::CancellationToken::new();
    let engine = tongban_sync::SyncEngine::start(reopen(office_db), settings(), stop.clone()).unwrap();
    let mut status = engine.status();
    // The engine's first round (at its start): the whole chain walked once, the day's 对账.
    let round_after = |since: Option<chrono::DateTime<Utc>>| {
        move |all: &Vec<tongban_sync::HubStatus>| !all[0].syncing && all[0].last_success_at > since
    };
    status.wait_for(round_after(None)).await.unwrap();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let since = status.borrow()[0].last_success_at;
        let started = Instant::now();
        engine.sync_now();
        status.wait_for(round_after(since)).await.unwrap();
        times.push(started.elapsed());
        assert_eq!(status.borrow()[0].last_error, None);
    }
    stop.cancel();
    engine.stopped().await;
    times
}

/// Where the growth bench keeps its databases: the target directory's disk, not a tmpfs.
fn bench_dir() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-tmp");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn main() {
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    // The rounds' phases (push, pull, audit walk): where a growth round's time went.
    {
        use tracing_subscriber::prelude::*;
        let phases =
            tracing_subscriber::filter::Targets::new().with_target("tongban_sync::round", tracing::Level::DEBUG);
        let layer =
            tracing_subscriber::fmt::layer().without_time().with_target(false).with_ansi(false).with_filter(phases);
        tracing_subscriber::registry().with(layer).init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        if wanted("growth") {
            let sizes = std::env::var("TONGBAN_BENCH_GROWTH").unwrap_or_else(|_| "10000,100000".into());
            for size in sizes.split(',').filter_map(|s| s.trim().parse().ok()) {
                growth(size).await;
            }
        }
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
