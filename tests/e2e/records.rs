//! r53_records: exclusive and additive modes, plan-time safety, a rejected record that does not
//! stop the others, import of a whole zone, and destroy — through real Terraform.

use r53_tests::*;

pub(crate) const ZONE: &str = "bulk.example";

pub(crate) fn config(mode: &str, n: usize, extra: &str, settings: &str) -> String {
    config_ordered(mode, n, extra, settings, false)
}

fn config_ordered(mode: &str, n: usize, extra: &str, settings: &str, reverse: bool) -> String {
    let mut order: Vec<usize> = (0..n).collect();
    if reverse {
        order.reverse();
    }
    let recs: String = order
        .into_iter()
        .map(|i| format!("  record {{\n    name = \"h{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"192.0.2.{}\"]\n  }}\n", i + 1))
        .collect();
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
resource "r53_hosted_zone" "z" {{
  name = "{ZONE}"
}}
resource "r53_records" "all" {{
  zone_id = r53_hosted_zone.z.zone_id
  mode    = "{mode}"
{settings}
{recs}
  record {{
    name    = "{ZONE}"
    type    = "TXT"
    ttl     = 300
    records = ["v=spf1 -all", "{long}"]
  }}
  record {{
    name = "www.{ZONE}"
    type = "A"
    alias {{
      name    = "h0.{ZONE}"
      zone_id = r53_hosted_zone.z.zone_id
    }}
  }}
{extra}
}}
"#,
        long = "k".repeat(300)
    )
}

pub(crate) fn oob(
    lab: &Lab,
    c: &aws_sdk_route53::Client,
    zid: &str,
    action: &str,
    name: &str,
    ty: &str,
    value: &str,
) -> anyhow::Result<()> {
    use aws_sdk_route53::types::{Change, ChangeBatch, ResourceRecord, ResourceRecordSet};
    let rrs = ResourceRecordSet::builder()
        .name(name)
        .r#type(ty.into())
        .ttl(60)
        .resource_records(ResourceRecord::builder().value(value).build()?)
        .build()?;
    lab.rt.block_on(
        c.change_resource_record_sets()
            .hosted_zone_id(zid)
            .change_batch(
                ChangeBatch::builder()
                    .changes(
                        Change::builder()
                            .action(action.into())
                            .resource_record_set(rrs)
                            .build()?,
                    )
                    .build()?,
            )
            .send(),
    )?;
    Ok(())
}

#[test]
fn exclusive_mode_owns_the_zone() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&config("exclusive", 20, "", ""))?;
    tf.apply()?;
    let writes = lab.proxy.stats().get("ChangeResourceRecordSets");
    assert_eq!(writes, 1, "22 record sets in one change batch");
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_eq!(list_sets(&lab, &c, &zid).len(), 22 + 2);
    tf.assert_plan_empty()?;

    // an out-of-band record is shown as a removal, per record set, and removed
    oob(
        &lab,
        &c,
        &zid,
        "CREATE",
        &format!("rogue.{ZONE}."),
        "A",
        "198.51.100.66",
    )?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("rogue.bulk.example") && p.stdout.contains("- record {"),
        "{}",
        p.text()
    );
    tf.apply()?;
    assert!(!list_sets(&lab, &c, &zid)
        .iter()
        .any(|s| s.0.starts_with("rogue.")));
    tf.assert_plan_empty()?;

    // update in place: 2 of 22 sets change
    let upd = config("exclusive", 20, "", "")
        .replace("192.0.2.1\"", "192.0.2.101\"")
        .replace("192.0.2.2\"", "192.0.2.102\"");
    tf.write(&upd)?;
    lab.proxy.reset_stats();
    tf.apply()?;
    assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 1);
    assert!(list_sets(&lab, &c, &zid)
        .iter()
        .any(|s| s.0 == "h0.bulk.example." && s.4 == vec!["192.0.2.101"]));
    tf.assert_plan_empty()?;

    // the blocks are a list: reordering them shows in the plan, but writes nothing
    tf.write(
        &config_ordered("exclusive", 20, "", "", true)
            .replace("192.0.2.1\"", "192.0.2.101\"")
            .replace("192.0.2.2\"", "192.0.2.102\""),
    )?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    lab.proxy.reset_stats();
    tf.apply()?;
    assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 0);
    tf.assert_plan_empty()?;

    // safety: dropping 8 of 22 (36 %) is refused with the list, allow_mass_change lifts it
    tf.write(&config("exclusive", 12, "", ""))?;
    let p = tf.plan_fails()?;
    assert!(
        p.stderr.contains("Mass change refused")
            && p.stderr.contains("deletes 8")
            && p.stderr.contains("delete h19.bulk.example A"),
        "{}",
        p.text()
    );
    tf.write(&config("exclusive", 12, "", "  allow_mass_change = true"))?;
    tf.apply()?;
    assert_eq!(list_sets(&lab, &c, &zid).len(), 14 + 2);
    tf.assert_plan_empty()?;

    // import the whole zone into a second configuration: same record sets, empty plan after apply
    let tf2 = lab.terraform(TfBin::Lib)?;
    let cfg = config("exclusive", 12, "", "  allow_mass_change = true");
    tf2.write(&format!("{cfg}\nimport {{\n  to = r53_hosted_zone.z\n  id = \"{zid}\"\n}}\nimport {{\n  to = r53_records.all\n  id = \"{zid}\"\n}}\n"))?;
    // (import lists the sets in Route 53's order; this configuration has another, which the apply
    // takes over without writing anything)
    lab.proxy.reset_stats();
    tf2.apply()?;
    assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 0);
    tf2.assert_plan_empty()?;
    let imported = tf2.resource("r53_records.all")?;
    assert_eq!(imported["record"].as_array().map(|a| a.len()), Some(14));
    assert_same_values(
        "imported r53_records.all",
        &tf.resource("r53_records.all")?,
        &imported,
        &[],
    );

    // destroy removes the records, so the zone (no force_destroy) can go too
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}

