//! The real app in its real webview: Xvfb + tauri-driver + WebKitWebDriver, driven with
//! fantoccini. Seeds a desk, opens the window on it, searches for one applicant by typing, and
//! checks the queue shows exactly that case; prints its receipt with Ctrl+P; then takes a 一件事
//! in with F2, typed fields and Ctrl+S, and reads the printed notice and receipt back. Screenshots
//! go to `target/e2e/`.
//!
//! Skipped unless `TONGBAN_E2E=1`. With it, every missing prerequisite is a failure:
//! - the app, built first: `npm --prefix ui ci && npm --prefix ui run build && cargo build -p tongban-app`
//! - `tauri-driver` (`cargo install tauri-driver --locked`; found on PATH, in ~/.cargo/bin, or
//!   named by `TAURI_DRIVER`)
//! - `WebKitWebDriver` (Debian: webkit2gtk-driver)
//! - `Xvfb` (Debian: xvfb), unless `DISPLAY` names a running X server.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tongban_tests::{built_binary, workspace_root};

const ROWS: &str = ".case-queue-table .el-table__body tr.el-table__row";
const SEARCH: &str = "#queue-search";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_search_finds_the_typed_applicant() {
    if std::env::var("TONGBAN_E2E").as_deref() != Ok("1") {
        eprintln!("e2e_window skipped: set TONGBAN_E2E=1 to drive the real app (needs Xvfb, tauri-driver, WebKitWebDriver and a built target/debug/tongban-desk)");
        return;
    }
    let started = Instant::now();
    let prereq = Prerequisites::find();

    // A desk with a few cases, in a folder of its own.
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("desk.db");
    let seeded = tongban_desk::demo::seed(&db, 12).expect("seed the demo desk");
    assert_eq!(seeded.len(), 12);
    // 丰台区's hub, configured but down: the window's sync must say so in the status bar.
    let hub = tongban_store::HubSetup {
        region: "110106".into(),
        name: "北京市丰台区".into(),
        url: format!("http://127.0.0.1:{}", free_port()),
        credential: "token".into(),
    };
    tongban_store::Store::open(&db).unwrap().add_hub(&hub, chrono::Utc::now()).expect("configure the hub");
    // The case to look for: an applicant whose name no other seeded applicant's name contains.
    let target = seeded
        .iter()
        .find(|c| seeded.iter().filter(|o| o.applicant_name.contains(&c.applicant_name)).count() == 1)
        .expect("a seeded applicant with a distinctive name")
        .clone();
    eprintln!(
        "e2e_window: seeded {} cases in {}; searching for {} ({})",
        seeded.len(),
        db.display(),
        target.applicant_name,
        target.number
    );

    let mut procs = Processes::default();
    let display = match std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
        Some(d) => d,
        None => procs.start_xvfb(prereq.xvfb.as_deref().expect("checked by Prerequisites")),
    };
    let port = free_port();
    let native_port = loop {
        let p = free_port();
        if p != port {
            break p;
        }
    };
    // The PDF viewer the app hands prints to: a script that notes the file (no window opens).
    let viewer = dir.path().join("viewer.sh");
    let viewer_log = db.with_extension("viewer-log");
    std::fs::write(
        &viewer,
        format!("#!/bin/sh\nprintf '%s\\n' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n", viewer_log.display()),
    )
    .expect("viewer script");
    std::fs::set_permissions(&viewer, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod viewer");
    procs.start_tauri_driver(&prereq.tauri_driver, &prereq.webkit_driver, &display, port, native_port, &viewer);

    let outcome =
        tokio::time::timeout(Duration::from_secs(120), drive(&prereq.app, &db, port, native_port, &target)).await;
    let client = match outcome {
        Ok(Ok(client)) => client,
        Ok(Err(e)) => panic!("{e}"),
        Err(_) => panic!("e2e_window: the app did not finish the story within 120 s"),
    };
    client.close().await.expect("end the WebDriver session (closes the app)");
    drop(procs); // SIGTERM tauri-driver (it stops WebKitWebDriver), then Xvfb
    eprintln!("e2e_window: passed in {:.1} s", started.elapsed().as_secs_f64());
}

