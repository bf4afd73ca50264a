//! `r53_record`: one record set (name + type [+ set identifier]) in a hosted zone.

use async_trait::async_trait;
use r53_core::Change;
use r53_plugin::framework::Failure;
use r53_plugin::schema::Schema;
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Field, Resource, Value};
use r53_zone::name::normalise;
use r53_zone::{RecordSet, RecordType};

use crate::common::*;
use crate::meta::Meta;
use crate::record_set::{
    check, parse_import_id, record_id, record_of, record_state, schema, Record,
};

pub(crate) struct RecordResource;

pub(crate) const TYPE_NAME: &str = "r53_record";

fn key_of(m: &Record) -> (String, String, Option<String>) {
    let fqdn = m
        .fqdn
        .string()
        .unwrap_or_else(|| normalise(m.name.as_str().unwrap_or_default()));
    (
        fqdn,
        m.r#type.as_str().unwrap_or_default().to_ascii_uppercase(),
        m.set_identifier.string(),
    )
}

/// Whether an update changes the set's identity (type, set identifier) or its kind of routing
/// (simple → weighted, …): then it is a DELETE of the old set and a CREATE of the new one in one
/// change batch, not a replacement with a moment in between when the name has no answer.
fn moves(prior: &Record, planned: &Record) -> bool {
    let (_, pt, ps) = key_of(prior);
    let (_, nt, ns) = key_of(planned);
    let routing = |m: &Record| {
        record_of(m)
            .ok()
            .and_then(|r| r.routing.as_ref().map(std::mem::discriminant))
    };
    pt != nt || ps != ns || routing(prior) != routing(planned)
}

