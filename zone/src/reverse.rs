//! Reverse-DNS names: the PTR owner name of an IP address (RFC 1035 §3.5 `in-addr.arpa`,
//! RFC 3596 §2.5 nibble-format `ip6.arpa`).

use std::net::IpAddr;

/// The name a PTR record for `ip` lives at, lower case, without the trailing dot.
pub fn reverse_name(ip: &IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            format!("{}.{}.{}.{}.in-addr.arpa", o[3], o[2], o[1], o[0])
        }
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(72);
            for b in v6.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", b & 0x0f, b >> 4));
            }
            s.push_str("ip6.arpa");
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(s: &str) -> String {
        reverse_name(&s.parse().unwrap())
    }

    #[test]
    fn ipv4_reverses_the_octets() {
        assert_eq!(rev("192.0.2.1"), "1.2.0.192.in-addr.arpa");
        assert_eq!(rev("10.0.0.255"), "255.0.0.10.in-addr.arpa");
    }

    #[test]
    fn ipv6_reverses_every_nibble() {
        // RFC 3596 §2.5's example, 4321:0:1:2:3:4:567:89ab.
        assert_eq!(
            rev("4321:0:1:2:3:4:567:89ab"),
            "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa"
        );
        assert_eq!(rev("::1").matches('.').count(), 33);
    }
}
