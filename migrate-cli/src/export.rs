//! `r53-migrate export-tf`: Terraform for a Route 53 zone as it is now — `r53_hosted_zone` and
//! `r53_records` (or one `r53_record` per set) with `import {}` blocks, so the first plan only
//! imports and the next one is empty.

use std::fmt::Write as _;
use std::time::Duration;

use r53_zone::{RecordSet, Routing};

use crate::{ExportArgs, Fail, EXIT_OK};

/// A string literal in HCL: quotes, backslashes, newlines and template sequences escaped.
fn hcl(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                o.push(c);
                o.push(c);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The attributes of one record set, as lines at `indent`.
fn record_body(r: &RecordSet, indent: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{indent}name = {}", hcl(&r.name));
    let _ = writeln!(s, "{indent}type = {}", hcl(r.ty.as_str()));
    if let Some(id) = &r.set_identifier {
        let _ = writeln!(s, "{indent}set_identifier = {}", hcl(id));
    }
    if let Some(a) = &r.alias {
        let _ = writeln!(s, "{indent}alias {{");
        let _ = writeln!(s, "{indent}  name                   = {}", hcl(&a.name));
        let _ = writeln!(s, "{indent}  zone_id                = {}", hcl(&a.zone_id));
        let _ = writeln!(
            s,
            "{indent}  evaluate_target_health = {}",
            a.evaluate_target_health
        );
        let _ = writeln!(s, "{indent}}}");
    } else {
        if let Some(t) = r.ttl {
            let _ = writeln!(s, "{indent}ttl  = {t}");
        }
        // The provider's user form (TXT unquoted when it is one string or split at 255).
        let vals: Vec<String> = r
            .values
            .iter()
            .map(|v| hcl(&r53_zone::decode_wire_value(r.ty, v)))
            .collect();
        if vals.len() <= 1 {
            let _ = writeln!(s, "{indent}records = [{}]", vals.join(", "));
        } else {
            let _ = writeln!(s, "{indent}records = [");
            for v in vals {
                let _ = writeln!(s, "{indent}  {v},");
            }
            let _ = writeln!(s, "{indent}]");
        }
    }
    if let Some(h) = &r.health_check_id {
        let _ = writeln!(s, "{indent}health_check_id = {}", hcl(h));
    }
    match &r.routing {
        None => {}
        Some(Routing::Weighted(w)) => {
            let _ = writeln!(
                s,
                "{indent}weighted_routing_policy {{\n{indent}  weight = {w}\n{indent}}}"
            );
        }
        Some(Routing::Latency(region)) => {
            let _ = writeln!(
                s,
                "{indent}latency_routing_policy {{\n{indent}  region = {}\n{indent}}}",
                hcl(region)
            );
        }
        Some(Routing::Failover(f)) => {
            let t = match f {
                r53_zone::Failover::Primary => "PRIMARY",
                r53_zone::Failover::Secondary => "SECONDARY",
            };
            let _ = writeln!(
                s,
                "{indent}failover_routing_policy {{\n{indent}  type = \"{t}\"\n{indent}}}"
            );
        }
        Some(Routing::Geolocation(g)) => {
            let _ = writeln!(s, "{indent}geolocation_routing_policy {{");
            for (k, v) in [
                ("continent", &g.continent),
                ("country", &g.country),
                ("subdivision", &g.subdivision),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(s, "{indent}  {k} = {}", hcl(v));
                }
            }
            let _ = writeln!(s, "{indent}}}");
        }
        Some(Routing::MultiValue) => {
            let _ = writeln!(s, "{indent}multivalue_answer_routing_policy = true");
        }
        Some(Routing::Cidr {
            collection_id,
            location_name,
        }) => {
            let _ = writeln!(
                s,
                "{indent}cidr_routing_policy {{\n{indent}  collection_id = {}\n{indent}  location_name = {}\n{indent}}}",
                hcl(collection_id),
                hcl(location_name)
            );
        }
        Some(Routing::GeoProximity(g)) => {
            let _ = writeln!(s, "{indent}geoproximity_routing_policy {{");
            for (k, v) in [
                ("aws_region", &g.aws_region),
                ("local_zone_group", &g.local_zone_group),
            ] {
                if let Some(v) = v {
                    let _ = writeln!(s, "{indent}  {k} = {}", hcl(v));
                }
            }
            // Route 53 reports an unset bias as 0: written only when it is not.
            if let Some(b) = g.bias.filter(|b| *b != 0) {
                let _ = writeln!(s, "{indent}  bias = {b}");
            }
            if let Some((lat, lon)) = &g.coordinates {
                let _ = writeln!(
                    s,
                    "{indent}  coordinates {{\n{indent}    latitude  = {}\n{indent}    longitude = {}\n{indent}  }}",
                    hcl(lat),
                    hcl(lon)
                );
            }
            let _ = writeln!(s, "{indent}}}");
        }
    }
    s
}

