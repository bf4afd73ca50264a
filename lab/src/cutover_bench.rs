//! `r53-lab bench --cutover-sizes`: the cutover's equivalence check at zone scale. The same
//! generated zone is served by two Knot instances on loopback — the "old host" on 2 addresses and
//! the "new host" on 4, as Route 53 has — and every record set is asked at all 6 with the engine
//! `r53-migrate cutover` uses (r53-core's `equivalence`, on a one-thread runtime as in the CLI,
//! 128 questions in flight). The goal: 10,000 record sets verified in under 2 s, ≥ 20,000 q/s.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use r53_core::dns::equivalence::{self, Question, Target};

use crate::knot::{Knot, LabZone};
use crate::migrate_bench::{zone_text, ZONE};

struct Row {
    n: usize,
    servers: usize,
    queries: usize,
    seconds: f64,
    differences: usize,
    retries: usize,
}

fn addr(net: u8, host: u8, port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::from([127, 0, net, host]), port)
}

pub fn run(sizes: &[usize]) -> anyhow::Result<String> {
    let mut rows = Vec::new();
    for &n in sizes {
        let text = zone_text(n);
        let port = crate::moto::free_port()?;
        let zone = || LabZone {
            name: ZONE.into(),
            text: text.clone(),
            transfer: false,
            signed: false,
        };
        // 127.0.4/5.x: clear of the lab's own addresses, should a lab run beside.
        let old_addrs = [addr(4, 1, port), addr(4, 2, port)];
        let new_addrs = [
            addr(5, 1, port),
            addr(5, 2, port),
            addr(5, 3, port),
            addr(5, 4, port),
        ];
        let _old = Knot::start_on(&[zone()], None, &old_addrs)?;
        let _new = Knot::start_on(&[zone()], None, &new_addrs)?;
        let parsed = r53_zone::zonefile::parse_str(&text, Path::new("bench.zone"), ZONE)?;
        // The bench zone is N sets plus SOA and NS: past the default quota at N = 10,000.
        let opts = r53_zone::convert::Options {
            max_record_sets: usize::MAX,
            ..Default::default()
        };
        let conv = r53_zone::convert::from_dns(ZONE, &parsed.records, &opts)?;
        let questions: Vec<Question> = conv
            .sets
            .iter()
            .filter(|s| !(s.name == ZONE && matches!(s.ty.as_str(), "NS" | "SOA")))
            .map(|s| Question {
                name: s.name.clone(),
                ty: s.ty.as_str().to_string(),
            })
            .collect();
        let targets: Vec<Target> = old_addrs
            .iter()
            .chain(&new_addrs)
            .enumerate()
            .map(|(i, a)| Target {
                label: format!("server{i}"),
                addr: *a,
            })
            .collect();
        let labels: Vec<String> = targets.iter().map(|t| t.label.clone()).collect();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let opts = equivalence::Options::default();
        // One warm-up pass (Knot's first answers, socket setup), then the measured one.
        rt.block_on(equivalence::ask_all(
            &questions[..questions.len().min(500)],
            &targets,
            &opts,
        ));
        let (replies, stats) = rt.block_on(equivalence::ask_all(&questions, &targets, &opts));
        let diffs = equivalence::compare(&questions, &replies, &labels, old_addrs.len());
        anyhow::ensure!(
            diffs.is_empty(),
            "identical servers differ on {} questions, e.g. {}",
            diffs.len(),
            diffs[0]
        );
        let row = Row {
            n: questions.len(),
            servers: targets.len(),
            queries: stats.queries,
            seconds: stats.elapsed.as_secs_f64(),
            differences: diffs.len(),
            retries: stats.retries,
        };
        eprintln!(
            "bench: cutover equivalence {}: {} queries in {:.2} s ({:.0} q/s)",
            row.n,
            row.queries,
            row.seconds,
            row.queries as f64 / row.seconds
        );
        rows.push(row);
    }
    Ok(table(&rows))
}

fn table(rows: &[Row]) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n### Cutover equivalence (every record set at 2 old + 4 new loopback name servers)\n\n\
         Goal: 10,000 record sets in under 2 s, at least 20,000 queries/s.\n\n\
         | record sets | servers | queries | seconds | queries/s | retries | differences |\n\
         |---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in rows {
        let _ = writeln!(
            t,
            "| {} | {} | {} | {:.2} | {:.0} | {} | {} |",
            r.n,
            r.servers,
            r.queries,
            r.seconds,
            r.queries as f64 / r.seconds,
            r.retries,
            r.differences
        );
    }
    t
}
