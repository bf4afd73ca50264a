//! tfplugin5 `Provider` service: decodes protocol messages, dispatches to the framework traits, and
//! encodes states and diagnostics back. What it keeps per resource is in `entry`, listings in
//! `list`, function calls in `function`; go-plugin's own services in `goplugin`.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{value_diag, Ctx, Provider};
use crate::proto::tfplugin5 as pb;
use crate::schema::Schema;
use crate::value::{Type, Value};

mod entry;
mod function;
mod goplugin;
mod list;

use entry::{DataEntry, FunctionEntry, ListEntry, ResourceEntry};
pub(crate) use goplugin::{Broker, Controller, Stdio};

pub(crate) struct ProviderServer<P: Provider> {
    provider: P,
    provider_schema: Schema,
    resources: HashMap<&'static str, ResourceEntry<P::Meta>>,
    data_sources: HashMap<&'static str, DataEntry<P::Meta>>,
    functions: HashMap<&'static str, FunctionEntry>,
    list_resources: HashMap<&'static str, ListEntry<P::Meta>>,
    meta: RwLock<Option<Arc<P::Meta>>>,
    /// Replaced after every Stop so calls after it work again.
    stop: Mutex<CancellationToken>,
}

fn dv(bytes: Vec<u8>) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: bytes.into(),
        json: Default::default(),
    })
}

fn decode(v: &Option<pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    match v {
        None => Ok(Value::Null),
        Some(d) if !d.msgpack.is_empty() => {
            Value::from_msgpack(&d.msgpack, ty).map_err(|e| value_diag(what, e).into())
        }
        Some(d) if !d.json.is_empty() => {
            let j: serde_json::Value = serde_json::from_slice(&d.json).map_err(|e| {
                Diagnostics::from(Diagnostic::error(format!("Invalid {what}"), e.to_string()))
            })?;
            Value::from_json(&j, ty).map_err(|e| value_diag(what, e).into())
        }
        Some(_) => Ok(Value::Null),
    }
}

/// Decodes and frees the request's bytes: at 10,000 record sets each copy is megabytes, and the
/// handler would otherwise hold them until it returns.
fn take(v: &mut Option<pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let d = v.take();
    decode(&d, ty, what)
}

fn size(v: &Option<pb::DynamicValue>) -> usize {
    v.as_ref().map(|d| d.msgpack.len()).unwrap_or(0)
}

fn encode(v: &Value, ty: &Type, diags: &mut Diagnostics) -> Option<pb::DynamicValue> {
    encode_sized(v, ty, 0, diags)
}

/// `encode`, expecting about `size` bytes (the size of the value Terraform sent).
fn encode_sized(
    v: &Value,
    ty: &Type,
    size: usize,
    diags: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match v.to_msgpack_sized(ty, size + size / 16) {
        Ok(b) => dv(b),
        Err(e) => {
            diags.push(Diagnostic::error(
                "Provider produced a value it cannot encode",
                e.to_string(),
            ));
            None
        }
    }
}

impl<P: Provider> ProviderServer<P> {
    pub(crate) fn new(provider: P) -> Self {
        let provider_schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|imp| {
                let schema = imp.schema();
                let ty = schema.ty();
                let identity = imp.identity().map(|i| {
                    let t = i.ty();
                    (i, t)
                });
                let write_only = schema
                    .block
                    .write_only_attrs()
                    .into_iter()
                    .map(String::from)
                    .collect();
                (
                    imp.type_name(),
                    ResourceEntry {
                        imp,
                        schema,
                        ty,
                        identity,
                        write_only,
                    },
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|imp| {
                let schema = imp.schema();
                let ty = schema.ty();
                (imp.type_name(), DataEntry { imp, schema, ty })
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|imp| {
                let signature = imp.signature();
                (imp.name(), FunctionEntry { imp, signature })
            })
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|imp| {
                let schema = imp.schema();
                let ty = schema.ty();
                (imp.type_name(), ListEntry { imp, schema, ty })
            })
            .collect();
        ProviderServer {
            provider,
            provider_schema,
            resources,
            data_sources,
            functions,
            list_resources,
            meta: RwLock::new(None),
            stop: Mutex::new(CancellationToken::new()),
        }
    }

    fn ctx(&self) -> Ctx {
        Ctx::with_cancel(self.stop.lock().expect("stop lock").child_token())
    }

    fn meta(&self) -> Result<Arc<P::Meta>, Diagnostics> {
        self.meta.read().expect("meta lock").clone().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "Terraform called the provider before Configure; this is a bug in the caller.",
            )
            .into()
        })
    }

    fn resource(&self, name: &str) -> Result<&ResourceEntry<P::Meta>, Status> {
        self.resources
            .get(name)
            .ok_or_else(|| Status::not_found(format!("unknown resource type {name}")))
    }

    fn data_source(&self, name: &str) -> Result<&DataEntry<P::Meta>, Status> {
        self.data_sources
            .get(name)
            .ok_or_else(|| Status::not_found(format!("unknown data source {name}")))
    }

    pub(crate) fn schema_response(&self) -> pb::get_provider_schema::Response {
        pb::get_provider_schema::Response {
            provider: Some(self.provider_schema.to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(k, e)| (k.to_string(), e.schema.to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, e)| (k.to_string(), e.schema.to_proto()))
                .collect(),
            diagnostics: vec![],
            provider_meta: None,
            server_capabilities: Some(capabilities()),
            functions: self.function_definitions(),
            list_resource_schemas: self
                .list_resources
                .iter()
                .map(|(k, e)| (k.to_string(), e.schema.to_proto()))
                .collect(),
        }
    }
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: false,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: false,
    }
}

