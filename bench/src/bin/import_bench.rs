//! User import benchmark (figures only, nothing asserted): a CSV of `--rows` users (default
//! 10,000) imported by one job, on an in-process server, timed from StartUserImportJob to the
//! job's Succeeded (DescribeUserImportJob polled every 50 ms), as users per second.
//!
//! Run: `cargo run --release -p latchkey-bench --bin import_bench` (SQLite in memory), or
//! `-- --store dynamodb` with `AWS_ENDPOINT_URL_DYNAMODB` naming a DynamoDB-API server (a new
//! table per run).

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
#[allow(dead_code)]
mod load;

use anyhow::{bail, Context, Result};
use clap::Parser;
use latchkey_server::{ServerOptions, StoreChoice};
use load::{call, loadavg, peak_rss_mib};
use serde_json::json;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(about = "Users imported per second by one CSV import job")]
struct Args {
    /// Rows in the file.
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
    /// `sqlite` (in memory) or `dynamodb` (a new table).
    #[arg(long, default_value = "sqlite")]
    store: String,
    /// Jobs, one after another (a new pool each).
    #[arg(long, default_value_t = 2)]
    runs: usize,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let mut opts = ServerOptions::in_memory();
    if args.store == "dynamodb" {
        opts.store = StoreChoice::DynamoDb {
            table: format!("latchkey-import-bench-{}", std::process::id()),
            create_table: true,
        };
    }
    let server = latchkey_server::spawn(opts).await?;
    let base = server.url.clone();
    let http = reqwest::Client::new();
    println!(
        "store {}, {} rows, load {}",
        args.store,
        args.rows,
        loadavg()
    );
    for run in 0..args.runs {
        let pool = call(
            &http,
            &base,
            "CreateUserPool",
            json!({"PoolName": format!("bench-{run}"),
            "AutoVerifiedAttributes": ["email"]}),
        )
        .await?;
        let pool = pool["UserPool"]["Id"]
            .as_str()
            .context("pool id")?
            .to_string();
        let header = call(&http, &base, "GetCSVHeader", json!({"UserPoolId": pool})).await?;
        let columns: Vec<String> = serde_json::from_value(header["CSVHeader"].clone())?;
        let mut csv = columns.join(",") + "\n";
        for i in 0..args.rows {
            let row: Vec<String> = columns
                .iter()
                .map(|c| match c.as_str() {
                    "cognito:username" => format!("user{run}x{i}"),
                    "email" => format!("user{run}x{i}@example.com"),
                    "email_verified" => "true".into(),
                    "cognito:mfa_enabled" => "false".into(),
                    _ => String::new(),
                })
                .collect();
            csv += &(row.join(",") + "\n");
        }
        let job = call(
            &http,
            &base,
            "CreateUserImportJob",
            json!({"UserPoolId": pool,
            "JobName": "bench", "CloudWatchLogsRoleArn": "arn:aws:iam::000000000000:role/import"}),
        )
        .await?;
        let job = &job["UserImportJob"];
        let id = job["JobId"].as_str().context("job id")?.to_string();
        let url = job["PreSignedUrl"].as_str().context("url")?;
        let put = http.put(url).body(csv).send().await?;
        if !put.status().is_success() {
            bail!("upload: {}", put.status());
        }
        let started = Instant::now();
        call(
            &http,
            &base,
            "StartUserImportJob",
            json!({"UserPoolId": pool, "JobId": id}),
        )
        .await?;
        let done = loop {
            let now = call(
                &http,
                &base,
                "DescribeUserImportJob",
                json!({"UserPoolId": pool, "JobId": id}),
            )
            .await?;
            let status = now["UserImportJob"]["Status"]
                .as_str()
                .unwrap_or("")
                .to_string();
            if ["Succeeded", "Failed", "Stopped", "Expired"].contains(&status.as_str()) {
                break now;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let secs = started.elapsed().as_secs_f64();
        let j = &done["UserImportJob"];
        println!(
            "run {run}: {} in {secs:.2} s = {:.0} users/s (imported {}, failed {}), load {}",
            j["Status"],
            j["ImportedUsers"].as_f64().unwrap_or(0.0) / secs,
            j["ImportedUsers"],
            j["FailedUsers"],
            loadavg()
        );
    }
    println!("peak RSS {:.1} MiB", peak_rss_mib());
    server.shutdown().await;
    Ok(())
}
