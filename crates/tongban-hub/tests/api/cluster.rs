//! Which database the API tests run on: SQLite files (the default) or, with
//! `TONGBAN_HUB_TEST_DB=postgres`, a throwaway PostgreSQL cluster this test process starts itself.
//!
//! The cluster lives in a temporary folder (`initdb`, then `postgres` listening only on a unix
//! socket in that folder, fsync off: nothing here must survive a power cut). A small shell
//! watches this process through a pipe: when the process ends, however it ends (even SIGKILL),
//! the pipe closes and the shell stops the server and removes the folder. No service is left
//! behind and no port is taken. Each test gets a database of its own in the cluster.
//!
//! PostgreSQL's programs are looked for in `TONGBAN_PG_BIN`, on `PATH`, then in Debian's
//! `/usr/lib/postgresql/<version>/bin`. Without them the tests run on SQLite after a loud
//! message, unless `TONGBAN_REQUIRE_POSTGRES` is set (CI sets it), where they fail instead.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Where one test's hub keeps its tables and scans; removed (or dropped) with it.
pub struct TestDatabase {
    /// The `--db` a hub is given: a SQLite file or a `postgres://` URL.
    pub db: PathBuf,
    /// The scans' folder: beside the SQLite file, or a folder of its own for PostgreSQL.
    pub blob_dir: PathBuf,
    pub is_postgres: bool,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    /// A fresh, empty database of the backend this run tests.
    pub fn new() -> TestDatabase {
        TestDatabase::in_cluster(cluster())
    }

    /// A fresh SQLite file, whatever this run tests.
    pub fn sqlite() -> TestDatabase {
        TestDatabase::in_cluster(None)
    }

    /// A fresh PostgreSQL database, whatever this run tests (the benchmark); panics without
    /// PostgreSQL's programs.
    #[allow(dead_code)] // the tests take the run's backend; benches/province.rs takes both
    pub fn postgres() -> TestDatabase {
        let bin = bin_dir().expect("PostgreSQL's programs (initdb, postgres): apt-get install postgresql");
        TestDatabase::in_cluster(Some(started(&bin)))
    }

    fn in_cluster(cluster: Option<&Cluster>) -> TestDatabase {
        let dir = tempfile::tempdir().unwrap();
        match cluster {
            Some(cluster) => {
                let name = cluster.create_database();
                TestDatabase {
                    db: PathBuf::from(cluster.url(&name)),
                    blob_dir: dir.path().join("blobs"),
                    is_postgres: true,
                    _dir: dir,
                }
            }
            None => TestDatabase {
                db: dir.path().join("hub.db"),
                blob_dir: dir.path().join("hub.blobs"),
                is_postgres: false,
                _dir: dir,
            },
        }
    }
}

/// Runs `sql` on a test database: with rusqlite on a file, with psql on a `postgres://` URL.
pub fn execute_sql(db: &Path, sql: &str) {
    match cluster().filter(|_| db.to_string_lossy().starts_with("postgres")) {
        Some(cluster) => cluster.psql(&db.to_string_lossy(), sql).unwrap(),
        None => {
            rusqlite::Connection::open(db).unwrap().execute_batch(sql).unwrap();
        }
    }
}

/// The first column of the first row `sql` returns on a test database, as text.
pub fn query_sql(db: &Path, sql: &str) -> String {
    match cluster().filter(|_| db.to_string_lossy().starts_with("postgres")) {
        Some(cluster) => cluster.psql_output(&db.to_string_lossy(), sql).unwrap(),
        None => rusqlite::Connection::open(db)
            .unwrap()
            .query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
            .map(|v| match v {
                rusqlite::types::Value::Null => String::new(),
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Real(f) => f.to_string(),
                rusqlite::types::Value::Text(t) => t,
                rusqlite::types::Value::Blob(b) => format!("{b:?}"),
            })
            .unwrap(),
    }
}

