//! A Route 53 proxy in front of moto that makes it as strict as AWS where moto is lenient, can leave
//! changes PENDING for a while, injects faults, and counts calls (from outside the provider).
//!
//! Strictness added (stack facts: moto accepts all of these):
//! - CREATE of a record set that exists → InvalidChangeBatch;
//! - CNAME at the zone apex → InvalidChangeBatch;
//! - DELETE whose TTL/values do not match, or of a missing set → InvalidChangeBatch;
//! - a CNAME beside any other type at the same name → InvalidChangeBatch;
//! - a repeated CreateHostedZone CallerReference → HostedZoneAlreadyExists;
//! - a record set naming a health check that does not exist → NoSuchHealthCheck (health checks
//!   are the lab's own, see `health_checks`);
//! - changes report PENDING until `pending_ms` has passed;
//! - change batches to one zone are processed one at a time (PriorRequestNotComplete otherwise).
//!
//! The checks run against the proxy's own index of each zone (`zone_index`), not moto.
//!
//! It also works around moto bugs that would make tests fail where AWS succeeds: a CREATE it
//! wrongly calls a duplicate is forwarded as UPSERT once the proxy has checked it (see `handle`),
//! and moto's constant change ID is replaced by a unique one per change.
//!
//! Faults: with probability `fault_rate`, a request gets Throttling, PriorRequestNotComplete, a 500,
//! a connection reset before forwarding, or — the nasty one — a reset *after* moto applied it.
//! Whether the n-th call of an action is faulted, and how, is a hash of (seed, action, n)
//! ([`fault_for`]), not a draw from one RNG in arrival order: the faults a sequence of calls gets
//! do not depend on how concurrent requests interleave. `fault_first` also faults the first call
//! of every action, so a test is sure each API it exercises sees a fault.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::{Deserialize, Serialize};

use crate::moto_api::MOTO_ROUTE53_AUTH;
use crate::xml::{self, Element};
use crate::zone_index::{changes_of, Change, ZoneIndex};

