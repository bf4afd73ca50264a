//! Data source `r53_hosted_zone`: look a zone up by ID or by name.

use async_trait::async_trait;
use r53_plugin::schema::{Attribute, Block, Schema};
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Type, Value};
use r53_zone::name::{normalise, Name};

use crate::common::*;
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub const TYPE_NAME: &str = "r53_hosted_zone";

pub struct HostedZoneData;

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new("Looks up a hosted zone by `zone_id`, or by `name` (with `private_zone` to choose between a public and a private zone of the same name).")
            .attr(Attribute::new("id", Type::String, "The hosted zone ID.").computed())
            .attr(Attribute::new("zone_id", Type::String, "The hosted zone ID to look up.").optional_computed())
            .attr(Attribute::new("name", Type::String, "The zone's domain name to look up.").optional_computed())
            .attr(Attribute::new("private_zone", Type::Bool, "With `name`: look for a private zone (default `false`: public).").optional_computed())
            .attr(Attribute::new("comment", Type::String, "The zone's comment.").computed())
            .attr(Attribute::new("arn", Type::String, "The zone's ARN.").computed())
            .attr(Attribute::new("name_servers", Type::list(Type::String), "The zone's name servers.").computed())
            .attr(Attribute::new("primary_name_server", Type::String, "The name server in the zone's SOA record.").computed())
            .attr(Attribute::new("record_count", Type::Number, "Number of record sets in the zone.").computed())
            .attr(Attribute::new("tags", Type::map(Type::String), "The zone's tags.").computed()),
    )
}

#[async_trait]
impl DataSource<Meta> for HostedZoneData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let (id, name) = (config.get("zone_id"), config.get("name"));
        if id.is_null() && name.is_null() {
            d.error("Missing lookup key", "Set either zone_id or name.");
        } else if !id.is_null() && !name.is_null() {
            d.error_at(
                at("name"),
                "Conflicting lookup keys",
                "Set either zone_id or name, not both.",
            );
        }
        if let Some(n) = name.as_str() {
            if let Err(e) = Name::parse(n) {
                d.error_at(at("name"), "Invalid zone name", e.to_string());
            }
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        let r53 = &meta.aws.route53;
        let err = |e: r53_core::Error| Diagnostics::from(api_diag("Looking up hosted zone", &e));
        let id = match (opt_str(config, "zone_id"), opt_str(config, "name")) {
            (Some(id), _) => id,
            (None, Some(name)) => {
                let private = bool_or(config, "private_zone", false);
                let zones: Vec<_> = r53
                    .find_hosted_zones_by_name(&c, &name)
                    .await
                    .map_err(err)?
                    .into_iter()
                    .filter(|z| z.private == private)
                    .collect();
                match zones.as_slice() {
                    [z] => z.id.clone(),
                    [] => {
                        return Err(Diagnostic::error(
                            "Hosted zone not found",
                            format!(
                                "no {} hosted zone named {}",
                                if private { "private" } else { "public" },
                                normalise(&name)
                            ),
                        )
                        .at(at("name"))
                        .into())
                    }
                    many => {
                        return Err(Diagnostic::error(
                            "Several hosted zones match",
                            format!(
                                "{} zones are named {}: {}. Look it up by zone_id instead.",
                                many.len(),
                                normalise(&name),
                                many.iter()
                                    .map(|z| z.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                        .at(at("name"))
                        .into())
                    }
                }
            }
            (None, None) => {
                return Err(
                    Diagnostic::error("Missing lookup key", "Set either zone_id or name.").into(),
                )
            }
        };
        let z = r53.find_hosted_zone_by_id(&c, &id).await.map_err(err)?;
        let tags = r53.tags(&c, &z.id).await.map_err(err)?;
        let mut s = Value::Object(Default::default());
        s.set("id", Value::string(&z.id));
        s.set("zone_id", Value::string(&z.id));
        s.set(
            "name",
            Value::string(match config.get("name").as_str() {
                Some(n) if normalise(n) == z.name => n.to_string(),
                _ => z.name.clone(),
            }),
        );
        s.set("private_zone", Value::Bool(z.private));
        s.set("comment", Value::opt_string(z.comment.clone()));
        s.set(
            "arn",
            Value::string(format!("arn:aws:route53:::hostedzone/{}", z.id)),
        );
        s.set("name_servers", list_value(z.name_servers.clone()));
        s.set(
            "primary_name_server",
            Value::opt_string(z.name_servers.first().cloned()),
        );
        s.set(
            "record_count",
            Value::Number(r53_plugin::Number::Int(z.record_count)),
        );
        s.set("tags", map_value(&tags));
        Ok(s)
    }
}
