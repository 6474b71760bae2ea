//! Hostile catalog files, made here: an .xlsx that unzips to a 2 GiB string, one whose 400,000
//! cells all name one 8 KiB shared string, a shared string past Excel's length, a table that
//! announces billions of strings; and a CSV whose cells would run as formulas in the admin's
//! Excel. Each is refused with the limit named, or exported escaped and read back as it was.

mod common;

use std::io::{Cursor, Read, Write};
use std::time::Instant;

use common::*;
use tongban_catalog::{read_bytes, write_bytes, Format, ReadOptions, MAX_CELLS, MAX_SHARED_STRING};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// What writes a replaced part's new content.
type Part<'a> = (&'a str, Box<dyn Fn(&mut dyn Write)>);

/// A real catalog workbook with some parts replaced: `(name, writer of its new content)`.
fn tampered(parts: Vec<Part<'_>>) -> Vec<u8> {
    let original = write_bytes(&small_catalog(), Format::Xlsx).unwrap();
    let mut zip = ZipArchive::new(Cursor::new(original)).unwrap();
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9))
        .large_file(true);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        out.start_file(name.as_str(), options).unwrap();
        match parts.iter().find(|(n, _)| *n == name) {
            Some((_, write)) => write(&mut out),
            None => {
                let mut bytes = Vec::new();
                entry.read_to_end(&mut bytes).unwrap();
                out.write_all(&bytes).unwrap();
            }
        }
    }
    out.finish().unwrap().into_inner()
}

fn refusal(bytes: &[u8]) -> String {
    let error = read_bytes(bytes, Format::Xlsx, &ReadOptions::default()).expect_err("refused");
    assert_eq!(error.code(), "catalog_unreadable", "{error}");
    error.to_string()
}

/// The most this process has held resident, in MiB (Linux).
fn peak_rss_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
}

