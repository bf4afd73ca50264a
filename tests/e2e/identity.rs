//! Resource identity (Terraform >= 1.12) for every resource: each one applied through Terraform
//! 1.15 has an identity in state naming its remote object; taken out of state, all of them come
//! back through `import { identity = {…} }` blocks — a plan of imports only, a state equal to the
//! first, then an empty plan — and are destroyed. Under Terraform 1.11.4, which knows no identity,
//! the same configuration applies, imports by ID and destroys the same way.

use std::collections::BTreeMap;

use r53_tests::*;

const ZONE_ACCOUNT: &str = "111111111111";
const VPC_ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";
const DOMAIN: &str = "ident-reg-e2e.test";

struct Fixture {
    log_group: String,
    net: r53_lab::moto::Network,
    /// A KMS key Route 53 may sign with (for the zone's key-signing key).
    ksk_arn: String,
}

fn config(f: &Fixture) -> String {
    let providers = assume_role_providers(
        REGION,
        &[
            ("dns", ZONE_ACCOUNT, "dns-admin"),
            ("network", VPC_ACCOUNT, "network-admin"),
        ],
    );
    let (s1, s2) = (&f.net.subnet_ids[0], &f.net.subnet_ids[1]);
    format!(
        r#"{providers}
provider "r53" {{}}

resource "r53_hosted_zone" "z" {{
  name = "ident-e2e.test"
}}

resource "r53_record" "w" {{
  zone_id        = r53_hosted_zone.z.zone_id
  name           = "www.ident-e2e.test"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.1"]
  set_identifier = "blue"
  weighted_routing_policy {{
    weight = 10
  }}
}}

resource "r53_hosted_zone" "bulk" {{
  name = "bulk-ident-e2e.test"
}}

resource "r53_records" "bulk" {{
  zone_id = r53_hosted_zone.bulk.zone_id
  mode    = "exclusive"
  record "www A" {{
    name    = "www.bulk-ident-e2e.test"
    type    = "A"
    ttl     = 300
    records = ["192.0.2.2"]
  }}
}}

resource "r53_hosted_zone" "child" {{
  name = "dev.ident-e2e.test"
}}

resource "r53_delegation" "d" {{
  domain         = r53_hosted_zone.child.name
  parent_zone_id = r53_hosted_zone.z.zone_id
  name_servers   = r53_hosted_zone.child.name_servers
}}

resource "r53_key_signing_key" "k" {{
  hosted_zone_id = r53_hosted_zone.z.zone_id
  name           = "ident_ksk"
  kms_key_arn    = "{ksk}"
}}

resource "r53_hosted_zone_dnssec" "k" {{
  hosted_zone_id = r53_key_signing_key.k.hosted_zone_id
}}

resource "r53_delegation_set" "s" {{
  reference_name = "ident-e2e"
}}

resource "r53_health_check" "h" {{
  type           = "HTTPS"
  fqdn           = "www.ident-e2e.test"
  resource_path  = "/health"
  reference_name = "ident"
  tags           = {{ env = "ident" }}
}}

resource "r53_cidr_collection" "c" {{
  name = "ident-e2e"
  location {{
    name        = "office"
    cidr_blocks = ["192.0.2.0/24", "2001:db8::/48"]
  }}
}}

resource "r53_query_log" "q" {{
  zone_id                  = r53_hosted_zone.z.zone_id
  cloudwatch_log_group_arn = "{log}"
}}

resource "r53_registered_domain" "r" {{
  domain_name = "{DOMAIN}"
  name_server {{
    name = "ns1.parked.net"
  }}
}}

resource "r53_hosted_zone" "p" {{
  provider         = r53.dns
  name             = "private.ident-e2e.test"
  vpc_associations = "additive"
  vpc {{
    vpc_id = "vpc-0a000000000000001"
  }}
}}

resource "r53_vpc_association_authorization" "a" {{
  provider = r53.dns
  zone_id  = r53_hosted_zone.p.zone_id
  vpc_id   = "vpc-0b000000000000002"
}}

resource "r53_zone_association" "a" {{
  provider   = r53.network
  zone_id    = r53_vpc_association_authorization.a.zone_id
  vpc_id     = r53_vpc_association_authorization.a.vpc_id
  vpc_region = r53_vpc_association_authorization.a.vpc_region
}}

resource "r53_resolver_endpoint" "out" {{
  name               = "ident-out"
  direction          = "OUTBOUND"
  security_group_ids = ["{sg}"]
  ip_address {{
    subnet_id = "{s1}"
    ip        = "10.7.1.10"
  }}
  ip_address {{
    subnet_id = "{s2}"
    ip        = "10.7.2.10"
  }}
}}

resource "r53_resolver_rule" "r" {{
  domain_name          = "corp.ident-e2e.test"
  rule_type            = "FORWARD"
  name                 = "ident-rule"
  resolver_endpoint_id = r53_resolver_endpoint.out.id
  target_ip {{
    ip = "192.0.2.53"
  }}
}}

resource "r53_resolver_rule_association" "ra" {{
  resolver_rule_id = r53_resolver_rule.r.id
  vpc_id           = "{vpc}"
  name             = "ident-assoc"
}}
"#,
        log = f.log_group,
        ksk = f.ksk_arn,
        sg = f.net.security_group_id,
        vpc = f.net.vpc_id,
    )
}

