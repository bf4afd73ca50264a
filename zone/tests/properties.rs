//! Property tests of the zone model: zone-file presentation ↔ DNS wire ↔ Route 53 form round
//! trips for every record type the model hosts, `normalise` idempotent, TXT split/join, and the
//! plan laws. Case counts are kept small so the whole file runs in seconds in debug.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use hickory_proto::rr::Record;
use hickory_proto::serialize::binary::{BinDecodable, BinEncodable};
use proptest::prelude::*;
use r53_zone::plan::{self, Action, Scope};
use r53_zone::rdata::{parse_string_bytes, quote_route53};
use r53_zone::{
    decode_wire_value, encode_user_value, name::normalise, values_equivalent, RecordSet, RecordType,
};

const ZONE: &str = "example.com";

fn cfg(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        // The same cases on every run, so a failure reproduces and CI never depends on luck
        // (PROPTEST_RNG_SEED picks other cases when exploring by hand).
        rng_seed: proptest::test_runner::RngSeed::Fixed(
            std::env::var("PROPTEST_RNG_SEED")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(53),
        ),
        ..ProptestConfig::default()
    }
}

/// A label hickory's name parser takes (it refuses some with `_` inside, such as `0_`: an error,
/// not a change of data).
fn label() -> impl Strategy<Value = String> {
    "_?[a-z][a-z0-9-]{0,10}[a-z0-9]"
}

fn plain_host() -> impl Strategy<Value = String> {
    prop::collection::vec(label(), 1..3).prop_map(|l| format!("{}.example.net.", l.join(".")))
}

/// A host name in Route 53's form (absolute, trailing dot), sometimes with an escaped dot inside a
/// label.
fn host() -> impl Strategy<Value = String> {
    (
        label(),
        // hickory's name parser takes an escaped dot, not other escaped specials (`\@`).
        prop::option::of(Just("\\056")),
        prop::collection::vec(label(), 0..2),
    )
        .prop_map(|(first, special, rest)| {
            let mut h = first;
            if let Some(s) = special {
                h.push_str(s);
                h.push('x');
            }
            for l in rest {
                h.push('.');
                h.push_str(&l);
            }
            format!("{h}.example.net.")
        })
}

fn hex(n: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), n)
        .prop_map(|b| b.iter().map(|x| format!("{x:02X}")).collect())
}

/// Strings of bytes (any byte) as Route 53 writes them: at most 255 bytes each.
fn text_value() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..=255), 1..3)
        // An empty value (`""` alone) is refused by the model's rules ("the value is empty").
        .prop_filter("not empty", |parts| parts.iter().any(|p| !p.is_empty()))
        .prop_map(|parts| {
            parts
                .iter()
                .map(|p| quote_route53(p))
                .collect::<Vec<_>>()
                .join(" ")
        })
}

fn printable(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[a-zA-Z0-9.:+!^$*=@-]{{1,{max}}}")).unwrap()
}

/// A value in Route 53's form for each type the model hosts (SOA apart: see below).
fn value_of(ty: RecordType) -> BoxedStrategy<String> {
    use RecordType as T;
    match ty {
        T::A => any::<Ipv4Addr>().prop_map(|a| a.to_string()).boxed(),
        T::Aaaa => any::<Ipv6Addr>().prop_map(|a| a.to_string()).boxed(),
        T::Cname | T::Ns | T::Ptr => host().boxed(),
        T::Mx => (any::<u16>(), host())
            .prop_map(|(p, h)| format!("{p} {h}"))
            .boxed(),
        T::Srv => (any::<u16>(), any::<u16>(), any::<u16>(), host())
            .prop_map(|(p, w, port, h)| format!("{p} {w} {port} {h}"))
            .boxed(),
        T::Caa => (
            prop::sample::select(vec![0u8, 128]),
            prop::sample::select(vec!["issue", "issuewild"]),
            label(),
        )
            .prop_map(|(f, tag, ca)| format!("{f} {tag} \"{ca}.example.net\""))
            .boxed(),
        T::Ds => (
            any::<u16>(),
            prop::sample::select(vec![8u8, 13, 14]),
            hex(32),
        )
            .prop_map(|(k, a, d)| format!("{k} {a} 2 {d}"))
            .boxed(),
        T::Sshfp => (1u8..=4, hex(32))
            .prop_map(|(a, f)| format!("{a} 2 {f}"))
            .boxed(),
        T::Tlsa => (0u8..=3, 0u8..=1, 1u8..=2, hex(32))
            .prop_map(|(u, s, m, d)| format!("{u} {s} {m} {d}"))
            .boxed(),
        T::Naptr => (any::<u16>(), any::<u16>(), printable(20), host())
            .prop_map(|(o, p, re, h)| format!("{o} {p} \"u\" \"E2U+sip\" \"!^.*$!{re}!\" {h}"))
            .boxed(),
        T::Https | T::Svcb => (
            1u16..100,
            prop::sample::select(vec!["alpn=h2", "alpn=h2,h3", "port=8443", ""]),
        )
            .prop_map(|(p, params)| format!("{p} . {params}").trim().to_string())
            .boxed(),
        T::Txt | T::Spf => text_value().boxed(),
        T::Soa => unreachable!("SOA is tested on its own"),
    }
}

