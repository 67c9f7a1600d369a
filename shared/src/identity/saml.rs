//! SAML logins: the Logins key is an IAM SAML provider's ARN (one of the pool's
//! `SamlProviderARNs`), the value the base64 `SAMLResponse` the IdP posted for AWS. The
//! response is checked as [`crate::saml::response`] checks a user pool's (a signature by a
//! certificate of the provider's metadata, read from IAM; the issuer; the validity window), for
//! AWS as the service provider: audience `urn:amazon:webservices`, recipient
//! `https://signin.aws.amazon.com/saml`, and never solicited. The identity is the NameID's;
//! the role is the one the assertion's `https://aws.amazon.com/SAML/Attributes/Role` names
//! (`CustomRoleArn` picks one when it names several).

use super::model::IdentityPool;
use super::verified::{invalid, LoginKind, VerifiedLogin};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::saml::response::{verify_response, Expected};
use crate::App;
use serde_json::{Map, Value};

/// The audience of assertions for AWS.
pub const AWS_AUDIENCE: &str = "urn:amazon:webservices";
/// Where IdPs post AWS's assertions (their Recipient and Destination).
pub const AWS_ACS: &str = "https://signin.aws.amazon.com/saml";
/// The attribute that names the roles (`roleArn,principalArn`, in either order).
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";

/// Whether a Logins key names an IAM SAML provider.
pub fn is_saml_provider(provider: &str) -> bool {
    provider.starts_with("arn:") && provider.contains(":saml-provider/")
}

/// Verifies a SAML login; None when the pool does not list the provider.
pub async fn verify(
    app: &App,
    ipool: &IdentityPool,
    provider: &str,
    response: &str,
) -> ApiResult<Option<VerifiedLogin>> {
    if !ipool.saml_provider_arns.iter().any(|a| a == provider) {
        return Ok(None);
    }
    let source = app.identity.saml_providers.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorKind::InvalidIdentityPoolConfiguration,
            "Latchkey has no IAM to read SAML providers from: start it with AWS_ENDPOINT_URL_IAM \
             (an IAM-API server, e.g. moto) or with AWS credentials for your account.",
        )
    })?;
    let document = source
        .metadata(provider)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| invalid("The SAML provider does not exist."))?;
    let meta = crate::saml::metadata::parse(&document)
        .map_err(|_| invalid("The SAML provider's metadata cannot be read."))?;
    let expected = Expected {
        idp_entity_id: &meta.entity_id,
        idp_certificates: &meta.signing_certificates,
        audience: AWS_AUDIENCE,
        acs_url: AWS_ACS,
        in_response_to: None,
        decryption_key: None,
        require_encryption: false,
        now_ms: app.clock.now_millis(),
    };
    let assertion = verify_response(response, &expected).map_err(|e| {
        tracing::info!(error = %e, "SAML login refused");
        invalid("Invalid SAML response.")
    })?;
    let mut claims: Map<String, Value> = assertion
        .attributes
        .iter()
        .map(|(name, values)| {
            let value = match values.as_slice() {
                [one] => Value::String(one.clone()),
                many => Value::from(many.to_vec()),
            };
            (name.clone(), value)
        })
        .collect();
    claims.insert("sub".into(), Value::String(assertion.name_id.clone()));
    claims.insert("saml:assertion_id".into(), Value::String(assertion.id));
    claims.insert("exp".into(), Value::from(assertion.expires_ms / 1000));
    Ok(Some(VerifiedLogin {
        provider: provider.to_string(),
        subject: assertion.name_id,
        claims,
        mapping_key: provider.to_string(),
        kind: LoginKind::Saml,
    }))
}

/// The roles the assertion names.
fn roles(login: &VerifiedLogin) -> Vec<String> {
    let values: Vec<&str> = match login.claims.get(ROLE_ATTRIBUTE) {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    values
        .iter()
        .flat_map(|pair| pair.split(','))
        .map(str::trim)
        .filter(|arn| arn.starts_with("arn:") && arn.contains(":role/"))
        .map(str::to_string)
        .collect()
}

/// The role a SAML login gets: `custom` if the assertion names it, else the assertion's only
/// role.
pub fn role(login: &VerifiedLogin, custom: Option<&str>) -> ApiResult<String> {
    let named = roles(login);
    match (custom, named.as_slice()) {
        (Some(c), _) if named.iter().any(|r| r == c) => Ok(c.to_string()),
        (Some(_), _) => Err(ApiError::invalid(
            "CustomRoleArn is not one of the roles the SAML assertion names.",
        )),
        (None, [one]) => Ok(one.clone()),
        (None, []) => Err(ApiError::new(
            ErrorKind::InvalidIdentityPoolConfiguration,
            "The SAML assertion names no role.",
        )),
        (None, _) => Err(ApiError::invalid(
            "The SAML assertion names several roles: choose one with CustomRoleArn.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(roles: Value) -> VerifiedLogin {
        let mut claims = Map::new();
        claims.insert(ROLE_ATTRIBUTE.into(), roles);
        VerifiedLogin {
            provider: "arn:aws:iam::123456789012:saml-provider/Corp".into(),
            subject: "jane".into(),
            claims,
            mapping_key: String::new(),
            kind: LoginKind::Saml,
        }
    }

    #[test]
    fn the_role_comes_from_the_assertion() {
        let a = "arn:aws:iam::123456789012:role/A";
        let b = "arn:aws:iam::123456789012:role/B";
        let p = "arn:aws:iam::123456789012:saml-provider/Corp";
        let one = login(Value::from(format!("{p},{a}")));
        assert_eq!(role(&one, None).unwrap(), a);
        assert!(role(&one, Some(b)).is_err());
        let two = login(Value::from(vec![format!("{a},{p}"), format!("{b},{p}")]));
        assert!(role(&two, None).is_err());
        assert_eq!(role(&two, Some(b)).unwrap(), b);
        assert!(role(&login(Value::Null), None).is_err());
        assert!(is_saml_provider(p) && !is_saml_provider("accounts.google.com"));
    }
}
