//! The OAuth 2.0 / OpenID Connect endpoints (`/oauth2/authorize`, `/login`, `/oauth2/token`,
//! `/oauth2/userInfo`, `/oauth2/revoke`, `/logout`, discovery) through REAL client libraries:
//! openid-client v6 (Node), authlib (Python) and aws-amplify v6 in Debian's chromium (driven by
//! playwright-core, against the HTTPS listener as Amplify's `oauth.domain`). Each test starts an
//! in-process server, sets up what an app owner would (a pool, a confirmed user, an app client
//! with the code flow, or a resource server and a client_credentials client) through the Rust
//! SDK, and runs one script under `tests/clients/`, printing its output and asserting it
//! exits 0. The scripts assert the properties (signatures, nonce, PKCE, claims, refusals).
//!
//! Install the clients with `bash scripts/clients.sh` (it also installs chromium through
//! scripts/browser.sh); without them each test prints SKIPPED and passes, unless
//! `LATCHKEY_REQUIRE_CLIENTS=1`.

use crate::common::{Harness, TempDir};
use crate::real_clients::{clients_present, repo_root, run_script};

use std::path::{Path, PathBuf};

use aws_sdk_cognitoidentityprovider::types::{
    AttributeType, MessageActionType, OAuthFlowType, ResourceServerScopeType,
};
use latchkey_server::ServerOptions;

/// The user every test signs in as.
const USERNAME: &str = "oauth-alice";
const PASSWORD: &str = "Oauth-Passw0rd!";
/// Where the code flow's codes are sent; nothing listens there (the scripts read the Location).
const REDIRECT_URI: &str = "http://localhost:8976/callback";
/// The resource server and its scope for the client_credentials grant.
const RESOURCE: &str = "latchkey-api";
const M2M_SCOPE: &str = "latchkey-api/read";

/// A pool, its confirmed user, and the app client(s) an OAuth test uses.
struct OAuthSetup {
    pool: String,
    client: String,
    secret: Option<String>,
}

/// A pool with a user (AdminCreateUser with email verified, AdminSetUserPassword permanent) and
/// an app client allowed the code flow for openid/email/profile, with `redirect` as callback and
/// logout URL, and a secret when `with_secret`.
async fn code_flow_setup(h: &Harness, redirect: &str, with_secret: bool) -> OAuthSetup {
    let idp = &h.idp;
    let pool = h.create_pool("oauth-pool").await;
    idp.admin_create_user()
        .user_pool_id(&pool)
        .username(USERNAME)
        .user_attributes(attr("email", "alice@example.com"))
        .user_attributes(attr("email_verified", "true"))
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminCreateUser failed: {e:?}"));
    idp.admin_set_user_password()
        .user_pool_id(&pool)
        .username(USERNAME)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AdminSetUserPassword failed: {e:?}"));
    let mut req = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("oauth-web")
        .generate_secret(with_secret)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_flows_user_pool_client(true)
        .supported_identity_providers("COGNITO")
        .callback_urls(redirect)
        .logout_urls(redirect);
    for scope in ["openid", "email", "profile"] {
        req = req.allowed_o_auth_scopes(scope);
    }
    let client = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPoolClient (code flow) failed: {e:?}"))
        .user_pool_client
        .expect("UserPoolClient");
    OAuthSetup {
        pool,
        client: client.client_id.expect("ClientId"),
        secret: client.client_secret,
    }
}

