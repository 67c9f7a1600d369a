//! Verifying the Logins map: every token is checked before it is believed. Latchkey user-pool
//! ID tokens are checked against the pool's own keys (iss, exp, token_use=id, aud among the
//! provider's ClientIds, and with ServerSideTokenCheck the user's sessions); external OIDC
//! tokens (Google, Apple, others) against the issuer's JWKS (RS256 only, iss, exp, aud among
//! the configured ids); Facebook and Login with Amazon tokens by asking the provider
//! ([`super::social`]); SAML responses against the IAM SAML provider's metadata
//! ([`super::saml`]); Latchkey's own identity tokens against its identity key
//! ([`super::own_token`]).

use super::model::IdentityPool;
use super::verified::{audiences, expiry, invalid, subject, unsupported, LoginKind, VerifiedLogin};
use super::{own_token, saml, social};

use crate::error::{ApiError, ApiResult};
use crate::secret::Secret;
use crate::userpool::jwt::{self, JwtError};
use crate::App;
use serde_json::Value;
use std::collections::BTreeMap;

/// A user pool id from a provider name (`cognito-idp.{region}.amazonaws.com/{poolId}` or
/// Latchkey's own issuer form `{host}/{poolId}`).
fn pool_id_of(provider: &str) -> Option<&str> {
    provider
        .rsplit_once('/')
        .map(|(_, id)| id)
        .filter(|id| id.contains('_'))
}

async fn verify_user_pool(
    app: &App,
    ipool: &IdentityPool,
    provider: &str,
    token: &str,
) -> ApiResult<Option<VerifiedLogin>> {
    let Some(pool_id) = pool_id_of(provider) else {
        return Ok(None);
    };
    // Only under a configured ProviderName, or Latchkey's own issuer form of the same pool.
    let issuer = app.settings.issuer(pool_id);
    let own_form = issuer
        .split_once("://")
        .map_or(issuer.as_str(), |(_, rest)| rest);
    let trusted: Vec<_> = ipool
        .cognito_identity_providers
        .iter()
        .filter(|p| {
            p.provider_name == provider
                || (provider == own_form && pool_id_of(&p.provider_name) == Some(pool_id))
        })
        .collect();
    if trusted.is_empty() {
        return Ok(None);
    }
    let pool = app
        .configs
        .pool(app.store.as_ref(), pool_id)
        .await?
        .ok_or_else(|| invalid("Issuer doesn't match providerName"))?;
    let signers = app.signers(&pool)?;
    let claims = jwt::decode_verified(token, |kid, msg, sig| {
        kid == signers.id.kid() && signers.id.verify(msg, sig)
    })
    .map_err(|_| invalid("Signature verification failed."))?;
    if claims.get("iss").and_then(Value::as_str) != Some(app.settings.issuer(pool_id).as_str()) {
        return Err(invalid("Issuer doesn't match providerName"));
    }
    if claims.get("token_use").and_then(Value::as_str) != Some("id") {
        return Err(invalid("Not an ID token."));
    }
    expiry(&claims, app.clock.now_secs())?;
    let aud = audiences(&claims);
    let provider_entry = trusted
        .iter()
        .find(|p| aud.contains(&p.client_id))
        .ok_or_else(|| invalid("Invalid audience."))?;
    if provider_entry.server_side_token_check {
        let username = claims
            .get("cognito:username")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let origin = claims
            .get("origin_jti")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let user = app
            .store
            .get_user(&pool.id, &pool.username_key(username))
            .await?;
        let live = user.is_some_and(|u| {
            u.enabled && !u.revoked_origins.iter().any(|r| r.origin_jti == origin)
        });
        if !live {
            return Err(invalid("Token has been revoked."));
        }
    }
    Ok(Some(VerifiedLogin {
        // Normalised to the configured name, so both forms map to one identity.
        provider: provider_entry.provider_name.clone(),
        subject: subject(&claims)?,
        mapping_key: format!(
            "{}:{}",
            provider_entry.provider_name, provider_entry.client_id
        ),
        claims,
        kind: LoginKind::UserPool,
    }))
}

/// The issuer URL of an external provider: https, or http only on loopback (local tests).
fn issuer_url(provider: &str, claimed: Option<&str>) -> Option<String> {
    let https = format!("https://{provider}");
    let http = format!("http://{provider}");
    let loopback = is_loopback(provider);
    match claimed {
        Some(iss) if iss == https => Some(https),
        Some(iss) if iss == http && loopback => Some(http),
        // Google issues both forms of its issuer.
        Some("accounts.google.com") if provider == "accounts.google.com" => Some(https),
        _ => None,
    }
}

