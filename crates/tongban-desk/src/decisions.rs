//! The handling region's decisions, made on one of its own desks (the back office): they are
//! appended to the case here and travel to the region's hub with the next sync, like any event.

use chrono::Utc;
use tongban_core::case::{CaseEvent, CaseStatus, EventBody};
use tongban_core::code::{DeskCode, HubCode};
use tongban_core::region;
use tongban_wire::decisions::Decision;

use crate::{AppError, Desk};

impl Desk {
    /// Records `decision` on the case numbered `number` as `user` (the CLI's `--user`; see `Desk::actor`) and
    /// returns the case's new status. Only a desk of the case's handling region decides, and a
    /// decision must carry what the receiving side needs (reason, list, waybill).
    pub fn decide(&self, number: &str, decision: Decision, user: Option<&str>) -> Result<CaseStatus, AppError> {
        self.permit(crate::session::Permission::Decide)?;
        let store = &mut *self.locked()?;
        let case = store.case_by_number(number)?;
        let desk = store.require_desk()?;
        if desk.region != case.handling_region {
            return Err(AppError::new(
                HubCode::NotHandlingRegion,
                format!(
                    "办件 {} 由{}办理，本受理台属于{}，不能作出办理决定",
                    case.number,
                    region::display_name(&case.handling_region),
                    region::display_name(&desk.region)
                ),
            ));
        }
        let mut body = decision.into_event_body();
        if let Some(missing) = body.missing_content() {
            return Err(AppError::new(DeskCode::InvalidInput, missing));
        }
        // 结果已寄出: an S10 waybill with a wrong check digit is refused, the CLI's and the window's.
        if let EventBody::ResultMailed { waybill } = &mut body {
            let checked = tongban_core::waybill::check(waybill)
                .map_err(|e| AppError::from(tongban_store::StoreError::from(e.at("waybill", "运单号"))))?;
            *waybill = checked.number;
        }
        let user = self.actor(user)?;
        let event = CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: case.id,
            at: Utc::now(),
            author: store.author(&user)?,
            body,
        };
        match store.append_local(&event)? {
            tongban_store::Appended::New(status) => Ok(status),
            // A fresh id cannot be present already; say what the case is anyway.
            tongban_store::Appended::AlreadyPresent => Ok(store.case_by_number(number)?.status),
        }
    }
}
