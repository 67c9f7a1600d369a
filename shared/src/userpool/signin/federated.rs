//! The federated flow: a user an external identity provider vouched for (the OAuth layer has
//! already verified what the provider sent) signs in to the pool. The provider's claims are
//! mapped to pool attributes by the provider's `AttributeMapping` at every sign-in; the
//! identity finds its user through its alias claim (`idp:<provider>:<id>`), which is held
//! either by the federated user Cognito-style (`<provider>_<id>`, status `EXTERNAL_PROVIDER`,
//! in the group `<poolId>_<provider>`) or by a native user it was linked to
//! (AdminLinkProviderForUser). A first sign-in creates the user after PreSignUp
//! (`PreSignUp_ExternalProvider`, which may link the identity instead) and PostConfirmation;
//! every sign-in ends in tokens (PreTokenGeneration sees `TokenGeneration_HostedAuth`).

use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::triggers::events::{self, ConfirmSource, SignUpSource};
use crate::userpool::directory;
use crate::userpool::idps::linked_user;
use crate::userpool::idps::linking::linked_by_attribute;
use crate::userpool::linked_identities::{self, LinkedIdentity};
use crate::userpool::model::{AppClient, Group, IdentityProvider, User, UserPool, UserStatus};
use crate::userpool::tokens::{self, Issued, TokenSource};
use crate::userpool::{groups, schema};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a provider said about its user, verified.
#[derive(Clone, Debug)]
pub struct ExternalIdentity {
    /// The claims (ID token and user-info, merged; SAML attributes).
    pub claims: Map<String, Value>,
    /// A SAML provider's entity id (the `identities` entry's `issuer`); None for OAuth ones.
    pub issuer: Option<String>,
}

/// A claim as an attribute value: strings as they are, booleans and numbers as text, an
/// address object by its `formatted` member, anything else as JSON.
fn claim_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Object(o) if o.contains_key("formatted") => claim_text(&o["formatted"]),
        other => Some(other.to_string()),
    }
}

/// The provider's id of the user: the claim `AttributeMapping` maps to `username`, else the
/// provider type's own (`sub`, Facebook's `id`, Amazon's `user_id`).
pub fn subject(idp: &IdentityProvider, claims: &Map<String, Value>) -> Option<String> {
    let claim = idp
        .attribute_mapping
        .get("username")
        .map(String::as_str)
        .unwrap_or(idp.provider_type.subject_claim());
    claims
        .get(claim)
        .and_then(claim_text)
        .filter(|s| !s.is_empty())
}

/// The pool attributes `AttributeMapping` makes of the claims. A mapped email or phone number
/// is unverified unless its `*_verified` flag is mapped too.
pub fn mapped_attributes(
    idp: &IdentityProvider,
    claims: &Map<String, Value>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (attr, claim) in &idp.attribute_mapping {
        if attr == "username" {
            continue;
        }
        if let Some(v) = claims.get(claim).and_then(claim_text) {
            out.insert(attr.clone(), v);
        }
    }
    for (attr, flag) in [
        ("email", "email_verified"),
        ("phone_number", "phone_number_verified"),
    ] {
        if out.contains_key(attr) && !idp.attribute_mapping.contains_key(flag) {
            out.insert(flag.to_string(), "false".to_string());
        }
    }
    out
}

/// The username Cognito gives a federated user: the provider's name in lower case, `_`, the
/// provider's id of the user.
pub fn federated_username(idp: &IdentityProvider, user_id: &str) -> String {
    format!("{}_{user_id}", idp.name.to_lowercase())
}

/// The group every user of a provider is in: `<poolId>_<providerName>`.
pub fn provider_group(pool: &UserPool, idp: &IdentityProvider) -> String {
    format!("{}_{}", pool.id, idp.name)
}

fn refused(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorKind::InvalidParameter, message)
}

/// Signs in the user `identity` stands for, creating it on first sign-in; returns its tokens.
pub async fn sign_in(
    call: &Call<'_>,
    pool: &UserPool,
    client: &AppClient,
    idp: &IdentityProvider,
    identity: &ExternalIdentity,
) -> ApiResult<Issued> {
    let user_id = subject(idp, &identity.claims)
        .ok_or_else(|| refused("The identity provider sent no user identifier."))?;
    let mapped = mapped_attributes(idp, &identity.claims);
    schema::validate(pool, &schema::without_verified(&mapped), false)
        .map_err(|e| refused(format!("Invalid user attributes: {}", e.message)))?;
    let owner = match linked_user(call, pool, &idp.name, &user_id).await? {
        Some(user) => Some(user),
        None => linked_by_attribute(call, pool, &idp.name, &mapped).await?,
    };
    let user = match owner {
        Some(user) => update(call, pool, user, &mapped).await?,
        None => create(call, pool, idp, identity, &user_id, mapped).await?,
    };
    if !user.enabled {
        return Err(ApiError::not_authorized("User is disabled."));
    }
    tokens::issue(call, pool, client, &user, None, TokenSource::Authentication).await
}

