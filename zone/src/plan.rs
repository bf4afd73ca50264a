//! The plan (a value): what turning a zone's live record sets into the wanted ones changes, and the
//! safety checks on it (pure). Shared by the provider's `r53_records` and `r53-migrate`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::name::normalise;
use crate::rdata::RecordType;
use crate::record::RecordSet;

/// Route 53's limits on one ChangeResourceRecordSets call (an UPSERT counts twice).
pub const MAX_BATCH_RECORDS: usize = 1000;
pub const MAX_BATCH_CHARS: usize = 32_000;

/// The default share of an existing zone a plan may update or delete without being forced.
pub const DEFAULT_MAX_CHANGE_PERCENT: u32 = 30;
/// Zones smaller than this are exempt from the mass-change rule (every change is a big share).
const SAFETY_MIN_SETS: usize = 10;

pub use crate::key::RecordKey;

/// The key of a record set.
pub fn key(r: &RecordSet) -> RecordKey {
    RecordKey::of(r)
}

/// Whether two record sets are the same to Route 53 (values compared in canonical form).
pub fn same_record(a: &RecordSet, b: &RecordSet) -> bool {
    a.name == b.name
        && a.ty == b.ty
        && a.set_identifier == b.set_identifier
        && a.ttl == b.ttl
        && a.routing == b.routing
        && a.health_check_id == b.health_check_id
        && match (&a.alias, &b.alias) {
            (None, None) => crate::rdata::values_equivalent(a.ty, &a.values, &b.values),
            (Some(x), Some(y)) => {
                normalise(&x.name) == normalise(&y.name)
                    && x.zone_id == y.zone_id
                    && x.evaluate_target_health == y.evaluate_target_health
            }
            _ => false,
        }
}

pub fn is_apex_soa_ns(r: &RecordSet, zone: &str) -> bool {
    // The type first: it runs for every set of a zone, and only SOA/NS need the zone's name.
    matches!(r.ty, RecordType::Soa | RecordType::Ns) && r.name == normalise(zone)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub action: Action,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub before: Option<RecordSet>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub after: Option<RecordSet>,
}

impl Step {
    pub fn record(&self) -> &RecordSet {
        self.after
            .as_ref()
            .or(self.before.as_ref())
            .expect("a step has a record")
    }
    pub fn key(&self) -> RecordKey {
        key(self.record())
    }
}

/// Which live record sets the wanted ones own.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The whole zone except the apex SOA and NS: anything not wanted is deleted.
    Exclusive,
    /// Only the wanted sets, plus those wanted before (now removed from the config → deleted).
    Additive { previously: &'a BTreeSet<RecordKey> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub zone: String,
    /// Record sets in the zone before (apex SOA/NS not counted).
    pub existing: usize,
    pub steps: Vec<Step>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
    pub fn count(&self, a: Action) -> usize {
        self.steps.iter().filter(|s| s.action == a).count()
    }
    /// A short digest of what the plan does, so an apply can insist it is the plan reviewed.
    /// Hashes the plan's JSON form as it is written (no copy of a large plan in memory).
    /// Callers compute it once: at 5,000 sets it is a few milliseconds.
    pub fn checksum(&self) -> String {
        struct Hashing(Sha256);
        impl std::io::Write for Hashing {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.update(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut h = Hashing(Sha256::new());
        serde_json::to_writer(
            std::io::BufWriter::with_capacity(64 * 1024, &mut h),
            &(&self.zone, &self.steps),
        )
        .expect("plan serialises");
        let d = h.0.finalize();
        d.iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

/// The changes that turn `live` into `want` (pure). `want` must not repeat a key.
pub fn diff(zone: &str, live: &[RecordSet], want: &[RecordSet], scope: Scope<'_>) -> Plan {
    let zone = normalise(zone);
    // Keys borrowed from the record sets: a 50,000-set diff allocates only its steps.
    type Borrowed<'a> = (&'a str, RecordType, Option<&'a str>);
    fn bkey(r: &RecordSet) -> Borrowed<'_> {
        (&r.name, r.ty, r.set_identifier.as_deref())
    }
    let want_by: BTreeMap<Borrowed<'_>, &RecordSet> = want.iter().map(|r| (bkey(r), r)).collect();
    // The apex SOA/NS are Route 53's own unless the wanted sets name them explicitly.
    let live_by: BTreeMap<Borrowed<'_>, &RecordSet> = live
        .iter()
        .filter(|r| !is_apex_soa_ns(r, &zone) || want_by.contains_key(&bkey(r)))
        .map(|r| (bkey(r), r))
        .collect();
    let existing = live.iter().filter(|r| !is_apex_soa_ns(r, &zone)).count();
    let mut steps = Vec::with_capacity(want_by.len());
    for (k, w) in &want_by {
        match live_by.get(k) {
            Some(l) if same_record(l, w) => {}
            Some(l) => steps.push(Step {
                action: Action::Update,
                before: Some((*l).clone()),
                after: Some((*w).clone()),
            }),
            None => steps.push(Step {
                action: Action::Create,
                before: None,
                after: Some((*w).clone()),
            }),
        }
    }
    for (k, l) in &live_by {
        if want_by.contains_key(k) {
            continue;
        }
        let owned = match scope {
            Scope::Exclusive => !is_apex_soa_ns(l, &zone),
            Scope::Additive { previously } => previously.contains(&key(l)),
        };
        if owned {
            steps.push(Step {
                action: Action::Delete,
                before: Some((*l).clone()),
                after: None,
            });
        }
    }
    // Deletes first within a name, so a type change (e.g. A → CNAME) never collides.
    fn order(s: &Step) -> (&str, bool, RecordType, Option<&str>) {
        let (name, ty, id) = bkey(s.record());
        (name, s.action != Action::Delete, ty, id)
    }
    steps.sort_by(|a, b| order(a).cmp(&order(b)));
    Plan {
        zone,
        existing,
        steps,
    }
}

/// Limits on what a plan may do: a share of the zone changed (forcible), and the account's
/// record-set quota (not: Route 53 would refuse the batch that crosses it, mid-apply).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_change_percent: u32,
    pub min_sets: usize,
    /// Record sets a zone may hold, its apex SOA and NS included (Route 53's quota per zone).
    pub max_record_sets: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_change_percent: DEFAULT_MAX_CHANGE_PERCENT,
            min_sets: SAFETY_MIN_SETS,
            max_record_sets: crate::convert::DEFAULT_MAX_RECORD_SETS,
        }
    }
}

