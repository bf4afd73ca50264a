//! The record-set model shared by `r53_record` and the `record` blocks of `r53_records`: the
//! attributes (schema), the configuration → [`RecordSet`] conversion, its checks, and the state
//! written from what Route 53 holds.

use r53_plugin::schema::{Attribute, Block, Nesting, Schema};
use r53_plugin::{AttrPath, Diagnostics, Type, Value};
use r53_zone::name::normalise;
use r53_zone::{
    decode_wire_value, values_equivalent, Alias, Failover, GeoLocation, RecordSet, RecordType,
    Routing,
};

use crate::common::*;

/// `r53_record`'s schema; `r53_records` reuses its attributes for each `record` block.
pub fn schema() -> Schema {
    let one = |desc: &str, b: Block| (desc.to_string(), b);
    let (_, alias) = one(
        "",
        Block::new("Alias target (instead of `records` and `ttl`): a CloudFront distribution, load balancer, S3 website, API Gateway, or another record in a Route 53 zone.")
            .attr(Attribute::new("name", Type::String, "DNS name of the target, e.g. the load balancer's DNS name.").required())
            .attr(Attribute::new("zone_id", Type::String, "Hosted zone ID of the target (the load balancer's canonical zone, or a Route 53 zone ID).").required())
            .attr(Attribute::new("evaluate_target_health", Type::Bool, "Answer only while the target is healthy. Default `false`.").optional_computed()),
    );
    Schema::new(
        0,
        Block::new(
            "One Route 53 record set: all values of one name and type (and `set_identifier`, for routing policies). \
             Values are compared the way DNS compares them (case, trailing dots, order, TXT quoting), so plans stay empty; \
             TXT values longer than 255 characters are split into strings automatically.",
        )
        .attr(Attribute::new("id", Type::String, "`ZONE_ID/NAME/TYPE` or `ZONE_ID/NAME/TYPE/SET_IDENTIFIER`; also the import ID.").computed())
        .attr(Attribute::new("zone_id", Type::String, "ID of the hosted zone the record set lives in.").required().force_new())
        .attr(
            Attribute::new(
                "name",
                Type::String,
                "Fully qualified name, e.g. `www.example.com` (case and trailing dot do not matter; `*.example.com` for a wildcard). \
                 Imported record sets get the normalised form (lower case, no trailing dot): write names that way for an empty plan after import.",
            )
                .required()
                .force_new(),
        )
        .attr(Attribute::new("type", Type::String, "Record type: A, AAAA, CAA, CNAME, DS, HTTPS, MX, NAPTR, NS, PTR, SOA, SPF, SRV, SSHFP, SVCB, TLSA or TXT. \
             Changing it is an update: the old set is deleted and the new one created in one change batch, so the name is answered throughout.").required())
        .attr(Attribute::new("ttl", Type::Number, "Time to live in seconds (0 to 2147483647). Required with `records`; not allowed with `alias`.").optional())
        .attr(
            Attribute::new(
                "records",
                Type::set(Type::String),
                "The values, in presentation format (`10 mail.example.com.` for MX). TXT values are written without quotes; \
                 a value that is already a list of quoted strings is sent as written.",
            )
            .optional(),
        )
        .attr(Attribute::new("set_identifier", Type::String, "Distinguishes record sets of the same name and type that use a routing policy. \
             Changing it, or the kind of routing policy, is done as one change batch (delete + create), like a change of `type`.").optional())
        .attr(Attribute::new("health_check_id", Type::String, "Health check whose status decides whether this record set is answered.").optional())
        .attr(Attribute::new("multivalue_answer_routing_policy", Type::Bool, "Multivalue answer routing (needs `set_identifier`).").optional())
        .attr(
            Attribute::new(
                "allow_overwrite",
                Type::Bool,
                "On create, overwrite a record set that already exists (UPSERT) instead of failing. Default `false`, so an \
                 existing production record is never silently taken over; prefer `import`.",
            )
            .optional(),
        )
        .attr(Attribute::new("fqdn", Type::String, "The normalised fully qualified name.").computed())
        .block("alias", Nesting::List, 0, 1, alias)
        .block(
            "weighted_routing_policy",
            Nesting::List,
            0,
            1,
            Block::new("Weighted routing.").attr(Attribute::new("weight", Type::Number, "Relative weight, 0 to 255.").required()),
        )
        .block(
            "latency_routing_policy",
            Nesting::List,
            0,
            1,
            Block::new("Latency-based routing.").attr(Attribute::new("region", Type::String, "AWS region of the endpoint.").required()),
        )
        .block(
            "failover_routing_policy",
            Nesting::List,
            0,
            1,
            Block::new("Failover routing.").attr(Attribute::new("type", Type::String, "`PRIMARY` or `SECONDARY`.").required()),
        )
        .block(
            "geolocation_routing_policy",
            Nesting::List,
            0,
            1,
            Block::new("Geolocation routing: a continent, or a country (optionally with a subdivision); country `*` is the default location.")
                .attr(Attribute::new("continent", Type::String, "Two-letter continent code.").optional())
                .attr(Attribute::new("country", Type::String, "Two-letter country code, or `*`.").optional())
                .attr(Attribute::new("subdivision", Type::String, "Subdivision code (e.g. a US state).").optional()),
        ),
    )
}