// Declared here because lib.rs belongs to another piece of work; the files are lab/src/cidr_*.rs.
use crate::cidr_collections::CidrCollections;

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct ProxyConfig {
    /// Share of requests that get a fault (0.0 – 1.0).
    pub fault_rate: f64,
    /// Which faults: any of "throttle", "prior", "500", "reset", "reset_after".
    pub faults: Vec<String>,
    /// How long a change stays PENDING.
    pub pending_ms: u64,
    pub seed: u64,
    /// With `fault_rate` > 0, also fault the first call of every action (counted from the last
    /// `set_config`), whatever the draw says.
    pub fault_first: bool,
    /// Enforce AWS's rules where moto is lenient.
    pub strict: bool,
    /// Route 53 actions (e.g. "ChangeTagsForResource") whose requests are counted, then held
    /// unanswered and unforwarded until the action leaves this list: a test's fixed point to
    /// interrupt the provider at ("the request is in flight and has not been applied").
    pub hold: Vec<String>,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        ProxyConfig {
            fault_rate: 0.0,
            faults: vec![
                "throttle".into(),
                "prior".into(),
                "500".into(),
                "reset".into(),
                "reset_after".into(),
            ],
            pending_ms: 0,
            seed: 1,
            fault_first: false,
            strict: true,
            hold: Vec::new(),
        }
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Stats {
    /// Requests received, by Route 53 action (faulted ones included).
    pub calls: BTreeMap<String, u64>,
    /// Faults injected, by kind.
    pub faults: BTreeMap<String, u64>,
    /// Faults injected, by action, then kind.
    pub faulted: BTreeMap<String, BTreeMap<String, u64>>,
    /// Requests refused by the strictness rules.
    pub refused: u64,
    /// Zone indexes the proxy built by reading a whole zone from moto (its batch checks make no
    /// other upstream reads).
    #[serde(default)]
    index_loads: u64,
}

impl Stats {
    pub fn total(&self) -> u64 {
        self.calls.values().sum()
    }
    pub fn get(&self, action: &str) -> u64 {
        self.calls.get(action).copied().unwrap_or(0)
    }
    /// Write calls (anything that is not Get*/List*).
    pub fn writes(&self) -> u64 {
        self.calls
            .iter()
            .filter(|(k, _)| !(k.starts_with("Get") || k.starts_with("List")))
            .map(|(_, v)| v)
            .sum()
    }
}

struct State {
    upstream: String,
    client: Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>,
    config: Mutex<ProxyConfig>,
    /// Calls per action since the config was last set: the fault schedule's clock.
    call_index: Mutex<HashMap<String, u64>>,
    stats: Mutex<Stats>,
    /// change id → when it was made
    changes: Mutex<HashMap<String, Instant>>,
    caller_refs: Mutex<HashSet<String>>,
    /// zones with a change batch being processed
    busy_zones: Mutex<HashSet<String>>,
    /// zone id → its record sets as moto holds them (see `zone_index`)
    indexes: Mutex<HashMap<String, ZoneIndex>>,
    /// Route 53 Domains (moto's is too partial): answered here, not forwarded.
    registrar: Arc<crate::domains::Registrar>,
    /// Each zone's delegation set (see `nameservers`): moto's names are rewritten to it.
    sets: Arc<crate::nameservers::DelegationSets>,
    /// Reusable delegation sets (moto's are not Route 53's): answered here, not forwarded.
    reusable: crate::reusable_sets::ReusableSets,
    /// VPC associations across accounts and their authorizations (see `authorizations`).
    vpcs: crate::authorizations::Vpcs,
    /// Route 53 Resolver, forwarded with AWS's asynchronous statuses (see `resolver_status`).
    resolver: crate::resolver_status::ResolverStatus,
    /// Health checks (moto's are unusable): answered here, not forwarded.
    health_checks: crate::health_checks::HealthChecks,
    /// CIDR collections (moto has none) and the CIDR/geoproximity routing moto drops from record
    /// sets: answered and kept here.
    cidr: Arc<CidrCollections>,
    /// Route 53's DNSSEC API (moto has a canned GetDNSSEC only): answered and kept here.
    dnssec: Arc<crate::dnssec::Dnssec>,
}

pub struct Proxy {
    addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Starts the proxy on a free loopback port in front of `upstream` (e.g. moto's URL).
    pub(crate) async fn start(upstream: &str, config: ProxyConfig) -> anyhow::Result<Proxy> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let sets: Arc<crate::nameservers::DelegationSets> = Default::default();
        let state = Arc::new(State {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            call_index: Mutex::new(HashMap::new()),
            config: Mutex::new(config),
            stats: Mutex::new(Stats::default()),
            changes: Mutex::new(HashMap::new()),
            caller_refs: Mutex::new(HashSet::new()),
            busy_zones: Mutex::new(HashSet::new()),
            indexes: Mutex::new(HashMap::new()),
            registrar: Arc::new(crate::domains::Registrar::new(Default::default())),
            dnssec: Arc::new(crate::dnssec::Dnssec::new(upstream, sets.clone())),
            sets,
            reusable: Default::default(),
            vpcs: crate::authorizations::Vpcs::new(upstream),
            resolver: crate::resolver_status::ResolverStatus::new(upstream),
            health_checks: Default::default(),
            cidr: Default::default(),
        });
        let st = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let st = st.clone();
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| handle(st.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tcp), svc)
                        .await;
                });
            }
        });
        Ok(Proxy { addr, state, task })
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Route 53 Resolver as the lab forwards it (held statuses).
    pub fn resolver(&self) -> &crate::resolver_status::ResolverStatus {
        &self.state.resolver
    }
    /// The lab's Route 53 Domains, served on the same endpoint (for tests: failures, taken names,
    /// what the registry publishes).
    pub fn registrar(&self) -> &crate::domains::Registrar {
        &self.state.registrar
    }
    pub(crate) fn registrar_arc(&self) -> Arc<crate::domains::Registrar> {
        self.state.registrar.clone()
    }
    /// Which delegation set each zone is on (shared with the lab's Route 53 name servers).
    pub fn delegation_sets(&self) -> Arc<crate::nameservers::DelegationSets> {
        self.state.sets.clone()
    }

    /// Each health check's status as the status APIs report it (for a checker to update).
    pub fn health(&self) -> Arc<crate::health_checks::Health> {
        self.state.health_checks.health()
    }

    /// The CIDR collections and the record sets' CIDR/geoproximity routing (for the name
    /// servers: [`CidrCollections::locate`], [`CidrCollections::record_routing`]).
    pub fn cidr_collections(&self) -> Arc<CidrCollections> {
        self.state.cidr.clone()
    }

    /// Route 53 DNSSEC: each zone's KSKs and signing status, and KMS signing (for the name
    /// servers: [`crate::dnssec::Dnssec::signing`], [`crate::dnssec::Dnssec::kms_sign`]).
    pub fn dnssec(&self) -> Arc<crate::dnssec::Dnssec> {
        self.state.dnssec.clone()
    }

    pub fn set_config(&self, c: ProxyConfig) {
        self.state.set_config(c);
    }
    pub fn config(&self) -> ProxyConfig {
        self.state.config.lock().unwrap().clone()
    }
    pub fn stats(&self) -> Stats {
        self.state.stats.lock().unwrap().clone()
    }
    pub fn reset_stats(&self) {
        *self.state.stats.lock().unwrap() = Stats::default();
    }
}

