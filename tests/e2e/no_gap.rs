//! A record set changed to another type, set identifier or kind of routing is one change batch
//! (DELETE + CREATE, all or nothing): the plan shows an update, not a replacement, and the lab's
//! Route 53 name servers answer the name at every step of the apply — held just before the batch
//! reaches the emulator and just after it was accepted.

use std::net::SocketAddr;

use hickory_proto::rr::RecordType;
use r53_lab::{nameservers, Lab, ProxyConfig, Terraform, TfBin};
use r53_tests::*;

const ZONE: &str = "nogap.example";

fn config(resource: &str, body: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "z" {{
  name = "{ZONE}"
}}

resource "{resource}" "www" {{
  zone_id = r53_hosted_zone.z.zone_id
{body}
}}
"#
    )
}

/// The answer section for `www` (type A asked: a CNAME answers it too), as "TYPE data" lines.
fn answers(lab: &Lab, server: SocketAddr) -> Vec<String> {
    let m = lab
        .rt
        .block_on(r53_lab::registry::ask(
            server,
            &format!("www.{ZONE}"),
            RecordType::A,
        ))
        .expect("ask the lab's Route 53 name server");
    let mut v: Vec<String> = m
        .answers()
        .iter()
        .map(|r| format!("{} {}", r.record_type(), r.data()))
        .collect();
    v.sort();
    v
}

fn hold(lab: &Lab, actions: &[&str]) {
    lab.proxy.set_config(ProxyConfig {
        hold: actions.iter().map(|s| s.to_string()).collect(),
        ..lab.proxy.config()
    });
}

/// Applies `next` while holding the proxy before and after the one change batch; returns the
/// apply's output and the answers seen before the batch, after it and at the end.
fn apply_watched(
    lab: &Lab,
    tf: &Terraform,
    server: SocketAddr,
    next: &str,
) -> (String, [Vec<String>; 3]) {
    tf.write(next).unwrap();
    let plan = tf.plan().unwrap();
    assert_eq!(plan.code, 2, "{}", plan.text());
    assert!(
        plan.stdout.contains("0 to add, 1 to change, 0 to destroy")
            && !plan.stdout.contains("must be replaced"),
        "an update in place, not a replacement: {}",
        plan.text()
    );
    lab.proxy.reset_stats();
    hold(lab, &["ChangeResourceRecordSets"]);
    let child = tf
        .spawn(&["apply", "-auto-approve", "-no-color", "-input=false"])
        .unwrap();
    wait_calls(lab, "ChangeResourceRecordSets", 1).unwrap();
    let before = answers(lab, server);
    hold(lab, &["GetChange"]);
    wait_calls(lab, "GetChange", 1).unwrap();
    let after = answers(lab, server);
    hold(lab, &[]);
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(text.contains("0 added, 1 changed, 0 destroyed"), "{text}");
    assert_eq!(
        lab.proxy.stats().get("ChangeResourceRecordSets"),
        1,
        "one change batch: {:?}",
        lab.proxy.stats().calls
    );
    let end = answers(lab, server);
    (text, [before, after, end])
}

fn changes_without_a_gap(resource: &str, body: impl Fn(&str) -> String) {
    let lab = lab();
    let tf = lab.terraform(TfBin::Lib).unwrap();
    tf.write(&config(resource, &body("A"))).unwrap();
    tf.apply().unwrap();
    let zid = tf.resource("r53_hosted_zone.z").unwrap()["zone_id"]
        .as_str()
        .unwrap()
        .to_string();
    let server = SocketAddr::new(
        nameservers::set_ip(lab.proxy.delegation_sets().set_of(&zid)),
        lab.dns_port(),
    );
    let a = vec!["A 192.0.2.1".to_string()];
    assert_eq!(answers(&lab, server), a);

    // A → CNAME: the old set until the batch, the new one from the moment it is accepted.
    let (_, [before, after, end]) =
        apply_watched(&lab, &tf, server, &config(resource, &body("CNAME")));
    let cname = vec![format!("CNAME target.{ZONE}.")];
    assert_eq!(
        (before, after, end.clone()),
        (a.clone(), cname.clone(), cname)
    );
    tf.assert_plan_empty().unwrap();

    // Back to A and, at once, simple → weighted routing (a set identifier appears).
    let (_, [before, after, end]) =
        apply_watched(&lab, &tf, server, &config(resource, &body("A-weighted")));
    assert_eq!(before, vec![format!("CNAME target.{ZONE}.")]);
    assert_eq!((after, end), (a.clone(), a));
    tf.assert_plan_empty().unwrap();
    tf.destroy().unwrap();
}

fn record_body(kind: &str) -> String {
    match kind {
        "A" => "  name = \"www.nogap.example\"\n  type = \"A\"\n  ttl = 60\n  records = [\"192.0.2.1\"]".into(),
        "CNAME" => "  name = \"www.nogap.example\"\n  type = \"CNAME\"\n  ttl = 60\n  records = [\"target.nogap.example\"]".into(),
        _ => "  name = \"www.nogap.example\"\n  type = \"A\"\n  ttl = 60\n  records = [\"192.0.2.1\"]\n  set_identifier = \"blue\"\n  weighted_routing_policy {\n    weight = 100\n  }".into(),
    }
}

#[test]
fn r53_record_changes_type_and_routing_without_a_gap() {
    changes_without_a_gap("r53_record", record_body);
}

#[test]
fn r53_records_changes_type_and_routing_without_a_gap() {
    changes_without_a_gap("r53_records", |kind| {
        // One label throughout: the block changes, it is not replaced by another.
        format!("  record \"moving\" {{\n{}\n  }}", record_body(kind))
    });
}
