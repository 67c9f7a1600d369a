//! SRP sign-in benchmark (figures only, nothing asserted).
//!
//! Spawns an in-memory server in this process, then measures:
//! - full USER_SRP_AUTH sign-ins per second (InitiateAuth + RespondToAuthChallenge
//!   PASSWORD_VERIFIER, with the client math of `latchkey::userpool::srp::{client_a,
//!   client_signature}`), `--concurrency` at once, beside USER_PASSWORD_AUTH sign-ins per
//!   second on the same users;
//! - the server-side cost of each SRP step in µs (`server_challenge` and `verify_claim`
//!   called in-process, median of `--samples`), the client-side cost of each client step, and
//!   one argon2 verify (what USER_PASSWORD_AUTH pays) for scale.
//!
//! The client math and the server share this machine's cores, so the sign-in rates are a
//! floor for the server alone; the per-step costs say how much of a sign-in each side spends.
//!
//!     cargo run --release -p latchkey-bench --bin srp_bench [-- --concurrency 16 --seconds 10]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{bail, Context, Result};
use clap::Parser;
use latchkey::random::Csprng;
use latchkey::userpool::password::{hash_password, verify_password};
use latchkey::userpool::srp::{
    client_a, client_signature, cognito_timestamp, make_verifier, server_challenge, verify_claim,
};
use latchkey_server::ServerOptions;
use serde_json::{json, Value};
use tokio::task::JoinSet;

const PASSWORD: &str = "Bench-Passw0rd!";
const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";

#[derive(Parser, Debug)]
#[command(about = "USER_SRP_AUTH vs USER_PASSWORD_AUTH sign-ins per second, and SRP step costs")]
struct Args {
    /// Sign-ins in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds per timed sign-in phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Users signed in round-robin.
    #[arg(long, default_value_t = 32)]
    users: usize,
    /// Samples per in-process step measurement.
    #[arg(long, default_value_t = 200)]
    samples: usize,
}

/// One JSON-protocol call; `Ok` only on HTTP 200.
async fn call(http: &reqwest::Client, url: &str, op: &str, body: &Value) -> Result<Value> {
    let resp = http
        .post(url)
        .header("X-Amz-Target", format!("{TARGET_PREFIX}{op}"))
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(serde_json::to_vec(body)?)
        .send()
        .await
        .with_context(|| format!("{op}: transport"))?;
    let status = resp.status();
    let v: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("{op}: HTTP {status}: {v}");
    }
    Ok(v)
}

fn tokens_present(v: &Value) -> Result<()> {
    match v["AuthenticationResult"]["AccessToken"].as_str() {
        Some(t) if !t.is_empty() => Ok(()),
        _ => bail!("no tokens: {v}"),
    }
}

struct Ctx {
    http: reqwest::Client,
    url: String,
    pool_id: String,
    client_id: String,
    users: Vec<String>,
}

/// USER_PASSWORD_AUTH: one request.
async fn password_sign_in(ctx: &Ctx, user: &str) -> Result<()> {
    let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": ctx.client_id,
        "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}});
    tokens_present(&call(&ctx.http, &ctx.url, "InitiateAuth", &body).await?)
}

/// USER_SRP_AUTH: InitiateAuth, then PASSWORD_VERIFIER; the client math runs off the runtime.
async fn srp_sign_in(ctx: &Ctx, user: &str) -> Result<()> {
    let pair = tokio::task::spawn_blocking(|| client_a(&Csprng)).await?;
    let body = json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": ctx.client_id,
        "AuthParameters": {"USERNAME": user, "SRP_A": pair.big_a_hex}});
    let ch = call(&ctx.http, &ctx.url, "InitiateAuth", &body).await?;
    let p = &ch["ChallengeParameters"];
    let field = |k: &str| p[k].as_str().map(str::to_owned).context(k.to_owned());
    let (user_id, salt, big_b, block) = (
        field("USER_ID_FOR_SRP")?,
        field("SALT")?,
        field("SRP_B")?,
        field("SECRET_BLOCK")?,
    );
    let pool_name = ctx.pool_id.split_once('_').context("pool id")?.1.to_owned();
    let timestamp = cognito_timestamp(SystemTime::now());
    let (uid, ts, blk) = (user_id.clone(), timestamp.clone(), block.clone());
    let signature = tokio::task::spawn_blocking(move || {
        client_signature(&pair, &pool_name, &uid, PASSWORD, &salt, &big_b, &blk, &ts)
    })
    .await?
    .context("malformed PASSWORD_VERIFIER challenge")?;
    let body = json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": ctx.client_id,
        "ChallengeResponses": {"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": block,
            "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": timestamp}});
    tokens_present(&call(&ctx.http, &ctx.url, "RespondToAuthChallenge", &body).await?)
}

