//! `tongban check`: a 证件号码, 统一社会信用代码 or phone number checked as the intake checks it,
//! without a desk.

use clap::Args;
use tongban_core::validate;

use crate::{date_arg, Failure};

#[derive(Args)]
pub struct CheckArgs {
    #[arg(value_enum)]
    what: CheckKind,
    value: String,
    /// 按哪一天校验（出生日期不得晚于该日），YYYY-MM-DD；默认为北京时间今天
    #[arg(long, value_name = "DATE")]
    today: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CheckKind {
    /// 居民身份证号码
    Id,
    /// 统一社会信用代码
    Uscc,
    /// 手机或固定电话
    Phone,
}

pub fn run(args: &CheckArgs) -> Result<(), Failure> {
    let CheckArgs { what, value, today } = args;
    let today = match today {
        Some(d) => date_arg("日期", d)?,
        None => tongban_desk::today(),
    };
    let result = match what {
        CheckKind::Id => validate::resident_id(value, today).map(|r| {
            let warning = r.warning();
            (r.number, warning)
        }),
        CheckKind::Uscc => validate::uscc(value).map(|c| (c, None)),
        CheckKind::Phone => validate::phone(value).map(|p| (p, None)),
    };
    match result {
        Ok((canonical, warning)) => {
            say!("有效：{canonical}");
            if let Some(w) = warning {
                say!("注意：{}", w.message);
            }
        }
        Err(e) => return Err(Failure(e.message)),
    }
    Ok(())
}
