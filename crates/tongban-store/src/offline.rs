//! The offline guardrail's facts: when each partner's hub last answered (the `hub_sync` table),
//! the hall's limits (settings) and an admin's lifts, each kept here and in the audit chain. The
//! rule itself is `tongban_core::offline`; `create_case` enforces it, so no path takes a case in
//! for a partner past the limit.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use tongban_core::offline::{self, Lift, OfflineLevel, OfflineVerdict, LIFT_HOURS};
use tongban_core::region;
use tongban_core::validate::ValidationError;

use crate::audit::append_in;
use crate::desk::parse_time;
use crate::{AuditKind, Result, Store, StoreError};

pub(crate) const SCHEMA_V13: &str = "
CREATE TABLE offline_lifts (                    -- an admin let intakes go on for a partner past the limit
    id         INTEGER PRIMARY KEY,
    region     TEXT NOT NULL,                    -- the partner (a configured hub's region)
    lifted_at  TEXT NOT NULL,
    until      TEXT NOT NULL,
    reason     TEXT NOT NULL,
    lifted_by  TEXT NOT NULL                     -- login; the lift is also in the audit chain
);
CREATE INDEX offline_lifts_region ON offline_lifts (region, until);
-- Waybills as typed, so one typed again for another case is found at once (`waybill_cases`).
CREATE INDEX events_intake_waybill ON events (upper(json_extract(body, '$.intake.transfer.waybill')))
    WHERE kind = 'received';
CREATE INDEX events_result_waybill ON events (upper(json_extract(body, '$.waybill')))
    WHERE kind = 'result_mailed';
";

/// The shortest reason an admin may give (a word or two of Chinese).
const MIN_REASON_CHARS: usize = 4;
const MAX_REASON_CHARS: usize = 200;

/// One partner's guardrail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerOffline {
    pub region: String,
    pub name: String,
    pub verdict: OfflineVerdict,
}

impl Store {
    /// The time the guardrail counts at: the machine's clock, but never before the latest moment
    /// this desk already recorded (a case, a print, an audit entry such as a login), so setting
    /// the clock back does not lift the guardrail.
    pub fn believed_now(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
        let audit: Option<String> =
            self.conn.prepare_cached("SELECT max(at) FROM audit")?.query_row([], |r| r.get(0))?;
        let audit = audit.as_deref().map(parse_time).transpose()?;
        Ok([Some(now), self.latest_local_time()?, audit].into_iter().flatten().max().unwrap_or(now))
    }

    /// The guardrail of the partner `region` at `now` (the machine's clock); `None` when no hub
    /// is configured for it (nothing to sync with) or it is the desk's own region.
    pub fn partner_offline(&self, region: &str, now: DateTime<Utc>) -> Result<Option<PartnerOffline>> {
        let Some(hub) = self.hubs()?.into_iter().find(|h| h.region == region && !h.own_region) else {
            return Ok(None);
        };
        let now = self.believed_now(now)?;
        let state = self.sync_state(region)?;
        let limits = self.offline_limits()?;
        let lift = self.current_lift(region, now)?;
        let name = region::display_name(region);
        let verdict = offline::verdict(&name, state.last_success_at, hub.added_at, now, limits, lift.as_ref());
        Ok(Some(PartnerOffline { region: region.to_string(), name, verdict }))
    }

    /// Every partner past its warning (or refusal), for the status bar.
    pub fn partners_offline(&self, now: DateTime<Utc>) -> Result<Vec<PartnerOffline>> {
        let mut out = Vec::new();
        for hub in self.hubs()?.into_iter().filter(|h| !h.own_region) {
            if let Some(p) = self.partner_offline(&hub.region, now)? {
                if p.verdict.level != OfflineLevel::Fresh {
                    out.push(p);
                }
            }
        }
        Ok(out)
    }

    /// Refuses with the guardrail's message when `region` is past the limit and not lifted.
    pub fn check_offline(&self, region: &str, now: DateTime<Utc>) -> Result<()> {
        match self.partner_offline(region, now)? {
            Some(p) if p.verdict.level == OfflineLevel::Refuse => Err(StoreError::OfflineTooLong(p.verdict.message)),
            _ => Ok(()),
        }
    }

