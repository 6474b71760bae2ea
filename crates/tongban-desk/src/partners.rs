//! The partners (合作地区) as the window manages them: each region's hub (where its cases go),
//! its catalog as this desk holds it, and how its sync stands.

use chrono::Utc;
use tongban_core::region;
use tongban_store::{HubSetup, HubTransport};

use crate::{AppError, Desk, PartnerCatalog, PartnerForm, PartnerView};

impl Desk {
    /// An admin lets intakes for `region` go on for a day past the offline limit, for `reason`
    /// (recorded with the lift and in the audit log).
    pub fn lift_offline_limit(&self, region: &str, reason: &str) -> Result<crate::OfflineNotice, AppError> {
        self.require(crate::Permission::Administer)?;
        let user = self.actor(None)?;
        let mut store = self.locked()?;
        Ok(store.lift_offline_limit(region, reason, &user, Utc::now())?.into())
    }

    /// Every configured hub with its sync state and catalog, the desk's own region's first.
    pub fn partners(&self) -> Result<Vec<PartnerView>, AppError> {
        self.require_reader()?;
        // Only whether each hub answered: the rest of the status bar's overview is not needed.
        let live = self.engine_hubs().unwrap_or_default();
        self.with_store(|store| {
            let mut out = Vec::new();
            for hub in store.hubs()? {
                let state = store.sync_state(&hub.region)?;
                let catalog = store.current_catalog(&hub.region)?.as_ref().map(partner_catalog);
                let live = live.iter().find(|h| h.region == hub.region);
                let (identity, identity_problem) = identity_of(store.hub_desk(&hub.region)?);
                let (unencrypted, own_ca) = (hub.unencrypted(), hub.transport.ca_cert.is_some());
                let pinned = store.pinned_key(&hub.region)?;
                let offline = store
                    .partner_offline(&hub.region, Utc::now())?
                    .filter(|p| p.verdict.level != tongban_core::offline::OfflineLevel::Fresh)
                    .map(crate::OfflineNotice::from);
                out.push(PartnerView {
                    offline,
                    identity,
                    identity_problem,
                    hub_configured: true,
                    region_name: region::display_name(&hub.region),
                    credential_hint: credential_hint(&hub.credential),
                    online: live.is_some_and(|h| h.online),
                    pending: state.pending,
                    quarantined: state.quarantined,
                    last_success_at: state.last_success_at.map(|t| t.to_rfc3339()),
                    last_error: state.last_error,
                    added_at: hub.added_at.to_rfc3339(),
                    region: hub.region,
                    name: hub.name,
                    unencrypted,
                    own_ca,
                    signing_key_by_admin: pinned.as_ref().is_some_and(|k| k.by_admin),
                    signing_key_fingerprint: pinned.map(|k| k.fingerprint),
                    url: hub.url,
                    own_region: hub.own_region,
                    catalog,
                });
            }
            // A catalog imported from a file before the partner's hub is known.
            for held in store.current_catalogs()? {
                if out.iter().any(|p| p.region == held.catalog.region) {
                    continue;
                }
                let region = held.catalog.region.clone();
                out.push(PartnerView {
                    hub_configured: false,
                    region_name: region::display_name(&region),
                    name: region::display_name(&region),
                    credential_hint: String::new(),
                    online: false,
                    pending: 0,
                    quarantined: 0,
                    last_success_at: None,
                    last_error: None,
                    added_at: held.received_at.to_rfc3339(),
                    url: String::new(),
                    own_region: false,
                    catalog: Some(partner_catalog(&held)),
                    region,
                    identity: None,
                    identity_problem: None,
                    unencrypted: false,
                    own_ca: false,
                    signing_key_fingerprint: None,
                    signing_key_by_admin: false,
                    offline: None,
                });
            }
            Ok(out)
        })
    }

