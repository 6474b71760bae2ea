//! A sheet (or a CSV file) read as a table: the header row found and its columns matched by
//! text, vertical merges spread over the cells they cover, empty rows dropped.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound::{Excluded, Included, Unbounded};

use crate::cell::{column_letters, header_key, range_name, Grid, Value};
use crate::error::FileProblem;

/// What part of a catalog a column fills (for mapping the core's problems back to a column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Item,
    Material,
    Bundle,
    Contact,
}

/// One column a table may have.
#[derive(Debug)]
pub(crate) struct ColSpec {
    /// As written on export; `*` marks a required column.
    pub header: &'static str,
    /// Short name used in problems: `F列（份数）`.
    pub label: &'static str,
    /// Other headers accepted (after [`header_key`]).
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub kind: Kind,
    /// The core's field name (`CatalogProblem::field`).
    pub field: &'static str,
}

/// Headers read without a word.
const IGNORED: &[&str] = &["序号", "编号"];

/// A table's header and its non-empty rows.
#[derive(Debug)]
pub(crate) struct Table {
    /// `None` for a CSV file.
    pub sheet: Option<String>,
    pub specs: &'static [ColSpec],
    /// Per spec, its column (from 0).
    pub cols: Vec<Option<u32>>,
    pub rows: Vec<Row>,
    /// Specs whose required column is missing.
    pub missing: Vec<usize>,
}

#[derive(Debug)]
pub(crate) struct Row {
    /// 1-based, as Excel shows it.
    pub number: usize,
    /// Per spec; a merged region's value in every cell it covers.
    pub values: Vec<Value>,
}

impl Row {
    pub fn get(&self, spec: usize) -> &Value {
        &self.values[spec]
    }
}

impl Table {
    /// `F列（份数）`, or just `（份数）` when the column is absent.
    pub fn column(&self, spec: usize) -> Option<String> {
        let label = self.specs[spec].label;
        Some(match self.cols[spec] {
            Some(c) => format!("{}列（{label}）", column_letters(c)),
            None => format!("（{label}）"),
        })
    }

    /// A problem at a row and a column of this table.
    pub fn problem(&self, row: usize, spec: usize, message: impl Into<String>) -> FileProblem {
        FileProblem::new(message).in_sheet(self.sheet.as_deref()).at_row(row).at_column(self.column(spec))
    }

    /// The spec filling `field` of `kind`.
    pub fn spec_for(&self, kind: Kind, field: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.kind == kind && s.field == field)
    }
}

