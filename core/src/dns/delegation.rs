//! Delegation over the wire: walk from the root hints to the servers of a domain's parent, ask
//! them what they publish for the domain (NS, glue, DS), and ask each name server whether it
//! answers for the domain. Iterative queries (RD=0) to authoritative servers only: a recursive
//! resolver's cache would hide the change being watched.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hickory_client::client::Client;
use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, RecordType};
use hickory_proto::runtime::TokioRuntimeProvider;
use hickory_proto::tcp::TcpClientStream;
use hickory_proto::udp::UdpClientStream;
use hickory_proto::xfer::{DnsHandle, DnsRequest, DnsRequestOptions};

use r53_zone::name::{normalise, within};
use tokio_util::sync::CancellationToken;

use crate::dns::DnsError;
use crate::route53::Call;

pub use super::settings::{DnsSettings, DEFAULT_MAX_QUERIES};
use super::view::fq;
pub use super::view::*;
pub use super::wait::{wait_published, Published};

fn parent_name(n: &str) -> String {
    n.split_once('.')
        .map(|(_, p)| p.to_string())
        .unwrap_or_default()
}

/// The walker: settings and a per-walk cache of name-server addresses. One walker is one walk:
/// it counts its queries against `max_queries`, looks each host up once, and stops at the
/// deadline or cancellation of the [`Call`] it was given ([`Walker::bounded_by`]). Once stopped, every
/// further query fails at once and [`Walker::stopped`] says why.
pub struct Walker {
    s: DnsSettings,
    addrs: Mutex<HashMap<String, Vec<IpAddr>>>,
    queries: AtomicUsize,
    deadline: Option<Instant>,
    /// The time the walk was given, for messages.
    allowance: Duration,
    cancel: Option<CancellationToken>,
    /// Why the walk stopped (budget, deadline, cancellation), once it has.
    stop: Mutex<Option<DnsError>>,
}

/// How deep referral chains (and name-server address lookups within them) may go.
pub(super) const MAX_DEPTH: usize = 12;

impl Walker {
    pub fn new(s: DnsSettings) -> Walker {
        Walker {
            s,
            addrs: Mutex::new(HashMap::new()),
            queries: AtomicUsize::new(0),
            deadline: None,
            allowance: Duration::ZERO,
            cancel: None,
            stop: Mutex::new(None),
        }
    }

    /// The walk runs under `c`: it ends at its deadline and when it is cancelled (Terraform's
    /// Stop, Ctrl-C), in the middle of a query too.
    pub fn bounded_by(mut self, c: &Call) -> Walker {
        self.deadline = Some(c.deadline);
        self.allowance = c.remaining();
        self.cancel = Some(c.cancel.clone());
        self
    }

    /// The settings it walks with.
    pub fn settings(&self) -> &DnsSettings {
        &self.s
    }

