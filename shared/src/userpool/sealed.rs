//! Sealed blobs: state the server hands to a client and gets back unchanged (SRP's
//! SECRET_BLOCK), encrypted and authenticated with AES-256-GCM.
//!
//! Format: standard base64 (with padding, as pycognito needs) of nonce (12 bytes) ||
//! ciphertext || tag (16 bytes). The nonce is random, so one key is good for about 2^32 seals.
//! Expiry is the caller's: put an issued-at time in the plaintext.

use crate::random::Random;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Bytes of the GCM tag.
const TAG_LEN: usize = 16;

fn key(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("AES-256 takes a 32-byte key"))
}

/// Encrypts and authenticates `plaintext` under `key` with a fresh random nonce.
pub fn seal(key_bytes: &[u8; 32], plaintext: &[u8], random: &dyn Random) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    random.fill(&mut nonce);
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    let mut body = plaintext.to_vec();
    key(key_bytes)
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut body)
        .expect("AES-GCM seals any plaintext under 64 GiB");
    out.extend_from_slice(&body);
    STANDARD.encode(out)
}

/// Decrypts a blob made by [`seal`] under `key`. None when it is not standard base64, too
/// short, made under another key, or altered in any way.
pub fn open(key_bytes: &[u8; 32], sealed_b64: &str) -> Option<Vec<u8>> {
    let raw = STANDARD.decode(sealed_b64).ok()?;
    if raw.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, body) = raw.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut body = body.to_vec();
    let plain = key(key_bytes)
        .open_in_place(nonce, Aad::empty(), &mut body)
        .ok()?;
    Some(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Csprng;

    const KEY: [u8; 32] = [7u8; 32];

    #[test]
    fn round_trips_and_differs_each_time() {
        let a = seal(&KEY, b"pool|user|b|B|client|1700000000", &Csprng);
        let b = seal(&KEY, b"pool|user|b|B|client|1700000000", &Csprng);
        assert_ne!(a, b);
        assert_eq!(
            open(&KEY, &a).as_deref(),
            Some(&b"pool|user|b|B|client|1700000000"[..])
        );
        assert_eq!(open(&KEY, &seal(&KEY, b"", &Csprng)), Some(vec![]));
        assert!(STANDARD.decode(&a).is_ok(), "standard base64");
    }

    #[test]
    fn refuses_tampering_other_keys_and_garbage() {
        let sealed = seal(&KEY, b"secret state", &Csprng);
        let raw = STANDARD.decode(&sealed).expect("base64");
        for i in 0..raw.len() {
            let mut t = raw.clone();
            t[i] ^= 0x01;
            assert_eq!(open(&KEY, &STANDARD.encode(&t)), None, "byte {i}");
        }
        assert_eq!(open(&KEY, &STANDARD.encode(&raw[..raw.len() - 1])), None);
        let mut longer = raw.clone();
        longer.push(0);
        assert_eq!(open(&KEY, &STANDARD.encode(&longer)), None);
        assert_eq!(open(&[8u8; 32], &sealed), None);
        let url_safe = sealed.replace('+', "-").replace('/', "_");
        if url_safe != sealed {
            assert_eq!(open(&KEY, &url_safe), None);
        }
        for garbage in ["", "====", "not base64!", "AAAA", &"A".repeat(40)] {
            assert_eq!(open(&KEY, garbage), None, "{garbage:?}");
        }
    }
}
