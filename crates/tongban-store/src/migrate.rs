//! Forward-only migrations. Each step is the SQL of the modules that own the tables; a step is
//! never edited once released, only followed by a new one. `PRAGMA user_version` records the
//! last step applied.

use rusqlite::Connection;

use crate::{
    audit, blobs, calendar, cases, catalogs, desk, events, hubs, identity, offline, prints, reconciliation, seals,
    setaside, settings, sync, Result,
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
    // 11: the audit chain (events and prints of before are linked in, see `after_step`). Appended
    // after the wanted scans, which main released as step 10 first.
    &[audit::SCHEMA_V11],
    // 12: what the guides say beyond working days: a promise's unit, the 容缺 clock.
    &[cases::SCHEMA_GUIDE_TERMS],
    // 13: the offline guardrail's lifts (an admin let intakes for a partner go on for a day).
    &[offline::SCHEMA_V13],
    // 14: the last 对账 with each partner (news in the status bar).
    &[reconciliation::SCHEMA_V14],
];

/// What takes each step's objects away again, for the tests that need a database as an older
/// build left it (the upgrade stories); step `i`'s line undoes `STEPS[i]`. Never run by the desk.
/// One line per step, checked by the array's length: a new step cannot be added without its line,
/// and every such test stays true. Steps before 10 are not undone ("").
const UNDO_FOR_TESTS: [&str; STEPS.len()] = [
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    // 10
    "DROP TABLE wanted_scans;",
    // 11
    "DROP TABLE audit; DROP TABLE audit_anchors;",
    // 12
    "DROP INDEX cases_by_owed_due; ALTER TABLE cases DROP COLUMN promised_unit; ALTER TABLE cases DROP COLUMN owed;
     ALTER TABLE cases DROP COLUMN owed_due; ALTER TABLE cases DROP COLUMN owed_due_estimated;",
    // 13
    "DROP TABLE offline_lifts; DROP INDEX events_intake_waybill; DROP INDEX events_result_waybill;",
    // 14
    "DROP TABLE reconciliations; DROP INDEX events_originals_mailed;",
];

/// Takes a database at this build's schema back to `version`, as the build of that version left
/// it (its tables; the rows of the tables it had stay): for tests of upgrades only.
#[doc(hidden)]
pub fn rewind_schema_for_tests(conn: &Connection, version: i64) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for step in (version..current).rev() {
        let undo = UNDO_FOR_TESTS[step as usize];
        assert!(!undo.is_empty(), "rewinding past step {} is not supported", step + 1);
        conn.execute_batch(undo)?;
    }
    conn.pragma_update(None, "user_version", version)?;
    Ok(())
}