    /// Queries sent so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::Relaxed)
    }

    /// `Err` once the walk has stopped: out of queries, past its deadline, or cancelled. Answers
    /// gathered after that are incomplete, so callers of the functions that cannot fail
    /// ([`Walker::check_server`], [`Walker::resolve_host`]) ask this before trusting them.
    pub fn stopped(&self) -> Result<(), DnsError> {
        match &*self.stop.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Records why the walk stopped (the first reason wins) and returns it.
    fn halt(&self, e: DnsError) -> DnsError {
        let mut s = self.stop.lock().unwrap_or_else(|p| p.into_inner());
        s.get_or_insert(e).clone()
    }

    /// Whether one more query may go out; counts it.
    fn admit(&self, name: &str) -> Result<(), DnsError> {
        self.stopped()?;
        if self.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            return Err(self.halt(DnsError::Cancelled));
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(self.halt(self.deadline_error(name)));
        }
        if self.queries.load(Ordering::Relaxed) >= self.s.max_queries {
            return Err(self.halt(DnsError::QueryBudget {
                name: name.to_string(),
                limit: self.s.max_queries,
                default: DEFAULT_MAX_QUERIES,
                raise: self.s.max_queries_flag,
            }));
        }
        self.queries.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn deadline_error(&self, name: &str) -> DnsError {
        DnsError::WalkDeadline {
            name: name.to_string(),
            secs: self.allowance.as_secs(),
        }
    }

    /// One exchange, within the walk's budget, deadline and cancellation.
    async fn exchange_within(
        &self,
        server: SocketAddr,
        name: &str,
        qname: &Name,
        ty: RecordType,
        how: How,
    ) -> Result<Message, DnsError> {
        self.admit(name)?;
        let t = match self.deadline {
            Some(d) => self
                .s
                .timeout
                .min(d.saturating_duration_since(Instant::now())),
            None => self.s.timeout,
        };
        let cut_short = t < self.s.timeout;
        let q = exchange(server, qname, ty, how, t);
        let res = match &self.cancel {
            Some(c) => tokio::select! {
                r = q => r,
                _ = c.cancelled() => Err(self.halt(DnsError::Cancelled)),
            },
            None => q.await,
        };
        // A query cut short by the deadline is the walk's timeout, not the server's.
        if cut_short && matches!(res, Err(DnsError::Timeout { .. })) {
            return Err(self.halt(self.deadline_error(name)));
        }
        res
    }

    /// One question to one server over UDP (TCP when the answer is truncated).
    pub async fn ask(
        &self,
        server: SocketAddr,
        name: &str,
        ty: RecordType,
        recursion: bool,
    ) -> Result<Message, DnsError> {
        self.ask_with(server, name, ty, recursion, false).await
    }

    /// [`Walker::ask`], with the DO bit when `dnssec_ok` (the answer then carries RRSIGs and
    /// NSECs).
    pub async fn ask_with(
        &self,
        server: SocketAddr,
        name: &str,
        ty: RecordType,
        recursion: bool,
        dnssec_ok: bool,
    ) -> Result<Message, DnsError> {
        let qname = fq(name)?;
        let mut how = How {
            recursion,
            tcp: false,
            dnssec_ok,
        };
        let m = self.exchange_within(server, name, &qname, ty, how).await?;
        if m.truncated() {
            how.tcp = true;
            return self.exchange_within(server, name, &qname, ty, how).await;
        }
        Ok(m)
    }

    /// Asks the servers in turn (each address) until one gives a usable answer (not REFUSED,
    /// SERVFAIL or a timeout). Returns the answering server's name with the message.
    async fn ask_any(
        &self,
        servers: &[Server],
        name: &str,
        ty: RecordType,
    ) -> Result<(String, Message), String> {
        self.ask_any_with(servers, name, ty, false).await
    }

    /// [`Walker::ask_any`], with the DO bit when `dnssec_ok`.
    pub(super) async fn ask_any_with(
        &self,
        servers: &[Server],
        name: &str,
        ty: RecordType,
        dnssec_ok: bool,
    ) -> Result<(String, Message), String> {
        let mut last = String::from("no server address");
        for s in servers {
            for a in self.addrs_of(s).await {
                match self
                    .ask_with(SocketAddr::new(a, self.s.port), name, ty, false, dnssec_ok)
                    .await
                {
                    Ok(m)
                        if matches!(
                            m.response_code(),
                            ResponseCode::NoError | ResponseCode::NXDomain
                        ) =>
                    {
                        return Ok((s.name.clone(), m))
                    }
                    Ok(m) => {
                        last = format!(
                            "{} ({a}) answered {}",
                            s.name,
                            rcode_name(m.response_code())
                        )
                    }
                    Err(e) => {
                        last = format!("{} ({a}): {e}", s.name);
                        if self.stopped().is_err() {
                            return Err(last);
                        }
                    }
                }
            }
        }
        Err(last)
    }

    async fn addrs_of(&self, s: &Server) -> Vec<IpAddr> {
        if !s.addrs.is_empty() {
            return s.addrs.clone();
        }
        self.resolve_host(&s.name).await
    }

    /// The addresses of a host name: through the configured resolvers, else iteratively from the
    /// root hints. Cached for the walker's life.
    pub async fn resolve_host(&self, host: &str) -> Vec<IpAddr> {
        Box::pin(self.resolve_at(&normalise(host), 0)).await
    }

    /// One lookup per host per walk, the nested ones (name servers without glue met while
    /// resolving another host) included. A host being resolved answers empty to a lookup of
    /// itself (its address depends on itself: no glue), so a cycle costs no queries.
    async fn resolve_at(&self, host: &str, depth: usize) -> Vec<IpAddr> {
        if let Some(a) = self
            .addrs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(host)
        {
            return a.clone();
        }
        if depth > 2 {
            return Vec::new();
        }
        self.addrs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_string(), Vec::new());
        let found = self.resolve_uncached(host, depth).await;
        self.addrs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(host.to_string(), found.clone());
        found
    }

    async fn resolve_uncached(&self, host: &str, depth: usize) -> Vec<IpAddr> {
        let mut out = Vec::new();
        if !self.s.resolvers.is_empty() {
            for ty in [RecordType::A, RecordType::AAAA] {
                for r in &self.s.resolvers {
                    if let Ok(m) = self.ask(*r, host, ty, true).await {
                        out.extend(addresses(&m, host));
                        break;
                    }
                }
            }
            return out;
        }
        // Iterative: follow referrals for the host's A record, each one further down.
        let mut servers = self.roots();
        let mut zone = String::new();
        for _ in 0..MAX_DEPTH {
            let Ok((_, m)) = self.ask_any(&servers, host, RecordType::A).await else {
                return out;
            };
            let found = addresses(&m, host);
            if !found.is_empty() || m.authoritative() {
                return found;
            }
            match referral(&m) {
                Some((cut, next)) if within(host, &cut) && descends(&cut, &zone) => {
                    zone = cut;
                    servers = next;
                    // Glue for the host itself answers the question (in-domain name servers).
                    if let Some(s) = servers
                        .iter()
                        .find(|s| s.name == host && !s.addrs.is_empty())
                    {
                        return s.addrs.clone();
                    }
                    for s in servers.iter_mut().filter(|s| s.addrs.is_empty()) {
                        s.addrs = Box::pin(self.resolve_at(&s.name, depth + 1)).await;
                    }
                }
                _ => return out,
            }
        }
        out
    }

    pub(super) fn roots(&self) -> Vec<Server> {
        vec![Server {
            name: "root hints".into(),
            addrs: self.s.root_hints.clone(),
        }]
    }

    /// Walks from the root to the servers of the zone that delegates `domain` (or would).
    pub async fn find_parent(&self, domain: &str) -> Result<(String, Vec<Server>), DnsError> {
        let domain = normalise(domain);
        fq(&domain)?;
        let mut servers = self.roots();
        let mut zone = String::new();
        for _ in 0..MAX_DEPTH {
            let asked = self.ask_any(&servers, &domain, RecordType::NS).await;
            self.stopped()?;
            let (_, m) = asked.map_err(|detail| DnsError::NoAnswer {
                name: domain.clone(),
                zone: display_zone(&zone),
                detail,
            })?;
            match referral(&m) {
                Some((cut, _)) if cut == domain => {
                    // These servers delegate the domain. Name their zone from its SOA.
                    let z = self
                        .zone_of(&servers, &parent_name(&domain))
                        .await
                        .unwrap_or_else(|| cut_parent(&zone, &domain));
                    self.stopped()?;
                    return Ok((z, servers));
                }
                Some((cut, next)) if within(&domain, &cut) && descends(&cut, &zone) => {
                    zone = cut;
                    servers = next;
                }
                Some((cut, _)) if cut != zone && within(&zone, &cut) => {
                    // Back up instead of down: following it would go round forever.
                    return Err(DnsError::ReferralLoop {
                        name: domain,
                        from: display_zone(&zone),
                        to: display_zone(&cut),
                    });
                }
                _ => {
                    // An authoritative answer: the domain is inside (or is the apex of) a zone
                    // these servers host. Its SOA names that zone.
                    let z = soa_owner(&m).unwrap_or_else(|| zone.clone());
                    if z == domain {
                        // The servers host the domain itself (parent and child on the same
                        // servers): the parent is the zone above it on them.
                        let p = self
                            .zone_of(&servers, &parent_name(&domain))
                            .await
                            .unwrap_or(zone);
                        self.stopped()?;
                        return Ok((p, servers));
                    }
                    return Ok((z, servers));
                }
            }
        }
        Err(DnsError::TooDeep { name: domain })
    }

    /// The zone `name` belongs to on these servers, from the SOA of an authoritative answer.
    async fn zone_of(&self, servers: &[Server], name: &str) -> Option<String> {
        if name.is_empty() {
            return Some(String::new());
        }
        let (_, m) = self.ask_any(servers, name, RecordType::SOA).await.ok()?;
        if !m.authoritative() {
            return None;
        }
        soa_owner(&m)
    }

    /// The parent's view: each parent server's answer for the domain's NS, glue and DS.
    pub async fn parent_view(&self, domain: &str) -> Result<ParentView, DnsError> {
        let domain = normalise(domain);
        let (zone, servers) = self.find_parent(&domain).await?;
        self.parent_view_at(&domain, zone, servers).await
    }

    /// The parent's view from known parent servers (a Route 53 parent zone's name servers).
    pub async fn parent_view_at(
        &self,
        domain: &str,
        zone: String,
        servers: Vec<Server>,
    ) -> Result<ParentView, DnsError> {
        let domain = normalise(domain);
        let mut view = ParentView {
            domain: domain.clone(),
            zone,
            servers: Vec::new(),
            answers: Vec::new(),
            glue: BTreeMap::new(),
            ds: Vec::new(),
            ns_ttl: None,
            ds_ttl: None,
            ds_data: Vec::new(),
            ds_each: Vec::new(),
        };
        // The root hints are one "server" with many addresses; name servers each have a name.
        for s in servers {
            self.stopped()?;
            let addrs = self.addrs_of(&s).await;
            let one = Server {
                name: s.name.clone(),
                addrs,
            };
            let answer = match self
                .ask_any(std::slice::from_ref(&one), &domain, RecordType::NS)
                .await
            {
                Err(e) => ParentAnswer::Failed(e),
                Ok((_, m)) => match referral(&m) {
                    Some((cut, next)) if cut == domain => {
                        for n in next {
                            if !n.addrs.is_empty() {
                                view.glue.insert(n.name.clone(), n.addrs.clone());
                            }
                        }
                        view.ns_ttl = view.ns_ttl.max(ns_ttl(&m, &domain, true));
                        ParentAnswer::Delegated(normalise_set(&ns_names(&m, &domain, true)))
                    }
                    _ => {
                        let apex = ns_names(&m, &domain, false);
                        if m.authoritative() && !apex.is_empty() {
                            view.ns_ttl = view.ns_ttl.max(ns_ttl(&m, &domain, false));
                            ParentAnswer::Delegated(normalise_set(&apex))
                        } else {
                            ParentAnswer::NotDelegated
                        }
                    }
                },
            };
            // DS from each server: a DS is published only once every server has it.
            let ds = match self
                .ask_any(std::slice::from_ref(&one), &domain, RecordType::DS)
                .await
            {
                Err(_) => None,
                Ok((_, m)) => {
                    let mut set = Vec::new();
                    for r in m.answers() {
                        if let RData::DNSSEC(DNSSECRData::DS(ds)) = r.data() {
                            let key = ds_key(ds);
                            view.ds_ttl = view.ds_ttl.max(Some(r.ttl()));
                            // The records themselves: every DS any server publishes (halfway
                            // through a change, servers differ), once each.
                            if !view.ds_data.iter().any(|d| ds_key(d) == key) {
                                view.ds.push(r.data().to_string());
                                view.ds_data.push(ds.clone());
                            }
                            set.push(key);
                        }
                    }
                    set.sort();
                    set.dedup();
                    Some(set)
                }
            };
            view.ds_each.push((one.name.clone(), ds));
            view.answers.push((one.name.clone(), answer));
            view.servers.push(one);
        }
        self.stopped()?;
        Ok(view)
    }

    /// Asks one name server for the domain's SOA and NS (and DNSKEY when `keys`).
    pub async fn check_server(
        &self,
        name: &str,
        glue: Option<&Vec<IpAddr>>,
        domain: &str,
        keys: bool,
    ) -> ServerAnswer {
        let name = normalise(name);
        let addrs = match glue {
            Some(g) if !g.is_empty() => g.clone(),
            _ => self.resolve_host(&name).await,
        };
        let mut a = ServerAnswer {
            name: name.clone(),
            addrs: addrs.clone(),
            ..Default::default()
        };
        if addrs.is_empty() {
            a.error = Some(format!(
                "{name} has no address (no glue, and it does not resolve)"
            ));
            return a;
        }
        let srv = [Server {
            name: name.clone(),
            addrs,
        }];
        match self.ask_any(&srv, domain, RecordType::SOA).await {
            Err(e) => a.error = Some(e),
            Ok((_, m)) => {
                let soa = m.answers().iter().find_map(|r| match r.data() {
                    RData::SOA(s) if normalise(&r.name().to_string()) == domain => Some(s.serial()),
                    _ => None,
                });
                a.authoritative = m.authoritative() && soa.is_some();
                a.serial = soa;
                if !a.authoritative {
                    a.error = Some(if m.response_code() == ResponseCode::NXDomain {
                        format!("{name} answers NXDOMAIN for {domain}")
                    } else if soa.is_some() {
                        format!("{name} answers for {domain} without authority")
                    } else {
                        format!("{name} does not answer authoritatively for {domain} (no SOA; a referral or another zone)")
                    });
                }
            }
        }
        if a.authoritative {
            if let Ok((_, m)) = self.ask_any(&srv, domain, RecordType::NS).await {
                a.ns = normalise_set(&ns_names(&m, domain, false));
                a.ns_ttl = ns_ttl(&m, domain, false);
            }
            if keys {
                if let Ok((_, m)) = self.ask_any(&srv, domain, RecordType::DNSKEY).await {
                    a.dnskeys = m
                        .answers()
                        .iter()
                        .filter_map(|r| match r.data() {
                            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
                            _ => None,
                        })
                        .collect();
                }
            }
        }
        a
    }

    /// The whole status of a domain's delegation.
    pub async fn status(&self, domain: &str) -> Result<Status, DnsError> {
        let domain = normalise(domain);
        let parent = self.parent_view(&domain).await?;
        let listed = parent.published().unwrap_or_default();
        let mut servers = Vec::new();
        for ns in &listed {
            servers.push(
                self.check_server(ns, parent.glue.get(ns), &domain, !parent.ds.is_empty())
                    .await,
            );
        }
        self.stopped()?;
        let problems = problems(&parent, &servers);
        Ok(Status {
            parent,
            servers,
            problems,
        })
    }

    /// Checks a set of name servers before the domain is pointed at them: which are lame, and
    /// whether a DS at the parent would be left without a matching DNSKEY.
    pub async fn preflight(
        &self,
        parent: &ParentView,
        targets: &[String],
    ) -> Result<Preflight, DnsError> {
        let mut servers = Vec::new();
        for ns in normalise_set(targets) {
            servers.push(
                self.check_server(&ns, None, &parent.domain, !parent.ds_data.is_empty())
                    .await,
            );
        }
        let lame = servers
            .iter()
            .filter_map(|s| {
                s.error.clone().map(|e| (s.name.clone(), e)).or_else(|| {
                    (!s.authoritative).then(|| (s.name.clone(), "not authoritative".into()))
                })
            })
            .collect();
        // A stopped walk's "lame" servers were never asked: say why it stopped instead.
        self.stopped()?;
        Ok(Preflight {
            lame,
            unmatched_ds: unmatched_ds(parent, &servers),
        })
    }
}

