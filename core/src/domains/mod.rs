//! Route 53 Domains (the registrar role): registered domains, their contacts, privacy, lock,
//! auto-renew, name servers and tags; find → status → wait on the registrar's asynchronous
//! operations. Contacts are plain maps of field → value here so no SDK type leaves the crate;
//! the field names are the provider's (`first_name`, `phone_number`, …).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_route53domains as rd;
use aws_smithy_types::date_time::Format;
use rd::types as t;

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::route53::Call;

mod contact;
mod dnssec;
pub use contact::{check_contact, redact_contacts, Contact, ContactRole, CONTACT_FIELDS};
pub use dnssec::{DnssecKeyInput, RegistrarDsKey};
pub use r53_zone::dnskey::DsParts;

/// A name server as the registrar holds it; glue only for servers inside the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameServer {
    pub name: String,
    pub glue_ips: Vec<String>,
}

/// A domain registered in this account.
#[derive(Debug, Clone, Default)]
pub struct RegisteredDomain {
    pub name: String,
    pub auto_renew: bool,
    /// `clientTransferProhibited` is in the status list.
    pub transfer_lock: bool,
    pub name_servers: Vec<NameServer>,
    pub contacts: BTreeMap<ContactRole, Contact>,
    pub privacy: BTreeMap<ContactRole, bool>,
    /// RFC 3339.
    pub creation_date: Option<String>,
    pub expiration_date: Option<String>,
    pub updated_date: Option<String>,
    pub status_list: Vec<String>,
    pub registrar_name: Option<String>,
    pub registrar_url: Option<String>,
    pub whois_server: Option<String>,
    pub abuse_contact_email: Option<String>,
    pub dnssec: Option<String>,
    /// The DNSSEC keys (DS records) the registrar passed to the registry.
    pub dnssec_keys: Vec<RegistrarDsKey>,
}

/// What buying a domain needs.
#[derive(Debug, Clone)]
pub struct Registration {
    pub name: String,
    pub years: i32,
    pub auto_renew: bool,
    pub contacts: BTreeMap<ContactRole, Contact>,
    pub privacy: BTreeMap<ContactRole, bool>,
}

/// A registrar operation to wait on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationId(pub String);

/// Yearly prices of a TLD, in its currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prices {
    pub currency: String,
    pub registration: Option<f64>,
    pub renewal: Option<f64>,
    pub transfer: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Domains {
    client: rd::Client,
    policy: RetryPolicy,
    /// The longest pause between GetOperationDetail polls.
    pub poll: Duration,
}

fn date(d: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
}

fn contact_from(c: &t::ContactDetail) -> Contact {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: Option<&str>| {
        if let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) {
            m.insert(k.to_string(), v.to_string());
        }
    };
    put("first_name", c.first_name());
    put("last_name", c.last_name());
    put("contact_type", c.contact_type().map(|x| x.as_str()));
    put("organization_name", c.organization_name());
    put("address_line_1", c.address_line1());
    put("address_line_2", c.address_line2());
    put("city", c.city());
    put("state", c.state());
    put("country_code", c.country_code().map(|x| x.as_str()));
    put("zip_code", c.zip_code());
    put("phone_number", c.phone_number());
    put("email", c.email());
    put("fax", c.fax());
    Contact(m)
}

fn contact_to(c: &Contact) -> t::ContactDetail {
    let g = |k: &str| c.0.get(k).cloned();
    t::ContactDetail::builder()
        .set_first_name(g("first_name"))
        .set_last_name(g("last_name"))
        .set_contact_type(g("contact_type").map(|x| t::ContactType::from(x.as_str())))
        .set_organization_name(g("organization_name"))
        .set_address_line1(g("address_line_1"))
        .set_address_line2(g("address_line_2"))
        .set_city(g("city"))
        .set_state(g("state"))
        .set_country_code(g("country_code").map(|x| t::CountryCode::from(x.as_str())))
        .set_zip_code(g("zip_code"))
        .set_phone_number(g("phone_number"))
        .set_email(g("email"))
        .set_fax(g("fax"))
        .build()
}

fn nameserver_to(n: &NameServer) -> Result<t::Nameserver> {
    t::Nameserver::builder()
        .name(&n.name)
        .set_glue_ips(if n.glue_ips.is_empty() {
            None
        } else {
            Some(n.glue_ips.clone())
        })
        .build()
        .map_err(|e| Error::Invalid(format!("name server {}: {e}", n.name)))
}

/// "not found" answers of GetDomainDetail: AWS says InvalidInput with a message naming the domain.
fn is_missing(e: &Error) -> bool {
    matches!(e, Error::Api { code, message, .. }
        if code == "InvalidInput" && message.to_ascii_lowercase().contains("not found"))
}

