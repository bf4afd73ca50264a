//! The lab's TLD registry: a real DNS server (UDP and TCP, hickory-server) authoritative for the
//! root and the lab's TLDs (`test`, `example`). The root delegates each TLD to this server; each
//! TLD delegates its domains to the name servers the lab registrar holds for them, published a
//! configurable delay after a change lands (as a registry's zone push lags the registrar), with
//! glue for in-bailiwick servers. Domains registered "elsewhere" (a third-party registrar the
//! tests play) get their delegation set directly with [`Registry::delegate`]. A DS set can be
//! published for a domain too.
//!
//! Answers follow RFC 1034: a query at or below a delegated domain gets a referral (not
//! authoritative, NS in the authority section, glue in the additional section), except DS at the
//! delegation point, which the parent answers itself.
//!
//! The root and every TLD are signed (one ECDSA P-256 key each, made at start): a query with the
//! DO bit gets RRSIGs, referrals carry the child's DS set or an NSEC proving there is none, and
//! names or types that do not exist are denied online as Route 53 does ([`crate::signing`]).
//! [`Registry::trust_anchor`] is the root key validators start from.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::op::{Header, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, NS, SOA};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_server::authority::MessageResponseBuilder;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};

use crate::domains::Registrar;
use crate::moto_api::norm;
use crate::signing::{LocalKey, Signer, ZoneKeys};

/// The TLDs the lab registrar sells and the registry serves.
pub const LAB_TLDS: &[&str] = &["test", "example"];

/// TTL of the registry's NS and glue records (like .com's two days).
const DELEGATION_TTL: u32 = 172_800;

/// One delegation: name server → glue addresses.
type NsSet = Vec<(String, Vec<String>)>;

struct State {
    registrar: Arc<Registrar>,
    tlds: Vec<String>,
    ip: IpAddr,
    delay: Mutex<Duration>,
    /// Domains at other registrars: their delegation history (landed at, set).
    elsewhere: Mutex<BTreeMap<String, Vec<(Instant, NsSet)>>>,
    /// DS records (presentation form of the RDATA, e.g. "12345 13 2 ABCD…") per domain.
    ds: Mutex<BTreeMap<String, Vec<String>>>,
    queries: std::sync::atomic::AtomicU64,
    /// TTL of delegations (NS, glue, DS) below the TLDs.
    ttl: std::sync::atomic::AtomicU32,
    /// The signing key of the root ("") and of each TLD.
    keys: BTreeMap<String, ZoneKeys>,
}

