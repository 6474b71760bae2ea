//! The window of Tongban Desk. Everything it does is in `tongban_desk`; this crate only opens
//! the desk's database, hands it to the commands and starts Tauri.

mod commands;
pub mod db_path;

use commands::DeskState;

/// Opens the desk named on the command line (`--db PATH`), by `TONGBAN_DB`, or at the platform
/// default, and runs the window. A desk that cannot be opened still gets a window: the commands
/// then answer with the error and the window shows it.
pub fn run() {
    let state = DeskState::open(db_path::resolve(std::env::args().skip(1), std::env::var_os(db_path::ENV_VAR)));
    if let DeskState::Failed(e) = &state {
        eprintln!("tongban-desk: {} ({})", e.message, e.code);
    }
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::desk_info,
            commands::list_cases,
            commands::case_statuses,
            commands::print_case_form,
            commands::print_ledger
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("tongban-desk: 无法启动窗口：{e}");
        std::process::exit(1);
    }
}
