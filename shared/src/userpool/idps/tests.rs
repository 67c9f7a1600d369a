//! The checks of `ProviderDetails` per type, and linking on an App over an in-memory store
//! (the sign-in flow's [`super::linked_user`] finds a linked user).

use super::details::{apple_key_der, check_url, checked, described};
use crate::clock::SystemClock;
use crate::protocol::dispatch;
use crate::userpool::model::{IdentityProvider, ProviderType};
use crate::App;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

const APPLE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgA32Cn5IxjupBlaOf
saRVDqeBkqm0qijNfBvPvMYx/yehRANCAATH0VyrVBY/IiK6DUZMWNeoo/FNazvN
UKMb/a3p5oc8LbbNxaOcAqiK8AaXbztEIdRiKTYC1thL5jFvMx36bEBy
-----END PRIVATE KEY-----";

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn refusal(t: ProviderType, pairs: &[(&str, &str)]) -> String {
    checked(t, &map(pairs)).unwrap_err().message
}

#[test]
fn social_details_need_their_keys_and_get_cognitos_endpoints() {
    let base = [
        ("client_id", "c"),
        ("client_secret", "s"),
        ("authorize_scopes", "email"),
    ];
    let google = checked(ProviderType::Google, &map(&base)).unwrap();
    assert_eq!(google["token_request_method"], "POST");
    assert_eq!(
        google["attributes_url"],
        "https://people.googleapis.com/v1/people/me?personFields="
    );
    // A caller's endpoint for a social provider does not replace Cognito's.
    let mut own = base.to_vec();
    own.push(("token_url", "https://evil.example/token"));
    own.push(("extra", "dropped"));
    let google = checked(ProviderType::Google, &map(&own)).unwrap();
    assert_eq!(
        google["token_url"],
        "https://www.googleapis.com/oauth2/v4/token"
    );
    assert!(!google.contains_key("extra"));
    assert_eq!(
        refusal(ProviderType::LoginWithAmazon, &base[..2]),
        "client_id, client_secret and authorize_scopes are all required idp details."
    );
    let facebook = checked(ProviderType::Facebook, &map(&base)).unwrap();
    assert_eq!(
        facebook["authorize_url"],
        "https://www.facebook.com/dialog/oauth"
    );
    let mut versioned = base.to_vec();
    versioned.push(("api_version", "17.0"));
    assert!(refusal(ProviderType::Facebook, &versioned).contains("api_version 17.0"));
}

#[test]
fn apple_keys_must_be_p256_pkcs8_and_describe_hides_them() {
    assert!(apple_key_der(APPLE_KEY).is_some());
    assert!(apple_key_der("1EXAMPLE").is_none());
    let truncated = APPLE_KEY.replace(
        "UKMb/a3p5oc8LbbNxaOcAqiK8AaXbztEIdRiKTYC1thL5jFvMx36bEBy\n",
        "",
    );
    assert!(apple_key_der(&truncated).is_none());
    let details = checked(
        ProviderType::SignInWithApple,
        &map(&[
            ("client_id", "com.example"),
            ("team_id", "T"),
            ("key_id", "K"),
            ("private_key", APPLE_KEY),
            ("authorize_scopes", "email"),
        ]),
    )
    .unwrap();
    let idp = IdentityProvider {
        pool_id: "us-east-1_a".into(),
        name: "SignInWithApple".into(),
        provider_type: ProviderType::SignInWithApple,
        details,
        attribute_mapping: BTreeMap::new(),
        idp_identifiers: vec![],
        created_ms: 0,
        modified_ms: 0,
    };
    let shown = described(&idp);
    assert!(!shown.contains_key("private_key"));
    assert_eq!(shown["token_url"], "https://appleid.apple.com/auth/token");
    assert!(!format!("{idp:?}").contains("MIGHAgEA"));
}

#[test]
fn endpoints_are_https_unless_on_loopback() {
    for ok in [
        "https://idp.example.com",
        "http://localhost:8080/x",
        "http://127.0.0.1:9",
        "http://[::1]:5000/a?b",
    ] {
        assert!(check_url("oidc_issuer", ok).is_ok(), "{ok}");
    }
    for bad in [
        "http://idp.example.com",
        "http://localhost.attacker.example/",
        "http://127.0.0.1.nip.io",
        "ftp://idp.example.com",
        "idp.example.com",
        "https://",
    ] {
        assert_eq!(
            check_url("oidc_issuer", bad).unwrap_err().message,
            "oidc_issuer must be an https URL.",
            "{bad}"
        );
    }
}

#[test]
fn saml_needs_one_metadata_source_and_boolean_flags() {
    let file = "<md:EntityDescriptor entityID=\"x\"/>";
    let kept = checked(
        ProviderType::Saml,
        &map(&[("MetadataFile", file), ("IDPInit", "false")]),
    )
    .unwrap();
    assert_eq!(kept.len(), 2);
    assert_eq!(
        refusal(
            ProviderType::Saml,
            &[("MetadataFile", file), ("MetadataURL", "https://x")]
        ),
        "Only one of MetadataURL or MetadataFile may be given."
    );
    assert_eq!(
        refusal(ProviderType::Saml, &[("MetadataFile", "not xml")]),
        "MetadataFile is not a SAML metadata document."
    );
    assert_eq!(
        refusal(
            ProviderType::Saml,
            &[
                ("MetadataURL", "https://x"),
                ("RequestSigningAlgorithm", "rsa-sha1")
            ]
        ),
        "RequestSigningAlgorithm must be rsa-sha256."
    );
}

fn app() -> App {
    App::in_memory(Arc::new(SystemClock))
}

async fn call(app: &App, op: &str, body: serde_json::Value) -> serde_json::Value {
    dispatch(app, op, body.to_string().as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{op}: {e}"))
}

#[tokio::test]
async fn the_sign_in_finds_a_linked_user() {
    let app = app();
    let pool = call(&app, "CreateUserPool", json!({"PoolName": "p"})).await;
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    call(
        &app,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool_id, "ProviderName": "Google", "ProviderType": "Google",
               "ProviderDetails": {"client_id": "c", "client_secret": "s",
                                   "authorize_scopes": "email"}}),
    )
    .await;
    call(
        &app,
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "ann", "MessageAction": "SUPPRESS"}),
    )
    .await;
    let pool = crate::userpool::pools::load_pool(&app, &pool_id)
        .await
        .unwrap();
    assert!(super::linked_user(&app, &pool, "Google", "g-1")
        .await
        .unwrap()
        .is_none());
    call(
        &app,
        "AdminLinkProviderForUser",
        json!({"UserPoolId": pool_id,
               "DestinationUser": {"ProviderName": "Cognito", "ProviderAttributeValue": "ann"},
               "SourceUser": {"ProviderName": "Google", "ProviderAttributeName": "Cognito_Subject",
                              "ProviderAttributeValue": "g-1"}}),
    )
    .await;
    let found = super::linked_user(&app, &pool, "Google", "g-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.username, "ann");
}
