//! r53_key_signing_key and r53_hosted_zone_dnssec through Terraform 1.15 against the lab (whose
//! proxy answers Route 53's DNSSEC API, with moto's KMS holding the keys): create (KSK ACTIVE,
//! zone SIGNING) → plan empty → update (signing off, KSK INACTIVE, both back on) → a KSK that
//! would leave a signing zone without an ACTIVE key is refused in words → drift made with the SDK
//! (signing off, the KSK deactivated) repaired → import compared whole → a KMS key whose policy
//! does not let Route 53 use it refused at plan, naming the rule and printing the statement →
//! destroy → gone.

use aws_sdk_route53::error::ProvideErrorMetadata;
use r53_lab::dnssec::control::KmsPolicy;
use r53_tests::*;

const HEADER: &str = r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
provider "r53" {}
"#;

const DOMAIN: &str = "dnssec-e2e.test";

/// The zone, its KSK (`status` line or none) and its signing (`signing` line or none).
fn config(arn: &str, status: Option<&str>, signing: Option<&str>) -> String {
    let status = status
        .map(|s| format!("  status         = \"{s}\"\n"))
        .unwrap_or_default();
    let signing = signing
        .map(|s| format!("  signing_status = \"{s}\"\n"))
        .unwrap_or_default();
    format!(
        r#"{HEADER}
resource "r53_hosted_zone" "z" {{
  name = "{DOMAIN}"
}}

resource "r53_key_signing_key" "k" {{
  hosted_zone_id = r53_hosted_zone.z.zone_id
  name           = "e2e_ksk"
  kms_key_arn    = "{arn}"
{status}}}

resource "r53_hosted_zone_dnssec" "s" {{
  hosted_zone_id = r53_key_signing_key.k.hosted_zone_id
{signing}}}
"#
    )
}

