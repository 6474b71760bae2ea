//! `tongban user`, `settings`, `desk` and `unattended`: an admin's (and for reading, anyone's)
//! management of the desk, through the desk's own methods as the window manages it.

use clap::Subcommand;
use tongban_core::region;
use tongban_desk::{Desk, Permission};

use crate::{Context, Failure};

#[derive(Subcommand)]
pub enum UserCommand {
    /// 添加用户
    Add {
        /// 登录名
        login: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 角色：clerk（窗口受理）/ helper（帮办代办）/ back_office（后台审批）/ supervisor（督查）/ admin（管理员）
        #[arg(long)]
        role: String,
    },
    /// 列出用户及其角色、状态
    List {
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 设置（重置）用户的密码并解除登录锁定：新密码从提示输入，或 --password-stdin 的第二行
    Passwd {
        /// 登录名
        login: String,
    },
    /// 停用用户：不能再登录，已有的办件和打印记录仍显示其姓名
    Disable {
        /// 登录名
        login: String,
    },
}

#[derive(Subcommand)]
pub enum UnattendedCommand {
    /// 开启：数据密钥另以本机绑定的密钥封存，此后 tongban sync 不带 --user 也能运行（仅同步）
    Enable,
    /// 关闭：删除本机绑定的封存
    Disable,
    /// 是否已开启
    Status,
}

#[derive(Subcommand)]
pub enum DeskCommand {
    /// 显示本受理台及各通办中心确认的身份（窗口代码、角色、可见范围）或拒绝的原因
    Show,
    /// 更正本受理台的窗口代码（管理员；通办中心告知窗口代码已被另一台受理台使用后）
    Code {
        /// 新的窗口代码（1至4位字母或数字，须为本地区登记给本受理台的代码）
        code: String,
    },
}

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// 列出全部设置及其当前值
    Show {
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 修改一项设置；值为空字符串时恢复默认
    Set {
        /// 设置项，如 hall.phone（可用 tongban settings show 查看全部）
        key: String,
        value: String,
    },
}

pub fn user(ctx: &mut Context<'_>, command: &UserCommand) -> Result<(), Failure> {
    match command {
        UserCommand::Add { login, name, role } => {
            let desk = ctx.log_in(Permission::Administer)?;
            let password = ctx.password("新用户的密码：")?;
            let account = tongban_desk::NewAccount {
                login: login.clone(),
                display_name: name.clone(),
                role: role.clone(),
                password: password.clone(),
                password_again: password,
            };
            desk.add_account(&account)?;
            say!("已添加用户 {}（{}，{}）", login.trim(), name.trim(), tongban_store::role_label(role));
        }
        UserCommand::List { json } => {
            let accounts = ctx.log_in(Permission::Administer)?.account_records()?;
            if *json {
                say!("{}", serde_json::to_string_pretty(&accounts).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("登录名\t姓名\t角色\t状态");
                for a in &accounts {
                    let state = match (a.disabled, a.has_password) {
                        (true, _) => "已停用",
                        (false, false) => "未设置密码",
                        (false, true) => "正常",
                    };
                    say!(
                        "{}\t{}\t{}\t{state}",
                        a.user.login,
                        a.user.display_name,
                        tongban_store::role_label(&a.user.role)
                    );
                }
            }
        }
        UserCommand::Passwd { login } => {
            // One's own password needs only one's login; anyone else's is an admin's reset.
            let own = ctx.login_name().as_deref() == Some(login.trim());
            let desk = ctx.log_in(if own { Permission::Read } else { Permission::Administer })?;
            let password = ctx.password("新密码：")?;
            desk.reset_password_as_operator(login.trim(), &password)?;
            say!("已为用户 {} 设置新密码", login.trim());
        }
        UserCommand::Disable { login } => {
            ctx.log_in(Permission::Administer)?.disable_account(login.trim())?;
            say!("已停用用户 {}：不能再登录，已有记录仍显示其姓名", login.trim());
        }
    }
    Ok(())
}

pub fn settings(ctx: &mut Context<'_>, command: &SettingsCommand) -> Result<(), Failure> {
    match command {
        SettingsCommand::Show { json } => {
            let settings = ctx.log_in(Permission::Read)?.settings()?;
            if *json {
                say!("{}", serde_json::to_string_pretty(&settings).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("设置项\t名称\t当前值");
                for s in &settings {
                    let value = if s.value.is_empty() {
                        "（未设置，打印为空白）".to_string()
                    } else {
                        s.value.clone()
                    };
                    say!("{}\t{}\t{}{}", s.key, s.label, value, if s.is_default { "（默认）" } else { "" });
                }
            }
        }
        SettingsCommand::Set { key, value } => {
            // Hall texts and window settings alike: the label and value as `settings show` has them.
            let setting = ctx.log_in(Permission::Administer)?.set_setting(key, value)?;
            let label = setting.as_ref().map(|s| s.label);
            let now_value = setting.map(|s| s.value).unwrap_or_default();
            if value.trim().is_empty() {
                say!("已恢复默认：{}（{key}）＝{now_value}", label.unwrap_or(key));
            } else {
                say!("已设置{}（{key}）：{now_value}", label.unwrap_or(key));
            }
        }
    }
    Ok(())
}

pub fn desk(ctx: &mut Context<'_>, command: &DeskCommand) -> Result<(), Failure> {
    match command {
        DeskCommand::Show => {
            let shown = ctx.log_in(Permission::Read)?.desk_identities()?;
            let desk = &shown.desk;
            say!(
                "受理台：{}（{}）{}，窗口代码 {}",
                region::full_name(&desk.region).unwrap_or_default(),
                desk.region,
                desk.window_label(),
                desk.desk_code.as_str()
            );
            for (hub, confirmed) in &shown.hubs {
                let line = match confirmed {
                    None => "尚未确认（同步时确认）".to_string(),
                    Some(d) => match (&d.problem, &d.role_label) {
                        (Some(problem), _) => format!("未获确认：{problem}"),
                        (None, Some(role)) => format!(
                            "{role}，窗口代码 {}，可见范围：{}",
                            d.desk_code,
                            d.scope_label.as_deref().unwrap_or_default()
                        ),
                        (None, None) => "尚未确认（同步时确认）".to_string(),
                    },
                };
                say!("{}（{}）：{line}", hub.name, hub.region);
            }
            if shown.under_other_codes > 0 {
                say!(
                    "另有 {} 件以其他窗口代码收件的办件，管理员可运行 tongban case renumber --all 更正编号",
                    shown.under_other_codes
                );
            }
        }
        DeskCommand::Code { code } => {
            let session = ctx.log_in(Permission::Administer)?;
            let (before, desk) = session.set_desk_code(code)?;
            say!("窗口代码已由 {} 改为 {}；此后收件使用新代码", before.desk_code.as_str(), desk.desk_code.as_str());
            let others = session.cases_under_other_codes()?;
            if !others.is_empty() {
                say!(
                    "以原窗口代码收件的 {} 件办件可运行 tongban case renumber --all 改为新代码的编号，并补打收件登记表",
                    others.len()
                );
            }
            say!("请向各通办中心申领窗口代码 {} 的凭据，并用 tongban partner add 换用", desk.desk_code.as_str());
        }
    }
    Ok(())
}

pub fn unattended(desk: &Desk, command: &UnattendedCommand) -> Result<(), Failure> {
    match command {
        UnattendedCommand::Enable => {
            desk.set_unattended(true)?;
            say!("已开启无人值守同步：本机的 tongban sync 不带 --user 也能运行。数据密钥另存于本机（{}），取得本机该账户的人即可同步并读取本受理台的数据；不再需要时请关闭", tongban_desk::unattended::STORE_NAME);
        }
        UnattendedCommand::Disable => {
            desk.set_unattended(false)?;
            say!("已关闭无人值守同步");
        }
        UnattendedCommand::Status => {
            say!("{}", if desk.unattended_enabled()? { "已开启" } else { "未开启" });
        }
    }
    Ok(())
}
