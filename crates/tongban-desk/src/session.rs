//! Who acts at the desk, and the key that opens it. Nothing of a desk can be read before
//! someone logs in: the login opens the user's key slot, whose data key opens the database. The
//! window logs a user in (and locks, unlocks, logs out, switches users: the database stays open
//! and the sync goes on, the screen does not); the CLI logs in for one command
//! ([`Desk::open_as`]). Every event and print takes its author from [`Desk::actor`], and every
//! role check is [`Desk::require`], for both.

use std::path::Path;

use chrono::Utc;
use tongban_core::code::DeskCode;
use tongban_core::region;
use tongban_store::{role_label, Account, AuditKind, FileKind, NewAuditEntry, Store, StoreError, User, ROLES};

use crate::api::{AccountView, DemoLogin, DeskInfo, LoginInfo, NewAccount, RoleOption, SessionView};
use crate::{AppError, Desk};

/// Who is logged in, if anyone.
pub(crate) type Acting = Option<Session>;

pub(crate) struct Session {
    user: User,
    locked: bool,
    via: Via,
}

/// Where a session came from, as the audit log names it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    Window,
    Cli,
}

/// What a role lets a user do. The window and the CLI ask the same question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See cases, print their forms, sync.
    Read,
    /// 收件, 补正收件, 结果送达, scans (clerk, helper, admin).
    TakeIn,
    /// 办理决定 (back office, admin).
    Decide,
    /// The ledger's counts and the audit log (supervisor, admin).
    Supervise,
    /// Users, partners, settings, catalogs, backups (admin).
    Administer,
}

fn may(role: &str, what: Permission) -> bool {
    match what {
        Permission::Read => true,
        Permission::TakeIn => matches!(role, "clerk" | "helper" | "admin"),
        Permission::Decide => matches!(role, "back_office" | "admin"),
        Permission::Supervise => matches!(role, "supervisor" | "admin"),
        Permission::Administer => role == "admin",
    }
}

fn what_label(what: Permission) -> &'static str {
    match what {
        Permission::Read => "查看办件",
        Permission::TakeIn => "收件",
        Permission::Decide => "作出办理决定",
        Permission::Supervise => "督查",
        Permission::Administer => "管理本受理台",
    }
}

fn view(session: &Session) -> SessionView {
    let role = session.user.role.as_str();
    SessionView {
        login: session.user.login.clone(),
        display_name: session.user.display_name.clone(),
        role: role.to_string(),
        role_label: role_label(role).to_string(),
        locked: session.locked,
        can_take_in: may(role, Permission::TakeIn),
        can_decide: may(role, Permission::Decide),
        can_supervise: may(role, Permission::Supervise),
        can_administer: may(role, Permission::Administer),
    }
}

fn account_view(a: Account) -> AccountView {
    AccountView {
        role_label: role_label(&a.user.role).to_string(),
        login: a.user.login,
        display_name: a.user.display_name,
        role: a.user.role,
        disabled: a.disabled,
        has_password: a.has_password,
    }
}

pub(crate) fn not_logged_in() -> AppError {
    AppError::new(DeskCode::NotLoggedIn, "请先登录")
}

fn session_locked() -> AppError {
    AppError::new(DeskCode::SessionLocked, "受理台已锁定，请先输入密码解锁")
}

/// The second typing of a password must match the first; the error sits on the second field.
pub(crate) fn same_twice(password: &str, again: &str, field: &str) -> Result<(), AppError> {
    if password != again {
        return Err(AppError {
            field: Some(field.to_string()),
            ..AppError::new(DeskCode::InvalidInput, "确认密码：两次输入的密码不一致")
        });
    }
    Ok(())
}

impl Desk {
    /// Opens a desk for the window: nothing is read until someone logs in (or sets it up).
    pub fn open_window(path: &Path) -> Result<Desk, AppError> {
        // A database whose encryption a power cut interrupted is made whole first.
        tongban_store::upgrade::recover(path)?;
        if FileKind::of(path)? == FileKind::Foreign {
            return Err(tongban_store::StoreError::NotADatabase(path.to_path_buf()).into());
        }
        Ok(Desk::closed(path))
    }

