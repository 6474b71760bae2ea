//! `tongban catalog`: the partner regions' 事项清单 on this desk — import from the files partner
//! offices send, export, list, show an item with its liaisons, the change log, and publication
//! to the region's own hub.

use std::path::PathBuf;

use chrono::Utc;
use clap::Subcommand;
use tongban_catalog::ReadOptions;
use tongban_core::catalog::{Catalog, CatalogItem};
use tongban_core::{guide, region};
use tongban_desk::printing::beijing;
use tongban_desk::Desk;
use tongban_store::{AuditKind, CatalogSource, NewAuditEntry, Store};
use tongban_sync::client::HubClient;
use tongban_sync::SyncSettings;
use tongban_wire::catalog::CatalogUpload;

use crate::Failure;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// 导入事项清单文件（.xlsx、.csv 或 .json）；逐行校验，全部无误才导入，否则列出每处问题
    Import {
        file: PathBuf,
        /// 地区代码（CSV 文件必填；其他格式填写时须与文件一致）
        #[arg(long)]
        region: Option<String>,
        /// 版本号（CSV 文件必填；其他格式填写时须与文件一致）
        #[arg(long)]
        version: Option<String>,
    },
    /// 导出一个地区的事项清单（格式由文件扩展名决定：.xlsx、.csv 或 .json）
    Export {
        /// 地区代码；本机只有一个地区的事项清单时可省略
        #[arg(long)]
        region: Option<String>,
        /// 导出指定的历史版本（默认当前版本）
        #[arg(long)]
        version: Option<String>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// 列出本机各地区的当前事项清单
    List {
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 显示一个地区的事项清单，或其中一个事项或一件事（材料、时限、联络人）
    Show {
        /// 地区代码
        region: String,
        /// 事项编码或一件事编码
        code: Option<String>,
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 事项清单的变更记录（新增、取消、变更的事项和材料）
    Changes {
        /// 只列出尚未标记已读的
        #[arg(long)]
        unread: bool,
        /// 列出后全部标记为已读
        #[arg(long)]
        ack: bool,
        /// 以 JSON 输出，便于脚本处理
        #[arg(long)]
        json: bool,
    },
    /// 把本机的事项清单发布到通办中心，供合作地区的受理台同步（须通办中心的管理员凭据）
    Publish {
        /// 地区代码（默认本受理台的地区）
        #[arg(long)]
        region: Option<String>,
        /// 通办中心地址（默认已配置的该地区通办中心）
        #[arg(long, value_name = "URL")]
        hub: Option<String>,
        /// 管理员凭据（默认环境变量 TONGBAN_ADMIN_CREDENTIAL）
        #[arg(long, value_name = "TOKEN")]
        credential: Option<String>,
    },
}

/// What a role must be allowed to run `command`: loading and publishing a catalog is an admin's.
pub fn permission(command: &CatalogCommand) -> tongban_desk::Permission {
    match command {
        CatalogCommand::Import { .. } | CatalogCommand::Publish { .. } => tongban_desk::Permission::Administer,
        _ => tongban_desk::Permission::Read,
    }
}

/// Runs `command` as the logged-in user: what the window also shows (the catalogs held, an item,
/// the change log) through the desk; files and publication, operator work, on the store.
pub fn run(desk: &Desk, command: &CatalogCommand) -> Result<(), Failure> {
    let user = desk.user()?.login;
    let user = user.as_str();
    match command {
        CatalogCommand::Import { file, region, version } => {
            let options = ReadOptions { region: region.clone(), version: version.clone() };
            let imported = tongban_catalog::read_file(file, &options).map_err(|e| Failure(e.to_string()))?;
            for warning in &imported.warnings {
                eprintln!("提示：{warning}");
            }
            let catalog = imported.catalog;
            let mut store = desk.locked()?;
            let installed = store.install_catalog(&catalog, CatalogSource::File, None, Utc::now())?;
            let name = region::display_name(&catalog.region);
            let detail = format!("导入{name}事项清单 版本 {}", catalog.version);
            store.record(&NewAuditEntry { kind: AuditKind::Settings, user, case_id: None, detail }, Utc::now())?;
            say!(
                "已导入{name}（{}）事项清单 版本 {}：事项 {} 个，一件事 {} 个，联络人 {} 个",
                catalog.region,
                catalog.version,
                catalog.items.len(),
                catalog.bundles.len(),
                catalog.contacts.len()
            );
            match (&installed.previous, &installed.changes) {
                (_, None) => say!("该版本已是当前版本，内容相同，未作改动"),
                (Some(previous), Some(changes)) => {
                    say!("与原版本 {previous} 相比：");
                    print_changes(changes)?;
                }
                (None, Some(_)) => {}
            }
        }
        CatalogCommand::Export { region, version, out } => {
            let catalog = chosen(desk, region.as_deref(), version.as_deref())?;
            tongban_catalog::write_file(&catalog, out).map_err(|e| Failure(e.to_string()))?;
            let detail = format!(
                "{}事项清单 版本 {} 导出到「{}」",
                region::display_name(&catalog.region),
                catalog.version,
                out.display()
            );
            desk.locked()?
                .record(&NewAuditEntry { kind: AuditKind::Export, user, case_id: None, detail }, Utc::now())?;
            say!(
                "已导出{}事项清单 版本 {}（事项 {} 个）到 {}",
                region::display_name(&catalog.region),
                catalog.version,
                catalog.items.len(),
                out.display()
            );
        }
        CatalogCommand::List { json } => {
            let held = desk.held_catalogs()?;
            if *json {
                let list: Vec<_> = held
                    .iter()
                    .map(|h| {
                        serde_json::json!({
                            "region": h.catalog.region, "region_name": region::display_name(&h.catalog.region),
                            "version": h.catalog.version, "items": h.catalog.items.len(),
                            "bundles": h.catalog.bundles.len(), "contacts": h.catalog.contacts.len(),
                            "source": h.source, "received_at": h.received_at,
                        })
                    })
                    .collect();
                say!("{}", to_json(&list)?);
            } else {
                say!("区划\t地区\t版本\t事项\t一件事\t来源\t收到时间");
                for h in &held {
                    say!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        h.catalog.region,
                        region::display_name(&h.catalog.region),
                        h.catalog.version,
                        h.catalog.items.len(),
                        h.catalog.bundles.len(),
                        h.source.label(),
                        beijing(h.received_at).format("%Y-%m-%d %H:%M")
                    );
                }
                if held.is_empty() {
                    say!("本机还没有事项清单：同步合作地区的通办中心，或运行 tongban catalog import 文件");
                }
            }
        }
        CatalogCommand::Show { region: code, code: item, json } => {
            let catalog = chosen(desk, Some(code), None)?;
            match item {
                None if *json => say!("{}", to_json(&catalog)?),
                None => show_catalog(&catalog)?,
                Some(item) => {
                    let offer = catalog.offer(item.trim()).ok_or_else(|| {
                        Failure(format!(
                            "{}的事项清单（版本 {}）中没有「{}」",
                            region::display_name(&catalog.region),
                            catalog.version,
                            item.trim()
                        ))
                    })?;
                    let contacts = catalog.contacts_for(&offer.item.code);
                    if *json {
                        say!("{}", to_json(&serde_json::json!({ "offer": offer, "contacts": contacts }))?);
                    } else {
                        show_offer(&catalog, &offer, &contacts)?;
                    }
                }
            }
        }
        CatalogCommand::Changes { unread, ack, json } => {
            let updates = desk.catalog_changes(*unread)?;
            if *json {
                say!("{}", to_json(&updates)?);
            } else {
                for u in &updates {
                    let from = u.from_version.as_deref().map(|v| format!("{v} → ")).unwrap_or_default();
                    say!(
                        "{}　{}（{}）事项清单 {from}{}{}",
                        beijing(u.at).format("%Y-%m-%d %H:%M"),
                        region::display_name(&u.region),
                        u.region,
                        u.to_version,
                        if u.acknowledged { "" } else { "　［未读］" }
                    );
                    if u.from_version.is_some() {
                        print_changes(&u.changes)?;
                    } else {
                        say!("  首次收到：事项 {} 个", u.changes.added.len());
                    }
                }
                if updates.is_empty() {
                    say!("没有变更记录");
                }
            }
            if let (true, Some(newest)) = (*ack, updates.first()) {
                let marked = desk.mark_catalog_changes_read(newest.id)?;
                if !*json {
                    say!("已标记 {marked} 条为已读");
                }
            }
        }
        CatalogCommand::Publish { region: code, hub, credential } => {
            let code = match code {
                Some(c) => c.trim().to_string(),
                None => desk.info()?.region_code,
            };
            let catalog = chosen(desk, Some(&code), None)?;
            let (url, credential) = publication_target(&*desk.locked()?, &code, hub.as_deref(), credential.as_deref())?;
            let content = serde_json::value::to_raw_value(&catalog).map_err(|e| Failure(e.to_string()))?;
            let upload = CatalogUpload { version: catalog.version.clone(), content };
            let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure(format!("无法启动网络连接：{e}")))?;
            let document = runtime
                .block_on(async {
                    HubClient::new(&url, credential.trim(), &SyncSettings::default())?.publish_catalog(&upload).await
                })
                .map_err(|e| Failure(e.to_string()))?;
            say!(
                "已发布到 {url}：{}事项清单 版本 {}（校验值 {}）",
                region::display_name(&catalog.region),
                document.version,
                &document.sha256[..12]
            );
        }
    }
    Ok(())
}

