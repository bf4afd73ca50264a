//! `r53-migrate import`: source → conversion report → plan (dry run by default) → safety →
//! journaled apply in batches → read-back.

use std::collections::BTreeSet;
use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use r53_core::route53::{Change, NewZone};
use r53_core::Aws;
use r53_zone::plan::{self, Action, Limits, Plan, Scope};

use crate::interrupt::{self, call};
use crate::journal::{self, Journal};
use crate::{output, source, Fail, ImportArgs, EXIT_OK, EXIT_PENDING};

const API_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub async fn run(a: ImportArgs) -> Result<u8, Fail> {
    let zone = r53_zone::Name::from_user(&a.src.zone)
        .map_err(|e| Fail::error(format!("zone name: {e}")))?
        .to_string();
    let jpath = a
        .journal
        .clone()
        .unwrap_or_else(|| journal::default_path(&zone));
    // A run that writes holds its journal and its zone (two applies with different --journal
    // paths would each create a zone): dropped when the process ends, however it ends.
    let _locks = if a.apply || a.resume {
        Some((
            crate::persist::lock_domain("import", &zone).map_err(Fail::error)?,
            crate::persist::lock_journal(&jpath).map_err(Fail::error)?,
        ))
    } else {
        None
    };
    if a.resume {
        let j = Journal::load(&jpath).map_err(Fail::error)?;
        if j.zone != zone {
            return Err(Fail::error(format!(
                "{} is the journal of {}, not {zone}",
                jpath.display(),
                j.zone
            )));
        }
        if a.src.from.is_some() {
            eprintln!("note: --resume finishes the journaled run; --from is not read again");
        }
        eprintln!(
            "resuming the import of {zone} from {}: the zone is read again and what is missing applied",
            j.source
        );
        let aws = crate::connect(&a.aws).await?;
        return execute(&aws, &a, j, &jpath, None).await;
    }
    let src = source::parse(&a.src)?;
    if a.apply && jpath.exists() {
        return Err(Fail::error(format!(
            "an interrupted apply left {}: finish it with --resume, or delete the file to start over",
            jpath.display()
        )));
    }
    // A zone file is read and checked before anything else, so a bad file needs no AWS at all.
    let early = match &src {
        source::Source::File(_) => Some(source::load(&src, &a.src, None).await?),
        _ => None,
    };
    let aws = crate::connect(&a.aws).await?;
    let conv = match early {
        Some(c) => c,
        None => source::load(&src, &a.src, Some(&aws)).await?,
    };
    let (zone_id, live) = target(&aws, &a, &zone).await?;
    let mut conv = conv;
    // Aliases inside a copied Route 53 zone point at the target zone: now if it exists, else once
    // the apply has created it (recorded in the journal).
    let mut retarget_later = None;
    if let source::Source::Route53 { zone_id: src } = &src {
        match &zone_id {
            Some(t) => {
                r53_zone::convert::retarget_aliases(&mut conv.sets, src, t);
            }
            None => retarget_later = Some(src.clone()),
        }
    }
    let plan = plan::diff(&zone, &live, &conv.sets, Scope::Exclusive);
    // --force lifts what a person may insist on, never the quota (Route 53 would refuse mid-apply).
    let refusals: Vec<_> = plan::safety(
        &plan,
        Limits {
            max_change_percent: a.max_change_percent,
            max_record_sets: a.src.max_record_sets,
            ..Default::default()
        },
    )
    .into_iter()
    .filter(|r| !(a.force && r.forcible()))
    .collect();
    let source_label = src.to_string();
    let checksum = plan.checksum();
    // The JSON report is built only when asked for: at 50,000 sets it is not free.
    let mut report = a.json.then(|| {
        output::json(
            &plan,
            &checksum,
            zone_id.as_deref(),
            &conv.notes,
            &refusals,
            &source_label,
        )
    });
    if let Some(report) = &report {
        if !a.apply || !refusals.is_empty() {
            println!(
                "{}",
                serde_json::to_string_pretty(report).unwrap_or_default()
            );
        }
    } else {
        print!(
            "{}",
            output::human(
                &plan,
                &checksum,
                zone_id.is_some(),
                &conv.notes,
                &refusals,
                &source_label
            )
        );
    }
    if !refusals.is_empty() {
        let hint = if refusals.iter().all(|r| r.forcible()) {
            "review the plan and pass --force if it is intended"
        } else {
            "the zone would exceed its record-set quota: raise it with AWS and pass --max-record-sets"
        };
        return Err(Fail::refused(format!(
            "{} safety check(s) failed (see above); {hint}",
            refusals.len()
        )));
    }
    if let Some(c) = &a.checksum {
        if !c.eq_ignore_ascii_case(&checksum) {
            return Err(Fail::refused(format!(
                "the plan's checksum is {checksum}, not the reviewed {c}: the source or the zone changed since; review the new plan"
            )));
        }
    }
    let nothing = plan.is_empty() && zone_id.is_some();
    if !a.apply {
        if !a.json {
            println!(
                "{}",
                if nothing {
                    "No changes: the Route 53 zone already matches the source."
                } else {
                    "Dry run: nothing was changed. Re-run with --apply (and --checksum to pin this plan)."
                }
            );
        }
        return Ok(if nothing { EXIT_OK } else { EXIT_PENDING });
    }
    if nothing {
        if let Some(report) = &mut report {
            report["result"] = serde_json::json!({"applied": 0, "batches": 0});
            println!(
                "{}",
                serde_json::to_string_pretty(report).unwrap_or_default()
            );
        } else {
            println!("No changes: the Route 53 zone already matches the source.");
        }
        return Ok(EXIT_OK);
    }
    let j = Journal {
        version: journal::VERSION,
        zone: zone.clone(),
        source: source_label,
        caller_reference: format!("r53-migrate-{}-{:016x}", zone, rand::random::<u64>()),
        zone_id,
        plan_checksum: checksum,
        approved: plan.steps.iter().map(|s| s.key()).collect::<BTreeSet<_>>(),
        want: conv.sets,
        retarget_aliases_from: retarget_later,
    };
    j.save(&jpath).map_err(Fail::error)?;
    // The plan just made from the zone as listed: the apply neither lists nor diffs again.
    let applied = plan.steps.len();
    let code = execute(&aws, &a, j, &jpath, Some(plan)).await?;
    if let Some(report) = &mut report {
        report["result"] = serde_json::json!({
            "applied": applied,
            "read_back": if a.no_read_back { "skipped" } else { "match" },
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        );
    }
    Ok(code)
}

/// The target zone (by --zone-id, else the one public zone of that name) and its record sets.
async fn target(
    aws: &Aws,
    a: &ImportArgs,
    zone: &str,
) -> Result<(Option<String>, Vec<r53_zone::RecordSet>), Fail> {
    let c = call(API_TIMEOUT);
    let id = crate::find_zone(aws, &c, zone, a.zone_id.as_deref())
        .await?
        .map(|z| z.id);
    let live = match &id {
        Some(id) => aws
            .route53
            .list_record_sets(&c, id)
            .await
            .map_err(|e| Fail::error(format!("listing {id}: {e}")))?,
        None => Vec::new(),
    };
    Ok((id, live))
}

fn to_change(s: &plan::Step) -> Change {
    match s.action {
        Action::Create => Change::Create(s.after.clone().expect("create has after")),
        Action::Update => Change::Upsert(s.after.clone().expect("update has after")),
        Action::Delete => Change::Delete(s.before.clone().expect("delete has before")),
    }
}

/// Applies what the journal wants, from wherever the zone is now; safe to run again at any point.
/// `planned` is the plan this process just made (a resume lists the zone and plans again).
async fn execute(
    aws: &Aws,
    a: &ImportArgs,
    mut j: Journal,
    jpath: &std::path::Path,
    planned: Option<Plan>,
) -> Result<u8, Fail> {
    let t0 = Instant::now();
    let c = call(API_TIMEOUT);
    let zone_id = match j.zone_id.clone() {
        Some(id) => id,
        None => {
            // A zone an interrupted run created carries this run's caller reference.
            let existing = aws
                .route53
                .find_hosted_zones_by_name(&c, &j.zone)
                .await
                .map_err(|e| Fail::error(format!("finding zone {}: {e}", j.zone)))?
                .into_iter()
                .find(|z| z.caller_reference == j.caller_reference);
            let id = match existing {
                Some(z) => z.id,
                None => {
                    let (z, change) = aws
                        .route53
                        .create_hosted_zone(
                            &c,
                            &NewZone {
                                name: j.zone.clone(),
                                comment: Some("Imported by r53-migrate".into()),
                                vpcs: Vec::new(),
                                delegation_set_id: None,
                                caller_reference: j.caller_reference.clone(),
                            },
                        )
                        .await
                        .map_err(|e| Fail::error(format!("creating zone {}: {e}", j.zone)))?;
                    aws.route53
                        .wait_change_insync(&c, change.as_ref())
                        .await
                        .map_err(|e| Fail::error(format!("waiting for zone {}: {e}", j.zone)))?;
                    eprintln!("created hosted zone {} ({})", j.zone, z.id);
                    z.id
                }
            };
            j.zone_id = Some(id.clone());
            j.save(jpath).map_err(Fail::error)?;
            id
        }
    };
    let mut retargeted = false;
    if let Some(src) = j.retarget_aliases_from.take() {
        r53_zone::convert::retarget_aliases(&mut j.want, &src, &zone_id);
        j.save(jpath).map_err(Fail::error)?;
        retargeted = true;
    }
    let plan = match planned {
        Some(p) if !retargeted => p,
        // Aliases are retargeted only into a zone this run has just created: it is empty.
        Some(_) => plan::diff(&j.zone, &[], &j.want, Scope::Exclusive),
        None => {
            let live = aws
                .route53
                .list_record_sets(&c, &zone_id)
                .await
                .map_err(|e| Fail::error(format!("listing {zone_id}: {e}")))?;
            plan::diff(&j.zone, &live, &j.want, Scope::Exclusive)
        }
    };
    let outside: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| !j.approved.contains(&s.key()))
        .map(|s| s.key().to_string())
        .collect();
    if !outside.is_empty() {
        return Err(Fail::refused(format!(
            "the zone changed outside this run; these record sets were not in the reviewed plan: {}. \
             Review a new plan (run without --resume after deleting {})",
            outside.join(", "),
            jpath.display()
        )));
    }
    let changes: Vec<Change> = plan.steps.iter().map(to_change).collect();
    let batches = batches(&changes, a.max_batch_changes as usize);
    let failed = apply_batches(aws, &zone_id, &plan, &changes, &batches, jpath).await?;
    if !failed.is_empty() {
        return Err(Fail::error(format!(
            "{} change(s) were refused by Route 53 (the others were applied):\n  {}\nThe journal {} is kept: fix the cause and run again with --resume.",
            failed.len(),
            failed.join("\n  "),
            jpath.display()
        )));
    }
    let done = |read_back: &str| {
        eprintln!(
            "applied {} change(s) to {} ({}) in {} batch(es), {:.1} s; {read_back}",
            changes.len(),
            j.zone,
            zone_id,
            batches.len(),
            t0.elapsed().as_secs_f64(),
        )
    };
    if a.no_read_back {
        let _ = std::fs::remove_file(jpath);
        done("read-back skipped (--no-read-back)");
        return Ok(EXIT_OK);
    }
    // Read back: the zone must now hold exactly the wanted record sets.
    let after = aws
        .route53
        .list_record_sets(&c, &zone_id)
        .await
        .map_err(|e| Fail::error(format!("reading back {zone_id}: {e}")))?;
    let rest = plan::diff(&j.zone, &after, &j.want, Scope::Exclusive);
    if !rest.is_empty() {
        let list: Vec<String> = rest
            .steps
            .iter()
            .map(|s| format!("{:?} {}", s.action, s.key()))
            .collect();
        return Err(Fail::error(format!(
            "read-back: the zone differs from the source in {} record set(s):\n  {}",
            list.len(),
            list.join("\n  ")
        )));
    }
    let _ = std::fs::remove_file(jpath);
    done(&format!(
        "read-back: all {} record sets match the source",
        j.want.len()
    ));
    Ok(EXIT_OK)
}

