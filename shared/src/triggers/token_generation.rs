//! PreTokenGeneration, V1_0 and V2_0 (V3_0 is sent as V2_0's event with version "3"): the
//! function sees the claims' sources and may add, override and suppress claims, replace the
//! groups (`cognito:groups`, `cognito:roles`, `cognito:preferred_role`) and, from V2, change
//! the access token's scopes. Reserved claims can't be touched: attempts are dropped.
//!
//! Replies are read with lenient local types: real functions return partial objects (only
//! `claimsToAddOrOverride`, say), which the strict `aws_lambda_events` response types refuse.

use super::{call, header, target, user_attributes, Trigger};
use crate::call::Call;
use crate::error::ApiResult;
use crate::userpool::group_claims::GroupClaims;
use crate::userpool::model::{TokenSource, User, UserPool};
use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsPreTokenGen, CognitoEventUserPoolsPreTokenGenTriggerSource,
    CognitoEventUserPoolsPreTokenGenV2, GroupConfiguration,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Claims no function may add, change or remove.
pub const RESERVED: &[&str] = &[
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "client_id",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "username",
    "scope",
    "event_id",
];

/// The two tokens' claims before signing.
pub struct Draft<'a> {
    /// ID token claims.
    pub id: &'a mut Map<String, Value>,
    /// Access token claims.
    pub access: &'a mut Map<String, Value>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct GroupOverride {
    groups_to_override: Option<Vec<String>>,
    iam_roles_to_override: Option<Vec<String>>,
    preferred_role: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct V1Details {
    claims_to_add_or_override: Option<HashMap<String, String>>,
    claims_to_suppress: Option<Vec<String>>,
    group_override_details: Option<GroupOverride>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct V1Response {
    claims_override_details: Option<V1Details>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct TokenChanges {
    claims_to_add_or_override: Option<HashMap<String, Value>>,
    claims_to_suppress: Option<Vec<String>>,
    scopes_to_add: Option<Vec<String>>,
    scopes_to_suppress: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct V2Details {
    id_token_generation: Option<TokenChanges>,
    access_token_generation: Option<TokenChanges>,
    group_override_details: Option<GroupOverride>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct V2Response {
    claims_and_scope_override_details: Option<V2Details>,
}

/// Whether the pool has a PreTokenGeneration function, which sees and may edit the claims
/// (token issue builds them as maps only then).
pub fn edits_claims(pool: &UserPool) -> bool {
    target(pool, Trigger::PreTokenGeneration).is_some()
}

/// Runs the pool's PreTokenGeneration function, if any, and applies its answer to `draft`.
pub async fn customize(
    app: &Call<'_>,
    pool: &UserPool,
    user: &User,
    source: TokenSource,
    groups: Option<&GroupClaims>,
    draft: Draft<'_>,
) -> ApiResult<()> {
    let Some(t) = target(pool, Trigger::PreTokenGeneration) else {
        return Ok(());
    };
    let src = match source {
        TokenSource::Authentication => {
            CognitoEventUserPoolsPreTokenGenTriggerSource::Authentication
        }
        TokenSource::NewPasswordChallenge => {
            CognitoEventUserPoolsPreTokenGenTriggerSource::NewPasswordChallenge
        }
        TokenSource::RefreshTokens => CognitoEventUserPoolsPreTokenGenTriggerSource::RefreshTokens,
        TokenSource::HostedAuth => CognitoEventUserPoolsPreTokenGenTriggerSource::HostedAuth,
        TokenSource::AuthenticateDevice => {
            CognitoEventUserPoolsPreTokenGenTriggerSource::AuthenticateDevice
        }
    };
    let mut config = GroupConfiguration::default();
    if let Some(g) = groups {
        config.groups_to_override = g.names.clone();
        config.iam_roles_to_override = g.roles.clone();
        config.preferred_role = g.preferred_role.clone();
    }
    let attributes = user_attributes(user);
    let metadata = app.request().client_metadata();
    if t.version == "1" {
        let mut event = CognitoEventUserPoolsPreTokenGen::default();
        event.cognito_event_user_pools_header = header(app, pool, src, &user.username, "1");
        event.request.user_attributes = attributes;
        event.request.group_configuration = config;
        event.request.client_metadata = metadata;
        let answer: V1Response = call(app, Trigger::PreTokenGeneration, &t, &event).await?;
        apply_v1(answer, draft);
    } else {
        let mut event = CognitoEventUserPoolsPreTokenGenV2::default();
        event.cognito_event_user_pools_header = header(app, pool, src, &user.username, t.version);
        event.request.user_attributes = attributes;
        event.request.group_configuration = config;
        event.request.client_metadata = metadata;
        event.request.scopes = scopes(draft.access);
        let answer: V2Response = call(app, Trigger::PreTokenGeneration, &t, &event).await?;
        apply_v2(answer, draft);
    }
    Ok(())
}

fn scopes(access: &Map<String, Value>) -> Vec<String> {
    access
        .get("scope")
        .and_then(Value::as_str)
        .map(|s| s.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

fn apply_v1(answer: V1Response, draft: Draft<'_>) {
    let Some(d) = answer.claims_override_details else {
        return;
    };
    let added = d.claims_to_add_or_override.unwrap_or_default();
    let added = added.into_iter().map(|(k, v)| (k, json!(v))).collect();
    change_claims(draft.id, added, d.claims_to_suppress.unwrap_or_default());
    if let Some(g) = d.group_override_details {
        override_groups(draft.id, draft.access, g);
    }
}

fn apply_v2(answer: V2Response, draft: Draft<'_>) {
    let Some(d) = answer.claims_and_scope_override_details else {
        return;
    };
    if let Some(id) = d.id_token_generation {
        let added = id.claims_to_add_or_override.unwrap_or_default();
        change_claims(draft.id, added, id.claims_to_suppress.unwrap_or_default());
    }
    if let Some(access) = d.access_token_generation {
        let added = access.claims_to_add_or_override.unwrap_or_default();
        change_claims(
            draft.access,
            added,
            access.claims_to_suppress.unwrap_or_default(),
        );
        let mut scope = scopes(draft.access);
        let suppress = access.scopes_to_suppress.unwrap_or_default();
        scope.retain(|s| !suppress.contains(s));
        for s in access.scopes_to_add.unwrap_or_default() {
            if !scope.contains(&s) && !s.is_empty() {
                scope.push(s);
            }
        }
        draft.access.insert("scope".into(), json!(scope.join(" ")));
    }
    if let Some(g) = d.group_override_details {
        override_groups(draft.id, draft.access, g);
    }
}

/// Suppresses, then adds or overrides, leaving reserved claims alone.
fn change_claims(
    claims: &mut Map<String, Value>,
    add: HashMap<String, Value>,
    suppress: Vec<String>,
) {
    let allowed = |name: &str| {
        let ok = !RESERVED.contains(&name);
        if !ok {
            tracing::warn!(
                claim = name,
                "PreTokenGeneration may not change a reserved claim"
            );
        }
        ok
    };
    for name in suppress {
        if allowed(&name) {
            claims.remove(&name);
        }
    }
    for (name, value) in add {
        if allowed(&name) {
            claims.insert(name, value);
        }
    }
}

/// groupOverrideDetails replaces the group claims: groups in both tokens, roles and the
/// preferred role in the ID token. An empty or null member changes nothing: typed triggers
/// (`aws_lambda_events`, aws-lambda-go) always send the object, mostly empty, and must not
/// wipe the user's groups by doing so.
fn override_groups(id: &mut Map<String, Value>, access: &mut Map<String, Value>, g: GroupOverride) {
    if let Some(groups) = g.groups_to_override.filter(|v| !v.is_empty()) {
        id.insert("cognito:groups".into(), json!(groups));
        access.insert("cognito:groups".into(), json!(groups));
    }
    if let Some(roles) = g.iam_roles_to_override.filter(|v| !v.is_empty()) {
        id.insert("cognito:roles".into(), json!(roles));
    }
    if let Some(role) = g.preferred_role.filter(|r| !r.is_empty()) {
        id.insert("cognito:preferred_role".into(), json!(role));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> (Map<String, Value>, Map<String, Value>) {
        let id =
            json!({"sub": "s", "email": "a@b.c", "cognito:groups": ["g"], "cognito:roles": ["r"]});
        let access =
            json!({"sub": "s", "scope": "aws.cognito.signin.user.admin", "cognito:groups": ["g"]});
        (
            id.as_object().unwrap().clone(),
            access.as_object().unwrap().clone(),
        )
    }

    #[test]
    fn v1_changes_the_id_token_and_protects_reserved_claims() {
        let (mut id, mut access) = draft();
        let answer: V1Response = serde_json::from_value(json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {"tenant": "acme", "sub": "evil"},
            "claimsToSuppress": ["email", "iss"],
        }}))
        .unwrap();
        apply_v1(
            answer,
            Draft {
                id: &mut id,
                access: &mut access,
            },
        );
        assert_eq!(id["tenant"], json!("acme"));
        assert_eq!(id["sub"], json!("s"));
        assert!(!id.contains_key("email"));
        assert!(!access.contains_key("tenant"));
        assert_eq!(id["cognito:groups"], json!(["g"]));
    }

    #[test]
    fn v2_changes_both_tokens_scopes_and_groups() {
        let (mut id, mut access) = draft();
        let answer: V2Response = serde_json::from_value(json!({"claimsAndScopeOverrideDetails": {
            "idTokenGeneration": {"claimsToAddOrOverride": {"n": 1}},
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": {"id": 7}},
                "scopesToAdd": ["api/read"],
                "scopesToSuppress": ["aws.cognito.signin.user.admin"],
            },
            "groupOverrideDetails": {"groupsToOverride": ["admins"], "preferredRole": "arn:aws:iam::1:role/a"},
        }}))
        .unwrap();
        apply_v2(
            answer,
            Draft {
                id: &mut id,
                access: &mut access,
            },
        );
        assert_eq!(id["n"], json!(1));
        assert_eq!(access["tenant"], json!({"id": 7}));
        assert_eq!(access["scope"], json!("api/read"));
        assert_eq!(id["cognito:groups"], json!(["admins"]));
        assert_eq!(access["cognito:groups"], json!(["admins"]));
        assert_eq!(
            id["cognito:roles"],
            json!(["r"]),
            "an absent member changes nothing"
        );
        assert_eq!(id["cognito:preferred_role"], json!("arn:aws:iam::1:role/a"));
    }
}
