//! The wire: an `X-Amz-Target` or a REST route's operation to the operation function, bodies
//! to typed inputs, and results to awsJson replies. The HTTP edge (`crate::edge`) routes every
//! request of every entry point (server, Lambdas) here.

pub mod model;
pub mod parse;
pub mod sigv4;

use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::userpool::devices::ops::{self as devices, Caller as By};
use crate::userpool::idps::{linking, ops as idp};
use crate::userpool::signin::{initiate, respond};
use crate::userpool::{
    admin, attributes, clients, custom_attributes, domains, groups, imports, mfa, passkeys,
    pool_mfa, pool_tags, pools, recovery, refresh, resource_servers as rs, revocation,
    signing_certificate, signup, ui_customization as ui, users,
};
use crate::App;
use model::{Model, Service};
use parse::{from_value, parse};
use serde_json::{json, Value};

/// The user-pool service's target prefix.
pub const IDP_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// The identity-pool service's target prefix.
pub const IDENTITY_PREFIX: &str = "AWSCognitoIdentityService.";
/// Largest request body accepted: room for SetUICustomization's largest request (a 100 KB
/// logo is about 134 KB as base64, plus the CSS).
pub const MAX_BODY_BYTES: usize = 160 * 1024;

/// A reply ready for any HTTP adapter.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: Vec<u8>,
    /// `__type` when this is an error (for the `x-amzn-ErrorType` header).
    pub error_type: Option<&'static str>,
}

impl Reply {
    fn ok(body: Vec<u8>) -> Self {
        Self {
            status: 200,
            body,
            error_type: None,
        }
    }

    /// The awsJson error reply.
    pub fn error(e: &ApiError) -> Self {
        let body = json!({ "__type": e.kind.as_str(), "message": e.message });
        Self {
            status: e.kind.http_status(),
            body: body.to_string().into_bytes(),
            error_type: Some(e.kind.as_str()),
        }
    }
}

/// Runs one user-pool operation by name on a JSON body, as one [`Call`] that carries the
/// request's ClientMetadata, ValidationData and ClientId to the triggers it may fire.
/// The body is first checked against Cognito's model: an operation Cognito does not have is
/// `UnknownOperationException`, and a malformed member never reaches the operation.
pub async fn dispatch(app: &App, op: &str, body: &[u8]) -> ApiResult<Value> {
    as_value(dispatch_json(app, op, body).await)
}

/// [`dispatch`] with the reply as the JSON body the wire carries: the operation's typed
/// output serialized once, with no `Value` in between.
async fn dispatch_json(app: &App, op: &str, body: &[u8]) -> ApiResult<Vec<u8>> {
    let input = check(Service::UserPools, op, body)?;
    run_checked(app, op, &input).await
}

/// Runs a user-pool operation on an input the model has checked.
async fn run_checked(app: &App, op: &str, input: &Value) -> ApiResult<Vec<u8>> {
    operation(&Call::new(app, input), op, input).await
}

/// A reply body read back as a `Value`, for the callers inside Latchkey that inspect it.
fn as_value(reply: ApiResult<Vec<u8>>) -> ApiResult<Value> {
    reply.and_then(|body| serde_json::from_slice(&body).map_err(|e| ApiError::internal(&e.into())))
}

/// Whether `op` is one of the service's operations, and `body` a valid input for it; the
/// body, parsed.
fn check(service: Service, op: &str, body: &[u8]) -> ApiResult<Value> {
    known(service, op)?.validate(op, body)
}

/// The service's model, when `op` is one of its operations.
fn known(service: Service, op: &str) -> ApiResult<&'static Model> {
    let model = Model::of(service);
    if !model.has_operation(op) {
        return Err(unknown(op));
    }
    Ok(model)
}

