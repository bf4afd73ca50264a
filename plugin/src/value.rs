//! Terraform values (cty) as the plugin protocol carries them: a type-directed msgpack codec, the JSON
//! form used by raw state, and a bridge to serde so resources can work with typed structs.
//!
//! msgpack alone cannot tell a list from a set or an object from a map, so every decode is guided by the
//! [`Type`] the schema implies; encoding also follows the type so objects always carry every attribute.

use std::collections::BTreeMap;
use std::fmt;

use rmpv::Value as Mp;

/// A cty type constraint, as it appears in schemas (JSON) and guides value decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    /// Any type; values carry their own type on the wire.
    Dynamic,
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// The JSON type notation Terraform expects in `Schema.Attribute.type`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, serde_json::Value> = attrs
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                json!(["object", m])
            }
        }
    }

    pub fn from_json(v: &serde_json::Value) -> Result<Type, ValueError> {
        use serde_json::Value as J;
        let bad = || ValueError::Type(format!("unsupported type notation {v}"));
        match v {
            J::String(s) => match s.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(bad()),
            },
            J::Array(a) if a.len() == 2 => {
                let kind = a[0].as_str().ok_or_else(bad)?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(&a[1])?)),
                    "set" => Ok(Type::set(Type::from_json(&a[1])?)),
                    "map" => Ok(Type::map(Type::from_json(&a[1])?)),
                    "object" => {
                        let o = a[1].as_object().ok_or_else(bad)?;
                        let mut attrs = BTreeMap::new();
                        for (k, t) in o {
                            attrs.insert(k.clone(), Type::from_json(t)?);
                        }
                        Ok(Type::Object(attrs))
                    }
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }
}

/// A cty number. Terraform numbers are arbitrary-precision decimals; integers and floats cover what
/// Route 53 needs, and anything larger travels as its decimal string.
#[derive(Debug, Clone)]
pub enum Number {
    Int(i64),
    Float(f64),
    Big(String),
}

impl Number {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(*f as i64),
            Number::Float(_) => None,
            Number::Big(s) => s.parse().ok(),
        }
    }
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(s) => s.parse().unwrap_or(f64::NAN),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self.as_i64(), other.as_i64()) {
            (Some(a), Some(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

/// A Terraform value. `Unknown` only appears in plans ("known after apply").
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    #[error("msgpack: {0}")]
    Msgpack(String),
    #[error("type: {0}")]
    Type(String),
    #[error("at {path}: expected {expected}, found {found}")]
    Mismatch {
        path: String,
        expected: String,
        found: String,
    },
    #[error("at {0}: value is not yet known")]
    Unknown(String),
    #[error("json: {0}")]
    Json(String),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }
    /// True when neither this value nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(v) | Value::Set(v) => v.iter().all(Value::is_wholly_known),
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
            _ => true,
        }
    }
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }
    pub fn opt_string(s: Option<impl Into<String>>) -> Value {
        s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }
    /// Elements of a list or set (empty for null/unknown/other).
    pub fn elements(&self) -> &[Value] {
        match self {
            Value::List(v) | Value::Set(v) => v,
            _ => &[],
        }
    }
    /// An attribute of an object (Null when absent or when self is not an object).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        match self {
            Value::Object(m) | Value::Map(m) => m.get(name).unwrap_or(&NULL),
            _ => &NULL,
        }
    }
    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        match self {
            Value::Object(m) | Value::Map(m) => m.get_mut(name),
            _ => None,
        }
    }
    pub fn set(&mut self, name: &str, v: Value) {
        if let Value::Object(m) | Value::Map(m) = self {
            m.insert(name.to_string(), v);
        }
    }

    // ---- msgpack -------------------------------------------------------------------------------

    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        let mut rd = bytes;
        let mp =
            rmpv::decode::read_value(&mut rd).map_err(|e| ValueError::Msgpack(e.to_string()))?;
        from_mp(&mp, ty, &mut String::new())
    }

    pub fn to_msgpack(&self, ty: &Type) -> Result<Vec<u8>, ValueError> {
        let mp = to_mp(self, ty, &mut String::new())?;
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &mp).map_err(|e| ValueError::Msgpack(e.to_string()))?;
        Ok(out)
    }

    // ---- JSON (raw state, typed bridge) -----------------------------------------------------------

    /// Builds a value of type `ty` from JSON, filling absent object attributes with null.
    pub fn from_json(j: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
        from_json(j, ty, &mut String::new())
    }

    /// The JSON form; fails on unknown values (callers decide what unknown means for them).
    pub fn to_json(&self) -> Result<serde_json::Value, ValueError> {
        to_json(self, &mut String::new())
    }

    /// Decodes into a typed struct (serde). Unknown values are an error.
    pub fn to_typed<T: serde::de::DeserializeOwned>(&self) -> Result<T, ValueError> {
        let j = self.to_json()?;
        serde_json::from_value(j).map_err(|e| ValueError::Json(e.to_string()))
    }

    /// Encodes a typed struct as a value of type `ty`.
    pub fn from_typed<T: serde::Serialize>(t: &T, ty: &Type) -> Result<Value, ValueError> {
        let j = serde_json::to_value(t).map_err(|e| ValueError::Json(e.to_string()))?;
        Value::from_json(&j, ty)
    }
}

