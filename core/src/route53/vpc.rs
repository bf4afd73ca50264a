//! Private zones and VPCs: associations (also across accounts, via ListHostedZonesByVPC, which the
//! VPC's account may call for a zone it cannot read) and the zone owner's authorizations for
//! another account's VPC. find → NotFound → gone, like the rest of `Route53`.

use aws_sdk_route53::types as t;

use super::{strip_zone_id, ChangeId, Route53, Vpc};
use crate::call::Call;
use crate::error::{Error, Result};
use crate::retry::Outcome;

/// The most pages a listing of authorizations or of a VPC's zones follows: a server that keeps
/// answering with a next token (a bug, or a hostile endpoint) ends in an error, not a loop.
pub const MAX_AUTHORIZATION_PAGES: usize = 1_000;

/// One private zone a VPC is associated with, as ListHostedZonesByVPC shows it to the VPC's
/// account (which may not own the zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneAssociation {
    /// Without the "/hostedzone/" prefix.
    pub zone_id: String,
    /// As Route 53 shows it (trailing dot removed).
    pub zone_name: String,
    /// The account that owns the zone, when the zone is owned by an account.
    pub owning_account: Option<String>,
    /// The AWS service that owns the zone, when a service created it.
    pub owning_service: Option<String>,
}

fn sdk_vpc(v: &Vpc) -> t::Vpc {
    t::Vpc::builder()
        .vpc_id(&v.id)
        .vpc_region(t::VpcRegion::from(v.region.as_str()))
        .build()
}

fn vpc_from_sdk(v: &t::Vpc) -> Vpc {
    Vpc {
        id: v.vpc_id().unwrap_or_default().to_string(),
        region: v
            .vpc_region()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
    }
}

fn same_vpc(a: &Vpc, b: &Vpc) -> bool {
    a.id == b.id && a.region.eq_ignore_ascii_case(&b.region)
}

/// A change Route 53 accepted, waited for: a failed wait means the write is in Route 53 all the
/// same ([`Error::Unconfirmed`]).
async fn confirm(r: &Route53, call: &Call, id: Option<ChangeId>) -> Result<()> {
    match r.wait_change_insync(call, id.as_ref()).await {
        Ok(()) => Ok(()),
        Err(e) => match id {
            Some(c) => Err(Error::Unconfirmed {
                change: c.0,
                cause: Box::new(e),
            }),
            None => Err(e),
        },
    }
}

/// A removal's answer: its output when it went through now, None when `gone_code` answers a retry
/// of a request that may have gone through (done then). `gone_code` otherwise, or a zone that is
/// gone, is [`Error::NotFound`] of `what`.
fn removed<T>(
    out: Outcome<T>,
    gone_code: &str,
    what: impl FnOnce() -> String,
) -> Result<Option<T>> {
    match out.result {
        Ok(o) => Ok(Some(o)),
        Err(Error::Api { code, .. }) if code == gone_code && out.ambiguous => Ok(None),
        Err(Error::Api { code, .. }) if code == gone_code || code == "NoSuchHostedZone" => {
            Err(Error::NotFound { what: what() })
        }
        Err(e) => Err(e),
    }
}

/// Every item of a paged listing: `page` sends one request for a next token (none at first) and
/// answers with that page's items and the next token (none or empty on the last page). At most
/// [`MAX_AUTHORIZATION_PAGES`] pages: a listing `what` that pages on past them is an error.
async fn paged<T, F, Fut>(what: &str, mut page: F) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>)>>,
{
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_AUTHORIZATION_PAGES {
        let (items, next) = page(token.take()).await?;
        out.extend(items);
        match next {
            Some(n) if !n.is_empty() => token = Some(n),
            _ => return Ok(out),
        }
    }
    Err(Error::Invalid(format!(
        "{what} kept paging past {MAX_AUTHORIZATION_PAGES} pages"
    )))
}

