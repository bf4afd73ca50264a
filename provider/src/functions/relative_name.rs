//! `provider::r53::relative_name(name, zone)`.

use r53_plugin::function::string_arg;
use r53_plugin::{Function, FunctionError, Param, Signature, Type, Value};

use super::{absolute_in, zone_arg};

pub(crate) struct RelativeName;

impl Function for RelativeName {
    fn name(&self) -> &'static str {
        "relative_name"
    }

    fn signature(&self) -> Signature {
        Signature {
            params: vec![
                Param::new(
                    "name",
                    Type::String,
                    "A record name, absolute (`www.example.com`) or already relative (`www`).",
                ),
                Param::new("zone", Type::String, "The zone's name, e.g. `example.com`."),
            ],
            returns: Type::String,
            summary: "A record's name relative to its zone (`@` at the apex).",
            description: "The inverse of `fqdn`: `www.example.com` in `example.com` is `www`, the apex is `@` (the \
                zone-file spelling), lower case, Unicode labels as punycode. The name is read the way `fqdn` reads \
                it, so a name ending with a dot must be inside the zone.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let zone = zone_arg(args, 1)?;
        let name = absolute_in(string_arg(args, 0)?, 0, &zone)?;
        let rel = r53_zone::relative_to_zone(name.as_str(), zone.as_str());
        Ok(Value::string(if rel.is_empty() { "@".into() } else { rel }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, err_at, s};
    use super::*;

    fn rel(n: &str, z: &str) -> String {
        call(&RelativeName, &[s(n), s(z)])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn names_relative_to_the_zone() {
        assert_eq!(rel("www.example.com", "example.com"), "www");
        assert_eq!(rel("A.B.Example.COM.", "example.com"), "a.b");
        assert_eq!(rel("example.com", "example.com"), "@");
        assert_eq!(rel("www", "example.com"), "www");
        assert_eq!(rel("@", "example.com"), "@");
    }

    #[test]
    fn a_name_outside_the_zone_is_refused() {
        let (at, text) = err_at(&RelativeName, &[s("example.org."), s("example.com")]);
        assert_eq!(at, Some(0));
        assert!(text.contains("not in the zone"), "{text}");
    }
}
