//! Resolver endpoints: network interfaces in a VPC's subnets that answer DNS from the network
//! (INBOUND) or forward the VPC's queries to it (OUTBOUND).

use aws_sdk_route53resolver::types as t;

use super::{filter, is_not_found, wait_until, Resolver, Step, MAX_PAGES};
use crate::call::Call;
use crate::error::{Error, Result};

/// One IP address of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointIp {
    pub subnet_id: String,
    pub ip: String,
    /// The API's ID of the address (needed to remove it).
    pub ip_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolverEndpoint {
    pub id: String,
    pub arn: String,
    pub name: Option<String>,
    /// `INBOUND` or `OUTBOUND` (or whatever the API adds).
    pub direction: String,
    pub security_group_ids: Vec<String>,
    pub host_vpc_id: String,
    pub status: String,
    pub status_message: String,
    /// Filled by [`Resolver::find_endpoint`] (ListResolverEndpointIpAddresses).
    pub ip_addresses: Vec<EndpointIp>,
}

/// What creating an endpoint needs.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    /// Unique per creation ([`super::new_creator_request_id`]); a retry reuses it.
    pub creator_request_id: String,
    pub name: Option<String>,
    pub direction: String,
    pub security_group_ids: Vec<String>,
    /// (subnet, the address to take, or None for one the subnet chooses).
    pub ip_addresses: Vec<(String, Option<String>)>,
}

fn from_sdk(e: &t::ResolverEndpoint) -> ResolverEndpoint {
    ResolverEndpoint {
        id: e.id().unwrap_or_default().to_string(),
        arn: e.arn().unwrap_or_default().to_string(),
        name: e.name().filter(|n| !n.is_empty()).map(str::to_string),
        direction: e
            .direction()
            .map(|d| d.as_str().to_string())
            .unwrap_or_default(),
        security_group_ids: e.security_group_ids().to_vec(),
        host_vpc_id: e.host_vpc_id().unwrap_or_default().to_string(),
        status: e
            .status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_default(),
        status_message: e.status_message().unwrap_or_default().to_string(),
        ip_addresses: Vec::new(),
    }
}

fn not_found(id: &str) -> Error {
    Error::NotFound {
        what: format!("Resolver endpoint {id}"),
    }
}

/// Whether an endpoint in `status` is settled (`Done`), still changing, or failed.
fn endpoint_step(e: ResolverEndpoint) -> Step<ResolverEndpoint> {
    match e.status.as_str() {
        "OPERATIONAL" => Step::Done(e),
        "ACTION_NEEDED" => Step::Failed(e.status.clone(), e.status_message.clone()),
        _ => Step::Pending(e.status.clone()),
    }
}

