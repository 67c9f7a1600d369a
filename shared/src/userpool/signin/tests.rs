//! The sign-in step tested directly, on the in-memory store with the manual clock: each flow's
//! hand-over to the shared step, the status paths, single-use and expiring sessions, lockout,
//! and the caller kinds. Setup goes through the protocol (as a client would); the step is then
//! called as a flow calls it.

use super::initiate::{initiate, Caller};
use super::outcome::{AuthFlow, AuthReply, ChallengeName};
use super::params::Params;
use super::respond::respond;
use super::step;
use crate::call::Call;
use crate::clock::{Clock, ManualClock};
use crate::error::{ApiError, ErrorKind};
use crate::secret::Secret;
use crate::userpool::model::{AppClient, UserPool, UserStatus};
use crate::{protocol, App};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

const PASSWORD: &str = "Correct-Horse-9";

struct Fixture {
    app: App,
    clock: Arc<ManualClock>,
    pool: Arc<UserPool>,
    client: Arc<AppClient>,
}

async fn call(app: &App, op: &str, body: Value) -> Result<Value, ApiError> {
    protocol::dispatch(app, op, body.to_string().as_bytes()).await
}

/// A pool (`mfa`: its MfaConfiguration) with one client allowing password sign-in.
async fn fixture(mfa: &str) -> Fixture {
    let clock = ManualClock::starting_now();
    let app = App::in_memory(clock.clone());
    let pool = call(&app, "CreateUserPool", json!({"PoolName": "p"}))
        .await
        .unwrap();
    let pool_id = pool["UserPool"]["Id"].as_str().unwrap().to_string();
    if mfa != "OFF" {
        let body = json!({"UserPoolId": pool_id, "MfaConfiguration": mfa,
            "SoftwareTokenMfaConfiguration": {"Enabled": true}});
        call(&app, "SetUserPoolMfaConfig", body).await.unwrap();
    }
    let body = json!({"UserPoolId": pool_id, "ClientName": "c", "ExplicitAuthFlows":
        ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]});
    let client = call(&app, "CreateUserPoolClient", body).await.unwrap();
    let client_id = client["UserPoolClient"]["ClientId"].as_str().unwrap();
    let client = app.configs.client(app.store.as_ref(), client_id).await;
    let client = client.unwrap().unwrap();
    let pool = app.configs.pool(app.store.as_ref(), &pool_id).await;
    let pool = pool.unwrap().unwrap();
    Fixture {
        app,
        clock,
        pool,
        client,
    }
}

impl Fixture {
    /// A call with no request behind it.
    fn cx(&self) -> Call<'_> {
        Call::internal(&self.app)
    }

    /// A user with `PASSWORD`, permanent (CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD).
    async fn user(&self, name: &str, permanent: bool) {
        let body = json!({"UserPoolId": self.pool.id, "Username": name,
            "TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"});
        call(&self.app, "AdminCreateUser", body).await.unwrap();
        if permanent {
            let body = json!({"UserPoolId": self.pool.id, "Username": name,
                "Password": PASSWORD, "Permanent": true});
            call(&self.app, "AdminSetUserPassword", body).await.unwrap();
        }
    }

    async fn sign_in(
        &self,
        caller: Caller,
        flow: AuthFlow,
        name: &str,
        pw: &str,
    ) -> Result<AuthReply, ApiError> {
        let params = params(&[("USERNAME", name), ("PASSWORD", pw)]);
        initiate(&self.cx(), caller, &self.client, flow, &params, None).await
    }

    async fn password(&self, name: &str, pw: &str) -> Result<AuthReply, ApiError> {
        self.sign_in(Caller::App, AuthFlow::UserPasswordAuth, name, pw)
            .await
    }

    async fn stored(&self, name: &str) -> crate::userpool::model::User {
        let key = self.pool.username_key(name);
        self.app
            .store
            .get_user(&self.pool.id, &key)
            .await
            .unwrap()
            .unwrap()
    }
}

fn params(pairs: &[(&str, &str)]) -> Option<Params> {
    Some(Secret::new(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    ))
}

fn refused(r: Result<AuthReply, ApiError>) -> ApiError {
    match r {
        Ok(reply) => panic!("expected a refusal, got {:?}", reply.challenge_name),
        Err(e) => e,
    }
}

