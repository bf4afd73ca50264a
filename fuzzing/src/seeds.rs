//! Seed inputs for every target, from the project's own material: the zone files under
//! `examples/`, `tests/` and `lab/`, and inputs built here from them (DNS messages of a transfer,
//! DynamicValues of every schema, a journal, a cutover state). `r53-fuzz-seeds` writes them to
//! `fuzz/corpus/<target>/`; the replay test runs them through the harnesses.

use std::path::{Path, PathBuf};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RecordType as HType};
use r53_plugin::{Number, Obj, Type, Value};

/// One seed: target, file name, bytes.
pub type Seed = (&'static str, String, Vec<u8>);

/// A zone that uses most of what the parser knows: directives, parentheses, escapes, every type
/// Route 53 hosts, one it does not, a wildcard and an IDN.
const RICH_ZONE: &str = r#"$ORIGIN example.com.
$TTL 300
@ IN SOA ns1.example.com. hostmaster.example.com. ( 2026010101 7200 3600 1209600 300 )
@ 172800 IN NS ns1.example.com.
@ 172800 IN NS ns2.example.net.
ns1 IN A 192.0.2.1
@ IN AAAA 2001:db8::1
@ IN MX 10 mail.example.com.
@ IN TXT "v=spf1 -all" "second \"quoted\" string" "\065\066C"
@ IN SPF "v=spf1 -all"
@ IN CAA 0 issuewild ";"
_sip._udp IN SRV 10 60 5060 sip.example.com.
sip IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .
@ IN DS 12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE46B1E2D1A4E3D1F0A2B3C4D5
host IN SSHFP 4 2 123456789abcdef67890123456789abcdef67890123456789abcdef123456789
_443._tcp IN TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
svc IN SVCB 1 svc.example.net. alpn="h2,h3" port=8443
@ IN HTTPS 1 . alpn=h2 ipv4hint=192.0.2.7
4.2.0.192 IN PTR host.example.com.
www IN CNAME example.com.
*.wild IN A 192.0.2.9
xn--bcher-kva IN A 192.0.2.10
sub IN NS ns.sub.example.com.
ns.sub IN A 192.0.2.11
old IN HINFO "PC" "Linux"
"#;

/// A main file and the file it includes, split at the NUL byte as the harness expects.
const INCLUDE_ZONE: &str = "$ORIGIN example.com.\n$TTL 60\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n$INCLUDE inc1.db sub\n\0www IN A 192.0.2.2\n@ IN TXT \"in the sub-zone\"\n";

/// Zone files of the project, each with its origin (`$ORIGIN`, else the file name).
fn project_zone_files(root: &Path) -> Vec<(PathBuf, String, String)> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = ["examples", "tests", "lab"]
        .iter()
        .map(|d| root.join(d))
        .collect();
    while let Some(d) = dirs.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "zone" || x == "db") {
                let Ok(text) = std::fs::read_to_string(&p) else {
                    continue;
                };
                let origin = text
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("$ORIGIN"))
                    .map(|o| o.trim().to_string())
                    .unwrap_or_else(|| {
                        p.file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    });
                out.push((p, origin, text));
            }
        }
    }
    out.sort();
    out
}

fn zone_seeds(root: &Path) -> Vec<(String, String, String)> {
    let mut out = vec![
        (
            "rich".to_string(),
            "example.com".to_string(),
            RICH_ZONE.to_string(),
        ),
        (
            "include".to_string(),
            "example.com".to_string(),
            INCLUDE_ZONE.to_string(),
        ),
    ];
    for (p, origin, text) in project_zone_files(root) {
        let name = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('/', "_");
        out.push((name, origin, text));
    }
    out
}

