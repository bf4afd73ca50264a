//! r53_cidr_collection and CIDR/geoproximity routing through Terraform 1.15 against the lab (whose
//! CIDR API is its own: moto has none and drops the routing from record sets). Collection:
//! validate refusals with no API call → create with two locations → empty plan → update in place
//! (a location added, blocks changed, one removed) → out-of-band drift repaired → import compared
//! → destroy → gone. Records: cidr_routing_policy at two locations and `*`, geoproximity in an
//! `r53_records` block → empty plan → import equal → removing a location the records use is
//! refused with a clear message and nothing written → destroy.

use std::collections::BTreeMap;

use aws_sdk_route53 as r53;
use r53::types::{CidrCollectionChange, CidrCollectionChangeAction};
use r53_tests::*;

const HEAD: &str = r#"
terraform {
  required_providers {
    r53 = { source = "r53/r53" }
  }
}
provider "r53" {}
"#;

/// `location` blocks from (name, blocks).
fn locations(locs: &[(&str, &[&str])]) -> String {
    locs.iter()
        .map(|(n, bs)| {
            let list: Vec<String> = bs.iter().map(|b| format!("\"{b}\"")).collect();
            format!(
                "  location {{\n    name        = \"{n}\"\n    cidr_blocks = [{}]\n  }}\n",
                list.join(", ")
            )
        })
        .collect()
}

fn collection(name: &str, locs: &[(&str, &[&str])]) -> String {
    format!(
        "{HEAD}\nresource \"r53_cidr_collection\" \"c\" {{\n  name = \"{name}\"\n{}}}\n",
        locations(locs)
    )
}

/// location → sorted blocks as the API has them; None when the collection is gone.
fn api_blocks(lab: &Lab, c: &r53::Client, id: &str) -> Option<BTreeMap<String, Vec<String>>> {
    let listed = lab
        .rt
        .block_on(c.list_cidr_collections().send())
        .expect("ListCidrCollections");
    if !listed.cidr_collections().iter().any(|x| x.id() == Some(id)) {
        return None;
    }
    let blocks = lab
        .rt
        .block_on(c.list_cidr_blocks().collection_id(id).send())
        .expect("ListCidrBlocks");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for b in blocks.cidr_blocks() {
        out.entry(b.location_name().unwrap_or_default().to_string())
            .or_default()
            .push(b.cidr_block().unwrap_or_default().to_string());
    }
    for v in out.values_mut() {
        v.sort();
    }
    Some(out)
}

fn want(locs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    locs.iter()
        .map(|(n, bs)| {
            let mut v: Vec<String> = bs.iter().map(|b| b.to_string()).collect();
            v.sort();
            (n.to_string(), v)
        })
        .collect()
}

/// The state's locations, order-free.
fn state_locations(s: &serde_json::Value) -> BTreeMap<String, Vec<String>> {
    s["location"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            let mut v: Vec<String> = l["cidr_blocks"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|b| b.as_str().unwrap_or_default().to_string())
                .collect();
            v.sort();
            (l["name"].as_str().unwrap_or_default().to_string(), v)
        })
        .collect()
}

