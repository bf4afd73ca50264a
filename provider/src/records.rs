//! `r53_records`: many record sets of one zone in one resource, applied in as few change batches as
//! Route 53's limits allow. `mode = "additive"` (default) touches only what it declares;
//! `"exclusive"` owns the zone except the apex SOA and NS. Plan-time safety refuses mass changes and
//! apex NS changes unless `allow_mass_change = true`.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use r53_core::route53::same_record;
use r53_core::{Call, Change};
use r53_plugin::framework::Failure;
use r53_plugin::schema::{Attribute, Block, Nesting, Presence, Schema};
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Resource, Type, Value};
use r53_zone::name::normalise;
use r53_zone::{RecordSet, RecordType};

use crate::common::*;
use crate::meta::Meta;
use crate::record_set::{check, record_state, to_record};

/// How long a failed or stopped apply may spend reading what landed before it answers Terraform.
const PARTIAL_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

pub struct RecordsResource;

pub const TYPE_NAME: &str = "r53_records";
/// The zone model's defaults, shared with r53-migrate.
const DEFAULT_MAX_CHANGE_PERCENT: i64 = r53_zone::plan::DEFAULT_MAX_CHANGE_PERCENT as i64;
use r53_zone::plan::{is_apex_soa_ns, SAFETY_MIN_SETS};

/// The `record` block: `r53_record`'s arguments without the per-resource ones.
fn record_block() -> Block {
    let full = crate::record_set::schema().block;
    let mut b = Block::new("One record set (same arguments as `r53_record`). Each name/type/set identifier may appear once.");
    for a in full.attributes {
        if ["id", "zone_id", "fqdn", "allow_overwrite"].contains(&a.name.as_str()) {
            continue;
        }
        b.attributes.push(Attribute {
            force_new: false,
            ..a
        });
    }
    for mut nb in full.blocks {
        // Plain optional inside the block: an unset argument stays unset in plans and state.
        for a in nb.block.attributes.iter_mut() {
            if a.presence == Presence::OptionalComputed {
                a.presence = Presence::Optional;
            }
        }
        b.blocks.push(nb);
    }
    b
}

pub fn schema() -> Schema {
    Schema::new(
        0,
        Block::new(
            "Many record sets of one hosted zone, managed together and written in as few change batches as Route 53 allows \
             (1,000 records / 32,000 characters per batch). The plan shows one entry per record set.\n\n\
             The `record` blocks are a list, kept in the order written: Terraform compares lists element by element, which keeps \
             plans fast at 10,000 record sets (sets are compared pairwise). Reordering blocks shows in the plan but writes nothing \
             to Route 53. `terraform import` lists the record sets in Route 53's order, the order `r53-migrate export-tf` writes.",
        )
        .attr(Attribute::new("id", Type::String, "The hosted zone ID.").computed())
        .attr(Attribute::new("zone_id", Type::String, "ID of the hosted zone.").required().force_new())
        .attr(Attribute::new(
            "mode",
            Type::String,
            "`additive` (default): manage only the declared record sets and leave others alone; an existing record set that already \
             matches its declaration is adopted without a write, one that differs is refused (never silently taken over). \
             `exclusive`: the declared record sets are the whole zone (except the apex SOA and NS); anything else is deleted. \
             `terraform import` with the zone ID imports every record set in exclusive mode.",
        ).optional())
        .attr(Attribute::new(
            "max_change_percent",
            Type::Number,
            "Refuse to plan deleting or updating more than this share of the existing record sets of a zone with at least 10 record sets. Default 30.",
        ).optional())
        .attr(Attribute::new(
            "allow_mass_change",
            Type::Bool,
            "Allow a change over `max_change_percent`, and changes to the apex NS records. Default `false`.",
        ).optional())
        .attr(Attribute::new("zone_name", Type::String, "The zone's domain name.").computed())
        // A list, not a set: Terraform core matches set elements pairwise (quadratic; hours at 10,000
        // record sets) but list elements by index. The provider keeps the order stable instead.
        .block("record", Nesting::List, 0, 0, record_block()),
    )
}

type Key = (String, String, Option<String>);

fn key(b: &Value) -> Key {
    (
        normalise(b.get("name").as_str().unwrap_or_default()),
        b.get("type")
            .as_str()
            .unwrap_or_default()
            .to_ascii_uppercase(),
        b.get("set_identifier").as_str().map(str::to_string),
    )
}

fn rs_key(r: &RecordSet) -> Key {
    (r.name.clone(), r.ty.to_string(), r.set_identifier.clone())
}

fn label(k: &Key) -> String {
    format!(
        "{} {}{}",
        k.0,
        k.1,
        k.2.as_ref().map(|s| format!(" ({s})")).unwrap_or_default()
    )
}

