//! The go-plugin handshake and AutoMTLS transport.
//!
//! Terraform starts the plugin with a magic cookie, the protocol versions it speaks, a port range and
//! its client certificate (PEM). We answer with one line on stdout:
//! `1|5|tcp|127.0.0.1:PORT|grpc|<base64 DER of our certificate>` and then serve gRPC over TLS that
//! accepts exactly that client certificate and nothing else.
//!
//! Terraform and OpenTofu always send `PLUGIN_CLIENT_CERT` (go-plugin AutoMTLS), unless
//! `TF_DISABLE_PLUGIN_TLS` is set (meant for SDK test harnesses). Without it the channel that
//! carries credentials and contact details would be plaintext TCP any local process can connect
//! to, so we refuse unless [`ALLOW_PLAINTEXT_ENV`]` = 1` says that is intended.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

use crate::framework::Provider;
use crate::proto::{plugin as gp, tfplugin5 as pb};
use crate::server::{Broker, Controller, ProviderServer, Stdio};

const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The explicit opt-in to serving gRPC without TLS when the host sends no client certificate.
const ALLOW_PLAINTEXT_ENV: &str = "R53_PLUGIN_ALLOW_PLAINTEXT";
const CORE_PROTOCOL: u32 = 1;
const APP_PROTOCOL: u32 = 5;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    #[error("not started by Terraform (no {MAGIC_COOKIE_KEY})")]
    NotAPluginHost,
    #[error("Terraform offers plugin protocol versions {0:?}; this provider speaks only version 5 (Terraform >= 0.12)")]
    NoCommonProtocol(String),
    #[error("invalid {name}: {why}")]
    BadEnv { name: &'static str, why: String },
    #[error(
        "PLUGIN_CLIENT_CERT is not set, so the plugin host did not ask for AutoMTLS; refusing to serve \
         gRPC without TLS (it carries AWS credentials and contact details). Terraform and OpenTofu always \
         send it unless TF_DISABLE_PLUGIN_TLS is set: unset that. To serve plaintext on 127.0.0.1 \
         anyway (a debugger or test harness), set {ALLOW_PLAINTEXT_ENV}=1"
    )]
    PlaintextRefused,
    #[error("no free port between {0} and {1}")]
    NoPort(u16, u16),
    #[error("TLS setup: {0}")]
    Tls(String),
    #[error("I/O: {0}")]
    Io(#[from] io::Error),
    #[error("gRPC server: {0}")]
    Transport(String),
}

/// What the handshake environment asks for, validated before anything is opened.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub min_port: u16,
    pub max_port: u16,
    /// Terraform's client certificate (DER). None only when the host runs without AutoMTLS and
    /// `R53_PLUGIN_ALLOW_PLAINTEXT=1` allows it.
    pub client_cert: Option<Vec<u8>>,
}

impl Handshake {
    /// Reads the handshake from environment lookups (`std::env::var` in production).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Self, ServeError> {
        if get(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(ServeError::NotAPluginHost);
        }
        let versions = get("PLUGIN_PROTOCOL_VERSIONS").unwrap_or_default();
        // go-plugin hosts that send nothing default to the plugin's own version.
        if !versions.is_empty() && !versions.split(',').any(|v| v.trim() == "5") {
            return Err(ServeError::NoCommonProtocol(versions));
        }
        let port = |name: &'static str, default: u16| -> Result<u16, ServeError> {
            match get(name).filter(|s| !s.is_empty()) {
                None => Ok(default),
                Some(s) => s.parse().map_err(|_| ServeError::BadEnv {
                    name,
                    why: format!("{s:?} is not a port"),
                }),
            }
        };
        let (min_port, max_port) = (port("PLUGIN_MIN_PORT", 0)?, port("PLUGIN_MAX_PORT", 0)?);
        if max_port != 0 && min_port > max_port {
            return Err(ServeError::BadEnv {
                name: "PLUGIN_MIN_PORT",
                why: format!("{min_port} > PLUGIN_MAX_PORT {max_port}"),
            });
        }
        let client_cert = match get("PLUGIN_CLIENT_CERT").filter(|s| !s.trim().is_empty()) {
            None if get(ALLOW_PLAINTEXT_ENV).as_deref().map(str::trim) == Some("1") => None,
            None => return Err(ServeError::PlaintextRefused),
            Some(pem) => Some(pem_to_der(&pem)?),
        };
        Ok(Handshake {
            min_port,
            max_port,
            client_cert,
        })
    }
}

fn pem_to_der(pem: &str) -> Result<Vec<u8>, ServeError> {
    use rustls_pki_types::pem::PemObject;
    let cert = CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| ServeError::BadEnv {
        name: "PLUGIN_CLIENT_CERT",
        why: format!("not a PEM certificate: {e}"),
    })?;
    Ok(cert.as_ref().to_vec())
}

