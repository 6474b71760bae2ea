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

const ROLES: [&str; 5] = ["clerk", "helper", "back_office", "supervisor", "admin"];

impl Store {
    /// Sets the desk up once. Refused if the database already belongs to a desk.
    pub fn init_desk(&mut self, setup: &DeskSetup, now: DateTime<Utc>) -> Result<DeskIdentity> {
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

    pub fn add_user(&mut self, user: &User, now: DateTime<Utc>) -> Result<()> {
        insert_user(&self.conn, user, now)
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
