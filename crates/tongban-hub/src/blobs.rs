//! Scans by SHA-256: complete blobs in `<blob dir>/<first two hex digits>/<sha256>`, uploads in
//! progress in `<blob dir>/partial/<region>-<desk>-<sha256>`, and which cases refer to which blob.
//! The blob dir is `<db>.blobs` beside a SQLite file; with PostgreSQL it is a folder every hub
//! process of the region mounts (`blob_dir`): scans are large, written once and never changed, so
//! they stay files (backed up with the folder, served with `sendfile`-style streaming) while the
//! database holds which desk and case may read them.
//!
//! An upload's progress (`received`) is recorded only after the partial file is synced, so after a
//! crash the hub never claims bytes it does not hold; a longer file is cut back to the recorded
//! length before the next chunk. The hash is checked once the announced length has arrived, and
//! the file is synced, renamed into place and its folder synced before the blob is recorded.
//!
//! One request at a time writes an uploader's partial file, across every hub process sharing the
//! folder: the request holds a lease on its `blob_partials` row (`writer`, `writer_until`), taken
//! in the database before the file is touched, renewed while bytes arrive and given up when the
//! request ends. A second request meanwhile is refused (409, "上传进行中"); a process killed
//! mid-upload leaves a lease that lapses after [`UPLOAD_LEASE`].

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use futures_util::{Stream, StreamExt};
use rusqlite::params;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tongban_core::case::CaseId;
use tongban_wire::blobs::BlobStatus;

use crate::credentials::Credential;
use crate::db::Conn;
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

/// Step 4: a blob belongs to the desks that uploaded its bytes (its holders), not to whoever
/// knows its hash; an upload in progress is each uploader's own. Uploads in progress under the
/// old single-uploader table are carried over (their partial files live elsewhere now, so they
/// start again from 0, which the resumable protocol tells the desk).
pub(crate) const SCHEMA_V4: &str = "
CREATE TABLE blob_holders (
    sha256     TEXT NOT NULL,
    region     TEXT NOT NULL,
    desk       TEXT NOT NULL,       -- desk code; '' for credentials issued before desk codes
    held_since TEXT NOT NULL,
    PRIMARY KEY (sha256, region, desk)
) WITHOUT ROWID;
INSERT OR IGNORE INTO blob_holders SELECT sha256, uploader_region, uploader_desk, stored_at FROM blobs;
CREATE TABLE blob_partials (
    sha256     TEXT NOT NULL,
    region     TEXT NOT NULL,
    desk       TEXT NOT NULL,
    length     INTEGER NOT NULL,    -- the total size the uploader announced
    received   INTEGER NOT NULL,    -- bytes synced to its partial file
    updated_at TEXT NOT NULL,
    PRIMARY KEY (sha256, region, desk)
) WITHOUT ROWID;
INSERT OR IGNORE INTO blob_partials
    SELECT sha256, uploader_region, uploader_desk, length, received, updated_at FROM blob_uploads;
DROP TABLE blob_uploads;
";

/// Step 7: the lease of the request writing an upload's partial file, so that two hub processes
/// (or two requests of one) never write the same file at once.
pub(crate) const SCHEMA_V7: &str = "
ALTER TABLE blob_partials ADD COLUMN writer TEXT;        -- the writing request's lease, or NULL
ALTER TABLE blob_partials ADD COLUMN writer_until TEXT;  -- when it lapses unless renewed
";

/// How long an upload's lease lasts unless renewed: what a PostgreSQL hub process killed
/// mid-upload keeps that uploader waiting (a SQLite hub, one process, forgets its predecessor's
/// leases when it starts). Hub processes' clocks must agree to well within it (NTP).
pub const UPLOAD_LEASE: chrono::Duration = chrono::Duration::seconds(30);

/// A writing request renews its lease before a piece when this much of it has passed, so a piece
/// is always written with most of the lease still ahead.
const RENEW_AFTER: std::time::Duration = std::time::Duration::from_secs(10);

/// Why a hub without a scans' folder refuses scans.
pub(crate) const NO_BLOB_DIR: &str =
    "使用 PostgreSQL 时请指定扫描件目录（--blob-dir、TONGBAN_HUB_BLOB_DIR 或配置文件的 blob_dir）：\
     同一地区的每个通办中心进程都须读写同一目录";

/// Who uploads and holds blobs: a desk, by its region and desk code.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Holder {
    pub region: String,
    pub desk: String,
}

