//! The plan→apply window and plan-time rules, through real Terraform: a saved plan's apply deletes
//! or changes only what that plan showed (record sets made after it are left alone, with a
//! warning, and shown by the next plan), and rules that need the zone's name fail `terraform plan`
//! when the zone ID is known, before any resource of the run is written.

use r53_tests::*;

use crate::records::oob;

const ZONE: &str = "window.example";

fn head() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\nresource \"r53_hosted_zone\" \"z\" {{\n  name = \"{ZONE}\"\n}}\n"
    )
}

/// `r53_records` with `n` A record sets, the first one's value `first`.
fn records(mode: &str, n: usize, first: &str, extra: &str) -> String {
    let recs: String = (0..n)
        .map(|i| {
            let v = if i == 0 {
                first.to_string()
            } else {
                format!("192.0.2.{}", i + 1)
            };
            format!("  record \"h{i} A\" {{\n    name = \"h{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"{v}\"]\n  }}\n")
        })
        .collect();
    format!(
        "{}resource \"r53_records\" \"all\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  mode = \"{mode}\"\n{recs}}}\n{extra}",
        head()
    )
}

fn names(lab: &Lab, c: &aws_sdk_route53::Client, zid: &str) -> Vec<String> {
    list_sets(lab, c, zid).into_iter().map(|s| s.0).collect()
}

fn apply_saved(tf: &Terraform) -> anyhow::Result<r53_lab::TfOutput> {
    tf.run(&["apply", "-no-color", "-input=false", "window.tfplan"])
}

fn plan_out(tf: &Terraform) -> anyhow::Result<r53_lab::TfOutput> {
    tf.run(&[
        "plan",
        "-out=window.tfplan",
        "-detailed-exitcode",
        "-no-color",
        "-input=false",
    ])
}

/// The saved plan updates one record set; a set created out of band after the plan survives its
/// apply (exclusive: with a warning naming it, and the next plan shows its deletion; additive:
/// nothing to show).
fn saved_plan_leaves_a_later_set_alone(mode: &str) -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&records(mode, 3, "192.0.2.1", ""))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    tf.write(&records(mode, 3, "192.0.2.100", ""))?;
    let p = plan_out(&tf)?;
    assert_eq!(p.code, 2, "{}", p.text());
    oob(
        &lab,
        &c,
        &zid,
        "CREATE",
        &format!("late.{ZONE}."),
        "A",
        "198.51.100.7",
    )?;
    let o = apply_saved(&tf)?;
    assert_eq!(o.code, 0, "{}", o.text());
    let now = list_sets(&lab, &c, &zid);
    assert!(
        now.iter().any(|s| s.0 == format!("late.{ZONE}.")),
        "the set made after the plan survives: {now:?}"
    );
    assert!(
        now.iter()
            .any(|s| s.0 == format!("h0.{ZONE}.") && s.4 == vec!["192.0.2.100"]),
        "the planned update is applied: {now:?}"
    );
    let p = tf.plan()?;
    if mode == "exclusive" {
        assert!(
            o.stdout.contains("not in the plan left alone")
                && o.stdout.contains("late.window.example A"),
            "the apply warns, naming it:\n{}",
            o.text()
        );
        assert_eq!(p.code, 2, "{}", p.text());
        assert!(
            p.stdout.contains("late.window.example") && p.stdout.contains("- record \"late A\" {"),
            "the next plan shows its deletion:\n{}",
            p.text()
        );
        tf.apply()?;
        assert!(!names(&lab, &c, &zid).contains(&format!("late.{ZONE}.")));
        tf.assert_plan_empty()?;
    } else {
        assert!(!o.text().contains("late.window.example"), "{}", o.text());
        assert_eq!(p.code, 0, "additive: nothing to show:\n{}", p.text());
    }
    Ok(())
}

#[test]
fn exclusive_saved_plan_leaves_a_set_made_after_it_alone() -> anyhow::Result<()> {
    saved_plan_leaves_a_later_set_alone("exclusive")
}

#[test]
fn additive_saved_plan_leaves_a_set_made_after_it_alone() -> anyhow::Result<()> {
    saved_plan_leaves_a_later_set_alone("additive")
}

