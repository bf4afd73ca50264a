//! Moving from the AWS provider with `moved` blocks (MoveResourceState) through Terraform 1.15 and
//! 1.11.4: a state the AWS provider would have written — a zone, 22 record sets (weighted, alias,
//! relative names, a long TXT), a registered domain and an `aws_route53_records_exclusive` of
//! another zone — becomes r53 resources with no destroy and no write, then an empty plan; contacts in the old state do not reach the new one.
//!
//! The AWS provider cannot be installed here, and Terraform requires the provider a state names to
//! be present before it moves anything out of it: a stand-in answers as `hashicorp/aws` (the r53
//! binary under the AWS provider's name). Terraform asks it nothing about the moved objects: the
//! conversion is r53's MoveResourceState, and what the objects are is read from the lab's API.

use std::collections::BTreeMap;

use aws_sdk_route53::types::{
    AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
};
use r53_tests::*;

const ZONE: &str = "move-e2e.test";
const DOMAIN: &str = "move-reg-e2e.test";
const CONTACT_NAME: &str = "Movington";
/// The zone whose record sets an `aws_route53_records_exclusive` owned.
const BULK: &str = "move-bulk-e2e.test";

/// One record set as the test makes it: (AWS `name` as written, type, ttl, values, set id, weight,
/// alias target).
struct Set {
    name: &'static str,
    ty: &'static str,
    ttl: i64,
    values: Vec<String>,
    set_id: Option<&'static str>,
    weight: Option<i64>,
    alias: Option<&'static str>,
}

fn sets() -> Vec<Set> {
    let simple = |name, ty, values: Vec<String>| Set {
        name,
        ty,
        ttl: 300,
        values,
        set_id: None,
        weight: None,
        alias: None,
    };
    let hosts: [&str; 16] = [
        "h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10", "h11", "h12", "h13",
        "h14", "h15",
    ];
    let mut v: Vec<Set> = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| simple(h, "A", vec![format!("192.0.2.{}", i + 1)]))
        .collect();
    v.push(simple(
        "mail.move-e2e.test",
        "MX",
        vec!["10 mx1.move-e2e.test".into(), "20 mx2.move-e2e.test".into()],
    ));
    v.push(simple(
        "sel._domainkey",
        "TXT",
        vec![format!(
            "\"v=DKIM1; p={}\" \"{}\"",
            "M".repeat(240),
            "N".repeat(60)
        )],
    ));
    v.push(simple("api", "CNAME", vec!["h1.move-e2e.test".into()]));
    for (id, w, ip) in [("blue", 90, "198.51.100.1"), ("green", 10, "198.51.100.2")] {
        v.push(Set {
            name: "www",
            ty: "A",
            ttl: 60,
            values: vec![ip.into()],
            set_id: Some(id),
            weight: Some(w),
            alias: None,
        });
    }
    v.push(Set {
        name: "move-e2e.test",
        ty: "A",
        ttl: 0,
        values: vec![],
        set_id: None,
        weight: None,
        alias: Some("h0.move-e2e.test"),
    });
    v
}

fn fqdn(name: &str) -> String {
    if name == ZONE || name.ends_with(&format!(".{ZONE}")) {
        name.to_string()
    } else {
        format!("{name}.{ZONE}")
    }
}

/// Makes the zone and its record sets through the API (as the AWS provider once did).
fn make_zone(lab: &Lab, c: &aws_sdk_route53::Client) -> anyhow::Result<String> {
    let z = lab.rt.block_on(
        c.create_hosted_zone()
            .name(ZONE)
            .caller_reference("aws-provider-made-me")
            .hosted_zone_config(
                aws_sdk_route53::types::HostedZoneConfig::builder()
                    .comment("Managed by Terraform")
                    .build(),
            )
            .send(),
    )?;
    let id = z
        .hosted_zone()
        .map(|h| h.id().trim_start_matches("/hostedzone/").to_string())
        .unwrap_or_default();
    let mut changes = Vec::new();
    for s in sets() {
        let mut b = ResourceRecordSet::builder()
            .name(fqdn(s.name))
            .r#type(RrType::from(s.ty));
        if let Some(target) = s.alias {
            b = b.alias_target(
                AliasTarget::builder()
                    .dns_name(target)
                    .hosted_zone_id(&id)
                    .evaluate_target_health(false)
                    .build()?,
            );
        } else {
            b = b.ttl(s.ttl).set_resource_records(Some(
                s.values
                    .iter()
                    .map(|v| ResourceRecord::builder().value(v).build())
                    .collect::<Result<Vec<_>, _>>()?,
            ));
        }
        if let (Some(sid), Some(w)) = (s.set_id, s.weight) {
            b = b.set_identifier(sid).weight(w);
        }
        changes.push(
            Change::builder()
                .action(ChangeAction::Create)
                .resource_record_set(b.build()?)
                .build()?,
        );
    }
    lab.rt.block_on(
        c.change_resource_record_sets()
            .hosted_zone_id(&id)
            .change_batch(ChangeBatch::builder().set_changes(Some(changes)).build()?)
            .send(),
    )?;
    Ok(id)
}

