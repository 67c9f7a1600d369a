//! Server options: the shared settings (`latchkey::config::Config`, every `LATCHKEY_*`
//! variable) with the command line over them, and the optional `latchkey.toml`.

use crate::tls::{CertSource, HttpsOptions};
use anyhow::{bail, Context};
use latchkey::clock::{Clock, SystemClock};
use latchkey::config::{load, Config, ConsoleSettings, DeliveryConfig, StoreKind};
use latchkey::triggers::invoke::TriggerInvoker;
use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

/// Where data lives: the shared settings' store (`latchkey::config::StoreConfig`).
pub use latchkey::config::StoreConfig as StoreChoice;

/// Everything the server needs to start.
#[derive(Clone)]
pub struct ServerOptions {
    /// Interface to bind (loopback by default).
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Also listen with TLS (same router, same issuer as the HTTP listener); `None`: HTTP only.
    pub https: Option<HttpsOptions>,
    /// Storage.
    pub store: StoreChoice,
    /// Base of `iss`; defaults to the server's own URL.
    pub issuer_base_url: Option<String>,
    /// Region for ids and ARNs.
    pub region: String,
    /// Account id for ARNs.
    pub account_id: String,
    /// `latchkey.toml`, if any.
    pub config_file: Option<PathBuf>,
    /// The clock (tests inject a manual one).
    pub clock: Arc<dyn Clock>,
    /// Credential vending: AssumeRole (false) or AssumeRoleWithWebIdentity with Latchkey's
    /// own OpenID token (true).
    pub web_identity: bool,
    /// Lifetime of vended credentials, seconds.
    pub credentials_duration_secs: i32,
    /// Whether identity pools vend credentials through STS.
    pub sts: StsChoice,
    /// Calls the pools' triggers; `None`: Lambda `Invoke` for ARNs and HTTP POST for URLs.
    pub triggers: Option<Arc<dyn TriggerInvoker>>,
    /// SMTP server, default sender and send timeout. SES and SNS are used (for the pools whose
    /// configuration names them) when `sts` is `FromEnvironment` and the environment configures
    /// AWS.
    pub delivery: DeliveryConfig,
    /// Who may use the web console: its admin pool (unset: the default pool) and group, and
    /// whether a browser on this machine gets in without signing in.
    pub console: ConsoleSettings,
    /// `LATCHKEY_IMPORT_BUCKET`: the S3 bucket user-import uploads go to, through S3's own
    /// pre-signed URLs (as in the deployment); `None`: Latchkey keeps them in its data dir and
    /// hands out its own upload URLs.
    pub import_bucket: Option<String>,
    /// `LATCHKEY_PROVIDER_ENDPOINTS`: where the well-known identity providers are reached.
    pub provider_endpoints: latchkey::config::ProviderEndpoints,
}

/// Whether the server calls STS for identity-pool credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StsChoice {
    /// When the environment names an STS endpoint or AWS credentials (decided at start).
    FromEnvironment,
    /// Never: GetCredentialsForIdentity answers a clear configuration error.
    Disabled,
}

impl ServerOptions {
    /// Port 0, in memory, real clock, no config file: for tests and benches.
    pub fn in_memory() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            https: None,
            store: StoreChoice::InMemory,
            issuer_base_url: None,
            region: load::DEFAULT_REGION.into(),
            account_id: load::DEFAULT_ACCOUNT_ID.into(),
            config_file: None,
            clock: Arc::new(SystemClock),
            web_identity: false,
            credentials_duration_secs: load::DEFAULT_CREDENTIALS_SECS,
            sts: StsChoice::FromEnvironment,
            triggers: None,
            delivery: DeliveryConfig {
                smtp_url: None,
                email_from: None,
                timeout_ms: load::DEFAULT_DELIVERY_TIMEOUT_MS,
            },
            console: ConsoleSettings {
                loopback_open: true,
                local_outbox: true,
                ..ConsoleSettings::default()
            },
            import_bucket: None,
            provider_endpoints: Default::default(),
        }
    }

    /// The options `config` gives (the local server's store is SQLite unless it says
    /// otherwise), with the system clock.
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        Ok(Self {
            host: config.host.clone(),
            port: config.port,
            https: https_options(config)?,
            store: config.store(StoreKind::Sqlite)?,
            issuer_base_url: config.issuer_base_url.clone(),
            region: config.region.clone(),
            account_id: config.account_id.clone(),
            config_file: config
                .config_file
                .exists()
                .then(|| config.config_file.clone()),
            clock: Arc::new(SystemClock),
            web_identity: config.web_identity,
            credentials_duration_secs: config.credentials_duration_secs,
            sts: StsChoice::FromEnvironment,
            triggers: None,
            delivery: config.delivery.clone(),
            console: config.console(true, true),
            import_bucket: config.imports.bucket.clone(),
            provider_endpoints: config.provider_endpoints.clone(),
        })
    }

    /// The same options with an HTTPS listener on `port` (0: a free one) using the
    /// certificate generated in (or read from) `cert_dir`.
    pub fn with_https(mut self, port: u16, cert_dir: PathBuf) -> Self {
        self.https = Some(HttpsOptions {
            port,
            cert: CertSource::Generated { dir: cert_dir },
        });
        self
    }

    /// The same options with the console asking everyone to sign in (no loopback access).
    pub fn with_console_sign_in(mut self) -> Self {
        self.console.loopback_open = false;
        self
    }

    /// The same options with another clock.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Reads `latchkey.toml` when one is configured.
    pub fn load_file(&self) -> anyhow::Result<FileConfig> {
        let Some(path) = &self.config_file else {
            return Ok(FileConfig::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))
    }
}

/// The HTTPS listener `config` asks for: the given certificate, or one generated in the data
/// dir (also with an in-memory or DynamoDB store: the certificate is worth keeping).
fn https_options(config: &Config) -> anyhow::Result<Option<HttpsOptions>> {
    let cert = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => CertSource::Files {
            cert: cert.clone(),
            key: key.clone(),
        },
        (None, None) => CertSource::Generated {
            dir: config.data_dir.clone(),
        },
        _ => bail!("--tls-cert and --tls-key (LATCHKEY_TLS_CERT, LATCHKEY_TLS_KEY) go together"),
    };
    match config.https_port {
        Some(port) => Ok(Some(HttpsOptions { port, cert })),
        None if matches!(cert, CertSource::Files { .. }) => {
            bail!("--tls-cert and --tls-key need --https-port (LATCHKEY_HTTPS_PORT)")
        }
        None => Ok(None),
    }
}

/// `latchkey.toml`: the default pool and client, as CreateUserPool / CreateUserPoolClient
/// request members (PascalCase), e.g. `[pool] PoolName = "my-app"`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// CreateUserPool members for the default pool.
    #[serde(default)]
    pub pool: Option<toml::Table>,
    /// CreateUserPoolClient members for the default client.
    #[serde(default)]
    pub client: Option<toml::Table>,
}

impl FileConfig {
    /// A table as JSON.
    pub fn json(table: &Option<toml::Table>) -> anyhow::Result<Value> {
        Ok(match table {
            Some(t) => serde_json::to_value(t)?,
            None => Value::Object(Default::default()),
        })
    }
}
