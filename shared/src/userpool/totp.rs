//! TOTP for SOFTWARE_TOKEN_MFA (RFC 6238): HMAC-SHA1, 6 digits, 30-second steps, over a
//! Base32 secret (RFC 4648, uppercase, no padding) as AssociateSoftwareToken hands it out.

use crate::random::Random;
use crate::secret::constant_time_eq;
use aws_lc_rs::hmac;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Bytes of a new secret (160 bits, 32 Base32 characters).
const SECRET_BYTES: usize = 20;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new random secret: 32 Base32 characters (160 bits).
pub fn new_secret(random: &dyn Random) -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    random.fill(&mut bytes);
    base32_encode(&bytes)
}

/// The code for the step holding `unix_secs`. None for a secret that is not Base32 (either
/// case, trailing '=' allowed) or empty, or a time before 1970.
pub fn code_at(secret_b32: &str, unix_secs: i64) -> Option<String> {
    let key = base32_decode(secret_b32)?;
    if unix_secs < 0 {
        return None;
    }
    Some(code_for_step(&key, unix_secs / STEP_SECS))
}

/// Checks `code` against the current step and one step either side. Returns the matched step
/// (the latest if several match) so a caller can refuse a replay by remembering the last one.
pub fn verify(secret_b32: &str, code: &str, unix_secs: i64) -> Option<i64> {
    let key = base32_decode(secret_b32)?;
    if unix_secs < 0 || code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_secs / STEP_SECS;
    let mut matched = None;
    for step in [now - 1, now, now + 1] {
        if step >= 0 && constant_time_eq(code_for_step(&key, step).as_bytes(), code.as_bytes()) {
            matched = Some(step);
        }
    }
    matched
}

/// RFC 4226 HOTP over the step counter, truncated to 6 digits.
fn code_for_step(key: &[u8], step: i64) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, key);
    let tag = hmac::sign(&key, &step.to_be_bytes());
    let mac = tag.as_ref();
    let offset = (mac[mac.len() - 1] & 0x0f) as usize;
    let word = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    format!("{:06}", word % 1_000_000)
}

/// RFC 4648 Base32, uppercase, no padding.
fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes Base32 of either case, ignoring trailing '=' padding. None on any other character
/// or an empty secret.
fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    if s.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Csprng;

    /// Base32 of the RFC 6238 SHA-1 seed "12345678901234567890".
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn matches_rfc_6238_sha1_vectors() {
        assert_eq!(base32_encode(b"12345678901234567890"), RFC_SECRET);
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(RFC_SECRET, t).as_deref(), Some(code), "t={t}");
            assert_eq!(verify(RFC_SECRET, code, t), Some(t / 30));
        }
        assert_eq!(
            code_at(&RFC_SECRET.to_lowercase(), 59).as_deref(),
            Some("287082")
        );
    }

    #[test]
    fn accepts_one_step_either_side_only() {
        let t = 1_234_567_890;
        let code = code_at(RFC_SECRET, t).expect("code");
        assert_eq!(verify(RFC_SECRET, &code, t - 30), Some(t / 30));
        assert_eq!(verify(RFC_SECRET, &code, t + 30), Some(t / 30));
        assert_eq!(verify(RFC_SECRET, &code, t - 60), None);
        assert_eq!(verify(RFC_SECRET, &code, t + 60), None);
    }

    #[test]
    fn refuses_malformed_input() {
        for code in ["", "12345", "1234567", "12345a", " 05924", "+05924"] {
            assert_eq!(verify(RFC_SECRET, code, 1_234_567_890), None, "{code:?}");
        }
        for secret in ["", "====", "GEZDGNB1", "GEZ DGNB", "ä"] {
            assert_eq!(code_at(secret, 59), None, "{secret:?}");
            assert_eq!(verify(secret, "287082", 59), None);
        }
        assert_eq!(code_at(RFC_SECRET, -1), None);
    }

    #[test]
    fn new_secrets_are_32_base32_chars_and_usable() {
        let s = new_secret(&Csprng);
        assert_eq!(s.len(), 32);
        assert!(s.bytes().all(|b| BASE32.contains(&b)));
        assert_eq!(base32_decode(&s).map(|k| k.len()), Some(20));
        assert_eq!(base32_encode(&base32_decode(&s).expect("decodes")), s);
        assert_ne!(s, new_secret(&Csprng));
        let code = code_at(&s, 1_700_000_000).expect("code");
        assert_eq!(verify(&s, &code, 1_700_000_000), Some(1_700_000_000 / 30));
    }
}
