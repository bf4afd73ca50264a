//! The `record` blocks of `r53_records`: keys, labels, state form, and schema 0's list upgraded.

use std::collections::{BTreeMap, HashSet};

use r53_plugin::{AttrPath, Value};
use r53_zone::{RecordKey, RecordSet, RecordType};

use super::model::RECORD;
use crate::record_set::{record_state, AliasBlock, Record};

/// `r53_record`'s arguments that a `record` block does not have: they belong to the resource.
pub(super) const PER_RESOURCE: [&str; 4] = [
    Record::ATTR.id,
    Record::ATTR.zone_id,
    Record::ATTR.fqdn,
    Record::ATTR.allow_overwrite,
];

/// A block's record-set key, when its name and type are known and valid (validation reports
/// the others).
pub(super) fn key(b: &Value) -> Option<RecordKey> {
    let a = Record::ATTR;
    let ty = b
        .get(a.r#type)
        .as_str()?
        .to_ascii_uppercase()
        .parse::<RecordType>()
        .ok()?;
    Some(RecordKey::new(
        b.get(a.name).as_str()?,
        ty,
        b.get(a.set_identifier).as_str(),
    ))
}

/// The `record` blocks as (label, block).
pub(super) fn entries(v: &Value) -> impl Iterator<Item = (&str, &Value)> {
    let m = match v.get(RECORD) {
        Value::Map(m) => Some(m),
        _ => None,
    };
    m.into_iter().flat_map(|m| m.iter())
}

/// The `record` blocks by record-set key (a label names a block, the key names the record set:
/// a relabelled block is the same record set and writes nothing).
pub(super) fn blocks(v: &Value) -> BTreeMap<RecordKey, &Value> {
    entries(v)
        .filter_map(|(_, b)| key(b).map(|k| (k, b)))
        .collect()
}

/// `want`, or — when another block already has that label — `want (2)`, `want (3)`…
pub(super) fn free_label(used: &mut HashSet<String>, want: String) -> String {
    let mut label = want.clone();
    let mut n = 2;
    while !used.insert(label.clone()) {
        label = format!("{want} ({n})");
        n += 1;
    }
    label
}

/// The path of the block labelled `label`.
pub(super) fn at(label: &str) -> AttrPath {
    AttrPath::attr(RECORD).key(label)
}

/// A record set in state form, for a `record` block (keeping the user's spelling from `base`).
pub(super) fn block_state(zone_id: &str, rs: &RecordSet, base: &Value) -> Value {
    let mut s = record_state(zone_id, rs, &Record::from_value(base).unwrap_or_default());
    if let Value::Object(m) = &mut s {
        for k in PER_RESOURCE {
            m.remove(k);
        }
    }
    // evaluate_target_health is plain optional here: unset in config and false live stay unset.
    let eth = AliasBlock::ATTR.evaluate_target_health;
    if let Some(Value::List(al)) = s.get_mut(Record::ATTR.alias) {
        if let Some(a) = al.first_mut() {
            let base_eth = base
                .get(Record::ATTR.alias)
                .elements()
                .first()
                .map(|b| b.get(eth).clone())
                .unwrap_or_default();
            if base_eth.is_null() && a.get(eth) == &Value::Bool(false) {
                a.set(eth, Value::Null);
            }
        }
    }
    s
}

/// Schema 0 kept the `record` blocks as a list; schema 1 keys them by label. Each block gets the
/// label `import` and `r53-migrate export-tf` write (`"www A"`, `"@ MX"`, `"api A eu-west"`), so a
/// configuration moved to labelled blocks the same way plans no change.
pub(super) fn upgrade_v0(mut state: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    let Some(obj) = state.as_object_mut() else {
        return state;
    };
    let zone = obj
        .get("zone_name")
        .and_then(J::as_str)
        .unwrap_or(".")
        .to_string();
    let list = match obj.remove("record") {
        Some(J::Array(v)) => v,
        _ => Vec::new(),
    };
    let mut used = HashSet::new();
    let mut map = serde_json::Map::with_capacity(list.len());
    for b in list {
        let name = b.get("name").and_then(J::as_str).unwrap_or_default();
        let ty = b.get("type").and_then(J::as_str).unwrap_or_default();
        let id = b.get("set_identifier").and_then(J::as_str);
        let want = match ty.to_ascii_uppercase().parse::<RecordType>() {
            Ok(t) => RecordKey::new(name, t, id).block_label(&zone),
            // Not a type Route 53 hosts (state edited by hand): a label that still names the set.
            Err(_) => [Some(name), Some(ty), id]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        };
        map.insert(free_label(&mut used, want), b);
    }
    obj.insert("record".into(), J::Object(map));
    state
}