impl Route53 {
    /// Associates the VPC with the private zone and waits until the change is INSYNC. From the
    /// VPC's account this associates a zone of another account, which needs the zone owner's
    /// authorization first ([`Route53::create_vpc_association_authorization`]). A wait that
    /// fails after Route 53 accepted the change is [`Error::Unconfirmed`].
    pub async fn associate_vpc(&self, call: &Call, id: &str, v: &Vpc) -> Result<()> {
        let id = strip_zone_id(id);
        let out = call
            .send("AssociateVPCWithHostedZone", &self.policy, || {
                self.client
                    .associate_vpc_with_hosted_zone()
                    .hosted_zone_id(&id)
                    .vpc(sdk_vpc(v))
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => confirm(self, call, o.change_info().map(|c| ChangeId::of(c.id()))).await,
            // A retry of a request that did go through.
            Err(Error::Api { code, .. }) if code == "ConflictingDomainExists" && out.ambiguous => {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Disassociates the VPC from the zone and waits until the change is INSYNC. An association
    /// (or a zone) that is not there is [`Error::NotFound`], except on a retry of a request that
    /// may have gone through, which counts as done.
    pub async fn disassociate_vpc(&self, call: &Call, id: &str, v: &Vpc) -> Result<()> {
        let id = strip_zone_id(id);
        let out = call
            .send("DisassociateVPCFromHostedZone", &self.policy, || {
                self.client
                    .disassociate_vpc_from_hosted_zone()
                    .hosted_zone_id(&id)
                    .vpc(sdk_vpc(v))
                    .send()
            })
            .await;
        let what = || format!("association of VPC {} ({}) with zone {id}", v.id, v.region);
        match removed(out, "VPCAssociationNotFound", what)? {
            Some(o) => confirm(self, call, o.change_info().map(|c| ChangeId::of(c.id()))).await,
            None => Ok(()),
        }
    }

    /// Every private zone the VPC is associated with, whichever account owns it (pages of up to
    /// 100, at most [`MAX_AUTHORIZATION_PAGES`]).
    pub async fn list_hosted_zones_by_vpc(
        &self,
        call: &Call,
        v: &Vpc,
    ) -> Result<Vec<ZoneAssociation>> {
        paged(
            &format!("ListHostedZonesByVPC for {}", v.id),
            |token| async move {
                let o = call
                    .send("ListHostedZonesByVPC", &self.policy, || {
                        self.client
                            .list_hosted_zones_by_vpc()
                            .vpc_id(&v.id)
                            .vpc_region(t::VpcRegion::from(v.region.as_str()))
                            .max_items(100)
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await
                    .result?;
                let zones = o.hosted_zone_summaries().iter().map(|s| ZoneAssociation {
                    zone_id: strip_zone_id(s.hosted_zone_id()),
                    zone_name: s.name().trim_end_matches('.').to_string(),
                    owning_account: s
                        .owner()
                        .and_then(|w| w.owning_account())
                        .map(str::to_string),
                    owning_service: s
                        .owner()
                        .and_then(|w| w.owning_service())
                        .map(str::to_string),
                });
                Ok((zones.collect(), o.next_token().map(str::to_string)))
            },
        )
        .await
    }

    /// The association of the VPC with zone `id`, read from the VPC's side (works from the
    /// VPC's account for another account's zone); [`Error::NotFound`] when there is none.
    pub async fn find_zone_association(
        &self,
        call: &Call,
        id: &str,
        v: &Vpc,
    ) -> Result<ZoneAssociation> {
        let id = strip_zone_id(id);
        self.list_hosted_zones_by_vpc(call, v)
            .await?
            .into_iter()
            .find(|z| z.zone_id == id)
            .ok_or_else(|| Error::NotFound {
                what: format!("association of VPC {} ({}) with zone {id}", v.id, v.region),
            })
    }

    /// Authorizes the VPC's account to associate the VPC with zone `id` (called by the zone's
    /// account). Authorizing a VPC that is authorized already succeeds.
    pub async fn create_vpc_association_authorization(
        &self,
        call: &Call,
        id: &str,
        v: &Vpc,
    ) -> Result<()> {
        let id = strip_zone_id(id);
        call.send("CreateVPCAssociationAuthorization", &self.policy, || {
            self.client
                .create_vpc_association_authorization()
                .hosted_zone_id(&id)
                .vpc(sdk_vpc(v))
                .send()
        })
        .await
        .result
        .map(|_| ())
    }

    /// Removes the authorization (an association made with it stays). One that is not there,
    /// or whose zone is gone, is [`Error::NotFound`], except on a retry of a request that may
    /// have gone through, which counts as done.
    pub async fn delete_vpc_association_authorization(
        &self,
        call: &Call,
        id: &str,
        v: &Vpc,
    ) -> Result<()> {
        let id = strip_zone_id(id);
        let out = call
            .send("DeleteVPCAssociationAuthorization", &self.policy, || {
                self.client
                    .delete_vpc_association_authorization()
                    .hosted_zone_id(&id)
                    .vpc(sdk_vpc(v))
                    .send()
            })
            .await;
        let what = || format!("authorization of VPC {} ({}) for zone {id}", v.id, v.region);
        removed(out, "VPCAssociationAuthorizationNotFound", what).map(|_| ())
    }

    /// The VPCs of other accounts authorized to associate with zone `id` (pages of up to 50, at
    /// most [`MAX_AUTHORIZATION_PAGES`]); [`Error::NotFound`] when the zone is gone.
    pub async fn list_vpc_association_authorizations(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<Vec<Vpc>> {
        let id = strip_zone_id(id);
        let zone = &id;
        paged(
            &format!("ListVPCAssociationAuthorizations for zone {id}"),
            |token| async move {
                let o = call
                    .send("ListVPCAssociationAuthorizations", &self.policy, || {
                        self.client
                            .list_vpc_association_authorizations()
                            .hosted_zone_id(zone)
                            .max_results(50)
                            .set_next_token(token.clone())
                            .send()
                    })
                    .await;
                let o = match o.result {
                    Err(Error::Api { code, .. }) if code == "NoSuchHostedZone" => {
                        return Err(Error::NotFound {
                            what: format!("hosted zone {zone}"),
                        })
                    }
                    r => r?,
                };
                let vpcs = o.vpcs().iter().map(vpc_from_sdk).collect();
                Ok((vpcs, o.next_token().map(str::to_string)))
            },
        )
        .await
    }

    /// The authorization of the VPC for zone `id`; [`Error::NotFound`] when there is none (or
    /// the zone is gone).
    pub async fn find_vpc_association_authorization(
        &self,
        call: &Call,
        id: &str,
        v: &Vpc,
    ) -> Result<Vpc> {
        let id = strip_zone_id(id);
        let not_found = || Error::NotFound {
            what: format!("authorization of VPC {} ({}) for zone {id}", v.id, v.region),
        };
        match self.list_vpc_association_authorizations(call, &id).await {
            Ok(vpcs) => vpcs
                .into_iter()
                .find(|x| same_vpc(x, v))
                .ok_or_else(not_found),
            Err(e) if e.is_not_found() => Err(not_found()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpcs_compare_by_id_and_region_whatever_the_case_of_the_region() {
        let v = |id: &str, r: &str| Vpc {
            id: id.into(),
            region: r.into(),
        };
        assert!(same_vpc(&v("vpc-1", "eu-west-1"), &v("vpc-1", "EU-WEST-1")));
        assert!(!same_vpc(
            &v("vpc-1", "eu-west-1"),
            &v("vpc-1", "us-east-1")
        ));
        assert!(!same_vpc(
            &v("vpc-1", "eu-west-1"),
            &v("vpc-2", "eu-west-1")
        ));
        let back = vpc_from_sdk(&sdk_vpc(&v("vpc-9", "ap-south-1")));
        assert_eq!(back, v("vpc-9", "ap-south-1"));
    }

    #[test]
    fn a_removal_that_finds_nothing_is_done_on_a_retry_and_not_found_otherwise() {
        let api = |code: &str, ambiguous| Outcome::<()> {
            result: Err(Error::Api {
                op: "Op",
                code: code.into(),
                message: String::new(),
            }),
            ambiguous,
        };
        let what = || "it".to_string();
        assert_eq!(removed(api("Gone", true), "Gone", what).unwrap(), None);
        for (code, ambiguous) in [("Gone", false), ("NoSuchHostedZone", true)] {
            let e = removed(api(code, ambiguous), "Gone", what).unwrap_err();
            assert!(e.is_not_found(), "{code}: {e}");
        }
        assert!(!removed(api("Throttling", false), "Gone", what)
            .unwrap_err()
            .is_not_found());
        let ok = Outcome {
            result: Ok(7),
            ambiguous: true,
        };
        assert_eq!(removed(ok, "Gone", what).unwrap(), Some(7));
    }

    #[tokio::test]
    async fn a_listing_follows_its_tokens_to_the_last_page_and_no_further_than_the_bound() {
        let pages = paged("L", |token| async move {
            let n: usize = token.map_or(0, |t| t.parse().unwrap());
            let next = match n {
                0 | 1 => Some((n + 1).to_string()),
                _ => Some(String::new()),
            };
            Ok((vec![n], next))
        })
        .await
        .unwrap();
        assert_eq!(pages, [0, 1, 2]);

        let mut sent = 0;
        let e = paged::<u8, _, _>("L for x", |_| {
            sent += 1;
            async { Ok((vec![], Some("again".to_string()))) }
        })
        .await
        .unwrap_err();
        assert_eq!(sent, MAX_AUTHORIZATION_PAGES);
        assert!(
            e.to_string()
                .contains("L for x kept paging past 1000 pages"),
            "{e}"
        );
    }
}
