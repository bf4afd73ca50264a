//! Routing that really fails over, through Terraform 1.15 against the lab, asserted with DNS
//! queries to the lab's Route 53 name servers. Three real web servers on loopback ports (the
//! lab's checkers probe them every second: a 10 s interval at the lab's time scale of 10) back
//! health checks of three kinds, a CALCULATED check combines them, and one zone routes by them:
//! a failover pair, a weighted set, a multivalue set, a failover pair on the CALCULATED check and
//! an apex alias that evaluates its target's health. The servers stop one by one and come back;
//! each step waits (with a deadline, never a fixed sleep) for the first answer to change, then
//! asserts every answer and what `r53_health_check_status` reports.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hickory_proto::rr::{RData, RecordType};
use r53_lab::endpoint::Endpoint;
use r53_lab::nameservers;
use r53_tests::*;

const ZONE: &str = "failover-e2e.test";
/// How long a change of health may take to reach the answers: threshold 1 × a 1 s check round,
/// plus generous room for a busy machine.
const DEADLINE: Duration = Duration::from_secs(90);

fn config(a: &Endpoint, b: &Endpoint, c: &Endpoint) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "main" {{
  name = "{ZONE}"
}}

# Three kinds of endpoint check, each against a loopback server ("localhost": Route 53 refuses
# special-purpose addresses in ip_address; the checkers resolve an fqdn like any client).
resource "r53_health_check" "a" {{
  type              = "HTTP_STR_MATCH"
  fqdn              = "localhost"
  port              = {pa}
  resource_path     = "/health"
  search_string     = "ok"
  request_interval  = 10
  failure_threshold = 1
}}

resource "r53_health_check" "b" {{
  type              = "HTTP"
  fqdn              = "localhost"
  port              = {pb}
  request_interval  = 10
  failure_threshold = 1
}}

resource "r53_health_check" "c" {{
  type              = "TCP"
  fqdn              = "localhost"
  port              = {pc}
  request_interval  = 10
  failure_threshold = 1
}}

resource "r53_health_check" "two_of_three" {{
  type                = "CALCULATED"
  child_health_checks = [r53_health_check.a.id, r53_health_check.b.id, r53_health_check.c.id]
  health_threshold    = 2
}}

locals {{
  checks = {{ a = r53_health_check.a.id, b = r53_health_check.b.id, c = r53_health_check.c.id }}
}}

# Active-passive.
resource "r53_record" "www_primary" {{
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "www.{ZONE}"
  type            = "A"
  ttl             = 10
  records         = ["192.0.2.1"]
  set_identifier  = "primary"
  health_check_id = r53_health_check.a.id
  failover_routing_policy {{
    type = "PRIMARY"
  }}
}}

resource "r53_record" "www_secondary" {{
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "www.{ZONE}"
  type            = "A"
  ttl             = 10
  records         = ["192.0.2.2"]
  set_identifier  = "secondary"
  health_check_id = r53_health_check.b.id
  failover_routing_policy {{
    type = "SECONDARY"
  }}
}}

# Active-active, weighted 1:1:2.
resource "r53_record" "api" {{
  for_each        = {{ a = 1, b = 1, c = 2 }}
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "api.{ZONE}"
  type            = "A"
  ttl             = 10
  records         = [lookup({{ a = "192.0.2.11", b = "192.0.2.12", c = "192.0.2.13" }}, each.key)]
  set_identifier  = each.key
  health_check_id = local.checks[each.key]
  weighted_routing_policy {{
    weight = each.value
  }}
}}

# Multivalue: only healthy values.
resource "r53_record" "pool" {{
  for_each                         = {{ a = "192.0.2.21", b = "192.0.2.22", c = "192.0.2.23" }}
  zone_id                          = r53_hosted_zone.main.zone_id
  name                             = "pool.{ZONE}"
  type                             = "A"
  ttl                              = 10
  records                          = [each.value]
  set_identifier                   = each.key
  health_check_id                  = local.checks[each.key]
  multivalue_answer_routing_policy = true
}}

# Failover on the CALCULATED check (two of three healthy).
resource "r53_record" "quorum_primary" {{
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "quorum.{ZONE}"
  type            = "A"
  ttl             = 10
  records         = ["192.0.2.31"]
  set_identifier  = "primary"
  health_check_id = r53_health_check.two_of_three.id
  failover_routing_policy {{
    type = "PRIMARY"
  }}
}}

