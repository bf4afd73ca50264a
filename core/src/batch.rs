//! Splitting changes into batches within Route 53's per-request limits: at most 1,000 ResourceRecord
//! elements and 32,000 characters of values per ChangeResourceRecordSets, where an UPSERT counts
//! twice.

use crate::change::Change;

/// Route 53's limits, as the zone model states them (its conversion checks use the same).
pub use r53_zone::plan::{MAX_BATCH_CHARS as MAX_VALUE_CHARS, MAX_BATCH_RECORDS as MAX_RECORDS};

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
}