/// What a step needs beyond SQL, run in the step's own transaction.
fn after_step(version: i64, tx: &rusqlite::Transaction<'_>) -> Result<()> {
    match version {
        11 => audit::chain_existing(tx, chrono::Utc::now()),
        _ => Ok(()),
    }
}

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
        after_step(i as i64 + 1, &tx)?;
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
        let key = store.data_key().clone();
        drop(store);
        Store::open(&dir.path().join("desk.db"), &key).unwrap();
    }

    /// Every table's columns and every index, by name: the schema as a test compares it.
    fn shape(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT m.type || ' ' || m.name || ' ' || coalesce(group_concat(c.name, ','), '')
                 FROM sqlite_schema m LEFT JOIN pragma_table_info(m.name) c ON m.type = 'table'
                 WHERE m.name NOT LIKE 'sqlite_%' GROUP BY m.type, m.name ORDER BY m.type, m.name",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap()
    }

    #[test]
    fn the_tests_rewind_takes_every_later_step_away_and_the_steps_bring_it_back_whole() {
        let (dir, store) = crate::test_support::temp_store();
        let key = store.data_key().clone();
        let latest = shape(&store.conn);
        drop(store);
        let path = dir.path().join("desk.db");
        for version in 9..SCHEMA_VERSION {
            let store = Store::open(&path, &key).unwrap();
            rewind_schema_for_tests(&store.conn, version).unwrap();
            let rewound = shape(&store.conn);
            assert_ne!(rewound, latest, "rewinding to {version} took nothing away");
            // What that version's build made from nothing.
            let made = Connection::open_in_memory().unwrap();
            for sql in STEPS[..version as usize].iter().flat_map(|step| step.iter()) {
                made.execute_batch(sql).unwrap();
            }
            assert_eq!(rewound, shape(&made), "rewound to {version}");
            drop(store);
            let store = Store::open(&path, &key).unwrap();
            assert_eq!(shape(&store.conn), latest, "migrating forward from {version}");
        }
    }

    #[test]
    fn a_database_from_a_newer_version_is_refused_and_left_unchanged() {
        let (dir, store) = crate::test_support::temp_store();
        let path = dir.path().join("desk.db");
        let key = store.data_key().clone();
        store.conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
        drop(store);
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path, &key).err().expect("must refuse");
        assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }));
        assert!(err.to_string().contains("数据库版本为 99"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "file must not be modified");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.db");
        std::fs::write(&path, "这不是数据库，而是一段很长的文本。".repeat(100)).unwrap();
        let err = Store::open(&path, &crate::DataKey::random()).err().expect("must refuse");
        assert_eq!(err.code(), "not_a_database", "{err}");
    }

    #[test]
    fn an_encrypted_database_opened_with_another_key_says_it_is_encrypted_and_is_not_touched() {
        let (dir, store) = crate::test_support::temp_store();
        let path = dir.path().join("desk.db");
        drop(store);
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path, &crate::DataKey::random()).err().expect("must refuse");
        assert_eq!(err.to_string(), "数据库已加密，请登录");
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // Nor does plain SQLite read anything from it.
        let plain = Connection::open(&path).unwrap();
        assert!(plain.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)).is_err());
    }

    #[test]
    fn a_plain_version_1_database_is_encrypted_at_the_first_login_and_keeps_its_desk() {
        use argon2::password_hash::PasswordHasher;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let phc = argon2::Argon2::default().hash_password(b"old-password-1").unwrap().to_string();
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
            conn.execute(
                "INSERT INTO users (login, display_name, role, password_hash, created_at) VALUES ('admin', '王芳', 'admin', ?1, '2026-03-01T00:00:00Z')",
                [&phc],
            )
            .unwrap();
        }
        assert_eq!(crate::FileKind::of(&path).unwrap(), crate::FileKind::Plain);
        assert_eq!(
            Store::unlock(&path, "admin", "wrong-password", chrono::Utc::now()).err().unwrap().code(),
            "bad_login"
        );
        assert_eq!(crate::FileKind::of(&path).unwrap(), crate::FileKind::Plain, "a wrong password changes nothing");
        let store = Store::unlock(&path, "admin", "old-password-1", chrono::Utc::now()).unwrap();
        assert_eq!(crate::FileKind::of(&path).unwrap(), crate::FileKind::Encrypted);
        let v: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        assert_eq!(store.require_desk().unwrap().hall, "新野县政务服务中心");
        assert_eq!(store.hall_texts().unwrap().hall_name, "新野县政务服务中心");
        assert!(store.recent_prints(10).unwrap().is_empty());
        assert_eq!(store.verify_audit(1).unwrap(), None);
        let leftovers: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("backup") || n.contains("encrypting") || n.contains("pending"))
            .collect();
        assert!(leftovers.is_empty(), "the plain backup goes once checked: {leftovers:?}");
        drop(store);
        // The old password opens the slot made from its hash, then a slot of today's parameters.
        Store::unlock(&path, "admin", "old-password-1", chrono::Utc::now()).unwrap();
        let keys = std::fs::read_to_string(crate::keys_path(&path)).unwrap();
        assert!(keys.contains(&format!("\"m\": {}", crate::KDF_M_KIB)), "{keys}");
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
            "audit_anchors",
        ] {
            let n: i64 = store.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap();
            assert_eq!(n, 0, "{table}");
        }
    }
}
