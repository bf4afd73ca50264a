//! Data source `r53_hosted_zones`: the hosted zones that match filters (name wildcard, public or
//! private, a VPC's associations, tags).

use std::collections::BTreeMap;

use async_trait::async_trait;

use r53_core::HostedZone;
use r53_plugin::schema::Schema;
use r53_plugin::{Ctx, DataSource, Diagnostics, Field, Value};
use r53_zone::name::{matches_pattern, normalise};

use crate::common::*;
use crate::meta::Meta;

pub(crate) const TYPE_NAME: &str = "r53_hosted_zones";

pub(crate) struct HostedZonesData;

r53_plugin::model! {
    /// One zone in the data source's result.
    pub struct ZoneSummary / ZoneSummaryAttrs {
        description: "A matching hosted zone.";
        attributes {
            zone_id: String [computed] "The zone's ID.",
            name: String [computed] "The zone's name (lower case, no trailing dot).",
            private_zone: bool [computed] "Whether it is a private zone.",
            comment: String [computed] "The zone's comment.",
            record_count: i64 [computed] "How many record sets it holds.",
        }
    }
}

r53_plugin::model! {
    /// The configuration and result of the `r53_hosted_zones` data source.
    pub struct ZonesQuery / ZonesQueryAttrs {
        description: "Lists the hosted zones that match every filter given (none: all the account's zones), sorted by name, then ID. \
             For `for_each` over an account's zones, or to find the private zones a VPC resolves.";
        attributes {
            id: String [computed] "A fixed ID (`hosted-zones`); the filters identify the lookup.",
            name_pattern: String [optional]
                "Only zones whose name matches this wildcard: `*` is any run of characters (dots too), `?` one character; case and a trailing dot do not matter. E.g. `*.example.com`.",
            private_zone: bool [optional] "Only private zones (`true`) or only public ones (`false`). Default: both.",
            vpc_id: String [optional] "Only the private zones this VPC is associated with, including other accounts' zones it was authorized for.",
            vpc_region: String [optional] "The region of `vpc_id`. Defaults to the provider's region.",
            tags: BTreeMap<String, String> [optional] "Only zones that carry every one of these tags with these values.",
            ids: Vec<String> [computed] "The matching zones' IDs.",
            names: Vec<String> [computed] "The matching zones' names, in the order of `ids`.",
            zones: Vec<ZoneSummary> [computed] "The matching zones, in the order of `ids`.",
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, ZonesQuery::block())
}

#[async_trait]
impl DataSource<Meta> for HostedZonesData {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let m = match ZonesQuery::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = ZonesQuery::ATTR;
        let mut d = Diagnostics::new();
        if m.vpc_id.is_null() && !m.vpc_region.is_null() {
            d.error_at(
                at(a.vpc_region),
                "vpc_region without vpc_id",
                "vpc_region only says where vpc_id is; set vpc_id too, or remove vpc_region.",
            );
        }
        if !m.vpc_id.is_null() && m.private_zone.get() == Some(false) {
            d.error_at(
                at(a.private_zone),
                "No public zone is associated with a VPC",
                "With vpc_id every match is a private zone: private_zone = false would match nothing. Remove one of them.",
            );
        }
        d
    }

    async fn read(&self, meta: &Meta, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics> {
        let m = ZonesQuery::from_value(config)?;
        let c = call(ctx, READ_TIMEOUT);
        let r53 = &meta.aws.route53;
        let fail = |what: &str, e: r53_core::Error| Diagnostics::from(api_diag(what, &e));
        let mut zones: Vec<HostedZone> = match m.vpc_id.string() {
            Some(vpc) => {
                let v = r53_core::Vpc {
                    id: vpc,
                    region: m
                        .vpc_region
                        .string()
                        .unwrap_or_else(|| meta.aws.region.clone()),
                };
                let listed = r53
                    .list_hosted_zones_by_vpc(&c, &v)
                    .await
                    .map_err(|e| fail(&format!("Listing the hosted zones of VPC {}", v.id), e))?;
                let mut out = Vec::with_capacity(listed.len());
                for z in listed
                    .into_iter()
                    .filter(|z| matches_name(&m, &z.zone_name))
                {
                    // Details of the zone; another account's zone is known only by its summary.
                    match r53.find_hosted_zone_by_id(&c, &z.zone_id).await {
                        Ok(hz) => out.push(hz),
                        Err(e) if z.owning_account.is_some() && m.tags.is_null() => {
                            tracing::debug!("zone {} of another account: {e}", z.zone_id);
                            out.push(HostedZone {
                                id: z.zone_id,
                                name: normalise(&z.zone_name),
                                comment: None,
                                private: true,
                                caller_reference: String::new(),
                                record_count: 0,
                                name_servers: Vec::new(),
                                delegation_set_id: None,
                                vpcs: Vec::new(),
                            })
                        }
                        Err(e) => {
                            return Err(fail(&format!("Reading hosted zone {}", z.zone_id), e))
                        }
                    }
                }
                out
            }
            None => r53
                .list_hosted_zones(&c)
                .await
                .map_err(|e| fail("Listing hosted zones", e))?,
        };
        zones.retain(|z| {
            matches_name(&m, &z.name) && m.private_zone.get().is_none_or(|p| p == z.private)
        });
        if let Some(want) = m.tags.known().filter(|t| !t.is_empty()) {
            let mut kept = Vec::with_capacity(zones.len());
            for z in zones {
                let have = r53
                    .tags(&c, &z.id)
                    .await
                    .map_err(|e| fail(&format!("Reading the tags of hosted zone {}", z.id), e))?;
                if want.iter().all(|(k, v)| have.get(k) == Some(v)) {
                    kept.push(z);
                }
            }
            zones = kept;
        }
        zones.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        Ok(ZonesQuery {
            id: Field::Known("hosted-zones".into()),
            ids: Field::Known(zones.iter().map(|z| z.id.clone()).collect()),
            names: Field::Known(zones.iter().map(|z| z.name.clone()).collect()),
            zones: Field::Known(
                zones
                    .into_iter()
                    .map(|z| ZoneSummary {
                        zone_id: Field::Known(z.id),
                        name: Field::Known(z.name),
                        private_zone: Field::Known(z.private),
                        comment: z.comment.into(),
                        record_count: Field::Known(z.record_count),
                    })
                    .collect(),
            ),
            ..m
        }
        .to_value())
    }
}

fn matches_name(m: &ZonesQuery, name: &str) -> bool {
    m.name_pattern
        .as_str()
        .is_none_or(|p| matches_pattern(p, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use r53_plugin::DataSource;

    fn cfg(j: serde_json::Value) -> Value {
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    #[test]
    fn conflicting_filters_are_refused_at_their_attribute() {
        let d = HostedZonesData.validate(&cfg(serde_json::json!({"vpc_region": "eu-west-1"})));
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path, Some(at("vpc_region")));
        let d = HostedZonesData.validate(&cfg(
            serde_json::json!({"vpc_id": "vpc-1", "private_zone": false}),
        ));
        assert_eq!(d.0[0].path, Some(at("private_zone")));
        assert!(HostedZonesData
            .validate(&cfg(
                serde_json::json!({"vpc_id": "vpc-1", "private_zone": true, "name_pattern": "*.x"})
            ))
            .is_empty());
    }
}
