//! Every command the window calls, declared once. [`window_commands!`] holds the table: a
//! command's name, its arguments and answer, a line for the reader, and the one call on [`Desk`]
//! it is. The shell (`src-tauri/src/commands.rs`) expands the table into its Tauri commands and
//! their handler; [`typescript`] expands it into `ui/src/bindings/commands.ts`, the window's typed
//! calls, which the bindings test keeps in step. So a new command is a line here and its caller
//! in Vue, nothing else.
//!
//! No well-kept generator fits both halves: tauri-specta needs specta's derive on every type the
//! desk already exports with ts-rs (and is a release candidate); a table of our own, expanded by a
//! callback macro, keeps ts-rs for the types and adds no dependency.
//!
//! Three commands are written by hand in the shell and in `ui/src/backend.ts` because they need
//! what only the shell has: `attach_scan` (the scan's bytes as the raw request body),
//! `back_up_now` (progress events to the window) and `set_up_desk` (renames the window).

use std::collections::BTreeMap;
use std::fmt::Write;

use ts_rs::{Config, TypeVisitor, TS};

/// The table of the window's commands, handed to the macro named `$then`:
/// `$then! { [extra…] desk { … } stateless { … } }`. `desk` commands run on the open desk on a
/// blocking thread and answer `Result<T, AppError>`; `stateless` ones need no database (the
/// first-run screen uses them before one exists) and answer `T`. Whatever follows `$then,` is
/// passed through in the brackets (the shell names its hand-written commands there).
#[macro_export]
macro_rules! window_commands {
    ($then:ident $(, $($extra:tt)*)?) => {
        $then! {
            [$($($extra)*)?]
            desk {
                /// The desk's identity, hall and partners (the title bar, the first screens).
                desk_info() -> $crate::DeskInfo = |d| d.info();
                list_cases(query: $crate::CaseQuery) -> $crate::CasePage = |d| d.list_cases(&query);
                /// Prints a case's form (by 办件编号): saved, recorded, then opened or sent to the printer.
                print_case_form(form: $crate::FormKind, number: String, then: $crate::AfterPrint) -> $crate::PrintOutcome
                    = |d| d.print_case_form(form, &number, then);
                print_ledger(query: $crate::LedgerQuery, then: $crate::AfterPrint) -> $crate::PrintOutcome
                    = |d| d.print_ledger(&query, then);
                /// The ledger as an .xlsx in the documents folder: a copy for Excel, not recorded as a print.
                export_ledger_xlsx(query: $crate::LedgerQuery) -> $crate::LedgerExport
                    = |d| d.export_ledger_xlsx(&query, None);
                /// Every item and 一件事 of every partner's current catalog, for the intake's picker.
                item_choices() -> Vec<$crate::ItemChoice> = |d| d.item_choices();
                /// The materials, terms and liaisons of one item (or 一件事) of a partner's catalog.
                item_details(partner: String, code: String) -> $crate::ItemDetails = |d| d.item_details(&partner, &code);
                /// Takes an intake in: saves the case and says what is missing.
                take_in(draft: $crate::CatalogIntake) -> $crate::TakenIn = |d| d.take_in(&draft);
                /// Every hub's sync state, what waits for no hub, unread catalog changes (for the status bar).
                sync_overview() -> $crate::SyncOverview = |d| d.sync_overview();
                /// Starts a round with every hub now (the engine's tasks run it; the status bar shows it).
                sync_now() -> () = |d| d.sync_now();
                /// Marks the catalog changes up to this id as read.
                acknowledge_catalog_news(up_to: i64) -> () = |d| d.acknowledge_catalog_news(up_to);
                /// The supervisor's view: the ledger of some days on screen, its counts, the overdue list.
                supervision(query: $crate::LedgerQuery) -> $crate::SupervisionReport = |d| d.supervision(&query);
                /// 受理率, 按时办结率, 超期件数, 平均办理用时 of the same cases, in all and by item, partner, clerk.
                supervision_rates(query: $crate::LedgerQuery) -> $crate::RateReport = |d| d.supervision_rates(&query);
                /// 对账 with a partner's hub for the days `from` to `to` (over the network): what each side
                /// holds that the other does not, and the originals' packages unsigned `package_days` after mailing.
                reconcile(partner: String, from: String, to: String, package_days: u32) -> $crate::ReconciliationView
                    = |d| d.reconciliation_view(&partner, &from, &to, package_days);
                /// The same 对账 as an .xlsx 对账单 in the documents folder (audited as an export).
                export_reconciliation_xlsx(partner: String, from: String, to: String, package_days: u32) -> $crate::LedgerExport
                    = |d| d.export_reconciliation_to(&partner, &from, &to, package_days, None);
                /// 对账单 as a PDF, opened in the viewer to print and sign.
                print_reconciliation(partner: String, from: String, to: String, package_days: u32) -> $crate::PrintOutcome
                    = |d| d.print_reconciliation(&partner, &from, &to, package_days);
                /// Every partner: hub, catalog, sync state.
                partners() -> Vec<$crate::PartnerView> = |d| d.partners();
                /// Adds or changes a partner's hub (sync restarts with it); answers the partners as now.
                save_partner(form: $crate::PartnerForm) -> Vec<$crate::PartnerView> = |d| d.save_partner(&form);
                /// An admin lets intakes for a partner go on for a day past the offline limit, with a reason.
                lift_offline_limit(region: String, reason: String) -> $crate::OfflineNotice
                    = |d| d.lift_offline_limit(&region, &reason);
                /// An applicant this desk took a case in for before (by 证件号码 or 信用代码), as last given.
                returning_applicant(id_number: String) -> Option<$crate::ReturningApplicant>
                    = |d| d.returning_applicant(&id_number);
                /// One case with its materials, history, prints and the actions its status allows.
                case_detail(number: String) -> $crate::CaseDetail = |d| d.case_detail(&number);
                /// The whole 证件号码 of the case's applicant or agent.
                reveal_id_number(number: String, party: $crate::Party) -> String = |d| d.reveal_id_number(&number, party);
                /// 补正收件: records the materials brought now and prints the receipt (or a new notice).
                complete_case(number: String, completion: $crate::Completion) -> $crate::Completed
                    = |d| d.complete_case(&number, &completion);
                /// 结果已送达; answers the case's new status.
                record_delivery(number: String, record: $crate::DeliveryRecord) -> $crate::CaseStatus
                    = |d| d.record_delivery(&number, &record);
                /// What 寄出原件 starts from: the paper of the case's received materials, the carriers.
                mailing_draft(number: String) -> $crate::MailingDraft = |d| d.mailing_draft(&number);
                /// 寄出原件: a package of the case's paper mailed to the handling region.
                mail_originals(number: String, mailing: $crate::Mailing) -> $crate::PaperRecorded
                    = |d| d.mail_originals(&number, &mailing);
                /// 签收原件 (the handling region's back office): a package arrived, with what it lacked.
                sign_originals(number: String, signing: $crate::OriginalsSigning) -> $crate::PaperRecorded
                    = |d| d.sign_originals(&number, &signing);
                /// 签收结果: the result the handling region mailed arrived at the hall.
                sign_result(number: String, note: String) -> $crate::PaperRecorded = |d| d.sign_result(&number, &note);
                /// Opens a kept scan in the system viewer.
                open_scan(sha256: String) -> String = |d| d.open_scan(&sha256);
                /// Opens the PDF kept for one print of a case's form.
                open_print(number: String, print_id: i64) -> String = |d| d.open_print(&number, print_id);
                /// The scanner's output folder and its newest scans.
                scanner_folder() -> $crate::ScannerFolder = |d| d.scanner_folder();
                /// Names the scanner's output folder (empty forgets it).
                set_scanner_folder(folder: String) -> $crate::ScannerFolder = |d| d.set_scanner_folder(&folder);
                /// Keeps one file of the scanner's folder as a scan.
                attach_scanner_file(name: String) -> $crate::ScanView = |d| d.attach_scanner_file(&name);
                /// The login screen's facts: the idle lock, and the demo desk's accounts.
                login_info() -> $crate::LoginInfo = |d| d.login_info();
                /// 从备份恢复 on a PC with no desk yet (the first-run screen), then the login screen.
                restore_desk(form: $crate::RestoreForm) -> $crate::RestoreOutcome = |d| d.restore_here(&form);
                /// Logs in; wrong password and unknown login both reject with 用户名或密码错误. The first
                /// login opens the database and starts the sync (which goes on while the window is
                /// locked or another user logs in).
                log_in(login: String, password: String) -> $crate::SessionView = |d| d.log_in_and_sync(&login, &password);
                /// Ends the session (切换用户).
                log_out() -> () = |d| {
                    d.log_out();
                    Ok(())
                };
                lock() -> $crate::SessionView = |d| d.lock();
                /// Unlocks with the logged-in user's password.
                unlock(password: String) -> $crate::SessionView = |d| d.unlock(&password);
                /// Who is logged in, or null.
                session() -> Option<$crate::SessionView> = |d| Ok(d.session());
                change_password(current: String, password: String, password_again: String) -> ()
                    = |d| d.change_password(&current, &password, &password_again);
                /// Every user (admin only).
                accounts() -> Vec<$crate::AccountView> = |d| d.accounts();
                add_account(account: $crate::NewAccount) -> Vec<$crate::AccountView> = |d| d.add_account(&account);
                reset_password(login: String, password: String, password_again: String) -> ()
                    = |d| d.reset_password(&login, &password, &password_again);
                disable_account(login: String) -> Vec<$crate::AccountView> = |d| d.disable_account(&login);
                /// The back office's inbox: cases this region handles that partner windows took in.
                inbox(query: $crate::InboxQuery) -> $crate::InboxPage = |d| d.inbox(&query);
                /// The decisions a case's status allows now, and its materials (for 需补正).
                decision_choices(number: String) -> $crate::DecisionChoices = |d| d.decision_choices(&number);
                /// Records a decision; a field left out comes back as a BackendError with `field`.
                record_decision(number: String, draft: $crate::DecisionDraft) -> $crate::Decided
                    = |d| d.record_decision(&number, &draft);
                /// Partners' decisions that arrived after `after` (null: none, just the cursor to start from).
                decisions_since(after: Option<i64>) -> $crate::DecisionNews = |d| d.decisions_since(after);
                /// Events the sync holds back, with the reason and what to do.
                quarantine() -> Vec<$crate::QuarantineRow> = |d| d.quarantine();
                /// 重新提交 a quarantined event once its cause is fixed.
                resubmit_quarantined(event_id: String) -> () = |d| d.resubmit_quarantined(&event_id);
                /// 放弃 a quarantined event (admins only), with the reason kept with it.
                discard_quarantined(event_id: String, reason: String) -> ()
                    = |d| d.discard_quarantined(&event_id, &reason);
                /// The recovery key while it is still to be handed out (after set-up, or to an admin); else null.
                recovery_key() -> Option<$crate::RecoveryKeyView> = |d| d.recovery_key();
                /// Prints the recovery sheet and opens it in the viewer.
                print_recovery_sheet() -> $crate::PrintOutcome = |d| d.print_recovery_sheet();
                /// The recovery key is kept in the safe: it is never shown again.
                confirm_recovery_kept() -> () = |d| d.confirm_recovery_kept();
                /// 忘记管理员密码: the recovery key gives an admin a new password.
                recover_admin(recovery_key: String, login: String, password: String, password_again: String) -> ()
                    = |d| d.recover_admin(&recovery_key, &login, &password, &password_again);
                /// The audit log (supervisors): newest first, filtered.
                audit_log(query: $crate::AuditQuery) -> $crate::AuditPage = |d| d.audit_log(&query);
                print_audit_log(query: $crate::AuditQuery, then: $crate::AfterPrint) -> $crate::PrintOutcome
                    = |d| d.print_audit_log(&query, then);
                /// Exports the filtered audit log as CSV into the documents folder; answers the file's path.
                export_audit_log(query: $crate::AuditQuery) -> String = |d| d.export_audit_log(&query, None);
                /// The 备份 dialog (admins): the last backup, the daily backup's settings, the warning.
                backup_view() -> $crate::BackupView = |d| d.backup_view();
                save_backup_settings(settings: $crate::BackupSettings) -> $crate::BackupView
                    = |d| d.save_backup_settings(&settings);
            }
            stateless {
                case_statuses() -> Vec<$crate::StatusOption> = $crate::Desk::case_statuses();
                /// Checks one typed value (证件号码, 统一社会信用代码, 电话) as the clerk types.
                check_field(kind: $crate::FieldKind, id_kind: Option<$crate::IdKind>, value: String) -> $crate::FieldCheck
                    = $crate::Desk::check_field(kind, id_kind, &value, $crate::today());
                roles() -> Vec<$crate::RoleOption> = $crate::Desk::roles();
                /// Regions whose code or name starts with the query, with full names (the region pickers).
                regions(query: String) -> Vec<$crate::RegionChoice> = $crate::Desk::regions(&query);
                setup_defaults() -> $crate::SetupDefaults = $crate::Desk::setup_defaults();
            }
        }
    };
}

