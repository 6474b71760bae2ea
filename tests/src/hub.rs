//! A region hub for the stories: the real `tongban-hub` binary, its database set up with
//! credentials, served on loopback. Used by the window stories here and by `tongban-cli`'s tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

pub const XINYE: &str = "411329";
pub const FENGTAI: &str = "110106";

/// The hub binary, built by cargo on first use: cargo gives an integration test only its own
/// package's binaries, and `cargo test -p …` may not have built the hub at all. Cargo does not
/// hold its build lock while tests run, so this cannot block on the run that started us.
pub fn hub_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        // target/<profile>/deps/<this test> → target
        let exe = std::env::current_exe().expect("the running test's path");
        let target = exe.ancestors().nth(3).expect("a test binary in target/<profile>/deps").to_path_buf();
        let mut cargo = Command::new(env!("CARGO"));
        cargo.args(["build", "--quiet", "-p", "tongban-hub", "--bin", "tongban-hub", "--target-dir"]).arg(&target);
        // What cargo set for this test, not for the build: ring's build script watches
        // CARGO_MANIFEST_DIR, so a build seeing the test's would rebuild ring, rustls and the hub,
        // and the next plain `cargo build` (./dev run) all of them again.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if [
                "CARGO_MANIFEST_",
                "CARGO_PKG_",
                "CARGO_CRATE_",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_BIN_",
                "CARGO_TARGET_TMPDIR",
            ]
            .iter()
            .any(|set_for_the_test| name.starts_with(set_for_the_test))
            {
                cargo.env_remove(&*name);
            }
        }
        let out = cargo.output().expect("cargo runs");
        assert!(out.status.success(), "building tongban-hub: {}", String::from_utf8_lossy(&out.stderr));
        target.join("debug").join(format!("tongban-hub{}", std::env::consts::EXE_SUFFIX))
    })
}

/// Runs `tongban-hub` with `args` (init, credential …) and returns what it printed.
pub fn hub_admin(args: &[&str]) -> String {
    let out = Command::new(hub_binary()).args(args).env_remove("TONGBAN_HUB_REGION").output().unwrap();
    assert!(out.status.success(), "tongban-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A 丰台区 hub database in `dir` with a window credential for 新野县's desk `partner_desk` (desk
/// code `partner_code`) and one for 丰台区审批局's back office (desk code S1): (path, partner
/// token, back-office token).
pub fn hub_database(dir: &Path, partner_desk: &str, partner_code: &str) -> (PathBuf, String, String) {
    let db = dir.join("hub.db");
    let path = db.to_str().unwrap();
    hub_admin(&["init", "--db", path, "--region", FENGTAI]);
    let partner = issue_credential(&db, "window", Some(XINYE), partner_code, partner_desk);
    let back_office = issue_credential(&db, "back_office", None, "S1", "丰台区审批局");
    (db, partner, back_office)
}

/// `tongban-hub credential issue` on `db` for desk `code` (of `region`, or the hub's own): the token.
pub fn issue_credential(db: &Path, role: &str, region: Option<&str>, code: &str, desk: &str) -> String {
    let path = db.to_str().unwrap();
    let mut args = vec!["credential", "issue", "--db", path, "--role", role, "--desk-code", code, "--desk", desk];
    if let Some(region) = region {
        args.extend(["--region", region]);
    }
    hub_admin(&args)
}

/// `tongban-hub serve` on a loopback port; killed when dropped, also on a panic.
pub struct HubProcess {
    child: Child,
    port: u16,
}

impl HubProcess {
    /// Serves `db` on `port` and returns once the hub printed the address it listens on.
    pub fn start(db: &Path, port: u16) -> HubProcess {
        let mut child = Command::new(hub_binary())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--db", db.to_str().unwrap()])
            .env("TONGBAN_HUB_LOG", "error")
            .stdout(Stdio::piped())
            .spawn()
            .expect("tongban-hub starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), format!("listening on http://127.0.0.1:{port}"));
        HubProcess { child, port }
    }

    /// The address desks reach the hub at.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: no shutdown, no flush beyond what the hub already committed.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
