//! Federation benchmark (figures only, nothing asserted): federated sign-ins end to end
//! through a real OpenID Connect provider on loopback (panva's oidc-provider,
//! `tests/clients/node/oidc_idp.mjs`, in its own node process), as a browser and an app make
//! them: `/oauth2/authorize?identity_provider=X` → the provider's authorize and scripted
//! login → `/oauth2/idpresponse` (code exchange, ID token checks against the provider's
//! JWKS, user info, the user created or updated, tokens) → the app's code exchange at
//! `/oauth2/token`.
//!
//! Reports sign-ins per second, and the time Latchkey adds per sign-in: the time spent in
//! Latchkey's three endpoints, less the time the provider spent answering Latchkey's own
//! requests to it (token, user info, JWKS), which the provider measures itself.
//!
//! Run: `cargo run --release -p latchkey-bench --bin federation_bench` (an in-process server
//! on the in-memory store; needs `bash scripts/clients.sh` for node_modules).

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
mod load;

use anyhow::{bail, Context, Result};
use clap::Parser;
use latchkey_server::ServerOptions;
use load::{call, loadavg, peak_rss_mib, print, run};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

const CALLBACK: &str = "http://localhost:3000/callback";
const PROVIDER: &str = "BenchOIDC";

#[derive(Parser, Debug)]
#[command(about = "Federated sign-ins per second through a real OIDC provider")]
struct Args {
    /// Sign-ins per round.
    #[arg(long, default_value_t = 300)]
    sign_ins: usize,
    /// Sign-ins in flight.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Each sign-in is a new provider account (a first sign-in: the user is created);
    /// otherwise one account signs in again and again.
    #[arg(long)]
    new_users: bool,
}

struct Bench {
    base: String,
    client: String,
    /// Nanoseconds spent waiting on Latchkey's endpoints.
    latchkey_ns: AtomicU64,
}

fn location(resp: &reqwest::Response) -> Result<String> {
    Ok(resp
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .context("a redirect")?
        .to_string())
}

impl Bench {
    /// One browser: every cookie by name (the provider's and Latchkey's share 127.0.0.1).
    async fn sign_in(&self) -> Result<()> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let mut cookies: Vec<(String, String)> = Vec::new();
        let mut url = format!(
            "{}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={CALLBACK}&scope=openid+email&state=s&identity_provider={PROVIDER}",
            self.base, self.client
        );
        for _ in 0..12 {
            if url.starts_with(CALLBACK) {
                let code = url
                    .split("code=")
                    .nth(1)
                    .and_then(|c| c.split('&').next())
                    .context("code")?
                    .to_string();
                let t = Instant::now();
                let tokens = http
                    .post(format!("{}/oauth2/token", self.base))
                    .form(&[
                        ("grant_type", "authorization_code"),
                        ("client_id", &self.client),
                        ("code", &code),
                        ("redirect_uri", CALLBACK),
                    ])
                    .send()
                    .await?;
                let ok = tokens.status().is_success();
                let _ = tokens.bytes().await?;
                self.add(t);
                if !ok {
                    bail!("token endpoint refused the code");
                }
                return Ok(());
            }
            let header: String = cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let ours = url.starts_with(&self.base);
            let t = Instant::now();
            let resp = http.get(&url).header("cookie", header).send().await?;
            if ours {
                self.add(t);
            }
            for c in resp.headers().get_all("set-cookie") {
                let pair = c.to_str()?.split(';').next().unwrap_or_default();
                if let Some((k, v)) = pair.split_once('=') {
                    cookies.retain(|(name, _)| name != k);
                    cookies.push((k.to_string(), v.to_string()));
                }
            }
            let next = location(&resp).with_context(|| format!("stopped at {url}"))?;
            url = reqwest::Url::parse(&url)?.join(&next)?.to_string();
        }
        bail!("too many redirects")
    }

    fn add(&self, since: Instant) {
        let ns = since.elapsed().as_nanos() as u64;
        self.latchkey_ns.fetch_add(ns, Ordering::Relaxed);
    }
}

