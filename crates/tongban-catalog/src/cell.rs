//! Cells as read from a sheet or a CSV record, and what a field makes of them.

use std::collections::BTreeMap;

/// One cell's value, whatever the file said it was.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Value {
    #[default]
    Empty,
    Text(String),
    Int(i64),
    Number(f64),
    Bool(bool),
    /// A date or time cell, rendered (`2026-11-01`).
    Date(String),
    /// An error value such as `#N/A` (a formula gone wrong).
    Error(String),
}

impl Value {
    pub fn is_blank(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// How the value is shown in a message.
    pub fn shown(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => clean_text(s),
            Value::Int(i) => i.to_string(),
            Value::Number(f) => number_text(*f),
            Value::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).to_string(),
            Value::Date(d) => d.clone(),
            Value::Error(e) => e.clone(),
        }
    }

    /// The value of a text field: trimmed text, a number as its digits. `Err` is the message
    /// (without the field's label) for a date or an error value.
    pub fn text(&self) -> Result<String, String> {
        match self {
            Value::Date(d) => Err(format!(
                "应为文字，实际为日期「{d}」（Excel 把输入当成了日期：请把单元格设为“文本”格式后重新输入）"
            )),
            Value::Error(e) => Err(format!("单元格是错误值「{e}」，请检查公式")),
            other => Ok(other.shown()),
        }
    }

    /// The value of a whole-number field (days, copies): 0 or more. `Err` is the full message.
    pub fn count(&self, label: &str) -> Result<u32, String> {
        let not = |shown: &str| format!("{label}应为正整数，实际为「{shown}」");
        let too_large = |shown: &str| format!("{label}数值过大：「{shown}」");
        match self {
            Value::Empty => Err(format!("{label}不能为空")),
            Value::Int(i) => {
                if *i < 0 {
                    Err(not(&i.to_string()))
                } else {
                    u32::try_from(*i).map_err(|_| too_large(&i.to_string()))
                }
            }
            Value::Number(f) => {
                let shown = number_text(*f);
                if !f.is_finite() || f.fract() != 0.0 || *f < 0.0 {
                    Err(not(&shown))
                } else if *f > u32::MAX as f64 {
                    Err(too_large(&shown))
                } else {
                    Ok(*f as u32)
                }
            }
            Value::Text(s) => {
                let t: String = clean_text(s).chars().map(halfwidth_digit).collect();
                if t.is_empty() {
                    return Err(format!("{label}不能为空"));
                }
                if t.bytes().all(|b| b.is_ascii_digit()) {
                    return t.parse::<u32>().map_err(|_| too_large(&t));
                }
                let hint = if t.chars().any(|c| c.is_ascii_digit()) && t.parse::<f64>().is_err() {
                    "（只填数字，如「20」）"
                } else {
                    ""
                };
                Err(format!("{}{hint}", not(&t)))
            }
            Value::Date(d) => Err(format!("{label}应为正整数，实际为日期「{d}」")),
            Value::Bool(_) => Err(not(&self.shown())),
            Value::Error(e) => Err(format!("{label}单元格是错误值「{e}」，请检查公式")),
        }
    }
}

/// Trimmed, with Windows line ends made plain.
pub(crate) fn clean_text(s: &str) -> String {
    let t = s.trim();
    if t.contains('\r') {
        t.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        t.to_string()
    }
}

fn halfwidth_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '－' => '-',
        '．' => '.',
        _ => c,
    }
}

/// A number as a person would write it: `110106`, not `110106.0`; `2026.11` stays.
pub(crate) fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A header as matched: no spaces (ASCII or full-width) anywhere, no `*` marking it required,
/// ASCII parentheses read as full-width.
pub(crate) fn header_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect::<String>()
        .trim_matches(|c| c == '*' || c == '＊')
        .to_string()
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub(crate) fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `A1:B1` for rows and columns counted from 0.
pub(crate) fn range_name(m: &Merge) -> String {
    let (first, last) = (m.first_row as u64 + 1, m.last_row as u64 + 1);
    format!("{}{first}:{}{last}", column_letters(m.first_col), column_letters(m.last_col))
}

/// A merged region, rows and columns counted from 0, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Merge {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

/// A sheet's non-empty cells by row (from 0) and column (from 0), and its merged regions.
#[derive(Debug, Default)]
pub(crate) struct Grid {
    pub rows: BTreeMap<u32, BTreeMap<u32, Value>>,
    pub merges: Vec<Merge>,
}

impl Grid {
    pub fn set(&mut self, row: u32, col: u32, value: Value) {
        if !value.is_blank() {
            self.rows.entry(row).or_default().insert(col, value);
        }
    }

    pub fn get(&self, row: u32, col: u32) -> Option<&Value> {
        self.rows.get(&row)?.get(&col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16383), "XFD");
    }

    #[test]
    fn headers() {
        assert_eq!(header_key(" 法定时限(工作日)* "), "法定时限（工作日）");
        assert_eq!(header_key("\u{3000}事项 名称＊"), "事项名称");
    }

    #[test]
    fn counts() {
        assert_eq!(Value::Number(3.0).count("份数"), Ok(3));
        assert_eq!(Value::Text("２０".into()).count("份数"), Ok(20));
        assert_eq!(Value::Text("两份".into()).count("份数").unwrap_err(), "份数应为正整数，实际为「两份」");
        assert!(Value::Number(3.5).count("份数").unwrap_err().contains("「3.5」"));
        assert!(Value::Int(-3).count("承诺时限").unwrap_err().contains("「-3」"));
        assert!(Value::Text("20个工作日".into()).count("承诺时限").unwrap_err().contains("只填数字"));
        assert!(Value::Number(1e20).count("份数").unwrap_err().contains("过大"));
        assert!(Value::Text("99999999999999999999".into()).count("份数").unwrap_err().contains("过大"));
        assert!(Value::Number(f64::NAN).count("份数").is_err());
    }
}
