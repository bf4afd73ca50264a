//! Query logging configurations: a public hosted zone's DNS queries sent to a CloudWatch Logs log
//! group (in us-east-1, as Route 53 requires).

use super::{strip_zone_id, Call, Route53};
use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryLog {
    pub id: String,
    /// Without the "/hostedzone/" prefix.
    pub zone_id: String,
    pub log_group_arn: String,
}

fn from_sdk(q: &aws_sdk_route53::types::QueryLoggingConfig) -> QueryLog {
    QueryLog {
        id: q.id().to_string(),
        zone_id: strip_zone_id(q.hosted_zone_id()),
        log_group_arn: q.cloud_watch_logs_log_group_arn().to_string(),
    }
}

fn not_found(id: &str) -> Error {
    Error::NotFound {
        what: format!("query logging configuration {id}"),
    }
}

impl Route53 {
    /// Starts logging `zone_id`'s queries to `log_group_arn`. A retry of a request that did go
    /// through finds the configuration it made (a zone has at most one).
    pub async fn create_query_log(
        &self,
        call: &Call,
        zone_id: &str,
        log_group_arn: &str,
    ) -> Result<QueryLog> {
        let zone_id = strip_zone_id(zone_id);
        let out = call
            .send("CreateQueryLoggingConfig", &self.policy, || {
                self.client
                    .create_query_logging_config()
                    .hosted_zone_id(&zone_id)
                    .cloud_watch_logs_log_group_arn(log_group_arn)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => o.query_logging_config().map(from_sdk).ok_or_else(|| {
                Error::Invalid("CreateQueryLoggingConfig returned no configuration".into())
            }),
            Err(Error::Api { code, .. })
                if code == "QueryLoggingConfigAlreadyExists" && out.ambiguous =>
            {
                self.query_logs_of_zone(call, &zone_id)
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| not_found(&format!("of hosted zone {zone_id}")))
            }
            Err(e) => Err(e),
        }
    }

    /// The configuration, or [`Error::NotFound`].
    pub async fn find_query_log(&self, call: &Call, id: &str) -> Result<QueryLog> {
        let out = call
            .send("GetQueryLoggingConfig", &self.policy, || {
                self.client.get_query_logging_config().id(id).send()
            })
            .await;
        match out.result {
            Ok(o) => o
                .query_logging_config()
                .map(from_sdk)
                .ok_or_else(|| not_found(id)),
            Err(Error::Api { code, .. }) if code == "NoSuchQueryLoggingConfig" => {
                Err(not_found(id))
            }
            Err(e) => Err(e),
        }
    }

    /// The zone's query logging configurations (Route 53 allows one).
    pub async fn query_logs_of_zone(&self, call: &Call, zone_id: &str) -> Result<Vec<QueryLog>> {
        let zone_id = strip_zone_id(zone_id);
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        // One page almost always; the bound keeps a server that never stops paging from looping.
        for _ in 0..100 {
            let page = call
                .send("ListQueryLoggingConfigs", &self.policy, || {
                    self.client
                        .list_query_logging_configs()
                        .hosted_zone_id(&zone_id)
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .result?;
            out.extend(page.query_logging_configs().iter().map(from_sdk));
            match page.next_token() {
                Some(n) if !n.is_empty() => token = Some(n.to_string()),
                _ => return Ok(out),
            }
        }
        Err(Error::Invalid(
            "ListQueryLoggingConfigs still had pages after 100".into(),
        ))
    }

    /// Stops the logging. One that is gone already is not an error.
    pub async fn delete_query_log(&self, call: &Call, id: &str) -> Result<()> {
        let out = call
            .send("DeleteQueryLoggingConfig", &self.policy, || {
                self.client.delete_query_logging_config().id(id).send()
            })
            .await;
        match out.result {
            Ok(_) => Ok(()),
            Err(Error::Api { code, .. }) if code == "NoSuchQueryLoggingConfig" => Ok(()),
            Err(e) => Err(e),
        }
    }
}
