//! `r53-lab`: runs the lab by hand.
//! - `r53-lab serve`: moto + proxy (Route 53 and Route 53 Domains) + the TLD registry DNS server
//!   and Route 53 name servers answering by the health checkers' verdicts; prints the endpoint,
//!   the registry's address, the provider's `dns` block and the health controls, and waits
//!   (Ctrl-C to stop).
//! - `r53-lab demo`: `terraform apply` of examples/demo against a fresh lab, then shows the zone's
//!   name servers and records and checks the plan is empty; then migrates a zone from Knot with
//!   r53-migrate and hands it to Terraform; then fails a web server over; then signs a zone and
//!   publishes its DS through the registrar, validated by unbound-host; then destroys.

use anyhow::Context;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "r53's local lab: moto behind a strict Route 53 proxy, and the real Terraform")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start the emulator and proxy and print the endpoint.
    Serve {
        /// Pass requests through as moto takes them (no AWS strictness checks, no PENDING
        /// window): what the benchmarks measure against.
        #[arg(long)]
        lenient: bool,
    },
    /// Benchmark zone-scale record management (calls, time, provider footprint); prints a table
    /// and writes bench-results/bench.md.
    Bench {
        /// Record-set counts to run (empty: none).
        #[arg(long, default_value = "100,1000", value_parser = sizes_list)]
        sizes: SizeList,
        /// Largest N for the N x r53_record variants (Terraform itself gets slow with very many resources).
        #[arg(long, default_value_t = 1000)]
        max_per_resource: usize,
        /// Which variants to run: records, batched, per-call (default: all three).
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "records,batched,per-call"
        )]
        variants: Vec<String>,
        /// Build profile of the provider binary being measured (for the table).
        #[arg(long, default_value = "debug")]
        profile: String,
        /// Where Terraform keeps state: s3 (the S3 backend on the emulator) or local (a
        /// terraform.tfstate file, which Terraform rewrites whole after every resource).
        #[arg(long, default_value = "s3")]
        state: String,
        /// Terraform's -parallelism.
        #[arg(long, default_value_t = 10)]
        parallelism: usize,
        /// Zone sizes for the import comparison (r53-migrate vs octodns, by AXFR from Knot) and
        /// the zone-file parsing comparison with dnspython; needs `scripts/install-tools.sh bench`.
        #[arg(long, default_value = "", value_parser = sizes_list)]
        migrate_sizes: SizeList,
        /// Zone sizes for the cutover's equivalence check (every record set at 6 loopback Knot
        /// addresses, the engine `r53-migrate cutover` uses).
        #[arg(long, default_value = "", value_parser = sizes_list)]
        cutover_sizes: SizeList,
        /// Zone sizes at which one `r53_records` apply and `r53-migrate import` of the same zone
        /// are compared, with the CPU time of Terraform core, the provider and the emulator.
        #[arg(long, default_value = "", value_parser = sizes_list)]
        compare_sizes: SizeList,
    },
    /// Apply examples/demo with the real Terraform and show the result.
    Demo {
        /// Keep the lab running after the demo (Ctrl-C to stop) instead of destroying.
        #[arg(long)]
        keep: bool,
    },
}

/// Waits for Ctrl-C or SIGTERM. Either returns normally, so the lab is dropped and moto (a child
/// killed on drop) stops with it; a plain `kill` used to end the process before that, leaving moto
/// running.
async fn stop_signal() -> std::io::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r,
        _ = term.recv() => Ok(()),
    }
}

/// A comma-separated list of sizes, possibly empty.
#[derive(Clone, Debug)]
struct SizeList(Vec<usize>);