/// The Route 53 action a request is, from its method and path.
fn action(method: &Method, path: &str) -> String {
    let p = path.split('?').next().unwrap_or("").trim_end_matches('/');
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    let m = method.as_str();
    let name = match (m, segs.as_slice()) {
        ("POST", [_, "hostedzone"]) => "CreateHostedZone",
        ("GET", [_, "hostedzone"]) => "ListHostedZones",
        ("GET", [_, "hostedzonesbyname"]) => "ListHostedZonesByName",
        ("GET", [_, "hostedzone", _]) => "GetHostedZone",
        ("POST", [_, "hostedzone", _]) => "UpdateHostedZoneComment",
        ("DELETE", [_, "hostedzone", _]) => "DeleteHostedZone",
        ("POST", [_, "hostedzone", _, "rrset"]) => "ChangeResourceRecordSets",
        ("GET", [_, "hostedzone", _, "rrset"]) => "ListResourceRecordSets",
        ("POST", [_, "hostedzone", _, "associatevpc"]) => "AssociateVPCWithHostedZone",
        ("POST", [_, "hostedzone", _, "disassociatevpc"]) => "DisassociateVPCFromHostedZone",
        ("POST", [_, "hostedzone", _, "authorizevpcassociation"]) => {
            "CreateVPCAssociationAuthorization"
        }
        ("GET", [_, "hostedzone", _, "authorizevpcassociation"]) => {
            "ListVPCAssociationAuthorizations"
        }
        ("POST", [_, "hostedzone", _, "deauthorizevpcassociation"]) => {
            "DeleteVPCAssociationAuthorization"
        }
        ("GET", [_, "hostedzonesbyvpc"]) => "ListHostedZonesByVPC",
        ("GET", [_, "change", _]) => "GetChange",
        ("GET", [_, "tags", _, _]) => "ListTagsForResource",
        ("POST", [_, "tags", _, _]) => "ChangeTagsForResource",
        ("POST", [_, "tags", _]) => "ListTagsForResources",
        ("POST", [_, "delegationset"]) => "CreateReusableDelegationSet",
        ("GET", [_, "delegationset"]) => "ListReusableDelegationSets",
        ("GET", [_, "delegationset", _]) => "GetReusableDelegationSet",
        ("DELETE", [_, "delegationset", _]) => "DeleteReusableDelegationSet",
        ("POST", [_, "queryloggingconfig"]) => "CreateQueryLoggingConfig",
        ("GET", [_, "queryloggingconfig"]) => "ListQueryLoggingConfigs",
        ("GET", [_, "queryloggingconfig", _]) => "GetQueryLoggingConfig",
        ("DELETE", [_, "queryloggingconfig", _]) => "DeleteQueryLoggingConfig",
        ("GET", [_, "healthcheck"]) => "ListHealthChecks",
        ("POST", [_, "healthcheck"]) => "CreateHealthCheck",
        ("GET", [_, "healthcheck", _]) => "GetHealthCheck",
        ("POST", [_, "healthcheck", _]) => "UpdateHealthCheck",
        ("DELETE", [_, "healthcheck", _]) => "DeleteHealthCheck",
        ("GET", [_, "healthcheck", _, "status"]) => "GetHealthCheckStatus",
        ("GET", [_, "healthcheck", _, "lastfailurereason"]) => "GetHealthCheckLastFailureReason",
        ("GET", [_, "healthcheckcount"]) => "GetHealthCheckCount",
        ("GET", [_, "checkeripranges"]) => "GetCheckerIpRanges",
        ("POST", [_, "cidrcollection"]) => "CreateCidrCollection",
        ("GET", [_, "cidrcollection"]) => "ListCidrCollections",
        ("POST", [_, "cidrcollection", _]) => "ChangeCidrCollection",
        ("DELETE", [_, "cidrcollection", _]) => "DeleteCidrCollection",
        ("GET", [_, "cidrcollection", _]) => "ListCidrLocations",
        ("GET", [_, "cidrcollection", _, "cidrblocks"]) => "ListCidrBlocks",
        ("POST", [_, "keysigningkey"]) => "CreateKeySigningKey",
        ("POST", [_, "keysigningkey", _, _, "activate"]) => "ActivateKeySigningKey",
        ("POST", [_, "keysigningkey", _, _, "deactivate"]) => "DeactivateKeySigningKey",
        ("DELETE", [_, "keysigningkey", _, _]) => "DeleteKeySigningKey",
        ("POST", [_, "hostedzone", _, "enable-dnssec"]) => "EnableHostedZoneDNSSEC",
        ("POST", [_, "hostedzone", _, "disable-dnssec"]) => "DisableHostedZoneDNSSEC",
        ("GET", [_, "hostedzone", _, "dnssec"]) => "GetDNSSEC",
        _ => return format!("{m} {p}"),
    };
    name.to_string()
}

