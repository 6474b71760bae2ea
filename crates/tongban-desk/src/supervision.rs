//! The supervisor's (督查) view of a day or a span of days: the same cases the printed 台账
//! lists, counted by status, item, partner and clerk, and every open case past its deadline.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;

use tongban_core::applicant::mask_id_number;
use tongban_core::case::CaseStatus;
use tongban_core::code::{DeskCode, HubCode};
use tongban_core::region;
use tongban_store::LedgerEntry;

use crate::printing::LedgerRequest;
use crate::{AppError, CaseRows, Desk, LedgerExport, LedgerQuery, LedgerRow, SupervisionReport, Tally};

/// How many overdue cases the screen lists; the count says when there are more.
const OVERDUE_SHOWN: u32 = 200;

impl Desk {
    /// The 台账 of `query`'s days on screen, its counts, and the overdue list (all days).
    pub fn supervision(&self, query: &LedgerQuery) -> Result<SupervisionReport, AppError> {
        self.require_reader()?;
        let filter = LedgerRequest {
            from: query.from.clone(),
            to: query.to.clone(),
            clerk: query.clerk.clone(),
            partner: query.partner.clone(),
        }
        .filter()?;
        self.with_store(|store| {
            let entries = store.ledger_entries(&filter)?;
            let cases = CaseRows::new(store)?;
            let overdue = store.overdue_cases(crate::today(), OVERDUE_SHOWN + 1)?;
            let overdue_more = overdue.len() > OVERDUE_SHOWN as usize;
            let notices_due = store.notices_due(crate::today(), OVERDUE_SHOWN + 1)?;
            let notices_due_more = notices_due.len() > OVERDUE_SHOWN as usize;

            let statuses = CaseStatus::tally(entries.iter().map(|e| e.case.status));
            let by_status = CaseStatus::ALL
                .iter()
                .zip(statuses)
                .map(|(s, n)| Tally { key: s.as_str().to_string(), label: s.label().to_string(), count: n as u64 })
                .collect();
            let [by_item, by_partner, by_clerk] = counts(&entries);
            let rows = entries
                .iter()
                .map(|e| LedgerRow {
                    number: e.case.number.clone(),
                    received_at: e.case.received_at.to_rfc3339(),
                    applicant_name: e.case.applicant_name.clone(),
                    applicant_id_masked: mask_id_number(&e.case.applicant_id),
                    item_name: e.case.item_name.clone(),
                    handling_region_name: region::short_name(&e.case.handling_region).unwrap_or_default(),
                    status: e.case.status,
                    status_label: e.case.status.label().to_string(),
                    clerk_name: e.clerk_name.clone(),
                    transfer: tongban_forms::ledger_transfer_text(e),
                    deadline: tongban_core::clocks::deadline_text(e.case.deadline, e.case.status),
                    deadline_estimated: e.case.deadline.is_some_and(|d| d.estimated),
                    pending_sync: e.case.pending_sync,
                })
                .collect();
            Ok(SupervisionReport {
                from: filter.from.to_string(),
                to: filter.to.to_string(),
                total: entries.len() as u64,
                open: entries.iter().filter(|e| !e.case.status.is_final()).count() as u64,
                rows,
                by_status,
                by_item,
                by_partner,
                by_clerk,
                overdue: overdue.into_iter().take(OVERDUE_SHOWN as usize).map(|c| cases.row(c)).collect(),
                overdue_more,
                notices_due: notices_due.into_iter().take(OVERDUE_SHOWN as usize).map(|c| cases.row(c)).collect(),
                notices_due_more,
            })
        })
    }
}

impl Desk {
    /// Exports the 台账 of `query`'s days as an .xlsx into `dir` (the window: the user's
    /// documents folder) and returns where; audited as an export, not recorded as a print.
    pub fn export_ledger_xlsx(&self, query: &LedgerQuery, dir: Option<&Path>) -> Result<LedgerExport, AppError> {
        self.require_reader()?;
        let user = self.actor(None)?;
        let mut store = self.locked()?;
        let mut saved = None;
        let exported = crate::printing::export_ledger_xlsx(
            &mut store,
            &query.request(),
            &user,
            Utc::now(),
            &mut |name, bytes| {
                saved = Some(save_export(dir, name, bytes)?);
                Ok(())
            },
        )?;
        let path = saved.ok_or_else(|| AppError::new(HubCode::Internal, "内部错误：Excel 文件未保存"))?;
        Ok(LedgerExport { message: exported.summary(Some(&path)), path: path.display().to_string() })
    }
}

