//! r53_registered_domain and the domain data sources through real Terraform against the lab's
//! registrar and TLD registry: adopt → change auto-renew, lock, contacts, privacy, name servers
//! with glue → plan empty → the registry publishes them over DNS → reordering/re-casing is no
//! change → out-of-band change repaired → a failing operation's message → import → plan empty →
//! destroy keeps the domain; register = true buys one and deregister_on_destroy gives it up.

use std::time::{Duration, Instant};

use hickory_proto::rr::{RData, RecordType};
use r53_tests::*;

const ADA: &str = r#"{
    first_name = "Ada", last_name = "Lovelace", contact_type = "PERSON", address_line_1 = "1 Lab Way",
    city = "London", country_code = "GB", zip_code = "N1 1AA", phone_number = "+44.2071234567",
    email = "ada@example.org"
  }"#;

fn aws_contact() -> serde_json::Value {
    serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
        "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
        "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"})
}

fn header() -> &'static str {
    r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
provider "r53" {}
locals {
  ada = ADA
}
"#
}

/// The adopted domain with the given settings; `ns` is the name_server blocks' HCL.
fn adopt_config(auto_renew: bool, lock: bool, ns: &str) -> String {
    format!(
        r#"{}
resource "r53_registered_domain" "d" {{
  domain_name        = "adopt-e2e.test"
  auto_renew         = {auto_renew}
  transfer_lock      = {lock}
  admin_contact      = merge(local.ada, {{ phone_number = "+44.2070000000" }})
  registrant_contact = local.ada
  tech_contact       = local.ada
  admin_privacy      = false
  tags               = {{ env = "prod" }}
  {ns}
}}

data "r53_registered_domain" "view" {{
  domain_name = r53_registered_domain.d.domain_name
}}

data "r53_domain_availability" "free" {{
  domain_name = "free-e2e.test"
}}

data "r53_domain_availability" "taken" {{
  domain_name = "adopt-e2e.test"
}}

output "view_ns"        {{ value = data.r53_registered_domain.view.name_servers }}
output "view_glue"      {{ value = data.r53_registered_domain.view.glue_ips }}
output "free"           {{ value = data.r53_domain_availability.free.available }}
output "free_price"     {{ value = data.r53_domain_availability.free.registration_price }}
output "taken"          {{ value = data.r53_domain_availability.taken.availability }}
"#,
        header().replace("ADA", ADA)
    )
}

const NS_A: &str = r#"
  name_server {
    name     = "ns1.adopt-e2e.test"
    glue_ips = ["192.0.2.53"]
  }
  name_server {
    name = "ns.other-host.net"
  }"#;

// The same set: other order, other case, trailing dots.
const NS_A_RECASED: &str = r#"
  name_server {
    name = "NS.Other-Host.NET."
  }
  name_server {
    name     = "ns1.ADOPT-e2e.test."
    glue_ips = ["192.0.2.53"]
  }"#;

const NS_B: &str = r#"
  name_server {
    name     = "ns1.adopt-e2e.test"
    glue_ips = ["192.0.2.53"]
  }
  name_server {
    name     = "ns2.adopt-e2e.test"
    glue_ips = ["192.0.2.54", "2001:db8::54"]
  }"#;

fn registrar_ns(lab: &Lab, d: &str) -> Vec<(String, Vec<String>)> {
    let mut v = lab.proxy.registrar().nameservers(d).unwrap_or_default();
    v.sort();
    v
}

