//! `lambda-bench --billed`: the Lambda inputs of the cost model (docs/cost.md). Each operation
//! of the usage profile runs in its release function binary, warm, under the CPU quota of its
//! template memory size ([`crate::billed`]); password sign-in also at two other sizes, for the
//! memory choice. Prints a Markdown table; `--json FILE` writes the figures for
//! `latchkey-bench --bin cost`.

use crate::billed::{invoke_all, Invocation, Quota, MB_PER_VCPU};
use latchkey::lambda::Function;
use latchkey_lambda_tests::{events_dir, Fixture};
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

/// Invocations before the measured ones (caches, connections, the hashing workers' buffers).
const WARM_UP: usize = 3;

/// One operation of the usage profile, as its function receives it.
struct Operation {
    name: &'static str,
    function: Function,
    event: &'static str,
    /// Measured invocations.
    calls: usize,
    /// Sizes beside the template's, for the memory choice.
    other_sizes: &'static [u32],
    /// Each invocation signs up a new user (the event's username is made unique).
    unique_username: bool,
}

const OPERATIONS: [Operation; 6] = [
    Operation {
        name: "SignUp",
        function: Function::SignUp,
        event: "sign-up/target-sign-up.json",
        calls: 20,
        other_sizes: &[],
        unique_username: true,
    },
    Operation {
        name: "InitiateAuth USER_PASSWORD_AUTH",
        function: Function::SignIn,
        event: "sign-in/target-initiate-auth.json",
        calls: 20,
        other_sizes: &[512, 1769],
        unique_username: false,
    },
    Operation {
        name: "REFRESH_TOKEN_AUTH",
        function: Function::TokenRefresh,
        event: "token-refresh/target-initiate-auth-refresh.json",
        calls: 100,
        other_sizes: &[],
        unique_username: false,
    },
    Operation {
        name: "GetUser",
        function: Function::CognitoApi,
        event: "cognito-api/target-get-user.json",
        calls: 100,
        other_sizes: &[],
        unique_username: false,
    },
    Operation {
        name: "GetId (known identity)",
        function: Function::Credentials,
        event: "credentials/target-get-id.json",
        calls: 100,
        other_sizes: &[],
        unique_username: false,
    },
    Operation {
        name: "GetCredentialsForIdentity",
        function: Function::Credentials,
        event: "credentials/target-get-credentials-for-identity.json",
        calls: 100,
        other_sizes: &[],
        unique_username: false,
    },
];

/// The `MemorySize` template.yaml gives the function whose `CodeUri` is `functions/<name>`.
fn template_memory(template: &str, name: &str) -> anyhow::Result<u32> {
    let code = format!("CodeUri: functions/{name}");
    let mut lines = template.lines().skip_while(|l| l.trim() != code);
    lines.next();
    lines
        .take_while(|l| !l.trim_start().starts_with("CodeUri:"))
        .find_map(|l| l.trim().strip_prefix("MemorySize:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no MemorySize for {name} in template.yaml"))
}

/// `events` for `op`: its event file, filled, `calls + WARM_UP` times.
fn events(fixture: &Fixture, op: &Operation, memory: u32) -> anyhow::Result<Vec<String>> {
    let filled = fixture
        .event_json(&events_dir().join(op.event))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    (0..op.calls + WARM_UP)
        .map(|i| {
            if !op.unique_username {
                return Ok(filled.clone());
            }
            let mut event: Value = serde_json::from_str(&filled)?;
            let mut body: Value = serde_json::from_str(event["body"].as_str().unwrap_or("{}"))?;
            let user = format!("billed-{}-{memory}-{i}", std::process::id());
            body["UserAttributes"] =
                json!([{"Name": "email", "Value": format!("{user}@example.com")}]);
            body["Username"] = Value::String(user);
            event["body"] = Value::String(body.to_string());
            Ok(event.to_string())
        })
        .collect()
}

/// Figures of one operation at one memory size.
struct Row {
    op: &'static str,
    function: &'static str,
    memory: u32,
    template: bool,
    wall_p50: Duration,
    wall_p99: Duration,
    cpu_mean: Duration,
    billed_ms_mean: f64,
    log_bytes_mean: f64,
}

