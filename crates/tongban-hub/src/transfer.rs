//! Moving a hub between databases: `tongban-hub export` writes every table of a hub (SQLite or
//! PostgreSQL) and its scans into a folder; `tongban-hub import` loads that folder into an empty
//! database of either kind, checking what it loaded against the counts the export wrote. A
//! county's SQLite hub moves into the province's PostgreSQL this way, with its signing key (desks
//! keep trusting it), its credentials (desks keep their tokens) and its sequence numbers (desks
//! keep their cursors).
//!
//! The folder: `rows/<table>.jsonl` (one JSON array of column values a line; a BLOB as
//! `{"hex": …}`), `blobs/<first two hex digits>/<sha256>`, and `manifest.json`, written last, so a
//! folder without one is an export that did not finish. Uploads in progress are not moved: their
//! desks start them again (the resumable protocol tells them so).

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use rusqlite::types::Value;
use rusqlite::ToSql;
use serde::{Deserialize, Serialize};

use crate::db::{Conn, Database};
use crate::{open_database, HubError, Result};

/// Every table a hub keeps (but `blob_partials`), its columns, and the order rows are read in.
/// Parents come before the rows that name them. A migration that adds a table or a column must
/// add it here too: a test compares this list with the SQLite schema.
pub(crate) const TABLES: &[(&str, &[&str], &str)] = &[
    ("hub", &["singleton", "region", "created_at", "signing_seed"], "singleton"),
    (
        "credentials",
        &[
            "id",
            "token_sha256",
            "region",
            "role",
            "desk",
            "issued_at",
            "revoked_at",
            "desk_code",
            "desk_id",
            "confirmed_at",
        ],
        "id",
    ),
    (
        "events",
        &[
            "seq",
            "id",
            "case_id",
            "kind",
            "receiving_region",
            "handling_region",
            "body",
            "stored_at",
            "credential_id",
            "receiving_desk",
        ],
        "seq",
    ),
    (
        "cases",
        &[
            "case_id",
            "first_seq",
            "number",
            "receiving_region",
            "handling_region",
            "status",
            "applicant_name",
            "item_code",
            "item_name",
            "received_on",
            "updated_at",
            "desk_code",
        ],
        "first_seq",
    ),
    ("case_numbers", &["number", "case_id"], "number"),
    ("blobs", &["sha256", "size", "uploader_region", "stored_at", "uploader_desk"], "sha256"),
    ("blob_refs", &["sha256", "case_id"], "sha256, case_id"),
    ("blob_holders", &["sha256", "region", "desk", "held_since"], "sha256, region, desk"),
    ("catalog_versions", &["seq", "version", "sha256", "content", "published_at", "credential_id"], "seq"),
    ("calendar_years", &["year", "sha256", "text", "published_at", "credential_id"], "year"),
    ("audit_heads", &["id", "credential", "desk_id", "seq", "hash", "broken", "accepted", "at"], "id"),
];

/// PostgreSQL's identity columns, moved on past the imported numbers so new rows do not collide.
const IDENTITIES: &[(&str, &str)] =
    &[("credentials", "id"), ("events", "seq"), ("catalog_versions", "seq"), ("audit_heads", "id")];

const FORMAT: &str = "tongban-hub-export/1";
const PAGE: i64 = 2000;

/// What an export holds, written last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub region: String,
    /// The backend it came from: "sqlite" or "postgresql".
    pub source: String,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    /// Rows per table.
    pub rows: BTreeMap<String, u64>,
    /// Scan files.
    pub blobs: u64,
}

fn to_json(value: Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Integer(i) => i.into(),
        Value::Real(f) => f.into(),
        Value::Text(t) => t.into(),
        Value::Blob(b) => serde_json::json!({ "hex": hex::encode(b) }),
    }
}

fn from_json(value: serde_json::Value) -> Result<Value> {
    let bad = |v: &serde_json::Value| HubError::InvalidRequest(format!("导出文件中有无法识别的值：{v}"));
    Ok(match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::String(t) => Value::Text(t),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().ok_or_else(|| bad(&serde_json::Value::Number(n.clone())))?),
        },
        serde_json::Value::Object(o) => match o.get("hex").and_then(|h| h.as_str()).map(hex::decode) {
            Some(Ok(bytes)) => Value::Blob(bytes),
            _ => return Err(bad(&serde_json::Value::Object(o))),
        },
        other => return Err(bad(&other)),
    })
}