fn sizes_list(s: &str) -> Result<SizeList, String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(|x| x.parse::<usize>().map_err(|e| format!("{x:?}: {e}")))
        .collect::<Result<_, _>>()
        .map(SizeList)
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Cmd::Bench {
        sizes,
        max_per_resource,
        variants,
        profile,
        state,
        parallelism,
        migrate_sizes,
        cutover_sizes,
        compare_sizes,
    } = &cli.cmd
    {
        let opts = r53_lab::bench::Opts {
            state: r53_lab::bench::StateStore::parse(state)?,
            parallelism: *parallelism,
        };
        anyhow::ensure!(opts.parallelism > 0, "--parallelism must be at least 1");
        return bench(
            &sizes.0,
            *max_per_resource,
            variants,
            profile,
            opts,
            Parts {
                migrate: &migrate_sizes.0,
                cutover: &cutover_sizes.0,
                compare: &compare_sizes.0,
            },
        );
    }
    let lenient = matches!(cli.cmd, Cmd::Serve { lenient: true });
    let lab = r53_lab::Lab::start_with(r53_lab::ProxyConfig {
        pending_ms: if lenient { 0 } else { 1500 },
        strict: !lenient,
        ..Default::default()
    })?;
    match cli.cmd {
        Cmd::Serve { .. } => {
            println!("AWS_ENDPOINT_URL={}", lab.endpoint());
            println!(
                "TLD registry (root and .{}) DNS: {} — e.g. dig @{} -p {} example.test NS",
                r53_lab::registry::LAB_TLDS.join(", ."),
                lab.registry.addr,
                lab.registry.addr.ip(),
                lab.registry.addr.port()
            );
            println!(
                "Route 53 name servers: 127.0.1.1–127.0.1.{} on the same port (one per delegation set)",
                r53_lab::nameservers::ALL_SETS
            );
            println!("provider \"r53\" {{\n  {}\n}}", lab.dns_block());
            println!(
                "Health checkers probe every check {1}x faster than its interval; the name servers answer by health. \
                 Controls: POST {0}/__lab/health/time_scale {{\"scale\": 1..1000}}, \
                 POST {0}/__lab/health/routing_control {{\"arn\": ..., \"on\": true}}, \
                 GET {0}/__lab/health/<check id> (the routing verdict); CloudWatch alarms: SetAlarmState at AWS_ENDPOINT_URL; \
                 latency/geolocation: POST {0}/__lab/dns/client_location {{\"subnet\": \"198.51.100.0/24\", \"region\": ..., \"continent\": ..., \"country\": ..., \"subdivision\": ...}}",
                lab.endpoint(),
                lab.proxy.health().time_scale()
            );
            println!("(moto pid {:?}); Ctrl-C or SIGTERM to stop", lab.moto.pid());
            lab.rt.block_on(stop_signal())?;
        }
        Cmd::Demo { keep } => demo(&lab, keep)?,
        Cmd::Bench { .. } => unreachable!("handled above"),
    }
    Ok(())
}

/// The demo's hosting-only domain (examples/demo/main.tf's default).
const DEMO_DOMAIN: &str = "demo-r53.example";

fn step(s: &str) {
    println!("\n==> {s}");
}

