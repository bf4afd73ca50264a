//! One harness per parser or decoder that reads hostile input. Each takes the fuzzer's bytes and
//! panics only when the code under test does (or when an invariant that must hold is broken).
//!
//! The cargo-fuzz targets in `fuzz/` are one-line calls into these functions, and the tests in
//! `tests/replay.rs` run every saved input (`fuzz/regressions/`, `fuzz/seeds/`) through the same
//! functions on stable, so `cargo test` replays them without nightly.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::OnceLock;

use r53_plugin::{Provider, Type, Value};

pub mod seeds;
use r53_zone::RecordType;

/// One fuzz harness: takes the raw input, panics only on a bug.
pub type Harness = fn(&[u8]);

/// Every harness by its target name (the folder names under `fuzz/`).
pub const TARGETS: &[(&str, Harness)] = &[
    ("zonefile", zonefile),
    ("axfr", axfr),
    ("tsig", tsig),
    ("names", names),
    ("dynamic_value", dynamic_value),
    ("rdata", rdata),
    ("journal", journal),
    ("cutover_state", cutover_state),
    ("state_upgrade", state_upgrade),
    ("domain_name", domain_name),
    ("functions", functions),
    ("release", release),
    ("routing", routing),
    ("dnssec", dnssec),
];

/// The first line and the rest (inputs that need a zone or domain name carry it on line one).
fn first_line(data: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(data).ok()?;
    Some(text.split_once('\n').unwrap_or((text, "")))
}

/// Zone file: line one is the origin, the rest the file. Parsed from memory (`parse_str`), and
/// again from disk with the text split at NUL bytes into `zone.db`, `inc1.db`, `inc2.db`… in a
/// temp folder, so `$INCLUDE inc1.db` runs; each parse that succeeds is converted.
pub fn zonefile(data: &[u8]) {
    let Some(nl) = data.iter().position(|&b| b == b'\n') else {
        return;
    };
    let (Ok(origin), rest) = (std::str::from_utf8(&data[..nl]), &data[nl + 1..]) else {
        return;
    };
    let convert = |parsed: r53_zone::zonefile::ParsedZone| {
        let _ = r53_zone::convert::from_dns(
            &parsed.origin,
            &parsed.records,
            &r53_zone::convert::Options::default(),
        );
    };
    if let Ok(text) = std::str::from_utf8(rest) {
        if let Ok(parsed) = r53_zone::zonefile::parse_str(text, Path::new("zone.db"), origin) {
            convert(parsed);
        }
    }
    if !rest.contains(&0) {
        return;
    }
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    for (i, part) in rest.split(|&b| b == 0).enumerate() {
        let name = if i == 0 {
            "zone.db".to_string()
        } else {
            format!("inc{i}.db")
        };
        if std::fs::write(dir.path().join(name), part).is_err() {
            return;
        }
    }
    if let Ok(parsed) = r53_zone::zonefile::parse_file(&dir.path().join("zone.db"), origin) {
        convert(parsed);
    }
}

/// AXFR: byte one holds flags (bit 0: the transfer was TSIG-signed, bit 1: skip unsupported
/// types), then DNS messages as on TCP, each after its 2-byte length. Messages that do not parse
/// end the stream as the client would (with an error). Zone `example.com`.
pub fn axfr(data: &[u8]) {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let mut messages = Vec::new();
    while let [hi, lo, tail @ ..] = rest {
        let n = usize::from(u16::from_be_bytes([*hi, *lo]));
        let Some(msg) = tail.get(..n) else { return };
        let Ok(m) = hickory_proto::op::Message::from_vec(msg) else {
            return;
        };
        messages.push(m);
        rest = &tail[n..];
    }
    let server = SocketAddr::from(([192, 0, 2, 53], 53));
    let Ok(records) =
        r53_core::dns::transfer_records(server, "example.com", flags & 1 != 0, messages)
    else {
        return;
    };
    let opts = r53_zone::convert::Options {
        skip_unsupported: flags & 2 != 0,
        ..Default::default()
    };
    let _ = r53_zone::convert::from_dns("example.com", &records, &opts);
}

