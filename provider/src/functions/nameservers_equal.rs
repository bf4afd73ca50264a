//! `provider::r53::nameservers_equal(a, b)`.

use std::collections::BTreeSet;

use r53_plugin::function::strings_arg;
use r53_plugin::{Function, FunctionError, Param, Signature, Type, Value};
use r53_zone::Name;

/// More names than any delegation has (Route 53 gives 4; registries take up to 13).
const MAX_SERVERS: usize = 64;

pub(crate) struct NameserversEqual;

fn names(args: &[Value], i: usize) -> Result<BTreeSet<Name>, FunctionError> {
    let list = strings_arg(args, i)?;
    if list.len() > MAX_SERVERS {
        return Err(FunctionError::arg(
            i,
            format!("{} names, over the limit of {MAX_SERVERS}", list.len()),
        ));
    }
    list.into_iter()
        .enumerate()
        .map(|(k, n)| {
            Name::from_user(n).map_err(|e| FunctionError::arg(i, format!("element {k}: {e}")))
        })
        .collect()
}

impl Function for NameserversEqual {
    fn name(&self) -> &'static str {
        "nameservers_equal"
    }

    fn signature(&self) -> Signature {
        let p = |name| {
            Param::new(
                name,
                Type::list(Type::String),
                "Name-server host names (a list or set).",
            )
        };
        Signature {
            params: vec![p("a"), p("b")],
            returns: Type::Bool,
            summary: "Whether two name-server sets are the same set, as DNS compares names.",
            description: "Compares two lists of name-server names as a delegation is compared: order, repeats, \
                letter case and a trailing dot do not matter, and Unicode names equal their punycode. \
                `[\"NS-1.awsdns-01.org.\", \"ns-2.awsdns-02.net\"]` equals `[\"ns-2.awsdns-02.net\", \
                \"ns-1.awsdns-01.org\"]`. Each name is checked; an invalid one is an error naming the argument \
                and element. At most 64 names each.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        Ok(Value::Bool(names(args, 0)? == names(args, 1)?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, err_at, list};
    use super::*;

    fn eq(a: &[&str], b: &[&str]) -> bool {
        call(&NameserversEqual, &[list(a), list(b)])
            .unwrap()
            .as_bool()
            .unwrap()
    }

    #[test]
    fn order_case_dots_and_repeats_do_not_matter() {
        assert!(eq(
            &["NS-1.awsdns-01.org.", "ns-2.awsdns-02.net"],
            &[
                "ns-2.awsdns-02.net",
                "ns-1.awsdns-01.org",
                "ns-1.awsdns-01.org."
            ]
        ));
        assert!(eq(&[], &[]));
        assert!(!eq(&["a.example"], &["a.example", "b.example"]));
        assert!(!eq(&["a.example"], &["a.example.net"]));
        assert!(eq(&["ns.bücher.example"], &["ns.xn--bcher-kva.example"]));
    }

    #[test]
    fn a_bad_name_points_at_its_argument() {
        let (at, text) = err_at(
            &NameserversEqual,
            &[list(&["a.example"]), list(&["ok.example", "a..b"])],
        );
        assert_eq!(at, Some(1));
        assert!(text.starts_with("element 1:"), "{text}");
        let many: Vec<String> = (0..65).map(|i| format!("ns{i}.example")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            err_at(&NameserversEqual, &[list(&many), list(&[])]).0,
            Some(0)
        );
    }
}