/// A problem converting config to a record set, with the attribute it concerns.
type Problems = Vec<(AttrPath, String)>;

/// Config/state → zone model. Unknown parts become empty (rules about them are skipped).
pub fn to_record(v: &Value) -> Result<RecordSet, Problems> {
    let mut problems = Vec::new();
    let ty = match v.get("type").as_str() {
        Some(t) => match t.parse::<RecordType>() {
            Ok(t) => Some(t),
            Err(e) => {
                problems.push((at("type"), e));
                None
            }
        },
        None => None,
    };
    let alias = v.get("alias").elements().first().map(|a| Alias {
        name: normalise(a.get("name").as_str().unwrap_or_default()),
        zone_id: r53_core::route53::strip_zone_id(a.get("zone_id").as_str().unwrap_or("unknown")),
        evaluate_target_health: a.get("evaluate_target_health").as_bool().unwrap_or(false),
    });
    let mut routing = Vec::new();
    if let Some(b) = v.get("weighted_routing_policy").elements().first() {
        routing.push(Routing::Weighted(b.get("weight").as_i64().unwrap_or(0)));
    }
    if let Some(b) = v.get("latency_routing_policy").elements().first() {
        routing.push(Routing::Latency(
            b.get("region").as_str().unwrap_or("unknown").to_string(),
        ));
    }
    if let Some(b) = v.get("failover_routing_policy").elements().first() {
        match b.get("type").as_str().map(|s| s.to_ascii_uppercase()) {
            Some(t) if t == "PRIMARY" => routing.push(Routing::Failover(Failover::Primary)),
            Some(t) if t == "SECONDARY" => routing.push(Routing::Failover(Failover::Secondary)),
            Some(t) => {
                problems.push((
                    at("failover_routing_policy").index(0).then("type"),
                    format!("must be PRIMARY or SECONDARY, not {t:?}"),
                ));
                routing.push(Routing::Failover(Failover::Primary));
            }
            None => routing.push(Routing::Failover(Failover::Primary)),
        }
    }
    if let Some(b) = v.get("geolocation_routing_policy").elements().first() {
        routing.push(Routing::Geolocation(GeoLocation {
            continent: b.get("continent").as_str().map(str::to_string),
            country: b.get("country").as_str().map(str::to_string),
            subdivision: b.get("subdivision").as_str().map(str::to_string),
        }));
    }
    if v.get("multivalue_answer_routing_policy").as_bool() == Some(true) {
        routing.push(Routing::MultiValue);
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
        name: normalise(v.get("name").as_str().unwrap_or_default()),
        ty: ty.unwrap_or(RecordType::A),
        ttl: v.get("ttl").as_i64(),
        values: v
            .get("records")
            .elements()
            .iter()
            .filter_map(|e| e.as_str().map(str::to_string))
            .collect(),
        alias,
        set_identifier: v.get("set_identifier").as_str().map(str::to_string),
        routing: routing.into_iter().next(),
        health_check_id: v.get("health_check_id").as_str().map(str::to_string),
    })
}

fn rule_path(field: &'static str) -> AttrPath {
    match field {
        "weighted_routing_policy"
        | "latency_routing_policy"
        | "failover_routing_policy"
        | "geolocation_routing_policy"
        | "alias" => at(field).index(0),
        f => at(f),
    }
}

const ROUTING: [&str; 6] = [
    "set_identifier",
    "weighted_routing_policy",
    "latency_routing_policy",
    "failover_routing_policy",
    "geolocation_routing_policy",
    "multivalue_answer_routing_policy",
];

/// The attributes a rule about `field` reads.
fn rule_inputs(field: &str) -> Vec<&'static str> {
    let mut v = vec!["name", "type"];
    match field {
        "records" | "ttl" | "alias" => v.extend(["records", "ttl", "alias"]),
        f if ROUTING.contains(&f) => v.extend(ROUTING.iter().copied().chain(["alias"])),
        _ => v.extend(["alias", "records"]),
    }
    v
}

