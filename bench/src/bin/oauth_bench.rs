//! OAuth benchmark (figures only, nothing asserted): authorization-code flows end to end
//! (authorize → login form → login POST → code exchange with PKCE, as a browser and a relying
//! party make them), client_credentials tokens, and REFRESH_TOKEN_AUTH on the same server, in
//! alternating rounds so each sees the same machine load.
//!
//! Run: `cargo run --release -p latchkey-bench --bin oauth_bench` (an in-process server on
//! the in-memory store; add `--flows`, `--tokens`, `--concurrency`).

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
mod load;

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use clap::Parser;
use latchkey_server::ServerOptions;
use load::{call, loadavg, peak_rss_mib, print, run};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::Arc;

const PASSWORD: &str = "Bench-Passw0rd!";
const CALLBACK: &str = "http://localhost:3000/callback";

#[derive(Parser, Debug)]
#[command(about = "Authorization-code flows, client_credentials and refresh per second")]
struct Args {
    /// Authorization-code flows (each: authorize, login page, login POST, token).
    #[arg(long, default_value_t = 400)]
    flows: usize,
    /// Token requests per round of client_credentials and of refresh.
    #[arg(long, default_value_t = 2000)]
    tokens: usize,
    /// Rounds of client_credentials / refresh, alternating.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
}

struct Bench {
    base: String,
    http: reqwest::Client,
    code_client: String,
    m2m_client: String,
    m2m_secret: String,
    api_client: String,
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        s.push_str(k);
        s.push('=');
        for b in v.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    s.push(b as char)
                }
                _ => s.push_str(&format!("%{b:02X}")),
            }
        }
    }
    s
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

