//! Route 53 health checks: create (idempotent by CallerReference), find → typed NotFound, update
//! by HealthCheckVersion (a concurrent change is re-read and only our changes re-sent, never
//! clobbered), delete, tags. The settings are `r53_zone::health_check::HealthCheck`.

use std::collections::BTreeMap;

use aws_sdk_route53 as r53;
use r53::types as t;
use r53_zone::health_check::{update_for, Alarm, HealthCheck, Kind, Update};

use super::{Call, Route53};
use crate::error::{Error, Result};

/// Longest CallerReference Route 53 accepts for a health check.
pub const MAX_CALLER_REFERENCE: usize = 64;
/// A concurrent writer that keeps changing the check: give up after this many version conflicts.
const MAX_VERSION_RETRIES: usize = 5;

/// A health check as Route 53 has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthCheckInfo {
    pub id: String,
    pub caller_reference: String,
    /// HealthCheckVersion: 1 at create, +1 per update.
    pub version: i64,
    pub config: HealthCheck,
}

/// The longest reference name: the CallerReference holds 64 characters and r53 adds `:` and a
/// 24-digit nonce, so the same name can be used again after a destroy.
pub const MAX_HEALTH_CHECK_REFERENCE_NAME: usize = 39;

/// A new caller reference for a check named `reference_name` (no `:` in it): the name (or `r53`)
/// and a nonce, unique per create.
pub fn new_health_check_caller_reference(reference_name: Option<&str>) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    // The low 64 bits of the time: enough to order, the random part makes it unique.
    let low = (nanos & u128::from(u64::MAX)) as u64;
    format!(
        "{}:{low:016x}{:08x}",
        reference_name.unwrap_or("r53"),
        rand::random::<u32>()
    )
}

/// The reference name a caller reference made by [`new_health_check_caller_reference`] carries.
pub fn health_check_reference_name(caller_reference: &str) -> Option<&str> {
    let (name, nonce) = caller_reference.rsplit_once(':')?;
    (nonce.len() == 24 && nonce.bytes().all(|b| b.is_ascii_hexdigit()) && name != "r53")
        .then_some(name)
        .filter(|n| !n.is_empty())
}

fn not_found(id: &str) -> Error {
    Error::NotFound {
        what: format!("health check {id}"),
    }
}

fn kind_to_sdk(k: Kind) -> t::HealthCheckType {
    t::HealthCheckType::from(k.as_str())
}

/// A setting as the API's 32-bit integer (validated settings always fit; others are refused, not
/// truncated).
fn int(v: Option<i64>, field: &str) -> Result<Option<i32>> {
    v.map(|n| i32::try_from(n).map_err(|_| Error::Invalid(format!("{field} {n} is out of range"))))
        .transpose()
}

fn config_to_sdk(h: &HealthCheck) -> Result<t::HealthCheckConfig> {
    t::HealthCheckConfig::builder()
        .r#type(kind_to_sdk(h.kind))
        .set_ip_address(h.ip_address.clone())
        .set_fully_qualified_domain_name(h.fqdn.clone())
        .set_port(int(h.port, "port")?)
        .set_resource_path(h.resource_path.clone())
        .set_search_string(h.search_string.clone())
        .set_request_interval(int(h.request_interval, "request_interval")?)
        .set_failure_threshold(int(h.failure_threshold, "failure_threshold")?)
        .set_measure_latency(h.measure_latency)
        .set_inverted(h.invert)
        .set_disabled(h.disabled)
        .set_enable_sni(h.enable_sni)
        .set_regions(h.regions.as_ref().map(|r| {
            r.iter()
                .map(|x| t::HealthCheckRegion::from(x.as_str()))
                .collect()
        }))
        .set_child_health_checks(h.child_health_checks.clone())
        .set_health_threshold(int(h.health_threshold, "health_threshold")?)
        .set_alarm_identifier(alarm_to_sdk(h.alarm.as_ref())?)
        .set_insufficient_data_health_status(
            h.insufficient_data_health_status
                .as_deref()
                .map(t::InsufficientDataHealthStatus::from),
        )
        .set_routing_control_arn(h.routing_control_arn.clone())
        .build()
        .map_err(|e| Error::Invalid(format!("health check configuration: {e}")))
}

