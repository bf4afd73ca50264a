//! The provider block: AWS settings on the standard credential chain.

use std::sync::Arc;

use async_trait::async_trait;
use r53_core::dns::delegation::DnsSettings;
use r53_core::dns::settings;
use r53_core::{AssumeRole, Aws, AwsSettings};
use r53_plugin::schema::Schema;
use r53_plugin::{DataSource, Diagnostic, Diagnostics, Provider, Resource, Value};

use crate::common::int_in;
use crate::meta::Meta;

#[derive(Default)]
pub struct R53Provider;

impl R53Provider {
    pub fn new() -> Self {
        R53Provider
    }
}

r53_plugin::model! {
    /// The `assume_role` block.
    pub struct AssumeRoleBlock / AssumeRoleBlockAttrs {
        description: "Assume this IAM role (through STS) for every call.";
        attributes {
            role_arn: String [required] "ARN of the role to assume.",
            session_name: String [optional] "Session name shown in CloudTrail. Default `r53-terraform`.",
            external_id: String [optional, sensitive] "External ID the role's trust policy requires.",
        }
    }
}

r53_plugin::model! {
    /// The `endpoints` block.
    pub struct EndpointsBlock / EndpointsBlockAttrs {
        description: "Custom API endpoints (for testing against an emulator, or through a proxy).";
        attributes {
            route53: String [optional] "Route 53 API endpoint URL.",
            route53domains: String [optional] "Route 53 Domains API endpoint URL.",
            route53resolver: String [optional] "Route 53 Resolver API endpoint URL (the resolver resources; regional, in the provider's `region`).",
            sts: String [optional] "STS endpoint URL for `assume_role`'s calls (e.g. a VPC endpoint for STS); the other services keep theirs.",
            kms: String [optional] "KMS endpoint URL (us-east-1), for `r53_key_signing_key`'s checks of its KMS key.",
        }
    }
}

r53_plugin::model! {
    /// The `dns` block.
    pub struct DnsBlock / DnsBlockAttrs {
        description: "How delegations are checked over DNS (`r53_delegation`, `r53_delegation_status`): iterative queries to \
                 authoritative servers, starting at the root. The defaults use the Internet's root servers on port 53; \
                 set these for a private network or a test lab.";
        attributes {
            root_hints: Vec<String> [optional] "IP addresses of the root servers the walk starts from. Default: `R53_DNS_ROOT_HINTS` (comma-separated), else the 13 IANA root servers (IPv4).",
            port: i64 [optional] "Port every authoritative server is queried on. Default: `R53_DNS_PORT`, else 53.",
            resolvers: Vec<String> [optional] "Recursive resolvers (`IP` or `IP:port`) used only to find the addresses of name servers the parent gives no glue for. Default: `R53_DNS_RESOLVERS` (comma-separated), else none (those are resolved iteratively from the root hints too).",
            timeout: String [optional] "How long to wait for each DNS answer, e.g. `3s`. Default: `R53_DNS_TIMEOUT`, else `3s`.",
            trust_anchors: Vec<String> [optional] "The root keys DNSSEC validation starts from, as zone-file lines: `. DS <tag> <algorithm> <digest type> <digest>` or `. DNSKEY <flags> 3 <algorithm> <key>`. Default: `R53_DNS_TRUST_ANCHORS` (comma-separated), else IANA's root KSKs (20326 and 38696).",
        }
    }
}

