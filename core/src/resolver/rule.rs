//! Resolver rules (which domains are forwarded where, or resolved by the Resolver itself) and
//! their associations with VPCs.

use aws_sdk_route53resolver::types as t;

use super::{filter, is_not_found, wait_until, Resolver, Step, MAX_PAGES};
use crate::call::Call;
use crate::error::{Error, Result};

/// A DNS server queries are forwarded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetIp {
    pub ip: String,
    pub port: i32,
}

/// The port a target address has when none is given.
pub const DEFAULT_PORT: i32 = 53;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolverRule {
    pub id: String,
    pub arn: String,
    /// As the API gives it, without the trailing dot.
    pub domain_name: String,
    /// `FORWARD`, `SYSTEM` or `RECURSIVE`.
    pub rule_type: String,
    pub name: Option<String>,
    pub resolver_endpoint_id: Option<String>,
    pub target_ips: Vec<TargetIp>,
    pub owner_id: String,
    pub share_status: String,
    pub status: String,
    pub status_message: String,
}

/// What creating a rule needs.
#[derive(Debug, Clone)]
pub struct NewRule {
    /// Unique per creation ([`super::new_creator_request_id`]); a retry reuses it.
    pub creator_request_id: String,
    pub name: Option<String>,
    pub domain_name: String,
    pub rule_type: String,
    pub resolver_endpoint_id: Option<String>,
    pub target_ips: Vec<TargetIp>,
}

/// What UpdateResolverRule may change; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct RuleUpdate {
    pub name: Option<String>,
    pub resolver_endpoint_id: Option<String>,
    pub target_ips: Option<Vec<TargetIp>>,
}

/// A rule's association with a VPC.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleAssociation {
    pub id: String,
    pub resolver_rule_id: String,
    pub vpc_id: String,
    pub name: Option<String>,
    pub status: String,
    pub status_message: String,
}

fn target_to_sdk(x: &TargetIp) -> t::TargetAddress {
    t::TargetAddress::builder().ip(&x.ip).port(x.port).build()
}

fn rule_from_sdk(r: &t::ResolverRule) -> ResolverRule {
    ResolverRule {
        id: r.id().unwrap_or_default().to_string(),
        arn: r.arn().unwrap_or_default().to_string(),
        domain_name: r
            .domain_name()
            .unwrap_or_default()
            .trim_end_matches('.')
            .to_string(),
        rule_type: r
            .rule_type()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        name: r.name().filter(|n| !n.is_empty()).map(str::to_string),
        resolver_endpoint_id: r
            .resolver_endpoint_id()
            .filter(|n| !n.is_empty())
            .map(str::to_string),
        target_ips: r
            .target_ips()
            .iter()
            .filter_map(|x| {
                x.ip().map(|ip| TargetIp {
                    ip: ip.to_string(),
                    port: x.port().unwrap_or(DEFAULT_PORT),
                })
            })
            .collect(),
        owner_id: r.owner_id().unwrap_or_default().to_string(),
        share_status: r
            .share_status()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        status: r
            .status()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        status_message: r.status_message().unwrap_or_default().to_string(),
    }
}

fn association_from_sdk(a: &t::ResolverRuleAssociation) -> RuleAssociation {
    RuleAssociation {
        id: a.id().unwrap_or_default().to_string(),
        resolver_rule_id: a.resolver_rule_id().unwrap_or_default().to_string(),
        vpc_id: a.vpc_id().unwrap_or_default().to_string(),
        name: a.name().filter(|n| !n.is_empty()).map(str::to_string),
        status: a
            .status()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        status_message: a.status_message().unwrap_or_default().to_string(),
    }
}

fn rule_step(r: ResolverRule) -> Step<ResolverRule> {
    match r.status.as_str() {
        "COMPLETE" => Step::Done(r),
        "FAILED" => Step::Failed(r.status.clone(), r.status_message.clone()),
        _ => Step::Pending(r.status.clone()),
    }
}

fn association_step(a: RuleAssociation) -> Step<RuleAssociation> {
    match a.status.as_str() {
        // OVERRIDDEN: settled, another rule of the same domain wins in the VPC.
        "COMPLETE" | "OVERRIDDEN" => Step::Done(a),
        "FAILED" => Step::Failed(a.status.clone(), a.status_message.clone()),
        _ => Step::Pending(a.status.clone()),
    }
}

fn rule_not_found(id: &str) -> Error {
    Error::NotFound {
        what: format!("Resolver rule {id}"),
    }
}

fn association_not_found(id: &str) -> Error {
    Error::NotFound {
        what: format!("Resolver rule association {id}"),
    }
}

