//! Writing a file whole, on Windows as on Linux.
//!
//! A file is never written in place: the bytes go to a temporary file beside the target, are
//! synced, and the temporary file then replaces the target, so a crash or a full disk never
//! leaves half a PDF or half a catalog under the real name.
//!
//! Windows adds what Linux does not have. A file that another program holds open (a PDF viewer
//! showing the last print, Excel with the exported catalog) cannot be replaced, renamed or
//! deleted; and a virus scanner opens every new file for a moment. So a replace that Windows
//! refuses is tried again for about a second, then reported as [`FileError::InUse`] with the
//! target untouched; [`save_in`], which saves files for a person to open, then puts the bytes
//! beside it under a free name instead. Linux replaces an open file without complaint, so the
//! same calls behave the same there, only without the refusals.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Why a file could not be written. The target is unchanged either way, and no temporary file
/// is left behind.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Another program holds the file open (on Windows), so it cannot be replaced now.
    #[error("「{}」正被其他程序打开（如 PDF 阅读器或 Excel），无法替换：请关闭它后重试，或换一个文件名", .path.display())]
    InUse {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Any other failure: no such folder, no permission, a full disk, …
    #[error("无法写入「{}」：{source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl FileError {
    /// The file that could not be written.
    pub fn path(&self) -> &Path {
        match self {
            FileError::InUse { path, .. } | FileError::Io { path, .. } => path,
        }
    }

    /// The operating system's error underneath.
    pub fn into_source(self) -> io::Error {
        match self {
            FileError::InUse { source, .. } | FileError::Io { source, .. } => source,
        }
    }
}

/// Replaces `path` with exactly `bytes`, or leaves it as it was: a temporary file beside it
/// (`.NAME.PID-N.tmp`), synced, then renamed over it.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let tmp = write_temp(path, |file| file.write_all(bytes))?;
    replace(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        classify(path, e)
    })
}

/// Writes a file whose name is its content's hash (a kept scan): written whole if absent. If
/// the file is there, or appears meanwhile (another process of the desk kept the same bytes),
/// that one stays: its content is the same by its name.
pub fn write_once(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    write_once_with(path, |file| file.write_all(bytes))
}

/// [`write_once`] with the content streamed into the temporary file by `fill` (a scan encrypted
/// as it is read, never whole in memory).
pub fn write_once_with(path: &Path, fill: impl FnOnce(&mut fs::File) -> io::Result<()>) -> Result<(), FileError> {
    if path.exists() {
        return Ok(());
    }
    let tmp = write_temp(path, fill)?;
    match replace(&tmp, path) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            if path.exists() {
                Ok(())
            } else {
                Err(FileError::Io { path: path.to_path_buf(), source: e })
            }
        }
    }
}

/// How many numbered names [`save_in`] tries beside a file that is held open.
pub const MAX_NUMBERED: u32 = 99;

