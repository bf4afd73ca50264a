//! `r53_resolver_endpoint`: a Route 53 Resolver endpoint (INBOUND or OUTBOUND) in a VPC's subnets.

use async_trait::async_trait;

use r53_core::resolver::{
    new_creator_request_id, EndpointIp, NewEndpoint, ResolverEndpoint, MAX_ENDPOINT_IPS,
    MAX_SECURITY_GROUPS, MIN_ENDPOINT_IPS,
};
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Resource, Set, Value};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_resolver_endpoint";

pub(crate) struct ResolverEndpointResource;

const DIRECTIONS: [&str; 2] = ["INBOUND", "OUTBOUND"];
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

r53_plugin::model! {
    /// One `ip_address` block.
    pub struct IpAddress / IpAddressAttrs {
        description: "An IP address of the endpoint, in one of the VPC's subnets.";
        attributes {
            subnet_id: String [required] "The subnet the address is in.",
            ip: String [optional_computed] "The IPv4 address. Unset: the subnet chooses one (shown after apply).",
            ip_id: String [computed] "The API's ID of the address.",
        }
    }
}

r53_plugin::model! {
    /// The configuration and state of `r53_resolver_endpoint`.
    pub struct Endpoint / EndpointAttrs {
        description: "A Route 53 Resolver endpoint: network interfaces in a VPC through which DNS queries enter the VPC from \
         your network (`INBOUND`: on-premises resolvers forward to its addresses, and it answers from the VPC's private \
         zones) or leave it (`OUTBOUND`: `r53_resolver_rule`s of type `FORWARD` send queries for a domain through it to \
         your DNS servers). The endpoint needs at least two `ip_address` blocks (in two subnets for availability) and \
         security groups that allow DNS (TCP and UDP 53) in the endpoint's direction.\n\n\
         Creation and changes wait until the endpoint is `OPERATIONAL`, deletion until it is gone. `name` and the \
         `ip_address` blocks are changed in place (an address added before one is removed); the direction and the \
         security groups cannot change without replacing the endpoint. The order of the `ip_address` blocks does not \
         matter: the same addresses written in another order — or imported, which lists them by subnet ID — plan no change.";
        attributes {
            id: String [computed] "The endpoint's ID (`rslvr-in-…` or `rslvr-out-…`).",
            arn: String [computed] "The endpoint's ARN.",
            name: String [optional] "A friendly name.",
            direction: String [required, force_new] "`INBOUND` or `OUTBOUND`. Changing it replaces the endpoint.",
            security_group_ids: Set<String> [required, force_new]
                "Security groups of the endpoint's network interfaces (1 to 10). Changing them replaces the endpoint.",
            host_vpc_id: String [computed] "The VPC the endpoint's subnets belong to.",
            status: String [computed] "The endpoint's status as last read (`OPERATIONAL` once settled).",
        }
        blocks {
            ip_address: Vec<IpAddress> [0, 0],
            timeouts: Vec<Timeouts> [0, 1] => timeouts_block("Defaults: create 10m, update 10m, delete 10m."),
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, Endpoint::block())
}

/// The state of the live endpoint, its addresses in the order of `order` (the configuration's or
/// the prior state's blocks: an address keeps its place), those `order` does not know at the end.
fn state_of(
    e: &ResolverEndpoint,
    order: &[IpAddress],
    timeouts: &Field<Vec<Timeouts>>,
) -> Endpoint {
    Endpoint {
        id: Field::Known(e.id.clone()),
        arn: Field::Known(e.arn.clone()),
        name: e.name.clone().into(),
        direction: Field::Known(e.direction.clone()),
        security_group_ids: Field::Known(Set(e.security_group_ids.clone())),
        host_vpc_id: Field::Known(e.host_vpc_id.clone()),
        status: Field::Known(e.status.clone()),
        ip_address: Field::Known(
            ordered(&e.ip_addresses, order)
                .into_iter()
                .map(|a| IpAddress {
                    subnet_id: Field::Known(a.subnet_id.clone()),
                    ip: Field::Known(a.ip.clone()),
                    ip_id: Field::Known(a.ip_id.clone()),
                })
                .collect(),
        ),
        timeouts: timeouts.clone(),
    }
}

/// `live` in the order of `order`: first each block with a known address takes that address in
/// its subnet, then each block without one takes an unclaimed address of its subnet; what is left
/// follows, sorted by subnet and address.
fn ordered<'a>(live: &'a [EndpointIp], order: &[IpAddress]) -> Vec<&'a EndpointIp> {
    let mut taken = vec![false; live.len()];
    let mut slots: Vec<Option<usize>> = vec![None; order.len()];
    for (slot, b) in slots.iter_mut().zip(order) {
        if let (Some(s), Some(ip)) = (b.subnet_id.as_str(), b.ip.as_str()) {
            if let Some(i) =
                (0..live.len()).find(|&i| !taken[i] && live[i].subnet_id == s && live[i].ip == ip)
            {
                taken[i] = true;
                *slot = Some(i);
            }
        }
    }
    for (slot, b) in slots.iter_mut().zip(order) {
        if slot.is_some() || b.ip.is_known() {
            continue;
        }
        if let Some(s) = b.subnet_id.as_str() {
            if let Some(i) = (0..live.len()).find(|&i| !taken[i] && live[i].subnet_id == s) {
                taken[i] = true;
                *slot = Some(i);
            }
        }
    }
    let mut rest: Vec<&EndpointIp> = (0..live.len())
        .filter(|&i| !taken[i])
        .map(|i| &live[i])
        .collect();
    rest.sort_by(|a, b| (&a.subnet_id, &a.ip).cmp(&(&b.subnet_id, &b.ip)));
    slots
        .into_iter()
        .flatten()
        .map(|i| &live[i])
        .chain(rest)
        .collect()
}

