//! What a trigger event carries from the request that caused it: `ClientMetadata`,
//! `ValidationData` and the calling client. The protocol layer scopes the request body over the
//! operation ([`scope`]); the members are read from it once, when a trigger first needs them.
//! So the operations don't thread them through every step of a sign-in just for the triggers.

use serde::Deserialize;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, OnceLock};

/// The client id Cognito reports for admin operations that name no client.
pub const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";

/// The request members triggers see.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestMeta {
    /// `ClientMetadata`: passed to triggers, never stored.
    #[serde(default)]
    pub client_metadata: Option<HashMap<String, String>>,
    /// `ValidationData` (SignUp, AdminCreateUser) as name/value pairs.
    #[serde(default)]
    pub validation_data: Option<Vec<NameValue>>,
    /// `ClientId`, when the request names one.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// An `AttributeType`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NameValue {
    /// Name.
    pub name: String,
    /// Value.
    #[serde(default)]
    pub value: Option<String>,
}

impl RequestMeta {
    /// Reads the members from a request body; a body that doesn't parse has none (the
    /// operation's own parse reports it).
    pub fn from_body(body: &[u8]) -> Self {
        serde_json::from_slice(body).unwrap_or_default()
    }

    /// `ClientMetadata` as a map.
    pub fn client_metadata(&self) -> HashMap<String, String> {
        self.client_metadata.clone().unwrap_or_default()
    }

    /// `ValidationData` as a map.
    pub fn validation_data(&self) -> HashMap<String, String> {
        self.validation_data
            .iter()
            .flatten()
            .map(|nv| (nv.name.clone(), nv.value.clone().unwrap_or_default()))
            .collect()
    }

    /// The `callerContext.clientId`.
    pub fn client_id(&self) -> String {
        self.client_id.clone().unwrap_or_else(|| NO_CLIENT.into())
    }
}

/// One request's body, read into [`RequestMeta`] only if a trigger fires (most requests fire
/// none, so the hot path pays a copy of the body, not a second JSON parse).
struct RequestScope {
    body: Box<[u8]>,
    meta: OnceLock<RequestMeta>,
}

tokio::task_local! {
    static SCOPE: Arc<RequestScope>;
}

/// Runs `work` with `body` as the current request (its members are read on first use).
pub async fn scope<F: Future>(body: &[u8], work: F) -> F::Output {
    let scope = Arc::new(RequestScope {
        body: body.into(),
        meta: OnceLock::new(),
    });
    SCOPE.scope(scope, work).await
}

/// The current request's members (none outside [`scope`]), parsed once per request.
pub fn current() -> RequestMeta {
    SCOPE
        .try_with(|s| {
            s.meta
                .get_or_init(|| RequestMeta::from_body(&s.body))
                .clone()
        })
        .unwrap_or_default()
}
