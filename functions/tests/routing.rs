//! Requests no events/ file makes (API Gateway routes only the template's routes to each
//! function, but a Function URL or `cargo lambda watch` can send anything): each function
//! answers an unknown method or path, or another function's route, with a JSON error naming
//! who serves it, as it always has. And what `lambda_http` makes of a reply: every
//! `Set-Cookie` in the v2 response's `cookies` array.

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use lambda_http::request::LambdaRequest;
use lambda_http::{Adapter, Context, LambdaEvent, Service};
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
        (
            Function::SignIn,
            "GET",
            "/oauth2/authorize",
            "GET /oauth2/authorize is not served by the sign-in function: send it to the \
             hosted-ui function (GET /oauth2/authorize).",
        ),
        (
            Function::TokenRefresh,
            "POST",
            "/oauth2/token",
            "POST /oauth2/token is not served by the token-refresh function: send it to the \
             hosted-ui function (GET /oauth2/authorize).",
        ),
        (
            Function::HostedUi,
            "POST",
            "/sign-in",
            "POST /sign-in is not served by the hosted-ui function: send it to the sign-in \
             function (POST /sign-in).",
        ),
        (
            Function::HostedUi,
            "GET",
            "/oauth2/nope",
            "GET /oauth2/nope is not served by the hosted-ui function.",
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

/// `file` through the hosted-ui function as the Lambda runtime runs it (`lambda_http`'s
/// adapter: event in, API Gateway v2 response out), with the handler's reply given
/// `extra` more `Set-Cookie` headers; the response as JSON.
async fn through_runtime(file: &str, extra: &'static [&'static str]) -> Value {
    let f = Fixture::new().await.expect("fixture");
    let event: ApiGatewayV2httpRequest =
        serde_json::from_str(&f.event_json(&events_dir().join(file)).expect("event"))
            .expect("a v2 event");
    let handler = std::sync::Arc::new(f.handler(Function::HostedUi));
    let mut adapter = Adapter::from(lambda_http::service_fn(move |req| {
        let handler = handler.clone();
        async move {
            let mut resp = handler.handle(req).await;
            for c in extra {
                let value = lambda_http::http::HeaderValue::from_static(c);
                resp.headers_mut().append("set-cookie", value);
            }
            Ok::<_, lambda_http::Error>(resp)
        }
    }));
    let event = LambdaEvent::new(LambdaRequest::ApiGatewayV2(event), Context::default());
    let resp = adapter.call(event).await.expect("a response");
    serde_json::to_value(resp).expect("serializable")
}

#[tokio::test]
async fn cookies_leave_in_the_v2_cookies_array() {
    // The login sets the hosted session: API Gateway v2 takes Set-Cookie only from `cookies`.
    let resp = through_runtime("hosted-ui/post-login.json", &[]).await;
    assert_eq!(resp["statusCode"], 302, "{resp}");
    let cookies = resp["cookies"].as_array().expect("a cookies array");
    assert_eq!(cookies.len(), 1, "{resp}");
    assert!(
        cookies[0]
            .as_str()
            .is_some_and(|c| c.starts_with("latchkey-session=") && c.contains("; Secure")),
        "{resp}"
    );
    assert!(resp["headers"].get("set-cookie").is_none(), "{resp}");
    assert!(
        resp["headers"]["location"]
            .as_str()
            .is_some_and(|l| l.starts_with("https://app.example.com/callback?code=")),
        "{resp}"
    );
    // Several Set-Cookie headers: every one, in order, none folded into one header.
    let resp = through_runtime("hosted-ui/get-login.json", &["a=1; Path=/", "b=2; Path=/"]).await;
    assert_eq!(resp["statusCode"], 200, "{resp}");
    let cookies: Vec<&str> = resp["cookies"]
        .as_array()
        .expect("a cookies array")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(cookies.len(), 3, "{resp}");
    assert!(cookies[0].starts_with("XSRF-TOKEN="), "{resp}");
    assert_eq!(cookies[1..], ["a=1; Path=/", "b=2; Path=/"], "{resp}");
    assert!(resp["headers"].get("set-cookie").is_none(), "{resp}");
}

#[tokio::test]
async fn form_posts_keep_their_query_and_trailing_slash() {
    // `POST /login/?…`: routed as /login, the query (the authorization request) unchanged.
    let f = Fixture::new().await.expect("fixture");
    let file = events_dir().join("hosted-ui/post-login.json");
    let mut event: Value =
        serde_json::from_str(&f.event_json(&file).expect("event")).expect("JSON");
    event["rawPath"] = "/login/".into();
    let event: ApiGatewayV2httpRequest = serde_json::from_value(event).expect("a v2 event");
    let resp = f
        .handler(Function::HostedUi)
        .handle(LambdaRequest::ApiGatewayV2(event).into())
        .await;
    assert_eq!(resp.status().as_u16(), 302);
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        location.starts_with("https://app.example.com/callback?code=")
            && location.ends_with("&state=EXAMPLEstate"),
        "{location}"
    );
}