async fn bind(min: u16, max: u16) -> Result<TcpListener, ServeError> {
    if min == 0 && max == 0 {
        return Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?);
    }
    let (lo, hi) = (min.max(1), if max == 0 { u16::MAX } else { max });
    for p in lo..=hi {
        if let Ok(l) = TcpListener::bind((Ipv4Addr::LOCALHOST, p)).await {
            return Ok(l);
        }
    }
    Err(ServeError::NoPort(lo, hi))
}

/// Accepts only the one client certificate Terraform announced, and verifies the handshake signature
/// with aws-lc-rs, which (unlike ring) supports the P-521 keys Terraform uses. Chain building is
/// deliberately skipped: Terraform's certificate is a self-signed CA certificate, which WebPKI
/// would refuse as an end entity; pinning the exact bytes is stronger than any chain.
#[derive(Debug)]
struct PinnedClientCert {
    der: Vec<u8>,
    algs: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    pub fn new(der: Vec<u8>) -> Self {
        PinnedClientCert {
            der,
            algs: rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.der.as_slice() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
    fn client_auth_mandatory(&self) -> bool {
        true
    }
}

/// A fresh self-signed server certificate for "localhost" (what go-plugin's client expects).
fn server_certificate() -> Result<(Vec<u8>, Vec<u8>), ServeError> {
    let key = rcgen::KeyPair::generate().map_err(|e| ServeError::Tls(e.to_string()))?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "r53 terraform provider");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress(Ipv4Addr::LOCALHOST.into()));
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let now = std::time::SystemTime::now();
    params.not_before = (now - Duration::from_secs(30)).into();
    params.not_after = (now + Duration::from_secs(30 * 24 * 3600)).into();
    let cert = params
        .self_signed(&key)
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    Ok((cert.der().to_vec(), key.serialize_der()))
}

/// A TLS server configuration that requires exactly `client_cert`.
fn tls_config(
    server_cert: Vec<u8>,
    server_key: Vec<u8>,
    client_cert: Vec<u8>,
) -> Result<rustls::ServerConfig, ServeError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_client_cert_verifier(Arc::new(PinnedClientCert::new(client_cert)))
        .with_single_cert(
            vec![CertificateDer::from(server_cert)],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key)),
        )
        .map_err(|e| ServeError::Tls(e.to_string()))?;
    // gRPC needs HTTP/2; grpc-go clients refuse servers that do not negotiate it by ALPN.
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    Ok(cfg)
}

/// A TLS connection tonic can serve.
struct TlsConn(TlsStream<TcpStream>);

impl Connected for TlsConn {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for TlsConn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsConn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }
}

/// Accepts TCP connections and completes TLS handshakes; failed handshakes (a client without the
/// pinned certificate) are logged and dropped without disturbing the server.
fn tls_incoming(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    shutdown: CancellationToken,
) -> tokio_stream::wrappers::ReceiverStream<io::Result<TlsConn>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let (tcp, peer) = tokio::select! {
                _ = shutdown.cancelled() => break,
                r = listener.accept() => match r {
                    Ok(x) => x,
                    Err(e) => { tracing::warn!("accept failed: {e}"); continue; }
                },
            };
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send(Ok(TlsConn(tls))).await;
                    }
                    Ok(Err(e)) => tracing::warn!(%peer, "refused TLS connection: {e}"),
                    Err(_) => tracing::warn!(%peer, "TLS handshake timed out"),
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

/// A running plugin server, for tests and embedding.
pub struct Running {
    pub addr: SocketAddr,
    /// DER of the server certificate announced in the handshake line.
    pub server_cert: Vec<u8>,
    pub shutdown: CancellationToken,
    pub task: tokio::task::JoinHandle<Result<(), ServeError>>,
}

impl Running {
    /// The handshake line go-plugin reads from stdout.
    pub fn handshake_line(&self, tls: bool) -> String {
        let cert = if tls {
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(&self.server_cert)
        } else {
            String::new()
        };
        format!(
            "{CORE_PROTOCOL}|{APP_PROTOCOL}|tcp|{}|grpc|{cert}",
            self.addr
        )
    }
}

/// Starts serving `provider` as the handshake describes; returns once listening.
pub async fn start<P: Provider>(provider: P, hs: &Handshake) -> Result<Running, ServeError> {
    let listener = bind(hs.min_port, hs.max_port).await?;
    let addr = listener.local_addr()?;
    let shutdown = CancellationToken::new();
    let provider = ProviderServer::new(provider);
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let router = tonic::transport::Server::builder()
        .add_service(health)
        .add_service(
            pb::provider_server::ProviderServer::new(provider)
                .max_decoding_message_size(256 << 20)
                .max_encoding_message_size(256 << 20),
        )
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(
            Controller {
                shutdown: shutdown.clone(),
            },
        ))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(gp::grpc_broker_server::GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }));
    let sd = shutdown.clone();
    let (server_cert, task) = match &hs.client_cert {
        Some(client) => {
            let (cert, key) = server_certificate()?;
            let acceptor =
                TlsAcceptor::from(Arc::new(tls_config(cert.clone(), key, client.clone())?));
            let incoming = tls_incoming(listener, acceptor, shutdown.clone());
            let task = tokio::spawn(async move {
                router
                    .serve_with_incoming_shutdown(incoming, sd.cancelled_owned())
                    .await
                    .map_err(|e| ServeError::Transport(e.to_string()))
            });
            (cert, task)
        }
        None => {
            tracing::warn!(
                "PLUGIN_CLIENT_CERT not set and {ALLOW_PLAINTEXT_ENV}=1: serving gRPC without TLS"
            );
            let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
            let task = tokio::spawn(async move {
                router
                    .serve_with_incoming_shutdown(incoming, sd.cancelled_owned())
                    .await
                    .map_err(|e| ServeError::Transport(e.to_string()))
            });
            (Vec::new(), task)
        }
    };
    Ok(Running {
        addr,
        server_cert,
        shutdown,
        task,
    })
}

