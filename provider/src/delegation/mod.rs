//! `r53_delegation`: binds a domain (or subdomain) to a set of name servers, and verifies over DNS
//! that the parent publishes them. Three ways to bind: the Route 53 registrar
//! (UpdateDomainNameservers), a parent Route 53 zone (an NS record set) or an external registrar
//! (nothing written; the resource says what to set there and reports the live state).
//!
//! Here: the schema, the three modes and their IDs, and the Terraform calls (delete and import in
//! full). `plan` holds the plan-time checks and diffs, `live` reads the parent's view and the bound
//! name servers into state, `apply` is create and update (preflight, write, wait).

use async_trait::async_trait;
use r53_core::dns::delegation::normalise_set;
use r53_core::Change;
use r53_plugin::schema::Schema;
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Failure, Resource, Set, Value};
use r53_zone::RecordType;

use crate::common::*;
use crate::domain::ascii_name;
use crate::meta::Meta;

mod apply;
mod dnssec;
mod live;
mod plan;

const DEFAULT_TTL: i64 = 172_800;
pub(crate) const TYPE_NAME: &str = "r53_delegation";

r53_plugin::model! {
    /// The configuration and state of `r53_delegation`.
    pub struct Delegation / DelegationAttrs {
        description: "Binds a domain (or subdomain) to a set of name servers — usually a hosted zone's `name_servers` — and \
         verifies over DNS that the parent zone publishes them. Exactly one of:\n\n\
         * `registrar = \"route53\"`: the domain is registered with Route 53 Domains; its name servers are changed \
         (UpdateDomainNameservers, only when the set really differs) and the operation waited for.\n\
         * `parent_zone_id = ...`: a subdomain delegated from a Route 53 parent zone, written as the NS record set \
         there (use a provider alias for a parent zone in another account).\n\
         * `registrar = \"external\"`: the domain is registered elsewhere. Nothing is written: the resource says \
         exactly which name servers to set at that registrar and reports whether the parent publishes them; a \
         mismatch shows in the plan, and `fail_if_not_delegated` makes it an error.\n\n\
         Before switching it warns when a target name server does not answer authoritatively for the domain (a \
         lame delegation) and refuses when the parent publishes a DS record no DNSKEY served by the targets \
         matches (validating resolvers would fail the domain). With `dnssec_keys` it also publishes the zone's DS at \
         the parent in the only safe order, checked over DNS at every step, and removes it in the reverse order \
         (see `dnssec_keys`).";
        attributes {
            id: String [computed] "`route53:<domain>`, `external:<domain>` or `<parent_zone_id>:<domain>` (also the import ID).",
            domain: String [required, force_new] "The domain or subdomain to delegate, e.g. `example.com` or `dev.example.com`. Case and a trailing dot do not matter; Unicode is converted to its `xn--` form.",
            name_servers: Set<String> [required] "The name servers the domain should be delegated to, typically `r53_hosted_zone.<name>.name_servers`. Order, case and trailing dots do not matter.",
            registrar: String [optional, force_new] "`route53` (Route 53 Domains holds the registration) or `external` (another registrar does). Conflicts with `parent_zone_id`.",
            parent_zone_id: String [optional, force_new] "ID of the Route 53 hosted zone that delegates this subdomain (the NS record set is written there). Conflicts with `registrar`.",
            ttl: i64 [optional] "TTL of the NS record set in the parent zone (`parent_zone_id` only). Default 172800 (two days, like the TLDs).",
            wait_for_delegation: bool [optional] "Wait, within the timeout, until every server of the parent zone publishes exactly these name servers (queried over DNS). Default `true` with `registrar = \"route53\"` and `parent_zone_id`, `false` with `registrar = \"external\"`.",
            fail_if_not_delegated: bool [optional] "Fail the apply when, after any wait, the parent does not publish these name servers (with `registrar = \"external\"`: until the delegation has been changed at the other registrar). Default `false`: a warning.",
            parent_zone: String [computed] "The parent zone found over DNS (e.g. `com`).",
            parent_name_servers: Vec<String> [computed] "The parent zone's servers that were asked.",
            published_name_servers: Vec<String> [computed] "The name servers the parent publishes for the domain now (sorted; empty when it publishes no delegation or its servers disagree).",
            delegated: bool [computed] "Whether every server of the parent zone publishes exactly `name_servers`.",
            status_message: String [computed] "What the delegation looks like, in words; with `registrar = \"external\"` and no delegation yet, which name servers to set at the registrar.",
            dnssec_keys: Set<String> [optional] "The zone's key-signing keys as DNSKEY record data (`257 3 13 <base64>`), usually `[r53_key_signing_key.<name>.dnskey_record]`: their DS records are published at the parent in the safe order — every name server in `name_servers` serves the zone signed by these keys (checked over DNS), the zone's maximum TTL passes, the DS is published (Route 53 registrar: the key is associated; parent zone: the DS record set, with `ttl`; external: the DS to enter at the registrar is printed), every parent server publishes it, the chain validates from the provider's trust anchors, and the NS TTL passes. An empty set removes the DS in the reverse order (unpublished, gone from every parent server, then the DS TTL), after which the zone may stop signing. A key rollover adds the new DS before removing the old; a change of `name_servers` removes DS records the new servers cannot satisfy before switching. Unset: DS records are not managed here. In the state, `DS <tag> <alg> <digest type> <digest>` is a DS the parent holds that no key matches (the plan then shows its removal).",
            dnssec_max_ttl: i64 [optional] "Seconds to wait after every name server serves the zone signed, before the DS is published, so that no resolver still holds an answer cached unsigned: the longest TTL in the zone. Default: the longest of the zone's apex SOA and NS TTLs and its negative TTL (SOA minimum) as the name servers serve them (records with longer TTLs need this set). `0` when the zone has been signed for longer than its TTLs.",
            ds_records: Vec<String> [computed] "The DS records (SHA-256) of `dnssec_keys` for this domain, `<key tag> <algorithm> 2 <digest>`: what the parent publishes (with `registrar = \"external\"`, what to enter at the registrar).",
            published_ds: Vec<String> [computed] "The DS records every parent server publishes now (same form; empty when none, or when its servers disagree).",
            dnssec: String [computed] "With `dnssec_keys` set: what a validating resolver concludes about the domain, checked in process from the provider's trust anchors — `secure`, `insecure`, `bogus` or `indeterminate`. Null when `dnssec_keys` is unset.",
            dnssec_reason: String [computed] "Why `dnssec` is not `secure` (where the chain ends or breaks); null when secure.",
        }
        blocks {
            timeouts: Vec<Timeouts> [0, 1] => timeouts_block("Defaults: create 30m, update 30m, delete 30m."),
        }
    }
}

