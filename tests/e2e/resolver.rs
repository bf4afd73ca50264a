//! Route 53 Resolver through Terraform 1.15 against the lab (moto's route53resolver, which checks
//! subnets and security groups against its EC2, behind the lab's held CREATING/UPDATING/DELETING
//! statuses): an outbound endpoint, a FORWARD rule through it and the rule's association with the
//! VPC — create (each waited for) → plan empty → update in place (endpoint name and a third
//! address, rule name and targets) → an address removed → out-of-band drift (endpoint renamed, rule
//! retargeted, association removed) planned and repaired → import of all three gives the same
//! state → destroy, each gone from the API.

use aws_sdk_route53resolver as rr;
use r53_tests::*;

fn resolver_sdk(lab: &Lab) -> rr::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let conf = lab.rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(lab.endpoint())
            .credentials_provider(rr::config::Credentials::new(
                "testing", "testing", None, None, "lab",
            ))
            .load(),
    );
    rr::Client::new(&conf)
}

#[derive(Clone)]
struct Cfg<'a> {
    sg: &'a str,
    vpc: &'a str,
    /// (subnet, fixed address)
    ips: Vec<(&'a str, Option<&'a str>)>,
    endpoint_name: &'a str,
    rule_name: &'a str,
    /// (ip, port)
    targets: Vec<(&'a str, Option<u16>)>,
}

fn config(c: &Cfg<'_>) -> String {
    let ips: String = c
        .ips
        .iter()
        .map(|(s, ip)| match ip {
            Some(ip) => {
                format!("  ip_address {{\n    subnet_id = \"{s}\"\n    ip = \"{ip}\"\n  }}\n")
            }
            None => format!("  ip_address {{\n    subnet_id = \"{s}\"\n  }}\n"),
        })
        .collect();
    let targets: String = c
        .targets
        .iter()
        .map(|(ip, port)| match port {
            Some(p) => format!("  target_ip {{\n    ip = \"{ip}\"\n    port = {p}\n  }}\n"),
            None => format!("  target_ip {{\n    ip = \"{ip}\"\n  }}\n"),
        })
        .collect();
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_resolver_endpoint" "out" {{
  name               = "{name}"
  direction          = "OUTBOUND"
  security_group_ids = ["{sg}"]
{ips}
  timeouts {{
    create = "5m"
  }}
}}

resource "r53_resolver_rule" "corp" {{
  domain_name          = "corp.example.com"
  rule_type            = "FORWARD"
  name                 = "{rule}"
  resolver_endpoint_id = r53_resolver_endpoint.out.id
{targets}}}

resource "r53_resolver_rule_association" "corp" {{
  resolver_rule_id = r53_resolver_rule.corp.id
  vpc_id           = "{vpc}"
  name             = "corp-app"
}}
"#,
        name = c.endpoint_name,
        sg = c.sg,
        rule = c.rule_name,
        vpc = c.vpc,
    )
}

/// The endpoint's (name, sorted addresses) as the API has them, or None when it is gone.
fn api_endpoint(lab: &Lab, c: &rr::Client, id: &str) -> Option<(String, Vec<String>)> {
    match lab
        .rt
        .block_on(c.get_resolver_endpoint().resolver_endpoint_id(id).send())
    {
        Ok(o) => {
            let e = o.resolver_endpoint()?;
            let ips = lab
                .rt
                .block_on(
                    c.list_resolver_endpoint_ip_addresses()
                        .resolver_endpoint_id(id)
                        .send(),
                )
                .ok()?;
            let mut v: Vec<String> = ips
                .ip_addresses()
                .iter()
                .map(|a| {
                    format!(
                        "{} {}",
                        a.subnet_id().unwrap_or_default(),
                        a.ip().unwrap_or_default()
                    )
                })
                .collect();
            v.sort();
            Some((e.name().unwrap_or_default().to_string(), v))
        }
        Err(e) => {
            assert_eq!(
                not_found_code(&e),
                Some("ResourceNotFoundException"),
                "{e:?}"
            );
            None
        }
    }
}

fn not_found_code<E: rr::error::ProvideErrorMetadata, R>(
    e: &rr::error::SdkError<E, R>,
) -> Option<&str> {
    e.as_service_error()
        .and_then(rr::error::ProvideErrorMetadata::code)
}