async fn operation(app: &Call<'_>, op: &str, input: &Value) -> ApiResult<Vec<u8>> {
    match op {
        "CreateUserPool" => reply(pools::create_user_pool(app, from_value(input)?).await),
        "UpdateUserPool" => reply(pools::update_user_pool(app, from_value(input)?).await),
        "DescribeUserPool" => reply(pools::describe_user_pool(app, from_value(input)?).await),
        "ListUserPools" => reply(pools::list_user_pools(app, from_value(input)?).await),
        "DeleteUserPool" => reply(pools::delete_user_pool(app, from_value(input)?).await),
        "AddCustomAttributes" => {
            reply(custom_attributes::add_custom_attributes(app, from_value(input)?).await)
        }
        "GetSigningCertificate" => {
            reply(signing_certificate::get_signing_certificate(app, from_value(input)?).await)
        }
        "TagResource" => reply(pool_tags::tag_resource(app, from_value(input)?).await),
        "UntagResource" => reply(pool_tags::untag_resource(app, from_value(input)?).await),
        "ListTagsForResource" => {
            reply(pool_tags::list_tags_for_resource(app, from_value(input)?).await)
        }
        "CreateUserPoolClient" => {
            reply(clients::create_user_pool_client(app, from_value(input)?).await)
        }
        "UpdateUserPoolClient" => {
            reply(clients::update_user_pool_client(app, from_value(input)?).await)
        }
        "DescribeUserPoolClient" => {
            reply(clients::describe_user_pool_client(app, from_value(input)?).await)
        }
        "ListUserPoolClients" => {
            reply(clients::list_user_pool_clients(app, from_value(input)?).await)
        }
        "DeleteUserPoolClient" => {
            reply(clients::delete_user_pool_client(app, from_value(input)?).await)
        }
        "SignUp" => reply(signup::sign_up(app, from_value(input)?).await),
        "ConfirmSignUp" => reply(signup::confirm_sign_up(app, from_value(input)?).await),
        "ResendConfirmationCode" => {
            reply(signup::resend_confirmation_code(app, from_value(input)?).await)
        }
        "AdminConfirmSignUp" => reply(signup::admin_confirm_sign_up(app, from_value(input)?).await),
        "AdminGetUser" => reply(users::admin_get_user(app, from_value(input)?).await),
        "GetUser" => reply(users::get_user(app, from_value(input)?).await),
        "GetUserAuthFactors" => reply(users::get_user_auth_factors(app, from_value(input)?).await),
        "AdminDeleteUser" => reply(users::admin_delete_user(app, from_value(input)?).await),
        "ListUsers" => reply(users::list_users(app, from_value(input)?).await),
        "InitiateAuth" => reply(initiate::initiate_auth(app, from_value(input)?).await),
        "AdminInitiateAuth" => reply(initiate::admin_initiate_auth(app, from_value(input)?).await),
        "RespondToAuthChallenge" => {
            reply(respond::respond_to_auth_challenge(app, from_value(input)?).await)
        }
        "AdminRespondToAuthChallenge" => {
            reply(respond::admin_respond_to_auth_challenge(app, from_value(input)?).await)
        }
        "AdminCreateUser" => reply(admin::admin_create_user(app, from_value(input)?).await),
        "AdminSetUserPassword" => {
            reply(admin::admin_set_user_password(app, from_value(input)?).await)
        }
        "AdminDisableUser" => reply(admin::admin_disable_user(app, from_value(input)?).await),
        "AdminEnableUser" => reply(admin::admin_enable_user(app, from_value(input)?).await),
        "AdminResetUserPassword" => {
            reply(admin::admin_reset_user_password(app, from_value(input)?).await)
        }
        "AdminUpdateUserAttributes" => {
            reply(admin::admin_update_user_attributes(app, from_value(input)?).await)
        }
        "AdminDeleteUserAttributes" => {
            reply(admin::admin_delete_user_attributes(app, from_value(input)?).await)
        }
        "AdminUserGlobalSignOut" => {
            reply(admin::admin_user_global_sign_out(app, from_value(input)?).await)
        }
        "CreateGroup" => reply(groups::create_group(app, from_value(input)?).await),
        "GetGroup" => reply(groups::get_group(app, from_value(input)?).await),
        "UpdateGroup" => reply(groups::update_group(app, from_value(input)?).await),
        "ListGroups" => reply(groups::list_groups(app, from_value(input)?).await),
        "DeleteGroup" => reply(groups::delete_group(app, from_value(input)?).await),
        "AdminAddUserToGroup" => {
            reply(groups::admin_add_user_to_group(app, from_value(input)?).await)
        }
        "AdminRemoveUserFromGroup" => {
            reply(groups::admin_remove_user_from_group(app, from_value(input)?).await)
        }
        "AdminListGroupsForUser" => {
            reply(groups::admin_list_groups_for_user(app, from_value(input)?).await)
        }
        "ListUsersInGroup" => reply(groups::list_users_in_group(app, from_value(input)?).await),
        "ForgotPassword" => reply(recovery::forgot_password(app, from_value(input)?).await),
        "ConfirmForgotPassword" => {
            reply(recovery::confirm_forgot_password(app, from_value(input)?).await)
        }
        "ChangePassword" => reply(recovery::change_password(app, from_value(input)?).await),
        "UpdateUserAttributes" => {
            reply(attributes::update_user_attributes(app, from_value(input)?).await)
        }
        "GetUserAttributeVerificationCode" => {
            reply(attributes::get_user_attribute_verification_code(app, from_value(input)?).await)
        }
        "VerifyUserAttribute" => {
            reply(attributes::verify_user_attribute(app, from_value(input)?).await)
        }
        "DeleteUserAttributes" => {
            reply(attributes::delete_user_attributes(app, from_value(input)?).await)
        }
        "DeleteUser" => reply(attributes::delete_user(app, from_value(input)?).await),
        "GlobalSignOut" => reply(revocation::global_sign_out(app, from_value(input)?).await),
        "RevokeToken" => reply(revocation::revoke_token(app, from_value(input)?).await),
        "AssociateSoftwareToken" => {
            reply(mfa::associate_software_token(app, from_value(input)?).await)
        }
        "VerifySoftwareToken" => reply(mfa::verify_software_token(app, from_value(input)?).await),
        "SetUserMFAPreference" => {
            reply(mfa::set_user_mfa_preference(app, from_value(input)?).await)
        }
        "AdminSetUserMFAPreference" => {
            reply(mfa::admin_set_user_mfa_preference(app, from_value(input)?).await)
        }
        "StartWebAuthnRegistration" => {
            reply(passkeys::register::start_web_authn_registration(app, from_value(input)?).await)
        }
        "CompleteWebAuthnRegistration" => reply(
            passkeys::register::complete_web_authn_registration(app, from_value(input)?).await,
        ),
        "ListWebAuthnCredentials" => {
            reply(passkeys::manage::list_web_authn_credentials(app, from_value(input)?).await)
        }
        "DeleteWebAuthnCredential" => {
            reply(passkeys::manage::delete_web_authn_credential(app, from_value(input)?).await)
        }
        "GetUserPoolMfaConfig" => {
            reply(pool_mfa::get_user_pool_mfa_config(app, from_value(input)?).await)
        }
        "SetUserPoolMfaConfig" => {
            reply(pool_mfa::set_user_pool_mfa_config(app, from_value(input)?).await)
        }
        "GetTokensFromRefreshToken" => {
            reply(refresh::get_tokens_from_refresh_token(app, from_value(input)?).await)
        }
        "CreateResourceServer" => reply(rs::create_resource_server(app, from_value(input)?).await),
        "DescribeResourceServer" => {
            reply(rs::describe_resource_server(app, from_value(input)?).await)
        }
        "ListResourceServers" => reply(rs::list_resource_servers(app, from_value(input)?).await),
        "UpdateResourceServer" => reply(rs::update_resource_server(app, from_value(input)?).await),
        "DeleteResourceServer" => reply(rs::delete_resource_server(app, from_value(input)?).await),
        "CreateUserPoolDomain" => {
            reply(domains::create_user_pool_domain(app, from_value(input)?).await)
        }
        "DescribeUserPoolDomain" => {
            reply(domains::describe_user_pool_domain(app, from_value(input)?).await)
        }
        "UpdateUserPoolDomain" => {
            reply(domains::update_user_pool_domain(app, from_value(input)?).await)
        }
        "DeleteUserPoolDomain" => {
            reply(domains::delete_user_pool_domain(app, from_value(input)?).await)
        }
        "ConfirmDevice" => reply(devices::confirm_device(app, from_value(input)?).await),
        "ListDevices" => reply(devices::list_devices(app, By::User, from_value(input)?).await),
        "AdminListDevices" => {
            reply(devices::list_devices(app, By::Admin, from_value(input)?).await)
        }
        "GetDevice" => reply(devices::get_device(app, By::User, from_value(input)?).await),
        "AdminGetDevice" => reply(devices::get_device(app, By::Admin, from_value(input)?).await),
        "UpdateDeviceStatus" => {
            reply(devices::update_device_status(app, By::User, from_value(input)?).await)
        }
        "AdminUpdateDeviceStatus" => {
            reply(devices::update_device_status(app, By::Admin, from_value(input)?).await)
        }
        "ForgetDevice" => reply(devices::forget_device(app, By::User, from_value(input)?).await),
        "AdminForgetDevice" => {
            reply(devices::forget_device(app, By::Admin, from_value(input)?).await)
        }
        "GetCSVHeader" => reply(imports::get_csv_header(app, from_value(input)?).await),
        "CreateUserImportJob" => {
            reply(imports::create_user_import_job(app, from_value(input)?).await)
        }
        "StartUserImportJob" => {
            reply(imports::start_user_import_job(app, from_value(input)?).await)
        }
        "StopUserImportJob" => reply(imports::stop_user_import_job(app, from_value(input)?).await),
        "DescribeUserImportJob" => {
            reply(imports::describe_user_import_job(app, from_value(input)?).await)
        }
        "ListUserImportJobs" => {
            reply(imports::list_user_import_jobs(app, from_value(input)?).await)
        }
        "CreateIdentityProvider" => {
            reply(idp::create_identity_provider(app, from_value(input)?).await)
        }
        "DescribeIdentityProvider" => {
            reply(idp::describe_identity_provider(app, from_value(input)?).await)
        }
        "UpdateIdentityProvider" => {
            reply(idp::update_identity_provider(app, from_value(input)?).await)
        }
        "DeleteIdentityProvider" => {
            reply(idp::delete_identity_provider(app, from_value(input)?).await)
        }
        "ListIdentityProviders" => {
            reply(idp::list_identity_providers(app, from_value(input)?).await)
        }
        "GetIdentityProviderByIdentifier" => {
            reply(idp::get_identity_provider_by_identifier(app, from_value(input)?).await)
        }
        "AdminLinkProviderForUser" => {
            reply(linking::admin_link_provider_for_user(app, from_value(input)?).await)
        }
        "AdminDisableProviderForUser" => {
            reply(linking::admin_disable_provider_for_user(app, from_value(input)?).await)
        }
        "SetUICustomization" => reply(ui::set_ui_customization(app, from_value(input)?).await),
        "GetUICustomization" => reply(ui::get_ui_customization(app, from_value(input)?).await),
        // Every other name passed the model check: a real operation not built yet.
        op => Err(not_yet(op)),
    }
}

