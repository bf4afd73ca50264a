//! Route 53 health checks as Route 53 defines them: the eight kinds, their settings, the rules each
//! kind must follow (checked before any API call — the emulator checks none of them), which changes
//! UpdateHealthCheck cannot make (so they replace the check), and the addresses a public check may
//! not target. Pure: no I/O, no SDK types.

use std::net::IpAddr;

use crate::record::RuleError;

mod address;
mod verdict;
pub use address::refused_address;
pub use verdict::{calculated_verdict, checkers_verdict, routing_verdict};

/// What a health check watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Http,
    Https,
    HttpStrMatch,
    HttpsStrMatch,
    Tcp,
    Calculated,
    CloudwatchMetric,
    RecoveryControl,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Http,
        Kind::Https,
        Kind::HttpStrMatch,
        Kind::HttpsStrMatch,
        Kind::Tcp,
        Kind::Calculated,
        Kind::CloudwatchMetric,
        Kind::RecoveryControl,
    ];

    /// Route 53's spelling (`HTTPS_STR_MATCH`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Http => "HTTP",
            Kind::Https => "HTTPS",
            Kind::HttpStrMatch => "HTTP_STR_MATCH",
            Kind::HttpsStrMatch => "HTTPS_STR_MATCH",
            Kind::Tcp => "TCP",
            Kind::Calculated => "CALCULATED",
            Kind::CloudwatchMetric => "CLOUDWATCH_METRIC",
            Kind::RecoveryControl => "RECOVERY_CONTROL",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Checkers connect to an endpoint (an address or a name) for these.
    pub fn probes_endpoint(self) -> bool {
        matches!(
            self,
            Kind::Http | Kind::Https | Kind::HttpStrMatch | Kind::HttpsStrMatch | Kind::Tcp
        )
    }

    pub fn is_tls(self) -> bool {
        matches!(self, Kind::Https | Kind::HttpsStrMatch)
    }

    pub fn matches_string(self) -> bool {
        matches!(self, Kind::HttpStrMatch | Kind::HttpsStrMatch)
    }
}

/// The CloudWatch alarm a CLOUDWATCH_METRIC check follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    pub name: String,
    pub region: String,
}

/// A health check's settings as configured: `None` is "not set" (Route 53's default applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheck {
    pub kind: Kind,
    pub ip_address: Option<String>,
    pub fqdn: Option<String>,
    pub port: Option<i64>,
    pub resource_path: Option<String>,
    pub search_string: Option<String>,
    pub request_interval: Option<i64>,
    pub failure_threshold: Option<i64>,
    pub measure_latency: Option<bool>,
    pub invert: Option<bool>,
    pub disabled: Option<bool>,
    pub enable_sni: Option<bool>,
    pub regions: Option<Vec<String>>,
    pub child_health_checks: Option<Vec<String>>,
    pub health_threshold: Option<i64>,
    pub alarm: Option<Alarm>,
    pub insufficient_data_health_status: Option<String>,
    pub routing_control_arn: Option<String>,
}

impl HealthCheck {
    /// A check of `kind` with nothing else set.
    pub fn new(kind: Kind) -> HealthCheck {
        HealthCheck {
            kind,
            ip_address: None,
            fqdn: None,
            port: None,
            resource_path: None,
            search_string: None,
            request_interval: None,
            failure_threshold: None,
            measure_latency: None,
            invert: None,
            disabled: None,
            enable_sni: None,
            regions: None,
            child_health_checks: None,
            health_threshold: None,
            alarm: None,
            insufficient_data_health_status: None,
            routing_control_arn: None,
        }
    }
}

/// The regions Route 53's checkers run in (a check's `regions` is a subset of at least three).
pub const CHECKER_REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
];

/// Route 53's limits.
pub const MAX_FQDN_CHARS: usize = 255;
pub const MAX_PATH_CHARS: usize = 255;
pub const MAX_SEARCH_CHARS: usize = 255;
pub const MAX_CHILDREN: usize = 256;
pub const MAX_CHILD_ID_CHARS: usize = 64;
pub const MAX_ALARM_NAME_CHARS: usize = 256;
pub const MAX_ARN_CHARS: usize = 255;
pub const MIN_REGIONS: usize = 3;
pub const INSUFFICIENT_DATA: [&str; 3] = ["Healthy", "Unhealthy", "LastKnownStatus"];

