//! Private zones across accounts, which moto cannot do: VPC association authorizations
//! (Create/Delete/ListVPCAssociationAuthorizations, absent from moto 5.2.5), associations of a
//! VPC with another account's zone, and ListHostedZonesByVPC across accounts — on the real
//! Route 53 REST/XML wire protocol.
//!
//! moto keeps one Route 53 backend per account and takes the account from the access key in the
//! Authorization header (an assumed role's key maps to the role's account); it checks no
//! signature. So the lab learns a caller's account by asking moto's STS GetCallerIdentity with the
//! same access key (once per key), and acts in a zone owner's account by sending moto the header
//! `x-moto-account-id`. A zone's owner is found by asking each account the lab has seen.
//!
//! Added strictness, as AWS: associating a VPC already associated → ConflictingDomainExists;
//! disassociating one that is not → VPCAssociationNotFound (moto succeeds at both); associating
//! another account's zone without its owner's authorization → NotAuthorizedException.
//! Authorizations live here, in memory, for the lab's lifetime.
//!
//! What moto does itself stays with moto: the association is forwarded (as the zone's owner when
//! it is another account's), and so are its own errors (LastVPCAssociation, …).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::moto_api::urlenc;
use crate::xml;

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// The header moto takes the account from before it looks at the access key.
pub const ACCOUNT_HEADER: &str = "x-moto-account-id";

/// Authorizations one zone may hold at once (the lab's limit; past it,
/// TooManyVPCAssociationAuthorizations, as Route 53 answers at its own).
pub const MAX_AUTHORIZATIONS_PER_ZONE: usize = 100;
/// Largest page of ListVPCAssociationAuthorizations (`maxresults`), and the default.
pub const MAX_AUTHORIZATION_PAGE: usize = 50;
/// Largest page of ListHostedZonesByVPC (`maxitems`), and the default.
pub const MAX_ZONES_BY_VPC_PAGE: usize = 100;
/// Longest access key id the lab looks up (AWS's are 16–128 characters).
const MAX_ACCESS_KEY: usize = 128;
/// The access key of a request that names none (moto's default account's).
const DEFAULT_KEY: &str = "testing";

type Resp = Response<Full<Bytes>>;

/// A VPC as Route 53 requests name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Vpc {
    pub id: String,
    pub region: String,
}

impl Vpc {
    fn same(&self, o: &Vpc) -> bool {
        self.id == o.id && self.region.eq_ignore_ascii_case(&o.region)
    }
    fn xml(&self) -> String {
        format!(
            "<VPC><VPCRegion>{}</VPCRegion><VPCId>{}</VPCId></VPC>",
            xml::escape(&self.region),
            xml::escape(&self.id)
        )
    }
}

/// What the proxy does with a request after [`Vpcs::route`].
pub enum Route {
    /// The lab's own answer: send it back as is.
    Answer(Resp),
    /// Forward it to moto as account `account` (the zone's owner, another account than the
    /// caller's); afterwards report the outcome with [`Vpcs::forwarded`].
    As { account: String, done: Done },
    /// Forward it to moto unchanged; afterwards report the outcome with [`Vpcs::forwarded`].
    Forward(Done),
}

/// What a forwarded association changes in the lab's books once moto accepted it.
pub enum Done {
    /// A VPC of `by` associated with another account's zone.
    Associated { zone: String, vpc: Vpc, by: String },
    /// A VPC disassociated from a zone.
    Disassociated { zone: String, vpc: Vpc },
}

/// A zone as the lab needs to know it: private or not, and its VPCs.
#[derive(Debug, Clone)]
struct Zone {
    private: bool,
    vpcs: Vec<Vpc>,
}

/// The lab's cross-account state: accounts by access key, authorizations, and which account
/// associated a VPC with another account's zone.
pub struct Vpcs {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    /// access key id → account (from moto's STS).
    accounts: Mutex<HashMap<String, String>>,
    /// Access keys of every Route 53 request seen, resolved to accounts when a zone's owner is
    /// looked for (the zone may have been created by any of them).
    seen: Mutex<HashSet<String>>,
    /// zone id → the VPCs authorized to associate with it, in the order authorized.
    auths: Mutex<BTreeMap<String, Vec<Vpc>>>,
    /// (zone id, VPC) → the account that associated it with that other account's zone (the
    /// VPC's account, which may disassociate it again).
    foreign: Mutex<Vec<(String, Vpc, String)>>,
}

fn xml_error(status: StatusCode, code: &str, message: &str) -> Resp {
    crate::proxy::xml_error(status, code, message)
}

