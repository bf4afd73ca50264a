//! The record-set model shared by `r53_record` and the `record` blocks of `r53_records`: the
//! attributes (schema), the configuration → [`RecordSet`] conversion, its checks, and the state
//! written from what Route 53 holds.

use r53_plugin::schema::Schema;
use r53_plugin::{AttrPath, Diagnostics, Field, Set, Value};
use r53_zone::name::normalise;
use r53_zone::{
    decode_wire_value, values_equivalent, Alias, Failover, GeoLocation, GeoProximity, RecordSet,
    RecordType, Routing,
};

use crate::common::*;

r53_plugin::model! {
    /// An `alias` block.
    pub struct AliasBlock / AliasBlockAttrs {
        description: "Alias target (instead of `records` and `ttl`): a CloudFront distribution, load balancer, S3 website, API Gateway, or another record in a Route 53 zone.";
        attributes {
            name: String [required] "DNS name of the target, e.g. the load balancer's DNS name.",
            zone_id: String [required] "Hosted zone ID of the target (the load balancer's canonical zone, or a Route 53 zone ID).",
            evaluate_target_health: bool [optional_computed] "Answer only while the target is healthy. Default `false`.",
        }
    }
}

r53_plugin::model! {
    /// A `weighted_routing_policy` block.
    pub struct WeightedBlock / WeightedBlockAttrs {
        description: "Weighted routing.";
        attributes {
            weight: i64 [required] "Relative weight, 0 to 255.",
        }
    }
}

r53_plugin::model! {
    /// A `latency_routing_policy` block.
    pub struct LatencyBlock / LatencyBlockAttrs {
        description: "Latency-based routing.";
        attributes {
            region: String [required] "AWS region of the endpoint.",
        }
    }
}

r53_plugin::model! {
    /// A `failover_routing_policy` block.
    pub struct FailoverBlock / FailoverBlockAttrs {
        description: "Failover routing.";
        attributes {
            r#type: String [required] "`PRIMARY` or `SECONDARY`.",
        }
    }
}

r53_plugin::model! {
    /// A `geolocation_routing_policy` block.
    pub struct GeolocationBlock / GeolocationBlockAttrs {
        description: "Geolocation routing: a continent, or a country (optionally with a subdivision); country `*` is the default location.";
        attributes {
            continent: String [optional] "Two-letter continent code.",
            country: String [optional] "Two-letter country code, or `*`.",
            subdivision: String [optional] "Subdivision code (e.g. a US state).",
        }
    }
}

r53_plugin::model! {
    /// A `cidr_routing_policy` block.
    pub struct CidrRoutingBlock / CidrRoutingBlockAttrs {
        description: "IP-based routing: answer the clients whose address (or EDNS client subnet) is in a location of a CIDR \
             collection (`r53_cidr_collection`). All record sets of one name and type use the same collection; the one at \
             location `*` answers every other client.";
        attributes {
            collection_id: String [required] "ID of the CIDR collection.",
            location_name: String [required] "A location of the collection, or `*` for every client no location holds.",
        }
    }
}

r53_plugin::model! {
    /// The `coordinates` block of a `geoproximity_routing_policy` block.
    pub struct CoordinatesBlock / CoordinatesBlockAttrs {
        description: "Where the endpoint is, in degrees with at most two decimals.";
        attributes {
            latitude: String [required] "Latitude, -90 to 90, e.g. `\"49.22\"`.",
            longitude: String [required] "Longitude, -180 to 180, e.g. `\"-74.01\"`.",
        }
    }
}

r53_plugin::model! {
    /// A `geoproximity_routing_policy` block.
    pub struct GeoProximityBlock / GeoProximityBlockAttrs {
        description: "Geoproximity routing: answer the clients nearest this endpoint. Give exactly one of `aws_region`, \
             `local_zone_group` or `coordinates`.";
        attributes {
            aws_region: String [optional] "The AWS region the endpoint is in, e.g. `us-east-1`.",
            local_zone_group: String [optional] "The Local Zone group the endpoint is in, e.g. `us-west-2-den-1`.",
            bias: i64 [optional] "Grow (1 to 99) or shrink (-1 to -99) the area this endpoint answers. Unset: 0.",
        }
        blocks {
            coordinates: Vec<CoordinatesBlock> [0, 1],
        }
    }
}

