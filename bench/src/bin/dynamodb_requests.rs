//! DynamoDB requests and consumed capacity per user-pool operation (figures only, nothing
//! asserted): SignUp, ConfirmSignUp, InitiateAuth USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH,
//! GetTokensFromRefreshToken with rotation, and GetUser.
//!
//! The operations run in this process through `latchkey::protocol::handle_target` on an App
//! whose store is the DynamoDB adapter with a [`RequestMeter`]: every request asks for
//! `ReturnConsumedCapacity=TOTAL`, and the meter counts requests by DynamoDB operation and adds
//! up the units the server reports. Nothing else shares the meter, so the counts are exact.
//! Units are the server's: moto answers fixed figures (GetItem and UpdateItem 0.5, PutItem,
//! DeleteItem and Query 1, BatchGetItem 1 per key, whatever the item size or consistency) and
//! no figure at all for TransactWriteItems, which is then counted as "unreported".
//!
//! Beside the server's figures, each operation is priced as DynamoDB would price it, from the
//! items themselves (`latchkey::store::dynamodb::item_size`): reads by the sizes of the items
//! they returned, writes by the larger of each written item's stored images before and after
//! the operation (this bench scans the table on both sides, outside the meter), transactions
//! doubled, and GSI1 entries written beside the table's. `--json FILE` writes those figures
//! for the cost model (`latchkey-bench --bin cost`, docs/cost.md).
//!
//! Each round is one new user through every operation, after a warm-up round, so pool and
//! client configuration come from the App's cache (as in a warm server or Lambda); a separate
//! line shows what a cold App adds to its first request. GetId and GetCredentialsForIdentity
//! run on an identity pool trusting the user pool, with a credential issuer that answers at
//! once (STS is not DynamoDB's cost).
//!
//!     scripts/moto.sh start
//!     AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=testing \
//!     AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 \
//!       cargo run --release -p latchkey-bench --bin dynamodb_requests [-- --rounds 5]

#[path = "../fixed_credentials.rs"]
mod fixed_credentials;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Parser;
use latchkey::clock::SystemClock;
use latchkey::identity::IdentityConfig;
use latchkey::protocol::handle_target;
use latchkey::random::Csprng;
use latchkey::store::dynamodb::{DynamoStore, ItemKey, RequestMeter, Stored, Usage, WriteUnits};
use latchkey::store::OutboxStore;
use latchkey::triggers::invoke::Invokers;
use latchkey::{App, Settings};
use serde_json::{json, Value};

const PASSWORD: &str = "Bench-Passw0rd!";
const IDP: &str = "AWSCognitoIdentityProviderService.";
const IDENTITY: &str = "AWSCognitoIdentityService.";

#[derive(Parser, Debug)]
#[command(about = "DynamoDB requests and consumed capacity per user-pool operation")]
struct Args {
    /// Users taken through every operation (after one warm-up user).
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Then measure the server's ceiling for one-read operations: this many seconds of
    /// `get_user` (one GetItem each) from 16 tasks at once, with no service code around it.
    #[arg(long, default_value_t = 0)]
    ceiling_seconds: u64,
    /// Write each operation's requests and units from item sizes to this JSON file (the cost
    /// model's DynamoDB input, docs/cost/dynamodb.json).
    #[arg(long)]
    json: Option<PathBuf>,
}

