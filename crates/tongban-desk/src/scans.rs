//! Scans: a file the clerk attaches (or picks from the scanner's folder) is checked by its first
//! bytes and kept in the desk's blobs, where a case's materials cite it by SHA-256; opening one
//! hands a copy to the system's viewer.

use chrono::{DateTime, Utc};
use tongban_core::code::{DeskCode, HubCode};
use tongban_store::AuditKind;

use crate::api::*;
use crate::detail::time_text;
use crate::session::Permission;
use crate::viewer::open_copy;
use crate::{AppError, Desk};

/// The largest scan accepted: a multi-page A4 scan at 300 dpi stays well below it.
pub const MAX_SCAN_BYTES: usize = 20 * 1024 * 1024;

impl Desk {
    /// Keeps a scan (PDF, JPEG, PNG or TIFF, checked by its first bytes) in the desk's blobs; the
    /// case refers to it by SHA-256 once 补正收件 records it, and sync uploads it before that event.
    pub fn attach_scan(&self, file_name: &str, bytes: &[u8]) -> Result<ScanView, AppError> {
        self.permit(Permission::TakeIn)?;
        // The window sends a bare name, a scanner folder a path of either platform: keep the last part.
        let name =
            file_name.trim().rsplit(['/', '\\']).next().filter(|n| !n.is_empty()).unwrap_or("扫描件").to_string();
        let invalid =
            |message: String| AppError { field: Some("scan".into()), ..AppError::new(DeskCode::InvalidInput, message) };
        if bytes.is_empty() {
            return Err(invalid(format!("扫描件「{name}」是空文件")));
        }
        if bytes.len() > MAX_SCAN_BYTES {
            let mb = bytes.len() as f64 / (1024.0 * 1024.0);
            return Err(invalid(format!(
                "扫描件「{name}」有 {mb:.1} MB，超过 {} MB 的上限，请降低扫描分辨率或分成几份",
                MAX_SCAN_BYTES / (1024 * 1024)
            )));
        }
        let media_type = tongban_core::scan::media_type(bytes)
            .ok_or_else(|| invalid(format!("扫描件「{name}」不是 PDF、JPEG、PNG 或 TIFF 文件")))?;
        let info = self.locked()?.put_blob(bytes, media_type, &name, Utc::now())?;
        Ok(ScanView { sha256: info.sha256, file_name: name, size: info.size, media_type: info.media_type })
    }
    /// Opens a kept scan in the system viewer (a plain copy in the viewer's folder, see
    /// [`Desk::prints_dir`]).
    pub fn open_scan(&self, sha256: &str) -> Result<String, AppError> {
        self.require_reader()?;
        let (name, bytes) = {
            let mut store = self.locked()?;
            let info = store.blob_info(sha256)?.ok_or_else(|| {
                AppError::new(HubCode::MissingBlob, format!("本机没有扫描件 {}", sha256.get(..12).unwrap_or(sha256)))
            })?;
            let name = format!("{}-{}", sha256.get(..8).unwrap_or(sha256), info.file_name);
            let bytes = store.read_blob(sha256)?;
            let case = store.case_citing_scan(sha256)?;
            self.audit(&mut store, AuditKind::ScanOpen, case, info.file_name.clone())?;
            (name, bytes)
        };
        open_copy(self.prints_dir(), &name, &bytes)
    }
}

/// How many of the scanner folder's newest files the window lists.
const SCANNER_LISTED: usize = 12;

impl Desk {
    /// The scanner's output folder and its newest scans.
    pub fn scanner_folder(&self) -> Result<ScannerFolder, AppError> {
        let Some(folder) = self.locked()?.scanner_folder()? else {
            return Ok(ScannerFolder { folder: None, files: Vec::new() });
        };
        let entries = std::fs::read_dir(&folder).map_err(|e| {
            AppError::new(DeskCode::ScannerFolder, format!("无法读取扫描仪文件夹「{folder}」：{e}，请检查设置"))
        })?;
        // Newest first by the folder's own listing; only those are opened to read their first
        // bytes (the window asks every few seconds, and a scanner folder keeps months of files).
        let mut candidates = Vec::new();
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || meta.len() == 0 || meta.len() > MAX_SCAN_BYTES as u64 {
                continue;
            }
            let modified: DateTime<Utc> = meta.modified().map(DateTime::from).unwrap_or_else(|_| Utc::now());
            candidates.push((modified, entry.file_name().to_string_lossy().to_string(), meta.len(), entry.path()));
        }
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        // Only what attach_scan would take: the first bytes decide, not the extension.
        let files = candidates
            .into_iter()
            .filter(|(.., path)| {
                let mut head = [0u8; 8];
                let read = std::fs::File::open(path).and_then(|mut f| std::io::Read::read(&mut f, &mut head));
                read.is_ok_and(|n| tongban_core::scan::media_type(&head[..n]).is_some())
            })
            .take(SCANNER_LISTED)
            .map(|(at, name, size, _)| ScannerFile { name, size, modified: time_text(at) })
            .collect();
        Ok(ScannerFolder { folder: Some(folder), files })
    }

    /// Names the scanner's output folder (it must exist); empty forgets it.
    pub fn set_scanner_folder(&self, folder: &str) -> Result<ScannerFolder, AppError> {
        self.permit(Permission::TakeIn)?;
        let folder = folder.trim();
        if !folder.is_empty() && !std::path::Path::new(folder).is_dir() {
            return Err(AppError {
                field: Some("scanner_folder".into()),
                ..AppError::new(DeskCode::InvalidInput, format!("扫描仪文件夹「{folder}」不存在或不是文件夹"))
            });
        }
        {
            let mut store = self.locked()?;
            let user = self.actor(None)?;
            store.set_scanner_folder(folder, &user, Utc::now())?;
        }
        self.scanner_folder()
    }

    /// Keeps one file of the scanner's folder as a scan, checked as [`Desk::attach_scan`] checks.
    pub fn attach_scanner_file(&self, name: &str) -> Result<ScanView, AppError> {
        self.permit(Permission::TakeIn)?;
        let folder = self
            .locked()?
            .scanner_folder()?
            .ok_or_else(|| AppError::new(DeskCode::ScannerFolder, "还没有设置扫描仪文件夹"))?;
        // Only a plain name of a file in that folder, never a path that leads elsewhere.
        if name.is_empty() || name.contains(['/', '\\']) || name == ".." {
            return Err(AppError::new(DeskCode::InvalidInput, format!("「{name}」不是扫描仪文件夹中的文件名")));
        }
        let path = std::path::Path::new(&folder).join(name);
        let bytes = std::fs::read(&path).map_err(|e| {
            AppError::new(DeskCode::ScannerFolder, format!("无法读取扫描件「{}」：{e}", path.display()))
        })?;
        self.attach_scan(name, &bytes)
    }
}