/// `what` for messages: "<verb> record set <name> <type>".
fn what(verb: &str, m: &Record) -> String {
    format!(
        "{verb} record set {} {}",
        m.name.as_str().unwrap_or_default(),
        m.r#type.as_str().unwrap_or_default()
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
        let m = &Record::from_value(planned)?;
        let verb = if action == Write::Update {
            "Updating"
        } else {
            "Creating"
        };
        let what = what(verb, m);
        let (zone_id, rs) = self.preflight(meta, ctx, planned, m, &what).await?;
        let c = call(ctx, CREATE_TIMEOUT);
        let change = if action == Write::Create {
            Change::Create(rs.clone())
        } else {
            Change::Upsert(rs.clone())
        };
        // The change may share a batch with other record writes to the zone; its result is its own.
        let e = match meta.aws.zones.submit_change(&c, &zone_id, change).await {
            // INSYNC: Route 53 now holds exactly what was sent, so the state is what we wrote (no
            // read-back call per record).
            Ok(()) => return Ok(record_state(&zone_id, &rs, m)),
            Err(e) => e,
        };
        let exists =
            e.code() == Some("InvalidChangeBatch") && e.to_string().contains("already exists");
        if exists && action == Write::Create {
            if let Some(s) = self.adopt_identical(meta, ctx, &zone_id, &rs, m).await {
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
            return Err(Failure::with_partial(d, record_state(&zone_id, &rs, m)));
        }
        Err(Failure::from(d))
    }

    /// An update that changes the set's type, set identifier or routing: the live old set deleted
    /// and the new one created in one change batch, which Route 53 applies all or nothing.
    async fn move_set(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Record,
        planned: &Value,
        m: &Record,
    ) -> Result<Value, Failure> {
        let what = what("Updating", m);
        let (zone_id, rs) = self.preflight(meta, ctx, planned, m, &what).await?;
        let (name, ty, set) = key_of(prior);
        let ty: RecordType = ty.parse().map_err(|e: String| {
            Failure::from(Diagnostics::from(Diagnostic::error("Invalid state", e)))
        })?;
        let c = call(ctx, CREATE_TIMEOUT);
        // The DELETE must carry the live values; a set already gone leaves only the CREATE.
        meta.aws.zones.invalidate(&zone_id);
        let mut changes = Vec::with_capacity(2);
        match meta
            .aws
            .route53
            .find_record_set(&c, &zone_id, &name, ty, set.as_deref())
            .await
        {
            Ok(live) => changes.push(Change::Delete(live)),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(api_diag(&what, &e).into()),
        }
        changes.push(Change::Create(rs.clone()));
        match meta.aws.zones.apply_together(&c, &zone_id, &changes).await {
            Ok(()) => Ok(record_state(&zone_id, &rs, m)),
            // Accepted, then the INSYNC wait failed: the batch is in the zone.
            Err(e @ r53_core::Error::Unconfirmed { .. }) => Err(Failure::with_partial(
                api_diag(&what, &e),
                record_state(&zone_id, &rs, m),
            )),
            // Refused, or cut short before an answer: Terraform keeps the old set's state. Had the
            // batch landed after all, the next refresh finds the old set gone and the next apply
            // takes over the identical new one (see adopt_identical).
            Err(e) => Err(Failure::from(api_diag(&what, &e))),
        }
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
        planned: &Record,
    ) -> Option<Value> {
        let c = call(ctx, READ_TIMEOUT);
        meta.aws.zones.invalidate(zone_id);
        let live = meta
            .aws
            .route53
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
        base: &Record,
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
            .zones
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
        m: &Record,
        what: &str,
    ) -> Result<(String, RecordSet), Failure> {
        let zone_id = r53_core::route53::strip_zone_id(m.zone_id.as_str().unwrap_or_default());
        let c = call(ctx, READ_TIMEOUT);
        // The zone's name decides the apex rules; it is looked up once per run, not per record.
        let zone_name = meta
            .aws
            .zones
            .find_zone_name(&c, &zone_id)
            .await
            .map_err(|e| Failure::from(api_diag(what, &e)))?;
        let d = check(planned, Some(&zone_name));
        if d.has_errors() {
            return Err(d.into());
        }
        let rs = record_of(m).map_err(|p| {
            Failure::from(Diagnostics(
                p.into_iter()
                    .map(|(path, m)| Diagnostic::error("Invalid record set", m).at(path))
                    .collect(),
            ))
        })?;
        Ok((zone_id, rs))
    }
}

/// What forces a replacement: another zone or name (the spelling of either does not count).
fn replaced(prior: &Record, planned: &Record) -> Vec<AttrPath> {
    let a = Record::ATTR;
    let mut out = Vec::new();
    if prior.name.as_str().map(normalise) != planned.name.as_str().map(normalise) {
        out.push(at(a.name));
    }
    let zone =
        |m: &Record, or: &str| r53_core::route53::strip_zone_id(m.zone_id.as_str().unwrap_or(or));
    if zone(prior, "") != zone(planned, "?") || planned.zone_id.is_unknown() {
        out.push(at(a.zone_id));
    }
    out
}

#[async_trait]
impl Resource<Meta> for RecordResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    /// `moved` from `aws_route53_record`: the record set's zone, name (its FQDN), type and set
    /// identifier; its values and routing are read right after, in r53's form.
    fn move_from(&self, source: r53_plugin::MoveSource<'_>) -> Option<Result<Value, Diagnostics>> {
        let state = match crate::aws_move::accept(source, "aws_route53_record", &[2])? {
            Ok(s) => s,
            Err(d) => return Some(Err(d)),
        };
        Some((|| {
            const T: &str = "aws_route53_record";
            let zone_id =
                r53_core::route53::strip_zone_id(crate::aws_move::required(state, T, "zone_id")?);
            // `name` may be relative to the zone in the AWS provider; `fqdn` never is.
            let name = crate::aws_move::string(state, "fqdn")
                .map_or_else(|| crate::aws_move::required(state, T, "name"), Ok)?;
            let ty = crate::aws_move::required(state, T, "type")?.to_ascii_uppercase();
            if ty.parse::<RecordType>().is_err() {
                return Err(Diagnostic::error(
                    "Unsupported record type",
                    format!("{name} {ty}: not a record type r53 manages"),
                )
                .into());
            }
            Ok(Record {
                zone_id: Field::Known(zone_id),
                name: Field::Known(normalise(name)),
                fqdn: Field::Known(normalise(name)),
                r#type: Field::Known(ty),
                set_identifier: crate::aws_move::string(state, "set_identifier")
                    .map_or(Field::Null, Field::from),
                ..Default::default()
            }
            .to_value())
        })())
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        use r53_plugin::IdentityAttr as A;
        Some(r53_plugin::Identity::new(vec![
            A::required("zone_id", "The hosted zone's ID."),
            A::required(
                "name",
                "The record set's fully qualified name, normalised (lower case, no trailing dot).",
            )
            .from_state("fqdn"),
            A::required("type", "The record type, e.g. `A`."),
            A::optional(
                "set_identifier",
                "The set identifier, for record sets with a routing policy.",
            ),
        ]))
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        let part = |k: &str| identity.get(k).as_str().filter(|s| !s.is_empty());
        let (Some(zone), Some(name), Some(ty)) = (part("zone_id"), part("name"), part("type"))
        else {
            return Err(Diagnostic::error(
                "Invalid import identity",
                "`zone_id`, `name` and `type` must be set",
            )
            .into());
        };
        Ok(match part("set_identifier") {
            Some(set) => format!("{zone}/{name}/{ty}/{set}"),
            None => format!("{zone}/{name}/{ty}"),
        })
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        check(config, None)
    }

    fn replace_paths(&self, schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        match Record::from_values(prior, planned) {
            Ok((p, n)) => replaced(&p, &n),
            Err(_) => schema.block.replace_paths(prior, planned),
        }
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        let mut n = match Record::from_value(planned) {
            Ok(n) => n,
            Err(e) => return d.extend(e),
        };
        if let Some(name) = n.name.as_str() {
            n.fqdn = Field::Known(normalise(name));
        }
        match Record::from_nullable(prior) {
            Ok(Some(p)) => {
                n.id = if !replaced(&p, &n).is_empty() || moves(&p, &n) {
                    Field::Unknown
                } else {
                    p.id
                }
            }
            Ok(None) => {}
            Err(e) => return d.extend(e),
        }
        *planned = n.to_value();
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
        let zone_id = match Record::from_value(planned) {
            Ok(m) => m.zone_id,
            Err(e) => return d.extend(e),
        };
        let attr = Record::ATTR.zone_id;
        if let Some(zone_name) =
            crate::zone_lookup::planned_zone_name(meta, ctx, &zone_id, attr, d).await
        {
            d.extend(check(planned, Some(&zone_name)));
        }
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let planned = &planned;
        let overwrite = Record::from_value(planned)?.allow_overwrite.get();
        let action = if overwrite.unwrap_or(false) {
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
        let m = Record::from_value(state)?;
        let (name, ty, set) = key_of(&m);
        let zone_id = m.zone_id.string().unwrap_or_default();
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
            &m,
        )
        .await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let (p, n) = (Record::from_value(prior)?, Record::from_value(&planned)?);
        if moves(&p, &n) {
            return self.move_set(meta, ctx, &p, &planned, &n).await;
        }
        let planned = &planned;
        self.write(meta, ctx, planned, Write::Update).await
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = Record::from_value(prior)?;
        let (name, ty, set) = key_of(&m);
        let zone_id = m.zone_id.string().unwrap_or_default();
        let what = format!("Deleting record set {name} {ty}");
        let ty: RecordType = ty
            .parse()
            .map_err(|e: String| Diagnostics::from(Diagnostic::error("Invalid state", e)))?;
        let c = call(ctx, DELETE_TIMEOUT);
        let (r53, zones) = (&meta.aws.route53, &meta.aws.zones);
        // Delete what is live (a DELETE must match the current values exactly). The first lookup
        // may come from this run's listing of the zone; if the set changed since, it is re-read.
        let mut last = None;
        for attempt in 0..3 {
            let found = if attempt == 0 {
                zones
                    .find_record_set_cached(&c, &zone_id, &name, ty, set.as_deref())
                    .await
            } else {
                zones.invalidate(&zone_id);
                r53.find_record_set(&c, &zone_id, &name, ty, set.as_deref())
                    .await
            };
            let live = match found {
                Ok(rs) => rs,
                Err(e) if e.is_not_found() => return Ok(Diagnostics::new()),
                Err(e) => return Err(api_diag(&what, &e).into()),
            };
            match zones
                .submit_change(&c, &zone_id, Change::Delete(live))
                .await
            {
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
                &Record::default(),
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

r53_plugin::model! {
    /// The `config` of the `r53_record` list resource.
    pub struct RecordListConfig / RecordListConfigAttrs {
        description: "Which record sets of a zone `terraform query` finds. The apex SOA and NS record sets are never listed: Route 53 made them and keeps them.";
        attributes {
            zone_id: String [required] "ID of the hosted zone.",
            name_pattern: String [optional]
                "Only record sets whose name matches this wildcard: `*` is any run of characters (dots too), `?` one character; case and a trailing dot do not matter.",
            r#type: String [optional] "Only record sets of this type (e.g. `A`; any case).",
        }
    }
}

/// `list "r53_record"`: a zone's record sets, each with the state an import gives.
pub(crate) struct RecordList;

#[async_trait]
impl r53_plugin::ListResource<Meta> for RecordList {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Schema::new(0, RecordListConfig::block())
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        if let Ok(m) = RecordListConfig::from_value(config) {
            if let Some(t) = m.r#type.as_str() {
                if t.to_ascii_uppercase().parse::<RecordType>().is_err() {
                    d.error_at(
                        at(RecordListConfig::ATTR.r#type),
                        "Invalid type",
                        format!("{t:?} is not a record type Route 53 hosts"),
                    );
                }
            }
        }
        d
    }

    async fn list(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        config: &Value,
        limit: usize,
    ) -> Result<Vec<r53_plugin::Listed>, Diagnostics> {
        let m = RecordListConfig::from_value(config)?;
        let ty = m
            .r#type
            .as_str()
            .and_then(|t| t.to_ascii_uppercase().parse::<RecordType>().ok());
        let zone_id = r53_core::route53::strip_zone_id(m.zone_id.as_str().unwrap_or_default());
        let c = call(ctx, READ_TIMEOUT);
        let zone_name = meta
            .aws
            .zones
            .find_zone_name(&c, &zone_id)
            .await
            .map_err(|e| api_diag(&format!("Reading hosted zone {zone_id}"), &e))?;
        let mut out = Vec::new();
        meta.aws
            .route53
            .each_record_set(&c, &zone_id, |r| {
                let apex_own = normalise(&r.name) == zone_name
                    && matches!(r.ty, RecordType::Soa | RecordType::Ns);
                let wanted = !apex_own
                    && m.name_pattern
                        .as_str()
                        .is_none_or(|p| r53_zone::name::matches_pattern(p, &r.name))
                    && ty.is_none_or(|t| t == r.ty);
                if wanted && out.len() < limit {
                    out.push(r53_plugin::Listed {
                        display_name: r53_zone::RecordKey::of(&r).to_string(),
                        state: record_state(&zone_id, &r, &Record::default()),
                    });
                }
            })
            .await
            .map_err(|e| api_diag(&format!("Listing record sets of {zone_id}"), &e))?;
        Ok(out)
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
        let c = cfg(
            serde_json::json!({"zone_id": "Z1", "name": "www.example.com", "type": "A", "ttl": 60}),
        );
        let mut m = Record::from_value(&c).unwrap();
        m.records = Field::Unknown;
        assert!(RecordResource.validate(&m.to_value()).is_empty());
        // One value not known yet: the set is judged once it is whole.
        let mut c = m.to_value();
        let a = Record::ATTR;
        c.set(
            a.records,
            Value::Set(vec![Value::string("bad"), Value::Unknown]),
        );
        assert!(Record::from_value(&c).unwrap().records.is_unknown());
        assert!(RecordResource.validate(&c).is_empty());
    }

    #[test]
    fn unknown_set_identifier_defers_routing_rules() {
        let mut m = Record::from_value(&cfg(serde_json::json!({
            "zone_id": "Z1", "name": "f.example.com", "type": "A", "ttl": 60, "records": ["192.0.2.1"],
            "failover_routing_policy": [{"type": "PRIMARY"}]
        })))
        .unwrap();
        m.set_identifier = Field::Unknown;
        let d = RecordResource.validate(&m.to_value());
        assert!(d.is_empty(), "{d:?}");
        m.set_identifier = Field::Null;
        assert_eq!(
            paths(&RecordResource.validate(&m.to_value())),
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
                let base = Record::from_value(&base).unwrap_or_default();
                let s = Record::from_value(&record_state("Z1", &live, &base)).unwrap();
                assert_eq!(s.r#type.as_str(), Some("TXT"));
                assert!(!s.records.items().is_empty(), "{values:?}");
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
        let base = Record::from_value(&base).unwrap();
        let s = Record::from_value(&record_state("Z1", &live, &base)).unwrap();
        assert_eq!(s.name.as_str(), Some("WWW.example.com."));
        assert_eq!(s.r#type.as_str(), Some("mx"));
        assert_eq!(s.records, base.records);
        assert_eq!(s.id.as_str(), Some("Z1/www.example.com/MX"));
    }

    #[test]
    fn moved_from_the_aws_provider_by_fqdn() {
        let state = serde_json::json!({"zone_id": "Z1", "name": "www", "fqdn": "www.example.com",
            "type": "a", "set_identifier": "blue", "records": ["192.0.2.1"], "ttl": 60});
        let src = |v: i64, t: &'static str| r53_plugin::MoveSource {
            provider: "registry.terraform.io/hashicorp/aws",
            type_name: t,
            schema_version: v,
            state: &state,
        };
        let v = RecordResource
            .move_from(src(2, "aws_route53_record"))
            .unwrap()
            .unwrap();
        let m = Record::from_value(&v).unwrap();
        assert_eq!(m.name.as_str(), Some("www.example.com"));
        assert_eq!(m.r#type.as_str(), Some("A"));
        assert_eq!(m.set_identifier.as_str(), Some("blue"));
        assert_eq!(m.zone_id.as_str(), Some("Z1"));
        // Values come from the read that follows, not from the old state.
        assert!(m.records.is_null());
        assert!(RecordResource
            .move_from(src(1, "aws_route53_record"))
            .unwrap()
            .is_err());
        assert!(RecordResource
            .move_from(src(2, "aws_route53_zone"))
            .is_none());
    }
}
