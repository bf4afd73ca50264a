//! How a plan looks: one line per record set (coloured on a terminal), or JSON.

use std::io::IsTerminal as _;

use r53_zone::convert::Note;
use r53_zone::plan::{Action, Plan, Refusal};
use r53_zone::RecordSet;

struct Style {
    color: bool,
}

impl Style {
    pub fn stdout() -> Style {
        Style {
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// `300 A 192.0.2.1, 192.0.2.2` or `alias → target (zone)`, plus routing.
pub fn describe(r: &RecordSet) -> String {
    let mut s = match &r.alias {
        Some(a) => format!("alias {} ({})", a.name, a.zone_id),
        None => format!("ttl {} {}", r.ttl.unwrap_or(0), r.values.join(", ")),
    };
    if let Some(id) = &r.set_identifier {
        s.push_str(&format!(" [set {id}]"));
    }
    s
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 120 {
        format!("{}…", s.chars().take(119).collect::<String>())
    } else {
        s.to_string()
    }
}

pub fn human(
    plan: &Plan,
    checksum: &str,
    zone_exists: bool,
    notes: &[Note],
    refusals: &[Refusal],
    source: &str,
) -> String {
    let st = Style::stdout();
    let mut out = String::new();
    out.push_str(&format!("Source: {source}\n"));
    for n in notes {
        out.push_str(&format!("{} {n}\n", st.paint("2", "note:")));
    }
    if !zone_exists {
        out.push_str(&format!(
            "{} hosted zone {} (with Route 53's own SOA and NS)\n",
            st.paint("32", "+ create"),
            plan.zone
        ));
    }
    for s in &plan.steps {
        let r = s.record();
        let head = format!("{} {}", r.name, r.ty);
        let line = match s.action {
            Action::Create => format!("{} {head}  {}", st.paint("32", "+"), describe(r)),
            Action::Delete => format!("{} {head}  {}", st.paint("31", "-"), describe(r)),
            Action::Update => format!(
                "{} {head}  {} → {}",
                st.paint("33", "~"),
                describe(s.before.as_ref().expect("update has before")),
                describe(s.after.as_ref().expect("update has after"))
            ),
        };
        out.push_str(&shorten(&line));
        out.push('\n');
    }
    out.push_str(&format!(
        "\nPlan: {} to create, {} to update, {} to delete (zone now has {} record sets besides SOA/NS). Checksum: {}\n",
        plan.count(Action::Create),
        plan.count(Action::Update),
        plan.count(Action::Delete),
        plan.existing,
        checksum
    ));
    for r in refusals {
        out.push_str(&format!("{} {r}\n", st.paint("31;1", "refused:")));
    }
    out
}

pub fn json(
    plan: &Plan,
    checksum: &str,
    zone_id: Option<&str>,
    notes: &[Note],
    refusals: &[Refusal],
    source: &str,
) -> serde_json::Value {
    serde_json::json!({
        "zone": plan.zone,
        "zone_id": zone_id,
        "zone_exists": zone_id.is_some(),
        "source": source,
        "checksum": checksum,
        "summary": {
            "create": plan.count(Action::Create),
            "update": plan.count(Action::Update),
            "delete": plan.count(Action::Delete),
            "existing": plan.existing,
        },
        "notes": notes.iter().map(|n| {
            let mut v = serde_json::to_value(n).unwrap_or_default();
            v["message"] = serde_json::Value::String(n.to_string());
            v
        }).collect::<Vec<_>>(),
        "steps": plan.steps,
        "refusals": refusals.iter().map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["message"] = serde_json::Value::String(r.to_string());
            v
        }).collect::<Vec<_>>(),
    })
}