/// The zone of the `aws_route53_records_exclusive` (made through the API), with two record sets.
fn make_bulk_zone(lab: &Lab, c: &aws_sdk_route53::Client) -> anyhow::Result<String> {
    let z = lab.rt.block_on(
        c.create_hosted_zone()
            .name(BULK)
            .caller_reference("aws-provider-made-bulk")
            .send(),
    )?;
    let id = z
        .hosted_zone()
        .map(|h| h.id().trim_start_matches("/hostedzone/").to_string())
        .unwrap_or_default();
    for (name, ty, value) in [
        ("www.move-bulk-e2e.test.", RrType::A, "192.0.2.100"),
        (
            "move-bulk-e2e.test.",
            RrType::Mx,
            "10 mx.move-bulk-e2e.test.",
        ),
    ] {
        change_set(
            lab,
            c,
            &id,
            ChangeAction::Create,
            rrset(name, ty, 300, &[value.to_string()])?,
        )?;
    }
    Ok(id)
}

/// The address of a set's resources, in both providers.
fn label(i: usize) -> String {
    format!("s{i}")
}

/// A Terraform state (format 4) as the AWS provider writes it for these objects.
fn aws_state(zone_id: &str, bulk_id: &str) -> serde_json::Value {
    let mut resources = vec![serde_json::json!({
        "mode": "managed", "type": "aws_route53_zone", "name": "main",
        "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
        "instances": [{"schema_version": 0, "attributes": {
            "arn": format!("arn:aws:route53:::hostedzone/{zone_id}"), "comment": "Managed by Terraform",
            "delegation_set_id": "", "enable_accelerated_recovery": false, "force_destroy": false,
            "id": zone_id, "name": ZONE, "name_servers": ["ns-2048.awsdns-64.com"],
            "primary_name_server": "ns-2048.awsdns-64.com", "tags": {}, "tags_all": {},
            "timeouts": null, "vpc": [], "zone_id": zone_id},
            "sensitive_attributes": [], "private": "bnVsbA=="}]
    })];
    for (i, s) in sets().iter().enumerate() {
        let alias: Vec<serde_json::Value> = s
            .alias
            .map(|t| serde_json::json!({"name": t, "zone_id": zone_id, "evaluate_target_health": false}))
            .into_iter()
            .collect();
        let weighted: Vec<serde_json::Value> = s
            .weight
            .map(|w| serde_json::json!({"weight": w}))
            .into_iter()
            .collect();
        // The AWS provider keeps TXT values without their outermost quotes.
        let records: Vec<String> = s
            .values
            .iter()
            .map(|v| {
                v.strip_prefix('"')
                    .and_then(|x| x.strip_suffix('"'))
                    .unwrap_or(v)
                    .to_string()
            })
            .collect();
        let id = match s.set_id {
            Some(sid) => format!("{zone_id}_{}_{}_{sid}", s.name, s.ty),
            None => format!("{zone_id}_{}_{}", s.name, s.ty),
        };
        resources.push(serde_json::json!({
            "mode": "managed", "type": "aws_route53_record", "name": label(i),
            "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
            "instances": [{"schema_version": 2, "attributes": {
                "alias": alias, "allow_overwrite": null, "cidr_routing_policy": [],
                "failover_routing_policy": [], "fqdn": fqdn(s.name), "geolocation_routing_policy": [],
                "geoproximity_routing_policy": [], "health_check_id": "", "id": id,
                "latency_routing_policy": [], "multivalue_answer_routing_policy": false,
                "name": s.name, "records": if s.alias.is_some() { serde_json::Value::Null } else { serde_json::json!(records) },
                "set_identifier": s.set_id.unwrap_or_default(), "timeouts": null,
                "ttl": if s.alias.is_some() { serde_json::Value::Null } else { serde_json::json!(s.ttl) },
                "type": s.ty, "weighted_routing_policy": weighted, "zone_id": zone_id},
                "sensitive_attributes": [], "private": "eyJzY2hlbWFfdmVyc2lvbiI6IjIifQ=="}]
        }));
    }
    let contact = serde_json::json!([{"address_line_1": "1 Lab Way", "address_line_2": "", "city": "London",
        "contact_type": "PERSON", "country_code": "GB", "email": "moved@example.org", "extra_params": {},
        "fax": "", "first_name": "Mo", "last_name": CONTACT_NAME, "organization_name": "",
        "phone_number": "+44.2071234567", "state": "", "zip_code": "N1 1AA"}]);
    resources.push(serde_json::json!({
        "mode": "managed", "type": "aws_route53domains_registered_domain", "name": "d",
        "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
        "instances": [{"schema_version": 0, "attributes": {
            "abuse_contact_email": "", "abuse_contact_phone": "", "admin_contact": contact,
            "admin_privacy": true, "auto_renew": true, "billing_contact": contact, "billing_privacy": true,
            "creation_date": "2026-01-01T00:00:00Z", "domain_name": DOMAIN,
            "expiration_date": "2027-01-01T00:00:00Z", "id": DOMAIN,
            "name_server": [{"glue_ips": [], "name": "ns1.parked.net"}, {"glue_ips": [], "name": "ns2.parked.net"}],
            "registrant_contact": contact, "registrant_privacy": true, "registrar_name": "", "registrar_url": "",
            "reseller": "", "status_list": [], "tags": {}, "tags_all": {}, "tech_contact": contact,
            "tech_privacy": true, "timeouts": null, "transfer_lock": true, "updated_date": "",
            "whois_server": ""},
            "sensitive_attributes": [], "private": "bnVsbA=="}]
    }));
    let rrs = |name: &str, ty: &str, value: &str| {
        serde_json::json!({"name": name, "type": ty, "ttl": 300, "resource_records": [{"value": value}],
            "alias_target": [], "cidr_routing_config": [], "geolocation": [], "geoproximity_location": [],
            "failover": null, "health_check_id": null, "multi_value_answer": null, "region": null,
            "set_identifier": null, "traffic_policy_instance_id": null, "weight": null})
    };
    resources.push(serde_json::json!({
        "mode": "managed", "type": "aws_route53_records_exclusive", "name": "bulk",
        "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
        "instances": [{"schema_version": 0, "attributes": {
            "zone_id": bulk_id, "timeouts": null, "resource_record_set": [
                rrs("www.move-bulk-e2e.test.", "A", "192.0.2.100"),
                rrs("move-bulk-e2e.test.", "MX", "10 mx.move-bulk-e2e.test."),
            ]},
            "sensitive_attributes": [], "private": "bnVsbA=="}]
    }));
    serde_json::json!({
        "version": 4, "terraform_version": "1.9.8", "serial": 7,
        "lineage": "5b0a3f2e-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "outputs": {},
        "resources": resources, "check_results": null
    })
}