/// Runs one identity-pool operation by name on a JSON body.
pub async fn dispatch_identity(app: &App, op: &str, body: &[u8]) -> ApiResult<Value> {
    as_value(dispatch_identity_json(app, op, body).await)
}

/// [`dispatch_identity`] with the reply as the JSON body the wire carries.
async fn dispatch_identity_json(app: &App, op: &str, body: &[u8]) -> ApiResult<Vec<u8>> {
    use crate::identity::{
        credentials, developer, identities, pools as ipools, tags as itags, unlink,
    };
    let input = &check(Service::IdentityPools, op, body)?;
    match op {
        "CreateIdentityPool" => reply(ipools::create_identity_pool(app, from_value(input)?).await),
        "DescribeIdentityPool" => {
            reply(ipools::describe_identity_pool(app, from_value(input)?).await)
        }
        "UpdateIdentityPool" => reply(ipools::update_identity_pool(app, from_value(input)?).await),
        "DeleteIdentityPool" => reply(ipools::delete_identity_pool(app, from_value(input)?).await),
        "TagResource" => reply(itags::tag_resource(app, from_value(input)?).await),
        "UntagResource" => reply(itags::untag_resource(app, from_value(input)?).await),
        "ListTagsForResource" => {
            reply(itags::list_tags_for_resource(app, from_value(input)?).await)
        }
        "ListIdentityPools" => reply(ipools::list_identity_pools(app, from_value(input)?).await),
        "SetIdentityPoolRoles" => {
            reply(ipools::set_identity_pool_roles(app, from_value(input)?).await)
        }
        "GetIdentityPoolRoles" => {
            reply(ipools::get_identity_pool_roles(app, from_value(input)?).await)
        }
        "SetPrincipalTagAttributeMap" => {
            reply(ipools::set_principal_tag_attribute_map(app, from_value(input)?).await)
        }
        "GetPrincipalTagAttributeMap" => {
            reply(ipools::get_principal_tag_attribute_map(app, from_value(input)?).await)
        }
        "GetId" => reply(identities::get_id(app, from_value(input)?).await),
        "DescribeIdentity" => reply(identities::describe_identity(app, from_value(input)?).await),
        "ListIdentities" => reply(identities::list_identities(app, from_value(input)?).await),
        "GetCredentialsForIdentity" => {
            reply(credentials::get_credentials_for_identity(app, from_value(input)?).await)
        }
        "GetOpenIdToken" => reply(credentials::get_open_id_token(app, from_value(input)?).await),
        "GetOpenIdTokenForDeveloperIdentity" => reply(
            developer::get_open_id_token_for_developer_identity(app, from_value(input)?).await,
        ),
        "LookupDeveloperIdentity" => {
            reply(developer::lookup_developer_identity(app, from_value(input)?).await)
        }
        "MergeDeveloperIdentities" => {
            reply(developer::merge_developer_identities(app, from_value(input)?).await)
        }
        "UnlinkDeveloperIdentity" => {
            reply(developer::unlink_developer_identity(app, from_value(input)?).await)
        }
        "UnlinkIdentity" => reply(unlink::unlink_identity(app, from_value(input)?).await),
        "DeleteIdentities" => reply(unlink::delete_identities(app, from_value(input)?).await),
        op => Err(not_yet(op)),
    }
}