/// A TSIG key, in either form `--tsig-key-file` accepts.
pub fn tsig(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(k) = r53_core::dns::TsigKey::parse(text) {
        // Only the three HMACs Route 53 migrations use are accepted.
        assert!(
            ["hmac-sha256", "hmac-sha384", "hmac-sha512"].contains(&k.algorithm.as_str()),
            "{k:?}"
        );
    }
}

/// The cutover's `--names` file: line one is the domain, the rest the file.
pub fn names(data: &[u8]) {
    let Some((domain, text)) = first_line(data) else {
        return;
    };
    if let Ok(qs) = r53_migrate::cutover::parse_names(text, "names.txt", domain) {
        for q in qs {
            assert!(q.ty.parse::<RecordType>().is_ok(), "{q:?}");
        }
    }
}

/// A domain name as a user types it (a Terraform attribute, a command-line argument): the one
/// conversion, `Name::from_user`, and the delegable/registrable checks on top of it. An accepted
/// name is in its final form (converting it again gives it back), and a registrable one is
/// plain LDH of at most 253 characters.
pub fn domain_name(data: &[u8]) {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(n) = r53_zone::Name::from_user(raw) {
        assert!(n.as_str().is_ascii(), "{n:?}");
        assert_eq!(r53_zone::Name::from_user(n.as_str()).as_ref(), Ok(&n));
        assert_eq!(r53_zone::Name::parse(n.as_str()).as_ref(), Ok(&n));
    }
    if let Ok(n) = r53_zone::Name::delegable(raw) {
        assert!(n.labels() >= 2, "{n:?}");
    }
    if let Ok(n) = r53_zone::Name::registrable(raw) {
        let s = n.as_str();
        assert!(s.len() <= 253, "{n:?}");
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'),
            "{n:?}"
        );
        assert_eq!(r53_zone::Name::registrable(s).as_ref(), Ok(&n));
    }
}

/// The types Terraform sends DynamicValues of: the provider's, every resource's and every data
/// source's schema, and `dynamic` (values that carry their own type).
fn schema_types() -> &'static [Type] {
    static TYPES: OnceLock<Vec<Type>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let p = terraform_provider_r53::R53Provider::new();
        let mut out = vec![p.schema().ty()];
        out.extend(p.resources().iter().map(|r| r.schema().ty()));
        out.extend(p.data_sources().iter().map(|d| d.schema().ty()));
        out.push(Type::Dynamic);
        out
    })
}

/// A DynamicValue: byte one picks the schema (modulo their number) and, by its top bit, msgpack
/// (clear) or JSON (set); the rest is the value.
///
/// msgpack: a decoded value re-encodes, and that encoding decodes and re-encodes to the same
/// bytes. JSON: the streaming reader agrees with the tree reader whenever the text is JSON.
pub fn dynamic_value(data: &[u8]) {
    let Some((&sel, payload)) = data.split_first() else {
        return;
    };
    let types = schema_types();
    let ty = &types[usize::from(sel & 0x7f) % types.len()];
    if sel & 0x80 == 0 {
        let Ok(v) = Value::from_msgpack(payload, ty) else {
            return;
        };
        // A dynamic value is re-encoded with the type inferred from it, which a mixed list
        // does not have; every other decoded value fits the type it was decoded with.
        let first = match v.to_msgpack(ty) {
            Ok(b) => b,
            Err(e) if matches!(ty, Type::Dynamic) => return drop(e),
            Err(e) => panic!("decoded value does not re-encode: {e}; {v:?}"),
        };
        let again = Value::from_msgpack(&first, ty)
            .unwrap_or_else(|e| panic!("re-encoded value does not decode: {e}; {v:?}"));
        let second = again.to_msgpack(ty).expect("second encoding");
        assert_eq!(first, second, "msgpack round trip is not stable: {v:?}");
    } else {
        let fast = Value::from_json_slice(payload, ty);
        if let Ok(tree) = serde_json::from_slice::<serde_json::Value>(payload) {
            let slow = Value::from_json(&tree, ty);
            match (&fast, &slow) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "streaming and tree JSON readers differ"),
                (Err(_), Err(_)) => {}
                _ => panic!("JSON readers disagree: streaming {fast:?}, tree {slow:?}"),
            }
        }
    }
}

