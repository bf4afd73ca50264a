//! r53-migrate cutover, rollback and status: hosting-only migrations end to end in the lab. The
//! old host is Knot (ns1/ns2.old-dns.test), the new host the lab's Route 53 name servers serving
//! the emulated zone, the parent the lab's TLD registry; the registrar is Route 53 Domains (the
//! lab's) or "elsewhere" (the test plays it by changing the registry directly).

use std::path::Path;
use std::time::{Duration, Instant};

use r53_lab::knot::{Knot, LabZone};
use r53_lab::OLD_HOST_NS;
use r53_tests::*;

/// The zone as the old host serves it (origin from the zone name). NS TTL 3 s: the monitor waits
/// out the old delegation's TTL, and the lab's parent TTL is set to 2 s.
fn base_lines() -> Vec<(&'static str, &'static str)> {
    // (line, the same record set changed)
    vec![
        ("@ IN A 192.0.2.10", "@ IN A 192.0.2.11"),
        ("@ IN AAAA 2001:db8::10", "@ IN AAAA 2001:db8::11"),
        ("@ IN MX 10 mail", "@ IN MX 20 mail"),
        ("@ IN TXT \"v=spf1 -all\"", "@ IN TXT \"v=spf1 ~all\""),
        ("www IN CNAME @", "www IN CNAME mail"),
        ("mail IN A 192.0.2.20", "mail IN A 192.0.2.21"),
        ("api IN AAAA 2001:db8::5", "api IN AAAA 2001:db8::6"),
        (
            "_sip._tcp IN SRV 10 60 5060 sip",
            "_sip._tcp IN SRV 10 60 5061 sip",
        ),
        ("sip IN A 192.0.2.30", "sip IN A 192.0.2.31"),
        ("* IN A 192.0.2.99", "* IN A 192.0.2.98"),
        (
            "caa IN CAA 0 issue \"letsencrypt.org\"",
            "caa IN CAA 0 issue \"pki.goog\"",
        ),
        (
            "child IN NS ns1.child-host.net.",
            "child IN NS ns2.child-host.net.",
        ),
        (
            "txt2 IN TXT \"hello\" \"world\"",
            "txt2 IN TXT \"hello world\"",
        ),
    ]
}

fn zone_text(lines: &[String]) -> String {
    zone_text_ns_ttl(lines, 3)
}

