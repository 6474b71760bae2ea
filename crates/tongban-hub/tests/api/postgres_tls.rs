//! The hub and a PostgreSQL server on the network: TLS with the certificate checked, a password
//! that never travels in clear, and no fallback to plain text when a server (or someone on the
//! path) says it has no TLS. A cluster of its own per test process, on 127.0.0.1 with `ssl = on`
//! and passwords required over TCP, its certificate issued by a CA made here (as a 政务云's
//! private CA). Needs PostgreSQL's programs, whichever database the rest of the suite runs on.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tongban_hub::Hub;
use tongban_testca::TestCa;

use crate::cluster::{programs, TlsCluster};

const PASSWORD: &str = "hub-密码-0612";

/// The cluster, its CA's certificate file and another CA's (one that did not issue it).
struct Setting {
    cluster: TlsCluster,
    ca: PathBuf,
    other_ca: PathBuf,
    _dir: tempfile::TempDir,
}

/// The TLS cluster of this test process, started the first time; `None` when PostgreSQL's
/// programs are missing (and not required).
fn setting(test: &str) -> Option<&'static Setting> {
    static SETTING: OnceLock<Option<Setting>> = OnceLock::new();
    SETTING
        .get_or_init(|| {
            let bin = programs(test)?;
            let dir = tempfile::tempdir().unwrap();
            let ca = TestCa::new("某省政务云 数据库 CA");
            // The server's certificate names `localhost` only: 127.0.0.1 is another name.
            let files = ca.issue_server_for(dir.path(), "db", &["localhost"]);
            let ca_file = dir.path().join("db-ca.pem");
            std::fs::write(&ca_file, ca.cert_pem()).unwrap();
            let other = dir.path().join("other-ca.pem");
            std::fs::write(&other, TestCa::new("另一个 CA").cert_pem()).unwrap();
            let cluster = TlsCluster::start(&bin, &files.cert, &files.key, PASSWORD);
            Some(Setting { cluster, ca: ca_file, other_ca: other, _dir: dir })
        })
        .as_ref()
}

fn url(host: &str, port: u16, db: &str, query: &str) -> PathBuf {
    PathBuf::from(format!("postgres://hub:{}@{host}:{port}/{db}?{query}", urlencode(PASSWORD)))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn open(db: &Path) -> Result<Hub, String> {
    let blobs = tempfile::tempdir().unwrap();
    Hub::open_with(db, Some(blobs.path()), Some("110106")).map_err(|e| e.to_string())
}

#[test]
fn the_hub_keeps_its_cases_in_a_database_reached_through_checked_tls() {
    let Some(s) = setting("the_hub_keeps_its_cases_in_a_database_reached_through_checked_tls") else { return };
    let name = s.cluster.create_database();
    let db = url("localhost", s.cluster.port, &name, &format!("sslmode=verify-full&sslrootcert={}", s.ca.display()));
    let hub = open(&db).expect("the hub opens its database through TLS");
    assert_eq!(hub.database_kind(), "postgresql");
    hub.check_database().unwrap();
    // Every connection the hub holds is TLS, as the server sees them.
    let seen = s.cluster.query(
        "postgres",
        "SELECT count(*) || ' ' || bool_and(s.ssl) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
         WHERE a.application_name = 'tongban-hub' AND a.usename = 'hub'",
    );
    let (count, all_tls) = seen.split_once(' ').unwrap();
    assert!(count.parse::<u32>().unwrap() >= 1, "the hub holds no connection: {seen}");
    assert_eq!(all_tls, "true", "a connection of the hub's is not TLS: {seen}");
    // PostgreSQL's default (no sslmode) is TLS here too, checked against the named CA.
    drop(hub);
    let db = url("localhost", s.cluster.port, &name, &format!("sslrootcert={}", s.ca.display()));
    open(&db).expect("without sslmode, TLS is required and used");
}

#[test]
fn a_certificate_the_hub_cannot_check_is_refused_before_the_password_is_sent() {
    let Some(s) = setting("a_certificate_the_hub_cannot_check_is_refused_before_the_password_is_sent") else {
        return;
    };
    let name = s.cluster.create_database();
    // Issued by another CA than the one the hub was told to trust.
    let wrong_ca = url("localhost", s.cluster.port, &name, &format!("sslrootcert={}", s.other_ca.display()));
    let refused = open(&wrong_ca).map(drop).unwrap_err();
    assert!(refused.contains("证书未通过检查") && refused.contains("other-ca.pem"), "{refused}");
    // The right CA, but the certificate does not name the address dialled.
    let wrong_name = url("127.0.0.1", s.cluster.port, &name, &format!("sslrootcert={}", s.ca.display()));
    let refused = open(&wrong_name).map(drop).unwrap_err();
    assert!(refused.contains("证书未通过检查") && refused.contains("主机名"), "{refused}");
    // `require` in libpq would not check the certificate; here it is checked all the same.
    let require =
        url("localhost", s.cluster.port, &name, &format!("sslmode=require&sslrootcert={}", s.other_ca.display()));
    assert!(open(&require).is_err());
    // Nothing was written: the database is as created (no schema_version table).
    let tables = s.cluster.query(&name, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    assert_eq!(tables, "0");
}

/// A server, or someone on the path, answering the hub's request for TLS with "no" (`N`, what
/// PostgreSQL with `ssl = off` answers): the hub must hang up instead of going on in clear with
/// its user name and password. No PostgreSQL needed: the listener here is the attacker.
#[test]
fn a_server_that_says_it_has_no_tls_gets_nothing_in_clear() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let attacker = std::thread::spawn({
        let done = done.clone();
        move || {
            let (mut received, mut connections) = (Vec::new(), 0);
            while !done.load(Ordering::SeqCst) {
                let Ok((mut stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                connections += 1;
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
                let mut request = [0u8; 8];
                if stream.read_exact(&mut request).is_err() {
                    continue;
                }
                // Anything but an SSLRequest (length 8, code 80877103) is already too much.
                if request != [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f] {
                    received.extend_from_slice(&request);
                }
                let _ = stream.write_all(b"N");
                let _ = stream.read_to_end(&mut received);
            }
            (received, connections)
        }
    });
    for query in ["", "sslmode=prefer", "sslmode=require"] {
        let refused = open(&url("localhost", port, "tongban", query)).map(drop).unwrap_err();
        assert!(refused.contains("未开启 TLS"), "{query}: {refused}");
    }
    done.store(true, Ordering::SeqCst);
    let (received, connections) = attacker.join().unwrap();
    assert!(connections >= 3, "the hub did not dial the server: {connections}");
    let text = String::from_utf8_lossy(&received);
    assert!(!text.contains("hub") && !text.contains("tongban"), "the hub spoke in clear: {text:?}");
}

/// The address of a database on another machine with `sslmode=disable` is refused before
/// anything is dialled (the address here would not answer anyway).
#[test]
fn plain_text_to_another_machine_is_refused_at_the_connection_string() {
    let refused = open(Path::new("postgres://hub:x@192.0.2.77:5432/tongban?sslmode=disable")).map(drop).unwrap_err();
    assert!(refused.contains("192.0.2.77") && refused.contains("必须用 TLS"), "{refused}");
}
