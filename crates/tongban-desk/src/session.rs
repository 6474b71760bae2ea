//! Who acts at the desk. The window logs a user in (and locks, unlocks, logs out); the CLI, an
//! operator's tool, acts as `--user`, `TONGBAN_USER` or the desk's first user. Every event and
//! print takes its author from [`Desk::actor`], the one place that decides.

use chrono::Utc;
use tongban_core::region;
use tongban_store::{role_label, Account, DeskSetup, HallTexts, Store, User, MIN_PASSWORD_CHARS, ROLES};

use crate::api::{
    AccountView, DemoLogin, DeskInfo, DeskSetupForm, LoginInfo, NewAccount, RegionChoice, RoleOption, SessionView,
    SetupDefaults,
};
use crate::{AppError, Desk};

/// How a desk is driven.
pub(crate) enum Acting {
    /// The CLI and scripts: the named user (`--user`), else `TONGBAN_USER`, else the first user.
    Operator(Option<String>),
    /// The window: whoever logged in, if anyone.
    Window(Option<Session>),
}

pub(crate) struct Session {
    user: User,
    locked: bool,
}

/// What a role lets a user do.
#[derive(Clone, Copy)]
pub(crate) enum Permission {
    TakeIn,
    Decide,
    Administer,
}

fn may(role: &str, what: Permission) -> bool {
    match what {
        Permission::TakeIn => matches!(role, "clerk" | "helper" | "admin"),
        Permission::Decide => matches!(role, "back_office" | "admin"),
        Permission::Administer => role == "admin",
    }
}

