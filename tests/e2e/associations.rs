//! r53_zone_association and r53_vpc_association_authorization, and r53_hosted_zone's additive
//! `vpc` blocks: the cross-account flow (zone in account A, VPC in account B, one provider alias
//! per account with `assume_role`) through its whole life — create, empty plan, replacement,
//! out-of-band drift repaired, import compared, destroy in the right order — checked in each
//! account through the API; and an additive zone beside an association of its own account.

use r53_tests::*;

const ZONE_ACCOUNT: &str = "111111111111";
const VPC_ACCOUNT: &str = "222222222222";
const REGION: &str = "eu-west-1";

/// `r53.dns` in the zone's account, `r53.network` in the VPC's.
fn providers() -> String {
    assume_role_providers(
        REGION,
        &[
            ("dns", ZONE_ACCOUNT, "dns-admin"),
            ("network", VPC_ACCOUNT, "network-admin"),
        ],
    )
}

/// The zone (account A, additive, its own VPC), the authorization (A) and the association (B)
/// of VPC `vpc`.
fn cross_config(vpc: &str) -> String {
    format!(
        r#"{}
resource "r53_hosted_zone" "z" {{
  provider         = r53.dns
  name             = "private.corp.test"
  vpc_associations = "additive"
  vpc {{
    vpc_id = "vpc-0a000000000000001"
  }}
}}

resource "r53_vpc_association_authorization" "b" {{
  provider = r53.dns
  zone_id  = r53_hosted_zone.z.zone_id
  vpc_id   = "{vpc}"
}}

resource "r53_zone_association" "b" {{
  provider   = r53.network
  zone_id    = r53_vpc_association_authorization.b.zone_id
  vpc_id     = r53_vpc_association_authorization.b.vpc_id
  vpc_region = r53_vpc_association_authorization.b.vpc_region
}}
"#,
        providers()
    )
}

/// The zone's VPCs as account `c` reads them: `id@region`, sorted.
fn zone_vpcs(lab: &Lab, c: &aws_sdk_route53::Client, zone: &str) -> anyhow::Result<Vec<String>> {
    let z = lab.rt.block_on(c.get_hosted_zone().id(zone).send())?;
    let mut v: Vec<String> = z
        .vpcs()
        .iter()
        .map(|v| {
            format!(
                "{}@{}",
                v.vpc_id().unwrap_or_default(),
                v.vpc_region().map(|r| r.as_str()).unwrap_or_default()
            )
        })
        .collect();
    v.sort();
    Ok(v)
}

/// The VPCs authorized for the zone, as its account lists them.
fn authorized(lab: &Lab, c: &aws_sdk_route53::Client, zone: &str) -> anyhow::Result<Vec<String>> {
    let o = lab.rt.block_on(
        c.list_vpc_association_authorizations()
            .hosted_zone_id(zone)
            .send(),
    )?;
    let mut v: Vec<String> = o
        .vpcs()
        .iter()
        .map(|v| v.vpc_id().unwrap_or_default().to_string())
        .collect();
    v.sort();
    Ok(v)
}

