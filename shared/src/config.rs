//! Typed settings shared by every entry point, validated once at start.

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
}

impl Settings {
    /// Builds settings, failing with a message that names the bad setting.
    pub fn new(issuer_base_url: &str, region: &str, account_id: &str) -> Result<Self, Error> {
        let issuer = issuer_base_url.trim_end_matches('/');
        if !(issuer.starts_with("http://") || issuer.starts_with("https://")) {
            return Err(Error::Config(format!(
                "issuer base URL must start with http:// or https://, got {issuer_base_url:?}"
            )));
        }
        let region_ok = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !region_ok {
            return Err(Error::Config(format!(
                "region must look like us-east-1, got {region:?}"
            )));
        }
        if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::Config(format!(
                "account id must be 12 digits, got {account_id:?}"
            )));
        }
        Ok(Self {
            issuer_base_url: issuer.to_string(),
            region: region.to_string(),
            account_id: account_id.to_string(),
        })
    }

    /// The `iss` of a pool's tokens.
    pub fn issuer(&self, pool_id: &str) -> String {
        format!("{}/{}", self.issuer_base_url, pool_id)
    }
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
