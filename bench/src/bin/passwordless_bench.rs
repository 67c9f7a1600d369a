//! Passwordless sign-in benchmark (figures only, nothing asserted): USER_AUTH with a one-time
//! code by email (both steps: InitiateAuth sends the code, RespondToAuthChallenge redeems it;
//! the code is read from the server's outbox between them, as a user reads their mail) and
//! with a passkey (both steps: InitiateAuth answers WEB_AUTHN with the request options, a
//! software authenticator signs them, RespondToAuthChallenge verifies the assertion), beside
//! USER_PASSWORD_AUTH (one argon2 verify each) on the same server, in alternating rounds so
//! each sees the same machine load.
//!
//! Run: `cargo run --release -p latchkey-bench --bin passwordless_bench` (an in-process server
//! on the in-memory store; `--otp`, `--passwords`, `--rounds`, `--concurrency`).

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
mod load;

#[path = "../soft_passkey.rs"]
mod soft_passkey;

use anyhow::{Context, Result};
use clap::Parser;
use latchkey_server::ServerOptions;
use load::{call, loadavg, peak_rss_mib, print, run};
use serde_json::{json, Value};
use soft_passkey::SoftPasskey;
use std::sync::Arc;
use std::time::Instant;

const PASSWORD: &str = "Bench-Passw0rd!";
/// Where the software authenticator's ceremonies come from (a local app, RP id `localhost`).
const ORIGIN: &str = "http://localhost:3000";
/// Sign-in codes one user may ask for an hour (Latchkey's limit): each user serves this many
/// code sign-ins.
const CODES_PER_USER: usize = 5;

