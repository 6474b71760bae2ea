//! The Excel workbook (.xlsx): sheets 说明, 事项清单, 一件事, 联络人.

use std::io::{Cursor, Read, Seek};
use std::ops::Bound::{Excluded, Unbounded};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{DataRef, Reader, Xlsx};
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format as CellFormat, FormatAlign, Workbook, Worksheet, XlsxError,
};
use tongban_core::catalog::{Catalog, Locus};

use crate::cell::{clean_text, column_letters, header_key, number_text, Grid, Merge, Value};
use crate::error::{CatalogFileError, FileProblem};
use crate::layout::*;
use crate::table::read_table;
use crate::{finish, Imported, ReadOptions};

/// Rows of a worksheet, header included.
const MAX_ROWS: usize = 1_048_576;
/// Characters of a cell.
const MAX_CELL: usize = 32_767;

pub(crate) fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Imported, CatalogFileError> {
    let unreadable = |message: &str| CatalogFileError::Unreadable { message: message.to_string() };
    if bytes.is_empty() {
        return Err(unreadable("文件是空的（0 字节）"));
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(unreadable(
            "这是旧版 Excel（.xls）文件或设了打开密码的工作簿：请在 Excel 中另存为 .xlsx（不设密码）后再导入",
        ));
    }
    if !bytes.starts_with(b"PK") {
        return Err(unreadable("不是 Excel 工作簿（.xlsx）：文件内容不是 .xlsx 格式，可能是改了扩展名的其他文件"));
    }
    // Sizes first: the workbook parser would expand whatever the file holds.
    crate::limits::check_xlsx(bytes)?;
    // The workbook parser is not ours: whatever a damaged file does to it, the desk stays up.
    catch_unwind(AssertUnwindSafe(|| read_workbook(bytes, opts)))
        .unwrap_or_else(|_| Err(unreadable("Excel 工作簿已损坏，无法读取：请在 Excel 中打开并重新保存后再试")))
}

fn read_workbook(bytes: &[u8], opts: &ReadOptions) -> Result<Imported, CatalogFileError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| CatalogFileError::Unreadable {
        message: format!("无法打开 Excel 工作簿（文件已损坏，或不是 .xlsx）：{e}"),
    })?;
    let names = wb.sheet_names();
    let mut rd = Reading::default();
    for n in &names {
        if ![META_SHEET, ITEMS_SHEET, BUNDLES_SHEET, CONTACTS_SHEET].contains(&n.trim()) {
            rd.warnings.push(format!("工作表「{n}」不是事项清单的一部分，已忽略"));
        }
    }
    let find = |want: &str| names.iter().find(|n| n.trim() == want).cloned();
    let mut load = |name: &str, rd: &mut Reading| match load_grid(&mut wb, name) {
        Ok(grid) => Some(grid),
        Err(e) => {
            rd.problems.push(FileProblem::new(format!("工作表「{name}」无法读取：{e}")));
            None
        }
    };

    let (mut region, mut version, mut note) = (String::new(), String::new(), String::new());
    match find(META_SHEET) {
        None => {
            rd.problems
                .push(FileProblem::new("缺少工作表「说明」：其中应有「地区代码」（6位行政区划代码）和「版本」两行"));
            rd.taint(Locus::Catalog, "region");
            rd.taint(Locus::Catalog, "version");
        }
        Some(name) => {
            if let Some(grid) = load(&name, &mut rd) {
                (region, version, note) = read_meta(&grid, &name, &mut rd);
            } else {
                rd.taint(Locus::Catalog, "region");
                rd.taint(Locus::Catalog, "version");
            }
        }
    }
    check_options(&mut rd, &region, &version, opts);

    let mut items = Vec::new();
    match find(ITEMS_SHEET) {
        None => {
            rd.problems.push(FileProblem::new("缺少工作表「事项清单」"));
            rd.items_unreliable = true;
        }
        Some(name) => {
            let grid = load(&name, &mut rd).unwrap_or_default();
            let (problems, warnings) = (&mut rd.problems, &mut rd.warnings);
            match read_table(&grid, Some(&name), ITEM_SPECS, ic::CODE, problems, warnings) {
                Some(t) if !t.rows.is_empty() => items = rd.read_items(t),
                _ => {
                    rd.problems.push(no_data(&name));
                    rd.items_unreliable = true;
                }
            }
        }
    }
    let mut bundles = Vec::new();
    if let Some(name) = find(BUNDLES_SHEET) {
        if let Some(grid) = load(&name, &mut rd) {
            let (problems, warnings) = (&mut rd.problems, &mut rd.warnings);
            if let Some(t) = read_table(&grid, Some(&name), BUNDLE_SPECS, bc::CODE, problems, warnings) {
                bundles = rd.read_bundles(t);
            }
        }
    }
    let mut contacts = Vec::new();
    if let Some(name) = find(CONTACTS_SHEET) {
        if let Some(grid) = load(&name, &mut rd) {
            let (problems, warnings) = (&mut rd.problems, &mut rd.warnings);
            if let Some(t) = read_table(&grid, Some(&name), CONTACT_SPECS, cc::NAME, problems, warnings) {
                contacts = rd.read_contacts(t);
            }
        }
    }
    let catalog = Catalog { region, version, note, items, bundles, contacts };
    finish(rd, catalog)
}

