//! The SAML-provider port of identity pools: the metadata document of an IAM SAML provider
//! (an identity pool's `SamlProviderARNs` name them), which holds the certificates its
//! assertions are signed with. The adapter calls IAM's `GetSAMLProvider` (the Query API, signed
//! with SigV4 by the deployment's own credentials) and keeps each document five minutes;
//! `AWS_ENDPOINT_URL_IAM` (else `AWS_ENDPOINT_URL`) points it at any IAM-API server.

use crate::error::Error;
use crate::http::HttpClient;
use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// How long a metadata document is kept.
const KEEP: Duration = Duration::from_secs(300);
/// How long IAM may take.
const TIMEOUT: Duration = Duration::from_secs(5);
/// IAM's global endpoint (signed for us-east-1).
const IAM_ENDPOINT: &str = "https://iam.amazonaws.com";

/// Where identity pools find SAML providers' metadata.
#[async_trait]
pub trait SamlProviders: Send + Sync {
    /// The metadata document of the IAM SAML provider `arn`; None when IAM has none.
    async fn metadata(&self, arn: &str) -> Result<Option<String>, Error>;
}

/// The IAM adapter.
pub struct IamSamlProviders {
    config: aws_types::SdkConfig,
    endpoint: String,
    http: HttpClient,
    kept: Mutex<HashMap<String, (Instant, Option<String>)>>,
}

impl IamSamlProviders {
    /// An adapter calling IAM with `config`'s credentials.
    pub fn new(config: &aws_types::SdkConfig) -> Result<Self, Error> {
        let endpoint = ["AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(|| IAM_ENDPOINT.to_string());
        Ok(Self {
            config: config.clone(),
            endpoint: endpoint.trim_end_matches('/').to_string() + "/",
            http: HttpClient::new(TIMEOUT)?,
            kept: Mutex::new(HashMap::new()),
        })
    }

    /// The headers that sign `body` for IAM.
    async fn signed(&self, body: &str) -> Result<Vec<(String, String)>, Error> {
        let fault = |why: String| Error::Config(format!("signing the IAM request: {why}"));
        let provider = self
            .config
            .credentials_provider()
            .ok_or_else(|| fault("no credentials".into()))?;
        let identity = provider
            .provide_credentials()
            .await
            .map_err(|e| fault(e.to_string()))?
            .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("iam")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| fault(e.to_string()))?
            .into();
        let mut headers = vec![(
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        )];
        let signable = SignableRequest::new(
            "POST",
            &self.endpoint,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .map_err(|e| fault(e.to_string()))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| fault(e.to_string()))?
            .into_parts();
        headers.extend(
            instructions
                .headers()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        Ok(headers)
    }

    /// One IAM Query API call (`Action` and its parameters; `Version` is added), signed:
    /// the HTTP status and the XML body.
    pub async fn query(&self, params: &[(&str, &str)]) -> Result<(u16, String), Error> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .append_pair("Version", "2010-05-08")
            .finish();
        let headers = self.signed(&body).await?;
        let named: Vec<(hyper::header::HeaderName, &str)> = headers
            .iter()
            .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_str())))
            .collect();
        let answer = self
            .http
            .post_raw(&self.endpoint, &named, body.into_bytes())
            .await
            .map_err(|e| Error::Store(format!("IAM: {e:?}")))?;
        Ok((
            answer.status,
            String::from_utf8_lossy(&answer.body).into_owned(),
        ))
    }

    async fn fetch(&self, arn: &str) -> Result<Option<String>, Error> {
        let params = [("Action", "GetSAMLProvider"), ("SAMLProviderArn", arn)];
        let (status, text) = self.query(&params).await?;
        if status == 404 || text.contains("<Code>NoSuchEntity</Code>") {
            return Ok(None);
        }
        if status != 200 {
            return Err(Error::Store(format!(
                "IAM GetSAMLProvider answered HTTP {status}"
            )));
        }
        let doc = roxmltree::Document::parse(&text)
            .map_err(|e| Error::Decode(format!("IAM GetSAMLProvider: {e}")))?;
        Ok(doc
            .descendants()
            .find(|n| n.tag_name().name() == "SAMLMetadataDocument")
            .and_then(|n| n.text())
            .map(str::to_string))
    }
}

#[async_trait]
impl SamlProviders for IamSamlProviders {
    async fn metadata(&self, arn: &str) -> Result<Option<String>, Error> {
        let now = Instant::now();
        if let Ok(kept) = self.kept.lock() {
            if let Some((at, doc)) = kept.get(arn) {
                if now.duration_since(*at) < KEEP {
                    return Ok(doc.clone());
                }
            }
        }
        let doc = self.fetch(arn).await?;
        if let Ok(mut kept) = self.kept.lock() {
            kept.insert(arn.to_string(), (now, doc.clone()));
        }
        Ok(doc)
    }
}