/// The messages an AXFR server sends for `records`: SOA first and last, in messages of `per`
/// records, each framed with its 2-byte length (after the harness's flag byte).
fn transfer(zone: &str, records: &[hickory_proto::rr::Record], per: usize, flags: u8) -> Vec<u8> {
    let Ok(zname) = Name::from_ascii(format!("{}.", zone.trim_end_matches('.'))) else {
        return Vec::new();
    };
    let Some(soa) = records.iter().find(|r| r.record_type() == HType::SOA) else {
        return Vec::new();
    };
    let mut all = vec![soa.clone()];
    all.extend(
        records
            .iter()
            .filter(|r| r.record_type() != HType::SOA)
            .cloned(),
    );
    all.push(soa.clone());
    let mut out = vec![flags];
    for (i, chunk) in all.chunks(per.max(1)).enumerate() {
        let mut m = Message::new();
        m.set_id(i as u16)
            .set_message_type(MessageType::Response)
            .set_op_code(OpCode::Query)
            .set_authoritative(true)
            .set_response_code(ResponseCode::NoError)
            .add_query(Query::query(zname.clone(), HType::AXFR))
            .add_answers(chunk.iter().cloned());
        if let Ok(b) = m.to_vec() {
            if let Ok(n) = u16::try_from(b.len()) {
                out.extend_from_slice(&n.to_be_bytes());
                out.extend_from_slice(&b);
            }
        }
    }
    out
}

/// A value of `ty` with every attribute set (`unknown`: strings and numbers not yet known).
fn sample(ty: &Type, unknown: bool) -> Value {
    match ty {
        Type::Bool => Value::Bool(true),
        Type::Number if unknown => Value::Unknown,
        Type::Number => Value::Number(Number::Int(300)),
        Type::String if unknown => Value::Unknown,
        Type::String => Value::string("www.example.com"),
        Type::List(t) => Value::List(vec![sample(t, unknown)]),
        Type::Set(t) => Value::Set(vec![sample(t, unknown), sample(t, false)]),
        Type::Map(t) => Value::Map(Obj::from([("key", sample(t, unknown))])),
        Type::Object(attrs) => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| (k.clone(), sample(t, unknown)))
                .collect(),
        ),
        Type::Dynamic => Value::Object(Obj::from([
            ("name", Value::string("x")),
            ("ttl", Value::Number(Number::Float(0.5))),
        ])),
    }
}

fn state_json() -> String {
    serde_json::json!({
        "version": 1,
        "domain": "shop.example",
        "zone_id": "Z0123456789ABCDEFGHIJ",
        "registrar": "external",
        "step": "monitoring",
        "source": "axfr:127.0.0.1:53",
        "parent_zone": "example",
        "old_ns": ["ns1.old-dns.test", "ns2.old-dns.test"],
        "old_glue": {"ns1.old-dns.test": ["192.0.2.53"]},
        "new_ns": ["ns-1.awsdns-01.org", "ns-2.awsdns-02.net"],
        "parent_ns_ttl": 172800,
        "old_ns_ttl": 5,
        "old_ns_ttl_seen": [[1764547200, 3600], [1764550800, 5]],
        "max_zone_ttl": 3600,
        "earliest_switch": 1764550805,
        "preflight": {
            "at": 1764550000, "passed": true, "blockers": [], "notes": ["a note"],
            "questions": 2, "queries": 12, "servers": ["old 192.0.2.53", "new 192.0.2.1"],
            "differences": [],
            "reference": [[{"name": "shop.example", "type": "A"}, {"Records": ["192.0.2.80"]}]]
        },
        "switch_requested_at": 1764551000,
        "operation_id": null,
        "published_at": 1764551100,
        "complete_after": 1764554700,
        "new_ns_ttl_before": 172800,
        "from": "axfr:127.0.0.1:53",
        "names_file": "names.txt",
        "skip_unsupported": false,
        "events": [{"at": 1764550000, "step": "ready", "message": "preflight passed"}]
    })
    .to_string()
}

