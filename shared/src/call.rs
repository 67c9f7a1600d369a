//! One API call: the App's ports plus what the request carries for the triggers it may fire
//! (`ClientMetadata`, `ValidationData`, the calling `ClientId`). The protocol layer makes one per
//! request and passes it down explicitly; every operation and domain step takes it where it
//! used to take the App (it derefs to the App), so no value travels hidden beside the call.
//! The members are read from the already-parsed request only when a trigger first needs them
//! (most requests fire none).

use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::ops::Deref;
use std::sync::OnceLock;

/// The client id Cognito reports for admin operations that name no client.
pub const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";

/// The OAuth 2.0 authorization a sign-in serves (the managed login pages, the
/// authorization-code grant): the tokens it ends in carry these scopes and this nonce, and
/// PreTokenGeneration sees `TokenGeneration_HostedAuth`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    /// The granted scopes, in the order they were asked for.
    pub scopes: Vec<String>,
    /// The client's `nonce`, echoed in the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// One call: the App and the request it serves.
pub struct Call<'a> {
    app: &'a App,
    input: Option<&'a Value>,
    meta: OnceLock<RequestMeta>,
    authorization: Option<Authorization>,
}

impl<'a> Call<'a> {
    /// A call serving `input` (the request body, parsed and checked against the model).
    pub fn new(app: &'a App, input: &'a Value) -> Self {
        Self {
            app,
            input: Some(input),
            meta: OnceLock::new(),
            authorization: None,
        }
    }

    /// A call with no request behind it (tools, tests): triggers see no metadata.
    pub fn internal(app: &'a App) -> Self {
        Self {
            app,
            input: None,
            meta: OnceLock::new(),
            authorization: None,
        }
    }

    /// The same call serving an OAuth `authorization` (see [`Authorization`]).
    pub fn authorized(self, authorization: Authorization) -> Self {
        Self {
            authorization: Some(authorization),
            ..self
        }
    }

    /// The OAuth authorization this call serves, if any.
    pub fn authorization(&self) -> Option<&Authorization> {
        self.authorization.as_ref()
    }

    /// The App.
    pub fn app(&self) -> &'a App {
        self.app
    }

    /// The request's members triggers see, read on first use.
    pub fn request(&self) -> &RequestMeta {
        self.meta.get_or_init(|| {
            self.input
                .and_then(|v| RequestMeta::deserialize(v).ok())
                .unwrap_or_default()
        })
    }
}

impl Deref for Call<'_> {
    type Target = App;

    fn deref(&self) -> &App {
        self.app
    }
}

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
    /// `AuthParameters`, read for `DEVICE_KEY` only (never the secrets beside it).
    #[serde(default)]
    auth_parameters: Option<DeviceKeyParam>,
    /// `ChallengeResponses`, read for `DEVICE_KEY` only.
    #[serde(default)]
    challenge_responses: Option<DeviceKeyParam>,
    /// GetTokensFromRefreshToken's `DeviceKey`.
    #[serde(default)]
    device_key: Option<String>,
}

/// The one member of `AuthParameters` / `ChallengeResponses` a call keeps.
#[derive(Clone, Debug, Default, Deserialize)]
struct DeviceKeyParam {
    #[serde(rename = "DEVICE_KEY", default)]
    device_key: Option<String>,
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

    /// The remembered device a sign-in or refresh presents: `DEVICE_KEY` in `AuthParameters`
    /// or `ChallengeResponses`, or `DeviceKey` (GetTokensFromRefreshToken).
    pub fn device_key(&self) -> Option<&str> {
        [&self.auth_parameters, &self.challenge_responses]
            .into_iter()
            .flatten()
            .find_map(|p| p.device_key.as_deref())
            .or(self.device_key.as_deref())
            .filter(|k| !k.is_empty())
    }

    /// The `callerContext.clientId`.
    pub fn client_id(&self) -> String {
        self.client_id.clone().unwrap_or_else(|| NO_CLIENT.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    use std::sync::Arc;

    #[test]
    fn a_call_carries_its_request_and_an_internal_call_none() {
        let app = App::in_memory(Arc::new(SystemClock));
        let input = serde_json::json!({"ClientId": "c1", "ClientMetadata": {"k": "v"},
            "ValidationData": [{"Name": "n", "Value": "x"}, {"Name": "empty"}]});
        let call = Call::new(&app, &input);
        assert_eq!(call.request().client_id(), "c1");
        assert_eq!(call.request().client_metadata()["k"], "v");
        let validation = call.request().validation_data();
        assert_eq!(
            (validation["n"].as_str(), validation["empty"].as_str()),
            ("x", "")
        );
        assert_eq!(call.request().device_key(), None);
        for input in [
            serde_json::json!({"AuthParameters": {"USERNAME": "u", "PASSWORD": "p", "DEVICE_KEY": "k1"}}),
            serde_json::json!({"ChallengeResponses": {"DEVICE_KEY": "k1", "SRP_A": "ab"}}),
            serde_json::json!({"RefreshToken": "t", "DeviceKey": "k1"}),
        ] {
            assert_eq!(Call::new(&app, &input).request().device_key(), Some("k1"));
        }
        let internal = Call::internal(&app);
        assert_eq!(internal.request().client_id(), NO_CLIENT);
        assert!(internal.request().client_metadata().is_empty());
        assert!(std::ptr::eq(internal.app(), &app));
    }
}
