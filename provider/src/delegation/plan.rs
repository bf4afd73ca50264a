//! `r53_delegation` at plan time: configuration checks, the prior spelling of an unchanged set,
//! what forces replacement, and the planned ID, status and external-drift warning.

use r53_plugin::schema::Schema;
use r53_plugin::{AttrPath, Diagnostics, Field, Value};
use r53_zone::name::{normalise, within};

use super::{ns_of, Delegation, Mode};
use crate::common::*;
use crate::domain::ascii_name;

/// Configuration checks: exactly one mode, a valid domain, name servers that need no glue, a ttl only
/// for parent-zone mode.
pub(super) fn validate(config: &Value) -> Diagnostics {
    let mut d = Diagnostics::new();
    let m = match Delegation::from_value(config) {
        Ok(m) => m,
        Err(e) => return e,
    };
    let a = Delegation::ATTR;
    let domain = m.domain.as_str().map(ascii_name);
    if let Some(Err(e)) = &domain {
        d.error_at(at(a.domain), "Invalid domain", e.clone());
    }
    if !m.registrar.is_unknown() && !m.parent_zone_id.is_unknown() {
        if let Err(e) = Mode::of(&m) {
            let p = if m.registrar.is_null() {
                a.parent_zone_id
            } else {
                a.registrar
            };
            d.error_at(at(p), "Invalid delegation", e);
        }
    }
    // Unknown also when a single server is not known yet: check the set once it is.
    if !m.name_servers.is_unknown() {
        let names = m.name_servers.items();
        if names.is_empty() {
            d.error_at(
                at(a.name_servers),
                "No name servers",
                "a delegation needs at least one name server (Route 53 zones have four)",
            );
        }
        for n in names {
            if let Err(e) = r53_zone::Name::parse(&normalise(n)) {
                d.error_at(
                    at(a.name_servers),
                    "Invalid name server",
                    format!("{n:?}: {e}"),
                );
            } else if !normalise(n).contains('.') {
                d.error_at(
                    at(a.name_servers),
                    "Invalid name server",
                    format!("{n:?} is not a host name"),
                );
            }
        }
        if let Some(Ok(dom)) = &domain {
            // In-domain name servers need glue, which these modes do not write.
            for n in names
                .iter()
                .map(|n| normalise(n))
                .filter(|n| within(n, dom))
            {
                d.error_at(
                    at(a.name_servers),
                    "Name server needs glue",
                    format!(
                        "{n} is inside {dom}, so the parent must publish its address (glue). r53_delegation does not \
                         write glue: use r53_registered_domain's name_server blocks (glue_ips) for the registrar, or \
                         A/AAAA records beside the NS record in the parent zone."
                    ),
                );
            }
        }
    }
    if let Some(t) = m.ttl.get() {
        if !(0..=2_147_483_647).contains(&t) {
            d.error_at(
                at(a.ttl),
                "Invalid ttl",
                format!("{t} is outside 0..2147483647"),
            );
        }
        if !m.registrar.is_unknown() && !m.registrar.is_null() {
            d.error_at(
                at(a.ttl),
                "ttl only applies to parent_zone_id",
                "a registrar's delegation TTL is set by the TLD registry",
            );
        }
    }
    if let (Some(Ok(dom)), false) = (&domain, m.dnssec_keys.is_unknown()) {
        for k in m.dnssec_keys.items() {
            if let Err(e) = super::dnssec::parse_key(dom, k) {
                d.error_at(at(a.dnssec_keys), "Invalid DNSSEC key", e);
            }
        }
    }
    if let Some(t) = m.dnssec_max_ttl.get() {
        if !(0..=2_147_483_647).contains(&t) {
            d.error_at(
                at(a.dnssec_max_ttl),
                "Invalid dnssec_max_ttl",
                format!("{t} is outside 0..2147483647"),
            );
        }
    }
    Timeouts::check(&m.timeouts, a.timeouts, &mut d);
    d
}