/// A first exclusive apply on a zone that already has record sets: the plan names them; without an
/// import the apply deletes none of them (its plan could not list the deletions); with an import
/// block the plan shows each deletion and the apply deletes exactly those — a set created between
/// plan and apply survives and is shown by the next plan.
#[test]
fn first_exclusive_apply_deletes_only_what_its_plan_showed() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&head())?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    for n in ["old1", "old2"] {
        oob(
            &lab,
            &c,
            &zid,
            "CREATE",
            &format!("{n}.{ZONE}."),
            "A",
            "198.51.100.1",
        )?;
    }
    let has = |n: &str| names(&lab, &c, &zid).contains(&format!("{n}.{ZONE}."));

    // no import: the plan warns, naming them; the apply keeps them
    tf.write(&records("exclusive", 2, "192.0.2.1", ""))?;
    let p = plan_out(&tf)?;
    assert_eq!(p.code, 2, "{}", p.text());
    let warned = p.text();
    assert!(
        warned.contains("are not deleted by this apply")
            && warned.contains("old1.window.example A")
            && warned.contains("old2.window.example A"),
        "{warned}"
    );
    lab.proxy.reset_stats();
    let o = apply_saved(&tf)?;
    assert_eq!(o.code, 0, "{}", o.text());
    assert!(has("old1") && has("old2") && has("h0") && has("h1"));
    // the next plan (its refresh reads the whole zone) shows both deletions
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("old1.window.example") && p.stdout.contains("old2.window.example"),
        "{}",
        p.text()
    );

    // with an import block: a fresh configuration takes the zone over in one plan
    let o = tf.run(&["state", "rm", "r53_records.all"])?;
    assert_eq!(o.code, 0, "{}", o.text());
    let import = format!("import {{\n  to = r53_records.all\n  id = \"{zid}\"\n}}\n");
    tf.write(&records("exclusive", 2, "192.0.2.1", &import))?;
    let p = plan_out(&tf)?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("old1.window.example")
            && p.stdout.contains("old2.window.example")
            && p.stdout.contains("- record \"old1 A\" {"),
        "the plan shows each deletion:\n{}",
        p.text()
    );
    oob(
        &lab,
        &c,
        &zid,
        "CREATE",
        &format!("late.{ZONE}."),
        "A",
        "198.51.100.9",
    )?;
    let o = apply_saved(&tf)?;
    assert_eq!(o.code, 0, "{}", o.text());
    assert!(
        !has("old1") && !has("old2"),
        "the shown deletions are applied"
    );
    assert!(has("late"), "the set made after the plan survives");
    assert!(
        o.text().contains("late.window.example A") && !o.text().contains("old1.window.example A"),
        "the apply warns about the late set only:\n{}",
        o.text()
    );
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(p.stdout.contains("late.window.example"), "{}", p.text());
    Ok(())
}

/// A CNAME at the apex of an existing zone fails `terraform plan` (with the attribute), so an
/// `apply` writes nothing at all — not even the valid resources of the same run.
#[test]
fn apex_cname_on_an_existing_zone_fails_at_plan() -> anyhow::Result<()> {
    let lab = lab();
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&head())?;
    tf.apply()?;
    let fine = format!("resource \"r53_record\" \"fine\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  name = \"www.{ZONE}\"\n  type = \"A\"\n  ttl = 60\n  records = [\"192.0.2.1\"]\n}}\n");
    let one = format!("resource \"r53_record\" \"apex\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  name = \"{ZONE}\"\n  type = \"CNAME\"\n  ttl = 60\n  records = [\"other.example.net\"]\n}}\n");
    let many = format!("resource \"r53_records\" \"all\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  record \"ok A\" {{\n    name = \"ok.{ZONE}\"\n    type = \"A\"\n    ttl = 60\n    records = [\"192.0.2.2\"]\n  }}\n  record \"@ CNAME\" {{\n    name = \"{ZONE}\"\n    type = \"CNAME\"\n    ttl = 60\n    records = [\"other.example.net\"]\n  }}\n}}\n");
    for (bad, address, block) in [
        (one, "r53_record.apex", "resource \"r53_record\" \"apex\""),
        (many, "r53_records.all", "resource \"r53_records\" \"all\""),
    ] {
        tf.write(&format!("{}{fine}{bad}", head()))?;
        lab.proxy.reset_stats();
        let p = tf.plan_fails()?;
        assert!(
            p.stderr.contains("CNAME cannot be at the zone apex")
                && p.stderr.contains(&format!("with {address}"))
                && p.stderr.contains(block)
                && p.stderr.contains("type = \"CNAME\""),
            "the error points at the type attribute:\n{}",
            p.text()
        );
        let o = tf.apply_fails()?;
        assert!(
            o.stderr.contains("CNAME cannot be at the zone apex"),
            "{}",
            o.text()
        );
        let stats = lab.proxy.stats();
        assert_eq!(stats.get("ChangeResourceRecordSets"), 0, "{stats:?}");
    }
    Ok(())
}
