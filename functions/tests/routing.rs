//! Requests no events/ file makes (API Gateway routes only the template's routes to each
//! function, but a Function URL or `cargo lambda watch` can send anything): each function
//! answers an unknown method or path, or another function's route, with a JSON error naming
//! who serves it, as it always has.

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_http::request::LambdaRequest;
use latchkey::lambda::Function;
use latchkey_lambda_tests::{events_dir, Fixture};
use serde_json::Value;

/// `events/sign-up/rest-sign-up.json` sent as `method path` to `function`: status and body.
async fn send(fixture: &Fixture, function: Function, method: &str, path: &str) -> (u16, Value) {
    let file = events_dir().join("sign-up/rest-sign-up.json");
    let mut event: Value =
        serde_json::from_str(&fixture.event_json(&file).expect("event")).expect("JSON");
    event["rawPath"] = path.into();
    event["requestContext"]["http"]["method"] = method.into();
    event["requestContext"]["http"]["path"] = path.into();
    let event: ApiGatewayV2httpRequest = serde_json::from_value(event).expect("a v2 event");
    let resp = fixture
        .handler(function)
        .handle(LambdaRequest::ApiGatewayV2(event).into())
        .await;
    let body = serde_json::from_slice(resp.body()).expect("a JSON body");
    (resp.status().as_u16(), body)
}

#[tokio::test]
async fn other_routes_and_methods_name_who_serves_them() {
    let f = Fixture::new().await.expect("fixture");
    let message = |r: &(u16, Value)| r.1["message"].as_str().unwrap_or_default().to_string();
    let cases = [
        (
            Function::SignUp,
            "PUT",
            "/sign-up",
            "PUT /sign-up is not a Latchkey route.",
        ),
        (
            Function::SignUp,
            "GET",
            "/_latchkey/health",
            "GET /_latchkey/health is not served by the sign-up function.",
        ),
        (
            Function::SignUp,
            "GET",
            "/p/.well-known/jwks.json",
            "GET /p/.well-known/jwks.json is not served by the sign-up function: send it to \
             the jwks function (GET /{poolId}/.well-known/jwks.json).",
        ),
        (
            Function::SignUp,
            "POST",
            "/nope",
            "POST /nope is not a route of the sign-up function (routes: /sign-up, \
             /sign-up/confirm, /sign-up/resend); or send X-Amz-Target.",
        ),
        (
            Function::SignUp,
            "POST",
            "/sign-in",
            "POST /sign-in is not served by the sign-up function: send it to the sign-in \
             function (POST /sign-in).",
        ),
        (
            Function::Credentials,
            "POST",
            "/credentials",
            "Missing X-Amz-Target header.",
        ),
        (
            Function::Jwks,
            "GET",
            "/sign-up",
            "GET /sign-up is not served by the jwks function.",
        ),
    ];
    for (function, method, path, want) in cases {
        let r = send(&f, function, method, path).await;
        assert_eq!(r.0, 400, "{method} {path}: {}", r.1);
        assert_eq!(
            r.1["__type"], "UnknownOperationException",
            "{method} {path}"
        );
        assert_eq!(message(&r), want, "{method} {path}");
    }
    // A REST path is taken with a trailing slash too.
    let r = send(&f, Function::SignUp, "POST", "/sign-up/").await;
    assert_eq!(r.0, 200, "{}", r.1);
    assert!(r.1["UserSub"].is_string(), "{}", r.1);
}
