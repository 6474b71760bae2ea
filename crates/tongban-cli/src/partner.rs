//! `tongban partner` and `tongban quarantine`: the partners' hubs and the events the sync holds
//! back, through the desk's own methods as the window's 合作地区 and 隔离区 manage them.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use tongban_desk::printing::beijing;
use tongban_desk::printing::OutFormat;
use tongban_desk::Permission;

use crate::{Context, Failure};

#[derive(Subcommand)]
pub enum PartnerCommand {
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
    /// 对账：与合作地区的通办中心比对一段期间内双方各自记录的事件，并列出寄出多日仍未签收的原件包裹
    Reconcile {
        /// 合作地区行政区划代码（6位）
        #[arg(long)]
        region: String,
        /// 起始日期（YYYY-MM-DD）
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: String,
        /// 截止日期（含），默认与 --from 相同
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        /// 原件包裹寄出多少天仍未签收即列出
        #[arg(long, default_value_t = tongban_desk::reconciliation::PACKAGE_DAYS)]
        package_days: i64,
        /// 把对账单写成文件：.pdf 为打印签字用，.xlsx 为 Excel；记入审计日志
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum QuarantineCommand {
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

pub fn partner(ctx: &mut Context<'_>, command: &PartnerCommand) -> Result<(), Failure> {
    match command {
        PartnerCommand::Reconcile { region, from, to, package_days, out } => {
            let from = crate::date_arg("起始日期", from)?;
            let to = to.as_deref().map(|t| crate::date_arg("截止日期", t)).transpose()?.unwrap_or(from);
            if let Some(out) = out {
                OutFormat::of(out, &[OutFormat::Pdf, OutFormat::Xlsx])?;
            }
            let desk = ctx.log_in(Permission::Read)?;
            let found = desk.reconcile(region, from, to, *package_days)?;
            let lines = tongban_desk::reconciliation::lines(&found);
            let summary = tongban_desk::reconciliation::summary(&found);
            say!("对账 {summary}{}", if lines.is_empty() { "" } else { "：" });
            for l in &lines {
                say!("  {}\t{}\t{}\t{}\t{}", l.section, l.number, l.what, l.at.format("%Y-%m-%d %H:%M"), l.note);
            }
            if let Some(out) = out {
                let format = OutFormat::of(out, &[OutFormat::Pdf, OutFormat::Xlsx])?;
                desk.export_reconciliation(&found, format, &mut crate::print::write_to(out))?;
                say!("对账单已写入 {}", out.display());
            }
        }
        PartnerCommand::Add { region: code, name, hub, credential, allow_http, ca_cert, signing_key } => {
            let desk = ctx.log_in(Permission::Administer)?;
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
            let (entry, pinned) = desk.configure_hub(&setup, &transport, signing_key.as_deref())?;
            let role = if entry.own_region { "本地区通办中心" } else { "合作地区通办中心" };
            say!("已配置{role}：{}（{}）{}", entry.name, entry.region, entry.url);
            if entry.unencrypted() {
                say!("注意：该通办中心使用未加密的 http，办件、扫描件和凭据将以明文经过网络");
            }
            if let Some(pinned) = pinned.filter(|_| signing_key.is_some()) {
                say!("已登记签名公钥，指纹 {}", pinned.fingerprint);
            }
        }
        PartnerCommand::TrustKey { region, key } => {
            let (before, pinned) = ctx.log_in(Permission::Administer)?.trust_hub_key(region, key)?;
            match before {
                Some(before) if before.key != pinned.key => say!(
                    "已登记新的签名公钥，指纹 {}（原为 {}）；下次同步将从头重新拉取并用新公钥核验",
                    pinned.fingerprint,
                    before.fingerprint
                ),
                _ => say!("已登记签名公钥，指纹 {}", pinned.fingerprint),
            }
        }
        PartnerCommand::LiftOffline { region, reason } => {
            let now = ctx.log_in(Permission::Administer)?.lift_offline_limit(region, reason)?;
            say!("{}", now.message);
        }
        PartnerCommand::List { json } => {
            let states = ctx.log_in(Permission::Read)?.hub_states()?;
            if *json {
                let list: Vec<_> = states
                    .hubs
                    .iter()
                    .map(|(hub, state, key)| json!({ "hub": hub, "sync": state, "signing_key": key }))
                    .collect();
                say!("{}", serde_json::to_string_pretty(&list).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("区划\t名称\t类型\t通办中心地址\t待推送\t隔离\t上次成功\t最近错误\t签名公钥指纹");
                for (hub, state, key) in &states.hubs {
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
                if states.unrouted > 0 {
                    say!("另有 {} 个待同步事件的办理地尚未配置通办中心", states.unrouted);
                }
                for p in &states.offline {
                    say!("{}", p.verdict.message);
                }
            }
        }
    }
    Ok(())
}

pub fn quarantine(ctx: &mut Context<'_>, command: &QuarantineCommand) -> Result<(), Failure> {
    match command {
        QuarantineCommand::List { json } => {
            let held = ctx.log_in(Permission::Read)?.quarantined_events()?;
            if *json {
                let events: Vec<_> = held.iter().map(|(q, _)| q).collect();
                say!("{}", serde_json::to_string_pretty(&events).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("事件编号\t办件\t事件\t方向\t通办中心\t原因");
                for (q, number) in &held {
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}（{}）",
                        q.event.id,
                        number.clone().unwrap_or_else(|| q.event.case_id.to_string()),
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
        QuarantineCommand::Release { event } => {
            let id = event_id(event)?;
            ctx.log_in(Permission::Read)?.resubmit_quarantined(&id.to_string())?;
            say!("已放回：{id}");
        }
        QuarantineCommand::Discard { event, reason } => {
            let id = event_id(event)?;
            let desk = ctx.log_in(Permission::Administer)?;
            desk.discard_quarantined(&id.to_string(), reason)?;
            say!("已放弃：{id}（原因：{}，操作人 {}）", reason.trim(), desk.user()?.login);
        }
    }
    Ok(())
}

/// An event's UUID as `tongban quarantine list` shows it.
fn event_id(event: &str) -> Result<uuid::Uuid, Failure> {
    uuid::Uuid::parse_str(event.trim()).map_err(|_| Failure(format!("事件编号「{event}」不是有效的 UUID")))
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
