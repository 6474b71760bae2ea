//! The demo desk: 新野县 (411329) taking in cases for 北京市丰台区 (110106) and two other
//! partners. The README's run command, the end-to-end test and the benchmarks all start from it,
//! so what a newcomer sees is what the tests check.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use tongban_core::case::{CaseEvent, CaseId, EventBody};
// The sample data itself is pure and lives in `tongban-fixtures`; re-exported so the demo's
// callers keep one import.
use tongban_fixtures::{demo_partner, partner_history};
pub use tongban_fixtures::{
    sample_credit_code, sample_form, sample_id_number, sample_name, DEMO_CLERK, DEMO_PASSWORD, DEMO_REGION, DEMO_USERS,
    SAMPLE_CATALOG,
};
use tongban_store::{DeskSetup, Store, StoreError, User};

use crate::AppError;

/// A case the demo created, for tests to look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededCase {
    pub number: String,
    pub applicant_name: String,
}

/// Whether the sample cases come with the partner's decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerHistory {
    /// Some cases already accepted, in progress or concluded by 丰台区, as if synced long ago: a
    /// queue with every status, for a desk without a partner's hub (the stories, the screenshots).
    Invented,
    /// Only what this desk did: every case waits for the partner, whose real back office (the
    /// demo hub's) decides it. What `./dev run` seeds, so the desk never shows a decision the
    /// partner did not make.
    None,
}

/// Opens (or creates) the database at `path`, sets up the demo desk if it has none, and adds
/// `cases` sample cases spread over the last days, some already decided by the partner.
pub fn seed(path: &Path, cases: usize) -> Result<Vec<SeededCase>, AppError> {
    seed_with(path, cases, PartnerHistory::Invented)
}

/// [`seed`], with or without the partner's decisions.
pub fn seed_with(path: &Path, cases: usize, history: PartnerHistory) -> Result<Vec<SeededCase>, AppError> {
    let mut store = open(path)?;
    install_sample_catalog(&mut store)?;
    let now = Utc::now();
    let mut seeded = Vec::with_capacity(cases);
    for i in 0..cases {
        let at = now - Duration::minutes(((cases - i) * 37) as i64);
        let form = sample_form(i);
        let (id, number) = store.create_case(&form, DEMO_CLERK, at)?;
        if history == PartnerHistory::Invented {
            advance(&mut store, id, i, at)?;
        }
        seeded.push(SeededCase { number: number.to_string(), applicant_name: form.applicant.name().to_string() });
    }
    Ok(seeded)
}

/// Gives the desk the sample catalog of 丰台区, unless it already holds one for that region.
pub fn install_sample_catalog(store: &mut Store) -> Result<(), StoreError> {
    let catalog: tongban_core::catalog::Catalog = serde_json::from_str(SAMPLE_CATALOG)?;
    if store.current_catalog(&catalog.region)?.is_none() {
        store.install_catalog(&catalog, tongban_store::CatalogSource::File, None, Utc::now())?;
    }
    Ok(())
}

/// The demo desk's setup: 新野县's 跨省通办专窗, its clerk first.
pub fn demo_setup() -> DeskSetup {
    DeskSetup {
        region: DEMO_REGION.into(),
        hall: tongban_fixtures::DEMO_HALL.into(),
        window_name: tongban_fixtures::DEMO_WINDOW.into(),
        desk_code: tongban_fixtures::DEMO_DESK_CODE.into(),
        first_user: User {
            login: DEMO_CLERK.into(),
            display_name: tongban_fixtures::DEMO_CLERK_NAME.into(),
            role: "clerk".into(),
        },
    }
}

/// Opens the demo desk at `path` as its clerk, making it (with its users, all with
/// [`DEMO_PASSWORD`]) if there is none. Another desk at `path` is refused by the password.
pub fn open(path: &Path) -> Result<Store, AppError> {
    let mut store = if tongban_store::FileKind::of(path)? == tongban_store::FileKind::Missing {
        crate::create_desk(path, &demo_setup(), DEMO_PASSWORD, &tongban_fixtures::DEMO_HALL_TEXTS)?
    } else {
        Store::unlock(path, DEMO_CLERK, DEMO_PASSWORD, Utc::now())?
    };
    ensure_desk(&mut store)?;
    Ok(store)
}

/// Gives the demo desk its users, unless the database holds another desk.
pub fn ensure_desk(store: &mut Store) -> Result<(), StoreError> {
    let desk = store.require_desk()?;
    let first = store.first_user()?.map(|u| u.login);
    let is_demo = store.window_prefs()?.demo || (desk.region == DEMO_REGION && first.as_deref() == Some(DEMO_CLERK));
    if is_demo {
        ensure_demo_users(store)?;
    }
    Ok(())
}

/// Gives the demo desk its users, sets every demo user's password to [`DEMO_PASSWORD`] when
/// they have none, and marks the desk as the demo (the login screen then shows the accounts).
fn ensure_demo_users(store: &mut Store) -> Result<(), StoreError> {
    let now = Utc::now();
    let accounts = store.accounts()?;
    for (login, name, role) in DEMO_USERS {
        if !accounts.iter().any(|a| a.user.login == login) {
            let user = User { login: login.into(), display_name: name.into(), role: role.into() };
            store.add_user(&user, Some(DEMO_PASSWORD), now)?;
        }
    }
    for account in accounts.iter().filter(|a| !a.has_password) {
        store.set_password(&account.user.login, DEMO_PASSWORD)?;
    }
    store.set_setting("desk.demo", "1", DEMO_CLERK, now)?;
    store.publish_demo_accounts(true)?;
    // The demo's recovery key guards nothing: it is not offered for the safe.
    store.mark_recovery_issued(DEMO_CLERK, now)?;
    Ok(())
}

/// Moves some sample cases along as the partner would, so the queue shows every kind of status.
fn advance(store: &mut Store, case: CaseId, i: usize, at: DateTime<Utc>) -> Result<(), StoreError> {
    let partner = demo_partner();
    let bodies = partner_history(i);
    if bodies.is_empty() || store.case_state(case)?.status != tongban_core::case::CaseStatus::Received {
        return Ok(());
    }
    // The partner can only have decided a case the hub received: mark the intake as synced.
    let intake = store.events_of(case)?.remove(0).event;
    store.mark_acknowledged(&[intake.id])?;
    store.append_local(&CaseEvent {
        id: uuid::Uuid::now_v7(),
        case_id: case,
        at: at + Duration::minutes(1),
        author: intake.author,
        body: EventBody::Pushed,
    })?;
    for (k, body) in bodies.into_iter().enumerate() {
        let event = CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: case,
            at: at + Duration::minutes(5 * (k as i64 + 1)),
            author: partner.clone(),
            body,
        };
        store.append_remote(&event)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeding_twice_adds_cases_to_the_same_desk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("demo.db");
        let first = seed(&path, 12).unwrap();
        let second = seed(&path, 3).unwrap();
        assert_eq!(first.len() + second.len(), 15);
        let store = open(&path).unwrap();
        assert_eq!(store.case_count().unwrap(), 15);
    }
}
