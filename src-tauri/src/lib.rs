//! The window of Tongban Desk. Everything it does is in `tongban_desk`; this crate only opens
//! the desk's database, hands it to the commands and starts Tauri.

mod commands;
pub mod db_path;
pub mod placement;

use std::sync::Arc;
use std::time::Duration;

use commands::DeskState;
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;
use tongban_desk::{AppError, DecisionNews, Desk, DeskCode, HubCode};

/// Opens the desk named on the command line (`--db PATH`), by `TONGBAN_DB`, or at the platform
/// default, and runs the window. A desk that cannot be opened still gets a window: the commands
/// then answer with the error and the window shows it.
pub fn run() {
    let state = DeskState::open(db_path::resolve(std::env::args().skip(1), std::env::var_os(db_path::ENV_VAR)));
    if let DeskState::Failed(e) = &state {
        eprintln!("tongban-desk: {} ({})", e.message, e.code);
    }
    // The desk syncs whenever the window is open; the engine's tasks end with the process, which
    // is safe at any moment (each write is one transaction, each push idempotent).
    let placement = placement::from_args(std::env::args().skip(1));
    let sync = match &state {
        DeskState::Open(desk) => Some(Arc::clone(desk)),
        DeskState::Failed(_) => None,
    };
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .setup(move |app| {
            place_window(app.handle(), placement);
            if let Some(desk) = sync {
                // The desk is named at once (from its key file); it syncs from the first login,
                // when its database opens.
                if desk.info().is_ok() {
                    name_window(app.handle(), &desk);
                }
                tauri::async_runtime::spawn(push_sync_state(app.handle().clone(), Arc::clone(&desk)));
                tauri::async_runtime::spawn(daily_backup(Arc::clone(&desk)));
                tauri::async_runtime::spawn(notify_decisions(app.handle().clone(), desk));
            }
            Ok(())
        })
        .manage(state)
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("tongban-desk: 无法启动窗口：{e}");
        std::process::exit(1);
    }
}

/// Two desks open side by side (a window and its partner's back office in the demo, or two
/// halls on one PC) are told apart in the taskbar by the desk's region and window.
/// Moves and sizes the window as the command line asked (see [`placement`]).
fn place_window(app: &AppHandle, placement: placement::Placement) {
    let Some(window) = app.get_webview_window("main") else { return };
    if let Some((width, height)) = placement.size {
        let _ = window.set_size(tauri::LogicalSize::new(width, height));
    }
    if let Some((x, y)) = placement.at {
        let _ = window.set_position(tauri::LogicalPosition::new(x, y));
    }
}

pub(crate) fn name_window(app: &AppHandle, desk: &Desk) {
    if let (Ok(info), Some(window)) = (desk.info(), app.get_webview_window("main")) {
        let _ = window.set_title(&format!("通办收件台 — {} {}", info.region_name, info.window));
    }
}

/// The event that carries the sync engine's state to the window (a `SyncOverview`): the status
/// bar shows it, and a view whose list is older than its `data_version` reads the list again.
pub const SYNC_STATE_EVENT: &str = "sync-state";

/// Pushes the status bar's overview to the window each time the engine's watch channel changes
/// (a round starts or ends with any hub), so no view polls and none goes stale after a sync. An
/// engine replaced (the hubs changed) ends its channel: the next one is taken up. Without an
/// engine (no hubs yet, a desk not set up) it looks again each second; only a changed overview
/// is sent.
async fn push_sync_state(app: AppHandle, desk: Arc<Desk>) {
    let mut last = None;
    loop {
        let mut changes = desk.sync_changes();
        loop {
            let overview = {
                let desk = Arc::clone(&desk);
                tauri::async_runtime::spawn_blocking(move || desk.sync_overview()).await
            };
            if let Ok(Ok(overview)) = overview {
                if last.as_ref() != Some(&overview) {
                    if let Err(e) = app.emit(SYNC_STATE_EVENT, &overview) {
                        eprintln!("tongban-desk: 无法通知窗口同步状态：{e}");
                    }
                    last = Some(overview);
                }
            }
            let Some(rx) = changes.as_mut() else { break };
            if rx.changed().await.is_err() {
                break;
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// How often the window looks whether the daily backup is due.
const BACKUP_CHECK_EVERY: Duration = Duration::from_secs(15 * 60);

/// The daily backup while the window is open: once a day (Beijing) to the folder an admin chose
/// (`backup.folder`), on a connection of its own, whoever is logged in or locked. A stick not
/// plugged in fails quietly here and is tried again next time; the admin sees the last backup's
/// age in the status bar and the failure in the audit log.
async fn daily_backup(desk: Arc<Desk>) {
    loop {
        tokio::time::sleep(BACKUP_CHECK_EVERY).await;
        let outcome = {
            let desk = Arc::clone(&desk);
            tauri::async_runtime::spawn_blocking(move || desk.back_up_if_due()).await
        };
        if let Ok(Err(e)) = outcome {
            if e.code != DeskCode::DeskNotInitialized && e.code != DeskCode::NotLoggedIn {
                eprintln!("tongban-desk: 自动备份未完成：{} ({})", e.message, e.code);
            }
        }
    }
}

/// How often the shell asks the desk what arrived: a round's pulled pages land within moments of
/// each other, so one look gathers a round into one notification.
const NOTIFY_EVERY: Duration = Duration::from_secs(2);

/// Asks the desk which partners' decisions arrived since the last look (at first: since the
/// window opened) and shows one desktop notification summarising them. The desk keeps the
/// cursor's meaning; the shell only notifies.
async fn notify_decisions(app: AppHandle, desk: Arc<Desk>) {
    let mut cursor = None;
    loop {
        match decisions_since(&desk, cursor).await {
            Ok(news) => {
                cursor = Some(news.cursor);
                if !news.decisions.is_empty() {
                    if let Err(e) = app.notification().builder().title(news.title).body(news.body).show() {
                        eprintln!("tongban-desk: 无法显示桌面通知：{e}");
                    }
                }
            }
            Err(e) => report(&e),
        }
        tokio::time::sleep(NOTIFY_EVERY).await;
    }
}

/// A desk on its first-run or login screen has no decisions to read yet: only other failures are
/// worth a line.
fn report(e: &AppError) {
    if e.code != DeskCode::DeskNotInitialized && e.code != DeskCode::NotLoggedIn {
        eprintln!("tongban-desk: 无法读取办理地决定：{} ({})", e.message, e.code);
    }
}

async fn decisions_since(desk: &Arc<Desk>, after: Option<i64>) -> Result<DecisionNews, AppError> {
    let desk = Arc::clone(desk);
    tauri::async_runtime::spawn_blocking(move || desk.decisions_since(after))
        .await
        .map_err(|e| AppError::new(HubCode::Internal, format!("内部错误：{e}")))?
}