fn xml_ok(body: String) -> Resp {
    Response::builder()
        .header("content-type", "text/xml")
        .body(Full::new(Bytes::from(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{body}"
        ))))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn no_such_zone(id: &str) -> Resp {
    xml_error(
        StatusCode::NOT_FOUND,
        "NoSuchHostedZone",
        &format!("No hosted zone found with ID: {id}"),
    )
}

/// The access key id in a SigV4 Authorization header (`Credential=AKID/date/region/service/…`).
pub fn access_key(authorization: Option<&str>) -> Option<&str> {
    let cred = authorization?.split("Credential=").nth(1)?;
    let key = cred.split('/').next()?.trim();
    let ok = !key.is_empty()
        && key.len() <= MAX_ACCESS_KEY
        && key.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(key)
}

/// The VPC a request body names (`<VPC><VPCId>…</VPCId><VPCRegion>…</VPCRegion></VPC>`).
pub fn vpc_of(body: &[u8]) -> Option<Vpc> {
    let doc = xml::parse(body).ok()?;
    let mut found = Vec::new();
    doc.find_all("VPC", &mut found);
    let v = found.first()?;
    let id = v.text_at(&["VPCId"])?.trim();
    let region = v.text_at(&["VPCRegion"])?.trim();
    (!id.is_empty() && !region.is_empty()).then(|| Vpc {
        id: id.to_string(),
        region: region.to_string(),
    })
}

