//! What protects the desk's data beyond logins: the recovery key (its sheet, printed once; its
//! use, for an admin who forgot their password), backups, and the audit log as supervisors read,
//! print and export it.

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, Utc};
use tongban_core::code::DeskCode;
use tongban_core::region;
use tongban_store::{AuditFilter, AuditKind, NewAuditEntry, Store};

use crate::api::{
    AfterPrint, AuditLine, AuditPage, AuditQuery, BackupResult, BackupSettings, BackupStep, BackupView, KindOption,
    PrintOutcome, RecoveryKeyView,
};
use crate::printing::beijing;
use crate::session::Permission;
use crate::{AppError, Desk};

/// The 恢复密钥 sheet of the open desk, as PDF bytes.
pub fn recovery_sheet(store: &Store, now: chrono::DateTime<Utc>) -> Result<Vec<u8>, AppError> {
    let desk = store.require_desk()?;
    let key = store.data_key().recovery_key();
    let groups = key.groups();
    let region_name = region::display_name(&desk.region);
    Ok(tongban_forms::recovery_sheet(&tongban_forms::RecoverySheet {
        region: &desk.region,
        region_name: &region_name,
        hall: &desk.hall,
        window: &desk.window_name,
        desk_code: desk.desk_code.as_str(),
        desk_id: &desk.id,
        created_on: beijing(now).date(),
        key_groups: &groups,
    })?)
}

/// An admin who forgot their password (or a desk whose key file was lost) gets a new one with
/// the recovery key printed at set-up. A key that is not this desk's changes nothing; only an
/// active admin can be given a password this way; the use is in the audit log.
pub fn recover_admin(path: &Path, recovery_key: &str, login: &str, password: &str) -> Result<(), AppError> {
    tongban_store::upgrade::recover(path)?;
    tongban_store::check_password_rules(password)?;
    let mut store = Store::open_with_recovery_key(path, recovery_key)?;
    let login = login.trim();
    let account = store.accounts()?.into_iter().find(|a| a.user.login == login);
    let Some(account) = account else {
        return Err(AppError::new(DeskCode::UnknownUser, format!("本受理台没有管理员「{login}」")));
    };
    if account.user.role != "admin" || account.disabled {
        return Err(AppError::new(
            DeskCode::NotPermitted,
            format!("恢复密钥只能为在用的管理员设置新密码；「{login}」不是，请由管理员为其重置密码"),
        ));
    }
    store.ensure_key_file()?;
    store.set_password(login, password)?;
    let detail = format!("用恢复密钥为管理员「{login}」设置新密码");
    store.record(&NewAuditEntry { kind: AuditKind::Recovery, user: login, case_id: None, detail }, Utc::now())?;
    Ok(())
}

impl Desk {
    /// The login screen's 忘记管理员密码: the recovery key gives an admin a new password; the
    /// login screen comes next. A wrong key changes nothing.
    pub fn recover_admin(&self, recovery_key: &str, login: &str, password: &str, again: &str) -> Result<(), AppError> {
        if password != again {
            return Err(AppError {
                field: Some("password_again".into()),
                ..AppError::new(DeskCode::InvalidInput, "确认密码：两次输入的密码不一致")
            });
        }
        recover_admin(&self.path, recovery_key, login, password)
    }

    /// The recovery key, shown once: right after set-up (nobody logged in yet), or to the first
    /// admin who logs in to a desk that never handed its key out (one encrypted at an upgrade).
    pub fn recovery_key(&self) -> Result<Option<RecoveryKeyView>, AppError> {
        let store = self.locked()?;
        if store.recovery_issued()? {
            return Ok(None);
        }
        if self.session().is_some() {
            self.require(Permission::Administer)?;
        }
        let key = store.data_key().recovery_key();
        Ok(Some(RecoveryKeyView { groups: key.groups().iter().map(|g| g.to_string()).collect() }))
    }

    /// Prints the recovery sheet (while the key is still to be handed out) and opens it.
    pub fn print_recovery_sheet(&self) -> Result<PrintOutcome, AppError> {
        if self.recovery_key()?.is_none() {
            return Err(AppError::new(DeskCode::RecoveryIssued, "恢复密钥已交付保管，不能再次打印"));
        }
        let pdf = recovery_sheet(&*self.locked()?, Utc::now())?;
        let path = crate::printing::save_pdf(&self.prints_dir(), "恢复密钥.pdf", &pdf)?;
        let warning = crate::viewer::open_pdf(&path).err().map(|e| e.message);
        Ok(PrintOutcome {
            path: path.display().to_string(),
            delivered: warning.is_none(),
            reprint: false,
            message: "已生成恢复密钥表；打印后请立即关闭查看器".into(),
            warning,
        })
    }

