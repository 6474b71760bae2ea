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

/// Step 8: how the desk may reach each hub. A hub already set up with a plain `http://` address
/// keeps working after the upgrade (marked as allowed, and shown as unencrypted), so an update
/// never cuts a hall off; new ones must be https unless an admin allows otherwise.
pub(crate) const SCHEMA_V8: &str = "
ALTER TABLE hubs ADD COLUMN allow_plain_http INTEGER NOT NULL DEFAULT 0;
-- PEM certificate(s) of the CA that signs this hub's certificate, when it is not one the
-- system trusts (a province's private 政务 CA).
ALTER TABLE hubs ADD COLUMN ca_cert TEXT;
UPDATE hubs SET allow_plain_http = 1 WHERE url LIKE 'http://%';
";

/// How the desk reaches a hub beyond its address: both off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HubTransport {
    /// An admin allowed a plain `http://` address off loopback (a closed 政务外网 segment):
    /// cases and the credential then cross the network unencrypted.
    pub allow_plain_http: bool,
    /// PEM certificate(s) of the CA to trust for this hub, besides the system's.
    pub ca_cert: Option<String>,
}

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
    #[serde(skip)]
    pub transport: HubTransport,
}

impl HubEntry {
    /// Whether cases and the credential cross the network to this hub unencrypted (plain
    /// http off this machine).
    pub fn unencrypted(&self) -> bool {
        self.url.starts_with("http://") && !is_loopback_url(&self.url)
    }
}

impl Store {
    /// Adds a hub, or changes the one configured for the region. A changed URL points at another
    /// hub database whose sequence numbers mean something else, so the pull cursor starts over:
    /// applying an event twice is a no-op, skipping one would lose it.
    pub fn add_hub(&mut self, setup: &HubSetup, now: DateTime<Utc>) -> Result<HubEntry> {
        self.add_hub_with(setup, &HubTransport::default(), now)
    }

    /// [`Store::add_hub`] with how to reach it: a plain `http://` address off loopback is refused
    /// unless `transport` allows it; a CA certificate must be PEM.
    pub fn add_hub_with(&mut self, setup: &HubSetup, transport: &HubTransport, now: DateTime<Utc>) -> Result<HubEntry> {
        let desk = self.require_desk()?;
        let region = setup.region.trim().to_string();
        if !tongban_core::region::is_valid_code(&region) {
            return Err(ValidationError::new(format!("「{region}」不是有效的行政区划代码（6位数字）"))
                .at("region", "合作地区区划")
                .into());
        }
        let name = validate::required_text("name", "合作地区名称", &setup.name)?;
        let url = hub_url(&setup.url)?;
        if url.starts_with("http://") && !is_loopback_url(&url) && !transport.allow_plain_http {
            return Err(ValidationError::new(format!(
                "「{url}」不是加密连接（https）：办件、扫描件和凭据会以明文经过网络。请使用通办中心的 https 地址；\
                 确需在封闭的内网使用 http 的，须由管理员明确允许（tongban partner add --allow-http）"
            ))
            .at("url", "通办中心地址")
            .into());
        }
        let transport = HubTransport {
            allow_plain_http: transport.allow_plain_http && url.starts_with("http://"),
            ca_cert: transport.ca_cert.as_deref().map(ca_pem).transpose()?,
        };
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
            "INSERT INTO hubs (region, name, url, credential, added_at, updated_at, allow_plain_http, ca_cert)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7)
             ON CONFLICT (region) DO UPDATE SET name = ?2, url = ?3, credential = ?4, updated_at = ?5,
                 allow_plain_http = ?6, ca_cert = ?7",
            params![region, name, url, credential, now.to_rfc3339(), transport.allow_plain_http, transport.ca_cert],
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
        Ok(HubEntry { own_region: region == desk.region, region, name, url, credential, added_at: now, transport })
    }

    /// Every configured hub, the desk's own region's first, then by region code.
    pub fn hubs(&self) -> Result<Vec<HubEntry>> {
        let own = self.require_desk()?.region;
        let mut stmt = self.conn.prepare_cached(
            "SELECT region, name, url, credential, added_at, allow_plain_http, ca_cert FROM hubs
             ORDER BY region = ?1 DESC, region",
        )?;
        let rows = stmt.query_map([&own], |r| {
            let transport = HubTransport { allow_plain_http: r.get(5)?, ca_cert: r.get(6)? };
            Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, transport))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (region, name, url, credential, added_at, transport) = row?;
            out.push(HubEntry {
                own_region: region == own,
                region,
                name,
                url,
                credential,
                added_at: parse_time(&added_at)?,
                transport,
            });
        }
        Ok(out)
    }

    /// The hub configured for `region`.
    pub fn hub(&self, region: &str) -> Result<HubEntry> {
        self.hubs()?.into_iter().find(|h| h.region == region).ok_or_else(|| StoreError::UnknownHub(region.to_string()))
    }
}

/// Whether `url` (already checked by [`hub_url`]) names this machine: the demo and the tests.
pub fn is_loopback_url(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).unwrap_or(url);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A CA certificate as pasted or read from a file: PEM with at least one certificate, and small.
fn ca_pem(text: &str) -> Result<String> {
    let text = text.trim();
    let bad = |why: &str| -> StoreError { ValidationError::new(why).at("ca_cert", "CA 证书").into() };
    if text.len() > 64 * 1024 {
        return Err(bad("CA 证书超过 64 KB，应为 PEM 格式的证书（-----BEGIN CERTIFICATE----- 开头）"));
    }
    if !text.contains("-----BEGIN CERTIFICATE-----") || !text.contains("-----END CERTIFICATE-----") {
        return Err(bad("不是 PEM 格式的证书，应以 -----BEGIN CERTIFICATE----- 开头"));
    }
    Ok(format!("{text}\n"))
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
        let allowed = HubTransport { allow_plain_http: true, ca_cert: None };
        assert!(store.add_hub_with(&own, &allowed, Utc::now()).unwrap().unencrypted());
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

    #[test]
    fn plain_http_off_this_machine_needs_an_admins_word_and_a_ca_must_be_pem() {
        let (_d, mut store) = temp_store();
        setup(&mut store);
        for url in ["http://10.1.2.3:8730", "http://hub.fengtai.example", "http://[fd00::1]:8730"] {
            let err = store.add_hub(&fengtai(url), Utc::now()).unwrap_err();
            assert!(err.to_string().contains("不是加密连接（https）"), "{url}: {err}");
        }
        assert!(store.hubs().unwrap().is_empty(), "nothing added");
        for url in ["http://127.0.0.1:8730", "http://localhost:8730", "http://[::1]:8730", "https://10.1.2.3"] {
            assert!(!store.add_hub(&fengtai(url), Utc::now()).unwrap().unencrypted(), "{url}");
        }
        let not_pem = HubTransport { allow_plain_http: false, ca_cert: Some("MIIB…".into()) };
        let err = store.add_hub_with(&fengtai("https://h.example"), &not_pem, Utc::now()).unwrap_err();
        assert!(err.to_string().starts_with("CA 证书：不是 PEM 格式的证书"), "{err}");
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        let with_ca = HubTransport { allow_plain_http: true, ca_cert: Some(pem.into()) };
        let added = store.add_hub_with(&fengtai("https://h.example"), &with_ca, Utc::now()).unwrap();
        assert!(!added.transport.allow_plain_http, "allowing http means nothing for an https hub");
        assert_eq!(store.hub("110106").unwrap().transport.ca_cert.as_deref(), Some(&*format!("{pem}\n")));
    }
}
