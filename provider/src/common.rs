//! Helpers shared by resources: reading config values, turning core errors into diagnostics,
//! and the deadline every operation runs under.

use std::collections::BTreeMap;
use std::time::Duration;

use r53_core::{Call, Error};
use r53_plugin::{AttrPath, Ctx, Diagnostic, Value};

pub const CREATE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const READ_TIMEOUT: Duration = Duration::from_secs(10 * 60);
pub const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub fn call(ctx: &Ctx, timeout: Duration) -> Call {
    Call::new(timeout, ctx.cancel.clone())
}

pub fn opt_str(v: &Value, name: &str) -> Option<String> {
    v.get(name).as_str().map(str::to_string)
}

pub fn opt_i64(v: &Value, name: &str) -> Option<i64> {
    v.get(name).as_i64()
}

pub fn bool_or(v: &Value, name: &str, default: bool) -> bool {
    v.get(name).as_bool().unwrap_or(default)
}

pub fn str_list(v: &Value, name: &str) -> Vec<String> {
    v.get(name)
        .elements()
        .iter()
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect()
}

pub fn str_map(v: &Value, name: &str) -> BTreeMap<String, String> {
    match v.get(name) {
        Value::Map(m) => m
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.to_string(), s.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    }
}

pub fn map_value(m: &BTreeMap<String, String>) -> Value {
    Value::Map(
        m.iter()
            .map(|(k, v)| (k.as_str(), Value::string(v)))
            .collect(),
    )
}

pub fn set_value(items: impl IntoIterator<Item = String>) -> Value {
    Value::Set(items.into_iter().map(Value::String).collect())
}

pub fn list_value(items: impl IntoIterator<Item = String>) -> Value {
    Value::List(items.into_iter().map(Value::String).collect())
}

/// A core error as a diagnostic that names the resource it concerns.
pub fn api_diag(what: &str, e: &Error) -> Diagnostic {
    let summary = match e {
        Error::Cancelled => format!("{what}: interrupted"),
        Error::Timeout { .. } => format!("{what}: timed out"),
        _ => format!("{what} failed"),
    };
    Diagnostic::error(summary, e.to_string())
}

pub fn at(name: &str) -> AttrPath {
    AttrPath::attr(name)
}
