//! r53_health_check through Terraform 1.15 against the lab, every kind Route 53 has: bad
//! combinations refused at validate time with no API call → create → empty plan → update in place
//! (same IDs, the version moves, a cleared setting reset) → a change Route 53 cannot make plans a
//! replacement → out-of-band drift repaired → import compared → destroy → gone.

use r53_tests::*;

const ARN: &str =
    "arn:aws:route53-recovery-control::111111111111:controlpanel/abc/routingcontrol/def";

struct Knobs {
    threshold: i64,
    path: &'static str,
    regions: bool,
    calc_threshold: i64,
    tags: &'static str,
    tcp_interval: Option<i64>,
    tcp_port: i64,
    cw_insufficient: &'static str,
    rc_invert: bool,
}

fn config(k: &Knobs) -> String {
    let regions = if k.regions {
        r#"regions = ["us-east-1", "eu-west-1", "sa-east-1"]"#
    } else {
        ""
    };
    let interval = k
        .tcp_interval
        .map(|i| format!("request_interval = {i}"))
        .unwrap_or_default();
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_health_check" "web" {{
  type              = "HTTPS_STR_MATCH"
  fqdn              = "www.example.com"
  resource_path     = "{path}"
  search_string     = "ok"
  failure_threshold = {threshold}
  reference_name    = "web"
  {regions}
  tags              = {{ {tags} }}
}}

resource "r53_health_check" "tcp" {{
  type = "TCP"
  fqdn = "db.example.com"
  port = {tcp_port}
  {interval}
}}

resource "r53_health_check" "http" {{
  type          = "HTTP"
  fqdn          = "a.example.com"
  port          = 8080
  resource_path = "{path}"
}}

resource "r53_health_check" "https" {{
  type              = "HTTPS"
  fqdn              = "b.example.com"
  failure_threshold = {threshold}
}}

resource "r53_health_check" "http_str" {{
  type          = "HTTP_STR_MATCH"
  fqdn          = "c.example.com"
  resource_path = "{path}"
  search_string = "up"
}}

resource "r53_health_check" "calc" {{
  type                = "CALCULATED"
  child_health_checks = [r53_health_check.web.id, r53_health_check.tcp.id]
  health_threshold    = {calc}
}}

resource "r53_health_check" "cw" {{
  type                            = "CLOUDWATCH_METRIC"
  cloudwatch_alarm_name           = "cpu-high"
  cloudwatch_alarm_region         = "us-east-1"
  insufficient_data_health_status = "{cw}"
}}

resource "r53_health_check" "rc" {{
  type                = "RECOVERY_CONTROL"
  routing_control_arn = "{ARN}"
  invert              = {rc_invert}
}}
"#,
        path = k.path,
        threshold = k.threshold,
        tags = k.tags,
        calc = k.calc_threshold,
        tcp_port = k.tcp_port,
        cw = k.cw_insufficient,
        rc_invert = k.rc_invert,
    )
}

/// The check's configuration and version as the API has it, or None when it is gone.
fn api_check(
    lab: &Lab,
    c: &aws_sdk_route53::Client,
    id: &str,
) -> Option<(aws_sdk_route53::types::HealthCheckConfig, i64)> {
    match lab
        .rt
        .block_on(c.get_health_check().health_check_id(id).send())
    {
        Ok(o) => o.health_check().map(|h| {
            (
                h.health_check_config().cloned().expect("a config"),
                h.health_check_version(),
            )
        }),
        Err(e) => {
            let code = e
                .as_service_error()
                .and_then(aws_sdk_route53::error::ProvideErrorMetadata::code);
            assert_eq!(code, Some("NoSuchHealthCheck"), "{e:?}");
            None
        }
    }
}

const ALL: [&str; 8] = [
    "web", "tcp", "calc", "cw", "rc", "http", "https", "http_str",
];

fn ids(tf: &Terraform) -> anyhow::Result<Vec<String>> {
    ALL.iter()
        .map(|n| Ok(attr(&tf.resource(&format!("r53_health_check.{n}"))?, "id")))
        .collect()
}

