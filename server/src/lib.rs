//! The Latchkey local/standalone server: every operation over HTTP (axum) on the embedded
//! store. The binary is `latchkey`; tests and the bench start it in-process with [`spawn`].

mod bootstrap;
pub mod options;
mod routes;
pub mod tls;
pub mod transfer;
mod workers;

pub use options::{ServerOptions, StoreChoice, StsChoice};
pub use tls::{CertSource, HttpsOptions};

use anyhow::Context;
use latchkey::delivery::Transports;
use latchkey::identity::IdentityConfig;
use latchkey::store::dynamodb::DynamoStore;
use latchkey::store::sqlite::SqliteStore;
use latchkey::store::Store;
use latchkey::sts::StsIssuer;
use latchkey::triggers::invoke::{Invokers, TriggerInvoker};
use latchkey::userpool::imports::files::{ImportFiles, LocalDir};
use latchkey::userpool::imports::s3::S3Files;
use latchkey::{App, Settings};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use workers::{Lane, Workers};

/// A server running in this process.
pub struct RunningServer {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// The default pool, created at first start and kept across restarts.
    pub default_pool_id: String,
    /// The default pool's app client.
    pub default_client_id: String,
    /// How identity pools get credentials, for the start banner.
    pub credentials: String,
    /// How messages to users are sent, for the start banner.
    pub delivery: String,
    /// The HTTPS listener, when one was asked for.
    pub https: Option<HttpsEndpoint>,
    /// The web console.
    pub console: Console,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// The web console of a running server.
#[derive(Clone, Debug)]
pub struct Console {
    /// Its URL, `http://127.0.0.1:PORT/_latchkey/console`.
    pub url: String,
    /// Who may use it (the admin pool filled in).
    pub settings: latchkey::config::ConsoleSettings,
}

/// The HTTPS listener of a running server.
#[derive(Clone, Debug)]
pub struct HttpsEndpoint {
    /// Base URL, `https://127.0.0.1:PORT` (tokens still name the HTTP URL as issuer).
    pub url: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// The certificate in use (PEM), for clients to trust.
    pub cert: std::path::PathBuf,
}

impl RunningServer {
    /// Stops accepting, finishes in-flight requests, and waits for the server to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Waits until the server ends (it runs until shut down).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// The store `choice` names (the DynamoDB table created first with `create_table`).
pub async fn open_store(choice: &StoreChoice) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match choice {
        StoreChoice::InMemory => Arc::new(SqliteStore::in_memory()?),
        StoreChoice::Sqlite { data_dir } => {
            std::fs::create_dir_all(data_dir)
                .with_context(|| format!("creating data dir {}", data_dir.display()))?;
            Arc::new(SqliteStore::open(&data_dir.join("latchkey.db"))?)
        }
        StoreChoice::DynamoDb {
            table,
            create_table,
        } => {
            let client = DynamoStore::client_from_env().await?;
            if *create_table {
                DynamoStore::create_table(&client, table)
                    .await
                    .with_context(|| format!("creating DynamoDB table {table}"))?;
            }
            Arc::new(DynamoStore::new(client, table.as_str()))
        }
    })
}

/// Where import uploads wait: the data dir's `imports/`, else (in memory, DynamoDB) a folder
/// of this process under the system's temporary directory.
fn import_dir(choice: &StoreChoice) -> std::path::PathBuf {
    match choice {
        StoreChoice::Sqlite { data_dir } => data_dir.join("imports"),
        _ => std::env::temp_dir().join(format!(
            "latchkey-imports-{}-{}",
            std::process::id(),
            latchkey::random::uuid_v4(&latchkey::random::Csprng)
        )),
    }
}

/// Where the server's calls to an AWS service (STS; SES and SNS) would go, decided at start
/// without calling anything: with no endpoint and no credentials configured, the SDK would
/// spend seconds retrying the instance metadata service on every call before failing.
#[derive(Debug, PartialEq, Eq)]
enum StsSource {
    /// `AWS_ENDPOINT_URL_<SERVICE>` / `AWS_ENDPOINT_URL`.
    Endpoint(String),
    /// AWS credentials in the environment or the shared files: the account's real STS.
    Account,
    /// Nothing: GetCredentialsForIdentity answers a clear error at once.
    None,
}