fn err(field: &'static str, message: impl Into<String>) -> RuleError {
    RuleError {
        field,
        message: message.into(),
    }
}

impl HealthCheck {
    /// Every Route 53 rule these settings break (empty when valid), each naming its field.
    pub fn check(&self) -> Vec<RuleError> {
        let mut out = Vec::new();
        let k = self.kind;
        let kind = k.as_str();
        // Settings that mean nothing for this kind: Route 53 refuses (or silently ignores) them.
        let not_for = |out: &mut Vec<RuleError>, field: &'static str, set: bool| {
            if set {
                out.push(err(
                    field,
                    format!("{field} does not apply to {kind} health checks"),
                ));
            }
        };

        if k.probes_endpoint() {
            match (&self.ip_address, &self.fqdn) {
                (None, None) => out.push(err(
                    "fqdn",
                    format!("{kind} health checks need ip_address or fqdn (the endpoint to probe)"),
                )),
                (Some(ip), _) => match ip.parse::<IpAddr>() {
                    Err(_) => out.push(err(
                        "ip_address",
                        format!("{ip:?} is not an IPv4 or IPv6 address"),
                    )),
                    Ok(addr) => {
                        if let Some(range) = refused_address(addr) {
                            out.push(err(
                                "ip_address",
                                format!(
                                    "Route 53 does not check {addr}: it is in {range}; give a public address, or an fqdn"
                                ),
                            ));
                        }
                    }
                },
                _ => {}
            }
            if let Some(f) = &self.fqdn {
                if f.is_empty() || f.len() > MAX_FQDN_CHARS {
                    out.push(err(
                        "fqdn",
                        format!("fqdn must be 1 to {MAX_FQDN_CHARS} characters"),
                    ));
                }
            }
            match self.port {
                Some(p) if !(1..=65_535).contains(&p) => {
                    out.push(err("port", format!("port {p} is outside 1..65535")))
                }
                None if k == Kind::Tcp => out.push(err("port", "TCP health checks need a port")),
                _ => {}
            }
            if let Some(p) = &self.resource_path {
                if k == Kind::Tcp {
                    not_for(&mut out, "resource_path", true);
                } else if p.len() > MAX_PATH_CHARS {
                    out.push(err(
                        "resource_path",
                        format!("resource_path is over {MAX_PATH_CHARS} characters"),
                    ));
                }
            }
            match (&self.search_string, k.matches_string()) {
                (None, true) => out.push(err(
                    "search_string",
                    format!("{kind} health checks need search_string (what the response body must contain)"),
                )),
                (Some(s), true) if s.is_empty() || s.len() > MAX_SEARCH_CHARS => out.push(err(
                    "search_string",
                    format!("search_string must be 1 to {MAX_SEARCH_CHARS} characters"),
                )),
                (Some(_), false) => out.push(err(
                    "search_string",
                    format!("search_string applies only to HTTP_STR_MATCH and HTTPS_STR_MATCH, not {kind}"),
                )),
                _ => {}
            }
            if self.enable_sni == Some(true) && !k.is_tls() {
                out.push(err(
                    "enable_sni",
                    format!("enable_sni applies only to HTTPS checks, not {kind}"),
                ));
            }
            if let Some(regions) = &self.regions {
                check_regions(regions, &mut out);
            }
        } else {
            for (field, set) in [
                ("ip_address", self.ip_address.is_some()),
                ("fqdn", self.fqdn.is_some()),
                ("port", self.port.is_some()),
                ("resource_path", self.resource_path.is_some()),
                ("search_string", self.search_string.is_some()),
                ("enable_sni", self.enable_sni == Some(true)),
                ("regions", self.regions.is_some()),
            ] {
                not_for(&mut out, field, set);
            }
        }

