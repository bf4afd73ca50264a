//! What every resource and data source gets once the provider is configured.

use r53_core::dns::delegation::DnsSettings;
use r53_core::Aws;

pub struct Meta {
    pub aws: Aws,
    /// How delegations are checked over DNS.
    pub dns: DnsSettings,
}