/// The rule's (name, targets as "ip:port"), or None when it is gone.
fn api_rule(lab: &Lab, c: &rr::Client, id: &str) -> Option<(String, Vec<String>)> {
    match lab
        .rt
        .block_on(c.get_resolver_rule().resolver_rule_id(id).send())
    {
        Ok(o) => {
            let r = o.resolver_rule()?;
            Some((
                r.name().unwrap_or_default().to_string(),
                r.target_ips()
                    .iter()
                    .map(|t| format!("{}:{}", t.ip().unwrap_or_default(), t.port().unwrap_or(53)))
                    .collect(),
            ))
        }
        Err(e) => {
            assert_eq!(
                not_found_code(&e),
                Some("ResourceNotFoundException"),
                "{e:?}"
            );
            None
        }
    }
}

/// Whether the association exists (and is not being deleted).
fn api_association(lab: &Lab, c: &rr::Client, id: &str) -> bool {
    match lab.rt.block_on(
        c.get_resolver_rule_association()
            .resolver_rule_association_id(id)
            .send(),
    ) {
        Ok(o) => o
            .resolver_rule_association()
            .and_then(|a| a.status())
            .is_some_and(|s| s.as_str() != "DELETING"),
        Err(e) => {
            assert_eq!(
                not_found_code(&e),
                Some("ResourceNotFoundException"),
                "{e:?}"
            );
            false
        }
    }
}

