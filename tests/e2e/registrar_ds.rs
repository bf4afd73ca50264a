//! DNSSEC keys on r53_registered_domain through real Terraform against the lab registrar, with a
//! Knot-signed zone as the domain's DNS host: create with the zone's KSK → add a second key →
//! remove it → out-of-band removal repaired → import with every DnssecKeys shape Route 53 Domains
//! has used (2026's has no public key: it is read from the zone's DNSKEY over DNS) compares whole
//! states and plans empty → destroy keeps the keys; the registry publishes the DS over DNS.

use std::time::{Duration, Instant};

use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::rr::{RData, RecordType};
use r53_lab::domains::DnssecKeyShape;
use r53_lab::knot::LabZone;
use r53_lab::OLD_HOST_NS;
use r53_tests::*;

const DOMAIN: &str = "ds-e2e.test";

/// A second (standby) ECDSA P-256 key the zone does not serve: 64 bytes, deterministic.
fn standby_key() -> String {
    use base64::Engine as _;
    let bytes: Vec<u8> = (0u8..64)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn config(keys: &[(u16, u8, &str)]) -> String {
    config_for(DOMAIN, &OLD_HOST_NS, keys)
}

fn config_for(domain: &str, ns: &[&str], keys: &[(u16, u8, &str)]) -> String {
    let ns: String = ns
        .iter()
        .map(|n| format!("  name_server {{\n    name = \"{n}\"\n  }}\n"))
        .collect();
    let blocks: String = keys
        .iter()
        .map(|(f, a, k)| {
            format!(
                "  dnssec_key {{\n    flags      = {f}\n    algorithm  = {a}\n    public_key = \"{k}\"\n  }}\n"
            )
        })
        .collect();
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}
resource "r53_registered_domain" "d" {{
  domain_name = "{domain}"
{ns}{blocks}}}
"#
    )
}

/// The registrar's keys as (key tag, digest upper-case), sorted, and their Ids.
fn registrar_keys(lab: &Lab) -> (Vec<(i32, String)>, Vec<String>) {
    let d = lab
        .rt
        .block_on(
            domains_sdk(lab)
                .get_domain_detail()
                .domain_name(DOMAIN)
                .send(),
        )
        .expect("GetDomainDetail");
    let mut keys: Vec<(i32, String)> = d
        .dnssec_keys()
        .iter()
        .map(|k| {
            (
                k.key_tag().unwrap_or_default(),
                k.digest().unwrap_or_default().to_ascii_uppercase(),
            )
        })
        .collect();
    keys.sort();
    let ids = d
        .dnssec_keys()
        .iter()
        .filter_map(|k| k.id().map(str::to_string))
        .collect();
    (keys, ids)
}

