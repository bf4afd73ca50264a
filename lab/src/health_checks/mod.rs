//! Route 53 health checks, answered by the lab on the real REST/XML API. moto's cannot stand in
//! (see /work/notes/hc-research.md): it ignores HealthCheckVersion, drops AlarmIdentifier,
//! InsufficientDataHealthStatus and RoutingControlArn, clears Regions and ChildHealthChecks on a
//! partial update, repeats CallerReferences and validates nothing. Here the settings follow
//! Route 53's rules ([`r53_zone::health_check`]), each update needs the current version and
//! changes only what it sends, and a check's status comes from [`Health`], which the lab's
//! checkers ([`checker`]) fill (until a check's first probe every checker region reports success).
//!
//! Tags stay in moto (the proxy only refuses unknown IDs first, [`HealthChecks::check_tags`]).
//! The lab keeps one account's worth of checks, as it does for reusable delegation sets.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use r53_zone::health_check::{Alarm, HealthCheck, Kind, CHECKER_REGIONS};

use crate::reusable_sets::Answer;
use crate::xml::{self, Element};

pub mod checker;
pub mod health;

pub use health::{Health, HealthError, Observation, DEFAULT_STATUS};

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

/// Route 53's default quota of health checks per account.
pub const MAX_HEALTH_CHECKS: usize = 200;
/// CallerReference length (the API's limit).
pub const MAX_CALLER_REFERENCE_CHARS: usize = 64;
/// ListHealthChecks pages: the default and the most one page holds.
pub const DEFAULT_MAX_ITEMS: usize = 100;
pub const MAX_MAX_ITEMS: usize = 1000;
/// The ranges GetCheckerIpRanges gives: the lab's checker addresses (127.0.1.x, see [`checker_ip`]).
pub const CHECKER_IP_RANGE: &str = "127.0.1.0/24";

fn error(status: u16, code: &'static str, message: impl Into<String>) -> Answer {
    Answer::Error {
        status,
        code,
        message: message.into(),
    }
}

fn invalid(message: impl Into<String>) -> Answer {
    error(400, "InvalidInput", message)
}

fn no_such(id: &str) -> Answer {
    error(
        404,
        "NoSuchHealthCheck",
        format!("No health check exists with the specified ID {id}."),
    )
}

fn ok(status: u16, body: String) -> Answer {
    Answer::Ok {
        status,
        body,
        location: None,
    }
}

/// A checker region's address as the status APIs report it (127.0.1.x).
pub fn checker_ip(region: &str) -> String {
    let i = CHECKER_REGIONS
        .iter()
        .position(|r| *r == region)
        .unwrap_or(0);
    format!("127.0.1.{}", 101 + i)
}

#[derive(Debug, Clone)]
struct Stored {
    caller_reference: String,
    /// As configured, with Route 53's defaults filled in.
    config: HealthCheck,
    version: i64,
    /// Creation order: the list order.
    seq: u64,
}

#[derive(Debug, Default)]
struct Inner {
    checks: HashMap<String, Stored>,
    /// CallerReferences of deleted checks: Route 53 refuses them for good.
    spent_refs: HashSet<String>,
    next_seq: u64,
}

/// The lab's health checks and their status.
#[derive(Debug, Default)]
pub struct HealthChecks {
    inner: Mutex<Inner>,
    health: Arc<Health>,
}

/// The last path segment before the query (the ID in `/2013-04-01/healthcheck/{id}`).
fn segments(path: &str) -> Vec<&str> {
    path.split('?')
        .next()
        .unwrap_or_default()
        .split('/')
        .filter(|s| !s.is_empty())
        .collect()
}

fn query<'a>(path: &'a str, key: &str) -> Option<&'a str> {
    path.split_once('?')?
        .1
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

impl HealthChecks {
    /// The status store a checker updates.
    pub fn health(&self) -> Arc<Health> {
        self.health.clone()
    }

    /// Whether a check exists.
    pub fn exists(&self, id: &str) -> bool {
        self.inner.lock().unwrap().checks.contains_key(id)
    }

    /// Answers the health-check actions (`act` as the proxy names them); `None` for any other.
    pub fn handle(&self, act: &str, path: &str, body: &[u8]) -> Option<Answer> {
        let segs = segments(path);
        let id = segs.get(2).copied().unwrap_or_default();
        Some(match act {
            "CreateHealthCheck" => self.create(body),
            "GetHealthCheck" => self.get(id),
            "ListHealthChecks" => self.list(path),
            "GetHealthCheckCount" => self.count(),
            "UpdateHealthCheck" => self.update(id, body),
            "DeleteHealthCheck" => self.delete(id),
            "GetHealthCheckStatus" => self.status(id, false),
            "GetHealthCheckLastFailureReason" => self.status(id, true),
            "GetCheckerIpRanges" => ok(
                200,
                format!("<?xml version=\"1.0\"?>\n<GetCheckerIpRangesResponse xmlns=\"{NS}\"><CheckerIpRanges><member>{CHECKER_IP_RANGE}</member></CheckerIpRanges></GetCheckerIpRangesResponse>"),
            ),
            _ => return None,
        })
    }

    /// Tag calls on health checks go on to moto, but only for checks that exist (moto keys tags
    /// by any ID). `Some` refuses the call.
    pub fn check_tags(&self, act: &str, path: &str, body: &[u8]) -> Option<Answer> {
        let segs = segments(path);
        if segs.get(2) != Some(&"healthcheck") {
            return None;
        }
        let ids: Vec<String> = match act {
            "ChangeTagsForResource" | "ListTagsForResource" => {
                vec![segs.get(3).copied().unwrap_or_default().to_string()]
            }
            "ListTagsForResources" => {
                let doc = xml::parse(body).ok()?;
                let mut found = Vec::new();
                doc.find_all("ResourceId", &mut found);
                found.iter().map(|e| text(e).to_string()).collect()
            }
            _ => return None,
        };
        let inner = self.inner.lock().unwrap();
        ids.iter()
            .find(|id| !inner.checks.contains_key(id.as_str()))
            .map(|id| no_such(id))
    }

