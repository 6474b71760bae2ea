//! Working-day calendars (节假日安排) published through a region's hub, one year at a time, so a
//! year a region's admin imported once reaches every desk that syncs with the hub.
//!
//! A year travels as text in the line format of [`tongban_core::workdays`] (what
//! `WorkCalendar::parse` reads and `WorkCalendar::to_text` writes). Its `sha256` is of the year's
//! *content*: the text read by core's parser and written back by `to_text`, without the header
//! comment lines. Two texts that differ only in spacing, comments or line order therefore have
//! the same hash, and a hash that differs means a date or a label differs. Hub and desk compute
//! it with the same function, [`year_text`], and a year, once official, never changes content.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tongban_core::workdays::{CalendarError, WorkCalendar};
use utoipa::ToSchema;

/// The largest text of one year, in bytes. A real year is under 2 KB; the hub refuses a larger
/// body and the desk refuses a larger answer.
pub const MAX_YEAR_TEXT: usize = 64 * 1024;

/// The largest `GET /v1/calendar/{year}` answer a desk reads: the text, JSON-escaped, and the
/// fields around it.
pub const MAX_YEAR_DOCUMENT: usize = 6 * MAX_YEAR_TEXT + 4096;

/// The largest `GET /v1/calendar` answer a desk reads: every four-digit year fits.
pub const MAX_INDEX_DOCUMENT: usize = 1024 * 1024;

/// `PUT /v1/calendar/{year}` (admin): exactly one year, the year of the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarYearUpload {
    /// The year in the calendar line format (`year 2027`, `holiday …`, `workday …`).
    pub text: String,
}

/// One year the hub holds, as listed in the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarYearEntry {
    pub year: i32,
    /// SHA-256 (hex) of the year's content (see the module docs).
    pub sha256: String,
    pub published_at: DateTime<Utc>,
}

/// `GET /v1/calendar`: every year the hub holds, ascending. The `ETag` header is the quoted
/// [`index_etag`], so `If-None-Match` answers `304 Not Modified` when nothing was published since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarIndex {
    pub years: Vec<CalendarYearEntry>,
}

/// `GET /v1/calendar/{year}`: one year as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarYearDocument {
    pub year: i32,
    /// SHA-256 (hex) of the year's content (see the module docs).
    pub sha256: String,
    pub published_at: DateTime<Utc>,
    /// The year in the calendar line format, as `WorkCalendar::to_text` writes it.
    pub text: String,
    /// The hub's seal over the region, the year and `sha256`
    /// (`tongban_core::seal::document_message`), by the key `/health` presents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// One year's text, read and written back in its normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearText {
    pub year: i32,
    /// `WorkCalendar::to_text` of the year (the notice's title kept as its header).
    pub text: String,
    /// Of the content: `text` without its header comment lines.
    pub sha256: String,
}

/// Why a text is not one publishable year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YearTextError {
    #[error("节假日安排文本为 {size} 字节，超过上限 {max} 字节", max = MAX_YEAR_TEXT)]
    TooLarge { size: usize },
    #[error("节假日安排有误：{0}")]
    Invalid(#[from] CalendarError),
    #[error("一次只能发布一年的节假日安排，文本中有 {}", years_zh(.0))]
    NotOneYear(Vec<i32>),
}

fn years_zh(years: &[i32]) -> String {
    years.iter().map(|y| format!("{y}年")).collect::<Vec<_>>().join("、")
}

/// Reads `text` as exactly one year and gives its normal form and content hash.
pub fn year_text(text: &str) -> Result<YearText, YearTextError> {
    if text.len() > MAX_YEAR_TEXT {
        return Err(YearTextError::TooLarge { size: text.len() });
    }
    let calendar = WorkCalendar::parse(text)?;
    let years: Vec<i32> = calendar.years().collect();
    let [year] = years[..] else {
        return Err(YearTextError::NotOneYear(years));
    };
    let text = calendar.to_text(year);
    let mut content = Sha256::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        content.update(line.as_bytes());
        content.update(b"\n");
    }
    Ok(YearText { year, text, sha256: hex::encode(content.finalize()) })
}

/// The index's ETag (unquoted): a hash of its years and their content hashes, so it changes
/// exactly when a year is added (a year's content never changes).
pub fn index_etag(index: &CalendarIndex) -> String {
    let mut hash = Sha256::new();
    for entry in &index.years {
        hash.update(format!("{} {}\n", entry.year, entry.sha256).as_bytes());
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    const Y2027: &str = "# 国务院办公厅关于2027年部分节假日安排的通知\nyear 2027\nholiday 2027-01-01 元旦\n\
                         holiday 2027-10-01 2027-10-07 国庆节\nworkday 2027-10-09 国庆节调休上班\n";

    #[test]
    fn spacing_comments_and_order_do_not_change_a_years_hash() {
        let plain = year_text(Y2027).unwrap();
        let reworded = "# 另一份抄件\n\n  year 2027   # 注释\nworkday 2027-10-09   国庆节调休上班\n\
                        holiday 2027-10-01 2027-10-07 国庆节\r\nholiday 2027-1-1 元旦\n";
        let other = year_text(reworded).unwrap();
        assert_eq!(other.sha256, plain.sha256);
        assert_eq!(other.year, 2027);
        assert!(plain.text.starts_with("# 国务院办公厅"), "the notice's title is kept: {}", plain.text);
    }

    #[test]
    fn another_date_or_label_changes_the_hash() {
        let plain = year_text(Y2027).unwrap();
        let moved = year_text(&Y2027.replace("2027-10-09", "2027-10-10")).unwrap();
        let relabelled = year_text(&Y2027.replace("holiday 2027-01-01 元旦", "holiday 2027-01-01 新年")).unwrap();
        assert_ne!(moved.sha256, plain.sha256);
        assert_ne!(relabelled.sha256, plain.sha256);
    }

    #[test]
    fn only_one_sound_year_of_bounded_size_is_a_year_text() {
        let two = format!("{Y2027}year 2028\n");
        assert_eq!(year_text(&two).unwrap_err().to_string(), "一次只能发布一年的节假日安排，文本中有 2027年、2028年");
        let bad = year_text("year 2027\nholiday 2028-01-01 元旦\n").unwrap_err().to_string();
        assert!(bad.contains("第2行") && bad.contains("不在声明的2027年内"), "{bad}");
        let huge = format!("{Y2027}{}", "# 填充\n".repeat(MAX_YEAR_TEXT / 8));
        assert!(matches!(year_text(&huge), Err(YearTextError::TooLarge { .. })));
        assert!(matches!(year_text("# 只有注释\n"), Err(YearTextError::Invalid(CalendarError::Empty))));
    }

    #[test]
    fn the_index_etag_follows_its_years() {
        let entry = |year, sha: &str| CalendarYearEntry { year, sha256: sha.into(), published_at: Utc::now() };
        let one = CalendarIndex { years: vec![entry(2027, "aa")] };
        let two = CalendarIndex { years: vec![entry(2027, "aa"), entry(2028, "bb")] };
        assert_ne!(index_etag(&one), index_etag(&two));
        assert_eq!(index_etag(&one), index_etag(&CalendarIndex { years: vec![entry(2027, "aa")] }));
    }
}