fn mismatch(path: &str, expected: &Type, found: impl fmt::Debug) -> ValueError {
    ValueError::Mismatch {
        path: if path.is_empty() {
            "(root)".into()
        } else {
            path.to_string()
        },
        expected: format!("{expected:?}"),
        found: format!("{found:?}"),
    }
}

fn with_path<R>(path: &mut String, seg: &str, f: impl FnOnce(&mut String) -> R) -> R {
    let len = path.len();
    path.push_str(seg);
    let r = f(path);
    path.truncate(len);
    r
}

fn from_mp(mp: &Mp, ty: &Type, path: &mut String) -> Result<Value, ValueError> {
    // Unknown values are msgpack extension 0; refined unknowns (Terraform >= 1.6) use extension 12.
    if let Mp::Ext(code, _) = mp {
        if *code == 0 || *code == 12 {
            return Ok(Value::Unknown);
        }
        return Err(mismatch(path, ty, format!("extension {code}")));
    }
    if let Mp::Nil = mp {
        return Ok(Value::Null);
    }
    match ty {
        Type::Dynamic => {
            // [type-json, value]
            let arr = mp
                .as_array()
                .filter(|a| a.len() == 2)
                .ok_or_else(|| mismatch(path, ty, mp))?;
            let tj: serde_json::Value = match &arr[0] {
                Mp::Binary(b) => serde_json::from_slice(b),
                Mp::String(s) => serde_json::from_str(s.as_str().unwrap_or("")),
                other => return Err(mismatch(path, ty, other)),
            }
            .map_err(|e| ValueError::Json(e.to_string()))?;
            let inner = Type::from_json(&tj)?;
            from_mp(&arr[1], &inner, path)
        }
        Type::Bool => mp
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| mismatch(path, ty, mp)),
        Type::String => match mp {
            Mp::String(s) => Ok(Value::String(s.as_str().unwrap_or_default().to_string())),
            Mp::Binary(b) => Ok(Value::String(String::from_utf8_lossy(b).into_owned())),
            _ => Err(mismatch(path, ty, mp)),
        },
        Type::Number => match mp {
            Mp::Integer(i) => {
                if let Some(v) = i.as_i64() {
                    Ok(Value::Number(Number::Int(v)))
                } else {
                    Ok(Value::Number(Number::Big(i.to_string())))
                }
            }
            Mp::F32(f) => Ok(Value::Number(Number::Float(*f as f64))),
            Mp::F64(f) => Ok(Value::Number(Number::Float(*f))),
            // cty sends numbers that fit neither as their decimal string.
            Mp::String(s) => Ok(Value::Number(Number::Big(
                s.as_str().unwrap_or_default().to_string(),
            ))),
            _ => Err(mismatch(path, ty, mp)),
        },
        Type::List(et) | Type::Set(et) => {
            let arr = mp.as_array().ok_or_else(|| mismatch(path, ty, mp))?;
            let mut out = Vec::with_capacity(arr.len());
            for (i, e) in arr.iter().enumerate() {
                out.push(with_path(path, &format!("[{i}]"), |p| from_mp(e, et, p))?);
            }
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(out)
            } else {
                Value::Set(out)
            })
        }
        Type::Map(et) => {
            let m = mp.as_map().ok_or_else(|| mismatch(path, ty, mp))?;
            let mut out = BTreeMap::new();
            for (k, v) in m {
                let k = k.as_str().ok_or_else(|| mismatch(path, ty, k))?.to_string();
                let v = with_path(path, &format!("[{k:?}]"), |p| from_mp(v, et, p))?;
                out.insert(k, v);
            }
            Ok(Value::Map(out))
        }
        Type::Object(attrs) => {
            let m = mp.as_map().ok_or_else(|| mismatch(path, ty, mp))?;
            let mut out: BTreeMap<String, Value> =
                attrs.keys().map(|k| (k.clone(), Value::Null)).collect();
            for (k, v) in m {
                let k = k.as_str().ok_or_else(|| mismatch(path, ty, k))?;
                // Attributes the schema does not know (e.g. from a newer state) are dropped.
                if let Some(at) = attrs.get(k) {
                    let v = with_path(path, &format!(".{k}"), |p| from_mp(v, at, p))?;
                    out.insert(k.to_string(), v);
                }
            }
            Ok(Value::Object(out))
        }
    }
}

