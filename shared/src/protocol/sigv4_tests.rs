//! SigV4 verification against signatures made by the real signer (the `aws-sigv4` crate the
//! AWS SDKs use), plus the AWS documentation's test vector.

use super::*;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const KEY_ID: &str = "LKIAEXAMPLEADMIN0001";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2024-05-01T12:00:00Z.
const NOW: i64 = 1_714_564_800;
const TARGET: &str = "AWSCognitoIdentityProviderService.ListUserPools";

fn keys() -> Vec<AccessKey> {
    vec![AccessKey::new(KEY_ID, Secret::new(SECRET.to_string()))]
}

struct Signed {
    headers: Vec<(String, String)>,
}

impl Signed {
    fn request<'a>(&'a self, path: &'a str, query: &'a str, body: &'a [u8]) -> SignedRequest<'a> {
        SignedRequest {
            method: "POST",
            raw_path: path,
            raw_query: query,
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
            body,
        }
    }
}

/// Signs like an SDK would: the host, content type and target headers, at `at`.
fn sign_with(uri: &str, body: &[u8], service: &str, at: i64, token: Option<&str>) -> Signed {
    let host = uri
        .trim_start_matches("https://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let mut headers = vec![
        ("host".to_string(), host),
        (
            "content-type".to_string(),
            "application/x-amz-json-1.1".to_string(),
        ),
        ("x-amz-target".to_string(), TARGET.to_string()),
        ("user-agent".to_string(), "aws-sdk-rust/1.0".to_string()),
    ];
    let identity = aws_credential_types::Credentials::new(
        KEY_ID,
        SECRET,
        token.map(str::to_string),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(service)
        .time(UNIX_EPOCH + Duration::from_secs(at as u64))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        "POST",
        uri,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let added: Vec<(String, String)> = instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    headers.extend(added);
    Signed { headers }
}

#[test]
fn accepts_what_the_sdk_signer_signs() {
    let body = br#"{"MaxResults":10}"#;
    let s = sign_with("https://api.example.com/", body, "cognito-idp", NOW, None);
    let v = verify(&s.request("/", "", body), &keys(), "cognito-idp", NOW).unwrap();
    assert_eq!(v.access_key_id, KEY_ID);
    assert_eq!(v.region, "us-east-1");
    // Within the 15-minute window either way.
    assert!(verify(&s.request("/", "", body), &keys(), "cognito-idp", NOW + 899).is_ok());
    assert!(verify(&s.request("/", "", body), &keys(), "cognito-idp", NOW - 899).is_ok());
}

#[test]
fn canonicalises_paths_queries_and_session_tokens_as_the_sdk() {
    let body = b"{}";
    let uri = "https://api.example.com/admin/a%20b/./c?b=2&a=1&a=0&sp=x%2By&e=";
    let s = sign_with(uri, body, "cognito-identity", NOW, Some("session-token"));
    let req = s.request("/admin/a%20b/./c", "b=2&a=1&a=0&sp=x%2By&e=", body);
    assert!(verify(&req, &keys(), "cognito-identity", NOW).is_ok());
}

#[test]
fn refuses_tampering_wrong_keys_and_stale_dates() {
    let body = br#"{"MaxResults":10}"#;
    let s = sign_with("https://api.example.com/", body, "cognito-idp", NOW, None);
    let tampered = verify(
        &s.request("/", "", b"{\"MaxResults\":60}"),
        &keys(),
        "cognito-idp",
        NOW,
    );
    assert_eq!(
        tampered.unwrap_err().error_type(),
        "InvalidSignatureException"
    );
    let wrong_secret = [AccessKey::new(KEY_ID, Secret::new("other".to_string()))];
    let e = verify(&s.request("/", "", body), &wrong_secret, "cognito-idp", NOW).unwrap_err();
    assert_eq!(e.message(), MISMATCH);
    let unknown = [AccessKey::new("AKIDOTHER", Secret::new(SECRET.to_string()))];
    let e = verify(&s.request("/", "", body), &unknown, "cognito-idp", NOW).unwrap_err();
    assert_eq!(e, SigV4Error::UnknownKey);
    assert_eq!(
        e.message(),
        "The security token included in the request is invalid."
    );
    let late = verify(&s.request("/", "", body), &keys(), "cognito-idp", NOW + 901).unwrap_err();
    assert!(late
        .message()
        .starts_with("Signature expired: 20240501T120000Z is now earlier than 20240501T120001Z"));
    let early = verify(&s.request("/", "", body), &keys(), "cognito-idp", NOW - 901).unwrap_err();
    assert!(early.message().starts_with("Signature not yet current"));
    let svc = verify(&s.request("/", "", body), &keys(), "cognito-identity", NOW).unwrap_err();
    assert_eq!(svc.error_type(), "InvalidSignatureException");
}

#[test]
fn refuses_missing_and_malformed_authorization() {
    let body = b"{}";
    let unsigned = Signed {
        headers: vec![
            ("host".into(), "h".into()),
            ("x-amz-target".into(), TARGET.into()),
        ],
    };
    let e = verify(
        &unsigned.request("/", "", body),
        &keys(),
        "cognito-idp",
        NOW,
    )
    .unwrap_err();
    assert_eq!(e.error_type(), "MissingAuthenticationTokenException");
    assert_eq!(e.reply().status, 400);
    let reply: serde_json::Value = serde_json::from_slice(&e.reply().body).unwrap();
    assert_eq!(reply["message"], "Request is missing Authentication Token");

    let mut bad = sign_with("https://h/", body, "cognito-idp", NOW, None);
    for (k, v) in bad.headers.iter_mut() {
        if k == "authorization" {
            *v = format!(
                "{ALGORITHM} Credential={KEY_ID}/20240501/us-east-1/cognito-idp/aws4_request"
            );
        }
    }
    let e = verify(&bad.request("/", "", body), &keys(), "cognito-idp", NOW).unwrap_err();
    assert_eq!(e.error_type(), "IncompleteSignatureException");
    assert!(e.message().contains("'Signature' parameter"));
    assert!(!e.message().contains(SECRET));

    // The date and the target must be covered by the signature.
    let mut unsigned_target = sign_with("https://h/", body, "cognito-idp", NOW, None);
    for (k, v) in unsigned_target.headers.iter_mut() {
        if k == "authorization" {
            *v = v.replace(";x-amz-target", "");
        }
    }
    let e = verify(
        &unsigned_target.request("/", "", body),
        &keys(),
        "cognito-idp",
        NOW,
    )
    .unwrap_err();
    assert!(e
        .message()
        .contains("'x-amz-target' must be a 'SignedHeader'"));
}

#[test]
fn matches_the_aws_documentation_vector() {
    // The canonical request and signature from AWS's SigV4 documentation (IAM ListUsers).
    let req = SignedRequest {
        method: "GET",
        raw_path: "/",
        raw_query: "Action=ListUsers&Version=2010-05-08",
        headers: vec![
            ("Host", "iam.amazonaws.com"),
            (
                "Content-Type",
                "application/x-www-form-urlencoded; charset=utf-8",
            ),
            ("X-Amz-Date", "20150830T123600Z"),
        ],
        body: b"",
    };
    let auth = Authorization {
        key_id: "AKIDEXAMPLE",
        date: "20150830",
        region: "us-east-1",
        service: "iam",
        terminator: "aws4_request",
        signed_headers: vec!["content-type", "host", "x-amz-date"],
        signature: "",
    };
    assert_eq!(
        hex::encode(Sha256::digest(canonical_request(
            &req,
            &auth.signed_headers
        ))),
        "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    );
    assert_eq!(
        signature(&req, &auth, "20150830T123600Z", SECRET),
        "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    );
}

#[test]
fn knows_which_operations_cognito_signs() {
    assert!(!requires_signature(
        "AWSCognitoIdentityProviderService.SignUp"
    ));
    assert!(!requires_signature(
        "AWSCognitoIdentityProviderService.InitiateAuth"
    ));
    assert!(requires_signature(
        "AWSCognitoIdentityProviderService.AdminGetUser"
    ));
    assert!(requires_signature(
        "AWSCognitoIdentityProviderService.ListUsers"
    ));
    assert!(!requires_signature("AWSCognitoIdentityService.GetId"));
    assert!(requires_signature(
        "AWSCognitoIdentityService.CreateIdentityPool"
    ));
    // The developer-identity administration and DeleteIdentities are signed like
    // CreateIdentityPool; UnlinkIdentity is proven by its Logins.
    for op in [
        "GetOpenIdTokenForDeveloperIdentity",
        "LookupDeveloperIdentity",
        "MergeDeveloperIdentities",
        "UnlinkDeveloperIdentity",
        "DeleteIdentities",
    ] {
        assert!(requires_signature(&format!(
            "AWSCognitoIdentityService.{op}"
        )));
    }
    for op in [
        "GetCredentialsForIdentity",
        "GetOpenIdToken",
        "UnlinkIdentity",
    ] {
        assert!(!requires_signature(&format!(
            "AWSCognitoIdentityService.{op}"
        )));
    }
    assert!(requires_signature("Something.Else"));
    assert_eq!(IDP_NO_AUTH.len(), 32);
    assert_eq!(signing_service(TARGET), Some("cognito-idp"));
}

#[test]
fn converts_dates_both_ways() {
    assert_eq!(parse_amz_date("20240501T120000Z"), Some(NOW));
    assert_eq!(format_amz_date(NOW), "20240501T120000Z");
    assert_eq!(parse_amz_date("19700101T000000Z"), Some(0));
    assert_eq!(format_amz_date(951_782_400), "20000229T000000Z");
    assert_eq!(parse_amz_date("2024-05-01T12:00Z"), None);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(parse_amz_date(&format_amz_date(now)), Some(now));
}