/// Writes the hub at `db` (its scans in `blob_dir`, or beside a SQLite file) into the new folder
/// `out`, from one consistent view, while the hub may go on serving.
pub fn export(db: &Path, blob_dir: Option<&Path>, out: &Path) -> Result<Manifest> {
    if out.exists() {
        return Err(HubError::Config(format!("导出目录「{}」已存在：请指定一个新目录", out.display())));
    }
    let (database, blob_dir) = open_database(db, blob_dir)?;
    fs::create_dir_all(out.join("rows"))?;
    let (region, rows, cited) = database.snapshot(|conn| {
        let region: Option<String> = conn.query_opt("SELECT region FROM hub", &[], |r| r.get(0))?;
        let region = region.ok_or_else(|| HubError::NotInitialized(db.to_path_buf()))?;
        let mut rows = BTreeMap::new();
        for (table, columns, order) in TABLES {
            let mut file = BufWriter::new(fs::File::create(out.join("rows").join(format!("{table}.jsonl")))?);
            let mut count = 0u64;
            let sql = format!("SELECT {} FROM {table} ORDER BY {order} LIMIT ?1 OFFSET ?2", columns.join(", "));
            loop {
                let page = conn.query_map(&sql, &[&PAGE, &(count as i64)], |r| {
                    (0..columns.len()).map(|i| r.get::<Value>(i)).collect::<rusqlite::Result<Vec<_>>>()
                })?;
                for row in &page {
                    let line: Vec<serde_json::Value> = row.iter().cloned().map(to_json).collect();
                    serde_json::to_writer(&mut file, &line)?;
                    file.write_all(b"\n")?;
                }
                count += page.len() as u64;
                if (page.len() as i64) < PAGE {
                    break;
                }
            }
            file.into_inner().map_err(|e| HubError::Io(e.into_error()))?.sync_all()?;
            rows.insert(table.to_string(), count);
        }
        let cited: Vec<String> = conn.query_map("SELECT sha256 FROM blobs ORDER BY sha256", &[], |r| r.get(0))?;
        Ok((region, rows, cited))
    })?;
    let blob_dir = blob_dir.ok_or_else(|| HubError::Config(crate::blobs::NO_BLOB_DIR.into()))?;
    for sha in &cited {
        // A name that is no SHA-256 (a damaged database) is refused, never sliced.
        if !tongban_wire::is_sha256_hex(sha) {
            return Err(HubError::HashMismatch(sha.clone()));
        }
        let from = blob_dir.join(&sha[..2]).join(sha);
        let to = out.join("blobs").join(&sha[..2]).join(sha);
        fs::create_dir_all(to.parent().expect("blob paths have a parent"))?;
        fs::copy(&from, &to).map_err(|e| HubError::Config(format!("扫描件「{}」无法复制：{e}", from.display())))?;
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        region,
        source: database.kind().into(),
        exported_at: chrono::Utc::now(),
        rows,
        blobs: cited.len() as u64,
    };
    fs::write(out.join("manifest.json"), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(manifest)
}

/// Loads the export in `from` into the empty database `db` (scans into `blob_dir`, or beside a
/// SQLite file), in one transaction: every table's rows are counted against the manifest and every
/// scan's bytes against its name before anything is committed. A database that already holds a
/// hub is refused and left as it was.
pub fn import(db: &Path, blob_dir: Option<&Path>, from: &Path) -> Result<Manifest> {
    let manifest: Manifest = serde_json::from_slice(&fs::read(from.join("manifest.json")).map_err(|_| {
        HubError::Config(format!("「{}」中没有 manifest.json：不是完整的通办中心导出", from.display()))
    })?)?;
    if manifest.format != FORMAT {
        return Err(HubError::Config(format!("导出格式「{}」不是本程序能读取的 {FORMAT}", manifest.format)));
    }
    let (database, blob_dir) = open_database(db, blob_dir)?;
    let blob_dir = blob_dir.ok_or_else(|| HubError::Config(crate::blobs::NO_BLOB_DIR.into()))?;
    // The scans first, checked: files named by their content are harmless if the rows then fail.
    let mut blobs = 0u64;
    if from.join("blobs").exists() {
        for dir in fs::read_dir(from.join("blobs"))? {
            for file in fs::read_dir(dir?.path())? {
                let path = file?.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                if !tongban_wire::is_sha256_hex(&name) || crate::blobs::sha256_of_file(&path)? != name {
                    return Err(HubError::HashMismatch(name));
                }
                let to = blob_dir.join(&name[..2]).join(&name);
                fs::create_dir_all(to.parent().expect("blob paths have a parent"))?;
                fs::copy(&path, &to)?;
                blobs += 1;
            }
        }
    }
    if blobs != manifest.blobs {
        return Err(HubError::Config(format!("导出中有 {blobs} 个扫描件，清单记载 {} 个：导出不完整", manifest.blobs)));
    }
    database.write(|conn| {
        let held: i64 = conn.query_row("SELECT count(*) FROM hub", &[], |r| r.get(0))?;
        let events: i64 = conn.query_row("SELECT count(*) FROM events", &[], |r| r.get(0))?;
        if held > 0 || events > 0 {
            return Err(HubError::Config(format!(
                "目标数据库「{}」已有通办中心的数据：只能导入到新建的空数据库",
                crate::db::shown(db)
            )));
        }
        for (table, columns, _) in TABLES {
            load_table(conn, from, table, columns, manifest.rows.get(*table).copied().unwrap_or(0))?;
        }
        if conn.is_postgres() {
            for (table, column) in IDENTITIES {
                conn.query_row(
                    &format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1, false) FROM {table}"
                    ),
                    &[],
                    |r| r.get::<i64>(0),
                )?;
            }
        }
        Ok(())
    })?;
    check_region(&database, &manifest.region)?;
    Ok(manifest)
}

