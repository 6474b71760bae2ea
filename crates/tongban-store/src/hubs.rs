//! The hubs this desk exchanges cases with: one per partner region it takes cases in for, and
//! its own region's hub, which its back office reads its inbox from. A hub is keyed by the region
//! it serves, because that is how an event finds its hub: it goes to the hub of its case's
//! handling region (see [`crate::sync`]).

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use tongban_core::validate::{self, ValidationError};

use crate::{desk::parse_time, Result, Store, StoreError};

pub(crate) const SCHEMA_V3: &str = "
CREATE TABLE hubs (
    region     TEXT PRIMARY KEY,   -- GB/T 2260 code of the region the hub serves
    name       TEXT NOT NULL,      -- the partner's name as the clerk knows it
    url        TEXT NOT NULL,      -- base URL, without a trailing slash
    -- The bearer token the hub issued to this desk. Kept in clear like the rest of this file:
    -- encryption at rest (design §7) is not done yet and will cover this column with the others.
    credential TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
";

/// What `tongban partner add` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubSetup {
    pub region: String,
    pub name: String,
    pub url: String,
    pub credential: String,
}

/// A configured hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubEntry {
    pub region: String,
    pub name: String,
    pub url: String,
    #[serde(skip)]
    pub credential: String,
    /// The hub of the desk's own region (its back office's inbox), not a partner's.
    pub own_region: bool,
    pub added_at: DateTime<Utc>,
}

impl Store {
    /// Adds a hub, or changes the one configured for the region. A changed URL points at another
    /// hub database whose sequence numbers mean something else, so the pull cursor starts over:
    /// applying an event twice is a no-op, skipping one would lose it.
    pub fn add_hub(&mut self, setup: &HubSetup, now: DateTime<Utc>) -> Result<HubEntry> {
        let desk = self.require_desk()?;
        let region = setup.region.trim().to_string();
        if !tongban_core::region::is_valid_code(&region) {
            return Err(ValidationError::new(format!("「{region}」不是有效的行政区划代码（6位数字）"))
                .at("region", "合作地区区划")
                .into());
        }
        let name = validate::required_text("name", "合作地区名称", &setup.name)?;
        let url = hub_url(&setup.url)?;
        let credential = validate::required_text("credential", "凭据", &setup.credential)?;
        if credential.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ValidationError::new("凭据中不能有空格或控制字符，请完整复制通办中心发放的凭据")
                .at("credential", "凭据")
                .into());
        }
        let tx = crate::write(&mut self.conn)?;
        let previous: Option<(String, String)> = tx
            .query_row("SELECT url, credential FROM hubs WHERE region = ?1", [&region], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        tx.execute(
            "INSERT INTO hubs (region, name, url, credential, added_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
             ON CONFLICT (region) DO UPDATE SET name = ?2, url = ?3, credential = ?4, updated_at = ?5",
            params![region, name, url, credential, now.to_rfc3339()],
        )?;
        if previous.as_ref().is_some_and(|(previous, _)| *previous != url) {
            crate::sync::forget_hub_progress(&tx, &region)?;
        }
        // Another credential (or hub) is another identity there: the next round confirms it anew.
        if previous
            .is_some_and(|(previous_url, previous_credential)| previous_url != url || previous_credential != credential)
        {
            tx.execute("DELETE FROM hub_desks WHERE region = ?1", [&region])?;
        }
        tx.commit()?;
        Ok(HubEntry { own_region: region == desk.region, region, name, url, credential, added_at: now })
    }

    /// Every configured hub, the desk's own region's first, then by region code.
    pub fn hubs(&self) -> Result<Vec<HubEntry>> {
        let own = self.require_desk()?.region;
        let mut stmt = self.conn.prepare_cached(
            "SELECT region, name, url, credential, added_at FROM hubs ORDER BY region = ?1 DESC, region",
        )?;
        let rows = stmt.query_map([&own], |r| {
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (region, name, url, credential, added_at) = row?;
            out.push(HubEntry {
                own_region: region == own,
                region,
                name,
                url,
                credential,
                added_at: parse_time(&added_at)?,
            });
        }
        Ok(out)
    }

    /// The hub configured for `region`.
    pub fn hub(&self, region: &str) -> Result<HubEntry> {
        self.hubs()?.into_iter().find(|h| h.region == region).ok_or_else(|| StoreError::UnknownHub(region.to_string()))
    }
}

/// A hub's base URL: http or https, a host, no query; the trailing slash dropped so paths append.
fn hub_url(url: &str) -> Result<String> {
    let url = url.trim().trim_end_matches('/');
    let bad = |why: &str| -> StoreError {
        ValidationError::new(format!("「{url}」{why}，应如 https://tongban.example.gov.cn"))
            .at("url", "通办中心地址")
            .into()
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("不是 http 或 https 地址"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(bad("缺少主机名"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || rest.contains(['?', '#']) {
        return Err(bad("含有空格、查询参数或片段"));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::tests::setup;
    use crate::test_support::temp_store;

    fn fengtai(url: &str) -> HubSetup {
        HubSetup {
            region: "110106".into(), name: "北京市丰台区".into(), url: url.into(), credential: "tok-1".into()
        }
    }

    #[test]
    fn a_partner_hub_is_added_listed_and_changed_in_place() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let added = store.add_hub(&fengtai("https://hub.fengtai.example/"), Utc::now()).unwrap();
        assert_eq!(added.url, "https://hub.fengtai.example");
        assert!(!added.own_region);
        let own = HubSetup {
            region: "411329".into(),
            name: "新野县".into(),
            url: "http://10.0.0.2:8730".into(),
            credential: "tok-2".into(),
        };
        store.add_hub(&own, Utc::now()).unwrap();
        let mut changed = fengtai("https://hub2.fengtai.example");
        changed.credential = "tok-3".into();
        store.add_hub(&changed, Utc::now()).unwrap();
        let hubs = store.hubs().unwrap();
        assert_eq!(
            hubs.iter().map(|h| (h.region.as_str(), h.own_region)).collect::<Vec<_>>(),
            [("411329", true), ("110106", false)]
        );
        assert_eq!(store.hub("110106").unwrap().credential, "tok-3");
        assert_eq!(store.hub("320102").unwrap_err().code(), "unknown_hub");
    }

    #[test]
    fn a_bad_region_url_or_credential_names_the_field_and_adds_nothing() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        let cases = [
            (HubSetup { region: "11010".into(), ..fengtai("https://h.example") }, "合作地区区划："),
            (fengtai("ftp://h.example"), "通办中心地址：「ftp://h.example」不是 http 或 https 地址"),
            (fengtai("https://"), "通办中心地址："),
            (fengtai("https://h.example/?x=1"), "通办中心地址："),
            (HubSetup { credential: "  ".into(), ..fengtai("https://h.example") }, "凭据："),
            (HubSetup { credential: "abc def".into(), ..fengtai("https://h.example") }, "凭据：凭据中不能有空格"),
        ];
        for (setup, expected) in cases {
            let err = store.add_hub(&setup, Utc::now()).unwrap_err();
            assert!(err.to_string().starts_with(expected), "{err}");
            assert_eq!(err.code(), "invalid_input");
        }
        assert!(store.hubs().unwrap().is_empty());
    }
}