/// The cluster, when this run tests PostgreSQL.
fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<&'static Cluster>> = OnceLock::new();
    *CLUSTER.get_or_init(|| {
        let wanted = std::env::var("TONGBAN_HUB_TEST_DB").is_ok_and(|v| v == "postgres");
        if !wanted {
            return None;
        }
        match bin_dir() {
            Some(bin) => Some(started(&bin)),
            None if std::env::var_os("TONGBAN_REQUIRE_POSTGRES").is_some() => panic!(
                "TONGBAN_HUB_TEST_DB=postgres and TONGBAN_REQUIRE_POSTGRES are set, but no PostgreSQL programs \
                     (initdb, postgres) were found: apt-get install postgresql, or set TONGBAN_PG_BIN"
            ),
            None => {
                eprintln!(
                    "\n\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\
                         !!! PostgreSQL NOT TESTED: no initdb/postgres found (apt-get install postgresql).  !!!\n\
                         !!! These API tests run on SQLite instead.                                          !!!\n\
                         !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
                );
                None
            }
        }
    })
}

/// The one cluster of this process, started the first time.
fn started(bin: &Path) -> &'static Cluster {
    static STARTED: OnceLock<Cluster> = OnceLock::new();
    STARTED.get_or_init(|| Cluster::start(bin, None))
}

/// PostgreSQL's programs, for a test that needs a cluster of its own whatever this run tests:
/// `None` (with a message) when they are missing, unless `TONGBAN_REQUIRE_POSTGRES` is set.
pub fn programs(test: &str) -> Option<PathBuf> {
    let found = bin_dir();
    if found.is_none() {
        assert!(
            std::env::var_os("TONGBAN_REQUIRE_POSTGRES").is_none(),
            "{test}: TONGBAN_REQUIRE_POSTGRES is set, but no PostgreSQL programs were found"
        );
        eprintln!("{test} skipped: no PostgreSQL programs (apt-get install postgresql)");
    }
    found
}

/// A cluster of its own listening on 127.0.0.1 with TLS (`ssl = on`, the given certificate and
/// key), where TCP logins need a password (scram-sha-256), as a province's database server; and
/// a role `hub` with `password`. Stopped and removed with this process, as the shared one.
pub struct TlsCluster {
    pub port: u16,
    cluster: Cluster,
}

impl TlsCluster {
    pub fn start(bin: &Path, cert: &Path, key: &Path, password: &str) -> TlsCluster {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = Cluster::start(bin, Some(Tcp { port, cert: cert.to_path_buf(), key: key.to_path_buf() }));
        cluster.psql("postgres", &format!("CREATE ROLE hub LOGIN PASSWORD '{password}'")).unwrap();
        TlsCluster { port, cluster }
    }

    /// A new empty database owned by `hub`.
    pub fn create_database(&self) -> String {
        let name = self.cluster.create_database();
        self.cluster.psql("postgres", &format!("ALTER DATABASE {name} OWNER TO hub")).unwrap();
        self.cluster.psql(&name, "GRANT ALL ON SCHEMA public TO hub").unwrap();
        name
    }

    /// Runs `sql` as the superuser over the cluster's unix socket; its output, unaligned.
    pub fn query(&self, db: &str, sql: &str) -> String {
        self.cluster.psql_output(db, sql).unwrap()
    }
}

/// How a cluster is also reached over TCP: its port on 127.0.0.1, and the TLS files it serves.
struct Tcp {
    port: u16,
    cert: PathBuf,
    key: PathBuf,
}

