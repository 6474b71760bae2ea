//! Scans by SHA-256: complete blobs in `<db>.blobs/<first two hex digits>/<sha256>`, uploads in
//! progress in `<db>.blobs/partial/<sha256>`, and which cases refer to which blob.
//!
//! An upload's progress (`received`) is recorded only after the partial file is synced, so after a
//! crash the hub never claims bytes it does not hold; a longer file is cut back to the recorded
//! length before the next chunk. The hash is checked once the announced length has arrived, and
//! the file is synced, renamed into place and its folder synced before the blob is recorded.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tongban_core::case::CaseId;
use tongban_wire::blobs::BlobStatus;

use crate::credentials::Credential;
use crate::scope::Scope;
use crate::{blocking, Hub, HubError, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE blobs (
    sha256          TEXT PRIMARY KEY,
    size            INTEGER NOT NULL,
    uploader_region TEXT NOT NULL,        -- may read it back before any case refers to it
    stored_at       TEXT NOT NULL
);
CREATE TABLE blob_uploads (
    sha256          TEXT PRIMARY KEY,
    length          INTEGER NOT NULL,     -- the total size the uploader announced
    received        INTEGER NOT NULL,     -- bytes synced to the partial file
    uploader_region TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE blob_refs (
    sha256  TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (sha256, case_id)
) WITHOUT ROWID;
";

/// Step 3: who uploaded a blob, to the desk (a window may read back only its own uploads before a
/// case cites them).
pub(crate) const SCHEMA_V3: &str = "
ALTER TABLE blobs ADD COLUMN uploader_desk TEXT NOT NULL DEFAULT '';
ALTER TABLE blob_uploads ADD COLUMN uploader_desk TEXT NOT NULL DEFAULT '';
";

pub(crate) fn is_stored(tx: &Transaction<'_>, sha256: &str) -> Result<bool> {
    Ok(tx.query_row("SELECT EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?1)", [sha256], |r| r.get(0))?)
}

/// Notes that `case` refers to these blobs, so the case's readers may fetch them.
pub(crate) fn record_references(tx: &Transaction<'_>, shas: &[&str], case: CaseId) -> Result<()> {
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO blob_refs (sha256, case_id) VALUES (?1, ?2)")?;
    for sha in shas {
        stmt.execute(params![sha, case.to_string()])?;
    }
    Ok(())
}

/// How an upload request proceeds.
pub enum UploadStart {
    /// The hub already holds the blob: nothing to send.
    AlreadyStored(BlobStatus),
    /// Send the chunk into this slot.
    Ready(UploadSlot),
}

/// The right to append to one partial upload; held for one request, released on drop.
pub struct UploadSlot {
    hub: Arc<Hub>,
    sha256: String,
    path: PathBuf,
    received: u64,
    length: u64,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        self.hub.uploads_in_progress.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.sha256);
    }
}

impl UploadSlot {
    pub fn received(&self) -> u64 {
        self.received
    }

    pub fn length(&self) -> u64 {
        self.length
    }

    /// Appends the chunk at the recorded offset and records how far it got, even when the stream
    /// breaks off (the client resumes from there). Returns the stream's error, if it broke, after
    /// the bytes before it are safe.
    pub async fn append<S, E>(&mut self, mut chunk: S) -> Result<Option<E>>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Unpin,
    {
        let file = tokio::fs::OpenOptions::new().write(true).open(&self.path).await?;
        // Bytes past the recorded length were never acknowledged (a crash between write and record).
        file.set_len(self.received).await?;
        let mut file = tokio::io::BufWriter::new(file);
        tokio::io::AsyncSeekExt::seek(&mut file, std::io::SeekFrom::Start(self.received)).await?;
        let mut written = self.received;
        let mut broken = None;
        let mut overrun = false;
        while let Some(piece) = chunk.next().await {
            match piece {
                Ok(bytes) => {
                    if written + bytes.len() as u64 > self.length {
                        overrun = true;
                        break;
                    }
                    file.write_all(&bytes).await?;
                    written += bytes.len() as u64;
                }
                Err(e) => {
                    broken = Some(e);
                    break;
                }
            }
        }
        file.flush().await?;
        file.get_ref().sync_all().await?;
        let (hub, sha, now) = (self.hub.clone(), self.sha256.clone(), Utc::now());
        blocking(move || hub.record_progress(&sha, written, now)).await?;
        self.received = written;
        if overrun {
            return Err(HubError::BlobOverrun(self.length));
        }
        Ok(broken)
    }

    /// Once every announced byte is in: checks the hash and moves the blob into place, or discards
    /// the partial if the bytes are not what the name says.
    pub async fn finish(self, caller: &Credential) -> Result<BlobStatus> {
        let region = caller.region.clone();
        let desk = caller.desk_code.clone().unwrap_or_default();
        let hub = self.hub.clone();
        blocking(move || hub.complete_upload(&self, &region, &desk, Utc::now())).await
    }
}

fn sha256_of_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Makes a rename durable: the new directory entry is on disk once this returns.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

impl Hub {
    fn blob_path(&self, sha256: &str) -> PathBuf {
        self.blob_dir.join(&sha256[..2]).join(sha256)
    }

    fn partial_path(&self, sha256: &str) -> PathBuf {
        self.blob_dir.join("partial").join(sha256)
    }

