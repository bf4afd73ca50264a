//! The live delegation: the parent's view over DNS, the bound name servers (the registrar's set,
//! the parent zone's NS record set or, external, what the parent publishes), and the state and
//! computed status made of them.

use r53_core::dns::delegation::{display_zone, normalise_set, ParentView, Server, Walker};
use r53_plugin::{Ctx, Diagnostic, Diagnostics, Field, Value};
use r53_zone::name::normalise;
use r53_zone::RecordType;

use super::{ns_of, Delegation, DelegationResource, Mode, DEFAULT_TTL};
use crate::common::*;
use crate::meta::Meta;

/// What the DNS check found, for the computed attributes.
pub(super) struct Seen {
    zone: String,
    parent_servers: Vec<String>,
    published: Vec<String>,
    pub(super) delegated: bool,
    pub(super) message: String,
}

pub(super) fn seen(view: &ParentView, want: &[String], mode: &Mode) -> Seen {
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

pub(super) fn set_seen(s: &mut Delegation, seen: Option<&Seen>) {
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
    pub(super) fn walker(meta: &Meta, c: &r53_core::Call) -> Walker {
        Walker::new(meta.dns.clone()).bounded_by(c)
    }

    /// The parent's view: walked from the root, or (parent-zone mode) asked of the parent zone's
    /// own name servers.
    pub(super) async fn view(
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
    pub(super) async fn live(
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

    /// The live state; `importing`: DS records found become `dnssec_keys` (known ones unset in
    /// `base` are otherwise left unmanaged).
    pub(super) async fn read_state(
        &self,
        meta: &Meta,
        ctx: &Ctx,
        mode: &Mode,
        domain: &str,
        base: &Delegation,
        importing: bool,
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
        if importing || !s.dnssec_keys.is_null() {
            if let Some(live) = self.live_ds(meta, &c, mode, domain, view.as_ref()).await? {
                let known = s.dnssec_keys.items().to_vec();
                let now = self.keys_seen(meta, &c, domain, &known, &live).await;
                // Keep the configured spelling when the keys are the same.
                let found = s.dnssec_keys.is_null() && !now.is_empty();
                if found || !super::dnssec::same_keys(domain, &known, &now) {
                    s.dnssec_keys = Field::Known(now.into_iter().collect());
                }
            }
        }
        self.dnssec_status(meta, &c, domain, view.as_ref(), &mut s)
            .await;
        Ok(Some(s.to_value()))
    }
}