/// The zones (and owners) VPC `vpc` is associated with, as account `c` lists them.
fn zones_of_vpc(
    lab: &Lab,
    c: &aws_sdk_route53::Client,
    vpc: &str,
) -> anyhow::Result<Vec<(String, String)>> {
    let o = lab.rt.block_on(
        c.list_hosted_zones_by_vpc()
            .vpc_id(vpc)
            .vpc_region(REGION.into())
            .send(),
    )?;
    Ok(o.hosted_zone_summaries()
        .iter()
        .map(|s| {
            (
                s.hosted_zone_id().to_string(),
                s.owner()
                    .and_then(|o| o.owning_account())
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect())
}

fn vpc_ref(vpc: &str) -> aws_sdk_route53::types::Vpc {
    aws_sdk_route53::types::Vpc::builder()
        .vpc_id(vpc)
        .vpc_region(REGION.into())
        .build()
}

/// Where in Terraform's output a line containing `what` first appears.
fn at_line(out: &str, what: &str) -> usize {
    out.lines()
        .position(|l| l.contains(what))
        .unwrap_or_else(|| panic!("{what:?} not in the output:\n{out}"))
}

#[test]
fn cross_account_association_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let (a, b) = (
        sdk_as(&lab, &lab.account_key(ZONE_ACCOUNT)?),
        sdk_as(&lab, &lab.account_key(VPC_ACCOUNT)?),
    );
    let default_account = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let (vpc_a, vpc_b, vpc_b2) = (
        "vpc-0a000000000000001",
        "vpc-0b000000000000001",
        "vpc-0b000000000000002",
    );

    // create: authorize (A) → associate (B); the association is in A's zone.
    tf.write(&cross_config(vpc_b))?;
    let o = tf.apply()?;
    assert!(
        at_line(
            &o.stdout,
            "r53_vpc_association_authorization.b: Creation complete"
        ) < at_line(&o.stdout, "r53_zone_association.b: Creating..."),
        "{}",
        o.text()
    );
    let zone = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let assoc = tf.resource("r53_zone_association.b")?;
    assert_eq!(attr(&assoc, "owning_account"), ZONE_ACCOUNT);
    assert_eq!(attr(&assoc, "vpc_region"), REGION, "the provider's region");
    assert_eq!(attr(&assoc, "id"), format!("{zone}:{vpc_b}:{REGION}"));
    assert_eq!(
        zone_vpcs(&lab, &a, &zone)?,
        [format!("{vpc_a}@{REGION}"), format!("{vpc_b}@{REGION}")]
    );
    assert_eq!(authorized(&lab, &a, &zone)?, [vpc_b]);
    assert_eq!(
        zones_of_vpc(&lab, &b, vpc_b)?,
        [(zone.clone(), ZONE_ACCOUNT.to_string())]
    );
    // The zone is account A's alone: neither B nor the default account holds it.
    assert!(zone_gone(&lab, &b, &zone) && zone_gone(&lab, &default_account, &zone));
    // The additive zone and the association converge.
    tf.assert_plan_empty()?;

    // drift: B disassociates and A removes the authorization behind Terraform's back.
    lab.rt.block_on(
        b.disassociate_vpc_from_hosted_zone()
            .hosted_zone_id(&zone)
            .vpc(vpc_ref(vpc_b))
            .send(),
    )?;
    lab.rt.block_on(
        a.delete_vpc_association_authorization()
            .hosted_zone_id(&zone)
            .vpc(vpc_ref(vpc_b))
            .send(),
    )?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("2 to add, 0 to change, 0 to destroy"),
        "{}",
        p.text()
    );
    tf.apply()?;
    assert_eq!(
        zone_vpcs(&lab, &a, &zone)?,
        [format!("{vpc_a}@{REGION}"), format!("{vpc_b}@{REGION}")]
    );
    assert_eq!(authorized(&lab, &a, &zone)?, [vpc_b]);
    tf.assert_plan_empty()?;

    // another VPC: both replaced (no update in the API), the old pair gone.
    tf.write(&cross_config(vpc_b2))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("2 added, 0 changed, 2 destroyed"),
        "{}",
        o.text()
    );
    assert_eq!(
        zone_vpcs(&lab, &a, &zone)?,
        [format!("{vpc_a}@{REGION}"), format!("{vpc_b2}@{REGION}")]
    );
    assert_eq!(authorized(&lab, &a, &zone)?, [vpc_b2]);
    assert!(zones_of_vpc(&lab, &b, vpc_b)?.is_empty());
    tf.assert_plan_empty()?;

    // import (blocks; the association by a two-part ID, the provider's region) → same state.
    let imported = |tf2: &Terraform, assoc_id: &str| -> anyhow::Result<()> {
        tf2.write(&format!(
            r#"{}
resource "r53_vpc_association_authorization" "b" {{
  provider = r53.dns
  zone_id  = "{zone}"
  vpc_id   = "{vpc_b2}"
}}
resource "r53_zone_association" "b" {{
  provider = r53.network
  zone_id  = "{zone}"
  vpc_id   = "{vpc_b2}"
}}
import {{
  provider = r53.dns
  to       = r53_vpc_association_authorization.b
  id       = "{zone}:{vpc_b2}:{REGION}"
}}
import {{
  provider = r53.network
  to       = r53_zone_association.b
  id       = "{assoc_id}"
}}
"#,
            providers()
        ))?;
        let p = tf2.plan()?;
        assert!(
            p.stdout
                .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
            "{}",
            p.text()
        );
        tf2.apply()?;
        tf2.assert_plan_empty()?;
        for addr in [
            "r53_vpc_association_authorization.b",
            "r53_zone_association.b",
        ] {
            assert_same_values(
                &format!("imported {addr}"),
                &tf.resource(addr)?,
                &tf2.resource(addr)?,
                &[],
            );
        }
        Ok(())
    };
    imported(&lab.terraform(TfBin::Lib)?, &format!("{zone}:{vpc_b2}"))?;
    imported(
        &lab.terraform(TfBin::Lib)?,
        &format!("/hostedzone/{zone}:{vpc_b2}:{REGION}"),
    )?;
    // An ID that names nothing is refused with the reason.
    let tf3 = lab.terraform(TfBin::Lib)?;
    tf3.write(&format!(
        "{}\nresource \"r53_zone_association\" \"x\" {{\n  provider = r53.network\n  zone_id = \"{zone}\"\n  vpc_id = \"vpc-0c000000000000009\"\n}}\n",
        providers()
    ))?;
    let o = tf3.run_fails(&[
        "import",
        "-no-color",
        "-input=false",
        "r53_zone_association.x",
        &format!("{zone}:vpc-0c000000000000009"),
    ])?;
    assert!(o.stderr.contains("is not associated"), "{}", o.text());

    // destroy: disassociate (B) before the authorization goes (A), the zone last.
    let o = tf.destroy()?;
    assert!(
        at_line(&o.stdout, "r53_zone_association.b: Destruction complete")
            < at_line(
                &o.stdout,
                "r53_vpc_association_authorization.b: Destroying..."
            ),
        "{}",
        o.text()
    );
    assert!(zones_of_vpc(&lab, &b, vpc_b2)?.is_empty());
    assert!(zone_gone(&lab, &a, &zone));
    assert!(lab.proxy.stats().get("DeleteVPCAssociationAuthorization") >= 3);
    Ok(())
}

