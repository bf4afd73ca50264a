//! Route 53's DNSSEC API as the lab answers it, through the real aws-sdk-route53 client against
//! the proxy (moto behind it, moto's KMS holding the keys). Each test starts its own lab.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_route53 as r53;
use hickory_proto::dnssec::PublicKey;
use r53::error::ProvideErrorMetadata;
use r53::types::{HostedZoneConfig, KeySigningKey, Vpc, VpcRegion};

use super::control::KmsPolicy;
use super::ParentView;
use crate::{Lab, ProxyConfig};

fn lab() -> Lab {
    Lab::start_with(ProxyConfig::default()).expect("start lab (R53_VENV)")
}

fn sdk(lab: &Lab) -> r53::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let conf = lab.rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(lab.endpoint())
            .credentials_provider(r53::config::Credentials::new(
                "testing", "testing", None, None, "lab",
            ))
            .load(),
    );
    r53::Client::new(&conf)
}

/// Creates a public zone; its ID (without /hostedzone/) and its four name servers.
fn zone(lab: &Lab, c: &r53::Client, name: &str) -> (String, Vec<String>) {
    let o = lab
        .rt
        .block_on(
            c.create_hosted_zone()
                .name(name)
                .caller_reference(format!("ref-{name}"))
                .send(),
        )
        .expect("create zone");
    let id = o
        .hosted_zone()
        .unwrap()
        .id()
        .trim_start_matches("/hostedzone/")
        .to_string();
    let ns = o
        .delegation_set()
        .unwrap()
        .name_servers()
        .iter()
        .map(|n| n.trim_end_matches('.').to_string())
        .collect();
    (id, ns)
}

type Res<T> = Result<T, (String, String)>;

/// Route 53's error code and message.
fn code<T, E: ProvideErrorMetadata>(r: Result<T, E>) -> Res<T> {
    r.map_err(|e| {
        (
            e.code().unwrap_or("?").to_string(),
            e.message().unwrap_or_default().to_string(),
        )
    })
}

fn refused<T: std::fmt::Debug>(r: Res<T>, want: &str) -> String {
    match r {
        Err((c, m)) => {
            assert_eq!(c, want, "{m}");
            m
        }
        Ok(v) => panic!("expected {want}, got {v:?}"),
    }
}

fn create_ksk(
    lab: &Lab,
    c: &r53::Client,
    zone: &str,
    name: &str,
    arn: &str,
    status: &str,
) -> Res<KeySigningKey> {
    code(
        lab.rt.block_on(
            c.create_key_signing_key()
                .caller_reference(format!("ksk-{}", rand::random::<u32>()))
                .hosted_zone_id(zone)
                .name(name)
                .key_management_service_arn(arn)
                .status(status)
                .send(),
        ),
    )
    .map(|o| o.key_signing_key().cloned().expect("a KeySigningKey"))
}

/// (ServeSignature, StatusMessage, KSKs by name → (status, status message)).
fn dnssec(lab: &Lab, c: &r53::Client, zone: &str) -> (String, Option<String>, Vec<KeySigningKey>) {
    let o = lab
        .rt
        .block_on(c.get_dnssec().hosted_zone_id(zone).send())
        .expect("GetDNSSEC");
    let s = o.status().unwrap();
    (
        s.serve_signature().unwrap_or_default().to_string(),
        s.status_message().map(str::to_string),
        o.key_signing_keys().to_vec(),
    )
}

