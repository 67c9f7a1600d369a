//! The one settings loader: every `LATCHKEY_*` setting of every entry point, read through a
//! lookup (the environment, or a map in tests), each checked with a message naming it.
//! The functions use [`Config`] as loaded; the local server overlays its command line (and
//! reads the default pool from `latchkey.toml`). Empty values count as unset, so a template
//! can pass `""` for "not configured".

use super::{account_ok, region_ok, url_ok, ConsoleSettings, DEFAULT_CONSOLE_GROUP};
use crate::error::Error;
use crate::secret::Secret;
use std::path::PathBuf;

/// `LATCHKEY_STORE`: which store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// `sqlite`: a file under `LATCHKEY_DATA_DIR` (the local server's default).
    Sqlite,
    /// `memory`: an in-memory SQLite store, lost at exit (local runs).
    Memory,
    /// `dynamodb`: the table `LATCHKEY_TABLE` (the functions' default).
    DynamoDb,
}

/// Where data is kept, once the entry point's default store is applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// Nothing on disk (`LATCHKEY_STORE=memory`, or the server's `LATCHKEY_IN_MEMORY`).
    InMemory,
    /// An SQLite file `latchkey.db` under `data_dir`.
    Sqlite {
        /// The folder.
        data_dir: PathBuf,
    },
    /// One DynamoDB table, reached through the normal AWS configuration
    /// (`AWS_ENDPOINT_URL_DYNAMODB` points it at any DynamoDB-API server).
    DynamoDb {
        /// The table name.
        table: String,
        /// Create the table (key schema, GSI, TTL) if it is missing.
        create_table: bool,
    },
}

/// Where the admin access key's secret comes from (the key that signs `cognito-api` calls).
#[derive(Clone, Debug)]
pub enum AdminKeySource {
    /// No admin key: every signed operation is refused.
    None,
    /// The secret is a Secrets Manager secret string, fetched when the first signed request
    /// needs it (once per instance).
    SecretsManager {
        /// `LATCHKEY_ADMIN_ACCESS_KEY_ID`.
        key_id: String,
        /// `LATCHKEY_ADMIN_SECRET_ID`: the secret's name or ARN.
        secret_id: String,
    },
    /// The secret is in the environment (`LATCHKEY_ADMIN_SECRET_ACCESS_KEY`): local runs.
    Env {
        /// `LATCHKEY_ADMIN_ACCESS_KEY_ID`.
        key_id: String,
        /// The secret access key.
        secret: Secret<String>,
    },
}

