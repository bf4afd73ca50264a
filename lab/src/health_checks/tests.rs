//! The health-check API's tests: every kind's settings and defaults, caller references,
//! refusals, versions and partial updates, paging, quota, status and tags.

use super::*;

const PATH: &str = "/2013-04-01/healthcheck";

fn call(h: &HealthChecks, act: &str, path: &str, body: &str) -> Answer {
    h.handle(act, path, body.as_bytes()).expect(act)
}

fn create(h: &HealthChecks, caller: &str, config: &str) -> Answer {
    call(
        h,
        "CreateHealthCheck",
        PATH,
        &format!("<CreateHealthCheckRequest xmlns=\"{NS}\"><CallerReference>{caller}</CallerReference><HealthCheckConfig>{config}</HealthCheckConfig></CreateHealthCheckRequest>"),
    )
}

fn update(h: &HealthChecks, id: &str, fields: &str) -> Answer {
    call(
        h,
        "UpdateHealthCheck",
        &format!("{PATH}/{id}"),
        &format!("<UpdateHealthCheckRequest xmlns=\"{NS}\">{fields}</UpdateHealthCheckRequest>"),
    )
}

fn get(h: &HealthChecks, id: &str) -> Answer {
    call(h, "GetHealthCheck", &format!("{PATH}/{id}"), "")
}

/// (status, code) of an error; (status, "ok") of an answer.
fn outcome(a: &Answer) -> (u16, &'static str) {
    match a {
        Answer::Ok { status, .. } => (*status, "ok"),
        Answer::Error { status, code, .. } => (*status, code),
    }
}

fn body(a: &Answer) -> Element {
    match a {
        Answer::Ok { body, .. } => xml::parse(body.as_bytes()).unwrap(),
        Answer::Error { .. } => panic!("{a:?}"),
    }
}

fn message(a: &Answer) -> &str {
    match a {
        Answer::Error { message, .. } => message,
        Answer::Ok { .. } => panic!("{a:?}"),
    }
}

fn id_of(a: &Answer) -> String {
    body(a).text_at(&["HealthCheck", "Id"]).unwrap().to_string()
}

fn config_of(a: &Answer) -> Element {
    body(a)
        .child("HealthCheck")
        .and_then(|c| c.child("HealthCheckConfig"))
        .cloned()
        .unwrap()
}

fn version_of(a: &Answer) -> String {
    body(a)
        .text_at(&["HealthCheck", "HealthCheckVersion"])
        .unwrap()
        .to_string()
}

const HTTP: &str =
    "<FullyQualifiedDomainName>localhost</FullyQualifiedDomainName><Type>HTTP</Type>";
const REGIONS: &str = "<Regions><Region>us-east-1</Region><Region>eu-west-1</Region><Region>sa-east-1</Region></Regions>";