    fn current_lift(&self, region: &str, now: DateTime<Utc>) -> Result<Option<Lift>> {
        let row: Option<(String, String, String)> = self
            .conn
            .prepare_cached(
                "SELECT until, reason, lifted_by FROM offline_lifts WHERE region = ?1 ORDER BY until DESC LIMIT 1",
            )?
            .query_row([region], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((until, reason, login)) = row else { return Ok(None) };
        let until = parse_time(&until)?;
        let by = self.user(&login).map(|u| u.display_name).unwrap_or(login);
        Ok((until > now).then_some(Lift { until, reason, by }))
    }

    /// An admin lets intakes for `region` go on for a day past the limit, for `reason`; the lift
    /// and its audit entry are written together. Returns the guardrail as it now stands.
    pub fn lift_offline_limit(
        &mut self,
        region: &str,
        reason: &str,
        user: &str,
        now: DateTime<Utc>,
    ) -> Result<PartnerOffline> {
        let region = region.trim();
        let reason = reason.trim();
        let admin = self.user(user)?;
        if admin.role != "admin" {
            return Err(StoreError::AdminOnly("只有管理员可以解除离线限制".into()));
        }
        let n = reason.chars().count();
        if !(MIN_REASON_CHARS..=MAX_REASON_CHARS).contains(&n) {
            return Err(ValidationError::new(format!(
                "请写明解除限制的理由（{MIN_REASON_CHARS}至{MAX_REASON_CHARS}个字），例如网络故障已报修、何时能恢复同步"
            ))
            .at("reason", "理由")
            .into());
        }
        let Some(before) = self.partner_offline(region, now)? else {
            return Err(StoreError::UnknownHub(region.to_string()));
        };
        if before.verdict.level != OfflineLevel::Refuse {
            let why = match before.verdict.level {
                OfflineLevel::Lifted => "已解除限制，尚未到期",
                _ => "未超过离线上限，收件不受限制",
            };
            return Err(ValidationError::new(format!("{}{why}，无需解除", before.name))
                .at("region", "合作地区")
                .into());
        }
        let at = self.believed_now(now)?;
        let until = at + Duration::hours(LIFT_HOURS);
        let tx = crate::write(&mut self.conn)?;
        tx.execute(
            "INSERT INTO offline_lifts (region, lifted_at, until, reason, lifted_by) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![region, at.to_rfc3339(), until.to_rfc3339(), reason, user],
        )?;
        let detail = format!(
            "解除离线限制：{}（{region}）已{}天未同步，允许收件至{}；理由：{reason}",
            before.name,
            before.verdict.days,
            until.with_timezone(&tongban_core::time::china_time()).format("%Y-%m-%d %H:%M")
        );
        append_in(&tx, at, user, AuditKind::Settings, None, &detail, None, None)?;
        tx.commit()?;
        self.partner_offline(region, now)?.ok_or_else(|| StoreError::UnknownHub(region.to_string()))
    }
}

impl Store {
    /// The 办件编号 of the cases (at most 5) whose intake, 寄出原件 or 结果已寄出 carries `waybill` (any case),
    /// for the warning that one package's number was typed for two cases.
    pub fn waybill_cases(&self, waybill: &str) -> Result<Vec<String>> {
        let waybill = waybill.trim().to_uppercase();
        if waybill.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT number FROM cases WHERE id IN (
                 SELECT case_id FROM events
                  WHERE kind = 'received' AND upper(json_extract(body, '$.intake.transfer.waybill')) = ?1
                 UNION
                 SELECT case_id FROM events
                  WHERE kind IN ('result_mailed', 'originals_mailed') AND upper(json_extract(body, '$.waybill')) = ?1)
             ORDER BY number LIMIT 5",
        )?;
        let rows = stmt.query_map([waybill], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;

    #[test]
    fn past_the_limit_a_partner_is_refused_until_a_sync_or_an_admins_lift() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let hub = crate::HubSetup {
            region: "110106".into(),
            name: "丰台".into(),
            url: "http://127.0.0.1:9".into(),
            credential: "c".into(),
        };
        let set_up = Utc::now();
        store.add_hub(&hub, set_up).unwrap();
        store.record_sync_success("110106", set_up).unwrap();
        let later = set_up + Duration::days(15);
        let p = store.partner_offline("110106", later).unwrap().unwrap();
        assert_eq!(p.verdict.level, OfflineLevel::Refuse);
        let err = store.check_offline("110106", later).unwrap_err();
        assert_eq!(err.code(), "offline_too_long");
        assert!(store.check_offline("330802", later).is_ok(), "no hub, no guardrail");
        assert_eq!(store.partners_offline(set_up + Duration::days(4)).unwrap()[0].verdict.level, OfflineLevel::Warn);
        // A sync lifts it.
        store.record_sync_success("110106", later).unwrap();
        assert!(store.check_offline("110106", later).is_ok());
        assert!(store.partners_offline(later).unwrap().is_empty());
    }
}
