//! The partner regions' catalogs (事项清单) this desk takes cases in against, every version it
//! has held, which one is current per region, and what changed each time a new one arrived.
//!
//! A version once stored never changes content: the same (region, version) with other content is
//! refused, so "taken in under version V" always means one list. Old versions are kept because
//! cases refer to them.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tongban_core::case::{CaseId, CaseNumber};
use tongban_core::catalog::{self, Catalog, CatalogChanges, CatalogIntake};

use crate::{desk::parse_time, Result, Store, StoreError};

pub(crate) const SCHEMA_V4: &str = "
CREATE TABLE catalogs (
    region      TEXT NOT NULL,     -- GB/T 2260 code of the publishing region
    version     TEXT NOT NULL,
    content     TEXT NOT NULL,     -- JSON of tongban_core::catalog::Catalog
    sha256      TEXT NOT NULL,     -- of content, to tell an equal re-delivery from a conflict
    source      TEXT NOT NULL,     -- 'file' (tongban catalog import) or 'hub' (fetched on sync)
    hub_etag    TEXT,              -- the hub's SHA-256 of what it served, for If-None-Match
    received_at TEXT NOT NULL,
    PRIMARY KEY (region, version)
);
CREATE TABLE catalog_current (
    region  TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    FOREIGN KEY (region, version) REFERENCES catalogs (region, version)
);
-- One row each time a region's current catalog changed: what the clerks are told.
CREATE TABLE catalog_updates (
    id              INTEGER PRIMARY KEY,
    region          TEXT NOT NULL,
    from_version    TEXT,          -- NULL for the region's first catalog
    to_version      TEXT NOT NULL,
    changes         TEXT NOT NULL, -- JSON of tongban_core::catalog::CatalogChanges
    at              TEXT NOT NULL,
    acknowledged_at TEXT
);
";

/// Where a catalog came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatalogSource {
    /// `tongban catalog import`: a file the partner sent, or the region's own list.
    File,
    /// Fetched from the region's hub on sync; `etag` is what the hub said its bytes hash to.
    Hub,
}

impl CatalogSource {
    fn as_str(self) -> &'static str {
        match self {
            CatalogSource::File => "file",
            CatalogSource::Hub => "hub",
        }
    }

    fn parse(s: &str) -> CatalogSource {
        if s == "hub" {
            CatalogSource::Hub
        } else {
            CatalogSource::File
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CatalogSource::File => "文件导入",
            CatalogSource::Hub => "通办中心",
        }
    }
}

/// What [`Store::install_catalog`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Installed {
    pub region: String,
    pub version: String,
    /// The version that was current before, if any.
    pub previous: Option<String>,
    /// `None` when this version was already current (nothing changed).
    pub changes: Option<CatalogChanges>,
}

/// A region's current catalog as the desk holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldCatalog {
    pub catalog: Catalog,
    pub source: CatalogSource,
    pub hub_etag: Option<String>,
    pub received_at: DateTime<Utc>,
}

/// One change of a region's current catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogUpdate {
    pub id: i64,
    pub region: String,
    pub from_version: Option<String>,
    pub to_version: String,
    pub changes: CatalogChanges,
    pub at: DateTime<Utc>,
    pub acknowledged: bool,
}

