//! Latchkey's own identity OpenID token used as a login (`cognito-identity.amazonaws.com`):
//! what a developer-authenticated client hands to GetCredentialsForIdentity or GetOpenIdToken
//! after its backend called GetOpenIdTokenForDeveloperIdentity. It is checked against the
//! identity signing key (signature, `iss`, `aud` = this pool, `exp`, an authenticated `amr`)
//! and proves the identity in its `sub`; it links nothing. GetId refuses it, as Cognito does.

use super::model::IdentityPool;
use super::verified::{audiences, expiry, invalid, subject, LoginKind, VerifiedLogin};
use crate::error::{ApiError, ApiResult};
use crate::userpool::jwt;
use crate::App;
use serde_json::Value;

/// The Logins key of an identity OpenID token.
pub const PROVIDER: &str = "cognito-identity.amazonaws.com";

/// GetId's answer to an identity token ("Invalid login token. Can't pass in a Cognito token.",
/// observed on Cognito: aws/aws-sdk-net#420, soto-project/soto#452).
pub fn refused_by_get_id() -> ApiError {
    invalid("Can't pass in a Cognito token.")
}

/// Verifies an identity OpenID token for identity pool `ipool`.
pub async fn verify(app: &App, ipool: &IdentityPool, token: &str) -> ApiResult<VerifiedLogin> {
    let signer = app.identity_signer().await?;
    let claims = jwt::decode_verified(token, |kid, msg, sig| {
        kid == signer.kid() && signer.verify(msg, sig)
    })
    .map_err(|_| invalid("Couldn't verify signed token."))?;
    if claims.get("iss").and_then(Value::as_str) != Some(app.identity_issuer().as_str()) {
        return Err(invalid("Issuer doesn't match providerName"));
    }
    if audiences(&claims) != [ipool.id.clone()] {
        return Err(invalid("Invalid audience."));
    }
    expiry(&claims, app.clock.now_secs())?;
    // A guest's token proves only a guest: it must not pass for an authenticated login.
    let authenticated = claims
        .get("amr")
        .and_then(Value::as_array)
        .is_some_and(|amr| amr.iter().any(|a| a == "authenticated"));
    if !authenticated {
        return Err(invalid("Token is not from an authenticated identity."));
    }
    Ok(VerifiedLogin {
        provider: PROVIDER.to_string(),
        subject: subject(&claims)?,
        mapping_key: PROVIDER.to_string(),
        claims,
        kind: LoginKind::CognitoToken,
    })
}
