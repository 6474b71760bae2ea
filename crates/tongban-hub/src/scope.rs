//! Who sees what: the cases a credential may read, by its role.
//!
//! - a window or helper desk: the cases it took in (the receiving desk's code is its own), with
//!   the handling region's events on them; a helper's laptop holds only its own applicants;
//! - a back-office desk of the hub's region: the region's inbox, every case the hub holds (all
//!   of them are handled here);
//! - a supervisor: every case of its region on this hub, received or handled there, read-only;
//! - an admin: no cases.
//!
//! Pulls and scan downloads ask the same [`Scope`], so a desk can fetch a scan only when it may
//! see a case citing it (or uploaded it itself).

use rusqlite::ToSql;

use crate::credentials::{desk_code_of, Credential, Role};
use crate::{HubError, Result};

/// What one credential reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The cases desk `code` of `region` took in.
    OwnIntakes { region: String, code: String },
    /// Every case the hub holds (they are all handled by `region`, the hub's).
    Handled { region: String },
    /// Every case `region` received or handles.
    Region { region: String },
}

impl Scope {
    pub(crate) fn of(caller: &Credential) -> Result<Scope> {
        let region = caller.region.clone();
        Ok(match caller.role {
            Role::Window | Role::Helper => Scope::OwnIntakes { region, code: desk_code_of(caller)?.to_string() },
            Role::BackOffice => {
                desk_code_of(caller)?;
                Scope::Handled { region }
            }
            Role::Supervisor => {
                desk_code_of(caller)?;
                Scope::Region { region }
            }
            Role::Admin => return Err(HubError::NotADesk),
        })
    }

    /// The values of the conditions' parameters, in order: the region, then (for a desk's own
    /// intakes) its desk code.
    pub(crate) fn params(&self) -> Vec<&dyn ToSql> {
        match self {
            Scope::OwnIntakes { region, code } => vec![region as &dyn ToSql, code as &dyn ToSql],
            Scope::Handled { region } | Scope::Region { region } => vec![region as &dyn ToSql],
        }
    }

    /// The rows of `events` in scope; each condition walks an index that leads with its columns.
    /// Its region is the parameter `?{first}` (and its desk code the next).
    pub(crate) fn events_condition(&self, first: usize) -> String {
        let (region, desk) = (first, first + 1);
        match self {
            Scope::OwnIntakes { .. } => format!("(receiving_region = ?{region} AND receiving_desk = ?{desk})"),
            Scope::Handled { .. } => format!("(handling_region = ?{region})"),
            Scope::Region { .. } => format!("(receiving_region = ?{region} OR handling_region = ?{region})"),
        }
    }

    /// The rows of `cases` (aliased `c`) in scope, its parameters numbered as in
    /// [`Scope::events_condition`].
    pub(crate) fn cases_condition(&self, first: usize) -> String {
        let (region, desk) = (first, first + 1);
        match self {
            Scope::OwnIntakes { .. } => format!("(c.receiving_region = ?{region} AND c.desk_code = ?{desk})"),
            Scope::Handled { .. } => format!("(c.handling_region = ?{region})"),
            Scope::Region { .. } => format!("(c.receiving_region = ?{region} OR c.handling_region = ?{region})"),
        }
    }
}
