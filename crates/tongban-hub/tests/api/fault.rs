//! Two hub processes on one PostgreSQL database, 50 desks pushing and pulling through both at
//! random, one process SIGKILLed and restarted mid-run. Every desk must end with exactly its own
//! cases (no gaps in what it pulled, no duplicates), and the region's back office, pulling all
//! the while through either process, must have seen every event exactly once and in order.
//! Runs on PostgreSQL only (`TONGBAN_HUB_TEST_DB=postgres`): it is the story of several writers.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::Method;
use tongban_core::case::CaseEvent;
use tongban_hub::{Hub, Role};
use tongban_wire::desks::DeskClaim;
use tongban_wire::events::{PullResponse, PushOutcome, PushRequest, PushResponse};

use crate::support::*;

const DESKS: usize = 50;
const CASES_PER_DESK: u32 = 8;

/// A request through one of the two processes, chosen at random, retried (through either) until
/// one answers: the desk's engine does the same with backoff.
async fn through_either<T>(
    ports: &[u16; 2],
    mut attempt: impl FnMut(String) -> futures_util::future::BoxFuture<'static, Result<T, String>>,
) -> T {
    for round in 0.. {
        let port = ports[rand_index(2)];
        match attempt(format!("http://127.0.0.1:{port}")).await {
            Ok(answer) => return answer,
            Err(e) if round < 400 => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => panic!("no hub process answered for 10 s: {e}"),
        }
    }
    unreachable!()
}

fn rand_index(n: usize) -> usize {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    (u64::from_le_bytes(b) % n as u64) as usize
}

async fn push(http: &reqwest::Client, ports: &[u16; 2], token: &str, events: Vec<CaseEvent>) -> Vec<PushOutcome> {
    through_either(ports, |base| {
        let (http, token, events) = (http.clone(), token.to_string(), events.clone());
        Box::pin(async move {
            let response = http
                .post(format!("{base}/v1/events"))
                .bearer_auth(token)
                .json(&PushRequest { events })
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(format!("{}: {}", response.status(), response.text().await.unwrap_or_default()));
            }
            Ok(response.json::<PushResponse>().await.map_err(|e| e.to_string())?.outcomes)
        })
    })
    .await
}

async fn pull(http: &reqwest::Client, ports: &[u16; 2], token: &str, since: u64) -> PullResponse {
    through_either(ports, |base| {
        let (http, token) = (http.clone(), token.to_string());
        Box::pin(async move {
            let response = http
                .request(Method::GET, format!("{base}/v1/events?since={since}&limit=7"))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(format!("{}", response.status()));
            }
            response.json::<PullResponse>().await.map_err(|e| e.to_string())
        })
    })
    .await
}

/// What a desk holds after pulling: each event once, by cursor; a seq at or below the cursor, or
/// an event seen twice, fails the story.
#[derive(Default)]
struct Held {
    cursor: u64,
    events: BTreeMap<u64, uuid::Uuid>,
}