r53_plugin::model! {
    /// The provider block.
    pub struct ProviderConfig / ProviderConfigAttrs {
        description: "The `r53` provider manages Amazon Route 53's two jobs: hosting (hosted zones and records) and the registrar \
             (domains registered with Route 53 Domains), and the delegation that links them. Credentials come from the standard AWS chain: environment, shared config and credentials files, \
             SSO, container and instance roles. Route 53 is a global service: its API calls always go to `us-east-1`.";
        attributes {
            region: String [optional] "AWS region for STS and the default region of private-zone VPCs. Defaults to `AWS_REGION`, the profile's region, or `us-east-1`. Route 53 calls always use `us-east-1`.",
            profile: String [optional] "Named profile from the shared config/credentials files (like `AWS_PROFILE`).",
            shared_config_files: Vec<String> [optional] "Paths of shared config files to read instead of `~/.aws/config`.",
            shared_credentials_files: Vec<String> [optional] "Paths of shared credentials files to read instead of `~/.aws/credentials`.",
            max_retries: i64 [optional] "How many times a call that was throttled, hit `PriorRequestNotComplete`, a 5xx or a reset connection is retried (jittered exponential backoff, always within the resource's timeout). Default 25.",
            batch_record_writes: bool [optional]
                "Read each zone once per run and gather concurrent record writes to a zone into shared change batches (sent one at a time, \
                 within Route 53's limits; a rejected batch is split so only the offending records fail). Default `true`. \
                 `false` makes one List per record read and one change batch per record write, like the established provider.",
        }
        blocks {
            assume_role: Vec<AssumeRoleBlock> [0, 1],
            endpoints: Vec<EndpointsBlock> [0, 1],
            dns: Vec<DnsBlock> [0, 1],
        }
    }
}

pub fn provider_schema() -> Schema {
    Schema::new(0, ProviderConfig::block())
}

/// The `dns` block over the `R53_DNS_*` environment (`DnsSettings::from_env`, the reader
/// r53-migrate's defaults share): each attribute set in the block wins, else its variable, else
/// the default.
fn dns_from(config: &ProviderConfig, d: &mut Diagnostics) -> DnsSettings {
    dns_with_env(config, d, |k| std::env::var(k).ok())
}

fn dns_with_env(
    config: &ProviderConfig,
    d: &mut Diagnostics,
    env: impl Fn(&str) -> Option<String>,
) -> DnsSettings {
    use r53_core::dns::settings::{parse_port, parse_resolver, parse_root_hint};
    let b = config.dns.items().first().cloned().unwrap_or_default();
    let a = DnsBlock::ATTR;
    let dns = ProviderConfig::ATTR.dns;
    let path = |k: &str| r53_plugin::AttrPath::attr(dns).index(0).then(k);
    // A variable the block overrides is not read (so not judged either).
    let overridden = |var: &str| match var {
        settings::ENV_ROOT_HINTS => !b.root_hints.items().is_empty(),
        settings::ENV_PORT => b.port.get().is_some(),
        settings::ENV_RESOLVERS => !b.resolvers.items().is_empty(),
        settings::ENV_TIMEOUT => b.timeout.as_str().is_some(),
        settings::ENV_TRUST_ANCHORS => !b.trust_anchors.items().is_empty(),
        _ => false,
    };
    let mut out = DnsSettings::from_env(|k| if overridden(k) { None } else { env(k) })
        .unwrap_or_else(|e| {
            d.error_at(
                r53_plugin::AttrPath::attr(dns),
                "Invalid DNS setting in the environment",
                e,
            );
            DnsSettings::default()
        });
    let hints = b.root_hints.items();
    if !hints.is_empty() {
        out.root_hints.clear();
        for (i, h) in hints.iter().enumerate() {
            match parse_root_hint(h) {
                Ok(ip) => out.root_hints.push(ip),
                Err(e) => d.error_at(path(a.root_hints).index(i as i64), "Invalid root hint", e),
            }
        }
    }
    if let Some(p) = b.port.get() {
        match parse_port(&p.to_string()) {
            Ok(p) => out.port = p,
            Err(e) => d.error_at(path(a.port), "Invalid port", e),
        }
    }
    let anchors = b.trust_anchors.items();
    if !anchors.is_empty() {
        out.trust_anchors.clear();
        for (i, t) in anchors.iter().enumerate() {
            match settings::parse_trust_anchor(t) {
                Ok(t) => out.trust_anchors.push(t),
                Err(e) => d.error_at(
                    path(a.trust_anchors).index(i as i64),
                    "Invalid trust anchor",
                    e,
                ),
            }
        }
    }
    let resolvers = b.resolvers.items();
    if !resolvers.is_empty() {
        out.resolvers.clear();
        for (i, r) in resolvers.iter().enumerate() {
            match parse_resolver(r) {
                Ok(ip) => out.resolvers.push(ip),
                Err(e) => d.error_at(path(a.resolvers).index(i as i64), "Invalid resolver", e),
            }
        }
    }
    if let Some(t) = b.timeout.as_str() {
        match crate::common::parse_duration(t) {
            Ok(t) => out.timeout = t,
            Err(e) => d.error_at(path(a.timeout), "Invalid timeout", e),
        }
    }
    out
}

