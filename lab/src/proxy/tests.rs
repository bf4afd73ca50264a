//! The proxy's checks, names, faults and lab-owned APIs, through moto where they need it.

use super::*;

#[test]
fn actions_from_paths() {
    assert_eq!(
        action(&Method::POST, "/2013-04-01/hostedzone/Z1/rrset/"),
        "ChangeResourceRecordSets"
    );
    assert_eq!(
        action(&Method::GET, "/2013-04-01/hostedzone/Z1/rrset?maxitems=300"),
        "ListResourceRecordSets"
    );
    assert_eq!(action(&Method::GET, "/2013-04-01/change/C1"), "GetChange");
    assert_eq!(
        action(&Method::POST, "/2013-04-01/hostedzone"),
        "CreateHostedZone"
    );
    assert_eq!(
        action(&Method::DELETE, "/2013-04-01/hostedzone/Z1"),
        "DeleteHostedZone"
    );
    assert_eq!(
        action(&Method::GET, "/2013-04-01/healthcheck?maxitems=100"),
        "ListHealthChecks"
    );
    // Every health-check call has its name, not a per-ID "METHOD /path" (which counted
    // per ID and made `after_forward` drop every zone index).
    for (m, p, name) in [
        (Method::POST, "/2013-04-01/healthcheck", "CreateHealthCheck"),
        (Method::GET, "/2013-04-01/healthcheck/abc", "GetHealthCheck"),
        (
            Method::POST,
            "/2013-04-01/healthcheck/abc",
            "UpdateHealthCheck",
        ),
        (
            Method::DELETE,
            "/2013-04-01/healthcheck/abc",
            "DeleteHealthCheck",
        ),
        (
            Method::GET,
            "/2013-04-01/healthcheck/abc/status",
            "GetHealthCheckStatus",
        ),
        (
            Method::GET,
            "/2013-04-01/healthcheck/abc/lastfailurereason",
            "GetHealthCheckLastFailureReason",
        ),
        (
            Method::GET,
            "/2013-04-01/healthcheckcount",
            "GetHealthCheckCount",
        ),
        (
            Method::GET,
            "/2013-04-01/checkeripranges",
            "GetCheckerIpRanges",
        ),
        (
            Method::POST,
            "/2013-04-01/cidrcollection",
            "CreateCidrCollection",
        ),
        (
            Method::GET,
            "/2013-04-01/cidrcollection?maxresults=5",
            "ListCidrCollections",
        ),
        (
            Method::POST,
            "/2013-04-01/cidrcollection/c-1",
            "ChangeCidrCollection",
        ),
        (
            Method::DELETE,
            "/2013-04-01/cidrcollection/c-1",
            "DeleteCidrCollection",
        ),
        (
            Method::GET,
            "/2013-04-01/cidrcollection/c-1?nexttoken=61",
            "ListCidrLocations",
        ),
        (
            Method::GET,
            "/2013-04-01/cidrcollection/c-1/cidrblocks?location=x",
            "ListCidrBlocks",
        ),
        (
            Method::POST,
            "/2013-04-01/keysigningkey",
            "CreateKeySigningKey",
        ),
        (
            Method::POST,
            "/2013-04-01/keysigningkey/Z1/ksk_1/activate",
            "ActivateKeySigningKey",
        ),
        (
            Method::POST,
            "/2013-04-01/keysigningkey/Z1/ksk_1/deactivate",
            "DeactivateKeySigningKey",
        ),
        (
            Method::DELETE,
            "/2013-04-01/keysigningkey/Z1/ksk_1",
            "DeleteKeySigningKey",
        ),
        (
            Method::POST,
            "/2013-04-01/hostedzone/Z1/enable-dnssec",
            "EnableHostedZoneDNSSEC",
        ),
        (
            Method::POST,
            "/2013-04-01/hostedzone/Z1/disable-dnssec",
            "DisableHostedZoneDNSSEC",
        ),
        (Method::GET, "/2013-04-01/hostedzone/Z1/dnssec", "GetDNSSEC"),
        (
            Method::GET,
            "/2013-04-01/tags/healthcheck/abc",
            "ListTagsForResource",
        ),
        (
            Method::POST,
            "/2013-04-01/tags/healthcheck/abc",
            "ChangeTagsForResource",
        ),
        (
            Method::POST,
            "/2013-04-01/tags/healthcheck",
            "ListTagsForResources",
        ),
    ] {
        assert_eq!(action(&m, p), name, "{m} {p}");
    }
}

