//! `r53_health_check_status`: what Route 53's checkers see of a health check now — each checker
//! region's latest report, the latest failures, and the verdict routing uses (more than 18% of
//! the checkers healthy, then `invert` and `disabled`; a CALCULATED check from its children).

use std::collections::BTreeMap;

use async_trait::async_trait;
use r53_core::route53::{CheckerReport, HealthCheckInfo};
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Field, Value};
use r53_zone::health_check::{calculated_verdict, checkers_verdict, routing_verdict, Kind};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_health_check_status";

/// How deep CALCULATED checks are followed through CALCULATED children, and how many checks one
/// read may look at: a loop of checks naming each other must end with an error, not a hang.
const MAX_DEPTH: usize = 3;
const MAX_CHECKS_READ: usize = 300;

pub(crate) struct HealthCheckStatusData;

r53_plugin::model! {
    /// One checker region's report (an element of `checkers` and `last_failures`).
    pub struct CheckerStatus / CheckerStatusAttrs {
        description: "";
        attributes {
            region: String [] "",
            ip_address: String [] "",
            status: String [] "",
            checked_at: String [] "",
            healthy: bool [] "",
        }
    }
}

r53_plugin::model! {
    /// The configuration and result of `r53_health_check_status`.
    pub struct HealthCheckStatus / HealthCheckStatusAttrs {
        description: "The live status of a Route 53 health check: what each checker region saw last, the latest \
             failures, and whether Route 53 treats the endpoint as healthy when it answers DNS queries (more than 18% of \
             the checkers report it healthy; a `disabled` check counts as healthy, and `invert` flips the result). For a `CALCULATED` \
             check the verdict comes from its children's verdicts and `health_threshold`. Read at plan time: use it in \
             checks and outputs, not to drive resources.";
        attributes {
            health_check_id: String [required] "The health check's ID.",
            id: String [computed] "The health check's ID.",
            r#type: String [computed] "The check's type.",
            healthy: bool [computed] "Whether Route 53 treats the check as healthy when it answers DNS queries.",
            healthy_checkers: i64 [computed] "How many checker regions saw the endpoint healthy at their latest check (0 for `CALCULATED`).",
            reporting_checkers: i64 [computed] "How many checker regions reported (0 for `CALCULATED`).",
            checkers: Vec<CheckerStatus> [computed]
                "Each checker region's latest report, by region: `region`, the checker's `ip_address`, Route 53's `status` text \
                 (e.g. `Success: HTTP Status Code 200, OK`), `checked_at` (RFC 3339) and `healthy`. Empty for `CALCULATED`.",
            last_failures: Vec<CheckerStatus> [computed]
                "Each checker region's latest failure, by region (regions that never saw one are left out).",
            last_failure_reason: String [computed] "The most recent failure's text, empty when no checker has seen one.",
            children: BTreeMap<String, bool> [computed] "`CALCULATED`: each child check's verdict, by ID.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, HealthCheckStatus::block())
}

fn status_of(r: &CheckerReport) -> CheckerStatus {
    CheckerStatus {
        region: Field::Known(r.region.clone()),
        ip_address: Field::Known(r.ip_address.clone()),
        status: Field::Known(r.status.clone()),
        checked_at: Field::Known(r.checked_at.clone().unwrap_or_default()),
        healthy: Field::Known(r.success()),
    }
}

fn count(n: usize) -> Field<i64> {
    Field::Known(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Reads checks and their status, counting what it reads.
struct Reader<'a> {
    meta: &'a Meta,
    ctx: &'a Ctx,
    read: usize,
}

impl Reader<'_> {
    async fn check(&mut self, id: &str) -> Result<HealthCheckInfo, r53_core::Error> {
        self.read += 1;
        if self.read > MAX_CHECKS_READ {
            return Err(r53_core::Error::Invalid(format!(
                "reading the status of more than {MAX_CHECKS_READ} health checks (the limit of one read)"
            )));
        }
        self.meta
            .aws
            .route53
            .find_health_check(&call(self.ctx, READ_TIMEOUT), id)
            .await
    }

    async fn reports(&self, id: &str) -> Result<Vec<CheckerReport>, r53_core::Error> {
        self.meta
            .aws
            .route53
            .health_check_status(&call(self.ctx, READ_TIMEOUT), id)
            .await
    }

    /// The routing verdict of check `h`, following CALCULATED children `depth` levels down.
    async fn verdict(
        &mut self,
        h: &HealthCheckInfo,
        depth: usize,
    ) -> Result<bool, r53_core::Error> {
        let c = &h.config;
        let (invert, disabled) = (c.invert.unwrap_or(false), c.disabled.unwrap_or(false));
        if disabled {
            return Ok(true);
        }
        let raw = if c.kind == Kind::Calculated {
            let mut healthy = 0;
            for child in c.child_health_checks.iter().flatten() {
                if self.child_verdict(child, depth).await? {
                    healthy += 1;
                }
            }
            calculated_verdict(healthy, c.health_threshold.unwrap_or(0))
        } else {
            let r = self.reports(&h.id).await?;
            checkers_verdict(r.iter().filter(|r| r.success()).count(), r.len())
        };
        Ok(routing_verdict(raw, invert, false))
    }

    async fn child_verdict(&mut self, id: &str, depth: usize) -> Result<bool, r53_core::Error> {
        if depth >= MAX_DEPTH {
            return Err(r53_core::Error::Invalid(format!(
                "CALCULATED checks nest more than {MAX_DEPTH} deep at child {id} (the limit r53 follows)"
            )));
        }
        let child = self.check(id).await?;
        Box::pin(self.verdict(&child, depth + 1)).await
    }
}

#[async_trait]
impl DataSource<Meta> for HealthCheckStatusData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        match HealthCheckStatus::from_value(config) {
            Ok(m) => {
                if let Some(id) = m.health_check_id.as_str() {
                    if id.is_empty() || id.len() > 64 {
                        d.error_at(
                            at(HealthCheckStatus::ATTR.health_check_id),
                            "Invalid health check ID",
                            format!("{id:?} is not a health check ID (1 to 64 characters)"),
                        );
                    }
                }
            }
            Err(e) => return e,
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let m = HealthCheckStatus::from_value(config)?;
        let id = m.health_check_id.as_str().unwrap_or_default().to_string();
        let fail = |e: &r53_core::Error| -> Diagnostics {
            if e.is_not_found() {
                Diagnostic::error(
                    "Health check not found",
                    format!("no health check with ID {id}"),
                )
                .at(at(HealthCheckStatus::ATTR.health_check_id))
                .into()
            } else {
                api_diag("Reading health check status", e).into()
            }
        };
        let mut reader = Reader { meta, ctx, read: 0 };
        let h = reader.check(&id).await.map_err(|e| fail(&e))?;
        let calculated = h.config.kind == Kind::Calculated;
        let (reports, failures) = if calculated {
            (Vec::new(), Vec::new())
        } else {
            let r = reader.reports(&id).await.map_err(|e| fail(&e))?;
            let f = meta
                .aws
                .route53
                .health_check_last_failures(&call(ctx, READ_TIMEOUT), &id)
                .await
                .map_err(|e| fail(&e))?;
            (r, f)
        };
        let mut children = BTreeMap::new();
        if calculated {
            for child in h.config.child_health_checks.iter().flatten() {
                let v = reader.child_verdict(child, 0).await.map_err(|e| fail(&e))?;
                children.insert(child.clone(), v);
            }
        }
        let c = &h.config;
        let raw = if calculated {
            let up = children.values().filter(|v| **v).count();
            calculated_verdict(up, c.health_threshold.unwrap_or(0))
        } else {
            checkers_verdict(
                reports.iter().filter(|r| r.success()).count(),
                reports.len(),
            )
        };
        let healthy = routing_verdict(raw, c.invert.unwrap_or(false), c.disabled.unwrap_or(false));
        let last = failures
            .iter()
            .filter(|f| f.checked_at.is_some())
            .max_by(|a, b| a.checked_at.cmp(&b.checked_at))
            .or(failures.first())
            .map(|f| f.status.clone())
            .unwrap_or_default();
        Ok(HealthCheckStatus {
            health_check_id: Field::Known(id.clone()),
            id: Field::Known(id),
            r#type: Field::Known(h.config.kind.as_str().to_string()),
            healthy: Field::Known(healthy),
            healthy_checkers: count(reports.iter().filter(|r| r.success()).count()),
            reporting_checkers: count(reports.len()),
            checkers: Field::Known(reports.iter().map(status_of).collect()),
            last_failures: Field::Known(failures.iter().map(status_of).collect()),
            last_failure_reason: Field::Known(last),
            children: Field::Known(children),
        }
        .to_value())
    }
}