/// The quota rule: `sets` record sets besides the apex SOA and NS (which Route 53 counts too)
/// against a quota of `limit`. The one place both `r53-migrate` and `r53_records` check it.
pub fn over_quota(sets: usize, limit: usize) -> Option<Refusal> {
    (sets.saturating_add(2) > limit).then_some(Refusal::TooLarge { sets, limit })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    MassChange {
        deletes: usize,
        updates: usize,
        existing: usize,
        percent: usize,
        limit: u32,
        /// "delete name TYPE" / "update name TYPE", in plan order.
        items: Vec<String>,
    },
    ApexNs {
        zone: String,
    },
    /// The zone after the plan would hold more record sets than the quota.
    TooLarge {
        /// Record sets besides the apex SOA and NS.
        sets: usize,
        limit: usize,
    },
}

impl Refusal {
    /// Whether the user may insist (`--force`, `allow_mass_change`): a mass change or an apex NS
    /// change may be meant; a zone over the quota fails at Route 53 whatever anyone means.
    pub fn forcible(&self) -> bool {
        !matches!(self, Refusal::TooLarge { .. })
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::MassChange {
                deletes,
                updates,
                existing,
                percent,
                limit,
                items,
            } => {
                write!(
                    f,
                    "this plan deletes {deletes} and updates {updates} of the zone's {existing} record sets ({percent}%), over the {limit}% limit:"
                )?;
                for i in items.iter().take(50) {
                    write!(f, "\n  {i}")?;
                }
                if items.len() > 50 {
                    write!(f, "\n  … and {} more", items.len() - 50)?;
                }
                Ok(())
            }
            Refusal::ApexNs { zone } => write!(
                f,
                "this plan changes the NS records at the zone apex ({zone}): those are the name servers the parent delegates to, \
                 and a mistake takes the whole domain offline"
            ),
            Refusal::TooLarge { sets, limit } => write!(
                f,
                "{sets} record sets (+ SOA and NS) exceed the limit of {limit} per hosted zone (Route 53's default quota is \
                 10,000; raise it with AWS first, then raise the limit here)"
            ),
        }
    }
}