pub fn schema() -> Schema {
    Schema::new(0, Delegation::block())
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Mode {
    Registrar,
    External,
    Parent(String),
}

impl Mode {
    fn of(m: &Delegation) -> Result<Mode, String> {
        match (m.registrar.as_str(), m.parent_zone_id.string()) {
            (Some("route53"), None) => Ok(Mode::Registrar),
            (Some("external"), None) => Ok(Mode::External),
            (None, Some(z)) => Ok(Mode::Parent(r53_core::route53::strip_zone_id(&z))),
            (Some(r), None) => Err(format!(
                "registrar must be \"route53\" or \"external\", not {r:?}"
            )),
            (Some(_), Some(_)) => Err("set either registrar or parent_zone_id, not both".into()),
            (None, None) => Err(
                "set registrar = \"route53\", registrar = \"external\" or parent_zone_id".into(),
            ),
        }
    }

    fn id(&self, domain: &str) -> String {
        match self {
            Mode::Registrar => format!("route53:{domain}"),
            Mode::External => format!("external:{domain}"),
            Mode::Parent(z) => format!("{z}:{domain}"),
        }
    }

    fn waits_by_default(&self) -> bool {
        !matches!(self, Mode::External)
    }
}

fn ns_of(m: &Delegation) -> Vec<String> {
    normalise_set(m.name_servers.items())
}

pub(crate) struct DelegationResource;
fn parse_id(id: &str) -> Result<(Mode, String), String> {
    let (m, d) = id.split_once(':').unwrap_or(("route53", id));
    let mode = match m {
        "route53" => Mode::Registrar,
        "external" => Mode::External,
        z if !z.is_empty() => Mode::Parent(r53_core::route53::strip_zone_id(z)),
        _ => return Err("empty mode".into()),
    };
    Ok((mode, ascii_name(d)?))
}

#[async_trait]
impl Resource<Meta> for DelegationResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        use r53_plugin::IdentityAttr as A;
        Some(r53_plugin::Identity::new(vec![
            A::required("domain", "The delegated domain or subdomain."),
            A::optional("registrar", "`route53` or `external` (registrar modes)."),
            A::optional(
                "parent_zone_id",
                "The parent hosted zone's ID (parent-zone mode).",
            ),
        ]))
    }

    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        let part = |k: &str| identity.get(k).as_str().filter(|s| !s.is_empty());
        match (part("domain"), part("registrar"), part("parent_zone_id")) {
            (Some(d), None, Some(z)) => Ok(format!("{z}:{d}")),
            (Some(d), Some(r), None) => Ok(format!("{r}:{d}")),
            _ => Err(Diagnostic::error(
                "Invalid import identity",
                "set `domain` and exactly one of `registrar` (route53 or external) and `parent_zone_id`",
            )
            .into()),
        }
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        plan::validate(config)
    }

    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        plan::keep_prior_form(prior, planned)
    }

    fn replace_paths(&self, schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        plan::replace_paths(schema, prior, planned)
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        plan::modify_plan(prior, planned, d)
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = Delegation::from_value(&planned)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.create, CREATE_TIMEOUT);
        self.apply(meta, ctx, None, &m, t).await
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = Delegation::from_value(state)?;
        let mode = Mode::of(&m).map_err(|e| Diagnostic::error("Invalid state", e))?;
        let domain = ascii_name(m.domain.as_str().unwrap_or_default())
            .map_err(|e| Diagnostic::error("Invalid state", e))?;
        self.read_state(meta, ctx, &mode, &domain, &m, false).await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let m = Delegation::from_value(&planned)?;
        let p = Delegation::from_value(prior)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.update, CREATE_TIMEOUT);
        self.apply(meta, ctx, Some(&p), &m, t).await
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = Delegation::from_value(prior)?;
        let mode = Mode::of(&m).map_err(|e| Diagnostic::error("Invalid state", e))?;
        let domain = m
            .domain
            .as_str()
            .and_then(|d| ascii_name(d).ok())
            .unwrap_or_default();
        match mode {
            Mode::Registrar => Ok(Diagnostic::warning(
                format!("{domain} stays delegated"),
                format!(
                    "r53_delegation for {domain}: removed from the Terraform state only. The registrar keeps pointing \
                     {domain} at {} — taking a live domain's name servers away would take it off the Internet. Change \
                     them with another r53_delegation (or r53_registered_domain) when you move the domain.",
                    ns_of(&m).join(", ")
                ),
            )
            .into()),
            Mode::External => Ok(Diagnostics::new()),
            Mode::Parent(zid) => {
                let t = Timeouts::of(&m.timeouts, |t| &t.delete, DELETE_TIMEOUT);
                let c = call(ctx, t);
                let what = format!("Removing the delegation of {domain} from zone {zid}");
                let r = &meta.aws.route53;
                let live = match r.find_record_set(&c, &zid, &domain, RecordType::Ns, None).await {
                    Ok(s) => s,
                    Err(e) if e.is_not_found() => return Ok(Diagnostics::new()),
                    Err(e) => return Err(api_diag(&what, &e).into()),
                };
                // A DS at the cut goes with the delegation: without its NS it vouches for nothing.
                let mut changes = vec![Change::Delete(live)];
                let mut ds_ttl = None;
                match r.find_record_set(&c, &zid, &domain, RecordType::Ds, None).await {
                    Ok(ds) => {
                        ds_ttl = Some(ds.ttl.unwrap_or(DEFAULT_TTL));
                        changes.push(Change::Delete(ds));
                    }
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(api_diag(&what, &e).into()),
                }
                let id = r
                    .change_record_sets(&c, &zid, &changes, &format!("r53_delegation {domain} destroyed"))
                    .await
                    .map_err(|e| api_diag(&what, &e))?;
                r.wait_change_insync(&c, id.as_ref()).await.map_err(|e| api_diag(&what, &e))?;
                // Resolvers may hold the DS for its TTL and still expect the zone signed: wait it
                // out before what depended on this delegation (the zone's signing) goes.
                let Some(ttl) = ds_ttl else {
                    return Ok(Diagnostics::new());
                };
                let ttl = std::time::Duration::from_secs(u64::try_from(ttl).unwrap_or(0));
                let left = c.deadline.saturating_duration_since(std::time::Instant::now());
                if left > ttl {
                    tokio::select! {
                        _ = tokio::time::sleep(ttl) => return Ok(Diagnostics::new()),
                        _ = ctx.cancel.cancelled() => {}
                    }
                }
                Ok(Diagnostic::warning(
                    format!("{domain}: keep its zone signed for {}s more", ttl.as_secs()),
                    format!(
                        "The DS of {domain} was removed with its delegation, but resolvers may hold it for its TTL \
                         ({}s) and still expect signatures; this destroy could not wait that long. Turn the zone's \
                         signing off only after that time.",
                        ttl.as_secs()
                    ),
                )
                .into())
            }
        }
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let (mode, domain) = parse_id(id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid import ID",
                format!("expected route53:<domain>, external:<domain> or <parent_zone_id>:<domain>: {e}"),
            ))
        })?;
        let base = Delegation {
            domain: domain.as_str().into(),
            ..Default::default()
        };
        match self
            .read_state(meta, ctx, &mode, &domain, &base, true)
            .await?
        {
            Some(s) => Ok(s),
            None => Err(Diagnostic::error(
                "Cannot import delegation",
                match mode {
                    Mode::Registrar => {
                        format!("{domain} is not registered with Route 53 Domains in this account")
                    }
                    Mode::Parent(z) => format!("zone {z} has no NS record set for {domain}"),
                    Mode::External => format!("{domain}: no answer from the parent over DNS"),
                },
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for id in [
            "route53:example.com",
            "external:example.com",
            "Z123:dev.example.com",
        ] {
            let (m, d) = parse_id(id).unwrap();
            assert_eq!(m.id(&d), id);
        }
        assert_eq!(
            parse_id("/hostedzone/Z9:Dev.Example.com.").unwrap().0,
            Mode::Parent("Z9".into())
        );
    }
}