#[derive(Clone, Copy, PartialEq)]
enum Flow {
    Password,
    Srp,
}

/// Runs `concurrency` workers for `seconds`; prints ops/s and latency percentiles.
async fn phase(ctx: Arc<Ctx>, flow: Flow, args: &Args) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut set = JoinSet::new();
    for w in 0..args.concurrency {
        let ctx = ctx.clone();
        set.spawn(async move {
            let (mut lat, mut errors, mut i) = (Vec::new(), Vec::new(), w);
            while Instant::now() < deadline {
                let user = ctx.users[i % ctx.users.len()].clone();
                i += ctx.users.len().max(1) / 2 + 1;
                let t0 = Instant::now();
                let r = match flow {
                    Flow::Password => password_sign_in(&ctx, &user).await,
                    Flow::Srp => srp_sign_in(&ctx, &user).await,
                };
                match r {
                    Ok(()) => lat.push(t0.elapsed()),
                    Err(e) => errors.push(format!("{e:#}")),
                }
            }
            (lat, errors)
        });
    }
    let (mut lat, mut errors) = (Vec::new(), Vec::new());
    while let Some(r) = set.join_next().await {
        let (l, e) = r?;
        lat.extend(l);
        errors.extend(e);
    }
    let elapsed = started.elapsed().as_secs_f64();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let rate = lat.len() as f64 / elapsed;
    let name = match flow {
        Flow::Password => "USER_PASSWORD_AUTH (1 request)",
        Flow::Srp => "USER_SRP_AUTH (2 requests)",
    };
    println!(
        "| {name} | {rate:.1} | {:.1} | {:.1} | {} | {} |",
        pct(0.5),
        pct(0.99),
        lat.len(),
        errors.len()
    );
    if let Some(e) = errors.first() {
        println!("  first error: {e}");
    }
    Ok(rate)
}

fn median_us(samples: &mut [Duration]) -> f64 {
    samples.sort_unstable();
    samples[samples.len() / 2].as_secs_f64() * 1e6
}

/// Times `f` `n` times; median µs.
fn time_each(n: usize, mut f: impl FnMut(usize)) -> f64 {
    let mut samples: Vec<Duration> = (0..n)
        .map(|i| {
            let t0 = Instant::now();
            f(i);
            t0.elapsed()
        })
        .collect();
    median_us(&mut samples)
}

