//! ListResource: one listing as the events Terraform reads, each object named by its identity.

use tonic::Status;

use super::entry::ListEntry;
use super::{decode, encode, ProviderServer};
use crate::diag::Diagnostics;
use crate::framework::Provider;
use crate::proto::tfplugin5 as pb;

impl<P: Provider> ProviderServer<P> {
    pub(super) fn list_resource(&self, name: &str) -> Result<&ListEntry<P::Meta>, Status> {
        self.list_resources
            .get(name)
            .ok_or_else(|| Status::not_found(format!("unknown list resource {name}")))
    }

    /// The events of one listing: each object's identity (which Terraform requires), name and,
    /// when asked, state.
    pub(super) async fn list_events(
        &self,
        req: pb::list_resource::Request,
    ) -> Result<Vec<pb::list_resource::Event>, Status> {
        let l = self.list_resource(&req.type_name)?;
        let r = self.resource(&req.type_name)?;
        let failed = |d: Diagnostics| {
            vec![pb::list_resource::Event {
                diagnostic: d.to_proto(),
                ..Default::default()
            }]
        };
        let config = match decode(&req.config, &l.ty, "list configuration") {
            Ok(c) => c,
            Err(d) => return Ok(failed(d)),
        };
        let meta = match self.meta() {
            Ok(m) => m,
            Err(d) => return Ok(failed(d)),
        };
        // Terraform stops reading at its limit; a negative or absent one lists nothing.
        let limit = usize::try_from(req.limit.max(0)).unwrap_or(usize::MAX);
        let ctx = self.ctx();
        let found = match l.imp.list(&meta, &ctx, &config, limit).await {
            Ok(f) => f,
            Err(d) => return Ok(failed(d)),
        };
        let mut out = Vec::with_capacity(found.len());
        for mut item in found.into_iter().take(limit) {
            let mut diags = Diagnostics::new();
            let identity = r.settle(&mut item.state);
            if identity.is_none() {
                diags.error(
                    "Listed object without identity",
                    format!(
                        "{} {:?}: the provider found it but could not name it",
                        req.type_name, item.display_name
                    ),
                );
            }
            let resource_object = if req.include_resource_object {
                encode(&item.state, &r.ty, &mut diags)
            } else {
                None
            };
            out.push(pb::list_resource::Event {
                identity,
                display_name: item.display_name,
                resource_object,
                diagnostic: diags.to_proto(),
            });
        }
        Ok(out)
    }
}
