//! 对账 with a partner at the desk: the comparison runs over the network on a connection of its
//! own (`tongban_sync::reconcile`), and the 对账单 is written as an .xlsx (an export, audited).

use std::path::Path;

use chrono::{NaiveDate, Utc};
use serde::Serialize;
use tongban_core::code::{DeskCode, HubCode};
use tongban_core::region;
use tongban_forms::{ReconciliationLine, ReconciliationSheet};
use tongban_store::AuditKind;
pub use tongban_sync::reconcile::Reconciliation;
use tongban_sync::SyncSettings;
use ts_rs::TS;

use crate::printing::{beijing, OutFormat};
use crate::session::Permission;
use crate::{AppError, Desk};

pub use tongban_sync::reconcile::PACKAGE_DAYS;

impl Desk {
    /// 对账 with `partner`'s hub for the days `from` to `to` (both included), packages of
    /// originals listed once unsigned `package_days` after mailing. Needs the network; the
    /// desk's own connection is not held meanwhile.
    pub fn reconcile(
        &self,
        partner: &str,
        from: NaiveDate,
        to: NaiveDate,
        package_days: i64,
    ) -> Result<Reconciliation, AppError> {
        self.permit(Permission::Read)?;
        let store = self.sync_connection()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AppError::new(HubCode::Internal, format!("无法启动网络连接：{e}")))?;
        let settings = SyncSettings::default();
        Ok(runtime.block_on(tongban_sync::reconcile::reconcile(
            &store,
            partner,
            from,
            to,
            package_days,
            Utc::now(),
            &settings,
        ))?)
    }

    /// The 对账单 of `found` as a PDF (to print and sign) or an .xlsx, handed to `write` (its name
    /// and bytes); recorded in the audit log as an export.
    pub fn export_reconciliation(
        &self,
        found: &Reconciliation,
        format: OutFormat,
        write: crate::printing::Deliver<'_>,
    ) -> Result<(), AppError> {
        self.permit(Permission::Read)?;
        let made_by = self.user()?.display_name;
        let mut store = self.locked()?;
        let desk = store.require_desk()?;
        let hub = store.hub(&found.partner)?;
        let sheet = ReconciliationSheet {
            parties: format!("{}{} 与 {}", region::display_name(&desk.region), desk.hall, hub.name),
            period: format!("{}至{}", date_zh(found.from), date_zh(found.to)),
            matched: found.compared.matched,
            lines: lines(found),
            made_at: beijing(Utc::now()).format("%Y-%m-%d %H:%M").to_string(),
            made_by,
        };
        let (bytes, extension, label) = match format {
            OutFormat::Pdf => (tongban_forms::reconciliation_pdf(&sheet)?, "pdf", "PDF"),
            OutFormat::Xlsx => (tongban_forms::reconciliation_xlsx(&sheet)?, "xlsx", "Excel"),
        };
        let name = format!("对账单-{}-{}-{}.{extension}", found.partner, found.from, found.to);
        write(&name, &bytes)?;
        self.audit(
            &mut store,
            AuditKind::Export,
            None,
            format!("对账单（{} {}）导出为 {label}", hub.name, sheet.period),
        )?;
        Ok(())
    }

    /// 对账 and its 对账单 as a PDF, saved with the prints and opened in the viewer to print and
    /// sign (the window's 打印对账单).
    pub fn print_reconciliation(
        &self,
        partner: &str,
        from: &str,
        to: &str,
        package_days: u32,
    ) -> Result<crate::PrintOutcome, AppError> {
        let dir = self.prints_dir();
        let (found, path) =
            self.reconcile_and_save(partner, (from, to), package_days, OutFormat::Pdf, |name, pdf| {
                crate::printing::save_pdf(&dir, name, pdf)
            })?;
        let warning = crate::viewer::open_pdf(&path).err().map(|e| e.message);
        Ok(crate::PrintOutcome {
            path: path.display().to_string(),
            delivered: warning.is_none(),
            reprint: false,
            message: format!("对账单已生成（{}），请打印后双方签字", summary(&found)),
            warning,
        })
    }
}

/// The last 对账 with a partner found something to look at: news in the status bar until a
/// 对账 of that partner is clean (the engine runs one a day; anyone may run one sooner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReconciliationNews {
    pub region: String,
    pub name: String,
    /// The period compared, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// RFC 3339.
    pub checked_at: String,
    /// For the status bar: 「丰台区 对账不符 2 项」.
    pub short: String,
    /// What was found and what to do, in Chinese.
    pub message: String,
}

impl ReconciliationNews {
    pub fn of(found: &tongban_store::ReconciliationRecord, name: &str) -> ReconciliationNews {
        let mut parts = Vec::new();
        if found.troubles > 0 {
            parts.push(format!("{} 个事件两边记录不符（如本机记为已送出而通办中心没有）", found.troubles));
        }
        if found.packages > 0 {
            parts.push(format!("{} 个原件包裹寄出超过 {} 天仍未签收", found.packages, found.package_days));
        }
        ReconciliationNews {
            region: found.hub_region.clone(),
            name: name.to_string(),
            from: found.from.to_string(),
            to: found.to.to_string(),
            checked_at: found.checked_at.to_rfc3339(),
            short: format!("{name} 对账不符 {} 项", found.troubles + found.packages),
            message: format!(
                "与{name}对账（{}至{}，{}）：{}。点击查看明细；事件不符请联系通办中心核查，包裹请查询物流或联系办理地",
                date_zh(found.from),
                date_zh(found.to),
                beijing(found.checked_at).format("%m月%d日 %H:%M 核对"),
                parts.join("；")
            ),
        }
    }
}

