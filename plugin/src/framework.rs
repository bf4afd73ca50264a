//! The small typed framework resources plug into: a [`Provider`] with a configured `Meta` (its API
//! clients), [`Resource`]s and [`DataSource`]s. The server turns protocol calls into these.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::diag::{AttrPath, Diagnostic, Diagnostics};
use crate::function::Function;
use crate::identity::Identity;
use crate::schema::Schema;
use crate::value::{Value, ValueError};

/// Per-call context: cancelled when Terraform calls Stop (Ctrl-C), so waits can end early; and
/// warnings a successful call wants shown (create/update/read return only the new state).
#[derive(Clone, Debug)]
pub struct Ctx {
    pub cancel: CancellationToken,
    warnings: Arc<std::sync::Mutex<Diagnostics>>,
    /// An apply's write-only values, from the configuration (empty otherwise).
    write_only: Arc<Value>,
}

impl Ctx {
    pub fn new() -> Self {
        Ctx::with_cancel(CancellationToken::new())
    }
    pub fn with_cancel(cancel: CancellationToken) -> Self {
        Ctx {
            cancel,
            warnings: Default::default(),
            write_only: Arc::new(Value::Null),
        }
    }
    /// With the configuration's write-only values (an object of the write-only attributes).
    pub fn with_write_only(mut self, values: Value) -> Self {
        self.write_only = Arc::new(values);
        self
    }
    /// The configured value of the write-only attribute `name` during an apply; null when unset
    /// and outside an apply (plans and states never hold one).
    pub fn write_only(&self, name: &str) -> &Value {
        self.write_only.get(name)
    }
    /// Shows `d` to the user with the call's result (whether it succeeds or fails).
    pub fn warn(&self, d: Diagnostic) {
        self.warnings.lock().expect("warnings lock").push(d);
    }
    /// The warnings gathered so far (the server sends them with its answer).
    pub fn take_warnings(&self) -> Diagnostics {
        std::mem::take(&mut *self.warnings.lock().expect("warnings lock"))
    }
}

impl Default for Ctx {
    fn default() -> Self {
        Self::new()
    }
}

/// The resource a `moved` block moves from (another provider's, or another type): what
/// MoveResourceState carries.
#[derive(Debug, Clone, Copy)]
pub struct MoveSource<'a> {
    /// e.g. `registry.terraform.io/hashicorp/aws`.
    pub provider: &'a str,
    pub type_name: &'a str,
    pub schema_version: i64,
    /// The source's stored state (its JSON form).
    pub state: &'a serde_json::Value,
}

/// A failed create/update: the diagnostics, and the state to keep when something was already made
/// (Terraform marks it tainted), so nothing real is forgotten.
#[derive(Debug)]
pub struct Failure {
    pub diags: Diagnostics,
    pub partial: Option<Value>,
}

impl Failure {
    pub fn with_partial(diags: impl Into<Diagnostics>, partial: Value) -> Self {
        Failure {
            diags: diags.into(),
            partial: Some(partial),
        }
    }
}

impl From<Diagnostics> for Failure {
    fn from(diags: Diagnostics) -> Self {
        Failure {
            diags,
            partial: None,
        }
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure {
            diags: d.into(),
            partial: None,
        }
    }
}

/// Converts a value decode error into a diagnostic that names the attribute.
pub fn value_diag(what: &str, e: ValueError) -> Diagnostic {
    Diagnostic::error(format!("Invalid {what}"), e.to_string())
}

