//! Provider-defined functions (protocol 5.5+, Terraform >= 1.8, OpenTofu >= 1.7): pure functions
//! of their arguments, called as `provider::NAME::FUNCTION(…)` from any expression. They get no
//! provider configuration and make no API call, so they work at validate and plan time alike.

use crate::proto::tfplugin5 as pb;
use crate::value::{Type, Value};

/// One positional parameter.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
}

impl Param {
    pub fn new(name: &'static str, ty: Type, description: &'static str) -> Self {
        Param {
            name,
            ty,
            description,
        }
    }

    fn to_proto(&self) -> pb::function::Parameter {
        pb::function::Parameter {
            name: self.name.into(),
            r#type: serde_json::to_vec(&self.ty.to_json()).expect("type json"),
            // Terraform refuses null and skips the call on unknown arguments (the result is then
            // unknown): every function here needs known, non-null values.
            allow_null_value: false,
            allow_unknown_values: false,
            description: self.description.into(),
            description_kind: pb::StringKind::Markdown as i32,
        }
    }
}

/// What a function takes and returns, and its documentation.
#[derive(Debug, Clone)]
pub struct Signature {
    pub params: Vec<Param>,
    pub returns: Type,
    /// One line (shown by editors).
    pub summary: &'static str,
    /// Markdown; the generated reference page uses it too.
    pub description: &'static str,
}

impl Signature {
    pub(crate) fn to_proto(&self) -> pb::Function {
        pb::Function {
            parameters: self.params.iter().map(Param::to_proto).collect(),
            variadic_parameter: None,
            r#return: Some(pb::function::Return {
                r#type: serde_json::to_vec(&self.returns.to_json()).expect("type json"),
            }),
            summary: self.summary.into(),
            description: self.description.into(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecation_message: String::new(),
        }
    }
}

/// A refused call: Terraform shows `text` and, with `argument`, points at that argument in the
/// configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error about the argument at `index` (0-based).
    pub fn arg(index: usize, text: impl Into<String>) -> Self {
        FunctionError {
            text: text.into(),
            argument: Some(index),
        }
    }

    pub(crate) fn to_proto(&self) -> pb::FunctionError {
        pb::FunctionError {
            text: self.text.clone(),
            function_argument: self.argument.and_then(|i| i64::try_from(i).ok()),
        }
    }
}

pub trait Function: Send + Sync {
    /// The name after `provider::NAME::`.
    fn name(&self) -> &'static str;
    fn signature(&self) -> Signature;
    /// `args` hold one known, non-null value per parameter, of the parameter's type.
    fn call(&self, args: &[Value]) -> Result<Value, FunctionError>;
}

/// The string argument at `i` (the server has checked the count and types; a mismatch is still
/// an error, never a panic).
pub fn string_arg(args: &[Value], i: usize) -> Result<&str, FunctionError> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| FunctionError::arg(i, "expected a string"))
}

/// The list or set of strings at `i`.
pub fn strings_arg(args: &[Value], i: usize) -> Result<Vec<&str>, FunctionError> {
    let v = args
        .get(i)
        .filter(|v| matches!(v, Value::List(_) | Value::Set(_)))
        .ok_or_else(|| FunctionError::arg(i, "expected a list of strings"))?;
    v.elements()
        .iter()
        .map(|e| {
            e.as_str().ok_or_else(|| {
                FunctionError::arg(i, "every element must be a string (null is not allowed)")
            })
        })
        .collect()
}
