//! Credentials: one per desk, bound to a region and a role, stored as the SHA-256 of a random
//! token. The token is shown once when issued; the hub cannot show it again.
//!
//! Issuing a partner credential is what a 跨省通办 agreement means to the hub: only regions holding
//! one can push cases here.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use sha2::{Digest, Sha256};

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

/// What a credential may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A receiving desk of a partner region: pushes cases addressed here, reads its own cases.
    Partner,
    /// A back-office desk of the hub's own region: reads the inbox, posts decisions.
    BackOffice,
    /// The hub's operator: publishes the catalog.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Partner, Role::BackOffice, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Partner => "partner",
            Role::BackOffice => "back_office",
            Role::Admin => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Partner => "合作地区受理台",
            Role::BackOffice => "本地区后台审批",
            Role::Admin => "通办中心管理员",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// A credential as the hub knows it (never with its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credential {
    pub id: i64,
    pub region: String,
    pub role: Role,
    pub desk: String,
    pub issued_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
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

fn from_row(r: &Row<'_>) -> rusqlite::Result<Credential> {
    let role: String = r.get("role")?;
    Ok(Credential {
        id: r.get("id")?,
        region: r.get("region")?,
        // Only `issue` writes this column, from a Role; anything else means a damaged file.
        role: Role::parse(&role)
            .ok_or_else(|| rusqlite::Error::InvalidColumnType(0, role, rusqlite::types::Type::Text))?,
        desk: r.get("desk")?,
        issued_at: r.get("issued_at")?,
        revoked_at: r.get("revoked_at")?,
    })
}

impl Hub {
    /// Issues a credential for `desk` of `region` with `role`. A partner credential is for another
    /// region; back-office and admin credentials are for the hub's own region (the default when
    /// `region` is `None`).
    pub fn issue_credential(
        &self,
        region: Option<&str>,
        role: Role,
        desk: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedCredential> {
        let desk = desk.trim();
        if desk.is_empty() {
            return Err(HubError::InvalidCredential("请填写凭据发给的受理台名称（--desk）".into()));
        }
        let region = match (role, region.map(str::trim)) {
            (Role::Partner, None) => {
                return Err(HubError::InvalidCredential("合作地区受理台的凭据须指明其地区（--region）".into()))
            }
            (Role::Partner, Some(r)) if r == self.region => {
                return Err(HubError::InvalidCredential(format!(
                    "地区 {} 是本通办中心所在地区：本地区的受理台应使用 back_office 角色",
                    region_label(r)
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
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| HubError::Io(std::io::Error::other(e.to_string())))?;
        let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
        let conn = self.conn();
        let id = conn.query_row(
            "INSERT INTO credentials (token_sha256, region, role, desk, issued_at) VALUES (?1, ?2, ?3, ?4, ?5)
             RETURNING id",
            params![token_hash(&token), region, role.as_str(), desk, now],
            |r| r.get(0),
        )?;
        let credential = Credential { id, region, role, desk: desk.to_string(), issued_at: now, revoked_at: None };
        Ok(IssuedCredential { credential, token })
    }

    /// The live credential this bearer token belongs to, if any.
    pub fn authenticate(&self, token: &str) -> Result<Option<Credential>> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        Ok(self
            .conn()
            .query_row(
                "SELECT * FROM credentials WHERE token_sha256 = ?1 AND revoked_at IS NULL",
                [token_hash(token)],
                from_row,
            )
            .optional()?)
    }

    /// Revokes a credential; its token stops working at once. Revoking twice keeps the first time.
    pub fn revoke_credential(&self, id: i64, now: DateTime<Utc>) -> Result<Credential> {
        let conn = self.conn();
        conn.execute("UPDATE credentials SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1", params![id, now])?;
        conn.query_row("SELECT * FROM credentials WHERE id = ?1", [id], from_row)
            .optional()?
            .ok_or(HubError::UnknownCredential(id))
    }

    /// Every credential ever issued, revoked ones included, oldest first.
    pub fn credentials(&self) -> Result<Vec<Credential>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT * FROM credentials ORDER BY id")?;
        let rows = stmt.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{temp_hub, HUB_REGION};

    #[test]
    fn a_token_authenticates_until_revoked_and_only_its_hash_is_stored() {
        let (_dir, hub) = temp_hub();
        let now = Utc::now();
        let issued = hub.issue_credential(Some("110105"), Role::Partner, "朝阳区政务服务中心1号窗", now).unwrap();
        assert!(issued.token.starts_with("tbh_") && issued.token.len() == 68);
        assert_eq!(hub.authenticate(&issued.token).unwrap(), Some(issued.credential.clone()));
        let stored: String = hub.conn().query_row("SELECT token_sha256 FROM credentials", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, issued.token);
        assert_eq!(hub.authenticate("tbh_0000").unwrap(), None);
        let revoked = hub.revoke_credential(issued.credential.id, now).unwrap();
        assert!(revoked.revoked_at.is_some());
        assert_eq!(hub.authenticate(&issued.token).unwrap(), None);
        assert!(matches!(hub.revoke_credential(99, now), Err(HubError::UnknownCredential(99))));
    }

    #[test]
    fn roles_are_bound_to_the_right_regions() {
        let (_dir, hub) = temp_hub();
        let now = Utc::now();
        let own = hub.issue_credential(None, Role::BackOffice, "审批科", now).unwrap();
        assert_eq!(own.credential.region, HUB_REGION);
        let err = hub.issue_credential(Some(HUB_REGION), Role::Partner, "窗口", now).unwrap_err();
        assert!(err.to_string().contains("应使用 back_office 角色"), "{err}");
        let err = hub.issue_credential(Some("110105"), Role::Admin, "运维", now).unwrap_err();
        assert!(err.to_string().contains("只能发给本通办中心所在地区"), "{err}");
        assert!(matches!(
            hub.issue_credential(Some("999999"), Role::Partner, "x", now),
            Err(HubError::InvalidRegion(_))
        ));
        assert!(hub.issue_credential(Some("110105"), Role::Partner, " ", now).is_err());
        assert_eq!(hub.credentials().unwrap().len(), 1);
    }
}
