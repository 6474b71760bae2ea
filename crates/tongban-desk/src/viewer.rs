//! Handing a saved PDF to the system: the PDF viewer (the clerk checks it and prints from
//! there) or straight to the default printer where the platform offers a way.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};
use tongban_core::code::DeskCode;

use crate::AppError;

/// A command to open PDFs with instead of the system's default viewer, e.g. a hall that
/// prints with SumatraPDF, or `true` in a test that must not open windows.
pub const VIEWER_ENV: &str = "TONGBAN_PDF_VIEWER";

/// Where the plain copies handed to the system's viewer go: a folder of the desk's own under
/// the temporary folder (readable by this user only), never beside the database. A viewer needs a
/// plain file; the desk's kept copies stay encrypted. Copies older than [`ViewFolder::KEEP`] are
/// deleted whenever the folder is used and when the window starts: the trade-off is that a PDF
/// being looked at is in clear on the disk for that long.
pub struct ViewFolder(PathBuf);

impl ViewFolder {
    pub const KEEP: Duration = Duration::from_secs(30 * 60);

    pub fn for_desk(db: &Path) -> ViewFolder {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        db.hash(&mut h);
        ViewFolder(std::env::temp_dir().join("tongban-desk-view").join(format!("{:016x}", h.finish())))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The view folder `dir` is, if it is one.
    pub fn owning(dir: &Path) -> Option<ViewFolder> {
        let parent = dir.parent()?;
        (parent == std::env::temp_dir().join("tongban-desk-view")).then(|| ViewFolder(dir.to_path_buf()))
    }

    /// Makes the folder (this user's only) and deletes copies older than `keep`.
    pub fn sweep(&self, keep: Duration) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.0)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o700))?;
        }
        let now = SystemTime::now();
        for entry in std::fs::read_dir(&self.0)?.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .map(|t| now.duration_since(t).unwrap_or_default() >= keep)
                .unwrap_or(true);
            if old {
                // A file a viewer still holds open (on Windows) is tried again next time.
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }
}

/// Opens `path` in the PDF viewer: the program named by `TONGBAN_PDF_VIEWER`, else the
/// system's default for PDFs (ShellExecute on Windows, `xdg-open` on Linux). The error says in
/// Chinese why and what to do; the launcher's own words (English, with the path) go to stderr.
pub fn open_pdf(path: &Path) -> Result<(), AppError> {
    let result = match std::env::var_os(VIEWER_ENV).filter(|v| !v.is_empty()) {
        Some(viewer) => run_viewer(&viewer, path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("找不到设置的 PDF 查看器「{}」", viewer.to_string_lossy())
            } else {
                format!("设置的 PDF 查看器「{}」无法启动（{e}）", viewer.to_string_lossy())
            }
        }),
        None => open::that_detached(path).map_err(|e| {
            eprintln!("tongban-desk: PDF viewer for {}: {e}", path.display());
            "本机没有能打开 PDF 的程序".to_string()
        }),
    };
    result.map_err(|why| {
        AppError::new(DeskCode::ViewerFailed, format!("{why}。请安装 PDF 阅读器（或请管理员设置 {VIEWER_ENV}）后再试"))
    })
}

/// Starts `viewer` on `path` and reaps it when it exits (it may stay open all day): a window
/// that prints all day must not collect a zombie process per print.
fn run_viewer(viewer: &std::ffi::OsStr, path: &Path) -> std::io::Result<()> {
    let mut child =
        Command::new(viewer).arg(path).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    std::thread::spawn(move || child.wait());
    Ok(())
}

/// Sends `path` to the default printer (or `printer` by name): `lp` (CUPS) on Linux and
/// macOS; on Windows the "print" verb of the program registered for PDFs, which needs a PDF
/// reader that offers one (Adobe Reader, SumatraPDF, …).
pub fn send_to_printer(path: &Path, printer: Option<&str>) -> Result<(), AppError> {
    let failed = |why: String| AppError::new(DeskCode::PrintFailed, format!("未能送到打印机：{why}"));
    let mut command = printer_command(path, printer);
    let out = command.stdin(Stdio::null()).output().map_err(|e| {
        failed(if e.kind() == std::io::ErrorKind::NotFound {
            format!("本机没有打印命令 {}；请改用「打开」，在查看器中打印", command.get_program().to_string_lossy())
        } else {
            e.to_string()
        })
    })?;
    if out.status.success() {
        return Ok(());
    }
    let detail = String::from_utf8_lossy(&out.stderr).trim().to_string();
    Err(failed(if detail.is_empty() { format!("打印命令退出码 {}", out.status) } else { detail }))
}

#[cfg(windows)]
fn printer_command(path: &Path, printer: Option<&str>) -> Command {
    // PowerShell quotes with '', doubled inside.
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let file = quote(&path.display().to_string());
    let script = match printer {
        None => format!("Start-Process -FilePath {file} -Verb Print -Wait"),
        Some(name) => format!("Start-Process -FilePath {file} -Verb PrintTo -ArgumentList {} -Wait", quote(name)),
    };
    let mut c = Command::new("powershell.exe");
    c.args(["-NoProfile", "-NonInteractive", "-Command", &script]);
    c
}

#[cfg(not(windows))]
fn printer_command(path: &Path, printer: Option<&str>) -> Command {
    let mut c = Command::new("lp");
    if let Some(name) = printer {
        c.args(["-d", name]);
    }
    c.arg("--").arg(path);
    c
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Children of this process that exited and were never waited for.
    fn zombies() -> usize {
        let me = std::process::id().to_string();
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
            .filter(|stat| {
                let rest: Vec<&str> = stat[stat.rfind(')').map_or(0, |i| i + 1)..].split_whitespace().collect();
                rest.first() == Some(&"Z") && rest.get(1) == Some(&me.as_str())
            })
            .count()
    }

    #[test]
    fn a_viewer_that_exits_leaves_no_zombie() {
        for _ in 0..5 {
            run_viewer(std::ffi::OsStr::new("true"), Path::new("/tmp/x.pdf")).unwrap();
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while zombies() > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert_eq!(zombies(), 0);
    }
}

/// Writes `bytes` into `dir` as `name` and hands the file to the viewer; returns its path.
pub(crate) fn open_copy(dir: PathBuf, name: &str, bytes: &[u8]) -> Result<String, AppError> {
    let path = crate::printing::save_pdf(&dir, name, bytes)?;
    open_pdf(&path)?;
    Ok(path.display().to_string())
}
