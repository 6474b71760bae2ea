//! How fast the real app starts and how much memory it holds after a day's intakes, measured
//! on the real window (Xvfb + tauri-driver, see `tongban_tests::window`):
//! - **start to a usable window**: from asking for a window on a desk of 200 cases to its login
//!   screen ready for typing; the first launch after the build (cold), then warm launches;
//! - **memory**: PSS (each shared page counted once across the processes that share it) and RSS
//!   of every process of the app — its own and the webview's WebKit processes — after start,
//!   and after N intakes typed into the window (F2, 退休一件事, applicant, Ctrl+S; each prints
//!   the 一次性告知书 and the 收件登记表).
//!
//! `cargo run -p tongban-tests --bin window_bench -- [--intakes 100] [--launches 5]`
//! after building the app (`npm --prefix ui run build && cargo build -p tongban-app`). Linux
//! only (reads /proc). Numbers in docs/benchmarks.md.

use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::Client;
use tongban_desk::demo::{DEMO_CLERK, DEMO_PASSWORD};
use tongban_tests::window::{ctrl, key, log_in, press, text_of, type_into, wait_js, wait_queue_rows, Harness};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} wants a number")))
            .unwrap_or(default)
    };
    let (intakes, launches) = (arg("--intakes", 100), arg("--launches", 5));

    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("desk.db");
    tongban_desk::demo::seed(&db, 200).expect("seed the demo desk");
    let harness = Harness::start(dir.path());

    let mut starts = Vec::new();
    for _ in 0..launches.max(1) {
        let t0 = Instant::now();
        let client = harness.open(&db).await.unwrap_or_else(|e| panic!("{e}"));
        wait_js(&client, "return !!document.querySelector('#login-name')", "the login screen")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        starts.push(t0.elapsed());
        client.close().await.expect("close the app");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let client = harness.open(&db).await.unwrap_or_else(|e| panic!("{e}"));
    log_in(&client, DEMO_CLERK, DEMO_PASSWORD).await.unwrap_or_else(|e| panic!("{e}"));
    wait_queue_rows(&client, |rows| !rows.is_empty(), "the queue's rows").await.unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let at_start = memory(&harness);
    let t0 = Instant::now();
    take_in(&client, intakes).await.unwrap_or_else(|e| panic!("{e}"));
    let typing = t0.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = memory(&harness);
    client.close().await.expect("close the app");

    let ms = |d: &Duration| d.as_secs_f64() * 1000.0;
    let mut warm: Vec<f64> = starts.iter().skip(1).map(ms).collect();
    warm.sort_by(|a, b| a.total_cmp(b));
    println!("start to a usable window (desk of 200 cases, the login screen ready):");
    println!("  first launch after the build: {:.0} ms", ms(&starts[0]));
    if !warm.is_empty() {
        println!(
            "  warm launches ({}): median {:.0} ms, min {:.0} ms, max {:.0} ms",
            warm.len(),
            warm[warm.len() / 2],
            warm[0],
            warm[warm.len() - 1]
        );
    }
    println!("memory of the app's processes (PSS / RSS):");
    for (when, memory) in [("after start".to_string(), &at_start), (format!("after {intakes} intakes"), &after)] {
        println!("  {when}: {}", memory.summary());
        for (name, pss, rss) in &memory.processes {
            println!("    {name:<24} PSS {:>6.1} MiB  RSS {:>6.1} MiB", mib(*pss), mib(*rss));
        }
    }
    println!(
        "  {intakes} intakes typed through the window in {:.1} s ({:.2} s each, both forms printed)",
        typing.as_secs_f64(),
        typing.as_secs_f64() / intakes.max(1) as f64
    );
}

/// F2, 退休一件事, then `n` applicants, each saved with Ctrl+S (the dialog stays open on the
/// same item, ready for the next applicant, as at a busy window).
async fn take_in(client: &Client, n: usize) -> Result<(), String> {
    press(client, &key(Key::F2), "F2").await?;
    wait_js(
        client,
        "return !!document.activeElement && !!document.activeElement.closest('.tb-item-select')",
        "the item picker focused",
    )
    .await?;
    press(client, "退休一件事", "the item").await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    press(client, &key(Key::Enter), "Enter").await?;
    wait_js(client, "return !!document.querySelector('[data-testid=intake-bundle-items]')", "the chosen item").await?;
    let mut last = String::new();
    for i in 0..n {
        type_into(client, "#intake-name", &tongban_desk::demo::sample_name(i)).await?;
        type_into(client, "#intake-id-number", &tongban_desk::demo::sample_id_number(i)).await?;
        type_into(client, "#intake-phone", "13937700002").await?;
        press(client, &ctrl('s'), "Ctrl+S").await?;
        let script = format!(
            "const r = document.querySelector('[data-testid=intake-result]'); return !!r && /411329-\\d{{8}}-A1-\\d{{4}}/.test(r.textContent) && r.textContent !== {}",
            serde_json::to_string(&last).expect("json")
        );
        wait_js(client, &script, &format!("intake {} saved", i + 1)).await?;
        last = text_of(client, "[data-testid=intake-result]").await?;
    }
    Ok(())
}

struct Memory {
    /// (name, PSS, RSS) in bytes.
    processes: Vec<(String, u64, u64)>,
}

impl Memory {
    fn summary(&self) -> String {
        let pss: u64 = self.processes.iter().map(|p| p.1).sum();
        let rss: u64 = self.processes.iter().map(|p| p.2).sum();
        format!("PSS {:.1} MiB, RSS {:.1} MiB in {} processes", mib(pss), mib(rss), self.processes.len())
    }
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn memory(harness: &Harness) -> Memory {
    let mut processes = Vec::new();
    for pid in harness.app_processes() {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string();
        let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let field = |label: &str| -> u64 {
            rollup
                .lines()
                .find(|l| l.starts_with(label))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
                .unwrap_or(0)
                * 1024
        };
        processes.push((name, field("Pss:"), field("Rss:")));
    }
    assert!(!processes.is_empty(), "found none of the app's processes under tauri-driver");
    Memory { processes }
}