fn any_hosted() -> impl Strategy<Value = (RecordType, String)> {
    prop::sample::select(
        RecordType::ALL
            .iter()
            .copied()
            .filter(|t| *t != RecordType::Soa)
            .collect::<Vec<_>>(),
    )
    .prop_flat_map(|ty| value_of(ty).prop_map(move |v| (ty, v)))
}

fn set(name: &str, ty: RecordType, values: Vec<String>) -> RecordSet {
    RecordSet {
        name: name.into(),
        ty,
        ttl: Some(300),
        values,
        alias: None,
        set_identifier: None,
        routing: None,
        health_check_id: None,
    }
}

fn parse(text: &str) -> Vec<Record> {
    match r53_zone::zonefile::parse_str(text, Path::new("p.zone"), ZONE) {
        Ok(z) => z.records,
        Err(e) => panic!("{e}\n{text}"),
    }
}

proptest! {
    #![proptest_config(cfg(160))]

    /// Route 53 form → zone-file presentation → records → DNS wire and back → Route 53 form
    /// again: the same value, for every type; and the listing of what was imported compares
    /// equal to it.
    #[test]
    fn every_type_round_trips((ty, v) in any_hosted(), owner in label()) {
        let name = format!("{owner}.{ZONE}");
        let rs = set(&name, ty, vec![decode_wire_value(ty, &v)]);
        prop_assert!(rs.check(Some(ZONE)).is_empty(), "{:?}", rs.check(Some(ZONE)));
        let text = r53_zone::zonefile::render(std::slice::from_ref(&rs));
        let records = parse(&text);
        prop_assert_eq!(records.len(), 1);
        let bytes = records[0].to_bytes().unwrap();
        let back = Record::from_bytes(&bytes).unwrap();
        prop_assert_eq!(&back, &records[0]);
        let c = r53_zone::convert::from_dns(ZONE, &[back], &Default::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(c.sets.len(), 1);
        let got = &c.sets[0];
        prop_assert_eq!(&got.name, &name);
        prop_assert!(values_equivalent(ty, &rs.values, &got.values), "{:?} vs {:?}\n{}", rs.values, got.values, text);
        // Route 53 lists the values as they were sent.
        let mut listed = got.clone();
        listed.values = got.wire_values().iter().map(|w| decode_wire_value(ty, w)).collect();
        prop_assert!(plan::same_record(&listed, &rs));
    }

    #[test]
    fn soa_round_trips(m in plain_host(), r in plain_host(), serial in any::<u32>(), t in prop::array::uniform4(0..=i32::MAX as u32)) {
        // hickory refuses timers over i32::MAX (an error).
        let v = format!("{m} {r} {serial} {} {} {} {}", t[0], t[1], t[2], t[3]);
        let records = parse(&format!("{ZONE}. 60 IN SOA {v}\n"));
        let (ty, got) = r53_zone::wire::to_route53(records[0].data()).unwrap();
        prop_assert_eq!(ty, RecordType::Soa);
        prop_assert_eq!(got, v);
    }

    #[test]
    fn normalise_is_idempotent(s in "[a-zA-Z0-9.\\\\ *_é\"-]{0,24}") {
        let once = normalise(&s);
        prop_assert_eq!(normalise(&once), once.clone(), "{:?}", s);
        // A valid name is its own normal form.
        if let Ok(n) = r53_zone::Name::parse(&s) {
            prop_assert_eq!(n.as_str(), once.as_str());
            prop_assert_eq!(r53_zone::Name::parse(n.as_str()).unwrap(), n);
        }
    }

    /// Any text: encoded into strings of at most 255 bytes that hold its bytes, and decoded
    /// back to it (text that reads as quoted strings is sent as written).
    #[test]
    fn txt_split_and_join_round_trip(v in "(\\PC|[\"\\\\\t]){0,700}", spf in any::<bool>()) {
        let ty = if spf { RecordType::Spf } else { RecordType::Txt };
        let w = encode_user_value(ty, &v);
        let parts = parse_string_bytes(&w).unwrap();
        prop_assert!(parts.iter().all(|p| p.len() <= 255));
        if w != v {
            prop_assert_eq!(parts.concat(), v.as_bytes().to_vec());
        }
        prop_assert_eq!(decode_wire_value(ty, &w), v.clone());
        prop_assert!(w.bytes().all(|b| (0x20..=0x7e).contains(&b)) || w == v);
    }

    #[test]
    fn route53_strings_round_trip(parts in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..=255), 1..4)) {
        let w = parts.iter().map(|p| quote_route53(p)).collect::<Vec<_>>().join(" ");
        prop_assert_eq!(parse_string_bytes(&w).unwrap(), parts);
        let user = decode_wire_value(RecordType::Txt, &w);
        prop_assert!(values_equivalent(RecordType::Txt, &[user], &[w]));
    }
}