    /// A ChangeResourceRecordSets batch may only name existing checks in the sets it writes
    /// (a DELETE may still name a deleted one). `Some` refuses the batch.
    pub fn check_batch(&self, body: &[u8]) -> Option<Answer> {
        let doc = xml::parse(body).ok()?;
        let mut changes = Vec::new();
        doc.find_all("Change", &mut changes);
        let inner = self.inner.lock().unwrap();
        changes
            .iter()
            .filter(|c| c.text_at(&["Action"]) != Some("DELETE"))
            .filter_map(|c| c.text_at(&["ResourceRecordSet", "HealthCheckId"]))
            .find(|id| !inner.checks.contains_key(*id))
            .map(|id| {
                error(
                    400,
                    "NoSuchHealthCheck",
                    format!("No health check found with id: {id}"),
                )
            })
    }

    fn create(&self, body: &[u8]) -> Answer {
        let Ok(doc) = xml::parse(body) else {
            return invalid("The request body is not valid XML.");
        };
        let caller_reference = doc.text_at(&["CallerReference"]).unwrap_or_default();
        if caller_reference.is_empty() || caller_reference.len() > MAX_CALLER_REFERENCE_CHARS {
            return invalid(format!(
                "CallerReference must be 1 to {MAX_CALLER_REFERENCE_CHARS} characters long."
            ));
        }
        let Some(cfg) = doc.child("HealthCheckConfig") else {
            return invalid("HealthCheckConfig is required.");
        };
        let config = match parse_config(cfg) {
            Ok(c) => c,
            Err(a) => return a,
        };
        if let Err(a) = validate(&config) {
            return a;
        }
        let config = with_defaults(config);
        let mut inner = self.inner.lock().unwrap();
        // A retried create (same reference, same settings) gets the check it made.
        if let Some((id, s)) = inner
            .checks
            .iter()
            .find(|(_, s)| s.caller_reference == caller_reference)
        {
            if s.config == config {
                return created(id, s);
            }
            return already_exists(caller_reference);
        }
        if inner.spent_refs.contains(caller_reference) {
            return already_exists(caller_reference);
        }
        if inner.checks.len() >= MAX_HEALTH_CHECKS {
            return error(
                400,
                "TooManyHealthChecks",
                format!("This account already has the most health checks the lab allows ({MAX_HEALTH_CHECKS}, Route 53's default quota)."),
            );
        }
        let id = new_id();
        inner.next_seq += 1;
        let s = Stored {
            caller_reference: caller_reference.to_string(),
            config,
            version: 1,
            seq: inner.next_seq,
        };
        let answer = created(&id, &s);
        self.health.configure(&id, &s.config);
        inner.checks.insert(id, s);
        answer
    }

    fn get(&self, id: &str) -> Answer {
        match self.inner.lock().unwrap().checks.get(id) {
            Some(s) => ok(
                200,
                format!(
                    "<?xml version=\"1.0\"?>\n<GetHealthCheckResponse xmlns=\"{NS}\">{}</GetHealthCheckResponse>",
                    check_xml(id, s)
                ),
            ),
            None => no_such(id),
        }
    }

    fn list(&self, path: &str) -> Answer {
        let max = match query(path, "maxitems") {
            None => DEFAULT_MAX_ITEMS,
            Some(m) => match m.parse::<usize>() {
                Ok(n) if (1..=MAX_MAX_ITEMS).contains(&n) => n,
                _ => return invalid(format!("MaxItems must be 1 to {MAX_MAX_ITEMS}, not {m:?}.")),
            },
        };
        let marker = query(path, "marker").filter(|m| !m.is_empty());
        let inner = self.inner.lock().unwrap();
        let mut all: Vec<(&String, &Stored)> = inner.checks.iter().collect();
        all.sort_by_key(|(_, s)| s.seq);
        let start = match marker {
            None => 0,
            Some(m) => match all.iter().position(|(id, _)| id.as_str() == m) {
                Some(i) => i,
                None => return invalid(format!("The marker {m:?} is not a health check ID.")),
            },
        };
        let page: String = all
            .iter()
            .skip(start)
            .take(max)
            .map(|(id, s)| check_xml(id, s))
            .collect();
        let next = all.get(start + max).map(|(id, _)| id.as_str());
        let next_marker = next
            .map(|n| format!("<NextMarker>{}</NextMarker>", xml::escape(n)))
            .unwrap_or_default();
        ok(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<ListHealthChecksResponse xmlns=\"{NS}\"><HealthChecks>{page}</HealthChecks><Marker>{}</Marker><IsTruncated>{}</IsTruncated>{next_marker}<MaxItems>{max}</MaxItems></ListHealthChecksResponse>",
                xml::escape(marker.unwrap_or_default()),
                next.is_some()
            ),
        )
    }

    fn count(&self) -> Answer {
        ok(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<GetHealthCheckCountResponse xmlns=\"{NS}\"><HealthCheckCount>{}</HealthCheckCount></GetHealthCheckCountResponse>",
                self.inner.lock().unwrap().checks.len()
            ),
        )
    }

    fn update(&self, id: &str, body: &[u8]) -> Answer {
        let Ok(doc) = xml::parse(body) else {
            return invalid("The request body is not valid XML.");
        };
        let mut inner = self.inner.lock().unwrap();
        let Some(s) = inner.checks.get_mut(id) else {
            return no_such(id);
        };
        if let Some(v) = doc.text_at(&["HealthCheckVersion"]) {
            match v.parse::<i64>() {
                Ok(v) if v == s.version => {}
                Ok(v) if v >= 1 => {
                    return error(
                        409,
                        "HealthCheckVersionMismatch",
                        format!(
                            "The value of HealthCheckVersion in the request ({v}) does not match the current version ({}) of health check {id}.",
                            s.version
                        ),
                    )
                }
                _ => return invalid(format!("HealthCheckVersion {v:?} is not a version (1 or more).")),
            }
        }
        let next = match apply_update(&s.config, &doc) {
            Ok(c) => c,
            Err(a) => return a,
        };
        if let Err(a) = validate(&next) {
            return a;
        }
        s.config = next;
        s.version += 1;
        self.health.configure(id, &s.config);
        ok(
            200,
            format!(
                "<?xml version=\"1.0\"?>\n<UpdateHealthCheckResponse xmlns=\"{NS}\">{}</UpdateHealthCheckResponse>",
                check_xml(id, s)
            ),
        )
    }

    fn delete(&self, id: &str) -> Answer {
        let mut inner = self.inner.lock().unwrap();
        if !inner.checks.contains_key(id) {
            return no_such(id);
        }
        // Route 53 deletes a check that record sets still name (its DeleteHealthCheck docs), but
        // not one a CALCULATED check combines.
        let parent = inner.checks.iter().find(|(_, s)| {
            s.config
                .child_health_checks
                .as_ref()
                .is_some_and(|c| c.iter().any(|c| c == id))
        });
        if let Some((parent, _)) = parent {
            return error(
                400,
                "HealthCheckInUse",
                format!("Health check {id} is still referenced from parent health check {parent}."),
            );
        }
        if let Some(s) = inner.checks.remove(id) {
            inner.spent_refs.insert(s.caller_reference);
        }
        drop(inner);
        self.health.forget(id);
        ok(
            200,
            format!("<?xml version=\"1.0\"?>\n<DeleteHealthCheckResponse xmlns=\"{NS}\"/>"),
        )
    }

    fn status(&self, id: &str, failures: bool) -> Answer {
        let regions = match self.inner.lock().unwrap().checks.get(id) {
            // Route 53 has no checker observations of a CALCULATED check (its docs: the status
            // API does not give a calculated check's status): an empty list.
            Some(s) if s.config.kind == Kind::Calculated => Vec::new(),
            Some(s) => s
                .config
                .regions
                .clone()
                .unwrap_or_else(|| CHECKER_REGIONS.iter().map(|r| r.to_string()).collect()),
            None => return no_such(id),
        };
        let (root, seen) = if failures {
            (
                "GetHealthCheckLastFailureReasonResponse",
                self.health.last_failures(id, &regions),
            )
        } else {
            (
                "GetHealthCheckStatusResponse",
                self.health.status(id, &regions),
            )
        };
        let items: String = seen
            .iter()
            .map(|(region, o)| {
                format!(
                    "<HealthCheckObservation><Region>{region}</Region><IPAddress>{}</IPAddress><StatusReport><Status>{}</Status><CheckedTime>{}</CheckedTime></StatusReport></HealthCheckObservation>",
                    checker_ip(region),
                    xml::escape(&o.status),
                    iso8601(o.checked)
                )
            })
            .collect();
        ok(
            200,
            format!("<?xml version=\"1.0\"?>\n<{root} xmlns=\"{NS}\"><HealthCheckObservations>{items}</HealthCheckObservations></{root}>"),
        )
    }
}