/// An additive zone and an association of the same account on one zone: the plan after apply
/// is empty, the exclusive mode would undo the association (the reason additive exists), and a
/// zone imported and then made additive keeps the VPC it does not declare.
#[test]
fn additive_zone_and_association_converge() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let cfg = |mode: &str| {
        format!(
            r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{
  region = "{REGION}"
}}
resource "r53_hosted_zone" "z" {{
  name             = "additive.corp.test"
  vpc_associations = "{mode}"
  vpc {{
    vpc_id = "vpc-01"
  }}
}}
resource "r53_zone_association" "two" {{
  zone_id = r53_hosted_zone.z.zone_id
  vpc_id  = "vpc-02"
}}
"#
        )
    };
    tf.write(&cfg("additive"))?;
    tf.apply()?;
    let zone = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let both = [format!("vpc-01@{REGION}"), format!("vpc-02@{REGION}")];
    assert_eq!(zone_vpcs(&lab, &c, &zone)?, both);
    let z = tf.resource("r53_hosted_zone.z")?;
    assert_eq!(z["vpc"].as_array().map(Vec::len), Some(1), "{z}");
    tf.assert_plan_empty()?;

    // Exclusive: the zone's vpc blocks claim every VPC, so the plan would disassociate vpc-02.
    tf.write(&cfg("exclusive"))?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(p.stdout.contains("vpc-02"), "{}", p.text());

    // Import the zone into another configuration that declares it additive: the first apply
    // drops vpc-02 from the zone's state and disassociates nothing.
    let tf2 = lab.terraform(TfBin::Lib)?;
    let only_zone = cfg("additive");
    let only_zone = only_zone
        .split("resource \"r53_zone_association\"")
        .next()
        .unwrap_or_default();
    tf2.write(&format!(
        "{only_zone}\nimport {{\n  to = r53_hosted_zone.z\n  id = \"{zone}\"\n}}\n"
    ))?;
    tf2.apply()?;
    assert_eq!(zone_vpcs(&lab, &c, &zone)?, both);
    tf2.assert_plan_empty()?;
    tf2.state_rm("r53_hosted_zone.z")?;

    tf.write(&cfg("additive"))?;
    tf.assert_plan_empty()?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zone));
    Ok(())
}