#[test]
fn a_workbook_that_unzips_to_a_2_gib_string_is_refused_before_it_is_expanded() {
    let bomb = tampered(vec![(
        "xl/sharedStrings.xml",
        Box::new(|w: &mut dyn Write| {
            w.write_all(b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>").unwrap();
            let chunk = vec![b'a'; 1024 * 1024];
            for _ in 0..2048 {
                w.write_all(&chunk).unwrap();
            }
            w.write_all(b"</t></si></sst>").unwrap();
        }),
    )]);
    assert!(bomb.len() < 4 * 1024 * 1024, "a small file: {} bytes", bomb.len());
    let started = Instant::now();
    let message = refusal(&bomb);
    assert!(message.contains("Excel 工作簿解压后有 2048 MiB，超过 64 MiB 的上限"), "{message}");
    assert!(started.elapsed().as_secs() < 5, "refused at once: {:?}", started.elapsed());
    eprintln!("{} KiB file: {message}; peak RSS {} MiB", bomb.len() / 1024, peak_rss_mib());
}

#[test]
fn cells_that_all_name_one_long_shared_string_are_refused_before_they_are_expanded() {
    let cells = 400_000;
    let bytes = tampered(vec![
        (
            "xl/sharedStrings.xml",
            Box::new(|w: &mut dyn Write| {
                let long = "长".repeat(8 * 1024 / 3);
                write!(w, "<?xml version=\"1.0\"?><sst count=\"1\" uniqueCount=\"1\"><si><t>{long}</t></si></sst>")
                    .unwrap();
            }),
        ),
        (
            "xl/worksheets/sheet2.xml",
            Box::new(move |w: &mut dyn Write| {
                w.write_all(b"<?xml version=\"1.0\"?><worksheet><sheetData>").unwrap();
                for r in 1..=cells / 4 {
                    write!(w, "<row r=\"{r}\">").unwrap();
                    for c in ["A", "B", "C", "D"] {
                        write!(w, "<c r=\"{c}{r}\" t=\"s\"><v>0</v></c>").unwrap();
                    }
                    w.write_all(b"</row>").unwrap();
                }
                w.write_all(b"</sheetData></worksheet>").unwrap();
            }),
        ),
    ]);
    assert!(bytes.len() < 2 * 1024 * 1024, "a small file: {} bytes", bytes.len());
    let message = refusal(&bytes);
    assert!(message.contains("单元格文字展开后超过 64 MiB 的上限"), "{message}");
    eprintln!("{} KiB file: {message}; peak RSS {} MiB", bytes.len() / 1024, peak_rss_mib());
}

#[test]
fn more_cells_than_the_limit_are_refused() {
    let bytes = tampered(vec![(
        "xl/worksheets/sheet2.xml",
        Box::new(|w: &mut dyn Write| {
            w.write_all(b"<worksheet><sheetData>").unwrap();
            for r in 1..=MAX_CELLS + 1 {
                write!(w, "<row r=\"{r}\"><c r=\"A{r}\"><v>1</v></c></row>").unwrap();
            }
            w.write_all(b"</sheetData></worksheet>").unwrap();
        }),
    )]);
    let message = refusal(&bytes);
    assert!(message.contains(&format!("单元格超过 {MAX_CELLS} 个的上限")), "{message}");
}

#[test]
fn a_shared_string_longer_than_excel_allows_is_refused() {
    let bytes = tampered(vec![(
        "xl/sharedStrings.xml",
        Box::new(|w: &mut dyn Write| {
            let long = "字".repeat(MAX_SHARED_STRING + 1);
            write!(w, "<sst><si><t>短</t></si><si><r><t>{long}</t></r></si></sst>").unwrap();
        }),
    )]);
    let message = refusal(&bytes);
    assert!(message.contains("第 2 个共享字符串超过 32767 字的上限"), "{message}");
}

#[test]
fn a_shared_string_table_announcing_billions_of_strings_is_refused() {
    let bytes = tampered(vec![(
        "xl/sharedStrings.xml",
        Box::new(|w: &mut dyn Write| {
            w.write_all(b"<sst count=\"4000000000\" uniqueCount=\"4000000000\"><si><t>a</t></si></sst>").unwrap();
        }),
    )]);
    let message = refusal(&bytes);
    assert!(message.contains("声称有 4000000000 个字符串"), "{message}");
}

#[test]
fn a_real_workbook_is_within_the_limits() {
    let bytes = write_bytes(&small_catalog(), Format::Xlsx).unwrap();
    assert_eq!(read_bytes(&bytes, Format::Xlsx, &ReadOptions::default()).unwrap().catalog, small_catalog());
}

#[test]
fn csv_export_escapes_cells_that_would_start_a_formula_and_reads_them_back() {
    let mut catalog = small_catalog();
    catalog.bundles.clear();
    catalog.contacts.clear();
    catalog.note.clear();
    let texts = ["=HYPERLINK(\"http://evil.example\",\"点此\")", "+1+1", "-2+3", "@SUM(A1)", "'=已有撇号", "'普通撇号"];
    let materials = catalog.items.iter_mut().flat_map(|item| item.materials.iter_mut());
    for (material, text) in materials.zip(texts.iter().cycle()) {
        material.standard = text.to_string();
    }
    catalog.items[0].fee = tongban_core::guide::Fee::Text { text: "=1+2".into() };
    catalog.items[1].department = "-人社局".into();
    let bytes = write_bytes(&catalog, Format::Csv).unwrap();
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    for record in reader.records() {
        for field in record.unwrap().iter() {
            assert!(!field.starts_with(['=', '+', '-', '@', '\t', '\r']), "unescaped: {field:?}");
        }
    }
    assert!(text.contains("'=1+2") && text.contains("'-人社局"), "{text}");
    let opts = ReadOptions { region: Some(catalog.region.clone()), version: Some(catalog.version.clone()) };
    let back = read_bytes(&bytes, Format::Csv, &opts);
    match back {
        Ok(back) => assert_eq!(back.catalog, catalog),
        Err(e) => panic!("{e}"),
    }
}
