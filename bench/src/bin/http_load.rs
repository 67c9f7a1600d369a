//! GetUser and REFRESH_TOKEN_AUTH under a real HTTP load tool (wrk), against the server build:
//! the CPU each request costs around its RS256 work (issue 24). Sets up a pool, an app client and
//! one confirmed user over the Cognito JSON protocol, signs in once, checks that both requests
//! answer 200 with the expected members, then runs `wrk --latency` on each and prints a Markdown
//! table: rate, p50, p99, each refresh run's two RS256 bounds, and the load average before and
//! after every run. The bounds use Latchkey's own key code:
//! - the one-core bound: cores / (2 x one signature, timed on one thread alone);
//! - the all-cores bound: the signatures per second of one signing thread per core, all at
//!   once, halved. Where the cores slow each other down (two vCPUs of one host core, shared
//!   caches) this is what the machine can sign, and it is below the one-core bound.
//!
//! Both are taken right before and right after the run and their means are used, because this
//! machine's speed drifts by a tenth within minutes. The verdicts give the best and the median
//! run against each bound.
//! A run where wrk saw any non-2xx answer or socket error is reported and fails the program:
//! a wrong token would otherwise show up as a fast 400.
//!
//!     bash scripts/wrk.sh
//!     cargo build --profile server -p latchkey-server -p latchkey-bench
//!     target/server/latchkey --in-memory --port 9311 &
//!     target/server/http_load --url http://127.0.0.1:9311 --server-pid $! [--seconds 10 --runs 3]
//!
//! With `--server-pid PID` (the external server's process) the table also shows the server's
//! CPU time per request (user + system from /proc), which other load on the machine barely
//! changes. Every row also shows wrk's own CPU time per request (this program's finished
//! children, from /proc/self/stat): the load's share of the same cores. `--spawn` starts an
//! in-memory server in this process instead (it then shares the CPU with the bench's own
//! threads as well as with wrk). A measurement: nothing timed is asserted.

#[path = "../client.rs"]
#[allow(dead_code)]
mod client;

#[path = "../costs.rs"]
#[allow(dead_code)]
mod costs;

#[path = "../wrk.rs"]
mod wrk;

#[path = "../stats.rs"]
#[allow(dead_code)]
mod stats;

#[path = "../load.rs"]
#[allow(dead_code)]
mod load;

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::Parser;
use serde_json::json;

use client::Api;
use load::loadavg;
use stats::ms;

/// GetUser's target from issue 24.
const GET_USER_TARGET: f64 = 25_000.0;
/// Refresh's target share of its RS256 bound (issue 24).
const REFRESH_TARGET_PCT: f64 = 80.0;
/// Satisfies the default pool password policy.
const PASSWORD: &str = "Bench-Passw0rd!";

#[derive(Parser, Debug)]
#[command(about = "GetUser and token refresh under wrk, beside the RS256 bound")]
struct Args {
    /// Root URL of a running (release) server.
    #[arg(
        long,
        default_value = "http://127.0.0.1:9229",
        conflicts_with = "spawn"
    )]
    url: String,
    /// Start an in-memory server in this process and load that instead.
    #[arg(long)]
    spawn: bool,
    /// wrk threads (`-t`).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// wrk connections (`-c`).
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds of each wrk run (`-d`).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Runs of each operation, alternating GetUser and refresh.
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Operations to load, in order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "get-user,refresh"
    )]
    ops: Vec<Op>,
    /// The wrk executable.
    #[arg(long, default_value = "wrk")]
    wrk: String,
    /// Process id of the external server: its CPU time per request (user + system, from
    /// /proc) is reported beside the rates, a figure other load on the machine barely moves.
    #[arg(long, conflicts_with = "spawn")]
    server_pid: Option<u32>,
}

/// An operation wrk repeats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// GetUser with one access token: a JWT check and one store read.
    GetUser,
    /// InitiateAuth REFRESH_TOKEN_AUTH with one refresh token: two RS256 signatures.
    Refresh,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::GetUser => "GetUser",
            Op::Refresh => "refresh (REFRESH_TOKEN_AUTH)",
        }
    }
}

