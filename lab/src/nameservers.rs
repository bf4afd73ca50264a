//! The lab's Route 53 name servers: real DNS servers (hickory-server, UDP and TCP) that answer
//! for the public hosted zones in moto, as Route 53's name servers do for the zones on their
//! delegation set.
//!
//! moto gives every zone the same four name servers. Real Route 53 gives a subzone a delegation
//! set different from its parent's, which is what lets a parent's servers answer with a referral
//! to the child. So the proxy gives each new zone one of [`SETS`] delegation sets (the lowest
//! not used by a zone of the same name, an ancestor or a descendant), rewrites moto's names to
//! the set's names in what it returns, and each set's server answers only for its own zones on
//! its own loopback address ([`set_ip`]), all on the lab's one DNS port. The TLD registry
//! delegates the sets' `awsdns-NN` host domains here, with glue.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::A;
use hickory_proto::rr::{Name, RData, Record, RecordType};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioExecutor;

use crate::cidr_collections::CidrCollections;
use crate::cidr_routing::RecordRouting;
use crate::health_checks::Health;
use crate::moto_api::{norm, MOTO_ROUTE53_AUTH};
use crate::registry::under;
pub use crate::registry::Client;
use crate::routing::{route, set_healthy, Rotation, Rrset};
use crate::signing::{sign_answer, Shape, SigningSource, ZoneKeys};
use crate::xml::{self, Element};

/// How many delegation sets the lab hands out to new zones.
pub const SETS: usize = 16;

/// How many more sets the lab keeps for reusable delegation sets (see `reusable_sets`); never
/// handed out by [`DelegationSets::assign`].
pub const REUSABLE_SETS: usize = 8;

/// Every set the lab serves: the ones handed out, then the reusable sets'.
pub const ALL_SETS: usize = SETS + REUSABLE_SETS;

/// The names moto gives every zone.
const MOTO_NS: [&str; 4] = [
    "ns-2048.awsdns-64.com",
    "ns-2049.awsdns-65.net",
    "ns-2050.awsdns-66.org",
    "ns-2051.awsdns-67.co.uk",
];

const SET_TLDS: [&str; 4] = ["com", "net", "org", "co.uk"];

/// The four name servers of set `i` (shaped like Route 53's: ns-N.awsdns-NN.{com,net,org,co.uk}).
pub fn set_names(i: usize) -> [String; 4] {
    std::array::from_fn(|j| format!("ns-{}.awsdns-{i:02}.{}", i + 512 * j, SET_TLDS[j]))
}

/// The host domains of set `i`'s names (delegated to the set's server by the registry).
pub(crate) fn set_domains(i: usize) -> [String; 4] {
    std::array::from_fn(|j| format!("awsdns-{i:02}.{}", SET_TLDS[j]))
}

/// The loopback address set `i` answers on.
pub fn set_ip(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 1, i as u8 + 1))
}

fn related(a: &str, b: &str) -> bool {
    under(a, b) || under(b, a)
}

#[derive(Clone, Debug)]
struct ZoneEntry {
    name: String,
    set: usize,
    private: bool,
    /// The reusable delegation set it is on, if any.
    reusable: Option<String>,
    /// The account that created it (moto keeps each account's zones apart), when known.
    account: Option<String>,
}

/// Which delegation set each hosted zone is on (keyed by zone id without `/hostedzone/`).
#[derive(Default, Debug)]
pub struct DelegationSets {
    zones: Mutex<BTreeMap<String, ZoneEntry>>,
    /// Bumped on every zone write through the proxy: the name servers' zone cache is good until it
    /// moves.
    generation: std::sync::atomic::AtomicU64,
    /// Where DNS clients are, for latency and geolocation routing (set by a lab control).
    pub(crate) locations: crate::client_locations::ClientLocations,
}

impl DelegationSets {
    /// Gives a new zone a set no zone of the same name, above or below it uses.
    pub(crate) fn assign(&self, id: &str, name: &str, private: bool) -> usize {
        let name = norm(name);
        let mut z = self.zones.lock().unwrap();
        let used: Vec<usize> = z
            .values()
            .filter(|e| related(&e.name, &name))
            .map(|e| e.set)
            .collect();
        let set = (0..SETS).find(|s| !used.contains(s)).unwrap_or(0);
        z.insert(
            id.to_string(),
            ZoneEntry {
                name,
                set,
                private,
                reusable: None,
                account: None,
            },
        );
        set
    }

