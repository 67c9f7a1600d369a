//! SAML logins in identity pools (`SamlProviderARNs`) through `aws-sdk-cognitoidentity`: the
//! real samlify IdP (`tests/clients/node/saml_idp.mjs`) signs an IdP-initiated response for
//! AWS (audience `urn:amazon:webservices`), its metadata is registered as an IAM SAML provider
//! in moto, and Latchkey reads it back from IAM (`GetSAMLProvider`, SigV4) to check the
//! response. The identity follows the NameID; the credentials are for the role the assertion
//! names (proven by moto's STS); an assertion vends credentials once; a tampered one, or one
//! from a provider the pool does not list, gets nothing.

use crate::federation_support::auto_post;
use crate::federation_support::saml_idp::{self, SamlIdp, SamlUser};
use crate::identity_support::{self, assert_refused, role, sts, Env};
use crate::real_clients::{clients_present, repo_root};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use latchkey_server::ServerOptions;
use serde_json::json;

const NA: &str = "NotAuthorizedException";

/// Registers `metadata` as the IAM SAML provider `name` (in moto, through Latchkey's own IAM
/// client); returns its ARN.
async fn iam_saml_provider(name: &str, metadata: &str) -> String {
    let sdk = latchkey::sdk_http::load_config(identity_support::REGION)
        .await
        .expect("SDK config");
    let iam = latchkey::iam::IamSamlProviders::new(&sdk).expect("IAM client");
    let (status, body) = iam
        .query(&[
            ("Action", "CreateSAMLProvider"),
            ("Name", name),
            ("SAMLMetadataDocument", metadata),
        ])
        .await
        .expect("CreateSAMLProvider");
    assert_eq!(status, 200, "{body}");
    let start = body.find("<SAMLProviderArn>").expect("SAMLProviderArn") + 17;
    let end = body[start..].find('<').expect("end of ARN") + start;
    body[start..end].to_string()
}

/// A signed response for AWS from `idp`, IdP-initiated, as the IdP's form posts it.
async fn response_for_aws(idp: &SamlIdp) -> String {
    let body = reqwest::get(format!("{}/initiate?RelayState=", idp.base))
        .await
        .expect("IdP")
        .text()
        .await
        .expect("page");
    let (_, fields) = auto_post(&body).unwrap_or_else(|| panic!("no form: {body}"));
    fields
        .into_iter()
        .find(|(k, _)| k == "SAMLResponse")
        .map(|(_, v)| v)
        .expect("SAMLResponse")
}

#[tokio::test]
async fn saml_logins_get_an_identity_and_the_role_their_assertion_names() {
    let test = "saml_logins_get_an_identity_and_the_role_their_assertion_names";
    let Some(sts_endpoint) = sts::require(test) else {
        return;
    };
    let modules = repo_root().join("tests/clients/node/node_modules/samlify");
    if !clients_present("samlify", &[modules, saml_idp::script()]) {
        return;
    }
    let idp = SamlIdp::start();
    let metadata = reqwest::get(&idp.metadata_url)
        .await
        .expect("metadata")
        .text()
        .await
        .expect("metadata text");
    let unique = idp.base.rsplit(':').next().unwrap_or("0").to_string();
    let arn = iam_saml_provider(&format!("Corp{unique}"), &metadata).await;
    let other = iam_saml_provider(&format!("Other{unique}"), &metadata).await;
    let env = Env::start_with(ServerOptions::in_memory()).await;
    let pool = env
        .create_pool("saml", false, |b| b.saml_provider_arns(&arn))
        .await;
    let (admin, reader) = (role("SamlAdmin"), role("SamlReader"));
    let user = SamlUser {
        name_id: "jane@corp.example",
        session_index: "_s1",
        attributes: json!({
            "https://aws.amazon.com/SAML/Attributes/Role": [
                format!("{admin},{arn}"),
                format!("{reader},{arn}"),
            ],
            "https://aws.amazon.com/SAML/Attributes/RoleSessionName": "jane",
        }),
    };
    // AWS as the service provider: no requests of its own, so no signing certificate.
    let config = |user| {
        idp.configure_for(
            "urn:amazon:webservices",
            "https://signin.aws.amazon.com/saml",
            "response",
            user,
        )
    };
    config(&user).await;
    let response = response_for_aws(&idp).await;
    let login = [(arn.as_str(), response.as_str())];
    let id = env.identity(&pool, &login).await;
    // The same NameID is the same identity, through another of its assertions.
    let second = response_for_aws(&idp).await;
    assert_eq!(env.identity(&pool, &[(arn.as_str(), &second)]).await, id);

    // Two roles in the assertion: CustomRoleArn picks one; without it, no credentials.
    let refused = env.credentials(&id, &login, None).await;
    assert_refused(
        refused,
        "InvalidParameterException",
        "The SAML assertion names several roles",
    );
    let out = env
        .credentials(&id, &login, Some(&reader))
        .await
        .expect("credentials");
    let caller = sts::caller_arn(&sts_endpoint, &out).await;
    assert_eq!(caller, sts::assumed_role_arn(&reader, &id));
    // The assertion has vended once.
    let again = env.credentials(&id, &login, Some(&reader)).await;
    assert_refused(
        again,
        NA,
        "Invalid login token. The SAML response was already used.",
    );
    // A role the assertion does not name is refused.
    let third = response_for_aws(&idp).await;
    let login3 = [(arn.as_str(), third.as_str())];
    let elsewhere = env.credentials(&id, &login3, Some(&role("Other"))).await;
    assert_refused(
        elsewhere,
        "InvalidParameterException",
        "CustomRoleArn is not one of the roles",
    );

    // Tampered: the NameID changed after signing.
    let xml = String::from_utf8(STANDARD.decode(&third).expect("base64")).expect("UTF-8");
    let forged = STANDARD.encode(xml.replace("jane@corp.example", "root@corp.example"));
    let tampered = env.get_id(&pool, &[(arn.as_str(), &forged)]).await;
    assert_refused(tampered, NA, "Invalid login token. Invalid SAML response.");
    // A provider the pool does not list.
    let unlisted = env.get_id(&pool, &[(other.as_str(), &third)]).await;
    assert_refused(
        unlisted,
        NA,
        "Token is not from a supported provider of this identity pool.",
    );
}
