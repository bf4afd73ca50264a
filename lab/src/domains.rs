//! The lab's Route 53 Domains: a registrar emulator speaking the real wire protocol (JSON 1.1,
//! `X-Amz-Target: Route53Domains_v20140515.<Operation>`) so the real `aws-sdk-route53domains`
//! client talks to it. moto implements only a handful of these operations, finishes every
//! operation at once and refuses 1-year registrations; this one has every operation the provider
//! uses, asynchronous operations that move SUBMITTED → IN_PROGRESS → SUCCESSFUL over configurable
//! times (their effect lands at SUCCESSFUL, as at AWS), injectable failures, and AWS's error codes.
//!
//! Served by the lab proxy on the same endpoint as Route 53 (the target header tells them apart).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::moto_api::norm;

mod ds;

pub use ds::DnssecKeyShape;
use ds::DsKey;

pub(crate) const TARGET_PREFIX: &str = "Route53Domains_v20140515.";

/// How the registrar behaves.
#[derive(Clone, Debug)]
pub(crate) struct RegistrarConfig {
    /// Time an operation stays SUBMITTED, then IN_PROGRESS, before it completes.
    submitted_for: Duration,
    in_progress_for: Duration,
    /// TLDs it sells (without dots), with the yearly price in USD.
    tlds: Vec<(String, f64)>,
}

impl Default for RegistrarConfig {
    fn default() -> Self {
        RegistrarConfig {
            submitted_for: Duration::from_millis(300),
            in_progress_for: Duration::from_millis(700),
            tlds: vec![("test".into(), 12.0), ("example".into(), 15.0)],
        }
    }
}

#[derive(Clone, Debug)]
struct Domain {
    name: String,
    contacts: BTreeMap<&'static str, Value>,
    privacy: BTreeMap<&'static str, bool>,
    auto_renew: bool,
    locked: bool,
    nameservers: Vec<Value>,
    created: f64,
    updated: f64,
    expires: f64,
    tags: BTreeMap<String, String>,
    /// When each name-server set landed (the registry publishes them after its delay).
    ns_changes: Vec<(Instant, Vec<Value>)>,
    /// DNSSEC keys passed to the registry, oldest first.
    ds: Vec<DsKey>,
    /// When each DS set (RDATA texts) landed, like `ns_changes`.
    ds_changes: Vec<(Instant, Vec<String>)>,
}

#[derive(Clone, Debug)]
enum Effect {
    Register(Box<Domain>),
    Nameservers(Vec<Value>),
    Contacts(BTreeMap<&'static str, Value>),
    Privacy(BTreeMap<&'static str, bool>),
    Lock(bool),
    Renew(u32),
    Delete,
    AddDs(DsKey),
    RemoveDs(DsKey),
}

#[derive(Clone, Debug)]
struct Operation {
    id: String,
    domain: String,
    kind: &'static str,
    started: Instant,
    submitted_at: f64,
    effect: Effect,
    /// Set when the operation is to fail (injected), with the message it reports.
    fails: Option<String>,
    done: bool,
}

/// An error as AWS's JSON protocol sends it.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

pub(crate) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError {
        status: 400,
        code: "InvalidInput",
        message: message.into(),
    }
}

#[derive(Default)]
struct Inner {
    domains: BTreeMap<String, Domain>,
    operations: Vec<Operation>,
    /// Operation kind → message: the next operation of that kind fails with it.
    fail_next: HashMap<String, String>,
    next_id: u64,
    /// How GetDomainDetail writes DnssecKeys.
    key_shape: DnssecKeyShape,
    /// Serial of the last DNSSEC key associated (numeric Ids).
    next_key: u64,
}

pub struct Registrar {
    config: RegistrarConfig,
    inner: Mutex<Inner>,
}

const CONTACTS: [(&str, &str); 4] = [
    ("AdminContact", "AdminPrivacy"),
    ("RegistrantContact", "RegistrantPrivacy"),
    ("TechContact", "TechPrivacy"),
    ("BillingContact", "BillingPrivacy"),
];

fn now_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as f64)
        .unwrap_or(0.0)
}

