//! `tongban`: the desk's core for operators, scripts and tests. Every command is a thin layer
//! over `tongban-store` / `tongban-core`; the window calls the same code.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand};
use serde_json::json;
use tongban_core::applicant::mask_id_number;
use tongban_core::case::{CaseStatus, EventBody, IntakeForm, Standing};
use tongban_core::catalog::CatalogIntake;
use tongban_core::{region, validate};
use tongban_desk::printing::{self, beijing, LedgerRequest, OutFormat};
use tongban_desk::{Desk, Permission};
use tongban_store::{AuditKind, CaseFilter, DeskSetup, FormKind, NewAuditEntry, Store, StoreError, User};
use tongban_wire::decisions::Decision;

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
    Init {
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
    },
    /// 忘记管理员密码（或密钥文件丢失）时：用设置时打印的恢复密钥为一位管理员设置新密码
    Recover {
        /// 管理员的登录名
        login: String,
    },
    /// 审计日志：核验哈希链、列出、导出
    #[command(subcommand)]
    Audit(AuditCommand),
    /// 备份受理台（管理员）：在 DIR 中新建一份带时间的备份（加密的数据库快照、密钥文件、扫描件和打印件、校验清单），写完读回校验，保留最近几份
    Backup {
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
    },
    /// 从备份恢复受理台（新电脑上；--db 指定恢复到的位置）：先核对整份备份和密码，再写入；
    /// 已有受理台时须加 --replace。以备份中管理员的登录名和密码（--user），或用恢复密钥
    Restore {
        /// 备份文件夹（tongban backup 建立的 tongban-backup-… 文件夹）
        from: PathBuf,
        /// 替换本机已有的受理台（原受理台改名留在旁边，不删除）
        #[arg(long)]
        replace: bool,
        /// 用恢复密钥打开备份（从提示或标准输入读取），代替管理员的密码
        #[arg(long)]
        recovery_key: bool,
    },
    /// 无人值守同步：用本机绑定的密钥（Windows DPAPI 或 Linux 密钥环）让 tongban sync 无须登录即可运行
    #[command(subcommand)]
    Unattended(UnattendedCommand),
    /// 本受理台的用户：添加、列出、设置密码、停用
    #[command(subcommand)]
    User(UserCommand),
    /// 办件
    #[command(subcommand)]
    Case(CaseCommand),
    /// 校验证件号码、统一社会信用代码或电话号码
    Check {
        #[arg(value_enum)]
        what: CheckKind,
        value: String,
        /// 按哪一天校验（出生日期不得晚于该日），YYYY-MM-DD；默认为北京时间今天
        #[arg(long, value_name = "DATE")]
        today: Option<String>,
    },
    /// 工作日计算（法定节假日与调休）
    #[command(subcommand)]
    Workdays(WorkdaysCommand),
    /// 打印办件的收件登记表或一次性告知书（生成 PDF，并存档、记录打印人和时间）
    Print {
        #[arg(value_enum)]
        form: PrintForm,
        /// 办件编号
        case: String,
        /// 输出的 PDF 文件
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 打印每日台账（A4 横向 PDF），或导出为 Excel（--out 以 .xlsx 结尾）；证件号码隐去部分位数
    Ledger {
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
    },
    /// 服务中心名称、地址、电话、办公时间、告知语、补正期限等打印用设置
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// 合作地区及其通办中心（本地区的通办中心也在此配置，供后台读取收件箱）
    #[command(subcommand)]
    Partner(PartnerCommand),
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
    Quarantine(QuarantineCommand),
    /// 本受理台的身份：各通办中心确认的窗口代码与可见范围；更正窗口代码
    #[command(subcommand)]
    Desk(DeskCommand),
    /// 建立演示受理台（新野县，伙伴地区北京市丰台区等）并生成示例办件
    Demo {
        /// 示例办件数量（数据库已有办件时不再生成）
        #[arg(long, default_value_t = 40)]
        cases: usize,
        /// 不虚构办理地的决定：示例办件都等待办理地（演示通办中心的后台）真实作出决定
        #[arg(long)]
        without_partner_decisions: bool,
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum CaseCommand {
    /// 收件：从 JSON 文件读取收件信息（- 表示标准输入），打印办件编号。item 为事项编码（或一件事编码）
    /// 时按该办理地（partner）的当前事项清单确定材料，只需填写各材料的收取情况
    New {
        #[arg(long, value_name = "FILE")]
        json: PathBuf,
    },
    /// 列出办件
    List {
        /// 按申请人姓名、证件号码或办件编号搜索
        #[arg(long)]
        search: Option<String>,
        /// 状态，如 待补正 或 awaiting_materials
        #[arg(long)]
        status: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long)]
        item: Option<String>,
        /// 办理地区划代码
        #[arg(long)]
        partner: Option<String>,
        #[arg(long)]
        clerk: Option<String>,
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 50)]
        page_size: u32,
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 显示一个办件的详情和全部事件
    Show {
        number: String,
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 办理地作出办理决定（受理、不予受理、需补正、办理中、办结、结果寄出），下次同步时送达受理地
    Decide {
        number: String,
        #[arg(value_enum)]
        decision: DecisionKind,
        /// 不予受理的理由
        #[arg(long)]
        reason: Option<String>,
        /// 需补正的材料，可重复
        #[arg(long = "item", value_name = "材料")]
        items: Vec<String>,
        /// 备注（需补正、办结时）
        #[arg(long, default_value = "")]
        note: String,
        /// 结果寄出的运单号
        #[arg(long)]
        waybill: Option<String>,
    },
    /// 更正编号（管理员）：把本受理台以他台窗口代码收件的办件改为本受理台现用窗口代码的编号；
    /// 办件标识与状态不变，更正作为事件同步给办理地，收件登记表可补打
    Renumber {
        /// 办件编号；与 --all 二选一
        number: Option<String>,
        /// 更正本受理台以其他窗口代码收件的全部办件
        #[arg(long)]
        all: bool,
        /// 更正的原因（默认写明原窗口代码与现用窗口代码）
        #[arg(long, default_value = "")]
        reason: String,
    },
}