fn statuses(lab: &Lab, c: &r53::Client, zone: &str) -> (String, Vec<(String, String)>) {
    let (serve, _, ksks) = dnssec(lab, c, zone);
    (
        serve,
        ksks.iter()
            .map(|k| {
                (
                    k.name().unwrap_or_default().to_string(),
                    k.status().unwrap_or_default().to_string(),
                )
            })
            .collect(),
    )
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn activate(lab: &Lab, c: &r53::Client, zone: &str, name: &str) -> Res<String> {
    code(
        lab.rt.block_on(
            c.activate_key_signing_key()
                .hosted_zone_id(zone)
                .name(name)
                .send(),
        ),
    )
    .map(|o| o.change_info().unwrap().id().to_string())
}

fn deactivate(lab: &Lab, c: &r53::Client, zone: &str, name: &str) -> Res<String> {
    code(
        lab.rt.block_on(
            c.deactivate_key_signing_key()
                .hosted_zone_id(zone)
                .name(name)
                .send(),
        ),
    )
    .map(|o| o.change_info().unwrap().id().to_string())
}

fn delete(lab: &Lab, c: &r53::Client, zone: &str, name: &str) -> Res<String> {
    code(
        lab.rt.block_on(
            c.delete_key_signing_key()
                .hosted_zone_id(zone)
                .name(name)
                .send(),
        ),
    )
    .map(|o| o.change_info().unwrap().id().to_string())
}

fn enable(lab: &Lab, c: &r53::Client, zone: &str) -> Res<String> {
    code(
        lab.rt
            .block_on(c.enable_hosted_zone_dnssec().hosted_zone_id(zone).send()),
    )
    .map(|o| o.change_info().unwrap().id().to_string())
}

fn disable(lab: &Lab, c: &r53::Client, zone: &str) -> Res<String> {
    code(
        lab.rt
            .block_on(c.disable_hosted_zone_dnssec().hosted_zone_id(zone).send()),
    )
    .map(|o| o.change_info().unwrap().id().to_string())
}

fn change_status(lab: &Lab, c: &r53::Client, id: &str) -> String {
    lab.rt
        .block_on(c.get_change().id(id).send())
        .expect("GetChange")
        .change_info()
        .unwrap()
        .status()
        .as_str()
        .to_string()
}

#[test]
fn a_ksk_publishes_route53s_fields_and_changes_go_insync() {
    let lab = lab();
    // Ten minutes: every change made now is PENDING when first asked, whatever the pace.
    lab.proxy.set_config(ProxyConfig {
        pending_ms: 600_000,
        ..Default::default()
    });
    let c = sdk(&lab);
    let (zone_id, _) = zone(&lab, &c, "fields.example");
    let arn = lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53).unwrap();
    let out = lab
        .rt
        .block_on(
            c.create_key_signing_key()
                .caller_reference("fields-1")
                .hosted_zone_id(&zone_id)
                .name("ksk_1")
                .key_management_service_arn(&arn)
                .status("ACTIVE")
                .send(),
        )
        .expect("CreateKeySigningKey");
    assert_eq!(
        out.location(),
        format!("https://route53.amazonaws.com/2013-04-01/keysigningkey/{zone_id}/ksk_1")
    );
    let k = out.key_signing_key().unwrap();
    assert_eq!(k.name(), Some("ksk_1"));
    assert_eq!(k.kms_arn(), Some(arn.as_str()));
    assert_eq!(k.flag(), 257);
    assert_eq!(k.signing_algorithm_mnemonic(), Some("ECDSAP256SHA256"));
    assert_eq!(k.signing_algorithm_type(), 13);
    assert_eq!(k.digest_algorithm_mnemonic(), Some("SHA-256"));
    assert_eq!(k.digest_algorithm_type(), 2);
    assert_eq!(k.status(), Some("ACTIVE"));
    assert!(k.created_date().is_some() && k.last_modified_date().is_some());
    let public = data_encoding::BASE64
        .decode(k.public_key().unwrap().as_bytes())
        .unwrap();
    assert_eq!(public.len(), 64);
    assert_eq!(
        k.dnskey_record(),
        Some(format!("257 3 13 {}", k.public_key().unwrap()).as_str())
    );
    // The DS by the zone crate's own RFC 4034 function, from the DNSKEY alone.
    let ds = r53_zone::dnskey::ds_record(
        &r53_zone::Name::parse("fields.example").unwrap(),
        k.dnskey_record().unwrap(),
        r53_zone::dnskey::DsDigest::Sha256,
    )
    .unwrap();
    assert_eq!(k.ds_record(), Some(ds.as_str()));
    assert_eq!(
        ds,
        format!("{} 13 2 {}", k.key_tag(), k.digest_value().unwrap())
    );
    // hickory's key tag of the same DNSKEY.
    let key: [u8; 64] = public.try_into().unwrap();
    assert_eq!(
        r53_zone::ksk::dnskey(&key).calculate_key_tag().unwrap(),
        k.key_tag() as u16
    );

    // The change is the proxy's own: PENDING, then INSYNC once pending_ms is over.
    let change = out.change_info().unwrap().id().to_string();
    assert!(change.starts_with("/change/CLAB"), "{change}");
    assert_eq!(change_status(&lab, &c, &change), "PENDING");
    let enabled = enable(&lab, &c, &zone_id).unwrap();
    assert_ne!(enabled, change, "each change has its own ID");
    assert_eq!(change_status(&lab, &c, &enabled), "PENDING");
    lab.proxy.set_config(ProxyConfig::default());
    assert_eq!(change_status(&lab, &c, &change), "INSYNC");
    assert_eq!(change_status(&lab, &c, &enabled), "INSYNC");

    // GetDNSSEC shows the same KSK, signing.
    let (serve, message, ksks) = dnssec(&lab, &c, &zone_id);
    assert_eq!((serve.as_str(), message), ("SIGNING", None));
    assert_eq!(ksks.len(), 1);
    assert_eq!(ksks[0].ds_record(), k.ds_record());
    assert_eq!(ksks[0].key_tag(), k.key_tag());

    // What the name servers get: the ZSK and the ACTIVE KSK's DNSKEY, whose public key verifies
    // kms_sign's r||s signatures.
    let d = lab.proxy.dnssec();
    let signing = d.signing(&zone_id).expect("signing");
    assert!(d.signing(&format!("/hostedzone/{zone_id}")).is_some());
    hickory_proto::dnssec::crypto::EcdsaSigningKey::from_pkcs8(
        &(*signing.zsk_pkcs8).clone().into(),
        hickory_proto::dnssec::Algorithm::ECDSAP256SHA256,
    )
    .expect("the ZSK is PKCS#8 P-256");
    assert_eq!(signing.ksks.len(), 1);
    let (dnskey, ksk_arn) = &signing.ksks[0];
    assert_eq!(ksk_arn, &arn);
    assert_eq!(dnskey.calculate_key_tag().unwrap(), k.key_tag() as u16);
    for n in 1..=20u8 {
        let message: Vec<u8> = (0..(n as usize * 37)).map(|i| i as u8 ^ n).collect();
        let sig = lab.rt.block_on(d.kms_sign(&arn, &message)).unwrap();
        assert_eq!(sig.len(), 64);
        dnskey
            .public_key()
            .verify(&message, &sig)
            .expect("the signature verifies with the KSK's DNSKEY");
        let mut other = message.clone();
        other.push(1);
        assert!(dnskey.public_key().verify(&other, &sig).is_err());
    }
    assert!(matches!(
        lab.rt.block_on(d.kms_sign(&arn, &[])),
        Err(super::DnssecError::EmptyMessage)
    ));
    assert!(matches!(
        lab.rt.block_on(d.kms_sign(&arn, &[0; 4097])),
        Err(super::DnssecError::MessageTooLong(4097))
    ));
    assert!(matches!(
        lab.rt
            .block_on(d.kms_sign("arn:aws:kms:us-east-1:123456789012:key/none", b"x")),
        Err(super::DnssecError::UnknownKey(_))
    ));
    // The ZSK is kept across disable and enable; the version moves with every change.
    let v1 = signing.version;
    disable(&lab, &c, &zone_id).unwrap();
    assert!(d.signing(&zone_id).is_none());
    enable(&lab, &c, &zone_id).unwrap();
    let again = d.signing(&zone_id).unwrap();
    assert_eq!(again.zsk_pkcs8, signing.zsk_pkcs8);
    assert!(again.version > v1);
}