/// A query-string parameter's (first) value, percent-decoded.
fn query_param(path: &str, name: &str) -> Option<String> {
    let q = path.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b.get(i), b.get(i + 1), b.get(i + 2)) {
            (Some(b'%'), Some(h), Some(l)) => match (hex(*h), hex(*l)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            (Some(b'+'), _, _) => out.push(b' '),
            (Some(c), _, _) => out.push(*c),
            _ => {}
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why a page request was refused: (code, message).
type PageError = (&'static str, String);

/// One page of `items` from a token (the index of its first item, as the lab writes tokens)
/// and a size (1..=`max`, default `max`): the page and the next token.
pub fn page<T: Clone>(
    items: &[T],
    token: Option<&str>,
    size: Option<&str>,
    max: usize,
) -> Result<(Vec<T>, Option<String>), PageError> {
    let size = match size {
        None | Some("") => max,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                return Err((
                    "InvalidInput",
                    format!("the page size must be a number from 1 to {max}, not {s:?}"),
                ))
            }
        },
    };
    let start = match token {
        None | Some("") => 0,
        Some(t) => match t.parse::<usize>() {
            Ok(n) if n > 0 && n < items.len() => n,
            _ => {
                return Err((
                    "InvalidPaginationToken",
                    format!("The pagination token {t:?} is not valid."),
                ))
            }
        },
    };
    let end = start.saturating_add(size).min(items.len());
    let next = (end < items.len()).then(|| end.to_string());
    Ok((items.get(start..end).unwrap_or_default().to_vec(), next))
}

impl Vpcs {
    pub fn new(upstream: &str) -> Vpcs {
        Vpcs {
            upstream: upstream.trim_end_matches('/').to_string(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            accounts: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashSet::new()),
            auths: Mutex::new(BTreeMap::new()),
            foreign: Mutex::new(Vec::new()),
        }
    }

    /// Decides what to do with a Route 53 request (action `act`, already counted and faulted by
    /// the proxy); None for the actions this module does not handle.
    pub async fn route(
        &self,
        act: &str,
        path: &str,
        headers: &hyper::HeaderMap,
        body: &[u8],
    ) -> Option<Route> {
        if !matches!(
            act,
            "AssociateVPCWithHostedZone"
                | "DisassociateVPCFromHostedZone"
                | "CreateVPCAssociationAuthorization"
                | "DeleteVPCAssociationAuthorization"
                | "ListVPCAssociationAuthorizations"
                | "ListHostedZonesByVPC"
        ) {
            return None;
        }
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
        let key = access_key(auth).unwrap_or(DEFAULT_KEY);
        let caller = match self.account_of(key).await {
            Ok(a) => a,
            Err(e) => {
                return Some(Route::Answer(xml_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "InternalFailure",
                    &format!("lab: cannot tell the caller's account: {e}"),
                )))
            }
        };
        let zone_id = path
            .split('?')
            .next()
            .unwrap_or_default()
            .split('/')
            .nth(3)
            .unwrap_or_default()
            .to_string();
        let r = match act {
            "AssociateVPCWithHostedZone" => self.associate(&caller, &zone_id, body).await,
            "DisassociateVPCFromHostedZone" => self.disassociate(&caller, &zone_id, body).await,
            "CreateVPCAssociationAuthorization" => self.authorize(&caller, &zone_id, body).await,
            "DeleteVPCAssociationAuthorization" => self.deauthorize(&caller, &zone_id, body).await,
            "ListVPCAssociationAuthorizations" => {
                self.list_authorizations(&caller, &zone_id, path).await
            }
            _ => self.zones_by_vpc(path).await,
        };
        Some(r.unwrap_or_else(|e| {
            Route::Answer(xml_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                &format!("lab: {e}"),
            ))
        }))
    }

    /// The proxy's one entry point: `Err` is the lab's own answer to send back; `Ok(Some(done))`
    /// means forward (with `headers` now naming the zone owner's account when it is another
    /// account's zone) and then report with [`Vpcs::forwarded`]; `Ok(None)`: not ours, forward.
    pub async fn dispatch(
        &self,
        act: &str,
        path: &str,
        headers: &mut hyper::HeaderMap,
        body: &[u8],
    ) -> Result<Option<Done>, Resp> {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
        if let Some(key) = access_key(auth) {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            if !seen.contains(key) {
                seen.insert(key.to_string());
            }
        }
        match self.route(act, path, headers, body).await {
            None => Ok(None),
            Some(Route::Answer(r)) => Err(r),
            Some(Route::Forward(done)) => Ok(Some(done)),
            Some(Route::As { account, done }) => {
                let v = hyper::header::HeaderValue::from_str(&account).map_err(|_| {
                    xml_error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalFailure",
                        "lab: unusable account id",
                    )
                })?;
                headers.insert(ACCOUNT_HEADER, v);
                Ok(Some(done))
            }
        }
    }

    /// Records what a forwarded association changed, once moto accepted it (`ok`).
    pub fn forwarded(&self, done: Done, ok: bool) {
        if !ok {
            return;
        }
        let mut foreign = self.foreign.lock().unwrap_or_else(|p| p.into_inner());
        match done {
            Done::Associated { zone, vpc, by } => foreign.push((zone, vpc, by)),
            Done::Disassociated { zone, vpc } => {
                foreign.retain(|(z, v, _)| !(z == &zone && v.same(&vpc)))
            }
        }
    }

    /// The account an access key belongs to, asked of moto's STS once per key.
    pub(crate) async fn account_of(&self, key: &str) -> anyhow::Result<String> {
        if let Some(a) = self
            .accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
        {
            return Ok(a.clone());
        }
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0"
        );
        let (status, body) = self
            .moto(
                Method::POST,
                "/",
                &auth,
                None,
                Some("application/x-www-form-urlencoded"),
                Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15"),
            )
            .await?;
        anyhow::ensure!(status.is_success(), "GetCallerIdentity: HTTP {status}");
        let doc = xml::parse(&body)?;
        let account = doc
            .text_at(&["GetCallerIdentityResult", "Account"])
            .map(str::trim)
            .filter(|a| !a.is_empty() && a.len() <= 32 && a.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| anyhow::anyhow!("GetCallerIdentity named no account"))?
            .to_string();
        self.accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_string(), account.clone());
        Ok(account)
    }

    /// Every account the lab has seen a request from, and moto's default one.
    async fn known_accounts(&self) -> anyhow::Result<Vec<String>> {
        let mut keys: Vec<String> = self
            .seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect();
        keys.push(DEFAULT_KEY.to_string());
        let mut all = Vec::with_capacity(keys.len());
        for k in keys {
            all.push(self.account_of(&k).await?);
        }
        all.sort();
        all.dedup();
        Ok(all)
    }

    async fn moto(
        &self,
        method: Method,
        path: &str,
        auth: &str,
        account: Option<&str>,
        content_type: Option<&str>,
        body: Bytes,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        let mut b = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.upstream))
            .header("authorization", auth);
        if let Some(a) = account {
            b = b.header(ACCOUNT_HEADER, a);
        }
        if let Some(c) = content_type {
            b = b.header("content-type", c);
        }
        let resp = self.client.request(b.body(Full::new(body))?).await?;
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// Zone `id` in `account`, if it is there.
    async fn zone_in(&self, account: &str, id: &str) -> anyhow::Result<Option<Zone>> {
        let (status, body) = self
            .moto(
                Method::GET,
                &format!("/2013-04-01/hostedzone/{}", urlenc(id)),
                crate::moto_api::MOTO_ROUTE53_AUTH,
                Some(account),
                None,
                Bytes::new(),
            )
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        anyhow::ensure!(status.is_success(), "GetHostedZone {id}: HTTP {status}");
        let doc = xml::parse(&body)?;
        let private = doc
            .text_at(&["HostedZone", "Config", "PrivateZone"])
            .is_some_and(|p| p.trim() == "true");
        let mut vpcs = Vec::new();
        if let Some(list) = doc.child("VPCs") {
            for v in list.children_named("VPC") {
                vpcs.push(Vpc {
                    id: v.text_at(&["VPCId"]).unwrap_or_default().to_string(),
                    region: v.text_at(&["VPCRegion"]).unwrap_or_default().to_string(),
                });
            }
        }
        Ok(Some(Zone { private, vpcs }))
    }

    /// The account holding zone `id` (the caller's first) and the zone.
    async fn find_zone(&self, caller: &str, id: &str) -> anyhow::Result<Option<(String, Zone)>> {
        if let Some(z) = self.zone_in(caller, id).await? {
            return Ok(Some((caller.to_string(), z)));
        }
        for a in self.known_accounts().await? {
            if a != caller {
                if let Some(z) = self.zone_in(&a, id).await? {
                    return Ok(Some((a, z)));
                }
            }
        }
        Ok(None)
    }

    fn authorized(&self, zone: &str, vpc: &Vpc) -> bool {
        self.auths
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(zone)
            .is_some_and(|l| l.iter().any(|v| v.same(vpc)))
    }

    async fn associate(&self, caller: &str, zone: &str, body: &[u8]) -> anyhow::Result<Route> {
        let Some(vpc) = vpc_of(body) else {
            return Ok(Route::Answer(invalid_vpc_input()));
        };
        let Some((owner, z)) = self.find_zone(caller, zone).await? else {
            return Ok(Route::Answer(no_such_zone(zone)));
        };
        if !z.private {
            return Ok(Route::Answer(xml_error(
                StatusCode::BAD_REQUEST,
                "PublicZoneVPCAssociation",
                &format!("You're trying to associate a VPC with a public hosted zone ({zone}). Amazon Route 53 doesn't support associating a VPC with a public hosted zone."),
            )));
        }
        if z.vpcs.iter().any(|v| v.same(&vpc)) {
            return Ok(Route::Answer(xml_error(
                StatusCode::BAD_REQUEST,
                "ConflictingDomainExists",
                &format!(
                    "The VPC {} in {} is already associated with the hosted zone {zone}.",
                    vpc.id, vpc.region
                ),
            )));
        }
        if owner == caller {
            return Ok(Route::Forward(Done::Associated {
                zone: zone.to_string(),
                vpc,
                by: caller.to_string(),
            }));
        }
        if !self.authorized(zone, &vpc) {
            return Ok(Route::Answer(xml_error(
                StatusCode::UNAUTHORIZED,
                "NotAuthorizedException",
                &format!(
                    "Associating the VPC {} ({}) with the hosted zone {zone} of another account has not been authorized.",
                    vpc.id, vpc.region
                ),
            )));
        }
        Ok(Route::As {
            account: owner,
            done: Done::Associated {
                zone: zone.to_string(),
                vpc,
                by: caller.to_string(),
            },
        })
    }

    async fn disassociate(&self, caller: &str, zone: &str, body: &[u8]) -> anyhow::Result<Route> {
        let Some(vpc) = vpc_of(body) else {
            return Ok(Route::Answer(invalid_vpc_input()));
        };
        let Some((owner, z)) = self.find_zone(caller, zone).await? else {
            return Ok(Route::Answer(no_such_zone(zone)));
        };
        if !z.vpcs.iter().any(|v| v.same(&vpc)) {
            return Ok(Route::Answer(xml_error(
                StatusCode::NOT_FOUND,
                "VPCAssociationNotFound",
                &format!(
                    "The specified VPC {} ({}) and hosted zone {zone} are not currently associated.",
                    vpc.id, vpc.region
                ),
            )));
        }
        let done = Done::Disassociated {
            zone: zone.to_string(),
            vpc: vpc.clone(),
        };
        if owner == caller {
            return Ok(Route::Forward(done));
        }
        // Another account's zone: only the VPC's account (the one that associated it) may.
        let by_caller = self
            .foreign
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|(z, v, by)| z == zone && v.same(&vpc) && by == caller);
        if !by_caller {
            return Ok(Route::Answer(xml_error(
                StatusCode::UNAUTHORIZED,
                "NotAuthorizedException",
                &format!(
                    "The VPC {} ({}) is not this account's VPC, and the hosted zone {zone} is another account's.",
                    vpc.id, vpc.region
                ),
            )));
        }
        Ok(Route::As {
            account: owner,
            done,
        })
    }

    /// The caller's own private zone `zone`, or the answer refusing it.
    async fn own_private_zone(&self, caller: &str, zone: &str) -> anyhow::Result<Option<Resp>> {
        match self.zone_in(caller, zone).await? {
            None => Ok(Some(no_such_zone(zone))),
            Some(z) if !z.private => Ok(Some(xml_error(
                StatusCode::BAD_REQUEST,
                "InvalidInput",
                &format!("The hosted zone {zone} is a public hosted zone; only private hosted zones are associated with VPCs."),
            ))),
            Some(_) => Ok(None),
        }
    }

    async fn authorize(&self, caller: &str, zone: &str, body: &[u8]) -> anyhow::Result<Route> {
        let Some(vpc) = vpc_of(body) else {
            return Ok(Route::Answer(invalid_vpc_input()));
        };
        if let Some(refused) = self.own_private_zone(caller, zone).await? {
            return Ok(Route::Answer(refused));
        }
        {
            let mut auths = self.auths.lock().unwrap_or_else(|p| p.into_inner());
            let list = auths.entry(zone.to_string()).or_default();
            if !list.iter().any(|v| v.same(&vpc)) {
                if list.len() >= MAX_AUTHORIZATIONS_PER_ZONE {
                    return Ok(Route::Answer(xml_error(
                        StatusCode::BAD_REQUEST,
                        "TooManyVPCAssociationAuthorizations",
                        &format!("The hosted zone {zone} already has {MAX_AUTHORIZATIONS_PER_ZONE} VPC association authorizations; delete one first."),
                    )));
                }
                list.push(vpc.clone());
            }
        }
        Ok(Route::Answer(xml_ok(format!(
            "<CreateVPCAssociationAuthorizationResponse xmlns=\"{NS}\"><HostedZoneId>{}</HostedZoneId>{}</CreateVPCAssociationAuthorizationResponse>",
            xml::escape(zone),
            vpc.xml()
        ))))
    }

    async fn deauthorize(&self, caller: &str, zone: &str, body: &[u8]) -> anyhow::Result<Route> {
        let Some(vpc) = vpc_of(body) else {
            return Ok(Route::Answer(invalid_vpc_input()));
        };
        if self.zone_in(caller, zone).await?.is_none() {
            return Ok(Route::Answer(no_such_zone(zone)));
        }
        let removed = {
            let mut auths = self.auths.lock().unwrap_or_else(|p| p.into_inner());
            let list = auths.entry(zone.to_string()).or_default();
            let before = list.len();
            list.retain(|v| !v.same(&vpc));
            let removed = list.len() != before;
            if list.is_empty() {
                auths.remove(zone);
            }
            removed
        };
        if !removed {
            return Ok(Route::Answer(xml_error(
                StatusCode::NOT_FOUND,
                "VPCAssociationAuthorizationNotFound",
                &format!(
                    "The VPC {} ({}) is not authorized to be associated with the hosted zone {zone}.",
                    vpc.id, vpc.region
                ),
            )));
        }
        Ok(Route::Answer(xml_ok(format!(
            "<DeleteVPCAssociationAuthorizationResponse xmlns=\"{NS}\"/>"
        ))))
    }

    async fn list_authorizations(
        &self,
        caller: &str,
        zone: &str,
        path: &str,
    ) -> anyhow::Result<Route> {
        if self.zone_in(caller, zone).await?.is_none() {
            return Ok(Route::Answer(no_such_zone(zone)));
        }
        let all = self
            .auths
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(zone)
            .cloned()
            .unwrap_or_default();
        let (token, size) = (
            query_param(path, "nexttoken"),
            query_param(path, "maxresults"),
        );
        let (vpcs, next) = match page(
            &all,
            token.as_deref(),
            size.as_deref(),
            MAX_AUTHORIZATION_PAGE,
        ) {
            Ok(p) => p,
            Err((code, msg)) => {
                return Ok(Route::Answer(xml_error(
                    StatusCode::BAD_REQUEST,
                    code,
                    &msg,
                )))
            }
        };
        let vpcs: String = vpcs.iter().map(Vpc::xml).collect();
        let next = next
            .map(|n| format!("<NextToken>{n}</NextToken>"))
            .unwrap_or_default();
        Ok(Route::Answer(xml_ok(format!(
            "<ListVPCAssociationAuthorizationsResponse xmlns=\"{NS}\"><HostedZoneId>{}</HostedZoneId>{next}<VPCs>{vpcs}</VPCs></ListVPCAssociationAuthorizationsResponse>",
            xml::escape(zone)
        ))))
    }

    /// ListHostedZonesByVPC across every account (moto's lists one account's zones and ignores
    /// the region): each account's zones whose VPCs hold this VPC in this region.
    async fn zones_by_vpc(&self, path: &str) -> anyhow::Result<Route> {
        let (Some(id), Some(region)) = (query_param(path, "vpcid"), query_param(path, "vpcregion"))
        else {
            return Ok(Route::Answer(xml_error(
                StatusCode::BAD_REQUEST,
                "InvalidInput",
                "vpcid and vpcregion are required",
            )));
        };
        let vpc = Vpc { id, region };
        // (owner, zone id, name)
        let mut found: Vec<(String, String, String)> = Vec::new();
        for account in self.known_accounts().await? {
            let (status, body) = self
                .moto(
                    Method::GET,
                    &format!(
                        "/2013-04-01/hostedzonesbyvpc?vpcid={}&vpcregion={}",
                        urlenc(&vpc.id),
                        urlenc(&vpc.region)
                    ),
                    crate::moto_api::MOTO_ROUTE53_AUTH,
                    Some(&account),
                    None,
                    Bytes::new(),
                )
                .await?;
            anyhow::ensure!(
                status.is_success(),
                "ListHostedZonesByVPC in {account}: HTTP {status}"
            );
            let doc = xml::parse(&body)?;
            let mut summaries = Vec::new();
            doc.find_all("HostedZoneSummary", &mut summaries);
            for s in summaries {
                let zid = s
                    .text_at(&["HostedZoneId"])
                    .unwrap_or_default()
                    .trim_start_matches("/hostedzone/")
                    .to_string();
                let in_region = self
                    .zone_in(&account, &zid)
                    .await?
                    .is_some_and(|z| z.vpcs.iter().any(|v| v.same(&vpc)));
                if in_region {
                    let name = s.text_at(&["Name"]).unwrap_or_default().to_string();
                    found.push((account.clone(), zid, name));
                }
            }
        }
        found.sort();
        let (token, size) = (
            query_param(path, "nexttoken"),
            query_param(path, "maxitems"),
        );
        let (zones, next) = match page(
            &found,
            token.as_deref(),
            size.as_deref(),
            MAX_ZONES_BY_VPC_PAGE,
        ) {
            Ok(p) => p,
            Err((code, msg)) => {
                return Ok(Route::Answer(xml_error(
                    StatusCode::BAD_REQUEST,
                    code,
                    &msg,
                )))
            }
        };
        let max = size
            .as_deref()
            .and_then(|s| s.parse::<usize>().ok())
            .unwrap_or(MAX_ZONES_BY_VPC_PAGE);
        let summaries: String = zones
            .iter()
            .map(|(owner, zid, name)| {
                format!(
                    "<HostedZoneSummary><HostedZoneId>{}</HostedZoneId><Name>{}</Name><Owner><OwningAccount>{}</OwningAccount></Owner></HostedZoneSummary>",
                    xml::escape(zid),
                    xml::escape(name),
                    xml::escape(owner)
                )
            })
            .collect();
        let next = next
            .map(|n| format!("<NextToken>{n}</NextToken>"))
            .unwrap_or_default();
        Ok(Route::Answer(xml_ok(format!(
            "<ListHostedZonesByVPCResponse xmlns=\"{NS}\"><HostedZoneSummaries>{summaries}</HostedZoneSummaries><MaxItems>{max}</MaxItems>{next}</ListHostedZonesByVPCResponse>"
        ))))
    }
}

