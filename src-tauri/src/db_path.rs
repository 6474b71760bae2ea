//! Which database the window opens: `--db PATH` (or `--db=PATH`) on the command line, else the
//! `TONGBAN_DB` environment variable, else the platform's data folder.

use std::ffi::OsString;
use std::path::PathBuf;

use tongban_desk::DeskCode;
use tongban_desk::{AppError, Desk};

pub const ENV_VAR: &str = "TONGBAN_DB";

/// Resolves the database path. Arguments other than `--db` are ignored (a WebDriver or the OS
/// may add its own).
pub fn resolve(args: impl IntoIterator<Item = String>, env: Option<OsString>) -> Result<PathBuf, AppError> {
    resolve_with_default(args, env, Desk::default_db_path)
}

fn resolve_with_default(
    args: impl IntoIterator<Item = String>,
    env: Option<OsString>,
    default: impl FnOnce() -> Option<PathBuf>,
) -> Result<PathBuf, AppError> {
    let mut args = args.into_iter();
    let mut from_args = None;
    while let Some(arg) = args.next() {
        if arg == "--db" {
            match args.next().filter(|v| !v.is_empty()) {
                Some(v) => from_args = Some(v),
                None => return Err(AppError::new(DeskCode::InvalidArguments, "命令行参数 --db 后缺少数据库文件路径")),
            }
        } else if let Some(v) = arg.strip_prefix("--db=") {
            if v.is_empty() {
                return Err(AppError::new(DeskCode::InvalidArguments, "命令行参数 --db= 后缺少数据库文件路径"));
            }
            from_args = Some(v.to_string());
        }
    }
    if let Some(p) = from_args {
        return Ok(PathBuf::from(p));
    }
    if let Some(p) = env.filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    default().ok_or_else(|| {
        AppError::new(
            DeskCode::NoDataDir,
            format!("找不到本机的应用数据目录，无法确定受理台数据库的位置；请用 --db 参数或 {ENV_VAR} 环境变量指定"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }
    fn default() -> Option<PathBuf> {
        Some(PathBuf::from("/home/u/.local/share/tongban-desk/desk.db"))
    }

    #[test]
    fn command_line_wins_over_environment_and_default() {
        let p = resolve_with_default(args(&["--db", "/tmp/a.db"]), Some("/tmp/env.db".into()), default).unwrap();
        assert_eq!(p, PathBuf::from("/tmp/a.db"));
        let p = resolve_with_default(args(&["--db=/tmp/b.db"]), None, default).unwrap();
        assert_eq!(p, PathBuf::from("/tmp/b.db"));
    }

    #[test]
    fn other_arguments_are_ignored_and_the_last_db_counts() {
        let p = resolve_with_default(args(&["--automation", "--db", "一.db", "x", "--db", "二.db"]), None, default);
        assert_eq!(p.unwrap(), PathBuf::from("二.db"));
    }

    #[test]
    fn environment_then_default() {
        assert_eq!(
            resolve_with_default(args(&["x"]), Some("/tmp/env.db".into()), default).unwrap(),
            PathBuf::from("/tmp/env.db")
        );
        assert_eq!(resolve_with_default(args(&[]), Some("".into()), default).unwrap(), default().unwrap());
        assert_eq!(resolve_with_default(args(&[]), None, default).unwrap(), default().unwrap());
    }

    #[test]
    fn a_missing_value_or_data_dir_is_a_chinese_error() {
        let e = resolve_with_default(args(&["--db"]), None, default).unwrap_err();
        assert_eq!(e.code, "invalid_arguments");
        assert!(e.message.contains("--db"), "{}", e.message);
        let e = resolve_with_default(args(&["--db="]), None, default).unwrap_err();
        assert_eq!(e.code, "invalid_arguments");
        let e = resolve_with_default(args(&[]), None, || None).unwrap_err();
        assert_eq!(e.code, "no_data_dir");
        assert!(e.message.contains("TONGBAN_DB"));
    }
}
