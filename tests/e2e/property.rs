//! Property test through the real Terraform core: 208 generated record-set configurations —
//! every record type the provider hosts, every routing policy with set identifiers, names with
//! `_`, `*` wildcards and IDN labels (as punycode), long TXT with quotes and backslashes, many
//! values per set — applied in two batches (a) as one `r53_records` and (b) as one `r53_record`
//! per set. After every apply: no "inconsistent result", an empty plan, and `terraform import` of
//! everything into a fresh directory writes nothing and yields the same state, compared whole.
//!
//! The generator is proptest's strategies driven by a fixed seed (no shrinking: each case costs
//! Terraform runs), so a failure reproduces exactly; the failing configuration is in the
//! assertion's output (the `main.tf` is printed).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use r53_tests::*;

const ZONE: &str = "prop.example";
/// Generated configurations (each one to three record sets of one name and type).
const CONFIGS: usize = 208;
/// Applies per shape: the configurations are split into this many batches.
const BATCHES: usize = 2;
const SEED: [u8; 32] = *b"r53 property test, seed 1 (fix)!";

/// Every type `r53_record` accepts except SOA: a zone has exactly one SOA, at the apex, which the
/// hosted zone owns (`r53_records` leaves it alone).
const TYPES: [&str; 16] = [
    "A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SPF", "SRV", "SSHFP",
    "SVCB", "TLSA", "TXT",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Policy {
    Simple,
    Weighted,
    Failover,
    Latency,
    Geolocation,
    Multivalue,
}

const POLICIES: [Policy; 6] = [
    Policy::Simple,
    Policy::Weighted,
    Policy::Failover,
    Policy::Latency,
    Policy::Geolocation,
    Policy::Multivalue,
];

fn hex(len: usize) -> BoxedStrategy<String> {
    proptest::collection::vec(0u8..16, len)
        .prop_map(|v| v.iter().map(|d| format!("{d:x}")).collect())
        .boxed()
}

fn label() -> BoxedStrategy<String> {
    "[a-z][a-z0-9-]{0,8}[a-z0-9]".boxed()
}

fn host() -> BoxedStrategy<String> {
    label().prop_map(|l| format!("{l}.example.net.")).boxed()
}

/// TXT text: printable ASCII (quotes, backslashes, `${`, `%{` included), long (> 255), or close
/// to Route 53's 4,000-character limit for one value.
fn txt_value() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[ -~]{1,80}",
        2 => "[a-zA-Z0-9 \"\\\\;=]{256,1200}",
        1 => "[a-zA-Z0-9]{3700,3800}",
    ]
    .prop_filter("not all blank", |s: &String| !s.trim().is_empty())
    // A value starting with a quote is read as quoted strings (see the record docs) and refused
    // unless well-formed: that is another path, so the text here never starts with one.
    .prop_filter("no leading quote", |s: &String| {
        !s.trim_start().starts_with('"')
    })
    .boxed()
}

