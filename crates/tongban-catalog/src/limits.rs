//! What an .xlsx may cost before the workbook parser expands it: a zip of 2 MB can hold 2 GiB of
//! text, and 400,000 cells can each name one 8 KiB shared string. The archive's declared sizes
//! (which the zip crate holds each entry to when it inflates) are checked first; then the shared
//! strings and the worksheets are streamed once (quick-xml, constant memory per event) to count
//! cells and the text they expand to. A file past a limit is refused with the limit named.

use std::io::{BufReader, Cursor, Read, Seek};

use quick_xml::events::Event;
use quick_xml::Reader;
use zip::ZipArchive;

use crate::error::CatalogFileError;

/// All the workbook's parts together, unzipped. A catalog of thousands of items is a few MiB.
pub const MAX_UNZIPPED: u64 = 64 * 1024 * 1024;
/// Characters of one shared string (Excel's own limit for a cell).
pub const MAX_SHARED_STRING: usize = 32_767;
/// Cells of all worksheets (and strings the shared-string table may announce).
pub const MAX_CELLS: u64 = 500_000;
/// The text of all cells once each names its shared string.
pub const MAX_EXPANDED_TEXT: u64 = 64 * 1024 * 1024;
/// Parts of the archive.
const MAX_ENTRIES: usize = 10_000;

fn refused(message: String) -> CatalogFileError {
    CatalogFileError::Unreadable {
        message: format!("{message}；未导入（请检查文件是否为事项清单，或删去多余内容后再试）"),
    }
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / (1024 * 1024))
}

/// Checks an .xlsx against the limits above, before it is expanded. An archive the zip reader
/// cannot open is left to the workbook parser, which says why in its own words.
pub(crate) fn check_xlsx(bytes: &[u8]) -> Result<(), CatalogFileError> {
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    if zip.len() > MAX_ENTRIES {
        return Err(refused(format!("Excel 工作簿由 {} 个部分组成，超过 {MAX_ENTRIES} 个的上限", zip.len())));
    }
    let mut total: u64 = 0;
    let mut shared = None;
    let mut sheets = Vec::new();
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else { return Ok(()) };
        total = total.saturating_add(entry.size());
        let Ok(name) = entry.name().map(|n| n.to_ascii_lowercase()) else { return Ok(()) };
        if name.ends_with("sharedstrings.xml") {
            shared = Some(i);
        } else if name.contains("worksheets/") && name.ends_with(".xml") {
            sheets.push(i);
        }
    }
    if total > MAX_UNZIPPED {
        return Err(refused(format!("Excel 工作簿解压后有 {}，超过 {} 的上限", mib(total), mib(MAX_UNZIPPED))));
    }
    let lengths = match shared {
        Some(i) => shared_string_lengths(&mut zip, i)?,
        None => Vec::new(),
    };
    let mut budget = Budget { cells: 0, text: 0 };
    for i in sheets {
        count_cells(&mut zip, i, &lengths, &mut budget)?;
    }
    Ok(())
}

fn xml_error(part: &str, e: impl std::fmt::Display) -> CatalogFileError {
    CatalogFileError::Unreadable { message: format!("Excel 工作簿已损坏，无法读取（{part}：{e}）") }
}

/// The length in bytes of every shared string, each checked against [`MAX_SHARED_STRING`].
fn shared_string_lengths<R: Read + Seek>(zip: &mut ZipArchive<R>, index: usize) -> Result<Vec<u64>, CatalogFileError> {
    let part = "共享字符串表";
    let entry = zip.by_index(index).map_err(|e| xml_error(part, e))?;
    let mut xml = Reader::from_reader(BufReader::new(entry));
    let mut buf = Vec::new();
    let mut lengths = Vec::new();
    let (mut chars, mut bytes, mut inside) = (0usize, 0u64, false);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| xml_error(part, e))? {
            Event::Start(e) if e.local_name().into_inner() == "sst" => {
                let announced = e.try_get_attribute("uniqueCount").ok().flatten();
                let count = announced.and_then(|a| a.value.trim().parse::<u64>().ok());
                if count.is_some_and(|n| n > MAX_CELLS) {
                    return Err(refused(format!(
                        "Excel 工作簿的共享字符串表声称有 {} 个字符串，超过 {MAX_CELLS} 个的上限",
                        count.unwrap_or_default()
                    )));
                }
            }
            Event::Start(e) if e.local_name().into_inner() == "si" => (chars, bytes, inside) = (0, 0, true),
            Event::Empty(e) if e.local_name().into_inner() == "si" => lengths.push(0),
            Event::Text(t) if inside => {
                chars += t[..].chars().count();
                bytes += t.len() as u64;
            }
            Event::CData(t) if inside => {
                chars += t[..].chars().count();
                bytes += t.len() as u64;
            }
            Event::GeneralRef(_) if inside => {
                chars += 1;
                bytes += 4;
            }
            Event::End(e) if e.local_name().into_inner() == "si" => {
                inside = false;
                lengths.push(bytes);
                if lengths.len() as u64 > MAX_CELLS {
                    return Err(refused(format!("Excel 工作簿的共享字符串超过 {MAX_CELLS} 个的上限")));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if chars > MAX_SHARED_STRING {
            return Err(refused(format!(
                "Excel 工作簿的第 {} 个共享字符串超过 {MAX_SHARED_STRING} 字的上限（Excel 单元格的上限）",
                lengths.len() + 1
            )));
        }
    }
    Ok(lengths)
}

struct Budget {
    cells: u64,
    text: u64,
}

/// Counts a worksheet's cells and the text they expand to, against [`MAX_CELLS`] and
/// [`MAX_EXPANDED_TEXT`] over the whole workbook.
fn count_cells<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    index: usize,
    lengths: &[u64],
    budget: &mut Budget,
) -> Result<(), CatalogFileError> {
    let part = "工作表";
    let entry = zip.by_index(index).map_err(|e| xml_error(part, e))?;
    let mut xml = Reader::from_reader(BufReader::new(entry));
    let mut buf = Vec::new();
    // Inside a cell: whether it names a shared string, and whether inside its value.
    let (mut shared, mut in_value, mut in_cell) = (false, false, false);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| xml_error(part, e))? {
            Event::Start(e) | Event::Empty(e) if e.local_name().into_inner() == "c" => {
                budget.cells += 1;
                if budget.cells > MAX_CELLS {
                    return Err(refused(format!("Excel 工作簿的单元格超过 {MAX_CELLS} 个的上限")));
                }
                let kind = e.try_get_attribute("t").ok().flatten();
                shared = kind.is_some_and(|a| a.value.as_ref() == "s");
                in_cell = true;
            }
            Event::End(e) if e.local_name().into_inner() == "c" => in_cell = false,
            Event::Start(e) if in_cell && matches!(e.local_name().into_inner(), "v" | "t") => in_value = true,
            Event::End(e) if matches!(e.local_name().into_inner(), "v" | "t") => in_value = false,
            Event::Text(t) if in_value => {
                budget.text += if shared {
                    let index = t[..].trim().parse::<usize>().ok();
                    index.and_then(|i| lengths.get(i).copied()).unwrap_or(0)
                } else {
                    t.len() as u64
                };
                if budget.text > MAX_EXPANDED_TEXT {
                    return Err(refused(format!(
                        "Excel 工作簿的单元格文字展开后超过 {} 的上限（{} 个单元格引用了大量重复的长文字）",
                        mib(MAX_EXPANDED_TEXT),
                        budget.cells
                    )));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}
