//! `r53_delegation`: binds a domain (or subdomain) to a set of name servers, and verifies over DNS
//! that the parent publishes them. Three ways to bind: the Route 53 registrar
//! (UpdateDomainNameservers), a parent Route 53 zone (an NS record set) or an external registrar
//! (nothing written; the resource says what to set there and reports the live state).

use std::time::Duration;

use async_trait::async_trait;
use r53_core::dns::delegation::{
    display_zone, normalise_set, wait_published, ParentView, Published, Server, Walker,
};
use r53_core::{Change, NameServer};
use r53_plugin::schema::Schema;
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Failure, Field, Resource, Set, Value};
use r53_zone::name::{normalise, within};
use r53_zone::{RecordSet, RecordType};

use crate::common::*;
use crate::domain::ascii_name;
use crate::meta::Meta;

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
         matches (validating resolvers would fail the domain).";
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

/// What the DNS check found, for the computed attributes.
struct Seen {
    zone: String,
    parent_servers: Vec<String>,
    published: Vec<String>,
    delegated: bool,
    message: String,
}

fn seen(view: &ParentView, want: &[String], mode: &Mode) -> Seen {
    let published = view.agreed().unwrap_or_default();
    let delegated = view.publishes(want);
    let z = display_zone(&view.zone);
    let d = &view.domain;
    let message = if delegated {
        format!("delegated: {z} publishes {}", want.join(", "))
    } else {
        let now = match view.published() {
            _ if !view.consistent() => "inconsistent answers from its servers".to_string(),
            Some(ns) => ns.join(", "),
            None => "no delegation".to_string(),
        };
        let todo = match mode {
            Mode::External => format!(
                "; set the name servers of {d} at its registrar to: {}",
                want.join(", ")
            ),
            _ => String::new(),
        };
        format!("not delegated yet: {z} publishes {now} for {d}{todo}")
    };
    Seen {
        zone: view.zone.clone(),
        parent_servers: view.servers.iter().map(|s| s.name.clone()).collect(),
        published,
        delegated,
        message,
    }
}

fn set_seen(s: &mut Delegation, seen: Option<&Seen>) {
    match seen {
        Some(x) => {
            s.parent_zone = Field::Known(x.zone.clone());
            s.parent_name_servers = Field::Known(x.parent_servers.clone());
            s.published_name_servers = Field::Known(x.published.clone());
            s.delegated = Field::Known(x.delegated);
            s.status_message = Field::Known(x.message.clone());
        }
        None => {
            // Unknown after a failed DNS check: keep nulls rather than stale values.
            fn settle<T>(f: &mut Field<T>, to: Field<T>) {
                if f.is_unknown() {
                    *f = to;
                }
            }
            settle(&mut s.parent_zone, Field::Null);
            settle(&mut s.delegated, Field::Null);
            settle(&mut s.status_message, Field::Null);
            settle(&mut s.parent_name_servers, Field::Known(Vec::new()));
            settle(&mut s.published_name_servers, Field::Known(Vec::new()));
        }
    }
}

impl DelegationResource {
    /// One walk, under the operation's timeout and Terraform's Stop.
    fn walker(meta: &Meta, c: &r53_core::Call) -> Walker {
        Walker::new(meta.dns.clone()).bounded_by(c)
    }

    /// The parent's view: walked from the root, or (parent-zone mode) asked of the parent zone's
    /// own name servers.
    async fn view(
        &self,
        meta: &Meta,
        c: &r53_core::Call,
        w: &Walker,
        mode: &Mode,
        domain: &str,
    ) -> Result<ParentView, Diagnostic> {
        match mode {
            Mode::Parent(zid) => {
                let z = meta
                    .aws
                    .route53
                    .find_hosted_zone_by_id(c, zid)
                    .await
                    .map_err(|e| api_diag(&format!("Reading parent zone {zid}"), &e))?;
                let servers = z
                    .name_servers
                    .iter()
                    .map(|n| Server {
                        name: normalise(n),
                        addrs: Vec::new(),
                    })
                    .collect();
                w.parent_view_at(domain, z.name, servers).await
            }
            _ => w.parent_view(domain).await,
        }
        .map_err(|e| walk_diag(domain, &e))
    }