#[test]
fn ksk_states_follow_route53s_rules() {
    let lab = lab();
    let c = sdk(&lab);
    let (zone_id, _) = zone(&lab, &c, "states.example");
    let key = |_: u8| lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53).unwrap();
    let (a, b, third) = (key(1), key(2), key(3));

    // Enable needs an ACTIVE KSK; Disable of a zone without DNSSEC resources is DNSSECNotFound.
    refused(
        enable(&lab, &c, &zone_id),
        "KeySigningKeyWithActiveStatusNotFound",
    );
    refused(disable(&lab, &c, &zone_id), "DNSSECNotFound");
    create_ksk(&lab, &c, &zone_id, "ksk_a", &a, "INACTIVE").unwrap();
    refused(
        enable(&lab, &c, &zone_id),
        "KeySigningKeyWithActiveStatusNotFound",
    );
    // Disable of a zone with a KSK but not signing changes nothing and succeeds.
    disable(&lab, &c, &zone_id).unwrap();
    activate(&lab, &c, &zone_id, "ksk_a").unwrap();
    enable(&lab, &c, &zone_id).unwrap();
    assert_eq!(
        statuses(&lab, &c, &zone_id),
        ("SIGNING".into(), pairs(&[("ksk_a", "ACTIVE")]))
    );

    // Names and keys are unique per zone, two KSKs at most.
    refused(
        create_ksk(&lab, &c, &zone_id, "ksk_a", &b, "ACTIVE"),
        "KeySigningKeyAlreadyExists",
    );
    let m = refused(
        create_ksk(&lab, &c, &zone_id, "ksk_other", &a, "ACTIVE"),
        "KeySigningKeyAlreadyExists",
    );
    assert!(m.contains(&a), "{m}");
    create_ksk(&lab, &c, &zone_id, "ksk_b", &b, "INACTIVE").unwrap();
    refused(
        create_ksk(&lab, &c, &zone_id, "ksk_c", &third, "ACTIVE"),
        "TooManyKeySigningKeys",
    );
    // Another zone may use the same key.
    let (other_zone, _) = zone(&lab, &c, "other.example");
    create_ksk(&lab, &c, &other_zone, "ksk_a", &a, "ACTIVE").unwrap();

    // The only ACTIVE KSK of a signing zone stays; an ACTIVE KSK cannot be deleted.
    let m = refused(
        deactivate(&lab, &c, &zone_id, "ksk_a"),
        "KeySigningKeyInUse",
    );
    assert!(m.contains("only KSK"), "{m}");
    refused(
        delete(&lab, &c, &zone_id, "ksk_a"),
        "InvalidKeySigningKeyStatus",
    );
    // Roll over: activate b, then a can go.
    activate(&lab, &c, &zone_id, "ksk_b").unwrap();
    let d = lab.proxy.dnssec();
    let before = d.signing(&zone_id).unwrap();
    assert_eq!(before.ksks.len(), 2);
    deactivate(&lab, &c, &zone_id, "ksk_a").unwrap();
    let after = d.signing(&zone_id).unwrap();
    assert!(after.version > before.version);
    assert_eq!(after.ksks.iter().map(|k| &k.1).collect::<Vec<_>>(), [&b]);
    // Deactivating an INACTIVE KSK changes nothing.
    deactivate(&lab, &c, &zone_id, "ksk_a").unwrap();
    delete(&lab, &c, &zone_id, "ksk_a").unwrap();
    assert_eq!(
        statuses(&lab, &c, &zone_id),
        ("SIGNING".into(), pairs(&[("ksk_b", "ACTIVE")]))
    );
    refused(
        deactivate(&lab, &c, &zone_id, "ksk_a"),
        "NoSuchKeySigningKey",
    );
    refused(activate(&lab, &c, &zone_id, "nope"), "NoSuchKeySigningKey");
    refused(delete(&lab, &c, &zone_id, "nope"), "NoSuchKeySigningKey");

    // The zone cannot be deleted while it has DNSSEC resources.
    let del = |id: &str| code(lab.rt.block_on(c.delete_hosted_zone().id(id).send()));
    refused(del(&zone_id), "HostedZoneNotEmpty");
    // Disabling keeps the KSKs as they are.
    disable(&lab, &c, &zone_id).unwrap();
    assert_eq!(
        statuses(&lab, &c, &zone_id),
        ("NOT_SIGNING".into(), pairs(&[("ksk_b", "ACTIVE")]))
    );
    refused(del(&zone_id), "HostedZoneNotEmpty");
    // Not signing: the last ACTIVE KSK may be deactivated, then deleted, then the zone.
    deactivate(&lab, &c, &zone_id, "ksk_b").unwrap();
    delete(&lab, &c, &zone_id, "ksk_b").unwrap();
    assert_eq!(statuses(&lab, &c, &zone_id), ("NOT_SIGNING".into(), vec![]));
    refused(disable(&lab, &c, &zone_id), "DNSSECNotFound");
    del(&zone_id).unwrap();
    refused(
        code(
            lab.rt
                .block_on(c.get_dnssec().hosted_zone_id(&zone_id).send()),
        ),
        "NoSuchHostedZone",
    );
    // Every refusal above left the other zone alone.
    assert_eq!(
        statuses(&lab, &c, &other_zone),
        ("NOT_SIGNING".into(), pairs(&[("ksk_a", "ACTIVE")]))
    );
}

