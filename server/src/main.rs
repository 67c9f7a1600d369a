//! `latchkey`: the local server. `cargo run --profile server -p latchkey-server` starts it on
//! 127.0.0.1:9229 with an SQLite file under ./.latchkey/. `latchkey export` and
//! `latchkey import` move a deployment's data between stores (docs/export-format.md).

use clap::Parser;
use latchkey::config::{Config, StoreKind};
use latchkey::portability::import::{ImportOptions, OnConflict};
use latchkey_server::{spawn, transfer, ServerOptions};
use std::path::PathBuf;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// Latchkey: a Cognito-compatible identity service, running locally. Every option is also a
/// `LATCHKEY_*` environment variable (README, "Configuration"); an option given here wins.
#[derive(Parser, Debug)]
#[command(name = "latchkey", version)]
struct Cli {
    /// Without a command, run the server.
    #[command(subcommand)]
    command: Option<Command>,
    /// Port to listen on [LATCHKEY_PORT; default 9229].
    #[arg(long)]
    port: Option<u16>,
    /// Also listen with TLS on this port, same routes (0: a free one) [LATCHKEY_HTTPS_PORT;
    /// default: HTTP only]. The certificate is --tls-cert/--tls-key, else a self-signed one
    /// made on the first start and kept in --data-dir (tls-cert.pem, tls-key.pem).
    #[arg(long)]
    https_port: Option<u16>,
    /// Certificate chain (PEM) for --https-port [LATCHKEY_TLS_CERT].
    #[arg(long)]
    tls_cert: Option<PathBuf>,
    /// Private key (PEM) of --tls-cert [LATCHKEY_TLS_KEY].
    #[arg(long)]
    tls_key: Option<PathBuf>,
    /// Interface to bind [LATCHKEY_HOST; default 127.0.0.1].
    #[arg(long)]
    host: Option<String>,
    /// Folder for the SQLite file [LATCHKEY_DATA_DIR; default .latchkey].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Keep everything in memory, nothing written to disk [LATCHKEY_IN_MEMORY].
    #[arg(long, global = true)]
    in_memory: bool,
    /// Storage: `sqlite` (a file under --data-dir), `memory`, or `dynamodb` (--table)
    /// [LATCHKEY_STORE; default sqlite].
    #[arg(long, global = true, value_enum)]
    store: Option<StoreArg>,
    /// DynamoDB table, with --store dynamodb [LATCHKEY_TABLE]; AWS settings come from the usual
    /// environment, e.g. AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION.
    #[arg(long, global = true)]
    table: Option<String>,
    /// Create the DynamoDB table (key schema, GSI, TTL) if it is missing [LATCHKEY_CREATE_TABLE].
    #[arg(long, global = true)]
    create_table: bool,
    /// Base URL of token issuers (`iss` = BASE/poolId) [LATCHKEY_ISSUER_BASE_URL; default the
    /// server's URL].
    #[arg(long)]
    issuer_base_url: Option<String>,
    /// Region used in pool ids and ARNs [LATCHKEY_REGION, else AWS_REGION; default us-east-1].
    #[arg(long)]
    region: Option<String>,
    /// Account id used in ARNs [LATCHKEY_ACCOUNT_ID; default 000000000000].
    #[arg(long)]
    account_id: Option<String>,
    /// Settings for the default pool and client, read when the file exists
    /// [LATCHKEY_CONFIG; default latchkey.toml].
    #[arg(long)]
    config: Option<PathBuf>,
    /// How identity pools get credentials from STS: AssumeRole, or AssumeRoleWithWebIdentity
    /// with Latchkey's own OpenID token (roles then trust Latchkey as an IAM OIDC provider)
    /// [LATCHKEY_CREDENTIALS_MODE; default assume-role].
    #[arg(long, value_enum)]
    credentials_mode: Option<CredentialsMode>,
    /// Lifetime of vended credentials, seconds, 900..43200
    /// [LATCHKEY_CREDENTIALS_DURATION_SECS; default 3600].
    #[arg(long, alias = "credentials-duration-secs",
          value_parser = clap::value_parser!(i32).range(900..=43200))]
    credentials_duration: Option<i32>,
    /// SMTP server for email: smtp://host:port (add ?tls=required for STARTTLS) or
    /// smtps://host:port, optionally user:pass@ [LATCHKEY_SMTP_URL; default: none, email goes
    /// to the outbox].
    #[arg(long)]
    smtp_url: Option<String>,
    /// Sender of pools that name no From: an address or "Name <address>"
    /// [LATCHKEY_EMAIL_FROM].
    #[arg(long)]
    email_from: Option<String>,
}