    /// The admin (or the one who set the desk up) confirms the recovery key is kept: it is never
    /// shown again.
    pub fn confirm_recovery_kept(&self) -> Result<(), AppError> {
        if self.recovery_key()?.is_none() {
            return Ok(());
        }
        let mut store = self.locked()?;
        let user = self.acting().as_ref().map(|_| ()).and_then(|_| self.actor(None).ok()).unwrap_or_default();
        store.mark_recovery_issued(&user, Utc::now())?;
        self.audit(&mut store, AuditKind::Recovery, None, "恢复密钥已打印并交付保管，此后不再显示")?;
        // The file the viewer was given goes too.
        let _ = std::fs::remove_file(self.prints_dir().join("恢复密钥.pdf"));
        Ok(())
    }

    /// Backs the desk up (an admin's 备份): into `target`, or the automatic backup's folder, on a
    /// connection of its own so the window and the sync go on meanwhile. Keeps the newest N
    /// backups there (`backup.keep`). Recorded in the audit log, as is a failure.
    pub fn back_up(
        &self,
        target: Option<&Path>,
        progress: impl FnMut(tongban_store::BackupProgress),
    ) -> Result<tongban_store::BackupDone, AppError> {
        self.require(Permission::Administer)?;
        self.run_backup(target, progress, true)
    }

    /// The daily backup, when one is due (a folder is set and none was made today): run by the
    /// window's background task while anyone (or nobody, locked) is logged in, and by
    /// `tongban backup --scheduled`. `None` when none is due.
    pub fn back_up_if_due(&self) -> Result<Option<tongban_store::BackupDone>, AppError> {
        let due = self.locked()?.backup_due(Utc::now())?;
        match due {
            // A stick not plugged in is tried again later; only a finished backup is recorded.
            Some(folder) => self.run_backup(Some(&folder), |_| {}, false).map(Some),
            None => Ok(None),
        }
    }

    fn run_backup(
        &self,
        target: Option<&Path>,
        progress: impl FnMut(tongban_store::BackupProgress),
        record_failure: bool,
    ) -> Result<tongban_store::BackupDone, AppError> {
        let (mut own, keep, folder) = {
            let open = self.locked()?;
            let prefs = open.backup_prefs()?;
            (Store::open(open.path(), open.data_key())?, prefs.keep, prefs.folder)
        };
        let target = match target {
            Some(t) => t.to_path_buf(),
            None if !folder.trim().is_empty() => PathBuf::from(folder.trim()),
            None => {
                return Err(AppError {
                    field: Some("folder".into()),
                    ..AppError::new(DeskCode::InvalidInput, "请先选择备份到的文件夹（U 盘或共享文件夹）")
                })
            }
        };
        let outcome = own.back_up(&target, keep, Utc::now(), progress);
        drop(own);
        let mut store = self.locked()?;
        match outcome {
            Ok(done) => {
                self.audit(&mut store, AuditKind::Backup, None, done.summary())?;
                Ok(done)
            }
            Err(e) => {
                if record_failure {
                    let _ = self.audit(&mut store, AuditKind::Backup, None, format!("备份失败：{e}"));
                }
                Err(e.into())
            }
        }
    }

    /// The 备份 dialog's view: the last backup, the daily backup's settings, the warning.
    pub fn backup_view(&self) -> Result<BackupView, AppError> {
        let status = self.backup_status()?;
        let when = |t: chrono::DateTime<Utc>| beijing(t).format("%Y-%m-%d %H:%M").to_string();
        Ok(BackupView {
            last_at: status.last_at.map(when),
            last_path: status.last_path,
            folder: status.prefs.folder,
            keep: status.prefs.keep,
            warn_days: status.prefs.warn_days,
            warning: status.warning,
            restored_from: status
                .restored_from
                .map(|r| format!("本受理台于 {} 从 {} 的备份恢复", when(r.restored_at), when(r.taken_at))),
        })
    }

    /// Saves the daily backup's settings (each checked; the error names the field).
    pub fn save_backup_settings(&self, settings: &BackupSettings) -> Result<BackupView, AppError> {
        self.require(Permission::Administer)?;
        let user = self.actor(None)?;
        {
            let mut store = self.locked()?;
            let values = [
                ("backup.folder", settings.folder.trim().to_string()),
                ("backup.keep", settings.keep.to_string()),
                ("backup.warn_days", settings.warn_days.to_string()),
            ];
            for (key, value) in &values {
                store.set_setting(key, value, &user, Utc::now())?;
            }
            let folder = if settings.folder.trim().is_empty() {
                "不自动备份".to_string()
            } else {
                settings.folder.trim().to_string()
            };
            self.audit(
                &mut store,
                AuditKind::Settings,
                None,
                format!("自动备份：{folder}，保留 {} 份，超过 {} 天提醒", settings.keep, settings.warn_days),
            )?;
        }
        self.backup_view()
    }