fn invalid_vpc_input() -> Resp {
    xml_error(
        StatusCode::BAD_REQUEST,
        "InvalidInput",
        "The request must name a VPC: <VPC><VPCId>…</VPCId><VPCRegion>…</VPCRegion></VPC>.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_keys_come_from_the_credential_scope_and_nothing_else() {
        let h = "AWS4-HMAC-SHA256 Credential=ASIAXYZ123/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0";
        assert_eq!(access_key(Some(h)), Some("ASIAXYZ123"));
        assert_eq!(access_key(None), None);
        assert_eq!(access_key(Some("Bearer x")), None);
        assert_eq!(access_key(Some("Credential=/x")), None);
        assert_eq!(access_key(Some("Credential=a b/x")), None);
        let long = format!("Credential={}/x", "A".repeat(MAX_ACCESS_KEY + 1));
        assert_eq!(access_key(Some(&long)), None);
    }

    #[test]
    fn the_vpc_of_a_request_body() {
        let b = format!("<AssociateVPCWithHostedZoneRequest xmlns=\"{NS}\"><VPC><VPCId>vpc-1</VPCId><VPCRegion>eu-west-1</VPCRegion></VPC><Comment>c</Comment></AssociateVPCWithHostedZoneRequest>");
        assert_eq!(
            vpc_of(b.as_bytes()),
            Some(Vpc {
                id: "vpc-1".into(),
                region: "eu-west-1".into()
            })
        );
        assert_eq!(vpc_of(b"<X><VPC><VPCId>vpc-1</VPCId></VPC></X>"), None);
        assert_eq!(vpc_of(b"not xml <"), None);
        assert_eq!(vpc_of(b""), None);
    }

    #[test]
    fn pages_follow_tokens_and_refuse_bad_ones() {
        let items: Vec<u32> = (0..7).collect();
        let (p, next) = page(&items, None, Some("3"), 50).unwrap();
        assert_eq!((p, next.as_deref()), (vec![0, 1, 2], Some("3")));
        let (p, next) = page(&items, Some("6"), Some("3"), 50).unwrap();
        assert_eq!((p, next), (vec![6], None));
        let (p, next) = page(&items, None, None, 50).unwrap();
        assert_eq!((p.len(), next), (7, None));
        for bad in ["0", "7", "x", "-1", "99999999999999999999999"] {
            assert_eq!(
                page(&items, Some(bad), None, 50).unwrap_err().0,
                "InvalidPaginationToken",
                "{bad}"
            );
        }
        for bad in ["0", "51", "x"] {
            assert_eq!(
                page(&items, None, Some(bad), 50).unwrap_err().0,
                "InvalidInput"
            );
        }
        let none: Vec<u32> = Vec::new();
        assert_eq!(page(&none, None, None, 50).unwrap(), (vec![], None));
    }

    #[test]
    fn query_parameters_are_decoded() {
        let p = "/2013-04-01/hostedzonesbyvpc?vpcid=vpc-1&vpcregion=eu%2Dwest-1&x";
        assert_eq!(query_param(p, "vpcid").as_deref(), Some("vpc-1"));
        assert_eq!(query_param(p, "vpcregion").as_deref(), Some("eu-west-1"));
        assert_eq!(query_param(p, "x").as_deref(), Some(""));
        assert_eq!(query_param(p, "maxitems"), None);
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    /// A request to the lab's proxy as the holder of access key `key`: (status, body).
    async fn call(url: &str, key: &str, method: Method, path: &str, body: String) -> (u16, String) {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let service = if path == "/" { "sts" } else { "route53" };
        let req = Request::builder()
            .method(method)
            .uri(format!("{url}{path}"))
            .header(
                "authorization",
                format!("AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"),
            )
            .header("content-type", if path == "/" { "application/x-www-form-urlencoded" } else { "text/xml" })
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let resp = client.request(req).await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
        s.split(a)
            .nth(1)
            .and_then(|x| x.split(b).next())
            .unwrap_or_default()
    }

    /// The cross-account flow on the wire, as AWS answers it: zone in account A, VPC in account
    /// B (both assumed roles through moto's STS); B may associate only once A authorized it,
    /// the association lands in A's zone, B sees the zone in ListHostedZonesByVPC with A as
    /// owner, and each refusal carries AWS's error code.
    #[test]
    fn cross_account_association_needs_the_owners_authorization() {
        let lab = crate::Lab::start().unwrap();
        let url = lab.endpoint();
        lab.rt.block_on(async {
            let assume = |account: &str| {
                let body = format!("Action=AssumeRole&RoleArn=arn:aws:iam::{account}:role/r&RoleSessionName=s&Version=2011-06-15");
                let url = url.clone();
                async move {
                    let (status, out) = call(&url, "testing", Method::POST, "/", body).await;
                    assert_eq!(status, 200, "{out}");
                    between(&out, "<AccessKeyId>", "<").to_string()
                }
            };
            let (a, b) = (assume("111111111111").await, assume("222222222222").await);
            let vpc = |id: &str| format!("<VPC><VPCId>{id}</VPCId><VPCRegion>eu-west-1</VPCRegion></VPC>");
            let (status, out) = call(&url, &a, Method::POST, "/2013-04-01/hostedzone", format!("<CreateHostedZoneRequest xmlns=\"{NS}\"><Name>private.test.</Name><CallerReference>x-1</CallerReference>{}<HostedZoneConfig><PrivateZone>true</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>", vpc("vpc-a"))).await;
            assert_eq!(status, 201, "{out}");
            let zone = between(&out, "<Id>/hostedzone/", "<").to_string();
            let zpath = |tail: &str| format!("/2013-04-01/hostedzone/{zone}/{tail}");
            let req = |root: &str, id: &str| format!("<{root}Request xmlns=\"{NS}\">{}</{root}Request>", vpc(id));
            let assoc = req("AssociateVPCWithHostedZone", "vpc-b");

            // B, unauthorized: refused; B cannot authorize A's zone either.
            let (status, out) = call(&url, &b, Method::POST, &zpath("associatevpc"), assoc.clone()).await;
            assert_eq!(status, 401, "{out}");
            assert!(out.contains("<Code>NotAuthorizedException</Code>"), "{out}");
            let (status, out) = call(&url, &b, Method::POST, &zpath("authorizevpcassociation"), req("CreateVPCAssociationAuthorization", "vpc-b")).await;
            assert!(status == 404 && out.contains("NoSuchHostedZone"), "{out}");

            // A authorizes (twice: still one), lists it.
            for _ in 0..2 {
                let (status, out) = call(&url, &a, Method::POST, &zpath("authorizevpcassociation"), req("CreateVPCAssociationAuthorization", "vpc-b")).await;
                assert_eq!(status, 200, "{out}");
                assert!(out.contains(&format!("<HostedZoneId>{zone}</HostedZoneId>")) && out.contains("<VPCId>vpc-b</VPCId>"), "{out}");
            }
            let (status, out) = call(&url, &a, Method::GET, &zpath("authorizevpcassociation"), String::new()).await;
            assert_eq!(status, 200, "{out}");
            assert_eq!(out.matches("<VPC>").count(), 1, "{out}");

            // Now B associates; a second time is a conflict.
            let (status, out) = call(&url, &b, Method::POST, &zpath("associatevpc"), assoc.clone()).await;
            assert_eq!(status, 200, "{out}");
            assert!(out.contains("<ChangeInfo>"), "{out}");
            let (status, out) = call(&url, &b, Method::POST, &zpath("associatevpc"), assoc.clone()).await;
            assert!(status == 400 && out.contains("ConflictingDomainExists"), "{out}");

            // In A's zone, seen by A; B sees the zone by its VPC, owned by A.
            let (_, out) = call(&url, &a, Method::GET, &format!("/2013-04-01/hostedzone/{zone}"), String::new()).await;
            assert!(out.contains("<VPCId>vpc-a</VPCId>") && out.contains("<VPCId>vpc-b</VPCId>"), "{out}");
            let (status, out) = call(&url, &b, Method::GET, "/2013-04-01/hostedzonesbyvpc?vpcid=vpc-b&vpcregion=eu-west-1", String::new()).await;
            assert_eq!(status, 200, "{out}");
            assert!(out.contains(&format!("<HostedZoneId>{zone}</HostedZoneId>")) && out.contains("<OwningAccount>111111111111</OwningAccount>"), "{out}");
            let (_, out) = call(&url, &b, Method::GET, "/2013-04-01/hostedzonesbyvpc?vpcid=vpc-b&vpcregion=us-east-1", String::new()).await;
            assert!(!out.contains("<HostedZoneSummary>"), "another region is another VPC: {out}");

            // B disassociates its VPC (again: not associated), A deauthorizes (again: not found).
            let dis = req("DisassociateVPCFromHostedZone", "vpc-b");
            let (status, out) = call(&url, &b, Method::POST, &zpath("disassociatevpc"), dis.clone()).await;
            assert_eq!(status, 200, "{out}");
            let (status, out) = call(&url, &b, Method::POST, &zpath("disassociatevpc"), dis).await;
            assert!(status == 404 && out.contains("VPCAssociationNotFound"), "{out}");
            let (_, out) = call(&url, &a, Method::GET, &format!("/2013-04-01/hostedzone/{zone}"), String::new()).await;
            assert!(!out.contains("vpc-b"), "{out}");
            let de = req("DeleteVPCAssociationAuthorization", "vpc-b");
            let (status, out) = call(&url, &a, Method::POST, &zpath("deauthorizevpcassociation"), de.clone()).await;
            assert_eq!(status, 200, "{out}");
            let (status, out) = call(&url, &a, Method::POST, &zpath("deauthorizevpcassociation"), de).await;
            assert!(status == 404 && out.contains("VPCAssociationAuthorizationNotFound"), "{out}");
            let (_, out) = call(&url, &a, Method::GET, &format!("{}?maxresults=50", zpath("authorizevpcassociation")), String::new()).await;
            assert!(!out.contains("<VPC>"), "{out}");
            let (status, out) = call(&url, &a, Method::GET, &format!("{}?nexttoken=zz", zpath("authorizevpcassociation")), String::new()).await;
            assert!(status == 400 && out.contains("InvalidPaginationToken"), "{out}");
            assert_eq!(lab.proxy.stats().get("CreateVPCAssociationAuthorization"), 3);
        });
    }
}
