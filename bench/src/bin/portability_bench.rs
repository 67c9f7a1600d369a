//! Export and import rates (`latchkey::portability`, what `latchkey export` / `latchkey
//! import` run): a SQLite store seeded with N users (default 10,000) is exported, imported into
//! a fresh DynamoDB table (whatever `AWS_ENDPOINT_URL_DYNAMODB` names, e.g. moto), exported
//! from there, and imported into a fresh SQLite file. Each phase prints users/s. Then it checks
//! what moved: user counts on both targets, the two exports hold the same records line for
//! line, and a sample of users signs in with their password on a server over the last target.
//! Without `AWS_ENDPOINT_URL_DYNAMODB` it goes SQLite → SQLite. A measurement: nothing timed
//! is asserted.
//!
//! Seeding: the pool and its app client are made through the API (real signing keys); the
//! password is hashed once (Argon2id, as SignUp hashes it) and every user is created through
//! the store port (`create_user` with its alias claims, as SignUp writes it) with that PHC
//! string; every 10th user joins a group (`set_membership`).
//!
//!     cargo run --release -p latchkey-bench --bin portability_bench [-- --users 10000]

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
#[allow(dead_code)]
mod load;

#[path = "../seed.rs"]
mod seed;

use anyhow::{ensure, Result};
use clap::Parser;
use latchkey::portability::export::{export, ExportOptions};
use latchkey::portability::import::{import, ImportOptions};
use latchkey::store::Store;
use latchkey_server::{open_store, ServerOptions, StoreChoice};
use load::{call, loadavg, peak_rss_mib};
use seed::{make_pool, seed, PASSWORD};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Users to seed and move.
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Users signed in on the last target.
    #[arg(long, default_value_t = 20)]
    sample: usize,
}

fn sqlite(dir: &Path) -> StoreChoice {
    StoreChoice::Sqlite {
        data_dir: dir.to_path_buf(),
    }
}

/// Exports `store` to `file`; the seconds it took.
async fn export_to(store: &StoreChoice, file: &Path) -> Result<f64> {
    let store: Arc<dyn Store> = open_store(store).await?;
    let started = Instant::now();
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    let options = ExportOptions {
        source: "bench".into(),
        exported_at: "bench".into(),
        ..ExportOptions::default()
    };
    export(store.as_ref(), &options, &mut out).await?;
    Ok(started.elapsed().as_secs_f64())
}

/// Imports `file` into `store`; the seconds it took.
async fn import_from(store: &StoreChoice, file: &Path) -> Result<f64> {
    let store = open_store(store).await?;
    let started = Instant::now();
    let input = std::io::BufReader::new(std::fs::File::open(file)?);
    let report = import(store, input, &ImportOptions::default()).await;
    let secs = started.elapsed().as_secs_f64();
    ensure!(report.ok(), "import failed: {report:?}");
    Ok(secs)
}

/// The records of an export, sorted (the header left out).
fn records(file: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(file)?;
    let mut lines: Vec<String> = text.lines().skip(1).map(str::to_owned).collect();
    lines.sort_unstable();
    Ok(lines)
}

fn rate(what: &str, n: usize, secs: f64) {
    println!(
        "{what:<44} {n} users in {secs:>7.2} s  {:>8.0} users/s",
        n as f64 / secs
    );
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.users;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/portability-bench")
        .join(std::process::id().to_string());
    let (src_dir, dst_dir) = (root.join("source"), root.join("target"));
    std::fs::create_dir_all(&src_dir)?;
    println!("load average before: {}", loadavg());
    let source = sqlite(&src_dir);
    let (pool, client) = make_pool(&source).await?;
    let started = Instant::now();
    seed(&src_dir, &pool, n).await?;
    rate(
        "seed SQLite (create_user, shared hash)",
        n,
        started.elapsed().as_secs_f64(),
    );

    let first = root.join("from-sqlite.jsonl");
    rate("export SQLite", n, export_to(&source, &first).await?);
    let mut moved_from = first.clone();
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some() {
        let table = format!("latchkey-bench-{}", std::process::id());
        let dynamo = StoreChoice::DynamoDb {
            table,
            create_table: true,
        };
        rate(
            "import DynamoDB (moto)",
            n,
            import_from(&dynamo, &first).await?,
        );
        let second = root.join("from-dynamodb.jsonl");
        rate(
            "export DynamoDB (moto)",
            n,
            export_to(&dynamo, &second).await?,
        );
        let on_dynamo = open_store(&dynamo).await?.count_users(&pool).await?;
        ensure!(on_dynamo == n as u64, "DynamoDB holds {on_dynamo} users");
        moved_from = second;
    } else {
        println!("AWS_ENDPOINT_URL_DYNAMODB is not set: SQLite → SQLite only");
    }
    let target = sqlite(&dst_dir);
    rate("import SQLite", n, import_from(&target, &moved_from).await?);

    // What moved: counts, the same records, and sign-ins.
    let on_target = open_store(&target).await?.count_users(&pool).await?;
    ensure!(
        on_target == n as u64,
        "the SQLite target holds {on_target} users"
    );
    ensure!(
        records(&first)? == records(&moved_from)?,
        "the exports differ"
    );
    let mut opts = ServerOptions::in_memory();
    opts.store = target.clone();
    let server = latchkey_server::spawn(opts).await?;
    let http = reqwest::Client::new();
    let step = (n / args.sample.max(1)).max(1);
    let mut signed_in = 0;
    for i in (0..n).step_by(step) {
        let auth = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client,
            "AuthParameters": {"USERNAME": format!("user-{i:05}"), "PASSWORD": PASSWORD}});
        let out = call(&http, &server.url, "InitiateAuth", auth).await?;
        ensure!(
            out["AuthenticationResult"]["AccessToken"].is_string(),
            "{out}"
        );
        signed_in += 1;
    }
    server.shutdown().await;
    println!(
        "verified: {on_target} users on the target, exports equal record for record \
         ({} records), {signed_in} sampled users signed in with their password",
        records(&first)?.len()
    );
    println!(
        "peak RSS: {:.1} MiB; load average after: {}",
        peak_rss_mib(),
        loadavg()
    );
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}
