//! Data sources `r53_hosted_zones` and `r53_records` through Terraform 1.15 against the lab: each
//! filter alone and together, compared with what the API lists, and a record set added out of band
//! showing at the next read.

use r53_tests::*;

fn config(extra_zone: bool) -> String {
    let (extra, extra_dep) = if extra_zone {
        (
            r#"
resource "r53_hosted_zone" "d" {
  name = "d.query-e2e.test"
  tags = { team = "platform" }
}
"#,
            ", r53_hosted_zone.d",
        )
    } else {
        ("", "")
    };
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "a" {{
  name = "a.query-e2e.test"
  tags = {{ team = "platform", env = "prod" }}
}}
resource "r53_hosted_zone" "b" {{
  name = "b.query-e2e.test"
  tags = {{ team = "web" }}
}}
resource "r53_hosted_zone" "c" {{
  name = "c.query-e2e.test"
  vpc {{
    vpc_id = "vpc-00000007"
  }}
}}
resource "r53_hosted_zone" "other" {{
  name = "other-e2e.test"
  tags = {{ team = "platform" }}
}}
{extra}
resource "r53_record" "www" {{
  zone_id = r53_hosted_zone.a.zone_id
  name    = "www.a.query-e2e.test"
  type    = "A"
  ttl     = 300
  records = ["192.0.2.1"]
}}
resource "r53_record" "api" {{
  zone_id = r53_hosted_zone.a.zone_id
  name    = "api.a.query-e2e.test"
  type    = "A"
  ttl     = 60
  records = ["192.0.2.2", "192.0.2.3"]
}}
resource "r53_record" "mx" {{
  zone_id = r53_hosted_zone.a.zone_id
  name    = "a.query-e2e.test"
  type    = "MX"
  ttl     = 300
  records = ["10 mail.a.query-e2e.test"]
}}

locals {{
  after = [r53_hosted_zone.a, r53_hosted_zone.b, r53_hosted_zone.c, r53_hosted_zone.other, r53_record.www, r53_record.api, r53_record.mx{extra_dep}]
}}

data "r53_hosted_zones" "all_under" {{
  name_pattern = "*.QUERY-e2e.test."
  depends_on   = [local.after]
}}
data "r53_hosted_zones" "public_under" {{
  name_pattern = "*.query-e2e.test"
  private_zone = false
  depends_on   = [local.after]
}}
data "r53_hosted_zones" "platform" {{
  tags       = {{ team = "platform" }}
  depends_on = [local.after]
}}
data "r53_hosted_zones" "platform_under" {{
  name_pattern = "*.query-e2e.test"
  tags         = {{ team = "platform" }}
  depends_on   = [local.after]
}}
data "r53_hosted_zones" "vpc" {{
  vpc_id     = "vpc-00000007"
  depends_on = [local.after]
}}
data "r53_records" "all" {{
  zone_id    = r53_hosted_zone.a.zone_id
  depends_on = [local.after]
}}
data "r53_records" "a" {{
  zone_id    = r53_hosted_zone.a.zone_id
  type       = "a"
  depends_on = [local.after]
}}
data "r53_records" "www" {{
  zone_id      = r53_hosted_zone.a.zone_id
  name_pattern = "w?w.*"
  depends_on   = [local.after]
}}

output "all_under"      {{ value = data.r53_hosted_zones.all_under.names }}
output "public_under"   {{ value = data.r53_hosted_zones.public_under.names }}
output "platform"       {{ value = data.r53_hosted_zones.platform.names }}
output "platform_under" {{ value = data.r53_hosted_zones.platform_under.zones }}
output "vpc"            {{ value = data.r53_hosted_zones.vpc.ids }}
output "all"            {{ value = [for r in data.r53_records.all.record_sets : "${{r.name}} ${{r.type}}"] }}
output "a"              {{ value = data.r53_records.a.record_sets }}
output "www"            {{ value = data.r53_records.www.record_sets }}
output "zone_name"      {{ value = data.r53_records.all.zone_name }}
"#
    )
}

#[test]
fn hosted_zones_and_records_data_sources_filter_and_follow_the_zone() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    tf.write(&config(false))?;
    tf.apply()?;
    let out = tf.outputs()?;
    let v = |k: &str| out[k]["value"].clone();

    assert_eq!(
        strings(&v("all_under")),
        ["a.query-e2e.test", "b.query-e2e.test", "c.query-e2e.test"],
        "sorted by name; the pattern compares as names do"
    );
    assert_eq!(
        strings(&v("public_under")),
        ["a.query-e2e.test", "b.query-e2e.test"]
    );
    assert_eq!(
        strings(&v("platform")),
        ["a.query-e2e.test", "other-e2e.test"],
        "every zone with the tag"
    );
    let a_id = attr(&tf.resource("r53_hosted_zone.a")?, "zone_id");
    let c_id = attr(&tf.resource("r53_hosted_zone.c")?, "zone_id");
    assert_eq!(
        v("platform_under"),
        serde_json::json!([{"zone_id": a_id, "name": "a.query-e2e.test", "private_zone": false,
            "comment": null, "record_count": 5}]),
        "filters combine; the summary is the zone's"
    );
    assert_eq!(strings(&v("vpc")), vec![c_id], "the VPC's private zone");

    // r53_records: the whole zone as the API lists it, in its order
    let listed: Vec<String> = list_sets(&lab, &c, &a_id)
        .iter()
        .map(|s| format!("{} {}", s.0.trim_end_matches('.').to_ascii_lowercase(), s.1))
        .collect();
    assert_eq!(strings(&v("all")), listed);
    assert_eq!(listed.len(), 5, "SOA, NS, MX, api, www: {listed:?}");
    assert_eq!(v("zone_name"), "a.query-e2e.test");
    let a = v("a");
    let names: Vec<&str> = a
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["api.a.query-e2e.test", "www.a.query-e2e.test"]);
    let www = v("www");
    assert_eq!(www.as_array().map(Vec::len), Some(1), "{www}");
    assert_eq!(www[0]["name"], "www.a.query-e2e.test");
    assert_eq!(www[0]["type"], "A");
    assert_eq!(www[0]["ttl"], 300);
    assert_eq!(www[0]["records"], serde_json::json!(["192.0.2.1"]));
    assert_eq!(www[0]["zone_id"], a_id);
    assert_eq!(
        www[0], a[1],
        "the same record set reads the same through either filter"
    );
    tf.assert_plan_empty()?;

    // A record set added out of band, and a new zone: both show at the next read.
    change_set(
        &lab,
        &c,
        &a_id,
        aws_sdk_route53::types::ChangeAction::Create,
        rrset(
            "wow.a.query-e2e.test",
            aws_sdk_route53::types::RrType::A,
            60,
            &["192.0.2.9".to_string()],
        )?,
    )?;
    tf.write(&config(true))?;
    tf.apply()?;
    let out = tf.outputs()?;
    let www: Vec<String> = out["www"]["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(www, ["wow.a.query-e2e.test", "www.a.query-e2e.test"]);
    assert_eq!(
        strings(&out["platform"]["value"]),
        ["a.query-e2e.test", "d.query-e2e.test", "other-e2e.test"]
    );
    assert_eq!(strings(&out["all"]["value"]).len(), 6);

    // The out-of-band set is no resource's: it goes the way it came, then everything else.
    change_set(
        &lab,
        &c,
        &a_id,
        aws_sdk_route53::types::ChangeAction::Delete,
        rrset(
            "wow.a.query-e2e.test",
            aws_sdk_route53::types::RrType::A,
            60,
            &["192.0.2.9".to_string()],
        )?,
    )?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &a_id));
    Ok(())
}