/// Rewrites the mapped attributes (only when one changed).
async fn update(
    call: &Call<'_>,
    pool: &UserPool,
    user: User,
    mapped: &BTreeMap<String, String>,
) -> ApiResult<User> {
    let changed = |u: &User| mapped.iter().any(|(k, v)| u.attributes.get(k) != Some(v));
    if !changed(&user) {
        return Ok(user);
    }
    directory::modify_user_if(call, pool, user, |u| {
        if !changed(u) {
            return Ok(false);
        }
        u.attributes
            .extend(mapped.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(true)
    })
    .await
}

/// The first sign-in: PreSignUp, PostConfirmation, then the user and its provider group.
async fn create(
    call: &Call<'_>,
    pool: &UserPool,
    idp: &IdentityProvider,
    identity: &ExternalIdentity,
    user_id: &str,
    mut attributes: BTreeMap<String, String>,
) -> ApiResult<User> {
    let now = call.clock.now_millis();
    let username = federated_username(idp, user_id);
    let linked = LinkedIdentity {
        user_id: user_id.to_string(),
        provider_name: idp.name.clone(),
        provider_type: idp.provider_type.as_str().to_string(),
        issuer: identity.issuer.clone(),
        primary: true,
        date_created: now,
        linked_by: None,
    };
    let sub = crate::random::uuid_v4(call.random.as_ref());
    attributes.insert("sub".into(), sub.clone());
    let mut user = User::new(
        pool,
        username,
        sub,
        attributes,
        UserStatus::ExternalProvider,
        None,
        now,
    );
    linked_identities::set(&mut user, &[linked]);
    schema::validate(pool, &schema::without_verified(&user_attrs(&user)), true)
        .map_err(|e| refused(format!("Invalid user attributes: {}", e.message)))?;
    events::pre_sign_up(call, pool, &user, SignUpSource::ExternalProvider).await?;
    // PreSignUp may have linked the identity to a native user (AdminLinkProviderForUser).
    if let Some(native) = linked_user(call, pool, &idp.name, user_id).await? {
        return Ok(native);
    }
    events::post_confirmation(call, pool, &user, ConfirmSource::ConfirmSignUp).await?;
    match directory::create_user(call, pool, &user, false).await {
        Ok(()) => {}
        // A concurrent first sign-in of the same identity won: sign in as what it created.
        Err(e) if matches!(e.kind, ErrorKind::UsernameExists | ErrorKind::AliasExists) => {
            return linked_user(call, pool, &idp.name, user_id).await?.ok_or(e);
        }
        Err(e) => return Err(e),
    }
    join_provider_group(call, pool, idp, user).await
}

/// The attributes a schema check sees: `sub` and `identities` are Cognito's own.
fn user_attrs(user: &User) -> BTreeMap<String, String> {
    user.attributes
        .iter()
        .filter(|(k, _)| *k != "sub" && *k != linked_identities::ATTRIBUTE)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Puts the user in `<poolId>_<provider>`, creating that group on first use.
async fn join_provider_group(
    call: &Call<'_>,
    pool: &UserPool,
    idp: &IdentityProvider,
    user: User,
) -> ApiResult<User> {
    let name = provider_group(pool, idp);
    if call.store.get_group(&pool.id, &name).await?.is_none() {
        let now = call.clock.now_millis();
        let group = Group {
            pool_id: pool.id.clone(),
            name: name.clone(),
            description: Some(format!(
                "Autogenerated group for users who sign in using {}",
                idp.name
            )),
            role_arn: None,
            precedence: None,
            created_ms: now,
            modified_ms: now,
        };
        // A concurrent first sign-in may have created it: either way it exists.
        if let Err(e) = call.store.create_group(&group).await {
            if !matches!(e, crate::store::StoreError::Conflict) {
                return Err(e.into());
            }
        }
    }
    groups::set_membership(call, user, &name, true).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::userpool::model::ProviderType;
    use serde_json::json;

    fn idp(mapping: &[(&str, &str)]) -> IdentityProvider {
        IdentityProvider {
            pool_id: "us-east-1_a".into(),
            name: "MyOIDC".into(),
            provider_type: ProviderType::Oidc,
            details: BTreeMap::new(),
            attribute_mapping: mapping
                .iter()
                .map(|(a, c)| (a.to_string(), c.to_string()))
                .collect(),
            idp_identifiers: vec![],
            created_ms: 0,
            modified_ms: 0,
        }
    }

    #[test]
    fn mapping_follows_cognito() {
        let claims = json!({"sub": "abc", "mail": "a@b.c", "name": "A", "oid": 7,
                            "address": {"formatted": "1 Main St"}});
        let claims = claims.as_object().unwrap();
        let p = idp(&[("email", "mail"), ("name", "name"), ("address", "address")]);
        let m = mapped_attributes(&p, claims);
        assert_eq!(m["email"], "a@b.c");
        assert_eq!(m["email_verified"], "false");
        assert_eq!(m["address"], "1 Main St");
        assert_eq!(subject(&p, claims).as_deref(), Some("abc"));
        assert_eq!(
            subject(&idp(&[("username", "oid")]), claims).as_deref(),
            Some("7")
        );
        assert_eq!(federated_username(&p, "abc"), "myoidc_abc");
        let verified = idp(&[("email", "mail"), ("email_verified", "ev")]);
        let claims2 = json!({"mail": "a@b.c", "ev": true});
        let m2 = mapped_attributes(&verified, claims2.as_object().unwrap());
        assert_eq!(m2["email_verified"], "true");
    }
}
