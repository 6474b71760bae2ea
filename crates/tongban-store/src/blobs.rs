//! Scans and other attachments (and the PDFs of prints), kept as encrypted files in a folder
//! beside the database. A blob is known everywhere by the SHA-256 of its content (the sync asks
//! hubs for it by that hash), but its file is named by a keyed hash of that hash and its content is
//! encrypted with a key derived from the data key (see `crypt`): the folder tells nobody which
//! scans it holds, and shows nothing of them.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{Result, Store, StoreError};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE attachments (
    sha256     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    file_name  TEXT NOT NULL,     -- the name it was added under, for the clerk
    added_at   TEXT NOT NULL
);
";

/// Scans the cases here cite that this desk does not keep, noted as their materials are written
/// (a pulled intake or 补正, any projection), so a back office's round reads only what it still
/// wants instead of every material of every case it handles. A scan leaves when it is kept
/// ([`Store::put_blob`]) or when its case's materials no longer cite it. The step fills it from
/// the materials already held.
pub(crate) const SCHEMA_WANTED_SCANS: &str = "
CREATE TABLE wanted_scans (
    sha256          TEXT NOT NULL,
    case_id         TEXT NOT NULL,
    material        TEXT NOT NULL,   -- the material it is a scan of: the name it is kept under
    handling_region TEXT NOT NULL,   -- the case's 办理地: its hub has the scan
    received_at     TEXT NOT NULL,   -- the case's, so the oldest cases' scans come first
    PRIMARY KEY (sha256, case_id, material)
) WITHOUT ROWID;
CREATE INDEX wanted_scans_by_region ON wanted_scans (handling_region, received_at);
CREATE INDEX wanted_scans_by_case ON wanted_scans (case_id);
INSERT OR IGNORE INTO wanted_scans (sha256, case_id, material, handling_region, received_at)
    SELECT s.value, c.id, m.name, c.handling_region, c.received_at
      FROM cases c JOIN materials m ON m.case_id = c.id JOIN json_each(m.scans) s
     WHERE NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = s.value);
";

/// Notes the scans `materials` of `case_id` cite that this desk does not keep, forgetting what
/// its earlier materials wanted. Called wherever a case's materials are written, after its row.
pub(crate) fn note_wanted_scans(
    tx: &rusqlite::Transaction<'_>,
    case_id: &str,
    materials: &[tongban_core::case::Material],
) -> Result<()> {
    tx.prepare_cached("DELETE FROM wanted_scans WHERE case_id = ?1")?.execute([case_id])?;
    let mut note = tx.prepare_cached(
        "INSERT OR IGNORE INTO wanted_scans (sha256, case_id, material, handling_region, received_at)
         SELECT ?1, id, ?3, handling_region, received_at FROM cases
          WHERE id = ?2 AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1)",
    )?;
    for material in materials {
        for sha in &material.scans {
            note.execute(params![sha, case_id, material.name])?;
        }
    }
    Ok(())
}

/// A scan a case here cites that this desk does not keep (it came with a partner's case): the
/// sync fetches it from the hub of the case's 办理地.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingScan {
    pub sha256: String,
    /// The material it is a scan of, to name the file it is kept under.
    pub material: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlobInfo {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub file_name: String,
}

