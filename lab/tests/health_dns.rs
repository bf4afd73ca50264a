//! The lab's health checkers and name servers together, over real DNS: loopback HTTP servers
//! started here, health checks on `localhost` made through the lab's Route 53 API, record sets
//! naming them, and the set's name server asked until the answer follows the servers' health
//! (polls with a deadline; no fixed sleep decides anything).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hickory_proto::rr::{RData, RecordType};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use r53_lab::endpoint::Endpoint;
use r53_lab::moto_api::MOTO_ROUTE53_AUTH;
use r53_lab::Lab;

const NS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";
const DEADLINE: Duration = Duration::from_secs(60);

/// A Route 53 request to the lab: (status, body).
async fn call(lab: &str, method: &str, path: &str, body: String) -> (u16, String) {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let req = hyper::Request::builder()
        .method(method)
        .uri(format!("{lab}{path}"))
        .header("authorization", MOTO_ROUTE53_AUTH)
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let resp = client.request(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
    s.split(a)
        .nth(1)
        .and_then(|r| r.split(b).next())
        .unwrap_or_else(|| panic!("no {a} in {s}"))
}

struct Zone {
    url: String,
    id: String,
    ns: SocketAddr,
}

impl Zone {
    async fn create(lab: &Lab, name: &str) -> Zone {
        let url = lab.endpoint();
        let (status, body) = call(&url, "POST", "/2013-04-01/hostedzone", format!("<CreateHostedZoneRequest xmlns=\"{NS}\"><Name>{name}.</Name><CallerReference>{name}</CallerReference></CreateHostedZoneRequest>")).await;
        assert_eq!(status, 201, "{body}");
        let id = between(&body, "<Id>/hostedzone/", "<").to_string();
        let set = lab.proxy.delegation_sets().set_of(&id);
        let ns = SocketAddr::new(r53_lab::nameservers::set_ip(set), lab.dns_port());
        Zone { url, id, ns }
    }

    async fn change(&self, sets: &[String]) {
        let changes: String = sets
            .iter()
            .map(|s| format!("<Change><Action>CREATE</Action><ResourceRecordSet>{s}</ResourceRecordSet></Change>"))
            .collect();
        let (status, body) = call(
            &self.url,
            "POST",
            &format!("/2013-04-01/hostedzone/{}/rrset", self.id),
            format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes>{changes}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }

    /// The A values the zone's name server answers for `name`, sorted.
    async fn a(&self, name: &str) -> Vec<String> {
        let m = r53_lab::registry::ask(self.ns, name, RecordType::A)
            .await
            .unwrap();
        let mut v: Vec<String> = m
            .answers()
            .iter()
            .filter_map(|r| match r.data() {
                RData::A(a) => Some(a.0.to_string()),
                _ => None,
            })
            .collect();
        v.sort();
        v
    }

    /// Asks until the answer is `want` (within [`DEADLINE`]).
    async fn until(&self, name: &str, want: &[&str]) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let got = self.a(name).await;
            if got == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name}: still {got:?}, waited {DEADLINE:?} for {want:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn health_check(lab: &Lab, caller: &str, config: &str) -> String {
    let (status, body) = call(&lab.endpoint(), "POST", "/2013-04-01/healthcheck", format!("<CreateHealthCheckRequest xmlns=\"{NS}\"><CallerReference>{caller}</CallerReference><HealthCheckConfig>{config}</HealthCheckConfig></CreateHealthCheckRequest>")).await;
    assert_eq!(status, 201, "{body}");
    between(&body, "<Id>", "<").to_string()
}

/// An HTTP check of `localhost:port`, every 10 (Route 53) seconds, failing after one failure.
async fn http_check(lab: &Lab, caller: &str, port: u16) -> String {
    health_check(lab, caller, &format!("<FullyQualifiedDomainName>localhost</FullyQualifiedDomainName><Port>{port}</Port><Type>HTTP</Type><ResourcePath>/health</ResourcePath><RequestInterval>10</RequestInterval><FailureThreshold>1</FailureThreshold>")).await
}

async fn until_verdict(lab: &Lab, id: &str, healthy: bool) {
    let deadline = Instant::now() + DEADLINE;
    while lab.proxy.health().healthy(id) != healthy {
        assert!(
            Instant::now() < deadline,
            "{id} not {healthy} after {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn a_set(name: &str, id: &str, extra: &str, value: &str, hc: Option<&str>) -> String {
    let hc = hc
        .map(|h| format!("<HealthCheckId>{h}</HealthCheckId>"))
        .unwrap_or_default();
    format!("<Name>{name}.</Name><Type>A</Type><SetIdentifier>{id}</SetIdentifier>{extra}<TTL>60</TTL><ResourceRecords><ResourceRecord><Value>{value}</Value></ResourceRecord></ResourceRecords>{hc}")
}

#[test]
fn failover_follows_the_primarys_health_and_status_reports_it() {
    let lab = Lab::start().unwrap();
    lab.set_health_time_scale(100.0).unwrap();
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let primary = Endpoint::start("ok").unwrap();
        let hc = http_check(&lab, "fo-primary", primary.port).await;
        let zone = Zone::create(&lab, "fo.test").await;
        zone.change(&[
            a_set("www.fo.test", "p", "<Failover>PRIMARY</Failover>", "192.0.2.1", Some(&hc)),
            a_set("www.fo.test", "s", "<Failover>SECONDARY</Failover>", "192.0.2.2", None),
        ])
        .await;
        zone.until("www.fo.test", &["192.0.2.1"]).await;
        // A success observed by every checker region.
        until_verdict(&lab, &hc, true).await;

        primary.stop();
        zone.until("www.fo.test", &["192.0.2.2"]).await;
        assert!(!lab.health_verdict(&hc));
        let (status, body) = call(&url, "GET", &format!("/2013-04-01/healthcheck/{hc}/status"), String::new()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body.matches("<HealthCheckObservation>").count(), 8, "{body}");
        assert!(body.contains("Failure: Resolved IP: 127.0.0.1. Connection refused."), "{body}");
        let (_, body) = call(&url, "GET", &format!("/2013-04-01/healthcheck/{hc}/lastfailurereason"), String::new()).await;
        assert_eq!(body.matches("Connection refused").count(), 8, "{body}");

        primary.resume().unwrap();
        zone.until("www.fo.test", &["192.0.2.1"]).await;
        let (_, body) = call(&url, "GET", &format!("/2013-04-01/healthcheck/{hc}/status"), String::new()).await;
        assert!(body.contains("Success: HTTP Status Code 200, OK"), "{body}");

        // A disabled check is healthy and no longer probed.
        primary.stop();
        zone.until("www.fo.test", &["192.0.2.2"]).await;
        let (status, body) = call(&url, "POST", &format!("/2013-04-01/healthcheck/{hc}"), format!("<UpdateHealthCheckRequest xmlns=\"{NS}\"><Disabled>true</Disabled></UpdateHealthCheckRequest>")).await;
        assert_eq!(status, 200, "{body}");
        zone.until("www.fo.test", &["192.0.2.1"]).await;
    });
}

#[test]
fn weighted_and_multivalue_answer_only_healthy_sets() {
    let lab = Lab::start().unwrap();
    lab.set_health_time_scale(100.0).unwrap();
    lab.rt.block_on(async {
        let (a, b, c) = (
            Endpoint::start("ok").unwrap(),
            Endpoint::start("ok").unwrap(),
            Endpoint::start("ok").unwrap(),
        );
        let ha = http_check(&lab, "w-a", a.port).await;
        let hb = http_check(&lab, "w-b", b.port).await;
        let hc = http_check(&lab, "w-c", c.port).await;
        c.stop();
        let zone = Zone::create(&lab, "wt.test").await;
        zone.change(&[
            a_set(
                "w.wt.test",
                "a",
                "<Weight>1</Weight>",
                "192.0.2.1",
                Some(&ha),
            ),
            a_set(
                "w.wt.test",
                "b",
                "<Weight>3</Weight>",
                "192.0.2.2",
                Some(&hb),
            ),
            a_set(
                "w.wt.test",
                "c",
                "<Weight>4</Weight>",
                "192.0.2.3",
                Some(&hc),
            ),
            a_set(
                "m.wt.test",
                "a",
                "<MultiValueAnswer>true</MultiValueAnswer>",
                "192.0.2.1",
                Some(&ha),
            ),
            a_set(
                "m.wt.test",
                "b",
                "<MultiValueAnswer>true</MultiValueAnswer>",
                "192.0.2.2",
                Some(&hb),
            ),
            a_set(
                "m.wt.test",
                "c",
                "<MultiValueAnswer>true</MultiValueAnswer>",
                "192.0.2.3",
                Some(&hc),
            ),
        ])
        .await;
        until_verdict(&lab, &hc, false).await;
        assert!(lab.health_verdict(&ha) && lab.health_verdict(&hb));

        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for _ in 0..20 {
            let got = zone.a("w.wt.test").await;
            assert_eq!(got.len(), 1, "{got:?}");
            *counts.entry(got[0].clone()).or_default() += 1;
        }
        assert_eq!(
            counts.into_iter().collect::<Vec<_>>(),
            [("192.0.2.1".to_string(), 5), ("192.0.2.2".to_string(), 15)],
            "weights 1:3 among the healthy, never the unhealthy set"
        );
        for _ in 0..5 {
            assert_eq!(zone.a("m.wt.test").await, ["192.0.2.1", "192.0.2.2"]);
        }
        // Every set down: all count as healthy.
        drop((a, b));
        zone.until("m.wt.test", &["192.0.2.1", "192.0.2.2", "192.0.2.3"])
            .await;
    });
}

#[test]
fn calculated_alarm_and_routing_control_checks() {
    let lab = Lab::start().unwrap();
    lab.set_health_time_scale(100.0).unwrap();
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let (one, two, three) = (Endpoint::start("ok").unwrap(), Endpoint::start("ok").unwrap(), Endpoint::start("ok").unwrap());
        let h1 = http_check(&lab, "c-1", one.port).await;
        let h2 = http_check(&lab, "c-2", two.port).await;
        let h3 = http_check(&lab, "c-3", three.port).await;
        three.stop();
        let calc = health_check(&lab, "calc", &format!("<Type>CALCULATED</Type><HealthThreshold>2</HealthThreshold><ChildHealthChecks><ChildHealthCheck>{h1}</ChildHealthCheck><ChildHealthCheck>{h2}</ChildHealthCheck><ChildHealthCheck>{h3}</ChildHealthCheck></ChildHealthChecks>")).await;
        let zone = Zone::create(&lab, "calc.test").await;
        zone.change(&[
            a_set("app.calc.test", "p", "<Failover>PRIMARY</Failover>", "192.0.2.1", Some(&calc)),
            a_set("app.calc.test", "s", "<Failover>SECONDARY</Failover>", "192.0.2.2", None),
        ])
        .await;
        until_verdict(&lab, &h3, false).await;
        assert!(lab.health_verdict(&calc), "two of three children healthy");
        zone.until("app.calc.test", &["192.0.2.1"]).await;
        two.stop();
        zone.until("app.calc.test", &["192.0.2.2"]).await;
        assert!(!lab.health_verdict(&calc));
        two.resume().unwrap();
        zone.until("app.calc.test", &["192.0.2.1"]).await;
        let (status, body) = call(&url, "GET", &format!("/2013-04-01/healthcheck/{calc}/status"), String::new()).await;
        assert_eq!(status, 200, "{body}");
        assert!(!body.contains("<HealthCheckObservation>"), "no checker observations of a CALCULATED check: {body}");
        drop(one);

        // RECOVERY_CONTROL follows the lab's routing control, Off until set.
        let arn = "arn:aws:route53-recovery-control::111111111111:controlpanel/p/routingcontrol/r";
        let rc = health_check(&lab, "rc", &format!("<Type>RECOVERY_CONTROL</Type><RoutingControlArn>{arn}</RoutingControlArn>")).await;
        assert!(!lab.health_verdict(&rc));
        lab.set_routing_control(arn, true).unwrap();
        assert!(lab.health_verdict(&rc));
        let (status, _) = call(&url, "POST", "/__lab/health/routing_control", format!("{{\"arn\": \"{arn}\", \"on\": false}}")).await;
        assert_eq!(status, 200);
        assert!(!lab.health_verdict(&rc));

        // The time scale is bounded, and says so.
        let (status, body) = call(&url, "POST", "/__lab/health/time_scale", "{\"scale\": 5000}".into()).await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains("from 1 to 1000"), "{body}");
        assert!(lab.set_health_time_scale(0.0).is_err());
    });

    // CLOUDWATCH_METRIC follows the alarm's state in moto (SetAlarmState), set from outside the
    // lab's runtime and from inside it.
    let cw = lab.rt.block_on(health_check(&lab, "cw", "<Type>CLOUDWATCH_METRIC</Type><AlarmIdentifier><Region>eu-west-1</Region><Name>lab-cpu</Name></AlarmIdentifier><InsufficientDataHealthStatus>Unhealthy</InsufficientDataHealthStatus>"));
    for (state, healthy) in [("ALARM", false), ("OK", true), ("INSUFFICIENT_DATA", false)] {
        lab.set_alarm_state("eu-west-1", "lab-cpu", state).unwrap();
        lab.rt.block_on(until_verdict(&lab, &cw, healthy));
    }
    lab.rt.block_on(async {
        lab.set_alarm_state("eu-west-1", "lab-cpu", "OK").unwrap();
        until_verdict(&lab, &cw, true).await;
    });
    let e = lab
        .set_alarm_state("eu-west-1", "lab-cpu", "MAYBE")
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("not one of OK, ALARM, INSUFFICIENT_DATA"),
        "{e}"
    );
}