    /// Logs `login` in for one command of the CLI: the database opens with their key, and
    /// everything the command does is checked against their role and written in their name.
    pub fn open_as(path: &Path, login: &str, password: &str) -> Result<Desk, AppError> {
        let desk = Desk::closed(path);
        desk.log_in_via(login, password, Via::Cli)?;
        Ok(desk)
    }

    pub(crate) fn acting(&self) -> std::sync::MutexGuard<'_, Acting> {
        // Nothing half-done can be left in the session by a panic: every change is one assignment.
        self.acting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The login of whoever authors what the desk writes now (refused with `not_logged_in` when
    /// nobody is logged in, `session_locked` while locked). `explicit` names a user the caller
    /// claims to act for; it must be the logged-in one.
    pub(crate) fn actor(&self, explicit: Option<&str>) -> Result<String, AppError> {
        match &*self.acting() {
            Some(s) if s.locked => Err(session_locked()),
            Some(s) => match explicit {
                Some(other) if other.trim() != s.user.login => Err(AppError::new(
                    DeskCode::NotPermitted,
                    format!("当前登录的是「{}」，不能以「{}」的名义操作", s.user.display_name, other.trim()),
                )),
                _ => Ok(s.user.login.clone()),
            },
            None => Err(not_logged_in()),
        }
    }

    /// The logged-in user (for the CLI's messages).
    pub fn user(&self) -> Result<User, AppError> {
        match &*self.acting() {
            Some(s) => Ok(s.user.clone()),
            None => Err(not_logged_in()),
        }
    }

    /// Refuses when the logged-in user's role may not do `what` (or nobody is logged in, or the
    /// window is locked).
    pub fn require(&self, what: Permission) -> Result<(), AppError> {
        match &*self.acting() {
            Some(s) if s.locked => Err(session_locked()),
            Some(s) if may(&s.user.role, what) => Ok(()),
            Some(s) => Err(AppError::new(
                DeskCode::NotPermitted,
                format!("{}（{}）没有{}的权限", s.user.display_name, role_label(&s.user.role), what_label(what)),
            )),
            None => Err(not_logged_in()),
        }
    }

    pub(crate) fn permit(&self, what: Permission) -> Result<(), AppError> {
        self.require(what)
    }

    /// Refuses to show cases to a desk nobody is logged in to (or that is locked).
    pub(crate) fn require_reader(&self) -> Result<(), AppError> {
        self.require(Permission::Read)
    }

    /// Records an audit entry in the logged-in user's name.
    pub(crate) fn audit(
        &self,
        store: &mut Store,
        kind: AuditKind,
        case_id: Option<tongban_core::case::CaseId>,
        detail: impl Into<String>,
    ) -> Result<(), AppError> {
        let user = self.acting().as_ref().map(|s| s.user.login.clone()).unwrap_or_default();
        store.record(&NewAuditEntry { kind, user: &user, case_id, detail: detail.into() }, Utc::now())?;
        Ok(())
    }

    /// Logs `login` in to the window. Wrong passwords and unknown logins get the same message;
    /// five wrong in a row refuse the login for a while. The first login opens the database (a
    /// plain one of before is encrypted now); later ones check the password against the key.
    pub fn log_in(&self, login: &str, password: &str) -> Result<SessionView, AppError> {
        self.log_in_via(login, password, Via::Window)
    }

    /// The window's login: [`Desk::log_in`], then the sync starts if it does not run yet (the
    /// first login opened the database). It goes on while the window is locked or another user
    /// logs in. A sync that cannot start does not refuse the login; the status bar shows it.
    pub fn log_in_and_sync(&self, login: &str, password: &str) -> Result<SessionView, AppError> {
        let session = self.log_in(login, password)?;
        if !self.sync_running() {
            if let Err(e) = self.start_sync() {
                eprintln!("tongban-desk: 无法启动同步：{} ({})", e.message, e.code);
            }
        }
        Ok(session)
    }

    fn log_in_via(&self, login: &str, password: &str, via: Via) -> Result<SessionView, AppError> {
        let now = Utc::now();
        let user = {
            let mut slot = self.store.lock().unwrap_or_else(|p| p.into_inner());
            match slot.as_mut() {
                Some(store) => store.check_password(login, password, now)?,
                None => {
                    let store = Store::unlock(&self.path, login, password, now)?;
                    self.opened_at_seq.store(store.last_event_seq()?, std::sync::atomic::Ordering::SeqCst);
                    let user = store.user(login.trim())?;
                    *slot = Some(store);
                    user
                }
            }
        };
        let session = Session { user, locked: false, via };
        let shown = view(&session);
        *self.acting() = Some(session);
        let mut store = self.locked()?;
        let detail = match via {
            Via::Window => "窗口",
            Via::Cli => "命令行",
        };
        self.audit(&mut store, AuditKind::Login, None, detail)?;
        // The demo desk's login screen lists its accounts; only there.
        let demo = store.window_prefs()?.demo;
        store.publish_demo_accounts(demo)?;
        Ok(shown)
    }

    /// Ends the window's session (切换用户 too): the login screen comes next; the database stays
    /// open underneath, so the sync goes on.
    pub fn log_out(&self) {
        if let Ok(mut store) = self.locked() {
            let _ = self.audit(&mut store, AuditKind::Logout, None, "");
        }
        *self.acting() = None;
    }

    /// Locks the window: the same user unlocks it with their password; nothing is written
    /// meanwhile but the sync's rounds.
    pub fn lock(&self) -> Result<SessionView, AppError> {
        let shown = match &mut *self.acting() {
            Some(s) => {
                s.locked = true;
                view(s)
            }
            None => return Err(not_logged_in()),
        };
        let mut store = self.locked()?;
        self.audit(&mut store, AuditKind::Lock, None, "")?;
        Ok(shown)
    }

    /// Unlocks the window with the logged-in user's password (counted like a login).
    pub fn unlock(&self, password: &str) -> Result<SessionView, AppError> {
        let login = match &*self.acting() {
            Some(s) => s.user.login.clone(),
            None => return Err(not_logged_in()),
        };
        let mut store = self.locked()?;
        let user = store.check_password(&login, password, Utc::now())?;
        let shown = {
            let mut acting = self.acting();
            let via = acting.as_ref().map(|s| s.via).unwrap_or(Via::Window);
            let session = Session { user, locked: false, via };
            let shown = view(&session);
            *acting = Some(session);
            shown
        };
        self.audit(&mut store, AuditKind::Unlock, None, "")?;
        Ok(shown)
    }

    /// The window's session, if anyone is logged in.
    pub fn session(&self) -> Option<SessionView> {
        self.acting().as_ref().map(view)
    }

    /// What the login screen shows: the idle lock, and on the demo desk its accounts (listed in
    /// the key file, since nothing else can be read before a login).
    pub fn login_info(&self) -> Result<LoginInfo, AppError> {
        if let Ok(store) = self.locked() {
            store.require_desk()?;
            let prefs = store.window_prefs()?;
            let demo = if prefs.demo {
                let accounts = store.accounts()?.into_iter().filter(|a| !a.disabled).map(account_view).collect();
                Some(DemoLogin { accounts, password: crate::demo::DEMO_PASSWORD.to_string() })
            } else {
                None
            };
            return Ok(LoginInfo { idle_lock_minutes: prefs.idle_lock_minutes, demo });
        }
        let demo = tongban_store::Vault::load(&self.path)?
            .map(|v| v.demo_accounts().to_vec())
            .filter(|a| !a.is_empty())
            .map(|accounts| DemoLogin {
                accounts: accounts
                    .into_iter()
                    .map(|a| AccountView {
                        role_label: role_label(&a.role).to_string(),
                        login: a.login,
                        display_name: a.display_name,
                        role: a.role,
                        disabled: false,
                        has_password: true,
                    })
                    .collect(),
                password: crate::demo::DEMO_PASSWORD.to_string(),
            });
        Ok(LoginInfo { idle_lock_minutes: tongban_store::DEFAULT_IDLE_LOCK_MINUTES, demo })
    }

    /// The desk as the login screen names it, before anyone logs in: from the key file (or,
    /// for a database of before encryption, from the database itself).
    pub(crate) fn info_before_login(&self) -> Result<DeskInfo, AppError> {
        let public = match FileKind::of(&self.path)? {
            FileKind::Missing => return Err(tongban_store::StoreError::NotInitialized.into()),
            FileKind::Foreign => return Err(tongban_store::StoreError::NotADatabase(self.path.clone()).into()),
            FileKind::Plain => tongban_store::upgrade::plain_desk(&self.path)?,
            FileKind::Encrypted => match tongban_store::Vault::load(&self.path)? {
                None => return Err(tongban_store::StoreError::Encrypted.into()),
                Some(v) => v.desk().cloned(),
            },
        };
        let desk = public.ok_or(tongban_store::StoreError::NotInitialized)?;
        Ok(DeskInfo {
            region_name: region::display_name(&desk.region),
            region_code: desk.region,
            window: desk.window,
            desk_code: desk.desk_code,
            db_path: self.path.display().to_string(),
            case_count: 0,
        })
    }

    /// Changes the logged-in user's own password, after checking the current one: a new key
    /// slot, nothing re-encrypted.
    pub fn change_password(&self, current: &str, new: &str, new_again: &str) -> Result<(), AppError> {
        let login = self.actor(None)?;
        let mut store = self.locked()?;
        store.check_password(&login, current, Utc::now()).map_err(|e| match e {
            StoreError::BadLogin => AppError {
                field: Some("current".into()),
                ..AppError::new(DeskCode::BadLogin, "当前密码：密码不正确")
            },
            _ => e.into(),
        })?;
        same_twice(new, new_again, "password_again")?;
        store.set_password(&login, new)?;
        self.audit(&mut store, AuditKind::User, None, format!("「{login}」修改了自己的密码"))
    }

    pub fn roles() -> Vec<RoleOption> {
        ROLES.iter().map(|r| RoleOption { value: r.to_string(), label: role_label(r).to_string() }).collect()
    }

    /// Every user, for the admin.
    pub fn accounts(&self) -> Result<Vec<AccountView>, AppError> {
        self.permit(Permission::Administer)?;
        self.with_store(|store| Ok(store.accounts()?.into_iter().map(account_view).collect()))
    }

    /// The admin adds a user with a role and a first password (their key slot).
    pub fn add_account(&self, new: &NewAccount) -> Result<Vec<AccountView>, AppError> {
        self.permit(Permission::Administer)?;
        same_twice(&new.password, &new.password_again, "password_again")?;
        let mut store = self.locked()?;
        let user = User { login: new.login.clone(), display_name: new.display_name.clone(), role: new.role.clone() };
        store.add_user(&user, Some(&new.password), Utc::now())?;
        let detail = format!("添加用户「{}」（{}）", user.login.trim(), role_label(&user.role));
        self.audit(&mut store, AuditKind::User, None, detail)?;
        Ok(store.accounts()?.into_iter().map(account_view).collect())
    }

    /// The admin sets a new password for a user (who forgot theirs, or was locked out).
    pub fn reset_password(&self, login: &str, password: &str, again: &str) -> Result<(), AppError> {
        self.permit(Permission::Administer)?;
        same_twice(password, again, "password_again")?;
        let mut store = self.locked()?;
        store.set_password(login, password)?;
        self.audit(&mut store, AuditKind::User, None, format!("重置用户「{login}」的密码"))
    }

    /// Sets `login`'s password for the CLI: one's own (the login just checked the current one),
    /// or anyone's for an admin.
    pub fn reset_password_as_operator(&self, login: &str, password: &str) -> Result<(), AppError> {
        if self.actor(None)? != login {
            self.permit(Permission::Administer)?;
        }
        let mut store = self.locked()?;
        store.set_password(login, password)?;
        self.audit(&mut store, AuditKind::User, None, format!("设置用户「{login}」的密码（命令行）"))
    }

    /// The admin disables a user: their key slot no longer opens the desk; what they did keeps
    /// their name.
    pub fn disable_account(&self, login: &str) -> Result<Vec<AccountView>, AppError> {
        self.permit(Permission::Administer)?;
        if self.actor(None)? == login {
            return Err(AppError::new(DeskCode::NotPermitted, "不能停用自己的账号"));
        }
        let mut store = self.locked()?;
        store.disable_user(login, Utc::now())?;
        self.audit(&mut store, AuditKind::User, None, format!("停用用户「{login}」"))?;
        Ok(store.accounts()?.into_iter().map(account_view).collect())
    }
}
