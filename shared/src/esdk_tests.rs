//! The encoder checked by an independent reader written from the ESDK specification: it parses
//! every field, derives the key, opens the header tag and each frame, and verifies the
//! signature with the public key from the encryption context. The shape it expects is the one
//! a real Cognito `request.code` has (awslabs/aws-sdk-rust#1250): version 1, type 0x80, suite
//! 0x0378, context {aws-crypto-public-key, userpool-id}, one `aws-kms` key whose provider info
//! is the key ARN, framed with 4096-byte frames and a zero header IV, a 103-byte signature.

use super::*;
use aws_lc_rs::signature::{UnparsedPublicKey, ECDSA_P384_SHA384_ASN1};
use base64::Engine;

/// What the reader found.
struct Read {
    context: BTreeMap<String, String>,
    edks: Vec<EncryptedDataKey>,
    frame_length: u32,
    frames: usize,
    plaintext: Vec<u8>,
    signature_len: usize,
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        out
    }
    fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    fn u16(&mut self) -> usize {
        u16::from_be_bytes(self.take(2).try_into().unwrap()) as usize
    }
    fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.take(4).try_into().unwrap())
    }
    fn field(&mut self) -> &'a [u8] {
        let n = self.u16();
        self.take(n)
    }
    fn text(&mut self) -> String {
        String::from_utf8(self.field().to_vec()).unwrap()
    }
}

fn open(key: &LessSafeKey, iv: &[u8], aad: &[u8], data: &[u8], tag: &[u8]) -> Vec<u8> {
    let mut buf = [data, tag].concat();
    let nonce = Nonce::try_assume_unique_for_key(iv).unwrap();
    let plain = key
        .open_in_place(nonce, Aad::from(aad), &mut buf)
        .expect("tag verifies");
    plain.to_vec()
}

/// Reads and decrypts a message with the plaintext data key.
fn read(message: &[u8], data_key: &[u8; 32]) -> Read {
    let mut c = Cursor {
        bytes: message,
        at: 0,
    };
    assert_eq!(
        (c.u8(), c.u8()),
        (0x01, 0x80),
        "version 1, customer AE data"
    );
    assert_eq!(c.u16(), 0x0378);
    let message_id: [u8; 16] = c.take(16).try_into().unwrap();
    let aad = c.field();
    let mut context = BTreeMap::new();
    let mut a = Cursor { bytes: aad, at: 0 };
    let mut last_key = None;
    for _ in 0..a.u16() {
        let (k, v) = (a.text(), a.text());
        assert!(last_key.as_ref() < Some(&k), "context sorted by key");
        last_key = Some(k.clone());
        context.insert(k, v);
    }
    assert_eq!(a.at, aad.len());
    let edks = (0..c.u16())
        .map(|_| EncryptedDataKey {
            provider_id: c.text(),
            provider_info: c.text(),
            ciphertext: c.field().to_vec(),
        })
        .collect();
    assert_eq!(c.u8(), 0x02, "framed");
    assert_eq!(c.take(4), [0, 0, 0, 0]);
    assert_eq!(c.u8(), 12);
    let frame_length = c.u32();
    let header_end = c.at;
    let key = derive_key(data_key, &message_id).unwrap();
    let header_iv = c.take(12);
    assert_eq!(header_iv, [0u8; 12]);
    let tag = c.take(16);
    open(&key, header_iv, &message[..header_end], &[], tag);
    let mut plaintext = Vec::new();
    let mut frames = 0;
    loop {
        let first = c.u32();
        let last = first == u32::MAX;
        let sequence = if last { c.u32() } else { first };
        frames += 1;
        assert_eq!(sequence as usize, frames);
        let iv = c.take(12);
        assert_eq!(iv[8..], sequence.to_be_bytes());
        let len = if last { c.u32() } else { frame_length } as usize;
        let data = c.take(len);
        let tag = c.take(16);
        let label: &[u8] = if last {
            b"AWSKMSEncryptionClient Final Frame"
        } else {
            b"AWSKMSEncryptionClient Frame"
        };
        let aad = [
            &message_id[..],
            label,
            &sequence.to_be_bytes(),
            &(len as u64).to_be_bytes(),
        ]
        .concat();
        plaintext.extend(open(&key, iv, &aad, data, tag));
        if last {
            break;
        }
    }
    let signed = c.at;
    let signature = c.field();
    assert_eq!(c.at, message.len(), "nothing after the footer");
    let public = base64::engine::general_purpose::STANDARD
        .decode(&context[PUBLIC_KEY_CONTEXT])
        .unwrap();
    UnparsedPublicKey::new(&ECDSA_P384_SHA384_ASN1, public)
        .verify(&message[..signed], signature)
        .expect("signature verifies");
    Read {
        context,
        edks,
        frame_length,
        frames,
        plaintext,
        signature_len: signature.len(),
    }
}

const ARN: &str = "arn:aws:kms:us-east-1:123456789012:key/0b1d2c3e-4f50-4a6b-8c7d-9e0f1a2b3c4d";

fn edk() -> EncryptedDataKey {
    EncryptedDataKey {
        provider_id: "aws-kms".into(),
        provider_info: ARN.into(),
        ciphertext: vec![7; 184],
    }
}

fn sealed(plaintext: &[u8]) -> (Vec<u8>, [u8; 32], BTreeMap<String, String>) {
    let signer = Signer::generate().unwrap();
    let context = signer.context(&[("userpool-id", "us-east-1_Abc123")]);
    let data_key = [42u8; 32];
    let message = encrypt(plaintext, &data_key, &edk(), &context, &signer, [9; 16]).unwrap();
    (message, data_key, context)
}

#[test]
fn a_code_reads_back_in_cognitos_shape() {
    let (message, key, context) = sealed(b"123456");
    let read = read(&message, &key);
    assert_eq!(read.plaintext, b"123456");
    assert_eq!(read.context, context);
    assert_eq!(
        read.context.keys().collect::<Vec<_>>(),
        ["aws-crypto-public-key", "userpool-id"]
    );
    assert_eq!(read.context[PUBLIC_KEY_CONTEXT].len(), 68);
    assert_eq!(read.edks, vec![edk()]);
    assert_eq!(read.frame_length, 4096);
    assert_eq!(read.frames, 1);
    assert_eq!(read.signature_len, 103);
    // As Cognito's: the base64 of a v1 message of suite 0x0378 starts "AYADe".
    let text = base64::engine::general_purpose::STANDARD.encode(&message);
    assert!(text.starts_with("AYADe"), "{text}");
}

#[test]
fn long_plaintexts_are_framed() {
    for len in [0usize, 4095, 4096, 4097, 3 * 4096 + 5] {
        let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let (message, key, _) = sealed(&plaintext);
        let read = read(&message, &key);
        assert_eq!(read.plaintext, plaintext, "length {len}");
        assert_eq!(read.frames, len.div_ceil(4096).max(1), "length {len}");
    }
}

#[test]
fn a_changed_byte_fails_the_tags() {
    let (mut message, key, _) = sealed(b"654321");
    let body = message.len() - 2 - 103 - 16 - 6;
    message[body] ^= 1;
    let caught = std::panic::catch_unwind(|| read(&message, &key));
    assert!(caught.is_err());
}

#[test]
fn the_public_key_is_a_compressed_point() {
    let signer = Signer::generate().unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(signer.public_key())
        .unwrap();
    assert_eq!(bytes.len(), 49);
    assert!(matches!(bytes[0], 0x02 | 0x03));
}
