//! Splitting changes into batches within Route 53's per-request limits: at most 1,000 ResourceRecord
//! elements and 32,000 characters of values per ChangeResourceRecordSets, where an UPSERT counts
//! twice.

use crate::change::Change;

/// Route 53's limits, as the zone model states them (its conversion checks use the same).
use r53_zone::plan::{MAX_BATCH_CHARS as MAX_VALUE_CHARS, MAX_BATCH_RECORDS as MAX_RECORDS};

/// (records, characters) a change costs against the limits.
pub fn cost(c: &Change) -> (usize, usize) {
    let (rs, factor) = match c {
        Change::Create(r) | Change::Delete(r) => (r, 1),
        Change::Upsert(r) => (r, 2),
    };
    let (n, chars) = if rs.alias.is_some() {
        (1, rs.alias.as_ref().map(|a| a.name.len()).unwrap_or(0))
    } else {
        (
            rs.values.len().max(1),
            rs.wire_values().iter().map(String::len).sum(),
        )
    };
    (n * factor, chars * factor)
}

/// Like [`split`], but never between two consecutive items of one group (the DELETE of a record
/// set and the CREATE that takes its name, so the name is never unanswered), unless one group is
/// over the limits on its own.
pub fn split_groups<T, K: PartialEq>(
    items: &[T],
    cost_of: impl Fn(&T) -> (usize, usize),
    group_of: impl Fn(&T) -> K,
) -> Vec<usize> {
    // Each run of one group as one item of summed cost, then split those.
    let mut runs: Vec<(usize, (usize, usize))> = Vec::new();
    let mut prev: Option<K> = None;
    for it in items {
        let g = group_of(it);
        let (r, c) = cost_of(it);
        match runs.last_mut() {
            Some((n, (rr, cc))) if prev.as_ref() == Some(&g) => {
                *n += 1;
                *rr = rr.saturating_add(r);
                *cc = cc.saturating_add(c);
            }
            _ => runs.push((1, (r, c))),
        }
        prev = Some(g);
    }
    let mut out = Vec::new();
    let mut at = 0;
    let mut start = 0;
    for n in split(&runs, |(_, cost)| *cost) {
        let group_runs = &runs[at..at + n];
        let len: usize = group_runs.iter().map(|(k, _)| k).sum();
        if n == 1 && (group_runs[0].1 .0 > MAX_RECORDS || group_runs[0].1 .1 > MAX_VALUE_CHARS) {
            // One group over the limits: split inside it.
            out.extend(split(&items[start..start + len], &cost_of));
        } else {
            out.push(len);
        }
        at += n;
        start += len;
    }
    out
}

/// Lengths of consecutive groups that each fit the limits (a change too big on its own goes alone,
/// and Route 53 will say why).
pub fn split<T>(items: &[T], cost_of: impl Fn(&T) -> (usize, usize)) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut n, mut r, mut c) = (0usize, 0usize, 0usize);
    for it in items {
        let (ir, ic) = cost_of(it);
        if n > 0 && (r + ir > MAX_RECORDS || c + ic > MAX_VALUE_CHARS) {
            out.push(n);
            (n, r, c) = (0, 0, 0);
        }
        n += 1;
        r += ir;
        c += ic;
    }
    if n > 0 {
        out.push(n);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use r53_zone::{RecordSet, RecordType};

    fn a(name: &str, values: usize) -> RecordSet {
        RecordSet {
            name: name.into(),
            ty: RecordType::A,
            ttl: Some(60),
            values: (0..values)
                .map(|i| format!("192.0.2.{}", i % 250))
                .collect(),
            alias: None,
            set_identifier: None,
            routing: None,
            health_check_id: None,
        }
    }

    #[test]
    fn upsert_counts_twice() {
        assert_eq!(cost(&Change::Create(a("x", 3))).0, 3);
        assert_eq!(cost(&Change::Upsert(a("x", 3))).0, 6);
    }

    #[test]
    fn splits_at_1000_records() {
        let changes: Vec<Change> = (0..2500)
            .map(|i| Change::Create(a(&format!("h{i}"), 1)))
            .collect();
        assert_eq!(split(&changes, cost), vec![1000, 1000, 500]);
        let ups: Vec<Change> = (0..1200)
            .map(|i| Change::Upsert(a(&format!("h{i}"), 1)))
            .collect();
        assert_eq!(split(&ups, cost), vec![500, 500, 200]);
    }

    #[test]
    fn splits_at_32000_characters() {
        let mut t = a("t", 0);
        t.ty = RecordType::Txt;
        t.values = vec!["x".repeat(3000)];
        let changes: Vec<Change> = (0..25).map(|_| Change::Create(t.clone())).collect();
        let sizes = split(&changes, cost);
        assert!(sizes.iter().all(|&n| n <= 10), "{sizes:?}");
        assert_eq!(sizes.iter().sum::<usize>(), 25);
    }

    #[test]
    fn a_delete_and_the_create_taking_its_name_share_a_batch() {
        let mut changes: Vec<Change> = (0..999)
            .map(|i| Change::Create(a(&format!("h{i}"), 1)))
            .collect();
        let mut cname = a("x", 1);
        cname.ty = RecordType::Cname;
        cname.values = vec!["y.example.".into()];
        changes.push(Change::Delete(a("x", 1)));
        changes.push(Change::Create(cname));
        let name = |c: &Change| match c {
            Change::Create(r) | Change::Upsert(r) | Change::Delete(r) => r.name.clone(),
        };
        assert_eq!(split(&changes, cost), vec![1000, 1]);
        assert_eq!(split_groups(&changes, cost, name), vec![999, 2]);
        // A group over the limits on its own is still split within the limits.
        let big: Vec<Change> = (0..1500).map(|_| Change::Create(a("same", 1))).collect();
        assert_eq!(split_groups(&big, cost, name), vec![1000, 500]);
        assert!(split_groups(&[] as &[Change], cost, name).is_empty());
    }
}