/// What an update does to the addresses: (subnet, address or None) to add, live ones to remove.
fn ip_changes<'a>(
    live: &'a [EndpointIp],
    planned: &[IpAddress],
) -> (Vec<(String, Option<String>)>, Vec<&'a EndpointIp>) {
    let mut taken = vec![false; live.len()];
    let mut add = Vec::new();
    for b in planned {
        let subnet = b.subnet_id.string().unwrap_or_default();
        match b.ip.as_str() {
            Some(ip) => {
                match (0..live.len())
                    .find(|&i| !taken[i] && live[i].subnet_id == subnet && live[i].ip == ip)
                {
                    Some(i) => taken[i] = true,
                    None => add.push((subnet, Some(ip.to_string()))),
                }
            }
            None => add.push((subnet, None)),
        }
    }
    let remove = (0..live.len())
        .filter(|&i| !taken[i])
        .map(|i| &live[i])
        .collect();
    (add, remove)
}

impl ResolverEndpointResource {
    async fn find(
        meta: &Meta,
        ctx: &Ctx,
        id: &str,
    ) -> Result<Option<ResolverEndpoint>, Diagnostics> {
        match meta
            .aws
            .resolver
            .find_endpoint(&call(ctx, READ_TIMEOUT), id)
            .await
        {
            // Being deleted is as good as gone (as terraform-provider-aws reads it): plan it again.
            Ok(e) if e.status == "DELETING" => Ok(None),
            Ok(e) => Ok(Some(e)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_diag(&format!("Reading Resolver endpoint {id}"), &e).into()),
        }
    }
}

