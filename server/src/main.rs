//! `latchkey`: the local server. `cargo run --release -p latchkey-server` starts it on
//! 127.0.0.1:9229 with an SQLite file under ./.latchkey/.

use clap::Parser;
use latchkey_server::{spawn, ServerOptions, StoreChoice};
use std::path::PathBuf;
use std::sync::Arc;

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LATCHKEY_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let opts = ServerOptions {
        host: cli.host,
        port: cli.port,
        store: if cli.in_memory {
            StoreChoice::InMemory
        } else {
            StoreChoice::Sqlite {
                data_dir: cli.data_dir.clone(),
            }
        },
        issuer_base_url: cli.issuer_base_url,
        region: cli.region.clone(),
        account_id: cli.account_id,
        config_file: cli.config.exists().then_some(cli.config),
        clock: Arc::new(latchkey::clock::SystemClock),
    };
    let server = spawn(opts).await?;
    let store = if cli.in_memory {
        "in memory (nothing is kept)".to_string()
    } else {
        format!("SQLite at {}", cli.data_dir.join("latchkey.db").display())
    };
    println!(
        "\nLatchkey is running at {url}\n  store:       {store}\n  user pool:   {pool}\n  app client:  {client}\n  JWKS:        {url}/{pool}/.well-known/jwks.json\n  outbox:      {url}/_latchkey/outbox\n\nTry it:\n  aws cognito-idp sign-up --endpoint-url {url} --region {region} \\\n    --client-id {client} --username alice --password 'Passw0rd!' \\\n    --user-attributes Name=email,Value=alice@example.com\n  curl -s '{url}/_latchkey/outbox?username=alice'\n  aws cognito-idp confirm-sign-up --endpoint-url {url} --region {region} \\\n    --client-id {client} --username alice --confirmation-code CODE\n  aws cognito-idp initiate-auth --endpoint-url {url} --region {region} \\\n    --client-id {client} --auth-flow USER_PASSWORD_AUTH \\\n    --auth-parameters USERNAME=alice,PASSWORD='Passw0rd!'\n",
        url = server.url,
        pool = server.default_pool_id,
        client = server.default_client_id,
        region = cli.region,
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
    }
    server.shutdown().await;
    Ok(())
}
