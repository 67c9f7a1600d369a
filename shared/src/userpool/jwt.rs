//! Compact JWS (RS256) encoding and strict verification: alg, kid, signature, iss, token_use,
//! client and exp are all checked before a token is believed.

use super::keys::SigningKey;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// A JWS header as Cognito writes it: `{"kid","alg":"RS256"}`, no `typ`.
#[derive(Debug, Serialize)]
pub struct Header<'a> {
    /// The signing key's id.
    pub kid: &'a str,
    /// Always RS256.
    pub alg: &'static str,
}

/// Signs `claims` (a claims struct, or a map) as a compact JWS with header
/// `{"kid","alg":"RS256"}` (no `typ`, as Cognito).
pub fn encode<C: Serialize + ?Sized>(key: &SigningKey, claims: &C) -> String {
    let header = Header {
        kid: key.kid(),
        alg: "RS256",
    };
    // Headers and claims are structs and string-keyed maps, which always serialize.
    let mut out = String::with_capacity(1500);
    URL_SAFE_NO_PAD.encode_string(serde_json::to_vec(&header).unwrap_or_default(), &mut out);
    out.push('.');
    let mut json = Vec::with_capacity(1024);
    if serde_json::to_writer(&mut json, claims).is_err() {
        json.clear();
    }
    URL_SAFE_NO_PAD.encode_string(json, &mut out);
    let sig = key.sign(out.as_bytes());
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(sig, &mut out);
    out
}

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum JwtError {
    /// Malformed, wrong alg or kid, bad signature, or wrong iss / token_use / client.
    Invalid,
    /// Past `exp`.
    Expired,
}

/// What a verified token must match.
pub struct Expect<'a> {
    /// The key that must have signed it.
    pub key: &'a SigningKey,
    /// Exact `iss`.
    pub issuer: &'a str,
    /// `id` or `access`.
    pub token_use: &'a str,
    /// Required client (`aud` for ID tokens, `client_id` for access), if known.
    pub client_id: Option<&'a str>,
    /// Now, epoch seconds.
    pub now: i64,
}

/// The registered claims [`verify`] checks, as a claims type gives them.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Registered<'a> {
    /// `iss`.
    pub iss: Option<&'a str>,
    /// `token_use` (`id` or `access`).
    pub token_use: Option<&'a str>,
    /// `aud` (ID tokens name their client here).
    pub aud: Option<&'a str>,
    /// `client_id` (access tokens name their client here).
    pub client_id: Option<&'a str>,
    /// `exp`, epoch seconds.
    pub exp: Option<i64>,
}

/// A token's claims as a caller reads them: the whole object as a map, or a struct of only
/// the claims it needs (read straight from the payload, with no map in between: the access
/// checks of every signed-in call do this).
pub trait Claims: DeserializeOwned {
    /// The claims [`verify`] checks. A claim of the wrong type reads as absent, and fails the
    /// check.
    fn registered(&self) -> Registered<'_>;
}

impl Claims for Map<String, Value> {
    fn registered(&self) -> Registered<'_> {
        let s = |name: &str| self.get(name).and_then(Value::as_str);
        Registered {
            iss: s("iss"),
            token_use: s("token_use"),
            aud: s("aud"),
            client_id: s("client_id"),
            exp: self.get("exp").and_then(Value::as_i64),
        }
    }
}

/// Reads the claims of a JWS without verifying it (to find the pool before the key is known).
pub fn peek_claims(token: &str) -> Option<Map<String, Value>> {
    peek(token)
}

/// Reads a JWS's payload as `C` without verifying it; `None` when it is not base64url JSON
/// that reads as `C` (for a map: not an object).
fn peek<C: DeserializeOwned>(token: &str) -> Option<C> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Checks a compact JWS's header (`alg` must be RS256) and signature with `check(kid,
/// signed bytes, signature)`, returning the claims. Claims are NOT validated here.
pub fn decode_verified(
    token: &str,
    check: impl FnOnce(&str, &[u8], &[u8]) -> bool,
) -> Result<Map<String, Value>, JwtError> {
    check_signature(token, check)?;
    peek_claims(token).ok_or(JwtError::Invalid)
}

/// The `kid` a token's header names (not yet believed: it picks the key to verify with).
pub fn peek_kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let bytes = URL_SAFE_NO_PAD.decode(header).ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v["kid"].as_str().map(str::to_string)
}

/// The header and signature half of [`decode_verified`].
fn check_signature(
    token: &str,
    check: impl FnOnce(&str, &[u8], &[u8]) -> bool,
) -> Result<(), JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Invalid);
    };
    let bytes = URL_SAFE_NO_PAD.decode(h).map_err(|_| JwtError::Invalid)?;
    let header: ReadHeader<'_> = serde_json::from_slice(&bytes).map_err(|_| JwtError::Invalid)?;
    let kid = header.kid.as_deref().unwrap_or_default();
    if header.alg.as_deref() != Some("RS256") {
        return Err(JwtError::Invalid);
    }
    let sig = URL_SAFE_NO_PAD.decode(s).map_err(|_| JwtError::Invalid)?;
    let signed_len = h.len() + 1 + p.len();
    if !check(kid, &token.as_bytes()[..signed_len], &sig) {
        return Err(JwtError::Invalid);
    }
    Ok(())
}

