//! Trigger overhead benchmark (figures only, nothing asserted): what an HTTP trigger on
//! loopback adds to sign-in and to token generation, beside the same operation with no
//! trigger. Target: under 2 ms added at p50.
//!
//! A server on the embedded in-memory store and a small HTTP trigger server both run in this
//! process, on 127.0.0.1. Two pools hold the same users: pool A has no triggers; pool B has
//! PreAuthentication and PreTokenGeneration (V2_0, adding one claim to each token) on the
//! trigger server. Requests alternate A, B, A, B, ... one at a time, so both see the same
//! machine load:
//!
//! - sign-in: InitiateAuth USER_PASSWORD_AUTH (B calls PreAuthentication and
//!   PreTokenGeneration: two trigger calls);
//! - token generation: InitiateAuth REFRESH_TOKEN_AUTH (B calls PreTokenGeneration once).
//!
//!     cargo run --release -p latchkey-bench --bin trigger_bench [-- --sign-ins 60 --refreshes 600]

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use axum::routing::post;
use clap::Parser;
use latchkey_server::ServerOptions;
use serde_json::{json, Value};

const PASSWORD: &str = "Bench-Passw0rd!";
const IDP: &str = "AWSCognitoIdentityProviderService.";

#[derive(Parser, Debug)]
#[command(about = "Latency an HTTP trigger adds to sign-in and to token generation")]
struct Args {
    /// Sign-ins per pool.
    #[arg(long, default_value_t = 60)]
    sign_ins: usize,
    /// Refreshes per pool.
    #[arg(long, default_value_t = 600)]
    refreshes: usize,
}

/// The trigger function: answers every event at once, adding a claim at token generation.
async fn trigger(body: axum::body::Bytes) -> axum::Json<Value> {
    let mut event: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if event["triggerSource"]
        .as_str()
        .is_some_and(|s| s.starts_with("TokenGeneration_"))
    {
        event["response"] = json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "bench"}},
            "accessTokenGeneration": {"claimsToAddOrOverride": {"tenant": "bench"}},
        }});
    }
    axum::Json(event)
}

struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn idp(&self, op: &str, body: Value) -> Result<Value> {
        let resp = self
            .http
            .post(&self.url)
            .header("X-Amz-Target", format!("{IDP}{op}"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(serde_json::to_vec(&body)?)
            .send()
            .await
            .with_context(|| format!("{op}: transport"))?;
        let status = resp.status().as_u16();
        let v: Value = serde_json::from_slice(&resp.bytes().await?).unwrap_or(Value::Null);
        if status != 200 {
            bail!("{op}: HTTP {status}: {v}");
        }
        Ok(v)
    }

    /// A pool (with `lambda_config`), a client, and one confirmed user; returns the client id.
    async fn pool(&self, name: &str, lambda_config: Value) -> Result<String> {
        let p = self
            .idp(
                "CreateUserPool",
                json!({"PoolName": name, "LambdaConfig": lambda_config}),
            )
            .await?;
        let pool = p["UserPool"]["Id"].as_str().context("pool id")?.to_owned();
        let flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
        let c = self
            .idp(
                "CreateUserPoolClient",
                json!({"UserPoolId": pool, "ClientName": name, "ExplicitAuthFlows": flows}),
            )
            .await?;
        let client = c["UserPoolClient"]["ClientId"]
            .as_str()
            .context("client id")?
            .to_owned();
        let user = json!({"UserPoolId": pool, "Username": "bench-user", "TemporaryPassword": PASSWORD, "MessageAction": "SUPPRESS"});
        self.idp("AdminCreateUser", user).await?;
        let set = json!({"UserPoolId": pool, "Username": "bench-user", "Password": PASSWORD, "Permanent": true});
        self.idp("AdminSetUserPassword", set).await?;
        Ok(client)
    }

    async fn sign_in(&self, client: &str) -> Result<Value> {
        let params = json!({"USERNAME": "bench-user", "PASSWORD": PASSWORD});
        let body =
            json!({"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": params});
        self.idp("InitiateAuth", body).await
    }

    async fn refresh(&self, client: &str, token: &str) -> Result<Value> {
        let params = json!({"REFRESH_TOKEN": token});
        let body =
            json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": params});
        self.idp("InitiateAuth", body).await
    }
}

fn p50(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples
        .get(samples.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or_default()
}

fn report(what: &str, mut plain: Vec<Duration>, mut triggered: Vec<Duration>, calls: u32) {
    let (a, b) = (p50(&mut plain), p50(&mut triggered));
    let added = b.as_secs_f64() - a.as_secs_f64();
    println!(
        "{what:<18} n={:<5} p50 no trigger {:>7.3} ms   with trigger(s) {:>7.3} ms   added {:>6.3} ms ({} call{}, {:.3} ms each)",
        plain.len(),
        a.as_secs_f64() * 1e3,
        b.as_secs_f64() * 1e3,
        added * 1e3,
        calls,
        if calls == 1 { "" } else { "s" },
        added * 1e3 / f64::from(calls),
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let trigger_url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move {
        let app = axum::Router::new().route("/", post(trigger));
        let _ = axum::serve(listener, app).await;
    });
    let server = latchkey_server::spawn(ServerOptions::in_memory()).await?;
    let c = Client {
        http: reqwest::Client::new(),
        url: server.url.clone(),
    };
    let plain = c.pool("plain", json!({})).await?;
    let config = json!({
        "PreAuthentication": trigger_url,
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": trigger_url},
    });
    let triggered = c.pool("triggered", config).await?;

    let (mut sign_a, mut sign_b) = (Vec::new(), Vec::new());
    let mut tokens = Vec::new();
    for i in 0..args.sign_ins + 2 {
        for (client, out) in [(&plain, &mut sign_a), (&triggered, &mut sign_b)] {
            let started = Instant::now();
            let r = c.sign_in(client).await?;
            // The first two rounds warm the connections, keys and caches.
            if i >= 2 {
                out.push(started.elapsed());
            }
            if i == 0 {
                let t = r["AuthenticationResult"]["RefreshToken"].as_str();
                tokens.push(t.context("refresh token")?.to_owned());
            }
        }
    }
    let (mut ref_a, mut ref_b) = (Vec::new(), Vec::new());
    for _ in 0..args.refreshes {
        for ((client, token), out) in [(&plain, &tokens[0]), (&triggered, &tokens[1])]
            .into_iter()
            .zip([&mut ref_a, &mut ref_b])
        {
            let started = Instant::now();
            c.refresh(client, token).await?;
            out.push(started.elapsed());
        }
    }
    println!(
        "trigger overhead, HTTP trigger on loopback (one request at a time, pools alternating)"
    );
    report("sign-in", sign_a, sign_b, 2);
    report("token generation", ref_a, ref_b, 1);
    server.shutdown().await;
    Ok(())
}
