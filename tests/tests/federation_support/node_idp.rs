//! The real OpenID Connect provider (panva's oidc-provider, `tests/clients/node/oidc_idp.mjs`)
//! as a child process on loopback. Dropping it stops the process.

use crate::real_clients::repo_root;
use std::process::Child;

/// The provider's client id and secret for Latchkey.
pub const CLIENT_ID: &str = "latchkey";
/// See [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "latchkey-idp-secret";

/// The running provider.
pub struct NodeIdp {
    /// Its issuer URL.
    pub issuer: String,
    child: Child,
}

/// The script.
pub fn script() -> std::path::PathBuf {
    repo_root().join("tests/clients/node/oidc_idp.mjs")
}

impl NodeIdp {
    /// Starts the provider for Latchkey at `latchkey_base`, signing in `account`.
    pub fn start(latchkey_base: &str, account: &str) -> Self {
        Self::start_with(latchkey_base, account, &[])
    }

    /// [`NodeIdp::start`] with more of the script's flags (`--preset google`, `--port N`).
    pub fn start_with(latchkey_base: &str, account: &str, flags: &[&str]) -> Self {
        let redirect = format!("{latchkey_base}/oauth2/idpresponse");
        let mut args: Vec<&str> = vec!["--redirect-uri", &redirect, "--account", account];
        args.extend(flags);
        args.extend(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]);
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let (child, ready) = super::spawn_node(&script(), &args);
        let issuer = ready["issuer"].as_str().expect("issuer").to_string();
        Self { issuer, child }
    }
}

impl Drop for NodeIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