#[test]
fn health_check_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;

    // Bad combinations: refused at validate time, each naming its attribute, nothing sent.
    let before = lab.proxy.stats().calls;
    for (bad, says) in [
        (
            r#"type = "HTTP"
  ip_address = "10.1.2.3""#,
            "10.0.0.0/8 (private)",
        ),
        (
            r#"type = "TCP"
  fqdn = "db.example.com""#,
            "TCP health checks need a port",
        ),
        (
            r#"type = "CALCULATED"
  health_threshold = 1
  child_health_checks = ["x"]
  fqdn = "a.example.com""#,
            "fqdn does not apply to CALCULATED",
        ),
        (
            r#"type = "HTTP"
  fqdn = "a.example.com"
  cloudwatch_alarm_name = "x"
  cloudwatch_alarm_region = "us-east-1""#,
            "cloudwatch_alarm_name does not apply to HTTP",
        ),
        (
            r#"type = "HTTP"
  fqdn = "a.example.com"
  request_interval = 20"#,
            "10 or 30",
        ),
    ] {
        tf.write(&format!(
            "terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\nprovider \"r53\" {{}}\nresource \"r53_health_check\" \"bad\" {{\n  {bad}\n}}\n"
        ))?;
        let o = tf.run_fails(&["validate", "-no-color"])?;
        assert!(o.text().contains(says), "{says}:\n{}", o.text());
    }
    assert_eq!(writes_since(&lab, &before), Vec::<String>::new());

    // create
    let mut k = Knobs {
        threshold: 2,
        path: "/health",
        regions: true,
        calc_threshold: 1,
        tags: r#"env = "test""#,
        tcp_interval: None,
        tcp_port: 5432,
        cw_insufficient: "LastKnownStatus",
        rc_invert: false,
    };
    tf.write(&config(&k))?;
    tf.apply()?;
    tf.assert_plan_empty()?;
    let first = ids(&tf)?;
    let web = tf.resource("r53_health_check.web")?;
    assert_eq!(attr(&web, "reference_name"), "web");
    assert_eq!(
        attr(&web, "arn"),
        format!("arn:aws:route53:::healthcheck/{}", first[0])
    );
    let (cfg, version) = api_check(&lab, &c, &first[0]).expect("web exists");
    assert_eq!(version, 1);
    assert_eq!(cfg.search_string(), Some("ok"));
    assert_eq!(cfg.failure_threshold(), Some(2));
    assert_eq!(cfg.regions().len(), 3);
    let (calc, _) = api_check(&lab, &c, &first[2]).expect("calc exists");
    let mut children = calc.child_health_checks().to_vec();
    children.sort();
    let mut want = vec![first[0].clone(), first[1].clone()];
    want.sort();
    assert_eq!(children, want);
    let (cw, _) = api_check(&lab, &c, &first[3]).expect("cw exists");
    assert_eq!(cw.alarm_identifier().map(|a| a.name()), Some("cpu-high"));
    let (rc, _) = api_check(&lab, &c, &first[4]).expect("rc exists");
    assert_eq!(rc.routing_control_arn(), Some(ARN));
    // Route 53's defaults are in state, so leaving them unset plans nothing.
    let tcp = tf.resource("r53_health_check.tcp")?;
    assert_eq!(tcp["request_interval"], 30);
    assert_eq!(tcp["failure_threshold"], 3);

    // update in place: same IDs, the version moves, the regions reset to all
    k.threshold = 5;
    k.path = "/healthz";
    k.regions = false;
    k.calc_threshold = 2;
    k.tags = r#"env = "prod", team = "web""#;
    k.tcp_port = 5433;
    k.cw_insufficient = "Unhealthy";
    k.rc_invert = true;
    tf.write(&config(&k))?;
    let plan = tf.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"])?;
    assert_eq!(plan.code, 2, "{}", plan.text());
    assert!(
        plan.stdout.contains("0 to add, 8 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.stdout);
    tf.apply()?;
    tf.assert_plan_empty()?;
    assert_eq!(ids(&tf)?, first);
    let (cfg, version) = api_check(&lab, &c, &first[0]).expect("web exists");
    assert_eq!(version, 2);
    assert_eq!(cfg.failure_threshold(), Some(5));
    assert_eq!(cfg.resource_path(), Some("/healthz"));
    assert!(
        cfg.regions().is_empty(),
        "regions reset: {:?}",
        cfg.regions()
    );
    assert_eq!(
        api_check(&lab, &c, &first[2])
            .expect("calc")
            .0
            .health_threshold(),
        Some(2)
    );
    // Every kind changed in place (all eight at version 2).
    for (n, id) in ALL.iter().zip(&first) {
        assert_eq!(api_check(&lab, &c, id).expect(n).1, 2, "{n}");
    }
    let (tcp, _) = api_check(&lab, &c, &first[1]).expect("tcp");
    assert_eq!(tcp.port(), Some(5433));
    let (cw, _) = api_check(&lab, &c, &first[3]).expect("cw");
    assert_eq!(
        cw.insufficient_data_health_status().map(|s| s.as_str()),
        Some("Unhealthy")
    );
    let (rc, _) = api_check(&lab, &c, &first[4]).expect("rc");
    assert_eq!(rc.inverted(), Some(true));
    let (http, _) = api_check(&lab, &c, &first[5]).expect("http");
    assert_eq!(http.resource_path(), Some("/healthz"));
    let (https, _) = api_check(&lab, &c, &first[6]).expect("https");
    assert_eq!(https.failure_threshold(), Some(5));

    // What UpdateHealthCheck cannot change plans a replacement, pointing at the attribute.
    k.tcp_interval = Some(10);
    tf.write(&config(&k))?;
    let plan = tf.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"])?;
    assert_eq!(plan.code, 2, "{}", plan.text());
    assert!(
        plan.stdout
            .contains("r53_health_check.tcp must be replaced")
            && plan.stdout.contains("forces replacement"),
        "{}",
        plan.stdout
    );
    k.tcp_interval = None;
    tf.write(&config(&k))?;
    tf.assert_plan_empty()?;

    // drift: disabled and another threshold out of band → planned back → repaired
    lab.rt.block_on(
        c.update_health_check()
            .health_check_id(&first[0])
            .disabled(true)
            .failure_threshold(7)
            .send(),
    )?;
    let plan = tf.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"])?;
    assert_eq!(plan.code, 2, "{}", plan.text());
    assert!(plan.stdout.contains("1 to change"), "{}", plan.stdout);
    tf.apply()?;
    tf.assert_plan_empty()?;
    let (cfg, version) = api_check(&lab, &c, &first[0]).expect("web exists");
    assert_eq!(
        (cfg.disabled(), cfg.failure_threshold()),
        (Some(false), Some(5))
    );
    assert_eq!(version, 4, "one update out of band, one repair");

    // import: every check out of state and back by ID → the same state, empty plan
    let state = tf.state()?;
    for (n, id) in ALL.iter().zip(&first) {
        tf.state_rm(&format!("r53_health_check.{n}"))?;
        tf.import(&format!("r53_health_check.{n}"), id)?;
    }
    assert_same_state(&state, &tf.state()?, &[]);
    tf.assert_plan_empty()?;

    // destroy → gone
    tf.destroy()?;
    for id in &first {
        assert!(api_check(&lab, &c, id).is_none(), "{id} still exists");
    }
    Ok(())
}