/// In-process costs of each SRP step (server and client) and of one argon2 verify.
fn step_costs(samples: usize) -> Result<()> {
    let (pool_name, user_id) = ("AbC12dEf3", "0c9a6f5e-3b1d-4e8a-9d2f-6b7c8a9e0f11");
    let rng = Csprng;
    let verifier = make_verifier(pool_name, user_id, PASSWORD, &rng);
    let block = "c2VhbGVkLXNlY3JldC1ibG9jay1zdGFuZC1pbg==";
    let timestamp = cognito_timestamp(SystemTime::now());

    let make_v = time_each(samples.min(50), |_| {
        std::hint::black_box(make_verifier(pool_name, user_id, PASSWORD, &rng));
    });
    let challenge = time_each(samples, |_| {
        std::hint::black_box(server_challenge(&verifier, &rng));
    });
    // Inputs for verify_claim, made untimed; the client steps are timed while making them.
    let (mut a_times, mut sig_times, mut cases) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let t0 = Instant::now();
        let pair = client_a(&rng);
        a_times.push(t0.elapsed());
        let ch = server_challenge(&verifier, &rng);
        let t0 = Instant::now();
        let sig = client_signature(
            &pair,
            pool_name,
            user_id,
            PASSWORD,
            &verifier.salt_hex,
            &ch.big_b_hex,
            block,
            &timestamp,
        )
        .context("client signature")?;
        sig_times.push(t0.elapsed());
        cases.push((pair.big_a_hex, ch, sig));
    }
    let mut all_ok = true;
    let verify = time_each(samples, |i| {
        let (a_hex, ch, sig) = &cases[i];
        all_ok &= verify_claim(
            pool_name,
            user_id,
            &verifier,
            a_hex,
            ch.b.expose(),
            &ch.big_b_hex,
            block,
            &timestamp,
            sig,
        );
    });
    if !all_ok {
        bail!("verify_claim refused a correct signature");
    }
    let phc = hash_password(PASSWORD)?;
    let argon2 = time_each(samples.clamp(1, 20), |_| {
        std::hint::black_box(verify_password(PASSWORD, &phc));
    });

    println!("\n| step (in-process, median of {samples}) | µs |");
    println!("|---|---:|");
    println!("| server: server_challenge (B = kv + g^b), InitiateAuth | {challenge:.0} |");
    println!("| server: verify_claim (S, HKDF, HMAC), PASSWORD_VERIFIER | {verify:.0} |");
    println!("| server: both SRP steps | {:.0} |", challenge + verify);
    println!("| server: make_verifier (at every password set) | {make_v:.0} |");
    println!("| server: argon2 verify_password (USER_PASSWORD_AUTH) | {argon2:.0} |");
    println!(
        "| client: client_a (A = g^a) | {:.0} |",
        median_us(&mut a_times)
    );
    println!(
        "| client: client_signature (x, S, HKDF, HMAC) | {:.0} |",
        median_us(&mut sig_times)
    );
    Ok(())
}

async fn setup(args: &Args, url: &str, pool_id: &str, client_id: &str) -> Result<Ctx> {
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(args.concurrency.max(1))
        .timeout(Duration::from_secs(60))
        .build()?;
    let endpoint = format!("{url}/");
    let mut users = Vec::new();
    for i in 0..args.users.max(1) {
        let user = format!("srp-bench-{i}");
        let body = json!({"UserPoolId": pool_id, "Username": user, "MessageAction": "SUPPRESS"});
        call(&http, &endpoint, "AdminCreateUser", &body).await?;
        let body = json!({"UserPoolId": pool_id, "Username": user, "Password": PASSWORD,
            "Permanent": true});
        call(&http, &endpoint, "AdminSetUserPassword", &body).await?;
        users.push(user);
    }
    Ok(Ctx {
        http,
        url: endpoint,
        pool_id: pool_id.to_owned(),
        client_id: client_id.to_owned(),
        users,
    })
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let server = latchkey_server::spawn(ServerOptions::in_memory()).await?;
    println!(
        "srp_bench: in-process server {} ({} cores shared by server and client), concurrency {}, \
         {} s per phase, {} users",
        server.url, cores, args.concurrency, args.seconds, args.users
    );
    let ctx = Arc::new(
        setup(
            &args,
            &server.url,
            &server.default_pool_id,
            &server.default_client_id,
        )
        .await?,
    );
    // Warm-up: both flows once per user (connections, caches), and a correctness check.
    for user in &ctx.users {
        srp_sign_in(&ctx, user).await.context("SRP warm-up")?;
        password_sign_in(&ctx, user)
            .await
            .context("password warm-up")?;
    }

    println!("\n| sign-in flow | sign-ins/s | p50 ms | p99 ms | ok | errors |");
    println!("|---|---:|---:|---:|---:|---:|");
    let srp = phase(ctx.clone(), Flow::Srp, &args).await?;
    let pw = phase(ctx.clone(), Flow::Password, &args).await?;
    println!(
        "SRP / USER_PASSWORD_AUTH rate: {:.2}x",
        srp / pw.max(f64::MIN_POSITIVE)
    );

    let samples = args.samples.max(1);
    tokio::task::spawn_blocking(move || step_costs(samples)).await??;
    server.shutdown().await;
    Ok(())
}