fn blocks(v: &Value) -> BTreeMap<Key, &Value> {
    v.get("record")
        .elements()
        .iter()
        .map(|b| (key(b), b))
        .collect()
}

fn exclusive(v: &Value) -> bool {
    v.get("mode").as_str() == Some("exclusive")
}

/// A record set in state form, for a `record` block (keeping the user's spelling from `base`).
fn block_state(zone_id: &str, rs: &RecordSet, base: &Value) -> Value {
    let mut s = record_state(zone_id, rs, base);
    if let Value::Object(m) = &mut s {
        for k in ["id", "zone_id", "fqdn", "allow_overwrite"] {
            m.remove(k);
        }
    }
    // evaluate_target_health is plain optional here: unset in config and false live stay unset.
    if let Some(Value::List(al)) = s.get_mut("alias") {
        if let Some(a) = al.first_mut() {
            let base_eth = base
                .get("alias")
                .elements()
                .first()
                .map(|b| b.get("evaluate_target_health").clone())
                .unwrap_or_default();
            if base_eth.is_null() && a.get("evaluate_target_health") == &Value::Bool(false) {
                a.set("evaluate_target_health", Value::Null);
            }
        }
    }
    s
}

/// What a plan would change, compared by key and meaning.
struct Delta {
    deletes: Vec<Key>,
    updates: Vec<Key>,
}

fn delta(prior: &Value, planned: &Value) -> Delta {
    let (old, new) = (blocks(prior), blocks(planned));
    let mut deletes = Vec::new();
    let mut updates = Vec::new();
    for (k, ob) in &old {
        match new.get(k) {
            None => deletes.push(k.clone()),
            Some(nb) if nb.is_wholly_known() => {
                let (a, b) = (to_record(ob), to_record(nb));
                if let (Ok(a), Ok(b)) = (a, b) {
                    if !same_record(&a, &b) {
                        updates.push(k.clone());
                    }
                }
            }
            Some(_) => updates.push(k.clone()),
        }
    }
    Delta { deletes, updates }
}

/// The safety check (pure): too large a share of an existing zone, or the apex NS.
fn safety(prior: &Value, planned: &Value, apex: Option<&str>) -> Diagnostics {
    let mut d = Diagnostics::new();
    if planned.get("allow_mass_change").as_bool() == Some(true) {
        return d;
    }
    let existing = prior.get("record").elements().len();
    let Delta {
        deletes, updates, ..
    } = delta(prior, planned);
    let pct = planned
        .get("max_change_percent")
        .as_i64()
        .unwrap_or(DEFAULT_MAX_CHANGE_PERCENT);
    let changed = deletes.len() + updates.len();
    if existing >= SAFETY_MIN_SETS && (changed as i64) * 100 > pct * existing as i64 {
        let mut list: Vec<String> = deletes
            .iter()
            .map(|k| format!("  delete {}", label(k)))
            .collect();
        list.extend(updates.iter().map(|k| format!("  update {}", label(k))));
        let shown = list.len().min(50);
        let more = if list.len() > shown {
            format!("\n  … and {} more", list.len() - shown)
        } else {
            String::new()
        };
        d.error_at(
            AttrPath::attr("record"),
            "Mass change refused",
            format!(
                "This plan deletes {} and updates {} of the {existing} record sets ({}%), over max_change_percent = {pct}%:\n{}{more}\n\
                 If that is intended, set allow_mass_change = true for this apply.",
                deletes.len(),
                updates.len(),
                changed * 100 / existing,
                list[..shown].join("\n")
            ),
        );
    }
    if let Some(apex) = apex {
        let apex = normalise(apex);
        fn apex_ns<'a>(v: &'a Value, apex: &str) -> Option<&'a Value> {
            v.get("record")
                .elements()
                .iter()
                .find(|b| key(b).0 == apex && key(b).1 == "NS")
        }
        let (a, b) = (apex_ns(prior, &apex), apex_ns(planned, &apex));
        let changed = match (&a, &b) {
            (None, None) => false,
            (Some(x), Some(y)) => match (to_record(x), to_record(y)) {
                (Ok(x), Ok(y)) => !same_record(&x, &y),
                _ => true,
            },
            _ => true,
        };
        if changed {
            d.error_at(
                AttrPath::attr("record"),
                "Apex NS change refused",
                format!(
                    "This plan changes the NS records at the zone apex ({apex}). Those are the name servers the parent zone delegates to; \
                     a mistake takes the whole domain offline. Set allow_mass_change = true if this is intended."
                ),
            );
        }
    }
    d
}

/// Up to 50 lines of a list, then how many more.
fn list50(items: &[String]) -> String {
    let shown = items.len().min(50);
    let mut out: Vec<String> = items[..shown].iter().map(|s| format!("  {s}")).collect();
    if items.len() > shown {
        out.push(format!("  … and {} more", items.len() - shown));
    }
    out.join("\n")
}

