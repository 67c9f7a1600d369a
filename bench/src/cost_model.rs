//! The cost model behind `--bin cost` (docs/cost.md): measured inputs per operation, the usage
//! profile per monthly active user, the prices, and the bill of each deployment option.
//!
//! Lambda duration is modelled, not taken from the measured wall time, because the measured
//! runs talk to moto, not DynamoDB: a call bills `cpu / vCPU share + DynamoDB requests ×
//! request latency (+ STS)`, rounded up to a whole millisecond, where the CPU time and the
//! request count are measured and the latency is a stated assumption. The vCPU share is the
//! memory over 1,769 MB, at most one (the work is single-threaded).

use anyhow::{anyhow, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One operation's DynamoDB figures (docs/cost/dynamodb.json).
#[derive(Debug, Clone, Deserialize)]
pub struct DynamoOp {
    /// Requests by DynamoDB operation.
    pub requests: BTreeMap<String, u32>,
    /// Read request units, from item sizes.
    pub read_units: f64,
    /// Write request units in the table (transactions doubled).
    pub write_units_table: f64,
    /// Write request units in GSI1.
    pub write_units_index: f64,
}

#[derive(Debug, Deserialize)]
struct DynamoFile {
    stored_bytes_per_user: f64,
    operations: BTreeMap<String, DynamoOp>,
}

/// One operation's Lambda figures at one memory size (docs/cost/lambda.json).
#[derive(Debug, Clone, Deserialize)]
pub struct LambdaOp {
    /// The profile operation.
    pub operation: String,
    /// The function that served it.
    pub function: String,
    /// Memory size it ran at.
    pub memory_mb: u32,
    /// Whether that is the template's size for the function.
    pub template_memory: bool,
    /// CPU time per call, ms.
    pub cpu_ms: f64,
    /// Bytes the function logged per call (at `info`).
    pub log_bytes: f64,
}

#[derive(Debug, Deserialize)]
struct LambdaFile {
    mb_per_vcpu: f64,
    operations: Vec<LambdaOp>,
}

/// Everything measured.
#[derive(Debug)]
pub struct Inputs {
    dynamo: BTreeMap<String, DynamoOp>,
    stored_bytes_per_user: f64,
    lambda: Vec<LambdaOp>,
    mb_per_vcpu: f64,
}

impl Inputs {
    /// Reads `dir`/dynamodb.json and `dir`/lambda.json.
    pub fn load(dir: &Path) -> Result<Self> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))
        };
        let d: DynamoFile = serde_json::from_str(&read("dynamodb.json")?)?;
        let l: LambdaFile = serde_json::from_str(&read("lambda.json")?)?;
        Ok(Self {
            dynamo: d.operations,
            stored_bytes_per_user: d.stored_bytes_per_user,
            lambda: l.operations,
            mb_per_vcpu: l.mb_per_vcpu,
        })
    }

    fn dynamo(&self, op: &str) -> Result<&DynamoOp> {
        self.dynamo
            .get(op)
            .ok_or_else(|| anyhow!("no DynamoDB figures for {op} in dynamodb.json"))
    }

    /// The figures of `op` at its template memory size.
    fn lambda(&self, op: &str) -> Result<&LambdaOp> {
        self.lambda
            .iter()
            .find(|l| l.operation == op && l.template_memory)
            .ok_or_else(|| anyhow!("no Lambda figures for {op} in lambda.json"))
    }

    /// The template memory of `function` (the size its figures were measured at).
    fn memory_of(&self, function: &str) -> Result<u32> {
        self.lambda
            .iter()
            .find(|l| l.function == function && l.template_memory)
            .map(|l| l.memory_mb)
            .ok_or_else(|| anyhow!("no Lambda figures for the {function} function"))
    }
}

/// What one monthly active user does in a month.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    /// Sign-ups (each confirmed once).
    pub sign_ups: f64,
    /// Password sign-ins.
    pub sign_ins: f64,
    /// REFRESH_TOKEN_AUTH calls.
    pub refreshes: f64,
    /// GetUser calls.
    pub get_users: f64,
    /// GetCredentialsForIdentity calls.
    pub credential_vends: f64,
    /// GetId calls for an identity that exists.
    pub get_ids: f64,
}

