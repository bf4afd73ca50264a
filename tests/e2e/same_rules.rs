//! One rule engine: `r53-migrate import` and `r53_records` are fed the same zone and the same
//! wanted record sets, and refuse with the same words (`plan::diff` + `plan::safety` behind both).

use r53_tests::*;

const ZONE: &str = "rules.example";
const SOA: &str = "$TTL 300\n@ IN SOA ns1.old. h.old. 1 7200 3600 1209600 300\n";

/// Record sets h{from}..h{to} as zone-file lines and as labelled `record` blocks.
fn zone_file(range: std::ops::Range<usize>) -> String {
    let sets: String = range.map(|i| format!("h{i} IN A 192.0.2.{i}\n")).collect();
    format!("{SOA}{sets}")
}

fn records(range: std::ops::Range<usize>, zone_id: &str, settings: &str) -> String {
    let blocks: String = range
        .map(|i| {
            format!(
                "  record \"h{i} A\" {{\n    name = \"h{i}.{ZONE}\"\n    type = \"A\"\n    ttl = 300\n    records = [\"192.0.2.{i}\"]\n  }}\n"
            )
        })
        .collect();
    format!(
        "terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\n\
         import {{\n  to = r53_records.all\n  id = \"{zone_id}\"\n}}\n\
         resource \"r53_records\" \"all\" {{\n  zone_id = \"{zone_id}\"\n  mode = \"exclusive\"\n{settings}\n{blocks}}}\n"
    )
}

/// Text as one line: Terraform wraps a diagnostic's lines and frames them with `│`.
fn one_line(s: &str) -> String {
    s.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn import_and_r53_records_refuse_alike() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir()?;
    let f = d.path().join("z.zone");
    let f_arg = f.to_str().unwrap_or_default().to_string();
    std::fs::write(&f, zone_file(0..20))?;
    let r = migrate(
        &lab,
        &["import", ZONE, "--from", &f_arg, "--apply"],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    let ids = zones_named(&lab, &c, &format!("{ZONE}."));
    assert_eq!(ids.len(), 1, "{ids:?}");
    let zid = ids[0].clone();

    // A mass change: the source lost 8 of its 20 record sets.
    let mass = [
        "deletes 8 and updates 0 of the zone's 20 record sets (40%), over the 30% limit:",
        "delete h12.rules.example A",
        "delete h19.rules.example A",
    ];
    std::fs::write(&f, zone_file(0..12))?;
    let r = migrate(&lab, &["import", ZONE, "--from", &f_arg], d.path());
    assert_eq!(r.code, 3, "{}", r.text());
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&records(0..12, &zid, ""))?;
    let p = tf.plan_fails()?;
    let (cli, provider) = (one_line(&r.stdout), one_line(&p.stderr));
    for want in mass {
        assert!(cli.contains(want), "r53-migrate: {want:?}\n{}", r.text());
        assert!(
            provider.contains(want),
            "r53_records: {want:?}\n{}",
            p.text()
        );
    }
    assert!(provider.contains("Mass change refused"), "{}", p.text());

    // The quota: 25 record sets and the apex SOA and NS against a quota of 26.
    let quota = "25 record sets (+ SOA and NS) exceed the limit of 26 per hosted zone";
    std::fs::write(&f, zone_file(0..25))?;
    let r = migrate(
        &lab,
        &[
            "import",
            ZONE,
            "--from",
            &f_arg,
            "--max-record-sets",
            "26",
            "--force",
        ],
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    assert!(one_line(&r.text()).contains(quota), "{}", r.text());
    tf.write(&records(
        0..25,
        &zid,
        "  max_record_sets = 26\n  allow_mass_change = true",
    ))?;
    let p = tf.plan_fails()?;
    assert!(
        one_line(&p.stderr).contains(quota) && p.stderr.contains("Zone too large"),
        "{}",
        p.text()
    );
    // Within both limits, both plan the same five creations and nothing else.
    let r = migrate(
        &lab,
        &["import", ZONE, "--from", &f_arg, "--max-record-sets", "27"],
        d.path(),
    );
    assert_eq!(r.code, 2, "a dry run with changes: {}", r.text());
    assert!(
        r.stdout
            .contains("Plan: 5 to create, 0 to update, 0 to delete"),
        "{}",
        r.text()
    );
    tf.write(&records(0..25, &zid, "  max_record_sets = 27"))?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout
            .contains("1 to import, 0 to add, 1 to change, 0 to destroy"),
        "{}",
        p.stdout
    );
    let added = block_lines(&p.stdout);
    assert_eq!(
        added,
        [
            "+ record \"h20 A\" {",
            "+ record \"h21 A\" {",
            "+ record \"h22 A\" {",
            "+ record \"h23 A\" {",
            "+ record \"h24 A\" {"
        ],
        "{}",
        p.stdout
    );
    Ok(())
}
