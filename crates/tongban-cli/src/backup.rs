//! `tongban backup` and `tongban restore`: an admin's backups through the desk, as the window's
//! 备份 makes them. Two paths have no desk to go through and use the store itself: the scheduled
//! backup with nobody to log in (the machine-bound key of unattended sync), and a restore, which
//! makes the desk it would open.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;
use tongban_desk::printing::beijing;
use tongban_desk::Permission;
use tongban_store::{AuditKind, NewAuditEntry};

use crate::{Context, Failure};

#[derive(Args)]
pub struct BackupArgs {
    /// 备份到的文件夹（U 盘或共享文件夹）；默认为设置 backup.folder
    #[arg(long, value_name = "DIR")]
    to: Option<PathBuf>,
    /// 每日自动备份（供 Windows 计划任务调用）：设置了 backup.folder 且今天还没有备份时才备份；
    /// 不带 --user 时用无人值守同步的本机密钥
    #[arg(long, conflicts_with_all = ["to", "status", "verify"])]
    scheduled: bool,
    /// 只显示最近一次备份的时间和提醒
    #[arg(long, conflicts_with_all = ["to", "verify"])]
    status: bool,
    /// 校验一份已有的备份（逐个核对文件、打开数据库、解密每个扫描件），不恢复
    #[arg(long, value_name = "BACKUP", conflicts_with = "to")]
    verify: Option<PathBuf>,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// 备份文件夹（tongban backup 建立的 tongban-backup-… 文件夹）
    from: PathBuf,
    /// 替换本机已有的受理台（原受理台改名留在旁边，不删除）
    #[arg(long)]
    replace: bool,
    /// 用恢复密钥打开备份（从提示或标准输入读取），代替管理员的密码
    #[arg(long)]
    recovery_key: bool,
}

/// `tongban backup`: a backup now, the daily one when due, the status, or a check of one.
pub fn backup(ctx: &mut Context<'_>, args: &BackupArgs) -> Result<(), Failure> {
    let BackupArgs { to, scheduled, status, verify } = args;
    if *scheduled && ctx.login_name().is_none() {
        return scheduled_unattended(ctx);
    }
    let desk = ctx.log_in(Permission::Administer)?;
    if *status {
        let status = desk.backup_status()?;
        match (&status.last_at, &status.last_path) {
            (Some(at), Some(path)) => say!("最近一次备份：{}，「{path}」", beijing(*at).format("%Y-%m-%d %H:%M")),
            _ => say!("还没有备份"),
        }
        let folder = if status.prefs.folder.is_empty() { "未设置".to_string() } else { status.prefs.folder.clone() };
        say!("自动备份：{folder}，保留 {} 份，超过 {} 天提醒", status.prefs.keep, status.prefs.warn_days);
        if let Some(warning) = status.warning {
            say!("提醒：{warning}");
        }
        return Ok(());
    }
    if let Some(from) = verify {
        let manifest = desk.verify_backup(from)?;
        say!(
            "备份「{}」完好：{} 的备份，{} 件办件，{} 个文件均与清单相符，数据库和扫描件均能打开",
            from.display(),
            beijing(manifest.taken_at).format("%Y-%m-%d %H:%M:%S"),
            manifest.cases,
            manifest.files.len()
        );
        return Ok(());
    }
    let done = if *scheduled {
        match desk.back_up_if_due()? {
            Some(done) => done,
            None => {
                say!("今天已备份，或未设置自动备份文件夹（tongban settings set backup.folder …）");
                return Ok(());
            }
        }
    } else {
        desk.back_up(to.as_deref(), |_| {})?
    };
    say!("{}", done.summary());
    Ok(())
}

/// A scheduled task with nobody to log in: the machine-bound key of unattended sync opens the
/// store, and the backup is audited with no user.
fn scheduled_unattended(ctx: &Context<'_>) -> Result<(), Failure> {
    let path = ctx.db_path()?;
    let Some(mut store) = tongban_desk::unattended::open(&path)? else {
        return Err(Failure(
            "计划任务备份须登录（--user），或由管理员先运行 tongban unattended enable 开启本机无人值守".into(),
        ));
    };
    let now = Utc::now();
    let Some(folder) = store.backup_due(now)? else {
        say!("今天已备份，或未设置自动备份文件夹（tongban settings set backup.folder …）");
        return Ok(());
    };
    let keep = store.backup_prefs()?.keep;
    let outcome = store.back_up(&folder, keep, now, |_| {});
    let detail = match &outcome {
        Ok(done) => format!("计划任务：{}", done.summary()),
        Err(e) => format!("计划任务备份失败：{e}"),
    };
    store.record(&NewAuditEntry { kind: AuditKind::Backup, user: "", case_id: None, detail }, Utc::now())?;
    say!("{}", outcome?.summary());
    Ok(())
}

/// `tongban restore`: the backup checked whole with an admin's password or the recovery key,
/// then written where `--db` says.
pub fn restore(ctx: &mut Context<'_>, args: &RestoreArgs) -> Result<(), Failure> {
    let RestoreArgs { from, replace, recovery_key } = args;
    let path = ctx.db_path()?;
    let login = ctx.login_name();
    let (secret, key);
    if *recovery_key {
        secret = ctx.password("恢复密钥：")?;
        key = tongban_store::RestoreKey::RecoveryKey(&secret);
    } else {
        let Some(login) = login.as_deref() else {
            return Err(Failure(
                "恢复须由备份中的管理员登录：用 --user 指定登录名（密码从提示输入，或用 --password-stdin），或用 --recovery-key".into(),
            ));
        };
        secret = ctx.password("密码：")?;
        key = tongban_store::RestoreKey::Login { login, password: &secret };
    }
    let restored = tongban_store::restore(from, &path, key, *replace, Utc::now(), |_| {})?;
    say!("{}", restored.summary());
    Ok(())
}
