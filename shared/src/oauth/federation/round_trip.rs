//! The round trip to a provider and back. Going out, the app's authorization request is
//! sealed server-side under a random handle that travels as the provider's `state`, with a
//! fresh `nonce` for the provider's ID token, a PKCE verifier for the provider's token
//! endpoint, and the hash of a per-browser cookie. Coming back, the handle is taken (once:
//! a replayed `state` finds nothing; ten minutes at most), and the cookie must match, so a
//! provider answer can only finish the sign-in the same browser started.

use super::Failure;
use crate::error::ApiResult;
use crate::oauth::grants;
use crate::secret::{constant_time_eq, sha256_hex};
use crate::userpool::model::{IdentityProvider, ProviderType};
use crate::App;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long a round trip may take.
pub const TTL_MS: i64 = 10 * 60 * 1000;

/// What is kept while the browser is at the provider.
#[derive(Serialize, Deserialize)]
pub struct Pending {
    /// The app's authorization request (the `/oauth2/authorize` query), checked again on the
    /// way back.
    pub query: String,
    /// The provider's name.
    pub provider: String,
    /// The `nonce` the provider's ID token must carry.
    pub nonce: String,
    /// The PKCE verifier for the provider's token endpoint (None: the provider gets none).
    pub verifier: Option<String>,
    /// Our redirect URI the provider was given (the token request repeats it).
    pub redirect_uri: String,
    /// SHA-256 of the browser's binding cookie.
    binding_hash: String,
}

/// What the provider's authorize URL carries, and the browser's binding.
pub struct Outbound {
    /// The handle, sent as the provider's `state`.
    pub state: String,
    /// The `nonce` for the provider's ID token.
    pub nonce: String,
    /// The PKCE challenge (S256), when the provider gets one.
    pub challenge: Option<String>,
    /// The binding cookie's value (the browser's, or a new one to set).
    pub binding: String,
}

/// Whether the provider gets a PKCE challenge: the OIDC ones (all support RFC 7636; others
/// may reject unknown parameters).
fn uses_pkce(idp: &IdentityProvider) -> bool {
    matches!(idp.provider_type, ProviderType::Oidc | ProviderType::Google)
}

/// Starts a round trip to `idp` for the authorization request `query`; `binding` is the
/// browser's binding cookie if it has one, `redirect_uri` our `/oauth2/idpresponse`.
pub async fn start(
    app: &App,
    pool_id: &str,
    idp: &IdentityProvider,
    query: &str,
    binding: Option<&str>,
    redirect_uri: &str,
) -> ApiResult<Outbound> {
    let random = app.random.as_ref();
    let binding = match binding {
        Some(b) if b.len() >= 32 => b.to_string(),
        _ => crate::random::url_token(random, 32),
    };
    let nonce = crate::random::url_token(random, 32);
    let verifier = uses_pkce(idp).then(|| crate::random::url_token(random, 48));
    let pending = Pending {
        query: query.to_string(),
        provider: idp.name.clone(),
        nonce: nonce.clone(),
        verifier: verifier.clone(),
        redirect_uri: redirect_uri.to_string(),
        binding_hash: sha256_hex(binding.as_bytes()),
    };
    let state = grants::put(app, pool_id, &pending, TTL_MS).await?;
    let challenge = verifier.map(|v| URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())));
    Ok(Outbound {
        state,
        nonce,
        challenge,
        binding,
    })
}

/// Finishes a round trip: the pending record of `state`, if it is live, unused, and this
/// browser's (`binding`).
pub async fn finish(app: &App, state: &str, binding: Option<&str>) -> Result<Pending, Failure> {
    let refuse = |cause: &str| Failure::invalid("Invalid state.", cause);
    let pending: Pending = grants::take(app, state)
        .await?
        .ok_or_else(|| refuse("unknown, used or expired state"))?;
    let Some(binding) = binding else {
        return Err(refuse("no binding cookie"));
    };
    let hash = sha256_hex(binding.as_bytes());
    if !constant_time_eq(hash.as_bytes(), pending.binding_hash.as_bytes()) {
        return Err(refuse("binding cookie of another browser"));
    }
    Ok(pending)
}
