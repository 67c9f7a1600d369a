//! A passkey registered the way a browser does it, for the console's user page: the pool
//! turned on for passkeys (relying party `localhost`), StartWebAuthnRegistration with the
//! user's access token, and CompleteWebAuthnRegistration with what a software authenticator
//! answers (attestation `none`, so no signature; the public key is P-256's base point, a
//! valid key nobody needs the private half of here).

use crate::common::Harness;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The page origin the registration claims (localhost on any port is the relying party's).
const ORIGIN: &str = "http://localhost:5173";

/// P-256's base point (x, y).
const X: &str = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
const Y: &str = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

async fn ok(h: &Harness, op: &str, body: Value) -> Value {
    let (status, reply) = h.raw_call(op, body.to_string()).await;
    assert_eq!(status, 200, "{op}: {reply}");
    reply
}

/// Turns passkeys on for `pool` (first factors PASSWORD and WEB_AUTHN, relying party
/// `localhost`).
pub async fn enable(h: &Harness, pool: &str) {
    let factors =
        json!({ "SignInPolicy": { "AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"] } });
    ok(
        h,
        "UpdateUserPool",
        json!({ "UserPoolId": pool, "Policies": factors }),
    )
    .await;
    let webauthn = json!({ "RelyingPartyId": "localhost", "UserVerification": "preferred" });
    ok(
        h,
        "SetUserPoolMfaConfig",
        json!({ "UserPoolId": pool, "WebAuthnConfiguration": webauthn }),
    )
    .await;
}

/// Registers a passkey with credential id `id` (16 bytes) for the holder of `access_token`;
/// returns the credential id as the API names it (base64url).
pub async fn register(h: &Harness, access_token: &str, id: [u8; 16]) -> String {
    let start = ok(
        h,
        "StartWebAuthnRegistration",
        json!({ "AccessToken": access_token }),
    )
    .await;
    let options = &start["CredentialCreationOptions"];
    let rp_id = options["rp"]["id"].as_str().expect("rp.id");
    let client_data = json!({
        "type": "webauthn.create",
        "challenge": options["challenge"],
        "origin": ORIGIN,
        "crossOrigin": false,
    })
    .to_string();
    // COSE key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
    let mut cose = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20];
    cose.extend(hex(X));
    cose.extend([0x22, 0x58, 0x20]);
    cose.extend(hex(Y));
    let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
    auth_data.push(0x45); // user present, user verified, attested credential data
    auth_data.extend([0; 4]); // sign count
    auth_data.extend([0; 16]); // AAGUID
    auth_data.extend((id.len() as u16).to_be_bytes());
    auth_data.extend(id);
    auth_data.extend(cose);
    // CBOR {"fmt": "none", "attStmt": {}, "authData": bytes}.
    let mut attestation = vec![0xa3, 0x63];
    attestation.extend(b"fmt");
    attestation.push(0x64);
    attestation.extend(b"none");
    attestation.push(0x67);
    attestation.extend(b"attStmt");
    attestation.push(0xa0);
    attestation.push(0x68);
    attestation.extend(b"authData");
    attestation.extend([0x58, u8::try_from(auth_data.len()).expect("short authData")]);
    attestation.extend(auth_data);
    let credential_id = URL_SAFE_NO_PAD.encode(id);
    let credential = json!({
        "id": credential_id,
        "rawId": credential_id,
        "type": "public-key",
        "authenticatorAttachment": "platform",
        "clientExtensionResults": {},
        "response": {
            "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
            "attestationObject": URL_SAFE_NO_PAD.encode(attestation),
            "transports": ["internal", "hybrid"],
        },
    });
    ok(
        h,
        "CompleteWebAuthnRegistration",
        json!({ "AccessToken": access_token, "Credential": credential }),
    )
    .await;
    credential_id
}
