//! The provider block: AWS settings on the standard credential chain.

use std::sync::Arc;

use async_trait::async_trait;
use r53_core::dns::delegation::DnsSettings;
use r53_core::dns::settings;
use r53_core::{AssumeRole, Aws, AwsSettings};
use r53_plugin::schema::{Attribute, Block, Nesting, Schema};
use r53_plugin::{DataSource, Diagnostic, Diagnostics, Provider, Resource, Type, Value};

use crate::common::{int_in, opt_i64, opt_str, str_list};
use crate::meta::Meta;

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
        )
        .block(
            "dns",
            Nesting::List,
            0,
            1,
            Block::new(
                "How delegations are checked over DNS (`r53_delegation`, `r53_delegation_status`): iterative queries to \
                 authoritative servers, starting at the root. The defaults use the Internet's root servers on port 53; \
                 set these for a private network or a test lab.",
            )
            .attr(Attribute::new("root_hints", Type::list(Type::String), "IP addresses of the root servers the walk starts from. Default: `R53_DNS_ROOT_HINTS` (comma-separated), else the 13 IANA root servers (IPv4).").optional())
            .attr(Attribute::new("port", Type::Number, "Port every authoritative server is queried on. Default: `R53_DNS_PORT`, else 53.").optional())
            .attr(Attribute::new("resolvers", Type::list(Type::String), "Recursive resolvers (`IP` or `IP:port`) used only to find the addresses of name servers the parent gives no glue for. Default: `R53_DNS_RESOLVERS` (comma-separated), else none (those are resolved iteratively from the root hints too).").optional())
            .attr(s("timeout", "How long to wait for each DNS answer, e.g. `3s`. Default: `R53_DNS_TIMEOUT`, else `3s`.")),
        ),
    )
}

/// The `dns` block over the `R53_DNS_*` environment (`DnsSettings::from_env`, the reader
/// r53-migrate's defaults share): each attribute set in the block wins, else its variable, else
/// the default.
fn dns_from(config: &Value, d: &mut Diagnostics) -> DnsSettings {
    dns_with_env(config, d, |k| std::env::var(k).ok())
}

fn dns_with_env(
    config: &Value,
    d: &mut Diagnostics,
    env: impl Fn(&str) -> Option<String>,
) -> DnsSettings {
    use r53_core::dns::settings::{parse_port, parse_resolver, parse_root_hint};
    let b = config
        .get("dns")
        .elements()
        .first()
        .cloned()
        .unwrap_or_default();
    let path = |k: &str| r53_plugin::AttrPath::attr("dns").index(0).then(k);
    // A variable the block overrides is not read (so not judged either).
    let overridden = |var: &str| match var {
        settings::ENV_ROOT_HINTS => !str_list(&b, "root_hints").is_empty(),
        settings::ENV_PORT => opt_i64(&b, "port").is_some(),
        settings::ENV_RESOLVERS => !str_list(&b, "resolvers").is_empty(),
        settings::ENV_TIMEOUT => opt_str(&b, "timeout").is_some(),
        _ => false,
    };
    let mut out = DnsSettings::from_env(|k| if overridden(k) { None } else { env(k) })
        .unwrap_or_else(|e| {
            d.error_at(
                r53_plugin::AttrPath::attr("dns"),
                "Invalid DNS setting in the environment",
                e,
            );
            DnsSettings::default()
        });
    let hints = str_list(&b, "root_hints");
    if !hints.is_empty() {
        out.root_hints.clear();
        for (i, h) in hints.iter().enumerate() {
            match parse_root_hint(h) {
                Ok(ip) => out.root_hints.push(ip),
                Err(e) => d.error_at(path("root_hints").index(i as i64), "Invalid root hint", e),
            }
        }
    }
    if let Some(p) = opt_i64(&b, "port") {
        match parse_port(&p.to_string()) {
            Ok(p) => out.port = p,
            Err(e) => d.error_at(path("port"), "Invalid port", e),
        }
    }
    let resolvers = str_list(&b, "resolvers");
    if !resolvers.is_empty() {
        out.resolvers.clear();
        for (i, r) in resolvers.iter().enumerate() {
            match parse_resolver(r) {
                Ok(a) => out.resolvers.push(a),
                Err(e) => d.error_at(path("resolvers").index(i as i64), "Invalid resolver", e),
            }
        }
    }
    if let Some(t) = opt_str(&b, "timeout") {
        match crate::common::parse_duration(&t) {
            Ok(t) => out.timeout = t,
            Err(e) => d.error_at(path("timeout"), "Invalid timeout", e),
        }
    }
    out
}

