//! The desk's identity (one row) and its local users.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use tongban_core::case::DeskCode;
use tongban_core::validate::{self, ValidationError};

use crate::{Result, Store, StoreError};

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
    /// written in one transaction: a refused value leaves the database without a desk.
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
        let hash = password.map(hash_password).transpose()?;
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
        insert_user(&tx, &setup.first_user, hash.as_deref(), now)?;
        for (key, value) in texts {
            crate::settings::store_setting(&tx, &hall_texts, key, value, &setup.first_user.login, now)?;
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

    /// Adds a user; with a password (checked for length, stored only as an argon2 hash) they can
    /// log in to the window, without one only act through the CLI's `--user`.
    pub fn add_user(&mut self, user: &User, password: Option<&str>, now: DateTime<Utc>) -> Result<()> {
        let hash = password.map(hash_password).transpose()?;
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
        insert_user(&self.conn, user, hash.as_deref(), now)
    }

    /// Every user with whether they may log in, in the order they were added.
    pub fn accounts(&self) -> Result<Vec<Account>> {
        let mut stmt = self.conn.prepare(
            "SELECT login, display_name, role, disabled_at IS NOT NULL, password_hash IS NOT NULL, created_at
             FROM users ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                User { login: r.get(0)?, display_name: r.get(1)?, role: r.get(2)? },
                r.get::<_, bool>(3)?,
                r.get::<_, bool>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (user, disabled, has_password, created) = row?;
            out.push(Account { user, disabled, has_password, created_at: parse_time(&created)? });
        }
        Ok(out)
    }

    /// Checks a login. Every wrong password and every unknown login get the same
    /// [`StoreError::BadLogin`], so the message tells no one which logins exist; after
    /// [`MAX_FAILED_LOGINS`] wrong passwords in a row the login is refused for
    /// [`LOCKOUT_MINUTES`], even with the right password. A right password clears the count.
    pub fn verify_login(&mut self, login: &str, password: &str, now: DateTime<Utc>) -> Result<User> {
        let row = self
            .conn
            .query_row(
                "SELECT login, display_name, role, password_hash, disabled_at IS NOT NULL, failed_logins, locked_until
                 FROM users WHERE login = ?1",
                [login.trim()],
                |r| {
                    Ok((
                        User { login: r.get(0)?, display_name: r.get(1)?, role: r.get(2)? },
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, bool>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            )
            .optional()?;
        let Some((user, hash, disabled, failed, locked_until)) = row else {
            // The same work as a real check, so timing does not tell an unknown login either.
            let _ = password_matches(dummy_hash(), password);
            return Err(StoreError::BadLogin);
        };
        if let Some(until) = locked_until.as_deref().map(parse_time).transpose()?.filter(|t| *t > now) {
            return Err(StoreError::LoginLocked { minutes: minutes_until(now, until) });
        }
        let Some(hash) = hash else {
            return Err(StoreError::NoPassword(user.login));
        };
        if !password_matches(&hash, password) {
            let failed = failed + 1;
            if failed >= MAX_FAILED_LOGINS {
                let until = now + chrono::Duration::minutes(LOCKOUT_MINUTES);
                self.conn.execute(
                    "UPDATE users SET failed_logins = 0, locked_until = ?2 WHERE login = ?1",
                    params![user.login, until.to_rfc3339()],
                )?;
                return Err(StoreError::LoginLocked { minutes: LOCKOUT_MINUTES });
            }
            self.conn.execute("UPDATE users SET failed_logins = ?2 WHERE login = ?1", params![user.login, failed])?;
            return Err(StoreError::BadLogin);
        }
        if disabled {
            return Err(StoreError::UserDisabled(user.login));
        }
        self.conn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE login = ?1", [&user.login])?;
        Ok(user)
    }

    /// Sets a user's password (their own change, or an admin's reset; the caller checks who may)
    /// and lifts a lockout.
    pub fn set_password(&mut self, login: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        let n = self.conn.execute(
            "UPDATE users SET password_hash = ?2, failed_logins = 0, locked_until = NULL WHERE login = ?1",
            params![login, hash],
        )?;
        if n == 0 {
            return Err(StoreError::UnknownUser(login.to_string()));
        }
        Ok(())
    }

    /// Disables a user: they cannot log in any more; what they did keeps their name. The last
    /// active admin cannot be disabled, so the desk is never left without one.
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
        Ok(())
    }

    pub fn user(&self, login: &str) -> Result<User> {
        self.conn
            .query_row("SELECT login, display_name, role FROM users WHERE login = ?1", [login], |r| {
                Ok(User { login: r.get(0)?, display_name: r.get(1)?, role: r.get(2)? })
            })
            .optional()?
            .ok_or_else(|| StoreError::UnknownUser(login.to_string()))
    }

    /// The user who was created first (the one `init` made), who acts when none is named.
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
}

/// The argon2id PHC string of `password` with a random salt; refuses a password that is too short.
fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ValidationError::new(format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符"))
            .at("password", "密码")
            .into());
    }
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Password(e.to_string()))
}

fn password_matches(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{phc::PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password is known for, checked against when the login does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&uuid::Uuid::now_v7().to_string()).unwrap_or_default())
}

/// Whole minutes left until `until`, at least one.
fn minutes_until(now: DateTime<Utc>, until: DateTime<Utc>) -> i64 {
    let secs = (until - now).num_seconds().max(1);
    (secs + 59) / 60
}

