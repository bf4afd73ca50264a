//! `r53_records`: many record sets of one zone in one resource, applied in as few change batches as
//! Route 53's limits allow. `mode = "additive"` (default) touches only what it declares;
//! `"exclusive"` owns the zone except the apex SOA and NS. Plan-time safety refuses mass changes and
//! apex NS changes unless `allow_mass_change = true`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use async_trait::async_trait;
use r53_core::route53::same_record;
use r53_core::{Call, Change};
use r53_plugin::framework::Failure;
use r53_plugin::schema::{Attribute, Block, Nesting, Presence, Schema};
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Resource, Value};
use r53_zone::name::normalise;
use r53_zone::{RecordKey, RecordSet, RecordType};

use crate::common::*;
use crate::meta::Meta;
use crate::record_set::to_record;

mod blocks;
mod model;
mod rules;
use blocks::{at, block_state, blocks, entries, free_label, key, upgrade_v0, PER_RESOURCE};
use model::{Records, RECORD};
use rules::{apply_safety, block_rules, list50, refusals, safety};

/// How long a failed or stopped apply may spend reading what landed before it answers Terraform.
const PARTIAL_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

pub(crate) struct RecordsResource;

pub(crate) const TYPE_NAME: &str = "r53_records";
use r53_zone::plan::{self, is_apex_soa_ns};