#[cfg(test)]
mod dns_tests {
    use super::*;

    fn block(j: serde_json::Value) -> Value {
        Value::from_json(&serde_json::json!({ "dns": [j] }), &provider_schema().ty()).unwrap()
    }

    /// The block wins over the environment, the environment over the defaults; errors name the
    /// attribute or the variable.
    #[test]
    fn dns_block_over_environment_over_defaults() {
        let env = |k: &str| match k {
            "R53_DNS_PORT" => Some("5300".to_string()),
            "R53_DNS_RESOLVERS" => Some("127.0.0.9".to_string()),
            "R53_DNS_ROOT_HINTS" => Some("not-an-ip".to_string()),
            _ => None,
        };
        let mut d = Diagnostics::new();
        let s = dns_with_env(
            &block(serde_json::json!({"root_hints": ["127.0.0.1"], "port": 53})),
            &mut d,
            env,
        );
        assert!(d.is_empty(), "{:?}", d.0);
        assert_eq!((s.port, s.root_hints.len(), s.resolvers.len()), (53, 1, 1));
        let mut d = Diagnostics::new();
        dns_with_env(&block(serde_json::json!({"port": 70000})), &mut d, env);
        let got: Vec<(String, String)> =
            d.0.iter()
                .map(|x| {
                    (
                        x.summary.clone(),
                        x.path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                    )
                })
                .collect();
        assert_eq!(
            got,
            [
                (
                    "Invalid DNS setting in the environment".to_string(),
                    "dns".to_string()
                ),
                ("Invalid port".to_string(), "dns[0].port".to_string())
            ]
        );
        assert!(
            d.0[0]
                .detail
                .starts_with("R53_DNS_ROOT_HINTS: \"not-an-ip\""),
            "{}",
            d.0[0].detail
        );
    }
}

fn settings_from(config: &Value) -> Result<(DnsSettings, AwsSettings), Diagnostics> {
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
    let max_retries = int_in(config, "max_retries", 0..=100, &mut d).map(|n| n as u32);
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
    let dns = dns_from(config, &mut d);
    if d.has_errors() {
        return Err(d);
    }
    Ok((
        dns,
        AwsSettings {
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
        },
    ))
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
        let (dns, settings) = settings_from(config)?;
        let aws = Aws::connect(&settings).await.map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Cannot configure AWS clients",
                e.to_string(),
            ))
        })?;
        Ok(Meta { aws, dns })
    }

    fn resources(&self) -> Vec<Arc<dyn Resource<Meta>>> {
        vec![
            Arc::new(crate::hosted_zone::HostedZoneResource),
            Arc::new(crate::record::RecordResource),
            Arc::new(crate::records::RecordsResource),
            Arc::new(crate::registered_domain::RegisteredDomainResource),
            Arc::new(crate::delegation::DelegationResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Meta>>> {
        vec![
            Arc::new(crate::data_hosted_zone::HostedZoneData),
            Arc::new(crate::data_registered_domain::RegisteredDomainData),
            Arc::new(crate::data_domain_availability::DomainAvailabilityData),
            Arc::new(crate::data_delegation_status::DelegationStatusData),
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
        let bad_dns = Value::from_json(
            &serde_json::json!({"dns": [{"root_hints": ["127.0.0.1", "a.root-servers.net"], "port": 70000, "resolvers": ["10.0.0.2:5353", "x"]}]}),
            &ty,
        )
        .unwrap();
        let d = R53Provider.validate(&bad_dns);
        let paths: Vec<String> =
            d.0.iter()
                .map(|x| x.path.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(
            paths,
            ["dns[0].root_hints[1]", "dns[0].port", "dns[0].resolvers[1]"]
        );
        assert!(R53Provider.validate(&ok).is_empty());
        let _ = BTreeMap::<String, String>::new();
    }
}