impl Store {
    /// Keeps `bytes` (encrypted) and returns their SHA-256. Adding the same bytes again is a
    /// no-op. The file is written to a temporary name, synced and renamed, so a crash never leaves
    /// a file whose content does not match its name.
    pub fn put_blob(
        &mut self,
        bytes: &[u8],
        media_type: &str,
        file_name: &str,
        now: DateTime<Utc>,
    ) -> Result<BlobInfo> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.blob_path(&sha256);
        if !path.exists() {
            write_encrypted(&self.blob_key(), &sha256, &path, &mut &bytes[..])?;
        }
        let info = BlobInfo {
            sha256,
            size: bytes.len() as u64,
            media_type: media_type.to_string(),
            file_name: file_name.to_string(),
        };
        let tx = crate::write(&mut self.conn)?;
        tx.execute(
            "INSERT OR IGNORE INTO attachments (sha256, size, media_type, file_name, added_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![info.sha256, info.size, info.media_type, info.file_name, now.to_rfc3339()],
        )?;
        tx.execute("DELETE FROM wanted_scans WHERE sha256 = ?1", [&info.sha256])?;
        tx.commit()?;
        Ok(info)
    }

    /// Where the blob with this hash lives (whether or not it exists).
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        blob_path_in(&self.blob_dir(), &self.key.blob_name(sha256))
    }

    fn blob_key(&self) -> zeroize::Zeroizing<[u8; 32]> {
        self.key.derive(BLOB_KEY_PURPOSE)
    }

    /// The blob's bytes, decrypted a segment at a time and checked against the hash they are
    /// kept under. A file cut short or altered is refused with a message that says so.
    pub fn read_blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.copy_blob(sha256, &mut out)?;
        Ok(out)
    }

    /// Streams the blob's bytes into `out` (a whole segment is checked before any of it is
    /// written), then checks the whole against its hash.
    pub fn copy_blob(&self, sha256: &str, out: &mut impl Write) -> Result<u64> {
        read_encrypted(&self.blob_key(), sha256, &self.blob_path(sha256), out)
    }
    /// Up to `limit` scans cited by cases handled in `handling_region` that are not kept here,
    /// oldest case first.
    pub fn scans_missing(&self, handling_region: &str, limit: usize) -> Result<Vec<MissingScan>> {
        // Only what is still wanted: a round with nothing new reads an empty range of the index,
        // however many cases the region handles.
        let mut stmt = self.conn.prepare_cached(
            "SELECT w.sha256, min(w.material) FROM wanted_scans w INDEXED BY wanted_scans_by_region
              WHERE w.handling_region = ?1
                AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = w.sha256)
              GROUP BY w.sha256
              ORDER BY min(w.received_at)
              LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![handling_region, limit as i64], |r| {
            Ok(MissingScan { sha256: r.get(0)?, material: r.get(1)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A case citing the scan, if any (to name it in the audit log when the scan is opened).
    pub fn case_citing_scan(&self, sha256: &str) -> Result<Option<tongban_core::case::CaseId>> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT m.case_id FROM materials m JOIN json_each(m.scans) s WHERE s.value = ?1 LIMIT 1",
                [sha256],
                |r| r.get(0),
            )
            .optional()?;
        Ok(id.and_then(|c| uuid::Uuid::parse_str(&c).ok()).map(tongban_core::case::CaseId))
    }

    pub fn blob_info(&self, sha256: &str) -> Result<Option<BlobInfo>> {
        Ok(self
            .conn
            .query_row("SELECT sha256, size, media_type, file_name FROM attachments WHERE sha256 = ?1", [sha256], |r| {
                Ok(BlobInfo { sha256: r.get(0)?, size: r.get(1)?, media_type: r.get(2)?, file_name: r.get(3)? })
            })
            .optional()?)
    }
}

/// The HKDF purpose of the blob key.
pub(crate) const BLOB_KEY_PURPOSE: &str = "blobs v1";

pub(crate) fn blob_path_in(dir: &Path, name: &str) -> PathBuf {
    dir.join(name.get(..2).unwrap_or("00")).join(name)
}

/// Encrypts `input` (whose SHA-256 is `sha256`) into `path`: a temporary file, synced, renamed.
pub(crate) fn write_encrypted(key: &[u8; 32], sha256: &str, path: &Path, input: &mut impl std::io::Read) -> Result<()> {
    fs::create_dir_all(path.parent().expect("blob paths have a parent"))?;
    // Written whole under a temporary name unique to this process (the window and `tongban sync`
    // may keep the same scan at once), then renamed: a crash never leaves half a blob.
    tongban_files::write_once_with(path, |file| {
        let mut out = std::io::BufWriter::new(file);
        crate::crypt::encrypt_stream(key, sha256.as_bytes(), input, &mut out)?;
        out.flush()
    })
    .map_err(tongban_files::FileError::into_source)?;
    crate::vault::sync_dir(path);
    Ok(())
}

/// Decrypts the blob at `path` into `out`, checking it against `sha256`; returns its size.
pub(crate) fn read_encrypted(key: &[u8; 32], sha256: &str, path: &Path, out: &mut impl Write) -> Result<u64> {
    let file = fs::File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => StoreError::MissingBlob(sha256.to_string()),
        _ => StoreError::Io(e),
    })?;
    let damaged = || StoreError::MissingBlob(format!("{sha256}（文件不完整或已损坏，无法解密；文件未被改动）"));
    let mut hashing = HashingWriter::new(out);
    match crate::crypt::decrypt_stream(key, sha256.as_bytes(), &mut std::io::BufReader::new(file), &mut hashing) {
        Ok(()) => {}
        Err(crate::crypt::BlobFault::Io(e)) => return Err(StoreError::Io(e)),
        Err(crate::crypt::BlobFault::Damaged) => return Err(damaged()),
    }
    if hex::encode(hashing.hasher.finalize()) != sha256 {
        return Err(damaged());
    }
    Ok(hashing.len)
}

/// A writer that passes everything on and keeps the SHA-256 and length of what it passed.
pub(crate) struct HashingWriter<'a, W: Write> {
    inner: &'a mut W,
    hasher: Sha256,
    len: u64,
}

impl<'a, W: Write> HashingWriter<'a, W> {
    pub(crate) fn new(inner: &'a mut W) -> Self {
        HashingWriter { inner, hasher: Sha256::new(), len: 0 }
    }

    /// The hex SHA-256 and the length of what was written.
    pub(crate) fn finish(self) -> (String, u64) {
        (hex::encode(self.hasher.finalize()), self.len)
    }
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::temp_store;
    use crate::Store;
    use sha2::{Digest, Sha256};