/// A check's FQDN resolves as a client here would: through the lab's DNS from the root (a zone
/// delegated to its Route 53 name servers, no glue) — not only the system resolver.
#[test]
fn checkers_resolve_names_through_the_labs_dns() {
    let lab = Lab::start().unwrap();
    lab.set_health_time_scale(100.0).unwrap();
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let app = Endpoint::start("ok").unwrap();
        let zone = Zone::create(&lab, "res.test").await;
        let set = lab.proxy.delegation_sets().set_of(&zone.id);
        let ns = r53_lab::nameservers::set_names(set);
        lab.registry.delegate_published("res.test", &[(ns[0].as_str(), &[])]);
        zone.change(&["<Name>app.res.test.</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>127.0.0.1</Value></ResourceRecord></ResourceRecords>".to_string()])
            .await;
        let hc = health_check(&lab, "res", &format!("<FullyQualifiedDomainName>app.res.test</FullyQualifiedDomainName><Port>{}</Port><Type>HTTP</Type><RequestInterval>10</RequestInterval><FailureThreshold>1</FailureThreshold>", app.port)).await;
        let missing = health_check(&lab, "nope", &format!("<FullyQualifiedDomainName>nope.res.test</FullyQualifiedDomainName><Port>{}</Port><Type>HTTP</Type><RequestInterval>10</RequestInterval><FailureThreshold>1</FailureThreshold>", app.port)).await;
        until_verdict(&lab, &missing, false).await;
        let (_, body) = call(&url, "GET", &format!("/2013-04-01/healthcheck/{missing}/status"), String::new()).await;
        assert!(body.contains("Failure: DNS resolution failed"), "{body}");
        app.stop();
        until_verdict(&lab, &hc, false).await;
        let (_, body) = call(&url, "GET", &format!("/2013-04-01/healthcheck/{hc}/status"), String::new()).await;
        assert!(body.contains("Failure: Resolved IP: 127.0.0.1. Connection refused."), "resolved through the lab: {body}");
        app.resume().unwrap();
        until_verdict(&lab, &hc, true).await;

        // A query with an EDNS client subnet gets it back, scope 0 (a plain set: valid for all).
        let m = r53_lab::registry::ask_with_subnet(
            zone.ns,
            "app.res.test",
            RecordType::A,
            Some(("198.51.100.0".parse().unwrap(), 24)),
        )
        .await
        .unwrap();
        use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};
        match m.extensions().as_ref().and_then(|e| e.options().get(EdnsCode::Subnet)) {
            Some(EdnsOption::Subnet(s)) => {
                assert_eq!(s.addr().to_string(), "198.51.100.0");
                assert_eq!((s.source_prefix(), s.scope_prefix()), (24, 0));
            }
            other => panic!("no client subnet echoed: {other:?} in {m:?}"),
        }
        assert_eq!(m.answers().len(), 1);
    });
}

