//! The msgpack form of cty values, read and written directly, guided by the type (Terraform sends
//! objects as maps with every attribute, unknowns as extension 0 or 12, dynamic values as
//! `[type JSON, value]`).

use std::fmt;

use rmp::Marker;

use super::{infer_type, mismatch, with_path, Number, Obj, Type, Value, ValueError};

pub(super) struct Reader<'a>(pub(super) &'a [u8]);

/// One msgpack item: scalars whole, containers as their length (the elements follow).
enum Item<'a> {
    Nil,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'a [u8]),
    Bin(&'a [u8]),
    Array(usize),
    Map(usize),
    /// The payload is not needed: the only extensions cty sends are unknowns.
    Ext(i8),
}

/// How a mismatching item is shown in an error.
struct Found(String);

impl fmt::Debug for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Item<'_> {
    fn found(&self) -> Found {
        Found(match self {
            Item::Nil => "null".into(),
            Item::Bool(b) => format!("bool {b}"),
            Item::Int(i) => format!("integer {i}"),
            Item::Float(x) => format!("float {x}"),
            Item::Str(s) => format!("string {:?}", String::from_utf8_lossy(s)),
            Item::Bin(b) => format!("{} bytes of binary", b.len()),
            Item::Array(n) => format!("array of {n}"),
            Item::Map(n) => format!("map of {n}"),
            Item::Ext(c) => format!("extension {c}"),
        })
    }
}

/// Elements reserved before any is decoded (see [`Reader::capacity`]).
const MAX_RESERVE: usize = 1024;

/// How deeply containers may nest, in decoded values and in skipped ones. Terraform values of
/// a schema are as deep as its nested blocks (a handful); only a hostile or corrupt payload
/// nests further, and recursion that deep would overflow the stack. Not configurable.
pub(super) const MAX_DEPTH: usize = 64;

fn too_deep(path: &str) -> ValueError {
    ValueError::Msgpack(format!(
        "at {}: value nested deeper than {MAX_DEPTH} levels (the decoder's fixed limit)",
        if path.is_empty() { "(root)" } else { path }
    ))
}

