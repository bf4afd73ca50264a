//! What the lab's checkers saw and what Route 53 makes of it. [`Health`] keeps, per check, its
//! settings, each checker region's status and reports, the CloudWatch alarm state the checker
//! last read, and the lab's routing controls; [`Health::healthy`] is Route 53's routing verdict.
//!
//! The rules are pure functions fed observations (no clocks), so they are unit tested alone:
//! - a checker region changes status only after `failure_threshold` consecutive results the other
//!   way ([`RegionStatus::next`]); a new check is healthy until it has data;
//! - an endpoint check is healthy iff more than 18% of its regions say so ([`checkers_verdict`]);
//! - disabled → healthy, then inverted flips ([`routing_verdict`]);
//! - CALCULATED: at least `health_threshold` healthy children, 0 → always ([`calculated_verdict`]);
//! - CLOUDWATCH_METRIC: OK → healthy, ALARM → unhealthy, INSUFFICIENT_DATA → the configured
//!   status or the last known one ([`alarm_healthy`]);
//! - RECOVERY_CONTROL: healthy iff the routing control is On; ARC creates routing controls Off, so
//!   one the lab was never told about is Off ([`routing_control_healthy`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::SystemTime;

use r53_zone::health_check::{
    calculated_verdict, checkers_verdict, routing_verdict, HealthCheck, Kind, CHECKER_REGIONS,
};
use serde::Deserialize;

use crate::reusable_sets::Answer;

/// What each checker region reports until a checker has probed.
pub const DEFAULT_STATUS: &str = "Success: HTTP Status Code 200, OK";
/// The lab's default time scale: checks run this many times faster than Route 53's interval.
pub const DEFAULT_TIME_SCALE: f64 = 10.0;
/// The time-scale bounds `POST /__lab/health/time_scale` accepts.
pub const MIN_TIME_SCALE: f64 = 1.0;
pub const MAX_TIME_SCALE: f64 = 1000.0;
/// How deep CALCULATED checks may nest before the lab stops following children (Route 53 refuses
/// cycles; the lab does not check for them, so it must not loop).
pub const MAX_CALCULATED_DEPTH: usize = 8;
/// Lab control bodies are small JSON documents.
pub const MAX_CONTROL_BODY: usize = 4096;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HealthError {
    #[error("health time scale {0} is out of range: it must be a number from {MIN_TIME_SCALE} to {MAX_TIME_SCALE}")]
    TimeScale(f64),
    #[error("routing control ARN must be 1 to 255 characters, got {0}")]
    RoutingControlArn(usize),
    #[error("alarm state {0:?} is not one of OK, ALARM, INSUFFICIENT_DATA")]
    AlarmState(String),
}

/// One checker region's latest report on a check.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Route 53's wording, e.g. "Success: HTTP Status Code 200, OK" or "Failure: …".
    pub status: String,
    pub checked: SystemTime,
}

impl Observation {
    pub fn failed(&self) -> bool {
        self.status.starts_with("Failure")
    }
}

/// A checker region's status: it changes only after `failure_threshold` consecutive results the
/// other way (`against` counts them). A new check is healthy until it has data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionStatus {
    pub healthy: bool,
    pub against: u32,
}

impl Default for RegionStatus {
    fn default() -> Self {
        RegionStatus {
            healthy: true,
            against: 0,
        }
    }
}

impl RegionStatus {
    /// The status after one more result (`ok`), with `threshold` (1–10; 0 is taken as 1).
    pub fn next(self, ok: bool, threshold: u32) -> RegionStatus {
        if ok == self.healthy {
            return RegionStatus {
                healthy: self.healthy,
                against: 0,
            };
        }
        let against = self.against.saturating_add(1);
        if against >= threshold.max(1) {
            RegionStatus {
                healthy: ok,
                against: 0,
            }
        } else {
            RegionStatus {
                healthy: self.healthy,
                against,
            }
        }
    }
}

/// A CloudWatch alarm's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmState {
    Ok,
    Alarm,
    InsufficientData,
}

