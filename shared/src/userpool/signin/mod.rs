//! Sign-in as a straight line. The API operations ([`initiate`], [`respond`]) pick a flow or a
//! challenge answer by name; each flow ([`password`], [`srp`], [`custom`], [`refresh_token`], [`user_auth`])
//! proves a first factor (as does [`web_authn`], the passkey challenge), and each answer
//! ([`mfa`], [`new_password`]) a later one, and all end
//! in the one shared step ([`step`]): status and lockout, then MFA and challenges, then
//! PostAuthentication and tokens. A new flow is one file that ends in
//! [`step::first_factor_checked`] or [`step::complete`].
//!
//! Dependencies point down: operations → flows and answers → step → tokens, sessions, users.

pub mod challenge;
pub mod custom;
pub mod device;
pub mod factors;
pub mod federated;
pub mod initiate;
pub mod mfa;
pub mod new_password;
pub mod outcome;
pub mod params;
pub mod passkey_usernameless;
pub mod password;
pub mod refresh_token;
pub mod respond;
pub mod second_factor;
pub mod sign_up_session;
pub mod srp;
pub mod step;
pub mod user_auth;
pub mod web_authn;

#[cfg(test)]
mod tests;
