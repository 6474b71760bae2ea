//! The desk's identity (one row) and its local users.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use tongban_core::case::DeskCode;
use tongban_core::validate::{self, ValidationError};

use crate::{Result, Store, StoreError, Vault};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE desk (
    id          TEXT PRIMARY KEY,       -- UUID made at setup; authors every event of this desk
    region      TEXT NOT NULL,          -- GB/T 2260 code of the receiving region
    hall        TEXT NOT NULL,          -- 政务服务中心 name as printed
    window_name TEXT NOT NULL,          -- 窗口 name as printed
    desk_code   TEXT NOT NULL,          -- unique within the region; part of every 办件编号
    created_at  TEXT NOT NULL,
    singleton   INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1)
);
CREATE TABLE users (
    login         TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT,                 -- set by the accounts feature; NULL = no password yet
    created_at    TEXT NOT NULL
);
";

/// Step 5: what accounts need beyond a name and a role. A disabled user keeps their row, so
/// the events and prints they authored keep their name.
pub(crate) const SCHEMA_V5: &str = "
ALTER TABLE users ADD COLUMN disabled_at TEXT;                      -- NULL = may log in
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0; -- wrong passwords in a row
ALTER TABLE users ADD COLUMN locked_until TEXT;                     -- refused until then after too many
";

/// Wrong passwords in a row before the login is refused for [`LOCKOUT_MINUTES`].
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 5;
/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What `tongban init` asks for.
#[derive(Debug, Clone)]
pub struct DeskSetup {
    pub region: String,
    pub hall: String,
    pub window_name: String,
    pub desk_code: String,
    /// The first user, who authors the desk's first cases.
    pub first_user: User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskIdentity {
    pub id: String,
    pub region: String,
    pub hall: String,
    pub window_name: String,
    pub desk_code: DeskCode,
    pub created_at: DateTime<Utc>,
}

impl DeskIdentity {
    /// Hall and window as printed on the receipt.
    pub fn window_label(&self) -> String {
        format!("{}{}", self.hall, self.window_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub login: String,
    pub display_name: String,
    /// clerk / helper / back_office / supervisor / admin.
    pub role: String,
}

/// The roles, in the order the window offers them.
pub const ROLES: [&str; 5] = ["clerk", "helper", "back_office", "supervisor", "admin"];

/// The Chinese name of a role, as the window and the CLI show it.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "clerk" => "窗口受理",
        "helper" => "帮办代办",
        "back_office" => "后台审批",
        "supervisor" => "督查",
        "admin" => "管理员",
        _ => "未知角色",
    }
}

/// A user as the 用户管理 list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    pub user: User,
    /// Disabled users cannot log in; their past work keeps their name.
    pub disabled: bool,
    /// False for users made before accounts had passwords: they cannot log in until one is set.
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Sets the desk up once. Refused if the database already belongs to a desk.
    pub fn init_desk(&mut self, setup: &DeskSetup, now: DateTime<Utc>) -> Result<DeskIdentity> {
        self.init_desk_with(setup, None, &[], now)
    }