/// Record values: byte one picks the type, the rest is a value as a user or a zone writes it.
/// A TXT/SPF value that is not already in quoted form splits into strings of at most 255 bytes
/// that join back to it.
pub fn rdata(data: &[u8]) {
    use r53_zone::rdata::*;
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(v) = std::str::from_utf8(rest) else {
        return;
    };
    let ty = RecordType::ALL[usize::from(sel) % RecordType::ALL.len()];
    let _ = check_value(ty, v);
    let _ = parse_character_strings(v);
    let _ = decode_wire_value(ty, v);
    let _ = canonical_value(ty, v);
    let one = [v.to_string()];
    assert!(values_equivalent(ty, &one, &one), "{ty} {v:?} ≠ itself");
    let wire = encode_user_value(ty, v);
    let t = v.trim();
    // Quoted form is about bytes: `"b\265"` (octal escapes of bytes that are not UTF-8) is
    // kept as written, like any other value in quoted form.
    let quoted =
        t.len() >= 2 && t.starts_with('"') && t.ends_with('"') && parse_string_bytes(t).is_some();
    if ty.is_text() && !quoted {
        let parts = parse_character_strings(&wire)
            .unwrap_or_else(|| panic!("{ty} {v:?} encodes to unparsable {wire:?}"));
        assert!(parts.iter().all(|p| p.len() <= 255), "{wire:?}");
        assert_eq!(parts.concat(), v, "split of {v:?} does not join back");
        assert_eq!(
            decode_wire_value(ty, &wire),
            v,
            "{wire:?} does not decode back"
        );
    }
}

/// A resource's stored state of an older schema version (UpgradeResourceState's raw JSON): byte
/// one picks the resource (modulo their number), the rest is the JSON. Every version below the
/// resource's own is upgraded; what an upgrade accepts must be a value of today's schema or a
/// diagnostic, never a panic.
pub fn state_upgrade(data: &[u8]) {
    static RESOURCES: OnceLock<
        Vec<std::sync::Arc<dyn r53_plugin::Resource<terraform_provider_r53::Meta>>>,
    > = OnceLock::new();
    let Some((&sel, payload)) = data.split_first() else {
        return;
    };
    let Ok(j) = serde_json::from_slice::<serde_json::Value>(payload) else {
        return;
    };
    let resources =
        RESOURCES.get_or_init(|| terraform_provider_r53::R53Provider::new().resources());
    let r = &resources[usize::from(sel) % resources.len()];
    let schema = r.schema();
    for version in 0..schema.version {
        if let Ok(up) = r.upgrade_state(version, j.clone()) {
            let _ = Value::from_json(&up, &schema.ty());
        }
    }
}

/// The import journal (`r53-migrate import --apply`).
pub fn journal(data: &[u8]) {
    use r53_migrate::journal::{Journal, VERSION};
    versioned::<Journal>(data, "journal", VERSION, |j| j.version);
}

/// The cutover state file.
pub fn cutover_state(data: &[u8]) {
    use r53_migrate::state::{State, VERSION};
    versioned::<State>(data, "cutover state file", VERSION, |s| s.version);
}

/// A file r53-migrate wrote and reads back: what it accepts, it writes back the same way.
fn versioned<T: serde::de::DeserializeOwned + serde::Serialize>(
    data: &[u8],
    what: &str,
    want: u32,
    version: fn(&T) -> u32,
) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(v) = r53_migrate::persist::parse_versioned::<T>(text, "fuzz.json", what, want, version)
    else {
        return;
    };
    let first = serde_json::to_string(&v).expect("an accepted file serialises");
    let back: T = r53_migrate::persist::parse_versioned(&first, "fuzz.json", what, want, version)
        .unwrap_or_else(|e| panic!("what was written does not read back: {e}"));
    let second = serde_json::to_string(&back).expect("serialises again");
    assert_eq!(first, second, "{what} does not round-trip");
}

