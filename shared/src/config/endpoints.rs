//! `LATCHKEY_PROVIDER_ENDPOINTS`: where Latchkey reaches the well-known providers (Google,
//! Facebook, Login with Amazon, Apple) when they are not at their public addresses. Each pair
//! `https://graph.facebook.com=http://127.0.0.1:7001` sends every request for a URL under the
//! first base to the same path under the second, so tests (and air-gapped setups) can play a
//! provider on loopback. What is checked never changes: tokens must still name the provider's
//! real issuer.

use crate::error::Error;

/// Base-URL rewrites for outgoing provider requests; empty by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderEndpoints {
    pairs: Vec<(String, String)>,
}

impl ProviderEndpoints {
    /// Parses `real=replacement` pairs separated by commas; both sides are http(s) URLs.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let mut pairs = Vec::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let bad = || {
                Error::Config(format!(
                    "LATCHKEY_PROVIDER_ENDPOINTS: {pair:?} is not <base URL>=<base URL>"
                ))
            };
            let (from, to) = pair.split_once('=').ok_or_else(bad)?;
            let (from, to) = (from.trim(), to.trim());
            if !super::url_ok(from) || !super::url_ok(to) {
                return Err(bad());
            }
            pairs.push((
                from.trim_end_matches('/').to_string(),
                to.trim_end_matches('/').to_string(),
            ));
        }
        Ok(Self { pairs })
    }

    /// `url` with the first matching base replaced (a base matches a whole URL or a prefix
    /// ending at `/`, `?` or `#`).
    pub fn rewrite(&self, url: &str) -> String {
        for (from, to) in &self.pairs {
            if let Some(rest) = url.strip_prefix(from.as_str()) {
                if rest.is_empty() || rest.starts_with(['/', '?', '#']) {
                    return format!("{to}{rest}");
                }
            }
        }
        url.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_whole_bases_only() {
        let e = ProviderEndpoints::parse(
            "https://graph.facebook.com=http://127.0.0.1:7001/, https://www.amazon.com=http://localhost:2",
        )
        .unwrap();
        assert_eq!(
            e.rewrite("https://graph.facebook.com/debug_token?x=1"),
            "http://127.0.0.1:7001/debug_token?x=1"
        );
        assert_eq!(e.rewrite("https://www.amazon.com"), "http://localhost:2");
        assert_eq!(
            e.rewrite("https://graph.facebook.com.evil/x"),
            "https://graph.facebook.com.evil/x"
        );
        assert!(ProviderEndpoints::parse("nonsense").is_err());
        assert_eq!(
            ProviderEndpoints::parse("").unwrap(),
            ProviderEndpoints::default()
        );
    }
}