/// A Terraform resource name from a record set: letters, digits and underscores, unique.
fn resource_name(
    r: &RecordSet,
    zone: &str,
    used: &mut std::collections::BTreeSet<String>,
) -> String {
    let rel = r53_zone::relative_to_zone(&r.name, zone);
    let base = if rel.is_empty() {
        "apex".to_string()
    } else {
        rel
    };
    let mut n: String = format!(
        "{}_{}{}",
        base,
        r.ty.as_str().to_ascii_lowercase(),
        r.set_identifier
            .as_ref()
            .map(|s| format!("_{s}"))
            .unwrap_or_default()
    )
    .chars()
    .map(|c| {
        if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '_'
        }
    })
    .collect();
    if n.starts_with(|c: char| c.is_ascii_digit()) || n.starts_with('_') {
        n = format!("r{n}");
    }
    let mut cand = n.clone();
    let mut i = 2;
    while !used.insert(cand.clone()) {
        cand = format!("{n}_{i}");
        i += 1;
    }
    cand
}

pub fn render(zone: &r53_core::HostedZone, sets: &[RecordSet], per_record: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Written by r53-migrate export-tf for {} ({}). `terraform plan` shows only imports.\n",
        zone.name, zone.id
    );
    s.push_str(
        "terraform {\n  required_providers {\n    r53 = { source = \"r53/r53\" }\n  }\n}\n\n",
    );
    let _ = writeln!(
        s,
        "import {{\n  to = r53_hosted_zone.this\n  id = {}\n}}\n",
        hcl(&zone.id)
    );
    let _ = writeln!(
        s,
        "resource \"r53_hosted_zone\" \"this\" {{\n  name = {}",
        hcl(&zone.name)
    );
    if let Some(c) = &zone.comment {
        let _ = writeln!(s, "  comment = {}", hcl(c));
    }
    s.push_str("}\n\n");
    let mine: Vec<&RecordSet> = sets
        .iter()
        .filter(|r| !r53_zone::plan::is_apex_soa_ns(r, &zone.name))
        .collect();
    if per_record {
        let mut used = Default::default();
        for r in mine {
            let n = resource_name(r, &zone.name, &mut used);
            let id = format!(
                "{}/{}/{}{}",
                zone.id,
                r.name,
                r.ty,
                r.set_identifier
                    .as_ref()
                    .map(|s| format!("/{s}"))
                    .unwrap_or_default()
            );
            let _ = writeln!(
                s,
                "import {{\n  to = r53_record.{n}\n  id = {}\n}}\n",
                hcl(&id)
            );
            let _ = writeln!(
                s,
                "resource \"r53_record\" \"{n}\" {{\n  zone_id = r53_hosted_zone.this.zone_id"
            );
            s.push_str(&record_body(r, "  "));
            s.push_str("}\n\n");
        }
    } else {
        let _ = writeln!(
            s,
            "import {{\n  to = r53_records.this\n  id = {}\n}}\n",
            hcl(&zone.id)
        );
        s.push_str("resource \"r53_records\" \"this\" {\n  zone_id = r53_hosted_zone.this.zone_id\n  mode    = \"exclusive\"\n");
        // The labels `terraform import` gives (`"www A"`): the first plan only imports, and adding
        // a record set later shows as that one block.
        for r in mine {
            let label = r53_zone::RecordKey::of(r).block_label(&zone.name);
            let _ = writeln!(s, "\n  record {} {{", hcl(&label));
            s.push_str(&record_body(r, "    "));
            s.push_str("  }\n");
        }
        s.push_str("}\n");
    }
    s
}

