//! Timing side channel check for PreventUserExistenceErrors=ENABLED: does a sign-in with an
//! unknown username take as long as one with a known username and a wrong password?
//!
//! Spawns an in-memory server, creates a pool, a client with PreventUserExistenceErrors=ENABLED
//! and enough confirmed users that no user reaches the lockout threshold (4 wrong attempts
//! each, lockout starts at 5), then alternates N sign-ins of each kind, sequentially, and
//! prints the median latency of each and the ratio unknown / wrong (target 0.9–1.1).
//! Then the same for a locked-out user beside a locked-out unknown name. A measurement, never
//! an assertion.
//!
//! `cargo run --release -p latchkey-bench --bin existence_timing [N]` (N defaults to 200).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const PASSWORD: &str = "Correct-Horse-9";
const WRONG: &str = "Wrong-Horse-9";
/// Wrong attempts per known user: below the lockout threshold of 5.
const ATTEMPTS_PER_USER: usize = 4;
const WARMUP: usize = 10;

struct Api {
    http: reqwest::Client,
    endpoint: String,
}

impl Api {
    /// One operation; returns HTTP status and JSON body.
    async fn call(&self, op: &str, body: &Value) -> Result<(u16, Value)> {
        let resp = self
            .http
            .post(&self.endpoint)
            .header("X-Amz-Target", format!("{TARGET_PREFIX}{op}"))
            .header("Content-Type", "application/x-amz-json-1.1")
            .body(serde_json::to_vec(body)?)
            .send()
            .await
            .with_context(|| format!("{op}: transport"))?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// One operation that must succeed.
    async fn ok(&self, op: &str, body: &Value) -> Result<Value> {
        let (status, value) = self.call(op, body).await?;
        if status != 200 {
            bail!("{op} answered {status}: {value}");
        }
        Ok(value)
    }

    /// A failed USER_PASSWORD_AUTH sign-in; its latency. The answer must be the hidden one.
    async fn failed_sign_in(&self, client: &str, username: &str) -> Result<Duration> {
        let (took, locked) = self.refused_sign_in(client, username).await?;
        if locked {
            bail!("sign-in of {username} was refused as locked out");
        }
        Ok(took)
    }

    /// A refused USER_PASSWORD_AUTH sign-in: its latency and whether it was a lockout
    /// ("Password attempts exceeded") rather than "Incorrect username or password.".
    async fn refused_sign_in(&self, client: &str, username: &str) -> Result<(Duration, bool)> {
        let body = json!({
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": client,
            "AuthParameters": { "USERNAME": username, "PASSWORD": WRONG },
        });
        let start = Instant::now();
        let (status, value) = self.call("InitiateAuth", &body).await?;
        let took = start.elapsed();
        let locked = value["message"] == "Password attempts exceeded";
        let expected = value["__type"] == "NotAuthorizedException"
            && (locked || value["message"] == "Incorrect username or password.");
        if status != 400 || !expected {
            bail!("sign-in of {username} answered {status}: {value}");
        }
        Ok((took, locked))
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<()> {
    let n: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse().context("N must be a number")?,
        None => 200,
    };
    let server = latchkey_server::spawn(latchkey_server::ServerOptions::in_memory()).await?;
    let api = Api {
        http: reqwest::Client::builder().no_proxy().build()?,
        endpoint: format!("{}/", server.url),
    };

    let pool = api
        .ok("CreateUserPool", &json!({ "PoolName": "timing" }))
        .await?["UserPool"]["Id"]
        .as_str()
        .context("pool Id")?
        .to_owned();
    let client_body = json!({
        "UserPoolId": pool,
        "ClientName": "timing",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
    });
    let client = api.ok("CreateUserPoolClient", &client_body).await?["UserPoolClient"]["ClientId"]
        .as_str()
        .context("ClientId")?
        .to_owned();

    let users = (n + WARMUP).div_ceil(ATTEMPTS_PER_USER);
    eprintln!("creating {users} confirmed users...");
    for i in 0..users {
        let username = format!("known-{i}");
        let create = json!({
            "UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS",
            "TemporaryPassword": PASSWORD,
        });
        api.ok("AdminCreateUser", &create).await?;
        let set = json!({
            "UserPoolId": pool, "Username": username, "Password": PASSWORD, "Permanent": true,
        });
        api.ok("AdminSetUserPassword", &set).await?;
    }

    let (mut unknown, mut wrong) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..(n + WARMUP) {
        let known = format!("known-{}", i / ATTEMPTS_PER_USER);
        let ghost = format!("ghost-{i}");
        // Alternate which kind goes first, so neither always follows the other.
        let (u, w) = if i % 2 == 0 {
            let u = api.failed_sign_in(&client, &ghost).await?;
            (u, api.failed_sign_in(&client, &known).await?)
        } else {
            let w = api.failed_sign_in(&client, &known).await?;
            (api.failed_sign_in(&client, &ghost).await?, w)
        };
        if i >= WARMUP {
            unknown.push(u);
            wrong.push(w);
        }
    }

    let (mu, mw) = (median(unknown), median(wrong));
    println!("existence timing: {n} sign-ins of each kind (after {WARMUP} warm-up pairs)");
    println!("  unknown username         median {:8.3} ms", ms(mu));
    println!("  known user, wrong pw     median {:8.3} ms", ms(mw));
    println!(
        "  ratio unknown / wrong    {:.3}   (target 0.9-1.1)",
        mu.as_secs_f64() / mw.as_secs_f64()
    );
    locked_out(&api, &client, &pool, n.min(100)).await?;
    server.shutdown().await;
    Ok(())
}

/// A locked-out user beside a locked-out unknown name: after six wrong passwords each, `n`
/// more alternating refusals. Both answer the same ("Password attempts exceeded" while
/// locked, "Incorrect..." whenever the lock has run out) and cost a hash either way.
async fn locked_out(api: &Api, client: &str, pool: &str, n: usize) -> Result<()> {
    let create = json!({
        "UserPoolId": pool, "Username": "locked-user", "MessageAction": "SUPPRESS",
        "TemporaryPassword": PASSWORD,
    });
    api.ok("AdminCreateUser", &create).await?;
    let set = json!({
        "UserPoolId": pool, "Username": "locked-user", "Password": PASSWORD, "Permanent": true,
    });
    api.ok("AdminSetUserPassword", &set).await?;
    for _ in 0..6 {
        api.refused_sign_in(client, "locked-user").await?;
        api.refused_sign_in(client, "locked-ghost").await?;
    }
    let (mut user, mut ghost) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut user_locked, mut ghost_locked) = (0, 0);
    for i in 0..n {
        let (a, b) = if i % 2 == 0 {
            let a = api.refused_sign_in(client, "locked-user").await?;
            (a, api.refused_sign_in(client, "locked-ghost").await?)
        } else {
            let b = api.refused_sign_in(client, "locked-ghost").await?;
            (api.refused_sign_in(client, "locked-user").await?, b)
        };
        user.push(a.0);
        ghost.push(b.0);
        user_locked += usize::from(a.1);
        ghost_locked += usize::from(b.1);
    }
    let (mu, mg) = (median(user), median(ghost));
    println!("locked out: {n} refusals of each after six wrong passwords");
    println!(
        "  locked user              median {:8.3} ms  ({user_locked} answered 'Password attempts exceeded')",
        ms(mu)
    );
    println!(
        "  locked unknown name      median {:8.3} ms  ({ghost_locked} answered 'Password attempts exceeded')",
        ms(mg)
    );
    println!(
        "  ratio unknown / user     {:.3}",
        mg.as_secs_f64() / mu.as_secs_f64()
    );
    Ok(())
}
