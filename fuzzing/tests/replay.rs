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
            _ => Ok(()),
        };
        assert!(ok.is_ok(), "seed {t}/{n}: {ok:?}");
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
