//! The region's catalog of items (事项清单), which partner desks fetch to take cases in.
//!
//! Its format is defined elsewhere: the hub serves the JSON it was given, byte for byte, with the
//! SHA-256 of those bytes, so a desk can tell whether its copy is current and intact.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

/// The most a `GET /v1/catalog` answer can take: a region's catalog is tens of KiB to a few MiB
/// (a hub admits an upload of at most its JSON body limit, 8 MiB by default).
pub const MAX_CATALOG_DOCUMENT: usize = 16 * 1024 * 1024;

/// `PUT /v1/catalog` (admin).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogUpload {
    /// Chosen by the publisher, e.g. `2026-03`. A version, once published, never changes content.
    pub version: String,
    /// Any JSON value; kept exactly as sent.
    #[schema(value_type = Object)]
    pub content: Box<RawValue>,
}

/// `GET /v1/catalog`: the current catalog. The `ETag` header is the quoted `sha256`, so
/// `If-None-Match` answers `304 Not Modified` when the desk's copy is current.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CatalogDocument {
    pub version: String,
    /// SHA-256 (hex) of the bytes of `content` as served.
    pub sha256: String,
    pub published_at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub content: Box<RawValue>,
    /// The hub's seal over the region, the version and `sha256`
    /// (`tongban_core::seal::document_message`), by the key `/health` presents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}