/// Saves an export (an .xlsx) into `dir`, or the user's documents folder, and says where.
pub(crate) fn save_export(dir: Option<&Path>, name: &str, bytes: &[u8]) -> Result<PathBuf, AppError> {
    let dir: PathBuf = match dir {
        Some(d) => d.to_path_buf(),
        None => dirs::document_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir),
    };
    tongban_files::save_in(&dir, name, bytes)
        .map_err(|e| AppError::new(DeskCode::WriteFailed, format!("无法在「{}」保存 Excel 文件：{e}", dir.display())))
}

/// The ledger's cases counted by item, by partner and by clerk, most first: the screen's counts
/// and the 统计 sheet of the ledger's .xlsx.
pub(crate) fn counts(entries: &[LedgerEntry]) -> [Vec<Tally>; 3] {
    let mut items = Counter::default();
    let mut partners = Counter::default();
    let mut clerks = Counter::default();
    for e in entries {
        items.add(&e.case.item_code, || e.case.item_name.clone());
        partners.add(&e.case.handling_region, || region::display_name(&e.case.handling_region));
        clerks.add(&e.case.clerk, || e.clerk_name.clone());
    }
    [items.sorted(), partners.sorted(), clerks.sorted()]
}

/// The same counts as the .xlsx's sections.
pub(crate) fn count_sections(entries: &[LedgerEntry]) -> Vec<tongban_forms::CountSection> {
    let [items, partners, clerks] = counts(entries);
    [("按事项", items), ("按办理地", partners), ("按受理人", clerks)]
        .into_iter()
        .map(|(title, rows)| tongban_forms::CountSection {
            title: title.to_string(),
            rows: rows.into_iter().map(|t| (t.label, t.count)).collect(),
        })
        .collect()
}

/// Counts by a code, remembering the code's name the first time it is seen.
#[derive(Default)]
struct Counter(BTreeMap<String, (String, u64)>);

impl Counter {
    fn add(&mut self, key: &str, label: impl FnOnce() -> String) {
        self.0.entry(key.to_string()).or_insert_with(|| (label(), 0)).1 += 1;
    }

    /// Most first; equal counts by code, so the order is the same every time.
    fn sorted(self) -> Vec<Tally> {
        let mut out: Vec<Tally> = self.0.into_iter().map(|(key, (label, count))| Tally { key, label, count }).collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    #[test]
    fn the_report_counts_what_the_ledger_lists() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        let seeded = demo::seed(&db, 12).unwrap();
        let desk = Desk::open_as(&db, "liqiang", demo::DEMO_PASSWORD).unwrap();
        let day = crate::today().to_string();
        let report = desk.supervision(&LedgerQuery { from: day.clone(), ..Default::default() }).unwrap();
        let today: Vec<_> = seeded.iter().filter(|c| c.number.contains(&day.replace('-', ""))).collect();
        assert_eq!(report.total as usize, today.len());
        assert_eq!(report.rows.len(), today.len());
        assert_eq!(report.by_status.len(), CaseStatus::ALL.len(), "every status, even at zero");
        assert_eq!(report.by_status.iter().map(|t| t.count).sum::<u64>(), report.total);
        assert_eq!(report.by_item.iter().map(|t| t.count).sum::<u64>(), report.total);
        assert_eq!(report.by_partner.iter().map(|t| t.count).sum::<u64>(), report.total);
        assert!(report.by_item.windows(2).all(|w| w[0].count >= w[1].count), "most first");
        assert!(report.by_partner.iter().all(|t| t.label.contains('市') || t.label.contains('省')));
        assert!(report.rows.iter().all(|r| r.applicant_id_masked.contains("****")));
    }

    #[test]
    fn a_bad_day_is_refused_with_its_field() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.db");
        demo::seed(&db, 1).unwrap();
        let desk = Desk::open_as(&db, "liqiang", demo::DEMO_PASSWORD).unwrap();
        let e = desk.supervision(&LedgerQuery { from: "2026-13-01".into(), ..Default::default() }).unwrap_err();
        assert_eq!(e.code, "invalid_input");
        assert!(e.message.contains("起始日期") && e.message.contains("2026-13-01"), "{}", e.message);
        let e = desk
            .supervision(&LedgerQuery {
                from: "2026-03-02".into(),
                to: Some("2026-03-01".into()),
                ..Default::default()
            })
            .unwrap_err();
        assert!(e.message.contains("2026"), "{}", e.message);
    }
}
