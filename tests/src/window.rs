//! The real app in its real webview, for the `e2e_*` stories: Xvfb + tauri-driver +
//! WebKitWebDriver, driven with fantoccini.
//!
//! A story calls [`enabled`] first (the stories run only with `TONGBAN_E2E=1`), starts one
//! [`Harness`] (a display and tauri-driver), then [`Harness::open`]s the app on a desk database
//! as many times as it needs (one window at a time: close the client before opening the next).
//! With `TONGBAN_E2E=1`, every missing prerequisite is a failure:
//! - the app, built first: `npm --prefix ui ci && npm --prefix ui run build && cargo build -p tongban-app`
//! - `tauri-driver` (`cargo install tauri-driver --locked`; found on PATH, in ~/.cargo/bin, or
//!   named by `TAURI_DRIVER`)
//! - `WebKitWebDriver` (Debian: webkit2gtk-driver)
//! - `Xvfb` (Debian: xvfb), unless `DISPLAY` names a running X server.
//!
//! Screenshots go to `target/e2e/`. Every helper returns `Err(String)` describing what the
//! window showed, so a story can `?` its way through and panic once with the whole picture.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::{built_binary, free_port};

/// Whether the window stories run (`TONGBAN_E2E=1`); says why not when they don't.
pub fn enabled(story: &str) -> bool {
    let on = std::env::var("TONGBAN_E2E").as_deref() == Ok("1");
    if !on {
        eprintln!(
            "{story} skipped: set TONGBAN_E2E=1 to drive the real app (needs Xvfb, tauri-driver, WebKitWebDriver and a built target/debug/tongban-desk)"
        );
    }
    on
}

/// A display and a tauri-driver, stopped (with the app) when dropped, also on a panic.
pub struct Harness {
    prerequisites: Prerequisites,
    /// Held for its `Drop`: the display and the driver live as long as the harness.
    _processes: Processes,
    port: u16,
    native_port: u16,
    viewer_log: PathBuf,
}

impl Harness {
    /// Starts Xvfb (unless `DISPLAY` is set) and tauri-driver. The app's PDF viewer is a script
    /// in `scratch` that writes down the file it was asked to open (see [`Harness::viewer_log`]).
    pub fn start(scratch: &Path) -> Harness {
        Harness::start_with(scratch, true)
    }

    /// [`Harness::start`] on a machine with no PDF viewer: the app's viewer names a program that
    /// does not exist, so every attempt to show a PDF fails as it would without one.
    pub fn start_without_viewer(scratch: &Path) -> Harness {
        Harness::start_with(scratch, false)
    }

    fn start_with(scratch: &Path, with_viewer: bool) -> Harness {
        let prerequisites = Prerequisites::find();
        let mut processes = Processes::default();
        let display = match std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
            Some(d) => d,
            None => processes.start_xvfb(prerequisites.xvfb.as_deref().expect("checked by Prerequisites")),
        };
        let port = free_port();
        let native_port = loop {
            let p = free_port();
            if p != port {
                break p;
            }
        };
        let viewer = scratch.join("viewer.sh");
        let viewer_log = scratch.join("viewer-log");
        std::fs::write(
            &viewer,
            format!("#!/bin/sh\nprintf '%s\\n' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n", viewer_log.display()),
        )
        .expect("viewer script");
        std::fs::set_permissions(&viewer, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod viewer");
        let viewer = if with_viewer { viewer } else { scratch.join("no-pdf-viewer-installed") };
        processes.start_tauri_driver(
            &prerequisites.tauri_driver,
            &prerequisites.webkit_driver,
            &display,
            port,
            native_port,
            &[
                (tongban_desk::viewer::VIEWER_ENV, viewer),
                // The webview's storage (the intake's kept draft) lives in the scratch folder, so
                // a story never finds what an earlier run left behind.
                ("XDG_DATA_HOME", scratch.join("xdg-data")),
                ("XDG_CACHE_HOME", scratch.join("xdg-cache")),
            ],
        );
        Harness { prerequisites, _processes: processes, port, native_port, viewer_log }
    }

