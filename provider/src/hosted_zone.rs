//! `r53_hosted_zone`: a public or private hosted zone.

use async_trait::async_trait;
use std::collections::BTreeMap;

use r53_core::{Call, HostedZone, NewZone};
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Field, Resource, Set, Value};
use r53_zone::name::{normalise, Name};

use crate::common::*;
use crate::meta::Meta;

pub(crate) struct HostedZoneResource;

pub(crate) const TYPE_NAME: &str = "r53_hosted_zone";

r53_plugin::model! {
    /// A `vpc` block of `r53_hosted_zone`.
    pub struct Vpc / VpcAttrs {
        description: "A VPC the private zone is associated with. Switching between public and private replaces the zone.";
        attributes {
            vpc_id: String [required] "The VPC ID.",
            vpc_region: String [optional_computed] "The VPC's region. Defaults to the provider's region.",
        }
    }
}

r53_plugin::model! {
    /// The configuration and state of `r53_hosted_zone`.
    pub struct Zone / ZoneAttrs {
        description: "A Route 53 hosted zone: the records of a domain, served by four Route 53 name servers. \
         Public by default; with `vpc` blocks it is a private zone answering only inside those VPCs. \
         Creation waits until the zone is in sync on all Route 53 servers.\n\n\
         **Interrupted creates never leave a second zone.** Each create sends a CallerReference fixed before its \
         first attempt, `r53-tf1:<fingerprint>:<nonce>` (the fingerprint covers the name, public or private, the \
         first VPC and the delegation set), so a retried request finds the zone it made. When the create answers \
         Terraform — with the state, or after Ctrl-C or an error with the zone kept in state (tainted) — it tags \
         the zone `r53:claimed`. If the provider is killed before it can answer (`kill -9`, a crash, a lost \
         machine), Terraform records nothing; the next create of the same zone first looks for a zone of that \
         name whose CallerReference has this zone's `r53-tf1:<fingerprint>:` prefix and which is not claimed, and \
         takes it over (with a warning) instead of creating a second one. Zones in any state are claimed, and \
         zones made outside this provider lack the prefix, so neither is ever taken over. A tainted zone is \
         replaced by the next apply; if it should stay, `terraform untaint` it.";
        attributes {
            id: String [computed] "The hosted zone ID (same as `zone_id`).",
            name: String [required, force_new] "The domain name of the zone, e.g. `example.com` (case and a trailing dot do not matter).",
            comment: String [optional] "A comment for the zone.",
            tags: BTreeMap<String, String> [optional] "Tags for the zone (at most 49: the provider keeps the tag `r53:claimed` on every zone it creates, not shown here).",
            delegation_set_id: String [optional_computed, force_new]
                "ID of a reusable delegation set whose four name servers the zone should use. Public zones only.",
            vpc_associations: String [optional]
                "How the `vpc` blocks treat the zone's other VPC associations: `\"exclusive\"` (the default) makes the \
                 zone's VPCs exactly the `vpc` blocks, disassociating any other; `\"additive\"` manages only the VPCs in \
                 the `vpc` blocks and leaves the others alone — neither read into state nor disassociated — so \
                 `r53_zone_association` resources (this account's or another's) can manage more VPCs of the same zone \
                 without either undoing the other. A private zone is created with its first `vpc` block, so `additive` \
                 needs at least one. Switching to `additive` disassociates nothing: VPCs no `vpc` block declares only \
                 leave the state (an import reads every VPC of the zone).",
            force_destroy: bool [optional]
                "Delete every record set (except the apex SOA and NS) when destroying the zone. Without it, destroying a zone \
                 that still has records fails, which protects production data. Default `false`.",
            zone_id: String [computed] "The hosted zone ID, e.g. `Z0123456789ABCDEFGHIJ`.",
            arn: String [computed] "The zone's ARN.",
            name_servers: Vec<String> [computed] "The four Route 53 name servers of the zone, to delegate the domain to.",
            primary_name_server: String [computed] "The name server named in the zone's SOA record.",
        }
        blocks {
            vpc: Set<Vpc> [0, 0],
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, Zone::block())
}

/// `vpc_associations = "additive"`: the `vpc` blocks manage only the VPCs they declare.
const ADDITIVE: &str = "additive";
const EXCLUSIVE: &str = "exclusive";

fn additive(m: &Zone) -> bool {
    m.vpc_associations.as_str() == Some(ADDITIVE)
}

fn vpcs_of(m: &Zone, default_region: &str) -> Vec<r53_core::Vpc> {
    m.vpc
        .items()
        .iter()
        .map(|b| r53_core::Vpc {
            id: b.vpc_id.string().unwrap_or_default(),
            region: b
                .vpc_region
                .string()
                .unwrap_or_else(|| default_region.to_string()),
        })
        .collect()
}

/// Builds the state from what AWS says, keeping the user's spelling of `name` when equivalent.
fn zone_state(z: &HostedZone, tags: &BTreeMap<String, String>, base: &Zone) -> Value {
    let name = match base.name.as_str() {
        Some(n) if normalise(n) == z.name => n.to_string(),
        _ => z.name.clone(),
    };
    Zone {
        id: Field::Known(z.id.clone()),
        zone_id: Field::Known(z.id.clone()),
        name: Field::Known(name),
        comment: z.comment.clone().into(),
        tags: if tags.is_empty() && base.tags.is_null() {
            Field::Null
        } else {
            Field::Known(tags.clone())
        },
        delegation_set_id: z.delegation_set_id.clone().into(),
        force_destroy: base.force_destroy.clone(),
        vpc_associations: base.vpc_associations.clone(),
        arn: Field::Known(format!("arn:aws:route53:::hostedzone/{}", z.id)),
        name_servers: Field::Known(z.name_servers.clone()),
        primary_name_server: z.name_servers.first().cloned().into(),
        vpc: Field::Known(
            z.vpcs
                .iter()
                .map(|v| Vpc {
                    vpc_id: Field::Known(v.id.clone()),
                    vpc_region: Field::Known(v.region.clone()),
                })
                .collect(),
        ),
    }
    .to_value()
}

/// How long a stopped create may spend recording its claim on the zone before it answers.
const CLAIM_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

impl HostedZoneResource {
    /// After CreateHostedZone (or taking over an interrupted create's zone): the other VPCs, the
    /// comment and the tags, each only where the zone differs from the plan.
    async fn finish_zone(
        &self,
        meta: &Meta,
        c: &Call,
        zone: &HostedZone,
        spec: &NewZone,
        planned: &Zone,
    ) -> Result<(), r53_core::Error> {
        let r53 = &meta.aws.route53;
        for v in spec.vpcs.iter().filter(|v| !zone.vpcs.contains(v)) {
            r53.associate_vpc(c, &zone.id, v).await?;
        }
        if zone.comment != spec.comment {
            r53.update_zone_comment(c, &zone.id, spec.comment.as_deref())
                .await?;
        }
        let want_tags = planned.tags.known().cloned().unwrap_or_default();
        // A new zone has no tags; one taken over may have some of them already.
        let have = if zone.caller_reference == spec.caller_reference {
            Default::default()
        } else {
            r53.tags(c, &zone.id).await?
        };
        r53.set_tags(c, &zone.id, &have, &want_tags).await
    }

    async fn read_zone(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        id: &str,
        base: &Zone,
    ) -> Result<Option<Value>, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        let mut z = match meta.aws.route53.find_hosted_zone_by_id(&c, id).await {
            Ok(z) => z,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(api_diag(&format!("Reading hosted zone {id}"), &e).into()),
        };
        let tags = meta
            .aws
            .route53
            .tags(&c, &z.id)
            .await
            .map_err(|e| api_diag(&format!("Reading tags of hosted zone {id}"), &e))?;
        if additive(base) {
            // Only the declared VPCs are this resource's; the others belong to someone else.
            let declared = vpcs_of(base, &meta.aws.region);
            z.vpcs.retain(|v| declared.contains(v));
        }
        Ok(Some(zone_state(&z, &tags, base)))
    }
}

