//! Credential vending: GetCredentialsForIdentity (role rules, principal tags, STS) and
//! GetOpenIdToken (Latchkey's own OpenID token for the identity, which the web-identity mode
//! also hands to STS AssumeRoleWithWebIdentity).

use super::identities::{authorize, forbidden, Logins};
use super::model::{Identity, IdentityPool};
use super::pools::parse_mapping;
use super::rules::{choose_role, PoolRoles, RoleError};
use super::shapes::{Credentials, OpenIdClaims, TagsClaim};
use super::verified::{LoginKind, VerifiedLogin};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::secret::Secret;
use crate::sts::{CredentialError, RoleRequest};
use crate::userpool::jwt;
use crate::userpool::keys::Jwks;
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Lifetime of an identity OpenID token (Cognito: 10 minutes).
pub const OPEN_ID_TOKEN_SECS: i64 = 600;

/// The claim that carries principal tags for STS.
const TAGS_CLAIM: &str = "https://aws.amazon.com/tags";

fn bad_config() -> ApiError {
    ApiError::new(
        ErrorKind::InvalidIdentityPoolConfiguration,
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.",
    )
}

/// A provider kind's default principal-tag map (tag key → claim), for `UseDefaults`.
fn default_tags(kind: LoginKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        LoginKind::UserPool => &[("username", "sub"), ("client", "aud")],
        LoginKind::Oidc => &[("sub", "sub"), ("aud", "aud")],
        LoginKind::Facebook => &[("user_id", "sub"), ("app_id", "aud")],
        LoginKind::Amazon => &[("user_id", "user_id"), ("app_id", "aud")],
        LoginKind::Saml => &[("sub", "sub")],
        LoginKind::Developer | LoginKind::CognitoToken => &[],
    }
}

/// Session tags for a login: the provider's configured map, or its defaults when the pool
/// asks for them; none when the pool has no map for the provider. An identity token carries
/// the tags it was issued with (GetOpenIdTokenForDeveloperIdentity's PrincipalTags).
pub fn principal_tags(pool: &IdentityPool, login: Option<&VerifiedLogin>) -> Vec<(String, String)> {
    let Some(login) = login else {
        return Vec::new();
    };
    if login.kind == LoginKind::CognitoToken {
        return carried_tags(&login.claims);
    }
    let Some(map) = pool.principal_tags.get(&login.provider) else {
        return Vec::new();
    };
    let defaults: BTreeMap<String, String> = default_tags(login.kind)
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let chosen = if map.use_defaults && map.tags.is_empty() {
        &defaults
    } else {
        &map.tags
    };
    chosen
        .iter()
        .filter_map(|(tag, claim)| {
            let value = match login.claims.get(claim)? {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((tag.clone(), value))
        })
        .collect()
}

/// The principal tags an identity token carries in `https://aws.amazon.com/tags`.
fn carried_tags(claims: &Map<String, Value>) -> Vec<(String, String)> {
    let Some(tags) = claims
        .get(TAGS_CLAIM)
        .and_then(|t| t.get("principal_tags"))
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    tags.iter()
        .filter_map(|(k, v)| {
            let first = v.as_array().and_then(|a| a.first()).unwrap_or(v);
            Some((k.clone(), first.as_str()?.to_string()))
        })
        .collect()
}

/// The `amr` of an identity token: `unauthenticated` for a guest; else `authenticated`, the
/// provider and `provider:CognitoSignIn:subject` (an identity token passes on its own `amr`).
pub fn amr_of(login: Option<&VerifiedLogin>) -> Vec<String> {
    match login {
        None => vec!["unauthenticated".into()],
        Some(l) if l.kind == LoginKind::CognitoToken => l
            .claims
            .get("amr")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_else(|| vec!["authenticated".into()]),
        Some(l) => vec![
            "authenticated".into(),
            l.provider.clone(),
            format!("{}:CognitoSignIn:{}", l.provider, l.subject),
        ],
    }
}

/// What goes into an identity OpenID token besides its pool and identity.
pub struct TokenGrant {
    /// The `amr` claim.
    pub amr: Vec<String>,
    /// Principal tags (`https://aws.amazon.com/tags`), none for no claim.
    pub tags: Vec<(String, String)>,
    /// Lifetime, seconds.
    pub lifetime_secs: i64,
}

/// Latchkey's OpenID token for an identity (RS256, `iss` = the identity issuer, `aud` = the
/// identity pool, `sub` = the identity): the one signing path of every identity token.
pub async fn sign_open_id_token(
    app: &App,
    pool_id: &str,
    identity_id: &str,
    grant: TokenGrant,
) -> ApiResult<String> {
    let signer = app.identity_signer().await?;
    let now = app.clock.now_secs();
    let claims = OpenIdClaims {
        iss: app.identity_issuer(),
        aud: pool_id.to_string(),
        sub: identity_id.to_string(),
        amr: grant.amr,
        iat: now,
        exp: now + grant.lifetime_secs,
        tags: (!grant.tags.is_empty()).then(|| TagsClaim {
            principal_tags: grant.tags.into_iter().map(|(k, v)| (k, vec![v])).collect(),
        }),
    };
    Ok(jwt::encode(&signer, &claims))
}

/// GetOpenIdToken's token for an identity and the logins that proved it (10 minutes).
pub async fn open_id_token(
    app: &App,
    pool: &IdentityPool,
    identity: &Identity,
    logins: &[VerifiedLogin],
) -> ApiResult<String> {
    let grant = TokenGrant {
        amr: amr_of(logins.first()),
        tags: principal_tags(pool, logins.first()),
        lifetime_secs: OPEN_ID_TOKEN_SECS,
    };
    sign_open_id_token(app, &pool.id, &identity.id, grant).await
}

/// GetCredentialsForIdentity's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialsInput {
    identity_id: String,
    logins: Option<Logins>,
    custom_role_arn: Option<String>,
}

