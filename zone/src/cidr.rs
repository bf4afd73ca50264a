//! IP-based routing's CIDR collections as Route 53 defines them: collection and location names,
//! and CIDR blocks (parsed, checked and written in their canonical form). No I/O.

use std::net::IpAddr;

/// Longest collection name.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest location name.
pub const MAX_LOCATION_CHARS: usize = 16;
/// The longest prefixes IP-based routing takes.
pub const MAX_IPV4_PREFIX: u8 = 24;
pub const MAX_IPV6_PREFIX: u8 = 48;
/// The location a record set names for "any address no location holds".
pub const DEFAULT_LOCATION: &str = "*";

/// Whether `s` is 1–`max` characters of `[0-9A-Za-z_-]` (and `*` when `star`).
pub fn valid_label(s: &str, max: usize, star: bool) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || (star && b == b'*'))
}

pub fn valid_collection_name(s: &str) -> bool {
    valid_label(s, MAX_NAME_CHARS, false)
}

pub fn valid_location_name(s: &str) -> bool {
    valid_label(s, MAX_LOCATION_CHARS, false)
}

/// One CIDR block, parsed: the network address and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Block {
    pub addr: IpAddr,
    pub len: u8,
}

impl Block {
    /// A block as Route 53 takes it: an address with no host bits set, `/`, a prefix length up
    /// to [`MAX_IPV4_PREFIX`] (IPv4) or [`MAX_IPV6_PREFIX`] (IPv6).
    pub fn parse(s: &str) -> Result<Block, String> {
        let (a, l) = s
            .split_once('/')
            .ok_or_else(|| format!("CIDR block {s:?} has no prefix length (address/length)."))?;
        let addr: IpAddr = a
            .parse()
            .map_err(|_| format!("CIDR block {s:?}: {a:?} is not an IP address."))?;
        let len: u8 = l
            .parse()
            .map_err(|_| format!("CIDR block {s:?}: {l:?} is not a prefix length."))?;
        let max = match addr {
            IpAddr::V4(_) => MAX_IPV4_PREFIX,
            IpAddr::V6(_) => MAX_IPV6_PREFIX,
        };
        if len > max {
            return Err(format!(
                "CIDR block {s:?}: the prefix length must be at most /{max} for IP-based routing."
            ));
        }
        let b = Block { addr, len };
        if !b.contains(addr) || b.network() != addr {
            return Err(format!(
                "CIDR block {s:?} has host bits set; the network is {}.",
                Block {
                    addr: b.network(),
                    len
                }
            ));
        }
        Ok(b)
    }

    fn bits(addr: IpAddr) -> (u128, u32) {
        match addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    fn mask(&self, width: u32) -> u128 {
        let len = u32::from(self.len).min(width);
        if len == 0 {
            return 0;
        }
        let ones = u128::MAX << (128 - len);
        ones >> (128 - width)
    }

    fn network(&self) -> IpAddr {
        let (v, w) = Self::bits(self.addr);
        let n = v & self.mask(w);
        match self.addr {
            IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::from(
                u32::try_from(n).unwrap_or_default(),
            )),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::from(n)),
        }
    }

    /// Whether `ip` is in the block (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        if ip.is_ipv4() != self.addr.is_ipv4() {
            return false;
        }
        let (a, w) = Self::bits(self.addr);
        let (b, _) = Self::bits(ip);
        let m = self.mask(w);
        a & m == b & m
    }
}

impl std::fmt::Display for Block {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// A block's canonical form, or why Route 53 refuses it.
pub fn canonical_block(s: &str) -> Result<String, String> {
    Block::parse(s).map(|b| b.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_parse_as_route53_takes_them() {
        assert_eq!(canonical_block("192.0.2.0/24").unwrap(), "192.0.2.0/24");
        assert_eq!(canonical_block("0.0.0.0/0").unwrap(), "0.0.0.0/0");
        assert_eq!(
            canonical_block("2001:DB8:0:0::/48").unwrap(),
            "2001:db8::/48"
        );
        for bad in [
            "192.0.2.0",
            "192.0.2.0/25",
            "192.0.2.1/24",
            "2001:db8::/49",
            "2001:db8::1/48",
            "300.0.0.0/8",
            "10.0.0.0/x",
            "10.0.0.0/-1",
            "",
            "/",
        ] {
            assert!(Block::parse(bad).is_err(), "{bad}");
        }
        let b = Block::parse("10.0.0.0/8").unwrap();
        assert!(b.contains("10.255.1.2".parse().unwrap()));
        assert!(b.contains("::ffff:10.1.1.1".parse().unwrap()));
        assert!(!b.contains("11.0.0.1".parse().unwrap()));
        assert!(!b.contains("2001:db8::1".parse().unwrap()));
        assert!(Block::parse("::/0")
            .unwrap()
            .contains("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn names_are_route53s() {
        assert!(valid_collection_name(&"a-_9".repeat(16)));
        assert!(!valid_collection_name(&"a".repeat(65)));
        assert!(!valid_collection_name(""));
        assert!(!valid_collection_name("a.b"));
        assert!(valid_location_name("office-1"));
        assert!(!valid_location_name("*"));
        assert!(!valid_location_name(&"l".repeat(17)));
        assert!(valid_label("*", MAX_LOCATION_CHARS, true));
    }
}