impl Held {
    fn take(&mut self, page: &PullResponse, who: &str) {
        for e in &page.events {
            assert!(e.seq > self.cursor, "{who}: seq {} at or below the cursor {}", e.seq, self.cursor);
            assert!(self.events.insert(e.seq, e.event.id).is_none(), "{who}: seq {} twice", e.seq);
            self.cursor = e.seq;
        }
        assert!(page.next_cursor >= self.cursor);
        self.cursor = page.next_cursor;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hub_processes_on_one_postgresql_lose_and_duplicate_nothing_when_one_is_killed() {
    let database = TestDatabase::new();
    if !database.is_postgres {
        eprintln!("the several-processes story runs on PostgreSQL only (TONGBAN_HUB_TEST_DB=postgres)");
        return;
    }
    let codes: Vec<String> = (1..=DESKS).map(|i| format!("F{i}")).collect();
    let (tokens, back_office) = {
        let hub = Hub::open_with(&database.db, Some(&database.blob_dir), Some(HUB)).unwrap();
        let now = Utc::now();
        let confirm = |region: &str, role, code: &str| {
            let issued = hub.issue_credential(Some(region), role, Some(code), code, now).unwrap();
            let claim = DeskClaim {
                desk_id: desk_id(region, code),
                region: region.into(),
                desk_code: code.into(),
                name: code.into(),
            };
            hub.confirm_desk(&issued.credential, &claim, now).unwrap();
            issued.token
        };
        let tokens: Vec<String> = codes.iter().map(|c| confirm(PARTNER, Role::Window, c)).collect();
        (tokens, confirm(HUB, Role::BackOffice, "S1"))
    };
    let mut a = HubProcess::start(&database, 0);
    let b = HubProcess::start(&database, 0);
    let ports = [a.port, b.port];
    let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();

    // The back office pulls the whole region all the while, through either process.
    let pushing = Arc::new(AtomicBool::new(true));
    let pushed = Arc::new(AtomicUsize::new(0));
    let office = {
        let (http, pushing, token) = (http.clone(), pushing.clone(), back_office.clone());
        tokio::spawn(async move {
            let mut held = Held::default();
            loop {
                let done = !pushing.load(Ordering::SeqCst);
                let page = pull(&http, &ports, &token, held.cursor).await;
                held.take(&page, "back office");
                if done && !page.has_more {
                    return held;
                }
                if !page.has_more {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        })
    };

    let desks: Vec<_> = codes
        .iter()
        .zip(&tokens)
        .map(|(code, token)| {
            let (http, code, token, pushed) = (http.clone(), code.clone(), token.clone(), pushed.clone());
            tokio::spawn(async move {
                let cases: Vec<CaseEvent> = (1..=CASES_PER_DESK).map(|seq| intake_by(PARTNER, &code, seq)).collect();
                let mut held = Held::default();
                let mut sent = 0;
                while sent < cases.len() {
                    let batch = (1 + rand_index(3)).min(cases.len() - sent);
                    let outcomes = push(&http, &ports, &token, cases[sent..sent + batch].to_vec()).await;
                    for outcome in &outcomes {
                        assert!(
                            matches!(outcome, PushOutcome::Accepted { .. } | PushOutcome::Duplicate { .. }),
                            "desk {code}: {outcome:?}"
                        );
                    }
                    sent += batch;
                    pushed.fetch_add(batch, Ordering::SeqCst);
                    let page = pull(&http, &ports, &token, held.cursor).await;
                    held.take(&page, &code);
                }
                loop {
                    let page = pull(&http, &ports, &token, held.cursor).await;
                    held.take(&page, &code);
                    if !page.has_more {
                        break;
                    }
                }
                let mine: HashSet<uuid::Uuid> = cases.iter().map(|c| c.id).collect();
                let pulled: HashSet<uuid::Uuid> = held.events.values().copied().collect();
                assert_eq!(held.events.len(), cases.len(), "desk {code}: each case exactly once");
                assert_eq!(pulled, mine, "desk {code}: exactly its own cases");
                cases.len()
            })
        })
        .collect();

    // Mid-run (a third of the cases in): process A is killed without warning and started again on
    // its port while the desks go on through B.
    let total_cases = DESKS * CASES_PER_DESK as usize;
    while pushed.load(Ordering::SeqCst) < total_cases / 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let port = a.port;
    a.kill();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _a = HubProcess::start(&database, port);

    let mut total = 0;
    for desk in desks {
        total += desk.await.unwrap();
    }
    pushing.store(false, Ordering::SeqCst);
    let office = office.await.unwrap();
    assert_eq!(total, total_cases);
    assert!(pushed.load(Ordering::SeqCst) == total_cases);
    assert_eq!(office.events.len(), total, "the back office saw every event exactly once");
    let distinct: HashSet<_> = office.events.values().collect();
    assert_eq!(distinct.len(), total, "no event under two numbers");
    drop(b);
}
