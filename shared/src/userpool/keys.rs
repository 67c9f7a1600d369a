//! RSA signing keys: generated with the pool, stored as PKCS#8, parsed once and cached.
//! RS256 signing goes straight to aws-lc-rs with the parsed key (no re-parse per token).

use super::model::StoredKey;
use crate::error::Error;
use crate::secret::Secret;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// A public RSA signing key as a JWK (RFC 7517), as Cognito publishes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Jwk {
    /// Always RS256.
    pub alg: &'static str,
    /// Public exponent, base64url.
    pub e: String,
    /// Key id.
    pub kid: String,
    /// Always RSA.
    pub kty: &'static str,
    /// Modulus, base64url.
    pub n: String,
    /// Always `sig`.
    #[serde(rename = "use")]
    pub key_use: &'static str,
}

/// A JWK set: `{"keys": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Jwks {
    /// The public keys.
    pub keys: Vec<Jwk>,
}

/// A parsed RSA-2048 key pair that signs RS256.
pub struct SigningKey {
    kid: String,
    pair: KeyPair,
    verifier: ParsedPublicKey,
    modulus: Vec<u8>,
    exponent: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

impl SigningKey {
    /// Generates a new RSA-2048 key.
    pub fn generate() -> Result<Self, Error> {
        let pair = KeyPair::generate(KeySize::Rsa2048).map_err(|e| Error::Crypto(e.to_string()))?;
        Self::from_pair(pair)
    }

    /// Parses a stored key.
    pub fn from_stored(stored: &StoredKey) -> Result<Self, Error> {
        let der = STANDARD
            .decode(stored.pkcs8.expose())
            .map_err(|e| Error::Decode(e.to_string()))?;
        let pair = KeyPair::from_pkcs8(&der).map_err(|e| Error::Crypto(e.to_string()))?;
        let key = Self::from_pair(pair)?;
        if key.kid != stored.kid {
            return Err(Error::Decode(format!(
                "stored kid {} does not match key",
                stored.kid
            )));
        }
        Ok(key)
    }

    fn from_pair(pair: KeyPair) -> Result<Self, Error> {
        let public = pair.public_key();
        let modulus = public.modulus().big_endian_without_leading_zero().to_vec();
        let exponent = public.exponent().big_endian_without_leading_zero().to_vec();
        // kid: base64 of the SHA-256 of the public key, as Cognito's kids look.
        let kid = STANDARD.encode(Sha256::digest(public.as_ref()));
        let verifier =
            ParsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, public.as_ref())
                .map_err(|e| Error::Crypto(e.to_string()))?;
        Ok(Self {
            kid,
            pair,
            verifier,
            modulus,
            exponent,
        })
    }

    /// The form kept in the store.
    pub fn to_stored(&self) -> Result<StoredKey, Error> {
        let der = self
            .pair
            .as_der()
            .map_err(|e| Error::Crypto(e.to_string()))?;
        Ok(StoredKey {
            kid: self.kid.clone(),
            pkcs8: Secret::new(STANDARD.encode(der.as_ref())),
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// RS256 signature of `msg`.
    pub fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; self.pair.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        // Signing with a valid parsed key into a correctly sized buffer cannot fail.
        if self
            .pair
            .sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig)
            .is_err()
        {
            sig.clear();
        }
        sig
    }

    /// Whether `sig` is a valid RS256 signature of `msg` by this key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        self.verifier.verify_sig(msg, sig).is_ok()
    }

    /// The public JWK.
    pub fn jwk(&self) -> Jwk {
        Jwk {
            alg: "RS256",
            e: URL_SAFE_NO_PAD.encode(&self.exponent),
            kid: self.kid.clone(),
            kty: "RSA",
            n: URL_SAFE_NO_PAD.encode(&self.modulus),
            key_use: "sig",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_storage_and_verifies() {
        let k = SigningKey::generate().unwrap();
        let stored = k.to_stored().unwrap();
        assert_eq!(format!("{:?}", stored.pkcs8), "[redacted]");
        let k2 = SigningKey::from_stored(&stored).unwrap();
        assert_eq!(k.kid(), k2.kid());
        let sig = k2.sign(b"hello");
        assert_eq!(sig.len(), 256);
        assert!(k.verify(b"hello", &sig));
        assert!(!k.verify(b"hellO", &sig));
        assert_eq!(k.jwk().kty, "RSA");
        let jwk = serde_json::to_value(k.jwk()).unwrap();
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["kid"], k.kid());
        assert_eq!(jwk.as_object().unwrap().len(), 6);
    }
}
