//! Provider settings reach the AWS clients: a named profile from shared config/credentials files
//! given in the provider block, and an explicit Route 53 endpoint.

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