impl StsSource {
    fn from_env(env: impl Fn(&str) -> Option<String>, home: Option<std::path::PathBuf>) -> Self {
        Self::for_services(&["STS"], env, home)
    }

    /// The source of the first of `services` (SDK service ids) with an endpoint, else the
    /// account's when credentials are configured.
    fn for_services(
        services: &[&str],
        env: impl Fn(&str) -> Option<String>,
        home: Option<std::path::PathBuf>,
    ) -> Self {
        let endpoint = services
            .iter()
            .find_map(|s| latchkey::sdk_env::configured_endpoint(s, &env));
        if let Some(url) = endpoint {
            return Self::Endpoint(url);
        }
        let var = |k: &str| env(k).filter(|v| !v.is_empty());
        let env_credentials = [
            "AWS_ACCESS_KEY_ID",
            "AWS_PROFILE",
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ]
        .iter()
        .any(|k| var(k).is_some());
        let files = home
            .is_some_and(|h| h.join(".aws/credentials").exists() || h.join(".aws/config").exists());
        if env_credentials || files {
            Self::Account
        } else {
            Self::None
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Endpoint(url) => format!("STS at {url}"),
            Self::Account => {
                "your AWS account's STS (credentials from the environment or ~/.aws)".to_string()
            }
            Self::None => "none: set AWS_ENDPOINT_URL_STS or AWS credentials to vend them".into(),
        }
    }
}

