//! `r53_registered_domain`: a domain registered with Route 53 Domains (the registrar role).
//!
//! Adopts an existing registration by default; buys one only with `register = true`. Destroy
//! removes it from state and leaves it registered unless `deregister_on_destroy = true`: a
//! purchased domain is the one object a provider must never lose by accident.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use r53_core::domains::{check_contact, redact_contacts, OperationId, CONTACT_FIELDS};
use r53_core::{Contact, ContactRole, NameServer, RegisteredDomain, Registration};
use r53_plugin::framework::Failure;
use r53_plugin::schema::{Attribute, Block, Nesting, Schema};
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Resource, Type, Value};

use crate::common::*;
use crate::domain::{
    ascii_domain, check_domain_name, configured_domain, set_contacts, set_registration,
};
use crate::meta::Meta;
use r53_zone::name::{normalise, within};

pub struct RegisteredDomainResource;

pub const TYPE_NAME: &str = "r53_registered_domain";

/// Comment Route 53 gives the hosted zone it creates when a domain is registered.
const REGISTRAR_ZONE_COMMENT: &str = "HostedZone created by Route53 Registrar";

pub fn contact_description(role: &str) -> String {
    let fields: Vec<String> = CONTACT_FIELDS
        .iter()
        .map(|(f, req, d)| {
            format!(
                "`{f}`{} ({})",
                if *req { " (required)" } else { "" },
                d.trim_end_matches('.')
            )
        })
        .collect();
    format!(
        "The {role} contact, as a map of field to value: {}. Sensitive (personal data). Unset: not managed \
         (the registrar keeps what it has, and the state holds none of it: personal data is in the state only \
         where the configuration puts it). Changing it emails the registrant.",
        fields.join(", ")
    )
}