/// Reads `grid` as a table of `specs`. `None` when the grid has no cells at all. The header is
/// the first of the first ten rows holding the header of `specs[key]` (a title above it is
/// allowed), else the first non-empty row.
pub(crate) fn read_table(
    grid: &Grid,
    sheet: Option<&str>,
    specs: &'static [ColSpec],
    key: usize,
    problems: &mut Vec<FileProblem>,
    warnings: &mut Vec<String>,
) -> Option<Table> {
    let key_headers: Vec<String> =
        std::iter::once(specs[key].header).chain(specs[key].aliases.iter().copied()).map(header_key).collect();
    let header_row = grid
        .rows
        .iter()
        .take(10)
        .find(|(_, cells)| cells.values().any(|v| key_headers.contains(&header_key(&v.shown()))))
        .or_else(|| grid.rows.iter().next())
        .map(|(r, _)| *r)?;
    let where_ = |row: u32| FileProblem::new("").in_sheet(sheet).at_row(row as usize + 1);
    let in_sheet = match sheet {
        Some(s) => format!("工作表「{s}」"),
        None => "文件".to_string(),
    };

    // Columns by header text.
    let mut cols: Vec<Option<u32>> = vec![None; specs.len()];
    let matches =
        |spec: &ColSpec, k: &str| header_key(spec.header) == k || spec.aliases.iter().any(|a| header_key(a) == k);
    for (&col, value) in &grid.rows[&header_row] {
        let text = value.shown();
        let k = header_key(&text);
        if k.is_empty() || IGNORED.contains(&k.as_str()) {
            continue;
        }
        // A header that is one column's own and another's alias (决定机构) is the first's.
        let own = specs.iter().position(|s| header_key(s.header) == k);
        match own.or_else(|| specs.iter().position(|s| matches(s, &k))) {
            Some(i) => match cols[i] {
                Some(first) => problems.push(FileProblem {
                    message: format!(
                        "表头「{}」出现了两次（{}列和{}列），请删去一列",
                        specs[i].label,
                        column_letters(first),
                        column_letters(col)
                    ),
                    ..where_(header_row)
                }),
                None => cols[i] = Some(col),
            },
            None => warnings.push(format!("{in_sheet}的{}列「{}」不认识，已忽略", column_letters(col), text.trim())),
        }
    }
    // A required column missing, and one of its aliases heading a column of its own: that column
    // is read as the required one, as a layout before that column existed meant it (a file with
    // 决定机构 and no 办理部门 names the 办理部门 there).
    for i in 0..specs.len() {
        if !specs[i].required || cols[i].is_some() {
            continue;
        }
        let taken = (0..specs.len()).find(|&j| {
            j != i
                && !specs[j].required
                && cols[j].is_some()
                && specs[i].aliases.iter().any(|a| header_key(a) == header_key(specs[j].header))
        });
        if let Some(j) = taken {
            cols[i] = cols[j].take();
            warnings.push(format!(
                "{in_sheet}没有「{}」列：{}列「{}」按{}读入（旧版格式的写法）",
                specs[i].label,
                column_letters(cols[i].unwrap_or_default()),
                specs[j].label,
                specs[i].label
            ));
        }
    }
    let missing: Vec<usize> = (0..specs.len()).filter(|&i| specs[i].required && cols[i].is_none()).collect();
    for &i in &missing {
        problems.push(FileProblem { message: format!("缺少「{}」列", specs[i].label), ..where_(header_row) });
    }

    // Merges: none in the header; in the data only within one column.
    let mut spread: Vec<(usize, u32, u32, u32)> = Vec::new(); // (spec, col, first_row, last_row)
    let spec_of_col: HashMap<u32, usize> = cols.iter().enumerate().filter_map(|(i, c)| Some(((*c)?, i))).collect();
    for m in &grid.merges {
        if m.last_row < header_row {
            continue; // a title above the header
        }
        if m.first_row <= header_row {
            problems.push(FileProblem {
                message: format!("表头中有合并单元格「{}」，请取消合并，每列一个表头", range_name(m)),
                ..where_(header_row)
            });
            continue;
        }
        let covered: Vec<usize> = (m.first_col..=m.last_col).filter_map(|c| spec_of_col.get(&c).copied()).collect();
        if covered.is_empty() {
            continue;
        }
        if m.last_col > m.first_col {
            problems.push(FileProblem {
                message: format!(
                    "合并单元格「{}」跨了多列；只能把同一列上下相邻的单元格合并，每列应分别填写",
                    range_name(m)
                ),
                ..where_(m.first_row)
            });
            continue;
        }
        spread.push((covered[0], m.first_col, m.first_row, m.last_row));
    }

    // Rows: by spec, dropping those with nothing of their own.
    let mut rows: BTreeMap<u32, Row> = BTreeMap::new();
    for (&r, cells) in grid.rows.range((Excluded(header_row), Unbounded)) {
        let mut values = vec![Value::Empty; specs.len()];
        let mut any = false;
        for (i, col) in cols.iter().enumerate() {
            if let Some(v) = col.and_then(|c| cells.get(&c)) {
                any |= !v.is_blank();
                values[i] = v.clone();
            }
        }
        if any {
            rows.insert(r, Row { number: r as usize + 1, values });
        }
    }
    // Spreading copies a merged value into every row it covers: counted against the limits on
    // cells and text, so overlapping merges over a long sheet cannot multiply the file.
    let (mut cells, mut text) = (0u64, 0u64);
    for (spec, col, first, last) in spread {
        let top = grid.get(first, col).cloned().unwrap_or_default();
        let size = match &top {
            Value::Text(t) => t.len() as u64,
            _ => 8,
        };
        for (_, row) in rows.range_mut((Excluded(first), Included(last))) {
            cells += 1;
            text += size;
            if cells > crate::limits::MAX_CELLS || text > crate::limits::MAX_EXPANDED_TEXT {
                problems.push(FileProblem {
                    message: format!(
                        "合并单元格展开后超过上限（{} 个单元格或 {} MiB 文字），请取消多余的合并后再导入",
                        crate::limits::MAX_CELLS,
                        crate::limits::MAX_EXPANDED_TEXT / (1024 * 1024)
                    ),
                    ..where_(first)
                });
                return None;
            }
            row.values[spec] = top.clone();
        }
    }

    Some(Table { sheet: sheet.map(str::to_string), specs, cols, rows: rows.into_values().collect(), missing })
}
