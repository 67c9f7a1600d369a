//! Every events/ file through its function's handler, in-process, on a freshly seeded App:
//! each file is read as `lambda_http`'s API Gateway v2 event type and its reply (status, body,
//! headers) is checked against the table below. A file missing from the table fails. An
//! import worker's ticket (`{"latchkeyImportJob": …}`, sent by Lambda `Invoke`, not API
//! Gateway) goes to the worker instead, and its reply and the job's end are checked.

use latchkey::lambda::Function;
use latchkey_lambda_tests::{event_files, Fixture, SIGNED_OUT};
use serde_json::Value;

/// What a reply must be.
enum Expect {
    /// 200 JSON with these (dotted) members (an empty body when there are none).
    Json(&'static [&'static str]),
    /// A Cognito error: status, `__type` and a piece of the message.
    Error(u16, &'static str, &'static str),
    /// An HTML page: status and a piece of the page.
    Page(u16, &'static str),
    /// An OAuth endpoint's error (RFC 6749 §5.2): status and `error`.
    OAuth(u16, &'static str),
    /// A 302 whose `Location` starts with this, setting these cookies (by name).
    Redirect(&'static str, &'static [&'static str]),
    /// An import worker's reply (`outcome`), the job's status after it and its imported users.
    Worker(WorkerOutcome, &'static str, u64),
}

use latchkey::lambda::worker::FunctionEvent;
use latchkey::userpool::imports::worker::WorkerOutcome;
use Expect::{Error, Json, OAuth, Page, Redirect, Worker};

/// Where the hosted-ui events' authorization request goes to sign in.
const LOGIN: &str = "/login?response_type=code&client_id=";
/// The fixture's redirect URI ([`latchkey_lambda_tests::CALLBACK`]) with a code.
const CALLBACK_CODE: &str = "https://app.example.com/callback?code=";

fn expected(file: &str) -> Option<Expect> {
    const TOKENS: &[&str] = &[
        "AuthenticationResult.AccessToken",
        "AuthenticationResult.IdToken",
    ];
    Some(match file {
        "sign-up/rest-sign-up.json" | "sign-up/target-sign-up.json" => Json(&["UserSub"]),
        "sign-up/rest-confirm.json" | "sign-up/target-confirm-sign-up.json" => Json(&[]),
        "sign-up/rest-resend.json" | "sign-up/target-resend-confirmation-code.json" => {
            Json(&["CodeDeliveryDetails.Destination"])
        }
        // An HTML page, not a Cognito body.
        "sign-up/get-confirm-user-forged-code.json" => {
            Page(400, "Invalid verification code provided, please try again.")
        }
        "sign-up/wrong-function-initiate-auth.json" => Error(
            400,
            "UnknownOperationException",
            "the sign-in function (POST /sign-in)",
        ),
        "sign-in/rest-sign-in.json" | "sign-in/target-initiate-auth.json" => Json(TOKENS),
        "sign-in/target-respond-to-auth-challenge.json" => Json(TOKENS),
        "sign-in/wrong-function-refresh.json" => Error(
            400,
            "UnknownOperationException",
            "the token-refresh function (POST /token/refresh)",
        ),
        "token-refresh/rest-refresh.json"
        | "token-refresh/target-initiate-auth-refresh.json"
        | "token-refresh/target-get-tokens-from-refresh-token.json" => Json(TOKENS),
        "token-refresh/target-revoke-token.json" | "token-refresh/target-global-sign-out.json" => {
            Json(&[])
        }
        "credentials/target-get-id.json" | "cognito-api/target-get-id.json" => {
            Json(&["IdentityId"])
        }
        "credentials/target-get-credentials-for-identity.json" => Json(&[
            "IdentityId",
            "Credentials.AccessKeyId",
            "Credentials.SessionToken",
        ]),
        "credentials/target-get-open-id-token.json" => Json(&["IdentityId", "Token"]),
        "jwks/pool-jwks.json" | "jwks/identity-jwks.json" => Json(&["keys"]),
        "jwks/pool-openid-configuration.json" | "jwks/identity-openid-configuration.json" => {
            Json(&["issuer", "jwks_uri"])
        }
        "cognito-api/target-sign-up.json" => Json(&["UserSub"]),
        // The same request through the function's own URL (template ApiFunctionUrl=true).
        "cognito-api/target-initiate-auth.json" | "cognito-api/url-initiate-auth.json" => {
            Json(TOKENS)
        }
        "cognito-api/target-get-user.json" => Json(&["Username", "UserAttributes"]),
        "cognito-api/signed-list-user-pools.json" => Json(&["UserPools"]),
        "cognito-api/signed-create-user-pool.json" => Json(&["UserPool.Id"]),
        "cognito-api/signed-list-identity-pools.json" => Json(&["IdentityPools"]),
        "cognito-api/unsigned-admin-get-user.json" => Error(
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
        ),
        "cognito-api/bad-signature-list-user-pools.json" => Error(
            400,
            "InvalidSignatureException",
            "does not match the signature you provided",
        ),
        "cognito-api/unknown-key-list-user-pools.json" => Error(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ),
        // The fixture's job: Pending at version 2, two users in its file; run to its end.
        "admin/import-worker-job.json" => Worker(WorkerOutcome::Ended, "Succeeded", 2),
        "admin/target-admin-get-user.json" => Json(&["Username", "UserAttributes", "UserStatus"]),
        "admin/target-admin-create-user.json" => Json(&["User.Username"]),
        "admin/target-list-user-pools.json" => Json(&["UserPools"]),
        "admin/target-create-identity-pool.json" => Json(&["IdentityPoolId"]),
        "admin/no-iam-admin-get-user.json" => Error(
            400,
            "MissingAuthenticationTokenException",
            "Request is missing Authentication Token",
        ),
        "admin/wrong-function-sign-up.json" => Error(
            400,
            "UnknownOperationException",
            "the sign-up function (POST /sign-up) or the cognito-api function (POST /)",
        ),
        "hosted-ui/get-authorize.json" => Redirect(LOGIN, &[]),
        "hosted-ui/get-login.json" => Page(200, "Sign in with your username and password"),
        "hosted-ui/post-login.json" => Redirect(CALLBACK_CODE, &["latchkey-session"]),
        "hosted-ui/post-login-bad-csrf.json" => {
            Page(403, "Your session has expired. Please try again.")
        }
        "hosted-ui/post-login-challenge.json" => Redirect(CALLBACK_CODE, &["latchkey-session"]),
        "hosted-ui/post-token-code.json" => Json(&[
            "access_token",
            "id_token",
            "refresh_token",
            "token_type",
            "expires_in",
        ]),
        "hosted-ui/post-token-forged-code.json" => OAuth(400, "invalid_grant"),
        "hosted-ui/post-token-refresh.json" => Json(&["access_token", "id_token"]),
        "hosted-ui/get-user-info.json" | "hosted-ui/post-user-info.json" => {
            Json(&["sub", "email", "username"])
        }
        "hosted-ui/get-user-info-api-token.json" => OAuth(401, "invalid_token"),
        "hosted-ui/post-revoke.json" => Json(&[]),
        // The functions name no console pool by default: every console page says so.
        "hosted-ui/get-console.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-signin.json" => Page(403, "Sign-in is not configured"),
        // A callback without the browser's sealed sign-in cookie: refused, nothing redeemed.
        "hosted-ui/get-console-callback.json" => Page(
            400,
            "This sign-in has expired or was started in another browser.",
        ),
        "hosted-ui/post-console-signout.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-pool.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-users.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-user.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-groups.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-action.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/post-console-action.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-identity-pools.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-console-token.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/post-console-token.json" => Page(403, "Sign-in is not configured"),
        "hosted-ui/get-logout.json" => Redirect(SIGNED_OUT, &["latchkey-session"]),
        // A provider's answer whose state Latchkey never issued: a page, never a redirect.
        "hosted-ui/get-idpresponse-forged-state.json"
        | "hosted-ui/post-idpresponse-forged-state.json"
        | "hosted-ui/post-saml-idpresponse-forged-relay-state.json" => Page(400, "Invalid state."),
        "hosted-ui/get-saml-logout-forged-relay-state.json"
        | "hosted-ui/post-saml-logout-forged-relay-state.json" => {
            Page(400, "Invalid logout response.")
        }
        "hosted-ui/wrong-function-initiate-auth.json" => Error(
            400,
            "UnknownOperationException",
            "the sign-in function (POST /sign-in)",
        ),
        "hosted-ui/get-signup.json" => Page(200, "Create an account."),
        "hosted-ui/post-signup.json" => Redirect("/confirmUser?response_type=code", &[]),
        "hosted-ui/post-confirm-user-forged-code.json"
        | "hosted-ui/post-confirm-forgot-password-forged-code.json" => {
            Page(400, "Invalid verification code provided, please try again.")
        }
        "hosted-ui/get-forgot-password.json" => Page(200, "Forgot your password?"),
        "hosted-ui/post-forgot-password.json" => {
            Redirect("/confirmForgotPassword?response_type=code", &[])
        }
        "hosted-ui/get-confirm-forgot-password.json" => Page(200, "Reset your password"),
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
    if let Worker(outcome, status, imported) = expect {
        return check_worker(&fixture, file, (outcome, status, imported)).await;
    }
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
    let text = String::from_utf8_lossy(response.body());
    let json = || serde_json::from_slice::<Value>(response.body());
    let is_json = header("content-type").starts_with("application/");
    match expect {
        // Answered by check_worker above.
        Worker(..) => {}
        Page(want_status, want_text) => {
            if status != want_status
                || !header("content-type").starts_with("text/html")
                || !text.contains(want_text)
            {
                return Err(format!(
                    "expected a {want_status} HTML page «{want_text}», got {status} {text}"
                ));
            }
        }
        Redirect(to, cookies) => {
            let location = header("location");
            if status != 302 || !location.starts_with(to) {
                return Err(format!(
                    "expected a 302 to {to}…, got {status} «{location}»"
                ));
            }
            let set: Vec<&str> = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            for cookie in cookies {
                let prefix = format!("{cookie}=");
                if !set
                    .iter()
                    .any(|c| c.starts_with(&prefix) && c.contains("; Secure"))
                {
                    return Err(format!("no Secure {cookie} cookie set: {set:?}"));
                }
            }
        }
        Json(members) => {
            if status != 200 || !is_json {
                return Err(format!("expected 200 JSON, got {status} {text}"));
            }
            if members.is_empty() && text.is_empty() {
                return Ok(());
            }
            let body = json().map_err(|e| format!("{status}: body is not JSON: {e}"))?;
            if let Some(m) = members.iter().find(|m| member(&body, m).is_none()) {
                return Err(format!("200 without {m}: {body}"));
            }
        }
        OAuth(want_status, want_error) => {
            let body = json().map_err(|e| format!("{status}: body is not JSON: {e}"))?;
            if status != want_status || !is_json || body["error"] != want_error {
                return Err(format!(
                    "expected {want_status} {{\"error\": \"{want_error}\"}}, got {status} {body}"
                ));
            }
        }
        Error(want_status, want_type, want_text) => {
            if !is_json {
                return Err("reply has no JSON content type".into());
            }
            let body = json().map_err(|e| format!("{status}: body is not JSON: {e}"))?;
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

/// An import worker's ticket, through the worker (its hand-over recorded, not invoked).
async fn check_worker(
    fixture: &Fixture,
    file: &std::path::Path,
    (outcome, status, imported): (WorkerOutcome, &str, u64),
) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let text = fixture.values.iter().fold(text, |t, (placeholder, value)| {
        t.replace(placeholder, value)
    });
    // Read as the functions' runtime reads an invocation's payload.
    let event = match serde_json::from_str(&text) {
        Ok(FunctionEvent::Import(event)) => event,
        Ok(FunctionEvent::Http(_)) => return Err("read as an API Gateway event".into()),
        Err(e) => return Err(format!("not a worker event: {e}")),
    };
    let app = &fixture.app;
    let next = latchkey_lambda_tests::imports::Recorder::default();
    let deadline = app.clock.now_millis() + 900_000;
    let reply = latchkey::lambda::worker::run_import(app, &event, deadline, &next).await;
    if reply.outcome != outcome || reply.job_id != event.job.job_id {
        return Err(format!("expected {outcome:?}, got {reply:?}"));
    }
    let job = app
        .store
        .get_import_job(&event.job.user_pool_id, &event.job.job_id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the job is gone")?;
    if job.status.as_str() != status || job.imported != imported {
        return Err(format!(
            "expected {status} with {imported} imported, got {} with {}",
            job.status, job.imported
        ));
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
