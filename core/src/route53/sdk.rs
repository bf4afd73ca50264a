//! Route 53's SDK zone, record-set and change-batch types to and from the zone model's. Private
//! to `route53`: callers of core see only the model.

use super::*;

pub(super) fn zone_from_sdk(hz: &t::HostedZone) -> HostedZone {
    HostedZone {
        id: strip_zone_id(hz.id()),
        name: normalise(hz.name()),
        comment: hz
            .config()
            .and_then(|c| c.comment())
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        private: hz.config().map(|c| c.private_zone()).unwrap_or(false),
        caller_reference: hz.caller_reference().to_string(),
        record_count: hz.resource_record_set_count().unwrap_or(0),
        name_servers: Vec::new(),
        delegation_set_id: None,
        vpcs: Vec::new(),
    }
}

/// SDK record set → zone model. Types the model does not know are skipped (None).
pub(super) fn record_from_sdk(r: &t::ResourceRecordSet) -> Option<RecordSet> {
    let ty: RecordType = r.r#type().as_str().parse().ok()?;
    let routing = if let Some(w) = r.weight() {
        Some(Routing::Weighted(w))
    } else if let Some(reg) = r.region() {
        Some(Routing::Latency(reg.as_str().to_string()))
    } else if let Some(f) = r.failover() {
        Some(Routing::Failover(if f.as_str() == "PRIMARY" {
            Failover::Primary
        } else {
            Failover::Secondary
        }))
    } else if let Some(g) = r.geo_location() {
        Some(Routing::Geolocation(GeoLocation {
            continent: g.continent_code().map(str::to_string),
            country: g.country_code().map(str::to_string),
            subdivision: g.subdivision_code().map(str::to_string),
        }))
    } else if r.multi_value_answer() == Some(true) {
        Some(Routing::MultiValue)
    } else if let Some(c) = r.cidr_routing_config() {
        Some(Routing::Cidr {
            collection_id: c.collection_id().to_string(),
            location_name: c.location_name().to_string(),
        })
    } else {
        r.geo_proximity_location().map(|g| {
            Routing::GeoProximity(GeoProximity {
                aws_region: g.aws_region().map(str::to_string),
                local_zone_group: g.local_zone_group().map(str::to_string),
                coordinates: g
                    .coordinates()
                    .map(|c| (c.latitude().to_string(), c.longitude().to_string())),
                bias: g.bias(),
            })
        })
    };
    Some(RecordSet {
        name: normalise(r.name()),
        ty,
        ttl: r.ttl(),
        values: r
            .resource_records()
            .iter()
            .map(|v| v.value().to_string())
            .collect(),
        alias: r.alias_target().map(|a| Alias {
            name: normalise(a.dns_name()),
            zone_id: strip_zone_id(a.hosted_zone_id()),
            evaluate_target_health: a.evaluate_target_health(),
        }),
        set_identifier: r.set_identifier().map(str::to_string),
        routing,
        health_check_id: r.health_check_id().map(str::to_string),
    })
}

