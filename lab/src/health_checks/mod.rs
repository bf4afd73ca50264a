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

use crate::reusable_sets::api::{error, invalid, ok, query, segments};
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

fn no_such(id: &str) -> Answer {
    error(
        404,
        "NoSuchHealthCheck",
        format!("No health check exists with the specified ID {id}."),
    )
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
pub(crate) fn iso8601(t: SystemTime) -> String {
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
mod tests;
