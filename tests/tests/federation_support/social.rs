//! What the social-provider federation tests stand on: a Latchkey server whose
//! `LATCHKEY_PROVIDER_ENDPOINTS` moves a provider's real hosts to a loopback port, a pool
//! offering one social provider (`Facebook`, `LoginWithAmazon`, `SignInWithApple`), the
//! Facebook / Login with Amazon player (`tests/clients/node/social_idp.mjs`) as a child
//! process with the two providers' test apps and users, and the checks of what the app and
//! the pool end with (the ID token's claims, the federated user Cognito makes).

use crate::common::{attr, Harness};
use crate::federation_support::{FederatedPool, APP_REDIRECT};
use crate::real_clients::repo_root;
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType, UserStatusType};
use latchkey::config::ProviderEndpoints;
use latchkey_server::ServerOptions;
use serde_json::Value;
use std::collections::HashMap;
use std::process::Child;

/// A free loopback port (for a provider that must be named before it starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A server that reaches each of `real_bases` (`https://graph.facebook.com`, ...) at
/// `http://127.0.0.1:{port}`.
pub async fn harness_moving(real_bases: &[&str], port: u16) -> Harness {
    let here = format!("http://127.0.0.1:{port}");
    let moved: Vec<String> = real_bases.iter().map(|b| format!("{b}={here}")).collect();
    let mut opts = ServerOptions::in_memory();
    opts.provider_endpoints = ProviderEndpoints::parse(&moved.join(",")).expect("endpoints");
    Harness::start_with(opts).await
}

/// A pool with the provider `name` of type `kind` (`details`, `mapping`), and a public app
/// client offering only it for the code flow, calling back to [`APP_REDIRECT`].
pub async fn social_pool(
    h: &Harness,
    name: &str,
    kind: IdentityProviderTypeType,
    details: HashMap<String, String>,
    mapping: &[(&str, &str)],
) -> FederatedPool {
    let pool = h.create_pool(&name.to_lowercase()).await;
    let mut req = h
        .idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name(name)
        .provider_type(kind)
        .set_provider_details(Some(details));
    for (attr, claim) in mapping {
        req = req.attribute_mapping(*attr, *claim);
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("CreateIdentityProvider ({name}) failed: {e:?}"));
    let client = super::offering_client(h, &pool, &[name], APP_REDIRECT).await;
    FederatedPool { pool, client }
}

/// `ProviderDetails` from pairs.
pub fn details(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The Facebook / Login with Amazon player's script.
pub fn script() -> std::path::PathBuf {
    repo_root().join("tests/clients/node/social_idp.mjs")
}

/// Facebook or Login with Amazon played on loopback by `social_idp.mjs`. Dropping it stops
/// the process.
pub struct SocialIdp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    child: Child,
}

