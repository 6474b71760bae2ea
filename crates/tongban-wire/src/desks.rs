//! A desk confirming who it is: the first thing every sync round does with a hub.
//!
//! A credential is issued for one desk: a region, a desk code (the third part of the desk's every
//! 办件编号) and a scope. The desk says which desk it is; the hub binds the credential to the
//! first desk that confirms it and refuses any other (a token copied to a second desk set up with
//! the same code), and refuses a desk whose code is not the credential's. Only a confirmed desk
//! pushes events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `PUT /v1/desk`: the desk as it was set up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeskClaim {
    /// The desk's id, made when it was set up (a UUID); every event it makes names it as author.
    pub desk_id: String,
    /// The desk's region (GB/T 2260); must be the credential's.
    pub region: String,
    /// The desk's code within its region; must be the credential's.
    pub desk_code: String,
    /// Hall and window, for the hub's operator.
    #[serde(default)]
    pub name: String,
}

/// What the hub holds the desk to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeskConfirmation {
    pub region: String,
    pub desk_code: String,
    /// `window`, `helper`, `back_office` or `supervisor`.
    pub role: String,
    /// The role in Chinese (窗口受理台, …).
    pub role_label: String,
    /// What the credential reads, in Chinese (仅本受理台收件的办件, …).
    pub scope_label: String,
    /// Who the credential was issued to, as the hub's operator wrote it.
    pub desk: String,
    /// When the desk first confirmed the credential.
    pub confirmed_at: DateTime<Utc>,
}
