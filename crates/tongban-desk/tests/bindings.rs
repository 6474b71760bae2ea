//! The TypeScript types in `ui/src/bindings/` are generated from the Rust types that cross the
//! window boundary. This test regenerates them and fails when the committed files differ, so
//! the window and the desk never disagree silently. Run with `UPDATE_BINDINGS=1` to rewrite.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tongban_core::catalog::CatalogIntake;
use tongban_desk::{
    AfterPrint, AppError, CaseForm, CasePage, CaseQuery, DeskInfo, FieldCheck, FieldKind, ItemChoice, ItemDetails,
    LedgerQuery, PartnerForm, PartnerView, PrintOutcome, StatusOption, SupervisionReport, SyncOverview, TakenIn,
};
use tongban_desk::{Decided, DecisionChoices, DecisionDraft, DecisionNews, InboxPage, InboxQuery, QuarantineRow};
use ts_rs::{Config, TS};

fn generate(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir);
    AppError::export_all(&cfg).unwrap();
    DeskInfo::export_all(&cfg).unwrap();
    StatusOption::export_all(&cfg).unwrap();
    CaseQuery::export_all(&cfg).unwrap();
    CasePage::export_all(&cfg).unwrap();
    CaseForm::export_all(&cfg).unwrap();
    AfterPrint::export_all(&cfg).unwrap();
    LedgerQuery::export_all(&cfg).unwrap();
    PrintOutcome::export_all(&cfg).unwrap();
    ItemChoice::export_all(&cfg).unwrap();
    ItemDetails::export_all(&cfg).unwrap();
    FieldKind::export_all(&cfg).unwrap();
    FieldCheck::export_all(&cfg).unwrap();
    TakenIn::export_all(&cfg).unwrap();
    CatalogIntake::export_all(&cfg).unwrap();
    SyncOverview::export_all(&cfg).unwrap();
    SupervisionReport::export_all(&cfg).unwrap();
    PartnerView::export_all(&cfg).unwrap();
    PartnerForm::export_all(&cfg).unwrap();
    InboxQuery::export_all(&cfg).unwrap();
    InboxPage::export_all(&cfg).unwrap();
    DecisionChoices::export_all(&cfg).unwrap();
    DecisionDraft::export_all(&cfg).unwrap();
    Decided::export_all(&cfg).unwrap();
    DecisionNews::export_all(&cfg).unwrap();
    QuarantineRow::export_all(&cfg).unwrap();
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".ts") {
                files.insert(name, fs::read_to_string(entry.path()).unwrap());
            }
        }
    }
    files
}

#[test]
fn typescript_bindings_match_the_rust_types() {
    let committed_dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings");
    let fresh_dir = tempfile::tempdir().unwrap();
    generate(fresh_dir.path());
    let fresh = read_dir(fresh_dir.path());
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = fs::remove_dir_all(&committed_dir);
        fs::create_dir_all(&committed_dir).unwrap();
        for (name, text) in &fresh {
            fs::write(committed_dir.join(name), text).unwrap();
        }
        return;
    }
    let committed = read_dir(&committed_dir);
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        fresh.keys().collect::<Vec<_>>(),
        "the set of binding files changed; run UPDATE_BINDINGS=1 cargo test -p tongban-desk --test bindings"
    );
    for (name, text) in &fresh {
        assert_eq!(
            &committed[name], text,
            "ui/src/bindings/{name} is stale; run UPDATE_BINDINGS=1 cargo test -p tongban-desk --test bindings"
        );
    }
}
