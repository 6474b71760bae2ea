//! Writing then reading gives the same catalog, in every format; the shipped sample is sound.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{Reader, Xlsx};
use common::*;
use tongban_catalog::{read_bytes, read_file, write_bytes, write_file, CatalogFileError, Format, ReadOptions};

fn csv_opts() -> ReadOptions {
    ReadOptions { region: Some("110106".into()), version: Some("2026-11".into()) }
}

#[test]
fn xlsx_round_trip() {
    let catalog = small_catalog();
    let bytes = write_bytes(&catalog, Format::Xlsx).unwrap();
    let back = read_bytes(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap();
    assert_eq!(back.catalog, catalog);
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    assert_eq!(write_bytes(&catalog, Format::Xlsx).unwrap(), bytes, "the same catalog gives the same bytes");
    // Given options that agree are fine.
    assert_eq!(read_bytes(&bytes, Format::Xlsx, &csv_opts()).unwrap().catalog, catalog);
}

#[test]
fn xlsx_export_merges_the_item_columns() {
    let catalog = small_catalog();
    let bytes = write_bytes(&catalog, Format::Xlsx).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(wb.sheet_names(), ["说明", "事项清单", "一件事", "联络人"]);
    let merges = wb.merge_cells_by_sheet_name("事项清单").unwrap();
    let items = wb.worksheet_range("事项清单").unwrap();
    // The first item has three materials (rows 2-4), the second two (rows 5-6), the third one.
    // An item column left empty is not merged (a merge writes a cell on every row it spans).
    let filled = |row: u32, col: u32| items.get_value((row, col)).is_some_and(|v| !v.to_string().is_empty());
    let mut expected = 0;
    for col in 0..17u32 {
        let merged = |from: u32, to: u32| merges.iter().any(|d| d.start == (from, col) && d.end == (to, col));
        assert_eq!(merged(1, 3), filled(1, col), "column {col} of item 1");
        assert_eq!(merged(4, 5), filled(4, col), "column {col} of item 2");
        expected += usize::from(filled(1, col)) + usize::from(filled(4, col));
    }
    for col in [0, 2, 3, 4, 7, 10, 11, 12, 14] {
        assert!(filled(1, col), "code, name, domain, department, mode, time limits, fee, delivery: column {col}");
    }
    assert_eq!(merges.len(), expected, "only item columns of items with several materials are merged");
    assert_eq!(items.get_value((0, 0)).unwrap().to_string(), "事项编码*");
    assert_eq!(items.get_value((0, 19)).unwrap().to_string(), "份数*");
    // Both optional sheets exist with their header, even when empty.
    let empty = tongban_core::catalog::Catalog { bundles: vec![], contacts: vec![], ..catalog };
    let bytes = write_bytes(&empty, Format::Xlsx).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    assert_eq!(wb.worksheet_range("一件事").unwrap().get_value((0, 0)).unwrap().to_string(), "一件事编码*");
    assert_eq!(wb.worksheet_range("联络人").unwrap().get_value((0, 1)).unwrap().to_string(), "姓名*");
    assert_eq!(read_bytes(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap().catalog, empty);
}

#[test]
fn csv_round_trip() {
    let mut catalog = small_catalog();
    catalog.bundles.clear();
    catalog.contacts.clear();
    catalog.note.clear();
    let bytes = write_bytes(&catalog, Format::Csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.starts_with("事项编码*,实施编码,事项名称*"));
    assert!(text.contains("\r\n"));
    // The item's columns are repeated on each of its three rows.
    assert_eq!(text.matches("110106-SB-001,,企业职工基本养老保险关系转移接续").count(), 3);
    let back = read_bytes(&bytes, Format::Csv, &csv_opts()).unwrap();
    assert_eq!(back.catalog, catalog);
}

#[test]
fn csv_refuses_bundles_and_contacts() {
    let e = write_bytes(&small_catalog(), Format::Csv).unwrap_err();
    assert_eq!(e.code(), "catalog_not_representable");
    assert_eq!(e.to_string(), "CSV 只能保存事项和材料；本目录有一件事 1 个、联络人 2 个，请导出为 .xlsx 或 .json");
}

#[test]
fn json_round_trip() {
    let catalog = small_catalog();
    let bytes = write_bytes(&catalog, Format::Json).unwrap();
    assert!(std::str::from_utf8(&bytes).unwrap().contains("\n  \"region\": \"110106\""), "pretty");
    assert_eq!(read_bytes(&bytes, Format::Json, &ReadOptions::default()).unwrap().catalog, catalog);
}

#[test]
fn files_in_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = small_catalog();
    for name in ["a.xlsx", "b.JSON"] {
        let path = dir.path().join(name);
        write_file(&catalog, &path).unwrap();
        // Overwriting an existing file.
        write_file(&catalog, &path).unwrap();
        assert_eq!(read_file(&path, &ReadOptions::default()).unwrap().catalog, catalog);
    }
    let mut plain = catalog.clone();
    plain.bundles.clear();
    plain.contacts.clear();
    plain.note.clear();
    let csv = dir.path().join("c.csv");
    write_file(&plain, &csv).unwrap();
    assert_eq!(read_file(&csv, &csv_opts()).unwrap().catalog, plain);
    // A refused write leaves neither the file nor a temporary one.
    let refused = dir.path().join("d.csv");
    assert!(write_file(&catalog, &refused).is_err());
    let names: BTreeSet<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, BTreeSet::from(["a.xlsx".to_string(), "b.JSON".to_string(), "c.csv".to_string()]));
    // Into a folder that does not exist.
    let e = write_file(&catalog, &dir.path().join("no/such/dir/x.xlsx")).unwrap_err();
    assert_eq!(e.code(), "catalog_io");
    assert!(e.to_string().starts_with("无法写入文件"), "{e}");
}

