//! DNSSEC through r53_delegation, with Terraform 1.15 against the lab: the registry signs the root
//! and the TLDs, Route 53's name servers sign a zone when its DNSSEC API says so, and unbound-host
//! (Debian's validating resolver, started from the lab's root key) checks the domain over and over
//! while each apply runs — it must never say "bogus".
//!
//! Both roles (Route 53 registrar + Route 53 zone): enable (KSK, signing, `dnssec_keys`) → secure →
//! plan empty → the registrar's key removed out of band is planned back → import compared whole →
//! `dnssec_keys = []` → insecure → signing off → insecure. A subzone signed under the signed zone
//! (parent-zone mode, the DS record set) ends secure and then insecure the same way. External: the
//! DS to enter is printed, and the apply completes once the lab registry publishes it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hickory_proto::rr::RecordType;
use r53_lab::dnssec::control::KmsPolicy;
use r53_lab::validator::Verdict;
use r53_tests::*;

const HEADER: &str = r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
provider "r53" {}
"#;

/// Runs `f` while unbound-host validates `domain`'s SOA again and again (at least once after `f`
/// returns); every verdict seen, in order.
fn watching<T>(lab: &Lab, domain: &str, f: impl FnOnce() -> T) -> (T, Vec<Verdict>) {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let checker = s.spawn(|| {
            let mut seen = Vec::new();
            loop {
                let last = stop.load(Ordering::SeqCst);
                seen.push(check(lab, domain));
                if last {
                    return seen;
                }
            }
        });
        let out = f();
        stop.store(true, Ordering::SeqCst);
        (out, checker.join().expect("the checker thread"))
    })
}

/// One unbound-host verdict on `domain`'s SOA. The lab's stub zones are the cuts found just
/// before unbound-host starts; a cut made in between (a delegation the apply is adding) sends it
/// after servers it has no stub for, and it gives up without a verdict. So a check without a
/// verdict is asked again, with fresh cuts, up to three times; three in a row count as bogus.
fn check(lab: &Lab, domain: &str) -> Verdict {
    let mut why = Vec::new();
    for _ in 0..3 {
        match lab.validate(domain, RecordType::SOA) {
            Ok(v) => return v.verdict,
            Err(e) => why.push(format!("{e:#}")),
        }
    }
    Verdict::Bogus(format!("no verdict: {}", why.join(" | ")))
}

/// Asserts no verdict was bogus and the last is `end`.
fn never_bogus(seen: &[Verdict], end: Verdict, step: &str) {
    // Runs of the same verdict folded, for the message.
    let mut runs: Vec<(&Verdict, usize)> = Vec::new();
    for v in seen {
        match runs.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => runs.push((v, 1)),
        }
    }
    assert!(
        seen.iter().all(|v| !matches!(v, Verdict::Bogus(_))),
        "{step}: unbound-host said bogus: {runs:?}"
    );
    assert_eq!(seen.last(), Some(&end), "{step}: {runs:?}");
}

/// Lowers the zone's apex TTLs (NS, SOA and its negative TTL) to 2 s with the SDK, as AWS's guide
/// says to before signing, so the waits that follow the TTLs are short.
fn lower_ttls(lab: &Lab, c: &aws_sdk_route53::Client, zone: &str, name: &str) {
    use aws_sdk_route53::types::{
        Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType,
    };
    let sets = lab
        .rt
        .block_on(c.list_resource_record_sets().hosted_zone_id(zone).send())
        .expect("list");
    let mut changes = Vec::new();
    for s in sets.resource_record_sets() {
        if s.name().trim_end_matches('.') != name || !matches!(s.r#type(), RrType::Ns | RrType::Soa)
        {
            continue;
        }
        let values: Vec<ResourceRecord> = s
            .resource_records()
            .iter()
            .map(|r| {
                let v = if *s.r#type() == RrType::Soa {
                    // moto lists the SOA it made as a Python dict's text: take the value out.
                    let v = r
                        .value()
                        .trim_start_matches("{'Value': '")
                        .trim_end_matches("'}");
                    let mut f: Vec<&str> = v.split_whitespace().collect();
                    f.pop();
                    f.push("2");
                    f.join(" ")
                } else {
                    r.value().to_string()
                };
                ResourceRecord::builder().value(v).build().unwrap()
            })
            .collect();
        let set = ResourceRecordSet::builder()
            .name(s.name())
            .r#type(s.r#type().clone())
            .ttl(2)
            .set_resource_records(Some(values))
            .build()
            .unwrap();
        changes.push(
            Change::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(set)
                .build()
                .unwrap(),
        );
    }
    assert_eq!(changes.len(), 2, "the apex NS and SOA of {name}");
    lab.rt
        .block_on(
            c.change_resource_record_sets()
                .hosted_zone_id(zone)
                .change_batch(
                    ChangeBatch::builder()
                        .set_changes(Some(changes))
                        .build()
                        .unwrap(),
                )
                .send(),
        )
        .expect("lower the TTLs");
}

