//! What the federation tests stand on: a pool with an OIDC identity provider and an app client
//! that offers it, a browser played by hand (manual redirects, the cookies Latchkey sets), the
//! real OpenID Connect provider (`tests/clients/node/oidc_idp.mjs`, panva's oidc-provider) run
//! as a child process, and a scripted provider ([`scripted`]) for the answers a real one never
//! gives (forged, expired, wrong-audience, wrong-nonce ID tokens).

pub mod apple;
pub mod node_idp;
pub mod saml_idp;
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
    let client = offering_client(h, &pool, &["COGNITO", PROVIDER], callback).await;
    FederatedPool { pool, client }
}

/// An app client of `pool` offering `providers` for the code flow (scopes openid, email and
/// profile), calling back (and logging out) to `callback`; returns its id.
pub async fn offering_client(
    h: &Harness,
    pool: &str,
    providers: &[&str],
    callback: &str,
) -> String {
    let mut c = h
        .idp
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name("federated-web")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(callback)
        .logout_urls(callback);
    for provider in providers {
        c = c.supported_identity_providers(*provider);
    }
    for scope in ["openid", "email", "profile"] {
        c = c.allowed_o_auth_scopes(scope);
    }
    c.send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPoolClient failed: {e:?}"))
        .user_pool_client
        .and_then(|c| c.client_id)
        .expect("ClientId")
}

/// Starts `node <script> <args>` (a provider played on loopback) and reads the JSON line it
/// prints when ready.
pub fn spawn_node(
    script: &std::path::Path,
    args: &[&std::ffi::OsStr],
) -> (std::process::Child, serde_json::Value) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(crate::real_clients::repo_root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting node {}: {e}", script.display()));
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("reading the provider's first line");
    let ready =
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("provider said {line:?}: {e}"));
    (child, ready)
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

    /// Like [`Browser::go`], but stops before requesting a URL `stop` accepts, returning it.
    /// A page that posts itself on load (a SAML provider's answer) is posted, as a browser
    /// running its script would.
    pub async fn go_until(
        &mut self,
        url: &str,
        stop: impl Fn(&str) -> bool,
    ) -> (Ended, Option<String>) {
        self.travel(url, None, stop, true).await
    }

    /// Like [`Browser::go`], but ends at a self-posting page instead of posting it (to post
    /// it by hand, or again).
    pub async fn go_to_page(&mut self, url: &str) -> Ended {
        self.travel(url, None, |_| false, false).await.0
    }

    /// POSTs `fields` to `url` (a form a page gave), then goes on as [`Browser::go`].
    pub async fn post(&mut self, url: &str, fields: Vec<(String, String)>) -> Ended {
        self.travel(url, Some(fields), |_| false, true).await.0
    }

    async fn travel(
        &mut self,
        url: &str,
        mut form: Option<Vec<(String, String)>>,
        stop: impl Fn(&str) -> bool,
        posts_forms: bool,
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
            let req = match form.take() {
                Some(fields) => http.post(&url).form(&fields),
                None => http.get(&url),
            };
            let resp = req
                .header(reqwest::header::COOKIE, self.cookie_header())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            self.take(&resp);
            let status = resp.status().as_u16();
            let base = reqwest::Url::parse(&url).expect("URL");
            match resp.headers().get(reqwest::header::LOCATION) {
                Some(loc) => {
                    let loc = loc.to_str().expect("Location").to_string();
                    url = base.join(&loc).expect("Location URL").to_string();
                }
                None => {
                    let body = resp.text().await.unwrap_or_default();
                    match auto_post(&body).filter(|_| posts_forms) {
                        Some((action, fields)) if status == 200 => {
                            url = base.join(&action).expect("form action").to_string();
                            form = Some(fields);
                        }
                        _ => return (Ended::Page(status, body), None),
                    }
                }
            }
        }
        panic!("too many redirects");
    }
}

/// A page's self-posting form (`document.forms[0].submit()` on load: a SAML provider's answer,
/// a `response_mode=form_post` page): its action and hidden fields.
pub fn auto_post(html: &str) -> Option<(String, Vec<(String, String)>)> {
    if !html.contains("document.forms[0].submit()") {
        return None;
    }
    form_of(html)
}

/// A page's first form: its action and its fields (names and values, HTML entities decoded).
pub fn form_of(html: &str) -> Option<(String, Vec<(String, String)>)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
        let end = tag[start..].find('"')? + start;
        Some(crate::oauth_support::html_unescape(&tag[start..end]))
    };
    let form_tag = &html[html.find("<form")?..];
    let action = attr(&form_tag[..form_tag.find('>')?], "action")?;
    let fields = html
        .split("<input")
        .skip(1)
        .filter_map(|rest| {
            let tag = &rest[..rest.find('>')?];
            Some((attr(tag, "name")?, attr(tag, "value").unwrap_or_default()))
        })
        .collect();
    Some((action, fields))
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

/// The app's error description, where the browser ended at the app with
/// `error=invalid_request` and no code.
pub fn error_of(ended: &Ended) -> String {
    match ended {
        Ended::App(params) => {
            assert_eq!(
                params.get("error").map(String::as_str),
                Some("invalid_request")
            );
            assert!(!params.contains_key("code"));
            params.get("error_description").cloned().unwrap_or_default()
        }
        Ended::Page(status, body) => panic!("ended on a page ({status}): {body}"),
    }
}

/// The app's code, where the browser ended at the app.
pub fn code_of(ended: &Ended) -> &str {
    match ended {
        Ended::App(params) => params
            .get("code")
            .unwrap_or_else(|| panic!("no code at the app: {params:?}")),
        Ended::Page(status, body) => panic!("ended on a page ({status}): {body}"),
    }
}

/// The code's tokens at the token endpoint (public client): it must redeem, with an access
/// and a refresh token; returns the ID token's claims.
pub async fn redeem(
    h: &Harness,
    client: &str,
    ended: &Ended,
) -> serde_json::Map<String, serde_json::Value> {
    let code = code_of(ended).to_string();
    let resp = h
        .http
        .post(format!("{}/oauth2/token", h.url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", code.as_str()),
            ("redirect_uri", APP_REDIRECT),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(resp.status(), 200, "the app's code redeems");
    let tokens: serde_json::Value = resp.json().await.expect("token JSON");
    assert!(tokens["access_token"].is_string() && tokens["refresh_token"].is_string());
    let id_token = tokens["id_token"].as_str().expect("id_token");
    latchkey::userpool::jwt::peek_claims(id_token).expect("claims")
}
