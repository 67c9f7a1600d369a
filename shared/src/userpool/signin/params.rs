//! A sign-in's parameter maps (`AuthParameters`, `ChallengeResponses`): secret, since they
//! carry passwords and codes, and read by name.

use crate::error::{ApiError, ApiResult};
use crate::secret::Secret;
use crate::userpool::model::AppClient;
use crate::userpool::secret_hash;
use std::collections::HashMap;

/// `AuthParameters` / `ChallengeResponses`.
pub type Params = Secret<HashMap<String, String>>;

/// A named member of a parameter map.
pub fn param<'a>(params: &'a Option<Params>, name: &str) -> Option<&'a str> {
    params.as_ref()?.expose().get(name).map(String::as_str)
}

/// A required member of a parameter map.
pub fn required<'a>(params: &'a Option<Params>, name: &str) -> ApiResult<&'a str> {
    param(params, name)
        .ok_or_else(|| ApiError::invalid(format!("Missing required parameter {name}")))
}

/// USERNAME, once its SECRET_HASH checks out (when the client has a secret): how every flow
/// and challenge answer names its user.
pub fn username<'a>(client: &AppClient, params: &'a Option<Params>) -> ApiResult<&'a str> {
    let username = required(params, "USERNAME")?;
    secret_hash::check(client, username, param(params, "SECRET_HASH"))?;
    Ok(username)
}