pub fn schema() -> Schema {
    let mut b = Block::new(
        "A domain registered with Route 53 Domains: its contacts and their privacy, auto-renewal, transfer lock, \
         name servers (with glue) and tags. By default it **adopts** a domain already registered in the account; \
         `register = true` buys it. **Destroying it only removes it from the Terraform state** (with a warning): \
         the domain stays registered, and keeps renewing if auto-renew is on. Deregistration happens only with \
         `deregister_on_destroy = true`. Every asynchronous registrar change waits for its operation to succeed \
         and reports the registrar's message when it fails.",
    )
    .attr(Attribute::new("id", Type::String, "The domain name in ASCII (A-label) form.").computed())
    .attr(
        Attribute::new(
            "domain_name",
            Type::String,
            "The registered domain, e.g. `example.com`. Case and a trailing dot do not matter; an internationalised \
             name may be written in Unicode (it is registered in its `xn--` form, shown in `id`).",
        )
        .required()
        .force_new(),
    )
    .attr(Attribute::new(
        "register",
        Type::Bool,
        "Buy the domain when it is not yet registered in this account (needs `admin_contact`, `registrant_contact` \
         and `tech_contact`). Default `false`: creation adopts an existing registration and fails if there is none. \
         Only used at creation.",
    ).optional())
    .attr(Attribute::new(
        "duration_in_years",
        Type::Number,
        "With `register = true`: the registration period in years, 1 to 10. Default 1.",
    ).optional())
    .attr(Attribute::new(
        "deregister_on_destroy",
        Type::Bool,
        "Delete the registration (give the domain up, irreversibly) when this resource is destroyed. Default `false`: \
         destroy only removes it from state.",
    ).optional())
    .attr(Attribute::new("auto_renew", Type::Bool, "Renew the domain automatically before it expires. Unset: not managed.").optional_computed())
    .attr(Attribute::new(
        "transfer_lock",
        Type::Bool,
        "Lock the domain against transfers to another registrar (`clientTransferProhibited`). Unset: not managed.",
    ).optional_computed());
    for role in ContactRole::ALL {
        b = b.attr(
            Attribute::new(
                &format!("{}_contact", role.key()),
                Type::map(Type::String),
                &contact_description(role.key()),
            )
            // Not computed: an unset contact stays null in state instead of a copy of the
            // registrar's personal data.
            .optional()
            .sensitive(),
        );
    }
    for role in ContactRole::ALL {
        b = b.attr(
            Attribute::new(
                &format!("{}_privacy", role.key()),
                Type::Bool,
                &format!(
                    "Hide the {} contact's details from WHOIS. Unset: not managed.",
                    role.key()
                ),
            )
            .optional_computed(),
        );
    }
    b = b
        .attr(Attribute::new("tags", Type::map(Type::String), "Tags for the domain.").optional())
        .attr(Attribute::new(
            "current_name_servers",
            Type::list(Type::String),
            "The name servers the registrar has for the domain now (whether or not `name_server` blocks manage them).",
        ).computed())
        .attr(Attribute::new(
            "hosted_zone_id",
            Type::String,
            "The hosted zone Route 53 created when the domain was registered, when it still exists (null otherwise).",
        ).computed())
        .attr(Attribute::new("creation_date", Type::String, "When the domain was registered (RFC 3339).").computed())
        .attr(Attribute::new("expiration_date", Type::String, "When the registration expires (RFC 3339).").computed())
        .attr(Attribute::new("status_list", Type::list(Type::String), "EPP status codes of the domain, e.g. `clientTransferProhibited`.").computed())
        .attr(Attribute::new("registrar_name", Type::String, "The registrar of record.").computed())
        .attr(Attribute::new("registrar_url", Type::String, "The registrar's web address.").computed())
        .attr(Attribute::new("whois_server", Type::String, "The registrar's WHOIS server.").computed())
        .attr(Attribute::new("abuse_contact_email", Type::String, "The registrar's abuse contact address.").computed())
        .block(
            "name_server",
            Nesting::Set,
            0,
            6,
            Block::new(
                "A name server the TLD registry should publish for the domain (up to 6). The set is compared without \
                 regard to order, case or a trailing dot, so an unchanged set never triggers an update. No blocks: the \
                 name servers are not managed here (see `current_name_servers`).",
            )
            .attr(Attribute::new("name", Type::String, "Host name of the name server, e.g. `ns-123.awsdns-45.com`.").required())
            .attr(Attribute::new(
                "glue_ips",
                Type::set(Type::String),
                "Glue addresses (IPv4/IPv6), required for and only allowed on name servers inside the domain itself \
                 (e.g. `ns1.example.com` for `example.com`).",
            ).optional()),
        )
        .block("timeouts", Nesting::List, 0, 1, timeouts_block("Defaults: create 30m (registration can take much longer: raise it with `register = true`), update 30m, delete 30m."));
    Schema::new(0, b)
}

fn in_bailiwick(host: &str, domain: &str) -> bool {
    within(&normalise(host), domain)
}

