//! Request bodies into typed inputs. A body that is not JSON, or has a member of the wrong type,
//! is a SerializationException; a missing required member or a broken constraint is an
//! InvalidParameterException with Coral's "1 validation error detected: ..." text.

use crate::error::{ApiError, ApiResult, ErrorKind};
use serde::de::DeserializeOwned;

use crate::error::VALIDATION_PREFIX;

/// Parses an awsJson body into `T`. Unknown members are ignored (newer SDKs send newer fields).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| classify(&e))
}

/// Reads a typed input from a body already parsed (and checked against the model).
pub fn from_value<T: DeserializeOwned>(value: &serde_json::Value) -> ApiResult<T> {
    T::deserialize(value).map_err(|e| classify(&e))
}

fn classify(e: &serde_json::Error) -> ApiError {
    let full = e.to_string();
    let msg = full
        .rfind(" at line ")
        .map_or(full.as_str(), |i| &full[..i]);
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return ApiError::missing_member(&camel(name));
    }
    if msg.starts_with(VALIDATION_PREFIX) {
        return ApiError::invalid(msg);
    }
    ApiError::new(ErrorKind::Serialization, msg)
}

/// `ClientId` → `clientId` (Coral names members in lower camel case).
pub fn camel(pascal: &str) -> String {
    let mut chars = pascal.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(rename_all = "PascalCase")]
    #[allow(dead_code)]
    struct In {
        client_id: String,
        limit: Option<u32>,
    }

    #[test]
    fn classifies_errors_as_cognito_does() {
        let e = parse::<In>(b"{").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Serialization);
        let e = parse::<In>(b"{}").unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"
        );
        let e = parse::<In>(br#"{"ClientId": 5}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Serialization);
        let e = parse::<In>(br#"[1,2]"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Serialization);
        let ok = parse::<In>(br#"{"ClientId": "x", "Unknown": {"a": 1}}"#).unwrap();
        assert_eq!(ok.client_id, "x");
    }
}
