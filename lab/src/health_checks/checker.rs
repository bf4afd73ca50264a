//! The lab's health checkers: one tokio task that probes every check not disabled, each every
//! `request_interval / time scale` seconds, and reports the probe as the observation of every
//! region the check names (one real probe stands for Route 53's checkers around the world).
//!
//! Probes follow Route 53's: connect within 4 s (HTTP/HTTPS) or 10 s (TCP); then a 2xx/3xx status
//! within 2 s; a search string in the first 5,120 body bytes (case-sensitive) within 2 s more;
//! HTTPS without certificate validation, SNI only when enabled; `Host` is the FQDN (FQDN:port but
//! on HTTP's 80 and HTTPS's 443), else the IP. The target is the IP address, or the FQDN resolved as a client on this
//! machine would: the lab's own DNS (root hints at the registry) for the lab's names, then the
//! system resolver (how `localhost` reaches a test's loopback server).
//! CLOUDWATCH_METRIC checks read their alarm's state from moto (DescribeAlarms).

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::StatusCode;
use hyper_util::rt::TokioIo;
use r53_zone::health_check::{HealthCheck, Kind};
use tokio::io::{AsyncRead, AsyncWrite};

use super::health::{AlarmState, Health, Observation};
use crate::xml;

/// Route 53's limits for a probe.
pub const HTTP_CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
pub const TCP_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const RESPONSE_TIMEOUT: Duration = Duration::from_secs(2);
pub const BODY_TIMEOUT: Duration = Duration::from_secs(2);
pub const SEARCH_BYTES: usize = 5120;
/// How often the loop looks for due checks (real time).
const TICK: Duration = Duration::from_millis(50);
/// CLOUDWATCH_METRIC checks read their alarm every this many Route 53 seconds.
const ALARM_INTERVAL_SECS: f64 = 10.0;
/// A lab name resolves in at most this many referrals and CNAMEs.
const MAX_DNS_STEPS: usize = 12;

const FIREWALL: &str = "The endpoint or the internet connection is down, or requests are being blocked by your firewall. See https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-router-firewall-rules.html";

/// Where the checker finds the lab: moto (CloudWatch alarms) and the lab's DNS root.
#[derive(Debug, Clone)]
pub struct Env {
    pub moto_url: String,
    pub dns_root: SocketAddr,
}

/// The running checker; stops when dropped.
pub struct Checker {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Checker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Checker {
    /// Starts the loop on the current tokio runtime.
    pub fn start(health: Arc<Health>, env: Env) -> Checker {
        Checker {
            task: tokio::spawn(run(health, Arc::new(env))),
        }
    }
}

async fn run(health: Arc<Health>, env: Arc<Env>) {
    let mut due: HashMap<String, Instant> = HashMap::new();
    let busy: Arc<Mutex<HashSet<String>>> = Arc::default();
    // Probes belong to the loop: aborting it drops them.
    let mut probes = tokio::task::JoinSet::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        while probes.try_join_next().is_some() {}
        let now = Instant::now();
        let scale = health.time_scale();
        let checks = health.to_probe();
        let live: HashSet<&str> = checks.iter().map(|(id, _)| id.as_str()).collect();
        due.retain(|id, _| live.contains(id.as_str()));
        for (id, cfg) in checks {
            let at = due.entry(id.clone()).or_insert(now);
            if *at > now || busy.lock().unwrap().contains(&id) {
                continue;
            }
            let secs = if cfg.kind == Kind::CloudwatchMetric {
                ALARM_INTERVAL_SECS
            } else {
                cfg.request_interval.unwrap_or(30) as f64
            };
            // Intervals are 10 or 30 s (validated at create); clamped so no setting can overflow.
            *at = now + Duration::from_secs_f64((secs / scale).clamp(0.01, 3600.0));
            busy.lock().unwrap().insert(id.clone());
            let (health, env, busy) = (health.clone(), env.clone(), busy.clone());
            probes.spawn(async move {
                if cfg.kind == Kind::CloudwatchMetric {
                    if let Some(a) = &cfg.alarm {
                        match alarm_state(&env.moto_url, &a.region, &a.name).await {
                            Ok(s) => health.record_alarm(&id, s, SystemTime::now()),
                            Err(e) => tracing::warn!("lab checker: alarm {}: {e}", a.name),
                        }
                    }
                } else {
                    let status = probe(&cfg, env.dns_root).await;
                    health.record_round(
                        &id,
                        Observation {
                            status,
                            checked: SystemTime::now(),
                        },
                    );
                }
                busy.lock().unwrap().remove(&id);
            });
        }
    }
}

