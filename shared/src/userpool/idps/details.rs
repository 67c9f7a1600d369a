//! `ProviderDetails` per provider type: the keys each type requires and keeps, the fixed
//! endpoints Cognito fills in for the social providers, the checks on endpoint URLs, SAML
//! flags and Apple's signing key, and what Describe shows (Apple's `private_key` never).
//!
//! Keys a type does not use are dropped, and so are the endpoint keys of a social provider
//! (Describe shows Cognito's own, so a caller copying Describe's details back is not refused).

use crate::error::{ApiError, ApiResult};
use crate::userpool::model::{IdentityProvider, ProviderType};
use std::collections::BTreeMap;

/// Google's endpoints, as Cognito's Describe shows them.
const GOOGLE: &[(&str, &str)] = &[
    (
        "attributes_url",
        "https://people.googleapis.com/v1/people/me?personFields=",
    ),
    ("attributes_url_add_attributes", "true"),
    (
        "authorize_url",
        "https://accounts.google.com/o/oauth2/v2/auth",
    ),
    ("oidc_issuer", "https://accounts.google.com"),
    ("token_request_method", "POST"),
    ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
];

/// Login with Amazon's endpoints.
const AMAZON: &[(&str, &str)] = &[
    ("attributes_url", "https://api.amazon.com/user/profile"),
    ("attributes_url_add_attributes", "false"),
    ("authorize_url", "https://www.amazon.com/ap/oa"),
    ("token_request_method", "POST"),
    ("token_url", "https://api.amazon.com/auth/o2/token"),
];

/// Sign in with Apple's endpoints.
const APPLE: &[(&str, &str)] = &[
    ("attributes_url_add_attributes", "false"),
    ("authorize_url", "https://appleid.apple.com/auth/authorize"),
    ("oidc_issuer", "https://appleid.apple.com"),
    ("token_request_method", "POST"),
    ("token_url", "https://appleid.apple.com/auth/token"),
];

/// The OIDC endpoints a caller may give instead of discovery.
pub const OIDC_ENDPOINTS: &[&str] = &["authorize_url", "token_url", "attributes_url", "jwks_uri"];

/// The keys each type keeps from a request.
fn kept(t: ProviderType) -> &'static [&'static str] {
    match t {
        ProviderType::Google | ProviderType::LoginWithAmazon => {
            &["client_id", "client_secret", "authorize_scopes"]
        }
        ProviderType::Facebook => &[
            "client_id",
            "client_secret",
            "authorize_scopes",
            "api_version",
        ],
        ProviderType::SignInWithApple => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key",
            "authorize_scopes",
        ],
        ProviderType::Oidc => &[
            "client_id",
            "client_secret",
            "authorize_scopes",
            "attributes_request_method",
            "oidc_issuer",
            "authorize_url",
            "token_url",
            "attributes_url",
            "jwks_uri",
        ],
        ProviderType::Saml => &[
            "MetadataURL",
            "MetadataFile",
            "IDPSignout",
            "IDPInit",
            "EncryptedResponses",
            "RequestSigningAlgorithm",
        ],
    }
}

/// The keys a type requires, and Cognito's answer when one is missing.
fn required(t: ProviderType) -> (&'static [&'static str], &'static str) {
    match t {
        ProviderType::Google | ProviderType::LoginWithAmazon | ProviderType::Facebook => (
            &["client_id", "client_secret", "authorize_scopes"],
            "client_id, client_secret and authorize_scopes are all required idp details.",
        ),
        ProviderType::SignInWithApple => (
            &["client_id", "team_id", "key_id", "private_key", "authorize_scopes"],
            "client_id, team_id, key_id, private_key and authorize_scopes are all required idp details.",
        ),
        ProviderType::Oidc => (
            &["client_id", "authorize_scopes", "oidc_issuer", "attributes_request_method"],
            "client_id, authorize_scopes, oidc_issuer and attributes_request_method are all required idp details.",
        ),
        ProviderType::Saml => (&[], ""),
    }
}