const DOMAIN: &str = "signed-e2e.test";
const SUB: &str = "dev.signed-e2e.test";

/// The zone, delegated by the Route 53 registrar; with `signed`, its KSK and signing; `keys` is
/// the delegation's `dnssec_keys` expression (None: unset). `sub`: the subzone under it, signed,
/// with its own `dnssec_keys` expression.
fn both_roles(arn: &str, signed: bool, keys: Option<&str>, sub: Option<&str>) -> String {
    let signing = if signed {
        format!(
            r#"
resource "r53_key_signing_key" "k" {{
  hosted_zone_id = r53_hosted_zone.z.zone_id
  name           = "parent_ksk"
  kms_key_arn    = "{arn}"
}}
resource "r53_hosted_zone_dnssec" "s" {{
  hosted_zone_id = r53_key_signing_key.k.hosted_zone_id
}}
"#
        )
    } else {
        String::new()
    };
    let keys_line = keys
        .map(|k| format!("  dnssec_keys  = {k}\n  depends_on   = [r53_hosted_zone_dnssec.s]\n"))
        .unwrap_or_default();
    let keys_line = if signed {
        keys_line
    } else {
        keys.map(|k| format!("  dnssec_keys  = {k}\n"))
            .unwrap_or_default()
    };
    let sub = sub
        .map(|k| {
            format!(
                r#"
resource "r53_hosted_zone" "sub" {{
  name = "{SUB}"
}}
resource "r53_key_signing_key" "sub" {{
  hosted_zone_id = r53_hosted_zone.sub.zone_id
  name           = "sub_ksk"
  kms_key_arn    = "{arn}"
}}
resource "r53_hosted_zone_dnssec" "sub" {{
  hosted_zone_id = r53_key_signing_key.sub.hosted_zone_id
}}
resource "r53_delegation" "sub" {{
  domain         = "{SUB}"
  parent_zone_id = r53_hosted_zone.z.zone_id
  name_servers   = r53_hosted_zone.sub.name_servers
  ttl            = 2
  dnssec_keys    = {k}
  depends_on     = [r53_hosted_zone_dnssec.sub, r53_delegation.d]
}}
"#
            )
        })
        .unwrap_or_default();
    format!(
        r#"{HEADER}
resource "r53_hosted_zone" "z" {{
  name = "{DOMAIN}"
}}
{signing}
resource "r53_delegation" "d" {{
  domain       = "{DOMAIN}"
  registrar    = "route53"
  name_servers = r53_hosted_zone.z.name_servers
{keys_line}}}
{sub}"#
    )
}

/// The registrar's DNSSEC key Ids for the domain.
fn registrar_key_ids(lab: &Lab) -> Vec<String> {
    let d = domains_sdk(lab);
    let o = lab
        .rt
        .block_on(d.get_domain_detail().domain_name(DOMAIN).send())
        .expect("GetDomainDetail");
    o.dnssec_keys()
        .iter()
        .filter_map(|k| k.id().map(str::to_string))
        .collect()
}

fn apply_target(tf: &Terraform, target: &str) -> anyhow::Result<TfOutput> {
    tf.run_ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        &format!("-target={target}"),
    ])
}

