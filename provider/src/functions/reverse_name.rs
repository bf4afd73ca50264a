//! `provider::r53::reverse_name(ip)`.

use std::net::IpAddr;

use r53_plugin::function::string_arg;
use r53_plugin::{Function, FunctionError, Param, Signature, Type, Value};

pub(crate) struct ReverseName;

impl Function for ReverseName {
    fn name(&self) -> &'static str {
        "reverse_name"
    }

    fn signature(&self) -> Signature {
        Signature {
            params: vec![Param::new(
                "ip",
                Type::String,
                "An IPv4 or IPv6 address, e.g. `192.0.2.10` or `2001:db8::10`.",
            )],
            returns: Type::String,
            summary: "The reverse-DNS (PTR) name of an IP address.",
            description: "Returns the name a PTR record for the address lives at: `10.2.0.192.in-addr.arpa` for \
                `192.0.2.10`, and the 32-nibble `….ip6.arpa` name for an IPv6 address (RFC 3596), lower case \
                without the trailing dot. Use it with `relative_name` to get the record name inside a reverse zone.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let raw = string_arg(args, 0)?;
        let ip: IpAddr = raw.trim().parse().map_err(|_| {
            FunctionError::arg(0, format!("{raw:?} is not an IPv4 or IPv6 address"))
        })?;
        Ok(Value::string(r53_zone::reverse::reverse_name(&ip)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, err_at, s};
    use super::*;

    #[test]
    fn both_families() {
        let r = |ip: &str| {
            call(&ReverseName, &[s(ip)])
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(r("192.0.2.10"), "10.2.0.192.in-addr.arpa");
        assert!(r("2001:db8::10").ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"));
        assert!(r("2001:db8::10").starts_with("0.1.0.0."));
    }

    #[test]
    fn not_an_address() {
        let (at, text) = err_at(&ReverseName, &[s("192.0.2.300")]);
        assert_eq!(at, Some(0));
        assert!(text.contains("192.0.2.300"), "{text}");
    }
}
