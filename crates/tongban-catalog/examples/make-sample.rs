//! Writes `sample/fengtai-110106.xlsx` from the JSON `tongban-fixtures` holds (the source of
//! truth, `crates/tongban-fixtures/sample/fengtai-110106.json`) with this crate's own writer:
//! `cargo run -p tongban-catalog --example make-sample`.

use std::path::Path;

use tongban_catalog::{read_bytes, write_file, Format, ReadOptions};

fn main() {
    let xlsx = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample/fengtai-110106.xlsx");
    let json = tongban_fixtures::SAMPLE_CATALOG.as_bytes();
    let imported = match read_bytes(json, Format::Json, &ReadOptions::default()) {
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