impl AlarmState {
    pub fn parse(s: &str) -> Result<AlarmState, HealthError> {
        match s {
            "OK" => Ok(AlarmState::Ok),
            "ALARM" => Ok(AlarmState::Alarm),
            "INSUFFICIENT_DATA" => Ok(AlarmState::InsufficientData),
            other => Err(HealthError::AlarmState(other.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlarmState::Ok => "OK",
            AlarmState::Alarm => "ALARM",
            AlarmState::InsufficientData => "INSUFFICIENT_DATA",
        }
    }
}

/// CLOUDWATCH_METRIC: OK → healthy, ALARM → unhealthy; INSUFFICIENT_DATA → the check's
/// InsufficientDataHealthStatus (Healthy, Unhealthy, or LastKnownStatus, also when unset).
pub fn alarm_healthy(state: AlarmState, insufficient: Option<&str>, last_known: bool) -> bool {
    match state {
        AlarmState::Ok => true,
        AlarmState::Alarm => false,
        AlarmState::InsufficientData => match insufficient {
            Some("Healthy") => true,
            Some("Unhealthy") => false,
            _ => last_known,
        },
    }
}

/// RECOVERY_CONTROL: healthy iff the routing control is On. Application Recovery Controller
/// creates routing controls Off, so one the lab never heard of is Off.
pub fn routing_control_healthy(on: Option<bool>) -> bool {
    on.unwrap_or(false)
}

/// One checker region of one check.
#[derive(Debug, Clone, Default)]
struct Region {
    status: RegionStatus,
    latest: Option<Observation>,
    last_failure: Option<Observation>,
}

#[derive(Debug, Clone)]
struct Tracked {
    config: HealthCheck,
    regions: BTreeMap<String, Region>,
    /// The alarm state the checker last read (CLOUDWATCH_METRIC), and the health it last gave
    /// other than through INSUFFICIENT_DATA (LastKnownStatus).
    alarm: Option<(AlarmState, SystemTime)>,
    last_known: bool,
}

fn regions_of(h: &HealthCheck) -> Vec<String> {
    h.regions
        .clone()
        .unwrap_or_else(|| CHECKER_REGIONS.iter().map(|r| r.to_string()).collect())
}

#[derive(Debug, Default)]
struct Store {
    checks: HashMap<String, Tracked>,
    routing_controls: HashMap<String, bool>,
}

impl Store {
    fn verdict(&self, id: &str, depth: usize) -> bool {
        let Some(t) = self.checks.get(id) else {
            return true;
        };
        let h = &t.config;
        let disabled = h.disabled.unwrap_or(false);
        let inverted = h.invert.unwrap_or(false);
        if disabled {
            return routing_verdict(true, inverted, true);
        }
        let base = match h.kind {
            Kind::Calculated => {
                let children = h.child_health_checks.as_deref().unwrap_or_default();
                let healthy = if depth >= MAX_CALCULATED_DEPTH {
                    children.len()
                } else {
                    children
                        .iter()
                        .filter(|c| self.verdict(c, depth + 1))
                        .count()
                };
                calculated_verdict(healthy, h.health_threshold.unwrap_or(0))
            }
            Kind::CloudwatchMetric => match t.alarm {
                None => true,
                Some((s, _)) => alarm_healthy(
                    s,
                    h.insufficient_data_health_status.as_deref(),
                    t.last_known,
                ),
            },
            Kind::RecoveryControl => routing_control_healthy(
                h.routing_control_arn
                    .as_ref()
                    .and_then(|a| self.routing_controls.get(a).copied()),
            ),
            _ => {
                let healthy = t.regions.values().filter(|r| r.status.healthy).count();
                checkers_verdict(healthy, t.regions.len())
            }
        };
        routing_verdict(base, inverted, disabled)
    }
}

/// Per check: settings, checker regions' status and reports, alarm state; plus the lab's routing
/// controls and time scale. Shared by the health-check API, the checker and the name servers.
#[derive(Debug)]
pub struct Health {
    store: Mutex<Store>,
    time_scale: Mutex<f64>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            store: Mutex::default(),
            time_scale: Mutex::new(DEFAULT_TIME_SCALE),
        }
    }
}

