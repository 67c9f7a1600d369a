//! What `synchronous=FULL` costs the embedded store: the same sequence of user creations (one
//! transaction each, as SignUp writes) and user updates (as a failed sign-in or a confirmation
//! writes) on a SQLite file opened with FULL and with NORMAL, alternating rounds so drift in the
//! machine's load falls on both. Prints per-write latency (median, p99) and writes/s for each.
//! A measurement, never an assertion.
//!
//! `cargo run --release -p latchkey-bench --bin store_durability [WRITES] [ROUNDS]`
//! (defaults 300 writes, 4 rounds; the file lives in a temporary folder under target/).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use latchkey::store::conformance::sample_pool;
use latchkey::store::sqlite::{Durability, SqliteStore};
use latchkey::store::{PoolStore, UserStore};
use latchkey::userpool::model::{User, UserStatus};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn round(dir: &Path, durability: Durability, n: usize, tag: usize) -> Result<Vec<Duration>> {
    let path = dir.join(format!("durability-{durability:?}-{tag}.db"));
    let _ = std::fs::remove_file(&path);
    let store = SqliteStore::open_with(&path, durability).context("open")?;
    let pool = sample_pool("us-east-1_bench");
    store.create_pool(&pool).await.context("create pool")?;
    let mut times = Vec::with_capacity(2 * n);
    for i in 0..n {
        let user = User::new(
            &pool,
            format!("user-{i}"),
            format!("sub-{i}"),
            BTreeMap::from([("email".to_string(), format!("u{i}@example.com"))]),
            UserStatus::Unconfirmed,
            None,
            1,
        );
        let started = Instant::now();
        store.create_user(&user, &[]).await.context("create user")?;
        times.push(started.elapsed());
        let mut changed = user.clone();
        changed.version += 1;
        changed.status = UserStatus::Confirmed;
        let started = Instant::now();
        store.update_user(&changed).await.context("update user")?;
        times.push(started.elapsed());
    }
    drop(store);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(times)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(300);
    let rounds: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(4);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/store-durability");
    std::fs::create_dir_all(&dir)?;
    let mut full = Vec::new();
    let mut normal = Vec::new();
    for r in 0..rounds {
        full.extend(round(&dir, Durability::Full, n, r).await?);
        normal.extend(round(&dir, Durability::Normal, n, r).await?);
    }
    println!("| synchronous | writes | median ms | p99 ms | writes/s |");
    println!("|---|---:|---:|---:|---:|");
    for (name, mut t) in [("FULL", full), ("NORMAL", normal)] {
        t.sort_unstable();
        let total: Duration = t.iter().sum();
        println!(
            "| {name} | {} | {:.3} | {:.3} | {:.0} |",
            t.len(),
            percentile(&t, 0.5).as_secs_f64() * 1e3,
            percentile(&t, 0.99).as_secs_f64() * 1e3,
            t.len() as f64 / total.as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir(&dir);
    Ok(())
}
