//! `r53_record`: one record set (name + type [+ set identifier]) in a hosted zone.

use async_trait::async_trait;
use r53_core::Change;
use r53_plugin::framework::Failure;
use r53_plugin::schema::{Attribute, Block, Nesting, Schema};
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Resource, Type, Value};
use r53_zone::name::normalise;
use r53_zone::{
    decode_wire_value, values_equivalent, Alias, Failover, GeoLocation, RecordSet, RecordType,
    Routing,
};

use crate::common::*;
use crate::provider::Meta;

pub struct RecordResource;

pub const TYPE_NAME: &str = "r53_record";

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
        .attr(Attribute::new("type", Type::String, "Record type: A, AAAA, CAA, CNAME, DS, HTTPS, MX, NAPTR, NS, PTR, SOA, SPF, SRV, SSHFP, SVCB, TLSA or TXT.").required().force_new())
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
        .attr(Attribute::new("set_identifier", Type::String, "Distinguishes record sets of the same name and type that use a routing policy.").optional().force_new())
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

fn record_id(zone_id: &str, rs: &RecordSet) -> String {
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

fn key_of(v: &Value) -> (String, String, Option<String>) {
    let fqdn = v
        .get("fqdn")
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| normalise(v.get("name").as_str().unwrap_or_default()));
    (
        fqdn,
        v.get("type")
            .as_str()
            .unwrap_or_default()
            .to_ascii_uppercase(),
        v.get("set_identifier").as_str().map(str::to_string),
    )
}

/// What identifies a record set in Route 53.
#[derive(Clone, Copy)]
struct Key<'a> {
    zone_id: &'a str,
    name: &'a str,
    ty: RecordType,
    set: Option<&'a str>,
}

/// How a create or update writes the record set.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Write {
    /// CREATE: fails if the set exists (the safe default).
    Create,
    /// UPSERT on create (`allow_overwrite`).
    Overwrite,
    /// UPSERT of a set we own.
    Update,
}

impl RecordResource {
    /// Checks, writes, waits for INSYNC and reads back. Once the write has landed, a failure keeps
    /// the written state so Terraform does not forget a record that exists.
    async fn write(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        planned: &Value,
        action: Write,
    ) -> Result<Value, Failure> {
        let what = format!(
            "{} record set {} {}",
            if action == Write::Update {
                "Updating"
            } else {
                "Creating"
            },
            planned.get("name").as_str().unwrap_or_default(),
            planned.get("type").as_str().unwrap_or_default()
        );
        let (zone_id, rs) = self.preflight(meta, ctx, planned, &what).await?;
        let c = call(ctx, CREATE_TIMEOUT);
        let change = if action == Write::Create {
            Change::Create(rs.clone())
        } else {
            Change::Upsert(rs.clone())
        };
        // The change may share a batch with other record writes to the zone; its result is its own.
        let e = match meta.aws.route53.submit_change(&c, &zone_id, change).await {
            // INSYNC: Route 53 now holds exactly what was sent, so the state is what we wrote (no
            // read-back call per record).
            Ok(()) => return Ok(record_state(&zone_id, &rs, planned)),
            Err(e) => e,
        };
        let exists =
            e.code() == Some("InvalidChangeBatch") && e.to_string().contains("already exists");
        if exists && action == Write::Create {
            if let Some(s) = self
                .adopt_identical(meta, ctx, &zone_id, &rs, planned)
                .await
            {
                return Ok(s);
            }
        }
        let mut d = api_diag(&what, &e);
        if exists {
            d.detail.push_str(&format!(
                "\n\nThe record set already exists. Import it (terraform import {TYPE_NAME}.NAME {}) or set allow_overwrite = true to take it over.",
                record_id(&zone_id, &rs)
            ));
        }
        // Accepted (then Stop or a timeout during the INSYNC wait), or cut short while it may have
        // been sent: keep what we wrote, or Terraform forgets a record set that exists. If it did
        // not land after all, the next refresh finds it missing and plans the create again.
        if e.may_have_landed() {
            return Err(Failure::with_partial(
                d,
                record_state(&zone_id, &rs, planned),
            ));
        }
        Err(Failure::from(d))
    }