#[test]
fn delegation_dnssec_both_roles_and_a_subzone_never_bogus() -> anyhow::Result<()> {
    let lab = lab();
    lab.proxy.registrar().add_registered(
        DOMAIN,
        lab_contact(),
        &["ns1.old-host.net", "ns2.old-host.net"],
    );
    lab.registry.set_publish_delay(Duration::from_millis(300));
    lab.registry.set_delegation_ttl(2);
    let c = sdk(&lab);
    let arn = lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53)?;
    let tf = lab.terraform(TfBin::Lib)?;

    // Delegated, unsigned: insecure.
    tf.write(&both_roles(&arn, false, None, None))?;
    tf.apply()?;
    let zone = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    lower_ttls(&lab, &c, &zone, DOMAIN);
    assert_eq!(
        lab.validate(DOMAIN, RecordType::SOA)?.verdict,
        Verdict::Insecure
    );

    // Enable: KSK, signing and the DS in one apply, in the safe order.
    tf.write(&both_roles(
        &arn,
        true,
        Some("[r53_key_signing_key.k.dnskey_record]"),
        None,
    ))?;
    let (o, seen) = watching(&lab, DOMAIN, || tf.apply());
    let o = o?;
    never_bogus(&seen, Verdict::Secure, "enable");
    assert!(o.stdout.contains("2 added, 1 changed"), "{}", o.text());
    let k = tf.resource("r53_key_signing_key.k")?;
    let s = tf.resource("r53_delegation.d")?;
    assert_eq!(s["dnssec"], "secure", "{s}");
    assert!(s["dnssec_reason"].is_null(), "{s}");
    assert_eq!(strings(&s["ds_records"]), vec![attr(&k, "ds_record")]);
    assert_eq!(strings(&s["published_ds"]), vec![attr(&k, "ds_record")]);
    assert_eq!(registrar_key_ids(&lab).len(), 1);
    tf.assert_plan_empty()?;

    // The registrar's key removed out of band: the plan shows the key going, apply puts it back.
    let id = registrar_key_ids(&lab).remove(0);
    let d = domains_sdk(&lab);
    lab.rt.block_on(
        d.disassociate_delegation_signer_from_domain()
            .domain_name(DOMAIN)
            .id(&id)
            .send(),
    )?;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !registrar_key_ids(&lab).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the key is still there"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(p.stdout.contains("dnssec_keys"), "{}", p.text());
    let (o, seen) = watching(&lab, DOMAIN, || tf.apply());
    o?;
    never_bogus(&seen, Verdict::Secure, "drift repaired");
    assert_eq!(registrar_key_ids(&lab).len(), 1);
    tf.assert_plan_empty()?;

    // Import: the key is found in the zone's DNSKEY set by the DS the registrar holds.
    let before = tf.resource("r53_delegation.d")?;
    tf.state_rm("r53_delegation.d")?;
    tf.import("r53_delegation.d", &format!("route53:{DOMAIN}"))?;
    let after = tf.resource("r53_delegation.d")?;
    assert_eq!(after, before);
    tf.assert_plan_empty()?;

    // A subzone signed under the signed zone: the DS record set in the parent zone.
    let sub_keys = "[r53_key_signing_key.sub.dnskey_record]";
    tf.write(&both_roles(
        &arn,
        true,
        Some("[r53_key_signing_key.k.dnskey_record]"),
        Some(sub_keys),
    ))?;
    // The subzone's apex TTLs come lowered only once it exists: create it first.
    apply_target(&tf, "r53_hosted_zone.sub")?;
    let sub_zone = attr(&tf.resource("r53_hosted_zone.sub")?, "zone_id");
    lower_ttls(&lab, &c, &sub_zone, SUB);
    let (o, seen) = watching(&lab, SUB, || tf.apply());
    o?;
    never_bogus(&seen, Verdict::Secure, "subzone enable");
    let s = tf.resource("r53_delegation.sub")?;
    assert_eq!(s["dnssec"], "secure", "{s}");
    let sk = tf.resource("r53_key_signing_key.sub")?;
    let parent_ds = list_sets(&lab, &c, &zone)
        .into_iter()
        .find(|s| s.0.trim_end_matches('.') == SUB && s.1 == "DS")
        .expect("the DS record set in the parent zone");
    assert_eq!(parent_ds.4, vec![attr(&sk, "ds_record")]);
    tf.assert_plan_empty()?;
    tf.write(&both_roles(
        &arn,
        true,
        Some("[r53_key_signing_key.k.dnskey_record]"),
        Some("[]"),
    ))?;
    let (o, seen) = watching(&lab, SUB, || tf.apply());
    o?;
    never_bogus(&seen, Verdict::Insecure, "subzone disable");
    assert!(
        !list_sets(&lab, &c, &zone).iter().any(|s| s.1 == "DS"),
        "the DS record set is gone"
    );
    assert_eq!(tf.resource("r53_delegation.sub")?["dnssec"], "insecure");
    // Disable: the DS goes first, then (next apply) signing.
    tf.write(&both_roles(&arn, true, Some("[]"), None))?;
    let (o, seen) = watching(&lab, DOMAIN, || tf.apply());
    o?;
    never_bogus(&seen, Verdict::Insecure, "disable");
    assert!(registrar_key_ids(&lab).is_empty());
    let s = tf.resource("r53_delegation.d")?;
    assert_eq!(s["dnssec"], "insecure", "{s}");
    assert_eq!(strings(&s["published_ds"]), Vec::<String>::new());
    tf.write(&both_roles(&arn, false, Some("[]"), None))?;
    let (o, seen) = watching(&lab, DOMAIN, || tf.apply());
    o?;
    never_bogus(&seen, Verdict::Insecure, "signing off");
    tf.assert_plan_empty()?;

    let o = tf.destroy()?;
    assert_eq!(o.code, 0, "{}", o.text());
    Ok(())
}