/// The safety checks (pure): too large a share of an existing zone, or the apex NS.
pub fn safety(plan: &Plan, limits: Limits) -> Vec<Refusal> {
    let mut out = Vec::new();
    let items: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| s.action != Action::Create)
        .map(|s| {
            let verb = if s.action == Action::Delete {
                "delete"
            } else {
                "update"
            };
            format!("{verb} {}", s.key())
        })
        .collect();
    let (deletes, updates) = (plan.count(Action::Delete), plan.count(Action::Update));
    let changed = deletes + updates;
    if plan.existing >= limits.min_sets
        && changed * 100 > limits.max_change_percent as usize * plan.existing
    {
        out.push(Refusal::MassChange {
            deletes,
            updates,
            existing: plan.existing,
            percent: changed * 100 / plan.existing,
            limit: limits.max_change_percent,
            items,
        });
    }
    if plan
        .steps
        .iter()
        .any(|s| s.record().name == plan.zone && s.record().ty == RecordType::Ns)
    {
        out.push(Refusal::ApexNs {
            zone: plan.zone.clone(),
        });
    }
    let after = (plan.existing + plan.count(Action::Create)).saturating_sub(deletes);
    out.extend(over_quota(after, limits.max_record_sets));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(name: &str, v: &str) -> RecordSet {
        RecordSet {
            name: name.into(),
            ty: RecordType::A,
            ttl: Some(300),
            values: vec![v.into()],
            alias: None,
            set_identifier: None,
            routing: None,
            health_check_id: None,
        }
    }

    fn soa_ns() -> Vec<RecordSet> {
        let mut ns = a("example.com", "");
        ns.ty = RecordType::Ns;
        ns.values = vec!["ns-1.awsdns-01.org.".into()];
        let mut soa = ns.clone();
        soa.ty = RecordType::Soa;
        soa.values = vec!["ns-1.awsdns-01.org. hostmaster 1 7200 900 1209600 86400".into()];
        vec![ns, soa]
    }

    #[test]
    fn exclusive_diff_keeps_apex_soa_ns_and_orders_deletes_first() {
        let mut live = soa_ns();
        live.push(a("old.example.com", "192.0.2.1"));
        live.push(a("www.example.com", "192.0.2.2"));
        let want = vec![
            a("www.example.com", "192.0.2.3"),
            a("new.example.com", "192.0.2.4"),
        ];
        let p = diff("example.com", &live, &want, Scope::Exclusive);
        assert_eq!(p.existing, 2);
        let acts: Vec<(Action, String)> = p
            .steps
            .iter()
            .map(|s| (s.action, s.record().name.clone()))
            .collect();
        assert_eq!(
            acts,
            vec![
                (Action::Create, "new.example.com".into()),
                (Action::Delete, "old.example.com".into()),
                (Action::Update, "www.example.com".into()),
            ]
        );
        assert!(diff("example.com", &live, &live[2..], Scope::Exclusive).is_empty());
    }

    #[test]
    fn additive_diff_deletes_only_what_it_declared_before() {
        let live = vec![
            a("x.example.com", "192.0.2.1"),
            a("y.example.com", "192.0.2.2"),
        ];
        let before: BTreeSet<RecordKey> = [key(&live[0])].into();
        let p = diff(
            "example.com",
            &live,
            &[],
            Scope::Additive {
                previously: &before,
            },
        );
        assert_eq!(p.steps.len(), 1);
        assert_eq!(p.steps[0].record().name, "x.example.com");
    }

    #[test]
    fn safety_counts_share_and_apex_ns() {
        let live: Vec<RecordSet> = (0..10)
            .map(|i| a(&format!("h{i}.example.com"), "192.0.2.1"))
            .collect();
        let p = diff("example.com", &live, &live[..7], Scope::Exclusive);
        assert!(
            safety(&p, Limits::default()).is_empty(),
            "3 of 10 is allowed"
        );
        let p = diff("example.com", &live, &live[..6], Scope::Exclusive);
        let r = safety(&p, Limits::default());
        assert!(
            matches!(
                &r[0],
                Refusal::MassChange {
                    deletes: 4,
                    existing: 10,
                    ..
                }
            ),
            "{r:?}"
        );
        assert!(r[0].to_string().contains("delete h6.example.com A"));
        let mut ns = soa_ns()[0].clone();
        ns.values = vec!["ns1.elsewhere.net.".into()];
        let p = diff("example.com", &soa_ns(), &[ns], Scope::Exclusive);
        assert!(matches!(
            safety(&p, Limits::default())[0],
            Refusal::ApexNs { .. }
        ));
    }

    /// The quota counts the zone after the plan, with the apex SOA and NS, and cannot be forced.
    #[test]
    fn safety_refuses_a_zone_over_the_quota() {
        let live: Vec<RecordSet> = (0..8)
            .map(|i| a(&format!("h{i}.example.com"), "192.0.2.1"))
            .collect();
        let want: Vec<RecordSet> = (0..9)
            .map(|i| a(&format!("h{i}.example.com"), "192.0.2.1"))
            .collect();
        let lim = |max| Limits {
            max_record_sets: max,
            ..Default::default()
        };
        let p = diff("example.com", &live, &want, Scope::Exclusive);
        assert!(safety(&p, lim(11)).is_empty(), "9 + SOA + NS fit in 11");
        let r = safety(&p, lim(10));
        assert_eq!(r, [Refusal::TooLarge { sets: 9, limit: 10 }]);
        assert!(!r[0].forcible());
        assert!(r[0]
            .to_string()
            .starts_with("9 record sets (+ SOA and NS) exceed the limit of 10 per hosted zone"));
        // deletions make room
        let p = diff("example.com", &live, &want[..5], Scope::Exclusive);
        assert!(!safety(&p, lim(8))
            .iter()
            .any(|r| matches!(r, Refusal::TooLarge { .. })));
        assert_eq!(
            over_quota(usize::MAX, 10),
            Some(Refusal::TooLarge {
                sets: usize::MAX,
                limit: 10
            })
        );
    }

    #[test]
    fn checksum_changes_with_the_plan() {
        let live = vec![a("x.example.com", "192.0.2.1")];
        let p1 = diff(
            "example.com",
            &live,
            &[a("x.example.com", "192.0.2.2")],
            Scope::Exclusive,
        );
        let p2 = diff(
            "example.com",
            &live,
            &[a("x.example.com", "192.0.2.3")],
            Scope::Exclusive,
        );
        assert_ne!(p1.checksum(), p2.checksum());
        assert_eq!(p1.checksum(), p1.clone().checksum());
    }
}
