//! Bounds on hostile or mistaken input, end to end: a zone transfer larger than its limits ends
//! with an error naming the limit and its flag, and nothing is written; count and duration flags
//! out of range, and provider timeouts that would overflow, are refused before any I/O.

use r53_lab::knot::{Knot, LabZone};
use r53_tests::*;

#[test]
fn a_transfer_over_its_limits_is_refused_and_nothing_is_written() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let soa = "$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\n";
    let big: String = (0..3000)
        .map(|i| format!("host{i} IN TXT \"padding padding padding padding {i}\"\n"))
        .collect();
    let knot = Knot::start(
        &[LabZone {
            name: "big.example".into(),
            text: format!("$ORIGIN big.example.\n{soa}{big}"),
            transfer: true,
            signed: false,
        }],
        None,
    )
    .expect("knotd");
    let src = format!("axfr://{}", knot.addr);
    lab.proxy.reset_stats();
    for (flag, value, want) in [
        (
            "--max-records",
            "100",
            "went over the limit of 100 records (--max-records, default 2000000; raise it for a zone this large); nothing was imported",
        ),
        (
            "--max-transfer-bytes",
            "16KiB",
            "went over the limit of 16384 bytes (--max-transfer-bytes, default 256MiB;",
        ),
    ] {
        let r = migrate(
            &lab,
            &["import", "big.example", "--from", &src, "--apply", flag, value],
            d.path(),
        );
        assert_eq!(r.code, 1, "{}", r.text());
        r.expect_stderr(want);
    }
    // `check` shares the source flags.
    let r = migrate(
        &lab,
        &[
            "check",
            "big.example",
            "--from",
            &src,
            "--max-records",
            "10",
        ],
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    r.expect_stderr("limit of 10 records (--max-records");
    assert_eq!(
        lab.proxy.stats().writes(),
        0,
        "nothing is written after a refused transfer"
    );
    // Within the limits the same zone transfers (the limits are not simply always hit).
    let r = migrate(
        &lab,
        &[
            "check",
            "big.example",
            "--from",
            &src,
            "--max-records",
            "3002",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
}

#[test]
fn flags_out_of_range_are_refused_before_any_io() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    lab.proxy.reset_stats();
    let cut = |extra: &[&str]| {
        let mut a = vec![
            "cutover",
            "shop.test",
            "--to-zone",
            "Z1",
            "--names",
            "/nonexistent",
        ];
        a.extend_from_slice(extra);
        migrate(&lab, &a, d.path())
    };
    for (args, want) in [
        (
            &["--concurrency", "5000"][..],
            "--concurrency must be from 1 to 1024",
        ),
        (
            &["--concurrency", "0"][..],
            "--concurrency must be from 1 to 1024",
        ),
        (
            &["--max-queries", "0"][..],
            "--max-queries must be from 1 to 100000",
        ),
        (
            &["--wait", "99999999999999999999d"][..],
            "\"99999999999999999999d\" is too long: durations are limited to 365d",
        ),
        (
            &["--walk-timeout", "18446744073709551615s1s"][..],
            "is too long: durations are limited to 365d",
        ),
        (
            &["--max-transfer-bytes", "99999999999G"][..],
            "is too large: at most 16GiB",
        ),
    ] {
        let r = cut(args);
        // A usage error is exit 1 (error), not 2 (which means "waiting, resume later").
        assert_eq!(r.code, 1, "{args:?}: {}", r.text());
        r.expect_stderr(want);
    }
    let r = migrate(
        &lab,
        &[
            "import",
            "big.example",
            "--from",
            "x.zone",
            "--max-records",
            "0",
        ],
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    r.expect_stderr("--max-records must be from 1 to 100000000");
    assert_eq!(
        lab.proxy.stats().total(),
        0,
        "no call before the flags are valid"
    );
}

#[test]
fn provider_durations_that_overflow_are_refused_at_validate() {
    let lab = lab();
    let tf = lab.terraform(TfBin::Lib).unwrap();
    tf.write(
        "terraform {\n  required_providers {\n    r53 = { source = \"r53/r53\" }\n  }\n}\n\
         provider \"r53\" {}\n\
         resource \"r53_delegation\" \"d\" {\n  domain = \"shop.test\"\n  registrar = \"external\"\n  \
         name_servers = [\"ns1.example.net\"]\n  timeouts {\n    create = \"99999999999999999999d\"\n  }\n}\n",
    )
    .unwrap();
    lab.proxy.reset_stats();
    let o = tf.run(&["plan", "-no-color", "-input=false"]).unwrap();
    assert_eq!(o.code, 1, "{}", o.text());
    // Terraform wraps diagnostic text: look for words, not the whole sentence.
    for want in ["Invalid timeout", "99999999999999999999d", "365d"] {
        assert!(o.stderr.contains(want), "{want}: {}", o.text());
    }
    assert_eq!(lab.proxy.stats().total(), 0, "{:?}", lab.proxy.stats());
}
