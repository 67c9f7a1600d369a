//! SAML providers at create and update time, and what sign-in reads back. The metadata
//! (`MetadataFile`, or the document at `MetadataURL`, read now) must parse: Describe then shows
//! Cognito's `SSORedirectBindingURI` and `SLORedirectBindingURI` from it. With
//! `EncryptedResponses`, the provider gets its own RSA key pair: Describe shows the certificate
//! as `ActiveEncryptionCertificate` (for the IdP to encrypt to); the private key is kept under a
//! hidden key that Describe, `Debug` and clients never see, and survives updates.

use super::details::check_url;
pub use super::details::HIDDEN_PREFIX;
use crate::error::{ApiError, ApiResult};
use crate::http::HttpClient;
use crate::saml::metadata::{self, IdpMetadata};
use crate::saml::SamlError;
use crate::userpool::model::IdentityProvider;
use crate::userpool::signing_certificate::self_signed;
use crate::App;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::collections::BTreeMap;
use std::time::Duration;

/// The document read from `MetadataURL`.
pub const FETCHED_METADATA: &str = "latchkey:metadata";
/// The encryption key (PKCS #8 DER, base64).
pub const ENCRYPTION_KEY: &str = "latchkey:encryption_key";
/// Where Describe shows the encryption certificate (DER, base64).
pub const ENCRYPTION_CERTIFICATE: &str = "ActiveEncryptionCertificate";
/// How long the metadata document may take.
const METADATA_TIMEOUT: Duration = Duration::from_secs(5);

fn unreadable(e: &SamlError) -> ApiError {
    ApiError::invalid(format!("The SAML metadata could not be read: {e}"))
}

/// Reads and checks the provider's metadata, and fills in the derived details; `previous`
/// are the details stored before an update (their encryption key is kept).
pub async fn settle(
    app: &App,
    pool_id: &str,
    details: &mut BTreeMap<String, String>,
    previous: Option<&BTreeMap<String, String>>,
) -> ApiResult<()> {
    let text = match (details.get("MetadataFile"), details.get("MetadataURL")) {
        (Some(file), _) => file.clone(),
        (None, Some(url)) => {
            let http = HttpClient::new(METADATA_TIMEOUT).map_err(|e| ApiError::internal(&e))?;
            let text = http
                .get_text(&app.settings.provider_url(url))
                .await
                .map_err(|e| {
                    tracing::info!(error = %e, "SAML metadata fetch failed");
                    ApiError::invalid(format!("Unable to read the SAML metadata at {url}."))
                })?;
            details.insert(FETCHED_METADATA.into(), text.clone());
            text
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "Either MetadataURL or MetadataFile is required.",
            ))
        }
    };
    let parsed = metadata::parse(&text).map_err(|e| unreadable(&e))?;
    check_url("SSORedirectBindingURI", &parsed.sso_redirect)?;
    details.insert("SSORedirectBindingURI".into(), parsed.sso_redirect);
    if let Some(slo) = parsed.slo_redirect {
        check_url("SLORedirectBindingURI", &slo)?;
        details.insert("SLORedirectBindingURI".into(), slo);
    }
    if details.get("EncryptedResponses").map(String::as_str) == Some("true") {
        let kept =
            previous.and_then(|p| Some((p.get(ENCRYPTION_KEY)?, p.get(ENCRYPTION_CERTIFICATE)?)));
        let (key, certificate) = match kept {
            Some((key, cert)) => (key.clone(), cert.clone()),
            None => {
                let made = self_signed(pool_id, app.clock.now_millis())
                    .map_err(|e| ApiError::internal(&e))?;
                (made.key.pkcs8.expose().to_string(), made.certificate)
            }
        };
        details.insert(ENCRYPTION_KEY.into(), key);
        details.insert(ENCRYPTION_CERTIFICATE.into(), certificate);
    }
    Ok(())
}

/// The provider's metadata, as stored.
pub fn metadata_of(idp: &IdentityProvider) -> Result<IdpMetadata, SamlError> {
    let text = idp
        .detail("MetadataFile")
        .or_else(|| idp.detail(FETCHED_METADATA))
        .ok_or_else(|| SamlError::Malformed("the provider has no metadata".into()))?;
    metadata::parse(text)
}

/// The provider's decryption key (PKCS #8 DER), when it asked for encrypted responses.
pub fn decryption_key(idp: &IdentityProvider) -> Option<Vec<u8>> {
    if idp.detail("EncryptedResponses") != Some("true") {
        return None;
    }
    STANDARD.decode(idp.detail(ENCRYPTION_KEY)?).ok()
}

/// A flag detail (`IDPInit`, `IDPSignout`, `EncryptedResponses`) set to `true`.
pub fn flag(idp: &IdentityProvider, key: &str) -> bool {
    idp.detail(key) == Some("true")
}
