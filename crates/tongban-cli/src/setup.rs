//! `tongban init`, `tongban recover` and `tongban demo`: operator work before anyone can log in
//! (a new desk, an admin's password from the recovery key, the demo desk), with no window
//! counterpart but the first-run set-up.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;
use serde_json::json;
use tongban_core::region;
use tongban_store::{DeskSetup, User};

use crate::print::write_to;
use crate::{Context, Failure};

#[derive(Args)]
pub struct InitArgs {
    /// 受理地行政区划代码（6位），如 411329
    #[arg(long)]
    region: String,
    /// 政务服务中心名称
    #[arg(long)]
    hall: String,
    /// 窗口名称
    #[arg(long)]
    window: String,
    /// 窗口代码（1至4位字母或数字，在本区划内唯一）
    #[arg(long)]
    desk_code: String,
    /// 第一个用户的登录名
    #[arg(long, default_value = "admin")]
    login: String,
    /// 第一个用户的姓名
    #[arg(long, default_value = "管理员")]
    name: String,
    /// 第一个用户的角色：clerk / helper / back_office / supervisor / admin
    #[arg(long, default_value = "admin")]
    role: String,
    /// 把恢复密钥表（A4 PDF，交服务中心保险柜保管）写到此文件；恢复密钥只在设置时给出这一次
    #[arg(long, value_name = "FILE")]
    recovery_sheet: Option<PathBuf>,
    /// 以 JSON 输出，便于脚本处理
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct DemoArgs {
    /// 示例办件数量（数据库已有办件时不再生成）
    #[arg(long, default_value_t = 40)]
    cases: usize,
    /// 不虚构办理地的决定：示例办件都等待办理地（演示通办中心的后台）真实作出决定
    #[arg(long)]
    without_partner_decisions: bool,
    /// 以 JSON 输出，便于脚本处理
    #[arg(long)]
    json: bool,
}

pub fn init(ctx: &mut Context<'_>, args: &InitArgs) -> Result<(), Failure> {
    let InitArgs { region: code, hall, window, desk_code, login, name, role, recovery_sheet, json } = args;
    if role.trim() != "admin" {
        return Err(Failure("第一个用户须为管理员（--role admin）；其他用户由管理员用 tongban user add 添加".into()));
    }
    let password = ctx.password("第一个用户的密码：")?;
    let setup = DeskSetup {
        region: code.clone(),
        hall: hall.clone(),
        window_name: window.clone(),
        desk_code: desk_code.clone(),
        first_user: User { login: login.clone(), display_name: name.clone(), role: role.clone() },
    };
    let path = ctx.db_path()?;
    let mut store = tongban_desk::create_desk(&path, &setup, &password, &[])?;
    let desk = store.require_desk()?;
    let recovery = store.data_key().recovery_key();
    // Shown on this command's output: handed out, never shown again.
    store.mark_recovery_issued(login.trim(), Utc::now())?;
    if let Some(sheet) = recovery_sheet {
        let pdf = tongban_desk::recovery_sheet(&store, Utc::now())?;
        write_to(sheet)("", &pdf)?;
    }
    let region_name = region::full_name(&desk.region).unwrap_or_default();
    if *json {
        say!(
            "{}",
            json!({ "id": desk.id, "region": desk.region, "region_name": region_name,
            "window": desk.window_label(), "desk_code": desk.desk_code.as_str(),
            "recovery_key": recovery.as_str() })
        );
    } else {
        say!(
            "已设置受理台：{region_name}（{}）{}，窗口代码 {}",
            desk.region,
            desk.window_label(),
            desk.desk_code.as_str()
        );
        say!("数据库：{}", store.path().display());
        say!("恢复密钥（只显示这一次；忘记管理员密码时凭它重设，请抄写或打印后放入保险柜）：");
        say!("  {}", recovery.as_str());
    }
    Ok(())
}

pub fn recover(ctx: &mut Context<'_>, login: &str) -> Result<(), Failure> {
    let recovery_key = ctx.password("恢复密钥：")?;
    let password = ctx.password("新密码：")?;
    tongban_desk::recover_admin(&ctx.db_path()?, &recovery_key, login, &password)?;
    say!("已用恢复密钥为管理员 {} 设置新密码", login.trim());
    Ok(())
}

pub fn demo(ctx: &Context<'_>, args: &DemoArgs) -> Result<(), Failure> {
    let DemoArgs { cases, without_partner_decisions, json } = args;
    let path = ctx.db_path()?;
    // The demo desk is opened with its demo password (a desk of another is refused by it).
    let existing = tongban_desk::demo::open(&path)?.case_count()?;
    let seeded = if existing == 0 {
        let history = if *without_partner_decisions {
            tongban_desk::demo::PartnerHistory::None
        } else {
            tongban_desk::demo::PartnerHistory::Invented
        };
        tongban_desk::demo::seed_with(&path, *cases, history)?.len()
    } else {
        0
    };
    if *json {
        say!("{}", json!({ "db": path, "seeded": seeded, "existing": existing }));
    } else if seeded > 0 {
        say!("演示受理台已就绪：{}，生成示例办件 {seeded} 件", path.display());
    } else {
        say!("演示受理台已有办件 {existing} 件：{}", path.display());
    }
    Ok(())
}
