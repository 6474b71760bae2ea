//! 对账 with one partner: for a period, what this desk holds of the cases it shares with the
//! partner and what the partner's hub holds of them, each side from its own records (the hub's
//! over `GET /v1/reconciliation`, page by page), compared event by event; and the originals'
//! packages mailed that nobody signed for within the days allowed.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use tongban_core::case::{CaseId, EventKind};
use tongban_core::paper::{self, Direction};
use tongban_store::{HeldHere, ReconciliationRecord, Store, StoreError};
use tongban_wire::events::{reconciliation_window, HeldEvent, RECONCILIATION_LIMIT_DEFAULT};
use uuid::Uuid;

use crate::client::HubClient;
use crate::{SyncError, SyncSettings};

/// The most events one 对账 reads from a hub (a year of a busy back office is far below).
pub const MAX_HELD_EVENTS: usize = 2_000_000;

/// The days a package of originals may go unsigned before a 对账 lists it.
pub const PACKAGE_DAYS: i64 = 7;

/// One side's event the other side does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// 办件编号, or the case's id when this desk does not hold the case.
    pub number: String,
    pub kind: EventKind,
    pub at: DateTime<Utc>,
    /// Why, as far as this desk can tell: 待推送, 被通办中心拒收（隔离）, 本机尚未拉取 ….
    pub note: String,
    /// No sync explains it (sent and acknowledged, yet not at the hub): someone has to look.
    pub trouble: bool,
}

/// A package of originals mailed and not signed for within the days allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedPackage {
    pub number: String,
    pub waybill: String,
    pub mailed_at: DateTime<Utc>,
    pub days: i64,
}

/// The two sides of a period, event by event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Events both sides hold.
    pub matched: usize,
    pub only_here: Vec<Difference>,
    pub only_at_hub: Vec<Difference>,
}

/// What one 对账 found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub partner: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub compared: Comparison,
    pub unsigned_packages: Vec<UnsignedPackage>,
    /// The days a package may go unsigned before it is listed.
    pub package_days: i64,
}

impl Reconciliation {
    /// Nothing differs and no package is overdue.
    pub fn is_clean(&self) -> bool {
        self.compared.only_here.is_empty() && self.compared.only_at_hub.is_empty() && self.unsigned_packages.is_empty()
    }

    /// The differences no sync explains.
    pub fn troubles(&self) -> usize {
        self.compared.only_here.iter().chain(&self.compared.only_at_hub).filter(|d| d.trouble).count()
    }
}

/// This desk's side of a period, read before the hub's: an event pushed while the hub's side is
/// read is then "待推送" here and held there (matched), never "sent but missing".
pub struct HeldHereSide {
    events: Vec<HeldHere>,
    quarantined: Vec<Uuid>,
}

/// Reads this desk's side of the days `from` to `to` with `partner`.
pub fn read_here(store: &Store, partner: &str, from: NaiveDate, to: NaiveDate) -> Result<HeldHereSide, StoreError> {
    let (start, end) = period(from, to)?;
    let events = store.reconciliation_events(partner, start, end)?;
    let quarantined =
        store.quarantined()?.into_iter().filter(|q| q.hub_region == partner).map(|q| q.event.id).collect();
    Ok(HeldHereSide { events, quarantined })
}

/// Reads the hub's side of the days `from` to `to`, page by page, at most `max_events` (a 对账
/// asks for [`MAX_HELD_EVENTS`]).
pub async fn read_at_hub(
    client: &HubClient,
    url: &str,
    (from, to): (NaiveDate, NaiveDate),
    max_events: usize,
) -> Result<Vec<HeldEvent>, SyncError> {
    period(from, to)?;
    let mut theirs = Vec::new();
    let mut since = 0;
    loop {
        let page = client.reconciliation(from, to, since, RECONCILIATION_LIMIT_DEFAULT).await?;
        since = page.next_cursor;
        theirs.extend(page.events);
        // A hub that never stops answering "more" must not fill the desk's memory.
        if theirs.len() > max_events {
            return Err(SyncError::Garbled {
                url: url.to_string(),
                what: format!("对账结果超过 {max_events} 个事件，请缩短对账期间"),
            });
        }
        if !page.has_more {
            return Ok(theirs);
        }
    }
}