fn truncated() -> ValueError {
    ValueError::Msgpack("truncated value".into())
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ValueError> {
        if self.0.len() < n {
            return Err(truncated());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn be(&mut self, n: usize) -> Result<u64, ValueError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }
    fn len(&mut self, n: usize) -> Result<usize, ValueError> {
        Ok(self.be(n)? as usize)
    }
    /// Bytes preceded by their length in `width` bytes (str 8/16/32, bin 8/16/32).
    fn blob(&mut self, width: usize) -> Result<&'a [u8], ValueError> {
        let n = self.len(width)?;
        self.take(n)
    }
    /// What to reserve for a container of `n` elements: never more than the bytes left (each
    /// element takes at least one), and at most [`MAX_RESERVE`] up front (a decoded element is
    /// ~40 bytes, so the bytes left alone would still let a forged length reserve 40 times the
    /// input); past that the vector grows with the elements actually decoded.
    fn capacity(&self, n: usize) -> usize {
        n.min(self.0.len()).min(MAX_RESERVE)
    }

    fn item(&mut self) -> Result<Item<'a>, ValueError> {
        let m = Marker::from_u8(self.take(1)?[0]);
        Ok(match m {
            Marker::Null => Item::Nil,
            Marker::True => Item::Bool(true),
            Marker::False => Item::Bool(false),
            Marker::FixPos(n) => Item::Int(n.into()),
            Marker::FixNeg(n) => Item::Int(n.into()),
            Marker::U8 => Item::Int(self.be(1)?.into()),
            Marker::U16 => Item::Int(self.be(2)?.into()),
            Marker::U32 => Item::Int(self.be(4)?.into()),
            Marker::U64 => Item::Int(self.be(8)?.into()),
            Marker::I8 => Item::Int((self.be(1)? as u8 as i8).into()),
            Marker::I16 => Item::Int((self.be(2)? as u16 as i16).into()),
            Marker::I32 => Item::Int((self.be(4)? as u32 as i32).into()),
            Marker::I64 => Item::Int((self.be(8)? as i64).into()),
            Marker::F32 => Item::Float(f32::from_bits(self.be(4)? as u32).into()),
            Marker::F64 => Item::Float(f64::from_bits(self.be(8)?)),
            Marker::FixStr(n) => Item::Str(self.take(n.into())?),
            Marker::Str8 => Item::Str(self.blob(1)?),
            Marker::Str16 => Item::Str(self.blob(2)?),
            Marker::Str32 => Item::Str(self.blob(4)?),
            Marker::Bin8 => Item::Bin(self.blob(1)?),
            Marker::Bin16 => Item::Bin(self.blob(2)?),
            Marker::Bin32 => Item::Bin(self.blob(4)?),
            Marker::FixArray(n) => Item::Array(n.into()),
            Marker::Array16 => Item::Array(self.len(2)?),
            Marker::Array32 => Item::Array(self.len(4)?),
            Marker::FixMap(n) => Item::Map(n.into()),
            Marker::Map16 => Item::Map(self.len(2)?),
            Marker::Map32 => Item::Map(self.len(4)?),
            Marker::FixExt1 => self.ext(1)?,
            Marker::FixExt2 => self.ext(2)?,
            Marker::FixExt4 => self.ext(4)?,
            Marker::FixExt8 => self.ext(8)?,
            Marker::FixExt16 => self.ext(16)?,
            Marker::Ext8 => {
                let n = self.len(1)?;
                self.ext(n)?
            }
            Marker::Ext16 => {
                let n = self.len(2)?;
                self.ext(n)?
            }
            Marker::Ext32 => {
                let n = self.len(4)?;
                self.ext(n)?
            }
            Marker::Reserved => return Err(ValueError::Msgpack("reserved marker 0xc1".into())),
        })
    }

    fn ext(&mut self, n: usize) -> Result<Item<'a>, ValueError> {
        let code = self.take(1)?[0] as i8;
        self.take(n)?;
        Ok(Item::Ext(code))
    }

    /// Skips one whole value (an attribute the schema does not know).
    fn skip(&mut self, path: &str, depth: usize) -> Result<(), ValueError> {
        if depth > MAX_DEPTH {
            return Err(too_deep(path));
        }
        match self.item()? {
            Item::Array(n) => (0..n).try_for_each(|_| self.skip(path, depth + 1)),
            // n ≤ u32::MAX, so 2n cannot overflow a 64-bit usize; saturate anyway (it only bounds
            // a loop that ends at the first truncated element).
            Item::Map(n) => (0..n.saturating_mul(2)).try_for_each(|_| self.skip(path, depth + 1)),
            _ => Ok(()),
        }
    }

    fn key(&mut self, path: &str, ty: &Type) -> Result<&'a str, ValueError> {
        match self.item()? {
            Item::Str(s) => std::str::from_utf8(s)
                .map_err(|_| ValueError::Msgpack(format!("at {path}: key is not UTF-8"))),
            other => Err(mismatch(path, ty, other.found())),
        }
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(super) fn decode(
    rd: &mut Reader<'_>,
    ty: &Type,
    path: &mut String,
    depth: usize,
) -> Result<Value, ValueError> {
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    let it = rd.item()?;
    match it {
        // Unknown values are extension 0; refined unknowns (Terraform >= 1.6) use extension 12.
        Item::Ext(0 | 12) => return Ok(Value::Unknown),
        Item::Ext(_) => return Err(mismatch(path, ty, it.found())),
        Item::Nil => return Ok(Value::Null),
        _ => {}
    }
    match (ty, it) {
        (Type::Dynamic, Item::Array(2)) => {
            let tj: serde_json::Value = match rd.item()? {
                Item::Bin(b) | Item::Str(b) => {
                    serde_json::from_slice(b).map_err(|e| ValueError::Json(e.to_string()))?
                }
                other => return Err(mismatch(path, ty, other.found())),
            };
            let inner = Type::from_json(&tj)?;
            // A dynamic value inside a dynamic value is one level deeper too.
            decode(rd, &inner, path, depth + 1)
        }
        (Type::Bool, Item::Bool(b)) => Ok(Value::Bool(b)),
        (Type::String, Item::Str(b) | Item::Bin(b)) => Ok(Value::String(text(b))),
        (Type::Number, Item::Int(i)) => Ok(Value::Number(match i64::try_from(i) {
            Ok(v) => Number::Int(v),
            Err(_) => Number::Big(i.to_string()),
        })),
        (Type::Number, Item::Float(x)) => Ok(Value::Number(Number::Float(x))),
        // cty sends numbers that fit neither as their decimal string.
        (Type::Number, Item::Str(b)) => Ok(Value::Number(Number::Big(text(b)))),
        (Type::List(et) | Type::Set(et), Item::Array(n)) => {
            let mut out = Vec::with_capacity(rd.capacity(n));
            for i in 0..n {
                out.push(with_path(path, &format!("[{i}]"), |p| {
                    decode(rd, et, p, depth + 1)
                })?);
            }
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(out)
            } else {
                Value::Set(out)
            })
        }
        (Type::Map(et), Item::Map(n)) => {
            let mut out = Obj::new();
            for _ in 0..n {
                let k = rd.key(path, ty)?;
                let v = with_path(path, &format!("[{k:?}]"), |p| decode(rd, et, p, depth + 1))?;
                out.insert(k, v);
            }
            Ok(Value::Map(out))
        }
        (Type::Object(attrs), Item::Map(n)) => {
            // Keys shared with the type; nulls not stored (absent reads as null).
            let mut out = Obj(Vec::with_capacity(n.min(attrs.len())));
            for _ in 0..n {
                let k = rd.key(path, ty)?;
                match attrs.get_key_value(k) {
                    Some((name, at)) => {
                        let v =
                            with_path(path, &format!(".{k}"), |p| decode(rd, at, p, depth + 1))?;
                        // A repeated key's last value wins, a null one too.
                        if v.is_null() {
                            out.remove(name);
                        } else {
                            out.insert(name.clone(), v);
                        }
                    }
                    // Attributes the schema does not know (e.g. from a newer state) are dropped.
                    None => rd.skip(path, depth + 1)?,
                }
            }
            out.0.shrink_to_fit();
            Ok(Value::Object(out))
        }
        (ty, it) => Err(mismatch(path, ty, it.found())),
    }
}