impl Health {
    /// Route 53's routing verdict for check `id` (an unknown ID is healthy).
    pub fn healthy(&self, id: &str) -> bool {
        self.store.lock().unwrap().verdict(id, 0)
    }

    /// A check was created or updated: its settings (with Route 53's defaults). Regions it still
    /// names keep their status.
    pub(crate) fn configure(&self, id: &str, config: &HealthCheck) {
        let mut store = self.store.lock().unwrap();
        let prior = store.checks.remove(id);
        let mut regions = BTreeMap::new();
        for r in regions_of(config) {
            let kept = prior
                .as_ref()
                .and_then(|p| p.regions.get(&r).cloned())
                .unwrap_or_default();
            regions.insert(r, kept);
        }
        let (alarm, last_known) = prior
            .filter(|p| p.config.alarm == config.alarm)
            .map(|p| (p.alarm, p.last_known))
            .unwrap_or((None, true));
        store.checks.insert(
            id.to_string(),
            Tracked {
                config: config.clone(),
                regions,
                alarm,
                last_known,
            },
        );
    }

    pub(crate) fn forget(&self, id: &str) {
        self.store.lock().unwrap().checks.remove(id);
    }

    /// The checks a checker should run now: every check not disabled that probes an endpoint or
    /// follows an alarm.
    pub(crate) fn to_probe(&self) -> Vec<(String, HealthCheck)> {
        self.store
            .lock()
            .unwrap()
            .checks
            .iter()
            .filter(|(_, t)| !t.config.disabled.unwrap_or(false))
            .filter(|(_, t)| {
                t.config.kind.probes_endpoint() || t.config.kind == Kind::CloudwatchMetric
            })
            .map(|(id, t)| (id.clone(), t.config.clone()))
            .collect()
    }

    /// Records what `region`'s checker saw of check `id` (ignored for a check the lab does not
    /// know, e.g. one deleted while its probe ran).
    pub fn record(&self, id: &str, region: &str, o: Observation) {
        let mut store = self.store.lock().unwrap();
        let Some(t) = store.checks.get_mut(id) else {
            return;
        };
        let threshold = t
            .config
            .failure_threshold
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(3);
        let r = t.regions.entry(region.to_string()).or_default();
        r.status = r.status.next(!o.failed(), threshold);
        if o.failed() {
            r.last_failure = Some(o.clone());
        }
        r.latest = Some(o);
    }

    /// One probe's result as the observation of every region the check names.
    pub(crate) fn record_round(&self, id: &str, o: Observation) {
        let regions = match self.store.lock().unwrap().checks.get(id) {
            Some(t) => regions_of(&t.config),
            None => return,
        };
        for r in regions {
            self.record(id, &r, o.clone());
        }
    }

    /// The alarm state the checker read for a CLOUDWATCH_METRIC check.
    pub(crate) fn record_alarm(&self, id: &str, state: AlarmState, at: SystemTime) {
        let mut store = self.store.lock().unwrap();
        let Some(t) = store.checks.get_mut(id) else {
            return;
        };
        match state {
            AlarmState::Ok => t.last_known = true,
            AlarmState::Alarm => t.last_known = false,
            AlarmState::InsufficientData => {}
        }
        t.alarm = Some((state, at));
    }

