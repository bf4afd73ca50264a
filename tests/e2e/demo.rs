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
        // part four: failover — the primary stops, the answer flips, the primary returns
        "www.failover-r53.example A → 192.0.2.10 (the primary)",
        "www.failover-r53.example A → 192.0.2.20 (the secondary): the checkers saw 2 failures in a row",
        "r53_health_check_status.primary: healthy = false, 0 of 8 checker regions see it up; last failure: Failure: Resolved IP: 127.0.0.1. Connection refused.",
        "www.failover-r53.example A → 192.0.2.10 (the primary again)",
        "r53_health_check_status.primary: healthy = true, 8 of 8 checker regions see it up",
        // part five: DNSSEC — signed, the DS published by the registrar, validated
        "r53_delegation.main.dnssec = secure (validated in process from the root's key)",
        "signed-r53.example SOA: Secure",
        "www.signed-r53.example A: Secure",
        "nothing-here.signed-r53.example A: Secure",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
}

/// `r53-lab serve` ends on SIGTERM as on Ctrl-C: the lab is dropped and its moto server stops
/// with it (a plain `kill` used to leave moto running).
#[test]
fn lab_serve_stops_its_moto_on_sigterm() {
    use std::io::BufRead as _;
    let bin = r53_lab::tools::repo_root().join("target/debug/r53-lab");
    assert!(bin.exists(), "{} not built (make build)", bin.display());
    let mut serve = std::process::Command::new(&bin)
        .arg("serve")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run r53-lab serve");
    let mut lines = std::io::BufReader::new(serve.stdout.take().expect("piped stdout")).lines();
    let moto_pid: u32 = loop {
        let line = match lines.next() {
            Some(Ok(l)) => l,
            other => {
                let _ = serve.kill();
                panic!("r53-lab serve ended before printing moto's pid: {other:?}");
            }
        };
        if let Some(rest) = line.strip_prefix("(moto pid Some(") {
            break rest
                .split(')')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("moto pid");
        }
    };
    assert!(
        alive(moto_pid),
        "moto {moto_pid} should run while the lab serves"
    );
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = serve.wait().expect("wait for r53-lab serve");
    assert!(status.success(), "r53-lab serve after SIGTERM: {status}");
    // The kill is sent as the lab is dropped; give the kernel a bounded while to end moto.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while alive(moto_pid) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        !alive(moto_pid),
        "moto {moto_pid} still running after r53-lab serve ended"
    );
}

/// Running, not a zombie waiting to be reaped (a container's init may never reap it).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit(')')
                .next()
                .map(str::trim_start)
                .and_then(|s| s.chars().next()),
            Some('Z' | 'X')
        ),
        Err(_) => false,
    }
}