/// Starts the provider; its issuer and the process.
fn start_idp(base: &str, new_users: bool) -> Result<(String, std::process::Child)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = Command::new("node");
    cmd.arg(root.join("tests/clients/node/oidc_idp.mjs"))
        .args(["--redirect-uri", &format!("{base}/oauth2/idpresponse")])
        .args(["--account", "bench"]);
    if new_users {
        cmd.arg("--unique");
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting node tests/clients/node/oidc_idp.mjs")?;
    let mut line = String::new();
    let stdout = child.stdout.as_mut().context("stdout")?;
    BufReader::new(stdout).read_line(&mut line)?;
    let ready: Value = serde_json::from_str(&line).context("the provider's first line")?;
    Ok((
        ready["issuer"].as_str().context("issuer")?.to_string(),
        child,
    ))
}

/// Stops the provider and reads the time it spent on Latchkey's requests, ms.
fn stop_idp(child: std::process::Child) -> Result<f64> {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status()?;
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().context("the provider's last line")?;
    let v: Value = serde_json::from_str(last)?;
    v["backchannel_ms"].as_f64().context("backchannel_ms")
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let server = latchkey_server::spawn(ServerOptions::in_memory()).await?;
    let base = server.url.clone();
    let http = reqwest::Client::new();
    let (issuer, idp) = start_idp(&base, args.new_users)?;
    let pool = call(
        &http,
        &base,
        "CreateUserPool",
        json!({"PoolName": "fed-bench"}),
    )
    .await?;
    let pool = pool["UserPool"]["Id"]
        .as_str()
        .context("pool id")?
        .to_string();
    call(
        &http,
        &base,
        "CreateIdentityProvider",
        json!({"UserPoolId": pool, "ProviderName": PROVIDER, "ProviderType": "OIDC",
               "ProviderDetails": {"client_id": "latchkey", "client_secret": "latchkey-idp-secret",
                   "authorize_scopes": "openid email", "attributes_request_method": "GET",
                   "oidc_issuer": issuer},
               "AttributeMapping": {"email": "email", "email_verified": "email_verified"}}),
    )
    .await?;
    let client = call(
        &http,
        &base,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "web", "AllowedOAuthFlowsUserPoolClient": true,
               "AllowedOAuthFlows": ["code"], "AllowedOAuthScopes": ["openid", "email"],
               "CallbackURLs": [CALLBACK], "SupportedIdentityProviders": [PROVIDER]}),
    )
    .await?;
    let client = client["UserPoolClient"]["ClientId"]
        .as_str()
        .context("client id")?
        .to_string();
    let bench = Arc::new(Bench {
        base,
        client,
        latchkey_ns: AtomicU64::new(0),
    });
    // Warm-up: the provider's discovery and keys are fetched once.
    bench.sign_in().await?;
    bench.latchkey_ns.store(0, Ordering::Relaxed);
    let b = bench.clone();
    let summary = run(args.sign_ins, args.concurrency, move |_| {
        let b = b.clone();
        async move { b.sign_in().await }
    })
    .await?;
    let backchannel_ms = stop_idp(idp)?;
    let n = args.sign_ins as f64;
    let latchkey_ms = bench.latchkey_ns.load(Ordering::Relaxed) as f64 / 1e6;
    let users = if args.new_users {
        "new users"
    } else {
        "returning user"
    };
    print(&format!("federated sign-ins ({users})"), &summary);
    println!(
        "Latchkey endpoints per sign-in {:.2} ms, of which the provider answering Latchkey {:.2} ms: Latchkey adds {:.2} ms",
        latchkey_ms / n,
        backchannel_ms / n,
        (latchkey_ms - backchannel_ms) / n
    );
    println!(
        "concurrency {}, peak RSS {:.1} MiB (server + load), load average {}",
        args.concurrency,
        peak_rss_mib(),
        loadavg()
    );
    Ok(())
}
