//! The scale benchmark's parts (bench/src/bin/scale_bench.rs): the in-process awsJson call,
//! what a phase asked of DynamoDB per operation, and the printed tables. The phases themselves
//! are in [`phases`].

mod phases;

pub use phases::{Checkpoint, Phases};

use anyhow::{bail, Result};
use latchkey::protocol::handle_target;
use latchkey::store::dynamodb::{OperationUsage, Usage};
use latchkey::App;
use serde_json::Value;

/// One user-pool operation in process (no HTTP, no signature check); the answer unless an
/// error status.
pub async fn call(app: &App, op: &str, body: Value) -> Result<Value> {
    let bytes = serde_json::to_vec(&body)?;
    let target = format!("AWSCognitoIdentityProviderService.{op}");
    let reply = handle_target(app, Some(&target), &bytes).await;
    let out: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    if reply.status != 200 {
        bail!("{op}: HTTP {}: {out}", reply.status);
    }
    Ok(out)
}

/// What a phase asked of DynamoDB, divided over `per` operations of the phase.
#[derive(Clone, Debug, Default)]
pub struct PerOp {
    /// The meter's count for the phase.
    pub usage: Usage,
    /// Operations the phase ran.
    pub per: f64,
}

impl PerOp {
    /// `usage` over `per` operations.
    pub fn new(usage: Usage, per: usize) -> Self {
        Self {
            usage,
            per: per.max(1) as f64,
        }
    }

    /// Everything added up, per operation.
    pub fn total(&self) -> OperationUsage {
        self.usage.total(|_| true)
    }

    /// Requests per operation.
    pub fn requests(&self) -> f64 {
        f64::from(self.total().requests) / self.per
    }

    /// Capacity units per operation (as the server reported them).
    pub fn units(&self) -> f64 {
        self.total().capacity_units / self.per
    }

    /// `GetItem ×1 (0.5 u, 190 B → 1.2 KB)` for each DynamoDB operation, per operation.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .usage
            .operations
            .iter()
            .map(|(op, u)| {
                let unreported = if u.unreported > 0 {
                    format!(", {:.2} unreported", f64::from(u.unreported) / self.per)
                } else {
                    String::new()
                };
                format!(
                    "{op} ×{:.2} ({:.2} u{unreported}, {} → {})",
                    f64::from(u.requests) / self.per,
                    u.capacity_units / self.per,
                    bytes(u.request_bytes as f64 / self.per),
                    bytes(u.response_bytes as f64 / self.per),
                )
            })
            .collect();
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }
}

/// A byte count for people: `812 B`, `1.4 KB`, `3.2 MB` (KB = 1,024 bytes).
pub fn bytes(b: f64) -> String {
    if b < 1024.0 {
        format!("{b:.0} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    }
}

/// The Markdown table of every checkpoint.
pub fn print_table(rows: &[Checkpoint]) {
    println!();
    println!(
        "| users | seeded at, users/s | server RSS | lookup p50 / p99 ms | lookups/s (16 at once) \
         | SignUp burst, users/s (p50 / p99 ms) | first ListUsers page ms (requests, units) \
         | walk of the pool in 60-user pages | filtered ListUsers (no match) \
         | DescribeUserPool |"
    );
    println!("|---:|---:|---:|---|---:|---|---|---|---|---|");
    for r in rows {
        println!("{}", r.table_row());
    }
}