impl State {
    /// A new config restarts the fault schedule: call indices count from 0 again.
    fn set_config(&self, c: ProxyConfig) {
        self.call_index.lock().unwrap().clear();
        *self.config.lock().unwrap() = c;
    }
}

/// The fault (one of `cfg.faults`) for call number `index` (from 0) of `action`, if any: a pure
/// function of the config, the action and the index, so the same calls get the same faults
/// however requests interleave.
pub fn fault_for<'a>(cfg: &'a ProxyConfig, action: &str, index: u64) -> Option<&'a str> {
    if cfg.faults.is_empty() || cfg.fault_rate <= 0.0 {
        return None;
    }
    let h = mix(mix(cfg.seed ^ fnv1a(action.as_bytes())) ^ index);
    // The top 53 bits as a uniform draw in [0, 1); the rest picks the kind.
    let draw = (h >> 11) as f64 / (1u64 << 53) as f64;
    if !(draw < cfg.fault_rate || (cfg.fault_first && index == 0)) {
        return None;
    }
    let kinds = cfg.faults.len() as u64;
    cfg.faults
        .get((mix(h) % kinds) as usize)
        .map(String::as_str)
}

/// SplitMix64's finaliser: a well-spread 64-bit hash step.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, for a stable (toolchain-independent) hash of the action name.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

type Resp = Response<Full<Bytes>>;

pub(crate) fn xml_error(status: StatusCode, code: &str, message: &str) -> Resp {
    let body = format!(
        "<?xml version=\"1.0\"?>\n<ErrorResponse xmlns=\"{NS}\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>lab-{}</RequestId></ErrorResponse>",
        xml::escape(message),
        rand::random::<u32>()
    );
    Response::builder()
        .status(status)
        .header("content-type", "text/xml")
        .body(Full::new(Bytes::from(body)))
        .expect("response")
}

/// Route 53 takes a log group's ARN as CloudWatch Logs gives it (and as the AWS provider's log
/// group exports it), without `:*`; moto only with. The lab adds it, as Route 53 reads the same
/// group either way.
fn all_streams(body: Bytes) -> Bytes {
    let text = String::from_utf8_lossy(&body);
    let (open, close) = (
        "<CloudWatchLogsLogGroupArn>",
        "</CloudWatchLogsLogGroupArn>",
    );
    match (text.find(open), text.find(close)) {
        (Some(a), Some(b)) if a < b => {
            let arn = &text[a + open.len()..b];
            if arn.ends_with(":*") {
                return body;
            }
            Bytes::from(format!("{}{arn}:*{}", &text[..a + open.len()], &text[b..]))
        }
        _ => body,
    }
}

/// A lab-answered call as an HTTP response.
fn answer(a: crate::reusable_sets::Answer) -> Resp {
    use crate::reusable_sets::Answer;
    match a {
        Answer::Ok {
            status,
            body,
            location,
        } => {
            let mut b = Response::builder()
                .status(status)
                .header("content-type", "text/xml");
            if let Some(l) = location {
                b = b.header("location", l);
            }
            b.body(Full::new(Bytes::from(body))).expect("response")
        }
        Answer::Error {
            status,
            code,
            message,
        } => xml_error(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            code,
            &message,
        ),
    }
}

fn json(v: &impl Serialize) -> Resp {
    Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(serde_json::to_vec(v).expect("json"))))
        .expect("response")
}

/// A dropped connection: hyper closes it without a response when the service fails.
#[derive(Debug)]
struct Reset;
impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("lab: injected connection reset")
    }
}
impl std::error::Error for Reset {}

