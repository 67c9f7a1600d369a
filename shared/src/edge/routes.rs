//! THE route table: every HTTP route of Latchkey, for the local server and the Lambda
//! functions alike. Each route says its method and path pattern, what it runs, which
//! `X-Amz-Target` operations a function accepts on it, which Lambda function(s) have it in
//! template.yaml, and whether the local server serves it. The server's router, the
//! functions' allow-lists ([`super::functions`]) and the template test read this table.

use super::functions::Function;
use crate::protocol::sigv4::requires_signature;
use crate::protocol::{RestRoute, IDENTITY_PREFIX, IDP_PREFIX};

/// The methods routes are declared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// GET (a HEAD request is routed as GET).
    Get,
    /// POST.
    Post,
    /// PUT (the local import upload URL).
    Put,
}

impl Method {
    /// The method as HTTP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }

    /// The table's method for an HTTP method, if it has one.
    pub fn of(method: &http::Method) -> Option<Method> {
        match *method {
            http::Method::GET | http::Method::HEAD => Some(Method::Get),
            http::Method::POST => Some(Method::Post),
            http::Method::PUT => Some(Method::Put),
            _ => None,
        }
    }
}

/// A well-known document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// `jwks.json`: the signing keys.
    Jwks,
    /// `openid-configuration`: OpenID discovery.
    OpenIdConfiguration,
}

/// What a route runs.
#[derive(Debug)]
pub enum Action {
    /// The operation named by the `X-Amz-Target` header (awsJson 1.1).
    Target,
    /// One operation on a plain JSON body, with the flows the route fixes.
    Rest(RestRoute),
    /// A document of the pool named by `{poolId}`, or of the identity issuer when that is
    /// `cognito-identity`.
    WellKnown(Document),
    /// The emailed sign-up confirmation link (`CONFIRM_WITH_LINK`): confirms, answers a page;
    /// without a code in the query, the managed login's code form.
    ConfirmUser,
    /// An OAuth 2.0 endpoint or managed login page.
    OAuth(OAuthRoute),
    /// A page or form of the web console (`crate::console`).
    Console(ConsoleRoute),
    /// The codes and messages the local outbox delivered (local server only).
    Outbox,
    /// Liveness (local server only).
    Health,
    /// A user import job's CSV upload, the local stand-in for Cognito's pre-signed S3 URL
    /// (local server only).
    ImportUpload,
}

/// The OAuth 2.0 endpoints and managed login pages (`super::hosted`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthRoute {
    /// `GET /oauth2/authorize`.
    Authorize,
    /// `GET /login`: the form.
    LoginPage,
    /// `POST /login`: the password.
    LoginSubmit,
    /// `POST /login/challenge`: a challenge's answer.
    Challenge,
    /// `POST /oauth2/token`.
    Token,
    /// `GET|POST /oauth2/userInfo`.
    UserInfo,
    /// `POST /oauth2/revoke`.
    Revoke,
    /// `GET|POST /oauth2/idpresponse`: an external identity provider's answer.
    IdpResponse,
    /// `POST /saml2/idpresponse`: a SAML provider's response.
    SamlResponse,
    /// `GET|POST /saml2/logout`: a SAML provider's logout response.
    SamlLogout,
    /// `GET /logout`.
    Logout,
    /// `GET /signup`.
    SignUpPage,
    /// `POST /signup`.
    SignUpSubmit,
    /// `POST /confirmUser` (its GET is [`Action::ConfirmUser`]).
    ConfirmSubmit,
    /// `GET /forgotPassword`.
    ForgotPage,
    /// `POST /forgotPassword`.
    ForgotSubmit,
    /// `GET /confirmForgotPassword`.
    ResetPage,
    /// `POST /confirmForgotPassword`.
    ResetSubmit,
}

/// The web console's pages and forms (`crate::console`), under `/_latchkey/console`. Pools,
/// users and actions are named in the query (`?pool=&username=&action=`), so every path is
/// fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleRoute {
    /// `GET /_latchkey/console`: the user pools.
    Home,
    /// `GET /_latchkey/console/signin`: to the managed login (code flow with PKCE).
    SignIn,
    /// `GET /_latchkey/console/callback`: the code back from the managed login.
    Callback,
    /// `POST /_latchkey/console/signout`.
    SignOut,
    /// `GET /_latchkey/console/pool`: one pool's settings and app clients.
    Pool,
    /// `GET /_latchkey/console/users`: a pool's users, searched and paged.
    Users,
    /// `GET /_latchkey/console/user`: one user.
    User,
    /// `GET /_latchkey/console/groups`: a pool's groups and their members.
    Groups,
    /// `GET /_latchkey/console/action`: an action's confirmation form.
    ActionPage,
    /// `POST /_latchkey/console/action`: the action, confirmed.
    ActionSubmit,
    /// `GET /_latchkey/console/identity-pools`: identity pools and their role rules.
    IdentityPools,
    /// `GET /_latchkey/console/token`: the token inspector's form.
    TokenPage,
    /// `POST /_latchkey/console/token`: a token, decoded and verified.
    TokenSubmit,
    /// `GET /_latchkey/console/outbox`: the local outbox (local server only).
    Outbox,
}

