//! The authorization request (`/oauth2/authorize`, and the login pages that carry it on):
//! the client, an exactly registered redirect URI, the response type the client may use,
//! scopes it may have, PKCE with S256 only, and the `prompt`. A request whose client or
//! redirect URI is wrong never redirects; any other refusal goes back to the redirect URI
//! with the RFC's error code and the client's `state`.

use crate::error::ApiError;
use crate::userpool::client_oauth::COGNITO_PROVIDER;
use crate::userpool::model::{AppClient, OAuthFlow, UiCustomization, UserPool};
use crate::App;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The query parameters of an authorization request, as sent.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct AuthorizeParams {
    /// `code` or `token`.
    pub response_type: Option<String>,
    /// The app client.
    pub client_id: Option<String>,
    /// One of the client's `CallbackURLs`, exactly.
    pub redirect_uri: Option<String>,
    /// Opaque, echoed back.
    pub state: Option<String>,
    /// Space-separated scopes.
    pub scope: Option<String>,
    /// Echoed in the ID token.
    pub nonce: Option<String>,
    /// PKCE challenge (S256 of the verifier, base64url).
    pub code_challenge: Option<String>,
    /// `S256` (nothing else is accepted).
    pub code_challenge_method: Option<String>,
    /// `COGNITO`, or the name of one of the client's external identity providers: the
    /// browser goes straight to that provider.
    pub identity_provider: Option<String>,
    /// One of an external provider's `IdpIdentifiers` (e.g. an email domain): that provider.
    pub idp_identifier: Option<String>,
    /// A username to fill in.
    pub login_hint: Option<String>,
    /// `login` (always ask), `none` (never ask), `select_account`, `consent`.
    pub prompt: Option<String>,
    /// The page language.
    pub lang: Option<String>,
}

/// What the client asks for the user's sign-in to end in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseType {
    /// An authorization code (`?code=`).
    Code,
    /// Tokens in the fragment (implicit grant).
    Token,
}

/// A checked authorization request.
#[derive(Clone, Debug)]
pub struct Authorize {
    /// The client's pool.
    pub pool: Arc<UserPool>,
    /// The client.
    pub client: Arc<AppClient>,
    /// The registered redirect URI.
    pub redirect_uri: String,
    /// Code or implicit.
    pub response_type: ResponseType,
    /// The granted scopes, in request order.
    pub scopes: Vec<String>,
    /// The client's state.
    pub state: Option<String>,
    /// The client's nonce.
    pub nonce: Option<String>,
    /// The PKCE challenge (S256).
    pub code_challenge: Option<String>,
    /// `prompt=login`: ask for credentials even with a session.
    pub force_login: bool,
    /// `prompt=none`: never show a page.
    pub no_prompt: bool,
    /// A username to fill in.
    pub login_hint: Option<String>,
    /// The client's UI customization (CSS and logo), when a page is to be drawn
    /// ([`Authorize::with_branding`]).
    pub branding: Option<UiCustomization>,
    /// The external identity provider the request names (`identity_provider` or
    /// `idp_identifier`): the sign-in happens there.
    pub provider: Option<String>,
}

impl Authorize {
    /// The client's external identity providers (the login page offers each).
    pub fn external_providers(&self) -> impl Iterator<Item = &str> {
        self.client
            .oauth
            .identity_providers
            .iter()
            .map(String::as_str)
            .filter(|p| *p != COGNITO_PROVIDER)
    }

    /// Whether the client signs users in with the pool's own form.
    pub fn cognito_allowed(&self) -> bool {
        self.client
            .oauth
            .identity_providers
            .iter()
            .any(|p| p == COGNITO_PROVIDER)
    }
}

impl Authorize {
    /// The request with the client's UI customization loaded (the pages draw with it).
    pub async fn with_branding(mut self, app: &App) -> Result<Self, ApiError> {
        let (pool, client) = (&self.pool.id, &self.client.client_id);
        self.branding = crate::userpool::ui_customization::for_client(app, pool, client).await?;
        Ok(self)
    }

    /// Whether the ID token is part of the answer (`openid` was granted).
    pub fn openid(&self) -> bool {
        self.scopes.iter().any(|s| s == "openid")
    }