/// The same set of name servers in another order or case keeps the prior spelling.
pub(super) fn keep_prior_form(prior: &Value, planned: &mut Value) -> bool {
    let Ok((p, mut n)) = Delegation::from_values(prior, planned) else {
        return false;
    };
    if (p.name_servers == n.name_servers
        || n.name_servers.is_unknown()
        || p.name_servers.items().is_empty())
        && p.dnssec_keys == n.dnssec_keys
    {
        return false;
    }
    let mut kept = false;
    if !n.name_servers.is_unknown()
        && !p.name_servers.items().is_empty()
        && ns_of(&p) == ns_of(&n)
        && p.name_servers != n.name_servers
    {
        n.name_servers = p.name_servers.clone();
        kept = true;
    }
    // The configured keys as they were (a set with an unknown element is wholly unknown in the
    // model), unless replaced by their prior spelling below.
    let mut keys = planned.get(Delegation::ATTR.dnssec_keys).clone();
    // The same keys spelled differently (wrapped base64) keep the prior spelling too.
    if let (Some(d), true, true) = (
        n.domain.as_str().and_then(|d| ascii_name(d).ok()),
        n.dnssec_keys.is_known(),
        p.dnssec_keys.is_known() && p.dnssec_keys != n.dnssec_keys,
    ) {
        if super::dnssec::same_keys(&d, p.dnssec_keys.items(), n.dnssec_keys.items()) {
            n.dnssec_keys = p.dnssec_keys;
            keys = n.to_value().get(Delegation::ATTR.dnssec_keys).clone();
            kept = true;
        }
    }
    if kept {
        *planned = n.to_value();
        planned.set(Delegation::ATTR.dnssec_keys, keys);
    }
    kept
}

/// Replacement only for a different domain, registrar or parent zone, compared in their
/// canonical forms.
pub(super) fn replace_paths(schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
    let Ok((p, n)) = Delegation::from_values(prior, planned) else {
        return schema.block.replace_paths(prior, planned);
    };
    let a = Delegation::ATTR;
    let same = |x: &Field<String>, y: &Field<String>, f: &dyn Fn(&str) -> String| match (
        x.as_str(),
        y.as_str(),
    ) {
        (Some(a), Some(b)) => f(a) == f(b),
        _ => x == y,
    };
    let mut out = Vec::new();
    if !same(&p.domain, &n.domain, &|s| {
        ascii_name(s).unwrap_or_else(|_| s.to_string())
    }) {
        out.push(at(a.domain));
    }
    if !same(&p.registrar, &n.registrar, &|s| s.to_string()) {
        out.push(at(a.registrar));
    }
    if !same(
        &p.parent_zone_id,
        &n.parent_zone_id,
        &r53_core::route53::strip_zone_id,
    ) {
        out.push(at(a.parent_zone_id));
    }
    out
}

