//! r53_query_log through Terraform 1.15 against the lab: create → plan empty → the log group's ARN
//! respelled with `:*` is no change → drift (the configuration deleted out of band) repaired →
//! import compared → another log group replaces → destroy → gone.

use r53_tests::*;

fn config(arn: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    r53 = {{ source = "r53/r53" }}
  }}
}}
provider "r53" {{}}

resource "r53_hosted_zone" "z" {{
  name = "qlog-e2e.test"
}}

resource "r53_query_log" "q" {{
  zone_id                  = r53_hosted_zone.z.zone_id
  cloudwatch_log_group_arn = "{arn}"
}}
"#
    )
}

/// The configuration's log group ARN as the API has it, or None when it is gone.
fn api_log(lab: &Lab, c: &aws_sdk_route53::Client, id: &str) -> Option<String> {
    match lab.rt.block_on(c.get_query_logging_config().id(id).send()) {
        Ok(o) => o
            .query_logging_config()
            .map(|q| q.cloud_watch_logs_log_group_arn().to_string()),
        Err(e) => {
            let code = e
                .as_service_error()
                .and_then(aws_sdk_route53::error::ProvideErrorMetadata::code);
            assert_eq!(code, Some("NoSuchQueryLoggingConfig"), "{e:?}");
            None
        }
    }
}

#[test]
fn query_log_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let group = lab
        .rt
        .block_on(lab.moto.create_log_group("/aws/route53/qlog-e2e.test"))?;
    let other = lab
        .rt
        .block_on(lab.moto.create_log_group("/aws/route53/qlog-e2e-2.test"))?;
    let tf = lab.terraform(TfBin::Lib)?;

    // A log group outside us-east-1 is refused before anything is made.
    tf.write(&config(
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/route53/x",
    ))?;
    let p = tf.run_fails(&["plan", "-no-color", "-input=false"])?;
    assert!(
        p.text().contains("only to log groups in us-east-1"),
        "{}",
        p.text()
    );

    // create, with the ARN as CloudWatch Logs gives it (no `:*`)
    tf.write(&config(&group))?;
    tf.apply()?;
    let s = tf.resource("r53_query_log.q")?;
    let id = attr(&s, "id");
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    assert_eq!(attr(&s, "zone_id"), zid);
    assert_eq!(attr(&s, "cloudwatch_log_group_arn"), group);
    assert_eq!(
        attr(&s, "arn"),
        format!("arn:aws:route53:::queryloggingconfig/{id}")
    );
    let live = api_log(&lab, &c, &id).expect("the configuration exists");
    assert_eq!(live.trim_end_matches(":*"), group);
    tf.assert_plan_empty()?;

    // the same group spelled with `:*`: no change
    tf.write(&config(&format!("{group}:*")))?;
    let p = tf.plan()?;
    assert!(
        !p.stdout.contains("must be replaced"),
        "a respelling is not a replacement:\n{}",
        p.text()
    );
    tf.apply()?;
    assert_eq!(attr(&tf.resource("r53_query_log.q")?, "id"), id);
    tf.write(&config(&group))?;
    tf.apply()?;
    tf.assert_plan_empty()?;

    // import block → only the import → plan empty → the same state
    let tf2 = lab.terraform(TfBin::Lib)?;
    tf2.write(&format!(
        "{}\nimport {{\n  to = r53_query_log.q\n  id = \"{id}\"\n}}\nimport {{\n  to = r53_hosted_zone.z\n  id = \"{zid}\"\n}}\n",
        config(&group)
    ))?;
    tf2.apply()?;
    let a = tf.resource("r53_query_log.q")?;
    let b = tf2.resource("r53_query_log.q")?;
    assert_eq!(a["id"], b["id"]);
    assert_eq!(a["zone_id"], b["zone_id"]);
    assert_eq!(a["arn"], b["arn"]);
    // Imported with the API's spelling (`:*`), which names the same group: no change planned.
    assert_eq!(
        b["cloudwatch_log_group_arn"]
            .as_str()
            .unwrap_or_default()
            .trim_end_matches(":*"),
        group
    );
    tf2.assert_plan_empty()?;
    tf2.state_rm("r53_query_log.q")?;
    tf2.state_rm("r53_hosted_zone.z")?;

    // drift: deleted out of band → planned again → made again
    lab.rt
        .block_on(c.delete_query_logging_config().id(&id).send())?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout.contains("r53_query_log.q will be created"),
        "{}",
        p.text()
    );
    tf.apply()?;
    let again = attr(&tf.resource("r53_query_log.q")?, "id");
    assert!(api_log(&lab, &c, &again).is_some());
    tf.assert_plan_empty()?;

    // another log group: a new configuration replaces the old one
    tf.write(&config(&other))?;
    let o = tf.apply()?;
    assert!(
        o.stdout.contains("1 added, 0 changed, 1 destroyed"),
        "{}",
        o.text()
    );
    let third = attr(&tf.resource("r53_query_log.q")?, "id");
    assert_eq!(api_log(&lab, &c, &again), None);
    assert_eq!(
        api_log(&lab, &c, &third)
            .as_deref()
            .map(|a| a.trim_end_matches(":*")),
        Some(other.as_str())
    );

    // destroy → gone
    tf.destroy()?;
    assert_eq!(api_log(&lab, &c, &third), None);
    assert!(zone_gone(&lab, &c, &zid));
    Ok(())
}