r53_plugin::model! {
    /// The configuration and state of `r53_record` (and, without `id`, `zone_id`, `fqdn` and
    /// `allow_overwrite`, of a `record` block of `r53_records`).
    pub struct Record / RecordAttrs {
        description: "One Route 53 record set: all values of one name and type (and `set_identifier`, for routing policies). \
             Values are compared the way DNS compares them (case, trailing dots, order, TXT quoting), so plans stay empty; \
             TXT values longer than 255 characters are split into strings automatically.";
        attributes {
            id: String [computed] "`ZONE_ID/NAME/TYPE` or `ZONE_ID/NAME/TYPE/SET_IDENTIFIER`; also the import ID.",
            zone_id: String [required, force_new] "ID of the hosted zone the record set lives in.",
            name: String [required, force_new]
                "Fully qualified name, e.g. `www.example.com` (case and trailing dot do not matter; `*.example.com` for a wildcard). \
                 Imported record sets get the normalised form (lower case, no trailing dot): write names that way for an empty plan after import.",
            r#type: String [required] "Record type: A, AAAA, CAA, CNAME, DS, HTTPS, MX, NAPTR, NS, PTR, SOA, SPF, SRV, SSHFP, SVCB, TLSA or TXT. \
             Changing it is an update: the old set is deleted and the new one created in one change batch, so the name is answered throughout.",
            ttl: i64 [optional] "Time to live in seconds (0 to 2147483647). Required with `records`; not allowed with `alias`.",
            records: Set<String> [optional]
                "The values, in presentation format (`10 mail.example.com.` for MX). TXT values are written without quotes; \
                 a value that is already a list of quoted strings is sent as written.",
            set_identifier: String [optional] "Distinguishes record sets of the same name and type that use a routing policy. \
             Changing it, or the kind of routing policy, is done as one change batch (delete + create), like a change of `type`.",
            health_check_id: String [optional] "Health check whose status decides whether this record set is answered.",
            multivalue_answer_routing_policy: bool [optional] "Multivalue answer routing (needs `set_identifier`).",
            allow_overwrite: bool [optional]
                "On create, overwrite a record set that already exists (UPSERT) instead of failing. Default `false`, so an \
                 existing production record is never silently taken over; prefer `import`.",
            fqdn: String [computed] "The normalised fully qualified name.",
        }
        blocks {
            alias: Vec<AliasBlock> [0, 1],
            weighted_routing_policy: Vec<WeightedBlock> [0, 1],
            latency_routing_policy: Vec<LatencyBlock> [0, 1],
            failover_routing_policy: Vec<FailoverBlock> [0, 1],
            geolocation_routing_policy: Vec<GeolocationBlock> [0, 1],
            cidr_routing_policy: Vec<CidrRoutingBlock> [0, 1],
            geoproximity_routing_policy: Vec<GeoProximityBlock> [0, 1],
        }
    }
}

/// `r53_record`'s schema; `r53_records` reuses its attributes for each `record` block.
pub fn schema() -> Schema {
    Schema::new(0, Record::block())
}

/// A problem converting config to a record set, with the attribute it concerns.
type Problems = Vec<(AttrPath, String)>;

/// Config/state → zone model. Unknown parts become empty (rules about them are skipped).
pub(crate) fn to_record(v: &Value) -> Result<RecordSet, Problems> {
    let m = Record::from_value(v).map_err(|d| {
        d.0.into_iter()
            .map(|d| (d.path.unwrap_or_default(), d.detail))
            .collect::<Problems>()
    })?;
    record_of(&m)
}

