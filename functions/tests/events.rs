//! Every events/ file through its function's handler, in-process, on a freshly seeded App:
//! each file is read as `lambda_http`'s API Gateway v2 event type and its reply (status, Cognito
//! body, headers) is checked against the table below. A file missing from the table fails.

use latchkey::lambda::Function;
use latchkey_lambda_tests::{event_files, Fixture};
use serde_json::Value;

/// What a reply must be: `Ok(members)` is 200 with those (dotted) members; `Err` is the
/// status, `__type` and a piece of the message.
type Expect = Result<&'static [&'static str], (u16, &'static str, &'static str)>;

/// The `__type` of an expectation that is an HTML page.
const HTML: &str = "html";

fn expected(file: &str) -> Option<Expect> {
    const TOKENS: &[&str] = &[
        "AuthenticationResult.AccessToken",
        "AuthenticationResult.IdToken",
    ];
    Some(match file {
        "sign-up/rest-sign-up.json" | "sign-up/target-sign-up.json" => Ok(&["UserSub"]),
        "sign-up/rest-confirm.json" | "sign-up/target-confirm-sign-up.json" => Ok(&[]),
        "sign-up/rest-resend.json" | "sign-up/target-resend-confirmation-code.json" => {
            Ok(&["CodeDeliveryDetails.Destination"])
        }
        // An HTML page, not a Cognito body: the status, `HTML` and a piece of the page.
        "sign-up/get-confirm-user-forged-code.json" => Err((
            400,
            HTML,
            "Invalid verification code provided, please try again.",
        )),
        "sign-up/wrong-function-initiate-auth.json" => Err((
            400,
            "UnknownOperationException",
            "the sign-in function (POST /sign-in)",
        )),
        "sign-in/rest-sign-in.json" | "sign-in/target-initiate-auth.json" => Ok(TOKENS),
        "sign-in/target-respond-to-auth-challenge.json" => Ok(TOKENS),
        "sign-in/wrong-function-refresh.json" => Err((
            400,
            "UnknownOperationException",
            "the token-refresh function (POST /token/refresh)",
        )),
        "token-refresh/rest-refresh.json"
        | "token-refresh/target-initiate-auth-refresh.json"
        | "token-refresh/target-get-tokens-from-refresh-token.json" => Ok(TOKENS),
        "token-refresh/target-revoke-token.json" | "token-refresh/target-global-sign-out.json" => {
            Ok(&[])
        }
        "credentials/target-get-id.json" | "cognito-api/target-get-id.json" => Ok(&["IdentityId"]),
        "credentials/target-get-credentials-for-identity.json" => Ok(&[
            "IdentityId",
            "Credentials.AccessKeyId",
            "Credentials.SessionToken",
        ]),
        "credentials/target-get-open-id-token.json" => Ok(&["IdentityId", "Token"]),
        "jwks/pool-jwks.json" | "jwks/identity-jwks.json" => Ok(&["keys"]),
        "jwks/pool-openid-configuration.json" | "jwks/identity-openid-configuration.json" => {
            Ok(&["issuer", "jwks_uri"])
        }
        "cognito-api/target-sign-up.json" => Ok(&["UserSub"]),
        "cognito-api/target-initiate-auth.json" => Ok(TOKENS),
        "cognito-api/target-get-user.json" => Ok(&["Username", "UserAttributes"]),
        "cognito-api/signed-list-user-pools.json" => Ok(&["UserPools"]),
        "cognito-api/signed-create-user-pool.json" => Ok(&["UserPool.Id"]),
        "cognito-api/signed-list-identity-pools.json" => Ok(&["IdentityPools"]),
        "cognito-api/unsigned-admin-get-user.json" => Err((
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
        )),
        "cognito-api/bad-signature-list-user-pools.json" => Err((
            400,
            "InvalidSignatureException",
            "does not match the signature you provided",
        )),
        "cognito-api/unknown-key-list-user-pools.json" => Err((
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )),
        "admin/target-admin-get-user.json" => Ok(&["Username", "UserAttributes", "UserStatus"]),
        "admin/target-admin-create-user.json" => Ok(&["User.Username"]),
        "admin/target-list-user-pools.json" => Ok(&["UserPools"]),
        "admin/target-create-identity-pool.json" => Ok(&["IdentityPoolId"]),
        "admin/no-iam-admin-get-user.json" => Err((
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
        )),
        "admin/wrong-function-sign-up.json" => Err((
            400,
            "UnknownOperationException",
            "the sign-up function (POST /sign-up) or the cognito-api function (POST /)",
        )),
        _ => return None,
    })
}