#[async_trait]
impl Resource<Meta> for HostedZoneResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    /// `moved` from `aws_route53_zone`: the zone's ID and name (the rest is read right after).
    fn move_from(&self, source: r53_plugin::MoveSource<'_>) -> Option<Result<Value, Diagnostics>> {
        let state = match crate::aws_move::accept(source, "aws_route53_zone", &[0])? {
            Ok(s) => s,
            Err(d) => return Some(Err(d)),
        };
        Some((|| {
            let id = crate::aws_move::string(state, "zone_id")
                .or_else(|| crate::aws_move::string(state, "id"))
                .map(r53_core::route53::strip_zone_id)
                .ok_or_else(|| {
                    Diagnostics::from(Diagnostic::error(
                        "Incomplete AWS provider state",
                        "the aws_route53_zone state has no zone_id; it cannot be moved",
                    ))
                })?;
            let name = crate::aws_move::required(state, "aws_route53_zone", "name")?;
            Ok(Zone {
                id: Field::Known(id.clone()),
                zone_id: Field::Known(id),
                name: Field::Known(normalise(name)),
                ..Default::default()
            }
            .to_value())
        })())
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required(
                "zone_id",
                "The hosted zone's ID, e.g. `Z0123456789ABCDEFGHIJ`.",
            ),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let m = match Zone::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = Zone::ATTR;
        if let Some(n) = m.name.as_str() {
            if let Err(e) = Name::parse(n) {
                d.error_at(at(a.name), "Invalid zone name", e.to_string());
            } else if !normalise(n).contains('.') {
                d.push(
                    Diagnostic::warning(
                        "Zone for a top-level name",
                        format!("{n:?} has a single label; is that intended?"),
                    )
                    .at(at(a.name)),
                );
            }
        }
        if let Some(tags) = m.tags.known() {
            // Route 53 allows 50; the provider's claim tag takes one.
            if tags.len() > 49 {
                d.error_at(
                    at(a.tags),
                    "Too many tags",
                    format!(
                        "Route 53 allows 50 tags per zone and the provider keeps one ({}) for itself, so at most 49; {} given",
                        r53_core::route53::CLAIM_TAG,
                        tags.len()
                    ),
                );
            }
            if tags.iter().any(|(k, _)| k == r53_core::route53::CLAIM_TAG) {
                d.error_at(
                    at(a.tags),
                    "Reserved tag key",
                    format!(
                        "The tag key {:?} is the provider's own record that a zone is in some Terraform state; choose another key.",
                        r53_core::route53::CLAIM_TAG
                    ),
                );
            }
        }
        match m.vpc_associations.as_str() {
            Some(ADDITIVE) if m.vpc.is_known() && m.vpc.items().is_empty() => d.error_at(
                at(a.vpc_associations),
                "Additive VPC associations need a vpc block",
                "A private zone is created with its first VPC: declare at least one `vpc` block, or leave \
                 `vpc_associations` unset for a public zone.",
            ),
            Some(ADDITIVE | EXCLUSIVE) | None => {}
            Some(other) => d.error_at(
                at(a.vpc_associations),
                "Invalid vpc_associations",
                format!("expected \"{EXCLUSIVE}\" or \"{ADDITIVE}\", not {other:?}"),
            ),
        }
        if !m.vpc.items().is_empty() && !m.delegation_set_id.is_null() {
            d.error_at(
                at(a.delegation_set_id),
                "Private zones have no delegation set",
                "Remove `delegation_set_id` or the `vpc` blocks.",
            );
        }
        d
    }

    fn replace_paths(&self, schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        let Ok((p, n)) = Zone::from_values(prior, planned) else {
            return schema.block.replace_paths(prior, planned);
        };
        let a = Zone::ATTR;
        let mut out = Vec::new();
        if let (Some(x), Some(y)) = (p.name.as_str(), n.name.as_str()) {
            if normalise(x) != normalise(y) {
                out.push(at(a.name));
            }
        } else if p.name != n.name {
            out.push(at(a.name));
        }
        if !n.delegation_set_id.is_null() && p.delegation_set_id != n.delegation_set_id {
            out.push(at(a.delegation_set_id));
        }
        if p.vpc.items().is_empty() != n.vpc.items().is_empty() {
            out.push(at(a.vpc));
        }
        out
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if prior.is_null() {
            return;
        }
        let (p, mut n) = match Zone::from_values(prior, planned) {
            Ok(pn) => pn,
            Err(e) => return d.extend(e),
        };
        // Computed attributes that cannot change in place keep their values.
        n.id = p.id;
        n.zone_id = p.zone_id;
        n.arn = p.arn;
        n.name_servers = p.name_servers;
        n.primary_name_server = p.primary_name_server;
        *planned = n.to_value();
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let planned = &Zone::from_value(&planned)?;
        let name = planned.name.string().unwrap_or_default();
        let what = format!("Creating hosted zone {name}");
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let mut spec = NewZone {
            name: normalise(&name),
            comment: planned.comment.string(),
            vpcs: vpcs_of(planned, &meta.aws.region),
            delegation_set_id: planned.delegation_set_id.string(),
            caller_reference: String::new(),
        };
        // Fixed before the first attempt: every retry of this create sends the same reference.
        spec.caller_reference = spec.new_caller_reference();
        // A zone an earlier create of this same zone made, whose provider was killed before it
        // could answer (Terraform recorded nothing): take it over instead of making a second one.
        let adopted = r53
            .find_unclaimed_zone(&c, &spec)
            .await
            .map_err(|e| Failure::from(api_diag(&what, &e)))?;
        let (zone, change) = match adopted {
            Some(z) => {
                tracing::warn!(zone_id = %z.id, name = %z.name, "taking over the zone of an interrupted create");
                ctx.warn(Diagnostic::warning(
                    "Hosted zone of an interrupted apply taken over",
                    format!(
                        "Hosted zone {} ({}) was created by an earlier apply of this zone whose provider stopped \
                         before Terraform could record it; this resource now manages it instead of creating a second zone.",
                        z.id, z.name
                    ),
                ));
                (z, None)
            }
            None => r53
                .create_hosted_zone(&c, &spec)
                .await
                .map_err(|e| Failure::from(api_diag(&what, &e)))?,
        };
        tracing::info!(zone_id = %zone.id, name = %zone.name, "created hosted zone");
        // From here on the zone exists: any failure claims it and keeps it in state (tainted), so
        // it is neither orphaned nor ever taken over by another create.
        let partial = {
            let mut p = planned.clone();
            p.id = Field::Known(zone.id.clone());
            p.zone_id = Field::Known(zone.id.clone());
            p
        };
        let fail = |d: Diagnostics| async {
            // Stop has cancelled `c`; recording the claim must still happen before answering.
            let claim = Call::uncancellable(CLAIM_TIMEOUT);
            let mut d = d;
            if let Err(e) = r53.claim_zone(&claim, &zone.id).await {
                d.push(api_diag(
                    &format!("Tagging hosted zone {} as recorded in state", zone.id),
                    &e,
                ));
            }
            Failure::with_partial(d, zone_state(&zone, &Default::default(), &partial))
        };
        if let Err(e) = self.finish_zone(meta, &c, &zone, &spec, planned).await {
            return Err(fail(api_diag(&what, &e).into()).await);
        }
        if let Err(e) = r53.wait_change_insync(&c, change.as_ref()).await {
            return Err(fail(api_diag(&what, &e).into()).await);
        }
        if let Err(e) = r53.claim_zone(&c, &zone.id).await {
            return Err(fail(api_diag(&what, &e).into()).await);
        }
        match self.read_zone(meta, ctx, &zone.id, planned).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(Failure::from(Diagnostic::error(
                what,
                format!("zone {} vanished right after creation", zone.id),
            ))),
            Err(d) => Err(Failure::with_partial(
                d,
                zone_state(
                    &zone,
                    &planned.tags.known().cloned().unwrap_or_default(),
                    &partial,
                ),
            )),
        }
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = Zone::from_value(state)?;
        let id = m
            .zone_id
            .string()
            .or_else(|| m.id.string())
            .unwrap_or_default();
        self.read_zone(meta, ctx, &id, &m).await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let (prior, planned) = (&Zone::from_value(prior)?, &Zone::from_value(&planned)?);
        let id = prior.zone_id.string().unwrap_or_default();
        let what = format!("Updating hosted zone {id}");
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let fail = |e: r53_core::Error| Failure::from(api_diag(&what, &e));
        if prior.comment != planned.comment {
            r53.update_zone_comment(&c, &id, planned.comment.as_str())
                .await
                .map_err(fail)?;
        }
        if prior.tags != planned.tags {
            let have = r53.tags(&c, &id).await.map_err(fail)?;
            let want = planned.tags.known().cloned().unwrap_or_default();
            r53.set_tags(&c, &id, &have, &want).await.map_err(fail)?;
        }
        let (old, new) = (
            vpcs_of(prior, &meta.aws.region),
            vpcs_of(planned, &meta.aws.region),
        );
        // Associate first so a private zone never has zero VPCs.
        for v in new.iter().filter(|v| !old.contains(v)) {
            r53.associate_vpc(&c, &id, v).await.map_err(fail)?;
        }
        // A switch to additive only narrows what the state shows: the VPCs that leave it are
        // no longer this resource's to disassociate.
        let adopting = additive(planned) && !additive(prior);
        for v in old.iter().filter(|v| !new.contains(v) && !adopting) {
            match r53.disassociate_vpc(&c, &id, v).await {
                Ok(()) => {}
                // Already disassociated (by someone else): what the plan wanted.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(fail(e)),
            }
        }
        match self.read_zone(meta, ctx, &id, planned).await? {
            Some(s) => Ok(s),
            None => Err(Failure::from(Diagnostic::error(
                what,
                "the zone was deleted outside Terraform during the update",
            ))),
        }
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let prior = Zone::from_value(prior)?;
        let id = prior.zone_id.string().unwrap_or_default();
        let what = format!("Deleting hosted zone {id}");
        let c = call(ctx, DELETE_TIMEOUT);
        let r53 = &meta.aws.route53;
        if prior.force_destroy.get().unwrap_or(false) {
            match r53.find_hosted_zone_by_id(&c, &id).await {
                Ok(z) => {
                    let n = r53
                        .empty_zone(&c, &z)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                    tracing::info!(zone_id = %id, deleted = n, "emptied zone for force_destroy");
                }
                Err(e) if e.is_not_found() => return Ok(Diagnostics::new()),
                Err(e) => return Err(api_diag(&what, &e).into()),
            }
        }
        match r53.delete_hosted_zone(&c, &id).await {
            Ok(Some(change)) => {
                // Waiting is best effort: the zone is already gone from the API's point of view.
                if let Err(e) = r53.wait_change_insync(&c, Some(&change)).await {
                    tracing::warn!("zone {id} deleted; waiting for INSYNC failed: {e}");
                }
                Ok(Diagnostics::new())
            }
            Ok(None) => Ok(Diagnostics::new()),
            Err(e) if e.code() == Some("HostedZoneNotEmpty") => Err(Diagnostic::error(
                what,
                format!(
                    "The zone still has record sets besides its SOA and NS, so Route 53 refused to delete it ({e}). \
                     Delete those records first, or set force_destroy = true to have them deleted with the zone."
                ),
            )
            .into()),
            Err(e) => Err(api_diag(&what, &e).into()),
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let id = r53_core::route53::strip_zone_id(id.trim());
        if id.is_empty() || id.contains('/') {
            return Err(Diagnostic::error(
                "Invalid import ID",
                format!("expected a hosted zone ID like Z0123456789ABC, got {id:?}"),
            )
            .into());
        }
        // force_destroy stays null (unset) so a configuration without it plans no change.
        match self.read_zone(meta, ctx, &id, &Zone::default()).await? {
            Some(s) => {
                // An imported zone is in a state now: no create may take it over any more.
                let c = call(ctx, READ_TIMEOUT);
                let r53 = &meta.aws.route53;
                let z = r53
                    .find_hosted_zone_by_id(&c, &id)
                    .await
                    .map_err(|e| api_diag("Importing hosted zone", &e))?;
                // Import blocks import at plan time: a zone already claimed gets no write.
                let claimed = r53
                    .is_claimed(&c, &id)
                    .await
                    .map_err(|e| api_diag("Importing hosted zone", &e))?;
                if !claimed
                    && z.caller_reference
                        .starts_with(r53_core::route53::CALLER_REF_PREFIX)
                {
                    r53.claim_zone(&c, &id).await.map_err(|e| {
                        api_diag("Tagging the imported hosted zone as recorded in state", &e)
                    })?;
                }
                Ok(s)
            }
            None => Err(Diagnostic::error(
                "Cannot import hosted zone",
                format!("no hosted zone with ID {id} exists"),
            )
            .into()),
        }
    }
}