/// How a question is asked: recursion desired, over TCP, with the DO bit.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct How {
    pub recursion: bool,
    pub tcp: bool,
    pub dnssec_ok: bool,
}

/// One question to one server over UDP or TCP, through hickory's client; every wait bounded by `t`.
pub(crate) async fn exchange(
    server: SocketAddr,
    qname: &Name,
    ty: RecordType,
    how: How,
    t: Duration,
) -> Result<Message, DnsError> {
    let How {
        recursion,
        tcp,
        dnssec_ok,
    } = how;
    let timeout = || DnsError::Timeout {
        server,
        secs: t.as_secs().max(1),
    };
    let connected = if tcp {
        let (stream, sender) =
            TcpClientStream::new(server, None, Some(t), TokioRuntimeProvider::new());
        let c = Client::with_timeout(stream, sender, t, None);
        tokio::time::timeout(t, c)
            .await
            .map(|r| r.map(|(c, bg)| (c, tokio::spawn(bg))))
    } else {
        let conn = UdpClientStream::builder(server, TokioRuntimeProvider::new())
            .with_timeout(Some(t))
            .build();
        tokio::time::timeout(t, Client::connect(conn))
            .await
            .map(|r| r.map(|(c, bg)| (c, tokio::spawn(bg))))
    };
    let (client, bg) = connected
        .map_err(|_| timeout())?
        .map_err(|e| DnsError::Connect {
            server,
            message: e.to_string(),
        })?;
    let mut msg = Message::new();
    msg.set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(recursion)
        .add_query(Query::query(qname.clone(), ty));
    if dnssec_ok {
        let mut edns = hickory_proto::op::Edns::new();
        edns.set_max_payload(1232);
        edns.set_dnssec_ok(true);
        msg.set_edns(edns);
    }
    let mut opts = DnsRequestOptions::default();
    opts.recursion_desired = recursion;
    opts.use_edns = true;
    let answer = tokio::time::timeout(t, client.send(DnsRequest::new(msg, opts)).next()).await;
    bg.abort();
    let resp = answer
        .map_err(|_| timeout())?
        .ok_or_else(timeout)?
        .map_err(|e| {
            if e.to_string().contains("timed out") {
                timeout()
            } else {
                DnsError::Connect {
                    server,
                    message: e.to_string(),
                }
            }
        })?;
    Ok(resp.into_message())
}