/// One probe of an endpoint check: Route 53's status text ("Success: …" or "Failure: …").
pub async fn probe(cfg: &HealthCheck, dns_root: SocketAddr) -> String {
    let (ip, resolved) = match &cfg.ip_address {
        Some(ip) => match ip.parse::<IpAddr>() {
            Ok(ip) => (ip, false),
            Err(_) => return format!("Failure: {ip:?} is not an IP address."),
        },
        None => {
            let Some(name) = &cfg.fqdn else {
                return "Failure: The health check has no IP address or domain name.".into();
            };
            match resolve(name, dns_root).await {
                Ok(ip) => (ip, true),
                Err(e) => return format!("Failure: DNS resolution failed: {e}"),
            }
        }
    };
    let fail = |why: String| {
        if resolved {
            format!("Failure: Resolved IP: {ip}. {why}")
        } else {
            format!("Failure: {why}")
        }
    };
    let tls = cfg.kind.is_tls();
    let port = cfg
        .port
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(if tls { 443 } else { 80 });
    let limit = if cfg.kind == Kind::Tcp {
        TCP_CONNECT_TIMEOUT
    } else {
        HTTP_CONNECT_TIMEOUT
    };
    let tcp = match tokio::time::timeout(limit, tokio::net::TcpStream::connect((ip, port))).await {
        Err(_) => return fail(format!("Connection timed out. {FIREWALL}")),
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return fail(format!("Connection refused. {FIREWALL}"))
        }
        Ok(Err(e)) => return fail(format!("Connection failed: {e}. {FIREWALL}")),
        Ok(Ok(s)) => s,
    };
    if cfg.kind == Kind::Tcp {
        return "Success: TCP connection established.".into();
    }
    let started = Instant::now();
    let host = host_header(cfg.fqdn.as_deref(), ip, port, tls);
    let path = cfg.resource_path.clone().unwrap_or_else(|| "/".into());
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let exchange = async {
        if tls {
            let stream = tls_connect(tcp, cfg, ip).await?;
            http_get(stream, &host, &path, cfg.search_string.as_deref()).await
        } else {
            http_get(tcp, &host, &path, cfg.search_string.as_deref()).await
        }
    };
    let limit = RESPONSE_TIMEOUT
        + if cfg.kind.matches_string() {
            BODY_TIMEOUT
        } else {
            Duration::ZERO
        };
    match tokio::time::timeout(limit, exchange).await {
        Err(_) => fail(format!(
            "The endpoint did not respond within {} seconds after the connection (after {:.1} s).",
            limit.as_secs(),
            started.elapsed().as_secs_f64()
        )),
        Ok(Err(e)) => fail(e),
        Ok(Ok((status, found))) => {
            let code = format!(
                "HTTP Status Code {}, {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("Unknown")
            );
            if !(status.is_success() || status.is_redirection()) {
                return fail(code);
            }
            match (cfg.search_string.as_deref(), found) {
                (Some(s), false) if cfg.kind.matches_string() => fail(format!(
                    "{code}. The search string {s:?} was not found in the first {SEARCH_BYTES} bytes of the response body."
                )),
                _ => format!("Success: {code}"),
            }
        }
    }
}

