//! Who is using the console. A browser on this machine, where the entry point allows it
//! (`LATCHKEY_CONSOLE_LOOPBACK_OPEN`: the peer is a loopback address and the `Host` a
//! loopback name, so a web page that rebinds its own name to 127.0.0.1 is not let in); else
//! the bearer of the console's session cookie: the access token of a managed-login sign-in
//! to the admin pool, sealed with the deployment's session key, checked on every request
//! as every access token is (signature, issuer, expiry, the user still there, enabled, not
//! signed out) and its user still a member of the admin group.

use crate::edge::hosted::cookie;
use crate::edge::EdgeRequest;
use crate::error::{ApiError, ErrorKind};
use crate::identity::logins::is_loopback;
use crate::userpool::access::verify_access;
use crate::userpool::session::open_json;
use crate::App;
use serde::{Deserialize, Serialize};

/// The console's session cookie.
pub const SESSION_COOKIE: &str = "latchkey-console";

/// What the session cookie holds (sealed).
#[derive(Serialize, Deserialize)]
pub struct Session {
    /// The access token of the operator's sign-in (scope `openid`).
    pub access_token: String,
}

/// Who is using the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operator {
    /// Someone on this machine (loopback access).
    Local,
    /// A member of the admin group, signed in.
    Admin {
        /// Their username in the admin pool.
        username: String,
    },
}

/// Why a request is not let in.
#[derive(Debug)]
pub enum Refused {
    /// Nobody is signed in (or the session ended): sign in first.
    SignIn,
    /// Signed in, but not an operator: the reason.
    NotOperator(String),
    /// Sign-in needs `LATCHKEY_CONSOLE_POOL_ID`, and it is not set.
    NotConfigured,
    /// A fault of ours.
    Fault(ApiError),
}

/// The operator behind `req`.
pub async fn identify(app: &App, req: &EdgeRequest) -> Result<Operator, Refused> {
    if app.settings.console.loopback_open && from_this_machine(req) {
        return Ok(Operator::Local);
    }
    if app.settings.console.pool_id.is_none() {
        return Err(Refused::NotConfigured);
    }
    let Some(sealed) = cookie(req, SESSION_COOKIE) else {
        return Err(Refused::SignIn);
    };
    match open_json::<Session>(app, sealed).await {
        Ok(Some(session)) => admit(app, &session.access_token).await,
        Ok(None) => Err(Refused::SignIn),
        Err(e) => Err(Refused::Fault(e)),
    }
}

/// The operator an access token stands for: a token of the admin pool that every access
/// check accepts (with `openid`), of a user in the admin group.
pub async fn admit(app: &App, access_token: &str) -> Result<Operator, Refused> {
    let console = &app.settings.console;
    let Some(pool_id) = console.pool_id.as_deref() else {
        return Err(Refused::NotConfigured);
    };
    let ctx = match verify_access(app, access_token, "openid").await {
        Ok(ctx) => ctx,
        Err(e) if e.kind == ErrorKind::InternalError => return Err(Refused::Fault(e)),
        // Expired, signed out, disabled or deleted: the session is over.
        Err(_) => return Err(Refused::SignIn),
    };
    if ctx.pool.id != pool_id {
        return Err(Refused::SignIn);
    }
    if !ctx.user.groups.contains(&console.group) {
        return Err(Refused::NotOperator(format!(
            "{} is not a member of the group {} of the pool {pool_id}, so may not use the \
             console.",
            ctx.user.username, console.group
        )));
    }
    Ok(Operator::Admin {
        username: ctx.user.username,
    })
}

/// A loopback peer that names a loopback host (`localhost`, `127.0.0.1`, `[::1]`).
fn from_this_machine(req: &EdgeRequest) -> bool {
    req.peer.is_some_and(|ip| ip.to_canonical().is_loopback())
        && req.header("host").is_some_and(is_loopback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, host: &str) -> EdgeRequest {
        let mut req = EdgeRequest::new(http::Method::GET, "/_latchkey/console", "r");
        req.peer = peer.parse().ok();
        req.headers
            .insert("host", http::HeaderValue::from_str(host).unwrap());
        req
    }

    #[test]
    fn only_a_loopback_peer_naming_a_loopback_host_is_this_machine() {
        assert!(from_this_machine(&request("127.0.0.1", "127.0.0.1:9229")));
        assert!(from_this_machine(&request("::1", "localhost:9229")));
        assert!(from_this_machine(&request(
            "::ffff:127.0.0.1",
            "[::1]:9229"
        )));
        assert!(!from_this_machine(&request("10.0.0.2", "127.0.0.1:9229")));
        assert!(!from_this_machine(&request(
            "127.0.0.1",
            "rebound.example:9229"
        )));
        assert!(!from_this_machine(&request(
            "127.0.0.1",
            "localhost.evil.example"
        )));
        assert!(!from_this_machine(&request("none", "localhost")));
    }
}
