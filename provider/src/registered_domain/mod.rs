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
use r53_plugin::schema::Schema;
use r53_plugin::{AttrPath, Ctx, Diagnostic, Diagnostics, Field, Resource, Set, Value};

use crate::common::*;
use crate::domain::{
    ascii_domain, check_domain_name, configured_domain, registration, set_contacts, ContactMap,
};
use crate::meta::Meta;
use r53_zone::name::{normalise, within};

pub(crate) struct RegisteredDomainResource;

mod dnssec_keys;
mod list;
use dnssec_keys::DnssecKeyBlock;
pub(crate) use list::RegisteredDomainList;

pub(crate) const TYPE_NAME: &str = "r53_registered_domain";

/// Comment Route 53 gives the hosted zone it creates when a domain is registered.
const REGISTRAR_ZONE_COMMENT: &str = "HostedZone created by Route53 Registrar";

fn contact_description(role: &str) -> String {
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

fn contact_wo_description(role: &str) -> String {
    format!(
        "The {role} contact, write-only (Terraform >= 1.11): the same map as `{role}_contact`, sent to the \
         registrar at creation and whenever `contacts_wo_version` changes, and never stored in the plan or the \
         state. The recommended form for personal data. Not together with `{role}_contact`."
    )
}

r53_plugin::model! {
    /// A `name_server` block.
    pub struct NameServerBlock / NameServerBlockAttrs {
        description: "A name server the TLD registry should publish for the domain (up to 6). The set is compared without \
                 regard to order, case or a trailing dot, so an unchanged set never triggers an update. No blocks: the \
                 name servers are not managed here (see `current_name_servers`).";
        attributes {
            name: String [required] "Host name of the name server, e.g. `ns-123.awsdns-45.com`.",
            glue_ips: Set<String> [optional]
                "Glue addresses (IPv4/IPv6), required for and only allowed on name servers inside the domain itself \
                 (e.g. `ns1.example.com` for `example.com`).",
        }
    }
}

r53_plugin::model! {
    /// The configuration and state of `r53_registered_domain`.
    pub struct Registered / RegisteredAttrs {
        description: "A domain registered with Route 53 Domains: its contacts and their privacy, auto-renewal, transfer lock, \
         name servers (with glue) and tags. By default it **adopts** a domain already registered in the account; \
         `register = true` buys it. **Destroying it only removes it from the Terraform state** (with a warning): \
         the domain stays registered, and keeps renewing if auto-renew is on. Deregistration happens only with \
         `deregister_on_destroy = true`. Every asynchronous registrar change waits for its operation to succeed \
         and reports the registrar's message when it fails. DNSSEC keys (`dnssec_key`) are recognised by their DS \
         alone, as Route 53 Domains no longer returns their flags and public key (see the notes on the 2026 change).";
        attributes {
            id: String [computed] "The domain name in ASCII (A-label) form.",
            domain_name: String [required, force_new]
                "The registered domain, e.g. `example.com`. Case and a trailing dot do not matter; an internationalised \
                 name may be written in Unicode (it is registered in its `xn--` form, shown in `id`).",
            register: bool [optional]
                "Buy the domain when it is not yet registered in this account (needs `admin_contact`, `registrant_contact` \
                 and `tech_contact`). Default `false`: creation adopts an existing registration and fails if there is none. \
                 Only used at creation.",
            duration_in_years: i64 [optional] "With `register = true`: the registration period in years, 1 to 10. Default 1.",
            deregister_on_destroy: bool [optional]
                "Delete the registration (give the domain up, irreversibly) when this resource is destroyed. Default `false`: \
                 destroy only removes it from state.",
            auto_renew: bool [optional_computed] "Renew the domain automatically before it expires. Unset: not managed.",
            transfer_lock: bool [optional_computed]
                "Lock the domain against transfers to another registrar (`clientTransferProhibited`). Unset: not managed.",
            // Not computed: an unset contact stays null in state instead of a copy of the
            // registrar's personal data.
            admin_contact: BTreeMap<String, String> [optional, sensitive] contact_description("admin"),
            registrant_contact: BTreeMap<String, String> [optional, sensitive] contact_description("registrant"),
            tech_contact: BTreeMap<String, String> [optional, sensitive] contact_description("tech"),
            billing_contact: BTreeMap<String, String> [optional, sensitive] contact_description("billing"),
            admin_contact_wo: BTreeMap<String, String> [optional, write_only] contact_wo_description("admin"),
            registrant_contact_wo: BTreeMap<String, String> [optional, write_only] contact_wo_description("registrant"),
            tech_contact_wo: BTreeMap<String, String> [optional, write_only] contact_wo_description("tech"),
            billing_contact_wo: BTreeMap<String, String> [optional, write_only] contact_wo_description("billing"),
            contacts_wo_version: i64 [optional]
                "Change it (any number) to send the write-only contacts (`*_contact_wo`) to the registrar again: their \
                 values are in no plan or state, so a change to them alone is not seen.",
            admin_privacy: bool [optional_computed] "Hide the admin contact's details from WHOIS. Unset: not managed.",
            registrant_privacy: bool [optional_computed] "Hide the registrant contact's details from WHOIS. Unset: not managed.",
            tech_privacy: bool [optional_computed] "Hide the tech contact's details from WHOIS. Unset: not managed.",
            billing_privacy: bool [optional_computed] "Hide the billing contact's details from WHOIS. Unset: not managed.",
            tags: BTreeMap<String, String> [optional] "Tags for the domain.",
            current_name_servers: Vec<String> [computed]
                "The name servers the registrar has for the domain now (whether or not `name_server` blocks manage them).",
            hosted_zone_id: String [computed]
                "The hosted zone Route 53 created when the domain was registered, when it still exists (null otherwise).",
            creation_date: String [computed] "When the domain was registered (RFC 3339).",
            expiration_date: String [computed] "When the registration expires (RFC 3339).",
            status_list: Vec<String> [computed] "EPP status codes of the domain, e.g. `clientTransferProhibited`.",
            registrar_name: String [computed] "The registrar of record.",
            registrar_url: String [computed] "The registrar's web address.",
            whois_server: String [computed] "The registrar's WHOIS server.",
            abuse_contact_email: String [computed] "The registrar's abuse contact address.",
        }
        blocks {
            name_server: Set<NameServerBlock> [0, 6],
            dnssec_key: Set<DnssecKeyBlock> [0, 0],
            timeouts: Vec<Timeouts> [0, 1] => timeouts_block("Defaults: create 30m (registration can take much longer: raise it with `register = true`), update 30m, delete 30m."),
        }
    }
}

impl Registered {
    /// Each role with its `<role>_contact` attribute's name, its contact and its privacy.
    fn roles(&self) -> [(ContactRole, &'static str, &ContactMap, &Field<bool>); 4] {
        let a = Registered::ATTR;
        [
            (
                ContactRole::Admin,
                a.admin_contact,
                &self.admin_contact,
                &self.admin_privacy,
            ),
            (
                ContactRole::Registrant,
                a.registrant_contact,
                &self.registrant_contact,
                &self.registrant_privacy,
            ),
            (
                ContactRole::Tech,
                a.tech_contact,
                &self.tech_contact,
                &self.tech_privacy,
            ),
            (
                ContactRole::Billing,
                a.billing_contact,
                &self.billing_contact,
                &self.billing_privacy,
            ),
        ]
    }

    /// Each role with its `<role>_contact_wo` attribute's name and value (a configuration's; null in
    /// plans and states).
    fn write_only_roles(&self) -> [(ContactRole, &'static str, &ContactMap); 4] {
        let a = Registered::ATTR;
        [
            (
                ContactRole::Admin,
                a.admin_contact_wo,
                &self.admin_contact_wo,
            ),
            (
                ContactRole::Registrant,
                a.registrant_contact_wo,
                &self.registrant_contact_wo,
            ),
            (ContactRole::Tech, a.tech_contact_wo, &self.tech_contact_wo),
            (
                ContactRole::Billing,
                a.billing_contact_wo,
                &self.billing_contact_wo,
            ),
        ]
    }

    /// This plan with the configuration's write-only contacts (an apply's `ctx`) in place of the
    /// roles' contacts: what is sent to the registrar, never what is stored.
    fn with_write_only_contacts(&self, ctx: &Ctx) -> Registered {
        use crate::domain::RoleAttrs;
        let mut m = self.clone();
        let given: Vec<(ContactRole, &'static str)> = self
            .write_only_roles()
            .iter()
            .map(|(role, attr, _)| (*role, *attr))
            .collect();
        for (role, contact, _) in m.roles_mut() {
            let Some((_, attr)) = given.iter().find(|(r, _)| *r == role) else {
                continue;
            };
            if let Value::Map(o) = ctx.write_only(attr) {
                *contact = Field::Known(
                    o.iter()
                        .filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string())))
                        .collect(),
                );
            }
        }
        m
    }

    /// The contact `role`'s attribute sets, when it sets one.
    fn contact(&self, role: ContactRole) -> Option<&BTreeMap<String, String>> {
        self.roles()
            .into_iter()
            .find(|r| r.0 == role)
            .and_then(|r| r.2.known())
    }
}

crate::domain::role_attrs!(Registered);

pub fn schema() -> Schema {
    Schema::new(0, Registered::block())
}

fn in_bailiwick(host: &str, domain: &str) -> bool {
    within(&normalise(host), domain)
}

/// The configured name servers, normalised for comparison.
fn name_servers_of(m: &Registered) -> Vec<NameServer> {
    let mut out: Vec<NameServer> = m
        .name_server
        .items()
        .iter()
        .map(|b| {
            let mut glue = b.glue_ips.items().to_vec();
            glue.sort();
            NameServer {
                name: normalise(b.name.as_str().unwrap_or_default()),
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

/// The contacts `m` sets, by role.
fn contacts_of(m: &Registered) -> BTreeMap<ContactRole, Contact> {
    ContactRole::ALL
        .into_iter()
        .filter_map(|role| m.contact(role).map(|c| (role, Contact(c.clone()))))
        .collect()
}

/// Builds the state from what the registrar says, keeping `base`'s spelling of the name and of
/// name servers that are the same set, and managing name servers only when `base` does (`None`,
/// an import: all of them).
fn domain_state(
    d: &RegisteredDomain,
    tags: &BTreeMap<String, String>,
    hosted_zone_id: Option<String>,
    dnssec_keys: Vec<DnssecKeyBlock>,
    base: Option<&Registered>,
) -> Value {
    let empty = Registered::default();
    let b = base.unwrap_or(&empty);
    let name = match b.domain_name.as_str() {
        Some(n) if ascii_domain(n).ok().as_deref() == Some(d.name.as_str()) => n.to_string(),
        _ => d.name.clone(),
    };
    let managed = base.is_none_or(|b| !b.name_server.items().is_empty());
    let blocks = if !managed {
        Vec::new()
    } else if ns_key(&name_servers_of(b)) == ns_key(&d.name_servers) {
        b.name_server.items().to_vec()
    } else {
        d.name_servers
            .iter()
            .map(|n| NameServerBlock {
                name: Field::Known(normalise(&n.name)),
                glue_ips: (!n.glue_ips.is_empty())
                    .then(|| n.glue_ips.iter().cloned().collect())
                    .into(),
            })
            .collect()
    };
    let r = registration(d);
    let mut s = Registered {
        id: Field::Known(d.name.clone()),
        domain_name: Field::Known(name),
        register: b.register.clone(),
        duration_in_years: b.duration_in_years.clone(),
        deregister_on_destroy: b.deregister_on_destroy.clone(),
        contacts_wo_version: b.contacts_wo_version.clone(),
        timeouts: b.timeouts.clone(),
        auto_renew: Field::Known(d.auto_renew),
        transfer_lock: Field::Known(d.transfer_lock),
        tags: if tags.is_empty() && b.tags.is_null() {
            Field::Null
        } else {
            Field::Known(tags.clone())
        },
        name_server: Field::Known(Set(blocks)),
        dnssec_key: Field::Known(Set(dnssec_keys)),
        current_name_servers: Field::Known(
            d.name_servers.iter().map(|n| normalise(&n.name)).collect(),
        ),
        hosted_zone_id: hosted_zone_id.into(),
        creation_date: r.creation_date,
        expiration_date: r.expiration_date,
        status_list: r.status_list,
        registrar_name: r.registrar_name,
        registrar_url: d.registrar_url.clone().into(),
        whois_server: d.whois_server.clone().into(),
        abuse_contact_email: d.abuse_contact_email.clone().into(),
        ..Default::default()
    };
    // Only the contacts `base` manages: adoption and import copy none of the others.
    set_contacts(&mut s, d, |role| b.contact(role).is_some());
    s.to_value()
}

impl RegisteredDomainResource {
    async fn read_domain(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        name: &str,
        base: Option<&Registered>,
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
        // Keys are managed when `base` manages them (`None`, an import: all of them).
        let keys = if base.is_none_or(|b| !b.dnssec_key.items().is_empty()) {
            let prior = base.map(|b| b.dnssec_key.items()).unwrap_or_default();
            let mut src = dnssec_keys::KeySources {
                prior,
                served: Vec::new(),
            };
            let (mut keys, missing) = dnssec_keys::blocks_from(&d.name, &d.dnssec_keys, &src);
            if missing {
                src.served = dnssec_keys::served_dnskeys(meta, &c, &d).await;
                keys = dnssec_keys::blocks_from(&d.name, &d.dnssec_keys, &src).0;
            }
            keys
        } else {
            Vec::new()
        };
        Ok(Some(domain_state(&d, &tags, zone, keys, base)))
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
        planned: &Registered,
    ) -> Result<Vec<&'static str>, r53_core::Error> {
        let dm = &meta.aws.domains;
        let mut done = Vec::new();
        let wait = |id: OperationId| async move { dm.wait_operation_successful(c, &id).await };
        if let Some(want) = planned.auto_renew.get() {
            if want != live.auto_renew {
                dm.set_auto_renew(c, name, want).await?;
                done.push("auto_renew");
            }
        }
        let mut contacts = BTreeMap::new();
        for role in ContactRole::ALL {
            if let Some(want) = planned.contact(role).filter(|m| !m.is_empty()) {
                let have = live.contacts.get(&role).map(|c| &c.0);
                if have != Some(want) {
                    contacts.insert(role, Contact(want.clone()));
                }
            }
        }
        if !contacts.is_empty() {
            wait(dm.update_contacts(c, name, &contacts).await?).await?;
            done.push("contacts");
        }
        let mut privacy = BTreeMap::new();
        for (role, _, _, want) in planned.roles() {
            if let Some(want) = want.get() {
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
        if !planned.dnssec_key.items().is_empty()
            && dnssec_keys::reconcile(meta, c, name, &live.dnssec_keys, planned.dnssec_key.items())
                .await?
        {
            done.push("dnssec_keys");
        }
        if let Some(want) = planned.transfer_lock.get() {
            if want != live.transfer_lock {
                wait(dm.set_transfer_lock(c, name, want).await?).await?;
                done.push("transfer_lock");
            }
        }
        if !planned.tags.is_unknown() {
            let want = planned.tags.known().cloned().unwrap_or_default();
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
        planned: &Registered,
        timeout: Duration,
        creating: bool,
        send_write_only: bool,
    ) -> Result<Value, Failure> {
        let (_, name) = configured_domain(planned.domain_name.as_str()).map_err(Failure::from)?;
        // What is sent: with the write-only contacts when they are due. The state is always
        // built from `planned`, which holds none of them.
        let sent = if send_write_only {
            planned.with_write_only_contacts(ctx)
        } else {
            planned.clone()
        };
        let register = planned.register.get().unwrap_or(false);
        let c = call(ctx, timeout);
        let dm = &meta.aws.domains;
        let what = format!(
            "{} registered domain {name}",
            if creating { "Creating" } else { "Updating" }
        );
        let live = match dm.find_domain_by_name(&c, &name).await {
            Ok(d) => d,
            Err(e) if e.is_not_found() && creating && register => {
                self.register(meta, &c, &name, &sent).await?;
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
        if creating && register && live.creation_date.is_some() {
            tracing::info!(domain = %name, "already registered in this account: adopted, not bought again");
        }
        let tags = dm
            .tags(&c, &name)
            .await
            .map_err(|e| Failure::from(api_diag(&what, &e)))?;
        // From here on the domain is ours in state whatever fails: never lose track of it.
        let partial = |base: &Registered| {
            let mut p = base.clone();
            p.id = Field::Known(name.clone());
            p.to_value()
        };
        match self.reconcile(meta, &c, &name, &live, &tags, &sent).await {
            Ok(done) => {
                tracing::info!(domain = %name, changed = ?done, "registered domain reconciled")
            }
            Err(e) => {
                // Registrars quote refused values ("PhoneNumber … is invalid"): keep both the
                // planned contacts and the ones the registrar holds out of the diagnostic.
                let e = redact_contacts(redact_contacts(e, &live.contacts), &contacts_of(&sent));
                let state = match self.read_domain(meta, ctx, &name, Some(planned)).await {
                    Ok(Some(s)) => s,
                    _ => partial(planned),
                };
                return Err(Failure::with_partial(api_diag(&what, &e), state));
            }
        }
        match self.read_domain(meta, ctx, &name, Some(planned)).await {
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
        planned: &Registered,
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
        let privacy = planned
            .roles()
            .into_iter()
            .map(|(role, _, _, p)| (role, p.get().unwrap_or(true)))
            .collect();
        let r = Registration {
            name: name.to_string(),
            years: planned.duration_in_years.get().unwrap_or(1) as i32,
            auto_renew: planned.auto_renew.get().unwrap_or(true),
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

    /// `moved` from `aws_route53domains_registered_domain` or `aws_route53domains_domain`: the
    /// domain and, when the AWS resource managed them, its name servers. Contacts are personal
    /// data: not carried into this state (they stay at the registrar, unmanaged until configured).
    fn move_from(&self, source: r53_plugin::MoveSource<'_>) -> Option<Result<Value, Diagnostics>> {
        let (t, state) = [
            "aws_route53domains_registered_domain",
            "aws_route53domains_domain",
        ]
        .into_iter()
        .find_map(|t| Some((t, crate::aws_move::accept(source, t, &[0])?)))?;
        let state = match state {
            Ok(s) => s,
            Err(d) => return Some(Err(d)),
        };
        Some((|| {
            let name = crate::aws_move::required(state, t, "domain_name")?;
            let ascii = ascii_domain(name).map_err(|e| {
                Diagnostics::from(Diagnostic::error(
                    "Invalid domain in the AWS provider state",
                    e,
                ))
            })?;
            let name_server: Vec<NameServerBlock> = state
                .get("name_server")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|b| {
                    Some(NameServerBlock {
                        name: Field::Known(crate::aws_move::string(b, "name")?.to_string()),
                        glue_ips: Field::Known(
                            b.get("glue_ips")
                                .and_then(|g| g.as_array())
                                .into_iter()
                                .flatten()
                                .filter_map(|ip| ip.as_str().map(str::to_string))
                                .collect(),
                        ),
                    })
                })
                .collect();
            Ok(Registered {
                id: Field::Known(ascii),
                domain_name: Field::Known(name.to_string()),
                name_server: Field::Known(name_server.into_iter().collect()),
                ..Default::default()
            }
            .to_value())
        })())
    }

    fn identity(&self) -> Option<r53_plugin::Identity> {
        Some(r53_plugin::Identity::new(vec![
            r53_plugin::IdentityAttr::required(
                "domain_name",
                "The domain name in ASCII (A-label) form.",
            )
            .from_state("id"),
        ]))
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut d = Diagnostics::new();
        let m = match Registered::from_value(config) {
            Ok(m) => m,
            Err(e) => return e,
        };
        let a = Registered::ATTR;
        check_domain_name(m.domain_name.as_str(), a.domain_name, &mut d);
        let domain = m.domain_name.as_str().and_then(|n| ascii_domain(n).ok());
        // Unknown also while one of its values is not known yet: checked once all are.
        let written = m.write_only_roles();
        for (_, attr, contact) in m
            .roles()
            .iter()
            .map(|(r, a, c, _)| (*r, *a, *c))
            .chain(written.iter().map(|(r, a, c)| (*r, *a, *c)))
        {
            if let Some(c) = contact.known() {
                for (field, msg) in check_contact(c) {
                    d.error_at(at(attr).key(&field), format!("Invalid {attr}"), msg);
                }
            }
        }
        for ((_, attr, contact, _), (_, wo_attr, wo)) in m.roles().iter().zip(&written) {
            if !contact.is_null() && !wo.is_null() {
                d.error_at(
                    at(wo_attr),
                    "Conflicting contacts",
                    format!("set either {attr} or {wo_attr}, not both"),
                );
            }
        }
        let register = m.register.get().unwrap_or(false);
        if register {
            for ((role, attr, contact, _), (_, wo_attr, wo)) in m.roles().iter().zip(&written) {
                if *role != ContactRole::Billing && contact.is_null() && wo.is_null() {
                    d.error_at(
                        at(attr),
                        "Contact required to register",
                        format!("register = true needs {attr} or {wo_attr} (the registry requires admin, registrant and tech contacts)."),
                    );
                }
            }
        }
        if let Some(y) = m.duration_in_years.get() {
            if !(1..=10).contains(&y) {
                d.error_at(
                    at(a.duration_in_years),
                    "Invalid duration_in_years",
                    format!("must be from 1 to 10 years, not {y}"),
                );
            } else if !register && !m.register.is_unknown() {
                d.push(
                    Diagnostic::warning(
                        "duration_in_years has no effect",
                        "It is used only when register = true buys the domain.",
                    )
                    .at(at(a.duration_in_years)),
                );
            }
        }
        let ns = NameServerBlock::ATTR;
        for (i, b) in m.name_server.items().iter().enumerate() {
            let p = || at(a.name_server).index(i as i64);
            let Some(host) = b.name.as_str() else {
                continue;
            };
            if let Err(e) = r53_zone::name::Name::parse(host) {
                d.error_at(p().then(ns.name), "Invalid name server", e.to_string());
                continue;
            }
            let glue = b.glue_ips.items();
            for ip in glue {
                if ip.parse::<std::net::IpAddr>().is_err() {
                    d.error_at(
                        p().then(ns.glue_ips),
                        "Invalid glue address",
                        format!("{ip:?} is not an IPv4 or IPv6 address"),
                    );
                }
            }
            if let Some(dom) = &domain {
                let inside = in_bailiwick(host, dom);
                if inside && glue.is_empty() && !b.glue_ips.is_unknown() {
                    d.error_at(
                        p().then(ns.glue_ips),
                        "Glue required",
                        format!("{host} is inside {dom}, so the registry needs its addresses (glue_ips) to reach it."),
                    );
                }
                if !inside && !glue.is_empty() {
                    d.error_at(
                        p().then(ns.glue_ips),
                        "Glue not allowed",
                        format!("{host} is not inside {dom}; glue addresses are only for name servers under the domain itself."),
                    );
                }
            }
        }
        for (i, summary, detail) in dnssec_keys::problems(&m, domain.as_deref()) {
            let p = match i {
                Some(i) => at(a.dnssec_key).index(i as i64),
                None => at(a.dnssec_key),
            };
            d.error_at(p, summary, detail);
        }
        if let Some(tags) = m.tags.known() {
            if tags.len() > 50 {
                d.error_at(
                    at(a.tags),
                    "Too many tags",
                    format!("at most 50 tags; {} given", tags.len()),
                );
            }
        }
        Timeouts::check(&m.timeouts, a.timeouts, &mut d);
        d
    }

    fn keep_prior_form(&self, prior: &Value, planned: &mut Value) -> bool {
        let Ok((p, mut n)) = Registered::from_values(prior, planned) else {
            return false;
        };
        if p.name_server == n.name_server
            || !n.name_server.is_wholly_known()
            || p.name_server.items().is_empty()
        {
            return false;
        }
        if ns_key(&name_servers_of(&p)) == ns_key(&name_servers_of(&n)) {
            n.name_server = p.name_server;
            *planned = n.to_value();
            return true;
        }
        false
    }

    fn replace_paths(&self, schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        let Ok((p, n)) = Registered::from_values(prior, planned) else {
            return schema.block.replace_paths(prior, planned);
        };
        match (p.domain_name.as_str(), n.domain_name.as_str()) {
            (Some(a), Some(b)) if ascii_domain(a).ok() == ascii_domain(b).ok() => Vec::new(),
            _ if p.domain_name == n.domain_name => Vec::new(),
            _ => vec![at(Registered::ATTR.domain_name)],
        }
    }

    fn modify_plan(&self, prior: &Value, planned: &mut Value, d: &mut Diagnostics) {
        if planned.is_null() {
            return;
        }
        // The DS records of the configured keys are known at plan time: computed here.
        if let Ok(mut n) = Registered::from_value(planned) {
            let domain = n.domain_name.as_str().and_then(|x| ascii_domain(x).ok());
            if let Some(domain) = domain.filter(|_| !n.dnssec_key.items().is_empty()) {
                dnssec_keys::plan_ds(&mut n, &domain);
                *planned = n.to_value();
            }
        }
        if prior.is_null() {
            return;
        }
        let (p, mut n) = match Registered::from_values(prior, planned) {
            Ok(pn) => pn,
            Err(e) => return d.extend(e),
        };
        n.id = p.id;
        n.hosted_zone_id = p.hosted_zone_id;
        n.creation_date = p.creation_date;
        n.expiration_date = p.expiration_date;
        n.registrar_name = p.registrar_name;
        n.registrar_url = p.registrar_url;
        n.whois_server = p.whois_server;
        n.abuse_contact_email = p.abuse_contact_email;
        let ns_changes = p.name_server != n.name_server && !n.name_server.items().is_empty();
        // What the registrar reports afterwards is known only after the change.
        if ns_changes {
            n.current_name_servers = Field::Unknown;
        }
        if p.transfer_lock != n.transfer_lock {
            n.status_list = Field::Unknown;
        }
        *planned = n.to_value();
    }

    async fn create(&self, meta: &Meta, ctx: &Ctx, planned: Value) -> Result<Value, Failure> {
        let m = Registered::from_value(&planned)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.create, CREATE_TIMEOUT);
        self.apply(meta, ctx, &m, t, true, true).await
    }

    async fn read(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        state: &Value,
    ) -> Result<Option<Value>, Diagnostics> {
        let m = Registered::from_value(state)?;
        let name =
            m.id.string()
                .or_else(|| m.domain_name.as_str().and_then(|n| ascii_domain(n).ok()))
                .unwrap_or_default();
        self.read_domain(meta, ctx, &name, Some(&m)).await
    }

    async fn update(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure> {
        let m = Registered::from_value(&planned)?;
        let p = Registered::from_value(prior)?;
        let t = Timeouts::of(&m.timeouts, |t| &t.update, CREATE_TIMEOUT);
        let resend = p.contacts_wo_version != m.contacts_wo_version;
        self.apply(meta, ctx, &m, t, false, resend).await
    }

    async fn delete(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        prior: &Value,
    ) -> Result<Diagnostics, Diagnostics> {
        let m = Registered::from_value(prior)?;
        let name = m.id.string().unwrap_or_default();
        if !m.deregister_on_destroy.get().unwrap_or(false) {
            let renew = match m.auto_renew.get() {
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
        let t = Timeouts::of(&m.timeouts, |t| &t.delete, DELETE_TIMEOUT);
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
        match self.read_domain(meta, ctx, &name, None).await? {
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
    fn write_only_contacts_are_checked_suffice_to_register_and_exclude_the_stored_form() {
        let ada = json!({"first_name": "Ada", "last_name": "Lovelace", "contact_type": "PERSON",
            "address_line_1": "1 Lab Way", "city": "London", "country_code": "GB",
            "zip_code": "N1 1AA", "phone_number": "+44.2071234567", "email": "ada@example.org"});
        let ok = RegisteredDomainResource.validate(&cfg(json!({
            "domain_name": "shop.test", "register": true,
            "admin_contact_wo": ada, "registrant_contact_wo": ada, "tech_contact": ada,
        })));
        assert!(paths(&ok).is_empty(), "{ok:?}");
        let d = RegisteredDomainResource.validate(&cfg(json!({
            "domain_name": "shop.test", "register": true,
            "admin_contact": ada, "admin_contact_wo": ada,
            "registrant_contact_wo": {"first_name": "Ada", "phone_number": "12345"},
        })));
        let p = paths(&d);
        for want in [
            "admin_contact_wo",
            "tech_contact",
            "registrant_contact_wo[\"phone_number\"]",
        ] {
            assert!(p.iter().any(|x| x == want), "{want} missing from {p:?}");
        }
        // The write-only attributes are flagged so in the schema Terraform gets.
        let schema = schema();
        let wo: Vec<&str> = schema.block.write_only_attrs();
        assert_eq!(
            wo,
            [
                "admin_contact_wo",
                "registrant_contact_wo",
                "tech_contact_wo",
                "billing_contact_wo"
            ]
        );
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
        let adopt = Registered::from_value(&cfg(json!({"domain_name": "shop.test"}))).unwrap();
        for base in [None, Some(&adopt)] {
            let s =
                Registered::from_value(&domain_state(&d, &BTreeMap::new(), None, Vec::new(), base))
                    .unwrap();
            for (role, _, contact, _) in s.roles() {
                assert!(contact.is_null(), "{role:?}");
            }
        }
        // A configured contact is read back from the registrar (so drift shows), the rest not.
        let base = cfg(json!({"domain_name": "shop.test", "tech_contact": {"first_name": "Mine"}}));
        let base = Registered::from_value(&base).unwrap();
        let s = Registered::from_value(&domain_state(
            &d,
            &BTreeMap::new(),
            None,
            Vec::new(),
            Some(&base),
        ))
        .unwrap();
        assert_eq!(
            s.contact(ContactRole::Tech)
                .and_then(|c| c.get("first_name"))
                .map(String::as_str),
            Some("Held")
        );
        for role in [
            ContactRole::Admin,
            ContactRole::Registrant,
            ContactRole::Billing,
        ] {
            assert!(s.contact(role).is_none(), "{role:?}");
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
        let ns = |v: &Value| Registered::from_value(v).unwrap().name_server;
        assert_eq!(ns(&planned), ns(&prior));
        let mut other = cfg(json!({"domain_name": "shop.test", "name_server": [
            {"name": "ns1.shop.test", "glue_ips": ["192.0.2.54"]}, {"name": "ns-1.awsdns-01.org", "glue_ips": null}]}));
        assert!(!RegisteredDomainResource.keep_prior_form(&prior, &mut other));
    }

    #[test]
    fn moved_from_the_aws_provider_without_contacts() {
        let contact =
            json!([{"first_name": "Mo", "last_name": "Movington", "email": "m@example.org"}]);
        let state = json!({"domain_name": "Shop.Test", "admin_contact": contact,
            "registrant_contact": contact, "name_server": [{"name": "ns1.shop.test", "glue_ips": ["192.0.2.53"]}]});
        for t in [
            "aws_route53domains_registered_domain",
            "aws_route53domains_domain",
        ] {
            let v = RegisteredDomainResource
                .move_from(r53_plugin::MoveSource {
                    provider: "aws",
                    type_name: t,
                    schema_version: 0,
                    state: &state,
                })
                .unwrap()
                .unwrap();
            let m = Registered::from_value(&v).unwrap();
            assert_eq!(m.id.as_str(), Some("shop.test"));
            assert_eq!(m.name_server.items().len(), 1);
            for (role, _, c, _) in m.roles() {
                assert!(c.is_null(), "{role:?}");
            }
            assert!(!v.to_json().unwrap().to_string().contains("Movington"));
        }
    }
}