async fn handle(st: Arc<State>, req: Request<Incoming>) -> Result<Resp, Reset> {
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let method = req.method().clone();
    if let Some(op) = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .and_then(|t| t.strip_prefix(crate::domains::TARGET_PREFIX))
        .map(str::to_string)
    {
        return Ok(domains_call(&st, &op, req).await);
    }
    if let Some(op) = (req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok()))
    .and_then(|t| t.strip_prefix(crate::resolver_status::TARGET_PREFIX))
    .map(str::to_string)
    {
        return Ok(st.resolver.handle(&op, req).await);
    }
    // Lab control endpoints.
    if path.starts_with("/__lab/") {
        let body = req
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        return Ok(match (method.as_str(), path.as_str()) {
            ("GET", "/__lab/stats") => json(&*st.stats.lock().unwrap()),
            ("POST", "/__lab/stats/reset") => {
                *st.stats.lock().unwrap() = Stats::default();
                json(&"ok")
            }
            ("GET", "/__lab/config") => json(&*st.config.lock().unwrap()),
            ("POST", "/__lab/config") => match serde_json::from_slice::<ProxyConfig>(&body) {
                Ok(c) => {
                    st.set_config(c);
                    json(&"ok")
                }
                Err(e) => xml_error(StatusCode::BAD_REQUEST, "InvalidInput", &e.to_string()),
            },
            (m, p) if p.starts_with("/__lab/health/") || p.starts_with("/__lab/dns/") => answer(
                crate::routing::lab_control(&st.health_checks.health(), &st.sets, m, p, &body),
            ),
            _ => xml_error(StatusCode::NOT_FOUND, "NotFound", "unknown lab endpoint"),
        });
    }
    let act = action(&method, &path);
    *st.stats
        .lock()
        .unwrap()
        .calls
        .entry(act.clone())
        .or_default() += 1;
    while st.config.lock().unwrap().hold.contains(&act) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cfg = st.config.lock().unwrap().clone();
    let mut headers = req.headers().clone();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();

    // Faults before anything is applied.
    let index = {
        let mut calls = st.call_index.lock().unwrap();
        let n = calls.entry(act.clone()).or_default();
        *n += 1;
        *n - 1
    };
    let fault = fault_for(&cfg, &act, index).map(str::to_string);
    if let Some(f) = &fault {
        let mut stats = st.stats.lock().unwrap();
        *stats.faults.entry(f.clone()).or_default() += 1;
        *stats
            .faulted
            .entry(act.clone())
            .or_default()
            .entry(f.clone())
            .or_default() += 1;
        drop(stats);
        match f.as_str() {
            "throttle" => {
                return Ok(xml_error(
                    StatusCode::BAD_REQUEST,
                    "Throttling",
                    "Rate exceeded",
                ))
            }
            "prior" => return Ok(xml_error(
                StatusCode::BAD_REQUEST,
                "PriorRequestNotComplete",
                "The request was rejected because Route 53 was still processing a prior request.",
            )),
            "500" => {
                return Ok(xml_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalFailure",
                    "We encountered an internal error. Please try again.",
                ))
            }
            "reset" => return Err(Reset),
            _ => {}
        }
    }

    if let Some(a) = st.reusable.handle(&st.sets, &act, &path, &body) {
        return Ok(answer(a));
    }
    if let Some(a) = st.health_checks.handle(&act, &path, &body) {
        return Ok(answer(a));
    }
    if let Some(a) = st.cidr.handle(&act, &path, &body) {
        return Ok(answer(a));
    }
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if let Some(a) = st.dnssec.handle(&act, &path, auth, &body).await {
        // A mutating call's ChangeInfo becomes one of the proxy's changes.
        return Ok(answer(match a {
            crate::reusable_sets::Answer::Ok {
                status,
                body,
                location,
            } if act != "GetDNSSEC" => crate::reusable_sets::Answer::Ok {
                status,
                body: String::from_utf8_lossy(&pend(&st, &cfg, &act, Bytes::from(body)))
                    .into_owned(),
                location,
            },
            a => a,
        }));
    }
    if act == "DeleteHostedZone" {
        let id = crate::reusable_sets::api::segments(&path)
            .get(2)
            .copied()
            .unwrap_or_default();
        if let Some(a) = st.dnssec.refuse_zone_delete(id) {
            st.stats.lock().unwrap().refused += 1;
            return Ok(answer(a));
        }
    }
    // Tags stay in moto, which keeps them for any ID.
    if let Some(a) = st.health_checks.check_tags(&act, &path, &body) {
        return Ok(answer(a));
    }
    // A zone on a reusable delegation set: (the set's ID, its lab set).
    let mut on_set = None;
    if act == "CreateHostedZone" {
        match st.reusable.check_new_zone(&body) {
            Ok(Some(set)) => {
                on_set = xml::parse(&body)
                    .ok()
                    .and_then(|d| d.text_at(&["DelegationSetId"]).map(str::to_string))
                    .map(|id| (id.trim_start_matches("/delegationset/").to_string(), set))
            }
            Ok(None) => {}
            Err(a) => return Ok(answer(a)),
        }
    }

    let body = if act == "CreateQueryLoggingConfig" {
        all_streams(body)
    } else {
        body
    };

    let vpc_done = match st.vpcs.dispatch(&act, &path, &mut headers, &body).await {
        Ok(done) => done,
        Err(answer) => return Ok(answer),
    };
    let mut body = body;
    let zone_id = path
        .split('/')
        .nth(3)
        .map(|s| s.split('?').next().unwrap_or(s).to_string())
        .unwrap_or_default();
    let mut zone_guard = None;
    let mut checked = None;
    if cfg.strict {
        match act.as_str() {
            "CreateHostedZone" => {
                if let Ok(doc) = xml::parse(&body) {
                    if let Some(r) = doc.text_at(&["CallerReference"]) {
                        if !st.caller_refs.lock().unwrap().insert(r.to_string()) {
                            st.stats.lock().unwrap().refused += 1;
                            return Ok(xml_error(
                                StatusCode::CONFLICT,
                                "HostedZoneAlreadyExists",
                                &format!("A hosted zone has already been created with the specified caller reference {r}."),
                            ));
                        }
                    }
                }
            }
            "ChangeResourceRecordSets" => {
                if let Some(a) = st.health_checks.check_batch(&body) {
                    st.stats.lock().unwrap().refused += 1;
                    return Ok(answer(a));
                }
                if let Some(a) = st.cidr.check_batch(&zone_id, &body) {
                    st.stats.lock().unwrap().refused += 1;
                    return Ok(answer(a));
                }
                if !st.busy_zones.lock().unwrap().insert(zone_id.clone()) {
                    st.stats.lock().unwrap().refused += 1;
                    return Ok(xml_error(
                        StatusCode::BAD_REQUEST,
                        "PriorRequestNotComplete",
                        "The request was rejected because Route 53 was still processing a prior request.",
                    ));
                }
                zone_guard = Some(ZoneGuard {
                    st: st.clone(),
                    zone: zone_id.clone(),
                });
                match check_batch(&st, &zone_id, &body).await {
                    Ok(c) => checked = c,
                    Err(msg) => {
                        st.stats.lock().unwrap().refused += 1;
                        return Ok(xml_error(
                            StatusCode::BAD_REQUEST,
                            "InvalidChangeBatch",
                            &msg,
                        ));
                    }
                }
                // The batch passed AWS's checks, so every CREATE is of a set that does not exist and
                // means the same as UPSERT. moto's own CREATE check wrongly reports "already exists"
                // whenever any record sorts after the name, so send UPSERT.
                body = Bytes::from(
                    String::from_utf8_lossy(&body)
                        .replace("<Action>CREATE</Action>", "<Action>UPSERT</Action>"),
                );
            }
            _ => {}
        }
    }

    // moto drops CIDR and geoproximity routing: kept here once moto has accepted the batch.
    let routed = (act == "ChangeResourceRecordSets").then(|| body.clone());
    let resp = forward(&st, method.clone(), &path, &headers, body).await;
    let ok = matches!(&resp, Ok((parts, _)) if parts.status.is_success());
    if ok {
        if let Some(b) = &routed {
            st.cidr.apply_batch(&zone_id, b);
        }
        if act == "DeleteHostedZone" {
            st.cidr.forget_zone(&zone_id);
            st.dnssec.forget_zone(&zone_id);
        }
    }
    // A request that failed in transit may have been applied all the same.
    after_forward(&st, &act, &zone_id, ok, checked);
    if let Some(done) = vpc_done {
        st.vpcs.forwarded(done, ok);
    }
    drop(zone_guard);
    let resp = resp.map_err(|_| Reset)?;
    if fault.as_deref() == Some("reset_after") {
        return Err(Reset);
    }
    let (parts, body) = resp;
    let mut body = body;
    if parts.status.is_success() {
        let on = on_set.as_ref().map(|(id, set)| (id.as_str(), *set));
        // The creating account: the lab's name servers read the zone from moto as that account.
        let mut account = None;
        if act == "CreateHostedZone" {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
            if let Some(key) = crate::authorizations::access_key(auth) {
                account = st.vpcs.account_of(key).await.ok();
            }
        }
        body = delegation_names(&st, &act, &zone_id, on, account.as_deref(), body);
        if act == "ListResourceRecordSets" {
            body = Bytes::from(
                st.cidr
                    .restore_listing(&zone_id, &String::from_utf8_lossy(&body)),
            );
        }
        if matches!(
            act.as_str(),
            "ChangeResourceRecordSets" | "CreateHostedZone" | "DeleteHostedZone"
        ) {
            st.sets.changed();
        }
    }
    if parts.status.is_success()
        && matches!(
            act.as_str(),
            "ChangeResourceRecordSets"
                | "CreateHostedZone"
                | "DeleteHostedZone"
                | "GetChange"
                | "AssociateVPCWithHostedZone"
                | "DisassociateVPCFromHostedZone"
        )
    {
        body = pend(&st, &cfg, &act, body);
    }
    let mut b = Response::builder().status(parts.status);
    for (k, v) in parts.headers.iter() {
        if k != "content-length" && k != "transfer-encoding" {
            b = b.header(k, v);
        }
    }
    Ok(b.body(Full::new(body)).expect("response"))
}

