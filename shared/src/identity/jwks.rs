//! External OIDC providers' signing keys: discovered from the issuer's
//! `/.well-known/openid-configuration`, fetched over HTTP(S), cached, and refetched when a
//! token names a `kid` the cache does not have (at most once per [`REFETCH_EVERY`]).

use crate::clock::Clock;
use crate::config::ProviderEndpoints;
use crate::error::Error;
use crate::http::HttpClient;
use aws_lc_rs::signature::{ParsedPublicKey, RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Arc as Shared;
use std::time::Duration;
use tokio::sync::Mutex;

/// Minimum time between two fetches of one issuer's keys.
pub const REFETCH_EVERY: Duration = Duration::from_secs(10);
/// Keys are trusted this long without a refetch.
pub const MAX_AGE: Duration = Duration::from_secs(3600);

struct Entry {
    fetched_ms: i64,
    keys: HashMap<String, Arc<ParsedPublicKey>>,
}

/// Where a cache entry's keys come from.
enum Source<'a> {
    /// An issuer's discovery document names its JWKS.
    Issuer(&'a str),
    /// A JWKS document's own URL.
    Jwks(&'a str),
}

/// A cache of issuers' public keys, aged by the App's clock.
pub struct JwksCache {
    http: Option<HttpClient>,
    clock: Shared<dyn Clock>,
    endpoints: ProviderEndpoints,
    entries: Mutex<HashMap<String, Entry>>,
}

impl JwksCache {
    /// A cache with a short-timeout HTTP client, reaching providers through `endpoints`.
    pub fn new(clock: Shared<dyn Clock>, endpoints: ProviderEndpoints) -> Self {
        Self {
            http: HttpClient::new(Duration::from_secs(5)).ok(),
            clock,
            endpoints,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The key `kid` of `issuer`, fetching or refetching the issuer's JWKS (found through its
    /// discovery document) as needed.
    pub async fn key(
        &self,
        issuer: &str,
        kid: &str,
    ) -> Result<Option<Arc<ParsedPublicKey>>, Error> {
        self.cached(issuer, kid, Source::Issuer(issuer)).await
    }

    /// The key `kid` of the JWKS document at `jwks_uri` (a provider configured with its
    /// endpoints), fetched and refetched as [`JwksCache::key`] does.
    pub async fn key_at(
        &self,
        jwks_uri: &str,
        kid: &str,
    ) -> Result<Option<Arc<ParsedPublicKey>>, Error> {
        self.cached(&format!("jwks:{jwks_uri}"), kid, Source::Jwks(jwks_uri))
            .await
    }

    async fn cached(
        &self,
        cache_key: &str,
        kid: &str,
        source: Source<'_>,
    ) -> Result<Option<Arc<ParsedPublicKey>>, Error> {
        let mut entries = self.entries.lock().await;
        let now = self.clock.now_millis();
        let age = |e: &Entry| Duration::from_millis((now - e.fetched_ms).max(0) as u64);
        let fresh = entries.get(cache_key).is_some_and(|e| age(e) < MAX_AGE);
        if let Some(k) = entries
            .get(cache_key)
            .filter(|_| fresh)
            .and_then(|e| e.keys.get(kid))
        {
            return Ok(Some(k.clone()));
        }
        let may_fetch = entries
            .get(cache_key)
            .is_none_or(|e| age(e) >= REFETCH_EVERY);
        if !may_fetch {
            return Ok(entries
                .get(cache_key)
                .and_then(|e| e.keys.get(kid).cloned()));
        }
        let keys = match source {
            Source::Issuer(issuer) => self.fetch(issuer).await?,
            Source::Jwks(uri) => parse_jwks(&self.get_json(uri).await?),
        };
        let found = keys.get(kid).cloned();
        entries.insert(
            cache_key.to_string(),
            Entry {
                fetched_ms: self.clock.now_millis(),
                keys,
            },
        );
        Ok(found)
    }

    async fn get_json(&self, url: &str) -> Result<Value, Error> {
        let http = self
            .http
            .as_ref()
            .ok_or_else(|| Error::Config("no HTTP client (TLS setup failed)".into()))?;
        http.get_json(&self.endpoints.rewrite(url)).await
    }

    async fn fetch(&self, issuer: &str) -> Result<HashMap<String, Arc<ParsedPublicKey>>, Error> {
        let discovery = self
            .get_json(&format!("{issuer}/.well-known/openid-configuration"))
            .await?;
        let jwks_uri = discovery["jwks_uri"]
            .as_str()
            .ok_or_else(|| Error::Decode(format!("{issuer}: discovery has no jwks_uri")))?;
        let jwks = self.get_json(jwks_uri).await?;
        Ok(parse_jwks(&jwks))
    }
}

/// The RSA signing keys of a JWKS document, by kid (others are skipped).
pub fn parse_jwks(jwks: &Value) -> HashMap<String, Arc<ParsedPublicKey>> {
    let mut out = HashMap::new();
    for k in jwks["keys"].as_array().into_iter().flatten() {
        let usable = k["kty"] == "RSA" && k.get("use").is_none_or(|u| u == "sig");
        let (Some(kid), Some(n), Some(e)) = (k["kid"].as_str(), k["n"].as_str(), k["e"].as_str())
        else {
            continue;
        };
        let (Ok(n), Ok(e)) = (URL_SAFE_NO_PAD.decode(n), URL_SAFE_NO_PAD.decode(e)) else {
            continue;
        };
        let components = RsaPublicKeyComponents {
            n: n.as_slice(),
            e: e.as_slice(),
        };
        if let (true, Ok(parsed)) = (
            usable,
            components.to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256),
        ) {
            out.insert(kid.to_string(), Arc::new(parsed));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::userpool::keys::SigningKey;

    #[test]
    fn parses_our_own_jwks_and_verifies() {
        let key = SigningKey::generate().unwrap();
        let jwks = serde_json::json!({ "keys": [key.jwk(), {"kty": "EC", "kid": "x"}] });
        let keys = parse_jwks(&jwks);
        assert_eq!(keys.len(), 1);
        let sig = key.sign(b"m");
        assert!(keys[key.kid()].verify_sig(b"m", &sig).is_ok());
    }
}