/// True when the cut `cut` lies strictly below the zone `zone` ("" is the root): each referral
/// must go down, or the walk could go round forever.
fn descends(cut: &str, zone: &str) -> bool {
    cut != zone && (zone.is_empty() || within(cut, zone))
}

fn cut_parent(zone: &str, domain: &str) -> String {
    let p = parent_name(domain);
    if within(&p, zone) {
        p
    } else {
        zone.to_string()
    }
}

/// A referral: not authoritative, NS records in the authority section for a cut. Returns the cut
/// and its servers with any glue from the additional section.
pub(super) fn referral(m: &Message) -> Option<(String, Vec<Server>)> {
    if m.authoritative() || !m.answers().is_empty() {
        return None;
    }
    let mut cut = None;
    let mut names = Vec::new();
    for r in m.name_servers() {
        if let RData::NS(ns) = r.data() {
            let owner = normalise(&r.name().to_string());
            if cut.get_or_insert_with(|| owner.clone()) == &owner {
                names.push(normalise(&ns.0.to_string()));
            }
        }
    }
    let cut = cut?;
    let servers = names
        .into_iter()
        .map(|n| {
            // Glue is trusted only for names inside the cut (RFC 2181 §5.4.1).
            let addrs = if within(&n, &cut) {
                addresses_in(m.additionals(), &n)
            } else {
                Vec::new()
            };
            Server { name: n, addrs }
        })
        .collect();
    Some((cut, servers))
}

