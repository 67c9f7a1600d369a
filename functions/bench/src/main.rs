//! `lambda-bench`: the Lambda figures, printed as a Markdown table (figures only, no pass/fail).
//!
//! - cold start: exec to the first poll of the Runtime API, per function, against a local
//!   stand-in ([`runtime_api`]), beside a hello-world `lambda_runtime` binary from the same build,
//!   in rounds of starts only and again in rounds where each start is invoked (see [`measure`]);
//! - binary size (release profile, stripped, linked by `latchkey-link`) and peak RSS after one
//!   invocation;
//! - warm handler latency in-process (this binary's own build), for a password sign-in
//!   (argon2 and RS256), token refresh and GetUser, from events/ files.
//!
//! Build and run (the function binaries sit beside this one):
//! `cargo build --release -p latchkey-lambda-bench $(for f in sign-up sign-in token-refresh
//! credentials jwks cognito-api admin hosted-ui; do printf -- '-p latchkey-fn-%s ' $f; done)`
//! then `target/release/lambda-bench`. With `AWS_ENDPOINT_URL_DYNAMODB` set (moto:
//! `scripts/moto.sh start`) the functions run on a seeded table, so the invocation does its real
//! work (argon2 for sign-in); without it they run on an empty in-memory store, which needs the
//! functions built with `--features latchkey/memory-store`.
//!
//! `lambda-bench --billed [--json docs/cost/lambda.json]` measures instead what Lambda bills for
//! the usage profile's operations: warm invocations under a CPU quota per memory size
//! ([`billed`], [`billed_report`]; needs root for the cgroup, and moto for DynamoDB and STS).
//!
//! Other builds of the functions: `LAMBDA_BENCH_BOOTSTRAPS=target/lambda` takes each function
//! from `<dir>/<name>/bootstrap` (what `cargo lambda build` writes), and `LAMBDA_BENCH_RUNNER`
//! starts them through a command prefix. With `LAMBDA_BENCH_RUNNER="qemu-aarch64 -L
//! /usr/aarch64-linux-gnu"` (Debian: qemu-user, libc6-arm64-cross) the arm64 bootstraps serve
//! their events here; their times and RSS are then the emulator's, not comparable.

mod billed;
mod billed_report;
mod runtime_api;
mod warm;

use anyhow::{bail, Context};
use latchkey::lambda::Function;
use latchkey_lambda_tests::{events_dir, Fixture};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const RUNS: usize = 15;

/// The event each function is invoked with for the RSS figure.
fn event_for(function: Function) -> &'static str {
    match function {
        Function::SignUp => "sign-up/rest-sign-up.json",
        Function::SignIn => "sign-in/rest-sign-in.json",
        Function::TokenRefresh => "token-refresh/rest-refresh.json",
        Function::Credentials => "credentials/target-get-open-id-token.json",
        Function::Jwks => "jwks/pool-jwks.json",
        Function::CognitoApi => "cognito-api/target-initiate-auth.json",
        Function::Admin => "admin/target-admin-get-user.json",
        Function::HostedUi => "hosted-ui/post-login.json",
    }
}

struct Row {
    name: String,
    size: u64,
    /// Cold starts in rounds of starts only.
    cold: Vec<Duration>,
    /// Cold starts in rounds where every start is invoked, so each follows another binary's
    /// invocation.
    cold_invoked: Vec<Duration>,
    rss_kib: u64,
    status: u16,
}