const YEAR: f64 = 365.0 * 86_400.0;

/// Operations an account may have running at once before OperationLimitExceeded.
const MAX_PENDING_OPERATIONS: usize = 10;

/// A `Nameserver` object as (name, glue IPs).
fn ns_pair(n: &Value) -> (String, Vec<String>) {
    (
        n["Name"].as_str().unwrap_or_default().to_string(),
        n["GlueIps"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

fn str_field<'a>(body: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid(format!("{key} is required")))
}

impl Registrar {
    pub(crate) fn new(config: RegistrarConfig) -> Registrar {
        Registrar {
            config,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// The next operation of `kind` (e.g. "UPDATE_NAMESERVER", "REGISTER_DOMAIN") ends FAILED with
    /// `message`.
    pub fn fail_next(&self, kind: &str, message: &str) {
        self.inner
            .lock()
            .unwrap()
            .fail_next
            .insert(kind.to_string(), message.to_string());
    }

    /// The name servers the registrar currently has for a domain (what the TLD registry publishes).
    pub fn nameservers(&self, domain: &str) -> Option<Vec<(String, Vec<String>)>> {
        let mut g = self.inner.lock().unwrap();
        self.advance(&mut g);
        g.domains
            .get(&norm(domain))
            .map(|d| d.nameservers.iter().map(ns_pair).collect())
    }

    /// The name servers the registry should publish for `domain` when it waits `delay` after each
    /// change lands: the newest set that landed at least `delay` ago (None: none yet, or no such
    /// domain).
    pub(crate) fn published(
        &self,
        domain: &str,
        delay: Duration,
    ) -> Option<Vec<(String, Vec<String>)>> {
        let mut g = self.inner.lock().unwrap();
        self.advance(&mut g);
        let d = g.domains.get(&norm(domain))?;
        let (_, ns) = d
            .ns_changes
            .iter()
            .rev()
            .find(|(t, _)| t.elapsed() >= delay)?;
        Some(ns.iter().map(ns_pair).collect())
    }

    /// The DS records (RDATA texts, `TAG ALG DT HEX`) the registry should publish for `domain`
    /// when it waits `delay` after each change lands: the newest set that landed at least `delay`
    /// ago, empty before any did (None: no such domain).
    pub(crate) fn published_ds(&self, domain: &str, delay: Duration) -> Option<Vec<String>> {
        let mut g = self.inner.lock().unwrap();
        self.advance(&mut g);
        let d = g.domains.get(&norm(domain))?;
        Some(
            d.ds_changes
                .iter()
                .rev()
                .find(|(t, _)| t.elapsed() >= delay)
                .map(|(_, ds)| ds.clone())
                .unwrap_or_default(),
        )
    }

    /// How GetDomainDetail writes DnssecKeys from now on (default [`DnssecKeyShape::Shape2026`]).
    pub fn set_dnssec_key_shape(&self, shape: DnssecKeyShape) {
        self.inner.lock().unwrap().key_shape = shape;
    }

    /// Sets the name servers a pending (or landed) registration of `domain` gets: those of the
    /// hosted zone Route 53 creates for it.
    pub fn set_registration_nameservers(&self, domain: &str, ns: &[String]) {
        let ns: Vec<Value> = ns
            .iter()
            .map(|n| json!({"Name": n, "GlueIps": []}))
            .collect();
        let mut g = self.inner.lock().unwrap();
        let d = norm(domain);
        for op in g.operations.iter_mut().filter(|o| o.domain == d) {
            if let Effect::Register(dom) = &mut op.effect {
                dom.nameservers = ns.clone();
            }
        }
        if let Some(dom) = g.domains.get_mut(&d) {
            dom.nameservers = ns.clone();
            dom.ns_changes.push((Instant::now(), ns));
        }
    }

    /// Adds a domain registered in this account long ago, at once (for adoption tests). `contact`
    /// is an AWS `ContactDetail` object used for all four contacts.
    pub fn add_registered(&self, domain: &str, contact: Value, ns: &[&str]) {
        let now = now_epoch();
        let nameservers: Vec<Value> = ns
            .iter()
            .map(|n| json!({"Name": n, "GlueIps": []}))
            .collect();
        let dom = Domain {
            name: norm(domain),
            contacts: CONTACTS
                .iter()
                .map(|(c, _)| (*c, contact.clone()))
                .collect(),
            privacy: CONTACTS.iter().map(|(_, p)| (*p, true)).collect(),
            auto_renew: true,
            locked: true,
            nameservers: nameservers.clone(),
            created: now - 3.0 * YEAR,
            updated: now - YEAR,
            expires: now + 0.5 * YEAR,
            tags: BTreeMap::new(),
            ns_changes: vec![(Instant::now() - Duration::from_secs(3600), nameservers)],
            ds: Vec::new(),
            ds_changes: Vec::new(),
        };
        self.inner.lock().unwrap().domains.insert(norm(domain), dom);
    }

    /// Changes a domain behind Terraform's back, as a user in the console would (lands at once).
    pub fn tamper(&self, domain: &str, auto_renew: Option<bool>, locked: Option<bool>) {
        let mut g = self.inner.lock().unwrap();
        if let Some(d) = g.domains.get_mut(&norm(domain)) {
            if let Some(a) = auto_renew {
                d.auto_renew = a;
            }
            if let Some(l) = locked {
                d.locked = l;
            }
        }
    }

    fn status(&self, op: &Operation) -> &'static str {
        let t = op.started.elapsed();
        if t < self.config.submitted_for {
            "SUBMITTED"
        } else if t < self.config.submitted_for + self.config.in_progress_for {
            "IN_PROGRESS"
        } else if op.fails.is_some() {
            "FAILED"
        } else {
            "SUCCESSFUL"
        }
    }

    /// Lands the effects of operations that have completed, in the order they were submitted.
    fn advance(&self, g: &mut Inner) {
        let mut ready = Vec::new();
        for (i, op) in g.operations.iter().enumerate() {
            if !op.done && matches!(self.status(op), "SUCCESSFUL" | "FAILED") {
                ready.push(i);
            }
        }
        for i in ready {
            let op = g.operations[i].clone();
            g.operations[i].done = true;
            if op.fails.is_some() {
                continue;
            }
            let now = now_epoch();
            match op.effect {
                Effect::Register(mut d) => {
                    d.ns_changes = vec![(Instant::now(), d.nameservers.clone())];
                    g.domains.insert(op.domain.clone(), *d);
                }
                Effect::Delete => {
                    g.domains.remove(&op.domain);
                }
                e => {
                    if let Some(d) = g.domains.get_mut(&op.domain) {
                        match e {
                            Effect::Nameservers(ns) => {
                                d.ns_changes.push((Instant::now(), ns.clone()));
                                d.nameservers = ns;
                            }
                            Effect::Contacts(c) => d.contacts.extend(c),
                            Effect::Privacy(p) => d.privacy.extend(p),
                            Effect::Lock(l) => d.locked = l,
                            Effect::Renew(y) => d.expires += f64::from(y) * YEAR,
                            Effect::AddDs(k) => {
                                if !d.ds.iter().any(|x| x.same_ds(&k)) {
                                    d.ds.push(k);
                                }
                                d.ds_changes.push((
                                    Instant::now(),
                                    d.ds.iter().map(DsKey::rdata).collect(),
                                ));
                            }
                            Effect::RemoveDs(k) => {
                                d.ds.retain(|x| !x.same_ds(&k));
                                d.ds_changes.push((
                                    Instant::now(),
                                    d.ds.iter().map(DsKey::rdata).collect(),
                                ));
                            }
                            Effect::Register(_) | Effect::Delete => {}
                        }
                        d.updated = now;
                    }
                }
            }
        }
    }

    fn tld_price(&self, domain: &str) -> Result<f64, ApiError> {
        let tld = domain.rsplit('.').next().unwrap_or_default();
        self.config
            .tlds
            .iter()
            .find(|(t, _)| t == tld)
            .map(|(_, p)| *p)
            .ok_or(ApiError {
                status: 400,
                code: "UnsupportedTLD",
                message: format!(
                    "Amazon Route 53 does not support the top-level domain (TLD) `.{tld}`."
                ),
            })
    }

    fn check_name(&self, raw: &str) -> Result<String, ApiError> {
        let d = norm(raw);
        let labels: Vec<&str> = d.split('.').collect();
        if labels.len() < 2
            || labels.iter().any(|l| {
                l.is_empty()
                    || l.len() > 63
                    || l.starts_with('-')
                    || l.ends_with('-')
                    || !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
        {
            return Err(invalid(format!("Domain name {raw} is invalid.")));
        }
        self.tld_price(&d)?;
        Ok(d)
    }

    fn submit(
        &self,
        g: &mut Inner,
        domain: &str,
        kind: &'static str,
        effect: Effect,
    ) -> Result<Value, ApiError> {
        if g.operations.iter().any(|o| {
            o.domain == domain
                && o.kind == kind
                && !o.done
                && self.status(o) != "SUCCESSFUL"
                && self.status(o) != "FAILED"
        }) {
            return Err(ApiError {
                status: 400,
                code: "DuplicateRequest",
                message: format!("A {kind} operation for {domain} is already in progress."),
            });
        }
        let pending = g
            .operations
            .iter()
            .filter(|o| !o.done && matches!(self.status(o), "SUBMITTED" | "IN_PROGRESS"))
            .count();
        if pending >= MAX_PENDING_OPERATIONS {
            return Err(ApiError {
                status: 400,
                code: "OperationLimitExceeded",
                message: "The number of operations or jobs running exceeded the allowed threshold for the account.".into(),
            });
        }
        g.next_id += 1;
        let id = format!("{:08x}-lab0-4000-8000-{:012x}", g.next_id, g.next_id);
        let fails = g.fail_next.remove(kind);
        g.operations.push(Operation {
            id: id.clone(),
            domain: domain.to_string(),
            kind,
            started: Instant::now(),
            submitted_at: now_epoch(),
            effect,
            fails,
            done: false,
        });
        Ok(json!({ "OperationId": id }))
    }

    fn domain<'a>(&self, g: &'a mut Inner, body: &Value) -> Result<&'a mut Domain, ApiError> {
        let name = norm(str_field(body, "DomainName")?);
        g.domains
            .get_mut(&name)
            .ok_or_else(|| invalid(format!("Domain {name} not found in this account.")))
    }

    fn detail(d: &Domain, shape: DnssecKeyShape) -> Value {
        let mut v = json!({
            "DomainName": d.name,
            "Nameservers": d.nameservers,
            "AutoRenew": d.auto_renew,
            "RegistrarName": "Amazon Registrar, Inc.",
            "WhoIsServer": "whois.registrar.amazon",
            "RegistrarUrl": "http://registrar.amazon.com",
            "AbuseContactEmail": "abuse@amazonaws.com",
            "AbuseContactPhone": "+1.2062661000",
            "CreationDate": d.created,
            "UpdatedDate": d.updated,
            "ExpirationDate": d.expires,
            "StatusList": if d.locked {
                vec!["clientTransferProhibited"]
            } else {
                Vec::new()
            },
        });
        if !d.ds.is_empty() {
            v["DnssecKeys"] = json!(d.ds.iter().map(|k| k.json(shape)).collect::<Vec<_>>());
        }
        for (c, p) in CONTACTS {
            if let Some(x) = d.contacts.get(c) {
                v[c] = x.clone();
            }
            v[p] = json!(d.privacy.get(p).copied().unwrap_or(true));
        }
        v
    }

    fn contacts_from(
        body: &Value,
        required: bool,
    ) -> Result<BTreeMap<&'static str, Value>, ApiError> {
        let mut out = BTreeMap::new();
        for (c, _) in CONTACTS {
            match body.get(c) {
                Some(v) if v.is_object() => {
                    for f in [
                        "FirstName",
                        "LastName",
                        "ContactType",
                        "AddressLine1",
                        "City",
                        "CountryCode",
                        "ZipCode",
                        "PhoneNumber",
                        "Email",
                    ] {
                        if v.get(f).and_then(Value::as_str).is_none_or(str::is_empty) {
                            return Err(invalid(format!("{c}.{f} is required")));
                        }
                    }
                    let phone = v["PhoneNumber"].as_str().unwrap_or_default();
                    let ok = phone
                        .strip_prefix('+')
                        .and_then(|p| p.split_once('.'))
                        .is_some_and(|(cc, n)| {
                            !cc.is_empty()
                                && !n.is_empty()
                                && cc.chars().chain(n.chars()).all(|c| c.is_ascii_digit())
                        });
                    if !ok {
                        return Err(invalid(format!(
                            "{c}.PhoneNumber {phone:?} is not in the form +CC.NUMBER"
                        )));
                    }
                    out.insert(c, v.clone());
                }
                Some(_) => return Err(invalid(format!("{c} must be an object"))),
                None if required && c != "BillingContact" => {
                    return Err(invalid(format!("{c} is required")))
                }
                None => {}
            }
        }
        Ok(out)
    }

    /// Handles one call; `op` is the part of X-Amz-Target after the prefix.
    pub(crate) fn handle(&self, op: &str, body: &Value) -> Result<Value, ApiError> {
        let mut g = self.inner.lock().unwrap();
        self.advance(&mut g);
        let g = &mut *g;
        match op {
            "CheckDomainAvailability" => {
                let d = self.check_name(str_field(body, "DomainName")?)?;
                let taken = g.domains.contains_key(&d);
                Ok(json!({ "Availability": if taken { "UNAVAILABLE" } else { "AVAILABLE" } }))
            }
            "ListPrices" => {
                let only = body.get("Tld").and_then(Value::as_str);
                let prices: Vec<Value> = self
                    .config
                    .tlds
                    .iter()
                    .filter(|(t, _)| only.is_none_or(|o| o == t))
                    .map(|(t, p)| {
                        let price = json!({ "Price": p, "Currency": "USD" });
                        json!({ "Name": t, "RegistrationPrice": price, "RenewalPrice": price, "TransferPrice": price, "ChangeOwnershipPrice": { "Price": 0.0, "Currency": "USD" }, "RestorationPrice": { "Price": p * 4.0, "Currency": "USD" } })
                    })
                    .collect();
                if let (Some(t), true) = (only, prices.is_empty()) {
                    return Err(ApiError {
                        status: 400,
                        code: "UnsupportedTLD",
                        message: format!("TLD {t} is not supported"),
                    });
                }
                Ok(json!({ "Prices": prices }))
            }
            "RegisterDomain" => {
                let d = self.check_name(str_field(body, "DomainName")?)?;
                let years = body
                    .get("DurationInYears")
                    .and_then(Value::as_u64)
                    .unwrap_or(0);
                if !(1..=10).contains(&years) {
                    return Err(invalid(format!(
                        "DurationInYears {years} must be between 1 and 10"
                    )));
                }
                if g.domains.contains_key(&d) {
                    return Err(ApiError {
                        status: 400,
                        code: "DomainLimitExceeded",
                        message: format!("{d} is not available for registration"),
                    });
                }
                let contacts = Self::contacts_from(body, true)?;
                // The registry's own rule (as .test's): one-character names are reserved.
                if d.split('.').next().is_some_and(|l| l.len() < 2) {
                    return Err(ApiError {
                        status: 400,
                        code: "TLDRulesViolation",
                        message: format!(
                            "The registry of .{} reserves one-character names: {d}",
                            d.rsplit('.').next().unwrap_or_default()
                        ),
                    });
                }
                let now = now_epoch();
                let mut privacy = BTreeMap::new();
                // RegisterDomain names the privacy flags PrivacyProtect<Role>Contact.
                for ((_, p), role) in
                    CONTACTS
                        .iter()
                        .zip(["Admin", "Registrant", "Tech", "Billing"])
                {
                    let on = body
                        .get(format!("PrivacyProtect{role}Contact").as_str())
                        .and_then(Value::as_bool)
                        .unwrap_or(true);
                    privacy.insert(*p, on);
                }
                let dom = Domain {
                    name: d.clone(),
                    contacts,
                    privacy,
                    auto_renew: body
                        .get("AutoRenew")
                        .and_then(Value::as_bool)
                        .unwrap_or(true),
                    locked: true,
                    nameservers: vec![
                        json!({"Name": "ns-1.awsdns-01.org", "GlueIps": []}),
                        json!({"Name": "ns-2.awsdns-02.co.uk", "GlueIps": []}),
                        json!({"Name": "ns-3.awsdns-03.com", "GlueIps": []}),
                        json!({"Name": "ns-4.awsdns-04.net", "GlueIps": []}),
                    ],
                    created: now,
                    updated: now,
                    expires: now + years as f64 * YEAR,
                    tags: BTreeMap::new(),
                    ns_changes: Vec::new(),
                    ds: Vec::new(),
                    ds_changes: Vec::new(),
                };
                self.submit(g, &d, "REGISTER_DOMAIN", Effect::Register(Box::new(dom)))
            }
            "GetDomainDetail" => {
                let shape = g.key_shape;
                Ok(Self::detail(self.domain(g, body)?, shape))
            }
            "AssociateDelegationSignerToDomain" => {
                let serial = g.next_key + 1;
                let d = self.domain(g, body)?;
                let name = d.name.clone();
                let key = DsKey::from_request(
                    &name,
                    body.get("SigningAttributes").unwrap_or(&Value::Null),
                    serial,
                )?;
                if d.ds.iter().any(|k| k.same_ds(&key)) {
                    return Err(invalid(format!(
                        "The key (key tag {}) is already associated with {name}.",
                        key.key_tag
                    )));
                }
                if d.ds.len() >= ds::MAX_DS_KEYS {
                    return Err(ApiError {
                        status: 400,
                        code: "DnssecLimitExceeded",
                        message: format!(
                            "{name} already has the maximum of {} DS records.",
                            ds::MAX_DS_KEYS
                        ),
                    });
                }
                let submitted = self.submit(g, &name, "ADD_DNSSEC", Effect::AddDs(key))?;
                g.next_key = serial;
                Ok(submitted)
            }
            "DisassociateDelegationSignerFromDomain" => {
                let shape = g.key_shape;
                let d = self.domain(g, body)?;
                let name = d.name.clone();
                let id = str_field(body, "Id")?;
                let key =
                    d.ds.iter()
                        .find(|k| k.id(shape) == id)
                        .cloned()
                        .ok_or_else(|| {
                            invalid(format!(
                                "No DS record with Id {id} is associated with {name}."
                            ))
                        })?;
                self.submit(g, &name, "REMOVE_DNSSEC", Effect::RemoveDs(key))
            }
            "ListDomains" => Ok(json!({
                "Domains": g.domains.values().map(|d| json!({
                    "DomainName": d.name, "AutoRenew": d.auto_renew, "TransferLock": d.locked, "Expiry": d.expires
                })).collect::<Vec<_>>()
            })),
            "UpdateDomainNameservers" => {
                let name = self.domain(g, body)?.name.clone();
                let ns = body
                    .get("Nameservers")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if ns.is_empty() || ns.len() > 6 {
                    return Err(invalid("Nameservers must list 1 to 6 name servers"));
                }
                for n in &ns {
                    let host = norm(n.get("Name").and_then(Value::as_str).unwrap_or_default());
                    let glue = n
                        .get("GlueIps")
                        .and_then(Value::as_array)
                        .map(Vec::len)
                        .unwrap_or(0);
                    let inside = host == name || host.ends_with(&format!(".{name}"));
                    if glue > 0 && !inside {
                        return Err(invalid(format!(
                            "Glue IPs are only allowed for name servers under {name}: {host}"
                        )));
                    }
                    if glue == 0 && inside {
                        return Err(invalid(format!(
                            "Name server {host} is under {name} and needs glue IPs"
                        )));
                    }
                }
                self.submit(g, &name, "UPDATE_NAMESERVER", Effect::Nameservers(ns))
            }
            "UpdateDomainContact" => {
                let name = self.domain(g, body)?.name.clone();
                let c = Self::contacts_from(body, false)?;
                if c.is_empty() {
                    return Err(invalid("at least one contact is required"));
                }
                self.submit(g, &name, "UPDATE_DOMAIN_CONTACT", Effect::Contacts(c))
            }
            "UpdateDomainContactPrivacy" => {
                let name = self.domain(g, body)?.name.clone();
                let mut p = BTreeMap::new();
                for (_, k) in CONTACTS {
                    if let Some(b) = body.get(k).and_then(Value::as_bool) {
                        p.insert(k, b);
                    }
                }
                self.submit(g, &name, "CHANGE_PRIVACY_PROTECTION", Effect::Privacy(p))
            }
            "EnableDomainAutoRenew" | "DisableDomainAutoRenew" => {
                self.domain(g, body)?.auto_renew = op == "EnableDomainAutoRenew";
                Ok(json!({}))
            }
            "EnableDomainTransferLock" | "DisableDomainTransferLock" => {
                let name = self.domain(g, body)?.name.clone();
                let kind = if op == "EnableDomainTransferLock" {
                    "ENABLE_TRANSFER_LOCK"
                } else {
                    "DISABLE_TRANSFER_LOCK"
                };
                self.submit(
                    g,
                    &name,
                    kind,
                    Effect::Lock(op == "EnableDomainTransferLock"),
                )
            }
            "RenewDomain" => {
                let d = self.domain(g, body)?;
                let name = d.name.clone();
                let current = body
                    .get("CurrentExpiryYear")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                let year = 1970 + (d.expires / YEAR).floor() as i64;
                if (current - year).abs() > 1 {
                    return Err(invalid(format!("CurrentExpiryYear {current} does not match the domain's expiry year {year}")));
                }
                let years = body
                    .get("DurationInYears")
                    .and_then(Value::as_u64)
                    .unwrap_or(1) as u32;
                self.submit(g, &name, "RENEW_DOMAIN", Effect::Renew(years))
            }
            "DeleteDomain" => {
                let name = self.domain(g, body)?.name.clone();
                self.submit(g, &name, "DELETE_DOMAIN", Effect::Delete)
            }
            "ListTagsForDomain" => {
                let d = self.domain(g, body)?;
                Ok(
                    json!({ "TagList": d.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>() }),
                )
            }
            "UpdateTagsForDomain" => {
                let d = self.domain(g, body)?;
                for t in body
                    .get("TagsToUpdate")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
                {
                    let k = t.get("Key").and_then(Value::as_str).unwrap_or_default();
                    if k.is_empty() {
                        return Err(invalid("tag keys must not be empty"));
                    }
                    d.tags.insert(
                        k.to_string(),
                        t.get("Value")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
                Ok(json!({}))
            }
            "DeleteTagsForDomain" => {
                let d = self.domain(g, body)?;
                for k in body
                    .get("TagsToDelete")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
                {
                    if let Some(k) = k.as_str() {
                        d.tags.remove(k);
                    }
                }
                Ok(json!({}))
            }
            "GetOperationDetail" => {
                let id = str_field(body, "OperationId")?;
                let op = g
                    .operations
                    .iter()
                    .find(|o| o.id == id)
                    .ok_or_else(|| invalid(format!("Operation {id} not found")))?;
                let status = self.status(op);
                let mut v = json!({
                    "OperationId": op.id, "Status": status, "DomainName": op.domain, "Type": op.kind,
                    "SubmittedDate": op.submitted_at,
                });
                if status == "FAILED" {
                    v["Message"] = json!(op.fails.clone().unwrap_or_default());
                }
                Ok(v)
            }
            "ListOperations" => Ok(json!({
                "Operations": g.operations.iter().rev().map(|o| json!({
                    "OperationId": o.id, "Status": self.status(o), "Type": o.kind, "SubmittedDate": o.submitted_at, "DomainName": o.domain
                })).collect::<Vec<_>>()
            })),
            other => Err(ApiError {
                status: 400,
                code: "UnknownOperationException",
                message: format!("the lab registrar does not implement {other}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests;