fn value(ty: &str) -> BoxedStrategy<String> {
    match ty {
        "A" => (0u8..3, 1u8..255)
            .prop_map(|(n, h)| {
                format!("{}.{h}", ["192.0.2", "198.51.100", "203.0.113"][n as usize])
            })
            .boxed(),
        "AAAA" => (any::<u16>(), any::<u16>())
            .prop_map(|(a, b)| format!("2001:db8:{a:x}::{b:x}"))
            .boxed(),
        "CAA" => prop_oneof![
            label().prop_map(|l| format!("0 issue \"{l}.example\"")),
            label().prop_map(|l| format!("128 issuewild \"{l}.example\"")),
            label().prop_map(|l| format!("0 iodef \"mailto:{l}@example.com\"")),
        ]
        .boxed(),
        "CNAME" | "NS" | "PTR" => host(),
        "DS" => (any::<u16>(), prop_oneof![Just(8u8), Just(13)], hex(64))
            .prop_map(|(tag, alg, d)| format!("{tag} {alg} 2 {}", d.to_uppercase()))
            .boxed(),
        "HTTPS" => prop_oneof![
            Just("1 . alpn=\"h2,h3\"".to_string()),
            (1u16..10, host(), 1u16..65535).prop_map(|(p, h, port)| format!("{p} {h} port={port}")),
            host().prop_map(|h| format!("0 {h}")),
        ]
        .boxed(),
        "SVCB" => prop_oneof![
            (1u16..10, host(), 1u16..65535).prop_map(|(p, h, port)| format!("{p} {h} port={port}")),
            Just("2 . alpn=\"dot\"".to_string()),
        ]
        .boxed(),
        "MX" => (0u16..1000, host())
            .prop_map(|(p, h)| format!("{p} {h}"))
            .boxed(),
        "NAPTR" => prop_oneof![
            (1u16..200, 1u16..100).prop_map(|(o, p)| format!(
                "{o} {p} \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" ."
            )),
            (1u16..200, 1u16..100, host())
                .prop_map(|(o, p, h)| format!("{o} {p} \"S\" \"SIP+D2U\" \"\" _sip._udp.{h}")),
        ]
        .boxed(),
        "SPF" => (1u8..255)
            .prop_map(|n| format!("v=spf1 ip4:192.0.2.{n} -all"))
            .boxed(),
        "SRV" => (0u16..100, 0u16..100, 1u16..65535, host())
            .prop_map(|(p, w, port, h)| format!("{p} {w} {port} {h}"))
            .boxed(),
        "SSHFP" => prop_oneof![
            (1u8..5, hex(40)).prop_map(|(a, f)| format!("{a} 1 {f}")),
            (1u8..5, hex(64)).prop_map(|(a, f)| format!("{a} 2 {f}")),
        ]
        .boxed(),
        "TLSA" => (0u8..4, 0u8..2, hex(64))
            .prop_map(|(u, s, d)| format!("{u} {s} 1 {d}"))
            .boxed(),
        "TXT" => txt_value(),
        other => unreachable!("no generator for {other}"),
    }
}

/// How many values a set may have: many for addresses, one for CNAME.
fn max_values(ty: &str) -> usize {
    match ty {
        "CNAME" => 1,
        "A" | "AAAA" => 25,
        "TXT" => 4,
        _ => 5,
    }
}

/// The owner name's leftmost labels (the config index keeps every name unique).
fn name_prefix(ty: &str, i: usize) -> BoxedStrategy<String> {
    let idn = prop_oneof![
        Just("bücher"),
        Just("münchen"),
        Just("日本語"),
        Just("пример"),
        Just("ελληνικά"),
        Just("café"),
    ];
    let base = prop_oneof![
        3 => label().prop_map(move |l| format!("{l}-{i}")),
        2 => label().prop_map(move |l| format!("_{l}_{i}")),
        1 => (label(), label()).prop_map(move |(a, b)| format!("{a}.{b}-{i}")),
        2 => idn.prop_map(move |u| {
            idna::domain_to_ascii(&format!("{u}-{i}")).expect("IDN label converts")
        }),
    ];
    match ty {
        // Conventional underscore owners.
        "SRV" => label().prop_map(move |l| format!("_{l}._tcp.s{i}")).boxed(),
        "TLSA" => Just(format!("_443._tcp.t{i}")).boxed(),
        // A wildcard delegation or DS makes no sense in DNS.
        "NS" | "DS" => base.boxed(),
        _ => prop_oneof![4 => base, 1 => label().prop_map(move |l| format!("*.{l}-{i}"))].boxed(),
    }
}

/// The routing-policy argument of set `k` of a routed configuration (distinct per `k` where
/// Route 53 needs it: failover role, location, region).
fn routing(p: Policy, k: usize, weight: u8) -> Option<String> {
    let geo = [
        "continent = \"EU\"",
        "country = \"DE\"",
        "country = \"*\"",
        "country = \"US\"\n    subdivision = \"CA\"",
    ];
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2"];
    match p {
        Policy::Simple => None,
        Policy::Weighted => Some(format!(
            "weighted_routing_policy {{\n    weight = {weight}\n  }}"
        )),
        Policy::Failover => Some(format!(
            "failover_routing_policy {{\n    type = \"{}\"\n  }}",
            ["PRIMARY", "SECONDARY"][k % 2]
        )),
        Policy::Latency => Some(format!(
            "latency_routing_policy {{\n    region = \"{}\"\n  }}",
            regions[k % regions.len()]
        )),
        Policy::Geolocation => Some(format!(
            "geolocation_routing_policy {{\n    {}\n  }}",
            geo[k % geo.len()]
        )),
        Policy::Multivalue => Some("multivalue_answer_routing_policy = true".into()),
    }
}

