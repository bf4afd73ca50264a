//! The resource kit: a typed model per resource or data source, declared once with [`model!`](crate::model!).
//!
//! One list of attributes (name, Rust type, flags, description) gives the schema block, a struct of
//! [`Field`]s (each known, unknown or null, as in terraform-plugin-framework), decoding from a
//! [`Value`] with errors that name the attribute path, and encoding back. An attribute's name is
//! then written once; code reads `m.zone_id`, and a diagnostic points at `Model::ATTR.zone_id`.

use std::collections::BTreeMap;
use std::fmt;

use crate::diag::{AttrPath, Diagnostic, Diagnostics, Step};
use crate::schema::{Attribute, Block, Nesting};
use crate::value::{Number, Type, Value};

/// One attribute's value as Terraform holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Field<T> {
    #[default]
    Null,
    /// "Known after apply" (plans only). Also a collection of plain values with an unknown element
    /// inside: such a value is not usable until it is known as a whole.
    Unknown,
    Known(T),
}

impl<T> Field<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Field::Known(t) => Some(t),
            _ => None,
        }
    }
    pub fn into_known(self) -> Option<T> {
        match self {
            Field::Known(t) => Some(t),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }
    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }
    pub fn is_known(&self) -> bool {
        matches!(self, Field::Known(_))
    }
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Null => Field::Null,
            Field::Unknown => Field::Unknown,
            Field::Known(t) => Field::Known(f(t)),
        }
    }
}

impl<T: Copy> Field<T> {
    /// The value when known (bools and numbers).
    pub fn get(&self) -> Option<T> {
        self.known().copied()
    }
}

impl Field<String> {
    pub fn as_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
    /// The value as an owned string when known.
    pub fn string(&self) -> Option<String> {
        self.known().cloned()
    }
}

impl<T> Field<Vec<T>> {
    /// The elements (none when null or unknown).
    pub fn items(&self) -> &[T] {
        self.known().map(Vec::as_slice).unwrap_or_default()
    }
}

impl<T> Field<Set<T>> {
    /// The elements (none when null or unknown).
    pub fn items(&self) -> &[T] {
        self.known().map(|s| s.0.as_slice()).unwrap_or_default()
    }
}

impl<T> Field<BTreeMap<String, T>> {
    /// The entries (none when null or unknown).
    pub fn entries(&self) -> impl Iterator<Item = (&String, &T)> {
        self.known().into_iter().flatten()
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `None` is null.
    fn from(o: Option<T>) -> Self {
        o.map_or(Field::Null, Field::Known)
    }
}

impl From<&str> for Field<String> {
    fn from(s: &str) -> Self {
        Field::Known(s.to_string())
    }
}

/// A set: elements in the order Terraform sent them (the Rust type of a `set(…)` attribute; a
/// `Vec` is a list).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Set<T>(pub Vec<T>);

impl<T> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(it: I) -> Self {
        Set(it.into_iter().collect())
    }
}

/// Why a value could not be decoded, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeError {
    /// Innermost step first: each container adds its step as the error passes through it.
    rev_path: Vec<Step>,
    pub detail: String,
}

impl DecodeError {
    pub fn new(detail: impl Into<String>) -> Self {
        DecodeError {
            rev_path: Vec::new(),
            detail: detail.into(),
        }
    }
    fn within(mut self, step: Step) -> Self {
        self.rev_path.push(step);
        self
    }
    pub fn path(&self) -> AttrPath {
        AttrPath(self.rev_path.iter().rev().cloned().collect())
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            p if p.0.is_empty() => write!(f, "{}", self.detail),
            p => write!(f, "{p}: {}", self.detail),
        }
    }
}

impl From<DecodeError> for Diagnostic {
    fn from(e: DecodeError) -> Diagnostic {
        let path = e.path();
        let summary = match path.0.first() {
            Some(Step::Attr(a)) => format!("Invalid {a}"),
            _ => "Invalid value".to_string(),
        };
        let d = Diagnostic::error(summary, e.to_string());
        if path.0.is_empty() {
            d
        } else {
            d.at(path)
        }
    }
}

impl From<DecodeError> for Diagnostics {
    fn from(e: DecodeError) -> Diagnostics {
        Diagnostic::from(e).into()
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Unknown => "an unknown value",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::List(_) => "a list",
        Value::Set(_) => "a set",
        Value::Map(_) => "a map",
        Value::Object(_) => "an object",
    }
}

