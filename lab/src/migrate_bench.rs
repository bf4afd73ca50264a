//! `r53-lab bench --migrate-sizes`: the same generated zone, served by Knot, imported by AXFR into
//! a fresh emulator by `r53-migrate` and by octodns (octodns-bind's AxfrSource → octodns-route53),
//! one after the other in one run. Each import is then checked against the source with an
//! `r53-migrate` dry run (no changes pending = record-for-record equal). Also zone-file parsing
//! throughput: `r53-migrate check` against dnspython's `dns.zone.from_file`, both timed in-process.

use std::fmt::Write as _;
use std::path::Path;

use crate::knot::Knot;
use crate::{Lab, ProxyConfig};

pub(crate) const ZONE: &str = "bench.example";

struct ImportRow {
    tool: &'static str,
    n: usize,
    wall_s: f64,
    /// user + sys of the importing process
    cpu_s: f64,
    rss_mib: f64,
    batches: u64,
    lists: u64,
    calls: u64,
    /// Changes a dry run against the source still finds after the import (0 = equal).
    left: Option<u64>,
}

struct ParseRow {
    n: usize,
    r53_s: f64,
    dnspython_s: f64,
}

/// A zone of `n` record sets below the apex (plus SOA and NS), types mixed as in a real zone.
pub(crate) fn zone_text(n: usize) -> String {
    let mut s = String::with_capacity(n * 64);
    let _ = writeln!(s, "$ORIGIN {ZONE}.\n$TTL 300");
    let _ = writeln!(
        s,
        "@ 3600 IN SOA ns1.{ZONE}. hostmaster.{ZONE}. 1 7200 900 1209600 300"
    );
    let _ = writeln!(s, "@ 3600 IN NS ns1.{ZONE}.\n@ 3600 IN NS ns2.{ZONE}.");
    for i in 0..n {
        let (a, b, c) = ((i >> 16) & 255, (i >> 8) & 255, i & 255);
        let _ = match i % 10 {
            0..=2 => writeln!(s, "h{i} IN A 10.{a}.{b}.{c}"),
            3 => writeln!(s, "h{i} IN A 10.{a}.{b}.{c}\nh{i} IN A 172.16.{b}.{c}"),
            4 => writeln!(s, "h{i} IN AAAA 2001:db8::{i:x}"),
            5 => writeln!(s, "c{i} 600 IN CNAME h{}.{ZONE}.", i - 5),
            6 => writeln!(
                s,
                "m{i} IN MX 10 mx1-{i}.{ZONE}.\nm{i} IN MX 20 mx2-{i}.{ZONE}."
            ),
            7 => writeln!(s, "t{i} IN TXT \"site-verification={i:08x}\""),
            8 => writeln!(s, "_s{i}._tcp IN SRV 10 5 5060 sip{i}.{ZONE}."),
            _ => writeln!(s, "a{i} IN CAA 0 issue \"letsencrypt.org\""),
        };
    }
    s
}