fn alarm_to_sdk(a: Option<&Alarm>) -> Result<Option<t::AlarmIdentifier>> {
    a.map(|a| {
        t::AlarmIdentifier::builder()
            .name(&a.name)
            .region(t::CloudWatchRegion::from(a.region.as_str()))
            .build()
            .map_err(|e| Error::Invalid(format!("CloudWatch alarm: {e}")))
    })
    .transpose()
}

fn from_sdk(h: &t::HealthCheck) -> Result<HealthCheckInfo> {
    let c = h
        .health_check_config()
        .ok_or_else(|| Error::Invalid(format!("health check {} has no configuration", h.id())))?;
    let kind = Kind::parse(c.r#type().as_str()).ok_or_else(|| {
        Error::Invalid(format!(
            "health check {} has a type r53 does not know: {}",
            h.id(),
            c.r#type().as_str()
        ))
    })?;
    let regions: Vec<String> = c.regions().iter().map(|r| r.as_str().to_string()).collect();
    let children = c.child_health_checks().to_vec();
    let config = HealthCheck {
        kind,
        ip_address: c.ip_address().map(str::to_string),
        fqdn: c.fully_qualified_domain_name().map(str::to_string),
        port: c.port().map(i64::from),
        resource_path: c.resource_path().map(str::to_string),
        search_string: c.search_string().map(str::to_string),
        request_interval: c.request_interval().map(i64::from),
        failure_threshold: c.failure_threshold().map(i64::from),
        measure_latency: c.measure_latency(),
        invert: c.inverted(),
        disabled: c.disabled(),
        enable_sni: c.enable_sni(),
        // Route 53 omits an empty list: unset is "all regions" / "no children".
        regions: (!regions.is_empty()).then_some(regions),
        child_health_checks: (!children.is_empty()).then_some(children),
        health_threshold: c.health_threshold().map(i64::from),
        alarm: c.alarm_identifier().map(|a| Alarm {
            name: a.name().to_string(),
            region: a.region().as_str().to_string(),
        }),
        insufficient_data_health_status: c
            .insufficient_data_health_status()
            .map(|s| s.as_str().to_string()),
        routing_control_arn: c.routing_control_arn().map(str::to_string),
    };
    Ok(HealthCheckInfo {
        id: h.id().to_string(),
        caller_reference: h.caller_reference().to_string(),
        version: h.health_check_version(),
        config,
    })
}

/// One checker region's report on a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckerReport {
    pub region: String,
    /// The checker's address.
    pub ip_address: String,
    /// Route 53's words, e.g. "Success: HTTP Status Code 200, OK" or "Failure: …".
    pub status: String,
    /// When it checked (RFC 3339), if Route 53 said.
    pub checked_at: Option<String>,
}

impl CheckerReport {
    /// Whether the checker saw the endpoint healthy (Route 53 starts each report with
    /// "Success" or "Failure").
    pub fn success(&self) -> bool {
        self.status.starts_with("Success")
    }
}

/// The reports of a status call's answer, or NotFound.
fn observed<T>(
    out: Result<T>,
    id: &str,
    obs: impl Fn(&T) -> &[t::HealthCheckObservation],
) -> Result<Vec<CheckerReport>> {
    match out {
        Ok(o) => Ok(reports(obs(&o))),
        Err(Error::Api { code, .. }) if code == "NoSuchHealthCheck" => Err(not_found(id)),
        Err(e) => Err(e),
    }
}

fn reports(obs: &[t::HealthCheckObservation]) -> Vec<CheckerReport> {
    use aws_smithy_types::date_time::Format;
    let mut out: Vec<CheckerReport> = obs
        .iter()
        .map(|o| CheckerReport {
            region: o
                .region()
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
            ip_address: o.ip_address().unwrap_or_default().to_string(),
            status: o
                .status_report()
                .and_then(|r| r.status())
                .unwrap_or_default()
                .to_string(),
            checked_at: o
                .status_report()
                .and_then(|r| r.checked_time())
                .and_then(|t| t.fmt(Format::DateTime).ok()),
        })
        .collect();
    // A stable order: by region, as the checker regions list them.
    out.sort_by(|a, b| a.region.cmp(&b.region));
    out
}