/// Every managed resource of a `terraform show -json` state: address → (values, identity).
fn resources(
    state: &serde_json::Value,
) -> BTreeMap<String, (serde_json::Value, serde_json::Value)> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["mode"] == "managed")
        .filter_map(|r| {
            Some((
                r["address"].as_str()?.to_string(),
                (r["values"].clone(), r["identity"].clone()),
            ))
        })
        .collect()
}

/// An HCL object literal of an identity's set attributes.
fn identity_hcl(id: &serde_json::Value) -> String {
    let parts: Vec<String> = id
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some(format!("    {k} = {}", hcl_str(v.as_str()?))))
        .collect();
    format!("{{\n{}\n  }}", parts.join("\n"))
}

/// Attributes an import cannot know, each with the reason (the same for every import path).
const DIFFER: &[(&str, &str)] = &[
    (
        "timeouts",
        "configuration-only block: an import has no configuration to copy it from",
    ),
    (
        "allow_overwrite",
        "r53_record's create-time choice: not a property of the record set",
    ),
    (
        "cloudwatch_log_group_arn",
        "the same log group, as the API spells it (with `:*`): kept, as it plans no change",
    ),
    (
        "ip_address",
        "the endpoint's addresses in the API's order (by subnet ID), which plans no change: compared as sets below",
    ),
];

/// The endpoint's `ip_address` blocks in a fixed order.
fn addresses(state: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = resources(state)["r53_resolver_endpoint.out"].0["ip_address"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| b.to_string())
        .collect();
    v.sort();
    v
}

