//! A certificate authority made in the test, as a region's private 政务 CA would be: it issues
//! the hub's certificate, and desks are given its certificate to trust. Linux only, as the HTTPS
//! stories are.

#![cfg(unix)]

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

/// A server certificate and key, as PEM files.
pub struct ServerFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        TestCa { issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap() }
    }

    /// The CA's certificate (PEM), what a desk is told to trust.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes `<stem>.crt` (the server's certificate, then the CA's) and `<stem>.key` into
    /// `dir`, for `localhost` and 127.0.0.1.
    pub fn issue_server(&self, dir: &Path, stem: &str) -> ServerFiles {
        self.issue_server_for(dir, stem, &["localhost", "127.0.0.1"])
    }

    /// As [`TestCa::issue_server`], for other names (a certificate for another host).
    pub fn issue_server_for(&self, dir: &Path, stem: &str, names: &[&str]) -> ServerFiles {
        let params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let files = ServerFiles { cert: dir.join(format!("{stem}.crt")), key: dir.join(format!("{stem}.key")) };
        std::fs::write(&files.cert, format!("{}{}", cert.pem(), self.cert_pem())).unwrap();
        std::fs::write(&files.key, key.serialize_pem()).unwrap();
        files
    }
}