impl Route53 {
    /// Creates a health check. A retry of a request that went through returns the check it made
    /// (Route 53 answers the same CallerReference and settings with that check).
    pub async fn create_health_check(
        &self,
        call: &Call,
        caller_reference: &str,
        config: &HealthCheck,
    ) -> Result<HealthCheckInfo> {
        if caller_reference.is_empty() || caller_reference.len() > MAX_CALLER_REFERENCE {
            return Err(Error::Invalid(format!(
                "a health check's caller reference must be 1 to {MAX_CALLER_REFERENCE} characters, not {}",
                caller_reference.len()
            )));
        }
        let sdk = config_to_sdk(config)?;
        let o = call
            .send("CreateHealthCheck", &self.policy, || {
                self.client
                    .create_health_check()
                    .caller_reference(caller_reference)
                    .health_check_config(sdk.clone())
                    .send()
            })
            .await
            .result?;
        o.health_check()
            .ok_or_else(|| Error::Invalid("CreateHealthCheck returned no health check".into()))
            .and_then(from_sdk)
    }

    /// The check, or [`Error::NotFound`].
    pub async fn find_health_check(&self, call: &Call, id: &str) -> Result<HealthCheckInfo> {
        let out = call
            .send("GetHealthCheck", &self.policy, || {
                self.client.get_health_check().health_check_id(id).send()
            })
            .await;
        match out.result {
            Ok(o) => o
                .health_check()
                .ok_or_else(|| not_found(id))
                .and_then(from_sdk),
            Err(Error::Api { code, .. }) if code == "NoSuchHealthCheck" => Err(not_found(id)),
            Err(e) => Err(e),
        }
    }

