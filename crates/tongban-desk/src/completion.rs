//! What the applicant brings back and what reaches them: 补正收件 (or 补交容缺材料) records the
//! materials and scans brought to the window, 结果已送达 the result handed over or mailed. Which
//! events fit a status is asked of core's state machine.

use chrono::Utc;
use tongban_core::case::{check_side, CaseEvent, CaseStatus, EventBody, EventKind, Material, Side};
use tongban_core::code::{DeskCode, HubCode};
use tongban_core::region;
use tongban_store::{CaseSummary, Store};

use crate::api::*;
use crate::session::Permission;
use crate::{AppError, Desk, FormKind};

impl Desk {
    /// 补正收件: records the materials the applicant brought (and their scans) as the receiving
    /// side's event — 补齐材料 for a case 待补正, 告知补正 and 提交补正材料 for a partner's 需补正
    /// — all or nothing, then prints the 收件登记表 (or a new 一次性告知书 if something required
    /// is still missing). A failed print leaves the materials recorded and says why.
    pub fn complete_case(&self, number: &str, completion: &Completion) -> Result<Completed, AppError> {
        self.permit(Permission::TakeIn)?;
        let (status, missing) = {
            let mut store = self.locked()?;
            let summary = store.case_by_number(number)?;
            let state = store.case_state(summary.id)?;
            let desk = store.require_desk()?;
            check_receiving(&desk.region, &summary, EventKind::Completed)?;
            let refused = || {
                AppError::new(
                    HubCode::InvalidTransition,
                    format!(
                        "办件 {} 状态为「{}」，没有待补正的材料，不能补正收件",
                        summary.number,
                        state.status.label()
                    ),
                )
            };
            // The status is checked before the ticks, so the clerk hears the real reason first.
            let owes = tongban_core::case::owed(&state.materials).next().is_some();
            completion_steps(state.status, state.materials.clone(), owes).ok_or_else(refused)?;
            let materials = ticked(&store, &state.materials, &completion.materials)?;
            let steps = completion_steps(state.status, materials.clone(), owes).ok_or_else(refused)?;
            let author = store.author(&self.actor(None)?)?;
            let now = Utc::now();
            let events: Vec<CaseEvent> = steps
                .into_iter()
                .map(|body| CaseEvent {
                    id: uuid::Uuid::now_v7(),
                    case_id: summary.id,
                    at: now,
                    author: author.clone(),
                    body,
                })
                .collect();
            store.append_batch(&events, true)?;
            let missing: Vec<String> = tongban_core::case::missing(&materials).map(|m| m.name.clone()).collect();
            (store.case_by_number(number)?.status, missing)
        };
        let form = if status == CaseStatus::AwaitingMaterials { FormKind::Notice } else { FormKind::Receipt };
        let (print, print_error) = match self.print_case_form(form, number, completion.then.unwrap_or(AfterPrint::Open))
        {
            Ok(outcome) => (Some(outcome), None),
            Err(e) => (None, Some(e.message)),
        };
        Ok(Completed { status, status_label: status.label().to_string(), missing, form, print, print_error })
    }

    /// 结果已送达: the result reached the applicant, at the window or by mail (with its waybill).
    pub fn record_delivery(&self, number: &str, record: &DeliveryRecord) -> Result<CaseStatus, AppError> {
        self.permit(Permission::TakeIn)?;
        let mut store = self.locked()?;
        let summary = store.case_by_number(number)?;
        let desk = store.require_desk()?;
        check_receiving(&desk.region, &summary, EventKind::Delivered)?;
        let extra = record.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        let how = match record.way {
            DeliveryWay::AtWindow => "窗口领取".to_string(),
            DeliveryWay::Mail => {
                let waybill =
                    record.waybill.as_deref().map(str::trim).filter(|w| !w.is_empty()).ok_or_else(|| AppError {
                        field: Some("waybill".into()),
                        ..AppError::new(DeskCode::InvalidInput, "邮寄送达须填写运单号")
                    })?;
                format!("邮寄送达，运单号 {waybill}")
            }
        };
        let note = match extra {
            Some(extra) => format!("{how}；{extra}"),
            None => how,
        };
        let event = CaseEvent {
            id: uuid::Uuid::now_v7(),
            case_id: summary.id,
            at: Utc::now(),
            author: store.author(&self.actor(None)?)?,
            body: EventBody::Delivered { note },
        };
        store.append_local(&event)?;
        Ok(store.case_by_number(number)?.status)
    }
}