/// Every setting. `Debug` never shows a secret.
#[derive(Clone, Debug)]
pub struct Config {
    /// `LATCHKEY_STORE` (`sqlite`, `memory` or `dynamodb`); unset: the entry point's default.
    pub store: Option<StoreKind>,
    /// `LATCHKEY_TABLE`: the DynamoDB table.
    pub table: Option<String>,
    /// `LATCHKEY_CREATE_TABLE`: create the DynamoDB table if it is missing (local server).
    pub create_table: bool,
    /// `LATCHKEY_DATA_DIR` (default `.latchkey`): the SQLite file's folder (local server).
    pub data_dir: PathBuf,
    /// `LATCHKEY_IN_MEMORY`: keep nothing on disk (local server; as `LATCHKEY_STORE=memory`).
    pub in_memory: bool,
    /// `LATCHKEY_ISSUER_BASE_URL`: tokens carry `iss` = this + `/{poolId}`. The functions
    /// need it; the server defaults it to its own URL.
    pub issuer_base_url: Option<String>,
    /// `LATCHKEY_REGION`, else `AWS_REGION`, else `us-east-1`.
    pub region: String,
    /// `LATCHKEY_ACCOUNT_ID` (12 digits; default `000000000000`).
    pub account_id: String,
    /// `LATCHKEY_CREDENTIALS_MODE`: `assume-role` (default) or `web-identity`.
    pub web_identity: bool,
    /// `LATCHKEY_CREDENTIALS_DURATION_SECS` (900..=43200, default 3600); the server's old
    /// name `LATCHKEY_CREDENTIALS_DURATION` is still read when it is unset (deprecated).
    pub credentials_duration_secs: i32,
    /// `LATCHKEY_LOG`: a log filter (default `info`).
    pub log: String,
    /// `LATCHKEY_ADMIN_ACCESS_KEY_ID` with `LATCHKEY_ADMIN_SECRET_ID` or
    /// `LATCHKEY_ADMIN_SECRET_ACCESS_KEY` (cognito-api).
    pub admin_key: AdminKeySource,
    /// `LATCHKEY_HOST` (default `127.0.0.1`): the interface the local server binds.
    pub host: String,
    /// `LATCHKEY_PORT` (default 9229): the local server's port.
    pub port: u16,
    /// `LATCHKEY_HTTPS_PORT`: the local server also listens with TLS on this port (0: a free
    /// one); unset: HTTP only.
    pub https_port: Option<u16>,
    /// `LATCHKEY_TLS_CERT`: the HTTPS listener's certificate chain (PEM); unset: a
    /// self-signed one kept in `data_dir`.
    pub tls_cert: Option<PathBuf>,
    /// `LATCHKEY_TLS_KEY`: the private key of `tls_cert` (PEM).
    pub tls_key: Option<PathBuf>,
    /// `LATCHKEY_CONFIG` (default `latchkey.toml`): the local server's default pool and client.
    pub config_file: PathBuf,
    /// How messages to users are sent.
    pub delivery: DeliveryConfig,
    /// `LATCHKEY_CONSOLE_POOL_ID`: the console's admin pool.
    pub console_pool_id: Option<String>,
    /// `LATCHKEY_CONSOLE_GROUP` (default `latchkey-admins`): its operators' group.
    pub console_group: String,
    /// `LATCHKEY_CONSOLE_LOOPBACK_OPEN`; unset: the entry point's default.
    pub console_loopback_open: Option<bool>,
    /// `LATCHKEY_IMPORT_BUCKET` and `LATCHKEY_IMPORT_WORKER_FUNCTION` (the functions).
    pub imports: super::ImportConfig,
    /// `LATCHKEY_PROVIDER_ENDPOINTS`: `real=replacement` base URLs of the well-known
    /// identity providers (tests play them on loopback).
    pub provider_endpoints: super::ProviderEndpoints,
}

/// The message transports' settings.
#[derive(Clone, Debug)]
pub struct DeliveryConfig {
    /// `LATCHKEY_SMTP_URL`: `smtp://host:port` or `smtps://host:port`, optionally with
    /// `user:pass@` (kept secret).
    pub smtp_url: Option<Secret<String>>,
    /// `LATCHKEY_EMAIL_FROM`: the sender of pools that name no `From` (`address` or
    /// `Name <address>`). The functions send such pools' email through SES from it.
    pub email_from: Option<String>,
    /// `LATCHKEY_DELIVERY_TIMEOUT_MS` (100..=60000, default 10000): how long one send may take.
    pub timeout_ms: u64,
}

/// The region when none is set.
pub const DEFAULT_REGION: &str = "us-east-1";
/// The account id when none is set.
pub const DEFAULT_ACCOUNT_ID: &str = "000000000000";
/// How long one message send may take when none is set, ms.
pub const DEFAULT_DELIVERY_TIMEOUT_MS: u64 = 10_000;
/// Vended credentials' lifetime when none is set, seconds.
pub const DEFAULT_CREDENTIALS_SECS: i32 = 3600;