/// Where an admin publishes for `region`: the hub given, else the one configured for the region,
/// and the admin credential given, else `TONGBAN_ADMIN_CREDENTIAL`.
pub(crate) fn publication_target(
    store: &Store,
    region: &str,
    hub: Option<&str>,
    credential: Option<&str>,
) -> Result<(String, String), Failure> {
    let url = match hub {
        Some(url) => url.trim().trim_end_matches('/').to_string(),
        None => store.hub(region)?.url,
    };
    let credential = credential
        .map(str::to_string)
        .or_else(|| std::env::var("TONGBAN_ADMIN_CREDENTIAL").ok())
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| {
            Failure("请用 --credential 或环境变量 TONGBAN_ADMIN_CREDENTIAL 提供通办中心的管理员凭据".into())
        })?;
    Ok((url, credential.trim().to_string()))
}

/// The current catalog of `region` (or of the only region held), or one version of it.
fn chosen(desk: &Desk, region: Option<&str>, version: Option<&str>) -> Result<Catalog, Failure> {
    let code = match region {
        Some(r) => r.trim().to_string(),
        None => {
            let held = desk.held_catalogs()?;
            match held.as_slice() {
                [only] => only.catalog.region.clone(),
                [] => return Err(Failure("本机还没有事项清单".into())),
                _ => {
                    let codes: Vec<_> = held.iter().map(|h| h.catalog.region.as_str()).collect();
                    return Err(Failure(format!(
                        "本机有多个地区的事项清单（{}），请用 --region 指定",
                        codes.join("、")
                    )));
                }
            }
        }
    };
    let name = region::display_name(&code);
    match version {
        Some(v) => desk
            .held_catalog(&code, Some(v.trim()))?
            .ok_or_else(|| Failure(format!("本机没有{name}事项清单的版本「{}」", v.trim()))),
        None => Ok(desk.held_catalog(&code, None)?.ok_or(tongban_store::StoreError::NoCatalog(code))?),
    }
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Failure> {
    serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))
}