/// Runs `cmd` under a Python wrapper that reports its wall time, user+sys CPU and peak RSS
/// (getrusage of the child).
pub(crate) fn measured(
    cmd: &[String],
    env: &[(String, String)],
) -> anyhow::Result<(f64, f64, f64, i32, String)> {
    const WRAP: &str = "import json, resource, subprocess, sys, time\n\
        t = time.perf_counter()\n\
        r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n\
        wall = time.perf_counter() - t\n\
        u = resource.getrusage(resource.RUSAGE_CHILDREN)\n\
        json.dump({'code': r.returncode, 'wall': wall, 'cpu': u.ru_utime + u.ru_stime, 'rss_kb': u.ru_maxrss,\n\
                   'stderr': r.stderr.decode(errors='replace')[-3000:]}, open(sys.argv[1], 'w'))\n";
    let out = tempfile::NamedTempFile::new()?;
    let status = std::process::Command::new(crate::tools::python()?)
        .arg("-c")
        .arg(WRAP)
        .arg(out.path())
        .args(cmd)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .status()?;
    anyhow::ensure!(status.success(), "measuring wrapper failed for {cmd:?}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(out.path())?)?;
    let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
    Ok((
        f("wall"),
        f("cpu"),
        f("rss_kb") / 1024.0,
        v["code"].as_i64().unwrap_or(-1) as i32,
        v["stderr"].as_str().unwrap_or_default().to_string(),
    ))
}

fn octodns_config(dir: &Path, knot: &Knot) -> anyhow::Result<std::path::PathBuf> {
    let cfg = format!(
        "providers:\n  knot:\n    class: octodns_bind.AxfrSource\n    host: 127.0.0.1\n    port: {port}\n  route53:\n    class: octodns_route53.Route53Provider\n    access_key_id: env/AWS_ACCESS_KEY_ID\n    secret_access_key: env/AWS_SECRET_ACCESS_KEY\n\
         processors:\n  no-root-ns:\n    class: octodns.processor.filter.IgnoreRootNsFilter\n\
         zones:\n  {ZONE}.:\n    sources: [knot]\n    processors: [no-root-ns]\n    targets: [route53]\n",
        port = knot.addr.port()
    );
    let p = dir.join("octodns.yaml");
    std::fs::write(&p, cfg)?;
    Ok(p)
}

/// Record-for-record check: a dry run of `r53-migrate import` from the same source; exit 0 means
/// no change pending, 2 means some, and the JSON says how many.
fn changes_left(lab: &Lab, knot: &Knot, n: usize) -> anyhow::Result<Option<u64>> {
    let out = std::process::Command::new(crate::tools::migrate_bin()?)
        .args(["import", ZONE, "--json", "--max-record-sets"])
        .arg((n + 100).to_string())
        .arg("--from")
        .arg(format!("axfr://{}", knot.addr))
        .envs(lab.aws_env())
        .output()?;
    let v: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(_) => return Ok(None),
    };
    let s = &v["summary"];
    Ok(Some(
        s["create"].as_u64().unwrap_or(0)
            + s["update"].as_u64().unwrap_or(0)
            + s["delete"].as_u64().unwrap_or(0),
    ))
}

fn import_case(tool: &'static str, n: usize, knot: &Knot) -> anyhow::Result<ImportRow> {
    // A fresh emulator per tool: moto slows down as it fills, which must not favour either.
    let lab = Lab::start_with(ProxyConfig {
        strict: false,
        ..Default::default()
    })?;
    let dir = tempfile::tempdir()?;
    let env = lab.aws_env();
    let cmd: Vec<String> = match tool {
        "octodns" => vec![
            crate::tools::venv()
                .join("bin/octodns-sync")
                .display()
                .to_string(),
            "--config-file".into(),
            octodns_config(dir.path(), knot)?.display().to_string(),
            "--doit".into(),
        ],
        _ => {
            let mut c = vec![
                crate::tools::migrate_bin()?.display().to_string(),
                "import".into(),
                ZONE.into(),
                "--from".into(),
                format!("axfr://{}", knot.addr),
                "--apply".into(),
                "--max-record-sets".into(),
                (n + 100).to_string(),
                "--journal".into(),
                dir.path().join("journal.json").display().to_string(),
            ];
            c.extend(tool.split_whitespace().skip(1).map(String::from));
            c
        }
    };
    let (wall_s, cpu_s, rss_mib, code, stderr) = measured(&cmd, &env)?;
    anyhow::ensure!(code == 0, "{tool} exited with {code}:\n{stderr}");
    let st = lab.proxy.stats();
    let row = ImportRow {
        tool,
        n,
        wall_s,
        cpu_s,
        rss_mib,
        batches: st.get("ChangeResourceRecordSets"),
        lists: st.get("ListResourceRecordSets"),
        calls: st.total(),
        left: changes_left(&lab, knot, n)?,
    };
    Ok(row)
}

fn parse_case(n: usize, text: &str) -> anyhow::Result<ParseRow> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join(format!("{ZONE}.zone"));
    std::fs::write(&file, text)?;
    // Best of 3 for both: the first run pays for a cold page cache.
    let mut r53_s = f64::MAX;
    let mut dnspython_s = f64::MAX;
    for _ in 0..3 {
        let out = std::process::Command::new(crate::tools::migrate_bin()?)
            .args(["check", ZONE, "--json", "--max-record-sets"])
            .arg((n + 100).to_string())
            .arg("--from")
            .arg(&file)
            .output()?;
        anyhow::ensure!(
            out.status.success(),
            "r53-migrate check failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
        anyhow::ensure!(
            v["record_sets"].as_u64() == Some(n as u64),
            "r53-migrate check read {} record sets, expected {n}",
            v["record_sets"]
        );
        r53_s = r53_s.min(v["read_seconds"].as_f64().unwrap_or(f64::MAX));
        let py = std::process::Command::new(crate::tools::python()?)
            .args([
                "-c",
                "import sys, time, dns.zone\nt = time.perf_counter()\nz = dns.zone.from_file(sys.argv[1], origin=sys.argv[2], relativize=False)\nprint(time.perf_counter() - t, len(z.nodes))",
            ])
            .arg(&file)
            .arg(format!("{ZONE}."))
            .output()?;
        anyhow::ensure!(
            py.status.success(),
            "dnspython failed: {}",
            String::from_utf8_lossy(&py.stderr)
        );
        let text = String::from_utf8_lossy(&py.stdout);
        let secs: f64 = text
            .split_whitespace()
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("dnspython printed {text:?}"))?;
        dnspython_s = dnspython_s.min(secs);
    }
    Ok(ParseRow {
        n,
        r53_s,
        dnspython_s,
    })
}

