//! The lab registrar's tests.
use super::*;

fn contact() -> Value {
    json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON", "AddressLine1": "1 Lab Way",
           "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA", "PhoneNumber": "+44.2071234567",
           "Email": "ada@example.org"})
}

fn fast() -> Registrar {
    Registrar::new(RegistrarConfig {
        submitted_for: Duration::from_millis(20),
        in_progress_for: Duration::from_millis(40),
        ..Default::default()
    })
}

fn wait(r: &Registrar, id: &Value) -> Value {
    for _ in 0..100 {
        let d = r
            .handle("GetOperationDetail", &json!({"OperationId": id}))
            .unwrap();
        if d["Status"] == "SUCCESSFUL" || d["Status"] == "FAILED" {
            return d;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("operation never finished");
}

#[test]
fn registration_lands_when_its_operation_succeeds() {
    let r = fast();
    let body = json!({"DomainName": "lab-one.test", "DurationInYears": 1, "AdminContact": contact(),
                      "RegistrantContact": contact(), "TechContact": contact()});
    let op = r.handle("RegisterDomain", &body).unwrap();
    let st = r
        .handle(
            "GetOperationDetail",
            &json!({"OperationId": op["OperationId"]}),
        )
        .unwrap();
    assert_eq!(st["Status"], "SUBMITTED");
    assert_eq!(
        r.handle("GetDomainDetail", &json!({"DomainName": "lab-one.test"}))
            .unwrap_err()
            .code,
        "InvalidInput"
    );
    assert_eq!(wait(&r, &op["OperationId"])["Status"], "SUCCESSFUL");
    let d = r
        .handle("GetDomainDetail", &json!({"DomainName": "lab-one.test"}))
        .unwrap();
    assert_eq!(d["AutoRenew"], true);
    assert_eq!(d["StatusList"][0], "clientTransferProhibited");
    let avail = r
        .handle(
            "CheckDomainAvailability",
            &json!({"DomainName": "lab-one.test"}),
        )
        .unwrap();
    assert_eq!(avail["Availability"], "UNAVAILABLE");
}

#[test]
fn bad_input_gets_aws_error_codes() {
    let r = fast();
    let e = r
        .handle(
            "CheckDomainAvailability",
            &json!({"DomainName": "x.nosuchtld"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "UnsupportedTLD");
    let mut c = contact();
    c["PhoneNumber"] = json!("020 7123 4567");
    let e = r
        .handle("RegisterDomain", &json!({"DomainName": "a.test", "DurationInYears": 1, "AdminContact": c,
                                          "RegistrantContact": contact(), "TechContact": contact()}))
        .unwrap_err();
    assert!(e.message.contains("+CC.NUMBER"), "{e:?}");
    let e = r
        .handle(
            "RegisterDomain",
            &json!({"DomainName": "a.test", "DurationInYears": 11}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidInput");
    let reg = |name: &str| {
        r.handle("RegisterDomain", &json!({"DomainName": name, "DurationInYears": 1, "AdminContact": contact(),
                                           "RegistrantContact": contact(), "TechContact": contact()}))
    };
    assert_eq!(reg("a.test").unwrap_err().code, "TLDRulesViolation");
    // Slow operations pile up until the account's limit.
    let slow = Registrar::new(RegistrarConfig {
        submitted_for: Duration::from_secs(60),
        ..Default::default()
    });
    for i in 0..MAX_PENDING_OPERATIONS {
        slow.handle(
            "RegisterDomain",
            &json!({"DomainName": format!("pile{i}.test"), "DurationInYears": 1,
            "AdminContact": contact(), "RegistrantContact": contact(), "TechContact": contact()}),
        )
        .unwrap();
    }
    let e = slow
        .handle(
            "RegisterDomain",
            &json!({"DomainName": "onemore.test", "DurationInYears": 1,
            "AdminContact": contact(), "RegistrantContact": contact(), "TechContact": contact()}),
        )
        .unwrap_err();
    assert_eq!(e.code, "OperationLimitExceeded");
}

/// The states an operation passes through, each held long enough to be seen on any machine
/// (the e2e test only checks their order: a loaded machine can poll past a short one).
#[test]
fn operations_report_submitted_then_in_progress() {
    let status = |submitted_for: u64, in_progress_for: u64| {
        let r = Registrar::new(RegistrarConfig {
            submitted_for: Duration::from_secs(submitted_for),
            in_progress_for: Duration::from_secs(in_progress_for),
            ..Default::default()
        });
        let op = r
            .handle("RegisterDomain", &json!({"DomainName": "states.test", "DurationInYears": 1,
                "AdminContact": contact(), "RegistrantContact": contact(), "TechContact": contact()}))
            .unwrap();
        r.handle(
            "GetOperationDetail",
            &json!({"OperationId": op["OperationId"]}),
        )
        .unwrap()["Status"]
            .clone()
    };
    assert_eq!(status(600, 600), "SUBMITTED");
    assert_eq!(status(0, 600), "IN_PROGRESS");
    assert_eq!(status(0, 0), "SUCCESSFUL");
}

#[test]
fn injected_failure_reports_its_message_and_changes_nothing() {
    let r = fast();
    let body = json!({"DomainName": "lab-two.test", "DurationInYears": 2, "AdminContact": contact(),
                      "RegistrantContact": contact(), "TechContact": contact()});
    wait(
        &r,
        &r.handle("RegisterDomain", &body).unwrap()["OperationId"],
    );
    r.fail_next(
        "UPDATE_NAMESERVER",
        "The registry refused the name servers.",
    );
    let op = r
        .handle(
            "UpdateDomainNameservers",
            &json!({"DomainName": "lab-two.test",
                 "Nameservers": [{"Name": "ns1.elsewhere.net"}, {"Name": "ns2.elsewhere.net"}]}),
        )
        .unwrap();
    let d = wait(&r, &op["OperationId"]);
    assert_eq!(d["Status"], "FAILED");
    assert_eq!(d["Message"], "The registry refused the name servers.");
    assert_eq!(r.nameservers("lab-two.test").unwrap().len(), 4);
    // Glue only in bailiwick, and required there.
    let e = r
        .handle(
            "UpdateDomainNameservers",
            &json!({"DomainName": "lab-two.test",
                 "Nameservers": [{"Name": "ns1.lab-two.test"}]}),
        )
        .unwrap_err();
    assert!(e.message.contains("needs glue"), "{e:?}");
}

fn p256(seed: u8) -> String {
    data_encoding::BASE64.encode(&[seed; 64])
}

fn key(seed: u8) -> Value {
    json!({"Algorithm": 13, "Flags": 257, "PublicKey": p256(seed)})
}

/// A registrar with `ds.test` registered long ago.
fn with_domain() -> Registrar {
    let r = fast();
    r.add_registered("ds.test", contact(), &["ns1.host.net"]);
    r
}

fn associate(r: &Registrar, attrs: Value) -> Result<Value, ApiError> {
    r.handle(
        "AssociateDelegationSignerToDomain",
        &json!({"DomainName": "ds.test", "SigningAttributes": attrs}),
    )
}

fn keys(r: &Registrar) -> Vec<Value> {
    r.handle("GetDomainDetail", &json!({"DomainName": "ds.test"}))
        .unwrap()
        .get("DnssecKeys")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_ds_key_lands_when_its_operation_succeeds_and_leaves_by_its_id() {
    let r = with_domain();
    assert!(keys(&r).is_empty());
    let op = associate(&r, key(1)).unwrap();
    // Not there while the operation runs; a second add for the domain meanwhile is a duplicate.
    assert!(keys(&r).is_empty());
    assert_eq!(associate(&r, key(2)).unwrap_err().code, "DuplicateRequest");
    let done = wait(&r, &op["OperationId"]);
    assert_eq!(done["Status"], "SUCCESSFUL");
    assert_eq!(done["Type"], "ADD_DNSSEC");
    let k = keys(&r);
    assert_eq!(k.len(), 1);
    let expected = r53_zone::dnskey::ds_parts(
        &r53_zone::Name::parse("ds.test").unwrap(),
        257,
        13,
        &p256(1),
        r53_zone::dnskey::DsDigest::Sha256,
    )
    .unwrap();
    assert_eq!(k[0]["KeyTag"], expected.key_tag);
    assert_eq!(k[0]["Digest"], expected.digest.as_str());
    assert_eq!(
        k[0]["Id"],
        format!("DS:{}-13-2-{}", expected.key_tag, expected.digest).as_str()
    );
    // The same key again is refused.
    let e = associate(&r, key(1)).unwrap_err();
    assert_eq!(e.code, "InvalidInput");
    assert!(e.message.contains("already associated"), "{e:?}");
    // An unknown Id is refused; the listed one removes the key.
    let e = r
        .handle(
            "DisassociateDelegationSignerFromDomain",
            &json!({"DomainName": "ds.test", "Id": "DS:1-13-2-00"}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidInput");
    let op = r
        .handle(
            "DisassociateDelegationSignerFromDomain",
            &json!({"DomainName": "ds.test", "Id": k[0]["Id"]}),
        )
        .unwrap();
    let done = wait(&r, &op["OperationId"]);
    assert_eq!(done["Type"], "REMOVE_DNSSEC");
    assert_eq!(done["Status"], "SUCCESSFUL");
    assert!(keys(&r).is_empty());
}

#[test]
fn bad_keys_and_unknown_domains_get_invalid_input() {
    let r = with_domain();
    for bad in [
        json!({"Algorithm": 3, "Flags": 257, "PublicKey": p256(1)}),
        json!({"Algorithm": 13, "Flags": 385, "PublicKey": p256(1)}),
        json!({"Algorithm": 13, "Flags": 257, "PublicKey": "not base64!"}),
        json!({"Algorithm": 15, "Flags": 257, "PublicKey": p256(1)}),
    ] {
        assert_eq!(associate(&r, bad).unwrap_err().code, "InvalidInput");
    }
    let e = r
        .handle(
            "AssociateDelegationSignerToDomain",
            &json!({"DomainName": "nobody.test", "SigningAttributes": key(1)}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidInput");
    // A refused request starts no operation.
    let ops = r.handle("ListOperations", &json!({})).unwrap();
    assert_eq!(ops["Operations"].as_array().unwrap().len(), 0);
}

#[test]
fn the_ninth_key_exceeds_the_limit() {
    let r = with_domain();
    for i in 0..ds::MAX_DS_KEYS {
        let op = associate(&r, key(i as u8 + 1)).unwrap();
        assert_eq!(wait(&r, &op["OperationId"])["Status"], "SUCCESSFUL");
    }
    assert_eq!(keys(&r).len(), ds::MAX_DS_KEYS);
    let e = associate(&r, key(100)).unwrap_err();
    assert_eq!(e.code, "DnssecLimitExceeded");
}

#[test]
fn an_injected_failure_adds_no_key() {
    let r = with_domain();
    r.fail_next("ADD_DNSSEC", "Parameters in request are not valid");
    let op = associate(&r, key(1)).unwrap();
    let d = wait(&r, &op["OperationId"]);
    assert_eq!(d["Status"], "FAILED");
    assert_eq!(d["Message"], "Parameters in request are not valid");
    assert!(keys(&r).is_empty());
    assert_eq!(r.published_ds("ds.test", Duration::ZERO), Some(vec![]));
}

#[test]
fn get_domain_detail_writes_keys_in_the_chosen_shape() {
    let r = with_domain();
    let op = associate(&r, key(7)).unwrap();
    wait(&r, &op["OperationId"]);
    let one = |shape| {
        r.set_dnssec_key_shape(shape);
        let k = keys(&r);
        assert_eq!(k.len(), 1);
        k[0].clone()
    };
    let legacy = one(DnssecKeyShape::Legacy);
    let digest = legacy["Digest"].as_str().unwrap().to_string();
    assert_eq!(legacy["Id"], digest.as_str());
    assert_eq!(legacy["PublicKey"], p256(7));
    assert_eq!(legacy["Flags"], 257);
    assert_eq!(legacy["Algorithm"], 13);
    let new = one(DnssecKeyShape::Shape2026);
    assert!(new["Id"].as_str().unwrap().starts_with("DS:"));
    assert!(new.get("PublicKey").is_none() && new.get("Flags").is_none());
    assert_eq!(new["Algorithm"], 13);
    let bare = one(DnssecKeyShape::Shape2026NoAlgorithm);
    assert!(bare.get("Algorithm").is_none());
    assert_eq!(bare["Digest"], digest.as_str());
    let numeric = one(DnssecKeyShape::Shape2026Numeric);
    let id = numeric["Id"].as_str().unwrap().to_string();
    assert!(id.chars().all(|c| c.is_ascii_digit()), "{id}");
    // Disassociation takes the Id of the shape in force.
    let e = r
        .handle(
            "DisassociateDelegationSignerFromDomain",
            &json!({"DomainName": "ds.test", "Id": new["Id"]}),
        )
        .unwrap_err();
    assert_eq!(e.code, "InvalidInput");
    let op = r
        .handle(
            "DisassociateDelegationSignerFromDomain",
            &json!({"DomainName": "ds.test", "Id": id}),
        )
        .unwrap();
    assert_eq!(wait(&r, &op["OperationId"])["Status"], "SUCCESSFUL");
    assert!(keys(&r).is_empty());
}

/// The registry publishes the registrar's DS set after its delay, over DNS.
#[tokio::test]
async fn the_registry_publishes_registrar_ds_after_its_delay() {
    use hickory_proto::rr::{RData, RecordType};
    let r = std::sync::Arc::new(with_domain());
    let reg = crate::registry::Registry::start(r.clone(), &["test"])
        .await
        .unwrap();
    let delay = Duration::from_millis(400);
    reg.set_publish_delay(delay);
    let op = associate(&r, key(9)).unwrap();
    wait(&r, &op["OperationId"]);
    let landed = Instant::now();
    let want = r.published_ds("ds.test", Duration::ZERO).unwrap();
    assert_eq!(want.len(), 1);
    let ds_answer = || async {
        let m = crate::registry::ask(reg.addr, "ds.test", RecordType::DS)
            .await
            .unwrap();
        m.answers()
            .iter()
            .filter_map(|a| match a.data() {
                RData::DNSSEC(hickory_proto::dnssec::rdata::DNSSECRData::DS(ds)) => Some(format!(
                    "{} {} {} {}",
                    ds.key_tag(),
                    u8::from(ds.algorithm()),
                    u8::from(ds.digest_type()),
                    data_encoding::HEXUPPER.encode(ds.digest())
                )),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    // Before the delay has passed the registry still publishes no DS.
    let before = ds_answer().await;
    if landed.elapsed() < delay {
        assert!(before.is_empty(), "{before:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = ds_answer().await;
        if got == want {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "registry DS {got:?}, want {want:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(landed.elapsed() >= delay);
    // The tests' own DS entry wins over the registrar's.
    let mine = format!("1 13 2 {}", "AB".repeat(32));
    reg.set_ds("ds.test", &[mine.as_str()]);
    assert_eq!(ds_answer().await, [mine]);
}
