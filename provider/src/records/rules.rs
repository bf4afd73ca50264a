//! The rules of `r53_records` (pure): each block's own, and the shared engine's safety checks
//! (`r53_zone::plan`) at plan time and again at apply.

use std::collections::{BTreeMap, BTreeSet};

use r53_core::Change;
use r53_plugin::{AttrPath, Diagnostic, Diagnostics, Value};
use r53_zone::name::normalise;
use r53_zone::plan::{self, is_apex_soa_ns, Action, Plan, Refusal, Scope, Step};
use r53_zone::{RecordKey, RecordSet};

use super::blocks::{at, entries, key};
use super::model::{Records, RECORD};
use crate::record_set::{check, to_record};

/// The shared engine's refusals as errors at `record`, after `context`; `allow_mass_change`
/// lifts the ones a person may insist on (never the quota).
pub(super) fn refusals(
    found: Vec<Refusal>,
    allow: bool,
    context: &str,
    after: &str,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    for r in found.into_iter().filter(|r| !(allow && r.forcible())) {
        let (summary, hint) = match r {
            Refusal::MassChange { .. } => (
                "Mass change refused",
                "If that is intended, set allow_mass_change = true for this apply.",
            ),
            Refusal::ApexNs { .. } => (
                "Apex NS change refused",
                "Set allow_mass_change = true if this is intended.",
            ),
            Refusal::TooLarge { .. } => (
                "Zone too large",
                "Raise the hosted zone's record-set quota with AWS, then set max_record_sets to it.",
            ),
        };
        let text = r.to_string();
        let mut chars = text.chars();
        let text: String = match chars.next() {
            Some(c) if context.is_empty() => c.to_uppercase().chain(chars).collect(),
            _ => text,
        };
        d.error_at(
            AttrPath::attr(RECORD),
            summary,
            format!("{context}{text}\n{after}{hint}"),
        );
    }
    d
}

/// The plan-time safety check (pure): the prior state (the zone as refreshed) against the planned
/// blocks, through the same `plan::diff` and `plan::safety` as `r53-migrate import`.
/// `args` are the planned arguments.
pub(super) fn safety(
    prior: &Value,
    planned: &Value,
    args: &Records,
    zone: Option<&str>,
) -> Diagnostics {
    let live: Vec<RecordSet> = entries(prior)
        .filter_map(|(_, b)| to_record(b).ok())
        .collect();
    let want: Vec<RecordSet> = entries(planned)
        .filter(|(_, b)| b.is_wholly_known())
        .filter_map(|(_, b)| to_record(b).ok())
        .collect();
    // A block whose values are not known yet (they come from another resource) is an update of
    // its record set, not a deletion.
    let pending: BTreeSet<RecordKey> = entries(planned)
        .filter(|(_, b)| !b.is_wholly_known())
        .filter_map(|(_, b)| key(b))
        .collect();
    let mut p = plan::diff(zone.unwrap_or_default(), &live, &want, Scope::Exclusive);
    for s in &mut p.steps {
        if s.action == Action::Delete && pending.contains(&s.key()) {
            s.action = Action::Update;
        }
    }
    refusals(
        plan::safety(&p, args.limits()),
        args.allow_mass_change(),
        "",
        "",
    )
}

/// Up to 50 lines of a list, then how many more.
pub(super) fn list50(items: &[String]) -> String {
    let shown = items.len().min(50);
    let mut out: Vec<String> = items[..shown].iter().map(|s| format!("  {s}")).collect();
    if items.len() > shown {
        out.push(format!("  … and {} more", items.len() - shown));
    }
    out.join("\n")
}

/// The rules of one `record` block, at its attributes; with the zone's name, also those that need
/// it (apex CNAME, a name outside the zone...).
pub(super) fn block_rules(label: &str, b: &Value, zone_name: Option<&str>) -> Diagnostics {
    let mut d = Diagnostics::new();
    for e in check(b, zone_name).0 {
        let mut path = at(label);
        if let Some(p) = e.path {
            path.0.extend(p.0);
        }
        d.push(Diagnostic::error(e.summary, format!("record {label:?}: {}", e.detail)).at(path));
    }
    d
}

/// The safety rules again at apply, against the zone as it is now, for the changes about to be
/// sent (pure): the share is of the record sets this resource manages now (the whole zone but the
/// apex SOA/NS in exclusive mode, the declared and previously managed ones in additive mode), the
/// quota of the whole zone. Errors when they may not go.
pub(super) fn apply_safety(
    args: &Records,
    live: &[RecordSet],
    changes: &[Change],
    prior_blocks: &BTreeMap<RecordKey, &Value>,
    want_keys: &BTreeSet<RecordKey>,
    zone_name: &str,
) -> Diagnostics {
    let lim = args.limits();
    let zone_sets = live
        .iter()
        .filter(|r| !is_apex_soa_ns(r, zone_name))
        .count();
    let managed = live
        .iter()
        .filter(|r| !is_apex_soa_ns(r, zone_name))
        .filter(|r| {
            args.exclusive()
                || want_keys.contains(&RecordKey::of(r))
                || prior_blocks.contains_key(&RecordKey::of(r))
        })
        .count();
    let steps: Vec<Step> = changes
        .iter()
        .map(|c| match c {
            Change::Create(r) => Step {
                action: Action::Create,
                before: None,
                after: Some(r.clone()),
            },
            Change::Upsert(r) => Step {
                action: Action::Update,
                before: None,
                after: Some(r.clone()),
            },
            Change::Delete(r) => Step {
                action: Action::Delete,
                before: Some(r.clone()),
                after: None,
            },
        })
        .collect();
    let p = Plan {
        zone: normalise(zone_name),
        existing: managed,
        steps,
    };
    let (creates, deletes) = (p.count(Action::Create), p.count(Action::Delete));
    let mut found: Vec<Refusal> = plan::safety(&p, lim)
        .into_iter()
        .filter(|r| r.forcible())
        .collect();
    found.extend(plan::over_quota(
        (zone_sets + creates).saturating_sub(deletes),
        lim.max_record_sets,
    ));
    refusals(
        found,
        args.allow_mass_change(),
        "The zone changed since the plan. Against the zone as it is now, ",
        "Nothing was written. Run terraform plan again to see the zone as it is, or: ",
    )
}
