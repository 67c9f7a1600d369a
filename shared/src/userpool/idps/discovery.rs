//! OIDC discovery at create and update time: an OIDC provider given without all four of
//! `authorize_url`, `token_url`, `attributes_url` and `jwks_uri` has the missing ones read
//! from `<oidc_issuer>/.well-known/openid-configuration` (through the provider-endpoint
//! rewrites, so a test's IdP on loopback is reached), and they are stored in its details, as
//! Cognito's Describe shows them. A document that cannot be read, or lacks an endpoint, refuses
//! the request.

use super::details::{check_url, OIDC_ENDPOINTS};
use crate::error::{ApiError, ApiResult};
use crate::http::HttpClient;
use crate::App;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long the discovery document may take.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// The discovery document's member for each details key.
const MEMBERS: &[(&str, &str)] = &[
    ("authorize_url", "authorization_endpoint"),
    ("token_url", "token_endpoint"),
    ("attributes_url", "userinfo_endpoint"),
    ("jwks_uri", "jwks_uri"),
];

/// Fills an OIDC provider's missing endpoints from its issuer's discovery document (nothing
/// is fetched when all four are given).
pub async fn fill_endpoints(app: &App, details: &mut BTreeMap<String, String>) -> ApiResult<()> {
    if OIDC_ENDPOINTS.iter().all(|k| details.contains_key(*k)) {
        return Ok(());
    }
    let issuer = details
        .get("oidc_issuer")
        .map(|i| i.trim_end_matches('/').to_string())
        .unwrap_or_default();
    let unreadable = || {
        ApiError::invalid(format!(
            "Unable to read the OpenID Connect discovery document of issuer {issuer}. \
             Set authorize_url, token_url, attributes_url and jwks_uri, or check oidc_issuer."
        ))
    };
    let url = app
        .settings
        .provider_url(&format!("{issuer}/.well-known/openid-configuration"));
    let http = HttpClient::new(DISCOVERY_TIMEOUT).map_err(|e| ApiError::internal(&e))?;
    let document = http.get_json(&url).await.map_err(|e| {
        // The cause is the operator's to read, not the caller's.
        tracing::info!(error = %e, "OIDC discovery failed");
        unreadable()
    })?;
    for (key, member) in MEMBERS {
        if details.contains_key(*key) {
            continue;
        }
        let found = document
            .get(*member)
            .and_then(|v| v.as_str())
            .ok_or_else(unreadable)?;
        check_url(key, found)?;
        details.insert(key.to_string(), found.to_string());
    }
    Ok(())
}
