//! r53_record over every record type Route 53 hosts, alias, routing policies, long TXT and `_`
//! names: create → plan empty → update in place → replace → drift repaired → import → plan empty
//! → destroy → gone.

use r53_tests::*;

const ZONE: &str = "records.example";

/// `v` varies what an update changes; `cname_name` what a replacement changes.
fn config(v: u32, cname_name: &str) -> String {
    let long_txt = format!("v=DKIM1; k=rsa; p={}", "A".repeat(600));
    let ttl = if v == 1 { 300 } else { 600 };
    let www = if v == 1 {
        r#"["192.0.2.10", "192.0.2.11"]"#
    } else {
        r#"["192.0.2.12"]"#
    };
    let (wb, wg) = if v == 1 { (10, 90) } else { (50, 50) };
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "z" {{
  name = "{ZONE}"
}}

locals {{
  zid = r53_hosted_zone.z.zone_id
  simple = {{
    www      = {{ name = "www.{ZONE}", type = "A", ttl = {ttl}, records = {www} }}
    v6       = {{ name = "v6.{ZONE}", type = "AAAA", ttl = 300, records = ["2001:db8::1"] }}
    acme     = {{ name = "_acme-challenge.{ZONE}", type = "CNAME", ttl = 60, records = ["acme.validation.example.net."] }}
    mx       = {{ name = "{ZONE}", type = "MX", ttl = 3600, records = ["10 MX1.{ZONE}.", "20 mx2.{ZONE}"] }}
    dkim     = {{ name = "sel._domainkey.{ZONE}", type = "TXT", ttl = 300, records = ["{long_txt}"] }}
    quoted   = {{ name = "q.{ZONE}", type = "TXT", ttl = 300, records = ["say \"hi\"", "\"two\" \"strings\""] }}
    spf      = {{ name = "spf.{ZONE}", type = "SPF", ttl = 300, records = ["v=spf1 -all"] }}
    srv      = {{ name = "_sip._tcp.{ZONE}", type = "SRV", ttl = 300, records = ["10 60 5060 sip.{ZONE}."] }}
    caa      = {{ name = "{ZONE}", type = "CAA", ttl = 300, records = ["0 issue \"letsencrypt.org\""] }}
    ns       = {{ name = "sub.{ZONE}", type = "NS", ttl = 172800, records = ["ns1.example.net.", "ns2.example.net."] }}
    ds       = {{ name = "sub.{ZONE}", type = "DS", ttl = 3600, records = ["12345 13 2 3F8D5A6C7B2E4F1A9D0C8B7A6E5F4D3C2B1A0F9E8D7C6B5A4F3E2D1C0B9A8F7E"] }}
    ptr      = {{ name = "10.2.0.192.in-addr.{ZONE}", type = "PTR", ttl = 300, records = ["www.{ZONE}."] }}
    sshfp    = {{ name = "host.{ZONE}", type = "SSHFP", ttl = 300, records = ["4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789"] }}
    tlsa     = {{ name = "_443._tcp.www.{ZONE}", type = "TLSA", ttl = 300, records = ["3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF"] }}
    naptr    = {{ name = "naptr.{ZONE}", type = "NAPTR", ttl = 300, records = ["100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.{ZONE}."] }}
    https    = {{ name = "svc.{ZONE}", type = "HTTPS", ttl = 300, records = ["1 . alpn=h2"] }}
    svcb     = {{ name = "_dns.{ZONE}", type = "SVCB", ttl = 300, records = ["1 dns.{ZONE}. alpn=dot"] }}
    wildcard = {{ name = "*.wild.{ZONE}", type = "A", ttl = 60, records = ["192.0.2.99"] }}
    replaced = {{ name = "{cname_name}.{ZONE}", type = "CNAME", ttl = 300, records = ["www.{ZONE}"] }}
  }}
}}

resource "r53_record" "simple" {{
  for_each = local.simple
  zone_id  = local.zid
  name     = each.value.name
  type     = each.value.type
  ttl      = each.value.ttl
  records  = each.value.records
}}

resource "r53_record" "alias" {{
  zone_id = local.zid
  name    = "app.{ZONE}"
  type    = "A"
  alias {{
    name    = "www.{ZONE}"
    zone_id = local.zid
  }}
}}

resource "r53_record" "weighted" {{
  for_each       = {{ blue = {wb}, green = {wg} }}
  zone_id        = local.zid
  name           = "w.{ZONE}"
  type           = "A"
  ttl            = 60
  records        = [each.key == "blue" ? "192.0.2.1" : "192.0.2.2"]
  set_identifier = each.key
  weighted_routing_policy {{
    weight = each.value
  }}
}}

resource "r53_record" "failover" {{
  for_each       = toset(["PRIMARY", "SECONDARY"])
  zone_id        = local.zid
  name           = "f.{ZONE}"
  type           = "A"
  ttl            = 60
  records        = [each.key == "PRIMARY" ? "192.0.2.3" : "192.0.2.4"]
  set_identifier = lower(each.key)
  failover_routing_policy {{
    type = each.key
  }}
}}

resource "r53_record" "geo" {{
  zone_id        = local.zid
  name           = "g.{ZONE}"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.5"]
  set_identifier = "default"
  geolocation_routing_policy {{
    country = "*"
  }}
}}

resource "r53_record" "latency" {{
  zone_id        = local.zid
  name           = "l.{ZONE}"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.6"]
  set_identifier = "use1"
  latency_routing_policy {{
    region = "us-east-1"
  }}
}}

resource "r53_record" "multi" {{
  zone_id                          = local.zid
  name                             = "m.{ZONE}"
  type                             = "A"
  ttl                              = 60
  records                          = ["192.0.2.7"]
  set_identifier                   = "one"
  multivalue_answer_routing_policy = true
}}
"#
    )
}

