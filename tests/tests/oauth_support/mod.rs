//! Helpers of the OAuth black-box tests: an OAuth app client made through the SDK, a
//! "browser" (reqwest without redirects, with its own cookie jar) that walks the authorize
//! redirect and the login form as a person would, and PKCE.
#![allow(dead_code)] // Not every test uses every helper.

use crate::common::Harness;
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, UserPoolClientType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The redirect URI the tests register (a loopback host: http is allowed).
pub const CALLBACK: &str = "http://localhost:3000/callback";
/// The sign-out URL the tests register.
pub const SIGNED_OUT: &str = "http://localhost:3000/signed-out";

/// An OAuth client: code flow, openid/email/profile, the test callback and sign-out URLs.
pub async fn oauth_client(h: &Harness, pool: &str, secret: bool) -> UserPoolClientType {
    h.create_client_with(pool, |b| {
        b.generate_secret(secret)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(OAuthFlowType::Code)
            .allowed_o_auth_scopes("openid")
            .allowed_o_auth_scopes("email")
            .allowed_o_auth_scopes("profile")
            .callback_urls(CALLBACK)
            .logout_urls(SIGNED_OUT)
            .supported_identity_providers("COGNITO")
    })
    .await
}

/// A PKCE pair (verifier, S256 challenge).
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "{}{}",
        latchkey::random::uuid_v4(&latchkey::random::Csprng),
        latchkey::random::uuid_v4(&latchkey::random::Csprng)
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// One response: status, headers that matter, body.
pub struct Answer {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    /// A query parameter of the `Location`.
    pub fn location_param(&self, name: &str) -> Option<String> {
        let loc = self.location.as_deref()?;
        let query = loc.split_once('?')?.1;
        form_urlencoded_pairs(query).remove(name)
    }

    /// The value of a hidden input of the page's form.
    pub fn hidden(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(html_unescape(&self.body[start..end]))
    }

    /// The action of the page's form (unescaped).
    pub fn form_action(&self) -> Option<String> {
        let marker = "<form method=\"post\" action=\"";
        let start = self.body.find(marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(html_unescape(&self.body[start..end]))
    }
}

/// HTML entities of attribute values decoded (the ones pages and self-posting forms use).
pub fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// `a=b&c=d` decoded.
pub fn form_urlencoded_pairs(query: &str) -> HashMap<String, String> {
    url_pairs(query).into_iter().collect()
}

fn url_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Encodes pairs as a form body / query.
pub fn encode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&enc(k));
        out.push('=');
        out.push_str(&enc(v));
    }
    out
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A browser: follows nothing by itself, keeps cookies.
pub struct Browser {
    base: String,
    http: reqwest::Client,
    pub cookies: HashMap<String, String>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("reqwest client"),
            cookies: HashMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn answer(&mut self, resp: reqwest::Response) -> Answer {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        for c in headers.get_all(reqwest::header::SET_COOKIE) {
            let text = c.to_str().unwrap_or_default();
            let first = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || text.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp.text().await.unwrap_or_default();
        Answer {
            status,
            location,
            body,
            headers,
        }
    }

    /// GET a path (or a full URL on this server).
    pub async fn get(&mut self, path: &str) -> Answer {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let resp = self
            .http
            .get(url)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("GET");
        self.answer(resp).await
    }

    /// POST a form to a path.
    pub async fn post_form(&mut self, path: &str, pairs: &[(&str, &str)]) -> Answer {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(pairs))
            .send()
            .await
            .expect("POST");
        self.answer(resp).await
    }

    /// `/oauth2/authorize` with `params`, then the login form with `username`/`password`:
    /// the last answer (a redirect to the client on success).
    pub async fn sign_in(
        &mut self,
        params: &[(&str, &str)],
        username: &str,
        password: &str,
    ) -> Answer {
        let authorize = self
            .get(&format!("/oauth2/authorize?{}", encode(params)))
            .await;
        assert_eq!(authorize.status, 302, "authorize: {}", authorize.body);
        let login_path = authorize.location.clone().expect("authorize redirects");
        assert!(
            login_path.starts_with("/login?"),
            "to the login page: {login_path}"
        );
        let form = self.get(&login_path).await;
        assert_eq!(form.status, 200, "login page: {}", form.body);
        let csrf = form.hidden("_csrf").expect("the form carries a CSRF token");
        let action = form.form_action().expect("a form");
        self.post_form(
            &action,
            &[
                ("_csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }
}

/// POST to the token endpoint; (status, JSON).
pub async fn token_request(
    base: &str,
    pairs: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, serde_json::Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs));
    if let Some((id, secret)) = basic {
        req = req.basic_auth(id, Some(secret));
    }
    let resp = req.send().await.expect("token request");
    let status = resp.status().as_u16();
    let body = resp.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

/// Redeems a public client's `code` with its PKCE `verifier` at the token endpoint.
pub async fn redeem(
    base: &str,
    client: &str,
    code: &str,
    verifier: &str,
) -> (u16, serde_json::Value) {
    let pairs = [
        ("grant_type", "authorization_code"),
        ("client_id", client),
        ("code", code),
        ("redirect_uri", CALLBACK),
        ("code_verifier", verifier),
    ];
    token_request(base, &pairs, None).await
}

/// A CONFIRMED user with [`crate::common::PASSWORD`] (AdminCreateUser without a message,
/// then a permanent AdminSetUserPassword) and these attributes.
pub async fn permanent_user(h: &Harness, pool: &str, username: &str, attributes: &[(&str, &str)]) {
    use aws_sdk_cognitoidentityprovider::types::{AttributeType, MessageActionType};
    let mut create = h
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(username)
        .message_action(MessageActionType::Suppress);
    for (name, value) in attributes {
        create = create.user_attributes(
            AttributeType::builder()
                .name(*name)
                .value(*value)
                .build()
                .unwrap(),
        );
    }
    create.send().await.expect("AdminCreateUser");
    h.idp
        .admin_set_user_password()
        .user_pool_id(pool)
        .username(username)
        .password(crate::common::PASSWORD)
        .permanent(true)
        .send()
        .await
        .expect("AdminSetUserPassword");
}
