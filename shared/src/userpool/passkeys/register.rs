//! StartWebAuthnRegistration and CompleteWebAuthnRegistration: a signed-in user registers a
//! passkey. Start hands out the creation options (PublicKeyCredentialCreationOptionsJSON, as
//! Cognito sends it: no `publicKey` wrapper) and keeps the ceremony's state on the user
//! record; Complete verifies the authenticator's answer against it (challenge, origin, relying
//! party, user verification), spends it and stores the passkey, in one conditional write.

use super::config::{relying_party, CEREMONY_TIMEOUT};
use super::{b64, challenge_not_found, malformed, registration_error, user_handle, MAX_PER_USER};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::AccessToken;
use crate::userpool::access::authorize_access;
use crate::userpool::directory::modify_user;
use crate::userpool::enums::AuthFactor;
use crate::userpool::model::{Passkey, PendingPasskey, User, UserPool};
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use webauthn_rs_core::proto::{
    AttestationConveyancePreference, COSEAlgorithm, RegisterPublicKeyCredential,
};

/// StartWebAuthnRegistration's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartInput {
    access_token: AccessToken,
}

/// StartWebAuthnRegistration's reply.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StartOutput {
    credential_creation_options: Value,
}

/// CompleteWebAuthnRegistration's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteInput {
    access_token: AccessToken,
    credential: Value,
}

/// An empty reply.
#[derive(Serialize)]
pub struct Empty {}

fn too_many() -> ApiError {
    ApiError::new(
        ErrorKind::LimitExceeded,
        format!("A user can register at most {MAX_PER_USER} passkeys."),
    )
}

/// The name an authenticator shows for the user: the sign-in email or phone number when the
/// pool signs in with one, else the username.
fn shown_name(pool: &UserPool, user: &User) -> String {
    pool.username_attributes
        .iter()
        .find_map(|a| user.attributes.get(a))
        .unwrap_or(&user.username)
        .clone()
}

/// StartWebAuthnRegistration.
pub async fn start_web_authn_registration(app: &App, input: StartInput) -> ApiResult<StartOutput> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    if !ctx
        .pool
        .allowed_first_factors()
        .contains(&AuthFactor::WebAuthn)
    {
        return Err(ApiError::new(
            ErrorKind::WebAuthnNotEnabled,
            "Passkeys are not enabled for the user pool: add WEB_AUTHN to Policies.SignInPolicy.AllowedFirstAuthFactors.",
        ));
    }
    let rp = relying_party(app, &ctx.pool).await?;
    if ctx.user.passkeys.len() >= MAX_PER_USER {
        return Err(too_many());
    }
    let name = shown_name(&ctx.pool, &ctx.user);
    let existing = ctx
        .user
        .passkeys
        .iter()
        .map(|p| p.credential.cred_id.clone())
        .collect();
    let builder = rp
        .core
        .new_challenge_register_builder(&user_handle(&ctx.user), &name, &name)
        .map_err(|e| registration_error(&e))?
        .attestation(AttestationConveyancePreference::None)
        .user_verification_policy(rp.policy)
        .exclude_credentials(Some(existing))
        .credential_algorithms(vec![COSEAlgorithm::ES256, COSEAlgorithm::RS256])
        .require_resident_key(true);
    let (options, state) = rp
        .core
        .generate_challenge_register(builder)
        .map_err(|e| registration_error(&e))?;
    let options = serde_json::to_value(&options.public_key).map_err(crate::Error::from)?;
    let pending = PendingPasskey {
        state,
        relying_party_id: rp.id,
        client_id: ctx.client.client_id.clone(),
        expires_ms: app.clock.now_millis() + CEREMONY_TIMEOUT.as_millis() as i64,
    };
    modify_user(app, &ctx.pool, ctx.user, |u| {
        u.passkey_registration = Some(pending.clone());
        Ok(())
    })
    .await?;
    Ok(StartOutput {
        credential_creation_options: without_nulls(options),
    })
}

/// Browsers' `PublicKeyCredential.parseCreationOptionsFromJSON` refuses `null` members.
pub fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_nulls(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// CompleteWebAuthnRegistration.
pub async fn complete_web_authn_registration(app: &App, input: CompleteInput) -> ApiResult<Empty> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_value(input.credential.clone()).map_err(|_| malformed())?;
    let now = app.clock.now_millis();
    let pending = ctx
        .user
        .passkey_registration
        .clone()
        .filter(|p| now < p.expires_ms)
        .ok_or_else(challenge_not_found)?;
    if pending.client_id != ctx.client.client_id {
        return Err(ApiError::new(
            ErrorKind::WebAuthnClientMismatch,
            "The access token is for a different app client than the one that started the passkey registration.",
        ));
    }
    let rp = relying_party(app, &ctx.pool).await?;
    if rp.id != pending.relying_party_id {
        return Err(challenge_not_found());
    }
    let verified = rp
        .core
        .register_credential(&credential, &pending.state, None)
        .map_err(|e| registration_error(&e))?;
    let passkey = Passkey {
        id: b64(verified.cred_id.as_ref()),
        credential: verified,
        friendly_name: None,
        relying_party_id: rp.id,
        attachment: input
            .credential
            .get("authenticatorAttachment")
            .and_then(Value::as_str)
            .map(str::to_string),
        transports: input
            .credential
            .pointer("/response/transports")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        created_ms: now,
    };
    let challenge = serde_json::to_value(&pending.state).map_err(crate::Error::from)?;
    let saved = modify_user(app, &ctx.pool, ctx.user, |u| {
        // The state is spent in this conditional write, so an answer registers once.
        let current = u.passkey_registration.take();
        let same = current
            .as_ref()
            .and_then(|c| serde_json::to_value(&c.state).ok())
            .is_some_and(|c| c == challenge);
        if !same {
            return Err(challenge_not_found());
        }
        if u.passkeys.len() >= MAX_PER_USER {
            return Err(too_many());
        }
        if u.passkeys.iter().any(|p| p.id == passkey.id) {
            return Err(already_registered());
        }
        u.passkeys.push(passkey.clone());
        Ok(())
    })
    .await;
    match saved {
        Ok(_) => Ok(Empty {}),
        // The credential id's alias claim is another user's.
        Err(e) if e.kind == ErrorKind::AliasExists => Err(already_registered()),
        Err(e) => Err(e),
    }
}

fn already_registered() -> ApiError {
    ApiError::invalid("The passkey credential is already registered.")
}