fn already_exists(caller_reference: &str) -> Answer {
    error(
        409,
        "HealthCheckAlreadyExists",
        format!("A health check with the caller reference {caller_reference} already exists, or existed and was deleted, with other settings."),
    )
}

fn created(id: &str, s: &Stored) -> Answer {
    Answer::Ok {
        status: 201,
        body: format!(
            "<?xml version=\"1.0\"?>\n<CreateHealthCheckResponse xmlns=\"{NS}\">{}</CreateHealthCheckResponse>",
            check_xml(id, s)
        ),
        location: Some(format!(
            "https://route53.amazonaws.com/2013-04-01/healthcheck/{id}"
        )),
    }
}

/// A uuid4-shaped ID, as Route 53's are.
fn new_id() -> String {
    let a: u128 = rand::random();
    let a = (((a & !(0xf << 76)) | (0x4 << 76)) & !(0x3 << 62)) | (0x2 << 62);
    let h = format!("{a:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn text(e: &Element) -> &str {
    e.text_at(&[]).unwrap_or_default()
}

fn int(doc: &Element, name: &str) -> Result<Option<i64>, Answer> {
    doc.text_at(&[name])
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| invalid(format!("{name} {v:?} is not a number.")))
        })
        .transpose()
}

fn boolean(doc: &Element, name: &str) -> Result<Option<bool>, Answer> {
    doc.text_at(&[name])
        .map(|v| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(invalid(format!("{name} {v:?} is not true or false."))),
        })
        .transpose()
}

fn string(doc: &Element, name: &str) -> Option<String> {
    doc.text_at(&[name]).map(str::to_string)
}

fn list(doc: &Element, outer: &str, inner: &str) -> Option<Vec<String>> {
    doc.child(outer).map(|l| {
        l.children_named(inner)
            .map(|e| text(e).to_string())
            .collect()
    })
}

fn alarm(doc: &Element) -> Option<Alarm> {
    doc.child("AlarmIdentifier").map(|a| Alarm {
        name: a.text_at(&["Name"]).unwrap_or_default().to_string(),
        region: a.text_at(&["Region"]).unwrap_or_default().to_string(),
    })
}

/// A `HealthCheckConfig` as sent.
fn parse_config(cfg: &Element) -> Result<HealthCheck, Answer> {
    let ty = cfg.text_at(&["Type"]).unwrap_or_default();
    let kind = Kind::parse(ty).ok_or_else(|| {
        invalid(format!(
            "Type {ty:?} is not one of {}.",
            Kind::ALL.map(Kind::as_str).join(", ")
        ))
    })?;
    Ok(HealthCheck {
        kind,
        ip_address: string(cfg, "IPAddress"),
        fqdn: string(cfg, "FullyQualifiedDomainName"),
        port: int(cfg, "Port")?,
        resource_path: string(cfg, "ResourcePath"),
        search_string: string(cfg, "SearchString"),
        request_interval: int(cfg, "RequestInterval")?,
        failure_threshold: int(cfg, "FailureThreshold")?,
        measure_latency: boolean(cfg, "MeasureLatency")?,
        invert: boolean(cfg, "Inverted")?,
        disabled: boolean(cfg, "Disabled")?,
        enable_sni: boolean(cfg, "EnableSNI")?,
        regions: list(cfg, "Regions", "Region"),
        child_health_checks: list(cfg, "ChildHealthChecks", "ChildHealthCheck"),
        health_threshold: int(cfg, "HealthThreshold")?,
        alarm: alarm(cfg),
        insufficient_data_health_status: string(cfg, "InsufficientDataHealthStatus"),
        routing_control_arn: string(cfg, "RoutingControlArn"),
    })
}

/// Route 53's rules; every broken one in the message.
fn validate(h: &HealthCheck) -> Result<(), Answer> {
    let problems = h.check();
    if problems.is_empty() {
        return Ok(());
    }
    Err(invalid(format!(
        "Invalid parameter : {}",
        problems
            .iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    )))
}

/// What Route 53 stores for settings left unset: endpoint checks probe every 30 s, fail after 3,
/// on port 80/443 for HTTP/HTTPS, with SNI on for HTTPS; flags are false.
fn with_defaults(mut h: HealthCheck) -> HealthCheck {
    if h.kind.probes_endpoint() {
        h.request_interval.get_or_insert(30);
        h.failure_threshold.get_or_insert(3);
        h.measure_latency.get_or_insert(false);
        h.enable_sni.get_or_insert(h.kind.is_tls());
        if h.kind != Kind::Tcp {
            h.port.get_or_insert(if h.kind.is_tls() { 443 } else { 80 });
        }
    }
    h.invert.get_or_insert(false);
    h.disabled.get_or_insert(false);
    h
}