#[test]
fn resolver_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let c = resolver_sdk(&lab);
    let net = lab.rt.block_on(lab.moto.create_network(1, 3))?;
    // An import lists addresses by subnet ID: the configuration is written in that order.
    let mut subnets = net.subnet_ids.clone();
    subnets.sort();
    let cidr_of = |s: &str| {
        let i = net.subnet_ids.iter().position(|x| x == s).unwrap_or(0) + 1;
        format!("10.1.{i}")
    };
    let fixed = format!("{}.10", cidr_of(&subnets[1]));
    let mut cfg = Cfg {
        sg: &net.security_group_id,
        vpc: &net.vpc_id,
        ips: vec![
            (subnets[0].as_str(), None),
            (subnets[1].as_str(), Some(fixed.as_str())),
        ],
        endpoint_name: "to-datacenter",
        rule_name: "corp",
        targets: vec![("192.0.2.53", None)],
    };
    let tf = lab.terraform(TfBin::Lib)?;

    // Invalid configuration is refused before any call.
    tf.write(&config(&Cfg {
        ips: vec![(subnets[0].as_str(), None)],
        ..cfg.clone()
    }))?;
    let p = tf.run_fails(&["plan", "-no-color", "-input=false"])?;
    assert!(
        p.text().contains("2 to 20 ip_address blocks, not 1"),
        "{}",
        p.text()
    );

    // create: every object waited for through the lab's CREATING statuses
    tf.write(&config(&cfg))?;
    let before = lab.proxy.resolver().held_reads();
    tf.apply()?;
    assert!(
        lab.proxy.resolver().held_reads() >= before + 4,
        "the endpoint and the association were each read while CREATING"
    );
    let e = tf.resource("r53_resolver_endpoint.out")?;
    let r = tf.resource("r53_resolver_rule.corp")?;
    let a = tf.resource("r53_resolver_rule_association.corp")?;
    let (eid, rid, aid) = (attr(&e, "id"), attr(&r, "id"), attr(&a, "id"));
    assert_eq!(attr(&e, "status"), "OPERATIONAL");
    assert_eq!(attr(&e, "host_vpc_id"), net.vpc_id);
    assert_eq!(e["ip_address"][1]["ip"], fixed.as_str());
    let first_ip = e["ip_address"][0]["ip"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(first_ip.starts_with(&cidr_of(&subnets[0])), "{first_ip}");
    assert_eq!(attr(&a, "status"), "COMPLETE");
    let live = api_endpoint(&lab, &c, &eid).expect("the endpoint exists");
    assert_eq!(live.0, "to-datacenter");
    assert_eq!(live.1.len(), 2);
    assert_eq!(
        api_rule(&lab, &c, &rid),
        Some(("corp".into(), vec!["192.0.2.53:53".into()]))
    );
    assert!(api_association(&lab, &c, &aid));
    tf.assert_plan_empty()?;

    // update in place: a third address, new names, other targets
    cfg.ips.push((subnets[2].as_str(), None));
    cfg.endpoint_name = "to-dc";
    cfg.rule_name = "corp-dc";
    cfg.targets = vec![("192.0.2.53", None), ("192.0.2.54", Some(5353))];
    tf.write(&config(&cfg))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 2 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    let e = tf.resource("r53_resolver_endpoint.out")?;
    assert_eq!(attr(&e, "id"), eid);
    assert_eq!(attr(&tf.resource("r53_resolver_rule.corp")?, "id"), rid);
    let live = api_endpoint(&lab, &c, &eid).expect("the endpoint exists");
    assert_eq!(live.0, "to-dc");
    assert_eq!(live.1.len(), 3);
    assert_eq!(
        api_rule(&lab, &c, &rid),
        Some((
            "corp-dc".into(),
            vec!["192.0.2.53:53".into(), "192.0.2.54:5353".into()]
        ))
    );
    tf.assert_plan_empty()?;

    // an address removed (in place)
    cfg.ips.pop();
    tf.write(&config(&cfg))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    let live = api_endpoint(&lab, &c, &eid).expect("the endpoint exists");
    assert_eq!(live.1.len(), 2);
    assert!(
        live.1.iter().any(|x| x.ends_with(&format!(" {fixed}"))),
        "{:?}",
        live.1
    );
    tf.assert_plan_empty()?;

    // drift, out of band: endpoint renamed, rule retargeted, association removed
    lab.rt.block_on(
        c.update_resolver_endpoint()
            .resolver_endpoint_id(&eid)
            .name("renamed-by-hand")
            .send(),
    )?;
    lab.rt.block_on(
        c.update_resolver_rule()
            .resolver_rule_id(&rid)
            .config(
                rr::types::ResolverRuleConfig::builder()
                    .target_ips(
                        rr::types::TargetAddress::builder()
                            .ip("198.51.100.1")
                            .port(53)
                            .build(),
                    )
                    .build(),
            )
            .send(),
    )?;
    lab.rt.block_on(
        c.disassociate_resolver_rule()
            .resolver_rule_id(&rid)
            .vpc_id(&net.vpc_id)
            .send(),
    )?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    for want in [
        "r53_resolver_endpoint.out will be updated in-place",
        "r53_resolver_rule.corp will be updated in-place",
        "r53_resolver_rule_association.corp will be created",
    ] {
        assert!(p.stdout.contains(want), "{want}:\n{}", p.text());
    }
    tf.apply()?;
    tf.assert_plan_empty()?;
    assert_eq!(
        api_endpoint(&lab, &c, &eid).map(|e| e.0).as_deref(),
        Some("to-dc")
    );
    assert_eq!(
        api_rule(&lab, &c, &rid).map(|r| r.1),
        Some(vec!["192.0.2.53:53".into(), "192.0.2.54:5353".into()])
    );
    let aid = attr(&tf.resource("r53_resolver_rule_association.corp")?, "id");
    assert!(api_association(&lab, &c, &aid));

    // import all three by ID: the same state, and nothing to change
    let tf2 = lab.terraform(TfBin::Lib)?;
    tf2.write(&format!(
        "{}\nimport {{\n  to = r53_resolver_endpoint.out\n  id = \"{eid}\"\n}}\nimport {{\n  to = r53_resolver_rule.corp\n  id = \"{rid}\"\n}}\nimport {{\n  to = r53_resolver_rule_association.corp\n  id = \"{aid}\"\n}}\n",
        config(&cfg)
    ))?;
    tf2.apply()?;
    for addr in [
        "r53_resolver_endpoint.out",
        "r53_resolver_rule.corp",
        "r53_resolver_rule_association.corp",
    ] {
        assert_same_values(addr, &tf.resource(addr)?, &tf2.resource(addr)?, &[]);
    }
    tf2.assert_plan_empty()?;
    for addr in [
        "r53_resolver_rule_association.corp",
        "r53_resolver_rule.corp",
        "r53_resolver_endpoint.out",
    ] {
        tf2.state_rm(addr)?;
    }

    // destroy: the association before the rule before the endpoint, each gone
    tf.destroy()?;
    assert!(!api_association(&lab, &c, &aid));
    assert_eq!(api_rule(&lab, &c, &rid), None);
    assert_eq!(api_endpoint(&lab, &c, &eid), None);
    Ok(())
}