    /// Adds a partner's hub, or changes one; an empty credential keeps the one configured. The
    /// running sync starts again so the change takes effect at once.
    pub fn save_partner(&self, form: &PartnerForm) -> Result<Vec<PartnerView>, AppError> {
        self.permit(crate::session::Permission::Administer)?;
        self.with_store(|store| {
            let region = form.region.trim();
            let configured = store.hubs()?.into_iter().find(|h| h.region == region);
            let credential = match form.credential.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                Some(given) => given.to_string(),
                // A new partner needs one; add_hub says so next to the field.
                None => configured.as_ref().map(|h| h.credential.clone()).unwrap_or_default(),
            };
            let ca_cert = match form.ca_cert.as_deref().map(str::trim) {
                Some("") => None,
                Some(given) => Some(given.to_string()),
                None => configured.and_then(|h| h.transport.ca_cert),
            };
            let setup =
                HubSetup { region: region.to_string(), name: form.name.clone(), url: form.url.clone(), credential };
            let transport = HubTransport { allow_plain_http: form.allow_plain_http, ca_cert };
            store.add_hub_trusting(&setup, &transport, form.signing_key.as_deref(), Utc::now())
        })?;
        self.restart_sync()?;
        self.partners()
    }
}

fn partner_catalog(held: &tongban_store::HeldCatalog) -> PartnerCatalog {
    PartnerCatalog {
        version: held.catalog.version.clone(),
        note: held.catalog.note.clone(),
        items: held.catalog.items.len() as u64,
        bundles: held.catalog.bundles.len() as u64,
        contacts: held.catalog.contacts.len() as u64,
        source: held.source.label().to_string(),
        received_at: held.received_at.to_rfc3339(),
    }
}

/// Enough of a credential to tell which one is configured, never the whole of it.
fn credential_hint(credential: &str) -> String {
    let chars: Vec<char> = credential.chars().collect();
    if chars.len() <= 8 {
        return "已设置".into();
    }
    format!("{}…{}", chars[..3].iter().collect::<String>(), chars[chars.len() - 4..].iter().collect::<String>())
}