fn to_mp(v: &Value, ty: &Type, path: &mut String) -> Result<Mp, ValueError> {
    match (v, ty) {
        (Value::Null, _) => Ok(Mp::Nil),
        (Value::Unknown, _) => Ok(Mp::Ext(0, vec![0])),
        (_, Type::Dynamic) => {
            let inner = infer_type(v);
            let tj = serde_json::to_vec(&inner.to_json())
                .map_err(|e| ValueError::Json(e.to_string()))?;
            Ok(Mp::Array(vec![Mp::Binary(tj), to_mp(v, &inner, path)?]))
        }
        (Value::Bool(b), Type::Bool) => Ok(Mp::Boolean(*b)),
        (Value::String(s), Type::String) => Ok(Mp::String(s.clone().into())),
        (Value::Number(n), Type::Number) => Ok(match n {
            Number::Int(i) => Mp::from(*i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Mp::from(*f as i64),
            Number::Float(f) => Mp::F64(*f),
            Number::Big(s) => Mp::String(s.clone().into()),
        }),
        (Value::List(items) | Value::Set(items), Type::List(et) | Type::Set(et)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, e) in items.iter().enumerate() {
                out.push(with_path(path, &format!("[{i}]"), |p| to_mp(e, et, p))?);
            }
            Ok(Mp::Array(out))
        }
        (Value::Map(m) | Value::Object(m), Type::Map(et)) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, e) in m {
                out.push((
                    Mp::String(k.clone().into()),
                    with_path(path, &format!("[{k:?}]"), |p| to_mp(e, et, p))?,
                ));
            }
            Ok(Mp::Map(out))
        }
        (Value::Object(m), Type::Object(attrs)) => {
            let mut out = Vec::with_capacity(attrs.len());
            for (k, at) in attrs {
                let e = m.get(k).unwrap_or(&Value::Null);
                out.push((
                    Mp::String(k.clone().into()),
                    with_path(path, &format!(".{k}"), |p| to_mp(e, at, p))?,
                ));
            }
            Ok(Mp::Map(out))
        }
        (v, ty) => Err(mismatch(path, ty, v)),
    }
}

/// The type a value would have on its own (used only for dynamic attributes).
fn infer_type(v: &Value) -> Type {
    match v {
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) | Value::Null | Value::Unknown => Type::String,
        Value::List(v) => Type::list(v.first().map(infer_type).unwrap_or(Type::String)),
        Value::Set(v) => Type::set(v.first().map(infer_type).unwrap_or(Type::String)),
        Value::Map(m) => Type::map(m.values().next().map(infer_type).unwrap_or(Type::String)),
        Value::Object(m) => {
            Type::Object(m.iter().map(|(k, v)| (k.clone(), infer_type(v))).collect())
        }
    }
}