fn median(v: &[Duration]) -> Duration {
    let mut s = v.to_vec();
    s.sort();
    s[s.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// One binary's samples.
struct Target {
    bin: PathBuf,
    /// Command prefix the binary is started through (empty: started directly).
    runner: Vec<String>,
    event: String,
    row: Row,
}

/// Starts every target `RUNS` times, round-robin: each round starts every binary once, so CPU
/// steal or a noisy neighbour lands on all of them alike and the × hello ratios stay comparable.
///
/// First `RUNS` rounds of starts only (each process is stopped at its first poll), then `RUNS`
/// rounds in which each start is invoked once with its event (the RSS and reply figures). The
/// second kind of round has each start follow another binary's invocation, which on this VM
/// makes the next start slower, the functions more than hello-world; both figures are printed.
async fn measure(targets: &mut [Target], env: &[(String, String)]) -> anyhow::Result<()> {
    for _ in 0..RUNS {
        for t in targets.iter_mut() {
            let cold = runtime_api::start_once(&t.bin, &t.runner, env).await?;
            t.row.cold.push(cold);
        }
    }
    for _ in 0..RUNS {
        for t in targets.iter_mut() {
            let s = runtime_api::invoke_once(&t.bin, &t.runner, env, &t.event).await?;
            t.row.cold_invoked.push(s.cold);
            t.row.rss_kib = t.row.rss_kib.max(s.rss_kib);
            t.row.status = s.status;
        }
    }
    Ok(())
}

/// A target with no samples yet.
fn target(bin: PathBuf, runner: Vec<String>, event: String, name: &str) -> anyhow::Result<Target> {
    let size = std::fs::metadata(&bin)
        .with_context(|| format!("{}", bin.display()))?
        .len();
    Ok(Target {
        bin,
        runner,
        event,
        row: Row {
            name: name.to_string(),
            size,
            cold: Vec::new(),
            cold_invoked: Vec::new(),
            rss_kib: 0,
            status: 0,
        },
    })
}

/// The environment Lambda gives a function, plus the functions' settings.
async fn function_env() -> anyhow::Result<(Vec<(String, String)>, Fixture, &'static str)> {
    let mut env: Vec<(String, String)> = [
        ("AWS_LAMBDA_FUNCTION_NAME", "bench"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench"),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_SESSION_TOKEN", "testing"),
        ("LATCHKEY_ISSUER_BASE_URL", "https://auth.example.com"),
        ("LATCHKEY_ACCOUNT_ID", "123456789012"),
        ("LATCHKEY_LOG", "warn"),
        (
            "LATCHKEY_ADMIN_ACCESS_KEY_ID",
            latchkey_lambda_tests::ADMIN_KEY_ID,
        ),
        (
            "LATCHKEY_ADMIN_SECRET_ACCESS_KEY",
            latchkey_lambda_tests::ADMIN_SECRET,
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    // As deployed: the admin secret in Secrets Manager (a secret named by
    // LATCHKEY_ADMIN_SECRET_ID at AWS_ENDPOINT_URL_SECRETS_MANAGER, e.g. in moto), which
    // cognito-api reads at its first signed request, not during init.
    if let (Ok(id), Ok(url)) = (
        std::env::var("LATCHKEY_ADMIN_SECRET_ID"),
        std::env::var("AWS_ENDPOINT_URL_SECRETS_MANAGER"),
    ) {
        env.retain(|(k, _)| k != "LATCHKEY_ADMIN_SECRET_ACCESS_KEY");
        env.push(("LATCHKEY_ADMIN_SECRET_ID".into(), id));
        env.push(("AWS_ENDPOINT_URL_SECRETS_MANAGER".into(), url));
    }
    let Ok(endpoint) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB") else {
        env.push(("LATCHKEY_STORE".into(), "memory".into()));
        return Ok((
            env,
            Fixture::new().await.map_err(|e| anyhow::anyhow!("{e}"))?,
            "empty in-memory store",
        ));
    };
    // A seeded table the function binaries share with this process.
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::set_var("AWS_REGION", "us-east-1");
    let table = format!("latchkey-bench-{}", std::process::id());
    let client = latchkey::store::dynamodb::DynamoStore::client_from_env().await?;
    latchkey::store::dynamodb::DynamoStore::create_table(&client, &table).await?;
    let store = Arc::new(latchkey::store::dynamodb::DynamoStore::new(
        client,
        table.as_str(),
    ));
    let config = latchkey_lambda_tests::config().map_err(|e| anyhow::anyhow!("{e}"))?;
    let triggers = Arc::new(latchkey::triggers::invoke::Invokers::new(&config.region));
    let app = latchkey::lambda::build_app(&config, store, None, None, triggers)?;
    let fixture = Fixture::seed(Arc::new(app))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    env.push(("LATCHKEY_TABLE".into(), table));
    env.push(("AWS_ENDPOINT_URL_DYNAMODB".into(), endpoint));
    // The other AWS endpoints (STS, SES v2 for the codes of COGNITO_DEFAULT pools) as given.
    env.extend(
        std::env::vars().filter(|(k, _)| {
            k.starts_with("AWS_ENDPOINT_URL_") && k != "AWS_ENDPOINT_URL_DYNAMODB"
        }),
    );
    Ok((env, fixture, "seeded DynamoDB table (moto)"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir: PathBuf = std::env::current_exe()?
        .parent()
        .context("no folder")?
        .to_path_buf();
    let hello = dir.join("hello-lambda");
    let bootstraps = std::env::var_os("LAMBDA_BENCH_BOOTSTRAPS").map(PathBuf::from);
    let function_bin = |name: &str| match &bootstraps {
        Some(b) => b.join(name).join("bootstrap"),
        None => dir.join(name),
    };
    let runner: Vec<String> = std::env::var("LAMBDA_BENCH_RUNNER")
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--billed") {
        let json = args
            .iter()
            .position(|a| a == "--json")
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from);
        let (env, fixture, mode) = function_env().await?;
        return billed_report::report(&dir, env, &fixture, mode, json.as_deref()).await;
    }
    let missing: Vec<&str> = Function::ALL
        .iter()
        .map(|f| f.name())
        .filter(|n| !function_bin(n).exists())
        .collect();
    if !missing.is_empty() || !hello.exists() {
        bail!(
            "build the functions first (missing {missing:?}, or hello-lambda in {}); see the module docs",
            dir.display()
        );
    }
    let (env, fixture, mode) = function_env().await?;
    let mut targets = vec![target(
        hello,
        Vec::new(),
        r#"{"hello":"world"}"#.to_string(),
        "hello-world (lambda_runtime)",
    )?];
    for function in Function::ALL {
        let event = fixture
            .event_json(&events_dir().join(event_for(function)))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let bin = function_bin(function.name());
        targets.push(target(bin, runner.clone(), event, function.name())?);
    }
    measure(&mut targets, &env).await?;
    let rows: Vec<Row> = targets.into_iter().map(|t| t.row).collect();
    let (base, base_invoked) = (median(&rows[0].cold), median(&rows[0].cold_invoked));
    println!(
        "Cold start: exec → first Runtime API poll, {RUNS} rounds of starts only (every binary once per round, stopped at its first poll), \
         then {RUNS} rounds of starts each invoked once on a {mode} (\"after invocations\": each start follows another binary's invocation).\n"
    );
    if !runner.is_empty() {
        println!(
            "The functions ran through `{}`: their times and RSS are the runner's, not comparable.\n",
            runner.join(" ")
        );
    }
    println!("| binary | size (MiB) | cold start median (ms) | min | max | × hello | after invocations: median (ms) | × hello | peak RSS after 1 invocation (MiB) | reply |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let (min, max) = (
            r.cold.iter().min().copied().unwrap_or_default(),
            r.cold.iter().max().copied().unwrap_or_default(),
        );
        println!(
            "| {} | {:.2} | {} | {} | {} | {:.2} | {} | {:.2} | {:.1} | {} |",
            r.name,
            r.size as f64 / 1_048_576.0,
            ms(median(&r.cold)),
            ms(min),
            ms(max),
            median(&r.cold).as_secs_f64() / base.as_secs_f64(),
            ms(median(&r.cold_invoked)),
            median(&r.cold_invoked).as_secs_f64() / base_invoked.as_secs_f64(),
            r.rss_kib as f64 / 1024.0,
            r.status
        );
    }
    println!();
    warm::report().await
}
