//! The lab's signed root and TLDs, checked by an independent validator (unbound-host) over real
//! DNS: an unsigned Route 53 zone under the signed `test` TLD is insecure (the TLD proves it has no
//! DS), a DS that matches no key makes it bogus, and the TLD's own denials are secure. r53's own
//! validator (core's `Walker::validate`) must say the same at every step.

use hickory_proto::rr::RecordType;
use r53_lab::moto_api::MOTO_ROUTE53_AUTH;
use r53_lab::validator::Verdict;
use r53_lab::Lab;

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";

async fn call(lab: &str, method: &str, path: &str, body: String) -> (u16, String) {
    use bytes::Bytes;
    use http_body_util::{BodyExt, Full};
    let client: hyper_util::client::legacy::Client<_, Full<Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let req = hyper::Request::builder()
        .method(method)
        .uri(format!("{lab}{path}"))
        .header("authorization", MOTO_ROUTE53_AUTH)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A public zone with one A record, delegated from `test` to its lab delegation set; its id.
fn zone(lab: &Lab, name: &str) -> String {
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let (status, body) = call(&url, "POST", "/2013-04-01/hostedzone", format!("<CreateHostedZoneRequest xmlns=\"{NS}\"><Name>{name}.</Name><CallerReference>{name}</CallerReference></CreateHostedZoneRequest>")).await;
        assert_eq!(status, 201, "{body}");
        let id = body
            .split("<Id>/hostedzone/")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .unwrap()
            .to_string();
        let change = format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes><Change><Action>CREATE</Action><ResourceRecordSet><Name>www.{name}.</Name><Type>A</Type><TTL>300</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>");
        let (status, body) = call(&url, "POST", &format!("/2013-04-01/hostedzone/{id}/rrset"), change).await;
        assert_eq!(status, 200, "{body}");
        let set = lab.proxy.delegation_sets().set_of(&id);
        let names = r53_lab::nameservers::set_names(set);
        let ns: Vec<(&str, &[&str])> = names.iter().map(|n| (n.as_str(), &[][..])).collect();
        lab.registry.delegate(name, &ns);
        id
    })
}

/// Asks unbound-host and r53's validator; they must agree. Returns unbound's verdict.
fn both(lab: &Lab, name: &str, ty: RecordType) -> Verdict {
    use r53_core::dns::dnssec::{parse_trust_anchor, Security};
    let v = lab.validate(name, ty).unwrap();
    let settings = r53_core::dns::delegation::DnsSettings {
        root_hints: vec![lab.registry.addr.ip()],
        port: lab.dns_port(),
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    };
    let anchor = parse_trust_anchor(&lab.registry.trust_anchor()).unwrap();
    let ours = lab
        .rt
        .block_on(r53_core::dns::delegation::Walker::new(settings).validate(&[anchor], name, ty))
        .unwrap();
    let agree = matches!(
        (&v.verdict, &ours),
        (Verdict::Secure, Security::Secure)
            | (Verdict::Insecure, Security::Insecure { .. })
            | (Verdict::Bogus(_), Security::Bogus { .. })
    );
    assert!(
        agree,
        "{name} {ty}: unbound says {:?}, r53 says {ours}\n{}",
        v.verdict, v.output
    );
    v.verdict
}