fn from_json(j: &serde_json::Value, ty: &Type, path: &mut String) -> Result<Value, ValueError> {
    use serde_json::Value as J;
    match (j, ty) {
        (J::Null, _) => Ok(Value::Null),
        (_, Type::Dynamic) => Ok(json_untyped(j)),
        (J::Bool(b), Type::Bool) => Ok(Value::Bool(*b)),
        // Legacy flat states stored booleans and numbers as strings; accept them.
        (J::String(s), Type::Bool) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (J::String(s), Type::String) => Ok(Value::String(s.clone())),
        (J::Number(n), Type::String) => Ok(Value::String(n.to_string())),
        (J::Bool(b), Type::String) => Ok(Value::String(b.to_string())),
        (J::Number(n), Type::Number) => Ok(Value::Number(json_number(n))),
        (J::String(s), Type::Number) => match s.parse::<i64>() {
            Ok(i) => Ok(Value::Number(Number::Int(i))),
            Err(_) => s
                .parse::<f64>()
                .map(|f| Value::Number(Number::Float(f)))
                .map_err(|_| mismatch(path, ty, j)),
        },
        (J::Array(items), Type::List(et) | Type::Set(et)) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, e) in items.iter().enumerate() {
                out.push(with_path(path, &format!("[{i}]"), |p| from_json(e, et, p))?);
            }
            Ok(if matches!(ty, Type::List(_)) {
                Value::List(out)
            } else {
                Value::Set(out)
            })
        }
        (J::Object(m), Type::Map(et)) => {
            let mut out = BTreeMap::new();
            for (k, e) in m {
                out.insert(
                    k.clone(),
                    with_path(path, &format!("[{k:?}]"), |p| from_json(e, et, p))?,
                );
            }
            Ok(Value::Map(out))
        }
        (J::Object(m), Type::Object(attrs)) => {
            let mut out = BTreeMap::new();
            for (k, at) in attrs {
                let e = m.get(k).unwrap_or(&J::Null);
                out.insert(
                    k.clone(),
                    with_path(path, &format!(".{k}"), |p| from_json(e, at, p))?,
                );
            }
            Ok(Value::Object(out))
        }
        _ => Err(mismatch(path, ty, j)),
    }
}

fn json_number(n: &serde_json::Number) -> Number {
    if let Some(i) = n.as_i64() {
        Number::Int(i)
    } else if let Some(f) = n.as_f64() {
        Number::Float(f)
    } else {
        Number::Big(n.to_string())
    }
}

fn json_untyped(j: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(json_number(n)),
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::List(a.iter().map(json_untyped).collect()),
        J::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), json_untyped(v)))
                .collect(),
        ),
    }
}