/// Which `AuthFlow`s of an InitiateAuth a target rule takes.
#[derive(Debug)]
pub enum Flows {
    /// Any flow (or none).
    Any,
    /// Only these.
    Only(&'static [&'static str]),
    /// Any flow (or none) but these.
    Except(&'static [&'static str]),
}

/// One `X-Amz-Target` operation a function accepts on a route.
#[derive(Debug)]
pub struct TargetOp {
    /// The service's target prefix ([`IDP_PREFIX`] or [`IDENTITY_PREFIX`]).
    pub prefix: &'static str,
    /// The operation.
    pub op: &'static str,
    /// The `AuthFlow`s accepted (InitiateAuth only).
    pub flows: Flows,
}

/// The `X-Amz-Target` operations the functions of a route accept there.
#[derive(Debug)]
pub enum Targets {
    /// None (documents, local routes).
    None,
    /// Every operation of both services.
    All,
    /// Every operation that requires a signature.
    Signed,
    /// These.
    Only(&'static [TargetOp]),
}

impl Targets {
    /// Whether `target`, with `flow` its `AuthFlow`, is accepted.
    pub fn accepts(&self, target: &str, flow: Option<&str>) -> bool {
        let known = target.starts_with(IDP_PREFIX) || target.starts_with(IDENTITY_PREFIX);
        match self {
            Targets::None => false,
            Targets::All => known,
            Targets::Signed => known && requires_signature(target),
            Targets::Only(ops) => ops.iter().any(|t| {
                target.strip_prefix(t.prefix) == Some(t.op)
                    && match t.flows {
                        Flows::Any => true,
                        Flows::Only(f) => flow.is_some_and(|flow| f.contains(&flow)),
                        Flows::Except(f) => !flow.is_some_and(|flow| f.contains(&flow)),
                    }
            }),
        }
    }
}

/// One route.
#[derive(Debug)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path; `{poolId}` matches one non-empty segment.
    pub path: &'static str,
    /// What it runs.
    pub action: Action,
    /// The `X-Amz-Target` operations its functions accept on it.
    pub targets: Targets,
    /// The Lambda functions that have this route (empty: local server only).
    pub functions: &'static [Function],
    /// Whether the local server serves it.
    pub server: bool,
}

/// The `AuthFlow`s of InitiateAuth that the refresh route and function take.
pub const REFRESH_FLOWS: &[&str] = &["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"];
/// The `AuthFlow`s the sign-in route takes (the first is its default).
pub const SIGN_IN_FLOWS: &[&str] = &[
    "USER_PASSWORD_AUTH",
    "USER_SRP_AUTH",
    "CUSTOM_AUTH",
    "USER_AUTH",
];

const fn idp(op: &'static str) -> TargetOp {
    TargetOp {
        prefix: IDP_PREFIX,
        op,
        flows: Flows::Any,
    }
}

const fn identity(op: &'static str) -> TargetOp {
    TargetOp {
        prefix: IDENTITY_PREFIX,
        op,
        flows: Flows::Any,
    }
}

const SIGN_UP_OPS: &[TargetOp] = &[
    idp("SignUp"),
    idp("ConfirmSignUp"),
    idp("ResendConfirmationCode"),
];
const SIGN_IN_OPS: &[TargetOp] = &[
    TargetOp {
        flows: Flows::Except(REFRESH_FLOWS),
        ..idp("InitiateAuth")
    },
    idp("RespondToAuthChallenge"),
];
const REFRESH_OPS: &[TargetOp] = &[
    TargetOp {
        flows: Flows::Only(REFRESH_FLOWS),
        ..idp("InitiateAuth")
    },
    idp("GetTokensFromRefreshToken"),
    idp("RevokeToken"),
    idp("GlobalSignOut"),
];
const CREDENTIAL_OPS: &[TargetOp] = &[
    identity("GetId"),
    identity("GetCredentialsForIdentity"),
    identity("GetOpenIdToken"),
];