#[tokio::test]
async fn a_password_sign_in_ends_in_tokens_with_the_step_clearing_failures() {
    let f = fixture("OFF").await;
    f.user("ann", true).await;
    let e = refused(f.password("ann", "Wrong-Horse-9").await);
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::NotAuthorized, "Incorrect username or password.")
    );
    assert_eq!(f.stored("ann").await.lockout.failures, 1);
    let reply = f.password("ann", PASSWORD).await.unwrap();
    assert!(reply.challenge_name.is_none());
    let issued = reply.authentication_result.expect("tokens");
    assert!(issued.refresh_token.is_some());
    assert_eq!(issued.token_type, "Bearer");
    assert_eq!(
        f.stored("ann").await.lockout.failures,
        0,
        "success forgets failures"
    );
}

#[tokio::test]
async fn lockout_refuses_until_the_clock_passes_it() {
    let f = fixture("OFF").await;
    f.user("bob", true).await;
    for _ in 0..5 {
        let e = refused(f.password("bob", "Wrong-Horse-9").await);
        assert_eq!(e.message, "Incorrect username or password.");
    }
    let e = refused(f.password("bob", PASSWORD).await);
    assert_eq!(e.message, "Password attempts exceeded");
    f.clock.advance(Duration::from_secs(16 * 60));
    assert!(f
        .password("bob", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .is_some());
}

#[tokio::test]
async fn the_caller_kind_decides_which_password_flow_is_allowed() {
    let f = fixture("OFF").await;
    f.user("cat", true).await;
    let e = refused(
        f.sign_in(
            Caller::App,
            AuthFlow::AdminUserPasswordAuth,
            "cat",
            PASSWORD,
        )
        .await,
    );
    assert_eq!(e.message, "Initiate Auth method not supported.");
    let e = refused(
        f.sign_in(Caller::Admin, AuthFlow::UserPasswordAuth, "cat", PASSWORD)
            .await,
    );
    assert_eq!(e.message, "Initiate Auth method not supported.");
    let ok = f
        .sign_in(Caller::Admin, AuthFlow::AdminNoSrpAuth, "cat", PASSWORD)
        .await;
    assert!(ok.unwrap().authentication_result.is_some());
    let e = refused(
        f.sign_in(Caller::App, AuthFlow::CustomAuth, "cat", PASSWORD)
            .await,
    );
    assert_eq!(e.message, "CUSTOM_AUTH flow not enabled for this client");
}

#[tokio::test]
async fn a_new_password_session_answers_once() {
    let f = fixture("OFF").await;
    f.user("dan", false).await;
    let reply = f.password("dan", PASSWORD).await.unwrap();
    assert_eq!(
        reply.challenge_name,
        Some(ChallengeName::NewPasswordRequired)
    );
    assert_eq!(reply.challenge_parameters["requiredAttributes"], "[]");
    let session = reply.session.expect("a session").expose().clone();
    let answer = params(&[("USERNAME", "dan"), ("NEW_PASSWORD", "Another-Horse-9")]);
    let name = ChallengeName::NewPasswordRequired;
    let done = respond(&f.cx(), &f.client, name, Some(&session), &answer)
        .await
        .unwrap();
    assert!(done.authentication_result.is_some());
    assert_eq!(f.stored("dan").await.status, UserStatus::Confirmed);
    let e = refused(respond(&f.cx(), &f.client, name, Some(&session), &answer).await);
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::NotAuthorized, "Invalid session for the user.")
    );
}

#[tokio::test]
async fn a_session_expires_on_the_clock() {
    let f = fixture("OFF").await;
    f.user("eve", false).await;
    let reply = f.password("eve", PASSWORD).await.unwrap();
    let session = reply.session.unwrap().expose().clone();
    f.clock.advance(Duration::from_secs(
        u64::from(f.client.auth_session_validity) * 60 + 1,
    ));
    let answer = params(&[("USERNAME", "eve"), ("NEW_PASSWORD", "Another-Horse-9")]);
    let name = ChallengeName::NewPasswordRequired;
    let e = refused(respond(&f.cx(), &f.client, name, Some(&session), &answer).await);
    assert_eq!(
        e.message,
        "Invalid session for the user, session is expired."
    );
}

#[tokio::test]
async fn a_temporary_password_expires_on_the_clock() {
    let f = fixture("OFF").await;
    f.user("fay", false).await;
    f.clock.advance(Duration::from_secs(8 * 86_400));
    let e = refused(f.password("fay", PASSWORD).await);
    assert_eq!(
        e.message,
        "Temporary password has expired and must be reset by an administrator."
    );
}