/// Gives a new zone its delegation set and shows each zone's set's names where moto shows its
/// one fixed set (the zone's NameServers, its apex NS and SOA).
fn delegation_names(
    st: &State,
    act: &str,
    zone_id: &str,
    on: Option<(&str, usize)>,
    account: Option<&str>,
    body: Bytes,
) -> Bytes {
    let id = match act {
        "CreateHostedZone" => {
            match crate::nameservers::note_created_zone(&st.sets, &body, on, account) {
                Some(id) => id,
                None => return body,
            }
        }
        "GetHostedZone" | "ListResourceRecordSets" => zone_id.to_string(),
        "DeleteHostedZone" => {
            st.sets.forget(zone_id);
            return body;
        }
        _ => return body,
    };
    Bytes::from(st.sets.rewrite(&id, &String::from_utf8_lossy(&body)))
}

struct ZoneGuard {
    st: Arc<State>,
    zone: String,
}

impl Drop for ZoneGuard {
    fn drop(&mut self) {
        self.st.busy_zones.lock().unwrap().remove(&self.zone);
    }
}

/// moto gives every change the same ID and reports it INSYNC at once. The proxy mints a unique ID
/// per change and reports it PENDING until `pending_ms` has passed, as AWS does for a while.
fn pend(st: &State, cfg: &ProxyConfig, act: &str, body: Bytes) -> Bytes {
    let mut text = String::from_utf8_lossy(&body).into_owned();
    let ids: Vec<String> = text
        .split("<Id>")
        .skip(1)
        .filter_map(|s| s.split("</Id>").next())
        .map(str::to_string)
        .collect();
    let born = if act == "GetChange" {
        let Some(id) = ids.first() else { return body };
        let key = id.trim_start_matches("/change/").to_string();
        match st.changes.lock().unwrap().get(&key) {
            Some(t) => *t,
            None => return body, // not one of ours: moto's answer stands
        }
    } else {
        let Some(moto_id) = ids.iter().find(|i| i.starts_with("/change/")) else {
            return body;
        };
        let fresh = format!("CLAB{:016X}", rand::random::<u64>());
        text = text.replace(
            &format!("<Id>{moto_id}</Id>"),
            &format!("<Id>/change/{fresh}</Id>"),
        );
        let now = Instant::now();
        st.changes.lock().unwrap().insert(fresh, now);
        now
    };
    if cfg.pending_ms > 0 && born.elapsed() < Duration::from_millis(cfg.pending_ms) {
        text = text.replace("<Status>INSYNC</Status>", "<Status>PENDING</Status>");
    }
    Bytes::from(text)
}

