//! The Lambda functions of the deployment, and how each authenticates what it serves. What
//! each serves is read from the route table ([`super::allow_lists`]).

use crate::protocol::sigv4::requires_signature;

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
    /// The OAuth 2.0 endpoints (authorize, token, userInfo, revoke, logout), the managed
    /// login pages (`/login`, `/login/challenge`) and the web console (`/_latchkey/console`).
    HostedUi,
}

/// How a request for an operation a function serves must be authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A noAuth operation: the body carries its own proof (client id, token, secret hash).
    Open,
    /// SigV4 with the deployment's admin key, verified by the function.
    SigV4,
    /// API Gateway's AWS_IAM authorizer, already checked; the event must say so.
    Iam,
}

impl Function {
    /// Every function, in template order.
    pub const ALL: [Function; 8] = [
        Function::SignUp,
        Function::SignIn,
        Function::TokenRefresh,
        Function::Credentials,
        Function::Jwks,
        Function::CognitoApi,
        Function::Admin,
        Function::HostedUi,
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
            Function::HostedUi => "hosted-ui",
        }
    }

    /// The function named `name` (its crate folder).
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// How a served operation must be authenticated on this function.
    pub fn access(self, target: &str) -> Access {
        match self {
            Function::Admin => Access::Iam,
            Function::CognitoApi if requires_signature(target) => Access::SigV4,
            _ => Access::Open,
        }
    }
}