/// A pool with a resource server (`latchkey-api`, scope `read`) and a confidential client
/// allowed client_credentials for `latchkey-api/read`: `(pool, client id, secret)`.
async fn client_credentials_setup(h: &Harness) -> (String, String, String) {
    let idp = &h.idp;
    let pool = h.create_pool("oauth-m2m-pool").await;
    let read = ResourceServerScopeType::builder()
        .scope_name("read")
        .scope_description("Read the API")
        .build()
        .expect("scope");
    idp.create_resource_server()
        .user_pool_id(&pool)
        .identifier(RESOURCE)
        .name("Latchkey API")
        .scopes(read)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateResourceServer failed: {e:?}"));
    let client = idp
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("oauth-m2m")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_scopes(M2M_SCOPE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserPoolClient (client_credentials) failed: {e:?}"))
        .user_pool_client
        .expect("UserPoolClient");
    (
        pool,
        client.client_id.expect("ClientId"),
        client.client_secret.expect("ClientSecret (GenerateSecret)"),
    )
}

fn attr(name: &str, value: &str) -> AttributeType {
    AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .expect("attribute")
}

/// Runs `program args`, prints the output, asserts success.
async fn run(what: &str, program: PathBuf, args: Vec<String>) {
    let (ok, output) = tokio::task::spawn_blocking(move || run_script(&program, &args))
        .await
        .expect("script thread");
    println!("--- {what} ---\n{output}");
    assert!(ok, "{what} checks failed against the server (output above)");
}

fn node_ready(root: &Path, packages: &[&str]) -> bool {
    let modules = root.join("tests/clients/node/node_modules");
    let mut needed: Vec<PathBuf> = packages.iter().map(|p| modules.join(p)).collect();
    needed.push(modules.join(".latchkey-stamp"));
    clients_present(
        &format!("{} (tests/clients/node)", packages.join(", ")),
        &needed,
    )
}

fn python_ready(root: &Path) -> Option<PathBuf> {
    let python = root.join(".venv-clients/bin/python");
    let needed = [python.clone(), root.join(".venv-clients/.latchkey-stamp")];
    clients_present("authlib (.venv-clients)", &needed).then_some(python)
}

/// `--name value` pairs as arguments.
fn flags(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(k, v)| [format!("--{k}"), v.to_string()])
        .collect()
}

/// The code-flow arguments every script takes.
fn code_flow_args(h: &Harness, s: &OAuthSetup) -> Vec<String> {
    let mut args = flags(&[
        ("base", h.url()),
        ("pool-id", &s.pool),
        ("client-id", &s.client),
        ("redirect-uri", REDIRECT_URI),
        ("username", USERNAME),
        ("password", PASSWORD),
        ("flows", "code"),
    ]);
    if let Some(secret) = &s.secret {
        args.extend(flags(&[("client-secret", secret)]));
    }
    args
}

fn client_credentials_args(h: &Harness, pool: &str, id: &str, secret: &str) -> Vec<String> {
    flags(&[
        ("base", h.url()),
        ("pool-id", pool),
        ("m2m-client-id", id),
        ("m2m-client-secret", secret),
        ("m2m-scope", M2M_SCOPE),
        ("flows", "client_credentials"),
    ])
}

/// openid-client: a confidential client (client_secret_basic) through the code flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_code_flow() {
    let root = repo_root();
    if !node_ready(&root, &["openid-client", "jose"]) {
        return;
    }
    let h = Harness::start().await;
    let setup = code_flow_setup(&h, REDIRECT_URI, true).await;
    let mut args = vec![root
        .join("tests/clients/node/oidc_openid_client.mjs")
        .display()
        .to_string()];
    args.extend(code_flow_args(&h, &setup));
    run("openid-client code flow", PathBuf::from("node"), args).await;
    h.shutdown().await;
}

/// openid-client: client_credentials with a resource server's scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openid_client_client_credentials() {
    let root = repo_root();
    if !node_ready(&root, &["openid-client", "jose"]) {
        return;
    }
    let h = Harness::start().await;
    let (pool, id, secret) = client_credentials_setup(&h).await;
    let mut args = vec![root
        .join("tests/clients/node/oidc_openid_client.mjs")
        .display()
        .to_string()];
    args.extend(client_credentials_args(&h, &pool, &id, &secret));
    run(
        "openid-client client_credentials",
        PathBuf::from("node"),
        args,
    )
    .await;
    h.shutdown().await;
}

/// authlib: a public client (no secret, PKCE only) through the code flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authlib_code_flow() {
    let root = repo_root();
    let Some(python) = python_ready(&root) else {
        return;
    };
    let h = Harness::start().await;
    let setup = code_flow_setup(&h, REDIRECT_URI, false).await;
    let mut args = vec![root
        .join("tests/clients/oidc_authlib.py")
        .display()
        .to_string()];
    args.extend(code_flow_args(&h, &setup));
    run("authlib code flow", python, args).await;
    h.shutdown().await;
}

