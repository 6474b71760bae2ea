//! The 事项清单 table alone as CSV: UTF-8 (with or without BOM) or GB18030, as Excel on a Chinese
//! Windows saves it. Region and version are not in the file: the reader is told them.

use std::borrow::Cow;

use tongban_core::catalog::{Catalog, Locus};

use crate::cell::{Grid, Value};
use crate::error::{CatalogFileError, FileProblem};
use crate::layout::*;
use crate::table::read_table;
use crate::{finish, Imported, ReadOptions};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What makes a spreadsheet read a cell as a formula when it starts with it (OWASP, CSV
/// injection): `=`, `+`, `-`, `@`, tab and carriage return.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, once its leading apostrophes are set aside, starts with a formula character.
fn formula_after_quotes(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// A cell as written: one that would start a formula gets a leading apostrophe (Excel shows the
/// text as typed, and runs nothing); one that already starts with apostrophes before such a
/// character gets one more, so reading strips exactly one and every text comes back as it was.
fn escape_formula(text: String) -> String {
    if text.starts_with(FORMULA_START) || (text.starts_with('\'') && formula_after_quotes(&text)) {
        format!("'{text}")
    } else {
        text
    }
}

/// The inverse of [`escape_formula`], for a CSV this desk (or Excel after it) wrote.
fn unescape_formula(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if formula_after_quotes(rest) => rest,
        _ => field,
    }
}

/// The text of a CSV file, and a warning when some bytes could not be decoded.
fn decode(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    if let Some(rest) = bytes.strip_prefix(BOM) {
        let (text, _, bad) = encoding_rs::UTF_8.decode(rest);
        return (text, bad.then(|| "文件中有无法识别的字符，已用「\u{FFFD}」代替".to_string()));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // Excel's "Unicode text": the BOM names the encoding.
        let (text, _, bad) = encoding_rs::UTF_8.decode(bytes);
        return (text, bad.then(|| "文件中有无法识别的字符，已用「\u{FFFD}」代替".to_string()));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) => {
            let (text, bad) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            (
                text,
                bad.then(|| "文件不是 UTF-8，按 GBK/GB18030 读取时有无法识别的字符，已用「\u{FFFD}」代替".to_string()),
            )
        }
    }
}

pub(crate) fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Imported, CatalogFileError> {
    if bytes.is_empty() {
        return Err(CatalogFileError::Unreadable { message: "文件是空的（0 字节）".to_string() });
    }
    let (text, warning) = decode(bytes);
    let mut rd = Reading::default();
    rd.warnings.extend(warning);
    // Tab-separated when the first line has more tabs than commas (Excel's "Unicode text").
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if first_line.matches('\t').count() > first_line.matches(',').count() { b'\t' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut grid = Grid::default();
    for (r, record) in reader.records().enumerate() {
        match record {
            Ok(record) => {
                for (c, field) in record.iter().enumerate() {
                    grid.set(r as u32, c as u32, Value::Text(unescape_formula(field).to_string()));
                }
            }
            Err(e) => rd.problems.push(FileProblem::new(format!("CSV 格式错误：{e}")).at_row(r + 1)),
        }
    }

    let region = opts.region.as_deref().map(str::trim).unwrap_or("").to_string();
    let version = opts.version.as_deref().map(str::trim).unwrap_or("").to_string();
    let missing: Vec<&str> = [(region.is_empty(), "地区代码"), (version.is_empty(), "版本")]
        .into_iter()
        .filter_map(|(m, label)| m.then_some(label))
        .collect();
    if !missing.is_empty() {
        let example = match (region.is_empty(), version.is_empty()) {
            (true, true) => "--region 110106 --version 2026-11",
            (true, false) => "--region 110106",
            _ => "--version 2026-11",
        };
        rd.problems.push(FileProblem::new(format!(
            "CSV 文件中没有{}，请在导入时给出（如 {example}），或改用 .xlsx（在「说明」工作表中填写）",
            missing.join("和")
        )));
        if region.is_empty() {
            rd.taint(Locus::Catalog, "region");
        }
        if version.is_empty() {
            rd.taint(Locus::Catalog, "version");
        }
    }
    rd.meta.column = None;

    let mut items = Vec::new();
    let (problems, warnings) = (&mut rd.problems, &mut rd.warnings);
    match read_table(&grid, None, ITEM_SPECS, ic::CODE, problems, warnings) {
        Some(t) if !t.rows.is_empty() => items = rd.read_items(t),
        _ => {
            rd.problems.push(FileProblem::new("CSV 文件没有数据：第一行应为表头，从第二行起每行一项材料"));
            rd.items_unreliable = true;
        }
    }
    let catalog = Catalog { region, version, note: String::new(), items, bundles: Vec::new(), contacts: Vec::new() };
    finish(rd, catalog)
}

pub(crate) fn write(catalog: &Catalog) -> Result<Vec<u8>, CatalogFileError> {
    if !catalog.bundles.is_empty() || !catalog.contacts.is_empty() {
        return Err(CatalogFileError::NotRepresentable {
            message: format!(
                "CSV 只能保存事项和材料；本目录有一件事 {} 个、联络人 {} 个，请导出为 .xlsx 或 .json",
                catalog.bundles.len(),
                catalog.contacts.len()
            ),
        });
    }
    let mut out = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let io = |e: csv::Error| CatalogFileError::NotRepresentable { message: format!("无法写成 CSV：{e}") };
        w.write_record(ITEM_SPECS.iter().map(|c| c.header)).map_err(io)?;
        for item in &catalog.items {
            let item_part: Vec<String> =
                item_cells(item).iter().map(|o| escape_formula(o.as_text().into_owned())).collect();
            if item.materials.is_empty() {
                let blank = std::iter::repeat_n(String::new(), ic::MATERIAL.len());
                w.write_record(item_part.iter().cloned().chain(blank)).map_err(io)?;
            }
            for m in &item.materials {
                let material_part = material_cells(m).into_iter().map(|o| escape_formula(o.as_text().into_owned()));
                w.write_record(item_part.iter().cloned().chain(material_part)).map_err(io)?;
            }
        }
        w.flush().map_err(|e| CatalogFileError::NotRepresentable { message: format!("无法写成 CSV：{e}") })?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_start_is_escaped_and_comes_back() {
        for text in ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "'=1", "''-1", "'", "'文字", "文字=1", ""] {
            let written = escape_formula(text.to_string());
            assert!(!written.starts_with(FORMULA_START), "{text:?} → {written:?}");
            assert_eq!(unescape_formula(&written), text, "{written:?}");
        }
        assert_eq!(escape_formula("\t=1".into()), "'\t=1");
        assert_eq!(escape_formula("文字".into()), "文字");
    }
}
