//! The audit log: every login, failed login, lock, unlock, view of a case, reveal of a full ID
//! number, opened scan, print, export, backup, settings and user change, and every case event,
//! as one chain. Each entry's hash covers the previous entry's hash and its own fields; an entry
//! that stands for a case event or a print also carries the SHA-256 of that row as written, so
//! editing an event, changing its author or deleting a print breaks the chain at that entry.
//!
//! Whoever holds the data key could rewrite the whole chain; the hubs keep each round's head
//! (`audit_anchors` records what they confirmed), so a rewritten or truncated chain no longer
//! matches what a hub holds.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, params_from_iter, types::Value, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tongban_core::case::{CaseEvent, CaseId, CaseState};

use crate::desk::parse_time;
use crate::{Page, Result, Store};

/// Step 11: the audit chain and the heads the hubs confirmed. Passwords now live only in the key
/// file's slots (see `vault`), so the hashes of before are dropped.
pub(crate) const SCHEMA_V11: &str = "
CREATE TABLE audit (
    seq     INTEGER PRIMARY KEY,      -- position in the chain, from 1, without gaps
    at      TEXT NOT NULL,            -- RFC 3339, UTC
    user    TEXT NOT NULL,            -- login of who did it ('' for the desk itself)
    kind    TEXT NOT NULL,            -- AuditKind::as_str
    case_id TEXT,                     -- the case concerned, if any
    detail  TEXT NOT NULL,            -- what happened, in Chinese, without personal data
    ref     TEXT,                     -- the event id or print id this entry stands for
    digest  TEXT,                     -- SHA-256 of that row as written
    hash    TEXT NOT NULL             -- SHA-256 of the previous hash and this entry
);
CREATE INDEX audit_by_case ON audit (case_id, seq);
CREATE INDEX audit_by_user ON audit (user, seq);
CREATE INDEX audit_by_kind ON audit (kind, seq);
CREATE INDEX audit_by_ref ON audit (ref) WHERE ref IS NOT NULL;
CREATE TABLE audit_anchors (
    hub_region TEXT PRIMARY KEY,      -- the hub that keeps our head
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    at         TEXT NOT NULL          -- when it confirmed it
);
UPDATE users SET password_hash = NULL;
";

/// The hash before the first entry.
const ORIGIN: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an audit entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    Login,
    LoginFailed,
    Logout,
    Lock,
    Unlock,
    CaseView,
    IdReveal,
    ScanOpen,
    Print,
    Export,
    Backup,
    Settings,
    User,
    Recovery,
    Event,
    ChainStart,
    /// A decision of this desk set aside (已被取代 / 已放弃): it stays, out of its case's status.
    SetAside,
    /// An event a hub sent that no longer fits once a decision here was set aside: back to the
    /// quarantine, to be tried again in the hub's order.
    Requeued,
}

impl AuditKind {
    pub const ALL: [AuditKind; 18] = [
        AuditKind::Login,
        AuditKind::LoginFailed,
        AuditKind::Logout,
        AuditKind::Lock,
        AuditKind::Unlock,
        AuditKind::CaseView,
        AuditKind::IdReveal,
        AuditKind::ScanOpen,
        AuditKind::Print,
        AuditKind::Export,
        AuditKind::Backup,
        AuditKind::Settings,
        AuditKind::User,
        AuditKind::Recovery,
        AuditKind::Event,
        AuditKind::ChainStart,
        AuditKind::SetAside,
        AuditKind::Requeued,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditKind::Login => "login",
            AuditKind::LoginFailed => "login_failed",
            AuditKind::Logout => "logout",
            AuditKind::Lock => "lock",
            AuditKind::Unlock => "unlock",
            AuditKind::CaseView => "case_view",
            AuditKind::IdReveal => "id_reveal",
            AuditKind::ScanOpen => "scan_open",
            AuditKind::Print => "print",
            AuditKind::Export => "export",
            AuditKind::Backup => "backup",
            AuditKind::Settings => "settings",
            AuditKind::User => "user",
            AuditKind::Recovery => "recovery",
            AuditKind::Event => "event",
            AuditKind::ChainStart => "chain_start",
            AuditKind::SetAside => "set_aside",
            AuditKind::Requeued => "requeued",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditKind::Login => "登录",
            AuditKind::LoginFailed => "登录失败",
            AuditKind::Logout => "退出登录",
            AuditKind::Lock => "锁定",
            AuditKind::Unlock => "解锁",
            AuditKind::CaseView => "查看办件",
            AuditKind::IdReveal => "显示完整证件号码",
            AuditKind::ScanOpen => "打开扫描件",
            AuditKind::Print => "打印",
            AuditKind::Export => "导出",
            AuditKind::Backup => "备份",
            AuditKind::Settings => "修改设置",
            AuditKind::User => "用户管理",
            AuditKind::Recovery => "使用恢复密钥",
            AuditKind::Event => "办件事件",
            AuditKind::ChainStart => "审计链建立",
            AuditKind::SetAside => "事件被取代或放弃",
            AuditKind::Requeued => "事件退回隔离区",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        let s = s.trim();
        AuditKind::ALL.into_iter().find(|k| k.as_str() == s || k.label() == s)
    }
}