    #[test]
    fn a_blob_is_kept_once_by_hash_and_read_back_verified() {
        let (_d, mut store) = temp_store();
        let now = chrono::Utc::now();
        let a = store.put_blob(b"scan of an ID card", "image/jpeg", "身份证.jpg", now).unwrap();
        let again = store.put_blob(b"scan of an ID card", "image/jpeg", "copy.jpg", now).unwrap();
        assert_eq!(a.sha256, again.sha256);
        assert_eq!(store.read_blob(&a.sha256).unwrap(), b"scan of an ID card");
        assert_eq!(store.blob_info(&a.sha256).unwrap().unwrap().file_name, "身份证.jpg");
        let file = std::fs::read(store.blob_path(&a.sha256)).unwrap();
        assert!(!file.windows(4).any(|w| w == b"scan"), "kept encrypted");
        assert!(!store.blob_path(&a.sha256).to_string_lossy().contains(&a.sha256), "not named by the content hash");
        std::fs::write(store.blob_path(&a.sha256), &file[..file.len() - 1]).unwrap();
        let err = store.read_blob(&a.sha256).unwrap_err();
        assert_eq!(err.code(), "missing_blob");
        assert!(err.to_string().contains("文件不完整或已损坏"), "{err}");
    }

    #[test]
    fn scans_cited_but_not_kept_are_listed_once_by_the_handling_region() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let now = chrono::Utc::now();
        let kept = store.put_blob(b"kept here", "image/jpeg", "身份证.jpg", now).unwrap().sha256;
        let absent = "ab".repeat(32);
        let mut form = crate::events::tests::form(false);
        form.materials[0].scans = vec![kept.clone(), absent.clone()];
        store.create_case(&form, "zhang", now).unwrap();
        form.materials[0].scans = vec![absent.clone()];
        store.create_case(&form, "zhang", now).unwrap();
        let missing = store.scans_missing(&form.handling_region, 10).unwrap();
        assert_eq!(missing, [super::MissingScan { sha256: absent, material: form.materials[0].name.clone() }]);
        assert!(store.scans_missing("330802", 10).unwrap().is_empty(), "another region's hub has none of them");
    }

    #[test]
    fn a_round_reads_only_the_scans_still_wanted_by_their_index() {
        let (_d, store) = temp_store();
        let mut stmt = store
            .conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT w.sha256, min(w.material) FROM wanted_scans w INDEXED BY wanted_scans_by_region
                  WHERE w.handling_region = ?1 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = w.sha256)
                  GROUP BY w.sha256 ORDER BY min(w.received_at) LIMIT ?2",
            )
            .unwrap();
        let plan: Vec<String> =
            stmt.query_map(["110106", "50"], |r| r.get::<_, String>(3)).unwrap().map(|r| r.unwrap()).collect();
        assert!(
            plan.iter()
                .any(|l| l.starts_with("SEARCH w USING")
                    && l.contains("INDEX wanted_scans_by_region (handling_region=?)")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|l| l.contains("materials") || l.contains("cases")), "{plan:?}");
        // The statement scans_missing runs is this one.
        drop(stmt);
        assert!(store.scans_missing("110106", 50).unwrap().is_empty());
    }

    #[test]
    fn a_scan_is_wanted_until_it_is_kept_or_its_case_no_longer_cites_it() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let now = chrono::Utc::now();
        let first = "cd".repeat(32);
        let later = b"the scan brought with the supplement";
        let later_sha = hex::encode(Sha256::digest(later));
        let mut form = crate::events::tests::form(true);
        form.materials[0].scans = vec![first.clone()];
        let (case, _) = store.create_case(&form, "zhang", now).unwrap();
        let wanted = |store: &Store| -> Vec<String> {
            store.scans_missing("110106", 10).unwrap().into_iter().map(|m| m.sha256).collect()
        };
        assert_eq!(wanted(&store), [first]);

        let mut materials = crate::events::tests::form(false).materials;
        materials[0].scans = vec![later_sha.clone()];
        let author = store.outbox(1).unwrap()[0].event.author.clone();
        let completed = tongban_core::case::CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: case,
            at: now,
            author,
            body: tongban_core::case::EventBody::Completed { materials },
        };
        store.append_local(&completed).unwrap();
        assert_eq!(wanted(&store), [later_sha], "the materials no longer cite the first scan");

        store.put_blob(later, "image/jpeg", "补正.jpg", now).unwrap();
        assert!(wanted(&store).is_empty(), "kept now");
        let left: i64 = store.conn.query_row("SELECT count(*) FROM wanted_scans", [], |r| r.get(0)).unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn a_database_from_before_the_wanted_scans_lists_the_scans_its_cases_lack() {
        let (dir, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let absent = "ef".repeat(32);
        let mut form = crate::events::tests::form(false);
        form.materials[0].scans = vec![absent.clone()];
        store.create_case(&form, "zhang", chrono::Utc::now()).unwrap();
        // As the database was before the step (10): no table, the version before it.
        let key = store.data_key().clone();
        crate::migrate::rewind_schema_for_tests(&store.conn, 9).unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("desk.db"), &key).unwrap();
        let missing = store.scans_missing("110106", 10).unwrap();
        assert_eq!(missing, [super::MissingScan { sha256: absent, material: form.materials[0].name.clone() }]);
    }
}
