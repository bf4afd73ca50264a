//! The reusable modules in `modules/`, applied and destroyed through Terraform 1.15 against the lab,
//! each with `for_each` over two instances: `domain` (zone, records, the registrar pointed at the zone,
//! checked over DNS), `subdomain` across two accounts (the child answers through the parent zone's
//! referral over DNS; destroy removes the referral before the zone), and `private-zone` with
//! `private-zone-association` across two accounts.

use std::net::SocketAddr;

use hickory_proto::rr::{RData, RecordType};
use r53_lab::nameservers;
use r53_tests::*;

const DNS_ACCOUNT: &str = "111111111111";
const TEAM_ACCOUNT: &str = "222222222222";

/// A Terraform directory against the lab with the repository's modules copied in as `./modules`
/// (Terraform takes local module sources relative to the configuration), and `config` in it with
/// its modules installed (`terraform get`: init would look the dev-overridden provider up in a
/// registry).
fn terraform_with_modules(lab: &Lab, config: &str) -> anyhow::Result<Terraform> {
    let tf = lab.terraform(TfBin::Lib)?;
    let src = r53_lab::tools::repo_root().join("modules");
    for m in [
        "domain",
        "subdomain",
        "private-zone",
        "private-zone-association",
    ] {
        let to = tf.path().join("modules").join(m);
        std::fs::create_dir_all(&to)?;
        for f in ["main.tf", "variables.tf", "outputs.tf"] {
            std::fs::copy(src.join(m).join(f), to.join(f))?;
        }
    }
    tf.write(config)?;
    tf.run_ok(&["get", "-no-color"])?;
    Ok(tf)
}

/// `r53.dns` in the DNS account, `r53.team` in the team's.
fn two_accounts() -> String {
    assume_role_providers(
        "eu-west-1",
        &[
            ("dns", DNS_ACCOUNT, "dns-admin"),
            ("team", TEAM_ACCOUNT, "dns-admin"),
        ],
    )
}

fn sorted(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The addresses `server` answers for `name` `A` (authoritatively).
fn a_at(lab: &Lab, server: SocketAddr, name: &str) -> anyhow::Result<Vec<String>> {
    let m = lab
        .rt
        .block_on(r53_lab::registry::ask(server, name, RecordType::A))?;
    anyhow::ensure!(
        m.authoritative(),
        "{server} is not authoritative for {name}: {m:?}"
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
    Ok(out)
}

/// The DNS server of the lab's name-server set that zone `zone_id` is on.
fn zone_server(lab: &Lab, zone_id: &str) -> SocketAddr {
    let set = lab.proxy.delegation_sets().set_of(zone_id);
    SocketAddr::new(nameservers::set_ip(set), lab.registry.addr.port())
}

fn domain_config(extra_record: bool) -> String {
    let extra = if extra_record {
        r#", "api A" = { name = "api", type = "A", ttl = 60, records = ["192.0.2.11"] }"#
    } else {
        ""
    };
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

module "domain" {{
  source   = "./modules/domain"
  for_each = toset(["mod-a-e2e.test", "mod-b-e2e.test"])

  name      = each.key
  registrar = "route53"
  records = {{
    "www A" = {{ name = "www", type = "A", records = ["192.0.2.10"] }}
    "@ TXT" = {{ name = "@", type = "TXT", records = ["v=spf1 -all"] }}{extra}
  }}
}}

output "zones" {{ value = {{ for d, m in module.domain : d => m.zone_id }} }}
output "ns" {{ value = {{ for d, m in module.domain : d => m.name_servers }} }}
output "delegated" {{ value = {{ for d, m in module.domain : d => m.delegated }} }}
"#
    )
}

#[test]
fn domain_module_for_each_points_each_registration_at_its_zone() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let domains = ["mod-a-e2e.test", "mod-b-e2e.test"];
    for d in domains {
        lab.proxy.registrar().add_registered(
            d,
            lab_contact(),
            &["ns1.old-host.net", "ns2.old-host.net"],
        );
    }
    let tf = terraform_with_modules(&lab, &domain_config(false))?;
    tf.apply()?;
    let out = tf.outputs()?;
    for d in domains {
        let zone_ns = sorted(&out["ns"]["value"][d]);
        assert_eq!(zone_ns.len(), 4, "{out}");
        assert_eq!(out["delegated"]["value"][d], true, "{out}");
        // The TLD refers the domain to its zone's servers, which answer for it.
        assert_eq!(ns_at(&lab, lab.registry.addr, d), zone_ns, "{d}");
        let zid = out["zones"]["value"][d]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            a_at(&lab, zone_server(&lab, &zid), &format!("www.{d}"))?,
            ["192.0.2.10"]
        );
    }
    tf.assert_plan_empty()?;

    // One more record set in both instances: one create each, nothing else touched.
    tf.write(&domain_config(true))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("2 added, 0 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    let zid = out["zones"]["value"][domains[0]]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        a_at(
            &lab,
            zone_server(&lab, &zid),
            &format!("api.{}", domains[0])
        )?,
        ["192.0.2.11"]
    );
    tf.assert_plan_empty()?;

    tf.destroy()?;
    for d in domains {
        let zid = out["zones"]["value"][d].as_str().unwrap_or_default();
        assert!(zone_gone(&lab, &c, zid), "{d}");
    }
    Ok(())
}