/// Polls the lab's TLD server over DNS until its referral for `domain` names `want` (sorted,
/// absolute), returning the glue it sent.
fn wait_for_referral(lab: &Lab, domain: &str, want: &[&str]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = lab
            .rt
            .block_on(r53_lab::registry::ask(
                lab.registry.addr,
                domain,
                RecordType::NS,
            ))
            .expect("DNS query to the lab registry");
        let mut ns: Vec<String> = m
            .name_servers()
            .iter()
            .filter_map(|r| match r.data() {
                RData::NS(n) => Some(n.0.to_ascii()),
                _ => None,
            })
            .collect();
        ns.sort();
        if ns == want {
            let mut glue: Vec<String> = m
                .additionals()
                .iter()
                .map(|r| format!("{} {}", r.name(), r.data()))
                .collect();
            glue.sort();
            return glue;
        }
        assert!(
            Instant::now() < deadline,
            "the registry still refers {domain} to {ns:?}, not {want:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn registered_domain_adopt_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let reg = lab.proxy.registrar();
    reg.add_registered(
        "adopt-e2e.test",
        aws_contact(),
        &["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"],
    );
    lab.registry.set_publish_delay(Duration::from_millis(300));
    let tf = lab.terraform(TfBin::Lib)?;

    // Adopt and change everything at once.
    tf.write(&adopt_config(false, false, NS_A))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("1 added"), "{}", o.text());
    assert!(
        !o.text().contains("+44.2070000000"),
        "contact details are sensitive and must not be printed"
    );
    assert_eq!(
        registrar_ns(&lab, "adopt-e2e.test"),
        vec![
            ("ns.other-host.net".to_string(), vec![]),
            (
                "ns1.adopt-e2e.test".to_string(),
                vec!["192.0.2.53".to_string()]
            ),
        ]
    );
    let s = tf.resource("r53_registered_domain.d")?;
    assert_eq!(s["auto_renew"], false, "{s}");
    assert_eq!(s["transfer_lock"], false, "{s}");
    assert_eq!(s["admin_privacy"], false, "{s}");
    assert_eq!(s["registrant_privacy"], true, "{s}");
    assert_eq!(s["admin_contact"]["phone_number"], "+44.2070000000");
    assert!(
        s["billing_contact"].is_null(),
        "an unset contact is not copied from the registrar: {s}"
    );
    assert_eq!(s["status_list"], serde_json::json!([]), "lock released");
    assert_eq!(s["tags"]["env"], "prod");
    assert!(
        s["expiration_date"].as_str().unwrap().starts_with("20"),
        "{s}"
    );
    let out = tf.outputs()?;
    assert_eq!(out["free"]["value"], true);
    assert_eq!(out["free_price"]["value"], 12.0);
    assert_eq!(out["taken"]["value"], "UNAVAILABLE");
    assert_eq!(
        out["view_glue"]["value"]["ns1.adopt-e2e.test"],
        serde_json::json!(["192.0.2.53"])
    );
    tf.assert_plan_empty()?;

    // The TLD registry now refers the domain to the new servers, with glue, over real DNS.
    let glue = wait_for_referral(
        &lab,
        "adopt-e2e.test",
        &["ns.other-host.net.", "ns1.adopt-e2e.test."],
    );
    assert_eq!(glue, ["ns1.adopt-e2e.test. 192.0.2.53"], "{glue:?}");

    // Reordered and re-cased: no change, no registrar call.
    let before = lab.proxy.stats();
    tf.write(&adopt_config(false, false, NS_A_RECASED))?;
    tf.assert_plan_empty()?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    let after = lab.proxy.stats();
    assert_eq!(
        after.calls.get("UpdateDomainNameservers"),
        before.calls.get("UpdateDomainNameservers"),
        "no name-server update for a reordered, re-cased set"
    );

    // Out-of-band: someone turns auto-renew and the lock back on in the console.
    reg.tamper("adopt-e2e.test", Some(true), Some(true));
    let p = tf.plan()?;
    assert!(p.stdout.contains("1 to change"), "{}", p.text());
    assert!(p.stdout.contains("auto_renew"), "{}", p.text());
    tf.apply()?;
    let d = lab.rt.block_on(
        domains_sdk(&lab)
            .get_domain_detail()
            .domain_name("adopt-e2e.test")
            .send(),
    )?;
    assert_eq!(d.auto_renew(), Some(false));
    assert!(d.status_list().is_empty(), "{:?}", d.status_list());
    tf.assert_plan_empty()?;

    // A name-server change the registry refuses: the apply fails with the registrar's message
    // and nothing changes; the retry lands, glue and IPv6 included.
    reg.fail_next(
        "UPDATE_NAMESERVER",
        "The registry rejected ns2.adopt-e2e.test: glue address is in use by another domain.",
    );
    tf.write(&adopt_config(false, false, NS_B))?;
    let o = tf.apply_fails()?;
    // Terraform wraps diagnostic text: compare with the line breaks folded.
    let folded = o.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        folded.contains("ended FAILED: The registry rejected ns2.adopt-e2e.test: glue address is in use by another domain."),
        "{}",
        o.text()
    );
    assert_eq!(registrar_ns(&lab, "adopt-e2e.test").len(), 2);
    tf.apply()?;
    let ns = registrar_ns(&lab, "adopt-e2e.test");
    assert_eq!(ns[1].0, "ns2.adopt-e2e.test");
    assert_eq!(ns[1].1.len(), 2, "{ns:?}");
    tf.assert_plan_empty()?;
    let glue = wait_for_referral(
        &lab,
        "adopt-e2e.test",
        &["ns1.adopt-e2e.test.", "ns2.adopt-e2e.test."],
    );
    assert_eq!(glue.len(), 3, "A, A and AAAA glue: {glue:?}");

    // Import into an empty state writes no contact (personal data is in state only where the
    // configuration puts it); everything else is as before. The configured contacts are then an
    // in-place update that sends nothing to the registrar, and then the plan is empty.
    let before = tf.resource("r53_registered_domain.d")?;
    tf.state_rm("r53_registered_domain.d")?;
    tf.import("r53_registered_domain.d", "adopt-e2e.test")?;
    let s = tf.resource("r53_registered_domain.d")?;
    for role in ["admin", "registrant", "tech", "billing"] {
        assert!(s[format!("{role}_contact")].is_null(), "{s}");
    }
    assert_same_values(
        "imported r53_registered_domain.d",
        &before,
        &s,
        &[
            ("admin_contact", "import copies no contact"),
            ("registrant_contact", "import copies no contact"),
            ("tech_contact", "import copies no contact"),
            ("billing_contact", "import copies no contact"),
        ],
    );
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(p.stdout.contains("1 to change"), "{}", p.text());
    let before = lab.proxy.stats();
    tf.apply()?;
    assert_eq!(
        lab.proxy.stats().calls.get("UpdateDomainContact"),
        before.calls.get("UpdateDomainContact"),
        "the registrar already has the configured contacts"
    );
    tf.assert_plan_empty()?;

    // Destroy removes it from state only, says so, and the domain stays registered.
    let o = tf.destroy()?;
    assert!(
        o.text().contains("adopt-e2e.test is still registered"),
        "{}",
        o.text()
    );
    assert!(o.text().contains("deregister_on_destroy"), "{}", o.text());
    assert_eq!(registrar_ns(&lab, "adopt-e2e.test").len(), 2);
    Ok(())
}