/// The header members a check reads (`kid` picks the key; `alg` must be RS256).
#[derive(Deserialize)]
struct ReadHeader<'a> {
    #[serde(borrow, default)]
    kid: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    alg: Option<Cow<'a, str>>,
}

/// A token whose claims have been read but not yet believed: a caller that must look at them
/// to find the key (the pool in `iss`) verifies the same token afterwards without decoding
/// its payload a second time.
pub struct Unverified<'a, C = Map<String, Value>> {
    token: &'a str,
    claims: C,
}

impl<'a, C: Claims> Unverified<'a, C> {
    /// Reads the claims of `token`; `None` when they are not base64url JSON that reads as `C`.
    pub fn read(token: &'a str) -> Option<Self> {
        Some(Self {
            token,
            claims: peek(token)?,
        })
    }

    /// The claims, unverified: only for choosing what to verify against.
    pub fn claims(&self) -> &C {
        &self.claims
    }

    /// Verifies the token against `expect` (signature first, then the claims), returning
    /// its claims.
    pub fn verify(self, expect: &Expect<'_>) -> Result<C, JwtError> {
        check_signature(self.token, |kid, msg, sig| {
            kid == expect.key.kid() && expect.key.verify(msg, sig)
        })?;
        check_claims(&self.claims, expect)?;
        Ok(self.claims)
    }
}

/// Verifies a token against `expect`, returning its claims.
pub fn verify<C: Claims>(token: &str, expect: &Expect<'_>) -> Result<C, JwtError> {
    Unverified::read(token)
        .ok_or(JwtError::Invalid)?
        .verify(expect)
}

/// The claim checks of [`verify`], on claims whose signature has been checked.
fn check_claims(claims: &impl Claims, expect: &Expect<'_>) -> Result<(), JwtError> {
    let r = claims.registered();
    let client = if expect.token_use == "id" {
        r.aud
    } else {
        r.client_id
    };
    let client_ok = expect.client_id.is_none_or(|c| client == Some(c));
    if r.iss != Some(expect.issuer) || r.token_use != Some(expect.token_use) || !client_ok {
        return Err(JwtError::Invalid);
    }
    let exp = r.exp.ok_or(JwtError::Invalid)?;
    if expect.now >= exp {
        return Err(JwtError::Expired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What the tests' tokens are checked against.
    fn expect<'a>(key: &'a SigningKey, client_id: Option<&'a str>, now: i64) -> Expect<'a> {
        Expect {
            key,
            issuer: "http://x/p",
            token_use: "access",
            client_id,
            now,
        }
    }

    /// [`super::verify`] reading the claims as a map.
    fn verify(token: &str, expect: &Expect<'_>) -> Result<Map<String, Value>, JwtError> {
        super::verify(token, expect)
    }

    fn claims(exp: i64) -> Map<String, Value> {
        json!({"iss": "http://x/p", "token_use": "access", "client_id": "c", "exp": exp})
            .as_object()
            .cloned()
            .unwrap()
    }

    #[test]
    fn checks_every_field() {
        let key = SigningKey::generate().unwrap();
        let other = SigningKey::generate().unwrap();
        let t = encode(&key, &claims(100));
        let ok = expect(&key, Some("c"), 50);
        assert_eq!(verify(&t, &ok).unwrap()["client_id"], "c");
        assert_eq!(
            verify(&t, &Expect { now: 100, ..ok }),
            Err(JwtError::Expired)
        );
        assert_eq!(
            verify(&t, &Expect { key: &other, ..ok }),
            Err(JwtError::Invalid)
        );
        assert_eq!(
            verify(
                &t,
                &Expect {
                    issuer: "http://y/p",
                    ..ok
                }
            ),
            Err(JwtError::Invalid)
        );
        assert_eq!(
            verify(
                &t,
                &Expect {
                    token_use: "id",
                    ..ok
                }
            ),
            Err(JwtError::Invalid)
        );
        assert_eq!(
            verify(
                &t,
                &Expect {
                    client_id: Some("d"),
                    ..ok
                }
            ),
            Err(JwtError::Invalid)
        );
        // A flipped payload byte breaks the signature.
        let mut forged: Vec<char> = t.chars().collect();
        let i = t.find('.').unwrap() + 3;
        forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
        let forged: String = forged.into_iter().collect();
        assert_eq!(verify(&forged, &ok), Err(JwtError::Invalid));
    }

    #[test]
    fn refuses_alg_none_and_hs256() {
        let key = SigningKey::generate().unwrap();
        let ok = expect(&key, None, 0);
        let body = URL_SAFE_NO_PAD.encode(Value::Object(claims(100)).to_string());
        for alg in ["none", "HS256"] {
            let h = URL_SAFE_NO_PAD.encode(json!({"alg": alg, "kid": key.kid()}).to_string());
            assert_eq!(verify(&format!("{h}.{body}."), &ok), Err(JwtError::Invalid));
        }
        // A header that is not an object, or names no alg, is refused too.
        for header in ["[1]", "{\"kid\":\"k\"}", "{\"alg\":7}"] {
            let h = URL_SAFE_NO_PAD.encode(header);
            assert_eq!(
                verify(&format!("{h}.{body}.AA"), &ok),
                Err(JwtError::Invalid)
            );
        }
    }
}
