//! What a trigger event carries from the request that caused it: `ClientMetadata`,
//! `ValidationData` and the calling client. The protocol layer reads them once per request and
//! scopes them over the operation ([`scope`]), so the operations don't thread them through
//! every step of a sign-in just for the triggers.

use serde::Deserialize;
use std::collections::HashMap;
use std::future::Future;

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

tokio::task_local! {
    static META: RequestMeta;
}

/// Runs `work` with `meta` as the current request's members.
pub async fn scope<F: Future>(meta: RequestMeta, work: F) -> F::Output {
    META.scope(meta, work).await
}

/// The current request's members (none outside [`scope`]).
pub fn current() -> RequestMeta {
    META.try_with(Clone::clone).unwrap_or_default()
}