fn print_changes(changes: &tongban_core::catalog::CatalogChanges) -> Result<(), Failure> {
    let lines = changes.lines();
    if lines.is_empty() {
        say!("  无变化");
    }
    for line in lines {
        say!("  {line}");
    }
    Ok(())
}

fn show_catalog(catalog: &Catalog) -> Result<(), Failure> {
    say!("{}（{}）事项清单 版本 {}", region::display_name(&catalog.region), catalog.region, catalog.version);
    if !catalog.note.is_empty() {
        say!("{}", catalog.note);
    }
    say!("事项编码\t事项名称\t领域\t办理部门\t办理模式\t承诺时限\t材料数");
    for item in &catalog.items {
        say!(
            "{}\t{}\t{}\t{}\t{}\t{}个工作日\t{}",
            item.code,
            item.name,
            item.domain,
            item.department,
            item.mode.label(),
            item.promised_days,
            item.materials.len()
        );
    }
    for bundle in &catalog.bundles {
        say!("一件事 {}：{}（{}）", bundle.code, bundle.name, bundle.items.join("、"));
    }
    Ok(())
}

fn show_offer(
    catalog: &Catalog,
    offer: &tongban_core::catalog::Offer,
    contacts: &[&tongban_core::catalog::Contact],
) -> Result<(), Failure> {
    let kind = if offer.bundle_items.is_empty() { "事项" } else { "一件事" };
    say!("{kind}：{}（{}）", offer.item.name, offer.item.code);
    say!(
        "办理地：{}　{}　承诺时限 {}",
        region::display_name(&catalog.region),
        offer.item.department,
        offer.item.promise_label()
    );
    if let Some(item) = catalog.item(&offer.item.code) {
        show_item_terms(item)?;
    }
    for (i, item) in offer.bundle_items.iter().enumerate() {
        say!("  {}. {}（{}）{}，承诺 {}", i + 1, item.name, item.code, item.department, item.promise_label());
    }
    say!("申请材料：");
    for (i, m) in offer.materials.iter().enumerate() {
        let material = &m.material;
        let mut notes = Vec::new();
        if !material.condition.is_empty() {
            notes.push(format!("条件：{}", material.condition));
        }
        if let Some(kind) = &material.e_license {
            notes.push(format!("可用电子证照：{kind}"));
        }
        if !material.choice.is_empty() {
            notes.push(format!("任选其一：{}", material.choice));
        }
        if let Some(d) = &material.deferral {
            notes.push(format!("可容缺受理，{}", d.text()));
        }
        if !m.items.is_empty() {
            notes.push(format!("所属事项：{}", m.items.join("、")));
        }
        let notes = if notes.is_empty() { String::new() } else { format!("　{}", notes.join("；")) };
        let counts = if material.form == tongban_core::case::MaterialForm::OriginalAndCopy {
            guide::counts_text(material.originals, material.copies, true)
        } else {
            format!("{}，{}份", material.form.label(), material.copies)
        };
        say!("  {}. {}（{counts}）{notes}", i + 1, material.name);
        if !material.standard.is_empty() {
            say!("     标准：{}", material.standard);
        }
    }
    if contacts.is_empty() {
        say!("联络人：未提供");
    }
    for c in contacts {
        let scope = if c.item.is_some() { "本事项" } else { "全部事项" };
        say!("联络人（{scope}）：{} {} {} {}", c.name, c.unit, c.phone, c.hours);
    }
    Ok(())
}

fn show_item_terms(item: &CatalogItem) -> Result<(), Failure> {
    let delivery: Vec<_> = item.delivery.iter().map(|d| d.label()).collect();
    say!(
        "领域：{}　办理模式：{}　事项类型：{}　服务对象：{}　法定时限：{}　收费：{}　送达：{}",
        item.domain,
        item.mode.label(),
        item.kind.map_or("未注明", |k| k.label()),
        item.applicants.label(),
        guide::legal_text(item.legal_limit().as_ref()),
        guide::fee_text(&item.fee),
        delivery.join("、")
    );
    if !item.fee_basis.is_empty() {
        say!("收费依据：{}", item.fee_basis);
    }
    if !item.accepted_by.is_empty() {
        say!("受理机构：{}", item.accepted_by);
    }
    if !item.decided_by.is_empty() {
        say!("决定机构：{}", item.decided_by);
    }
    if !item.conditions.is_empty() {
        say!("受理条件：{}", item.conditions);
    }
    if !item.basis.is_empty() {
        say!("设定依据：{}", item.basis);
    }
    Ok(())
}