fn find<'a>(sets: &'a [Set], name: &str, ty: &str) -> Vec<&'a Set> {
    sets.iter().filter(|s| s.0 == name && s.1 == ty).collect()
}

#[test]
fn record_lifecycle_every_type() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;

    tf.write(&config(1, "old-cname"))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    tf.assert_plan_empty()?;

    let sets = list_sets(&lab, &c, &zid);
    // 19 simple + alias + 2 weighted + 2 failover + geo + latency + multi + apex SOA + NS
    assert_eq!(sets.len(), 19 + 1 + 2 + 2 + 3 + 2, "{sets:#?}");
    let dkim = find(&sets, "sel._domainkey.records.example.", "TXT");
    let parts = dkim[0].4[0].matches("\" \"").count() + 1;
    assert_eq!(
        parts, 3,
        "long TXT is split into 255-byte strings: {:?}",
        dkim[0].4
    );
    assert_eq!(
        find(&sets, "_acme-challenge.records.example.", "CNAME")[0].4,
        vec!["acme.validation.example.net."]
    );
    assert_eq!(find(&sets, "w.records.example.", "A").len(), 2);
    assert_eq!(
        find(&sets, "app.records.example.", "A")[0].4,
        vec!["ALIAS www.records.example."]
    );
    assert!(
        find(&sets, "q.records.example.", "TXT")[0]
            .4
            .contains(&"\"say \\\"hi\\\"\"".to_string()),
        "{sets:?}"
    );

    // update in place
    tf.write(&config(2, "old-cname"))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 3 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    let sets = list_sets(&lab, &c, &zid);
    let www = find(&sets, "www.records.example.", "A");
    assert_eq!(
        (www[0].3, www[0].4.clone()),
        (Some(600), vec!["192.0.2.12".to_string()])
    );
    tf.assert_plan_empty()?;

    // replacement: a new name replaces the record set
    tf.write(&config(2, "new-cname"))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        o.text()
    );
    let sets = list_sets(&lab, &c, &zid);
    assert!(find(&sets, "old-cname.records.example.", "CNAME").is_empty());
    assert_eq!(find(&sets, "new-cname.records.example.", "CNAME").len(), 1);
    tf.assert_plan_empty()?;

    // drift: a value changed and a record deleted out of band are both repaired
    use aws_sdk_route53::types::{Change, ChangeBatch, ResourceRecord, ResourceRecordSet};
    let rrs = |name: &str, ty: &str, ttl: i64, v: &str| {
        ResourceRecordSet::builder()
            .name(name)
            .r#type(ty.into())
            .ttl(ttl)
            .resource_records(ResourceRecord::builder().value(v).build().unwrap())
            .build()
            .unwrap()
    };
    let batch = ChangeBatch::builder()
        .changes(
            Change::builder()
                .action("UPSERT".into())
                .resource_record_set(rrs("www.records.example.", "A", 600, "198.51.100.1"))
                .build()?,
        )
        .changes(
            Change::builder()
                .action("DELETE".into())
                .resource_record_set(rrs("v6.records.example.", "AAAA", 300, "2001:db8::1"))
                .build()?,
        )
        .build()?;
    lab.rt.block_on(
        c.change_resource_record_sets()
            .hosted_zone_id(&zid)
            .change_batch(batch)
            .send(),
    )?;
    let after = list_sets(&lab, &c, &zid);
    assert!(
        find(&after, "v6.records.example.", "AAAA").is_empty(),
        "out-of-band delete applied: {after:?}"
    );
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("198.51.100.1")
            && p.stdout
                .contains("r53_record.simple[\"v6\"] will be created"),
        "{}",
        p.text()
    );
    tf.apply()?;
    let sets = list_sets(&lab, &c, &zid);
    assert_eq!(
        find(&sets, "www.records.example.", "A")[0].4,
        vec!["192.0.2.12"]
    );
    assert_eq!(find(&sets, "v6.records.example.", "AAAA").len(), 1);
    tf.assert_plan_empty()?;

    // import every record set into a second configuration → plan empty → same state
    let state = tf.state()?;
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let records: Vec<_> = resources
        .iter()
        .filter(|r| r["type"] == "r53_record")
        .collect();
    let tf2 = lab.terraform(TfBin::Lib)?;
    let mut cfg2 = config(2, "new-cname");
    cfg2.push_str(&format!(
        "\nimport {{\n  to = r53_hosted_zone.z\n  id = \"{zid}\"\n}}\n"
    ));
    for r in &records {
        cfg2.push_str(&format!(
            "import {{\n  to = {}\n  id = \"{}\"\n}}\n",
            r["address"].as_str().unwrap(),
            r["values"]["id"].as_str().unwrap()
        ));
    }
    tf2.write(&cfg2)?;
    let p = tf2.plan()?;
    assert!(
        p.stdout.contains(&format!(
            "{} to import, 0 to add, 0 to change, 0 to destroy",
            records.len() + 1
        )),
        "{}",
        p.text()
    );
    tf2.apply()?;
    tf2.assert_plan_empty()?;
    for r in &records {
        let addr = r["address"].as_str().unwrap();
        assert_same_values(
            &format!("imported {addr}"),
            &r["values"],
            &tf2.resource(addr)?,
            &[],
        );
    }

    // terraform import (CLI) of names with `_` and with a set identifier
    let tf3 = lab.terraform(TfBin::Lib)?;
    tf3.write(&config(2, "new-cname"))?;
    tf3.import("r53_hosted_zone.z", &zid)?;
    tf3.import(
        "r53_record.simple[\"acme\"]",
        &format!("{zid}/_acme-challenge.records.example/CNAME"),
    )?;
    tf3.import(
        "r53_record.weighted[\"blue\"]",
        &format!("{zid}/w.records.example/A/blue"),
    )?;
    let p = tf3.plan()?;
    assert!(
        !p.stdout.contains("r53_record.simple[\"acme\"] will be")
            && !p.stdout.contains("r53_record.weighted[\"blue\"] will be"),
        "{}",
        p.text()
    );
    for addr in [
        "r53_record.simple[\"acme\"]",
        "r53_record.weighted[\"blue\"]",
    ] {
        assert_same_values(
            &format!("CLI-imported {addr}"),
            &tf.resource(addr)?,
            &tf3.resource(addr)?,
            &[],
        );
    }

    // destroy → everything gone
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}

