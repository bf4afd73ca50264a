//! `r53-migrate check`: read and convert a zone, write nothing anywhere. The pre-flight for an
//! import (like `named-checkzone`, but with Route 53's rules), and what the benchmark times for
//! zone-file throughput.

use std::time::Instant;

use r53_zone::convert::Note;

use crate::{source, CheckArgs, Fail, EXIT_OK};

fn note_json(n: &Note) -> serde_json::Value {
    let mut v = serde_json::to_value(n).unwrap_or_default();
    v["message"] = serde_json::Value::String(n.to_string());
    v
}

pub async fn run(a: CheckArgs) -> Result<u8, Fail> {
    let src = source::parse(&a.src)?;
    // Only a Route 53 source needs AWS; files and transfers are checked offline.
    let aws = match &src {
        source::Source::Route53 { .. } => Some(crate::connect(&a.aws).await?),
        _ => None,
    };
    let started = Instant::now();
    let conv = source::load(&src, &a.src, aws.as_ref()).await?;
    let elapsed = started.elapsed();
    let records: usize = conv
        .sets
        .iter()
        .map(|s| s.values.len().max(usize::from(s.alias.is_some())))
        .sum();
    if a.json {
        let v = serde_json::json!({
            "zone": conv.zone,
            "source": src.to_string(),
            "record_sets": conv.sets.len(),
            "records": records,
            "read_seconds": elapsed.as_secs_f64(),
            "notes": conv.notes.iter().map(note_json).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!("Source: {src}");
        for n in &conv.notes {
            println!("note: {n}");
        }
        println!(
            "{}: {} record sets ({records} records) can be imported into Route 53; read and converted in {:.1} ms.",
            conv.zone,
            conv.sets.len(),
            elapsed.as_secs_f64() * 1000.0
        );
    }
    Ok(EXIT_OK)
}
