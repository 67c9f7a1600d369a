//! The OAuth members' checks, with Cognito's error types and texts.

use super::*;
use serde_json::{json, Value};

fn settings(members: Value, has_secret: bool) -> ApiResult<OAuthSettings> {
    let input: OAuthInput = serde_json::from_value(members).unwrap();
    oauth_settings(input, has_secret)
}

fn refused(members: Value, has_secret: bool) -> (ErrorKind, String) {
    let e = settings(members, has_secret).unwrap_err();
    (e.kind, e.message)
}

#[test]
fn nothing_sent_is_oauth_off() {
    assert_eq!(
        settings(json!({}), false).unwrap(),
        OAuthSettings::default()
    );
}

#[test]
fn a_browser_client_is_read_into_the_settings() {
    let s = settings(
        json!({
            "CallbackURLs": ["https://app.example/cb", "http://localhost:3000/cb",
                             "http://127.0.0.1:8080", "http://[::1]:5000/x", "myapp://cb",
                             "https://app.example/cb"],
            "LogoutURLs": ["https://app.example/bye"],
            "DefaultRedirectURI": "myapp://cb",
            "AllowedOAuthFlows": ["code", "implicit", "code"],
            "AllowedOAuthScopes": ["openid", "email", "api.example/read"],
            "AllowedOAuthFlowsUserPoolClient": true,
            "SupportedIdentityProviders": ["COGNITO"],
        }),
        false,
    )
    .unwrap();
    assert!(s.enabled);
    assert_eq!(s.flows, [OAuthFlow::Code, OAuthFlow::Implicit]);
    assert!(s.allows(OAuthFlow::Code) && !s.allows(OAuthFlow::ClientCredentials));
    assert_eq!(s.scopes, ["openid", "email", "api.example/read"]);
    assert_eq!(
        s.callback_urls.len(),
        5,
        "repeats dropped: {:?}",
        s.callback_urls
    );
    assert_eq!(s.logout_urls, ["https://app.example/bye"]);
    assert_eq!(s.default_redirect_uri.as_deref(), Some("myapp://cb"));
    assert_eq!(s.identity_providers, ["COGNITO"]);
}

#[test]
fn urls_must_be_absolute_https_or_loopback_and_without_fragment() {
    let cb = |u: &str| refused(json!({"CallbackURLs": [u]}), false);
    assert_eq!(
        cb("http://app.example/cb"),
        (
            ErrorKind::InvalidParameter,
            "http://app.example/cb cannot use the HTTP protocol.".into()
        )
    );
    assert_eq!(
        cb("http://localhost.evil.example/cb").1,
        "http://localhost.evil.example/cb cannot use the HTTP protocol."
    );
    assert_eq!(
        cb("http://127.0.0.2/cb").1,
        "http://127.0.0.2/cb cannot use the HTTP protocol."
    );
    assert_eq!(
        cb("https://app.example/cb#top"),
        (
            ErrorKind::InvalidParameter,
            "https://app.example/cb#top cannot use fragment".into()
        )
    );
    for relative in [
        "/cb",
        "app.example/cb",
        "https:",
        "https:///cb",
        "1app://cb",
    ] {
        assert_eq!(cb(relative).0, ErrorKind::InvalidParameter, "{relative}");
    }
    let logout = refused(json!({"LogoutURLs": ["http://app.example/"]}), false);
    assert_eq!(
        logout.1,
        "http://app.example/ cannot use the HTTP protocol."
    );
    assert!(check_url("http://user@localhost:8080/cb?x=1").is_ok());
    assert!(check_url("HTTP://LOCALHOST/cb").is_ok());
}

#[test]
fn url_lists_keep_cognito_limits() {
    let many: Vec<String> = (0..101).map(|i| format!("https://a.example/{i}")).collect();
    let (kind, message) = refused(json!({"CallbackURLs": many}), false);
    assert_eq!(kind, ErrorKind::InvalidParameter);
    assert!(message.contains("'callbackURLs'"), "{message}");
    let long = format!("https://a.example/{}", "x".repeat(1024));
    let (_, message) = refused(json!({"LogoutURLs": [long]}), false);
    assert!(message.contains("'logoutURLs'"), "{message}");
}

#[test]
fn the_default_redirect_must_be_a_callback() {
    assert_eq!(
        refused(
            json!({"CallbackURLs": ["https://a.example/cb"], "DefaultRedirectURI": "https://b.example/cb"}),
            false
        ),
        (
            ErrorKind::InvalidParameter,
            "The default redirect URI https://b.example/cb is not in the callback URIs list."
                .into()
        )
    );
}

#[test]
fn flows_are_checked_like_cognito() {
    let (kind, message) = refused(json!({"AllowedOAuthFlows": ["token"]}), false);
    assert_eq!(kind, ErrorKind::InvalidParameter);
    assert!(
        message
            .ends_with("Member must satisfy enum value set: [code, implicit, client_credentials]]"),
        "{message}"
    );
    assert_eq!(
        refused(
            json!({"AllowedOAuthFlows": ["client_credentials", "code"], "CallbackURLs": ["https://a.example"]}),
            true
        ),
        (
            ErrorKind::InvalidOAuthFlow,
            "client_credentials flow can not be selected along with code flow or implicit flow."
                .into()
        )
    );
    assert_eq!(
        refused(json!({"AllowedOAuthFlows": ["client_credentials"]}), false),
        (
            ErrorKind::InvalidOAuthFlow,
            "client_credentials flow can not be selected if client does not have a client secret."
                .into()
        )
    );
    assert_eq!(
        refused(
            json!({"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["openid"]}),
            true
        ),
        (
            ErrorKind::InvalidOAuthFlow,
            "openid is not supported with client_credentials flow".into()
        )
    );
    assert_eq!(
        refused(json!({"AllowedOAuthFlows": ["implicit"]}), false),
        (
            ErrorKind::InvalidOAuthFlow,
            "CallbackUrls can not be empty when code flow or implicit flow is selected".into()
        )
    );
    let machine = settings(
        json!({"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["api/write"],
               "AllowedOAuthFlowsUserPoolClient": true}),
        true,
    )
    .unwrap();
    assert!(machine.allows(OAuthFlow::ClientCredentials));
}

#[test]
fn oauth_on_needs_flows_and_scopes() {
    let needs = (
        ErrorKind::InvalidOAuthFlow,
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.".to_string(),
    );
    assert_eq!(
        refused(json!({"AllowedOAuthFlowsUserPoolClient": true}), false),
        needs
    );
    assert_eq!(
        refused(
            json!({"AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["code"],
                   "CallbackURLs": ["https://a.example"]}),
            false
        ),
        needs
    );
}

#[test]
fn scopes_are_standard_or_resource_server_ones() {
    for bad in ["Cognito", "admin", "/read", "api/"] {
        assert_eq!(
            refused(json!({"AllowedOAuthScopes": [bad]}), false),
            (
                ErrorKind::ScopeDoesNotExist,
                format!("Invalid scope requested: {bad}")
            )
        );
    }
    let all = settings(json!({"AllowedOAuthScopes": STANDARD_SCOPES}), false).unwrap();
    assert_eq!(all.scopes, STANDARD_SCOPES);
}

#[test]
fn providers_are_kept_once_for_the_operation_to_check() {
    let got = settings(
        json!({"SupportedIdentityProviders": ["COGNITO", "Google", "COGNITO"]}),
        false,
    )
    .unwrap();
    assert_eq!(got.identity_providers, ["COGNITO", "Google"]);
}