/// Compares the two sides, lists the packages unsigned `package_days` after mailing (as of
/// `now`), and keeps what was found as the last 对账 with `partner` (the status bar's news).
#[allow(clippy::too_many_arguments)] // one 对账's period and both sides, each named
pub fn conclude(
    store: &Store,
    partner: &str,
    from: NaiveDate,
    to: NaiveDate,
    here: &HeldHereSide,
    theirs: &[HeldEvent],
    package_days: i64,
    now: DateTime<Utc>,
) -> Result<Reconciliation, StoreError> {
    let compared = compare(&here.events, theirs, &here.quarantined, |id| store.number_of(id))?;
    let unsigned_packages = unsigned_packages(store, partner, period(from, to)?, package_days, now)?;
    let found = Reconciliation { partner: partner.to_string(), from, to, compared, unsigned_packages, package_days };
    store.record_reconciliation(&ReconciliationRecord {
        hub_region: partner.to_string(),
        checked_at: now,
        from,
        to,
        matched: found.compared.matched as u64,
        troubles: found.troubles() as u64,
        packages: found.unsigned_packages.len() as u64,
        package_days,
    })?;
    Ok(found)
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
    let here = read_here(store, partner, from, to)?;
    let entry = store.hub(partner)?;
    let client = HubClient::for_hub(&entry, settings)?;
    let theirs = read_at_hub(&client, &entry.url, (from, to), MAX_HELD_EVENTS).await?;
    Ok(conclude(store, partner, from, to, &here, &theirs, package_days, now)?)
}

/// The instants of a period of Beijing days, or why it cannot be one.
fn period(from: NaiveDate, to: NaiveDate) -> Result<(DateTime<Utc>, DateTime<Utc>), StoreError> {
    reconciliation_window(from, to)
        .map_err(|why| tongban_core::validate::ValidationError::new(why).at("to", "对账期间").into())
}

/// The two sides compared by event id (pure but for naming the cases this desk holds).
pub fn compare(
    ours: &[HeldHere],
    theirs: &[HeldEvent],
    quarantined: &[Uuid],
    mut number_of: impl FnMut(CaseId) -> Result<Option<String>, StoreError>,
) -> Result<Comparison, StoreError> {
    let at_hub: HashMap<Uuid, &HeldEvent> = theirs.iter().map(|e| (e.id, e)).collect();
    let here: HashMap<Uuid, &HeldHere> = ours.iter().map(|e| (e.id, e)).collect();
    let mut found = Comparison::default();
    for event in ours {
        if at_hub.contains_key(&event.id) {
            found.matched += 1;
            continue;
        }
        // A decision set aside was never the hub's: nothing to reconcile.
        if event.set_aside {
            continue;
        }
        let (note, trouble) = if quarantined.contains(&event.id) {
            ("通办中心拒收，在隔离区等待处理", false)
        } else if event.waiting {
            ("待推送：下次同步时送出", false)
        } else if event.local {
            ("本机记为已送出，通办中心却没有：请联系通办中心核查", true)
        } else {
            ("本机有而通办中心没有：请联系通办中心核查", true)
        };
        found.only_here.push(Difference {
            number: event.number.clone(),
            kind: event.kind,
            at: event.at,
            note: note.into(),
            trouble,
        });
    }
    for event in theirs {
        if here.contains_key(&event.id) {
            continue;
        }
        // What the hub holds and this desk not yet comes with a pull (a case the hub let in
        // after this desk's side was read, one an older backup lacked): news only when a pull
        // refuses it, which the quarantine shows.
        let (number, note) = match number_of(event.case_id)? {
            Some(number) => (number, "本机尚未拉取：下次同步时收到"),
            None => (event.case_id.to_string(), "本机没有此办件：可能是从较早的备份恢复的，同步后补回"),
        };
        found.only_at_hub.push(Difference {
            number,
            kind: event.kind,
            at: event.at,
            note: note.into(),
            trouble: false,
        });
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
) -> Result<Vec<UnsignedPackage>, StoreError> {
    let mut by_case: Vec<(String, Vec<tongban_core::case::CaseEvent>)> = Vec::new();
    for (number, event) in store.paper_events(partner, start, end)? {
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