#[test]
fn every_kind_keeps_every_field_with_route53_defaults() {
    let h = HealthChecks::default();
    // HTTP: port 80, interval 30, threshold 3, no SNI; Location and a uuid-shaped ID.
    let a = create(&h, "http", HTTP);
    let Answer::Ok {
        status, location, ..
    } = &a
    else {
        panic!("{a:?}")
    };
    assert_eq!(*status, 201);
    let id = id_of(&a);
    assert_eq!(id.len(), 36, "{id}");
    assert_eq!(id.matches('-').count(), 4, "{id}");
    assert_eq!(id.as_bytes()[14], b'4', "{id}");
    assert!(location
        .as_deref()
        .unwrap()
        .ends_with(&format!("/healthcheck/{id}")));
    assert_eq!(version_of(&a), "1");
    let c = config_of(&get(&h, &id));
    for (k, v) in [
        ("Type", "HTTP"),
        ("FullyQualifiedDomainName", "localhost"),
        ("Port", "80"),
        ("RequestInterval", "30"),
        ("FailureThreshold", "3"),
        ("MeasureLatency", "false"),
        ("Inverted", "false"),
        ("Disabled", "false"),
        ("EnableSNI", "false"),
    ] {
        assert_eq!(c.text_at(&[k]), Some(v), "{k}");
    }
    assert!(c.child("Regions").is_none());

    // HTTPS_STR_MATCH with everything: 443 and SNI by default, the rest as sent.
    let a = create(&h, "https", &format!("<IPAddress>8.8.8.8</IPAddress><Type>HTTPS_STR_MATCH</Type><ResourcePath>/health</ResourcePath><FullyQualifiedDomainName>example.com</FullyQualifiedDomainName><SearchString>ok &amp; up</SearchString><RequestInterval>10</RequestInterval><FailureThreshold>5</FailureThreshold><MeasureLatency>true</MeasureLatency><Inverted>true</Inverted><Disabled>true</Disabled>{REGIONS}"));
    let c = config_of(&get(&h, &id_of(&a)));
    for (k, v) in [
        ("IPAddress", "8.8.8.8"),
        ("Port", "443"),
        ("EnableSNI", "true"),
        ("ResourcePath", "/health"),
        ("SearchString", "ok & up"),
        ("RequestInterval", "10"),
        ("FailureThreshold", "5"),
        ("MeasureLatency", "true"),
        ("Inverted", "true"),
        ("Disabled", "true"),
    ] {
        assert_eq!(c.text_at(&[k]), Some(v), "{k}");
    }
    let regions: Vec<String> = list(&c, "Regions", "Region").unwrap();
    assert_eq!(regions, ["us-east-1", "eu-west-1", "sa-east-1"]);

    // TCP keeps its port and gets no HTTP port default.
    let tcp = id_of(&create(&h, "tcp", "<FullyQualifiedDomainName>localhost</FullyQualifiedDomainName><Port>5432</Port><Type>TCP</Type>"));
    assert_eq!(config_of(&get(&h, &tcp)).text_at(&["Port"]), Some("5432"));

    // CALCULATED: children and threshold, no endpoint defaults.
    let a = create(&h, "calc", &format!("<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{id}</ChildHealthCheck><ChildHealthCheck>{tcp}</ChildHealthCheck></ChildHealthChecks>"));
    let c = config_of(&get(&h, &id_of(&a)));
    assert_eq!(
        list(&c, "ChildHealthChecks", "ChildHealthCheck").unwrap(),
        [id.clone(), tcp.clone()]
    );
    assert_eq!(c.text_at(&["HealthThreshold"]), Some("1"));
    for k in ["Port", "RequestInterval", "FailureThreshold", "EnableSNI"] {
        assert!(c.child(k).is_none(), "{k}");
    }

    // CLOUDWATCH_METRIC: the alarm and the insufficient-data status (moto drops both).
    let a = create(&h, "cw", "<Type>CLOUDWATCH_METRIC</Type><AlarmIdentifier><Region>eu-west-1</Region><Name>cpu-high</Name></AlarmIdentifier><InsufficientDataHealthStatus>LastKnownStatus</InsufficientDataHealthStatus>");
    let c = config_of(&get(&h, &id_of(&a)));
    assert_eq!(c.text_at(&["AlarmIdentifier", "Region"]), Some("eu-west-1"));
    assert_eq!(c.text_at(&["AlarmIdentifier", "Name"]), Some("cpu-high"));
    assert_eq!(
        c.text_at(&["InsufficientDataHealthStatus"]),
        Some("LastKnownStatus")
    );

    // RECOVERY_CONTROL: the routing control (moto drops it).
    let arn = "arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/r";
    let a = create(
        &h,
        "rc",
        &format!("<Type>RECOVERY_CONTROL</Type><RoutingControlArn>{arn}</RoutingControlArn>"),
    );
    let c = config_of(&get(&h, &id_of(&a)));
    assert_eq!(c.text_at(&["RoutingControlArn"]), Some(arn));

    assert_eq!(
        outcome(&get(&h, "00000000-0000-4000-8000-000000000000")),
        (404, "NoSuchHealthCheck")
    );
}