fn expected(what: &str, v: &Value) -> DecodeError {
    DecodeError::new(format!("expected {what}, found {}", kind(v)))
}

/// A Rust type standing for a Terraform type: the type in the schema, and the conversions.
pub trait AttrType: Sized {
    fn ty() -> Type;
    /// Decodes `v`, which is neither null nor unknown. `Ok(None)`: it holds an unknown value inside
    /// (the field is then unknown as a whole).
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError>;
    fn encode(&self) -> Value;
    /// False when a field inside is unknown (models and collections of them).
    fn is_wholly_known(&self) -> bool {
        true
    }
}

impl<T: AttrType> Field<T> {
    /// Decodes an attribute's value; an error names `name` in its path.
    pub fn decode_attr(v: &Value, name: &str) -> Result<Self, DecodeError> {
        Self::decode_value(v).map_err(|e| e.within(Step::Attr(name.to_string())))
    }
    fn decode_value(v: &Value) -> Result<Self, DecodeError> {
        Ok(match v {
            Value::Null => Field::Null,
            Value::Unknown => Field::Unknown,
            v => T::decode(v)?.map_or(Field::Unknown, Field::Known),
        })
    }
    pub fn encode(&self) -> Value {
        match self {
            Field::Null => Value::Null,
            Field::Unknown => Value::Unknown,
            Field::Known(t) => t.encode(),
        }
    }
    /// True when neither this value nor anything inside it is unknown (as [`Value::is_wholly_known`]).
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Field::Null => true,
            Field::Unknown => false,
            Field::Known(t) => t.is_wholly_known(),
        }
    }
}

impl AttrType for String {
    fn ty() -> Type {
        Type::String
    }
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError> {
        v.as_str()
            .map(|s| Some(s.to_string()))
            .ok_or_else(|| expected("a string", v))
    }
    fn encode(&self) -> Value {
        Value::String(self.clone())
    }
}

impl AttrType for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError> {
        v.as_bool().map(Some).ok_or_else(|| expected("a bool", v))
    }
    fn encode(&self) -> Value {
        Value::Bool(*self)
    }
}

impl AttrType for i64 {
    fn ty() -> Type {
        Type::Number
    }
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError> {
        match v {
            Value::Number(n) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| DecodeError::new(format!("expected a whole number, found {n}"))),
            _ => Err(expected("a number", v)),
        }
    }
    fn encode(&self) -> Value {
        Value::Number(Number::Int(*self))
    }
}

impl AttrType for f64 {
    fn ty() -> Type {
        Type::Number
    }
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError> {
        match v {
            Value::Number(n) => Ok(Some(n.as_f64())),
            _ => Err(expected("a number", v)),
        }
    }
    fn encode(&self) -> Value {
        Value::Number(Number::Float(*self))
    }
}

/// Decodes the elements of a collection; `step` names an element in an error's path (None: the
/// collection itself, as for sets, whose elements have no address).
fn decode_elems<'a, T: AttrType>(
    items: impl Iterator<Item = (Option<Step>, &'a Value)>,
) -> Result<Option<Vec<T>>, DecodeError> {
    let mut out = Vec::new();
    for (step, v) in items {
        let r = match v {
            Value::Unknown => return Ok(None),
            Value::Null => Err(DecodeError::new("an element is null")),
            v => T::decode(v),
        };
        match r {
            Ok(Some(t)) => out.push(t),
            Ok(None) => return Ok(None),
            Err(e) => {
                return Err(match step {
                    Some(s) => e.within(s),
                    None => e,
                })
            }
        }
    }
    Ok(Some(out))
}

impl<T: AttrType> AttrType for Vec<T> {
    fn ty() -> Type {
        Type::list(T::ty())
    }
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError> {
        match v {
            Value::List(items) => decode_elems(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (Some(Step::Index(i as i64)), e)),
            ),
            _ => Err(expected("a list", v)),
        }
    }
    fn encode(&self) -> Value {
        Value::List(self.iter().map(T::encode).collect())
    }
    fn is_wholly_known(&self) -> bool {
        self.iter().all(T::is_wholly_known)
    }
}

impl<T: AttrType> AttrType for Set<T> {
    fn ty() -> Type {
        Type::set(T::ty())
    }
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError> {
        match v {
            Value::Set(items) => Ok(decode_elems(items.iter().map(|e| (None, e)))?.map(Set)),
            _ => Err(expected("a set", v)),
        }
    }
    fn encode(&self) -> Value {
        Value::Set(self.0.iter().map(T::encode).collect())
    }
    fn is_wholly_known(&self) -> bool {
        self.0.iter().all(T::is_wholly_known)
    }
}