    /// The error `error` sent back to the client (with its `state`).
    pub fn error_redirect(&self, error: &'static str, cause: impl Into<String>) -> ErrorRedirect {
        ErrorRedirect {
            redirect_uri: self.redirect_uri.clone(),
            error,
            state: self.state.clone(),
            fragment: self.response_type == ResponseType::Token,
            cause: cause.into(),
            description: None,
        }
    }

    /// The refusal that goes back to the client with `error`.
    pub fn refuse(&self, error: &'static str, cause: impl Into<String>) -> Refusal {
        Refusal::Redirect(self.error_redirect(error, cause))
    }
}

/// An error answered by redirecting to the client.
#[derive(Clone, Debug)]
pub struct ErrorRedirect {
    /// The registered redirect URI.
    pub redirect_uri: String,
    /// The RFC's code.
    pub error: &'static str,
    /// The client's state.
    pub state: Option<String>,
    /// In the fragment (implicit grant) rather than the query.
    pub fragment: bool,
    /// Why, for logs.
    pub cause: String,
    /// `error_description`, when the client is told more than the code (an identity
    /// provider's failure).
    pub description: Option<String>,
}

/// Why an authorization request is refused.
#[derive(Debug)]
pub enum Refusal {
    /// The client or redirect URI can't be trusted: an error page, never a redirect.
    Page(String),
    /// Back to the client with an error.
    Redirect(ErrorRedirect),
    /// A fault of ours.
    Fault(ApiError),
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Refusal::Fault(e)
    }
}

/// Checks an authorization request.
pub async fn check(app: &App, params: &AuthorizeParams) -> Result<Authorize, Refusal> {
    let Some(client_id) = params.client_id.as_deref().filter(|c| !c.is_empty()) else {
        return Err(Refusal::Page(
            "Required String parameter 'client_id' is not present".into(),
        ));
    };
    let client = app
        .configs
        .client(app.store.as_ref(), client_id)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| Refusal::Page("Invalid client id.".into()))?;
    let pool = crate::userpool::pools::load_pool(app, &client.pool_id).await?;
    let oauth = &client.oauth;
    let redirect_uri = match params.redirect_uri.as_deref() {
        Some(r) if oauth.callback_urls.iter().any(|u| u == r) => r.to_string(),
        Some(_) => return Err(Refusal::Page("redirect_mismatch".into())),
        None => {
            return Err(Refusal::Page(
                "Required String parameter 'redirect_uri' is not present".into(),
            ))
        }
    };
    if !oauth.enabled {
        return Err(Refusal::Page(
            "OAuth flows are not enabled for this app client.".into(),
        ));
    }
    let (response_type, flow) = match params.response_type.as_deref() {
        Some("code") => (ResponseType::Code, OAuthFlow::Code),
        Some("token") => (ResponseType::Token, OAuthFlow::Implicit),
        _ => (ResponseType::Code, OAuthFlow::Code),
    };
    let mut request = Authorize {
        pool,
        redirect_uri,
        response_type,
        scopes: Vec::new(),
        state: params.state.clone(),
        nonce: params.nonce.clone(),
        code_challenge: params.code_challenge.clone(),
        force_login: false,
        no_prompt: false,
        login_hint: params.login_hint.clone(),
        client: client.clone(),
        branding: None,
        provider: None,
    };
    if !matches!(params.response_type.as_deref(), Some("code" | "token")) {
        return Err(request.refuse("unsupported_response_type", "response_type"));
    }
    if !oauth.allows(flow) {
        return Err(request.refuse("unauthorized_client", "flow not allowed"));
    }
    match (
        &params.code_challenge,
        params.code_challenge_method.as_deref(),
    ) {
        (None, None) => {}
        (Some(c), Some("S256")) if valid_challenge(c) => {}
        _ => return Err(request.refuse("invalid_request", "PKCE: S256 only")),
    }
    request.provider = provider(app, &request, params)
        .await?
        .map_err(|cause| request.refuse("invalid_request", cause))?;
    request.scopes = scopes(&client, params.scope.as_deref())
        .map_err(|cause| request.refuse("invalid_scope", cause))?;
    match params.prompt.as_deref() {
        None | Some("" | "select_account" | "consent") => {}
        Some("login") => request.force_login = true,
        Some("none") => request.no_prompt = true,
        Some(_) => return Err(request.refuse("invalid_request", "prompt")),
    }
    Ok(request)
}

