//! Credentials: one per desk, bound to a region, a desk code and a role, stored as the SHA-256 of
//! a random token. The token is shown once when issued; the hub cannot show it again.
//!
//! Issuing a window credential to another region's desk is what a 跨省通办 agreement means to
//! the hub: only desks holding one can push cases here. A desk is an identity: a region and its
//! desk code, held by one live credential, confirmed by one desk (its setup UUID).

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;
use sha2::{Digest, Sha256};

use tongban_core::case::DeskCode;
use tongban_wire::desks::{DeskClaim, DeskConfirmation};

use crate::db::Row;
use crate::{region_label, Hub, HubError, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE credentials (
    id           INTEGER PRIMARY KEY,
    token_sha256 TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the bearer token; the token itself is never kept
    region       TEXT NOT NULL,
    role         TEXT NOT NULL,         -- partner | back_office | admin
    desk         TEXT NOT NULL,         -- the desk (or system) it was issued to, for people
    issued_at    TEXT NOT NULL,
    revoked_at   TEXT
);
";

/// Step 3: a credential is issued for one desk: its region, its desk code (the third part of
/// every 办件编号 it gives) and its scope. The desk that first confirms the credential is bound to
/// it by the id it made when it was set up, so a copied token cannot make a second desk of the
/// same code. One live credential per (region, desk code): the hub's own region's credentials are
/// the region's registry of desk codes.
pub(crate) const SCHEMA_V3: &str = "
ALTER TABLE credentials ADD COLUMN desk_code TEXT;     -- NULL for admin credentials and those issued before desk codes
ALTER TABLE credentials ADD COLUMN desk_id TEXT;       -- the desk (its setup UUID) that confirmed it; NULL until then
ALTER TABLE credentials ADD COLUMN confirmed_at TEXT;
CREATE UNIQUE INDEX credentials_one_per_desk ON credentials (region, desk_code)
    WHERE revoked_at IS NULL AND desk_code IS NOT NULL;
";

/// What a credential may do: its role, and with it the cases it sees (its scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A service hall's window desk: pushes the cases it takes in, reads only those (and the
    /// handling region's events on them). `partner` on the command line, as before.
    Window,
    /// A 帮办代办 helper's laptop: the same scope as a window; its laptop holds only its own
    /// applicants.
    Helper,
    /// A back-office desk of the hub's own region: reads the region's inbox (every case the hub
    /// holds), posts decisions.
    BackOffice,
    /// A supervisor's desk: reads every case of its region (received or handled there) on this
    /// hub, and writes nothing.
    Supervisor,
    /// The hub's operator: publishes the catalog. Not a desk.
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Window, Role::Helper, Role::BackOffice, Role::Supervisor, Role::Admin];
    /// Desks that take cases in: their scope is their own intakes.
    pub const RECEIVING: [Role; 2] = [Role::Window, Role::Helper];
    /// Every role a desk holds (all but admin).
    pub const DESKS: [Role; 4] = [Role::Window, Role::Helper, Role::BackOffice, Role::Supervisor];
    /// Desks that write events and scans.
    pub const WRITERS: [Role; 3] = [Role::Window, Role::Helper, Role::BackOffice];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Window => "window",
            Role::Helper => "helper",
            Role::BackOffice => "back_office",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Window => "窗口受理台",
            Role::Helper => "帮办代办",
            Role::BackOffice => "本地区后台审批",
            Role::Supervisor => "督查（只读）",
            Role::Admin => "通办中心管理员",
        }
    }

    /// What the credential sees, in words, for the desk's partners view and the admin's list.
    pub fn scope_label(self) -> &'static str {
        match self {
            Role::Window | Role::Helper => "仅本受理台收件的办件",
            Role::BackOffice => "本地区收件箱（全部办件）",
            Role::Supervisor => "本地区的全部办件（只读）",
            Role::Admin => "不读取办件",
        }
    }

    /// The stored and command-line name; `partner` is the window role's name from before scopes.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "partner" => Some(Role::Window),
            s => Role::ALL.into_iter().find(|r| r.as_str() == s),
        }
    }

    pub fn is_desk(self) -> bool {
        self != Role::Admin
    }
}