/// Expands the table into the TypeScript of `ui/src/bindings/commands.ts`.
macro_rules! typescript_of {
    (
        [$($extra:tt)*]
        desk { $( $(#[doc = $doc:literal])* $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty = |$d:ident| $body:expr; )* }
        stateless { $( $(#[doc = $sdoc:literal])* $sname:ident ( $($sarg:ident : $sty:ty),* ) -> $sret:ty = $sbody:expr; )* }
    ) => {{
        let mut out = Typescript::default();
        let mut types = BTreeMap::new();
        $( out.command(stringify!($name), &[$($doc),*], &[$((stringify!($arg), ts::<$ty>(&mut types))),*], ts::<$ret>(&mut types)); )*
        $( out.command(stringify!($sname), &[$($sdoc),*], &[$((stringify!($sarg), ts::<$sty>(&mut types))),*], ts::<$sret>(&mut types)); )*
        out.types = types;
        out
    }};
}

/// `ui/src/bindings/commands.ts`: the `Commands` interface (each command as a typed method, its
/// line from the table as the doc) and `commands(call)`, which makes each method one call.
pub fn typescript() -> String {
    window_commands!(typescript_of).finish()
}

/// Writes the TypeScript type of everything a command takes or answers (and of what those name)
/// where `cfg` says, so a type a new command uses needs no line of its own in the bindings test.
pub fn export_types(cfg: &Config) -> Result<(), ts_rs::ExportError> {
    let table = window_commands!(typescript_of);
    table.types.values().try_for_each(|export| export(cfg))
}

/// A type's `TS::export_all`.
type Export = fn(&Config) -> Result<(), ts_rs::ExportError>;

#[derive(Default)]
struct Typescript {
    /// The exported types the commands name, by their TypeScript name.
    types: BTreeMap<String, Export>,
    interface: String,
    calls: String,
}

impl Typescript {
    fn command(&mut self, name: &str, doc: &[&str], args: &[(&str, String)], answer: String) {
        let method = camel(name);
        let doc: Vec<&str> = doc.iter().map(|l| l.trim()).collect();
        if !doc.is_empty() {
            let _ = writeln!(self.interface, "  /** {} */", doc.join("\n   * "));
        }
        let params: Vec<String> = args.iter().map(|(a, ty)| format!("{}: {ty}", camel(a))).collect();
        let _ = writeln!(self.interface, "  {method}({}): Promise<{answer}>;", params.join(", "));
        let names: Vec<String> = args.iter().map(|(a, _)| camel(a)).collect();
        // Tauri hands `{ printId }` to the command's `print_id`.
        let payload = if names.is_empty() { String::new() } else { format!(", {{ {} }}", names.join(", ")) };
        let _ = writeln!(self.calls, "    {method}: ({}) => call<{answer}>(\"{name}\"{payload}),", names.join(", "));
    }

    fn finish(self) -> String {
        let mut out = String::from(
            "// Generated by crates/tongban-desk/tests/bindings.rs from the table of the window's commands\n\
             // (crates/tongban-desk/src/commands.rs). Do not edit this file manually.\n",
        );
        for ty in self.types.keys() {
            let _ = writeln!(out, "import type {{ {ty} }} from \"./{ty}\";");
        }
        out.push_str(
            "\n/** How a command is called: Tauri's `invoke`, its rejection already made a `BackendError`. */\n\
             export type Call = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;\n\
             \n/** The window's commands, one method each (see crates/tongban-desk/src/commands.rs). */\n\
             export interface Commands {\n",
        );
        out.push_str(&self.interface);
        out.push_str(
            "}\n\n/** Each command as one `call`. */\nexport function commands(call: Call): Commands {\n  return {\n",
        );
        out.push_str(&self.calls);
        out.push_str("  };\n}\n");
        out
    }
}

/// The TypeScript of one argument's or answer's type, noting the exported types it names.
fn ts<T: TS + 'static>(types: &mut BTreeMap<String, Export>) -> String {
    struct Named<'a>(&'a Config, &'a mut BTreeMap<String, Export>);
    impl TypeVisitor for Named<'_> {
        fn visit<T: TS + 'static + ?Sized>(&mut self) {
            if T::output_path().is_some() {
                self.1.insert(T::ident(self.0), T::export_all);
            }
            T::visit_generics(self);
        }
    }
    // The desk's numbers (cursors, ids) are far below 2^53: `number`, as in the exported types.
    let cfg = Config::new().with_large_int("number");
    Named(&cfg, types).visit::<T>();
    match T::name(&cfg).as_str() {
        "null" => "void".to_string(),
        name => name.to_string(),
    }
}

/// `print_case_form` → `printCaseForm`.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
