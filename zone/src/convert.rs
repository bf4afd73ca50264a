//! DNS records from another host → Route 53 record sets, with every decision reported and every
//! rule Route 53 would refuse found before any API call.

use std::collections::BTreeMap;

use hickory_proto::rr::Record;
use serde::Serialize;

use crate::name::{normalise, Name};
use crate::rdata::{decode_wire_value, RecordType};
use crate::record::RecordSet;
use crate::wire::{self, is_dnssec_signing_type, name_to_route53};

/// Route 53's default quota of record sets per hosted zone.
pub const DEFAULT_MAX_RECORD_SETS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct Options {
    /// Leave out record types Route 53 does not host instead of refusing the zone.
    pub skip_unsupported: bool,
    /// Largest zone (record sets) the target account accepts.
    pub max_record_sets: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            skip_unsupported: false,
            max_record_sets: DEFAULT_MAX_RECORD_SETS,
        }
    }
}

/// A decision taken while converting, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// The source's apex SOA is not copied: Route 53 writes its own.
    ApexSoaKept {
        source_value: String,
    },
    /// The source's apex NS are not copied: the zone keeps Route 53's own name servers.
    ApexNsKept {
        source_values: Vec<String>,
    },
    /// Values with different TTLs in one record set: Route 53 has one TTL per set.
    MixedTtl {
        name: String,
        r#type: String,
        ttls: Vec<u32>,
        chosen: u32,
    },
    /// A TXT/SPF string longer than 255 bytes split into 255-byte strings.
    TxtSplit {
        name: String,
        r#type: String,
    },
    /// A type Route 53 does not host, left out (`--skip-unsupported`).
    UnsupportedSkipped {
        name: String,
        r#type: String,
        count: usize,
    },
    /// DNSSEC records of a signed source zone, not copied: Route 53 signs zones itself.
    DnssecDropped {
        count: usize,
    },
    /// A delegation to a child zone, kept (NS, and DS when present).
    Subdelegation {
        name: String,
        with_ds: bool,
    },
    Wildcard {
        name: String,
    },
    /// An internationalised name, kept in its ASCII (punycode) form.
    Idn {
        name: String,
        unicode: String,
    },
    /// Aliases to names in the source Route 53 zone itself: they follow the move to the target zone.
    SelfAliases {
        count: usize,
        source_zone_id: String,
    },
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Note::ApexSoaKept { .. } => write!(f, "apex SOA: Route 53's own is kept (the source's is not copied)"),
            Note::ApexNsKept { source_values } => write!(
                f,
                "apex NS: Route 53's own name servers are kept; the source's ({}) are not copied",
                source_values.join(", ")
            ),
            Note::MixedTtl { name, r#type, ttls, chosen } => write!(
                f,
                "{name} {type}: values had TTLs {ttls:?}; Route 53 has one TTL per record set, using the lowest ({chosen})"
            ),
            Note::TxtSplit { name, r#type } => write!(f, "{name} {type}: a string over 255 bytes is split into 255-byte strings"),
            Note::UnsupportedSkipped { name, r#type, count } => write!(
                f,
                "{name} {type}: {count} record(s) skipped (Route 53 does not host {type})"
            ),
            Note::DnssecDropped { count } => write!(
                f,
                "{count} DNSSEC record(s) (RRSIG/NSEC/DNSKEY…) not copied: Route 53 signs zones itself. If the parent has a DS for this zone, remove it before the cutover or enable DNSSEC signing in Route 53"
            ),
            Note::Subdelegation { name, with_ds } => write!(
                f,
                "{name}: delegation to a child zone kept (NS{})",
                if *with_ds { " + DS" } else { "" }
            ),
            Note::Wildcard { name } => write!(f, "{name}: wildcard kept"),
            Note::Idn { name, unicode } => write!(f, "{name}: internationalised name ({unicode}) kept in ASCII form"),
            Note::SelfAliases { count, source_zone_id } => write!(
                f,
                "{count} alias record(s) point into the source zone {source_zone_id} itself: they will point to the same names in the target zone"
            ),
        }
    }
}