/// The story itself; returns the client so the caller ends the session.
async fn drive(
    app: &Path,
    db: &Path,
    port: u16,
    native_port: u16,
    target: &tongban_desk::demo::SeededCase,
) -> Result<Client, String> {
    wait_for_port(port, Duration::from_secs(15)).map_err(|e| format!("tauri-driver never listened on {port}: {e}"))?;
    // tauri-driver listens before the WebKitWebDriver it started does, and drops a new-session
    // request it cannot forward; on a loaded machine that gap is long enough to hit.
    wait_for_port(native_port, Duration::from_secs(30))
        .map_err(|e| format!("WebKitWebDriver never listened on {native_port}: {e}"))?;
    let caps = json!({
        "browserName": "wry",
        "tauri:options": {
            "application": app,
            "args": ["--db", db],
        },
    });
    let caps = caps.as_object().expect("object").clone();
    let t0 = Instant::now();
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .map_err(|e| format!("could not start the app through tauri-driver: {e}"))?;

    // The queue shows the seeded cases, under the demo desk's name.
    // The webview may still be loading its page when the session starts ("Callback was not
    // called before the unload event"): poll, and treat errors as "not yet".
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match client.find_all(Locator::Css(ROWS)).await {
            Ok(rows) if !rows.is_empty() => break,
            Ok(_) if Instant::now() > deadline => {
                return Err(format!("the queue table never showed a row within 30 s; {}", describe_page(&client).await))
            }
            Err(e) if Instant::now() > deadline => {
                return Err(format!("the queue table never showed a row: {e}; {}", describe_page(&client).await))
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    eprintln!("e2e_window: queue visible {:.1} s after the session started", t0.elapsed().as_secs_f64());
    let all = wait_rows(&client, |rows| rows.len() == 12, "all 12 seeded cases").await?;
    assert_eq!(all.len(), 12, "{all:?}");
    let header = client
        .find(Locator::Css("[data-testid=desk-name]"))
        .await
        .map_err(|e| format!("no desk name in the header: {e}"))?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    assert!(header.contains("新野县"), "header shows the desk's region: {header:?}");

    wait_js(
        &client,
        "const h = document.querySelector('[data-testid=sync-hub-110106]'); return !!h && h.textContent.includes('无法连接通办中心') && h.textContent.includes('对方拒绝连接')",
        "the status bar reporting 丰台区's hub unreachable",
    )
    .await?;
    save_screenshot(&client, "queue-all.png").await?;

    // The search box has the focus on load: type straight into the focused element.
    let active = client
        .execute("return document.activeElement && document.activeElement.id", vec![])
        .await
        .map_err(|e| e.to_string())?;
    assert_eq!(active, json!("queue-search"), "the search box is focused on load");
    let search = client.find(Locator::Css(SEARCH)).await.map_err(|e| format!("no search box: {e}"))?;
    search.send_keys(&target.applicant_name).await.map_err(|e| format!("typing into the search box: {e}"))?;

    let found = wait_rows(&client, |rows| rows.len() == 1, &format!("only {}", target.applicant_name)).await;
    // A frame for the screenshot to catch up with the DOM, then the picture.
    tokio::time::sleep(Duration::from_millis(400)).await;
    save_screenshot(&client, "queue.png").await?;

    let found = found?;
    assert_eq!(
        found,
        vec![(target.number.clone(), target.applicant_name.clone())],
        "the queue shows exactly the case of the typed applicant"
    );

    // Ctrl+P prints the receipt of the only row the search left: saved beside the database and
    // handed to the PDF viewer (here a script that writes down what it was asked to open).
    search
        .send_keys(&format!("{}p{}", char::from(Key::Control), char::from(Key::Null)))
        .await
        .map_err(|e| format!("pressing Ctrl+P: {e}"))?;
    let receipt = db.with_extension("prints").join(format!("收件登记表-{}.pdf", target.number));
    let opened = db.with_extension("viewer-log");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(receipt.exists() && opened.exists()) {
        if Instant::now() > deadline {
            return Err(format!(
                "Ctrl+P did not save {} and open it; {}",
                receipt.display(),
                describe_page(&client).await
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = tongban_tests::pdf_text(&receipt);
    assert!(text.contains(&target.number) && text.contains(&target.applicant_name), "the receipt's text: {text}");
    assert_eq!(std::fs::read_to_string(&opened).map_err(|e| e.to_string())?.trim(), receipt.display().to_string());
    tokio::time::sleep(Duration::from_millis(300)).await;
    save_screenshot(&client, "queue-printed.png").await?;

    // Esc clears the search and the whole queue is back.
    search.send_keys(&char::from(Key::Escape).to_string()).await.map_err(|e| format!("pressing Esc: {e}"))?;
    let back = wait_rows(&client, |rows| rows.len() == 12, "all cases again after Esc").await?;
    assert_eq!(back.len(), 12);
    let value = search.prop("value").await.map_err(|e| e.to_string())?;
    assert_eq!(value.as_deref(), Some(""), "Esc empties the search box");

    take_in_a_bundle(&client, db).await?;
    Ok(client)
}

/// F2, then an intake typed in: 退休一件事 from 丰台区's catalog, an applicant, two materials
/// brought; Ctrl+S saves it as 待补正 and prints the notice and the receipt.
async fn take_in_a_bundle(client: &Client, db: &Path) -> Result<(), String> {
    let search = client.find(Locator::Css(SEARCH)).await.map_err(|e| e.to_string())?;
    search.send_keys(&char::from(Key::F2).to_string()).await.map_err(|e| format!("pressing F2: {e}"))?;
    let picker_focused = "return !!document.querySelector('[data-testid=intake-dialog]') && \
        !!document.activeElement && !!document.activeElement.closest('.tb-item-select')";
    wait_js(client, picker_focused, "F2 opens the intake with the item picker focused").await?;
    let picker = client.active_element().await.map_err(|e| e.to_string())?;
    picker.send_keys("退休一件事").await.map_err(|e| format!("typing the item: {e}"))?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    picker.send_keys(&char::from(Key::Enter).to_string()).await.map_err(|e| format!("choosing the item: {e}"))?;
    wait_js(
        client,
        "const b = document.querySelector('[data-testid=intake-bundle-items]'); return !!b && b.textContent.includes('离退休提取住房公积金')",
        "the chosen 一件事 with its three items",
    )
    .await?;
    let contacts = text_of(client, "[data-testid=intake-contacts]").await?;
    assert!(contacts.contains("010-"), "the liaisons are shown beside the item: {contacts}");

    type_into(client, "#intake-name", "周桂兰").await?;
    type_into(client, "#intake-id-number", "110105195607120056").await?;
    type_into(client, "#intake-phone", "13937700002").await?;
    wait_js(
        client,
        "const n = document.querySelector('[data-testid=intake-id-note]'); return !!n && n.textContent.includes('1956年7月12日出生')",
        "the checked ID number's birth date",
    )
    .await?;
    for row in ["#intake-material-0", "#intake-material-1"] {
        type_into(client, row, " ").await?; // Space ticks 已收
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    save_screenshot(client, "intake.png").await?;

    let focused = client.active_element().await.map_err(|e| e.to_string())?;
    focused
        .send_keys(&format!("{}s{}", char::from(Key::Control), char::from(Key::Null)))
        .await
        .map_err(|e| format!("pressing Ctrl+S: {e}"))?;
    wait_js(
        client,
        "const r = document.querySelector('[data-testid=intake-result]'); return !!r && /411329-\\d{8}-A1-\\d{4}/.test(r.textContent)",
        "the saved case's number",
    )
    .await?;
    let result = text_of(client, "[data-testid=intake-result]").await?;
    assert!(result.contains("待补正"), "three materials are missing: {result}");
    let number = result
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find(|w| w.starts_with("411329-"))
        .ok_or_else(|| format!("no case number in {result:?}"))?
        .to_string();
    let prints = db.with_extension("prints");
    let notice = prints.join(format!("一次性告知书-{number}.pdf"));
    let receipt = prints.join(format!("收件登记表-{number}.pdf"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !(notice.exists() && receipt.exists()) {
        if Instant::now() > deadline {
            return Err(format!("the intake did not print {} and {}", notice.display(), receipt.display()));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = tongban_tests::pdf_text(&notice);
    for missing in ["基本养老金申领表", "参保人员信息变更表", "离退休证明"] {
        assert!(text.contains(missing), "the notice lists {missing}: {text}");
    }
    let text = tongban_tests::pdf_text(&receipt);
    assert!(text.contains("周桂兰") && text.contains("退休一件事") && text.contains(&number), "the receipt: {text}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    save_screenshot(client, "intake-saved.png").await?;
    Ok(())
}

/// Types `keys` into the element `css` (WebDriver focuses it first, as Tab would).
async fn type_into(client: &Client, css: &str, keys: &str) -> Result<(), String> {
    let element = client.find(Locator::Css(css)).await.map_err(|e| format!("no {css}: {e}"))?;
    element.send_keys(keys).await.map_err(|e| format!("typing into {css}: {e}"))
}

async fn text_of(client: &Client, css: &str) -> Result<String, String> {
    let element = client.find(Locator::Css(css)).await.map_err(|e| format!("no {css}: {e}"))?;
    Ok(element.prop("textContent").await.map_err(|e| e.to_string())?.unwrap_or_default())
}

/// Polls a script returning a boolean until it is true, for up to 15 s.
async fn wait_js(client: &Client, script: &str, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(15);
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

/// Saves what the webview shows to `target/e2e/<name>`.
async fn save_screenshot(client: &Client, name: &str) -> Result<(), String> {
    let png = client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?;
    let out = target_dir().join("e2e");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join(name), &png).map_err(|e| e.to_string())?;
    eprintln!("e2e_window: screenshot {} ({} bytes)", out.join(name).display(), png.len());
    Ok(())
}

/// What the window shows, for a failure message; also saves `target/e2e/failure.png`.
async fn describe_page(client: &Client) -> String {
    if let Ok(png) = client.screenshot().await {
        let out = target_dir().join("e2e");
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

/// Reads (办件编号, 申请人) of the visible rows until `done` holds, or fails after 10 s with what
/// the table showed last.
async fn wait_rows(
    client: &Client,
    done: impl Fn(&[(String, String)]) -> bool,
    what: &str,
) -> Result<Vec<(String, String)>, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = Vec::new();
    loop {
        // Rows are re-rendered while the query answers; a vanished element just means "again".
        if let Ok(rows) = read_rows(client).await {
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

async fn read_rows(client: &Client) -> Result<Vec<(String, String)>, fantoccini::error::CmdError> {
    let mut out = Vec::new();
    for row in client.find_all(Locator::Css(ROWS)).await? {
        // textContent, not the rendered text: WebKitWebDriver reports "" for the ellipsis cells
        // of Element Plus's show-overflow-tooltip columns (the screenshot shows the name).
        let number = row.find(Locator::Css(".col-number .cell")).await?.prop("textContent").await?;
        let name = row.find(Locator::Css(".col-applicant .cell")).await?.prop("textContent").await?;
        out.push((number.unwrap_or_default().trim().to_string(), name.unwrap_or_default().trim().to_string()));
    }
    Ok(out)
}

/// Everything the test needs from the machine; with TONGBAN_E2E=1 a missing piece fails here.
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
            "TONGBAN_E2E=1 but the end-to-end test cannot run; missing:\n  - {}",
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

/// The child processes of the test, stopped in reverse order when dropped (also on a panic).
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
            .args([display.as_str(), "-screen", "0", "1920x1080x24", "-nolisten", "tcp"])
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
        viewer: &Path,
    ) {
        let child = Command::new(driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string(), "--native-driver"])
            .arg(webkit)
            .env("DISPLAY", display)
            // Inherited by WebKitWebDriver and the app it starts.
            .env(tongban_desk::viewer::VIEWER_ENV, viewer)
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
    eprintln!("e2e_window: {what} ignored SIGTERM for 5 s; killing it");
    let _ = child.kill();
    let _ = child.wait();
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free local port").port()
}

fn wait_for_port(port: u16, within: Duration) -> std::io::Result<()> {
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

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}
