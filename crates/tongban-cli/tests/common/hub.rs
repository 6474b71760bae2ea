//! A region hub for the CLI stories: the real `tongban-hub` binary, its database set up with
//! credentials, served on loopback; and desks set up to talk to it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use super::{ok, tongban};

pub const XINYE: &str = "411329";
pub const FENGTAI: &str = "110106";

/// The hub binary, built by cargo on first use (cargo gives an integration test only its own
/// package's binaries). Cargo does not hold its build lock while tests run, so this cannot block.
pub fn hub_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        // target/<profile>/deps/<this test> → target
        let exe = std::env::current_exe().unwrap();
        let target = exe.ancestors().nth(3).unwrap().to_path_buf();
        let out = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "tongban-hub", "--bin", "tongban-hub", "--target-dir"])
            .arg(&target)
            .output()
            .expect("cargo runs");
        assert!(out.status.success(), "building tongban-hub: {}", String::from_utf8_lossy(&out.stderr));
        target.join("debug").join(format!("tongban-hub{}", std::env::consts::EXE_SUFFIX))
    })
}

pub fn hub_admin(args: &[&str]) -> String {
    let out = Command::new(hub_binary()).args(args).env_remove("TONGBAN_HUB_REGION").output().unwrap();
    assert!(out.status.success(), "tongban-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A 丰台区 hub database: (path, partner token for 新野县, back-office token).
pub fn hub_database(dir: &Path) -> (PathBuf, String, String) {
    let db = dir.join("hub.db");
    let path = db.to_str().unwrap();
    hub_admin(&["init", "--db", path, "--region", FENGTAI]);
    let partner = hub_admin(&[
        "credential",
        "issue",
        "--db",
        path,
        "--role",
        "partner",
        "--region",
        XINYE,
        "--desk",
        "新野县帮办员",
    ]);
    let back_office =
        hub_admin(&["credential", "issue", "--db", path, "--role", "back_office", "--desk", "丰台区审批局"]);
    (db, partner, back_office)
}

/// A port nothing listens on yet.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `tongban-hub serve` on `port`; returns once it printed the address it listens on.
pub struct HubProcess(pub Child);

impl HubProcess {
    pub fn start(db: &Path, port: u16) -> HubProcess {
        let mut child = Command::new(hub_binary())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db", db.to_str().unwrap()])
            .env("TONGBAN_HUB_LOG", "error")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), format!("listening on http://127.0.0.1:{port}"));
        HubProcess(child)
    }

    /// SIGKILL: no shutdown, no flush beyond what the hub already committed.
    pub fn kill(mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// (cases, events, distinct event ids) straight from the hub's database.
pub fn hub_counts(db: &Path) -> (u64, u64, u64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let one = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, u64>(0)).unwrap();
    (
        one("SELECT count(*) FROM cases"),
        one("SELECT count(*) FROM events"),
        one("SELECT count(DISTINCT id) FROM events"),
    )
}

pub fn init_desk(db: &Path, region: &str, desk_code: &str, role: &str) {
    ok(tongban(
        db,
        &[
            "init",
            "--region",
            region,
            "--hall",
            "政务服务中心",
            "--window",
            "通办窗口",
            "--desk-code",
            desk_code,
            "--login",
            "wang",
            "--name",
            "王晓丽",
            "--role",
            role,
        ],
    ));
}

pub fn partner_add(db: &Path, region: &str, name: &str, port: u16, token: &str) -> String {
    let url = format!("http://127.0.0.1:{port}");
    ok(tongban(db, &["partner", "add", "--region", region, "--name", name, "--hub", &url, "--credential", token]))
}