/// An entry to record.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub kind: AuditKind,
    pub user: &'a str,
    pub case_id: Option<CaseId>,
    pub detail: String,
}

/// An entry as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub user: String,
    pub kind: AuditKind,
    pub case_id: Option<CaseId>,
    /// The case's 办件编号, when the entry concerns a case this desk holds.
    pub case_number: Option<String>,
    pub detail: String,
    pub hash: String,
}

/// The chain's last entry: what a hub is asked to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user: Option<String>,
    /// A 办件编号.
    pub case_number: Option<String>,
    pub kind: Option<AuditKind>,
    /// Beijing dates, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The first place the chain does not hold, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    pub seq: i64,
    pub what: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "审计链第 {} 条：{}", self.seq, self.what)
    }
}

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &str,
    seq: i64,
    at: &str,
    user: &str,
    kind: &str,
    case_id: Option<&str>,
    detail: &str,
    reference: Option<&str>,
    digest: Option<&str>,
) -> String {
    let canonical = serde_json::json!([prev, seq, at, user, kind, case_id, detail, reference, digest]);
    hex::encode(Sha256::digest(canonical.to_string()))
}

/// The SHA-256 of an event row as written (every column but the outbox mark, which sync changes).
pub(crate) fn event_digest(
    id: &str,
    case_id: &str,
    kind: &str,
    at: &str,
    author: &str,
    body: &str,
    local: bool,
) -> String {
    let canonical = serde_json::json!([id, case_id, kind, at, author, body, local]);
    hex::encode(Sha256::digest(canonical.to_string()))
}

/// The SHA-256 of an event's set-aside columns as written (`setaside`): setting an event aside by
/// hand, or changing why, no longer matches the entry that recorded it.
pub(crate) fn set_aside_digest(
    id: &str,
    kind: Option<&str>,
    reason: Option<&str>,
    at: Option<&str>,
    by: Option<&str>,
) -> String {
    let canonical = serde_json::json!([id, kind, reason, at, by]);
    hex::encode(Sha256::digest(canonical.to_string()))
}

/// The SHA-256 of a print row as written.
#[allow(clippy::too_many_arguments)]
pub(crate) fn print_digest(
    id: i64,
    case_id: Option<&str>,
    form: &str,
    scope: &str,
    user: &str,
    printed_at: &str,
    reprint: bool,
    pdf: &str,
) -> String {
    let canonical = serde_json::json!([id, case_id, form, scope, user, printed_at, reprint, pdf]);
    hex::encode(Sha256::digest(canonical.to_string()))
}

/// Appends an entry inside an open write transaction; returns its position.
#[allow(clippy::too_many_arguments)]
pub(crate) fn append_in(
    tx: &Transaction<'_>,
    at: DateTime<Utc>,
    user: &str,
    kind: AuditKind,
    case_id: Option<&str>,
    detail: &str,
    reference: Option<&str>,
    digest: Option<&str>,
) -> Result<i64> {
    let (last, prev): (i64, String) = tx
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, ORIGIN.to_string()));
    let seq = last + 1;
    let at = at.to_rfc3339();
    let hash = entry_hash(&prev, seq, &at, user, kind.as_str(), case_id, detail, reference, digest);
    tx.prepare_cached(
        "INSERT INTO audit (seq, at, user, kind, case_id, detail, ref, digest, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![seq, at, user, kind.as_str(), case_id, detail, reference, digest, hash])?;
    Ok(seq)
}