/// Which policy configuration `i` uses: round-robin, so every type meets every policy it allows.
fn policy_for(ty: &str, i: usize) -> Policy {
    let p = POLICIES[(i / TYPES.len()) % POLICIES.len()];
    match (ty, p) {
        // NS and DS belong to a delegation, which has no routing; multivalue answers are not
        // for CNAMEs.
        ("NS" | "DS", _) | ("CNAME", Policy::Multivalue) => Policy::Simple,
        _ => p,
    }
}

/// Configuration `i`: one to three record sets of one name and type.
fn configuration(i: usize) -> BoxedStrategy<Vec<RecordDecl>> {
    let ty = TYPES[i % TYPES.len()];
    let policy = policy_for(ty, i);
    let copies = match policy {
        Policy::Simple => Just(1usize).boxed(),
        Policy::Failover => (1usize..=2).boxed(),
        _ => (1usize..=3).boxed(),
    };
    let sets = proptest::collection::vec(
        (
            proptest::collection::hash_set(value(ty), 1..=max_values(ty)),
            prop_oneof![Just(0i64), 1i64..=172_800],
            0u8..=255,
        ),
        3,
    );
    (name_prefix(ty, i), copies, sets)
        .prop_map(move |(prefix, n, sets)| {
            let name = format!("{prefix}.{ZONE}");
            sets.into_iter()
                .take(n)
                .enumerate()
                .map(|(k, (values, ttl, weight))| {
                    let mut values: Vec<String> = values.into_iter().collect();
                    values.sort();
                    RecordDecl {
                        name: name.clone(),
                        ty: ty.into(),
                        ttl: Some(ttl),
                        values,
                        set_id: routing(policy, k, weight).map(|_| format!("id-{i}_{k} x")),
                        routing: routing(policy, k, weight),
                        alias: None,
                    }
                })
                .collect()
        })
        .boxed()
}

/// The configurations, the same on every run.
fn configurations() -> Vec<Vec<RecordDecl>> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
    );
    (0..CONFIGS)
        .map(|i| {
            configuration(i)
                .new_tree(&mut runner)
                .expect("generate a configuration")
                .current()
        })
        .collect()
}

/// The generator covers what the test promises, and is deterministic.
#[test]
fn property_generator_covers_every_type_policy_and_name_form() {
    let cfgs = configurations();
    assert_eq!(cfgs, configurations(), "the same seed gives the same cases");
    let sets: Vec<&RecordDecl> = cfgs.iter().flatten().collect();
    assert_eq!(cfgs.len(), CONFIGS);
    for t in TYPES {
        assert!(sets.iter().any(|s| s.ty == t), "no {t}");
    }
    for (what, pat) in [
        ("weighted", "weighted_routing_policy"),
        ("failover", "failover_routing_policy"),
        ("latency", "latency_routing_policy"),
        ("geolocation", "geolocation_routing_policy"),
        ("multivalue", "multivalue_answer_routing_policy"),
    ] {
        assert!(
            sets.iter().any(
                |s| s.routing.as_deref().is_some_and(|r| r.contains(pat)) && s.set_id.is_some()
            ),
            "no {what} set"
        );
    }
    assert!(sets.iter().any(|s| s.name.starts_with("*.")), "no wildcard");
    assert!(sets.iter().any(|s| s.name.starts_with('_')), "no `_` name");
    assert!(sets.iter().any(|s| s.name.contains("xn--")), "no IDN name");
    let txt = |s: &&&RecordDecl| s.ty == "TXT";
    assert!(sets
        .iter()
        .filter(txt)
        .any(|s| s.values.iter().any(|v| v.len() > 255)));
    assert!(sets
        .iter()
        .filter(txt)
        .any(|s| s.values.iter().any(|v| v.len() > 3500)));
    assert!(
        sets.iter()
            .filter(txt)
            .any(|s| s.values.iter().map(String::len).sum::<usize>() > 4000),
        "no TXT set over 4,000 characters in all"
    );
    assert!(sets
        .iter()
        .filter(txt)
        .any(|s| s.values.iter().any(|v| v.contains('"'))));
    assert!(sets
        .iter()
        .filter(txt)
        .any(|s| s.values.iter().any(|v| v.contains('\\'))));
    assert!(
        sets.iter().any(|s| s.values.len() >= 10),
        "no set with many values"
    );
    assert!(
        cfgs.iter().any(|c| c.len() >= 2),
        "no name with several set identifiers"
    );
}

