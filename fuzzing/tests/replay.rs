//! Replays, on stable, every input that once crashed a fuzz target (`fuzz/regressions/<target>/`)
//! and every seed through the target's harness. A panic in any of them fails the test, naming
//! the file. (`fuzz/pending/` holds crashes others still have to fix: not replayed.)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("fuzzing/ sits in the workspace")
        .to_path_buf()
}

fn harness(target: &str) -> r53_fuzz::Harness {
    r53_fuzz::TARGETS
        .iter()
        .find(|(n, _)| *n == target)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no harness named {target:?}"))
}

/// Runs every input, then fails listing each that panicked (with its message).
fn replay(inputs: Vec<(String, r53_fuzz::Harness, Vec<u8>)>) -> usize {
    let mut failed = Vec::new();
    let n = inputs.len();
    for (label, f, bytes) in inputs {
        if let Err(e) = catch_unwind(AssertUnwindSafe(|| f(&bytes))) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{label}: {msg}"));
        }
    }
    assert!(
        failed.is_empty(),
        "inputs that panic:\n{}",
        failed.join("\n")
    );
    n
}

#[test]
fn every_regression_input_replays_without_panicking() {
    let root = workspace().join("fuzz/regressions");
    let mut inputs = Vec::new();
    for (target, _) in r53_fuzz::TARGETS {
        let Ok(rd) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            inputs.push((p.display().to_string(), harness(target), bytes));
        }
    }
    // Folders named after no target would silently never run.
    if let Ok(rd) = std::fs::read_dir(&root) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(
                r53_fuzz::TARGETS.iter().any(|(t, _)| *t == name),
                "fuzz/regressions/{name} is not a target"
            );
        }
    }
    replay(inputs);
}

#[test]
fn every_seed_replays_without_panicking() {
    let seeds = r53_fuzz::seeds::all(&workspace());
    // Each target has seeds (a generator that silently produced none would leave it unseeded).
    for (target, _) in r53_fuzz::TARGETS {
        assert!(
            seeds.iter().any(|(t, _, _)| t == target),
            "no seed for {target}"
        );
    }
    let inputs = seeds
        .into_iter()
        .map(|(t, n, b)| (format!("seed {t}/{n}"), harness(t), b))
        .collect();
    assert!(replay(inputs) > 20);
}

/// The seeds of the file formats are files the parsers accept (a seed the format has drifted
/// away from only tests the first error).
#[test]
fn seeds_of_file_formats_are_accepted() {
    use r53_migrate::{journal, persist, state};
    for (t, n, b) in r53_fuzz::seeds::all(&workspace()) {
        let text = String::from_utf8_lossy(&b);
        let ok = match t {
            "journal" => persist::parse_versioned(
                &text,
                &n,
                "journal",
                journal::VERSION,
                |j: &journal::Journal| j.version,
            )
            .map(drop),
            "cutover_state" => {
                persist::parse_versioned(&text, &n, "state", state::VERSION, |s: &state::State| {
                    s.version
                })
                .map(drop)
            }
            "tsig" => r53_core::dns::TsigKey::parse(&text)
                .map(drop)
                .map_err(|e| e.to_string()),
            "names" => {
                let (domain, rest) = text.split_once('\n').unwrap_or_default();
                r53_migrate::cutover::parse_names(rest, &n, domain)
                    .map(drop)
                    .map_err(|e| e.message)
            }
            "state_upgrade" => {
                use r53_plugin::Provider;
                let resources = terraform_provider_r53::R53Provider::new().resources();
                let (sel, json) = b.split_first().expect("a selector byte");
                let r = &resources[usize::from(*sel) % resources.len()];
                let j: serde_json::Value = serde_json::from_slice(json).expect("JSON");
                r.upgrade_state(0, j)
                    .map_err(|d| format!("{:?}", d.0))
                    .and_then(|up| {
                        r53_plugin::Value::from_json(&up, &r.schema().ty())
                            .map(drop)
                            .map_err(|e| e.to_string())
                    })
            }
            "dnssec" => dnssec_seed_accepted(&n, &b),
            _ => Ok(()),
        };
        assert!(ok.is_ok(), "seed {t}/{n}: {ok:?}");
    }
}

