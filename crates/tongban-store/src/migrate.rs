//! Forward-only migrations. Each step is the SQL of the modules that own the tables; a step is
//! never edited once released, only followed by a new one. `PRAGMA user_version` records the
//! last step applied.

use rusqlite::Connection;

use crate::{
    blobs, calendar, cases, catalogs, desk, events, hubs, identity, prints, seals, setaside, settings, sync, Result,
};

/// The steps in order; step `i` brings the schema to version `i + 1`.
const STEPS: &[&[&str]] = &[
    &[desk::SCHEMA_V1, events::SCHEMA_V1, cases::SCHEMA_V1, blobs::SCHEMA_V1, calendar::SCHEMA_V1],
    // 2: printed forms and the hall's texts.
    &[prints::SCHEMA_V2, settings::SCHEMA_V2],
    // 3: sync with region hubs (partners and the desk's own), its progress and the quarantine.
    &[hubs::SCHEMA_V3, sync::SCHEMA_V3],
    // 4: partner regions' catalogs, every version kept, and what changed.
    &[catalogs::SCHEMA_V4],
    // 5: accounts: disabled users and login lockout.
    &[desk::SCHEMA_V5],
    // 6: the clocks the law sets (承诺时限 across 补正, 告知期限, 补正期限) kept with each case.
    &[cases::SCHEMA_V6],
    // 7: the desk as an identity at its hubs, decisions set aside (已被取代, 已放弃), clerks by name.
    &[setaside::SCHEMA_V7, identity::SCHEMA_V7],
    // 8: how each hub is reached: plain http allowed by an admin, a partner's own CA.
    &[hubs::SCHEMA_V8],
    // 9: the key each hub seals its events with, pinned; the seals
    // kept with pulled events.
    &[seals::SCHEMA_V9],
    // 10 here, 11 in this session's plan (the at-rest step goes before it at its merge; the list
    // is positional): the scans a case cites that this desk lacks, noted as materials are
    // written, so a round reads only those.
    &[blobs::SCHEMA_WANTED_SCANS],
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
    use crate::{Store, StoreError};

    #[test]
    fn a_new_database_is_at_the_latest_version_and_reopens() {
        let (dir, store) = crate::test_support::temp_store();
        let v: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        drop(store);
        Store::open(&dir.path().join("desk.db")).unwrap();
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_and_left_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).err().expect("must refuse");
        assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }));
        assert!(err.to_string().contains("数据库版本为 99"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "file must not be modified");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "这不是数据库，而是一段很长的文本。".repeat(100)).unwrap();
        let err = Store::open(&path).err().expect("must refuse");
        assert_eq!(err.code(), "not_a_database", "{err}");
    }

    #[test]
    fn a_version_1_database_gains_the_print_tables_and_keeps_its_desk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in STEPS[0] {
                conn.execute_batch(sql).unwrap();
            }
            conn.execute_batch(
                "INSERT INTO desk (id, region, hall, window_name, desk_code, created_at)
                 VALUES ('d1', '411329', '新野县政务服务中心', '跨省通办窗口', 'A1', '2026-03-01T00:00:00Z');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let v: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(store.require_desk().unwrap().hall, "新野县政务服务中心");
        assert_eq!(store.hall_texts().unwrap().hall_name, "新野县政务服务中心");
        assert!(store.recent_prints(10).unwrap().is_empty());
    }

    #[test]
    fn every_table_exists_and_is_empty() {
        let (_dir, store) = crate::test_support::temp_store();
        for table in [
            "desk",
            "users",
            "events",
            "cases",
            "materials",
            "case_numbers",
            "attachments",
            "calendar_years",
            "prints",
            "settings",
            "hubs",
            "hub_sync",
            "hub_blobs",
            "quarantine",
            "hub_desks",
            "discarded",
        ] {
            let n: i64 = store.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
            assert_eq!(n, 0, "{table}");
        }
    }
}
