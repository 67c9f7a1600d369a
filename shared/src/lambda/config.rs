//! The functions' settings, read once at init from the environment. A bad or missing setting
//! fails the init with a message that names the variable.

use crate::error::Error;
use crate::secret::Secret;

/// Where the functions keep their data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// The DynamoDB table (`LATCHKEY_TABLE`); `AWS_ENDPOINT_URL_DYNAMODB` is respected.
    DynamoDb {
        /// The table name.
        table: String,
    },
    /// An in-memory SQLite store (`LATCHKEY_STORE=memory`): local runs only, lost at exit.
    Memory,
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

/// Every setting of a function. `Debug` never shows a secret.
#[derive(Clone, Debug)]
pub struct LambdaConfig {
    /// `LATCHKEY_STORE` (`dynamodb`, the default, or `memory`) and `LATCHKEY_TABLE`.
    pub store: StoreConfig,
    /// `LATCHKEY_ISSUER_BASE_URL`: tokens carry `iss` = this + `/{poolId}`. Required.
    pub issuer_base_url: String,
    /// `LATCHKEY_REGION`, else `AWS_REGION` (set by Lambda), else `us-east-1`.
    pub region: String,
    /// `LATCHKEY_ACCOUNT_ID` (12 digits; default `000000000000`).
    pub account_id: String,
    /// `LATCHKEY_CREDENTIALS_MODE`: `assume-role` (default) or `web-identity`.
    pub web_identity: bool,
    /// `LATCHKEY_CREDENTIALS_DURATION_SECS` (900..=43200, default 3600).
    pub credentials_duration_secs: i32,
    /// `LATCHKEY_LOG`: a tracing filter (default `info`).
    pub log_level: String,
    /// `LATCHKEY_ADMIN_ACCESS_KEY_ID` with `LATCHKEY_ADMIN_SECRET_ID` or
    /// `LATCHKEY_ADMIN_SECRET_ACCESS_KEY`.
    pub admin_key: AdminKeySource,
}

fn config(msg: String) -> Error {
    Error::Config(msg)
}

impl LambdaConfig {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `get` (the environment, or a map in tests). Empty values count
    /// as unset, so a template can pass `""` for "not configured".
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let store = match get("LATCHKEY_STORE").as_deref().unwrap_or("dynamodb") {
            "dynamodb" => StoreConfig::DynamoDb {
                table: get("LATCHKEY_TABLE").ok_or_else(|| {
                    config("LATCHKEY_TABLE must name the DynamoDB table (or set LATCHKEY_STORE=memory for a local run)".into())
                })?,
            },
            "memory" => StoreConfig::Memory,
            other => {
                return Err(config(format!(
                    "LATCHKEY_STORE must be dynamodb or memory, got {other:?}"
                )))
            }
        };
        let issuer_base_url = get("LATCHKEY_ISSUER_BASE_URL").ok_or_else(|| {
            config("LATCHKEY_ISSUER_BASE_URL must be set (the public base URL of the API, e.g. https://auth.example.com)".into())
        })?;
        let web_identity = match get("LATCHKEY_CREDENTIALS_MODE").as_deref() {
            None | Some("assume-role") => false,
            Some("web-identity") => true,
            Some(other) => {
                return Err(config(format!(
                    "LATCHKEY_CREDENTIALS_MODE must be assume-role or web-identity, got {other:?}"
                )))
            }
        };
        let credentials_duration_secs = match get("LATCHKEY_CREDENTIALS_DURATION_SECS") {
            None => 3600,
            Some(v) => v
                .trim()
                .parse::<i32>()
                .ok()
                .filter(|d| (900..=43_200).contains(d))
                .ok_or_else(|| {
                    config(format!(
                        "LATCHKEY_CREDENTIALS_DURATION_SECS must be 900..=43200 seconds, got {v:?}"
                    ))
                })?,
        };
        let admin_key = match get("LATCHKEY_ADMIN_ACCESS_KEY_ID") {
            None => AdminKeySource::None,
            Some(key_id) => match (
                get("LATCHKEY_ADMIN_SECRET_ID"),
                get("LATCHKEY_ADMIN_SECRET_ACCESS_KEY"),
            ) {
                (Some(secret_id), _) => AdminKeySource::SecretsManager { key_id, secret_id },
                (None, Some(secret)) => AdminKeySource::Env {
                    key_id,
                    secret: Secret::new(secret),
                },
                (None, None) => return Err(config(
                    "LATCHKEY_ADMIN_ACCESS_KEY_ID is set: set LATCHKEY_ADMIN_SECRET_ID (Secrets Manager) or LATCHKEY_ADMIN_SECRET_ACCESS_KEY too".into(),
                )),
            },
        };
        Ok(Self {
            store,
            issuer_base_url,
            region: get("LATCHKEY_REGION")
                .or_else(|| get("AWS_REGION"))
                .unwrap_or_else(|| "us-east-1".into()),
            account_id: get("LATCHKEY_ACCOUNT_ID").unwrap_or_else(|| "000000000000".into()),
            web_identity,
            credentials_duration_secs,
            log_level: get("LATCHKEY_LOG").unwrap_or_else(|| "info".into()),
            admin_key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<LambdaConfig, Error> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LambdaConfig::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn reads_defaults_and_names_bad_settings() {
        let c = load(&[
            ("LATCHKEY_TABLE", "t"),
            ("LATCHKEY_ISSUER_BASE_URL", "https://a"),
            ("AWS_REGION", "eu-west-1"),
            ("LATCHKEY_ADMIN_ACCESS_KEY_ID", ""),
        ])
        .unwrap();
        assert_eq!(c.store, StoreConfig::DynamoDb { table: "t".into() });
        assert_eq!(
            (c.region.as_str(), c.credentials_duration_secs),
            ("eu-west-1", 3600)
        );
        assert!(matches!(c.admin_key, AdminKeySource::None));
        let err = |pairs: &[(&str, &str)]| load(pairs).unwrap_err().to_string();
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
