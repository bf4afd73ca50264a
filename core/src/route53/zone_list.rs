//! Listing every hosted zone of the account (the lookup behind the `r53_hosted_zones` data source;
//! a VPC's zones are listed by `vpc`).

use super::sdk::zone_from_sdk;
use super::{Call, HostedZone, Route53};
use crate::error::{Error, Result};

/// Pages a listing may take before it is refused: at Route 53's 100 zones a page, 5,000 pages is
/// half a million zones (the default quota is 500), and a server that never stops paging cannot
/// keep a plan waiting forever.
const MAX_PAGES: usize = 5_000;

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
}