/// One Route 53 Domains call (JSON 1.1), answered by the lab registrar and counted like the rest.
async fn domains_call(st: &State, op: &str, req: Request<Incoming>) -> Resp {
    *st.stats
        .lock()
        .unwrap()
        .calls
        .entry(op.to_string())
        .or_default() += 1;
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let input: serde_json::Value = if body.is_empty() {
        serde_json::json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                return domains_reply(
                    400,
                    &serde_json::json!({"__type": "SerializationException", "message": e.to_string()}),
                )
            }
        }
    };
    match st.registrar.handle(op, &input) {
        Ok(v) => {
            // Like AWS, a registration creates a public hosted zone for the domain and points
            // the domain at its name servers.
            if op == "RegisterDomain" {
                let name = input["DomainName"].as_str().unwrap_or_default();
                match create_registration_zone(st, name).await {
                    Ok(ns) => st.registrar.set_registration_nameservers(name, &ns),
                    Err(e) => tracing::warn!("lab registrar: hosted zone for {name}: {e}"),
                }
            }
            domains_reply(200, &v)
        }
        Err(e) => domains_reply(
            e.status,
            &serde_json::json!({"__type": e.code, "message": e.message}),
        ),
    }
}

fn domains_reply(status: u16, v: &serde_json::Value) -> Resp {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amzn-requestid",
            format!("lab-{:016x}", rand::random::<u64>()),
        )
        .body(Full::new(Bytes::from(v.to_string())))
        .expect("response")
}