/// The commands besides running the server. The store options (`--store`, `--data-dir`,
/// `--table`, `--create-table`, the `LATCHKEY_*` variables) name the store, as for the server.
#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Write the store's pools, app clients, users (with password hashes and TOTP secrets),
    /// groups, devices, identity pools and identities as JSON Lines (docs/export-format.md).
    /// The file holds secrets: a new one is made readable by its owner only.
    Export {
        /// The file to write, `-` for stdout.
        #[arg(long)]
        out: PathBuf,
        /// Export only this user pool (repeatable); without --pool or --identity-pool, all.
        #[arg(long = "pool")]
        pools: Vec<String>,
        /// Export only this identity pool (repeatable).
        #[arg(long = "identity-pool")]
        identity_pools: Vec<String>,
    },
    /// Write an export into the store (empty, or holding none of the file's records).
    Import {
        /// The file to read, `-` for stdin.
        #[arg(long = "in")]
        input: PathBuf,
        /// A record the store already holds: `fail` (reported; the import exits non-zero) or
        /// `skip` (reported, and the import succeeds).
        #[arg(long, value_enum, default_value = "fail")]
        on_conflict: ConflictArg,
    },
}

/// What `import` does with a record the store already holds.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ConflictArg {
    /// Report it and fail the import.
    Fail,
    /// Report it and go on.
    Skip,
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
enum StoreArg {
    /// The embedded SQLite store.
    Sqlite,
    /// The embedded store in memory.
    Memory,
    /// One DynamoDB table.
    Dynamodb,
}

impl Cli {
    /// The command line over the settings from the environment.
    fn overlay(self, config: &mut Config) {
        let Cli {
            command: _,
            port,
            https_port,
            tls_cert,
            tls_key,
            host,
            data_dir,
            in_memory,
            store,
            table,
            create_table,
            issuer_base_url,
            region,
            account_id,
            config: config_file,
            credentials_mode,
            credentials_duration,
            smtp_url,
            email_from,
        } = self;
        config.port = port.unwrap_or(config.port);
        config.https_port = https_port.or(config.https_port);
        config.tls_cert = tls_cert.or(config.tls_cert.take());
        config.tls_key = tls_key.or(config.tls_key.take());
        config.host = host.unwrap_or(std::mem::take(&mut config.host));
        config.data_dir = data_dir.unwrap_or(std::mem::take(&mut config.data_dir));
        config.in_memory |= in_memory;
        config.store = store
            .map(|s| match s {
                StoreArg::Sqlite => StoreKind::Sqlite,
                StoreArg::Memory => StoreKind::Memory,
                StoreArg::Dynamodb => StoreKind::DynamoDb,
            })
            .or(config.store);
        config.table = table.or(config.table.take());
        config.create_table |= create_table;
        config.issuer_base_url = issuer_base_url.or(config.issuer_base_url.take());
        config.region = region.unwrap_or(std::mem::take(&mut config.region));
        config.account_id = account_id.unwrap_or(std::mem::take(&mut config.account_id));
        config.config_file = config_file.unwrap_or(std::mem::take(&mut config.config_file));
        if let Some(mode) = credentials_mode {
            config.web_identity = mode == CredentialsMode::WebIdentity;
        }
        config.credentials_duration_secs =
            credentials_duration.unwrap_or(config.credentials_duration_secs);
        config.delivery.smtp_url = smtp_url
            .map(latchkey::secret::Secret::new)
            .or(config.delivery.smtp_url.take());
        config.delivery.email_from = email_from.or(config.delivery.email_from.take());
    }
}

/// `addr` as a browser on this machine reaches it (an unspecified address as 127.0.0.1).
fn loopback(addr: std::net::SocketAddr) -> std::net::SocketAddr {
    if addr.ip().is_unspecified() {
        (std::net::Ipv4Addr::LOCALHOST, addr.port()).into()
    } else {
        addr
    }
}