/// Zone model → SDK record set (values in Route 53's wire form).
pub(super) fn record_to_sdk(r: &RecordSet) -> Result<t::ResourceRecordSet> {
    let mut b = t::ResourceRecordSet::builder()
        .name(format!("{}.", r.name))
        .r#type(t::RrType::from(r.ty.as_str()))
        .set_ttl(r.ttl)
        .set_set_identifier(r.set_identifier.clone())
        .set_health_check_id(r.health_check_id.clone());
    if let Some(a) = &r.alias {
        b = b.alias_target(
            t::AliasTarget::builder()
                .dns_name(format!("{}.", a.name))
                .hosted_zone_id(&a.zone_id)
                .evaluate_target_health(a.evaluate_target_health)
                .build()
                .map_err(|e| Error::Invalid(e.to_string()))?,
        );
    } else {
        for v in r.wire_values() {
            b = b.resource_records(
                t::ResourceRecord::builder()
                    .value(v)
                    .build()
                    .map_err(|e| Error::Invalid(e.to_string()))?,
            );
        }
    }
    b = match &r.routing {
        None => b,
        Some(Routing::Weighted(w)) => b.weight(*w),
        Some(Routing::Latency(reg)) => b.region(t::ResourceRecordSetRegion::from(reg.as_str())),
        Some(Routing::Failover(f)) => b.failover(match f {
            Failover::Primary => t::ResourceRecordSetFailover::Primary,
            Failover::Secondary => t::ResourceRecordSetFailover::Secondary,
        }),
        Some(Routing::Geolocation(g)) => b.geo_location(
            t::GeoLocation::builder()
                .set_continent_code(g.continent.clone())
                .set_country_code(g.country.clone())
                .set_subdivision_code(g.subdivision.clone())
                .build(),
        ),
        Some(Routing::MultiValue) => b.multi_value_answer(true),
        Some(Routing::Cidr {
            collection_id,
            location_name,
        }) => b.cidr_routing_config(
            t::CidrRoutingConfig::builder()
                .collection_id(collection_id)
                .location_name(location_name)
                .build()
                .map_err(|e| Error::Invalid(e.to_string()))?,
        ),
        Some(Routing::GeoProximity(g)) => {
            let coordinates = match &g.coordinates {
                Some((lat, lon)) => Some(
                    t::Coordinates::builder()
                        .latitude(lat)
                        .longitude(lon)
                        .build()
                        .map_err(|e| Error::Invalid(e.to_string()))?,
                ),
                None => None,
            };
            b.geo_proximity_location(
                t::GeoProximityLocation::builder()
                    .set_aws_region(g.aws_region.clone())
                    .set_local_zone_group(g.local_zone_group.clone())
                    .set_coordinates(coordinates)
                    .set_bias(g.bias)
                    .build(),
            )
        }
    };
    b.build().map_err(|e| Error::Invalid(e.to_string()))
}

pub(super) fn to_change_batch(changes: &[Change], comment: &str) -> Result<t::ChangeBatch> {
    let mut cb = t::ChangeBatch::builder().comment(comment);
    for c in changes {
        let (action, r) = match c {
            Change::Create(r) => (t::ChangeAction::Create, r),
            Change::Upsert(r) => (t::ChangeAction::Upsert, r),
            Change::Delete(r) => (t::ChangeAction::Delete, r),
        };
        cb = cb.changes(
            t::Change::builder()
                .action(action)
                .resource_record_set(record_to_sdk(r)?)
                .build()
                .map_err(|e| Error::Invalid(e.to_string()))?,
        );
    }
    cb.build().map_err(|e| Error::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_round_trip_keeps_routing_and_txt() {
        let r = RecordSet {
            name: "_x.example.com".into(),
            ty: RecordType::Txt,
            ttl: Some(60),
            values: vec!["a".repeat(300)],
            alias: None,
            set_identifier: Some("blue".into()),
            routing: Some(Routing::Weighted(10)),
            health_check_id: None,
        };
        let sdk = record_to_sdk(&r).unwrap();
        assert_eq!(sdk.name(), "_x.example.com.");
        assert!(sdk.resource_records()[0].value().starts_with('"'));
        let back = record_from_sdk(&sdk).unwrap();
        assert!(same_record(&back, &r));
        assert_eq!(back.routing, Some(Routing::Weighted(10)));
    }

    /// IP-based (CIDR) and geoproximity routing were dropped when a record set was read and
    /// copied (or deleted, which needs the exact set).
    #[test]
    fn sdk_round_trip_keeps_cidr_and_geoproximity_routing() {
        let mk = |routing: Routing| RecordSet {
            name: "www.example.com".into(),
            ty: RecordType::A,
            ttl: Some(60),
            values: vec!["192.0.2.1".into()],
            alias: None,
            set_identifier: Some("s".into()),
            routing: Some(routing),
            health_check_id: None,
        };
        for routing in [
            Routing::Cidr {
                collection_id: "c8c02a84-aaaa-bbbb-cccc-0123456789ab".into(),
                location_name: "office".into(),
            },
            Routing::GeoProximity(GeoProximity {
                aws_region: Some("eu-west-1".into()),
                bias: Some(-20),
                ..Default::default()
            }),
            Routing::GeoProximity(GeoProximity {
                coordinates: Some(("49.22".into(), "-74.01".into())),
                ..Default::default()
            }),
            Routing::GeoProximity(GeoProximity {
                local_zone_group: Some("us-east-1-bue-1".into()),
                bias: Some(5),
                ..Default::default()
            }),
        ] {
            let r = mk(routing.clone());
            let sdk = record_to_sdk(&r).unwrap();
            let back = record_from_sdk(&sdk).unwrap();
            assert_eq!(back.routing, Some(routing), "{sdk:?}");
            assert!(same_record(&back, &r));
        }
    }
}
