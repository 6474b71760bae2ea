//! Printed forms: every print is recorded (who, when, which form, which case) and the PDF is
//! kept beside the scans, by its SHA-256, so what the applicant took home can be shown again.
//! Also the query the daily 台账 prints from.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension};
use serde::Serialize;
use tongban_core::case::CaseId;
use tongban_core::validate::ValidationError;

use crate::{FormKind, LedgerEntry, Result, Store, StoreError};

pub(crate) const SCHEMA_V2: &str = "
CREATE TABLE prints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    TEXT REFERENCES cases (id),            -- NULL for a ledger
    form       TEXT NOT NULL CHECK (form IN ('receipt', 'notice', 'ledger')),
    scope      TEXT NOT NULL,                         -- a ledger's dates and filters; '' for a case's form
    user       TEXT NOT NULL,                         -- login of the user who printed
    printed_at TEXT NOT NULL,                         -- RFC 3339, UTC
    reprint    INTEGER NOT NULL,                      -- 1 = 补打: the same form was printed before
    pdf_sha256 TEXT NOT NULL REFERENCES attachments (sha256)
);
CREATE INDEX prints_by_case ON prints (case_id, form, id);
CREATE INDEX prints_by_time ON prints (printed_at);
";

/// One recorded print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintRecord {
    pub id: i64,
    pub case_id: Option<CaseId>,
    pub form: FormKind,
    pub scope: String,
    pub user: String,
    pub printed_at: DateTime<Utc>,
    pub reprint: bool,
    pub pdf_sha256: String,
}

/// A print to record, with the PDF exactly as it was handed to the printer.
#[derive(Debug, Clone)]
pub struct NewPrint<'a> {
    /// The case, for a receipt or a notice; `None` for a ledger.
    pub case_id: Option<CaseId>,
    pub form: FormKind,
    /// What a ledger covered (dates and filters, as printed); empty for a case's form.
    pub scope: &'a str,
    pub user: &'a str,
    pub at: DateTime<Utc>,
    /// Whether the PDF was marked 补打.
    pub reprint: bool,
    pub pdf: &'a [u8],
    /// The file name the PDF is kept under, for the clerk.
    pub file_name: &'a str,
}

/// Which cases a ledger lists: received in `from..=to` (Beijing dates), optionally of one clerk
/// or one partner region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerFilter {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Login of the clerk who took the cases in.
    pub clerk: Option<String>,
    /// 办理地 region code.
    pub partner: Option<String>,
}

impl Store {
    /// Keeps the PDF and records who printed which form of which case, when.
    pub fn record_print(&mut self, print: &NewPrint<'_>) -> Result<PrintRecord> {
        self.user(print.user)?;
        if print.case_id.is_none() != (print.form == FormKind::Ledger) {
            let problem = if print.case_id.is_none() { "必须属于一个办件" } else { "不属于单个办件" };
            return Err(ValidationError::new(format!("{}{problem}", print.form.label())).at("case_id", "办件").into());
        }
        let blob = self.put_blob(print.pdf, "application/pdf", print.file_name, print.at)?;
        let tx = crate::write(&mut self.conn)?;
        let row = crate::audit::PrintRow {
            id: 0,
            case_id: print.case_id.map(|c| c.to_string()),
            form: print.form.as_str().to_string(),
            scope: print.scope.to_string(),
            user: print.user.to_string(),
            printed_at: print.at.to_rfc3339(),
            reprint: print.reprint,
            pdf: blob.sha256.clone(),
        };
        tx.execute(
            "INSERT INTO prints (case_id, form, scope, user, printed_at, reprint, pdf_sha256)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![row.case_id, row.form, row.scope, row.user, row.printed_at, row.reprint, row.pdf],
        )?;
        let id = tx.last_insert_rowid();
        // The print is an audit entry that carries the row's hash: deleting or changing the
        // record breaks the chain.
        let row = crate::audit::PrintRow { id, ..row };
        let digest = row.digest();
        crate::audit::append_in(
            &tx,
            print.at,
            print.user,
            crate::AuditKind::Print,
            row.case_id.as_deref(),
            &row.detail(),
            Some(&id.to_string()),
            Some(&digest),
        )?;
        // A notice given stops the 告知 clock and starts the 补正 one, in the same commit.
        if let (FormKind::Notice, Some(case)) = (print.form, print.case_id) {
            crate::cases::refresh_clocks(&tx, case, &self.calendar, None)?;
        }
        tx.commit()?;
        Ok(PrintRecord {
            id,
            case_id: print.case_id,
            form: print.form,
            scope: print.scope.to_string(),
            user: print.user.to_string(),
            printed_at: print.at,
            reprint: print.reprint,
            pdf_sha256: blob.sha256,
        })
    }

