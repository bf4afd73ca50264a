//! What the server keeps per resource, data source, list resource and function, and what it
//! derives from a resource's schema (write-only attributes, identity) for every state it returns.

use std::sync::Arc;

use crate::framework::{DataSource, ListResource, Resource};
use crate::function::{Function, Signature};
use crate::identity::Identity;
use crate::proto::tfplugin5 as pb;
use crate::schema::Schema;
use crate::value::{Type, Value};

pub(super) struct ResourceEntry<M: Send + Sync + 'static> {
    pub(super) imp: Arc<dyn Resource<M>>,
    pub(super) schema: Schema,
    pub(super) ty: Type,
    pub(super) identity: Option<(Identity, Type)>,
    pub(super) write_only: Vec<String>,
}

impl<M: Send + Sync + 'static> ResourceEntry<M> {
    /// Nulls the write-only attributes: Terraform refuses a plan or state that holds one, and
    /// none may ever be stored.
    pub(super) fn strip_write_only(&self, v: &mut Value) {
        if matches!(v, Value::Object(_)) {
            for a in &self.write_only {
                v.set(a, Value::Null);
            }
        }
    }

    /// The configuration's write-only values, as an object (null without any).
    pub(super) fn write_only_of(&self, config: &Value) -> Value {
        let mut o = crate::value::Obj::new();
        for a in &self.write_only {
            let v = config.get(a);
            if !v.is_null() {
                o.insert(a.as_str(), v.clone());
            }
        }
        Value::Object(o)
    }

    /// Makes `state` fit to return (write-only attributes nulled) and gives its identity: what
    /// every read, apply, import, move and listing does with the state it answers with.
    pub(super) fn settle(&self, state: &mut Value) -> Option<pb::ResourceIdentityData> {
        self.strip_write_only(state);
        self.identity_of(state)
    }

    /// The encoded identity of `state` (None: no identity schema, or none yet).
    pub(super) fn identity_of(&self, state: &Value) -> Option<pb::ResourceIdentityData> {
        let (id, ty) = self.identity.as_ref()?;
        let v = id.of(state)?;
        // An identity is a few short strings; one that cannot be encoded is left out rather than
        // failing the call (Terraform keeps the one it had).
        let bytes = v.to_msgpack(ty).ok()?;
        Some(pb::ResourceIdentityData {
            identity_data: super::dv(bytes),
        })
    }
}

pub(super) struct DataEntry<M: Send + Sync + 'static> {
    pub(super) imp: Arc<dyn DataSource<M>>,
    pub(super) schema: Schema,
    pub(super) ty: Type,
}

pub(super) struct ListEntry<M: Send + Sync + 'static> {
    pub(super) imp: Arc<dyn ListResource<M>>,
    pub(super) schema: Schema,
    pub(super) ty: Type,
}

pub(super) struct FunctionEntry {
    pub(super) imp: Arc<dyn Function>,
    pub(super) signature: Signature,
}