/// A credential as the hub knows it (never with its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credential {
    pub id: i64,
    pub region: String,
    pub role: Role,
    /// The desk's code within its region; `None` for admin credentials, and for desk credentials
    /// issued before desk codes existed, which the hub no longer honours for desk work.
    pub desk_code: Option<String>,
    /// Who the credential is for, for people ("新野县政务服务中心1号窗").
    pub desk: String,
    /// The desk that confirmed the credential (the UUID it made when it was set up).
    pub desk_id: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl Credential {
    /// "新野县政务服务中心1号窗（411329，窗口代码 A1）", for messages.
    pub fn who(&self) -> String {
        match &self.desk_code {
            Some(code) => format!("{}（{}，窗口代码 {code}）", self.desk, self.region),
            None => format!("{}（{}）", self.desk, self.region),
        }
    }
}

/// A credential just issued, with the token to hand to the desk.
#[derive(Debug, Clone)]
pub struct IssuedCredential {
    pub credential: Credential,
    pub token: String,
}

/// Tokens carry a recognisable prefix so a leaked one is easy to spot in logs and repositories.
const TOKEN_PREFIX: &str = "tbh_";

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A credential's columns in the order [`from_row`] reads them.
const SELECT: &str =
    "SELECT id, region, role, desk_code, desk, desk_id, confirmed_at, issued_at, revoked_at FROM credentials";

fn from_row(r: &Row<'_, '_>) -> rusqlite::Result<Credential> {
    let role: String = r.get(2)?;
    Ok(Credential {
        id: r.get(0)?,
        region: r.get(1)?,
        // Only `issue` writes this column, from a Role; anything else means a damaged file.
        role: Role::parse(&role)
            .ok_or_else(|| rusqlite::Error::InvalidColumnType(2, role, rusqlite::types::Type::Text))?,
        desk_code: r.get(3)?,
        desk: r.get(4)?,
        desk_id: r.get(5)?,
        confirmed_at: r.get(6)?,
        issued_at: r.get(7)?,
        revoked_at: r.get(8)?,
    })
}

/// What authenticating a bearer token found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticated {
    Live(Credential),
    /// The token was issued here and revoked: the desk is told so, not that it is unknown.
    Revoked(Credential),
    Unknown,
}

impl Hub {
    /// Issues a credential for the desk `desk_code` of `region` with `role`; `desk` names it for
    /// people. Window, helper and supervisor desks may be of any region (the hub's own region's
    /// are its registry of desk codes); back-office and admin credentials are for the hub's own
    /// region (the default when `region` is `None`). Every desk role needs a desk code, and only
    /// one live credential may name a region's desk code.
    pub fn issue_credential(
        &self,
        region: Option<&str>,
        role: Role,
        desk_code: Option<&str>,
        desk: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedCredential> {
        let desk = desk.trim();
        if desk.is_empty() {
            return Err(HubError::InvalidCredential("请填写凭据发给的受理台名称（--desk）".into()));
        }
        let region = match (role, region.map(str::trim)) {
            (Role::Window | Role::Helper | Role::Supervisor, None) => {
                return Err(HubError::InvalidCredential(format!(
                    "「{}」凭据须指明受理台所在地区（--region）",
                    role.label()
                )))
            }
            (Role::BackOffice | Role::Admin, Some(r)) if r != self.region => {
                return Err(HubError::InvalidCredential(format!(
                    "「{}」凭据只能发给本通办中心所在地区 {}，不能发给 {}",
                    role.label(),
                    region_label(&self.region),
                    region_label(r)
                )))
            }
            (_, Some(r)) => r.to_string(),
            (_, None) => self.region.clone(),
        };
        if !tongban_core::region::is_valid_code(&region) {
            return Err(HubError::InvalidRegion(region));
        }
        let desk_code = match (role, desk_code.map(str::trim).filter(|c| !c.is_empty())) {
            (Role::Admin, None) => None,
            (Role::Admin, Some(_)) => {
                return Err(HubError::InvalidCredential("管理员凭据不属于受理台，不需要窗口代码（--desk-code）".into()))
            }
            (_, None) => {
                return Err(HubError::InvalidCredential(format!(
                    "「{}」凭据须指明受理台的窗口代码（--desk-code），即该受理台办件编号中的窗口代码",
                    role.label()
                )))
            }
            (_, Some(code)) => Some(
                DeskCode::parse(code)
                    .map_err(|e| HubError::InvalidCredential(format!("窗口代码「{code}」无效：{e}")))?
                    .as_str()
                    .to_string(),
            ),
        };
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| HubError::Io(std::io::Error::other(e.to_string())))?;
        let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
        let id = self.db.write(|conn| {
            if let Some(code) = &desk_code {
                let holder = conn.query_opt(
                    &format!("{SELECT} WHERE region = ?1 AND desk_code = ?2 AND revoked_at IS NULL"),
                    params![region, code],
                    from_row,
                )?;
                if let Some(holder) = holder {
                    return Err(HubError::DeskCodeIssued(Box::new(holder)));
                }
            }
            conn.query_row(
                "INSERT INTO credentials (token_sha256, region, role, desk, issued_at, desk_code)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
                params![token_hash(&token), region, role.as_str(), desk, now, desk_code],
                |r| r.get(0),
            )
        })?;
        let credential = Credential {
            id,
            region,
            role,
            desk_code,
            desk: desk.to_string(),
            desk_id: None,
            confirmed_at: None,
            issued_at: now,
            revoked_at: None,
        };
        Ok(IssuedCredential { credential, token })
    }