/// One row of the table.
struct Row {
    op: Op,
    outcome: wrk::Outcome,
    /// Server CPU (user + system) per request, when the server's process is known.
    cpu_per_request: Option<std::time::Duration>,
    /// wrk's own CPU (user + system) per request: the load's share of the same cores.
    wrk_per_request: Option<std::time::Duration>,
    load_before: String,
    load_after: String,
    /// A refresh run's RS256 bounds, taken right before and right after the run (their means).
    bound: Option<Bounds>,
}

/// Refreshes per second the signatures alone allow (two per refresh).
#[derive(Clone, Copy)]
struct Bounds {
    /// cores / (2 x one signature timed alone).
    one_core: f64,
    /// Signatures per second with every core signing at once, halved.
    all_cores: f64,
}

impl Bounds {
    /// The mean bounds of the measurements before and after a run.
    fn around(before: costs::SignRates, after: costs::SignRates, cores: usize) -> Self {
        let sign = (before.one + after.one).as_secs_f64() / 2.0;
        Self {
            one_core: cores as f64 / sign / 2.0,
            all_cores: (before.all_cores + after.all_cores) / 2.0 / 2.0,
        }
    }
}

/// Which of a refresh run's bounds a figure is set against.
#[derive(Clone, Copy)]
enum Basis {
    OneCore,
    AllCores,
}

impl Basis {
    fn of(self, b: Bounds) -> f64 {
        match self {
            Basis::OneCore => b.one_core,
            Basis::AllCores => b.all_cores,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Basis::OneCore => "one-core RS256 bound",
            Basis::AllCores => "all-cores RS256 bound",
        }
    }
}