impl Resolver {
    /// Creates the rule and waits until it is COMPLETE. A retry of a request that went through
    /// finds the rule by its CreatorRequestId.
    pub async fn create_rule(&self, call: &Call, n: &NewRule) -> Result<ResolverRule> {
        let targets: Vec<t::TargetAddress> = n.target_ips.iter().map(target_to_sdk).collect();
        let out = call
            .send("CreateResolverRule", &self.policy, || {
                self.client
                    .create_resolver_rule()
                    .creator_request_id(&n.creator_request_id)
                    .set_name(n.name.clone())
                    .domain_name(&n.domain_name)
                    .rule_type(t::RuleTypeOption::from(n.rule_type.as_str()))
                    .set_resolver_endpoint_id(n.resolver_endpoint_id.clone())
                    .set_target_ips((!targets.is_empty()).then(|| targets.clone()))
                    .send()
            })
            .await;
        let id = match out.result {
            Ok(o) => o
                .resolver_rule()
                .and_then(|r| r.id())
                .map(str::to_string)
                .ok_or_else(|| Error::Invalid("CreateResolverRule returned no ID".into()))?,
            Err(Error::Api { code, .. }) if code == "ResourceExistsException" && out.ambiguous => {
                let o = call
                    .send("ListResolverRules", &self.policy, || {
                        self.client
                            .list_resolver_rules()
                            .filters(filter("CreatorRequestId", &n.creator_request_id))
                            .send()
                    })
                    .await
                    .result?;
                o.resolver_rules()
                    .iter()
                    .find_map(|r| r.id())
                    .map(str::to_string)
                    .ok_or_else(|| Error::NotFound {
                        what: format!(
                            "Resolver rule with creator request ID {}",
                            n.creator_request_id
                        ),
                    })?
            }
            Err(e) => return Err(e),
        };
        self.wait_rule_complete(call, &id).await
    }

    /// The rule, or [`Error::NotFound`].
    pub async fn find_rule(&self, call: &Call, id: &str) -> Result<ResolverRule> {
        let out = call
            .send("GetResolverRule", &self.policy, || {
                self.client.get_resolver_rule().resolver_rule_id(id).send()
            })
            .await;
        match out.result {
            Ok(o) => o
                .resolver_rule()
                .map(rule_from_sdk)
                .ok_or_else(|| rule_not_found(id)),
            Err(e) if is_not_found(&e) => Err(rule_not_found(id)),
            Err(e) => Err(e),
        }
    }

    /// Waits until the rule is COMPLETE (FAILED fails the wait).
    pub async fn wait_rule_complete(&self, call: &Call, id: &str) -> Result<ResolverRule> {
        wait_until(call, &format!("Resolver rule {id}"), self.poll, || async {
            self.find_rule(call, id).await.map(rule_step)
        })
        .await
    }

    /// Changes the rule in place (UpdateResolverRule) and waits until it is COMPLETE.
    pub async fn update_rule(&self, call: &Call, id: &str, u: &RuleUpdate) -> Result<ResolverRule> {
        let config = t::ResolverRuleConfig::builder()
            .set_name(u.name.clone())
            .set_resolver_endpoint_id(u.resolver_endpoint_id.clone())
            .set_target_ips(
                u.target_ips
                    .as_ref()
                    .map(|ts| ts.iter().map(target_to_sdk).collect()),
            )
            .build();
        let out = call
            .send("UpdateResolverRule", &self.policy, || {
                self.client
                    .update_resolver_rule()
                    .resolver_rule_id(id)
                    .config(config.clone())
                    .send()
            })
            .await;
        match out.result {
            Ok(_) => self.wait_rule_complete(call, id).await,
            Err(e) if is_not_found(&e) => Err(rule_not_found(id)),
            Err(e) => Err(e),
        }
    }

    /// Deletes the rule and waits until it is gone. One already gone counts as deleted; one
    /// still associated with a VPC is refused (`ResourceInUseException`).
    pub async fn delete_rule(&self, call: &Call, id: &str) -> Result<()> {
        let out = call
            .send("DeleteResolverRule", &self.policy, || {
                self.client
                    .delete_resolver_rule()
                    .resolver_rule_id(id)
                    .send()
            })
            .await;
        match out.result {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
        wait_until(
            call,
            &format!("deletion of Resolver rule {id}"),
            self.poll,
            || async {
                match self.find_rule(call, id).await {
                    Ok(r) => Ok(Step::Pending(r.status)),
                    Err(e) if e.is_not_found() => Ok(Step::Done(())),
                    Err(e) => Err(e),
                }
            },
        )
        .await
    }

    /// Associates the rule with the VPC and waits until the association is COMPLETE. A retry of
    /// a request that went through finds the association.
    pub async fn associate_rule(
        &self,
        call: &Call,
        rule_id: &str,
        vpc_id: &str,
        name: Option<&str>,
    ) -> Result<RuleAssociation> {
        let out = call
            .send("AssociateResolverRule", &self.policy, || {
                self.client
                    .associate_resolver_rule()
                    .resolver_rule_id(rule_id)
                    .vpc_id(vpc_id)
                    .set_name(name.map(str::to_string))
                    .send()
            })
            .await;
        let id = match out.result {
            Ok(o) => o
                .resolver_rule_association()
                .and_then(|a| a.id())
                .map(str::to_string)
                .ok_or_else(|| Error::Invalid("AssociateResolverRule returned no ID".into()))?,
            Err(e)
                if out.ambiguous && e.code().is_some_and(|c| c != "ResourceNotFoundException") =>
            {
                self.find_rule_association_of(call, rule_id, vpc_id)
                    .await
                    .map_err(|_| e)?
                    .id
            }
            Err(e) if is_not_found(&e) => return Err(rule_not_found(rule_id)),
            Err(e) => return Err(e),
        };
        self.wait_rule_association_complete(call, &id).await
    }

    /// The association of `rule_id` with `vpc_id`, or [`Error::NotFound`].
    pub async fn find_rule_association_of(
        &self,
        call: &Call,
        rule_id: &str,
        vpc_id: &str,
    ) -> Result<RuleAssociation> {
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = call
                .send("ListResolverRuleAssociations", &self.policy, || {
                    self.client
                        .list_resolver_rule_associations()
                        .filters(filter("ResolverRuleId", rule_id))
                        .filters(filter("VPCId", vpc_id))
                        .set_next_token(token.clone())
                        .send()
                })
                .await
                .result?;
            if let Some(a) = page
                .resolver_rule_associations()
                .iter()
                .map(association_from_sdk)
                .find(|a| a.resolver_rule_id == rule_id && a.vpc_id == vpc_id)
            {
                return Ok(a);
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => {
                    return Err(Error::NotFound {
                        what: format!("association of Resolver rule {rule_id} with VPC {vpc_id}"),
                    })
                }
            }
        }
        Err(Error::Invalid(format!(
            "ListResolverRuleAssociations still had pages after {MAX_PAGES}"
        )))
    }