/// Geolocation and latency sets answer by where the lab says the client is: by its EDNS client
/// subnet when the query has one, else its source address (here loopback, located by default).
#[test]
fn geolocation_and_latency_follow_the_client_location() {
    use r53_lab::client_locations::Location;
    let lab = Lab::start().unwrap();
    let loc = |region: &str, continent: &str, country: &str| Location {
        region: Some(region.into()),
        continent: Some(continent.into()),
        country: Some(country.into()),
        subdivision: None,
        ..Default::default()
    };
    lab.set_client_location(Some("198.51.100.0/24"), loc("eu-central-1", "EU", "DE"))
        .unwrap();
    assert!(lab
        .set_client_location(Some("198.51.100.0/40"), loc("x", "EU", "DE"))
        .is_err());
    let url = lab.endpoint();
    lab.rt.block_on(async {
        let zone = Zone::create(&lab, "geo.test").await;
        let geo = |c: &str| format!("<GeoLocation><CountryCode>{c}</CountryCode></GeoLocation>");
        let region = |r: &str| format!("<Region>{r}</Region>");
        zone.change(&[
            a_set("g.geo.test", "de", &geo("DE"), "192.0.2.1", None),
            a_set("g.geo.test", "any", &geo("*"), "192.0.2.2", None),
            a_set("l.geo.test", "us", &region("us-east-1"), "192.0.2.3", None),
            a_set(
                "l.geo.test",
                "eu",
                &region("eu-central-1"),
                "192.0.2.4",
                None,
            ),
        ])
        .await;
        let from = |subnet: Option<&str>, name: &'static str| {
            let ns = zone.ns;
            let subnet = subnet.map(|s| (s.parse().unwrap(), 24));
            async move {
                let m = r53_lab::registry::ask_with_subnet(ns, name, RecordType::A, subnet)
                    .await
                    .unwrap();
                m.answers()
                    .iter()
                    .filter_map(|r| match r.data() {
                        RData::A(a) => Some(a.0.to_string()),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            from(Some("198.51.100.0"), "g.geo.test").await,
            ["192.0.2.1"]
        );
        // The client subnet comes back with its prefix as the scope: the answer depended on it.
        let m = r53_lab::registry::ask_with_subnet(
            zone.ns,
            "g.geo.test",
            RecordType::A,
            Some(("198.51.100.0".parse().unwrap(), 24)),
        )
        .await
        .unwrap();
        use hickory_proto::rr::rdata::opt::{EdnsCode, EdnsOption};
        match m
            .extensions()
            .as_ref()
            .and_then(|e| e.options().get(EdnsCode::Subnet))
        {
            Some(EdnsOption::Subnet(s)) => {
                assert_eq!((s.source_prefix(), s.scope_prefix()), (24, 24))
            }
            other => panic!("no client subnet echoed: {other:?}"),
        }
        assert_eq!(
            from(None, "g.geo.test").await,
            ["192.0.2.2"],
            "unlocated: *"
        );
        assert_eq!(
            from(Some("198.51.100.0"), "l.geo.test").await,
            ["192.0.2.4"]
        );
        assert_eq!(from(None, "l.geo.test").await, ["192.0.2.3"]);
        // Loopback located through the control.
        let (status, body) = call(
            &url,
            "POST",
            "/__lab/dns/client_location",
            r#"{"region": "eu-central-1", "continent": "EU", "country": "DE"}"#.into(),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(from(None, "g.geo.test").await, ["192.0.2.1"]);
        assert_eq!(from(None, "l.geo.test").await, ["192.0.2.4"]);
        let (status, body) = call(
            &url,
            "POST",
            "/__lab/dns/client_location",
            r#"{"subnet": "nope"}"#.into(),
        )
        .await;
        assert_eq!(status, 400, "{body}");
    });
}
