//! GetSigningCertificate: the X.509 certificate of a pool's SAML signing key, as Cognito gives
//! it to SAML identity providers (which check Latchkey's signed requests and logout messages
//! with it). The RSA-2048 key is the pool's own, separate from its token keys, and made with its
//! self-signed certificate (valid ten years, as Cognito's) the first time it is asked for.

use super::keys::SigningKey;
use super::model::{SamlSigning, UserPool};
use super::pools::{load_pool, modify_pool, PoolIdInput};
use crate::error::{ApiError, ApiResult, Error};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

/// How long a certificate is valid, in days (Cognito: ten years from issue).
const VALID_DAYS: i64 = 3653;

/// GetSigningCertificate's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SigningCertificateOutput {
    /// The certificate, DER, base64.
    pub certificate: String,
}

/// GetSigningCertificate.
pub async fn get_signing_certificate(
    app: &crate::App,
    input: PoolIdInput,
) -> ApiResult<SigningCertificateOutput> {
    let pool = load_pool(app, input.pool_id()).await?;
    let certificate = pool_signing(app, &pool).await?.certificate;
    Ok(SigningCertificateOutput { certificate })
}

/// The pool's SAML signing key and certificate, made the first time they are needed (by
/// GetSigningCertificate, or by the first signed request to a SAML provider).
pub async fn pool_signing(app: &crate::App, pool: &UserPool) -> ApiResult<SamlSigning> {
    if let Some(saml) = &pool.saml_signing {
        return Ok(saml.clone());
    }
    let now_ms = app.clock.now_millis();
    let made = self_signed(&pool.id, now_ms).map_err(|e| ApiError::internal(&e))?;
    // Two first requests at once: the one written first wins, and both answer with it.
    modify_pool(app, &pool.id, |pool: &mut UserPool| {
        Ok(pool
            .saml_signing
            .get_or_insert_with(|| made.clone())
            .clone())
    })
    .await
}

/// A new RSA-2048 key and its self-signed certificate for `common_name` (a pool id), issued at
/// `now_ms`: the pool's signing pair, or a SAML provider's encryption pair.
pub fn self_signed(common_name: &str, now_ms: i64) -> Result<SamlSigning, Error> {
    let crypto = |e: rcgen::Error| Error::Crypto(e.to_string());
    let key = SigningKey::generate()?.to_stored()?;
    let der = STANDARD
        .decode(key.pkcs8.expose())
        .map_err(|e| Error::Decode(e.to_string()))?;
    let pair = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&der.into(), &rcgen::PKCS_RSA_SHA256)
        .map_err(crypto)?;
    let mut params = rcgen::CertificateParams::default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Latchkey");
    let issued = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .map_err(|e| Error::Crypto(e.to_string()))?;
    params.not_before = issued;
    params.not_after = issued + time::Duration::days(VALID_DAYS);
    let cert = params.self_signed(&pair).map_err(crypto)?;
    Ok(SamlSigning {
        key,
        certificate: STANDARD.encode(cert.der()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_is_self_signed_with_the_stored_key_for_ten_years() {
        let made = self_signed("us-east-1_abc", 1_700_000_000_000).unwrap();
        let der = STANDARD.decode(&made.certificate).unwrap();
        // DER of an X.509 certificate: a SEQUENCE holding the pool id as its subject's CN.
        assert_eq!(der[0], 0x30);
        assert!(der.windows(13).any(|w| w == b"us-east-1_abc"));
        let key = SigningKey::from_stored(&made.key).unwrap();
        // The certificate carries the key's modulus (the public key it certifies).
        let jwk = key.jwk();
        let modulus = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&jwk.n)
            .unwrap();
        assert!(der.windows(modulus.len()).any(|w| w == modulus.as_slice()));
    }
}