impl Bench {
    async fn setup(base: String) -> Result<Self> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(64)
            .build()?;
        let pool = call(
            &http,
            &base,
            "CreateUserPool",
            json!({"PoolName": "oauth-bench"}),
        )
        .await?;
        let pool = pool["UserPool"]["Id"]
            .as_str()
            .context("pool id")?
            .to_string();
        call(
            &http,
            &base,
            "CreateResourceServer",
            json!({"UserPoolId": pool, "Identifier": "api", "Name": "API",
                   "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}]}),
        )
        .await?;
        let code = call(
            &http,
            &base,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "web", "AllowedOAuthFlowsUserPoolClient": true,
                   "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
                   "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": ["COGNITO"],
                   "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await?;
        let m2m = call(
            &http,
            &base,
            "CreateUserPoolClient",
            json!({"UserPoolId": pool, "ClientName": "m2m", "GenerateSecret": true,
                   "AllowedOAuthFlowsUserPoolClient": true, "AllowedOAuthFlows": ["client_credentials"],
                   "AllowedOAuthScopes": ["api/read"]}),
        )
        .await?;
        call(
            &http,
            &base,
            "AdminCreateUser",
            json!({"UserPoolId": pool, "Username": "bench", "MessageAction": "SUPPRESS"}),
        )
        .await?;
        call(
            &http,
            &base,
            "AdminSetUserPassword",
            json!({"UserPoolId": pool, "Username": "bench", "Password": PASSWORD, "Permanent": true}),
        )
        .await?;
        let id = |v: &Value, k: &str| -> Result<String> {
            Ok(v["UserPoolClient"][k]
                .as_str()
                .context("client member")?
                .to_string())
        };
        Ok(Self {
            code_client: id(&code, "ClientId")?,
            m2m_client: id(&m2m, "ClientId")?,
            m2m_secret: id(&m2m, "ClientSecret")?,
            api_client: id(&code, "ClientId")?,
            base,
            http,
        })
    }

    /// One authorization-code flow with PKCE, as a browser and a relying party make it.
    async fn code_flow(&self, n: usize) -> Result<()> {
        let verifier = format!("bench-verifier-{n:08}-{}", "x".repeat(32));
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let query = form(&[
            ("response_type", "code"),
            ("client_id", &self.code_client),
            ("redirect_uri", CALLBACK),
            ("scope", "openid email"),
            ("state", "s"),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ]);
        let authorize = self
            .http
            .get(format!("{}/oauth2/authorize?{query}", self.base))
            .send()
            .await?;
        let login = authorize
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .context("authorize redirects")?
            .to_string();
        let page = self
            .http
            .get(format!("{}{login}", self.base))
            .send()
            .await?;
        let cookie = page
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|c| c.to_str().ok())
            .find(|c| c.starts_with("XSRF-TOKEN="))
            .and_then(|c| c.split(';').next())
            .context("CSRF cookie")?
            .to_string();
        let html = page.text().await?;
        let csrf = between(&html, "name=\"_csrf\" value=\"", "\"").context("CSRF field")?;
        let posted = self
            .http
            .post(format!("{}{login}", self.base))
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("_csrf", csrf),
                ("username", "bench"),
                ("password", PASSWORD),
            ]))
            .send()
            .await?;
        let back = posted
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .context("login redirects")?
            .to_string();
        let code = between(&format!("{back}&"), "code=", "&")
            .context("code")?
            .to_string();
        let tokens = self
            .http
            .post(format!("{}/oauth2/token", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("grant_type", "authorization_code"),
                ("client_id", &self.code_client),
                ("code", &code),
                ("redirect_uri", CALLBACK),
                ("code_verifier", &verifier),
            ]))
            .send()
            .await?;
        if !tokens.status().is_success() {
            bail!("token: {}", tokens.text().await?);
        }
        Ok(())
    }

    async fn client_credentials(&self) -> Result<()> {
        let basic = STANDARD.encode(format!("{}:{}", self.m2m_client, self.m2m_secret));
        let resp = self
            .http
            .post(format!("{}/oauth2/token", self.base))
            .header("authorization", format!("Basic {basic}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=api%2Fread")
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("client_credentials: {}", resp.text().await?);
        }
        resp.bytes().await?;
        Ok(())
    }

    async fn refresh(&self, token: &str) -> Result<()> {
        call(
            &self.http,
            &self.base,
            "InitiateAuth",
            json!({"ClientId": self.api_client, "AuthFlow": "REFRESH_TOKEN_AUTH",
                   "AuthParameters": {"REFRESH_TOKEN": token}}),
        )
        .await?;
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let server = latchkey_server::spawn(ServerOptions::in_memory()).await?;
    let bench = Arc::new(Bench::setup(server.url.clone()).await?);
    println!(
        "in-process server on the in-memory store; {} in flight; load average before: {}",
        args.concurrency,
        loadavg()
    );
    let b = bench.clone();
    let flows = run(args.flows, args.concurrency, move |i| {
        let b = b.clone();
        async move { b.code_flow(i).await }
    })
    .await?;
    print("authorization-code flow (4 requests)", &flows);
    let out = call(
        &bench.http,
        &bench.base,
        "InitiateAuth",
        json!({"ClientId": bench.api_client, "AuthFlow": "USER_PASSWORD_AUTH",
               "AuthParameters": {"USERNAME": "bench", "PASSWORD": PASSWORD}}),
    )
    .await?;
    let refresh: Arc<str> = out["AuthenticationResult"]["RefreshToken"]
        .as_str()
        .context("refresh token")?
        .into();
    for round in 1..=args.rounds {
        let b = bench.clone();
        let cc = run(args.tokens, args.concurrency, move |_| {
            let b = b.clone();
            async move { b.client_credentials().await }
        })
        .await?;
        print(&format!("round {round}: client_credentials"), &cc);
        let (b, t) = (bench.clone(), refresh.clone());
        let rt = run(args.tokens, args.concurrency, move |_| {
            let (b, t) = (b.clone(), t.clone());
            async move { b.refresh(&t).await }
        })
        .await?;
        print(&format!("round {round}: REFRESH_TOKEN_AUTH"), &rt);
    }
    println!(
        "peak RSS of the process (server and load): {:.1} MiB; load average after: {}",
        peak_rss_mib(),
        loadavg()
    );
    server.shutdown().await;
    Ok(())
}
