//! The AWS Encryption SDK message format, encrypt side only, for the one shape Cognito sends to
//! custom sender functions: message format version 1, algorithm suite 0x0378
//! (AES-256-GCM, HKDF-SHA384 key derivation, ECDSA P-384 signature, not key-committing), a
//! framed body (4096-byte frames), one encrypted data key. A function that decrypts with any
//! ESDK (AWS's samples use a KMS keyring and REQUIRE_ENCRYPT_ALLOW_DECRYPT) reads it as it
//! reads Cognito's.
//!
//! Pure: the data key and its encrypted copy come in (the KMS adapter makes them), bytes come
//! out. The layout follows the ESDK specification's data-format pages (message-header,
//! message-body, message-footer) and matches a real Cognito ciphertext byte for byte in
//! structure (see the tests).

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use aws_lc_rs::hkdf::{Salt, HKDF_SHA384};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{EcdsaKeyPair, KeyPair, ECDSA_P384_SHA384_ASN1_SIGNING};
use std::collections::BTreeMap;

/// The algorithm suite id: AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384.
pub const SUITE: u16 = 0x0378;
/// The encryption context key under which signing suites carry the public key.
pub const PUBLIC_KEY_CONTEXT: &str = "aws-crypto-public-key";
/// The frame length Cognito (and every ESDK by default) uses.
pub const FRAME_LENGTH: u32 = 4096;
/// The length of a data key for this suite.
pub const DATA_KEY_LEN: usize = 32;
const IV_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The DER length every ESDK gives its P-384 signatures (it signs again until it has one).
const SIGNATURE_LEN: usize = 103;

/// Why a message could not be made.
#[derive(Debug, thiserror::Error)]
pub enum EsdkError {
    /// A field is too long for its length prefix.
    #[error("esdk: {0} is too long")]
    TooLong(&'static str),
    /// The crypto library failed.
    #[error("esdk: {0}")]
    Crypto(&'static str),
}

/// An encrypted copy of the data key, as a keyring made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedDataKey {
    /// `aws-kms` for KMS keyrings.
    pub provider_id: String,
    /// The KMS key ARN.
    pub provider_info: String,
    /// KMS's ciphertext blob.
    pub ciphertext: Vec<u8>,
}

/// The message's signing key, made fresh for each message; its public half goes into the
/// encryption context before the data key is asked for.
pub struct Signer {
    pair: EcdsaKeyPair,
    public_key: String,
}

impl Signer {
    /// A new P-384 key pair.
    pub fn generate() -> Result<Self, EsdkError> {
        use base64::Engine;
        let pair = EcdsaKeyPair::generate(&ECDSA_P384_SHA384_ASN1_SIGNING)
            .map_err(|_| EsdkError::Crypto("key generation failed"))?;
        let compressed = compress(pair.public_key().as_ref())?;
        let public_key = base64::engine::general_purpose::STANDARD.encode(compressed);
        Ok(Self { pair, public_key })
    }

    /// The public key as the encryption context carries it: the SEC1 compressed point, base64.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The encryption context for `context` plus this key: what KMS must be given when the
    /// data key is made, and what the header carries.
    pub fn context(&self, context: &[(&str, &str)]) -> BTreeMap<String, String> {
        let mut all: BTreeMap<String, String> = context
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        all.insert(PUBLIC_KEY_CONTEXT.into(), self.public_key.clone());
        all
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, EsdkError> {
        let rng = SystemRandom::new();
        // About one signature in four has the fixed length; 64 tries all missing it is
        // far less likely than a hardware fault.
        for _ in 0..64 {
            let signature = self
                .pair
                .sign(&rng, message)
                .map_err(|_| EsdkError::Crypto("signing failed"))?;
            if signature.as_ref().len() == SIGNATURE_LEN {
                return Ok(signature.as_ref().to_vec());
            }
        }
        Err(EsdkError::Crypto("no fixed-length signature"))
    }
}

/// `0x04 || X || Y` → `0x02|0x03 || X`.
fn compress(uncompressed: &[u8]) -> Result<Vec<u8>, EsdkError> {
    let (x, y) = match uncompressed {
        [0x04, rest @ ..] if rest.len() == 96 => rest.split_at(48),
        _ => return Err(EsdkError::Crypto("unexpected public key encoding")),
    };
    let mut out = Vec::with_capacity(49);
    out.push(0x02 | (y[47] & 1));
    out.extend_from_slice(x);
    Ok(out)
}

/// Encrypts `plaintext` into an ESDK message under `data_key` (plaintext, 32 bytes), whose
/// encrypted copy is `edk`. `context` is the full encryption context, the signer's public key
/// included ([`Signer::context`]); `message_id` must be random.
pub fn encrypt(
    plaintext: &[u8],
    data_key: &[u8; DATA_KEY_LEN],
    edk: &EncryptedDataKey,
    context: &BTreeMap<String, String>,
    signer: &Signer,
    message_id: [u8; 16],
) -> Result<Vec<u8>, EsdkError> {
    let key = derive_key(data_key, &message_id)?;
    let mut out = header(context, edk, &message_id)?;
    // Header authentication: a tag over the header with an all-zero IV (v1 format).
    let tag = seal(&key, [0u8; IV_LEN], &out, &mut [])?;
    out.extend_from_slice(&[0u8; IV_LEN]);
    out.extend_from_slice(&tag);
    body(&mut out, &key, &message_id, plaintext)?;
    let signature = signer.sign(&out)?;
    out.extend_from_slice(&u16_len(signature.len(), "signature")?.to_be_bytes());
    out.extend_from_slice(&signature);
    Ok(out)
}

/// HKDF-SHA384(salt none, ikm = data key, info = suite id || message id), 32 bytes.
fn derive_key(
    data_key: &[u8; DATA_KEY_LEN],
    message_id: &[u8; 16],
) -> Result<LessSafeKey, EsdkError> {
    let mut info = SUITE.to_be_bytes().to_vec();
    info.extend_from_slice(message_id);
    let info = [info.as_slice()];
    let prk = Salt::new(HKDF_SHA384, &[]).extract(data_key);
    let okm = prk
        .expand(&info, &AES_256_GCM)
        .map_err(|_| EsdkError::Crypto("key derivation failed"))?;
    Ok(LessSafeKey::new(UnboundKey::from(okm)))
}

/// Encrypts `data` in place and returns the tag.
fn seal(
    key: &LessSafeKey,
    iv: [u8; IV_LEN],
    aad: &[u8],
    data: &mut [u8],
) -> Result<[u8; TAG_LEN], EsdkError> {
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad), data)
        .map_err(|_| EsdkError::Crypto("encryption failed"))?;
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(tag.as_ref());
    Ok(out)
}