    /// Puts a new public zone on reusable delegation set `reusable` (lab set `set`).
    pub(crate) fn assign_on(&self, id: &str, name: &str, set: usize, reusable: &str) {
        let entry = ZoneEntry {
            name: norm(name),
            set,
            private: false,
            reusable: Some(reusable.to_string()),
            account: None,
        };
        self.zones.lock().unwrap().insert(id.to_string(), entry);
    }

    /// The set of a public zone the proxy knows.
    pub(crate) fn public_set_of(&self, id: &str) -> Option<usize> {
        let z = self.zones.lock().unwrap();
        z.get(id).filter(|e| !e.private).map(|e| e.set)
    }

    /// A zone's set became reusable set `reusable` (CreateReusableDelegationSet with its ID).
    pub(crate) fn mark_reusable(&self, id: &str, reusable: &str) {
        if let Some(e) = self.zones.lock().unwrap().get_mut(id) {
            e.reusable = Some(reusable.to_string());
        }
    }

    /// Notes the account that created zone `id`: its records are read from moto as that account.
    pub(crate) fn set_account(&self, id: &str, account: &str) {
        if let Some(e) = self.zones.lock().unwrap().get_mut(id) {
            e.account = Some(account.to_string());
        }
    }

    fn account_of(&self, id: &str) -> Option<String> {
        self.zones
            .lock()
            .unwrap()
            .get(id)
            .and_then(|e| e.account.clone())
    }

    /// The zones on reusable delegation set `reusable`.
    pub(crate) fn zones_on_reusable(&self, reusable: &str) -> Vec<String> {
        let z = self.zones.lock().unwrap();
        z.iter()
            .filter(|(_, e)| e.reusable.as_deref() == Some(reusable))
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// A zone changed (a record write, a zone created or deleted).
    pub(crate) fn changed(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn forget(&self, id: &str) {
        self.zones.lock().unwrap().remove(id);
    }

    /// The set a zone is on (zones made behind the proxy's back: set 0).
    pub fn set_of(&self, id: &str) -> usize {
        self.zones
            .lock()
            .unwrap()
            .get(id)
            .map(|e| e.set)
            .unwrap_or(0)
    }

    /// Replaces moto's four names with the zone's set's names.
    pub(crate) fn rewrite(&self, id: &str, text: &str) -> String {
        let names = set_names(self.set_of(id));
        let mut t = text.to_string();
        for (m, n) in MOTO_NS.iter().zip(&names) {
            t = t.replace(m, n);
        }
        t
    }

    /// The public zones on set `i`: (id, name).
    fn zones_on(&self, i: usize) -> Vec<(String, String)> {
        self.zones
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, e)| e.set == i && !e.private)
            .map(|(id, e)| (id.clone(), e.name.clone()))
            .collect()
    }
}

/// Records the zone a CreateHostedZone response describes — on reusable delegation set `on`
/// (its ID and lab set) when the request named one, made by `account` when known — and returns
/// its id.
pub(crate) fn note_created_zone(
    sets: &DelegationSets,
    body: &[u8],
    on: Option<(&str, usize)>,
    account: Option<&str>,
) -> Option<String> {
    let doc = xml::parse(body).ok()?;
    let hz = doc.child("HostedZone")?;
    let id = hz
        .text_at(&["Id"])?
        .trim_start_matches("/hostedzone/")
        .to_string();
    let name = hz.text_at(&["Name"])?;
    let private = hz.text_at(&["Config", "PrivateZone"]) == Some("true");
    match on {
        Some((reusable, set)) if !private => sets.assign_on(&id, name, set, reusable),
        _ => {
            sets.assign(&id, name, private);
        }
    }
    if let Some(a) = account {
        sets.set_account(&id, a);
    }
    Some(id)
}