fn config(msg: String) -> Error {
    Error::Config(msg)
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::load(|name| std::env::var(name).ok())
    }

    /// Reads every setting through `get`, failing on the first bad one with its name.
    pub fn load(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let maybe_flag = |name: &str| match get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(None),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(Some(true)),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(Some(false)),
            Some(v) => Err(config(format!("{name} must be true or false, got {v:?}"))),
        };
        let flag = |name: &str| maybe_flag(name).map(|f| f.unwrap_or(false));
        let store = match get("LATCHKEY_STORE").as_deref() {
            None => None,
            Some("sqlite") => Some(StoreKind::Sqlite),
            Some("memory") => Some(StoreKind::Memory),
            Some("dynamodb") => Some(StoreKind::DynamoDb),
            Some(other) => {
                return Err(config(format!(
                    "LATCHKEY_STORE must be sqlite, memory or dynamodb, got {other:?}"
                )))
            }
        };
        let issuer_base_url = get("LATCHKEY_ISSUER_BASE_URL");
        if let Some(url) = issuer_base_url.as_deref().filter(|u| !url_ok(u)) {
            return Err(config(format!(
                "LATCHKEY_ISSUER_BASE_URL must start with http:// or https://, got {url:?}"
            )));
        }
        let region = get("LATCHKEY_REGION")
            .or_else(|| get("AWS_REGION"))
            .unwrap_or_else(|| DEFAULT_REGION.into());
        if !region_ok(&region) {
            return Err(config(format!(
                "LATCHKEY_REGION must look like us-east-1, got {region:?}"
            )));
        }
        let account_id = get("LATCHKEY_ACCOUNT_ID").unwrap_or_else(|| DEFAULT_ACCOUNT_ID.into());
        if !account_ok(&account_id) {
            return Err(config(format!(
                "LATCHKEY_ACCOUNT_ID must be 12 digits, got {account_id:?}"
            )));
        }
        let web_identity = match get("LATCHKEY_CREDENTIALS_MODE").as_deref() {
            None | Some("assume-role") => false,
            Some("web-identity") => true,
            Some(other) => {
                return Err(config(format!(
                    "LATCHKEY_CREDENTIALS_MODE must be assume-role or web-identity, got {other:?}"
                )))
            }
        };
        let port_number = |name: &str| {
            get(name)
                .map(|v| {
                    v.trim()
                        .parse::<u16>()
                        .map_err(|_| config(format!("{name} must be a port number, got {v:?}")))
                })
                .transpose()
        };
        let port = port_number("LATCHKEY_PORT")?.unwrap_or(9229);
        let https_port = port_number("LATCHKEY_HTTPS_PORT")?;
        Ok(Self {
            store,
            table: get("LATCHKEY_TABLE"),
            create_table: flag("LATCHKEY_CREATE_TABLE")?,
            data_dir: get("LATCHKEY_DATA_DIR").map_or_else(|| ".latchkey".into(), PathBuf::from),
            in_memory: flag("LATCHKEY_IN_MEMORY")?,
            issuer_base_url,
            region,
            account_id,
            web_identity,
            credentials_duration_secs: credentials_duration(&get)?,
            log: get("LATCHKEY_LOG").unwrap_or_else(|| "info".into()),
            admin_key: admin_key(&get)?,
            host: get("LATCHKEY_HOST").unwrap_or_else(|| "127.0.0.1".into()),
            port,
            https_port,
            tls_cert: get("LATCHKEY_TLS_CERT").map(PathBuf::from),
            tls_key: get("LATCHKEY_TLS_KEY").map(PathBuf::from),
            config_file: get("LATCHKEY_CONFIG")
                .map_or_else(|| "latchkey.toml".into(), PathBuf::from),
            delivery: delivery(&get)?,
            console_pool_id: console_pool(&get)?,
            console_group: console_group(&get)?,
            console_loopback_open: maybe_flag("LATCHKEY_CONSOLE_LOOPBACK_OPEN")?,
            provider_endpoints: super::ProviderEndpoints::parse(
                &get("LATCHKEY_PROVIDER_ENDPOINTS").unwrap_or_default(),
            )?,
            imports: super::imports::imports(&get)?,
        })
    }

    /// The console's settings; `loopback_open` is the entry point's default for
    /// `LATCHKEY_CONSOLE_LOOPBACK_OPEN`, and `local_outbox` whether it keeps a local outbox.
    pub fn console(&self, loopback_open: bool, local_outbox: bool) -> ConsoleSettings {
        ConsoleSettings {
            pool_id: self.console_pool_id.clone(),
            group: self.console_group.clone(),
            loopback_open: self.console_loopback_open.unwrap_or(loopback_open),
            local_outbox,
        }
    }

    /// The store, `default` when `LATCHKEY_STORE` is unset.
    pub fn store(&self, default: StoreKind) -> Result<StoreConfig, Error> {
        Ok(match self.store.unwrap_or(default) {
            StoreKind::DynamoDb => StoreConfig::DynamoDb {
                table: self.table.clone().ok_or_else(|| {
                    config("LATCHKEY_TABLE (the server's --table) must name the DynamoDB table (or set LATCHKEY_STORE=memory for a local run)".into())
                })?,
                create_table: self.create_table,
            },
            StoreKind::Memory => StoreConfig::InMemory,
            StoreKind::Sqlite if self.in_memory => StoreConfig::InMemory,
            StoreKind::Sqlite => StoreConfig::Sqlite {
                data_dir: self.data_dir.clone(),
            },
        })
    }

    /// The issuer base URL where there is no default for it (the functions).
    pub fn required_issuer(&self) -> Result<&str, Error> {
        self.issuer_base_url.as_deref().ok_or_else(|| {
            config("LATCHKEY_ISSUER_BASE_URL must be set (the public base URL of the API, e.g. https://auth.example.com)".into())
        })
    }
}