/// The rules that need the zone's name (apex CNAME, a name outside the zone...) for the `i`th
/// `record` block, at `record[i]`'s attribute.
fn block_rules(i: usize, b: &Value, zone_name: &str) -> Diagnostics {
    let mut d = Diagnostics::new();
    for e in check(b, Some(zone_name)).0 {
        let mut path = AttrPath::attr("record").index(i as i64);
        if let Some(p) = e.path {
            path.0.extend(p.0);
        }
        d.push(
            Diagnostic::error(
                e.summary,
                format!("record {}: {}", label(&key(b)), e.detail),
            )
            .at(path),
        );
    }
    d
}

/// The mass-change and apex-NS rules against the apply-time listing, for the changes about to be
/// sent (pure). `None` when they may go.
fn apply_safety(
    planned: &Value,
    live: &[RecordSet],
    changes: &[Change],
    prior_blocks: &BTreeMap<Key, &Value>,
    want_keys: &BTreeSet<Key>,
    zone_name: &str,
) -> Option<Diagnostic> {
    if planned.get("allow_mass_change").as_bool() == Some(true) {
        return None;
    }
    let apex = normalise(zone_name);
    if changes.iter().any(|c| {
        matches!(c, Change::Create(r) | Change::Upsert(r) | Change::Delete(r) if r.name == apex && r.ty == RecordType::Ns)
    }) {
        return Some(
            Diagnostic::error(
                "Apex NS change refused",
                format!(
                    "This apply would change the NS records at the zone apex ({apex}), the name servers the parent delegates to. \
                     Set allow_mass_change = true if this is intended."
                ),
            )
            .at(AttrPath::attr("record")),
        );
    }
    // The share is of the record sets this resource manages, as they are now: the whole zone but
    // the apex SOA/NS (exclusive), or the declared and previously managed ones (additive).
    let existing = live
        .iter()
        .filter(|r| !is_apex_soa_ns(r, zone_name))
        .filter(|r| {
            exclusive(planned)
                || want_keys.contains(&rs_key(r))
                || prior_blocks.contains_key(&rs_key(r))
        })
        .count();
    let changed: Vec<String> = changes
        .iter()
        .filter_map(|c| match c {
            Change::Upsert(r) => Some(format!("update {}", label(&rs_key(r)))),
            Change::Delete(r) => Some(format!("delete {}", label(&rs_key(r)))),
            Change::Create(_) => None,
        })
        .collect();
    let pct = planned
        .get("max_change_percent")
        .as_i64()
        .unwrap_or(DEFAULT_MAX_CHANGE_PERCENT);
    if existing >= SAFETY_MIN_SETS && (changed.len() as i64) * 100 > pct * existing as i64 {
        return Some(
            Diagnostic::error(
                "Mass change refused",
                format!(
                    "The zone changed since the plan: against its {existing} record sets now, this apply would delete or update {} \
                     ({}%), over max_change_percent = {pct}%. Nothing was written:\n{}\n\
                     Run terraform plan again to see the zone as it is, or set allow_mass_change = true.",
                    changed.len(),
                    changed.len() * 100 / existing,
                    list50(&changed)
                ),
            )
            .at(AttrPath::attr("record")),
        );
    }
    None
}

impl RecordsResource {
    /// The zone's name, or None when the zone is gone.
    async fn zone_name(
        c: &Call,
        meta: &Meta,
        zone_id: &str,
    ) -> Result<Option<String>, Diagnostics> {
        match meta.aws.route53.find_hosted_zone_by_id(c, zone_id).await {
            Ok(z) => Ok(Some(z.name)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(api_diag(&format!("Reading hosted zone {zone_id}"), &e).into()),
        }
    }

    /// The zone's record sets and name, or None when the zone is gone.
    async fn fetch(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        zone_id: &str,
    ) -> Result<Option<(Vec<RecordSet>, String)>, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        let Some(zone_name) = Self::zone_name(&c, meta, zone_id).await? else {
            return Ok(None);
        };
        let sets = meta
            .aws
            .route53
            .list_record_sets(&c, zone_id)
            .await
            .map_err(|e| api_diag(&format!("Listing record sets of {zone_id}"), &e))?;
        Ok(Some((sets, zone_name)))
    }

    /// The live state: declared record sets (additive) or the whole zone but apex SOA/NS (exclusive).
    async fn live(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        base: Value,
    ) -> Result<Option<Value>, Diagnostics> {
        self.live_under(meta, &call(ctx, READ_TIMEOUT), base).await
    }