/// Batch sizes: Route 53's limits, and at most `max` changes each. The plan orders the changes at
/// one name together, DELETEs first; a batch boundary falls between them only when `max` forces it.
fn batches(changes: &[Change], max: usize) -> Vec<usize> {
    let name = |c: &Change| match c {
        Change::Create(r) | Change::Upsert(r) | Change::Delete(r) => r.name.clone(),
    };
    let mut out = Vec::new();
    for n in r53_core::batch::split_groups(changes, r53_core::batch::cost, name) {
        let mut left = n;
        while left > 0 {
            let k = left.min(max.max(1));
            out.push(k);
            left -= k;
        }
    }
    out
}

async fn apply_batches(
    aws: &Aws,
    zone_id: &str,
    plan: &Plan,
    changes: &[Change],
    sizes: &[usize],
    jpath: &std::path::Path,
) -> Result<Vec<String>, Fail> {
    let tty = std::io::stderr().is_terminal();
    let bar = if tty {
        let b = indicatif::ProgressBar::new(changes.len() as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:30}] {pos}/{len} changes, batch {msg} ({elapsed})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(b)
    } else {
        None
    };
    let mut failed = Vec::new();
    let mut start = 0;
    for (i, &n) in sizes.iter().enumerate() {
        if interrupt::token().is_cancelled() {
            return Err(Fail::error(format!(
                "interrupted after {i} of {} batches; the journal {} is kept: run again with --resume",
                sizes.len(),
                jpath.display()
            )));
        }
        let c = call(API_TIMEOUT);
        let results = aws
            .zones
            .apply_changes(&c, zone_id, &changes[start..start + n])
            .await;
        for (k, r) in results.into_iter().enumerate() {
            if let Err(e) = r {
                if c.cancel.is_cancelled() {
                    return Err(Fail::error(format!(
                        "interrupted during batch {} of {}; the journal {} is kept: run again with --resume",
                        i + 1,
                        sizes.len(),
                        jpath.display()
                    )));
                }
                let s = &plan.steps[start + k];
                failed.push(format!("{:?} {}: {e}", s.action, s.key()));
            }
        }
        // The journal is not rewritten per batch (it holds every wanted record set): a resume reads
        // the zone again and applies what is still missing, whatever batch it stopped in.
        start += n;
        match &bar {
            Some(b) => {
                b.set_position(start as u64);
                b.set_message(format!("{}/{}", i + 1, sizes.len()));
            }
            None => eprintln!(
                "batch {}/{}: {n} change(s) applied ({start}/{} total)",
                i + 1,
                sizes.len(),
                changes.len()
            ),
        }
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(failed)
}
