//! The AWS Lambda glue (feature `lambda`): every function's `main` is
//! `latchkey::lambda::run(Function::X)`.
//!
//! At init, once per execution environment: settings from the environment (the shared loader,
//! [`crate::config::Config`]), JSON logs with the request id, one AWS SDK configuration shared
//! by the DynamoDB store, STS and Secrets Manager, the [`App`] and its ports, and (for
//! `cognito-api`) the admin access key. Then each API Gateway v2 event goes through
//! [`handler::Handler`], the Lambda adapter of the HTTP edge ([`crate::edge`]): the function's
//! allow-list (read from the edge's route table), its authentication (SigV4 or the IAM
//! authorizer), and the edge.

pub mod admin_keys;
pub mod handler;
pub mod worker;

pub use crate::config::{AdminKeySource, Config, StoreConfig};
pub use crate::edge::{Access, Function};
pub use handler::Handler;
pub use lambda_http::Error;

use crate::clock::SystemClock;
use crate::config::ImportConfig;
use crate::config::StoreKind;
use crate::delivery::Transports;
use crate::identity::IdentityConfig;
use crate::store::dynamodb::DynamoStore;
use crate::store::Store;
use crate::sts::StsIssuer;
use crate::triggers::invoke::{Invokers, TriggerInvoker};
use crate::userpool::imports::s3::S3Files;
use crate::userpool::imports::worker::LambdaWorker;
use crate::{App, Settings};
use admin_keys::AdminKeys;
use std::sync::Arc;
use std::time::Instant;

/// Runs `function` until the Lambda runtime stops it: init once, then serve events: API
/// Gateway requests through the handler (as `lambda_http::run` does), and import worker
/// tickets ([`worker`]).
pub async fn run(function: Function) -> Result<(), Error> {
    use lambda_http::{lambda_runtime, service_fn, LambdaEvent, Service};
    use worker::{FunctionEvent, FunctionReply};
    let config = Config::from_env()?;
    init_logging(&config.log);
    let handler = Arc::new(init(function, &config).await.inspect_err(|e| {
        tracing::error!(error = %e, function = function.name(), "init failed");
    })?);
    let http_handler = handler.clone();
    let http = lambda_http::Adapter::from(service_fn(move |req| {
        let handler = http_handler.clone();
        async move { Ok::<_, Error>(handler.handle(req).await) }
    }));
    let region = config.region.clone();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<FunctionEvent>| {
        let (handler, mut http, region) = (handler.clone(), http.clone(), region.clone());
        async move {
            match event.payload {
                FunctionEvent::Http(req) => http
                    .call(LambdaEvent::new(*req, event.context))
                    .await
                    .map(FunctionReply::Http),
                FunctionEvent::Import(job) => {
                    let sdk = crate::sdk_http::load_config(&region).await?;
                    let next = LambdaWorker::new(
                        aws_sdk_lambda::Client::new(&sdk),
                        &event.context.invoked_function_arn,
                    );
                    let deadline = i64::try_from(event.context.deadline).unwrap_or(i64::MAX);
                    let reply = worker::run_import(handler.app(), &job, deadline, &next).await;
                    Ok(FunctionReply::Import(reply))
                }
            }
        }
    }))
    .await
}

/// JSON logs on stdout (CloudWatch), filtered by `LATCHKEY_LOG`; each request's lines carry
/// its span (`request_id`, `function`).
pub fn init_logging(level: &str) {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    let filter = level
        .parse::<Targets>()
        .unwrap_or_else(|_| Targets::new().with_default(tracing::Level::INFO));
    let json = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .flatten_event(true)
        .with_ansi(false);
    let _ = tracing_subscriber::registry()
        .with(json)
        .with(filter)
        .try_init();
}

