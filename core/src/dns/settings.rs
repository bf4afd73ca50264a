//! Where DNS questions go: root hints, port, resolvers for glueless names, timeouts and budgets —
//! and the `R53_DNS_*` environment variables that set them, read in one place.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// IPv4 addresses of the 13 root servers (a … m.root-servers.net).
const ROOT_HINTS: &[&str] = &[
    "198.41.0.4",
    "170.247.170.2",
    "192.33.4.12",
    "199.7.91.13",
    "192.203.230.10",
    "192.5.5.241",
    "192.112.36.4",
    "198.97.190.53",
    "192.36.148.17",
    "192.58.128.30",
    "193.0.14.129",
    "199.7.83.42",
    "202.12.27.33",
];

/// Where the walk starts and how it talks.
#[derive(Clone, Debug)]
pub struct DnsSettings {
    /// Root server addresses the walk starts from.
    pub root_hints: Vec<IpAddr>,
    /// Port every authoritative server is asked on (53; the lab uses one high port).
    pub port: u16,
    /// Recursive resolvers for name-server addresses the parent gives no glue for; empty: resolve
    /// them iteratively from the root hints too.
    pub resolvers: Vec<SocketAddr>,
    /// Per query.
    pub timeout: Duration,
    /// Queries one walk may send (see [`DEFAULT_MAX_QUERIES`]).
    pub max_queries: usize,
    /// The setting that raises `max_queries`, for the error (`--max-queries`); `None`: none.
    pub max_queries_flag: Option<&'static str>,
    /// The root keys DNSSEC validation starts from, as zone-file lines (`. DS …` or `. DNSKEY
    /// …`; see [`crate::dns::dnssec::parse_trust_anchor`]). Default: IANA's root KSKs.
    pub trust_anchors: Vec<String>,
}

/// IANA's root trust anchors (data.iana.org/root-anchors): KSK-2017 and KSK-2024, which signs
/// the root since October 2026.
pub const IANA_TRUST_ANCHORS: [&str; 2] = [
    ". DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
    ". DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
];

/// Queries one walk may send before it gives up with [`DnsError::QueryBudget`]. A real walk to a
/// TLD's child, every parent server and every name server checked takes a few dozen; a referral
/// loop or a fan-out of name servers without glue (each resolved from the root) takes thousands.
pub const DEFAULT_MAX_QUERIES: usize = 500;

impl Default for DnsSettings {
    fn default() -> Self {
        DnsSettings {
            root_hints: ROOT_HINTS.iter().filter_map(|a| a.parse().ok()).collect(),
            port: 53,
            resolvers: Vec::new(),
            timeout: Duration::from_secs(3),
            max_queries: DEFAULT_MAX_QUERIES,
            max_queries_flag: None,
            trust_anchors: IANA_TRUST_ANCHORS.iter().map(|a| a.to_string()).collect(),
        }
    }
}

/// A resolver as written: `IP` (port 53) or `IP:PORT`.
pub fn parse_resolver(s: &str) -> Result<SocketAddr, String> {
    let t = s.trim();
    t.parse::<SocketAddr>()
        .or_else(|_| t.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| format!("{s:?} is not an IP address or IP:PORT"))
}

/// A root hint as written: an IP address.
pub fn parse_root_hint(s: &str) -> Result<IpAddr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{s:?} is not an IP address"))
}

/// A port as written: 1 to 65535.
pub fn parse_port(s: &str) -> Result<u16, String> {
    match s.trim().parse::<u16>() {
        Ok(p) if p > 0 => Ok(p),
        _ => Err(format!("{s:?} is not a port number (1-65535)")),
    }
}

/// The comma-separated items of a list variable (`R53_DNS_ROOT_HINTS`, `R53_DNS_RESOLVERS`).
fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// The environment variables of the DNS settings, by setting: each reader (the provider's `dns`
/// block, r53-migrate's options) falls back to these names.
pub const ENV_ROOT_HINTS: &str = "R53_DNS_ROOT_HINTS";
pub const ENV_PORT: &str = "R53_DNS_PORT";
pub const ENV_RESOLVERS: &str = "R53_DNS_RESOLVERS";
pub const ENV_TIMEOUT: &str = "R53_DNS_TIMEOUT";
pub const ENV_TRUST_ANCHORS: &str = "R53_DNS_TRUST_ANCHORS";

/// A trust anchor as written; see [`crate::dns::dnssec::parse_trust_anchor`].
pub fn parse_trust_anchor(s: &str) -> Result<String, String> {
    crate::dns::dnssec::parse_trust_anchor(s).map(|_| s.trim().to_string())
}

