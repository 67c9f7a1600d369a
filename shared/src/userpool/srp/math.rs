//! The arithmetic of Cognito's SRP-6a variant (cognito-wire.md §4): the group, `padHex`,
//! k, x, u, the HKDF key and the password-claim HMAC. Shared by the server and client sides.

use hmac::{Hmac, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The 3072-bit MODP prime of RFC 3526 §4.
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The longest hex integer accepted from the wire (N itself is 768 digits).
const MAX_HEX_DIGITS: usize = 1024;

/// The HKDF info string.
const INFO: &[u8] = b"Caldera Derived Key";

/// The modulus N.
pub(crate) static N: LazyLock<BigUint> = LazyLock::new(|| {
    BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("the RFC 3526 prime is valid hex")
});

/// The generator g = 2.
pub(crate) static G: LazyLock<BigUint> = LazyLock::new(|| BigUint::from(2u32));

/// k = H(padHex(N) || padHex(g)).
pub(crate) static K: LazyLock<BigUint> =
    LazyLock::new(|| BigUint::from_bytes_be(&sha256(&[&pad(&N), &pad(&G)])));

/// `padHex(x)` as bytes: the minimal big-endian bytes, with a leading 0x00 when the top bit is
/// set (Java's `BigInteger.toByteArray()`). Zero is the single byte 0x00.
pub(crate) fn pad(x: &BigUint) -> Vec<u8> {
    let mut bytes = x.to_bytes_be();
    if bytes.first().is_some_and(|b| *b >= 0x80) {
        bytes.insert(0, 0);
    }
    bytes
}

/// Minimal lowercase hex ("0" for zero), as the clients send A and read B and the salt.
pub(crate) fn to_hex(x: &BigUint) -> String {
    x.to_str_radix(16)
}

/// Parses a non-negative hex integer from the wire: 1..=1024 hex digits of either case,
/// nothing else (no sign, prefix, separators or whitespace).
pub(crate) fn parse_hex(s: &str) -> Option<BigUint> {
    if s.is_empty() || s.len() > MAX_HEX_DIGITS || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    BigUint::parse_bytes(s.as_bytes(), 16)
}

/// SHA-256 of the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// HMAC-SHA256 of the concatenation of `parts` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// x = H(padHex(salt) || H(utf8(pool_name || user_id || ":" || password))).
pub(crate) fn compute_x(pool_name: &str, user_id: &str, password: &str, salt: &BigUint) -> BigUint {
    let inner = sha256(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    BigUint::from_bytes_be(&sha256(&[&pad(salt), &inner]))
}

/// u = H(padHex(A) || padHex(B)).
pub(crate) fn compute_u(big_a: &BigUint, big_b: &BigUint) -> BigUint {
    BigUint::from_bytes_be(&sha256(&[&pad(big_a), &pad(big_b)]))
}

/// The 16-byte key: single-block HKDF-SHA256 with salt padHex(u), IKM padHex(S) and the info
/// "Caldera Derived Key".
pub(crate) fn derive_key(s: &BigUint, u: &BigUint) -> [u8; 16] {
    let prk = hmac_sha256(&pad(u), &[&pad(s)]);
    let okm = hmac_sha256(&prk, &[INFO, &[1u8]]);
    let mut key = [0u8; 16];
    key.copy_from_slice(&okm[..16]);
    key
}

/// PASSWORD_CLAIM_SIGNATURE before base64: HMAC-SHA256(K, pool_name || user_id || block ||
/// timestamp).
pub(crate) fn claim_mac(
    key: &[u8; 16],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    hmac_sha256(
        key,
        &[
            pool_name.as_bytes(),
            user_id.as_bytes(),
            secret_block,
            timestamp.as_bytes(),
        ],
    )
}

/// (base^exp) mod N.
pub(crate) fn pow_mod_n(base: &BigUint, exp: &BigUint) -> BigUint {
    base.modpow(exp, &N)
}

/// True when `x` is 0 mod N.
pub(crate) fn is_zero_mod_n(x: &BigUint) -> bool {
    (x % &*N) == BigUint::ZERO
}