fn member<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted
        .split('.')
        .try_fold(v, |cur, k| cur.get(k))
        .filter(|m| !m.is_null())
}

async fn check(function: Function, file: &std::path::Path, name: &str) -> Result<(), String> {
    let expect = expected(name).ok_or("no expectation for this file in events.rs")?;
    let fixture = Fixture::new().await.map_err(|e| format!("fixture: {e}"))?;
    let request = fixture
        .request(file)
        .map_err(|e| format!("not an API Gateway v2 event: {e}"))?;
    let response = fixture.handler(function).handle(request).await;
    let status = response.status().as_u16();
    let header = |h: &str| {
        response
            .headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if header("x-amzn-requestid") != "EXAMPLErequestId0=" {
        return Err("reply lacks x-amzn-RequestId from the event".into());
    }
    if let Err((want_status, HTML, want_text)) = expect {
        let page = String::from_utf8_lossy(response.body());
        if status != want_status
            || !header("content-type").starts_with("text/html")
            || !page.contains(want_text)
        {
            return Err(format!(
                "expected a {want_status} HTML page «{want_text}», got {status} {page}"
            ));
        }
        return Ok(());
    }
    if !header("content-type").starts_with("application/") {
        return Err("reply has no JSON content type".into());
    }
    let body: Value = serde_json::from_slice(response.body())
        .map_err(|e| format!("{status}: body is not JSON: {e}"))?;
    match expect {
        Ok(members) => {
            if status != 200 {
                return Err(format!("expected 200, got {status} {body}"));
            }
            if let Some(m) = members.iter().find(|m| member(&body, m).is_none()) {
                return Err(format!("200 without {m}: {body}"));
            }
        }
        Err((want_status, want_type, want_text)) => {
            let message = body["message"].as_str().unwrap_or_default();
            if status != want_status || body["__type"] != want_type || !message.contains(want_text)
            {
                return Err(format!(
                    "expected {want_status} {want_type} «{want_text}», got {status} {body}"
                ));
            }
            if header("x-amzn-errortype") != want_type {
                return Err("error reply lacks x-amzn-ErrorType".into());
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_event_gets_its_cognito_reply() {
    let files = event_files().expect("events/ is readable");
    assert!(files.len() >= 30, "events/ has only {} files", files.len());
    let mut failures = Vec::new();
    for (function, file) in &files {
        let name = file
            .strip_prefix(latchkey_lambda_tests::events_dir())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if let Err(e) = check(*function, file, &name).await {
            failures.push(format!("events/{name}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} events failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_function_and_route_has_events_for_both_protocols() {
    let files = event_files().expect("events/ is readable");
    for function in Function::ALL {
        let ours: Vec<String> = files
            .iter()
            .filter(|(f, _)| *f == function)
            .map(|(_, p)| std::fs::read_to_string(p).unwrap_or_default())
            .collect();
        assert!(!ours.is_empty(), "no events for {}", function.name());
        for (method, path) in function.routes() {
            let route_key = format!("\"routeKey\": \"{method} {path}\"");
            assert!(
                ours.iter().any(|e| e.contains(&route_key)),
                "no event for {method} {path}"
            );
        }
        for path in function.rest_paths() {
            let rest = ours.iter().any(|e| {
                e.contains(&format!("\"rawPath\": \"{path}\"")) && !e.contains("x-amz-target")
            });
            let target = ours.iter().any(|e| {
                e.contains(&format!("\"rawPath\": \"{path}\"")) && e.contains("x-amz-target")
            });
            assert!(
                rest && target,
                "{path} needs a REST event and an X-Amz-Target event"
            );
        }
    }
}