#[test]
fn shipped_sample_is_sound_and_matches_its_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample");
    let sample = tongban_fixtures::SAMPLE_CATALOG.as_bytes();
    let json = read_bytes(sample, Format::Json, &ReadOptions::default()).unwrap().catalog;
    let xlsx = read_file(&dir.join("fengtai-110106.xlsx"), &ReadOptions::default()).unwrap();
    assert!(xlsx.warnings.is_empty(), "{:?}", xlsx.warnings);
    assert_eq!(xlsx.catalog, json, "regenerate with `cargo run -p tongban-catalog --example make-sample`");
    let catalog = json;
    assert!(catalog.problems().is_empty(), "{:?}", catalog.problems());
    assert_eq!((catalog.region.as_str(), catalog.version.as_str()), ("110106", "2026-11"));
    assert!(catalog.items.len() >= 20);
    let domains: BTreeSet<&str> = catalog.items.iter().map(|i| i.domain.as_str()).collect();
    for d in ["社保", "就业", "医保", "公积金", "户籍", "市场主体登记", "不动产"] {
        assert!(domains.contains(d), "domain {d}");
    }
    assert_eq!(catalog.bundles.len(), 2);
    for b in &catalog.bundles {
        assert_eq!(b.items.len(), 3);
        // Its items share materials: the merged offer asks fewer than all of theirs.
        let offer = catalog.offer(&b.code).unwrap();
        let all: usize = b.items.iter().map(|c| catalog.item(c).unwrap().materials.len()).sum();
        assert!(offer.materials.len() < all, "{}", b.name);
    }
    assert!(catalog.contacts.iter().any(|c| c.item.is_none()));
    assert!(catalog.contacts.iter().filter(|c| c.item.is_some()).count() >= 3);
}

#[test]
fn ten_thousand_items() {
    let catalog = big_catalog(10_000, 3);
    let dir = tempfile::tempdir().unwrap();
    let mut plain = catalog.clone();
    plain.note.clear();
    for (name, opts) in
        [("big.xlsx", ReadOptions::default()), ("big.json", ReadOptions::default()), ("big.csv", csv_opts())]
    {
        let path = dir.path().join(name);
        let catalog = if name.ends_with(".csv") { &plain } else { &catalog };
        write_file(catalog, &path).unwrap();
        let back = read_file(&path, &opts).unwrap();
        assert!(back.catalog == *catalog, "{name}");
    }
}

#[test]
fn unknown_formats() {
    assert_eq!(Format::from_path(Path::new("x/清单.XLSX")).unwrap(), Format::Xlsx);
    assert_eq!(Format::from_path(Path::new("清单.Csv")).unwrap(), Format::Csv);
    let e = Format::from_path(Path::new("清单.xls")).unwrap_err();
    assert_eq!(e.code(), "catalog_unknown_format");
    let text = e.to_string();
    for ext in [".xlsx", ".csv", ".json", "清单.xls"] {
        assert!(text.contains(ext), "{text}");
    }
    assert!(matches!(Format::from_path(Path::new("noext")), Err(CatalogFileError::UnknownFormat { .. })));
    let e = read_file(Path::new("/no/such/file.xlsx"), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "catalog_io");
}
