//! USER_AUTH, choice-based sign-in: the user names a first factor (`PREFERRED_CHALLENGE`) or
//! picks one of those offered (`SELECT_CHALLENGE` with `AvailableChallenges`, answered with
//! `ANSWER`). PASSWORD and PASSWORD_SRP hand over to the password and SRP flows (so MFA
//! follows as for them); EMAIL_OTP and SMS_OTP send a one-time code whose answer
//! ([`super::mfa::respond_code`]) signs in without MFA; WEB_AUTHN asks for a passkey
//! ([`super::web_authn`]). The pool's `AllowedFirstAuthFactors`
//! bounds what is offered, and the one-time codes are offered only where the pool does not
//! require MFA, as in Cognito. A code asked for with a name alone is limited like a resent one
//! (per user and per destination, an hour; README "Limits"). The `Session` of a ConfirmSignUp signs the new user in at once
//! ([`super::sign_up_session`]).

use super::challenge::{challenge, Challenged};
use super::factors::Factor;
use super::outcome::{AuthReply, ChallengeName, ChallengeParameters};
use super::params::{self, param, required, Params};
use super::second_factor::{self, delivery_params, FIRST_FACTOR};
use super::{passkey_usernameless, password, sign_up_session, srp, web_authn};
use crate::call::Call;
use crate::error::{ApiError, ApiResult};
use crate::triggers::events::pre_authentication;
use crate::userpool::directory::{find_user, load_user, modify_user};
use crate::userpool::enums::{AuthFactor, DeliveryMedium, MfaConfiguration};
use crate::userpool::messages::simulated_to;
use crate::userpool::model::{AppClient, User, UserPool, UserStatus};
use crate::userpool::session;
use crate::userpool::{lockout, send_limits};
use serde_json::{Map, Value};

/// Session data: the challenges SELECT_CHALLENGE offered.
const OFFERED: &str = "offered";

/// InitiateAuth / AdminInitiateAuth with USER_AUTH; `session` is the request's `Session`
/// (from ConfirmSignUp).
pub async fn start(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    params: &Option<Params>,
    session: Option<&str>,
) -> ApiResult<AuthReply> {
    if session.is_none() && passkey_usernameless::wanted(pool, params) {
        return passkey_usernameless::ask(app, pool, client).await;
    }
    let username = params::username(client, params)?;
    if let Some(token) = session {
        return sign_up_session::sign_in(app, pool, client, username, token).await;
    }
    let preferred = match param(params, "PREFERRED_CHALLENGE") {
        Some(name) => Some(choice(name)?),
        None => None,
    };
    let user = find_user(app, pool, username).await?;
    let hides = client.hides_user_existence();
    let user = match user {
        Some(u) if u.status != UserStatus::Unconfirmed || !hides => u,
        // An unknown (or, hidden alike, unconfirmed) name gets what a user would.
        _ if hides => return unknown(app, pool, client, username, preferred, params).await,
        _ => return Err(ApiError::user_not_found()),
    };
    let offered = offered(pool, Some(&user));
    match preferred {
        Some(c) if offered.contains(&c) => begin(app, pool, client, user, c, params).await,
        _ => select(app, client, Challenged::User(&user), offered).await,
    }
}

/// SELECT_CHALLENGE: `ANSWER` names one of the offered challenges; its parameters come with it
/// (PASSWORD, SRP_A), and the session is spent.
pub async fn respond_select(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    token: Option<&str>,
    responses: &Option<Params>,
) -> ApiResult<AuthReply> {
    let s = session::open(
        app,
        token,
        &client.client_id,
        ChallengeName::SelectChallenge,
    )
    .await?;
    let answer = choice(required(responses, "ANSWER")?)?;
    let offered: Vec<String> = s
        .data
        .get(OFFERED)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    if !offered.iter().any(|o| o == answer.as_str()) {
        return Err(ApiError::invalid(format!(
            "Invalid ANSWER: {} was not offered.",
            answer.as_str()
        )));
    }
    if s.step.is_none() {
        return unknown(app, pool, client, &s.username, Some(answer), responses).await;
    }
    let user = load_user(app, pool, &s.username).await?;
    let user = modify_user(app, pool, user, |u| session::spend_in(u, s.step)).await?;
    begin(app, pool, client, user, answer, responses).await
}

/// A first-factor challenge name (PREFERRED_CHALLENGE, ANSWER).
fn choice(name: &str) -> ApiResult<ChallengeName> {
    use ChallengeName::{EmailOtp, Password, PasswordSrp, SmsOtp, WebAuthn};
    name.parse()
        .ok()
        .filter(|c| [Password, PasswordSrp, EmailOtp, SmsOtp, WebAuthn].contains(c))
        .ok_or_else(|| ApiError::invalid(format!("Invalid challenge name: {name}")))
}