/// The r53 configuration of the same objects, each with a `moved` block from its AWS address.
fn r53_config(zone_id: &str, bulk_id: &str) -> String {
    let mut cfg = format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "main" {{
  name    = "{ZONE}"
  comment = "Managed by Terraform"
}}
moved {{
  from = aws_route53_zone.main
  to   = r53_hosted_zone.main
}}

resource "r53_registered_domain" "d" {{
  domain_name = "{DOMAIN}"
  name_server {{
    name = "ns1.parked.net"
  }}
  name_server {{
    name = "ns2.parked.net"
  }}
}}
moved {{
  from = aws_route53domains_registered_domain.d
  to   = r53_registered_domain.d
}}

# Labels as an import (and r53-migrate export-tf) gives them.
resource "r53_records" "bulk" {{
  zone_id = "{bulk_id}"
  mode    = "exclusive"
  record "www A" {{
    name    = "www.{BULK}"
    type    = "A"
    ttl     = 300
    records = ["192.0.2.100"]
  }}
  record "@ MX" {{
    name    = "{BULK}"
    type    = "MX"
    ttl     = 300
    records = ["10 MX.{BULK}"] # not as Route 53 spells it: the same value
  }}
}}
moved {{
  from = aws_route53_records_exclusive.bulk
  to   = r53_records.bulk
}}
"#
    );
    for (i, s) in sets().iter().enumerate() {
        let body = if let Some(t) = s.alias {
            format!(
                "  alias {{\n    name                   = \"{t}\"\n    zone_id                = \"{zone_id}\"\n    evaluate_target_health = false\n  }}\n"
            )
        } else {
            let values: Vec<String> = s.values.iter().map(|v| hcl_str(v)).collect();
            format!(
                "  ttl     = {}\n  records = [{}]\n",
                s.ttl,
                values.join(", ")
            )
        };
        let routing = match (s.set_id, s.weight) {
            (Some(id), Some(w)) => format!(
                "  set_identifier = \"{id}\"\n  weighted_routing_policy {{\n    weight = {w}\n  }}\n"
            ),
            _ => String::new(),
        };
        cfg.push_str(&format!(
            "resource \"r53_record\" \"{l}\" {{\n  zone_id = \"{zone_id}\"\n  name    = \"{}\"\n  type    = \"{}\"\n{body}{routing}}}\nmoved {{\n  from = aws_route53_record.{l}\n  to   = r53_record.{l}\n}}\n",
            fqdn(s.name),
            s.ty,
            l = label(i)
        ));
    }
    cfg
}

