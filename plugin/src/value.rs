//! Terraform values (cty) as the plugin protocol carries them: a type-directed msgpack codec, the JSON
//! form used by raw state, and a bridge to serde so resources can work with typed structs.
//!
//! msgpack alone cannot tell a list from a set or an object from a map, so every decode is guided by the
//! [`Type`] the schema implies; encoding also follows the type so objects always carry every attribute.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeSeed;

mod json;
mod mp;

/// A cty type constraint, as it appears in schemas (JSON) and guides value decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Number,
    String,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    /// Attribute names are shared with every decoded value of this type (see [`Obj`]).
    Object(BTreeMap<Arc<str>, Type>),
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
                    .map(|(k, t)| (k.to_string(), t.to_json()))
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
                            attrs.insert(Arc::from(k.as_str()), Type::from_json(t)?);
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
    Map(Obj),
    Object(Obj),
}

/// The attributes of an object (or the entries of a map), sorted by name.
///
/// A sorted vector whose keys share the schema's name strings, and where null attributes decoded
/// from Terraform are simply absent (an absent attribute reads, compares and encodes as null): a
/// `record` block takes about 0.6 KB instead of a B-tree's 2.4 KB, which is most of what keeps the
/// provider's memory flat at 10,000 record sets (several copies of a resource are alive at once).
#[derive(Debug, Clone, Default)]
pub struct Obj(Vec<(Arc<str>, Value)>);

/// Absent and null are the same attribute value.
impl PartialEq for Obj {
    fn eq(&self, other: &Obj) -> bool {
        let mut a = self.0.iter().filter(|(_, v)| !v.is_null());
        let mut b = other.0.iter().filter(|(_, v)| !v.is_null());
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x == y => {}
                _ => return false,
            }
        }
    }
}

impl Obj {
    pub fn new() -> Obj {
        Obj(Vec::new())
    }
    fn find(&self, k: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(x, _)| (**x).cmp(k))
    }
    pub fn get(&self, k: &str) -> Option<&Value> {
        self.find(k).ok().map(|i| &self.0[i].1)
    }
    pub fn get_mut(&mut self, k: &str) -> Option<&mut Value> {
        self.find(k).ok().map(|i| &mut self.0[i].1)
    }
    pub fn contains_key(&self, k: &str) -> bool {
        self.find(k).is_ok()
    }
    /// Sets `k` (allocating a key only when it is new); returns the old value.
    pub fn insert<K: AsRef<str> + Into<Arc<str>>>(&mut self, k: K, v: Value) -> Option<Value> {
        match self.find(k.as_ref()) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, v)),
            Err(i) => {
                self.0.insert(i, (k.into(), v));
                None
            }
        }
    }
    pub fn remove(&mut self, k: &str) -> Option<Value> {
        self.find(k).ok().map(|i| self.0.remove(i).1)
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.0.iter_mut().map(|(_, v)| v)
    }
}

/// One shared string per attribute name (objects built by resources would otherwise allocate each
/// name once per object: 10,000 record sets × 12 attributes).
fn intern(k: &str) -> Arc<str> {
    use std::collections::HashSet;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashSet<Arc<str>>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(a) = names.get(k) {
        return a.clone();
    }
    let a: Arc<str> = Arc::from(k);
    names.insert(a.clone());
    a
}

impl<K: Into<Arc<str>>> FromIterator<(K, Value)> for Obj {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(it: I) -> Obj {
        let mut v: Vec<(Arc<str>, Value)> = it.into_iter().map(|(k, v)| (k.into(), v)).collect();
        // Stable sort, then keep the last of equal keys (as repeated inserts would).
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Arc<str>, Value)> = Vec::with_capacity(v.len());
        for e in v {
            match out.last_mut() {
                Some(last) if last.0 == e.0 => *last = e,
                _ => out.push(e),
            }
        }
        Obj(out)
    }
}

impl<K: Into<Arc<str>>, const N: usize> From<[(K, Value); N]> for Obj {
    fn from(a: [(K, Value); N]) -> Obj {
        a.into_iter().collect()
    }
}

