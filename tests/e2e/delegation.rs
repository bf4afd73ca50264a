//! r53_delegation and r53_delegation_status through real Terraform against the lab: the registrar,
//! the TLD registry and Route 53's name servers all answer real DNS. Each mode: apply → the
//! parent publishes the zone's servers (asked over DNS) → plan empty → reordering/re-casing is no
//! change → out-of-band change detected and repaired → import → plan empty → destroy. Plus the
//! external mode's drift and fail_if_not_delegated, the lame-delegation warning and the DS refusal.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use r53_lab::nameservers;
use r53_tests::*;

const HEADER: &str = r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
provider "r53" {}
"#;

fn wait_ns(lab: &Lab, server: SocketAddr, domain: &str, want: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let ns = ns_at(lab, server, domain);
        if ns == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{server} still publishes {ns:?} for {domain}, not {want:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn sorted(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    x.as_str()
                        .map(|s| s.trim_end_matches('.').to_ascii_lowercase())
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Terraform wraps diagnostic text: compare with the line breaks folded.
fn folded(o: &str) -> String {
    o.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn registrar_mode_config(ns_expr: &str) -> String {
    format!(
        r#"{HEADER}
resource "r53_hosted_zone" "z" {{
  name = "both-e2e.test"
}}

resource "r53_delegation" "d" {{
  domain       = "both-e2e.test"
  registrar    = "route53"
  name_servers = {ns_expr}
}}

data "r53_delegation_status" "s" {{
  domain     = r53_delegation.d.domain
  depends_on = [r53_delegation.d]
}}

output "problems" {{ value = data.r53_delegation_status.s.problems }}
output "servers"  {{ value = data.r53_delegation_status.s.servers }}
output "dnssec"   {{ value = [data.r53_delegation_status.s.dnssec, data.r53_delegation_status.s.dnssec_reason] }}
output "zone_ns"  {{ value = r53_hosted_zone.z.name_servers }}
"#
    )
}

#[test]
fn delegation_registrar_mode_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let reg = lab.proxy.registrar();
    reg.add_registered(
        "both-e2e.test",
        lab_contact(),
        &["ns1.old-host.net", "ns2.old-host.net"],
    );
    lab.registry.set_publish_delay(Duration::from_millis(300));
    let tf = lab.terraform(TfBin::Lib)?;

    tf.write(&registrar_mode_config("r53_hosted_zone.z.name_servers"))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("2 added"), "{}", o.text());
    let out = tf.outputs()?;
    let zone_ns = sorted(&out["zone_ns"]["value"]);
    assert_eq!(zone_ns.len(), 4);
    assert!(zone_ns[0].contains(".awsdns-"), "{zone_ns:?}");
    let mut reg_ns: Vec<String> = reg
        .nameservers("both-e2e.test")
        .unwrap_or_default()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    reg_ns.sort();
    assert_eq!(reg_ns, zone_ns, "the registrar points at the zone");
    // The apply waited for the TLD: its referral already names the zone's servers.
    assert_eq!(ns_at(&lab, lab.registry.addr, "both-e2e.test"), zone_ns);
    let s = tf.resource("r53_delegation.d")?;
    assert_eq!(s["delegated"], true, "{s}");
    assert_eq!(s["parent_zone"], "test", "{s}");
    assert_eq!(sorted(&s["published_name_servers"]), zone_ns);
    assert_eq!(s["id"], "route53:both-e2e.test");
    // The status data source: healthy, every server authoritative with a serial.
    assert_eq!(out["problems"]["value"], serde_json::json!([]), "{out}");
    let servers = out["servers"]["value"].as_array().unwrap();
    assert_eq!(servers.len(), 4);
    assert!(
        servers
            .iter()
            .all(|s| s["authoritative"] == true && s["serial"].is_number()),
        "{servers:?}"
    );
    // Unsigned under the signed lab TLD: insecure, and the validator says where the chain ends.
    assert_eq!(out["dnssec"]["value"][0], "insecure", "{out}");
    assert!(
        out["dnssec"]["value"][1]
            .as_str()
            .is_some_and(|r| r.contains("no DS for the both-e2e.test zone")),
        "{out}"
    );
    tf.assert_plan_empty()?;

    // Reordered, upper-cased, trailing dots: no change and no registrar call.
    let before = lab.proxy.stats();
    tf.write(&registrar_mode_config(
        r#"[for n in reverse(sort(r53_hosted_zone.z.name_servers)) : "${upper(n)}."]"#,
    ))?;
    tf.assert_plan_empty()?;
    tf.apply()?;
    assert_eq!(
        lab.proxy.stats().calls.get("UpdateDomainNameservers"),
        before.calls.get("UpdateDomainNameservers")
    );

    // Someone points the domain elsewhere at the registrar: the plan shows it, apply repairs it.
    reg.set_registration_nameservers("both-e2e.test", &["ns1.old-host.net".into()]);
    let p = tf.plan()?;
    assert!(p.stdout.contains("1 to change"), "{}", p.text());
    assert!(p.stdout.contains("ns1.old-host.net"), "{}", p.text());
    tf.apply()?;
    wait_ns(&lab, lab.registry.addr, "both-e2e.test", &zone_ns);
    tf.assert_plan_empty()?;

    // Import into an empty state plans no change.
    let before = tf.resource("r53_delegation.d")?;
    tf.state_rm("r53_delegation.d")?;
    tf.import("r53_delegation.d", "route53:both-e2e.test")?;
    assert_same_values(
        "imported r53_delegation.d",
        &before,
        &tf.resource("r53_delegation.d")?,
        // Compared as a set without regard to case or a trailing dot; the configuration spells
        // them otherwise than the import, which reads them back normalised.
        &[(
            "name_servers",
            "spelling differs; compared as a normalised set",
        )],
    );
    tf.assert_plan_empty()?;

    // Destroy leaves the registration pointing at the zone, and says so.
    let o = tf.destroy()?;
    assert!(
        o.text().contains("both-e2e.test stays delegated"),
        "{}",
        o.text()
    );
    assert_eq!(
        reg.nameservers("both-e2e.test").unwrap_or_default().len(),
        4
    );
    Ok(())
}

#[test]
fn delegation_refuses_a_ds_the_new_servers_cannot_satisfy() -> anyhow::Result<()> {
    let lab = lab();
    let reg = lab.proxy.registrar();
    reg.add_registered(
        "signed-e2e.test",
        lab_contact(),
        &["ns1.old-host.net", "ns2.old-host.net"],
    );
    lab.registry.set_publish_delay(Duration::ZERO);
    lab.registry.set_ds(
        "signed-e2e.test",
        &["2371 13 2 1F987CC6583E92DF0890718C42A2B7B3F3A6B2A0C6B7D5E4F3A2B1C0D9E8F7A6"],
    );
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&format!(
        r#"{HEADER}
resource "r53_hosted_zone" "z" {{
  name = "signed-e2e.test"
}}
resource "r53_delegation" "d" {{
  domain       = "signed-e2e.test"
  registrar    = "route53"
  name_servers = r53_hosted_zone.z.name_servers
}}
"#
    ))?;
    let o = tf.apply_fails()?;
    let text = folded(&o.stderr);
    assert!(
        text.contains(
            "signed-e2e.test: the parent publishes DS records the new name servers cannot satisfy"
        ),
        "{}",
        o.text()
    );
    assert!(text.contains("2371 13 2"), "{}", o.text());
    assert!(text.contains("Nothing was changed"), "{}", o.text());
    assert_eq!(lab.proxy.stats().calls.get("UpdateDomainNameservers"), None);
    let mut ns: Vec<String> = reg
        .nameservers("signed-e2e.test")
        .unwrap_or_default()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    ns.sort();
    assert_eq!(ns, ["ns1.old-host.net", "ns2.old-host.net"]);
    Ok(())
}

fn parent_mode_config(extra: &str) -> String {
    format!(
        r#"{HEADER}
resource "r53_hosted_zone" "parent" {{
  name = "parent-e2e.test"
}}
resource "r53_hosted_zone" "child" {{
  name = "dev.parent-e2e.test"
}}
resource "r53_delegation" "d" {{
  domain         = r53_hosted_zone.child.name
  parent_zone_id = r53_hosted_zone.parent.zone_id
  name_servers   = r53_hosted_zone.child.name_servers
  {extra}
}}
"#
    )
}

#[test]
fn delegation_parent_zone_mode_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&parent_mode_config(""))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("3 added"), "{}", o.text());
    let parent = tf.resource("r53_hosted_zone.parent")?;
    let child = tf.resource("r53_hosted_zone.child")?;
    let (pid, child_ns) = (attr(&parent, "zone_id"), sorted(&child["name_servers"]));
    assert_ne!(
        sorted(&parent["name_servers"]),
        child_ns,
        "a subzone gets a delegation set of its own, as in Route 53"
    );
    let ns_set = || {
        list_sets(&lab, &c, &pid)
            .into_iter()
            .find(|s| s.0 == "dev.parent-e2e.test." && s.1 == "NS")
    };
    let set = ns_set().expect("NS record set in the parent");
    assert_eq!(set.3, Some(172_800));
    // The parent zone's name server refers the subdomain to the child's servers, over DNS.
    let parent_server = SocketAddr::new(
        nameservers::set_ip(lab.proxy.delegation_sets().set_of(&pid)),
        lab.dns_port(),
    );
    assert_eq!(ns_at(&lab, parent_server, "dev.parent-e2e.test"), child_ns);
    let s = tf.resource("r53_delegation.d")?;
    assert_eq!(s["delegated"], true, "{s}");
    assert_eq!(s["parent_zone"], "parent-e2e.test", "{s}");
    assert_eq!(s["id"], format!("{pid}:dev.parent-e2e.test"));
    tf.assert_plan_empty()?;

    // A TTL change is an update in place.
    tf.write(&parent_mode_config("ttl = 3600"))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("1 changed"), "{}", o.text());
    assert_eq!(ns_set().unwrap().3, Some(3600));
    tf.assert_plan_empty()?;

    // The NS record set deleted behind Terraform's back: planned again, and put back.
    let rrs = rrset(
        "dev.parent-e2e.test.",
        aws_sdk_route53::types::RrType::Ns,
        3600,
        &child_ns.iter().map(|n| format!("{n}.")).collect::<Vec<_>>(),
    )?;
    change_set(
        &lab,
        &c,
        &pid,
        aws_sdk_route53::types::ChangeAction::Delete,
        rrs,
    )?;
    assert!(ns_set().is_none());
    let p = tf.plan()?;
    assert!(p.stdout.contains("1 to add"), "{}", p.text());
    tf.apply()?;
    assert!(ns_set().is_some());
    assert_eq!(ns_at(&lab, parent_server, "dev.parent-e2e.test"), child_ns);
    tf.assert_plan_empty()?;

    // Import.
    let before = tf.resource("r53_delegation.d")?;
    tf.state_rm("r53_delegation.d")?;
    tf.import("r53_delegation.d", &format!("{pid}:dev.parent-e2e.test"))?;
    assert_same_values(
        "imported r53_delegation.d",
        &before,
        &tf.resource("r53_delegation.d")?,
        // Compared as a set without regard to case or a trailing dot; the configuration spells
        // them otherwise than the import, which reads them back normalised.
        &[(
            "name_servers",
            "spelling differs; compared as a normalised set",
        )],
    );
    tf.assert_plan_empty()?;

    // Destroy removes the NS record set (and the zones).
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &pid));
    Ok(())
}

