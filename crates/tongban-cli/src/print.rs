//! `tongban print` and `tongban ledger`: a case's forms and the 每日台账 printed by the desk as
//! the window prints them, written to `--out` instead of the viewer.

use std::path::{Path, PathBuf};

use clap::Args;
use tongban_desk::printing::{LedgerRequest, OutFormat};
use tongban_desk::DeskCode;
use tongban_desk::{AppError, FormKind, Permission};

use crate::{Context, Failure};

#[derive(Args)]
pub struct PrintArgs {
    // A case's forms; the ledger's value is skipped here (`tongban ledger` prints it).
    #[arg(value_enum)]
    form: FormKind,
    /// 办件编号
    case: String,
    /// 输出的 PDF 文件
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

#[derive(Args)]
pub struct LedgerArgs {
    /// 日期（YYYY-MM-DD）；与 --to 一起表示起始日期
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: String,
    /// 截止日期（含），默认与 --date 相同
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<String>,
    /// 只列出该受理人（登录名）收件的办件
    #[arg(long, value_name = "LOGIN")]
    clerk: Option<String>,
    /// 只列出该办理地（区划代码）的办件
    #[arg(long, value_name = "CODE")]
    partner: Option<String>,
    /// 输出文件：.pdf 为打印用台账（记录为打印），.xlsx 为 Excel 副本（含统计与办理指标，记入审计日志，不计为打印）
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn print(ctx: &mut Context<'_>, args: &PrintArgs) -> Result<(), Failure> {
    let PrintArgs { form, case, out } = args;
    OutFormat::of(out, &[OutFormat::Pdf])?;
    let desk = ctx.log_in(Permission::Read)?;
    let printed = desk.print_case_form_to(*form, case, &mut write_to(out))?;
    say!("{}", printed.summary(Some(out)));
    Ok(())
}

pub fn ledger(ctx: &mut Context<'_>, args: &LedgerArgs) -> Result<(), Failure> {
    let LedgerArgs { date, to, clerk, partner, out } = args;
    // The extension says PDF (printed, recorded) or Excel (a copy, audited as an export);
    // anything else is refused before anything is made.
    let format = OutFormat::of(out, &[OutFormat::Pdf, OutFormat::Xlsx])?;
    let desk = ctx.log_in(Permission::Read)?;
    let request = LedgerRequest { from: date.clone(), to: to.clone(), clerk: clerk.clone(), partner: partner.clone() };
    let said = match format {
        OutFormat::Pdf => desk.print_ledger_to(&request, &mut write_to(out))?.summary(Some(out)),
        OutFormat::Xlsx => desk.export_ledger_xlsx_to(&request, &mut write_to(out))?.summary(Some(out)),
    };
    say!("{said}");
    Ok(())
}

/// Writes a printed PDF to `--out`, whole or not at all: a PDF open in a viewer on Windows stays
/// as it was, and the print is then not recorded (the error says to close it).
pub fn write_to(out: &Path) -> impl FnMut(&str, &[u8]) -> Result<(), AppError> + '_ {
    move |_, pdf| tongban_files::write_whole(out, pdf).map_err(|e| AppError::new(DeskCode::WriteFailed, e.to_string()))
}
