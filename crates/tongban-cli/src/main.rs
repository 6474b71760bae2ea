//! `tongban`: the desk for operators, scripts and tests. Every command that reads or writes a
//! desk's data logs in (`--user`) and goes through `tongban-desk`, the app layer the window's
//! commands call, so both make the same checks (the role, the scans kept, the catalog, the
//! clock) and write the same audit entries. One module per command group; this file holds the
//! command line, the login and the dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use tongban_desk::{Desk, Permission};
use tongban_store::{Store, StoreError};

#[derive(Parser)]
#[command(
    name = "tongban",
    version,
    about = "通办收件台命令行：初始化受理台、收件、查询、打印、校验、工作日计算、与通办中心同步"
)]
struct Cli {
    /// 数据库文件（默认：环境变量 TONGBAN_DB，否则系统数据目录下的 tongban-desk/desk.db）
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// 登录名（默认：环境变量 TONGBAN_USER）；读写受理台数据的命令都须登录，密码从提示输入或用 --password-stdin
    #[arg(long, global = true, value_name = "LOGIN")]
    user: Option<String>,
    /// 从标准输入读取密码：第一行是登录密码（init 时为第一个用户的密码）；需要新密码的命令（user add、user passwd、recover）再读下一行
    #[arg(long, global = true)]
    password_stdin: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 设置本机受理台（区划、服务中心、窗口、窗口代码）
    Init(setup::InitArgs),
    /// 忘记管理员密码（或密钥文件丢失）时：用设置时打印的恢复密钥为一位管理员设置新密码
    Recover {
        /// 管理员的登录名
        login: String,
    },
    /// 审计日志：核验哈希链、列出、导出
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// 备份受理台（管理员）：在 DIR 中新建一份带时间的备份（加密的数据库快照、密钥文件、扫描件和打印件、校验清单），写完读回校验，保留最近几份
    Backup(backup::BackupArgs),
    /// 从备份恢复受理台（新电脑上；--db 指定恢复到的位置）：先核对整份备份和密码，再写入；
    /// 已有受理台时须加 --replace。以备份中管理员的登录名和密码（--user），或用恢复密钥
    Restore(backup::RestoreArgs),
    /// 无人值守同步：用本机绑定的密钥（Windows DPAPI 或 Linux 密钥环）让 tongban sync 无须登录即可运行
    #[command(subcommand)]
    Unattended(admin::UnattendedCommand),
    /// 本受理台的用户：添加、列出、设置密码、停用
    #[command(subcommand)]
    User(admin::UserCommand),
    /// 办件
    #[command(subcommand)]
    Case(case::CaseCommand),
    /// 校验证件号码、统一社会信用代码或电话号码
    Check(check::CheckArgs),
    /// 工作日计算（法定节假日与调休）
    #[command(subcommand)]
    Workdays(workdays::WorkdaysCommand),
    /// 打印办件的收件登记表或一次性告知书（生成 PDF，并存档、记录打印人和时间）
    Print(print::PrintArgs),
    /// 打印每日台账（A4 横向 PDF），或导出为 Excel（--out 以 .xlsx 结尾）；证件号码隐去部分位数
    Ledger(print::LedgerArgs),
    /// 服务中心名称、地址、电话、办公时间、告知语、补正期限等打印用设置
    #[command(subcommand)]
    Settings(admin::SettingsCommand),
    /// 合作地区及其通办中心（本地区的通办中心也在此配置，供后台读取收件箱）
    #[command(subcommand)]
    Partner(partner::PartnerCommand),
    /// 与通办中心同步：先传扫描件，再推送待同步事件，然后拉取对方的办理结果；默认持续运行直到 Ctrl+C
    Sync {
        /// 与每个通办中心同步一轮后退出（有失败时退出码为 1）
        #[arg(long)]
        once: bool,
    },
    /// 合作地区的事项清单：导入、导出、查看、变更记录、发布到通办中心
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// 被通办中心拒收或本机无法接收的事件（隔离区）
    #[command(subcommand)]
    Quarantine(partner::QuarantineCommand),
    /// 本受理台的身份：各通办中心确认的窗口代码与可见范围；更正窗口代码
    #[command(subcommand)]
    Desk(admin::DeskCommand),
    /// 建立演示受理台（新野县，伙伴地区北京市丰台区等）并生成示例办件
    Demo(setup::DemoArgs),
}

/// `println!` that ends the program quietly when the reader has gone away (`tongban … | head`)
/// instead of panicking on the broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            return Err(Failure(format!("输出失败：{e}")));
        }
    }};
}

/// A failure of a command: the Chinese message goes to stderr, the code to the exit status.
struct Failure(String);

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure(e.to_string())
    }
}

impl From<tongban_desk::AppError> for Failure {
    fn from(e: tongban_desk::AppError) -> Failure {
        Failure(e.message)
    }
}

mod admin;
mod audit;
mod backup;
mod case;
mod catalog;
mod check;
mod partner;
mod print;
mod setup;
mod sync;
mod workdays;
mod workdays_publish;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

