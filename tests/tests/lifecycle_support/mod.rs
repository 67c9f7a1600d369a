//! Helpers for the `lifecycle_*` tests (admin invites, groups, recovery, sessions, lockout and
//! aliases). They build on the shared harness in `common` and add what those journeys need:
//! admin-made users, outbox messages by purpose, JWT payload decoding and a few assertions
//! for errors whose exact code is one of a small set.
#![allow(dead_code)] // Not every helper is used by the current tests.

mod ops;

#[allow(unused_imports)] // Not every test binary uses the wrappers.
pub use ops::*;

use std::collections::BTreeSet;
use std::fmt::Debug;

use aws_sdk_cognitoidentityprovider as cip;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use cip::error::{ProvideErrorMetadata, SdkError};
use cip::operation::admin_create_user::builders::AdminCreateUserFluentBuilder;
use cip::operation::get_user::{GetUserError, GetUserOutput};
use cip::operation::initiate_auth::InitiateAuthOutput;
use cip::types::{
    AttributeType, AuthenticationResultType, ChallengeNameType, MessageActionType,
    PreventUserExistenceErrorTypes, UserStatusType,
};
use serde_json::{Map, Value};

use crate::common::{api_error, attribute, Harness, PASSWORD};

/// A second password that satisfies the default policy.
pub const NEW_PASSWORD: &str = "Battery-Staple-42";
/// A temporary password for invitations.
pub const TEMPORARY: &str = "Temp-Pass-123";

/// The payload of a JWT, base64url-decoded without verification (claims checks only).
pub fn claims(token: &str) -> Map<String, Value> {
    let payload = token
        .split('.')
        .nth(1)
        .unwrap_or_else(|| panic!("not a JWT: {token}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap_or_else(|e| panic!("payload is not base64url: {e}"));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("payload is not JSON: {e}"))
}

/// The strings of a JSON array claim, as a set (panics on anything else).
pub fn string_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("not a string: {s}"))
                .to_owned()
        })
        .collect()
}

/// A set of `&str`s as owned strings (to compare with [`string_set`]).
pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Asserts a failed SDK call has HTTP 400 and a `__type` among `codes`; returns the error.
pub fn assert_error_in<T: Debug, E: ProvideErrorMetadata + Debug>(
    res: Result<T, SdkError<E>>,
    codes: &[&str],
) -> crate::common::ApiError {
    let err = api_error(res);
    assert!(
        codes.contains(&err.code.as_str()),
        "{err:?} not in {codes:?}"
    );
    assert_eq!(err.status, Some(400), "{err:?}");
    err
}

/// The tokens of a successful sign-in (panics on a challenge).
pub fn tokens(out: InitiateAuthOutput) -> AuthenticationResultType {
    assert_eq!(out.challenge_name(), None, "unexpected challenge: {out:?}");
    out.authentication_result
        .unwrap_or_else(|| panic!("no AuthenticationResult"))
}

/// A client with PreventUserExistenceErrors=ENABLED (and the harness' default flows).
pub async fn hiding_client(h: &Harness, pool: &str) -> String {
    h.create_client_with(pool, |b| {
        b.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
    })
    .await
    .client_id
    .expect("ClientId")
}

/// AdminCreateUser with the given attributes; `f` adds TemporaryPassword, MessageAction...
pub fn admin_create(
    h: &Harness,
    pool: &str,
    username: &str,
    attrs: &[(&str, &str)],
) -> AdminCreateUserFluentBuilder {
    let mut req = h
        .idp
        .admin_create_user()
        .user_pool_id(pool)
        .username(username);
    for (name, value) in attrs {
        req = req.user_attributes(attribute(name, value));
    }
    req
}

/// A CONFIRMED user made by an administrator with these attributes and [`PASSWORD`]:
/// AdminCreateUser (SUPPRESS, so no invitation) + AdminSetUserPassword(Permanent=true).
pub async fn admin_user(h: &Harness, pool: &str, username: &str, attrs: &[(&str, &str)]) {
    admin_create(h, pool, username, attrs)
        .temporary_password(TEMPORARY)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminCreateUser {username} failed: {e:?}"));
    set_password(h, pool, username, PASSWORD, true).await;
}

