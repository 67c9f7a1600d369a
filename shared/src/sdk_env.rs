//! The AWS SDK configuration from environment variables alone: what a Lambda function has.
//!
//! Lambda gives each function its role's credentials (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) and its region (`AWS_REGION`) in the
//! environment, so the functions need none of `aws-config`'s chain (profile files, SSO, container
//! and instance metadata), which is about 0.5 MB of code in every binary and some file reads at
//! init. Builds without the `config-chain` feature (the deployed functions) use this; the local
//! server keeps the full chain. Endpoint overrides work as in the SDK: `AWS_ENDPOINT_URL_<SERVICE>`
//! (for example `AWS_ENDPOINT_URL_DYNAMODB`), then `AWS_ENDPOINT_URL`, both ignored when
//! `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is `true`.

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::region::Region;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};
use aws_types::SdkConfig;
use std::collections::HashMap;

/// The SDK configuration from `var` (the process environment in production): region (else
/// `default_region`), static credentials when both keys are set (else none, and a call fails
/// with the SDK's own "no credentials" error), endpoint overrides, and `http` as the client.
pub fn config(
    default_region: &str,
    http: SharedHttpClient,
    var: impl Fn(&str) -> Option<String>,
) -> SdkConfig {
    let get = |k: &str| var(k).filter(|v| !v.is_empty());
    let region = get("AWS_REGION")
        .or_else(|| get("AWS_DEFAULT_REGION"))
        .unwrap_or_else(|| default_region.to_string());
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .http_client(http)
        .service_config(Endpoints::read(&var));
    if let (Some(id), Some(secret)) = (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")) {
        let credentials =
            Credentials::new(id, secret, get("AWS_SESSION_TOKEN"), None, "environment");
        builder = builder.credentials_provider(SharedCredentialsProvider::new(credentials));
    }
    builder.build()
}

/// The endpoint overrides, answered to each service client as it is built.
#[derive(Debug, Default)]
struct Endpoints {
    /// `AWS_ENDPOINT_URL_<SERVICE>` values by variable name, and `AWS_ENDPOINT_URL`.
    vars: HashMap<String, String>,
}

impl Endpoints {
    /// Captures every `AWS_ENDPOINT_URL*` variable the clients may ask for.
    fn read(var: &impl Fn(&str) -> Option<String>) -> Self {
        let ignore = var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if ignore {
            return Self::default();
        }
        let names = std::iter::once("AWS_ENDPOINT_URL".to_string())
            .chain(SERVICES.iter().map(|s| service_var("AWS_ENDPOINT_URL", s)));
        let vars = names
            .filter_map(|name| var(&name).filter(|v| !v.is_empty()).map(|v| (name, v)))
            .collect();
        Self { vars }
    }
}

/// The endpoint override `var` configures for the service `service_id` (one of the services
/// Latchkey calls, e.g. "STS"): `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, none when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true. The rule the SDK clients follow.
pub fn configured_endpoint(
    service_id: &str,
    var: impl Fn(&str) -> Option<String>,
) -> Option<String> {
    let endpoints = Endpoints::read(&var);
    endpoints
        .vars
        .get(&service_var("AWS_ENDPOINT_URL", service_id))
        .or_else(|| endpoints.vars.get("AWS_ENDPOINT_URL"))
        .cloned()
}

/// The services Latchkey calls, by SDK service id.
const SERVICES: &[&str] = &[
    "DynamoDB",
    "STS",
    "Lambda",
    "Secrets Manager",
    "SESv2",
    "SNS",
    "KMS",
    "S3",
];

/// `AWS_ENDPOINT_URL` + `Secrets Manager` → `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
fn service_var(base: &str, service_id: &str) -> String {
    format!(
        "{base}_{}",
        service_id.to_ascii_uppercase().replace([' ', '-'], "_")
    )
}

impl LoadServiceConfig for Endpoints {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        self.vars
            .get(&service_var(key.env(), key.service_id()))
            .or_else(|| self.vars.get(key.env()))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    fn http() -> SharedHttpClient {
        crate::sdk_http::client().unwrap()
    }

    fn endpoint(c: &SdkConfig, service: &str) -> Option<String> {
        let key = ServiceConfigKey::builder()
            .service_id(service)
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .unwrap();
        c.service_config().and_then(|s| s.load_config(key))
    }

    #[tokio::test]
    async fn reads_region_credentials_and_endpoints() {
        let c = config(
            "eu-west-1",
            http(),
            env(&[
                ("AWS_REGION", "us-west-2"),
                ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
                ("AWS_SESSION_TOKEN", "token"),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
                ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:5000"),
                ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:7"),
            ]),
        );
        assert_eq!(c.region().map(|r| r.as_ref()), Some("us-west-2"));
        use aws_credential_types::provider::ProvideCredentials;
        let creds = c
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .unwrap();
        assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
        assert_eq!(creds.secret_access_key(), "secret");
        assert_eq!(creds.session_token(), Some("token"));
        assert_eq!(
            endpoint(&c, "DynamoDB").as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            endpoint(&c, "Secrets Manager").as_deref(),
            Some("http://127.0.0.1:7")
        );
        assert_eq!(endpoint(&c, "STS").as_deref(), Some("http://127.0.0.1:1"));
    }

    #[test]
    fn defaults_and_ignored_endpoints() {
        let c = config(
            "eu-west-1",
            http(),
            env(&[
                ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:5000"),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ]),
        );
        assert_eq!(c.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert!(c.credentials_provider().is_none());
        assert_eq!(endpoint(&c, "DynamoDB"), None);
    }
}