/// A Route 53 request to the lab's proxy: (status, body).
async fn call(lab_url: &str, method: Method, path: &str, body: String) -> (u16, String) {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let req = Request::builder()
        .method(method)
        .uri(format!("{lab_url}{path}"))
        .header("authorization", MOTO_ROUTE53_AUTH)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn batch(changes: &[(&str, &str, &str)]) -> String {
    let changes: String = changes
        .iter()
        .map(|(action, name, value)| format!("<Change><Action>{action}</Action><ResourceRecordSet><Name>{name}.ix.test.</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>{value}</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>"))
        .collect();
    format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes>{changes}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>")
}

/// The batch checks read the zone from moto once and then follow the batches they let
/// through; a write they did not check (lenient) makes them read it again.
#[test]
fn batch_checks_read_the_zone_once_and_follow_what_they_route() {
    let lab = crate::Lab::start().unwrap();
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let (status, body) = call(&url, Method::POST, "/2013-04-01/hostedzone", format!("<CreateHostedZoneRequest xmlns=\"{NS}\"><Name>ix.test.</Name><CallerReference>ix-1</CallerReference></CreateHostedZoneRequest>")).await;
        assert_eq!(status, 201, "{body}");
        let zone = body.split("<Id>/hostedzone/").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
        let rrset = format!("/2013-04-01/hostedzone/{zone}/rrset");
        let send = |b: String| call(&url, Method::POST, &rrset, b);
        assert_eq!(send(batch(&[("CREATE", "a", "192.0.2.1"), ("CREATE", "b", "192.0.2.2")])).await.0, 200);
        let (status, body) = send(batch(&[("CREATE", "a", "192.0.2.9")])).await;
        assert_eq!(status, 400);
        assert!(body.contains("a.ix.test.") && body.contains("already exists"), "{body}");
        let (status, body) = send(batch(&[("DELETE", "b", "192.0.2.9")])).await;
        assert!(status == 400 && body.contains("do not match the current values"), "{body}");
        assert_eq!(send(batch(&[("DELETE", "b", "192.0.2.2")])).await.0, 200);
        assert_eq!(send(batch(&[("CREATE", "b", "192.0.2.3")])).await.0, 200);
        assert_eq!(lab.proxy.stats().index_loads, 1);
        // A lenient write is not followed: the next check reads the zone again and sees it.
        lab.proxy.set_config(ProxyConfig { strict: false, ..Default::default() });
        assert_eq!(send(batch(&[("CREATE", "c", "192.0.2.4")])).await.0, 200);
        lab.proxy.set_config(ProxyConfig::default());
        let (status, body) = send(batch(&[("CREATE", "c", "192.0.2.5")])).await;
        assert!(status == 400 && body.contains("c.ix.test.") && body.contains("already exists"), "{body}");
        assert_eq!(lab.proxy.stats().index_loads, 2);
    });
}