/// Room a reply body starts with: a sign-in's or refresh's tokens (about 2.5 KB) fit without
/// the buffer growing and being copied on the way.
const REPLY_CAPACITY: usize = 4096;

/// An operation's typed output as the JSON reply body, serialized once. Every arm of the two
/// operation tables goes through here, so an operation may return any `Serialize` output (or
/// still `Value`).
fn reply<T: serde::Serialize>(r: ApiResult<T>) -> ApiResult<Vec<u8>> {
    let out = r?;
    let mut body = Vec::with_capacity(REPLY_CAPACITY);
    serde_json::to_writer(&mut body, &out).map_err(|e| ApiError::internal(&e.into()))?;
    Ok(body)
}

fn not_yet(op: &str) -> ApiError {
    ApiError::new(
        ErrorKind::UnsupportedOperation,
        format!("Latchkey does not implement {op} yet."),
    )
}

fn unknown(op: &str) -> ApiError {
    ApiError::new(
        ErrorKind::UnknownOperation,
        format!("Unknown operation: {op}"),
    )
}

/// Handles `POST /` with an `X-Amz-Target` header.
pub async fn handle_target(app: &App, target: Option<&str>, body: &[u8]) -> Reply {
    let result = match target {
        None => Err(ApiError::new(
            ErrorKind::UnknownOperation,
            "Missing X-Amz-Target header.",
        )),
        Some(t) => {
            if let Some(op) = t.strip_prefix(IDP_PREFIX) {
                dispatch_json(app, op, body).await
            } else if let Some(op) = t.strip_prefix(IDENTITY_PREFIX) {
                dispatch_identity_json(app, op, body).await
            } else {
                Err(unknown(t))
            }
        }
    };
    finish(result)
}

