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
        .map(|i| format!("  record \"h{i} A\" {{\n    name = \"h{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"192.0.2.{}\"]\n  }}\n", i + 1))
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
  record "@ TXT" {{
    name    = "{ZONE}"
    type    = "TXT"
    ttl     = 300
    records = ["v=spf1 -all", "{long}"]
  }}
  record "www A" {{
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
        p.stdout.contains("rogue.bulk.example") && p.stdout.contains("- record \"rogue A\" {"),
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

    // the blocks are keyed by label: reordering them changes nothing
    let reordered = config_ordered("exclusive", 20, "", "", true)
        .replace("192.0.2.1\"", "192.0.2.101\"")
        .replace("192.0.2.2\"", "192.0.2.102\"");
    tf.write(&reordered)?;
    tf.assert_plan_empty()?;
    // a new label for the same record set shows in the plan, but writes nothing
    tf.write(&reordered.replace("record \"h7 A\"", "record \"seventh host\""))?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("+ record \"seventh host\" {")
            && p.stdout.contains("- record \"h7 A\" {"),
        "{}",
        p.text()
    );
    lab.proxy.reset_stats();
    tf.apply()?;
    assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 0);
    tf.assert_plan_empty()?;
    tf.write(&reordered)?;
    tf.apply()?;
    assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 0);

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
    let cfg = config("exclusive", 12, "", "");
    tf2.write(&format!("{cfg}\nimport {{\n  to = r53_hosted_zone.z\n  id = \"{zid}\"\n}}\nimport {{\n  to = r53_records.all\n  id = \"{zid}\"\n}}\n"))?;
    // (the configuration labels its blocks as import does: the plan shows imports only)
    let p = tf2.plan()?;
    assert!(
        p.stdout
            .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
        "{}",
        p.text()
    );
    lab.proxy.reset_stats();
    tf2.apply()?;
    assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 0);
    tf2.assert_plan_empty()?;
    let imported = tf2.resource("r53_records.all")?;
    assert_eq!(imported["record"].as_object().map(|a| a.len()), Some(14));
    assert_same_values(
        "imported r53_records.all",
        &tf.resource("r53_records.all")?,
        &imported,
        &[("allow_mass_change", "set in the first configuration only")],
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
        .map(|i| format!("  record \"n{i} A\" {{\n    name = \"n{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 60\n    records = [\"192.0.2.{i}\"]\n  }}\n"))
        .collect::<String>()
        + &format!("  record \"clash CNAME\" {{\n    name = \"clash.{ZONE}\"\n    type = \"CNAME\"\n    ttl = 60\n    records = [\"h0.{ZONE}\"]\n  }}\n");
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
        .map(|i| format!("  record \"h{i} A\" {{\n    name = \"h{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"192.0.2.{i}\"]\n  }}\n"))
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

/// A reviewer sees what a change does: one record set added at the top of 50 is one `+` block in
/// the plan, and nothing else is shown changed; removing one is one `-` block.
#[test]
fn one_set_added_at_the_top_of_fifty_is_one_plan_entry() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    for bin in TfBin::available() {
        let tf = lab.terraform(bin.clone())?;
        tf.write(&config("exclusive", 50, "", ""))?;
        tf.apply()?;
        let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
        let top = format!(
            "  record \"new A\" {{\n    name = \"new.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"198.51.100.1\"]\n  }}\n"
        );
        tf.write(&config("exclusive", 50, "", &top))?;
        let p = tf.plan()?;
        assert_eq!(p.code, 2, "{bin:?}: {}", p.text());
        assert_eq!(
            block_lines(&p.stdout),
            ["+ record \"new A\" {"],
            "{bin:?}: {}",
            p.stdout
        );
        assert!(
            p.stdout.contains("0 to add, 1 to change, 0 to destroy"),
            "{bin:?}: {}",
            p.stdout
        );
        lab.proxy.reset_stats();
        tf.apply()?;
        assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 1);
        assert!(list_sets(&lab, &c, &zid)
            .iter()
            .any(|s| s.0 == format!("new.{ZONE}.") && s.4 == vec!["198.51.100.1"]));
        tf.assert_plan_empty()?;
        // and one taken away from the middle
        tf.write(
            &config("exclusive", 50, "", &top).replace(
                "  record \"h25 A\" {\n    name = \"h25.bulk.example\"\n    type = \"A\"\n    ttl = 300\n    records = [\"192.0.2.26\"]\n  }\n",
                "",
            ),
        )?;
        let p = tf.plan()?;
        assert_eq!(p.code, 2, "{bin:?}: {}", p.text());
        assert_eq!(
            block_lines(&p.stdout),
            ["- record \"h25 A\" {"],
            "{bin:?}: {}",
            p.stdout
        );
        tf.destroy()?;
        assert!(zone_gone(&lab, &c, &zid));
    }
    Ok(())
}

/// State written by r53 0.1 (schema 0: the `record` blocks as a list) is upgraded to labelled
/// blocks: with the configuration moved to the labels `import` gives, the plan is empty and no
/// write is made; the upgraded state is the state an import of the zone gives.
#[test]
fn list_state_of_schema_0_upgrades_with_an_empty_plan() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let cfg = config("exclusive", 12, "", "");
    tf.write(&cfg)?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let current = tf.resource("r53_records.all")?;

    // The state as r53 0.1 wrote it: the same attributes, `record` a list in configuration order.
    let pulled = tf.run_ok(&["state", "pull"])?;
    let mut state: serde_json::Value = serde_json::from_str(&pulled.stdout)?;
    let mut found = false;
    for r in state["resources"].as_array_mut().into_iter().flatten() {
        if r["type"] != "r53_records" {
            continue;
        }
        for inst in r["instances"].as_array_mut().into_iter().flatten() {
            assert_eq!(inst["schema_version"], 1, "{inst}");
            inst["schema_version"] = 0.into();
            let blocks = inst["attributes"]["record"]
                .as_object()
                .expect("labelled blocks")
                .clone();
            let mut list: Vec<serde_json::Value> = blocks.into_iter().map(|(_, b)| b).collect();
            list.reverse();
            inst["attributes"]["record"] = serde_json::Value::Array(list);
            found = true;
        }
    }
    assert!(found, "{state}");
    state["serial"] = (state["serial"].as_u64().unwrap_or(0) + 1).into();
    std::fs::write(tf.path().join("v0.tfstate"), serde_json::to_vec(&state)?)?;
    tf.run_ok(&["state", "push", "-force", "v0.tfstate"])?;

    lab.proxy.reset_stats();
    tf.assert_plan_empty()?;
    let o = tf.run_ok(&["apply", "-auto-approve", "-no-color", "-input=false"])?;
    assert!(
        o.stdout.contains("0 added, 0 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    assert_eq!(lab.proxy.stats().get("ChangeResourceRecordSets"), 0);
    assert_same_values(
        "upgraded r53_records.all",
        &current,
        &tf.resource("r53_records.all")?,
        &[],
    );
    let v: serde_json::Value = serde_json::from_str(&tf.run_ok(&["state", "pull"])?.stdout)?;
    let versions: Vec<&serde_json::Value> = v["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "r53_records")
        .flat_map(|r| r["instances"].as_array().into_iter().flatten())
        .map(|i| &i["schema_version"])
        .collect();
    assert_eq!(versions, [&serde_json::json!(1)]);
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}
