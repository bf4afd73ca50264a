//! The lab's CIDR-collection API against Route 53's rules (see the module).

use super::*;
use r53_zone::GeoProximity;

fn call(c: &CidrCollections, act: &str, path: &str, body: &str) -> Answer {
    c.handle(act, path, body.as_bytes()).expect("a CIDR action")
}

fn outcome(a: &Answer) -> (u16, &'static str) {
    match a {
        Answer::Ok { status, .. } => (*status, "ok"),
        Answer::Error { status, code, .. } => (*status, code),
    }
}

fn body(a: &Answer) -> &str {
    match a {
        Answer::Ok { body, .. } => body,
        Answer::Error { message, .. } => message,
    }
}

fn create(c: &CidrCollections, name: &str, caller: &str) -> Answer {
    call(
        c,
        "CreateCidrCollection",
        "/2013-04-01/cidrcollection",
        &format!("<CreateCidrCollectionRequest xmlns=\"{NS}\"><Name>{name}</Name><CallerReference>{caller}</CallerReference></CreateCidrCollectionRequest>"),
    )
}

fn id_of(a: &Answer) -> String {
    body(a)
        .split("<Id>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string()
}

/// A ChangeCidrCollection body: (location, action, blocks) per change.
fn changes(version: Option<i64>, cs: &[(&str, &str, &[&str])]) -> String {
    let v = version
        .map(|v| format!("<CollectionVersion>{v}</CollectionVersion>"))
        .unwrap_or_default();
    let members: String = cs
        .iter()
        .map(|(l, a, bs)| {
            let list: String = bs.iter().map(|b| format!("<Cidr>{b}</Cidr>")).collect();
            format!("<member><LocationName>{l}</LocationName><Action>{a}</Action><CidrList>{list}</CidrList></member>")
        })
        .collect();
    format!("<ChangeCidrCollectionRequest xmlns=\"{NS}\">{v}<Changes>{members}</Changes></ChangeCidrCollectionRequest>")
}

fn change(
    c: &CidrCollections,
    id: &str,
    version: Option<i64>,
    cs: &[(&str, &str, &[&str])],
) -> Answer {
    call(
        c,
        "ChangeCidrCollection",
        &format!("/2013-04-01/cidrcollection/{id}"),
        &changes(version, cs),
    )
}

fn blocks(c: &CidrCollections, id: &str, q: &str) -> Vec<(String, String)> {
    let a = call(
        c,
        "ListCidrBlocks",
        &format!("/2013-04-01/cidrcollection/{id}/cidrblocks{q}"),
        "",
    );
    assert_eq!(outcome(&a), (200, "ok"), "{}", body(&a));
    let doc = xml::parse(body(&a).as_bytes()).unwrap();
    doc.child("CidrBlocks")
        .unwrap()
        .children_named("member")
        .map(|m| {
            (
                m.text_at(&["LocationName"]).unwrap().to_string(),
                m.text_at(&["CidrBlock"]).unwrap().to_string(),
            )
        })
        .collect()
}

fn version(c: &CidrCollections, id: &str) -> i64 {
    let a = call(c, "ListCidrCollections", "/2013-04-01/cidrcollection", "");
    let doc = xml::parse(body(&a).as_bytes()).unwrap();
    let v = doc
        .child("CidrCollections")
        .unwrap()
        .children_named("member")
        .find(|m| m.text_at(&["Id"]) == Some(id))
        .and_then(|m| m.text_at(&["Version"])?.parse().ok())
        .unwrap();
    v
}

#[test]
fn names_and_caller_references_follow_route53() {
    let c = CidrCollections::default();
    for bad in ["", "has space", "dot.ted", &"x".repeat(65)] {
        assert_eq!(
            outcome(&create(&c, bad, "r")),
            (400, "InvalidInput"),
            "{bad:?}"
        );
    }
    assert_eq!(outcome(&create(&c, "ok", "")), (400, "InvalidInput"));
    let a = create(&c, &"N_-9".repeat(16), "r1");
    assert_eq!(outcome(&a), (201, "ok"), "{}", body(&a));
    let id = id_of(&a);
    assert!(body(&a).contains(&format!("<Arn>arn:aws:route53:::cidrcollection/{id}</Arn>")));
    assert!(body(&a).contains("<Version>1</Version>"));
    // A retry gets the same collection; the reference or the name elsewhere is refused.
    assert_eq!(id_of(&create(&c, &"N_-9".repeat(16), "r1")), id);
    assert_eq!(
        outcome(&create(&c, "other", "r1")),
        (400, "CidrCollectionAlreadyExistsException")
    );
    assert_eq!(
        outcome(&create(&c, &"N_-9".repeat(16), "r2")),
        (400, "CidrCollectionAlreadyExistsException")
    );
    // A deleted collection's reference stays spent.
    assert_eq!(
        outcome(&call(
            &c,
            "DeleteCidrCollection",
            &format!("/2013-04-01/cidrcollection/{id}"),
            ""
        )),
        (200, "ok")
    );
    assert_eq!(
        outcome(&create(&c, "again", "r1")),
        (400, "CidrCollectionAlreadyExistsException")
    );
    assert_eq!(
        outcome(&call(
            &c,
            "DeleteCidrCollection",
            &format!("/2013-04-01/cidrcollection/{id}"),
            ""
        )),
        (404, "NoSuchCidrCollectionException")
    );
    // The quota.
    for n in 0..MAX_COLLECTIONS {
        assert_eq!(
            outcome(&create(&c, &format!("c{n}"), &format!("q{n}"))),
            (201, "ok")
        );
    }
    assert_eq!(
        outcome(&create(&c, "one-more", "q-x")),
        (400, "LimitsExceeded")
    );
}

#[test]
fn changes_need_the_current_version_and_apply_whole() {
    let c = CidrCollections::default();
    let id = id_of(&create(&c, "col", "r"));
    let a = change(
        &c,
        &id,
        Some(1),
        &[
            ("east", "PUT", &["10.0.0.0/8", "2001:DB8::/32"]),
            ("west", "PUT", &["192.0.2.0/24"]),
        ],
    );
    assert_eq!(outcome(&a), (200, "ok"), "{}", body(&a));
    assert_eq!(version(&c, &id), 2);
    assert_eq!(
        blocks(&c, &id, ""),
        vec![
            ("east".into(), "10.0.0.0/8".into()),
            ("east".into(), "2001:db8::/32".into()),
            ("west".into(), "192.0.2.0/24".into())
        ]
    );
    // A stale version is a conflict and changes nothing.
    let a = change(
        &c,
        &id,
        Some(1),
        &[("west", "DELETE_IF_EXISTS", &["192.0.2.0/24"])],
    );
    assert_eq!(outcome(&a), (409, "CidrCollectionVersionMismatchException"));
    assert_eq!(version(&c, &id), 2);
    // Without a version the change applies to whatever is there.
    assert_eq!(
        outcome(&change(
            &c,
            &id,
            None,
            &[("west", "DELETE_IF_EXISTS", &["198.51.100.0/24"])]
        )),
        (200, "ok")
    );
    assert_eq!(version(&c, &id), 3);
    // A bad block anywhere refuses the whole request.
    let a = change(
        &c,
        &id,
        Some(3),
        &[
            ("north", "PUT", &["203.0.113.0/24"]),
            ("south", "PUT", &["203.0.113.7/24"]),
        ],
    );
    assert_eq!(outcome(&a), (400, "InvalidInput"));
    assert!(body(&a).contains("host bits"), "{}", body(&a));
    assert!(blocks(&c, &id, "").iter().all(|(l, _)| l != "north"));
    for (l, act, b) in [
        ("bad.name", "PUT", "1.0.0.0/8"),
        ("*", "PUT", "1.0.0.0/8"),
        ("x", "MOVE", "1.0.0.0/8"),
        (&*"l".repeat(17), "PUT", "1.0.0.0/8"),
    ] {
        assert_eq!(
            outcome(&change(&c, &id, None, &[(l, act, &[b])])),
            (400, "InvalidInput"),
            "{l} {act}"
        );
    }
    // A block is in one location: moving it needs its DELETE in the same request.
    let a = change(&c, &id, None, &[("west", "PUT", &["10.0.0.0/8"])]);
    assert_eq!(outcome(&a), (400, "CidrBlockInUseException"));
    let a = change(
        &c,
        &id,
        None,
        &[
            ("east", "DELETE_IF_EXISTS", &["10.0.0.0/8"]),
            ("west", "PUT", &["10.0.0.0/8"]),
        ],
    );
    assert_eq!(outcome(&a), (200, "ok"), "{}", body(&a));
    // A location with no block left is gone.
    assert_eq!(
        outcome(&change(
            &c,
            &id,
            None,
            &[("east", "DELETE_IF_EXISTS", &["2001:db8::/32"])]
        )),
        (200, "ok")
    );
    let a = call(
        &c,
        "ListCidrBlocks",
        &format!("/2013-04-01/cidrcollection/{id}/cidrblocks?location=east"),
        "",
    );
    assert_eq!(outcome(&a), (404, "NoSuchCidrLocationException"));
    assert_eq!(
        outcome(&change(
            &c,
            "00000000-0000-4000-8000-000000000000",
            None,
            &[("a", "PUT", &["1.0.0.0/8"])]
        )),
        (404, "NoSuchCidrCollectionException")
    );
    // Only an empty collection can be deleted.
    let path = format!("/2013-04-01/cidrcollection/{id}");
    assert_eq!(
        outcome(&call(&c, "DeleteCidrCollection", &path, "")),
        (400, "CidrCollectionInUseException")
    );
    assert_eq!(
        outcome(&change(
            &c,
            &id,
            None,
            &[("west", "DELETE_IF_EXISTS", &["10.0.0.0/8", "192.0.2.0/24"])]
        )),
        (200, "ok")
    );
    assert_eq!(
        outcome(&call(&c, "DeleteCidrCollection", &path, "")),
        (200, "ok")
    );
}

#[test]
fn the_block_quota_holds() {
    let c = CidrCollections::default();
    let id = id_of(&create(&c, "big", "r"));
    let all: Vec<String> = (0..=MAX_BLOCKS_PER_COLLECTION)
        .map(|n| format!("10.{}.{}.0/24", n / 256, n % 256))
        .collect();
    let (a, b) = all.split_at(600);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let b: Vec<&str> = b.iter().map(String::as_str).collect();
    assert_eq!(
        outcome(&change(&c, &id, None, &[("a", "PUT", &a)])),
        (200, "ok")
    );
    let r = change(&c, &id, None, &[("b", "PUT", &b)]);
    assert_eq!(outcome(&r), (400, "LimitsExceeded"), "{}", body(&r));
    assert_eq!(
        outcome(&change(&c, &id, None, &[("b", "PUT", &b[1..])])),
        (200, "ok")
    );
}

#[test]
fn lists_page_with_tokens() {
    let c = CidrCollections::default();
    let ids: Vec<String> = (0..3)
        .map(|n| id_of(&create(&c, &format!("c{n}"), &format!("r{n}"))))
        .collect();
    let a = call(
        &c,
        "ListCidrCollections",
        "/2013-04-01/cidrcollection?maxresults=2",
        "",
    );
    let doc = xml::parse(body(&a).as_bytes()).unwrap();
    let token = doc.text_at(&["NextToken"]).unwrap().to_string();
    assert_eq!(
        doc.child("CidrCollections")
            .unwrap()
            .children_named("member")
            .count(),
        2
    );
    let a = call(
        &c,
        "ListCidrCollections",
        &format!("/2013-04-01/cidrcollection?maxresults=2&nexttoken={token}"),
        "",
    );
    assert!(
        body(&a).contains(&ids[2]) && !body(&a).contains("NextToken"),
        "{}",
        body(&a)
    );
    assert_eq!(
        outcome(&call(
            &c,
            "ListCidrCollections",
            "/2013-04-01/cidrcollection?maxresults=0",
            ""
        )),
        (400, "InvalidInput")
    );
    assert_eq!(
        outcome(&call(
            &c,
            "ListCidrCollections",
            "/2013-04-01/cidrcollection?nexttoken=zz",
            ""
        )),
        (400, "InvalidInput")
    );

    let id = &ids[0];
    let locs: Vec<String> = (0..5).map(|n| format!("loc{n}")).collect();
    for (n, l) in locs.iter().enumerate() {
        let b = format!("10.{n}.0.0/16");
        assert_eq!(
            outcome(&change(
                &c,
                id,
                None,
                &[(l, "PUT", &[&b, &format!("11.{n}.0.0/16")])]
            )),
            (200, "ok")
        );
    }
    let mut seen = Vec::new();
    let mut q = "?maxresults=2".to_string();
    loop {
        let a = call(
            &c,
            "ListCidrLocations",
            &format!("/2013-04-01/cidrcollection/{id}{q}"),
            "",
        );
        let doc = xml::parse(body(&a).as_bytes()).unwrap();
        seen.extend(
            doc.child("CidrLocations")
                .unwrap()
                .children_named("member")
                .map(|m| m.text_at(&["LocationName"]).unwrap().to_string()),
        );
        match doc.text_at(&["NextToken"]) {
            Some(t) => q = format!("?maxresults=2&nexttoken={t}"),
            None => break,
        }
    }
    assert_eq!(seen, locs);
    let mut seen = Vec::new();
    let mut q = "?maxresults=3".to_string();
    loop {
        let a = call(
            &c,
            "ListCidrBlocks",
            &format!("/2013-04-01/cidrcollection/{id}/cidrblocks{q}"),
            "",
        );
        let doc = xml::parse(body(&a).as_bytes()).unwrap();
        seen.extend(
            doc.child("CidrBlocks")
                .unwrap()
                .children_named("member")
                .map(|m| m.text_at(&["CidrBlock"]).unwrap().to_string()),
        );
        match doc.text_at(&["NextToken"]) {
            Some(t) => q = format!("?maxresults=3&nexttoken={t}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    assert_eq!(
        blocks(&c, id, "?location=loc3"),
        vec![
            ("loc3".into(), "10.3.0.0/16".into()),
            ("loc3".into(), "11.3.0.0/16".into())
        ]
    );
}

fn rrset(action: &str, name: &str, set_id: &str, routing: &str) -> String {
    format!("<Change><Action>{action}</Action><ResourceRecordSet><Name>{name}</Name><Type>A</Type><SetIdentifier>{set_id}</SetIdentifier><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>192.0.2.1</Value></ResourceRecord></ResourceRecords>{routing}</ResourceRecordSet></Change>")
}

fn batch(changes: &[String]) -> Vec<u8> {
    format!("<ChangeResourceRecordSetsRequest xmlns=\"{NS}\"><ChangeBatch><Changes>{}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>", changes.concat()).into_bytes()
}

fn cidr(col: &str, loc: &str) -> String {
    format!("<CidrRoutingConfig><CollectionId>{col}</CollectionId><LocationName>{loc}</LocationName></CidrRoutingConfig>")
}

#[test]
fn record_sets_name_existing_locations_and_keep_their_routing() {
    let c = CidrCollections::default();
    let id = id_of(&create(&c, "col", "r"));
    let other = id_of(&create(&c, "other", "r2"));
    assert_eq!(
        outcome(&change(
            &c,
            &id,
            None,
            &[
                ("east", "PUT", &["10.0.0.0/8"]),
                ("west", "PUT", &["10.1.0.0/16", "2001:db8::/32"])
            ]
        )),
        (200, "ok")
    );
    let code = |b: &[u8]| c.check_batch("Z1", b).map(|a| outcome(&a).1);
    // Unknown collection or location, a CIDR set without an identifier, two collections.
    assert_eq!(
        code(&batch(&[rrset(
            "CREATE",
            "w.ex.test.",
            "e",
            &cidr("nope", "east")
        )])),
        Some("InvalidChangeBatch")
    );
    assert_eq!(
        code(&batch(&[rrset(
            "CREATE",
            "w.ex.test.",
            "e",
            &cidr(&id, "north")
        )])),
        Some("InvalidChangeBatch")
    );
    assert_eq!(
        code(&batch(&[
            rrset("CREATE", "w.ex.test.", "e", &cidr(&id, "east")),
            rrset("CREATE", "w.ex.test.", "o", &cidr(&other, "*"))
        ])),
        Some("InvalidChangeBatch")
    );
    assert_eq!(
        code(&batch(&[rrset(
            "CREATE",
            "w.ex.test.",
            "e",
            &cidr(&id, "bad.loc")
        )])),
        Some("InvalidInput")
    );
    let good = batch(&[
        rrset("CREATE", "W.ex.test.", "e", &cidr(&id, "east")),
        rrset("CREATE", "w.ex.test", "d", &cidr(&id, "*")),
    ]);
    assert_eq!(code(&good), None);
    c.apply_batch("/hostedzone/Z1", &good);
    assert_eq!(
        c.record_routing("Z1", "w.EX.test.", "A", Some("e")),
        Some(RecordRouting::Cidr {
            collection_id: id.clone(),
            location_name: "east".into()
        })
    );
    assert_eq!(c.record_routing("Z2", "w.ex.test", "A", Some("e")), None);
    // The other collection at the same name and type, now that one is there.
    assert_eq!(
        code(&batch(&[rrset(
            "CREATE",
            "w.ex.test.",
            "o",
            &cidr(&other, "*")
        )])),
        Some("InvalidChangeBatch")
    );
    // A location in use keeps its last block; the collection cannot go.
    let a = change(
        &c,
        &id,
        None,
        &[("east", "DELETE_IF_EXISTS", &["10.0.0.0/8"])],
    );
    assert_eq!(
        outcome(&a),
        (400, "CidrBlockInUseException"),
        "{}",
        body(&a)
    );
    assert!(body(&a).contains("east"), "{}", body(&a));
    assert_eq!(
        outcome(&change(
            &c,
            &id,
            None,
            &[(
                "west",
                "DELETE_IF_EXISTS",
                &["10.1.0.0/16", "2001:db8::/32"]
            )]
        )),
        (200, "ok")
    );
    // Longest prefix wins.
    assert_eq!(
        outcome(&change(&c, &id, None, &[("west", "PUT", &["10.1.0.0/16"])])),
        (200, "ok")
    );
    assert_eq!(
        c.locate(&id, "10.1.2.3".parse().unwrap()).as_deref(),
        Some("west")
    );
    assert_eq!(
        c.locate(&id, "10.2.2.3".parse().unwrap()).as_deref(),
        Some("east")
    );
    assert_eq!(c.locate(&id, "192.0.2.1".parse().unwrap()), None);
    assert_eq!(c.locate("nope", "10.2.2.3".parse().unwrap()), None);
    // The listing gets the routing back, at the end of each set.
    let listing = "<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>w.ex.test.</Name><Type>A</Type><SetIdentifier>e</SetIdentifier><TTL>60</TTL></ResourceRecordSet><ResourceRecordSet><Name>x.ex.test.</Name><Type>A</Type><TTL>60</TTL></ResourceRecordSet></ResourceRecordSets></ListResourceRecordSetsResponse>";
    let restored = c.restore_listing("Z1", listing);
    assert!(
        restored.contains(&format!(
            "<SetIdentifier>e</SetIdentifier><TTL>60</TTL>{}</ResourceRecordSet>",
            cidr(&id, "east")
        )),
        "{restored}"
    );
    assert_eq!(
        restored.matches("CidrRoutingConfig>").count(),
        2,
        "{restored}"
    );
    assert_eq!(c.restore_listing("Z9", listing), listing);
    let path = format!("/2013-04-01/cidrcollection/{id}");
    assert_eq!(
        outcome(&call(&c, "DeleteCidrCollection", &path, "")),
        (400, "CidrCollectionInUseException")
    );
    // DELETE forgets; an UPSERT without CIDR routing clears it.
    c.apply_batch(
        "Z1",
        &batch(&[
            rrset("DELETE", "w.ex.test.", "e", &cidr(&id, "east")),
            rrset("UPSERT", "w.ex.test.", "d", "<Weight>1</Weight>"),
        ]),
    );
    assert_eq!(c.record_routing("Z1", "w.ex.test", "A", Some("e")), None);
    assert_eq!(c.record_routing("Z1", "w.ex.test", "A", Some("d")), None);
    assert_eq!(
        outcome(&change(
            &c,
            &id,
            None,
            &[
                ("east", "DELETE_IF_EXISTS", &["10.0.0.0/8"]),
                ("west", "DELETE_IF_EXISTS", &["10.1.0.0/16"])
            ]
        )),
        (200, "ok")
    );
    assert_eq!(
        outcome(&call(&c, "DeleteCidrCollection", &path, "")),
        (200, "ok")
    );
}

#[test]
fn geoproximity_is_one_place_and_a_bias_in_range() {
    let c = CidrCollections::default();
    let geo = |inner: &str| {
        rrset(
            "UPSERT",
            "g.ex.test.",
            "g1",
            &format!("<GeoProximityLocation>{inner}</GeoProximityLocation>"),
        )
    };
    let code = |inner: &str| {
        c.check_batch("Z1", &batch(&[geo(inner)]))
            .map(|a| outcome(&a).1)
    };
    assert_eq!(
        code("<AWSRegion>us-east-1</AWSRegion><Bias>10</Bias>"),
        None
    );
    assert_eq!(
        code("<LocalZoneGroup>us-west-2-den-1</LocalZoneGroup>"),
        None
    );
    assert_eq!(code("<Coordinates><Latitude>-45.5</Latitude><Longitude>+170.25</Longitude></Coordinates><Bias>-99</Bias>"), None);
    assert_eq!(code("<Bias>1</Bias>"), Some("InvalidChangeBatch"));
    assert_eq!(
        code("<AWSRegion>us-east-1</AWSRegion><LocalZoneGroup>x</LocalZoneGroup>"),
        Some("InvalidChangeBatch")
    );
    assert_eq!(
        code("<AWSRegion>us-east-1</AWSRegion><Bias>100</Bias>"),
        Some("InvalidInput")
    );
    assert_eq!(
        code("<AWSRegion>us-east-1</AWSRegion><Bias>x</Bias>"),
        Some("InvalidInput")
    );
    for (lat, lon) in [
        ("91", "0"),
        ("0", "181"),
        ("1.234", "0"),
        ("", "0"),
        ("1e1", "0"),
    ] {
        assert_eq!(
            code(&format!(
                "<Coordinates><Latitude>{lat}</Latitude><Longitude>{lon}</Longitude></Coordinates>"
            )),
            Some("InvalidInput"),
            "{lat} {lon}"
        );
    }
    let ok = batch(&[geo("<Coordinates><Latitude>51.5</Latitude><Longitude>-0.12</Longitude></Coordinates><Bias>5</Bias>")]);
    c.apply_batch("Z1", &ok);
    let want = GeoProximity {
        coordinates: Some(("51.5".into(), "-0.12".into())),
        bias: Some(5),
        ..Default::default()
    };
    assert_eq!(
        c.record_routing("Z1", "g.ex.test", "A", Some("g1")),
        Some(RecordRouting::GeoProximity(want))
    );
    let listing = "<ResourceRecordSets><ResourceRecordSet><Name>g.ex.test.</Name><Type>A</Type><SetIdentifier>g1</SetIdentifier></ResourceRecordSet></ResourceRecordSets>";
    assert!(c.restore_listing("Z1", listing).contains("<GeoProximityLocation><Coordinates><Latitude>51.5</Latitude><Longitude>-0.12</Longitude></Coordinates><Bias>5</Bias></GeoProximityLocation></ResourceRecordSet>"));
    c.forget_zone("Z1");
    assert_eq!(c.record_routing("Z1", "g.ex.test", "A", Some("g1")), None);
}
