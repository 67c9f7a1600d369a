//! Latchkey: a self-hosted identity service that speaks Amazon Cognito's protocol.
//!
//! This crate holds all behaviour. Entry points (the local server, the Lambda functions) load
//! their settings with [`config::Config`], build an [`App`] once from its ports, and hand
//! requests to the HTTP edge ([`edge`]), which routes them to [`protocol`].

pub mod cache;
pub mod call;
pub mod clock;
pub mod config;
pub mod console;
pub mod delivery;
pub mod edge;
pub mod error;
pub mod esdk;
pub mod http;
pub mod iam;
pub mod identity;
pub mod ids;
pub mod kms;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod markup;
pub mod oauth;
pub mod pattern;
pub mod portability;
pub mod protocol;
pub mod random;
pub mod saml;
pub mod sdk_env;
pub mod sdk_http;
pub mod secret;
pub mod store;
pub mod sts;
pub mod tags;
pub mod tls;
pub mod triggers;
pub mod userpool;

pub use config::Settings;
pub use error::{ApiError, ApiResult, Error, ErrorKind};

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use userpool::keys::SigningKey;
use userpool::model::UserPool;

/// A pool's parsed signing keys.
pub struct PoolSigners {
    /// Signs ID tokens.
    pub id: SigningKey,
    /// Signs access tokens.
    pub access: SigningKey,
}

/// The application: settings plus the ports every operation runs against.
pub struct App {
    /// Settings.
    pub settings: Settings,
    /// Storage.
    pub store: Arc<dyn store::Store>,
    /// Time.
    pub clock: Arc<dyn clock::Clock>,
    /// Randomness.
    pub random: Arc<dyn random::Random>,
    /// Where codes are sent.
    pub delivery: Arc<dyn delivery::Delivery>,
    /// Password hashing, off the async threads.
    pub hasher: userpool::password::Hasher,
    /// Pool and client configuration, cached briefly.
    pub configs: cache::ConfigCache,
    session_key: tokio::sync::OnceCell<secret::Secret<[u8; 32]>>,
    /// External OIDC providers' keys.
    pub oidc_keys: identity::jwks::JwksCache,
    /// Talks to external identity providers (token and user-info endpoints).
    pub provider_http: http::HttpClient,
    /// Credential vending.
    pub identity: identity::IdentityConfig,
    /// Calls the pools' trigger functions.
    pub triggers: Arc<dyn triggers::invoke::TriggerInvoker>,
    /// Data keys for the custom senders' encrypted codes (KMS).
    pub data_keys: Arc<dyn kms::DataKeys>,
    /// User import jobs: where uploads wait, and whether jobs run in the background.
    pub imports: userpool::imports::ImportSetup,
    identity_signer: tokio::sync::OnceCell<Arc<SigningKey>>,
    signers: RwLock<HashMap<String, Arc<PoolSigners>>>,
}

impl App {
    /// Builds the application from its ports.
    pub fn new(
        settings: Settings,
        store: Arc<dyn store::Store>,
        clock: Arc<dyn clock::Clock>,
        random: Arc<dyn random::Random>,
        delivery: Arc<dyn delivery::Delivery>,
        triggers: Arc<dyn triggers::invoke::TriggerInvoker>,
    ) -> Result<Self, Error> {
        let data_keys = Arc::new(kms::Kms::new(&settings.region));
        let endpoints = settings.provider_endpoints.clone();
        Ok(Self {
            settings,
            store,
            clock: clock.clone(),
            random,
            delivery,
            hasher: userpool::password::Hasher::new()?,
            configs: cache::ConfigCache::new(clock.clone()),
            session_key: tokio::sync::OnceCell::new(),
            oidc_keys: identity::jwks::JwksCache::new(clock.clone(), endpoints),
            provider_http: http::HttpClient::new(std::time::Duration::from_secs(10))?,
            identity: identity::IdentityConfig::default(),
            triggers,
            data_keys,
            imports: userpool::imports::ImportSetup::default(),
            identity_signer: tokio::sync::OnceCell::new(),
            signers: RwLock::new(HashMap::new()),
        })
    }