/// A zone's record sets: unique keys, below the apex.
fn zone_sets() -> impl Strategy<Value = Vec<RecordSet>> {
    let one = (
        prop::sample::select(vec!["a", "b", "c", "d", "e", "f"]),
        prop::sample::select(vec![RecordType::A, RecordType::Txt, RecordType::Mx]),
        prop::sample::select(vec![60i64, 300]),
        0u8..4,
    )
        .prop_map(|(n, ty, ttl, v)| {
            let value = match ty {
                RecordType::A => format!("192.0.2.{v}"),
                RecordType::Txt => format!("v={v} \"q\""),
                _ => format!("{v} mx{v}.example.net."),
            };
            let mut s = set(&format!("{n}.{ZONE}"), ty, vec![value]);
            s.ttl = Some(ttl);
            s
        });
    prop::collection::vec(one, 0..12).prop_map(|v| {
        let mut seen = BTreeSet::new();
        v.into_iter()
            .filter(|s| seen.insert(plan::key(s)))
            .collect()
    })
}

fn apply(live: &[RecordSet], p: &plan::Plan) -> BTreeMap<plan::RecordKey, RecordSet> {
    let mut m: BTreeMap<plan::RecordKey, RecordSet> =
        live.iter().map(|s| (plan::key(s), s.clone())).collect();
    for s in &p.steps {
        match s.action {
            Action::Create | Action::Update => {
                let a = s.after.clone().expect("create/update has an after");
                m.insert(plan::key(&a), a);
            }
            Action::Delete => {
                m.remove(&s.key());
            }
        }
    }
    m
}

fn same_zone(got: &BTreeMap<plan::RecordKey, RecordSet>, want: &[RecordSet]) -> bool {
    got.len() == want.len()
        && want.iter().all(|w| {
            got.get(&plan::key(w))
                .is_some_and(|g| plan::same_record(g, w))
        })
}

proptest! {
    #![proptest_config(cfg(200))]

    #[test]
    fn diff_of_a_zone_with_itself_is_empty(a in zone_sets()) {
        prop_assert!(plan::diff(ZONE, &a, &a, Scope::Exclusive).is_empty());
        let keys: BTreeSet<plan::RecordKey> = a.iter().map(plan::key).collect();
        let additive = Scope::Additive { previously: &keys };
        prop_assert!(plan::diff(ZONE, &a, &a, additive).is_empty());
    }

    #[test]
    fn applying_the_diff_gives_the_wanted_zone(a in zone_sets(), b in zone_sets()) {
        let p = plan::diff(ZONE, &a, &b, Scope::Exclusive);
        prop_assert!(same_zone(&apply(&a, &p), &b), "{:?}", p.steps);
        // Deletes come before the other changes of their name.
        for w in p.steps.windows(2) {
            if w[0].record().name == w[1].record().name {
                prop_assert!(!(w[0].action != Action::Delete && w[1].action == Action::Delete));
            }
        }
        let keys: BTreeSet<plan::RecordKey> = a.iter().map(plan::key).collect();
        let additive = Scope::Additive { previously: &keys };
        let p = plan::diff(ZONE, &a, &b, additive);
        prop_assert!(same_zone(&apply(&a, &p), &b));
    }
}

/// The wildcard match by its definition (exponential, fine for short inputs): `*` takes any run,
/// `?` one character, anything else itself.
fn wildcard_by_definition(p: &[char], n: &[char]) -> bool {
    match p.split_first() {
        None => n.is_empty(),
        Some(('*', rest)) => (0..=n.len()).any(|i| wildcard_by_definition(rest, &n[i..])),
        Some((c, rest)) => match n.split_first() {
            Some((d, nrest)) if *c == '?' || c == d => wildcard_by_definition(rest, nrest),
            _ => false,
        },
    }
}

proptest! {
    #![proptest_config(cfg(512))]

    /// `matches_pattern` (linear in practice, never exponential) agrees with the definition, on
    /// names and patterns as they compare (normalised).
    #[test]
    fn name_wildcards_match_by_their_definition(p in "[ab.*?]{0,8}", n in "[ab.]{0,10}") {
        let (pn, nn) = (normalise(&p), normalise(&n));
        let want = wildcard_by_definition(
            &pn.chars().collect::<Vec<_>>(),
            &nn.chars().collect::<Vec<_>>(),
        );
        prop_assert_eq!(r53_zone::name::matches_pattern(&p, &n), want, "{:?} ~ {:?}", pn, nn);
    }
}