fn load_table(conn: &Conn<'_>, from: &Path, table: &str, columns: &[&str], expected: u64) -> Result<()> {
    let path = from.join("rows").join(format!("{table}.jsonl"));
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), placeholders.join(", "));
    let mut loaded = 0u64;
    let file = fs::File::open(&path).map_err(|e| HubError::Config(format!("无法读取「{}」：{e}", path.display())))?;
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        let values: Vec<serde_json::Value> = serde_json::from_str(&line).map_err(|e| {
            HubError::InvalidRequest(format!("「{}」第 {} 行不是有效的 JSON：{e}", path.display(), n + 1))
        })?;
        if values.len() != columns.len() {
            return Err(HubError::InvalidRequest(format!(
                "「{}」第 {} 行有 {} 列，应为 {} 列",
                path.display(),
                n + 1,
                values.len(),
                columns.len()
            )));
        }
        let values = values.into_iter().map(from_json).collect::<Result<Vec<Value>>>()?;
        let params: Vec<&dyn ToSql> = values.iter().map(|v| v as &dyn ToSql).collect();
        conn.execute(&sql, &params)?;
        loaded += 1;
    }
    let counted: i64 = conn.query_row(&format!("SELECT count(*) FROM {table}"), &[], |r| r.get(0))?;
    if loaded != expected || counted as u64 != expected {
        return Err(HubError::Config(format!(
            "表 {table}：清单记载 {expected} 行，读到 {loaded} 行，数据库中为 {counted} 行；导入已撤销"
        )));
    }
    Ok(())
}

/// The imported hub opens as the region it was exported from.
fn check_region(database: &Database, region: &str) -> Result<()> {
    let stored: String = database.read(|c| c.query_row("SELECT region FROM hub", &[], |r| r.get(0)))?;
    if stored != region {
        return Err(HubError::RegionMismatch { stored, given: region.to_string() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_hub;

    #[test]
    fn every_table_and_column_of_the_schema_is_moved() {
        let (_dir, hub) = temp_hub();
        let conn = hub.conn();
        let mut tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('sqlite_sequence', 'blob_partials') ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut listed: Vec<String> = TABLES.iter().map(|(t, _, _)| t.to_string()).collect();
        tables.sort();
        listed.sort();
        assert_eq!(listed, tables);
        for (table, columns, _) in TABLES {
            let mut held: Vec<String> = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let mut columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
            held.sort();
            columns.sort();
            assert_eq!(columns, held, "{table}");
        }
    }
}
