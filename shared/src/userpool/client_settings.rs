//! The settings members an app client takes at creation and again at every update
//! (everything but the pool, the id and the secret): one parser and one set of Cognito checks
//! for CreateUserPoolClient and UpdateUserPoolClient. A member not sent takes Cognito's
//! default, at creation and at update alike.

use super::client_oauth::{oauth_settings, OAuthInput};
use super::enums::check_enum_list;
use super::enums::{ExplicitAuthFlow, PreventUserExistenceErrors, TimeUnit};
use super::model::{AppClient, OAuthSettings, TokenValidityUnits, UserPool};
use crate::error::{ApiError, ApiResult};
use crate::secret::Secret;
use serde::Deserialize;
use serde_json::{Map, Value};

/// Cognito's flows when ExplicitAuthFlows is omitted.
const DEFAULT_FLOWS: &[ExplicitAuthFlow] = &[
    ExplicitAuthFlow::AllowRefreshTokenAuth,
    ExplicitAuthFlow::AllowUserSrpAuth,
    ExplicitAuthFlow::AllowCustomAuth,
];

/// Members stored as sent and echoed (RefreshTokenRotation is read by `refresh`).
const PASSTHROUGH: &[&str] = &[
    "AnalyticsConfiguration",
    "EnablePropagateAdditionalUserContextData",
    "RefreshTokenRotation",
];

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UnitsInput {
    access_token: Option<TimeUnit>,
    id_token: Option<TimeUnit>,
    refresh_token: Option<TimeUnit>,
}

/// The settings members of CreateUserPoolClient / UpdateUserPoolClient, as sent.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettingsInput {
    refresh_token_validity: Option<i64>,
    access_token_validity: Option<i64>,
    id_token_validity: Option<i64>,
    token_validity_units: Option<UnitsInput>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    /// Read as strings: the model knows flows Latchkey refuses with Cognito's enum text.
    explicit_auth_flows: Option<Vec<String>>,
    prevent_user_existence_errors: Option<PreventUserExistenceErrors>,
    enable_token_revocation: Option<bool>,
    auth_session_validity: Option<i64>,
    #[serde(flatten)]
    oauth: OAuthInput,
    /// Everything else sent; [`PASSTHROUGH`] members are kept.
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl ClientSettingsInput {
    /// A request member not parsed here (e.g. CreateUserPoolClient's `ClientSecret`).
    pub fn other(&self, member: &str) -> Option<&Value> {
        self.rest.get(member)
    }
}

/// A client's settings, checked.
#[derive(Debug)]
pub struct ClientSettings {
    explicit_auth_flows: Vec<ExplicitAuthFlow>,
    refresh_token_validity: u64,
    access_token_validity: u64,
    id_token_validity: u64,
    token_validity_units: TokenValidityUnits,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    prevent_user_existence_errors: PreventUserExistenceErrors,
    enable_token_revocation: bool,
    auth_session_validity: u32,
    oauth: OAuthSettings,
    passthrough: Map<String, Value>,
}

impl ClientSettings {
    /// The OAuth scopes the client may ask for.
    pub fn oauth_scopes(&self) -> &[String] {
        &self.oauth.scopes
    }

    /// The identity providers the client may sign in with (`SupportedIdentityProviders`).
    pub fn identity_providers(&self) -> &[String] {
        &self.oauth.identity_providers
    }

    /// A new client with these settings.
    pub fn into_client(
        self,
        pool_id: String,
        client_id: String,
        client_name: String,
        secret: Option<Secret<String>>,
        now_ms: i64,
    ) -> AppClient {
        AppClient {
            pool_id,
            client_id,
            client_name,
            secret,
            created_ms: now_ms,
            modified_ms: now_ms,
            explicit_auth_flows: self.explicit_auth_flows,
            refresh_token_validity: self.refresh_token_validity,
            access_token_validity: self.access_token_validity,
            id_token_validity: self.id_token_validity,
            token_validity_units: self.token_validity_units,
            read_attributes: self.read_attributes,
            write_attributes: self.write_attributes,
            prevent_user_existence_errors: self.prevent_user_existence_errors,
            enable_token_revocation: self.enable_token_revocation,
            auth_session_validity: self.auth_session_validity,
            oauth: self.oauth,
            passthrough: self.passthrough,
        }
    }

    /// Sets every setting of `client` (id, pool, name, secret and dates are left alone).
    pub fn apply_to(self, client: &mut AppClient) {
        client.explicit_auth_flows = self.explicit_auth_flows;
        client.refresh_token_validity = self.refresh_token_validity;
        client.access_token_validity = self.access_token_validity;
        client.id_token_validity = self.id_token_validity;
        client.token_validity_units = self.token_validity_units;
        client.read_attributes = self.read_attributes;
        client.write_attributes = self.write_attributes;
        client.prevent_user_existence_errors = self.prevent_user_existence_errors;
        client.enable_token_revocation = self.enable_token_revocation;
        client.auth_session_validity = self.auth_session_validity;
        client.oauth = self.oauth;
        client.passthrough = self.passthrough;
    }
}

