//! Identity-pool credential vending benchmark (figures only, nothing asserted).
//!
//! One "vend" is what a client does to turn a user-pool sign-in into AWS credentials:
//! GetId + GetCredentialsForIdentity with the user's ID token in `Logins`. The identity pool
//! trusts the user pool, maps roles with 5 rules (the last one matches, so every rule is
//! evaluated) and asks for default principal tags. Two measurements:
//!
//! 1. **With STS**: over HTTP against an in-memory server spawned in this process, whose STS
//!    is whatever `AWS_ENDPOINT_URL_STS` names (moto: `scripts/moto.sh start`, then
//!    `AWS_ENDPOINT_URL_STS=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=testing
//!    AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1`). Skipped, with a note, when unset.
//!    moto applies one request at a time, so this figure is bounded by moto.
//! 2. **Latchkey's own cost**: the same operations in-process through
//!    `latchkey::protocol::handle_target` (no HTTP, no STS) on an App whose credential
//!    issuer answers fixed credentials at once ([`FixedCredentials`]), so what is timed is
//!    login verification (RS256), the store, rule evaluation and principal tags. Also in
//!    the web-identity mode, which signs an OpenID token per vend. Target: < 1 ms per vend
//!    at p50.
//!
//!     cargo run --release -p latchkey-bench --bin identity_bench [-- --seconds 5]

#[path = "../fixed_credentials.rs"]
mod fixed_credentials;

use fixed_credentials::FixedCredentials;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use latchkey::clock::SystemClock;
use latchkey::identity::IdentityConfig;
use latchkey::protocol::handle_target;
use latchkey::store::sqlite::SqliteStore;
use latchkey::triggers::invoke::Invokers;
use latchkey::{App, Settings};
use latchkey_server::ServerOptions;
use serde_json::{json, Value};
use tokio::task::JoinSet;

const PASSWORD: &str = "Bench-Passw0rd!";
const IDP: &str = "AWSCognitoIdentityProviderService.";
const IDENTITY: &str = "AWSCognitoIdentityService.";
const REGION: &str = "us-east-1";

#[derive(Parser, Debug)]
#[command(about = "GetId + GetCredentialsForIdentity per second and latency, with and without STS")]
struct Args {
    /// Signed-in users, vended round-robin.
    #[arg(long, default_value_t = 8)]
    users: usize,
    /// Seconds per timed phase.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Vends in flight at once in the concurrent phases.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

/// Where requests go: a server over HTTP, or an App in this process.
#[derive(Clone)]
enum Target {
    Http { http: reqwest::Client, url: String },
    InProcess(Arc<App>),
}

impl Target {
    /// One awsJson call (`X-Amz-Target` = `target`); `Ok` only on status 200.
    async fn call(&self, target: &str, body: &Value) -> Result<Value> {
        let bytes = serde_json::to_vec(body)?;
        let (status, out) = match self {
            Target::Http { http, url } => {
                let resp = http
                    .post(url)
                    .header("X-Amz-Target", target)
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .body(bytes)
                    .send()
                    .await
                    .with_context(|| format!("{target}: transport"))?;
                (resp.status().as_u16(), resp.bytes().await?.to_vec())
            }
            Target::InProcess(app) => {
                let r = handle_target(app, Some(target), &bytes).await;
                (r.status, r.body)
            }
        };
        let v: Value = serde_json::from_slice(&out).unwrap_or(Value::Null);
        if status != 200 {
            bail!("{target}: HTTP {status}: {v}");
        }
        Ok(v)
    }

    async fn idp(&self, op: &str, body: Value) -> Result<Value> {
        self.call(&format!("{IDP}{op}"), &body).await
    }