/// GetItems per second the DynamoDB server answers: 16 tasks calling `get_user` for `user`
/// through the adapter for `seconds`.
async fn get_item_ceiling(store: Arc<DynamoStore>, pool: &str, seconds: u64) -> Result<f64> {
    use latchkey::store::UserStore;
    let until = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let started = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let (store, pool) = (store.clone(), pool.to_owned());
        tasks.spawn(async move {
            let mut done = 0u64;
            while std::time::Instant::now() < until {
                store
                    .get_user(&pool, "user0")
                    .await?
                    .context("user0 exists")?;
                done += 1;
            }
            Ok::<u64, anyhow::Error>(done)
        });
    }
    let mut total = 0;
    while let Some(done) = tasks.join_next().await {
        total += done??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// The App under measurement, its meter, and the pool and clients the rounds use.
struct Bench {
    app: Arc<App>,
    store: Arc<DynamoStore>,
    meter: RequestMeter,
    /// An unmetered client for the table snapshots around each operation.
    raw: aws_sdk_dynamodb::Client,
    table: String,
    pool: String,
    client: String,
    rotating: String,
    identity_pool: String,
    provider: String,
}

/// One operation's DynamoDB figures: the requests the meter counted, and units from item sizes.
#[derive(Clone, Debug)]
struct Measured {
    usage: Usage,
    read_units: f64,
    write: WriteUnits,
}

impl Measured {
    /// What two rounds must share to be the same row: the requests and the units.
    fn row_key(&self) -> String {
        format!(
            "{} | {} | {} | {}",
            breakdown(&self.usage),
            self.read_units,
            self.write.table,
            self.write.index
        )
    }
}

/// An App on `store`, as the server builds it (the outbox is the delivery, in the store), with
/// a credential issuer that answers at once.
fn app_on(store: Arc<DynamoStore>) -> Result<Arc<App>> {
    let settings = Settings::new("http://127.0.0.1:1", "us-east-1", "000000000000")?;
    let triggers = Arc::new(Invokers::new("us-east-1"));
    let app = App::on_store(settings, store, Arc::new(SystemClock), triggers)?;
    Ok(Arc::new(app.with_identity(IdentityConfig {
        issuer: Some(Arc::new(fixed_credentials::FixedCredentials)),
        web_identity: false,
        duration_secs: 3600,
        saml_providers: None,
    })))
}

/// Every item of `table`, priced ([`Stored`]) by key.
async fn snapshot(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<HashMap<ItemKey, Stored>> {
    Ok(items(client, table)
        .await?
        .into_iter()
        .map(|(k, (s, _))| (k, s))
        .collect())
}

/// Every item of `table`: priced, with its `kind` attribute.
async fn items(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<HashMap<ItemKey, (Stored, String)>> {
    let mut out = HashMap::new();
    let mut start = None;
    loop {
        let page = client
            .scan()
            .table_name(table)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .context("scanning the table")?;
        for item in page.items() {
            if let Some(key) = ItemKey::of(item) {
                let kind = item.get("kind").and_then(|k| k.as_s().ok());
                let kind = kind.cloned().unwrap_or_else(|| "?".into());
                out.insert(key, (Stored::of(item), kind));
            }
        }
        start = page.last_evaluated_key().cloned();
        if start.is_none() {
            return Ok(out);
        }
    }
}

/// Bytes a table's items take as DynamoDB bills storage: each item and each GSI1 entry with
/// 100 bytes of overhead.
fn stored_bytes(items: &HashMap<ItemKey, Stored>) -> usize {
    let indexed = items.values().filter(|s| s.index_key.is_some());
    items.values().chain(indexed).map(|s| s.size + 100).sum()
}

/// One awsJson call in process; the answer, or an error unless status 200.
async fn call(app: &App, op: &str, body: Value) -> Result<Value> {
    let target = if let Some(op) = op.strip_prefix("identity:") {
        format!("{IDENTITY}{op}")
    } else {
        format!("{IDP}{op}")
    };
    let bytes = serde_json::to_vec(&body)?;
    let reply = handle_target(app, Some(&target), &bytes).await;
    let out: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    if reply.status != 200 {
        bail!("{op}: HTTP {}: {out}", reply.status);
    }
    Ok(out)
}

impl Bench {
    async fn setup(store: DynamoStore, raw: aws_sdk_dynamodb::Client, table: &str) -> Result<Self> {
        let meter = RequestMeter::new();
        let store = Arc::new(store.metered(&meter));
        let app = app_on(store.clone())?;
        let body = json!({"PoolName": "requests", "AutoVerifiedAttributes": ["email"]});
        let pool = call(&app, "CreateUserPool", body).await?["UserPool"]["Id"]
            .as_str()
            .context("pool id")?
            .to_owned();
        let flows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"];
        let mut clients = Vec::new();
        for rotation in [false, true] {
            let mut body = json!({"UserPoolId": pool, "ClientName": "requests",
                "ExplicitAuthFlows": flows});
            if rotation {
                body["RefreshTokenRotation"] =
                    json!({"Feature": "ENABLED", "RetryGracePeriodSeconds": 0});
            }
            let out = call(&app, "CreateUserPoolClient", body).await?;
            let id = out["UserPoolClient"]["ClientId"]
                .as_str()
                .context("client")?;
            clients.push(id.to_owned());
        }
        let [client, rotating] = <[String; 2]>::try_from(clients).expect("two clients");
        let provider = format!("cognito-idp.us-east-1.amazonaws.com/{pool}");
        let body = json!({"IdentityPoolName": "requests", "AllowUnauthenticatedIdentities": false,
            "CognitoIdentityProviders": [{"ProviderName": provider, "ClientId": client}]});
        let created = call(&app, "identity:CreateIdentityPool", body).await?;
        let identity_pool = created["IdentityPoolId"]
            .as_str()
            .context("IdentityPoolId")?
            .to_owned();
        let body = json!({"IdentityPoolId": identity_pool,
            "Roles": {"authenticated": "arn:aws:iam::123456789012:role/latchkey-requests"}});
        call(&app, "identity:SetIdentityPoolRoles", body).await?;
        Ok(Self {
            app,
            store,
            meter,
            raw,
            table: table.to_owned(),
            pool,
            client,
            rotating,
            identity_pool,
            provider,
        })
    }

    /// Runs `op` and returns its answer and what it asked of DynamoDB, priced from the items.
    async fn measured(&self, op: &str, body: Value) -> Result<(Value, Measured)> {
        let before = snapshot(&self.raw, &self.table).await?;
        self.meter.take();
        let out = call(&self.app, op, body).await?;
        let usage = self.meter.take();
        let after = snapshot(&self.raw, &self.table).await?;
        let measured = Measured {
            read_units: usage.read_units(),
            write: usage.write_units(&before, &after),
            usage,
        };
        Ok((out, measured))
    }

    /// The newest code sent to `user` (read outside any measurement).
    async fn code(&self, user: &str) -> Result<String> {
        let sent = self.store.list_outbox(Some(&self.pool), Some(user)).await?;
        let (_, msg) = sent.last().context("no code was sent")?;
        Ok(msg.code.expose().clone())
    }

    /// One new user through every operation, measuring each.
    async fn round(&self, user: &str) -> Result<Vec<(&'static str, Measured)>> {
        let mut usage = Vec::new();
        let (client, rotating) = (&self.client, &self.rotating);
        let attrs = json!([{"Name": "email", "Value": format!("{user}@example.com")}]);
        let body = json!({"ClientId": client, "Username": user, "Password": PASSWORD,
            "UserAttributes": attrs});
        usage.push(("SignUp", self.measured("SignUp", body).await?.1));
        let code = self.code(user).await?;
        let body = json!({"ClientId": client, "Username": user, "ConfirmationCode": code});
        usage.push((
            "ConfirmSignUp",
            self.measured("ConfirmSignUp", body).await?.1,
        ));
        let sign_in = |c: &str| {
            json!({"ClientId": c, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": user, "PASSWORD": PASSWORD}})
        };
        let (out, u) = self.measured("InitiateAuth", sign_in(client)).await?;
        usage.push(("InitiateAuth USER_PASSWORD_AUTH", u));
        let tokens = &out["AuthenticationResult"];
        let refresh = tokens["RefreshToken"].as_str().context("RefreshToken")?;
        let access = tokens["AccessToken"].as_str().context("AccessToken")?;
        let body = json!({"ClientId": client, "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": refresh}});
        usage.push((
            "REFRESH_TOKEN_AUTH",
            self.measured("InitiateAuth", body).await?.1,
        ));
        let out = call(&self.app, "InitiateAuth", sign_in(rotating)).await?;
        let to_rotate = out["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .context("RefreshToken")?;
        let body = json!({"ClientId": rotating, "RefreshToken": to_rotate});
        let (out, u) = self.measured("GetTokensFromRefreshToken", body).await?;
        if out["AuthenticationResult"]["RefreshToken"]
            .as_str()
            .is_none()
        {
            bail!("rotation gave no new refresh token: {out}");
        }
        usage.push(("GetTokensFromRefreshToken, rotating", u));
        let body = json!({"AccessToken": access});
        usage.push(("GetUser", self.measured("GetUser", body).await?.1));
        let id_token = tokens["IdToken"].as_str().context("IdToken")?;
        let logins = json!({ self.provider.clone(): id_token });
        let body = json!({"IdentityPoolId": self.identity_pool, "Logins": logins});
        let (out, u) = self.measured("identity:GetId", body).await?;
        usage.push(("GetId (new identity)", u));
        let identity = out["IdentityId"].as_str().context("IdentityId")?;
        let body = json!({"IdentityId": identity, "Logins": logins});
        let (out, u) = self
            .measured("identity:GetCredentialsForIdentity", body)
            .await?;
        if out["Credentials"]["AccessKeyId"].as_str().is_none() {
            bail!("no credentials: {out}");
        }
        usage.push(("GetCredentialsForIdentity", u));
        let body = json!({"IdentityPoolId": self.identity_pool, "Logins": logins});
        usage.push((
            "GetId (known identity)",
            self.measured("identity:GetId", body).await?.1,
        ));
        Ok(usage)
    }
}

/// One operation's figures for the cost model: requests by DynamoDB operation, and units.
fn cost_input(m: &Measured) -> Value {
    let requests: serde_json::Map<String, Value> = m
        .usage
        .operations
        .iter()
        .map(|(op, o)| (op.clone(), json!(o.requests)))
        .collect();
    json!({
        "requests": requests,
        "read_units": m.read_units,
        "write_units_table": m.write.table,
        "write_units_index": m.write.index,
    })
}

/// `GetItem×1 + TransactWriteItems×1`.
fn breakdown(u: &Usage) -> String {
    let parts: Vec<String> = u
        .operations
        .iter()
        .map(|(op, o)| format!("{op}×{}", o.requests))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(" + ")
    }
}

/// `n (units)` for reads or writes; units as reported, with the unreported requests noted.
fn side(u: &Usage, reads: bool) -> (String, String) {
    let t = if reads { u.reads() } else { u.writes() };
    let units = if t.requests == 0 {
        "-".to_string()
    } else if t.unreported == t.requests {
        "not reported".to_string()
    } else if t.unreported > 0 {
        format!("{} + {} not reported", t.capacity_units, t.unreported)
    } else {
        format!("{}", t.capacity_units)
    };
    (t.requests.to_string(), units)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap_or_else(|_| "(AWS default endpoint)".into());
    let client = DynamoStore::client_from_env().await?;
    let table = format!("latchkey-requests-{}", latchkey::random::uuid_v4(&Csprng));
    DynamoStore::create_table(&client, &table)
        .await
        .with_context(|| format!("creating table {table} at {endpoint}"))?;
    println!(
        "DynamoDB at {endpoint}, table {table}, {} rounds",
        args.rounds
    );
    let bench = Bench::setup(
        DynamoStore::new(client.clone(), table.as_str()),
        client,
        &table,
    )
    .await?;
    let setup_bytes = stored_bytes(&snapshot(&bench.raw, &bench.table).await?);
    bench.round("warmup").await?;

    let mut seen: BTreeMap<&'static str, Vec<Measured>> = BTreeMap::new();
    let mut order = Vec::new();
    for i in 0..args.rounds {
        for (op, measured) in bench.round(&format!("user{i}")).await? {
            if !seen.contains_key(op) {
                order.push(op);
            }
            seen.entry(op).or_default().push(measured);
        }
    }

    println!(
        "\n| operation | DynamoDB requests | reads | read units reported | writes | write units reported \
         | read units, item sizes | write units, item sizes: table + GSI1 |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    let mut json_rows = serde_json::Map::new();
    for op in order {
        let rounds = &seen[op];
        let mut distinct: Vec<&Measured> = Vec::new();
        for m in rounds {
            if !distinct.iter().any(|d| d.row_key() == m.row_key()) {
                distinct.push(m);
            }
        }
        for m in &distinct {
            let u = &m.usage;
            let (r, ru) = side(u, true);
            let (w, wu) = side(u, false);
            let times = rounds.iter().filter(|x| x.row_key() == m.row_key()).count();
            let note = if times == rounds.len() {
                String::new()
            } else {
                format!(" ({times} of {} rounds)", rounds.len())
            };
            println!(
                "| {op}{note} | {} | {r} | {ru} | {w} | {wu} | {} | {} + {} |",
                breakdown(u),
                m.read_units,
                m.write.table,
                m.write.index
            );
        }
        // The cost model takes the most common row (the last, on a tie).
        let common = distinct
            .iter()
            .max_by_key(|d| rounds.iter().filter(|x| x.row_key() == d.row_key()).count())
            .context("no rounds")?;
        json_rows.insert(op.to_string(), cost_input(common));
    }
    // What the rounds added to the table per user (the pool, clients and identity pool were
    // there before): items with DynamoDB's 100 bytes of per-item overhead, GSI1 entries again.
    let all = items(&bench.raw, &bench.table).await?;
    let mut kinds: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (stored, kind) in all.values() {
        kinds.entry(kind).or_default().push(stored.size);
    }
    println!("\n| item kind | items | mean size (bytes) | largest (bytes) | write units for the largest |");
    println!("|---|---:|---:|---:|---:|");
    for (kind, sizes) in &kinds {
        let largest = sizes.iter().max().copied().unwrap_or(0);
        println!(
            "| {kind} | {} | {:.0} | {largest} | {} |",
            sizes.len(),
            sizes.iter().sum::<usize>() as f64 / sizes.len() as f64,
            largest.div_ceil(1024).max(1)
        );
    }
    let stored: HashMap<ItemKey, Stored> = all.into_iter().map(|(k, (s, _))| (k, s)).collect();
    let bytes = stored_bytes(&stored) - setup_bytes;
    let users = args.rounds + 1;
    let bytes_per_user = bytes as f64 / users as f64;
    println!(
        "\nstored: {bytes} bytes added by {users} users, {bytes_per_user:.0} bytes per user (each \
         with three refresh tokens, an identity, and its sign-up message in the outbox)"
    );
    if let Some(path) = &args.json {
        let doc = json!({
            "stored_bytes_per_user": bytes_per_user,
            "measured_by": "cargo run --release -p latchkey-bench --bin dynamodb_requests -- --json docs/cost/dynamodb.json",
            "dynamodb": endpoint,
            "rounds": args.rounds,
            "operations": json_rows,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
        println!("\nwrote {}", path.display());
    }

    // A cold App (empty caches) on the same table: its first sign-in also reads the client,
    // the pool and the user.
    let cold = Bench {
        app: app_on(bench.store.clone())?,
        ..bench
    };
    cold.meter.take();
    let body = json!({"ClientId": cold.client, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "user0", "PASSWORD": PASSWORD}});
    let (_, m) = cold.measured("InitiateAuth", body).await?;
    println!(
        "\ncold App, first InitiateAuth USER_PASSWORD_AUTH: {} (reads {}, writes {})",
        breakdown(&m.usage),
        m.usage.reads().requests,
        m.usage.writes().requests
    );
    println!(
        "\nreads are GetItem, BatchGetItem, Query, Scan, TransactGetItems; units are as the \
         server reported them (read units for reads, write units for writes)"
    );
    if args.ceiling_seconds > 0 {
        let rate = get_item_ceiling(cold.store.clone(), &cold.pool, args.ceiling_seconds).await?;
        println!(
            "\nceiling: {rate:.0} GetItem/s from 16 tasks for {} s (the adapter alone, no service \
             code): what this DynamoDB server allows a one-read operation such as GetUser",
            args.ceiling_seconds
        );
    }
    Ok(())
}
