//! 更正编号: an admin moves a case this desk took in under a desk code another desk holds to the
//! desk's corrected code. The case keeps its id and status; the move is an event that goes to the
//! case's hub like any other, and the 收件登记表 printed after it (补打) carries the new number.

use chrono::Utc;

use crate::session::Permission;
use crate::{AppError, Desk};

impl Desk {
    /// Moves the case numbered `number` to the next number of this desk's code, as the acting
    /// admin, with `reason` (a default naming both codes when empty). Returns the new number.
    pub fn renumber_case(&self, number: &str, reason: &str, user: Option<&str>) -> Result<String, AppError> {
        self.permit(Permission::Administer)?;
        let admin = self.actor(user)?;
        let store = &mut *self.locked()?;
        Ok(store.renumber_case(number, &admin, reason, Utc::now())?.to_string())
    }

    /// The cases this desk took in under another code than its own, oldest first: what an admin
    /// moves after correcting the desk code.
    pub fn cases_under_other_codes(&self) -> Result<Vec<String>, AppError> {
        self.require_reader()?;
        Ok(self.locked()?.cases_under_other_codes()?)
    }
}