/// Links every event and print of a database that predates the chain, in the order they were
/// written, after an entry that says the chain starts here (migration step 11).
pub(crate) fn chain_existing(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<()> {
    let events: i64 = tx.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
    let prints: i64 = tx.query_row("SELECT count(*) FROM prints", [], |r| r.get(0))?;
    let detail = format!("审计链自此开始；此前已有办件事件 {events} 个、打印记录 {prints} 条，依原顺序列入");
    append_in(tx, now, "", AuditKind::ChainStart, None, &detail, None, None)?;
    let rows: Vec<(String, String, String, String, String, String, bool)> = {
        let mut stmt = tx.prepare("SELECT id, case_id, kind, at, author, body, local FROM events ORDER BY seq")?;
        let rows =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, case_id, kind, at, author, body, local) in rows {
        let digest = event_digest(&id, &case_id, &kind, &at, &author, &body, local);
        let detail = event_detail(&kind, local);
        append_in(tx, now, &author, AuditKind::Event, Some(&case_id), &detail, Some(&id), Some(&digest))?;
    }
    let rows: Vec<PrintRow> = {
        let mut stmt = tx.prepare(&format!("SELECT {PRINT_COLUMNS} FROM prints ORDER BY id"))?;
        let rows = stmt.query_map([], read_print_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for p in rows {
        let digest = p.digest();
        append_in(
            tx,
            now,
            &p.user,
            AuditKind::Print,
            p.case_id.as_deref(),
            &p.detail(),
            Some(&p.id.to_string()),
            Some(&digest),
        )?;
    }
    Ok(())
}

pub(crate) fn event_detail(kind: &str, local: bool) -> String {
    let label =
        tongban_core::case::EventKind::ALL.into_iter().find(|k| k.as_str() == kind).map(|k| k.label()).unwrap_or(kind);
    if local {
        label.to_string()
    } else {
        format!("{label}（来自通办中心）")
    }
}

const PRINT_COLUMNS: &str = "id, case_id, form, scope, user, printed_at, reprint, pdf_sha256";

pub(crate) struct PrintRow {
    pub id: i64,
    pub case_id: Option<String>,
    pub form: String,
    pub scope: String,
    pub user: String,
    pub printed_at: String,
    pub reprint: bool,
    pub pdf: String,
}

impl PrintRow {
    pub(crate) fn digest(&self) -> String {
        print_digest(
            self.id,
            self.case_id.as_deref(),
            &self.form,
            &self.scope,
            &self.user,
            &self.printed_at,
            self.reprint,
            &self.pdf,
        )
    }

    pub(crate) fn detail(&self) -> String {
        let form = crate::FormKind::parse(&self.form).map(|f| f.label()).unwrap_or("表单");
        format!("{form}{}", if self.reprint { "（补打）" } else { "" })
    }
}

fn read_print_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PrintRow> {
    Ok(PrintRow {
        id: r.get(0)?,
        case_id: r.get(1)?,
        form: r.get(2)?,
        scope: r.get(3)?,
        user: r.get(4)?,
        printed_at: r.get(5)?,
        reprint: r.get(6)?,
        pdf: r.get(7)?,
    })
}

impl Store {
    /// Records one entry (a login, a view, a print's export, …) in its own transaction.
    pub fn record(&mut self, entry: &NewAuditEntry<'_>, at: DateTime<Utc>) -> Result<i64> {
        let tx = crate::write(&mut self.conn)?;
        let case = entry.case_id.map(|c| c.to_string());
        let seq = append_in(&tx, at, entry.user, entry.kind, case.as_deref(), &entry.detail, None, None)?;
        tx.commit()?;
        Ok(seq)
    }

    /// Moves the failed logins noted in the key file into the chain (called at each login).
    pub(crate) fn take_failed_logins(&mut self) -> Result<()> {
        let logins: Vec<String> = self.users()?.into_iter().map(|u| u.login).collect();
        let (failures, dropped) = crate::Vault::take_failures(&self.path, &logins)?;
        if failures.is_empty() && dropped == 0 {
            return Ok(());
        }
        let tx = crate::write(&mut self.conn)?;
        if dropped > 0 {
            let detail = format!("另有 {dropped} 次登录失败未逐条记录（超过密钥文件的记录上限）");
            append_in(&tx, Utc::now(), "", AuditKind::LoginFailed, None, &detail, None, None)?;
        }
        for (failure, login) in failures {
            let detail = match (&login, failure.locked) {
                (Some(_), true) => "密码错误，连续错误次数已达上限，该用户暂被锁定".to_string(),
                (Some(_), false) => "密码错误".to_string(),
                (None, _) => "用户名不存在".to_string(),
            };
            append_in(
                &tx,
                failure.at,
                login.as_deref().unwrap_or(""),
                AuditKind::LoginFailed,
                None,
                &detail,
                None,
                None,
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The chain's last entry.
    pub fn audit_head(&self) -> Result<AuditHead> {
        Ok(self
            .conn
            .query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| {
                Ok(AuditHead { seq: r.get(0)?, hash: r.get(1)? })
            })
            .optional()?
            .unwrap_or(AuditHead { seq: 0, hash: ORIGIN.to_string() }))
    }

    /// The hash of the entry at `seq`, if it exists.
    pub fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        if seq == 0 {
            return Ok(Some(ORIGIN.to_string()));
        }
        Ok(self.conn.query_row("SELECT hash FROM audit WHERE seq = ?1", [seq], |r| r.get(0)).optional()?)
    }

    /// The head a hub last confirmed keeping.
    pub fn audit_anchor(&self, hub_region: &str) -> Result<Option<AuditHead>> {
        Ok(self
            .conn
            .query_row("SELECT seq, hash FROM audit_anchors WHERE hub_region = ?1", [hub_region], |r| {
                Ok(AuditHead { seq: r.get(0)?, hash: r.get(1)? })
            })
            .optional()?)
    }

    /// Remembers that a hub keeps `head`.
    pub fn set_audit_anchor(&mut self, hub_region: &str, head: &AuditHead, at: DateTime<Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO audit_anchors (hub_region, seq, hash, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (hub_region) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
            params![hub_region, head.seq, head.hash, at.to_rfc3339()],
        )?;
        Ok(())
    }

    /// Each hub's confirmed position in the chain: (hub region, entry).
    pub fn audit_anchors(&self) -> Result<Vec<(String, i64)>> {
        let mut stmt = self.conn.prepare("SELECT hub_region, seq FROM audit_anchors ORDER BY hub_region")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Entries matching `filter`, newest first.
    pub fn audit_entries(&self, filter: &AuditFilter, page: u32, page_size: u32) -> Result<Page<AuditEntry>> {
        let mut clauses = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(user) = filter.user.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            values.push(Value::Text(user.to_string()));
            clauses.push(format!("a.user = ?{}", values.len()));
        }
        if let Some(number) = filter.case_number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            values.push(Value::Text(number.to_string()));
            clauses.push(format!("a.case_id = (SELECT id FROM cases WHERE number = ?{})", values.len()));
        }
        if let Some(kind) = filter.kind {
            values.push(Value::Text(kind.as_str().to_string()));
            clauses.push(format!("a.kind = ?{}", values.len()));
        }
        // Beijing dates → UTC instants (RFC 3339 strings of one offset sort as times).
        let day_start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0)
                .and_then(|t| t.and_local_timezone(tongban_core::time::china_time()).single())
                .map(|t| t.with_timezone(&Utc).to_rfc3339())
        };
        if let Some(from) = filter.from.and_then(day_start) {
            values.push(Value::Text(from));
            clauses.push(format!("a.at >= ?{}", values.len()));
        }
        if let Some(to) = filter.to.and_then(|d| d.succ_opt()).and_then(day_start) {
            values.push(Value::Text(to));
            clauses.push(format!("a.at < ?{}", values.len()));
        }
        let filter_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };
        let total: u64 = self.conn.query_row(
            &format!("SELECT count(*) FROM audit a {filter_sql}"),
            params_from_iter(values.iter()),
            |r| r.get(0),
        )?;
        let page_size = page_size.clamp(1, 10_000);
        let offset = (page.max(1) as i64 - 1) * page_size as i64;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT a.seq, a.at, a.user, a.kind, a.case_id, c.number, a.detail, a.hash
               FROM audit a LEFT JOIN cases c ON c.id = a.case_id {filter_sql}
              ORDER BY a.seq DESC LIMIT {page_size} OFFSET {offset}"
        ))?;
        let rows = stmt.query_map(params_from_iter(values.iter()), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at, user, kind, case_id, case_number, detail, hash) = row?;
            out.push(AuditEntry {
                seq,
                at: parse_time(&at)?,
                user,
                kind: AuditKind::parse(&kind).unwrap_or(AuditKind::Event),
                case_id: case_id.and_then(|c| uuid::Uuid::parse_str(&c).ok()).map(CaseId),
                case_number,
                detail,
                hash,
            });
        }
        Ok(Page { rows: out, total })
    }

    /// The sync's check, each round: the whole chain the first time this connection checks and
    /// every six hours, otherwise only the entries added since (and the hubs' heads). Returns the
    /// first break.
    pub fn verify_audit_as_you_go(&mut self, now: DateTime<Utc>) -> Result<Option<ChainBreak>> {
        let full = self.audit_checked.is_none_or(|(_, at)| now - at > chrono::Duration::hours(6));
        let from = match self.audit_checked {
            Some((seq, _)) if !full => seq.max(1),
            _ => 1,
        };
        let head = self.audit_head()?.seq;
        let broken = self.verify_audit(from)?;
        if broken.is_none() {
            let at = if full { now } else { self.audit_checked.map(|(_, at)| at).unwrap_or(now) };
            self.audit_checked = Some((head, at));
        }
        Ok(broken)
    }

    /// Walks the chain from `from_seq` (1: the whole chain) and returns the first place it does
    /// not hold: an entry changed or missing, an event or print changed or deleted, an event or
    /// print written around the chain, a case whose listing no longer matches its events, or a
    /// chain shorter than, or different from, what a hub confirmed keeping.
    pub fn verify_audit(&self, from_seq: i64) -> Result<Option<ChainBreak>> {
        let from_seq = from_seq.max(1);
        let mut prev = match self.audit_hash_at(from_seq - 1)? {
            Some(h) => h,
            None => return Ok(Some(ChainBreak { seq: from_seq - 1, what: "该条已被删除".into() })),
        };
        let mut expected = from_seq;
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, user, kind, case_id, detail, ref, digest, hash FROM audit WHERE seq >= ?1 ORDER BY seq",
        )?;
        let mut event_row =
            self.conn.prepare_cached("SELECT id, case_id, kind, at, author, body, local FROM events WHERE id = ?1")?;
        let mut print_row = self.conn.prepare_cached(&format!("SELECT {PRINT_COLUMNS} FROM prints WHERE id = ?1"))?;
        let mut rows = stmt.query([from_seq])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let (at, user, kind): (String, String, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
            let (case_id, detail): (Option<String>, String) = (r.get(4)?, r.get(5)?);
            let (reference, digest, hash): (Option<String>, Option<String>, String) = (r.get(6)?, r.get(7)?, r.get(8)?);
            let when = parse_time(&at).map(tongban_core::time::china_time_text).unwrap_or(at.clone());
            let label = AuditKind::parse(&kind).map(|k| k.label()).unwrap_or("未知");
            let who = if user.is_empty() { "本机".to_string() } else { user.clone() };
            let broken =
                |what: String| Some(ChainBreak { seq, what: format!("（{when} {who} {label}：{detail}）{what}") });
            if seq != expected {
                return Ok(Some(ChainBreak {
                    seq: expected,
                    what: format!("该条已被删除（其后的第 {seq} 条接在第 {} 条之后）", expected - 1),
                }));
            }
            let recomputed = entry_hash(
                &prev,
                seq,
                &at,
                &user,
                &kind,
                case_id.as_deref(),
                &detail,
                reference.as_deref(),
                digest.as_deref(),
            );
            if recomputed != hash {
                return Ok(broken("内容被改动，或其前一条被删除或改动".into()));
            }
            match (AuditKind::parse(&kind), reference.as_deref()) {
                (Some(AuditKind::Event), Some(id)) => {
                    let row = event_row
                        .query_row([id], |e| {
                            Ok((
                                e.get::<_, String>(0)?,
                                e.get::<_, String>(1)?,
                                e.get::<_, String>(2)?,
                                e.get::<_, String>(3)?,
                                e.get::<_, String>(4)?,
                                e.get::<_, String>(5)?,
                                e.get::<_, bool>(6)?,
                            ))
                        })
                        .optional()?;
                    let requeued = || -> Result<bool> {
                        Ok(self
                            .conn
                            .query_row(
                                "SELECT 1 FROM audit WHERE kind = 'requeued' AND ref = ?1 AND digest IS ?2 AND seq > ?3",
                                params![id, digest, seq],
                                |_| Ok(()),
                            )
                            .optional()?
                            .is_some())
                    };
                    match row {
                        // Taken back into the quarantine by the program, as a later entry records.
                        None if requeued()? => {}
                        None => return Ok(broken(format!("所记录的办件事件 {id} 已被删除"))),
                        Some((id, c, k, a, au, b, l)) => {
                            if Some(event_digest(&id, &c, &k, &a, &au, &b, l)) != digest {
                                return Ok(broken(format!("所记录的办件事件 {id} 已被改动（内容、作者或时间）")));
                            }
                        }
                    }
                }
                (Some(AuditKind::Print), Some(id)) => {
                    let row = print_row.query_row([id], read_print_row).optional()?;
                    match row {
                        None => return Ok(broken(format!("所记录的打印记录（编号 {id}）已被删除"))),
                        Some(p) if Some(p.digest()) != digest => {
                            return Ok(broken(format!("所记录的打印记录（编号 {id}）已被改动")))
                        }
                        Some(_) => {}
                    }
                }
                _ => {}
            }
            prev = hash;
            expected += 1;
        }
        let head = expected - 1;
        // A chain shorter than what a hub kept is said as such first: a cut tail also leaves rows
        // whose entries went with it.
        let mut anchors = self.conn.prepare("SELECT hub_region, seq, hash, at FROM audit_anchors ORDER BY seq DESC")?;
        let anchors = anchors
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (hub, seq, hash, at) in anchors {
            let name = tongban_core::region::display_name(&hub);
            let when = parse_time(&at).map(tongban_core::time::china_time_text).unwrap_or(at);
            if seq > head {
                return Ok(Some(ChainBreak {
                    seq: head + 1,
                    what: format!("审计链在第 {head} 条之后被截断：{name}的通办中心于 {when} 确认保存了第 {seq} 条"),
                }));
            }
            if self.audit_hash_at(seq)?.as_deref() != Some(hash.as_str()) {
                return Ok(Some(ChainBreak {
                    seq,
                    what: format!("与{name}的通办中心于 {when} 确认保存的不符：审计链被改写"),
                }));
            }
        }
        if from_seq == 1 {
            if let Some(b) = self.rows_outside_the_chain(head)? {
                return Ok(Some(b));
            }
            if let Some(b) = self.listing_that_left_its_events(head)? {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// An event or print with no entry in the chain was written around this program.
    fn rows_outside_the_chain(&self, head: i64) -> Result<Option<ChainBreak>> {
        let event: Option<String> = self
            .conn
            .query_row(
                "SELECT e.id FROM events e WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.ref = e.id AND a.kind = 'event')
                 ORDER BY e.seq LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(id) = event {
            return Ok(Some(ChainBreak {
                seq: head + 1,
                what: format!("办件事件 {id} 不在审计链中（未经本程序写入）"),
            }));
        }
        // An event set aside (out of its case's status) only as an entry recorded it.
        let mut set_aside = self.conn.prepare(
            "SELECT id, set_aside, set_aside_reason, set_aside_at, set_aside_by FROM events WHERE set_aside IS NOT NULL ORDER BY seq",
        )?;
        let mut rows = set_aside.query([])?;
        while let Some(r) = rows.next()? {
            let (id, kind, reason, at, by): (String, Option<String>, Option<String>, Option<String>, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            let digest = set_aside_digest(&id, kind.as_deref(), reason.as_deref(), at.as_deref(), by.as_deref());
            let recorded: Option<i64> = self
                .conn
                .query_row(
                    "SELECT seq FROM audit WHERE kind = 'set_aside' AND ref = ?1 AND digest = ?2",
                    params![id, digest],
                    |r| r.get(0),
                )
                .optional()?;
            if recorded.is_none() {
                return Ok(Some(ChainBreak {
                    seq: head + 1,
                    what: format!("办件事件 {id} 被标为取代或放弃，审计链中没有相应记录（未经本程序改动）"),
                }));
            }
        }
        let print: Option<i64> = self
            .conn
            .query_row(
                "SELECT p.id FROM prints p WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.ref = CAST(p.id AS TEXT) AND a.kind = 'print')
                 ORDER BY p.id LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(print.map(|id| ChainBreak {
            seq: head + 1,
            what: format!("打印记录（编号 {id}）不在审计链中（未经本程序写入）"),
        }))
    }

    /// The case list is kept from the events; a row edited by hand (a renamed applicant, another
    /// status) no longer matches the fold of its events.
    fn listing_that_left_its_events(&self, head: i64) -> Result<Option<ChainBreak>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, number, status, applicant_name, applicant_id FROM cases ORDER BY last_seq")?;
        // Events set aside are kept out of the status, as `setaside::refold` folds.
        let mut events = self
            .conn
            .prepare_cached("SELECT body FROM events WHERE case_id = ?1 AND set_aside IS NULL ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (id, number, status, name, id_number): (String, String, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?);
            let bodies = events
                .query_map([&id], |e| e.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?
                .iter()
                .map(|b| serde_json::from_str::<CaseEvent>(b))
                .collect::<Result<Vec<_>, _>>();
            let state = bodies.ok().and_then(|evs| CaseState::fold(evs.iter().map(|e| &e.body)).ok());
            let differs = match &state {
                None => Some("其事件无法按顺序依次成立".to_string()),
                Some(s) if s.status.as_str() != status => {
                    let listed = tongban_core::case::CaseStatus::parse(&status).map(|st| st.label()).unwrap_or("未知");
                    Some(format!("列表中的状态为「{listed}」，按其事件应为「{}」", s.status.label()))
                }
                Some(s) if s.intake.form.applicant.name() != name => Some("列表中的申请人与其事件不符".to_string()),
                Some(s) if s.intake.form.applicant.id_number() != id_number => {
                    Some("列表中的证件号码与其事件不符".to_string())
                }
                Some(_) => None,
            };
            if let Some(differs) = differs {
                return Ok(Some(ChainBreak {
                    seq: head + 1,
                    what: format!("办件 {number} 的列表信息已被改动：{differs}"),
                }));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;

    fn tampered(store: &Store, sql: &str) -> ChainBreak {
        store.conn.execute_batch(sql).unwrap();
        store.verify_audit(1).unwrap().expect("the change must be found")
    }

    #[test]
    fn events_and_entries_form_one_chain_that_verifies() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        store.create_case(&crate::events::tests::form(false), "zhang", Utc::now()).unwrap();
        let entry = NewAuditEntry { kind: AuditKind::Login, user: "zhang", case_id: None, detail: "窗口".into() };
        store.record(&entry, Utc::now()).unwrap();
        let head = store.audit_head().unwrap();
        assert_eq!(head.seq, 3, "chain start, the intake, the login");
        assert_eq!(store.verify_audit(1).unwrap(), None);
        let listed = store.audit_entries(&AuditFilter::default(), 1, 50).unwrap();
        assert_eq!(
            listed.rows.iter().map(|e| e.kind).collect::<Vec<_>>(),
            [AuditKind::Login, AuditKind::Event, AuditKind::ChainStart]
        );
        assert!(listed.rows[1].case_number.as_deref().is_some_and(|n| n.starts_with("411329-")));
    }

    #[test]
    fn every_kind_of_tampering_is_found_and_named() {
        let (_d, mut store) = temp_store();
        crate::events::tests::setup(&mut store);
        store.create_case(&crate::events::tests::form(false), "zhang", Utc::now()).unwrap();
        let before = store.conn.query_row("SELECT body FROM events", [], |r| r.get::<_, String>(0)).unwrap();
        let b = tampered(&store, "UPDATE events SET body = replace(body, '李建国', '王建国')");
        assert!(b.what.contains("已被改动"), "{b}");
        store.conn.execute("UPDATE events SET body = ?1", [&before]).unwrap();
        assert_eq!(store.verify_audit(1).unwrap(), None);
        let b = tampered(&store, "UPDATE events SET author = 'li'");
        assert!(b.to_string().contains("已被改动"), "{b}");
        store.conn.execute_batch("UPDATE events SET author = 'zhang'").unwrap();
        let b = tampered(&store, "UPDATE cases SET applicant_name = '王建国'");
        assert!(b.what.contains("列表信息"), "{b}");
        store.conn.execute_batch("UPDATE cases SET applicant_name = '李建国'").unwrap();
        let b = tampered(&store, "DELETE FROM audit WHERE seq = 1");
        assert_eq!(b.seq, 1, "{b}");
    }
}
