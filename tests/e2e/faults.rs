//! Under throttling, PriorRequestNotComplete, 500s, resets (including resets after the change was
//! applied) and changes that stay PENDING, apply converges with nothing lost or duplicated — for
//! 200 record sets in one `r53_records` and as 200 `r53_record`s.
//!
//! The proxy's faults are a function of (seed, action, call index) (`r53_lab::proxy::fault_for`)
//! and `fault_first` faults the first call of every action, so the test can require a fault on
//! every action it exercises, and check that exactly the scheduled faults were injected, however
//! Terraform's concurrent requests interleave.

use std::collections::BTreeMap;

use r53_lab::proxy::fault_for;
use r53_tests::*;

const ZONE: &str = "faults.example";
/// Record sets per run.
const N: usize = 200;

fn faulty() -> ProxyConfig {
    ProxyConfig {
        fault_rate: 0.2,
        fault_first: true,
        pending_ms: 800,
        seed: 7,
        ..Default::default()
    }
}

/// The record sets: A (two values), AAAA and TXT, each with its own name, TTL and values.
fn sets() -> Vec<RecordDecl> {
    (0..N)
        .map(|i| {
            let name = format!("h{i}.{ZONE}");
            let ttl = 60 + (i % 5) as i64;
            match i % 4 {
                0 => RecordDecl::simple(&name, "AAAA", ttl, &[&format!("2001:db8::{i:x}")]),
                1 => RecordDecl::simple(&name, "TXT", ttl, &[&format!("v{i}")]),
                _ => RecordDecl::simple(
                    &name,
                    "A",
                    ttl,
                    &[
                        &format!("10.{}.{}.1", i / 256, i % 256),
                        &format!("10.{}.{}.2", i / 256, i % 256),
                    ],
                ),
            }
        })
        .collect()
}

/// What Route 53 lists for a declared set: its values as Route 53 shows them (TXT quoted).
fn listed(d: &RecordDecl) -> Set {
    let mut vals: Vec<String> = d
        .values
        .iter()
        .map(|v| {
            if d.ty == "TXT" {
                format!("\"{v}\"")
            } else {
                v.clone()
            }
        })
        .collect();
    vals.sort();
    (format!("{}.", d.name), d.ty.clone(), None, d.ttl, vals)
}

/// Faults were injected on every Route 53 action the calls so far exercised, and exactly the
/// faults the schedule gives for that many calls of each action (by kind).
fn assert_faults(lab: &Lab, cfg: &ProxyConfig, phase: &str) {
    let stats = lab.proxy.stats();
    assert!(!stats.calls.is_empty(), "{phase}: no calls: {stats:?}");
    for (act, n) in &stats.calls {
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for i in 0..*n {
            if let Some(k) = fault_for(cfg, act, i) {
                *want.entry(k.to_string()).or_default() += 1;
            }
        }
        let got = stats.faulted.get(act).cloned().unwrap_or_default();
        assert!(!got.is_empty(), "{phase}: no fault on {act}: {stats:#?}");
        assert_eq!(got, want, "{phase}: {act} ({n} calls): {stats:#?}");
    }
    let total: u64 = stats.faults.values().sum();
    println!(
        "{phase}: {} calls, {total} faults; by kind {:?}; calls {:?}",
        stats.total(),
        stats.faults,
        stats.calls
    );
}

fn no_faults(lab: &Lab) {
    lab.proxy.set_config(ProxyConfig {
        fault_rate: 0.0,
        ..faulty()
    });
}

/// Faults on, with a fresh schedule and fresh counts.
fn faults_on(lab: &Lab) {
    lab.proxy.set_config(faulty());
    lab.proxy.reset_stats();
}

fn converges_under_faults(shape: Shape) -> anyhow::Result<()> {
    let t0 = std::time::Instant::now();
    let lab = Lab::start_with(faulty())?;
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let decl = sets();
    tf.write(&records_config(ZONE, &decl, shape))?;
    tf.apply()?;
    assert_faults(&lab, &faulty(), "apply");
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");

    // The checks below use the SDK directly; they run without faults.
    no_faults(&lab);
    let zones = lab.rt.block_on(c.list_hosted_zones().send())?;
    assert_eq!(
        zones.hosted_zones().len(),
        1,
        "no duplicate zone from a retried CreateHostedZone: {zones:?}"
    );
    let mut got = list_sets(&lab, &c, &zid);
    got.retain(|s| !(s.0 == format!("{ZONE}.") && (s.1 == "SOA" || s.1 == "NS")));
    got.sort();
    let mut want: Vec<Set> = decl.iter().map(listed).collect();
    want.sort();
    // Every set exactly once with its values (a duplicate or a loss shows as a difference).
    assert_eq!(got.len(), want.len(), "record set count");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }

    // Refresh and destroy under the same faults.
    faults_on(&lab);
    tf.assert_plan_empty()?;
    tf.destroy()?;
    assert_faults(&lab, &faulty(), "plan and destroy");
    no_faults(&lab);
    assert!(zone_gone(&lab, &c, &zid));
    assert!(lab
        .rt
        .block_on(c.list_hosted_zones().send())?
        .hosted_zones()
        .is_empty());
    println!("{shape:?}: {:.0?}", t0.elapsed());
    Ok(())
}

#[test]
fn apply_converges_under_faults_one_records() -> anyhow::Result<()> {
    converges_under_faults(Shape::OneRecords)
}

#[test]
fn apply_converges_under_faults_each_record() -> anyhow::Result<()> {
    converges_under_faults(Shape::EachRecord)
}