    /// The association, or [`Error::NotFound`].
    pub async fn find_rule_association(&self, call: &Call, id: &str) -> Result<RuleAssociation> {
        let out = call
            .send("GetResolverRuleAssociation", &self.policy, || {
                self.client
                    .get_resolver_rule_association()
                    .resolver_rule_association_id(id)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => o
                .resolver_rule_association()
                .map(association_from_sdk)
                .ok_or_else(|| association_not_found(id)),
            Err(e) if is_not_found(&e) => Err(association_not_found(id)),
            Err(e) => Err(e),
        }
    }

    /// Waits until the association is COMPLETE (or OVERRIDDEN; FAILED fails the wait).
    pub async fn wait_rule_association_complete(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<RuleAssociation> {
        wait_until(
            call,
            &format!("Resolver rule association {id}"),
            self.poll,
            || async {
                self.find_rule_association(call, id)
                    .await
                    .map(association_step)
            },
        )
        .await
    }

    /// Disassociates the rule from the VPC and waits until the association is gone. One already
    /// gone counts as done.
    pub async fn disassociate_rule(&self, call: &Call, a: &RuleAssociation) -> Result<()> {
        let out = call
            .send("DisassociateResolverRule", &self.policy, || {
                self.client
                    .disassociate_resolver_rule()
                    .resolver_rule_id(&a.resolver_rule_id)
                    .vpc_id(&a.vpc_id)
                    .send()
            })
            .await;
        match out.result {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
        wait_until(
            call,
            &format!("disassociation of Resolver rule association {}", a.id),
            self.poll,
            || async {
                match self.find_rule_association(call, &a.id).await {
                    Ok(x) => Ok(Step::Pending(x.status)),
                    Err(e) if e.is_not_found() => Ok(Step::Done(())),
                    Err(e) => Err(e),
                }
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_convert_without_the_trailing_dot_and_with_port_53_by_default() {
        let sdk = t::ResolverRule::builder()
            .id("rslvr-rr-1")
            .domain_name("corp.example.com.")
            .rule_type(t::RuleTypeOption::Forward)
            .resolver_endpoint_id("rslvr-out-1")
            .target_ips(t::TargetAddress::builder().ip("10.0.0.10").build())
            .target_ips(
                t::TargetAddress::builder()
                    .ip("10.0.0.11")
                    .port(5353)
                    .build(),
            )
            .status(t::ResolverRuleStatus::Complete)
            .build();
        let r = rule_from_sdk(&sdk);
        assert_eq!(r.domain_name, "corp.example.com");
        assert_eq!(r.rule_type, "FORWARD");
        assert_eq!(r.name, None);
        assert_eq!(
            r.target_ips,
            [
                TargetIp {
                    ip: "10.0.0.10".into(),
                    port: 53
                },
                TargetIp {
                    ip: "10.0.0.11".into(),
                    port: 5353
                }
            ]
        );
        assert!(matches!(rule_step(r.clone()), Step::Done(_)));
        let updating = ResolverRule {
            status: "UPDATING".into(),
            ..r
        };
        assert!(matches!(rule_step(updating), Step::Pending(s) if s == "UPDATING"));
    }

    #[test]
    fn associations_settle_complete_or_overridden() {
        let a = |s: &str| RuleAssociation {
            status: s.into(),
            ..Default::default()
        };
        assert!(matches!(association_step(a("CREATING")), Step::Pending(_)));
        assert!(matches!(association_step(a("COMPLETE")), Step::Done(_)));
        assert!(matches!(association_step(a("OVERRIDDEN")), Step::Done(_)));
        assert!(matches!(association_step(a("FAILED")), Step::Failed(..)));
    }
}