pub async fn run(a: ExportArgs) -> Result<u8, Fail> {
    let zone = r53_zone::Name::from_user(&a.zone)
        .map_err(|e| Fail::error(format!("zone name: {e}")))?
        .to_string();
    let file = a.out.join("main.tf");
    if file.exists() {
        return Err(Fail::error(format!(
            "{} exists; not overwriting it",
            file.display()
        )));
    }
    let aws = crate::connect(&a.aws).await?;
    let c = crate::interrupt::call(Duration::from_secs(600));
    let hz = crate::find_zone(&aws, &c, &zone, a.zone_id.as_deref())
        .await?
        .ok_or_else(|| Fail::error(format!("no public hosted zone named {zone}")))?;
    let sets = aws
        .route53
        .list_record_sets(&c, &hz.id)
        .await
        .map_err(|e| Fail::error(format!("listing {}: {e}", hz.id)))?;
    let text = render(&hz, &sets, a.per_record);
    std::fs::create_dir_all(&a.out)
        .map_err(|e| Fail::error(format!("{}: {e}", a.out.display())))?;
    std::fs::write(&file, text).map_err(|e| Fail::error(format!("{}: {e}", file.display())))?;
    let n = sets
        .iter()
        .filter(|r| !r53_zone::plan::is_apex_soa_ns(r, &hz.name))
        .count();
    if a.json {
        println!(
            "{}",
            serde_json::json!({"file": file, "zone": hz.name, "zone_id": hz.id, "record_sets": n, "per_record": a.per_record})
        );
    } else {
        println!(
            "wrote {} ({} record sets of {} as {})",
            file.display(),
            n,
            hz.name,
            if a.per_record {
                "r53_record resources"
            } else {
                "one r53_records"
            }
        );
    }
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hcl_strings_escape_templates_and_quotes() {
        assert_eq!(
            hcl("a\"b\\c ${x} %{y} $z"),
            "\"a\\\"b\\\\c $${x} %%{y} $z\""
        );
    }

    #[test]
    fn resource_names_are_valid_and_unique() {
        let r = RecordSet {
            name: "_dmarc.example.com".into(),
            ty: r53_zone::RecordType::Txt,
            ttl: Some(1),
            values: vec![],
            alias: None,
            set_identifier: None,
            routing: None,
            health_check_id: None,
        };
        let mut used = Default::default();
        assert_eq!(resource_name(&r, "example.com", &mut used), "r_dmarc_txt");
        assert_eq!(resource_name(&r, "example.com", &mut used), "r_dmarc_txt_2");
    }

    #[test]
    fn cidr_and_geoproximity_routing_are_written_as_blocks() {
        let mut r = RecordSet {
            name: "app.example.com".into(),
            ty: r53_zone::RecordType::A,
            ttl: Some(60),
            values: vec!["192.0.2.1".into()],
            alias: None,
            set_identifier: Some("office".into()),
            routing: Some(Routing::Cidr {
                collection_id: "c-1".into(),
                location_name: "*".into(),
            }),
            health_check_id: None,
        };
        let body = record_body(&r, "  ");
        assert!(
            body.contains("  cidr_routing_policy {\n    collection_id = \"c-1\"\n    location_name = \"*\"\n  }\n"),
            "{body}"
        );
        r.routing = Some(Routing::GeoProximity(r53_zone::GeoProximity {
            coordinates: Some(("51.5".into(), "-0.12".into())),
            bias: Some(0),
            ..Default::default()
        }));
        let body = record_body(&r, "");
        assert!(
            body.contains("geoproximity_routing_policy {\n  coordinates {\n    latitude  = \"51.5\"\n    longitude = \"-0.12\"\n  }\n}\n"),
            "{body}"
        );
        assert!(!body.contains("bias") && !body.contains('#'), "{body}");
        r.routing = Some(Routing::GeoProximity(r53_zone::GeoProximity {
            aws_region: Some("us-east-1".into()),
            bias: Some(-20),
            ..Default::default()
        }));
        let body = record_body(&r, "");
        assert!(
            body.contains("  aws_region = \"us-east-1\"\n  bias = -20\n"),
            "{body}"
        );
    }
}