/// Route 53's view: (ServeSignature, [(KSK name, status)]).
fn live(lab: &Lab, c: &aws_sdk_route53::Client, zone: &str) -> (String, Vec<(String, String)>) {
    let o = lab
        .rt
        .block_on(c.get_dnssec().hosted_zone_id(zone).send())
        .expect("GetDNSSEC");
    (
        o.status()
            .and_then(|s| s.serve_signature())
            .unwrap_or_default()
            .to_string(),
        o.key_signing_keys()
            .iter()
            .map(|k| {
                (
                    k.name().unwrap_or_default().to_string(),
                    k.status().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    )
}

fn one(name: &str, status: &str) -> Vec<(String, String)> {
    vec![(name.to_string(), status.to_string())]
}

/// Terraform's diagnostics with line breaks and box drawing folded into single spaces.
fn words(o: &TfOutput) -> String {
    o.text()
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn key_signing_key_and_zone_signing_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let arn = lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53)?;
    let tf = lab.terraform(TfBin::Lib)?;

    // create: the KSK ACTIVE (unset status), the zone SIGNING (unset signing_status)
    tf.write(&config(&arn, None, None))?;
    let o = tf.apply()?;
    assert!(o.stdout.contains("3 added"), "{}", o.text());
    let zone = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_eq!(
        live(&lab, &c, &zone),
        ("SIGNING".into(), one("e2e_ksk", "ACTIVE"))
    );
    let k = tf.resource("r53_key_signing_key.k")?;
    assert_eq!(attr(&k, "id"), format!("{zone},e2e_ksk"));
    assert!(k["status"].is_null(), "{k}");
    assert_eq!(k["flags"], 257);
    assert_eq!(k["signing_algorithm_type"], 13);
    assert_eq!(attr(&k, "signing_algorithm_mnemonic"), "ECDSAP256SHA256");
    assert_eq!(k["digest_algorithm_type"], 2);
    assert_eq!(attr(&k, "digest_algorithm_mnemonic"), "SHA-256");
    let ds = attr(&k, "ds_record");
    assert_eq!(
        ds,
        format!("{} 13 2 {}", k["key_tag"], attr(&k, "digest_value"))
    );
    // The DS from the DNSKEY by the zone crate's own RFC 4034 computation.
    assert_eq!(
        r53_zone::dnskey::ds_record(
            &r53_zone::Name::parse(DOMAIN)?,
            &attr(&k, "dnskey_record"),
            r53_zone::dnskey::DsDigest::Sha256
        )?,
        ds
    );
    let s = tf.resource("r53_hosted_zone_dnssec.s")?;
    assert_eq!(attr(&s, "id"), zone);
    assert!(s["signing_status"].is_null(), "{s}");
    tf.assert_plan_empty()?;

    // A KSK INACTIVE while the zone signs with it alone: refused in words, nothing changed.
    tf.write(&config(&arn, Some("INACTIVE"), None))?;
    let o = tf.apply_fails()?;
    let w = words(&o);
    assert!(
        w.contains("only ACTIVE key-signing key of a zone that signs"),
        "{w}"
    );
    assert!(w.contains("signing_status = \"NOT_SIGNING\""), "{w}");
    assert_eq!(
        live(&lab, &c, &zone),
        ("SIGNING".into(), one("e2e_ksk", "ACTIVE"))
    );

    // update: signing off, then the KSK INACTIVE, then both back on
    tf.write(&config(&arn, None, Some("NOT_SIGNING")))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    assert_eq!(
        live(&lab, &c, &zone),
        ("NOT_SIGNING".into(), one("e2e_ksk", "ACTIVE"))
    );
    tf.assert_plan_empty()?;
    tf.write(&config(&arn, Some("INACTIVE"), Some("NOT_SIGNING")))?;
    tf.apply()?;
    assert_eq!(
        live(&lab, &c, &zone),
        ("NOT_SIGNING".into(), one("e2e_ksk", "INACTIVE"))
    );
    assert_eq!(
        attr(&tf.resource("r53_key_signing_key.k")?, "status"),
        "INACTIVE"
    );
    tf.assert_plan_empty()?;
    tf.write(&config(&arn, None, None))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 2 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    assert_eq!(
        live(&lab, &c, &zone),
        ("SIGNING".into(), one("e2e_ksk", "ACTIVE"))
    );
    tf.assert_plan_empty()?;

    // drift: signing turned off and the KSK deactivated outside Terraform → planned back, applied
    lab.rt
        .block_on(c.disable_hosted_zone_dnssec().hosted_zone_id(&zone).send())?;
    lab.rt.block_on(
        c.deactivate_key_signing_key()
            .hosted_zone_id(&zone)
            .name("e2e_ksk")
            .send(),
    )?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(p.stdout.contains("2 to change"), "{}", p.text());
    assert!(p.stdout.contains("\"INACTIVE\" -> null"), "{}", p.text());
    assert!(p.stdout.contains("\"NOT_SIGNING\" -> null"), "{}", p.text());
    tf.apply()?;
    assert_eq!(
        live(&lab, &c, &zone),
        ("SIGNING".into(), one("e2e_ksk", "ACTIVE"))
    );
    tf.assert_plan_empty()?;

    // import blocks → only imports → the same whole state → plan empty
    let tf2 = lab.terraform(TfBin::Lib)?;
    tf2.write(&format!(
        "{}\nimport {{\n  to = r53_hosted_zone.z\n  id = \"{zone}\"\n}}\nimport {{\n  to = r53_key_signing_key.k\n  id = \"{zone},e2e_ksk\"\n}}\nimport {{\n  to = r53_hosted_zone_dnssec.s\n  id = \"{zone}\"\n}}\n",
        config(&arn, None, None)
    ))?;
    let p = tf2.plan()?;
    assert!(
        p.stdout
            .contains("3 to import, 0 to add, 0 to change, 0 to destroy"),
        "{}",
        p.text()
    );
    tf2.apply()?;
    tf2.assert_plan_empty()?;
    for addr in ["r53_key_signing_key.k", "r53_hosted_zone_dnssec.s"] {
        assert_same_values(
            &format!("imported {addr}"),
            &tf.resource(addr)?,
            &tf2.resource(addr)?,
            &[],
        );
    }
    for addr in [
        "r53_hosted_zone_dnssec.s",
        "r53_key_signing_key.k",
        "r53_hosted_zone.z",
    ] {
        tf2.state_rm(addr)?;
    }

    // A key whose policy does not let Route 53 use it: refused at plan, naming the rule and
    // printing the statement to add; nothing is created.
    let bad = lab.create_dnssec_kms_key(KmsPolicy::WithoutRoute53)?;
    let tf3 = lab.terraform(TfBin::Lib)?;
    tf3.write(&config(&bad, None, None).replace(DOMAIN, "bad-key-e2e.test"))?;
    let o = tf3.plan_fails()?;
    let w = words(&o);
    assert!(w.contains("KMS key unusable for Route 53 DNSSEC"), "{w}");
    assert!(
        w.contains("does not allow kms:DescribeKey, kms:GetPublicKey, kms:Sign to the service principal dnssec-route53.amazonaws.com"),
        "{w}"
    );
    assert!(
        w.contains("\"Sid\": \"Allow Route 53 DNSSEC Service\""),
        "{w}"
    );
    assert!(zones_named(&lab, &c, "bad-key-e2e.test").is_empty());

    // destroy: signing off, the KSK deactivated and deleted, the zone deleted
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zone));
    let e = lab
        .rt
        .block_on(c.get_dnssec().hosted_zone_id(&zone).send())
        .expect_err("the zone is gone");
    assert_eq!(e.code(), Some("NoSuchHostedZone"), "{e:?}");
    Ok(())
}
