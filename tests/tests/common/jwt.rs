//! JWT verification with `jsonwebtoken` against a pool's JWKS.

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// Verified JWT claims.
pub type Claims = Map<String, Value>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    Id,
    Access,
}

/// Verifies `token` (RS256, key by `kid` from `jwks`, `iss`, `exp`) with `jsonwebtoken`.
/// ID tokens must have `aud == client`; access tokens have no `aud` and `client_id == client`.
pub fn verify_token(
    jwks: &Value,
    issuer: &str,
    token: &str,
    kind: TokenUse,
    client: &str,
) -> Claims {
    let header = decode_header(token).unwrap_or_else(|e| panic!("{kind:?} token header: {e}"));
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header
        .kid
        .unwrap_or_else(|| panic!("{kind:?} token without kid"));
    let jwk = jwk_by_kid(jwks, &kid);
    let (n, e) = (jwk["n"].as_str().expect("n"), jwk["e"].as_str().expect("e"));
    let key = DecodingKey::from_rsa_components(n, e).expect("RSA components");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    match kind {
        TokenUse::Id => {
            validation.set_audience(&[client]);
            validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        }
        TokenUse::Access => {
            validation.validate_aud = false;
            validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        }
    }
    let claims = decode::<Claims>(token, &key, &validation)
        .unwrap_or_else(|e| panic!("{kind:?} token fails verification: {e}"))
        .claims;
    match kind {
        TokenUse::Id => assert_eq!(claims["token_use"], "id"),
        TokenUse::Access => {
            assert_eq!(claims["token_use"], "access");
            assert!(!claims.contains_key("aud"), "access token has no aud");
            assert_eq!(claims["client_id"], client);
        }
    }
    claims
}

/// The JWK with this `kid`; panics if the set lacks it.
pub fn jwk_by_kid<'a>(jwks: &'a Value, kid: &str) -> &'a Value {
    let keys = jwks["keys"]
        .as_array()
        .unwrap_or_else(|| panic!("JWKS without keys: {jwks}"));
    keys.iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("kid {kid} not in JWKS {jwks}"))
}

/// The `kid` in a token's header.
pub fn kid_of(token: &str) -> String {
    decode_header(token).expect("JWT header").kid.expect("kid")
}