/// The model's record set (see [`to_record`]).
pub(crate) fn record_of(m: &Record) -> Result<RecordSet, Problems> {
    let a = Record::ATTR;
    let mut problems = Vec::new();
    let ty = match m.r#type.as_str() {
        Some(t) => match t.parse::<RecordType>() {
            Ok(t) => Some(t),
            Err(e) => {
                problems.push((at(a.r#type), e));
                None
            }
        },
        None => None,
    };
    let alias = m.alias.items().first().map(|b| Alias {
        name: normalise(b.name.as_str().unwrap_or_default()),
        zone_id: r53_core::route53::strip_zone_id(b.zone_id.as_str().unwrap_or("unknown")),
        evaluate_target_health: b.evaluate_target_health.get().unwrap_or(false),
    });
    let mut routing = Vec::new();
    if let Some(b) = m.weighted_routing_policy.items().first() {
        routing.push(Routing::Weighted(b.weight.get().unwrap_or(0)));
    }
    if let Some(b) = m.latency_routing_policy.items().first() {
        routing.push(Routing::Latency(
            b.region.as_str().unwrap_or("unknown").to_string(),
        ));
    }
    if let Some(b) = m.failover_routing_policy.items().first() {
        match b.r#type.as_str().map(|s| s.to_ascii_uppercase()) {
            Some(t) if t == "PRIMARY" => routing.push(Routing::Failover(Failover::Primary)),
            Some(t) if t == "SECONDARY" => routing.push(Routing::Failover(Failover::Secondary)),
            Some(t) => {
                problems.push((
                    at(a.failover_routing_policy)
                        .index(0)
                        .then(FailoverBlock::ATTR.r#type),
                    format!("must be PRIMARY or SECONDARY, not {t:?}"),
                ));
                routing.push(Routing::Failover(Failover::Primary));
            }
            None => routing.push(Routing::Failover(Failover::Primary)),
        }
    }
    if let Some(b) = m.geolocation_routing_policy.items().first() {
        routing.push(Routing::Geolocation(GeoLocation {
            continent: b.continent.string(),
            country: b.country.string(),
            subdivision: b.subdivision.string(),
        }));
    }
    if m.multivalue_answer_routing_policy.get() == Some(true) {
        routing.push(Routing::MultiValue);
    }
    if let Some(b) = m.cidr_routing_policy.items().first() {
        routing.push(Routing::Cidr {
            collection_id: b.collection_id.string().unwrap_or_else(|| "unknown".into()),
            location_name: b.location_name.string().unwrap_or_else(|| "unknown".into()),
        });
    }
    if let Some(b) = m.geoproximity_routing_policy.items().first() {
        let bias = match b.bias.get() {
            Some(n) => match i32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push((
                        at(a.geoproximity_routing_policy)
                            .index(0)
                            .then(GeoProximityBlock::ATTR.bias),
                        format!("the bias must be from -99 to 99, not {n}"),
                    ));
                    None
                }
            },
            None => None,
        };
        let coordinates = b.coordinates.items().first().map(|c| {
            (
                c.latitude.string().unwrap_or_else(|| "0".into()),
                c.longitude.string().unwrap_or_else(|| "0".into()),
            )
        });
        if let Some((lat, lon)) = &coordinates {
            for (what, v, digits, limit) in
                [("latitude", lat, 2, 90.0), ("longitude", lon, 3, 180.0)]
            {
                let known = b.coordinates.items().first().is_some_and(|c| {
                    if what == "latitude" {
                        !c.latitude.is_unknown()
                    } else {
                        !c.longitude.is_unknown()
                    }
                });
                if known && !coordinate_ok(v, digits, limit) {
                    problems.push((
                        at(a.geoproximity_routing_policy)
                            .index(0)
                            .then(GeoProximityBlock::ATTR.coordinates)
                            .index(0)
                            .then(what),
                        format!("{v:?} is not a {what} Route 53 takes: -{limit} to {limit} degrees, at most two decimals"),
                    ));
                }
            }
        }
        routing.push(Routing::GeoProximity(GeoProximity {
            aws_region: b.aws_region.string(),
            local_zone_group: b.local_zone_group.string(),
            coordinates,
            bias,
        }));
    }
    if routing.len() > 1 {
        problems.push((
            at(routing[1].field()),
            "a record set can have only one routing policy".to_string(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(RecordSet {
        name: normalise(m.name.as_str().unwrap_or_default()),
        ty: ty.unwrap_or(RecordType::A),
        ttl: m.ttl.get(),
        values: m.records.items().to_vec(),
        alias,
        set_identifier: m.set_identifier.string(),
        routing: routing.into_iter().next(),
        health_check_id: m.health_check_id.string(),
    })
}

/// A coordinate as Route 53's API takes it: a sign, up to `int_digits` digits, up to two
/// decimals, within ±`limit`.
fn coordinate_ok(s: &str, int_digits: usize, limit: f64) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (i, f) = body.split_once('.').unwrap_or((body, ""));
    (1..=int_digits).contains(&i.len())
        && i.bytes().all(|b| b.is_ascii_digit())
        && f.len() <= 2
        && f.bytes().all(|b| b.is_ascii_digit())
        && s.parse::<f64>().is_ok_and(|v| v.abs() <= limit)
}

/// Two spellings of one coordinate (`51.5` and `+51.50`).
fn same_coordinate(a: &str, b: &str) -> bool {
    matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// The blocks (at most one each) a rule may be about: its path goes into the block.
fn rule_path(field: &'static str) -> AttrPath {
    let a = Record::ATTR;
    let blocks = [
        a.weighted_routing_policy,
        a.latency_routing_policy,
        a.failover_routing_policy,
        a.geolocation_routing_policy,
        a.cidr_routing_policy,
        a.geoproximity_routing_policy,
        a.alias,
    ];
    if blocks.contains(&field) {
        at(field).index(0)
    } else {
        at(field)
    }
}

/// The attributes of a routing policy (the rules about any of them read them all).
fn routing_attrs() -> [&'static str; 8] {
    let a = Record::ATTR;
    [
        a.set_identifier,
        a.weighted_routing_policy,
        a.latency_routing_policy,
        a.failover_routing_policy,
        a.geolocation_routing_policy,
        a.cidr_routing_policy,
        a.geoproximity_routing_policy,
        a.multivalue_answer_routing_policy,
    ]
}

/// The attributes a rule about `field` reads (`field` as `RecordSet::check` names it).
fn rule_inputs(field: &str) -> Vec<&'static str> {
    let a = Record::ATTR;
    let mut v = vec![a.name, a.r#type];
    let routing = routing_attrs();
    if [a.records, a.ttl, a.alias].contains(&field) {
        v.extend([a.records, a.ttl, a.alias]);
    } else if routing.contains(&field) {
        v.extend(routing.into_iter().chain([a.alias]));
    } else {
        v.extend([a.alias, a.records]);
    }
    v
}

/// All problems with a record set, as diagnostics at the offending attribute.
pub(crate) fn check(v: &Value, zone: Option<&str>) -> Diagnostics {
    let mut d = Diagnostics::new();
    let m = match Record::from_value(v) {
        Ok(m) => m,
        Err(e) => return e,
    };
    match record_of(&m) {
        Err(problems) => {
            for (p, m) in problems {
                d.error_at(p, "Invalid record set", m);
            }
        }
        Ok(rs) => {
            if m.name.is_null() || m.r#type.is_null() {
                return d;
            }
            for e in rs.check(zone) {
                // A rule about a value Terraform does not know yet is checked again at apply.
                // (Keyed by the rule's attribute name: the rules live in r53-zone.)
                if !rule_inputs(e.field)
                    .iter()
                    .any(|f| !v.get(f).is_wholly_known())
                {
                    d.error_at(rule_path(e.field), "Invalid record set", e.message);
                }
            }
        }
    }
    d
}

pub(crate) fn record_id(zone_id: &str, rs: &RecordSet) -> String {
    match &rs.set_identifier {
        Some(s) => format!("{zone_id}/{}/{}/{s}", rs.name, rs.ty),
        None => format!("{zone_id}/{}/{}", rs.name, rs.ty),
    }
}

/// Parses `ZONE/NAME/TYPE[/SET_IDENTIFIER]`. `/` separates because it can appear in neither a zone
/// ID, a DNS name nor a type (unlike `_`, common in names like `_dmarc`).
pub(crate) fn parse_import_id(
    id: &str,
) -> Result<(String, String, RecordType, Option<String>), String> {
    let mut parts = id.trim().splitn(4, '/');
    let (z, n, t) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let set = parts.next().map(str::to_string).filter(|s| !s.is_empty());
    if z.is_empty() || n.is_empty() || t.is_empty() {
        return Err(format!("expected ZONE_ID/NAME/TYPE or ZONE_ID/NAME/TYPE/SET_IDENTIFIER, e.g. Z123/www.example.com/A; got {id:?}"));
    }
    Ok((z.to_string(), normalise(n), t.parse()?, set))
}

/// Zone model → state, keeping the user's spelling of anything equivalent (so plans stay empty).
pub(crate) fn record_state(zone_id: &str, rs: &RecordSet, base: &Record) -> Value {
    record_model(zone_id, rs, base).to_value()
}

/// Zone model → the model `record_state` encodes (the data source `r53_records` lists these).
pub(crate) fn record_model(zone_id: &str, rs: &RecordSet, base: &Record) -> Record {
    let name = match base.name.as_str() {
        Some(n) if normalise(n) == rs.name => n.to_string(),
        _ => rs.name.clone(),
    };
    let ty = match base.r#type.as_str() {
        Some(t) if t.eq_ignore_ascii_case(rs.ty.as_str()) => t.to_string(),
        _ => rs.ty.to_string(),
    };
    let base_values = base.records.items();
    let records = if rs.alias.is_some() && rs.values.is_empty() {
        if base.records.is_null() {
            Field::Null
        } else {
            Field::Known(Set(vec![]))
        }
    } else if !base_values.is_empty() && values_equivalent(rs.ty, base_values, &rs.values) {
        base.records.clone()
    } else {
        Field::Known(
            rs.values
                .iter()
                .map(|v| decode_wire_value(rs.ty, v))
                .collect(),
        )
    };
    let base_alias = base.alias.items().first();
    let alias = rs.alias.as_ref().map(|a| AliasBlock {
        name: Field::Known(match base_alias.and_then(|b| b.name.as_str()) {
            Some(n) if normalise(n) == a.name => n.to_string(),
            _ => a.name.clone(),
        }),
        zone_id: Field::Known(match base_alias.and_then(|b| b.zone_id.as_str()) {
            Some(z) if r53_core::route53::strip_zone_id(z) == a.zone_id => z.to_string(),
            _ => a.zone_id.clone(),
        }),
        evaluate_target_health: match base_alias {
            Some(b) if !a.evaluate_target_health && b.evaluate_target_health.is_null() => {
                Field::Null
            }
            _ => Field::Known(a.evaluate_target_health),
        },
    });
    let mut s = Record {
        id: Field::Known(record_id(zone_id, rs)),
        zone_id: zone_id.into(),
        name: Field::Known(name),
        r#type: Field::Known(ty),
        fqdn: Field::Known(rs.name.clone()),
        ttl: rs.ttl.into(),
        records,
        set_identifier: rs.set_identifier.clone().into(),
        health_check_id: rs.health_check_id.clone().into(),
        allow_overwrite: base.allow_overwrite.clone(),
        alias: Field::Known(alias.into_iter().collect()),
        weighted_routing_policy: Field::Known(vec![]),
        latency_routing_policy: Field::Known(vec![]),
        failover_routing_policy: Field::Known(vec![]),
        geolocation_routing_policy: Field::Known(vec![]),
        cidr_routing_policy: Field::Known(vec![]),
        geoproximity_routing_policy: Field::Known(vec![]),
        multivalue_answer_routing_policy: match base.multivalue_answer_routing_policy {
            Field::Known(false) => Field::Known(false),
            _ => Field::Null,
        },
    };
    match &rs.routing {
        Some(Routing::Weighted(x)) => {
            s.weighted_routing_policy = Field::Known(vec![WeightedBlock {
                weight: Field::Known(*x),
            }])
        }
        Some(Routing::Latency(r)) => {
            s.latency_routing_policy = Field::Known(vec![LatencyBlock {
                region: r.as_str().into(),
            }])
        }
        Some(Routing::Failover(x)) => {
            let t = if *x == Failover::Primary {
                "PRIMARY"
            } else {
                "SECONDARY"
            };
            let base_t = base
                .failover_routing_policy
                .items()
                .first()
                .and_then(|b| b.r#type.string());
            s.failover_routing_policy = Field::Known(vec![FailoverBlock {
                r#type: Field::Known(
                    base_t
                        .filter(|b| b.eq_ignore_ascii_case(t))
                        .unwrap_or_else(|| t.to_string()),
                ),
            }]);
        }
        Some(Routing::Geolocation(x)) => {
            s.geolocation_routing_policy = Field::Known(vec![GeolocationBlock {
                continent: x.continent.clone().into(),
                country: x.country.clone().into(),
                subdivision: x.subdivision.clone().into(),
            }])
        }
        Some(Routing::MultiValue) => s.multivalue_answer_routing_policy = Field::Known(true),
        Some(Routing::Cidr {
            collection_id,
            location_name,
        }) => {
            s.cidr_routing_policy = Field::Known(vec![CidrRoutingBlock {
                collection_id: Field::Known(collection_id.clone()),
                location_name: Field::Known(location_name.clone()),
            }])
        }
        Some(Routing::GeoProximity(g)) => {
            let base_g = base.geoproximity_routing_policy.items().first();
            let base_c = base_g.and_then(|b| b.coordinates.items().first());
            // The configuration's spelling of the same number, and an unset bias for 0.
            let keep = |live: &str, written: Option<String>| match written {
                Some(w) if same_coordinate(&w, live) => w,
                _ => live.to_string(),
            };
            s.geoproximity_routing_policy = Field::Known(vec![GeoProximityBlock {
                aws_region: g.aws_region.clone().into(),
                local_zone_group: g.local_zone_group.clone().into(),
                bias: match g.bias {
                    // Route 53 may report an unset bias as 0: unset unless written as 0.
                    Some(0) if base_g.is_none_or(|b| b.bias.get() != Some(0)) => Field::Null,
                    b => b.map(i64::from).into(),
                },
                coordinates: Field::Known(
                    g.coordinates
                        .iter()
                        .map(|(lat, lon)| CoordinatesBlock {
                            latitude: Field::Known(keep(
                                lat,
                                base_c.and_then(|c| c.latitude.string()),
                            )),
                            longitude: Field::Known(keep(
                                lon,
                                base_c.and_then(|c| c.longitude.string()),
                            )),
                        })
                        .collect(),
                ),
            }])
        }
        None => {}
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(blocks: &[(&str, Value)]) -> Value {
        let mut v = Record {
            name: "w.example.com".into(),
            r#type: "A".into(),
            ttl: Field::Known(60),
            records: Field::Known(Set(vec!["192.0.2.1".into()])),
            set_identifier: "one".into(),
            ..Default::default()
        }
        .to_value();
        for (k, b) in blocks {
            v.set(k, b.clone());
        }
        v
    }

    fn geo(inner: GeoProximityBlock) -> Value {
        Value::List(vec![inner.to_value()])
    }

    #[test]
    fn cidr_and_geoproximity_routing_round_trip_in_the_configured_spelling() {
        let cidr = Value::List(vec![CidrRoutingBlock {
            collection_id: "c-1".into(),
            location_name: "*".into(),
        }
        .to_value()]);
        let v = record(&[("cidr_routing_policy", cidr)]);
        let rs = to_record(&v).unwrap();
        assert_eq!(
            rs.routing,
            Some(Routing::Cidr {
                collection_id: "c-1".into(),
                location_name: "*".into()
            })
        );
        assert!(check(&v, Some("example.com")).0.is_empty());
        let back = record_state("Z1", &rs, &Record::from_value(&v).unwrap());
        assert_eq!(
            back.get("cidr_routing_policy"),
            v.get("cidr_routing_policy")
        );

        let coords = |lat: &str, lon: &str| {
            Field::Known(vec![CoordinatesBlock {
                latitude: lat.into(),
                longitude: lon.into(),
            }])
        };
        let g = record(&[(
            "geoproximity_routing_policy",
            geo(GeoProximityBlock {
                coordinates: coords("+51.50", "-0.1"),
                ..Default::default()
            }),
        )]);
        let mut rs = to_record(&g).unwrap();
        // Route 53 writes the numbers its way and the bias as 0: the configuration's form stays.
        rs.routing = Some(Routing::GeoProximity(GeoProximity {
            coordinates: Some(("51.5".into(), "-0.10".into())),
            bias: Some(0),
            ..Default::default()
        }));
        let back = record_state("Z1", &rs, &Record::from_value(&g).unwrap());
        assert_eq!(
            back.get("geoproximity_routing_policy"),
            g.get("geoproximity_routing_policy")
        );
    }

    #[test]
    fn geoproximity_rules_point_into_the_block() {
        let bad = record(&[(
            "geoproximity_routing_policy",
            geo(GeoProximityBlock {
                aws_region: "us-east-1".into(),
                local_zone_group: "us-east-1-bue-1".into(),
                ..Default::default()
            }),
        )]);
        let d = format!("{:?}", check(&bad, None));
        assert!(d.contains("exactly one of"), "{d}");
        let bad = record(&[(
            "geoproximity_routing_policy",
            geo(GeoProximityBlock {
                coordinates: Field::Known(vec![CoordinatesBlock {
                    latitude: "91".into(),
                    longitude: "0".into(),
                }]),
                ..Default::default()
            }),
        )]);
        let d = format!("{:?}", check(&bad, None));
        assert!(
            d.contains("latitude") && d.contains("\"coordinates\""),
            "{d}"
        );
        let two = record(&[
            (
                "geoproximity_routing_policy",
                geo(GeoProximityBlock {
                    aws_region: "us-east-1".into(),
                    bias: Field::Known(100),
                    ..Default::default()
                }),
            ),
            (
                "weighted_routing_policy",
                Value::List(vec![WeightedBlock {
                    weight: Field::Known(1),
                }
                .to_value()]),
            ),
        ]);
        let d = format!("{:?}", check(&two, None));
        assert!(d.contains("only one routing policy"), "{d}");
    }
}
