//! How a DynamoDB pool behaves as it grows (issue 24, docs/scale.md): seeds one pool with up to
//! `--users` users through the adapter's own write path (`UserStore::create_user`, one
//! conditional PutItem a user: the pool has no alias attributes), and at each checkpoint
//! measures key lookups, a burst of real SignUps, and ListUsers pages, walks and a filtered
//! ListUsers, each with the DynamoDB requests, units and bytes the adapter's [`RequestMeter`]
//! counted. Figures only: nothing timed is asserted.
//!
//! Units are what the server reports. dynalite computes them from item sizes as DynamoDB does
//! (1 per KB written, 1 per 4 KB read strongly consistent, half that eventually consistent),
//! but counts the base table only: DynamoDB also charges the GSI1 copy of every user write.
//! The lookups and the walk read users at random / in order with no cache in between.
//!
//!     DYNALITE_PORT=4601 bash scripts/dynalite.sh start
//!     AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:4601 AWS_ACCESS_KEY_ID=testing \
//!     AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
//!       cargo run --release -p latchkey-bench --bin scale_bench -- --users 1000000 \
//!       --server-pid "$(cat .dynalite/dynalite-4601.pid)"

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
#[allow(dead_code)]
mod load;

#[path = "../scale/mod.rs"]
mod scale;

use anyhow::{Context, Result};
use clap::Parser;
use latchkey::clock::SystemClock;
use latchkey::store::dynamodb::{DynamoStore, RequestMeter};
use latchkey::store::PoolStore;
use latchkey::triggers::invoke::Invokers;
use latchkey::{App, Settings};
use load::{loadavg, peak_rss_mib};
use scale::{call, Checkpoint, Phases};
use serde_json::json;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(about = "DynamoDB pool size: seeding, lookups, sign-up bursts, ListUsers")]
struct Args {
    /// Users to seed in all.
    #[arg(long, default_value_t = 100_000)]
    users: usize,
    /// Sizes at which to measure (comma-separated); `--users` is always the last.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    checkpoints: Vec<usize>,
    /// Seeding writes in flight.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Random key lookups a checkpoint (one at a time, then 16 at a time).
    #[arg(long, default_value_t = 2_000)]
    lookups: usize,
    /// New users signed up at once through SignUp at each checkpoint.
    #[arg(long, default_value_t = 64)]
    burst: usize,
    /// Walk the whole pool in 60-user pages, and run a filtered ListUsers, while the pool is
    /// at most this big (a full read of a bigger pool is extrapolated, not run).
    #[arg(long, default_value_t = 100_000)]
    walk_max: usize,
    /// The DynamoDB server's process id, to report its memory (e.g. `.dynalite/*.pid`).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Table name (a new one per run by default).
    #[arg(long)]
    table: Option<String>,
}

/// An App on `store`, as the server builds it (the outbox is the delivery, in the store).
fn app_on(store: Arc<DynamoStore>) -> Result<Arc<App>> {
    let settings = Settings::new("http://127.0.0.1:1", "us-east-1", "000000000000")?;
    let triggers = Arc::new(Invokers::new("us-east-1"));
    Ok(Arc::new(App::on_store(
        settings,
        store,
        Arc::new(SystemClock),
        triggers,
    )?))
}

/// Creates the table with the adapter's own schema. dynalite has no UpdateTimeToLive, the
/// last step of `create_table`: the table is usable without TTL, so that refusal is reported
/// and the run goes on.
async fn make_table(store: &DynamoStore) -> Result<()> {
    let Err(e) = DynamoStore::create_table(store.client(), store.table()).await else {
        return Ok(());
    };
    let described = store
        .client()
        .describe_table()
        .table_name(store.table())
        .send()
        .await
        .context("the table was not created")?;
    let indexes = described
        .table()
        .map_or(0, |t| t.global_secondary_indexes().len());
    anyhow::ensure!(indexes == 1, "table made without its GSI: {e}");
    println!("note: the table has no TTL (the server refused UpdateTimeToLive: {e})");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let table = args
        .table
        .clone()
        .unwrap_or_else(|| format!("scale-{}", std::process::id()));
    let plain = DynamoStore::from_env(&table).await?;
    make_table(&plain).await?;
    let meter = RequestMeter::new();
    let store = Arc::new(plain.metered(&meter));
    let app = app_on(store.clone())?;
    let body = json!({"PoolName": "scale", "AutoVerifiedAttributes": ["email"]});
    let pool_id = call(&app, "CreateUserPool", body).await?["UserPool"]["Id"]
        .as_str()
        .context("pool id")?
        .to_owned();
    let body = json!({"UserPoolId": pool_id, "ClientName": "scale",
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]});
    let client_id = call(&app, "CreateUserPoolClient", body).await?["UserPoolClient"]["ClientId"]
        .as_str()
        .context("client id")?
        .to_owned();
    let pool = PoolStore::get_pool(store.as_ref(), &pool_id)
        .await?
        .context("the pool just made")?;
    println!(
        "table {table}, pool {pool_id}; load average at start: {}",
        loadavg()
    );
    let mut phases = Phases::new(app, store, meter, pool, client_id, args.server_pid)?;
    let mut sizes: Vec<usize> = args
        .checkpoints
        .iter()
        .copied()
        .filter(|&n| n < args.users)
        .collect();
    sizes.sort_unstable();
    sizes.push(args.users);
    let mut rows: Vec<Checkpoint> = Vec::new();
    for size in sizes {
        phases.seed_to(size, args.concurrency).await?;
        let row = phases
            .checkpoint(args.lookups, args.burst, args.walk_max)
            .await?;
        row.print_details();
        rows.push(row);
    }
    scale::print_table(&rows);
    println!(
        "\nbench peak RSS (VmHWM) {:.1} MiB; load average at the end: {}",
        peak_rss_mib(),
        loadavg()
    );
    Ok(())
}