/// GetCredentialsForIdentity's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CredentialsOutput {
    /// The identity.
    pub identity_id: String,
    /// Temporary AWS credentials for the chosen role.
    pub credentials: Credentials,
}

/// GetCredentialsForIdentity.
pub async fn get_credentials_for_identity(
    app: &App,
    input: CredentialsInput,
) -> ApiResult<CredentialsOutput> {
    let (pool, identity, verified) = authorize(app, &input.identity_id, input.logins).await?;
    let login = verified.first();
    let mapping = match login.and_then(|l| pool.role_mappings.get(&l.mapping_key)) {
        Some(v) => Some(parse_mapping(v)?),
        None => None,
    };
    let roles = PoolRoles {
        authenticated: pool.authenticated_role.clone(),
        unauthenticated: pool.unauthenticated_role.clone(),
    };
    let role = match login {
        // A SAML login's role is the one its assertion names (role mappings still apply).
        Some(l) if l.kind == LoginKind::Saml && mapping.is_none() => {
            super::saml::role(l, input.custom_role_arn.as_deref())?
        }
        _ => choose_role(
            &roles,
            mapping.as_ref(),
            login.map(|l| &l.claims),
            input.custom_role_arn.as_deref(),
        )
        .map_err(|e| match e {
            RoleError::NoRole => bad_config(),
            RoleError::Denied => forbidden(&identity.id),
        })?,
    };
    spend_saml_assertions(app, &pool, &verified).await?;
    let issuer = app.identity.issuer.clone().ok_or_else(|| {
        ApiError::new(
            ErrorKind::InvalidIdentityPoolConfiguration,
            "Latchkey has no STS to issue credentials with: start it with AWS_ENDPOINT_URL_STS \
             (an STS-API server, e.g. moto) or with AWS credentials (AWS_ACCESS_KEY_ID, \
             AWS_PROFILE or ~/.aws) for your account's STS.",
        )
    })?;
    let web_identity_token = if app.identity.web_identity {
        Some(Secret::new(
            open_id_token(app, &pool, &identity, &verified).await?,
        ))
    } else {
        None
    };
    let request = RoleRequest {
        role_arn: role,
        session_name: identity
            .id
            .rsplit(':')
            .next()
            .unwrap_or("latchkey")
            .to_string(),
        tags: principal_tags(&pool, login),
        duration_secs: app.identity.duration_secs,
        web_identity_token,
    };
    let creds = issuer.assume(&request).await.map_err(|e| match e {
        CredentialError::Refused(why) => {
            tracing::warn!(identity = %identity.id, %why, "STS refused the role");
            bad_config()
        }
        CredentialError::Fault(f) => ApiError::internal(&f),
    })?;
    Ok(CredentialsOutput {
        identity_id: identity.id,
        credentials: Credentials {
            access_key_id: creds.access_key_id,
            secret_key: creds.secret_key.expose().clone(),
            session_token: creds.session_token.expose().clone(),
            expiration: creds.expiration,
        },
    })
}