impl IntoIterator for Obj {
    type Item = (Arc<str>, Value);
    type IntoIter = std::vec::IntoIter<(Arc<str>, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
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
        match self {
            // Attribute names are few: share one string per name across all objects built.
            // Null is stored as absence (see `Obj`).
            Value::Object(m) if v.is_null() => {
                m.remove(name);
            }
            Value::Object(m) => {
                m.insert(intern(name), v);
            }
            Value::Map(m) => {
                m.insert(name, v);
            }
            _ => {}
        }
    }

    // ---- msgpack -------------------------------------------------------------------------------

    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        // Decoded straight from the bytes, guided by the type: no intermediate msgpack tree, which
        // would double the peak memory of a 10,000-record plan.
        let mut rd = mp::Reader(bytes);
        let v = mp::decode(&mut rd, ty, &mut String::new(), 0)?;
        if !rd.0.is_empty() {
            return Err(ValueError::Msgpack(format!(
                "{} bytes after the value",
                rd.0.len()
            )));
        }
        Ok(v)
    }

    pub fn to_msgpack(&self, ty: &Type) -> Result<Vec<u8>, ValueError> {
        self.to_msgpack_sized(ty, 0)
    }

    /// Encodes into a buffer of `capacity` to start with: with the size of the value Terraform sent,
    /// the buffer is allocated once instead of doubling through megabytes.
    pub fn to_msgpack_sized(&self, ty: &Type, capacity: usize) -> Result<Vec<u8>, ValueError> {
        let mut out = Vec::with_capacity(capacity);
        mp::encode(self, ty, &mut out, &mut String::new())?;
        Ok(out)
    }

    // ---- JSON (raw state, typed bridge) -----------------------------------------------------------

    /// Builds a value of type `ty` from JSON, filling absent object attributes with null.
    pub fn from_json(j: &serde_json::Value, ty: &Type) -> Result<Value, ValueError> {
        from_json(j, ty, &mut String::new())
    }

    /// Like [`Value::from_json`], from the JSON text, without building a JSON tree first.
    pub fn from_json_slice(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        match DeserializeSeed::deserialize(json::Seed(ty), &mut de)
            .and_then(|v| de.end().map(|_| v))
        {
            Ok(v) => Ok(v),
            // The slow way names the path of the offending value.
            Err(_) => {
                let j: serde_json::Value =
                    serde_json::from_slice(bytes).map_err(|e| ValueError::Json(e.to_string()))?;
                Value::from_json(&j, ty)
            }
        }
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

/// The type a value would have on its own (used only for dynamic attributes).
fn infer_type(v: &Value) -> Type {
    match v {
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) | Value::Null | Value::Unknown => Type::String,
        Value::List(v) => Type::list(v.first().map(infer_type).unwrap_or(Type::String)),
        Value::Set(v) => Type::set(v.first().map(infer_type).unwrap_or(Type::String)),
        Value::Map(m) => Type::map(m.values().next().map(infer_type).unwrap_or(Type::String)),
        Value::Object(m) => Type::Object(
            m.iter()
                .map(|(k, v)| (Arc::from(k), infer_type(v)))
                .collect(),
        ),
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
        // Written as the streaming reader writes it (`1.0` is "1", as Terraform converts it).
        (J::Number(n), Type::String) => Ok(Value::String(json_number(n).to_string())),
        (J::Bool(b), Type::String) => Ok(Value::String(b.to_string())),
        (J::Number(n), Type::Number) => Ok(Value::Number(json_number(n))),
        (J::String(s), Type::Number) => number_from_str(s)
            .map(Value::Number)
            .ok_or_else(|| mismatch(path, ty, j)),
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
            let mut out = Obj::new();
            for (k, e) in m {
                out.insert(
                    k.as_str(),
                    with_path(path, &format!("[{k:?}]"), |p| from_json(e, et, p))?,
                );
            }
            Ok(Value::Map(out))
        }
        (J::Object(m), Type::Object(attrs)) => {
            let mut out = Obj::new();
            for (k, at) in attrs {
                let e = m.get(&**k).unwrap_or(&J::Null);
                let v = with_path(path, &format!(".{k}"), |p| from_json(e, at, p))?;
                if !v.is_null() {
                    out.0.push((k.clone(), v));
                }
            }
            Ok(Value::Object(out))
        }
        _ => Err(mismatch(path, ty, j)),
    }
}