#[test]
fn requests_and_kms_keys_route53_refuses() {
    let lab = lab();
    let c = sdk(&lab);
    let (zone_id, _) = zone(&lab, &c, "refusals.example");
    let good = lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53).unwrap();

    let kms = |arn: &str| {
        refused(
            create_ksk(&lab, &c, &zone_id, "ksk_1", arn, "ACTIVE"),
            "InvalidKMSArn",
        )
    };
    let m = kms(&lab
        .create_dnssec_kms_key(KmsPolicy::WithoutRoute53)
        .unwrap());
    assert!(
        m.contains("dnssec-route53.amazonaws.com") && m.contains("kms:Sign"),
        "{m}"
    );
    assert!(
        m.contains("\"Sid\": \"Allow Route 53 DNSSEC Service\""),
        "the statement to add: {m}"
    );
    let west = lab
        .create_kms_key(
            "eu-west-1",
            "ECC_NIST_P256",
            "SIGN_VERIFY",
            KmsPolicy::AllowsRoute53,
        )
        .unwrap();
    assert!(west.contains(":eu-west-1:"), "{west}");
    assert!(kms(&west).contains("us-east-1"));
    let rsa = lab
        .create_kms_key(
            "us-east-1",
            "RSA_2048",
            "SIGN_VERIFY",
            KmsPolicy::AllowsRoute53,
        )
        .unwrap();
    assert!(kms(&rsa).contains("ECC_NIST_P256"));
    let symmetric = lab
        .create_kms_key(
            "us-east-1",
            "SYMMETRIC_DEFAULT",
            "ENCRYPT_DECRYPT",
            KmsPolicy::AllowsRoute53,
        )
        .unwrap();
    assert!(kms(&symmetric).contains("key spec SYMMETRIC_DEFAULT"));
    let disabled = lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53).unwrap();
    lab.set_kms_key_enabled(&disabled, false).unwrap();
    assert!(kms(&disabled).contains("Disabled"));
    let missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000";
    assert!(kms(missing).contains("does not exist"));
    assert!(kms("arn:aws:kms:us-east-1:123456789012:alias/dnssec").contains("not a KMS key ARN"));

    let name = |n: &str| create_ksk(&lab, &c, &zone_id, n, &good, "ACTIVE");
    refused(name("ab"), "InvalidKeySigningKeyName");
    refused(name("bad-name"), "InvalidKeySigningKeyName");
    refused(name(&"k".repeat(129)), "InvalidKeySigningKeyName");
    refused(
        create_ksk(&lab, &c, &zone_id, "ksk_1", &good, "ENABLED"),
        "InvalidKeySigningKeyStatus",
    );
    refused(
        create_ksk(&lab, &c, "ZNOSUCHZONE", "ksk_1", &good, "ACTIVE"),
        "NoSuchHostedZone",
    );
    refused(
        code(
            lab.rt
                .block_on(c.get_dnssec().hosted_zone_id("ZNOSUCHZONE").send()),
        ),
        "NoSuchHostedZone",
    );
    refused(enable(&lab, &c, "ZNOSUCHZONE"), "NoSuchHostedZone");

    // Private zones have no DNSSEC.
    let net = lab.rt.block_on(lab.moto.create_network(7, 1)).unwrap();
    let private = lab
        .rt
        .block_on(
            c.create_hosted_zone()
                .name("private.example")
                .caller_reference("private")
                .vpc(
                    Vpc::builder()
                        .vpc_id(&net.vpc_id)
                        .vpc_region(VpcRegion::UsEast1)
                        .build(),
                )
                .hosted_zone_config(HostedZoneConfig::builder().private_zone(true).build())
                .send(),
        )
        .expect("private zone");
    let private_id = private
        .hosted_zone()
        .unwrap()
        .id()
        .trim_start_matches("/hostedzone/")
        .to_string();
    refused(
        create_ksk(&lab, &c, &private_id, "ksk_1", &good, "ACTIVE"),
        "InvalidArgument",
    );
    refused(enable(&lab, &c, &private_id), "InvalidArgument");
    // Nothing refused above left a KSK behind.
    assert_eq!(statuses(&lab, &c, &zone_id), ("NOT_SIGNING".into(), vec![]));
}

