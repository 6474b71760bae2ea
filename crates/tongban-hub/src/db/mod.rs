//! The storage seam: where the hub's rules meet a database. The rules (admission, scopes,
//! credentials, blobs, catalogs, calendars) run once, synchronously, against a [`Conn`]; a
//! [`Database`] is either the embedded SQLite file (the default, one connection behind a lock) or
//! a PostgreSQL server shared by any number of hub processes ([`postgres`]).
//!
//! Each query is written once, in the SQL both speak (`?1` placeholders, `ON CONFLICT`,
//! `RETURNING`); PostgreSQL gets `$1` placeholders. Values travel as SQLite's values, so every
//! type reads and writes through rusqlite's conversions on both backends and a timestamp is the
//! same text in either. Schemas and migrations are each backend's own.
//!
//! Writes go through [`Database::write`]: one transaction that holds the hub's writer lock
//! (SQLite's `BEGIN IMMEDIATE`; in PostgreSQL a transaction-scoped advisory lock every hub
//! process takes first). Sequence numbers are therefore assigned in commit order on both, and a
//! pull by cursor never skips an event that commits later with a smaller number.

pub mod postgres;
mod postgres_tls;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::types::{FromSql, FromSqlError, Value, ValueRef};
use rusqlite::{Connection, ToSql, TransactionBehavior};

use crate::{HubError, Result};

/// Where a hub keeps its tables.
pub(crate) enum Database {
    Sqlite(Mutex<Connection>),
    Postgres(postgres::Postgres),
}

/// Which backend a `--db` names: a `postgres://` or `postgresql://` URL, or a SQLite file.
pub fn postgres_url(db: &Path) -> Option<&str> {
    let s = db.to_str()?;
    (s.starts_with("postgres://") || s.starts_with("postgresql://")).then_some(s)
}

impl Database {
    /// Runs `f` on a connection without a transaction: for reads (each statement sees what was
    /// committed when it started).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Conn<'_>) -> Result<T>) -> Result<T> {
        match self {
            Database::Sqlite(conn) => f(&Conn::Sqlite(&lock(conn))),
            Database::Postgres(pg) => pg.read(|session| f(&Conn::Postgres(session))),
        }
    }

    /// Runs `f` on one consistent view of the database (a read transaction), without blocking
    /// writers: for an export while the hub serves.
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(&Conn<'_>) -> Result<T>) -> Result<T> {
        match self {
            Database::Sqlite(conn) => {
                let mut conn = lock(conn);
                // Deferred, and only read: WAL gives it one snapshot; dropped, it ends.
                let tx = rusqlite::Transaction::new(&mut conn, TransactionBehavior::Deferred)?;
                f(&Conn::Sqlite(&tx))
            }
            Database::Postgres(pg) => pg.snapshot(|session| f(&Conn::Postgres(session))),
        }
    }

    /// Runs `f` in one transaction holding the hub's writer lock, committed if `f` succeeds and
    /// rolled back otherwise.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Conn<'_>) -> Result<T>) -> Result<T> {
        match self {
            Database::Sqlite(conn) => {
                let mut conn = lock(conn);
                let tx = rusqlite::Transaction::new(&mut conn, TransactionBehavior::Immediate)?;
                let out = f(&Conn::Sqlite(&tx))?;
                tx.commit()?;
                Ok(out)
            }
            Database::Postgres(pg) => pg.write(|session| f(&Conn::Postgres(session))),
        }
    }

    /// The SQLite connection, for the tests that look at the file itself.
    #[cfg(test)]
    pub(crate) fn sqlite(&self) -> MutexGuard<'_, Connection> {
        match self {
            Database::Sqlite(conn) => lock(conn),
            Database::Postgres(_) => panic!("not a SQLite hub"),
        }
    }

    /// What `/health` says about the database: which kind, and whether it answers.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Database::Sqlite(_) => "sqlite",
            Database::Postgres(_) => "postgresql",
        }
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // SQLite rolls back a transaction that a panicking thread left open, so the connection behind
    // a poisoned lock is still consistent.
    conn.lock().unwrap_or_else(|p| p.into_inner())
}