#[tokio::test]
async fn mfa_on_without_a_device_asks_for_setup() {
    let f = fixture("ON").await;
    f.user("gus", true).await;
    let reply = f.password("gus", PASSWORD).await.unwrap();
    assert_eq!(reply.challenge_name, Some(ChallengeName::MfaSetup));
    assert_eq!(
        reply.challenge_parameters["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    assert!(reply.authentication_result.is_none());
    // MFA_SETUP before VerifySoftwareToken is refused, and the session stays unspent.
    let answer = params(&[("USERNAME", "gus")]);
    let s = reply.session.as_ref().map(|s| s.expose().as_str());
    let e = refused(respond(&f.cx(), &f.client, ChallengeName::MfaSetup, s, &answer).await);
    assert_eq!(
        e.message,
        "Software token MFA has not been verified for this session."
    );
}

#[tokio::test]
async fn the_first_factor_step_applies_status_and_counts_failures() {
    let f = fixture("OFF").await;
    f.user("hal", true).await;
    let now = f.clock.now_millis();
    let cx = f.cx();
    let (app, pool, client) = (&cx, f.pool.as_ref(), f.client.as_ref());

    let mut reset = f.stored("hal").await;
    reset.status = UserStatus::ResetRequired;
    let e = refused(step::first_factor_checked(app, pool, client, reset, true, now).await);
    assert_eq!(e.kind, ErrorKind::PasswordResetRequired);

    let mut disabled = f.stored("hal").await;
    disabled.enabled = false;
    let e = refused(step::first_factor_checked(app, pool, client, disabled, true, now).await);
    assert_eq!(e.message, "User is disabled.");

    let mut unconfirmed = f.stored("hal").await;
    unconfirmed.status = UserStatus::Unconfirmed;
    let e = refused(step::first_factor_checked(app, pool, client, unconfirmed, true, now).await);
    assert_eq!(e.kind, ErrorKind::UserNotConfirmed);

    let wrong = f.stored("hal").await;
    let e = refused(step::first_factor_checked(app, pool, client, wrong, false, now).await);
    assert_eq!(e.kind, ErrorKind::NotAuthorized);
    assert_eq!(f.stored("hal").await.lockout.failures, 1);

    let right = f.stored("hal").await;
    let reply = step::first_factor_checked(app, pool, client, right, true, now)
        .await
        .unwrap();
    assert!(reply.authentication_result.is_some());
}

#[tokio::test]
async fn unknown_users_in_a_hiding_client_lock_out_like_users() {
    let f = fixture("OFF").await;
    let e = refused(f.password("nobody", PASSWORD).await);
    assert_eq!(
        e.kind,
        ErrorKind::UserNotFound,
        "the client does not hide existence"
    );
    let mut hiding = (*f.client).clone();
    hiding.prevent_user_existence_errors =
        crate::userpool::enums::PreventUserExistenceErrors::Enabled;
    let try_once = || async {
        let p = params(&[("USERNAME", "nobody"), ("PASSWORD", PASSWORD)]);
        let flow = AuthFlow::UserPasswordAuth;
        initiate(&f.cx(), Caller::App, &hiding, flow, &p, None).await
    };
    // Five free failures, as for a user; the fifth locks the name for a second.
    for _ in 0..5 {
        let e = refused(try_once().await);
        assert_eq!(e.message, "Incorrect username or password.");
    }
    let e = refused(try_once().await);
    assert_eq!(e.message, "Password attempts exceeded");
}

#[tokio::test]
async fn an_imported_user_is_asked_to_reset_whatever_password_it_gave() {
    let f = fixture("OFF").await;
    f.user("ivy", true).await;
    let now = f.clock.now_millis();
    let cx = f.cx();
    let (app, pool, client) = (&cx, f.pool.as_ref(), f.client.as_ref());
    // A reset user who has a password and gives a wrong one is refused as anyone would be...
    let mut reset = f.stored("ivy").await;
    reset.status = UserStatus::ResetRequired;
    let e = refused(step::first_factor_checked(app, pool, client, reset, false, now).await);
    assert_eq!(e.message, "Incorrect username or password.");
    // ...but an imported one (no password, no SRP verifier) gets the reset whatever it gave:
    // the password flow and SRP's PASSWORD_VERIFIER both end here with a failed proof.
    let mut imported = f.stored("ivy").await;
    imported.status = UserStatus::ResetRequired;
    imported.password_hash = None;
    imported.srp = None;
    let e = refused(step::first_factor_checked(app, pool, client, imported, false, now).await);
    assert_eq!(
        (e.kind, e.message.as_str()),
        (
            ErrorKind::PasswordResetRequired,
            "Password reset required for the user"
        )
    );
}