impl<T: AttrType> AttrType for BTreeMap<String, T> {
    fn ty() -> Type {
        Type::map(T::ty())
    }
    fn decode(v: &Value) -> Result<Option<Self>, DecodeError> {
        let Value::Map(m) = v else {
            return Err(expected("a map", v));
        };
        let values = decode_elems::<T>(m.iter().map(|(k, e)| (Some(Step::Key(k.into())), e)))?;
        Ok(values.map(|vs| m.keys().map(str::to_string).zip(vs).collect()))
    }
    fn encode(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.as_str(), v.encode())).collect())
    }
    fn is_wholly_known(&self) -> bool {
        self.values().all(T::is_wholly_known)
    }
}

/// A sensitive field in a model's `Debug`: whether it is set, not what it holds.
pub struct Redacted<'a, T>(pub &'a Field<T>);

impl<T> fmt::Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Field::Null => "Null",
            Field::Unknown => "Unknown",
            Field::Known(_) => "Known(<sensitive>)",
        })
    }
}

/// A type declared with [`model!`](crate::model!): an object with a schema block of its own.
pub trait Model: AttrType {
    fn block() -> Block;
}

/// How a collection of models nests as blocks (`Vec`: list, [`Set`]: set, map: one label each).
pub trait BlockNesting {
    const NESTING: Nesting;
    type Item: Model;
}

impl<T: Model> BlockNesting for Vec<T> {
    const NESTING: Nesting = Nesting::List;
    type Item = T;
}

impl<T: Model> BlockNesting for Set<T> {
    const NESTING: Nesting = Nesting::Set;
    type Item = T;
}

impl<T: Model> BlockNesting for BTreeMap<String, T> {
    const NESTING: Nesting = Nesting::Map;
    type Item = T;
}

/// An attribute of the schema (what `model!` writes for each attribute line).
pub fn attribute(name: &str, ty: Type, description: impl AsRef<str>) -> Attribute {
    Attribute::new(name, ty, description.as_ref())
}

/// A field's name in the schema: `r#type` is `type`.
pub const fn attr_name(ident: &'static str) -> &'static str {
    match ident.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(s) => s,
            Err(_) => ident,
        },
        _ => ident,
    }
}

/// The object `v` as fields: `Err` unless it is an object.
pub fn object_of(v: &Value) -> Result<&Value, DecodeError> {
    match v {
        Value::Object(_) => Ok(v),
        v => Err(expected("an object", v)),
    }
}

