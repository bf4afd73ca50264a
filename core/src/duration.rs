//! Durations as people write them in HCL and on command lines: `500ms`, `30s`, `45m`, `2h`,
//! `1h30m`, `2d` (one parser for the provider's `timeouts` and `dns.timeout` and the CLI's flags),
//! and instants as people read them.

use std::time::Duration;

use aws_smithy_types::date_time::{DateTime, Format};

/// Unix seconds as RFC 3339 in UTC, `2026-11-23T15:05:00Z` (the SDK's formatter, as for the
/// registered domains' dates).
pub fn rfc3339(unix_secs: u64) -> String {
    i64::try_from(unix_secs)
        .ok()
        .and_then(|t| DateTime::from_secs(t).fmt(Format::DateTime).ok())
        .unwrap_or_else(|| format!("unix time {unix_secs}"))
}

/// The longest duration [`parse_duration`] accepts: a year. Longer timeouts, waits or ages mean
/// a typo, and a bound this size keeps every `Instant + Duration` and seconds conversion built
/// on a parsed value far from overflow.
const MAX_DURATION: Duration = Duration::from_secs(365 * 86_400);

/// `now + d` without the panic `Instant + Duration` has on overflow: a deadline past what the
/// clock can represent is as good as never, so it saturates at `now` + a year (or `now`).
pub fn deadline_after(d: Duration) -> std::time::Instant {
    let now = std::time::Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(MAX_DURATION))
        .unwrap_or(now)
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration like 500ms, 30s, 45m, 2h or 1h30m");
    let too_long = || format!("{s:?} is too long: durations are limited to 365d (a year)");
    let t = s.trim();
    let mut total = Duration::ZERO;
    let mut rest = t;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (num, after) = rest.split_at(digits);
        if num.is_empty() {
            return Err(bad());
        }
        let unit_len = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let (unit, after) = after.split_at(unit_len);
        let (per, millis) = match unit {
            "ms" => (1, true),
            "s" => (1, false),
            "m" => (60, false),
            "h" => (3600, false),
            "d" => (86_400, false),
            _ => return Err(bad()),
        };
        // All digits, so a parse failure can only be a number past u64: too long, not malformed.
        let n: u64 = num.parse().map_err(|_| too_long())?;
        let step = n
            .checked_mul(per)
            .map(|v| {
                if millis {
                    Duration::from_millis(v)
                } else {
                    Duration::from_secs(v)
                }
            })
            .ok_or_else(too_long)?;
        total = total.checked_add(step).ok_or_else(too_long)?;
        if total > MAX_DURATION {
            return Err(too_long());
        }
        rest = after;
    }
    if total.is_zero() {
        return Err(bad());
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_446_300), "2026-11-23T15:05:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn parses_what_people_write() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(
            parse_duration(" 1h30m ").unwrap(),
            Duration::from_secs(5400)
        );
        assert_eq!(parse_duration("2d").unwrap(), Duration::from_secs(172_800));
        for bad in ["", "2", "soon", "0s", "5x", "m5", "1h 30m"] {
            let e = parse_duration(bad).unwrap_err();
            assert!(e.contains("is not a duration"), "{bad}: {e}");
        }
    }

    #[test]
    fn refuses_durations_that_overflow_or_exceed_a_year() {
        assert_eq!(parse_duration("365d").unwrap(), MAX_DURATION);
        for long in [
            "99999999999999999999d",
            "18446744073709551615d",
            "18446744073709551615s1s",
            "213503982334601h",
            "366d",
            "364d25h",
            "31536000001ms",
        ] {
            let e = parse_duration(long).unwrap_err();
            assert!(
                e.contains(&format!("{long:?} is too long")) && e.contains("365d"),
                "{long}: {e}"
            );
        }
        // Whatever is accepted can be added to an Instant; what cannot be added saturates.
        let _ = std::time::Instant::now() + parse_duration("365d").unwrap();
        assert!(deadline_after(Duration::MAX) > std::time::Instant::now());
    }
}