impl Store {
    /// Makes `catalog` its region's current one, keeping every earlier version. All or nothing:
    /// an unsound catalog, or a known version with other content, changes nothing.
    pub fn install_catalog(
        &mut self,
        catalog: &Catalog,
        source: CatalogSource,
        hub_etag: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Installed> {
        let problems = catalog.problems();
        if !problems.is_empty() {
            let lines = problems.iter().map(|p| p.message.clone()).collect();
            return Err(StoreError::InvalidCatalog { region: catalog.region.clone(), problems: lines });
        }
        let content = serde_json::to_string(catalog)?;
        let sha256 = hex::encode(Sha256::digest(content.as_bytes()));
        let tx = crate::write(&mut self.conn)?;
        let known: Option<String> = tx
            .query_row(
                "SELECT sha256 FROM catalogs WHERE region = ?1 AND version = ?2",
                params![catalog.region, catalog.version],
                |r| r.get(0),
            )
            .optional()?;
        match known {
            // Stored by a desk of before in other words (a fee as a string): the same catalog
            // once read is no conflict.
            Some(known) if known != sha256 && !stored_equals(&tx, catalog)? => {
                return Err(StoreError::CatalogVersionConflict {
                    region: catalog.region.clone(),
                    version: catalog.version.clone(),
                })
            }
            Some(_) => {
                if let Some(etag) = hub_etag {
                    tx.execute(
                        "UPDATE catalogs SET hub_etag = ?3 WHERE region = ?1 AND version = ?2",
                        params![catalog.region, catalog.version, etag],
                    )?;
                }
            }
            None => {
                tx.execute(
                    "INSERT INTO catalogs (region, version, content, sha256, source, hub_etag, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        catalog.region,
                        catalog.version,
                        content,
                        sha256,
                        source.as_str(),
                        hub_etag,
                        now.to_rfc3339()
                    ],
                )?;
            }
        }
        let previous = current_in(&tx, &catalog.region)?;
        let changes = match &previous {
            Some(prev) if prev.version == catalog.version => None,
            Some(prev) => Some(catalog::changes(prev, catalog)),
            None => Some(catalog::changes(
                &Catalog { items: vec![], bundles: vec![], contacts: vec![], ..catalog.clone() },
                catalog,
            )),
        };
        if let Some(changes) = &changes {
            tx.execute(
                "INSERT INTO catalog_current (region, version) VALUES (?1, ?2)
                 ON CONFLICT (region) DO UPDATE SET version = ?2",
                params![catalog.region, catalog.version],
            )?;
            tx.execute(
                "INSERT INTO catalog_updates (region, from_version, to_version, changes, at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    catalog.region,
                    previous.as_ref().map(|p| p.version.as_str()),
                    catalog.version,
                    serde_json::to_string(changes)?,
                    now.to_rfc3339()
                ],
            )?;
        }
        tx.commit()?;
        Ok(Installed {
            region: catalog.region.clone(),
            version: catalog.version.clone(),
            previous: previous.map(|p| p.version),
            changes,
        })
    }

    /// The current catalog of `region`, if the desk has one.
    pub fn current_catalog(&self, region: &str) -> Result<Option<HeldCatalog>> {
        Ok(self.held_catalogs(Some(region))?.pop())
    }

    /// Every region's current catalog, by region code.
    pub fn current_catalogs(&self) -> Result<Vec<HeldCatalog>> {
        self.held_catalogs(None)
    }

    /// The current catalogs of one region or all, in one query.
    fn held_catalogs(&self, region: Option<&str>) -> Result<Vec<HeldCatalog>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.content, c.source, c.hub_etag, c.received_at FROM catalog_current k
             JOIN catalogs c ON c.region = k.region AND c.version = k.version
             WHERE ?1 IS NULL OR k.region = ?1 ORDER BY k.region",
        )?;
        let rows = stmt.query_map([region], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (content, source, hub_etag, received_at) = row?;
            out.push(HeldCatalog {
                catalog: serde_json::from_str(&content)?,
                source: CatalogSource::parse(&source),
                hub_etag,
                received_at: parse_time(&received_at)?,
            });
        }
        Ok(out)
    }

    /// One version of a region's catalog, current or not (a case's own list).
    pub fn catalog_version(&self, region: &str, version: &str) -> Result<Option<Catalog>> {
        let content: Option<String> = self
            .conn
            .query_row(
                "SELECT content FROM catalogs WHERE region = ?1 AND version = ?2",
                params![region, version],
                |r| r.get(0),
            )
            .optional()?;
        Ok(content.map(|c| serde_json::from_str(&c)).transpose()?)
    }

    /// The changes of current catalogs, newest first; only those no clerk has marked read when
    /// `unread_only`.
    pub fn catalog_updates(&self, unread_only: bool) -> Result<Vec<CatalogUpdate>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, region, from_version, to_version, changes, at, acknowledged_at IS NOT NULL
             FROM catalog_updates WHERE NOT ?1 OR acknowledged_at IS NULL ORDER BY id DESC",
        )?;
        let rows = stmt.query_map([unread_only], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, bool>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, region, from_version, to_version, changes, at, acknowledged) = row?;
            out.push(CatalogUpdate {
                id,
                region,
                from_version,
                to_version,
                changes: serde_json::from_str(&changes)?,
                at: parse_time(&at)?,
                acknowledged,
            });
        }
        Ok(out)
    }

    /// Marks every change up to `up_to` (an update id) as read.
    pub fn acknowledge_catalog_updates(&mut self, up_to: i64, now: DateTime<Utc>) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE catalog_updates SET acknowledged_at = ?2 WHERE id <= ?1 AND acknowledged_at IS NULL",
            params![up_to, now.to_rfc3339()],
        )?)
    }

    /// Takes a case in against the current catalog of the partner it names: the materials are
    /// the catalog's, and the case records the catalog version.
    pub fn create_case_from_catalog(
        &mut self,
        draft: &CatalogIntake,
        user: &str,
        at: DateTime<Utc>,
    ) -> Result<(CaseId, CaseNumber)> {
        let partner = draft.partner.trim();
        let held = self.current_catalog(partner)?.ok_or_else(|| StoreError::NoCatalog(partner.to_string()))?;
        let form = held.catalog.intake_form(draft)?;
        self.create_case(&form, user, at)
    }
}