fn zone_text_ns_ttl(lines: &[String], ns_ttl: u32) -> String {
    let mut s = format!(
        "$TTL 300\n@ 3600 IN SOA ns1.old-dns.test. hostmaster.old-dns.test. 1 7200 900 1209600 300\n@ {ns_ttl} IN NS ns1.old-dns.test.\n@ {ns_ttl} IN NS ns2.old-dns.test.\n",
    );
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

fn base() -> Vec<String> {
    base_lines().iter().map(|(l, _)| l.to_string()).collect()
}

fn old_set() -> Vec<String> {
    OLD_HOST_NS.iter().map(|s| s.to_string()).collect()
}

/// Delegates `domain` at the lab's TLD to `names` (no glue): published at once when `now`, else
/// after the registry's publish delay, as a third-party registrar's change would be.
fn delegate_to<S: AsRef<str>>(lab: &Lab, domain: &str, names: &[S], now: bool) {
    let set: Vec<(&str, &[&str])> = names.iter().map(|n| (n.as_ref(), &[][..])).collect();
    if now {
        lab.registry.delegate_published(domain, &set);
    } else {
        lab.registry.delegate(domain, &set);
    }
}

/// The NS set the parent (the registry) publishes for `domain`, asked over DNS.
fn parent_ns(lab: &Lab, domain: &str) -> Vec<String> {
    ns_at(lab, lab.registry.addr, domain)
}

fn zone_ns(lab: &Lab, c: &aws_sdk_route53::Client, zone_id: &str) -> Vec<String> {
    let mut ns: Vec<String> = lab.rt.block_on(async {
        c.get_hosted_zone()
            .id(zone_id)
            .send()
            .await
            .unwrap()
            .delegation_set()
            .map(|d| d.name_servers().to_vec())
            .unwrap_or_default()
    });
    ns.iter_mut()
        .for_each(|n| *n = n.trim_end_matches('.').to_lowercase());
    ns.sort();
    ns
}

/// Imports the zone Knot serves at ns1 into the lab's Route 53; returns the zone ID.
fn import(lab: &Lab, c: &aws_sdk_route53::Client, domain: &str, dir: &Path) -> String {
    let from = format!("axfr://{}:{}", r53_lab::old_host_ip(0), lab.dns_port());
    let r = migrate(lab, &["import", domain, "--from", &from, "--apply"], dir);
    assert_eq!(r.code, 0, "{}", r.text());
    let z = zones_named(lab, c, domain);
    assert_eq!(z.len(), 1, "{z:?}");
    z[0].clone()
}

fn import_file(
    lab: &Lab,
    c: &aws_sdk_route53::Client,
    domain: &str,
    text: &str,
    dir: &Path,
) -> String {
    let p = dir.join(format!("{domain}.zone"));
    std::fs::write(&p, text).unwrap();
    let r = migrate(
        lab,
        &[
            "import",
            domain,
            "--from",
            p.to_str().unwrap(),
            "--apply",
            "--no-read-back",
        ],
        dir,
    );
    assert_eq!(r.code, 0, "{}", r.text());
    zones_named(lab, c, domain).pop().expect("imported zone")
}

fn state_step(dir: &Path, domain: &str) -> String {
    let p = dir.join(format!("r53-migrate-{domain}.cutover.json"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["step"].as_str().unwrap_or_default().to_string()
}

fn old_host(lab: &Lab, zones: &[(&str, String)], second: Option<&[(&str, String)]>) -> Vec<Knot> {
    let lz = |z: &[(&str, String)]| -> Vec<LabZone> {
        z.iter()
            .map(|(n, t)| LabZone {
                name: n.to_string(),
                text: t.clone(),
                transfer: true,
                signed: false,
            })
            .collect()
    };
    let second = second.map(lz);
    lab.start_old_host(&lz(zones), second.as_deref())
        .expect("knot as the old host")
}

fn fast_parent(lab: &Lab) {
    lab.registry.set_delegation_ttl(2);
    lab.registry.set_publish_delay(Duration::from_millis(300));
}

const FAST: &[&str] = &["--poll", "200ms"];

fn args<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(extra).copied().collect()
}

/// A hosting-only migration ready for its cutover: the lab (parent TTL 2 s), Knot as the old host
/// serving the base zone with this NS TTL, the domain delegated to it (registered at the lab's
/// Route 53 Domains, or elsewhere), and the zone imported into Route 53 by AXFR.
struct Setup {
    lab: Lab,
    c: aws_sdk_route53::Client,
    d: tempfile::TempDir,
    zone: String,
    new: Vec<String>,
    _knots: Vec<Knot>,
}

fn hosting_only(domain: &str, ns_ttl: u32, at_route53: bool) -> Setup {
    let lab = lab();
    fast_parent(&lab);
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let knots = old_host(&lab, &[(domain, zone_text_ns_ttl(&base(), ns_ttl))], None);
    if at_route53 {
        register(&lab, domain);
    } else {
        delegate_to(&lab, domain, &OLD_HOST_NS, true);
    }
    let zone = import(&lab, &c, domain, d.path());
    let new = zone_ns(&lab, &c, &zone);
    Setup {
        lab,
        c,
        d,
        zone,
        new,
        _knots: knots,
    }
}

#[test]
fn cutover_with_an_external_registrar_then_rollback() {
    let domain = "shop.test";
    let Setup {
        lab,
        c: _,
        d,
        zone,
        new,
        _knots,
    } = hosting_only(domain, 3, false);

    // Preflight only (no --switch): passes, exit 2, nothing switched.
    let r = migrate(&lab, &["cutover", domain, "--to-zone", &zone], d.path());
    assert_eq!(r.code, 2, "{}", r.text());
    r.expect_stdout("identical answers");
    r.expect_stdout("Preflight passed");
    r.expect_stdout("DNSSEC: no DS at the parent");
    assert_eq!(state_step(d.path(), domain), "ready");
    assert_eq!(parent_ns(&lab, domain), old_set());

    // Starting again without --resume is refused: one cutover per domain at a time.
    let r = migrate(&lab, &["cutover", domain, "--to-zone", &zone], d.path());
    assert_eq!(r.code, 1, "{}", r.text());
    r.expect_stderr("--resume");

    let r = migrate(&lab, &["status", domain], d.path());
    assert_eq!(r.code, 0, "{}", r.text());
    r.expect_stdout("ready to switch");
    r.expect_stdout("(the old set)");

    // Switch: the operator is told what to set, the command waits, gives up (exit 2, resumable).
    let r = migrate(
        &lab,
        &args(
            &["cutover", domain, "--resume", "--switch", "--wait", "1s"],
            FAST,
        ),
        d.path(),
    );
    assert_eq!(r.code, 2, "{}", r.text());
    r.expect_stdout("set the name servers to exactly");
    for n in &new {
        assert!(r.stdout.contains(n.as_str()), "{n}: {}", r.text());
    }
    assert_eq!(state_step(d.path(), domain), "switching");

    // The operator changes the name servers at the other registrar; resume sees the parent
    // publish them, monitors until the old delegation's TTL has passed, and completes.
    delegate_to(&lab, domain, &new, false);
    let r = migrate(
        &lab,
        &args(&["cutover", domain, "--resume"], FAST),
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    r.expect_stdout("every server of the test zone publishes");
    r.expect_stdout("[monitor] complete");
    assert_eq!(state_step(d.path(), domain), "complete");
    assert_eq!(parent_ns(&lab, domain), new);

    // Rollback: the operator is told the old set, and the parent publishing it ends it.
    let r = migrate(
        &lab,
        &args(&["rollback", domain, "--wait", "1s"], FAST),
        d.path(),
    );
    assert_eq!(r.code, 2, "{}", r.text());
    r.expect_stdout("ns1.old-dns.test");
    assert_eq!(state_step(d.path(), domain), "rolling_back");
    delegate_to(&lab, domain, &OLD_HOST_NS, false);
    let r = migrate(&lab, &args(&["rollback", domain], FAST), d.path());
    assert_eq!(r.code, 0, "{}", r.text());
    assert_eq!(state_step(d.path(), domain), "rolled_back");
    assert_eq!(parent_ns(&lab, domain), old_set());
    let r = migrate(&lab, &["status", domain, "--offline"], d.path());
    r.expect_stdout("rolled back");
    for want in [
        "preflight passed",
        "switching",
        "cutover complete",
        "rolled back: the parent publishes",
    ] {
        assert!(
            r.stdout.contains(want),
            "history lacks {want:?}: {}",
            r.text()
        );
    }
    // A new cutover after a finished one keeps the earlier record beside it.
    let r = migrate(&lab, &["cutover", domain, "--to-zone", &zone], d.path());
    assert_eq!(r.code, 2, "{}", r.text());
    let kept: Vec<String> = std::fs::read_dir(d.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(&format!("r53-migrate-{domain}.cutover.json.rolled-back-")))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(state_step(d.path(), domain), "ready");
}

fn register(lab: &Lab, domain: &str) {
    lab.proxy.registrar().add_registered(
        domain,
        serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"}),
        &OLD_HOST_NS,
    );
}

fn registrar_ns(lab: &Lab, domain: &str) -> Vec<String> {
    let mut v: Vec<String> = lab
        .proxy
        .registrar()
        .nameservers(domain)
        .unwrap_or_default()
        .into_iter()
        .map(|(n, _)| n.trim_end_matches('.').to_lowercase())
        .collect();
    v.sort();
    v
}

#[test]
fn cutover_with_route53_domains_then_rollback() {
    let domain = "moving.example";
    let Setup {
        lab,
        c,
        d,
        zone,
        new,
        _knots,
    } = hosting_only(domain, 3, true);
    assert_eq!(parent_ns(&lab, domain), old_set());

    // One command: preflight, the registrar update, the parent, the monitor.
    let r = migrate(
        &lab,
        &args(&["cutover", domain, "--to-zone", &zone, "--switch"], FAST),
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    r.expect_stdout("Route 53 Domains operation");
    r.expect_stdout("[monitor] complete");
    assert_eq!(registrar_ns(&lab, domain), new);
    assert_eq!(parent_ns(&lab, domain), new);
    assert_eq!(lab.proxy.stats().get("UpdateDomainNameservers"), 1);
    // The new zone's NS TTL was lowered for the switch and is back where it was.
    r.expect_stdout("lowered the NS TTL of zone");
    r.expect_stdout("restored the NS TTL of zone");
    assert_eq!(apex_ns_ttl(&lab, &c, &zone, domain), 172_800);

    let r = migrate(&lab, &args(&["rollback", domain], FAST), d.path());
    assert_eq!(r.code, 0, "{}", r.text());
    assert_eq!(registrar_ns(&lab, domain), old_set());
    assert_eq!(parent_ns(&lab, domain), old_set());
    assert_eq!(lab.proxy.stats().get("UpdateDomainNameservers"), 2);
    assert_eq!(state_step(d.path(), domain), "rolled_back");
}

fn apex_ns_ttl(lab: &Lab, c: &aws_sdk_route53::Client, zone: &str, domain: &str) -> i64 {
    list_sets(lab, c, zone)
        .into_iter()
        .find(|s| s.0.trim_end_matches('.') == domain && s.1 == "NS")
        .and_then(|s| s.3)
        .expect("apex NS")
}

#[test]
fn an_old_host_on_route53_gets_its_ns_ttl_lowered_and_the_switch_waits() {
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let domain = "r53old.test";
    // The old host is another Route 53 zone (another account, say), delegated to.
    let old_zone = import_file(&lab, &c, domain, &zone_text(&base()), d.path());
    let old_ns = zone_ns(&lab, &c, &old_zone);
    delegate_to(&lab, domain, &old_ns, true);
    let new_zone = lab.rt.block_on(async {
        c.create_hosted_zone()
            .name(domain)
            .caller_reference("r53old-new")
            .send()
            .await
            .unwrap()
            .hosted_zone()
            .unwrap()
            .id()
            .trim_start_matches("/hostedzone/")
            .to_string()
    });
    let from = format!("route53:{old_zone}");
    let r = migrate(
        &lab,
        &[
            "import",
            domain,
            "--zone-id",
            &new_zone,
            "--from",
            &from,
            "--apply",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    assert_ne!(zone_ns(&lab, &c, &new_zone), old_ns);

    // Route 53's default NS TTL (2 days) blocks, naming the flag that fixes it.
    let r = migrate(
        &lab,
        &["cutover", domain, "--to-zone", &new_zone, "--from", &from],
        d.path(),
    );
    assert_eq!(r.code, 3, "{}", r.text());
    r.expect_stdout("NS records with TTL 172800s");
    r.expect_stdout("--lower-ns-ttl does it");
    r.expect_stdout("identical answers");
    assert_eq!(apex_ns_ttl(&lab, &c, &old_zone, domain), 172_800);

    // With the flag: lowered at the old zone; preflight passes; the switch waits out 2 days.
    let r = migrate(
        &lab,
        &[
            "cutover",
            domain,
            // The source is the recorded one: a resume need not repeat --from.
            "--resume",
            "--lower-ns-ttl",
        ],
        d.path(),
    );
    assert_eq!(r.code, 2, "{}", r.text());
    assert!(
        r.stdout
            .contains("lowered the NS TTL of the old Route 53 zone"),
        "{}",
        r.text()
    );
    r.expect_stdout("the switch is safe from");
    assert_eq!(apex_ns_ttl(&lab, &c, &old_zone, domain), 900);
    let r = migrate(&lab, &["cutover", domain, "--resume", "--switch"], d.path());
    assert_eq!(r.code, 2, "{}", r.text());
    r.expect_stdout("not yet: the switch is safe from");
    assert_eq!(state_step(d.path(), domain), "ready");
    assert_eq!(parent_ns(&lab, domain), old_ns);
}

/// Changes one A record in a Route 53 zone behind the cutover's back.
fn change_a(lab: &Lab, c: &aws_sdk_route53::Client, zone: &str, name: &str, ip: &str) {
    use aws_sdk_route53::types::{ChangeAction, RrType};
    let rrs = rrset(name, RrType::A, 300, &[ip.to_string()]).unwrap();
    change_set(lab, c, zone, ChangeAction::Upsert, rrs).expect("change");
}

#[test]
fn the_switch_refuses_stale_or_diverged_and_the_monitor_catches_a_change() {
    let domain = "guarded.example";
    // An old NS TTL of 30 s: the monitor outlives this test's short waits.
    let Setup {
        lab,
        c,
        d,
        zone,
        new,
        _knots,
    } = hosting_only(domain, 30, true);
    let r = migrate(&lab, &["cutover", domain, "--to-zone", &zone], d.path());
    assert_eq!(r.code, 2, "{}", r.text());

    // A preflight older than the bound: refused, nothing written anywhere.
    std::thread::sleep(Duration::from_millis(2100));
    let r = migrate(
        &lab,
        &[
            "cutover",
            domain,
            "--resume",
            "--switch",
            "--max-preflight-age",
            "1s",
        ],
        d.path(),
    );
    assert_eq!(r.code, 3, "{}", r.text());
    r.expect_stderr("--recheck");
    assert_eq!(lab.proxy.stats().get("UpdateDomainNameservers"), 0);

    // The new zone changed since preflight: refused with the record set that moved.
    change_a(&lab, &c, &zone, &format!("mail.{domain}"), "192.0.2.250");
    let r = migrate(&lab, &["cutover", domain, "--resume", "--switch"], d.path());
    assert_eq!(r.code, 3, "{}", r.text());
    r.expect_stdout(&format!("mail.{domain} A"));
    r.expect_stdout("192.0.2.250");
    assert_eq!(state_step(d.path(), domain), "ready");
    assert_eq!(lab.proxy.stats().get("UpdateDomainNameservers"), 0);
    assert_eq!(registrar_ns(&lab, domain), old_set());

    // Put back, recheck, switch; the run stops while monitoring (the old NS TTL is 30 s).
    change_a(&lab, &c, &zone, &format!("mail.{domain}"), "192.0.2.20");
    let r = migrate(
        &lab,
        &args(
            &[
                "cutover",
                domain,
                "--resume",
                "--recheck",
                "--switch",
                "--wait",
                "2s",
            ],
            FAST,
        ),
        d.path(),
    );
    assert_eq!(r.code, 2, "{}", r.text());
    assert_eq!(state_step(d.path(), domain), "monitoring");
    assert_eq!(parent_ns(&lab, domain), new);
    // A record broken during monitoring: the resume stops with it and points at rollback.
    change_a(&lab, &c, &zone, &format!("sip.{domain}"), "192.0.2.251");
    let r = migrate(
        &lab,
        &args(&["cutover", domain, "--resume", "--wait", "2s"], FAST),
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    r.expect_stdout(&format!("sip.{domain} A"));
    r.expect_stderr("rollback");
    // Rollback restores the old set (and the zone's NS TTL) from the monitoring step.
    let r = migrate(&lab, &args(&["rollback", domain], FAST), d.path());
    assert_eq!(r.code, 0, "{}", r.text());
    assert_eq!(parent_ns(&lab, domain), old_set());
    assert_eq!(apex_ns_ttl(&lab, &c, &zone, domain), 172_800);
}

#[test]
fn a_host_without_transfers_is_compared_by_a_names_file() {
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let domain = "noxfr.test";
    let _knot = lab
        .start_old_host(
            &[LabZone {
                name: domain.into(),
                text: zone_text(&base()),
                transfer: false,
                signed: false,
            }],
            None,
        )
        .unwrap();
    delegate_to(&lab, domain, &OLD_HOST_NS, true);
    let zone = import_file(&lab, &c, domain, &zone_text(&base()), d.path());

    // No source and no transfer: told what to give; nothing recorded.
    let r = migrate(&lab, &["cutover", domain, "--to-zone", &zone], d.path());
    assert_eq!(r.code, 1, "{}", r.text());
    r.expect_stderr("does not allow a zone transfer");
    r.expect_stderr("--names");

    // A names file: those sets (and the target zone's own) are compared.
    let names = d.path().join("names.txt");
    std::fs::write(
        &names,
        "# what the old host serves\n@ A\n@ MX\nwww CNAME\nmail A\nmissing.noxfr.test. TXT\n",
    )
    .unwrap();
    let r = migrate(
        &lab,
        &[
            "cutover",
            domain,
            "--to-zone",
            &zone,
            "--names",
            names.to_str().unwrap(),
        ],
        d.path(),
    );
    assert_eq!(r.code, 2, "{}", r.text());
    r.expect_stdout("source: 5 names from names file");
    r.expect_stdout("identical answers");
    // A bad line is refused with its place.
    std::fs::write(&names, "@ A\nwww BOGUS\n").unwrap();
    let r = migrate(
        &lab,
        &[
            "cutover",
            domain,
            "--resume",
            "--recheck",
            "--names",
            names.to_str().unwrap(),
        ],
        d.path(),
    );
    assert_eq!(r.code, 1, "{}", r.text());
    r.expect_stderr("names.txt:2:");
}

/// Runs with a failpoint: the process aborts there (as a kill would).
fn crash_at(lab: &Lab, a: &[&str], dir: &Path, point: &str) -> Run {
    let mut cmd = migrate_cmd(lab, a, dir);
    cmd.env("R53_MIGRATE_FAIL_AT", point);
    let r = run_cmd(cmd);
    assert!(
        r.stderr.contains(&format!("failpoint {point}")) && r.code != 0,
        "did not stop at {point}: {}",
        r.text()
    );
    r
}

#[test]
fn a_kill_at_each_step_resumes_to_the_same_end() {
    let lab = lab();
    fast_parent(&lab);
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let points = [
        "preflight-saved",
        "switch-saved",
        "switch-requested",
        "published-saved",
    ];
    let names: Vec<String> = (0..points.len())
        .map(|i| format!("kill{i}.example"))
        .collect();
    let zones: Vec<(&str, String)> = names
        .iter()
        .map(|n| (n.as_str(), zone_text(&base())))
        .collect();
    let _knot = old_host(&lab, &zones, None);
    for (domain, point) in names.iter().zip(points) {
        register(&lab, domain);
        let zone = import(&lab, &c, domain, d.path());
        let new = zone_ns(&lab, &c, &zone);
        let before = lab.proxy.stats().get("UpdateDomainNameservers");
        crash_at(
            &lab,
            &args(&["cutover", domain, "--to-zone", &zone, "--switch"], FAST),
            d.path(),
            point,
        );
        // A kill drops the lock with the process: the resume is not locked out.
        let r = migrate(
            &lab,
            &args(&["cutover", domain, "--resume", "--switch"], FAST),
            d.path(),
        );
        assert_eq!(r.code, 0, "{point}: {}", r.text());
        assert_eq!(state_step(d.path(), domain), "complete", "{point}");
        assert_eq!(registrar_ns(&lab, domain), new, "{point}");
        assert_eq!(parent_ns(&lab, domain), new, "{point}");
        // The registrar was asked exactly once, however the kill fell.
        assert_eq!(
            lab.proxy.stats().get("UpdateDomainNameservers") - before,
            1,
            "{point}: {}",
            r.text()
        );
    }
    // Rollback killed after its record and after its request: a rerun finishes it, once.
    for (domain, point) in names.iter().zip(["rollback-saved", "rollback-requested"]) {
        let before = lab.proxy.stats().get("UpdateDomainNameservers");
        crash_at(&lab, &args(&["rollback", domain], FAST), d.path(), point);
        let r = migrate(&lab, &args(&["rollback", domain], FAST), d.path());
        assert_eq!(r.code, 0, "{point}: {}", r.text());
        assert_eq!(state_step(d.path(), domain), "rolled_back");
        assert_eq!(parent_ns(&lab, domain), old_set(), "{point}");
        assert_eq!(
            lab.proxy.stats().get("UpdateDomainNameservers") - before,
            1,
            "{point}"
        );
    }
}

#[test]
fn a_killed_wait_resumes_and_a_second_run_is_locked_out() {
    let domain = "waiting.test";
    let Setup {
        lab,
        c: _,
        d,
        zone,
        new,
        _knots,
    } = hosting_only(domain, 3, false);

    // A run waiting for the operator's change at the other registrar…
    let mut cmd = migrate_cmd(
        &lab,
        &args(
            &[
                "cutover",
                domain,
                "--to-zone",
                &zone,
                "--switch",
                "--wait",
                "5m",
            ],
            FAST,
        ),
        d.path(),
    );
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while state_step_opt(d.path(), domain).as_deref() != Some("switching") {
        assert!(Instant::now() < deadline, "never reached the switch");
        std::thread::sleep(Duration::from_millis(100));
    }
    // …holds the lock: a second run on the same domain is refused, not interleaved.
    let r = migrate(&lab, &["cutover", domain, "--resume"], d.path());
    assert_eq!(r.code, 1, "{}", r.text());
    r.expect_stderr("another r53-migrate");
    let r = migrate(&lab, &["rollback", domain], d.path());
    r.expect_stderr("another r53-migrate");
    // Killed mid-wait (SIGKILL: no cleanup at all), then resumed after the change.
    child.kill().unwrap();
    let _ = child.wait();
    delegate_to(&lab, domain, &new, false);
    let r = migrate(
        &lab,
        &args(&["cutover", domain, "--resume"], FAST),
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    assert_eq!(state_step(d.path(), domain), "complete");
    assert_eq!(parent_ns(&lab, domain), new);
}

fn state_step_opt(dir: &Path, domain: &str) -> Option<String> {
    let p = dir.join(format!("r53-migrate-{domain}.cutover.json"));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok()?;
    v["step"].as_str().map(str::to_string)
}

/// One corpus case: what the old host's ns1 and ns2 serve, what the new zone is imported from,
/// any DS at the parent, and the line preflight must print (None: it must pass).
struct Case {
    domain: String,
    ns1: Vec<String>,
    ns2: Vec<String>,
    new: Vec<String>,
    ds: bool,
    expect: Option<String>,
}

fn owner_type(line: &str, domain: &str) -> String {
    let mut p = line.split_whitespace();
    let owner = p.next().unwrap();
    let _in = p.next();
    let ty = p.next().unwrap();
    let name = if owner == "@" {
        domain.to_string()
    } else {
        format!("{owner}.{domain}")
    };
    format!("{name} {ty}")
}

/// How preflight lists a TXT value split otherwise at the new host (a note, not a blocker).
const SPLIT: &str = "same text, split into other strings at the new host";

fn corpus() -> Vec<Case> {
    let lines = base_lines();
    let b = base();
    let mut out = Vec::new();
    let mut add =
        |ns1: Vec<String>, ns2: Vec<String>, new: Vec<String>, ds: bool, expect: Option<String>| {
            out.push(Case {
                domain: format!("c{}.test", out.len()),
                ns1,
                ns2,
                new,
                ds,
                expect,
            })
        };
    for (i, (line, changed)) in lines.iter().enumerate() {
        let without: Vec<String> = b.iter().filter(|l| l != line).cloned().collect();
        let mut with_changed = b.clone();
        with_changed[i] = changed.to_string();
        let set = owner_type(line, "DOMAIN");
        // A record set missing at the new host.
        // (An A record set below the wildcard is still answered at the new host, from the
        // wildcard: a different answer, not a missing one.)
        let covered = set.ends_with(" A") && !line.starts_with('@') && !line.starts_with('*');
        let missing = if covered {
            "different at the new host"
        } else {
            "missing at the new host"
        };
        add(
            b.clone(),
            b.clone(),
            without.clone(),
            false,
            Some(format!("{set}: {missing}")),
        );
        // Changed at the new host.
        add(
            b.clone(),
            b.clone(),
            with_changed.clone(),
            false,
            Some(format!("{set}: different at the new host")),
        );
        // The old host's ns2 out of sync (changed, or missing the set).
        add(
            b.clone(),
            with_changed,
            b.clone(),
            false,
            Some(format!("{set}: the old host's servers disagree")),
        );
        add(
            b.clone(),
            without,
            b.clone(),
            false,
            Some(format!("{set}: the old host's servers disagree")),
        );
    }
    // Record sets only at the new host (an A below the old zone's wildcard is a changed answer,
    // not a new one: the old host answers it from the wildcard).
    for (extra, how) in [
        ("extra IN A 192.0.2.200", "different at the new host"),
        ("extra IN TXT \"added later\"", "only at the new host"),
        (
            "@ IN CAA 0 issue \"letsencrypt.org\"",
            "only at the new host",
        ),
        ("mail IN AAAA 2001:db8::20", "only at the new host"),
        ("_dmarc IN TXT \"v=DMARC1; p=none\"", "only at the new host"),
        ("deep.sub IN A 192.0.2.201", "different at the new host"),
    ] {
        let mut new = b.clone();
        new.push(extra.to_string());
        add(
            b.clone(),
            b.clone(),
            new,
            false,
            Some(format!("{}: {how}", owner_type(extra, "DOMAIN"))),
        );
    }
    // The same text split into other strings at the new host: listed and noted, not blocking.
    let i = lines
        .iter()
        .position(|(l, _)| l.starts_with("txt2 "))
        .expect("txt2 in the base zone");
    let mut resplit = b.clone();
    resplit[i] = "txt2 IN TXT \"hel\" \"loworld\"".into();
    add(
        b.clone(),
        b.clone(),
        resplit,
        false,
        Some(format!("txt2.DOMAIN TXT: {SPLIT}")),
    );
    // A DS at the parent the unsigned new zone cannot satisfy.
    add(
        b.clone(),
        b.clone(),
        b.clone(),
        true,
        Some("the parent publishes DS".into()),
    );
    // Unmutated: must pass.
    for _ in 0..4 {
        add(b.clone(), b.clone(), b.clone(), false, None);
    }
    // Make the expected "NAME TYPE" exact where the case names one set.
    for c in out.iter_mut() {
        if let Some(e) = &mut c.expect {
            *e = e.replace("DOMAIN", &c.domain);
        }
    }
    out
}

#[test]
fn preflight_blocks_each_mutated_zone_with_the_exact_difference() {
    let lab = lab();
    let c = sdk(&lab);
    let d = tempfile::tempdir().unwrap();
    let cases = corpus();
    let mutated = cases.iter().filter(|c| c.expect.is_some()).count();
    assert!(mutated >= 50, "{mutated} mutated zones");
    let ns1: Vec<(&str, String)> = cases
        .iter()
        .map(|c| (c.domain.as_str(), zone_text(&c.ns1)))
        .collect();
    let ns2: Vec<(&str, String)> = cases
        .iter()
        .map(|c| (c.domain.as_str(), zone_text(&c.ns2)))
        .collect();
    let _knots = old_host(&lab, &ns1, Some(&ns2));
    // The new zones, imported from the mutated texts, 8 imports at a time.
    let mut zones = Vec::new();
    for chunk in cases.chunks(8) {
        let ids: Vec<String> = std::thread::scope(|sc| {
            let hs: Vec<_> = chunk
                .iter()
                .map(|case| {
                    let (lab, c, dir) = (&lab, &c, d.path());
                    sc.spawn(move || import_file(lab, c, &case.domain, &zone_text(&case.new), dir))
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        zones.extend(ids);
    }
    let mut failures = Vec::new();
    for (case, zone) in cases.iter().zip(&zones) {
        delegate_to(&lab, &case.domain, &OLD_HOST_NS, true);
        if case.ds {
            lab.registry.set_ds(
                &case.domain,
                &["12345 13 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE49FD46E6C4B45C55D4AC69CB"],
            );
        }
        // The source: a zone file of what ns1 serves (as a user would export it).
        let src = d.path().join(format!("{}.old.zone", case.domain));
        std::fs::write(&src, zone_text(&case.ns1)).unwrap();
        let r = migrate(
            &lab,
            &[
                "cutover",
                &case.domain,
                "--to-zone",
                zone,
                "--from",
                src.to_str().unwrap(),
            ],
            d.path(),
        );
        match &case.expect {
            None => {
                if r.code != 2 || !r.stdout.contains("identical answers") {
                    failures.push(format!("{} should pass: {}", case.domain, r.text()));
                }
            }
            Some(want) if want.ends_with(SPLIT) => {
                if r.code != 2
                    || !r.stdout.contains(want.as_str())
                    || !r
                        .stdout
                        .contains("hold the same text split into other strings")
                    || state_step(d.path(), &case.domain) == "blocked"
                {
                    failures.push(format!(
                        "{} should pass with the note {want:?}: {}",
                        case.domain,
                        r.text()
                    ));
                }
            }
            Some(want) => {
                if r.code != 3 || !r.stdout.contains(want.as_str()) {
                    failures.push(format!(
                        "{} should block with {want:?}: {}",
                        case.domain,
                        r.text()
                    ));
                }
                if state_step(d.path(), &case.domain) != "blocked" {
                    failures.push(format!("{}: state not 'blocked'", case.domain));
                }
            }
        }
        // Nothing at the registrar or the parent moved.
        assert_eq!(parent_ns(&lab, &case.domain), old_set());
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    assert_eq!(lab.proxy.stats().get("UpdateDomainNameservers"), 0);

    // --json: progress on stderr, one document on stdout. A clean case (ready): rolled back, then
    // cut over again.
    let (case, zone) = cases
        .iter()
        .zip(&zones)
        .find(|(c, _)| c.expect.is_none())
        .expect("a clean case");
    let r = migrate(&lab, &["rollback", &case.domain, "--json"], d.path());
    assert_eq!(r.code, 0, "{}", r.text());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    assert_eq!(v["state"]["step"], "rolled_back", "{}", r.stdout);
    let src = d.path().join(format!("{}.old.zone", case.domain));
    let args = [
        "cutover",
        case.domain.as_str(),
        "--to-zone",
        zone.as_str(),
        "--from",
        src.to_str().unwrap(),
        "--json",
    ];
    let r = migrate(&lab, &args, d.path());
    assert_eq!(r.code, 2, "{}", r.text());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    assert_eq!(
        (&v["domain"], &v["exit"], &v["error"], &v["state"]["step"]),
        (
            &serde_json::json!(case.domain),
            &serde_json::json!(2),
            &serde_json::Value::Null,
            &serde_json::json!("ready")
        ),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("identical answers"), "{}", r.text());
    // A refusal is a document too: no cutover is recorded for this name.
    let r = migrate(&lab, &["rollback", "never-cut.test", "--json"], d.path());
    assert_eq!(r.code, 1, "{}", r.text());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    assert!(
        v["error"]
            .as_str()
            .unwrap_or_default()
            .contains("no cutover of never-cut.test"),
        "{}",
        r.stdout
    );
    assert_eq!(v["state"], serde_json::Value::Null);
}