/// The NS records for `domain` in the authority section (a referral) or the answer section.
fn ns_records<'m>(
    m: &'m Message,
    domain: &'m str,
    authority: bool,
) -> impl Iterator<Item = &'m hickory_proto::rr::Record> {
    let section = if authority {
        m.name_servers()
    } else {
        m.answers()
    };
    section.iter().filter(move |r| {
        r.record_type() == RecordType::NS && normalise(&r.name().to_string()) == domain
    })
}

fn ns_names(m: &Message, domain: &str, authority: bool) -> Vec<String> {
    ns_records(m, domain, authority)
        .filter_map(|r| match r.data() {
            RData::NS(ns) => Some(normalise(&ns.0.to_string())),
            _ => None,
        })
        .collect()
}

fn ns_ttl(m: &Message, domain: &str, authority: bool) -> Option<u32> {
    ns_records(m, domain, authority).map(|r| r.ttl()).max()
}

fn soa_owner(m: &Message) -> Option<String> {
    m.answers()
        .iter()
        .chain(m.name_servers())
        .find(|r| r.record_type() == RecordType::SOA)
        .map(|r| normalise(&r.name().to_string()))
}

fn addresses(m: &Message, host: &str) -> Vec<IpAddr> {
    addresses_in(m.answers(), host)
}

