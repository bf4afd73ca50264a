//! r53-plugin: a Terraform plugin-protocol 5 server on tonic + prost.
//!
//! It knows nothing of AWS or DNS: a provider implements [`framework::Provider`] with its resources
//! and data sources, and [`serve::main`] does the go-plugin handshake, AutoMTLS and the RPCs.

pub mod diag;
pub mod framework;
pub mod function;
pub mod identity;
pub mod logging;
mod memory;
pub mod model;
pub mod schema;
pub mod serve;
mod server;
pub mod value;

/// Generated protocol types (also used by tests that speak the protocol as Terraform would).
pub mod proto {
    #[allow(clippy::all, rust_2018_idioms)]
    pub mod tfplugin5 {
        tonic::include_proto!("tfplugin5");
    }
    #[allow(clippy::all, rust_2018_idioms)]
    pub mod plugin {
        tonic::include_proto!("plugin");
    }
}

pub use diag::{AttrPath, Diagnostic, Diagnostics};
pub use framework::{
    Ctx, DataSource, Failure, ListResource, Listed, MoveSource, Provider, Resource,
};
pub use function::{Function, FunctionError, Param, Signature};
pub use identity::{Identity, IdentityAttr};
pub use model::{Field, Set};
pub use schema::{Attribute, Block, Nesting, Schema};
pub use value::{Number, Obj, Type, Value};