/// Every seed, generated from the project at `root` (the workspace folder).
pub fn all(root: &Path) -> Vec<Seed> {
    let mut out: Vec<Seed> = Vec::new();
    let mut push = |t: &'static str, n: String, b: Vec<u8>| out.push((t, n, b));

    let zones = zone_seeds(root);
    let mut converted = Vec::new();
    for (name, origin, text) in &zones {
        push(
            "zonefile",
            name.clone(),
            format!("{origin}\n{text}").into_bytes(),
        );
        let Ok(parsed) = r53_zone::zonefile::parse_str(text, Path::new(name), origin) else {
            continue;
        };
        push(
            "axfr",
            format!("{name}-1"),
            transfer(origin, &parsed.records, 1000, 0),
        );
        push(
            "axfr",
            format!("{name}-3"),
            transfer(origin, &parsed.records, 3, 3),
        );
        let opts = r53_zone::convert::Options {
            skip_unsupported: true,
            ..Default::default()
        };
        if let Ok(c) = r53_zone::convert::from_dns(origin, &parsed.records, &opts) {
            converted.push((name.clone(), c));
        }
        for r in &parsed.records {
            if let Ok((ty, v)) = r53_zone::wire::to_route53(r.data()) {
                let sel = r53_zone::RecordType::ALL
                    .iter()
                    .position(|t| *t == ty)
                    .unwrap_or(0) as u8;
                let mut b = vec![sel];
                b.extend_from_slice(v.as_bytes());
                push("rdata", format!("{name}-{ty}-{}", v.len()), b);
            }
        }
    }
    for (i, ty) in r53_zone::RecordType::ALL.iter().enumerate() {
        let long = "x".repeat(300);
        // (An empty or blank TXT value panics in rdata.rs: fuzz/pending/rdata/.)
        for (j, v) in ["\"\"", long.as_str(), "\"a\" \"b\\\"c\\065\"", "é€😀"]
            .iter()
            .enumerate()
        {
            let mut b = vec![i as u8];
            b.extend_from_slice(v.as_bytes());
            push("rdata", format!("{ty}-edge{j}"), b);
        }
    }

    push(
        "tsig",
        "dig".into(),
        b"hmac-sha256:xfr-key:c2VjcmV0c2VjcmV0c2VjcmV0".to_vec(),
    );
    push(
        "tsig",
        "bind".into(),
        b"key \"xfr-key.\" {\n  algorithm hmac-sha512;\n  secret \"c2VjcmV0c2VjcmV0c2VjcmV0\";\n};\n"
            .to_vec(),
    );

    push(
        "names",
        "names".into(),
        b"shop.example\n# questions to compare\n@ A\nwww CNAME\nmail.shop.example. MX\n_imaps._tcp SRV\n".to_vec(),
    );

    for (n, name) in [
        ("ascii", "Shop.Example."),
        ("idn", " Bücher.example "),
        ("escaped", "a\\056b.example.com"),
        ("wildcard", "*.example.com"),
    ] {
        push("domain_name", n.into(), name.as_bytes().to_vec());
    }

    // Byte one picks the routing input (see `routing`).
    for (n, pick, text) in [
        ("block-v4", 0u8, "198.51.100.0/24"),
        ("block-v6", 0, "2001:DB8:e::/48"),
        ("block-host-bits", 0, "198.51.100.7/24"),
        ("block-contains", 1, "203.0.113.0/24\n203.0.113.77"),
        ("block-mapped", 1, "192.0.2.0/24\n::ffff:192.0.2.1"),
        ("target", 2, "100.64.0.1"),
        ("names", 3, "east-1_dc"),
    ] {
        let mut b = vec![pick];
        b.extend(text.as_bytes());
        push("routing", n.into(), b);
    }

    // Byte one picks the function in `functions::all()` order.
    for (n, pick, args) in [
        ("fqdn", 0u8, "www\nexample.com"),
        ("relative_name", 1, "www.example.com.\nexample.com"),
        ("txt_strings", 2, "v=DKIM1; k=rsa; p=MIIBIjANBgkq"),
        ("txt_value", 3, "say \"hi\""),
        ("nameservers_equal", 4, "NS1.example.net.,ns2.example.org\nns2.example.org,ns1.example.net"),
        ("reverse_name", 5, "2001:db8::1"),
        ("ds_record", 6, "dskey.example.com\n256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=="),
    ] {
        let mut b = vec![pick];
        b.extend(args.as_bytes());
        push("functions", n.into(), b);
    }

    // r53-release's readers: byte one picks the reader (see `release`).
    let sums = format!(
        "{}  terraform-provider-r53_0.2.0_linux_amd64.zip\n{}  terraform-provider-r53_0.2.0_manifest.json\n",
        "0".repeat(64),
        "f".repeat(64)
    );
    let zip = {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("p.zip");
        r53_release::archive::write_zip(
            &p,
            &[r53_release::archive::Entry::executable(
                "terraform-provider-r53_v0.2.0",
                b"#!/bin/sh\nexit 1\n".to_vec(),
            )],
            r53_release::names::Epoch::ZIP_MIN,
        )
        .expect("seed zip");
        std::fs::read(&p).expect("seed zip")
    };
    let version_doc = r#"{"archives":{"linux_amd64":{"url":"terraform-provider-r53_0.2.0_linux_amd64.zip","hashes":["h1:SLJW5dtKeCPcqPA2mCJZX4C+7CutBvldstx3w4GCeNQ=","zh:00"]}}}"#;
    let versions = r#"{"versions":[{"version":"0.2.0","protocols":["5.0"],"platforms":[{"os":"linux","arch":"amd64"}]}]}"#;
    for (n, pick, body) in [
        ("sums", 0u8, sums.into_bytes()),
        ("zip", 1, zip),
        ("version-json", 2, version_doc.as_bytes().to_vec()),
        ("versions", 3, versions.as_bytes().to_vec()),
    ] {
        let mut b = vec![pick];
        b.extend(body);
        push("release", n.into(), b);
    }

    let types = crate::schema_types();
    for (i, ty) in types.iter().enumerate() {
        for unknown in [false, true] {
            let v = sample(ty, unknown);
            if let Ok(b) = v.to_msgpack(ty) {
                let mut s = vec![i as u8];
                s.extend(b);
                push("dynamic_value", format!("schema{i}-msgpack-{unknown}"), s);
            }
            if let Ok(j) = v.to_json() {
                let mut s = vec![0x80 | i as u8];
                s.extend(j.to_string().into_bytes());
                push("dynamic_value", format!("schema{i}-json"), s);
            }
        }
    }

    for (name, c) in converted.iter().take(3) {
        let j = r53_migrate::journal::Journal {
            version: r53_migrate::journal::VERSION,
            zone: c.zone.clone(),
            source: format!("file:{name}"),
            caller_reference: "r53-migrate-0123456789".into(),
            zone_id: Some("Z0123456789ABCDEFGHIJ".into()),
            plan_checksum: "sha256:00ff".into(),
            approved: c.sets.iter().map(r53_zone::plan::key).collect(),
            want: c.sets.clone(),
            retarget_aliases_from: None,
        };
        if let Ok(s) = serde_json::to_string(&j) {
            push("journal", name.clone(), s.into_bytes());
        }
    }
    push(
        "cutover_state",
        "monitoring".into(),
        state_json().into_bytes(),
    );
    // r53_records as r53 0.1 stored it (schema 0: the blocks a list), for the resource's byte.
    {
        use r53_plugin::Provider;
        let resources = terraform_provider_r53::R53Provider::new().resources();
        if let Some(i) = resources
            .iter()
            .position(|r| r.type_name() == "r53_records")
        {
            let v0 = serde_json::json!({
                "id": "Z1", "zone_id": "Z1", "zone_name": "example.com", "mode": "exclusive",
                "record": [
                    {"name": "www.example.com", "type": "A", "ttl": 60, "records": ["192.0.2.1"]},
                    {"name": "example.com", "type": "MX", "ttl": 300, "records": ["10 mx.example.com."]},
                    {"name": "api.example.com", "type": "A", "set_identifier": "eu", "ttl": 60,
                     "records": ["192.0.2.2"], "weighted_routing_policy": [{"weight": 10}]}
                ]
            });
            let mut b = vec![u8::try_from(i).unwrap_or(0)];
            b.extend(v0.to_string().into_bytes());
            push("state_upgrade", "records-v0".into(), b);
        }
    }
    for (n, b) in dnssec_seeds() {
        push("dnssec", n, b);
    }
    out
}