/// Each command group's handler; what the group needs of the command line is in the context.
fn run(cli: &Cli) -> Result<(), Failure> {
    let mut ctx = Context { cli, passwords: Passwords::new(cli) };
    match &cli.command {
        Command::Init(args) => setup::init(&mut ctx, args),
        Command::Recover { login } => setup::recover(&mut ctx, login),
        Command::Audit(command) => audit::run(&ctx.log_in(Permission::Supervise)?, command),
        Command::Backup(args) => backup::backup(&mut ctx, args),
        Command::Restore(args) => backup::restore(&mut ctx, args),
        Command::Unattended(command) => admin::unattended(&ctx.log_in(Permission::Administer)?, command),
        Command::User(command) => admin::user(&mut ctx, command),
        Command::Case(command) => case::run(&mut ctx, command),
        Command::Check(args) => check::run(args),
        Command::Workdays(command) => workdays::run(&mut ctx, command),
        Command::Print(args) => print::print(&mut ctx, args),
        Command::Ledger(args) => print::ledger(&mut ctx, args),
        Command::Settings(command) => admin::settings(&mut ctx, command),
        Command::Partner(command) => partner::partner(&mut ctx, command),
        Command::Sync { once } => sync::run(ctx.sync_store()?, *once),
        Command::Catalog(command) => catalog::run(&ctx.log_in(catalog::permission(command))?, command),
        Command::Quarantine(command) => partner::quarantine(&mut ctx, command),
        Command::Desk(command) => admin::desk(&mut ctx, command),
        Command::Demo(args) => setup::demo(&ctx, args),
    }
}

/// The command line as every group's handler needs it: where the desk is, who logs in, and
/// the passwords given.
struct Context<'a> {
    cli: &'a Cli,
    passwords: Passwords,
}

impl Context<'_> {
    /// `--db`, `TONGBAN_DB`, or the platform's default.
    fn db_path(&self) -> Result<PathBuf, Failure> {
        self.named_db()
            .or_else(Desk::default_db_path)
            .ok_or_else(|| Failure("找不到系统数据目录，请用 --db 指定数据库文件".into()))
    }

    /// The database named by `--db` or `TONGBAN_DB`, if any.
    fn named_db(&self) -> Option<PathBuf> {
        self.cli.db.clone().or_else(|| std::env::var_os("TONGBAN_DB").map(PathBuf::from))
    }

    /// The login named by `--user` or `TONGBAN_USER`.
    fn login_name(&self) -> Option<String> {
        self.cli
            .user
            .clone()
            .or_else(|| std::env::var("TONGBAN_USER").ok())
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
    }

    /// The next password given (see [`Passwords::next`]).
    fn password(&mut self, prompt: &str) -> Result<String, Failure> {
        self.passwords.next(prompt)
    }

    /// Logs in for this command (`--user` and a password) and checks the role may do `what`, as
    /// the window does. Without a login nothing of the desk is read: the database is encrypted.
    fn log_in(&mut self, what: Permission) -> Result<Desk, Failure> {
        let path = self.db_path()?;
        match tongban_store::FileKind::of(&path)? {
            tongban_store::FileKind::Missing => {
                return Err(Failure(format!("找不到数据库「{}」，请先运行 tongban init", path.display())))
            }
            tongban_store::FileKind::Foreign => return Err(StoreError::NotADatabase(path).into()),
            _ => {}
        }
        let Some(login) = self.login_name() else {
            return Err(Failure(
                "数据库已加密，请登录：用 --user 指定登录名（密码从提示输入，或用 --password-stdin）".into(),
            ));
        };
        let password = self.password("密码：")?;
        let desk = Desk::open_as(&path, &login, &password)?;
        desk.require(what)?;
        Ok(desk)
    }

    /// The store `tongban sync` runs on, a connection of its own as the window's engine has:
    /// opened by a login, or, with no `--user`, by the machine-bound key an admin turned on
    /// (`tongban unattended enable`).
    fn sync_store(&mut self) -> Result<Store, Failure> {
        let path = self.db_path()?;
        if self.login_name().is_none() {
            if let Some(store) = tongban_desk::unattended::open(&path)? {
                return Ok(store);
            }
        }
        Ok(self.log_in(Permission::Read)?.sync_connection()?)
    }
}

/// Standard input's lines, for `--password-stdin`: the login's password first, then any new one.
struct Passwords {
    from_stdin: bool,
    lines: std::io::Lines<std::io::StdinLock<'static>>,
}

impl Passwords {
    fn new(cli: &Cli) -> Passwords {
        use std::io::BufRead;
        Passwords { from_stdin: cli.password_stdin, lines: std::io::stdin().lock().lines() }
    }

    /// The next password: the next line of standard input, or asked for on the terminal.
    fn next(&mut self, prompt: &str) -> Result<String, Failure> {
        let password = if self.from_stdin {
            match self.lines.next() {
                Some(Ok(line)) => line.trim_end_matches('\r').to_string(),
                Some(Err(e)) => return Err(Failure(format!("读取标准输入失败：{e}"))),
                None => String::new(),
            }
        } else {
            rpassword::prompt_password(prompt).map_err(|_| {
                Failure("无法读取密码：没有终端可以输入密码，请用 --password-stdin 从标准输入给出".into())
            })?
        };
        if password.is_empty() {
            return Err(Failure(format!("没有给出{}", prompt.trim_end_matches(['：', ':']))));
        }
        Ok(password)
    }
}

fn date_arg(label: &str, s: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Failure(format!("{label}「{s}」无效，应为 YYYY-MM-DD 格式的日期")))
}
