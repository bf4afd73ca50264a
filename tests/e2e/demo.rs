//! `make demo` end to end: the `r53-lab demo` binary as a newcomer runs it (its own lab, the real
//! Terraform, Knot and r53-migrate, down to the NS cutover), so the README's first command cannot
//! silently rot.

#[test]
fn make_demo_runs_end_to_end() {
    let bin = r53_lab::tools::repo_root().join("target/debug/r53-lab");
    assert!(bin.exists(), "{} not built (make build)", bin.display());
    let out = std::process::Command::new(&bin)
        .arg("demo")
        .output()
        .expect("run r53-lab demo");
    let text = format!(
        "{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    for want in [
        // part one: terraform apply of examples/demo, then an empty plan
        "not delegated yet: the example zone publishes ns1.old-dns.example, ns2.old-dns.example for demo-r53.example; set the name servers of demo-r53.example at its registrar to:",
        "delegated: the example zone publishes",
        "exit code 0 (no changes)",
        // part two: the migration from Knot, applied as reviewed and read back
        "legacy.shop.example HINFO: 1 record(s) skipped",
        "Plan: 8 to create, 0 to update, 0 to delete",
        "read-back: all 8 record sets match the source",
        // handed to Terraform: imports only, then nothing
        "Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.",
        "no changes: the zone is now managed by r53",
        // part three: the cutover — preflight over the wire, the switch at the lab's third-party
        // registrar, the parent publishing it, the monitor to the end
        "8 record sets asked at 2 old and 4 new server addresses",
        "identical answers",
        "set the name servers to exactly:",
        "every server of the example zone publishes ns-",
        "[monitor] complete",
        "the parent (the example zone) publishes now: ns-",
        "(the new set)",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}