/// A `dnssec` seed is what its reader accepts: the key parses, the DS is the key's, the
/// policy with Route 53's statements passes (KMS's default one is refused), the KMS public key
/// is P-256, the anchor parses, and a signed answer validates with the key it carries.
fn dnssec_seed_accepted(name: &str, b: &[u8]) -> Result<(), String> {
    use hickory_proto::rr::Name;
    use r53_core::dns::dnssec::{self, Security};
    use r53_zone::{dnskey, ksk};
    let (sel, rest) = b.split_first().ok_or("empty")?;
    let text = String::from_utf8_lossy(rest);
    let mut lines = text.splitn(3, '\n');
    let (one, two, three) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    let zone = |z: &str| r53_zone::Name::parse(z).map_err(|e| format!("{e:?}"));
    if one == "." && *sel < 2 {
        // The root (which the zone crate's names cannot be): hickory's DS of IANA's root key.
        let key = dnskey::parse_dnskey(two).map_err(|e| e.to_string())?;
        if *sel == 0 {
            return Ok(());
        }
        let ds = dnssec::ds_from_text("", three.trim())?;
        return match ds.covers(&Name::root(), &key) {
            Ok(true) => Ok(()),
            other => Err(format!("the root DS does not cover its key: {other:?}")),
        };
    }
    match sel {
        0 => dnskey::ds_record(&zone(one)?, two, dnskey::DsDigest::Sha256)
            .map(drop)
            .map_err(|e| e.to_string()),
        1 if ksk::ds_matches(&zone(one)?, two, three) => Ok(()),
        1 => Err("the DS is not the key's".into()),
        2 => dnskey::check_public_key(rest[0], &String::from_utf8_lossy(&rest[1..]))
            .map(drop)
            .map_err(|e| e.to_string()),
        3 => {
            let policy = ksk::check_policy(one, two, three);
            match (name, policy) {
                ("kms-route53-policy", Ok(_)) => {
                    ksk::check_region(one).map(drop).map_err(|e| e.to_string())
                }
                ("kms-default-policy", Err(ksk::KskError::PolicyMissing { .. })) => Ok(()),
                ("kms-other-region", _) => match ksk::check_region(one) {
                    Err(ksk::KskError::Region { .. }) => Ok(()),
                    other => Err(format!("{other:?}")),
                },
                (_, other) => Err(format!("{other:?}")),
            }
        }
        4 => ksk::public_key_from_spki(rest)
            .map(drop)
            .map_err(|e| e.to_string()),
        5 if name.starts_with("anchor") => dnssec::parse_trust_anchor(&text).map(drop),
        5 => dnssec::ds_from_text(one, two).map(drop),
        _ => {
            let m = hickory_proto::op::Message::from_vec(rest).map_err(|e| e.to_string())?;
            let q = m.queries().first().ok_or("no question")?;
            let zone = Name::from_ascii("example.com.").map_err(|e| e.to_string())?;
            let ds: Vec<_> = m.additionals().to_vec();
            if name == "msg-signed-a" {
                // The DNSKEY set the DS names, then the answer with those keys.
                let keys = dnssec::trusted_keys(&m, &zone, &ds)?;
                match dnssec::check_answer(&m, q.name(), q.query_type(), &zone, &keys) {
                    Security::Secure => Ok(()),
                    other => Err(other.to_string()),
                }
            } else {
                let keys: Vec<_> = m
                    .additionals()
                    .iter()
                    .filter_map(|r| match r.data() {
                        hickory_proto::rr::RData::DNSSEC(
                            hickory_proto::dnssec::rdata::DNSSECRData::DNSKEY(k),
                        ) => Some(k.clone()),
                        _ => None,
                    })
                    .collect();
                if q.query_type() == hickory_proto::rr::RecordType::DS {
                    match dnssec::ds_set(&m, q.name(), &zone, &keys)? {
                        None => Ok(()),
                        Some(_) => Err("a DS set, not its absence".into()),
                    }
                } else {
                    match dnssec::check_answer(&m, q.name(), q.query_type(), &zone, &keys) {
                        Security::Secure => Ok(()),
                        other => Err(other.to_string()),
                    }
                }
            }
        }
    }
}

/// The dnssec seeds include signed answers (a generator that failed to sign would leave the
/// validator arm with nothing to start from).
#[test]
fn dnssec_seeds_cover_every_reader() {
    let seeds = r53_fuzz::seeds::all(&workspace());
    for sel in 0..7u8 {
        assert!(
            seeds
                .iter()
                .any(|(t, _, b)| *t == "dnssec" && b.first() == Some(&sel)),
            "no dnssec seed for selector {sel}"
        );
    }
}

/// The replay fails when an input panics: the panic is reported with the input, not swallowed.
#[test]
#[should_panic(expected = "inputs that panic:\nboom.bin: boom")]
fn a_panicking_input_fails_the_replay() {
    fn boom(_: &[u8]) {
        panic!("boom");
    }
    replay(vec![("boom.bin".into(), boom, b"x".to_vec())]);
}
