//! Beijing time: the offset in which every hall in China dates its cases and counts its
//! deadlines, and the hall's way of writing a moment. No clock is read here: the caller passes
//! the moment in.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// Beijing time (UTC+8, no daylight saving).
pub fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A time as the hall reads it: Beijing wall-clock time to the second.
pub fn china_time_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&china_time()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The Beijing day of the instant `t`.
pub fn beijing_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&china_time()).date_naive()
}

/// The instant Beijing's day `day` begins; `None` for a day at the very edge of what dates hold.
pub fn beijing_midnight(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0)?.checked_sub_signed(chrono::Duration::hours(8)).map(|t| t.and_utc())
}