    /// [`Store::init_desk`] with the first user's password and the hall's printed texts
    /// (`hall.address`, … as in `tongban settings`), all checked before anything is written and
    /// written in one transaction: a refused value leaves the database without a desk. The
    /// password becomes the first user's key slot; the desk's name goes to the login screen.
    pub fn init_desk_with(
        &mut self,
        setup: &DeskSetup,
        password: Option<&str>,
        texts: &[(&str, &str)],
        now: DateTime<Utc>,
    ) -> Result<DeskIdentity> {
        if let Some(existing) = self.desk()? {
            return Err(StoreError::AlreadyInitialized(format!("{} {}", existing.region, existing.window_label())));
        }
        if !tongban_core::region::is_valid_code(&setup.region) {
            return Err(ValidationError::new(format!("「{}」不是有效的行政区划代码", setup.region))
                .at("region", "受理地区划")
                .into());
        }
        let desk_code = DeskCode::parse(&setup.desk_code).map_err(|e| e.at("desk_code", "窗口代码"))?;
        let hall = validate::required_text("hall", "政务服务中心名称", &setup.hall)?;
        let window_name = validate::required_text("window_name", "窗口名称", &setup.window_name)?;
        let identity = DeskIdentity {
            id: uuid::Uuid::now_v7().to_string(),
            region: setup.region.clone(),
            hall,
            window_name,
            desk_code,
            created_at: now,
        };
        if let Some(p) = password {
            check_password_rules(p)?;
        }
        let mut hall_texts = crate::HallTexts::defaults(&identity.hall);
        for (key, value) in texts {
            crate::settings::check_setting(&mut hall_texts, key, value)?;
        }
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO desk (id, region, hall, window_name, desk_code, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                identity.id,
                identity.region,
                identity.hall,
                identity.window_name,
                identity.desk_code.as_str(),
                identity.created_at.to_rfc3339()
            ],
        )?;
        insert_user(&tx, &setup.first_user, now)?;
        for (key, value) in texts {
            crate::settings::store_setting(&tx, &hall_texts, key, value, &setup.first_user.login, now)?;
        }
        // The key file before the commit: a crash in between leaves a slot for a desk that does
        // not exist (harmless), never a desk nobody can open.
        Vault::set_public_desk(&self.path, &self.key, identity.public())?;
        if let Some(p) = password {
            Vault::set_password(&self.path, &self.key, setup.first_user.login.trim(), p, true)?;
        }
        tx.commit()?;
        Ok(identity)
    }

    /// The desk's identity, or `None` before `init`.
    pub fn desk(&self) -> Result<Option<DeskIdentity>> {
        let row = self
            .conn
            .query_row("SELECT id, region, hall, window_name, desk_code, created_at FROM desk", [], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .optional()?;
        let Some((id, region, hall, window_name, code, created)) = row else {
            return Ok(None);
        };
        Ok(Some(DeskIdentity {
            id,
            region,
            hall,
            window_name,
            desk_code: DeskCode::parse(&code).map_err(|e| e.at("desk_code", "窗口代码"))?,
            created_at: parse_time(&created)?,
        }))
    }

    /// The desk's identity, or [`StoreError::NotInitialized`].
    pub fn require_desk(&self) -> Result<DeskIdentity> {
        self.desk()?.ok_or(StoreError::NotInitialized)
    }

    /// Adds a user; with a password (checked for length, kept only as the user's key slot) they
    /// can log in, without one not until an admin sets one.
    pub fn add_user(&mut self, user: &User, password: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        if let Some(p) = password {
            check_password_rules(p)?;
        }
        if self
            .conn
            .query_row("SELECT 1 FROM users WHERE login = ?1", [user.login.trim()], |_| Ok(()))
            .optional()?
            .is_some()
        {
            return Err(ValidationError::new(format!("登录名「{}」已被使用", user.login.trim()))
                .at("login", "登录名")
                .into());
        }
        let tx = self.conn.transaction()?;
        insert_user(&tx, user, now)?;
        if let Some(p) = password {
            Vault::set_password(&self.path, &self.key, user.login.trim(), p, true)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every user with whether they may log in, in the order they were added.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let vault = Vault::load(&self.path)?;
        let mut stmt = self.conn.prepare(
            "SELECT login, display_name, role, disabled_at IS NOT NULL, created_at FROM users ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                User { login: r.get(0)?, display_name: r.get(1)?, role: r.get(2)? },
                r.get::<_, bool>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (user, disabled, created) = row?;
            let has_password = vault.as_ref().is_some_and(|v| v.has_password(&user.login));
            out.push(Account { user, disabled, has_password, created_at: parse_time(&created)? });
        }
        Ok(out)
    }

    /// Checks a logged-in user's password again (to unlock the window, or before they change
    /// it), counted like a login: the same answers, the same lockout.
    pub fn check_password(&mut self, login: &str, password: &str, now: DateTime<Utc>) -> Result<User> {
        let (key, _) = Vault::unlock(&self.path, login, password, now)?;
        if key != self.key {
            return Err(StoreError::KeyFileDamaged(crate::keys_path(&self.path)));
        }
        if self.is_disabled(login.trim())? {
            return Err(StoreError::UserDisabled(login.trim().to_string()));
        }
        self.user(login.trim())
    }

    /// Whether `login` is disabled; an unknown login answers like a wrong password.
    pub(crate) fn is_disabled(&self, login: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT disabled_at IS NOT NULL FROM users WHERE login = ?1", [login], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::BadLogin)
    }

    /// Sets a user's password (their own change, an admin's reset, or the recovery key's new
    /// admin password; the caller checks who may): a new key slot, which also lifts a lockout.
    pub fn set_password(&mut self, login: &str, password: &str) -> Result<()> {
        check_password_rules(password)?;
        let disabled = self
            .conn
            .query_row("SELECT disabled_at IS NOT NULL FROM users WHERE login = ?1", [login], |r| r.get::<_, bool>(0))
            .optional()?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))?;
        Vault::set_password(&self.path, &self.key, login, password, !disabled)
    }

    /// Disables a user: they cannot log in any more (their key slot no longer holds the key);
    /// what they did keeps their name. The last active admin cannot be disabled, so the desk is
    /// never left without one.
    pub fn disable_user(&mut self, login: &str, now: DateTime<Utc>) -> Result<()> {
        let account = self.accounts()?.into_iter().find(|a| a.user.login == login);
        let Some(account) = account else {
            return Err(StoreError::UnknownUser(login.to_string()));
        };
        if account.disabled {
            return Ok(());
        }
        if account.user.role == "admin" {
            let admins: i64 = self.conn.query_row(
                "SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
                [],
                |r| r.get(0),
            )?;
            if admins <= 1 {
                return Err(ValidationError::new(format!(
                    "「{}」是本受理台唯一的管理员，不能停用",
                    account.user.display_name
                ))
                .at("login", "用户")
                .into());
            }
        }
        self.conn.execute("UPDATE users SET disabled_at = ?2 WHERE login = ?1", params![login, now.to_rfc3339()])?;
        Vault::disable(&self.path, &self.key, login)
    }

    pub fn user(&self, login: &str) -> Result<User> {
        self.conn
            .query_row("SELECT login, display_name, role FROM users WHERE login = ?1", [login], |r| {
                Ok(User { login: r.get(0)?, display_name: r.get(1)?, role: r.get(2)? })
            })
            .optional()?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))
    }

    /// The user who was created first (the one `init` made).
    pub fn first_user(&self) -> Result<Option<User>> {
        Ok(self
            .conn
            .query_row("SELECT login, display_name, role FROM users ORDER BY rowid LIMIT 1", [], |r| {
                Ok(User { login: r.get(0)?, display_name: r.get(1)?, role: r.get(2)? })
            })
            .optional()?)
    }

    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn.prepare("SELECT login, display_name, role FROM users ORDER BY login")?;
        let rows = stmt.query_map([], |r| Ok(User { login: r.get(0)?, display_name: r.get(1)?, role: r.get(2)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Lists the demo desk's active accounts on its login screen (through the key file, the only
    /// thing readable before a login); an empty list on every other desk.
    pub fn publish_demo_accounts(&self, demo: bool) -> Result<()> {
        let accounts = if demo {
            self.accounts()?
                .into_iter()
                .filter(|a| !a.disabled && a.has_password)
                .map(|a| crate::DemoAccount {
                    login: a.user.login,
                    display_name: a.user.display_name,
                    role: a.user.role,
                })
                .collect()
        } else {
            Vec::new()
        };
        let current = Vault::load(&self.path)?.map(|v| v.demo_accounts().to_vec()).unwrap_or_default();
        if current != accounts {
            Vault::set_demo_accounts(&self.path, &self.key, accounts)?;
        }
        Ok(())
    }
}

/// The settings row that says the recovery key was handed out (it is shown only until then).
const RECOVERY_ISSUED: &str = "security.recovery_issued_at";

impl Store {
    /// Whether the recovery key was printed and confirmed kept.
    pub fn recovery_issued(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM settings WHERE key = ?1", [RECOVERY_ISSUED], |_| Ok(()))
            .optional()?
            .is_some())
    }

    pub fn mark_recovery_issued(&mut self, user: &str, now: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO settings (key, value, updated_at, updated_by) VALUES (?1, ?2, ?2, ?3)",
            params![RECOVERY_ISSUED, now.to_rfc3339(), user],
        )?;
        Ok(())
    }

    /// Writes the key file again if it is gone (the desk opened with its recovery key): the desk's
    /// name for the login screen; the users' slots come back as passwords are set.
    pub fn ensure_key_file(&self) -> Result<()> {
        if Vault::load(&self.path)?.is_none() {
            Vault::set_public_desk(&self.path, &self.key, self.require_desk()?.public())?;
            self.publish_demo_accounts(self.window_prefs()?.demo)?;
        }
        Ok(())
    }

    /// Seals the data key for unattended sync with a machine-bound `secret` (`None` removes it).
    pub fn seal_unattended(&self, secret: Option<&[u8; 32]>) -> Result<()> {
        Vault::set_unattended(&self.path, &self.key, secret.map(|s| Vault::seal_unattended(s, &self.key)))
    }

    /// Opens the desk with the machine-bound secret of unattended sync.
    pub fn open_unattended(path: &std::path::Path, secret: &[u8; 32]) -> Result<Store> {
        let vault = Vault::load(path)?.ok_or_else(|| StoreError::NoKeyFile(crate::keys_path(path)))?;
        let key = vault.open_unattended(secret).ok_or(StoreError::BadLogin)?;
        Store::open(path, &key)
    }
}