    /// [`Self::live`] under a given call (a failed apply reads what landed under one that Stop has
    /// not cancelled).
    async fn live_under(
        &self,
        meta: &Meta,
        c: &Call,
        mut base: Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let zone_id =
            r53_core::route53::strip_zone_id(base.get("zone_id").as_str().unwrap_or_default());
        let Some(zone_name) = Self::zone_name(c, meta, &zone_id).await? else {
            return Ok(None);
        };
        let excl = exclusive(&base) || base.get("record").is_null();
        // Declared record sets keep their order in `base` (the configuration's order, so a no-op plan
        // stays empty); undeclared ones (exclusive mode, import) follow in Route 53's listing order,
        // which is also the order `r53-migrate export-tf` writes. Each listed set becomes state as
        // its page arrives, and the block it replaces is freed then: 10,000 of them are never all
        // held twice.
        let mut declared = match base.get_mut("record").map(std::mem::take) {
            Some(Value::List(v)) => v,
            _ => Vec::new(),
        };
        let index: BTreeMap<Key, usize> = declared
            .iter()
            .enumerate()
            .map(|(i, b)| (key(b), i))
            .collect();
        let mut slots: Vec<Option<Value>> = vec![None; declared.len()];
        let mut extra = Vec::new();
        meta.aws
            .route53
            .each_record_set(c, &zone_id, |r| {
                if is_apex_soa_ns(&r, &zone_name) {
                    return;
                }
                match index.get(&rs_key(&r)) {
                    Some(&i) => {
                        slots[i] = Some(block_state(&zone_id, &r, &declared[i]));
                        declared[i] = Value::Null;
                    }
                    None if excl => extra.push(block_state(&zone_id, &r, &Value::Null)),
                    None => {}
                }
            })
            .await
            .map_err(|e| api_diag(&format!("Listing record sets of {zone_id}"), &e))?;
        drop((index, declared));
        let mut out: Vec<Value> = Vec::with_capacity(slots.len() + extra.len());
        out.extend(slots.into_iter().flatten());
        out.extend(extra);
        let mut s = Value::Object(Default::default());
        for k in ["mode", "max_change_percent", "allow_mass_change"] {
            s.set(k, base.get(k).clone());
        }
        s.set("id", Value::string(&zone_id));
        s.set(
            "zone_id",
            Value::string(base.get("zone_id").as_str().unwrap_or(&zone_id)),
        );
        s.set("record", Value::List(out));
        s.set("zone_name", Value::string(&zone_name));
        Ok(Some(s))
    }