type R<T> = Result<Response<T>, Status>;

type ListStream =
    Pin<Box<dyn futures::Stream<Item = Result<pb::list_resource::Event, Status>> + Send>>;

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderServer<P> {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> R<pb::get_metadata::Response> {
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: vec![],
            data_sources: self
                .data_sources
                .keys()
                .map(|k| pb::get_metadata::DataSourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            resources: self
                .resources
                .keys()
                .map(|k| pb::get_metadata::ResourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
            functions: self
                .functions
                .keys()
                .map(|k| pb::get_metadata::FunctionMetadata {
                    name: k.to_string(),
                })
                .collect(),
            list_resources: self
                .list_resources
                .keys()
                .map(|k| pb::get_metadata::ListResourceMetadata {
                    type_name: k.to_string(),
                })
                .collect(),
        }))
    }

    async fn get_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> R<pb::get_provider_schema::Response> {
        Ok(Response::new(self.schema_response()))
    }

    async fn prepare_provider_config(
        &self,
        req: Request<pb::prepare_provider_config::Request>,
    ) -> R<pb::prepare_provider_config::Response> {
        let req = req.into_inner();
        let ty = self.provider_schema.ty();
        let mut diags = Diagnostics::new();
        let prepared = match decode(&req.config, &ty, "provider configuration") {
            Ok(cfg) => {
                diags.extend(self.provider.validate(&cfg));
                req.config.clone()
            }
            Err(d) => {
                diags.extend(d);
                None
            }
        };
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: prepared,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        req: Request<pb::validate_resource_type_config::Request>,
    ) -> R<pb::validate_resource_type_config::Response> {
        let req = req.into_inner();
        let e = self.resource(&req.type_name)?;
        let allowed = req
            .client_capabilities
            .as_ref()
            .is_some_and(|c| c.write_only_attributes_allowed);
        let diags = match decode(&req.config, &e.ty, "resource configuration") {
            Ok(cfg) => {
                let mut d = e.imp.validate(&cfg);
                // A Terraform without write-only support reads the attribute as an ordinary one
                // and would store the value in state: refuse it there.
                if !allowed {
                    for a in e.write_only.iter().filter(|a| !cfg.get(a).is_null()) {
                        d.error_at(
                            crate::diag::AttrPath::attr(a),
                            "Write-only attribute needs a newer Terraform",
                            format!(
                                "`{a}` is write-only: it is never stored in the plan or state, which needs Terraform >= 1.11 \
                                 (or OpenTofu >= 1.11). This Terraform would store it in state; upgrade, or use the \
                                 attribute's stored form."
                            ),
                        );
                    }
                }
                d
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_resource_type_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_data_source_config(
        &self,
        req: Request<pb::validate_data_source_config::Request>,
    ) -> R<pb::validate_data_source_config::Response> {
        let req = req.into_inner();
        let e = self.data_source(&req.type_name)?;
        let diags = match decode(&req.config, &e.ty, "data source configuration") {
            Ok(cfg) => e.imp.validate(&cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_data_source_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> R<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let e = self.resource(&req.type_name)?;
        let mut diags = Diagnostics::new();
        let _release = crate::memory::Release::after(
            req.raw_state.as_ref().map(|r| r.json.len()).unwrap_or(0),
        );
        let raw = req.raw_state.unwrap_or_default();
        let upgraded = if !raw.json.is_empty() && req.version == e.schema.version {
            // Current schema (the usual case): read the JSON straight into a value.
            match Value::from_json_slice(&raw.json, &e.ty) {
                Ok(v) => {
                    // msgpack of a state is about 4/5 of its JSON.
                    let hint = raw.json.len() * 4 / 5;
                    drop(raw);
                    encode_sized(&v, &e.ty, hint, &mut diags)
                }
                Err(err) => {
                    diags.push(value_diag("stored state", err));
                    None
                }
            }
        } else if !raw.json.is_empty() {
            match serde_json::from_slice::<serde_json::Value>(&raw.json) {
                Err(err) => {
                    diags.error("Stored state is not valid JSON", err.to_string());
                    None
                }
                Ok(j) if req.version > e.schema.version => {
                    diags.error(
                        "State written by a newer provider",
                        format!(
                            "The state of this {} has schema version {}, newer than this provider's {}. Upgrade the provider.",
                            req.type_name, req.version, e.schema.version
                        ),
                    );
                    let _ = j;
                    None
                }
                Ok(j) => match e.imp.upgrade_state(req.version, j) {
                    Err(d) => {
                        diags.extend(d);
                        None
                    }
                    Ok(j) => match Value::from_json(&j, &e.ty) {
                        Ok(v) => encode(&v, &e.ty, &mut diags),
                        Err(err) => {
                            diags.push(value_diag("stored state", err));
                            None
                        }
                    },
                },
            }
        } else if !raw.flatmap.is_empty() {
            diags.error(
                "Legacy flatmap state is not supported",
                "This state was written by Terraform < 0.12; upgrade it with Terraform 0.12-0.15 first.",
            );
            None
        } else {
            None
        };
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: upgraded,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> R<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter_map(|(k, e)| Some((k.to_string(), e.identity.as_ref()?.0.to_proto())))
                .collect(),
            diagnostics: vec![],
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> R<pb::upgrade_resource_identity::Response> {
        let req = req.into_inner();
        let e = self.resource(&req.type_name)?;
        let mut diags = Diagnostics::new();
        let mut out = pb::upgrade_resource_identity::Response::default();
        let json = req.raw_identity.map(|r| r.json).unwrap_or_default();
        match &e.identity {
            None => diags.error(
                "Resource has no identity",
                format!("{} has no identity schema in this provider version", req.type_name),
            ),
            // Every identity is at version 0 so far: a stored one is read as it is.
            Some((id, ty)) if req.version == id.version => {
                match Value::from_json_slice(&json, ty) {
                    Ok(v) => {
                        out.upgraded_identity = encode(&v, ty, &mut diags)
                            .map(|d| pb::ResourceIdentityData {
                                identity_data: Some(d),
                            })
                    }
                    Err(err) => diags.push(value_diag("stored identity", err)),
                }
            }
            Some((id, _)) => diags.error(
                "Identity written by another provider version",
                format!(
                    "The stored identity of this {} has version {}; this provider reads version {}.",
                    req.type_name, req.version, id.version
                ),
            ),
        }
        out.diagnostics = diags.to_proto();
        Ok(Response::new(out))
    }

    async fn configure(&self, req: Request<pb::configure::Request>) -> R<pb::configure::Response> {
        let req = req.into_inner();
        let ty = self.provider_schema.ty();
        let mut diags = Diagnostics::new();
        match decode(&req.config, &ty, "provider configuration") {
            Err(d) => diags.extend(d),
            Ok(cfg) if !cfg.is_wholly_known() => diags.error(
                "Provider configuration depends on values not yet known",
                "Every provider argument must be known at plan time; do not derive them from resources created in the same run.",
            ),
            Ok(cfg) => match self.provider.configure(&cfg, &req.terraform_version).await {
                Ok(meta) => *self.meta.write().expect("meta lock") = Some(Arc::new(meta)),
                Err(d) => diags.extend(d),
            },
        }
        Ok(Response::new(pb::configure::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn read_resource(
        &self,
        req: Request<pb::read_resource::Request>,
    ) -> R<pb::read_resource::Response> {
        let mut req = req.into_inner();
        let bytes = size(&req.current_state);
        let _release = crate::memory::Release::after(bytes);
        crate::memory::mark("read: request", bytes);
        let e = self.resource(&req.type_name)?;
        let mut diags = Diagnostics::new();
        let mut out = pb::read_resource::Response {
            private: std::mem::take(&mut req.private),
            ..Default::default()
        };
        // Kept whenever the read does not produce a new state.
        out.new_identity = req.current_identity.take();
        let state = match decode(&req.current_state, &e.ty, "state") {
            Ok(s) => s,
            Err(d) => {
                out.new_state = req.current_state;
                out.diagnostics = d.to_proto();
                return Ok(Response::new(out));
            }
        };
        if state.is_null() {
            out.new_state = req.current_state;
            return Ok(Response::new(out));
        }
        let meta = match self.meta() {
            Ok(m) => m,
            Err(d) => {
                out.new_state = req.current_state;
                out.diagnostics = d.to_proto();
                return Ok(Response::new(out));
            }
        };
        // The state is handed to the resource; the request's bytes are kept to answer a failed read
        // with (canonical msgpack: the same bytes re-encoding would give).
        crate::memory::mark("read: state decoded", bytes);
        let ctx = self.ctx();
        match e.imp.read_owned(&meta, &ctx, state).await {
            Ok(Some(mut v)) => {
                crate::memory::mark("read: live state built", bytes);
                drop(req.current_state.take());
                if let Some(id) = e.settle(&mut v) {
                    out.new_identity = Some(id);
                }
                out.new_state = encode_sized(&v, &e.ty, bytes, &mut diags);
                crate::memory::mark("read: encoded", bytes);
            }
            Ok(None) => {
                out.new_identity = None;
                out.new_state = encode(&Value::Null, &e.ty, &mut diags)
            }
            Err(d) => {
                out.new_state = req.current_state.take();
                diags.extend(d)
            }
        }
        diags.extend(ctx.take_warnings());
        out.diagnostics = diags.to_proto();
        Ok(Response::new(out))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> R<pb::plan_resource_change::Response> {
        let mut req = req.into_inner();
        let e = self.resource(&req.type_name)?;
        let mut diags = Diagnostics::new();
        let mut out = pb::plan_resource_change::Response {
            planned_private: std::mem::take(&mut req.prior_private),
            ..Default::default()
        };
        let bytes = size(&req.prior_state) + size(&req.proposed_new_state) + size(&req.config);
        let _release = crate::memory::Release::after(bytes);
        crate::memory::mark("plan: request", bytes);
        drop(req.config.take());
        // Nothing to change: cty's msgpack is canonical (sorted attributes, keys and set elements),
        // so equal values are equal bytes. The plan is the prior state, with neither decoded: a no-op
        // plan of 10,000 record sets costs a comparison.
        if let (Some(p), Some(n)) = (&req.prior_state, &req.proposed_new_state) {
            if !p.msgpack.is_empty() && p.msgpack[..] != [0xc0] && p.msgpack == n.msgpack {
                out.planned_state = req.proposed_new_state.take();
                out.planned_identity = req.prior_identity.take();
                crate::memory::mark("plan: unchanged", bytes);
                return Ok(Response::new(out));
            }
        }
        let hint = size(&req.proposed_new_state);
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                take(&mut req.prior_state, &e.ty, "prior state")?,
                take(&mut req.proposed_new_state, &e.ty, "proposed state")?,
            ))
        })();
        let (prior, proposed) = match decoded {
            Ok(t) => t,
            Err(d) => {
                out.diagnostics = d.to_proto();
                return Ok(Response::new(out));
            }
        };
        if proposed.is_null() {
            // Destroy: nothing to plan.
            out.planned_state = encode(&Value::Null, &e.ty, &mut diags);
            out.diagnostics = diags.to_proto();
            return Ok(Response::new(out));
        }
        crate::memory::mark("plan: decoded", bytes);
        let mut planned = proposed;
        if prior.is_null() {
            e.schema.block.mark_computed_unknown(&mut planned);
        }
        if !prior.is_null() && e.imp.keep_prior_form(&prior, &mut planned) {
            out.legacy_type_system = true;
        }
        e.imp.modify_plan(&prior, &mut planned, &mut diags);
        // An unconfigured provider (never the case in a real run) leaves the checks to the apply.
        if !diags.has_errors() {
            if let Ok(meta) = self.meta() {
                let ctx = self.ctx();
                e.imp
                    .plan_with_api(&meta, &ctx, &prior, &mut planned, &mut diags)
                    .await;
                diags.extend(ctx.take_warnings());
            }
        }
        e.strip_write_only(&mut planned);
        if !prior.is_null() {
            out.requires_replace = e
                .imp
                .replace_paths(&e.schema, &prior, &planned)
                .iter()
                .map(|p| p.to_proto())
                .collect();
        }
        // Known once the attributes it is read from are (an update; a create gets it at apply).
        out.planned_identity = e.identity_of(&planned);
        out.planned_state = encode_sized(&planned, &e.ty, hint, &mut diags);
        out.diagnostics = diags.to_proto();
        Ok(Response::new(out))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> R<pb::apply_resource_change::Response> {
        let mut req = req.into_inner();
        let e = self.resource(&req.type_name)?;
        let mut diags = Diagnostics::new();
        let mut out = pb::apply_resource_change::Response {
            private: std::mem::take(&mut req.planned_private),
            ..Default::default()
        };
        let _release = crate::memory::Release::after(
            size(&req.prior_state) + size(&req.planned_state) + size(&req.config),
        );
        // The plan holds everything the configuration says but the write-only values, which are
        // read from it (only for resources that have any: a 10,000-record config is not decoded).
        let write_only = if e.write_only.is_empty() {
            Value::Null
        } else {
            match decode(&req.config, &e.ty, "configuration") {
                Ok(cfg) => e.write_only_of(&cfg),
                Err(d) => {
                    out.new_state = req.prior_state;
                    out.diagnostics = d.to_proto();
                    return Ok(Response::new(out));
                }
            }
        };
        drop(req.config.take());
        let hint = size(&req.planned_state);
        let decoded = (|| {
            Ok::<_, Diagnostics>((
                decode(&req.prior_state, &e.ty, "prior state")?,
                take(&mut req.planned_state, &e.ty, "planned state")?,
            ))
        })();
        let (prior, planned) = match decoded {
            Ok(t) => t,
            Err(d) => {
                out.new_state = req.prior_state;
                out.diagnostics = d.to_proto();
                return Ok(Response::new(out));
            }
        };
        let meta = match self.meta() {
            Ok(m) => m,
            Err(d) => {
                out.new_state = req.prior_state;
                out.diagnostics = d.to_proto();
                return Ok(Response::new(out));
            }
        };
        // Decoded; a failure re-encodes `prior` rather than keeping megabytes of bytes around.
        drop(req.prior_state.take());
        let ctx = self.ctx().with_write_only(write_only);
        let new_state = if planned.is_null() {
            match e.imp.delete(&meta, &ctx, &prior).await {
                Ok(warnings) => {
                    diags.extend(warnings);
                    Value::Null
                }
                Err(d) => {
                    diags.extend(d);
                    prior
                }
            }
        } else {
            let result = if prior.is_null() {
                e.imp.create(&meta, &ctx, planned).await
            } else {
                e.imp.update(&meta, &ctx, &prior, planned).await
            };
            match result {
                Ok(v) => v,
                Err(f) => {
                    diags.extend(f.diags);
                    f.partial.unwrap_or(prior)
                }
            }
        };
        diags.extend(ctx.take_warnings());
        let mut new_state = new_state;
        out.new_identity = e.settle(&mut new_state);
        out.new_state = encode_sized(&new_state, &e.ty, hint, &mut diags);
        out.diagnostics = diags.to_proto();
        Ok(Response::new(out))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> R<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let e = self.resource(&req.type_name)?;
        let mut diags = Diagnostics::new();
        let mut out = pb::import_resource_state::Response::default();
        let meta = match self.meta() {
            Ok(m) => m,
            Err(d) => {
                out.diagnostics = d.to_proto();
                return Ok(Response::new(out));
            }
        };
        // `import { identity = {…} }` (Terraform >= 1.12) sends an identity and no ID.
        let id = match (&req.identity, &e.identity) {
            (Some(given), Some((_, ty))) if req.id.is_empty() => {
                let data = given.identity_data.clone();
                decode(&data, ty, "import identity").and_then(|v| e.imp.import_id(&v))
            }
            (Some(_), None) if req.id.is_empty() => Err(Diagnostic::error(
                "Import by identity not supported",
                format!("{} has no identity; import it by ID", req.type_name),
            )
            .into()),
            _ => Ok(req.id.clone()),
        };
        let imported = match id {
            Ok(id) => e.imp.import(&meta, &self.ctx(), &id).await,
            Err(d) => Err(d),
        };
        match imported {
            Ok(mut state) => {
                let identity = e.settle(&mut state);
                let enc = encode(&state, &e.ty, &mut diags);
                if enc.is_some() {
                    out.imported_resources
                        .push(pb::import_resource_state::ImportedResource {
                            type_name: req.type_name.clone(),
                            identity,
                            state: enc,
                            private: Vec::new(),
                        });
                }
            }
            Err(d) => diags.extend(d),
        }
        out.diagnostics = diags.to_proto();
        Ok(Response::new(out))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> R<pb::move_resource_state::Response> {
        let req = req.into_inner();
        let e = self.resource(&req.target_type_name)?;
        let mut diags = Diagnostics::new();
        let mut out = pb::move_resource_state::Response::default();
        let json = req.source_state.map(|r| r.json).unwrap_or_default();
        let moved = match serde_json::from_slice::<serde_json::Value>(&json) {
            Err(err) => Err(Diagnostic::error(
                "Moved state is not valid JSON",
                format!(
                    "{} from {}: {err}",
                    req.source_type_name, req.source_provider_address
                ),
            )
            .into()),
            Ok(state) => e
                .imp
                .move_from(crate::framework::MoveSource {
                    provider: &req.source_provider_address,
                    type_name: &req.source_type_name,
                    schema_version: req.source_schema_version,
                    state: &state,
                })
                .unwrap_or_else(|| {
                    Err(Diagnostic::error(
                        "Unsupported move",
                        format!(
                            "{} cannot take the state of {} from {}; import the object instead",
                            req.target_type_name, req.source_type_name, req.source_provider_address
                        ),
                    )
                    .into())
                }),
        };
        match moved {
            Ok(mut v) => {
                out.target_identity = e.settle(&mut v);
                out.target_state = encode(&v, &e.ty, &mut diags);
            }
            Err(d) => diags.extend(d),
        }
        out.diagnostics = diags.to_proto();
        Ok(Response::new(out))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> R<pb::read_data_source::Response> {
        let req = req.into_inner();
        let e = self.data_source(&req.type_name)?;
        let mut diags = Diagnostics::new();
        let mut out = pb::read_data_source::Response::default();
        let ctx = self.ctx();
        let result = async {
            let config = decode(&req.config, &e.ty, "configuration")?;
            let meta = self.meta()?;
            e.imp.read(&meta, &ctx, &config).await
        }
        .await;
        diags.extend(ctx.take_warnings());
        match result {
            Ok(v) => out.state = encode(&v, &e.ty, &mut diags),
            Err(d) => diags.extend(d),
        }
        out.diagnostics = diags.to_proto();
        Ok(Response::new(out))
    }

    type ListResourceStream = ListStream;

    async fn list_resource(&self, req: Request<pb::list_resource::Request>) -> R<ListStream> {
        let events = self.list_events(req.into_inner()).await?;
        Ok(Response::new(Box::pin(futures::stream::iter(
            events.into_iter().map(Ok),
        ))))
    }

    async fn validate_list_resource_config(
        &self,
        req: Request<pb::validate_list_resource_config::Request>,
    ) -> R<pb::validate_list_resource_config::Response> {
        let req = req.into_inner();
        let e = self.list_resource(&req.type_name)?;
        let diags = match decode(&req.config, &e.ty, "list configuration") {
            Ok(cfg) => e.imp.validate(&cfg),
            Err(d) => d,
        };
        Ok(Response::new(pb::validate_list_resource_config::Response {
            diagnostics: diags.to_proto(),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> R<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response {
            functions: self.function_definitions(),
            diagnostics: vec![],
        }))
    }

    async fn call_function(
        &self,
        req: Request<pb::call_function::Request>,
    ) -> R<pb::call_function::Response> {
        let req = req.into_inner();
        let mut out = pb::call_function::Response::default();
        let returns = self
            .functions
            .get(req.name.as_str())
            .map(|f| &f.signature.returns);
        match (self.call(&req), returns) {
            (Ok(v), Some(ty)) => match v.to_msgpack(ty) {
                Ok(b) => out.result = dv(b),
                Err(e) => {
                    out.error = Some(pb::FunctionError {
                        text: format!("the provider produced a result it cannot encode: {e}"),
                        function_argument: None,
                    })
                }
            },
            (Ok(_), None) => {}
            (Err(e), _) => out.error = Some(e.to_proto()),
        }
        Ok(Response::new(out))
    }

    async fn stop(&self, _: Request<pb::stop::Request>) -> R<pb::stop::Response> {
        // Cancel what is in flight; later calls get a fresh token. The server keeps serving.
        let mut tok = self.stop.lock().expect("stop lock");
        tok.cancel();
        *tok = CancellationToken::new();
        tracing::info!("stop requested: in-flight operations cancelled");
        Ok(Response::new(pb::stop::Response {
            error: String::new(),
        }))
    }
}