resource "r53_record" "quorum_secondary" {{
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "quorum.{ZONE}"
  type           = "A"
  ttl            = 10
  records        = ["192.0.2.32"]
  set_identifier = "secondary"
  failover_routing_policy {{
    type = "SECONDARY"
  }}
}}

# The apex: an alias to the pool that evaluates the pool's health, and a static "sorry" server.
resource "r53_record" "apex_primary" {{
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "{ZONE}"
  type           = "A"
  set_identifier = "primary"
  alias {{
    name                   = "pool.{ZONE}"
    zone_id                = r53_hosted_zone.main.zone_id
    evaluate_target_health = true
  }}
  failover_routing_policy {{
    type = "PRIMARY"
  }}
  depends_on = [r53_record.pool]
}}

resource "r53_record" "apex_secondary" {{
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "{ZONE}"
  type           = "A"
  ttl            = 10
  records        = ["192.0.2.41"]
  set_identifier = "secondary"
  failover_routing_policy {{
    type = "SECONDARY"
  }}
}}

data "r53_health_check_status" "all" {{
  for_each        = merge(local.checks, {{ two_of_three = r53_health_check.two_of_three.id }})
  health_check_id = each.value
}}

output "status" {{
  value = {{ for k, s in data.r53_health_check_status.all : k => {{
    healthy             = s.healthy
    reporting           = s.reporting_checkers
    healthy_checkers    = s.healthy_checkers
    last_failure_reason = s.last_failure_reason
    children            = s.children
  }} }}
}}
"#,
        pa = a.port,
        pb = b.port,
        pc = c.port,
    )
}

/// The A values one query for `name` gets from `server` (sorted), checking it answered
/// authoritatively.
fn a_at(lab: &Lab, server: SocketAddr, name: &str) -> Vec<String> {
    let m = lab
        .rt
        .block_on(r53_lab::registry::ask(server, name, RecordType::A))
        .expect("DNS query");
    assert!(
        m.authoritative(),
        "{server} not authoritative for {name}: {m:?}"
    );
    let mut out: Vec<String> = m
        .answers()
        .iter()
        .filter_map(|r| match r.data() {
            RData::A(a) => Some(a.0.to_string()),
            _ => None,
        })
        .collect();
    out.sort();
    out
}