impl Holder {
    pub(crate) fn of(caller: &Credential) -> Holder {
        Holder { region: caller.region.clone(), desk: caller.desk_code.clone().unwrap_or_default() }
    }
}

/// Whether `holder` uploaded the bytes of `sha256` itself.
pub(crate) fn is_held_by(conn: &Conn<'_>, sha256: &str, holder: &Holder) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM blob_holders WHERE sha256 = ?1 AND region = ?2 AND desk = ?3)",
        params![sha256, holder.region, holder.desk],
        |r| r.get(0),
    )
}

/// Whether an event of `case` may cite `sha256`: the citing desk uploaded it, or the case already
/// cites it (a 补正 that lists the materials again). Knowing a hash is not enough.
pub(crate) fn may_cite(tx: &Conn<'_>, sha256: &str, holder: &Holder, case: CaseId) -> Result<bool> {
    if is_held_by(tx, sha256, holder)? {
        return Ok(true);
    }
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM blob_refs WHERE sha256 = ?1 AND case_id = ?2)",
        params![sha256, case.to_string()],
        |r| r.get(0),
    )
}

/// Notes that `case` refers to these blobs, so the case's readers may fetch them.
pub(crate) fn record_references(tx: &Conn<'_>, shas: &[&str], case: CaseId) -> Result<()> {
    for sha in shas {
        tx.execute(
            "INSERT INTO blob_refs (sha256, case_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![sha, case.to_string()],
        )?;
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

/// What claiming an upload found, under the writer lock.
enum Claim {
    /// The uploader holds the whole blob now: nothing to write.
    Held,
    /// No upload was under way: its row was made, 0 of the length announced.
    Created,
    /// An upload under way, with no lease running: `received` of `announced` bytes recorded.
    Resumed { received: u64, announced: u64 },
}

/// The right to append to one partial upload: the lease on its row, held for one request. The
/// request gives it up with its last write ([`UploadSlot::append`] short of the length, or
/// [`UploadSlot::finish`]); a request ending otherwise gives it up on drop.
pub struct UploadSlot {
    hub: Arc<Hub>,
    sha256: String,
    path: PathBuf,
    holder: Holder,
    received: u64,
    length: u64,
    lease: String,
    renewed: Instant,
    released: bool,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (hub, sha, holder, lease) =
            (self.hub.clone(), self.sha256.clone(), self.holder.clone(), self.lease.clone());
        let release = move || {
            if let Err(e) = hub.release_upload(&sha, &holder, &lease) {
                tracing::warn!("上传租约未能释放（{sha}）：{e}；{} 秒后失效", UPLOAD_LEASE.num_seconds());
            }
        };
        // Inside the server this is an async task: the database is not waited for there.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn_blocking(release)),
            Err(_) => release(),
        }
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
                    if self.renewed.elapsed() >= RENEW_AFTER {
                        self.renew_lease().await?;
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
        // Short of the length, this request is done with the file: the lease goes with the record.
        // Complete, it is kept until the blob is checked and moved into place (`finish`).
        let release = written < self.length;
        let (hub, sha, holder, now) = (self.hub.clone(), self.sha256.clone(), self.holder.clone(), Utc::now());
        let lease = self.lease.clone();
        blocking(move || hub.record_progress(&sha, &holder, &lease, written, release, now)).await?;
        self.released = release;
        self.received = written;
        if overrun {
            return Err(HubError::BlobOverrun(self.length));
        }
        Ok(broken)
    }

    /// Once every announced byte is in: checks the hash and moves the blob into place, or discards
    /// the partial if the bytes are not what the name says.
    pub async fn finish(mut self) -> Result<BlobStatus> {
        let hub = self.hub.clone();
        blocking(move || {
            let done = hub.complete_upload(&self, Utc::now());
            // The row, and the lease with it, is gone once the check ran (kept or discarded).
            if matches!(done, Ok(_) | Err(HubError::HashMismatch(_))) {
                self.lease_gone();
            }
            done
        })
        .await
    }

    /// The lease went with the row: nothing to give up on drop.
    fn lease_gone(&mut self) {
        self.released = true;
    }

    /// Extends the lease, or ends this request if another took the upload over meanwhile (this
    /// one stalled past the lease): not a byte more is written.
    async fn renew_lease(&mut self) -> Result<()> {
        let (hub, sha, holder, lease) =
            (self.hub.clone(), self.sha256.clone(), self.holder.clone(), self.lease.clone());
        let now = Utc::now();
        let renewed = blocking(move || {
            hub.db.write(|c| {
                c.execute(
                    "UPDATE blob_partials SET writer_until = ?5 WHERE sha256 = ?1 AND region = ?2 AND desk = ?3 AND writer = ?4",
                    params![sha, holder.region, holder.desk, lease, now + UPLOAD_LEASE],
                )
            })
        })
        .await?;
        if renewed == 0 {
            self.lease_gone();
            return Err(HubError::LeaseLost(self.sha256.clone()));
        }
        self.renewed = Instant::now();
        Ok(())
    }
}

pub(crate) fn sha256_of_file(path: &Path) -> Result<String> {
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
    fn blob_dir(&self) -> Result<&Path> {
        self.blob_dir.as_deref().ok_or_else(|| HubError::Config(NO_BLOB_DIR.into()))
    }

    fn blob_path(&self, sha256: &str) -> Result<PathBuf> {
        Ok(self.blob_dir()?.join(&sha256[..2]).join(sha256))
    }

    /// Each uploader's partial file of a blob is its own: another desk sending other bytes under
    /// the same name never touches it.
    fn partial_path(&self, sha256: &str, holder: &Holder) -> Result<PathBuf> {
        // Region codes are digits and desk codes letters and digits: safe in a file name.
        Ok(self.blob_dir()?.join("partial").join(format!("{}-{}-{sha256}", holder.region, holder.desk)))
    }

    /// Where `caller`'s upload of `sha256` stands. A blob another desk uploaded is answered as
    /// absent, exactly as one the hub never saw, so the hash of someone's ID card tells nothing.
    pub fn blob_status(&self, caller: &Credential, sha256: &str) -> Result<BlobStatus> {
        self.status_for(sha256, &Holder::of(caller))
    }

    fn status_for(&self, sha256: &str, holder: &Holder) -> Result<BlobStatus> {
        let (held, partial) = self.db.read(|conn| {
            if is_held_by(conn, sha256, holder)? {
                let size: u64 =
                    conn.query_row("SELECT size FROM blobs WHERE sha256 = ?1", params![sha256], |r| r.get(0))?;
                return Ok((Some(size), None));
            }
            let partial: Option<(u64, u64)> = conn.query_opt(
                "SELECT received, length FROM blob_partials WHERE sha256 = ?1 AND region = ?2 AND desk = ?3",
                params![sha256, holder.region, holder.desk],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Ok((None, partial))
        })?;
        if let Some(size) = held {
            return Ok(BlobStatus { sha256: sha256.to_string(), received: size, length: Some(size), complete: true });
        }
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
        let holder = Holder::of(caller);
        let status = self.status_for(sha256, &holder)?;
        if status.complete {
            return Ok(UploadStart::AlreadyStored(status));
        }
        if length > max_size {
            return Err(HubError::BlobTooLarge { size: length, max: max_size });
        }
        let path = self.partial_path(sha256, &holder)?;
        let lease = uuid::Uuid::now_v7().to_string();
        let claim = match self.claim_upload(sha256, &holder, length, &lease, Utc::now())? {
            // Completed by another request since `status` was read.
            Claim::Held => return Ok(UploadStart::AlreadyStored(self.status_for(sha256, &holder)?)),
            claim => claim,
        };
        // From here the slot owns the lease and gives it up however this ends.
        let mut slot = UploadSlot {
            hub: self.clone(),
            sha256: sha256.to_string(),
            path,
            holder: holder.clone(),
            received: 0,
            length,
            lease,
            renewed: Instant::now(),
            released: false,
        };
        let resumed = match claim {
            // A partial file lost while its record survived (a restored backup, a hand-cleaned
            // folder) starts over: the record says 0 even when this request is refused, so the
            // status the client asks for next is not a number the hub cannot honour.
            Claim::Resumed { received, announced } if !restart && slot.path.exists() => Some((received, announced)),
            _ => None,
        };
        match resumed {
            Some((received, announced)) => {
                if announced != length {
                    return Err(HubError::LengthMismatch { announced, given: length });
                }
                if offset != received {
                    return Err(HubError::OffsetMismatch { expected: received, given: offset });
                }
                slot.received = received;
            }
            None => {
                self.db.write(|c| {
                    c.execute(
                        "UPDATE blob_partials SET length = ?4, received = 0, updated_at = ?5
                         WHERE sha256 = ?1 AND region = ?2 AND desk = ?3",
                        params![sha256, holder.region, holder.desk, length, Utc::now()],
                    )
                })?;
                if offset != 0 {
                    return Err(HubError::OffsetMismatch { expected: 0, given: offset });
                }
                fs::create_dir_all(slot.path.parent().expect("partial paths have a parent"))?;
                fs::File::create(&slot.path)?;
            }
        }
        Ok(UploadStart::Ready(slot))
    }

    /// Takes the lease on `holder`'s upload of `sha256` for one request, making its row (0 of
    /// `length`) if there is none. Refused while another request's lease runs. Read under the
    /// writer lock with the lease, the answer is where the upload stands now: another request may
    /// have moved it on, or completed it, since the caller last looked.
    fn claim_upload(
        &self,
        sha256: &str,
        holder: &Holder,
        length: u64,
        lease: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        self.db.write(|c| {
            if is_held_by(c, sha256, holder)? {
                return Ok(Claim::Held);
            }
            let row: Option<(u64, u64, Option<DateTime<Utc>>)> = c.query_opt(
                "SELECT received, length, writer_until FROM blob_partials WHERE sha256 = ?1 AND region = ?2 AND desk = ?3",
                params![sha256, holder.region, holder.desk],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            match row {
                Some((_, _, Some(until))) if until > now => Err(HubError::UploadInProgress(sha256.to_string())),
                Some((received, announced, _)) => {
                    c.execute(
                        "UPDATE blob_partials SET writer = ?4, writer_until = ?5
                         WHERE sha256 = ?1 AND region = ?2 AND desk = ?3",
                        params![sha256, holder.region, holder.desk, lease, now + UPLOAD_LEASE],
                    )?;
                    Ok(Claim::Resumed { received, announced })
                }
                None => {
                    c.execute(
                        "INSERT INTO blob_partials (sha256, region, desk, length, received, updated_at, writer, writer_until)
                         VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6, ?7)",
                        params![sha256, holder.region, holder.desk, length, now, lease, now + UPLOAD_LEASE],
                    )?;
                    Ok(Claim::Created)
                }
            }
        })
    }

    /// Forgets every upload's lease: for a SQLite hub starting to serve, the only process there
    /// is, so a lease found is one its killed predecessor left (its desks resume at once). Never
    /// for PostgreSQL, where another live process may hold it.
    pub(crate) fn forget_upload_leases_of_a_lone_process(&self) -> Result<usize> {
        match self.db {
            crate::db::Database::Sqlite(_) => self.db.write(|c| {
                c.execute("UPDATE blob_partials SET writer = NULL, writer_until = NULL WHERE writer IS NOT NULL", &[])
            }),
            crate::db::Database::Postgres(_) => Ok(0),
        }
    }

    /// Gives up `lease` (a no-op when it was lost or the row is gone).
    fn release_upload(&self, sha256: &str, holder: &Holder, lease: &str) -> Result<()> {
        self.db.write(|c| {
            c.execute(
                "UPDATE blob_partials SET writer = NULL, writer_until = NULL
                 WHERE sha256 = ?1 AND region = ?2 AND desk = ?3 AND writer = ?4",
                params![sha256, holder.region, holder.desk, lease],
            )
        })?;
        Ok(())
    }

    /// Records how far the upload got, if this request still holds its lease (and gives the
    /// lease up when `release`).
    fn record_progress(
        &self,
        sha256: &str,
        holder: &Holder,
        lease: &str,
        received: u64,
        release: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let recorded = self.db.write(|c| {
            c.execute(
                "UPDATE blob_partials SET received = ?5, updated_at = ?6,
                     writer = CASE WHEN ?7 THEN NULL ELSE writer END,
                     writer_until = CASE WHEN ?7 THEN NULL ELSE writer_until END
                 WHERE sha256 = ?1 AND region = ?2 AND desk = ?3 AND writer = ?4",
                params![sha256, holder.region, holder.desk, lease, received, now, release],
            )
        })?;
        if recorded == 0 {
            return Err(HubError::LeaseLost(sha256.to_string()));
        }
        Ok(())
    }

    fn complete_upload(&self, slot: &UploadSlot, now: DateTime<Utc>) -> Result<BlobStatus> {
        let (sha256, holder) = (slot.sha256.as_str(), &slot.holder);
        let forget_partial =
            "DELETE FROM blob_partials WHERE sha256 = ?1 AND region = ?2 AND desk = ?3 AND writer = ?4";
        let key = params![sha256, holder.region, holder.desk, slot.lease];
        if sha256_of_file(&slot.path)? != sha256 {
            fs::remove_file(&slot.path)?;
            self.db.write(|c| c.execute(forget_partial, key))?;
            return Err(HubError::HashMismatch(sha256.to_string()));
        }
        let target = self.blob_path(sha256)?;
        let dir = target.parent().expect("blob paths have a parent");
        fs::create_dir_all(dir)?;
        if target.exists() {
            // Another desk holds the same bytes: this one has shown it has them too.
            fs::remove_file(&slot.path)?;
        } else {
            fs::rename(&slot.path, &target)?;
            sync_dir(dir)?;
        }
        self.db.write(|tx| {
            tx.execute(
                "INSERT INTO blobs (sha256, size, uploader_region, stored_at, uploader_desk)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                params![sha256, slot.length, holder.region, now, holder.desk],
            )?;
            tx.execute(
                "INSERT INTO blob_holders (sha256, region, desk, held_since) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT DO NOTHING",
                params![sha256, holder.region, holder.desk, now],
            )?;
            tx.execute(forget_partial, key)
        })?;
        Ok(BlobStatus { sha256: sha256.to_string(), received: slot.length, length: Some(slot.length), complete: true })
    }

    /// The file of a complete blob `caller` may read: one it uploaded itself (its desk; its region
    /// for a back office or supervisor), or one a case in its [scope](crate::scope) refers to.
    /// Anything else is answered as unknown, so the answer does not tell whether the hub holds it.
    pub fn readable_blob(&self, caller: &Credential, sha256: &str) -> Result<(PathBuf, u64)> {
        let scope = Scope::of(caller)?;
        // ?1 is the blob, ?2 (and ?3) the scope's region (and desk).
        let uploaded = match scope {
            Scope::OwnIntakes { .. } => {
                "EXISTS (SELECT 1 FROM blob_holders h WHERE h.sha256 = b.sha256 AND h.region = ?2 AND h.desk = ?3)"
            }
            _ => "EXISTS (SELECT 1 FROM blob_holders h WHERE h.sha256 = b.sha256 AND h.region = ?2)",
        };
        let sql = format!(
            "SELECT size FROM blobs b WHERE b.sha256 = ?1 AND ({uploaded} OR EXISTS (
                SELECT 1 FROM blob_refs r JOIN cases c ON c.case_id = r.case_id
                WHERE r.sha256 = b.sha256 AND {}))",
            scope.cases_condition(2)
        );
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&sha256];
        args.extend(scope.params());
        let size: Option<u64> = self.db.read(|c| c.query_opt(&sql, &args, |r| r.get(0)))?;
        let size = size.ok_or_else(|| HubError::UnknownBlob(sha256.to_string()))?;
        Ok((self.blob_path(sha256)?, size))
    }

    /// Forgets uploads nobody continued for `age` (their rows and partial files): a desk that
    /// went away mid-upload does not leave its bytes on the hub for ever. Returns how many.
    pub fn remove_abandoned_uploads(&self, age: chrono::Duration, now: DateTime<Utc>) -> Result<usize> {
        let before = now - age;
        // Not one whose lease runs: a request is writing it (in this process or another).
        let idle = "updated_at < ?1 AND (writer_until IS NULL OR writer_until <= ?2)";
        let stale: Vec<(String, String, String)> = self.db.read(|c| {
            c.query_map(
                &format!("SELECT sha256, region, desk FROM blob_partials WHERE {idle}"),
                params![before, now],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
        })?;
        let mut removed = 0;
        for (sha256, region, desk) in stale {
            let holder = Holder { region, desk };
            let path = self.partial_path(&sha256, &holder)?;
            // Row and file together under the writer lock, and only if still idle: a request
            // claims an upload under the same lock, so it never finds its new file removed.
            let forgotten = self.db.write(|c| {
                let forgotten = c.execute(
                    &format!("DELETE FROM blob_partials WHERE sha256 = ?3 AND region = ?4 AND desk = ?5 AND {idle}"),
                    params![before, now, sha256, holder.region, holder.desk],
                )?;
                if forgotten > 0 {
                    match fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                Ok(forgotten)
            })?;
            removed += forgotten;
        }
        Ok(removed)
    }
}