/// The running servers, one per set.
pub struct NameServers {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for NameServers {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

type HttpClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    Full<Bytes>,
>;

struct Moto {
    url: String,
    client: HttpClient,
}

impl Moto {
    /// A GET of moto's Route 53 API as `account` (moto's default account when None).
    async fn get(&self, path: &str, account: Option<&str>) -> anyhow::Result<Element> {
        let mut req = hyper::Request::get(format!("{}{path}", self.url))
            .header("authorization", MOTO_ROUTE53_AUTH);
        if let Some(a) = account {
            req = req.header(crate::authorizations::ACCOUNT_HEADER, a);
        }
        let req = req.body(Full::new(Bytes::new()))?;
        let resp = self.client.request(req).await?;
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            anyhow::bail!("moto {path}: {status}");
        }
        xml::parse(&body)
    }

    /// Every record set of a zone, all pages.
    async fn record_sets(&self, id: &str, sets: &DelegationSets) -> anyhow::Result<Vec<Rrset>> {
        let account = sets.account_of(id);
        let account = account.as_deref();
        let listed =
            crate::moto_api::list_routed(id, |q| async move { self.get(&q, account).await })
                .await?;
        Ok(listed
            .into_iter()
            .map(|(mut r, routing)| {
                r.values = r.values.iter().map(|v| sets.rewrite(id, v)).collect();
                Rrset { set: r, routing }
            })
            .collect())
    }
}

/// One resource record from its parts, through hickory's zone-file parser.
fn parse_rr(owner: &str, ttl: u32, ty: &str, value: &str) -> Option<Record> {
    use hickory_proto::serialize::txt::Parser;
    let text = format!("{}. {ttl} IN {ty} {value}", norm(owner));
    let (_, records) = Parser::new(text, None, Some(Name::root())).parse().ok()?;
    let mut r = records
        .into_values()
        .next()?
        .records_without_rrsigs()
        .next()
        .cloned()?;
    // hickory's zone-file parser gives an SOA the TTL of its expire field; Route 53 serves the
    // record set's TTL.
    r.set_ttl(ttl);
    Some(r)
}

impl NameServers {
    /// Starts one server per set on [`set_ip`]`(i)`:`port`, reading zones from moto at `moto_url`.
    pub(crate) async fn start(
        sets: Arc<DelegationSets>,
        health: Arc<Health>,
        cidr: Arc<CidrCollections>,
        signing: Arc<dyn SigningSource>,
        moto_url: &str,
        port: u16,
    ) -> anyhow::Result<NameServers> {
        let dnskey_sigs = Arc::new(tokio::sync::Mutex::new(Default::default()));
        let moto = Arc::new(Moto {
            url: moto_url.trim_end_matches('/').to_string(),
            client: hyper_util::client::legacy::Client::builder(TokioExecutor::new()).build_http(),
        });
        let mut tasks = Vec::new();
        let cache = Arc::new(tokio::sync::Mutex::new(ZoneCache::new()));
        let rotation = Arc::new(Rotation::default());
        for i in 0..ALL_SETS {
            let (udp, tcp) = crate::registry::bind_pair_at(set_ip(i), port).await?;
            let mut server = hickory_server::ServerFuture::new(Handler {
                set: i,
                sets: sets.clone(),
                moto: moto.clone(),
                cache: cache.clone(),
                health: health.clone(),
                cidr: cidr.clone(),
                rotation: rotation.clone(),
                signing: signing.clone(),
                dnskey_sigs: dnskey_sigs.clone(),
            });
            server.register_socket(udp);
            server.register_listener(tcp, Duration::from_secs(10));
            tasks.push(tokio::spawn(async move {
                let _ = server.block_until_done().await;
            }));
        }
        Ok(NameServers { tasks })
    }
}

struct Handler {
    set: usize,
    sets: Arc<DelegationSets>,
    moto: Arc<Moto>,
    cache: Arc<tokio::sync::Mutex<ZoneCache>>,
    /// Health is read at answer time: the zone cache lives as long as a write generation, a
    /// check's verdict changes in between.
    health: Arc<Health>,
    /// CIDR collections (read at answer time: blocks change without a record write) and the
    /// CIDR routing of record sets, which moto drops.
    cidr: Arc<CidrCollections>,
    /// Weighted and multivalue turns, shared by every set's server.
    rotation: Arc<Rotation>,
    /// Which zones sign (the DNSSEC API), and the KSK signatures of their DNSKEY sets.
    signing: Arc<dyn SigningSource>,
    dnskey_sigs: Arc<tokio::sync::Mutex<DnskeySigs>>,
}

type ZoneCache = std::collections::HashMap<String, (u64, Arc<Vec<Rrset>>)>;

/// Per zone id: the key version and the KSK signatures of its DNSKEY set.
type DnskeySigs = std::collections::HashMap<String, (u64, Vec<Record>)>;

#[derive(Default)]
struct Answer {
    code: Option<ResponseCode>,
    authoritative: bool,
    answers: Vec<Record>,
    authority: Vec<Record>,
    additional: Vec<Record>,
    /// The answer went by where the client is (a latency or geolocation group).
    by_client: bool,
    /// A referral to this cut (for signing: its DS set or a proof of none).
    referral: Option<String>,
    /// The types that exist at the query name (a signed negative answer lists them).
    here: Vec<RecordType>,
}

impl Handler {
    /// A zone's record sets, read from moto once per write generation (a whole-zone read per
    /// query made large zones unaskable; one write through the proxy invalidates every zone).
    async fn zone(&self, id: &str) -> anyhow::Result<Arc<Vec<Rrset>>> {
        let mut cache = self.cache.lock().await;
        let generation = self.sets.generation();
        if let Some((g, sets)) = cache.get(id) {
            if *g == generation {
                return Ok(sets.clone());
            }
        }
        let mut listed = self.moto.record_sets(id, &self.sets).await?;
        for s in &mut listed {
            match self
                .cidr
                .record_routing(id, &s.name, &s.ty, s.set_id.as_deref())
            {
                Some(RecordRouting::Cidr {
                    collection_id,
                    location_name,
                }) => s.routing.cidr = Some((collection_id, location_name)),
                Some(RecordRouting::GeoProximity(g)) => s.routing.geoproximity = Some(g),
                None => {}
            }
        }
        let sets = Arc::new(listed);
        cache.insert(id.to_string(), (generation, sets.clone()));
        Ok(sets)
    }