    /// A CREATE refused because the set exists: when the live set is exactly the one declared, it is
    /// what an earlier apply wrote before its provider was killed (Terraform recorded nothing), so
    /// it is taken over, with a warning, instead of failing every later apply. A set that differs
    /// in anything is never taken over (that needs `allow_overwrite` or an import).
    async fn adopt_identical(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        zone_id: &str,
        rs: &RecordSet,
        planned: &Value,
    ) -> Option<Value> {
        let c = call(ctx, READ_TIMEOUT);
        let r53 = &meta.aws.route53;
        r53.invalidate(zone_id);
        let live = r53
            .find_record_set(&c, zone_id, &rs.name, rs.ty, rs.set_identifier.as_deref())
            .await
            .ok()?;
        if !r53_core::route53::same_record(&live, rs) {
            return None;
        }
        tracing::warn!(zone_id, name = %rs.name, ty = %rs.ty, "adopted an identical existing record set");
        ctx.warn(Diagnostic::warning(
            "Existing identical record set taken over",
            format!(
                "Record set {} already existed with exactly the declared values, most likely written by an earlier \
                 apply whose provider was killed before Terraform could record it; this resource now manages it. \
                 If another configuration manages the same record set, remove it from one of them (terraform state rm).",
                record_id(zone_id, rs)
            ),
        ));
        Some(record_state(zone_id, rs, planned))
    }

    async fn read_record(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        key: Key<'_>,
        base: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let Key {
            zone_id,
            name,
            ty,
            set,
        } = key;
        let c = call(ctx, READ_TIMEOUT);
        match meta
            .aws
            .route53
            .find_record_set_cached(&c, zone_id, name, ty, set)
            .await
        {
            Ok(rs) => Ok(Some(record_state(zone_id, &rs, base))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_diag(&format!("Reading record set {name} {ty}"), &e).into()),
        }
    }

    /// Full check with the zone's name (apex rules, name inside zone), before any write.
    async fn preflight(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        planned: &Value,
        what: &str,
    ) -> Result<(String, RecordSet), Failure> {
        let zone_id =
            r53_core::route53::strip_zone_id(planned.get("zone_id").as_str().unwrap_or_default());
        let c = call(ctx, READ_TIMEOUT);
        // The zone's name decides the apex rules; it is looked up once per run, not per record.
        let zone_name = meta
            .aws
            .route53
            .find_zone_name(&c, &zone_id)
            .await
            .map_err(|e| Failure::from(api_diag(what, &e)))?;
        let d = check(planned, Some(&zone_name));
        if d.has_errors() {
            return Err(d.into());
        }
        let rs = to_record(planned).map_err(|p| {
            Failure::from(Diagnostics(
                p.into_iter()
                    .map(|(path, m)| Diagnostic::error("Invalid record set", m).at(path))
                    .collect(),
            ))
        })?;
        Ok((zone_id, rs))
    }
}

