//! A software passkey for the benchmark: an ECDSA P-256 key (ring) that answers WebAuthn
//! registration and sign-in ceremonies as a browser with a platform authenticator does, in
//! the JSON shapes Cognito's APIs take (RegistrationResponseJSON, AuthenticationResponseJSON),
//! with attestation `none`, user presence and user verification set.

use anyhow::{Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU32, Ordering};

/// User present, user verified.
const UP_UV: u8 = 0x01 | 0x04;
/// ... and attested credential data follows.
const AT: u8 = 0x40;

/// One credential on one authenticator.
pub struct SoftPasskey {
    key: EcdsaKeyPair,
    id: Vec<u8>,
    origin: String,
    counter: AtomicU32,
    rng: SystemRandom,
}

impl SoftPasskey {
    /// A new credential whose ceremonies come from `origin` (e.g. `http://localhost:3000`).
    pub fn new(origin: &str) -> Result<Self> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .map_err(|_| anyhow::anyhow!("P-256 key generation failed"))?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|_| anyhow::anyhow!("P-256 key unreadable"))?;
        let id = Sha256::digest(key.public_key().as_ref())[..16].to_vec();
        Ok(Self {
            key,
            id,
            origin: origin.to_string(),
            counter: AtomicU32::new(0),
            rng,
        })
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    /// The answer to StartWebAuthnRegistration's `CredentialCreationOptions`.
    pub fn register(&self, options: &Value) -> Result<Value> {
        let challenge = options["challenge"].as_str().context("challenge")?;
        let rp_id = options["rp"]["id"].as_str().context("rp.id")?;
        let client_data = self.client_data("webauthn.create", challenge);
        let point = self.key.public_key().as_ref();
        let cose_key = cbor_map(&[
            (cbor_int(1), cbor_int(2)),
            (cbor_int(3), cbor_int(-7)),
            (cbor_int(-1), cbor_int(1)),
            (cbor_int(-2), cbor_bytes(&point[1..33])),
            (cbor_int(-3), cbor_bytes(&point[33..65])),
        ]);
        let mut auth_data = self.auth_data_head(rp_id, UP_UV | AT, 0);
        auth_data.extend_from_slice(&[0u8; 16]);
        auth_data.extend_from_slice(&(self.id.len() as u16).to_be_bytes());
        auth_data.extend_from_slice(&self.id);
        auth_data.extend_from_slice(&cose_key);
        let attestation = cbor_map(&[
            (cbor_text("fmt"), cbor_text("none")),
            (cbor_text("attStmt"), cbor_map(&[])),
            (cbor_text("authData"), cbor_bytes(&auth_data)),
        ]);
        let id = URL_SAFE_NO_PAD.encode(&self.id);
        Ok(json!({
            "id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(&client_data),
                "attestationObject": URL_SAFE_NO_PAD.encode(&attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }))
    }

    /// The answer to a WEB_AUTHN challenge's `CREDENTIAL_REQUEST_OPTIONS`, as the JSON text
    /// Cognito takes in `CREDENTIAL`.
    pub fn assert(&self, options: &Value) -> Result<String> {
        let challenge = options["challenge"].as_str().context("challenge")?;
        let rp_id = options["rpId"].as_str().context("rpId")?;
        let client_data = self.client_data("webauthn.get", challenge);
        let counter = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let auth_data = self.auth_data_head(rp_id, UP_UV, counter);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature = self
            .key
            .sign(&self.rng, &signed)
            .map_err(|_| anyhow::anyhow!("signing failed"))?;
        let id = URL_SAFE_NO_PAD.encode(&self.id);
        Ok(json!({
            "id": id, "rawId": id, "type": "public-key", "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(&client_data),
                "authenticatorData": URL_SAFE_NO_PAD.encode(&auth_data),
                "signature": URL_SAFE_NO_PAD.encode(signature.as_ref()),
            },
            "clientExtensionResults": {},
        })
        .to_string())
    }

    fn auth_data_head(&self, rp_id: &str, flags: u8, counter: u32) -> Vec<u8> {
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&counter.to_be_bytes());
        data
    }
}

/// A CBOR head: major type and argument.
fn cbor_head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
    }
}

fn cbor_int(n: i64) -> Vec<u8> {
    if n >= 0 {
        cbor_head(0, n as u64)
    } else {
        cbor_head(1, (-1 - n) as u64)
    }
}

fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    [cbor_head(2, b.len() as u64), b.to_vec()].concat()
}

fn cbor_text(s: &str) -> Vec<u8> {
    [cbor_head(3, s.len() as u64), s.as_bytes().to_vec()].concat()
}

fn cbor_map(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut out = cbor_head(5, entries.len() as u64);
    for (k, v) in entries {
        out.extend_from_slice(k);
        out.extend_from_slice(v);
    }
    out
}