/// Credentials (and identity tokens) are vended once per SAML assertion: GetId may read it
/// first, but a second vending with the same assertion is a replay.
async fn spend_saml_assertions(
    app: &App,
    pool: &IdentityPool,
    verified: &[VerifiedLogin],
) -> ApiResult<()> {
    for login in verified.iter().filter(|l| l.kind == LoginKind::Saml) {
        let id = login
            .claims
            .get("saml:assertion_id")
            .and_then(Value::as_str);
        let expires = login.claims.get("exp").and_then(Value::as_i64);
        let (Some(id), Some(expires)) = (id, expires) else {
            continue;
        };
        let key = format!("identity-saml:{}:{id}", login.provider);
        let until = (expires + 300) * 1000;
        if !crate::oauth::grants::claim_once(app, &pool.id, &key, until).await? {
            return Err(super::verified::invalid(
                "The SAML response was already used.",
            ));
        }
    }
    Ok(())
}

/// GetOpenIdToken's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdInput {
    identity_id: String,
    logins: Option<Logins>,
}

/// GetOpenIdToken's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OpenIdTokenOutput {
    /// The identity.
    pub identity_id: String,
    /// Latchkey's OpenID token for it.
    pub token: String,
}

/// GetOpenIdToken (the basic flow's step: refused when the pool sets AllowClassicFlow false).
pub async fn get_open_id_token(app: &App, input: OpenIdInput) -> ApiResult<OpenIdTokenOutput> {
    let (pool, identity, verified) = authorize(app, &input.identity_id, input.logins).await?;
    if pool.allow_classic_flow == Some(false) {
        return Err(ApiError::invalid(
            "Basic (classic) flow is not enabled, please use enhanced flow.",
        ));
    }
    spend_saml_assertions(app, &pool, &verified).await?;
    let token = open_id_token(app, &pool, &identity, &verified).await?;
    Ok(OpenIdTokenOutput {
        identity_id: identity.id,
        token,
    })
}

/// The identity issuer's JWKS.
pub async fn jwks_document(app: &App) -> ApiResult<Jwks> {
    Ok(Jwks {
        keys: vec![app.identity_signer().await?.jwk()],
    })
}

/// The identity issuer's OIDC discovery document.
#[derive(Debug, Serialize)]
pub struct IdentityDiscovery {
    /// The identity issuer.
    pub issuer: String,
    /// Where its JWKS is.
    pub jwks_uri: String,
    /// `id_token`.
    pub response_types_supported: Vec<&'static str>,
    /// `public`.
    pub subject_types_supported: Vec<&'static str>,
    /// `RS256`.
    pub id_token_signing_alg_values_supported: Vec<&'static str>,
    /// The claims of [`OpenIdClaims`].
    pub claims_supported: Vec<&'static str>,
}

/// The discovery document (so IAM can trust Latchkey as a provider).
pub fn discovery(app: &App) -> IdentityDiscovery {
    let issuer = app.identity_issuer();
    IdentityDiscovery {
        jwks_uri: format!("{issuer}/.well-known/jwks.json"),
        issuer,
        response_types_supported: vec!["id_token"],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["RS256"],
        claims_supported: vec!["sub", "aud", "amr", "iat", "exp"],
    }
}