pub struct Registry {
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Registry {
    /// Starts on a free loopback port (the same number for UDP and TCP).
    pub(crate) async fn start(
        registrar: Arc<Registrar>,
        tlds: &[&str],
    ) -> anyhow::Result<Registry> {
        Self::start_at(registrar, tlds, "127.0.0.1".parse()?, 0).await
    }

    /// Starts on `ip`:`port` (0: a free port, the same number for UDP and TCP).
    async fn start_at(
        registrar: Arc<Registrar>,
        tlds: &[&str],
        ip: IpAddr,
        port: u16,
    ) -> anyhow::Result<Registry> {
        let (udp, tcp) = if port == 0 {
            bind_pair(ip).await?
        } else {
            bind_pair_at(ip, port).await?
        };
        let addr = udp.local_addr()?;
        let tlds: Vec<String> = tlds.iter().map(|t| norm(t)).collect();
        let mut keys = BTreeMap::new();
        for zone in std::iter::once("").chain(tlds.iter().map(String::as_str)) {
            let key: Arc<dyn Signer> = Arc::new(LocalKey::generate(257)?);
            keys.insert(
                zone.to_string(),
                ZoneKeys {
                    apex: name(zone),
                    zsk: key.clone(),
                    ksks: vec![key],
                },
            );
        }
        let state = Arc::new(State {
            registrar,
            tlds,
            ip,
            delay: Mutex::new(Duration::from_millis(500)),
            elsewhere: Mutex::new(BTreeMap::new()),
            ds: Mutex::new(BTreeMap::new()),
            queries: Default::default(),
            ttl: std::sync::atomic::AtomicU32::new(DELEGATION_TTL),
            keys,
        });
        let mut server = hickory_server::ServerFuture::new(Handler(state.clone()));
        server.register_socket(udp);
        server.register_listener(tcp, Duration::from_secs(10));
        let task = tokio::spawn(async move {
            let _ = server.block_until_done().await;
        });
        Ok(Registry { addr, state, task })
    }

    /// How long after a registrar change lands the registry publishes it.
    pub fn set_publish_delay(&self, d: Duration) {
        *self.state.delay.lock().unwrap() = d;
    }

    /// The TTL of the delegations it publishes (default 172800 s, two days); tests of waits that
    /// follow it set seconds.
    pub fn set_delegation_ttl(&self, ttl: u32) {
        self.state
            .ttl
            .store(ttl, std::sync::atomic::Ordering::Relaxed);
    }

    /// Delegates a domain registered elsewhere (published after the same delay); an empty set
    /// removes the delegation.
    pub fn delegate(&self, domain: &str, ns: &[(&str, &[&str])]) {
        let set: NsSet = ns
            .iter()
            .map(|(n, g)| (norm(n), g.iter().map(|s| s.to_string()).collect()))
            .collect();
        self.state
            .elsewhere
            .lock()
            .unwrap()
            .entry(norm(domain))
            .or_default()
            .push((Instant::now(), set));
    }

    /// Delegates a domain with the delegation already published (infrastructure such as the lab's
    /// Route 53 name-server host names, there before any test looks).
    pub fn delegate_published(&self, domain: &str, ns: &[(&str, &[&str])]) {
        let set: NsSet = ns
            .iter()
            .map(|(n, g)| (norm(n), g.iter().map(|s| s.to_string()).collect()))
            .collect();
        let long_ago = Instant::now()
            .checked_sub(Duration::from_secs(86_400))
            .unwrap_or_else(Instant::now);
        self.state
            .elsewhere
            .lock()
            .unwrap()
            .entry(norm(domain))
            .or_default()
            .push((long_ago, set));
    }

    /// Publishes DS records for a domain as another registrar's DNSSEC key upload would. They
    /// stand in for what the lab's Route 53 registrar publishes; an empty list takes them away,
    /// leaving the registrar's DS (if any) published again.
    pub fn set_ds(&self, domain: &str, ds: &[&str]) {
        self.state
            .ds
            .lock()
            .unwrap()
            .insert(norm(domain), ds.iter().map(|s| s.to_string()).collect());
    }

    /// The root's key as a trust anchor in zone-file form (`. DNSKEY 257 3 13 …`), what a
    /// validating resolver of the lab starts from.
    pub fn trust_anchor(&self) -> String {
        self.state
            .keys
            .get("")
            .map(|k| format!(". DNSKEY {}", k.ksks[0].dnskey()))
            .unwrap_or_default()
    }

    /// How many queries it has answered.
    pub fn queries(&self) -> u64 {
        self.state
            .queries
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Binds UDP and TCP on exactly `ip`:`port`.
pub(crate) async fn bind_pair_at(
    ip: IpAddr,
    port: u16,
) -> anyhow::Result<(tokio::net::UdpSocket, tokio::net::TcpListener)> {
    let udp = tokio::net::UdpSocket::bind((ip, port)).await?;
    let tcp = tokio::net::TcpListener::bind((ip, port)).await?;
    Ok((udp, tcp))
}

async fn bind_pair(ip: IpAddr) -> anyhow::Result<(tokio::net::UdpSocket, tokio::net::TcpListener)> {
    for _ in 0..50 {
        let udp = tokio::net::UdpSocket::bind((ip, 0)).await?;
        let port = udp.local_addr()?.port();
        if let Ok(tcp) = tokio::net::TcpListener::bind((ip, port)).await {
            return Ok((udp, tcp));
        }
    }
    anyhow::bail!("no loopback port free for both UDP and TCP")
}

impl State {
    fn ttl(&self) -> u32 {
        self.ttl.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn published(&self, domain: &str) -> Option<NsSet> {
        let delay = *self.delay.lock().unwrap();
        if let Some(ns) = self.registrar.published(domain, delay) {
            return Some(ns.into_iter().map(|(n, g)| (norm(&n), g)).collect());
        }
        let e = self.elsewhere.lock().unwrap();
        let (_, set) = e
            .get(domain)?
            .iter()
            .rev()
            .find(|(t, _)| t.elapsed() >= delay)?;
        (!set.is_empty()).then(|| set.clone())
    }

    /// The DS set published for `child`: the tests' [`Registry::set_ds`] entry when there is a
    /// non-empty one, else the registrar's keys, with the same publication delay as name servers.
    fn ds_of(&self, child: &str) -> Vec<String> {
        if let Some(ds) = self.ds.lock().unwrap().get(child).filter(|d| !d.is_empty()) {
            return ds.clone();
        }
        let delay = *self.delay.lock().unwrap();
        self.registrar
            .published_ds(child, delay)
            .unwrap_or_default()
    }

    fn nic(&self, zone: &str) -> String {
        if zone.is_empty() {
            "a.root-servers.lab".into()
        } else {
            format!("a.nic.{zone}")
        }
    }
}

/// A name from lab text with or without its trailing dot (the root for anything unparsable).
pub(crate) fn name(s: &str) -> Name {
    Name::from_str(&format!("{}.", s.trim_end_matches('.'))).unwrap_or_else(|_| Name::root())
}

fn rec(owner: &str, ttl: u32, data: RData) -> Record {
    Record::from_rdata(name(owner), ttl, data)
}

fn glue(host: &str, ips: &[String], ttl: u32) -> Vec<Record> {
    ips.iter()
        .filter_map(|ip| match ip.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => Some(rec(host, ttl, RData::A(A(a)))),
            IpAddr::V6(a) => Some(rec(host, ttl, RData::AAAA(AAAA(a)))),
        })
        .collect()
}

/// Is `name` equal to or below `zone` ("" is the root)?
pub(crate) fn under(name: &str, zone: &str) -> bool {
    zone.is_empty() || name == zone || name.ends_with(&format!(".{zone}"))
}

struct Answer {
    code: ResponseCode,
    authoritative: bool,
    answers: Vec<Record>,
    authority: Vec<Record>,
    additional: Vec<Record>,
    /// The zone that answered ("" the root).
    zone: String,
    /// A referral to this child.
    referral: Option<String>,
    /// What exists at the query name (the bitmap of a denial).
    types_here: Vec<RecordType>,
}

impl State {
    fn soa(&self, zone: &str) -> Record {
        let serial = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(1);
        let mname = name(&self.nic(zone));
        let rname = name(&format!("hostmaster.{}", self.nic(zone)));
        rec(
            zone,
            900,
            RData::SOA(SOA::new(mname, rname, serial, 1800, 900, 604_800, 86_400)),
        )
    }

    fn answer(&self, qname: &str, qtype: RecordType) -> Answer {
        // The zone: a TLD this registry runs, else the root; DS at a TLD is the root's to answer.
        let zone = if qtype == RecordType::DS && self.tlds.iter().any(|t| t == qname) {
            String::new()
        } else {
            self.tlds
                .iter()
                .find(|t| under(qname, t))
                .cloned()
                .unwrap_or_default()
        };
        let mut a = Answer {
            code: ResponseCode::NoError,
            authoritative: true,
            answers: Vec::new(),
            authority: Vec::new(),
            additional: Vec::new(),
            zone: zone.clone(),
            referral: None,
            types_here: Vec::new(),
        };
        let own_ns = |zone: &str| {
            (
                rec(zone, DELEGATION_TTL, RData::NS(NS(name(&self.nic(zone))))),
                glue(&self.nic(zone), &[self.ip.to_string()], DELEGATION_TTL),
            )
        };
        if qname == zone {
            a.types_here = vec![RecordType::NS, RecordType::SOA, RecordType::DNSKEY];
            match qtype {
                RecordType::SOA => a.answers.push(self.soa(&zone)),
                RecordType::NS => {
                    let (ns, g) = own_ns(&zone);
                    a.answers.push(ns);
                    a.additional = g;
                }
                RecordType::DNSKEY => {
                    if let Some(k) = self.keys.get(&zone) {
                        a.answers = k.dnskey_set();
                    }
                }
                _ => a.authority.push(self.soa(&zone)),
            }
            return a;
        }
        if qname == self.nic(&zone) {
            a.types_here = vec![RecordType::A];
            if matches!(qtype, RecordType::A) {
                a.answers = glue(qname, &[self.ip.to_string()], DELEGATION_TTL);
            } else {
                a.authority.push(self.soa(&zone));
            }
            return a;
        }
        // The child: the delegated name between the zone and the query name, shortest first
        // (a TLD may delegate below an empty non-terminal, as uk does co.uk names).
        let rest = if zone.is_empty() {
            qname
        } else {
            &qname[..qname.len() - zone.len() - 1]
        };
        let labels: Vec<&str> = rest.split('.').collect();
        let mut found = None;
        for k in 1..=labels.len() {
            let below = labels[labels.len() - k..].join(".");
            let child = if zone.is_empty() {
                below
            } else {
                format!("{below}.{zone}")
            };
            let delegation = if zone.is_empty() {
                // The root delegates each TLD to this server.
                self.tlds
                    .contains(&child)
                    .then(|| vec![(self.nic(&child), vec![self.ip.to_string()])])
            } else {
                self.published(&child)
            };
            if let Some(ns) = delegation {
                found = Some((child, ns));
                break;
            }
        }
        let Some((child, ns)) = found else {
            let suffix = format!(".{qname}");
            let non_terminal = self
                .elsewhere
                .lock()
                .unwrap()
                .keys()
                .any(|k| k.ends_with(&suffix));
            if !non_terminal {
                a.code = ResponseCode::NXDomain;
            }
            a.authority.push(self.soa(&zone));
            return a;
        };
        if qname == child && qtype == RecordType::DS {
            // The parent side of the delegation answers DS itself.
            a.types_here = vec![RecordType::NS];
            a.answers = self.ds_records(&zone, &child);
            if a.answers.is_empty() {
                a.authority.push(self.soa(&zone));
            } else {
                a.types_here.push(RecordType::DS);
            }
            return a;
        }
        a.authoritative = false;
        a.referral = Some(child.clone());
        for (host, ips) in &ns {
            a.authority
                .push(rec(&child, self.ttl(), RData::NS(NS(name(host)))));
            if under(&norm(host), &child) {
                a.additional.extend(glue(host, ips, self.ttl()));
            }
        }
        a
    }
}

impl State {
    /// The DS set the parent `zone` publishes for `child`: a TLD's own key at the root, else
    /// what was uploaded for the domain.
    fn ds_records(&self, zone: &str, child: &str) -> Vec<Record> {
        if zone.is_empty() {
            return self
                .keys
                .get(child)
                .and_then(|k| k.ds_set(DELEGATION_TTL).ok())
                .unwrap_or_default();
        }
        let mut out = Vec::new();
        for d in self.ds_of(child) {
            let text = format!("{child}. {} IN DS {d}", self.ttl());
            match parse_ds(&text) {
                Some(r) => out.push(r),
                None => tracing::warn!("registry: bad DS {text:?}"),
            }
        }
        out
    }

    /// The answer signed by its zone's key (for a query with the DO bit).
    async fn sign(&self, mut a: Answer, qname: &str) -> anyhow::Result<Answer> {
        let Some(keys) = self.keys.get(&a.zone) else {
            return Ok(a);
        };
        let soa = self.soa(&a.zone);
        let child = a
            .referral
            .as_deref()
            .map(|c| (name(c), self.ds_records(&a.zone, c)));
        let qname = name(qname);
        let shape = match child {
            Some((ref c, ds)) => crate::signing::Shape::Referral { child: c, ds },
            None => crate::signing::Shape::Answer {
                qname: &qname,
                here: &a.types_here,
            },
        };
        crate::signing::sign_answer(
            keys,
            shape,
            &soa,
            &mut a.code,
            &mut a.answers,
            &mut a.authority,
        )
        .await?;
        Ok(a)
    }
}

fn parse_ds(text: &str) -> Option<Record> {
    use hickory_proto::serialize::txt::Parser;
    let (_, records) = Parser::new(text, None, Some(Name::root())).parse().ok()?;
    records
        .into_values()
        .next()?
        .records_without_rrsigs()
        .next()
        .cloned()
}

struct Handler(Arc<State>);

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler>(
        &self,
        request: &Request,
        response: R,
    ) -> ResponseInfo {
        self.0
            .queries
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let state = self.0.clone();
        respond(request, response, |qname, qtype, client| async move {
            let mut a = state.answer(&qname, qtype);
            if client.dnssec_ok {
                a = match state.sign(a, &qname).await {
                    Ok(a) => a,
                    Err(e) => {
                        tracing::warn!("registry: signing the answer for {qname}: {e:#}");
                        return (
                            ResponseCode::ServFail,
                            false,
                            Vec::new(),
                            Vec::new(),
                            Vec::new(),
                            false,
                        );
                    }
                };
            }
            (
                a.code,
                a.authoritative,
                a.answers,
                a.authority,
                a.additional,
                false,
            )
        })
        .await
    }
}

/// What a lab DNS server answers: code, AA flag, answer, authority and additional sections, and
/// whether the answer depends on where the client is (then a client subnet is echoed with its
/// source prefix as the scope, else with scope 0: RFC 7871 §7.2.1).
pub(crate) type Reply = (
    ResponseCode,
    bool,
    Vec<Record>,
    Vec<Record>,
    Vec<Record>,
    bool,
);

/// Who asked: the query's source address and, when the query carried one, its EDNS Client Subnet
/// (RFC 7871: address and source prefix length) — what Route 53 routes latency, geolocation and
/// CIDR records by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub addr: IpAddr,
    pub subnet: Option<(IpAddr, u8)>,
    /// The query set EDNS's DO bit: it wants DNSSEC records.
    pub dnssec_ok: bool,
}

impl Client {
    /// The address routing goes by: the client subnet's when given, else the source's.
    pub fn routing_addr(&self) -> IpAddr {
        self.subnet.map(|(a, _)| a).unwrap_or(self.addr)
    }
}

/// The EDNS Client Subnet option of a request, if any.
fn client_subnet(request: &Request) -> Option<hickory_proto::rr::rdata::opt::ClientSubnet> {
    use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};
    match request.edns()?.options().get(EdnsCode::Subnet)? {
        EdnsOption::Subnet(s) => Some(*s),
        _ => None,
    }
}