/// Provider functions: byte one picks the function, the rest are its arguments, one per line (a
/// list argument's elements separated by `,`). Arguments of any content and size must give a
/// result of the declared type or an error naming an argument that exists; `fqdn` of its own
/// result is the same name, and a DS record has its four fields.
pub fn functions(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let all = terraform_provider_r53::functions::all();
    let Some(f) = all.get(usize::from(pick) % all.len().max(1)) else {
        return;
    };
    let sig = f.signature();
    let mut lines = text.split('\n');
    let args: Vec<Value> = sig
        .params
        .iter()
        .map(|p| {
            let line = lines.next().unwrap_or_default();
            match &p.ty {
                Type::List(_) => Value::List(line.split(',').map(Value::string).collect()),
                _ => Value::string(line),
            }
        })
        .collect();
    match f.call(&args) {
        Ok(v) => {
            v.to_msgpack(&sig.returns)
                .unwrap_or_else(|e| panic!("{}: result not of its type: {e}", f.name()));
            match f.name() {
                "fqdn" => {
                    let again = f
                        .call(&[v.clone(), args[1].clone()])
                        .unwrap_or_else(|e| panic!("fqdn of its own result: {e:?}"));
                    assert_eq!(again, v, "fqdn is not idempotent");
                }
                "ds_record" => {
                    let s = v.as_str().unwrap_or_default();
                    assert_eq!(s.split(' ').count(), 4, "{s:?}");
                }
                _ => {}
            }
        }
        Err(e) => {
            if let Some(i) = e.argument {
                assert!(
                    i < sig.params.len(),
                    "{}: error names argument {i}",
                    f.name()
                );
            }
        }
    }
}

/// What `r53-release verify` and `finish` read from a dist/ another machine may have written:
/// byte one picks the reader — 0: a SHA256SUMS list (what is accepted prints back and parses to
/// the same lines), 1: a zip hashed for `h1:` (an `h1:` of 44 base64 characters or an error), 2: a
/// network-mirror `VERSION.json`, 3: a registry `versions` document (each read from a file, as
/// verify reads them).
pub fn release(data: &[u8]) {
    use r53_release::{dist, hash, mirror, names, registry};
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    match pick % 4 {
        0 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            let Ok(lines) = dist::parse_sums(Path::new("SUMS"), text) else {
                return;
            };
            let printed: String = lines.iter().map(|(h, f)| format!("{h}  {f}\n")).collect();
            let again = dist::parse_sums(Path::new("SUMS"), &printed)
                .unwrap_or_else(|e| panic!("accepted lines do not parse back: {e}"));
            assert_eq!(lines, again);
        }
        1 => {
            let Some(dir) = scratch() else { return };
            let p = dir.path().join("p.zip");
            if std::fs::write(&p, rest).is_err() {
                return;
            }
            if let Ok(h) = hash::h1(&p) {
                assert!(h.starts_with("h1:") && h.len() == 47, "{h}");
            }
        }
        2 => {
            let Some(dir) = scratch() else { return };
            let p = dir.path().join("0.2.0.json");
            if std::fs::write(&p, rest).is_ok() {
                let _ = mirror::read_version_doc(&p);
                let _ = mirror::read_index(&p);
            }
        }
        _ => {
            let Some(dir) = scratch() else { return };
            let src = names::Source::default();
            let p = registry::provider_dir(dir.path(), &src).join("versions");
            if p.parent()
                .is_some_and(|d| std::fs::create_dir_all(d).is_ok())
                && std::fs::write(&p, rest).is_ok()
            {
                let _ = registry::read_versions(dir.path(), &src);
            }
        }
    }
}

/// A temporary directory for harnesses that read files (None when the machine cannot make one).
fn scratch() -> Option<tempfile::TempDir> {
    tempfile::Builder::new().prefix("r53-fuzz-").tempdir().ok()
}

