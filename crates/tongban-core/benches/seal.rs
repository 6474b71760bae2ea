//! What a hub's seal costs: sealing an event as the hub serves it, and checking it as a desk
//! applies it, for a decision and for a whole intake (the largest event a desk pulls).
//!
//! `cargo bench -p tongban-core --bench seal` (release profile). Prints a Markdown table.
//! Knob: `TONGBAN_BENCH_RUNS` (default 20,000 per row).

use std::time::Instant;

use tongban_core::case::{Author, CaseEvent, CaseId, EventBody};
use tongban_core::seal::HubSigner;

fn event(body: EventBody) -> CaseEvent {
    CaseEvent {
        id: uuid::Uuid::now_v7(),
        case_id: CaseId(uuid::Uuid::now_v7()),
        at: chrono::Utc::now(),
        author: Author {
            user: "zhao".into(), desk: "fengtai-s1".into(), region: "110106".into(), name: "赵敏".into()
        },
        body,
    }
}

fn main() {
    let runs: usize = std::env::var("TONGBAN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let signer = HubSigner::from_seed(&[7; 32]);
    let key = signer.public();
    let decision = event(EventBody::SupplementRequested {
        items: vec!["参保缴费凭证需加盖社保经办机构业务章".into(), "居民户口簿首页及本人页复印件".into()],
        note: "请于5个工作日内补正".into(),
    });
    let intake_json = include_str!("intake.json");
    let intake: CaseEvent = serde_json::from_str(intake_json).expect("a recorded intake event");
    println!("| event | JSON bytes | seal µs | check µs |");
    println!("|---|---:|---:|---:|");
    for (name, e) in [("需补正 decision", &decision), ("intake (demo sample, 3 materials, an agent)", &intake)] {
        let started = Instant::now();
        let mut seal = String::new();
        for _ in 0..runs {
            seal = std::hint::black_box(signer.seal("110106", std::hint::black_box(e)));
        }
        let sealing = started.elapsed().as_secs_f64() * 1e6 / runs as f64;
        let started = Instant::now();
        for _ in 0..runs {
            key.verify("110106", std::hint::black_box(e), &seal).expect("holds");
        }
        let checking = started.elapsed().as_secs_f64() * 1e6 / runs as f64;
        let bytes = serde_json::to_vec(e).unwrap().len();
        println!("| {name} | {bytes} | {sealing:.1} | {checking:.1} |");
    }
}