r53_plugin::model! {
    /// The `config` of the `r53_hosted_zone` list resource.
    pub struct ZoneListConfig / ZoneListConfigAttrs {
        description: "Which hosted zones `terraform query` finds (all of the account's without a `config` block).";
        attributes {
            name_pattern: String [optional]
                "Only zones whose name matches this wildcard: `*` is any run of characters (dots too), `?` one character; case and a trailing dot do not matter.",
            private: bool [optional] "Only private zones (`true`) or only public ones (`false`).",
        }
    }
}

/// `list "r53_hosted_zone"`: the account's zones, each with the state an import gives.
pub(crate) struct HostedZoneList;

#[async_trait]
impl r53_plugin::ListResource<Meta> for HostedZoneList {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, ZoneListConfig::block())
    }

    async fn list(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        config: &Value,
        limit: usize,
    ) -> Result<Vec<r53_plugin::Listed>, Diagnostics> {
        let m = ZoneListConfig::from_nullable(config)?.unwrap_or_default();
        let c = call(ctx, READ_TIMEOUT);
        let zones = meta
            .aws
            .route53
            .list_hosted_zones(&c)
            .await
            .map_err(|e| api_diag("Listing hosted zones", &e))?;
        let mut out = Vec::new();
        for z in zones.iter().filter(|z| {
            m.name_pattern
                .as_str()
                .is_none_or(|p| r53_zone::name::matches_pattern(p, &z.name))
                && m.private.get().is_none_or(|p| p == z.private)
        }) {
            if out.len() >= limit {
                break;
            }
            // Read as an import reads it (without claiming: a query writes nothing).
            if let Some(state) = self_read(meta, ctx, &z.id).await? {
                out.push(r53_plugin::Listed {
                    display_name: format!("{} ({})", z.name, z.id),
                    state,
                });
            }
        }
        Ok(out)
    }
}

