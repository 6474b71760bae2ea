//! The region's catalog of items, kept as published: every version with its exact bytes.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use tongban_core::catalog::Catalog;
use tongban_core::seal::Document;
use tongban_wire::catalog::{CatalogDocument, CatalogUpload};

use crate::credentials::Credential;
use crate::db::Conn;
use crate::{Hub, HubError, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE catalog_versions (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,  -- the latest is the current catalog
    version       TEXT NOT NULL UNIQUE,
    sha256        TEXT NOT NULL,                      -- of content, as stored and served
    content       TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    credential_id INTEGER NOT NULL
);
";

/// Catalog versions parsed once for checking intakes against them. A version never changes
/// content, so a parsed copy is never stale; a hub holds a handful of versions.
#[derive(Default)]
pub(crate) struct ParsedVersions(std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Catalog>>>);

impl ParsedVersions {
    /// Version `version` as published on this hub, or `None` if it never was.
    pub(crate) fn get(&self, conn: &Conn<'_>, version: &str) -> Result<Option<std::sync::Arc<Catalog>>> {
        if let Some(parsed) = self.0.lock().unwrap_or_else(|p| p.into_inner()).get(version) {
            return Ok(Some(parsed.clone()));
        }
        let content: Option<String> =
            conn.query_opt("SELECT content FROM catalog_versions WHERE version = ?1", params![version], |r| r.get(0))?;
        let Some(content) = content else { return Ok(None) };
        let parsed = std::sync::Arc::new(serde_json::from_str::<Catalog>(&content)?);
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(version.to_string(), parsed.clone());
        Ok(Some(parsed))
    }
}

/// What publishing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    New,
    /// This version with this content was already published: nothing changed.
    AlreadyPublished,
}

fn document(version: String, sha256: String, content: String, published_at: DateTime<Utc>) -> Result<CatalogDocument> {
    Ok(CatalogDocument { version, sha256, published_at, content: RawValue::from_string(content)?, signature: None })
}

impl Hub {
    /// Publishes a catalog version. A version never changes: the same version with other content
    /// is refused.
    pub fn publish_catalog(
        &self,
        caller: &Credential,
        upload: CatalogUpload,
        now: DateTime<Utc>,
    ) -> Result<(Published, CatalogDocument)> {
        let version = upload.version.trim().to_string();
        if version.is_empty() {
            return Err(HubError::InvalidRequest("请填写事项清单的版本号（version）".into()));
        }
        let content = upload.content.get().to_string();
        let catalog = self.check_catalog(&version, &content)?;
        let sha256 = hex::encode(Sha256::digest(content.as_bytes()));
        self.db.write(|conn| {
            let existing: Option<(String, String, DateTime<Utc>)> = conn.query_opt(
                "SELECT sha256, content, published_at FROM catalog_versions WHERE version = ?1",
                params![version],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            match existing {
                Some((stored, _, at)) if stored == sha256 => {
                    Ok((Published::AlreadyPublished, self.sealed(document(version, sha256, content, at)?)))
                }
                // The same catalog written by another build (a fee stored as its words before fees
                // were read into amounts, fields in another order): the version desks hold stands.
                Some((stored, stored_content, at))
                    if serde_json::from_str::<Catalog>(&stored_content).is_ok_and(|held| held == catalog) =>
                {
                    Ok((Published::AlreadyPublished, self.sealed(document(version, stored, stored_content, at)?)))
                }
                Some(_) => Err(HubError::CatalogVersionExists(version)),
                None => {
                    conn.execute(
                        "INSERT INTO catalog_versions (version, sha256, content, published_at, credential_id)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![version, sha256, content, now, caller.id],
                    )?;
                    Ok((Published::New, self.sealed(document(version, sha256, content, now)?)))
                }
            }
        })
    }

    /// A published catalog is what every partner desk takes cases in against, so the hub refuses
    /// one that desks would refuse: unreadable, another region's, another version, or unsound.
    fn check_catalog(&self, version: &str, content: &str) -> Result<Catalog> {
        let catalog: Catalog = serde_json::from_str(content)
            .map_err(|e| HubError::InvalidRequest(format!("事项清单内容（content）不符合格式：{e}")))?;
        if catalog.region != self.region() {
            return Err(HubError::InvalidRequest(format!(
                "事项清单属于{}，本通办中心服务{}",
                crate::region_label(&catalog.region),
                crate::region_label(self.region())
            )));
        }
        if catalog.version != version {
            return Err(HubError::InvalidRequest(format!(
                "发布的版本号「{version}」与事项清单中的版本号「{}」不一致",
                catalog.version
            )));
        }
        let problems = catalog.problems();
        if !problems.is_empty() {
            let lines: Vec<String> = problems.iter().take(20).map(|p| p.message.clone()).collect();
            let more = problems.len().saturating_sub(lines.len());
            let more = if more > 0 { format!("\n另有 {more} 处问题未列出") } else { String::new() };
            return Err(HubError::InvalidRequest(format!(
                "事项清单有 {} 处问题，未发布：\n{}{more}",
                problems.len(),
                lines.join("\n")
            )));
        }
        Ok(catalog)
    }

    /// The latest published catalog.
    pub fn current_catalog(&self) -> Result<CatalogDocument> {
        let row: Option<(String, String, String, DateTime<Utc>)> = self.db.read(|c| {
            c.query_opt(
                "SELECT version, sha256, content, published_at FROM catalog_versions ORDER BY seq DESC LIMIT 1",
                &[],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
        })?;
        let (version, sha256, content, at) = row.ok_or(HubError::NoCatalog)?;
        Ok(self.sealed(document(version, sha256, content, at)?))
    }

    /// A catalog version as the hub hands it out: with its seal.
    fn sealed(&self, mut catalog: CatalogDocument) -> CatalogDocument {
        let sealed = Document::Catalog { version: &catalog.version };
        catalog.signature = Some(self.signer().seal_document(self.region(), sealed, &catalog.sha256));
        catalog
    }
}