/// A record Route 53 would refuse, with the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub name: String,
    pub r#type: String,
    pub rule: &'static str,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {} [{}]",
            self.name, self.r#type, self.message, self.rule
        )
    }
}

#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    #[error("{} record set(s) cannot be hosted by Route 53:\n{}", .0.len(), .0.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<Problem>),
}

#[derive(Debug, Clone)]
pub struct Converted {
    pub zone: String,
    /// Sorted by name, type.
    pub sets: Vec<RecordSet>,
    pub notes: Vec<Note>,
}

/// One record of a source zone, on its own.
enum Item {
    Dnssec,
    Problem(Problem),
    Unsupported((String, String)),
    Value((String, RecordType), u32, String),
}

fn one_record(r: &Record, zname: &Name) -> Item {
    let name = name_to_route53(r.name());
    let ht = r.record_type();
    if is_dnssec_signing_type(ht) {
        return Item::Dnssec;
    }
    match Name::parse(&name) {
        Ok(n) if n.is_subdomain_of(zname) => {}
        Ok(_) => {
            return Item::Problem(Problem {
                message: format!("is not inside the zone {}", zname.as_str()),
                name,
                r#type: ht.to_string(),
                rule: "out-of-zone",
            })
        }
        Err(e) => {
            return Item::Problem(Problem {
                name,
                r#type: ht.to_string(),
                rule: "name",
                message: e.to_string(),
            })
        }
    }
    match wire::to_route53(r.data()) {
        Ok((ty, v)) => Item::Value((name, ty), r.ttl(), v),
        Err(u) => Item::Unsupported((name, u.type_name)),
    }
}

/// What the whole zone tells about each set.
struct SetContext<'a> {
    zone: &'a str,
    names_with: &'a BTreeMap<&'a str, Vec<RecordType>>,
    groups: &'a BTreeMap<(String, RecordType), Vec<(u32, String)>>,
}

#[derive(Default)]
struct SetOutcome {
    set: Option<RecordSet>,
    notes: Vec<Note>,
    problems: Vec<Problem>,
}

