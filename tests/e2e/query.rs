//! List resources (`terraform query`, Terraform >= 1.14): a zone with 24 record sets — simple,
//! weighted, alias, long TXT, MX — made in one working directory, and a registered domain, are
//! discovered from another with `terraform query -generate-config-out` (no contact generated); the generated configuration and import blocks plan as
//! imports only, apply without a write, and then plan nothing.

use r53_tests::*;

const HEADER: &str = r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
provider "r53" {}
"#;

/// The estate: a zone and its record sets (made by another configuration).
fn estate() -> String {
    let mut hosts = String::new();
    for i in 0..18 {
        hosts.push_str(&format!(
            "  record \"h{i} A\" {{\n    name    = \"h{i}.query-e2e.test\"\n    type    = \"A\"\n    ttl     = 300\n    records = [\"192.0.2.{}\"]\n  }}\n",
            i + 1
        ));
    }
    let dkim = format!("v=DKIM1; k=rsa; p={}", "K".repeat(300));
    format!(
        r#"{HEADER}
resource "r53_hosted_zone" "z" {{
  name    = "query-e2e.test"
  comment = "made elsewhere"
  tags    = {{ team = "dns" }}
}}

resource "r53_records" "estate" {{
  zone_id = r53_hosted_zone.z.zone_id
{hosts}
  record "www A blue" {{
    name           = "www.query-e2e.test"
    type           = "A"
    ttl            = 60
    records        = ["198.51.100.1"]
    set_identifier = "blue"
    weighted_routing_policy {{
      weight = 90
    }}
  }}
  record "www A green" {{
    name           = "www.query-e2e.test"
    type           = "A"
    ttl            = 60
    records        = ["198.51.100.2"]
    set_identifier = "green"
    weighted_routing_policy {{
      weight = 10
    }}
  }}
  record "@ A" {{
    name = "query-e2e.test"
    type = "A"
    alias {{
      name                   = "h0.query-e2e.test"
      zone_id                = r53_hosted_zone.z.zone_id
      evaluate_target_health = false
    }}
  }}
  record "mail TXT" {{
    name    = "sel._domainkey.query-e2e.test"
    type    = "TXT"
    ttl     = 300
    records = ["{dkim}"]
  }}
  record "@ MX" {{
    name    = "query-e2e.test"
    type    = "MX"
    ttl     = 300
    records = ["10 mx1.query-e2e.test", "20 mx2.query-e2e.test"]
  }}
  record "api CNAME" {{
    name    = "api.query-e2e.test"
    type    = "CNAME"
    ttl     = 300
    records = ["h1.query-e2e.test"]
  }}
}}
"#
    )
}

fn query(zone_id: &str) -> String {
    format!(
        r#"
list "r53_hosted_zone" "zones" {{
  provider = r53
  config {{
    name_pattern = "query-e2e.test"
  }}
}}

list "r53_registered_domain" "domains" {{
  provider = r53
  config {{
    name_pattern = "query-*.test"
  }}
}}

list "r53_record" "records" {{
  provider = r53
  config {{
    zone_id = "{zone_id}"
  }}
}}
"#
    )
}

#[test]
fn query_generates_configuration_that_imports_a_zone() -> anyhow::Result<()> {
    let lab = lab();
    // A registered domain of the account (with contacts, which the query must leave out).
    lab.proxy.registrar().add_registered(
        "query-reg.test",
        serde_json::json!({"FirstName": "Quentin", "LastName": "Querysson", "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "quentin@example.org"}),
        &["ns1.parked.net", "ns2.parked.net"],
    );
    let seed = lab.terraform(TfBin::Lib)?;
    seed.write(&estate())?;
    seed.apply()?;
    let zone_id = attr(&seed.resource("r53_hosted_zone.z")?, "zone_id");
    let sets = list_sets(&lab, &sdk(&lab), &zone_id);
    // 24 of the configuration's, plus the apex SOA and NS the query leaves out.
    assert_eq!(sets.len(), 26, "{sets:?}");

    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(HEADER)?;
    std::fs::write(tf.path().join("estate.tfquery.hcl"), query(&zone_id))?;
    let q = tf.run_ok(&["query", "-no-color", "-generate-config-out=generated.tf"])?;
    assert!(q.stdout.contains("query-e2e.test"), "{}", q.text());
    let generated = std::fs::read_to_string(tf.path().join("generated.tf"))?;
    assert_eq!(
        generated.matches("import {").count(),
        26,
        "one zone, one registered domain and 24 record sets:\n{generated}"
    );
    assert!(generated.contains("query-reg.test"), "{generated}");
    assert!(
        !generated.contains("Querysson") && !generated.contains("quentin@"),
        "contacts are personal data: not generated\n{generated}"
    );
    assert!(generated.contains("identity = {"), "{generated}");
    assert!(
        !generated.contains("\"SOA\""),
        "the apex SOA is Route 53's, not listed:\n{generated}"
    );

    let calls = lab.proxy.stats().calls.clone();
    let p = tf.plan()?;
    assert!(
        p.stdout
            .contains("Plan: 26 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}\n{generated}",
        p.text()
    );
    tf.apply()?;
    let writes = writes_since(&lab, &calls);
    assert!(writes.is_empty(), "importing wrote: {writes:?}");
    tf.assert_plan_empty()?;
    // The imported records are the zone's.
    let imported = state_values(&tf.state()?);
    let records = imported
        .keys()
        .filter(|k| k.starts_with("r53_record."))
        .count();
    assert_eq!(records, 24, "{:?}", imported.keys());
    Ok(())
}
