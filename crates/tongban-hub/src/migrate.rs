//! Forward-only migrations. Each step is the SQL of the modules that own the tables; a step is
//! never edited once released, only followed by a new one. `PRAGMA user_version` records the
//! last step applied.

use rusqlite::Connection;

use crate::{audit, blobs, calendar, catalog, credentials, identity, ledger, Result};

/// The steps in order; step `i` brings the schema to version `i + 1`.
const STEPS: &[&[&str]] = &[
    &[identity::SCHEMA_V1, credentials::SCHEMA_V1, ledger::SCHEMA_V1, blobs::SCHEMA_V1, catalog::SCHEMA_V1],
    // 2: the calendars desks install from the hub.
    &[calendar::SCHEMA_V1],
    // 3: desks as identities (credential per desk code, bound to the desk that confirms it), whose
    // case is whose, numbers held once, scans by uploading desk.
    &[credentials::SCHEMA_V3, ledger::SCHEMA_V3, blobs::SCHEMA_V3],
    // 4: blobs belong to the desks that uploaded their bytes; uploads in progress per uploader.
    &[blobs::SCHEMA_V4],
    // 5: the key the hub seals the events it serves with.
    &[identity::SCHEMA_V5],
    // 6: the desks' audit chain heads.
    &[audit::SCHEMA_V6],
    // 7: the lease of the request writing an upload (several hub processes, one blob folder).
    &[blobs::SCHEMA_V7],
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64;

pub(crate) fn run(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, step) in STEPS.iter().enumerate().skip(current as usize) {
        // Each step and its version mark commit together, so a crash leaves the old version.
        let tx = conn.transaction()?;
        for sql in step.iter() {
            tx.execute_batch(sql)?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_hub;
    use crate::{Hub, HubError};

    #[test]
    fn every_table_exists_and_a_new_hub_holds_only_its_region() {
        let (_dir, hub) = temp_hub();
        let conn = hub.conn();
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        for (table, rows) in [
            ("hub", 1),
            ("credentials", 0),
            ("events", 0),
            ("cases", 0),
            ("blobs", 0),
            ("blob_partials", 0),
            ("blob_holders", 0),
            ("blob_refs", 0),
            ("catalog_versions", 0),
            ("case_numbers", 0),
            ("calendar_years", 0),
        ] {
            let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
            assert_eq!(n, rows, "{table}");
        }
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_and_left_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        Connection::open(&path).unwrap().execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
        let before = std::fs::read(&path).unwrap();
        let err = Hub::open(&path, Some("411329")).err().expect("must refuse");
        assert!(matches!(err, HubError::NewerSchema { found: 99, .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
