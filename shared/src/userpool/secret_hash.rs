//! SECRET_HASH: Base64(HMAC-SHA256(key = client secret, msg = username || client id)).

use super::model::AppClient;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::constant_time_eq;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Computes the SECRET_HASH a client with `secret` sends for `username`.
pub fn compute(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks the SECRET_HASH sent for `username`, when the client has a secret.
pub fn check(client: &AppClient, username: &str, sent: Option<&str>) -> Result<(), ApiError> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    let Some(sent) = sent else {
        return Err(ApiError::not_authorized(format!(
            "Client {} is configured for secret but secret was not received",
            client.client_id
        )));
    };
    let expected = compute(secret.expose(), username, &client.client_id);
    if constant_time_eq(expected.as_bytes(), sent.as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::not_authorized(format!(
            "Unable to verify secret hash for client {}",
            client.client_id
        )))
    }
}

/// Checks the raw ClientSecret that RevokeToken and GetTokensFromRefreshToken take.
pub fn check_client_secret(
    client: &AppClient,
    sent: Option<&str>,
    kind: ErrorKind,
) -> ApiResult<()> {
    let Some(secret) = &client.secret else {
        return Ok(());
    };
    match sent {
        Some(s) if constant_time_eq(s.as_bytes(), secret.expose().as_bytes()) => Ok(()),
        Some(_) => Err(ApiError::new(
            kind,
            format!(
                "Unable to verify secret hash for client {}",
                client.client_id
            ),
        )),
        None => Err(ApiError::new(
            kind,
            format!(
                "Client {} is configured for secret but secret was not received",
                client.client_id
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_known_vector() {
        // Computed independently: printf 'alice6lupoc4mc4hv4jl166o5ltdtig' |
        //   openssl dgst -sha256 -hmac 'secret' -binary | base64
        assert_eq!(
            compute("secret", "alice", "6lupoc4mc4hv4jl166o5ltdtig"),
            "wQNZf2pAsHn6XeRqJSqXL/Xfqzc6nuyjCNXYSjSCG28="
        );
    }
}
