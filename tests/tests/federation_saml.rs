//! Federated sign-in to a user pool through a SAML 2.0 identity provider: the real samlify IdP
//! (`tests/clients/node/saml_idp.mjs`, run by the test) with a hand-played browser that posts
//! the IdP's self-submitting forms as a browser would.
//!
//! - SP-initiated: the AuthnRequest Latchkey signs with the pool's key (the IdP verifies it
//!   against GetSigningCertificate), the signed assertion back at `/saml2/idpresponse`, the
//!   federated user as Cognito makes it, mapped attributes, and single logout through
//!   `/saml2/logout` (the IdP verifies the signed LogoutRequest; its signed LogoutResponse
//!   brings the browser to the app's logout URL).
//! - Encrypted assertions (`EncryptedResponses`, the IdP encrypting to
//!   `ActiveEncryptionCertificate`) inside a signed response.
//! - IdP-initiated sign-in: only with `IDPInit`, only for a client offering SAML providers only,
//!   and each assertion once.
//! - Refusals: a tampered assertion, a response answering another request, metadata without
//!   what sign-in needs.

use crate::common::Harness;
use crate::federation_support::saml_idp::{self, SamlIdp, SamlUser};
use crate::federation_support::{
    auto_post, code_of, error_of, offering_client, redeem, Browser, Ended, APP_REDIRECT,
};
use crate::real_clients::{clients_present, repo_root};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, UserStatusType};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;
use std::collections::HashMap;

/// The provider's name in the pool.
const PROVIDER: &str = "MySAML";
/// Cognito's words for a response it does not believe.
const INVALID: &str = "Invalid samlResponse or relayState from identity provider";

fn present() -> bool {
    let modules = repo_root().join("tests/clients/node/node_modules/samlify");
    clients_present("samlify", &[modules, saml_idp::script()])
}

/// A pool with the SAML provider (`details` beside its MetadataURL) and a client offering
/// `providers`; returns (pool, client).
async fn saml_pool(
    h: &Harness,
    idp: &SamlIdp,
    details: &[(&str, &str)],
    providers: &[&str],
) -> (String, String) {
    let pool = h.create_pool("saml").await;
    let mut provider_details =
        HashMap::from([("MetadataURL".to_string(), idp.metadata_url.clone())]);
    for (k, v) in details {
        provider_details.insert(k.to_string(), v.to_string());
    }
    h.idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name(PROVIDER)
        .provider_type(IdentityProviderTypeType::Saml)
        .set_provider_details(Some(provider_details))
        .attribute_mapping("email", "email")
        .attribute_mapping("name", "displayName")
        .attribute_mapping("custom:groups", "groups")
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateIdentityProvider failed: {e:?}"));
    let client = client_for(h, &pool, providers).await;
    (pool, client)
}

async fn client_for(h: &Harness, pool: &str, providers: &[&str]) -> String {
    offering_client(h, pool, providers, APP_REDIRECT).await
}

/// A server, the IdP, and a pool with the provider (`details` beside its MetadataURL), the
/// custom attribute the mapping names, and a client offering the provider only; None (after a
/// note) when samlify is not installed.
async fn setup(details: &[(&str, &str)]) -> Option<(Harness, SamlIdp, String, String)> {
    if !present() {
        return None;
    }
    let h = Harness::start().await;
    let idp = SamlIdp::start();
    let (pool, client) = saml_pool(&h, &idp, details, &[PROVIDER]).await;
    add_groups_attribute(&h, &pool).await;
    Some((h, idp, pool, client))
}

/// The custom attribute the tests map a multi-valued SAML attribute to.
async fn add_groups_attribute(h: &Harness, pool: &str) {
    h.idp
        .add_custom_attributes()
        .user_pool_id(pool)
        .custom_attributes(
            aws_sdk_cognitoidentityprovider::types::SchemaAttributeType::builder()
                .name("groups")
                .attribute_data_type(
                    aws_sdk_cognitoidentityprovider::types::AttributeDataType::String,
                )
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .expect("AddCustomAttributes");
}

async fn signing_cert(h: &Harness, pool: &str) -> String {
    h.idp
        .get_signing_certificate()
        .user_pool_id(pool)
        .send()
        .await
        .expect("GetSigningCertificate")
        .certificate
        .expect("Certificate")
}

async fn described(h: &Harness, pool: &str) -> HashMap<String, String> {
    h.idp
        .describe_identity_provider()
        .user_pool_id(pool)
        .provider_name(PROVIDER)
        .send()
        .await
        .expect("DescribeIdentityProvider")
        .identity_provider
        .and_then(|p| p.provider_details)
        .expect("ProviderDetails")
}

fn jane() -> SamlUser<'static> {
    SamlUser {
        name_id: "jane@corp.example",
        session_index: "_session-jane-1",
        attributes: json!({
            "email": "jane@corp.example",
            "displayName": "Jane Doe",
            "groups": ["admins", "staff"],
        }),
    }
}