    async fn identity(&self, op: &str, body: Value) -> Result<Value> {
        self.call(&format!("{IDENTITY}{op}"), &body).await
    }
}

/// The identity pool and the users' logins, ready to vend.
struct Setup {
    pool: String,
    logins: Vec<Value>,
}

/// User pool + client (or the server's defaults), users signed in, identity pool with roles,
/// rules and principal tags.
async fn setup(t: &Target, defaults: Option<(String, String)>, users: usize) -> Result<Setup> {
    let (user_pool, client) = match defaults {
        Some(d) => d,
        None => {
            let p = t
                .idp("CreateUserPool", json!({"PoolName": "bench"}))
                .await?;
            let pool = p["UserPool"]["Id"].as_str().context("pool id")?.to_owned();
            let flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
            let body =
                json!({"UserPoolId": pool, "ClientName": "bench", "ExplicitAuthFlows": flows});
            let c = t.idp("CreateUserPoolClient", body).await?;
            let client = c["UserPoolClient"]["ClientId"].as_str().context("client")?;
            (pool, client.to_owned())
        }
    };
    let provider = format!("cognito-idp.{REGION}.amazonaws.com/{user_pool}");
    let mut logins = Vec::new();
    for i in 0..users {
        let name = format!("user{i}");
        let email = json!([{"Name": "email", "Value": format!("{name}@example.com")}]);
        let body = json!({"ClientId": client, "Username": name, "Password": PASSWORD,
            "UserAttributes": email});
        t.idp("SignUp", body).await?;
        let body = json!({"UserPoolId": user_pool, "Username": name});
        t.idp("AdminConfirmSignUp", body).await?;
        let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
            "AuthParameters": {"USERNAME": name, "PASSWORD": PASSWORD}});
        let auth = t.idp("InitiateAuth", body).await?;
        let token = auth["AuthenticationResult"]["IdToken"]
            .as_str()
            .context("IdToken")?;
        logins.push(json!({ provider.clone(): token }));
    }
    let body = json!({"IdentityPoolName": "bench", "AllowUnauthenticatedIdentities": false,
        "CognitoIdentityProviders": [{"ProviderName": provider, "ClientId": client}]});
    let created = t.identity("CreateIdentityPool", body).await?;
    let pool = created["IdentityPoolId"]
        .as_str()
        .context("pool")?
        .to_owned();
    let arn = |n: &str| format!("arn:aws:iam::123456789012:role/{n}");
    let rule = |claim: &str, m: &str, v: &str, role: &str| json!({"Claim": claim, "MatchType": m, "Value": v, "RoleARN": arn(role)});
    let rules = [
        rule("cognito:groups", "Contains", "admins", "Admin"),
        rule("email", "StartsWith", "boss", "Boss"),
        rule("cognito:username", "Equals", "root", "Root"),
        rule("email", "Contains", "@corp.example", "Corp"),
        rule("cognito:username", "StartsWith", "user", "BenchUser"),
    ];
    let mapping = json!({"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
        "RulesConfiguration": {"Rules": rules}});
    let body = json!({"IdentityPoolId": pool, "Roles": {"authenticated": arn("BenchAuth")},
        "RoleMappings": { format!("{provider}:{client}"): mapping }});
    t.identity("SetIdentityPoolRoles", body).await?;
    let body = json!({"IdentityPoolId": pool, "IdentityProviderName": provider,
        "UseDefaults": true});
    t.identity("SetPrincipalTagAttributeMap", body).await?;
    Ok(Setup { pool, logins })
}

/// GetId + GetCredentialsForIdentity for one login.
async fn vend(t: &Target, pool: &str, logins: &Value) -> Result<()> {
    let id = t
        .identity("GetId", json!({"IdentityPoolId": pool, "Logins": logins}))
        .await?;
    let id = id["IdentityId"].as_str().context("IdentityId")?;
    let body = json!({"IdentityId": id, "Logins": logins});
    let out = t.identity("GetCredentialsForIdentity", body).await?;
    match out["Credentials"]["AccessKeyId"].as_str() {
        Some(k) if !k.is_empty() => Ok(()),
        _ => bail!("no credentials: {out}"),
    }
}