/// Saves `bytes` as `name` in `dir` (created if missing) for a person to open — a print for
/// the PDF viewer, a copy of a scan — and returns where they are. The same bytes already there
/// are left alone (a viewer may be showing them); other bytes replace the file, unless a program
/// holds it open: then they go beside it as `name (2).ext`, `name (3).ext`, … (the first that is
/// free or already holds them), the way a browser names a second download.
pub fn save_in(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, FileError> {
    fs::create_dir_all(dir).map_err(|source| FileError::Io { path: dir.to_path_buf(), source })?;
    let mut held = None;
    for n in 1..=MAX_NUMBERED {
        let path = dir.join(numbered(name, n));
        if holds(&path, bytes) {
            return Ok(path);
        }
        match write_whole(&path, bytes) {
            Ok(()) => return Ok(path),
            Err(e @ FileError::InUse { .. }) => {
                held.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(held.expect("MAX_NUMBERED is at least 1"))
}

/// `name` for n = 1, else `stem (n).ext`.
fn numbered(name: &str, n: u32) -> String {
    if n == 1 {
        return name.to_string();
    }
    match name.rfind('.').filter(|&i| i > 0) {
        Some(dot) => format!("{} ({n}){}", &name[..dot], &name[dot..]),
        None => format!("{name} ({n})"),
    }
}

/// Whether `path` is a file with exactly `bytes` in it.
fn holds(path: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => fs::read(path).is_ok_and(|b| b == bytes),
        _ => false,
    }
}

/// What `fill` writes, in a new temporary file beside `path`, synced to disk; returns its path.
fn write_temp(path: &Path, fill: impl FnOnce(&mut fs::File) -> io::Result<()>) -> Result<PathBuf, FileError> {
    let io = |source| FileError::Io { path: path.to_path_buf(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let (tmp, mut file) = create_temp(dir, &name).map_err(io)?;
    let written = fill(&mut file).and_then(|()| file.sync_all());
    drop(file);
    written.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io(e)
    })?;
    Ok(tmp)
}

/// A new file `.NAME.PID-N.tmp` in `dir`: unique per process and call, so two processes (the
/// window and `tongban sync`) writing the same target never write into each other's file.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The waits between tries of a refused replace: about a second in all, long enough for a
/// virus scanner's look at a new file, short enough for a clerk waiting on a print.
const RETRY_WAITS_MS: [u64; 6] = [20, 40, 80, 160, 300, 400];

/// Renames `from` over `to`, trying again while Windows refuses it (see [`refused`]).
fn replace(from: &Path, to: &Path) -> io::Result<()> {
    let mut waits = RETRY_WAITS_MS.iter();
    loop {
        match fs::rename(from, to) {
            Err(e) if refused(&e) => match waits.next() {
                Some(ms) => std::thread::sleep(Duration::from_millis(*ms)),
                None => return Err(e),
            },
            done => return done,
        }
    }
}

/// Whether the OS refused because another program has the file open: on Windows access denied
/// (what a rename over an open file gets), a sharing or a lock violation; EBUSY elsewhere.
fn refused(e: &io::Error) -> bool {
    #[cfg(windows)]
    {
        const ERROR_ACCESS_DENIED: i32 = 5;
        const ERROR_SHARING_VIOLATION: i32 = 32;
        const ERROR_LOCK_VIOLATION: i32 = 33;
        matches!(e.raw_os_error(), Some(ERROR_ACCESS_DENIED | ERROR_SHARING_VIOLATION | ERROR_LOCK_VIOLATION))
    }
    #[cfg(not(windows))]
    {
        e.kind() == io::ErrorKind::ResourceBusy
    }
}

/// A refusal on an existing, writable target means a program holds it open; a read-only file
/// or anything else is reported as it is.
fn classify(path: &Path, source: io::Error) -> FileError {
    let writable_file = fs::metadata(path).is_ok_and(|m| m.is_file() && !m.permissions().readonly());
    if refused(&source) && writable_file {
        FileError::InUse { path: path.to_path_buf(), source }
    } else {
        FileError::Io { path: path.to_path_buf(), source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("收件登记表-411329-20261123-A1-0001.pdf");
        write_whole(&path, b"first").unwrap();
        write_whole(&path, b"second, longer").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second, longer");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("没有这个文件夹").join("台账.pdf");
        let e = write_whole(&path, b"x").unwrap_err();
        assert!(matches!(e, FileError::Io { .. }), "{e:?}");
        assert!(e.to_string().contains("台账.pdf"), "{e}");
    }

    #[test]
    fn the_same_bytes_are_not_written_again() {
        let dir = tempfile::tempdir().unwrap();
        let first = save_in(dir.path(), "告知书.pdf", b"pdf").unwrap();
        let modified = fs::metadata(&first).unwrap().modified().unwrap();
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(save_in(dir.path(), "告知书.pdf", b"pdf").unwrap(), first);
        assert_eq!(fs::metadata(&first).unwrap().modified().unwrap(), modified);
        assert_eq!(first, dir.path().join("告知书.pdf"));
    }

    #[test]
    fn other_bytes_replace_a_file_nobody_holds() {
        let dir = tempfile::tempdir().unwrap();
        save_in(dir.path(), "告知书.pdf", b"old").unwrap();
        let path = save_in(dir.path(), "告知书.pdf", b"new").unwrap();
        assert_eq!(path, dir.path().join("告知书.pdf"));
        assert_eq!(fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn numbered_names_keep_the_extension() {
        assert_eq!(numbered("台账-2026-11-23.pdf", 1), "台账-2026-11-23.pdf");
        assert_eq!(numbered("台账-2026-11-23.pdf", 2), "台账-2026-11-23 (2).pdf");
        assert_eq!(numbered("扫描件", 3), "扫描件 (3)");
        assert_eq!(numbered(".hidden", 2), ".hidden (2)");
    }

    #[test]
    fn a_file_named_by_its_hash_is_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ab12");
        write_once(&path, b"scan").unwrap();
        write_once(&path, b"scan").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"scan");
        assert!(leftovers(dir.path()).is_empty());
    }

    /// What a PDF viewer does on Windows (Adobe Reader, the Edge viewer): the file open for
    /// reading, shared for reading only. Windows then refuses to replace, rename or delete it.
    /// These run on Windows (and under Wine in CI: `./dev test`).
    #[cfg(windows)]
    mod held_open {
        use std::os::windows::fs::OpenOptionsExt;

        use super::*;

        const FILE_SHARE_READ: u32 = 1;

        fn viewer_opens(path: &Path) -> fs::File {
            fs::OpenOptions::new().read(true).share_mode(FILE_SHARE_READ).open(path).unwrap()
        }

        #[test]
        fn a_file_open_in_a_viewer_is_left_as_it_was() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("收件登记表.pdf");
            fs::write(&path, b"what the viewer shows").unwrap();
            let viewer = viewer_opens(&path);
            let e = write_whole(&path, b"a new print").unwrap_err();
            assert!(matches!(e, FileError::InUse { .. }), "{e:?}");
            assert!(e.to_string().contains("正被其他程序打开"), "{e}");
            assert_eq!(fs::read(&path).unwrap(), b"what the viewer shows");
            assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
            drop(viewer);
            write_whole(&path, b"a new print").unwrap();
            assert_eq!(fs::read(&path).unwrap(), b"a new print");
        }

        #[test]
        fn a_new_print_goes_beside_the_one_the_viewer_shows() {
            let dir = tempfile::tempdir().unwrap();
            let first = save_in(dir.path(), "每日台账-2026-11-23.pdf", b"morning").unwrap();
            let _viewer = viewer_opens(&first);
            let second = save_in(dir.path(), "每日台账-2026-11-23.pdf", b"evening").unwrap();
            assert_eq!(second, dir.path().join("每日台账-2026-11-23 (2).pdf"));
            assert_eq!(fs::read(&first).unwrap(), b"morning");
            assert_eq!(fs::read(&second).unwrap(), b"evening");
            let _second_viewer = viewer_opens(&second);
            // Opening the morning's copy again finds it where it is; the evening's, too.
            assert_eq!(save_in(dir.path(), "每日台账-2026-11-23.pdf", b"morning").unwrap(), first);
            assert_eq!(save_in(dir.path(), "每日台账-2026-11-23.pdf", b"evening").unwrap(), second);
            let third = save_in(dir.path(), "每日台账-2026-11-23.pdf", b"night").unwrap();
            assert_eq!(third, dir.path().join("每日台账-2026-11-23 (3).pdf"));
        }

        /// Windows refuses a replace of a read-only file with the same "access denied" (Wine
        /// does not refuse it at all, so this asks the classification directly).
        #[test]
        fn a_read_only_file_is_not_called_open_elsewhere() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("只读.xlsx");
            fs::write(&path, b"x").unwrap();
            let denied = || io::Error::from_raw_os_error(5);
            assert!(matches!(classify(&path, denied()), FileError::InUse { .. }));
            let mut permissions = fs::metadata(&path).unwrap().permissions();
            permissions.set_readonly(true);
            fs::set_permissions(&path, permissions).unwrap();
            assert!(matches!(classify(&path, denied()), FileError::Io { .. }));
        }
    }
}