fn werr(e: impl fmt::Display) -> ValueError {
    ValueError::Msgpack(e.to_string())
}

fn len32(n: usize) -> Result<u32, ValueError> {
    u32::try_from(n).map_err(|_| ValueError::Msgpack(format!("{n} elements is too many")))
}

pub(super) fn encode(
    v: &Value,
    ty: &Type,
    out: &mut Vec<u8>,
    path: &mut String,
) -> Result<(), ValueError> {
    use rmp::encode as w;
    match (v, ty) {
        (Value::Null, _) => w::write_nil(out).map_err(werr)?,
        // fixext1, type 0, one zero byte: cty's unknown value.
        (Value::Unknown, _) => out.extend_from_slice(&[0xd4, 0, 0]),
        (_, Type::Dynamic) => {
            let inner = infer_type(v);
            let tj = serde_json::to_vec(&inner.to_json())
                .map_err(|e| ValueError::Json(e.to_string()))?;
            w::write_array_len(out, 2).map_err(werr)?;
            w::write_bin(out, &tj).map_err(werr)?;
            encode(v, &inner, out, path)?;
        }
        (Value::Bool(b), Type::Bool) => w::write_bool(out, *b).map_err(werr)?,
        (Value::String(s), Type::String) => w::write_str(out, s).map_err(werr)?,
        (Value::Number(n), Type::Number) => match n {
            Number::Int(i) => {
                w::write_sint(out, *i).map_err(werr)?;
            }
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                w::write_sint(out, *f as i64).map_err(werr)?;
            }
            Number::Float(f) => w::write_f64(out, *f).map_err(werr)?,
            Number::Big(s) => w::write_str(out, s).map_err(werr)?,
        },
        (Value::List(items) | Value::Set(items), Type::List(et) | Type::Set(et)) => {
            w::write_array_len(out, len32(items.len())?).map_err(werr)?;
            for (i, e) in items.iter().enumerate() {
                with_path(path, &format!("[{i}]"), |p| encode(e, et, out, p))?;
            }
        }
        (Value::Map(m) | Value::Object(m), Type::Map(et)) => {
            w::write_map_len(out, len32(m.len())?).map_err(werr)?;
            for (k, e) in m.iter() {
                w::write_str(out, k).map_err(werr)?;
                with_path(path, &format!("[{k:?}]"), |p| encode(e, et, out, p))?;
            }
        }
        (Value::Object(m), Type::Object(attrs)) => {
            w::write_map_len(out, len32(attrs.len())?).map_err(werr)?;
            for (k, at) in attrs {
                let e = m.get(k).unwrap_or(&Value::Null);
                w::write_str(out, k).map_err(werr)?;
                with_path(path, &format!(".{k}"), |p| encode(e, at, out, p))?;
            }
        }
        (v, ty) => return Err(mismatch(path, ty, v)),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_length_reserves_at_most_the_input_and_never_more_than_the_cap() {
        let few = [0u8; 10];
        assert_eq!(Reader(&few).capacity(u32::MAX as usize), 10);
        let many = vec![0u8; 100_000];
        assert_eq!(Reader(&many).capacity(u32::MAX as usize), MAX_RESERVE);
        assert_eq!(Reader(&many).capacity(3), 3);
    }
}