#[async_trait]
impl Resource<Meta> for ResolverEndpointResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required(
                "id",
                "The endpoint's ID (`rslvr-in-…` or `rslvr-out-…`).",
            ),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match Endpoint::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = Endpoint::ATTR;
        let mut d = Diagnostics::new();
        if let Some(dir) = m.direction.as_str() {
            if !DIRECTIONS.contains(&dir) {
                d.error_at(
                    at(a.direction),
                    "Invalid direction",
                    format!("must be INBOUND or OUTBOUND, not {dir:?}"),
                );
            }
        }
        if let Field::Known(sgs) = &m.security_group_ids {
            if sgs.0.is_empty() || sgs.0.len() > MAX_SECURITY_GROUPS {
                d.error_at(
                    at(a.security_group_ids),
                    "Invalid security_group_ids",
                    format!(
                        "an endpoint has 1 to {MAX_SECURITY_GROUPS} security groups, not {}",
                        sgs.0.len()
                    ),
                );
            }
        }
        if let Field::Known(ips) = &m.ip_address {
            if ips.len() < MIN_ENDPOINT_IPS || ips.len() > MAX_ENDPOINT_IPS {
                d.error_at(
                    at(a.ip_address),
                    "Invalid ip_address blocks",
                    format!(
                        "an endpoint has {MIN_ENDPOINT_IPS} to {MAX_ENDPOINT_IPS} ip_address blocks, not {}",
                        ips.len()
                    ),
                );
            }
            for (i, b) in ips.iter().enumerate() {
                if let Some(ip) = b.ip.as_str() {
                    if ip.parse::<std::net::Ipv4Addr>().is_err() {
                        d.error_at(
                            at(a.ip_address).index(i as i64).then(IpAddress::ATTR.ip),
                            "Invalid ip",
                            format!("{ip:?} is not an IPv4 address"),
                        );
                    }
                }
            }
        }
        Timeouts::check(&m.timeouts, a.timeouts, &mut d);
        d
    }

    /// Computed values stay known where nothing changes them; an address block whose subnet
    /// changed loses the address carried over from its old subnet (subnets of a VPC never
    /// overlap, so an address equal to the old one was not written by the user).
    /// The same addresses written in another order are no change: an import (which cannot know
    /// the configuration's order) or a reordering keeps the prior blocks.
    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        let (Ok(p), Ok(mut n)) = (Endpoint::from_value(prior), Endpoint::from_value(planned))
        else {
            return false;
        };
        let pairs = |m: &Endpoint| -> Option<Vec<(String, String)>> {
            let mut v = m
                .ip_address
                .items()
                .iter()
                .map(|b| {
                    Some((
                        b.subnet_id.as_str()?.to_string(),
                        b.ip.as_str()?.to_string(),
                    ))
                })
                .collect::<Option<Vec<_>>>()?;
            v.sort();
            Some(v)
        };
        let (Some(a), Some(b)) = (pairs(&p), pairs(&n)) else {
            return false;
        };
        if a != b || p.ip_address == n.ip_address {
            return false;
        }
        n.ip_address = p.ip_address;
        *planned = n.to_value();
        true
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if planned.is_null() {
            return;
        }
        let mut n = match Endpoint::from_value(planned) {
            Ok(n) => n,
            Err(e) => return d.extend(e),
        };
        let p = if prior.is_null() {
            Endpoint::default()
        } else {
            match Endpoint::from_value(prior) {
                Ok(p) => p,
                Err(e) => return d.extend(e),
            }
        };
        let before = p.ip_address.items();
        let mut ips_change = before.len() != n.ip_address.items().len();
        if let Field::Known(blocks) = &mut n.ip_address {
            for (i, b) in blocks.iter_mut().enumerate() {
                match before.get(i) {
                    Some(old)
                        if old.subnet_id == b.subnet_id && (b.ip == old.ip || !b.ip.is_known()) =>
                    {
                        b.ip = old.ip.clone();
                        b.ip_id = old.ip_id.clone();
                    }
                    Some(old) => {
                        ips_change = true;
                        if old.subnet_id != b.subnet_id && b.ip == old.ip {
                            b.ip = Field::Unknown;
                        }
                        b.ip_id = Field::Unknown;
                    }
                    None => {
                        ips_change = true;
                        if !b.ip.is_known() {
                            b.ip = Field::Unknown;
                        }
                        b.ip_id = Field::Unknown;
                    }
                }
            }
        }
        if !prior.is_null() {
            n.id = p.id;
            n.arn = p.arn;
            n.host_vpc_id = p.host_vpc_id;
            n.status = if ips_change || n.name != p.name {
                Field::Unknown
            } else {
                p.status
            };
        }
        *planned = n.to_value();
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = Endpoint::from_value(&planned)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.create, DEFAULT_TIMEOUT);
        let new = NewEndpoint {
            creator_request_id: new_creator_request_id(),
            name: m.name.string(),
            direction: m.direction.string().unwrap_or_default(),
            security_group_ids: m.security_group_ids.items().to_vec(),
            ip_addresses: m
                .ip_address
                .items()
                .iter()
                .map(|b| (b.subnet_id.string().unwrap_or_default(), b.ip.string()))
                .collect(),
        };
        let e = meta
            .aws
            .resolver
            .create_endpoint(&call(ctx, t), &new)
            .await
            .map_err(|e| api_diag("Creating Resolver endpoint", &e))?;
        tracing::info!(id = %e.id, "created Resolver endpoint");
        Ok(state_of(&e, m.ip_address.items(), &m.timeouts).to_value())
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = Endpoint::from_value(state)?;
        let id = m.id.string().unwrap_or_default();
        Ok(Self::find(meta, ctx, &id)
            .await?
            .map(|e| state_of(&e, m.ip_address.items(), &m.timeouts).to_value()))
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let (p, n) = Endpoint::from_values(prior, &planned)?;
        let id = p.id.string().unwrap_or_default();
        let c = call(
            ctx,
            Timeouts::of(&n.timeouts, |t| &t.update, DEFAULT_TIMEOUT),
        );
        let r = &meta.aws.resolver;
        let what = format!("Updating Resolver endpoint {id}");
        if n.name != p.name {
            r.rename_endpoint(&c, &id, n.name.as_str())
                .await
                .map_err(|e| api_diag(&what, &e))?;
        }
        let live = r
            .find_endpoint(&c, &id)
            .await
            .map_err(|e| api_diag(&what, &e))?;
        // Additions first: an endpoint never has fewer than two addresses.
        let (add, remove) = ip_changes(&live.ip_addresses, n.ip_address.items());
        let partial = |e: r53_core::Error, d: &str| Failure::from(api_diag(d, &e));
        for (subnet, ip) in &add {
            r.add_endpoint_ip(&c, &id, subnet, ip.as_deref())
                .await
                .map_err(|e| partial(e, &format!("{what}: adding an address in {subnet}")))?;
        }
        for a in remove {
            r.remove_endpoint_ip(&c, &id, a)
                .await
                .map_err(|e| partial(e, &format!("{what}: removing {} ({})", a.ip, a.subnet_id)))?;
        }
        let e = r
            .find_endpoint(&c, &id)
            .await
            .map_err(|e| api_diag(&what, &e))?;
        Ok(state_of(&e, n.ip_address.items(), &n.timeouts).to_value())
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = Endpoint::from_value(prior)?;
        let id = m.id.string().unwrap_or_default();
        let t = Timeouts::of(&m.timeouts, |t| &t.delete, DEFAULT_TIMEOUT);
        meta.aws
            .resolver
            .delete_endpoint(&call(ctx, t), &id)
            .await
            .map_err(|e| api_diag(&format!("Deleting Resolver endpoint {id}"), &e))?;
        Ok(Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = id.trim();
        match Self::find(meta, ctx, id).await? {
            Some(e) => Ok(state_of(&e, &[], &Field::Null).to_value()),
            None => Err(Diagnostic::error(
                "Cannot import Resolver endpoint",
                format!("no Resolver endpoint with ID {id:?} exists in this region"),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(subnet: &str, ip: &str, id: &str) -> EndpointIp {
        EndpointIp {
            subnet_id: subnet.into(),
            ip: ip.into(),
            ip_id: id.into(),
        }
    }

    fn block(subnet: &str, ip: Option<&str>) -> IpAddress {
        IpAddress {
            subnet_id: subnet.into(),
            ip: ip.map(Into::into).map(Field::Known).unwrap_or(Field::Null),
            ip_id: Field::Null,
        }
    }

    #[test]
    fn live_addresses_keep_the_configured_order() {
        let live = [
            ip("subnet-b", "10.0.2.5", "rni-2"),
            ip("subnet-a", "10.0.1.5", "rni-1"),
            ip("subnet-a", "10.0.1.9", "rni-3"),
        ];
        let order = [block("subnet-b", None), block("subnet-a", Some("10.0.1.9"))];
        let got: Vec<&str> = ordered(&live, &order)
            .iter()
            .map(|a| a.ip_id.as_str())
            .collect();
        assert_eq!(got, ["rni-2", "rni-3", "rni-1"]);
        // An import knows no order: by subnet and address.
        let got: Vec<&str> = ordered(&live, &[])
            .iter()
            .map(|a| a.ip_id.as_str())
            .collect();
        assert_eq!(got, ["rni-1", "rni-3", "rni-2"]);
    }

    #[test]
    fn an_update_adds_what_is_new_and_removes_what_is_not_planned() {
        let live = [
            ip("subnet-a", "10.0.1.5", "rni-1"),
            ip("subnet-b", "10.0.2.5", "rni-2"),
        ];
        let planned = [
            block("subnet-a", Some("10.0.1.5")),
            block("subnet-c", None),
            block("subnet-b", Some("10.0.2.7")),
        ];
        let (add, remove) = ip_changes(&live, &planned);
        assert_eq!(
            add,
            [
                ("subnet-c".to_string(), None),
                ("subnet-b".to_string(), Some("10.0.2.7".to_string()))
            ]
        );
        assert_eq!(remove, [&live[1]]);
    }

    fn cfg(j: serde_json::Value) -> Value {
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    #[test]
    fn bad_direction_address_counts_and_addresses_are_refused_at_their_paths() {
        let d = ResolverEndpointResource.validate(&cfg(serde_json::json!({
            "direction": "SIDEWAYS",
            "security_group_ids": [],
            "ip_address": [{"subnet_id": "subnet-a", "ip": "10.0.0.300"}],
        })));
        let paths: Vec<String> =
            d.0.iter()
                .map(|x| x.path.as_ref().unwrap().to_string())
                .collect();
        assert_eq!(
            paths,
            [
                "direction",
                "security_group_ids",
                "ip_address",
                "ip_address[0].ip"
            ]
        );
        assert!(ResolverEndpointResource
            .validate(&cfg(serde_json::json!({
                "direction": "OUTBOUND",
                "security_group_ids": ["sg-1"],
                "ip_address": [{"subnet_id": "subnet-a"}, {"subnet_id": "subnet-b", "ip": "10.0.2.9"}],
            })))
            .is_empty());
    }

    #[test]
    fn a_block_moved_to_another_subnet_plans_a_new_address() {
        let prior = cfg(serde_json::json!({
            "id": "rslvr-out-1", "arn": "arn", "direction": "OUTBOUND", "security_group_ids": ["sg-1"],
            "host_vpc_id": "vpc-1", "status": "OPERATIONAL",
            "ip_address": [
                {"subnet_id": "subnet-a", "ip": "10.0.1.5", "ip_id": "rni-1"},
                {"subnet_id": "subnet-b", "ip": "10.0.2.5", "ip_id": "rni-2"},
            ],
        }));
        // As Terraform proposes it: the optional+computed address carried over by position.
        let mut planned = cfg(serde_json::json!({
            "id": "rslvr-out-1", "arn": "arn", "direction": "OUTBOUND", "security_group_ids": ["sg-1"],
            "host_vpc_id": "vpc-1", "status": "OPERATIONAL",
            "ip_address": [
                {"subnet_id": "subnet-a", "ip": "10.0.1.5", "ip_id": "rni-1"},
                {"subnet_id": "subnet-c", "ip": "10.0.2.5", "ip_id": "rni-2"},
            ],
        }));
        let mut d = Diagnostics::new();
        ResolverEndpointResource.modify_plan(&prior, &mut planned, &mut d);
        assert!(d.is_empty(), "{d:?}");
        let n = Endpoint::from_value(&planned).unwrap();
        let b = n.ip_address.items();
        assert_eq!(b[0].ip_id.as_str(), Some("rni-1"));
        assert!(b[1].ip.is_unknown() && b[1].ip_id.is_unknown());
        assert!(n.status.is_unknown());
        assert_eq!(n.id.as_str(), Some("rslvr-out-1"));
    }
}