    async fn answer(&self, qname: &str, qtype: RecordType, client: Client) -> Answer {
        let mut a = Answer {
            authoritative: true,
            ..Default::default()
        };
        // The set's own host names.
        let names = set_names(self.set);
        if set_domains(self.set).iter().any(|d| under(qname, d)) {
            if names.iter().any(|n| n == qname) {
                if qtype == RecordType::A {
                    if let IpAddr::V4(ip) = set_ip(self.set) {
                        a.answers.push(Record::from_rdata(
                            Name::from_str(&format!("{qname}.")).unwrap_or_default(),
                            172_800,
                            RData::A(A(ip)),
                        ));
                    }
                }
            } else {
                a.code = Some(ResponseCode::NXDomain);
            }
            return a;
        }
        // The most specific of this set's zones holding the name; none: not ours (REFUSED, as
        // Route 53 answers for a zone it does not host on this delegation set).
        let zone = self
            .sets
            .zones_on(self.set)
            .into_iter()
            .filter(|(_, n)| under(qname, n))
            .max_by_key(|(_, n)| n.len());
        let Some((id, apex)) = zone else {
            a.code = Some(ResponseCode::Refused);
            a.authoritative = false;
            return a;
        };
        let sets = match self.zone(&id).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("lab name server: reading zone {id}: {e}");
                a.code = Some(ResponseCode::ServFail);
                a.authoritative = false;
                return a;
            }
        };
        let mut a = {
            // The routing context holds closures that are not Send: gone before any await.
            let health = |id: &str| self.health.healthy(id);
            let locate = |collection: &str| self.cidr.locate(collection, client.routing_addr());
            let ctx = Ctx {
                zone: &id,
                health: &health,
                locate: &locate,
                location: self.sets.locations.of(client.routing_addr()),
                rotation: &self.rotation,
            };
            answer_from_zone(&apex, &sets, qname, qtype, a, &ctx)
        };
        if let Some((version, keys)) = self.signing.keys(&id, &crate::registry::name(&apex)) {
            if let Err(e) = self
                .sign(
                    &id, version, &keys, &apex, &sets, qname, qtype, client, &mut a,
                )
                .await
            {
                tracing::warn!("lab name server: signing {qname} in zone {id}: {e:#}");
                return Answer {
                    code: Some(ResponseCode::ServFail),
                    ..Default::default()
                };
            }
        }
        a
    }

    /// A signing zone's answer: the DNSKEY set at the apex (its KSK signatures cached per key
    /// version: they may come from KMS), and with the DO bit, RRSIGs, DS or no-DS proofs in
    /// referrals, and compact denial (see [`crate::signing`]).
    #[allow(clippy::too_many_arguments)]
    async fn sign(
        &self,
        id: &str,
        version: u64,
        keys: &ZoneKeys,
        apex: &str,
        sets: &[Rrset],
        qname: &str,
        qtype: RecordType,
        client: Client,
        a: &mut Answer,
    ) -> anyhow::Result<()> {
        if qname == apex {
            a.here.push(RecordType::DNSKEY);
            a.here.sort();
            if qtype == RecordType::DNSKEY {
                a.answers = keys.dnskey_set();
                if client.dnssec_ok {
                    a.answers
                        .extend(self.dnskey_signatures(id, version, keys).await?);
                }
                a.authority.clear();
                a.code = None;
            }
        }
        if !client.dnssec_ok {
            return Ok(());
        }
        let soa = sets
            .iter()
            .filter(|s| s.name == apex && s.ty == "SOA")
            .flat_map(|s| records_of(&[s], apex))
            .next()
            .ok_or_else(|| anyhow::anyhow!("zone {apex} has no SOA"))?;
        let qname = crate::registry::name(qname);
        let child = a.referral.as_deref().map(|c| {
            let ds: Vec<&Rrset> = sets
                .iter()
                .filter(|s| s.name == c && s.ty == "DS")
                .collect();
            (crate::registry::name(c), records_of(&ds, c))
        });
        let shape = match child {
            Some((ref c, ds)) => Shape::Referral { child: c, ds },
            None => Shape::Answer {
                qname: &qname,
                here: &a.here,
            },
        };
        let mut code = a.code.unwrap_or(ResponseCode::NoError);
        sign_answer(
            keys,
            shape,
            &soa,
            &mut code,
            &mut a.answers,
            &mut a.authority,
        )
        .await?;
        a.code = Some(code);
        Ok(())
    }

    /// The KSK signatures of a zone's DNSKEY set, made once per key version.
    async fn dnskey_signatures(
        &self,
        id: &str,
        version: u64,
        keys: &ZoneKeys,
    ) -> anyhow::Result<Vec<Record>> {
        let mut cache = self.dnskey_sigs.lock().await;
        if let Some((v, sigs)) = cache.get(id) {
            if *v == version {
                return Ok(sigs.clone());
            }
        }
        let sigs = keys.sign_rrset(&keys.dnskey_set()).await?;
        cache.insert(id.to_string(), (version, sigs.clone()));
        Ok(sigs)
    }
}