    /// The live bound name servers: the registrar's set or the parent zone's NS record set
    /// (None: gone); for external, what the parent publishes.
    async fn live(
        &self,
        meta: &Meta,
        c: &r53_core::Call,
        mode: &Mode,
        domain: &str,
        view: Option<&ParentView>,
    ) -> Result<Option<(Vec<String>, Option<i64>)>, Diagnostic> {
        match mode {
            Mode::Registrar => match meta.aws.domains.find_domain_by_name(c, domain).await {
                Ok(d) => Ok(Some((
                    normalise_set(
                        &d.name_servers
                            .iter()
                            .map(|n| n.name.clone())
                            .collect::<Vec<_>>(),
                    ),
                    None,
                ))),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(api_diag(&format!("Reading registered domain {domain}"), &e)),
            },
            Mode::Parent(z) => {
                match meta
                    .aws
                    .route53
                    .find_record_set(c, z, domain, RecordType::Ns, None)
                    .await
                {
                    Ok(r) => Ok(Some((normalise_set(&r.values), r.ttl))),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(api_diag(&format!("Reading NS {domain} in zone {z}"), &e)),
                }
            }
            Mode::External => Ok(view.map(|v| (v.agreed().unwrap_or_default(), None))),
        }
    }

    fn state(
        &self,
        base: &Delegation,
        mode: &Mode,
        domain: &str,
        ns: &[String],
        ttl: Option<i64>,
    ) -> Delegation {
        let mut s = base.clone();
        s.id = Field::Known(mode.id(domain));
        if s.domain.is_null() {
            s.domain = domain.into();
        }
        match mode {
            Mode::Registrar => s.registrar = "route53".into(),
            Mode::External => s.registrar = "external".into(),
            Mode::Parent(z) => {
                if s.parent_zone_id.is_null() {
                    s.parent_zone_id = z.as_str().into();
                }
            }
        }
        // Keep the configured spelling when the set is the same.
        if ns_of(&s) != normalise_set(ns) {
            s.name_servers = Field::Known(ns.iter().cloned().collect());
        }
        if let Mode::Parent(_) = mode {
            let live = ttl.unwrap_or(DEFAULT_TTL);
            if s.ttl.get().unwrap_or(DEFAULT_TTL) != live {
                s.ttl = Field::Known(live);
            }
        }
        s
    }