pub(crate) fn no_data(sheet: &str) -> FileProblem {
    FileProblem::new("没有数据：第一行应为表头，从第二行起每行一项材料").in_sheet(Some(sheet))
}

/// ReadOptions, when given, must agree with the file.
pub(crate) fn check_options(rd: &mut Reading, region: &str, version: &str, opts: &ReadOptions) {
    let meta = &rd.meta;
    let at = |row: Option<usize>, message: String| {
        let mut p = FileProblem::new(message).in_sheet(meta.sheet.as_deref()).at_column(meta.column.clone());
        p.row = row;
        p
    };
    let mut found = Vec::new();
    if let Some(want) = opts.region.as_deref().map(str::trim) {
        if !region.is_empty() && want != region {
            found.push(at(meta.region_row, format!("文件中的地区代码为「{region}」，与指定的「{want}」不一致")));
        }
    }
    if let Some(want) = opts.version.as_deref().map(str::trim) {
        if !version.is_empty() && want != version {
            found.push(at(meta.version_row, format!("文件中的版本为「{version}」，与指定的「{want}」不一致")));
        }
    }
    rd.problems.extend(found);
}

fn load_grid<RS: Read + Seek>(wb: &mut Xlsx<RS>, name: &str) -> Result<Grid, String> {
    let mut grid = Grid::default();
    {
        let mut cells = wb.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
        while let Some(cell) = cells.next_cell().map_err(|e| e.to_string())? {
            let (row, col) = cell.get_position();
            grid.set(row, col, value_of(cell.get_value()));
        }
    }
    let merges = wb.merge_cells_by_sheet_name(name).map_err(|e| e.to_string())?;
    grid.merges = merges
        .into_iter()
        .map(|d| Merge {
            first_row: d.start.0.min(d.end.0),
            first_col: d.start.1.min(d.end.1),
            last_row: d.start.0.max(d.end.0),
            last_col: d.start.1.max(d.end.1),
        })
        .collect();
    Ok(grid)
}

fn value_of(v: &DataRef<'_>) -> Value {
    match v {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Int(*i),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text(s.to_string()),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(dt) => Value::Date(match dt.as_datetime() {
            Some(d) if dt.is_datetime() => {
                let time = d.format("%H:%M").to_string();
                if time == "00:00" {
                    d.format("%Y-%m-%d").to_string()
                } else {
                    format!("{} {time}", d.format("%Y-%m-%d"))
                }
            }
            _ => number_text(dt.as_f64()),
        }),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Value::Date(s.clone()),
        DataRef::Error(e) => Value::Error(e.to_string()),
    }
}

