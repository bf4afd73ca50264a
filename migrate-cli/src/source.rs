//! Where a zone comes from: a zone file, a zone transfer, or another Route 53 zone. Parsed and
//! validated before any other I/O.

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use r53_core::dns::TsigKey;
use r53_zone::convert::{self, Converted, Options};

use crate::{Fail, SourceArgs};

#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Axfr {
        server: SocketAddr,
        key: Option<TsigKey>,
    },
    Route53 {
        zone_id: String,
    },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "zone file {}", p.display()),
            Source::Axfr { server, key } => write!(
                f,
                "AXFR from {server}{}",
                key.as_ref()
                    .map(|k| format!(" (TSIG key {})", k.name))
                    .unwrap_or_default()
            ),
            Source::Route53 { zone_id } => write!(f, "Route 53 zone {zone_id}"),
        }
    }
}

const TSIG_ENV: &str = "R53_MIGRATE_TSIG_KEY";

/// Reads the `--from` spec (and the TSIG key, from a file or the environment).
pub fn parse(a: &SourceArgs) -> Result<Source, Fail> {
    let Some(spec) = a.from.as_deref() else {
        return Err(Fail::error(
            "--from is required (a zone file, axfr://HOST[:PORT] or route53:ZONE_ID)",
        ));
    };
    let key = match (&a.tsig_key_file, std::env::var(TSIG_ENV).ok()) {
        (Some(f), _) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| Fail::error(format!("--tsig-key-file {}: {e}", f.display())))?;
            Some(TsigKey::parse(&text).map_err(|e| Fail::error(format!("{}: {e}", f.display())))?)
        }
        (None, Some(v)) if !v.trim().is_empty() => {
            Some(TsigKey::parse(&v).map_err(|e| Fail::error(format!("{TSIG_ENV}: {e}")))?)
        }
        _ => None,
    };
    if let Some(rest) = spec.strip_prefix("axfr://") {
        let hostport = rest.trim_end_matches('/');
        let with_port = if hostport
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
            && !hostport.ends_with(']')
        {
            hostport.to_string()
        } else {
            format!("{hostport}:53")
        };
        let server = with_port
            .to_socket_addrs()
            .map_err(|e| Fail::error(format!("--from {spec}: {e}")))?
            .next()
            .ok_or_else(|| Fail::error(format!("--from {spec}: no address")))?;
        return Ok(Source::Axfr { server, key });
    }
    if key.is_some() {
        return Err(Fail::error(
            "a TSIG key is only used with an axfr:// source",
        ));
    }
    if let Some(id) = spec.strip_prefix("route53:") {
        if id.is_empty() {
            return Err(Fail::error("--from route53: needs a hosted zone ID"));
        }
        return Ok(Source::Route53 {
            zone_id: r53_core::route53::strip_zone_id(id),
        });
    }
    let path = PathBuf::from(spec.strip_prefix("file:").unwrap_or(spec));
    Ok(Source::File(path))
}

/// Reads the zone from its source and converts it to Route 53 record sets.
pub async fn load(
    src: &Source,
    a: &SourceArgs,
    aws: Option<&r53_core::Aws>,
) -> Result<Converted, Fail> {
    let zone = r53_zone::Name::from_user(&a.zone)
        .map_err(|e| Fail::error(format!("zone name: {e}")))?
        .to_string();
    let opts = Options {
        skip_unsupported: a.skip_unsupported,
        max_record_sets: a.max_record_sets,
    };
    let refused = |e: convert::ConvertError| Fail::error(format!("{src}: {e}"));
    match src {
        Source::File(p) => {
            let z =
                r53_zone::zonefile::parse_file(p, &zone).map_err(|e| Fail::error(e.to_string()))?;
            if z.origin != zone {
                return Err(Fail::error(format!(
                    "{}: the file's SOA is for {}, not {zone}",
                    p.display(),
                    z.origin
                )));
            }
            convert::from_dns(&zone, &z.records, &opts).map_err(refused)
        }
        Source::Axfr { server, key } => {
            let limits = r53_core::dns::AxfrLimits {
                message_timeout: Duration::from_secs(a.dns_timeout),
                deadline: a.transfer_timeout,
                max_records: a.max_records,
                max_bytes: a.max_transfer_bytes,
            };
            let records = r53_core::dns::axfr(*server, &zone, key.as_ref(), limits)
                .await
                .map_err(|e| Fail::error(e.to_string()))?;
            convert::from_dns(&zone, &records, &opts).map_err(refused)
        }
        Source::Route53 { zone_id } => {
            let aws = aws.ok_or_else(|| Fail::error("no AWS connection"))?;
            let call = crate::interrupt::call(Duration::from_secs(300));
            crate::zone_by_id(
                aws,
                &call,
                zone_id,
                &zone,
                &format!("source zone {zone_id}"),
            )
            .await?;
            let sets = aws
                .route53
                .list_record_sets(&call, zone_id)
                .await
                .map_err(|e| Fail::error(format!("listing {zone_id}: {e}")))?;
            Ok(convert::from_route53(&zone, zone_id, &sets))
        }
    }
}