/// The routing inputs a Terraform value or an API answer carries: byte one picks — 0: a CIDR block
/// (an accepted one is canonical: it prints back to itself, holds its own network address and
/// stays within Route 53's prefix limits), 1: a block and an address on two lines (`contains`
/// agrees with comparing the networks of both at the block's length), 2: a health-check target
/// address (refused or not, never a panic), 3: a CIDR collection or location name.
pub fn routing(data: &[u8]) {
    use r53_zone::cidr::{self, Block};
    let Some((sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match sel % 4 {
        0 => {
            if let Ok(b) = Block::parse(text) {
                let shown = b.to_string();
                assert_eq!(Block::parse(&shown), Ok(b), "{text:?}");
                assert_eq!(cidr::canonical_block(text).as_deref(), Ok(shown.as_str()));
                assert!(b.contains(b.addr), "{text:?}");
                let max = if b.addr.is_ipv4() {
                    cidr::MAX_IPV4_PREFIX
                } else {
                    cidr::MAX_IPV6_PREFIX
                };
                assert!(b.len <= max, "{text:?}");
            }
        }
        1 => {
            let (block, addr) = text.split_once('\n').unwrap_or((text, ""));
            if let (Ok(b), Ok(ip)) = (Block::parse(block), addr.trim().parse::<std::net::IpAddr>())
            {
                let inside = b.contains(ip);
                if inside && ip.is_ipv4() == b.addr.is_ipv4() {
                    // The address's own network at that length is the block.
                    let net = format!("{ip}/{}", b.len);
                    let again = Block::parse(&net);
                    assert!(again.is_err() || again == Ok(b) || b.len == 0, "{text:?}");
                }
            }
        }
        2 => {
            if let Ok(ip) = text.trim().parse::<std::net::IpAddr>() {
                let _ = r53_zone::health_check::refused_address(ip);
            }
        }
        _ => {
            let _ = cidr::valid_collection_name(text);
            let _ = cidr::valid_location_name(text);
        }
    }
}

/// The DNSSEC readers: byte one picks — 0: a DNSKEY (line one the zone, the rest the key in
/// presentation form; a key that parses has a SHA-256 and a SHA-384 DS whose `ds_parts` print back
/// to it, that `ds_matches` takes for its own and that hickory's DS reads and finds covering the
/// key), 1: a DS against a DNSKEY (zone, key, DS on three lines), 2: a public key for algorithm
/// byte two (an accepted ECDSA/EdDSA key has its fixed length; a non-empty one makes a DNSKEY),
/// 3: a KMS key (ARN, account, key policy JSON; an accepted ARN prints back to itself, a refused
/// policy names only actions it needs), 4: a KMS SubjectPublicKeyInfo (a P-256 point gives a KSK
/// whose DNSKEY and DS agree with the zone crate's), 5: a trust anchor line, or an owner and DS
/// RDATA on two lines, 6: a DNS answer the validator checks as it would one from a zone's
/// servers, with the message's own DNSKEYs and its additional section's DS/DNSKEYs as trust.
pub fn dnssec(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    match sel % 7 {
        0 => {
            let Some((zone, key)) = first_line(rest) else {
                return;
            };
            dnskey_and_ds(zone, key);
        }
        1 => {
            let Some((zone, rest)) = first_line(rest) else {
                return;
            };
            let (key, ds) = rest.split_once('\n').unwrap_or((rest, ""));
            if let Ok(z) = r53_zone::Name::parse(zone) {
                let _ = r53_zone::ksk::ds_matches(&z, key, ds);
            }
            let _ = r53_core::dns::dnssec::ds_from_text(zone, ds);
        }
        2 => {
            let Some((&alg, rest)) = rest.split_first() else {
                return;
            };
            let Ok(key) = std::str::from_utf8(rest) else {
                return;
            };
            public_key(alg, key);
        }
        3 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            kms(text);
        }
        4 => spki(rest),
        5 => {
            let Ok(text) = std::str::from_utf8(rest) else {
                return;
            };
            if let Ok(r) = r53_core::dns::dnssec::parse_trust_anchor(text) {
                assert!(r.name().is_root(), "{text:?}: {r:?}");
            }
            let (owner, rdata) = text.split_once('\n').unwrap_or(("", text));
            let _ = r53_core::dns::dnssec::ds_from_text(owner, rdata);
        }
        _ => {
            if let Ok(m) = hickory_proto::op::Message::from_vec(rest) {
                validate(&m);
            }
        }
    }
}

/// A DNSKEY in presentation form at the apex of `zone`: see [`dnssec`], selector 0.
fn dnskey_and_ds(zone: &str, key: &str) {
    use hickory_proto::dnssec::PublicKey;
    use r53_zone::dnskey::{ds_parts, ds_record, parse_dnskey, DsDigest};
    let Ok(rdata) = parse_dnskey(key) else {
        return;
    };
    assert!(rdata.zone_key(), "{key:?}: not a zone key");
    let Ok(z) = r53_zone::Name::parse(zone) else {
        return;
    };
    let algorithm = u8::from(rdata.public_key().algorithm());
    let b64 = data_encoding::BASE64.encode(rdata.public_key().public_bytes());
    for digest in [DsDigest::Sha256, DsDigest::Sha384] {
        // A digest the key's algorithm cannot have is an error, not a panic; from here on the
        // DS exists.
        let Ok(ds) = ds_record(&z, key, digest) else {
            continue;
        };
        let parts = ds_parts(&z, rdata.flags(), algorithm, &b64, digest)
            .unwrap_or_else(|e| panic!("{key:?}: DS {ds:?}, but its parts: {e}"));
        assert_eq!(parts.text(), ds, "{key:?}: parts do not print back");
        assert_eq!(parts.algorithm, algorithm, "{key:?}");
        assert!(
            r53_zone::ksk::ds_matches(&z, key, &ds),
            "{key:?} at {zone:?}: its own DS {ds:?} does not match"
        );
        // hickory reads the same DS and finds it covers the key (zones of LDH names: the
        // zone-file parser reads special characters in an owner name its own way, and refuses
        // `_` inside a label: fuzz/regressions/dnssec/ds-owner-underscore-in-label).
        if z.as_str()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.".contains(&b))
        {
            let hds = r53_core::dns::dnssec::ds_from_text(z.as_str(), &ds)
                .unwrap_or_else(|e| panic!("{key:?}: DS {ds:?} does not read back: {e}"));
            let owner = hickory_proto::rr::Name::from_ascii(format!("{}.", z.as_str()))
                .expect("the owner ds_record used");
            assert_eq!(
                hds.covers(&owner, &rdata).ok(),
                Some(true),
                "{key:?}: hickory finds DS {ds:?} does not cover the key"
            );
        }
    }
    let _ = r53_zone::dnskey::check_public_key(algorithm, &b64);
}

/// A public key for a DNSSEC algorithm: see [`dnssec`], selector 2.
fn public_key(alg: u8, key: &str) {
    use r53_zone::dnskey::{check_public_key, parse_dnskey, MAX_DNSKEY_TEXT};
    let Ok(bytes) = check_public_key(alg, key) else {
        return;
    };
    let want = match alg {
        13 => Some(64),
        14 => Some(96),
        15 => Some(32),
        16 => Some(57),
        _ => None,
    };
    if let Some(n) = want {
        assert_eq!(bytes.len(), n, "algorithm {alg}: {key:?}");
    }
    let text = format!("257 3 {alg} {key}");
    // Only the listed algorithms have a length to check: any other takes an empty key, which
    // a DNSKEY cannot have (fuzz/regressions/dnssec/empty-key-unknown-algorithm).
    if alg != 1 && !bytes.is_empty() && text.len() <= MAX_DNSKEY_TEXT {
        let k = parse_dnskey(&text)
            .unwrap_or_else(|e| panic!("an accepted key does not make a DNSKEY: {e}: {text:?}"));
        assert_eq!(
            hickory_proto::dnssec::PublicKey::public_bytes(k.public_key()),
            bytes.as_slice()
        );
    }
}

/// A KMS key's ARN, account and key policy: see [`dnssec`], selector 3.
fn kms(text: &str) {
    use r53_zone::ksk::{self, KskError, KMS_REGION, REQUIRED_ACTIONS};
    let mut lines = text.splitn(3, '\n');
    let arn = lines.next().unwrap_or_default();
    let account = lines.next().unwrap_or_default();
    let policy = lines.next().unwrap_or_default();
    let _ = ksk::valid_name(arn);
    if let Ok(a) = ksk::parse_kms_arn(arn) {
        let again = format!(
            "arn:{}:kms:{}:{}:key/{}",
            a.partition, a.region, a.account, a.key_id
        );
        assert_eq!(again, arn, "an accepted ARN does not print back");
    }
    if let Ok(a) = ksk::check_region(arn) {
        assert_eq!(a.region, KMS_REGION, "{arn:?}");
    }
    match ksk::check_policy(arn, account, policy) {
        Ok(c) => {
            for w in &c.warnings {
                assert!(!w.is_empty());
            }
        }
        Err(e) => {
            if let KskError::PolicyMissing { missing, .. } = &e {
                assert!(!missing.is_empty(), "refused, missing nothing");
                assert!(
                    missing
                        .iter()
                        .all(|m| REQUIRED_ACTIONS.contains(&m.as_str())),
                    "{missing:?}"
                );
            }
            let _ = e.to_string();
        }
    }
}

/// KMS GetPublicKey's DER: see [`dnssec`], selector 4.
fn spki(der: &[u8]) {
    use r53_zone::dnskey::{ds_record, parse_dnskey, DsDigest};
    use r53_zone::ksk;
    let Ok(point) = ksk::public_key_from_spki(der) else {
        return;
    };
    assert_eq!(&der[ksk::P256_SPKI_PREFIX.len()..], &point[..]);
    let zone = r53_zone::Name::parse("example.com").expect("a zone name");
    let r = ksk::records(&zone, &point).unwrap_or_else(|e| panic!("KSK records: {e}"));
    let key = parse_dnskey(&r.dnskey_record)
        .unwrap_or_else(|e| panic!("the KSK's DNSKEY does not parse: {e}"));
    assert_eq!(key, ksk::dnskey(&point));
    assert_eq!(
        ds_record(&zone, &r.dnskey_record, DsDigest::Sha256).as_ref(),
        Ok(&r.ds_record)
    );
    assert!(ksk::ds_matches(&zone, &r.dnskey_record, &r.ds_record));
}

/// The validator's pure steps over one DNS message: the question's name and type, each RRSIG
/// signer (and the question's name and the root) as the zone, the message's DNSKEYs as its keys
/// and the additional section's DS and DNSKEY records as the trust a parent gave.
fn validate(m: &hickory_proto::op::Message) {
    use hickory_proto::dnssec::rdata::DNSSECRData;
    use hickory_proto::rr::{Name, RData};
    use r53_core::dns::dnssec::{check_answer, ds_set, trusted_keys, Security};
    let Some(q) = m.queries().first() else {
        return;
    };
    let (qname, qtype) = (q.name(), q.query_type());
    let all = || {
        m.answers()
            .iter()
            .chain(m.name_servers())
            .chain(m.additionals())
    };
    let keys: Vec<_> = all()
        .filter_map(|r| match r.data() {
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
            _ => None,
        })
        .take(8)
        .collect();
    let trust: Vec<_> = m
        .additionals()
        .iter()
        .filter(|r| {
            matches!(
                r.data(),
                RData::DNSSEC(DNSSECRData::DS(_) | DNSSECRData::DNSKEY(_))
            )
        })
        .take(8)
        .cloned()
        .collect();
    let mut zones: Vec<Name> = all()
        .filter_map(|r| match r.data() {
            RData::DNSSEC(DNSSECRData::RRSIG(s)) => Some(s.signer_name().clone()),
            _ => None,
        })
        .collect();
    zones.push(qname.clone());
    zones.push(Name::root());
    zones.sort();
    zones.dedup();
    for zone in zones.iter().take(4) {
        if let Ok(k) = trusted_keys(m, zone, &trust) {
            assert!(!k.is_empty(), "trusted, yet no key");
            let _ = check_answer(m, qname, qtype, zone, &k);
        }
        let verdict = check_answer(m, qname, qtype, zone, &keys);
        assert_eq!(verdict.reason().is_none(), verdict == Security::Secure);
        let _ = verdict.to_string();
        if let Ok(Some(ds)) = ds_set(m, qname, zone, &keys) {
            assert!(!ds.is_empty(), "a verified DS set of none");
        }
    }
}