/// The whole plugin `main`: validates the environment, serves until Terraform shuts us down, and
/// returns the process exit code. A plain run (no cookie) prints what this binary is and exits 1.
pub fn main<P: Provider>(name: &str, version: &str, make: impl FnOnce() -> P) -> i32 {
    let hs = match Handshake::from_env(|k| std::env::var(k).ok()) {
        Ok(hs) => hs,
        Err(ServeError::NotAPluginHost) => {
            eprintln!(
                "This binary is a plugin for Terraform and OpenTofu ({name} {version}).\n\
                 It is not meant to be run directly: Terraform starts it when a configuration uses the provider.\n\
                 See https://developer.hashicorp.com/terraform/cli/config/config-file#development-overrides-for-provider-developers\n\
                 to point Terraform at a locally built copy."
            );
            return 1;
        }
        Err(e) => {
            eprintln!("{name}: {e}");
            return 1;
        }
    };
    crate::memory::tune();
    // One thread: the work is waiting on Terraform and AWS, and a single allocator arena keeps peak
    // memory low (worker threads each grow their own glibc arena; 10,000-record values are big).
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{name}: cannot start runtime: {e}");
            return 1;
        }
    };
    rt.block_on(async move {
        let running = match start(make(), &hs).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{name}: {e}");
                return 1;
            }
        };
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", running.handshake_line(hs.client_cert.is_some()));
            let _ = out.flush();
        }
        tracing::info!(addr = %running.addr, "{name} {version} serving plugin protocol 5");
        // go-plugin ends plugins with Controller.Shutdown, else by SIGINT/kill; honour both.
        let sd = running.shutdown.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            // Terraform forwards Ctrl-C to plugins; it will still call Stop/Shutdown, so keep serving.
            tracing::debug!("interrupt received; waiting for Terraform to stop the plugin");
            let _ = sd;
        });
        match running.task.await {
            Ok(Ok(())) => 0,
            Ok(Err(e)) => {
                tracing::error!("{e}");
                1
            }
            Err(e) => {
                tracing::error!("server task: {e}");
                1
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn handshake_requires_cookie_and_protocol_5() {
        assert!(matches!(
            Handshake::from_env(env(&[])),
            Err(ServeError::NotAPluginHost)
        ));
        let e = Handshake::from_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "6"),
        ]));
        assert!(matches!(e, Err(ServeError::NoCommonProtocol(_))));
        let hs = Handshake::from_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "5,6"),
            (ALLOW_PLAINTEXT_ENV, "1"),
            ("PLUGIN_MIN_PORT", "10000"),
            ("PLUGIN_MAX_PORT", "25000"),
        ]))
        .unwrap();
        assert_eq!((hs.min_port, hs.max_port), (10000, 25000));
        assert!(hs.client_cert.is_none());
        let e = Handshake::from_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_CLIENT_CERT", "garbage"),
        ]));
        assert!(matches!(
            e,
            Err(ServeError::BadEnv {
                name: "PLUGIN_CLIENT_CERT",
                ..
            })
        ));
    }

    #[test]
    fn plaintext_only_with_the_opt_in() {
        for opt in [None, Some(""), Some("0"), Some("true"), Some("yes")] {
            let mut pairs = vec![(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)];
            pairs.extend(opt.map(|v| (ALLOW_PLAINTEXT_ENV, v)));
            let e = Handshake::from_env(env(&pairs)).unwrap_err();
            assert!(matches!(e, ServeError::PlaintextRefused), "{opt:?}: {e}");
            let msg = e.to_string();
            assert!(
                msg.contains("R53_PLUGIN_ALLOW_PLAINTEXT=1")
                    && msg.contains("TF_DISABLE_PLUGIN_TLS"),
                "{msg}"
            );
        }
        // An empty certificate is no certificate.
        let e = Handshake::from_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_CLIENT_CERT", "  "),
        ]));
        assert!(matches!(e, Err(ServeError::PlaintextRefused)));
        let hs = Handshake::from_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            (ALLOW_PLAINTEXT_ENV, "1"),
        ]))
        .unwrap();
        assert!(hs.client_cert.is_none());
    }

    #[test]
    fn p521_is_verifiable() {
        let schemes = PinnedClientCert::new(vec![]).supported_verify_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "{schemes:?}"
        );
    }
}
