//! Which region the hub serves, and the key it seals events with. The region is fixed when the
//! database is created, so a file can never be served for another region by a wrong flag; the
//! key is made at the first open of this version and kept with the data it vouches for, so a
//! restored backup keeps the key desks pinned.

use std::path::Path;

use tongban_core::seal::HubSigner;

use crate::db::Conn;
use crate::{HubError, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE hub (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    region     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
";

/// Step 5: the hub's Ed25519 seed. It sits with the events it seals: whoever can rewrite the
/// events can read the seed too, so a separate file would protect nothing more and could be lost
/// apart from the data.
pub(crate) const SCHEMA_V5: &str = "
ALTER TABLE hub ADD COLUMN signing_seed BLOB;
";

/// The hub's signing key, made (from the operating system's random source) the first time.
pub(crate) fn signer(conn: &Conn<'_>) -> Result<HubSigner> {
    let stored: Option<Vec<u8>> = conn.query_row("SELECT signing_seed FROM hub", &[], |r| r.get(0))?;
    let seed: [u8; 32] = match stored {
        Some(seed) => seed
            .try_into()
            .map_err(|_| HubError::Config("数据库中的签名密钥已损坏（应为 32 字节）：请从备份恢复".into()))?,
        None => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|e| HubError::Io(std::io::Error::other(e.to_string())))?;
            conn.execute("UPDATE hub SET signing_seed = ?1 WHERE signing_seed IS NULL", &[&&seed[..]])?;
            // Another process opening the same file at once may have stored its own first.
            let kept: Vec<u8> = conn.query_row("SELECT signing_seed FROM hub", &[], |r| r.get(0))?;
            kept.try_into()
                .map_err(|_| HubError::Config("数据库中的签名密钥已损坏（应为 32 字节）：请从备份恢复".into()))?
        }
    };
    Ok(HubSigner::from_seed(&seed))
}

/// The stored region, after recording `given` in a new database or checking it against an
/// existing one.
pub(crate) fn establish(conn: &Conn<'_>, path: &Path, given: Option<&str>) -> Result<String> {
    let stored: Option<String> = conn.query_opt("SELECT region FROM hub", &[], |r| r.get(0))?;
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
                &[&given, &chrono::Utc::now().to_rfc3339()],
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
    fn the_signing_key_is_made_once_and_kept_with_the_database() {
        let (dir, hub) = temp_hub();
        let key = hub.signer().public();
        drop(hub);
        let again = Hub::open(&dir.path().join("hub.db"), None).unwrap();
        assert_eq!(again.signer().public(), key);
        let (_other_dir, other) = temp_hub();
        assert_ne!(other.signer().public(), key, "each hub its own");
    }

    #[test]
    fn a_new_database_needs_a_valid_region() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hub.db");
        assert!(matches!(Hub::open(&path, None), Err(HubError::NotInitialized(_))));
        assert!(matches!(Hub::open(&path, Some("999999")), Err(HubError::InvalidRegion(_))));
    }
}