    /// The first print of `form` for `case` (or, for a ledger, of the same `scope`): if there is
    /// one, printing again is a 补打.
    pub fn first_print(&self, form: FormKind, case: Option<CaseId>, scope: &str) -> Result<Option<PrintRecord>> {
        let sql = format!(
            "SELECT {PRINT_COLUMNS} FROM prints WHERE form = ?1 AND case_id IS ?2 AND scope = ?3 ORDER BY id LIMIT 1"
        );
        let row = self
            .conn
            .query_row(&sql, params![form.as_str(), case.map(|c| c.to_string()), scope], read_print)
            .optional()?;
        row.transpose()
    }

    /// Every print of a case's forms, oldest first.
    pub fn prints_of(&self, case: CaseId) -> Result<Vec<PrintRecord>> {
        let sql = format!("SELECT {PRINT_COLUMNS} FROM prints WHERE case_id = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([case.to_string()], read_print)?;
        rows.map(|r| r?).collect()
    }

    /// The latest prints of any form, newest first (the print log a supervisor checks).
    pub fn recent_prints(&self, limit: u32) -> Result<Vec<PrintRecord>> {
        let sql = format!("SELECT {PRINT_COLUMNS} FROM prints ORDER BY id DESC LIMIT ?1");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([limit], read_print)?;
        rows.map(|r| r?).collect()
    }

    /// The cases a ledger lists, in the order they were received.
    pub fn ledger_entries(&self, filter: &LedgerFilter) -> Result<Vec<LedgerEntry>> {
        let mut args: Vec<Value> = vec![Value::Text(filter.from.to_string()), Value::Text(filter.to.to_string())];
        let mut clause = String::from("received_on >= ?1 AND received_on <= ?2");
        for (col, value) in [("clerk", &filter.clerk), ("handling_region", &filter.partner)] {
            if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                args.push(Value::Text(v.to_string()));
                clause.push_str(&format!(" AND {col} = ?{}", args.len()));
            }
        }
        let sql = format!(
            "SELECT {}, COALESCE(NULLIF(cases.clerk_name, ''),
                         (SELECT u.display_name FROM users u WHERE u.login = cases.clerk), cases.clerk),
                (SELECT json_extract(r.body, '$.intake.transfer') FROM events r
                  WHERE r.case_id = cases.id AND r.kind = 'received'),
                (SELECT json_extract(m.body, '$.waybill') FROM events m
                  WHERE m.case_id = cases.id AND m.kind = 'result_mailed' ORDER BY m.seq DESC LIMIT 1)
             FROM cases
             WHERE {clause}
             ORDER BY received_at, number",
            crate::cases::SUMMARY_COLUMNS
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let extra = crate::cases::SUMMARY_COLUMN_COUNT;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok((
                crate::cases::read_summary(r)?,
                r.get::<_, String>(extra)?,
                r.get::<_, String>(extra + 1)?,
                r.get::<_, Option<String>>(extra + 2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (case, clerk_name, transfer, waybill) = row?;
            out.push(LedgerEntry {
                case: case?,
                clerk_name,
                transfer: serde_json::from_str(&transfer)?,
                result_waybill: waybill,
            });
        }
        Ok(out)
    }
}

const PRINT_COLUMNS: &str = "id, case_id, form, scope, user, printed_at, reprint, pdf_sha256";

fn read_print(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<PrintRecord>> {
    let case_id: Option<String> = r.get(1)?;
    let form: String = r.get(2)?;
    let printed_at: String = r.get(5)?;
    let build = || -> Result<PrintRecord> {
        let bad = |what: &str, v: &str| StoreError::Json(serde::de::Error::custom(format!("{what}「{v}」无效")));
        Ok(PrintRecord {
            id: r.get(0)?,
            case_id: case_id.as_deref().map(|c| c.parse().map(CaseId).map_err(|_| bad("办件标识", c))).transpose()?,
            form: FormKind::parse(&form).ok_or_else(|| bad("表单", &form))?,
            scope: r.get(3)?,
            user: r.get(4)?,
            printed_at: crate::desk::parse_time(&printed_at)?,
            reprint: r.get(6)?,
            pdf_sha256: r.get(7)?,
        })
    };
    Ok(build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;
    use tongban_core::case::{Author, CaseEvent, CaseStatus, EventBody};

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn print<'a>(case: Option<CaseId>, form: FormKind, reprint: bool, pdf: &'a [u8], when: &str) -> NewPrint<'a> {
        NewPrint { case_id: case, form, scope: "", user: "zhang", at: at(when), reprint, pdf, file_name: "form.pdf" }
    }

    #[test]
    fn a_print_keeps_the_pdf_and_a_second_one_is_found_as_a_reprint() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let (id, _) =
            store.create_case(&crate::events::tests::form(false), "zhang", at("2026-03-02T02:00:00Z")).unwrap();
        assert_eq!(store.first_print(FormKind::Receipt, Some(id), "").unwrap(), None);
        let first = store
            .record_print(&print(Some(id), FormKind::Receipt, false, b"%PDF-1 first", "2026-03-02T02:01:00Z"))
            .unwrap();
        let again = store
            .record_print(&print(Some(id), FormKind::Receipt, true, b"%PDF-1 again", "2026-03-05T06:00:00Z"))
            .unwrap();
        store
            .record_print(&print(Some(id), FormKind::Notice, false, b"%PDF-1 notice", "2026-03-02T02:02:00Z"))
            .unwrap();

        assert_eq!(store.first_print(FormKind::Receipt, Some(id), "").unwrap(), Some(first.clone()));
        let all = store.prints_of(id).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[1], again);
        assert!(again.reprint && !first.reprint);
        assert_eq!(store.read_blob(&again.pdf_sha256).unwrap(), b"%PDF-1 again");
        assert_eq!(store.blob_info(&first.pdf_sha256).unwrap().unwrap().media_type, "application/pdf");
        assert_eq!(store.recent_prints(1).unwrap()[0].form, FormKind::Notice);
    }

