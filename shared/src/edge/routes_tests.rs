//! The route table's own checks: every route resolves to itself, patterns, methods, flows.

use super::*;

fn found(method: http::Method, path: &str) -> Option<(&'static str, Option<&str>)> {
    match resolve(&method, path, |_| true) {
        Resolved::Found(r, p) => Some((r.path, p)),
        _ => None,
    }
}

#[test]
fn every_route_resolves_to_itself() {
    for route in ROUTES {
        let path = route
            .path
            .replace("{poolId}", "us-east-1_abc")
            .replace("{jobId}", "import-abc");
        let method = match route.method {
            Method::Get => http::Method::GET,
            Method::Post => http::Method::POST,
            Method::Put => http::Method::PUT,
        };
        let Resolved::Found(r, param) = resolve(&method, &path, |_| true) else {
            panic!("{} {} does not resolve", route.method.as_str(), route.path);
        };
        assert!(std::ptr::eq(r, route), "{path}");
        assert_eq!(param.is_some(), route.path.contains('{'), "{path}");
        assert!(
            route.server || !route.functions.is_empty(),
            "{path}: served by nothing"
        );
    }
}

#[test]
fn pool_ids_and_the_identity_issuer_fill_the_pattern() {
    assert_eq!(
        found(http::Method::GET, "/cognito-identity/.well-known/jwks.json"),
        Some(("/{poolId}/.well-known/jwks.json", Some("cognito-identity")))
    );
    assert_eq!(
        found(http::Method::HEAD, "/p/.well-known/openid-configuration"),
        Some(("/{poolId}/.well-known/openid-configuration", Some("p")))
    );
    assert_eq!(found(http::Method::GET, "//.well-known/jwks.json"), None);
    assert_eq!(found(http::Method::GET, "/a/b/.well-known/jwks.json"), None);
    assert_eq!(found(http::Method::GET, "/p/.well-known/other"), None);
}

#[test]
fn unknown_paths_and_methods_are_told_apart() {
    assert!(matches!(
        resolve(&http::Method::GET, "/", |_| true),
        Resolved::WrongMethod(r) if r.path == "/"
    ));
    assert!(matches!(
        resolve(&http::Method::PUT, "/sign-up", |_| true),
        Resolved::WrongMethod(r) if r.path == "/sign-up"
    ));
    assert!(matches!(
        resolve(&http::Method::POST, "/sign-up/", |_| true),
        Resolved::NotFound
    ));
    assert!(matches!(
        resolve(&http::Method::POST, "/nope", |_| true),
        Resolved::NotFound
    ));
    // The local server has no /credentials or /admin route.
    assert!(matches!(
        resolve(&http::Method::POST, "/admin", |r| r.server),
        Resolved::NotFound
    ));
    assert_eq!(trimmed("/sign-up//"), "/sign-up");
    assert_eq!(trimmed("/"), "/");
    assert_eq!(trimmed(""), "");
}

#[test]
fn rest_routes_fix_their_flows() {
    let rest = |path: &str| match resolve(&http::Method::POST, path, |_| true) {
        Resolved::Found(
            Route {
                action: Action::Rest(r),
                ..
            },
            _,
        ) => Some((r.operation, r.flows)),
        _ => None,
    };
    assert_eq!(rest("/sign-up"), Some(("SignUp", None)));
    assert_eq!(rest("/sign-up/confirm"), Some(("ConfirmSignUp", None)));
    assert_eq!(
        rest("/sign-up/resend"),
        Some(("ResendConfirmationCode", None))
    );
    assert_eq!(
        rest("/sign-in"),
        Some(("InitiateAuth", Some(SIGN_IN_FLOWS)))
    );
    assert_eq!(
        rest("/token/refresh"),
        Some(("InitiateAuth", Some(REFRESH_FLOWS)))
    );
    assert_eq!(rest("/"), None);
}