/// The 说明 sheet: `项目 | 内容` rows 地区代码, 版本, 发布说明 (地区名称 is only shown).
fn read_meta(grid: &Grid, sheet: &str, rd: &mut Reading) -> (String, String, String) {
    let header = grid.rows.iter().take(10).find_map(|(&r, cells)| {
        let key = cells.iter().find(|(_, v)| header_key(&v.shown()) == "项目").map(|(&c, _)| c)?;
        let value = cells.iter().find(|(_, v)| header_key(&v.shown()) == "内容").map(|(&c, _)| c);
        Some((r, key, value.unwrap_or(key + 1)))
    });
    let (start, key_col, value_col) = match header {
        Some((r, k, v)) => (Excluded(r), k, v),
        None => (Unbounded, 0, 1),
    };
    rd.meta.sheet = Some(sheet.to_string());
    rd.meta.column = Some(format!("{}列（内容）", column_letters(value_col)));
    let column = rd.meta.column.clone();
    let at = |row: u32, message: String| {
        FileProblem::new(message).in_sheet(Some(sheet)).at_row(row as usize + 1).at_column(column.clone())
    };
    let (mut region, mut version, mut note) = (None::<(u32, String)>, None::<(u32, String)>, None::<(u32, String)>);
    for (&r, cells) in grid.rows.range((start, Unbounded)) {
        let key_text = cells.get(&key_col).map(Value::shown).unwrap_or_default();
        let key = header_key(&key_text);
        let value = cells.get(&value_col).cloned().unwrap_or_default();
        let slot = match key.as_str() {
            "" => continue,
            "地区代码" | "行政区划代码" | "区划代码" => &mut region,
            "版本" | "版本号" => &mut version,
            "发布说明" | "版本说明" => &mut note,
            "地区名称" | "地区" | "填写说明" => continue,
            "格式版本" => {
                let shown = value.shown();
                match shown.trim().parse::<u32>() {
                    Ok(v) if (1..=LAYOUT_VERSION).contains(&v) => {}
                    Ok(v) if v > LAYOUT_VERSION => rd.problems.push(at(
                        r,
                        format!(
                            "此文件的格式版本为 {v}，本程序只认识到版本 {LAYOUT_VERSION}：请升级通办收件台后再导入"
                        ),
                    )),
                    _ => rd
                        .problems
                        .push(at(r, format!("格式版本「{}」应为 1 至 {LAYOUT_VERSION} 的整数", shown.trim()))),
                }
                continue;
            }
            _ => {
                rd.warnings.push(format!(
                    "工作表「{sheet}」第{}行的「{}」不认识，已忽略",
                    r as usize + 1,
                    key_text.trim()
                ));
                continue;
            }
        };
        if let Some((first, _)) = slot {
            rd.problems
                .push(at(r, format!("「{key}」填写了两次（第{}行和第{}行）", *first as usize + 1, r as usize + 1)));
            continue;
        }
        let text = match (&value, key.as_str()) {
            (Value::Date(d), "版本" | "版本号") => {
                rd.problems.push(at(
                    r,
                    format!("版本「{d}」被 Excel 当成了日期：请把单元格设为“文本”格式后重新填写（如 2026-11）"),
                ));
                rd.taint(Locus::Catalog, "version");
                String::new()
            }
            _ => match value.text() {
                Ok(t) => t,
                Err(m) => {
                    rd.problems.push(at(r, format!("{key}{m}")));
                    rd.taint(Locus::Catalog, if key == "版本" { "version" } else { "region" });
                    String::new()
                }
            },
        };
        *slot = Some((r, text));
    }
    for (slot, field, label) in [(&region, "region", "地区代码"), (&version, "version", "版本")] {
        match slot {
            None => {
                rd.problems.push(
                    FileProblem::new(format!("缺少「{label}」一行（第一列填「{label}」，第二列填它的值）"))
                        .in_sheet(Some(sheet)),
                );
                rd.taint(Locus::Catalog, field);
            }
            Some((r, v)) => {
                if field == "region" {
                    rd.meta.region_row = Some(*r as usize + 1);
                } else {
                    rd.meta.version_row = Some(*r as usize + 1);
                }
                if v.is_empty() && !rd.problems.iter().any(|p| p.row == Some(*r as usize + 1) && p.sheet.is_some()) {
                    rd.problems.push(at(*r, format!("{label}不能为空")));
                    rd.taint(Locus::Catalog, field);
                }
            }
        }
    }
    let take = |s: Option<(u32, String)>| s.map(|(_, v)| v).unwrap_or_default();
    (take(region), take(version), clean_text(&take(note)))
}

fn too_long(sheet: &str, row: u32, col: u16, len: usize) -> CatalogFileError {
    CatalogFileError::NotRepresentable {
        message: format!(
            "工作表「{sheet}」{}{} 单元格的文字有 {len} 字，超过 Excel 单元格的上限 {MAX_CELL} 字",
            column_letters(col as u32),
            row + 1
        ),
    }
}

fn xl(e: XlsxError) -> CatalogFileError {
    CatalogFileError::NotRepresentable { message: format!("无法写成 Excel 工作簿：{e}") }
}

struct Sheet<'a> {
    ws: &'a mut Worksheet,
    name: &'static str,
}