        // How often and how many: the checkers' settings, not those of a derived status.
        if matches!(
            k,
            Kind::Calculated | Kind::RecoveryControl | Kind::CloudwatchMetric
        ) {
            not_for(
                &mut out,
                "request_interval",
                self.request_interval.is_some(),
            );
            not_for(
                &mut out,
                "failure_threshold",
                self.failure_threshold.is_some(),
            );
            not_for(
                &mut out,
                "measure_latency",
                self.measure_latency == Some(true),
            );
        } else {
            if let Some(i) = self.request_interval {
                if i != 10 && i != 30 {
                    out.push(err(
                        "request_interval",
                        format!("request_interval is 10 or 30 seconds, not {i}"),
                    ));
                }
            }
            if let Some(t) = self.failure_threshold {
                if !(1..=10).contains(&t) {
                    out.push(err(
                        "failure_threshold",
                        format!("failure_threshold {t} is outside 1..10"),
                    ));
                }
            }
        }

        if k == Kind::Calculated {
            match &self.child_health_checks {
                None => out.push(err(
                    "child_health_checks",
                    "CALCULATED health checks need child_health_checks (the checks they combine)",
                )),
                Some(c) => {
                    if c.is_empty() || c.len() > MAX_CHILDREN {
                        out.push(err(
                            "child_health_checks",
                            format!(
                                "child_health_checks holds 1 to {MAX_CHILDREN} checks, not {}",
                                c.len()
                            ),
                        ));
                    }
                    for (i, id) in c.iter().enumerate() {
                        if id.is_empty() || id.len() > MAX_CHILD_ID_CHARS {
                            out.push(err(
                                "child_health_checks",
                                format!("{id:?} is not a health check ID"),
                            ));
                        } else if c.get(..i).is_some_and(|before| before.contains(id)) {
                            out.push(err("child_health_checks", format!("{id} is listed twice")));
                        }
                    }
                }
            }
            match self.health_threshold {
                None => out.push(err(
                    "health_threshold",
                    "CALCULATED health checks need health_threshold (how many children must be healthy)",
                )),
                Some(t) if !(0..=256).contains(&t) => {
                    out.push(err("health_threshold", format!("health_threshold {t} is outside 0..256")))
                }
                _ => {}
            }
        } else {
            not_for(
                &mut out,
                "child_health_checks",
                self.child_health_checks.is_some(),
            );
            not_for(
                &mut out,
                "health_threshold",
                self.health_threshold.is_some(),
            );
        }

        if k == Kind::CloudwatchMetric {
            match &self.alarm {
                None => out.push(err(
                    "cloudwatch_alarm_name",
                    "CLOUDWATCH_METRIC health checks need cloudwatch_alarm_name and cloudwatch_alarm_region",
                )),
                Some(a) => {
                    if a.name.is_empty() || a.name.len() > MAX_ALARM_NAME_CHARS {
                        out.push(err(
                            "cloudwatch_alarm_name",
                            format!("cloudwatch_alarm_name must be 1 to {MAX_ALARM_NAME_CHARS} characters"),
                        ));
                    }
                    if !looks_like_region(&a.region) {
                        out.push(err(
                            "cloudwatch_alarm_region",
                            format!("{:?} is not an AWS region name (like us-east-1)", a.region),
                        ));
                    }
                }
            }
            if let Some(s) = &self.insufficient_data_health_status {
                if !INSUFFICIENT_DATA.contains(&s.as_str()) {
                    out.push(err(
                        "insufficient_data_health_status",
                        format!(
                            "insufficient_data_health_status is one of {}, not {s:?}",
                            INSUFFICIENT_DATA.join(", ")
                        ),
                    ));
                }
            }
        } else {
            // The established provider's users hit Route 53's "Basic health checks must not have
            // an metric region specified" only at apply time (terraform-provider-aws #22993).
            not_for(&mut out, "cloudwatch_alarm_name", self.alarm.is_some());
            not_for(
                &mut out,
                "insufficient_data_health_status",
                self.insufficient_data_health_status.is_some(),
            );
        }