fn lifecycle(bin: TfBin) -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let with_identity = bin == TfBin::Lib;
    lab.proxy.registrar().add_registered(
        DOMAIN,
        serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"}),
        &["ns1.parked.net"],
    );
    let f = Fixture {
        log_group: lab
            .rt
            .block_on(lab.moto.create_log_group("/aws/route53/ident-e2e.test"))?,
        net: lab.rt.block_on(lab.moto.create_network(7, 2))?,
        ksk_arn: lab.create_dnssec_kms_key(r53_lab::dnssec::control::KmsPolicy::AllowsRoute53)?,
    };
    let tf = lab.terraform(bin)?;
    let cfg = config(&f);
    tf.write(&cfg)?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("19 added"), "{}", o.text());
    let first = tf.state()?;
    let before = resources(&first);
    assert_eq!(before.len(), 19, "{:?}", before.keys());

    if with_identity {
        // Each identity names the remote object, from the state's own values.
        for (addr, (values, id)) in &before {
            assert!(id.is_object(), "{addr} has no identity: {first}");
            let ty = addr.split('.').next().unwrap_or_default();
            let want = match ty {
                "r53_hosted_zone" | "r53_records" => {
                    serde_json::json!({"zone_id": values["zone_id"]})
                }
                "r53_record" => serde_json::json!({"zone_id": values["zone_id"],
                    "name": "www.ident-e2e.test", "type": "A", "set_identifier": "blue"}),
                "r53_registered_domain" => serde_json::json!({"domain_name": DOMAIN}),
                "r53_key_signing_key" => serde_json::json!({
                    "hosted_zone_id": values["hosted_zone_id"], "name": "ident_ksk"}),
                "r53_hosted_zone_dnssec" => {
                    serde_json::json!({"hosted_zone_id": values["hosted_zone_id"]})
                }
                "r53_delegation" => serde_json::json!({"domain": "dev.ident-e2e.test",
                    "registrar": null, "parent_zone_id": values["parent_zone_id"]}),
                "r53_zone_association" | "r53_vpc_association_authorization" => {
                    serde_json::json!({"zone_id": values["zone_id"],
                        "vpc_id": "vpc-0b000000000000002", "vpc_region": REGION})
                }
                _ => serde_json::json!({"id": values["id"]}),
            };
            assert_eq!(id, &want, "{addr}");
        }
    } else {
        for (addr, (_, id)) in &before {
            assert!(
                id.is_null(),
                "Terraform 1.11 stores no identity ({addr}): {id}"
            );
        }
    }

    // Out of state, then back through import blocks: by identity, or by ID under 1.11.
    let addrs: Vec<&str> = before.keys().map(String::as_str).collect();
    let mut rm = vec!["state", "rm"];
    rm.extend(&addrs);
    tf.run_ok(&rm)?;
    let imports: String = before
        .iter()
        .map(|(addr, (values, id))| {
            let target = if with_identity {
                format!("identity = {}", identity_hcl(id))
            } else {
                format!(
                    "id = {}",
                    hcl_str(values["id"].as_str().unwrap_or_default())
                )
            };
            format!("import {{\n  to = {addr}\n  {target}\n}}\n")
        })
        .collect();
    tf.write(&format!("{cfg}\n{imports}"))?;
    // Neither the plan (import blocks import at plan time) nor the apply writes anything.
    let calls = lab.proxy.stats().calls.clone();
    // Imports only, but for the private zone: `vpc_associations = "additive"` is a choice of the
    // configuration no import can read, so setting it (and with it, leaving the association made
    // by r53_zone_association out of the zone's own `vpc` blocks) is an update of the state alone.
    let p = tf.plan()?;
    assert!(
        p.stdout
            .contains("Plan: 19 to import, 0 to add, 1 to change, 0 to destroy."),
        "{}",
        p.text()
    );
    let updated: Vec<&str> = p
        .stdout
        .lines()
        .filter(|l| l.contains("will be updated in-place"))
        .collect();
    assert_eq!(
        updated,
        ["  # r53_hosted_zone.p will be updated in-place"],
        "{}",
        p.text()
    );

    tf.apply()?;
    let writes = writes_since(&lab, &calls);
    assert!(
        writes.is_empty(),
        "the import plan and apply wrote: {writes:?}"
    );
    let second = tf.state()?;
    assert_same_state(&first, &second, DIFFER);
    assert_eq!(addresses(&first), addresses(&second));
    if with_identity {
        for (addr, (_, id)) in resources(&second) {
            assert_eq!(id, before[&addr].1, "{addr}: identity after import");
        }
    }
    tf.assert_plan_empty()?;

    // An identity that names nothing is refused with the resource's own message.
    if with_identity {
        tf.write(&format!(
            "{cfg}\nresource \"r53_hosted_zone\" \"ghost\" {{\n  name = \"ghost.test\"\n}}\n\
             import {{\n  to = r53_hosted_zone.ghost\n  identity = {{\n    zone_id = \"ZNOSUCHZONE\"\n  }}\n}}\n"
        ))?;
        let p = tf.plan_fails()?;
        assert!(p.text().contains("ZNOSUCHZONE"), "{}", p.text());
        tf.write(&cfg)?;
    }

    tf.destroy()?;
    for (addr, (values, _)) in &before {
        if addr.starts_with("r53_hosted_zone.") && addr != "r53_hosted_zone.p" {
            let zone = values["zone_id"].as_str().unwrap_or_default();
            assert!(zone_gone(&lab, &c, zone), "{addr} still exists");
        }
    }
    Ok(())
}

#[test]
fn identity_import_of_every_resource() -> anyhow::Result<()> {
    lifecycle(TfBin::Lib)
}

#[test]
fn the_same_configuration_imports_by_id_under_terraform_1_11() -> anyhow::Result<()> {
    let Some(bin) = older_terraform() else {
        return Ok(());
    };
    lifecycle(bin)
}