fn demo(lab: &r53_lab::Lab, keep: bool) -> anyhow::Result<()> {
    let tf = lab.terraform(r53_lab::TfBin::Lib)?;
    // The domain is registered at a third-party registrar and served by its old DNS host.
    lab.registry
        .set_publish_delay(std::time::Duration::from_secs(1));
    lab.registry.delegate(
        DEMO_DOMAIN,
        &[("ns1.old-dns.example", &[]), ("ns2.old-dns.example", &[])],
    );
    let main_tf =
        std::fs::read_to_string(r53_lab::tools::repo_root().join("examples/demo/main.tf"))
            .context("examples/demo/main.tf")?;
    tf.write(&main_tf)?;
    step(&format!(
        "terraform apply examples/demo (Route 53 emulator behind the strict proxy at {})",
        lab.endpoint()
    ));
    let out = tf.apply()?;
    for l in out
        .stdout
        .lines()
        .filter(|l| l.contains("Creation complete") || l.starts_with("Apply complete"))
    {
        println!("  {l}");
    }
    let o = tf.outputs()?;
    step(&format!(
        "hosted zone {} — delegate the domain to these 4 name servers:",
        o["zone_id"]["value"].as_str().unwrap_or("?")
    ));
    for ns in o["name_servers"]["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        println!("  {}", ns.as_str().unwrap_or_default());
    }
    step("the binding (r53_delegation, registrar = \"external\"), checked over DNS at the TLD:");
    println!(
        "  {}",
        o["delegation"]["value"].as_str().unwrap_or_default()
    );
    step("records in the zone (read back through the Route 53 API):");
    let zone = o["zone_id"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let doc = lab.rt.block_on(list_records(&lab.endpoint(), &zone))?;
    let mut sets = Vec::new();
    doc.find_all("ResourceRecordSet", &mut sets);
    for s in sets {
        let name = s.text_at(&["Name"]).unwrap_or_default();
        let ty = s.text_at(&["Type"]).unwrap_or_default();
        let ttl = s.text_at(&["TTL"]).unwrap_or("-");
        let vals: Vec<String> = match s.child("AliasTarget") {
            Some(a) => vec![format!(
                "ALIAS {}",
                a.text_at(&["DNSName"]).unwrap_or_default()
            )],
            None => s
                .child("ResourceRecords")
                .map(|r| {
                    r.children_named("ResourceRecord")
                        .map(|v| {
                            // moto keeps its SOA as a Python dict's repr; show the value.
                            let t = v.text_at(&["Value"]).unwrap_or_default();
                            t.strip_prefix("{'Value': '")
                                .and_then(|x| x.strip_suffix("'}"))
                                .unwrap_or(t)
                                .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        println!("  {name:<28} {ty:<5} {ttl:>6}  {}", vals.join(" | "));
    }
    let ns: Vec<String> = o["name_servers"]["value"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    step(
        "the owner sets those name servers at the third-party registrar (the lab plays it); the .example TLD \
         publishes them after a delay",
    );
    let refs: Vec<(&str, &[&str])> = ns.iter().map(|n| (n.as_str(), &[][..])).collect();
    lab.registry.delegate(DEMO_DOMAIN, &refs);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let m = lab.rt.block_on(r53_lab::registry::ask(
            lab.registry.addr,
            DEMO_DOMAIN,
            hickory_proto::rr::RecordType::NS,
        ))?;
        let mut got: Vec<String> = m
            .name_servers()
            .iter()
            .filter_map(|r| match r.data() {
                hickory_proto::rr::RData::NS(n) => {
                    Some(n.0.to_ascii().trim_end_matches('.').to_string())
                }
                _ => None,
            })
            .collect();
        got.sort();
        let mut want = ns.clone();
        want.sort();
        if got == want {
            println!(
                "  dig @{} {DEMO_DOMAIN} NS → {}",
                lab.registry.addr,
                got.join(" ")
            );
            break;
        }
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the TLD never published {want:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    step("terraform apply (refresh): the binding now holds");
    tf.apply()?;
    let o = tf.outputs()?;
    println!(
        "  {}",
        o["delegation"]["value"].as_str().unwrap_or_default()
    );
    step("terraform plan -detailed-exitcode (must be empty)");
    let p = tf.plan()?;
    println!(
        "  exit code {} ({})",
        p.code,
        if p.code == 0 {
            "no changes"
        } else {
            "CHANGES PENDING"
        }
    );
    if p.code != 0 {
        anyhow::bail!("plan after apply was not empty:\n{}", p.text());
    }
    let stats = lab.proxy.stats();
    step(&format!(
        "API calls seen by the lab proxy: {} ({} writes)",
        stats.total(),
        stats.writes()
    ));
    demo_migration(lab)?;
    demo_failover(lab)?;
    demo_dnssec(lab)?;
    if keep {
        println!(
            "\nlab kept running at {}; workdir {}; Ctrl-C or SIGTERM to stop",
            lab.endpoint(),
            tf.path().display()
        );
        lab.rt.block_on(stop_signal())?;
    }
    step("terraform destroy");
    tf.destroy()?;
    println!("  done");
    Ok(())
}

/// Part five: DNSSEC for a domain with both roles at Route 53 (examples/demo/dnssec). One apply
/// makes the KSK in KMS, turns signing on and publishes the DS through the registrar in the safe
/// order; then an independent validating resolver (unbound-host, from the lab root's key) says
/// "secure". The lab stays signed to the end (stopping it needs the DS removed first).
fn demo_dnssec(lab: &r53_lab::Lab) -> anyhow::Result<()> {
    const DOMAIN: &str = "signed-r53.example";
    lab.proxy.registrar().add_registered(
        DOMAIN,
        serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
            "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
            "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"}),
        &["ns1.old-dns.example", "ns2.old-dns.example"],
    );
    // Short delegation TTLs so the waits that follow them fit in a demo.
    lab.registry.set_delegation_ttl(5);
    let arn = lab.create_dnssec_kms_key(r53_lab::dnssec::control::KmsPolicy::AllowsRoute53)?;
    let tf = lab.terraform(r53_lab::TfBin::Lib)?;
    let main_tf =
        std::fs::read_to_string(r53_lab::tools::repo_root().join("examples/demo/dnssec/main.tf"))
            .context("examples/demo/dnssec/main.tf")?;
    tf.write(&main_tf)?;
    std::fs::write(
        tf.path().join("terraform.tfvars"),
        format!("kms_key_arn = \"{arn}\"\n"),
    )?;
    step(&format!(
        "dnssec: terraform apply examples/demo/dnssec ({DOMAIN} registered with the Route 53 registrar; the KSK in the lab's KMS)"
    ));
    let out = tf.apply()?;
    for l in out.stdout.lines().filter(|l| {
        l.contains("r53_key_signing_key.main: Creation complete")
            || l.contains("r53_hosted_zone_dnssec.main: Creation complete")
            || l.contains("r53_delegation.main: Creation complete")
            || l.starts_with("Apply complete")
    }) {
        println!("  {l}");
    }
    let o = tf.outputs()?;
    println!(
        "  the KSK's DS: {}",
        o["ds_record"]["value"].as_str().unwrap_or_default()
    );
    println!(
        "  every server of the example zone publishes: {}",
        o["published_ds"]["value"]
            .as_array()
            .map(|a| a
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(" | "))
            .unwrap_or_default()
    );
    println!(
        "  r53_delegation.main.dnssec = {} (validated in process from the root's key)",
        o["dnssec"]["value"].as_str().unwrap_or_default()
    );
    step("unbound-host, a validating resolver started from the lab root's key:");
    for (name, ty) in [
        (DOMAIN.to_string(), hickory_proto::rr::RecordType::SOA),
        (format!("www.{DOMAIN}"), hickory_proto::rr::RecordType::A),
        (
            format!("nothing-here.{DOMAIN}"),
            hickory_proto::rr::RecordType::A,
        ),
    ] {
        let v = lab.validate(&name, ty)?;
        println!("  {name} {ty}: {:?}", v.verdict);
        anyhow::ensure!(
            v.verdict == r53_lab::validator::Verdict::Secure,
            "{name} {ty} is not secure:\n{}",
            v.output
        );
    }
    step("terraform plan -detailed-exitcode (must be empty)");
    let p = tf.plan()?;
    println!("  exit code {}", p.code);
    anyhow::ensure!(p.code == 0, "plan after apply was not empty:\n{}", p.text());
    Ok(())
}

/// The A values `server` answers for `name`.
fn a_values(
    lab: &r53_lab::Lab,
    server: std::net::SocketAddr,
    name: &str,
) -> anyhow::Result<Vec<String>> {
    let m = lab.rt.block_on(r53_lab::registry::ask(
        server,
        name,
        hickory_proto::rr::RecordType::A,
    ))?;
    Ok(m.answers()
        .iter()
        .filter_map(|r| match r.data() {
            hickory_proto::rr::RData::A(a) => Some(a.0.to_string()),
            _ => None,
        })
        .collect())
}

/// Asks until `name` answers exactly `want`; the time it took.
fn wait_for_answer(
    lab: &r53_lab::Lab,
    server: std::net::SocketAddr,
    name: &str,
    want: &str,
) -> anyhow::Result<std::time::Duration> {
    let start = std::time::Instant::now();
    loop {
        let got = a_values(lab, server, name)?;
        if got == [want] {
            return Ok(start.elapsed());
        }
        anyhow::ensure!(
            start.elapsed() < std::time::Duration::from_secs(90),
            "{name} still answers {got:?}, not {want}, after 90 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Part four: active-passive failover (examples/demo/failover). Two web servers on loopback
/// ports, a health check each, www as a failover pair; the primary stops, the answer flips to the
/// secondary, the primary comes back and so does the answer — asked over DNS each time.
fn demo_failover(lab: &r53_lab::Lab) -> anyhow::Result<()> {
    use r53_lab::endpoint::Endpoint;
    const WWW: &str = "www.failover-r53.example";
    let (primary, secondary) = (
        Endpoint::start("ok primary\n")?,
        Endpoint::start("ok secondary\n")?,
    );
    let tf = lab.terraform(r53_lab::TfBin::Lib)?;
    let main_tf =
        std::fs::read_to_string(r53_lab::tools::repo_root().join("examples/demo/failover/main.tf"))
            .context("examples/demo/failover/main.tf")?;
    tf.write(&main_tf)?;
    std::fs::write(
        tf.path().join("terraform.tfvars"),
        format!(
            "primary_port   = {}\nsecondary_port = {}\n",
            primary.port, secondary.port
        ),
    )?;
    step(&format!(
        "failover: terraform apply examples/demo/failover (web servers on 127.0.0.1:{} and :{}, an HTTP health check each, www as a failover pair)",
        primary.port, secondary.port
    ));
    let out = tf.apply()?;
    for l in out
        .stdout
        .lines()
        .filter(|l| l.starts_with("Apply complete"))
    {
        println!("  {l}");
    }
    let zone = tf.outputs()?["zone_id"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let set = lab
        .proxy
        .delegation_sets()
        .set_of(zone.trim_start_matches("/hostedzone/"));
    let server = std::net::SocketAddr::new(r53_lab::nameservers::set_ip(set), lab.dns_port());
    wait_for_answer(lab, server, WWW, "192.0.2.10")?;
    println!("  dig @{server} {WWW} A → 192.0.2.10 (the primary)");
    let report = |tf: &r53_lab::Terraform| -> anyhow::Result<()> {
        tf.run_ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"])?;
        let p = &tf.outputs()?["primary"]["value"];
        println!(
            "  r53_health_check_status.primary: healthy = {}, {} of {} checker regions see it up{}",
            p["healthy"],
            p["healthy_checkers"],
            p["reporting_checkers"],
            match p["last_failure_reason"].as_str() {
                Some(r) if !r.is_empty() => format!("; last failure: {r}"),
                _ => String::new(),
            }
        );
        Ok(())
    };
    step("the primary's web server stops");
    primary.stop();
    let took = wait_for_answer(lab, server, WWW, "192.0.2.20")?;
    println!(
        "  {:.1} s later: dig @{server} {WWW} A → 192.0.2.20 (the secondary): the checkers saw 2 failures in a row",
        took.as_secs_f64()
    );
    report(&tf)?;
    step("the primary comes back");
    primary.resume()?;
    let took = wait_for_answer(lab, server, WWW, "192.0.2.10")?;
    println!(
        "  {:.1} s later: dig @{server} {WWW} A → 192.0.2.10 (the primary again)",
        took.as_secs_f64()
    );
    report(&tf)?;
    tf.destroy()?;
    drop(secondary);
    Ok(())
}

/// Part two of the demo: a zone hosted elsewhere (Knot, serving examples/demo/old-host) moved into
/// Route 53 by AXFR with r53-migrate — check, reviewed dry run, apply of exactly that plan —,
/// handed to Terraform with export-tf (imports only, then an empty plan), and the delegation cut
/// over: preflight, the switch at the third-party registrar (the lab plays it), monitor to the end.
fn demo_migration(lab: &r53_lab::Lab) -> anyhow::Result<()> {
    use r53_lab::knot::Knot;
    const ZONE: &str = "shop.example";
    let file = r53_lab::tools::repo_root().join(format!("examples/demo/old-host/{ZONE}.zone"));
    let text = std::fs::read_to_string(&file).with_context(|| file.display().to_string())?;
    // The old host's two name servers (ns1/ns2.old-dns.test) on the lab's DNS port, and the .example
    // TLD delegating the domain to them, as it has for years.
    let knots = lab.start_old_host(
        &[r53_lab::knot::LabZone {
            name: ZONE.into(),
            text,
            transfer: true,
            signed: false,
        }],
        None,
    )?;
    let knot: &Knot = &knots[0];
    let old: Vec<(&str, &[&str])> = r53_lab::OLD_HOST_NS.iter().map(|n| (*n, &[][..])).collect();
    lab.registry.delegate_published(ZONE, &old);
    lab.registry.set_delegation_ttl(2);
    let from = format!("axfr://{}", knot.addr);
    let work = tempfile::tempdir()?;
    let bin = r53_lab::tools::migrate_bin()?;
    let run = |args: &[&str]| -> anyhow::Result<std::process::Output> {
        Ok(std::process::Command::new(&bin)
            .args(args)
            .current_dir(work.path())
            .envs(lab.aws_env())
            .envs(lab.dns_env())
            .output()?)
    };
    let show = |o: &std::process::Output| {
        for l in String::from_utf8_lossy(&o.stdout)
            .lines()
            .chain(String::from_utf8_lossy(&o.stderr).lines())
        {
            println!("  {l}");
        }
    };
    step(&format!(
        "r53-migrate check {ZONE} --from {from} --skip-unsupported   (Knot plays the old DNS host)"
    ));
    let o = run(&["check", ZONE, "--from", &from, "--skip-unsupported"])?;
    show(&o);
    anyhow::ensure!(o.status.success(), "check failed");

    step(&format!(
        "r53-migrate import {ZONE} --from {from} --skip-unsupported   (dry run: the plan)"
    ));
    let o = run(&["import", ZONE, "--from", &from, "--skip-unsupported"])?;
    show(&o);
    anyhow::ensure!(
        o.status.code() == Some(2),
        "dry run should exit 2 (changes pending)"
    );
    let o = run(&[
        "import",
        ZONE,
        "--from",
        &from,
        "--skip-unsupported",
        "--json",
    ])?;
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).context("import --json")?;
    let sum = plan["checksum"].as_str().unwrap_or_default().to_string();

    step(&format!(
        "r53-migrate import … --apply --checksum {sum}   (exactly the reviewed plan)"
    ));
    let o = run(&[
        "import",
        ZONE,
        "--from",
        &from,
        "--skip-unsupported",
        "--apply",
        "--checksum",
        &sum,
    ])?;
    show(&o);
    anyhow::ensure!(o.status.success(), "apply failed");

    let tf = lab.terraform(r53_lab::TfBin::Lib)?;
    let dir = tf.path().display().to_string();
    step(&format!(
        "r53-migrate export-tf {ZONE} --out <workdir>, then terraform plan (imports only)"
    ));
    let o = run(&["export-tf", ZONE, "--out", &dir, "--json"])?;
    anyhow::ensure!(
        o.status.success(),
        "export-tf failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let exported: serde_json::Value =
        serde_json::from_slice(&o.stdout).context("export-tf --json")?;
    let zone_id = exported["zone_id"].as_str().unwrap_or_default().to_string();
    let p = tf.plan()?;
    for l in p.stdout.lines().filter(|l| l.starts_with("Plan:")) {
        println!("  {l}");
    }
    anyhow::ensure!(p.code == 2, "plan should only import:\n{}", p.text());
    let a = tf.apply()?;
    anyhow::ensure!(a.code == 0, "apply of the imports failed:\n{}", a.text());
    let p = tf.plan()?;
    println!(
        "  terraform apply (imports), then plan: exit code {} ({})",
        p.code,
        if p.code == 0 {
            "no changes: the zone is now managed by r53"
        } else {
            "CHANGES PENDING"
        }
    );
    anyhow::ensure!(p.code == 0, "plan after import not empty:\n{}", p.text());

    step(&format!(
        "r53-migrate cutover {ZONE} --to-zone {zone_id} --from {from} --skip-unsupported   (preflight)"
    ));
    let o = run(&[
        "cutover",
        ZONE,
        "--to-zone",
        &zone_id,
        "--from",
        &from,
        "--skip-unsupported",
    ])?;
    show(&o);
    anyhow::ensure!(
        o.status.code() == Some(2),
        "preflight should pass and stop (exit 2)"
    );
    step(&format!("r53-migrate cutover {ZONE} --resume --switch   (the registrar is elsewhere: it says what to set there)"));
    let o = run(&[
        "cutover", ZONE, "--resume", "--switch", "--wait", "2s", "--poll", "500ms",
    ])?;
    show(&o);
    anyhow::ensure!(
        o.status.code() == Some(2),
        "the switch should wait for the registrar (exit 2)"
    );
    let mut new: Vec<String> = Vec::new();
    for l in String::from_utf8_lossy(&o.stdout).lines() {
        let t = l.trim();
        if t.starts_with("ns-") && !t.contains(' ') {
            new.push(t.to_string());
        }
    }
    anyhow::ensure!(new.len() == 4, "four name servers to set, got {new:?}");
    step("the owner sets them at the third-party registrar (the lab plays it)");
    let refs: Vec<(&str, &[&str])> = new.iter().map(|n| (n.as_str(), &[][..])).collect();
    lab.registry.delegate(ZONE, &refs);
    step(&format!("r53-migrate cutover {ZONE} --resume   (the parent publishes the new set; monitor until the old NS TTL has passed)"));
    let o = run(&["cutover", ZONE, "--resume", "--poll", "1s"])?;
    show(&o);
    anyhow::ensure!(o.status.success(), "the cutover did not complete");
    step(&format!("r53-migrate status {ZONE}"));
    let o = run(&["status", ZONE])?;
    show(&o);
    Ok(())
}

async fn list_records(endpoint: &str, zone: &str) -> anyhow::Result<r53_lab::xml::Element> {
    // Unsigned read straight from the emulator's Route 53 API (moto does not check signatures).
    let url: hyper::Uri =
        format!("{endpoint}/2013-04-01/hostedzone/{zone}/rrset?maxitems=300").parse()?;
    let client: hyper_util::client::legacy::Client<_, http_body_util::Empty<bytes::Bytes>> =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build_http();
    let req = hyper::Request::get(url)
        .header("authorization", r53_lab::moto_api::MOTO_ROUTE53_AUTH)
        .body(http_body_util::Empty::new())?;
    let resp = client.request(req).await?;
    use http_body_util::BodyExt;
    let body = resp.into_body().collect().await?.to_bytes();
    r53_lab::xml::parse(&body)
}

/// The sizes of the bench's other parts (empty: skipped).
struct Parts<'a> {
    migrate: &'a [usize],
    cutover: &'a [usize],
    compare: &'a [usize],
}

fn bench(
    sizes: &[usize],
    max_per_resource: usize,
    variants: &[String],
    profile: &str,
    opts: r53_lab::bench::Opts,
    parts: Parts<'_>,
) -> anyhow::Result<()> {
    use r53_lab::bench::{run_case, startup, table, Variant};
    let chosen: Vec<Variant> = variants
        .iter()
        .map(|s| Variant::parse(s))
        .collect::<anyhow::Result<_>>()?;
    let mut rows = Vec::new();
    for &n in sizes {
        for v in chosen.iter().copied() {
            if v != Variant::Records && n > max_per_resource {
                eprintln!("skipping {v:?} at N={n} (over --max-per-resource {max_per_resource})");
                continue;
            }
            eprintln!("bench: {v:?} N={n} …");
            rows.push(run_case(v, n, opts)?);
        }
    }
    let mut t = String::new();
    if !rows.is_empty() {
        let (ms, mb) = startup()?;
        t.push_str(&table(&rows, ms, mb, profile, opts));
    }
    if !parts.compare.is_empty() {
        t.push_str(&r53_lab::compare_bench::run(parts.compare, opts)?);
    }
    if !parts.migrate.is_empty() {
        t.push_str(&r53_lab::migrate_bench::run(parts.migrate)?);
    }
    if !parts.cutover.is_empty() {
        t.push_str(&r53_lab::cutover_bench::run(parts.cutover)?);
    }
    println!("{t}");
    let dir = r53_lab::tools::repo_root().join("bench-results");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("bench.md"), &t)?;
    eprintln!("written to {}", dir.join("bench.md").display());
    Ok(())
}