        if k == Kind::RecoveryControl {
            match &self.routing_control_arn {
                None => out.push(err(
                    "routing_control_arn",
                    "RECOVERY_CONTROL health checks need routing_control_arn",
                )),
                Some(a) if !a.starts_with("arn:") || a.len() > MAX_ARN_CHARS => out.push(err(
                    "routing_control_arn",
                    format!("{a:?} is not an ARN of at most {MAX_ARN_CHARS} characters"),
                )),
                _ => {}
            }
        } else {
            not_for(
                &mut out,
                "routing_control_arn",
                self.routing_control_arn.is_some(),
            );
        }
        out
    }
}

fn check_regions(regions: &[String], out: &mut Vec<RuleError>) {
    for (i, r) in regions.iter().enumerate() {
        if !CHECKER_REGIONS.contains(&r.as_str()) {
            out.push(err(
                "regions",
                format!(
                    "{r:?} has no Route 53 health checkers; pick from {}",
                    CHECKER_REGIONS.join(", ")
                ),
            ));
        } else if regions.get(..i).is_some_and(|before| before.contains(r)) {
            out.push(err("regions", format!("{r} is listed twice")));
        }
    }
    if regions.len() < MIN_REGIONS {
        out.push(err(
            "regions",
            format!(
                "regions needs at least {MIN_REGIONS} checker regions, not {} (leave it unset for all of them)",
                regions.len()
            ),
        ));
    }
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: letters and hyphens, then a number.
fn looks_like_region(r: &str) -> bool {
    let Some((head, n)) = r.rsplit_once('-') else {
        return false;
    };
    r.len() <= 32
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit())
        && head.split('-').count() >= 2
        && head
            .split('-')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The settings whose change UpdateHealthCheck cannot make, so the check must be replaced (by
/// field name): the kind, how often and whether latency is measured, the routing control, and
/// adding or removing the IP address (changing it is an update).
pub fn replacing_changes(prior: &HealthCheck, planned: &HealthCheck) -> Vec<&'static str> {
    let mut out = Vec::new();
    if prior.kind != planned.kind {
        out.push("type");
    }
    // Unset on either side is "whatever the check has": only two explicit values that differ
    // replace (a computed attribute left unset must not, terraform-provider-aws #23514).
    let differ = |a: Option<i64>, b: Option<i64>| matches!((a, b), (Some(x), Some(y)) if x != y);
    if differ(prior.request_interval, planned.request_interval) {
        out.push("request_interval");
    }
    if matches!((prior.measure_latency, planned.measure_latency), (Some(x), Some(y)) if x != y) {
        out.push("measure_latency");
    }
    if prior.routing_control_arn != planned.routing_control_arn {
        out.push("routing_control_arn");
    }
    if prior.ip_address.is_some() != planned.ip_address.is_some() {
        out.push("ip_address");
    }
    out
}

/// What UpdateHealthCheck sends to turn `prior` into `planned` (when [`replacing_changes`] is
/// empty): only the settings that differ — Route 53 leaves every setting it is not sent as it is —
/// and the settings to clear (`ResetElements`, Route 53's spelling), for the four it can clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// `planned`'s value for each setting that changes; `None` for the rest. The kind is the same.
    pub set: HealthCheck,
    pub reset: Vec<&'static str>,
}

impl Update {
    /// Nothing to send.
    pub fn is_empty(&self) -> bool {
        self.reset.is_empty() && self.set == HealthCheck::new(self.set.kind)
    }
}