    /// The latest report from each of `regions` (a success stamped now where none was recorded).
    /// CLOUDWATCH_METRIC and RECOVERY_CONTROL checks report their verdict from every region.
    pub fn status(&self, id: &str, regions: &[String]) -> Vec<(String, Observation)> {
        let store = self.store.lock().unwrap();
        let now = SystemTime::now();
        let derived = store.checks.get(id).and_then(|t| match t.config.kind {
            Kind::CloudwatchMetric => Some(match t.alarm {
                Some((s, at)) => Observation {
                    status: format!(
                        "{}: CloudWatch alarm {} is in state {}",
                        if store.verdict(id, 0) {
                            "Success"
                        } else {
                            "Failure"
                        },
                        t.config
                            .alarm
                            .as_ref()
                            .map(|a| a.name.as_str())
                            .unwrap_or_default(),
                        s.as_str()
                    ),
                    checked: at,
                },
                None => Observation {
                    status: "Success: No data from the CloudWatch alarm yet".into(),
                    checked: now,
                },
            }),
            Kind::RecoveryControl => Some(Observation {
                status: if store.verdict(id, 0) {
                    "Success: The routing control is On".into()
                } else {
                    "Failure: The routing control is Off".into()
                },
                checked: now,
            }),
            _ => None,
        });
        regions
            .iter()
            .map(|region| {
                let o = derived
                    .clone()
                    .or_else(|| {
                        store
                            .checks
                            .get(id)
                            .and_then(|t| t.regions.get(region))
                            .and_then(|r| r.latest.clone())
                    })
                    .unwrap_or_else(|| Observation {
                        status: DEFAULT_STATUS.into(),
                        checked: now,
                    });
                (region.clone(), o)
            })
            .collect()
    }

    /// The latest failure each of `regions` recorded (regions that never saw one are left out).
    pub fn last_failures(&self, id: &str, regions: &[String]) -> Vec<(String, Observation)> {
        let store = self.store.lock().unwrap();
        regions
            .iter()
            .filter_map(|region| {
                let f = store
                    .checks
                    .get(id)?
                    .regions
                    .get(region)?
                    .last_failure
                    .clone()?;
                Some((region.clone(), f))
            })
            .collect()
    }

    /// How many times faster than Route 53's intervals the checkers probe.
    pub fn time_scale(&self) -> f64 {
        *self.time_scale.lock().unwrap()
    }

    pub fn set_time_scale(&self, scale: f64) -> Result<(), HealthError> {
        if !(MIN_TIME_SCALE..=MAX_TIME_SCALE).contains(&scale) {
            return Err(HealthError::TimeScale(scale));
        }
        *self.time_scale.lock().unwrap() = scale;
        Ok(())
    }

    /// Sets an Application Recovery Controller routing control On or Off.
    pub fn set_routing_control(&self, arn: &str, on: bool) -> Result<(), HealthError> {
        if arn.is_empty() || arn.len() > r53_zone::health_check::MAX_ARN_CHARS {
            return Err(HealthError::RoutingControlArn(arn.len()));
        }
        self.store
            .lock()
            .unwrap()
            .routing_controls
            .insert(arn.to_string(), on);
        Ok(())
    }

