//! AWS Signature Version 4 verification, for the operations Cognito signs.
//!
//! Cognito's signed operations (everything outside the model's `noAuth` list: the `Admin*`,
//! pool, client, group and identity-pool administration operations) must never be open. An
//! entry point that serves them checks the request's `Authorization` header against the
//! deployment's own admin access keys: canonical request, string to sign, the HMAC key chain,
//! a constant-time compare, and an `x-amz-date` within 15 minutes. Failures answer the errors
//! AWS services answer (`MissingAuthenticationTokenException`, `IncompleteSignatureException`,
//! `InvalidSignatureException`, `UnrecognizedClientException`), as HTTP 400.

use super::{Reply, IDENTITY_PREFIX, IDP_PREFIX};
use crate::secret::Secret;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// User-pool operations the model marks `noAuth`: clients send them unsigned (reference §1.2).
#[rustfmt::skip]
pub const IDP_NO_AUTH: &[&str] = &[
    "AssociateSoftwareToken", "ChangePassword", "CompleteWebAuthnRegistration", "ConfirmDevice",
    "ConfirmForgotPassword", "ConfirmSignUp", "DeleteUser", "DeleteUserAttributes",
    "DeleteWebAuthnCredential", "ForgetDevice", "ForgotPassword", "GetDevice",
    "GetTokensFromRefreshToken", "GetUser", "GetUserAttributeVerificationCode",
    "GetUserAuthFactors", "GlobalSignOut", "InitiateAuth", "ListDevices",
    "ListWebAuthnCredentials", "ResendConfirmationCode", "RespondToAuthChallenge", "RevokeToken",
    "SetUserMFAPreference", "SetUserSettings", "SignUp", "StartWebAuthnRegistration",
    "UpdateAuthEventFeedback", "UpdateDeviceStatus", "UpdateUserAttributes",
    "VerifySoftwareToken", "VerifyUserAttribute",
];

/// Identity-pool operations the model marks `noAuth`.
pub const IDENTITY_NO_AUTH: &[&str] = &[
    "GetId",
    "GetCredentialsForIdentity",
    "GetOpenIdToken",
    "UnlinkIdentity",
];

/// How far `x-amz-date` may be from now, seconds.
pub const MAX_SKEW_SECS: i64 = 15 * 60;

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The SigV4 service name an `X-Amz-Target` is signed for, if it names a Cognito service.
pub fn signing_service(target: &str) -> Option<&'static str> {
    if target.starts_with(IDP_PREFIX) {
        Some("cognito-idp")
    } else if target.starts_with(IDENTITY_PREFIX) {
        Some("cognito-identity")
    } else {
        None
    }
}

/// Whether Cognito requires a signature for this `X-Amz-Target` (unknown targets: yes).
pub fn requires_signature(target: &str) -> bool {
    if let Some(op) = target.strip_prefix(IDP_PREFIX) {
        !IDP_NO_AUTH.contains(&op)
    } else if let Some(op) = target.strip_prefix(IDENTITY_PREFIX) {
        !IDENTITY_NO_AUTH.contains(&op)
    } else {
        true
    }
}

/// An access key the deployment accepts signatures from. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct AccessKey {
    /// The access key id (`Credential=` in the header).
    pub id: String,
    secret: Secret<String>,
}

impl AccessKey {
    /// A key from its id and secret access key.
    pub fn new(id: impl Into<String>, secret: Secret<String>) -> Self {
        Self {
            id: id.into(),
            secret,
        }
    }
}

/// The parts of an HTTP request a signature covers. Header names may be in any case.
pub struct SignedRequest<'a> {
    /// `POST`.
    pub method: &'a str,
    /// The path as sent (still percent-encoded), e.g. `/`.
    pub raw_path: &'a str,
    /// The query string as sent, without `?` (empty when none).
    pub raw_query: &'a str,
    /// Every header; a repeated header is one entry with its values joined by `,`.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body bytes.
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// Who signed a verified request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The access key id.
    pub access_key_id: String,
    /// The region of the credential scope.
    pub region: String,
}

/// Why a signature was refused; `reply()` is the client's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigV4Error {
    /// No `Authorization` header.
    Missing,
    /// A malformed `Authorization` header, or no date.
    Incomplete(String),
    /// The access key id is not one of ours.
    UnknownKey,
    /// Wrong scope, unsigned required header, stale date, or the signature does not match.
    Invalid(String),
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

impl SigV4Error {
    /// The `__type` sent to the client.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::Missing => "MissingAuthenticationTokenException",
            Self::Incomplete(_) => "IncompleteSignatureException",
            Self::UnknownKey => "UnrecognizedClientException",
            Self::Invalid(_) => "InvalidSignatureException",
        }
    }

    /// The message sent to the client (it never echoes a secret or a signature).
    pub fn message(&self) -> &str {
        match self {
            Self::Missing => "Request is missing Authentication Token",
            Self::UnknownKey => "The security token included in the request is invalid.",
            Self::Incomplete(m) | Self::Invalid(m) => m,
        }
    }

    /// The HTTP 400 awsJson reply.
    pub fn reply(&self) -> Reply {
        let body = serde_json::json!({ "__type": self.error_type(), "message": self.message() });
        Reply {
            status: 400,
            body: body.to_string().into_bytes(),
            error_type: Some(self.error_type()),
        }
    }
}

