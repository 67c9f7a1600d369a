//! OIDC and SAML providers through the AWS SDK: endpoints discovered from the issuer's
//! `/.well-known/openid-configuration` (served by the test on loopback) or given, https
//! required elsewhere, a failed discovery refused; SAML details checked and kept.

use crate::common;
use crate::identity_providers::{create, details};

use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;
use axum::routing::get;
use axum::{Json, Router};
use common::{assert_api_error, Harness};
use serde_json::json;
use std::collections::HashMap;

/// An issuer on loopback serving only its discovery document; `http://127.0.0.1:PORT`.
async fn discovery_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let doc = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "userinfo_endpoint": format!("{issuer}/userinfo"),
        "jwks_uri": format!("{issuer}/jwks"),
    });
    let app = Router::new().route(
        "/.well-known/openid-configuration",
        get(move || {
            let doc = doc.clone();
            async move { Json(doc) }
        }),
    );
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (issuer, task)
}

fn oidc(issuer: &str) -> HashMap<String, String> {
    details(&[
        ("client_id", "corp-client"),
        ("client_secret", "corp-secret"),
        ("authorize_scopes", "openid email"),
        ("attributes_request_method", "GET"),
        ("oidc_issuer", issuer),
    ])
}

#[tokio::test]
async fn oidc_endpoints_are_discovered_from_the_issuer() {
    let h = Harness::start().await;
    let pool = h.create_pool("idp-oidc").await;
    let (issuer, server) = discovery_server().await;
    let corp = create(
        &h,
        &pool,
        "Corp",
        IdentityProviderTypeType::Oidc,
        oidc(&issuer),
    )
    .await;
    let d = corp.provider_details().unwrap();
    assert_eq!(d["authorize_url"], format!("{issuer}/authorize"));
    assert_eq!(d["token_url"], format!("{issuer}/token"));
    assert_eq!(d["attributes_url"], format!("{issuer}/userinfo"));
    assert_eq!(d["jwks_uri"], format!("{issuer}/jwks"));
    assert_eq!(d["attributes_url_add_attributes"], "false");
    assert_eq!(d["client_secret"], "corp-secret");
    assert_eq!(corp.attribute_mapping().unwrap()["username"], "sub");

    // A given endpoint wins over the document's.
    let mut given = oidc(&issuer);
    given.insert("token_url".into(), "https://tokens.example.com/t".into());
    let other = create(&h, &pool, "Corp2", IdentityProviderTypeType::Oidc, given).await;
    let d = other.provider_details().unwrap();
    assert_eq!(d["token_url"], "https://tokens.example.com/t");
    assert_eq!(d["jwks_uri"], format!("{issuer}/jwks"));
    server.abort();
    let _ = server.await;

    // All four given: nothing is fetched (this issuer does not resolve).
    let mut all = oidc("https://idp.invalid");
    for (k, v) in [
        ("authorize_url", "https://idp.invalid/a"),
        ("token_url", "https://idp.invalid/t"),
        ("attributes_url", "https://idp.invalid/u"),
        ("jwks_uri", "https://idp.invalid/k"),
    ] {
        all.insert(k.into(), v.into());
    }
    create(&h, &pool, "Manual", IdentityProviderTypeType::Oidc, all).await;

    let refused = |name: &str, d: HashMap<String, String>| {
        h.idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name(name)
            .provider_type(IdentityProviderTypeType::Oidc)
            .set_provider_details(Some(d))
            .send()
    };
    // The server is gone: discovery fails.
    assert_api_error(
        refused("Gone", oidc(&issuer)).await,
        "InvalidParameterException",
        &format!(
            "Unable to read the OpenID Connect discovery document of issuer {issuer}. \
             Set authorize_url, token_url, attributes_url and jwks_uri, or check oidc_issuer."
        ),
    );
    assert_api_error(
        refused("Plain", oidc("http://idp.example.com")).await,
        "InvalidParameterException",
        "oidc_issuer must be an https URL.",
    );
    let mut put = oidc(&issuer);
    put.insert("attributes_request_method".into(), "PUT".into());
    assert_api_error(
        refused("Put", put).await,
        "InvalidParameterException",
        "attributes_request_method must be GET or POST.",
    );
    assert_api_error(
        refused("Bare", details(&[("client_id", "x")])).await,
        "InvalidParameterException",
        "client_id, authorize_scopes, oidc_issuer and attributes_request_method are all required idp details.",
    );
    // An update whose discovery fails changes nothing.
    assert_api_error(
        h.idp
            .update_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Corp")
            .set_provider_details(Some(oidc(&issuer)))
            .send()
            .await,
        "InvalidParameterException",
        &format!(
            "Unable to read the OpenID Connect discovery document of issuer {issuer}. \
             Set authorize_url, token_url, attributes_url and jwks_uri, or check oidc_issuer."
        ),
    );
    let kept = h
        .idp
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .unwrap();
    assert_eq!(
        kept.identity_provider()
            .unwrap()
            .provider_details()
            .unwrap()["token_url"],
        format!("{issuer}/token")
    );
}

#[tokio::test]
async fn saml_details_are_checked_and_kept() {
    let h = Harness::start().await;
    let pool = h.create_pool("idp-saml").await;
    let metadata = r#"<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>MIIBAA==</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#;
    let saml = create(
        &h,
        &pool,
        "Okta",
        IdentityProviderTypeType::Saml,
        details(&[
            ("MetadataFile", metadata),
            ("IDPSignout", "true"),
            ("RequestSigningAlgorithm", "rsa-sha256"),
            ("unknown_key", "dropped"),
        ]),
    )
    .await;
    let d = saml.provider_details().unwrap();
    assert_eq!(d["MetadataFile"], metadata);
    assert_eq!(d["IDPSignout"], "true");
    // Read from the metadata, as Cognito's Describe shows it (no single logout in it).
    assert_eq!(d["SSORedirectBindingURI"], "https://idp.example.com/sso");
    assert!(!d.contains_key("SLORedirectBindingURI"));
    assert!(!d.contains_key("unknown_key"));
    assert!(saml
        .attribute_mapping()
        .unwrap_or(&HashMap::new())
        .is_empty());
    let refused = |d: HashMap<String, String>| {
        h.idp
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Other")
            .provider_type(IdentityProviderTypeType::Saml)
            .set_provider_details(Some(d))
            .send()
    };
    assert_api_error(
        refused(details(&[("IDPInit", "true")])).await,
        "InvalidParameterException",
        "Either MetadataURL or MetadataFile is required.",
    );
    assert_api_error(
        refused(details(&[
            ("MetadataURL", "https://idp.example.com/m"),
            ("IDPInit", "yes"),
        ]))
        .await,
        "InvalidParameterException",
        "IDPInit must be true or false.",
    );
    assert_api_error(
        refused(details(&[("MetadataURL", "ftp://idp.example.com/m")])).await,
        "InvalidParameterException",
        "MetadataURL must be an https URL.",
    );
}