    async fn apply(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        creating: bool,
        planned: &Delegation,
        timeout: Duration,
    ) -> Result<Value, Failure> {
        let mode = Mode::of(planned).map_err(|e| Diagnostic::error("Invalid delegation", e))?;
        let domain = ascii_name(planned.domain.as_str().unwrap_or_default())
            .map_err(|e| Diagnostic::error("Invalid domain", e))?;
        let want = ns_of(planned);
        let c = call(ctx, timeout);
        let w = Self::walker(meta, &c);
        let what = format!("{TYPE_NAME} {domain}");

        // Preflight: the parent's view, the targets' answers, DS.
        let view = self.view(meta, &c, &w, &mode, &domain).await?;
        if let Mode::Parent(zid) = &mode {
            if !within(&domain, &view.zone) || domain == view.zone {
                return Err(Diagnostic::error(
                    "Subdomain outside its parent zone",
                    format!("{domain} is not a subdomain of {} (zone {zid})", view.zone),
                )
                .at(at(Delegation::ATTR.domain))
                .into());
            }
        }
        let switching = !view.publishes(&want);
        if switching {
            let pre = w
                .preflight(&view, &want)
                .await
                .map_err(|e| walk_diag(&domain, &e))?;
            if !pre.unmatched_ds.is_empty() {
                return Err(Diagnostic::error(
                    format!("{domain}: the parent publishes DS records the new name servers cannot satisfy"),
                    format!(
                        "{} publishes DS {} for {domain}, and no DNSKEY served by {} matches it. Switching now would make \
                         {domain} fail DNSSEC validation (SERVFAIL for validating resolvers). Remove the DS record at the \
                         registrar first (Route 53 Domains: disassociate the DNSSEC key) and wait for its TTL, or sign the \
                         new zone and publish its DS, then apply again. Nothing was changed.",
                        display_zone(&view.zone),
                        pre.unmatched_ds.join(" | "),
                        want.join(", ")
                    ),
                )
                .into());
            }
            if !pre.lame.is_empty() {
                let each: Vec<String> = pre
                    .lame
                    .iter()
                    .map(|(n, why)| format!("  - {n}: {why}"))
                    .collect();
                ctx.warn(Diagnostic::warning(
                    format!("{domain}: lame delegation — not every target name server answers for it"),
                    format!(
                        "These name servers do not answer authoritatively for {domain}:\n{}\nResolvers that ask them \
                         will get errors or stale answers. Make sure the zone exists on them (for Route 53: the hosted \
                         zone whose name_servers these are) before relying on this delegation.",
                        each.join("\n")
                    ),
                ));
            }
        }

        // The write.
        match &mode {
            Mode::Registrar => {
                let dm = &meta.aws.domains;
                let Some((current, _)) = self.live(meta, &c, &mode, &domain, None).await? else {
                    return Err(Diagnostic::error(
                        format!("{what} failed"),
                        format!("{domain} is not registered with Route 53 Domains in this account"),
                    )
                    .into());
                };
                if current != want {
                    let servers: Vec<NameServer> = want
                        .iter()
                        .map(|n| NameServer {
                            name: n.clone(),
                            glue_ips: Vec::new(),
                        })
                        .collect();
                    let op = dm
                        .update_name_servers(&c, &domain, &servers)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                    dm.wait_operation_successful(&c, &op)
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                }
            }
            Mode::Parent(zid) => {
                let ttl = planned.ttl.get().unwrap_or(DEFAULT_TTL);
                let live = self.live(meta, &c, &mode, &domain, None).await?;
                if live.as_ref() != Some(&(want.clone(), Some(ttl))) {
                    let set = RecordSet {
                        name: domain.clone(),
                        ty: RecordType::Ns,
                        ttl: Some(ttl),
                        values: want.iter().map(|n| format!("{n}.")).collect(),
                        alias: None,
                        set_identifier: None,
                        routing: None,
                        health_check_id: None,
                    };
                    let r = &meta.aws.route53;
                    let id = r
                        .change_record_sets(
                            &c,
                            zid,
                            &[Change::Upsert(set)],
                            &format!("r53_delegation {domain}"),
                        )
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                    r.wait_change_insync(&c, id.as_ref())
                        .await
                        .map_err(|e| api_diag(&what, &e))?;
                }
            }
            Mode::External => {}
        }
        let mut state = planned.clone();

        // Wait for the parent to publish.
        let wait = planned
            .wait_for_delegation
            .get()
            .unwrap_or(mode.waits_by_default());
        let mut view = view;
        if wait && !view.publishes(&want) {
            let waited = wait_published(
                &want,
                Some(view.clone()),
                c.deadline,
                &ctx.cancel,
                (Duration::from_secs(1), Duration::from_secs(15)),
                // A fresh walk per look: the query budget is per walk, not per wait.
                || async {
                    let w = Self::walker(meta, &c);
                    self.view(meta, &c, &w, &mode, &domain).await
                },
                |_| {},
            )
            .await;
            let (last, why) = match waited {
                Published::Yes(v) => (Some(v), None),
                Published::TimedOut(v) => (v, Some("timed out")),
                Published::Cancelled(v) => (v, Some("interrupted")),
            };
            if let Some(v) = last {
                view = v;
            }
            if let Some(why) = why {
                let now = seen(&view, &want, &mode);
                set_seen(&mut state, Some(&now));
                let d = Diagnostic::error(
                    format!("{what}: {why} waiting for the parent to publish the delegation"),
                    format!(
                        "{}. The change itself was made; DNS publication can lag (TLD registries push their zones \
                         on their own schedule). Apply again to keep waiting, or raise timeouts.",
                        now.message
                    ),
                );
                return Err(if creating && mode == Mode::External {
                    Failure::from(d)
                } else {
                    Failure::with_partial(d, state.to_value())
                });
            }
        }
        let s = seen(&view, &want, &mode);
        set_seen(&mut state, Some(&s));
        state.id = Field::Known(mode.id(&domain));
        if !s.delegated {
            if planned.fail_if_not_delegated.get() == Some(true) {
                let d = Diagnostic::error(format!("{domain} is not delegated"), s.message.clone())
                    .at(at(Delegation::ATTR.fail_if_not_delegated));
                return Err(if creating && mode == Mode::External {
                    Failure::from(d)
                } else {
                    Failure::with_partial(d, state.to_value())
                });
            }
            if mode == Mode::External || !wait {
                ctx.warn(Diagnostic::warning(
                    format!("{domain} is not delegated to these name servers yet"),
                    s.message.clone(),
                ));
            }
        }
        Ok(state.to_value())
    }