    /// Plan-time checks of a create against the zone as it is (one listing): a declared set that
    /// exists with other values, the apex NS, and — exclusive mode — a warning naming the zone's
    /// undeclared record sets. A first exclusive apply never deletes them: Terraform plans again
    /// during apply and passes only that second plan's private data to the apply, so a list made
    /// here could not bound what the apply deletes, and a create's planned value cannot hold them.
    /// The next plan (its refresh reads the whole zone) shows each deletion; importing the zone
    /// first (an `import` block) shows them in this plan. Either way every deletion is in a plan's
    /// diff and the apply deletes no more than that.
    async fn plan_create(
        &self,
        meta: &Meta,
        c: &Call,
        zone_id: &str,
        zone_name: &str,
        planned: &Value,
        d: &mut Diagnostics,
    ) {
        let excl = exclusive(planned);
        let allow = planned.get("allow_mass_change").as_bool() == Some(true);
        let apex = normalise(zone_name);
        let declared = planned.get("record").elements();
        let index: BTreeMap<Key, usize> = declared
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_wholly_known())
            .map(|(i, b)| (key(b), i))
            .collect();
        let mut undeclared = Vec::new();
        let mut taken = Vec::new();
        let mut live_apex_ns = None;
        let listed = meta
            .aws
            .route53
            .each_record_set(c, zone_id, |r| {
                let k = rs_key(&r);
                if let Some(&i) = index.get(&k) {
                    if !to_record(&declared[i]).is_ok_and(|w| same_record(&w, &r)) {
                        taken.push(i);
                    }
                }
                if r.name == apex && r.ty == RecordType::Ns {
                    live_apex_ns = Some(r);
                } else if excl && !is_apex_soa_ns(&r, zone_name) && !index.contains_key(&k) {
                    undeclared.push(label(&k));
                }
            })
            .await;
        if let Err(e) = listed {
            d.push(api_diag(&format!("Listing record sets of {zone_id}"), &e));
            return;
        }
        for i in taken {
            let k = key(&declared[i]);
            if k.0 == apex && k.1 == "NS" {
                continue; // the apex NS rule below says it better
            }
            d.error_at(
                AttrPath::attr("record").index(i as i64),
                format!("Record set {} already exists", label(&k)),
                "It exists with other values and this resource did not create it. Import the zone's record sets \
                 (an import block or terraform import with the zone ID) so the plan shows the change, or remove it from \
                 the configuration.",
            );
        }
        if !allow {
            if let Some(i) = index.get(&(apex.clone(), "NS".to_string(), None)) {
                let same = live_apex_ns
                    .as_ref()
                    .is_some_and(|l| to_record(&declared[*i]).is_ok_and(|w| same_record(&w, l)));
                if !same {
                    d.error_at(
                        AttrPath::attr("record").index(*i as i64),
                        "Apex NS change refused",
                        format!(
                            "This plan changes the NS records at the zone apex ({apex}). Those are the name servers the parent zone \
                             delegates to; a mistake takes the whole domain offline. Set allow_mass_change = true if this is intended."
                        ),
                    );
                }
            }
        }
        if !undeclared.is_empty() {
            d.push(
                Diagnostic::warning(
                    format!("{} undeclared record set(s) are not deleted by this apply", undeclared.len()),
                    format!(
                        "Zone {zone_name} has record sets this configuration does not declare:\n{}\n\
                         mode = \"exclusive\" makes the declared record sets the whole zone, but a first apply leaves these alone: \
                         its plan cannot list their deletion. After this apply, the next plan shows each one's deletion. To delete \
                         them in this run instead, import the zone first, so this plan lists each deletion:\n  \
                         import {{\n    to = {TYPE_NAME}.NAME\n    id = \"{zone_id}\"\n  }}",
                        list50(&undeclared)
                    ),
                )
                .at(AttrPath::attr("mode")),
            );
        }
    }

    /// Applies the plan: writes only what the plan showed (creates, updates, deletes of the keys
    /// that differ between `prior` and `planned`), against the zone as it is now. What changed in
    /// the zone since the plan and the plan did not show is left alone, with a warning; the next
    /// plan shows it.
    async fn converge(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let zone_id =
            r53_core::route53::strip_zone_id(planned.get("zone_id").as_str().unwrap_or_default());
        let what = format!("Applying {TYPE_NAME} to zone {zone_id}");
        let c = call(ctx, READ_TIMEOUT);
        let zone_name = match crate::zone_lookup::zone_name(meta, &c, &zone_id).await {
            Ok(Some(n)) => n,
            Ok(None) => {
                return Err(Diagnostic::error(
                    what,
                    format!("hosted zone {zone_id} does not exist"),
                )
                .into())
            }
            Err(e) => return Err(api_diag(&format!("Reading hosted zone {zone_id}"), &e).into()),
        };
        let live = meta
            .aws
            .route53
            .list_record_sets(&c, &zone_id)
            .await
            .map_err(|e| api_diag(&format!("Listing record sets of {zone_id}"), &e))?;
        // Full rules, now that the zone's name is known; nothing is written if any set is invalid.
        // (Checked at plan already when the zone ID was known; this is the fallback for a zone
        // created in the same run.)
        let mut d = Diagnostics::new();
        let mut want = Vec::new();
        for (i, b) in planned.get("record").elements().iter().enumerate() {
            d.extend(block_rules(i, b, &zone_name));
            if let Ok(rs) = to_record(b) {
                want.push(rs);
            }
        }
        if d.has_errors() {
            return Err(d.into());
        }
        let live_by: BTreeMap<Key, &RecordSet> = live.iter().map(|r| (rs_key(r), r)).collect();
        let want_keys: BTreeSet<Key> = want.iter().map(rs_key).collect();
        let prior_blocks = blocks(prior);
        let mut changes = Vec::new();
        let mut refused = Diagnostics::new();
        // Sets the plan showed unchanged that changed (or vanished) in the zone since.
        let mut drifted = Vec::new();
        for w in want {
            let k = rs_key(&w);
            let shown_unchanged = prior_blocks
                .get(&k)
                .and_then(|b| to_record(b).ok())
                .is_some_and(|p| same_record(&p, &w));
            match live_by.get(&k) {
                Some(l) if same_record(l, &w) => {}
                _ if shown_unchanged => drifted.push(k),
                // Never silently take over a record set someone else made (both modes: the plan
                // showed a create, not the replacement of another's values).
                Some(_) if !prior_blocks.contains_key(&k) => refused.push(
                    Diagnostic::error(
                        format!("Record set {} already exists", label(&k)),
                        "It exists with other values and this resource did not create it. Import the zone's record sets \
                         (terraform import with the zone ID, or an import block) so the plan shows the change, or remove it \
                         from the configuration.",
                    )
                    .at(AttrPath::attr("record")),
                ),
                Some(_) => changes.push(Change::Upsert(w)),
                None => changes.push(Change::Create(w)),
            }
        }
        // Deleted: what the plan showed deleted (in the prior state, not planned), as it is now
        // (a DELETE must match the live values). Never a set the plan did not know.
        for k in prior_blocks.keys() {
            if !want_keys.contains(k) {
                if let Some(l) = live_by.get(k) {
                    if !is_apex_soa_ns(l, &zone_name) {
                        changes.push(Change::Delete((*l).clone()));
                    }
                }
            }
        }
        if exclusive(&planned) {
            let unknown: Vec<String> = live
                .iter()
                .filter(|r| {
                    !is_apex_soa_ns(r, &zone_name)
                        && !want_keys.contains(&rs_key(r))
                        && !prior_blocks.contains_key(&rs_key(r))
                })
                .map(|r| label(&rs_key(r)))
                .collect();
            if !unknown.is_empty() {
                ctx.warn(Diagnostic::warning(
                    format!("{} record set(s) not in the plan left alone", unknown.len()),
                    format!(
                        "Zone {zone_name} has record sets this plan did not know (created after the plan was made); this \
                         apply leaves them as they are. The next plan shows their deletion (mode = \"exclusive\"):\n{}",
                        list50(&unknown)
                    ),
                ));
            }
        }
        if !drifted.is_empty() {
            let names: Vec<String> = drifted.iter().map(label).collect();
            ctx.warn(Diagnostic::warning(
                format!("{} record set(s) changed since the plan left alone", names.len()),
                format!(
                    "These record sets were unchanged in the plan but differ in zone {zone_name} now (changed or deleted \
                     after the plan was made); this apply does not write them. The next plan shows the difference:\n{}",
                    list50(&names)
                ),
            ));
        }
        // The safety checks again, against the zone as it is now: the plan judged its own view, and
        // the zone may have changed since (a shrunken zone makes the same changes a larger share).
        if let Some(e) = apply_safety(
            &planned,
            &live,
            &changes,
            &prior_blocks,
            &want_keys,
            &zone_name,
        ) {
            return Err(e.into());
        }
        drop(prior_blocks);
        let c = call(ctx, CREATE_TIMEOUT);
        let results = meta.aws.zones.apply_changes(&c, &zone_id, &changes).await;
        let mut failed = refused;
        for (ch, r) in changes.iter().zip(results) {
            if let Err(e) = r {
                let (verb, rs) = match ch {
                    Change::Create(r) => ("create", r),
                    Change::Upsert(r) => ("update", r),
                    Change::Delete(r) => ("delete", r),
                };
                failed.push(
                    Diagnostic::error(
                        format!("Could not {verb} record set {}", label(&rs_key(rs))),
                        e.to_string(),
                    )
                    .at(AttrPath::attr("record")),
                );
            }
        }
        tracing::info!(
            zone_id,
            changes = changes.len(),
            failed = failed.0.len(),
            "r53_records applied"
        );
        if failed.has_errors() {
            // State shows what is really there now, so the next plan shows exactly what is left.
            // Under a call of its own: after Stop the apply's call is cancelled, and the state must
            // still say what landed, or the next plan would create it again.
            let read = Call::uncancellable(PARTIAL_READ_TIMEOUT);
            let partial = self.live_under(meta, &read, planned).await.ok().flatten();
            return Err(Failure {
                diags: failed,
                partial,
            });
        }
        // Free the working copies before the state copy is made (peak memory at 10,000 sets).
        drop(live_by);
        drop((want_keys, changes));
        drop(live);
        let mut s = planned;
        s.set("id", Value::string(&zone_id));
        s.set("zone_name", Value::string(&zone_name));
        Ok(s)
    }
}