#[test]
fn a_caller_reference_makes_one_check_ever() {
    let h = HealthChecks::default();
    let first = create(&h, "ref", HTTP);
    let id = id_of(&first);
    // A retry with the same settings (defaults spelled out or not) gets the same check.
    let again = create(&h, "ref", &format!("{HTTP}<Port>80</Port>"));
    assert_eq!(outcome(&again), (201, "ok"));
    assert_eq!(id_of(&again), id);
    assert_eq!(body(&h.count()).text_at(&["HealthCheckCount"]), Some("1"));
    // Other settings: refused.
    let other = create(&h, "ref", &format!("{HTTP}<Port>8080</Port>"));
    assert_eq!(outcome(&other), (409, "HealthCheckAlreadyExists"));
    // After an update the old settings are other settings too.
    assert_eq!(outcome(&update(&h, &id, "<Port>81</Port>")), (200, "ok"));
    assert_eq!(
        outcome(&create(&h, "ref", HTTP)),
        (409, "HealthCheckAlreadyExists")
    );
    // A deleted check's reference stays spent.
    let del = call(&h, "DeleteHealthCheck", &format!("{PATH}/{id}"), "");
    assert_eq!(outcome(&del), (200, "ok"));
    assert_eq!(
        outcome(&create(&h, "ref", &format!("{HTTP}<Port>81</Port>"))),
        (409, "HealthCheckAlreadyExists")
    );
    assert_eq!(outcome(&create(&h, "", HTTP)), (400, "InvalidInput"));
    assert_eq!(
        outcome(&create(&h, &"r".repeat(65), HTTP)),
        (400, "InvalidInput")
    );
}

#[test]
fn settings_route53_refuses_are_invalid_input() {
    let h = HealthChecks::default();
    for (config, says) in [
        (
            "<IPAddress>10.0.0.1</IPAddress><Type>HTTP</Type>",
            "10.0.0.0/8 (private)",
        ),
        (
            "<IPAddress>1.2.3</IPAddress><Type>HTTP</Type>",
            "not an IPv4 or IPv6",
        ),
        ("<Type>HTTP</Type>", "need ip_address or fqdn"),
        ("<Type>BOGUS</Type>", "is not one of HTTP"),
        (
            "<FullyQualifiedDomainName>x</FullyQualifiedDomainName>",
            "is not one of HTTP",
        ),
        (
            "<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold>",
            "need child_health_checks",
        ),
        (
            "<Type>CLOUDWATCH_METRIC</Type>",
            "need cloudwatch_alarm_name",
        ),
        ("<Type>RECOVERY_CONTROL</Type>", "need routing_control_arn"),
        (&format!("{HTTP}<Port>http</Port>"), "is not a number"),
        (
            &format!("{HTTP}<Inverted>yes</Inverted>"),
            "is not true or false",
        ),
        (
            &format!("{HTTP}<RequestInterval>20</RequestInterval>"),
            "10 or 30",
        ),
        (
            &format!("{HTTP}<SearchString>x</SearchString>"),
            "search_string applies only",
        ),
        (
            &format!(
                "{HTTP}<AlarmIdentifier><Region>us-east-1</Region><Name>a</Name></AlarmIdentifier>"
            ),
            "does not apply to HTTP",
        ),
        (
            &format!("{HTTP}<Regions><Region>us-east-1</Region></Regions>"),
            "at least 3",
        ),
    ] {
        let a = create(&h, "c", config);
        assert_eq!(outcome(&a), (400, "InvalidInput"), "{config}");
        assert!(message(&a).contains(says), "{config}: {a:?}");
    }
    let not_xml = call(&h, "CreateHealthCheck", PATH, "<oops");
    assert_eq!(outcome(&not_xml), (400, "InvalidInput"));
    let no_config = call(
        &h,
        "CreateHealthCheck",
        PATH,
        "<CreateHealthCheckRequest><CallerReference>c</CallerReference></CreateHealthCheckRequest>",
    );
    assert_eq!(outcome(&no_config), (400, "InvalidInput"));
    // Nothing refused was stored, and its reference is still free.
    assert_eq!(body(&h.count()).text_at(&["HealthCheckCount"]), Some("0"));
    assert_eq!(outcome(&create(&h, "c", HTTP)), (201, "ok"));
}