    /// The 备份 dialog's 立即备份: to `folder` (or the daily backup's), with the progress as a
    /// percentage of the whole.
    pub fn back_up_now(
        &self,
        folder: Option<&str>,
        mut progress: impl FnMut(BackupStep),
    ) -> Result<BackupResult, AppError> {
        let folder = folder.map(str::trim).filter(|f| !f.is_empty()).map(PathBuf::from);
        let done = self.back_up(folder.as_deref(), |p| {
            // The stages in the order they run, each a share of the bar.
            let (from, share) = match p.stage {
                "复制数据库" => (0, 35),
                "复制扫描件和打印件" => (35, 35),
                "核对备份文件" => (70, 10),
                _ => (80, 20),
            };
            let within = if p.total == 0 { 1.0 } else { p.done as f64 / p.total as f64 };
            progress(BackupStep { stage: p.stage.to_string(), percent: from + (f64::from(share) * within) as u32 });
        })?;
        Ok(BackupResult { path: done.path.display().to_string(), summary: done.summary() })
    }

    /// The last backup and its warning, for the admin's status bar and the 备份 view.
    pub fn backup_status(&self) -> Result<tongban_store::BackupStatus, AppError> {
        self.require(Permission::Administer)?;
        Ok(self.locked()?.backup_status(Utc::now())?)
    }

    /// The audit log for supervisors: newest first, filtered by person, case, kind and days.
    pub fn audit_log(&self, query: &AuditQuery) -> Result<AuditPage, AppError> {
        self.require(Permission::Supervise)?;
        let filter = audit_filter(query)?;
        let store = self.locked()?;
        let page = store.audit_entries(&filter, query.page.max(1), query.page_size.clamp(1, 500))?;
        let names = crate::CaseRows::new(&store)?;
        Ok(AuditPage {
            rows: page.rows.into_iter().map(|e| audit_line(&names, e)).collect(),
            total: page.total,
            kinds: AuditKind::ALL
                .iter()
                .map(|k| KindOption { value: k.as_str().into(), label: k.label().into() })
                .collect(),
        })
    }

    /// Prints the audit log as filtered (A4 landscape), with the chain's verification in the footer.
    pub fn print_audit_log(&self, query: &AuditQuery, then: AfterPrint) -> Result<PrintOutcome, AppError> {
        self.require(Permission::Supervise)?;
        let filter = audit_filter(query)?;
        let (pdf, count) = {
            let mut store = self.locked()?;
            let user = store.user(&self.actor(None)?)?;
            let entries = store.audit_entries(&filter, 1, 10_000)?;
            let names = crate::CaseRows::new(&store)?;
            let rows: Vec<tongban_forms::AuditRow> = entries
                .rows
                .into_iter()
                .map(|e| {
                    let line = audit_line(&names, e);
                    tongban_forms::AuditRow {
                        seq: line.seq.to_string(),
                        at: line.at,
                        person: line.person,
                        kind: line.kind_label,
                        case_number: line.case_number.unwrap_or_default(),
                        detail: line.detail,
                        hash: line.hash_prefix,
                    }
                })
                .collect();
            let verdict = match store.verify_audit(1)? {
                None => "审计链核验：完整".to_string(),
                Some(b) => format!("审计链核验：{b}"),
            };
            let hall = store.hall_texts()?.hall_name;
            let pdf = tongban_forms::audit_log(&tongban_forms::AuditLog {
                hall: &hall,
                scope: &scope_text(query),
                rows: &rows,
                printed_by: &user.display_name,
                printed_at: beijing(Utc::now()),
                verdict: &verdict,
            })?;
            self.audit(
                &mut store,
                AuditKind::Print,
                None,
                format!("审计日志（{}，{} 条）", scope_text(query), rows.len()),
            )?;
            (pdf, rows.len())
        };
        let name = format!("审计日志-{}.pdf", beijing(Utc::now()).format("%Y%m%d%H%M%S"));
        let path = crate::printing::save_pdf(&self.prints_dir(), &name, &pdf)?;
        let handed_on = match then {
            AfterPrint::Open => crate::viewer::open_pdf(&path),
            AfterPrint::Printer => crate::viewer::send_to_printer(&path, None),
            AfterPrint::Save => Ok(()),
        };
        let warning = handed_on.err().map(|e| e.message);
        Ok(PrintOutcome {
            path: path.display().to_string(),
            delivered: warning.is_none(),
            reprint: false,
            message: format!("已打印审计日志 {count} 条"),
            warning,
        })
    }