/// Answers one request: REFUSED for anything but an IN-class query, else what `answer` gives
/// for the (normalised) query name and type and the [`Client`]. Shared by the registry and the
/// name servers. A query with a client subnet gets it back (see [`Reply`] for the scope).
pub(crate) async fn respond<R, F, Fut>(
    request: &Request,
    mut response: R,
    answer: F,
) -> ResponseInfo
where
    R: ResponseHandler,
    F: FnOnce(String, RecordType, Client) -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    let mut builder = MessageResponseBuilder::from_message_request(request);
    let subnet = client_subnet(request);
    let client = Client {
        addr: request.src().ip(),
        subnet: subnet.as_ref().map(|s| (s.addr(), s.source_prefix())),
        dnssec_ok: request.edns().is_some_and(|e| e.flags().dnssec_ok),
    };
    let mut header = Header::response_from_request(request.header());
    header.set_message_type(MessageType::Response);
    header.set_recursion_available(false);
    let q = match request.queries().first() {
        Some(q) if request.op_code() == OpCode::Query && q.query_class() == DNSClass::IN => q,
        _ => {
            header.set_response_code(ResponseCode::Refused);
            let r = builder.build_no_records(header);
            return response
                .send_response(r)
                .await
                .unwrap_or_else(|_| header.into());
        }
    };
    let (code, aa, answers, authority, additional, by_client) =
        answer(norm(&q.name().to_string()), q.query_type(), client).await;
    // A query with EDNS gets EDNS back (RFC 6891 §7: a server that drops it looks EDNS-lame to a
    // validating resolver), with its DO bit and client subnet echoed; the payload we offer is
    // the usual 1,232 bytes, so larger answers come truncated and go to TCP.
    if let Some(req) = request.edns() {
        use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsOption};
        let mut edns = hickory_proto::op::Edns::new();
        edns.set_max_payload(req.max_payload().clamp(512, 1232));
        edns.set_dnssec_ok(req.flags().dnssec_ok);
        if let Some(s) = &subnet {
            let scope = if by_client { s.source_prefix() } else { 0 };
            edns.options_mut()
                .insert(EdnsOption::Subnet(ClientSubnet::new(
                    s.addr(),
                    s.source_prefix(),
                    scope,
                )));
        }
        builder.edns(edns);
    }
    header.set_authoritative(aa);
    header.set_response_code(code);
    let r = builder.build(
        header,
        answers.iter(),
        authority.iter(),
        std::iter::empty(),
        additional.iter(),
    );
    response
        .send_response(r)
        .await
        .unwrap_or_else(|_| header.into())
}

