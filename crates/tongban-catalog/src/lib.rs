//! A region's 事项清单 as files: read into a checked [`Catalog`] and written back. File IO only
//! (no database, no network): the desk, the hub and the CLI call [`read_file`] / [`write_file`]
//! or their in-memory twins [`read_bytes`] / [`write_bytes`].
//!
//! # Formats
//!
//! **Excel (.xlsx)**, as partner offices send it. Sheets are found by name, in any order; other
//! sheets are ignored with a warning.
//! - `说明` (required): header `项目 | 内容`, then rows `地区代码` (6 digits, text or number),
//!   `版本` (text; a number is read as written), `格式版本` (1, 2 or 3; absent is 1), `发布说明`
//!   (optional), `地区名称` and `填写说明` (shown only).
//! - `事项清单` (required): one row per **material**. Header in row 1 (a title row above it is
//!   tolerated), columns found by header text in any order (spaces, a trailing `*` and ASCII
//!   parentheses don't matter). Item columns 事项编码*, 实施编码, 事项名称*, 领域*, 办理部门*
//!   (实施主体; a file without it reads a 决定机构 column as it, as layouts 1 and 2 did), 受理机构,
//!   决定机构 (only when another authority than the 办理部门 decides), 办理模式* (全程网办/异地代收代办/多地联办), 事项类型 (行政许可, 行政确认,
//!   行政给付, …, 公共服务), 服务对象 (自然人/法人/自然人、法人), 法定时限 (「20」 working days,
//!   「60日」 calendar days, 「20（情况特别复杂的可延长至50）」, 「即办」, 「无」 or empty), 承诺时限*
//!   (「15」, 「即办」/「当场办结」, 「现场即时；网上5」), 收费 (「不收费」/「免费」/empty, 「工本费20元」,
//!   「每件10元」, 「按面积收取：住宅每件80元，非住宅每件550元」; wording with no amount kept as words
//!   with a warning; a negative amount or 「元」 without a number a problem), 收费依据, 送达方式* (窗口领取/邮寄送达/网上获取/
//!   无需送达, separated by 、，；), 受理条件, 设定依据; material columns 材料名称*, 材料形式*
//!   (原件/复印件/原件及复印件/电子件), 份数* (「1」, 「2份」, 「原件1份、复印件2份」), 必要性* (必需/
//!   条件/容缺), 适用条件 (exactly when 条件), 任选其一 (a group name shared by alternatives),
//!   容缺受理 (「是」 = 5 working days, 「10个工作日内补齐」, 「10日内补交」), 材料标准, 可用电子证照.
//!   The wording is read by `tongban_core::guide`. Layout 1's headers (法定时限（工作日）*,
//!   承诺时限（工作日）*) are aliases, so older files import unchanged. `序号` is ignored. On an
//!   item's further rows the item columns are merged vertically, left blank, or repeated
//!   identically; a new 事项编码 starts the next item.
//! - `一件事` (optional): 一件事编码*, 一件事名称*, 牵头部门*, 承诺时限（工作日）*, 包含事项编码*.
//! - `联络人` (optional): 事项编码 (blank: the whole region), 姓名*, 单位, 电话*, 联系时间.
//!
//! Export writes exactly this layout (item columns merged over an item's rows, bold frozen
//! header, drop-downs for the label columns), and reading it back gives an equal catalog.
//!
//! **CSV**: the 事项清单 table alone (no merges), UTF-8 with or without BOM, else GB18030 as
//! Excel saves it on Chinese Windows; region and version come from [`ReadOptions`]. Written as
//! UTF-8 with BOM, the item columns repeated on every row; a catalog with 一件事 or 联络人 cannot
//! be written as CSV.
//!
//! **JSON**: `serde_json` of the `Catalog`, pretty-printed.
//!
//! # Problems
//!
//! A read gives the whole catalog or [`CatalogFileError::Invalid`] with every problem of the
//! file, each at its sheet, row and column (`工作表「事项清单」第12行 M列（份数）：…`): cell
//! problems from the reader, then the core's checks (`Catalog::problems`) mapped back to the
//! cell each value came from. Never a partial catalog, never a panic.

