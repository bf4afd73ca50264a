//! Zone-scale behaviour of r53_record: one listing per zone for a refresh, concurrent writes shared
//! in change batches, and a rejected batch that fails only its offending record. Calls are counted
//! by the lab proxy, outside the provider.

use r53_tests::*;

fn config(n: usize, batch: bool) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{
  batch_record_writes = {batch}
}}
resource "r53_hosted_zone" "z" {{
  name          = "scale.example"
  force_destroy = true
}}
resource "r53_record" "r" {{
  count   = {n}
  zone_id = r53_hosted_zone.z.zone_id
  name    = "h${{count.index}}.scale.example"
  type    = "A"
  ttl     = 60
  records = ["192.0.2.${{count.index % 250}}"]
}}
"#
    )
}

/// (accepted change batches, all change requests incl. those refused as PriorRequestNotComplete,
/// List calls of a no-op refresh)
fn run_case(batch: bool) -> anyhow::Result<(u64, u64, u64)> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let n = 60;
    tf.write(&config(n, batch))?;
    let o = tf.run(&["apply", "-auto-approve", "-no-color", "-parallelism=30"])?;
    assert_eq!(o.code, 0, "{}", o.text());
    let st = lab.proxy.stats();
    let requests = st.get("ChangeResourceRecordSets");
    let writes = requests - st.refused - st.faults.values().sum::<u64>();
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_eq!(list_sets(&lab, &c, &zid).len(), n + 2);
    lab.proxy.reset_stats();
    let p = tf.run(&["plan", "-detailed-exitcode", "-no-color", "-parallelism=30"])?;
    assert_eq!(p.code, 0, "{}", p.text());
    let lists = lab.proxy.stats().get("ListResourceRecordSets");
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok((writes, requests, lists))
}

#[test]
fn coalescing_shares_reads_and_writes() -> anyhow::Result<()> {
    let (w_on, r_on, l_on) = run_case(true)?;
    let (w_off, r_off, l_off) = run_case(false)?;
    eprintln!("60 records: change batches {w_on} (requests {r_on}) batched vs {w_off} ({r_off}); refresh Lists {l_on} vs {l_off}");
    assert_eq!(w_off, 60, "one change batch per record without coalescing");
    assert_eq!(
        r_on, w_on,
        "batched writes to a zone never collide (no PriorRequestNotComplete)"
    );
    assert_eq!(l_off, 60, "one List per record without coalescing");
    assert!(w_on <= 20, "concurrent writes share batches: {w_on}");
    assert!(
        l_on <= 2,
        "refresh reads the zone once (one page of 62 sets) after one direct lookup: {l_on}"
    );
    Ok(())
}

#[test]
fn rejected_batch_fails_only_the_offending_record() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let head = "terraform {\n  required_providers {\n    r53 = { source = \"r53/r53\" }\n  }\n}\nresource \"r53_hosted_zone\" \"z\" {\n  name = \"scale.example\"\n  force_destroy = true\n}\n";
    tf.write(head)?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    // h7 exists already (made out of band): creating it must fail, and only it.
    use aws_sdk_route53::types::{Change, ChangeBatch, ResourceRecord, ResourceRecordSet};
    let rrs = ResourceRecordSet::builder()
        .name("h7.scale.example.")
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
    tf.write(&format!(
        "{head}resource \"r53_record\" \"r\" {{\n  count = 16\n  zone_id = r53_hosted_zone.z.zone_id\n  name = \"h${{count.index}}.scale.example\"\n  type = \"A\"\n  ttl = 60\n  records = [\"192.0.2.${{count.index}}\"]\n}}\n"
    ))?;
    lab.proxy.reset_stats();
    let o = tf.run_fails(&["apply", "-auto-approve", "-no-color", "-parallelism=20"])?;
    assert!(
        o.stderr.contains("r53_record.r[7]") && o.stderr.contains("already exists"),
        "{}",
        o.text()
    );
    assert_eq!(
        o.stderr.matches("Error:").count(),
        1,
        "only the offending record fails:\n{}",
        o.text()
    );
    let sets = list_sets(&lab, &c, &zid);
    for i in (0..16).filter(|i| *i != 7) {
        let name = format!("h{i}.scale.example.");
        assert!(
            sets.iter()
                .any(|s| s.0 == name && s.4 == vec![format!("192.0.2.{i}")]),
            "{name} applied: {sets:?}"
        );
    }
    assert!(
        sets.iter()
            .any(|s| s.0 == "h7.scale.example." && s.4 == vec!["198.51.100.7"]),
        "existing record untouched"
    );
    // Only the failed record remains to do.
    let p = tf.plan()?;
    assert!(
        p.stdout.contains("r53_record.r[7] will be created")
            && p.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "{}",
        p.text()
    );
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}
