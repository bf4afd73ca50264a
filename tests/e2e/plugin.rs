//! The plugin layer as Terraform sees it: the handshake, AutoMTLS pinned to Terraform's client
//! certificate (ECDSA P-521, IsCA), the RPCs over that channel, Stop and controller Shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use r53_plugin::proto::{plugin as gp, tfplugin5 as pb};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::AsyncReadExt;

const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);

fn provider_bin() -> std::path::PathBuf {
    r53_lab::tools::provider_dir()
        .expect("provider built")
        .join("terraform-provider-r53")
}

/// A client certificate like Terraform's: self-signed ECDSA P-521 with IsCA.
fn terraform_like_cert() -> (String, Vec<u8>, Vec<u8>) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("p521 key");
    let mut p = rcgen::CertificateParams::new(vec!["localhost".into()]).unwrap();
    p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    p.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::KeyAgreement,
    ];
    p.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ];
    let cert = p.self_signed(&key).unwrap();
    (cert.pem(), cert.der().to_vec(), key.serialize_der())
}

struct Plugin {
    child: Child,
    addr: String,
    server_cert: Vec<u8>,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_plugin(client_pem: &str) -> Plugin {
    let mut child = Command::new(provider_bin())
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", "10000")
        .env("PLUGIN_MAX_PORT", "25000")
        .env("PLUGIN_CLIENT_CERT", client_pem)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start provider");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let f: Vec<&str> = line.trim().split('|').collect();
    assert_eq!(&f[..3], &["1", "5", "tcp"], "handshake line {line:?}");
    assert_eq!(f[4], "grpc");
    let port: u16 = f[3].rsplit(':').next().unwrap().parse().unwrap();
    assert!(
        (10000..=25000).contains(&port),
        "PLUGIN_MIN/MAX_PORT honoured: {port}"
    );
    let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(f[5])
        .expect("raw base64 cert");
    Plugin {
        child,
        addr: f[3].to_string(),
        server_cert,
    }
}

#[derive(Debug)]
struct PinServer(Vec<u8>);
impl ServerCertVerifier for PinServer {
    fn verify_server_cert(
        &self,
        ee: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if ee.as_ref() == self.0 {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "server certificate differs from the handshake".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            m,
            c,
            d,
            &rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            m,
            c,
            d,
            &rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::aws_lc_rs::default_provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn client_config(
    server_cert: &[u8],
    client: Option<(Vec<u8>, Vec<u8>)>,
) -> Arc<rustls::ClientConfig> {
    let b = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .dangerous()
    .with_custom_certificate_verifier(Arc::new(PinServer(server_cert.to_vec())));
    let mut cfg = match client {
        Some((der, key)) => b
            .with_client_auth_cert(
                vec![CertificateDer::from(der)],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key)),
            )
            .unwrap(),
        None => b.with_no_client_auth(),
    };
    cfg.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(cfg)
}

/// Connects and reads the server's first HTTP/2 frame; Err when the server refuses the client.
async fn first_frame(addr: &str, cfg: Arc<rustls::ClientConfig>) -> anyhow::Result<Vec<u8>> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let mut tls = tokio_rustls::TlsConnector::from(cfg)
        .connect(ServerName::try_from("localhost")?, tcp)
        .await?;
    let mut buf = vec![0u8; 9];
    tokio::time::timeout(Duration::from_secs(5), tls.read_exact(&mut buf)).await??;
    Ok(buf)
}

async fn channel(
    addr: String,
    cfg: Arc<rustls::ClientConfig>,
) -> anyhow::Result<tonic::transport::Channel> {
    let ch = tonic::transport::Endpoint::from_static("http://localhost")
        .connect_with_connector(tower::service_fn(move |_| {
            let (addr, cfg) = (addr.clone(), cfg.clone());
            async move {
                let tcp = tokio::net::TcpStream::connect(addr).await?;
                let tls = tokio_rustls::TlsConnector::from(cfg)
                    .connect(ServerName::try_from("localhost").unwrap(), tcp)
                    .await?;
                Ok::<_, std::io::Error>(hyper_util::rt::TokioIo::new(tls))
            }
        }))
        .await?;
    Ok(ch)
}

#[test]
fn plain_run_explains_itself() {
    let o = Command::new(provider_bin())
        .env_remove(COOKIE.0)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("plugin for Terraform"),
        "{o:?}"
    );
    assert!(o.stdout.is_empty(), "nothing on stdout without a handshake");
    let o = Command::new(provider_bin())
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("speaks only version 5"),
        "{o:?}"
    );
}

#[test]
fn plaintext_only_with_the_explicit_opt_in() -> anyhow::Result<()> {
    // No PLUGIN_CLIENT_CERT (what TF_DISABLE_PLUGIN_TLS makes Terraform do): refused, nothing
    // served, and the message says why and how to opt in.
    let o = Command::new(provider_bin())
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("R53_PLUGIN_ALLOW_PLAINTEXT")
        .output()?;
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(o.stdout.is_empty(), "no handshake line: {o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("without TLS") && err.contains("R53_PLUGIN_ALLOW_PLAINTEXT=1"),
        "{err}"
    );
    // With the opt-in: the handshake announces no certificate and plaintext gRPC answers.
    let mut child = Command::new(provider_bin())
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .env_remove("PLUGIN_CLIENT_CERT")
        .env("R53_PLUGIN_ALLOW_PLAINTEXT", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line)?;
    let p = Plugin {
        child,
        addr: line.split('|').nth(3).unwrap_or_default().to_string(),
        server_cert: Vec::new(),
    };
    assert!(line.trim().ends_with("|grpc|"), "no certificate: {line:?}");
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let ch = tonic::transport::Endpoint::from_shared(format!("http://{}", p.addr))?
            .connect()
            .await?;
        let s = pb::provider_client::ProviderClient::new(ch)
            .get_schema(pb::get_provider_schema::Request {})
            .await?
            .into_inner();
        assert!(s.provider.is_some());
        Ok::<_, anyhow::Error>(())
    })?;
    assert!(p.server_cert.is_empty());
    Ok(())
}