#[async_trait]
impl Resource<Meta> for RecordsResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        match config.get("mode").as_str() {
            None | Some("additive") | Some("exclusive") => {}
            Some(m) => d.error_at(
                AttrPath::attr("mode"),
                "Invalid mode",
                format!("mode must be \"additive\" or \"exclusive\", not {m:?}"),
            ),
        }
        if let Some(p) = config.get("max_change_percent").as_i64() {
            if !(0..=100).contains(&p) {
                d.error_at(
                    AttrPath::attr("max_change_percent"),
                    "Invalid max_change_percent",
                    format!("must be from 0 to 100, not {p}"),
                );
            }
        }
        let mut seen = BTreeSet::new();
        for b in config.get("record").elements() {
            if !b.is_wholly_known() {
                continue;
            }
            let k = key(b);
            if !seen.insert(k.clone()) {
                d.error_at(
                    AttrPath::attr("record"),
                    "Duplicate record set",
                    format!(
                        "{} is declared twice; merge the values into one record block",
                        label(&k)
                    ),
                );
            }
            for e in check(b, None).0 {
                d.push(
                    Diagnostic::error(e.summary, format!("record {}: {}", label(&k), e.detail))
                        .at(AttrPath::attr("record")),
                );
            }
        }
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if prior.is_null() {
            return;
        }
        planned.set("id", prior.get("id").clone());
        planned.set("zone_name", prior.get("zone_name").clone());
        d.extend(safety(prior, planned, prior.get("zone_name").as_str()));
    }

    async fn plan_with_api(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: &mut Value,
        d: &mut Diagnostics,
    ) {
        // Unknown zone ID (a zone created in the same run): the apply checks these rules.
        let Some(zone_name) = crate::zone_lookup::planned_zone_name(meta, ctx, planned, d).await
        else {
            return;
        };
        for (i, b) in planned.get("record").elements().iter().enumerate() {
            d.extend(block_rules(i, b, &zone_name));
        }
        if d.has_errors() {
            return;
        }
        if prior.is_null() {
            planned.set("zone_name", Value::string(&zone_name));
            let zone_id = r53_core::route53::strip_zone_id(
                planned.get("zone_id").as_str().unwrap_or_default(),
            );
            let c = call(ctx, READ_TIMEOUT);
            self.plan_create(meta, &c, &zone_id, &zone_name, planned, d)
                .await;
        }
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        self.converge(meta, ctx, &Value::Null, planned).await
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        self.live(meta, ctx, state.clone()).await
    }

    async fn read_owned(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: Value,
    ) -> Result<Option<Value>, Diagnostics> {
        self.live(meta, ctx, state).await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        self.converge(meta, ctx, prior, planned).await
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        // Deletes the record sets this resource manages (in exclusive mode: everything but the apex SOA/NS).
        let zone_id =
            r53_core::route53::strip_zone_id(prior.get("zone_id").as_str().unwrap_or_default());
        let Some((live, zone_name)) = self.fetch(meta, ctx, &zone_id).await? else {
            return Ok(Diagnostics::new());
        };
        let managed: BTreeSet<Key> = blocks(prior).into_keys().collect();
        let changes: Vec<Change> = live
            .into_iter()
            .filter(|r| !is_apex_soa_ns(r, &zone_name) && managed.contains(&rs_key(r)))
            .map(Change::Delete)
            .collect();
        let c = call(ctx, DELETE_TIMEOUT);
        let mut d = Diagnostics::new();
        for (ch, r) in changes
            .iter()
            .zip(meta.aws.zones.apply_changes(&c, &zone_id, &changes).await)
        {
            if let (Err(e), Change::Delete(rs)) = (r, ch) {
                d.push(Diagnostic::error(
                    format!("Could not delete record set {}", label(&rs_key(rs))),
                    e.to_string(),
                ));
            }
        }
        if d.has_errors() {
            Err(d)
        } else {
            Ok(d)
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let zone_id = r53_core::route53::strip_zone_id(id.trim());
        let mut base = Value::Object(Default::default());
        base.set("zone_id", Value::string(&zone_id));
        // Importing takes the whole zone, which is what exclusive mode means. (Additive mode needs no
        // import: it adopts existing record sets that already match the configuration.)
        base.set("mode", Value::string("exclusive"));
        // No `record` yet: every record set but the apex SOA/NS is imported.
        match self.live(meta, ctx, base).await? {
            Some(s) => Ok(s),
            None => Err(Diagnostic::error(
                "Cannot import record sets",
                format!("no hosted zone with ID {zone_id}"),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(records: serde_json::Value, extra: serde_json::Value) -> Value {
        let mut j = serde_json::json!({"zone_id": "Z1", "record": records});
        if let (Some(o), Some(e)) = (j.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    fn a(i: usize, v: &str) -> serde_json::Value {
        serde_json::json!({"name": format!("h{i}.example.com"), "type": "A", "ttl": 60, "records": [v]})
    }

    #[test]
    fn safety_counts_deletes_and_updates() {
        let prior = st(
            serde_json::json!((0..10).map(|i| a(i, "192.0.2.1")).collect::<Vec<_>>()),
            serde_json::json!({}),
        );
        // 3 of 10 changed: allowed at 30 %
        let ok = st(
            serde_json::json!((0..10)
                .map(|i| a(i, if i < 3 { "192.0.2.2" } else { "192.0.2.1" }))
                .collect::<Vec<_>>()),
            serde_json::json!({}),
        );
        assert!(safety(&prior, &ok, None).is_empty());
        // 2 updated + 2 deleted = 40 %: refused, with the list
        let bad = st(
            serde_json::json!((0..8)
                .map(|i| a(i, if i < 2 { "192.0.2.2" } else { "192.0.2.1" }))
                .collect::<Vec<_>>()),
            serde_json::json!({}),
        );
        let d = safety(&prior, &bad, None);
        assert!(d.has_errors());
        assert!(
            d.0[0].detail.contains("deletes 2 and updates 2 of the 10"),
            "{}",
            d.0[0].detail
        );
        assert!(
            d.0[0].detail.contains("delete h9.example.com A"),
            "{}",
            d.0[0].detail
        );
        let allowed = st(
            serde_json::json!((0..8).map(|i| a(i, "192.0.2.2")).collect::<Vec<_>>()),
            serde_json::json!({"allow_mass_change": true}),
        );
        assert!(safety(&prior, &allowed, None).is_empty());
    }

    #[test]
    fn apex_ns_change_is_refused() {
        let ns = |v: &str| serde_json::json!({"name": "example.com", "type": "NS", "ttl": 172800, "records": [v]});
        let prior = st(
            serde_json::json!([ns("ns1.example.net")]),
            serde_json::json!({}),
        );
        let planned = st(
            serde_json::json!([ns("ns2.example.net")]),
            serde_json::json!({}),
        );
        let d = safety(&prior, &planned, Some("example.com"));
        assert!(d.0.iter().any(|x| x.summary == "Apex NS change refused"));
    }

    fn rs(name: &str, ty: RecordType, v: &str) -> RecordSet {
        RecordSet {
            name: name.into(),
            ty,
            ttl: Some(60),
            values: vec![v.into()],
            alias: None,
            set_identifier: None,
            routing: None,
            health_check_id: None,
        }
    }

    /// The plan judged 6 updates of 20 sets (30 %) fine; by the apply 8 of the others were gone,
    /// so the same 6 updates are 50 % of the zone as it is: refused before any write.
    #[test]
    fn apply_safety_judges_the_zone_as_it_is_now() {
        let planned = st(
            serde_json::json!((0..20).map(|i| a(i, "192.0.2.9")).collect::<Vec<_>>()),
            serde_json::json!({"mode": "exclusive"}),
        );
        let prior = st(
            serde_json::json!((0..20).map(|i| a(i, "192.0.2.1")).collect::<Vec<_>>()),
            serde_json::json!({"mode": "exclusive"}),
        );
        let prior_blocks = blocks(&prior);
        let want: BTreeSet<Key> = blocks(&planned).into_keys().collect();
        let set = |i: usize| rs(&format!("h{i}.example.com"), RecordType::A, "192.0.2.1");
        let soa = rs("example.com", RecordType::Soa, "ns. host. 1 2 3 4 5");
        let updates: Vec<Change> = (0..6).map(|i| Change::Upsert(set(i))).collect();
        let whole: Vec<RecordSet> = (0..20).map(set).chain([soa.clone()]).collect();
        assert!(apply_safety(
            &planned,
            &whole,
            &updates,
            &prior_blocks,
            &want,
            "example.com"
        )
        .is_none());
        let shrunk: Vec<RecordSet> = (0..12).map(set).chain([soa]).collect();
        let e = apply_safety(
            &planned,
            &shrunk,
            &updates,
            &prior_blocks,
            &want,
            "example.com",
        )
        .expect("refused");
        assert_eq!(e.summary, "Mass change refused");
        assert!(
            e.detail.contains("against its 12 record sets now")
                && e.detail.contains("update h0.example.com A"),
            "{}",
            e.detail
        );
        // allow_mass_change lifts it
        let allowed = st(
            serde_json::json!((0..20).map(|i| a(i, "192.0.2.9")).collect::<Vec<_>>()),
            serde_json::json!({"mode": "exclusive", "allow_mass_change": true}),
        );
        assert!(apply_safety(
            &allowed,
            &shrunk,
            &updates,
            &prior_blocks,
            &want,
            "example.com"
        )
        .is_none());
        // the apex NS, whatever the share
        let ns = vec![Change::Upsert(rs(
            "example.com",
            RecordType::Ns,
            "ns1.example.net",
        ))];
        let e = apply_safety(&planned, &whole, &ns, &prior_blocks, &want, "example.com")
            .expect("refused");
        assert_eq!(e.summary, "Apex NS change refused");
    }

    #[test]
    fn zone_rules_point_at_the_record_block() {
        let c = st(
            serde_json::json!([a(1, "192.0.2.1"), {"name": "example.com", "type": "CNAME", "ttl": 60, "records": ["x.example.net"]}]),
            serde_json::json!({}),
        );
        assert!(
            RecordsResource.validate(&c).is_empty(),
            "the apex is unknown without the zone"
        );
        let b = &c.get("record").elements()[1];
        let d = block_rules(1, b, "example.com");
        assert!(d.has_errors());
        assert_eq!(
            d.0[0].path.as_ref().map(|p| p.to_string()).as_deref(),
            Some("record[1].type")
        );
        assert!(
            d.0[0].detail.contains("CNAME cannot be at the zone apex"),
            "{}",
            d.0[0].detail
        );
        assert!(block_rules(0, &c.get("record").elements()[0], "example.com").is_empty());
    }

    #[test]
    fn duplicates_and_bad_mode_are_invalid() {
        let c = st(
            serde_json::json!([a(1, "192.0.2.1"), a(1, "192.0.2.2")]),
            serde_json::json!({"mode": "owned"}),
        );
        let d = RecordsResource.validate(&c);
        let s: Vec<_> = d.0.iter().map(|x| x.summary.as_str()).collect();
        assert!(
            s.contains(&"Invalid mode") && s.contains(&"Duplicate record set"),
            "{s:?}"
        );
    }
}
