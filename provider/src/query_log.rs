//! `r53_query_log`: a public hosted zone's DNS queries logged to a CloudWatch Logs log group.

use async_trait::async_trait;

use r53_core::route53::QueryLog;
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Value};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_query_log";

pub(crate) struct QueryLogResource;

r53_plugin::model! {
    /// The configuration and state of `r53_query_log`.
    pub struct QueryLogModel / QueryLogAttrs {
        description: "Logs the DNS queries Route 53 answers for a public hosted zone to a CloudWatch Logs log group. Route 53 \
             requires the log group in `us-east-1` and a resource policy on it that lets `route53.amazonaws.com` create log \
             streams and put events; a zone has at most one query logging configuration.";
        attributes {
            id: String [computed] "The query logging configuration's ID.",
            zone_id: String [required, force_new] "ID of the public hosted zone whose queries are logged.",
            cloudwatch_log_group_arn: String [required, force_new]
                "ARN of the log group (in `us-east-1`), with or without the `:*` suffix — both name the same group and plan no change.",
            arn: String [computed] "The configuration's ARN.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, QueryLogModel::block())
}

/// A log group ARN without the `:*` that names all its streams (Route 53 and the log group's own
/// ARN differ only by it).
fn group_of(arn: &str) -> &str {
    arn.strip_suffix(":*").unwrap_or(arn)
}

/// Why `arn` is not the ARN of a us-east-1 log group, if it is not.
fn arn_problem(arn: &str) -> Option<String> {
    let parts: Vec<&str> = group_of(arn).splitn(7, ':').collect();
    match parts.as_slice() {
        ["arn", partition, "logs", region, account, "log-group", name]
            if !partition.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && !name.is_empty() =>
        {
            (*region != "us-east-1").then(|| {
                format!(
                    "Route 53 logs queries only to log groups in us-east-1; {arn:?} is in {region}"
                )
            })
        }
        _ => Some(format!(
            "{arn:?} is not a log group ARN (arn:aws:logs:us-east-1:ACCOUNT:log-group:NAME)"
        )),
    }
}

/// State of `q`, keeping the configuration's spelling of the ARN when it names the same group.
fn state_of(q: &QueryLog, base: &QueryLogModel) -> QueryLogModel {
    let arn = match base.cloudwatch_log_group_arn.as_str() {
        Some(b) if group_of(b) == group_of(&q.log_group_arn) => b.to_string(),
        _ => q.log_group_arn.clone(),
    };
    QueryLogModel {
        id: Field::Known(q.id.clone()),
        zone_id: Field::Known(q.zone_id.clone()),
        cloudwatch_log_group_arn: Field::Known(arn),
        arn: Field::Known(format!("arn:aws:route53:::queryloggingconfig/{}", q.id)),
    }
}

#[async_trait]
impl Resource<Meta> for QueryLogResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required("id", "The query logging configuration's ID."),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match QueryLogModel::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let mut d = Diagnostics::new();
        if let Some(problem) = m.cloudwatch_log_group_arn.as_str().and_then(arn_problem) {
            d.error_at(
                at(QueryLogModel::ATTR.cloudwatch_log_group_arn),
                "Invalid cloudwatch_log_group_arn",
                problem,
            );
        }
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if prior.is_null() || planned.is_null() {
            return;
        }
        let (p, mut n) = match QueryLogModel::from_values(prior, planned) {
            Ok(pn) => pn,
            Err(e) => return d.extend(e),
        };
        n.id = p.id;
        n.arn = p.arn;
        *planned = n.to_value();
    }

    /// `:*` or not names the same log group: the prior spelling is kept, so a respelling — or an
    /// import, which reads the API's `:*` form — plans no change.
    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        let a = QueryLogModel::ATTR.cloudwatch_log_group_arn;
        match (prior.get(a).as_str(), planned.get(a).as_str()) {
            (Some(p), Some(n)) if p != n && group_of(p) == group_of(n) => {
                let p = p.to_string();
                planned.set(a, Value::string(p));
                true
            }
            _ => false,
        }
    }

    /// `:*` or not is the same log group: no replacement for a change of spelling only.
    fn replace_paths(
        &self,
        schema: &Schema,
        prior: &Value,
        planned: &Value,
    ) -> Vec<r53_plugin::AttrPath> {
        let arn_attr = QueryLogModel::ATTR.cloudwatch_log_group_arn;
        let same_group = match (prior.get(arn_attr).as_str(), planned.get(arn_attr).as_str()) {
            (Some(a), Some(b)) => group_of(a) == group_of(b),
            _ => false,
        };
        schema
            .block
            .replace_paths(prior, planned)
            .into_iter()
            .filter(|p| !(same_group && *p == at(arn_attr)))
            .collect()
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = QueryLogModel::from_value(&planned)?;
        let zone_id = m.zone_id.string().unwrap_or_default();
        let arn = m.cloudwatch_log_group_arn.string().unwrap_or_default();
        let q = meta
            .aws
            .route53
            .create_query_log(&call(ctx, CREATE_TIMEOUT), &zone_id, &arn)
            .await
            .map_err(|e| api_diag(&format!("Logging the queries of hosted zone {zone_id}"), &e))?;
        tracing::info!(id = %q.id, zone_id = %q.zone_id, "created query logging configuration");
        Ok(state_of(&q, &m).to_value())
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = QueryLogModel::from_value(state)?;
        let id = m.id.string().unwrap_or_default();
        match meta
            .aws
            .route53
            .find_query_log(&call(ctx, READ_TIMEOUT), &id)
            .await
        {
            Ok(q) => Ok(Some(state_of(&q, &m).to_value())),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => {
                Err(api_diag(&format!("Reading query logging configuration {id}"), &e).into())
            }
        }
    }

    async fn update(
        &self,
        _meta: &Meta,
        _ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        // Only a respelling of the same log group's ARN reaches here; nothing to write.
        Ok(planned)
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = QueryLogModel::from_value(prior)?;
        let id = m.id.string().unwrap_or_default();
        meta.aws
            .route53
            .delete_query_log(&call(ctx, DELETE_TIMEOUT), &id)
            .await
            .map_err(|e| api_diag(&format!("Deleting query logging configuration {id}"), &e))?;
        Ok(Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = id.trim();
        match meta
            .aws
            .route53
            .find_query_log(&call(ctx, READ_TIMEOUT), id)
            .await
        {
            Ok(q) => Ok(state_of(&q, &QueryLogModel::default()).to_value()),
            Err(e) if e.is_not_found() => Err(Diagnostic::error(
                "Cannot import query logging configuration",
                format!("no query logging configuration with ID {id:?} exists"),
            )
            .into()),
            Err(e) => Err(api_diag("Importing query logging configuration", &e).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns_must_name_a_us_east_1_group() {
        let ok = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/route53/example.com";
        assert_eq!(arn_problem(ok), None);
        assert_eq!(arn_problem(&format!("{ok}:*")), None);
        let west = arn_problem("arn:aws:logs:eu-west-1:123456789012:log-group:x").unwrap();
        assert!(west.contains("only to log groups in us-east-1"), "{west}");
        for bad in [
            "",
            "log-group:x",
            "arn:aws:logs:us-east-1:1234:log-group:x",
            "arn:aws:s3:us-east-1:123456789012:log-group:x",
            "arn:aws:logs:us-east-1:123456789012:log-group:",
        ] {
            assert!(arn_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn state_keeps_the_configured_spelling_of_the_same_group() {
        let q = QueryLog {
            id: "q1".into(),
            zone_id: "Z1".into(),
            log_group_arn: "arn:aws:logs:us-east-1:123456789012:log-group:g:*".into(),
        };
        let base = QueryLogModel {
            cloudwatch_log_group_arn: "arn:aws:logs:us-east-1:123456789012:log-group:g".into(),
            ..Default::default()
        };
        assert_eq!(
            state_of(&q, &base).cloudwatch_log_group_arn.as_str(),
            Some("arn:aws:logs:us-east-1:123456789012:log-group:g")
        );
        let other = QueryLogModel {
            cloudwatch_log_group_arn: "arn:aws:logs:us-east-1:123456789012:log-group:h".into(),
            ..Default::default()
        };
        assert_eq!(
            state_of(&q, &other).cloudwatch_log_group_arn.as_str(),
            Some(q.log_group_arn.as_str())
        );
        assert_eq!(
            state_of(&q, &base).arn.as_str(),
            Some("arn:aws:route53:::queryloggingconfig/q1")
        );
    }
}
