//! The desk's data in the store's own shapes, for the CLI: its text and `--json` output are
//! those types, which scripts read. Each method asks the role the window's view of the same
//! data asks, and writes its audit entries in the acting user's name, as the window does.

use chrono::Utc;
use tongban_core::case::{CaseState, EventBody};
use tongban_core::catalog::Catalog;
use tongban_core::workdays::WorkCalendar;
use tongban_store::{
    Account, AuditHead, AuditKind, CalendarImport, CaseSummary, CatalogUpdate, ChainBreak, DeskIdentity, HeldCatalog,
    HubDesk, HubEntry, HubSyncState, Page, PartnerOffline, PinnedKey, PrintRecord, QuarantinedEvent, Setting,
    StoredEvent,
};

use crate::session::Permission;
use crate::{AppError, CaseQuery, Desk};

/// A case in full: the list's summary, the folded state, every event and every print.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub summary: CaseSummary,
    pub state: CaseState,
    pub events: Vec<StoredEvent>,
    pub prints: Vec<PrintRecord>,
}

/// Each configured hub with its sync state and pinned signing key, what waits for no hub, and
/// the partners past the offline guardrail's warning.
#[derive(Debug, Clone)]
pub struct HubStates {
    pub hubs: Vec<(HubEntry, HubSyncState, Option<PinnedKey>)>,
    pub unrouted: u64,
    pub offline: Vec<PartnerOffline>,
}

/// This desk as it set itself up, what each hub holds it to be, and the cases it took in under
/// another desk code than its own.
#[derive(Debug, Clone)]
pub struct DeskIdentities {
    pub desk: DeskIdentity,
    pub hubs: Vec<(HubEntry, Option<HubDesk>)>,
    pub under_other_codes: usize,
}

/// The audit chain checked whole: its head, where it first breaks, and how far each hub
/// confirmed keeping it.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    pub head: AuditHead,
    pub broken: Option<ChainBreak>,
    pub anchors: Vec<(String, i64)>,
    pub hubs_configured: bool,
}

impl Desk {
    /// The cases `query` asks for, as the store lists them.
    pub fn case_summaries(&self, query: &CaseQuery) -> Result<Page<CaseSummary>, AppError> {
        self.require_reader()?;
        let filter = crate::case_filter(query)?;
        self.with_store(|store| store.list_cases(&filter, query.page, query.page_size))
    }

    /// The case numbered `number` in full, the 证件号码 shown whole: audited as a view and a
    /// reveal, as the window's detail and 显示证件号码 are.
    pub fn case_record(&self, number: &str) -> Result<CaseRecord, AppError> {
        self.require_reader()?;
        let mut store = self.locked()?;
        let summary = store.case_by_number(number)?;
        self.audit(&mut store, AuditKind::CaseView, Some(summary.id), "命令行 case show")?;
        self.audit(&mut store, AuditKind::IdReveal, Some(summary.id), "申请人的证件号码（命令行）")?;
        let state = store.case_state(summary.id)?;
        let events = store.events_of(summary.id)?;
        let prints = store.prints_of(summary.id)?;
        Ok(CaseRecord { summary, state, events, prints })
    }

    /// Every setting with its label, value and whether it is the default.
    pub fn settings(&self) -> Result<Vec<Setting>, AppError> {
        self.require_reader()?;
        self.with_store(|store| store.settings())
    }