#[test]
fn an_update_needs_the_current_version_and_changes_only_what_it_sends() {
    let h = HealthChecks::default();
    let id = id_of(&create(&h, "u", &format!("<IPAddress>8.8.8.8</IPAddress><Type>HTTPS</Type><ResourcePath>/a</ResourcePath>{REGIONS}")));
    // Only FailureThreshold changes: the regions stay (moto clears them).
    let a = update(
        &h,
        &id,
        "<HealthCheckVersion>1</HealthCheckVersion><FailureThreshold>5</FailureThreshold>",
    );
    assert_eq!(outcome(&a), (200, "ok"));
    assert_eq!(version_of(&a), "2");
    let c = config_of(&a);
    assert_eq!(c.text_at(&["FailureThreshold"]), Some("5"));
    assert_eq!(list(&c, "Regions", "Region").unwrap().len(), 3);
    assert_eq!(c.text_at(&["ResourcePath"]), Some("/a"));
    // A stale version: 409, nothing changes.
    let stale = update(
        &h,
        &id,
        "<HealthCheckVersion>1</HealthCheckVersion><FailureThreshold>7</FailureThreshold>",
    );
    assert_eq!(outcome(&stale), (409, "HealthCheckVersionMismatch"));
    assert_eq!(version_of(&get(&h, &id)), "2");
    assert_eq!(
        outcome(&update(
            &h,
            &id,
            "<HealthCheckVersion>0</HealthCheckVersion>"
        )),
        (400, "InvalidInput")
    );
    // ResetElements clear; the address may change; no version means "whatever it is".
    let a = update(&h, &id, "<IPAddress>1.1.1.1</IPAddress><ResetElements><ResettableElementName>Regions</ResettableElementName><ResettableElementName>ResourcePath</ResettableElementName></ResetElements>");
    assert_eq!(outcome(&a), (200, "ok"));
    assert_eq!(version_of(&a), "3");
    let c = config_of(&a);
    assert!(c.child("Regions").is_none() && c.child("ResourcePath").is_none());
    assert_eq!(c.text_at(&["IPAddress"]), Some("1.1.1.1"));
    assert_eq!(
        outcome(&update(
            &h,
            &id,
            "<ResetElements><ResettableElementName>Port</ResettableElementName></ResetElements>"
        )),
        (400, "InvalidInput")
    );
    // The address may not go, and the result must be valid.
    assert_eq!(
        outcome(&update(&h, &id, "<IPAddress></IPAddress>")),
        (400, "InvalidInput")
    );
    let a = update(&h, &id, "<IPAddress>192.168.1.1</IPAddress>");
    assert!(message(&a).contains("private"), "{a:?}");
    assert_eq!(
        outcome(&update(&h, &id, "<Port>0</Port>")),
        (400, "InvalidInput")
    );
    assert_eq!(version_of(&get(&h, &id)), "3");

    // A check made with only a name cannot gain an address, nor lose its name.
    let named = id_of(&create(&h, "n", HTTP));
    assert_eq!(
        outcome(&update(&h, &named, "<IPAddress>8.8.8.8</IPAddress>")),
        (400, "InvalidInput")
    );
    let a = update(&h, &named, "<ResetElements><ResettableElementName>FullyQualifiedDomainName</ResettableElementName></ResetElements>");
    assert!(message(&a).contains("need ip_address or fqdn"), "{a:?}");

    // CALCULATED: children replace, threshold changes, an endpoint setting is refused.
    let calc = id_of(&create(&h, "c", &format!("<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{id}</ChildHealthCheck></ChildHealthChecks>")));
    let a = update(&h, &calc, &format!("<HealthThreshold>2</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{id}</ChildHealthCheck><ChildHealthCheck>{named}</ChildHealthCheck></ChildHealthChecks>"));
    let c = config_of(&a);
    assert_eq!(c.text_at(&["HealthThreshold"]), Some("2"));
    assert_eq!(
        list(&c, "ChildHealthChecks", "ChildHealthCheck")
            .unwrap()
            .len(),
        2
    );
    let a = update(&h, &calc, "<Inverted>true</Inverted>");
    assert_eq!(
        list(&config_of(&a), "ChildHealthChecks", "ChildHealthCheck")
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        outcome(&update(&h, &calc, "<FailureThreshold>3</FailureThreshold>")),
        (400, "InvalidInput")
    );
    // CLOUDWATCH_METRIC: the alarm and the insufficient-data status change in place.
    let cw = id_of(&create(&h, "cw", "<Type>CLOUDWATCH_METRIC</Type><AlarmIdentifier><Region>eu-west-1</Region><Name>a</Name></AlarmIdentifier>"));
    let a = update(&h, &cw, "<AlarmIdentifier><Region>us-east-1</Region><Name>b</Name></AlarmIdentifier><InsufficientDataHealthStatus>Unhealthy</InsufficientDataHealthStatus>");
    let c = config_of(&a);
    assert_eq!(c.text_at(&["AlarmIdentifier", "Name"]), Some("b"));
    assert_eq!(
        c.text_at(&["InsufficientDataHealthStatus"]),
        Some("Unhealthy")
    );

    assert_eq!(
        outcome(&update(&h, "nope", "<Port>81</Port>")),
        (404, "NoSuchHealthCheck")
    );
    assert_eq!(
        outcome(&call(
            &h,
            "UpdateHealthCheck",
            &format!("{PATH}/{id}"),
            "<x"
        )),
        (400, "InvalidInput")
    );
}