    /// Exports the audit log as filtered to a CSV file (UTF-8 with a BOM, so Excel reads the
    /// Chinese) in `dir` (the window: the user's documents folder); returns its path.
    pub fn export_audit_log(&self, query: &AuditQuery, dir: Option<&Path>) -> Result<String, AppError> {
        self.require(Permission::Supervise)?;
        let filter = audit_filter(query)?;
        let dir: PathBuf = match dir {
            Some(d) => d.to_path_buf(),
            None => dirs::document_dir().or_else(dirs::home_dir).unwrap_or_else(std::env::temp_dir),
        };
        let path = dir.join(format!("审计日志-{}.csv", beijing(Utc::now()).format("%Y%m%d%H%M%S")));
        let count = self.write_audit_csv(&filter, &path)?;
        let mut store = self.locked()?;
        self.audit(&mut store, AuditKind::Export, None, format!("审计日志 {count} 条导出到「{}」", path.display()))?;
        Ok(path.display().to_string())
    }

    /// Writes the entries matching `filter` as CSV to `path`; returns how many.
    pub fn write_audit_csv(&self, filter: &AuditFilter, path: &Path) -> Result<usize, AppError> {
        let store = self.locked()?;
        let names = crate::CaseRows::new(&store)?;
        let entries = store.audit_entries(filter, 1, 10_000_000)?;
        let failed = |e: &dyn std::fmt::Display| {
            AppError::new(DeskCode::WriteFailed, format!("写入「{}」失败：{e}", path.display()))
        };
        let mut out = Vec::from("\u{feff}".as_bytes());
        {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["序号", "时间", "登录名", "人员", "类别", "办件编号", "内容", "链哈希"])
                .map_err(|e| failed(&e))?;
            for e in entries.rows.iter().cloned() {
                let line = audit_line(&names, e.clone());
                w.write_record([
                    &line.seq.to_string(),
                    &line.at,
                    &e.user,
                    &line.person,
                    &line.kind_label,
                    line.case_number.as_deref().unwrap_or(""),
                    &line.detail,
                    &e.hash,
                ])
                .map_err(|e| failed(&e))?;
            }
            w.flush().map_err(|e| failed(&e))?;
        }
        std::fs::write(path, out).map_err(|e| failed(&e))?;
        Ok(entries.rows.len())
    }
}

fn audit_line(names: &crate::CaseRows<'_>, e: tongban_store::AuditEntry) -> AuditLine {
    AuditLine {
        seq: e.seq,
        at: beijing(e.at).format("%Y-%m-%d %H:%M:%S").to_string(),
        person: if e.user.is_empty() {
            "本机".to_string()
        } else {
            format!("{}（{}）", names.clerk_name(&e.user), e.user)
        },
        login: e.user,
        kind: e.kind.as_str().to_string(),
        kind_label: e.kind.label().to_string(),
        case_number: e.case_number,
        detail: e.detail,
        hash_prefix: e.hash.get(..16).unwrap_or(&e.hash).to_string(),
    }
}

/// The query as the store's filter; a kind or a date that does not parse is a clear error.
pub(crate) fn audit_filter(query: &AuditQuery) -> Result<AuditFilter, AppError> {
    let date = |label: &str, v: &Option<String>| -> Result<Option<NaiveDate>, AppError> {
        match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| {
                AppError::new(DeskCode::InvalidInput, format!("{label}「{v}」无效，应为 YYYY-MM-DD 格式的日期"))
            }),
        }
    };
    let kind = match query.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(AuditKind::parse(k).ok_or_else(|| {
            let all: Vec<&str> = AuditKind::ALL.iter().map(|k| k.label()).collect();
            AppError::new(DeskCode::InvalidInput, format!("审计类别「{k}」无效，可选：{}", all.join("、")))
        })?),
    };
    Ok(AuditFilter {
        user: query.person.clone(),
        case_number: query.case_number.clone(),
        kind,
        from: date("起始日期", &query.from)?,
        to: date("截止日期", &query.to)?,
    })
}

fn scope_text(query: &AuditQuery) -> String {
    let mut parts = Vec::new();
    match (query.from.as_deref().filter(|s| !s.is_empty()), query.to.as_deref().filter(|s| !s.is_empty())) {
        (Some(f), Some(t)) => parts.push(format!("{f} 至 {t}")),
        (Some(f), None) => parts.push(format!("{f} 起")),
        (None, Some(t)) => parts.push(format!("至 {t}")),
        (None, None) => parts.push("全部日期".into()),
    }
    if let Some(p) = query.person.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("人员：{p}"));
    }
    if let Some(c) = query.case_number.as_deref().filter(|s| !s.is_empty()) {
        parts.push(format!("办件：{c}"));
    }
    if let Some(k) = query.kind.as_deref().and_then(AuditKind::parse) {
        parts.push(format!("类别：{}", k.label()));
    }
    parts.join("　")
}
