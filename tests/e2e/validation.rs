//! Bad configuration is refused by Terraform with a diagnostic at the attribute, and no API call
//! is made (the lab proxy counts calls from outside the provider).

use r53_tests::*;

const HEAD: &str = "terraform {\n  required_providers {\n    r53 = { source = \"r53/r53\" }\n  }\n}\nprovider \"r53\" {}\n";

fn refused(lab: &Lab, body: &str, expect: &[&str]) -> anyhow::Result<()> {
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&format!("{HEAD}{body}"))?;
    lab.proxy.reset_stats();
    let o = tf
        .plan_fails()
        .map_err(|e| e.context(format!("expected refusal for:\n{body}")))?;
    for e in expect {
        assert!(
            o.stderr.contains(e),
            "diagnostic should contain {e:?}:\n{}",
            o.text()
        );
    }
    assert_eq!(
        lab.proxy.stats().total(),
        0,
        "no API call may be made for invalid config: {:?}",
        lab.proxy.stats()
    );
    Ok(())
}

#[test]
fn invalid_configuration_is_refused_before_any_api_call() -> anyhow::Result<()> {
    let lab = lab();
    let rec = |inner: &str| {
        format!("resource \"r53_record\" \"r\" {{\n  zone_id = \"Z0000000000000000TEST\"\n  name = \"www.example.com\"\n  type = \"A\"\n{inner}\n}}\n")
    };
    // each: config, and what the diagnostic must show (message and the offending source line)
    refused(
        &lab,
        &rec("  ttl = 60\n  records = [\"192.0.2.300\"]"),
        &["is not an IPv4 address", "records = [\"192.0.2.300\"]"],
    )?;
    refused(
        &lab,
        &rec("  records = [\"192.0.2.1\"]"),
        &["`ttl` is required"],
    )?;
    refused(
        &lab,
        &rec("  ttl = -5\n  records = [\"192.0.2.1\"]"),
        &["ttl must be from 0 to 2147483647", "ttl = -5"],
    )?;
    refused(
        &lab,
        &rec("  ttl = 60\n  records = [\"192.0.2.1\"]\n  alias {\n    name = \"lb.example.net\"\n    zone_id = \"Z2\"\n  }"),
        &["an alias record cannot also have records", "alias record takes its TTL from the target"],
    )?;
    refused(&lab, &rec("  ttl = 60\n  records = [\"192.0.2.1\"]\n  weighted_routing_policy {\n    weight = 10\n  }"), &["needs a set_identifier"])?;
    refused(
        &lab,
        &rec("  ttl = 60\n  records = [\"192.0.2.1\"]\n  set_identifier = \"x\""),
        &[
            "set_identifier needs a routing policy",
            "set_identifier = \"x\"",
        ],
    )?;
    refused(
        &lab,
        "resource \"r53_record\" \"r\" {\n  zone_id = \"Z1\"\n  name = \"bad..example.com\"\n  type = \"A\"\n  ttl = 60\n  records = [\"192.0.2.1\"]\n}\n",
        &["empty label", "name = \"bad..example.com\""],
    )?;
    refused(
        &lab,
        "resource \"r53_record\" \"r\" {\n  zone_id = \"Z1\"\n  name = \"x.example.com\"\n  type = \"AXFR\"\n  ttl = 60\n  records = [\"a\"]\n}\n",
        &["not a record type Route 53 hosts", "type = \"AXFR\""],
    )?;
    refused(
        &lab,
        "resource \"r53_record\" \"r\" {\n  zone_id = \"Z1\"\n  name = \"x.example.com\"\n  type = \"MX\"\n  ttl = 60\n  records = [\"mail.example.com\"]\n}\n",
        &["priority host"],
    )?;
    refused(
        &lab,
        "resource \"r53_hosted_zone\" \"z\" {\n  name = \"no spaces.example\"\n}\n",
        &["Route 53 does not accept", "name = \"no spaces.example\""],
    )?;
    refused(
        &lab,
        "resource \"r53_record\" \"r\" {\n  zone_id = \"Z1\"\n  name = \"x.example.com\"\n  type = \"A\"\n  ttl = 60\n  records = [\"192.0.2.1\"]\n  failover_routing_policy {\n    type = \"TERTIARY\"\n  }\n  set_identifier = \"a\"\n}\n",
        &["PRIMARY or SECONDARY"],
    )?;
    Ok(())
}

/// A CNAME at the apex is only recognisable once the zone's name is known: refused before any write.
#[test]
fn cname_at_apex_is_refused_without_a_write() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&format!(
        "{HEAD}resource \"r53_hosted_zone\" \"z\" {{\n  name = \"apex.example\"\n}}\nresource \"r53_record\" \"r\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n  name = \"apex.example\"\n  type = \"CNAME\"\n  ttl = 60\n  records = [\"other.example.net\"]\n}}\n"
    ))?;
    lab.proxy.reset_stats();
    let o = tf.apply_fails()?;
    assert!(
        o.stderr.contains("CNAME cannot be at the zone apex") && o.stderr.contains("alias"),
        "{}",
        o.text()
    );
    assert_eq!(
        lab.proxy.stats().get("ChangeResourceRecordSets"),
        0,
        "{:?}",
        lab.proxy.stats()
    );
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    tf.write(&format!(
        "{HEAD}resource \"r53_hosted_zone\" \"z\" {{\n  name = \"apex.example\"\n}}\n"
    ))?;
    tf.apply()?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}