/// The Host header Route 53 sends: the FQDN (else the IP), with `:port` unless the port is
/// HTTP's 80 or HTTPS's 443.
fn host_header(fqdn: Option<&str>, ip: IpAddr, port: u16, tls: bool) -> String {
    let h = fqdn.map(str::to_string).unwrap_or_else(|| match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    });
    if (port == 80 && !tls) || (port == 443 && tls) {
        h
    } else {
        format!("{h}:{port}")
    }
}

/// One GET; the status and whether `search` is in the first [`SEARCH_BYTES`] body bytes.
async fn http_get<S>(
    stream: S,
    host: &str,
    path: &str,
    search: Option<&str>,
) -> Result<(StatusCode, bool), String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("HTTP handshake failed: {e}"))?;
    let conn = tokio::spawn(conn);
    let req = hyper::Request::get(path)
        .header("host", host)
        .header(
            "user-agent",
            "Amazon-Route53-Health-Check-Service (r53 lab)",
        )
        .body(Empty::<Bytes>::new())
        .map_err(|e| format!("The request could not be made: {e}"))?;
    let resp = send
        .send_request(req)
        .await
        .map_err(|e| format!("The endpoint closed the connection: {e}"))?;
    let status = resp.status();
    let mut found = false;
    if let Some(s) = search {
        let mut body = resp.into_body();
        let mut seen: Vec<u8> = Vec::new();
        while seen.len() < SEARCH_BYTES {
            match body.frame().await {
                Some(Ok(f)) => {
                    if let Some(d) = f.data_ref() {
                        let room = SEARCH_BYTES - seen.len();
                        seen.extend_from_slice(&d[..d.len().min(room)]);
                    }
                }
                _ => break,
            }
        }
        found = !s.is_empty() && seen.windows(s.len()).any(|w| w == s.as_bytes());
    }
    conn.abort();
    Ok((status, found))
}

async fn tls_connect(
    tcp: tokio::net::TcpStream,
    cfg: &HealthCheck,
    ip: IpAddr,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String> {
    use rustls::pki_types::ServerName;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
        .with_no_client_auth();
    config.enable_sni = cfg.enable_sni.unwrap_or(false);
    let name = cfg
        .fqdn
        .as_deref()
        .and_then(|f| ServerName::try_from(f.to_string()).ok())
        .unwrap_or_else(|| ServerName::IpAddress(ip.into()));
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("The TLS handshake failed: {e}"))
}