/// Asks `server` one question over UDP (TCP when the answer is truncated), for tests and the
/// demo: a real DNS exchange, not a peek at the registry's state.
pub async fn ask(
    server: SocketAddr,
    qname: &str,
    qtype: RecordType,
) -> anyhow::Result<hickory_proto::op::Message> {
    ask_with_subnet(server, qname, qtype, None).await
}

/// [`ask`] with an EDNS Client Subnet option (address, source prefix length) when `subnet` is set.
pub async fn ask_with_subnet(
    server: SocketAddr,
    qname: &str,
    qtype: RecordType,
    subnet: Option<(IpAddr, u8)>,
) -> anyhow::Result<hickory_proto::op::Message> {
    use hickory_proto::op::{Edns, Message, Query};
    use hickory_proto::rr::rdata::opt::{ClientSubnet, EdnsOption};
    use hickory_proto::serialize::binary::BinDecodable;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut m = Message::new();
    m.set_id(rand::random());
    m.set_recursion_desired(false);
    m.add_query(Query::query(name(qname), qtype));
    if let Some((addr, prefix)) = subnet {
        let mut edns = Edns::new();
        edns.set_max_payload(1232);
        edns.options_mut()
            .insert(EdnsOption::Subnet(ClientSubnet::new(addr, prefix, 0)));
        m.set_edns(edns);
    }
    let bytes = m.to_vec()?;
    let sock = tokio::net::UdpSocket::bind(("127.0.0.1", 0)).await?;
    sock.send_to(&bytes, server).await?;
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), sock.recv(&mut buf)).await??;
    let reply = Message::from_bytes(&buf[..n])?;
    if !reply.truncated() {
        return Ok(reply);
    }
    let mut tcp = tokio::net::TcpStream::connect(server).await?;
    tcp.write_all(&(bytes.len() as u16).to_be_bytes()).await?;
    tcp.write_all(&bytes).await?;
    let len = tcp.read_u16().await? as usize;
    let mut body = vec![0u8; len];
    tcp.read_exact(&mut body).await?;
    Ok(Message::from_bytes(&body)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domains::RegistrarConfig;

    fn contact() -> serde_json::Value {
        serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"})
    }

    fn ns_of(m: &hickory_proto::op::Message) -> Vec<String> {
        let mut v: Vec<String> = m
            .name_servers()
            .iter()
            .filter_map(|r| match r.data() {
                RData::NS(n) => Some(n.0.to_string()),
                _ => None,
            })
            .collect();
        v.sort();
        v
    }

    #[tokio::test]
    async fn referrals_follow_the_registrar_after_the_delay_with_glue() {
        let reg = Arc::new(Registrar::new(RegistrarConfig::default()));
        reg.add_registered(
            "shop.test",
            contact(),
            &["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"],
        );
        let r = Registry::start(reg.clone(), &["test", "example"])
            .await
            .unwrap();
        r.set_publish_delay(Duration::from_millis(300));

        // The root refers to the TLD, the TLD refers to the domain's servers.
        let m = ask(r.addr, "www.shop.test", RecordType::A).await.unwrap();
        assert!(!m.authoritative());
        assert_eq!(ns_of(&m), ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.net."]);

        // An unregistered name does not exist; a name outside the TLDs is the root's NXDOMAIN.
        let m = ask(r.addr, "nobody.test", RecordType::NS).await.unwrap();
        assert_eq!(m.response_code(), ResponseCode::NXDomain);
        assert!(m.authoritative());
        let m = ask(r.addr, "x.nosuchtld", RecordType::NS).await.unwrap();
        assert_eq!(m.response_code(), ResponseCode::NXDomain);

        // A registrar change is published only after the delay, with glue for in-domain servers.
        reg.set_registration_nameservers("shop.test", &["ns1.shop.test".into()]);
        let m = ask(r.addr, "shop.test", RecordType::NS).await.unwrap();
        assert_eq!(ns_of(&m), ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.net."]);
        tokio::time::sleep(Duration::from_millis(350)).await;
        let m = ask(r.addr, "shop.test", RecordType::NS).await.unwrap();
        assert_eq!(ns_of(&m), ["ns1.shop.test."]);

        // Elsewhere-registered domains and DS at the parent.
        r.set_publish_delay(Duration::ZERO);
        r.delegate(
            "other.example",
            &[("ns1.other.example", &["192.0.2.1"]), ("ns.host.net", &[])],
        );
        let m = ask(r.addr, "other.example", RecordType::SOA).await.unwrap();
        assert_eq!(ns_of(&m), ["ns.host.net.", "ns1.other.example."]);
        let glue: Vec<String> = m.additionals().iter().map(|r| r.to_string()).collect();
        assert_eq!(glue.len(), 1, "{glue:?}");
        assert!(glue[0].contains("192.0.2.1"), "{glue:?}");
        r.set_ds(
            "other.example",
            &["12345 13 2 3F5CE2A7E2F5E4CE5AB1E7F2C2B7F5F0A0D1C5B8E8C6C2E9E3F1A1B2C3D4E5F6"],
        );
        let m = ask(r.addr, "other.example", RecordType::DS).await.unwrap();
        assert!(m.authoritative());
        assert_eq!(m.answers().len(), 1, "{m:?}");
        assert!(r.queries() >= 7);
    }
}