impl Resolver {
    /// Creates the endpoint and waits until it is OPERATIONAL. A retry of a request that went
    /// through finds the endpoint by its CreatorRequestId.
    pub async fn create_endpoint(&self, call: &Call, n: &NewEndpoint) -> Result<ResolverEndpoint> {
        let ips = n
            .ip_addresses
            .iter()
            .map(|(subnet, ip)| {
                t::IpAddressRequest::builder()
                    .subnet_id(subnet)
                    .set_ip(ip.clone())
                    .build()
                    .map_err(|e| Error::Invalid(format!("IP address in {subnet}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let out = call
            .send("CreateResolverEndpoint", &self.policy, || {
                self.client
                    .create_resolver_endpoint()
                    .creator_request_id(&n.creator_request_id)
                    .set_name(n.name.clone())
                    .direction(t::ResolverEndpointDirection::from(n.direction.as_str()))
                    .set_security_group_ids(Some(n.security_group_ids.clone()))
                    .set_ip_addresses(Some(ips.clone()))
                    .send()
            })
            .await;
        let id = match out.result {
            Ok(o) => o
                .resolver_endpoint()
                .and_then(|e| e.id())
                .map(str::to_string)
                .ok_or_else(|| Error::Invalid("CreateResolverEndpoint returned no ID".into()))?,
            Err(Error::Api { code, .. }) if code == "ResourceExistsException" && out.ambiguous => {
                self.find_endpoint_by_creator_request_id(call, &n.creator_request_id)
                    .await?
            }
            Err(e) => return Err(e),
        };
        self.wait_endpoint_operational(call, &id).await
    }

    async fn find_endpoint_by_creator_request_id(&self, call: &Call, req: &str) -> Result<String> {
        let o = call
            .send("ListResolverEndpoints", &self.policy, || {
                self.client
                    .list_resolver_endpoints()
                    .filters(filter("CreatorRequestId", req))
                    .send()
            })
            .await
            .result?;
        o.resolver_endpoints()
            .iter()
            .find_map(|e| e.id())
            .map(str::to_string)
            .ok_or_else(|| Error::NotFound {
                what: format!("Resolver endpoint with creator request ID {req}"),
            })
    }

    /// The endpoint with its IP addresses, or [`Error::NotFound`].
    pub async fn find_endpoint(&self, call: &Call, id: &str) -> Result<ResolverEndpoint> {
        let mut e = self.get_endpoint(call, id).await?;
        e.ip_addresses = self.endpoint_ips(call, id).await?;
        Ok(e)
    }

    async fn get_endpoint(&self, call: &Call, id: &str) -> Result<ResolverEndpoint> {
        let out = call
            .send("GetResolverEndpoint", &self.policy, || {
                self.client
                    .get_resolver_endpoint()
                    .resolver_endpoint_id(id)
                    .send()
            })
            .await;
        match out.result {
            Ok(o) => o
                .resolver_endpoint()
                .map(from_sdk)
                .ok_or_else(|| not_found(id)),
            Err(e) if is_not_found(&e) => Err(not_found(id)),
            Err(e) => Err(e),
        }
    }

    async fn endpoint_ips(&self, call: &Call, id: &str) -> Result<Vec<EndpointIp>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = call
                .send("ListResolverEndpointIpAddresses", &self.policy, || {
                    self.client
                        .list_resolver_endpoint_ip_addresses()
                        .resolver_endpoint_id(id)
                        .set_next_token(token.clone())
                        .send()
                })
                .await;
            let page = match page.result {
                Ok(p) => p,
                Err(e) if is_not_found(&e) => return Err(not_found(id)),
                Err(e) => return Err(e),
            };
            out.extend(page.ip_addresses().iter().map(|a| EndpointIp {
                subnet_id: a.subnet_id().unwrap_or_default().to_string(),
                ip: a.ip().unwrap_or_default().to_string(),
                ip_id: a.ip_id().unwrap_or_default().to_string(),
            }));
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => return Ok(out),
            }
        }
        Err(Error::Invalid(format!(
            "ListResolverEndpointIpAddresses of {id} still had pages after {MAX_PAGES}"
        )))
    }

    /// Waits until the endpoint is OPERATIONAL (ACTION_NEEDED fails the wait).
    pub async fn wait_endpoint_operational(
        &self,
        call: &Call,
        id: &str,
    ) -> Result<ResolverEndpoint> {
        wait_until(
            call,
            &format!("Resolver endpoint {id}"),
            self.poll,
            || async { self.get_endpoint(call, id).await.map(endpoint_step) },
        )
        .await?;
        self.find_endpoint(call, id).await
    }

    /// Renames the endpoint and waits until it is OPERATIONAL again.
    pub async fn rename_endpoint(
        &self,
        call: &Call,
        id: &str,
        name: Option<&str>,
    ) -> Result<ResolverEndpoint> {
        let out = call
            .send("UpdateResolverEndpoint", &self.policy, || {
                self.client
                    .update_resolver_endpoint()
                    .resolver_endpoint_id(id)
                    .set_name(Some(name.unwrap_or_default().to_string()))
                    .send()
            })
            .await;
        match out.result {
            Ok(_) => self.wait_endpoint_operational(call, id).await,
            Err(e) if is_not_found(&e) => Err(not_found(id)),
            Err(e) => Err(e),
        }
    }

    /// Adds an IP address in `subnet` (`ip`, or one the subnet chooses) and waits.
    pub async fn add_endpoint_ip(
        &self,
        call: &Call,
        id: &str,
        subnet: &str,
        ip: Option<&str>,
    ) -> Result<ResolverEndpoint> {
        let addr = t::IpAddressUpdate::builder()
            .subnet_id(subnet)
            .set_ip(ip.map(str::to_string))
            .build();
        let out = call
            .send("AssociateResolverEndpointIpAddress", &self.policy, || {
                self.client
                    .associate_resolver_endpoint_ip_address()
                    .resolver_endpoint_id(id)
                    .ip_address(addr.clone())
                    .send()
            })
            .await;
        match out.result {
            Ok(_) => self.wait_endpoint_operational(call, id).await,
            // A retry of a request that went through.
            Err(Error::Api { code, .. }) if code == "ResourceExistsException" && out.ambiguous => {
                self.wait_endpoint_operational(call, id).await
            }
            Err(e) => Err(e),
        }
    }

    /// Removes one IP address and waits. One already gone counts as removed.
    pub async fn remove_endpoint_ip(
        &self,
        call: &Call,
        id: &str,
        addr: &EndpointIp,
    ) -> Result<ResolverEndpoint> {
        let upd = t::IpAddressUpdate::builder()
            .subnet_id(&addr.subnet_id)
            .ip(&addr.ip)
            .set_ip_id((!addr.ip_id.is_empty()).then(|| addr.ip_id.clone()))
            .build();
        let out = call
            .send(
                "DisassociateResolverEndpointIpAddress",
                &self.policy,
                || {
                    self.client
                        .disassociate_resolver_endpoint_ip_address()
                        .resolver_endpoint_id(id)
                        .ip_address(upd.clone())
                        .send()
                },
            )
            .await;
        match out.result {
            Ok(_) => self.wait_endpoint_operational(call, id).await,
            Err(e) if is_not_found(&e) => match self.get_endpoint(call, id).await {
                Ok(_) => self.wait_endpoint_operational(call, id).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Deletes the endpoint and waits until it is gone. One already gone counts as deleted.
    pub async fn delete_endpoint(&self, call: &Call, id: &str) -> Result<()> {
        let out = call
            .send("DeleteResolverEndpoint", &self.policy, || {
                self.client
                    .delete_resolver_endpoint()
                    .resolver_endpoint_id(id)
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
            &format!("deletion of Resolver endpoint {id}"),
            self.poll,
            || async {
                match self.get_endpoint(call, id).await {
                    Ok(e) => Ok(Step::Pending(e.status)),
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
    fn endpoints_convert_and_settle_by_status() {
        let sdk = t::ResolverEndpoint::builder()
            .id("rslvr-out-1")
            .arn("arn:aws:route53resolver:us-east-1:123456789012:resolver-endpoint/rslvr-out-1")
            .name("")
            .direction(t::ResolverEndpointDirection::Outbound)
            .security_group_ids("sg-1")
            .host_vpc_id("vpc-1")
            .status(t::ResolverEndpointStatus::Creating)
            .build();
        let e = from_sdk(&sdk);
        assert_eq!(e.name, None, "an empty name is no name");
        assert_eq!(e.direction, "OUTBOUND");
        assert_eq!(e.security_group_ids, ["sg-1"]);
        assert!(matches!(endpoint_step(e.clone()), Step::Pending(s) if s == "CREATING"));
        let ok = ResolverEndpoint {
            status: "OPERATIONAL".into(),
            ..e.clone()
        };
        assert!(matches!(endpoint_step(ok), Step::Done(_)));
        let bad = ResolverEndpoint {
            status: "ACTION_NEEDED".into(),
            status_message: "subnet gone".into(),
            ..e
        };
        assert!(matches!(endpoint_step(bad), Step::Failed(_, m) if m == "subnet gone"));
    }
}