fn u16_len(len: usize, what: &'static str) -> Result<u16, EsdkError> {
    u16::try_from(len).map_err(|_| EsdkError::TooLong(what))
}

fn put_field(out: &mut Vec<u8>, bytes: &[u8], what: &'static str) -> Result<(), EsdkError> {
    out.extend_from_slice(&u16_len(bytes.len(), what)?.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

/// The header up to (not including) its authentication tag.
fn header(
    context: &BTreeMap<String, String>,
    edk: &EncryptedDataKey,
    message_id: &[u8; 16],
) -> Result<Vec<u8>, EsdkError> {
    let mut out = vec![0x01, 0x80];
    out.extend_from_slice(&SUITE.to_be_bytes());
    out.extend_from_slice(message_id);
    // The encryption context, sorted by key (a BTreeMap of UTF-8 strings sorts bytewise).
    let mut aad = Vec::new();
    if !context.is_empty() {
        aad.extend_from_slice(&u16_len(context.len(), "encryption context")?.to_be_bytes());
        for (k, v) in context {
            put_field(&mut aad, k.as_bytes(), "encryption context key")?;
            put_field(&mut aad, v.as_bytes(), "encryption context value")?;
        }
    }
    put_field(&mut out, &aad, "encryption context")?;
    out.extend_from_slice(&1u16.to_be_bytes());
    put_field(&mut out, edk.provider_id.as_bytes(), "provider id")?;
    put_field(&mut out, edk.provider_info.as_bytes(), "provider info")?;
    put_field(&mut out, &edk.ciphertext, "encrypted data key")?;
    out.push(0x02); // framed content
    out.extend_from_slice(&[0, 0, 0, 0]); // reserved
    out.push(IV_LEN as u8);
    out.extend_from_slice(&FRAME_LENGTH.to_be_bytes());
    Ok(out)
}

/// The frames: full regular frames, then a final frame holding the rest (1..=frame length
/// bytes; 0 only for an empty plaintext).
fn body(
    out: &mut Vec<u8>,
    key: &LessSafeKey,
    message_id: &[u8; 16],
    plaintext: &[u8],
) -> Result<(), EsdkError> {
    let frame = FRAME_LENGTH as usize;
    let count = plaintext.len().div_ceil(frame).max(1);
    for (i, chunk) in (0..count).map(|i| {
        (
            i,
            &plaintext[i * frame..plaintext.len().min((i + 1) * frame)],
        )
    }) {
        let sequence = u32::try_from(i + 1).map_err(|_| EsdkError::TooLong("plaintext"))?;
        let last = i + 1 == count;
        let mut iv = [0u8; IV_LEN];
        iv[IV_LEN - 4..].copy_from_slice(&sequence.to_be_bytes());
        let label: &[u8] = if last {
            b"AWSKMSEncryptionClient Final Frame"
        } else {
            b"AWSKMSEncryptionClient Frame"
        };
        let mut aad = message_id.to_vec();
        aad.extend_from_slice(label);
        aad.extend_from_slice(&sequence.to_be_bytes());
        aad.extend_from_slice(&(chunk.len() as u64).to_be_bytes());
        let mut data = chunk.to_vec();
        let tag = seal(key, iv, &aad, &mut data)?;
        if last {
            out.extend_from_slice(&u32::MAX.to_be_bytes());
        }
        out.extend_from_slice(&sequence.to_be_bytes());
        out.extend_from_slice(&iv);
        if last {
            let len = u32::try_from(data.len()).map_err(|_| EsdkError::TooLong("frame"))?;
            out.extend_from_slice(&len.to_be_bytes());
        }
        out.extend_from_slice(&data);
        out.extend_from_slice(&tag);
    }
    Ok(())
}

#[cfg(test)]
#[path = "esdk_tests.rs"]
mod tests;