impl Sheet<'_> {
    fn text(&mut self, row: u32, col: u16, text: &str, format: &CellFormat) -> Result<(), CatalogFileError> {
        if text.is_empty() {
            return Ok(());
        }
        let len = text.chars().count();
        if len > MAX_CELL {
            return Err(too_long(self.name, row, col, len));
        }
        self.ws.write_string_with_format(row, col, text, format).map_err(xl)?;
        Ok(())
    }

    fn cell(&mut self, row: u32, col: u16, out: &Out<'_>, format: &CellFormat) -> Result<(), CatalogFileError> {
        match out {
            Out::Number(n) => {
                self.ws.write_number_with_format(row, col, *n as f64, format).map_err(xl)?;
                Ok(())
            }
            other => self.text(row, col, &other.as_text(), format),
        }
    }

    /// One item cell over `rows` material rows (merged when more than one).
    fn merged(
        &mut self,
        row: u32,
        col: u16,
        rows: u32,
        out: &Out<'_>,
        format: &CellFormat,
    ) -> Result<(), CatalogFileError> {
        // An empty item cell is left unmerged: a merge writes a cell on every row it spans.
        if rows > 1 && !out.as_text().is_empty() {
            self.ws.merge_range(row, col, row + rows - 1, col, "", format).map_err(xl)?;
        }
        self.cell(row, col, out, format)
    }

    fn header(&mut self, headers: &[&str], widths: &[f64], bold: &CellFormat) -> Result<(), CatalogFileError> {
        for (c, (h, w)) in headers.iter().zip(widths).enumerate() {
            self.ws.write_string_with_format(0, c as u16, *h, bold).map_err(xl)?;
            self.ws.set_column_width(c as u16, *w).map_err(xl)?;
        }
        self.ws.set_freeze_panes(1, 0).map_err(xl)?;
        Ok(())
    }
}

/// What the 说明 sheet tells whoever fills the file in: the guides' wording it understands.
const FILLING_GUIDE: &str = "按办事指南原文填写即可：\
法定时限写「20」（个工作日）、「60日」（自然日）、「20（情况特别复杂的可延长至50）」、「即办」，法律未规定的写「无」或留空；\
承诺时限写「15」「即办」「当场办结」，现场与网上不同的写「现场即时；网上5」；\
材料形式可写「原件及复印件」，份数写「原件1份、复印件1份」；\
可相互替代的材料在「任选其一」列写同一组名（如「身份证明」）；\
可容缺受理的材料在「容缺受理」列写「是」（5个工作日内补齐）或「10个工作日内补齐」；\
服务对象写「自然人」「法人」或「自然人、法人」；事项类型写「行政许可」「行政确认」「行政给付」「公共服务」等；\
收费写「不收费」「工本费20元」「每件10元」或「按面积收取：住宅每件80元，非住宅每件550元」，收费依据写文件名称和文号；\
决定机构只在作出决定的机关与办理部门（实施主体）不同时填写（如派出所受理、区公安分局决定），留空即由办理部门决定。";

