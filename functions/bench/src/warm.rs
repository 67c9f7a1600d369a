//! Warm handler latency, in-process: an events/ file through a function's handler on a seeded
//! App (in-memory SQLite), after a warm-up, timed per call.

use latchkey::lambda::Function;
use latchkey_lambda_tests::{events_dir, Fixture};
use std::time::{Duration, Instant};

async fn time(
    function: Function,
    file: &str,
    calls: usize,
) -> anyhow::Result<(Vec<Duration>, usize)> {
    let fixture = Fixture::new().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let handler = fixture.handler(function);
    let path = events_dir().join(file);
    let mut times = Vec::with_capacity(calls);
    let mut errors = 0;
    for i in 0..calls + calls / 10 {
        let request = fixture.request(&path).map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = Instant::now();
        let response = handler.handle(request).await;
        let took = started.elapsed();
        if response.status() != 200 {
            errors += 1;
        }
        if i >= calls / 10 {
            times.push(took);
        }
    }
    times.sort();
    Ok((times, errors))
}

fn pct(sorted: &[Duration], p: f64) -> String {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    format!("{:.3}", sorted[i].as_secs_f64() * 1000.0)
}

/// Prints the warm-latency table.
pub async fn report() -> anyhow::Result<()> {
    println!(
        "Warm handler latency, in-process (event → handler → reply), embedded store in memory:\n"
    );
    println!("| operation (event) | calls | p50 (ms) | p90 | p99 | non-200 |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (function, file, calls) in [
        // A password sign-in: one argon2 verify and two RS256 signatures per call.
        (Function::SignIn, "sign-in/rest-sign-in.json", 60),
        (
            Function::TokenRefresh,
            "token-refresh/rest-refresh.json",
            300,
        ),
        (
            Function::TokenRefresh,
            "token-refresh/target-initiate-auth-refresh.json",
            300,
        ),
        (
            Function::CognitoApi,
            "cognito-api/target-get-user.json",
            2000,
        ),
    ] {
        let (times, errors) = time(function, file, calls).await?;
        println!(
            "| {} ({file}) | {} | {} | {} | {} | {errors} |",
            function.name(),
            times.len(),
            pct(&times, 0.5),
            pct(&times, 0.9),
            pct(&times, 0.99)
        );
    }
    Ok(())
}
