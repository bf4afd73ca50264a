//! r53_delegation_set and data source r53_delegation_set through Terraform 1.15 against the lab:
//! create → the registrar points at the set's servers, which answer for the zone on it over DNS →
//! plan empty → a set in use cannot be deleted → the zone destroyed and created again keeps its
//! four name servers and its r53_delegation plans no change → drift (the set deleted out of band)
//! repaired → import compared → destroy → gone.

use std::net::SocketAddr;

use hickory_proto::rr::RecordType;
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

const DOMAIN: &str = "reuse-e2e.test";

fn set_only(reference: &str) -> String {
    format!(
        r#"{HEADER}
resource "r53_delegation_set" "main" {{
  reference_name = "{reference}"
}}

data "r53_delegation_set" "lookup" {{
  id = r53_delegation_set.main.id
}}

output "lookup_ns" {{ value = data.r53_delegation_set.lookup.name_servers }}
output "lookup_arn" {{ value = data.r53_delegation_set.lookup.arn }}
"#
    )
}

fn with_zone(reference: &str) -> String {
    format!(
        r#"{}
resource "r53_hosted_zone" "z" {{
  name              = "{DOMAIN}"
  delegation_set_id = r53_delegation_set.main.id
}}

resource "r53_delegation" "d" {{
  domain       = "{DOMAIN}"
  registrar    = "route53"
  name_servers = r53_delegation_set.main.name_servers
}}

output "zone_ns" {{ value = r53_hosted_zone.z.name_servers }}
"#,
        set_only(reference)
    )
}

fn sorted(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The set's ID as the API has it, or None when it is gone.
fn api_set(lab: &Lab, c: &aws_sdk_route53::Client, id: &str) -> Option<Vec<String>> {
    match lab
        .rt
        .block_on(c.get_reusable_delegation_set().id(id).send())
    {
        Ok(o) => {
            let mut ns = o.delegation_set()?.name_servers().to_vec();
            ns.sort();
            Some(ns)
        }
        Err(e) => {
            let code = e.as_service_error().and_then(|s| {
                aws_sdk_route53::error::ProvideErrorMetadata::code(s).map(str::to_string)
            });
            assert_eq!(code.as_deref(), Some("NoSuchDelegationSet"), "{e:?}");
            None
        }
    }
}

#[test]
fn delegation_set_lifecycle_and_a_zone_recreated_on_it_keeps_its_servers() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let reg = lab.proxy.registrar();
    reg.add_registered(
        DOMAIN,
        serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"}),
        &["ns1.old-host.net", "ns2.old-host.net"],
    );
    let tf = lab.terraform(TfBin::Lib)?;

    // create: the set, a zone on it, and the registrar pointed at the set's servers
    tf.write(&with_zone("e2e-set"))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("3 added"), "{}", o.text());
    let s = tf.resource("r53_delegation_set.main")?;
    let set_id = attr(&s, "id");
    let set_ns = sorted(&s["name_servers"]);
    assert_eq!(set_ns.len(), 4, "{s}");
    assert_eq!(attr(&s, "reference_name"), "e2e-set");
    assert_eq!(
        attr(&s, "arn"),
        format!("arn:aws:route53:::delegationset/{set_id}")
    );
    assert_eq!(api_set(&lab, &c, &set_id), Some(set_ns.clone()));
    let out = tf.outputs()?;
    assert_eq!(sorted(&out["lookup_ns"]["value"]), set_ns, "data source");
    assert_eq!(out["lookup_arn"]["value"], attr(&s, "arn"));
    assert_eq!(
        sorted(&out["zone_ns"]["value"]),
        set_ns,
        "the zone uses the set"
    );
    let zone = tf.resource("r53_hosted_zone.z")?;
    let zid = attr(&zone, "zone_id");
    assert_eq!(attr(&zone, "delegation_set_id"), set_id);
    // The TLD refers the domain to the set's servers, and the set's server answers for the zone.
    assert_eq!(ns_at(&lab, lab.registry.addr, DOMAIN), set_ns);
    let index = lab.proxy.delegation_sets().set_of(&zid);
    assert!(
        (nameservers::SETS..nameservers::ALL_SETS).contains(&index),
        "a reusable set has a lab set of its own: {index}"
    );
    let server = SocketAddr::new(nameservers::set_ip(index), lab.registry.addr.port());
    let soa = lab
        .rt
        .block_on(r53_lab::registry::ask(server, DOMAIN, RecordType::SOA))?;
    assert!(soa.authoritative() && !soa.answers().is_empty(), "{soa:?}");
    tf.assert_plan_empty()?;

    // Route 53 refuses to delete a set in use.
    let e = lab
        .rt
        .block_on(c.delete_reusable_delegation_set().id(&set_id).send())
        .expect_err("a set in use");
    assert_eq!(
        e.as_service_error()
            .and_then(aws_sdk_route53::error::ProvideErrorMetadata::code),
        Some("DelegationSetInUse"),
        "{e:?}"
    );

    // The zone destroyed and created again on the set: the same four servers, so the binding
    // (and the registrar) is left alone.
    let o = tf.run_ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-replace=r53_hosted_zone.z",
    ])?;
    assert!(
        o.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "only the zone is replaced:\n{}",
        o.text()
    );
    let new_zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_ne!(new_zid, zid);
    assert!(zone_gone(&lab, &c, &zid));
    assert_eq!(sorted(&tf.outputs()?["zone_ns"]["value"]), set_ns);
    assert_eq!(ns_at(&lab, lab.registry.addr, DOMAIN), set_ns);
    tf.assert_plan_empty()?;

    // Only the set left (the delegation's destroy forgets it: the registration keeps its servers).
    tf.write(&set_only("e2e-set"))?;
    tf.apply()?;
    assert!(zone_gone(&lab, &c, &new_zid));
    tf.assert_plan_empty()?;

    // import block → only the import → plan empty → the same state
    let tf2 = lab.terraform(TfBin::Lib)?;
    tf2.write(&format!(
        "{}\nimport {{\n  to = r53_delegation_set.main\n  id = \"{set_id}\"\n}}\n",
        set_only("e2e-set")
    ))?;
    let p = tf2.plan()?;
    assert!(
        p.stdout
            .contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{}",
        p.text()
    );
    tf2.apply()?;
    tf2.assert_plan_empty()?;
    assert_same_values(
        "imported r53_delegation_set.main",
        &tf.resource("r53_delegation_set.main")?,
        &tf2.resource("r53_delegation_set.main")?,
        &[],
    );
    tf2.state_rm("r53_delegation_set.main")?;

    // drift: the set deleted out of band is planned again, and made again
    lab.rt
        .block_on(c.delete_reusable_delegation_set().id(&set_id).send())?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("r53_delegation_set.main will be created"),
        "{}",
        p.text()
    );
    tf.apply()?;
    let again = attr(&tf.resource("r53_delegation_set.main")?, "id");
    assert_ne!(again, set_id);
    assert!(api_set(&lab, &c, &again).is_some());
    tf.assert_plan_empty()?;

    // a new reference name is a new set
    tf.write(&set_only("e2e-set-2"))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        o.text()
    );
    let third = attr(&tf.resource("r53_delegation_set.main")?, "id");
    assert_eq!(api_set(&lab, &c, &again), None, "the old set is deleted");

    // destroy → gone
    tf.destroy()?;
    assert_eq!(api_set(&lab, &c, &third), None);
    Ok(())
}