#[test]
fn a_kms_key_that_stops_being_usable_needs_action() {
    let lab = lab();
    let c = sdk(&lab);
    let (zone_id, _) = zone(&lab, &c, "action.example");
    let arn = lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53).unwrap();
    create_ksk(&lab, &c, &zone_id, "ksk_1", &arn, "ACTIVE").unwrap();
    enable(&lab, &c, &zone_id).unwrap();
    let d = lab.proxy.dnssec();
    let v0 = d.signing(&zone_id).unwrap().version;

    // Disabled: moto would still sign, the lab does not.
    lab.set_kms_key_enabled(&arn, false).unwrap();
    let err = lab.rt.block_on(d.kms_sign(&arn, b"x")).unwrap_err();
    assert!(err.to_string().contains("Disabled"), "{err}");
    let signing = d.signing(&zone_id).unwrap();
    assert!(signing.ksks.is_empty() && signing.version > v0);
    let (serve, message, ksks) = dnssec(&lab, &c, &zone_id);
    assert_eq!(serve, "ACTION_NEEDED");
    assert!(message.is_some());
    assert_eq!(ksks[0].status(), Some("ACTION_NEEDED"));
    assert!(ksks[0].status_message().unwrap().contains("Disabled"));
    refused(activate(&lab, &c, &zone_id, "ksk_1"), "InvalidKMSArn");

    // Usable again: back to ACTIVE and SIGNING at the next look, and it signs.
    lab.set_kms_key_enabled(&arn, true).unwrap();
    assert_eq!(
        statuses(&lab, &c, &zone_id),
        ("SIGNING".into(), pairs(&[("ksk_1", "ACTIVE")]))
    );
    assert_eq!(d.signing(&zone_id).unwrap().ksks.len(), 1);
    lab.rt.block_on(d.kms_sign(&arn, b"x")).unwrap();

    // A policy that no longer lets Route 53 use the key.
    lab.set_kms_key_policy(&arn, KmsPolicy::WithoutRoute53)
        .unwrap();
    let (serve, _, ksks) = dnssec(&lab, &c, &zone_id);
    assert_eq!(serve, "ACTION_NEEDED");
    assert!(ksks[0].status_message().unwrap().contains("kms:Sign"));
    lab.set_kms_key_policy(&arn, KmsPolicy::AllowsRoute53)
        .unwrap();
    assert_eq!(statuses(&lab, &c, &zone_id).0, "SIGNING");

    // Pending deletion.
    lab.schedule_kms_key_deletion(&arn).unwrap();
    let (serve, _, ksks) = dnssec(&lab, &c, &zone_id);
    assert_eq!(serve, "ACTION_NEEDED");
    assert!(ksks[0]
        .status_message()
        .unwrap()
        .contains("PendingDeletion"));
    assert!(lab.rt.block_on(d.kms_sign(&arn, b"x")).is_err());
    // An INACTIVE KSK shows INACTIVE whatever its key: disable signing, then deactivate it.
    disable(&lab, &c, &zone_id).unwrap();
    deactivate(&lab, &c, &zone_id, "ksk_1").unwrap();
    assert_eq!(
        statuses(&lab, &c, &zone_id),
        ("NOT_SIGNING".into(), pairs(&[("ksk_1", "INACTIVE")]))
    );
}

