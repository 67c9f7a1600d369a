//! The client side of USER_SRP_AUTH, computed as amazon-cognito-identity-js's
//! `AuthenticationHelper` and pycognito's `AWSSRP` do: SRP_A, then the PASSWORD_CLAIM_SIGNATURE
//! answering a PASSWORD_VERIFIER challenge. For Rust tests and the bench.

use super::math::{self, compute_u, compute_x, parse_hex, pow_mod_n, to_hex, G, K, N};
use crate::random::Random;
use crate::secret::Secret;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use num_bigint::BigUint;

/// Bytes of the client's private a. The JS client draws 128 bytes; 32 are as secure for a
/// test client and make its steps cheaper. The server does not care.
const PRIVATE_BYTES: usize = 32;

/// The client's ephemeral key pair.
#[derive(Debug, Clone)]
pub struct ClientChallenge {
    /// The private a, big-endian.
    pub a: Secret<Vec<u8>>,
    /// A = g^a mod N as minimal lowercase hex: the SRP_A auth parameter.
    pub big_a_hex: String,
}

impl ClientChallenge {
    /// The key pair for a given private a (taken mod N), or None when A would be 0.
    pub fn from_private(a: &[u8]) -> Option<Self> {
        let a_int = BigUint::from_bytes_be(a) % &*N;
        if a_int == BigUint::ZERO {
            return None;
        }
        let big_a = pow_mod_n(&G, &a_int);
        Some(Self {
            a: Secret::new(a_int.to_bytes_be()),
            big_a_hex: to_hex(&big_a),
        })
    }
}

/// Draws a and computes A = g^a mod N.
pub fn client_a(random: &dyn Random) -> ClientChallenge {
    loop {
        let mut a = [0u8; PRIVATE_BYTES];
        random.fill(&mut a);
        if let Some(pair) = ClientChallenge::from_private(&a) {
            return pair;
        }
    }
}

/// The client's 16-byte key: HKDF over S = (B - k*g^x)^(a + u*x) mod N and u. None when B is
/// 0 mod N, u is 0 or an input is not hex (the JS client throws there).
pub(crate) fn client_key(
    client: &ClientChallenge,
    pool_name: &str,
    user_id: &str,
    password: &str,
    salt_hex: &str,
    big_b_hex: &str,
) -> Option<[u8; 16]> {
    let big_a = parse_hex(&client.big_a_hex)?;
    let big_b = parse_hex(big_b_hex)?;
    let salt = parse_hex(salt_hex)?;
    if math::is_zero_mod_n(&big_b) {
        return None;
    }
    let u = compute_u(&big_a, &big_b);
    if u == BigUint::ZERO {
        return None;
    }
    let x = compute_x(pool_name, user_id, password, &salt);
    let kgx = (&*K * pow_mod_n(&G, &x)) % &*N;
    let base = (big_b % &*N + &*N - kgx) % &*N;
    let exp = BigUint::from_bytes_be(client.a.expose()) + &u * &x;
    Some(math::derive_key(&pow_mod_n(&base, &exp), &u))
}

/// PASSWORD_CLAIM_SIGNATURE (standard base64) for a PASSWORD_VERIFIER challenge: `user_id` is
/// USER_ID_FOR_SRP, `salt_hex`, `big_b_hex` and `secret_block_b64` are SALT, SRP_B and
/// SECRET_BLOCK, and `timestamp` is what will be sent as TIMESTAMP (see
/// [`super::cognito_timestamp`]). None on a malformed challenge.
#[allow(clippy::too_many_arguments)]
pub fn client_signature(
    client: &ClientChallenge,
    pool_name: &str,
    user_id: &str,
    password: &str,
    salt_hex: &str,
    big_b_hex: &str,
    secret_block_b64: &str,
    timestamp: &str,
) -> Option<String> {
    let block = STANDARD.decode(secret_block_b64).ok()?;
    let key = client_key(client, pool_name, user_id, password, salt_hex, big_b_hex)?;
    let mac = math::claim_mac(&key, pool_name, user_id, &block, timestamp);
    Some(STANDARD.encode(mac))
}
