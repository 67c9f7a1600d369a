//! The one TLS client setup of every outbound HTTPS connection (AWS SDK clients, OIDC documents,
//! HTTP triggers): rustls on aws-lc-rs, Mozilla's roots compiled in (`webpki-roots`), and a
//! provider that names only what AWS endpoints and OIDC providers negotiate.
//!
//! rustls's `default_provider()` also carries ChaCha20-Poly1305, the post-quantum key exchanges
//! (ML-KEM) and signature checks (ML-DSA, Ed25519, P-521). Referencing them links their aws-lc
//! code into every binary even though no AWS endpoint uses them; naming the set here keeps them
//! out. The set: TLS 1.3 and 1.2 with AES-GCM, X25519 / P-256 / P-384 key exchange, and ECDSA
//! (P-256, P-384) and RSA (PKCS#1, PSS) certificates, which covers AWS, Google and the common
//! OIDC providers.

use crate::error::Error;
use rustls::crypto::aws_lc_rs::{self as provider, cipher_suite, kx_group};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::SignatureScheme;
use std::sync::{Arc, OnceLock};
use webpki::aws_lc_rs as alg;

/// Certificate signature checks: ECDSA on P-256/P-384 and RSA, no more.
static SIGNATURES: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        alg::ECDSA_P256_SHA256,
        alg::ECDSA_P256_SHA384,
        alg::ECDSA_P384_SHA256,
        alg::ECDSA_P384_SHA384,
        alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        alg::RSA_PKCS1_2048_8192_SHA256,
        alg::RSA_PKCS1_2048_8192_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA512,
    ],
    mapping: &[
        (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        ),
        (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        ),
        (
            SignatureScheme::RSA_PSS_SHA512,
            &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA384,
            &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA256,
            &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA512,
            &[alg::RSA_PKCS1_2048_8192_SHA512],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA384,
            &[alg::RSA_PKCS1_2048_8192_SHA384],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[alg::RSA_PKCS1_2048_8192_SHA256],
        ),
    ],
};

/// The crypto provider of every TLS client here (see the module doc for what it holds).
pub fn provider() -> CryptoProvider {
    let base = provider::default_provider();
    CryptoProvider {
        cipher_suites: vec![
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ],
        kx_groups: vec![kx_group::X25519, kx_group::SECP256R1, kx_group::SECP384R1],
        signature_verification_algorithms: SIGNATURES,
        ..base
    }
}

/// The TLS client configuration: [`provider`], TLS 1.2 and 1.3, Mozilla's roots, no client
/// certificate. Built once per process (the SDK clients and the OIDC key cache both take it at
/// start); each caller gets a clone, which shares the provider and the root store.
pub fn client_config() -> Result<rustls::ClientConfig, Error> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            Ok(
                rustls::ClientConfig::builder_with_provider(Arc::new(provider()))
                    .with_safe_default_protocol_versions()
                    .map_err(|e| e.to_string())?
                    .with_root_certificates(rustls::RootCertStore {
                        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
                    })
                    .with_no_client_auth(),
            )
        })
        .clone()
        .map_err(|e| Error::Config(format!("TLS setup: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_is_consistent_and_names_only_aws_lc_suites() {
        let p = provider();
        // rustls refuses a provider whose suites and groups don't fit together.
        assert!(client_config().is_ok());
        assert_eq!(p.cipher_suites.len(), 6);
        assert_eq!(p.kx_groups.len(), 3);
        for (scheme, algs) in SIGNATURES.mapping {
            assert!(!algs.is_empty(), "{scheme:?} maps to nothing");
            for a in *algs {
                assert!(
                    SIGNATURES.all.iter().any(|b| std::ptr::addr_eq(*a, *b)),
                    "{scheme:?}: an algorithm missing from `all`"
                );
            }
        }
    }
}
