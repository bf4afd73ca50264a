//! `r53-lab bench --compare-sizes`: one zone of N A record sets written two ways in one run — a
//! `terraform apply` of one `r53_records`, and `r53-migrate import` of the same sets from a zone
//! file — each into a fresh emulator, with the CPU time each process spent, to show where the wall
//! time goes: Terraform core, the provider (or r53-migrate), the emulator (moto, and the lab
//! process that runs the proxy).
//!
//! CPU times come from /proc (user + system, in the kernel's 100 Hz ticks): moto's and the lab's
//! own counters are read before and after; the provider is sampled every 50 ms while it runs (it
//! is Terraform's child, reaped by Terraform); Terraform's is what the lab's reaped children
//! (Terraform and, through it, the provider) used, less the provider's.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::bench::{lenient_lab, provider_procs, workdir, Opts, Variant};
use crate::migrate_bench::measured;

const ZONE: &str = "bench.example";

/// USER_HZ: the unit of /proc's CPU times on every Linux architecture the lab runs on.
const TICKS_PER_S: f64 = 100.0;

/// user + system CPU seconds of the process at `proc_dir` (a /proc/<pid> path), and with
/// `children` those of its reaped children instead.
fn cpu_of(proc_dir: &Path, children: bool) -> Option<f64> {
    cpu_in_stat(
        &std::fs::read_to_string(proc_dir.join("stat")).ok()?,
        children,
    )
}

/// The CPU seconds in a /proc stat line: utime + stime, or with `children` cutime + cstime.
fn cpu_in_stat(stat: &str, children: bool) -> Option<f64> {
    // Fields after the command name (which may hold blanks and parentheses) start at field 3, `state`.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let (u, s) = if children { (13, 14) } else { (11, 12) };
    let ticks = fields.get(u)?.parse::<f64>().ok()? + fields.get(s)?.parse::<f64>().ok()?;
    Some(ticks / TICKS_PER_S)
}

fn moto_cpu(lab: &crate::Lab) -> f64 {
    lab.moto
        .pid()
        .and_then(|p| cpu_of(&Path::new("/proc").join(p.to_string()), false))
        .unwrap_or(0.0)
}

fn self_cpu(children: bool) -> f64 {
    cpu_of(Path::new("/proc/self"), children).unwrap_or(0.0)
}