fn external_config(fail: bool) -> String {
    format!(
        r#"{HEADER}
resource "r53_hosted_zone" "z" {{
  name = "ext-e2e.test"
}}
resource "r53_delegation" "d" {{
  domain                = "ext-e2e.test"
  registrar             = "external"
  name_servers          = r53_hosted_zone.z.name_servers
  fail_if_not_delegated = {fail}
}}
resource "r53_delegation" "lame" {{
  domain       = "nozone-e2e.test"
  registrar    = "external"
  name_servers = r53_hosted_zone.z.name_servers
}}
output "message" {{ value = r53_delegation.d.status_message }}
"#
    )
}

#[test]
fn delegation_external_mode_drift_fail_and_lame() -> anyhow::Result<()> {
    let lab = lab();
    lab.registry.set_publish_delay(Duration::ZERO);
    // Registered at a third-party registrar, served by an old host.
    let old: Vec<String> = nameservers::set_names(nameservers::SETS - 1).to_vec();
    let old_refs: Vec<(&str, &[&str])> = old.iter().map(|n| (n.as_str(), &[][..])).collect();
    lab.registry.delegate("ext-e2e.test", &old_refs);
    lab.registry.delegate("nozone-e2e.test", &old_refs);
    let tf = lab.terraform(TfBin::Lib)?;

    tf.write(&external_config(false))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("3 added"), "{}", o.text());
    let text = folded(&o.text());
    assert!(
        text.contains("ext-e2e.test is not delegated to these name servers yet"),
        "{}",
        o.text()
    );
    // The lame check: the zone's servers do not host nozone-e2e.test.
    assert!(
        text.contains("nozone-e2e.test: lame delegation"),
        "{}",
        o.text()
    );
    assert!(
        text.contains("(127.0.1.1) answered REFUSED"),
        "{}",
        o.text()
    );
    let zone_ns = sorted(&tf.resource("r53_hosted_zone.z")?["name_servers"]);
    let msg = tf.outputs()?["message"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.contains(&format!(
            "set the name servers of ext-e2e.test at its registrar to: {}",
            zone_ns.join(", ")
        )),
        "{msg}"
    );
    assert_eq!(tf.resource("r53_delegation.d")?["delegated"], false);

    // The drift stays visible in every plan until the registrar is changed.
    let p = tf.plan()?;
    assert!(
        p.stdout.contains("r53_delegation.d will be updated"),
        "{}",
        p.text()
    );
    assert!(
        folded(&p.text()).contains("ext-e2e.test is not delegated to the configured name servers"),
        "{}",
        p.text()
    );

    // fail_if_not_delegated fails the apply.
    tf.write(&external_config(true))?;
    let o = tf.apply_fails()?;
    assert!(
        folded(&o.stderr).contains("ext-e2e.test is not delegated"),
        "{}",
        o.text()
    );

    // The owner changes the delegation at the other registrar: now it holds.
    let new_refs: Vec<(&str, &[&str])> = zone_ns.iter().map(|n| (n.as_str(), &[][..])).collect();
    lab.registry.delegate("ext-e2e.test", &new_refs);
    wait_ns(&lab, lab.registry.addr, "ext-e2e.test", &zone_ns);
    let o = tf.apply()?;
    assert!(
        !o.text().contains("ext-e2e.test is not delegated"),
        "{}",
        o.text()
    );
    let s = tf.resource("r53_delegation.d")?;
    assert_eq!(s["delegated"], true, "{s}");
    assert!(
        attr(&s, "status_message").starts_with("delegated: the test zone publishes"),
        "{s}"
    );
    let p = tf.plan()?;
    assert!(
        !p.stdout.contains("r53_delegation.d will be updated"),
        "{}",
        p.text()
    );

    // Import, then destroy changes nothing at the registry.
    let before = tf.resource("r53_delegation.d")?;
    tf.state_rm("r53_delegation.d")?;
    tf.import("r53_delegation.d", "external:ext-e2e.test")?;
    assert_same_values(
        "imported r53_delegation.d",
        &before,
        &tf.resource("r53_delegation.d")?,
        // Compared as a set without regard to case or a trailing dot; the configuration spells
        // them otherwise than the import, which reads them back normalised.
        &[
            (
                "name_servers",
                "spelling differs; compared as a normalised set",
            ),
            (
                "fail_if_not_delegated",
                "a setting of this resource, not of Route 53: an import cannot read it",
            ),
        ],
    );
    assert_eq!(tf.resource("r53_delegation.d")?["delegated"], true);
    tf.destroy()?;
    assert_eq!(ns_at(&lab, lab.registry.addr, "ext-e2e.test"), zone_ns);
    Ok(())
}