impl SocialIdp {
    /// Starts the player for `provider` (`facebook` or `amazon`) on `port`, for Latchkey at
    /// `latchkey_base`, with the script's other flags (`--client-id`, `--user-id`, ...).
    pub fn start(provider: &str, port: u16, latchkey_base: &str, flags: &[&str]) -> Self {
        let redirect = format!("{latchkey_base}/oauth2/idpresponse");
        let port_text = port.to_string();
        let mut args: Vec<&str> = vec!["--provider", provider, "--port", &port_text];
        args.extend(["--redirect-uri", &redirect]);
        args.extend(flags);
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
        let (child, ready) = super::spawn_node(&script(), &args);
        assert_eq!(
            ready["port"], port,
            "the player listens where Latchkey looks"
        );
        Self {
            base: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    /// What the player saw (`GET /_stats`): codes issued and redeemed, refused token
    /// requests, profile requests and the Graph fields last asked for.
    pub async fn stats(&self) -> serde_json::Value {
        reqwest::get(format!("{}/_stats", self.base))
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats JSON")
    }
}

impl Drop for SocialIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Facebook app id Latchkey is registered with.
pub const FACEBOOK_APP: &str = "1204468963741186";
/// The Facebook app's secret.
pub const FACEBOOK_SECRET: &str = "5b2f0e3c9a1d4e7f8a6b0c2d4e6f8a0b";
/// The Facebook user's id (app-scoped, as the Graph API gives it).
pub const FACEBOOK_USER: &str = "10158231134425187";
/// The Login with Amazon security profile's client id.
pub const AMAZON_CLIENT: &str = "amzn1.application-oa2-client.8b3f4c2a1e6d4b9a";
/// Its client secret.
pub const AMAZON_SECRET: &str = "3e9c1a7b5d2f4e6a8c0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f";
/// The Amazon user's `user_id`.
pub const AMAZON_USER: &str = "amzn1.account.AF2K7QW3XEXAMPLE4LZ6Q";

/// A social provider as the tests set it up.
pub struct Social {
    /// The provider's name in the pool (Cognito names social providers after their type).
    pub name: &'static str,
    /// Its type.
    pub kind: IdentityProviderTypeType,
    /// The player's `--provider`.
    pub player: &'static str,
    /// The real bases Latchkey and the browser are sent to, all moved to the player.
    pub hosts: &'static [&'static str],
    /// The user's id at the provider.
    pub user_id: &'static str,
    /// The `ProviderDetails` (client id and secret first).
    pub details: &'static [(&'static str, &'static str)],
}

/// Facebook, Graph API v17.0.
pub const FACEBOOK: Social = Social {
    name: "Facebook",
    kind: IdentityProviderTypeType::Facebook,
    player: "facebook",
    hosts: &["https://www.facebook.com", "https://graph.facebook.com"],
    user_id: FACEBOOK_USER,
    details: &[
        ("client_id", FACEBOOK_APP),
        ("client_secret", FACEBOOK_SECRET),
        ("authorize_scopes", "public_profile,email"),
        ("api_version", "v17.0"),
    ],
};

/// Login with Amazon.
pub const AMAZON: Social = Social {
    name: "LoginWithAmazon",
    kind: IdentityProviderTypeType::LoginWithAmazon,
    player: "amazon",
    hosts: &["https://www.amazon.com", "https://api.amazon.com"],
    user_id: AMAZON_USER,
    details: &[
        ("client_id", AMAZON_CLIENT),
        ("client_secret", AMAZON_SECRET),
        ("authorize_scopes", "profile"),
    ],
};

/// A server, the player for `social` (with `extra` flags), and a pool offering the provider
/// with email and name mapped.
pub async fn social_setup(social: &Social, extra: &[&str]) -> (Harness, SocialIdp, FederatedPool) {
    let port = free_port();
    let h = harness_moving(social.hosts, port).await;
    let (client_id, secret) = (social.details[0].1, social.details[1].1);
    let mut flags = vec![
        "--client-id",
        client_id,
        "--client-secret",
        secret,
        "--user-id",
        social.user_id,
        "--name",
        "Ann Lee",
        "--email",
        "ann.lee@example.com",
    ];
    flags.extend_from_slice(extra);
    let idp = SocialIdp::start(social.player, port, h.url(), &flags);
    let fp = social_pool(
        &h,
        social.name,
        social.kind.clone(),
        details(social.details),
        &[("email", "email"), ("name", "name")],
    )
    .await;
    (h, idp, fp)
}

/// Checks the federated user Cognito-style: `username`, `EXTERNAL_PROVIDER`, one primary
/// identity of `provider` (`provider_type`) for `user_id`, and membership of
/// `<pool>_<provider>` only; returns its attributes by name.
pub async fn assert_federated_user(
    h: &Harness,
    fp: &FederatedPool,
    username: &str,
    provider: &str,
    provider_type: &str,
    user_id: &str,
) -> std::collections::HashMap<String, String> {
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&fp.pool)
        .username(username)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminGetUser {username}: {e:?}"));
    assert_eq!(user.user_status(), Some(&UserStatusType::ExternalProvider));
    assert!(user.enabled());
    let identities = attr(user.user_attributes(), "identities").expect("identities");
    let identities: Value = serde_json::from_str(identities).expect("identities JSON");
    let list = identities.as_array().expect("a list");
    assert_eq!(list.len(), 1, "{identities}");
    assert_eq!(list[0]["userId"], user_id);
    assert_eq!(list[0]["providerName"], provider);
    assert_eq!(list[0]["providerType"], provider_type);
    assert_eq!(list[0]["primary"], true);
    let groups = h
        .idp
        .admin_list_groups_for_user()
        .user_pool_id(&fp.pool)
        .username(username)
        .send()
        .await
        .expect("AdminListGroupsForUser");
    let names: Vec<&str> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, [format!("{}_{provider}", fp.pool)]);
    user.user_attributes()
        .iter()
        .filter_map(|a| Some((a.name().to_string(), a.value()?.to_string())))
        .collect()
}

/// How many users the pool has.
pub async fn user_count(h: &Harness, pool: &str) -> usize {
    let users = h.idp.list_users().user_pool_id(pool).send().await;
    users.expect("ListUsers").users().len()
}
