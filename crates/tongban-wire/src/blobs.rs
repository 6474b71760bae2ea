//! Scans by SHA-256, uploaded in chunks that resume after a cut.
//!
//! The protocol, modelled on tus (resumable uploads) but smaller:
//! 1. `GET /v1/blobs/{sha256}/status` says how many bytes the hub holds (0 for a new upload).
//! 2. `PATCH /v1/blobs/{sha256}` with `Upload-Offset: <that number>` and
//!    `Upload-Length: <total size>` appends the body. A wrong offset is `409 offset_mismatch`.
//!    Bytes that arrived before a connection broke are kept, so the next status shows them.
//! 3. When the hub holds `Upload-Length` bytes it checks the hash: a match completes the blob,
//!    a mismatch is `422 hash_mismatch` and the partial is discarded (start again at 0).
//!
//! `PUT /v1/blobs/{sha256}` uploads a small blob in one request (the same as one PATCH at offset 0
//! with the whole body). Uploading a blob the hub already has answers at once with `complete`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest scan a desk fetches from a hub: a desk takes scans of at most 20 MiB.
pub const MAX_FETCHED_SCAN: usize = 32 * 1024 * 1024;

/// Header: where the chunk in this request's body starts.
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// Header: the blob's total size in bytes.
pub const UPLOAD_LENGTH: &str = "upload-length";

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BlobStatus {
    pub sha256: String,
    /// Bytes the hub holds: the offset of the next chunk.
    pub received: u64,
    /// The total size announced by the upload (absent before the first chunk).
    pub length: Option<u64>,
    /// The blob is complete and its hash verified.
    pub complete: bool,
}