/// What a hub holds this desk to be, in a line, and why it refused it last time.
fn identity_of(desk: Option<tongban_store::HubDesk>) -> (Option<String>, Option<String>) {
    let Some(desk) = desk else { return (None, None) };
    let identity = desk.role_label.as_ref().map(|role| {
        let scope = desk.scope_label.as_deref().unwrap_or_default();
        format!("{role}（窗口代码 {}）：{scope}", desk.desk_code)
    });
    (identity, desk.problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desk() -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        crate::demo::seed(&db, 1).unwrap();
        (dir, Desk::open_as(&db, "wangfang", crate::demo::DEMO_PASSWORD).unwrap())
    }

    fn fengtai(url: &str, credential: Option<&str>) -> PartnerForm {
        PartnerForm {
            region: "110106".into(),
            name: "北京市丰台区".into(),
            url: url.into(),
            credential: credential.map(str::to_string),
            allow_plain_http: false,
            ca_cert: None,
            signing_key: None,
        }
    }

    #[test]
    fn a_partner_is_added_then_edited_keeping_its_credential() {
        let (_dir, desk) = desk();
        let before = desk.partners().unwrap();
        assert!(before.iter().any(|p| p.region == "110106" && !p.hub_configured), "the sample catalog, no hub yet");
        let partners = desk.save_partner(&fengtai("http://127.0.0.1:9/", Some("token-0123456789"))).unwrap();
        let p = partners.iter().find(|p| p.region == "110106").unwrap();
        assert_eq!(p.url, "http://127.0.0.1:9");
        assert_eq!(p.region_name, "北京市丰台区");
        assert_eq!(p.credential_hint, "tok…6789");
        assert!(p.hub_configured && !p.online);
        let catalog = p.catalog.as_ref().expect("the demo installs 丰台区's sample catalog");
        assert_eq!(catalog.items, 28);
        assert_eq!(catalog.bundles, 2);

        let partners = desk.save_partner(&fengtai("http://127.0.0.1:10", None)).unwrap();
        let p = partners.iter().find(|p| p.region == "110106").unwrap();
        assert_eq!(p.url, "http://127.0.0.1:10");
        assert_eq!(p.credential_hint, "tok…6789", "an empty credential keeps the configured one");
    }

    #[test]
    fn bad_input_names_its_field_and_changes_nothing() {
        let (_dir, desk) = desk();
        let before = desk.partners().unwrap();
        let e = desk.save_partner(&fengtai("ftp://hub", Some("token"))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("url"), "{e:?}");
        assert!(e.message.contains("ftp://hub"), "{}", e.message);
        let e = desk.save_partner(&fengtai("https://hub", None)).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("credential"), "a new partner needs a credential: {e:?}");
        let e = desk.save_partner(&PartnerForm { region: "11010".into(), ..fengtai("https://hub", Some("t")) });
        assert_eq!(e.unwrap_err().field.as_deref(), Some("region"));
        let e = desk.save_partner(&fengtai("http://10.1.2.3:8730", Some("token"))).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("url"), "{e:?}");
        assert!(e.message.contains("不是加密连接（https）"), "{}", e.message);
        assert_eq!(desk.partners().unwrap(), before);
    }

    #[test]
    fn an_admin_may_allow_plain_http_and_the_partner_shows_it_unencrypted() {
        let (_dir, desk) = desk();
        let form = PartnerForm { allow_plain_http: true, ..fengtai("http://10.1.2.3:8730", Some("token-0123456789")) };
        let partners = desk.save_partner(&form).unwrap();
        let p = partners.iter().find(|p| p.region == "110106").unwrap();
        assert!(p.unencrypted && !p.own_ca);
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        let form = PartnerForm { ca_cert: Some(pem.into()), ..fengtai("https://hub.fengtai.example", None) };
        let p = desk.save_partner(&form).unwrap().into_iter().find(|p| p.region == "110106").unwrap();
        assert!(!p.unencrypted && p.own_ca);
        let p = desk.save_partner(&fengtai("https://hub.fengtai.example", None)).unwrap();
        assert!(p.iter().any(|p| p.region == "110106" && p.own_ca), "null keeps the CA");
        let form = PartnerForm { ca_cert: Some(String::new()), ..fengtai("https://hub.fengtai.example", None) };
        let p = desk.save_partner(&form).unwrap();
        assert!(p.iter().any(|p| p.region == "110106" && !p.own_ca), "empty removes it");
    }

    #[test]
    fn a_signing_key_from_the_partners_letter_is_pinned_and_a_mistyped_one_changes_nothing() {
        let (_dir, desk) = desk();
        let before = desk.partners().unwrap();
        let form = PartnerForm {
            signing_key: Some("3f2a 9c1e".into()),
            ..fengtai("https://hub.fengtai.example", Some("token-0123456789"))
        };
        let e = desk.save_partner(&form).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("signing_key"), "{e:?}");
        assert!(e.message.contains("64 位十六进制"), "{}", e.message);
        assert_eq!(desk.partners().unwrap(), before, "not even the partner is added");

        let key = tongban_core::seal::HubSigner::from_seed(&[3; 32]).public();
        let form = PartnerForm { signing_key: Some(key.to_hex()), ..form };
        let partners = desk.save_partner(&form).unwrap();
        let p = partners.iter().find(|p| p.region == "110106").unwrap();
        assert_eq!(p.signing_key_fingerprint.as_deref(), Some(&*key.fingerprint()));
        assert!(p.signing_key_by_admin);
        let p = desk.save_partner(&fengtai("https://hub.fengtai.example", None)).unwrap();
        assert!(p.iter().any(|p| p.signing_key_fingerprint == Some(key.fingerprint())), "null keeps it");
    }
}
