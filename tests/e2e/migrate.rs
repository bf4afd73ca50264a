//! r53-migrate import: zone files and real AXFR from Knot into the lab, read back record for
//! record; bad inputs refused with nothing written; interrupted applies resumed; safety and
//! checksum refusals; export-tf through real Terraform.

use std::path::Path;

use r53_lab::knot::{cutting_relay, Knot, LabKey, LabZone};
use r53_tests::*;

/// A tricky zone (no $ORIGIN: the origin comes from the command line, so the same text serves
/// under several names). Every type Route 53 hosts, multi-line SOA, escapes, long TXT, a
/// wildcard, a subdelegation with DS, an IDN, `@` in data, mixed TTLs, an unknown type.
const CORPUS: &str = r#"$TTL 3600
@   IN SOA ns1.old-host.net. hostmaster.old-host.net. (
        2024010101 ; serial
        7200       ; refresh
        3600       ; retry
        1209600    ; expire
        300 )      ; minimum
@       IN NS    ns1.old-host.net.
@       IN NS    ns2.old-host.net.
@       IN A     192.0.2.10
@       IN AAAA  2001:db8::10
@       IN MX    10 mail
@       IN MX    20 mail2.example.net.
@       IN TXT   "v=spf1 include:_spf.example.net -all"
@       IN SPF   "v=spf1 -all"
@       IN CAA   0 issue "letsencrypt.org"
@       IN CAA   0 iodef "mailto:security@example.org"
www     IN CNAME @
mail    300 IN A 192.0.2.20
mail    60  IN A 192.0.2.21
mail2   IN A     192.0.2.22
*       IN A     192.0.2.30
*.dev   IN TXT   "wildcard under dev"
quote   IN TXT   "say \"hi\"; then \\ leave" "second string"
long    IN TXT   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
multi   IN TXT   ( "first line"
                   "second line" )
_sip._tcp IN SRV 10 60 5060 sip
sip     IN AAAA  2001:db8::1
10      IN PTR   host.example.net.
_443._tcp.www IN TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
host    IN SSHFP 4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789
naptr   IN NAPTR 100 10 "U" "E2U+sip" "!^.*$!sip:info@example.com!" .
svc     IN SVCB  1 svc-host.example.net. alpn=h2,h3 port=8443
svc-h   IN HTTPS 1 . alpn=h2
child   IN NS    ns1.child-host.net.
child   IN NS    ns2.child-host.net.
child   IN DS    12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB
xn--bcher-kva IN A 192.0.2.40
legacy  IN TYPE65534 \# 4 0A000001
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn the_zone(lab: &Lab, c: &aws_sdk_route53::Client, name: &str) -> String {
    let z = zones_named(lab, c, name);
    assert_eq!(z.len(), 1, "exactly one zone {name}: {z:?}");
    z[0].clone()
}

