//! The events the sync holds back (the quarantine): each with the hub's (or this desk's) reason
//! and what to do, 重新提交 once the cause is fixed, or 放弃 by an admin with a reason.

use chrono::Utc;
use tongban_core::case::{EventBody, EventKind};
use tongban_core::code::{AppCode, DeskCode, HubCode};
use tongban_core::region;
use tongban_store::Direction;

use crate::{AppError, Desk, QuarantineRow};

impl Desk {
    /// Every event the sync holds back, oldest first, with the reason and what to do.
    pub fn quarantine(&self) -> Result<Vec<QuarantineRow>, AppError> {
        self.require_reader()?;
        self.with_store(|store| {
            let hubs = store.hubs()?;
            let mut rows = Vec::new();
            for q in store.quarantined()? {
                let number = match &q.event.body {
                    EventBody::Received { intake } => Some(intake.number.to_string()),
                    _ => store.case_state(q.event.case_id).ok().map(|s| s.intake.number.to_string()),
                };
                rows.push(QuarantineRow {
                    event_id: q.event.id.to_string(),
                    number,
                    event_label: q.event.body.kind().label().into(),
                    direction_label: q.direction.label().into(),
                    outgoing: q.direction == Direction::Outgoing,
                    hub_name: hubs
                        .iter()
                        .find(|h| h.region == q.hub_region)
                        .map_or_else(|| region::display_name(&q.hub_region), |h| h.name.clone()),
                    advice: advice(&q.code, q.direction).into(),
                    discardable: q.event.body.kind() != EventKind::Received,
                    code: q.code,
                    message: q.message,
                    at: q.at.to_rfc3339(),
                });
            }
            Ok(rows)
        })
    }

    /// 重新提交: releases a quarantined event once its cause is fixed. An outgoing one goes to
    /// the hub with the next sync; an incoming one is applied now, or stays with the new reason.
    pub fn resubmit_quarantined(&self, event_id: &str) -> Result<(), AppError> {
        self.require_reader()?;
        let id = uuid::Uuid::parse_str(event_id.trim()).map_err(|_| {
            AppError::new(
                DeskCode::InvalidInput,
                format!("事件标识「{event_id}」无效，请在隔离区列表中选择要重新提交的事件"),
            )
        })?;
        self.with_store(|store| store.release_quarantined(id, Utc::now())).map_err(|e| match e.code {
            AppCode::Hub(HubCode::InvalidTransition) => {
                AppError::new(e.code, format!("仍无法接收：{}。请先同步取得之前的事件，再重新提交", e.message))
            }
            _ => e,
        })
    }

    /// 放弃: an admin gives up a quarantined event with a reason (recorded with who and when).
    /// One made here stays in its case's history as 已放弃 and out of its status, with the later
    /// events of the case that no hub holds yet; one a hub sent is kept aside with the reason.
    pub fn discard_quarantined(&self, event_id: &str, reason: &str) -> Result<(), AppError> {
        self.permit(crate::session::Permission::Administer)?;
        let id = uuid::Uuid::parse_str(event_id.trim()).map_err(|_| {
            AppError::new(
                DeskCode::InvalidInput,
                format!("事件标识「{event_id}」无效，请在隔离区列表中选择要放弃的事件"),
            )
        })?;
        if reason.trim().is_empty() {
            return Err(AppError {
                field: Some("reason".into()),
                ..AppError::new(DeskCode::InvalidInput, "请写明放弃的原因：它与事件一起留作记录")
            });
        }
        let admin = self.actor(None)?;
        let store = &mut *self.locked()?;
        store.discard_quarantined(id, reason, &admin, Utc::now())?;
        Ok(())
    }
}

/// What to do about a quarantined event before 重新提交, by the hub's (or this desk's) code.
fn advice(code: &str, direction: Direction) -> &'static str {
    match (code, direction) {
        ("not_party", _) | ("forbidden", _) => {
            "本地区与该通办中心的地区尚无通办协议，或凭证不属于本地区：请与对方核对协议和凭证（tongban partner add 重新配置），再重新提交"
        }
        ("wrong_region", _) | ("unauthorized", _) => {
            "凭证与本受理台的地区不符或已失效：请向通办中心重新申领本地区的凭证并配置，再重新提交"
        }
        ("invalid_transition", Direction::Outgoing) | ("unknown_case", Direction::Outgoing) => {
            "通办中心的办件状态与本机不同：先同步（F5）取得对方的最新决定，确认后再重新提交"
        }
        ("invalid_transition", Direction::Incoming) | ("unknown_case", Direction::Incoming) => {
            "本机缺少该办件之前的事件：先同步（F5），等之前的事件到达后再重新提交"
        }
        ("event_conflict", _) | ("constraint", _) => {
            "同一事件在两处的内容不同，重新提交不会成功：请联系技术支持核对；管理员可写明原因后放弃"
        }
        ("number_not_own", _) | ("number_taken", _) => {
            "办件编号不属于本受理台的窗口代码或已被占用：请管理员更正窗口代码并更正该办件的编号（tongban case renumber），再重新提交"
        }
        ("desk_code_taken", _) | ("desk_code_mismatch", _) | ("credential_revoked", _) | ("credential_outdated", _) => {
            "本受理台的身份未获通办中心确认：请管理员核对窗口代码并申领新的凭据，再重新提交"
        }
        ("invalid_intake", _) | ("catalog_mismatch", _) => {
            "收件信息不符合规则或与事项清单不符：核对后由管理员写明原因放弃，重新收件"
        }
        ("not_own_case", _) | ("not_handling_region", _) => {
            "本受理台无权为该办件记录此事件：管理员可写明原因后放弃"
        }
        ("wrong_side", _) | ("local_event", _) | ("invalid_event", _) => {
            "该事件本身不符合规则，重新提交不会成功：请联系技术支持"
        }
        ("missing_blob", _) => "通办中心缺少该事件引用的扫描件：同步会先补传扫描件，之后重新提交",
        ("bad_signature", _) | ("unsigned", _) => {
            "该事件不是由登记的签名公钥签发的，可能在途中被篡改或有人冒充：不会被采用。同步会向通办中心重新拉取真实的事件并自动替换；一再出现时请电话告知该通办中心的管理员"
        }
        _ => "排除上述原因后点「重新提交」；不清楚原因时请联系技术支持",
    }
}
