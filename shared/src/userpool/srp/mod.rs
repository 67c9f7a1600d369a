//! SRP for USER_SRP_AUTH: Cognito's SRP-6a variant (cognito-wire.md §4), byte for byte.
//!
//! The server side is here: the verifier stored at every password set, the PASSWORD_VERIFIER
//! challenge (B) and the check of PASSWORD_CLAIM_SIGNATURE. [`client`] is the client side, as
//! amazon-cognito-identity-js and pycognito compute it, for tests and the bench; [`timestamp`]
//! is the TIMESTAMP format. Every hex or base64 string from the wire is parsed without panics.
//!
//! Modular exponentiation uses `num-bigint`, which is not constant-time. The server's secret
//! exponent b is fresh for every challenge and used once, and the verifier is only ever an
//! exponentiation base, so a timing observer gets one noisy measurement per secret.

pub mod client;
mod math;
pub mod timestamp;

pub use client::{client_a, client_signature, ClientChallenge};
pub use timestamp::{cognito_timestamp, parse_cognito_timestamp};

use crate::random::Random;
use crate::secret::{constant_time_eq, Secret};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use math::{compute_u, compute_x, is_zero_mod_n, parse_hex, pow_mod_n, to_hex, G, K, N};
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};

/// Bytes of random salt (sent as minimal hex, never with a leading zero byte).
const SALT_BYTES: usize = 16;
/// Bytes of the server's private exponent b (256 bits, as the reference asks at least).
const PRIVATE_BYTES: usize = 32;

/// What is stored on a user at every password set: the salt and v = g^x mod N. `Debug` hides
/// v, which would allow an offline dictionary attack on the password.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrpVerifier {
    /// The salt, minimal lowercase hex: sent as SALT as is.
    pub salt_hex: String,
    /// The verifier v, minimal lowercase hex.
    pub verifier_hex: String,
}

impl std::fmt::Debug for SrpVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SrpVerifier")
            .field("salt_hex", &self.salt_hex)
            .field("verifier_hex", &"[redacted]")
            .finish()
    }
}

impl SrpVerifier {
    /// A verifier a client made (ConfirmDevice's `DeviceSecretVerifierConfig`, decoded from
    /// base64): the salt and v as big-endian bytes, kept in minimal hex. None when v is 0
    /// mod N or the salt is 0.
    pub fn from_bytes(salt: &[u8], verifier: &[u8]) -> Option<Self> {
        let salt = BigUint::from_bytes_be(salt);
        let v = BigUint::from_bytes_be(verifier);
        if salt == BigUint::ZERO || is_zero_mod_n(&v) {
            return None;
        }
        Some(Self {
            salt_hex: to_hex(&salt),
            verifier_hex: to_hex(&v),
        })
    }
}

/// The server's half of a PASSWORD_VERIFIER challenge.
#[derive(Debug, Clone)]
pub struct ServerChallenge {
    /// The private exponent b, big-endian; keep it (sealed) for [`verify_claim`].
    pub b: Secret<Vec<u8>>,
    /// B = (k*v + g^b) mod N as minimal lowercase hex: the SRP_B challenge parameter.
    pub big_b_hex: String,
}

/// Makes the stored verifier for `password`. `pool_name` is the part of the pool id after
/// '_', `username` the internal username (USER_ID_FOR_SRP); changing either invalidates it.
pub fn make_verifier(
    pool_name: &str,
    username: &str,
    password: &str,
    random: &dyn Random,
) -> SrpVerifier {
    let salt = loop {
        let mut bytes = [0u8; SALT_BYTES];
        random.fill(&mut bytes);
        let salt = BigUint::from_bytes_be(&bytes);
        if salt != BigUint::ZERO {
            break salt;
        }
    };
    let x = compute_x(pool_name, username, password, &salt);
    SrpVerifier {
        salt_hex: to_hex(&salt),
        verifier_hex: to_hex(&pow_mod_n(&G, &x)),
    }
}

/// True when `password` is the one `verifier` was made from (for USER_PASSWORD_AUTH and
/// friends when no other password hash is kept). False on a malformed stored verifier.
pub fn check_password(
    pool_name: &str,
    username: &str,
    password: &str,
    verifier: &SrpVerifier,
) -> bool {
    let (Some(salt), Some(v)) = (
        parse_hex(&verifier.salt_hex),
        parse_hex(&verifier.verifier_hex),
    ) else {
        return false;
    };
    let x = compute_x(pool_name, username, password, &salt);
    let computed = math::pad(&pow_mod_n(&G, &x));
    constant_time_eq(&computed, &math::pad(&(v % &*N)))
}