    /// The credential this bearer token belongs to, live or revoked.
    pub fn authenticate(&self, token: &str) -> Result<Authenticated> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(Authenticated::Unknown);
        }
        let found = self.db.read(|c| {
            c.query_opt(&format!("{SELECT} WHERE token_sha256 = ?1"), params![token_hash(token)], from_row)
        })?;
        Ok(match found {
            Some(c) if c.revoked_at.is_some() => Authenticated::Revoked(c),
            Some(c) => Authenticated::Live(c),
            None => Authenticated::Unknown,
        })
    }

    /// Revokes a credential; its token stops working at once. Revoking twice keeps the first time.
    pub fn revoke_credential(&self, id: i64, now: DateTime<Utc>) -> Result<Credential> {
        self.db
            .write(|conn| {
                conn.execute(
                    "UPDATE credentials SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
                    params![id, now],
                )?;
                conn.query_opt(&format!("{SELECT} WHERE id = ?1"), params![id], from_row)
            })?
            .ok_or(HubError::UnknownCredential(id))
    }

    /// Every credential ever issued, revoked ones included, oldest first.
    pub fn credentials(&self) -> Result<Vec<Credential>> {
        self.db.read(|c| c.query_map(&format!("{SELECT} ORDER BY id"), &[], from_row))
    }

    /// Binds the desk that presents `claim` to `caller`'s credential, or says why it may not work
    /// under it: its region or desk code is not the credential's, or another desk confirmed the
    /// credential first (its token was copied to a second desk set up with the same code).
    /// Confirming again from the same desk changes nothing.
    pub fn confirm_desk(&self, caller: &Credential, claim: &DeskClaim, now: DateTime<Utc>) -> Result<DeskConfirmation> {
        let code = desk_code_of(caller)?;
        if claim.region.trim() != caller.region {
            return Err(HubError::WrongRegion {
                author: region_label(claim.region.trim()),
                credential: region_label(&caller.region),
            });
        }
        let claimed = DeskCode::parse(&claim.desk_code)
            .map_err(|e| HubError::InvalidRequest(format!("窗口代码「{}」无效：{e}", claim.desk_code.trim())))?;
        if claimed.as_str() != code {
            return Err(HubError::DeskCodeMismatch { desk: claimed.as_str().to_string(), credential: caller.who() });
        }
        let desk_id = claim.desk_id.trim();
        if desk_id.is_empty() || desk_id.chars().count() > 64 || desk_id.chars().any(char::is_control) {
            return Err(HubError::InvalidRequest("受理台标识（desk_id）应为 1 至 64 个字符".into()));
        }
        // Only a credential nobody confirmed yet is bound; the row read back says who holds it.
        let bound = self.db.write(|conn| {
            conn.execute(
                "UPDATE credentials SET desk_id = ?2, confirmed_at = ?3 WHERE id = ?1 AND desk_id IS NULL",
                params![caller.id, desk_id, now],
            )?;
            conn.query_row(&format!("{SELECT} WHERE id = ?1"), params![caller.id], from_row)
        })?;
        if bound.desk_id.as_deref() != Some(desk_id) {
            return Err(HubError::DeskCodeTaken(Box::new(bound)));
        }
        Ok(DeskConfirmation {
            region: bound.region.clone(),
            desk_code: code.to_string(),
            role: bound.role.as_str().to_string(),
            role_label: bound.role.label().to_string(),
            scope_label: bound.role.scope_label().to_string(),
            desk: bound.desk.clone(),
            confirmed_at: bound.confirmed_at.unwrap_or(now),
        })
    }
}