/// Builds the handler of `function` from `config`: the App over the configured store (DynamoDB
/// unless `LATCHKEY_STORE` says otherwise), the trigger invoker, the credential issuer where
/// credentials are vended, the admin keys where signatures are checked.
pub async fn init(function: Function, config: &Config) -> Result<Handler, Error> {
    let started = Instant::now();
    let sdk = crate::sdk_http::load_config(&config.region).await?;
    let store: Arc<dyn Store> = match config.store(StoreKind::DynamoDb)? {
        StoreConfig::DynamoDb { table, .. } => Arc::new(DynamoStore::new(
            aws_sdk_dynamodb::Client::new(&sdk),
            table.as_str(),
        )),
        StoreConfig::InMemory => memory_store()?,
        StoreConfig::Sqlite { .. } => {
            return Err(crate::Error::Config(
                "LATCHKEY_STORE=sqlite is the local server's store: the functions take dynamodb or memory".into(),
            )
            .into())
        }
    };
    let vends = matches!(function, Function::Credentials | Function::CognitoApi);
    let triggers = Arc::new(Invokers::new(&config.region));
    let issuer = vends.then(|| StsIssuer::new(&sdk));
    let saml = if vends {
        Some(Arc::new(crate::iam::IamSamlProviders::new(&sdk)?)
            as Arc<dyn crate::iam::SamlProviders>)
    } else {
        None
    };
    let app = build_app(config, store, issuer, saml, triggers)?;
    // Email through SES (the pool's identity, else LATCHKEY_EMAIL_FROM) or SMTP, SMS through
    // SNS; never a code in the logs.
    let transports =
        Transports::from_config(app.store.clone(), &config.delivery, Some(&sdk), true)?;
    let app = with_imports(
        app.with_delivery(Arc::new(transports)),
        &config.imports,
        &sdk,
    );
    let admin_keys = match function {
        Function::CognitoApi => AdminKeys::from_source(&config.admin_key, &sdk),
        _ => AdminKeys::ready(Vec::new()),
    };
    if function == Function::CognitoApi && admin_keys.none_configured() {
        tracing::warn!("no admin access key configured: every signed operation is refused");
    }
    tracing::info!(
        function = function.name(),
        micros = started.elapsed().as_micros() as u64,
        "init done"
    );
    Ok(Handler::with_admin_keys(
        Arc::new(app),
        function,
        admin_keys,
    ))
}

/// `app` with the import settings: uploads in the S3 bucket `LATCHKEY_IMPORT_BUCKET`, started
/// jobs handed to `LATCHKEY_IMPORT_WORKER_FUNCTION`. Without a bucket CreateUserImportJob is
/// refused; without a worker a job runs inside StartUserImportJob.
pub fn with_imports(app: App, imports: &ImportConfig, sdk: &aws_types::SdkConfig) -> App {
    let app = match &imports.bucket {
        Some(bucket) => app.with_import_files(Arc::new(S3Files::new(sdk, bucket))),
        None => app,
    };
    match &imports.worker_function {
        Some(function) => app.with_import_worker(Arc::new(LambdaWorker::new(
            aws_sdk_lambda::Client::new(sdk),
            function,
        ))),
        None => app,
    }
}

/// The in-memory SQLite store of `LATCHKEY_STORE=memory`.
#[cfg(feature = "memory-store")]
fn memory_store() -> Result<Arc<dyn Store>, crate::Error> {
    Ok(Arc::new(crate::store::sqlite::SqliteStore::in_memory()?))
}

/// Deployed builds leave SQLite out (about 1.7 MB): local runs build with the feature.
#[cfg(not(feature = "memory-store"))]
fn memory_store() -> Result<Arc<dyn Store>, crate::Error> {
    Err(crate::Error::Config(
        "LATCHKEY_STORE=memory needs the functions built with `--features latchkey/memory-store` (local runs); deployed functions use DynamoDB (LATCHKEY_TABLE)".into(),
    ))
}

/// The App every function runs: settings, store, system clock and randomness, the outbox
/// (which [`init`] replaces with the configured transports), `triggers`, and credential
/// vending through `issuer` when given.
pub fn build_app(
    config: &Config,
    store: Arc<dyn Store>,
    issuer: Option<StsIssuer>,
    saml_providers: Option<Arc<dyn crate::iam::SamlProviders>>,
    triggers: Arc<dyn TriggerInvoker>,
) -> Result<App, crate::Error> {
    // The functions have no peer address: the console always asks operators to sign in.
    let settings = Settings::new(
        config.required_issuer()?,
        &config.region,
        &config.account_id,
    )?
    .with_console(config.console(false, false))
    .with_provider_endpoints(config.provider_endpoints.clone());
    let app = App::on_store(settings, store, Arc::new(SystemClock), triggers)?;
    Ok(app.with_identity(IdentityConfig {
        issuer: issuer.map(|i| Arc::new(i) as Arc<dyn crate::sts::CredentialIssuer>),
        web_identity: config.web_identity,
        duration_secs: config.credentials_duration_secs,
        saml_providers,
    }))
}
