//! Under throttling, PriorRequestNotComplete, 500s, resets (including resets after the change was
//! applied) and changes that stay PENDING, apply converges with nothing lost or duplicated.

use r53_tests::*;

#[test]
fn apply_converges_under_faults() -> anyhow::Result<()> {
    let lab = Lab::start_with(ProxyConfig {
        fault_rate: 0.25,
        pending_ms: 800,
        seed: 7,
        ..Default::default()
    })?;
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let n = 12;
    tf.write(&format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}
resource "r53_hosted_zone" "z" {{
  name    = "faults.example"
  comment = "under fire"
  tags    = {{ a = "1" }}
}}
resource "r53_record" "r" {{
  count   = {n}
  zone_id = r53_hosted_zone.z.zone_id
  name    = "h${{count.index}}.faults.example"
  type    = "A"
  ttl     = 60
  records = ["192.0.2.${{count.index + 1}}"]
}}
resource "r53_record" "txt" {{
  zone_id = r53_hosted_zone.z.zone_id
  name    = "_txt.faults.example"
  type    = "TXT"
  ttl     = 60
  records = ["{}"]
}}
"#,
        "x".repeat(400)
    ))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let stats = lab.proxy.stats();
    assert!(
        stats.faults.values().sum::<u64>() >= 5,
        "faults were injected: {stats:?}"
    );
    // The checks below use the SDK directly; they run without faults.
    let faulty = lab.proxy.config();
    lab.proxy.set_config(ProxyConfig {
        fault_rate: 0.0,
        ..faulty.clone()
    });

    // exactly one zone, exactly the declared record sets, each once
    let zones = lab.rt.block_on(c.list_hosted_zones().send())?;
    assert_eq!(
        zones.hosted_zones().len(),
        1,
        "no duplicate zone from a retried CreateHostedZone"
    );
    let sets = list_sets(&lab, &c, &zid);
    for i in 0..n {
        let name = format!("h{i}.faults.example.");
        let got: Vec<_> = sets.iter().filter(|s| s.0 == name).collect();
        assert_eq!(got.len(), 1, "{name}: {got:?}");
        assert_eq!(got[0].4, vec![format!("192.0.2.{}", i + 1)]);
    }
    assert_eq!(sets.len(), n + 1 + 2, "{sets:#?}");

    // refresh and destroy under the same faults
    lab.proxy.set_config(faulty.clone());
    tf.assert_plan_empty()?;
    tf.destroy()?;
    lab.proxy.set_config(ProxyConfig {
        fault_rate: 0.0,
        ..faulty
    });
    assert!(zone_gone(&lab, &c, &zid));
    assert!(lab
        .rt
        .block_on(c.list_hosted_zones().send())?
        .hosted_zones()
        .is_empty());
    Ok(())
}
