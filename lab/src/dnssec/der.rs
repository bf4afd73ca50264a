//! KMS's ECDSA signatures are DER (`SEQUENCE { INTEGER r, INTEGER s }`); DNSSEC's algorithm 13
//! signature is r||s, 32 bytes each (RFC 6605 §4). A small strict parser: anything that is not
//! exactly one minimal DER signature of two positive integers of at most 32 significant bytes is
//! refused, never sliced out of bounds.

/// The width of r and s for P-256.
pub const SCALAR: usize = 32;
/// The longest DER ECDSA P-256 signature: 2 + 2 × (2 + 33).
pub const MAX_DER: usize = 72;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DerError {
    #[error("the DER signature is {0} bytes, over the {MAX_DER} a P-256 one can have")]
    TooLong(usize),
    #[error("the DER signature does not start with a SEQUENCE of short-form length")]
    Sequence,
    #[error("the SEQUENCE length {declared} does not match the {actual} bytes after it")]
    SequenceLength { declared: usize, actual: usize },
    #[error("{0} is not an INTEGER of short-form length")]
    Integer(&'static str),
    #[error("{0} runs past the end of the signature")]
    Truncated(&'static str),
    #[error("{0} is empty")]
    Empty(&'static str),
    #[error("{0} is negative")]
    Negative(&'static str),
    #[error("{0} has a leading zero byte it does not need (not minimal DER)")]
    NotMinimal(&'static str),
    #[error("{0} is {1} bytes, more than {SCALAR} significant bytes")]
    IntegerTooLong(&'static str, usize),
    #[error("{0} bytes follow the second INTEGER")]
    Trailing(usize),
}

/// One INTEGER at the start of `b`: its value left-padded to 32 bytes, and what follows it.
fn integer<'a>(b: &'a [u8], what: &'static str) -> Result<([u8; SCALAR], &'a [u8]), DerError> {
    let (&tag, rest) = b.split_first().ok_or(DerError::Truncated(what))?;
    if tag != 0x02 {
        return Err(DerError::Integer(what));
    }
    let (&len, rest) = rest.split_first().ok_or(DerError::Truncated(what))?;
    if len & 0x80 != 0 {
        return Err(DerError::Integer(what));
    }
    let len = usize::from(len);
    if rest.len() < len {
        return Err(DerError::Truncated(what));
    }
    let (value, rest) = rest.split_at(len);
    let (&first, tail) = value.split_first().ok_or(DerError::Empty(what))?;
    if first & 0x80 != 0 {
        return Err(DerError::Negative(what));
    }
    // A leading zero only to keep the next byte's high bit from reading as a sign.
    let magnitude = if first == 0 {
        match tail.first() {
            Some(&next) if next & 0x80 != 0 => tail,
            Some(_) => return Err(DerError::NotMinimal(what)),
            None => tail, // the value zero, encoded as one 0x00
        }
    } else {
        value
    };
    if magnitude.len() > SCALAR {
        return Err(DerError::IntegerTooLong(what, len));
    }
    let mut out = [0u8; SCALAR];
    out[SCALAR - magnitude.len()..].copy_from_slice(magnitude);
    Ok((out, rest))
}

/// DER `SEQUENCE { INTEGER r, INTEGER s }` → the 64-byte r||s DNSSEC carries.
pub fn der_to_raw(der: &[u8]) -> Result<[u8; 2 * SCALAR], DerError> {
    if der.len() > MAX_DER {
        return Err(DerError::TooLong(der.len()));
    }
    let (&tag, rest) = der.split_first().ok_or(DerError::Sequence)?;
    let (&len, body) = rest.split_first().ok_or(DerError::Sequence)?;
    if tag != 0x30 || len & 0x80 != 0 {
        return Err(DerError::Sequence);
    }
    if usize::from(len) != body.len() {
        return Err(DerError::SequenceLength {
            declared: usize::from(len),
            actual: body.len(),
        });
    }
    let (r, rest) = integer(body, "r")?;
    let (s, rest) = integer(rest, "s")?;
    if !rest.is_empty() {
        return Err(DerError::Trailing(rest.len()));
    }
    let mut out = [0u8; 2 * SCALAR];
    out[..SCALAR].copy_from_slice(&r);
    out[SCALAR..].copy_from_slice(&s);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        EcdsaKeyPair, KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_ASN1_SIGNING,
        ECDSA_P256_SHA256_FIXED,
    };
    use proptest::prelude::*;

    /// DER of two integers given as big-endian magnitudes (minimal, with the sign pad).
    fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
        let int = |v: &[u8]| {
            let v: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
            let mut body = if v.first().is_none_or(|b| b & 0x80 != 0) {
                vec![0]
            } else {
                vec![]
            };
            body.extend(v);
            let mut out = vec![0x02, body.len() as u8];
            out.extend(body);
            out
        };
        let mut seq = int(r);
        seq.extend(int(s));
        let mut out = vec![0x30, seq.len() as u8];
        out.extend(seq);
        out
    }

    #[test]
    fn short_integers_are_left_padded_and_33_byte_ones_lose_their_pad() {
        let raw = der_to_raw(&der(&[1], &[0xff; 32])).unwrap();
        assert_eq!(raw[..31], [0; 31]);
        assert_eq!(raw[31], 1);
        assert_eq!(raw[32..], [0xff; 32]);
        // Zero is one 0x00.
        let zero = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01];
        assert_eq!(der_to_raw(&zero).unwrap()[..32], [0; 32]);
    }

    #[test]
    fn malformed_signatures_are_refused() {
        let good = der(&[0x80; 32], &[0x01; 32]);
        assert!(der_to_raw(&good).is_ok());
        let cases: Vec<(Vec<u8>, DerError)> = vec![
            (vec![], DerError::Sequence),
            (vec![0x31, 0x00], DerError::Sequence),
            (vec![0x30, 0x81, 0x00], DerError::Sequence),
            (
                [good.clone(), vec![0]].concat(),
                DerError::SequenceLength {
                    declared: 69,
                    actual: 70,
                },
            ),
            (vec![0x30, 0x00], DerError::Truncated("r")),
            (vec![0x30, 0x02, 0x03, 0x00], DerError::Integer("r")),
            (vec![0x30, 0x02, 0x02, 0x00], DerError::Empty("r")),
            (vec![0x30, 0x03, 0x02, 0x01, 0x80], DerError::Negative("r")),
            (
                vec![0x30, 0x04, 0x02, 0x02, 0x00, 0x01],
                DerError::NotMinimal("r"),
            ),
            (vec![0x30, 0x03, 0x02, 0x05, 0x01], DerError::Truncated("r")),
            (vec![0x30, 0x03, 0x02, 0x01, 0x01], DerError::Truncated("s")),
            (
                [
                    vec![0x30, 0x08],
                    vec![0x02, 0x01, 0x01],
                    vec![0x02, 0x01, 0x01],
                    vec![0x05, 0x00],
                ]
                .concat(),
                DerError::Trailing(2),
            ),
            (vec![0; 73], DerError::TooLong(73)),
        ];
        for (input, want) in cases {
            assert_eq!(der_to_raw(&input), Err(want), "{input:02x?}");
        }
        // 33 significant bytes (a 0x01 before 32 bytes).
        let long = [
            vec![0x30, 0x26, 0x02, 0x21, 0x01],
            vec![0x11; 32],
            vec![0x02, 0x01, 0x01],
        ]
        .concat();
        assert_eq!(der_to_raw(&long), Err(DerError::IntegerTooLong("r", 33)));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, rng_seed: proptest::test_runner::RngSeed::Fixed(13), ..ProptestConfig::default() })]

        /// aws-lc-rs's DER signatures, converted, verify as FIXED (r||s) signatures.
        #[test]
        fn aws_lc_asn1_signatures_convert_to_fixed_ones(msg in proptest::collection::vec(any::<u8>(), 0..600)) {
            let rng = SystemRandom::new();
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
            let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref()).unwrap();
            let sig = key.sign(&rng, &msg).unwrap();
            let raw = der_to_raw(sig.as_ref()).unwrap();
            let public = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key().as_ref());
            prop_assert!(public.verify(&msg, &raw).is_ok());
            let mut flipped = raw;
            flipped[63] ^= 1;
            prop_assert!(public.verify(&msg, &flipped).is_err());
        }

        /// Any two scalars round-trip through the test's minimal DER encoder.
        #[test]
        fn any_scalars_round_trip(r in proptest::array::uniform32(any::<u8>()), s in proptest::array::uniform32(any::<u8>())) {
            let raw = der_to_raw(&der(&r, &s)).unwrap();
            prop_assert_eq!(&raw[..32], &r[..]);
            prop_assert_eq!(&raw[32..], &s[..]);
        }

        /// Arbitrary bytes never panic, and whatever parses re-encodes to the same bytes
        /// (only minimal DER is accepted).
        #[test]
        fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..80)) {
            if let Ok(raw) = der_to_raw(&b) {
                prop_assert_eq!(der(&raw[..32], &raw[32..]), b);
            }
        }
    }
}