fn addresses_in(records: &[hickory_proto::rr::Record], host: &str) -> Vec<IpAddr> {
    records
        .iter()
        .filter(|r| normalise(&r.name().to_string()) == host)
        .filter_map(|r| match r.data() {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(a) => Some(IpAddr::V6(a.0)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::dnssec::rdata::{DNSKEY, DS};

    /// A loopback DNS server on UDP that answers every query with `answer` (None: silence) and
    /// counts the queries per (name, type).
    async fn server(
        answer: impl Fn(&Message) -> Option<Message> + Send + 'static,
    ) -> (
        SocketAddr,
        std::sync::Arc<Mutex<BTreeMap<(String, RecordType), usize>>>,
        tokio::sync::mpsc::UnboundedReceiver<()>,
    ) {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        let seen = std::sync::Arc::new(Mutex::new(BTreeMap::new()));
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let counts = seen.clone();
        tokio::spawn(async move {
            let mut buf = vec![0; 4096];
            loop {
                let Ok((n, from)) = sock.recv_from(&mut buf).await else {
                    return;
                };
                let Ok(q) = Message::from_vec(&buf[..n]) else {
                    continue;
                };
                if let Some(query) = q.queries().first() {
                    *counts
                        .lock()
                        .unwrap()
                        .entry((normalise(&query.name().to_string()), query.query_type()))
                        .or_insert(0) += 1;
                }
                let _ = tx.send(());
                if let Some(mut m) = answer(&q) {
                    m.set_id(q.id())
                        .set_message_type(MessageType::Response)
                        .add_queries(q.queries().to_vec());
                    let _ = sock.send_to(&m.to_vec().unwrap(), from).await;
                }
            }
        });
        (addr, seen, rx)
    }

    fn walker_at(addr: SocketAddr, max_queries: usize) -> Walker {
        Walker::new(DnsSettings {
            root_hints: vec![addr.ip()],
            port: addr.port(),
            resolvers: Vec::new(),
            timeout: Duration::from_secs(30),
            max_queries,
            max_queries_flag: Some("--max-queries"),
            ..Default::default()
        })
    }

    fn ns(owner: &str, host: &str) -> hickory_proto::rr::Record {
        use hickory_proto::rr::rdata::NS;
        hickory_proto::rr::Record::from_rdata(
            Name::from_ascii(owner).unwrap(),
            300,
            RData::NS(NS(Name::from_ascii(host).unwrap())),
        )
    }

    const FAN_OUT: usize = 10;

    /// Every question is referred to `test`, served by 10 name servers without glue: each must be
    /// resolved from the root, where the same referral waits.
    fn fan_out(_q: &Message) -> Option<Message> {
        let mut m = Message::new();
        for i in 0..FAN_OUT {
            m.add_name_server(ns("test.", &format!("ns{i}.hoster.test.")));
        }
        Some(m)
    }

    #[tokio::test]
    async fn a_fan_out_of_servers_without_glue_stops_at_the_query_budget() {
        let (addr, _, _) = server(fan_out).await;
        let w = walker_at(addr, 8);
        let e = w.parent_view("shop.test").await.unwrap_err();
        assert!(matches!(e, DnsError::QueryBudget { limit: 8, .. }), "{e}");
        assert!(
            e.to_string().contains("sent 8 queries")
                && e.to_string()
                    .contains("default 500; raise it with --max-queries)"),
            "{e}"
        );
        assert_eq!(w.queries(), 8, "none is sent past the budget");
        assert!(w.stopped().is_err());
    }

    #[tokio::test]
    async fn each_host_is_looked_up_once_per_walk() {
        let (addr, seen, _) = server(fan_out).await;
        let w = walker_at(addr, DEFAULT_MAX_QUERIES);
        // Nothing resolves (every answer is the same referral), but within the budget: each of
        // the 10 hosts is asked once, not once per referral that names it.
        let e = w.parent_view("shop.test").await.unwrap_err();
        assert!(matches!(e, DnsError::NoAnswer { .. }), "{e}");
        let seen = seen.lock().unwrap();
        for i in 0..FAN_OUT {
            let n = seen
                .get(&(format!("ns{i}.hoster.test"), RecordType::A))
                .copied();
            assert_eq!(n, Some(1), "ns{i}.hoster.test: {seen:?}");
        }
    }

    /// The first question is referred down to `shop.test`, every later one back up to `test`.
    fn upward() -> impl Fn(&Message) -> Option<Message> + Send + 'static {
        let asked = AtomicUsize::new(0);
        move |_q| {
            let cut = if asked.fetch_add(1, Ordering::Relaxed) == 0 {
                "shop.test."
            } else {
                "test."
            };
            let mut m = Message::new();
            m.add_name_server(ns(cut, "ns.shop.test."));
            // Glue inside both cuts, so the walk goes on at once.
            m.add_additional(hickory_proto::rr::Record::from_rdata(
                Name::from_ascii("ns.shop.test.").unwrap(),
                300,
                RData::A(hickory_proto::rr::rdata::A::new(127, 0, 0, 1)),
            ));
            Some(m)
        }
    }

    #[tokio::test]
    async fn a_referral_back_up_is_a_loop() {
        let (addr, _, _) = server(upward()).await;
        let w = walker_at(addr, DEFAULT_MAX_QUERIES);
        // root → shop.test (a referral down) → test (back up).
        let e = w.find_parent("www.shop.test").await.unwrap_err();
        assert!(matches!(e, DnsError::ReferralLoop { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("from the shop.test zone back up to the test zone"),
            "{e}"
        );
    }

    fn silent(_q: &Message) -> Option<Message> {
        None
    }

    #[tokio::test]
    async fn cancellation_ends_a_walk_in_the_middle_of_a_query() {
        let (addr, _, mut asked) = server(silent).await;
        let c = Call::new(Duration::from_secs(600), CancellationToken::new());
        let w = walker_at(addr, DEFAULT_MAX_QUERIES).bounded_by(&c);
        let cancel = c.cancel.clone();
        tokio::spawn(async move {
            // Once the server has the first question (its answer would take 30 s).
            asked.recv().await;
            cancel.cancel();
        });
        let e = w.parent_view("shop.test").await.unwrap_err();
        assert!(matches!(e, DnsError::Cancelled), "{e}");
        assert_eq!(w.queries(), 1, "nothing is asked after the cancellation");
    }

    #[tokio::test]
    async fn the_operation_deadline_ends_a_walk() {
        let (addr, _, _) = server(silent).await;
        // Per query 30 s, but the operation has 300 ms.
        let c = Call::new(Duration::from_millis(300), CancellationToken::new());
        let w = walker_at(addr, DEFAULT_MAX_QUERIES).bounded_by(&c);
        let e = w.status("shop.test").await.unwrap_err();
        assert!(matches!(e, DnsError::WalkDeadline { .. }), "{e}");
        assert!(e.to_string().contains("ran out of time"), "{e}");
        // A deadline already past: no query at all.
        let c = Call::new(Duration::ZERO, CancellationToken::new());
        let w = walker_at(addr, DEFAULT_MAX_QUERIES).bounded_by(&c);
        assert!(matches!(
            w.find_parent("shop.test").await,
            Err(DnsError::WalkDeadline { .. })
        ));
        assert_eq!(w.queries(), 0);
    }

    fn view(answers: Vec<ParentAnswer>) -> ParentView {
        ParentView::of_answers(answers)
    }

    fn set(v: &[&str]) -> Vec<String> {
        normalise_set(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_ds_is_published_only_when_every_server_has_it() {
        let (a, b) = ("1 13 2 AB".to_string(), "2 13 2 CD".to_string());
        let mut v = view(vec![]);
        assert!(!v.ds_on_every_server(&[]), "no server asked: nothing known");
        v.ds_each = vec![
            ("ns0".into(), Some(vec![a.clone(), b.clone()])),
            ("ns1".into(), Some(vec![a.clone()])),
        ];
        assert!(v.ds_on_every_server(std::slice::from_ref(&a)));
        assert!(!v.ds_on_every_server(std::slice::from_ref(&b)));
        assert!(!v.ds_on_no_server(std::slice::from_ref(&b)));
        assert_eq!(v.ds_agreed(), None, "the servers disagree");
        v.ds_each[1].1 = None;
        assert!(
            !v.ds_on_every_server(std::slice::from_ref(&a)),
            "a silent server is not known to publish"
        );
        assert!(!v.ds_on_no_server(std::slice::from_ref(&b)));
        assert_eq!(v.ds_agreed(), Some(vec![a.clone(), b.clone()]));
        assert_eq!(v.each_ds(), format!("ns0: {a} | {b}; ns1: no answer"));
        v.ds_each = vec![("ns0".into(), Some(vec![])), ("ns1".into(), Some(vec![]))];
        assert!(v.ds_on_no_server(&[a, b]));
        assert_eq!(ds_text_key("1  13 2 ab\n"), "1 13 2 AB");
        // A registrar that does not return the algorithm still names the same DS.
        assert!(same_ds("1 0 2 ab", "1 13 2 AB"));
        assert!(!same_ds("1 13 2 AB", "1 13 2 AC"));
    }

    #[test]
    fn published_needs_agreement_and_ignores_failures() {
        let a = set(&["ns2.host.net", "NS1.host.net."]);
        let v = view(vec![
            ParentAnswer::Delegated(a.clone()),
            ParentAnswer::Failed("timeout".into()),
        ]);
        assert_eq!(v.published(), Some(a.clone()));
        assert!(!v.publishes(&a), "a silent server is not known to publish");
        let v = view(vec![ParentAnswer::Delegated(a.clone()); 2]);
        assert!(v.publishes(&["ns1.host.net.".into(), "NS2.HOST.NET".into()]));
        assert!(v.consistent());
        let v = view(vec![
            ParentAnswer::Delegated(a.clone()),
            ParentAnswer::NotDelegated,
        ]);
        assert!(!v.consistent());
        let p = problems(&v, &[]);
        assert!(p[0].starts_with("inconsistent parent"), "{p:?}");
        assert_eq!(view(vec![ParentAnswer::NotDelegated]).published(), None);
    }

    #[test]
    fn ds_is_matched_only_by_the_key_it_digests() {
        use hickory_proto::dnssec::{Algorithm, DigestType, PublicKeyBuf};
        let key = |b: u8| {
            DNSKEY::new(
                true,
                true,
                false,
                PublicKeyBuf::new(vec![b; 32], Algorithm::ED25519),
            )
        };
        let name = fq("shop.test").unwrap();
        let ds_for = |k: &DNSKEY, owner: &Name| {
            DS::new(
                k.calculate_key_tag().unwrap(),
                Algorithm::ED25519,
                DigestType::SHA256,
                k.to_digest(owner, DigestType::SHA256)
                    .unwrap()
                    .as_ref()
                    .to_vec(),
            )
        };
        let (ours, theirs) = (key(1), key(2));
        let mut v = view(vec![]);
        v.ds_data = vec![ds_for(&ours, &name), ds_for(&theirs, &name)];
        v.ds = vec!["ours".into(), "theirs".into()];
        let serving = |keys: Vec<DNSKEY>| ServerAnswer {
            dnskeys: keys,
            ..Default::default()
        };
        // No keys served: every DS is unmatched (the default before the new zone is signed).
        assert_eq!(unmatched_ds(&v, &[serving(vec![])]), ["ours", "theirs"]);
        // One key matches its own DS only; the other DS still blocks.
        assert_eq!(unmatched_ds(&v, &[serving(vec![ours.clone()])]), ["theirs"]);
        // A key served by any of the new servers counts.
        assert!(unmatched_ds(&v, &[serving(vec![ours]), serving(vec![theirs])]).is_empty());
        // A DS for the same key under another owner name does not match.
        let k = key(3);
        v.ds_data = vec![ds_for(&k, &fq("other.test").unwrap())];
        v.ds = vec!["elsewhere".into()];
        assert_eq!(unmatched_ds(&v, &[serving(vec![k])]), ["elsewhere"]);
    }

    #[test]
    fn problems_name_glue_lame_serials_and_ns_mismatch() {
        let v = view(vec![ParentAnswer::Delegated(set(&[
            "ns1.shop.test",
            "ns2.host.net",
        ]))]);
        let servers = vec![
            ServerAnswer {
                name: "ns1.shop.test".into(),
                authoritative: true,
                serial: Some(5),
                ns: set(&["ns1.shop.test", "ns2.host.net"]),
                ..Default::default()
            },
            ServerAnswer {
                name: "ns2.host.net".into(),
                authoritative: true,
                serial: Some(4),
                ns: set(&["ns1.shop.test", "ns3.host.net"]),
                ..Default::default()
            },
        ];
        let p = problems(&v, &servers);
        assert!(
            p.iter()
                .any(|p| p.starts_with("missing glue: ns1.shop.test")),
            "{p:?}"
        );
        assert!(
            p.iter()
                .any(|p| p.contains("serials") && p.contains("ns2.host.net 4")),
            "{p:?}"
        );
        assert!(
            p.iter().any(|p| p.starts_with("NS mismatch: ns2.host.net")),
            "{p:?}"
        );
        assert!(!p.iter().any(|p| p.starts_with("lame")), "{p:?}");
        let p = problems(&view(vec![ParentAnswer::NotDelegated]), &[]);
        assert_eq!(
            p,
            ["not delegated: the test zone publishes no NS records for shop.test"]
        );
    }
}