#[async_trait]
pub trait Resource<M: Send + Sync + 'static>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    /// Checks a configuration without I/O. Values may be unknown (skip those).
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }

    /// Adjusts the default plan (proposed state, computed attributes unknown on create).
    /// `prior` is null on create. Runs without I/O. Not called when the proposed state equals the
    /// prior state (nothing would change; the server answers that without decoding either). The configuration itself is not passed: the
    /// proposed state already holds every configured value, and not decoding a second copy keeps a
    /// 10,000-record plan small.
    fn modify_plan(&self, _prior: &Value, _planned: &mut Value, _diags: &mut Diagnostics) {}

    /// Plan-time checks that need the API (read-only: lookups and listings, never a write), after
    /// `modify_plan`: rules that depend on the live object, so a plan that shows a change does not
    /// fail on the API's rules at apply. Not called when the provider is not configured or nothing
    /// would change. Terraform calls PlanResourceChange again during apply and hands that second
    /// plan's private data to ApplyResourceChange, so nothing learnt here reaches the apply except
    /// through the planned value (which Terraform checks against the saved plan).
    async fn plan_with_api(
        &self,
        _meta: &M,
        _ctx: &Ctx,
        _prior: &Value,
        _planned: &mut Value,
        _diags: &mut Diagnostics,
    ) {
    }

    /// Puts back, in `planned`, the prior spelling of values that differ from `prior` in form only
    /// (case, order, trailing dots) and returns whether it did. Terraform then sees no change
    /// where nothing would change remotely; the server flags that plan response as the legacy
    /// type system (the mechanism behind the SDK's DiffSuppressFunc) because the planned value no
    /// longer equals the configuration's spelling. Runs without I/O, before `modify_plan`.
    fn keep_prior_form(&self, _prior: &Value, _planned: &mut Value) -> bool {
        false
    }

    /// Which changes force replacement. The default compares force-new attributes exactly; resources
    /// override it to ignore changes of form only (case, trailing dots).
    fn replace_paths(&self, schema: &Schema, prior: &Value, planned: &Value) -> Vec<AttrPath> {
        schema.block.replace_paths(prior, planned)
    }

    /// `planned` is handed over: a resource can return it as the new state without a copy.
    async fn create(&self, meta: &M, ctx: &Ctx, planned: Value) -> Result<Value, Failure>;
    /// Reads the live object; `Ok(None)` means it is gone (Terraform drops it from state).
    async fn read(&self, meta: &M, ctx: &Ctx, state: &Value) -> Result<Option<Value>, Diagnostics>;
    /// What the server calls: `read` with the prior state handed over, so a resource holding
    /// thousands of blocks can free each as it builds its replacement (one state in memory, not
    /// two). On an error the server answers with the prior state's original bytes.
    async fn read_owned(
        &self,
        meta: &M,
        ctx: &Ctx,
        state: Value,
    ) -> Result<Option<Value>, Diagnostics> {
        self.read(meta, ctx, &state).await
    }
    async fn update(
        &self,
        meta: &M,
        ctx: &Ctx,
        prior: &Value,
        planned: Value,
    ) -> Result<Value, Failure>;
    /// Deletes; warnings in the Ok value are shown to the user.
    async fn delete(&self, meta: &M, ctx: &Ctx, prior: &Value) -> Result<Diagnostics, Diagnostics>;
    /// Builds the full state of an existing object from an import ID.
    async fn import(&self, meta: &M, ctx: &Ctx, id: &str) -> Result<Value, Diagnostics>;

    /// The state of this resource type for an object another resource type managed (a `moved`
    /// block across types or providers, Terraform >= 1.8); `None`: this type does not take it. The
    /// state only needs to name the object: Terraform reads it (ReadResource) right after.
    fn move_from(&self, _source: MoveSource<'_>) -> Option<Result<Value, Diagnostics>> {
        None
    }

    /// The resource's identity (Terraform >= 1.12): what `import { identity = … }` takes and what
    /// is stored beside the state. None: the resource has none.
    fn identity(&self) -> Option<Identity> {
        None
    }

    /// The import ID an identity stands for (the string `terraform import` takes). The default
    /// suits an identity of one attribute: its value.
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        let attrs = self.identity().map(|i| i.attributes).unwrap_or_default();
        match attrs.as_slice() {
            [one] => identity
                .get(one.name)
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| {
                    Diagnostic::error(
                        "Invalid import identity",
                        format!("`{}` must be set", one.name),
                    )
                    .into()
                }),
            _ => Err(Diagnostic::error(
                "Import by identity not supported",
                format!("{} cannot be imported by identity", self.type_name()),
            )
            .into()),
        }
    }

    /// Upgrades a JSON state written under schema `version` to the current schema.
    fn upgrade_state(
        &self,
        _version: i64,
        state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        Ok(state)
    }
}

#[async_trait]
pub trait DataSource<M: Send + Sync + 'static>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    async fn read(&self, meta: &M, ctx: &Ctx, config: &Value) -> Result<Value, Diagnostics>;
}

/// One object a list resource found: the managed resource's whole state, and a name for people.
#[derive(Debug, Clone)]
pub struct Listed {
    pub display_name: String,
    pub state: Value,
}

/// A list resource (protocol 5.10, `terraform query`, Terraform >= 1.14): finds existing objects
/// of the managed resource type of the same name, each with its state — from which the server
/// takes the identity that `import { identity = … }` and config generation need.
#[async_trait]
pub trait ListResource<M: Send + Sync + 'static>: Send + Sync {
    /// The managed resource type the results are.
    fn type_name(&self) -> &'static str;
    /// The schema of the list block's `config`.
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    /// At most `limit` objects; `config` is null when the list block has no `config`.
    async fn list(
        &self,
        meta: &M,
        ctx: &Ctx,
        config: &Value,
        limit: usize,
    ) -> Result<Vec<Listed>, Diagnostics>;
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What resources get once configured: API clients, settings.
    type Meta: Send + Sync + 'static;

    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::new()
    }
    async fn configure(
        &self,
        config: &Value,
        terraform_version: &str,
    ) -> Result<Self::Meta, Diagnostics>;
    fn resources(&self) -> Vec<Arc<dyn Resource<Self::Meta>>>;
    fn data_sources(&self) -> Vec<Arc<dyn DataSource<Self::Meta>>>;
    /// List resources (none by default).
    fn list_resources(&self) -> Vec<Arc<dyn ListResource<Self::Meta>>> {
        Vec::new()
    }
    /// Provider-defined functions (none by default).
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }
}
