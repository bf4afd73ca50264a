//! The three architecture examples (examples/architectures/*) applied and destroyed against the
//! lab exactly as written: only `terraform.tfvars` is added, and the provider finds the lab's DNS
//! through the R53_DNS_* environment the lab sets.

use std::path::Path;
use std::time::Duration;

use r53_tests::*;

fn use_example(tf: &Terraform, name: &str, tfvars: &str) -> anyhow::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/architectures")
        .join(name);
    for e in std::fs::read_dir(&dir)? {
        let p = e?.path();
        if p.extension().is_some_and(|x| x == "tf") {
            std::fs::copy(&p, tf.path().join(p.file_name().unwrap()))?;
        }
    }
    std::fs::write(tf.path().join("terraform.tfvars"), tfvars)?;
    Ok(())
}

fn registrar_ns(lab: &Lab, d: &str) -> Vec<String> {
    let mut v: Vec<String> = lab
        .proxy
        .registrar()
        .nameservers(d)
        .unwrap_or_default()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    v.sort();
    v
}

fn sorted(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    out.sort();
    out
}

#[test]
fn architecture_both_roles_applies_and_destroys() -> anyhow::Result<()> {
    let lab = lab();
    lab.registry.set_publish_delay(Duration::from_millis(300));
    lab.proxy
        .registrar()
        .add_registered("both-arch.test", lab_contact(), &["ns1.parked.net"]);
    let tf = lab.terraform(TfBin::Lib)?;
    use_example(&tf, "both-roles", "domain = \"both-arch.test\"\n")?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("8 added"), "{}", o.text());
    let out = tf.outputs()?;
    assert_eq!(out["delegated"]["value"], true, "{out}");
    assert_eq!(
        registrar_ns(&lab, "both-arch.test"),
        sorted(&out["name_servers"]["value"])
    );
    tf.assert_plan_empty()?;
    let o = tf.destroy()?;
    assert!(o.stdout.contains("8 destroyed"), "{}", o.text());
    assert!(
        o.text().contains("both-arch.test is still registered"),
        "{}",
        o.text()
    );
    Ok(())
}

#[test]
fn architecture_registrar_only_applies_and_destroys() -> anyhow::Result<()> {
    let lab = lab();
    lab.registry.set_publish_delay(Duration::from_millis(300));
    lab.proxy
        .registrar()
        .add_registered("reg-arch.test", lab_contact(), &["ns1.parked.net"]);
    // The other DNS provider: a zone it serves (here, one more lab zone) and its name servers.
    let c = sdk(&lab);
    let other = lab.rt.block_on(
        c.create_hosted_zone()
            .name("reg-arch.test")
            .caller_reference("other-provider")
            .send(),
    )?;
    let mut ns: Vec<String> = other.delegation_set().unwrap().name_servers().to_vec();
    ns.sort();
    let tf = lab.terraform(TfBin::Lib)?;
    use_example(
        &tf,
        "registrar-only",
        &format!(
            "domain = \"reg-arch.test\"\nname_servers = {}\n",
            serde_json::to_string(&ns)?
        ),
    )?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("2 added"), "{}", o.text());
    assert!(!o.text().contains("lame"), "{}", o.text());
    assert_eq!(registrar_ns(&lab, "reg-arch.test"), ns);
    let out = tf.outputs()?;
    assert_eq!(sorted(&out["published_name_servers"]["value"]), ns);
    assert_eq!(out["problems"]["value"], serde_json::json!([]), "{out}");
    tf.assert_plan_empty()?;
    tf.destroy()?;
    assert_eq!(
        registrar_ns(&lab, "reg-arch.test"),
        ns,
        "destroy leaves the delegation"
    );
    Ok(())
}

#[test]
fn architecture_hosting_only_applies_and_destroys() -> anyhow::Result<()> {
    let lab = lab();
    lab.registry.set_publish_delay(Duration::ZERO);
    lab.registry.delegate(
        "host-arch.test",
        &[("ns1.old-dns.example", &[]), ("ns2.old-dns.example", &[])],
    );
    let tf = lab.terraform(TfBin::Lib)?;
    use_example(&tf, "hosting-only", "domain = \"host-arch.test\"\n")?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("3 added"), "{}", o.text());
    let out = tf.outputs()?;
    let ns = sorted(&out["set_at_your_registrar"]["value"]);
    let msg = out["delegation"]["value"].as_str().unwrap_or_default();
    assert!(msg.starts_with("not delegated yet"), "{msg}");
    assert!(msg.contains("ns1.old-dns.example"), "{msg}");
    // The owner switches the registrar; the next apply sees it live.
    let refs: Vec<(&str, &[&str])> = ns.iter().map(|n| (n.as_str(), &[][..])).collect();
    lab.registry.delegate("host-arch.test", &refs);
    std::fs::write(
        tf.path().join("terraform.tfvars"),
        "domain = \"host-arch.test\"\nrequire_delegation = true\n",
    )?;
    tf.apply()?;
    let msg = tf.outputs()?["delegation"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(msg.starts_with("delegated:"), "{msg}");
    tf.assert_plan_empty()?;
    let o = tf.destroy()?;
    assert!(o.stdout.contains("3 destroyed"), "{}", o.text());
    Ok(())
}
