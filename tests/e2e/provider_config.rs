//! Provider settings reach the AWS clients: a named profile from shared config/credentials files
//! given in the provider block, an explicit Route 53 endpoint, and an STS endpoint that serves
//! `assume_role` and nothing else.

use r53_tests::*;

#[test]
fn profile_files_and_endpoint_from_the_provider_block() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let mut tf = lab.terraform(TfBin::Lib)?;
    // No credentials or endpoint in the environment: they must come from the provider block.
    for k in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ENDPOINT_URL",
    ] {
        tf.unset_env(k);
    }
    let creds = tf.path().join("creds");
    let conf = tf.path().join("config");
    std::fs::write(
        &creds,
        "[lab]\naws_access_key_id = AKIDLAB\naws_secret_access_key = labsecret\n",
    )?;
    std::fs::write(&conf, "[profile lab]\nregion = eu-central-1\n")?;
    let cfg = |profile: &str| {
        format!(
            r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{
  profile                  = "{profile}"
  shared_credentials_files = ["{}"]
  shared_config_files      = ["{}"]
  max_retries              = 3
  endpoints {{
    route53 = "{}"
  }}
}}
resource "r53_hosted_zone" "z" {{
  name = "profile.example"
}}
"#,
            creds.display(),
            conf.display(),
            lab.endpoint()
        )
    };
    tf.write(&cfg("nosuchprofile"))?;
    let o = tf.apply_fails()?;
    assert!(
        o.stderr.contains("Cannot configure AWS clients") && o.stderr.contains("nosuchprofile"),
        "{}",
        o.text()
    );
    assert_eq!(lab.proxy.stats().writes(), 0);

    tf.write(&cfg("lab"))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert!(!zone_gone(&lab, &c, &zid));
    tf.assert_plan_empty()?;
    tf.destroy()?;
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}

/// `endpoints.sts` is where `assume_role` goes — even over the environment's AWS_ENDPOINT_URL — and
/// only that: Route 53's calls keep their endpoint (here the environment's, the lab). It used to be
/// every service's base endpoint, which the lab's AWS_ENDPOINT_URL hid; without that variable,
/// every Route 53 call went to STS.
#[test]
fn the_sts_endpoint_serves_assume_role_only() -> anyhow::Result<()> {
    let lab = lab();
    let tf = lab.terraform(TfBin::Lib)?;
    let cfg = |sts: &str, assume: bool| {
        let role = if assume {
            "  assume_role {\n    role_arn = \"arn:aws:iam::333333333333:role/dns\"\n  }\n"
        } else {
            ""
        };
        format!(
            "terraform {{\n  required_providers {{\n    r53 = {{ source = \"r53/r53\" }}\n  }}\n}}\n\
             provider \"r53\" {{\n  endpoints {{\n    sts = \"{sts}\"\n  }}\n{role}}}\n\
             resource \"r53_hosted_zone\" \"z\" {{\n  name = \"sts-endpoint.example\"\n}}\n"
        )
    };
    // An STS endpoint where nothing listens, and no role to assume: nothing asks STS.
    tf.write(&cfg("http://127.0.0.1:9", false))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert!(!zone_gone(&lab, &sdk(&lab), &zid));
    tf.destroy()?;

    // With a role, that endpoint is asked (and fails, before anything is written)...
    tf.write(&cfg("http://127.0.0.1:9", true))?;
    let before = lab.proxy.stats().writes();
    let o = tf.apply_fails()?;
    assert!(
        o.stderr.contains("Cannot configure AWS clients"),
        "{}",
        o.text()
    );
    assert_eq!(lab.proxy.stats().writes(), before);

    // ...and with the lab as STS, the zone is made in the role's account.
    tf.write(&cfg(&lab.endpoint(), true))?;
    tf.apply()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let role_account = sdk_as(&lab, &lab.account_key("333333333333")?);
    assert!(!zone_gone(&lab, &role_account, &zid));
    assert!(
        zone_gone(&lab, &sdk(&lab), &zid),
        "not in the default account"
    );
    tf.destroy()?;
    assert!(zone_gone(&lab, &role_account, &zid));
    Ok(())
}
