//! Helpers shared by resources: reading config values, turning core errors into diagnostics,
//! and the deadline every operation runs under.

use std::time::Duration;

use r53_core::{Call, Error};
use r53_plugin::{AttrPath, Ctx, Diagnostic, Field};

pub(crate) const CREATE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(10 * 60);
pub(crate) const DELETE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

pub fn call(ctx: &Ctx, timeout: Duration) -> Call {
    Call::new(timeout, ctx.cancel.clone())
}

/// Attribute `name`'s value `f` when it is known and within `range`; outside it, an error at the
/// attribute ("must be from A to B, not N") and None.
pub(crate) fn int_in(
    f: &Field<i64>,
    name: &str,
    range: std::ops::RangeInclusive<i64>,
    d: &mut r53_plugin::Diagnostics,
) -> Option<i64> {
    let n = f.get()?;
    if range.contains(&n) {
        return Some(n);
    }
    d.error_at(
        at(name),
        format!("Invalid {name}"),
        format!("must be from {} to {}, not {n}", range.start(), range.end()),
    );
    None
}

/// A core error as a diagnostic that names the resource it concerns.
pub(crate) fn api_diag(what: &str, e: &Error) -> Diagnostic {
    let summary = match e {
        e if e.is_cancelled() => format!("{what}: interrupted"),
        Error::Timeout { .. } => format!("{what}: timed out"),
        _ => format!("{what} failed"),
    };
    Diagnostic::error(summary, e.to_string())
}

/// A find's answer: None when the thing is gone ([`Error::NotFound`]), another error as a
/// diagnostic of `what`.
pub(crate) fn unless_gone<T>(
    r: Result<T, Error>,
    what: impl FnOnce() -> String,
) -> Result<Option<T>, r53_plugin::Diagnostics> {
    match r {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(api_diag(&what(), &e).into()),
    }
}

pub fn at(name: &str) -> AttrPath {
    AttrPath::attr(name)
}

r53_plugin::model! {
    /// A `timeouts { create = "…" update = "…" delete = "…" }` block, as Terraform users know it.
    pub struct Timeouts / TimeoutsAttrs {
        description: "Time limits for the operations, including waiting for the registrar's asynchronous operations.";
        attributes {
            create: String [optional] "How long creating (registering or adopting) and applying the settings may take, e.g. `45m` or `2h` (units s, m, h).",
            update: String [optional] "How long an update may take, e.g. `45m` or `2h` (units s, m, h).",
            delete: String [optional] "How long deleting may take, e.g. `45m` or `2h` (units s, m, h).",
        }
    }
}

/// The `timeouts` block, its descriptions ending with the resource's `defaults`.
pub fn timeouts_block(defaults: &str) -> r53_plugin::schema::Block {
    let mut b = Timeouts::block();
    for a in &mut b.attributes {
        a.description = format!("{} {defaults}", a.description);
    }
    b
}

pub use r53_core::parse_duration;

impl Timeouts {
    /// The timeout `pick` chooses from a resource's `timeouts` block, or `default`.
    pub fn of(
        block: &Field<Vec<Timeouts>>,
        pick: impl Fn(&Timeouts) -> &Field<String>,
        default: Duration,
    ) -> Duration {
        block
            .items()
            .first()
            .and_then(|t| pick(t).as_str())
            .and_then(|s| parse_duration(s).ok())
            .unwrap_or(default)
    }

    /// Validation of a `timeouts` block (the resource's attribute `attr`), with the paths.
    pub fn check(block: &Field<Vec<Timeouts>>, attr: &str, d: &mut r53_plugin::Diagnostics) {
        if let Some(t) = block.items().first() {
            let a = Timeouts::ATTR;
            for (op, v) in [
                (a.create, &t.create),
                (a.update, &t.update),
                (a.delete, &t.delete),
            ] {
                if let Some(Err(e)) = v.as_str().map(parse_duration) {
                    d.error_at(at(attr).index(0).then(op), "Invalid timeout", e);
                }
            }
        }
    }
}

/// A failed DNS walk as a diagnostic: a stopped walk says so; anything else points at the settings.
pub(crate) fn walk_diag(domain: &str, e: &r53_core::dns::DnsError) -> Diagnostic {
    use r53_core::dns::DnsError;
    let detail = match e {
        DnsError::Cancelled => format!("{e}: Terraform asked the provider to stop."),
        DnsError::WalkDeadline { .. } => {
            format!("{e}. Raise the resource's timeouts if the parent's servers are slow.")
        }
        _ => format!("{e}. Check the provider's dns settings (root_hints, port, resolvers) and that DNS (UDP and TCP) is reachable."),
    };
    Diagnostic::error(
        format!("Cannot check the delegation of {domain} over DNS"),
        detail,
    )
}