/// `prior` with an UpdateHealthCheck applied: clear the ResetElements, then set what was sent.
fn apply_update(prior: &HealthCheck, doc: &Element) -> Result<HealthCheck, Answer> {
    let mut h = prior.clone();
    for name in list(doc, "ResetElements", "ResettableElementName").unwrap_or_default() {
        match name.as_str() {
            "FullyQualifiedDomainName" => h.fqdn = None,
            "Regions" => h.regions = None,
            "ResourcePath" => h.resource_path = None,
            "ChildHealthChecks" => h.child_health_checks = None,
            other => {
                return Err(invalid(format!(
                    "ResettableElementName {other:?} is not one of FullyQualifiedDomainName, Regions, ResourcePath, ChildHealthChecks."
                )))
            }
        }
    }
    if let Some(ip) = string(doc, "IPAddress") {
        // The address may change, but a check made without one cannot gain one, nor lose it.
        if prior.ip_address.is_none() {
            return Err(invalid(
                "IPAddress cannot be added to a health check created without one.",
            ));
        }
        if ip.is_empty() {
            return Err(invalid("IPAddress cannot be removed from a health check."));
        }
        h.ip_address = Some(ip);
    }
    fn set<T>(slot: &mut Option<T>, v: Option<T>) {
        if v.is_some() {
            *slot = v;
        }
    }
    set(&mut h.port, int(doc, "Port")?);
    set(&mut h.resource_path, string(doc, "ResourcePath"));
    set(&mut h.fqdn, string(doc, "FullyQualifiedDomainName"));
    set(&mut h.search_string, string(doc, "SearchString"));
    set(&mut h.failure_threshold, int(doc, "FailureThreshold")?);
    set(&mut h.invert, boolean(doc, "Inverted")?);
    set(&mut h.disabled, boolean(doc, "Disabled")?);
    set(&mut h.health_threshold, int(doc, "HealthThreshold")?);
    set(
        &mut h.child_health_checks,
        list(doc, "ChildHealthChecks", "ChildHealthCheck"),
    );
    set(&mut h.enable_sni, boolean(doc, "EnableSNI")?);
    set(&mut h.regions, list(doc, "Regions", "Region"));
    set(&mut h.alarm, alarm(doc));
    set(
        &mut h.insufficient_data_health_status,
        string(doc, "InsufficientDataHealthStatus"),
    );
    Ok(h)
}

/// A `<HealthCheck>` as Route 53 returns it (fields in the API's order; unset ones left out).
fn check_xml(id: &str, s: &Stored) -> String {
    let h = &s.config;
    let mut c = String::new();
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            c.push_str(&format!("<{name}>{}</{name}>", xml::escape(&v)));
        }
    };
    put("IPAddress", h.ip_address.clone());
    put("Port", h.port.map(|p| p.to_string()));
    put("Type", Some(h.kind.as_str().to_string()));
    put("ResourcePath", h.resource_path.clone());
    put("FullyQualifiedDomainName", h.fqdn.clone());
    put("SearchString", h.search_string.clone());
    put("RequestInterval", h.request_interval.map(|v| v.to_string()));
    put(
        "FailureThreshold",
        h.failure_threshold.map(|v| v.to_string()),
    );
    put("MeasureLatency", h.measure_latency.map(|v| v.to_string()));
    put("Inverted", h.invert.map(|v| v.to_string()));
    put("Disabled", h.disabled.map(|v| v.to_string()));
    put("HealthThreshold", h.health_threshold.map(|v| v.to_string()));
    if let Some(children) = &h.child_health_checks {
        let items: String = children
            .iter()
            .map(|c| format!("<ChildHealthCheck>{}</ChildHealthCheck>", xml::escape(c)))
            .collect();
        c.push_str(&format!("<ChildHealthChecks>{items}</ChildHealthChecks>"));
    }
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            c.push_str(&format!("<{name}>{}</{name}>", xml::escape(&v)));
        }
    };
    put("EnableSNI", h.enable_sni.map(|v| v.to_string()));
    if let Some(regions) = &h.regions {
        let items: String = regions
            .iter()
            .map(|r| format!("<Region>{}</Region>", xml::escape(r)))
            .collect();
        c.push_str(&format!("<Regions>{items}</Regions>"));
    }
    if let Some(a) = &h.alarm {
        c.push_str(&format!(
            "<AlarmIdentifier><Region>{}</Region><Name>{}</Name></AlarmIdentifier>",
            xml::escape(&a.region),
            xml::escape(&a.name)
        ));
    }
    let mut put = |name: &str, v: Option<String>| {
        if let Some(v) = v {
            c.push_str(&format!("<{name}>{}</{name}>", xml::escape(&v)));
        }
    };
    put(
        "InsufficientDataHealthStatus",
        h.insufficient_data_health_status.clone(),
    );
    put("RoutingControlArn", h.routing_control_arn.clone());
    format!(
        "<HealthCheck><Id>{}</Id><CallerReference>{}</CallerReference><HealthCheckConfig>{c}</HealthCheckConfig><HealthCheckVersion>{}</HealthCheckVersion></HealthCheck>",
        xml::escape(id),
        xml::escape(&s.caller_reference),
        s.version
    )
}

