//! What the federation tests stand on: a pool with an OIDC identity provider and an app client
//! that offers it, a browser played by hand (manual redirects, the cookies Latchkey sets), the
//! real OpenID Connect provider (`tests/clients/node/oidc_idp.mjs`, panva's oidc-provider) run
//! as a child process, and a scripted provider ([`scripted`]) for the answers a real one never
//! gives (forged, expired, wrong-audience, wrong-nonce ID tokens).

pub mod apple;
pub mod node_idp;
pub mod scripted;
pub mod social;

use crate::common::Harness;
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, OAuthFlowType};
use std::collections::HashMap;

/// Where the app's codes are sent; nothing listens there (the tests read the Location).
pub const APP_REDIRECT: &str = "http://localhost:8977/callback";
/// The provider's name in the pool.
pub const PROVIDER: &str = "MyOIDC";

/// A pool, and an app client offering `COGNITO` and [`PROVIDER`] for the code flow.
pub struct FederatedPool {
    /// The pool.
    pub pool: String,
    /// The app client (public: no secret).
    pub client: String,
}

/// Creates a pool with the OIDC provider `details` (client_id, client_secret, issuer...) and
/// `mapping`, and a client offering it, calling back to [`APP_REDIRECT`].
pub async fn federated_pool(
    h: &Harness,
    details: HashMap<String, String>,
    mapping: &[(&str, &str)],
) -> FederatedPool {
    federated_pool_to(h, details, mapping, APP_REDIRECT).await
}

/// [`federated_pool`] with the client's callback (and logout) URL `callback`.
pub async fn federated_pool_to(
    h: &Harness,
    details: HashMap<String, String>,
    mapping: &[(&str, &str)],
    callback: &str,
) -> FederatedPool {
    let pool = h.create_pool("federated").await;
    offer_provider(h, pool, details, mapping, callback).await
}

/// Adds the OIDC provider to `pool`, and a client offering it that calls back to `callback`.
pub async fn offer_provider(
    h: &Harness,
    pool: String,
    details: HashMap<String, String>,
    mapping: &[(&str, &str)],
    callback: &str,
) -> FederatedPool {
    let mut req = h
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name(PROVIDER)
        .provider_type(IdentityProviderTypeType::Oidc)
        .set_provider_details(Some(details));
    for (attr, claim) in mapping {
        req = req.attribute_mapping(*attr, *claim);
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("CreateIdentityProvider failed: {e:?}"));
    let mut c = h
        .idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("federated-web")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .supported_identity_providers("COGNITO")
        .supported_identity_providers(PROVIDER)
        .callback_urls(callback)
        .logout_urls(callback);
    for scope in ["openid", "email", "profile"] {
        c = c.allowed_o_auth_scopes(scope);
    }
    let client = c
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPoolClient failed: {e:?}"))
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("ClientId");
    FederatedPool { pool, client }
}

/// OIDC `ProviderDetails` for an issuer Latchkey discovers.
pub fn oidc_details(issuer: &str, client_id: &str, secret: &str) -> HashMap<String, String> {
    HashMap::from([
        ("client_id".to_string(), client_id.to_string()),
        ("client_secret".to_string(), secret.to_string()),
        (
            "authorize_scopes".to_string(),
            "openid email profile".to_string(),
        ),
        ("attributes_request_method".to_string(), "GET".to_string()),
        ("oidc_issuer".to_string(), issuer.to_string()),
    ])
}

/// Where a hand-played browser ended.
#[derive(Debug)]
pub enum Ended {
    /// At the app's redirect URI, with its query parameters.
    App(HashMap<String, String>),
    /// Somewhere else, with a status and no Location (an error page).
    Page(u16, String),
}