/// Binds, builds the App from its ports, ensures the default pool and client exist, and starts
/// serving.
pub async fn spawn(opts: ServerOptions) -> anyhow::Result<RunningServer> {
    let file = opts.load_file()?;
    let listener = tokio::net::TcpListener::bind((opts.host.as_str(), opts.port))
        .await
        .with_context(|| format!("binding {}:{}", opts.host, opts.port))?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    // The HTTPS listener with its acceptor, and what the banner and callers are told of it.
    let (secure, https) = match &opts.https {
        None => (None, None),
        Some(h) => {
            let config = tls::server_config(&h.cert)?;
            let tcp = tokio::net::TcpListener::bind((opts.host.as_str(), h.port))
                .await
                .with_context(|| format!("binding {}:{} (HTTPS)", opts.host, h.port))?;
            let addr = tcp.local_addr()?;
            let endpoint = HttpsEndpoint {
                url: format!("https://{addr}"),
                addr,
                cert: h.cert.cert_path(),
            };
            let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
            (Some((tcp, acceptor)), Some(endpoint))
        }
    };
    // The issuer is the HTTP URL's whichever listener serves a request: a token is the same
    // token over either.
    let settings = Settings::new(
        opts.issuer_base_url.as_deref().unwrap_or(&url),
        &opts.region,
        &opts.account_id,
    )?
    .with_console(opts.console.clone())
    .with_provider_endpoints(opts.provider_endpoints.clone());
    let store = open_store(&opts.store).await?;
    let sts = match opts.sts {
        StsChoice::Disabled => StsSource::None,
        StsChoice::FromEnvironment => StsSource::from_env(
            |k| std::env::var(k).ok(),
            std::env::var_os("HOME").map(std::path::PathBuf::from),
        ),
    };
    let triggers: Arc<dyn TriggerInvoker> = match &opts.triggers {
        Some(invoker) => invoker.clone(),
        None => Arc::new(Invokers::new(&opts.region)),
    };
    let aws_delivery = match opts.sts {
        StsChoice::Disabled => StsSource::None,
        StsChoice::FromEnvironment => StsSource::for_services(
            &["SESv2", "SNS"],
            |k| std::env::var(k).ok(),
            std::env::var_os("HOME").map(std::path::PathBuf::from),
        ),
    };
    // One SDK configuration for STS, the message transports and the import bucket, loaded
    // only if one of them is used.
    let sdk = if sts == StsSource::None
        && aws_delivery == StsSource::None
        && opts.import_bucket.is_none()
    {
        None
    } else {
        Some(latchkey::sdk_http::load_config(&opts.region).await?)
    };
    let aws = sdk.as_ref().filter(|_| aws_delivery != StsSource::None);
    let transports = Transports::from_config(store.clone(), &opts.delivery, aws, false)?;
    let delivery = transports.describe();
    let imports: Arc<dyn ImportFiles> = match (&opts.import_bucket, &sdk) {
        (Some(bucket), Some(sdk)) => Arc::new(S3Files::new(sdk, bucket)),
        _ => Arc::new(LocalDir::new(import_dir(&opts.store))),
    };
    let mut app = App::on_store(settings, store, opts.clock.clone(), triggers)?
        .with_delivery(Arc::new(transports))
        .with_import_files(imports)
        .with_identity(IdentityConfig {
            issuer: sdk
                .as_ref()
                .filter(|_| sts != StsSource::None)
                .map(|c| Arc::new(StsIssuer::new(c)) as Arc<dyn latchkey::sts::CredentialIssuer>),
            web_identity: opts.web_identity,
            duration_secs: opts.credentials_duration_secs,
            // SAML logins read IAM's SAML providers where STS is (moto, or the account).
            saml_providers: sdk
                .as_ref()
                .filter(|_| sts != StsSource::None)
                .and_then(|c| latchkey::iam::IamSamlProviders::new(c).ok())
                .map(|p| Arc::new(p) as Arc<dyn latchkey::iam::SamlProviders>),
        });
    let defaults = bootstrap::ensure_defaults(&app, &file).await?;
    // Operators sign in to the default pool unless another is named.
    let console = &mut app.settings.console;
    console
        .pool_id
        .get_or_insert_with(|| defaults.pool_id.clone());
    let console = Console {
        url: format!("{url}/_latchkey/console"),
        settings: console.clone(),
    };
    let app = Arc::new(app);
    latchkey::userpool::imports::run_in_background(&app);
    let router = routes::router(app);
    // Behind TLS the pages' cookies are `Secure`: the edge reads the scheme from
    // X-Forwarded-Proto, as behind API Gateway (set here, whatever a client sent).
    let tls_router =
        router
            .clone()
            .layer(tower_http::set_header::SetRequestHeaderLayer::overriding(
                axum::http::HeaderName::from_static("x-forwarded-proto"),
                axum::http::HeaderValue::from_static("https"),
            ));
    let (stop, stopped) = watch::channel(false);
    let until_stopped = move || {
        let mut stopped = stopped.clone();
        async move {
            let _ = stopped.wait_for(|s| *s).await;
        }
    };
    let (workers, finished) = Workers::start(Workers::per_core())?;
    let task = tokio::spawn(async move {
        // The peer's address reaches the edge (the console's loopback access).
        let plain = workers.accept(listener, Lane::Plain(router), until_stopped());
        let secure = async {
            if let Some((tcp, acceptor)) = secure {
                let lane = Lane::Tls(tls_router, acceptor);
                workers.accept(tcp, lane, until_stopped()).await;
            }
        };
        tokio::join!(plain, secure);
        // Closes the workers' queues: they finish their connections and end.
        drop(workers);
        finished.wait().await;
    });
    Ok(RunningServer {
        url,
        addr,
        default_pool_id: defaults.pool_id,
        default_client_id: defaults.client_id,
        credentials: sts.describe(),
        delivery,
        https,
        console,
        stop,
        task,
    })
}

#[cfg(test)]
mod tests {
    use super::StsSource;
    use std::collections::HashMap;

    fn source(vars: &[(&str, &str)]) -> StsSource {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        StsSource::from_env(|k| vars.get(k).cloned(), None)
    }

    #[test]
    fn sts_is_used_only_where_something_configures_it() {
        assert_eq!(source(&[]), StsSource::None);
        assert_eq!(source(&[("AWS_ACCESS_KEY_ID", "")]), StsSource::None);
        assert_eq!(
            source(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:5000")]),
            StsSource::Endpoint("http://127.0.0.1:5000".into())
        );
        assert_eq!(source(&[("AWS_PROFILE", "dev")]), StsSource::Account);
        let ignored = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:5000"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ];
        assert_eq!(source(&ignored), StsSource::None);
        assert!(StsSource::None.describe().contains("AWS_ENDPOINT_URL_STS"));
    }
}
