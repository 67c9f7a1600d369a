//! `latchkey-bench`: load benchmark for a Latchkey server over the Cognito
//! JSON protocol. Drives a running server (`--url`) or an in-process one
//! (`--spawn`: in memory, or with `--store dynamodb` on a new DynamoDB table at
//! whatever `AWS_ENDPOINT_URL_DYNAMODB` names) through SignUp, USER_PASSWORD_AUTH sign-in,
//! REFRESH_TOKEN_AUTH and GetUser, and prints throughput and latency beside the
//! CPU cost bounds (argon2id hash, RS256 signature) measured in-process.
//!
//! Exit status: 0 when every request succeeded (targets met or not), 1 when
//! any phase had errors or setup failed.

mod client;
// Shared with http_load, which also times the signatures beside each run (`measure_sign`).
#[allow(dead_code)]
mod costs;
mod phases;
mod stats;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::Parser;

use client::Api;
use costs::Costs;
use phases::{Ctx, Limits, Report};
use stats::ms;

/// Sign-in must reach this share of the argon2 bound.
const SIGN_IN_TARGET_PCT: f64 = 80.0;
const REFRESH_TARGET: f64 = 1000.0;
const GET_USER_TARGET: f64 = 5000.0;
/// Satisfies the default pool password policy.
const PASSWORD: &str = "Bench-Passw0rd!";

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Load benchmark for a Latchkey server (Cognito JSON protocol)"
)]
struct Args {
    /// Root URL of a running server.
    #[arg(
        long,
        default_value = "http://127.0.0.1:9229",
        conflicts_with = "spawn"
    )]
    url: String,
    /// Start a server in this process and bench that instead.
    #[arg(long)]
    spawn: bool,
    /// Storage of the `--spawn` server: `sqlite` (in memory) or `dynamodb` (a new table,
    /// created at start, through the normal AWS configuration, e.g. AWS_ENDPOINT_URL_DYNAMODB).
    #[arg(long, value_enum, default_value = "sqlite", requires = "spawn")]
    store: StoreKind,
    /// The DynamoDB table of `--store dynamodb` (created if missing); default a new one.
    #[arg(long, requires = "spawn")]
    table: Option<String>,
    /// Concurrent clients (tokio tasks sharing one pooled HTTP client).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Time limit of each timed phase (sign-in, refresh, GetUser).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Distinct users to sign up.
    #[arg(long, default_value_t = 200)]
    users: usize,
    /// Request cap of each timed phase.
    #[arg(long, default_value_t = 1_000_000)]
    max_requests: usize,
    /// Time limit of the SignUp phase and of the confirm step.
    #[arg(long, default_value_t = 120)]
    setup_seconds: u64,
}

/// Where the `--spawn` server keeps its data.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum StoreKind {
    /// SQLite in memory.
    Sqlite,
    /// One DynamoDB table.
    Dynamodb,
}

/// The `--spawn` server's options and a description of its store.
fn spawn_options(args: &Args) -> (latchkey_server::ServerOptions, String) {
    let mut opts = latchkey_server::ServerOptions::in_memory();
    if args.store == StoreKind::Sqlite {
        return (opts, "in-memory SQLite".into());
    }
    let table = args.table.clone().unwrap_or_else(|| {
        let id = latchkey::random::uuid_v4(&latchkey::random::Csprng);
        format!("latchkey-bench-{id}")
    });
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap_or_else(|_| "the AWS default endpoint".into());
    let what = format!("DynamoDB table {table} at {endpoint}");
    opts.store = latchkey_server::StoreChoice::DynamoDb {
        table,
        create_table: true,
    };
    (opts, what)
}

