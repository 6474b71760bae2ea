//! What can go wrong with a catalog file, in Chinese for the clerk and with stable codes for the
//! desk and the CLI.

use std::fmt;
use std::path::PathBuf;

use tongban_core::code::{AppCode, DeskCode};

/// How many problems [`CatalogFileError::Invalid`] shows; the rest are counted.
pub const SHOWN_PROBLEMS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum CatalogFileError {
    /// The file could not be read or written.
    #[error("无法{}文件「{}」：{}", io_action(.writing), .path.display(), io_message(.source))]
    Io {
        path: PathBuf,
        /// `true` when writing.
        writing: bool,
        #[source]
        source: std::io::Error,
    },
    /// The file name ends in none of `.xlsx`, `.csv`, `.json`.
    #[error("无法识别文件「{name}」的格式：只支持 .xlsx（Excel 工作簿）、.csv、.json 三种{}", xls_hint(.name))]
    UnknownFormat { name: String },
    /// Not a file of its format at all (an .xlsx that is no workbook, an empty file, …).
    #[error("{message}")]
    Unreadable { message: String },
    /// The file is of its format but not a sound catalog: every problem found, in file order.
    #[error("{}", render_problems(.problems))]
    Invalid { problems: Vec<FileProblem> },
    /// The catalog cannot be written in this format (CSV with 一件事, a cell too long for Excel, …).
    #[error("{message}")]
    NotRepresentable { message: String },
}

impl CatalogFileError {
    /// A stable code for the desk and the CLI.
    pub fn code(&self) -> AppCode {
        AppCode::Desk(match self {
            CatalogFileError::Io { .. } => DeskCode::CatalogIo,
            CatalogFileError::UnknownFormat { .. } => DeskCode::CatalogUnknownFormat,
            CatalogFileError::Unreadable { .. } => DeskCode::CatalogUnreadable,
            CatalogFileError::Invalid { .. } => DeskCode::CatalogInvalid,
            CatalogFileError::NotRepresentable { .. } => DeskCode::CatalogNotRepresentable,
        })
    }

    /// The problems of an [`Invalid`](CatalogFileError::Invalid) file; empty for the others.
    pub fn problems(&self) -> &[FileProblem] {
        match self {
            CatalogFileError::Invalid { problems } => problems,
            _ => &[],
        }
    }
}

fn io_action(writing: &bool) -> &'static str {
    if *writing {
        "写入"
    } else {
        "读取"
    }
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件或文件夹不存在".to_string(),
        std::io::ErrorKind::PermissionDenied => format!("没有权限，或文件正被其他程序（如 Excel）打开（{e}）"),
        _ => e.to_string(),
    }
}

fn xls_hint(name: &str) -> &'static str {
    if name.to_lowercase().ends_with(".xls") || name.to_lowercase().ends_with(".et") {
        "；旧版 .xls 或 WPS 表格文件请先另存为 .xlsx"
    } else {
        ""
    }
}

fn render_problems(problems: &[FileProblem]) -> String {
    let mut out = format!("事项清单文件有 {} 处问题：", problems.len());
    for p in problems.iter().take(SHOWN_PROBLEMS) {
        out.push('\n');
        out.push_str(&p.to_string());
    }
    if problems.len() > SHOWN_PROBLEMS {
        out.push_str(&format!("\n另有 {} 处问题未列出", problems.len() - SHOWN_PROBLEMS));
    }
    out
}

/// One problem of a catalog file, where the clerk will find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The worksheet (`.xlsx` only).
    pub sheet: Option<String>,
    /// 1-based, as Excel shows it (for a CSV file: the record, as Excel shows it too).
    pub row: Option<usize>,
    /// The column with its header, e.g. `F列（份数）`; in a JSON file the field, e.g.
    /// `第4个事项（编码 X）第2项材料 份数`.
    pub column: Option<String>,
    /// In Chinese, naming the value.
    pub message: String,
}

impl FileProblem {
    pub(crate) fn new(message: impl Into<String>) -> FileProblem {
        FileProblem { sheet: None, row: None, column: None, message: message.into() }
    }

    pub(crate) fn in_sheet(mut self, sheet: Option<&str>) -> FileProblem {
        self.sheet = sheet.map(str::to_string);
        self
    }

    pub(crate) fn at_row(mut self, row: usize) -> FileProblem {
        self.row = Some(row);
        self
    }

    pub(crate) fn at_column(mut self, column: Option<String>) -> FileProblem {
        self.column = column;
        self
    }
}

/// `工作表「事项清单」第12行 F列（份数）：份数应为正整数，实际为「两份」`; a problem of a whole
/// sheet without the colon: `工作表「事项清单」没有数据…`.
impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut any = false;
        if let Some(sheet) = &self.sheet {
            write!(f, "工作表「{sheet}」")?;
            any = true;
        }
        if let Some(row) = self.row {
            write!(f, "第{row}行")?;
            any = true;
        }
        if let Some(column) = &self.column {
            if any {
                f.write_str(" ")?;
            }
            f.write_str(column)?;
            any = true;
        }
        // A problem of a whole sheet reads on: 工作表「事项清单」没有数据.
        let sheet_only = self.sheet.is_some() && self.row.is_none() && self.column.is_none();
        if any && !sheet_only {
            f.write_str("：")?;
        }
        f.write_str(&self.message)
    }
}
