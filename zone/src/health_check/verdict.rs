//! How Route 53 turns checker reports into the health routing uses (shared by the provider's
//! status data source and the lab's checkers).

/// Route 53's verdict from its checkers: healthy when more than 18% of the reporting checker
/// regions saw the endpoint healthy (and, with no report yet, healthy: a new check starts so).
pub fn checkers_verdict(healthy: usize, reporting: usize) -> bool {
    reporting == 0 || (healthy as u128) * 100 > (reporting as u128) * 18
}

/// A CALCULATED check's verdict: at least `threshold` of its children healthy (0: always).
pub fn calculated_verdict(healthy_children: usize, threshold: i64) -> bool {
    threshold <= 0 || u64::try_from(threshold).is_ok_and(|t| healthy_children as u64 >= t)
}

/// What routing sees: a disabled check counts as healthy, then `invert` flips the result (so a
/// disabled, inverted check is unhealthy — Route 53's advice for taking an endpoint out by hand).
pub fn routing_verdict(raw: bool, invert: bool, disabled: bool) -> bool {
    (disabled || raw) != invert
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_route53s_rules() {
        // 18%: 1 of 8 (12.5%) is not enough, 2 of 8 (25%) is; 1 of 3 (33%) is.
        assert!(!checkers_verdict(1, 8));
        assert!(checkers_verdict(2, 8));
        assert!(checkers_verdict(1, 3));
        assert!(!checkers_verdict(0, 3));
        assert!(checkers_verdict(0, 0), "no data yet: healthy");
        assert!(!checkers_verdict(usize::MAX / 6, usize::MAX), "no overflow");
        assert!(checkers_verdict(usize::MAX / 5, usize::MAX));
        assert!(calculated_verdict(0, 0));
        assert!(calculated_verdict(2, 2));
        assert!(!calculated_verdict(1, 2));
        assert!(
            !calculated_verdict(3, 4),
            "threshold above the child count: never healthy"
        );
        assert!(routing_verdict(true, false, false));
        assert!(!routing_verdict(false, false, false));
        assert!(!routing_verdict(true, true, false));
        assert!(routing_verdict(false, true, false));
        assert!(routing_verdict(false, false, true), "disabled: healthy");
        assert!(
            !routing_verdict(false, true, true),
            "disabled and inverted: unhealthy"
        );
        assert!(!checkers_verdict(9, 50), "exactly 18% is not more");
        assert!(checkers_verdict(10, 50));
    }
}