/// `LATCHKEY_SMTP_URL`, `LATCHKEY_EMAIL_FROM`, `LATCHKEY_DELIVERY_TIMEOUT_MS`.
fn delivery(get: &impl Fn(&str) -> Option<String>) -> Result<DeliveryConfig, Error> {
    let smtp_url = get("LATCHKEY_SMTP_URL").map(|v| v.trim().to_string());
    if let Some(url) = &smtp_url {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(config(
                "LATCHKEY_SMTP_URL must start with smtp:// or smtps://".into(),
            ));
        }
    }
    let email_from = get("LATCHKEY_EMAIL_FROM").map(|v| v.trim().to_string());
    if let Some(from) = email_from.as_deref().filter(|f| !f.contains('@')) {
        return Err(config(format!(
            "LATCHKEY_EMAIL_FROM must be an email address (or Name <address>), got {from:?}"
        )));
    }
    let timeout_ms = match get("LATCHKEY_DELIVERY_TIMEOUT_MS") {
        None => DEFAULT_DELIVERY_TIMEOUT_MS,
        Some(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|ms| (100..=60_000).contains(ms))
            .ok_or_else(|| {
                config(format!(
                    "LATCHKEY_DELIVERY_TIMEOUT_MS must be 100..=60000 milliseconds, got {v:?}"
                ))
            })?,
    };
    Ok(DeliveryConfig {
        smtp_url: smtp_url.map(Secret::new),
        email_from,
        timeout_ms,
    })
}