/// Whether a provider name (host, optional port, optional path) names exactly a loopback host:
/// `localhost`, `127.0.0.1` or `[::1]`. `localhost.attacker.example` or `127.0.0.1.nip.io` do
/// not.
pub fn is_loopback(provider: &str) -> bool {
    let authority = provider.split('/').next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((host, rest)) if rest.is_empty() || is_port(rest) => return host == "::1",
            _ => return false,
        },
        None => match authority.split_once(':') {
            Some((host, port)) if is_port(&format!(":{port}")) => host,
            Some(_) => return false,
            None => authority,
        },
    };
    host == "localhost" || host == "127.0.0.1"
}

fn is_port(rest: &str) -> bool {
    rest.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

async fn verify_oidc(
    app: &App,
    ipool: &IdentityPool,
    provider: &str,
    token: &str,
) -> ApiResult<Option<VerifiedLogin>> {
    let Some(client_ids) = ipool.supported_login_providers.get(provider) else {
        return Ok(None);
    };
    let unverified = jwt::peek_claims(token)
        .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
    let issuer = issuer_url(provider, unverified.get("iss").and_then(Value::as_str))
        .ok_or_else(|| invalid("Issuer doesn't match providerName"))?;
    let kid = jwt::peek_kid(token)
        .ok_or_else(|| invalid("Not a valid OpenId Connect identity token."))?;
    // Keys are fetched where LATCHKEY_PROVIDER_ENDPOINTS sends the issuer (a loopback player
    // in tests); the issuer checked above stays the real one.
    let key = app
        .oidc_keys
        .key(&app.settings.provider_url(&issuer), &kid)
        .await?;
    let key = key.ok_or_else(|| invalid("Signature verification failed."))?;
    let claims = jwt::decode_verified(token, |_, msg, sig| key.verify_sig(msg, sig).is_ok())
        .map_err(|e| match e {
            JwtError::Expired | JwtError::Invalid => invalid("Signature verification failed."),
        })?;
    expiry(&claims, app.clock.now_secs())?;
    let allowed: Vec<&str> = client_ids.split(',').map(str::trim).collect();
    if !audiences(&claims)
        .iter()
        .any(|a| allowed.contains(&a.as_str()))
    {
        return Err(invalid("Invalid audience."));
    }
    Ok(Some(VerifiedLogin {
        provider: provider.to_string(),
        subject: subject(&claims)?,
        mapping_key: provider.to_string(),
        claims,
        kind: LoginKind::Oidc,
    }))
}

/// Verifies every login; any failure refuses the whole request.
pub async fn verify(
    app: &App,
    ipool: &IdentityPool,
    logins: &BTreeMap<String, Secret<String>>,
) -> ApiResult<Vec<VerifiedLogin>> {
    if logins.len() > 10 {
        return Err(ApiError::constraint(
            "logins",
            "Member must have length less than or equal to 10",
        ));
    }
    let mut out = Vec::new();
    for (provider, token) in logins {
        let token = token.expose();
        let verified = match provider.as_str() {
            own_token::PROVIDER => Some(own_token::verify(app, ipool, token).await?),
            social::FACEBOOK | social::AMAZON => {
                social::verify(app, ipool, provider, token).await?
            }
            p if saml::is_saml_provider(p) => saml::verify(app, ipool, provider, token).await?,
            _ => match verify_user_pool(app, ipool, provider, token).await? {
                Some(v) => Some(v),
                None => verify_oidc(app, ipool, provider, token).await?,
            },
        };
        out.push(verified.ok_or_else(unsupported)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_loopback_hosts_may_use_http() {
        for ok in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:9000/realm",
            "[::1]:443",
            "127.0.0.1",
        ] {
            assert!(is_loopback(ok), "{ok}");
            let http = format!("http://{ok}");
            assert_eq!(issuer_url(ok, Some(&http)), Some(http));
        }
        for bad in [
            "localhost.attacker.example",
            "127.0.0.1.nip.io",
            "localhost:80.evil.example",
            "127.0.0.1:",
            "localhost@evil.example",
            "[::1].evil",
            "evil.example/localhost",
        ] {
            assert!(!is_loopback(bad), "{bad}");
            assert_eq!(issuer_url(bad, Some(&format!("http://{bad}"))), None);
        }
    }
}