mod cell;
mod csv_file;
mod error;
mod json;
mod layout;
mod limits;
mod table;
mod xlsx;

use std::path::Path;

use tongban_core::catalog::Catalog;

pub use error::{CatalogFileError, FileProblem, SHOWN_PROBLEMS};
pub use limits::{MAX_CELLS, MAX_EXPANDED_TEXT, MAX_SHARED_STRING, MAX_UNZIPPED};

use layout::Reading;

/// A catalog file's format, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Xlsx,
    Csv,
    Json,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Xlsx, Format::Csv, Format::Json];

    /// By extension (`.xlsx`, `.csv`, `.json`, any case).
    pub fn from_path(path: &Path) -> Result<Format, CatalogFileError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" => Ok(Format::Xlsx),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            _ => Err(CatalogFileError::UnknownFormat {
                name: path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            }),
        }
    }

    /// The extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// What the reader is told besides the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// 地区代码: required for CSV (which has no 说明); for .xlsx and .json, when given, the
    /// file's must be the same.
    pub region: Option<String>,
    /// 版本: as `region`.
    pub version: Option<String>,
}

/// A catalog read from a file, sound by `Catalog::problems`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub catalog: Catalog,
    /// What was ignored: unknown sheets, columns, 说明 rows; undecodable characters.
    pub warnings: Vec<String>,
}

/// Reads a catalog file, its format by extension.
pub fn read_file(path: &Path, opts: &ReadOptions) -> Result<Imported, CatalogFileError> {
    let format = Format::from_path(path)?;
    let bytes = std::fs::read(path).map_err(|source| CatalogFileError::Io {
        path: path.to_path_buf(),
        writing: false,
        source,
    })?;
    read_bytes(&bytes, format, opts)
}

/// Reads a catalog from the bytes of a file of `format`.
pub fn read_bytes(bytes: &[u8], format: Format, opts: &ReadOptions) -> Result<Imported, CatalogFileError> {
    match format {
        Format::Xlsx => xlsx::read(bytes, opts),
        Format::Csv => csv_file::read(bytes, opts),
        Format::Json => json::read(bytes, opts),
    }
}

/// The bytes of `catalog` as a file of `format`.
pub fn write_bytes(catalog: &Catalog, format: Format) -> Result<Vec<u8>, CatalogFileError> {
    match format {
        Format::Xlsx => xlsx::write(catalog),
        Format::Csv => csv_file::write(catalog),
        Format::Json => json::write(catalog),
    }
}

/// Writes `catalog` to `path`, its format by extension: whole or not at all (a temporary file
/// beside it replaces it; an .xlsx open in Excel on Windows stays as it was and the error says
/// so, see `tongban_files::write_whole`).
pub fn write_file(catalog: &Catalog, path: &Path) -> Result<(), CatalogFileError> {
    let format = Format::from_path(path)?;
    let bytes = write_bytes(catalog, format)?;
    tongban_files::write_whole(path, &bytes).map_err(|e| {
        let source = match e {
            // Said the way io_message says a refused write: "没有权限，或文件正被其他程序（如 Excel）打开".
            tongban_files::FileError::InUse { source, .. } => {
                std::io::Error::new(std::io::ErrorKind::PermissionDenied, source)
            }
            other => other.into_source(),
        };
        CatalogFileError::Io { path: path.to_path_buf(), writing: true, source }
    })
}

/// The catalog once every problem is known: the core's checks added at their cells.
pub(crate) fn finish(mut rd: Reading, catalog: Catalog) -> Result<Imported, CatalogFileError> {
    rd.add_core_problems(&catalog);
    if rd.problems.is_empty() {
        Ok(Imported { catalog, warnings: rd.warnings })
    } else {
        rd.sort_problems();
        Err(CatalogFileError::Invalid { problems: rd.problems })
    }
}
