//! `tongban audit`: verify the chain (and say where it first breaks), list and export entries.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use tongban_desk::{AuditQuery, Desk};

use crate::Failure;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 核验审计链（各条记录、办件事件、打印记录，以及通办中心保存的链头），指出第一处断裂
    Verify,
    /// 列出审计记录（最新的在前）
    List {
        #[command(flatten)]
        filter: AuditFilter,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 导出审计记录为 CSV（UTF-8，Excel 可直接打开）
    Export {
        #[command(flatten)]
        filter: AuditFilter,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// Which audit entries `list` and `export` take.
#[derive(Args)]
pub struct AuditFilter {
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
}

impl AuditFilter {
    /// The first page of `page_size` entries.
    fn query(&self, page_size: u32) -> AuditQuery {
        AuditQuery {
            person: self.person.clone(),
            case_number: self.case.clone(),
            kind: self.kind.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            page: 1,
            page_size,
        }
    }
}

pub fn run(desk: &Desk, command: &AuditCommand) -> Result<(), Failure> {
    match command {
        AuditCommand::Verify => {
            let tongban_desk::ChainCheck { head, broken, anchors, hubs_configured } = desk.check_audit_chain()?;
            match broken {
                None => {
                    say!("审计链完整：共 {} 条，链头 {}", head.seq, &head.hash[..16]);
                    for (hub, seq) in anchors {
                        say!("  {}的通办中心确认保存到第 {seq} 条", tongban_core::region::display_name(&hub));
                    }
                    if head.seq > 0 && !hubs_configured {
                        say!("  （未配置通办中心：审计链尾部的删除只能在通办中心保存链头后发现）");
                    }
                }
                Some(broken) => return Err(Failure(format!("审计链已被改动：{broken}"))),
            }
        }
        AuditCommand::List { filter, limit, json } => {
            let page = desk.audit_log(&filter.query((*limit).clamp(1, 500)))?;
            if *json {
                say!("{}", serde_json::to_string_pretty(&page.rows).map_err(|e| Failure(e.to_string()))?);
            } else {
                say!("序号\t时间\t人员\t类别\t办件编号\t内容");
                for l in &page.rows {
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}",
                        l.seq,
                        l.at,
                        l.person,
                        l.kind_label,
                        l.case_number.as_deref().unwrap_or("—"),
                        l.detail
                    );
                }
                say!("共 {} 条，列出 {} 条", page.total, page.rows.len());
            }
        }
        AuditCommand::Export { filter, out } => {
            let dir = tempdir_of(out)?;
            let written = desk.export_audit_log(&filter.query(1), Some(&dir))?;
            std::fs::rename(&written, out).map_err(|e| Failure(format!("写入「{}」失败：{e}", out.display())))?;
            say!("已导出审计日志到「{}」", out.display());
        }
    }
    Ok(())
}

/// The folder `out` goes in (the export is written there, then renamed to `out`).
fn tempdir_of(out: &std::path::Path) -> Result<std::path::PathBuf, Failure> {
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).map(|d| d.to_path_buf()).unwrap_or_else(|| ".".into());
    if !dir.is_dir() {
        return Err(Failure(format!("文件夹「{}」不存在", dir.display())));
    }
    Ok(dir)
}