/// RFC 4509 §2.2.1: dskey.example.com.'s DNSKEY (RSA/SHA-1) and its SHA-256 DS.
const RFC4509_KEY: &str = "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
const RFC4509_DS: &str =
    "60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A";
/// RFC 8080 §6.1: example.com.'s Ed25519 DNSKEY and its SHA-256 DS.
const RFC8080_KEY: &str = "257 3 15 l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=";
const RFC8080_DS: &str =
    "3613 15 2 3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b";
/// The root zone's KSK-2017 (key tag 20326) and its DS, as IANA publishes them.
const ROOT_KSK: &str = "257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU=";
const ROOT_DS: &str = "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D";
/// A KMS key ARN of the region Route 53 signs with, and its account.
const KMS_ARN: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const KMS_ACCOUNT: &str = "111122223333";

/// KMS's default key policy (the account's root may do anything), plus `extra` statements.
fn key_policy(extra: &str) -> String {
    let root = format!(
        r#"{{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{KMS_ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}"#
    );
    let sep = if extra.is_empty() { "" } else { ",\n" };
    format!(
        "{{\n\"Version\": \"2012-10-17\",\n\"Id\": \"key-default-1\",\n\"Statement\": [\n{root}{sep}{extra}\n]\n}}"
    )
}

/// Seeds of the `dnssec` harness, byte one the selector (see [`crate::dnssec`]).
fn dnssec_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut push = |n: &str, sel: u8, body: &[u8]| {
        let mut b = vec![sel];
        b.extend_from_slice(body);
        out.push((n.to_string(), b));
    };
    // 0: zone, DNSKEY.
    push(
        "dnskey-rsasha1",
        0,
        format!("dskey.example.com\n{RFC4509_KEY}").as_bytes(),
    );
    push(
        "dnskey-ed25519",
        0,
        format!("example.com\n{RFC8080_KEY}").as_bytes(),
    );
    push("dnskey-root-ksk", 0, format!(".\n{ROOT_KSK}").as_bytes());
    let (head, tail) = RFC4509_KEY.split_at(60);
    push(
        "dnskey-split",
        0,
        format!("DSKEY.Example.COM.\n  {head}\n {tail} ").as_bytes(),
    );
    // 1: zone, DNSKEY, DS.
    push(
        "ds-rsasha1",
        1,
        format!("dskey.example.com\n{RFC4509_KEY}\n{RFC4509_DS}").as_bytes(),
    );
    push(
        "ds-ed25519",
        1,
        format!("example.com\n{RFC8080_KEY}\n{RFC8080_DS}").as_bytes(),
    );
    push("ds-root", 1, format!(".\n{ROOT_KSK}\n{ROOT_DS}").as_bytes());
    // 2: algorithm, public key.
    for (n, key) in [
        ("key-rsasha1", RFC4509_KEY),
        ("key-ed25519", RFC8080_KEY),
        ("key-root", ROOT_KSK),
    ] {
        let mut it = key.splitn(4, ' ');
        let alg: u8 = it.nth(2).and_then(|a| a.parse().ok()).unwrap_or(0);
        push(
            n,
            2,
            &[&[alg][..], it.next().unwrap_or_default().as_bytes()].concat(),
        );
    }
    // 3: ARN, account, key policy: KMS's default, and with Route 53's statements added.
    push(
        "kms-default-policy",
        3,
        format!("{KMS_ARN}\n{KMS_ACCOUNT}\n{}", key_policy("")).as_bytes(),
    );
    push(
        "kms-route53-policy",
        3,
        format!(
            "{KMS_ARN}\n{KMS_ACCOUNT}\n{}",
            key_policy(&r53_zone::ksk::policy_statement(KMS_ACCOUNT))
        )
        .as_bytes(),
    );
    push(
        "kms-other-region",
        3,
        format!(
            "{}\n{KMS_ACCOUNT}\n{{\"Statement\":{{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":[\"kms:Get*\"],\"NotResource\":\"arn:aws:kms:*\"}}}}",
            KMS_ARN.replace("us-east-1", "eu-west-1")
        )
        .as_bytes(),
    );
    // 4, 6: a P-256 key as KMS gives it, and DNS answers signed with it.
    if let Some(signed) = SignedZone::new() {
        let mut der = r53_zone::ksk::P256_SPKI_PREFIX.to_vec();
        der.extend_from_slice(&signed.point);
        push("spki-p256", 4, &der);
        for (n, m) in signed.answers() {
            push(&n, 6, &m);
        }
    }
    // 5: trust anchors, and an owner and DS RDATA.
    push("anchor-root-ds", 5, format!(". IN DS {ROOT_DS}").as_bytes());
    push(
        "anchor-root-dnskey",
        5,
        format!(". 172800 IN DNSKEY {ROOT_KSK}").as_bytes(),
    );
    push(
        "ds-text",
        5,
        format!("dskey.example.com\n{RFC4509_DS}").as_bytes(),
    );
    out
}

