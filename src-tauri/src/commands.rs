//! The window's commands. Those that only call the desk are declared once, in the table of
//! `tongban_desk::commands` (which also generates their TypeScript calls); [`tauri_commands!`]
//! expands it here into Tauri commands, each running its call on a blocking thread so the window
//! never waits on SQLite, answering its value or its `AppError` ({code, message}, shown to the
//! clerk as is). Below it, the three that need the shell itself.

use std::path::PathBuf;
use std::sync::Arc;

use tauri::State;
use tongban_desk::Desk;
use tongban_desk::{AppError, BackupResult, DeskInfo, DeskSetupForm, ScanView};
use tongban_desk::{DeskCode, HubCode};

/// The desk the window works on, or why it could not be opened.
pub enum DeskState {
    Open(Arc<Desk>),
    Failed(AppError),
}

impl DeskState {
    pub fn open(path: Result<PathBuf, AppError>) -> DeskState {
        match path.and_then(|p| {
            Desk::open_window(&p)
                .map_err(|e| AppError::new(e.code, format!("无法打开受理台数据库 {}：{}", p.display(), e.message)))
        }) {
            Ok(desk) => DeskState::Open(Arc::new(desk)),
            Err(e) => DeskState::Failed(e),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Desk) -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        let desk = match self {
            DeskState::Open(desk) => Arc::clone(desk),
            DeskState::Failed(e) => return Err(e.clone()),
        };
        tauri::async_runtime::spawn_blocking(move || f(&desk))
            .await
            .map_err(|e| AppError::new(HubCode::Internal, format!("内部错误：{e}")))?
    }
}

/// The table's commands as Tauri commands, and [`handler`] over them and the hand-written ones
/// named in the brackets.
macro_rules! tauri_commands {
    (
        [$($custom:ident),*]
        desk { $( $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty = |$d:ident| $body:expr; )* }
        stateless { $( $(#[doc = $sdoc:literal])* $sname:ident ( $($sarg:ident : $sty:ty),* ) -> $sret:ty = $sbody:expr; )* }
    ) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            async fn $name(desk: State<'_, DeskState>, $($arg: $ty),*) -> Result<$ret, AppError> {
                desk.run(move |$d| $body).await
            }
        )*
        $(
            $(#[doc = $sdoc])*
            #[tauri::command]
            fn $sname($($sarg: $sty),*) -> $sret {
                $sbody
            }
        )*
        /// Every command the window may call.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name,)* $($sname,)* $($custom),*]
        }
    };
}

tongban_desk::window_commands!(tauri_commands, attach_scan, set_up_desk, back_up_now);

/// A scan from the window's file picker: the bytes are the request body (not a JSON array of
/// numbers), the file name is URI-encoded in the `file-name` header.
#[tauri::command]
async fn attach_scan(desk: State<'_, DeskState>, request: tauri::ipc::Request<'_>) -> Result<ScanView, AppError> {
    let tauri::ipc::InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(DeskCode::InvalidInput, "扫描件须以文件内容发送"));
    };
    let name = request
        .headers()
        .get("file-name")
        .and_then(|v| v.to_str().ok())
        .map(|v| percent_encoding::percent_decode_str(v).decode_utf8_lossy().to_string())
        .unwrap_or_default();
    let bytes = bytes.clone();
    desk.run(move |d| d.attach_scan(&name, &bytes)).await
}

#[tauri::command]
async fn set_up_desk(
    app: tauri::AppHandle,
    desk: State<'_, DeskState>,
    form: DeskSetupForm,
) -> Result<DeskInfo, AppError> {
    // The window opened on a desk not set up: once it is, it is named as at start (it syncs
    // once someone logs in).
    desk.run(move |d| {
        let info = d.set_up(&form)?;
        crate::name_window(&app, d);
        Ok(info)
    })
    .await
}

/// The event a running backup reports its progress with (a `BackupStep`).
pub const BACKUP_PROGRESS_EVENT: &str = "backup-progress";

#[tauri::command]
async fn back_up_now(
    app: tauri::AppHandle,
    desk: State<'_, DeskState>,
    folder: Option<String>,
) -> Result<BackupResult, AppError> {
    use tauri::Emitter;
    desk.run(move |d| {
        d.back_up_now(folder.as_deref(), |step| {
            let _ = app.emit(BACKUP_PROGRESS_EVENT, &step);
        })
    })
    .await
}