fn authorize(h: &Harness, client: &str) -> String {
    format!(
        "{}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri={APP_REDIRECT}&scope=openid+email&state=app-state&identity_provider={PROVIDER}",
        h.url()
    )
}

/// The IdP's self-posting form for `url` (its SSO or IdP-initiated endpoint).
async fn idp_form(url: &str) -> (String, Vec<(String, String)>) {
    let body = reqwest::get(url)
        .await
        .expect("IdP")
        .text()
        .await
        .expect("page");
    auto_post(&body).unwrap_or_else(|| panic!("no form from the IdP: {body}"))
}

#[tokio::test]
async fn a_saml_provider_signs_users_in_with_signed_requests_and_single_logout() {
    let details = [
        ("RequestSigningAlgorithm", "rsa-sha256"),
        ("IDPSignout", "true"),
    ];
    let Some((h, idp, pool, client)) = setup(&details).await else {
        return;
    };
    let shown = described(&h, &pool).await;
    assert_eq!(shown["SSORedirectBindingURI"], format!("{}/sso", idp.base));
    assert_eq!(shown["SLORedirectBindingURI"], format!("{}/slo", idp.base));
    assert!(
        shown.keys().all(|k| !k.starts_with("latchkey:")),
        "{shown:?}"
    );
    let cert = signing_cert(&h, &pool).await;
    idp.configure(h.url(), &pool, &cert, None, "assertion", &jane())
        .await;

    let mut browser = Browser::default();
    let ended = browser.go(&authorize(&h, &client)).await;
    let claims = redeem(&h, &client, &ended).await;
    assert_eq!(claims["cognito:username"], "mysaml_jane@corp.example");
    assert_eq!(claims["email"], "jane@corp.example");
    assert_eq!(claims["name"], "Jane Doe");
    assert_eq!(claims["custom:groups"], "[admins, staff]");
    let groups = claims["cognito:groups"].as_array().expect("groups");
    assert!(groups.contains(&json!(format!("{pool}_{PROVIDER}"))));
    let identities = &claims["identities"];
    assert_eq!(identities[0]["providerType"], "SAML");
    assert_eq!(identities[0]["providerName"], PROVIDER);
    assert_eq!(identities[0]["issuer"], idp.entity_id.as_str());
    assert_eq!(identities[0]["userId"], "jane@corp.example");
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("mysaml_jane@corp.example")
        .send()
        .await
        .expect("AdminGetUser");
    assert_eq!(user.user_status(), Some(&UserStatusType::ExternalProvider));

    // The IdP verified Latchkey's signature on the AuthnRequest.
    let log = idp.log().await;
    let request = &log["authn_requests"][0];
    assert_eq!(request["signature_verified"], true);
    assert_eq!(request["issuer"], format!("urn:amazon:cognito:sp:{pool}"));
    assert_eq!(request["acs_url"], format!("{}/saml2/idpresponse", h.url()));

    // Single logout: by the IdP (a signed LogoutRequest for Jane's session), back through
    // /saml2/logout, on to the app's logout URL.
    let logout = format!(
        "{}/logout?client_id={client}&logout_uri={APP_REDIRECT}",
        h.url()
    );
    let (_, slo) = browser
        .go_until(&logout, |u| u.starts_with(&idp.base))
        .await;
    let slo = slo.expect("to the IdP's single logout");
    assert!(
        slo.contains("Signature=") && slo.contains("SigAlg="),
        "{slo}"
    );
    let (action, fields) = idp_form(&slo).await;
    assert_eq!(action, format!("{}/saml2/logout", h.url()));
    match browser.post(&action, fields.clone()).await {
        Ended::App(params) => assert!(params.is_empty(), "{params:?}"),
        other => panic!("logout ended at {other:?}"),
    }
    let log = idp.log().await;
    let request = &log["logout_requests"][0];
    assert_eq!(request["signature_verified"], true);
    assert_eq!(request["name_id"], "jane@corp.example");
    // The logout response is single-use.
    match browser.post(&action, fields).await {
        Ended::Page(400, body) => assert!(body.contains("Invalid logout response."), "{body}"),
        other => panic!("a replayed logout response ended at {other:?}"),
    }
}