/// Declares a model: a struct of [`Field`]s, its schema [`Block`], decoding and encoding.
///
/// ```ignore
/// model! {
///     /// The configuration and state of `example_zone`.
///     pub struct Zone / ZoneAttrs {
///         description: "A zone.";
///         attributes {
///             id: String [computed] "The zone ID.",
///             name: String [required, force_new] "The zone's name.",
///             tags: BTreeMap<String, String> [optional] "Tags.",
///         }
///         blocks {
///             vpc: Set<Vpc> [0, 0],
///             timeouts: Vec<Timeouts> [0, 1] => timeouts_block("Defaults: 30m."),
///         }
///     }
/// }
/// ```
///
/// Flags are [`Attribute`]'s builder methods (`required`, `optional`, `computed`,
/// `optional_computed`, `force_new`, `sensitive`, `write_only`); none is optional. `Debug` shows a
/// sensitive or write-only attribute as `Known(<sensitive>)`. A block's nesting follows its
/// Rust type; `=> expr` gives its schema block instead of the item model's own. `ZoneAttrs` is a
/// generated struct of the attribute names (`Zone::ATTR.name == "name"`) for diagnostic paths.
#[macro_export]
macro_rules! model {
    // Debug shows a sensitive attribute's state, never its value.
    (@debug $d:ident, $field:ident, $v:expr, [sensitive $($rest:ident)*]) => {
        $d.field(stringify!($field), &$crate::model::Redacted($v));
    };
    (@debug $d:ident, $field:ident, $v:expr, [write_only $($rest:ident)*]) => {
        $d.field(stringify!($field), &$crate::model::Redacted($v));
    };
    (@debug $d:ident, $field:ident, $v:expr, [$other:ident $($rest:ident)*]) => {
        $crate::model!(@debug $d, $field, $v, [$($rest)*])
    };
    (@debug $d:ident, $field:ident, $v:expr, []) => {
        $d.field(stringify!($field), $v);
    };
    (@block_of () ($default:expr)) => { $default };
    (@block_of ($given:expr) ($default:expr)) => { $given };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident / $names:ident {
            description: $desc:expr;
            attributes {
                $( $(#[$fmeta:meta])* $field:ident : $fty:ty [ $($flag:ident),* ] $fdesc:expr ),* $(,)?
            }
            $( blocks {
                $( $(#[$bmeta:meta])* $bfield:ident : $bty:ty [ $min:expr, $max:expr ] $( => $bblock:expr )? ),* $(,)?
            } )?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Default)]
        $vis struct $name {
            $( $(#[$fmeta])* pub $field: $crate::model::Field<$fty>, )*
            $($( $(#[$bmeta])* pub $bfield: $crate::model::Field<$bty>, )*)?
        }

        /// The attribute and block names of the model, as the schema spells them.
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy)]
        $vis struct $names {
            $( pub $field: &'static str, )*
            $($( pub $bfield: &'static str, )*)?
        }

        #[allow(dead_code)]
        impl $name {
            pub const ATTR: $names = $names {
                $( $field: $crate::model::attr_name(stringify!($field)), )*
                $($( $bfield: $crate::model::attr_name(stringify!($bfield)), )*)?
            };

            /// The schema block (attributes, then blocks).
            pub fn block() -> $crate::schema::Block {
                <Self as $crate::model::Model>::block()
            }

            /// Decodes an object of the model's type (a configuration, plan or state).
            pub fn from_value(v: &$crate::Value) -> Result<Self, $crate::Diagnostics> {
                <Self as $crate::model::AttrType>::decode(v)
                    .map(Option::unwrap_or_default)
                    .map_err(Into::into)
            }

            /// Decodes a value that may be null (a prior state on create): `None` then.
            pub fn from_nullable(v: &$crate::Value) -> Result<Option<Self>, $crate::Diagnostics> {
                match v {
                    $crate::Value::Null => Ok(None),
                    v => Self::from_value(v).map(Some),
                }
            }

            /// Decodes two objects of the model's type, e.g. a prior state and a plan.
            pub fn from_values(
                a: &$crate::Value,
                b: &$crate::Value,
            ) -> Result<(Self, Self), $crate::Diagnostics> {
                Ok((Self::from_value(a)?, Self::from_value(b)?))
            }

            /// The object value, every attribute present (null ones absent, as `Obj` keeps them).
            pub fn to_value(&self) -> $crate::Value {
                $crate::model::AttrType::encode(self)
            }
        }

        impl ::core::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                let mut d = f.debug_struct(stringify!($name));
                $( $crate::model!(@debug d, $field, &self.$field, [$($flag)*]); )*
                $($( d.field(stringify!($bfield), &self.$bfield); )*)?
                d.finish()
            }
        }

        impl $crate::model::AttrType for $name {
            fn ty() -> $crate::Type {
                <Self as $crate::model::Model>::block().implied_type()
            }
            fn decode(v: &$crate::Value) -> Result<Option<Self>, $crate::model::DecodeError> {
                let v = $crate::model::object_of(v)?;
                Ok(Some($name {
                    $( $field: $crate::model::Field::decode_attr(
                        v.get(Self::ATTR.$field),
                        Self::ATTR.$field,
                    )?, )*
                    $($( $bfield: $crate::model::Field::decode_attr(
                        v.get(Self::ATTR.$bfield),
                        Self::ATTR.$bfield,
                    )?, )*)?
                }))
            }
            fn encode(&self) -> $crate::Value {
                let mut v = $crate::Value::Object(Default::default());
                $( v.set(Self::ATTR.$field, self.$field.encode()); )*
                $($( v.set(Self::ATTR.$bfield, self.$bfield.encode()); )*)?
                v
            }
            fn is_wholly_known(&self) -> bool {
                true $( && self.$field.is_wholly_known() )*
                    $($( && self.$bfield.is_wholly_known() )*)?
            }
        }

        impl $crate::model::Model for $name {
            fn block() -> $crate::schema::Block {
                $crate::schema::Block::new(::core::convert::AsRef::<str>::as_ref(&$desc))
                    $( .attr(
                        $crate::model::attribute(
                            Self::ATTR.$field,
                            <$fty as $crate::model::AttrType>::ty(),
                            $fdesc,
                        )
                        $( .$flag() )*
                    ) )*
                    $($( .block(
                        Self::ATTR.$bfield,
                        <$bty as $crate::model::BlockNesting>::NESTING,
                        $min,
                        $max,
                        $crate::model!(@block_of ($($bblock)?)
                            (<<$bty as $crate::model::BlockNesting>::Item as $crate::model::Model>::block())),
                    ) )*)?
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;
    use crate::value::Obj;

    crate::model! {
        /// A nested block's model.
        pub struct Vpc / VpcAttrs {
            description: "A VPC.";
            attributes {
                vpc_id: String [required] "The VPC ID.",
                vpc_region: String [optional_computed] "Its region.",
            }
        }
    }

    crate::model! {
        pub struct Zone / ZoneAttrs {
            description: "A zone.";
            attributes {
                id: String [computed] "The ID.",
                name: String [required, force_new] "The name.",
                r#type: String [optional] "A keyword as a name.",
                ttl: i64 [optional] "A number.",
                price: f64 [computed] "A float.",
                private: bool [optional, sensitive] "A bool.",
                name_servers: Set<String> [optional] "A set.",
                servers: Vec<String> [computed] "A list.",
                tags: BTreeMap<String, String> [optional] "A map.",
            }
            blocks {
                vpc: Set<Vpc> [0, 0],
                other: Vec<Vpc> [0, 1] => Block::new("Overridden."),
            }
        }
    }

    fn hand_written() -> Block {
        Block::new("A zone.")
            .attr(Attribute::new("id", Type::String, "The ID.").computed())
            .attr(
                Attribute::new("name", Type::String, "The name.")
                    .required()
                    .force_new(),
            )
            .attr(Attribute::new("type", Type::String, "A keyword as a name.").optional())
            .attr(Attribute::new("ttl", Type::Number, "A number.").optional())
            .attr(Attribute::new("price", Type::Number, "A float.").computed())
            .attr(
                Attribute::new("private", Type::Bool, "A bool.")
                    .optional()
                    .sensitive(),
            )
            .attr(Attribute::new("name_servers", Type::set(Type::String), "A set.").optional())
            .attr(Attribute::new("servers", Type::list(Type::String), "A list.").computed())
            .attr(Attribute::new("tags", Type::map(Type::String), "A map.").optional())
            .block(
                "vpc",
                Nesting::Set,
                0,
                0,
                Block::new("A VPC.")
                    .attr(Attribute::new("vpc_id", Type::String, "The VPC ID.").required())
                    .attr(
                        Attribute::new("vpc_region", Type::String, "Its region.")
                            .optional_computed(),
                    ),
            )
            .block("other", Nesting::List, 0, 1, Block::new("Overridden."))
    }

    fn value(j: serde_json::Value) -> Value {
        Value::from_json(&j, &Zone::block().implied_type()).unwrap()
    }

    #[test]
    fn the_generated_schema_is_the_hand_written_one() {
        // The protocol form and the docs both come from the block: compare both.
        let (ours, theirs) = (
            Schema::new(1, Zone::block()),
            Schema::new(1, hand_written()),
        );
        assert_eq!(ours.to_proto(), theirs.to_proto());
        assert_eq!(ours.block.markdown("##"), theirs.block.markdown("##"));
        assert_eq!(Zone::ATTR.r#type, "type");
        assert_eq!(Zone::ATTR.vpc, "vpc");
    }

    #[test]
    fn known_unknown_and_null_decode_and_encode_back() {
        let mut v = value(serde_json::json!({
            "name": "example.com", "ttl": 300, "private": true, "price": 1.5,
            "name_servers": ["b", "a"], "tags": {"k": "v"},
            "vpc": [{"vpc_id": "vpc-1"}],
        }));
        v.set("id", Value::Unknown);
        let m = Zone::from_value(&v).unwrap();
        assert_eq!(m.name.as_str(), Some("example.com"));
        assert_eq!(m.ttl.get(), Some(300));
        assert_eq!(m.price.get(), Some(1.5));
        assert_eq!(m.private.get(), Some(true));
        assert!(m.id.is_unknown());
        assert!(m.r#type.is_null() && m.servers.is_null());
        assert_eq!(m.name_servers.items(), ["b", "a"]);
        assert_eq!(m.tags.entries().count(), 1);
        assert_eq!(m.vpc.items()[0].vpc_id.as_str(), Some("vpc-1"));
        assert!(m.vpc.items()[0].vpc_region.is_null());
        assert_eq!(m.to_value(), v);
    }

    #[test]
    fn a_collection_with_an_unknown_element_is_unknown_a_block_keeps_its_own() {
        let mut v = value(serde_json::json!({"name": "example.com"}));
        v.set(
            "name_servers",
            Value::Set(vec![Value::string("a"), Value::Unknown]),
        );
        v.set(
            "vpc",
            Value::Set(vec![Value::Object(Obj::from([("vpc_id", Value::Unknown)]))]),
        );
        let m = Zone::from_value(&v).unwrap();
        assert!(m.name_servers.is_unknown());
        assert!(m.vpc.items()[0].vpc_id.is_unknown());
        assert!(!m.vpc.is_wholly_known() && m.name.is_wholly_known());
        assert_eq!(
            m.to_value().is_wholly_known(),
            <Zone as AttrType>::is_wholly_known(&m)
        );
    }

    #[test]
    fn errors_name_the_attribute_path() {
        let v = value(serde_json::json!({"name": "example.com", "ttl": 1.5}));
        let e = Zone::from_value(&v).unwrap_err();
        assert_eq!(e.0[0].path, Some(AttrPath::attr("ttl")));
        assert_eq!(e.0[0].summary, "Invalid ttl");
        assert_eq!(e.0[0].detail, "ttl: expected a whole number, found 1.5");

        let v = value(serde_json::json!({"other": [{"vpc_id": "a"}, {"vpc_id": 7}]}));
        // from_json turns 7 into "7" for a string attribute: build the bad element by hand.
        let mut v = v;
        v.set(
            "other",
            Value::List(vec![
                Value::Object(Obj::from([("vpc_id", Value::string("a"))])),
                Value::Object(Obj::from([("vpc_id", Value::Bool(true))])),
            ]),
        );
        let e = Zone::from_value(&v).unwrap_err();
        assert_eq!(
            e.0[0].path,
            Some(AttrPath::attr("other").index(1).then("vpc_id"))
        );
        assert_eq!(
            e.0[0].detail,
            "other[1].vpc_id: expected a string, found a bool"
        );

        let mut v = value(serde_json::json!({}));
        v.set("tags", Value::Map(Obj::from([("k", Value::Null)])));
        let e = Zone::from_value(&v).unwrap_err();
        assert_eq!(e.0[0].path, Some(AttrPath::attr("tags").key("k")));

        // Set elements have no address: the path stops at the set.
        v.set("tags", Value::Null);
        v.set("name_servers", Value::Set(vec![Value::Null]));
        let e = Zone::from_value(&v).unwrap_err();
        assert_eq!(e.0[0].path, Some(AttrPath::attr("name_servers")));

        assert_eq!(Zone::from_nullable(&Value::Null).unwrap(), None);
        assert!(Zone::from_nullable(&v).is_err());
        let e = Zone::from_value(&Value::string("x")).unwrap_err();
        assert_eq!(e.0[0].path, None);
        assert_eq!(e.0[0].detail, "expected an object, found a string");
    }

    #[test]
    fn encoding_a_model_built_in_code_round_trips() {
        let m = Zone {
            id: "Z1".into(),
            name: Field::Known("example.com".into()),
            ttl: Field::Known(60),
            name_servers: Field::Known(["a".to_string()].into_iter().collect()),
            tags: Field::Known(BTreeMap::from([("k".to_string(), "v".to_string())])),
            vpc: Field::Known(Set(vec![Vpc {
                vpc_id: "vpc-1".into(),
                vpc_region: Field::Unknown,
            }])),
            ..Default::default()
        };
        let v = m.to_value();
        assert_eq!(v.get("type"), &Value::Null);
        assert_eq!(Zone::from_value(&v).unwrap(), m);
        // Through the wire format too.
        let ty = Zone::block().implied_type();
        let back = Value::from_msgpack(&v.to_msgpack(&ty).unwrap(), &ty).unwrap();
        assert_eq!(Zone::from_value(&back).unwrap(), m);
    }

    #[test]
    fn debug_hides_sensitive_values() {
        let m = Zone {
            name: "example.com".into(),
            private: Field::Known(true),
            ..Default::default()
        };
        let shown = format!("{m:?}");
        assert!(shown.contains(r#"name: Known("example.com")"#), "{shown}");
        assert!(shown.contains("private: Known(<sensitive>)"), "{shown}");
    }
}
