//! Building AWS clients from the provider's (or CLI's) settings on the standard credential chain.

use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_runtime::env_config::file::{
    EnvConfigFileKind as ProfileFileKind, EnvConfigFiles as ProfileFiles,
};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use crate::domains::Domains;
use crate::error::{Error, Result};
use crate::kms::Kms;
use crate::resolver::Resolver;
use crate::retry::RetryPolicy;
use crate::route53::Route53;
use crate::zones::Zones;

/// Route 53 and Route 53 Domains are global services signed in us-east-1, whatever the region.
const GLOBAL_REGION: &str = "us-east-1";

#[derive(Debug, Clone, Default)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

/// Settings for the AWS clients. Secrets never appear here except through the credential chain.
#[derive(Debug, Clone, Default)]
pub struct AwsSettings {
    /// Used for STS and as the default VPC region; Route 53 always goes to us-east-1.
    pub region: Option<String>,
    pub profile: Option<String>,
    pub shared_config_files: Vec<String>,
    pub shared_credentials_files: Vec<String>,
    pub assume_role: Option<AssumeRole>,
    pub endpoint_route53: Option<String>,
    pub endpoint_route53domains: Option<String>,
    /// Route 53 Resolver (regional: the provider's region).
    pub endpoint_route53resolver: Option<String>,
    pub endpoint_sts: Option<String>,
    /// KMS (the DNSSEC key checks; always us-east-1, Route 53's KMS region).
    pub endpoint_kms: Option<String>,
    pub max_retries: Option<u32>,
    /// Share zone listings for reads and batch concurrent record writes per zone (default true).
    pub batch_record_writes: Option<bool>,
}

/// The configured clients; cheap to clone.
#[derive(Clone, Debug)]
pub struct Aws {
    pub route53: Route53,
    /// Record reads and writes through a per-zone cache and writer (the same client).
    pub zones: Zones,
    pub domains: Domains,
    /// Route 53 Resolver in `region` (endpoints, rules, rule associations).
    pub resolver: Resolver,
    /// KMS in us-east-1, read-only (DNSSEC key checks).
    pub kms: Kms,
    pub region: String,
}

/// No environment or profile service config: explicit settings only.
#[derive(Debug)]
struct NoServiceConfig;

impl aws_types::service_config::LoadServiceConfig for NoServiceConfig {
    fn load_config(&self, _key: aws_types::service_config::ServiceConfigKey<'_>) -> Option<String> {
        None
    }
}

impl Aws {
    pub async fn connect(s: &AwsSettings) -> Result<Aws> {
        let region = s
            .region
            .clone()
            .unwrap_or_else(|| GLOBAL_REGION.to_string());
        let mut loader =
            aws_config::defaults(BehaviorVersion::latest()).region(Region::new(region.clone()));
        if let Some(p) = &s.profile {
            loader = loader.profile_name(p);
        }
        if !s.shared_config_files.is_empty() || !s.shared_credentials_files.is_empty() {
            let mut files = ProfileFiles::builder();
            for f in &s.shared_config_files {
                files = files.with_file(ProfileFileKind::Config, f);
            }
            for f in &s.shared_credentials_files {
                files = files.with_file(ProfileFileKind::Credentials, f);
            }
            loader = loader.profile_files(files.build());
        }
        // Our own retry loop (crate::retry) owns retries so it can honour deadlines and Stop.
        loader = loader.retry_config(RetryConfig::disabled()).timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .operation_attempt_timeout(Duration::from_secs(60))
                .build(),
        );
        let mut base = loader.load().await;
        if let Some(ar) = &s.assume_role {
            if ar.role_arn.is_empty() {
                return Err(Error::Config("assume_role.role_arn is empty".into()));
            }
            let mut b = AssumeRoleProvider::builder(ar.role_arn.clone())
                .session_name(
                    ar.session_name
                        .clone()
                        .unwrap_or_else(|| "r53-terraform".into()),
                )
                .region(Region::new(region.clone()));
            if let Some(x) = &ar.external_id {
                b = b.external_id(x.clone());
            }
            // The STS endpoint is for the role's STS calls only: set on the loader it would be
            // every service's base endpoint, and Route 53's calls would go to STS. Without the
            // environment's service config, which would otherwise win over it (AWS_ENDPOINT_URL).
            let sts_config = match &s.endpoint_sts {
                Some(url) => {
                    let mut b = base.to_builder();
                    b.set_service_config(None::<NoServiceConfig>);
                    b.endpoint_url(url).build()
                }
                None => base.clone(),
            };
            let provider = b.configure(&sts_config).build().await;
            base = base
                .into_builder()
                .credentials_provider(SharedCredentialsProvider::new(provider))
                .build();
        }
        // Fail at configure time with the credential chain's own reason, not later as a
        // confusing dispatch failure on the first call.
        if let Some(cp) = base.credentials_provider() {
            use aws_credential_types::provider::ProvideCredentials;
            cp.provide_credentials().await.map_err(|e| {
                let mut msg = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    msg.push_str(": ");
                    msg.push_str(&s.to_string());
                    src = s.source();
                }
                Error::Config(format!("no usable AWS credentials ({msg})"))
            })?;
        }
        let mut r53 =
            aws_sdk_route53::config::Builder::from(&base).region(Region::new(GLOBAL_REGION));
        if let Some(url) = &s.endpoint_route53 {
            r53 = r53.endpoint_url(url);
        }
        let policy = RetryPolicy {
            max_retries: s.max_retries.unwrap_or(RetryPolicy::default().max_retries),
            ..Default::default()
        };
        let mut rd =
            aws_sdk_route53domains::config::Builder::from(&base).region(Region::new(GLOBAL_REGION));
        if let Some(url) = &s.endpoint_route53domains {
            rd = rd.endpoint_url(url);
        }
        let mut rs = aws_sdk_route53resolver::config::Builder::from(&base)
            .region(Region::new(region.clone()));
        if let Some(url) = &s.endpoint_route53resolver {
            rs = rs.endpoint_url(url);
        }
        let mut km = aws_sdk_kms::config::Builder::from(&base)
            .region(Region::new(r53_zone::ksk::KMS_REGION));
        if let Some(url) = &s.endpoint_kms {
            km = km.endpoint_url(url);
        }
        let route53 = Route53::new(
            aws_sdk_route53::Client::from_conf(r53.build()),
            policy.clone(),
        );
        Ok(Aws {
            domains: Domains::new(
                aws_sdk_route53domains::Client::from_conf(rd.build()),
                policy.clone(),
            ),
            resolver: Resolver::new(
                aws_sdk_route53resolver::Client::from_conf(rs.build()),
                policy.clone(),
            ),
            kms: Kms::new(aws_sdk_kms::Client::from_conf(km.build()), policy.clone()),
            zones: Zones::new(route53.clone(), s.batch_record_writes.unwrap_or(true)),
            route53,
            region,
        })
    }
}