const EXT: &str = "ext-signed-e2e.test";

fn external(arn: &str, wait: bool) -> String {
    format!(
        r#"{HEADER}
resource "r53_hosted_zone" "z" {{
  name = "{EXT}"
}}
resource "r53_key_signing_key" "k" {{
  hosted_zone_id = r53_hosted_zone.z.zone_id
  name           = "ext_ksk"
  kms_key_arn    = "{arn}"
}}
resource "r53_hosted_zone_dnssec" "s" {{
  hosted_zone_id = r53_key_signing_key.k.hosted_zone_id
}}
resource "r53_delegation" "d" {{
  domain              = "{EXT}"
  registrar           = "external"
  name_servers        = r53_hosted_zone.z.name_servers
  dnssec_keys         = [r53_key_signing_key.k.dnskey_record]
  dnssec_max_ttl      = 1
  wait_for_delegation = {wait}
  depends_on          = [r53_hosted_zone_dnssec.s]
}}
"#
    )
}

#[test]
fn delegation_dnssec_external_prints_the_ds_and_completes_once_published() -> anyhow::Result<()> {
    let lab = lab();
    lab.registry.set_publish_delay(Duration::ZERO);
    lab.registry.set_delegation_ttl(2);
    let arn = lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53)?;
    let tf = lab.terraform(TfBin::Lib)?;

    // The zone first, then the other registrar delegates to it.
    tf.write(&external(&arn, false))?;
    apply_target(&tf, "r53_hosted_zone.z")?;
    let ns = strings(&tf.resource("r53_hosted_zone.z")?["name_servers"]);
    let refs: Vec<(&str, &[&str])> = ns.iter().map(|n| (n.as_str(), &[][..])).collect();
    lab.registry.delegate(EXT, &refs);

    // Signed, DS not entered: the apply says exactly what to enter, and it is still insecure.
    let o = tf.apply()?;
    let k = tf.resource("r53_key_signing_key.k")?;
    let ds = attr(&k, "ds_record");
    let text = o.text().split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("enter the DS at the registrar"), "{text}");
    assert!(text.contains(&ds), "{text}");
    let s = tf.resource("r53_delegation.d")?;
    assert_eq!(strings(&s["ds_records"]), vec![ds.clone()]);
    assert_eq!(s["dnssec"], "insecure", "{s}");
    assert_eq!(
        lab.validate(EXT, RecordType::SOA)?.verdict,
        Verdict::Insecure
    );

    // Waiting for it: the registry publishes what was printed, and the apply completes secure.
    tf.write(&external(&arn, true))?;
    let (o, seen) = watching(&lab, EXT, || {
        std::thread::scope(|s| {
            let apply = s.spawn(|| tf.apply());
            lab.registry.set_ds(EXT, &[ds.as_str()]);
            apply.join().expect("apply thread")
        })
    });
    o?;
    never_bogus(&seen, Verdict::Secure, "external publish");
    let s = tf.resource("r53_delegation.d")?;
    assert_eq!(s["dnssec"], "secure", "{s}");
    assert_eq!(strings(&s["published_ds"]), vec![ds]);
    tf.assert_plan_empty()?;
    Ok(())
}