/// `LATCHKEY_CONSOLE_POOL_ID`: a user pool id (`region_suffix`).
fn console_pool(get: &impl Fn(&str) -> Option<String>) -> Result<Option<String>, Error> {
    let Some(id) = get("LATCHKEY_CONSOLE_POOL_ID").map(|v| v.trim().to_string()) else {
        return Ok(None);
    };
    let ok = id.split_once('_').is_some_and(|(region, suffix)| {
        region_ok(region) && !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    if !ok {
        return Err(config(format!(
            "LATCHKEY_CONSOLE_POOL_ID must be a user pool id like us-east-1_AbC12dEf3, got {id:?}"
        )));
    }
    Ok(Some(id))
}

/// `LATCHKEY_CONSOLE_GROUP`: a group name (1 to 128 characters, as Cognito's).
fn console_group(get: &impl Fn(&str) -> Option<String>) -> Result<String, Error> {
    let Some(group) = get("LATCHKEY_CONSOLE_GROUP").map(|v| v.trim().to_string()) else {
        return Ok(DEFAULT_CONSOLE_GROUP.to_string());
    };
    if group.chars().count() > 128 || group.chars().any(char::is_whitespace) {
        return Err(config(format!(
            "LATCHKEY_CONSOLE_GROUP must be a group name (up to 128 characters, no spaces), got {group:?}"
        )));
    }
    Ok(group)
}

/// `LATCHKEY_CREDENTIALS_DURATION_SECS`, else the deprecated `LATCHKEY_CREDENTIALS_DURATION`.
fn credentials_duration(get: &impl Fn(&str) -> Option<String>) -> Result<i32, Error> {
    let named = [
        "LATCHKEY_CREDENTIALS_DURATION_SECS",
        "LATCHKEY_CREDENTIALS_DURATION",
    ]
    .into_iter()
    .find_map(|name| get(name).map(|v| (name, v)));
    let Some((name, v)) = named else {
        return Ok(DEFAULT_CREDENTIALS_SECS);
    };
    v.trim()
        .parse::<i32>()
        .ok()
        .filter(|d| (900..=43_200).contains(d))
        .ok_or_else(|| config(format!("{name} must be 900..=43200 seconds, got {v:?}")))
}

fn admin_key(get: &impl Fn(&str) -> Option<String>) -> Result<AdminKeySource, Error> {
    let Some(key_id) = get("LATCHKEY_ADMIN_ACCESS_KEY_ID") else {
        return Ok(AdminKeySource::None);
    };
    match (
        get("LATCHKEY_ADMIN_SECRET_ID"),
        get("LATCHKEY_ADMIN_SECRET_ACCESS_KEY"),
    ) {
        (Some(secret_id), _) => Ok(AdminKeySource::SecretsManager { key_id, secret_id }),
        (None, Some(secret)) => Ok(AdminKeySource::Env {
            key_id,
            secret: Secret::new(secret),
        }),
        (None, None) => Err(config(
            "LATCHKEY_ADMIN_ACCESS_KEY_ID is set: set LATCHKEY_ADMIN_SECRET_ID (Secrets Manager) or LATCHKEY_ADMIN_SECRET_ACCESS_KEY too".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, Error> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load(|k| map.get(k).cloned())
    }

    /// What the functions take from the settings: the store (DynamoDB by default) and the
    /// issuer, which they must be given.
    fn for_functions(pairs: &[(&str, &str)]) -> Result<(Config, StoreConfig), Error> {
        let c = load(pairs)?;
        let store = c.store(StoreKind::DynamoDb)?;
        c.required_issuer()?;
        Ok((c, store))
    }

    #[test]
    fn reads_defaults_and_names_bad_settings() {
        let (c, store) = for_functions(&[
            ("LATCHKEY_TABLE", "t"),
            ("LATCHKEY_ISSUER_BASE_URL", "https://a"),
            ("AWS_REGION", "eu-west-1"),
            ("LATCHKEY_ADMIN_ACCESS_KEY_ID", ""),
        ])
        .unwrap();
        assert_eq!(
            store,
            StoreConfig::DynamoDb {
                table: "t".into(),
                create_table: false
            }
        );
        assert_eq!(
            (c.region.as_str(), c.credentials_duration_secs),
            ("eu-west-1", 3600)
        );
        assert!(matches!(c.admin_key, AdminKeySource::None));
        let err = |pairs: &[(&str, &str)]| for_functions(pairs).unwrap_err().to_string();
        assert!(err(&[("LATCHKEY_ISSUER_BASE_URL", "https://a")]).contains("LATCHKEY_TABLE"));
        assert!(err(&[("LATCHKEY_STORE", "memory")]).contains("LATCHKEY_ISSUER_BASE_URL"));
        let base = [
            ("LATCHKEY_STORE", "memory"),
            ("LATCHKEY_ISSUER_BASE_URL", "https://a"),
        ];
        let with = |extra: (&'static str, &'static str)| {
            let mut v = base.to_vec();
            v.push(extra);
            err(&v)
        };
        assert!(with(("LATCHKEY_CREDENTIALS_DURATION_SECS", "60")).contains("DURATION"));
        assert!(with(("LATCHKEY_CREDENTIALS_MODE", "x")).contains("CREDENTIALS_MODE"));
        assert!(with(("LATCHKEY_ADMIN_ACCESS_KEY_ID", "K")).contains("LATCHKEY_ADMIN_SECRET_ID"));
        assert!(with(("LATCHKEY_STORE", "postgres")).contains("LATCHKEY_STORE"));
        assert!(with(("LATCHKEY_PORT", "99999")).contains("LATCHKEY_PORT"));
        assert!(with(("LATCHKEY_HTTPS_PORT", "https")).contains("LATCHKEY_HTTPS_PORT"));
        assert!(with(("LATCHKEY_IN_MEMORY", "maybe")).contains("LATCHKEY_IN_MEMORY"));
        assert!(with(("LATCHKEY_REGION", "US_EAST")).contains("LATCHKEY_REGION"));
        assert!(with(("LATCHKEY_ACCOUNT_ID", "12")).contains("LATCHKEY_ACCOUNT_ID"));
        assert!(with(("LATCHKEY_ISSUER_BASE_URL", "ftp://a")).contains("ISSUER_BASE_URL"));
        assert!(with(("LATCHKEY_CONSOLE_POOL_ID", "nope")).contains("LATCHKEY_CONSOLE_POOL_ID"));
        assert!(with(("LATCHKEY_CONSOLE_GROUP", "a b")).contains("LATCHKEY_CONSOLE_GROUP"));
        assert!(with(("LATCHKEY_CONSOLE_LOOPBACK_OPEN", "2")).contains("LOOPBACK_OPEN"));
    }

    #[test]
    fn console_settings_and_the_entry_points_defaults() {
        let c = load(&[]).unwrap();
        let server = c.console(true, true);
        assert_eq!(server.pool_id, None);
        assert_eq!(server.group, "latchkey-admins");
        assert!(server.loopback_open && server.local_outbox);
        assert!(!c.console(false, false).loopback_open);
        let set = load(&[
            ("LATCHKEY_CONSOLE_POOL_ID", "eu-west-1_AbC12dEf3"),
            ("LATCHKEY_CONSOLE_GROUP", "ops"),
            ("LATCHKEY_CONSOLE_LOOPBACK_OPEN", "off"),
        ])
        .unwrap()
        .console(true, true);
        assert_eq!(set.pool_id.as_deref(), Some("eu-west-1_AbC12dEf3"));
        assert_eq!(set.group, "ops");
        assert!(!set.loopback_open);
    }

    #[test]
    fn the_server_defaults_and_the_old_duration_name() {
        let c = load(&[]).unwrap();
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 9229));
        assert_eq!(c.issuer_base_url, None);
        assert_eq!(
            (c.https_port, &c.tls_cert, &c.tls_key),
            (None, &None, &None)
        );
        assert_eq!(
            c.store(StoreKind::Sqlite).unwrap(),
            StoreConfig::Sqlite {
                data_dir: ".latchkey".into()
            }
        );
        let memory = load(&[("LATCHKEY_IN_MEMORY", "true")]).unwrap();
        assert_eq!(
            memory.store(StoreKind::Sqlite).unwrap(),
            StoreConfig::InMemory
        );
        let old = load(&[("LATCHKEY_CREDENTIALS_DURATION", "900")]).unwrap();
        assert_eq!(old.credentials_duration_secs, 900);
        let both = load(&[
            ("LATCHKEY_CREDENTIALS_DURATION", "900"),
            ("LATCHKEY_CREDENTIALS_DURATION_SECS", "1800"),
        ])
        .unwrap();
        assert_eq!(both.credentials_duration_secs, 1800);
        let bad = load(&[("LATCHKEY_CREDENTIALS_DURATION", "1")]).unwrap_err();
        assert!(bad.to_string().contains("LATCHKEY_CREDENTIALS_DURATION "));
    }

    #[test]
    fn never_shows_the_admin_secret() {
        let c = load(&[
            ("LATCHKEY_STORE", "memory"),
            ("LATCHKEY_ISSUER_BASE_URL", "https://a"),
            ("LATCHKEY_ADMIN_ACCESS_KEY_ID", "LKIA1"),
            ("LATCHKEY_ADMIN_SECRET_ACCESS_KEY", "very-secret-value"),
        ])
        .unwrap();
        assert!(!format!("{c:?}").contains("very-secret-value"));
        assert!(matches!(c.admin_key, AdminKeySource::Env { .. }));
    }
}
