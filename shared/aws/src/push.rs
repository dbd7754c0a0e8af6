//! [`Push`] over the API Gateway management API (PostToConnection): 410 Gone means the client has
//! disconnected; the caller removes the connection (`domain::realtime::deliver`).

use async_trait::async_trait;
use aws_sdk_apigatewaymanagement::Client;
use aws_sdk_apigatewaymanagement::error::DisplayErrorContext;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use domain::ports::{Push, PushError};

#[derive(Clone)]
pub struct ApiGatewayPush {
    client: Client,
}

impl ApiGatewayPush {
    /// `client` must be built with the WebSocket API's endpoint
    /// (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`).
    pub fn new(client: Client) -> ApiGatewayPush {
        ApiGatewayPush { client }
    }
}

#[async_trait]
impl Push for ApiGatewayPush {
    async fn post(&self, connection_id: &str, frame: &[u8]) -> Result<(), PushError> {
        match self.client.post_to_connection().connection_id(connection_id).data(Blob::new(frame)).send().await {
            Ok(_) => Ok(()),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_gone_exception()) => Err(PushError::Gone),
            Err(error) => Err(PushError::Unavailable(DisplayErrorContext(error).to_string())),
        }
    }
}
