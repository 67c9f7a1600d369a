//! Latchkey as a SAML 2.0 service provider, as Cognito is one: the pool's entity id is
//! `urn:amazon:cognito:sp:<poolId>`; sign-in requests go to the provider's HTTP-Redirect
//! `SingleSignOnService` (signed with the pool's signing key when `RequestSigningAlgorithm` is
//! set or the metadata asks for it), with the round trip's handle as `RelayState`; responses
//! come back to `/saml2/idpresponse` and must pass [`crate::saml::response`]'s checks (a
//! signature by a certificate of the provider's metadata, the audience, the recipient, the
//! validity window, `InResponseTo`), and each assertion is accepted once. Single logout sends
//! a signed `LogoutRequest` to the provider's `SingleLogoutService`.

use super::Failure;
use crate::error::{ApiError, ApiResult};
use crate::oauth::grants::{self, SamlLogin};
use crate::oauth::logout::LogoutEnd;
use crate::saml::binding::{self, Param, Received};
use crate::saml::dsig;
use crate::saml::messages::{self, Envelope, LoggedIn};
use crate::saml::response::{self, Assertion, Expected};
use crate::saml::SamlError;
use crate::userpool::idps::saml_setup::{decryption_key, flag, metadata_of};
use crate::userpool::keys::SigningKey;
use crate::userpool::model::{IdentityProvider, UserPool};
use crate::userpool::signin::federated::ExternalIdentity;
use crate::userpool::signing_certificate::pool_signing;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What the app is told when a response cannot be believed (Cognito's words).
pub const INVALID_RESPONSE: &str = "Invalid samlResponse or relayState from identity provider";
/// How long after its expiry an assertion's id is still remembered (the checks allow this
/// much clock skew).
const REPLAY_MARGIN_MS: i64 = 5 * 60 * 1000;

/// The pool's SAML entity id (the audience of every assertion for it).
pub fn entity_id(pool_id: &str) -> String {
    format!("urn:amazon:cognito:sp:{pool_id}")
}

/// The `ID` of the AuthnRequest of a round trip with `nonce` (an xsd:ID may not start with a
/// digit or `-`).
pub fn request_id(nonce: &str) -> String {
    format!("_{nonce}")
}

fn config_error(idp: &IdentityProvider, e: &SamlError) -> ApiError {
    ApiError::internal(&crate::Error::Config(format!(
        "SAML provider {}: {e}",
        idp.name
    )))
}

/// The URL that carries the request `xml` to `endpoint` (HTTP-Redirect binding) with
/// `relay_state`, signed with the pool's signing key when `signed`.
async fn redirect(
    app: &App,
    pool: &UserPool,
    endpoint: &str,
    xml: &str,
    relay_state: &str,
    signed: bool,
) -> ApiResult<String> {
    let key = if signed {
        let signing = pool_signing(app, pool).await?;
        Some(SigningKey::from_stored(&signing.key).map_err(|e| ApiError::internal(&e))?)
    } else {
        None
    };
    let sign = key.as_ref().map(|k| move |bytes: &[u8]| k.sign(bytes));
    Ok(binding::redirect_url(
        endpoint,
        Param::Request,
        xml,
        Some(relay_state),
        sign.as_ref().map(|f| f as binding::Signer<'_>),
    ))
}

/// The URL that sends the browser to `idp` with an AuthnRequest for the round trip whose
/// handle is `relay_state` and nonce `nonce`, answered at `acs_url`.
pub async fn authn_redirect(
    app: &App,
    pool: &UserPool,
    idp: &IdentityProvider,
    relay_state: &str,
    nonce: &str,
    acs_url: &str,
) -> ApiResult<String> {
    let meta = metadata_of(idp).map_err(|e| config_error(idp, &e))?;
    let id = request_id(nonce);
    let issuer = entity_id(&pool.id);
    let envelope = Envelope {
        id: &id,
        now_ms: app.clock.now_millis(),
        destination: &meta.sso_redirect,
        issuer: &issuer,
    };
    let xml = messages::authn_request(&envelope, acs_url);
    let signed = meta.want_requests_signed || idp.detail("RequestSigningAlgorithm").is_some();
    redirect(app, pool, &meta.sso_redirect, &xml, relay_state, signed).await
}

/// Checks a posted `SAMLResponse` from `idp` (`in_response_to`: our AuthnRequest's ID; None
/// for an IdP-initiated sign-in) and accepts its assertion once.
pub async fn verified_assertion(
    app: &App,
    pool_id: &str,
    idp: &IdentityProvider,
    saml_response: &str,
    in_response_to: Option<&str>,
    acs_url: &str,
) -> Result<Assertion, Failure> {
    let meta = metadata_of(idp).map_err(|e| Failure::unavailable(e.to_string()))?;
    let key = decryption_key(idp);
    let audience = entity_id(pool_id);
    let expected = Expected {
        idp_entity_id: &meta.entity_id,
        idp_certificates: &meta.signing_certificates,
        audience: &audience,
        acs_url,
        in_response_to,
        decryption_key: key.as_deref(),
        require_encryption: flag(idp, "EncryptedResponses"),
        now_ms: app.clock.now_millis(),
    };
    let assertion = response::verify_response(saml_response, &expected).map_err(|e| match e {
        SamlError::Status(status) => Failure {
            error: "access_denied",
            description: "The identity provider did not sign the user in.".into(),
            cause: status,
        },
        other => Failure::invalid(INVALID_RESPONSE, other.to_string()),
    })?;
    let once = format!("saml:{}:{}", assertion.issuer, assertion.id);
    let until = assertion.expires_ms + REPLAY_MARGIN_MS;
    if !grants::claim_once(app, pool_id, &once, until).await? {
        return Err(Failure::invalid(INVALID_RESPONSE, "assertion replayed"));
    }
    Ok(assertion)
}

/// A multi-valued attribute as Cognito maps it: `[a, b]`.
fn attribute_value(values: &[String]) -> Value {
    match values {
        [one] => Value::String(one.clone()),
        many => Value::String(format!("[{}]", many.join(", "))),
    }
}

/// What the pool's federated sign-in makes of an assertion: its attributes as claims by name,
/// the NameID as the subject (`sub`), and the provider's entity id as the issuer.
pub fn identity(assertion: &Assertion) -> ExternalIdentity {
    let mut claims: Map<String, Value> = assertion
        .attributes
        .iter()
        .map(|(name, values)| (name.clone(), attribute_value(values)))
        .collect();
    claims.insert("sub".into(), Value::String(assertion.name_id.clone()));
    ExternalIdentity {
        claims,
        issuer: Some(assertion.issuer.clone()),
    }
}

/// The sign-in a hosted session remembers for single logout.
pub fn login_of(idp: &IdentityProvider, assertion: &Assertion) -> SamlLogin {
    SamlLogin {
        provider: idp.name.clone(),
        name_id: assertion.name_id.clone(),
        format: assertion.name_id_format.clone(),
        session_index: assertion.session_index.clone(),
    }
}

/// The provider's single logout endpoint, when it takes part in single logout (`IDPSignout`,
/// and a `SingleLogoutService` in its metadata).
pub fn single_logout_url(idp: &IdentityProvider) -> Option<String> {
    if !flag(idp, "IDPSignout") {
        return None;
    }
    metadata_of(idp).ok()?.slo_redirect
}

/// A single logout under way: the LogoutRequest's ID, and where the browser goes after.
#[derive(Serialize, Deserialize)]
struct PendingLogout {
    pool_id: String,
    provider: String,
    request_id: String,
    end: LogoutEnd,
}

/// Starts `idp`'s single logout of `login` at `slo` (the hosted session is already ended): the
/// URL of the provider's logout with a LogoutRequest signed with the pool's key (Cognito always
/// signs these), with a single-use handle as `RelayState`.
pub async fn start_logout(
    app: &App,
    pool: &UserPool,
    idp: &IdentityProvider,
    slo: &str,
    login: &SamlLogin,
    end: LogoutEnd,
) -> ApiResult<String> {
    let nonce = crate::random::url_token(app.random.as_ref(), 24);
    let id = request_id(&nonce);
    let issuer = entity_id(&pool.id);
    let envelope = Envelope {
        id: &id,
        now_ms: app.clock.now_millis(),
        destination: slo,
        issuer: &issuer,
    };
    let who = LoggedIn {
        name_id: &login.name_id,
        format: login.format.as_deref(),
        session_index: login.session_index.as_deref(),
    };
    let xml = messages::logout_request(&envelope, &who);
    let pending = PendingLogout {
        pool_id: pool.id.clone(),
        provider: idp.name.clone(),
        request_id: id,
        end,
    };
    let relay_state = grants::put(app, &pool.id, &pending, super::round_trip::TTL_MS).await?;
    // Cognito always signs its logout requests.
    redirect(app, pool, slo, &xml, &relay_state, true).await
}

/// Finishes a single logout: the provider's LogoutResponse (`received`, with the handle as
/// `RelayState`) must be signed by it and answer our request; the browser then goes where the
/// logout was headed.
pub async fn finish_logout(app: &App, received: &Received) -> Result<LogoutEnd, Failure> {
    let invalid = |cause: &str| Failure::invalid("Invalid logout response.", cause);
    let relay = received.relay_state.as_deref().unwrap_or_default();
    let pending: PendingLogout = grants::take(app, relay)
        .await?
        .ok_or_else(|| invalid("unknown, used or expired RelayState"))?;
    let idp = app
        .store
        .get_identity_provider(&pending.pool_id, &pending.provider)
        .await
        .map_err(|e| Failure::from(ApiError::from(e)))?
        .ok_or_else(|| invalid("provider deleted"))?;
    let meta = metadata_of(&idp).map_err(|e| Failure::unavailable(e.to_string()))?;
    let certificates = &meta.signing_certificates;
    match &received.signature {
        Some(q) => {
            let verified = certificates
                .iter()
                .any(|c| dsig::verify_rsa(c, &q.alg, &q.signed, &q.signature).is_ok());
            if !verified {
                return Err(invalid("query signature does not verify"));
            }
        }
        None => {
            let doc =
                crate::saml::xml::parse(&received.xml).map_err(|e| invalid(&e.to_string()))?;
            dsig::verify_signed_element(&doc, doc.root_element(), certificates)
                .map_err(|e| invalid(&e.to_string()))?;
        }
    }
    let answer = messages::logout_response(&received.xml).map_err(|e| invalid(&e.to_string()))?;
    if answer.in_response_to.as_deref() != Some(pending.request_id.as_str()) {
        return Err(invalid("InResponseTo is not our LogoutRequest"));
    }
    if answer
        .issuer
        .as_deref()
        .is_some_and(|i| i != meta.entity_id)
    {
        return Err(invalid("issuer is not the provider"));
    }
    if answer.status != messages::SUCCESS {
        // The provider kept its session; Latchkey's is over all the same.
        tracing::info!(status = %answer.status, "SAML single logout refused by the provider");
    }
    Ok(pending.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn an_assertion_becomes_claims_with_the_name_id_as_subject() {
        let assertion = Assertion {
            id: "_a".into(),
            issuer: "https://idp".into(),
            name_id: "jane@example.com".into(),
            name_id_format: None,
            session_index: Some("_s".into()),
            attributes: BTreeMap::from([
                ("email".to_string(), vec!["jane@example.com".to_string()]),
                (
                    "groups".to_string(),
                    vec!["admins".to_string(), "staff".to_string()],
                ),
                ("sub".to_string(), vec!["spoofed".to_string()]),
            ]),
            expires_ms: 0,
            in_response_to: None,
        };
        let identity = identity(&assertion);
        assert_eq!(identity.issuer.as_deref(), Some("https://idp"));
        assert_eq!(identity.claims["sub"], "jane@example.com");
        assert_eq!(identity.claims["email"], "jane@example.com");
        assert_eq!(identity.claims["groups"], "[admins, staff]");
        assert_eq!(request_id("abc-_1"), "_abc-_1");
        assert_eq!(
            entity_id("us-east-1_X"),
            "urn:amazon:cognito:sp:us-east-1_X"
        );
    }
}