/// Route 53's checkers do not validate certificates; signatures are still checked.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A name as a client here resolves it: the lab's DNS (from its root), then the system resolver.
/// IPv4 first (Route 53 probes a name's IPv4 address).
pub async fn resolve(name: &str, dns_root: SocketAddr) -> Result<IpAddr, String> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(ip);
    }
    if let Some(ip) = lab_lookup(name, dns_root).await {
        return Ok(ip);
    }
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name, 0))
        .await
        .map_err(|e| format!("{name}: {e}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .map(|a| a.ip())
        .ok_or_else(|| format!("{name} has no address"))
}

/// An iterative A lookup through the lab's DNS: referrals (glue, else the name server's own
/// lookup) and CNAMEs, at most [`MAX_DNS_STEPS`]. `None` when the lab does not know the name.
async fn lab_lookup(name: &str, root: SocketAddr) -> Option<IpAddr> {
    lookup_from(name.to_string(), root, 0).await
}

fn lookup_from(
    name: String,
    root: SocketAddr,
    depth: usize,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<IpAddr>> + Send>> {
    Box::pin(async move {
        use hickory_proto::rr::{RData, RecordType};
        if depth > 2 {
            return None;
        }
        let mut qname = name;
        let mut server = root;
        for _ in 0..MAX_DNS_STEPS {
            let m = crate::registry::ask(server, &qname, RecordType::A)
                .await
                .ok()?;
            let mut cname = None;
            for r in m.answers() {
                match r.data() {
                    RData::A(a) => return Some(IpAddr::V4(a.0)),
                    RData::CNAME(c) => cname = Some(crate::moto_api::norm(&c.0.to_string())),
                    _ => {}
                }
            }
            if let Some(c) = cname {
                qname = c;
                server = root;
                continue;
            }
            let ns: Vec<String> = m
                .name_servers()
                .iter()
                .filter_map(|r| match r.data() {
                    RData::NS(n) => Some(crate::moto_api::norm(&n.0.to_string())),
                    _ => None,
                })
                .collect();
            if ns.is_empty() || m.authoritative() {
                return None;
            }
            let glue = m.additionals().iter().find_map(|r| match r.data() {
                RData::A(a) if ns.contains(&crate::moto_api::norm(&r.name().to_string())) => {
                    Some(IpAddr::V4(a.0))
                }
                _ => None,
            });
            let next = match glue {
                Some(ip) => ip,
                None => lookup_from(ns[0].clone(), root, depth + 1).await?,
            };
            server = SocketAddr::new(next, root.port());
        }
        None
    })
}

type Http = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

fn client() -> Http {
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build_http()
}

/// A CloudWatch query-protocol call to moto in `region`: the parsed response, or moto's error.
async fn cloudwatch(
    moto_url: &str,
    region: &str,
    params: &[(&str, &str)],
) -> anyhow::Result<xml::Element> {
    let mut body = String::from("Version=2010-08-01");
    for (k, v) in params {
        body.push_str(&format!("&{k}={}", crate::moto_api::urlenc(v)));
    }
    let req = hyper::Request::post(format!("{}/", moto_url.trim_end_matches('/')))
        .header(
            "authorization",
            format!("AWS4-HMAC-SHA256 Credential=testing/20260101/{region}/monitoring/aws4_request, SignedHeaders=host, Signature=0"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))?;
    let resp = client().request(req).await?;
    let status = resp.status();
    let bytes = resp.into_body().collect().await?.to_bytes();
    if !status.is_success() {
        anyhow::bail!(
            "moto CloudWatch {}: {status}: {}",
            params.first().map(|p| p.1).unwrap_or_default(),
            String::from_utf8_lossy(&bytes)
        );
    }
    xml::parse(&bytes)
}

/// The state of CloudWatch alarm `name` in `region` (an alarm moto does not have has no data).
pub async fn alarm_state(moto_url: &str, region: &str, name: &str) -> anyhow::Result<AlarmState> {
    let doc = cloudwatch(
        moto_url,
        region,
        &[("Action", "DescribeAlarms"), ("AlarmNames.member.1", name)],
    )
    .await?;
    let mut found = Vec::new();
    doc.find_all("StateValue", &mut found);
    match found.first().and_then(|e| e.text_at(&[])) {
        Some(s) => Ok(AlarmState::parse(s)?),
        None => Ok(AlarmState::InsufficientData),
    }
}

/// Sets alarm `name` in `region` to `state` through moto's SetAlarmState, creating the alarm
/// (on a lab metric) first when moto has none by that name.
pub async fn set_alarm_state(
    moto_url: &str,
    region: &str,
    name: &str,
    state: AlarmState,
) -> anyhow::Result<()> {
    let set = [
        ("Action", "SetAlarmState"),
        ("AlarmName", name),
        ("StateValue", state.as_str()),
        ("StateReason", "set by the r53 lab"),
    ];
    let doc = cloudwatch(
        moto_url,
        region,
        &[("Action", "DescribeAlarms"), ("AlarmNames.member.1", name)],
    )
    .await?;
    let mut found = Vec::new();
    doc.find_all("AlarmName", &mut found);
    if found.is_empty() {
        cloudwatch(
            moto_url,
            region,
            &[
                ("Action", "PutMetricAlarm"),
                ("AlarmName", name),
                ("MetricName", "LabMetric"),
                ("Namespace", "R53Lab"),
                ("Statistic", "Average"),
                ("Period", "60"),
                ("EvaluationPeriods", "1"),
                ("Threshold", "1"),
                ("ComparisonOperator", "GreaterThanThreshold"),
            ],
        )
        .await?;
    }
    cloudwatch(moto_url, region, &set).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (Host header, path, SNI) of each request a test server saw.
    type Seen = Arc<Mutex<Vec<(String, String, Option<String>)>>>;

    /// What a test server answers and what it saw.
    #[derive(Clone)]
    struct Server {
        addr: SocketAddr,
        seen: Seen,
    }

    type Reply = (u16, String);

    async fn serve_http<S>(stream: S, reply: Reply, sni: Option<String>, seen: Seen)
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
            let host = req
                .headers()
                .get("host")
                .and_then(|h| h.to_str().ok())
                .unwrap_or_default()
                .to_string();
            seen.lock()
                .unwrap()
                .push((host, req.uri().path().to_string(), sni.clone()));
            let (status, body) = reply.clone();
            async move {
                hyper::Response::builder()
                    .status(status)
                    .body(Full::new(Bytes::from(body)))
            }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(stream), svc)
            .await;
    }

    async fn http_server(reply: Reply) -> Server {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let s = Server {
            addr: l.local_addr().unwrap(),
            seen: Arc::default(),
        };
        let seen = s.seen.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = l.accept().await {
                tokio::spawn(serve_http(tcp, reply.clone(), None, seen.clone()));
            }
        });
        s
    }

    async fn https_server(reply: Reply) -> Server {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into());
        let config = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(vec![cert.cert.der().clone()], key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let s = Server {
            addr: l.local_addr().unwrap(),
            seen: Arc::default(),
        };
        let seen = s.seen.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = l.accept().await {
                let (acceptor, reply, seen) = (acceptor.clone(), reply.clone(), seen.clone());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        let sni = tls.get_ref().1.server_name().map(str::to_string);
                        serve_http(tls, reply, sni, seen).await;
                    }
                });
            }
        });
        s
    }

    fn check(kind: Kind, port: u16) -> HealthCheck {
        let mut h = HealthCheck::new(kind);
        h.fqdn = Some("localhost".into());
        h.port = Some(port.into());
        h
    }

    /// A lab root that knows no names (so `localhost` goes on to the system resolver); kept
    /// running for the test.
    async fn no_lab_dns() -> (SocketAddr, crate::registry::Registry) {
        let reg = crate::registry::Registry::start(
            Arc::new(crate::domains::Registrar::new(Default::default())),
            &["test"],
        )
        .await
        .unwrap();
        (reg.addr, reg)
    }

    #[test]
    fn host_headers_follow_route53() {
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(host_header(Some("a.example"), ip, 80, false), "a.example");
        assert_eq!(host_header(Some("a.example"), ip, 443, true), "a.example");
        assert_eq!(
            host_header(Some("a.example"), ip, 443, false),
            "a.example:443"
        );
        assert_eq!(host_header(Some("a.example"), ip, 80, true), "a.example:80");
        assert_eq!(host_header(None, ip, 8080, false), "192.0.2.1:8080");
        assert_eq!(
            host_header(None, "2001:db8::1".parse().unwrap(), 80, false),
            "[2001:db8::1]"
        );
    }

    #[tokio::test]
    async fn http_probes_read_status_host_path_and_body() {
        let (dns, _root) = no_lab_dns().await;
        let ok = http_server((200, "all good here".into())).await;
        let mut h = check(Kind::Http, ok.addr.port());
        h.resource_path = Some("/health".into());
        assert_eq!(probe(&h, dns).await, "Success: HTTP Status Code 200, OK");
        let seen = ok.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            [(
                format!("localhost:{}", ok.addr.port()),
                "/health".into(),
                None
            )]
        );

        let down = http_server((503, String::new())).await;
        let h = check(Kind::Http, down.addr.port());
        assert_eq!(
            probe(&h, dns).await,
            "Failure: Resolved IP: 127.0.0.1. HTTP Status Code 503, Service Unavailable"
        );
        // By address, the Host header is the address.
        let mut h = HealthCheck::new(Kind::Http);
        h.ip_address = Some("127.0.0.1".into());
        h.port = Some(down.addr.port().into());
        assert_eq!(
            probe(&h, dns).await,
            "Failure: HTTP Status Code 503, Service Unavailable"
        );
        assert_eq!(
            down.seen.lock().unwrap()[1].0,
            format!("127.0.0.1:{}", down.addr.port())
        );
        let moved = http_server((301, String::new())).await;
        assert!(probe(&check(Kind::Http, moved.addr.port()), dns)
            .await
            .starts_with("Success: HTTP Status Code 301"));

        // The search string: case-sensitive, within the first 5,120 bytes.
        let mut h = check(Kind::HttpStrMatch, ok.addr.port());
        h.search_string = Some("good".into());
        assert_eq!(probe(&h, dns).await, "Success: HTTP Status Code 200, OK");
        h.search_string = Some("GOOD".into());
        let s = probe(&h, dns).await;
        assert!(s.starts_with("Failure: Resolved IP: 127.0.0.1. HTTP Status Code 200, OK. The search string \"GOOD\" was not found in the first 5120 bytes"), "{s}");
        let late = http_server((200, format!("{}needle", "x".repeat(SEARCH_BYTES)))).await;
        let mut h = check(Kind::HttpStrMatch, late.addr.port());
        h.search_string = Some("needle".into());
        assert!(
            probe(&h, dns).await.starts_with("Failure:"),
            "past 5,120 bytes"
        );
        let edge = http_server((200, format!("{}needle", "x".repeat(SEARCH_BYTES - 6)))).await;
        h.port = Some(edge.addr.port().into());
        assert!(
            probe(&h, dns).await.starts_with("Success:"),
            "ends at byte 5,120"
        );
    }

    #[tokio::test]
    async fn refused_connections_and_tcp_checks() {
        let (dns, _root) = no_lab_dns().await;
        let closed = {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap().port()
        };
        let s = probe(&check(Kind::Http, closed), dns).await;
        assert!(
            s.starts_with("Failure: Resolved IP: 127.0.0.1. Connection refused."),
            "{s}"
        );
        let s = probe(&check(Kind::Tcp, closed), dns).await;
        assert!(
            s.starts_with("Failure: Resolved IP: 127.0.0.1. Connection refused."),
            "{s}"
        );
        let open = http_server((500, String::new())).await;
        assert_eq!(
            probe(&check(Kind::Tcp, open.addr.port()), dns).await,
            "Success: TCP connection established."
        );
        let mut h = check(Kind::Http, 80);
        h.fqdn = Some("no-such-name.invalid".into());
        let s = probe(&h, dns).await;
        assert!(s.starts_with("Failure: DNS resolution failed"), "{s}");
    }

    #[tokio::test]
    async fn https_probes_skip_certificate_checks_and_send_sni_only_when_enabled() {
        let (dns, _root) = no_lab_dns().await;
        let srv = https_server((200, "secure".into())).await;
        let mut h = check(Kind::Https, srv.addr.port());
        h.enable_sni = Some(false);
        assert_eq!(probe(&h, dns).await, "Success: HTTP Status Code 200, OK");
        h.enable_sni = Some(true);
        h.kind = Kind::HttpsStrMatch;
        h.search_string = Some("secure".into());
        assert_eq!(probe(&h, dns).await, "Success: HTTP Status Code 200, OK");
        let seen = srv.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].2, None, "no SNI");
        assert_eq!(seen[1].2.as_deref(), Some("localhost"), "SNI");
        assert_eq!(seen[1].0, format!("localhost:{}", srv.addr.port()));
    }
}
