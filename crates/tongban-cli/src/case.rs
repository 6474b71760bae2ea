//! `tongban case`: take a case in, list, show, decide, renumber, mail and sign for paper, all through the desk's own
//! methods (the window's checks: the role, the scans kept here, the catalog, the clock).

use std::io::Read;
use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use tongban_core::applicant::mask_id_number;
use tongban_core::case::{CaseStatus, EventBody, IntakeForm, Standing};
use tongban_core::region;
use tongban_desk::printing::beijing;
use tongban_desk::{
    CaseQuery, CaseRecord, CatalogIntake, Desk, Mailing, OriginalsSigning, PackedMaterial, PaperRecorded, Permission,
};
use tongban_wire::decisions::Decision;

use crate::{date_arg, Context, Failure};

#[derive(Subcommand)]
pub enum CaseCommand {
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
    /// 寄出原件：登记寄往办理地的包裹（运单号、承运、材料及份数），下次同步时告知办理地
    Mail {
        number: String,
        /// 运单号（UPU S10 格式如 EA123456785CN 校验位不符的拒收；其他格式提示）
        #[arg(long)]
        waybill: String,
        /// 承运
        #[arg(long, default_value = "EMS")]
        carrier: String,
        /// 包裹内的材料及份数，可重复；不写则寄出尚未寄出的全部纸质材料
        #[arg(long = "material", value_name = "名称[:原件份数[:复印件份数]]")]
        materials: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 签收原件（办理地）：原件包裹已到，--missing 列出到件时缺少的材料
    SignOriginals {
        number: String,
        /// 签收的运单号
        #[arg(long)]
        waybill: String,
        /// 到件时缺少的材料，可重复
        #[arg(long = "missing", value_name = "材料")]
        missing: Vec<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// 签收结果：办理地寄回的办理结果已到本窗口
    SignResult {
        number: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

/// `--material 户口簿:1:0`: a material's name, its originals (default 1) and copies (default 0).
fn packed(arg: &str) -> Result<PackedMaterial, Failure> {
    let mut parts = arg.split([':', '：']);
    let name = parts.next().unwrap_or_default().trim().to_string();
    let count = |part: Option<&str>, default: u32, what: &str| -> Result<u32, Failure> {
        match part.map(str::trim) {
            None | Some("") => Ok(default),
            Some(n) => n.parse().map_err(|_| Failure(format!("--material {arg}：{what}「{n}」应为整数"))),
        }
    };
    let originals = count(parts.next(), 1, "原件份数")?;
    let copies = count(parts.next(), 0, "复印件份数")?;
    if name.is_empty() || parts.next().is_some() {
        return Err(Failure(format!("--material {arg}：应写作 名称[:原件份数[:复印件份数]]，如 户口簿:1:0")));
    }
    Ok(PackedMaterial { name, originals, copies })
}

fn paper_said(recorded: PaperRecorded) -> Result<(), Failure> {
    say!("{}", recorded.message);
    for warning in recorded.warnings {
        say!("注意：{warning}");
    }
    Ok(())
}

/// `tongban case decide` 的决定种类.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum DecisionKind {
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

pub fn run(ctx: &mut Context<'_>, command: &CaseCommand) -> Result<(), Failure> {
    match command {
        CaseCommand::New { json: file } => take_in(ctx, file)?,
        CaseCommand::List { search, status, from, to, item, partner, clerk, page, page_size, json } => {
            let status = status
                .as_deref()
                .map(|s| {
                    CaseStatus::parse(s).ok_or_else(|| Failure(format!("状态「{s}」无效，可选：{}", status_names())))
                })
                .transpose()?;
            // Checked here for the CLI's own wording; the desk reads them again.
            for (label, date) in [("起始日期", from), ("截止日期", to)] {
                date.as_deref().map(|d| date_arg(label, d)).transpose()?;
            }
            let query = CaseQuery {
                text: search.clone(),
                status,
                from: from.clone(),
                to: to.clone(),
                item_code: item.clone(),
                partner: partner.clone(),
                clerk: clerk.clone(),
                notice: None,
                page: *page,
                page_size: *page_size,
            };
            let desk = ctx.log_in(Permission::Read)?;
            let result = desk.case_summaries(&query)?;
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
        CaseCommand::Decide { number, decision, reason, items, note, waybill } => {
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
            let desk = ctx.log_in(Permission::Decide)?;
            let status = desk.decide(number, decision, None)?;
            say!("办件 {} 现为{}，将在下次同步时送达受理地", number.trim(), status.label());
        }
        CaseCommand::Mail { number, waybill, carrier, materials, note } => {
            let desk = ctx.log_in(Permission::TakeIn)?;
            let contents = if materials.is_empty() {
                desk.mailing_draft(number)?.contents
            } else {
                materials.iter().map(|m| packed(m)).collect::<Result<_, _>>()?
            };
            let mailing = Mailing { waybill: waybill.clone(), carrier: carrier.clone(), contents, note: note.clone() };
            paper_said(desk.mail_originals(number, &mailing)?)?;
        }
        CaseCommand::SignOriginals { number, waybill, missing, note } => {
            let desk = ctx.log_in(Permission::Decide)?;
            let signing = OriginalsSigning { waybill: waybill.clone(), missing: missing.clone(), note: note.clone() };
            paper_said(desk.sign_originals(number, &signing)?)?;
        }
        CaseCommand::SignResult { number, note } => {
            paper_said(ctx.log_in(Permission::TakeIn)?.sign_result(number, note)?)?;
        }
        CaseCommand::Show { number, json } => {
            // The command shows the whole 证件号码: a view and a reveal, as in the window.
            let record = ctx.log_in(Permission::Read)?.case_record(number)?;
            let CaseRecord { summary, state, events, prints } = &record;
            if *json {
                let events: Vec<_> = events.iter().map(|e| &e.event).collect();
                say!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "summary": summary, "status": state.status,
                        "intake": state.intake, "materials": state.materials, "events": events }))
                    .map_err(|e| Failure(e.to_string()))?
                );
            } else {
                print_case(summary, state, events)?;
                if !prints.is_empty() {
                    say!("打印：");
                    for p in prints {
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
        CaseCommand::Renumber { number, all, reason } => {
            renumber(&ctx.log_in(Permission::Administer)?, number, *all, reason)?
        }
    }
    Ok(())
}

/// `tongban case new`: the intake read from the file (or standard input) and taken in by the
/// desk, by its catalog when the item is given by code.
fn take_in(ctx: &mut Context<'_>, file: &std::path::Path) -> Result<(), Failure> {
    let text = if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| Failure(format!("读取标准输入失败：{e}")))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| Failure(format!("读取「{}」失败：{e}", file.display())))?
    };
    let at =
        |e: serde_json::Error| Failure(format!("收件文件第{}行第{}列：{}", e.line(), e.column(), json_problem(&e)));
    // An item given by its code is taken in against the catalog; a whole item object is
    // a free-form intake (imports, cases of regions without a catalog). A broken file is
    // parsed as the latter, whose error says where the form goes wrong.
    let by_code = serde_json::from_str::<serde_json::Value>(&text)
        .is_ok_and(|v| v.get("item").is_some_and(serde_json::Value::is_string));
    let desk = ctx.log_in(Permission::TakeIn)?;
    let taken = if by_code {
        desk.take_in(&serde_json::from_str::<CatalogIntake>(&text).map_err(at)?)?
    } else {
        desk.take_in_form(&serde_json::from_str::<IntakeForm>(&text).map_err(at)?)?
    };
    say!("{}", taken.number);
    // Saved as is, to be looked at again (a waybill of another case, a format the desk
    // cannot check): on stderr, so a script reading the number is not disturbed.
    for warning in &taken.warnings {
        eprintln!("注意：{warning}");
    }
    Ok(())
}

/// `tongban case renumber`: one case, or every case taken in under another desk code.
fn renumber(desk: &Desk, number: &Option<String>, all: bool, reason: &str) -> Result<(), Failure> {
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
    Ok(())
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
    if form.item.decider() != form.item.department {
        say!("决定机构：{}", form.item.decider());
    }
    if let Some(fee) = form.item.fee_label() {
        say!("收费：{fee}");
    }
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
    // Where the originals are, for a case whose paper goes by mail (or went anyway).
    let kept: Vec<_> = events.iter().filter(|e| e.set_aside.is_none()).map(|e| e.event.clone()).collect();
    let packages = tongban_core::paper::packages(&kept);
    let whereabouts = tongban_core::paper::originals_whereabouts(&state.materials, &packages)
        .into_iter()
        .map(|(m, w)| format!("  {}：{}", m.name, w.text()))
        .collect::<Vec<_>>();
    if (form.transfer.mail || !packages.is_empty()) && !whereabouts.is_empty() {
        say!("原件去向：");
        for line in whereabouts {
            say!("{line}");
        }
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
            body if body.kind().is_paper() => format!("：{}", tongban_core::paper::event_lines(body).join("；")),
            _ => String::new(),
        };
        let aside = e.set_aside.as_ref().map(|a| format!("（{}：{}）", a.kind.label(), a.reason)).unwrap_or_default();
        say!(
            "  {}　{}{}　{}@{}{}{aside}",
            beijing(ev.at).format("%Y-%m-%d %H:%M"),
            ev.body.kind().label(),
            detail,
            ev.author.display(),
            ev.author.region,
            if e.in_outbox { "（待同步）" } else { "" }
        );
    }
    Ok(())
}
