//! `r53_hosted_zone`: a public or private hosted zone.

use async_trait::async_trait;
use r53_core::{Call, HostedZone, NewZone, Vpc};
use r53_plugin::framework::Failure;
use r53_plugin::schema::{Attribute, Block, Nesting, Schema};
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Resource, Type, Value};
use r53_zone::name::{normalise, Name};

use crate::common::*;
use crate::meta::Meta;

pub struct HostedZoneResource;

pub const TYPE_NAME: &str = "r53_hosted_zone";

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "A Route 53 hosted zone: the records of a domain, served by four Route 53 name servers. \
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
             replaced by the next apply; if it should stay, `terraform untaint` it.",
        )
        .attr(Attribute::new("id", Type::String, "The hosted zone ID (same as `zone_id`).").computed())
        .attr(
            Attribute::new("name", Type::String, "The domain name of the zone, e.g. `example.com` (case and a trailing dot do not matter).")
                .required()
                .force_new(),
        )
        .attr(Attribute::new("comment", Type::String, "A comment for the zone.").optional())
        .attr(Attribute::new("tags", Type::map(Type::String), "Tags for the zone (at most 49: the provider keeps the tag `r53:claimed` on every zone it creates, not shown here).").optional())
        .attr(
            Attribute::new(
                "delegation_set_id",
                Type::String,
                "ID of a reusable delegation set whose four name servers the zone should use. Public zones only.",
            )
            .optional_computed()
            .force_new(),
        )
        .attr(
            Attribute::new(
                "force_destroy",
                Type::Bool,
                "Delete every record set (except the apex SOA and NS) when destroying the zone. Without it, destroying a zone \
                 that still has records fails, which protects production data. Default `false`.",
            )
            .optional(),
        )
        .attr(Attribute::new("zone_id", Type::String, "The hosted zone ID, e.g. `Z0123456789ABCDEFGHIJ`.").computed())
        .attr(Attribute::new("arn", Type::String, "The zone's ARN.").computed())
        .attr(
            Attribute::new("name_servers", Type::list(Type::String), "The four Route 53 name servers of the zone, to delegate the domain to.")
                .computed(),
        )
        .attr(Attribute::new("primary_name_server", Type::String, "The name server named in the zone's SOA record.").computed())
        .block(
            "vpc",
            Nesting::Set,
            0,
            0,
            Block::new("A VPC the private zone is associated with. Switching between public and private replaces the zone.")
                .attr(Attribute::new("vpc_id", Type::String, "The VPC ID.").required())
                .attr(Attribute::new("vpc_region", Type::String, "The VPC's region. Defaults to the provider's region.").optional_computed()),
        ),
    )
}

fn vpcs_of(v: &Value, default_region: &str) -> Vec<Vpc> {
    v.get("vpc")
        .elements()
        .iter()
        .map(|b| Vpc {
            id: opt_str(b, "vpc_id").unwrap_or_default(),
            region: opt_str(b, "vpc_region").unwrap_or_else(|| default_region.to_string()),
        })
        .collect()
}

/// Builds the state from what AWS says, keeping the user's spelling of `name` when equivalent.
fn zone_state(
    z: &HostedZone,
    tags: &std::collections::BTreeMap<String, String>,
    base: &Value,
) -> Value {
    let name = match base.get("name").as_str() {
        Some(n) if normalise(n) == z.name => n.to_string(),
        _ => z.name.clone(),
    };
    let tags_v = if tags.is_empty() && base.get("tags").is_null() {
        Value::Null
    } else {
        map_value(tags)
    };
    let vpcs = Value::Set(
        z.vpcs
            .iter()
            .map(|v| {
                let mut o = Value::Object(Default::default());
                o.set("vpc_id", Value::string(&v.id));
                o.set("vpc_region", Value::string(&v.region));
                o
            })
            .collect(),
    );
    let mut s = Value::Object(Default::default());
    s.set("id", Value::string(&z.id));
    s.set("zone_id", Value::string(&z.id));
    s.set("name", Value::string(name));
    s.set("comment", Value::opt_string(z.comment.clone()));
    s.set("tags", tags_v);
    s.set(
        "delegation_set_id",
        Value::opt_string(z.delegation_set_id.clone()),
    );
    s.set("force_destroy", base.get("force_destroy").clone());
    s.set(
        "arn",
        Value::string(format!("arn:aws:route53:::hostedzone/{}", z.id)),
    );
    s.set("name_servers", list_value(z.name_servers.clone()));
    s.set(
        "primary_name_server",
        Value::opt_string(z.name_servers.first().cloned()),
    );
    s.set("vpc", vpcs);
    s
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
        planned: &Value,
    ) -> Result<(), r53_core::Error> {
        let r53 = &meta.aws.route53;
        for v in spec.vpcs.iter().filter(|v| !zone.vpcs.contains(v)) {
            r53.associate_vpc(c, &zone.id, v).await?;
        }
        if zone.comment != spec.comment {
            r53.update_zone_comment(c, &zone.id, spec.comment.as_deref())
                .await?;
        }
        let want_tags = str_map(planned, "tags");
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
        base: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        let z = match meta.aws.route53.find_hosted_zone_by_id(&c, id).await {
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
        Ok(Some(zone_state(&z, &tags, base)))
    }
}