impl Profile {
    /// The profile docs/cost.md argues for.
    pub const DEFAULT: Profile = Profile {
        sign_ups: 0.05,
        sign_ins: 2.0,
        refreshes: 60.0,
        get_users: 20.0,
        credential_vends: 30.0,
        get_ids: 1.0,
    };

    /// One line naming the numbers.
    pub fn describe(&self) -> String {
        format!(
            "profile per MAU per month: {} sign-ups (+ confirmation), {} sign-ins, {} refreshes, \
             {} GetUser, {} GetId, {} GetCredentialsForIdentity",
            self.sign_ups,
            self.sign_ins,
            self.refreshes,
            self.get_users,
            self.get_ids,
            self.credential_vends
        )
    }

    /// (calls per MAU, the operation's name in the inputs, STS calls per call, emails per call).
    fn operations(&self) -> [(f64, &'static str, f64, f64); 7] {
        [
            (self.sign_ups, "SignUp", 0.0, 1.0),
            (self.sign_ups, "ConfirmSignUp", 0.0, 0.0),
            (self.sign_ins, "InitiateAuth USER_PASSWORD_AUTH", 0.0, 0.0),
            (self.refreshes, "REFRESH_TOKEN_AUTH", 0.0, 0.0),
            (self.get_users, "GetUser", 0.0, 0.0),
            (self.get_ids, "GetId (known identity)", 0.0, 0.0),
            (self.credential_vends, "GetCredentialsForIdentity", 1.0, 0.0),
        ]
    }
}

/// Prices (us-east-1, on-demand, no free tier) and the two latencies assumed.
#[derive(Debug, Clone, Copy)]
pub struct Prices {
    /// API Gateway HTTP API, per million requests (first 300 million a month).
    pub api_gateway_per_million: f64,
    /// Lambda, per million requests.
    pub lambda_requests_per_million: f64,
    /// Lambda arm64, per GB-second (first 7.5 billion a month).
    pub lambda_gb_second: f64,
    /// DynamoDB on-demand, per million write request units.
    pub dynamodb_write_per_million: f64,
    /// DynamoDB on-demand, per million read request units.
    pub dynamodb_read_per_million: f64,
    /// DynamoDB Standard storage, per GB-month.
    pub dynamodb_storage_gb_month: f64,
    /// Point-in-time recovery (the template turns it on), per GB-month.
    pub pitr_gb_month: f64,
    /// CloudWatch Logs ingestion, per GB.
    pub logs_per_gb: f64,
    /// Bytes CloudWatch Logs counts per log event beside its text.
    pub log_event_overhead: f64,
    /// Bytes of Lambda's own JSON records per invocation (platform.start and platform.report).
    pub platform_log_bytes: f64,
    /// Secrets Manager, per secret-month (the admin key's secret).
    pub secret_month: f64,
    /// SES, per email (sign-up codes, when EmailFrom is set).
    pub email: f64,
    /// Assumed latency of one DynamoDB request from Lambda, ms.
    pub dynamodb_request_ms: f64,
    /// Assumed latency of one STS AssumeRole, ms.
    pub sts_ms: f64,
}

impl Prices {
    /// The prices docs/cost.md cites.
    pub const DEFAULT: Prices = Prices {
        api_gateway_per_million: 1.00,
        lambda_requests_per_million: 0.20,
        lambda_gb_second: 0.000_013_333_4,
        dynamodb_write_per_million: 0.625,
        dynamodb_read_per_million: 0.125,
        dynamodb_storage_gb_month: 0.25,
        pitr_gb_month: 0.20,
        logs_per_gb: 0.50,
        log_event_overhead: 26.0,
        platform_log_bytes: 450.0,
        secret_month: 0.40,
        email: 0.0001,
        dynamodb_request_ms: 4.0,
        sts_ms: 25.0,
    };
}

/// A deployment option of template.yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Options {
    /// The template as it is: HTTP API, each function at its memory size, logs at `info`.
    Default,
    /// `ApiFunctionUrl=true`: the JSON API on cognito-api's function URL.
    FunctionUrl,
    /// `ApiFunctionUrl=true`, `LogLevel=warn` and `SystemLogLevel=WARN`.
    FunctionUrlQuiet,
}