/// All problems with a record set, as diagnostics at the offending attribute.
pub(crate) fn check(v: &Value, zone: Option<&str>) -> Diagnostics {
    let mut d = Diagnostics::new();
    match to_record(v) {
        Err(problems) => {
            for (p, m) in problems {
                d.error_at(p, "Invalid record set", m);
            }
        }
        Ok(rs) => {
            if v.get("name").is_null() || v.get("type").is_null() {
                return d;
            }
            for e in rs.check(zone) {
                // A rule about a value Terraform does not know yet is checked again at apply.
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
pub fn parse_import_id(id: &str) -> Result<(String, String, RecordType, Option<String>), String> {
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

fn block1(fields: &[(&str, Value)]) -> Value {
    let mut o = Value::Object(Default::default());
    for (k, v) in fields {
        o.set(k, v.clone());
    }
    Value::List(vec![o])
}

/// Zone model → state, keeping the user's spelling of anything equivalent (so plans stay empty).
pub(crate) fn record_state(zone_id: &str, rs: &RecordSet, base: &Value) -> Value {
    let mut s = Value::Object(Default::default());
    s.set("id", Value::string(record_id(zone_id, rs)));
    s.set("zone_id", Value::string(zone_id));
    let name = match base.get("name").as_str() {
        Some(n) if normalise(n) == rs.name => n.to_string(),
        _ => rs.name.clone(),
    };
    s.set("name", Value::string(name));
    let ty = match base.get("type").as_str() {
        Some(t) if t.eq_ignore_ascii_case(rs.ty.as_str()) => t.to_string(),
        _ => rs.ty.to_string(),
    };
    s.set("type", Value::string(ty));
    s.set("fqdn", Value::string(&rs.name));
    s.set(
        "ttl",
        rs.ttl
            .map(|t| Value::Number(r53_plugin::Number::Int(t)))
            .unwrap_or(Value::Null),
    );
    let base_values: Vec<String> = base
        .get("records")
        .elements()
        .iter()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect();
    let records = if rs.alias.is_some() && rs.values.is_empty() {
        if base.get("records").is_null() {
            Value::Null
        } else {
            Value::Set(vec![])
        }
    } else if !base_values.is_empty() && values_equivalent(rs.ty, &base_values, &rs.values) {
        base.get("records").clone()
    } else {
        set_value(rs.values.iter().map(|v| decode_wire_value(rs.ty, v)))
    };
    s.set("records", records);
    s.set(
        "set_identifier",
        Value::opt_string(rs.set_identifier.clone()),
    );
    s.set(
        "health_check_id",
        Value::opt_string(rs.health_check_id.clone()),
    );
    s.set("allow_overwrite", base.get("allow_overwrite").clone());
    let base_alias = base
        .get("alias")
        .elements()
        .first()
        .cloned()
        .unwrap_or_default();
    s.set(
        "alias",
        match &rs.alias {
            None => Value::List(vec![]),
            Some(a) => block1(&[
                (
                    "name",
                    Value::string(match base_alias.get("name").as_str() {
                        Some(n) if normalise(n) == a.name => n.to_string(),
                        _ => a.name.clone(),
                    }),
                ),
                (
                    "zone_id",
                    Value::string(match base_alias.get("zone_id").as_str() {
                        Some(z) if r53_core::route53::strip_zone_id(z) == a.zone_id => {
                            z.to_string()
                        }
                        _ => a.zone_id.clone(),
                    }),
                ),
                (
                    "evaluate_target_health",
                    if !a.evaluate_target_health
                        && base_alias.get("evaluate_target_health").is_null()
                        && !base_alias.is_null()
                    {
                        Value::Null
                    } else {
                        Value::Bool(a.evaluate_target_health)
                    },
                ),
            ]),
        },
    );
    let none = Value::List(vec![]);
    let (mut w, mut l, mut f, mut g) = (none.clone(), none.clone(), none.clone(), none.clone());
    let mut mv = match base.get("multivalue_answer_routing_policy") {
        Value::Bool(false) => Value::Bool(false),
        _ => Value::Null,
    };
    match &rs.routing {
        Some(Routing::Weighted(x)) => {
            w = block1(&[("weight", Value::Number(r53_plugin::Number::Int(*x)))])
        }
        Some(Routing::Latency(r)) => l = block1(&[("region", Value::string(r))]),
        Some(Routing::Failover(x)) => {
            let t = if *x == Failover::Primary {
                "PRIMARY"
            } else {
                "SECONDARY"
            };
            let base_t = base
                .get("failover_routing_policy")
                .elements()
                .first()
                .and_then(|b| b.get("type").as_str().map(str::to_string));
            f = block1(&[(
                "type",
                Value::string(
                    base_t
                        .filter(|b| b.eq_ignore_ascii_case(t))
                        .unwrap_or_else(|| t.to_string()),
                ),
            )]);
        }
        Some(Routing::Geolocation(x)) => {
            g = block1(&[
                ("continent", Value::opt_string(x.continent.clone())),
                ("country", Value::opt_string(x.country.clone())),
                ("subdivision", Value::opt_string(x.subdivision.clone())),
            ])
        }
        Some(Routing::MultiValue) => mv = Value::Bool(true),
        // r53_record has no attribute for these (yet): r53_records carries them whole.
        Some(Routing::Cidr { .. } | Routing::GeoProximity(_)) => {}
        None => {}
    }
    s.set("weighted_routing_policy", w);
    s.set("latency_routing_policy", l);
    s.set("failover_routing_policy", f);
    s.set("geolocation_routing_policy", g);
    s.set("multivalue_answer_routing_policy", mv);
    s
}