async fn forward(
    st: &State,
    method: Method,
    path: &str,
    headers: &hyper::HeaderMap,
    body: Bytes,
) -> anyhow::Result<(hyper::http::response::Parts, Bytes)> {
    let uri: hyper::Uri = format!("{}{}", st.upstream, path).parse()?;
    let mut b = Request::builder().method(method).uri(uri);
    for (k, v) in headers.iter() {
        if k != "host" && k != "content-length" {
            b = b.header(k, v);
        }
    }
    let resp = st.client.request(b.body(Full::new(body))?).await?;
    let (parts, body) = resp.into_parts();
    let body = body.collect().await?.to_bytes();
    Ok((parts, body))
}

/// Creates the hosted zone Route 53 makes for a new registration (in moto); its name servers.
async fn create_registration_zone(st: &State, domain: &str) -> anyhow::Result<Vec<String>> {
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>{domain}.</Name><CallerReference>registrar-{domain}-{}</CallerReference><HostedZoneConfig><Comment>HostedZone created by Route53 Registrar</Comment></HostedZoneConfig></CreateHostedZoneRequest>"#,
        rand::random::<u32>()
    );
    let mut h = hyper::HeaderMap::new();
    h.insert(
        "authorization",
        hyper::header::HeaderValue::from_static(MOTO_ROUTE53_AUTH),
    );
    let (parts, body) = forward(
        st,
        Method::POST,
        "/2013-04-01/hostedzone",
        &h,
        Bytes::from(body),
    )
    .await?;
    if !parts.status.is_success() {
        anyhow::bail!("CreateHostedZone: {}", parts.status);
    }
    let body = delegation_names(st, "CreateHostedZone", "", None, None, body);
    let text = String::from_utf8_lossy(&body);
    Ok(text
        .split("<NameServer>")
        .skip(1)
        .filter_map(|s| s.split("</NameServer>").next())
        .map(|s| s.trim_end_matches('.').to_string())
        .collect())
}

async fn get_upstream(st: &State, path: &str) -> anyhow::Result<Element> {
    let mut h = hyper::HeaderMap::new();
    h.insert(
        "authorization",
        hyper::header::HeaderValue::from_static(MOTO_ROUTE53_AUTH),
    );
    let (parts, body) = forward(st, Method::GET, path, &h, Bytes::new()).await?;
    if !parts.status.is_success() {
        anyhow::bail!("upstream {path}: {}", parts.status);
    }
    xml::parse(&body)
}

/// AWS's checks moto skips, against the proxy's index of the zone (built on first use). Ok(None)
/// lets the request through unchecked (moto answers it: not XML, or no such zone); Ok(Some) are
/// the batch's changes, for [`after_forward`]; Err(message) refuses the whole batch, as AWS does.
async fn check_batch(st: &State, zone: &str, body: &[u8]) -> Result<Option<Vec<Change>>, String> {
    let Ok(doc) = xml::parse(body) else {
        return Ok(None);
    };
    let changes = changes_of(&doc);
    if !st.indexes.lock().unwrap().contains_key(zone) {
        match ZoneIndex::load(zone, |path| async move { get_upstream(st, &path).await }).await {
            Ok(Some(ix)) => {
                st.stats.lock().unwrap().index_loads += 1;
                st.indexes.lock().unwrap().insert(zone.to_string(), ix);
            }
            Ok(None) => return Ok(None),
            Err(e) => return Err(format!("lab proxy could not read zone {zone}: {e}")),
        }
    }
    let indexes = st.indexes.lock().unwrap();
    match indexes.get(zone) {
        Some(ix) => ix.check(&changes).map(|()| Some(changes)),
        None => Ok(None),
    }
}

/// Keeps the zone indexes true to moto after a forwarded request: a checked batch moto accepted
/// is applied; a zone written any other way (a lenient or failed batch) or deleted loses its index,
/// and a request the proxy does not know (e.g. moto's reset) drops them all. Reads and writes
/// that touch no record set leave them be.
fn after_forward(st: &State, act: &str, zone: &str, ok: bool, checked: Option<Vec<Change>>) {
    let mut indexes = st.indexes.lock().unwrap();
    match (act, checked) {
        ("ChangeResourceRecordSets", Some(changes)) if ok => {
            if let Some(ix) = indexes.get_mut(zone) {
                ix.apply(&changes);
            }
        }
        ("ChangeResourceRecordSets" | "DeleteHostedZone", _) => {
            indexes.remove(zone);
        }
        (a, _) if a.contains(' ') && !a.starts_with("GET ") => indexes.clear(),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