/// AdminSetUserPassword; panics on failure.
pub async fn set_password(
    h: &Harness,
    pool: &str,
    username: &str,
    password: &str,
    permanent: bool,
) {
    h.idp
        .admin_set_user_password()
        .user_pool_id(pool)
        .username(username)
        .password(password)
        .permanent(permanent)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminSetUserPassword {username} failed: {e:?}"));
}

/// AdminGetUser's status and attributes.
pub async fn admin_get(
    h: &Harness,
    pool: &str,
    username: &str,
) -> (UserStatusType, Vec<AttributeType>) {
    let out = h
        .idp
        .admin_get_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminGetUser {username} failed: {e:?}"));
    let status = out.user_status().cloned().expect("UserStatus");
    (status, out.user_attributes().to_vec())
}

/// AdminGetUser's UserStatus.
pub async fn status(h: &Harness, pool: &str, username: &str) -> UserStatusType {
    admin_get(h, pool, username).await.0
}

/// GetUser with an access token.
pub async fn get_user(h: &Harness, access: &str) -> Result<GetUserOutput, SdkError<GetUserError>> {
    h.idp.get_user().access_token(access).send().await
}

/// Outbox messages for `username` with this Purpose, oldest first.
pub async fn messages(h: &Harness, pool: &str, username: &str, purpose: &str) -> Vec<Value> {
    h.outbox(pool, username)
        .await
        .into_iter()
        .filter(|m| m["Purpose"] == purpose)
        .collect()
}

/// The newest outbox message for `username` with this Purpose.
pub async fn last_message(h: &Harness, pool: &str, username: &str, purpose: &str) -> Value {
    messages(h, pool, username, purpose)
        .await
        .pop()
        .unwrap_or_else(|| panic!("no {purpose} message for {username}"))
}

/// The code of the newest message with this Purpose.
pub async fn last_code(h: &Harness, pool: &str, username: &str, purpose: &str) -> String {
    let m = last_message(h, pool, username, purpose).await;
    m["Code"]
        .as_str()
        .unwrap_or_else(|| panic!("message without Code: {m}"))
        .to_owned()
}

/// Signs in with a temporary password and expects NEW_PASSWORD_REQUIRED; returns the
/// Session and the ChallengeParameters.
pub async fn expect_new_password_challenge(
    h: &Harness,
    client: &str,
    username: &str,
    password: &str,
) -> (String, std::collections::HashMap<String, String>) {
    let out = h
        .password_auth(client, username, password)
        .await
        .unwrap_or_else(|e| panic!("sign-in of {username} failed: {e:?}"));
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired),
        "{out:?}"
    );
    assert!(
        out.authentication_result().is_none(),
        "no tokens before the new password"
    );
    let session = out.session().expect("Session").to_owned();
    let params = out
        .challenge_parameters()
        .cloned()
        .expect("ChallengeParameters");
    (session, params)
}

/// Parses a ChallengeParameters member that must hold a JSON-encoded string.
pub fn json_param(params: &std::collections::HashMap<String, String>, name: &str) -> Value {
    let raw = params
        .get(name)
        .unwrap_or_else(|| panic!("ChallengeParameters without {name}: {params:?}"));
    serde_json::from_str(raw).unwrap_or_else(|e| panic!("{name} is not JSON ({e}): {raw}"))
}

/// True when the attribute list has no attribute `name`.
pub fn lacks(attrs: &[AttributeType], name: &str) -> bool {
    attrs.iter().all(|a| a.name() != name)
}

/// A successful USER_PASSWORD_AUTH sign-in with `password`; panics otherwise.
pub async fn signs_in(
    h: &Harness,
    client: &str,
    username: &str,
    password: &str,
) -> AuthenticationResultType {
    let out = h.password_auth(client, username, password).await;
    tokens(out.unwrap_or_else(|e| panic!("sign-in of {username} failed: {e:?}")))
}