/// authlib: client_credentials, client_secret_basic and client_secret_post.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authlib_client_credentials() {
    let root = repo_root();
    let Some(python) = python_ready(&root) else {
        return;
    };
    let h = Harness::start().await;
    let (pool, id, secret) = client_credentials_setup(&h).await;
    let mut args = vec![root
        .join("tests/clients/oidc_authlib.py")
        .display()
        .to_string()];
    args.extend(client_credentials_args(&h, &pool, &id, &secret));
    run("authlib client_credentials", python, args).await;
    h.shutdown().await;
}

/// A server with its HTTPS listener (Amplify's `oauth.domain`) and a free port for the app's
/// page, when chromium and the node modules `needs` are installed.
struct Amplify {
    h: Harness,
    https_url: String,
    domain: String,
    page_port: u16,
    page: String,
    _certs: TempDir,
}

async fn amplify_env(label: &str, needs: &[&str]) -> Option<Amplify> {
    let chromium = PathBuf::from("/usr/bin/chromium");
    if !node_ready(&repo_root(), needs)
        || !clients_present("chromium (scripts/browser.sh)", &[chromium])
    {
        return None;
    }
    let certs = TempDir::new(label);
    let h =
        Harness::start_with(ServerOptions::in_memory().with_https(0, certs.path().into())).await;
    let https = h.server.https.clone().expect("the HTTPS listener");
    let page_port = free_port();
    Some(Amplify {
        h,
        https_url: https.url.clone(),
        domain: format!("127.0.0.1:{}", https.addr.port()),
        page_port,
        page: format!("http://localhost:{page_port}/"),
        _certs: certs,
    })
}

impl Amplify {
    /// Runs amplify_redirect.mjs for `pool` and `client` with more `flags`, then stops.
    async fn run(self, what: &str, pool: &str, client: &str, more: &[(&str, &str)]) {
        let mut args = vec![repo_root()
            .join("tests/clients/node/amplify_redirect.mjs")
            .display()
            .to_string()];
        let port = self.page_port.to_string();
        let mut all = vec![
            ("base", self.h.url()),
            ("oauth-domain", self.domain.as_str()),
            ("pool-id", pool),
            ("client-id", client),
            ("page-port", port.as_str()),
        ];
        all.extend_from_slice(more);
        args.extend(flags(&all));
        run(what, PathBuf::from("node"), args).await;
        self.h.shutdown().await;
    }
}

/// aws-amplify v6 `signInWithRedirect` in chromium, with the HTTPS listener as `oauth.domain`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplify_sign_in_with_redirect_in_chromium() {
    let needs = ["aws-amplify", "esbuild", "playwright-core"];
    let Some(env) = amplify_env("oauth-amplify", &needs).await else {
        return;
    };
    let setup = code_flow_setup(&env.h, &env.page, false).await;
    let more = [("username", USERNAME), ("password", PASSWORD)];
    let what = "amplify signInWithRedirect";
    env.run(what, &setup.pool, &setup.client, &more).await;
}

/// aws-amplify v6 `signInWithRedirect({provider: {custom}})` in chromium: through a real
/// OpenID Connect provider (oidc-provider, which signs its account in by itself) and back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplify_signs_in_through_an_external_provider_in_chromium() {
    use crate::federation_support::node_idp::{self, NodeIdp};
    use crate::federation_support::{federated_pool_to, oidc_details, PROVIDER};
    let needs = ["aws-amplify", "esbuild", "playwright-core", "oidc-provider"];
    let Some(env) = amplify_env("oauth-amplify-idp", &needs).await else {
        return;
    };
    let idp = NodeIdp::start(&env.https_url, "amy");
    let details = oidc_details(&idp.issuer, node_idp::CLIENT_ID, node_idp::CLIENT_SECRET);
    let mapping = [("email", "email"), ("email_verified", "email_verified")];
    let fp = federated_pool_to(&env.h, details, &mapping, &env.page).await;
    let more = [("provider", PROVIDER), ("username", "myoidc_amy")];
    let what = "amplify signInWithRedirect (provider)";
    env.run(what, &fp.pool, &fp.client, &more).await;
}

/// A port free on 127.0.0.1 now (the page server binds it a moment later; the client's
/// callback URL must name it before the script starts).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
