//! Provider-defined functions, called as `provider::r53::NAME(…)` (Terraform >= 1.8, OpenTofu >=
//! 1.7). Each is pure — no provider configuration, no API call — and one file each, with its tests.

use std::sync::Arc;

use r53_plugin::{Function, FunctionError};
use r53_zone::Name;

mod ds_record;
mod fqdn;
mod nameservers_equal;
mod relative_name;
mod reverse_name;
mod txt_strings;
mod txt_value;

/// Every function the provider offers.
pub fn all() -> Vec<Arc<dyn Function>> {
    vec![
        Arc::new(fqdn::Fqdn),
        Arc::new(relative_name::RelativeName),
        Arc::new(txt_strings::TxtStrings),
        Arc::new(txt_value::TxtValue),
        Arc::new(nameservers_equal::NameserversEqual),
        Arc::new(reverse_name::ReverseName),
        Arc::new(ds_record::DsRecord),
    ]
}

/// Text arguments longer than this are refused (the longest DNS value is 65,535 bytes).
pub(crate) const MAX_TEXT: usize = 65_535;

/// The text argument at `i`, within [`MAX_TEXT`].
pub(crate) fn text_arg(args: &[r53_plugin::Value], i: usize) -> Result<&str, FunctionError> {
    let text = r53_plugin::function::string_arg(args, i)?;
    if text.len() > MAX_TEXT {
        return Err(FunctionError::arg(
            i,
            format!(
                "the text is {} bytes, over the limit of {MAX_TEXT}",
                text.len()
            ),
        ));
    }
    Ok(text)
}

/// The zone argument at `i`: a valid absolute name (Unicode converted to punycode).
pub(crate) fn zone_arg(args: &[r53_plugin::Value], i: usize) -> Result<Name, FunctionError> {
    let z = r53_plugin::function::string_arg(args, i)?;
    Name::from_user(z).map_err(|e| FunctionError::arg(i, format!("invalid zone: {e}")))
}

/// `name` as an absolute name in `zone`: "" or "@" is the apex; a name ending in a dot is
/// absolute and must be inside the zone; any other name already ending in the zone is taken as
/// absolute (r53's convention for `name`), the rest are relative.
pub(crate) fn absolute_in(name: &str, name_arg: usize, zone: &Name) -> Result<Name, FunctionError> {
    let t = name.trim();
    if t.is_empty() || t == "@" {
        return Ok(zone.clone());
    }
    let explicit = t.ends_with('.') && !t.ends_with("\\.");
    let n = Name::from_user(t).map_err(|e| FunctionError::arg(name_arg, e.to_string()))?;
    if n.is_subdomain_of(zone) {
        return Ok(n);
    }
    if explicit {
        return Err(FunctionError::arg(
            name_arg,
            format!("{t:?} ends with a dot (absolute) but is not in the zone {zone}"),
        ));
    }
    Name::parse(&format!("{n}.{zone}")).map_err(|e| FunctionError::arg(name_arg, e.to_string()))
}

#[cfg(test)]
pub(crate) mod testing {
    use r53_plugin::{Function, FunctionError, Value};

    pub(crate) fn s(v: &str) -> Value {
        Value::string(v)
    }

    pub(crate) fn list(v: &[&str]) -> Value {
        Value::List(v.iter().map(|x| Value::string(*x)).collect())
    }

    /// Calls `f` and checks the result has the signature's type.
    pub(crate) fn call(f: &dyn Function, args: &[Value]) -> Result<Value, FunctionError> {
        let sig = f.signature();
        assert_eq!(args.len(), sig.params.len(), "test passes every argument");
        let v = f.call(args)?;
        v.to_msgpack(&sig.returns)
            .expect("result has the declared type");
        Ok(v)
    }

    pub(crate) fn err_at(f: &dyn Function, args: &[Value]) -> (Option<usize>, String) {
        let e = call(f, args).unwrap_err();
        (e.argument, e.text)
    }
}