impl DeskIdentity {
    /// What the login screen may show before anyone logs in.
    pub fn public(&self) -> crate::PublicDesk {
        crate::PublicDesk {
            id: self.id.clone(),
            region: self.region.clone(),
            window: self.window_label(),
            desk_code: self.desk_code.as_str().to_string(),
        }
    }
}

/// Refuses a password that is too short.
pub fn check_password_rules(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ValidationError::new(format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符"))
            .at("password", "密码")
            .into());
    }
    Ok(())
}

fn insert_user(conn: &rusqlite::Connection, user: &User, now: DateTime<Utc>) -> Result<()> {
    let login = validate::required_text("login", "登录名", &user.login)?;
    let name = validate::required_text("display_name", "姓名", &user.display_name)?;
    if !ROLES.contains(&user.role.as_str()) {
        return Err(ValidationError::new(format!("「{}」不是有效角色，应为 {}", user.role, ROLES.join("、")))
            .at("role", "角色")
            .into());
    }
    conn.execute(
        "INSERT INTO users (login, display_name, role, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![login, name, user.role, now.to_rfc3339()],
    )?;
    Ok(())
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Json(serde::de::Error::custom(format!("时间「{s}」无效：{e}"))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;

    const PASSWORD: &str = "窗口密码2026";

    fn admin_setup() -> DeskSetup {
        DeskSetup {
            region: "411329".into(),
            hall: "新野县政务服务中心".into(),
            window_name: "跨省通办窗口".into(),
            desk_code: "A1".into(),
            first_user: User { login: "admin".into(), display_name: "王管理".into(), role: "admin".into() },
        }
    }

    fn setup_with_admin(store: &mut Store) {
        let texts = [("hall.phone", "0377-66012345")];
        store.init_desk_with(&admin_setup(), Some(PASSWORD), &texts, Utc::now()).unwrap();
    }

    fn unlock(store: &Store, login: &str, password: &str) -> Result<Store> {
        Store::unlock(store.path(), login, password, Utc::now())
    }

    #[test]
    fn a_password_is_kept_only_as_a_key_slot_that_opens_the_database() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let clerk = User { login: "zhang".into(), display_name: "张敏".into(), role: "clerk".into() };
        store.add_user(&clerk, Some(PASSWORD), Utc::now()).unwrap();
        let hash: Option<String> =
            store.conn.query_row("SELECT password_hash FROM users WHERE login = 'zhang'", [], |r| r.get(0)).unwrap();
        assert_eq!(hash, None, "no password hash in the database");
        let reopened = unlock(&store, "zhang", PASSWORD).unwrap();
        assert_eq!(reopened.user("zhang").unwrap(), clerk);
        assert_eq!(reopened.hall_texts().unwrap().phone, "0377-66012345", "setup writes the hall texts");
        assert_eq!(store.check_password("zhang", PASSWORD, Utc::now()).unwrap(), clerk);
    }

    #[test]
    fn wrong_password_and_unknown_login_get_the_same_message() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let wrong = unlock(&store, "admin", "not-the-password").err().unwrap();
        let unknown = unlock(&store, "nobody", PASSWORD).err().unwrap();
        assert_eq!(wrong.to_string(), "用户名或密码错误");
        assert_eq!(unknown.to_string(), wrong.to_string());
        assert_eq!((wrong.code().as_str(), unknown.code().as_str()), ("bad_login", "bad_login"));
    }

    #[test]
    fn five_wrong_passwords_in_a_row_lock_the_login_for_a_while() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let now = Utc::now();
        let path = store.path().to_path_buf();
        for _ in 0..4 {
            assert_eq!(Store::unlock(&path, "admin", "wrong-pass", now).err().unwrap().code(), "bad_login");
        }
        // A right password in between would reset the count; here the fifth wrong one locks.
        let locked = Store::unlock(&path, "admin", "wrong-pass", now).err().unwrap();
        assert_eq!(locked.code(), "login_locked");
        assert_eq!(locked.to_string(), "连续 5 次密码错误，该用户暂时不能登录，请 5 分钟后再试");
        let still = Store::unlock(&path, "admin", PASSWORD, now + chrono::Duration::minutes(2)).err().unwrap();
        assert_eq!(still.to_string(), "连续 5 次密码错误，该用户暂时不能登录，请 3 分钟后再试");
        let later = now + chrono::Duration::minutes(LOCKOUT_MINUTES) + chrono::Duration::seconds(1);
        let mut store = Store::unlock(&path, "admin", PASSWORD, later).unwrap();
        // The failures came into the audit log with the login.
        let failed = store
            .audit_entries(
                &crate::AuditFilter { kind: Some(crate::AuditKind::LoginFailed), ..Default::default() },
                1,
                50,
            )
            .unwrap();
        assert_eq!(failed.total, 5);
        assert!(failed.rows.iter().all(|e| e.user == "admin"));
        assert!(store.check_password("admin", PASSWORD, later).is_ok());
    }

    #[test]
    fn a_right_password_resets_the_count_of_failures() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let now = Utc::now();
        for _ in 0..4 {
            store.check_password("admin", "wrong-pass", now).unwrap_err();
        }
        store.check_password("admin", PASSWORD, now).unwrap();
        assert_eq!(store.check_password("admin", "wrong-pass", now).unwrap_err().code(), "bad_login");
    }

    #[test]
    fn a_disabled_user_cannot_log_in_but_keeps_their_name() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let clerk = User { login: "zhang".into(), display_name: "张敏".into(), role: "clerk".into() };
        store.add_user(&clerk, Some(PASSWORD), Utc::now()).unwrap();
        store.disable_user("zhang", Utc::now()).unwrap();
        let err = unlock(&store, "zhang", PASSWORD).err().unwrap();
        assert_eq!(err.code(), "user_disabled");
        assert_eq!(err.to_string(), "用户「zhang」已停用，不能登录；如有疑问请联系管理员");
        assert_eq!(unlock(&store, "zhang", "wrong-pass").err().unwrap().code(), "bad_login");
        assert_eq!(store.user("zhang").unwrap().display_name, "张敏");
        let accounts = store.accounts().unwrap();
        assert!(accounts.iter().any(|a| a.user.login == "zhang" && a.disabled));
        let last_admin = store.disable_user("admin", Utc::now()).unwrap_err();
        assert!(last_admin.to_string().contains("唯一的管理员"), "{last_admin}");
        // A reset password does not enable them again.
        store.set_password("zhang", "新的密码12345").unwrap();
        assert_eq!(unlock(&store, "zhang", "新的密码12345").err().unwrap().code(), "user_disabled");
    }

    #[test]
    fn short_passwords_and_taken_logins_are_refused_and_change_nothing() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let err = store.set_password("admin", "1234567").unwrap_err();
        assert_eq!(err.to_string(), "密码：密码至少需要 8 个字符");
        unlock(&store, "admin", PASSWORD).unwrap();
        let taken = User { login: "admin".into(), display_name: "另一人".into(), role: "clerk".into() };
        let err = store.add_user(&taken, Some(PASSWORD), Utc::now()).unwrap_err();
        assert_eq!(err.to_string(), "登录名：登录名「admin」已被使用");
        unlock(&store, "admin", PASSWORD).unwrap();
        store.set_password("admin", "新的密码12345").unwrap();
        assert_eq!(unlock(&store, "admin", PASSWORD).err().unwrap().code(), "bad_login");
        unlock(&store, "admin", "新的密码12345").unwrap();
    }

    #[test]
    fn a_user_without_a_password_cannot_log_in_and_gets_no_hint() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let err = unlock(&store, "zhang", "whatever1").err().unwrap();
        assert_eq!(err.code(), "bad_login");
        assert!(!store.accounts().unwrap()[0].has_password);
    }

    #[test]
    fn a_refused_hall_text_at_setup_leaves_no_desk() {
        let (_d, mut store) = temp_store();
        let setup = admin_setup();
        let err = store.init_desk_with(&setup, Some(PASSWORD), &[("notice.supplement_days", "99")], Utc::now());
        assert!(err.unwrap_err().to_string().starts_with("补正期限（工作日）："));
        assert!(store.desk().unwrap().is_none());
        let err = store.init_desk_with(&setup, Some("short"), &[], Utc::now()).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(store.desk().unwrap().is_none());
    }
}