impl Domains {
    pub fn new(client: rd::Client, policy: RetryPolicy) -> Self {
        Domains {
            client,
            policy,
            poll: Duration::from_secs(10),
        }
    }

    /// The names of every domain registered in the account, in the registrar's order. Bounded:
    /// 1,000 pages of 100 is more domains than an account holds, and a registrar that never stops
    /// paging is refused rather than followed.
    pub async fn list_domain_names(&self, call: &Call) -> Result<Vec<String>> {
        const MAX_PAGES: usize = 1_000;
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = call
                .send("ListDomains", &self.policy, || {
                    self.client
                        .list_domains()
                        .set_marker(marker.clone())
                        .max_items(100)
                        .send()
                })
                .await
                .result?;
            out.extend(
                page.domains()
                    .iter()
                    .filter_map(|d| d.domain_name().map(str::to_string)),
            );
            match page.next_page_marker() {
                Some(m) if !m.is_empty() => marker = Some(m.to_string()),
                _ => return Ok(out),
            }
        }
        Err(Error::Invalid(format!(
            "ListDomains still had pages after {MAX_PAGES}; refusing to read on"
        )))
    }

    pub async fn find_domain_by_name(&self, call: &Call, name: &str) -> Result<RegisteredDomain> {
        let out = call
            .send("GetDomainDetail", &self.policy, || {
                self.client.get_domain_detail().domain_name(name).send()
            })
            .await;
        let o = match out.result {
            Ok(o) => o,
            Err(e) if is_missing(&e) => {
                return Err(Error::NotFound {
                    what: format!("registered domain {name} (in this account)"),
                })
            }
            Err(e) => return Err(e),
        };
        let mut contacts = BTreeMap::new();
        let mut privacy = BTreeMap::new();
        for (role, c, p) in [
            (ContactRole::Admin, o.admin_contact(), o.admin_privacy()),
            (
                ContactRole::Registrant,
                o.registrant_contact(),
                o.registrant_privacy(),
            ),
            (ContactRole::Tech, o.tech_contact(), o.tech_privacy()),
            (
                ContactRole::Billing,
                o.billing_contact(),
                o.billing_privacy(),
            ),
        ] {
            if let Some(c) = c {
                contacts.insert(role, contact_from(c));
            }
            if let Some(p) = p {
                privacy.insert(role, p);
            }
        }
        let status_list = o.status_list().to_vec();
        let dnssec_keys = o
            .dnssec_keys()
            .iter()
            .map(|k| dnssec::key_from(name, k))
            .collect::<Result<Vec<_>>>()?;
        Ok(RegisteredDomain {
            name: o
                .domain_name()
                .unwrap_or(name)
                .trim_end_matches('.')
                .to_ascii_lowercase(),
            auto_renew: o.auto_renew().unwrap_or(false),
            transfer_lock: status_list
                .iter()
                .any(|s| s.eq_ignore_ascii_case("clientTransferProhibited")),
            name_servers: o
                .nameservers()
                .iter()
                .map(|n| NameServer {
                    name: n.name().to_string(),
                    glue_ips: n.glue_ips().to_vec(),
                })
                .collect(),
            contacts,
            privacy,
            creation_date: date(o.creation_date()),
            expiration_date: date(o.expiration_date()),
            updated_date: date(o.updated_date()),
            status_list,
            registrar_name: o.registrar_name().map(str::to_string),
            registrar_url: o.registrar_url().map(str::to_string),
            whois_server: o.who_is_server().map(str::to_string),
            abuse_contact_email: o.abuse_contact_email().map(str::to_string),
            dnssec: o.dns_sec().map(str::to_string),
            dnssec_keys,
        })
    }

    pub async fn tags(&self, call: &Call, name: &str) -> Result<BTreeMap<String, String>> {
        let o = call
            .send("ListTagsForDomain", &self.policy, || {
                self.client.list_tags_for_domain().domain_name(name).send()
            })
            .await
            .result?;
        Ok(o.tag_list()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").to_string())))
            .collect())
    }

    /// Makes the domain's tags `want` (tag calls are synchronous).
    pub async fn set_tags(
        &self,
        call: &Call,
        name: &str,
        have: &BTreeMap<String, String>,
        want: &BTreeMap<String, String>,
    ) -> Result<()> {
        let gone: Vec<String> = have
            .keys()
            .filter(|k| !want.contains_key(*k))
            .cloned()
            .collect();
        if !gone.is_empty() {
            call.send("DeleteTagsForDomain", &self.policy, || {
                self.client
                    .delete_tags_for_domain()
                    .domain_name(name)
                    .set_tags_to_delete(Some(gone.clone()))
                    .send()
            })
            .await
            .result?;
        }
        let changed: Vec<t::Tag> = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
            .collect();
        if !changed.is_empty() {
            call.send("UpdateTagsForDomain", &self.policy, || {
                self.client
                    .update_tags_for_domain()
                    .domain_name(name)
                    .set_tags_to_update(Some(changed.clone()))
                    .send()
            })
            .await
            .result?;
        }
        Ok(())
    }

    /// Auto-renew is synchronous at AWS.
    pub async fn set_auto_renew(&self, call: &Call, name: &str, on: bool) -> Result<()> {
        if on {
            call.send("EnableDomainAutoRenew", &self.policy, || {
                self.client
                    .enable_domain_auto_renew()
                    .domain_name(name)
                    .send()
            })
            .await
            .result
            .map(drop)
        } else {
            call.send("DisableDomainAutoRenew", &self.policy, || {
                self.client
                    .disable_domain_auto_renew()
                    .domain_name(name)
                    .send()
            })
            .await
            .result
            .map(drop)
        }
    }

    pub async fn set_transfer_lock(
        &self,
        call: &Call,
        name: &str,
        on: bool,
    ) -> Result<OperationId> {
        let id = if on {
            call.send("EnableDomainTransferLock", &self.policy, || {
                self.client
                    .enable_domain_transfer_lock()
                    .domain_name(name)
                    .send()
            })
            .await
            .result?
            .operation_id
        } else {
            call.send("DisableDomainTransferLock", &self.policy, || {
                self.client
                    .disable_domain_transfer_lock()
                    .domain_name(name)
                    .send()
            })
            .await
            .result?
            .operation_id
        };
        op_id(id)
    }

    pub async fn update_name_servers(
        &self,
        call: &Call,
        name: &str,
        servers: &[NameServer],
    ) -> Result<OperationId> {
        let ns = servers
            .iter()
            .map(nameserver_to)
            .collect::<Result<Vec<_>>>()?;
        let o = call
            .send("UpdateDomainNameservers", &self.policy, || {
                self.client
                    .update_domain_nameservers()
                    .domain_name(name)
                    .set_nameservers(Some(ns.clone()))
                    .send()
            })
            .await
            .result?;
        op_id(o.operation_id)
    }

    /// Changes the given contacts (the others stay as they are).
    pub async fn update_contacts(
        &self,
        call: &Call,
        name: &str,
        contacts: &BTreeMap<ContactRole, Contact>,
    ) -> Result<OperationId> {
        let get = |r| contacts.get(&r).map(contact_to);
        let o = call
            .send("UpdateDomainContact", &self.policy, || {
                self.client
                    .update_domain_contact()
                    .domain_name(name)
                    .set_admin_contact(get(ContactRole::Admin))
                    .set_registrant_contact(get(ContactRole::Registrant))
                    .set_tech_contact(get(ContactRole::Tech))
                    .set_billing_contact(get(ContactRole::Billing))
                    .send()
            })
            .await
            .result
            .map_err(|e| redact_contacts(e, contacts))?;
        op_id(o.operation_id)
    }

    pub async fn update_privacy(
        &self,
        call: &Call,
        name: &str,
        privacy: &BTreeMap<ContactRole, bool>,
    ) -> Result<OperationId> {
        let get = |r| privacy.get(&r).copied();
        let o = call
            .send("UpdateDomainContactPrivacy", &self.policy, || {
                self.client
                    .update_domain_contact_privacy()
                    .domain_name(name)
                    .set_admin_privacy(get(ContactRole::Admin))
                    .set_registrant_privacy(get(ContactRole::Registrant))
                    .set_tech_privacy(get(ContactRole::Tech))
                    .set_billing_privacy(get(ContactRole::Billing))
                    .send()
            })
            .await
            .result?;
        op_id(o.operation_id)
    }

    /// Buys a domain. A retry after an ambiguous failure finds the operation the first attempt
    /// started instead of reporting the domain as taken.
    pub async fn register(&self, call: &Call, r: &Registration) -> Result<OperationId> {
        let get = |role| r.contacts.get(&role).map(contact_to);
        let p = |role| r.privacy.get(&role).copied();
        let out = call
            .send("RegisterDomain", &self.policy, || {
                self.client
                    .register_domain()
                    .domain_name(&r.name)
                    .duration_in_years(r.years)
                    .auto_renew(r.auto_renew)
                    .set_admin_contact(get(ContactRole::Admin))
                    .set_registrant_contact(get(ContactRole::Registrant))
                    .set_tech_contact(get(ContactRole::Tech))
                    .set_billing_contact(get(ContactRole::Billing))
                    .set_privacy_protect_admin_contact(p(ContactRole::Admin))
                    .set_privacy_protect_registrant_contact(p(ContactRole::Registrant))
                    .set_privacy_protect_tech_contact(p(ContactRole::Tech))
                    .set_privacy_protect_billing_contact(p(ContactRole::Billing))
                    .send()
            })
            .await;
        let res = match out.result {
            Ok(o) => op_id(o.operation_id),
            Err(e) if out.ambiguous => {
                match self
                    .find_operation(call, &r.name, "REGISTER_DOMAIN")
                    .await?
                {
                    Some(id) => Ok(id),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        };
        res.map_err(|e| redact_contacts(e, &r.contacts))
    }

    /// Deletes (deregisters) a domain: irreversible at the registry.
    pub async fn delete_domain(&self, call: &Call, name: &str) -> Result<OperationId> {
        let o = call
            .send("DeleteDomain", &self.policy, || {
                self.client.delete_domain().domain_name(name).send()
            })
            .await
            .result
            .map_err(|e| match e {
                e if is_missing(&e) => Error::NotFound {
                    what: format!("registered domain {name} (in this account)"),
                },
                e => e,
            })?;
        op_id(o.operation_id)
    }

    /// The newest operation of `kind` (e.g. `REGISTER_DOMAIN`) on `domain` that has not failed.
    pub async fn find_operation(
        &self,
        call: &Call,
        domain: &str,
        kind: &str,
    ) -> Result<Option<OperationId>> {
        let o = call
            .send("ListOperations", &self.policy, || {
                self.client.list_operations().send()
            })
            .await
            .result?;
        Ok(o.operations()
            .iter()
            .filter(|s| {
                s.domain_name()
                    .is_some_and(|d| d.eq_ignore_ascii_case(domain))
                    && s.r#type().is_some_and(|t| t.as_str() == kind)
                    && !matches!(
                        s.status(),
                        Some(t::OperationStatus::Failed | t::OperationStatus::Error)
                    )
            })
            .max_by_key(|s| s.submitted_date().map(|d| d.secs()).unwrap_or(0))
            .and_then(|s| s.operation_id().map(|i| OperationId(i.to_string()))))
    }

    /// Polls an operation until it succeeds; FAILED or ERROR become [`Error::OperationFailed`]
    /// with the registrar's message.
    pub async fn wait_operation_successful(&self, call: &Call, id: &OperationId) -> Result<()> {
        let mut pause = Duration::from_millis(200);
        let started = Instant::now();
        loop {
            let o = call
                .send("GetOperationDetail", &self.policy, || {
                    self.client
                        .get_operation_detail()
                        .operation_id(&id.0)
                        .send()
                })
                .await
                .result?;
            let status = o
                .status()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default();
            match o.status() {
                Some(t::OperationStatus::Successful) => return Ok(()),
                Some(t::OperationStatus::Failed | t::OperationStatus::Error) => {
                    return Err(Error::OperationFailed {
                        id: id.0.clone(),
                        kind: o
                            .r#type()
                            .map(|t| t.as_str().to_string())
                            .unwrap_or_default(),
                        status,
                        message: o.message().unwrap_or("(no message)").to_string(),
                    })
                }
                _ => {}
            }
            if Instant::now() + pause > call.deadline {
                return Err(Error::Timeout {
                    what: format!("registrar operation {} ({status})", id.0),
                    after: started.elapsed(),
                });
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = call.cancel.cancelled() => return Err(Error::Cancelled),
            }
            pause = (pause * 2).min(self.poll);
        }
    }

    /// `AVAILABLE`, `UNAVAILABLE`, `RESERVED`, … as Route 53 Domains reports it.
    pub async fn availability(&self, call: &Call, name: &str) -> Result<String> {
        let o = call
            .send("CheckDomainAvailability", &self.policy, || {
                self.client
                    .check_domain_availability()
                    .domain_name(name)
                    .send()
            })
            .await
            .result?;
        Ok(o.availability()
            .map(|a| a.as_str().to_string())
            .unwrap_or_else(|| "UNKNOWN".into()))
    }

    /// Prices of one TLD (without the dot).
    pub async fn prices(&self, call: &Call, tld: &str) -> Result<Prices> {
        let o = call
            .send("ListPrices", &self.policy, || {
                self.client.list_prices().tld(tld).send()
            })
            .await
            .result?;
        let p = o
            .prices()
            .iter()
            .find(|p| p.name().is_some_and(|n| n.eq_ignore_ascii_case(tld)))
            .ok_or_else(|| Error::NotFound {
                what: format!("prices of .{tld}"),
            })?;
        let mut out = Prices::default();
        for (slot, pc) in [
            (&mut out.registration, p.registration_price()),
            (&mut out.renewal, p.renewal_price()),
            (&mut out.transfer, p.transfer_price()),
        ] {
            if let Some(pc) = pc {
                *slot = Some(pc.price());
                out.currency = pc.currency().to_string();
            }
        }
        Ok(out)
    }
}

fn op_id(id: Option<String>) -> Result<OperationId> {
    id.filter(|i| !i.is_empty())
        .map(OperationId)
        .ok_or_else(|| Error::Invalid("the registrar returned no operation ID".into()))
}