async fn self_read(meta: &Meta, ctx: &Ctx, id: &str) -> Result<Option<Value>, Diagnostics> {
    HostedZoneResource
        .read_zone(meta, ctx, id, &Zone::default())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(j: serde_json::Value) -> Value {
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    #[test]
    fn invalid_name_is_reported_at_name() {
        let d = HostedZoneResource.validate(&cfg(serde_json::json!({"name": "bad..example.com"})));
        assert!(d.has_errors());
        assert_eq!(d.0[0].path, Some(at("name")));
    }

    #[test]
    fn name_case_and_dot_changes_do_not_replace() {
        let prior = cfg(serde_json::json!({"name": "example.com", "vpc": []}));
        let planned = cfg(serde_json::json!({"name": "Example.COM.", "vpc": []}));
        assert!(HostedZoneResource
            .replace_paths(&schema(), &prior, &planned)
            .is_empty());
        let other = cfg(serde_json::json!({"name": "example.org", "vpc": []}));
        assert_eq!(
            HostedZoneResource.replace_paths(&schema(), &prior, &other),
            vec![at("name")]
        );
        let private = cfg(serde_json::json!({"name": "example.com", "vpc": [{"vpc_id": "vpc-1"}]}));
        assert_eq!(
            HostedZoneResource.replace_paths(&schema(), &prior, &private),
            vec![at("vpc")]
        );
    }

    #[test]
    fn private_zone_with_delegation_set_is_refused() {
        let d = HostedZoneResource
            .validate(&cfg(serde_json::json!({"name": "example.com", "delegation_set_id": "N1", "vpc": [{"vpc_id": "vpc-1"}]})));
        assert_eq!(d.0[0].path, Some(at("delegation_set_id")));
    }

    #[test]
    fn vpc_associations_is_exclusive_or_additive_and_additive_needs_a_vpc() {
        let v = |j| HostedZoneResource.validate(&cfg(j));
        assert!(v(serde_json::json!({"name": "example.com", "vpc_associations": "additive", "vpc": [{"vpc_id": "vpc-1"}]})).is_empty());
        assert!(v(
            serde_json::json!({"name": "example.com", "vpc_associations": "exclusive", "vpc": []})
        )
        .is_empty());
        let d = v(
            serde_json::json!({"name": "example.com", "vpc_associations": "additive", "vpc": []}),
        );
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, Some(at("vpc_associations")));
        assert!(
            d.0[0].summary.contains("need a vpc block"),
            "{}",
            d.0[0].summary
        );
        let d = v(
            serde_json::json!({"name": "example.com", "vpc_associations": "Additive", "vpc": [{"vpc_id": "vpc-1"}]}),
        );
        assert_eq!(d.0[0].summary, "Invalid vpc_associations");
        let desc = schema()
            .block
            .attributes
            .iter()
            .find(|a| a.name == "vpc_associations")
            .unwrap()
            .description
            .clone();
        assert!(
            desc.contains("exclusive")
                && desc.contains("additive")
                && desc.contains("r53_zone_association")
        );
    }
}