/// One (name, type) group of source records → a Route 53 record set, or why not.
fn one_set(cx: &SetContext<'_>, name: &str, ty: RecordType, recs: &[(u32, String)]) -> SetOutcome {
    let mut out = SetOutcome::default();
    let (notes, problems) = (&mut out.notes, &mut out.problems);
    let zone = cx.zone;
    let apex = name == zone;
    let values = || recs.iter().map(|(_, v)| v.clone()).collect::<Vec<String>>();
    if apex && ty == RecordType::Soa {
        notes.push(Note::ApexSoaKept {
            source_value: values().join(" "),
        });
        return out;
    }
    if apex && ty == RecordType::Ns {
        notes.push(Note::ApexNsKept {
            source_values: values(),
        });
        return out;
    }
    let p = |rule: &'static str, message: String| Problem {
        name: name.to_string(),
        r#type: ty.to_string(),
        rule,
        message,
    };
    if ty == RecordType::Soa {
        problems.push(p(
            "soa-below-apex",
            "an SOA below the zone apex (a child zone's data inside this zone?)".into(),
        ));
        return out;
    }
    if apex && ty == RecordType::Cname {
        problems.push(p(
            "cname-at-apex",
            format!(
                "a CNAME cannot be at the zone apex (target {}). In Route 53 use an alias record instead: \
                 type A/AAAA with alias {{ name = \"<target>\", zone_id = \"<target's zone>\" }} when the target is an AWS resource \
                 or a name in Route 53; otherwise point A/AAAA at the target's addresses",
                values().join(", ")
            ),
        ));
        return out;
    }
    if ty == RecordType::Cname {
        let others: Vec<&str> = cx.names_with[name]
            .iter()
            .filter(|t| **t != RecordType::Cname)
            .map(|t| t.as_str())
            .collect();
        if !others.is_empty() {
            problems.push(p(
                "cname-exclusive",
                format!(
                    "a CNAME cannot share its name with other records ({})",
                    others.join(", ")
                ),
            ));
            return out;
        }
    }
    let mut ttls: Vec<u32> = recs.iter().map(|(t, _)| *t).collect();
    ttls.sort_unstable();
    ttls.dedup();
    let ttl = ttls[0];
    if ttls.len() > 1 {
        notes.push(Note::MixedTtl {
            name: name.to_string(),
            r#type: ty.to_string(),
            ttls: ttls.clone(),
            chosen: ttl,
        });
    }
    // Values in the same user form as a Route 53 listing gives, so diffs compare like with like.
    let mut user: Vec<String> = recs.iter().map(|(_, v)| decode_wire_value(ty, v)).collect();
    user.sort();
    user.dedup();
    let rs = RecordSet {
        name: name.to_string(),
        ty,
        ttl: Some(ttl as i64),
        values: user,
        alias: None,
        set_identifier: None,
        routing: None,
        health_check_id: None,
    };
    if ty.is_text()
        && rs
            .values
            .iter()
            .any(|v| v.len() > 255 && !v.trim_start().starts_with('"'))
    {
        notes.push(Note::TxtSplit {
            name: name.to_string(),
            r#type: ty.to_string(),
        });
    }
    for e in rs.check(Some(zone)) {
        problems.push(p("route53-rule", format!("{}: {}", e.field, e.message)));
    }
    let wire_chars: usize = rs.wire_values().iter().map(String::len).sum();
    if rs.values.len() > crate::plan::MAX_BATCH_RECORDS / 2
        || wire_chars > crate::plan::MAX_BATCH_CHARS / 2
    {
        problems.push(p(
            "set-too-large",
            format!(
                "{} values / {wire_chars} characters: larger than one Route 53 change can carry (an UPSERT counts twice: {} values, {} characters)",
                rs.values.len(),
                crate::plan::MAX_BATCH_RECORDS / 2,
                crate::plan::MAX_BATCH_CHARS / 2
            ),
        ));
    }
    if !apex && ty == RecordType::Ns {
        notes.push(Note::Subdelegation {
            name: name.to_string(),
            with_ds: cx.groups.contains_key(&(name.to_string(), RecordType::Ds)),
        });
    }
    if name.starts_with("*.") {
        notes.push(Note::Wildcard {
            name: name.to_string(),
        });
    }
    if name.split('.').any(|l| l.starts_with("xn--")) {
        notes.push(Note::Idn {
            name: name.to_string(),
            unicode: hickory_proto::rr::Name::from_ascii(name)
                .map(|n| n.to_utf8())
                .unwrap_or_default()
                .trim_end_matches('.')
                .to_string(),
        });
    }
    out.set = Some(rs);
    out
}