    #[test]
    fn a_ledger_print_has_no_case_and_is_found_by_its_scope() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let mut p = print(None, FormKind::Ledger, false, b"%PDF-1 ledger", "2026-03-02T10:00:00Z");
        p.scope = "2026-03-02";
        let rec = store.record_print(&p).unwrap();
        assert_eq!(rec.case_id, None);
        assert_eq!(store.first_print(FormKind::Ledger, None, "2026-03-02").unwrap(), Some(rec));
        assert_eq!(store.first_print(FormKind::Ledger, None, "2026-03-03").unwrap(), None);
        // A receipt without a case, an unknown user: refused, nothing recorded.
        assert!(store.record_print(&print(None, FormKind::Receipt, false, b"x", "2026-03-02T10:00:00Z")).is_err());
        let mut stranger = print(None, FormKind::Ledger, false, b"y", "2026-03-02T10:00:00Z");
        stranger.user = "nobody";
        assert_eq!(store.record_print(&stranger).unwrap_err().code(), "unknown_user");
        assert_eq!(store.recent_prints(10).unwrap().len(), 1);
    }

    #[test]
    fn ledger_entries_list_a_day_in_order_with_transfer_and_result_waybill() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        let mut mailed = crate::events::tests::form(false);
        mailed.transfer.mail = true;
        mailed.transfer.waybill = Some("1179000000017".into());
        let (a, _) = store.create_case(&mailed, "zhang", at("2026-03-02T03:00:00Z")).unwrap();
        store.create_case(&crate::events::tests::form(true), "zhang", at("2026-03-02T01:00:00Z")).unwrap();
        // The next day, Beijing time (16:30 UTC is 00:30 on the 3rd).
        store.create_case(&crate::events::tests::form(false), "zhang", at("2026-03-02T16:30:00Z")).unwrap();
        let partner = Author { user: "fengtai".into(), desk: "d".into(), region: "110106".into(), name: String::new() };
        let ev =
            |body| CaseEvent { id: uuid::Uuid::now_v7(), case_id: a, at: Utc::now(), author: partner.clone(), body };
        for body in [
            EventBody::Accepted,
            EventBody::Concluded { approved: true, note: String::new() },
            EventBody::ResultMailed { waybill: "1178000000099".into() },
        ] {
            store.append_remote(&ev(body)).unwrap();
        }
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let filter = LedgerFilter { from: day, to: day, clerk: None, partner: None };
        let rows = store.ledger_entries(&filter).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].case.status, CaseStatus::AwaitingMaterials);
        assert_eq!(rows[1].case.id, a);
        assert_eq!(rows[1].clerk_name, "张敏");
        assert_eq!(rows[1].transfer.waybill.as_deref(), Some("1179000000017"));
        assert_eq!(rows[1].result_waybill.as_deref(), Some("1178000000099"));
        assert_eq!(rows[1].case.status, CaseStatus::ResultMailed);

        let other_partner = LedgerFilter { partner: Some("330802".into()), ..filter.clone() };
        assert!(store.ledger_entries(&other_partner).unwrap().is_empty());
        let other_clerk = LedgerFilter { clerk: Some("li".into()), ..filter.clone() };
        assert!(store.ledger_entries(&other_clerk).unwrap().is_empty());
        let two_days = LedgerFilter { to: day.succ_opt().unwrap(), ..filter };
        assert_eq!(store.ledger_entries(&two_days).unwrap().len(), 3);
    }
}