#[test]
fn a_check_a_calculated_check_combines_cannot_be_deleted() {
    let h = HealthChecks::default();
    let child = id_of(&create(&h, "child", HTTP));
    let parent = id_of(&create(&h, "parent", &format!("<Type>CALCULATED</Type><HealthThreshold>1</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{child}</ChildHealthCheck></ChildHealthChecks>")));
    let del = |id: &str| call(&h, "DeleteHealthCheck", &format!("{PATH}/{id}"), "");
    let a = del(&child);
    assert_eq!(outcome(&a), (400, "HealthCheckInUse"));
    assert!(message(&a).contains(&parent), "{a:?}");
    assert_eq!(outcome(&del(&parent)), (200, "ok"));
    assert_eq!(outcome(&del(&child)), (200, "ok"));
    assert_eq!(outcome(&del(&child)), (404, "NoSuchHealthCheck"));
    assert_eq!(outcome(&get(&h, &child)), (404, "NoSuchHealthCheck"));
}

#[test]
fn the_list_pages_in_creation_order() {
    let h = HealthChecks::default();
    let ids: Vec<String> = (0..5)
        .map(|i| id_of(&create(&h, &format!("l{i}"), HTTP)))
        .collect();
    let page = |q: &str| call(&h, "ListHealthChecks", &format!("{PATH}{q}"), "");
    let ids_in = |a: &Answer| -> Vec<String> {
        let doc = body(a);
        let mut found = Vec::new();
        doc.find_all("Id", &mut found);
        found.iter().map(|e| text(e).to_string()).collect()
    };
    let first = page("?maxitems=2");
    let doc = body(&first);
    assert_eq!(ids_in(&first), ids[..2]);
    assert_eq!(doc.text_at(&["IsTruncated"]), Some("true"));
    assert_eq!(doc.text_at(&["MaxItems"]), Some("2"));
    assert_eq!(doc.text_at(&["Marker"]), Some(""));
    let next = doc.text_at(&["NextMarker"]).unwrap().to_string();
    assert_eq!(next, ids[2]);
    let second = page(&format!("?marker={next}&maxitems=3"));
    assert_eq!(ids_in(&second), ids[2..]);
    let doc = body(&second);
    assert_eq!(doc.text_at(&["IsTruncated"]), Some("false"));
    assert!(doc.child("NextMarker").is_none());
    let all = page("");
    assert_eq!(ids_in(&all), ids);
    assert_eq!(body(&all).text_at(&["MaxItems"]), Some("100"));
    for q in [
        "?maxitems=0",
        "?maxitems=x",
        "?maxitems=1001",
        "?marker=gone",
    ] {
        assert_eq!(outcome(&page(q)), (400, "InvalidInput"), "{q}");
    }
    let count = call(
        &h,
        "GetHealthCheckCount",
        "/2013-04-01/healthcheckcount",
        "",
    );
    assert_eq!(body(&count).text_at(&["HealthCheckCount"]), Some("5"));
}