/// Checks a request's `ProviderDetails` for a provider of type `t` and returns them as
/// stored: unknown keys dropped, a social provider's endpoints filled in. An OIDC provider's
/// missing endpoints are left for discovery (`super::discovery`).
pub fn checked(
    t: ProviderType,
    input: &BTreeMap<String, String>,
) -> ApiResult<BTreeMap<String, String>> {
    let mut out: BTreeMap<String, String> = kept(t)
        .iter()
        .filter_map(|k| {
            let v = input.get(*k)?.trim();
            (!v.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect();
    let (needed, missing) = required(t);
    if needed.iter().any(|k| !out.contains_key(*k)) {
        return Err(ApiError::invalid(missing));
    }
    let fixed = |out: &mut BTreeMap<String, String>, list: &[(&str, &str)]| {
        out.extend(list.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    };
    match t {
        ProviderType::Google => fixed(&mut out, GOOGLE),
        ProviderType::LoginWithAmazon => fixed(&mut out, AMAZON),
        ProviderType::SignInWithApple => {
            if apple_key_der(&out["private_key"]).is_none() {
                return Err(ApiError::invalid(
                    "private_key must be the PEM of an EC P-256 private key (PKCS #8).",
                ));
            }
            fixed(&mut out, APPLE);
        }
        ProviderType::Facebook => {
            let facebook = facebook_endpoints(out.get("api_version").map(String::as_str))?;
            fixed(&mut out, &facebook.each()[..]);
        }
        ProviderType::Oidc => {
            let method = &out["attributes_request_method"];
            if method != "GET" && method != "POST" {
                return Err(ApiError::invalid(
                    "attributes_request_method must be GET or POST.",
                ));
            }
            for key in std::iter::once("oidc_issuer").chain(OIDC_ENDPOINTS.iter().copied()) {
                if let Some(url) = out.get(key) {
                    check_url(key, url)?;
                }
            }
            out.insert("attributes_url_add_attributes".into(), "false".into());
        }
        ProviderType::Saml => saml(&out)?,
    }
    Ok(out)
}

/// Facebook's endpoints for a Graph API version (`v17.0`), or unversioned ones when none is
/// set (Facebook then answers with its oldest available version).
struct Facebook {
    attributes_url: String,
    authorize_url: String,
    token_url: String,
}

impl Facebook {
    fn each(&self) -> [(&str, &str); 5] {
        [
            ("attributes_url", &self.attributes_url),
            ("attributes_url_add_attributes", "true"),
            ("authorize_url", &self.authorize_url),
            ("token_request_method", "GET"),
            ("token_url", &self.token_url),
        ]
    }
}

fn facebook_endpoints(version: Option<&str>) -> ApiResult<Facebook> {
    let segment = match version {
        None => String::new(),
        Some(v) => {
            let digits = v.strip_prefix('v').unwrap_or_default();
            let ok = digits
                .split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !ok || digits.is_empty() {
                return Err(ApiError::invalid(format!(
                    "api_version {v} is not a Facebook Graph API version (such as v17.0)."
                )));
            }
            format!("/{v}")
        }
    };
    Ok(Facebook {
        attributes_url: format!("https://graph.facebook.com{segment}/me?fields="),
        authorize_url: format!("https://www.facebook.com{segment}/dialog/oauth"),
        token_url: format!("https://graph.facebook.com{segment}/oauth/access_token"),
    })
}

/// SAML details: one metadata source, `true`/`false` flags, the one signing algorithm.
fn saml(details: &BTreeMap<String, String>) -> ApiResult<()> {
    match (details.get("MetadataURL"), details.get("MetadataFile")) {
        (None, None) => {
            return Err(ApiError::invalid(
                "Either MetadataURL or MetadataFile is required.",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "Only one of MetadataURL or MetadataFile may be given.",
            ))
        }
        (Some(url), None) => check_url("MetadataURL", url)?,
        (None, Some(file)) => {
            if !file.trim_start().starts_with('<') || !file.contains("EntityDescriptor") {
                return Err(ApiError::invalid(
                    "MetadataFile is not a SAML metadata document.",
                ));
            }
        }
    }
    for flag in ["IDPSignout", "IDPInit", "EncryptedResponses"] {
        if details
            .get(flag)
            .is_some_and(|v| v != "true" && v != "false")
        {
            return Err(ApiError::invalid(format!("{flag} must be true or false.")));
        }
    }
    if details
        .get("RequestSigningAlgorithm")
        .is_some_and(|v| v != "rsa-sha256")
    {
        return Err(ApiError::invalid(
            "RequestSigningAlgorithm must be rsa-sha256.",
        ));
    }
    Ok(())
}

/// An endpoint URL must be https, except on a loopback host (`localhost`, `127.0.0.1`,
/// `[::1]`), so a provider on the same machine (a test, a local IdP) can use http.
pub fn check_url(key: &str, url: &str) -> ApiResult<()> {
    let bad = || ApiError::invalid(format!("{key} must be an https URL."));
    let parsed = url::Url::parse(url).map_err(|_| bad())?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let authority = url
                .strip_prefix("http://")
                .unwrap_or_default()
                .split(['/', '?', '#'])
                .next()
                .unwrap_or_default();
            if crate::identity::logins::is_loopback(authority) {
                Ok(())
            } else {
                Err(bad())
            }
        }
        _ => Err(bad()),
    }
}

/// The DER (PKCS #8) of an Apple signing key given as PEM, if it is an EC P-256 private key.
/// The federated sign-in signs Apple's client-secret JWT with it.
pub fn apple_key_der(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body: String = pem
        .trim()
        .strip_prefix("-----BEGIN PRIVATE KEY-----")?
        .strip_suffix("-----END PRIVATE KEY-----")?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()?;
    aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &der,
    )
    .ok()?;
    Some(der)
}

/// Details keys with this prefix are Latchkey's own (a SAML provider's decryption key and
/// fetched metadata): stored, never described.
pub const HIDDEN_PREFIX: &str = "latchkey:";

/// The details as Describe shows them: everything stored but Apple's `private_key`
/// (Cognito's Describe leaves it out; `client_secret` it shows) and Latchkey's own hidden keys
/// (a SAML provider's decryption key and fetched metadata).
pub fn described(idp: &IdentityProvider) -> BTreeMap<String, String> {
    let mut shown = idp.details.clone();
    shown.retain(|k, _| !k.starts_with(HIDDEN_PREFIX));
    if idp.provider_type == ProviderType::SignInWithApple {
        shown.remove("private_key");
    }
    shown
}
