//! `provider::r53::fqdn(name, zone)`.

use r53_plugin::function::string_arg;
use r53_plugin::{Function, FunctionError, Param, Signature, Type, Value};

use super::{absolute_in, zone_arg};

pub(crate) struct Fqdn;

impl Function for Fqdn {
    fn name(&self) -> &'static str {
        "fqdn"
    }

    fn signature(&self) -> Signature {
        Signature {
            params: vec![
                Param::new(
                    "name",
                    Type::String,
                    "A record name: relative to the zone (`www`), `@` or `\"\"` for the apex, or already absolute \
                     (`www.example.com`, `www.example.com.`).",
                ),
                Param::new("zone", Type::String, "The zone's name, e.g. `example.com`."),
            ],
            returns: Type::String,
            summary: "The fully qualified name of a record in a zone, normalised.",
            description: "Returns the name in the form r53 stores and compares names: absolute, lower case, \
                without the trailing dot, Unicode labels as punycode (`bücher` → `xn--bcher-kva`). A name that \
                already ends with the zone is taken as absolute; a name ending with a dot must be inside the zone. \
                The result is checked (label and name lengths, characters Route 53 accepts); an error names the \
                argument at fault.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let zone = zone_arg(args, 1)?;
        let name = absolute_in(string_arg(args, 0)?, 0, &zone)?;
        Ok(Value::string(name.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, err_at, s};
    use super::*;

    fn fqdn(n: &str, z: &str) -> String {
        call(&Fqdn, &[s(n), s(z)])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn relative_absolute_and_apex_names() {
        assert_eq!(fqdn("www", "example.com"), "www.example.com");
        assert_eq!(fqdn("WWW.Example.com.", "example.com"), "www.example.com");
        assert_eq!(fqdn("www.example.com", "EXAMPLE.com."), "www.example.com");
        assert_eq!(fqdn("@", "example.com"), "example.com");
        assert_eq!(fqdn("", "example.com"), "example.com");
        assert_eq!(fqdn("*.dev", "example.com"), "*.dev.example.com");
        assert_eq!(fqdn("_dmarc", "example.com"), "_dmarc.example.com");
        assert_eq!(fqdn("bücher", "example.com"), "xn--bcher-kva.example.com");
    }

    #[test]
    fn errors_point_at_the_argument() {
        let (at, text) = err_at(&Fqdn, &[s("www.other.org."), s("example.com")]);
        assert_eq!(at, Some(0));
        assert!(text.contains("not in the zone example.com"), "{text}");
        assert_eq!(err_at(&Fqdn, &[s("www"), s("exa mple.com")]).0, Some(1));
        assert_eq!(err_at(&Fqdn, &[s("a..b"), s("example.com")]).0, Some(0));
        let long = "a".repeat(64);
        assert_eq!(err_at(&Fqdn, &[s(&long), s("example.com")]).0, Some(0));
        // Too long only once the zone is appended.
        let labels = vec!["a".repeat(60); 4].join(".");
        assert_eq!(err_at(&Fqdn, &[s(&labels), s("example.com")]).0, Some(0));
    }
}