impl Row {
    fn of(op: &Operation, memory: u32, template: bool, mut runs: Vec<Invocation>) -> Self {
        let n = runs.len().max(1) as f64;
        let cpu_mean = runs.iter().map(|r| r.cpu).sum::<Duration>().div_f64(n);
        let billed_ms_mean = runs
            .iter()
            .map(|r| (r.wall.as_secs_f64() * 1000.0).ceil())
            .sum::<f64>()
            / n;
        let log_bytes_mean = runs.iter().map(|r| r.log_bytes as f64).sum::<f64>() / n;
        runs.sort_by_key(|r| r.wall);
        let pick = |p: f64| runs[((runs.len() as f64 - 1.0) * p).round() as usize].wall;
        Self {
            op: op.name,
            function: op.function.name(),
            memory,
            template,
            wall_p50: pick(0.5),
            wall_p99: pick(0.99),
            cpu_mean,
            billed_ms_mean,
            log_bytes_mean,
        }
    }

    fn gb_seconds(&self) -> f64 {
        self.billed_ms_mean / 1000.0 * f64::from(self.memory) / 1024.0
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs every operation and prints (and with `json`, writes) the figures.
pub async fn report(
    dir: &Path,
    env: Vec<(String, String)>,
    fixture: &Fixture,
    mode: &str,
    json_path: Option<&Path>,
) -> anyhow::Result<()> {
    let template = std::fs::read_to_string(events_dir().join("../template.yaml"))?;
    // Logs as deployed: the template's default level.
    let mut env = env;
    env.retain(|(k, _)| k != "LATCHKEY_LOG");
    env.push(("LATCHKEY_LOG".into(), "info".into()));
    let mut rows = Vec::new();
    for op in &OPERATIONS {
        let deployed = template_memory(&template, op.function.name())?;
        let mut sizes = vec![deployed];
        sizes.extend(op.other_sizes.iter().copied().filter(|m| *m != deployed));
        for memory in sizes {
            let mut env = env.clone();
            env.retain(|(k, _)| k != "AWS_LAMBDA_FUNCTION_MEMORY_SIZE");
            env.push(("AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(), memory.to_string()));
            let quota = Quota::for_memory(memory)?;
            let bin = dir.join(op.function.name());
            let (runs, refusal) =
                invoke_all(&bin, &env, &quota, events(fixture, op, memory)?).await?;
            if let Some(body) = refusal {
                anyhow::bail!("{}: a refusal: {body}", op.name);
            }
            rows.push(Row::of(
                op,
                memory,
                memory == deployed,
                runs[WARM_UP..].to_vec(),
            ));
        }
    }
    println!(
        "\nWarm invocations of the release function binaries on a {mode}, each process under a CPU \
         quota of memory/{MB_PER_VCPU} MB of one core (cgroup), logging at `info`; wall = event \
         handed over → response (the billed duration before rounding up to 1 ms).\n"
    );
    println!("| operation | function | memory (MB) | vCPU share | wall p50 (ms) | wall p99 (ms) | CPU per call (ms) | billed ms (mean, rounded up per call) | GB-s per call | log bytes per call |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {}{} | {} | {} | {:.2} | {:.2} | {:.2} | {:.3} | {:.1} | {:.6} | {:.0} |",
            r.op,
            if r.template { "" } else { " (other size)" },
            r.function,
            r.memory,
            f64::from(r.memory) / MB_PER_VCPU,
            ms(r.wall_p50),
            ms(r.wall_p99),
            ms(r.cpu_mean),
            r.billed_ms_mean,
            r.gb_seconds(),
            r.log_bytes_mean
        );
    }
    if let Some(path) = json_path {
        let ops: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "operation": r.op,
                    "function": r.function,
                    "memory_mb": r.memory,
                    "template_memory": r.template,
                    "wall_p50_ms": ms(r.wall_p50),
                    "wall_p99_ms": ms(r.wall_p99),
                    "cpu_ms": ms(r.cpu_mean),
                    "billed_ms": r.billed_ms_mean,
                    "log_bytes": r.log_bytes_mean,
                })
            })
            .collect();
        let doc = json!({
            "measured_by": "target/release/lambda-bench --billed --json docs/cost/lambda.json (moto as DynamoDB and STS)",
            "store": mode,
            "mb_per_vcpu": MB_PER_VCPU,
            "operations": ops,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")?;
        println!("\nwrote {}", path.display());
    }
    Ok(())
}