#[tokio::test]
async fn encrypted_assertions_in_signed_responses_sign_in_and_are_bound_to_their_request() {
    let Some((h, idp, pool, client)) = setup(&[("EncryptedResponses", "true")]).await else {
        return;
    };
    let shown = described(&h, &pool).await;
    let encryption = shown
        .get("ActiveEncryptionCertificate")
        .expect("ActiveEncryptionCertificate")
        .clone();
    assert!(STANDARD.decode(&encryption).is_ok_and(|der| der[0] == 0x30));
    let cert = signing_cert(&h, &pool).await;
    idp.configure(
        h.url(),
        &pool,
        &cert,
        Some(&encryption),
        "response",
        &jane(),
    )
    .await;

    // One browser's round trip: the IdP's form, posted by hand so it can be replayed.
    let mut browser = Browser::default();
    let (_, sso) = browser
        .go_until(&authorize(&h, &client), |u| u.starts_with(&idp.base))
        .await;
    let (action, fields) = idp_form(&sso.expect("to the IdP")).await;
    let response = fields
        .iter()
        .find(|(k, _)| k == "SAMLResponse")
        .expect("SAMLResponse");
    let xml = String::from_utf8(STANDARD.decode(&response.1).expect("base64")).expect("UTF-8");
    assert!(xml.contains("EncryptedAssertion") && !xml.contains("jane@corp.example"));
    let ended = browser.post(&action, fields.clone()).await;
    let claims = redeem(&h, &client, &ended).await;
    assert_eq!(claims["email"], "jane@corp.example");

    // The same response again: its round trip is spent.
    match browser.post(&action, fields.clone()).await {
        Ended::Page(400, body) => assert!(body.contains("Invalid state."), "{body}"),
        other => panic!("a replayed response ended at {other:?}"),
    }
    // Carried into a new round trip, it answers another request (InResponseTo).
    let (_, sso) = browser
        .go_until(&authorize(&h, &client), |u| u.starts_with(&idp.base))
        .await;
    let relay = reqwest::Url::parse(&sso.expect("to the IdP"))
        .expect("URL")
        .query_pairs()
        .find(|(k, _)| k == "RelayState")
        .map(|(_, v)| v.into_owned())
        .expect("RelayState");
    let carried: Vec<(String, String)> = fields
        .into_iter()
        .map(|(k, v)| {
            if k == "RelayState" {
                (k, relay.clone())
            } else {
                (k, v)
            }
        })
        .collect();
    assert_eq!(error_of(&browser.post(&action, carried).await), INVALID);
}

#[tokio::test]
async fn idp_initiated_sign_in_needs_idp_init_a_saml_only_client_and_a_fresh_assertion() {
    let Some((h, idp, pool, client)) = setup(&[("IDPInit", "true")]).await else {
        return;
    };
    let cert = signing_cert(&h, &pool).await;
    idp.configure(h.url(), &pool, &cert, None, "both", &jane())
        .await;
    let relay = |client: &str| {
        format!(
            "response_type=code&client_id={client}&redirect_uri={APP_REDIRECT}&scope=openid&identity_provider={PROVIDER}"
        )
    };
    let initiate = |client: &str| {
        let q: String = form_urlencoded(&[("RelayState", &relay(client))]);
        format!("{}/initiate?{q}", idp.base)
    };
    let (action, fields) = idp_form(&initiate(&client)).await;
    assert_eq!(action, format!("{}/saml2/idpresponse", h.url()));
    let mut browser = Browser::default();
    let ended = browser.post(&action, fields.clone()).await;
    code_of(&ended);

    // The same assertion a second time is a replay.
    assert_eq!(error_of(&browser.post(&action, fields).await), INVALID);

    // A client that also offers the pool's own sign-in takes no unsolicited assertion.
    let mixed = client_for(&h, &pool, &["COGNITO", PROVIDER]).await;
    let (action, fields) = idp_form(&initiate(&mixed)).await;
    assert_eq!(
        error_of(&Browser::default().post(&action, fields).await),
        INVALID
    );

    // Nor does a provider without IDPInit.
    h.idp
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name(PROVIDER)
        .provider_details("MetadataURL", &idp.metadata_url)
        .provider_details("IDPInit", "false")
        .send()
        .await
        .expect("UpdateIdentityProvider");
    let (action, fields) = idp_form(&initiate(&client)).await;
    assert_eq!(
        error_of(&Browser::default().post(&action, fields).await),
        INVALID
    );
}

fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
    let url = reqwest::Url::parse_with_params("http://x/", pairs).expect("URL");
    url.query().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_tampered_assertion_signs_no_one_in_and_bad_metadata_is_refused() {
    let Some((h, idp, pool, client)) = setup(&[]).await else {
        return;
    };
    let cert = signing_cert(&h, &pool).await;
    idp.configure(h.url(), &pool, &cert, None, "assertion", &jane())
        .await;
    let mut browser = Browser::default();
    let (_, sso) = browser
        .go_until(&authorize(&h, &client), |u| u.starts_with(&idp.base))
        .await;
    let (action, fields) = idp_form(&sso.expect("to the IdP")).await;
    let tampered: Vec<(String, String)> = fields
        .into_iter()
        .map(|(k, v)| {
            if k != "SAMLResponse" {
                return (k, v);
            }
            let xml = String::from_utf8(STANDARD.decode(&v).expect("base64")).expect("UTF-8");
            let forged = xml.replace("jane@corp.example", "admin@corp.example");
            (k, STANDARD.encode(forged))
        })
        .collect();
    assert_eq!(error_of(&browser.post(&action, tampered).await), INVALID);
    let users = h.idp.list_users().user_pool_id(&pool).send().await;
    assert!(users.expect("ListUsers").users().is_empty());

    // Metadata without a single sign-on endpoint, and a metadata URL that answers nothing.
    let no_sso = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#;
    for (key, value) in [
        ("MetadataFile", no_sso.to_string()),
        ("MetadataURL", format!("{}/nothing-here", idp.base)),
    ] {
        let err = h
            .idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Broken")
            .provider_type(IdentityProviderTypeType::Saml)
            .provider_details(key, value)
            .send()
            .await
            .expect_err("bad metadata");
        let service = err.into_service_error();
        assert!(service.is_invalid_parameter_exception(), "{service:?}");
    }
}

#[tokio::test]
async fn a_link_by_a_mapped_attribute_signs_the_idp_user_in_as_the_native_user() {
    let Some((h, idp, pool, client)) = setup(&[]).await else {
        return;
    };
    let cert = signing_cert(&h, &pool).await;
    idp.configure(h.url(), &pool, &cert, None, "assertion", &jane())
        .await;
    h.idp
        .admin_create_user()
        .user_pool_id(&pool)
        .username("boss")
        .send()
        .await
        .expect("AdminCreateUser");
    // Linked by the mapped `name` ("Jane Doe"), not by the NameID.
    link_to_boss(&h, &pool, "name").await;
    assert_eq!(signed_in_as(&h, &client).await, "boss");
    let users = h.idp.list_users().user_pool_id(&pool).send().await;
    assert_eq!(
        users.expect("ListUsers").users().len(),
        1,
        "no federated user was made"
    );
    // The same value under another attribute is not the link: unlinked, Jane signs in as her
    // own federated user.
    h.idp
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(provider_user(PROVIDER, Some("name"), "Jane Doe"))
        .send()
        .await
        .expect("AdminDisableProviderForUser");
    link_to_boss(&h, &pool, "email").await;
    assert_eq!(signed_in_as(&h, &client).await, "mysaml_jane@corp.example");
}

/// The username the IdP's user signs in as, through `client`.
async fn signed_in_as(h: &Harness, client: &str) -> serde_json::Value {
    let ended = Browser::default().go(&authorize(h, client)).await;
    redeem(h, client, &ended).await["cognito:username"].clone()
}

/// Links Jane's "Jane Doe", as the mapped pool `attribute`, to the native user `boss`.
async fn link_to_boss(h: &Harness, pool: &str, attribute: &str) {
    h.idp
        .admin_link_provider_for_user()
        .user_pool_id(pool)
        .destination_user(provider_user("Cognito", None, "boss"))
        .source_user(provider_user(PROVIDER, Some(attribute), "Jane Doe"))
        .send()
        .await
        .expect("AdminLinkProviderForUser");
}

fn provider_user(
    name: &str,
    attribute: Option<&str>,
    value: &str,
) -> aws_sdk_cognitoidentityprovider::types::ProviderUserIdentifierType {
    aws_sdk_cognitoidentityprovider::types::ProviderUserIdentifierType::builder()
        .provider_name(name)
        .set_provider_attribute_name(attribute.map(str::to_string))
        .provider_attribute_value(value)
        .build()
}