fn bin_dir() -> Option<PathBuf> {
    let has = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("TONGBAN_PG_BIN").map(PathBuf::from) {
        return has(&dir).then_some(dir);
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(dir) = std::env::split_paths(&path).find(|d| has(d)) {
            return Some(dir);
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|d| has(d))
        .collect();
    versions.sort();
    versions.pop()
}

struct Cluster {
    bin: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    /// The watching shell's stdin: it stops the server when this closes (this process ended).
    _watch: Mutex<Child>,
    next: AtomicUsize,
}

const PORT: u16 = 5432;

impl Cluster {
    fn start(bin: &Path, tcp: Option<Tcp>) -> Cluster {
        // Not a TempDir: the watching shell removes it after the server stopped, even if this
        // process was killed.
        let root = tempfile::Builder::new().prefix("tongban-pg-").tempdir().unwrap().keep();
        let (data, socket_dir) = (root.join("data"), root.join("socket"));
        std::fs::create_dir_all(&socket_dir).unwrap();
        let port = tcp.as_ref().map_or(PORT, |t| t.port);
        // The server's key must be its own and private (PostgreSQL refuses it otherwise): copied
        // into the folder that is about to become the server user's.
        let listen = match &tcp {
            None => "-c listen_addresses=''".to_string(),
            Some(tcp) => {
                use std::os::unix::fs::PermissionsExt;
                let (cert, key) = (root.join("server.crt"), root.join("server.key"));
                std::fs::copy(&tcp.cert, &cert).unwrap();
                std::fs::copy(&tcp.key, &key).unwrap();
                std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
                format!(
                    "-c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file='{}' -c ssl_key_file='{}'",
                    cert.display(),
                    key.display()
                )
            }
        };
        // PostgreSQL refuses to run as root: as root, the server runs as an unprivileged user.
        let run_as: Vec<String> = match unprivileged_user() {
            Some(user) => {
                let status = Command::new("chown").args(["-R", &user]).arg(&root).status().unwrap();
                assert!(status.success(), "chown of the cluster's folder failed");
                vec!["setpriv".into(), format!("--reuid={user}"), format!("--regid={user}"), "--init-groups".into()]
            }
            None => vec![],
        };
        let mut initdb = match run_as.split_first() {
            Some((setpriv, args)) => {
                let mut c = Command::new(setpriv);
                c.args(args).arg(bin.join("initdb"));
                c
            }
            None => Command::new(bin.join("initdb")),
        };
        let out = initdb
            .args(["--auth-local=trust", "--auth-host=scram-sha-256", "--username=postgres"])
            .args(["--encoding=UTF8", "--locale=C", "-D"])
            .arg(&data)
            .output()
            .unwrap();
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        let server = format!(
            "{run_as} {postgres} -D '{data}' -k '{socket}' -p {port} {listen} -c fsync=off \
             -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=32MB",
            run_as = run_as.join(" "),
            postgres = bin.join("postgres").display(),
            data = data.display(),
            socket = socket_dir.display(),
        );
        // `cat` returns when this process's end of the pipe closes; then a fast shutdown, and the
        // folder goes. The server's log is kept beside the data until then.
        let script = format!(
            "{server} >'{log}' 2>&1 & pid=$!\ncat >/dev/null\nkill -INT $pid 2>/dev/null\nwait $pid\nrm -rf '{root}'\n",
            log = root.join("server.log").display(),
            root = root.display(),
        );
        let watch = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let cluster =
            Cluster { bin: bin.to_path_buf(), socket_dir, port, _watch: Mutex::new(watch), next: AtomicUsize::new(0) };
        cluster.wait_ready(&root);
        cluster
    }

    fn wait_ready(&self, root: &Path) {
        let started = Instant::now();
        loop {
            let ok = self.psql("postgres", "SELECT 1").is_ok();
            if ok {
                return;
            }
            if started.elapsed() > Duration::from_secs(60) {
                let log = std::fs::read_to_string(root.join("server.log")).unwrap_or_default();
                panic!("the test PostgreSQL did not start within a minute:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn psql(&self, db: &str, sql: &str) -> Result<(), String> {
        self.psql_output(db, sql).map(drop)
    }

    /// `sql` as the superuser over the unix socket; what it printed (unaligned, tuples only).
    fn psql_output(&self, db: &str, sql: &str) -> Result<String, String> {
        let psql = [self.bin.join("psql"), PathBuf::from("/usr/bin/psql")].into_iter().find(|p| p.is_file());
        let out = Command::new(psql.expect("psql is installed with PostgreSQL"))
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-U", "postgres", "-h"])
            .arg(&self.socket_dir)
            .args(["-p", &self.port.to_string(), "-d", db, "-c", sql])
            .output()
            .map_err(|e| e.to_string())?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// A new empty database for one test.
    fn create_database(&self) -> String {
        let name = format!("hub_{}_{}", std::process::id(), self.next.fetch_add(1, Ordering::Relaxed));
        self.psql("postgres", &format!("CREATE DATABASE {name}")).unwrap();
        name
    }

    fn url(&self, name: &str) -> String {
        format!("postgresql://postgres@/{name}?host={}&port={}", self.socket_dir.display(), self.port)
    }
}

/// The user the server runs as when this process is root: Debian's `postgres`, else `nobody`.
fn unprivileged_user() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return None;
    }
    let exists = |user: &str| Command::new("id").arg(user).output().is_ok_and(|o| o.status.success());
    ["postgres", "nobody"].into_iter().find(|u| exists(u)).map(str::to_string)
}