/// `tongban case decide` 的决定种类.
#[derive(Clone, Copy, clap::ValueEnum)]
enum DecisionKind {
    /// 受理
    #[value(alias = "受理")]
    Accept,
    /// 不予受理（须 --reason）
    #[value(alias = "不予受理")]
    Refuse,
    /// 需补正（须 --item，可多个）
    #[value(alias = "需补正")]
    Supplement,
    /// 办理中
    #[value(alias = "办理中")]
    Process,
    /// 办结，准予
    #[value(alias = "准予")]
    Approve,
    /// 办结，不予
    #[value(alias = "不予")]
    Deny,
    /// 结果已寄出（须 --waybill）
    #[value(alias = "寄出")]
    Mail,
}

#[derive(Subcommand)]
enum UserCommand {
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
enum AuditCommand {
    /// 核验审计链（各条记录、办件事件、打印记录，以及通办中心保存的链头），指出第一处断裂
    Verify,
    /// 列出审计记录（最新的在前）
    List {
        /// 只列出该用户（登录名）的
        #[arg(long, value_name = "LOGIN")]
        person: Option<String>,
        /// 只列出该办件（办件编号）的
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
        /// 只列出该类，如 登录 或 id_reveal
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 导出审计记录为 CSV（UTF-8，Excel 可直接打开）
    Export {
        #[arg(long, value_name = "LOGIN")]
        person: Option<String>,
        #[arg(long, value_name = "NUMBER")]
        case: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum UnattendedCommand {
    /// 开启：数据密钥另以本机绑定的密钥封存，此后 tongban sync 不带 --user 也能运行（仅同步）
    Enable,
    /// 关闭：删除本机绑定的封存
    Disable,
    /// 是否已开启
    Status,
}

#[derive(Subcommand)]
enum PartnerCommand {
    /// 添加合作地区的通办中心，或修改已配置的（地址变更后从头拉取）
    Add {
        /// 合作地区行政区划代码（6位）；填本受理台的区划即配置本地区的通办中心
        #[arg(long)]
        region: String,
        /// 合作地区名称，如 北京市丰台区
        #[arg(long)]
        name: String,
        /// 通办中心地址，如 https://tongban.fengtai.example.gov.cn
        #[arg(long, value_name = "URL")]
        hub: String,
        /// 通办中心为本受理台发放的凭据
        #[arg(long, value_name = "TOKEN")]
        credential: String,
        /// 允许对本机以外的地址使用未加密的 http（仅限封闭内网；办件与凭据将以明文传输）
        #[arg(long)]
        allow_http: bool,
        /// 该通办中心证书的签发机构（CA）证书，PEM 文件；本机系统不信任该机构（如省级政务CA）时使用
        #[arg(long, value_name = "FILE")]
        ca_cert: Option<PathBuf>,
        /// 该通办中心的签名公钥（64位十六进制，见其来函或 tongban-hub key）；不填则首次同步时记录
        #[arg(long, value_name = "KEY")]
        signing_key: Option<String>,
    },
    /// 登记合作地区通办中心的新签名公钥（对方更换密钥后，电话核对指纹再登记）；从头重新拉取
    TrustKey {
        /// 合作地区行政区划代码（6位）
        #[arg(long)]
        region: String,
        /// 新的签名公钥（64位十六进制）
        #[arg(long, value_name = "KEY")]
        key: String,
    },
    /// 解除离线限制（管理员）：合作地区超过停止收件天数未同步时，允许继续为该地收件一天；理由与操作人记入审计日志
    LiftOffline {
        /// 合作地区行政区划代码（6位）
        #[arg(long)]
        region: String,
        /// 解除的理由（必填，如 网络故障已报修，预计明日恢复）
        #[arg(long)]
        reason: String,
    },
    /// 列出已配置的通办中心及同步状态
    List {
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum QuarantineCommand {
    /// 列出隔离区中的事件及原因
    List {
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 问题解决后放回：推送被拒的事件重新排队推送，无法接收的事件立即重新接收
    Release {
        /// 事件编号（tongban quarantine list 中的 UUID）
        event: String,
    },
    /// 放弃（管理员）：写明原因后不再提交；本机的事件留在办件历史中标为已放弃、不计入状态
    Discard {
        /// 事件编号（tongban quarantine list 中的 UUID）
        event: String,
        /// 放弃的原因（必填，与操作人、时间一起记录）
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum DeskCommand {
    /// 显示本受理台及各通办中心确认的身份（窗口代码、角色、可见范围）或拒绝的原因
    Show,
    /// 更正本受理台的窗口代码（管理员；通办中心告知窗口代码已被另一台受理台使用后）
    Code {
        /// 新的窗口代码（1至4位字母或数字，须为本地区登记给本受理台的代码）
        code: String,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum PrintForm {
    /// 收件登记表（存档联、申请人联）
    Receipt,
    /// 一次性告知书
    Notice,
}

#[derive(Subcommand)]
enum SettingsCommand {
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum CheckKind {
    /// 居民身份证号码
    Id,
    /// 统一社会信用代码
    Uscc,
    /// 手机或固定电话
    Phone,
}

#[derive(Subcommand)]
enum WorkdaysCommand {
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

mod audit;
mod catalog;
mod sync;
mod workdays_publish;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("错误：{message}");
            ExitCode::FAILURE
        }
    }
}

fn db_path(cli: &Cli) -> Result<PathBuf, Failure> {
    cli.db
        .clone()
        .or_else(|| std::env::var_os("TONGBAN_DB").map(PathBuf::from))
        .or_else(Desk::default_db_path)
        .ok_or_else(|| Failure("找不到系统数据目录，请用 --db 指定数据库文件".into()))
}

/// The login named by `--user` or `TONGBAN_USER`.
fn login_name(cli: &Cli) -> Option<String> {
    cli.user
        .clone()
        .or_else(|| std::env::var("TONGBAN_USER").ok())
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
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

/// Logs in for this command (`--user` and a password) and checks the role may do `what`, as
/// the window does. Without a login nothing of the desk is read: the database is encrypted.
fn log_in(cli: &Cli, passwords: &mut Passwords, what: Permission) -> Result<Desk, Failure> {
    let path = db_path(cli)?;
    match tongban_store::FileKind::of(&path)? {
        tongban_store::FileKind::Missing => {
            return Err(Failure(format!("找不到数据库「{}」，请先运行 tongban init", path.display())))
        }
        tongban_store::FileKind::Foreign => return Err(StoreError::NotADatabase(path).into()),
        _ => {}
    }
    let Some(login) = login_name(cli) else {
        return Err(Failure(
            "数据库已加密，请登录：用 --user 指定登录名（密码从提示输入，或用 --password-stdin）".into(),
        ));
    };
    let password = passwords.next("密码：")?;
    let desk = Desk::open_as(&path, &login, &password)?;
    desk.require(what)?;
    Ok(desk)
}

/// The store `tongban sync` runs on: opened by a login, or, with no `--user`, by the machine-bound
/// key an admin turned on (`tongban unattended enable`).
fn sync_store(cli: &Cli, passwords: &mut Passwords) -> Result<Store, Failure> {
    let path = db_path(cli)?;
    if login_name(cli).is_none() {
        if let Some(store) = tongban_desk::unattended::open(&path)? {
            return Ok(store);
        }
    }
    let desk = log_in(cli, passwords, Permission::Read)?;
    let store = desk.locked()?;
    Ok(Store::open(store.path(), store.data_key())?)
}

/// `tongban backup`: a backup now, the daily one when due, the status, or a check of one.
fn backup(
    cli: &Cli,
    passwords: &mut Passwords,
    to: Option<&std::path::Path>,
    scheduled: bool,
    status: bool,
    verify: Option<&std::path::Path>,
) -> Result<(), Failure> {
    if scheduled && login_name(cli).is_none() {
        // A scheduled task with nobody to log in: the machine-bound key of unattended sync.
        let path = db_path(cli)?;
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
        return Ok(());
    }
    let desk = log_in(cli, passwords, Permission::Administer)?;
    if status {
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
        let key = desk.locked()?.data_key().clone();
        let manifest = tongban_store::verify_backup(from, &key, |_| {})?;
        say!(
            "备份「{}」完好：{} 的备份，{} 件办件，{} 个文件均与清单相符，数据库和扫描件均能打开",
            from.display(),
            beijing(manifest.taken_at).format("%Y-%m-%d %H:%M:%S"),
            manifest.cases,
            manifest.files.len()
        );
        return Ok(());
    }
    let done = if scheduled {
        match desk.back_up_if_due()? {
            Some(done) => done,
            None => {
                say!("今天已备份，或未设置自动备份文件夹（tongban settings set backup.folder …）");
                return Ok(());
            }
        }
    } else {
        desk.back_up(to, |_| {})?
    };
    say!("{}", done.summary());
    Ok(())
}

fn say_restored(restored: &tongban_store::Restored) -> Result<(), Failure> {
    let m = &restored.manifest;
    say!(
        "已恢复受理台到「{}」：{} 的备份，{}（{}）{} 件办件；本机所办事件 {} 条将重新同步（通办中心按事件编号去重），备份之后本机收件的办件将在同步时从通办中心取回",
        restored.db.display(),
        beijing(m.taken_at).format("%Y-%m-%d %H:%M:%S"),
        m.window,
        m.desk_code,
        m.cases,
        restored.requeued
    );
    if let Some(aside) = &restored.replaced_kept_at {
        say!("原受理台已移到「{}」保留", aside.display());
    }
    Ok(())
}

fn date_arg(label: &str, s: &str) -> Result<NaiveDate, Failure> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Failure(format!("{label}「{s}」无效，应为 YYYY-MM-DD 格式的日期")))
}

fn run(cli: Cli) -> Result<(), Failure> {
    let mut passwords = Passwords::new(&cli);
    match &cli.command {
        Command::Init { region: code, hall, window, desk_code, login, name, role, recovery_sheet, json } => {
            if role.trim() != "admin" {
                return Err(Failure(
                    "第一个用户须为管理员（--role admin）；其他用户由管理员用 tongban user add 添加".into(),
                ));
            }
            let password = passwords.next("第一个用户的密码：")?;
            let setup = DeskSetup {
                region: code.clone(),
                hall: hall.clone(),
                window_name: window.clone(),
                desk_code: desk_code.clone(),
                first_user: User { login: login.clone(), display_name: name.clone(), role: role.clone() },
            };
            let path = db_path(&cli)?;
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
        }
        Command::Recover { login } => {
            let recovery_key = passwords.next("恢复密钥：")?;
            let password = passwords.next("新密码：")?;
            let path = db_path(&cli)?;
            tongban_desk::recover_admin(&path, &recovery_key, login, &password)?;
            say!("已用恢复密钥为管理员 {} 设置新密码", login.trim());
        }
        Command::Case(CaseCommand::New { json: file }) => {
            let text = if file.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).map_err(|e| Failure(format!("读取标准输入失败：{e}")))?;
                s
            } else {
                std::fs::read_to_string(file).map_err(|e| Failure(format!("读取「{}」失败：{e}", file.display())))?
            };
            let at = |e: serde_json::Error| {
                Failure(format!("收件文件第{}行第{}列：{}", e.line(), e.column(), json_problem(&e)))
            };
            // An item given by its code is taken in against the catalog; a whole item object is
            // a free-form intake (imports, cases of regions without a catalog). A broken file is
            // parsed as the latter, whose error says where the form goes wrong.
            let by_code = serde_json::from_str::<serde_json::Value>(&text)
                .is_ok_and(|v| v.get("item").is_some_and(serde_json::Value::is_string));
            let desk = log_in(&cli, &mut passwords, Permission::TakeIn)?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            let (id, number) = if by_code {
                let draft: CatalogIntake = serde_json::from_str(&text).map_err(at)?;
                store.create_case_from_catalog(&draft, &user, Utc::now())?
            } else {
                let form: IntakeForm = serde_json::from_str(&text).map_err(at)?;
                store.create_case(&form, &user, Utc::now())?
            };
            say!("{number}");
            // Saved as is, to be looked at again (a waybill of another case, a format the desk
            // cannot check): on stderr, so a script reading the number is not disturbed.
            let waybill = store.case_state(id)?.intake.form.transfer.waybill.unwrap_or_default();
            for warning in tongban_desk::waybill_warnings(&store, &waybill, number.as_str())? {
                eprintln!("注意：{warning}");
            }
        }
        Command::Case(CaseCommand::List { search, status, from, to, item, partner, clerk, page, page_size, json }) => {
            let status = status
                .as_deref()
                .map(|s| {
                    CaseStatus::parse(s).ok_or_else(|| Failure(format!("状态「{s}」无效，可选：{}", status_names())))
                })
                .transpose()?;
            let filter = CaseFilter {
                text: search.clone(),
                status,
                from: from.as_deref().map(|d| date_arg("起始日期", d)).transpose()?,
                to: to.as_deref().map(|d| date_arg("截止日期", d)).transpose()?,
                item_code: item.clone(),
                partner: partner.clone(),
                clerk: clerk.clone(),
                ..CaseFilter::default()
            };
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let store = desk.locked()?;
            let result = store.list_cases(&filter, *page, *page_size)?;
            if *json {
                say!("{}", serde_json::to_string_pretty(&result).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("办件编号\t受理日期\t状态\t申请人\t证件号码\t事项\t办理地\t承诺办结\t待同步");
                for c in &result.rows {
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        c.number,
                        c.received_on,
                        c.status.label(),
                        c.applicant_name,
                        mask_id_number(&c.applicant_id),
                        c.item_name,
                        region::display_name(&c.handling_region),
                        tongban_core::clocks::deadline_text(c.deadline, c.status),
                        if c.pending_sync { "是" } else { "否" },
                    );
                }
                say!("共 {} 件，第 {} 页", result.total, page);
            }
        }
        Command::Case(CaseCommand::Decide { number, decision, reason, items, note, waybill }) => {
            let text = |value: &Option<String>| value.clone().unwrap_or_default();
            let decision = match decision {
                DecisionKind::Accept => Decision::Accept,
                DecisionKind::Refuse => Decision::Refuse { reason: text(reason) },
                DecisionKind::Supplement => Decision::RequestSupplement { items: items.clone(), note: note.clone() },
                DecisionKind::Process => Decision::StartProcessing,
                DecisionKind::Approve => Decision::Conclude { approved: true, note: note.clone() },
                DecisionKind::Deny => Decision::Conclude { approved: false, note: note.clone() },
                DecisionKind::Mail => Decision::MailResult { waybill: text(waybill) },
            };
            let desk = log_in(&cli, &mut passwords, Permission::Decide)?;
            let status = desk.decide(number, decision, None)?;
            say!("办件 {} 现为{}，将在下次同步时送达受理地", number.trim(), status.label());
        }
        Command::Case(CaseCommand::Show { number, json }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let mut store = desk.locked()?;
            let summary = store.case_by_number(number)?;
            // The command shows the whole 证件号码: a view and a reveal, as in the window.
            let user = desk.user()?.login;
            for (kind, detail) in
                [(AuditKind::CaseView, "命令行 case show"), (AuditKind::IdReveal, "申请人的证件号码（命令行）")]
            {
                store.record(
                    &NewAuditEntry { kind, user: &user, case_id: Some(summary.id), detail: detail.into() },
                    Utc::now(),
                )?;
            }
            let state = store.case_state(summary.id)?;
            let events = store.events_of(summary.id)?;
            if *json {
                let events: Vec<_> = events.iter().map(|e| &e.event).collect();
                say!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "summary": summary, "status": state.status,
                        "intake": state.intake, "materials": state.materials, "events": events }))
                    .map_err(|e| Failure(e.to_string()))?
                );
            } else {
                print_case(&summary, &state, &events)?;
                let prints = store.prints_of(summary.id)?;
                if !prints.is_empty() {
                    say!("打印：");
                    for p in &prints {
                        say!(
                            "  {}　{}{}　{}　PDF {}",
                            beijing(p.printed_at).format("%Y-%m-%d %H:%M"),
                            p.form.label(),
                            if p.reprint { "（补打）" } else { "" },
                            p.user,
                            &p.pdf_sha256[..12]
                        );
                    }
                }
            }
        }
        Command::Check { what, value, today } => {
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
        }
        Command::Workdays(cmd) => {
            let mut store_calendar = None;
            // Reading a desk database is only needed when one exists or is named; the shipped
            // years work without any.
            let what = match cmd {
                WorkdaysCommand::Import { .. } | WorkdaysCommand::Publish { .. } => Permission::Administer,
                _ => Permission::Read,
            };
            let calendar = match cli.db.clone().or_else(|| std::env::var_os("TONGBAN_DB").map(PathBuf::from)) {
                Some(path)
                    if path.exists()
                        || matches!(cmd, WorkdaysCommand::Import { .. } | WorkdaysCommand::Publish { .. }) =>
                {
                    store_calendar = Some(log_in(&cli, &mut passwords, what)?);
                    store_calendar.as_ref().map(|d| d.locked().map(|s| s.calendar().clone())).transpose()?
                }
                _ => None,
            }
            .unwrap_or_else(tongban_core::workdays::WorkCalendar::shipped);
            match cmd {
                WorkdaysCommand::Add { date, n } => {
                    let d = calendar.deadline(date_arg("日期", date)?, *n).map_err(|e| Failure(e.to_string()))?;
                    let estimated =
                        if d.estimated { "（预估：经过尚无节假日安排通知的年份）" } else { "" };
                    say!("{}{estimated}", d.date.format("%Y-%m-%d"));
                }
                WorkdaysCommand::Between { from, to } => {
                    let n = calendar
                        .working_days_between(date_arg("起始日期", from)?, date_arg("截止日期", to)?)
                        .map_err(|e| Failure(e.to_string()))?;
                    say!("{n}");
                }
                WorkdaysCommand::Import { file } => {
                    let text = std::fs::read_to_string(file)
                        .map_err(|e| Failure(format!("读取「{}」失败：{e}", file.display())))?;
                    let desk = store_calendar.as_ref().ok_or_else(|| Failure("请用 --db 指定数据库".into()))?;
                    let imported = desk.locked()?.import_calendar(&text, Utc::now())?;
                    let years: Vec<String> = imported.years.iter().map(|y| format!("{y}年")).collect();
                    say!("已导入 {} 的节假日安排", years.join("、"));
                    if imported.recomputed > 0 {
                        say!("已重新计算 {} 件办件的预估期限（办件历史中记有调整）", imported.recomputed);
                    }
                }
                WorkdaysCommand::Years => {
                    use tongban_core::workdays::{YearSource, SUPPORTED_YEARS};
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
                        tongban_core::workdays::YearSource::Official => calendar.to_text(*year),
                        tongban_core::workdays::YearSource::Provisional => {
                            tongban_core::workdays::WorkCalendar::provisional_text(*year)
                        }
                    };
                    if text.is_empty() {
                        return Err(Failure(format!("{year}年超出可计算的年份范围（1901年至2099年）")));
                    }
                    print!("{text}");
                }
                WorkdaysCommand::Publish { years, hub, credential } => {
                    workdays_publish::run(
                        &*store_calendar.as_ref().ok_or_else(|| Failure("请用 --db 指定数据库".into()))?.locked()?,
                        years,
                        hub.as_deref(),
                        credential.as_deref(),
                    )?;
                }
            }
        }
        Command::Print { form, case, out } => {
            OutFormat::of(out, &[OutFormat::Pdf])?;
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            let form = match form {
                PrintForm::Receipt => FormKind::Receipt,
                PrintForm::Notice => FormKind::Notice,
            };
            let printed = printing::print_case_form(&mut store, form, case, &user, Utc::now(), &mut write_to(out))?;
            say!("{}", printed.summary(Some(out)));
        }
        Command::Ledger { date, to, clerk, partner, out } => {
            // The extension says PDF (printed, recorded) or Excel (a copy, audited as an export);
            // anything else is refused before anything is made.
            let format = OutFormat::of(out, &[OutFormat::Pdf, OutFormat::Xlsx])?;
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            let request =
                LedgerRequest { from: date.clone(), to: to.clone(), clerk: clerk.clone(), partner: partner.clone() };
            let said = match format {
                OutFormat::Pdf => printing::print_ledger(&mut store, &request, &user, Utc::now(), &mut write_to(out))?
                    .summary(Some(out)),
                OutFormat::Xlsx => {
                    printing::export_ledger_xlsx(&mut store, &request, &user, Utc::now(), &mut write_to(out))?
                        .summary(Some(out))
                }
            };
            say!("{said}");
        }
        Command::Settings(SettingsCommand::Show { json }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let store = desk.locked()?;
            let settings = store.settings()?;
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
        Command::Settings(SettingsCommand::Set { key, value }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            printing::set_hall_text(&mut store, key, value, &user, Utc::now())?;
            let detail = format!("{}＝{}", key.trim(), value.trim());
            store
                .record(&NewAuditEntry { kind: AuditKind::Settings, user: &user, case_id: None, detail }, Utc::now())?;
            if key.trim() == "desk.demo" {
                store.publish_demo_accounts(store.window_prefs()?.demo)?;
            }
            // Hall texts and window settings alike: the label and value as `settings show` has them.
            let setting = store.settings()?.into_iter().find(|s| s.key == key.trim());
            let label = setting.as_ref().map(|s| s.label);
            let now_value = setting.map(|s| s.value).unwrap_or_default();
            if value.trim().is_empty() {
                say!("已恢复默认：{}（{key}）＝{now_value}", label.unwrap_or(key));
            } else {
                say!("已设置{}（{key}）：{now_value}", label.unwrap_or(key));
            }
        }
        Command::Partner(PartnerCommand::Add {
            region: code,
            name,
            hub,
            credential,
            allow_http,
            ca_cert,
            signing_key,
        }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            let setup = tongban_store::HubSetup {
                region: code.clone(),
                name: name.clone(),
                url: hub.clone(),
                credential: credential.clone(),
            };
            let ca_cert = ca_cert
                .as_deref()
                .map(|path| {
                    read_small_text(path, 64 * 1024)
                        .map_err(|e| Failure(format!("无法读取CA证书「{}」：{e}", path.display())))
                })
                .transpose()?;
            let transport = tongban_store::HubTransport { allow_plain_http: *allow_http, ca_cert };
            let entry = store.add_hub_trusting(&setup, &transport, signing_key.as_deref(), Utc::now())?;
            let plain = if entry.unencrypted() { "（允许未加密的 http）" } else { "" };
            let detail = format!("配置通办中心：{}（{}）{}{plain}", entry.name, entry.region, entry.url);
            store
                .record(&NewAuditEntry { kind: AuditKind::Settings, user: &user, case_id: None, detail }, Utc::now())?;
            let role = if entry.own_region { "本地区通办中心" } else { "合作地区通办中心" };
            say!("已配置{role}：{}（{}）{}", entry.name, entry.region, entry.url);
            if entry.unencrypted() {
                say!("注意：该通办中心使用未加密的 http，办件、扫描件和凭据将以明文经过网络");
            }
            if signing_key.is_some() {
                if let Some(pinned) = store.pinned_key(&entry.region)? {
                    say!("已登记签名公钥，指纹 {}", pinned.fingerprint);
                }
            }
        }
        Command::Partner(PartnerCommand::TrustKey { region, key }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            let before = store.pinned_key(region)?;
            let pinned = store.trust_hub_key(region, key, Utc::now())?;
            let detail = format!("登记通办中心（{}）的签名公钥，指纹 {}", region.trim(), pinned.fingerprint);
            store
                .record(&NewAuditEntry { kind: AuditKind::Settings, user: &user, case_id: None, detail }, Utc::now())?;
            match before {
                Some(before) if before.key != pinned.key => say!(
                    "已登记新的签名公钥，指纹 {}（原为 {}）；下次同步将从头重新拉取并用新公钥核验",
                    pinned.fingerprint,
                    before.fingerprint
                ),
                _ => say!("已登记签名公钥，指纹 {}", pinned.fingerprint),
            }
        }
        Command::Partner(PartnerCommand::LiftOffline { region, reason }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            let now = store.lift_offline_limit(region, reason, &user, Utc::now())?;
            say!("{}", now.verdict.message);
        }
        Command::Partner(PartnerCommand::List { json }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let store = desk.locked()?;
            let hubs = store.hubs()?;
            let mut rows = Vec::with_capacity(hubs.len());
            for hub in hubs {
                let state = store.sync_state(&hub.region)?;
                let key = store.pinned_key(&hub.region)?;
                rows.push((hub, state, key));
            }
            if *json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|(hub, state, key)| json!({ "hub": hub, "sync": state, "signing_key": key }))
                    .collect();
                say!("{}", serde_json::to_string_pretty(&list).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("区划\t名称\t类型\t通办中心地址\t待推送\t隔离\t上次成功\t最近错误\t签名公钥指纹");
                for (hub, state, key) in &rows {
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        hub.region,
                        hub.name,
                        if hub.own_region { "本地区" } else { "合作地区" },
                        if hub.unencrypted() { format!("{}（未加密）", hub.url) } else { hub.url.clone() },
                        state.pending,
                        state.quarantined,
                        state
                            .last_success_at
                            .map(|t| beijing(t).format("%Y-%m-%d %H:%M").to_string())
                            .unwrap_or_else(|| "—".into()),
                        state.last_error.as_deref().unwrap_or("—"),
                        key.as_ref().map_or("未记录", |k| k.fingerprint.as_str()),
                    );
                }
                let unrouted = store.unrouted_outbox_len()?;
                if unrouted > 0 {
                    say!("另有 {unrouted} 个待同步事件的办理地尚未配置通办中心");
                }
                for p in store.partners_offline(Utc::now())? {
                    say!("{}", p.verdict.message);
                }
            }
        }
        Command::Sync { once } => sync::run(sync_store(&cli, &mut passwords)?, *once)?,
        Command::Catalog(command) => {
            let desk = log_in(&cli, &mut passwords, catalog::permission(command))?;
            let user = desk.user()?.login;
            let mut store = desk.locked()?;
            catalog::run(&mut store, &user, command)?;
        }
        Command::Quarantine(QuarantineCommand::List { json }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let store = desk.locked()?;
            let held = store.quarantined()?;
            if *json {
                say!("{}", serde_json::to_string_pretty(&held).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("事件编号\t办件\t事件\t方向\t通办中心\t原因");
                for q in &held {
                    let number = store.case_state(q.event.case_id).map(|s| s.intake.number.to_string());
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}（{}）",
                        q.event.id,
                        number.unwrap_or_else(|_| q.event.case_id.to_string()),
                        q.event.body.kind().label(),
                        q.direction.label(),
                        q.hub_region,
                        q.message,
                        q.code
                    );
                }
                say!("共 {} 个", held.len());
            }
        }
        Command::Quarantine(QuarantineCommand::Discard { event, reason }) => {
            let id = uuid::Uuid::parse_str(event.trim())
                .map_err(|_| Failure(format!("事件编号「{event}」不是有效的 UUID")))?;
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let user = desk.user()?.login;
            desk.locked()?.discard_quarantined(id, reason, &user, Utc::now())?;
            say!("已放弃：{id}（原因：{}，操作人 {user}）", reason.trim());
        }
        Command::Desk(DeskCommand::Show) => {
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            let store = desk.locked()?;
            let desk = store.require_desk()?;
            say!(
                "受理台：{}（{}）{}，窗口代码 {}",
                region::full_name(&desk.region).unwrap_or_default(),
                desk.region,
                desk.window_label(),
                desk.desk_code.as_str()
            );
            for hub in store.hubs()? {
                let line = match store.hub_desk(&hub.region)? {
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
            let others = store.cases_under_other_codes()?;
            if !others.is_empty() {
                say!(
                    "另有 {} 件以其他窗口代码收件的办件，管理员可运行 tongban case renumber --all 更正编号",
                    others.len()
                );
            }
        }
        Command::Desk(DeskCommand::Code { code }) => {
            let session = log_in(&cli, &mut passwords, Permission::Administer)?;
            let mut store = session.locked()?;
            let before = store.require_desk()?.desk_code;
            let desk = store.set_desk_code(code)?;
            say!("窗口代码已由 {} 改为 {}；此后收件使用新代码", before.as_str(), desk.desk_code.as_str());
            let others = store.cases_under_other_codes()?;
            if !others.is_empty() {
                say!(
                    "以原窗口代码收件的 {} 件办件可运行 tongban case renumber --all 改为新代码的编号，并补打收件登记表",
                    others.len()
                );
            }
            say!("请向各通办中心申领窗口代码 {} 的凭据，并用 tongban partner add 换用", desk.desk_code.as_str());
        }
        Command::Case(CaseCommand::Renumber { number, all, reason }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let numbers = match (number, all) {
                (Some(n), false) => vec![n.trim().to_string()],
                (None, true) => desk.cases_under_other_codes()?,
                _ => return Err(Failure("请给出一个办件编号，或用 --all 更正全部".into())),
            };
            if numbers.is_empty() {
                say!("没有需要更正编号的办件");
            }
            for n in numbers {
                let to = desk.renumber_case(&n, reason, None)?;
                say!("{n} → {to}（收件登记表可用 tongban print receipt {to} 补打）");
            }
        }
        Command::Quarantine(QuarantineCommand::Release { event }) => {
            let id = uuid::Uuid::parse_str(event.trim())
                .map_err(|_| Failure(format!("事件编号「{event}」不是有效的 UUID")))?;
            let desk = log_in(&cli, &mut passwords, Permission::Read)?;
            desk.locked()?.release_quarantined(id, Utc::now())?;
            say!("已放回：{id}");
        }
        Command::User(UserCommand::Add { login, name, role }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let password = passwords.next("新用户的密码：")?;
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
        Command::User(UserCommand::List { json }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            let accounts = desk.locked()?.accounts()?;
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
        Command::User(UserCommand::Passwd { login }) => {
            // One's own password needs only one's login; anyone else's is an admin's reset.
            let own = login_name(&cli).as_deref() == Some(login.trim());
            let desk = log_in(&cli, &mut passwords, if own { Permission::Read } else { Permission::Administer })?;
            let password = passwords.next("新密码：")?;
            desk.reset_password_as_operator(login.trim(), &password)?;
            say!("已为用户 {} 设置新密码", login.trim());
        }
        Command::User(UserCommand::Disable { login }) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
            desk.disable_account(login.trim())?;
            say!("已停用用户 {}：不能再登录，已有记录仍显示其姓名", login.trim());
        }
        Command::Audit(command) => audit::run(&log_in(&cli, &mut passwords, Permission::Supervise)?, command)?,
        Command::Backup { to, scheduled, status, verify } => {
            backup(&cli, &mut passwords, to.as_deref(), *scheduled, *status, verify.as_deref())?
        }
        Command::Restore { from, replace, recovery_key } => {
            let path = db_path(&cli)?;
            let login = login_name(&cli);
            let (secret, key);
            if *recovery_key {
                secret = passwords.next("恢复密钥：")?;
                key = tongban_store::RestoreKey::RecoveryKey(&secret);
            } else {
                let Some(login) = login.as_deref() else {
                    return Err(Failure(
                        "恢复须由备份中的管理员登录：用 --user 指定登录名（密码从提示输入，或用 --password-stdin），或用 --recovery-key".into(),
                    ));
                };
                secret = passwords.next("密码：")?;
                key = tongban_store::RestoreKey::Login { login, password: &secret };
            }
            let restored = tongban_store::restore(from, &path, key, *replace, Utc::now(), |_| {})?;
            say_restored(&restored)?;
        }
        Command::Unattended(command) => {
            let desk = log_in(&cli, &mut passwords, Permission::Administer)?;
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
        }
        Command::Demo { cases, without_partner_decisions, json } => {
            let path = db_path(&cli)?;
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
        }
    }
    Ok(())
}

/// Writes a printed PDF to `--out`, whole or not at all: a PDF open in a viewer on Windows stays
/// as it was, and the print is then not recorded (the error says to close it).
fn write_to(out: &std::path::Path) -> impl FnMut(&str, &[u8]) -> Result<(), tongban_desk::AppError> + '_ {
    move |_, pdf| {
        tongban_files::write_whole(out, pdf).map_err(|e| tongban_desk::AppError::new("write_failed", e.to_string()))
    }
}

fn status_names() -> String {
    CaseStatus::ALL.iter().map(|s| s.label()).collect::<Vec<_>>().join("、")
}

/// serde's message, with its English framing turned into something a clerk can act on.
fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => format!("不是有效的 JSON（{e}）"),
        Category::Data => format!("字段内容不符合要求（{e}）"),
        Category::Io => format!("读取失败（{e}）"),
    }
}