/// Checks a lifetime against Cognito's range, in seconds.
fn validity(
    value: Option<i64>,
    default: i64,
    unit: TimeUnit,
    min_s: u64,
    max_s: u64,
) -> ApiResult<u64> {
    let v = match value {
        None | Some(0) => default,
        Some(v) if v < 0 => return Err(ApiError::invalid("Invalid range for token validity.")),
        Some(v) => v,
    } as u64;
    let secs = v.saturating_mul(unit.seconds());
    if secs < min_s || secs > max_s {
        return Err(ApiError::invalid("Invalid range for token validity."));
    }
    Ok(v)
}

fn check_attributes(pool: &UserPool, names: &[String], what: &str) -> ApiResult<()> {
    if names.iter().any(|n| pool.schema_attribute(n).is_none()) {
        return Err(ApiError::invalid(format!(
            "Invalid {what} attributes specified while creating a client"
        )));
    }
    Ok(())
}

fn auth_flows(sent: Option<Vec<String>>) -> ApiResult<Vec<ExplicitAuthFlow>> {
    let flows: Vec<ExplicitAuthFlow> = match sent {
        Some(f) if !f.is_empty() => {
            check_enum_list("explicitAuthFlows", &f, ExplicitAuthFlow::NAMES)?;
            f.iter().filter_map(|name| name.parse().ok()).collect()
        }
        _ => DEFAULT_FLOWS.to_vec(),
    };
    let legacy = flows.iter().filter(|f| f.is_legacy()).count();
    if legacy > 0 && legacy < flows.len() {
        return Err(ApiError::invalid(
            "ExplicitAuthFlows can not have both ALLOW_XXX and legacy values.",
        ));
    }
    Ok(flows)
}

/// Checks the settings of a client of `pool` (`has_secret`: whether it has a secret) and
/// returns them, with Cognito's defaults for the members not sent.
pub fn client_settings(
    pool: &UserPool,
    input: ClientSettingsInput,
    has_secret: bool,
) -> ApiResult<ClientSettings> {
    let explicit_auth_flows = auth_flows(input.explicit_auth_flows)?;
    let units_in = input.token_validity_units;
    let pick = |f: fn(&UnitsInput) -> Option<TimeUnit>| units_in.as_ref().and_then(f);
    let defaults = TokenValidityUnits::default();
    let units = TokenValidityUnits {
        access_token: pick(|u| u.access_token).unwrap_or(defaults.access_token),
        id_token: pick(|u| u.id_token).unwrap_or(defaults.id_token),
        refresh_token: pick(|u| u.refresh_token).unwrap_or(defaults.refresh_token),
    };
    let default_in = |u: TimeUnit, secs: i64| (secs / u.seconds() as i64).max(1);
    let access = validity(
        input.access_token_validity,
        default_in(units.access_token, 3600),
        units.access_token,
        300,
        86_400,
    )?;
    let id = validity(
        input.id_token_validity,
        default_in(units.id_token, 3600),
        units.id_token,
        300,
        86_400,
    )?;
    let refresh = validity(
        input.refresh_token_validity,
        default_in(units.refresh_token, 30 * 86_400),
        units.refresh_token,
        3600,
        315_360_000,
    )?;
    if let Some(r) = &input.read_attributes {
        check_attributes(pool, r, "read")?;
    }
    if let Some(w) = &input.write_attributes {
        check_attributes(pool, w, "write")?;
    }
    let session = input.auth_session_validity.unwrap_or(3);
    if !(3..=15).contains(&session) {
        return Err(ApiError::constraint(
            "authSessionValidity",
            "Member must have value between 3 and 15",
        ));
    }
    let oauth = oauth_settings(input.oauth, has_secret)?;
    Ok(ClientSettings {
        explicit_auth_flows,
        refresh_token_validity: refresh,
        access_token_validity: access,
        id_token_validity: id,
        token_validity_units: units,
        read_attributes: input.read_attributes,
        write_attributes: input.write_attributes,
        prevent_user_existence_errors: input
            .prevent_user_existence_errors
            .unwrap_or(PreventUserExistenceErrors::Legacy),
        enable_token_revocation: input.enable_token_revocation.unwrap_or(true),
        auth_session_validity: session as u32,
        oauth,
        passthrough: input
            .rest
            .into_iter()
            .filter(|(k, _)| PASSTHROUGH.contains(&k.as_str()))
            .collect(),
    })
}