fn records_of(sets: &[&Rrset], owner: &str) -> Vec<Record> {
    sets.iter()
        .flat_map(|s| {
            s.values
                .iter()
                .filter_map(|v| parse_rr(owner, s.ttl.unwrap_or(300), &s.ty, v))
        })
        .collect()
}

/// What answering by Route 53's routing rules needs besides the zone: the zone's id (rotation
/// keys), each health check's verdict now, who asked, the shared rotation.
struct Ctx<'a> {
    zone: &'a str,
    health: &'a dyn Fn(&str) -> bool,
    /// The client's location in a CIDR collection (by ID).
    locate: &'a dyn Fn(&str) -> Option<String>,
    location: Option<crate::client_locations::Location>,
    rotation: &'a Rotation,
}

fn answer_from_zone(
    apex: &str,
    sets: &[Rrset],
    qname: &str,
    qtype: RecordType,
    mut a: Answer,
    ctx: &Ctx<'_>,
) -> Answer {
    let soa: Vec<Record> = {
        let s: Vec<&Rrset> = sets
            .iter()
            .filter(|s| s.name == apex && s.ty == "SOA")
            .collect();
        records_of(&s, apex)
    };
    let ty = qtype.to_string();
    // A delegation inside the zone (the cut closest to the apex) answers with a referral, except
    // DS at the cut, which this side answers.
    let cut = sets
        .iter()
        .filter(|s| s.ty == "NS" && s.name != apex && under(qname, &s.name))
        .min_by_key(|s| s.name.len());
    if let Some(cut) = cut {
        if !(qname == cut.name && qtype == RecordType::DS) {
            a.authoritative = false;
            a.referral = Some(cut.name.clone());
            a.authority = records_of(&[cut], &cut.name);
            for v in &cut.values {
                let host = norm(v);
                if under(&host, &cut.name) {
                    let glue: Vec<&Rrset> = sets
                        .iter()
                        .filter(|s| s.name == host && (s.ty == "A" || s.ty == "AAAA"))
                        .collect();
                    a.additional.extend(records_of(&glue, &host));
                }
            }
            return a;
        }
    }
    let healthy = |s: &Rrset| set_healthy(sets, apex, s, ctx.health);
    let by_client = std::cell::Cell::new(false);
    let routed = |name: &str, ty: &str| -> Vec<&Rrset> {
        let group: Vec<&Rrset> = sets
            .iter()
            .filter(|s| s.name == name && s.ty == ty)
            .collect();
        if group.iter().any(|s| {
            s.routing.geo.is_some()
                || s.routing.region.is_some()
                || s.routing.cidr.is_some()
                || s.routing.geoproximity.is_some()
        }) {
            by_client.set(true);
        }
        let cidr_location = group
            .iter()
            .find_map(|s| s.routing.cidr.as_ref())
            .and_then(|(collection, _)| (ctx.locate)(collection));
        let key = format!("{} {name} {ty}", ctx.zone);
        route(
            group,
            &healthy,
            ctx.location.as_ref(),
            cidr_location.as_deref(),
            ctx.rotation,
            &key,
        )
    };
    let at = |name: &str, ty: &str| -> Vec<Record> {
        let mut out = Vec::new();
        for s in routed(name, ty) {
            match &s.alias {
                // An alias to a record in this zone answers with the target's records, routed.
                Some(t) if under(t, apex) => {
                    let target: Vec<&Rrset> = routed(t, ty)
                        .into_iter()
                        .filter(|x| x.alias.is_none())
                        .collect();
                    out.extend(records_of(&target, qname));
                }
                Some(_) => {}
                None => out.extend(records_of(&[s], qname)),
            }
        }
        out
    };
    let exists = |name: &str| {
        sets.iter()
            .any(|s| s.name == name || s.name.ends_with(&format!(".{name}")))
    };
    let mut found = at(qname, &ty);
    if found.is_empty() && qtype != RecordType::CNAME {
        found = at(qname, "CNAME");
    }
    if found.is_empty() && !exists(qname) {
        // A wildcard at the closest encloser.
        let mut enc = qname.to_string();
        while enc != apex {
            enc = enc
                .split_once('.')
                .map(|(_, p)| p.to_string())
                .unwrap_or_default();
            if exists(&enc) {
                break;
            }
        }
        let wild = format!("*.{enc}");
        found = at(&wild, &ty);
        if found.is_empty() && !sets.iter().any(|s| s.name == wild) {
            a.code = Some(ResponseCode::NXDomain);
        }
    }
    if found.is_empty() {
        a.authority = soa;
        a.here = sets
            .iter()
            .filter(|s| s.name == qname)
            .filter_map(|s| RecordType::from_str(&s.ty).ok())
            .collect();
        a.here.sort();
        a.here.dedup();
    } else {
        a.answers = found;
    }
    a.by_client = by_client.get();
    a
}