/// Who may open the console, for the banner.
fn console_access(c: &latchkey::config::ConsoleSettings) -> String {
    let members = format!(
        "members of group {} of pool {} sign in",
        c.group,
        c.pool_id.as_deref().unwrap_or("-")
    );
    if c.loopback_open {
        format!("open from this machine; from elsewhere {members}")
    } else {
        members
    }
}

/// Runs `export` or `import` on the store the options name; the summary goes to stderr.
async fn transfer(command: Command, config: &Config) -> anyhow::Result<()> {
    let store = config.store(StoreKind::Sqlite)?;
    match command {
        Command::Export {
            out,
            pools,
            identity_pools,
        } => {
            let options = latchkey::portability::export::ExportOptions {
                pools,
                identity_pools,
                source: String::new(),
                exported_at: latchkey::protocol::sigv4::format_amz_date(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)?
                        .as_secs() as i64,
                ),
            };
            let counts = transfer::export_store(&store, options, &out).await?;
            let listed: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            eprintln!("exported: {}", listed.join(", "));
            Ok(())
        }
        Command::Import { input, on_conflict } => {
            let options = ImportOptions {
                on_conflict: match on_conflict {
                    ConflictArg::Fail => OnConflict::Fail,
                    ConflictArg::Skip => OnConflict::Skip,
                },
                ..ImportOptions::default()
            };
            let report = transfer::import_store(&store, &input, &options).await?;
            for p in &report.problems {
                eprintln!("line {}: {}", p.line, p.reason);
            }
            let listed: Vec<String> = report
                .imported
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            eprintln!(
                "imported: {}; skipped {}; failed {}",
                if listed.is_empty() {
                    "nothing".to_string()
                } else {
                    listed.join(", ")
                },
                report.skipped,
                report.failed
            );
            if let Some(why) = &report.stopped {
                anyhow::bail!("import stopped: {why}");
            }
            if !report.ok() {
                anyhow::bail!("import failed: {} records not imported", report.failed);
            }
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut cli = Cli::parse();
    let command = cli.command.take();
    let mut config = Config::from_env()?;
    cli.overlay(&mut config);
    if let Some(command) = command {
        return transfer(command, &config).await;
    }
    // `LATCHKEY_LOG`: a default level and per-target levels, e.g. `latchkey=debug,info`.
    let filter = config
        .log
        .parse::<Targets>()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer())
        .with(filter)
        .init();
    let opts = ServerOptions::from_config(&config)?;
    let store = transfer::describe(&opts.store);
    let region = opts.region.clone();
    let server = spawn(opts).await?;
    let https = match &server.https {
        None => String::new(),
        Some(h) => format!(
            "  https:       {url} (certificate {cert})\n  Amplify:     oauth.domain '{host}' (Auth.Cognito.loginWith.oauth)\n",
            url = h.url,
            cert = h.cert.display(),
            host = loopback(h.addr),
        ),
    };
    println!(
        "\nLatchkey is running at {url}\n{https}  store:       {store}\n  user pool:   {pool}\n  app client:  {client}\n  JWKS:        {url}/{pool}/.well-known/jwks.json\n  outbox:      {url}/_latchkey/outbox\n  console:     {console} ({access})\n  credentials: {credentials}\n  messages:    {delivery}\n\nTry it:\n  aws cognito-idp sign-up --endpoint-url {url} --region {region} \\\n    --client-id {client} --username alice --password 'Passw0rd!' \\\n    --user-attributes Name=email,Value=alice@example.com\n  curl -s '{url}/_latchkey/outbox?username=alice'\n  aws cognito-idp confirm-sign-up --endpoint-url {url} --region {region} \\\n    --client-id {client} --username alice --confirmation-code CODE\n  aws cognito-idp initiate-auth --endpoint-url {url} --region {region} \\\n    --client-id {client} --auth-flow USER_PASSWORD_AUTH \\\n    --auth-parameters USERNAME=alice,PASSWORD='Passw0rd!'\n\nManaged login (OAuth 2.0 code flow back to http://localhost:3000/):\n  {url}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2F&scope=openid+email\n  OIDC discovery: {url}/{pool}/.well-known/openid-configuration\n",
        url = server.url,
        pool = server.default_pool_id,
        client = server.default_client_id,
        console = server.console.url,
        access = console_access(&server.console.settings),
        credentials = server.credentials,
        delivery = server.delivery,
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
    }
    server.shutdown().await;
    Ok(())
}
