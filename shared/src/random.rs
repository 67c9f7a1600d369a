//! The randomness port and the identifiers built from it (UUIDs, codes, ids, secrets).

use rand::RngCore;

/// A source of cryptographically secure random bytes.
pub trait Random: Send + Sync + 'static {
    /// Fills `buf` with random bytes.
    fn fill(&self, buf: &mut [u8]);
}

/// The process's CSPRNG: rand's `ThreadRng`, ChaCha12 per thread, seeded from the operating
/// system and reseeded from it every 64 KiB of output and after a fork. A draw costs about
/// 10 ns and no system call, where a `getrandom` per draw cost 360 ns and four system calls a
/// token refresh (issue 24; aws-lc's DRBG, tried too, took 410 ns a draw).
#[derive(Debug, Default, Clone, Copy)]
pub struct Csprng;

impl Random for Csprng {
    fn fill(&self, buf: &mut [u8]) {
        rand::thread_rng().fill_bytes(buf);
    }
}

/// `bytes` random bytes as unpadded base64url: an unguessable handle (refresh tokens, OAuth
/// codes and sessions, CSRF tokens).
pub fn url_token(random: &dyn Random, bytes: usize) -> String {
    use base64::Engine;
    let mut raw = vec![0u8; bytes];
    random.fill(&mut raw);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Draws `len` characters uniformly from `alphabet` (rejection sampling, no modulo bias).
pub fn string_from(random: &dyn Random, alphabet: &[u8], len: usize) -> String {
    let limit = 256 - (256 % alphabet.len());
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        random.fill(&mut buf);
        for &b in &buf {
            if (b as usize) < limit && out.len() < len {
                out.push(alphabet[b as usize % alphabet.len()] as char);
            }
        }
    }
    out
}

/// A number in `0..=max` (for jitter: the tiny modulo bias does not matter there).
pub fn up_to(random: &dyn Random, max: u64) -> u64 {
    let mut b = [0u8; 8];
    random.fill(&mut b);
    u64::from_le_bytes(b) % max.saturating_add(1).max(1)
}

/// A random UUID v4 string.
pub fn uuid_v4(random: &dyn Random) -> String {
    let mut b = [0u8; 16];
    random.fill(&mut b);
    uuid::Builder::from_random_bytes(b)
        .into_uuid()
        .hyphenated()
        .to_string()
}

/// A numeric code of `digits` digits (confirmation and recovery codes).
pub fn digits(random: &dyn Random, digits: usize) -> String {
    string_from(random, b"0123456789", digits)
}

/// Lowercase letters and digits (client ids and secrets).
pub const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
/// Mixed-case letters and digits (pool id suffixes).
pub const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_digits_of_the_right_length() {
        let c = digits(&Csprng, 6);
        assert_eq!(c.len(), 6);
        assert!(c.bytes().all(|b| b.is_ascii_digit()));
    }

    #[test]
    fn uuid_is_v4() {
        let u = uuid_v4(&Csprng);
        let parsed = uuid::Uuid::parse_str(&u).expect("uuid");
        assert_eq!(parsed.get_version_num(), 4);
    }
}