/// A zone `example.com` signed with one P-256 key (its KSK and zone key), as the lab signs.
struct SignedZone {
    key: hickory_proto::dnssec::crypto::EcdsaSigningKey,
    dnskey: hickory_proto::dnssec::rdata::DNSKEY,
    point: Vec<u8>,
    apex: Name,
}

impl SignedZone {
    fn new() -> Option<SignedZone> {
        use hickory_proto::dnssec::crypto::EcdsaSigningKey;
        use hickory_proto::dnssec::{Algorithm, PublicKey, SigningKey};
        let pkcs8 = EcdsaSigningKey::generate_pkcs8(Algorithm::ECDSAP256SHA256).ok()?;
        let key = EcdsaSigningKey::from_pkcs8(&pkcs8, Algorithm::ECDSAP256SHA256).ok()?;
        let public = key.to_public_key().ok()?;
        let point = public.public_bytes().to_vec();
        let dnskey = hickory_proto::dnssec::rdata::DNSKEY::with_flags(257, public);
        Some(SignedZone {
            key,
            dnskey,
            point,
            apex: Name::from_ascii("example.com.").ok()?,
        })
    }

    fn record(&self, name: &Name, data: hickory_proto::rr::RData) -> hickory_proto::rr::Record {
        hickory_proto::rr::Record::from_rdata(name.clone(), 300, data)
    }