/// Runs `f` while sampling the CPU seconds of every provider process every 50 ms: the sum of
/// each process's last sample, and the sampler's own CPU seconds (spent in the lab process, so
/// not the proxy's).
fn with_provider_cpu<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let s2 = stop.clone();
    let sampler = std::thread::spawn(move || {
        let me = Path::new("/proc/thread-self");
        let start = cpu_of(me, false).unwrap_or(0.0);
        let mut seen = std::collections::HashMap::new();
        while !s2.load(Ordering::Relaxed) {
            for p in provider_procs() {
                if let Some(c) = cpu_of(&p, false) {
                    seen.insert(p, c);
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let own = cpu_of(me, false).unwrap_or(start) - start;
        (seen.values().sum::<f64>(), own)
    });
    let out = f();
    stop.store(true, Ordering::Relaxed);
    let (provider, own) = sampler.join().unwrap_or((0.0, 0.0));
    (out, provider, own)
}

struct Row {
    writer: &'static str,
    n: usize,
    wall_s: f64,
    batches: u64,
    lists: u64,
    /// Terraform core's CPU seconds (None for r53-migrate).
    terraform_s: Option<f64>,
    /// The provider's or r53-migrate's.
    client_s: f64,
    moto_s: f64,
    /// The lab process less the provider sampler: the proxy (and the lab's idle name servers).
    lab_s: f64,
}

/// The same record sets `bench::config` gives `r53_records`, as a zone file.
fn zone_file(n: usize) -> String {
    let mut s = format!("$ORIGIN {ZONE}.\n$TTL 300\n");
    for i in 0..n {
        let _ = writeln!(
            s,
            "h{i} IN A 10.{}.{}.{}",
            i / 65536,
            (i / 256) % 256,
            i % 256
        );
    }
    s
}

fn apply(n: usize, opts: Opts) -> anyhow::Result<Row> {
    let lab = lenient_lab()?;
    let tf = workdir(&lab, Variant::Records, n, opts)?;
    let par = format!("-parallelism={}", opts.parallelism);
    let (moto0, lab0, kids0) = (moto_cpu(&lab), self_cpu(false), self_cpu(true));
    let t = Instant::now();
    let (o, provider_s, sampler_s) = with_provider_cpu(|| {
        tf.run(&["apply", "-auto-approve", "-no-color", "-input=false", &par])
    });
    let wall_s = t.elapsed().as_secs_f64();
    let o = o?;
    anyhow::ensure!(o.code == 0, "apply failed:\n{}", o.text());
    let st = lab.proxy.stats();
    Ok(Row {
        writer: "terraform apply (one r53_records)",
        n,
        wall_s,
        batches: st.get("ChangeResourceRecordSets"),
        lists: st.get("ListResourceRecordSets"),
        terraform_s: Some((self_cpu(true) - kids0 - provider_s).max(0.0)),
        client_s: provider_s,
        moto_s: moto_cpu(&lab) - moto0,
        lab_s: (self_cpu(false) - lab0 - sampler_s).max(0.0),
    })
}

fn import(n: usize) -> anyhow::Result<Row> {
    let lab = lenient_lab()?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join(format!("{ZONE}.zone"));
    std::fs::write(&file, zone_file(n))?;
    let cmd: Vec<String> = vec![
        crate::tools::migrate_bin()?.display().to_string(),
        "import".into(),
        ZONE.into(),
        "--from".into(),
        file.display().to_string(),
        "--apply".into(),
        "--no-read-back".into(),
        "--max-record-sets".into(),
        (n + 100).to_string(),
        "--journal".into(),
        dir.path().join("journal.json").display().to_string(),
    ];
    let (moto0, lab0) = (moto_cpu(&lab), self_cpu(false));
    let (wall_s, client_s, _rss, code, stderr) = measured(&cmd, &lab.aws_env())?;
    anyhow::ensure!(
        code == 0,
        "r53-migrate import exited with {code}:\n{stderr}"
    );
    let st = lab.proxy.stats();
    Ok(Row {
        writer: "r53-migrate import --no-read-back (zone file)",
        n,
        wall_s,
        batches: st.get("ChangeResourceRecordSets"),
        lists: st.get("ListResourceRecordSets"),
        terraform_s: None,
        client_s,
        moto_s: moto_cpu(&lab) - moto0,
        lab_s: self_cpu(false) - lab0,
    })
}

/// Runs both writers at each size; returns the table (markdown).
pub fn run(sizes: &[usize], opts: Opts) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    for &n in sizes {
        for writer in ["apply", "import"] {
            eprintln!("bench: {n} record sets by {writer} …");
            let row = if writer == "apply" {
                apply(n, opts)?
            } else {
                import(n)?
            };
            eprintln!(
                "bench: {writer} {n}: {:.2} s wall, Terraform {:?} s, client {:.2} s, moto {:.2} s, lab {:.2} s CPU",
                row.wall_s, row.terraform_s, row.client_s, row.moto_s, row.lab_s
            );
            rows.push(row);
        }
    }
    Ok(table(&rows, opts))
}

fn table(rows: &[Row], opts: Opts) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\n### One zone written by Terraform and by r53-migrate: where the wall time goes\n"
    );
    let _ = writeln!(s, "| writer | record sets | wall s | change batches | List calls | Terraform core CPU s (% of wall) | provider / r53-migrate CPU s (%) | emulator: moto CPU s (%) | emulator: lab proxy CPU s (%) |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let share = |cpu: f64| format!("{cpu:.2} ({:.0} %)", 100.0 * cpu / r.wall_s.max(1e-9));
        let _ = writeln!(
            s,
            "| {} | {} | {:.2} | {} | {} | {} | {} | {} | {} |",
            r.writer,
            r.n,
            r.wall_s,
            r.batches,
            r.lists,
            r.terraform_s.map(share).unwrap_or_else(|| "–".into()),
            share(r.client_s),
            share(r.moto_s),
            share(r.lab_s)
        );
    }
    let _ = writeln!(
        s,
        "\nCPU times from /proc (user + system); shares are of the row's wall time, so on 2 cores they can add up to more than 100 % (work in parallel) or less (waiting). Terraform: -parallelism={}, state in {}, which moto serves too.",
        opts.parallelism,
        opts.state.label()
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_times_are_read_from_a_stat_line() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
        let line = "4242 (tf (py) x) S 1 2 3 0 -1 4194560 10 20 0 0 250 50 1200 300 20 0 3 0 99 0";
        assert_eq!(cpu_in_stat(line, false), Some(3.0));
        assert_eq!(cpu_in_stat(line, true), Some(15.0));
        assert_eq!(cpu_in_stat("4242 (cut short) S 1 2", false), None);
        assert_eq!(cpu_of(Path::new("/proc/no-such-process"), false), None);
        assert!(cpu_of(Path::new("/proc/self"), false).is_some());
    }

    #[test]
    fn the_zone_file_holds_the_sets_terraform_writes() {
        let z = zone_file(70_000);
        assert!(z.contains("\nh0 IN A 10.0.0.0\n"));
        assert!(z.contains("\nh65793 IN A 10.1.1.1\n"));
        assert_eq!(z.lines().count(), 70_002);
    }
}
