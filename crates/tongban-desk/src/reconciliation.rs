//! 对账 with a partner at the desk: the comparison runs over the network on a connection of its
//! own (`tongban_sync::reconcile`), and the 对账单 is written as an .xlsx (an export, audited).

use chrono::{NaiveDate, Utc};
use tongban_core::region;
use tongban_forms::{ReconciliationLine, ReconciliationSheet};
use tongban_store::AuditKind;
pub use tongban_sync::reconcile::Reconciliation;
use tongban_sync::SyncSettings;

use crate::printing::beijing;
use crate::session::Permission;
use crate::{AppError, Desk};

/// The days a package of originals may go unsigned before the 对账单 lists it.
pub const PACKAGE_DAYS: i64 = 7;

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
            .map_err(|e| AppError::new("internal", format!("无法启动网络连接：{e}")))?;
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

    /// The 对账单 of `found` as an .xlsx, handed to `write` (its name and bytes); recorded in
    /// the audit log as an export.
    pub fn export_reconciliation_xlsx(
        &self,
        found: &Reconciliation,
        write: crate::printing::Deliver<'_>,
    ) -> Result<(), AppError> {
        self.permit(Permission::Read)?;
        let mut store = self.locked()?;
        let desk = store.require_desk()?;
        let hub = store.hub(&found.partner)?;
        let sheet = ReconciliationSheet {
            parties: format!("{}{} 与 {}", region::display_name(&desk.region), desk.hall, hub.name),
            period: format!("{}至{}", date_zh(found.from), date_zh(found.to)),
            matched: found.matched,
            lines: lines(found),
            made_at: beijing(Utc::now()).format("%Y-%m-%d %H:%M").to_string(),
        };
        let bytes = tongban_forms::reconciliation_xlsx(&sheet)?;
        let name = format!("对账单-{}-{}-{}.xlsx", found.partner, found.from, found.to);
        write(&name, &bytes)?;
        self.audit(
            &mut store,
            AuditKind::Export,
            None,
            format!("对账单（{} {}）导出为 Excel", hub.name, sheet.period),
        )?;
        Ok(())
    }
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
    let mut out = differences("仅本机有", &found.only_here);
    out.extend(differences("仅通办中心有", &found.only_at_hub));
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