/// Terraform's output with its line wrapping undone.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn cidr_collection_lifecycle() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;

    // Refused at validate time, pointing at the attribute, with no API call.
    let before = lab.proxy.stats().calls;
    for (cfg, says) in [
        (collection("bad.name", &[]), "Invalid name"),
        (collection("c", &[("east", &["10.0.0.1/8"])]), "host bits"),
        (
            collection("c", &[("east", &["10.0.0.0/25"])]),
            "prefix length must be at most /24",
        ),
        (
            collection("c", &[("*", &["10.0.0.0/8"])]),
            "Invalid location name",
        ),
        (
            collection("c", &[("a", &["10.0.0.0/8"]), ("b", &["10.0.0.0/8"])]),
            "belongs to one location",
        ),
    ] {
        tf.write(&cfg)?;
        let o = tf.run_fails(&["validate", "-no-color"])?;
        let text = flat(&o.text());
        assert!(text.contains(says), "{says}:\n{text}");
        assert!(text.contains("with r53_cidr_collection.c"), "{text}");
    }
    assert_eq!(writes_since(&lab, &before), Vec::<String>::new());
    assert_eq!(lab.proxy.stats().get("ListCidrCollections"), 0);

    // create: two locations, one block spelled in capitals
    let first: &[(&str, &[&str])] = &[
        ("east", &["10.0.0.0/8", "2001:DB8::/32"]),
        ("west", &["192.0.2.0/24"]),
    ];
    tf.write(&collection("offices", first))?;
    tf.apply()?;
    tf.assert_plan_empty()?;
    let s = tf.resource("r53_cidr_collection.c")?;
    let id = attr(&s, "id");
    assert_eq!(
        attr(&s, "arn"),
        format!("arn:aws:route53:::cidrcollection/{id}")
    );
    assert_eq!(s["version"], 2, "created, then one change");
    assert_eq!(
        api_blocks(&lab, &c, &id),
        Some(want(&[
            ("east", &["10.0.0.0/8", "2001:db8::/32"]),
            ("west", &["192.0.2.0/24"])
        ]))
    );
    // The configuration's spelling stays in state.
    assert!(state_locations(&s)["east"].contains(&"2001:DB8::/32".to_string()));

    // update in place: north added, east's blocks changed, west removed — one change
    let second: &[(&str, &[&str])] = &[
        ("east", &["11.0.0.0/8", "2001:DB8::/32"]),
        ("north", &["198.51.100.0/24"]),
    ];
    tf.write(&collection("offices", second))?;
    let plan = tf.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"])?;
    assert_eq!(plan.code, 2, "{}", plan.text());
    assert!(
        plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    let changes_before = lab.proxy.stats().get("ChangeCidrCollection");
    tf.apply()?;
    tf.assert_plan_empty()?;
    assert_eq!(
        lab.proxy.stats().get("ChangeCidrCollection"),
        changes_before + 1
    );
    let s = tf.resource("r53_cidr_collection.c")?;
    assert_eq!(attr(&s, "id"), id);
    assert_eq!(s["version"], 3);
    assert_eq!(
        api_blocks(&lab, &c, &id),
        Some(want(&[
            ("east", &["11.0.0.0/8", "2001:db8::/32"]),
            ("north", &["198.51.100.0/24"])
        ]))
    );

    // drift: a block put into east and north emptied out of band → planned back → repaired
    lab.rt.block_on(
        c.change_cidr_collection()
            .id(&id)
            .collection_version(3)
            .changes(
                CidrCollectionChange::builder()
                    .location_name("east")
                    .action(CidrCollectionChangeAction::Put)
                    .cidr_list("203.0.113.0/24")
                    .build()?,
            )
            .changes(
                CidrCollectionChange::builder()
                    .location_name("north")
                    .action(CidrCollectionChangeAction::DeleteIfExists)
                    .cidr_list("198.51.100.0/24")
                    .build()?,
            )
            .send(),
    )?;
    let p = tf.plan()?;
    assert_eq!(p.code, 2, "{}", p.text());
    assert!(
        p.stdout
            .contains("r53_cidr_collection.c will be updated in-place"),
        "{}",
        p.text()
    );
    tf.apply()?;
    tf.assert_plan_empty()?;
    assert_eq!(
        api_blocks(&lab, &c, &id),
        Some(want(&[
            ("east", &["11.0.0.0/8", "2001:db8::/32"]),
            ("north", &["198.51.100.0/24"])
        ]))
    );

    // import: only the import, then an empty plan, and the same state
    let tf2 = lab.terraform(TfBin::Lib)?;
    let lowercase: &[(&str, &[&str])] = &[
        ("east", &["11.0.0.0/8", "2001:db8::/32"]),
        ("north", &["198.51.100.0/24"]),
    ];
    tf2.write(&format!(
        "{}\nimport {{\n  to = r53_cidr_collection.c\n  id = \"{id}\"\n}}\n",
        collection("offices", lowercase)
    ))?;
    let o = tf2.apply()?;
    assert!(
        o.stdout
            .contains("1 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    tf2.assert_plan_empty()?;
    let a = tf.resource("r53_cidr_collection.c")?;
    let b = tf2.resource("r53_cidr_collection.c")?;
    for k in ["id", "arn", "name", "version"] {
        assert_eq!(a[k], b[k], "{k}");
    }
    assert_eq!(state_locations(&b), want(lowercase));
    tf2.state_rm("r53_cidr_collection.c")?;

    // destroy: emptied, then deleted
    tf.destroy()?;
    assert_eq!(api_blocks(&lab, &c, &id), None);
    Ok(())
}

fn routed(locs: &[(&str, &[&str])]) -> String {
    format!(
        r#"{HEAD}
resource "r53_hosted_zone" "z" {{
  name = "cidr-e2e.test"
}}

resource "r53_cidr_collection" "c" {{
  name = "clients"
{locs}}}

resource "r53_record" "office" {{
  zone_id        = r53_hosted_zone.z.zone_id
  name           = "app.cidr-e2e.test"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.10"]
  set_identifier = "office"
  cidr_routing_policy {{
    collection_id = r53_cidr_collection.c.id
    location_name = "office"
  }}
}}

resource "r53_record" "dc" {{
  zone_id        = r53_hosted_zone.z.zone_id
  name           = "app.cidr-e2e.test"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.20"]
  set_identifier = "dc"
  cidr_routing_policy {{
    collection_id = r53_cidr_collection.c.id
    location_name = "dc"
  }}
}}

resource "r53_record" "other" {{
  zone_id        = r53_hosted_zone.z.zone_id
  name           = "app.cidr-e2e.test"
  type           = "A"
  ttl            = 60
  records        = ["192.0.2.30"]
  set_identifier = "default"
  cidr_routing_policy {{
    collection_id = r53_cidr_collection.c.id
    location_name = "*"
  }}
}}

resource "r53_hosted_zone" "z2" {{
  name = "near-e2e.test"
}}

resource "r53_records" "near" {{
  zone_id = r53_hosted_zone.z2.zone_id
  mode    = "exclusive"

  record "near A london" {{
    name           = "near.near-e2e.test"
    type           = "A"
    ttl            = 60
    records        = ["198.51.100.1"]
    set_identifier = "london"
    geoproximity_routing_policy {{
      coordinates {{
        latitude  = "51.50"
        longitude = "-0.12"
      }}
      bias = 10
    }}
  }}

  record "near A virginia" {{
    name           = "near.near-e2e.test"
    type           = "A"
    ttl            = 60
    records        = ["198.51.100.2"]
    set_identifier = "virginia"
    geoproximity_routing_policy {{
      aws_region = "us-east-1"
    }}
  }}
}}
"#,
        locs = locations(locs)
    )
}

#[test]
fn cidr_and_geoproximity_records() -> anyhow::Result<()> {
    let lab = lab();
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let locs: &[(&str, &[&str])] = &[
        ("office", &["203.0.113.0/24"]),
        ("dc", &["198.51.100.0/24", "2001:db8:100::/48"]),
    ];

    // A geoproximity block with two places is refused at validate time.
    let before = lab.proxy.stats().calls;
    tf.write(&routed(locs).replace(
        "      aws_region = \"us-east-1\"",
        "      aws_region = \"us-east-1\"\n      local_zone_group = \"us-east-1-bue-1\"",
    ))?;
    let o = tf.run_fails(&["validate", "-no-color"])?;
    assert!(flat(&o.text()).contains("exactly one of"), "{}", o.text());
    assert_eq!(writes_since(&lab, &before), Vec::<String>::new());

    tf.write(&routed(locs))?;
    tf.apply()?;
    tf.assert_plan_empty()?;
    let zid = attr(&tf.resource("r53_hosted_zone.z")?, "zone_id");
    let cid = attr(&tf.resource("r53_cidr_collection.c")?, "id");
    let zid2 = attr(&tf.resource("r53_hosted_zone.z2")?, "zone_id");

    // Route 53 (the lab) holds the routing moto alone would have dropped.
    let listed = lab
        .rt
        .block_on(c.list_resource_record_sets().hosted_zone_id(&zid).send())?;
    let listed2 = lab
        .rt
        .block_on(c.list_resource_record_sets().hosted_zone_id(&zid2).send())?;
    let mut cidr: Vec<(String, String)> = listed
        .resource_record_sets()
        .iter()
        .filter_map(|s| {
            let r = s.cidr_routing_config()?;
            assert_eq!(r.collection_id(), cid);
            Some((
                s.set_identifier().unwrap_or_default().to_string(),
                r.location_name().to_string(),
            ))
        })
        .collect();
    cidr.sort();
    assert_eq!(
        cidr,
        vec![
            ("dc".to_string(), "dc".to_string()),
            ("default".into(), "*".into()),
            ("office".into(), "office".into())
        ]
    );
    let geo: BTreeMap<String, r53::types::GeoProximityLocation> = listed2
        .resource_record_sets()
        .iter()
        .filter_map(|s| {
            Some((
                s.set_identifier()?.to_string(),
                s.geo_proximity_location()?.clone(),
            ))
        })
        .collect();
    assert_eq!(geo["london"].bias(), Some(10));
    assert_eq!(
        geo["london"]
            .coordinates()
            .map(|c| (c.latitude(), c.longitude())),
        Some(("51.50", "-0.12"))
    );
    assert_eq!(geo["virginia"].aws_region(), Some("us-east-1"));

    // import: equal states, then an empty plan
    let tf2 = lab.terraform(TfBin::Lib)?;
    tf2.write(&format!(
        "{}\nimport {{\n  to = r53_hosted_zone.z\n  id = \"{zid}\"\n}}\nimport {{\n  to = r53_cidr_collection.c\n  id = \"{cid}\"\n}}\nimport {{\n  to = r53_record.office\n  id = \"{zid}/app.cidr-e2e.test/A/office\"\n}}\nimport {{\n  to = r53_record.dc\n  id = \"{zid}/app.cidr-e2e.test/A/dc\"\n}}\nimport {{\n  to = r53_record.other\n  id = \"{zid}/app.cidr-e2e.test/A/default\"\n}}\nimport {{\n  to = r53_hosted_zone.z2\n  id = \"{zid2}\"\n}}\nimport {{\n  to = r53_records.near\n  id = \"{zid2}\"\n}}\n",
        routed(locs)
    ))?;
    let o = tf2.apply()?;
    assert!(
        o.stdout
            .contains("7 imported, 0 added, 0 changed, 0 destroyed"),
        "{}",
        o.text()
    );
    tf2.assert_plan_empty()?;
    for r in ["r53_record.office", "r53_record.dc", "r53_record.other"] {
        let (a, b) = (tf.resource(r)?, tf2.resource(r)?);
        for k in ["id", "cidr_routing_policy", "records", "set_identifier"] {
            assert_eq!(a[k], b[k], "{r} {k}");
        }
    }
    assert_eq!(
        tf.resource("r53_records.near")?["record"],
        tf2.resource("r53_records.near")?["record"]
    );
    for r in [
        "r53_records.near",
        "r53_record.other",
        "r53_record.dc",
        "r53_record.office",
        "r53_cidr_collection.c",
        "r53_hosted_zone.z",
        "r53_hosted_zone.z2",
    ] {
        tf2.state_rm(r)?;
    }

    // r53-migrate export-tf writes both routings: imports only, then an empty plan.
    let d = tempfile::tempdir()?;
    for zone in ["cidr-e2e.test", "near-e2e.test"] {
        for per_record in [false, true] {
            let t = lab.terraform(TfBin::Lib)?;
            let out = t.path().to_str().unwrap_or_default().to_string();
            let mut args = vec!["export-tf", zone, "--out", out.as_str()];
            if per_record {
                args.push("--per-record");
            }
            let r = migrate(&lab, &args, d.path());
            assert_eq!(r.code, 0, "{}", r.text());
            let before = lab.proxy.stats().calls;
            let a = t.apply()?;
            assert!(
                a.stdout.contains("0 added, 0 changed, 0 destroyed"),
                "{zone} per_record={per_record}: {}",
                a.text()
            );
            t.assert_plan_empty()?;
            assert_eq!(writes_since(&lab, &before), Vec::<String>::new());
        }
    }

    // A route53: copy into another zone keeps the routing (same account, same collection).
    let target = lab
        .rt
        .block_on(
            c.create_hosted_zone()
                .name("cidr-e2e.test")
                .caller_reference("cidr-e2e-copy")
                .send(),
        )?
        .hosted_zone()
        .map(|z| z.id().trim_start_matches("/hostedzone/").to_string())
        .unwrap_or_default();
    let r = migrate(
        &lab,
        &[
            "import",
            "cidr-e2e.test",
            "--from",
            &format!("route53:{zid}"),
            "--zone-id",
            &target,
            "--apply",
        ],
        d.path(),
    );
    assert_eq!(r.code, 0, "{}", r.text());
    let copied = lab
        .rt
        .block_on(c.list_resource_record_sets().hosted_zone_id(&target).send())?;
    let copies: Vec<&r53::types::ResourceRecordSet> = copied
        .resource_record_sets()
        .iter()
        .filter(|s| s.cidr_routing_config().is_some())
        .collect();
    let mut locations: Vec<&str> = copies
        .iter()
        .filter_map(|s| s.cidr_routing_config().map(|r| r.location_name()))
        .collect();
    locations.sort();
    assert_eq!(locations, vec!["*", "dc", "office"]);
    // The copies go again, so only the configuration's record sets use the collection.
    let mut batch = r53::types::ChangeBatch::builder();
    for set in copies {
        batch = batch.changes(
            r53::types::Change::builder()
                .action(r53::types::ChangeAction::Delete)
                .resource_record_set(set.clone())
                .build()?,
        );
    }
    lab.rt.block_on(
        c.change_resource_record_sets()
            .hosted_zone_id(&target)
            .change_batch(batch.build()?)
            .send(),
    )?;

    // Removing a location the records still use: refused with a clear message, nothing written.
    let version = tf.resource("r53_cidr_collection.c")?["version"].clone();
    tf.write(&routed(&[("office", &["203.0.113.0/24"])]))?;
    let o = tf.apply_fails()?;
    let text = flat(&o.text());
    assert!(
        text.contains("record sets still use") && text.contains("removed here: dc"),
        "{text}"
    );
    assert_eq!(
        api_blocks(&lab, &c, &cid),
        Some(want(&[
            ("dc", &["198.51.100.0/24", "2001:db8:100::/48"]),
            ("office", &["203.0.113.0/24"])
        ]))
    );
    let s = tf.resource("r53_cidr_collection.c")?;
    assert_eq!(s["version"], version);
    assert_eq!(state_locations(&s).len(), 2);

    // destroy: the records first, then the collection, emptied and deleted
    tf.write(&routed(locs))?;
    tf.destroy()?;
    assert_eq!(api_blocks(&lab, &c, &cid), None);
    Ok(())
}

/// Under throttling, 500s and resets — before and after the lab applied the call — on the first
/// call of every action and a fifth of the rest, create and update converge: one collection, the
/// configured blocks, an empty plan.
#[test]
fn cidr_collection_converges_under_faults() -> anyhow::Result<()> {
    let lab = Lab::start_with(ProxyConfig {
        fault_rate: 0.2,
        fault_first: true,
        seed: 11,
        ..Default::default()
    })
    .expect("start lab");
    let c = sdk(&lab);
    let tf = lab.terraform(TfBin::Lib)?;
    let first: &[(&str, &[&str])] = &[("a", &["10.0.0.0/8"]), ("b", &["192.0.2.0/24"])];
    tf.write(&collection("faulty", first))?;
    tf.apply()?;
    let second: &[(&str, &[&str])] = &[
        ("a", &["10.0.0.0/8", "11.0.0.0/8"]),
        ("c", &["2001:db8::/32"]),
    ];
    tf.write(&collection("faulty", second))?;
    tf.apply()?;
    let stats = lab.proxy.stats();
    for act in [
        "CreateCidrCollection",
        "ChangeCidrCollection",
        "ListCidrCollections",
    ] {
        assert!(
            stats.faulted.contains_key(act),
            "{act} was never faulted: {stats:?}"
        );
    }
    lab.proxy.set_config(ProxyConfig::default());
    tf.assert_plan_empty()?;
    let listed = lab.rt.block_on(c.list_cidr_collections().send())?;
    let named: Vec<&str> = listed
        .cidr_collections()
        .iter()
        .filter_map(|x| x.name())
        .collect();
    assert_eq!(named, vec!["faulty"], "one collection, not one per retry");
    let id = attr(&tf.resource("r53_cidr_collection.c")?, "id");
    assert_eq!(api_blocks(&lab, &c, &id), Some(want(second)));
    Ok(())
}