#[async_trait::async_trait]
impl RequestHandler for Handler {
    async fn handle_request<R: ResponseHandler>(
        &self,
        request: &Request,
        response: R,
    ) -> ResponseInfo {
        crate::registry::respond(request, response, |qname, qtype, client| async move {
            let a = self.answer(&qname, qtype, client).await;
            (
                a.code.unwrap_or(ResponseCode::NoError),
                a.authoritative,
                a.answers,
                a.authority,
                a.additional,
                a.by_client,
            )
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, ty: &str, values: &[&str]) -> Rrset {
        Rrset {
            set: crate::moto_api::RecordSet {
                name: name.into(),
                ty: ty.into(),
                ttl: Some(300),
                values: values.iter().map(|s| s.to_string()).collect(),
                alias: None,
                set_id: None,
                failover: None,
                weight: None,
            },
            routing: Default::default(),
        }
    }

    #[test]
    fn subzones_get_a_set_of_their_own_and_names_are_rewritten() {
        let s = DelegationSets::default();
        assert_eq!(s.assign("Z1", "example.test.", false), 0);
        assert_eq!(s.assign("Z2", "sub.example.test", false), 1);
        assert_eq!(s.assign("Z3", "other.test", false), 0);
        assert_eq!(
            s.assign("Z4", "example.test", false),
            2,
            "same name: a new set"
        );
        let t = s.rewrite("Z2", "<NameServer>ns-2050.awsdns-66.org</NameServer>");
        assert_eq!(t, "<NameServer>ns-1025.awsdns-01.org</NameServer>");
        assert_eq!(set_names(1)[3], "ns-1537.awsdns-01.co.uk");
    }

    #[test]
    fn answers_follow_route53() {
        let apex = "example.test";
        let mut alias = set("example.test", "A", &[]);
        alias.set.alias = Some("www.example.test".into());
        let mut primary = set("f.example.test", "A", &["192.0.2.10"]);
        primary.set.failover = Some("PRIMARY".into());
        primary.set.set_id = Some("p".into());
        primary.routing.health_check_id = Some("hp".into());
        let mut secondary = set("f.example.test", "A", &["192.0.2.20"]);
        secondary.set.failover = Some("SECONDARY".into());
        secondary.set.set_id = Some("s".into());
        let sets = vec![
            set(
                apex,
                "SOA",
                &["ns-0.awsdns-00.com. hostmaster.example.test. 1 7200 900 1209600 86400"],
            ),
            set(apex, "NS", &["ns-0.awsdns-00.com."]),
            set("www.example.test", "A", &["192.0.2.1"]),
            alias,
            primary,
            secondary,
            set("sub.example.test", "NS", &["ns1.sub.example.test."]),
            set("ns1.sub.example.test", "A", &["192.0.2.53"]),
            set("*.w.example.test", "TXT", &["\"wild\""]),
        ];
        let primary_up = std::cell::Cell::new(true);
        let health = |id: &str| id != "hp" || primary_up.get();
        let rotation = Rotation::default();
        let ctx = Ctx {
            zone: "Z",
            health: &health,
            locate: &|_: &str| None,
            location: None,
            rotation: &rotation,
        };
        let ask = |q: &str, t: RecordType| {
            answer_from_zone(
                apex,
                &sets,
                q,
                t,
                Answer {
                    authoritative: true,
                    ..Default::default()
                },
                &ctx,
            )
        };
        let a = ask("example.test", RecordType::A);
        assert_eq!(a.answers.len(), 1);
        assert!(a.answers[0].to_string().contains("192.0.2.1"));
        let a = ask("f.example.test", RecordType::A);
        assert!(
            a.answers[0].to_string().contains("192.0.2.10"),
            "primary answers"
        );
        primary_up.set(false);
        let a = ask("f.example.test", RecordType::A);
        assert!(
            a.answers[0].to_string().contains("192.0.2.20"),
            "health is read at answer time: the secondary"
        );
        primary_up.set(true);
        let a = ask("x.sub.example.test", RecordType::A);
        assert!(!a.authoritative);
        assert_eq!(a.authority.len(), 1);
        assert_eq!(a.additional.len(), 1, "glue");
        let a = ask("sub.example.test", RecordType::DS);
        assert!(a.authoritative && a.answers.is_empty() && !a.authority.is_empty());
        let a = ask("nope.example.test", RecordType::A);
        assert_eq!(a.code, Some(ResponseCode::NXDomain));
        let a = ask("www.example.test", RecordType::AAAA);
        assert_eq!(a.code, None, "NODATA");
        assert_eq!(a.authority.len(), 1);
        let a = ask("a.w.example.test", RecordType::TXT);
        assert_eq!(a.answers.len(), 1, "wildcard");
    }
}
