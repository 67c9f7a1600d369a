//! PreTokenGeneration, event version 2 (`V2_0`): add a `tenant` claim to the ID and access
//! tokens, a `plan` claim to the ID token, and the `latchkey/extra` scope to the access token.

use aws_lambda_events::event::cognito::{
    ClaimsAndScopeOverrideDetailsV2, CognitoAccessTokenGenerationV2,
    CognitoEventUserPoolsPreTokenGenV2, CognitoIdTokenGenerationV2,
};
use serde_json::Value;

use crate::Error;

/// The user attribute the `tenant` claim is copied from.
pub const TENANT_ATTRIBUTE: &str = "custom:tenant";
/// The `tenant` claim's value for users without [`TENANT_ATTRIBUTE`].
pub const DEFAULT_TENANT: &str = "default";
/// The `plan` claim's value.
pub const PLAN: &str = "pro";
/// The scope added to the access token.
pub const EXTRA_SCOPE: &str = "latchkey/extra";

/// Fills `claimsAndScopeOverrideDetails` with the added claims and scope.
///
/// `groupOverrideDetails` is always serialized by `aws_lambda_events` (it is not an `Option`),
/// and Cognito documents that the object replaces the user's groups, so the request's group
/// configuration is copied into it to keep `cognito:groups`, `cognito:roles` and
/// `cognito:preferred_role` as they are.
pub fn handle(
    mut event: CognitoEventUserPoolsPreTokenGenV2,
) -> Result<CognitoEventUserPoolsPreTokenGenV2, Error> {
    let tenant = event
        .request
        .user_attributes
        .get(TENANT_ATTRIBUTE)
        .filter(|t| !t.is_empty())
        .map_or(DEFAULT_TENANT, String::as_str);

    let mut id_token = CognitoIdTokenGenerationV2::default();
    id_token
        .claims_to_add_or_override
        .insert("tenant".into(), Value::from(tenant));
    id_token
        .claims_to_add_or_override
        .insert("plan".into(), Value::from(PLAN));

    let mut access_token = CognitoAccessTokenGenerationV2::default();
    access_token
        .claims_to_add_or_override
        .insert("tenant".into(), Value::from(tenant));
    access_token.scopes_to_add.push(EXTRA_SCOPE.into());

    let mut details = ClaimsAndScopeOverrideDetailsV2::default();
    details.group_override_details = event.request.group_configuration.clone();
    details.id_token_generation = Some(id_token);
    details.access_token_generation = Some(access_token);
    event.response.claims_and_scope_override_details = Some(details);
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CognitoEventUserPoolsPreTokenGenV2 {
        serde_json::from_str(include_str!(
            "../../../events/triggers/pre-token-generation-v2.json"
        ))
        .expect("pre-token-generation-v2.json is a V2 PreTokenGeneration event")
    }

    #[test]
    fn adds_tenant_plan_and_scope() {
        let out = handle(sample()).expect("answered");
        let json = serde_json::to_value(&out).expect("serializes");
        let details = &json["response"]["claimsAndScopeOverrideDetails"];
        assert_eq!(
            details["idTokenGeneration"]["claimsToAddOrOverride"],
            serde_json::json!({"tenant": "acme", "plan": "pro"})
        );
        assert_eq!(
            details["accessTokenGeneration"]["claimsToAddOrOverride"],
            serde_json::json!({"tenant": "acme"})
        );
        assert_eq!(
            details["accessTokenGeneration"]["scopesToAdd"],
            serde_json::json!(["latchkey/extra"])
        );
        assert_eq!(
            details["accessTokenGeneration"]["claimsToSuppress"],
            serde_json::json!([])
        );
        assert_eq!(
            details["idTokenGeneration"]["claimsToSuppress"],
            serde_json::json!([])
        );
        // Groups and roles are kept as they were.
        assert_eq!(
            details["groupOverrideDetails"],
            serde_json::to_value(&sample().request.group_configuration).expect("serializes")
        );
        assert_eq!(
            details["groupOverrideDetails"]["groupsToOverride"][0],
            "admins"
        );
    }

    #[test]
    fn defaults_the_tenant() {
        let mut event = sample();
        event.request.user_attributes.remove(TENANT_ATTRIBUTE);
        let out = handle(event).expect("answered");
        let details = out
            .response
            .claims_and_scope_override_details
            .expect("details set");
        let id = details.id_token_generation.expect("id token part");
        let access = details.access_token_generation.expect("access token part");
        assert_eq!(id.claims_to_add_or_override["tenant"], "default");
        assert_eq!(access.claims_to_add_or_override["tenant"], "default");
        assert!(!access.claims_to_add_or_override.contains_key("plan"));
    }
}