#[test]
fn status_has_one_observation_per_checker_region_and_a_checker_can_set_it() {
    let h = HealthChecks::default();
    let all = id_of(&create(&h, "all", HTTP));
    let three = id_of(&create(&h, "three", &format!("{HTTP}{REGIONS}")));
    let status = |id: &str, what: &str| {
        body(&call(
            &h,
            if what == "status" {
                "GetHealthCheckStatus"
            } else {
                "GetHealthCheckLastFailureReason"
            },
            &format!("{PATH}/{id}/{what}"),
            "",
        ))
    };
    let observations = |doc: &Element| {
        doc.child("HealthCheckObservations")
            .unwrap()
            .children_named("HealthCheckObservation")
            .map(|o| {
                (
                    o.text_at(&["Region"]).unwrap().to_string(),
                    o.text_at(&["IPAddress"]).unwrap().to_string(),
                    o.text_at(&["StatusReport", "Status"]).unwrap().to_string(),
                    o.text_at(&["StatusReport", "CheckedTime"])
                        .unwrap()
                        .to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let seen = observations(&status(&all, "status"));
    assert_eq!(seen.len(), CHECKER_REGIONS.len());
    for (region, ip, s, t) in &seen {
        assert!(CHECKER_REGIONS.contains(&region.as_str()));
        assert!(ip.starts_with("127.0.1."), "{ip}");
        assert_eq!(s, DEFAULT_STATUS);
        assert!(t.ends_with('Z') && t.len() == 24, "{t}");
    }
    assert_eq!(observations(&status(&three, "status")).len(), 3);
    assert!(observations(&status(&three, "lastfailurereason")).is_empty());

    // What a checker records shows in both.
    let failure = Observation {
        status: "Failure: Connection timed out.".into(),
        checked: UNIX_EPOCH,
    };
    h.health().record(&three, "eu-west-1", failure.clone());
    let seen = observations(&status(&three, "status"));
    let eu = seen.iter().find(|o| o.0 == "eu-west-1").unwrap();
    assert_eq!(eu.2, failure.status);
    assert_eq!(eu.3, "1970-01-01T00:00:00.000Z");
    let failed = observations(&status(&three, "lastfailurereason"));
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, "eu-west-1");
    // A later success is the status; the failure stays the last failure.
    h.health().record(
        &three,
        "eu-west-1",
        Observation {
            status: DEFAULT_STATUS.into(),
            checked: SystemTime::now(),
        },
    );
    let seen = observations(&status(&three, "status"));
    assert!(seen.iter().all(|o| o.2 == DEFAULT_STATUS));
    assert_eq!(observations(&status(&three, "lastfailurereason")).len(), 1);

    for what in ["status", "lastfailurereason"] {
        let act = if what == "status" {
            "GetHealthCheckStatus"
        } else {
            "GetHealthCheckLastFailureReason"
        };
        let a = call(&h, act, &format!("{PATH}/nope/{what}"), "");
        assert_eq!(outcome(&a), (404, "NoSuchHealthCheck"));
    }
    let ranges = call(&h, "GetCheckerIpRanges", "/2013-04-01/checkeripranges", "");
    assert_eq!(
        body(&ranges).text_at(&["CheckerIpRanges", "member"]),
        Some(CHECKER_IP_RANGE)
    );
}

#[test]
fn the_account_quota_is_route53s_default() {
    let h = HealthChecks::default();
    for i in 0..MAX_HEALTH_CHECKS {
        assert_eq!(outcome(&create(&h, &format!("q{i}"), HTTP)), (201, "ok"));
    }
    assert_eq!(
        outcome(&create(&h, "one more", HTTP)),
        (400, "TooManyHealthChecks")
    );
}

#[test]
fn tags_and_record_sets_may_name_only_existing_checks() {
    let h = HealthChecks::default();
    let id = id_of(&create(&h, "t", HTTP));
    let tags = |act: &str, path: &str, body: &str| h.check_tags(act, path, body.as_bytes());
    assert_eq!(
        tags(
            "ListTagsForResource",
            &format!("/2013-04-01/tags/healthcheck/{id}"),
            ""
        ),
        None
    );
    let a = tags(
        "ChangeTagsForResource",
        "/2013-04-01/tags/healthcheck/nope",
        "<x/>",
    )
    .unwrap();
    assert_eq!(outcome(&a), (404, "NoSuchHealthCheck"));
    assert_eq!(
        tags(
            "ChangeTagsForResource",
            "/2013-04-01/tags/hostedzone/Z1",
            ""
        ),
        None
    );
    let many = |ids: &[&str]| {
        let ids: String = ids
            .iter()
            .map(|i| format!("<ResourceId>{i}</ResourceId>"))
            .collect();
        format!("<ListTagsForResourcesRequest xmlns=\"{NS}\"><ResourceIds>{ids}</ResourceIds></ListTagsForResourcesRequest>")
    };
    assert_eq!(
        tags(
            "ListTagsForResources",
            "/2013-04-01/tags/healthcheck",
            &many(&[&id])
        ),
        None
    );
    let a = tags(
        "ListTagsForResources",
        "/2013-04-01/tags/healthcheck",
        &many(&[&id, "nope"]),
    )
    .unwrap();
    assert!(message(&a).contains("nope"), "{a:?}");

    let batch = |action: &str, hc: &str| {
        format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes><Change><Action>{action}</Action><ResourceRecordSet><Name>a.ex.test.</Name><Type>A</Type><SetIdentifier>one</SetIdentifier><Weight>1</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords><HealthCheckId>{hc}</HealthCheckId></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>")
    };
    assert_eq!(h.check_batch(batch("CREATE", &id).as_bytes()), None);
    for action in ["CREATE", "UPSERT"] {
        let a = h.check_batch(batch(action, "nope").as_bytes()).unwrap();
        assert_eq!(outcome(&a), (400, "NoSuchHealthCheck"));
        assert!(
            message(&a).contains("No health check found with id: nope"),
            "{a:?}"
        );
    }
    // A record set whose check is gone can still be deleted.
    assert_eq!(h.check_batch(batch("DELETE", "nope").as_bytes()), None);
}

#[test]
fn timestamps_are_utc_iso8601() {
    let t = UNIX_EPOCH + std::time::Duration::from_millis(1_796_654_924_123);
    assert_eq!(iso8601(t), "2026-12-07T14:48:44.123Z");
    assert_eq!(
        iso8601(UNIX_EPOCH + std::time::Duration::from_secs(951_782_400)),
        "2000-02-29T00:00:00.000Z"
    );
}