    /// An admin changes one setting (an empty value restores the default): a hall text the print
    /// font cannot show is refused; audited. Returns the setting as it now stands.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<Option<Setting>, AppError> {
        self.require(Permission::Administer)?;
        let user = self.actor(None)?;
        let mut store = self.locked()?;
        crate::printing::set_hall_text(&mut store, key, value, &user, Utc::now())?;
        self.audit(&mut store, AuditKind::Settings, None, format!("{}＝{}", key.trim(), value.trim()))?;
        if key.trim() == "desk.demo" {
            let demo = store.window_prefs()?.demo;
            store.publish_demo_accounts(demo)?;
        }
        Ok(store.settings()?.into_iter().find(|s| s.key == key.trim()))
    }

    /// The configured hubs and how their sync stands.
    pub fn hub_states(&self) -> Result<HubStates, AppError> {
        self.require_reader()?;
        self.with_store(|store| {
            let mut hubs = Vec::new();
            for hub in store.hubs()? {
                let state = store.sync_state(&hub.region)?;
                let key = store.pinned_key(&hub.region)?;
                hubs.push((hub, state, key));
            }
            Ok(HubStates { hubs, unrouted: store.unrouted_outbox_len()?, offline: store.partners_offline(Utc::now())? })
        })
    }

    /// An admin configures a hub (or changes one) as given, the transport and an optional signing
    /// key from the partner's letter; audited. Returns the hub and its pinned key.
    pub fn configure_hub(
        &self,
        setup: &tongban_store::HubSetup,
        transport: &tongban_store::HubTransport,
        signing_key: Option<&str>,
    ) -> Result<(HubEntry, Option<PinnedKey>), AppError> {
        self.require(Permission::Administer)?;
        let configured = {
            let mut store = self.locked()?;
            let entry = store.add_hub_trusting(setup, transport, signing_key, Utc::now())?;
            let plain = if entry.unencrypted() { "（允许未加密的 http）" } else { "" };
            let detail = format!("配置通办中心：{}（{}）{}{plain}", entry.name, entry.region, entry.url);
            self.audit(&mut store, AuditKind::Settings, None, detail)?;
            let key = store.pinned_key(&entry.region)?;
            (entry, key)
        };
        self.restart_sync()?;
        Ok(configured)
    }

    /// An admin pins a hub's new signing key (checked with the partner by phone); audited.
    /// Returns the key pinned before, if any, and the new one.
    pub fn trust_hub_key(&self, region: &str, key: &str) -> Result<(Option<PinnedKey>, PinnedKey), AppError> {
        self.require(Permission::Administer)?;
        let mut store = self.locked()?;
        let before = store.pinned_key(region)?;
        let pinned = store.trust_hub_key(region, key, Utc::now())?;
        let detail = format!("登记通办中心（{}）的签名公钥，指纹 {}", region.trim(), pinned.fingerprint);
        self.audit(&mut store, AuditKind::Settings, None, detail)?;
        Ok((before, pinned))
    }

    /// The events the sync holds back, each with its case's number when this desk knows it.
    pub fn quarantined_events(&self) -> Result<Vec<(QuarantinedEvent, Option<String>)>, AppError> {
        self.require_reader()?;
        self.with_store(|store| {
            Ok(store
                .quarantined()?
                .into_iter()
                .map(|q| {
                    let number = match &q.event.body {
                        EventBody::Received { intake } => Some(intake.number.to_string()),
                        _ => store.case_state(q.event.case_id).ok().map(|s| s.intake.number.to_string()),
                    };
                    (q, number)
                })
                .collect())
        })
    }

    /// This desk and what each hub holds it to be.
    pub fn desk_identities(&self) -> Result<DeskIdentities, AppError> {
        self.require_reader()?;
        self.with_store(|store| {
            let mut hubs = Vec::new();
            for hub in store.hubs()? {
                let desk = store.hub_desk(&hub.region)?;
                hubs.push((hub, desk));
            }
            Ok(DeskIdentities {
                desk: store.require_desk()?,
                hubs,
                under_other_codes: store.cases_under_other_codes()?.len(),
            })
        })
    }

    /// An admin corrects this desk's code (after a hub said another desk holds it). Returns the
    /// desk as it was and as it is.
    pub fn set_desk_code(&self, code: &str) -> Result<(DeskIdentity, DeskIdentity), AppError> {
        self.require(Permission::Administer)?;
        let mut store = self.locked()?;
        let before = store.require_desk()?;
        let after = store.set_desk_code(code)?;
        // The code is in every 办件编号 this desk gives from now on: who changed it is recorded.
        let detail = format!("受理台窗口代码 {} 改为 {}", before.desk_code.as_str(), after.desk_code.as_str());
        self.audit(&mut store, AuditKind::Settings, None, detail)?;
        Ok((before, after))
    }

    /// Every user as the store keeps them, for an admin.
    pub fn account_records(&self) -> Result<Vec<Account>, AppError> {
        self.require(Permission::Administer)?;
        self.with_store(|store| store.accounts())
    }

    /// Every region's current catalog held here.
    pub fn held_catalogs(&self) -> Result<Vec<HeldCatalog>, AppError> {
        self.require_reader()?;
        self.with_store(|store| store.current_catalogs())
    }

    /// `region`'s current catalog, or its version `version`; `None` when this desk holds neither.
    pub fn held_catalog(&self, region: &str, version: Option<&str>) -> Result<Option<Catalog>, AppError> {
        self.require_reader()?;
        self.with_store(|store| match version {
            Some(v) => store.catalog_version(region, v),
            None => Ok(store.current_catalog(region)?.map(|h| h.catalog)),
        })
    }

    /// The catalogs' change log, newest first (only what is unread, if `unread`).
    pub fn catalog_changes(&self, unread: bool) -> Result<Vec<CatalogUpdate>, AppError> {
        self.require_reader()?;
        self.with_store(|store| store.catalog_updates(unread))
    }

    /// Marks the catalog changes up to `up_to` as read; returns how many were unread.
    pub fn mark_catalog_changes_read(&self, up_to: i64) -> Result<usize, AppError> {
        self.require_reader()?;
        self.with_store(|store| store.acknowledge_catalog_updates(up_to, Utc::now()))
    }

    /// A connection of its own to this desk's database, for a sync engine run by the CLI (the
    /// window's engine gets one the same way, see [`Desk::start_sync`]).
    pub fn sync_connection(&self) -> Result<tongban_store::Store, AppError> {
        self.require_reader()?;
        let open = self.locked()?;
        Ok(tongban_store::Store::open(open.path(), open.data_key())?)
    }

    /// The working-day calendar this desk counts deadlines with.
    pub fn calendar(&self) -> Result<WorkCalendar, AppError> {
        self.require_reader()?;
        Ok(self.locked()?.calendar().clone())
    }

    /// An admin imports a year's 节假日安排; the estimated deadlines are counted again.
    pub fn import_calendar(&self, text: &str) -> Result<CalendarImport, AppError> {
        self.require(Permission::Administer)?;
        Ok(self.locked()?.import_calendar(text, Utc::now())?)
    }

    /// An admin checks a backup made earlier without restoring it: every file against the
    /// manifest, the database opened, every scan decrypted, with this desk's key.
    pub fn verify_backup(&self, from: &std::path::Path) -> Result<tongban_store::Manifest, AppError> {
        self.require(Permission::Administer)?;
        let key = self.locked()?.data_key().clone();
        Ok(tongban_store::verify_backup(from, &key, |_| {})?)
    }

    /// A supervisor checks the whole audit chain.
    pub fn check_audit_chain(&self) -> Result<ChainCheck, AppError> {
        self.require(Permission::Supervise)?;
        self.with_store(|store| {
            Ok(ChainCheck {
                head: store.audit_head()?,
                broken: store.verify_audit(1)?,
                anchors: store.audit_anchors()?,
                hubs_configured: !store.hubs()?.is_empty(),
            })
        })
    }
}
