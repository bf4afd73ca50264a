//! Resource identity (protocol 5.9, Terraform >= 1.12, OpenTofu >= 1.12): a small versioned object
//! that names the remote object a resource instance manages, stored beside its state and accepted
//! by `import { identity = {…} }` instead of an import ID string.
//!
//! Every identity here is read from the resource's own state attributes, so it is exactly what the
//! state says and needs no API call; a resource maps an identity back to its import ID.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::proto::tfplugin5 as pb;
use crate::value::{Obj, Type, Value};

/// One identity attribute, read from the state attribute `from`.
#[derive(Debug, Clone)]
pub struct IdentityAttr {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    /// Must be given in an `import { identity = … }` block (otherwise it may be left out).
    pub required_for_import: bool,
    /// The top-level state attribute holding the value.
    pub from: &'static str,
}

impl IdentityAttr {
    /// A string attribute, required for import, read from the state attribute of the same name.
    pub fn required(name: &'static str, description: &'static str) -> Self {
        IdentityAttr {
            name,
            ty: Type::String,
            description,
            required_for_import: true,
            from: name,
        }
    }

    /// A string attribute an import may leave out.
    pub fn optional(name: &'static str, description: &'static str) -> Self {
        IdentityAttr {
            required_for_import: false,
            ..IdentityAttr::required(name, description)
        }
    }

    /// Read from another state attribute than its name.
    pub fn from_state(mut self, attr: &'static str) -> Self {
        self.from = attr;
        self
    }
}

#[derive(Debug, Clone)]
pub struct Identity {
    pub version: i64,
    pub attributes: Vec<IdentityAttr>,
}

impl Identity {
    pub fn new(attributes: Vec<IdentityAttr>) -> Self {
        Identity {
            version: 0,
            attributes,
        }
    }

    /// The object type identities of this schema have.
    pub fn ty(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (Arc::from(a.name), a.ty.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    /// The identity of a state, or None when the state is null or a required attribute is not
    /// known yet (a create's plan): Terraform accepts a null identity there and takes the one
    /// the apply returns.
    pub fn of(&self, state: &Value) -> Option<Value> {
        if state.is_null() || state.is_unknown() {
            return None;
        }
        let mut o = Obj::new();
        for a in &self.attributes {
            let v = state.get(a.from);
            if v.is_unknown() || (a.required_for_import && v.is_null()) {
                return None;
            }
            o.insert(a.name, v.clone());
        }
        Some(Value::Object(o))
    }

    pub(crate) fn to_proto(&self) -> pb::ResourceIdentitySchema {
        pb::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| pb::resource_identity_schema::IdentityAttribute {
                    name: a.name.into(),
                    r#type: serde_json::to_vec(&a.ty.to_json()).expect("type json"),
                    required_for_import: a.required_for_import,
                    optional_for_import: !a.required_for_import,
                    description: a.description.into(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record_identity() -> Identity {
        Identity::new(vec![
            IdentityAttr::required("zone_id", "zone"),
            IdentityAttr::required("name", "name").from_state("fqdn"),
            IdentityAttr::optional("set_identifier", "set"),
        ])
    }

    fn state(j: serde_json::Value) -> Value {
        let ty = Type::Object(
            ["zone_id", "fqdn", "name", "set_identifier"]
                .into_iter()
                .map(|k| (Arc::from(k), Type::String))
                .collect(),
        );
        Value::from_json(&j, &ty).unwrap()
    }

    #[test]
    fn an_identity_is_read_from_the_state() {
        let id = record_identity();
        let v = id
            .of(&state(serde_json::json!({"zone_id": "Z1", "fqdn": "www.example.com", "name": "WWW.example.com."})))
            .unwrap();
        assert_eq!(v.get("zone_id").as_str(), Some("Z1"));
        assert_eq!(v.get("name").as_str(), Some("www.example.com"));
        assert!(v.get("set_identifier").is_null());
        // It encodes as the schema's type (every attribute present, null where absent).
        let bytes = v.to_msgpack(&id.ty()).unwrap();
        assert_eq!(Value::from_msgpack(&bytes, &id.ty()).unwrap(), v);
    }

    #[test]
    fn no_identity_until_the_required_parts_are_known() {
        let id = record_identity();
        assert!(id.of(&Value::Null).is_none());
        let mut s = state(serde_json::json!({"zone_id": "Z1", "fqdn": "www.example.com"}));
        s.set("fqdn", Value::Unknown);
        assert!(id.of(&s).is_none());
        assert!(id
            .of(&state(serde_json::json!({"zone_id": "Z1"})))
            .is_none());
    }

    #[test]
    fn the_schema_marks_what_import_needs() {
        let p = record_identity().to_proto();
        let req: Vec<_> = p
            .identity_attributes
            .iter()
            .map(|a| {
                (
                    a.name.as_str(),
                    a.required_for_import,
                    a.optional_for_import,
                )
            })
            .collect();
        assert_eq!(
            req,
            vec![
                ("zone_id", true, false),
                ("name", true, false),
                ("set_identifier", false, true)
            ]
        );
    }
}
