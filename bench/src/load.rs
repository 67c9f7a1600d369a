//! The load loop the in-process benchmarks share: an awsJson call, N operations with K in
//! flight and their latencies, one printed line per phase, peak RSS and the load average.

use crate::stats::{ms, Summary};
use anyhow::{bail, Result};
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One user-pool operation as awsJson 1.1; the reply, or an error with its body.
pub async fn call(http: &reqwest::Client, base: &str, op: &str, body: Value) -> Result<Value> {
    let resp = http
        .post(format!("{base}/"))
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
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

/// Runs `count` calls of `op` with `concurrency` in flight; their latencies and the wall time.
pub async fn run<F, Fut>(count: usize, concurrency: usize, op: F) -> Result<Summary>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (op, next) = (op.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= count {
                    break;
                }
                let t = Instant::now();
                op(i).await?;
                lat.push(t.elapsed());
            }
            Ok::<Vec<Duration>, anyhow::Error>(lat)
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    Ok(Summary::new(&mut all, started.elapsed()))
}

/// Prints one phase: rate, p50, p99.
pub fn print(what: &str, s: &Summary) {
    println!(
        "{what:<34} {:>9.1}/s  p50 {:>7.2} ms  p99 {:>7.2} ms",
        s.ops_per_sec,
        ms(s.p50),
        ms(s.p99)
    );
}

/// Peak resident memory of this process (server and load together), MiB.
pub fn peak_rss_mib() -> f64 {
    status_mib("self", "VmHWM:").unwrap_or(0.0)
}

/// A memory figure (`VmRSS:`, `VmHWM:`, ...) of process `pid` (or `self`), MiB.
pub fn status_mib(pid: &str, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

/// The machine's 1-, 5- and 15-minute load averages, from `/proc/loadavg`.
pub fn loadavg() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