/// A route of the sign-up function.
const fn sign_up(path: &'static str, operation: &'static str) -> Route {
    Route {
        method: Method::Post,
        path,
        action: Action::Rest(RestRoute {
            operation,
            flows: None,
        }),
        targets: Targets::Only(SIGN_UP_OPS),
        functions: &[Function::SignUp],
        server: true,
    }
}

/// A route of the OAuth endpoints and login pages (the hosted-ui function).
const fn oauth(method: Method, path: &'static str, route: OAuthRoute) -> Route {
    Route {
        method,
        path,
        action: Action::OAuth(route),
        targets: Targets::None,
        functions: &[Function::HostedUi],
        server: true,
    }
}

/// A route of the web console: the local server's and the hosted-ui function's.
const fn console(method: Method, path: &'static str, route: ConsoleRoute) -> Route {
    Route {
        method,
        path,
        action: Action::Console(route),
        targets: Targets::None,
        functions: &[Function::HostedUi],
        server: true,
    }
}

/// Every route. A function's first route is the one error messages point to.
pub static ROUTES: &[Route] = &[
    Route {
        method: Method::Post,
        path: "/",
        action: Action::Target,
        targets: Targets::All,
        functions: &[Function::CognitoApi],
        server: true,
    },
    sign_up("/sign-up", "SignUp"),
    sign_up("/sign-up/confirm", "ConfirmSignUp"),
    sign_up("/sign-up/resend", "ResendConfirmationCode"),
    Route {
        method: Method::Get,
        path: "/confirmUser",
        action: Action::ConfirmUser,
        targets: Targets::None,
        functions: &[Function::SignUp],
        server: true,
    },
    Route {
        method: Method::Post,
        path: "/sign-in",
        action: Action::Rest(RestRoute {
            operation: "InitiateAuth",
            flows: Some(SIGN_IN_FLOWS),
        }),
        targets: Targets::Only(SIGN_IN_OPS),
        functions: &[Function::SignIn],
        server: true,
    },
    Route {
        method: Method::Post,
        path: "/token/refresh",
        action: Action::Rest(RestRoute {
            operation: "InitiateAuth",
            flows: Some(REFRESH_FLOWS),
        }),
        targets: Targets::Only(REFRESH_OPS),
        functions: &[Function::TokenRefresh],
        server: true,
    },
    Route {
        method: Method::Post,
        path: "/credentials",
        action: Action::Target,
        targets: Targets::Only(CREDENTIAL_OPS),
        functions: &[Function::Credentials],
        server: false,
    },
    Route {
        method: Method::Post,
        path: "/admin",
        action: Action::Target,
        targets: Targets::Signed,
        functions: &[Function::Admin],
        server: false,
    },
    Route {
        method: Method::Get,
        path: "/{poolId}/.well-known/jwks.json",
        action: Action::WellKnown(Document::Jwks),
        targets: Targets::None,
        functions: &[Function::Jwks],
        server: true,
    },
    Route {
        method: Method::Get,
        path: "/{poolId}/.well-known/openid-configuration",
        action: Action::WellKnown(Document::OpenIdConfiguration),
        targets: Targets::None,
        functions: &[Function::Jwks],
        server: true,
    },
    oauth(Method::Get, "/oauth2/authorize", OAuthRoute::Authorize),
    oauth(Method::Get, "/login", OAuthRoute::LoginPage),
    oauth(Method::Post, "/login", OAuthRoute::LoginSubmit),
    oauth(Method::Post, "/login/challenge", OAuthRoute::Challenge),
    oauth(Method::Post, "/oauth2/token", OAuthRoute::Token),
    oauth(Method::Get, "/oauth2/userInfo", OAuthRoute::UserInfo),
    oauth(Method::Post, "/oauth2/userInfo", OAuthRoute::UserInfo),
    oauth(Method::Post, "/oauth2/revoke", OAuthRoute::Revoke),
    oauth(Method::Get, "/oauth2/idpresponse", OAuthRoute::IdpResponse),
    oauth(Method::Post, "/oauth2/idpresponse", OAuthRoute::IdpResponse),
    oauth(Method::Post, "/saml2/idpresponse", OAuthRoute::SamlResponse),
    oauth(Method::Get, "/saml2/logout", OAuthRoute::SamlLogout),
    oauth(Method::Post, "/saml2/logout", OAuthRoute::SamlLogout),
    oauth(Method::Get, "/logout", OAuthRoute::Logout),
    oauth(Method::Get, "/signup", OAuthRoute::SignUpPage),
    oauth(Method::Post, "/signup", OAuthRoute::SignUpSubmit),
    oauth(Method::Post, "/confirmUser", OAuthRoute::ConfirmSubmit),
    oauth(Method::Get, "/forgotPassword", OAuthRoute::ForgotPage),
    oauth(Method::Post, "/forgotPassword", OAuthRoute::ForgotSubmit),
    oauth(Method::Get, "/confirmForgotPassword", OAuthRoute::ResetPage),
    oauth(
        Method::Post,
        "/confirmForgotPassword",
        OAuthRoute::ResetSubmit,
    ),
    console(Method::Get, "/_latchkey/console", ConsoleRoute::Home),
    console(
        Method::Get,
        "/_latchkey/console/signin",
        ConsoleRoute::SignIn,
    ),
    console(
        Method::Get,
        "/_latchkey/console/callback",
        ConsoleRoute::Callback,
    ),
    console(
        Method::Post,
        "/_latchkey/console/signout",
        ConsoleRoute::SignOut,
    ),
    console(Method::Get, "/_latchkey/console/pool", ConsoleRoute::Pool),
    console(Method::Get, "/_latchkey/console/users", ConsoleRoute::Users),
    console(Method::Get, "/_latchkey/console/user", ConsoleRoute::User),
    console(
        Method::Get,
        "/_latchkey/console/groups",
        ConsoleRoute::Groups,
    ),
    console(
        Method::Get,
        "/_latchkey/console/action",
        ConsoleRoute::ActionPage,
    ),
    console(
        Method::Post,
        "/_latchkey/console/action",
        ConsoleRoute::ActionSubmit,
    ),
    console(
        Method::Get,
        "/_latchkey/console/identity-pools",
        ConsoleRoute::IdentityPools,
    ),
    console(
        Method::Get,
        "/_latchkey/console/token",
        ConsoleRoute::TokenPage,
    ),
    console(
        Method::Post,
        "/_latchkey/console/token",
        ConsoleRoute::TokenSubmit,
    ),
    // The outbox holds codes: only the local server shows it.
    Route {
        method: Method::Get,
        path: "/_latchkey/console/outbox",
        action: Action::Console(ConsoleRoute::Outbox),
        targets: Targets::None,
        functions: &[],
        server: true,
    },
    Route {
        method: Method::Get,
        path: "/_latchkey/outbox",
        action: Action::Outbox,
        targets: Targets::None,
        functions: &[],
        server: true,
    },
    Route {
        method: Method::Put,
        path: "/_latchkey/import/{jobId}",
        action: Action::ImportUpload,
        targets: Targets::None,
        functions: &[],
        server: true,
    },
    Route {
        method: Method::Get,
        path: "/_latchkey/health",
        action: Action::Health,
        targets: Targets::None,
        functions: &[],
        server: true,
    },
];

