//! `tongban audit`: verify the chain (and say where it first breaks), list and export entries.

use tongban_desk::{AuditQuery, Desk};

use crate::{AuditCommand, Failure};

pub fn run(desk: &Desk, command: &AuditCommand) -> Result<(), Failure> {
    match command {
        AuditCommand::Verify => {
            let (head, verdict, anchors) = {
                let store = desk.locked()?;
                (store.audit_head()?, store.verify_audit(1)?, store.audit_anchors()?)
            };
            match verdict {
                None => {
                    say!("审计链完整：共 {} 条，链头 {}", head.seq, &head.hash[..16]);
                    for (hub, seq) in anchors {
                        say!("  {}的通办中心确认保存到第 {seq} 条", tongban_core::region::display_name(&hub));
                    }
                    if head.seq > 0 && desk.locked()?.hubs()?.is_empty() {
                        say!("  （未配置通办中心：审计链尾部的删除只能在通办中心保存链头后发现）");
                    }
                }
                Some(broken) => return Err(Failure(format!("审计链已被改动：{broken}"))),
            }
        }
        AuditCommand::List { person, case, kind, from, to, limit, json } => {
            let query = AuditQuery {
                person: person.clone(),
                case_number: case.clone(),
                kind: kind.clone(),
                from: from.clone(),
                to: to.clone(),
                page: 1,
                page_size: (*limit).clamp(1, 500),
            };
            let page = desk.audit_log(&query)?;
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
        AuditCommand::Export { person, case, kind, from, to, out } => {
            let query = AuditQuery {
                person: person.clone(),
                case_number: case.clone(),
                kind: kind.clone(),
                from: from.clone(),
                to: to.clone(),
                page: 1,
                page_size: 1,
            };
            let dir = tempdir_of(out)?;
            let written = desk.export_audit_log(&query, Some(&dir))?;
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
