//! Beijing time: the offset in which every hall in China dates its cases and counts its
//! deadlines, and the hall's way of writing a moment. No clock is read here: the caller passes
//! the moment in.

use chrono::{DateTime, FixedOffset, Utc};

/// Beijing time (UTC+8, no daylight saving).
pub fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// A time as the hall reads it: Beijing wall-clock time to the second.
pub fn china_time_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&china_time()).format("%Y-%m-%d %H:%M:%S").to_string()
}