/// Health checks through the proxy: answered by the lab (counted by name, leaving the zone
/// indexes be), tags only for checks that exist, record sets only naming existing checks.
#[test]
fn health_checks_are_the_labs_and_record_sets_must_name_one() {
    let lab = crate::Lab::start().unwrap();
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let (status, body) = call(&url, Method::POST, "/2013-04-01/hostedzone", format!("<CreateHostedZoneRequest xmlns=\"{NS}\"><Name>hc.test.</Name><CallerReference>hc-1</CallerReference></CreateHostedZoneRequest>")).await;
        assert_eq!(status, 201, "{body}");
        let zone = body.split("<Id>/hostedzone/").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
        let rrset = format!("/2013-04-01/hostedzone/{zone}/rrset");
        let with_check = |action: &str, hc: &str| format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes><Change><Action>{action}</Action><ResourceRecordSet><Name>a.hc.test.</Name><Type>A</Type><SetIdentifier>one</SetIdentifier><Weight>1</Weight><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords><HealthCheckId>{hc}</HealthCheckId></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>");
        // Builds the zone's index.
        assert_eq!(call(&url, Method::POST, &rrset, batch(&[("CREATE", "b", "192.0.2.2")]).replace("ix.test", "hc.test")).await.0, 200);

        let (status, body) = call(&url, Method::POST, "/2013-04-01/healthcheck", format!("<CreateHealthCheckRequest xmlns=\"{NS}\"><CallerReference>c1</CallerReference><HealthCheckConfig><FullyQualifiedDomainName>localhost</FullyQualifiedDomainName><Type>HTTPS</Type></HealthCheckConfig></CreateHealthCheckRequest>")).await;
        assert_eq!(status, 201, "{body}");
        let id = body.split("<Id>").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
        let hc = format!("/2013-04-01/healthcheck/{id}");
        let (status, body) = call(&url, Method::POST, &hc, format!("<UpdateHealthCheckRequest xmlns=\"{NS}\"><HealthCheckVersion>1</HealthCheckVersion><Disabled>true</Disabled></UpdateHealthCheckRequest>")).await;
        assert!(status == 200 && body.contains("<HealthCheckVersion>2</HealthCheckVersion>"), "{body}");
        let (status, body) = call(&url, Method::POST, &hc, format!("<UpdateHealthCheckRequest xmlns=\"{NS}\"><HealthCheckVersion>1</HealthCheckVersion></UpdateHealthCheckRequest>")).await;
        assert!(status == 409 && body.contains("<Code>HealthCheckVersionMismatch</Code>"), "{body}");
        let (status, body) = call(&url, Method::GET, &format!("{hc}/status"), String::new()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body.matches("<HealthCheckObservation>").count(), 8, "{body}");

        // Tags go on to moto, for existing checks only.
        let tag = format!("<ChangeTagsForResourceRequest xmlns=\"{NS}\"><AddTags><Tag><Key>k</Key><Value>v</Value></Tag></AddTags></ChangeTagsForResourceRequest>");
        assert_eq!(call(&url, Method::POST, &format!("/2013-04-01/tags/healthcheck/{id}"), tag.clone()).await.0, 200);
        let (status, body) = call(&url, Method::GET, &format!("/2013-04-01/tags/healthcheck/{id}"), String::new()).await;
        assert!(status == 200 && body.contains("<Key>k</Key>"), "{body}");
        let (status, body) = call(&url, Method::POST, "/2013-04-01/tags/healthcheck/nope", tag).await;
        assert!(status == 404 && body.contains("<Code>NoSuchHealthCheck</Code>"), "{body}");

        // Record sets: an unknown check is refused, a known one accepted.
        let (status, body) = call(&url, Method::POST, &rrset, with_check("CREATE", "nope")).await;
        assert!(status == 400 && body.contains("<Code>NoSuchHealthCheck</Code>"), "{body}");
        let (status, body) = call(&url, Method::POST, &rrset, with_check("CREATE", &id)).await;
        assert_eq!(status, 200, "{body}");
        // Route 53 deletes a check record sets still name; the set can be deleted after.
        let (status, body) = call(&url, Method::DELETE, &hc, String::new()).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = call(&url, Method::POST, &rrset, with_check("DELETE", &id)).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = call(&url, Method::GET, &hc, String::new()).await;
        assert!(status == 404 && body.contains("<Code>NoSuchHealthCheck</Code>"), "{body}");

        let stats = lab.proxy.stats();
        for (act, n) in [("CreateHealthCheck", 1), ("UpdateHealthCheck", 2), ("DeleteHealthCheck", 1), ("GetHealthCheck", 1), ("GetHealthCheckStatus", 1)] {
            assert_eq!(stats.get(act), n, "{act}: {stats:?}");
        }
        // The health-check writes left the zone's index alone.
        assert_eq!(stats.index_loads, 1);
    });
}

