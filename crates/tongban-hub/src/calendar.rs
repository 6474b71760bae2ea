//! The working-day calendars the region's admin publishes, one year at a time, for every desk
//! that syncs with this hub. A year, once held, never changes content (a national notice does
//! not change); its text is kept in the normal form `WorkCalendar::to_text` writes.

use chrono::{DateTime, Utc};
use rusqlite::params;

use crate::db::Row;
use tongban_wire::calendar::{year_text, CalendarIndex, CalendarYearDocument, CalendarYearEntry, CalendarYearUpload};

use crate::catalog::Published;
use crate::credentials::Credential;
use crate::{Hub, HubError, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE calendar_years (
    year          INTEGER PRIMARY KEY,
    sha256        TEXT NOT NULL,      -- of the content: tongban_wire::calendar::year_text
    text          TEXT NOT NULL,      -- the year as WorkCalendar::to_text writes it
    published_at  TEXT NOT NULL,
    credential_id INTEGER NOT NULL
);
";

impl Hub {
    /// Publishes the calendar of `year`: `upload.text` must be exactly that year, sound by core's
    /// parser. The same content again (spacing and comments aside) changes nothing; other
    /// content for a year already held is refused.
    pub fn publish_calendar_year(
        &self,
        caller: &Credential,
        year: i32,
        upload: &CalendarYearUpload,
        now: DateTime<Utc>,
    ) -> Result<(Published, CalendarYearDocument)> {
        let normal = year_text(&upload.text)?;
        if normal.year != year {
            return Err(HubError::InvalidRequest(format!(
                "地址中的年份 {year} 与节假日安排中的年份 {} 不一致",
                normal.year
            )));
        }
        // Checked and written under the writer lock: two publishers of the same year cannot both
        // find it missing.
        self.db.write(|conn| {
            let held: Option<CalendarYearDocument> = conn.query_opt(
                "SELECT year, sha256, published_at, text FROM calendar_years WHERE year = ?1",
                params![year],
                document,
            )?;
            match held {
                Some(held) if held.sha256 == normal.sha256 => Ok((Published::AlreadyPublished, self.sealed_year(held))),
                Some(_) => Err(HubError::CalendarYearExists(year)),
                None => {
                    conn.execute(
                        "INSERT INTO calendar_years (year, sha256, text, published_at, credential_id)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![year, normal.sha256, normal.text, now, caller.id],
                    )?;
                    let document = CalendarYearDocument {
                        year,
                        sha256: normal.sha256,
                        published_at: now,
                        text: normal.text,
                        signature: None,
                    };
                    Ok((Published::New, self.sealed_year(document)))
                }
            }
        })
    }

    /// Every year held, ascending.
    pub fn calendar_index(&self) -> Result<CalendarIndex> {
        let years = self.db.read(|c| {
            c.query_map("SELECT year, sha256, published_at FROM calendar_years ORDER BY year", &[], |r| {
                Ok(CalendarYearEntry { year: r.get(0)?, sha256: r.get(1)?, published_at: r.get(2)? })
            })
        })?;
        Ok(CalendarIndex { years })
    }

    /// One year as published.
    pub fn calendar_year(&self, year: i32) -> Result<CalendarYearDocument> {
        let held = self
            .db
            .read(|c| {
                c.query_opt(
                    "SELECT year, sha256, published_at, text FROM calendar_years WHERE year = ?1",
                    params![year],
                    document,
                )
            })?
            .ok_or(HubError::UnknownCalendarYear(year))?;
        Ok(self.sealed_year(held))
    }

    /// A year as the hub hands it out: with its seal.
    fn sealed_year(&self, mut year: CalendarYearDocument) -> CalendarYearDocument {
        let sealed = tongban_core::seal::Document::CalendarYear { year: year.year };
        year.signature = Some(self.signer().seal_document(self.region(), sealed, &year.sha256));
        year
    }
}

fn document(r: &Row<'_, '_>) -> rusqlite::Result<CalendarYearDocument> {
    Ok(CalendarYearDocument {
        year: r.get(0)?,
        sha256: r.get(1)?,
        published_at: r.get(2)?,
        text: r.get(3)?,
        signature: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Role;
    use crate::test_support::temp_hub;

    const Y2027: &str = "year 2027\nholiday 2027-01-01 元旦\nholiday 2027-10-01 2027-10-07 国庆节\n";

    #[test]
    fn a_year_is_published_once_and_never_changes() {
        let (_dir, hub) = temp_hub();
        let admin = hub.issue_credential(None, Role::Admin, None, "运维", Utc::now()).unwrap().credential;
        let upload = |text: &str| CalendarYearUpload { text: text.into() };
        let (first, doc) = hub.publish_calendar_year(&admin, 2027, &upload(Y2027), Utc::now()).unwrap();
        assert_eq!(first, Published::New);
        let spaced = format!("# 抄件\n{}", Y2027.replace(' ', "   "));
        let (again, same) = hub.publish_calendar_year(&admin, 2027, &upload(&spaced), Utc::now()).unwrap();
        assert_eq!((again, &same), (Published::AlreadyPublished, &doc));
        let changed = Y2027.replace("2027-10-07", "2027-10-08");
        let err = hub.publish_calendar_year(&admin, 2027, &upload(&changed), Utc::now()).unwrap_err();
        assert!(matches!(err, HubError::CalendarYearExists(2027)), "{err}");
        assert_eq!(hub.calendar_year(2027).unwrap(), doc, "the first content stays");
        assert_eq!(hub.calendar_index().unwrap().years.len(), 1);
        assert!(matches!(hub.calendar_year(2028), Err(HubError::UnknownCalendarYear(2028))));
    }
}