fn to_json(v: &Value, path: &mut String) -> Result<serde_json::Value, ValueError> {
    use serde_json::Value as J;
    Ok(match v {
        Value::Null => J::Null,
        Value::Unknown => {
            return Err(ValueError::Unknown(if path.is_empty() {
                "(root)".into()
            } else {
                path.clone()
            }))
        }
        Value::Bool(b) => J::Bool(*b),
        Value::String(s) => J::String(s.clone()),
        Value::Number(n) => match n {
            Number::Int(i) => J::from(*i),
            Number::Float(f) => serde_json::Number::from_f64(*f)
                .map(J::Number)
                .unwrap_or(J::Null),
            Number::Big(s) => serde_json::from_str(s).unwrap_or(J::String(s.clone())),
        },
        Value::List(items) | Value::Set(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, e) in items.iter().enumerate() {
                out.push(with_path(path, &format!("[{i}]"), |p| to_json(e, p))?);
            }
            J::Array(out)
        }
        Value::Map(m) | Value::Object(m) => {
            let mut out = serde_json::Map::new();
            for (k, e) in m {
                out.insert(
                    k.clone(),
                    with_path(path, &format!(".{k}"), |p| to_json(e, p))?,
                );
            }
            J::Object(out)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj_type() -> Type {
        Type::Object(BTreeMap::from([
            ("name".into(), Type::String),
            ("ttl".into(), Type::Number),
            ("weight".into(), Type::Number),
            ("records".into(), Type::set(Type::String)),
            ("tags".into(), Type::map(Type::String)),
            (
                "alias".into(),
                Type::list(Type::Object(BTreeMap::from([(
                    "name".into(),
                    Type::String,
                )]))),
            ),
            ("flag".into(), Type::Bool),
        ]))
    }

    #[test]
    fn msgpack_round_trip_with_null_unknown_sets_maps_floats() {
        let ty = obj_type();
        let v = Value::Object(BTreeMap::from([
            ("name".into(), Value::string("www.example.com")),
            ("ttl".into(), Value::Unknown),
            ("weight".into(), Value::Number(Number::Float(0.25))),
            (
                "records".into(),
                Value::Set(vec![Value::string("a"), Value::string("b")]),
            ),
            (
                "tags".into(),
                Value::Map(BTreeMap::from([("env".into(), Value::string("prod"))])),
            ),
            (
                "alias".into(),
                Value::List(vec![Value::Object(BTreeMap::from([(
                    "name".into(),
                    Value::Null,
                )]))]),
            ),
            ("flag".into(), Value::Null),
        ]));
        let bytes = v.to_msgpack(&ty).unwrap();
        let back = Value::from_msgpack(&bytes, &ty).unwrap();
        assert_eq!(back, v);
        assert!(!back.is_wholly_known());
        assert_eq!(back.get("weight"), &Value::Number(Number::Float(0.25)));
    }

    #[test]
    fn object_encoding_fills_absent_attributes_with_null() {
        let ty = obj_type();
        let v = Value::Object(BTreeMap::from([("name".into(), Value::string("x"))]));
        let back = Value::from_msgpack(&v.to_msgpack(&ty).unwrap(), &ty).unwrap();
        assert_eq!(back.get("ttl"), &Value::Null);
        if let Value::Object(m) = &back {
            assert_eq!(m.len(), 7);
        } else {
            panic!("not an object");
        }
    }

    #[test]
    fn refined_unknown_extension_decodes_as_unknown() {
        // fixext1, type 12, payload: how Terraform >= 1.6 sends refined unknowns
        let bytes = [0xd4, 12, 0x00];
        assert_eq!(
            Value::from_msgpack(&bytes, &Type::String).unwrap(),
            Value::Unknown
        );
    }

    #[test]
    fn type_mismatch_reports_path() {
        let ty = obj_type();
        let mp = Mp::Map(vec![(Mp::from("ttl"), Mp::from("not-a-number-x"))]);
        let mut b = Vec::new();
        rmpv::encode::write_value(&mut b, &mp).unwrap();
        let err = Value::from_msgpack(
            &b,
            &Type::Object(BTreeMap::from([("ttl".into(), Type::Bool)])),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains(".ttl"), "{err}");
        let _ = ty;
    }

    #[test]
    fn json_state_and_typed_bridge() {
        #[derive(serde::Deserialize, serde::Serialize, PartialEq, Debug)]
        struct R {
            name: String,
            ttl: Option<i64>,
            records: Vec<String>,
        }
        let ty = obj_type();
        let j = serde_json::json!({"name": "a", "ttl": 300, "records": ["1.2.3.4"], "extra": 1});
        let v = Value::from_json(&j, &ty).unwrap();
        let r: R = v.to_typed().unwrap();
        assert_eq!(
            r,
            R {
                name: "a".into(),
                ttl: Some(300),
                records: vec!["1.2.3.4".into()]
            }
        );
        let v2 = Value::from_typed(&r, &ty).unwrap();
        assert_eq!(
            v2.get("records"),
            &Value::Set(vec![Value::string("1.2.3.4")])
        );
        assert_eq!(v2.get("flag"), &Value::Null);
        let mut u = v2.clone();
        u.set("ttl", Value::Unknown);
        assert!(matches!(u.to_typed::<R>(), Err(ValueError::Unknown(p)) if p == ".ttl"));
    }

    #[test]
    fn type_json_round_trip() {
        let ty = obj_type();
        assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }
}
