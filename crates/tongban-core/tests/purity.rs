//! The core does no IO: outside its unit tests its source names no clock, file, network, process
//! or environment API, and its manifest brings in no crate that does. The desk, the hub and the
//! tests share one meaning of a case because the core is a pure function of its inputs; a change
//! that adds a clock read or a file read to it fails here. (Data files embedded at compile time
//! with `include_str!` are not IO: they are part of the binary.)

use std::path::{Path, PathBuf};

/// What the core's code must not name. The moment comes in as an argument (`now`), files and
/// the network belong to the store, the sync engine, the hub and the catalog reader.
const FORBIDDEN: [&str; 22] = [
    "Utc::now",
    "Local::now",
    "SystemTime",
    "Instant::now",
    "now_v7",
    "new_v4",
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "std::thread",
    "File::",
    "OpenOptions",
    "TcpStream",
    "UdpSocket",
    "tokio",
    "reqwest",
    "rusqlite",
    "getrandom",
    "OsRng",
    "thread_rng",
    "stdin()",
];

/// Crates the core must not depend on: they read clocks, files, the network or randomness.
const FORBIDDEN_CRATES: [&str; 15] = [
    "tokio",
    "reqwest",
    "rusqlite",
    "hyper",
    "axum",
    "ureq",
    "async-std",
    "getrandom",
    "rand",
    "dirs",
    "tempfile",
    "notify",
    "keyring",
    "tongban-store",
    "tongban-files",
];

/// The modules of `std` a grouped import must not bring in (`use std::{fs, ...}`).
const FORBIDDEN_STD_MODULES: [&str; 5] = ["fs", "net", "process", "env", "thread"];

/// The code of `source` outside `#[cfg(test)]` items, without comments: (line number, text).
fn production_lines(source: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = source.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let code = line.split("//").next().unwrap_or("").trim();
        if code == "#[cfg(test)]" {
            // Skip the item the attribute applies to: a block to its closing brace, or one line.
            let mut depth = 0i32;
            let mut opened = false;
            for (_, inner) in lines.by_ref() {
                let inner = inner.split("//").next().unwrap_or("");
                depth += inner.matches('{').count() as i32 - inner.matches('}').count() as i32;
                opened |= inner.contains('{');
                let attribute = inner.trim_start().starts_with("#[");
                if (opened && depth <= 0) || (!opened && !attribute && inner.trim_end().ends_with(';')) {
                    break;
                }
            }
            continue;
        }
        if !code.is_empty() {
            out.push((n + 1, code.to_string()));
        }
    }
    out
}

/// What `source` names that the core must not: "line: what (the line)".
fn violations(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (n, code) in production_lines(source) {
        for word in FORBIDDEN {
            if code.contains(word) {
                found.push(format!("{n}: {word} ({code})"));
            }
        }
        if let Some(group) = code.strip_prefix("use std::{") {
            let names = group.split(|c: char| !c.is_alphanumeric() && c != '_');
            for module in names.filter(|m| FORBIDDEN_STD_MODULES.contains(m)) {
                found.push(format!("{n}: std::{module} ({code})"));
            }
        }
    }
    found
}

/// The crates a manifest's dependency tables name (not its dev-dependencies: tests may do IO).
fn dependencies(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_dependencies = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            let table = line.trim_matches(|c| c == '[' || c == ']');
            in_dependencies = table == "dependencies" || table.ends_with(".dependencies");
            continue;
        }
        if in_dependencies && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.', ' ']).next().unwrap_or("").trim().trim_matches('"');
            names.push(name.to_string());
        }
    }
    names
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn the_core_names_no_clock_file_or_network_api() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "the core's sources are found: {files:?}");
    let mut found = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(&src).unwrap().display().to_string();
        found.extend(violations(&source).into_iter().map(|v| format!("{name}:{v}")));
    }
    assert!(
        found.is_empty(),
        "tongban-core must do no IO; pass the moment or the data in instead:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_core_depends_on_no_crate_that_does_io() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let names = dependencies(&manifest);
    assert!(names.iter().any(|n| n == "chrono"), "the dependencies are read: {names:?}");
    let bad: Vec<&String> = names.iter().filter(|n| FORBIDDEN_CRATES.contains(&n.as_str())).collect();
    assert!(bad.is_empty(), "tongban-core must do no IO, so it may not depend on {bad:?}");
}

#[test]
fn the_check_finds_what_it_looks_for_and_leaves_unit_tests_alone() {
    let source = r#"
//! Uses Utc::now() in a comment only.
use std::{collections::HashMap, fs};

pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() // read the clock
}

#[cfg(test)]
mod tests {
    fn scratch() {
        let _ = std::fs::read("x");
        let _ = std::time::Instant::now();
    }
}

#[cfg(test)]
use std::env;

pub fn later() {
    let _ = tokio::spawn(async {});
}
"#;
    let found = violations(source);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("3: std::fs"), "{found:?}");
    assert!(found[1].starts_with("6: Utc::now"), "{found:?}");
    assert!(found[2].starts_with("21: tokio"), "{found:?}");

    let manifest = "[package]\nname = \"x\"\n\n[dependencies]\nchrono.workspace = true\n\
                    tokio = { version = \"1\" }\n\n[target.'cfg(windows)'.dependencies]\nreqwest = \"0.13\"\n\n\
                    [dev-dependencies]\ntempfile = \"3\"\n";
    assert_eq!(dependencies(manifest), ["chrono", "tokio", "reqwest"]);
}
