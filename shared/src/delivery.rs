//! The delivery port: where confirmation codes go. Locally that is the outbox: the message is
//! kept in the store (readable at `GET /_latchkey/outbox`) and printed to the server log.

use crate::error::Error;
use crate::store::Store;
use crate::userpool::model::OutboundMessage;
use async_trait::async_trait;
use std::sync::Arc;

/// Sends a message to a user.
#[async_trait]
pub trait Delivery: Send + Sync {
    /// Delivers `msg`.
    async fn deliver(&self, msg: &OutboundMessage) -> Result<(), Error>;
}

/// The local outbox: store plus log. Local development only: codes are printed on purpose.
pub struct Outbox {
    store: Arc<dyn Store>,
}

impl Outbox {
    /// An outbox writing to `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl Delivery for Outbox {
    async fn deliver(&self, msg: &OutboundMessage) -> Result<(), Error> {
        self.store.append_outbox(msg).await?;
        tracing::info!(
            target: "latchkey::outbox",
            pool = %msg.pool_id,
            username = %msg.username,
            to = %msg.destination,
            medium = %msg.delivery_medium,
            purpose = %msg.purpose,
            code = %msg.code.expose(),
            "outbox: message delivered (local outbox; read it at GET /_latchkey/outbox)"
        );
        Ok(())
    }
}
