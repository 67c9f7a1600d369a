//! One-line wrappers around the SDK calls the lifecycle tests repeat, returning the SDK's own
//! `Result` so a test can assert success or the exact error.

use aws_sdk_cognitoidentityprovider as cip;
use cip::error::SdkError;
use cip::operation::admin_delete_user_attributes::{
    AdminDeleteUserAttributesError as AdminDeleteAttrsError,
    AdminDeleteUserAttributesOutput as AdminDeleteAttrsOutput,
};
use cip::operation::admin_initiate_auth::{AdminInitiateAuthError, AdminInitiateAuthOutput};
use cip::operation::admin_respond_to_auth_challenge::{
    AdminRespondToAuthChallengeError, AdminRespondToAuthChallengeOutput,
};
use cip::operation::admin_update_user_attributes::{
    AdminUpdateUserAttributesError as AdminUpdateAttrsError,
    AdminUpdateUserAttributesOutput as AdminUpdateAttrsOutput,
};
use cip::operation::change_password::{ChangePasswordError, ChangePasswordOutput};
use cip::operation::confirm_forgot_password::{
    ConfirmForgotPasswordError, ConfirmForgotPasswordOutput,
};
use cip::operation::forgot_password::{ForgotPasswordError, ForgotPasswordOutput};
use cip::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use cip::operation::update_user_attributes::{
    UpdateUserAttributesError, UpdateUserAttributesOutput,
};
use cip::operation::verify_user_attribute::{VerifyUserAttributeError, VerifyUserAttributeOutput};
use cip::types::{AuthFlowType, ChallengeNameType};

use crate::common::{attribute, Harness};

type Res<O, E> = Result<O, SdkError<E>>;

/// ForgotPassword.
pub async fn forgot(
    h: &Harness,
    client: &str,
    user: &str,
) -> Res<ForgotPasswordOutput, ForgotPasswordError> {
    h.idp
        .forgot_password()
        .client_id(client)
        .username(user)
        .send()
        .await
}

/// ConfirmForgotPassword.
pub async fn confirm_forgot(
    h: &Harness,
    client: &str,
    user: &str,
    code: &str,
    password: &str,
) -> Res<ConfirmForgotPasswordOutput, ConfirmForgotPasswordError> {
    let req = h
        .idp
        .confirm_forgot_password()
        .client_id(client)
        .username(user);
    req.confirmation_code(code).password(password).send().await
}

/// ChangePassword.
pub async fn change(
    h: &Harness,
    access: &str,
    previous: &str,
    proposed: &str,
) -> Res<ChangePasswordOutput, ChangePasswordError> {
    let req = h.idp.change_password().access_token(access);
    req.previous_password(previous)
        .proposed_password(proposed)
        .send()
        .await
}

/// UpdateUserAttributes.
pub async fn update_attrs(
    h: &Harness,
    access: &str,
    attrs: &[(&str, &str)],
) -> Res<UpdateUserAttributesOutput, UpdateUserAttributesError> {
    let mut req = h.idp.update_user_attributes().access_token(access);
    for (name, value) in attrs {
        req = req.user_attributes(attribute(name, value));
    }
    req.send().await
}

/// VerifyUserAttribute.
pub async fn verify_attr(
    h: &Harness,
    access: &str,
    name: &str,
    code: &str,
) -> Res<VerifyUserAttributeOutput, VerifyUserAttributeError> {
    let req = h.idp.verify_user_attribute().access_token(access);
    req.attribute_name(name).code(code).send().await
}

/// AdminUpdateUserAttributes.
pub async fn admin_update(
    h: &Harness,
    pool: &str,
    user: &str,
    attrs: &[(&str, &str)],
) -> Res<AdminUpdateAttrsOutput, AdminUpdateAttrsError> {
    let mut req = h
        .idp
        .admin_update_user_attributes()
        .user_pool_id(pool)
        .username(user);
    for (name, value) in attrs {
        req = req.user_attributes(attribute(name, value));
    }
    req.send().await
}

/// AdminDeleteUserAttributes.
pub async fn admin_delete_attrs(
    h: &Harness,
    pool: &str,
    user: &str,
    names: &[&str],
) -> Res<AdminDeleteAttrsOutput, AdminDeleteAttrsError> {
    let mut req = h
        .idp
        .admin_delete_user_attributes()
        .user_pool_id(pool)
        .username(user);
    for name in names {
        req = req.user_attribute_names(*name);
    }
    req.send().await
}

/// AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH.
pub async fn admin_password_auth(
    h: &Harness,
    pool: &str,
    client: &str,
    user: &str,
    password: &str,
) -> Res<AdminInitiateAuthOutput, AdminInitiateAuthError> {
    let req = h
        .idp
        .admin_initiate_auth()
        .user_pool_id(pool)
        .client_id(client);
    let req = req.auth_flow(AuthFlowType::AdminUserPasswordAuth);
    let req = req
        .auth_parameters("USERNAME", user)
        .auth_parameters("PASSWORD", password);
    req.send().await
}

/// RespondToAuthChallenge NEW_PASSWORD_REQUIRED.
pub async fn respond_new_password(
    h: &Harness,
    client: &str,
    session: &str,
    user: &str,
    password: &str,
) -> Res<RespondToAuthChallengeOutput, RespondToAuthChallengeError> {
    let req = h
        .idp
        .respond_to_auth_challenge()
        .client_id(client)
        .session(session);
    let req = req.challenge_name(ChallengeNameType::NewPasswordRequired);
    let req = req.challenge_responses("USERNAME", user);
    req.challenge_responses("NEW_PASSWORD", password)
        .send()
        .await
}

/// AdminRespondToAuthChallenge NEW_PASSWORD_REQUIRED, with `userAttributes.*` answers.
pub async fn admin_respond_new_password(
    h: &Harness,
    (pool, client): (&str, &str),
    session: &str,
    user: &str,
    password: &str,
    attrs: &[(&str, &str)],
) -> Res<AdminRespondToAuthChallengeOutput, AdminRespondToAuthChallengeError> {
    let req = h.idp.admin_respond_to_auth_challenge().user_pool_id(pool);
    let req = req.client_id(client).session(session);
    let req = req.challenge_name(ChallengeNameType::NewPasswordRequired);
    let mut req = req.challenge_responses("USERNAME", user);
    for (name, value) in attrs {
        req = req.challenge_responses(format!("userAttributes.{name}"), *value);
    }
    req.challenge_responses("NEW_PASSWORD", password)
        .send()
        .await
}