/// Draws b and computes B for `verifier`. A malformed stored verifier is taken as 0: B is
/// still well-formed, and [`verify_claim`] then refuses every signature.
pub fn server_challenge(verifier: &SrpVerifier, random: &dyn Random) -> ServerChallenge {
    let v = parse_hex(&verifier.verifier_hex).unwrap_or_default();
    let kv = (&*K * v) % &*N;
    loop {
        let mut b = vec![0u8; PRIVATE_BYTES];
        random.fill(&mut b);
        let b_int = BigUint::from_bytes_be(&b);
        if b_int == BigUint::ZERO {
            continue;
        }
        let big_b = (&kv + pow_mod_n(&G, &b_int)) % &*N;
        if big_b != BigUint::ZERO {
            return ServerChallenge {
                b: Secret::new(b),
                big_b_hex: to_hex(&big_b),
            };
        }
    }
}

/// Checks the client's SRP_A: hex, at most 1024 digits, and A mod N != 0.
#[allow(clippy::result_unit_err)]
pub fn check_a(srp_a_hex: &str) -> Result<(), ()> {
    match parse_hex(srp_a_hex) {
        Some(a) if !is_zero_mod_n(&a) => Ok(()),
        _ => Err(()),
    }
}

/// Verifies PASSWORD_CLAIM_SIGNATURE (standard base64) over pool_name || user_id ||
/// base64-decoded secret_block || timestamp, keyed with HKDF("Caldera Derived Key", S, u) where
/// S = (A * v^u)^b mod N. The timestamp is used verbatim (freshness is the caller's check, see
/// [`parse_cognito_timestamp`]). False on any malformed input, a bad A or u = 0.
#[allow(clippy::too_many_arguments)]
pub fn verify_claim(
    pool_name: &str,
    user_id: &str,
    verifier: &SrpVerifier,
    srp_a_hex: &str,
    b: &[u8],
    big_b_hex: &str,
    secret_block_b64: &str,
    timestamp: &str,
    signature_b64: &str,
) -> bool {
    let (Some(big_a), Some(big_b), Some(v)) = (
        parse_hex(srp_a_hex),
        parse_hex(big_b_hex),
        parse_hex(&verifier.verifier_hex),
    ) else {
        return false;
    };
    let (Ok(block), Ok(sent)) = (
        STANDARD.decode(secret_block_b64),
        STANDARD.decode(signature_b64),
    ) else {
        return false;
    };
    let b = BigUint::from_bytes_be(b);
    if is_zero_mod_n(&big_a) || b == BigUint::ZERO {
        return false;
    }
    let u = compute_u(&big_a, &big_b);
    if u == BigUint::ZERO {
        return false;
    }
    let s = pow_mod_n(&((big_a * pow_mod_n(&v, &u)) % &*N), &b);
    let key = math::derive_key(&s, &u);
    let expected = math::claim_mac(&key, pool_name, user_id, &block, timestamp);
    constant_time_eq(&expected, &sent)
}

/// A believable verifier for a user that does not exist (PreventUserExistenceErrors): the same
/// salt and verifier every time for the same (`pool_id`, `username`), derived with HMAC-SHA256
/// under `key`. The fake v is an HMAC expansion reduced mod N (it never leaves the server and
/// B = k*v + g^b looks uniform either way), so it costs no exponentiation: a challenge for an
/// unknown user takes as long as one for a real user.
pub fn fake_verifier(key: &[u8], pool_id: &str, username: &str) -> SrpVerifier {
    let derive = |label: &str, counter: u8| {
        math::hmac_sha256(
            key,
            &[
                label.as_bytes(),
                &[0, counter],
                pool_id.as_bytes(),
                &[0],
                username.as_bytes(),
            ],
        )
    };
    let mut salt = BigUint::from_bytes_be(&derive("latchkey-srp-fake-salt", 0)[..SALT_BYTES]);
    if salt == BigUint::ZERO {
        salt = BigUint::from(1u32);
    }
    let mut v_bytes = Vec::with_capacity(13 * 32);
    for counter in 0..13 {
        v_bytes.extend_from_slice(&derive("latchkey-srp-fake-verifier", counter));
    }
    SrpVerifier {
        salt_hex: to_hex(&salt),
        verifier_hex: to_hex(&(BigUint::from_bytes_be(&v_bytes) % &*N)),
    }
}

/// A UUID-format USER_ID_FOR_SRP for a user that does not exist: the same for the same
/// (`pool_id`, `username`), derived with HMAC-SHA256 under `key`.
pub fn fake_user_id(key: &[u8], pool_id: &str, username: &str) -> String {
    let mac = math::hmac_sha256(
        key,
        &[
            b"latchkey-srp-fake-user-id\0",
            pool_id.as_bytes(),
            &[0],
            username.as_bytes(),
        ],
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&mac[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .hyphenated()
        .to_string()
}

#[cfg(test)]
mod tests;