/// 「（办理地说明：…）」 after a decision, or nothing when the handling region left no note.
fn office_note(note: &str) -> String {
    let note = note.trim();
    if note.is_empty() {
        String::new()
    } else {
        format!("（办理地说明：{note}）")
    }
}

fn print_case(
    summary: &tongban_store::CaseSummary,
    state: &tongban_core::case::CaseState,
    events: &[tongban_store::StoredEvent],
) -> Result<(), Failure> {
    let intake = &state.intake;
    let form = &intake.form;
    say!("办件编号：{}", intake.number);
    say!("状态：{}", state.status.label());
    let version = form.item.catalog_version.as_deref().map(|v| format!("，事项清单版本 {v}")).unwrap_or_default();
    let kind = if form.bundle_items.is_empty() { "事项" } else { "一件事" };
    say!("{kind}：{}（{}）{version}", form.item.name, form.item.code);
    for (i, item) in form.bundle_items.iter().enumerate() {
        say!("  {}. {}（{}）{}", i + 1, item.name, item.code, item.department);
    }
    say!("办理地：{}　{}", region::display_name(&form.handling_region), form.item.department);
    say!("受理窗口：{}　受理日期：{}", intake.window, intake.received_on);
    say!(
        "申请人：{}　证件号码：{}　电话：{}",
        form.applicant.name(),
        form.applicant.id_number(),
        form.applicant.phone()
    );
    if let Some(agent) = &form.agent {
        say!("代办人（{}）：{}　{}：{}", agent.role.label(), agent.name, agent.id_kind.label(), agent.id_number);
    }
    say!("承诺办结：{}", tongban_core::clocks::deadline_text(summary.deadline, summary.status));
    if let Some(due) = summary.notice_due {
        let estimated = if due.estimated { "（预估）" } else { "" };
        say!("告知期限：{}{estimated}前须出具一次性告知书", due.date);
    }
    if let Some(due) = summary.supplement_due {
        let estimated = if due.estimated { "（预估）" } else { "" };
        say!("补正期限：{}{estimated}", due.date);
    }
    if let Some(due) = summary.owed_due {
        let estimated = if due.estimated { "（预估）" } else { "" };
        say!("容缺补齐期限：{}{estimated}", due.date);
    }
    say!("材料：");
    let standings = tongban_core::case::standings(&state.materials);
    for (i, (m, standing)) in state.materials.iter().zip(standings).enumerate() {
        let mark = match standing {
            Standing::Received => "已收",
            Standing::Missing => "缺",
            Standing::Owed => "容缺",
            Standing::ByAlternative => "任选其一已收",
            Standing::NotRequired => "未收",
        };
        let mut notes = String::new();
        if m.original_verified {
            notes += "，原件已核验";
        }
        if let Some(license) = &m.e_license {
            notes += &format!("，电子证照 {} {}（{}）", license.kind, license.number, license.issuer);
        }
        if !m.condition.is_empty() {
            notes += &format!("，条件：{}{}", m.condition, if m.required { "" } else { "（不适用）" });
        }
        if !m.choice.is_empty() {
            notes += &format!("，任选其一：{}", m.choice);
        }
        let counts = if m.form == tongban_core::case::MaterialForm::OriginalAndCopy {
            m.counts_text()
        } else {
            format!("{}，{}份", m.form.label(), m.copies)
        };
        say!("  {}. {}（{counts}）{mark}{notes}", i + 1, m.name);
    }
    say!("事件：");
    for e in events {
        let ev = &e.event;
        let detail = match &ev.body {
            EventBody::Refused { reason } => format!("：{reason}"),
            // The handling region's note goes with its decision: the window reads it to the applicant.
            EventBody::SupplementRequested { items, note } => format!("：{}{}", items.join("；"), office_note(note)),
            EventBody::Concluded { approved, note } => {
                format!("：{}{}", if *approved { "准予" } else { "不予" }, office_note(note))
            }
            EventBody::ResultMailed { waybill } => format!("：运单号 {waybill}"),
            EventBody::Renumbered { from, to, .. } => format!("：{from} → {to}"),
            _ => String::new(),
        };
        let aside = e.set_aside.as_ref().map(|a| format!("（{}：{}）", a.kind.label(), a.reason)).unwrap_or_default();
        say!(
            "  {}　{}{}　{}@{}{}{aside}",
            ev.at.with_timezone(&tongban_store::china_time()).format("%Y-%m-%d %H:%M"),
            ev.body.kind().label(),
            detail,
            ev.author.display(),
            ev.author.region,
            if e.in_outbox { "（待同步）" } else { "" }
        );
    }
    Ok(())
}

/// A small text file read whole, refused when larger than `max` bytes (never read past it).
fn read_small_text(path: &std::path::Path, max: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?.take(max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        return Err(std::io::Error::other(format!("超过 {} KB", max / 1024)));
    }
    Ok(text)
}
