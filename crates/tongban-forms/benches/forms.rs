//! Render time and PDF size of the printed forms.
//!
//! `cargo bench -p tongban-forms --bench forms` (release profile). Prints a Markdown table.
//! Knobs: `TONGBAN_BENCH_RUNS` (runs per form, default 30; the 2,000-case ledger runs a third as
//! many, at least 5); `TONGBAN_BENCH_OUT=DIR` also writes each form's PDF there (to render with
//! `pdftoppm` and compare before and after a change).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use tongban_forms::{FormFont, Notice};

fn stats(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = times[((times.len() as f64 * 0.95).ceil() as usize).saturating_sub(1)];
    (ms(times[0]), ms(times[times.len() / 2]), ms(p95))
}

fn bench(name: &str, runs: usize, mut render: impl FnMut() -> Vec<u8>) {
    let bytes = render(); // warm-up
    if let Some(dir) = std::env::var_os("TONGBAN_BENCH_OUT") {
        let file: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{file}.pdf")), &bytes).unwrap();
    }
    let pages = count_pages(&bytes);
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(render());
            t.elapsed()
        })
        .collect();
    let (min, median, p95) = stats(times);
    println!("| {name} | {pages} | {runs} | {median:.1} | {min:.1} | {p95:.1} | {:.1} |", bytes.len() as f64 / 1024.0);
}

/// Pages of a PDF, by its `/Type /Page` objects (good enough for our own output).
fn count_pages(pdf: &[u8]) -> usize {
    let s = String::from_utf8_lossy(pdf);
    s.matches("/Type/Page").count() + s.matches("/Type /Page").count()
        - s.matches("/Type/Pages").count()
        - s.matches("/Type /Pages").count()
}

fn main() {
    // `cargo bench` passes `--bench`; a filter word narrows like the store benchmark.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let runs: usize = std::env::var("TONGBAN_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let on = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));

    let t = Instant::now();
    FormFont::shared();
    println!("font parse (once per process): {:.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    println!();
    println!("| form | pages | runs | median ms | min ms | p95 ms | size KB |");
    println!("|---|---:|---:|---:|---:|---:|---:|");

    let hall = hall();
    let deadline = Some(due(21));
    if on("receipt") {
        let case = case(2);
        bench("收件登记表, 3 materials (2 copies)", runs, || {
            tongban_forms::receipt(&receipt_of(&case, deadline, &hall)).unwrap()
        });
        let long = case_with_materials(40);
        bench("收件登记表, 40 materials (2 copies)", runs, || {
            tongban_forms::receipt(&receipt_of(&long, deadline, &hall)).unwrap()
        });
    }
    if on("notice") {
        let case = case(5);
        bench("一次性告知书, 1 missing material", runs, || {
            tongban_forms::notice(&Notice {
                case: &case,
                issued_on: day(),
                supplement_by: due(14),
                clerk: "张敏",
                hall: &hall,
                mark: mark(),
            })
            .unwrap()
        });
    }
    if on("ledger") {
        for (n, r) in [(0, runs), (100, runs), (2000, (runs / 3).max(5))] {
            let entries = entries(n);
            bench(&format!("每日台账, {n} cases"), r, || {
                tongban_forms::ledger(&day_ledger(&entries, &hall)).unwrap()
            });
        }
    }
}