impl Options {
    /// Every option, default first.
    pub const ALL: [Options; 3] = [
        Options::Default,
        Options::FunctionUrl,
        Options::FunctionUrlQuiet,
    ];

    /// The option's name in the printed line.
    pub fn name(self) -> &'static str {
        match self {
            Options::Default => "default template (HTTP API, LogLevel=info)",
            Options::FunctionUrl => "ApiFunctionUrl=true (JSON API on a function URL)",
            Options::FunctionUrlQuiet => {
                "ApiFunctionUrl=true, LogLevel=warn, SystemLogLevel=WARN (cheapest)"
            }
        }
    }

    /// What the option changes.
    pub fn describe(self) -> &'static str {
        match self {
            Options::Default => "every request through API Gateway's HTTP API to cognito-api",
            Options::FunctionUrl => {
                "the JSON API's requests go to cognito-api's function URL: no API Gateway charge"
            }
            Options::FunctionUrlQuiet => {
                "as above, and no per-request log lines: neither Latchkey's request line nor Lambda's START/REPORT records"
            }
        }
    }

    fn through_api_gateway(self) -> bool {
        self == Options::Default
    }

    fn quiet(self) -> bool {
        self == Options::FunctionUrlQuiet
    }
}

/// One option's monthly bill.
#[derive(Debug)]
pub struct Bill {
    /// The option.
    pub option: Options,
    /// (line item, dollars).
    pub lines: Vec<(String, f64)>,
}

impl Bill {
    /// The month's total.
    pub fn total(&self) -> f64 {
        self.lines.iter().map(|(_, d)| d).sum()
    }
}

/// The monthly bill of `option` for `mau` users at `profile`. The profile's calls are what
/// the SDKs and Amplify send, to `POST /`: the cognito-api function serves them in every
/// option, at its template memory or at `api_memory` MB.
pub fn bill(
    inputs: &Inputs,
    profile: &Profile,
    prices: &Prices,
    option: Options,
    mau: f64,
    api_memory: Option<u32>,
) -> Result<Bill> {
    let (mut requests, mut gb_seconds, mut rru, mut wru, mut log_bytes, mut emails) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let memory = match api_memory {
        Some(mb) => mb,
        None => inputs.memory_of("cognito-api")?,
    };
    for (per_user, op, sts, mail) in profile.operations() {
        let calls = per_user * mau;
        let d = inputs.dynamo(op)?;
        let dynamo_requests: u32 = d.requests.values().sum();
        // ConfirmSignUp was not run in a function binary: it is sign-up's, with no hash, so its
        // CPU is GetUser's order; it takes GetUser's figures (0.05 calls a user).
        let l = inputs.lambda(if op == "ConfirmSignUp" { "GetUser" } else { op })?;
        let share = (f64::from(memory) / inputs.mb_per_vcpu).min(1.0);
        let billed_ms = (l.cpu_ms / share
            + f64::from(dynamo_requests) * prices.dynamodb_request_ms
            + sts * prices.sts_ms)
            .ceil();
        requests += calls;
        gb_seconds += calls * billed_ms / 1000.0 * f64::from(memory) / 1024.0;
        rru += calls * d.read_units;
        wru += calls * (d.write_units_table + d.write_units_index);
        emails += calls * mail;
        if !option.quiet() {
            // Latchkey's request line(s) and Lambda's two platform records, each an event.
            let events = 3.0;
            log_bytes += calls
                * (l.log_bytes + prices.platform_log_bytes + events * prices.log_event_overhead);
        }
    }
    let stored_gb = inputs.stored_bytes_per_user * mau / 1e9;
    let mut lines = Vec::new();
    if option.through_api_gateway() {
        lines.push((
            format!("API Gateway HTTP API: {:.2} M requests", requests / 1e6),
            requests / 1e6 * prices.api_gateway_per_million,
        ));
    }
    lines.push((
        format!("Lambda requests: {:.2} M", requests / 1e6),
        requests / 1e6 * prices.lambda_requests_per_million,
    ));
    lines.push((
        format!("Lambda duration (arm64): {gb_seconds:.0} GB-s"),
        gb_seconds * prices.lambda_gb_second,
    ));
    lines.push((
        format!("DynamoDB reads: {:.2} M read request units", rru / 1e6),
        rru / 1e6 * prices.dynamodb_read_per_million,
    ));
    lines.push((
        format!("DynamoDB writes: {:.2} M write request units", wru / 1e6),
        wru / 1e6 * prices.dynamodb_write_per_million,
    ));
    lines.push((
        format!("DynamoDB storage + PITR: {stored_gb:.3} GB"),
        stored_gb * (prices.dynamodb_storage_gb_month + prices.pitr_gb_month),
    ));
    lines.push((
        format!("CloudWatch Logs ingestion: {:.2} GB", log_bytes / 1e9),
        log_bytes / 1e9 * prices.logs_per_gb,
    ));
    lines.push(("Secrets Manager: the admin key".into(), prices.secret_month));
    lines.push((
        format!("SES: {emails:.0} sign-up emails"),
        emails * prices.email,
    ));
    Ok(Bill { option, lines })
}

