//! go-plugin's own services beside the provider: the controller (Shutdown), stdio and the broker.

use std::pin::Pin;

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::proto::plugin as gp;

type R<T> = Result<Response<T>, Status>;

/// go-plugin's controller: Shutdown ends the process gracefully.
pub(crate) struct Controller {
    pub(crate) shutdown: CancellationToken,
}

#[tonic::async_trait]
impl gp::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<gp::Empty>) -> R<gp::Empty> {
        self.shutdown.cancel();
        Ok(Response::new(gp::Empty {}))
    }
}

/// go-plugin's stdio stream. The provider writes nothing to stdout/stderr beyond logs on stderr,
/// which go-plugin already reads from the process; the stream stays open and idle until shutdown.
pub(crate) struct Stdio {
    pub(crate) shutdown: CancellationToken,
}

type StdioStream = Pin<Box<dyn futures::Stream<Item = Result<gp::StdioData, Status>> + Send>>;

#[tonic::async_trait]
impl gp::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = StdioStream;
    async fn stream_stdio(&self, _: Request<gp::Empty>) -> R<StdioStream> {
        let tok = self.shutdown.clone();
        let s = futures::stream::once(async move {
            tok.cancelled().await;
            Err(Status::cancelled("plugin shutting down"))
        });
        Ok(Response::new(Box::pin(s)))
    }
}

/// go-plugin's broker: r53 offers no brokered services, so the stream is accepted and left idle.
pub(crate) struct Broker {
    pub(crate) shutdown: CancellationToken,
}

type BrokerStream = Pin<Box<dyn futures::Stream<Item = Result<gp::ConnInfo, Status>> + Send>>;

#[tonic::async_trait]
impl gp::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = BrokerStream;
    async fn start_stream(&self, _: Request<tonic::Streaming<gp::ConnInfo>>) -> R<BrokerStream> {
        let tok = self.shutdown.clone();
        let s = futures::stream::once(async move {
            tok.cancelled().await;
            Err(Status::cancelled("plugin shutting down"))
        });
        Ok(Response::new(Box::pin(s)))
    }
}