fn what_label(what: Permission) -> &'static str {
    match what {
        Permission::TakeIn => "收件",
        Permission::Decide => "作出办理决定",
        Permission::Administer => "管理用户",
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
        can_supervise: matches!(role, "supervisor" | "admin"),
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

fn not_logged_in() -> AppError {
    AppError::new("not_logged_in", "请先登录")
}

/// The second typing of a password must match the first; the error sits on the second field.
fn same_twice(password: &str, again: &str, field: &str) -> Result<(), AppError> {
    if password != again {
        return Err(AppError {
            field: Some(field.to_string()),
            ..AppError::new("invalid_input", "确认密码：两次输入的密码不一致")
        });
    }
    Ok(())
}

impl Desk {
    /// Opens a desk for the window: nothing is written until someone logs in.
    pub fn open_window(path: &std::path::Path) -> Result<Desk, AppError> {
        let desk = Desk::open(path)?;
        *desk.acting() = Acting::Window(None);
        Ok(desk)
    }

    pub(crate) fn acting(&self) -> std::sync::MutexGuard<'_, Acting> {
        // Nothing half-done can be left in the session by a panic: every change is one assignment.
        self.acting.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The login of whoever authors what the desk writes now: the logged-in user in the window
    /// (refused with `not_logged_in` when nobody is, or while locked), the operator's in the CLI.
    /// `explicit` is the CLI's `--user`; the window never names another user than its own.
    pub(crate) fn actor(&self, store: &Store, explicit: Option<&str>) -> Result<String, AppError> {
        match &*self.acting() {
            Acting::Operator(default) => crate::acting_user(store, explicit.or(default.as_deref())),
            Acting::Window(Some(s)) if s.locked => {
                Err(AppError::new("session_locked", "受理台已锁定，请先输入密码解锁"))
            }
            Acting::Window(Some(s)) => match explicit {
                Some(other) if other != s.user.login => Err(AppError::new(
                    "not_permitted",
                    format!("当前登录的是「{}」，不能以「{other}」的名义操作", s.user.display_name),
                )),
                _ => Ok(s.user.login.clone()),
            },
            Acting::Window(None) => Err(not_logged_in()),
        }
    }

    /// Refuses when the window's user may not do `what` (the CLI, an operator's tool, may).
    pub(crate) fn permit(&self, what: Permission) -> Result<(), AppError> {
        match &*self.acting() {
            Acting::Operator(_) => Ok(()),
            Acting::Window(Some(s)) if s.locked => {
                Err(AppError::new("session_locked", "受理台已锁定，请先输入密码解锁"))
            }
            Acting::Window(Some(s)) if may(&s.user.role, what) => Ok(()),
            Acting::Window(Some(s)) => Err(AppError::new(
                "not_permitted",
                format!("{}（{}）没有{}的权限", s.user.display_name, role_label(&s.user.role), what_label(what)),
            )),
            Acting::Window(None) => Err(not_logged_in()),
        }
    }

    /// Refuses to show cases to a window nobody is logged in to (or that is locked).
    pub(crate) fn require_reader(&self) -> Result<(), AppError> {
        match &*self.acting() {
            Acting::Operator(_) => Ok(()),
            Acting::Window(Some(s)) if s.locked => {
                Err(AppError::new("session_locked", "受理台已锁定，请先输入密码解锁"))
            }
            Acting::Window(Some(_)) => Ok(()),
            Acting::Window(None) => Err(not_logged_in()),
        }
    }

    /// Logs `login` in to the window. Wrong passwords and unknown logins get the same message;
    /// five wrong in a row refuse the login for a while.
    pub fn log_in(&self, login: &str, password: &str) -> Result<SessionView, AppError> {
        let user = self.locked().verify_login(login, password, Utc::now())?;
        let session = Session { user, locked: false };
        let shown = view(&session);
        *self.acting() = Acting::Window(Some(session));
        Ok(shown)
    }

    /// Ends the window's session (切换用户 too): the login screen comes next.
    pub fn log_out(&self) {
        let mut acting = self.acting();
        if let Acting::Window(session) = &mut *acting {
            *session = None;
        }
    }

    /// Locks the window: the same user unlocks it with their password; nothing is written meanwhile.
    pub fn lock(&self) -> Result<SessionView, AppError> {
        match &mut *self.acting() {
            Acting::Window(Some(s)) => {
                s.locked = true;
                Ok(view(s))
            }
            _ => Err(not_logged_in()),
        }
    }

    /// Unlocks the window with the logged-in user's password (counted like a login).
    pub fn unlock(&self, password: &str) -> Result<SessionView, AppError> {
        let login = match &*self.acting() {
            Acting::Window(Some(s)) => s.user.login.clone(),
            _ => return Err(not_logged_in()),
        };
        let user = self.locked().verify_login(&login, password, Utc::now())?;
        let session = Session { user, locked: false };
        let shown = view(&session);
        *self.acting() = Acting::Window(Some(session));
        Ok(shown)
    }

    /// The window's session, if anyone is logged in.
    pub fn session(&self) -> Option<SessionView> {
        match &*self.acting() {
            Acting::Window(Some(s)) => Some(view(s)),
            _ => None,
        }
    }

    /// What the login screen shows: the idle lock, and on the demo desk its accounts.
    pub fn login_info(&self) -> Result<LoginInfo, AppError> {
        self.with_store(|store| {
            store.require_desk()?;
            let prefs = store.window_prefs()?;
            let demo = if prefs.demo {
                let accounts = store.accounts()?.into_iter().filter(|a| !a.disabled).map(account_view).collect();
                Some(DemoLogin { accounts, password: crate::demo::DEMO_PASSWORD.to_string() })
            } else {
                None
            };
            Ok(LoginInfo { idle_lock_minutes: prefs.idle_lock_minutes, demo })
        })
    }

    /// Changes the logged-in user's own password, after checking the current one.
    pub fn change_password(&self, current: &str, new: &str, new_again: &str) -> Result<(), AppError> {
        let mut store = self.locked();
        let login = self.actor(&store, None)?;
        store.verify_login(&login, current, Utc::now()).map_err(|e| match e.code() {
            "bad_login" => AppError {
                field: Some("current".into()),
                ..AppError::new("bad_login", "当前密码：密码不正确")
            },
            _ => e.into(),
        })?;
        same_twice(new, new_again, "password_again")?;
        Ok(store.set_password(&login, new)?)
    }

    pub fn roles() -> Vec<RoleOption> {
        ROLES.iter().map(|r| RoleOption { value: r.to_string(), label: role_label(r).to_string() }).collect()
    }

    /// Every user, for the admin.
    pub fn accounts(&self) -> Result<Vec<AccountView>, AppError> {
        self.permit(Permission::Administer)?;
        self.with_store(|store| Ok(store.accounts()?.into_iter().map(account_view).collect()))
    }

    /// The admin adds a user with a role and a first password.
    pub fn add_account(&self, new: &NewAccount) -> Result<Vec<AccountView>, AppError> {
        self.permit(Permission::Administer)?;
        same_twice(&new.password, &new.password_again, "password_again")?;
        let mut store = self.locked();
        let user = User { login: new.login.clone(), display_name: new.display_name.clone(), role: new.role.clone() };
        store.add_user(&user, Some(&new.password), Utc::now())?;
        Ok(store.accounts()?.into_iter().map(account_view).collect())
    }

    /// The admin sets a new password for a user (who forgot theirs, or was locked out).
    pub fn reset_password(&self, login: &str, password: &str, again: &str) -> Result<(), AppError> {
        self.permit(Permission::Administer)?;
        same_twice(password, again, "password_again")?;
        Ok(self.locked().set_password(login, password)?)
    }

    /// The admin disables a user; what they did keeps their name.
    pub fn disable_account(&self, login: &str) -> Result<Vec<AccountView>, AppError> {
        self.permit(Permission::Administer)?;
        let mut store = self.locked();
        if self.actor(&store, None)? == login {
            return Err(AppError::new("not_permitted", "不能停用自己的账号"));
        }
        store.disable_user(login, Utc::now())?;
        Ok(store.accounts()?.into_iter().map(account_view).collect())
    }

    /// Regions whose code, name or full name starts with `query`, with full names, for the
    /// region type-ahead (the first-run screen, the partners' dialog).
    pub fn regions(query: &str) -> Vec<RegionChoice> {
        region::search(query, 30)
            .into_iter()
            .map(|r| RegionChoice { code: r.code.to_string(), name: region::display_name(r.code) })
            .collect()
    }

    pub fn setup_defaults() -> SetupDefaults {
        SetupDefaults {
            office_hours: HallTexts::defaults("").office_hours,
            min_password_chars: MIN_PASSWORD_CHARS as u32,
        }
    }

    /// Sets the desk up from the first-run screen: identity, the hall's printed texts and the
    /// first admin, all checked first and written together. Nobody is logged in afterwards: the
    /// login screen comes next.
    pub fn set_up(&self, form: &DeskSetupForm) -> Result<DeskInfo, AppError> {
        same_twice(&form.password, &form.password_again, "password_again")?;
        let setup = DeskSetup {
            region: form.region.trim().to_string(),
            hall: form.hall.clone(),
            window_name: form.window_name.clone(),
            desk_code: form.desk_code.trim().to_string(),
            first_user: User {
                login: form.admin_login.clone(),
                display_name: form.admin_name.clone(),
                role: "admin".into(),
            },
        };
        let texts = [
            ("hall.address", form.address.as_str()),
            ("hall.phone", form.phone.as_str()),
            ("hall.office_hours", form.office_hours.as_str()),
        ];
        // An empty text keeps its default (the form's blanks print as blanks).
        let texts: Vec<(&str, &str)> = texts.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect();
        self.locked()
            .init_desk_with(&setup, Some(&form.password), &texts, Utc::now())
            .map_err(|e| setup_error(e.into()))?;
        self.info()
    }
}

/// The store names the first user's fields `login`, `display_name`, `password`; the setup
/// screen calls them `admin_login`, `admin_name`, `password`.
fn setup_error(e: AppError) -> AppError {
    let field = e.field.as_deref().map(|f| match f {
        "login" => "admin_login".to_string(),
        "display_name" => "admin_name".to_string(),
        "hall.address" => "address".to_string(),
        "hall.phone" => "phone".to_string(),
        "hall.office_hours" => "office_hours".to_string(),
        other => other.to_string(),
    });
    AppError { field, ..e }
}