/// A connection (in a transaction, for writes) of either backend.
pub(crate) enum Conn<'a> {
    Sqlite(&'a Connection),
    Postgres(&'a postgres::Session),
}

/// One row of a result, read with rusqlite's conversions whichever backend it came from.
pub(crate) enum Row<'r, 's> {
    Sqlite(&'r rusqlite::Row<'s>),
    Values(&'r [Value]),
}

impl Row<'_, '_> {
    pub(crate) fn get<T: FromSql>(&self, i: usize) -> rusqlite::Result<T> {
        match self {
            Row::Sqlite(r) => r.get(i),
            Row::Values(values) => {
                let value = values.get(i).ok_or(rusqlite::Error::InvalidColumnIndex(i))?;
                T::column_result(ValueRef::from(value)).map_err(|e| match e {
                    FromSqlError::InvalidType => {
                        rusqlite::Error::InvalidColumnType(i, String::new(), value.data_type())
                    }
                    FromSqlError::OutOfRange(n) => rusqlite::Error::IntegralValueOutOfRange(i, n),
                    other => rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), other.into()),
                })
            }
        }
    }
}

impl Conn<'_> {
    /// Which backend, for the few statements the two say differently.
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Conn::Postgres(_))
    }

    /// Runs a statement; returns the rows it changed.
    pub(crate) fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        match self {
            Conn::Sqlite(c) => Ok(c.prepare_cached(sql)?.execute(params)?),
            Conn::Postgres(s) => s.execute(sql, params),
        }
    }

    /// Runs statements without parameters (savepoints).
    pub(crate) fn execute_batch(&self, sql: &str) -> Result<()> {
        match self {
            Conn::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Conn::Postgres(s) => s.execute_batch(sql),
        }
    }

    /// Every row, each through `f`.
    pub(crate) fn query_map<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        mut f: impl FnMut(&Row<'_, '_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let rows = stmt.query_map(params, |r| f(&Row::Sqlite(r)))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
            Conn::Postgres(s) => {
                let rows = s.query(sql, params)?;
                Ok(rows.iter().map(|values| f(&Row::Values(values))).collect::<rusqlite::Result<_>>()?)
            }
        }
    }

    /// The first row, if there is one.
    pub(crate) fn query_opt<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: impl FnOnce(&Row<'_, '_>) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(params)?;
                Ok(rows.next()?.map(|r| f(&Row::Sqlite(r))).transpose()?)
            }
            Conn::Postgres(s) => {
                let rows = s.query(sql, params)?;
                Ok(rows.first().map(|values| f(&Row::Values(values))).transpose()?)
            }
        }
    }

    /// The first row; none is an error (`QueryReturnedNoRows`), as in rusqlite.
    pub(crate) fn query_row<T>(
        &self,
        sql: &str,
        params: &[&dyn ToSql],
        f: impl FnOnce(&Row<'_, '_>) -> rusqlite::Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?.ok_or(HubError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }
}

/// What a `--db` is called in logs: a file's path, or a URL without its password.
pub(crate) fn shown(db: &Path) -> String {
    match postgres_url(db) {
        Some(url) => redacted(url),
        None => db.display().to_string(),
    }
}

/// A database URL fit for messages and logs: without its password.
pub(crate) fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = rest.split_once('/').map_or((rest, None), |(a, t)| (a, Some(t)));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _password)) => format!("{name}:***@{host}"),
            None => authority.to_string(),
        },
        None => authority.to_string(),
    };
    match tail {
        Some(tail) => format!("{scheme}://{authority}/{}", strip_password_param(tail)),
        None => format!("{scheme}://{authority}"),
    }
}

/// `?password=…` in the query part, replaced too.
fn strip_password_param(tail: &str) -> String {
    let Some((path, query)) = tail.split_once('?') else { return tail.to_string() };
    let query: Vec<String> = query
        .split('&')
        .map(|kv| if kv.starts_with("password=") { "password=***".to_string() } else { kv.to_string() })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_is_shown_without_its_password() {
        assert_eq!(
            redacted("postgres://hub:s3cret@db.example:5432/tongban"),
            "postgres://hub:***@db.example:5432/tongban"
        );
        assert_eq!(
            redacted("postgresql://hub@db/tongban?password=x&host=/run"),
            "postgresql://hub@db/tongban?password=***&host=/run"
        );
        assert_eq!(redacted("postgres:///tongban?host=/run/postgresql"), "postgres:///tongban?host=/run/postgresql");
        assert_eq!(postgres_url(Path::new("/srv/hub.db")), None);
        assert!(postgres_url(Path::new("postgres://hub@db/tongban")).is_some());
    }
}