#[tokio::main]
async fn main() -> Result<ExitCode> {
    let args = Args::parse();
    if args.concurrency == 0 || args.users == 0 || args.seconds == 0 || args.max_requests == 0 {
        bail!("--concurrency, --users, --seconds and --max-requests must be at least 1");
    }

    let (opts, store) = spawn_options(&args);
    let server = if args.spawn {
        Some(
            latchkey_server::spawn(opts)
                .await
                .context("spawning the in-process server")?,
        )
    } else {
        None
    };
    let url = server.as_ref().map_or(args.url.clone(), |s| s.url.clone());
    match &server {
        Some(_) => println!(
            "mode: --spawn (in-process server at {url} on {store}; bench and server share the CPU)"
        ),
        None => println!("mode: external server at {url}"),
    }

    if cfg!(debug_assertions) {
        println!("WARNING: debug build; figures are only meaningful with --release");
    }
    let ctx = setup(&args, &url).await?;
    let costs = costs::measure().await?;
    println!(
        "cores {}  concurrency {}  users {}  timed phases {} s (cap {} requests)",
        costs.cores, args.concurrency, args.users, args.seconds, args.max_requests
    );
    println!(
        "cost: argon2id hash {:.2} ms (median of 10), RS256 sign {:.3} ms (median of 200)",
        ms(costs.hash),
        ms(costs.sign)
    );
    println!();

    let mut reports = Vec::new();

    let (report, signed_up) = phases::sign_up(&ctx, args.users).await;
    print_report(&report);
    reports.push(report);

    let (confirm, confirmed) = phases::confirm(&ctx, signed_up).await;
    if confirm.errors > 0 {
        print_report(&confirm);
    }

    let (report, tokens) = phases::sign_in(&ctx, confirmed).await;
    print_report(&report);
    print_sign_in_bound(&report, &costs);
    reports.push(report);

    let report = phases::refresh(&ctx, &tokens).await;
    print_report(&report);
    print_target("refresh", &report, REFRESH_TARGET);
    println!(
        "  one RS256 signature = {:.3} ms -> {:.0} signatures/s on {} cores (a refresh signs an access and an id token); \
         measured with every core signing at once: {:.0}/s",
        ms(costs.sign),
        costs.sign_bound(),
        costs.cores,
        costs.parallel_sign_rate
    );
    reports.push(report);

    let report = phases::get_user(&ctx, &tokens).await;
    print_report(&report);
    print_target("GetUser", &report, GET_USER_TARGET);
    reports.push(report);

    let mode = if args.spawn {
        format!("--spawn, {store}")
    } else {
        "external server".to_string()
    };
    println!(
        "\nREADME figures ({mode}, {} cores, concurrency {}, {} s per timed phase, {} users):",
        costs.cores, args.concurrency, args.seconds, args.users
    );
    print_table(&reports);

    if let Some(server) = server {
        server.shutdown().await;
    }
    let errors: usize = reports.iter().map(|r| r.errors).sum::<usize>() + confirm.errors;
    if errors > 0 {
        println!("\nFAILED: {errors} request(s) failed; the figures above are not valid.");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates this run's pool and app client (not measured).
async fn setup(args: &Args, url: &str) -> Result<Ctx> {
    let api = Api::new(url, args.concurrency)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let run_id = format!("bench-{}-{}", now.as_millis(), std::process::id());
    let pool_id = api
        .create_user_pool(&run_id)
        .await
        .with_context(|| format!("setup: CreateUserPool (is a server running at {url}?)"))?;
    let client_id = api
        .create_user_pool_client(&pool_id, &run_id)
        .await
        .context("setup: CreateUserPoolClient")?;
    println!("setup: pool {pool_id}, client {client_id}, users {run_id}-u*");
    Ok(Ctx {
        api,
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        run_id: run_id.into(),
        password: Arc::from(PASSWORD),
        concurrency: args.concurrency,
        timed: Limits {
            max_requests: args.max_requests,
            time_limit: Duration::from_secs(args.seconds),
        },
        setup_time: Duration::from_secs(args.setup_seconds),
    })
}

fn print_report(r: &Report) {
    let s = &r.summary;
    println!("== {} ==", r.name);
    println!(
        "  requests {}  errors {}  elapsed {:.2} s  ops/s {:.1}  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms{}",
        r.requests,
        r.errors,
        r.elapsed.as_secs_f64(),
        s.ops_per_sec,
        ms(s.p50),
        ms(s.p99),
        ms(s.max),
        if r.hit_request_cap {
            "  (stopped by the request cap)"
        } else {
            ""
        }
    );
    if r.errors > 0 {
        println!("  !!!!! {} HAD {} ERROR(S) !!!!!", r.name, r.errors);
        for (msg, n) in r.error_kinds.iter().take(10) {
            println!("  !!! {n} x {msg}");
        }
        if r.error_kinds.len() > 10 {
            println!("  !!! ... and {} more kinds", r.error_kinds.len() - 10);
        }
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "PASS"
    } else {
        "BELOW"
    }
}

fn print_sign_in_bound(r: &Report, costs: &Costs) {
    let bound = costs.argon2_bound();
    let pct = 100.0 * r.summary.ops_per_sec / bound;
    println!(
        "  argon2 bound = {} cores / {:.2} ms = {:.1}/s; sign-in at {:.1}% of bound (target >= {SIGN_IN_TARGET_PCT}%): {}",
        costs.cores,
        ms(costs.hash),
        bound,
        pct,
        verdict(pct >= SIGN_IN_TARGET_PCT)
    );
    println!(
        "  (measured with all {} cores hashing at once: {:.1} hashes/s; sign-in at {:.1}% of that)",
        costs.cores,
        costs.parallel_hash_rate,
        100.0 * r.summary.ops_per_sec / costs.parallel_hash_rate
    );
}

fn print_target(what: &str, r: &Report, target: f64) {
    println!(
        "  {what} {:.1}/s (target >= {target}/s): {}",
        r.summary.ops_per_sec,
        verdict(r.summary.ops_per_sec >= target)
    );
}

fn print_table(reports: &[Report]) {
    println!("| op | ops/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    for r in reports {
        let s = &r.summary;
        println!(
            "| {} | {:.0} | {:.2} | {:.2} |",
            r.name,
            s.ops_per_sec,
            ms(s.p50),
            ms(s.p99)
        );
    }
}
