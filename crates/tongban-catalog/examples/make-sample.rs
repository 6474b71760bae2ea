//! Writes `sample/fengtai-110106.xlsx` from `sample/fengtai-110106.json` (the source of truth)
//! with this crate's own writer: `cargo run -p tongban-catalog --example make-sample`.

use std::path::Path;

use tongban_catalog::{read_file, write_file, ReadOptions};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample");
    let json = dir.join("fengtai-110106.json");
    let xlsx = dir.join("fengtai-110106.xlsx");
    let imported = match read_file(&json, &ReadOptions::default()) {
        Ok(imported) => imported,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let catalog = imported.catalog;
    if let Err(e) = write_file(&catalog, &xlsx) {
        eprintln!("{e}");
        std::process::exit(1);
    }
    let materials: usize = catalog.items.iter().map(|i| i.materials.len()).sum();
    println!(
        "{}: {} items, {materials} materials, {} 一件事, {} 联络人",
        xlsx.display(),
        catalog.items.len(),
        catalog.bundles.len(),
        catalog.contacts.len()
    );
}