/// A parent whose DS and NS the test sets.
#[derive(Default)]
struct FakeParent {
    ds: Mutex<HashMap<String, Vec<String>>>,
    ns: Mutex<HashMap<String, Vec<String>>>,
}

#[async_trait::async_trait]
impl ParentView for FakeParent {
    async fn ds(&self, zone: &str) -> Vec<String> {
        self.ds
            .lock()
            .unwrap()
            .get(zone)
            .cloned()
            .unwrap_or_default()
    }
    async fn ns(&self, zone: &str) -> Option<Vec<String>> {
        self.ns.lock().unwrap().get(zone).cloned()
    }
}

#[test]
fn the_parents_ds_and_ns_decide_what_route53_allows() {
    let lab = lab();
    let c = sdk(&lab);
    let parent = Arc::new(FakeParent::default());
    lab.proxy.dnssec().set_parent(parent.clone());
    let name = "parent.example";
    let (zone_id, ns) = zone(&lab, &c, name);
    let (a, b) = (
        lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53).unwrap(),
        lab.create_dnssec_kms_key(KmsPolicy::AllowsRoute53).unwrap(),
    );
    let ka = create_ksk(&lab, &c, &zone_id, "ksk_a", &a, "ACTIVE").unwrap();
    let kb = create_ksk(&lab, &c, &zone_id, "ksk_b", &b, "ACTIVE").unwrap();
    let set_ns = |v: Option<Vec<String>>| {
        let mut m = parent.ns.lock().unwrap();
        match v {
            Some(v) => m.insert(name.to_string(), v),
            None => m.remove(name),
        };
    };

    // Delegated to two of the zone's servers and another: partially delegated.
    let mut partial = ns[..2].to_vec();
    partial.push("ns1.elsewhere.example".into());
    set_ns(Some(partial));
    let m = refused(enable(&lab, &c, &zone_id), "HostedZonePartiallyDelegated");
    assert!(m.contains("ns1.elsewhere.example"), "{m}");
    // A subset of the zone's servers is partial too.
    set_ns(Some(ns[..3].to_vec()));
    refused(enable(&lab, &c, &zone_id), "HostedZonePartiallyDelegated");
    assert_eq!(statuses(&lab, &c, &zone_id).0, "NOT_SIGNING");
    // Delegated entirely elsewhere, or not at all, or to exactly the zone's set: allowed.
    set_ns(Some(vec!["ns1.elsewhere.example".into()]));
    enable(&lab, &c, &zone_id).unwrap();
    disable(&lab, &c, &zone_id).unwrap();
    set_ns(None);
    enable(&lab, &c, &zone_id).unwrap();
    disable(&lab, &c, &zone_id).unwrap();
    let mut reversed = ns.clone();
    reversed.reverse();
    set_ns(Some(reversed));
    enable(&lab, &c, &zone_id).unwrap();

    // The parent publishes ksk_a's DS (lower-case hex, as some parents write it).
    parent.ds.lock().unwrap().insert(
        name.to_string(),
        vec![ka.ds_record().unwrap().to_ascii_lowercase()],
    );
    let m = refused(disable(&lab, &c, &zone_id), "KeySigningKeyInParentDSRecord");
    assert!(m.contains(&ka.key_tag().to_string()), "{m}");
    refused(
        deactivate(&lab, &c, &zone_id, "ksk_a"),
        "KeySigningKeyInParentDSRecord",
    );
    // ksk_b is not in the DS set: it may go.
    deactivate(&lab, &c, &zone_id, "ksk_b").unwrap();
    // A SHA-384 DS of ksk_a counts as well.
    let sha384 = r53_zone::dnskey::ds_record(
        &r53_zone::Name::parse(name).unwrap(),
        ka.dnskey_record().unwrap(),
        r53_zone::dnskey::DsDigest::Sha384,
    )
    .unwrap();
    parent
        .ds
        .lock()
        .unwrap()
        .insert(name.to_string(), vec![sha384]);
    refused(disable(&lab, &c, &zone_id), "KeySigningKeyInParentDSRecord");
    // The parent publishes only the INACTIVE ksk_b's DS: disabling is allowed.
    parent
        .ds
        .lock()
        .unwrap()
        .insert(name.to_string(), vec![kb.ds_record().unwrap().to_string()]);
    disable(&lab, &c, &zone_id).unwrap();
    // DS gone at the parent: ksk_a may be deactivated and deleted.
    parent.ds.lock().unwrap().clear();
    deactivate(&lab, &c, &zone_id, "ksk_a").unwrap();
    delete(&lab, &c, &zone_id, "ksk_a").unwrap();
    delete(&lab, &c, &zone_id, "ksk_b").unwrap();
    assert_eq!(statuses(&lab, &c, &zone_id), ("NOT_SIGNING".into(), vec![]));
}
