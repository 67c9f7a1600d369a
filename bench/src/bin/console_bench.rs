//! The web console's page render times for a big pool: a SQLite pool seeded with N users
//! (default 10,000; see `seed.rs`), a release server over it with the console open to loopback
//! (the local server's default), and each page fetched by one operator in turn, as a browser
//! would: the user list's first page and a later one (ListUsers pages of 60), a search by
//! exact username, by email prefix and by `sub`, and one user's page. Each phase prints its
//! rate and p50 / p99 (the whole HTTP round trip: routing, the API calls behind the page, HTML).
//! Each answer is checked to be a 200 page naming what was asked for. A measurement: nothing
//! timed is asserted.
//!
//!     cargo run --release -p latchkey-bench --bin console_bench [-- --users 10000 --requests 200]

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
#[allow(dead_code)]
mod load;

#[path = "../seed.rs"]
mod seed;

use anyhow::{ensure, Context, Result};
use clap::Parser;
use latchkey_server::{ServerOptions, StoreChoice};
use load::{call, loadavg, peak_rss_mib, print, run};
use serde_json::json;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// Users in the pool.
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Page loads per phase.
    #[arg(long, default_value_t = 200)]
    requests: usize,
}

/// Loads `path` (under the console) `count` times, one at a time; each answer must be a 200
/// page containing `expect`.
async fn phase(
    what: &str,
    http: &reqwest::Client,
    console: &str,
    path: String,
    expect: String,
    count: usize,
) -> Result<()> {
    let url = format!("{console}{path}");
    let (http, expect) = (http.clone(), std::sync::Arc::new(expect));
    let summary = run(count, 1, move |_| {
        let (http, url, expect) = (http.clone(), url.clone(), expect.clone());
        async move {
            let resp = http.get(&url).send().await?;
            let status = resp.status();
            let body = resp.text().await?;
            ensure!(status == 200, "{url}: {status}");
            ensure!(body.contains(expect.as_str()), "{url}: no {expect}");
            Ok(())
        }
    })
    .await?;
    print(what, &summary);
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.users;
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/console-bench")
        .join(std::process::id().to_string());
    std::fs::create_dir_all(&dir)?;
    println!("load average before: {}", loadavg());
    let store = StoreChoice::Sqlite {
        data_dir: dir.clone(),
    };
    let (pool, _client) = seed::make_pool(&store).await?;
    let started = Instant::now();
    seed::seed(&dir, &pool, n).await?;
    println!(
        "seeded {n} users in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let mut opts = ServerOptions::in_memory();
    opts.store = store;
    let server = latchkey_server::spawn(opts).await?;
    ensure!(
        server.console.settings.loopback_open,
        "the console must be open to loopback"
    );
    let http = reqwest::Client::new();
    let console = server.console.url.clone();

    // The second page's token, as the first page's "Next page" link carries it.
    let first = call(
        &http,
        &server.url,
        "ListUsers",
        json!({"UserPoolId": pool, "Limit": 60}),
    )
    .await?;
    let token = first["PaginationToken"].as_str().context("a second page")?;
    let probe = format!("user-{:05}", n / 2);
    let sub = {
        let user = call(
            &http,
            &server.url,
            "AdminGetUser",
            json!({"UserPoolId": pool, "Username": probe}),
        )
        .await?;
        user["UserAttributes"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["Name"] == "sub"))
            .and_then(|x| x["Value"].as_str())
            .context("sub")?
            .to_string()
    };
    let prefix = &probe[..probe.len() - 1];
    let count = args.requests;
    println!("pool {pool}: {n} users; {count} page loads per phase, one at a time");
    let (pool, sub) = (pool.as_str(), sub.as_str());
    let users = |q: &[(&str, &str)]| {
        let mut all = vec![("pool", pool)];
        all.extend_from_slice(q);
        query("/users", &all)
    };
    let phases = [
        (
            "user list, first page",
            users(&[]),
            "user-00000".to_string(),
        ),
        (
            "user list, second page (token)",
            users(&[("token", token)]),
            "user-00060".to_string(),
        ),
        (
            "search: username is exactly",
            users(&[("attr", "username"), ("op", "="), ("value", &probe)]),
            probe.clone(),
        ),
        (
            "search: email starts with (10 hits)",
            users(&[("attr", "email"), ("op", "^="), ("value", prefix)]),
            format!("{prefix}9@example.com"),
        ),
        (
            "search: sub is exactly",
            users(&[("attr", "sub"), ("op", "="), ("value", sub)]),
            probe.clone(),
        ),
        (
            "one user's page",
            query("/user", &[("pool", pool), ("username", &probe)]),
            sub.to_string(),
        ),
    ];
    for (what, path, expect) in phases {
        phase(what, &http, &console, path, expect, count).await?;
    }
    server.shutdown().await;
    println!(
        "peak RSS (server and client): {:.1} MiB; load average after: {}",
        peak_rss_mib(),
        loadavg()
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A console page's path with its query, percent-encoded as a form would send it.
fn query(page: &str, params: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    format!("{page}?{}", q.finish())
}