#[test]
fn additive_mode_leaves_others_alone_and_isolates_a_bad_record() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&config("additive", 5, "", ""))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    oob(
        &lab,
        &c,
        &zid,
        "CREATE",
        &format!("other.{ZONE}."),
        "A",
        "198.51.100.1",
    )?;
    oob(
        &lab,
        &c,
        &zid,
        "CREATE",
        &format!("clash.{ZONE}."),
        "A",
        "198.51.100.2",
    )?;
    tf.assert_plan_empty()?;

    // 6 new record sets; the CNAME at "clash" conflicts with the A there (Route 53 refuses it)
    let extra: String = (10..15)
        .map(|i| format!("  record {{\n    name = \"n{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 60\n    records = [\"192.0.2.{i}\"]\n  }}\n"))
        .collect::<String>()
        + &format!("  record {{\n    name = \"clash.{ZONE}\"\n    type = \"CNAME\"\n    ttl = 60\n    records = [\"h0.{ZONE}\"]\n  }}\n");
    tf.write(&config("additive", 5, &extra, ""))?;
    let o = tf.apply_fails()?;
    assert!(
        o.stderr.contains("clash.bulk.example CNAME") && o.stderr.contains("conflicting RRSet"),
        "{}",
        o.text()
    );
    assert_eq!(
        o.stderr.matches("Error:").count(),
        1,
        "only the bad record fails:\n{}",
        o.text()
    );
    let sets = list_sets(&lab, &c, &zid);
    for i in 10..15 {
        assert!(
            sets.iter().any(|s| s.0 == format!("n{i}.bulk.example.")),
            "n{i} applied"
        );
    }
    assert!(
        sets.iter().any(|s| s.0 == "other.bulk.example."),
        "additive mode leaves other records alone"
    );
    // the next plan shows exactly the one record set still to do
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("clash.bulk.example") && !p.stdout.contains("n10.bulk.example"),
        "{}",
        p.text()
    );

    // without the clash, all converges; plan empty; destroy removes only what this resource manages
    tf.write(&config(
        "additive",
        5,
        &extra
            .replace("CNAME", "TXT")
            .replace("h0.bulk.example", "ok"),
        "",
    ))?;
    let o = tf.run(&["apply", "-auto-approve", "-no-color"])?;
    assert_eq!(o.code, 0, "{}", o.text());
    tf.assert_plan_empty()?;
    // the zone still holds the out-of-band records, so the zone itself is refused; ours are gone
    tf.destroy_fails()?;
    let left: Vec<String> = list_sets(&lab, &c, &zid).into_iter().map(|s| s.0).collect();
    assert!(
        left.iter().all(|n| n == "bulk.example."
            || n == "other.bulk.example."
            || n == "clash.bulk.example."),
        "{left:?}"
    );
    Ok(())
}

/// The documented move from many r53_record to one r53_records: no write, nothing lost.
#[test]
fn moving_from_r53_record_to_r53_records_writes_nothing() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let head = format!("terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\nresource \"r53_hosted_zone\" \"z\" {{\n  name = \"{ZONE}\"\n}}\n");
    let one = |i: usize| {
        format!("resource \"r53_record\" \"r{i}\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  name = \"h{i}.{ZONE}\"\n  type = \"A\"\n  ttl = 300\n  records = [\"192.0.2.{i}\"]\n}}\n")
    };
    tf.write(&format!("{head}{}{}{}", one(1), one(2), one(3)))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let before = list_sets(&lab, &c, &zid);
    let blocks: String = (1..=3)
        .map(|i| format!("  record {{\n    name = \"h{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"192.0.2.{i}\"]\n  }}\n"))
        .collect();
    let removed: String = (1..=3).map(|i| format!("removed {{\n  from = r53_record.r{i}\n  lifecycle {{\n    destroy = false\n  }}\n}}\n")).collect();
    tf.write(&format!("{head}resource \"r53_records\" \"all\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n{blocks}}}\n{removed}"))?;
    lab.proxy.reset_stats();
    tf.apply()?;
    assert_eq!(
        lab.proxy.stats().get("ChangeResourceRecordSets"),
        0,
        "adopting matching record sets writes nothing"
    );
    assert_eq!(
        list_sets(&lab, &c, &zid),
        before,
        "nothing deleted or changed"
    );
    tf.assert_plan_empty()?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}