/// Whether the stored content of `catalog`'s version reads as `catalog`.
fn stored_equals(tx: &Transaction<'_>, catalog: &Catalog) -> Result<bool> {
    let content: String = tx.query_row(
        "SELECT content FROM catalogs WHERE region = ?1 AND version = ?2",
        params![catalog.region, catalog.version],
        |r| r.get(0),
    )?;
    Ok(serde_json::from_str::<Catalog>(&content).is_ok_and(|stored| stored == *catalog))
}

fn current_in(tx: &Transaction<'_>, region: &str) -> Result<Option<Catalog>> {
    let content: Option<String> = tx
        .query_row(
            "SELECT c.content FROM catalog_current k JOIN catalogs c ON c.region = k.region AND c.version = k.version
             WHERE k.region = ?1",
            [region],
            |r| r.get(0),
        )
        .optional()?;
    Ok(content.map(|c| serde_json::from_str(&c)).transpose()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::tests::{form, setup};
    use crate::test_support::temp_store;
    use tongban_core::case::MaterialForm;
    use tongban_core::catalog::{CatalogItem, CatalogMaterial, DeliveryOption, HandlingMode, Provided};

    /// 丰台区's catalog as `form()` takes its item in: one item, the ID card.
    fn fengtai(version: &str) -> Catalog {
        let f = form(false);
        Catalog {
            region: f.handling_region.clone(),
            version: version.into(),
            note: String::new(),
            items: vec![CatalogItem {
                code: f.item.code.clone(),
                implementation_code: String::new(),
                name: f.item.name.clone(),
                domain: "社保".into(),
                department: f.item.department.clone(),
                mode: HandlingMode::ProxyReceipt,
                legal_days: Some(45),
                promised_days: 15,
                fee: Default::default(),
                delivery: vec![DeliveryOption::AtWindow],
                materials: vec![CatalogMaterial {
                    name: "居民身份证".into(),
                    form: MaterialForm::Original,
                    copies: 1,
                    condition: String::new(),
                    standard: "在有效期内".into(),
                    e_license: None,
                    ..Default::default()
                }],
                ..Default::default()
            }],
            bundles: vec![],
            contacts: vec![],
        }
    }

    fn draft(catalog: &Catalog) -> CatalogIntake {
        let f = form(false);
        CatalogIntake {
            partner: catalog.region.clone(),
            item: catalog.items[0].code.clone(),
            applicant: f.applicant,
            agent: None,
            materials: vec![Provided { name: "居民身份证".into(), received: true, ..Provided::default() }],
            transfer: f.transfer,
            delivery: f.delivery,
            note: String::new(),
        }
    }

    fn table_counts(store: &Store) -> (i64, i64, i64) {
        let count = |t: &str| store.conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).unwrap();
        (count("catalogs"), count("catalog_current"), count("catalog_updates"))
    }

    #[test]
    fn versions_accumulate_the_current_one_changes_and_cases_keep_theirs() {
        let (_dir, mut store) = temp_store();
        setup(&mut store);
        let v1 = fengtai("2026-10");
        let first = store.install_catalog(&v1, CatalogSource::File, None, Utc::now()).unwrap();
        assert_eq!((first.previous, first.changes.unwrap().added.len()), (None, 1));
        let again = store.install_catalog(&v1, CatalogSource::Hub, Some("abc"), Utc::now()).unwrap();
        assert_eq!(again.changes, None, "the same version again changes nothing");
        assert_eq!(store.current_catalog("110106").unwrap().unwrap().hub_etag.as_deref(), Some("abc"));
        let (old_case, _) = store.create_case_from_catalog(&draft(&v1), "zhang", Utc::now()).unwrap();

        let mut v2 = fengtai("2026-11");
        v2.items[0].materials[0].copies = 2;
        let second = store.install_catalog(&v2, CatalogSource::Hub, Some("def"), Utc::now()).unwrap();
        assert_eq!(second.previous.as_deref(), Some("2026-10"));
        assert_eq!(
            second.changes.unwrap().lines(),
            [format!("变更事项：{}（{}）：材料「居民身份证」：份数 1 → 2", v2.items[0].name, v2.items[0].code)]
        );
        let (id, _) = store.create_case_from_catalog(&draft(&v2), "zhang", Utc::now()).unwrap();
        let state = store.case_state(id).unwrap();
        assert_eq!(state.intake.form.item.catalog_version.as_deref(), Some("2026-11"));
        assert_eq!(state.materials[0].copies, 2);
        let old = store.case_state(old_case).unwrap();
        assert_eq!((old.intake.form.item.catalog_version.as_deref(), old.materials[0].copies), (Some("2026-10"), 1));
        assert_eq!(store.catalog_version("110106", "2026-10").unwrap(), Some(v1));

        let updates = store.catalog_updates(true).unwrap();
        assert_eq!(updates.iter().map(|u| u.to_version.as_str()).collect::<Vec<_>>(), ["2026-11", "2026-10"]);
        assert_eq!(store.acknowledge_catalog_updates(updates[0].id, Utc::now()).unwrap(), 2);
        assert!(store.catalog_updates(true).unwrap().is_empty());
    }

    #[test]
    fn a_version_stored_before_fees_were_structured_is_the_same_version_read_again() {
        let (_dir, mut store) = temp_store();
        setup(&mut store);
        let mut v1 = fengtai("2026-10");
        v1.items[0].fee = tongban_core::guide::parse_fee("工本费20元").unwrap();
        store.install_catalog(&v1, CatalogSource::Hub, None, Utc::now()).unwrap();
        // As a desk of before stored it: the fee a string.
        let mut old = serde_json::to_value(&v1).unwrap();
        old["items"][0]["fee"] = serde_json::Value::String("工本费20元".into());
        let old = serde_json::to_string(&old).unwrap();
        store
            .conn
            .execute(
                "UPDATE catalogs SET content = ?1, sha256 = ?2 WHERE version = '2026-10'",
                params![old, hex::encode(Sha256::digest(old.as_bytes()))],
            )
            .unwrap();
        assert_eq!(store.catalog_version("110106", "2026-10").unwrap(), Some(v1.clone()));
        let again = store.install_catalog(&v1, CatalogSource::Hub, Some("abc"), Utc::now()).unwrap();
        assert_eq!(again.changes, None, "the same catalog in other words is no conflict");
        // Another fee is still another content.
        let mut other = v1.clone();
        other.items[0].fee = tongban_core::guide::parse_fee("工本费25元").unwrap();
        let e = store.install_catalog(&other, CatalogSource::Hub, None, Utc::now()).unwrap_err();
        assert_eq!(e.code(), "catalog_version_conflict");
    }

    #[test]
    fn an_unsound_catalog_or_a_rewritten_version_changes_nothing() {
        let (_dir, mut store) = temp_store();
        setup(&mut store);
        store.install_catalog(&fengtai("2026-10"), CatalogSource::File, None, Utc::now()).unwrap();
        let before = table_counts(&store);

        let mut unsound = fengtai("2026-11");
        unsound.items[0].promised_days = 90;
        let e = store.install_catalog(&unsound, CatalogSource::File, None, Utc::now()).unwrap_err();
        assert_eq!(e.code(), "catalog_invalid");
        assert!(e.to_string().contains("承诺时限（90个工作日）超过法定时限（45个工作日）"), "{e}");

        let mut rewritten = fengtai("2026-10");
        rewritten.items[0].materials[0].standard = "另一种说法".into();
        let e = store.install_catalog(&rewritten, CatalogSource::Hub, None, Utc::now()).unwrap_err();
        assert_eq!(e.code(), "catalog_version_conflict");
        assert!(e.to_string().contains("北京市丰台区的事项清单版本「2026-10」已存在且内容不同"), "{e}");
        assert_eq!(table_counts(&store), before);

        let mut elsewhere = draft(&fengtai("2026-10"));
        elsewhere.partner = "110105".into();
        let e = store.create_case_from_catalog(&elsewhere, "zhang", Utc::now()).unwrap_err();
        assert_eq!(e.code(), "no_catalog");
        assert_eq!(store.case_count().unwrap(), 0);
    }
}