/// The desk code of a desk credential, or why the credential cannot do desk work.
pub(crate) fn desk_code_of(caller: &Credential) -> Result<&str> {
    match (&caller.desk_code, caller.role) {
        (Some(code), _) => Ok(code),
        (None, Role::Admin) => Err(HubError::NotADesk),
        (None, _) => Err(HubError::CredentialOutdated(caller.id)),
    }
}

/// The desk a desk credential was confirmed by, or why it cannot write yet.
pub(crate) fn confirmed_desk(caller: &Credential) -> Result<&str> {
    desk_code_of(caller)?;
    caller.desk_id.as_deref().ok_or(HubError::DeskUnconfirmed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{temp_hub, HUB_REGION};

    #[test]
    fn a_token_authenticates_until_revoked_and_only_its_hash_is_stored() {
        let (_dir, hub) = temp_hub();
        let now = Utc::now();
        let issued =
            hub.issue_credential(Some("110105"), Role::Window, Some("A1"), "朝阳区政务服务中心1号窗", now).unwrap();
        assert!(issued.token.starts_with("tbh_") && issued.token.len() == 68);
        assert_eq!(hub.authenticate(&issued.token).unwrap(), Authenticated::Live(issued.credential.clone()));
        let stored: String = hub.conn().query_row("SELECT token_sha256 FROM credentials", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, issued.token);
        assert_eq!(hub.authenticate("tbh_0000").unwrap(), Authenticated::Unknown);
        let revoked = hub.revoke_credential(issued.credential.id, now).unwrap();
        assert!(revoked.revoked_at.is_some());
        assert!(matches!(hub.authenticate(&issued.token).unwrap(), Authenticated::Revoked(c) if c.id == revoked.id));
        assert!(matches!(hub.revoke_credential(99, now), Err(HubError::UnknownCredential(99))));
    }

    #[test]
    fn roles_are_bound_to_the_right_regions() {
        let (_dir, hub) = temp_hub();
        let now = Utc::now();
        let own = hub.issue_credential(None, Role::BackOffice, Some("S1"), "审批科", now).unwrap();
        assert_eq!(own.credential.region, HUB_REGION);
        // The hub's own region's windows register their codes here (the region's registry).
        let window = hub.issue_credential(Some(HUB_REGION), Role::Window, Some("A1"), "窗口", now).unwrap();
        assert_eq!(window.credential.desk_code.as_deref(), Some("A1"));
        let err = hub.issue_credential(Some("110105"), Role::Admin, None, "运维", now).unwrap_err();
        assert!(err.to_string().contains("只能发给本通办中心所在地区"), "{err}");
        let err = hub.issue_credential(Some("110105"), Role::BackOffice, Some("S1"), "审批", now).unwrap_err();
        assert!(err.to_string().contains("只能发给本通办中心所在地区"), "{err}");
        let err = hub.issue_credential(None, Role::Helper, Some("H1"), "帮办", now).unwrap_err();
        assert!(err.to_string().contains("须指明受理台所在地区"), "{err}");
        assert!(matches!(
            hub.issue_credential(Some("999999"), Role::Window, Some("A1"), "x", now),
            Err(HubError::InvalidRegion(_))
        ));
        assert!(hub.issue_credential(Some("110105"), Role::Window, Some("A1"), " ", now).is_err());
        assert_eq!(hub.credentials().unwrap().len(), 2);
    }

    #[test]
    fn the_command_lines_role_names_parse_partner_as_a_window() {
        assert_eq!(Role::parse("partner"), Some(Role::Window));
        assert_eq!(Role::parse(" supervisor "), Some(Role::Supervisor));
        assert_eq!(Role::parse("owner"), None);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }
}