#[cfg(test)]
mod dns_tests {
    use super::*;

    fn block(j: serde_json::Value) -> ProviderConfig {
        let v = Value::from_json(&serde_json::json!({ "dns": [j] }), &provider_schema().ty());
        ProviderConfig::from_value(&v.unwrap()).unwrap()
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
    let m = ProviderConfig::from_value(config)?;
    let mut d = Diagnostics::new();
    let ar = m.assume_role.items().first().map(|b| AssumeRole {
        role_arn: b.role_arn.string().unwrap_or_default(),
        session_name: b.session_name.string(),
        external_id: b.external_id.string(),
    });
    let ep = m.endpoints.items().first().cloned().unwrap_or_default();
    let max_retries = int_in(
        &m.max_retries,
        ProviderConfig::ATTR.max_retries,
        0..=100,
        &mut d,
    )
    .map(|n| n as u32);
    let a = EndpointsBlock::ATTR;
    for (k, v) in [
        (a.route53, &ep.route53),
        (a.route53domains, &ep.route53domains),
        (a.route53resolver, &ep.route53resolver),
        (a.sts, &ep.sts),
        (a.kms, &ep.kms),
    ] {
        if let Some(u) = v.as_str() {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                d.error_at(
                    r53_plugin::AttrPath::attr(ProviderConfig::ATTR.endpoints)
                        .index(0)
                        .then(k),
                    "Invalid endpoint URL",
                    format!("{u:?} must start with http:// or https://"),
                );
            }
        }
    }
    let dns = dns_from(&m, &mut d);
    if d.has_errors() {
        return Err(d);
    }
    Ok((
        dns,
        AwsSettings {
            region: m.region.string(),
            profile: m.profile.string(),
            shared_config_files: m.shared_config_files.items().to_vec(),
            shared_credentials_files: m.shared_credentials_files.items().to_vec(),
            assume_role: ar,
            endpoint_route53: ep.route53.string(),
            endpoint_route53domains: ep.route53domains.string(),
            endpoint_route53resolver: ep.route53resolver.string(),
            endpoint_sts: ep.sts.string(),
            endpoint_kms: ep.kms.string(),
            max_retries,
            batch_record_writes: m.batch_record_writes.get(),
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
            Arc::new(crate::delegation_set::DelegationSetResource),
            Arc::new(crate::key_signing_key::KeySigningKeyResource),
            Arc::new(crate::hosted_zone_dnssec::HostedZoneDnssecResource),
            Arc::new(crate::query_log::QueryLogResource),
            Arc::new(crate::health_check::HealthCheckResource),
            Arc::new(crate::cidr_collection::CidrCollectionResource),
            Arc::new(crate::zone_association::ZoneAssociationResource),
            Arc::new(crate::vpc_association_authorization::AuthorizationResource),
            Arc::new(crate::resolver_endpoint::ResolverEndpointResource),
            Arc::new(crate::resolver_rule::ResolverRuleResource),
            Arc::new(crate::resolver_rule_association::RuleAssociationResource),
        ]
    }

    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Meta>>> {
        vec![
            Arc::new(crate::data_hosted_zone::HostedZoneData),
            Arc::new(crate::data_registered_domain::RegisteredDomainData),
            Arc::new(crate::data_domain_availability::DomainAvailabilityData),
            Arc::new(crate::data_delegation_status::DelegationStatusData),
            Arc::new(crate::data_delegation_set::DelegationSetData),
            Arc::new(crate::data_hosted_zones::HostedZonesData),
            Arc::new(crate::data_records::RecordsData),
            Arc::new(crate::data_health_check_status::HealthCheckStatusData),
        ]
    }

    fn list_resources(&self) -> Vec<Arc<dyn r53_plugin::ListResource<Meta>>> {
        vec![
            Arc::new(crate::hosted_zone::HostedZoneList),
            Arc::new(crate::record::RecordList),
            Arc::new(crate::registered_domain::RegisteredDomainList),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn r53_plugin::Function>> {
        crate::functions::all()
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