fn buy_config(deregister: bool, contacts: bool) -> String {
    let c = if contacts {
        "admin_contact = local.ada\n  registrant_contact = local.ada\n  tech_contact = local.ada"
    } else {
        ""
    };
    format!(
        r#"{}
resource "r53_registered_domain" "new" {{
  domain_name           = "buy-e2e.test"
  register              = true
  duration_in_years     = 1
  deregister_on_destroy = {deregister}
  {c}
}}

data "r53_hosted_zone" "made" {{
  zone_id = r53_registered_domain.new.hosted_zone_id
}}

output "zone_ns" {{ value = data.r53_hosted_zone.made.name_servers }}
"#,
        header().replace("ADA", ADA)
    )
}

#[test]
fn registered_domain_register_and_deregister() -> anyhow::Result<()> {
    let lab = lab();
    lab.registry.set_publish_delay(Duration::ZERO);
    let tf = lab.terraform(TfBin::Lib)?;

    // Without contacts the plan is refused before any call.
    tf.write(&buy_config(false, false))?;
    let p = tf.plan_fails()?;
    assert!(
        p.stderr.contains("Contact required to register"),
        "{}",
        p.text()
    );
    assert!(!lab.proxy.stats().calls.contains_key("RegisterDomain"));

    // A 1-year registration: the apply waits through SUBMITTED and IN_PROGRESS.
    tf.write(&buy_config(false, true))?;
    let t = Instant::now();
    tf.apply()?;
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "the lab's registration takes 1 s; the apply cannot have waited for it"
    );
    let s = tf.resource("r53_registered_domain.new")?;
    assert_eq!(s["auto_renew"], true, "{s}");
    assert_eq!(s["transfer_lock"], true, "{s}");
    let zone = s["hosted_zone_id"]
        .as_str()
        .expect("registration zone")
        .to_string();
    let out = tf.outputs()?;
    let mut zone_ns: Vec<String> = out["zone_ns"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().trim_end_matches('.').to_string())
        .collect();
    zone_ns.sort();
    let mut current: Vec<String> = s["current_name_servers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    current.sort();
    assert_eq!(current, zone_ns, "the domain points at zone {zone}");
    let want: Vec<String> = zone_ns.iter().map(|n| format!("{n}.")).collect();
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    wait_for_referral(&lab, "buy-e2e.test", &want);
    tf.assert_plan_empty()?;
    let ops = lab
        .rt
        .block_on(domains_sdk(&lab).list_operations().send())?;
    assert!(ops.operations().iter().any(|o| {
        o.domain_name() == Some("buy-e2e.test")
            && o.r#type().map(|t| t.as_str()) == Some("REGISTER_DOMAIN")
            && o.status().map(|s| s.as_str()) == Some("SUCCESSFUL")
    }));

    // Asking for deregistration is a state-only change; destroy then gives the domain up.
    tf.write(&buy_config(true, true))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("1 changed"), "{}", o.text());
    let o = tf.destroy()?;
    assert!(!o.text().contains("still registered"), "{}", o.text());
    assert!(lab.proxy.registrar().nameservers("buy-e2e.test").is_none());
    Ok(())
}