    /// `set` and its RRSIG, valid from 2023 to 2096.
    fn signed(&self, set: Vec<hickory_proto::rr::Record>) -> Vec<hickory_proto::rr::Record> {
        use hickory_proto::dnssec::rdata::{DNSSECRData, RRSIG, SIG};
        use hickory_proto::dnssec::{Algorithm, SigningKey, TBS};
        use hickory_proto::rr::{DNSClass, RData};
        let Some(first) = set.first().cloned() else {
            return set;
        };
        let Ok(tag) = self.dnskey.calculate_key_tag() else {
            return set;
        };
        let (inception, expiration) = (1_700_000_000, 4_000_000_000);
        let (ty, labels, ttl) = (first.record_type(), first.name().num_labels(), first.ttl());
        let alg = Algorithm::ECDSAP256SHA256;
        let unsigned = SIG::new(
            ty,
            alg,
            labels,
            ttl,
            expiration,
            inception,
            tag,
            self.apex.clone(),
            Vec::new(),
        );
        let Ok(tbs) = TBS::from_sig(first.name(), DNSClass::IN, &unsigned, set.iter()) else {
            return set;
        };
        let Ok(sig) = self.key.sign(&tbs) else {
            return set;
        };
        let rrsig = RRSIG::new(
            ty,
            alg,
            labels,
            ttl,
            expiration,
            inception,
            tag,
            self.apex.clone(),
            sig,
        );
        let mut out = set;
        out.push(self.record(first.name(), RData::DNSSEC(DNSSECRData::RRSIG(rrsig))));
        out
    }