fn insert_user(conn: &rusqlite::Connection, user: &User, hash: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    let login = validate::required_text("login", "登录名", &user.login)?;
    let name = validate::required_text("display_name", "姓名", &user.display_name)?;
    if !ROLES.contains(&user.role.as_str()) {
        return Err(ValidationError::new(format!("「{}」不是有效角色，应为 {}", user.role, ROLES.join("、")))
            .at("role", "角色")
            .into());
    }
    conn.execute(
        "INSERT INTO users (login, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![login, name, user.role, hash, now.to_rfc3339()],
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

    fn stored_hash(store: &Store, login: &str) -> Option<String> {
        store.conn.query_row("SELECT password_hash FROM users WHERE login = ?1", [login], |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_password_is_kept_only_as_a_salted_argon2_hash() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let clerk = User { login: "zhang".into(), display_name: "张敏".into(), role: "clerk".into() };
        store.add_user(&clerk, Some(PASSWORD), Utc::now()).unwrap();
        let (a, z) = (stored_hash(&store, "admin").unwrap(), stored_hash(&store, "zhang").unwrap());
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert!(!a.contains(PASSWORD) && a != PASSWORD);
        assert_ne!(a, z, "the same password under two random salts");
        assert_eq!(store.verify_login("zhang", PASSWORD, Utc::now()).unwrap(), clerk);
        assert_eq!(store.hall_texts().unwrap().phone, "0377-66012345", "setup writes the hall texts");
    }

    #[test]
    fn wrong_password_and_unknown_login_get_the_same_message() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let wrong = store.verify_login("admin", "not-the-password", Utc::now()).unwrap_err();
        let unknown = store.verify_login("nobody", PASSWORD, Utc::now()).unwrap_err();
        assert_eq!(wrong.to_string(), "用户名或密码错误");
        assert_eq!(unknown.to_string(), wrong.to_string());
        assert_eq!((wrong.code(), unknown.code()), ("bad_login", "bad_login"));
    }

    #[test]
    fn five_wrong_passwords_in_a_row_lock_the_login_for_a_while() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let now = Utc::now();
        for _ in 0..4 {
            assert_eq!(store.verify_login("admin", "wrong-pass", now).unwrap_err().code(), "bad_login");
        }
        // A right password in between would reset the count; here the fifth wrong one locks.
        let locked = store.verify_login("admin", "wrong-pass", now).unwrap_err();
        assert_eq!(locked.code(), "login_locked");
        assert_eq!(locked.to_string(), "连续 5 次密码错误，该用户暂时不能登录，请 5 分钟后再试");
        let still = store.verify_login("admin", PASSWORD, now + chrono::Duration::minutes(2)).unwrap_err();
        assert_eq!(still.to_string(), "连续 5 次密码错误，该用户暂时不能登录，请 3 分钟后再试");
        let later = now + chrono::Duration::minutes(LOCKOUT_MINUTES) + chrono::Duration::seconds(1);
        assert_eq!(store.verify_login("admin", PASSWORD, later).unwrap().login, "admin");
    }

    #[test]
    fn a_right_password_resets_the_count_of_failures() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let now = Utc::now();
        for _ in 0..4 {
            store.verify_login("admin", "wrong-pass", now).unwrap_err();
        }
        store.verify_login("admin", PASSWORD, now).unwrap();
        assert_eq!(store.verify_login("admin", "wrong-pass", now).unwrap_err().code(), "bad_login");
    }

    #[test]
    fn a_disabled_user_cannot_log_in_but_keeps_their_name() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let clerk = User { login: "zhang".into(), display_name: "张敏".into(), role: "clerk".into() };
        store.add_user(&clerk, Some(PASSWORD), Utc::now()).unwrap();
        store.disable_user("zhang", Utc::now()).unwrap();
        let err = store.verify_login("zhang", PASSWORD, Utc::now()).unwrap_err();
        assert_eq!(err.code(), "user_disabled");
        assert_eq!(err.to_string(), "用户「zhang」已停用，不能登录；如有疑问请联系管理员");
        assert_eq!(store.verify_login("zhang", "wrong-pass", Utc::now()).unwrap_err().code(), "bad_login");
        assert_eq!(store.user("zhang").unwrap().display_name, "张敏");
        let accounts = store.accounts().unwrap();
        assert!(accounts.iter().any(|a| a.user.login == "zhang" && a.disabled));
        let last_admin = store.disable_user("admin", Utc::now()).unwrap_err();
        assert!(last_admin.to_string().contains("唯一的管理员"), "{last_admin}");
    }

    #[test]
    fn short_passwords_and_taken_logins_are_refused_and_change_nothing() {
        let (_d, mut store) = temp_store();
        setup_with_admin(&mut store);
        let err = store.set_password("admin", "1234567").unwrap_err();
        assert_eq!(err.to_string(), "密码：密码至少需要 8 个字符");
        store.verify_login("admin", PASSWORD, Utc::now()).unwrap();
        let taken = User { login: "admin".into(), display_name: "另一人".into(), role: "clerk".into() };
        let err = store.add_user(&taken, Some(PASSWORD), Utc::now()).unwrap_err();
        assert_eq!(err.to_string(), "登录名：登录名「admin」已被使用");
        store.set_password("admin", "新的密码12345").unwrap();
        assert_eq!(store.verify_login("admin", PASSWORD, Utc::now()).unwrap_err().code(), "bad_login");
        store.verify_login("admin", "新的密码12345", Utc::now()).unwrap();
    }

    #[test]
    fn a_user_without_a_password_is_told_to_get_one() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let err = store.verify_login("zhang", "whatever1", Utc::now()).unwrap_err();
        assert_eq!(err.code(), "no_password");
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
