//! `r53_health_check`: a Route 53 health check of any of its eight kinds. Each kind's rules are
//! checked at validate time (`r53_zone::health_check`); settings left unset take what Route 53 has
//! and never force a replacement; changes go in place through UpdateHealthCheck with the check's
//! version, and only the kind, the request interval, latency measurement, the routing control and
//! adding or removing the IP address replace the check.

use std::collections::BTreeMap;

use async_trait::async_trait;

use r53_core::route53::{
    health_check_reference_name, new_health_check_caller_reference, HealthCheckInfo,
    MAX_HEALTH_CHECK_REFERENCE_NAME,
};
use r53_plugin::framework::Failure;
use r53_plugin::model::Set;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};
use r53_zone::health_check::{replacing_changes, Alarm, HealthCheck, Kind};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_health_check";

pub(crate) struct HealthCheckResource;

r53_plugin::model! {
    /// The configuration and state of `r53_health_check`.
    pub struct HealthCheckModel / HealthCheckAttrs {
        description: "A Route 53 health check: an endpoint probed over HTTP, HTTPS or TCP (optionally matching a string \
             in the response), a combination of other checks (`CALCULATED`), a CloudWatch alarm (`CLOUDWATCH_METRIC`) \
             or an Application Recovery Controller routing control (`RECOVERY_CONTROL`). Attach it to record sets with \
             `health_check_id` so Route 53 stops answering with an endpoint that is down. Settings left unset take \
             Route 53's defaults and never cause a replacement.";
        attributes {
            id: String [computed] "The health check's ID.",
            arn: String [computed] "The health check's ARN.",
            r#type: String [required, force_new]
                "`HTTP`, `HTTPS`, `HTTP_STR_MATCH`, `HTTPS_STR_MATCH`, `TCP`, `CALCULATED`, `CLOUDWATCH_METRIC` or `RECOVERY_CONTROL`. Changing it replaces the check.",
            reference_name: String [optional, force_new]
                "A name for the check, kept in its caller reference (at most 39 characters). Changing it replaces the check.",
            ip_address: String [optional]
                "Endpoint kinds: the IPv4 or IPv6 address to probe. Route 53 refuses private, loopback, link-local, documentation and other special-purpose addresses. Changing it is an update; adding or removing it replaces the check.",
            fqdn: String [optional]
                "Endpoint kinds: the domain name to probe (resolved by the checkers when `ip_address` is unset; otherwise the `Host` header and the TLS server name).",
            port: i64 [optional_computed] "Endpoint kinds: the port (required for `TCP`; Route 53's default is 80 for HTTP and 443 for HTTPS).",
            resource_path: String [optional] "HTTP kinds: the path requested, e.g. `/health`.",
            search_string: String [optional] "`*_STR_MATCH` kinds: the text the first 5,120 bytes of the response body must contain (1 to 255 characters).",
            request_interval: i64 [optional_computed] "Endpoint kinds: seconds between checks by each checker, 10 or 30 (default 30). Changing a set value replaces the check.",
            failure_threshold: i64 [optional_computed] "Endpoint kinds: consecutive results that change the status, 1 to 10 (default 3).",
            measure_latency: bool [optional_computed] "Endpoint kinds: record latency in CloudWatch (default `false`). Changing a set value replaces the check.",
            invert: bool [optional] "Report healthy as unhealthy and the other way round. Unset is `false`: a check inverted out of band is planned back.",
            disabled: bool [optional] "Stop checking and count as healthy (with `invert`, as unhealthy: Route 53's way to take an endpoint out of service by hand). Unset is `false`: a check disabled out of band is planned back.",
            enable_sni: bool [optional_computed] "HTTPS kinds: send `fqdn` as the TLS server name (Route 53 turns it on for HTTPS checks).",
            regions: Set<String> [optional]
                "Endpoint kinds: the checker regions to use, at least 3 of us-east-1, us-west-1, us-west-2, eu-west-1, ap-southeast-1, ap-southeast-2, ap-northeast-1 and sa-east-1. Unset: all of them.",
            child_health_checks: Set<String> [optional] "`CALCULATED`: IDs of the checks combined (1 to 256).",
            health_threshold: i64 [optional] "`CALCULATED`: how many children must be healthy, 0 to 256 (0: always healthy).",
            cloudwatch_alarm_name: String [optional] "`CLOUDWATCH_METRIC`: the alarm whose state is the check's status.",
            cloudwatch_alarm_region: String [optional] "`CLOUDWATCH_METRIC`: the alarm's region.",
            insufficient_data_health_status: String [optional]
                "`CLOUDWATCH_METRIC`: the status while the alarm has too little data: `Healthy`, `Unhealthy` or `LastKnownStatus`.",
            routing_control_arn: String [optional, force_new] "`RECOVERY_CONTROL`: the routing control's ARN. Changing it replaces the check.",
            tags: BTreeMap<String, String> [optional] "Tags for the health check (at most 50).",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, HealthCheckModel::block())
}

/// The settings a model holds (unset and unknown are both `None`); `None` when the kind is not
/// known or not one of Route 53's.
fn settings(m: &HealthCheckModel) -> Option<HealthCheck> {
    let kind = Kind::parse(m.r#type.as_str()?)?;
    let set = |f: &Field<Set<String>>| f.known().map(|s| s.0.clone());
    Some(HealthCheck {
        kind,
        ip_address: m.ip_address.string(),
        fqdn: m.fqdn.string(),
        port: m.port.get(),
        resource_path: m.resource_path.string(),
        search_string: m.search_string.string(),
        request_interval: m.request_interval.get(),
        failure_threshold: m.failure_threshold.get(),
        measure_latency: m.measure_latency.get(),
        // Unset is false (not "whatever it is"): a check disabled in the console comes back.
        invert: Some(m.invert.get().unwrap_or(false)),
        disabled: Some(m.disabled.get().unwrap_or(false)),
        enable_sni: m.enable_sni.get(),
        regions: set(&m.regions),
        child_health_checks: set(&m.child_health_checks),
        health_threshold: m.health_threshold.get(),
        alarm: match (
            m.cloudwatch_alarm_name.string(),
            m.cloudwatch_alarm_region.string(),
        ) {
            (None, None) => None,
            (name, region) => Some(Alarm {
                name: name.unwrap_or_default(),
                region: region.unwrap_or_default(),
            }),
        },
        insufficient_data_health_status: m.insufficient_data_health_status.string(),
        routing_control_arn: m.routing_control_arn.string(),
    })
}

/// The state for `h` with its tags; the configuration's own choices (`base`) kept where Route 53
/// reports nothing for them.
fn state_of(
    h: &HealthCheckInfo,
    tags: &BTreeMap<String, String>,
    base: &HealthCheckModel,
) -> Value {
    let c = &h.config;
    let set = |v: &Option<Vec<String>>| match v {
        Some(l) => Field::Known(Set(l.clone())),
        None => Field::Null,
    };
    HealthCheckModel {
        id: Field::Known(h.id.clone()),
        arn: Field::Known(format!("arn:aws:route53:::healthcheck/{}", h.id)),
        r#type: Field::Known(c.kind.as_str().to_string()),
        reference_name: match base.reference_name.string() {
            Some(r) => Field::Known(r),
            None => health_check_reference_name(&h.caller_reference)
                .map(str::to_string)
                .into(),
        },
        ip_address: c.ip_address.clone().into(),
        fqdn: c.fqdn.clone().into(),
        port: c.port.into(),
        resource_path: c.resource_path.clone().into(),
        search_string: c.search_string.clone().into(),
        request_interval: c.request_interval.into(),
        failure_threshold: c.failure_threshold.into(),
        measure_latency: c.measure_latency.into(),
        invert: flag(c.invert, &base.invert),
        disabled: flag(c.disabled, &base.disabled),
        enable_sni: c.enable_sni.into(),
        regions: set(&c.regions),
        child_health_checks: set(&c.child_health_checks),
        health_threshold: c.health_threshold.into(),
        cloudwatch_alarm_name: c.alarm.as_ref().map(|a| a.name.clone()).into(),
        cloudwatch_alarm_region: c.alarm.as_ref().map(|a| a.region.clone()).into(),
        insufficient_data_health_status: c.insufficient_data_health_status.clone().into(),
        routing_control_arn: c.routing_control_arn.clone().into(),
        tags: if tags.is_empty() && base.tags.is_null() {
            Field::Null
        } else {
            Field::Known(tags.clone())
        },
    }
    .to_value()
}

/// A flag whose unset value is `false`: `false` stays unset when the configuration leaves it unset
/// (so it plans nothing); `true`, or a configured value, is shown.
fn flag(api: Option<bool>, base: &Field<bool>) -> Field<bool> {
    match (api.unwrap_or(false), base.is_null()) {
        (false, true) => Field::Null,
        (v, _) => Field::Known(v),
    }
}

/// Every attribute the rules may point at, unknown in this configuration (an error about it waits
/// until it is known).
fn unknown_fields(m: &HealthCheckModel) -> Vec<&'static str> {
    let a = HealthCheckModel::ATTR;
    let mut out = Vec::new();
    for (name, unknown) in [
        (a.ip_address, m.ip_address.is_unknown()),
        (a.fqdn, m.fqdn.is_unknown()),
        (a.port, m.port.is_unknown()),
        (a.resource_path, m.resource_path.is_unknown()),
        (a.search_string, m.search_string.is_unknown()),
        (a.request_interval, m.request_interval.is_unknown()),
        (a.failure_threshold, m.failure_threshold.is_unknown()),
        (a.regions, m.regions.is_unknown()),
        (a.child_health_checks, m.child_health_checks.is_unknown()),
        (a.health_threshold, m.health_threshold.is_unknown()),
        (
            a.cloudwatch_alarm_name,
            m.cloudwatch_alarm_name.is_unknown(),
        ),
        (
            a.cloudwatch_alarm_region,
            m.cloudwatch_alarm_region.is_unknown(),
        ),
        (
            a.insufficient_data_health_status,
            m.insufficient_data_health_status.is_unknown(),
        ),
        (a.routing_control_arn, m.routing_control_arn.is_unknown()),
    ] {
        if unknown {
            out.push(name);
        }
    }
    out
}

#[async_trait]
impl Resource<Meta> for HealthCheckResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required("id", "The health check's ID."),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match HealthCheckModel::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = HealthCheckModel::ATTR;
        let mut d = Diagnostics::new();
        if let Some(t) = m.r#type.as_str() {
            if Kind::parse(t).is_none() {
                let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                d.error_at(
                    at(a.r#type),
                    "Invalid type",
                    format!(
                        "{t:?} is not a Route 53 health check type: one of {}",
                        kinds.join(", ")
                    ),
                );
                return d;
            }
        }
        if let Some(r) = m.reference_name.as_str() {
            if r.is_empty() || r.len() > MAX_HEALTH_CHECK_REFERENCE_NAME || r.contains(':') {
                d.error_at(
                    at(a.reference_name),
                    "Invalid reference_name",
                    format!("reference_name is 1 to {MAX_HEALTH_CHECK_REFERENCE_NAME} characters without `:`"),
                );
            }
        }
        if m.tags.known().is_some_and(|t| t.len() > 50) {
            d.error_at(
                at(a.tags),
                "Too many tags",
                "Route 53 allows 50 tags per health check",
            );
        }
        let Some(spec) = settings(&m) else {
            return d; // the type is unknown until apply: the rules wait for it
        };
        let unknown = unknown_fields(&m);
        for e in spec.check() {
            // A rule about a value not known yet (or "needs ip_address or fqdn" while either is
            // unknown) is checked when the value is.
            let waiting = unknown.contains(&e.field)
                || (e.field == a.fqdn && unknown.contains(&a.ip_address));
            if !waiting {
                d.error_at(at(e.field), "Invalid health check", e.message);
            }
        }
        d
    }

    /// The ID and ARN do not change in an update. Set on the value itself: decoding the plan into
    /// the model would turn a set with one unknown element (a child check being replaced) into a
    /// wholly unknown set, which Terraform refuses as a plan that contradicts the configuration.
    fn modify_plan(&self, prior: &Value, planned: &mut Value, _d: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let a = HealthCheckModel::ATTR;
        for name in [a.id, a.arn] {
            planned.set(name, prior.get(name).clone());
        }
    }

    /// The schema's `force_new` attributes, and what UpdateHealthCheck cannot change: a set
    /// request interval or latency measurement changed, the IP address added or removed. An
    /// unset optional+computed setting keeps the prior value and so never replaces.
    fn replace_paths(
        &self,
        schema: &Schema,
        prior: &Value,
        planned: &Value,
    ) -> Vec<r53_plugin::AttrPath> {
        let mut paths = schema.block.replace_paths(prior, planned);
        let models = HealthCheckModel::from_values(prior, planned).ok();
        if let Some((p, n)) = models {
            if let (Some(ps), Some(ns)) = (settings(&p), settings(&n)) {
                for field in replacing_changes(&ps, &ns) {
                    let name = if field == "type" {
                        HealthCheckModel::ATTR.r#type
                    } else {
                        field
                    };
                    // An IP address not known yet is not "removed".
                    if field == "ip_address" && n.ip_address.is_unknown() {
                        continue;
                    }
                    let path = at(name);
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                }
            }
        }
        paths
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = HealthCheckModel::from_value(&planned)?;
        let spec = settings(&m).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Invalid health check",
                "the type is not known",
            ))
        })?;
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let reference = new_health_check_caller_reference(m.reference_name.as_str());
        let h = r53
            .create_health_check(&c, &reference, &spec)
            .await
            .map_err(|e| api_diag("Creating the health check", &e))?;
        tracing::info!(id = %h.id, kind = spec.kind.as_str(), "created health check");
        let want = m.tags.known().cloned().unwrap_or_default();
        if !want.is_empty() {
            if let Err(e) = r53
                .set_health_check_tags(&c, &h.id, &BTreeMap::new(), &want)
                .await
            {
                // The check exists: keep it in state (tainted) rather than lose track of it.
                let state = state_of(&h, &BTreeMap::new(), &m);
                return Err(Failure::with_partial(
                    api_diag(&format!("Tagging health check {}", h.id), &e),
                    state,
                ));
            }
        }
        Ok(state_of(&h, &want, &m))
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = HealthCheckModel::from_value(state)?;
        let id = m.id.string().unwrap_or_default();
        let c = call(ctx, READ_TIMEOUT);
        let h = match meta.aws.route53.find_health_check(&c, &id).await {
            Ok(h) => h,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(api_diag(&format!("Reading health check {id}"), &e).into()),
        };
        let tags = meta
            .aws
            .route53
            .health_check_tags(&c, &id)
            .await
            .map_err(|e| api_diag(&format!("Reading tags of health check {id}"), &e))?;
        Ok(Some(state_of(&h, &tags, &m)))
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let (p, n) = HealthCheckModel::from_values(prior, &planned)?;
        let id = p.id.string().unwrap_or_default();
        let spec = settings(&n).ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Invalid health check",
                "the type is not known",
            ))
        })?;
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let fail = |what: &str, e: &r53_core::Error| -> Failure {
            Diagnostics::from(api_diag(&format!("{what} health check {id}"), e)).into()
        };
        // The check as it is now: the update starts from it and carries its version.
        let seen = r53
            .find_health_check(&c, &id)
            .await
            .map_err(|e| fail("Reading", &e))?;
        let h = r53
            .update_health_check(&c, &seen, &spec)
            .await
            .map_err(|e| fail("Updating", &e))?;
        let want = n.tags.known().cloned().unwrap_or_default();
        if p.tags != n.tags {
            let have = r53
                .health_check_tags(&c, &id)
                .await
                .map_err(|e| fail("Reading tags of", &e))?;
            r53.set_health_check_tags(&c, &id, &have, &want)
                .await
                .map_err(|e| fail("Tagging", &e))?;
        }
        Ok(state_of(&h, &want, &n))
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = HealthCheckModel::from_value(prior)?;
        let id = m.id.string().unwrap_or_default();
        meta.aws
            .route53
            .delete_health_check(&call(ctx, DELETE_TIMEOUT), &id)
            .await
            .map_err(|e| api_diag(&format!("Deleting health check {id}"), &e))?;
        Ok(Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = id.trim();
        let c = call(ctx, READ_TIMEOUT);
        match meta.aws.route53.find_health_check(&c, id).await {
            Ok(h) => {
                let tags = meta
                    .aws
                    .route53
                    .health_check_tags(&c, id)
                    .await
                    .map_err(|e| api_diag(&format!("Reading tags of health check {id}"), &e))?;
                Ok(state_of(&h, &tags, &HealthCheckModel::default()))
            }
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Cannot import health check",
                format!("no health check with ID {id:?} exists"),
            )
            .into()),
            Err(e) => Err(api_diag("Importing health check", &e).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_points_at_the_attribute_and_waits_for_unknowns() {
        let r = HealthCheckResource;
        let cfg = |pairs: &[(&str, Value)]| {
            let mut m = HealthCheckModel::default().to_value();
            for (k, v) in pairs {
                m.set(k, v.clone());
            }
            m
        };
        let d = r.validate(&cfg(&[("type", Value::string("HTTP"))]));
        assert!(d.has_errors(), "{d:?}");
        assert!(
            format!("{d:?}").contains("need ip_address or fqdn"),
            "{d:?}"
        );
        let d = r.validate(&cfg(&[
            ("type", Value::string("HTTP")),
            ("ip_address", Value::Unknown),
        ]));
        assert!(!d.has_errors(), "{d:?}");
        let d = r.validate(&cfg(&[
            ("type", Value::string("TCP")),
            ("fqdn", Value::string("db.example.com")),
            ("port", Value::Number(r53_plugin::value::Number::Int(5432))),
            ("search_string", Value::string("x")),
        ]));
        assert!(format!("{d:?}").contains("search_string"), "{d:?}");
        let d = r.validate(&cfg(&[("type", Value::string("PING"))]));
        assert!(
            format!("{d:?}").contains("not a Route 53 health check type"),
            "{d:?}"
        );
    }
}