/// The `record` block: `r53_record`'s arguments without the per-resource ones.
fn record_block() -> Block {
    let full = crate::record_set::schema().block;
    let mut b = Block::new("One record set (same arguments as `r53_record`). Each name/type/set identifier may appear once.");
    for a in full.attributes {
        if PER_RESOURCE.contains(&a.name.as_str()) {
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
    // Keyed blocks, not a list (an insertion shifts every later index, and the plan shows them
    // all) nor a set (Terraform core matches set elements pairwise: hours at 10,000 sets).
    Schema::new(
        1,
        Records::block().block(RECORD, Nesting::Map, 0, 0, record_block()),
    )
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
        let args = Records::from_value(&base)?;
        let zone_id = r53_core::route53::strip_zone_id(args.zone_id.as_str().unwrap_or_default());
        let Some(zone_name) = Self::zone_name(c, meta, &zone_id).await? else {
            return Ok(None);
        };
        let excl = args.exclusive() || base.get(RECORD).is_null();
        // Declared record sets keep their labels; undeclared ones (exclusive mode, import) get the
        // label `import` and `r53-migrate export-tf` give them. Each listed set becomes state as its
        // page arrives, and the block it replaces is freed then: 10,000 of them are never all held
        // twice.
        let mut declared: Vec<(std::sync::Arc<str>, Value)> =
            match base.get_mut(RECORD).map(std::mem::take) {
                Some(Value::Map(m)) => m.into_iter().collect(),
                _ => Vec::new(),
            };
        let index: HashMap<RecordKey, usize> = declared
            .iter()
            .enumerate()
            .filter_map(|(i, (_, b))| key(b).map(|k| (k, i)))
            .collect();
        let mut used: HashSet<String> = declared.iter().map(|(l, _)| l.to_string()).collect();
        let mut out: Vec<(std::sync::Arc<str>, Value)> = Vec::with_capacity(declared.len());
        meta.aws
            .route53
            .each_record_set(c, &zone_id, |r| {
                if is_apex_soa_ns(&r, &zone_name) {
                    return;
                }
                let k = RecordKey::of(&r);
                match index.get(&k) {
                    Some(&i) => {
                        let (label, b) = &mut declared[i];
                        let b = std::mem::take(b);
                        out.push((label.clone(), block_state(&zone_id, &r, &b)));
                    }
                    None if excl => {
                        let label = free_label(&mut used, k.block_label(&zone_name));
                        out.push((label.into(), block_state(&zone_id, &r, &Value::Null)));
                    }
                    None => {}
                }
            })
            .await
            .map_err(|e| api_diag(&format!("Listing record sets of {zone_id}"), &e))?;
        drop((index, declared, used));
        let out: r53_plugin::Obj = out.into_iter().collect();
        let state = Records {
            id: zone_id.as_str().into(),
            zone_id: args.zone_id.as_str().unwrap_or(&zone_id).into(),
            zone_name: zone_name.as_str().into(),
            ..args
        };
        Ok(Some(state.with_records(Value::Map(out))))
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
        zone_name: &str,
        planned: &Value,
        args: &Records,
        d: &mut Diagnostics,
    ) {
        let zone_id = &r53_core::route53::strip_zone_id(args.zone_id.as_str().unwrap_or_default());
        let excl = args.exclusive();
        let allow = args.allow_mass_change();
        let apex = normalise(zone_name);
        let index: HashMap<RecordKey, (&str, &Value)> = entries(planned)
            .filter(|(_, b)| b.is_wholly_known())
            .filter_map(|(l, b)| key(b).map(|k| (k, (l, b))))
            .collect();
        let mut undeclared = Vec::new();
        let mut taken = Vec::new();
        let mut live_apex_ns = None;
        // For the quota: the zone's record sets now, and how many declared ones exist already.
        let (mut zone_sets, mut existing_declared) = (0usize, 0usize);
        let listed = meta
            .aws
            .route53
            .each_record_set(c, zone_id, |r| {
                let k = RecordKey::of(&r);
                if !is_apex_soa_ns(&r, zone_name) {
                    zone_sets += 1;
                }
                if let Some(&(l, b)) = index.get(&k) {
                    existing_declared += 1;
                    if !to_record(b).is_ok_and(|w| same_record(&w, &r)) {
                        taken.push((l, k.clone()));
                    }
                }
                if r.name == apex && r.ty == RecordType::Ns {
                    live_apex_ns = Some(r);
                } else if excl && !is_apex_soa_ns(&r, zone_name) && !index.contains_key(&k) {
                    undeclared.push(k.to_string());
                }
            })
            .await;
        if let Err(e) = listed {
            d.push(api_diag(&format!("Listing record sets of {zone_id}"), &e));
            return;
        }
        let after = zone_sets + index.len().saturating_sub(existing_declared);
        d.extend(refusals(
            plan::over_quota(after, args.limits().max_record_sets)
                .into_iter()
                .collect(),
            allow,
            "",
            "",
        ));
        for (l, k) in taken {
            if k.name == apex && k.ty == RecordType::Ns {
                continue; // the apex NS rule below says it better
            }
            d.error_at(
                at(l),
                format!("Record set {k} already exists"),
                "It exists with other values and this resource did not create it. Import the zone's record sets \
                 (an import block or terraform import with the zone ID) so the plan shows the change, or remove it from \
                 the configuration.",
            );
        }
        if !allow {
            if let Some(&(label, b)) = index.get(&RecordKey::new(&apex, RecordType::Ns, None)) {
                let same = live_apex_ns
                    .as_ref()
                    .is_some_and(|l| to_record(b).is_ok_and(|w| same_record(&w, l)));
                if !same {
                    d.error_at(
                        at(label),
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
                .at(AttrPath::attr(Records::ATTR.mode)),
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
        let args = Records::from_value(&planned)?;
        let zone_id = r53_core::route53::strip_zone_id(args.zone_id.as_str().unwrap_or_default());
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
        for (label, b) in entries(&planned) {
            d.extend(block_rules(label, b, Some(&zone_name)));
            if let Ok(rs) = to_record(b) {
                want.push(rs);
            }
        }
        if d.has_errors() {
            return Err(d.into());
        }
        let live_by: BTreeMap<RecordKey, &RecordSet> =
            live.iter().map(|r| (RecordKey::of(r), r)).collect();
        let want_keys: BTreeSet<RecordKey> = want.iter().map(RecordKey::of).collect();
        let prior_blocks = blocks(prior);
        let mut changes = Vec::new();
        let mut refused = Diagnostics::new();
        // Sets the plan showed unchanged that changed (or vanished) in the zone since.
        let mut drifted = Vec::new();
        for w in want {
            let k = RecordKey::of(&w);
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
                        format!("Record set {k} already exists"),
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
        if args.exclusive() {
            let unknown: Vec<String> = live
                .iter()
                .filter(|r| {
                    !is_apex_soa_ns(r, &zone_name)
                        && !want_keys.contains(&RecordKey::of(r))
                        && !prior_blocks.contains_key(&RecordKey::of(r))
                })
                .map(|r| RecordKey::of(r).to_string())
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
            let names: Vec<String> = drifted.iter().map(ToString::to_string).collect();
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
        let refused_now = apply_safety(
            &args,
            &live,
            &changes,
            &prior_blocks,
            &want_keys,
            &zone_name,
        );
        if refused_now.has_errors() {
            return Err(refused_now.into());
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
                        format!("Could not {verb} record set {}", RecordKey::of(rs)),
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
        s.set(Records::ATTR.id, Value::string(&zone_id));
        s.set(Records::ATTR.zone_name, Value::string(&zone_name));
        Ok(s)
    }
}

#[async_trait]
impl Resource<Meta> for RecordsResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    /// A block that means the same record set as the prior block of its label — another spelling
    /// (case, final dots, value order, TXT quoting) — keeps the prior block: after an import or a
    /// move the state has Route 53's spelling, and the configuration's own plans no change.
    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        let Value::Map(before) = prior.get(RECORD) else {
            return false;
        };
        let Some(Value::Map(after)) = planned.get_mut(RECORD) else {
            return false;
        };
        let same: Vec<(String, Value)> = after
            .iter()
            .filter_map(|(label, b)| {
                let p = before.get(label)?;
                let equal = p != b
                    && b.is_wholly_known()
                    && matches!((to_record(p), to_record(b)), (Ok(x), Ok(y)) if same_record(&x, &y));
                equal.then(|| (label.to_string(), p.clone()))
            })
            .collect();
        let kept = !same.is_empty();
        for (label, p) in same {
            after.insert(label, p);
        }
        kept
    }

    /// `moved` from `aws_route53_records_exclusive`: the zone, in exclusive mode, with no block
    /// yet — the read right after lists every record set under the labels an import gives
    /// (`r53-migrate export-tf` writes the same), which the configuration then declares.
    fn move_from(&self, source: r53_plugin::MoveSource<'_>) -> Option<Result<Value, Diagnostics>> {
        let state = match crate::aws_move::accept(source, "aws_route53_records_exclusive", &[0])? {
            Ok(s) => s,
            Err(d) => return Some(Err(d)),
        };
        Some(
            crate::aws_move::required(state, "aws_route53_records_exclusive", "zone_id").map(|z| {
                let zone_id = r53_core::route53::strip_zone_id(z);
                Records {
                    id: zone_id.as_str().into(),
                    zone_id: zone_id.as_str().into(),
                    mode: "exclusive".into(),
                    ..Default::default()
                }
                .to_value()
            }),
        )
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required(
                "zone_id",
                "The ID of the hosted zone whose record sets the resource owns.",
            ),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let args = match Records::from_value(config) {
            Ok(a) => a,
            Err(d) => return d,
        };
        let a = Records::ATTR;
        let mut d = Diagnostics::new();
        match args.mode.as_str() {
            None | Some("additive") | Some("exclusive") => {}
            Some(m) => d.error_at(
                AttrPath::attr(a.mode),
                "Invalid mode",
                format!("mode must be \"additive\" or \"exclusive\", not {m:?}"),
            ),
        }
        int_in(
            &args.max_record_sets,
            a.max_record_sets,
            3..=10_000_000,
            &mut d,
        );
        int_in(
            &args.max_change_percent,
            a.max_change_percent,
            0..=100,
            &mut d,
        );
        let mut seen: HashMap<RecordKey, &str> = HashMap::new();
        for (label, b) in entries(config) {
            if !b.is_wholly_known() {
                continue;
            }
            if let Some(k) = key(b) {
                if let Some(first) = seen.get(&k) {
                    d.error_at(
                        at(label),
                        "Duplicate record set",
                        format!(
                            "{k} is declared by record {first:?} and record {label:?}; merge the values into one record block"
                        ),
                    );
                } else {
                    seen.insert(k, label);
                }
            }
            d.extend(block_rules(label, b, None));
        }
        d
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if prior.is_null() {
            return;
        }
        let (p, n) = match Records::from_values(prior, planned) {
            Ok(m) => m,
            Err(e) => return d.extend(e),
        };
        planned.set(Records::ATTR.id, p.id.encode());
        planned.set(Records::ATTR.zone_name, p.zone_name.encode());
        d.extend(safety(prior, planned, &n, p.zone_name.as_str()));
    }

    async fn plan_with_api(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: &mut Value,
        d: &mut Diagnostics,
    ) {
        let args = match Records::from_value(planned) {
            Ok(a) => a,
            Err(e) => return d.extend(e),
        };
        // Unknown zone ID (a zone created in the same run): the apply checks these rules.
        let Some(zone_name) = crate::zone_lookup::planned_zone_name(
            meta,
            ctx,
            &args.zone_id,
            Records::ATTR.zone_id,
            d,
        )
        .await
        else {
            return;
        };
        for (label, b) in entries(planned) {
            d.extend(block_rules(label, b, Some(&zone_name)));
        }
        if d.has_errors() {
            return;
        }
        if prior.is_null() {
            planned.set(Records::ATTR.zone_name, Value::string(&zone_name));
            let c = call(ctx, READ_TIMEOUT);
            self.plan_create(meta, &c, &zone_name, planned, &args, d)
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
        let args = Records::from_value(prior)?;
        let zone_id = r53_core::route53::strip_zone_id(args.zone_id.as_str().unwrap_or_default());
        let Some((live, zone_name)) = self.fetch(meta, ctx, &zone_id).await? else {
            return Ok(Diagnostics::new());
        };
        let managed: BTreeSet<RecordKey> = blocks(prior).into_keys().collect();
        let changes: Vec<Change> = live
            .into_iter()
            .filter(|r| !is_apex_soa_ns(r, &zone_name) && managed.contains(&RecordKey::of(r)))
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
                    format!("Could not delete record set {}", RecordKey::of(rs)),
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
        // Importing takes the whole zone, which is what exclusive mode means. (Additive mode needs no
        // import: it adopts existing record sets that already match the configuration.) No
        // `record` yet: every record set but the apex SOA/NS is imported.
        let base = Records {
            zone_id: zone_id.as_str().into(),
            mode: "exclusive".into(),
            ..Default::default()
        };
        match self.live(meta, ctx, base.to_value()).await? {
            Some(s) => Ok(s),
            None => Err(Diagnostic::error(
                "Cannot import record sets",
                format!("no hosted zone with ID {zone_id}"),
            )
            .into()),
        }
    }

    fn upgrade_state(
        &self,
        version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        match version {
            0 => Ok(upgrade_v0(state)),
            v => Err(Diagnostic::error(
                "Unknown state version",
                format!("{TYPE_NAME} has no schema version {v} to upgrade from"),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A value of the resource with `records` as blocks labelled r0, r1, …
    fn st(records: serde_json::Value, extra: serde_json::Value) -> Value {
        let records: serde_json::Map<String, serde_json::Value> = records
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, b)| (format!("r{i}"), b.clone()))
            .collect();
        let mut j = serde_json::json!({"zone_id": "Z1", "record": records});
        if let (Some(o), Some(e)) = (j.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    fn args(v: &Value) -> Records {
        Records::from_value(v).unwrap()
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
        assert!(safety(&prior, &ok, &args(&ok), None).is_empty());
        // 2 updated + 2 deleted = 40 %: refused, with the list
        let bad = st(
            serde_json::json!((0..8)
                .map(|i| a(i, if i < 2 { "192.0.2.2" } else { "192.0.2.1" }))
                .collect::<Vec<_>>()),
            serde_json::json!({}),
        );
        let d = safety(&prior, &bad, &args(&bad), None);
        assert!(d.has_errors());
        assert!(
            d.0[0]
                .detail
                .contains("This plan deletes 2 and updates 2 of the zone's 10"),
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
        assert!(safety(&prior, &allowed, &args(&allowed), None).is_empty());
        // the quota: 11 sets + SOA and NS over 12, allow_mass_change or not
        let grown = st(
            serde_json::json!((0..11).map(|i| a(i, "192.0.2.1")).collect::<Vec<_>>()),
            serde_json::json!({"allow_mass_change": true, "max_record_sets": 12}),
        );
        only_too_large(
            &safety(&prior, &grown, &args(&grown), None),
            "11 record sets (+ SOA and NS) exceed the limit of 12",
        );
    }

    /// One error: the quota's, with `text`.
    fn only_too_large(d: &Diagnostics, text: &str) {
        assert_eq!(d.0.len(), 1, "{:?}", d.0);
        assert_eq!(d.0[0].summary, "Zone too large");
        assert!(d.0[0].detail.contains(text), "{}", d.0[0].detail);
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
        let d = safety(&prior, &planned, &args(&planned), Some("example.com"));
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
        let want: BTreeSet<RecordKey> = blocks(&planned).into_keys().collect();
        let set = |i: usize| rs(&format!("h{i}.example.com"), RecordType::A, "192.0.2.1");
        let soa = rs("example.com", RecordType::Soa, "ns. host. 1 2 3 4 5");
        let updates: Vec<Change> = (0..6).map(|i| Change::Upsert(set(i))).collect();
        let whole: Vec<RecordSet> = (0..20).map(set).chain([soa.clone()]).collect();
        assert!(apply_safety(
            &args(&planned),
            &whole,
            &updates,
            &prior_blocks,
            &want,
            "example.com"
        )
        .is_empty());
        let shrunk: Vec<RecordSet> = (0..12).map(set).chain([soa]).collect();
        let d = apply_safety(
            &args(&planned),
            &shrunk,
            &updates,
            &prior_blocks,
            &want,
            "example.com",
        );
        let e = &d.0[0];
        assert_eq!(e.summary, "Mass change refused");
        assert!(
            e.detail
                .contains("as it is now, this plan deletes 0 and updates 6 of the zone's 12 record sets (50%)")
                && e.detail.contains("update h0.example.com A")
                && e.detail.contains("Nothing was written"),
            "{}",
            e.detail
        );
        // allow_mass_change lifts it
        let allowed = st(
            serde_json::json!((0..20).map(|i| a(i, "192.0.2.9")).collect::<Vec<_>>()),
            serde_json::json!({"mode": "exclusive", "allow_mass_change": true}),
        );
        assert!(apply_safety(
            &args(&allowed),
            &shrunk,
            &updates,
            &prior_blocks,
            &want,
            "example.com"
        )
        .is_empty());
        // the apex NS, whatever the share
        let ns = vec![Change::Upsert(rs(
            "example.com",
            RecordType::Ns,
            "ns1.example.net",
        ))];
        let d = apply_safety(
            &args(&planned),
            &whole,
            &ns,
            &prior_blocks,
            &want,
            "example.com",
        );
        assert_eq!(d.0[0].summary, "Apex NS change refused");
        // the quota counts the whole zone, and allow_mass_change does not lift it
        let tight = st(
            serde_json::json!((0..20).map(|i| a(i, "192.0.2.9")).collect::<Vec<_>>()),
            serde_json::json!({"mode": "additive", "allow_mass_change": true, "max_record_sets": 22}),
        );
        let new = vec![Change::Create(set(20))];
        assert!(apply_safety(
            &args(&tight),
            &shrunk,
            &new,
            &prior_blocks,
            &want,
            "example.com"
        )
        .is_empty());
        only_too_large(
            &apply_safety(
                &args(&tight),
                &whole,
                &new,
                &prior_blocks,
                &want,
                "example.com",
            ),
            "21 record sets (+ SOA and NS) exceed the limit of 22",
        );
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
        let b = c.get("record").get("r1");
        let d = block_rules("r1", b, Some("example.com"));
        assert!(d.has_errors());
        assert_eq!(
            d.0[0].path.as_ref().map(|p| p.to_string()).as_deref(),
            Some("record[\"r1\"].type")
        );
        assert!(
            d.0[0].detail.contains("CNAME cannot be at the zone apex"),
            "{}",
            d.0[0].detail
        );
        assert!(block_rules("r0", c.get("record").get("r0"), Some("example.com")).is_empty());
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
        let dup =
            d.0.iter()
                .find(|x| x.summary == "Duplicate record set")
                .unwrap();
        assert_eq!(
            dup.path.as_ref().map(|p| p.to_string()).as_deref(),
            Some("record[\"r1\"]")
        );
        assert!(
            dup.detail
                .contains("h1.example.com A is declared by record \"r0\" and record \"r1\""),
            "{}",
            dup.detail
        );
    }

    #[test]
    fn limits_out_of_range_or_not_whole_are_errors_at_their_attribute() {
        let cases = [
            (
                serde_json::json!({"max_change_percent": 101}),
                "max_change_percent",
                "must be from 0 to 100, not 101",
            ),
            (
                serde_json::json!({"max_record_sets": 2}),
                "max_record_sets",
                "must be from 3 to 10000000, not 2",
            ),
            (
                serde_json::json!({"max_change_percent": 30.5}),
                "max_change_percent",
                "expected a whole number",
            ),
        ];
        for (extra, attr, want) in cases {
            let d = RecordsResource.validate(&st(serde_json::json!([a(1, "192.0.2.1")]), extra));
            assert_eq!(d.0.len(), 1, "{d:?}");
            assert_eq!(
                d.0[0].path.as_ref().map(|p| p.to_string()).as_deref(),
                Some(attr)
            );
            assert!(d.0[0].detail.contains(want), "{}", d.0[0].detail);
        }
        // In range: the arguments reach the engine's limits.
        let ok = st(
            serde_json::json!([a(1, "192.0.2.1")]),
            serde_json::json!({"max_change_percent": 50, "max_record_sets": 20, "mode": "exclusive"}),
        );
        assert!(RecordsResource.validate(&ok).is_empty());
        let m = args(&ok);
        assert_eq!(
            (m.limits().max_change_percent, m.limits().max_record_sets),
            (50, 20)
        );
        assert!(m.exclusive() && !m.allow_mass_change());
    }

    /// Schema 0's list becomes blocks labelled as import labels them; a repeated label (two sets
    /// whose labels would collide) gets a suffix instead of being lost.
    #[test]
    fn v0_state_upgrades_to_labelled_blocks() {
        let v0 = serde_json::json!({
            "id": "Z1", "zone_id": "Z1", "zone_name": "example.com.", "mode": "exclusive",
            "record": [
                {"name": "www.example.com", "type": "a", "ttl": 60, "records": ["192.0.2.1"]},
                {"name": "Example.com.", "type": "MX", "ttl": 60, "records": ["10 mx.example.com."]},
                {"name": "api.example.com", "type": "A", "set_identifier": "eu", "ttl": 60, "records": ["192.0.2.2"]},
                {"name": "odd.example.com", "type": "BOGUS", "ttl": 60, "records": ["x"]},
                {"name": "www.example.com.", "type": "A", "ttl": 60, "records": ["192.0.2.3"]}
            ]
        });
        let up = RecordsResource.upgrade_state(0, v0.clone()).unwrap();
        let labels: Vec<&str> = up["record"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            labels,
            [
                "@ MX",
                "api A eu",
                "odd.example.com BOGUS",
                "www A",
                "www A (2)"
            ]
        );
        assert_eq!(up["record"]["www A"], v0["record"][0]);
        assert_eq!(up["mode"], "exclusive");
        // The result is a value of today's schema.
        Value::from_json(&up, &schema().ty()).unwrap();
        assert!(RecordsResource.upgrade_state(7, v0).is_err());
    }

    #[test]
    fn another_spelling_of_the_same_record_set_keeps_the_prior_block() {
        let mx = |name: &str, v: &str, ttl: i64| serde_json::json!({"name": name, "type": "MX", "ttl": ttl, "records": [v]});
        let prior = st(
            serde_json::json!([
                mx("example.com", "10 mx.example.com.", 300),
                a(1, "192.0.2.1")
            ]),
            serde_json::json!({}),
        );
        // Case and final dot differ: the prior block is kept, and the plan equals the prior.
        let mut planned = st(
            serde_json::json!([
                mx("Example.com.", "10 MX.example.com", 300),
                a(1, "192.0.2.1")
            ]),
            serde_json::json!({}),
        );
        assert!(RecordsResource.keep_prior_form(&prior, &mut planned));
        assert_eq!(planned, prior);
        // A real change (the TTL) is left as configured.
        let mut changed = st(
            serde_json::json!([
                mx("example.com", "10 mx.example.com", 60),
                a(1, "192.0.2.1")
            ]),
            serde_json::json!({}),
        );
        let want = changed.clone();
        assert!(!RecordsResource.keep_prior_form(&prior, &mut changed));
        assert_eq!(changed, want);
    }
}