/// CIDR collections through the proxy (the lab's: moto has none), and the CIDR and
/// geoproximity routing moto drops kept beside its record sets and listed back.
#[test]
fn cidr_routing_survives_moto_and_names_existing_locations() {
    let lab = crate::Lab::start().unwrap();
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let (status, body) = call(&url, Method::POST, "/2013-04-01/hostedzone", format!("<CreateHostedZoneRequest xmlns=\"{NS}\"><Name>cidr.test.</Name><CallerReference>cidr-1</CallerReference></CreateHostedZoneRequest>")).await;
        assert_eq!(status, 201, "{body}");
        let zone = body.split("<Id>/hostedzone/").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
        let rrset = format!("/2013-04-01/hostedzone/{zone}/rrset");
        let (status, body) = call(&url, Method::POST, "/2013-04-01/cidrcollection", format!("<CreateCidrCollectionRequest xmlns=\"{NS}\"><Name>offices</Name><CallerReference>c1</CallerReference></CreateCidrCollectionRequest>")).await;
        assert_eq!(status, 201, "{body}");
        let id = body.split("<Id>").nth(1).and_then(|s| s.split('<').next()).unwrap().to_string();
        let (status, body) = call(&url, Method::POST, &format!("/2013-04-01/cidrcollection/{id}"), format!("<ChangeCidrCollectionRequest xmlns=\"{NS}\"><CollectionVersion>1</CollectionVersion><Changes><member><LocationName>east</LocationName><Action>PUT</Action><CidrList><Cidr>10.0.0.0/8</Cidr></CidrList></member></Changes></ChangeCidrCollectionRequest>")).await;
        assert_eq!(status, 200, "{body}");
        let set = |action: &str, sid: &str, routing: String| format!("<Change><Action>{action}</Action><ResourceRecordSet><Name>w.cidr.test.</Name><Type>A</Type><SetIdentifier>{sid}</SetIdentifier><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords>{routing}</ResourceRecordSet></Change>");
        let cidr = |loc: &str| format!("<CidrRoutingConfig><CollectionId>{id}</CollectionId><LocationName>{loc}</LocationName></CidrRoutingConfig>");
        let send = |changes: Vec<String>| call(&url, Method::POST, &rrset, format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes>{}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>", changes.concat()));
        let (status, body) = send(vec![set("CREATE", "e", cidr("west"))]).await;
        assert!(status == 400 && body.contains("<Code>InvalidChangeBatch</Code>") && body.contains("no location west"), "{body}");
        let (status, body) = send(vec![set("CREATE", "e", cidr("east")), set("CREATE", "d", cidr("*"))]).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = call(&url, Method::GET, &rrset, String::new()).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(&cidr("east")) && body.contains(&cidr("*")), "{body}");
        let routing = lab.proxy.cidr_collections().record_routing(&zone, "w.cidr.test", "A", Some("e"));
        assert_eq!(routing, Some(crate::cidr_routing::RecordRouting::Cidr { collection_id: id.clone(), location_name: "east".into() }));
        // The location is in use now; the collection too.
        let (status, body) = call(&url, Method::POST, &format!("/2013-04-01/cidrcollection/{id}"), format!("<ChangeCidrCollectionRequest xmlns=\"{NS}\"><Changes><member><LocationName>east</LocationName><Action>DELETE_IF_EXISTS</Action><CidrList><Cidr>10.0.0.0/8</Cidr></CidrList></member></Changes></ChangeCidrCollectionRequest>")).await;
        assert!(status == 400 && body.contains("<Code>CidrBlockInUseException</Code>"), "{body}");
        let (status, body) = call(&url, Method::DELETE, &format!("/2013-04-01/cidrcollection/{id}"), String::new()).await;
        assert!(status == 400 && body.contains("<Code>CidrCollectionInUseException</Code>"), "{body}");
        // DELETE (with the routing, as Route 53 wants the whole set) forgets it.
        let (status, body) = send(vec![set("DELETE", "e", cidr("east"))]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(lab.proxy.cidr_collections().record_routing(&zone, "w.cidr.test", "A", Some("e")), None);
        let stats = lab.proxy.stats();
        for (act, n) in [("CreateCidrCollection", 1), ("ChangeCidrCollection", 2), ("DeleteCidrCollection", 1)] {
            assert_eq!(stats.get(act), n, "{act}: {stats:?}");
        }
        assert_eq!(stats.index_loads, 1);
    });
}

fn faulty(rate: f64, first: bool) -> ProxyConfig {
    ProxyConfig {
        fault_rate: rate,
        fault_first: first,
        seed: 7,
        ..Default::default()
    }
}

#[test]
fn faults_are_a_function_of_seed_action_and_index() {
    let cfg = faulty(0.25, false);
    let run = |a: &str| -> Vec<Option<&str>> { (0..400).map(|i| fault_for(&cfg, a, i)).collect() };
    // Same inputs, same answers (no hidden state, no arrival order).
    assert_eq!(run("GetChange"), run("GetChange"));
    // Actions have their own schedules.
    assert_ne!(run("GetChange"), run("ChangeResourceRecordSets"));
    // Another seed, another schedule.
    let other = ProxyConfig {
        seed: 8,
        ..cfg.clone()
    };
    assert_ne!(
        run("GetChange"),
        (0..400)
            .map(|i| fault_for(&other, "GetChange", i))
            .collect::<Vec<_>>()
    );
    // The rate holds roughly, and every kind is drawn.
    let got = run("ListResourceRecordSets");
    let n = got.iter().flatten().count();
    assert!((70..=130).contains(&n), "{n} of 400 at 25 %");
    for k in &cfg.faults {
        assert!(got.contains(&Some(k.as_str())), "{k} never drawn");
    }
}

#[test]
fn fault_first_faults_every_action_once_and_rate_zero_never() {
    for a in ["CreateHostedZone", "GetChange", "DeleteHostedZone", "X"] {
        assert!(fault_for(&faulty(0.2, true), a, 0).is_some(), "{a}");
        assert_eq!(fault_for(&faulty(0.0, true), a, 0), None, "{a}");
        assert!((0..1000).all(|i| fault_for(&faulty(0.0, false), a, i).is_none()));
    }
    let none = ProxyConfig {
        faults: vec![],
        ..faulty(1.0, true)
    };
    assert_eq!(fault_for(&none, "GetChange", 0), None);
    assert!((0..100).all(|i| fault_for(&faulty(1.0, false), "GetChange", i).is_some()));
}
