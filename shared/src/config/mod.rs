//! Typed settings shared by every entry point, validated once at start: [`load`] reads every
//! `LATCHKEY_*` setting (the functions use it as it is; the server overlays its command line
//! and `latchkey.toml`), and [`Settings`] is what the user-pool and identity code needs.

pub mod endpoints;
pub mod imports;
pub mod load;

pub use endpoints::ProviderEndpoints;
pub use imports::ImportConfig;
pub use load::{AdminKeySource, Config, DeliveryConfig, StoreConfig, StoreKind};

/// The admin group of the console's pool when `LATCHKEY_CONSOLE_GROUP` is unset.
pub const DEFAULT_CONSOLE_GROUP: &str = "latchkey-admins";

use crate::error::Error;

/// Settings the user-pool and identity code needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Base of every pool's `iss`: tokens carry `{issuer_base_url}/{poolId}`. No trailing slash.
    pub issuer_base_url: String,
    /// Region used in ids (`us-east-1_AbC...`) and ARNs.
    pub region: String,
    /// Account id used in ARNs.
    pub account_id: String,
    /// Who may use the web console (`crate::console`).
    pub console: ConsoleSettings,
    /// Where the well-known identity providers are reached (`LATCHKEY_PROVIDER_ENDPOINTS`).
    pub provider_endpoints: ProviderEndpoints,
}

/// Who may use the web console: members of one group of one pool, signed in through the
/// managed login, and (where the entry point allows it) anyone on this machine.
#[derive(Clone, Debug)]
pub struct ConsoleSettings {
    /// `LATCHKEY_CONSOLE_POOL_ID`: the admin pool operators sign in to (the local server
    /// defaults it to its default pool); unset: nobody can sign in.
    pub pool_id: Option<String>,
    /// `LATCHKEY_CONSOLE_GROUP`: the group of that pool whose members are operators.
    pub group: String,
    /// `LATCHKEY_CONSOLE_LOOPBACK_OPEN`: a browser on this machine (a loopback peer naming a
    /// loopback host) needs no sign-in. The local server's default; never in the functions,
    /// which have no peer address.
    pub loopback_open: bool,
    /// The entry point keeps a local outbox whose messages the console may show (the local
    /// server; not a setting).
    pub local_outbox: bool,
}

impl Default for ConsoleSettings {
    /// Nobody may sign in; no loopback access; no outbox page.
    fn default() -> Self {
        Self {
            pool_id: None,
            group: DEFAULT_CONSOLE_GROUP.to_string(),
            loopback_open: false,
            local_outbox: false,
        }
    }
}

impl Settings {
    /// Builds settings, failing with a message that names the bad setting.
    pub fn new(issuer_base_url: &str, region: &str, account_id: &str) -> Result<Self, Error> {
        let issuer = issuer_base_url.trim_end_matches('/');
        if !url_ok(issuer) {
            return Err(Error::Config(format!(
                "issuer base URL must start with http:// or https://, got {issuer_base_url:?}"
            )));
        }
        if !region_ok(region) {
            return Err(Error::Config(format!(
                "region must look like us-east-1, got {region:?}"
            )));
        }
        if !account_ok(account_id) {
            return Err(Error::Config(format!(
                "account id must be 12 digits, got {account_id:?}"
            )));
        }
        Ok(Self {
            issuer_base_url: issuer.to_string(),
            region: region.to_string(),
            account_id: account_id.to_string(),
            console: ConsoleSettings::default(),
            provider_endpoints: ProviderEndpoints::default(),
        })
    }

    /// The same settings with the console's.
    pub fn with_console(mut self, console: ConsoleSettings) -> Self {
        self.console = console;
        self
    }

    /// The same settings with the providers' endpoints.
    pub fn with_provider_endpoints(mut self, endpoints: ProviderEndpoints) -> Self {
        self.provider_endpoints = endpoints;
        self
    }

    /// Where to send a request meant for the provider URL `url`.
    pub fn provider_url(&self, url: &str) -> String {
        self.provider_endpoints.rewrite(url)
    }

    /// The `iss` of a pool's tokens.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.issuer_base_url, pool_id)
    }
}

/// Whether `region` looks like a region name (`us-east-1`).
fn region_ok(region: &str) -> bool {
    !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `account_id` is 12 digits.
fn account_ok(account_id: &str) -> bool {
    account_id.len() == 12 && account_id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `url` is an http(s) URL.
fn url_ok(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_each_setting() {
        assert!(Settings::new("http://127.0.0.1:9229/", "us-east-1", "123456789012").is_ok());
        assert!(Settings::new("ftp://x", "us-east-1", "123456789012").is_err());
        assert!(Settings::new("http://x", "US_EAST", "123456789012").is_err());
        assert!(Settings::new("http://x", "us-east-1", "12").is_err());
        let s = Settings::new("http://h:1/", "eu-west-1", "123456789012").unwrap();
        assert_eq!(s.issuer("eu-west-1_abc"), "http://h:1/eu-west-1_abc");
    }
}
