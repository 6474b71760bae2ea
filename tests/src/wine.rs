//! Windows programs under Wine, for the stories that must hold on the clerks' platform: the
//! Windows build of `tongban` and `tongban-hub` (x86_64-pc-windows-gnu, cross-built by
//! `./dev test`) run through `tests/windows/wine` in one Wine prefix. Skipped unless
//! `TONGBAN_WINE=1`.
//!
//! A program is given Windows paths (`C:\打印\登记表.pdf`, `D:\…`); [`unix_path`] says where such
//! a path lies on this machine, so a test can read the file back with poppler.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;

use crate::{target_dir, workspace_root};

/// The Rust target of the Windows build.
pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// Whether the Wine stories run (`TONGBAN_WINE=1`); says why not when they don't.
pub fn enabled(story: &str) -> bool {
    let on = std::env::var("TONGBAN_WINE").as_deref() == Ok("1");
    if !on {
        eprintln!(
            "{story} skipped: set TONGBAN_WINE=1 to run the Windows build under Wine (needs wine64, mingw-w64 and \
             `cargo build --target {TARGET} -p tongban-cli -p tongban-hub`; ./dev test does all that)"
        );
    }
    on
}

/// A program of the Windows build (`target/x86_64-pc-windows-gnu/debug/NAME.exe`;
/// `TONGBAN_WINDOWS_PROFILE` names another profile's folder).
pub fn windows_binary(name: &str) -> PathBuf {
    let profile = std::env::var("TONGBAN_WINDOWS_PROFILE").unwrap_or_else(|_| "debug".into());
    let exe = target_dir().join(TARGET).join(&profile).join(format!("{name}.exe"));
    assert!(
        exe.is_file(),
        "{} is missing: build it first with `cargo build --target {TARGET} -p {}`",
        exe.display(),
        if name == "tongban" { "tongban-cli" } else { name }
    );
    exe
}

/// The Wine prefix the programs run in (its C: drive is `drive_c/`): `TONGBAN_WINEPREFIX`, else
/// `target/wine/prefix`, as `tests/windows/wine` makes it.
pub fn prefix() -> PathBuf {
    std::env::var_os("TONGBAN_WINEPREFIX").map(PathBuf::from).unwrap_or_else(|| target_dir().join("wine/prefix"))
}

/// Drive D: of the prefix: a folder of its own, a second disk as a hall's PC often has.
pub fn drive_d() -> PathBuf {
    prefix().with_file_name("drive-d")
}

/// Makes the prefix (once per test process; the script itself makes it only once) and maps D:.
fn ready() {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        let out = Command::new(script()).args(["cmd", "/c", "exit", "0"]).output().expect("tests/windows/wine runs");
        assert!(
            out.status.success(),
            "setting up the Wine prefix ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::create_dir_all(drive_d()).unwrap();
        let link = prefix().join("dosdevices/d:");
        if std::fs::read_link(&link).ok() != Some(drive_d()) {
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(drive_d(), &link).expect("drive D: for the Wine prefix");
        }
    });
}

fn script() -> PathBuf {
    workspace_root().join("tests/windows/wine")
}

/// `program` (a Windows .exe on this machine) to be run under Wine, with arguments to add.
pub fn command(program: &Path) -> Command {
    ready();
    let mut c = Command::new(script());
    c.arg(program).stdin(Stdio::null());
    c
}

/// Where a path of the prefix's drives (`C:\…`, `D:\…`) lies on this machine.
pub fn unix_path(windows: &str) -> PathBuf {
    ready();
    let (drive, rest) = windows.split_once(":\\").unwrap_or_else(|| panic!("not a drive path: {windows}"));
    let root = match drive.to_ascii_uppercase().as_str() {
        "C" => prefix().join("drive_c"),
        "D" => drive_d(),
        other => panic!("drive {other}: is not mapped in the test prefix"),
    };
    rest.split('\\').filter(|p| !p.is_empty()).fold(root, |p, part| p.join(part))
}

/// A Windows program holding a file open as a PDF viewer does (`tests/windows/hold-open.c`:
/// shared for reading only), until dropped. Meanwhile Windows refuses to replace the file.
pub struct HeldOpen {
    child: Child,
    stdin: Option<ChildStdin>,
}

impl HeldOpen {
    pub fn file(windows: &str) -> HeldOpen {
        let mut child = command(&hold_open_exe())
            .arg(windows)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("hold-open.exe starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "open", "hold-open.exe could not open {windows}");
        let stdin = child.stdin.take();
        HeldOpen { child, stdin }
    }
}

impl Drop for HeldOpen {
    fn drop(&mut self) {
        drop(self.stdin.take()); // its stdin closes: it closes the file and exits
        let _ = self.child.wait();
    }
}

/// `tests/windows/hold-open.c` built with mingw-w64, once per test process.
fn hold_open_exe() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = target_dir().join("wine/hold-open.exe");
            let built = exe.with_extension(format!("{}.exe", std::process::id()));
            let out = Command::new("x86_64-w64-mingw32-gcc")
                .args(["-municode", "-O2", "-Wall", "-o"])
                .arg(&built)
                .arg(workspace_root().join("tests/windows/hold-open.c"))
                .output()
                .expect("x86_64-w64-mingw32-gcc (mingw-w64)");
            assert!(out.status.success(), "building hold-open.exe: {}", String::from_utf8_lossy(&out.stderr));
            std::fs::rename(&built, &exe).unwrap();
            exe
        })
        .clone()
}