/// Converts a zone's records (SOA and apex NS included, as a transfer or zone file has them).
pub fn from_dns(zone: &str, records: &[Record], opts: &Options) -> Result<Converted, ConvertError> {
    let zone = normalise(zone);
    let zname = Name::parse(&zone).map_err(|e| {
        ConvertError::Refused(vec![Problem {
            name: zone.clone(),
            r#type: "-".into(),
            rule: "zone-name",
            message: e.to_string(),
        }])
    })?;
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let mut unsupported: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut dnssec = 0usize;
    let items = crate::par::map_chunks(records, 2048, |chunk| {
        chunk
            .iter()
            .map(|r| one_record(r, &zname))
            .collect::<Vec<_>>()
    });
    // (name, type) → (ttl, wire value) per record
    let mut groups: BTreeMap<(String, RecordType), Vec<(u32, String)>> = BTreeMap::new();
    for item in items.into_iter().flatten() {
        match item {
            Item::Dnssec => dnssec += 1,
            Item::Problem(p) => problems.push(p),
            Item::Unsupported(k) => *unsupported.entry(k).or_default() += 1,
            Item::Value(k, ttl, v) => groups.entry(k).or_default().push((ttl, v)),
        }
    }
    if dnssec > 0 {
        notes.push(Note::DnssecDropped { count: dnssec });
    }
    for ((name, ty), count) in unsupported {
        if opts.skip_unsupported {
            notes.push(Note::UnsupportedSkipped {
                name,
                r#type: ty,
                count,
            });
        } else {
            problems.push(Problem {
                name,
                r#type: ty.clone(),
                rule: "unsupported-type",
                message: format!(
                    "Route 53 does not host {ty} records (it hosts {}); leave them out with --skip-unsupported",
                    RecordType::ALL
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    let names_with: BTreeMap<&str, Vec<RecordType>> =
        groups.keys().fold(BTreeMap::new(), |mut m, (n, t)| {
            m.entry(n.as_str()).or_insert_with(Vec::new).push(*t);
            m
        });
    let entries: Vec<_> = groups.iter().collect();
    let cx = SetContext {
        zone: &zone,
        names_with: &names_with,
        groups: &groups,
    };
    let outcomes = crate::par::map_chunks(&entries, 1024, |chunk| {
        chunk
            .iter()
            .map(|(k, recs)| one_set(&cx, &k.0, k.1, recs))
            .collect::<Vec<_>>()
    });
    let mut sets = Vec::new();
    // A name's wildcard or IDN note once, however many types it has.
    let mut noted = std::collections::HashSet::new();
    for o in outcomes.into_iter().flatten() {
        problems.extend(o.problems);
        for n in o.notes {
            let once = match &n {
                Note::Wildcard { name } => Some(("*", name.clone())),
                Note::Idn { name, .. } => Some(("idn", name.clone())),
                _ => None,
            };
            if once.is_none_or(|k| noted.insert(k)) {
                notes.push(n);
            }
        }
        sets.extend(o.set);
    }
    // The source alone over the quota: refused before any AWS call (the plan checks the zone after).
    if let Some(r) = crate::plan::over_quota(sets.len(), opts.max_record_sets) {
        problems.push(Problem {
            name: zone.clone(),
            r#type: "-".into(),
            rule: "zone-too-large",
            message: format!("{r} (--max-record-sets)"),
        });
    }
    if !problems.is_empty() {
        return Err(ConvertError::Refused(problems));
    }
    Ok(Converted { zone, sets, notes })
}

/// Record sets read from another Route 53 zone: everything but the apex SOA/NS is copied as is
/// (aliases and routing policies included).
/// Points aliases whose target is in the zone `from` at the zone `to` instead (a zone copied from
/// one hosted zone to another keeps its internal aliases internal). Returns how many changed.
pub fn retarget_aliases(sets: &mut [RecordSet], from: &str, to: &str) -> usize {
    let mut n = 0;
    for a in sets.iter_mut().filter_map(|s| s.alias.as_mut()) {
        if a.zone_id == from && from != to {
            a.zone_id = to.to_string();
            n += 1;
        }
    }
    n
}

/// Converts the record sets of the Route 53 zone `source_zone_id`.
pub fn from_route53(zone: &str, source_zone_id: &str, sets: &[RecordSet]) -> Converted {
    let zone = normalise(zone);
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for s in sets {
        if s.name == zone && s.ty == RecordType::Soa {
            notes.push(Note::ApexSoaKept {
                source_value: s.values.join(" "),
            });
        } else if s.name == zone && s.ty == RecordType::Ns {
            notes.push(Note::ApexNsKept {
                source_values: s.values.clone(),
            });
        } else {
            out.push(s.clone());
        }
    }
    out.sort_by_key(crate::plan::key);
    let internal = out
        .iter()
        .filter(|s| {
            s.alias
                .as_ref()
                .is_some_and(|a| a.zone_id == source_zone_id)
        })
        .count();
    if internal > 0 {
        notes.push(Note::SelfAliases {
            count: internal,
            source_zone_id: source_zone_id.to_string(),
        });
    }
    Converted {
        zone,
        sets: out,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn route53_copies_keep_cidr_and_geoproximity_routing() {
        use crate::Routing;
        let mk = |id: &str, routing: Routing| RecordSet {
            name: "app.ex.test".into(),
            ty: RecordType::A,
            ttl: Some(60),
            values: vec!["192.0.2.1".into()],
            alias: None,
            set_identifier: Some(id.into()),
            routing: Some(routing),
            health_check_id: None,
        };
        let sets = vec![
            mk(
                "office",
                Routing::Cidr {
                    collection_id: "c-1".into(),
                    location_name: "office".into(),
                },
            ),
            mk(
                "near",
                Routing::GeoProximity(crate::GeoProximity {
                    aws_region: Some("eu-west-1".into()),
                    bias: Some(5),
                    ..Default::default()
                }),
            ),
        ];
        let c = from_route53("ex.test", "Z1", &sets);
        let mut want = sets.clone();
        want.sort_by_key(crate::plan::key);
        assert_eq!(c.sets, want);
    }

    #[test]
    fn route53_copies_report_and_retarget_internal_aliases() {
        let mk = |name: &str, zone_id: &str| RecordSet {
            name: name.into(),
            ty: RecordType::A,
            ttl: None,
            values: Vec::new(),
            alias: Some(crate::record::Alias {
                name: "www.move.example".into(),
                zone_id: zone_id.into(),
                evaluate_target_health: false,
            }),
            set_identifier: None,
            routing: None,
            health_check_id: None,
        };
        let sets = vec![mk("a.move.example", "ZSRC"), mk("b.move.example", "ZOTHER")];
        let mut c = from_route53("move.example", "ZSRC", &sets);
        assert!(c.notes.contains(&Note::SelfAliases {
            count: 1,
            source_zone_id: "ZSRC".into()
        }));
        assert_eq!(retarget_aliases(&mut c.sets, "ZSRC", "ZNEW"), 1);
        let ids: Vec<&str> = c
            .sets
            .iter()
            .map(|s| s.alias.as_ref().unwrap().zone_id.as_str())
            .collect();
        assert_eq!(ids, ["ZNEW", "ZOTHER"]);
        // Copying a zone onto itself changes nothing.
        assert_eq!(retarget_aliases(&mut c.sets, "ZNEW", "ZNEW"), 0);
    }

    fn conv(body: &str, opts: &Options) -> Result<Converted, ConvertError> {
        let text = format!(
            "$TTL 300\n@ IN SOA ns1.old.net. admin.example.com. 1 7200 3600 1209600 300\n@ IN NS ns1.old.net.\n@ IN NS ns2.old.net.\n{body}"
        );
        let z = crate::zonefile::parse_str(&text, Path::new("t.zone"), "example.com").unwrap();
        from_dns("example.com", &z.records, opts)
    }

    #[test]
    fn apex_soa_and_ns_are_never_copied_and_are_reported() {
        let c = conv("www IN A 192.0.2.1\n", &Options::default()).unwrap();
        assert_eq!(c.sets.len(), 1);
        assert!(c
            .notes
            .iter()
            .any(|n| matches!(n, Note::ApexNsKept { source_values } if source_values.len() == 2)));
        assert!(c
            .notes
            .iter()
            .any(|n| matches!(n, Note::ApexSoaKept { .. })));
    }

    #[test]
    fn cname_at_apex_is_refused_with_an_alias_suggestion() {
        let Err(ConvertError::Refused(p)) =
            conv("@ IN CNAME other.example.net.\n", &Options::default())
        else {
            panic!("accepted")
        };
        assert_eq!(p[0].rule, "cname-at-apex");
        assert!(p[0].message.contains("alias"));
    }

    #[test]
    fn unsupported_types_are_listed_together_or_skipped() {
        let body = "h IN HINFO \"PC\" \"Linux\"\nl IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m 0.00m 10000m 10m\nwww IN A 192.0.2.1\n";
        let Err(ConvertError::Refused(p)) = conv(body, &Options::default()) else {
            panic!("accepted")
        };
        assert!(p.iter().all(|p| p.rule == "unsupported-type"), "{p:?}");
        assert_eq!(p.len(), 2, "HINFO and LOC, listed together: {p:?}");
        let c = conv(
            body,
            &Options {
                skip_unsupported: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.sets.len(), 1);
        assert!(c
            .notes
            .iter()
            .any(|n| matches!(n, Note::UnsupportedSkipped { .. })));
    }

    #[test]
    fn mixed_ttls_take_the_lowest_and_say_so() {
        let c = conv(
            "www 600 IN A 192.0.2.1\nwww 60 IN A 192.0.2.2\n",
            &Options::default(),
        )
        .unwrap();
        assert_eq!(c.sets[0].ttl, Some(60));
        assert!(c
            .notes
            .iter()
            .any(|n| matches!(n, Note::MixedTtl { chosen: 60, .. })));
    }

    #[test]
    fn long_txt_is_split_and_wildcards_and_delegations_kept() {
        let long = "x".repeat(300);
        let body = format!(
            "t IN TXT \"{}\" \"{}\"\n* IN A 192.0.2.7\nchild IN NS ns1.child.example.com.\nchild IN DS 12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE\n",
            &long[..255],
            &long[255..]
        );
        let c = conv(&body, &Options::default()).unwrap();
        let t = c.sets.iter().find(|s| s.ty == RecordType::Txt).unwrap();
        assert_eq!(t.values, vec![long]);
        assert!(c.sets.iter().any(|s| s.name == "*.example.com"));
        assert!(c
            .notes
            .iter()
            .any(|n| matches!(n, Note::Subdelegation { with_ds: true, .. })));
    }

    /// A zone signed by Knot carries CDS/CDNSKEY at the apex (they arrive by zone transfer; the
    /// zone-file parser refuses them as signer-generated): dropped like the other signer records,
    /// not refused as types Route 53 lacks.
    #[test]
    fn cds_and_cdnskey_of_a_signed_zone_are_dropped() {
        use hickory_proto::dnssec::rdata::{DNSSECRData, CDNSKEY, CDS};
        use hickory_proto::dnssec::{Algorithm, DigestType};
        use hickory_proto::rr::{Name as HName, RData, Record};
        let text = "$TTL 300\n@ IN SOA ns1.old.net. admin.example.com. 1 7200 3600 1209600 300\n@ IN NS ns1.old.net.\nwww IN A 192.0.2.1\n";
        let mut z = crate::zonefile::parse_str(text, Path::new("t.zone"), "example.com").unwrap();
        let apex = HName::from_ascii("example.com.").unwrap();
        let alg = Some(Algorithm::ECDSAP256SHA256);
        z.records.push(Record::from_rdata(
            apex.clone(),
            300,
            RData::DNSSEC(DNSSECRData::CDS(CDS::new(
                45250,
                alg,
                DigestType::SHA256,
                vec![7; 32],
            ))),
        ));
        z.records.push(Record::from_rdata(
            apex,
            300,
            RData::DNSSEC(DNSSECRData::CDNSKEY(CDNSKEY::new(
                true,
                true,
                false,
                alg,
                vec![9; 64],
            ))),
        ));
        let c = from_dns("example.com", &z.records, &Options::default()).unwrap();
        assert!(
            c.sets.iter().any(|s| s.name == "www.example.com"),
            "{:?}",
            c.sets
        );
        assert!(
            c.notes
                .iter()
                .any(|n| matches!(n, Note::DnssecDropped { count: 2 })),
            "{:?}",
            c.notes
        );
        assert!(!c
            .notes
            .iter()
            .any(|n| matches!(n, Note::UnsupportedSkipped { .. })));
    }

    #[test]
    fn zone_over_the_quota_is_refused() {
        let body: String = (0..20)
            .map(|i| format!("h{i} IN A 192.0.2.{i}\n"))
            .collect();
        let Err(ConvertError::Refused(p)) = conv(
            &body,
            &Options {
                max_record_sets: 10,
                ..Default::default()
            },
        ) else {
            panic!("accepted")
        };
        assert!(p.iter().any(|p| p.rule == "zone-too-large"));
    }

    #[test]
    fn cname_beside_other_data_is_refused() {
        let Err(ConvertError::Refused(p)) =
            conv("x IN CNAME www\nx IN TXT \"hi\"\n", &Options::default())
        else {
            panic!("accepted")
        };
        assert_eq!(p[0].rule, "cname-exclusive");
    }
}
