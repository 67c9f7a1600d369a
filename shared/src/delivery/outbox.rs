//! The local outbox: messages kept in the store (readable at `GET /_latchkey/outbox`) for
//! local development and tests. Where no real transport is configured the code is also
//! printed to the log, on purpose; with one configured (and always in the functions), never.

use crate::error::Error;
use crate::store::Store;
use crate::userpool::model::OutboundMessage;
use std::sync::Arc;

/// The outbox.
pub struct Outbox {
    store: Arc<dyn Store>,
    log_codes: bool,
}

impl Outbox {
    /// An outbox writing to `store`; `log_codes` also prints each code to the log (local runs
    /// without a sender only).
    pub fn new(store: Arc<dyn Store>, log_codes: bool) -> Self {
        Self { store, log_codes }
    }

    /// Keeps `msg`.
    pub async fn keep(&self, msg: &OutboundMessage) -> Result<(), Error> {
        self.store.append_outbox(msg).await?;
        if self.log_codes {
            tracing::info!(
                target: "latchkey::outbox",
                pool = %msg.pool_id,
                username = %msg.username,
                to = %msg.destination,
                medium = %msg.delivery_medium,
                purpose = %msg.purpose,
                code = %msg.code.expose(),
                "outbox: message kept (local outbox; read it at GET /_latchkey/outbox)"
            );
        } else {
            tracing::info!(
                target: "latchkey::outbox",
                pool = %msg.pool_id,
                medium = %msg.delivery_medium,
                purpose = %msg.purpose,
                "outbox: message kept; no transport sends this kind of message here"
            );
        }
        Ok(())
    }
}