/// Amazon Cognito's price for `mau` monthly active users: Lite, Essentials, Plus (us-east-1;
/// Lite and Essentials with their 10,000 free MAU; Lite's tiers above 100,000).
pub fn cognito_tiers(mau: f64) -> [f64; 3] {
    let lite_tiers = [
        (10_000.0, 0.0),
        (100_000.0, 0.0055),
        (1_000_000.0, 0.0046),
        (10_000_000.0, 0.00325),
        (f64::INFINITY, 0.0025),
    ];
    let mut lite = 0.0;
    let mut below = 0.0;
    for (upto, price) in lite_tiers {
        let users = mau.min(upto) - below;
        if users <= 0.0 {
            break;
        }
        lite += users * price;
        below = upto;
    }
    let essentials = (mau - 10_000.0).max(0.0) * 0.015;
    let plus = mau * 0.02;
    [lite, essentials, plus]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed inputs load, and every option's bill adds up from them: positive lines,
    /// the function URL drops API Gateway's line, quiet logs drop the logs' line.
    #[test]
    fn the_committed_inputs_price_every_option() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cost");
        let inputs = Inputs::load(&dir).expect("docs/cost inputs");
        let bills: Vec<Bill> = Options::ALL
            .iter()
            .map(|o| {
                bill(
                    &inputs,
                    &Profile::DEFAULT,
                    &Prices::DEFAULT,
                    *o,
                    100_000.0,
                    None,
                )
                .unwrap()
            })
            .collect();
        for b in &bills {
            assert!(
                b.lines.iter().all(|(_, d)| d.is_finite() && *d >= 0.0),
                "{b:?}"
            );
            assert!(b.total() > 0.0, "{b:?}");
        }
        let has = |b: &Bill, item: &str| b.lines.iter().any(|(l, _)| l.starts_with(item));
        assert!(has(&bills[0], "API Gateway") && !has(&bills[1], "API Gateway"));
        let logs = |b: &Bill| {
            b.lines
                .iter()
                .find(|(l, _)| l.starts_with("CloudWatch Logs"))
                .map(|(_, d)| *d)
        };
        assert!(logs(&bills[1]).unwrap() > 0.0);
        assert_eq!(logs(&bills[2]), Some(0.0));
        assert!(bills[2].total() < bills[0].total());
    }

    #[test]
    fn cognito_tiers_match_the_published_figures_at_100k() {
        let [lite, essentials, plus] = cognito_tiers(100_000.0);
        assert!((lite - 495.0).abs() < 1e-6);
        assert!((essentials - 1350.0).abs() < 1e-6);
        assert!((plus - 2000.0).abs() < 1e-6);
    }
}
