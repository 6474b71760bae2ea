//! The offline guardrail (as MOSIP's registration client has it): a desk that has not reached a
//! partner's hub for days keeps taking in cases nobody there knows of. After `warn_days` without a
//! successful sync the window warns; after `refuse_days` the desk takes in no new case for that
//! partner until it syncs, or an admin lifts the limit for a day with a recorded reason.
//!
//! Pure: the caller passes the time it believes (never earlier than what the desk already
//! recorded, so a clock set back does not lift the guardrail), the last success and the lift.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

pub const DEFAULT_WARN_DAYS: u32 = 3;
pub const DEFAULT_REFUSE_DAYS: u32 = 14;
/// How long an admin's lift lasts.
pub const LIFT_HOURS: i64 = 24;

/// The hall's limits, in days without a successful sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OfflineLimits {
    pub warn_days: u32,
    pub refuse_days: u32,
}

impl Default for OfflineLimits {
    fn default() -> OfflineLimits {
        OfflineLimits { warn_days: DEFAULT_WARN_DAYS, refuse_days: DEFAULT_REFUSE_DAYS }
    }
}

/// How a partner stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum OfflineLevel {
    /// Synced recently enough: nothing to say.
    Fresh,
    /// Past `warn_days`: the window warns.
    Warn,
    /// Past `refuse_days`, lifted by an admin until a time: intakes go on, the window warns.
    Lifted,
    /// Past `refuse_days`: no new intake for this partner.
    Refuse,
}

/// An admin's lift of the refusal for one partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lift {
    pub until: DateTime<Utc>,
    pub reason: String,
    /// The admin's display name.
    pub by: String,
}

/// What the guardrail says about one partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfflineVerdict {
    pub level: OfflineLevel,
    /// The last successful sync, or (never synced) when the partner was set up.
    pub since: DateTime<Utc>,
    pub synced_ever: bool,
    /// Whole days since.
    pub days: i64,
    /// In Chinese; empty when `Fresh`.
    pub message: String,
}

fn beijing_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&crate::time::china_time()).format("%Y-%m-%d %H:%M").to_string()
}

/// The guardrail for `partner` (its name, e.g. 北京市丰台区) at `now`, the time the desk believes.
pub fn verdict(
    partner: &str,
    last_success: Option<DateTime<Utc>>,
    set_up_at: DateTime<Utc>,
    now: DateTime<Utc>,
    limits: OfflineLimits,
    lift: Option<&Lift>,
) -> OfflineVerdict {
    let since = last_success.unwrap_or(set_up_at);
    let elapsed = now - since;
    let days = elapsed.num_days().max(0);
    let when = match last_success {
        Some(t) => format!("最后一次同步成功是{}", beijing_text(t)),
        None => format!("自{}配置以来从未同步成功", beijing_text(set_up_at)),
    };
    let refuse = elapsed > Duration::days(limits.refuse_days.into());
    let warn = elapsed > Duration::days(limits.warn_days.into());
    let lift = lift.filter(|l| l.until > now);
    let (level, message) = if refuse {
        match lift {
            Some(l) => (
                OfflineLevel::Lifted,
                format!(
                    "与{partner}通办中心已{days}天未同步（{when}），已超过{}天的离线上限；{}已解除限制至{}（理由：{}），请尽快连接网络并同步",
                    limits.refuse_days,
                    l.by,
                    beijing_text(l.until),
                    l.reason
                ),
            ),
            None => (
                OfflineLevel::Refuse,
                format!(
                    "与{partner}通办中心已{days}天未同步（{when}），超过{}天的离线上限，暂停为{partner}收件。请连接网络后按 F5 同步（或运行 tongban sync --once），同步成功后即可继续收件；确需先行收件的，请管理员在「合作地区」中说明理由解除限制一天",
                    limits.refuse_days
                ),
            ),
        }
    } else if warn {
        (
            OfflineLevel::Warn,
            format!(
                "与{partner}通办中心已{days}天未同步（{when}）；超过{}天未同步将暂停为{partner}收件，请尽快连接网络并同步",
                limits.refuse_days
            ),
        )
    } else {
        (OfflineLevel::Fresh, String::new())
    };
    OfflineVerdict { level, since, synced_ever: last_success.is_some(), days, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn fresh_then_warned_then_refused_then_lifted_for_a_day() {
        let limits = OfflineLimits::default();
        let synced = Some(t("2026-11-01T02:00:00Z"));
        let set_up = t("2026-10-01T00:00:00Z");
        let at = |s| verdict("北京市丰台区", synced, set_up, t(s), limits, None);
        assert_eq!(at("2026-11-04T01:59:00Z").level, OfflineLevel::Fresh);
        let warned = at("2026-11-04T02:01:00Z");
        assert_eq!((warned.level, warned.days), (OfflineLevel::Warn, 3));
        assert!(warned.message.contains("已3天未同步（最后一次同步成功是2026-11-01 10:00）"), "{}", warned.message);
        assert!(warned.message.contains("超过14天未同步将暂停为北京市丰台区收件"));
        assert_eq!(at("2026-11-15T02:00:00Z").level, OfflineLevel::Warn, "exactly M days still warns");
        let refused = at("2026-11-15T02:01:00Z");
        assert_eq!(refused.level, OfflineLevel::Refuse);
        assert!(
            refused.message.contains("暂停为北京市丰台区收件") && refused.message.contains("F5"),
            "{}",
            refused.message
        );
        assert!(refused.message.contains("管理员"), "says what to do");

        let lift = Lift {
            until: t("2026-11-16T02:01:00Z"), reason: "网络故障，已报修".into(), by: "刘管理员".into()
        };
        let lifted = verdict("北京市丰台区", synced, set_up, t("2026-11-15T03:00:00Z"), limits, Some(&lift));
        assert_eq!(lifted.level, OfflineLevel::Lifted);
        assert!(
            lifted.message.contains("刘管理员已解除限制至2026-11-16 10:01（理由：网络故障，已报修）"),
            "{}",
            lifted.message
        );
        let expired = verdict("北京市丰台区", synced, set_up, t("2026-11-16T02:01:00Z"), limits, Some(&lift));
        assert_eq!(expired.level, OfflineLevel::Refuse, "a lift lasts its day, no longer");
    }

    #[test]
    fn a_partner_never_synced_counts_from_its_set_up() {
        let v = verdict(
            "浙江省衢州市柯城区",
            None,
            t("2026-11-01T00:00:00Z"),
            t("2026-11-20T00:00:00Z"),
            OfflineLimits::default(),
            None,
        );
        assert_eq!((v.level, v.synced_ever, v.days), (OfflineLevel::Refuse, false, 19));
        assert!(v.message.contains("自2026-11-01 08:00配置以来从未同步成功"), "{}", v.message);
    }

    #[test]
    fn a_clock_before_the_last_sync_is_fresh_not_negative() {
        let v = verdict(
            "x",
            Some(t("2026-11-10T00:00:00Z")),
            t("2026-11-01T00:00:00Z"),
            t("2026-11-09T00:00:00Z"),
            OfflineLimits::default(),
            None,
        );
        assert_eq!((v.level, v.days), (OfflineLevel::Fresh, 0));
    }
}
