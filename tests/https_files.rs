//! A static HTTPS file server for tests that need a real TLS endpoint (a provider network mirror):
//! its own test CA, whose certificate the client is told to trust (`SSL_CERT_FILE` for Terraform);
//! every request path is recorded so a test can prove the client came here.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Request heads larger than this are refused.
const MAX_HEAD_BYTES: usize = 16 * 1024;

pub struct HttpsFiles {
    /// `https://127.0.0.1:PORT/`
    pub url: String,
    /// PEM of the CA that issued the server's certificate.
    pub ca_pem: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl HttpsFiles {
    /// Serves the files under `root` on a loopback port until the process ends.
    pub fn serve(root: &Path) -> anyhow::Result<HttpsFiles> {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let ca_key = rcgen::KeyPair::generate()?;
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "r53 test mirror CA");
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let leaf_key = rcgen::KeyPair::generate()?;
        let leaf = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])?
            .signed_by(&leaf_key, &issuer)?;

        let dir = tempfile::Builder::new().prefix("r53-https-").tempdir()?;
        let ca_pem = dir.path().join("ca.pem");
        std::fs::write(&ca_pem, ca_cert.pem())?;

        let config = Arc::new(
            rustls::ServerConfig::builder()
                .with_no_client_auth()
                .with_single_cert(
                    vec![leaf.der().clone()],
                    rustls_pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
                )?,
        );
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("https://{}/", listener.local_addr()?);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (root, seen) = (root.to_path_buf(), requests.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (config, root, seen) = (config.clone(), root.clone(), seen.clone());
                std::thread::spawn(move || {
                    let _ = handle(conn, config, &root, &seen);
                });
            }
        });
        Ok(HttpsFiles {
            url,
            ca_pem,
            requests,
            _dir: dir,
        })
    }

    /// Every request path served so far (with the status given), in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn handle(
    tcp: TcpStream,
    config: Arc<rustls::ServerConfig>,
    root: &Path,
    seen: &Mutex<Vec<String>>,
) -> anyhow::Result<()> {
    let conn = rustls::ServerConnection::new(config)?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let mut head = String::new();
    {
        let mut reader = BufReader::new((&mut tls).take(MAX_HEAD_BYTES as u64));
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
                break;
            }
            head.push_str(&line);
        }
    }
    let request = head.lines().next().unwrap_or_default().to_string();
    let path = request
        .strip_prefix("GET ")
        .and_then(|r| r.split(' ').next())
        .unwrap_or_default();
    let file = path
        .strip_prefix('/')
        .filter(|p| !p.split('/').any(|c| c == ".." || c.is_empty()) && !p.contains('%'))
        .map(|p| root.join(p))
        .filter(|p| p.is_file());
    let (status, body) = match file.and_then(|f| std::fs::read(f).ok()) {
        Some(body) => ("200 OK", body),
        None => ("404 Not Found", b"not found\n".to_vec()),
    };
    if let Ok(mut s) = seen.lock() {
        s.push(format!(
            "{} {path}",
            status.split(' ').next().unwrap_or(status)
        ));
    }
    // JSON documents by content: a registry's `versions` and `download/OS/ARCH` have no extension,
    // and Terraform's service discovery insists on application/json.
    let ctype = if path.ends_with(".json") || body.starts_with(b"{") {
        "application/json"
    } else {
        "application/octet-stream"
    };
    write!(
        tls,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    tls.write_all(&body)?;
    tls.conn.send_close_notify();
    tls.flush()?;
    Ok(())
}