/// `2026-12-07T14:48:44.000Z` (UTC), as Route 53 writes timestamps.
fn iso8601(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "/2013-04-01/healthcheck";

    fn call(h: &HealthChecks, act: &str, path: &str, body: &str) -> Answer {
        h.handle(act, path, body.as_bytes()).expect(act)
    }

    fn create(h: &HealthChecks, caller: &str, config: &str) -> Answer {
        call(
            h,
            "CreateHealthCheck",
            PATH,
            &format!("<CreateHealthCheckRequest xmlns=\"{NS}\"><CallerReference>{caller}</CallerReference><HealthCheckConfig>{config}</HealthCheckConfig></CreateHealthCheckRequest>"),
        )
    }

    fn update(h: &HealthChecks, id: &str, fields: &str) -> Answer {
        call(
            h,
            "UpdateHealthCheck",
            &format!("{PATH}/{id}"),
            &format!(
                "<UpdateHealthCheckRequest xmlns=\"{NS}\">{fields}</UpdateHealthCheckRequest>"
            ),
        )
    }

    fn get(h: &HealthChecks, id: &str) -> Answer {
        call(h, "GetHealthCheck", &format!("{PATH}/{id}"), "")
    }

    /// (status, code) of an error; (status, "ok") of an answer.
    fn outcome(a: &Answer) -> (u16, &'static str) {
        match a {
            Answer::Ok { status, .. } => (*status, "ok"),
            Answer::Error { status, code, .. } => (*status, code),
        }
    }

    fn body(a: &Answer) -> Element {
        match a {
            Answer::Ok { body, .. } => xml::parse(body.as_bytes()).unwrap(),
            Answer::Error { .. } => panic!("{a:?}"),
        }
    }

    fn message(a: &Answer) -> &str {
        match a {
            Answer::Error { message, .. } => message,
            Answer::Ok { .. } => panic!("{a:?}"),
        }
    }

    fn id_of(a: &Answer) -> String {
        body(a).text_at(&["HealthCheck", "Id"]).unwrap().to_string()
    }

    fn config_of(a: &Answer) -> Element {
        body(a)
            .child("HealthCheck")
            .and_then(|c| c.child("HealthCheckConfig"))
            .cloned()
            .unwrap()
    }

    fn version_of(a: &Answer) -> String {
        body(a)
            .text_at(&["HealthCheck", "HealthCheckVersion"])
            .unwrap()
            .to_string()
    }

    const HTTP: &str =
        "<FullyQualifiedDomainName>localhost</FullyQualifiedDomainName><Type>HTTP</Type>";
    const REGIONS: &str = "<Regions><Region>us-east-1</Region><Region>eu-west-1</Region><Region>sa-east-1</Region></Regions>";

    #[test]
    fn every_kind_keeps_every_field_with_route53_defaults() {
        let h = HealthChecks::default();
        // HTTP: port 80, interval 30, threshold 3, no SNI; Location and a uuid-shaped ID.
        let a = create(&h, "http", HTTP);
        let Answer::Ok {
            status, location, ..
        } = &a
        else {
            panic!("{a:?}")
        };
        assert_eq!(*status, 201);
        let id = id_of(&a);
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(id.matches('-').count(), 4, "{id}");
        assert_eq!(id.as_bytes()[14], b'4', "{id}");
        assert!(location
            .as_deref()
            .unwrap()
            .ends_with(&format!("/healthcheck/{id}")));
        assert_eq!(version_of(&a), "1");
        let c = config_of(&get(&h, &id));
        for (k, v) in [
            ("Type", "HTTP"),
            ("FullyQualifiedDomainName", "localhost"),
            ("Port", "80"),
            ("RequestInterval", "30"),
            ("FailureThreshold", "3"),
            ("MeasureLatency", "false"),
            ("Inverted", "false"),
            ("Disabled", "false"),
            ("EnableSNI", "false"),
        ] {
            assert_eq!(c.text_at(&[k]), Some(v), "{k}");
        }
        assert!(c.child("Regions").is_none());

        // HTTPS_STR_MATCH with everything: 443 and SNI by default, the rest as sent.
        let a = create(&h, "https", &format!("<IPAddress>8.8.8.8</IPAddress><Type>HTTPS_STR_MATCH</Type><ResourcePath>/health</ResourcePath><FullyQualifiedDomainName>example.com</FullyQualifiedDomainName><SearchString>ok &amp; up</SearchString><RequestInterval>10</RequestInterval><FailureThreshold>5</FailureThreshold><MeasureLatency>true</MeasureLatency><Inverted>true</Inverted><Disabled>true</Disabled>{REGIONS}"));
        let c = config_of(&get(&h, &id_of(&a)));
        for (k, v) in [
            ("IPAddress", "8.8.8.8"),
            ("Port", "443"),
            ("EnableSNI", "true"),
            ("ResourcePath", "/health"),
            ("SearchString", "ok & up"),
            ("RequestInterval", "10"),
            ("FailureThreshold", "5"),
            ("MeasureLatency", "true"),
            ("Inverted", "true"),
            ("Disabled", "true"),
        ] {
            assert_eq!(c.text_at(&[k]), Some(v), "{k}");
        }
        let regions: Vec<String> = list(&c, "Regions", "Region").unwrap();
        assert_eq!(regions, ["us-east-1", "eu-west-1", "sa-east-1"]);

        // TCP keeps its port and gets no HTTP port default.
        let tcp = id_of(&create(&h, "tcp", "<FullyQualifiedDomainName>localhost</FullyQualifiedDomainName><Port>5432</Port><Type>TCP</Type>"));
        assert_eq!(config_of(&get(&h, &tcp)).text_at(&["Port"]), Some("5432"));

        // CALCULATED: children and threshold, no endpoint defaults.
        let a = create(&h, "calc", &format!("<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{id}</ChildHealthCheck><ChildHealthCheck>{tcp}</ChildHealthCheck></ChildHealthChecks>"));
        let c = config_of(&get(&h, &id_of(&a)));
        assert_eq!(
            list(&c, "ChildHealthChecks", "ChildHealthCheck").unwrap(),
            [id.clone(), tcp.clone()]
        );
        assert_eq!(c.text_at(&["HealthThreshold"]), Some("1"));
        for k in ["Port", "RequestInterval", "FailureThreshold", "EnableSNI"] {
            assert!(c.child(k).is_none(), "{k}");
        }

        // CLOUDWATCH_METRIC: the alarm and the insufficient-data status (moto drops both).
        let a = create(&h, "cw", "<Type>CLOUDWATCH_METRIC</Type><AlarmIdentifier><Region>eu-west-1</Region><Name>cpu-high</Name></AlarmIdentifier><InsufficientDataHealthStatus>LastKnownStatus</InsufficientDataHealthStatus>");
        let c = config_of(&get(&h, &id_of(&a)));
        assert_eq!(c.text_at(&["AlarmIdentifier", "Region"]), Some("eu-west-1"));
        assert_eq!(c.text_at(&["AlarmIdentifier", "Name"]), Some("cpu-high"));
        assert_eq!(
            c.text_at(&["InsufficientDataHealthStatus"]),
            Some("LastKnownStatus")
        );

        // RECOVERY_CONTROL: the routing control (moto drops it).
        let arn = "arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/r";
        let a = create(
            &h,
            "rc",
            &format!("<Type>RECOVERY_CONTROL</Type><RoutingControlArn>{arn}</RoutingControlArn>"),
        );
        let c = config_of(&get(&h, &id_of(&a)));
        assert_eq!(c.text_at(&["RoutingControlArn"]), Some(arn));

        assert_eq!(
            outcome(&get(&h, "00000000-0000-4000-8000-000000000000")),
            (404, "NoSuchHealthCheck")
        );
    }

    #[test]
    fn a_caller_reference_makes_one_check_ever() {
        let h = HealthChecks::default();
        let first = create(&h, "ref", HTTP);
        let id = id_of(&first);
        // A retry with the same settings (defaults spelled out or not) gets the same check.
        let again = create(&h, "ref", &format!("{HTTP}<Port>80</Port>"));
        assert_eq!(outcome(&again), (201, "ok"));
        assert_eq!(id_of(&again), id);
        assert_eq!(body(&h.count()).text_at(&["HealthCheckCount"]), Some("1"));
        // Other settings: refused.
        let other = create(&h, "ref", &format!("{HTTP}<Port>8080</Port>"));
        assert_eq!(outcome(&other), (409, "HealthCheckAlreadyExists"));
        // After an update the old settings are other settings too.
        assert_eq!(outcome(&update(&h, &id, "<Port>81</Port>")), (200, "ok"));
        assert_eq!(
            outcome(&create(&h, "ref", HTTP)),
            (409, "HealthCheckAlreadyExists")
        );
        // A deleted check's reference stays spent.
        let del = call(&h, "DeleteHealthCheck", &format!("{PATH}/{id}"), "");
        assert_eq!(outcome(&del), (200, "ok"));
        assert_eq!(
            outcome(&create(&h, "ref", &format!("{HTTP}<Port>81</Port>"))),
            (409, "HealthCheckAlreadyExists")
        );
        assert_eq!(outcome(&create(&h, "", HTTP)), (400, "InvalidInput"));
        assert_eq!(
            outcome(&create(&h, &"r".repeat(65), HTTP)),
            (400, "InvalidInput")
        );
    }

    #[test]
    fn settings_route53_refuses_are_invalid_input() {
        let h = HealthChecks::default();
        for (config, says) in [
            ("<IPAddress>10.0.0.1</IPAddress><Type>HTTP</Type>", "10.0.0.0/8 (private)"),
            ("<IPAddress>1.2.3</IPAddress><Type>HTTP</Type>", "not an IPv4 or IPv6"),
            ("<Type>HTTP</Type>", "need ip_address or fqdn"),
            ("<Type>BOGUS</Type>", "is not one of HTTP"),
            ("<FullyQualifiedDomainName>x</FullyQualifiedDomainName>", "is not one of HTTP"),
            ("<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold>", "need child_health_checks"),
            ("<Type>CLOUDWATCH_METRIC</Type>", "need cloudwatch_alarm_name"),
            ("<Type>RECOVERY_CONTROL</Type>", "need routing_control_arn"),
            (&format!("{HTTP}<Port>http</Port>"), "is not a number"),
            (&format!("{HTTP}<Inverted>yes</Inverted>"), "is not true or false"),
            (&format!("{HTTP}<RequestInterval>20</RequestInterval>"), "10 or 30"),
            (&format!("{HTTP}<SearchString>x</SearchString>"), "search_string applies only"),
            (&format!("{HTTP}<AlarmIdentifier><Region>us-east-1</Region><Name>a</Name></AlarmIdentifier>"), "does not apply to HTTP"),
            (&format!("{HTTP}<Regions><Region>us-east-1</Region></Regions>"), "at least 3"),
        ] {
            let a = create(&h, "c", config);
            assert_eq!(outcome(&a), (400, "InvalidInput"), "{config}");
            assert!(message(&a).contains(says), "{config}: {a:?}");
        }
        let not_xml = call(&h, "CreateHealthCheck", PATH, "<oops");
        assert_eq!(outcome(&not_xml), (400, "InvalidInput"));
        let no_config = call(&h, "CreateHealthCheck", PATH, "<CreateHealthCheckRequest><CallerReference>c</CallerReference></CreateHealthCheckRequest>");
        assert_eq!(outcome(&no_config), (400, "InvalidInput"));
        // Nothing refused was stored, and its reference is still free.
        assert_eq!(body(&h.count()).text_at(&["HealthCheckCount"]), Some("0"));
        assert_eq!(outcome(&create(&h, "c", HTTP)), (201, "ok"));
    }

    #[test]
    fn an_update_needs_the_current_version_and_changes_only_what_it_sends() {
        let h = HealthChecks::default();
        let id = id_of(&create(&h, "u", &format!("<IPAddress>8.8.8.8</IPAddress><Type>HTTPS</Type><ResourcePath>/a</ResourcePath>{REGIONS}")));
        // Only FailureThreshold changes: the regions stay (moto clears them).
        let a = update(
            &h,
            &id,
            "<HealthCheckVersion>1</HealthCheckVersion><FailureThreshold>5</FailureThreshold>",
        );
        assert_eq!(outcome(&a), (200, "ok"));
        assert_eq!(version_of(&a), "2");
        let c = config_of(&a);
        assert_eq!(c.text_at(&["FailureThreshold"]), Some("5"));
        assert_eq!(list(&c, "Regions", "Region").unwrap().len(), 3);
        assert_eq!(c.text_at(&["ResourcePath"]), Some("/a"));
        // A stale version: 409, nothing changes.
        let stale = update(
            &h,
            &id,
            "<HealthCheckVersion>1</HealthCheckVersion><FailureThreshold>7</FailureThreshold>",
        );
        assert_eq!(outcome(&stale), (409, "HealthCheckVersionMismatch"));
        assert_eq!(version_of(&get(&h, &id)), "2");
        assert_eq!(
            outcome(&update(
                &h,
                &id,
                "<HealthCheckVersion>0</HealthCheckVersion>"
            )),
            (400, "InvalidInput")
        );
        // ResetElements clear; the address may change; no version means "whatever it is".
        let a = update(&h, &id, "<IPAddress>1.1.1.1</IPAddress><ResetElements><ResettableElementName>Regions</ResettableElementName><ResettableElementName>ResourcePath</ResettableElementName></ResetElements>");
        assert_eq!(outcome(&a), (200, "ok"));
        assert_eq!(version_of(&a), "3");
        let c = config_of(&a);
        assert!(c.child("Regions").is_none() && c.child("ResourcePath").is_none());
        assert_eq!(c.text_at(&["IPAddress"]), Some("1.1.1.1"));
        assert_eq!(
            outcome(&update(&h, &id, "<ResetElements><ResettableElementName>Port</ResettableElementName></ResetElements>")),
            (400, "InvalidInput")
        );
        // The address may not go, and the result must be valid.
        assert_eq!(
            outcome(&update(&h, &id, "<IPAddress></IPAddress>")),
            (400, "InvalidInput")
        );
        let a = update(&h, &id, "<IPAddress>192.168.1.1</IPAddress>");
        assert!(message(&a).contains("private"), "{a:?}");
        assert_eq!(
            outcome(&update(&h, &id, "<Port>0</Port>")),
            (400, "InvalidInput")
        );
        assert_eq!(version_of(&get(&h, &id)), "3");

        // A check made with only a name cannot gain an address, nor lose its name.
        let named = id_of(&create(&h, "n", HTTP));
        assert_eq!(
            outcome(&update(&h, &named, "<IPAddress>8.8.8.8</IPAddress>")),
            (400, "InvalidInput")
        );
        let a = update(&h, &named, "<ResetElements><ResettableElementName>FullyQualifiedDomainName</ResettableElementName></ResetElements>");
        assert!(message(&a).contains("need ip_address or fqdn"), "{a:?}");

        // CALCULATED: children replace, threshold changes, an endpoint setting is refused.
        let calc = id_of(&create(&h, "c", &format!("<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{id}</ChildHealthCheck></ChildHealthChecks>")));
        let a = update(&h, &calc, &format!("<HealthThreshold>2</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{id}</ChildHealthCheck><ChildHealthCheck>{named}</ChildHealthCheck></ChildHealthChecks>"));
        let c = config_of(&a);
        assert_eq!(c.text_at(&["HealthThreshold"]), Some("2"));
        assert_eq!(
            list(&c, "ChildHealthChecks", "ChildHealthCheck")
                .unwrap()
                .len(),
            2
        );
        let a = update(&h, &calc, "<Inverted>true</Inverted>");
        assert_eq!(
            list(&config_of(&a), "ChildHealthChecks", "ChildHealthCheck")
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            outcome(&update(&h, &calc, "<FailureThreshold>3</FailureThreshold>")),
            (400, "InvalidInput")
        );
        // CLOUDWATCH_METRIC: the alarm and the insufficient-data status change in place.
        let cw = id_of(&create(&h, "cw", "<Type>CLOUDWATCH_METRIC</Type><AlarmIdentifier><Region>eu-west-1</Region><Name>a</Name></AlarmIdentifier>"));
        let a = update(&h, &cw, "<AlarmIdentifier><Region>us-east-1</Region><Name>b</Name></AlarmIdentifier><InsufficientDataHealthStatus>Unhealthy</InsufficientDataHealthStatus>");
        let c = config_of(&a);
        assert_eq!(c.text_at(&["AlarmIdentifier", "Name"]), Some("b"));
        assert_eq!(
            c.text_at(&["InsufficientDataHealthStatus"]),
            Some("Unhealthy")
        );

        assert_eq!(
            outcome(&update(&h, "nope", "<Port>81</Port>")),
            (404, "NoSuchHealthCheck")
        );
        assert_eq!(
            outcome(&call(
                &h,
                "UpdateHealthCheck",
                &format!("{PATH}/{id}"),
                "<x"
            )),
            (400, "InvalidInput")
        );
    }

    #[test]
    fn a_check_a_calculated_check_combines_cannot_be_deleted() {
        let h = HealthChecks::default();
        let child = id_of(&create(&h, "child", HTTP));
        let parent = id_of(&create(&h, "parent", &format!("<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{child}</ChildHealthCheck></ChildHealthChecks>")));
        let del = |id: &str| call(&h, "DeleteHealthCheck", &format!("{PATH}/{id}"), "");
        let a = del(&child);
        assert_eq!(outcome(&a), (400, "HealthCheckInUse"));
        assert!(message(&a).contains(&parent), "{a:?}");
        assert_eq!(outcome(&del(&parent)), (200, "ok"));
        assert_eq!(outcome(&del(&child)), (200, "ok"));
        assert_eq!(outcome(&del(&child)), (404, "NoSuchHealthCheck"));
        assert_eq!(outcome(&get(&h, &child)), (404, "NoSuchHealthCheck"));
    }

    #[test]
    fn the_list_pages_in_creation_order() {
        let h = HealthChecks::default();
        let ids: Vec<String> = (0..5)
            .map(|i| id_of(&create(&h, &format!("l{i}"), HTTP)))
            .collect();
        let page = |q: &str| call(&h, "ListHealthChecks", &format!("{PATH}{q}"), "");
        let ids_in = |a: &Answer| -> Vec<String> {
            let doc = body(a);
            let mut found = Vec::new();
            doc.find_all("Id", &mut found);
            found.iter().map(|e| text(e).to_string()).collect()
        };
        let first = page("?maxitems=2");
        let doc = body(&first);
        assert_eq!(ids_in(&first), ids[..2]);
        assert_eq!(doc.text_at(&["IsTruncated"]), Some("true"));
        assert_eq!(doc.text_at(&["MaxItems"]), Some("2"));
        assert_eq!(doc.text_at(&["Marker"]), Some(""));
        let next = doc.text_at(&["NextMarker"]).unwrap().to_string();
        assert_eq!(next, ids[2]);
        let second = page(&format!("?marker={next}&maxitems=3"));
        assert_eq!(ids_in(&second), ids[2..]);
        let doc = body(&second);
        assert_eq!(doc.text_at(&["IsTruncated"]), Some("false"));
        assert!(doc.child("NextMarker").is_none());
        let all = page("");
        assert_eq!(ids_in(&all), ids);
        assert_eq!(body(&all).text_at(&["MaxItems"]), Some("100"));
        for q in [
            "?maxitems=0",
            "?maxitems=x",
            "?maxitems=1001",
            "?marker=gone",
        ] {
            assert_eq!(outcome(&page(q)), (400, "InvalidInput"), "{q}");
        }
        let count = call(
            &h,
            "GetHealthCheckCount",
            "/2013-04-01/healthcheckcount",
            "",
        );
        assert_eq!(body(&count).text_at(&["HealthCheckCount"]), Some("5"));
    }

    #[test]
    fn status_has_one_observation_per_checker_region_and_a_checker_can_set_it() {
        let h = HealthChecks::default();
        let all = id_of(&create(&h, "all", HTTP));
        let three = id_of(&create(&h, "three", &format!("{HTTP}{REGIONS}")));
        let status = |id: &str, what: &str| {
            body(&call(
                &h,
                if what == "status" {
                    "GetHealthCheckStatus"
                } else {
                    "GetHealthCheckLastFailureReason"
                },
                &format!("{PATH}/{id}/{what}"),
                "",
            ))
        };
        let observations = |doc: &Element| {
            doc.child("HealthCheckObservations")
                .unwrap()
                .children_named("HealthCheckObservation")
                .map(|o| {
                    (
                        o.text_at(&["Region"]).unwrap().to_string(),
                        o.text_at(&["IPAddress"]).unwrap().to_string(),
                        o.text_at(&["StatusReport", "Status"]).unwrap().to_string(),
                        o.text_at(&["StatusReport", "CheckedTime"])
                            .unwrap()
                            .to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let seen = observations(&status(&all, "status"));
        assert_eq!(seen.len(), CHECKER_REGIONS.len());
        for (region, ip, s, t) in &seen {
            assert!(CHECKER_REGIONS.contains(&region.as_str()));
            assert!(ip.starts_with("127.0.1."), "{ip}");
            assert_eq!(s, DEFAULT_STATUS);
            assert!(t.ends_with('Z') && t.len() == 24, "{t}");
        }
        assert_eq!(observations(&status(&three, "status")).len(), 3);
        assert!(observations(&status(&three, "lastfailurereason")).is_empty());

        // What a checker records shows in both.
        let failure = Observation {
            status: "Failure: Connection timed out.".into(),
            checked: UNIX_EPOCH,
        };
        h.health().record(&three, "eu-west-1", failure.clone());
        let seen = observations(&status(&three, "status"));
        let eu = seen.iter().find(|o| o.0 == "eu-west-1").unwrap();
        assert_eq!(eu.2, failure.status);
        assert_eq!(eu.3, "1970-01-01T00:00:00.000Z");
        let failed = observations(&status(&three, "lastfailurereason"));
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].0, "eu-west-1");
        // A later success is the status; the failure stays the last failure.
        h.health().record(
            &three,
            "eu-west-1",
            Observation {
                status: DEFAULT_STATUS.into(),
                checked: SystemTime::now(),
            },
        );
        let seen = observations(&status(&three, "status"));
        assert!(seen.iter().all(|o| o.2 == DEFAULT_STATUS));
        assert_eq!(observations(&status(&three, "lastfailurereason")).len(), 1);

        for what in ["status", "lastfailurereason"] {
            let act = if what == "status" {
                "GetHealthCheckStatus"
            } else {
                "GetHealthCheckLastFailureReason"
            };
            let a = call(&h, act, &format!("{PATH}/nope/{what}"), "");
            assert_eq!(outcome(&a), (404, "NoSuchHealthCheck"));
        }
        let ranges = call(&h, "GetCheckerIpRanges", "/2013-04-01/checkeripranges", "");
        assert_eq!(
            body(&ranges).text_at(&["CheckerIpRanges", "member"]),
            Some(CHECKER_IP_RANGE)
        );
    }

    #[test]
    fn the_account_quota_is_route53s_default() {
        let h = HealthChecks::default();
        for i in 0..MAX_HEALTH_CHECKS {
            assert_eq!(outcome(&create(&h, &format!("q{i}"), HTTP)), (201, "ok"));
        }
        assert_eq!(
            outcome(&create(&h, "one more", HTTP)),
            (400, "TooManyHealthChecks")
        );
    }

    #[test]
    fn tags_and_record_sets_may_name_only_existing_checks() {
        let h = HealthChecks::default();
        let id = id_of(&create(&h, "t", HTTP));
        let tags = |act: &str, path: &str, body: &str| h.check_tags(act, path, body.as_bytes());
        assert_eq!(
            tags(
                "ListTagsForResource",
                &format!("/2013-04-01/tags/healthcheck/{id}"),
                ""
            ),
            None
        );
        let a = tags(
            "ChangeTagsForResource",
            "/2013-04-01/tags/healthcheck/nope",
            "<x/>",
        )
        .unwrap();
        assert_eq!(outcome(&a), (404, "NoSuchHealthCheck"));
        assert_eq!(
            tags(
                "ChangeTagsForResource",
                "/2013-04-01/tags/hostedzone/Z1",
                ""
            ),
            None
        );
        let many = |ids: &[&str]| {
            let ids: String = ids
                .iter()
                .map(|i| format!("<ResourceId>{i}</ResourceId>"))
                .collect();
            format!("<ListTagsForResourcesRequest xmlns=\"{NS}\"><ResourceIds>{ids}</ResourceIds></ListTagsForResourcesRequest>")
        };
        assert_eq!(
            tags(
                "ListTagsForResources",
                "/2013-04-01/tags/healthcheck",
                &many(&[&id])
            ),
            None
        );
        let a = tags(
            "ListTagsForResources",
            "/2013-04-01/tags/healthcheck",
            &many(&[&id, "nope"]),
        )
        .unwrap();
        assert!(message(&a).contains("nope"), "{a:?}");

        let batch = |action: &str, hc: &str| {
            format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes><Change><Action>{action}</Action><ResourceRecordSet><Name>a.ex.test.</Name><Type>A</Type><SetIdentifier>one</SetIdentifier><Weight>1</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords><HealthCheckId>{hc}</HealthCheckId></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>")
        };
        assert_eq!(h.check_batch(batch("CREATE", &id).as_bytes()), None);
        for action in ["CREATE", "UPSERT"] {
            let a = h.check_batch(batch(action, "nope").as_bytes()).unwrap();
            assert_eq!(outcome(&a), (400, "NoSuchHealthCheck"));
            assert!(
                message(&a).contains("No health check found with id: nope"),
                "{a:?}"
            );
        }
        // A record set whose check is gone can still be deleted.
        assert_eq!(h.check_batch(batch("DELETE", "nope").as_bytes()), None);
    }

    #[test]
    fn timestamps_are_utc_iso8601() {
        let t = UNIX_EPOCH + std::time::Duration::from_millis(1_796_654_924_123);
        assert_eq!(iso8601(t), "2026-12-07T14:48:44.123Z");
        assert_eq!(
            iso8601(UNIX_EPOCH + std::time::Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00.000Z"
        );
    }
}
