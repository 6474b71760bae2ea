//! The audit chain heads desks report each sync round (see [`tongban_wire::audit`]): every
//! report is kept, per credential and desk, with whether it was accepted. The kept head never
//! moves backwards, so a desk whose chain was cut short or rewritten since is told what the hub
//! holds, and the refused report stays here for the hub's operator.

use chrono::{DateTime, Utc};
use rusqlite::params;
use tongban_wire::audit::{AuditHeadAnswer, AuditHeadReport, KeptHead, MAX_BROKEN_LEN};

use crate::credentials::Credential;
use crate::{Hub, HubError, Result};

/// Step 6: the desks' audit chain heads.
pub(crate) const SCHEMA_V6: &str = "
CREATE TABLE audit_heads (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    credential INTEGER NOT NULL REFERENCES credentials (id),
    desk_id    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    broken     TEXT,                 -- the desk's own report of a break, if any
    accepted   INTEGER NOT NULL,     -- 0: it went backwards and was only recorded
    at         TEXT NOT NULL
);
CREATE INDEX audit_heads_by_desk ON audit_heads (credential, desk_id, accepted, id);
";

impl Hub {
    /// Records a desk's chain head and answers with the head kept before it.
    pub fn report_audit_head(
        &self,
        credential: &Credential,
        report: &AuditHeadReport,
        now: DateTime<Utc>,
    ) -> Result<AuditHeadAnswer> {
        if !tongban_wire::is_sha256_hex(&report.hash) {
            return Err(HubError::InvalidRequest("hash 应为 64 位小写十六进制的 SHA-256".into()));
        }
        if report.desk_id.is_empty() || report.desk_id.len() > 64 {
            return Err(HubError::InvalidRequest("desk_id 应为 1 至 64 个字符".into()));
        }
        if report.broken.as_ref().is_some_and(|b| b.len() > MAX_BROKEN_LEN) {
            return Err(HubError::InvalidRequest(format!("broken 最长 {MAX_BROKEN_LEN} 字节")));
        }
        // A credential is one desk once confirmed: it keeps that desk's chain, no other's.
        if credential.desk_id.as_deref().is_some_and(|d| d != report.desk_id) {
            return Err(HubError::Forbidden(format!(
                "该凭据属于另一台受理台（{}），不能为受理台 {} 报告审计链头",
                credential.who(),
                report.desk_id
            )));
        }
        let seq = i64::try_from(report.seq).map_err(|_| HubError::InvalidRequest("seq 过大".into()))?;
        let (previous, accepted, unchanged) = self.db.write(|tx| {
            let previous: Option<(i64, String, String)> = tx.query_opt(
                "SELECT seq, hash, at FROM audit_heads WHERE credential = ?1 AND desk_id = ?2 AND accepted = 1
                 ORDER BY id DESC LIMIT 1",
                params![credential.id, report.desk_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let previous = previous.map(|(seq, hash, at)| kept(seq, hash, &at)).transpose()?;
            let accepted = match &previous {
                None => true,
                Some(p) => report.seq > p.seq || (report.seq == p.seq && report.hash == p.hash),
            };
            let unchanged = previous.as_ref().is_some_and(|p| p.seq == report.seq && p.hash == report.hash);
            // An unchanged head (a desk syncing with nothing new) is not stored again, unless the
            // desk reports a break.
            if !unchanged || report.broken.is_some() {
                tx.execute(
                    "INSERT INTO audit_heads (credential, desk_id, seq, hash, broken, accepted, at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![credential.id, report.desk_id, seq, report.hash, report.broken, accepted, now.to_rfc3339()],
                )?;
            }
            Ok((previous, accepted, unchanged))
        })?;
        if !accepted || report.broken.is_some() {
            tracing::warn!(
                credential = credential.id,
                desk = %report.desk_id,
                seq = report.seq,
                broken = report.broken.as_deref().unwrap_or(""),
                "a desk's audit chain does not hold"
            );
        }
        let now_head = KeptHead { seq: report.seq, hash: report.hash.clone(), at: now };
        let kept_head = match (&previous, accepted) {
            (Some(p), false) => p.clone(),
            (Some(p), true) if unchanged => p.clone(),
            _ => now_head,
        };
        Ok(AuditHeadAnswer { accepted, previous, kept: kept_head })
    }
}

fn kept(seq: i64, hash: String, at: &str) -> Result<KeptHead> {
    let at = DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| HubError::InvalidRequest(format!("时间「{at}」无效：{e}")))?;
    Ok(KeptHead { seq: seq as u64, hash, at })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Role;
    use crate::test_support::temp_hub;

    fn report(seq: u64, hash: char) -> AuditHeadReport {
        AuditHeadReport { desk_id: "d1".into(), seq, hash: hash.to_string().repeat(64), broken: None }
    }

    #[test]
    fn a_head_moves_forward_only_and_a_report_that_goes_back_is_kept_but_refused() {
        let (_d, hub) = temp_hub();
        let desk =
            hub.issue_credential(Some("411329"), Role::Window, Some("A1"), "新野县", Utc::now()).unwrap().credential;
        let other =
            hub.issue_credential(Some("411381"), Role::Window, Some("A1"), "邓州市", Utc::now()).unwrap().credential;
        let first = hub.report_audit_head(&desk, &report(10, 'a'), Utc::now()).unwrap();
        assert!(first.accepted && first.previous.is_none());
        let same = hub.report_audit_head(&desk, &report(10, 'a'), Utc::now()).unwrap();
        assert!(same.accepted && same.previous.as_ref().unwrap().seq == 10);
        let on = hub.report_audit_head(&desk, &report(12, 'b'), Utc::now()).unwrap();
        assert!(on.accepted && on.previous.unwrap().hash == "a".repeat(64) && on.kept.seq == 12);
        // Shorter, or the same length rewritten: refused, the kept head stays.
        let back = hub.report_audit_head(&desk, &report(11, 'c'), Utc::now()).unwrap();
        assert!(!back.accepted && back.kept.seq == 12 && back.kept.hash == "b".repeat(64));
        let rewritten = hub.report_audit_head(&desk, &report(12, 'd'), Utc::now()).unwrap();
        assert!(!rewritten.accepted);
        let refused: i64 =
            hub.conn().query_row("SELECT count(*) FROM audit_heads WHERE accepted = 0", [], |r| r.get(0)).unwrap();
        assert_eq!(refused, 2, "refused reports are kept for the operator");
        // Another credential's desk has its own head.
        assert!(hub.report_audit_head(&other, &report(1, 'e'), Utc::now()).unwrap().previous.is_none());
        // Malformed reports change nothing.
        let bad = AuditHeadReport { hash: "xyz".into(), ..report(13, 'a') };
        assert!(hub.report_audit_head(&desk, &bad, Utc::now()).is_err());
        let long = AuditHeadReport { broken: Some("断".repeat(1000)), ..report(13, 'a') };
        assert!(hub.report_audit_head(&desk, &long, Utc::now()).is_err());
    }

    #[test]
    fn a_credential_confirmed_by_one_desk_keeps_no_other_desks_head() {
        let (_d, hub) = temp_hub();
        let issued = hub.issue_credential(Some("411329"), Role::Window, Some("A1"), "新野县", Utc::now()).unwrap();
        let claim = tongban_wire::desks::DeskClaim {
            desk_id: "d1".into(),
            region: "411329".into(),
            desk_code: "A1".into(),
            name: "新野县1号窗".into(),
        };
        hub.confirm_desk(&issued.credential, &claim, Utc::now()).unwrap();
        let confirmed = Credential { desk_id: Some("d1".into()), ..issued.credential };
        assert!(hub.report_audit_head(&confirmed, &report(3, 'a'), Utc::now()).unwrap().accepted);
        let borrowed = AuditHeadReport { desk_id: "d2".into(), ..report(9, 'b') };
        let e = hub.report_audit_head(&confirmed, &borrowed, Utc::now()).unwrap_err();
        assert_eq!(e.code(), tongban_wire::ErrorCode::Forbidden, "{e}");
    }
}