    /// The processes the app runs as (its own, and the webview's WebKit processes): every live
    /// descendant of tauri-driver except the WebDriver servers themselves. Linux only.
    pub fn app_processes(&self) -> Vec<u32> {
        let Some(driver) = self._processes.tauri_driver.as_ref().map(|c| c.id()) else {
            return Vec::new();
        };
        let mut parents: Vec<(u32, u32, String)> = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
            let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
            // "pid (comm) state ppid …": comm may hold spaces, so split after its closing paren.
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
            let comm = stat[open + 1..close].to_string();
            let mut rest = stat[close + 1..].split_whitespace();
            let state = rest.next().unwrap_or("");
            let ppid = rest.next().and_then(|p| p.parse().ok()).unwrap_or(0);
            if state != "Z" {
                parents.push((pid, ppid, comm));
            }
        }
        let mut family = vec![driver];
        let mut grew = true;
        while grew {
            grew = false;
            for (pid, ppid, _) in &parents {
                if family.contains(ppid) && !family.contains(pid) {
                    family.push(*pid);
                    grew = true;
                }
            }
        }
        parents
            .into_iter()
            .filter(|(pid, _, comm)| {
                family.contains(pid) && *pid != driver && !comm.starts_with("WebKitWebDriv") && comm != "tauri-driver"
            })
            .map(|(pid, _, _)| pid)
            .collect()
    }

    /// The file the app's PDF viewer last wrote: the path of the PDF it was asked to open.
    /// Remove it before a print to wait for the next one.
    pub fn viewer_log(&self) -> &Path {
        &self.viewer_log
    }

    /// Starts the app on the desk database `db` and waits until its page has mounted. End the
    /// session with `client.close()` (which closes the app) before opening another.
    pub async fn open(&self, db: &Path) -> Result<Client, String> {
        wait_for_port(self.port, Duration::from_secs(15))
            .map_err(|e| format!("tauri-driver never listened on {}: {e}", self.port))?;
        // tauri-driver listens before the WebKitWebDriver it started does, and drops a new-session
        // request it cannot forward; on a loaded machine that gap is long enough to hit.
        wait_for_port(self.native_port, Duration::from_secs(30))
            .map_err(|e| format!("WebKitWebDriver never listened on {}: {e}", self.native_port))?;
        let caps = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": self.prerequisites.app,
                "args": ["--db", db],
            },
        });
        let caps = caps.as_object().expect("object").clone();
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .map_err(|e| format!("could not start the app through tauri-driver: {e}"))?;
        // The webview may still be loading its page when the session starts ("Callback was not
        // called before the unload event"): wait_js treats such errors as "not yet".
        wait_js_within(
            &client,
            "const app = document.getElementById('app'); return !!app && app.childElementCount > 0",
            "the window's page mounted",
            Duration::from_secs(30),
        )
        .await?;
        Ok(client)
    }
}

/// Types `keys` into the element `css` (WebDriver focuses it first, as Tab would).
pub async fn type_into(client: &Client, css: &str, keys: &str) -> Result<(), String> {
    let element = client.find(Locator::Css(css)).await.map_err(|e| format!("no {css}: {e}"))?;
    element.send_keys(keys).await.map_err(|e| format!("typing into {css}: {e}"))
}

/// Clicks the element `css` finds, as a user with the mouse would.
pub async fn click(client: &Client, css: &str) -> Result<(), String> {
    let element = client.find(Locator::Css(css)).await.map_err(|e| format!("no {css}: {e}"))?;
    element.click().await.map_err(|e| format!("clicking {css}: {e}"))
}

/// Sends `keys` to whatever has the focus, as a user at the keyboard would.
pub async fn press(client: &Client, keys: &str, what: &str) -> Result<(), String> {
    let focused = client.active_element().await.map_err(|e| format!("no focused element for {what}: {e}"))?;
    focused.send_keys(keys).await.map_err(|e| format!("pressing {what}: {e}"))
}

/// The key chord Ctrl+`key` for [`press`] and `send_keys`.
pub fn ctrl(key: char) -> String {
    format!("{}{key}{}", char::from(Key::Control), char::from(Key::Null))
}

/// A single special key (F2, Enter, Escape…) for [`press`] and `send_keys`.
pub fn key(key: Key) -> String {
    char::from(key).to_string()
}