#[async_trait]
impl Resource<Meta> for RecordResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        check(config, None)
    }

    fn replace_paths(&self, _schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        let mut out = Vec::new();
        let norm = |v: &Value, k: &str| v.get(k).as_str().map(normalise);
        if norm(prior, "name") != norm(planned, "name") {
            out.push(at("name"));
        }
        if norm(prior, "type") != norm(planned, "type") {
            out.push(at("type"));
        }
        if r53_core::route53::strip_zone_id(prior.get("zone_id").as_str().unwrap_or_default())
            != r53_core::route53::strip_zone_id(planned.get("zone_id").as_str().unwrap_or("?"))
            || !planned.get("zone_id").is_wholly_known()
        {
            out.push(at("zone_id"));
        }
        if prior.get("set_identifier") != planned.get("set_identifier") {
            out.push(at("set_identifier"));
        }
        out
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, _d: &mut Diagnostics) {
        if let Some(n) = planned.get("name").as_str() {
            let fq = normalise(n);
            planned.set("fqdn", Value::string(fq));
        }
        if prior.is_null() {
            return;
        }
        if !self.replace_paths(&schema(), prior, planned).is_empty() {
            planned.set("id", Value::Unknown);
        } else {
            planned.set("id", prior.get("id").clone());
        }
    }

    /// The rules that need the zone's name (CNAME at the apex, a name outside the zone, apex NS/SOA),
    /// at plan time when the zone ID is known, so a plan that shows the change does not fail on
    /// them at apply. Unknown zone ID (created in the same run): the apply checks them.
    async fn plan_with_api(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        _prior: &Value,
        planned: &mut Value,
        d: &mut Diagnostics,
    ) {
        if let Some(zone_name) = crate::zone_lookup::planned_zone_name(meta, ctx, planned, d).await
        {
            d.extend(check(planned, Some(&zone_name)));
        }
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let planned = &planned;
        let action = if bool_or(planned, "allow_overwrite", false) {
            Write::Overwrite
        } else {
            Write::Create
        };
        self.write(meta, ctx, planned, action).await
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let (name, ty, set) = key_of(state);
        let zone_id = state
            .get("zone_id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let ty: RecordType = ty
            .parse()
            .map_err(|e: String| Diagnostics::from(Diagnostic::error("Invalid state", e)))?;
        self.read_record(
            meta,
            ctx,
            Key {
                zone_id: &zone_id,
                name: &name,
                ty,
                set: set.as_deref(),
            },
            state,
        )
        .await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let planned = &planned;
        self.write(meta, ctx, planned, Write::Update).await
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let (name, ty, set) = key_of(prior);
        let zone_id = prior
            .get("zone_id")
            .as_str()
            .unwrap_or_default()
            .to_string();
        let what = format!("Deleting record set {name} {ty}");
        let ty: RecordType = ty
            .parse()
            .map_err(|e: String| Diagnostics::from(Diagnostic::error("Invalid state", e)))?;
        let c = call(ctx, DELETE_TIMEOUT);
        let r53 = &meta.aws.route53;
        // Delete what is live (a DELETE must match the current values exactly). The first lookup
        // may come from this run's listing of the zone; if the set changed since, it is re-read.
        let mut last = None;
        for attempt in 0..3 {
            let found = if attempt == 0 {
                r53.find_record_set_cached(&c, &zone_id, &name, ty, set.as_deref())
                    .await
            } else {
                r53.invalidate(&zone_id);
                r53.find_record_set(&c, &zone_id, &name, ty, set.as_deref())
                    .await
            };
            let live = match found {
                Ok(rs) => rs,
                Err(e) if e.is_not_found() => return Ok(Diagnostics::new()),
                Err(e) => return Err(api_diag(&what, &e).into()),
            };
            match r53.submit_change(&c, &zone_id, Change::Delete(live)).await {
                Ok(()) => return Ok(Diagnostics::new()),
                Err(e) if e.code() == Some("InvalidChangeBatch") => last = Some(e),
                Err(e) => return Err(api_diag(&what, &e).into()),
            }
        }
        Err(Diagnostic::error(
            what,
            format!(
                "the record set kept changing while being deleted; last refusal: {}",
                last.map(|e| e.to_string()).unwrap_or_default()
            ),
        )
        .into())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let (zone_id, name, ty, set) = parse_import_id(id)
            .map_err(|e| Diagnostics::from(Diagnostic::error("Invalid import ID", e)))?;
        let zone_id = r53_core::route53::strip_zone_id(&zone_id);
        match self
            .read_record(
                meta,
                ctx,
                Key {
                    zone_id: &zone_id,
                    name: &name,
                    ty,
                    set: set.as_deref(),
                },
                &Value::Null,
            )
            .await?
        {
            Some(s) => Ok(s),
            None => Err(Diagnostic::error(
                "Cannot import record set",
                format!("no record set {name} {ty} in zone {zone_id}"),
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

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.0.iter()
            .map(|x| x.path.as_ref().map(|p| p.to_string()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn validate_points_at_the_attribute() {
        let d = RecordResource.validate(&cfg(serde_json::json!({"zone_id": "Z1", "name": "www.example.com", "type": "A", "records": ["1.2.3.999"], "ttl": 60})));
        assert_eq!(paths(&d), vec!["records"]);
        let d = RecordResource.validate(&cfg(serde_json::json!({"zone_id": "Z1", "name": "www.example.com", "type": "A", "records": ["1.2.3.4"]})));
        assert_eq!(paths(&d), vec!["ttl"]);
        let d = RecordResource.validate(&cfg(serde_json::json!({
            "zone_id": "Z1", "name": "www.example.com", "type": "A", "ttl": 60, "records": ["1.2.3.4"],
            "alias": [{"name": "lb.example.net", "zone_id": "Z2"}]
        })));
        assert_eq!(paths(&d), vec!["records", "ttl"]);
        let d = RecordResource.validate(&cfg(serde_json::json!({
            "zone_id": "Z1", "name": "www.example.com", "type": "A", "ttl": 60, "records": ["1.2.3.4"],
            "weighted_routing_policy": [{"weight": 5}]
        })));
        assert_eq!(paths(&d), vec!["weighted_routing_policy[0]"]);
        let d = RecordResource.validate(&cfg(serde_json::json!({"zone_id": "Z1", "name": "www.example.com", "type": "AXFR", "ttl": 60, "records": ["x"]})));
        assert_eq!(paths(&d), vec!["type"]);
    }

    #[test]
    fn unknown_values_are_not_judged_yet() {
        let mut c = cfg(
            serde_json::json!({"zone_id": "Z1", "name": "www.example.com", "type": "A", "ttl": 60}),
        );
        c.set("records", Value::Unknown);
        assert!(RecordResource.validate(&c).is_empty());
    }

    #[test]
    fn unknown_set_identifier_defers_routing_rules() {
        let mut c = cfg(serde_json::json!({
            "zone_id": "Z1", "name": "f.example.com", "type": "A", "ttl": 60, "records": ["192.0.2.1"],
            "failover_routing_policy": [{"type": "PRIMARY"}]
        }));
        c.set("set_identifier", Value::Unknown);
        assert!(
            RecordResource.validate(&c).is_empty(),
            "{:?}",
            RecordResource.validate(&c)
        );
        c.set("set_identifier", Value::Null);
        assert_eq!(
            paths(&RecordResource.validate(&c)),
            vec!["failover_routing_policy[0]"]
        );
    }

    #[test]
    fn import_ids_are_safe_with_underscores_and_set_ids() {
        let (z, n, t, s) = parse_import_id("Z123/_dmarc.Example.com./TXT").unwrap();
        assert_eq!(
            (z.as_str(), n.as_str(), t, s),
            ("Z123", "_dmarc.example.com", RecordType::Txt, None)
        );
        let (_, _, _, s) = parse_import_id("Z123/www.example.com/A/blue/green").unwrap();
        assert_eq!(s.as_deref(), Some("blue/green"));
        assert!(parse_import_id("Z123_www_A").is_err());
    }

    /// Route 53 can list a TXT record whose data holds no character-string (`""`-less, empty):
    /// turning it into state must not panic (it did: a slice of an empty list of strings).
    #[test]
    fn txt_with_zero_character_strings_becomes_state() {
        for values in [
            vec![String::new()],
            vec!["  ".into()],
            vec!["\"\"".into(), String::new()],
        ] {
            let live = RecordSet {
                name: "t.example.com".into(),
                ty: RecordType::Txt,
                ttl: Some(60),
                values: values.clone(),
                alias: None,
                set_identifier: None,
                routing: None,
                health_check_id: None,
            };
            for base in [
                Value::Null,
                cfg(
                    serde_json::json!({"zone_id": "Z1", "name": "t.example.com", "type": "TXT", "ttl": 60, "records": [""]}),
                ),
            ] {
                let s = record_state("Z1", &live, &base);
                assert_eq!(s.get("type").as_str(), Some("TXT"));
                assert!(!s.get("records").elements().is_empty(), "{values:?}");
            }
        }
    }

    #[test]
    fn state_keeps_user_spelling_of_equivalent_values() {
        let base = cfg(
            serde_json::json!({"zone_id": "Z1", "name": "WWW.example.com.", "type": "mx", "ttl": 60, "records": ["10 MAIL.example.com."]}),
        );
        let live = RecordSet {
            name: "www.example.com".into(),
            ty: RecordType::Mx,
            ttl: Some(60),
            values: vec!["10 mail.example.com".into()],
            alias: None,
            set_identifier: None,
            routing: None,
            health_check_id: None,
        };
        let s = record_state("Z1", &live, &base);
        assert_eq!(s.get("name").as_str(), Some("WWW.example.com."));
        assert_eq!(s.get("type").as_str(), Some("mx"));
        assert_eq!(s.get("records"), base.get("records"));
        assert_eq!(s.get("id").as_str(), Some("Z1/www.example.com/MX"));
    }
}
