//! Message-delivery benchmark (figures only, nothing asserted): what sending a code by email
//! through a real SMTP server on loopback costs beside the local outbox.
//!
//! 1. The transport alone: `messages` sends one at a time through the delivery port
//!    (`latchkey::delivery::Transports`), outbox (in-memory SQLite) then SMTP (pooled
//!    connections), p50 / p99 each; the p50 difference is the time delivery adds.
//! 2. Sign-up end to end: two in-process servers on the in-memory store, one keeping codes in
//!    the outbox and one mailing them through the SMTP server; `sign-ups` SignUp calls each at
//!    `concurrency`, alternating in rounds so both see the same machine load; sign-ups/s and
//!    p50 each.
//!
//! Run: `bash scripts/smtp.sh start`, then
//! `cargo run --release -p latchkey-bench --bin delivery_bench -- --smtp-url smtp://127.0.0.1:2525`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use latchkey::config::DeliveryConfig;
use latchkey::delivery::{Delivery, Route, Transports};
use latchkey::secret::Secret;
use latchkey::store::sqlite::SqliteStore;
use latchkey::userpool::enums::DeliveryMedium;
use latchkey::userpool::model::OutboundMessage;
use latchkey_server::ServerOptions;
use serde_json::{json, Value};

const PASSWORD: &str = "Bench-Passw0rd!";

#[derive(Parser, Debug)]
#[command(about = "What email delivery through SMTP adds beside the outbox")]
struct Args {
    /// The SMTP server (scripts/smtp.sh starts one on 127.0.0.1:2525).
    #[arg(long, default_value = "smtp://127.0.0.1:2525")]
    smtp_url: String,
    /// Messages sent through each transport, one at a time.
    #[arg(long, default_value_t = 500)]
    messages: usize,
    /// SignUp calls per server.
    #[arg(long, default_value_t = 200)]
    sign_ups: usize,
    /// Concurrent SignUp calls.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
}

fn config(smtp: Option<&str>) -> DeliveryConfig {
    DeliveryConfig {
        smtp_url: smtp.map(|u| Secret::new(u.to_string())),
        email_from: Some("Latchkey Bench <bench@example.com>".into()),
        timeout_ms: 10_000,
    }
}

fn message(i: usize) -> OutboundMessage {
    OutboundMessage {
        pool_id: "us-east-1_Bench".into(),
        username: format!("user{i}"),
        destination: format!("user{i}@example.com"),
        delivery_medium: DeliveryMedium::Email,
        purpose: "SignUp".into(),
        code: Secret::new("123456".into()),
        subject: "Your verification code".into(),
        message: Secret::new("Your verification code is 123456. ".into()),
        created_ms: 0,
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// p50 and p99 (ms) of `n` sequential sends.
async fn transport(t: &Transports, n: usize) -> Result<(f64, f64)> {
    let route = Route::default();
    t.deliver(&message(0), &route).await?; // connect once, not measured
    let mut lat = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        t.deliver(&message(i), &route).await?;
        lat.push(start.elapsed());
    }
    lat.sort();
    Ok((pct(&lat, 0.5), pct(&lat, 0.99)))
}

async fn idp(http: &reqwest::Client, url: &str, op: &str, body: Value) -> Result<Value> {
    let resp = http
        .post(url)
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .header("Content-Type", "application/x-amz-json-1.1")
        .body(body.to_string())
        .send()
        .await?;
    let status = resp.status();
    let v: Value = resp.json().await?;
    if !status.is_success() {
        bail!("{op}: {status} {v}");
    }
    Ok(v)
}

/// Sign-ups of `names` at `concurrency`: (latencies, elapsed).
async fn sign_ups(
    url: &str,
    client: &str,
    names: Vec<String>,
    concurrency: usize,
) -> Result<(Vec<Duration>, Duration)> {
    let http = reqwest::Client::new();
    let names = Arc::new(tokio::sync::Mutex::new(names));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, names, url, client) = (
            http.clone(),
            names.clone(),
            url.to_string(),
            client.to_string(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let Some(name) = names.lock().await.pop() else {
                    break;
                };
                let body = json!({"ClientId": client, "Username": name, "Password": PASSWORD,
                    "UserAttributes": [{"Name": "email", "Value": format!("{name}@example.com")}]});
                let start = Instant::now();
                idp(&http, &url, "SignUp", body).await?;
                lat.push(start.elapsed());
            }
            Ok::<_, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await??);
    }
    Ok((all, started.elapsed()))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if cfg!(debug_assertions) {
        println!("WARNING: debug build; figures are only meaningful with --release");
    }
    let store = Arc::new(SqliteStore::in_memory()?);
    let outbox = Transports::from_config(store.clone(), &config(None), None, false)?;
    let smtp = Transports::from_config(store, &config(Some(&args.smtp_url)), None, false)?;
    let (o50, o99) = transport(&outbox, args.messages).await?;
    let (s50, s99) = transport(&smtp, args.messages).await.with_context(|| {
        format!(
            "sending through {} (is scripts/smtp.sh running?)",
            args.smtp_url
        )
    })?;
    println!("transport, {} sequential sends each:", args.messages);
    println!("  outbox  p50 {o50:.3} ms  p99 {o99:.3} ms");
    println!("  smtp    p50 {s50:.3} ms  p99 {s99:.3} ms");
    println!("  SMTP adds {:.3} ms at p50", s50 - o50);

    let mut servers = Vec::new();
    for smtp in [None, Some(args.smtp_url.as_str())] {
        let mut opts = ServerOptions::in_memory();
        opts.delivery = config(smtp);
        let server = latchkey_server::spawn(opts).await?;
        servers.push(server);
    }
    let mut results = vec![(Vec::new(), Duration::ZERO); 2];
    let rounds = 4;
    let per_round = args.sign_ups.div_ceil(rounds);
    for round in 0..rounds {
        for (i, server) in servers.iter().enumerate() {
            let names = (0..per_round)
                .map(|n| format!("s{i}r{round}n{n}"))
                .collect();
            let (lat, took) = sign_ups(
                &server.url,
                &server.default_client_id,
                names,
                args.concurrency,
            )
            .await?;
            results[i].0.extend(lat);
            results[i].1 += took;
        }
    }
    println!(
        "sign-up end to end, {} each at concurrency {}:",
        per_round * rounds,
        args.concurrency
    );
    for (name, (lat, took)) in ["outbox", "smtp"].iter().zip(results.iter_mut()) {
        lat.sort();
        println!(
            "  {name:<7} {:.1} sign-ups/s  p50 {:.2} ms  p99 {:.2} ms",
            lat.len() as f64 / took.as_secs_f64(),
            pct(lat, 0.5),
            pct(lat, 0.99)
        );
    }
    for s in servers {
        s.shutdown().await;
    }
    Ok(())
}