/// The `textContent` of the element `css` (also what ellipsis cells hold, which WebKitWebDriver's
/// rendered text reports as empty).
pub async fn text_of(client: &Client, css: &str) -> Result<String, String> {
    let element = client.find(Locator::Css(css)).await.map_err(|e| format!("no {css}: {e}"))?;
    Ok(element.prop("textContent").await.map_err(|e| e.to_string())?.unwrap_or_default())
}

/// Polls a script returning a boolean until it is true, for up to 15 s.
pub async fn wait_js(client: &Client, script: &str, what: &str) -> Result<(), String> {
    wait_js_within(client, script, what, Duration::from_secs(15)).await
}

/// [`wait_js`] with a chosen patience.
pub async fn wait_js_within(client: &Client, script: &str, what: &str, within: Duration) -> Result<(), String> {
    let deadline = Instant::now() + within;
    loop {
        if let Ok(v) = client.execute(script, vec![]).await {
            if v == json!(true) {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(format!("never saw {what}; {}", describe_page(client).await));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every file in `paths` exists (a print saved, a viewer called), for up to 20 s.
pub async fn wait_files(client: &Client, paths: &[&Path], what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !paths.iter().all(|p| p.exists()) {
        if Instant::now() > deadline {
            let missing: Vec<String> = paths.iter().filter(|p| !p.exists()).map(|p| p.display().to_string()).collect();
            return Err(format!("{what}: never saw {}; {}", missing.join(", "), describe_page(client).await));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Saves what the webview shows to `target/e2e/<name>`, a frame after the DOM last changed.
pub async fn save_screenshot(client: &Client, name: &str) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
    let out = screenshot_dir();
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join(name), &png).map_err(|e| e.to_string())?;
    eprintln!("e2e: screenshot {} ({} bytes)", out.join(name).display(), png.len());
    Ok(())
}

/// What the window shows, for a failure message; also saves `target/e2e/failure.png`.
pub async fn describe_page(client: &Client) -> String {
    if let Ok(png) = client.screenshot().await {
        let out = screenshot_dir();
        let _ = std::fs::create_dir_all(&out);
        let _ = std::fs::write(out.join("failure.png"), png);
    }
    let url = client.current_url().await.map(|u| u.to_string()).unwrap_or_else(|e| format!("(no url: {e})"));
    let text = client
        .execute(
            "return (document.body ? document.body.innerText : '(no body)') + ' | #app children: ' + \
             (document.getElementById('app') || {childElementCount: -1}).childElementCount + \
             ' | errors: ' + JSON.stringify(window.__tbErrors || null)",
            vec![],
        )
        .await
        .map(|v| v.as_str().unwrap_or_default().chars().take(600).collect::<String>())
        .unwrap_or_else(|e| format!("(no text: {e})"));
    format!("the page at {url} shows: {text:?} (screenshot target/e2e/failure.png)")
}

/// Runs a story with an overall time limit, so a hung window fails the test instead of CI.
pub async fn within<T>(
    limit: Duration,
    story: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    tokio::time::timeout(limit, story)
        .await
        .unwrap_or_else(|_| Err(format!("the story did not finish within {} s", limit.as_secs())))
}

/// Everything the stories need from the machine; with TONGBAN_E2E=1 a missing piece fails here.
struct Prerequisites {
    app: PathBuf,
    tauri_driver: PathBuf,
    webkit_driver: PathBuf,
    xvfb: Option<PathBuf>,
}

impl Prerequisites {
    fn find() -> Prerequisites {
        let mut missing = Vec::new();
        let app = built_binary("tongban-desk");
        if !app.is_file() {
            missing.push(format!(
                "the app binary {} (build it: npm --prefix ui ci && npm --prefix ui run build && cargo build -p tongban-app)",
                app.display()
            ));
        }
        let tauri_driver = std::env::var_os("TAURI_DRIVER")
            .map(PathBuf::from)
            .filter(|p| p.is_file())
            .or_else(|| which("tauri-driver"))
            .or_else(|| {
                let p = PathBuf::from(std::env::var_os("HOME")?).join(".cargo/bin/tauri-driver");
                p.is_file().then_some(p)
            });
        if tauri_driver.is_none() {
            missing.push("tauri-driver (cargo install tauri-driver --locked; or set TAURI_DRIVER)".into());
        }
        let webkit_driver = which("WebKitWebDriver");
        if webkit_driver.is_none() {
            missing.push("WebKitWebDriver on PATH (Debian: apt-get install webkit2gtk-driver)".into());
        }
        let need_xvfb = std::env::var("DISPLAY").map_or(true, |d| d.is_empty());
        let xvfb = which("Xvfb");
        if need_xvfb && xvfb.is_none() {
            missing.push("Xvfb on PATH, or DISPLAY set to a running X server (Debian: apt-get install xvfb)".into());
        }
        assert!(
            missing.is_empty(),
            "TONGBAN_E2E=1 but the end-to-end stories cannot run; missing:\n  - {}",
            missing.join("\n  - ")
        );
        Prerequisites {
            app: app.canonicalize().expect("app path"),
            tauri_driver: tauri_driver.expect("checked"),
            webkit_driver: webkit_driver.expect("checked"),
            xvfb,
        }
    }
}

/// The harness's child processes, stopped in reverse order when dropped (also on a panic).
#[derive(Default)]
struct Processes {
    xvfb: Option<(Child, String)>,
    tauri_driver: Option<Child>,
}

impl Processes {
    fn start_xvfb(&mut self, xvfb: &Path) -> String {
        let n = (99..400)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("a free X display number");
        let display = format!(":{n}");
        let child = Command::new(xvfb)
            // 1366×768: the common office resolution the window is designed for.
            .args([display.as_str(), "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", xvfb.display()));
        self.xvfb = Some((child, display.clone()));
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            if let Some((child, _)) = self.xvfb.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("Xvfb {display} exited at start: {status}");
                }
            }
            assert!(Instant::now() < deadline, "Xvfb {display} did not come up within 10 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        display
    }

    fn start_tauri_driver(
        &mut self,
        driver: &Path,
        webkit: &Path,
        display: &str,
        port: u16,
        native_port: u16,
        env: &[(&str, PathBuf)],
    ) {
        let child = Command::new(driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string(), "--native-driver"])
            .arg(webkit)
            .env("DISPLAY", display)
            // Inherited by WebKitWebDriver and the app it starts.
            .envs(env.iter().map(|(k, v)| (*k, v)))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", driver.display()));
        self.tauri_driver = Some(child);
    }
}

impl Drop for Processes {
    fn drop(&mut self) {
        if let Some(mut child) = self.tauri_driver.take() {
            // SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver (and with it the app).
            terminate(&mut child, "tauri-driver");
        }
        if let Some((mut child, display)) = self.xvfb.take() {
            terminate(&mut child, &format!("Xvfb {display}"));
        }
    }
}

fn terminate(child: &mut Child, what: &str) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // SAFETY: kill(2) on the pid of our own child, which we have not reaped yet.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("e2e: {what} ignored SIGTERM for 5 s; killing it");
    let _ = child.kill();
    let _ = child.wait();
}

pub fn wait_for_port(port: u16, within: Duration) -> std::io::Result<()> {
    let deadline = Instant::now() + within;
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(_) => return Ok(()),
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file())
}

/// Where screenshots go: `target/e2e/` (or under `CARGO_TARGET_DIR`).
pub fn screenshot_dir() -> PathBuf {
    crate::target_dir().join("e2e")
}

/// The queue table's visible rows.
pub const QUEUE_ROWS: &str = ".case-queue-table .el-table__body tr.el-table__row";

/// Reads (办件编号, 申请人) of the queue's visible rows until `done` holds, or fails after 10 s
/// with what the table showed last.
pub async fn wait_queue_rows(
    client: &Client,
    done: impl Fn(&[(String, String)]) -> bool,
    what: &str,
) -> Result<Vec<(String, String)>, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = Vec::new();
    loop {
        // Rows are re-rendered while the query answers; a vanished element just means "again".
        if let Ok(rows) = queue_rows(client).await {
            if done(&rows) {
                return Ok(rows);
            }
            last = rows;
        }
        if Instant::now() > deadline {
            return Err(format!("the queue never showed {what}; it showed {} rows: {last:?}", last.len()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// In the open intake, types an applicant (姓名, 证件号码, 电话) and waits until the ID number's
/// check shows `note` (e.g. its birth date).
pub async fn type_applicant(
    client: &Client,
    name: &str,
    id_number: &str,
    phone: &str,
    note: &str,
) -> Result<(), String> {
    type_into(client, "#intake-name", name).await?;
    type_into(client, "#intake-id-number", id_number).await?;
    type_into(client, "#intake-phone", phone).await?;
    wait_js(
        client,
        &format!(
            "const n = document.querySelector('[data-testid=intake-id-note]'); return !!n && n.textContent.includes('{note}')"
        ),
        "the checked ID number's note",
    )
    .await
}

/// Ctrl+S in the intake: waits until it names the saved case; returns its result line and the
/// 办件编号.
pub async fn save_intake(client: &Client) -> Result<(String, String), String> {
    press(client, &ctrl('s'), "Ctrl+S").await?;
    wait_js(
        client,
        "const r = document.querySelector('[data-testid=intake-result]'); return !!r && /\\d{6}-\\d{8}-[A-Z0-9]{1,4}-\\d{4}/.test(r.textContent)",
        "the saved case's number",
    )
    .await?;
    let result = text_of(client, "[data-testid=intake-result]").await?;
    let number = result
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| tongban_core::case::CaseNumber::parse(w).is_ok())
        .ok_or_else(|| format!("no case number in {result:?}"))?
        .to_string();
    Ok((result, number))
}

async fn queue_rows(client: &Client) -> Result<Vec<(String, String)>, fantoccini::error::CmdError> {
    let mut out = Vec::new();
    for row in client.find_all(Locator::Css(QUEUE_ROWS)).await? {
        // textContent, not the rendered text: WebKitWebDriver reports "" for the ellipsis cells
        // of Element Plus's show-overflow-tooltip columns (the screenshot shows the name).
        let number = row.find(Locator::Css(".col-number .cell")).await?.prop("textContent").await?;
        let name = row.find(Locator::Css(".col-applicant .cell")).await?.prop("textContent").await?;
        out.push((number.unwrap_or_default().trim().to_string(), name.unwrap_or_default().trim().to_string()));
    }
    Ok(out)
}

/// Logs in on the login screen by keyboard (login, Enter, password, Enter) and waits for the
/// queue; fails with what the login screen said if it refused.
pub async fn log_in(client: &Client, login: &str, password: &str) -> Result<(), String> {
    submit_login(client, login, password).await?;
    wait_js(
        client,
        "return !document.querySelector('[data-testid=login-screen]') && !!document.querySelector('.case-queue-table')",
        &format!("the queue after logging in as {login}"),
    )
    .await
}

/// Types `login` and `password` into the login screen (clearing what was there) and presses
/// Enter, without waiting for the answer: a story that expects a refusal reads
/// `[data-testid=login-error]` next.
pub async fn submit_login(client: &Client, login: &str, password: &str) -> Result<(), String> {
    wait_js(client, "return !!document.querySelector('#login-name')", "the login screen").await?;
    for (css, value) in [("#login-name", login), ("#login-password", password)] {
        let field = client.find(Locator::Css(css)).await.map_err(|e| format!("no {css}: {e}"))?;
        clear_field(&field, css).await?;
        field.send_keys(value).await.map_err(|e| format!("typing into {css}: {e}"))?;
        // Enter: from the login to the password, from the password it logs in.
        field.send_keys(&key(Key::Enter)).await.map_err(|e| format!("Enter in {css}: {e}"))?;
    }
    Ok(())
}

/// Empties a text field as a user does (Ctrl+A, Backspace), so the page sees the input events;
/// WebDriver's own clear leaves Vue's model holding the old text.
pub async fn clear_field(field: &fantoccini::elements::Element, what: &str) -> Result<(), String> {
    let keys = format!("{}{}", ctrl('a'), key(Key::Backspace));
    field.send_keys(&keys).await.map_err(|e| format!("clearing {what}: {e}"))
}
