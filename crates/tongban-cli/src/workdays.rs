//! `tongban workdays`: working days as the desk counts them (its imported years, or the shipped
//! ones without a desk), an admin's import of a year, and its publication to the region's hub.

use std::path::PathBuf;

use clap::Subcommand;
use tongban_core::workdays::{WorkCalendar, YearSource, SUPPORTED_YEARS};
use tongban_desk::Permission;

use crate::{date_arg, workdays_publish, Context, Failure};

#[derive(Subcommand)]
pub enum WorkdaysCommand {
    /// 日期之后第 N 个工作日
    Add { date: String, n: u32 },
    /// 两个日期之间的工作日数（不含起始日，含截止日）
    Between { from: String, to: String },
    /// 导入某年的节假日安排（日历文本格式）；预估日期的办件随即重新计算期限
    Import { file: PathBuf },
    /// 各年份节假日安排的来源：国务院办公厅通知，或按法定节假日规则预估
    Years,
    /// 某年的节假日安排（日历文本格式；没有通知的年份为预估）
    Show { year: i32 },
    /// 把本机导入的节假日安排发布到本地区通办中心，同步的受理台都会安装（须通办中心的管理员凭据）
    Publish {
        /// 要发布的年份（默认本机导入的全部年份）
        years: Vec<i32>,
        /// 通办中心地址（默认已配置的本地区通办中心）
        #[arg(long, value_name = "URL")]
        hub: Option<String>,
        /// 管理员凭据（默认环境变量 TONGBAN_ADMIN_CREDENTIAL）
        #[arg(long, value_name = "TOKEN")]
        credential: Option<String>,
    },
}

pub fn run(ctx: &mut Context<'_>, command: &WorkdaysCommand) -> Result<(), Failure> {
    // Reading a desk database is only needed when one exists or is named; the shipped years
    // work without any.
    let admin = matches!(command, WorkdaysCommand::Import { .. } | WorkdaysCommand::Publish { .. });
    let desk = match ctx.named_db() {
        Some(path) if path.exists() || admin => {
            Some(ctx.log_in(if admin { Permission::Administer } else { Permission::Read })?)
        }
        _ => None,
    };
    let calendar = desk.as_ref().map(|d| d.calendar()).transpose()?.unwrap_or_else(WorkCalendar::shipped);
    let need_db = || Failure("请用 --db 指定数据库".into());
    match command {
        WorkdaysCommand::Add { date, n } => {
            let d = calendar.deadline(date_arg("日期", date)?, *n).map_err(|e| Failure(e.to_string()))?;
            let estimated = if d.estimated { "（预估：经过尚无节假日安排通知的年份）" } else { "" };
            say!("{}{estimated}", d.date.format("%Y-%m-%d"));
        }
        WorkdaysCommand::Between { from, to } => {
            let n = calendar
                .working_days_between(date_arg("起始日期", from)?, date_arg("截止日期", to)?)
                .map_err(|e| Failure(e.to_string()))?;
            say!("{n}");
        }
        WorkdaysCommand::Import { file } => {
            let text =
                std::fs::read_to_string(file).map_err(|e| Failure(format!("读取「{}」失败：{e}", file.display())))?;
            let imported = desk.as_ref().ok_or_else(need_db)?.import_calendar(&text)?;
            let years: Vec<String> = imported.years.iter().map(|y| format!("{y}年")).collect();
            say!("已导入 {} 的节假日安排", years.join("、"));
            if imported.recomputed > 0 {
                say!("已重新计算 {} 件办件的预估期限（办件历史中记有调整）", imported.recomputed);
            }
        }
        WorkdaysCommand::Years => {
            let official: Vec<i32> = calendar.years().collect();
            for year in &official {
                say!("{year}年　{}", YearSource::Official.label());
            }
            let next = official.last().map_or(*SUPPORTED_YEARS.start(), |y| y + 1);
            say!(
                "其余年份（{}—{}年，如{next}年）　{}",
                SUPPORTED_YEARS.start(),
                SUPPORTED_YEARS.end(),
                YearSource::Provisional.label()
            );
        }
        WorkdaysCommand::Show { year } => {
            let text = match calendar.source(*year) {
                YearSource::Official => calendar.to_text(*year),
                YearSource::Provisional => WorkCalendar::provisional_text(*year),
            };
            if text.is_empty() {
                return Err(Failure(format!("{year}年超出可计算的年份范围（1901年至2099年）")));
            }
            print!("{text}");
        }
        WorkdaysCommand::Publish { years, hub, credential } => {
            // Publication speaks to the hub with its admin credential: operator work the window
            // does not offer, on the store the login opened.
            let desk = desk.as_ref().ok_or_else(need_db)?;
            workdays_publish::run(&*desk.locked()?, years, hub.as_deref(), credential.as_deref())?;
        }
    }
    Ok(())
}