    /// The App as the server and the functions run it: OS randomness, and messages kept in the
    /// store's outbox (and their codes logged) until [`App::with_delivery`] names transports.
    pub fn on_store(
        settings: Settings,
        store: Arc<dyn store::Store>,
        clock: Arc<dyn clock::Clock>,
        triggers: Arc<dyn triggers::invoke::TriggerInvoker>,
    ) -> Result<Self, Error> {
        let outbox = Arc::new(delivery::Transports::outbox_only(delivery::Outbox::new(
            store.clone(),
            true,
        )));
        Self::new(
            settings,
            store,
            clock,
            Arc::new(random::Csprng),
            outbox,
            triggers,
        )
    }

    /// The unit tests' App: [`App::on_store`] over a fresh in-memory SQLite store, with no
    /// trigger functions and a public URL nothing listens on.
    #[cfg(test)]
    pub(crate) fn in_memory(clock: Arc<dyn clock::Clock>) -> Self {
        let settings = Settings::new("http://127.0.0.1:1", "us-east-1", "000000000000").unwrap();
        let store = Arc::new(store::sqlite::SqliteStore::in_memory().unwrap());
        let triggers = Arc::new(triggers::invoke::Invokers::new("us-east-1"));
        Self::on_store(settings, store, clock, triggers).unwrap()
    }

    /// The pool's parsed keys, parsed once per process.
    pub fn signers(&self, pool: &UserPool) -> Result<Arc<PoolSigners>, Error> {
        if let Some(s) = self
            .signers
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&pool.id)
        {
            return Ok(s.clone());
        }
        let parsed = Arc::new(PoolSigners {
            id: SigningKey::from_stored(&pool.keys.id)?,
            access: SigningKey::from_stored(&pool.keys.access)?,
        });
        self.signers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(pool.id.clone(), parsed.clone());
        Ok(parsed)
    }

    /// The key that seals challenge sessions and SRP state. Made once per deployment and kept
    /// in the store, so every process (every Lambda instance) shares it.
    pub async fn session_key(&self) -> Result<[u8; 32], Error> {
        use base64::Engine;
        let key = self
            .session_key
            .get_or_try_init(|| async {
                let mut fresh = [0u8; 32];
                self.random.fill(&mut fresh);
                let encoded = base64::engine::general_purpose::STANDARD.encode(fresh);
                let kept = self
                    .store
                    .put_setting_once(store::settings::SESSION_KEY, &encoded)
                    .await?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(kept)
                    .map_err(|e| Error::Decode(e.to_string()))?;
                let key: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| Error::Decode("session key is not 32 bytes".into()))?;
                Ok::<_, Error>(secret::Secret::new(key))
            })
            .await?;
        Ok(*key.expose())
    }

    /// The same App sending messages through `delivery`.
    pub fn with_delivery(mut self, delivery: Arc<dyn delivery::Delivery>) -> Self {
        self.delivery = delivery;
        self
    }

    /// The same App keeping import uploads in `files`.
    pub fn with_import_files(
        mut self,
        files: Arc<dyn userpool::imports::files::ImportFiles>,
    ) -> Self {
        self.imports = userpool::imports::ImportSetup::new(files);
        self
    }

    /// The same App handing started import jobs to `worker` (a Lambda worker function).
    pub fn with_import_worker(
        mut self,
        worker: Arc<dyn userpool::imports::worker::JobDispatch>,
    ) -> Self {
        self.imports.worker = Some(worker);
        self
    }

    /// The same App with credential vending configured.
    pub fn with_identity(mut self, config: identity::IdentityConfig) -> Self {
        self.identity = config;
        self
    }

    /// The issuer of identity OpenID tokens: `{issuer base}/cognito-identity`.
    pub fn identity_issuer(&self) -> String {
        format!("{}/cognito-identity", self.settings.issuer_base_url)
    }

    /// The key that signs identity OpenID tokens, made once per deployment and kept in the
    /// store.
    pub async fn identity_signer(&self) -> Result<Arc<SigningKey>, Error> {
        let key = self
            .identity_signer
            .get_or_try_init(|| async {
                let fresh = serde_json::to_string(&SigningKey::generate()?.to_stored()?)?;
                let kept = self
                    .store
                    .put_setting_once(store::settings::IDENTITY_SIGNING_KEY, &fresh)
                    .await?;
                let stored: userpool::model::StoredKey = serde_json::from_str(&kept)?;
                Ok::<_, Error>(Arc::new(SigningKey::from_stored(&stored)?))
            })
            .await?;
        Ok(key.clone())
    }

    /// Forgets a deleted pool's keys.
    pub fn forget_signers(&self, pool_id: &str) {
        self.signers
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(pool_id);
    }
}
