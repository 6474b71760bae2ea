//! Working-day calendars imported for years after the shipped ones.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};
use tongban_core::workdays::WorkCalendar;

use crate::{cases, Result, Store};

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

/// What importing a calendar text did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarImport {
    /// The years the text holds, now official on this desk.
    pub years: Vec<i32>,
    /// The cases whose 预估 dates were recomputed (their history says what moved).
    pub recomputed: usize,
}

impl Store {
    /// Imports the holiday arrangement of one or more years (the text of a State Council notice
    /// in the calendar format) and recomputes, in the same transaction, the clocks of every case
    /// with a 预估 date, writing what moved into its history. Nothing changes unless the whole
    /// text parses and no official year it holds differs from the one this desk has (a notice
    /// never changes; the same arrangement again is fine).
    pub fn import_calendar(&mut self, text: &str, now: DateTime<Utc>) -> Result<CalendarImport> {
        let imported = WorkCalendar::parse(text)?;
        self.calendar.check_may_merge(&imported, text)?;
        let years: Vec<i32> = imported.years().collect();
        let mut merged = self.calendar.clone();
        merged.merge(imported.clone());
        let tx = crate::write(&mut self.conn)?;
        for &year in &years {
            tx.execute(
                "INSERT INTO calendar_years (year, text, imported_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (year) DO UPDATE SET text = excluded.text, imported_at = excluded.imported_at",
                params![year, imported.to_text(year), now.to_rfc3339()],
            )?;
        }
        let names: Vec<String> = years.iter().map(i32::to_string).collect();
        let why = format!("导入{}年节假日安排", names.join("、"));
        let reason = cases::ClockChangeReason { at: now, why: &why };
        let recomputed = cases::refresh_estimated_clocks(&tx, &merged, &reason)?;
        tx.commit()?;
        self.calendar = merged;
        Ok(CalendarImport { years, recomputed })
    }
}

/// A year of official calendar this desk holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficialYear {
    pub year: i32,
    /// The year as `WorkCalendar::to_text` writes it.
    pub text: String,
    /// Imported on this desk (or installed from a hub), rather than shipped with the app.
    pub imported: bool,
}

impl Store {
    /// The official years this desk holds, ascending: the shipped ones and the imported ones (an
    /// imported year stands in for a shipped one of the same year). What a hub serves is compared
    /// with these; `tongban workdays publish` sends the imported ones.
    pub fn official_calendar_years(&self) -> Result<Vec<OfficialYear>> {
        let shipped = WorkCalendar::shipped();
        let mut years: std::collections::BTreeMap<i32, OfficialYear> = shipped
            .years()
            .map(|year| (year, OfficialYear { year, text: shipped.to_text(year), imported: false }))
            .collect();
        let mut stmt = self.conn.prepare("SELECT year, text FROM calendar_years ORDER BY year")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, i32>(0)?, r.get::<_, String>(1)?)))? {
            let (year, text) = row?;
            years.insert(year, OfficialYear { year, text, imported: true });
        }
        Ok(years.into_values().collect())
    }
}

#[cfg(test)]
mod official_years_tests {
    use super::*;
    use crate::test_support::temp_store;

    #[test]
    fn the_official_years_are_the_shipped_ones_and_the_imported_ones_over_them() {
        let (_dir, mut store) = temp_store();
        let shipped: Vec<i32> = store.official_calendar_years().unwrap().iter().map(|y| y.year).collect();
        assert_eq!(shipped, [2025, 2026]);
        store.import_calendar("year 2027\nholiday 2027-01-01 元旦\n", Utc::now()).unwrap();
        let held = store.official_calendar_years().unwrap();
        let last = held.last().unwrap();
        assert_eq!((last.year, last.imported), (2027, true));
        assert_eq!(last.text, "year 2027\nholiday 2027-01-01 2027-01-01 元旦\n");
        assert!(held
            .iter()
            .filter(|y| y.year < 2027)
            .all(|y| !y.imported && y.text.contains(&format!("year {}", y.year))));
    }
}