/// AWS refuses a CREATE over an existing record set (moto would not); the provider says how to
/// adopt it, and `allow_overwrite` takes it over.
#[test]
fn existing_record_is_not_silently_overwritten() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let base = format!("terraform {{\n required_providers {{\n r53 = {{ source = \"r53/r53\" }}\n }}\n}}\nresource \"r53_hosted_zone\" \"z\" {{\n name = \"{ZONE}\"\n force_destroy = true\n}}\n");
    tf.write(&base)?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    use aws_sdk_route53::types::{Change, ChangeBatch, ResourceRecord, ResourceRecordSet};
    let rrs = ResourceRecordSet::builder()
        .name(format!("www.{ZONE}."))
        .r#type("A".into())
        .ttl(60)
        .resource_records(ResourceRecord::builder().value("198.51.100.7").build()?)
        .build()?;
    lab.rt.block_on(
        c.change_resource_record_sets()
            .hosted_zone_id(&zid)
            .change_batch(
                ChangeBatch::builder()
                    .changes(
                        Change::builder()
                            .action("CREATE".into())
                            .resource_record_set(rrs)
                            .build()?,
                    )
                    .build()?,
            )
            .send(),
    )?;
    let rec = |ow: bool| {
        format!("resource \"r53_record\" \"www\" {{\n zone_id = r53_hosted_zone.z.zone_id\n name = \"www.{ZONE}\"\n type = \"A\"\n ttl = 60\n records = [\"192.0.2.1\"]\n allow_overwrite = {ow}\n}}\n")
    };
    tf.write(&format!("{base}{}", rec(false)))?;
    let o = tf.apply_fails()?;
    assert!(
        o.stderr.contains("already exists") && o.stderr.contains("terraform import"),
        "{}",
        o.text()
    );
    assert_eq!(
        find(&list_sets(&lab, &c, &zid), &format!("www.{ZONE}."), "A")[0].4,
        vec!["198.51.100.7"],
        "existing record untouched"
    );
    tf.write(&format!("{base}{}", rec(true)))?;
    tf.apply()?;
    assert_eq!(
        find(&list_sets(&lab, &c, &zid), &format!("www.{ZONE}."), "A")[0].4,
        vec!["192.0.2.1"]
    );
    tf.assert_plan_empty()?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}
