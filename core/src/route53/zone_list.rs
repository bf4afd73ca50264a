//! Listing hosted zones: every zone of the account, or the private zones a VPC is associated with
//! (the lookups behind the `r53_hosted_zones` data source).

use super::sdk::zone_from_sdk;
use super::{strip_zone_id, Call, HostedZone, Route53, Vpc};
use crate::error::{Error, Result};
use aws_sdk_route53::types as t;

/// Pages a listing may take before it is refused: at Route 53's 100 zones a page, 5,000 pages is
/// half a million zones (the default quota is 500), and a server that never stops paging cannot
/// keep a plan waiting forever.
const MAX_PAGES: usize = 5_000;

/// A hosted zone a VPC is associated with (what ListHostedZonesByVPC says about it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcZone {
    /// Without the "/hostedzone/" prefix.
    pub id: String,
    /// Normalised, no trailing dot.
    pub name: String,
    /// The account that owns the zone, when it is another account's.
    pub owner_account: Option<String>,
}

fn too_many(what: &str) -> Error {
    Error::Invalid(format!(
        "{what} still had pages after {MAX_PAGES}; refusing to read on"
    ))
}

impl Route53 {
    /// Every hosted zone of the account (public and private), in Route 53's order.
    pub async fn list_hosted_zones(&self, call: &Call) -> Result<Vec<HostedZone>> {
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = call
                .send("ListHostedZones", &self.policy, || {
                    self.client
                        .list_hosted_zones()
                        .set_marker(marker.clone())
                        .max_items(100)
                        .send()
                })
                .await
                .result?;
            out.extend(page.hosted_zones().iter().map(zone_from_sdk));
            match page.next_marker() {
                Some(m) if page.is_truncated() && !m.is_empty() => marker = Some(m.to_string()),
                _ => return Ok(out),
            }
        }
        Err(too_many("ListHostedZones"))
    }

    /// The private hosted zones VPC `v` is associated with (of any account).
    pub async fn list_hosted_zones_by_vpc(&self, call: &Call, v: &Vpc) -> Result<Vec<VpcZone>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = call
                .send("ListHostedZonesByVPC", &self.policy, || {
                    self.client
                        .list_hosted_zones_by_vpc()
                        .vpc_id(&v.id)
                        .vpc_region(t::VpcRegion::from(v.region.as_str()))
                        .set_next_token(token.clone())
                        .max_items(100)
                        .send()
                })
                .await
                .result?;
            out.extend(page.hosted_zone_summaries().iter().map(|s| {
                VpcZone {
                    id: strip_zone_id(s.hosted_zone_id()),
                    name: r53_zone::name::normalise(s.name()),
                    owner_account: s
                        .owner()
                        .and_then(|o| o.owning_account())
                        .map(str::to_string),
                }
            }));
            match page.next_token() {
                Some(n) if !n.is_empty() => token = Some(n.to_string()),
                _ => return Ok(out),
            }
        }
        Err(too_many("ListHostedZonesByVPC"))
    }
}