#[test]
fn subdomain_module_delegates_across_accounts_and_the_child_answers_through_the_referral(
) -> anyhow::Result<()> {
    let lab = lab();
    let dns = sdk_as(&lab, &lab.account_key(DNS_ACCOUNT)?);
    let team = sdk_as(&lab, &lab.account_key(TEAM_ACCOUNT)?);
    let tf = terraform_with_modules(
        &lab,
        &format!(
            r#"{}
resource "r53_hosted_zone" "parent" {{
  provider = r53.dns
  name     = "corp-e2e.test"
}}

module "team" {{
  source   = "./modules/subdomain"
  for_each = toset(["dev", "staging"])
  providers = {{
    r53.parent = r53.dns
    r53.child  = r53.team
  }}

  name           = "${{each.key}}.corp-e2e.test"
  parent_zone_id = r53_hosted_zone.parent.zone_id
  records        = {{ "www A" = {{ name = "www", type = "A", records = ["192.0.2.20"] }} }}
}}

output "parent" {{ value = r53_hosted_zone.parent.zone_id }}
output "zones" {{ value = {{ for k, m in module.team : k => m.zone_id }} }}
output "ns" {{ value = {{ for k, m in module.team : k => m.name_servers }} }}
output "delegated" {{ value = {{ for k, m in module.team : k => m.delegated }} }}
"#,
            two_accounts()
        ),
    )?;
    tf.apply()?;
    let out = tf.outputs()?;
    let parent = out["parent"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // The parent zone is the DNS account's; each child zone the team account's.
    assert!(lab
        .rt
        .block_on(dns.get_hosted_zone().id(&parent).send())
        .is_ok());
    for k in ["dev", "staging"] {
        let name = format!("{k}.corp-e2e.test");
        let zid = out["zones"]["value"][k]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(lab
            .rt
            .block_on(team.get_hosted_zone().id(&zid).send())
            .is_ok());
        assert!(
            lab.rt
                .block_on(dns.get_hosted_zone().id(&zid).send())
                .is_err(),
            "the child zone is not the DNS account's"
        );
        assert_eq!(out["delegated"]["value"][k], true, "{out}");
        // Over DNS: the parent zone's server refers the child to the child zone's servers, and the
        // child zone's server answers.
        let child_ns = sorted(&out["ns"]["value"][k]);
        assert_eq!(ns_at(&lab, zone_server(&lab, &parent), &name), child_ns);
        assert_eq!(
            a_at(&lab, zone_server(&lab, &zid), &format!("www.{name}"))?,
            ["192.0.2.20"]
        );
    }
    tf.assert_plan_empty()?;

    // Destroy: the referrals go before the child zones, then the parent.
    let o = tf.destroy()?;
    let text = o.stdout.clone();
    for k in ["dev", "staging"] {
        let referral = text
            .find(&format!(
                "module.team[\"{k}\"].r53_delegation.this: Destruction complete"
            ))
            .expect("the referral is destroyed");
        let zone = text
            .find(&format!(
                "module.team[\"{k}\"].r53_hosted_zone.child: Destruction complete"
            ))
            .expect("the child zone is destroyed");
        assert!(referral < zone, "referral removed before the zone:\n{text}");
        let zid = out["zones"]["value"][k].as_str().unwrap_or_default();
        assert!(zone_gone(&lab, &team, zid));
    }
    assert!(zone_gone(&lab, &dns, &parent));
    Ok(())
}

#[test]
fn private_zone_modules_share_two_zones_with_another_accounts_vpc() -> anyhow::Result<()> {
    let lab = lab();
    let dns = sdk_as(&lab, &lab.account_key(DNS_ACCOUNT)?);
    let tf = terraform_with_modules(
        &lab,
        &format!(
            r#"{}
module "internal" {{
  source    = "./modules/private-zone"
  for_each  = toset(["internal.corp-e2e.test", "db.corp-e2e.test"])
  providers = {{ r53 = r53.dns }}

  name        = each.key
  vpc         = {{ vpc_id = "vpc-0a000000000000001" }}
  shared_vpcs = {{ app = {{ vpc_id = "vpc-0b000000000000002" }} }}
  records     = {{ "db A" = {{ name = "db", type = "A", records = ["10.0.0.5"] }} }}
}}

module "app" {{
  source    = "./modules/private-zone-association"
  for_each  = module.internal
  providers = {{ r53 = r53.team }}

  associations = {{ app = each.value.authorizations["app"] }}
}}

output "zones" {{ value = {{ for k, m in module.internal : k => m.zone_id }} }}
output "owners" {{ value = {{ for k, m in module.app : k => m.owning_accounts }} }}
"#,
            two_accounts()
        ),
    )?;
    tf.apply()?;
    let out = tf.outputs()?;
    for name in ["internal.corp-e2e.test", "db.corp-e2e.test"] {
        let zid = out["zones"]["value"][name]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let z = lab.rt.block_on(dns.get_hosted_zone().id(&zid).send())?;
        let mut vpcs: Vec<String> = z
            .vpcs()
            .iter()
            .map(|v| v.vpc_id().unwrap_or_default().to_string())
            .collect();
        vpcs.sort();
        assert_eq!(
            vpcs,
            ["vpc-0a000000000000001", "vpc-0b000000000000002"],
            "{name}: its own VPC and the team account's"
        );
        assert_eq!(out["owners"]["value"][name]["app"], DNS_ACCOUNT, "{out}");
    }
    tf.assert_plan_empty()?;

    // Destroy: each association goes before its authorization, then the zones.
    let o = tf.destroy()?;
    let text = o.stdout.clone();
    for name in ["internal.corp-e2e.test", "db.corp-e2e.test"] {
        let assoc = text
            .find(&format!(
                "module.app[\"{name}\"].r53_zone_association.this[\"app\"]: Destruction complete"
            ))
            .expect("the association is destroyed");
        let auth = text
            .find(&format!(
                "module.internal[\"{name}\"].r53_vpc_association_authorization.this[\"app\"]: Destruction complete"
            ))
            .expect("the authorization is destroyed");
        assert!(assoc < auth, "disassociated before deauthorized:\n{text}");
        let zid = out["zones"]["value"][name].as_str().unwrap_or_default();
        assert!(zone_gone(&lab, &dns, zid));
    }
    Ok(())
}
