//! `cost`: what a Latchkey deployment costs per 100,000 monthly active users, derived from the
//! measured inputs in docs/cost/ (not typed in): per operation, the DynamoDB requests and units
//! from item sizes (`dynamodb_requests --json docs/cost/dynamodb.json`), and the Lambda CPU time
//! and log bytes of the release function binaries under each memory size's CPU quota
//! (`lambda-bench --billed --json docs/cost/lambda.json`). Prices and the usage profile are
//! the stated assumptions (docs/cost.md explains each); flags change them.
//!
//! Prints one line per deployment option, default template first:
//! `<option>: $<amount> per 100k MAU per month`, then each option's bill by line item.
//!
//!     cargo run --release -p latchkey-bench --bin cost [-- --refreshes 60 --details]

#[path = "../cost_model.rs"]
mod cost_model;

use anyhow::{Context, Result};
use clap::Parser;
use cost_model::{Inputs, Options, Prices, Profile};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(about = "Monthly cost per 100k MAU of each deployment option, from measured inputs")]
struct Args {
    /// The folder with dynamodb.json and lambda.json.
    #[arg(long, default_value = "docs/cost")]
    inputs: PathBuf,
    /// Monthly active users to price.
    #[arg(long, default_value_t = 100_000.0)]
    mau: f64,
    /// Sign-ups per MAU per month (each also confirms).
    #[arg(long, default_value_t = Profile::DEFAULT.sign_ups)]
    sign_ups: f64,
    /// Password sign-ins per MAU per month.
    #[arg(long, default_value_t = Profile::DEFAULT.sign_ins)]
    sign_ins: f64,
    /// Token refreshes per MAU per month.
    #[arg(long, default_value_t = Profile::DEFAULT.refreshes)]
    refreshes: f64,
    /// GetUser calls per MAU per month.
    #[arg(long, default_value_t = Profile::DEFAULT.get_users)]
    get_users: f64,
    /// Identity-pool credential vends (GetCredentialsForIdentity) per MAU per month.
    #[arg(long, default_value_t = Profile::DEFAULT.credential_vends)]
    credential_vends: f64,
    /// GetId calls per MAU per month (Amplify keeps the identity id, so about one per device).
    #[arg(long, default_value_t = Profile::DEFAULT.get_ids)]
    get_ids: f64,
    /// Assumed latency of one DynamoDB request from Lambda in the same region, ms.
    #[arg(long, default_value_t = Prices::DEFAULT.dynamodb_request_ms)]
    dynamodb_ms: f64,
    /// Assumed latency of one STS AssumeRole, ms.
    #[arg(long, default_value_t = Prices::DEFAULT.sts_ms)]
    sts_ms: f64,
    /// cognito-api's memory size, MB (default: the template's), to price another size.
    #[arg(long)]
    api_memory: Option<u32>,
    /// Also print each option's bill line by line.
    #[arg(long)]
    details: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let inputs = Inputs::load(&args.inputs)
        .with_context(|| format!("reading the measured inputs in {}", args.inputs.display()))?;
    let profile = Profile {
        sign_ups: args.sign_ups,
        sign_ins: args.sign_ins,
        refreshes: args.refreshes,
        get_users: args.get_users,
        credential_vends: args.credential_vends,
        get_ids: args.get_ids,
    };
    let prices = Prices {
        dynamodb_request_ms: args.dynamodb_ms,
        sts_ms: args.sts_ms,
        ..Prices::DEFAULT
    };
    let bills: Vec<_> = Options::ALL
        .iter()
        .map(|option| {
            cost_model::bill(
                &inputs,
                &profile,
                &prices,
                *option,
                args.mau,
                args.api_memory,
            )
        })
        .collect::<Result<_>>()?;
    let per = if args.mau == 100_000.0 {
        "100k".to_string()
    } else {
        format!("{}", args.mau)
    };
    for b in &bills {
        println!(
            "{}: ${:.2} per {per} MAU per month",
            b.option.name(),
            b.total()
        );
    }
    let cognito = cost_model::cognito_tiers(args.mau);
    println!(
        "Amazon Cognito, same users: Lite ${:.2}, Essentials ${:.2}, Plus ${:.2} per {per} MAU per month",
        cognito[0], cognito[1], cognito[2]
    );
    if args.details {
        for b in &bills {
            println!("\n{} ({})", b.option.name(), b.option.describe());
            for (item, amount) in &b.lines {
                println!("  {item:<58} ${amount:>8.2}");
            }
        }
        println!("\n{}", profile.describe());
    }
    Ok(())
}
