//! Pool domains: CreateUserPoolDomain, DescribeUserPoolDomain, UpdateUserPoolDomain,
//! DeleteUserPoolDomain (DescribeUserPool shows the pool's `Domain`/`CustomDomain`). Domains
//! are stored and described; they do not route requests (the OAuth endpoints find the pool
//! by the app client).
//!
//! A domain is a prefix (`<prefix>.auth.<region>.amazoncognito.com`) or, with
//! `CustomDomainConfig`, the customer's own host name; its certificate ARN is stored and
//! echoed (the local server terminates TLS itself). A name belongs to one pool, and a pool has
//! at most one prefix and one custom domain.

use super::model::{DomainKind, PoolDomain};
use super::pools::load_pool;
use super::shapes::Empty;
use crate::error::{ApiError, ApiResult};
use crate::ids::UserPoolId;
use crate::store::StoreError;
use crate::App;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Cognito's check of a prefix domain, and its message.
const PREFIX_INVALID: &str = "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$";

/// `CustomDomainConfigType`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomDomainConfig {
    /// The ACM certificate's ARN.
    pub certificate_arn: String,
}

/// Create- and UpdateUserPoolDomain's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainInput {
    domain: String,
    user_pool_id: UserPoolId,
    managed_login_version: Option<i64>,
    custom_domain_config: Option<CustomDomainConfig>,
}

/// Create- and UpdateUserPoolDomain's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainOutput {
    /// The CloudFront name a custom domain's DNS points at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_front_domain: Option<String>,
    /// 1 (hosted UI classic) or 2 (managed login).
    pub managed_login_version: i64,
}

fn is_prefix(domain: &str) -> bool {
    let b = domain.as_bytes();
    let ok = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=63).contains(&b.len())
        && b.first().is_some_and(ok)
        && b.last().is_some_and(ok)
        && b.iter().all(|c| ok(c) || *c == b'-')
}

fn is_host_name(domain: &str) -> bool {
    domain.len() <= 253 && domain.contains('.') && domain.split('.').all(is_prefix)
}

fn check_version(v: Option<i64>) -> ApiResult<Option<i64>> {
    match v {
        None | Some(1) | Some(2) => Ok(v),
        Some(_) => Err(ApiError::invalid("ManagedLoginVersion must be 1 or 2.")),
    }
}

/// A stable stand-in for the CloudFront distribution behind a domain.
fn distribution(domain: &str) -> String {
    let hash = Sha256::digest(domain.as_bytes());
    let hex = crate::secret::hex(&hash[..7]);
    format!("d{hex}.cloudfront.net")
}

fn no_such_domain() -> ApiError {
    ApiError::invalid("No such domain or user pool exists.")
}

fn reply(d: &PoolDomain) -> DomainOutput {
    DomainOutput {
        cloud_front_domain: (d.kind == DomainKind::Custom).then(|| distribution(&d.domain)),
        managed_login_version: d.managed_login_version,
    }
}

/// CreateUserPoolDomain.
pub async fn create_user_pool_domain(app: &App, input: DomainInput) -> ApiResult<DomainOutput> {
    let version = check_version(input.managed_login_version)?;
    let kind = if input.custom_domain_config.is_some() {
        if !is_host_name(&input.domain) {
            return Err(ApiError::invalid(
                "The custom domain must be a fully qualified domain name.",
            ));
        }
        DomainKind::Custom
    } else {
        if !is_prefix(&input.domain) {
            return Err(ApiError::invalid(PREFIX_INVALID));
        }
        DomainKind::Prefix
    };
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let now = app.clock.now_millis();
    let domain = PoolDomain {
        domain: input.domain,
        pool_id: pool.id.clone(),
        kind,
        certificate_arn: input.custom_domain_config.map(|c| c.certificate_arn),
        managed_login_version: version.unwrap_or(1),
        created_ms: now,
        modified_ms: now,
    };
    app.store
        .create_domain(&domain)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => {
                ApiError::invalid("Domain already associated with another user pool.")
            }
            StoreError::AliasTaken(_) => {
                ApiError::invalid("User pool already has a domain configured.")
            }
            other => other.into(),
        })?;
    Ok(reply(&domain))
}

