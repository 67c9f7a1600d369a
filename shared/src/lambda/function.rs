//! The Lambda functions and what each serves: the per-function allow-lists, the routes each
//! has in template.yaml, and the answer for an operation sent to the wrong function.

use crate::protocol::sigv4::requires_signature;
use crate::protocol::{IDENTITY_PREFIX, IDP_PREFIX};

/// One Lambda function of the deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// SignUp, ConfirmSignUp, ResendConfirmationCode.
    SignUp,
    /// InitiateAuth (every flow but refresh), RespondToAuthChallenge.
    SignIn,
    /// InitiateAuth REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, RevokeToken, GlobalSignOut.
    TokenRefresh,
    /// GetId, GetCredentialsForIdentity, GetOpenIdToken.
    Credentials,
    /// The well-known documents (JWKS, OpenID discovery) of pools and of the identity issuer.
    Jwks,
    /// Every operation at `POST /`; the signed ones need SigV4 with the admin key.
    CognitoApi,
    /// The signed (administration) operations, behind IAM authorization.
    Admin,
}

/// How a request for an operation a function serves must be authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A noAuth operation: the body carries its own proof (client id, token, secret hash).
    Open,
    /// SigV4 with the deployment's admin key, verified here.
    SigV4,
    /// API Gateway's AWS_IAM authorizer, already checked; the event must say so.
    Iam,
}

const SIGN_UP_OPS: &[&str] = &["SignUp", "ConfirmSignUp", "ResendConfirmationCode"];
const REFRESH_OPS: &[&str] = &["GetTokensFromRefreshToken", "RevokeToken", "GlobalSignOut"];
const CREDENTIAL_OPS: &[&str] = &["GetId", "GetCredentialsForIdentity", "GetOpenIdToken"];
/// The `AuthFlow`s of InitiateAuth that the token-refresh function serves.
pub const REFRESH_FLOWS: &[&str] = &["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"];

impl Function {
    /// Every function, in template order.
    pub const ALL: [Function; 7] = [
        Function::SignUp,
        Function::SignIn,
        Function::TokenRefresh,
        Function::Credentials,
        Function::Jwks,
        Function::CognitoApi,
        Function::Admin,
    ];

    /// The crate folder under `functions/` and the binary name.
    pub fn name(self) -> &'static str {
        match self {
            Function::SignUp => "sign-up",
            Function::SignIn => "sign-in",
            Function::TokenRefresh => "token-refresh",
            Function::Credentials => "credentials",
            Function::Jwks => "jwks",
            Function::CognitoApi => "cognito-api",
            Function::Admin => "admin",
        }
    }

    /// The function named `name` (its crate folder).
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The HTTP API routes (method, path) of this function, as in template.yaml.
    pub fn routes(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Function::SignUp => &[
                ("POST", "/sign-up"),
                ("POST", "/sign-up/confirm"),
                ("POST", "/sign-up/resend"),
            ],
            Function::SignIn => &[("POST", "/sign-in")],
            Function::TokenRefresh => &[("POST", "/token/refresh")],
            Function::Credentials => &[("POST", "/credentials")],
            Function::Jwks => &[
                ("GET", "/{poolId}/.well-known/jwks.json"),
                ("GET", "/{poolId}/.well-known/openid-configuration"),
            ],
            Function::CognitoApi => &[("POST", "/")],
            Function::Admin => &[("POST", "/admin")],
        }
    }

    /// Whether this function runs the operation named by `target` (`X-Amz-Target`), with
    /// `flow` the request's `AuthFlow` when it is InitiateAuth.
    pub fn serves_target(self, target: &str, flow: Option<&str>) -> bool {
        let idp = target.strip_prefix(IDP_PREFIX);
        let identity = target.strip_prefix(IDENTITY_PREFIX);
        let refresh = flow.is_some_and(|f| REFRESH_FLOWS.contains(&f));
        match self {
            Function::SignUp => idp.is_some_and(|op| SIGN_UP_OPS.contains(&op)),
            Function::SignIn => idp.is_some_and(|op| {
                op == "RespondToAuthChallenge" || (op == "InitiateAuth" && !refresh)
            }),
            Function::TokenRefresh => {
                idp.is_some_and(|op| REFRESH_OPS.contains(&op) || (op == "InitiateAuth" && refresh))
            }
            Function::Credentials => identity.is_some_and(|op| CREDENTIAL_OPS.contains(&op)),
            Function::Jwks => false,
            Function::CognitoApi => idp.is_some() || identity.is_some(),
            Function::Admin => (idp.is_some() || identity.is_some()) && requires_signature(target),
        }
    }

    /// How a served operation must be authenticated on this function.
    pub fn access(self, target: &str) -> Access {
        match self {
            Function::Admin => Access::Iam,
            Function::CognitoApi if requires_signature(target) => Access::SigV4,
            _ => Access::Open,
        }
    }

    /// The REST routes (`rest_route` paths) this function answers without `X-Amz-Target`.
    pub fn rest_paths(self) -> &'static [&'static str] {
        match self {
            Function::SignUp => &["/sign-up", "/sign-up/confirm", "/sign-up/resend"],
            Function::SignIn => &["/sign-in"],
            Function::TokenRefresh => &["/token/refresh"],
            _ => &[],
        }
    }

    /// The 400 message for an operation this function does not serve: who does.
    pub fn not_served(self, what: &str, servers: &[Function]) -> String {
        let to = servers
            .iter()
            .map(|f| match f.routes().first() {
                Some((method, path)) => format!("the {} function ({method} {path})", f.name()),
                None => format!("the {} function", f.name()),
            })
            .collect::<Vec<_>>()
            .join(" or ");
        if to.is_empty() {
            format!("{what} is not served by the {} function.", self.name())
        } else {
            format!(
                "{what} is not served by the {} function: send it to {to}.",
                self.name()
            )
        }
    }
}

/// The functions that run `target` (dedicated ones first, cognito-api last).
pub fn servers_of_target(target: &str, flow: Option<&str>) -> Vec<Function> {
    let mut all: Vec<Function> = Function::ALL
        .into_iter()
        .filter(|f| f.serves_target(target, flow))
        .collect();
    all.sort_by_key(|f| *f == Function::CognitoApi);
    all
}

/// The function whose REST route `path` is.
pub fn server_of_rest(path: &str) -> Option<Function> {
    let path = path.trim_end_matches('/');
    Function::ALL
        .into_iter()
        .find(|f| f.rest_paths().contains(&path))
}