/// How a request's method and path meet the table.
#[derive(Debug)]
pub enum Resolved<'p> {
    /// A route, and the `{poolId}` its path held (if its pattern has one).
    Found(&'static Route, Option<&'p str>),
    /// The path is a route's, but not with this method: that route.
    WrongMethod(&'static Route),
    /// No route has this path.
    NotFound,
}

/// The route for `method` and `path` among those `include` keeps.
pub fn resolve<'p>(
    method: &http::Method,
    path: &'p str,
    include: impl Fn(&Route) -> bool,
) -> Resolved<'p> {
    let mut wrong = None;
    for route in ROUTES.iter().filter(|r| include(r)) {
        let Some(param) = matches(route.path, path) else {
            continue;
        };
        if Method::of(method) == Some(route.method) {
            return Resolved::Found(route, param);
        }
        wrong.get_or_insert(route);
    }
    wrong.map_or(Resolved::NotFound, Resolved::WrongMethod)
}

/// `Some(param)` when `path` fits `pattern`; `param` is what a `{...}` segment matched.
fn matches<'p>(pattern: &str, path: &'p str) -> Option<Option<&'p str>> {
    let mut param = None;
    let mut want = pattern.split('/');
    let mut got = path.split('/');
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(param),
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') && !g.is_empty() => {
                param = Some(g);
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

/// `path` without trailing slashes (but `/` stays `/`).
pub fn trimmed(path: &str) -> &str {
    match path.trim_end_matches('/') {
        "" => path.get(..1).unwrap_or(""),
        p => p,
    }
}

#[cfg(test)]
#[path = "routes_tests.rs"]
mod tests;
