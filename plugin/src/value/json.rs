//! Stored state (JSON) read straight into a [`Value`], guided by the type: no `serde_json::Value`
//! tree in between, which at 10,000 record sets would be the largest thing in the process.
//! Accepts what [`Value::from_json`] accepts; errors are reported by re-reading the slow way, which
//! knows the path.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{json_untyped, number_from_str, Number, Obj, Type, Value};

pub(super) struct Seed<'a>(pub(super) &'a Type);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.0 {
            Type::Dynamic => {
                let j = <serde_json::Value as serde::Deserialize>::deserialize(d)?;
                Ok(json_untyped(&j))
            }
            ty => d.deserialize_any(V(ty)),
        }
    }
}

struct V<'a>(&'a Type);

impl V<'_> {
    fn bad<E: serde::de::Error>(&self, found: impl fmt::Display) -> E {
        E::custom(format!("expected {:?}, found {found}", self.0))
    }
}

impl<'de> Visitor<'de> for V<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a value of type {:?}", self.0)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Value, E> {
        match self.0 {
            Type::Bool => Ok(Value::Bool(b)),
            Type::String => Ok(Value::String(b.to_string())),
            _ => Err(self.bad(b)),
        }
    }
    fn visit_i64<E: serde::de::Error>(self, i: i64) -> Result<Value, E> {
        match self.0 {
            Type::Number => Ok(Value::Number(Number::Int(i))),
            Type::String => Ok(Value::String(i.to_string())),
            _ => Err(self.bad(i)),
        }
    }
    fn visit_u64<E: serde::de::Error>(self, u: u64) -> Result<Value, E> {
        match (i64::try_from(u), self.0) {
            (Ok(i), _) => self.visit_i64(i),
            // Beyond i64: exact, as the msgpack reader keeps it.
            (Err(_), Type::Number) => Ok(Value::Number(Number::Big(u.to_string()))),
            (Err(_), Type::String) => Ok(Value::String(u.to_string())),
            _ => Err(self.bad(u)),
        }
    }
    fn visit_f64<E: serde::de::Error>(self, x: f64) -> Result<Value, E> {
        match self.0 {
            Type::Number => Ok(Value::Number(Number::Float(x))),
            Type::String => Ok(Value::String(x.to_string())),
            _ => Err(self.bad(x)),
        }
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Value, E> {
        match self.0 {
            Type::String => Ok(Value::String(s.to_string())),
            // Legacy flat states stored booleans and numbers as strings.
            Type::Bool if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            Type::Number => number_from_str(s)
                .map(Value::Number)
                .ok_or_else(|| self.bad(format!("{s:?}"))),
            _ => Err(self.bad(format!("{s:?}"))),
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let (Type::List(et) | Type::Set(et)) = self.0 else {
            return Err(self.bad("an array"));
        };
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(v) = seq.next_element_seed(Seed(et))? {
            out.push(v);
        }
        Ok(if matches!(self.0, Type::List(_)) {
            Value::List(out)
        } else {
            Value::Set(out)
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        match self.0 {
            Type::Map(et) => {
                let mut out = Obj::new();
                while let Some(k) = map.next_key::<String>()? {
                    let v = map.next_value_seed(Seed(et))?;
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object(attrs) => {
                let mut out = Obj::new();
                while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match attrs.get_key_value(&*k) {
                        Some((name, at)) => {
                            let v = map.next_value_seed(Seed(at))?;
                            // A repeated key's last value wins, a null one too (as in the
                            // tree reader).
                            if v.is_null() {
                                out.remove(name);
                            } else {
                                out.insert(name.clone(), v);
                            }
                        }
                        // Attributes the schema does not know (an older schema's) are dropped.
                        None => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                out.0.shrink_to_fit();
                Ok(Value::Object(out))
            }
            _ => Err(self.bad("an object")),
        }
    }
}