#[derive(Parser, Debug)]
#[command(about = "EMAIL_OTP sign-ins per second beside USER_PASSWORD_AUTH")]
struct Args {
    /// EMAIL_OTP sign-ins per round.
    #[arg(long, default_value_t = 500)]
    otp: usize,
    /// USER_PASSWORD_AUTH sign-ins per round.
    #[arg(long, default_value_t = 300)]
    passwords: usize,
    /// Passkey sign-ins per round.
    #[arg(long, default_value_t = 3000)]
    passkeys: usize,
    /// Rounds, alternating.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

struct Bench {
    base: String,
    http: reqwest::Client,
    pool: String,
    client: String,
    /// One passkey per user of the passkey phase (`user{i}` holds `passkeys[i]`).
    passkeys: Vec<SoftPasskey>,
}

impl Bench {
    async fn setup(
        base: String,
        users: usize,
        with_passkeys: usize,
        concurrency: usize,
    ) -> Result<Arc<Self>> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()?;
        let pool = call(
            &http,
            &base,
            "CreateUserPool",
            json!({"PoolName": "passwordless-bench",
                   "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP", "WEB_AUTHN"]}}}),
        )
        .await?;
        let pool = pool["UserPool"]["Id"]
            .as_str()
            .context("pool id")?
            .to_string();
        let client = call(
            &http,
            &base,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "bench",
                   "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await?;
        let client = client["UserPoolClient"]["ClientId"]
            .as_str()
            .context("client id")?
            .to_string();
        call(
            &http,
            &base,
            "SetUserPoolMfaConfig",
            json!({"UserPoolId": pool, "MfaConfiguration": "OFF",
                   "WebAuthnConfiguration": {"RelyingPartyId": "localhost", "UserVerification": "preferred"}}),
        )
        .await?;
        let passkeys = (0..with_passkeys)
            .map(|_| SoftPasskey::new(ORIGIN))
            .collect::<Result<_>>()?;
        let bench = Arc::new(Self {
            base,
            http,
            pool,
            client,
            passkeys,
        });
        let b = bench.clone();
        run(users, concurrency, move |i| {
            let b = b.clone();
            async move { b.create_user(i).await }
        })
        .await?;
        let b = bench.clone();
        run(with_passkeys, concurrency, move |i| {
            let b = b.clone();
            async move { b.register_passkey(i).await }
        })
        .await?;
        Ok(bench)
    }

    /// Signs `user{i}` in with the password and registers `passkeys[i]` for them.
    async fn register_passkey(&self, i: usize) -> Result<()> {
        let signed_in = call(
            &self.http,
            &self.base,
            "InitiateAuth",
            json!({"ClientId": self.client, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": format!("user{i}"), "PASSWORD": PASSWORD}}),
        )
        .await?;
        let access = signed_in["AuthenticationResult"]["AccessToken"]
            .as_str()
            .context("access token")?;
        let started = call(
            &self.http,
            &self.base,
            "StartWebAuthnRegistration",
            json!({"AccessToken": access}),
        )
        .await?;
        let credential = self.passkeys[i].register(&started["CredentialCreationOptions"])?;
        call(
            &self.http,
            &self.base,
            "CompleteWebAuthnRegistration",
            json!({"AccessToken": access, "Credential": credential}),
        )
        .await?;
        Ok(())
    }

    /// USER_AUTH WEB_AUTHN, both steps, the assertion made by the user's software passkey.
    async fn passkey(&self, user: usize) -> Result<()> {
        let name = format!("user{user}");
        let started = self.start(&name, "WEB_AUTHN").await?;
        let session = started["Session"].as_str().context("Session")?;
        let options: Value = serde_json::from_str(
            started["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]
                .as_str()
                .context("CREDENTIAL_REQUEST_OPTIONS")?,
        )?;
        let credential = self.passkeys[user].assert(&options)?;
        self.answer(&name, "WEB_AUTHN", session, ("CREDENTIAL", &credential))
            .await
    }

    async fn create_user(&self, i: usize) -> Result<()> {
        let name = format!("user{i}");
        call(
            &self.http,
            &self.base,
            "AdminCreateUser",
            json!({"UserPoolId": self.pool, "Username": name, "MessageAction": "SUPPRESS",
                   "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")},
                                      {"Name": "email_verified", "Value": "true"}]}),
        )
        .await?;
        call(
            &self.http,
            &self.base,
            "AdminSetUserPassword",
            json!({"UserPoolId": self.pool, "Username": name, "Password": PASSWORD, "Permanent": true}),
        )
        .await?;
        Ok(())
    }

    /// InitiateAuth USER_AUTH for `name` with PREFERRED_CHALLENGE `challenge`.
    async fn start(&self, name: &str, challenge: &str) -> Result<Value> {
        call(
            &self.http,
            &self.base,
            "InitiateAuth",
            json!({"ClientId": self.client, "AuthFlow": "USER_AUTH",
                   "AuthParameters": {"USERNAME": name, "PREFERRED_CHALLENGE": challenge}}),
        )
        .await
    }

    /// RespondToAuthChallenge `challenge` with one answer; tokens expected.
    async fn answer(
        &self,
        name: &str,
        challenge: &str,
        session: &str,
        (key, value): (&str, &str),
    ) -> Result<()> {
        let done = call(
            &self.http,
            &self.base,
            "RespondToAuthChallenge",
            json!({"ClientId": self.client, "ChallengeName": challenge, "Session": session,
                   "ChallengeResponses": {"USERNAME": name, key: value}}),
        )
        .await?;
        done["AuthenticationResult"]["AccessToken"]
            .as_str()
            .context("tokens")?;
        Ok(())
    }

    /// USER_AUTH EMAIL_OTP, both steps, with the code read from the outbox between them.
    async fn email_otp(&self, user: usize) -> Result<()> {
        let name = format!("user{user}");
        let started = self.start(&name, "EMAIL_OTP").await?;
        let session = started["Session"].as_str().context("Session")?;
        let outbox: Value = self
            .http
            .get(format!("{}/_latchkey/outbox", self.base))
            .query(&[("userPoolId", self.pool.as_str()), ("username", &name)])
            .send()
            .await?
            .json()
            .await?;
        let code = outbox["Messages"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["Purpose"] == "SignInEmail"))
            .and_then(|m| m["Code"].as_str())
            .context("the sign-in code in the outbox")?;
        self.answer(&name, "EMAIL_OTP", session, ("EMAIL_OTP_CODE", code))
            .await
    }

    async fn password(&self, user: usize) -> Result<()> {
        call(
            &self.http,
            &self.base,
            "InitiateAuth",
            json!({"ClientId": self.client, "AuthFlow": "USER_PASSWORD_AUTH",
                   "AuthParameters": {"USERNAME": format!("user{user}"), "PASSWORD": PASSWORD}}),
        )
        .await?
        .get("AuthenticationResult")
        .context("tokens")?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let users = (args.otp * args.rounds)
        .div_ceil(CODES_PER_USER)
        .max(args.concurrency * 2);
    let server = latchkey_server::spawn(ServerOptions::in_memory()).await?;
    let setup = Instant::now();
    // Sign-ins in flight together must not share a passkey: its sign counter moves on with
    // each assertion, and one that arrives after a later one looks like a cloned authenticator.
    let with_passkeys = (args.concurrency * 8).min(users);
    let bench = Bench::setup(server.url.clone(), users, with_passkeys, args.concurrency).await?;
    println!(
        "in-process server on the in-memory store; {} in flight; {users} users ({with_passkeys} \
         with a passkey) made in {:.1} s; load average before: {}",
        args.concurrency,
        setup.elapsed().as_secs_f64(),
        loadavg()
    );
    for round in 0..args.rounds {
        let b = bench.clone();
        let (first, count) = (round * args.otp, args.otp);
        let otp = run(count, args.concurrency, move |i| {
            let b = b.clone();
            // Neighbouring sign-ins (in flight together) go to different users: a user's new
            // code supersedes the one before it.
            async move { b.email_otp((first + i) % users).await }
        })
        .await?;
        print(
            &format!("round {}: EMAIL_OTP (both steps)", round + 1),
            &otp,
        );
        let b = bench.clone();
        let pw = run(args.passwords, args.concurrency, move |i| {
            let b = b.clone();
            async move { b.password(i % users).await }
        })
        .await?;
        print(&format!("round {}: USER_PASSWORD_AUTH", round + 1), &pw);
        let b = bench.clone();
        let pk = run(args.passkeys, args.concurrency, move |i| {
            let b = b.clone();
            async move { b.passkey(i % with_passkeys).await }
        })
        .await?;
        print(&format!("round {}: WEB_AUTHN (both steps)", round + 1), &pk);
    }
    println!(
        "peak RSS of the process (server and load): {:.1} MiB; load average after: {}",
        peak_rss_mib(),
        loadavg()
    );
    server.shutdown().await;
    Ok(())
}
