//! 对账 with one partner: for a period, what this desk holds of the cases it shares with the
//! partner and what the partner's hub holds of them, each side from its own records (the hub's
//! over `GET /v1/reconciliation`, page by page), compared event by event; and the originals'
//! packages mailed that nobody signed for within the days allowed.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use tongban_core::case::{CaseId, EventKind};
use tongban_core::paper::{self, Direction};
use tongban_store::{HeldHere, Store};
use tongban_wire::events::{reconciliation_window, HeldEvent, RECONCILIATION_LIMIT_DEFAULT};
use uuid::Uuid;

use crate::client::HubClient;
use crate::{SyncError, SyncSettings};

/// The most events one 对账 reads from a hub (a year of a busy back office is far below).
pub const MAX_HELD_EVENTS: usize = 2_000_000;

/// One side's event the other side does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// 办件编号, or the case's id when this desk does not hold the case.
    pub number: String,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    /// Why, as far as this desk can tell: 待推送, 被通办中心拒收（隔离）, 本机尚未拉取 ….
    pub note: String,
}

/// A package of originals mailed and not signed for within the days allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedPackage {
    pub number: String,
    pub waybill: String,
    pub mailed_at: DateTime<Utc>,
    pub days: i64,
}

/// What one 对账 found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub partner: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Events both sides hold.
    pub matched: usize,
    pub only_here: Vec<Difference>,
    pub only_at_hub: Vec<Difference>,
    pub unsigned_packages: Vec<UnsignedPackage>,
    /// The days a package may go unsigned before it is listed.
    pub package_days: i64,
}

impl Reconciliation {
    /// Nothing differs and no package is overdue.
    pub fn is_clean(&self) -> bool {
        self.only_here.is_empty() && self.only_at_hub.is_empty() && self.unsigned_packages.is_empty()
    }
}

/// 对账 of this desk with `partner`'s hub for the days `from` to `to` (both included), packages
/// listed when unsigned `package_days` after they were mailed (as of `now`).
pub async fn reconcile(
    store: &Store,
    partner: &str,
    from: NaiveDate,
    to: NaiveDate,
    package_days: i64,
    now: DateTime<Utc>,
    settings: &SyncSettings,
) -> Result<Reconciliation, SyncError> {
    let window = reconciliation_window(from, to).map_err(|why| {
        SyncError::Store(tongban_core::validate::ValidationError::new(why).at("to", "对账期间").into())
    })?;
    let entry = store.hub(partner)?;
    let client = HubClient::for_hub(&entry, settings)?;
    let mut theirs = Vec::new();
    let mut since = 0;
    loop {
        let page = client.reconciliation(from, to, since, RECONCILIATION_LIMIT_DEFAULT).await?;
        since = page.next_cursor;
        theirs.extend(page.events);
        // A hub that never stops answering "more" must not fill the desk's memory.
        if theirs.len() > MAX_HELD_EVENTS {
            return Err(SyncError::Garbled {
                url: entry.url.clone(),
                what: format!("对账结果超过 {MAX_HELD_EVENTS} 个事件，请缩短对账期间"),
            });
        }
        if !page.has_more {
            break;
        }
    }
    let ours = store.reconciliation_events(partner, window.0, window.1)?;
    let quarantined: Vec<Uuid> =
        store.quarantined()?.into_iter().filter(|q| q.hub_region == partner).map(|q| q.event.id).collect();
    let numbers = |id: CaseId| store.number_of(id);
    let mut found = compare(&ours, &theirs, &quarantined, numbers)?;
    found.partner = partner.to_string();
    (found.from, found.to, found.package_days) = (from, to, package_days);
    found.unsigned_packages = unsigned_packages(store, partner, window, package_days, now)?;
    Ok(found)
}

/// The two sides compared by event id (pure but for naming the cases this desk holds).
pub fn compare(
    ours: &[HeldHere],
    theirs: &[HeldEvent],
    quarantined: &[Uuid],
    mut number_of: impl FnMut(CaseId) -> Result<Option<String>, tongban_store::StoreError>,
) -> Result<Reconciliation, SyncError> {
    let at_hub: HashMap<Uuid, &HeldEvent> = theirs.iter().map(|e| (e.id, e)).collect();
    let here: HashMap<Uuid, &HeldHere> = ours.iter().map(|e| (e.id, e)).collect();
    let mut found = Reconciliation {
        partner: String::new(),
        from: NaiveDate::MIN,
        to: NaiveDate::MIN,
        matched: 0,
        only_here: Vec::new(),
        only_at_hub: Vec::new(),
        unsigned_packages: Vec::new(),
        package_days: 0,
    };
    for event in ours {
        if at_hub.contains_key(&event.id) {
            found.matched += 1;
            continue;
        }
        // A decision set aside was never the hub's: nothing to reconcile.
        if event.set_aside {
            continue;
        }
        let note = if quarantined.contains(&event.id) {
            "通办中心拒收，在隔离区等待处理"
        } else if event.waiting {
            "待推送：下次同步时送出"
        } else if event.local {
            "本机记为已送出，通办中心却没有：请联系通办中心核查"
        } else {
            "本机有而通办中心没有：请联系通办中心核查"
        };
        found.only_here.push(Difference {
            number: event.number.clone(),
            kind: event.kind,
            at: event.at,
            note: note.into(),
        });
    }
    for event in theirs {
        if here.contains_key(&event.id) {
            continue;
        }
        let (number, note) = match number_of(event.case_id)? {
            Some(number) => (number, "本机尚未拉取：下次同步时收到"),
            None => (event.case_id.to_string(), "本机没有此办件：可能是从较早的备份恢复的，同步后补回"),
        };
        found.only_at_hub.push(Difference { number, kind: event.kind, at: event.at, note: note.into() });
    }
    Ok(found)
}

/// The originals' packages mailed in the period and unsigned `days` after, as of `now`.
fn unsigned_packages(
    store: &Store,
    partner: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    days: i64,
    now: DateTime<Utc>,
) -> Result<Vec<UnsignedPackage>, SyncError> {
    let mut by_case: Vec<(String, Vec<tongban_core::case::CaseEvent>)> = Vec::new();
    for (number, event) in store.paper_events(partner)? {
        match by_case.last_mut() {
            Some((n, events)) if *n == number => events.push(event),
            _ => by_case.push((number, vec![event])),
        }
    }
    let mut out = Vec::new();
    for (number, events) in by_case {
        for package in paper::packages(&events) {
            let age = (now - package.mailed_at).num_days();
            if package.direction == Direction::Originals
                && package.signed.is_none()
                && package.mailed_at >= start
                && package.mailed_at < end
                && age >= days
            {
                out.push(UnsignedPackage {
                    number: number.clone(),
                    waybill: package.waybill,
                    mailed_at: package.mailed_at,
                    days: age,
                });
            }
        }
    }
    Ok(out)
}