/// UpdateUserPoolDomain: the managed-login version and, for a custom domain, its certificate.
pub async fn update_user_pool_domain(app: &App, input: DomainInput) -> ApiResult<DomainOutput> {
    let version = check_version(input.managed_login_version)?;
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let mut domain = app
        .store
        .get_domain(&input.domain)
        .await?
        .filter(|d| d.pool_id == pool.id)
        .ok_or_else(no_such_domain)?;
    if let Some(v) = version {
        domain.managed_login_version = v;
    }
    if let Some(config) = input.custom_domain_config {
        if domain.kind == DomainKind::Prefix {
            return Err(ApiError::invalid(
                "CustomDomainConfig applies only to a custom domain.",
            ));
        }
        domain.certificate_arn = Some(config.certificate_arn);
    }
    domain.modified_ms = app.clock.now_millis();
    app.store
        .update_domain(&domain)
        .await
        .map_err(|e| match e {
            StoreError::Conflict => no_such_domain(),
            other => other.into(),
        })?;
    Ok(reply(&domain))
}

/// DeleteUserPoolDomain's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteDomainInput {
    domain: String,
    user_pool_id: UserPoolId,
}

/// DeleteUserPoolDomain.
pub async fn delete_user_pool_domain(app: &App, input: DeleteDomainInput) -> ApiResult<Empty> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    if !app.store.delete_domain(&pool.id, &input.domain).await? {
        return Err(no_such_domain());
    }
    Ok(Empty {})
}

/// DescribeUserPoolDomain's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDomainInput {
    domain: String,
}

/// `DomainDescriptionType`; every member absent for an unknown domain (as Cognito answers).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainDescription {
    /// The pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_pool_id: Option<String>,
    /// The deployment's account.
    #[serde(rename = "AWSAccountId", skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    /// The domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The assets bucket Cognito would use.
    #[serde(rename = "S3Bucket", skip_serializing_if = "Option::is_none")]
    pub s3_bucket: Option<String>,
    /// The CloudFront name of the domain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud_front_distribution: Option<String>,
    /// The configuration's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Always ACTIVE (nothing to provision locally).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// A custom domain's certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_domain_config: Option<CustomDomainConfig>,
    /// 1 or 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed_login_version: Option<i64>,
}

/// DescribeUserPoolDomain's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeDomainOutput {
    /// The domain, or an empty description when no pool has it.
    pub domain_description: DomainDescription,
}

/// DescribeUserPoolDomain.
pub async fn describe_user_pool_domain(
    app: &App,
    input: DescribeDomainInput,
) -> ApiResult<DescribeDomainOutput> {
    let found = app.store.get_domain(&input.domain).await?;
    let description = found.map_or_else(DomainDescription::default, |d| DomainDescription {
        user_pool_id: Some(d.pool_id.clone()),
        aws_account_id: Some(app.settings.account_id.clone()),
        s3_bucket: Some(format!("aws-cognito-prod-{}-assets", app.settings.region)),
        cloud_front_distribution: Some(distribution(&d.domain)),
        version: Some(d.modified_ms.to_string()),
        status: Some("ACTIVE"),
        custom_domain_config: d
            .certificate_arn
            .clone()
            .map(|certificate_arn| CustomDomainConfig { certificate_arn }),
        managed_login_version: Some(d.managed_login_version),
        domain: Some(d.domain),
    });
    Ok(DescribeDomainOutput {
        domain_description: description,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_host_names_follow_cognito() {
        assert!(is_prefix("my-shop1"));
        assert!(!is_prefix("-shop") && !is_prefix("shop-") && !is_prefix("Shop"));
        assert!(!is_prefix("a.b") && !is_prefix(""));
        assert!(!is_prefix(&"a".repeat(64)));
        assert!(is_host_name("auth.example.com"));
        assert!(!is_host_name("example") && !is_host_name("auth..example.com"));
    }

    #[test]
    fn versions_are_one_or_two() {
        assert_eq!(check_version(None).unwrap(), None);
        assert_eq!(check_version(Some(2)).unwrap(), Some(2));
        assert!(check_version(Some(3)).is_err());
    }
}