/// Fails on Terraform's "inconsistent result" (and the like) even when it only warns.
#[track_caller]
fn assert_consistent(o: &TfOutput) {
    assert!(
        !o.text().contains("inconsistent"),
        "Terraform reports an inconsistency:\n{}",
        o.text()
    );
}

fn import_blocks(state: &serde_json::Value) -> String {
    state_values(state)
        .iter()
        .map(|(addr, v)| {
            let id = if addr == "r53_records.all" {
                v["zone_id"].as_str()
            } else {
                v["id"].as_str()
            };
            format!(
                "import {{\n  to = {addr}\n  id = \"{}\"\n}}\n",
                id.expect("an id in state")
            )
        })
        .collect()
}

fn applies_through_terraform(shape: Shape) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let lab = Lab::start()?;
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let cfgs = configurations();
    let per_batch = CONFIGS.div_ceil(BATCHES);
    let mut zid = String::new();
    for (b, batch) in cfgs.chunks(per_batch).enumerate() {
        let sets: Vec<RecordDecl> = batch.iter().flatten().cloned().collect();
        let main_tf = records_config(ZONE, &sets, shape);
        tf.write(&main_tf)?;
        let o = tf
            .apply()
            .map_err(|e| e.context(format!("batch {b}, main.tf:\n{main_tf}")))?;
        assert_consistent(&o);
        tf.assert_plan_empty()
            .map_err(|e| e.context(format!("batch {b}, main.tf:\n{main_tf}")))?;
        let state = tf.state()?;
        zid = attr(&state_values(&state)["r53_hosted_zone.z"], "zone_id");
        let listed = list_sets(&lab, &c, &zid);
        assert_eq!(listed.len(), sets.len() + 2, "batch {b}: {listed:#?}");

        // Import everything into a fresh directory: nothing written, the same state.
        let tf2 = lab.terraform(TfBin::Lib)?;
        tf2.write(&format!("{main_tf}\n{}", import_blocks(&state)))?;
        lab.proxy.reset_stats();
        let o = tf2
            .apply()
            .map_err(|e| e.context(format!("import, batch {b}, main.tf:\n{main_tf}")))?;
        assert_consistent(&o);
        // The import read back exactly what the configuration says: the apply writes nothing.
        let writes = lab.proxy.stats().get("ChangeResourceRecordSets");
        assert_eq!(
            writes, 0,
            "batch {b}: the apply after the import wrote {writes} change batch(es):\n{}",
            o.stdout
        );
        tf2.assert_plan_empty()?;
        assert_same_state(&state, &tf2.state()?, &[]);
        println!(
            "{shape:?} batch {b}: {} configurations, {} record sets, {:.0?}",
            batch.len(),
            sets.len(),
            t0.elapsed()
        );
    }
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    println!("{shape:?}: {:.0?}", t0.elapsed());
    Ok(())
}

#[test]
fn property_configurations_apply_cleanly_in_one_records() -> anyhow::Result<()> {
    applies_through_terraform(Shape::OneRecords)
}

#[test]
fn property_configurations_apply_cleanly_as_records() -> anyhow::Result<()> {
    applies_through_terraform(Shape::EachRecord)
}
