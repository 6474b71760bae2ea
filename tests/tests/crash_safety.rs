//! A case the clerk saw saved survives the program dying at any moment: a process takes cases
//! in and is killed with SIGKILL mid-stream, several times over the same database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tongban_store::CaseFilter;

#[test]
fn every_case_reported_saved_survives_a_kill_and_numbers_stay_unique() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let mut saved: Vec<String> = Vec::new();
    for round in 0..4u64 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_intake_loop"))
            .arg(&db)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start intake_loop");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill after a different number of cases each round, while it is writing the next.
        let wanted = 5 + round as usize * 7;
        let started = Instant::now();
        let mut seen = 0;
        while seen < wanted {
            let line = lines.next().expect("intake_loop ended early").unwrap();
            saved.push(line);
            seen += 1;
            assert!(started.elapsed() < Duration::from_secs(60), "intake_loop is too slow");
        }
        child.kill().unwrap();
        child.wait().unwrap();
        // Lines printed before the kill landed are saved cases too.
        saved.extend(lines.map_while(Result::ok));
    }
    let store = tongban_desk::demo::open(&db).expect("reopens after kills");
    let all = store.list_cases(&CaseFilter::default(), 1, 1000).unwrap();
    let mut in_db: Vec<String> = all.rows.iter().map(|r| r.number.clone()).collect();
    for number in &saved {
        assert!(in_db.contains(number), "case {number} was reported saved but is gone");
    }
    let total = in_db.len();
    in_db.sort();
    in_db.dedup();
    assert_eq!(in_db.len(), total, "办件编号 must stay unique across restarts");
    // Every stored case folds cleanly and waits in the outbox exactly once.
    for row in &all.rows {
        let events = store.events_of(row.id).unwrap();
        assert_eq!(events.len(), 1);
        assert!(events[0].in_outbox);
    }
    assert_eq!(store.outbox_len().unwrap(), total as u64);
}