/// The external provider the request names, checked against the client's list; None for the
/// pool's own sign-in (`COGNITO`, or nothing named). The inner error is the refusal's cause.
async fn provider(
    app: &App,
    request: &Authorize,
    params: &AuthorizeParams,
) -> Result<Result<Option<String>, &'static str>, ApiError> {
    let listed = |name: &str| {
        request
            .client
            .oauth
            .identity_providers
            .iter()
            .any(|p| p == name)
    };
    let name = match (&params.identity_provider, &params.idp_identifier) {
        (Some(name), _) => name.clone(),
        (None, Some(identifier)) => {
            let found = app
                .store
                .get_identity_provider_by_identifier(&request.pool.id, identifier)
                .await?;
            match found {
                Some(idp) => idp.name,
                None => return Ok(Err("no identity provider has this identifier")),
            }
        }
        (None, None)
            if request.cognito_allowed() || request.external_providers().next().is_some() =>
        {
            return Ok(Ok(None))
        }
        (None, None) => return Ok(Err("no identity provider for this client")),
    };
    if !listed(&name) {
        return Ok(Err("identity provider not supported for this client"));
    }
    Ok(Ok((name != COGNITO_PROVIDER).then_some(name)))
}

/// `url` with `params` added to its query, or (for the implicit grant) its fragment.
pub fn with_params(url: &str, params: &[(&str, &str)], fragment: bool) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    let q = q.finish();
    let sep = if fragment {
        '#'
    } else if url.contains('?') {
        '&'
    } else {
        '?'
    };
    format!("{url}{sep}{q}")
}

impl ErrorRedirect {
    /// The URL the browser is sent to.
    pub fn location(&self) -> String {
        let mut params = vec![("error", self.error)];
        if let Some(d) = &self.description {
            params.push(("error_description", d));
        }
        if let Some(state) = &self.state {
            params.push(("state", state));
        }
        with_params(&self.redirect_uri, &params, self.fragment)
    }
}

/// A PKCE challenge: 43 characters of base64url (an S256 digest).
fn valid_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The scopes granted for `asked` (space-separated): each must be one the client may have,
/// and the OpenID ones need `openid`. None asked: all the client's scopes.
pub fn scopes(client: &AppClient, asked: Option<&str>) -> Result<Vec<String>, String> {
    let mut granted: Vec<String> = Vec::new();
    let asked: Vec<&str> = match asked.map(str::trim) {
        Some(a) if !a.is_empty() => a.split(' ').filter(|s| !s.is_empty()).collect(),
        _ => client.oauth.scopes.iter().map(String::as_str).collect(),
    };
    for scope in asked {
        if !client.oauth.has_scope(scope) {
            return Err(format!("scope {scope} is not allowed for this client"));
        }
        if !granted.iter().any(|g| g == scope) {
            granted.push(scope.to_string());
        }
    }
    let needs_openid = granted
        .iter()
        .any(|s| matches!(s.as_str(), "email" | "phone" | "profile"));
    if needs_openid && !granted.iter().any(|s| s == "openid") {
        return Err("email, phone and profile need openid".into());
    }
    if granted.is_empty() {
        return Err("no scope".into());
    }
    Ok(granted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::userpool::model::OAuthSettings;

    fn client(scopes: &[&str]) -> AppClient {
        let mut c = crate::store::conformance::sample_client("us-east-1_a", "c1");
        c.oauth = OAuthSettings {
            enabled: true,
            flows: vec![OAuthFlow::Code],
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        c
    }

    #[test]
    fn scopes_are_the_clients_and_openid_ones_need_openid() {
        let c = client(&["openid", "email", "rs/read"]);
        assert_eq!(scopes(&c, None).unwrap(), ["openid", "email", "rs/read"]);
        assert_eq!(
            scopes(&c, Some("email openid email")).unwrap(),
            ["email", "openid"]
        );
        assert!(scopes(&c, Some("openid profile")).is_err());
        assert!(scopes(&c, Some("email")).is_err());
        assert_eq!(scopes(&c, Some("rs/read")).unwrap(), ["rs/read"]);
        assert!(scopes(&client(&[]), None).is_err());
    }

    #[test]
    fn pkce_challenges_are_s256_digests() {
        assert!(valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!valid_challenge("short"));
        assert!(!valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw+cM"
        ));
    }
}