/// The planned ID, the external-drift warning, and the computed status unknown when the set or ttl
/// changes.
pub(super) fn modify_plan(prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
    // The model holds a set with an unknown element as wholly unknown: Terraform wants the
    // configured value back as it was.
    let keys = planned.get(Delegation::ATTR.dnssec_keys).clone();
    let mut n = match Delegation::from_value(planned) {
        Ok(n) => n,
        Err(e) => return d.extend(e),
    };
    let p = match Delegation::from_nullable(prior) {
        Ok(p) => p,
        Err(e) => return d.extend(e),
    };
    let Ok(mode) = Mode::of(&n) else { return };
    if let Some(Ok(domain)) = n.domain.as_str().map(ascii_name) {
        n.id = Field::Known(mode.id(&domain));
        // External drift: the plan says what the user has to do elsewhere.
        if let Some(p) = p.as_ref().filter(|_| mode == Mode::External) {
            if n.name_servers.is_known() && ns_of(p) != ns_of(&n) {
                let now = ns_of(p);
                d.warning(
                    format!("{domain} is not delegated to the configured name servers"),
                    format!(
                        "The parent zone publishes {} for {domain}. Its registrar is not Route 53, so applying changes \
                         nothing there: set the name servers of {domain} at the registrar to {}.",
                        if now.is_empty() { "no delegation".to_string() } else { now.join(", ") },
                        ns_of(&n).join(", ")
                    ),
                );
            }
        }
    }
    // The DS of the configured keys is known at plan time (the planned `DS` to enter elsewhere).
    if let Some(Ok(domain)) = n.domain.as_str().map(ascii_name) {
        n.ds_records = if n.dnssec_keys.is_unknown() {
            Field::Unknown
        } else {
            Field::Known(super::dnssec::ds_records(&domain, n.dnssec_keys.items()))
        };
    }
    // Any update re-reads the parent's DS and the verdict; without one they stay as they are.
    if p.as_ref().is_none_or(|p| *p != n) {
        n.published_ds = Field::Unknown;
        if n.dnssec_keys.is_null() {
            n.dnssec = Field::Null;
            n.dnssec_reason = Field::Null;
        } else {
            n.dnssec = Field::Unknown;
            n.dnssec_reason = Field::Unknown;
        }
    }
    if p.as_ref()
        .is_none_or(|p| ns_of(p) != ns_of(&n) || p.ttl != n.ttl)
    {
        n.published_name_servers = Field::Unknown;
        n.delegated = Field::Unknown;
        n.status_message = Field::Unknown;
        n.parent_name_servers = Field::Unknown;
        n.parent_zone = Field::Unknown;
    }
    *planned = n.to_value();
    planned.set(Delegation::ATTR.dnssec_keys, keys);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delegation::{schema, DelegationResource};
    use r53_plugin::Resource;

    fn cfg(j: serde_json::Value) -> Value {
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    fn errors(d: &Diagnostics) -> Vec<String> {
        d.0.iter()
            .map(|x| {
                format!(
                    "{}: {}",
                    x.path.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                    x.summary
                )
            })
            .collect()
    }

    #[test]
    fn exactly_one_mode_and_glue_needing_servers_are_refused() {
        let r = DelegationResource;
        let ok = cfg(
            serde_json::json!({"domain": "example.com", "registrar": "route53", "name_servers": ["ns-1.awsdns-01.org"]}),
        );
        assert!(r.validate(&ok).is_empty(), "{:?}", errors(&r.validate(&ok)));
        let both = cfg(
            serde_json::json!({"domain": "example.com", "registrar": "route53", "parent_zone_id": "Z1", "name_servers": ["a.b.c"]}),
        );
        assert_eq!(
            errors(&r.validate(&both)),
            ["registrar: Invalid delegation"]
        );
        let none = cfg(serde_json::json!({"domain": "example.com", "name_servers": ["a.b.c"]}));
        assert_eq!(
            errors(&r.validate(&none)),
            ["parent_zone_id: Invalid delegation"]
        );
        let bad = cfg(
            serde_json::json!({"domain": "com", "registrar": "namecheap", "ttl": 60, "name_servers": ["ns1.com", "x"]}),
        );
        assert_eq!(
            errors(&r.validate(&bad)),
            [
                "domain: Invalid domain",
                "registrar: Invalid delegation",
                "name_servers: Invalid name server",
                "ttl: ttl only applies to parent_zone_id"
            ]
        );
        let glue = cfg(
            serde_json::json!({"domain": "dev.example.com", "parent_zone_id": "Z1", "name_servers": ["ns1.dev.example.com", "ns.other.net"]}),
        );
        assert_eq!(
            errors(&r.validate(&glue)),
            ["name_servers: Name server needs glue"]
        );
    }

    #[test]
    fn reordered_or_recased_servers_keep_the_prior_form() {
        let r = DelegationResource;
        let prior = cfg(
            serde_json::json!({"domain": "example.com", "registrar": "route53", "name_servers": ["a.example.net", "b.example.org"]}),
        );
        let mut planned = cfg(
            serde_json::json!({"domain": "example.com", "registrar": "route53", "name_servers": ["B.EXAMPLE.ORG.", "a.example.net"]}),
        );
        assert!(r.keep_prior_form(&prior, &mut planned));
        let ns = |v: &Value| Delegation::from_value(v).unwrap().name_servers;
        assert_eq!(ns(&planned), ns(&prior));
        let mut changed = cfg(
            serde_json::json!({"domain": "example.com", "registrar": "route53", "name_servers": ["c.example.net"]}),
        );
        assert!(!r.keep_prior_form(&prior, &mut changed));
    }
}