/// Asks until `name` answers `want`, failing with the last answer after [`DEADLINE`].
fn wait_answer(lab: &Lab, server: SocketAddr, name: &str, want: &[&str]) {
    let start = Instant::now();
    loop {
        let got = a_at(lab, server, name);
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{name} still answers {got:?}, not {want:?}, after {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// How many times each value answered `n` queries for a weighted name.
fn weighted(lab: &Lab, server: SocketAddr, name: &str, n: usize) -> BTreeMap<String, usize> {
    let mut seen = BTreeMap::new();
    for _ in 0..n {
        let got = a_at(lab, server, name);
        assert_eq!(got.len(), 1, "a weighted answer holds one set: {got:?}");
        *seen.entry(got[0].clone()).or_insert(0) += 1;
    }
    seen
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// `r53_health_check_status` for every check, read again by a refresh-only apply.
fn status(tf: &Terraform) -> anyhow::Result<serde_json::Value> {
    tf.run_ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"])?;
    Ok(tf.outputs()?["status"]["value"].clone())
}

fn name(n: &str) -> String {
    format!("{n}.{ZONE}")
}

#[test]
fn failover_weighted_multivalue_calculated_and_alias_follow_health() -> anyhow::Result<()> {
    let lab = lab();
    let (a, b, c) = (
        Endpoint::start("ok a\n")?,
        Endpoint::start("ok b\n")?,
        Endpoint::start("ok c\n")?,
    );
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&config(&a, &b, &c))?;
    tf.apply()?;
    tf.assert_plan_empty()?;
    let zone = attr(&tf.resource("r53_hosted_zone.main")?, "zone_id");
    let zid = zone.trim_start_matches("/hostedzone/");
    let server = SocketAddr::new(
        nameservers::set_ip(lab.proxy.delegation_sets().set_of(zid)),
        lab.dns_port(),
    );
    let id = |r: &str| -> anyhow::Result<String> {
        Ok(attr(&tf.resource(&format!("r53_health_check.{r}"))?, "id"))
    };
    let (ida, idc) = (id("a")?, id("c")?);

    // Everything up: the checkers have probed each server (each has answered requests).
    let start = Instant::now();
    while a.requests() == 0 || b.requests() == 0 {
        assert!(
            start.elapsed() < DEADLINE,
            "the checkers never probed the servers"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(lab.health_verdict(&ida) && lab.health_verdict(&idc));
    assert_eq!(a_at(&lab, server, &name("www")), ["192.0.2.1"]);
    // Smooth weighted round robin: 8 answers are exactly two rounds of weights 1:1:2.
    assert_eq!(
        weighted(&lab, server, &name("api"), 8),
        counts(&[("192.0.2.11", 2), ("192.0.2.12", 2), ("192.0.2.13", 4)])
    );
    let all_pool = ["192.0.2.21", "192.0.2.22", "192.0.2.23"];
    assert_eq!(a_at(&lab, server, &name("pool")), all_pool);
    assert_eq!(a_at(&lab, server, &name("quorum")), ["192.0.2.31"]);
    assert_eq!(a_at(&lab, server, ZONE), all_pool);
    let s = status(&tf)?;
    for k in ["a", "b", "c", "two_of_three"] {
        assert_eq!(s[k]["healthy"], true, "{k}: {s}");
    }
    assert_eq!(s["a"]["reporting"], 8, "every checker region reports: {s}");
    assert_eq!(s["a"]["healthy_checkers"], 8, "{s}");
    assert_eq!(s["two_of_three"]["reporting"], 0, "{s}");

    // A stops: the failover name answers the secondary; A leaves the weighted and multivalue
    // answers; two of three is still a quorum.
    a.stop();
    wait_answer(&lab, server, &name("www"), &["192.0.2.2"]);
    assert!(!lab.health_verdict(&ida));
    assert_eq!(
        weighted(&lab, server, &name("api"), 6),
        counts(&[("192.0.2.12", 2), ("192.0.2.13", 4)])
    );
    assert_eq!(
        a_at(&lab, server, &name("pool")),
        ["192.0.2.22", "192.0.2.23"]
    );
    assert_eq!(a_at(&lab, server, &name("quorum")), ["192.0.2.31"]);
    assert_eq!(a_at(&lab, server, ZONE), ["192.0.2.22", "192.0.2.23"]);
    let s = status(&tf)?;
    assert_eq!(s["a"]["healthy"], false, "{s}");
    assert_eq!(s["a"]["healthy_checkers"], 0, "{s}");
    let why = s["a"]["last_failure_reason"].as_str().unwrap_or_default();
    assert!(why.starts_with("Failure"), "a's failure is reported: {s}");
    assert_eq!(s["b"]["healthy"], true, "{s}");
    assert_eq!(s["two_of_three"]["healthy"], true, "{s}");
    assert_eq!(s["two_of_three"]["children"][&ida], false, "{s}");

    // C stops too: one of three is no quorum; B alone answers the weighted and multivalue names.
    c.stop();
    wait_answer(&lab, server, &name("quorum"), &["192.0.2.32"]);
    assert_eq!(a_at(&lab, server, &name("pool")), ["192.0.2.22"]);
    assert_eq!(
        weighted(&lab, server, &name("api"), 4),
        counts(&[("192.0.2.12", 4)])
    );
    assert_eq!(a_at(&lab, server, ZONE), ["192.0.2.22"]);
    assert_eq!(status(&tf)?["two_of_three"]["healthy"], false);

    // B stops: every set of each group is unhealthy, so Route 53 treats them all as healthy —
    // except through the alias: its target has nothing healthy, so the apex fails over.
    b.stop();
    wait_answer(&lab, server, ZONE, &["192.0.2.41"]);
    assert_eq!(a_at(&lab, server, &name("www")), ["192.0.2.1"]);
    assert_eq!(a_at(&lab, server, &name("pool")), all_pool);
    assert_eq!(
        weighted(&lab, server, &name("api"), 8),
        counts(&[("192.0.2.11", 2), ("192.0.2.12", 2), ("192.0.2.13", 4)])
    );

    // All back: everything as it started.
    for e in [&a, &b, &c] {
        e.resume()?;
    }
    wait_answer(&lab, server, ZONE, &all_pool);
    wait_answer(&lab, server, &name("quorum"), &["192.0.2.31"]);
    wait_answer(&lab, server, &name("www"), &["192.0.2.1"]);
    wait_answer(&lab, server, &name("pool"), &all_pool);
    // The outputs read the status data source: refreshed, they show every check healthy again,
    // and nothing else is left to change.
    let s = status(&tf)?;
    for k in ["a", "b", "c", "two_of_three"] {
        assert_eq!(s[k]["healthy"], true, "{k}: {s}");
    }
    tf.assert_plan_empty()?;

    tf.destroy()?;
    assert!(zone_gone(&lab, &sdk(&lab), &zone));
    Ok(())
}

/// A primary that answers 503 (still listening) fails its check just as a stopped one does, and
/// the status data source gives the 503 as the reason.
#[test]
fn failing_responses_fail_over_too() -> anyhow::Result<()> {
    let lab = lab();
    let (a, b) = (Endpoint::start("ok a\n")?, Endpoint::start("ok b\n")?);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&config(&a, &b, &b))?;
    tf.apply()?;
    let zone = attr(&tf.resource("r53_hosted_zone.main")?, "zone_id");
    let zid = zone.trim_start_matches("/hostedzone/");
    let server = SocketAddr::new(
        nameservers::set_ip(lab.proxy.delegation_sets().set_of(zid)),
        lab.dns_port(),
    );
    wait_answer(&lab, server, &name("www"), &["192.0.2.1"]);
    a.set_failing(true);
    wait_answer(&lab, server, &name("www"), &["192.0.2.2"]);
    let s = status(&tf)?;
    let why = s["a"]["last_failure_reason"].as_str().unwrap_or_default();
    assert!(why.contains("503"), "the 503 is the reason: {s}");
    a.set_failing(false);
    wait_answer(&lab, server, &name("www"), &["192.0.2.1"]);
    tf.destroy()?;
    Ok(())
}

/// CIDR routing by where the client is: a collection with two locations, a record set per
/// location plus the `*` default, asked with EDNS Client Subnet options from each location, from
/// none, and without the option (the source address, 127.0.0.1, is in no location). When the
/// east set's health check fails, east's clients get the default.
#[test]
fn cidr_routing_answers_by_client_subnet() -> anyhow::Result<()> {
    let lab = lab();
    let east = Endpoint::start("ok east\n")?;
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "main" {{
  name = "{ZONE}"
}}

resource "r53_cidr_collection" "offices" {{
  name = "offices"
  location {{
    name        = "east"
    cidr_blocks = ["198.51.100.0/24", "2001:db8:e::/48"]
  }}
  location {{
    name        = "west"
    cidr_blocks = ["203.0.113.0/24"]
  }}
}}

resource "r53_health_check" "east" {{
  type              = "HTTP"
  fqdn              = "localhost"
  port              = {port}
  request_interval  = 10
  failure_threshold = 1
}}

resource "r53_record" "app" {{
  for_each        = {{ east = "192.0.2.51", west = "192.0.2.52", "*" = "192.0.2.59" }}
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "app.{ZONE}"
  type            = "A"
  ttl             = 10
  records         = [each.value]
  set_identifier  = each.key == "*" ? "default" : each.key
  health_check_id = each.key == "east" ? r53_health_check.east.id : null
  cidr_routing_policy {{
    collection_id = r53_cidr_collection.offices.id
    location_name = each.key
  }}
}}
"#,
        port = east.port
    ))?;
    tf.apply()?;
    tf.assert_plan_empty()?;
    let zone = attr(&tf.resource("r53_hosted_zone.main")?, "zone_id");
    let zid = zone.trim_start_matches("/hostedzone/");
    let server = SocketAddr::new(
        nameservers::set_ip(lab.proxy.delegation_sets().set_of(zid)),
        lab.dns_port(),
    );
    let ask = |subnet: Option<(&str, u8)>| -> Vec<String> {
        let m = lab
            .rt
            .block_on(r53_lab::registry::ask_with_subnet(
                server,
                &name("app"),
                RecordType::A,
                subnet.map(|(ip, len)| (ip.parse().expect("an address"), len)),
            ))
            .expect("DNS query");
        m.answers()
            .iter()
            .filter_map(|r| match r.data() {
                RData::A(a) => Some(a.0.to_string()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(ask(Some(("198.51.100.0", 24))), ["192.0.2.51"]);
    assert_eq!(ask(Some(("2001:db8:e:1::", 64))), ["192.0.2.51"]);
    assert_eq!(ask(Some(("203.0.113.0", 24))), ["192.0.2.52"]);
    assert_eq!(ask(Some(("192.0.2.0", 24))), ["192.0.2.59"], "no location");
    assert_eq!(ask(None), ["192.0.2.59"], "127.0.0.1 is in no location");

    // East's endpoint stops: east's clients get the default, west's are untouched.
    east.stop();
    let start = Instant::now();
    while ask(Some(("198.51.100.0", 24))) != ["192.0.2.59"] {
        assert!(
            start.elapsed() < DEADLINE,
            "east never fell back to the default"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(ask(Some(("203.0.113.0", 24))), ["192.0.2.52"]);
    east.resume()?;
    let start = Instant::now();
    while ask(Some(("198.51.100.0", 24))) != ["192.0.2.51"] {
        assert!(start.elapsed() < DEADLINE, "east never came back");
        std::thread::sleep(Duration::from_millis(200));
    }
    tf.destroy()?;
    Ok(())
}

/// Geoproximity: record sets at two AWS regions and at coordinates, clients the lab places in
/// Paris and New York by subnet; each is answered the nearest healthy set, bias moves the
/// boundary, and the nearest set's failing check sends its clients to the next nearest.
#[test]
fn geoproximity_answers_the_nearest_healthy_set() -> anyhow::Result<()> {
    use r53_lab::client_locations::Location;
    let lab = lab();
    let dublin = Endpoint::start("ok dublin\n")?;
    let place = |subnet: &str, lat: f64, lon: f64| {
        lab.set_client_location(
            Some(subnet),
            Location {
                latitude: Some(lat),
                longitude: Some(lon),
                ..Default::default()
            },
        )
    };
    place("198.51.100.0/24", 48.86, 2.35)?; // Paris
    place("203.0.113.0/24", 40.71, -74.0)?; // New York
    let tf = lab.terraform(TfBin::Lib)?;
    let config = |virginia_bias: i64| {
        format!(
            r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "main" {{
  name = "{ZONE}"
}}

resource "r53_health_check" "dublin" {{
  type              = "HTTP"
  fqdn              = "localhost"
  port              = {port}
  request_interval  = 10
  failure_threshold = 1
}}

resource "r53_record" "dublin" {{
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "geo.{ZONE}"
  type            = "A"
  ttl             = 10
  records         = ["192.0.2.61"]
  set_identifier  = "dublin"
  health_check_id = r53_health_check.dublin.id
  geoproximity_routing_policy {{
    aws_region = "eu-west-1"
  }}
}}

resource "r53_record" "virginia" {{
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "geo.{ZONE}"
  type           = "A"
  ttl            = 10
  records        = ["192.0.2.62"]
  set_identifier = "virginia"
  geoproximity_routing_policy {{
    aws_region = "us-east-1"
    bias       = {virginia_bias}
  }}
}}

resource "r53_record" "tokyo" {{
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "geo.{ZONE}"
  type           = "A"
  ttl            = 10
  records        = ["192.0.2.63"]
  set_identifier = "tokyo"
  geoproximity_routing_policy {{
    coordinates {{
      latitude  = "35.68"
      longitude = "139.69"
    }}
  }}
}}
"#,
            port = dublin.port
        )
    };
    tf.write(&config(0))?;
    tf.apply()?;
    tf.assert_plan_empty()?;
    let zone = attr(&tf.resource("r53_hosted_zone.main")?, "zone_id");
    let zid = zone.trim_start_matches("/hostedzone/");
    let server = SocketAddr::new(
        nameservers::set_ip(lab.proxy.delegation_sets().set_of(zid)),
        lab.dns_port(),
    );
    let ask = |subnet: &str| -> Vec<String> {
        let m = lab
            .rt
            .block_on(r53_lab::registry::ask_with_subnet(
                server,
                &name("geo"),
                RecordType::A,
                Some((subnet.parse().expect("an address"), 24)),
            ))
            .expect("DNS query");
        m.answers()
            .iter()
            .filter_map(|r| match r.data() {
                RData::A(a) => Some(a.0.to_string()),
                _ => None,
            })
            .collect()
    };
    let (paris, new_york) = ("198.51.100.0", "203.0.113.0");
    assert_eq!(ask(paris), ["192.0.2.61"], "Paris: Dublin is nearest");
    assert_eq!(ask(new_york), ["192.0.2.62"], "New York: Virginia");

    // A bias of 90 on Virginia (its distances × 0.1) draws Paris across the Atlantic.
    tf.write(&config(90))?;
    tf.apply()?;
    assert_eq!(ask(paris), ["192.0.2.62"]);
    tf.write(&config(0))?;
    tf.apply()?;
    assert_eq!(ask(paris), ["192.0.2.61"]);

    // Dublin's endpoint stops: Paris goes to the next nearest healthy set.
    dublin.stop();
    let start = Instant::now();
    while ask(paris) != ["192.0.2.62"] {
        assert!(start.elapsed() < DEADLINE, "Paris never left Dublin");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(ask(new_york), ["192.0.2.62"]);
    tf.destroy()?;
    Ok(())
}

/// A CLOUDWATCH_METRIC check follows its alarm (set through CloudWatch's own SetAlarmState, as
/// an alarm changes), with `insufficient_data_health_status` deciding INSUFFICIENT_DATA; a
/// RECOVERY_CONTROL check follows its routing control, which starts off. Each guards a failover
/// pair, asked over DNS.
#[test]
fn alarm_and_routing_control_checks_fail_over() -> anyhow::Result<()> {
    const ARN: &str =
        "arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/primary";
    let lab = lab();
    let pair = |name: &str, check: &str| {
        format!(
            r#"
resource "r53_record" "{name}_primary" {{
  zone_id         = r53_hosted_zone.main.zone_id
  name            = "{name}.{ZONE}"
  type            = "A"
  ttl             = 10
  records         = ["192.0.2.71"]
  set_identifier  = "primary"
  health_check_id = {check}
  failover_routing_policy {{
    type = "PRIMARY"
  }}
}}

resource "r53_record" "{name}_secondary" {{
  zone_id        = r53_hosted_zone.main.zone_id
  name           = "{name}.{ZONE}"
  type           = "A"
  ttl            = 10
  records        = ["192.0.2.72"]
  set_identifier = "secondary"
  failover_routing_policy {{
    type = "SECONDARY"
  }}
}}
"#
        )
    };
    lab.set_alarm_state("eu-west-1", "api-errors", "OK")?;
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "main" {{
  name = "{ZONE}"
}}

resource "r53_health_check" "alarm" {{
  type                            = "CLOUDWATCH_METRIC"
  cloudwatch_alarm_name           = "api-errors"
  cloudwatch_alarm_region         = "eu-west-1"
  insufficient_data_health_status = "Unhealthy"
}}

resource "r53_health_check" "control" {{
  type                = "RECOVERY_CONTROL"
  routing_control_arn = "{ARN}"
}}
{}{}"#,
        pair("metric", "r53_health_check.alarm.id"),
        pair("manual", "r53_health_check.control.id"),
    ))?;
    tf.apply()?;
    tf.assert_plan_empty()?;
    let zone = attr(&tf.resource("r53_hosted_zone.main")?, "zone_id");
    let zid = zone.trim_start_matches("/hostedzone/");
    let server = SocketAddr::new(
        nameservers::set_ip(lab.proxy.delegation_sets().set_of(zid)),
        lab.dns_port(),
    );
    let (metric, manual) = (name("metric"), name("manual"));
    let (up, down) = (&["192.0.2.71"], &["192.0.2.72"]);
    wait_answer(&lab, server, &metric, up);
    // A routing control starts off: the manual pair answers its secondary until it is turned on.
    wait_answer(&lab, server, &manual, down);
    lab.set_routing_control(ARN, true)?;
    wait_answer(&lab, server, &manual, up);
    lab.set_routing_control(ARN, false)?;
    wait_answer(&lab, server, &manual, down);

    lab.set_alarm_state("eu-west-1", "api-errors", "ALARM")?;
    wait_answer(&lab, server, &metric, down);
    lab.set_alarm_state("eu-west-1", "api-errors", "OK")?;
    wait_answer(&lab, server, &metric, up);
    // INSUFFICIENT_DATA is what the check says it is: Unhealthy here.
    lab.set_alarm_state("eu-west-1", "api-errors", "INSUFFICIENT_DATA")?;
    wait_answer(&lab, server, &metric, down);
    tf.destroy()?;
    Ok(())
}
