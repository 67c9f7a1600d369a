//! The functions' allow-lists, all read from the route table ([`super::routes::ROUTES`]): a
//! function's routes (as in template.yaml), its REST paths, the `X-Amz-Target` operations it
//! accepts, and who serves what it does not.

use super::functions::Function;
use super::routes::{Action, ROUTES};

impl Function {
    /// The HTTP API routes (method, path) of this function, as in template.yaml.
    pub fn routes(self) -> Vec<(&'static str, &'static str)> {
        ROUTES
            .iter()
            .filter(|r| r.functions.contains(&self))
            .map(|r| (r.method.as_str(), r.path))
            .collect()
    }

    /// Whether this function runs the operation named by `target` (`X-Amz-Target`), with
    /// `flow` the request's `AuthFlow` when it is InitiateAuth.
    pub fn serves_target(self, target: &str, flow: Option<&str>) -> bool {
        ROUTES
            .iter()
            .filter(|r| r.functions.contains(&self))
            .any(|r| r.targets.accepts(target, flow))
    }

    /// The REST routes this function answers without `X-Amz-Target`.
    pub fn rest_paths(self) -> Vec<&'static str> {
        ROUTES
            .iter()
            .filter(|r| r.functions.contains(&self) && matches!(r.action, Action::Rest(_)))
            .map(|r| r.path)
            .collect()
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

/// The function whose REST route `path` is (a trailing `/` ignored).
pub fn server_of_rest(path: &str) -> Option<Function> {
    let path = super::routes::trimmed(path);
    ROUTES
        .iter()
        .find(|r| r.path == path && matches!(r.action, Action::Rest(_)))
        .and_then(|r| r.functions.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edge::Access;
    use crate::protocol::{IDENTITY_PREFIX, IDP_PREFIX};

    fn idp(op: &str) -> String {
        format!("{IDP_PREFIX}{op}")
    }

    #[test]
    fn each_function_has_its_template_routes() {
        assert_eq!(
            Function::SignUp.routes(),
            [
                ("POST", "/sign-up"),
                ("POST", "/sign-up/confirm"),
                ("POST", "/sign-up/resend"),
                ("GET", "/confirmUser")
            ]
        );
        assert_eq!(Function::SignIn.routes(), [("POST", "/sign-in")]);
        assert_eq!(
            Function::TokenRefresh.routes(),
            [("POST", "/token/refresh")]
        );
        assert_eq!(Function::Credentials.routes(), [("POST", "/credentials")]);
        assert_eq!(
            Function::Jwks.routes(),
            [
                ("GET", "/{poolId}/.well-known/jwks.json"),
                ("GET", "/{poolId}/.well-known/openid-configuration")
            ]
        );
        assert_eq!(Function::CognitoApi.routes(), [("POST", "/")]);
        assert_eq!(Function::Admin.routes(), [("POST", "/admin")]);
        assert_eq!(
            Function::HostedUi.routes(),
            [
                ("GET", "/oauth2/authorize"),
                ("GET", "/login"),
                ("POST", "/login"),
                ("POST", "/login/challenge"),
                ("POST", "/oauth2/token"),
                ("GET", "/oauth2/userInfo"),
                ("POST", "/oauth2/userInfo"),
                ("POST", "/oauth2/revoke"),
                ("GET", "/oauth2/idpresponse"),
                ("POST", "/oauth2/idpresponse"),
                ("POST", "/saml2/idpresponse"),
                ("GET", "/saml2/logout"),
                ("POST", "/saml2/logout"),
                ("GET", "/logout"),
                ("GET", "/signup"),
                ("POST", "/signup"),
                ("POST", "/confirmUser"),
                ("GET", "/forgotPassword"),
                ("POST", "/forgotPassword"),
                ("GET", "/confirmForgotPassword"),
                ("POST", "/confirmForgotPassword"),
                ("GET", "/_latchkey/console"),
                ("GET", "/_latchkey/console/signin"),
                ("GET", "/_latchkey/console/callback"),
                ("POST", "/_latchkey/console/signout"),
                ("GET", "/_latchkey/console/pool"),
                ("GET", "/_latchkey/console/users"),
                ("GET", "/_latchkey/console/user"),
                ("GET", "/_latchkey/console/groups"),
                ("GET", "/_latchkey/console/action"),
                ("POST", "/_latchkey/console/action"),
                ("GET", "/_latchkey/console/identity-pools"),
                ("GET", "/_latchkey/console/token"),
                ("POST", "/_latchkey/console/token")
            ]
        );
        for f in Function::ALL {
            assert_eq!(Function::from_name(f.name()), Some(f));
        }
    }

    #[test]
    fn rest_paths_and_their_servers_come_from_the_table() {
        assert_eq!(
            Function::SignUp.rest_paths(),
            ["/sign-up", "/sign-up/confirm", "/sign-up/resend"]
        );
        assert_eq!(Function::SignIn.rest_paths(), ["/sign-in"]);
        assert_eq!(Function::TokenRefresh.rest_paths(), ["/token/refresh"]);
        for f in [
            Function::Credentials,
            Function::Jwks,
            Function::CognitoApi,
            Function::HostedUi,
        ] {
            assert!(f.rest_paths().is_empty(), "{f:?}");
        }
        assert_eq!(server_of_rest("/sign-up/resend/"), Some(Function::SignUp));
        assert_eq!(
            server_of_rest("/token/refresh"),
            Some(Function::TokenRefresh)
        );
        assert_eq!(server_of_rest("/credentials"), None);
        // The OAuth endpoints take forms, not Cognito's JSON: no REST route.
        assert_eq!(server_of_rest("/oauth2/token"), None);
        assert_eq!(server_of_rest("/nope"), None);
    }

    #[test]
    fn targets_go_to_their_functions() {
        let refresh = Some("REFRESH_TOKEN_AUTH");
        assert_eq!(
            servers_of_target(&idp("SignUp"), None),
            [Function::SignUp, Function::CognitoApi]
        );
        assert_eq!(
            servers_of_target(&idp("InitiateAuth"), refresh),
            [Function::TokenRefresh, Function::CognitoApi]
        );
        assert_eq!(
            servers_of_target(&idp("InitiateAuth"), Some("USER_SRP_AUTH")),
            [Function::SignIn, Function::CognitoApi]
        );
        assert_eq!(
            servers_of_target(&idp("InitiateAuth"), None),
            [Function::SignIn, Function::CognitoApi]
        );
        assert_eq!(
            servers_of_target(&idp("AdminGetUser"), None),
            [Function::Admin, Function::CognitoApi]
        );
        assert_eq!(
            servers_of_target(&format!("{IDENTITY_PREFIX}GetId"), None),
            [Function::Credentials, Function::CognitoApi]
        );
        assert_eq!(
            servers_of_target(&format!("{IDENTITY_PREFIX}ListIdentityPools"), None),
            [Function::Admin, Function::CognitoApi]
        );
        assert!(servers_of_target("Nope.Op", None).is_empty());
        assert!(!Function::Jwks.serves_target(&idp("GetUser"), None));
        assert!(!Function::HostedUi.serves_target(&idp("InitiateAuth"), None));
        assert_eq!(
            Function::HostedUi.access(&idp("InitiateAuth")),
            Access::Open
        );
        assert_eq!(Function::Admin.access(&idp("SignUp")), Access::Iam);
        assert_eq!(
            Function::CognitoApi.access(&idp("ListUserPools")),
            Access::SigV4
        );
        assert_eq!(Function::CognitoApi.access(&idp("SignUp")), Access::Open);
    }

    #[test]
    fn oauth_settings_are_signed_admin_operations() {
        for op in [
            "CreateResourceServer",
            "ListResourceServers",
            "DeleteResourceServer",
            "CreateUserPoolDomain",
            "DescribeUserPoolDomain",
            "UpdateUserPoolDomain",
            "SetUICustomization",
            "GetUICustomization",
        ] {
            assert_eq!(
                servers_of_target(&idp(op), None),
                [Function::Admin, Function::CognitoApi],
                "{op}"
            );
            assert_eq!(Function::CognitoApi.access(&idp(op)), Access::SigV4, "{op}");
        }
    }

    #[test]
    fn device_operations_go_with_the_access_token_operations() {
        // Like GetUser: the user's own device operations take an access token and are served
        // where every operation is; the Admin* ones are signed.
        for op in [
            "GetUser",
            "ConfirmDevice",
            "ListDevices",
            "GetDevice",
            "UpdateDeviceStatus",
            "ForgetDevice",
        ] {
            assert_eq!(
                servers_of_target(&idp(op), None),
                [Function::CognitoApi],
                "{op}"
            );
            assert_eq!(Function::CognitoApi.access(&idp(op)), Access::Open, "{op}");
        }
        for op in [
            "AdminListDevices",
            "AdminGetDevice",
            "AdminUpdateDeviceStatus",
            "AdminForgetDevice",
        ] {
            assert_eq!(
                servers_of_target(&idp(op), None),
                [Function::Admin, Function::CognitoApi],
                "{op}"
            );
            assert_eq!(Function::CognitoApi.access(&idp(op)), Access::SigV4, "{op}");
        }
    }

    #[test]
    fn the_wrong_function_names_the_right_one() {
        let servers = servers_of_target(&idp("SignUp"), None);
        assert_eq!(
            Function::Admin.not_served("SignUp", &servers),
            "SignUp is not served by the admin function: send it to the sign-up function \
             (POST /sign-up) or the cognito-api function (POST /)."
        );
        assert_eq!(
            Function::Jwks.not_served("GET /x", &[]),
            "GET /x is not served by the jwks function."
        );
        assert_eq!(
            Function::SignIn.not_served("POST /oauth2/token", &[Function::HostedUi]),
            "POST /oauth2/token is not served by the sign-in function: send it to the \
             hosted-ui function (GET /oauth2/authorize)."
        );
    }
}
