//! Provider-defined functions called from HCL through every Terraform on the machine (1.15 and
//! 1.11.4 both serve functions, from 1.8): each result checked as an output, used in a resource
//! whose plan stays empty, and bad arguments refused with an error naming the argument.

use r53_tests::*;

const HEADER: &str = r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
provider "r53" {}
"#;

// RFC 4509 §2.2.1's example DNSKEY and DS.
const KEY: &str = "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
const DS: &str = "60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A";

fn config() -> String {
    let dkim = format!("v=DKIM1; k=rsa; p={}", "Q".repeat(300));
    format!(
        r#"{HEADER}
locals {{
  zone = "Func-E2E.test."
  dkim = "{dkim}"
}}

resource "r53_hosted_zone" "z" {{
  name = provider::r53::fqdn("@", local.zone)
}}

resource "r53_record" "dkim" {{
  zone_id = r53_hosted_zone.z.zone_id
  name    = provider::r53::fqdn(provider::r53::relative_name("WWW.func-e2e.test.", local.zone), local.zone)
  type    = "TXT"
  ttl     = 60
  records = [local.dkim]
}}

output "fqdn"      {{ value = provider::r53::fqdn("www", local.zone) }}
output "apex"      {{ value = provider::r53::fqdn("", local.zone) }}
output "relative"  {{ value = provider::r53::relative_name("a.b.func-e2e.test", local.zone) }}
output "at"        {{ value = provider::r53::relative_name("func-e2e.test.", local.zone) }}
output "strings"   {{ value = provider::r53::txt_strings(local.dkim) }}
output "txt"       {{ value = provider::r53::txt_value("say \"hi\"") }}
output "ns_same"   {{ value = provider::r53::nameservers_equal(["NS1.example.net.", "ns2.example.org"], toset(["ns2.example.org", "ns1.example.net"])) }}
output "ns_other"  {{ value = provider::r53::nameservers_equal(["ns1.example.net"], ["ns1.example.net", "ns3.example.net"]) }}
output "ns_zone"   {{ value = provider::r53::nameservers_equal(r53_hosted_zone.z.name_servers, reverse(r53_hosted_zone.z.name_servers)) }}
output "rev4"      {{ value = provider::r53::reverse_name("192.0.2.10") }}
output "rev6"      {{ value = provider::r53::reverse_name("2001:db8::1") }}
output "ds"        {{ value = provider::r53::ds_record("dskey.example.com", "{KEY}") }}
"#
    )
}

fn check(bin: TfBin) -> anyhow::Result<()> {
    let lab = lab();
    let tf = lab.terraform(bin)?;
    tf.write(&config())?;
    tf.apply()?;
    let out = tf.outputs()?;
    let v = |k: &str| out[k]["value"].clone();
    assert_eq!(v("fqdn"), "www.func-e2e.test");
    assert_eq!(v("apex"), "func-e2e.test");
    assert_eq!(v("relative"), "a.b");
    assert_eq!(v("at"), "@");
    let dkim = format!("v=DKIM1; k=rsa; p={}", "Q".repeat(300));
    assert_eq!(
        v("strings"),
        serde_json::json!([&dkim[..255], &dkim[255..]])
    );
    assert_eq!(v("txt"), "\"say \\\"hi\\\"\"");
    assert_eq!(v("ns_same"), true);
    assert_eq!(v("ns_other"), false);
    assert_eq!(v("ns_zone"), true);
    assert_eq!(v("rev4"), "10.2.0.192.in-addr.arpa");
    assert_eq!(
        v("rev6"),
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
    );
    assert_eq!(v("ds"), DS);
    // The names the functions built are the names Route 53 has.
    let z = tf.resource("r53_hosted_zone.z")?;
    assert_eq!(attr(&z, "name"), "func-e2e.test");
    let sets = list_sets(&lab, &sdk(&lab), &attr(&z, "zone_id"));
    assert!(
        sets.iter()
            .any(|s| s.0 == "www.func-e2e.test." && s.1 == "TXT"),
        "{sets:?}"
    );
    tf.assert_plan_empty()?;

    // Bad arguments: refused at plan, naming the function, the argument and why.
    for (call, arg, why) in [
        (
            r#"provider::r53::fqdn("www.other.org.", "example.com")"#,
            "name",
            "not in the zone example.com",
        ),
        (
            r#"provider::r53::fqdn("www", "exa mple.com")"#,
            "zone",
            "invalid zone",
        ),
        (
            r#"provider::r53::reverse_name("192.0.2.300")"#,
            "ip",
            "not an IPv4 or IPv6 address",
        ),
        (
            r#"provider::r53::nameservers_equal(["a.example"], ["ok.example", "a..b"])"#,
            "b",
            "element 1",
        ),
        (
            r#"provider::r53::ds_record("example.com", "257 3 13 !!")"#,
            "dnskey",
            "base64",
        ),
    ] {
        tf.write(&format!(
            "{}\noutput \"bad\" {{ value = {call} }}\n",
            config()
        ))?;
        let p = tf.plan_fails()?;
        let text = p.text().split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains(&format!("Invalid value for \"{arg}\" parameter")) && text.contains(why),
            "{call}: {}",
            p.text()
        );
    }
    tf.write(&config())?;
    tf.destroy()?;
    Ok(())
}

#[test]
fn functions_through_terraform_1_15() -> anyhow::Result<()> {
    check(TfBin::Lib)
}

#[test]
fn functions_through_terraform_1_11() -> anyhow::Result<()> {
    let Some(bin) = older_terraform() else {
        return Ok(());
    };
    check(bin)
}