pub(crate) fn write(catalog: &Catalog) -> Result<Vec<u8>, CatalogFileError> {
    check_bundle_codes(catalog).map_err(|message| CatalogFileError::NotRepresentable { message })?;
    let rows: usize = catalog.items.iter().map(|i| i.materials.len().max(1)).sum();
    if rows + 1 > MAX_ROWS {
        return Err(CatalogFileError::NotRepresentable {
            message: format!("本目录共 {rows} 项材料，超过 Excel 一个工作表的上限（{} 行）", MAX_ROWS - 1),
        });
    }
    let bold = CellFormat::new().set_bold();
    let plain = CellFormat::new().set_align(FormatAlign::VerticalCenter);
    let wrap = CellFormat::new().set_text_wrap().set_align(FormatAlign::VerticalCenter);
    let item_format = CellFormat::new().set_text_wrap().set_align(FormatAlign::VerticalCenter);
    let mut wb = Workbook::new();
    // A fixed creation time: the same catalog always gives the same bytes.
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xl)?;
    let region = tongban_core::region::display_name(&catalog.region);
    let title = format!("{region}事项清单（版本 {}）", catalog.version);
    wb.set_properties(&DocProperties::new().set_title(title).set_creation_datetime(&created));

    {
        let ws = wb.add_worksheet().set_name(META_SHEET).map_err(xl)?;
        let mut s = Sheet { ws, name: META_SHEET };
        s.header(&["项目", "内容"], &[14.0, 60.0], &bold)?;
        let name = tongban_core::region::full_name(&catalog.region).unwrap_or_default();
        let layout = LAYOUT_VERSION.to_string();
        let rows = [
            ("地区代码", catalog.region.as_str()),
            ("地区名称", &name),
            ("版本", &catalog.version),
            ("格式版本", &layout),
        ];
        let mut r = 1;
        for (k, v) in rows {
            s.text(r, 0, k, &plain)?;
            s.text(r, 1, v, &plain)?;
            r += 1;
        }
        s.text(r, 0, "发布说明", &plain)?;
        s.text(r, 1, &catalog.note, &wrap)?;
        s.text(r + 1, 0, "填写说明", &plain)?;
        s.text(r + 1, 1, FILLING_GUIDE, &wrap)?;
    }

    {
        let ws = wb.add_worksheet().set_name(ITEMS_SHEET).map_err(xl)?;
        let mut s = Sheet { ws, name: ITEMS_SHEET };
        let headers: Vec<&str> = ITEM_SPECS.iter().map(|c| c.header).collect();
        let widths = [
            22.0, 24.0, 30.0, 10.0, 26.0, 22.0, 22.0, 14.0, 12.0, 12.0, 18.0, 16.0, 24.0, 40.0, 20.0, 40.0, 40.0, 32.0,
            12.0, 18.0, 8.0, 24.0, 14.0, 18.0, 50.0, 14.0,
        ];
        s.header(&headers, &widths, &bold)?;
        let mut r: u32 = 1;
        for item in &catalog.items {
            let n = item.materials.len().max(1) as u32;
            for (c, out) in item_cells(item).iter().enumerate() {
                s.merged(r, c as u16, n, out, &item_format)?;
            }
            for (k, m) in item.materials.iter().enumerate() {
                for (c, out) in material_cells(m).iter().enumerate() {
                    let c = (ic::M_NAME + c) as u16;
                    let format = if [ic::STANDARD, ic::CONDITION].contains(&(c as usize)) { &wrap } else { &plain };
                    s.cell(r + k as u32, c, out, format)?;
                }
            }
            r += n;
        }
        let last = (MAX_ROWS - 1) as u32;
        for (col, list) in [
            (ic::MODE, &["全程网办", "异地代收代办", "多地联办"][..]),
            (ic::M_FORM, &["原件", "复印件", "原件及复印件", "电子件"][..]),
            (ic::NECESSITY, &[NECESSARY, CONDITIONAL, "容缺"][..]),
            (
                ic::KIND,
                &["行政许可", "行政确认", "行政给付", "行政征收", "行政奖励", "行政裁决", "其他行政权力", "公共服务"][..],
            ),
            (ic::APPLICANTS, &["自然人", "法人", "自然人、法人"][..]),
        ] {
            let v = DataValidation::new().allow_list_strings(list).map_err(xl)?;
            s.ws.add_data_validation(1, col as u16, last, col as u16, &v).map_err(xl)?;
        }
    }

    {
        let ws = wb.add_worksheet().set_name(BUNDLES_SHEET).map_err(xl)?;
        let mut s = Sheet { ws, name: BUNDLES_SHEET };
        let headers: Vec<&str> = BUNDLE_SPECS.iter().map(|c| c.header).collect();
        s.header(&headers, &[22.0, 30.0, 26.0, 12.0, 60.0], &bold)?;
        for (i, b) in catalog.bundles.iter().enumerate() {
            let r = i as u32 + 1;
            s.text(r, bc::CODE as u16, &b.code, &plain)?;
            s.text(r, bc::NAME as u16, &b.name, &plain)?;
            s.text(r, bc::LEAD as u16, &b.lead_department, &plain)?;
            s.cell(r, bc::PROMISED as u16, &Out::Number(b.promised_days), &plain)?;
            s.text(r, bc::ITEMS as u16, &b.items.join("、"), &wrap)?;
        }
    }

    {
        let ws = wb.add_worksheet().set_name(CONTACTS_SHEET).map_err(xl)?;
        let mut s = Sheet { ws, name: CONTACTS_SHEET };
        let headers: Vec<&str> = CONTACT_SPECS.iter().map(|c| c.header).collect();
        s.header(&headers, &[22.0, 12.0, 30.0, 18.0, 24.0], &bold)?;
        for (i, c) in catalog.contacts.iter().enumerate() {
            let r = i as u32 + 1;
            s.text(r, cc::ITEM as u16, c.item.as_deref().unwrap_or(""), &plain)?;
            s.text(r, cc::NAME as u16, &c.name, &plain)?;
            s.text(r, cc::UNIT as u16, &c.unit, &plain)?;
            s.text(r, cc::PHONE as u16, &c.phone, &plain)?;
            s.text(r, cc::HOURS as u16, &c.hours, &plain)?;
        }
    }

    wb.save_to_buffer().map_err(xl)
}