#[test]
fn mtls_accepts_only_the_pinned_client_certificate() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let (pem, der, key) = terraform_like_cert();
    let (_, other_der, other_key) = terraform_like_cert();
    let p = start_plugin(&pem);
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        // no client certificate: refused
        assert!(
            first_frame(&p.addr, client_config(&p.server_cert, None))
                .await
                .is_err(),
            "connection without a client certificate must fail"
        );
        // another P-521 certificate: refused
        assert!(
            first_frame(
                &p.addr,
                client_config(&p.server_cert, Some((other_der, other_key)))
            )
            .await
            .is_err(),
            "a different certificate must fail"
        );
        // Terraform's own certificate: HTTP/2 SETTINGS frame (type 4) from the server
        let f = first_frame(
            &p.addr,
            client_config(&p.server_cert, Some((der.clone(), key.clone()))),
        )
        .await?;
        assert_eq!(f[3], 4, "expected an HTTP/2 SETTINGS frame, got {f:?}");

        // The RPCs over the pinned channel: schema, Stop keeps serving, Shutdown ends the process.
        let ch = channel(
            p.addr.clone(),
            client_config(&p.server_cert, Some((der, key))),
        )
        .await?;
        let mut prov = pb::provider_client::ProviderClient::new(ch.clone());
        let s = prov
            .get_schema(pb::get_provider_schema::Request {})
            .await?
            .into_inner();
        // Every resource and data source the provider defines is served, and nothing else.
        use r53_plugin::Provider as _;
        let own = terraform_provider_r53::R53Provider::new();
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        let want_r = sorted(own.resources().iter().map(|r| r.type_name().to_string()).collect());
        let want_d = sorted(own.data_sources().iter().map(|d| d.type_name().to_string()).collect());
        assert!(want_r.contains(&"r53_registered_domain".to_string()), "{want_r:?}");
        assert_eq!(sorted(s.resource_schemas.keys().cloned().collect()), want_r);
        assert_eq!(sorted(s.data_source_schemas.keys().cloned().collect()), want_d);
        assert!(s.server_capabilities.unwrap().get_provider_schema_optional);
        let md = prov
            .get_metadata(pb::get_metadata::Request {})
            .await?
            .into_inner();
        assert_eq!(md.resources.len(), want_r.len());
        assert_eq!(md.data_sources.len(), want_d.len());
        prov.stop(pb::stop::Request {}).await?;
        let again = prov
            .get_schema(pb::get_provider_schema::Request {})
            .await?
            .into_inner();
        assert!(again.provider.is_some(), "Stop must not end the server");
        // UpgradeResourceState: JSON raw state of the current version comes back as msgpack of the
        // schema's type; a state from a newer provider is refused with a diagnostic.
        let raw = serde_json::json!({"id": "Z1/www.example.com/A", "zone_id": "Z1", "name": "www.example.com", "type": "A",
            "ttl": 300, "records": ["192.0.2.1"], "unknown_future_attr": 1});
        let up = prov
            .upgrade_resource_state(pb::upgrade_resource_state::Request {
                type_name: "r53_record".into(),
                version: 0,
                raw_state: Some(pb::RawState { json: serde_json::to_vec(&raw)?, flatmap: Default::default() }),
            })
            .await?
            .into_inner();
        assert!(up.diagnostics.is_empty(), "{:?}", up.diagnostics);
        let ty = r53_plugin::Schema::ty(&terraform_provider_r53::record_set::schema());
        let v = r53_plugin::Value::from_msgpack(&up.upgraded_state.unwrap().msgpack, &ty)?;
        assert_eq!(v.get("ttl").as_i64(), Some(300));
        assert_eq!(v.get("records"), &r53_plugin::Value::Set(vec![r53_plugin::Value::string("192.0.2.1")]));
        assert!(v.get("alias").is_null());
        let newer = prov
            .upgrade_resource_state(pb::upgrade_resource_state::Request {
                type_name: "r53_record".into(),
                version: 9,
                raw_state: Some(pb::RawState { json: serde_json::to_vec(&raw)?, flatmap: Default::default() }),
            })
            .await?
            .into_inner();
        assert!(newer.diagnostics.iter().any(|d| d.summary.contains("newer provider")), "{:?}", newer.diagnostics);

        // unknown resource types are a gRPC error, not a crash
        let err = prov
            .validate_resource_type_config(pb::validate_resource_type_config::Request {
                type_name: "nope".into(),
                ..Default::default()
            })
            .await;
        assert!(err.is_err());
        gp::grpc_controller_client::GrpcControllerClient::new(ch)
            .shutdown(gp::Empty {})
            .await?;
        Ok::<_, anyhow::Error>(())
    })?;
    let mut p = p;
    for _ in 0..50 {
        if let Some(st) = p.child.try_wait()? {
            assert!(st.success(), "provider exit status after Shutdown: {st:?}");
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("provider did not exit after controller Shutdown");
}
