//! The demo desk for the store's benchmarks, made from `tongban-fixtures` (the store sits below
//! the desk crate, whose `demo` makes the same desk for the window).

#![allow(dead_code)]

use std::path::Path;

use chrono::Utc;
use tongban_fixtures::{
    DEMO_CLERK, DEMO_CLERK_NAME, DEMO_DESK_CODE, DEMO_HALL, DEMO_PASSWORD, DEMO_REGION, DEMO_WINDOW,
};
use tongban_store::{DeskSetup, Store, User};

/// 新野县's 跨省通办专窗, its clerk first.
pub fn demo_setup() -> DeskSetup {
    let clerk = User { login: DEMO_CLERK.into(), display_name: DEMO_CLERK_NAME.into(), role: "clerk".into() };
    let (region, hall, window_name, desk_code) =
        (DEMO_REGION.into(), DEMO_HALL.into(), DEMO_WINDOW.into(), DEMO_DESK_CODE.into());
    DeskSetup { region, hall, window_name, desk_code, first_user: clerk }
}

/// Sets the demo desk up in `store`, its clerk with the demo password, unless it has a desk.
pub fn ensure_demo_desk(store: &mut Store) {
    if store.desk().expect("read the desk").is_none() {
        store.init_desk_with(&demo_setup(), Some(DEMO_PASSWORD), &[], Utc::now()).expect("set the desk up");
    }
}

/// The SQLCipher-encrypted demo desk at `path`, made if missing, opened as its clerk.
pub fn open_encrypted(path: &Path) -> Store {
    if path.exists() {
        return Store::unlock(path, DEMO_CLERK, DEMO_PASSWORD, Utc::now()).expect("unlock the demo desk");
    }
    let mut store = Store::create(path).expect("create the demo desk");
    ensure_demo_desk(&mut store);
    store
}