impl DnsSettings {
    /// The defaults with each `R53_DNS_*` variable `env` gives applied; an invalid value is an
    /// error naming its variable.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<DnsSettings, String> {
        let mut s = DnsSettings::default();
        let named = |var: &str, e: String| format!("{var}: {e}");
        if let Some(v) = env(ENV_ROOT_HINTS) {
            let hints = split_list(&v)
                .iter()
                .map(|h| parse_root_hint(h))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| named(ENV_ROOT_HINTS, e))?;
            if !hints.is_empty() {
                s.root_hints = hints;
            }
        }
        if let Some(v) = env(ENV_PORT) {
            s.port = parse_port(&v).map_err(|e| named(ENV_PORT, e))?;
        }
        if let Some(v) = env(ENV_RESOLVERS) {
            s.resolvers = split_list(&v)
                .iter()
                .map(|r| parse_resolver(r))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| named(ENV_RESOLVERS, e))?;
        }
        if let Some(v) = env(ENV_TIMEOUT) {
            s.timeout = crate::parse_duration(&v).map_err(|e| named(ENV_TIMEOUT, e))?;
        }
        if let Some(v) = env(ENV_TRUST_ANCHORS) {
            let anchors = split_list(&v)
                .iter()
                .map(|a| parse_trust_anchor(a))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| named(ENV_TRUST_ANCHORS, e))?;
            if !anchors.is_empty() {
                s.trust_anchors = anchors;
            }
        }
        Ok(s)
    }

    /// The trust anchors as records (each was checked when the settings were read; one that
    /// does not parse is left out).
    pub fn anchors(&self) -> Vec<hickory_proto::rr::Record> {
        self.trust_anchors
            .iter()
            .filter_map(|a| crate::dns::dnssec::parse_trust_anchor(a).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_env_reads_each_variable_and_names_a_bad_one() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let s = DnsSettings::from_env(env(&[])).unwrap();
        assert_eq!(s.port, 53);
        assert_eq!(s.root_hints.len(), ROOT_HINTS.len());
        let s = DnsSettings::from_env(env(&[
            ("R53_DNS_ROOT_HINTS", "127.0.0.1, 127.0.0.2"),
            ("R53_DNS_PORT", "5353"),
            ("R53_DNS_RESOLVERS", "127.0.0.9,[::1]:5300"),
            ("R53_DNS_TIMEOUT", "2s"),
        ]))
        .unwrap();
        assert_eq!(
            s.root_hints,
            [
                "127.0.0.1".parse::<IpAddr>().unwrap(),
                "127.0.0.2".parse().unwrap()
            ]
        );
        assert_eq!(s.port, 5353);
        assert_eq!(
            s.resolvers,
            [
                "127.0.0.9:53".parse::<SocketAddr>().unwrap(),
                "[::1]:5300".parse().unwrap()
            ]
        );
        assert_eq!(s.timeout, Duration::from_secs(2));
        assert_eq!(s.anchors().len(), 2, "IANA's two root KSKs by default");
        let s = DnsSettings::from_env(env(&[(
            "R53_DNS_TRUST_ANCHORS",
            ". DS 12345 13 2 3F5CE2A7E2F5E4CE5AB1E7F2C2B7F5F0A0D1C5B8E8C6C2E9E3F1A1B2C3D4E5F6",
        )]))
        .unwrap();
        assert_eq!(s.anchors().len(), 1);
        for (var, value, want) in [
            (
                "R53_DNS_TRUST_ANCHORS",
                "test. DS 1 13 2 AA",
                "R53_DNS_TRUST_ANCHORS: trust anchor",
            ),
            (
                "R53_DNS_PORT",
                "0",
                "R53_DNS_PORT: \"0\" is not a port number",
            ),
            (
                "R53_DNS_ROOT_HINTS",
                "a.root",
                "R53_DNS_ROOT_HINTS: \"a.root\" is not an IP address",
            ),
            (
                "R53_DNS_RESOLVERS",
                "1.2.3.4:x",
                "R53_DNS_RESOLVERS: \"1.2.3.4:x\" is not an IP address or IP:PORT",
            ),
            ("R53_DNS_TIMEOUT", "soon", "R53_DNS_TIMEOUT: "),
        ] {
            let e = DnsSettings::from_env(move |k: &str| (k == var).then(|| value.to_string()))
                .unwrap_err();
            assert!(e.starts_with(want), "{e}");
        }
    }
}