/// The update from `prior` to `planned`. A setting unset in `planned` is left as it is, except
/// the four Route 53 can clear, which are cleared when `prior` has them.
pub fn update_for(prior: &HealthCheck, planned: &HealthCheck) -> Update {
    fn changed<T: Clone + PartialEq>(p: &Option<T>, n: &Option<T>) -> Option<T> {
        match n {
            Some(v) if p.as_ref() != Some(v) => Some(v.clone()),
            _ => None,
        }
    }
    let mut set = HealthCheck::new(planned.kind);
    set.ip_address = changed(&prior.ip_address, &planned.ip_address);
    set.fqdn = changed(&prior.fqdn, &planned.fqdn);
    set.port = changed(&prior.port, &planned.port);
    set.resource_path = changed(&prior.resource_path, &planned.resource_path);
    set.search_string = changed(&prior.search_string, &planned.search_string);
    set.failure_threshold = changed(&prior.failure_threshold, &planned.failure_threshold);
    set.invert = changed(&prior.invert, &planned.invert);
    set.disabled = changed(&prior.disabled, &planned.disabled);
    set.enable_sni = changed(&prior.enable_sni, &planned.enable_sni);
    set.health_threshold = changed(&prior.health_threshold, &planned.health_threshold);
    set.alarm = changed(&prior.alarm, &planned.alarm);
    set.insufficient_data_health_status = changed(
        &prior.insufficient_data_health_status,
        &planned.insufficient_data_health_status,
    );
    // Lists compare as sets: Route 53 may return them in another order.
    let as_set = |v: &Option<Vec<String>>| {
        v.as_ref().map(|l| {
            let mut s = l.clone();
            s.sort();
            s.dedup();
            s
        })
    };
    if planned.regions.is_some() && as_set(&prior.regions) != as_set(&planned.regions) {
        set.regions = planned.regions.clone();
    }
    if planned.child_health_checks.is_some()
        && as_set(&prior.child_health_checks) != as_set(&planned.child_health_checks)
    {
        set.child_health_checks = planned.child_health_checks.clone();
    }
    let mut reset = Vec::new();
    for (name, had, has) in [
        (
            "FullyQualifiedDomainName",
            prior.fqdn.is_some(),
            planned.fqdn.is_some(),
        ),
        (
            "Regions",
            prior.regions.is_some(),
            planned.regions.is_some(),
        ),
        (
            "ResourcePath",
            prior.resource_path.is_some(),
            planned.resource_path.is_some(),
        ),
        (
            "ChildHealthChecks",
            prior.child_health_checks.is_some(),
            planned.child_health_checks.is_some(),
        ),
    ] {
        if had && !has {
            reset.push(name);
        }
    }
    Update { set, reset }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(h: &HealthCheck) -> Vec<&'static str> {
        h.check().into_iter().map(|e| e.field).collect()
    }

    fn http() -> HealthCheck {
        HealthCheck {
            fqdn: Some("www.example.com".into()),
            ..HealthCheck::new(Kind::Http)
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("http"), None);
    }

    #[test]
    fn valid_checks_of_every_kind() {
        let ok = [
            http(),
            HealthCheck {
                ip_address: Some("8.8.8.8".into()),
                port: Some(443),
                enable_sni: Some(true),
                regions: Some(vec!["us-east-1".into(), "eu-west-1".into(), "sa-east-1".into()]),
                request_interval: Some(10),
                failure_threshold: Some(1),
                ..HealthCheck::new(Kind::Https)
            },
            HealthCheck {
                search_string: Some("ok".into()),
                resource_path: Some("/health".into()),
                ..HealthCheck { kind: Kind::HttpStrMatch, ..http() }
            },
            HealthCheck {
                port: Some(5432),
                ..HealthCheck { kind: Kind::Tcp, ..http() }
            },
            HealthCheck {
                child_health_checks: Some(vec!["a".into(), "b".into()]),
                health_threshold: Some(0),
                ..HealthCheck::new(Kind::Calculated)
            },
            HealthCheck {
                alarm: Some(Alarm { name: "cpu".into(), region: "us-gov-west-1".into() }),
                insufficient_data_health_status: Some("LastKnownStatus".into()),
                ..HealthCheck::new(Kind::CloudwatchMetric)
            },
            HealthCheck {
                routing_control_arn: Some("arn:aws:route53-recovery-control::111111111111:controlpanel/x/routingcontrol/y".into()),
                ..HealthCheck::new(Kind::RecoveryControl)
            },
        ];
        for h in ok {
            assert_eq!(h.check(), [], "{h:?}");
        }
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases: Vec<(HealthCheck, &str, &str)> = vec![
            (
                HealthCheck::new(Kind::Http),
                "fqdn",
                "need ip_address or fqdn",
            ),
            (
                HealthCheck {
                    ip_address: Some("10.1.2.3".into()),
                    ..http()
                },
                "ip_address",
                "10.0.0.0/8 (private)",
            ),
            (
                HealthCheck {
                    ip_address: Some("::1".into()),
                    ..http()
                },
                "ip_address",
                "loopback",
            ),
            (
                HealthCheck {
                    ip_address: Some("1.2.3".into()),
                    ..http()
                },
                "ip_address",
                "not an IPv4 or IPv6",
            ),
            (
                HealthCheck {
                    port: Some(0),
                    ..http()
                },
                "port",
                "outside 1..65535",
            ),
            (
                HealthCheck {
                    kind: Kind::Tcp,
                    ..http()
                },
                "port",
                "need a port",
            ),
            (
                HealthCheck {
                    kind: Kind::Tcp,
                    port: Some(22),
                    resource_path: Some("/".into()),
                    ..http()
                },
                "resource_path",
                "does not apply to TCP",
            ),
            (
                HealthCheck {
                    kind: Kind::HttpsStrMatch,
                    ..http()
                },
                "search_string",
                "need search_string",
            ),
            (
                HealthCheck {
                    search_string: Some("x".into()),
                    ..http()
                },
                "search_string",
                "applies only to",
            ),
            (
                HealthCheck {
                    search_string: Some("x".repeat(256)),
                    kind: Kind::HttpStrMatch,
                    ..http()
                },
                "search_string",
                "1 to 255",
            ),
            (
                HealthCheck {
                    enable_sni: Some(true),
                    ..http()
                },
                "enable_sni",
                "only to HTTPS",
            ),
            (
                HealthCheck {
                    request_interval: Some(20),
                    ..http()
                },
                "request_interval",
                "10 or 30",
            ),
            (
                HealthCheck {
                    failure_threshold: Some(11),
                    ..http()
                },
                "failure_threshold",
                "outside 1..10",
            ),
            (
                HealthCheck {
                    regions: Some(vec!["us-east-1".into(), "eu-west-1".into()]),
                    ..http()
                },
                "regions",
                "at least 3",
            ),
            (
                HealthCheck {
                    regions: Some(vec![
                        "us-east-1".into(),
                        "us-east-2".into(),
                        "eu-west-1".into(),
                    ]),
                    ..http()
                },
                "regions",
                "no Route 53 health checkers",
            ),
            (
                HealthCheck {
                    regions: Some(vec![
                        "us-east-1".into(),
                        "us-east-1".into(),
                        "eu-west-1".into(),
                    ]),
                    ..http()
                },
                "regions",
                "listed twice",
            ),
            (
                HealthCheck {
                    health_threshold: Some(1),
                    ..http()
                },
                "health_threshold",
                "does not apply to HTTP",
            ),
            (
                HealthCheck::new(Kind::Calculated),
                "child_health_checks",
                "need child_health_checks",
            ),
            (
                HealthCheck {
                    child_health_checks: Some(vec!["a".into(), "a".into()]),
                    health_threshold: Some(1),
                    ..HealthCheck::new(Kind::Calculated)
                },
                "child_health_checks",
                "listed twice",
            ),
            (
                HealthCheck {
                    child_health_checks: Some(vec!["a".into()]),
                    health_threshold: Some(257),
                    ..HealthCheck::new(Kind::Calculated)
                },
                "health_threshold",
                "outside 0..256",
            ),
            (
                HealthCheck {
                    child_health_checks: Some(vec!["a".into()]),
                    health_threshold: Some(1),
                    request_interval: Some(30),
                    ..HealthCheck::new(Kind::Calculated)
                },
                "request_interval",
                "does not apply to CALCULATED",
            ),
            (
                HealthCheck {
                    child_health_checks: Some(vec!["a".into()]),
                    health_threshold: Some(1),
                    fqdn: Some("x".into()),
                    ..HealthCheck::new(Kind::Calculated)
                },
                "fqdn",
                "does not apply to CALCULATED",
            ),
            (
                HealthCheck::new(Kind::CloudwatchMetric),
                "cloudwatch_alarm_name",
                "need cloudwatch_alarm_name",
            ),
            (
                HealthCheck {
                    alarm: Some(Alarm {
                        name: "a".into(),
                        region: "Mars".into(),
                    }),
                    ..HealthCheck::new(Kind::CloudwatchMetric)
                },
                "cloudwatch_alarm_region",
                "not an AWS region",
            ),
            (
                HealthCheck {
                    alarm: Some(Alarm {
                        name: "a".into(),
                        region: "us-east-1".into(),
                    }),
                    insufficient_data_health_status: Some("Maybe".into()),
                    ..HealthCheck::new(Kind::CloudwatchMetric)
                },
                "insufficient_data_health_status",
                "one of Healthy",
            ),
            (
                HealthCheck {
                    alarm: Some(Alarm {
                        name: "a".into(),
                        region: "us-east-1".into(),
                    }),
                    ..http()
                },
                "cloudwatch_alarm_name",
                "does not apply to HTTP",
            ),
            (
                HealthCheck::new(Kind::RecoveryControl),
                "routing_control_arn",
                "need routing_control_arn",
            ),
            (
                HealthCheck {
                    routing_control_arn: Some("x".into()),
                    ..HealthCheck::new(Kind::RecoveryControl)
                },
                "routing_control_arn",
                "not an ARN",
            ),
            (
                HealthCheck {
                    routing_control_arn: Some("arn:x".into()),
                    failure_threshold: Some(3),
                    ..HealthCheck::new(Kind::RecoveryControl)
                },
                "failure_threshold",
                "does not apply to RECOVERY_CONTROL",
            ),
        ];
        for (h, field, says) in cases {
            let errs = h.check();
            assert!(
                errs.iter()
                    .any(|e| e.field == field && e.message.contains(says)),
                "{h:?}: want {field} saying {says:?}, got {errs:?}"
            );
        }
        assert_eq!(fields(&HealthCheck::new(Kind::Http)), ["fqdn"]);
    }

    #[test]
    fn updates_send_only_what_changed_and_clear_what_was_removed() {
        let prior = HealthCheck {
            port: Some(80),
            resource_path: Some("/health".into()),
            regions: Some(vec![
                "us-east-1".into(),
                "eu-west-1".into(),
                "sa-east-1".into(),
            ]),
            failure_threshold: Some(3),
            ..http()
        };
        assert!(update_for(&prior, &prior).is_empty());
        // Regions in another order are the same regions.
        let reordered = HealthCheck {
            regions: Some(vec![
                "sa-east-1".into(),
                "us-east-1".into(),
                "eu-west-1".into(),
            ]),
            ..prior.clone()
        };
        assert!(update_for(&prior, &reordered).is_empty());

        let planned = HealthCheck {
            port: Some(8080),
            resource_path: None,
            regions: None,
            failure_threshold: None,
            disabled: Some(true),
            ..prior.clone()
        };
        let u = update_for(&prior, &planned);
        assert_eq!(
            u.set,
            HealthCheck {
                port: Some(8080),
                disabled: Some(true),
                ..HealthCheck::new(Kind::Http)
            }
        );
        // An unset failure_threshold is left as it is; path and regions are cleared.
        assert_eq!(u.reset, ["Regions", "ResourcePath"]);
    }

    #[test]
    fn replacement_only_for_what_update_cannot_change() {
        let prior = HealthCheck {
            ip_address: Some("8.8.8.8".into()),
            request_interval: Some(30),
            measure_latency: Some(false),
            ..http()
        };
        let same_with_unset = HealthCheck {
            request_interval: None,
            measure_latency: None,
            ..prior.clone()
        };
        assert_eq!(
            replacing_changes(&prior, &same_with_unset),
            Vec::<&str>::new()
        );
        let moved = HealthCheck {
            ip_address: Some("8.8.4.4".into()),
            port: Some(8080),
            resource_path: Some("/x".into()),
            ..prior.clone()
        };
        assert_eq!(replacing_changes(&prior, &moved), Vec::<&str>::new());
        let other = HealthCheck {
            kind: Kind::Https,
            ip_address: None,
            request_interval: Some(10),
            measure_latency: Some(true),
            ..prior.clone()
        };
        assert_eq!(
            replacing_changes(&prior, &other),
            ["type", "request_interval", "measure_latency", "ip_address"]
        );
    }
}