#[test]
fn zone_file_and_axfr_import_identically_and_read_back() {
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let file = write(d.path(), "corpus.zone", CORPUS);
    let f = file.to_str().unwrap();

    // The unknown type is refused by default, naming it; nothing is written.
    let r = migrate(
        &lab,
        &["import", "file.example", "--from", f, "--apply"],
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    assert!(
        r.stderr.contains("TYPE65534") && r.stderr.contains("--skip-unsupported"),
        "{}",
        r.text()
    );
    assert!(zones_named(&lab, &c, "file.example").is_empty());
    assert_eq!(lab.proxy.stats().writes(), 0);

    // Dry run (the default): exit 2, a plan with a checksum, still nothing written.
    let r = migrate(
        &lab,
        &[
            "import",
            "file.example",
            "--from",
            f,
            "--skip-unsupported",
            "--json",
        ],
        d.path(),
    );
    assert_eq!(r.code, 2, "{}", r.text());
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).expect("json plan");
    assert_eq!(plan["zone_exists"], false);
    let notes = plan["notes"].to_string();
    for want in [
        "apex_ns_kept",
        "mixed_ttl",
        "subdelegation",
        "wildcard",
        "idn",
        "unsupported_skipped",
    ] {
        assert!(notes.contains(want), "note {want} missing: {notes}");
    }
    let checksum = plan["checksum"].as_str().unwrap().to_string();
    assert_eq!(lab.proxy.stats().writes(), 0);

    // Apply pinned to the reviewed plan.
    let r = migrate(
        &lab,
        &[
            "import",
            "file.example",
            "--from",
            f,
            "--skip-unsupported",
            "--apply",
            "--checksum",
            &checksum,
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    r.expect_stderr("read-back: all");
    let file_zone = the_zone(&lab, &c, "file.example");
    let from_file = relative_sets(&lab, &c, &file_zone, "file.example");
    // Route 53's own apex NS, not the old host's.
    let ns: Vec<_> = list_sets(&lab, &c, &file_zone)
        .into_iter()
        .filter(|s| s.0 == "file.example." && s.1 == "NS")
        .collect();
    assert!(ns[0].4.iter().all(|v| v.contains("awsdns")), "{ns:?}");
    // Long TXT split at 255, mixed TTL → lowest, @ in data → origin.
    let long = from_file.iter().find(|s| s.0 == "long.@.").unwrap();
    assert!(
        long.4[0].starts_with("\"aaaa") && long.4[0].contains("\" \"bbbb"),
        "two strings kept: {long:?}"
    );
    let mail = from_file
        .iter()
        .find(|s| s.0 == "mail.@." && s.1 == "A")
        .unwrap();
    assert_eq!(mail.3, Some(60));
    let www = from_file.iter().find(|s| s.0 == "www.@.").unwrap();
    assert_eq!(www.4, vec!["@.".to_string()]);

    // Same text served by Knot, transferred over the wire, imported into a second zone.
    let knot =
        Knot::serving("axfr.example", format!("$ORIGIN axfr.example.\n{CORPUS}")).expect("knotd");
    let src = format!("axfr://{}", knot.addr);
    // A zone this run creates is not listed at all when the read-back is skipped: the plan
    // needs no listing of a zone that does not exist yet.
    lab.proxy.reset_stats();
    let r = migrate(
        &lab,
        &[
            "import",
            "axfr.example",
            "--from",
            &src,
            "--skip-unsupported",
            "--apply",
            "--no-read-back",
            "--json",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.text(), knot.log());
    let out: serde_json::Value = serde_json::from_str(&r.stdout).expect("json result");
    assert_eq!(out["result"]["read_back"], "skipped", "{}", r.text());
    r.expect_stderr("read-back skipped");
    let stats = lab.proxy.stats();
    assert_eq!(stats.get("ListResourceRecordSets"), 0, "{stats:?}");
    assert_eq!(stats.get("ChangeResourceRecordSets"), 1, "{stats:?}");
    let axfr_zone = the_zone(&lab, &c, "axfr.example");
    assert_eq!(
        relative_sets(&lab, &c, &axfr_zone, "axfr.example"),
        from_file,
        "AXFR and zone file imports differ"
    );

    // A second run finds nothing to do (exit 0), and so does a Route 53 → Route 53 copy check.
    let r = migrate(
        &lab,
        &[
            "import",
            "axfr.example",
            "--from",
            &src,
            "--skip-unsupported",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    r.expect_stdout("No changes");
    let from_r53 = format!("route53:{axfr_zone}");
    let r = migrate(
        &lab,
        &[
            "import",
            "axfr.example",
            "--from",
            &from_r53,
            "--zone-id",
            &file_zone,
        ],
        d.path(),
    );
    assert_eq!(
        r.code,
        1,
        "zone id of another name is refused: {}",
        r.text()
    );
}

#[test]
fn check_reports_a_zone_without_touching_route53() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "corpus.zone", CORPUS);
    let r = migrate(
        &lab,
        &[
            "check",
            "example.org",
            "--from",
            p.to_str().unwrap(),
            "--skip-unsupported",
            "--json",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("check --json");
    assert_eq!(v["zone"], "example.org");
    // Six apex sets (A AAAA MX TXT SPF CAA; SOA and NS stay Route 53's own) and 19 below it; the
    // TYPE65534 record is skipped.
    let sets = v["record_sets"].as_u64().unwrap();
    assert_eq!(sets, 25, "{}", r.stdout);
    assert_eq!(v["records"], 29, "{}", r.stdout);
    let notes: Vec<&str> = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["message"].as_str())
        .collect();
    for want in ["TYPE65534", "lowest"] {
        assert!(
            notes.iter().any(|n| n.contains(want)),
            "a note about {want}: {notes:?}"
        );
    }
    // The human form says the same, and nothing reached (the lab's) Route 53.
    let r = migrate(
        &lab,
        &[
            "check",
            "example.org",
            "--from",
            p.to_str().unwrap(),
            "--skip-unsupported",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    assert!(
        r.stdout.contains(&format!("{sets} record sets")),
        "{}",
        r.stdout
    );
    assert_eq!(lab.proxy.stats().total(), 0, "{:?}", lab.proxy.stats());
}

/// A zone name typed in Unicode is the punycode zone (one conversion, as the provider's); a name
/// that cannot be one is refused naming it, before anything is read.
#[test]
fn zone_names_in_unicode_are_converted_and_bad_ones_refused() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "idn.zone",
        "$ORIGIN xn--bcher-kva.example.\n$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\nwww IN A 192.0.2.1\n",
    );
    let r = migrate(
        &lab,
        &[
            "check",
            "Bücher.example",
            "--from",
            p.to_str().unwrap(),
            "--json",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("check --json");
    assert_eq!(v["zone"], "xn--bcher-kva.example", "{}", r.stdout);
    assert_eq!(v["record_sets"], 1, "{}", r.stdout);
    for (zone, why) in [
        ("bad..example", "empty label"),
        (
            "a\u{fffd}b.example",
            "not a valid internationalised domain name",
        ),
    ] {
        let r = migrate(
            &lab,
            &["check", zone, "--from", p.to_str().unwrap()],
            d.path(),
        );
        assert_eq!(r.code, 1, "{zone}: {}", r.text());
        assert!(
            r.stderr.contains("zone name:") && r.stderr.contains(why),
            "{zone}: {}",
            r.text()
        );
    }
    let r = migrate(&lab, &["cutover", "example", "--to-zone", "Z1"], d.path());
    assert_eq!(r.code, 1, "{}", r.text());
    assert!(r.stderr.contains("is a top-level domain"), "{}", r.text());
    assert_eq!(lab.proxy.stats().total(), 0, "{:?}", lab.proxy.stats());
}

#[test]
fn bad_sources_are_refused_precisely_and_write_nothing() {
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let soa = "$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\n";
    let cases: Vec<(&str, String, &[&str], &str)> = vec![
        (
            "syntax.zone",
            format!("{soa}ok IN A 192.0.2.1\nbad IN A 300.1.2.3\n"),
            &[],
            "syntax.zone:4:",
        ),
        (
            "apex.zone",
            format!("{soa}@ IN CNAME elsewhere.example.net.\n"),
            &[],
            "alias",
        ),
        (
            "unsupported.zone",
            format!(
                "{soa}h IN HINFO \"PC\" \"Linux\"\nl IN LOC 52 22 23.000 N 4 53 32.000 E -2.00m\n"
            ),
            &[],
            "HINFO",
        ),
        (
            "big.zone",
            format!(
                "{soa}{}",
                (0..20)
                    .map(|i| format!("h{i} IN A 192.0.2.{i}\n"))
                    .collect::<String>()
            ),
            &["--max-record-sets", "10"],
            "exceed the limit",
        ),
        (
            "esc.zone",
            format!("{soa}$INCLUDE ../outside.zone\n"),
            &[],
            "outside the zone file's folder",
        ),
    ];
    for (name, text, extra, want) in cases {
        let p = write(d.path(), name, &text);
        let mut args = vec![
            "import",
            "bad.example",
            "--from",
            p.to_str().unwrap(),
            "--apply",
        ];
        args.extend_from_slice(extra);
        let r = migrate(&lab, &args, d.path());
        assert_eq!(r.code, 1, "{name}: {}", r.text());
        assert!(
            r.stderr.contains(want),
            "{name}: wanted {want:?} in {}",
            r.text()
        );
        // `check` refuses the same file for the same reason.
        let mut args = vec!["check", "bad.example", "--from", p.to_str().unwrap()];
        args.extend_from_slice(extra);
        let r = migrate(&lab, &args, d.path());
        assert_eq!(r.code, 1, "check {name}: {}", r.text());
        assert!(
            r.stderr.contains(want),
            "check {name}: wanted {want:?} in {}",
            r.text()
        );
        if name == "unsupported.zone" {
            assert!(
                r.stderr.contains("LOC"),
                "both unsupported types listed at once: {}",
                r.text()
            );
        }
    }
    // A zone file is checked before any AWS call.
    assert_eq!(lab.proxy.stats().total(), 0, "{:?}", lab.proxy.stats());

    // AXFR: refused (no transfer ACL), TSIG failure, and a transfer cut off mid-way.
    let key = LabKey {
        name: "xfr-key".into(),
        secret_b64: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ==".into(),
    };
    let big: String = (0..3000)
        .map(|i| format!("host{i} IN TXT \"padding padding padding padding {i}\"\n"))
        .collect();
    let knot = Knot::start(
        &[
            LabZone {
                name: "closed.example".into(),
                text: format!("$ORIGIN closed.example.\n{soa}www IN A 192.0.2.1\n"),
                transfer: false,
                signed: false,
            },
            LabZone {
                name: "signed.example".into(),
                text: format!("$ORIGIN signed.example.\n{soa}{big}"),
                transfer: true,
                signed: false,
            },
        ],
        Some(&key),
    )
    .expect("knotd");
    let src = format!("axfr://{}", knot.addr);
    let r = migrate(
        &lab,
        &["import", "closed.example", "--from", &src, "--apply"],
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    assert!(
        r.stderr.to_lowercase().contains("refused") || r.stderr.contains("NOTAUTH"),
        "{}",
        r.text()
    );

    let r = migrate(
        &lab,
        &["import", "signed.example", "--from", &src, "--apply"],
        d.path(),
    );
    assert_eq!(r.code, 1, "no key: {}", r.text());
    let mut cmd = migrate_cmd(
        &lab,
        &["import", "signed.example", "--from", &src, "--apply"],
        d.path(),
    );
    cmd.env(
        "R53_MIGRATE_TSIG_KEY",
        "hmac-sha256:xfr-key:d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldCE=",
    );
    let r = run_cmd(cmd);
    assert_eq!(r.code, 1, "wrong secret: {}", r.text());
    assert!(
        !r.stderr.contains("d3Jvbmct"),
        "the secret never appears in output"
    );
    assert_eq!(
        lab.proxy.stats().writes(),
        0,
        "nothing written by any failed source"
    );

    // Cut after 20 kB of a ~200 kB transfer: incomplete, nothing imported.
    let relay = lab.rt.block_on(cutting_relay(knot.addr, 20_000)).unwrap();
    let key_file = write(d.path(), "key", &key.spec());
    let cut = format!("axfr://{relay}");
    let r = migrate(
        &lab,
        &[
            "import",
            "signed.example",
            "--from",
            &cut,
            "--tsig-key-file",
            key_file.to_str().unwrap(),
            "--apply",
        ],
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    assert!(zones_named(&lab, &c, "signed.example").is_empty());

    // With the right key from a file, the transfer works.
    let r = migrate(
        &lab,
        &[
            "import",
            "signed.example",
            "--from",
            &src,
            "--tsig-key-file",
            key_file.to_str().unwrap(),
            "--apply",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}\n{}", r.text(), knot.log());
    let z = the_zone(&lab, &c, "signed.example");
    assert_eq!(relative_sets(&lab, &c, &z, "signed.example").len(), 3000);
}

#[test]
fn safety_and_checksum_refusals() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let soa = "$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\n";
    let full: String = (0..20)
        .map(|i| format!("h{i} IN A 192.0.2.{i}\n"))
        .collect();
    let p = write(d.path(), "z.zone", &format!("{soa}{full}"));
    let f = p.to_str().unwrap();
    let r = migrate(
        &lab,
        &["import", "safe.example", "--from", f, "--apply"],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    // The source lost half its records: deleting 10 of 20 is over 30 %.
    let half: String = (0..10)
        .map(|i| format!("h{i} IN A 192.0.2.{i}\n"))
        .collect();
    write(d.path(), "z.zone", &format!("{soa}{half}"));
    let r = migrate(
        &lab,
        &["import", "safe.example", "--from", f, "--apply"],
        d.path(),
    );
    assert_eq!(r.code, 3, "{}", r.text());
    assert!(
        r.stdout.contains("deletes 10") && r.stdout.contains("delete h15.safe.example A"),
        "{}",
        r.text()
    );
    // A checksum from another plan is refused too.
    let r = migrate(
        &lab,
        &[
            "import",
            "safe.example",
            "--from",
            f,
            "--apply",
            "--force",
            "--checksum",
            "0000000000000000",
        ],
        d.path(),
    );
    assert_eq!(r.code, 3, "{}", r.text());
    let r = migrate(
        &lab,
        &["import", "safe.example", "--from", f, "--apply", "--force"],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
}

#[test]
fn interrupted_applies_resume_to_the_identical_zone() {
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let soa = "$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\n";
    let body: String = (0..30)
        .map(|i| format!("h{i} IN A 192.0.2.{i}\nt{i} IN TXT \"record {i}\"\n"))
        .collect();
    let p = write(d.path(), "z.zone", &format!("{soa}{body}"));
    let f = p.to_str().unwrap();
    let args = |zone: &'static str| {
        vec![
            "import",
            zone,
            "--from",
            f,
            "--apply",
            "--max-batch-changes",
            "7",
        ]
    };
    let r = migrate(&lab, &args("ref.example"), d.path());
    assert_eq!(r.code, 0, "{}", r.text());
    let reference = relative_sets(&lab, &c, &the_zone(&lab, &c, "ref.example"), "ref.example");
    assert_eq!(reference.len(), 60);

    const ZONES: [&str; 12] = [
        "k1.example",
        "k2.example",
        "k3.example",
        "k4.example",
        "k5.example",
        "k6.example",
        "k7.example",
        "k8.example",
        "k9.example",
        "k10.example",
        "k11.example",
        "k12.example",
    ];
    let mut points = std::collections::BTreeSet::new();
    for (i, zone) in ZONES.iter().enumerate() {
        // Kill after the (2 + 2i)-th AWS request: in planning, zone creation, a batch or its wait.
        let kill_at = 2 + 2 * i as u64;
        lab.proxy.reset_stats();
        let mut child = migrate_cmd(&lab, &args(zone), d.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let killed_at = loop {
            let n = lab.proxy.stats().total();
            if n >= kill_at {
                child.kill().unwrap();
                break n;
            }
            if let Some(st) = child.try_wait().unwrap() {
                panic!("{zone}: finished ({st}) before request {kill_at}");
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        let _ = child.wait();
        points.insert(killed_at);
        let journal = d.path().join(format!("r53-migrate-{zone}.journal.json"));
        let r = if journal.exists() {
            migrate(&lab, &["import", zone, "--resume"], d.path())
        } else {
            // Killed while planning: nothing was journaled, so a plain re-run is the resume.
            migrate(&lab, &args(zone), d.path())
        };
        assert_eq!(
            r.code,
            0,
            "{zone} (killed at request {killed_at}): {}",
            r.text()
        );
        assert!(!journal.exists(), "journal removed after success");
        let got = relative_sets(&lab, &c, &the_zone(&lab, &c, zone), zone);
        assert_eq!(got, reference, "{zone} killed at request {killed_at}");
    }
    assert!(points.len() >= 10, "distinct kill points: {points:?}");
}

#[test]
fn export_tf_plans_as_imports_only_then_empty() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "corpus.zone", CORPUS);
    let r = migrate(
        &lab,
        &[
            "import",
            "tf.example",
            "--from",
            p.to_str().unwrap(),
            "--skip-unsupported",
            "--apply",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    for per_record in [false, true] {
        let tf = lab.terraform(TfBin::Lib).unwrap();
        let out = tf.path().to_str().unwrap().to_string();
        let mut args = vec!["export-tf", "tf.example", "--out", out.as_str()];
        if per_record {
            args.push("--per-record");
        }
        let r = migrate(&lab, &args, d.path());
        assert_eq!(r.code, 0, "{}", r.text());
        let plan = tf.run(&["plan", "-no-color", "-input=false"]).unwrap();
        assert_eq!(plan.code, 0, "{}", plan.text());
        let text = plan.text();
        assert!(
            text.contains("0 to add, 0 to change, 0 to destroy") && text.contains("to import"),
            "per_record={per_record}: {text}"
        );
        let a = tf
            .run(&["apply", "-auto-approve", "-no-color", "-input=false"])
            .unwrap();
        assert_eq!(a.code, 0, "{}", a.text());
        let p2 = tf.plan().unwrap();
        assert_eq!(
            p2.code,
            0,
            "plan after import not empty (per_record={per_record}): {}",
            p2.text()
        );
    }
}

/// A Route 53 → Route 53 copy (zone-to-zone move): aliases to names inside the source zone point
/// into the target zone afterwards; aliases elsewhere are copied as they are.
#[test]
fn route53_copy_points_internal_aliases_at_the_target_zone() {
    use aws_sdk_route53::types::{
        AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
    };
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let p = write(
        d.path(),
        "move.zone",
        "$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\n@ IN A 192.0.2.1\nwww IN A 192.0.2.2\n",
    );
    let r = migrate(
        &lab,
        &[
            "import",
            "move.example",
            "--from",
            p.to_str().unwrap(),
            "--apply",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    let src = the_zone(&lab, &c, "move.example");
    let alias = |name: &str, target: &str, zone: &str| {
        Change::builder()
            .action(ChangeAction::Upsert)
            .resource_record_set(
                ResourceRecordSet::builder()
                    .name(name)
                    .r#type(RrType::A)
                    .alias_target(
                        AliasTarget::builder()
                            .hosted_zone_id(zone)
                            .dns_name(target)
                            .evaluate_target_health(false)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    // The other target: a second zone of that name, made ahead (as Terraform would).
    let (other, target) = lab.rt.block_on(async {
        let mk = |name: &'static str, r: &'static str| {
            c.create_hosted_zone().name(name).caller_reference(r).send()
        };
        let other = mk("elsewhere.example", "e2e-elsewhere").await.unwrap();
        let target = mk("move.example", "e2e-move-target").await.unwrap();
        let id = |o: &aws_sdk_route53::operation::create_hosted_zone::CreateHostedZoneOutput| {
            o.hosted_zone()
                .unwrap()
                .id()
                .trim_start_matches("/hostedzone/")
                .to_string()
        };
        (id(&other), id(&target))
    });
    lab.rt.block_on(async {
        c.change_resource_record_sets()
            .hosted_zone_id(&src)
            .change_batch(
                ChangeBatch::builder()
                    .changes(alias("inner.move.example.", "www.move.example.", &src))
                    .changes(alias("outer.move.example.", "elsewhere.example.", &other))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    });
    let r = migrate(
        &lab,
        &[
            "import",
            "move.example",
            "--from",
            &format!("route53:{src}"),
            "--zone-id",
            &target,
            "--apply",
            "--json",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    assert!(
        r.stdout
            .contains("1 alias record(s) point into the source zone"),
        "{}",
        r.text()
    );
    let aliases: Vec<(String, String)> = lab.rt.block_on(async {
        let o = c
            .list_resource_record_sets()
            .hosted_zone_id(&target)
            .send()
            .await
            .unwrap();
        o.resource_record_sets()
            .iter()
            .filter_map(|s| {
                s.alias_target()
                    .map(|a| (s.name().to_string(), a.hosted_zone_id().to_string()))
            })
            .collect()
    });
    assert_eq!(
        aliases,
        vec![
            ("inner.move.example.".to_string(), target.clone()),
            ("outer.move.example.".to_string(), other.clone()),
        ]
    );
    // And the copy is now equal to its source (with that one rewrite): nothing left to do.
    let r = migrate(
        &lab,
        &[
            "import",
            "move.example",
            "--from",
            &format!("route53:{src}"),
            "--zone-id",
            &target,
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
}