/// The first factors `user` can sign in with (`None`: a name that is no user, credited with
/// every means): the pool's allowed factors the user has what they need for (a password, an
/// email address, a phone number). GetUserAuthFactors' `ConfiguredUserAuthFactors`.
pub fn factors_of(pool: &UserPool, user: Option<&User>) -> Vec<AuthFactor> {
    let has = |attr: &str| user.is_none_or(|u| u.attributes.contains_key(attr));
    pool.allowed_first_factors()
        .iter()
        .copied()
        .filter(|f| match f {
            AuthFactor::Password => user.is_none_or(|u| u.password_hash.is_some()),
            AuthFactor::EmailOtp => has("email"),
            AuthFactor::SmsOtp => has("phone_number"),
            AuthFactor::WebAuthn => user.is_none_or(web_authn::available),
            AuthFactor::SoftwareToken => false,
        })
        .collect()
}

/// What USER_AUTH offers: [`factors_of`] as challenges, the passwordless ones only where the
/// pool does not require MFA (they would end a sign-in with one factor).
fn offered(pool: &UserPool, user: Option<&User>) -> Vec<ChallengeName> {
    let passwordless = pool.mfa_configuration != MfaConfiguration::On;
    let mut out = Vec::new();
    for factor in factors_of(pool, user) {
        match factor {
            AuthFactor::Password => {
                out.extend([ChallengeName::PasswordSrp, ChallengeName::Password])
            }
            AuthFactor::EmailOtp if passwordless => out.push(ChallengeName::EmailOtp),
            AuthFactor::SmsOtp if passwordless => out.push(ChallengeName::SmsOtp),
            AuthFactor::WebAuthn if passwordless => out.push(ChallengeName::WebAuthn),
            _ => {}
        }
    }
    out
}

/// Starts first factor `choice` for `user`.
async fn begin(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    user: User,
    choice: ChallengeName,
    params: &Option<Params>,
) -> ApiResult<AuthReply> {
    let factor = match choice {
        ChallengeName::Password => return password::sign_in(app, pool, client, params).await,
        ChallengeName::PasswordSrp => return srp::start(app, pool, client, params).await,
        ChallengeName::EmailOtp => Factor::Email,
        ChallengeName::SmsOtp => Factor::Sms,
        ChallengeName::WebAuthn => return web_authn::ask(app, pool, client, &user).await,
        other => {
            return Err(ApiError::invalid(format!(
                "{} sign-in is not supported by Latchkey yet.",
                other.as_str()
            )))
        }
    };
    lockout::check(&user.lockout, app.clock.now_millis())?;
    pre_authentication(app, pool, &user).await?;
    // A name alone asks for this message: counted per user and per mailbox or phone, so
    // nobody can flood either through Latchkey.
    let attribute = second_factor::code_of(factor).map_or("", |(_, attribute)| attribute);
    let to = user
        .attributes
        .get(attribute)
        .map(String::as_str)
        .unwrap_or("");
    let kind = send_limits::Kind::SignIn;
    send_limits::count_request(app, pool, kind, &user.username_key, to).await?;
    let data = Map::from_iter([(FIRST_FACTOR.to_string(), Value::Bool(true))]);
    second_factor::send_code(app, pool, client, &user, factor, choice, data).await
}

/// The answer for a name that is no user, with PreventUserExistenceErrors: the password flows
/// refuse it as they refuse a wrong password; a code challenge is answered as if a code went
/// out (no code exists, so every answer is a mismatch); no choice yet: the pool's choices.
async fn unknown(
    app: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    username: &str,
    choice: Option<ChallengeName>,
    params: &Option<Params>,
) -> ApiResult<AuthReply> {
    let offered = offered(pool, None);
    let to = Challenged::Name(username);
    match choice.filter(|c| offered.contains(c)) {
        Some(ChallengeName::Password) => password::sign_in(app, pool, client, params).await,
        Some(ChallengeName::PasswordSrp) => srp::start(app, pool, client, params).await,
        Some(ChallengeName::WebAuthn) => web_authn::ask_unknown(app, pool, client, username).await,
        Some(name @ (ChallengeName::EmailOtp | ChallengeName::SmsOtp)) => {
            // Counted like a user's request, so the limit's refusal tells nothing either.
            let key = pool.username_key(username);
            send_limits::count_user(app, pool, send_limits::Kind::SignIn, &key).await?;
            let medium = match name {
                ChallengeName::EmailOtp => DeliveryMedium::Email,
                _ => DeliveryMedium::Sms,
            };
            let details = simulated_to(medium, username);
            let data = Map::from_iter([(FIRST_FACTOR.to_string(), Value::Bool(true))]);
            challenge(app, client, to, name, delivery_params(details), data).await
        }
        _ => select(app, client, to, offered).await,
    }
}

/// SELECT_CHALLENGE with `offered` as `AvailableChallenges`.
async fn select(
    app: &Call<'_>,
    client: &AppClient,
    to: Challenged<'_>,
    offered: Vec<ChallengeName>,
) -> ApiResult<AuthReply> {
    let names: Vec<&str> = offered.iter().map(|c| c.as_str()).collect();
    let data = Map::from_iter([(OFFERED.to_string(), Value::from(names))]);
    let name = ChallengeName::SelectChallenge;
    let mut reply = challenge(app, client, to, name, ChallengeParameters::new(), data).await?;
    reply.available_challenges = offered;
    Ok(reply)
}