#[async_trait]
impl Resource<Meta> for HostedZoneResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Some(n) = config.get("name").as_str() {
            if let Err(e) = Name::parse(n) {
                d.error_at(at("name"), "Invalid zone name", e.to_string());
            } else if !normalise(n).contains('.') {
                d.push(
                    Diagnostic::warning(
                        "Zone for a top-level name",
                        format!("{n:?} has a single label; is that intended?"),
                    )
                    .at(at("name")),
                );
            }
        }
        if let Value::Map(tags) = config.get("tags") {
            // Route 53 allows 50; the provider's claim tag takes one.
            if tags.len() > 49 {
                d.error_at(
                    at("tags"),
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
                    at("tags"),
                    "Reserved tag key",
                    format!(
                        "The tag key {:?} is the provider's own record that a zone is in some Terraform state; choose another key.",
                        r53_core::route53::CLAIM_TAG
                    ),
                );
            }
        }
        let vpcs = config.get("vpc").elements();
        if !vpcs.is_empty() && !config.get("delegation_set_id").is_null() {
            d.error_at(
                at("delegation_set_id"),
                "Private zones have no delegation set",
                "Remove `delegation_set_id` or the `vpc` blocks.",
            );
        }
        d
    }

    fn replace_paths(&self, _schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        let mut out = Vec::new();
        if let (Some(a), Some(b)) = (prior.get("name").as_str(), planned.get("name").as_str()) {
            if normalise(a) != normalise(b) {
                out.push(at("name"));
            }
        } else if prior.get("name") != planned.get("name") {
            out.push(at("name"));
        }
        let (dp, dn) = (
            prior.get("delegation_set_id"),
            planned.get("delegation_set_id"),
        );
        if !dn.is_null() && dp != dn {
            out.push(at("delegation_set_id"));
        }
        if prior.get("vpc").elements().is_empty() != planned.get("vpc").elements().is_empty() {
            out.push(at("vpc"));
        }
        out
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, _d: &mut Diagnostics) {
        if prior.is_null() {
            return;
        }
        // Computed attributes that cannot change in place keep their values.
        for k in [
            "id",
            "zone_id",
            "arn",
            "name_servers",
            "primary_name_server",
        ] {
            planned.set(k, prior.get(k).clone());
        }
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let planned = &planned;
        let name = opt_str(planned, "name").unwrap_or_default();
        let what = format!("Creating hosted zone {name}");
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let mut spec = NewZone {
            name: normalise(&name),
            comment: opt_str(planned, "comment"),
            vpcs: vpcs_of(planned, &meta.aws.region),
            delegation_set_id: opt_str(planned, "delegation_set_id"),
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
            p.set("id", Value::string(&zone.id));
            p.set("zone_id", Value::string(&zone.id));
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
                zone_state(&zone, &str_map(planned, "tags"), &partial),
            )),
        }
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let id = opt_str(state, "zone_id")
            .or_else(|| opt_str(state, "id"))
            .unwrap_or_default();
        self.read_zone(meta, ctx, &id, state).await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let planned = &planned;
        let id = opt_str(prior, "zone_id").unwrap_or_default();
        let what = format!("Updating hosted zone {id}");
        let c = call(ctx, CREATE_TIMEOUT);
        let r53 = &meta.aws.route53;
        let fail = |e: r53_core::Error| Failure::from(api_diag(&what, &e));
        if prior.get("comment") != planned.get("comment") {
            r53.update_zone_comment(&c, &id, planned.get("comment").as_str())
                .await
                .map_err(fail)?;
        }
        if prior.get("tags") != planned.get("tags") {
            let have = r53.tags(&c, &id).await.map_err(fail)?;
            r53.set_tags(&c, &id, &have, &str_map(planned, "tags"))
                .await
                .map_err(fail)?;
        }
        let (old, new) = (
            vpcs_of(prior, &meta.aws.region),
            vpcs_of(planned, &meta.aws.region),
        );
        // Associate first so a private zone never has zero VPCs.
        for v in new.iter().filter(|v| !old.contains(v)) {
            r53.associate_vpc(&c, &id, v).await.map_err(fail)?;
        }
        for v in old.iter().filter(|v| !new.contains(v)) {
            r53.disassociate_vpc(&c, &id, v).await.map_err(fail)?;
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
        let id = opt_str(prior, "zone_id").unwrap_or_default();
        let what = format!("Deleting hosted zone {id}");
        let c = call(ctx, DELETE_TIMEOUT);
        let r53 = &meta.aws.route53;
        if bool_or(prior, "force_destroy", false) {
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
        match self.read_zone(meta, ctx, &id, &Value::Null).await? {
            Some(s) => {
                // An imported zone is in a state now: no create may take it over any more.
                let c = call(ctx, READ_TIMEOUT);
                let r53 = &meta.aws.route53;
                let z = r53
                    .find_hosted_zone_by_id(&c, &id)
                    .await
                    .map_err(|e| api_diag("Importing hosted zone", &e))?;
                if z.caller_reference
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
}