/// A 对账 as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReconciliationView {
    /// 双方一致… or how many lines differ, in a sentence.
    pub summary: String,
    pub matched: u32,
    pub clean: bool,
    pub lines: Vec<ReconciliationLineView>,
}

/// One line of the 对账单 on screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ReconciliationLineView {
    /// 仅本机有, 仅通办中心有, 原件未签收.
    pub section: String,
    pub number: String,
    pub what: String,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub note: String,
}

impl Desk {
    /// 对账 for the window: the days as typed (`YYYY-MM-DD`), checked with a Chinese message.
    pub fn reconciliation_view(
        &self,
        partner: &str,
        from: &str,
        to: &str,
        package_days: u32,
    ) -> Result<ReconciliationView, AppError> {
        let (from, to) = (day("from", "起始日期", from)?, day("to", "截止日期", to)?);
        let found = self.reconcile(partner, from, to, i64::from(package_days))?;
        Ok(view(&found))
    }

    /// 对账 and its 对账单 as an .xlsx in `dir` (the window: the user's documents folder).
    pub fn export_reconciliation_to(
        &self,
        partner: &str,
        from: &str,
        to: &str,
        package_days: u32,
        dir: Option<&Path>,
    ) -> Result<crate::LedgerExport, AppError> {
        let (found, path) =
            self.reconcile_and_save(partner, (from, to), package_days, OutFormat::Xlsx, |name, bytes| {
                crate::supervision::save_export(dir, name, bytes)
            })?;
        Ok(crate::LedgerExport {
            message: format!("对账单已保存到 {}（{}）", path.display(), summary(&found)),
            path: path.display().to_string(),
        })
    }

    /// 对账 for the days as typed, and its 对账单 in `format` handed to `save`, which answers
    /// where it went: the window's print and its Excel export.
    fn reconcile_and_save(
        &self,
        partner: &str,
        (from, to): (&str, &str),
        package_days: u32,
        format: OutFormat,
        mut save: impl FnMut(&str, &[u8]) -> Result<std::path::PathBuf, AppError>,
    ) -> Result<(Reconciliation, std::path::PathBuf), AppError> {
        let (from, to) = (day("from", "起始日期", from)?, day("to", "截止日期", to)?);
        let found = self.reconcile(partner, from, to, i64::from(package_days))?;
        let mut saved = None;
        self.export_reconciliation(&found, format, &mut |name, bytes| {
            saved = Some(save(name, bytes)?);
            Ok(())
        })?;
        let path = saved.ok_or_else(|| AppError::new(HubCode::Internal, "内部错误：对账单未保存"))?;
        Ok((found, path))
    }
}

/// The sentence over a 对账's lines.
pub fn summary(found: &Reconciliation) -> String {
    let lines = lines(found).len();
    if lines == 0 {
        format!("{} 至 {}：双方一致，共 {} 个事件两边都有", found.from, found.to, found.compared.matched)
    } else {
        format!("{} 至 {}：双方都有 {} 个事件；{lines} 项不一致或待处理", found.from, found.to, found.compared.matched)
    }
}

fn view(found: &Reconciliation) -> ReconciliationView {
    let lines: Vec<ReconciliationLineView> = lines(found)
        .into_iter()
        .map(|l| ReconciliationLineView {
            section: l.section,
            number: l.number,
            what: l.what,
            at: l.at.format("%Y-%m-%d %H:%M").to_string(),
            note: l.note,
        })
        .collect();
    ReconciliationView {
        summary: summary(found),
        matched: u32::try_from(found.compared.matched).unwrap_or(u32::MAX),
        clean: lines.is_empty(),
        lines,
    }
}

fn day(field: &str, label: &str, typed: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(typed.trim(), "%Y-%m-%d").map_err(|_| AppError {
        field: Some(field.into()),
        ..AppError::new(DeskCode::InvalidInput, format!("{label}「{typed}」无效，应为 YYYY-MM-DD 格式的日期"))
    })
}

/// The 对账单's lines: what only this desk holds, what only the hub holds, packages unsigned.
pub fn lines(found: &Reconciliation) -> Vec<ReconciliationLine> {
    let differences = |section: &str, list: &[tongban_sync::reconcile::Difference]| {
        list.iter()
            .map(|d| ReconciliationLine {
                section: section.into(),
                number: d.number.clone(),
                what: d.kind.label().into(),
                at: beijing(d.at),
                note: d.note.clone(),
            })
            .collect::<Vec<_>>()
    };
    let mut out = differences("仅本机有", &found.compared.only_here);
    out.extend(differences("仅通办中心有", &found.compared.only_at_hub));
    out.extend(found.unsigned_packages.iter().map(|p| ReconciliationLine {
        section: "原件未签收".into(),
        number: p.number.clone(),
        what: format!("运单 {}", p.waybill),
        at: beijing(p.mailed_at),
        note: format!("寄出 {} 天仍未签收（超过 {} 天即列出），请查询物流或联系办理地", p.days, found.package_days),
    }));
    out
}

fn date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}