/// Nearest-rank percentile of a sorted slice.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// `concurrency` workers vend round-robin for `seconds`; prints vends/s, p50, p99.
async fn phase(label: &str, t: &Target, s: &Setup, concurrency: usize, seconds: u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let logins = Arc::new(s.logins.clone());
    let mut set = JoinSet::new();
    for w in 0..concurrency {
        let (t, pool, logins) = (t.clone(), s.pool.clone(), logins.clone());
        set.spawn(async move {
            let (mut lat, mut errors, mut i) = (Vec::new(), Vec::new(), w);
            while Instant::now() < deadline {
                let t0 = Instant::now();
                match vend(&t, &pool, &logins[i % logins.len()]).await {
                    Ok(()) => lat.push(t0.elapsed()),
                    Err(e) => errors.push(e.to_string()),
                }
                i += 1;
            }
            (lat, errors)
        });
    }
    let (mut lat, mut errors) = (Vec::new(), Vec::new());
    while let Some(done) = set.join_next().await {
        if let Ok((l, e)) = done {
            lat.extend(l);
            errors.extend(e);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort_unstable();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{label:<52} {:>8.0} vends/s  p50 {:>7.3} ms  p99 {:>7.3} ms  ({} vends, {} errors)",
        lat.len() as f64 / elapsed,
        ms(percentile(&lat, 50.0)),
        ms(percentile(&lat, 99.0)),
        lat.len(),
        errors.len()
    );
    if let Some(e) = errors.first() {
        println!("    first error: {e}");
    }
}

/// An App in this process with the fixed-credentials issuer.
fn in_process_app(web_identity: bool) -> Result<Arc<App>> {
    let store: Arc<dyn latchkey::store::Store> = Arc::new(SqliteStore::in_memory()?);
    let settings = Settings::new("http://127.0.0.1:1", REGION, "000000000000")?;
    let triggers = Arc::new(Invokers::new(REGION));
    let app = App::on_store(settings, store, Arc::new(SystemClock), triggers)?;
    Ok(Arc::new(app.with_identity(IdentityConfig {
        issuer: Some(Arc::new(FixedCredentials)),
        web_identity,
        duration_secs: 3600,
        saml_providers: None,
    })))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    println!(
        "identity_bench: {} users, {} s per phase, concurrency {} (1 vend = GetId + GetCredentialsForIdentity)",
        args.users, args.seconds, args.concurrency
    );
    match std::env::var("AWS_ENDPOINT_URL_STS") {
        Ok(sts) if !sts.is_empty() => {
            let server = latchkey_server::spawn(ServerOptions::in_memory()).await?;
            let http = reqwest::Client::new();
            let t = Target::Http {
                http,
                url: format!("{}/", server.url),
            };
            let defaults = (
                server.default_pool_id.clone(),
                server.default_client_id.clone(),
            );
            let s = setup(&t, Some(defaults), args.users).await?;
            println!("-- with STS ({sts}), over HTTP");
            phase("HTTP + STS, 1 at a time", &t, &s, 1, args.seconds).await;
            let label = format!("HTTP + STS, {} at a time", args.concurrency);
            phase(&label, &t, &s, args.concurrency, args.seconds).await;
            server.shutdown().await;
        }
        _ => println!(
            "-- with STS: SKIPPED, AWS_ENDPOINT_URL_STS is not set (run scripts/moto.sh start \
             and export AWS_ENDPOINT_URL_STS=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=testing \
             AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1)"
        ),
    }
    println!("-- Latchkey's own cost: in-process, STS excluded (fixed credentials)");
    for web_identity in [false, true] {
        let t = Target::InProcess(in_process_app(web_identity)?);
        let s = setup(&t, None, args.users).await?;
        let mode = if web_identity {
            "web identity"
        } else {
            "AssumeRole"
        };
        phase(
            &format!("in-process, {mode}, 1 at a time"),
            &t,
            &s,
            1,
            args.seconds,
        )
        .await;
        let label = format!("in-process, {mode}, {} at a time", args.concurrency);
        phase(&label, &t, &s, args.concurrency, args.seconds).await;
    }
    Ok(())
}