    async fn read_state(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        mode: &Mode,
        domain: &str,
        base: &Delegation,
    ) -> Result<Option<Value>, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        let w = Self::walker(meta, &c);
        let view = match self.view(meta, &c, &w, mode, domain).await {
            Ok(v) => Some(v),
            Err(d) => {
                // A DNS failure should not stop a plan of everything else: warn, keep the state.
                ctx.warn(Diagnostic::warning(d.summary.clone(), d.detail.clone()));
                None
            }
        };
        let Some((ns, ttl)) = self.live(meta, &c, mode, domain, view.as_ref()).await? else {
            if *mode == Mode::External {
                // No DNS answer: nothing known; keep the state as it is.
                return Ok(Some(base.to_value()));
            }
            return Ok(None);
        };
        let mut s = self.state(base, mode, domain, &ns, ttl);
        let want = ns_of(&s);
        let seen = view.as_ref().map(|v| seen(v, &want, mode));
        set_seen(&mut s, seen.as_ref());
        Ok(Some(s.to_value()))
    }
}

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

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
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
        Timeouts::check(&m.timeouts, a.timeouts, &mut d);
        d
    }

    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        let Ok((p, mut n)) = Delegation::from_values(prior, planned) else {
            return false;
        };
        if p.name_servers == n.name_servers
            || n.name_servers.is_unknown()
            || p.name_servers.items().is_empty()
        {
            return false;
        }
        if ns_of(&p) == ns_of(&n) {
            n.name_servers = p.name_servers;
            *planned = n.to_value();
            return true;
        }
        false
    }

    fn replace_paths(&self, schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
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

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
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
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = Delegation::from_value(&planned)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.create, CREATE_TIMEOUT);
        self.apply(meta, ctx, true, &m, t).await
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
        self.read_state(meta, ctx, &mode, &domain, &m).await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let m = Delegation::from_value(&planned)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.update, CREATE_TIMEOUT);
        self.apply(meta, ctx, false, &m, t).await
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
                let id = r
                    .change_record_sets(&c, &zid, &[Change::Delete(live)], &format!("r53_delegation {domain} destroyed"))
                    .await
                    .map_err(|e| api_diag(&what, &e))?;
                r.wait_change_insync(&c, id.as_ref()).await.map_err(|e| api_diag(&what, &e))?;
                Ok(Diagnostics::new())
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
        match self.read_state(meta, ctx, &mode, &domain, &base).await? {
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
    fn reordered_or_recased_servers_keep_the_prior_form_and_ids_round_trip() {
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
