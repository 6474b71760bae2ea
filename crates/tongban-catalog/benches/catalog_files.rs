//! Reading (and writing) a 10,000-item catalog (3 materials each: 30,000 rows) in each format.
//!
//! `cargo bench -p tongban-catalog --bench catalog_files` (release profile). Prints a Markdown
//! table. Knobs: `TONGBAN_BENCH_ITEMS` (default 10000), `TONGBAN_BENCH_RUNS` (default 5).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use tongban_catalog::{read_bytes, write_bytes, Format, ReadOptions};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let items = env_number("TONGBAN_BENCH_ITEMS", 10_000);
    let runs = env_number("TONGBAN_BENCH_RUNS", 5).max(1);
    let mut catalog = common::big_catalog(items, 3);
    catalog.note.clear();
    let opts = ReadOptions { region: Some(catalog.region.clone()), version: Some(catalog.version.clone()) };
    println!("{items} items × 3 materials, {runs} runs each (median, min)\n");
    println!("| format | size (KiB) | write (ms) | read median (ms) | read min (ms) |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for format in [Format::Xlsx, Format::Csv, Format::Json] {
        let t = Instant::now();
        let bytes = write_bytes(&catalog, format).unwrap();
        let write = t.elapsed();
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let got = read_bytes(&bytes, format, &opts).unwrap();
                let took = t.elapsed();
                assert_eq!(got.catalog.items.len(), items);
                std::hint::black_box(got);
                took
            })
            .collect();
        times.sort();
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} |",
            format.extension(),
            bytes.len() as f64 / 1024.0,
            ms(write),
            ms(times[times.len() / 2]),
            ms(times[0])
        );
    }
}