/// What a REST route runs (the routes themselves are in `crate::edge::routes`): the
/// operation and, for sign-in and refresh, the flows it fixes.
#[derive(Debug)]
pub struct RestRoute {
    /// The Cognito operation.
    pub operation: &'static str,
    /// `AuthFlow` filled in when absent, and the only flows accepted.
    pub flows: Option<&'static [&'static str]>,
}

/// Handles a REST route's body.
pub async fn handle_rest(app: &App, route: &RestRoute, body: &[u8]) -> Reply {
    let result = async {
        let Some(flows) = route.flows else {
            return dispatch_json(app, route.operation, body).await;
        };
        let mut value: Value = parse(body)?;
        let obj = value
            .as_object_mut()
            .ok_or_else(|| ApiError::new(ErrorKind::Serialization, "Expected a JSON object."))?;
        let flow = obj.entry("AuthFlow").or_insert_with(|| json!(flows[0]));
        if !flow.as_str().is_some_and(|f| flows.contains(&f)) {
            return Err(ApiError::invalid(format!(
                "This route accepts AuthFlow {}.",
                flows.join(" or ")
            )));
        }
        // The body is parsed once: the model checks the value with `AuthFlow` filled in.
        let input =
            known(Service::UserPools, route.operation)?.validate_value(route.operation, value)?;
        run_checked(app, route.operation, &input).await
    }
    .await;
    finish(result)
}

fn finish(result: ApiResult<Vec<u8>>) -> Reply {
    match result {
        Ok(body) => Reply::ok(body),
        Err(e) => Reply::error(&e),
    }
}
