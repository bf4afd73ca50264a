//! Provider functions: their definitions, and a call's arguments checked and decoded before the
//! function runs.

use std::collections::HashMap;

use super::ProviderServer;
use crate::framework::Provider;
use crate::function::FunctionError;
use crate::proto::tfplugin5 as pb;
use crate::value::Value;

impl<P: Provider> ProviderServer<P> {
    pub(super) fn function_definitions(&self) -> HashMap<String, pb::Function> {
        self.functions
            .iter()
            .map(|(k, f)| (k.to_string(), f.signature.to_proto()))
            .collect()
    }

    /// Checks and decodes the arguments, then calls the function.
    pub(super) fn call(&self, req: &pb::call_function::Request) -> Result<Value, FunctionError> {
        let f = self
            .functions
            .get(req.name.as_str())
            .ok_or_else(|| FunctionError {
                text: format!("this provider has no function {:?}", req.name),
                argument: None,
            })?;
        let params = &f.signature.params;
        if req.arguments.len() != params.len() {
            return Err(FunctionError {
                text: format!(
                    "{} takes {} argument(s), got {}",
                    req.name,
                    params.len(),
                    req.arguments.len()
                ),
                argument: None,
            });
        }
        let args = req
            .arguments
            .iter()
            .zip(params)
            .enumerate()
            .map(|(i, (a, p))| {
                let v = Value::from_msgpack(&a.msgpack, &p.ty)
                    .map_err(|e| FunctionError::arg(i, format!("invalid {}: {e}", p.name)))?;
                if v.is_null() || !v.is_wholly_known() {
                    return Err(FunctionError::arg(
                        i,
                        format!("{} must be a known value, not null", p.name),
                    ));
                }
                Ok(v)
            })
            .collect::<Result<Vec<_>, _>>()?;
        f.imp.call(&args)
    }
}