/// The events recording what the applicant brought: 补齐材料, 提交补正材料 (after 告知补正), or,
/// in any other status of a case that `owes` 容缺 materials, 补交容缺材料.
pub(crate) fn completion_steps(status: CaseStatus, materials: Vec<Material>, owes: bool) -> Option<Vec<EventBody>> {
    let candidates = [
        vec![EventBody::Completed { materials: materials.clone() }],
        vec![EventBody::Supplemented { materials: materials.clone() }],
        vec![EventBody::SupplementNotified, EventBody::Supplemented { materials: materials.clone() }],
    ];
    let fits = |steps: &Vec<EventBody>| steps.iter().try_fold(status, |s, e| CaseStatus::apply(Some(s), e)).is_ok();
    candidates.into_iter().find(fits).or_else(|| {
        let owed = vec![EventBody::OwedReceived { materials }];
        (owes && fits(&owed)).then_some(owed)
    })
}

/// Whether the applicant has materials to bring in this status (补正收件 fits it).
pub(crate) fn awaits_applicant(status: CaseStatus) -> bool {
    completion_steps(status, Vec::new(), false).is_some()
}

/// Refuses an event of the receiving side on a desk that is not the case's receiving region.
pub(crate) fn check_receiving(desk_region: &str, case: &CaseSummary, kind: EventKind) -> Result<(), AppError> {
    let side = if desk_region == case.receiving_region { Side::Receiving } else { Side::Handling };
    check_side(kind, side).map_err(|e| {
        AppError::new(
            HubCode::WrongSide,
            format!("{e}：办件 {} 由{}受理", case.number, region::display_name(&case.receiving_region)),
        )
    })
}

/// The case's materials with the clerk's ticks applied: what was received stays received,
/// scans are added once each, and every scan must already be kept here.
fn ticked(store: &Store, current: &[Material], ticks: &[MaterialTick]) -> Result<Vec<Material>, AppError> {
    let mut out = current.to_vec();
    for tick in ticks {
        let m = out.get_mut(tick.position as usize).ok_or_else(|| {
            AppError::new(
                DeskCode::InvalidInput,
                format!("办件没有第 {} 项材料（共 {} 项，含条件材料）", tick.position + 1, current.len()),
            )
        })?;
        m.received |= tick.received || !tick.scans.is_empty();
        m.original_verified |= tick.original_verified;
        require_kept_scans(store, &m.name, &tick.scans)?;
        for sha in &tick.scans {
            if !m.scans.contains(sha) {
                m.scans.push(sha.clone());
            }
        }
    }
    if out == current {
        return Err(AppError::new(DeskCode::InvalidInput, "没有勾选申请人本次提交的材料，也没有附加扫描件"));
    }
    Ok(out)
}

/// A case may only cite scans this desk keeps: the sync uploads them before the events.
pub(crate) fn require_kept_scans(store: &Store, material: &str, scans: &[String]) -> Result<(), AppError> {
    for sha in scans {
        if store.blob_info(sha)?.is_none() {
            return Err(AppError::new(
                HubCode::MissingBlob,
                format!("材料「{material}」的扫描件尚未保存到本机，请重新附加"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_applicant_is_awaited_while_something_is_to_be_supplemented() {
        let awaited: Vec<CaseStatus> = CaseStatus::ALL.into_iter().filter(|s| awaits_applicant(*s)).collect();
        assert_eq!(
            awaited,
            [CaseStatus::AwaitingMaterials, CaseStatus::Supplementing, CaseStatus::SupplementRequested]
        );
    }
}
