//! Data source `r53_hosted_zone`: look a zone up by ID or by name.

use async_trait::async_trait;
use std::collections::BTreeMap;

use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostic, Diagnostics, Field, Value};
use r53_zone::name::{normalise, Name};

use crate::common::*;
use crate::meta::Meta;

/// The data source's name in configurations (and in its docs page).
pub(crate) const TYPE_NAME: &str = "r53_hosted_zone";

pub(crate) struct HostedZoneData;

r53_plugin::model! {
    /// The configuration and result of the `r53_hosted_zone` data source.
    pub struct ZoneData / ZoneDataAttrs {
        description: "Looks up a hosted zone by `zone_id`, or by `name` (with `private_zone` to choose between a public and a private zone of the same name).";
        attributes {
            id: String [computed] "The hosted zone ID.",
            zone_id: String [optional_computed] "The hosted zone ID to look up.",
            name: String [optional_computed] "The zone's domain name to look up.",
            private_zone: bool [optional_computed] "With `name`: look for a private zone (default `false`: public).",
            comment: String [computed] "The zone's comment.",
            arn: String [computed] "The zone's ARN.",
            name_servers: Vec<String> [computed] "The zone's name servers.",
            primary_name_server: String [computed] "The name server in the zone's SOA record.",
            record_count: i64 [computed] "Number of record sets in the zone.",
            tags: BTreeMap<String, String> [computed] "The zone's tags.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, ZoneData::block())
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
        let m = match ZoneData::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let (id, name) = (&m.zone_id, &m.name);
        let name_at = || at(ZoneData::ATTR.name);
        if id.is_null() && name.is_null() {
            d.error("Missing lookup key", "Set either zone_id or name.");
        } else if !id.is_null() && !name.is_null() {
            d.error_at(
                name_at(),
                "Conflicting lookup keys",
                "Set either zone_id or name, not both.",
            );
        }
        if let Some(n) = name.as_str() {
            if let Err(e) = Name::parse(n) {
                d.error_at(name_at(), "Invalid zone name", e.to_string());
            }
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let m = ZoneData::from_value(config)?;
        let name_at = || at(ZoneData::ATTR.name);
        let c = call(ctx, READ_TIMEOUT);
        let r53 = &meta.aws.route53;
        let err = |e: r53_core::Error| Diagnostics::from(api_diag("Looking up hosted zone", &e));
        let id = match (m.zone_id.string(), m.name.string()) {
            (Some(id), _) => id,
            (None, Some(name)) => {
                let private = m.private_zone.get().unwrap_or(false);
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
                        .at(name_at())
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
                        .at(name_at())
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
        Ok(ZoneData {
            id: Field::Known(z.id.clone()),
            zone_id: Field::Known(z.id.clone()),
            name: Field::Known(match m.name.as_str() {
                Some(n) if normalise(n) == z.name => n.to_string(),
                _ => z.name.clone(),
            }),
            private_zone: Field::Known(z.private),
            comment: z.comment.clone().into(),
            arn: Field::Known(format!("arn:aws:route53:::hostedzone/{}", z.id)),
            primary_name_server: z.name_servers.first().cloned().into(),
            name_servers: Field::Known(z.name_servers),
            record_count: Field::Known(z.record_count),
            tags: Field::Known(tags),
        }
        .to_value())
    }
}