/// The configured name servers, normalised for comparison.
fn name_servers_of(v: &Value) -> Vec<NameServer> {
    let mut out: Vec<NameServer> = v
        .get("name_server")
        .elements()
        .iter()
        .map(|b| {
            let mut glue = str_list(b, "glue_ips");
            glue.sort();
            NameServer {
                name: normalise(&opt_str(b, "name").unwrap_or_default()),
                glue_ips: glue,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn ns_key(ns: &[NameServer]) -> Vec<(String, Vec<String>)> {
    let mut v: Vec<(String, Vec<String>)> = ns
        .iter()
        .map(|n| {
            let mut g: Vec<String> = n
                .glue_ips
                .iter()
                .map(|ip| {
                    ip.parse::<std::net::IpAddr>()
                        .map(|a| a.to_string())
                        .unwrap_or_else(|_| ip.clone())
                })
                .collect();
            g.sort();
            (normalise(&n.name), g)
        })
        .collect();
    v.sort();
    v
}

fn contact_map(v: &Value, role: ContactRole) -> Option<BTreeMap<String, String>> {
    let key = format!("{}_contact", role.key());
    matches!(v.get(&key), Value::Map(_)).then(|| str_map(v, &key))
}

/// The contacts `v` sets, by role.
fn contacts_of(v: &Value) -> BTreeMap<ContactRole, Contact> {
    ContactRole::ALL
        .into_iter()
        .filter_map(|role| contact_map(v, role).map(|m| (role, Contact(m))))
        .collect()
}

/// Builds the state from what the registrar says, keeping `base`'s spelling of the name and of
/// name servers that are the same set, and managing name servers only when `base` does.
fn domain_state(
    d: &RegisteredDomain,
    tags: &BTreeMap<String, String>,
    hosted_zone_id: Option<String>,
    base: &Value,
) -> Value {
    let mut s = Value::Object(Default::default());
    s.set("id", Value::string(&d.name));
    let name = match base.get("domain_name").as_str() {
        Some(n) if ascii_domain(n).ok().as_deref() == Some(d.name.as_str()) => n.to_string(),
        _ => d.name.clone(),
    };
    s.set("domain_name", Value::string(name));
    for k in [
        "register",
        "duration_in_years",
        "deregister_on_destroy",
        "timeouts",
    ] {
        s.set(k, base.get(k).clone());
    }
    s.set("auto_renew", Value::Bool(d.auto_renew));
    s.set("transfer_lock", Value::Bool(d.transfer_lock));
    // Only the contacts `base` manages: adoption and import copy none of the others.
    set_contacts(&mut s, d, |role| contact_map(base, role).is_some());
    s.set(
        "tags",
        if tags.is_empty() && base.get("tags").is_null() {
            Value::Null
        } else {
            map_value(tags)
        },
    );
    let managed = !base.get("name_server").elements().is_empty() || base.is_null();
    let blocks = if !managed {
        Vec::new()
    } else if ns_key(&name_servers_of(base)) == ns_key(&d.name_servers) {
        base.get("name_server").elements().to_vec()
    } else {
        d.name_servers
            .iter()
            .map(|n| {
                let mut o = Value::Object(Default::default());
                o.set("name", Value::string(normalise(&n.name)));
                o.set(
                    "glue_ips",
                    if n.glue_ips.is_empty() {
                        Value::Null
                    } else {
                        set_value(n.glue_ips.clone())
                    },
                );
                o
            })
            .collect()
    };
    s.set("name_server", Value::Set(blocks));
    s.set(
        "current_name_servers",
        list_value(d.name_servers.iter().map(|n| normalise(&n.name))),
    );
    s.set("hosted_zone_id", Value::opt_string(hosted_zone_id));
    set_registration(&mut s, d);
    s.set("registrar_url", Value::opt_string(d.registrar_url.clone()));
    s.set("whois_server", Value::opt_string(d.whois_server.clone()));
    s.set(
        "abuse_contact_email",
        Value::opt_string(d.abuse_contact_email.clone()),
    );
    s
}

impl RegisteredDomainResource {
    async fn read_domain(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        name: &str,
        base: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let c = call(ctx, READ_TIMEOUT);
        let what = format!("Reading registered domain {name}");
        let d = match meta.aws.domains.find_domain_by_name(&c, name).await {
            Ok(d) => d,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(api_diag(&what, &e).into()),
        };
        let tags = meta
            .aws
            .domains
            .tags(&c, name)
            .await
            .map_err(|e| api_diag(&what, &e))?;
        let zone = self.registration_zone(meta, &c, &d).await;
        Ok(Some(domain_state(&d, &tags, zone, base)))
    }

    /// The hosted zone Route 53 made at registration: the public zone of that name with the
    /// registrar's comment, else one serving the domain's current name servers. Best effort: a
    /// failure to list zones leaves it unknown rather than failing the read.
    async fn registration_zone(
        &self,
        meta: &Meta,
        c: &r53_core::Call,
        d: &RegisteredDomain,
    ) -> Option<String> {
        let zones = match meta.aws.route53.find_hosted_zones_by_name(c, &d.name).await {
            Ok(z) => z,
            Err(e) => {
                tracing::warn!("listing hosted zones named {}: {e}", d.name);
                return None;
            }
        };
        let mut current: Vec<String> = d.name_servers.iter().map(|n| normalise(&n.name)).collect();
        current.sort();
        let public = zones.iter().filter(|z| !z.private && z.name == d.name);
        let mut by_ns = None;
        for z in public {
            if z.comment.as_deref() == Some(REGISTRAR_ZONE_COMMENT) {
                return Some(z.id.clone());
            }
            let mut ns: Vec<String> = z.name_servers.iter().map(|n| normalise(n)).collect();
            ns.sort();
            if !ns.is_empty() && ns == current {
                by_ns.get_or_insert(z.id.clone());
            }
        }
        by_ns
    }

    /// Brings the live domain `live` to `planned`: every differing managed setting, each
    /// asynchronous change waited for. Returns what it changed (for the log).
    async fn reconcile(
        &self,
        meta: &Meta,
        c: &r53_core::Call,
        name: &str,
        live: &RegisteredDomain,
        live_tags: &BTreeMap<String, String>,
        planned: &Value,
    ) -> Result<Vec<&'static str>, r53_core::Error> {
        let dm = &meta.aws.domains;
        let mut done = Vec::new();
        let wait = |id: OperationId| async move { dm.wait_operation_successful(c, &id).await };
        if let Some(want) = planned.get("auto_renew").as_bool() {
            if want != live.auto_renew {
                dm.set_auto_renew(c, name, want).await?;
                done.push("auto_renew");
            }
        }
        let mut contacts = BTreeMap::new();
        for role in ContactRole::ALL {
            if let Some(want) = contact_map(planned, role).filter(|m| !m.is_empty()) {
                let have = live.contacts.get(&role).map(|c| &c.0);
                if have != Some(&want) {
                    contacts.insert(role, Contact(want));
                }
            }
        }
        if !contacts.is_empty() {
            wait(dm.update_contacts(c, name, &contacts).await?).await?;
            done.push("contacts");
        }
        let mut privacy = BTreeMap::new();
        for role in ContactRole::ALL {
            if let Some(want) = planned.get(&format!("{}_privacy", role.key())).as_bool() {
                if live.privacy.get(&role) != Some(&want) {
                    privacy.insert(role, want);
                }
            }
        }
        if !privacy.is_empty() {
            wait(dm.update_privacy(c, name, &privacy).await?).await?;
            done.push("privacy");
        }
        let want_ns = name_servers_of(planned);
        if !want_ns.is_empty() && ns_key(&want_ns) != ns_key(&live.name_servers) {
            wait(dm.update_name_servers(c, name, &want_ns).await?).await?;
            done.push("name_servers");
        }
        if let Some(want) = planned.get("transfer_lock").as_bool() {
            if want != live.transfer_lock {
                wait(dm.set_transfer_lock(c, name, want).await?).await?;
                done.push("transfer_lock");
            }
        }
        if !planned.get("tags").is_unknown() {
            let want = str_map(planned, "tags");
            if &want != live_tags {
                dm.set_tags(c, name, live_tags, &want).await?;
                done.push("tags");
            }
        }
        Ok(done)
    }

    async fn apply(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        planned: &Value,
        timeout: Duration,
        creating: bool,
    ) -> Result<Value, Failure> {
        let (_, name) =
            configured_domain(planned.get("domain_name").as_str()).map_err(Failure::from)?;
        let c = call(ctx, timeout);
        let dm = &meta.aws.domains;
        let what = format!(
            "{} registered domain {name}",
            if creating { "Creating" } else { "Updating" }
        );
        let live = match dm.find_domain_by_name(&c, &name).await {
            Ok(d) => d,
            Err(e) if e.is_not_found() && creating && bool_or(planned, "register", false) => {
                self.register(meta, &c, &name, planned).await?;
                dm.find_domain_by_name(&c, &name)
                    .await
                    .map_err(|e| Failure::from(api_diag(&what, &e)))?
            }
            Err(e) if e.is_not_found() => {
                return Err(Failure::from(Diagnostic::error(
                    format!("{what}: not registered in this account"),
                    if creating {
                        format!(
                            "{name} is not a domain registered with Route 53 Domains in this AWS account, so there is nothing \
                             to adopt. Set register = true to buy it, or transfer it to Route 53 first."
                        )
                    } else {
                        format!("{name} is no longer registered in this account (transferred away or expired?).")
                    },
                )));
            }
            Err(e) => return Err(Failure::from(api_diag(&what, &e))),
        };
        if creating && bool_or(planned, "register", false) && live.creation_date.is_some() {
            tracing::info!(domain = %name, "already registered in this account: adopted, not bought again");
        }
        let tags = dm
            .tags(&c, &name)
            .await
            .map_err(|e| Failure::from(api_diag(&what, &e)))?;
        // From here on the domain is ours in state whatever fails: never lose track of it.
        let partial = |base: &Value| {
            let mut p = base.clone();
            p.set("id", Value::string(&name));
            p
        };
        match self.reconcile(meta, &c, &name, &live, &tags, planned).await {
            Ok(done) => {
                tracing::info!(domain = %name, changed = ?done, "registered domain reconciled")
            }
            Err(e) => {
                // Registrars quote refused values ("PhoneNumber … is invalid"): keep both the
                // planned contacts and the ones the registrar holds out of the diagnostic.
                let e = redact_contacts(redact_contacts(e, &live.contacts), &contacts_of(planned));
                let state = match self.read_domain(meta, ctx, &name, planned).await {
                    Ok(Some(s)) => s,
                    _ => partial(planned),
                };
                return Err(Failure::with_partial(api_diag(&what, &e), state));
            }
        }
        match self.read_domain(meta, ctx, &name, planned).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => Err(Failure::from(Diagnostic::error(
                what,
                format!("{name} vanished from the account during the change"),
            ))),
            Err(d) => Err(Failure::with_partial(d, partial(planned))),
        }
    }

    async fn register(
        &self,
        meta: &Meta,
        c: &r53_core::Call,
        name: &str,
        planned: &Value,
    ) -> Result<(), Failure> {
        let dm = &meta.aws.domains;
        let what = format!("Registering {name}");
        let fail = |e: r53_core::Error| Failure::from(api_diag(&what, &e));
        let avail = dm.availability(c, name).await.map_err(fail)?;
        if avail != "AVAILABLE" {
            return Err(Failure::from(Diagnostic::error(
                format!("{what}: not available"),
                format!("Route 53 Domains reports {name} as {avail}; it cannot be registered."),
            )));
        }
        let contacts = contacts_of(planned);
        let mut privacy = BTreeMap::new();
        for role in ContactRole::ALL {
            privacy.insert(
                role,
                planned
                    .get(&format!("{}_privacy", role.key()))
                    .as_bool()
                    .unwrap_or(true),
            );
        }
        let r = Registration {
            name: name.to_string(),
            years: planned.get("duration_in_years").as_i64().unwrap_or(1) as i32,
            auto_renew: planned.get("auto_renew").as_bool().unwrap_or(true),
            contacts,
            privacy,
        };
        let op = dm.register(c, &r).await.map_err(fail)?;
        tracing::info!(domain = %name, operation = %op.0, "registration submitted");
        // The registrar's failure message may quote a contact value it refused.
        dm.wait_operation_successful(c, &op)
            .await
            .map_err(|e| fail(redact_contacts(e, &r.contacts)))
    }
}

#[async_trait]
impl Resource<Meta> for RegisteredDomainResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        check_domain_name(config.get("domain_name").as_str(), "domain_name", &mut d);
        let domain = config
            .get("domain_name")
            .as_str()
            .and_then(|n| ascii_domain(n).ok());
        for role in ContactRole::ALL {
            let attr = format!("{}_contact", role.key());
            if let Value::Map(m) = config.get(&attr) {
                if !m.iter().all(|(_, v)| !v.is_unknown()) {
                    continue;
                }
                for (field, msg) in check_contact(&str_map(config, &attr)) {
                    d.error_at(
                        AttrPath::attr(&attr).key(&field),
                        format!("Invalid {attr}"),
                        msg,
                    );
                }
            }
        }
        let register = config.get("register").as_bool().unwrap_or(false);
        if register {
            for role in [
                ContactRole::Admin,
                ContactRole::Registrant,
                ContactRole::Tech,
            ] {
                let attr = format!("{}_contact", role.key());
                if config.get(&attr).is_null() {
                    d.error_at(
                        at(&attr),
                        "Contact required to register",
                        format!("register = true needs {attr} (the registry requires admin, registrant and tech contacts)."),
                    );
                }
            }
        }
        if let Some(y) = config.get("duration_in_years").as_i64() {
            if !(1..=10).contains(&y) {
                d.error_at(
                    at("duration_in_years"),
                    "Invalid duration_in_years",
                    format!("must be from 1 to 10 years, not {y}"),
                );
            } else if !register && !config.get("register").is_unknown() {
                d.push(
                    Diagnostic::warning(
                        "duration_in_years has no effect",
                        "It is used only when register = true buys the domain.",
                    )
                    .at(at("duration_in_years")),
                );
            }
        }
        for (i, b) in config.get("name_server").elements().iter().enumerate() {
            let p = || at("name_server").index(i as i64);
            let Some(host) = b.get("name").as_str() else {
                continue;
            };
            if let Err(e) = r53_zone::name::Name::parse(host) {
                d.error_at(p().then("name"), "Invalid name server", e.to_string());
                continue;
            }
            let glue = str_list(b, "glue_ips");
            for ip in &glue {
                if ip.parse::<std::net::IpAddr>().is_err() {
                    d.error_at(
                        p().then("glue_ips"),
                        "Invalid glue address",
                        format!("{ip:?} is not an IPv4 or IPv6 address"),
                    );
                }
            }
            if let Some(dom) = &domain {
                let inside = in_bailiwick(host, dom);
                if inside && glue.is_empty() && !b.get("glue_ips").is_unknown() {
                    d.error_at(
                        p().then("glue_ips"),
                        "Glue required",
                        format!("{host} is inside {dom}, so the registry needs its addresses (glue_ips) to reach it."),
                    );
                }
                if !inside && !glue.is_empty() {
                    d.error_at(
                        p().then("glue_ips"),
                        "Glue not allowed",
                        format!("{host} is not inside {dom}; glue addresses are only for name servers under the domain itself."),
                    );
                }
            }
        }
        if let Value::Map(tags) = config.get("tags") {
            if tags.len() > 50 {
                d.error_at(
                    at("tags"),
                    "Too many tags",
                    format!("at most 50 tags; {} given", tags.len()),
                );
            }
        }
        check_timeouts(config, &mut d);
        d
    }

    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        let (p, n) = (prior.get("name_server"), planned.get("name_server"));
        if p == n || !n.is_wholly_known() || p.elements().is_empty() {
            return false;
        }
        if ns_key(&name_servers_of(prior)) == ns_key(&name_servers_of(planned)) {
            planned.set("name_server", p.clone());
            return true;
        }
        false
    }

    fn replace_paths(&self, _schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        match (
            prior.get("domain_name").as_str(),
            planned.get("domain_name").as_str(),
        ) {
            (Some(a), Some(b)) if ascii_domain(a).ok() == ascii_domain(b).ok() => Vec::new(),
            _ if prior.get("domain_name") == planned.get("domain_name") => Vec::new(),
            _ => vec![at("domain_name")],
        }
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, _d: &mut Diagnostics) {
        if prior.is_null() {
            return;
        }
        for k in [
            "id",
            "hosted_zone_id",
            "creation_date",
            "expiration_date",
            "registrar_name",
            "registrar_url",
            "whois_server",
            "abuse_contact_email",
        ] {
            planned.set(k, prior.get(k).clone());
        }
        let ns_changes = prior.get("name_server") != planned.get("name_server")
            && !planned.get("name_server").elements().is_empty();
        // What the registrar reports afterwards is known only after the change.
        if ns_changes {
            planned.set("current_name_servers", Value::Unknown);
        }
        if prior.get("transfer_lock") != planned.get("transfer_lock") {
            planned.set("status_list", Value::Unknown);
        }
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let t = timeout_of(&planned, "create", CREATE_TIMEOUT);
        self.apply(meta, ctx, &planned, t, true).await
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let name = opt_str(state, "id")
            .or_else(|| opt_str(state, "domain_name").and_then(|n| ascii_domain(&n).ok()))
            .unwrap_or_default();
        self.read_domain(meta, ctx, &name, state).await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        _prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let t = timeout_of(&planned, "update", CREATE_TIMEOUT);
        self.apply(meta, ctx, &planned, t, false).await
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let name = opt_str(prior, "id").unwrap_or_default();
        if !bool_or(prior, "deregister_on_destroy", false) {
            let renew = match prior.get("auto_renew").as_bool() {
                Some(true) => " It keeps renewing automatically (auto_renew is on).",
                Some(false) => {
                    " Auto-renew is off: it expires on its expiration date unless renewed."
                }
                None => "",
            };
            return Ok(Diagnostic::warning(
                format!("{name} is still registered"),
                format!(
                    "r53_registered_domain.{name}: removed from the Terraform state only; the domain stays registered in \
                     your AWS account.{renew} To give the domain up, set deregister_on_destroy = true and apply before \
                     destroying."
                ),
            )
            .into());
        }
        let t = timeout_of(prior, "delete", DELETE_TIMEOUT);
        let c = call(ctx, t);
        let what = format!("Deregistering {name}");
        let dm = &meta.aws.domains;
        let op = match dm.delete_domain(&c, &name).await {
            Ok(op) => op,
            // Already gone: nothing to deregister.
            Err(e) if e.is_not_found() => return Ok(Diagnostics::new()),
            Err(e) => return Err(api_diag(&what, &e).into()),
        };
        dm.wait_operation_successful(&c, &op)
            .await
            .map_err(|e| api_diag(&what, &e))?;
        Ok(Diagnostics::new())
    }

    async fn import(&self, meta: &Meta, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics> {
        let name = ascii_domain(id).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Invalid import ID",
                format!("expected a registered domain name like example.com: {e}"),
            ))
        })?;
        // A null base: the imported state shows every setting, name servers included.
        match self.read_domain(meta, ctx, &name, &Value::Null).await? {
            Some(s) => Ok(s),
            None => Err(Diagnostic::error(
                "Cannot import registered domain",
                format!("{name} is not registered with Route 53 Domains in this account"),
            )
            .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cfg(j: serde_json::Value) -> Value {
        Value::from_json(&j, &schema().ty()).unwrap()
    }

    fn paths(d: &Diagnostics) -> Vec<String> {
        d.0.iter()
            .filter_map(|x| x.path.as_ref().map(|p| p.to_string()))
            .collect()
    }

    #[test]
    fn domain_names_are_checked_and_idn_converted() {
        assert_eq!(ascii_domain("Example.COM.").unwrap(), "example.com");
        assert_eq!(
            ascii_domain("bücher.example").unwrap(),
            "xn--bcher-kva.example"
        );
        for bad in ["com", "a..b", "-a.com", "a_b.com", "a b.com", ""] {
            assert!(ascii_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn register_needs_contacts_and_a_sane_duration() {
        let d = RegisteredDomainResource.validate(&cfg(json!({
            "domain_name": "shop.test", "register": true, "duration_in_years": 11,
            "admin_contact": {"first_name": "Ada", "phone_number": "12345"},
        })));
        let p = paths(&d);
        for want in [
            "registrant_contact",
            "tech_contact",
            "duration_in_years",
            "admin_contact[\"phone_number\"]",
            "admin_contact[\"last_name\"]",
        ] {
            assert!(p.iter().any(|x| x == want), "{want} missing from {p:?}");
        }
    }

    #[test]
    fn only_configured_contacts_reach_the_state() {
        let held = Contact(
            [("first_name", "Held"), ("email", "held@example.org")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let d = RegisteredDomain {
            name: "shop.test".into(),
            contacts: ContactRole::ALL
                .iter()
                .map(|r| (*r, held.clone()))
                .collect(),
            ..Default::default()
        };
        // Import (no base) and adoption without contacts: none copied.
        let adopt = cfg(json!({"domain_name": "shop.test"}));
        for base in [Value::Null, adopt] {
            let s = domain_state(&d, &BTreeMap::new(), None, &base);
            for role in ContactRole::ALL {
                assert!(
                    s.get(&format!("{}_contact", role.key())).is_null(),
                    "{role:?}"
                );
            }
        }
        // A configured contact is read back from the registrar (so drift shows), the rest not.
        let base = cfg(json!({"domain_name": "shop.test", "tech_contact": {"first_name": "Mine"}}));
        let s = domain_state(&d, &BTreeMap::new(), None, &base);
        assert_eq!(
            s.get("tech_contact").get("first_name").as_str(),
            Some("Held")
        );
        for role in [
            ContactRole::Admin,
            ContactRole::Registrant,
            ContactRole::Billing,
        ] {
            assert!(
                s.get(&format!("{}_contact", role.key())).is_null(),
                "{role:?}"
            );
        }
    }

    #[test]
    fn glue_only_inside_the_domain() {
        let d = RegisteredDomainResource.validate(&cfg(json!({
            "domain_name": "shop.test",
            "name_server": [
                {"name": "ns1.shop.test", "glue_ips": null},
                {"name": "ns.other.net", "glue_ips": ["192.0.2.1"]},
                {"name": "ns2.shop.test", "glue_ips": ["not-an-ip"]},
            ],
            "timeouts": [{"create": "soon", "update": null, "delete": null}],
        })));
        let msgs: Vec<String> = d.0.iter().map(|x| x.summary.clone()).collect();
        for want in [
            "Glue required",
            "Glue not allowed",
            "Invalid glue address",
            "Invalid timeout",
        ] {
            assert!(
                msgs.iter().any(|m| m == want),
                "{want} missing from {msgs:?}"
            );
        }
    }

    #[test]
    fn reordered_or_recased_name_servers_keep_the_prior_form() {
        let prior = cfg(json!({"domain_name": "shop.test", "name_server": [
            {"name": "ns-1.awsdns-01.org", "glue_ips": null}, {"name": "ns1.shop.test", "glue_ips": ["192.0.2.53"]}]}));
        let mut planned = cfg(json!({"domain_name": "shop.test", "name_server": [
            {"name": "NS1.Shop.Test.", "glue_ips": ["192.0.2.53"]}, {"name": "ns-1.AWSDNS-01.org.", "glue_ips": null}]}));
        assert!(RegisteredDomainResource.keep_prior_form(&prior, &mut planned));
        assert_eq!(planned.get("name_server"), prior.get("name_server"));
        let mut other = cfg(json!({"domain_name": "shop.test", "name_server": [
            {"name": "ns1.shop.test", "glue_ips": ["192.0.2.54"]}, {"name": "ns-1.awsdns-01.org", "glue_ips": null}]}));
        assert!(!RegisteredDomainResource.keep_prior_form(&prior, &mut other));
    }
}
