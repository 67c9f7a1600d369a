//! `latchkey`: the local server. `cargo run --release -p latchkey-server` starts it on
//! 127.0.0.1:9229 with an SQLite file under ./.latchkey/.

use clap::Parser;
use latchkey_server::{spawn, ServerOptions, StoreChoice};
use std::path::PathBuf;
use std::sync::Arc;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// Latchkey: a Cognito-compatible identity service, running locally.
#[derive(Parser, Debug)]
#[command(name = "latchkey", version)]
struct Cli {
    /// Port to listen on (127.0.0.1).
    #[arg(long, env = "LATCHKEY_PORT", default_value_t = 9229)]
    port: u16,
    /// Interface to bind.
    #[arg(long, env = "LATCHKEY_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Folder for the SQLite file.
    #[arg(long, env = "LATCHKEY_DATA_DIR", default_value = ".latchkey")]
    data_dir: PathBuf,
    /// Keep everything in memory (nothing written to disk).
    #[arg(long, env = "LATCHKEY_IN_MEMORY")]
    in_memory: bool,
    /// Storage: `sqlite` (a file under --data-dir, or --in-memory) or `dynamodb` (--table).
    #[arg(long, env = "LATCHKEY_STORE", value_enum, default_value = "sqlite")]
    store: StoreKind,
    /// DynamoDB table (with --store dynamodb); AWS settings come from the usual environment,
    /// e.g. AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION.
    #[arg(long, env = "LATCHKEY_TABLE", required_if_eq("store", "dynamodb"))]
    table: Option<String>,
    /// Create the DynamoDB table (key schema, GSI, TTL) if it is missing.
    #[arg(long, env = "LATCHKEY_CREATE_TABLE")]
    create_table: bool,
    /// Base URL of token issuers (`iss` = BASE/poolId). Defaults to the server's URL.
    #[arg(long, env = "LATCHKEY_ISSUER_BASE_URL")]
    issuer_base_url: Option<String>,
    /// Region used in pool ids and ARNs.
    #[arg(long, env = "LATCHKEY_REGION", default_value = "us-east-1")]
    region: String,
    /// Account id used in ARNs.
    #[arg(long, env = "LATCHKEY_ACCOUNT_ID", default_value = "000000000000")]
    account_id: String,
    /// Settings for the default pool and client (read when the file exists).
    #[arg(long, env = "LATCHKEY_CONFIG", default_value = "latchkey.toml")]
    config: PathBuf,
    /// How identity pools get credentials from STS: AssumeRole, or AssumeRoleWithWebIdentity
    /// with Latchkey's own OpenID token (roles then trust Latchkey as an IAM OIDC provider).
    #[arg(
        long,
        env = "LATCHKEY_CREDENTIALS_MODE",
        value_enum,
        default_value = "assume-role"
    )]
    credentials_mode: CredentialsMode,
    /// Lifetime of vended credentials, seconds (900..43200).
    #[arg(long, env = "LATCHKEY_CREDENTIALS_DURATION", default_value_t = 3600,
          value_parser = clap::value_parser!(i32).range(900..=43200))]
    credentials_duration: i32,
}

/// How STS is asked for credentials.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum CredentialsMode {
    /// sts:AssumeRole with session tags.
    AssumeRole,
    /// sts:AssumeRoleWithWebIdentity with Latchkey's OpenID token.
    WebIdentity,
}

/// Where data lives.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum StoreKind {
    /// The embedded SQLite store.
    Sqlite,
    /// One DynamoDB table.
    Dynamodb,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `LATCHKEY_LOG`: a default level and per-target levels, e.g. `latchkey=debug,info`.
    let filter = std::env::var("LATCHKEY_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(filter)
        .init();
    let cli = Cli::parse();
    let opts = ServerOptions {
        host: cli.host,
        port: cli.port,
        store: match (cli.store, &cli.table) {
            (StoreKind::Dynamodb, Some(table)) => StoreChoice::DynamoDb {
                table: table.clone(),
                create_table: cli.create_table,
            },
            _ if cli.in_memory => StoreChoice::InMemory,
            _ => StoreChoice::Sqlite {
                data_dir: cli.data_dir.clone(),
            },
        },
        issuer_base_url: cli.issuer_base_url,
        region: cli.region.clone(),
        account_id: cli.account_id,
        config_file: cli.config.exists().then_some(cli.config),
        clock: Arc::new(latchkey::clock::SystemClock),
        web_identity: cli.credentials_mode == CredentialsMode::WebIdentity,
        credentials_duration_secs: cli.credentials_duration,
        sts: latchkey_server::StsChoice::FromEnvironment,
    };
    let server = spawn(opts).await?;
    let store = if let (StoreKind::Dynamodb, Some(table)) = (cli.store, &cli.table) {
        format!("DynamoDB table {table}")
    } else if cli.in_memory {
        "in memory (nothing is kept)".to_string()
    } else {
        format!("SQLite at {}", cli.data_dir.join("latchkey.db").display())
    };
    println!(
        "\nLatchkey is running at {url}\n  store:       {store}\n  user pool:   {pool}\n  app client:  {client}\n  JWKS:        {url}/{pool}/.well-known/jwks.json\n  outbox:      {url}/_latchkey/outbox\n  credentials: {credentials}\n\nTry it:\n  aws cognito-idp sign-up --endpoint-url {url} --region {region} \\\n    --client-id {client} --username alice --password 'Passw0rd!' \\\n    --user-attributes Name=email,Value=alice@example.com\n  curl -s '{url}/_latchkey/outbox?username=alice'\n  aws cognito-idp confirm-sign-up --endpoint-url {url} --region {region} \\\n    --client-id {client} --username alice --confirmation-code CODE\n  aws cognito-idp initiate-auth --endpoint-url {url} --region {region} \\\n    --client-id {client} --auth-flow USER_PASSWORD_AUTH \\\n    --auth-parameters USERNAME=alice,PASSWORD='Passw0rd!'\n",
        url = server.url,
        pool = server.default_pool_id,
        client = server.default_client_id,
        credentials = server.credentials,
        region = cli.region,
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
    }
    server.shutdown().await;
    Ok(())
}