/// A number stored as a string (legacy flat states). A Terraform number is finite: `NaN`, `inf`
/// and `1e999` (which f64 parsing turns into infinity) are not numbers.
fn number_from_str(s: &str) -> Option<Number> {
    match s.parse::<i64>() {
        Ok(i) => Some(Number::Int(i)),
        Err(_) => s
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Number::Float),
    }
}

fn json_number(n: &serde_json::Number) -> Number {
    if let Some(i) = n.as_i64() {
        Number::Int(i)
    } else if let Some(u) = n.as_u64() {
        // Beyond i64: exact, as the msgpack reader keeps it.
        Number::Big(u.to_string())
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
                .map(|(k, v)| (k.as_str(), json_untyped(v)))
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
            for (k, e) in m.iter() {
                out.insert(
                    k.to_string(),
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
        let v = Value::Object(Obj::from([
            ("name", Value::string("www.example.com")),
            ("ttl", Value::Unknown),
            ("weight", Value::Number(Number::Float(0.25))),
            (
                "records",
                Value::Set(vec![Value::string("a"), Value::string("b")]),
            ),
            (
                "tags",
                Value::Map(Obj::from([("env", Value::string("prod"))])),
            ),
            (
                "alias",
                Value::List(vec![Value::Object(Obj::from([("name", Value::Null)]))]),
            ),
            ("flag", Value::Null),
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
        let v = Value::Object(Obj::from([("name", Value::string("x"))]));
        let back = Value::from_msgpack(&v.to_msgpack(&ty).unwrap(), &ty).unwrap();
        assert_eq!(back.get("ttl"), &Value::Null);
        // Null attributes are not stored, and compare equal to absent ones.
        assert_eq!(
            back,
            Value::Object(Obj::from([("name", Value::string("x"))]))
        );
        assert_eq!(
            back,
            Value::Object(Obj::from([
                ("name", Value::string("x")),
                ("ttl", Value::Null)
            ]))
        );
        assert_ne!(back, Value::Object(Obj::new()));
        let bytes = back.to_msgpack(&ty).unwrap();
        assert_eq!(
            rmpv::decode::read_value(&mut &bytes[..])
                .unwrap()
                .as_map()
                .unwrap()
                .len(),
            7
        );
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
        use rmpv::Value as Mp;
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
    fn json_slice_matches_the_tree_reader() {
        let ty = obj_type();
        for text in [
            r#"{"name":"a","ttl":300,"weight":0.5,"records":["1.2.3.4"],"tags":{"k":"v"},"alias":[{"name":"x","gone":1}],"flag":"true","old":{"a":[1]}}"#,
            r#"{"name":7,"ttl":"42"}"#,
            r#"null"#,
        ] {
            let slow = Value::from_json(&serde_json::from_str(text).unwrap(), &ty).unwrap();
            assert_eq!(
                Value::from_json_slice(text.as_bytes(), &ty).unwrap(),
                slow,
                "{text}"
            );
        }
        // Errors name the path, as the tree reader does.
        let err = Value::from_json_slice(br#"{"alias":[{"name":["x"]}]}"#, &ty)
            .unwrap_err()
            .to_string();
        assert!(err.contains(".alias[0].name"), "{err}");
        assert!(Value::from_json_slice(b"{\"name\":", &ty).is_err());
    }

    #[test]
    fn msgpack_reader_skips_unknown_attributes_and_rejects_bad_input() {
        use rmpv::Value as Mp;
        let ty = Type::Object(BTreeMap::from([("name".into(), Type::String)]));
        let mp = Mp::Map(vec![
            (
                Mp::from("future"),
                Mp::Map(vec![(Mp::from("x"), Mp::Array(vec![Mp::from(1), Mp::Nil]))]),
            ),
            (Mp::from("name"), Mp::from("www")),
        ]);
        let mut b = Vec::new();
        rmpv::encode::write_value(&mut b, &mp).unwrap();
        let v = Value::from_msgpack(&b, &ty).unwrap();
        assert_eq!(v.get("name"), &Value::string("www"));
        // Truncated, trailing bytes, and a forged length: errors, not panics or huge allocations.
        assert!(Value::from_msgpack(&b[..b.len() - 2], &ty).is_err());
        let mut extra = b.clone();
        extra.push(0xc0);
        assert!(Value::from_msgpack(&extra, &ty).is_err());
        let forged = [0xdd, 0xff, 0xff, 0xff, 0xff];
        assert!(Value::from_msgpack(&forged, &Type::list(Type::String)).is_err());
        // Integers beyond i64 stay exact.
        let big = [0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(
            Value::from_msgpack(&big, &Type::Number).unwrap(),
            Value::Number(Number::Big("18446744073709551615".into()))
        );
    }

    #[test]
    fn nesting_past_the_limit_is_an_error_not_a_stack_overflow() {
        // Dynamic values that each hold another: 100,000 levels in 1.1 MB.
        let mut b = Vec::new();
        for _ in 0..100_000 {
            b.extend_from_slice(&[0x92, 0xc4, 9]);
            b.extend_from_slice(b"\"dynamic\"");
        }
        b.push(0xc0);
        let err = Value::from_msgpack(&b, &Type::Dynamic)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nested deeper than 64 levels"), "{err}");
        // Nested lists as deep as the limit decode; one more level does not.
        let nested = |levels: usize| {
            let mut ty = Type::String;
            for _ in 0..levels {
                ty = Type::list(ty);
            }
            let mut b = vec![0x91; levels];
            b.push(0xa1);
            b.push(b'x');
            (ty, b)
        };
        let (ty, b) = nested(64);
        assert!(Value::from_msgpack(&b, &ty).is_ok());
        let (ty, b) = nested(65);
        let err = Value::from_msgpack(&b, &ty).unwrap_err().to_string();
        assert!(err.contains("at [0][0]"), "names where: {err}");
        assert!(err.contains("nested deeper than 64 levels"), "{err}");
    }

    #[test]
    fn a_repeated_key_last_value_wins_even_when_null() {
        let ty = Type::Object(BTreeMap::from([("name".into(), Type::String)]));
        // {"name": "a", "name": nil}
        let b = [
            0x82, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'a', 0xa4, b'n', b'a', b'm', b'e', 0xc0,
        ];
        assert_eq!(
            Value::from_msgpack(&b, &ty).unwrap().get("name"),
            &Value::Null
        );
        let text = br#"{"name":"a","name":null}"#;
        assert_eq!(
            Value::from_json_slice(text, &ty).unwrap().get("name"),
            &Value::Null
        );
    }

    #[test]
    fn json_numbers_read_the_same_by_both_readers_and_stay_finite_and_exact() {
        let ty = Type::Object(BTreeMap::from([
            ("n".into(), Type::Number),
            ("s".into(), Type::String),
        ]));
        for (text, n, s) in [
            (
                r#"{"n":18446744073709551615,"s":1.0}"#,
                Number::Big("18446744073709551615".into()),
                "1",
            ),
            (
                r#"{"n":"42","s":18446744073709551615}"#,
                Number::Int(42),
                "18446744073709551615",
            ),
            (
                r#"{"n":"0.5","s":1e20}"#,
                Number::Float(0.5),
                "100000000000000000000",
            ),
        ] {
            let fast = Value::from_json_slice(text.as_bytes(), &ty).unwrap();
            let slow = Value::from_json(&serde_json::from_str(text).unwrap(), &ty).unwrap();
            assert_eq!(fast, slow, "{text}");
            assert_eq!(fast.get("n"), &Value::Number(n.clone()), "{text}");
            assert_eq!(fast.get("s"), &Value::string(s), "{text}");
            // Big stays exact: it encodes as the digits, not as a rounded float.
            assert_eq!(fast.get("n").as_i64(), n.as_i64());
        }
        for bad in ["NaN", "inf", "-infinity", "1e999"] {
            let text = format!(r#"{{"n":"{bad}"}}"#);
            let err = Value::from_json_slice(text.as_bytes(), &ty)
                .unwrap_err()
                .to_string();
            assert!(err.contains(".n"), "{bad}: {err}");
        }
    }

    #[test]
    fn type_json_round_trip() {
        let ty = obj_type();
        assert_eq!(Type::from_json(&ty.to_json()).unwrap(), ty);
    }
}
