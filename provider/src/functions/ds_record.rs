//! `provider::r53::ds_record(zone, dnskey)`.

use r53_plugin::function::string_arg;
use r53_plugin::{Function, FunctionError, Param, Signature, Type, Value};
use r53_zone::dnskey::{ds_record, DsDigest};

use super::zone_arg;

pub(crate) struct DsRecord;

impl Function for DsRecord {
    fn name(&self) -> &'static str {
        "ds_record"
    }

    fn signature(&self) -> Signature {
        Signature {
            params: vec![
                Param::new("zone", Type::String, "The zone the DNSKEY belongs to (its apex)."),
                Param::new(
                    "dnskey",
                    Type::String,
                    "The DNSKEY record data: `FLAGS PROTOCOL ALGORITHM PUBLIC-KEY`, e.g. `257 3 13 mdsswUyr…`.",
                ),
            ],
            returns: Type::String,
            summary: "The DS record (SHA-256) a parent publishes for a zone's DNSKEY.",
            description: "Computes the DS record data for a zone key (RFC 4034 §5.1.4) with the SHA-256 digest \
                (type 2), which registries and Route 53 Domains expect: `KEY-TAG ALGORITHM 2 DIGEST`, digest in \
                upper-case hex — the value of a DS record in the parent zone. The key may be split by spaces or \
                newlines. Refused: a key without the zone-key flag (256), a protocol other than 3, the obsolete \
                algorithm 1, invalid base64; each error points at the argument.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let zone = zone_arg(args, 0)?;
        let key = string_arg(args, 1)?;
        ds_record(&zone, key, DsDigest::Sha256)
            .map(Value::string)
            .map_err(|e| FunctionError::arg(1, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, err_at, s};
    use super::*;

    // RFC 4509 §2.2.1's example key and DS.
    const KEY: &str = "256 3 5 AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";

    #[test]
    fn the_rfc_example() {
        let v = call(&DsRecord, &[s("dskey.example.com"), s(KEY)]).unwrap();
        assert_eq!(
            v.as_str(),
            Some("60485 5 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A")
        );
    }

    #[test]
    fn errors_point_at_the_argument() {
        assert_eq!(err_at(&DsRecord, &[s("bad zone"), s(KEY)]).0, Some(0));
        let (at, text) = err_at(&DsRecord, &[s("example.com"), s("257 3 13 !!")]);
        assert_eq!(at, Some(1));
        assert!(text.contains("base64"), "{text}");
    }
}