    /// Turns the check into `planned` (settings Route 53 can update in place), starting from
    /// `seen` — the check as last read. When someone else changed it since (a version conflict),
    /// the check is read again and only what differs from `planned` is sent, so their change to
    /// other settings survives. The check as it ends up.
    pub async fn update_health_check(
        &self,
        call: &Call,
        seen: &HealthCheckInfo,
        planned: &HealthCheck,
    ) -> Result<HealthCheckInfo> {
        let mut current = seen.clone();
        for _ in 0..MAX_VERSION_RETRIES {
            let u = update_for(&current.config, planned);
            if u.is_empty() {
                return Ok(current);
            }
            match self.send_update(call, &current, &u).await {
                Ok(h) => return Ok(h),
                Err(Error::Api { code, .. }) if code == "HealthCheckVersionMismatch" => {
                    current = self.find_health_check(call, &current.id).await?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::Invalid(format!(
            "health check {} kept changing while it was being updated ({MAX_VERSION_RETRIES} version conflicts); try again",
            seen.id
        )))
    }

    async fn send_update(
        &self,
        call: &Call,
        current: &HealthCheckInfo,
        u: &Update,
    ) -> Result<HealthCheckInfo> {
        let s = &u.set;
        let alarm = alarm_to_sdk(s.alarm.as_ref())?;
        let (port, threshold, health_threshold) = (
            int(s.port, "port")?,
            int(s.failure_threshold, "failure_threshold")?,
            int(s.health_threshold, "health_threshold")?,
        );
        let reset: Option<Vec<t::ResettableElementName>> = (!u.reset.is_empty()).then(|| {
            u.reset
                .iter()
                .map(|r| t::ResettableElementName::from(*r))
                .collect()
        });
        let o = call
            .send("UpdateHealthCheck", &self.policy, || {
                self.client
                    .update_health_check()
                    .health_check_id(&current.id)
                    .health_check_version(current.version)
                    .set_ip_address(s.ip_address.clone())
                    .set_fully_qualified_domain_name(s.fqdn.clone())
                    .set_port(port)
                    .set_resource_path(s.resource_path.clone())
                    .set_search_string(s.search_string.clone())
                    .set_failure_threshold(threshold)
                    .set_inverted(s.invert)
                    .set_disabled(s.disabled)
                    .set_enable_sni(s.enable_sni)
                    .set_regions(s.regions.as_ref().map(|r| {
                        r.iter()
                            .map(|x| t::HealthCheckRegion::from(x.as_str()))
                            .collect()
                    }))
                    .set_child_health_checks(s.child_health_checks.clone())
                    .set_health_threshold(health_threshold)
                    .set_alarm_identifier(alarm.clone())
                    .set_insufficient_data_health_status(
                        s.insufficient_data_health_status
                            .as_deref()
                            .map(t::InsufficientDataHealthStatus::from),
                    )
                    .set_reset_elements(reset.clone())
                    .send()
            })
            .await
            .result?;
        o.health_check()
            .ok_or_else(|| Error::Invalid("UpdateHealthCheck returned no health check".into()))
            .and_then(from_sdk)
    }

    /// Deletes the check; one already gone is not an error (a retry, or deleted out of band).
    pub async fn delete_health_check(&self, call: &Call, id: &str) -> Result<()> {
        let out = call
            .send("DeleteHealthCheck", &self.policy, || {
                self.client.delete_health_check().health_check_id(id).send()
            })
            .await;
        match out.result {
            Ok(_) => Ok(()),
            Err(Error::Api { code, .. }) if code == "NoSuchHealthCheck" => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// What each checker region last saw of the check (GetHealthCheckStatus), or
    /// [`Error::NotFound`]. Route 53 keeps no checker reports for a CALCULATED check.
    pub async fn health_check_status(&self, call: &Call, id: &str) -> Result<Vec<CheckerReport>> {
        let out = call
            .send("GetHealthCheckStatus", &self.policy, || {
                self.client
                    .get_health_check_status()
                    .health_check_id(id)
                    .send()
            })
            .await;
        observed(out.result, id, |o| o.health_check_observations())
    }

    /// Each checker region's latest failure (GetHealthCheckLastFailureReason); regions that never
    /// saw one are left out.
    pub async fn health_check_last_failures(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<Vec<CheckerReport>> {
        let out = call
            .send("GetHealthCheckLastFailureReason", &self.policy, || {
                self.client
                    .get_health_check_last_failure_reason()
                    .health_check_id(id)
                    .send()
            })
            .await;
        observed(out.result, id, |o| o.health_check_observations())
    }

    /// The check's tags.
    pub async fn health_check_tags(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<BTreeMap<String, String>> {
        self.tags_of(call, t::TagResourceType::Healthcheck, id)
            .await
    }

    /// Makes the check's tags exactly `want`, given `have`.
    pub async fn set_health_check_tags(
        &self,
        call: &Call,
        id: &str,
        have: &BTreeMap<String, String>,
        want: &BTreeMap<String, String>,
    ) -> Result<()> {
        self.set_tags_of(call, t::TagResourceType::Healthcheck, id, have, want)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_names_survive_their_caller_reference() {
        let made = new_health_check_caller_reference(Some("web-primary"));
        assert_eq!(health_check_reference_name(&made), Some("web-primary"));
        assert_eq!(
            health_check_reference_name(&new_health_check_caller_reference(None)),
            None
        );
        assert_eq!(health_check_reference_name("console-2024"), None);
        let longest =
            new_health_check_caller_reference(Some(&"x".repeat(MAX_HEALTH_CHECK_REFERENCE_NAME)));
        assert_eq!(longest.len(), MAX_CALLER_REFERENCE);
    }

    #[test]
    fn settings_survive_the_sdk_both_ways() {
        let checks = [
            HealthCheck {
                fqdn: Some("www.example.com".into()),
                port: Some(443),
                resource_path: Some("/health".into()),
                search_string: Some("ok".into()),
                request_interval: Some(10),
                failure_threshold: Some(2),
                measure_latency: Some(true),
                invert: Some(false),
                disabled: Some(false),
                enable_sni: Some(true),
                regions: Some(vec![
                    "us-east-1".into(),
                    "eu-west-1".into(),
                    "sa-east-1".into(),
                ]),
                ..HealthCheck::new(Kind::HttpsStrMatch)
            },
            HealthCheck {
                child_health_checks: Some(vec!["a".into(), "b".into()]),
                health_threshold: Some(1),
                ..HealthCheck::new(Kind::Calculated)
            },
            HealthCheck {
                alarm: Some(Alarm {
                    name: "cpu".into(),
                    region: "eu-west-2".into(),
                }),
                insufficient_data_health_status: Some("LastKnownStatus".into()),
                ..HealthCheck::new(Kind::CloudwatchMetric)
            },
            HealthCheck {
                routing_control_arn: Some(
                    "arn:aws:route53-recovery-control::1:controlpanel/a/routingcontrol/b".into(),
                ),
                ..HealthCheck::new(Kind::RecoveryControl)
            },
        ];
        for c in checks {
            let sdk = t::HealthCheck::builder()
                .id("hc1")
                .caller_reference("ref")
                .health_check_version(3)
                .health_check_config(config_to_sdk(&c).unwrap())
                .build()
                .unwrap();
            let back = from_sdk(&sdk).unwrap();
            assert_eq!(back.config, c);
            assert_eq!((back.id.as_str(), back.version), ("hc1", 3));
        }
    }
}