    /// Where the upload of `sha256` stands.
    pub fn blob_status(&self, sha256: &str) -> Result<BlobStatus> {
        let conn = self.conn();
        let stored: Option<u64> =
            conn.query_row("SELECT size FROM blobs WHERE sha256 = ?1", [sha256], |r| r.get(0)).optional()?;
        if let Some(size) = stored {
            return Ok(BlobStatus { sha256: sha256.to_string(), received: size, length: Some(size), complete: true });
        }
        let partial: Option<(u64, u64)> = conn
            .query_row("SELECT received, length FROM blob_uploads WHERE sha256 = ?1", [sha256], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        Ok(BlobStatus {
            sha256: sha256.to_string(),
            received: partial.map_or(0, |p| p.0),
            length: partial.map(|p| p.1),
            complete: false,
        })
    }

    /// Prepares to take a chunk of `length` total bytes at `offset`. `restart` starts the upload
    /// over (a whole-blob `PUT`) instead of requiring the offset to match.
    pub fn begin_upload(
        self: &Arc<Self>,
        caller: &Credential,
        sha256: &str,
        offset: u64,
        length: u64,
        restart: bool,
        max_size: u64,
    ) -> Result<UploadStart> {
        let status = self.blob_status(sha256)?;
        if status.complete {
            return Ok(UploadStart::AlreadyStored(status));
        }
        if length > max_size {
            return Err(HubError::BlobTooLarge { size: length, max: max_size });
        }
        if !self.uploads_in_progress.lock().unwrap_or_else(|p| p.into_inner()).insert(sha256.to_string()) {
            return Err(HubError::UploadInProgress(sha256.to_string()));
        }
        // From here the slot owns the in-progress mark and releases it however this ends.
        let mut slot = UploadSlot {
            hub: self.clone(),
            sha256: sha256.to_string(),
            path: self.partial_path(sha256),
            received: 0,
            length,
        };
        // A partial file lost while its record survived (a restored backup, a hand-cleaned
        // folder): forget the record, so the status the client asks for next says 0, not a
        // number the hub cannot honour.
        let lost = status.length.is_some() && !slot.path.exists();
        if lost {
            self.conn().execute("DELETE FROM blob_uploads WHERE sha256 = ?1", [sha256])?;
        }
        let fresh = restart || status.length.is_none() || lost;
        if fresh {
            if offset != 0 {
                return Err(HubError::OffsetMismatch { expected: 0, given: offset });
            }
            fs::create_dir_all(slot.path.parent().expect("partial paths have a parent"))?;
            fs::File::create(&slot.path)?;
            self.conn().execute(
                "INSERT INTO blob_uploads (sha256, length, received, uploader_region, updated_at, uploader_desk)
                 VALUES (?1, ?2, 0, ?3, ?4, ?5)
                 ON CONFLICT (sha256) DO UPDATE SET length = ?2, received = 0, uploader_region = ?3, updated_at = ?4,
                                                    uploader_desk = ?5",
                params![sha256, length, caller.region, Utc::now(), caller.desk_code.clone().unwrap_or_default()],
            )?;
        } else {
            let announced = status.length.unwrap_or(length);
            if announced != length {
                return Err(HubError::LengthMismatch { announced, given: length });
            }
            if offset != status.received {
                return Err(HubError::OffsetMismatch { expected: status.received, given: offset });
            }
            slot.received = status.received;
        }
        Ok(UploadStart::Ready(slot))
    }

    fn record_progress(&self, sha256: &str, received: u64, now: DateTime<Utc>) -> Result<()> {
        self.conn().execute(
            "UPDATE blob_uploads SET received = ?2, updated_at = ?3 WHERE sha256 = ?1",
            params![sha256, received, now],
        )?;
        Ok(())
    }

    fn complete_upload(&self, slot: &UploadSlot, region: &str, desk: &str, now: DateTime<Utc>) -> Result<BlobStatus> {
        let sha256 = slot.sha256.as_str();
        if sha256_of_file(&slot.path)? != sha256 {
            fs::remove_file(&slot.path)?;
            self.conn().execute("DELETE FROM blob_uploads WHERE sha256 = ?1", [sha256])?;
            return Err(HubError::HashMismatch(sha256.to_string()));
        }
        let target = self.blob_path(sha256);
        let dir = target.parent().expect("blob paths have a parent");
        fs::create_dir_all(dir)?;
        fs::rename(&slot.path, &target)?;
        sync_dir(dir)?;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO blobs (sha256, size, uploader_region, stored_at, uploader_desk)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![sha256, slot.length, region, now, desk],
        )?;
        tx.execute("DELETE FROM blob_uploads WHERE sha256 = ?1", [sha256])?;
        tx.commit()?;
        Ok(BlobStatus { sha256: sha256.to_string(), received: slot.length, length: Some(slot.length), complete: true })
    }

    /// The file of a complete blob `caller` may read: one it uploaded itself (its desk; its region
    /// for a back office or supervisor), or one a case in its [scope](crate::scope) refers to.
    /// Anything else is answered as unknown, so the answer does not tell whether the hub holds it.
    pub fn readable_blob(&self, caller: &Credential, sha256: &str) -> Result<(PathBuf, u64)> {
        let scope = Scope::of(caller)?;
        let uploaded = match scope {
            Scope::OwnIntakes { .. } => "(b.uploader_region = :region AND b.uploader_desk = :desk)",
            _ => "(b.uploader_region = :region)",
        };
        let sql = format!(
            "SELECT size FROM blobs b WHERE b.sha256 = :sha256 AND ({uploaded} OR EXISTS (
                SELECT 1 FROM blob_refs r JOIN cases c ON c.case_id = r.case_id
                WHERE r.sha256 = b.sha256 AND {}))",
            scope.cases_condition()
        );
        let mut args: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":sha256", &sha256 as &dyn rusqlite::ToSql)];
        args.extend(scope.params());
        let size: Option<u64> = self.conn().query_row(&sql, args.as_slice(), |r| r.get(0)).optional()?;
        let size = size.ok_or_else(|| HubError::UnknownBlob(sha256.to_string()))?;
        Ok((self.blob_path(sha256), size))
    }
}