struct Authorization<'a> {
    key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    terminator: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, SigV4Error> {
    let rest = value
        .trim()
        .strip_prefix(ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| {
            SigV4Error::Incomplete(format!("Authorization header must use {ALGORITHM}."))
        })?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let mut missing = String::new();
    for (name, found) in [
        ("Credential", credential.is_some()),
        ("Signature", signature.is_some()),
        ("SignedHeaders", signed.is_some()),
    ] {
        if !found {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(SigV4Error::Incomplete(missing.trim_end().to_string()));
    };
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, terminator] = scope[..] else {
        return Err(SigV4Error::Incomplete(
            "Credential should have exactly 5 slash-separated components.".into(),
        ));
    };
    Ok(Authorization {
        key_id,
        date,
        region,
        service,
        terminator,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// Verifies `req`'s SigV4 signature for `service` with one of `keys`, at `now` (epoch seconds).
pub fn verify(
    req: &SignedRequest<'_>,
    keys: &[AccessKey],
    service: &str,
    now: i64,
) -> Result<Verified, SigV4Error> {
    let header = req.header("authorization").ok_or(SigV4Error::Missing)?;
    let auth = parse_authorization(header)?;
    let amz_date = req.header("x-amz-date").ok_or_else(|| {
        SigV4Error::Incomplete(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
                .into(),
        )
    })?;
    let invalid = |m: String| SigV4Error::Invalid(m);
    let signed_at = parse_amz_date(amz_date)
        .ok_or_else(|| invalid(format!("Invalid X-Amz-Date value: '{amz_date}'.")))?;
    if auth.service != service {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: '{service}'. "
        )));
    }
    if auth.terminator != "aws4_request" {
        return Err(invalid(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
            auth.terminator
        )));
    }
    if auth.region.is_empty() || !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', from '{amz_date}'.",
            auth.date,
            amz_date.get(..8).unwrap_or(amz_date)
        )));
    }
    for required in ["host", "x-amz-date", "x-amz-target"] {
        if !auth.signed_headers.contains(&required) {
            return Err(invalid(format!(
                "'{required}' must be a 'SignedHeader' in the AWS Authorization."
            )));
        }
    }
    if signed_at < now - MAX_SKEW_SECS {
        return Err(invalid(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
            format_amz_date(now - MAX_SKEW_SECS),
            format_amz_date(now)
        )));
    }
    if signed_at > now + MAX_SKEW_SECS {
        return Err(invalid(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
            format_amz_date(now + MAX_SKEW_SECS),
            format_amz_date(now)
        )));
    }
    let key = keys
        .iter()
        .find(|k| k.id == auth.key_id)
        .ok_or(SigV4Error::UnknownKey)?;
    let expected = signature(req, &auth, amz_date, key.secret.expose());
    let provided = auth.signature.to_ascii_lowercase();
    if !bool::from(expected.as_bytes().ct_eq(provided.as_bytes())) {
        return Err(invalid(MISMATCH.into()));
    }
    Ok(Verified {
        access_key_id: key.id.clone(),
        region: auth.region.to_string(),
    })
}

fn signature(
    req: &SignedRequest<'_>,
    auth: &Authorization<'_>,
    amz_date: &str,
    secret: &str,
) -> String {
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request(req, &auth.signed_headers)))
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    for part in [auth.region, auth.service, "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    hex::encode(hmac(&key, string_to_sign.as_bytes()))
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC-SHA256 takes a key of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The canonical request, as every AWS SDK builds it for a non-S3 service.
fn canonical_request(req: &SignedRequest<'_>, signed: &[&str]) -> String {
    let mut headers = String::new();
    for name in signed {
        let value = req.header(name).unwrap_or_default();
        headers.push_str(&format!("{name}:{}\n", trim_all(value)));
    }
    format!(
        "{}\n{}\n{}\n{headers}\n{}\n{}",
        req.method,
        encode(&normalize_path(req.raw_path), true),
        canonical_query(req.raw_query),
        signed.join(";"),
        hex::encode(Sha256::digest(req.body))
    )
}

/// Trims spaces and collapses runs of spaces to one (only spaces, as the SDKs do).
fn trim_all(value: &str) -> String {
    value
        .split(' ')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Removes `.`/`..` segments and empty segments, keeping a trailing slash.
fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    if !(path.contains('.') || path.contains("//")) {
        return path.to_string();
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut result = format!("/{}", out.join("/"));
    if ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|s| path.ends_with(s))
        && !result.ends_with('/')
    {
        result.push('/');
    }
    result
}

/// Percent-encodes everything but the unreserved characters (and `/` in a path).
fn encode(value: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a form-urlencoded component (`+` is a space; a bad escape stays as it is).
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(value.get(i + 1..i + 3).unwrap_or("zz"), 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn canonical_query(raw: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (encode(&decode(k), false), encode(&decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// `20150830T123600Z` → epoch seconds.
fn parse_amz_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Epoch seconds → `20150830T123600Z`.
pub fn format_amz_date(epoch: i64) -> String {
    let (days, secs) = (epoch.div_euclid(86_400), epoch.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
#[path = "sigv4_tests.rs"]
mod tests;