/// A browser without a cookie store of its own: follows redirects by hand, keeping the
/// cookies it is given (by name, for every host: cookies do not care about ports).
#[derive(Default)]
pub struct Browser {
    cookies: HashMap<String, String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn take(&mut self, resp: &reqwest::Response) {
        for v in resp.headers().get_all(reqwest::header::SET_COOKIE) {
            let Ok(text) = v.to_str() else { continue };
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, val)) = pair.split_once('=') {
                let gone = val.is_empty() || text.contains("Max-Age=0");
                if gone {
                    self.cookies.remove(k.trim());
                } else {
                    self.cookies.insert(k.trim().to_string(), val.to_string());
                }
            }
        }
    }

    /// GETs `url` and follows redirects until the app's redirect URI or a page.
    pub async fn go(&mut self, url: &str) -> Ended {
        self.go_until(url, |_| false).await.0
    }

    /// Submits a form as a browser does (`POST`, urlencoded, with the cookies it holds), then
    /// follows redirects as [`Browser::go`] does: what a provider's auto-submitting form post
    /// (Sign in with Apple's answer) makes the browser do.
    pub async fn post_form(&mut self, url: &str, fields: &[(String, String)]) -> Ended {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let resp = http
            .post(url)
            .header(reqwest::header::COOKIE, self.cookie_header())
            .form(fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        self.take(&resp);
        let status = resp.status().as_u16();
        match resp.headers().get(reqwest::header::LOCATION) {
            Some(loc) => {
                let loc = loc.to_str().expect("Location").to_string();
                let next = reqwest::Url::parse(url)
                    .and_then(|u| u.join(&loc))
                    .expect("Location URL")
                    .to_string();
                self.go(&next).await
            }
            None => Ended::Page(status, resp.text().await.unwrap_or_default()),
        }
    }

    /// Like [`Browser::go`], but stops before requesting a URL `stop` accepts, returning it.
    pub async fn go_until(
        &mut self,
        url: &str,
        stop: impl Fn(&str) -> bool,
    ) -> (Ended, Option<String>) {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let mut url = url.to_string();
        for _ in 0..20 {
            if url.starts_with(APP_REDIRECT) {
                let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
                let params = form_urlencoded_pairs(query);
                return (Ended::App(params), None);
            }
            if stop(&url) {
                return (Ended::Page(0, String::new()), Some(url));
            }
            let resp = http
                .get(&url)
                .header(reqwest::header::COOKIE, self.cookie_header())
                .send()
                .await
                .unwrap_or_else(|e| panic!("GET {url}: {e}"));
            self.take(&resp);
            let status = resp.status().as_u16();
            match resp.headers().get(reqwest::header::LOCATION) {
                Some(loc) => {
                    let loc = loc.to_str().expect("Location").to_string();
                    url = reqwest::Url::parse(&url)
                        .and_then(|u| u.join(&loc))
                        .expect("Location URL")
                        .to_string();
                }
                None => {
                    return (
                        Ended::Page(status, resp.text().await.unwrap_or_default()),
                        None,
                    )
                }
            }
        }
        panic!("too many redirects");
    }
}

/// `a=1&b=2` decoded.
pub fn form_urlencoded_pairs(query: &str) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{query}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// The authorize URL of the app's client, naming the provider.
pub fn authorize_url(h: &Harness, client: &str, provider: &str, nonce: &str) -> String {
    format!(
        "{}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={}&scope=openid+email+profile&state=app-state&nonce={nonce}&identity_provider={provider}",
        h.url(),
        APP_REDIRECT
    )
}

/// The auto-submitting form of a `response_mode=form_post` page: its action and its hidden
/// fields (names and values, HTML entities decoded), or None when the page has no such form.
pub fn form_post_of(html: &str) -> Option<(String, Vec<(String, String)>)> {
    fn attribute(tag: &str, name: &str) -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = start + tag[start..].find('"')?;
        Some(unescape(&tag[start..end]))
    }
    fn unescape(text: &str) -> String {
        text.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }
    let form_at = html.find("<form")?;
    let form = &html[form_at..];
    let action = attribute(&form[..form.find('>')?], "action")?;
    let mut fields = Vec::new();
    for piece in form.split("<input").skip(1) {
        let tag = &piece[..piece.find('>')?];
        if let (Some(name), Some(value)) = (attribute(tag, "name"), attribute(tag, "value")) {
            fields.push((name, value));
        }
    }
    Some((action, fields))
}
