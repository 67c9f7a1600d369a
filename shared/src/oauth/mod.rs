//! The OAuth 2.0 / OpenID Connect authorization server: what the managed login pages and the
//! `/oauth2/*` endpoints decide, without HTTP (the edge, `crate::edge::hosted`, turns these
//! into redirects, cookies, pages and JSON).
//!
//! - [`authorize`]: the authorization request (client, redirect URI, scopes, PKCE), checked
//!   the same way by `/oauth2/authorize` and every login page that carries it;
//! - [`grants`]: authorization codes and hosted sign-in sessions, kept server-side by the hash
//!   of their handle, sealed, single-use where they must be;
//! - [`token`]: the token endpoint's grants and client authentication;
//! - [`userinfo`], [`logout`]: the other endpoints;
//! - [`federation`]: signing in through an external identity provider;
//! - [`error`]: RFC 6749 error answers.
//!
//! A sign-in on the login pages runs the user pool's own sign-in step (the same flows and
//! challenge answers as InitiateAuth), with the authorization on the [`crate::call::Call`],
//! so tokens carry its scopes and nonce.
//!
//! Layers: edge → oauth → userpool (domain) → store.

pub mod authorize;
pub mod error;
pub mod federation;
pub mod grants;
pub mod logout;
pub mod signin;
pub mod token;
pub mod userinfo;

pub use error::OAuthError;