/// Runs the import and parse comparison for each size; returns the table (markdown).
pub fn run(sizes: &[usize]) -> anyhow::Result<String> {
    let mut imports = Vec::new();
    let mut parses = Vec::new();
    for &n in sizes {
        let text = zone_text(n);
        let p = parse_case(n, &text)?;
        eprintln!(
            "bench: parse {n}: r53-migrate {:.4} s, dnspython {:.4} s",
            p.r53_s, p.dnspython_s
        );
        parses.push(p);
        let knot = Knot::serving(ZONE, text)?;
        for tool in TOOLS {
            eprintln!("bench: import of {n} record sets by {tool} …");
            let row = import_case(tool, n, &knot)?;
            // Printed as it lands: a later failure in a long run keeps what was measured.
            eprintln!(
                "bench: {tool} {n}: {:.2} s wall, {:.2} s CPU, {:.1} MiB, {} batches, {} Lists, {:?} left",
                row.wall_s, row.cpu_s, row.rss_mib, row.batches, row.lists, row.left
            );
            imports.push(row);
        }
    }
    Ok(table(&imports, &parses))
}

/// The importers compared. octodns does no read-back, so `r53-migrate --no-read-back` is the
/// like-for-like row; the default run adds the read-back's listing of the whole zone.
const TOOLS: [&str; 3] = ["r53-migrate --no-read-back", "r53-migrate", "octodns"];

fn table(imports: &[ImportRow], parses: &[ParseRow]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "\n### Zone import by AXFR from Knot into the emulator\n");
    let _ = writeln!(s, "| tool | record sets | wall s | CPU s (user+sys) | peak RSS MiB | change batches | List calls | all calls | changes left after (0 = equal) |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in imports {
        let _ = writeln!(
            s,
            "| {} | {} | {:.2} | {:.2} | {:.1} | {} | {} | {} | {} |",
            r.tool,
            r.n,
            r.wall_s,
            r.cpu_s,
            r.rss_mib,
            r.batches,
            r.lists,
            r.calls,
            r.left.map(|l| l.to_string()).unwrap_or_else(|| "?".into())
        );
    }
    let _ = writeln!(s);
    for a in imports.iter().filter(|r| r.tool != "octodns") {
        if let Some(b) = imports.iter().find(|r| r.tool == "octodns" && r.n == a.n) {
            let _ = writeln!(
                s,
                "At {} record sets, `{}` vs octodns: {:.1}× faster end to end, {:.1}× less CPU, {} vs {} change batches, {} vs {} List calls.  ",
                a.n,
                a.tool,
                b.wall_s / a.wall_s.max(1e-9),
                b.cpu_s / a.cpu_s.max(1e-9),
                a.batches,
                b.batches,
                a.lists,
                b.lists
            );
        }
    }
    let _ = writeln!(s, "\n### Zone-file parsing (in-process, best of 3)\n");
    let _ = writeln!(
        s,
        "| record sets | r53-migrate check s (parse + convert) | dnspython from_file s | ratio |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|");
    for p in parses {
        let _ = writeln!(
            s,
            "| {} | {:.4} | {:.4} | {:.1}× |",
            p.n,
            p.r53_s,
            p.dnspython_s,
            p.dnspython_s / p.r53_s.max(1e-9)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_zone_has_the_asked_number_of_sets() {
        let t = zone_text(25);
        let owners: std::collections::BTreeSet<(&str, &str)> = t
            .lines()
            .skip(2)
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                let owner = w.next()?;
                let ty = w.find(|x| x.chars().all(|c| c.is_ascii_uppercase()) && *x != "IN")?;
                Some((owner, ty))
            })
            .collect();
        // 25 sets below the apex, plus SOA and NS at the apex.
        assert_eq!(owners.len(), 27, "{owners:?}");
    }
}