#[test]
fn the_signed_tld_proves_an_unsigned_zone_insecure_and_a_stray_ds_bogus() {
    let lab = Lab::start().unwrap();
    lab.registry.set_publish_delay(std::time::Duration::ZERO);
    let _ = zone(&lab, "shop.test");

    let v = lab.validate("www.shop.test", RecordType::A).unwrap();
    assert_eq!(v.verdict, Verdict::Insecure, "{}", v.output);
    assert!(v.output.contains("192.0.2.1"), "{}", v.output);
    assert_eq!(
        both(&lab, "www.shop.test", RecordType::A),
        Verdict::Insecure
    );

    // The TLD's own answers, positive and negative, validate from the root's key.
    assert_eq!(both(&lab, "test", RecordType::SOA), Verdict::Secure);
    assert_eq!(both(&lab, "nobody.test", RecordType::A), Verdict::Secure);
    assert_eq!(both(&lab, "test", RecordType::TXT), Verdict::Secure);

    // A DS no key of the zone matches: every validating resolver fails the domain.
    lab.registry.set_ds(
        "shop.test",
        &["12345 13 2 3F5CE2A7E2F5E4CE5AB1E7F2C2B7F5F0A0D1C5B8E8C6C2E9E3F1A1B2C3D4E5F6"],
    );
    assert!(matches!(
        both(&lab, "www.shop.test", RecordType::A),
        Verdict::Bogus(_)
    ));
    // What the parent publishes, read over DNS (the DNSSEC API's parent checks use it).
    let (ns, ds) = lab
        .rt
        .block_on(r53_lab::validator::parent_of(
            lab.registry.addr,
            "shop.test",
        ))
        .unwrap()
        .unwrap();
    assert_eq!(ns.len(), 4, "{ns:?}");
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert!(ds[0].starts_with("12345 13 2 3F5CE2A7"), "{ds:?}");
    let none = lab
        .rt
        .block_on(r53_lab::validator::parent_of(
            lab.registry.addr,
            "nobody.test",
        ))
        .unwrap();
    assert_eq!(none, None);

    lab.registry.set_ds("shop.test", &[]);
    assert_eq!(
        both(&lab, "www.shop.test", RecordType::A),
        Verdict::Insecure
    );
}

fn sdk(lab: &Lab) -> aws_sdk_route53::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let conf = lab.rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(lab.endpoint())
            .credentials_provider(aws_sdk_route53::config::Credentials::new(
                "testing", "testing", None, None, "lab",
            ))
            .load(),
    );
    aws_sdk_route53::Client::new(&conf)
}

/// A Route 53 zone signed through the lab's DNSSEC API (KSK in moto's KMS, the name servers
/// signing online): insecure while the parent has no DS, secure once it has, insecure again
/// after the DS goes and signing stops — never bogus on the way. unbound-host and r53's validator
/// agree at every step.
#[test]
fn a_zone_signed_through_the_api_is_secure_once_its_ds_is_published() {
    let lab = Lab::start().unwrap();
    lab.registry.set_publish_delay(std::time::Duration::ZERO);
    let id = zone(&lab, "signed.test");
    let arn = lab
        .create_dnssec_kms_key(r53_lab::dnssec::control::KmsPolicy::AllowsRoute53)
        .unwrap();
    let c = sdk(&lab);
    let ksk = lab
        .rt
        .block_on(
            c.create_key_signing_key()
                .caller_reference("chain-1")
                .hosted_zone_id(&id)
                .name("ksk_1")
                .key_management_service_arn(&arn)
                .status("ACTIVE")
                .send(),
        )
        .unwrap()
        .key_signing_key()
        .cloned()
        .unwrap();
    let ds = ksk.ds_record().unwrap().to_string();
    lab.rt
        .block_on(c.enable_hosted_zone_dnssec().hosted_zone_id(&id).send())
        .unwrap();

    // Signed, but no DS yet: insecure, not bogus.
    assert_eq!(
        both(&lab, "www.signed.test", RecordType::A),
        Verdict::Insecure
    );

    lab.registry.set_ds("signed.test", &[ds.as_str()]);
    assert_eq!(
        both(&lab, "www.signed.test", RecordType::A),
        Verdict::Secure
    );
    // Denials are signed too (compact denial): a missing name, a missing type.
    assert_eq!(
        both(&lab, "nope.signed.test", RecordType::A),
        Verdict::Secure
    );
    assert_eq!(both(&lab, "signed.test", RecordType::TXT), Verdict::Secure);
    assert_eq!(
        both(&lab, "signed.test", RecordType::DNSKEY),
        Verdict::Secure
    );

    // Route 53 will not stop signing while the parent still names the key.
    let e = lab
        .rt
        .block_on(c.disable_hosted_zone_dnssec().hosted_zone_id(&id).send())
        .unwrap_err();
    let e = format!("{:?}", aws_sdk_route53::error::DisplayErrorContext(&e));
    assert!(e.contains("KeySigningKeyInParentDSRecord"), "{e}");

    // The reverse order: the DS goes first, then signing stops.
    lab.registry.set_ds("signed.test", &[]);
    assert_eq!(
        both(&lab, "www.signed.test", RecordType::A),
        Verdict::Insecure
    );
    lab.rt
        .block_on(c.disable_hosted_zone_dnssec().hosted_zone_id(&id).send())
        .unwrap();
    assert_eq!(
        both(&lab, "www.signed.test", RecordType::A),
        Verdict::Insecure
    );
}
