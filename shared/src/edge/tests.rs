//! The local server's routing through the edge, on an App over an in-memory store: unknown
//! paths and methods answer as the server always has.

use super::*;
use crate::clock::SystemClock;
use crate::App;
use http::StatusCode;
use std::sync::Arc;

fn app() -> App {
    App::in_memory(Arc::new(SystemClock))
}

async fn send(app: &App, method: http::Method, path: &str) -> (EdgeResponse, serde_json::Value) {
    let resp = handle(app, &EdgeRequest::new(method, path, "rid-1")).await;
    let body = serde_json::from_slice(&resp.body).unwrap_or_default();
    (resp, body)
}

#[tokio::test]
async fn the_server_answers_every_path_and_method_in_json() {
    let app = app();
    let (resp, body) = send(&app, http::Method::GET, "/_latchkey/health").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    assert_eq!(resp.headers["x-amzn-requestid"], "rid-1");

    let (resp, body) = send(&app, http::Method::PUT, "/").await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert_eq!(body["__type"], "UnknownOperationException");
    assert_eq!(
        body["message"],
        "PUT / is not supported: Cognito operations are POST requests."
    );
    assert_eq!(resp.headers["content-type"], JSON);

    let (resp, body) = send(&app, http::Method::POST, "/").await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert_eq!(body["message"], "Missing X-Amz-Target header.");
    assert_eq!(resp.headers["content-type"], AMZ_JSON);
    assert_eq!(
        resp.headers["x-amzn-errortype"],
        "UnknownOperationException"
    );

    for path in ["/nope", "/admin", "/credentials", "/sign-up/"] {
        let (resp, body) = send(&app, http::Method::POST, path).await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(body["message"], format!("No route for POST {path}"));
    }

    let (resp, _) = send(&app, http::Method::GET, "/sign-up").await;
    assert_eq!(resp.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers["allow"], "POST");

    let (resp, body) = send(
        &app,
        http::Method::GET,
        "/us-east-1_none/.well-known/jwks.json",
    )
    .await;
    assert_eq!(resp.status, StatusCode::NOT_FOUND);
    assert_eq!(body["__type"], "ResourceNotFoundException");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_before_any_operation() {
    let app = app();
    let mut req = EdgeRequest::new(http::Method::POST, "/sign-up", "rid-2");
    req.body = vec![b' '; MAX_BODY_BYTES + 1].into();
    let resp = handle(&app, &req).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers["content-type"], JSON);
    let body: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    assert_eq!(
        body["message"],
        format!("Request body is larger than {MAX_BODY_BYTES} bytes.")
    );
    req.path = "/".into();
    req.body = bytes::Bytes::new();
    req.body_over_limit = true;
    let resp = handle(&app, &req).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert_eq!(resp.headers["content-type"], AMZ_JSON);
}
