//! The provider block: AWS settings on the standard credential chain.

use std::sync::Arc;

use async_trait::async_trait;
use r53_core::{AssumeRole, Aws, AwsSettings};
use r53_plugin::schema::{Attribute, Block, Nesting, Schema};
use r53_plugin::{DataSource, Diagnostic, Diagnostics, Provider, Resource, Type, Value};

use crate::common::{opt_i64, opt_str, str_list};

/// What every resource gets once the provider is configured.
pub struct Meta {
    pub aws: Aws,
}

#[derive(Default)]
pub struct R53Provider;

impl R53Provider {
    pub fn new() -> Self {
        R53Provider
    }
}

pub fn provider_schema() -> Schema {
    let s = |n: &str, d: &str| Attribute::new(n, Type::String, d).optional();
    Schema::new(
        0,
        Block::new(
            "The `r53` provider manages Amazon Route 53's two jobs: hosting (hosted zones and records) and the registrar \
             (domains registered with Route 53 Domains), and the delegation that links them. Credentials come from the standard AWS chain: environment, shared config and credentials files, \
             SSO, container and instance roles. Route 53 is a global service: its API calls always go to `us-east-1`.",
        )
        .attr(s("region", "AWS region for STS and the default region of private-zone VPCs. Defaults to `AWS_REGION`, the profile's region, or `us-east-1`. Route 53 calls always use `us-east-1`."))
        .attr(s("profile", "Named profile from the shared config/credentials files (like `AWS_PROFILE`)."))
        .attr(Attribute::new("shared_config_files", Type::list(Type::String), "Paths of shared config files to read instead of `~/.aws/config`.").optional())
        .attr(Attribute::new("shared_credentials_files", Type::list(Type::String), "Paths of shared credentials files to read instead of `~/.aws/credentials`.").optional())
        .attr(Attribute::new("max_retries", Type::Number, "How many times a call that was throttled, hit `PriorRequestNotComplete`, a 5xx or a reset connection is retried (jittered exponential backoff, always within the resource's timeout). Default 25.").optional())
        .attr(Attribute::new(
            "batch_record_writes",
            Type::Bool,
            "Read each zone once per run and gather concurrent record writes to a zone into shared change batches (sent one at a time, \
             within Route 53's limits; a rejected batch is split so only the offending records fail). Default `true`. \
             `false` makes one List per record read and one change batch per record write, like the established provider.",
        ).optional())
        .block(
            "assume_role",
            Nesting::List,
            0,
            1,
            Block::new("Assume this IAM role (through STS) for every call.")
                .attr(Attribute::new("role_arn", Type::String, "ARN of the role to assume.").required())
                .attr(s("session_name", "Session name shown in CloudTrail. Default `r53-terraform`."))
                .attr(Attribute::new("external_id", Type::String, "External ID the role's trust policy requires.").optional().sensitive()),
        )
        .block(
            "endpoints",
            Nesting::List,
            0,
            1,
            Block::new("Custom API endpoints (for testing against an emulator, or through a proxy).")
                .attr(s("route53", "Route 53 API endpoint URL."))
                .attr(s("route53domains", "Route 53 Domains API endpoint URL."))
                .attr(s("sts", "STS endpoint URL (used with `assume_role`).")),
        ),
    )
}

fn settings_from(config: &Value) -> Result<AwsSettings, Diagnostics> {
    let mut d = Diagnostics::new();
    let ar = config
        .get("assume_role")
        .elements()
        .first()
        .map(|b| AssumeRole {
            role_arn: opt_str(b, "role_arn").unwrap_or_default(),
            session_name: opt_str(b, "session_name"),
            external_id: opt_str(b, "external_id"),
        });
    let ep = config
        .get("endpoints")
        .elements()
        .first()
        .cloned()
        .unwrap_or_default();
    let max_retries = match opt_i64(config, "max_retries") {
        Some(n) if !(0..=100).contains(&n) => {
            d.error_at(
                r53_plugin::AttrPath::attr("max_retries"),
                "Invalid max_retries",
                format!("must be from 0 to 100, not {n}"),
            );
            None
        }
        n => n.map(|n| n as u32),
    };
    for (k, v) in [
        ("route53", opt_str(&ep, "route53")),
        ("route53domains", opt_str(&ep, "route53domains")),
        ("sts", opt_str(&ep, "sts")),
    ] {
        if let Some(u) = v {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                d.error_at(
                    r53_plugin::AttrPath::attr("endpoints").index(0).then(k),
                    "Invalid endpoint URL",
                    format!("{u:?} must start with http:// or https://"),
                );
            }
        }
    }
    if d.has_errors() {
        return Err(d);
    }
    Ok(AwsSettings {
        region: opt_str(config, "region"),
        profile: opt_str(config, "profile"),
        shared_config_files: str_list(config, "shared_config_files"),
        shared_credentials_files: str_list(config, "shared_credentials_files"),
        assume_role: ar,
        endpoint_route53: opt_str(&ep, "route53"),
        endpoint_route53domains: opt_str(&ep, "route53domains"),
        endpoint_sts: opt_str(&ep, "sts"),
        max_retries,
        batch_record_writes: config.get("batch_record_writes").as_bool(),
    })
}

#[async_trait]
impl Provider for R53Provider {
    type Meta = Meta;

    fn schema(&self) -> Schema {
        provider_schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        if !config.is_wholly_known() {
            return Diagnostics::new();
        }
        settings_from(config).err().unwrap_or_default()
    }

    async fn configure(&self, config: &Value, _tf_version: &str) -> Result<Meta, Diagnostics> {
        let settings = settings_from(config)?;
        let aws = Aws::connect(&settings).await.map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Cannot configure AWS clients",
                e.to_string(),
            ))
        })?;
        Ok(Meta { aws })
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Meta>>> {
        vec![
            Arc::new(crate::hosted_zone::HostedZoneResource),
            Arc::new(crate::record::RecordResource),
            Arc::new(crate::records::RecordsResource),
            Arc::new(crate::registered_domain::RegisteredDomainResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Meta>>> {
        vec![
            Arc::new(crate::data_hosted_zone::HostedZoneData),
            Arc::new(crate::data_registered_domain::RegisteredDomainData),
            Arc::new(crate::data_domain_availability::DomainAvailabilityData),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn bad_endpoint_is_reported_at_its_path() {
        let ty = provider_schema().ty();
        let cfg = Value::from_json(
            &serde_json::json!({"endpoints": [{"route53": "localhost:5000"}]}),
            &ty,
        )
        .unwrap();
        let d = R53Provider.validate(&cfg);
        assert!(d.has_errors());
        assert_eq!(
            d.0[0].path.as_ref().unwrap().to_string(),
            "endpoints[0].route53"
        );
        let ok = Value::from_json(&serde_json::json!({"endpoints": [{"route53": "http://127.0.0.1:5000"}], "max_retries": 3}), &ty).unwrap();
        assert!(R53Provider.validate(&ok).is_empty());
        let _ = BTreeMap::<String, String>::new();
    }
}
