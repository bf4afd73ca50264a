//! The addresses a public health check may not target.

use std::net::IpAddr;

/// The special-purpose range an address is in, if a public health check may not target it
/// (local, private, shared, documentation, benchmarking, multicast and reserved: RFC 5735,
/// RFC 6598, RFC 5156).
pub fn refused_address(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let a = u32::from(v4);
            V4_REFUSED
                .iter()
                .find(|(net, len, _)| a & mask32(*len) == *net)
                .map(|(_, _, name)| *name)
        }
        IpAddr::V6(v6) => {
            let a = u128::from(v6);
            V6_REFUSED
                .iter()
                .find(|(net, len, _)| a & mask128(*len) == *net)
                .map(|(_, _, name)| *name)
        }
    }
}

fn mask32(len: u32) -> u32 {
    u32::MAX.checked_shl(32 - len).unwrap_or(0)
}

fn mask128(len: u32) -> u128 {
    u128::MAX.checked_shl(128 - len).unwrap_or(0)
}

const V4_REFUSED: [(u32, u32, &str); 15] = [
    (0x0000_0000, 8, "0.0.0.0/8 (this network)"),
    (0x0a00_0000, 8, "10.0.0.0/8 (private)"),
    (0x6440_0000, 10, "100.64.0.0/10 (shared address space)"),
    (0x7f00_0000, 8, "127.0.0.0/8 (loopback)"),
    (0xa9fe_0000, 16, "169.254.0.0/16 (link-local)"),
    (0xac10_0000, 12, "172.16.0.0/12 (private)"),
    (0xc000_0000, 24, "192.0.0.0/24 (IETF protocol assignments)"),
    (0xc000_0200, 24, "192.0.2.0/24 (documentation)"),
    (0xc058_6300, 24, "192.88.99.0/24 (6to4 relay anycast)"),
    (0xc0a8_0000, 16, "192.168.0.0/16 (private)"),
    (0xc612_0000, 15, "198.18.0.0/15 (benchmarking)"),
    (0xc633_6400, 24, "198.51.100.0/24 (documentation)"),
    (0xcb00_7100, 24, "203.0.113.0/24 (documentation)"),
    (0xe000_0000, 4, "224.0.0.0/4 (multicast)"),
    (0xf000_0000, 4, "240.0.0.0/4 (reserved)"),
];

const V6_REFUSED: [(u128, u32, &str); 14] = [
    (0, 128, "::/128 (unspecified)"),
    (1, 128, "::1/128 (loopback)"),
    (0xffff_0000_0000, 96, "::ffff:0:0/96 (IPv4-mapped)"),
    (0, 96, "::/96 (IPv4-compatible)"),
    (0xfe80 << 112, 10, "fe80::/10 (link-local)"),
    (0xfec0 << 112, 10, "fec0::/10 (site-local)"),
    (0xfc00 << 112, 7, "fc00::/7 (unique local)"),
    (0x2001_0db8 << 96, 32, "2001:db8::/32 (documentation)"),
    (0x2001_0010 << 96, 28, "2001:10::/28 (ORCHID)"),
    (0x2002 << 112, 16, "2002::/16 (6to4)"),
    (0x2001_0000 << 96, 32, "2001::/32 (Teredo)"),
    (0x3ffe << 112, 16, "3ffe::/16 (6bone)"),
    (0x5f00 << 112, 8, "5f00::/8 (6bone)"),
    (0xff00 << 112, 8, "ff00::/8 (multicast)"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_addresses_by_range() {
        for (ip, range) in [
            ("0.1.2.3", "0.0.0.0/8"),
            ("10.255.0.1", "10.0.0.0/8"),
            ("100.127.255.255", "100.64.0.0/10"),
            ("127.0.0.1", "127.0.0.0/8"),
            ("169.254.169.254", "169.254.0.0/16"),
            ("172.31.0.1", "172.16.0.0/12"),
            ("192.0.0.8", "192.0.0.0/24"),
            ("192.0.2.44", "192.0.2.0/24"),
            ("192.88.99.1", "192.88.99.0/24"),
            ("192.168.1.1", "192.168.0.0/16"),
            ("198.19.255.255", "198.18.0.0/15"),
            ("198.51.100.7", "198.51.100.0/24"),
            ("203.0.113.9", "203.0.113.0/24"),
            ("239.1.1.1", "224.0.0.0/4"),
            ("255.255.255.255", "240.0.0.0/4"),
            ("::", "::/128"),
            ("::1", "::1/128"),
            ("::ffff:8.8.8.8", "::ffff:0:0/96"),
            ("::8.8.8.8", "::/96"),
            ("fe80::1", "fe80::/10"),
            ("fec0::1", "fec0::/10"),
            ("fd00::1", "fc00::/7"),
            ("2001:db8::1", "2001:db8::/32"),
            ("2001:1f::1", "2001:10::/28"),
            ("2002::1", "2002::/16"),
            ("2001:0:1::1", "2001::/32"),
            ("3ffe::1", "3ffe::/16"),
            ("5f00::1", "5f00::/8"),
            ("ff02::1", "ff00::/8"),
        ] {
            let got = refused_address(ip.parse().unwrap());
            assert!(got.is_some_and(|g| g.starts_with(range)), "{ip}: {got:?}");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2600:1f18::1",
            "2001:4860:4860::8888",
            "2001:20::1",
        ] {
            assert_eq!(refused_address(ip.parse().unwrap()), None, "{ip}");
        }
    }

    proptest::proptest! {
        /// Whatever the standard library calls private, loopback, link-local, documentation,
        /// multicast, unspecified or broadcast is refused too (an independent classification).
        #[test]
        fn std_special_addresses_are_refused(a: u32, b: u128) {
            let v4 = std::net::Ipv4Addr::from(a);
            if v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_documentation()
                || v4.is_multicast() || v4.is_unspecified() || v4.is_broadcast()
            {
                proptest::prop_assert!(refused_address(IpAddr::V4(v4)).is_some(), "{v4}");
            }
            let v6 = std::net::Ipv6Addr::from(b);
            if v6.is_loopback() || v6.is_multicast() || v6.is_unspecified()
                || v6.is_unique_local() || v6.is_unicast_link_local()
            {
                proptest::prop_assert!(refused_address(IpAddr::V6(v6)).is_some(), "{v6}");
            }
            // And the mapped form of any IPv4 address.
            let mapped = v4.to_ipv6_mapped();
            proptest::prop_assert!(refused_address(IpAddr::V6(mapped)).is_some(), "{mapped}");
        }
    }
}