#[tokio::main]
async fn main() -> Result<ExitCode> {
    let args = Args::parse();
    if args.threads == 0 || args.connections < args.threads || args.seconds == 0 || args.runs == 0 {
        bail!(
            "--threads, --seconds and --runs must be at least 1, --connections at least --threads"
        );
    }
    if cfg!(debug_assertions) {
        println!("WARNING: debug build; figures are only meaningful with --release");
    }
    let server = if args.spawn {
        let opts = latchkey_server::ServerOptions::in_memory();
        Some(
            latchkey_server::spawn(opts)
                .await
                .context("spawning the server")?,
        )
    } else {
        None
    };
    let url = server.as_ref().map_or(args.url.clone(), |s| s.url.clone());
    let url = format!("{}/", url.trim_end_matches('/'));

    let scripts = setup(&url).await?;
    // With --spawn the server is this process (wrk, a child, is not counted in it).
    let server_pid = if args.spawn {
        Some(std::process::id())
    } else {
        args.server_pid
    };
    let costs = costs::measure().await?;
    // A refresh signs an access token and an id token.
    let refresh_bound = costs.sign_bound() / 2.0;
    println!(
        "server {url} ({}); {} cores; RS256 sign {:.3} ms (median of 200) -> one-core refresh bound {:.0}/s",
        if args.spawn {
            "--spawn, in memory"
        } else {
            "external"
        },
        costs.cores,
        costs.sign.as_secs_f64() * 1e3,
        refresh_bound
    );
    // What the cores sign together, one thread each: on shared vCPUs this is below the bound.
    println!(
        "RS256 signatures with every core signing at once: {:.0}/s -> all-cores refresh bound \
         {:.0}/s ({:.1}% of the one above)",
        costs.parallel_sign_rate,
        costs.parallel_sign_rate / 2.0,
        100.0 * costs.parallel_sign_rate / 2.0 / refresh_bound
    );
    let load = wrk::Load {
        threads: args.threads,
        connections: args.connections,
        seconds: args.seconds,
    };
    println!(
        "wrk -t{} -c{} -d{}s --latency, {} run(s) per operation\n",
        load.threads, load.connections, load.seconds, args.runs
    );

    let mut rows = Vec::new();
    for _ in 0..args.runs {
        for &op in &args.ops {
            let script = match op {
                Op::GetUser => &scripts.0,
                Op::Refresh => &scripts.1,
            };
            let sign_before = match op {
                Op::Refresh => Some(costs::measure_sign().await?),
                Op::GetUser => None,
            };
            let load_before = loadavg();
            let (cpu_before, wrk_before) = (cpu_time(server_pid), wrk_time());
            let (wrk_path, url, script) = (args.wrk.clone(), url.clone(), script.clone());
            let outcome =
                tokio::task::spawn_blocking(move || wrk::run(&wrk_path, &url, &script, load))
                    .await
                    .context("wrk task")??;
            let cpu_per_request = per_request(cpu_before, cpu_time(server_pid), &outcome);
            let wrk_per_request = per_request(wrk_before, wrk_time(), &outcome);
            let load_after = loadavg();
            let bound = match sign_before {
                Some(before) => Some(Bounds::around(
                    before,
                    costs::measure_sign().await?,
                    costs.cores,
                )),
                None => None,
            };
            let row = Row {
                op,
                outcome,
                cpu_per_request,
                wrk_per_request,
                load_before,
                load_after,
                bound,
            };
            print_row_line(&row);
            rows.push(row);
        }
    }

    println!();
    print_table(&rows);
    for op in &args.ops {
        print_verdict(*op, &rows);
    }
    if let Some(server) = server {
        server.shutdown().await;
    }
    if rows.iter().any(|r| !r.outcome.is_clean()) {
        println!(
            "\nFAILED: a run had non-2xx answers or socket errors; its figures are not valid."
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Creates a pool, client and user, signs in, checks both loaded requests once, and writes
/// their wrk scripts; returns the (GetUser, refresh) script paths.
async fn setup(url: &str) -> Result<(std::path::PathBuf, std::path::PathBuf)> {
    let api = Api::new(url, 1)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let run_id = format!("http-load-{}-{}", now.as_millis(), std::process::id());
    let pool = api
        .create_user_pool(&run_id)
        .await
        .with_context(|| format!("CreateUserPool (is a server running at {url}?)"))?;
    let client = api.create_user_pool_client(&pool, &run_id).await?;
    let username = format!("{run_id}-u");
    api.sign_up(&client, &username, PASSWORD).await?;
    api.admin_confirm_sign_up(&pool, &username).await?;
    let tokens = api.sign_in(&client, &username, PASSWORD).await?;
    // The exact requests wrk will send, answered 200 with the right members once by hand.
    api.get_user(&tokens.access_token, &username).await?;
    api.refresh(&client, &tokens.refresh_token).await?;
    api.refresh(&client, &tokens.refresh_token)
        .await
        .context("a refresh token must stay valid after use for a repeated refresh")?;

    let get_user = json!({ "AccessToken": tokens.access_token }).to_string();
    let refresh = json!({
        "ClientId": client,
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "AuthParameters": { "REFRESH_TOKEN": tokens.refresh_token },
    })
    .to_string();
    let dir = std::env::temp_dir().join(format!("latchkey-{run_id}"));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let request = |operation, body| wrk::Request { operation, body };
    Ok((
        wrk::write_script(&dir, "get_user", &request("GetUser", &get_user))?,
        wrk::write_script(&dir, "refresh", &request("InitiateAuth", &refresh))?,
    ))
}

/// User + system CPU time of process `pid` so far (utime and stime of /proc/PID/stat).
fn cpu_time(pid: Option<u32>) -> Option<std::time::Duration> {
    stat_time(&pid?.to_string(), 14)
}

/// User + system CPU time of this program's finished children so far: the wrk runs, which
/// `wrk::run` waits for (cutime and cstime of /proc/self/stat).
fn wrk_time() -> Option<std::time::Duration> {
    stat_time("self", 16)
}

/// The sum of fields `first` and `first + 1` of /proc/`who`/stat (numbered from 1, as in
/// proc(5)), clock ticks of 10 ms.
fn stat_time(who: &str, first: usize) -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{who}/stat")).ok()?;
    let ticks = stat_ticks(&stat, first)?;
    // USER_HZ is 100 on every Linux architecture this runs on.
    Some(std::time::Duration::from_millis(ticks * 10))
}

/// [`stat_time`]'s sum, in ticks, from the text of a stat file.
fn stat_ticks(stat: &str, first: usize) -> Option<u64> {
    // Fields after the command name (field 2), which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let field = |n: usize| fields.get(n.checked_sub(3)?)?.parse::<u64>().ok();
    Some(field(first)? + field(first + 1)?)
}

/// CPU time from `before` to `after` per request of `outcome`.
fn per_request(
    before: Option<std::time::Duration>,
    after: Option<std::time::Duration>,
    outcome: &wrk::Outcome,
) -> Option<std::time::Duration> {
    before
        .zip(after)
        .filter(|_| outcome.requests > 0)
        .map(|(a, b)| b.saturating_sub(a) / outcome.requests as u32)
}

fn print_row_line(r: &Row) {
    let o = &r.outcome;
    println!(
        "{}: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} requests, non-2xx {}, socket errors {}, server CPU {}, wrk CPU {} (load {} -> {})",
        r.op.name(),
        o.requests_per_sec,
        ms(o.p50),
        ms(o.p99),
        o.requests,
        o.non_2xx,
        o.socket_errors,
        micros(r.cpu_per_request),
        micros(r.wrk_per_request),
        r.load_before,
        r.load_after
    );
}

/// A CPU time per request in microseconds, or `-`.
fn micros(d: Option<std::time::Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.0} us", d.as_secs_f64() * 1e6))
}

fn print_table(rows: &[Row]) {
    println!("| operation | req/s | p50 ms | p99 ms | one-core bound /s | % of it | all-cores bound /s | % of it | server CPU / request | wrk CPU / request | load avg before | load avg after |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    for r in rows {
        let o = &r.outcome;
        let column = |basis: Basis| match (r.bound, share(r, basis)) {
            (Some(b), Some(pct)) => format!("{:.0} | {pct:.1}%", basis.of(b)),
            _ => "- | -".into(),
        };
        let (one, all) = (column(Basis::OneCore), column(Basis::AllCores));
        let flag = if o.is_clean() {
            ""
        } else {
            " (INVALID: errors)"
        };
        println!(
            "| {}{flag} | {:.0} | {:.2} | {:.2} | {one} | {all} | {} | {} | {} | {} |",
            r.op.name(),
            o.requests_per_sec,
            ms(o.p50),
            ms(o.p99),
            micros(r.cpu_per_request),
            micros(r.wrk_per_request),
            r.load_before,
            r.load_after
        );
    }
}

/// A refresh run's rate as a share of one of its bounds, in percent.
fn share(r: &Row, basis: Basis) -> Option<f64> {
    r.bound
        .map(|b| 100.0 * r.outcome.requests_per_sec / basis.of(b))
}

/// The median of `values` (None when empty).
fn median_of(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// Compares the clean runs of `op` with its target: the best and the median run (for refresh,
/// against each of its bounds).
fn print_verdict(op: Op, rows: &[Row]) {
    let clean: Vec<&Row> = rows
        .iter()
        .filter(|r| r.op == op && r.outcome.is_clean())
        .collect();
    match op {
        Op::GetUser => judge(
            "GetUser",
            clean.iter().map(|r| r.outcome.requests_per_sec).collect(),
            GET_USER_TARGET,
            |v| format!("{v:.0}/s"),
        ),
        Op::Refresh => {
            for basis in [Basis::OneCore, Basis::AllCores] {
                judge(
                    &format!("refresh against its {}:", basis.name()),
                    clean.iter().filter_map(|r| share(r, basis)).collect(),
                    REFRESH_TARGET_PCT,
                    |v| format!("{v:.1}%"),
                );
            }
        }
    }
}

/// Prints the best and the median of `values` (one per clean run), each set against `target`.
fn judge(what: &str, values: Vec<f64>, target: f64, show: impl Fn(f64) -> String) {
    let runs = values.len();
    let (Some(best), Some(median)) = (values.iter().copied().reduce(f64::max), median_of(values))
    else {
        println!("{what} no clean run");
        return;
    };
    let verdict = |v: f64| if v >= target { "PASS" } else { "BELOW" };
    println!(
        "{what} best {}, median {} of {runs} run(s) (target >= {}): best {}, median {}",
        show(best),
        show(median),
        show(target),
        verdict(best),
        verdict(median)
    );
}

#[cfg(test)]
mod tests {
    use super::stat_ticks;

    #[test]
    fn reads_own_and_children_times_past_a_command_name_with_spaces() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime ...
        let stat = "42 (a (b) c) S 1 42 42 0 -1 4194560 10 20 0 0 7 3 150 90 20 0 1 0";
        assert_eq!(stat_ticks(stat, 14), Some(10));
        assert_eq!(stat_ticks(stat, 16), Some(240));
        assert_eq!(stat_ticks(stat, 40), None);
        assert_eq!(stat_ticks("no name", 14), None);
    }
}
