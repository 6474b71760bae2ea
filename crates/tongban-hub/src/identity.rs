//! Which region the hub serves. Fixed when the database is created, so a file can never be
//! served for another region by a wrong flag.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use crate::{HubError, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE hub (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    region     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
";

/// The stored region, after recording `given` in a new database or checking it against an
/// existing one.
pub(crate) fn establish(conn: &Connection, path: &Path, given: Option<&str>) -> Result<String> {
    let stored: Option<String> = conn.query_row("SELECT region FROM hub", [], |r| r.get(0)).optional()?;
    match (stored, given.map(str::trim)) {
        (Some(stored), Some(given)) if stored != given => {
            Err(HubError::RegionMismatch { stored, given: given.to_string() })
        }
        (Some(stored), _) => Ok(stored),
        (None, None) => Err(HubError::NotInitialized(path.to_path_buf())),
        (None, Some(given)) => {
            if !tongban_core::region::is_valid_code(given) {
                return Err(HubError::InvalidRegion(given.to_string()));
            }
            conn.execute(
                "INSERT INTO hub (singleton, region, created_at) VALUES (1, ?1, ?2)",
                (given, chrono::Utc::now().to_rfc3339()),
            )?;
            Ok(given.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{temp_hub, HUB_REGION};
    use crate::{Hub, HubError};

    #[test]
    fn the_region_is_fixed_when_the_database_is_created() {
        let (dir, hub) = temp_hub();
        drop(hub);
        let path = dir.path().join("hub.db");
        assert_eq!(Hub::open(&path, None).unwrap().region(), HUB_REGION);
        let err = Hub::open(&path, Some("110105")).err().unwrap();
        assert!(matches!(err, HubError::RegionMismatch { .. }), "{err}");
        assert_eq!(err.to_string(), "数据库属于地区「411329」的通办中心，不能以地区「110105」启动");
    }

    #[test]
    fn a_new_database_needs_a_valid_region() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        assert!(matches!(Hub::open(&path, None), Err(HubError::NotInitialized(_))));
        assert!(matches!(Hub::open(&path, Some("999999")), Err(HubError::InvalidRegion(_))));
    }
}
