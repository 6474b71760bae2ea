//! Working-day calendars imported for years after the shipped ones.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use tongban_core::workdays::WorkCalendar;

use crate::{Result, Store};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    text        TEXT NOT NULL,       -- the year in the calendar text format, as imported
    imported_at TEXT NOT NULL
);
";

/// The shipped calendar with every imported year laid over it.
pub(crate) fn load(conn: &Connection) -> Result<WorkCalendar> {
    let mut calendar = WorkCalendar::shipped();
    let mut stmt = conn.prepare("SELECT text FROM calendar_years ORDER BY year")?;
    for text in stmt.query_map([], |r| r.get::<_, String>(0))? {
        calendar.merge(WorkCalendar::parse(&text?)?);
    }
    Ok(calendar)
}

impl Store {
    /// Imports the holiday arrangement of one or more years (the text of a State Council notice
    /// in the calendar format). Nothing is stored unless the whole text parses; an imported year
    /// replaces that year. Returns the years imported.
    pub fn import_calendar(&mut self, text: &str, now: DateTime<Utc>) -> Result<Vec<i32>> {
        let imported = WorkCalendar::parse(text)?;
        let years: Vec<i32> = imported.years().collect();
        let tx = crate::write(&mut self.conn)?;
        for &year in &years {
            tx.execute(
                "INSERT INTO calendar_years (year, text, imported_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (year) DO UPDATE SET text = excluded.text, imported_at = excluded.imported_at",
                params![year, imported.to_text(year), now.to_rfc3339()],
            )?;
        }
        tx.commit()?;
        self.calendar.merge(imported);
        Ok(years)
    }
}