    /// The `/__lab/health/*` controls:
    /// - `POST /__lab/health/time_scale {"scale": f64}` (1 to 1000);
    /// - `POST /__lab/health/routing_control {"arn": "...", "on": bool}`;
    /// - `GET /__lab/health/{id}`: `{"healthy": bool}`, the routing verdict.
    pub fn control(&self, method: &str, path: &str, body: &[u8]) -> Answer {
        let not_found = || Answer::Error {
            status: 404,
            code: "NotFound",
            message: format!("unknown lab health control {method} {path}"),
        };
        let Some(rest) = path.strip_prefix("/__lab/health/") else {
            return not_found();
        };
        let bad = |m: String| Answer::Error {
            status: 400,
            code: "InvalidInput",
            message: m,
        };
        let done = |json: String| Answer::Ok {
            status: 200,
            body: json,
            location: None,
        };
        if body.len() > MAX_CONTROL_BODY {
            return bad(format!(
                "lab control bodies are at most {MAX_CONTROL_BODY} bytes"
            ));
        }
        #[derive(Deserialize)]
        struct Scale {
            scale: f64,
        }
        #[derive(Deserialize)]
        struct Control {
            arn: String,
            on: bool,
        }
        match (method, rest) {
            ("POST", "time_scale") => match serde_json::from_slice::<Scale>(body) {
                Ok(s) => match self.set_time_scale(s.scale) {
                    Ok(()) => done("\"ok\"".into()),
                    Err(e) => bad(e.to_string()),
                },
                Err(e) => bad(format!("time_scale: {e} (expected {{\"scale\": number}})")),
            },
            ("GET", "time_scale") => done(format!("{{\"scale\":{}}}", self.time_scale())),
            ("POST", "routing_control") => match serde_json::from_slice::<Control>(body) {
                Ok(c) => match self.set_routing_control(&c.arn, c.on) {
                    Ok(()) => done("\"ok\"".into()),
                    Err(e) => bad(e.to_string()),
                },
                Err(e) => bad(format!(
                    "routing_control: {e} (expected {{\"arn\": string, \"on\": bool}})"
                )),
            },
            ("GET", id) if !id.contains('/') => {
                done(format!("{{\"healthy\":{}}}", self.healthy(id)))
            }
            _ => not_found(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use r53_zone::health_check::Alarm;

    fn at(s: &str) -> Observation {
        Observation {
            status: s.into(),
            checked: SystemTime::UNIX_EPOCH,
        }
    }
    const OK: &str = "Success: HTTP Status Code 200, OK";
    const BAD: &str = "Failure: HTTP Status Code 503, Service Unavailable";

    fn http(threshold: i64) -> HealthCheck {
        let mut h = HealthCheck::new(Kind::Http);
        h.fqdn = Some("localhost".into());
        h.failure_threshold = Some(threshold);
        h
    }

    #[test]
    fn a_region_changes_status_only_after_threshold_results_the_other_way() {
        let mut s = RegionStatus::default();
        assert!(s.healthy, "new: healthy until data");
        for (ok, healthy) in [
            (false, true),
            (false, true),
            (true, true), // a success resets the count
            (false, true),
            (false, true),
            (false, false), // third consecutive failure
            (true, false),
            (false, false),
            (true, false),
            (true, false),
            (true, true),
        ] {
            s = s.next(ok, 3);
            assert_eq!(s.healthy, healthy, "{s:?}");
        }
        assert!(!RegionStatus::default().next(false, 1).healthy);
        assert!(!RegionStatus::default().next(false, 0).healthy, "0 is 1");
    }

    #[test]
    fn alarms_and_routing_controls() {
        use AlarmState::*;
        assert!(alarm_healthy(Ok, None, false));
        assert!(!alarm_healthy(Alarm, Some("Healthy"), true));
        assert!(alarm_healthy(InsufficientData, Some("Healthy"), false));
        assert!(!alarm_healthy(InsufficientData, Some("Unhealthy"), true));
        assert!(alarm_healthy(
            InsufficientData,
            Some("LastKnownStatus"),
            true
        ));
        assert!(!alarm_healthy(InsufficientData, None, false));
        assert!(routing_control_healthy(Some(true)));
        assert!(!routing_control_healthy(Some(false)));
        assert!(!routing_control_healthy(None));
    }

    #[test]
    fn the_store_combines_regions_children_alarms_and_controls() {
        let h = Health::default();
        assert!(h.healthy("unknown"));
        h.configure("a", &http(2));
        h.configure("b", &http(1));
        let mut three = http(1);
        three.regions = Some(vec![
            "us-east-1".into(),
            "eu-west-1".into(),
            "sa-east-1".into(),
        ]);
        h.configure("c", &three);
        assert!(
            h.healthy("a") && h.healthy("b") && h.healthy("c"),
            "no data yet"
        );
        h.record_round("a", at(BAD));
        assert!(h.healthy("a"), "one failure of two");
        h.record_round("a", at(BAD));
        assert!(!h.healthy("a"));
        h.record_round("a", at(OK));
        assert!(!h.healthy("a"), "one success of two");
        h.record_round("a", at(OK));
        assert!(h.healthy("a"));
        h.record_round("a", at(BAD));
        h.record_round("a", at(BAD));
        assert!(!h.healthy("a"));
        // Two of three regions failing leaves 33% healthy: still healthy.
        h.record("c", "us-east-1", at(BAD));
        h.record("c", "eu-west-1", at(BAD));
        assert!(h.healthy("c"));
        h.record("c", "sa-east-1", at(BAD));
        assert!(!h.healthy("c"));
        // Only the regions a check names report.
        assert_eq!(
            h.status("c", &regions_of(&three)).len(),
            3,
            "{:?}",
            h.status("c", &regions_of(&three))
        );
        assert_eq!(h.last_failures("c", &regions_of(&three)).len(), 3);

        let mut calc = HealthCheck::new(Kind::Calculated);
        calc.child_health_checks = Some(vec!["a".into(), "b".into(), "c".into()]);
        calc.health_threshold = Some(1);
        h.configure("calc", &calc);
        assert!(h.healthy("calc"), "b is healthy");
        calc.health_threshold = Some(2);
        h.configure("calc", &calc);
        assert!(!h.healthy("calc"));
        calc.invert = Some(true);
        h.configure("calc", &calc);
        assert!(h.healthy("calc"));
        // A cycle does not loop.
        let mut loop_a = HealthCheck::new(Kind::Calculated);
        loop_a.child_health_checks = Some(vec!["loop".into()]);
        loop_a.health_threshold = Some(1);
        h.configure("loop", &loop_a);
        assert!(h.healthy("loop"));

        let mut cw = HealthCheck::new(Kind::CloudwatchMetric);
        cw.alarm = Some(Alarm {
            name: "cpu".into(),
            region: "us-east-1".into(),
        });
        h.configure("cw", &cw);
        assert!(h.healthy("cw"), "no reading yet");
        h.record_alarm("cw", AlarmState::Alarm, SystemTime::UNIX_EPOCH);
        assert!(!h.healthy("cw"));
        h.record_alarm("cw", AlarmState::InsufficientData, SystemTime::UNIX_EPOCH);
        assert!(!h.healthy("cw"), "last known: unhealthy");
        cw.insufficient_data_health_status = Some("Healthy".into());
        h.configure("cw", &cw);
        assert!(h.healthy("cw"), "kept the reading, new setting");
        let st = h.status("cw", &["us-east-1".to_string()]);
        assert!(st[0].1.status.contains("INSUFFICIENT_DATA"), "{st:?}");

        let mut rc = HealthCheck::new(Kind::RecoveryControl);
        rc.routing_control_arn =
            Some("arn:aws:route53-recovery-control::1:controlpanel/x/routingcontrol/y".into());
        h.configure("rc", &rc);
        assert!(!h.healthy("rc"), "routing controls start Off");
        h.set_routing_control(rc.routing_control_arn.as_deref().unwrap(), true)
            .unwrap();
        assert!(h.healthy("rc"));

        let mut off = http(1);
        off.disabled = Some(true);
        h.configure("a", &off);
        assert!(h.healthy("a"), "disabled");
        assert!(h.to_probe().iter().all(|(id, _)| id != "a"), "not probed");
        h.forget("a");
        h.record_round("a", at(BAD));
        assert!(h.healthy("a"), "forgotten checks take no reports");
    }

    #[test]
    fn controls_refuse_what_they_cannot_take() {
        let h = Health::default();
        assert_eq!(h.time_scale(), DEFAULT_TIME_SCALE);
        let a = h.control("POST", "/__lab/health/time_scale", br#"{"scale": 0.5}"#);
        match a {
            Answer::Error {
                status, message, ..
            } => {
                assert_eq!(status, 400);
                assert!(message.contains("from 1 to 1000"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            h.control("POST", "/__lab/health/time_scale", b"{\"scale\": 100}"),
            Answer::Ok { status: 200, .. }
        ));
        assert_eq!(h.time_scale(), 100.0);
        assert!(matches!(
            h.control(
                "POST",
                "/__lab/health/routing_control",
                b"{\"arn\": \"\", \"on\": true}"
            ),
            Answer::Error { status: 400, .. }
        ));
        assert!(matches!(
            h.control("POST", "/__lab/health/routing_control", b"not json"),
            Answer::Error { status: 400, .. }
        ));
        assert!(matches!(
            h.control("POST", "/__lab/health/nope", b""),
            Answer::Error { status: 404, .. }
        ));
        assert!(matches!(
            h.control("GET", "/__lab/stats", b""),
            Answer::Error { status: 404, .. }
        ));
        assert!(h.set_time_scale(f64::NAN).is_err());
        assert!(h.set_time_scale(1001.0).is_err());
    }
}