/// Polls the lab registry over DNS until its DS answer for the domain is `want` (sorted RDATA).
fn wait_for_registry_ds(lab: &Lab, want: &[String]) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let m = lab
            .rt
            .block_on(r53_lab::registry::ask(
                lab.registry.addr,
                DOMAIN,
                RecordType::DS,
            ))
            .expect("DS query to the lab registry");
        let mut got: Vec<String> = m
            .answers()
            .iter()
            .filter_map(|r| match r.data() {
                RData::DNSSEC(DNSSECRData::DS(ds)) => Some(format!(
                    "{} {} {} {}",
                    ds.key_tag(),
                    u8::from(ds.algorithm()),
                    u8::from(ds.digest_type()),
                    ds.digest()
                        .iter()
                        .map(|b| format!("{b:02X}"))
                        .collect::<String>()
                )),
                _ => None,
            })
            .collect();
        got.sort();
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the registry publishes DS {got:?}, not {want:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn ds_of(key: (u16, u8, &str)) -> String {
    r53_zone::dnskey::ds_parts(
        &r53_zone::Name::parse(DOMAIN).unwrap(),
        key.0,
        key.1,
        key.2,
        r53_zone::dnskey::DsDigest::Sha256,
    )
    .unwrap()
    .text()
}

fn calls(lab: &Lab, op: &str) -> u64 {
    lab.proxy.stats().calls.get(op).copied().unwrap_or(0)
}

#[test]
fn registered_domain_dnssec_keys_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    lab.registry.set_publish_delay(Duration::from_millis(300));
    let zone = "$TTL 300\n@ 3600 IN SOA ns1.old-dns.test. hostmaster.old-dns.test. 1 7200 900 1209600 300\n@ IN NS ns1.old-dns.test.\n@ IN NS ns2.old-dns.test.\nwww IN A 192.0.2.80\n".to_string();
    let _knots = lab.start_old_host(
        &[LabZone {
            name: DOMAIN.into(),
            text: zone,
            transfer: true,
            signed: true,
        }],
        None,
    )?;
    let knot = &_knots[0];
    let dnskey = knot.dnskey(DOMAIN)?;
    assert_eq!(dnskey.len(), 1, "one KSK: {dnskey:?}");
    let f: Vec<&str> = dnskey[0].split(' ').collect();
    let ksk_pk = f[3].to_string();
    let ksk = (257u16, 13u8, ksk_pk.as_str());
    assert_eq!(
        knot.ds(DOMAIN)?,
        [ds_of(ksk)],
        "Knot's DS is the one computed here"
    );
    let standby_pk = standby_key();
    let standby = (257u16, 13u8, standby_pk.as_str());

    lab.proxy
        .registrar()
        .add_registered(DOMAIN, serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace",
            "ContactType": "PERSON", "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB",
            "ZipCode": "N1 1AA", "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"}), &OLD_HOST_NS);
    let tf = lab.terraform(TfBin::Lib)?;

    // Create with the zone's KSK: its DS at the registrar, in state, and at the registry.
    tf.write(&config(&[ksk]))?;
    let p = tf.plan()?;
    assert!(
        p.stdout.contains(&ds_of(ksk)),
        "the plan shows the DS: {}",
        p.text()
    );
    tf.apply()?;
    let s = tf.resource("r53_registered_domain.d")?;
    let keys = s["dnssec_key"].as_array().expect("dnssec_key in state");
    assert_eq!(keys.len(), 1, "{s}");
    assert_eq!(keys[0]["ds_record"], ds_of(ksk));
    assert_eq!(keys[0]["digest_type"], 2);
    assert_eq!(registrar_keys(&lab).0.len(), 1);
    tf.assert_plan_empty()?;
    wait_for_registry_ds(&lab, &[ds_of(ksk)]);

    // Add a second key: one association, waited for.
    let before = calls(&lab, "AssociateDelegationSignerToDomain");
    tf.write(&config(&[ksk, standby]))?;
    let p = tf.plan()?;
    assert!(p.stdout.contains("1 to change"), "{}", p.text());
    tf.apply()?;
    assert_eq!(calls(&lab, "AssociateDelegationSignerToDomain"), before + 1);
    assert_eq!(registrar_keys(&lab).0.len(), 2);
    tf.assert_plan_empty()?;
    let mut both = vec![ds_of(ksk), ds_of(standby)];
    both.sort();
    wait_for_registry_ds(&lab, &both);

    // Remove it: one disassociation, by the Id GetDomainDetail gives.
    let before = calls(&lab, "DisassociateDelegationSignerFromDomain");
    tf.write(&config(&[ksk]))?;
    tf.apply()?;
    assert_eq!(
        calls(&lab, "DisassociateDelegationSignerFromDomain"),
        before + 1
    );
    assert_eq!(registrar_keys(&lab).0.len(), 1);
    tf.assert_plan_empty()?;
    wait_for_registry_ds(&lab, &[ds_of(ksk)]);

    // Out of band: someone removes the key in the console; the plan sees it, apply restores it.
    let (_, ids) = registrar_keys(&lab);
    let op = lab.rt.block_on(
        domains_sdk(&lab)
            .disassociate_delegation_signer_from_domain()
            .domain_name(DOMAIN)
            .id(&ids[0])
            .send(),
    )?;
    let op_id = op.operation_id().unwrap_or_default().to_string();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !registrar_keys(&lab).0.is_empty() {
        assert!(Instant::now() < deadline, "operation {op_id} never landed");
        std::thread::sleep(Duration::from_millis(200));
    }
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(p.stdout.contains("1 to change"), "{}", p.text());
    tf.apply()?;
    assert_eq!(registrar_keys(&lab).0.len(), 1);
    tf.assert_plan_empty()?;

    // Import with every shape GetDomainDetail has used: the same whole state, an empty plan.
    let before = tf.resource("r53_registered_domain.d")?;
    for shape in [
        DnssecKeyShape::Legacy,
        DnssecKeyShape::Shape2026,
        DnssecKeyShape::Shape2026NoAlgorithm,
        DnssecKeyShape::Shape2026Numeric,
    ] {
        lab.set_dnssec_key_shape(shape);
        tf.state_rm("r53_registered_domain.d")?;
        tf.import("r53_registered_domain.d", DOMAIN)?;
        let s = tf.resource("r53_registered_domain.d")?;
        assert_same_values(&format!("imported with {shape:?}"), &before, &s, &[]);
        tf.assert_plan_empty()?;
    }

    // Destroy removes it from state only: the key stays at the registrar and the registry.
    tf.destroy()?;
    assert_eq!(registrar_keys(&lab).0.len(), 1);
    wait_for_registry_ds(&lab, &[ds_of(ksk)]);
    Ok(())
}

/// The 2026 shape, no state, and a zone that does not serve the key: the import cannot know the
/// key's flags and public key, leaves them null, and the plan shows the difference.
#[test]
fn registered_domain_dnssec_key_unknown_to_the_zone_shows_in_the_plan() -> anyhow::Result<()> {
    let lab = lab();
    lab.proxy.registrar().add_registered(
        "ds-orphan-e2e.test",
        serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"}),
        &["ns.nowhere.test"],
    );
    let pk = standby_key();
    let r = lab.rt.block_on(
        domains_sdk(&lab)
            .associate_delegation_signer_to_domain()
            .domain_name("ds-orphan-e2e.test")
            .signing_attributes(
                aws_sdk_route53domains::types::DnssecSigningAttributes::builder()
                    .algorithm(13)
                    .flags(257)
                    .public_key(&pk)
                    .build(),
            )
            .send(),
    )?;
    assert!(r.operation_id().is_some());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let d = lab.rt.block_on(
            domains_sdk(&lab)
                .get_domain_detail()
                .domain_name("ds-orphan-e2e.test")
                .send(),
        )?;
        if !d.dnssec_keys().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the key never landed");
        std::thread::sleep(Duration::from_millis(200));
    }
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&config_for(
        "ds-orphan-e2e.test",
        &["ns.nowhere.test"],
        &[(257, 13, pk.as_str())],
    ))?;
    tf.import("r53_registered_domain.d", "ds-orphan-e2e.test")?;
    let s = tf.resource("r53_registered_domain.d")?;
    let k = &s["dnssec_key"][0];
    assert!(k["public_key"].is_null() && k["flags"].is_null(), "{s}");
    assert_eq!(
        k["algorithm"], 13,
        "Shape2026 still gives the algorithm: {s}"
    );
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    // Applying sends nothing (the DS is already there) and then the state is complete.
    let before = calls(&lab, "AssociateDelegationSignerToDomain");
    tf.apply()?;
    assert_eq!(calls(&lab, "AssociateDelegationSignerToDomain"), before);
    tf.assert_plan_empty()?;
    Ok(())
}
