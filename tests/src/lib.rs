//! Shared support for the story tests (here and in `tongban-cli`'s): where the built binaries
//! are, free ports, reading PDFs back, [`hub`], a real region hub on loopback, [`window`], the
//! harness that drives the real app, and [`wine`], the Windows build under Wine.

use std::net::TcpListener;
use std::path::{Path, PathBuf};

pub mod hub;
// Linux only: the window under Xvfb, and Wine running the Windows build. (The HTTPS stories'
// test CA is `tongban-testca`.)
#[cfg(unix)]
pub mod window;
#[cfg(unix)]
pub mod wine;

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ sits in the workspace").to_path_buf()
}

/// A binary built by cargo into the workspace's target folder (debug profile unless
/// `CARGO_PROFILE_DIR` names another), e.g. `tongban` or `tongban-desk`.
pub fn built_binary(name: &str) -> PathBuf {
    let target = target_dir();
    let profile = std::env::var("CARGO_PROFILE_DIR").unwrap_or_else(|_| "debug".into());
    target.join(profile).join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// The workspace's target folder (`CARGO_TARGET_DIR` when set).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

/// The text of a PDF as poppler's `pdftotext -raw` reads it (what copy-paste and search see).
pub fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext {}: {}", pdf.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 text")
}

/// The PDF's text with all whitespace removed, so values the layout wrapped can be searched.
pub fn pdf_text_without_whitespace(pdf: &Path) -> String {
    pdf_text(pdf).chars().filter(|c| !c.is_whitespace()).collect()
}

/// A port nobody listens on now (for a hub that is down, or a process to start).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free local port").port()
}