fn move_from_aws(bin: TfBin) -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    lab.proxy.registrar().add_registered(
        DOMAIN,
        serde_json::json!({"FirstName": "Mo", "LastName": CONTACT_NAME, "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "moved@example.org"}),
        &["ns1.parked.net", "ns2.parked.net"],
    );
    let zone_id = make_zone(&lab, &c)?;
    let bulk_id = make_bulk_zone(&lab, &c)?;
    let bulk_before = list_sets(&lab, &c, &bulk_id);
    let before = list_sets(&lab, &c, &zone_id);
    assert_eq!(
        before.len(),
        24,
        "22 sets and the apex SOA and NS: {before:?}"
    );

    let tf = lab.terraform(bin)?;
    // The stand-in for the AWS provider (see the module comment).
    let stand_in = tf.path().join("aws-provider");
    std::fs::create_dir_all(&stand_in)?;
    let r53_bin = r53_lab::tools::provider_dir()?.join("terraform-provider-r53");
    std::os::unix::fs::symlink(&r53_bin, stand_in.join("terraform-provider-aws"))?;
    tf.add_dev_override("hashicorp/aws", &stand_in)?;
    std::fs::write(
        tf.path().join("terraform.tfstate"),
        serde_json::to_vec_pretty(&aws_state(&zone_id, &bulk_id))?,
    )?;
    tf.write(&r53_config(&zone_id, &bulk_id))?;

    let calls = lab.proxy.stats().calls.clone();
    let p = tf.plan()?;
    let moved = p.stdout.matches("has moved to").count();
    assert_eq!(moved, 25, "every resource moved:\n{}", p.text());
    assert!(
        p.stdout
            .contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{}",
        p.text()
    );
    tf.apply()?;
    let writes = writes_since(&lab, &calls);
    assert!(writes.is_empty(), "the move wrote: {writes:?}");
    assert_eq!(
        list_sets(&lab, &c, &zone_id),
        before,
        "the zone is untouched"
    );
    assert_eq!(
        list_sets(&lab, &c, &bulk_id),
        bulk_before,
        "so is the other"
    );
    tf.assert_plan_empty()?;

    // Only r53 resources are left, and the contacts of the old state are not in the new one.
    let state = tf.state()?;
    let addrs: BTreeMap<String, serde_json::Value> = state_values(&state);
    assert_eq!(addrs.len(), 25);
    assert!(
        addrs.keys().all(|a| a.starts_with("r53_")),
        "{:?}",
        addrs.keys()
    );
    let raw = std::fs::read_to_string(tf.path().join("terraform.tfstate"))?;
    assert!(
        !raw.contains(CONTACT_NAME),
        "a contact reached the r53 state"
    );
    assert!(
        !raw.contains("hashicorp/aws"),
        "the AWS provider is still in state"
    );
    let w = &addrs["r53_record.s16"];
    assert_eq!(w["name"], "mail.move-e2e.test");
    assert_eq!(attr(&addrs["r53_hosted_zone.main"], "zone_id"), zone_id);
    Ok(())
}

#[test]
fn moved_from_the_aws_provider_without_destroying_anything() -> anyhow::Result<()> {
    move_from_aws(TfBin::Lib)
}

#[test]
fn moved_from_the_aws_provider_under_terraform_1_11() -> anyhow::Result<()> {
    let Some(bin) = older_terraform() else {
        return Ok(());
    };
    move_from_aws(bin)
}
