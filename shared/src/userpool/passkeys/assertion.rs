//! Checking a passkey assertion (the WEB_AUTHN answer) against the ceremony state a sign-in
//! sealed into its Session, and recording it on the passkey. Shared by the sign-in flows that
//! ask for a passkey ([`crate::userpool::signin::web_authn`] and its usernameless variant).

use super::config::RelyingParty;
use super::user_handle;
use crate::error::{ApiError, ApiResult};
use crate::userpool::model::User;
use serde_json::{Map, Value};
use webauthn_rs_core::proto::{AuthenticationResult, AuthenticationState, PublicKeyCredential};

/// Session data: the ceremony state.
pub const STATE: &str = "webauthn_state";
/// Session data: the relying party id the challenge was issued for.
pub const RP: &str = "webauthn_rp";

/// Records a verified assertion on its passkey (inside the user's conditional write): the sign
/// counter must have moved on, re-checked here so two assertions racing with one counter value
/// (a cloned authenticator) cannot both pass.
pub fn record_use(u: &mut User, result: &AuthenticationResult) -> ApiResult<()> {
    let Some(p) = u
        .passkeys
        .iter_mut()
        .find(|p| p.credential.cred_id == *result.cred_id())
    else {
        return Err(ApiError::bad_credentials());
    };
    // Re-checked in the conditional write: two assertions racing with one counter value
    // (a cloned authenticator) cannot both pass.
    if (result.counter() > 0 || p.credential.counter > 0)
        && result.counter() <= p.credential.counter
    {
        return Err(ApiError::bad_credentials());
    }
    p.credential.counter = result.counter();
    p.credential.backup_state = result.backup_state();
    p.credential.backup_eligible = result.backup_eligible();
    Ok(())
}

/// Checks the assertion against the ceremony state sealed in the Session (`data`) and the
/// user's passkeys: the result, or None when it is refused (why goes to the log only).
pub fn verify(
    rp: &RelyingParty,
    data: &Map<String, Value>,
    user: &User,
    assertion: &PublicKeyCredential,
) -> Option<AuthenticationResult> {
    let refuse = |why: &str| {
        tracing::info!(user = %user.sub, why, "passkey assertion refused");
    };
    if data.get(RP).and_then(Value::as_str) != Some(rp.id.as_str()) {
        refuse("the pool's relying party changed");
        return None;
    }
    let Some(state) = data
        .get(STATE)
        .and_then(|v| serde_json::from_value::<AuthenticationState>(v.clone()).ok())
    else {
        refuse("no ceremony state");
        return None;
    };
    if let Some(handle) = assertion.get_user_unique_id() {
        if handle != user_handle(user).as_slice() {
            refuse("user handle of another user");
            return None;
        }
    }
    let Some(passkey) = user
        .passkeys
        .iter()
        .find(|p| p.credential.cred_id.as_slice() == assertion.raw_id.as_slice())
    else {
        refuse("not a passkey of this user");
        return None;
    };
    rp.core
        .authenticate_single_credential(assertion, &state, &passkey.credential)
        .map_err(|e| refuse(&e.to_string()))
        .ok()
}
