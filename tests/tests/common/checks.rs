//! Error assertions for SDK and raw answers, SecretHash and small format checks.

use std::fmt::Debug;

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

// ----- errors ----------------------------------------------------------------------------

/// Error type, message and HTTP status of a failed SDK call.
#[derive(Debug)]
pub struct ApiError {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
}

/// Unwraps the service error of a failed SDK call.
pub fn api_error<T: Debug, E: ProvideErrorMetadata + Debug>(
    res: Result<T, SdkError<E>>,
) -> ApiError {
    let err = match res {
        Ok(out) => panic!("expected an error, got {out:?}"),
        Err(err) => err,
    };
    let status = err.raw_response().map(|r| r.status().as_u16());
    let service = err
        .as_service_error()
        .unwrap_or_else(|| panic!("not a service error: {err:?}"));
    ApiError {
        status,
        code: service.code().unwrap_or_default().to_owned(),
        message: service.message().unwrap_or_default().to_owned(),
    }
}

/// Asserts a failed SDK call gave HTTP 400 with exactly this `__type` and message.
pub fn assert_api_error<T: Debug, E: ProvideErrorMetadata + Debug>(
    res: Result<T, SdkError<E>>,
    code: &str,
    message: &str,
) {
    let err = api_error(res);
    assert_eq!(
        (err.code.as_str(), err.message.as_str()),
        (code, message),
        "{err:?}"
    );
    assert_eq!(err.status, Some(400), "{err:?}");
}

/// Asserts a raw answer is HTTP 400 with this `__type` and, if given, this exact message.
pub fn assert_raw_error(answer: &(u16, Value), code: &str, message: Option<&str>) {
    let (status, body) = answer;
    assert_eq!(*status, 400, "body: {body}");
    assert_eq!(body["__type"], code, "body: {body}");
    if let Some(message) = message {
        assert_eq!(body["message"], message, "body: {body}");
    }
}

// ----- small formats ---------------------------------------------------------------------

/// `base64(HMAC-SHA256(key = secret, msg = username + clientId))`.
pub fn secret_hash(secret: &str, username: &str, client: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length works");
    mac.update(username.as_bytes());
    mac.update(client.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// A 6-digit code that differs from `code`.
pub fn other_code(code: &str) -> String {
    let n: u32 = code.parse().expect("numeric code");
    format!("{:06}", (n + 1) % 1_000_000)
}

/// Canonical lowercase or uppercase 8-4-4-4-12 hex UUID.
pub fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12])
        && parts
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}