    /// The signed answers a validator checks: an A record, NSEC proofs that a name has no A
    /// record and that a delegation has no DS; each with the signed DNSKEY set and the parent's DS
    /// (in the additional section).
    fn answers(&self) -> Vec<(String, Vec<u8>)> {
        use hickory_proto::dnssec::rdata::{DNSSECRData, DS, NSEC};
        use hickory_proto::dnssec::{Algorithm, DigestType};
        use hickory_proto::rr::rdata::A;
        use hickory_proto::rr::RData;
        let name = |s: &str| Name::from_ascii(s).ok();
        // Route 53's compact denial: the NSEC's next name is `\000.` before the query name.
        let next = |n: &Option<Name>| {
            let n = n.as_ref()?;
            Name::from_labels(std::iter::once(&b"\0"[..]).chain(n.iter())).ok()
        };
        let (www, nope, sub) = (
            name("www.example.com."),
            name("nope.example.com."),
            name("sub.example.com."),
        );
        let (Some(nope_next), Some(sub_next)) = (next(&nope), next(&sub)) else {
            return Vec::new();
        };
        let (Some(www), Some(nope), Some(sub)) = (www, nope, sub) else {
            return Vec::new();
        };
        let dnskeys = self.signed(vec![self.record(
            &self.apex,
            RData::DNSSEC(DNSSECRData::DNSKEY(self.dnskey.clone())),
        )]);
        let ds = match (
            self.dnskey.calculate_key_tag(),
            self.dnskey.to_digest(&self.apex, DigestType::SHA256),
        ) {
            (Ok(tag), Ok(d)) => vec![self.record(
                &self.apex,
                RData::DNSSEC(DNSSECRData::DS(DS::new(
                    tag,
                    Algorithm::ECDSAP256SHA256,
                    DigestType::SHA256,
                    d.as_ref().to_vec(),
                ))),
            )],
            _ => Vec::new(),
        };
        let nsec = |at: &Name, next: &Name, types: &[HType]| {
            self.signed(vec![self.record(
                at,
                RData::DNSSEC(DNSSECRData::NSEC(NSEC::new(
                    next.clone(),
                    types.iter().copied(),
                ))),
            )])
        };
        let a = self.signed(vec![self.record(&www, RData::A(A::new(192, 0, 2, 80)))]);
        // An A answer carries the DNSKEY set among its answers (as a DNSKEY answer would); a
        // denial carries it in the additional section, or its answer would be the keys.
        let cases = [
            ("msg-signed-a", &www, HType::A, a, Vec::new()),
            (
                "msg-nsec-nodata",
                &nope,
                HType::A,
                Vec::new(),
                nsec(&nope, &nope_next, &[HType::RRSIG, HType::NSEC]),
            ),
            (
                "msg-nsec-no-ds",
                &sub,
                HType::DS,
                Vec::new(),
                nsec(&sub, &sub_next, &[HType::NS, HType::RRSIG, HType::NSEC]),
            ),
        ];
        let mut out = Vec::new();
        for (n, qname, qtype, mut answers, authority) in cases {
            let mut additional = ds.clone();
            if answers.is_empty() {
                additional.extend(dnskeys.iter().cloned());
            } else {
                answers.extend(dnskeys.iter().cloned());
            }
            let mut m = Message::new();
            m.set_id(53)
                .set_message_type(MessageType::Response)
                .set_op_code(OpCode::Query)
                .set_authoritative(true)
                .set_response_code(ResponseCode::NoError)
                .add_query(Query::query(qname.clone(), qtype))
                .add_answers(answers)
                .add_name_servers(authority)
                .add_additionals(additional);
            if let Ok(b) = m.to_vec() {
                out.push((n.to_string(), b));
            }
        }
        out
    }
}
