//! Identity-pool management through `aws-sdk-cognitoidentity`: Create/Describe/Update/Delete/
//! ListIdentityPools (with MaxResults/NextToken pagination), SetIdentityPoolRoles and
//! GetIdentityPoolRoles with role mappings and their validation, and Set/Get-
//! PrincipalTagAttributeMap (with the tags reaching the identity's OpenID token), each with
//! its errors. Identities themselves are in `identity_identities.rs`. None needs STS.

use crate::identity_support;

use std::collections::BTreeSet;

use aws_sdk_cognitoidentity::types::{AmbiguousRoleResolutionType as Amb, MappingRuleMatchType};
use identity_support::{assert_refused, assert_region_uuid, role, rules_mapping, token_mapping};
use identity_support::{claims, Env};
use serde_json::json;

const RNF: &str = "ResourceNotFoundException";
const INVALID: &str = "InvalidParameterException";
const UNKNOWN_POOL: &str = "us-east-1:00000000-0000-4000-8000-000000000000";

#[tokio::test]
async fn create_describe_update_and_delete_a_pool() {
    let env = Env::start().await;
    let oidc_arn = "arn:aws:iam::123456789012:oidc-provider/login.example.com";
    let out = env
        .ci
        .create_identity_pool()
        .identity_pool_name("My pool_1")
        .allow_unauthenticated_identities(false)
        .allow_classic_flow(true)
        .supported_login_providers("accounts.google.com", "g-client.apps")
        .cognito_identity_providers(env.cognito_provider(true))
        .open_id_connect_provider_arns(oidc_arn)
        .identity_pool_tags("team", "identity")
        .send()
        .await
        .expect("CreateIdentityPool");
    let id = out.identity_pool_id().to_owned();
    assert_region_uuid(&id);
    assert_eq!(out.identity_pool_name(), "My pool_1");
    assert!(!out.allow_unauthenticated_identities());
    assert_eq!(out.allow_classic_flow(), Some(true));
    assert_eq!(out.open_id_connect_provider_arns(), [oidc_arn]);
    assert_eq!(
        out.cognito_identity_providers(),
        [env.cognito_provider(true)]
    );

    let d = env.ci.describe_identity_pool().identity_pool_id(&id);
    let d = d.send().await.expect("DescribeIdentityPool");
    assert_eq!(d.identity_pool_id(), id);
    assert_eq!(d.identity_pool_name(), "My pool_1");
    assert_eq!(d.allow_classic_flow(), Some(true));
    let google = d
        .supported_login_providers()
        .expect("SupportedLoginProviders");
    assert_eq!(google["accounts.google.com"], "g-client.apps");
    assert_eq!(d.identity_pool_tags().expect("tags")["team"], "identity");
    assert_eq!(d.cognito_identity_providers(), [env.cognito_provider(true)]);

    // Roles set before an update survive it; the update replaces every settable member.
    env.set_roles(&id, &[("authenticated", &role("auth"))], vec![])
        .await;
    let u = env.ci.update_identity_pool().identity_pool_id(&id);
    let u = u
        .identity_pool_name("Renamed")
        .allow_unauthenticated_identities(true)
        .supported_login_providers("login.example.com", "web")
        .send()
        .await
        .expect("UpdateIdentityPool");
    assert_eq!(u.identity_pool_name(), "Renamed");
    assert!(u.allow_unauthenticated_identities());
    let d = env.ci.describe_identity_pool().identity_pool_id(&id);
    let d = d.send().await.expect("DescribeIdentityPool after update");
    assert_eq!(d.identity_pool_name(), "Renamed");
    assert!(d.allow_unauthenticated_identities());
    assert!(d.cognito_identity_providers().is_empty());
    let providers = d.supported_login_providers().expect("providers");
    assert_eq!(providers.keys().collect::<Vec<_>>(), ["login.example.com"]);
    let roles = env.ci.get_identity_pool_roles().identity_pool_id(&id);
    let roles = roles.send().await.expect("GetIdentityPoolRoles");
    assert_eq!(roles.roles().expect("Roles")["authenticated"], role("auth"));

    env.ci
        .delete_identity_pool()
        .identity_pool_id(&id)
        .send()
        .await
        .expect("DeleteIdentityPool");
    let gone = format!("IdentityPool '{id}' not found.");
    let describe = env.ci.describe_identity_pool().identity_pool_id(&id);
    assert_refused(describe.send().await, RNF, &gone);
    let delete = env.ci.delete_identity_pool().identity_pool_id(&id);
    assert_refused(delete.send().await, RNF, &gone);
    assert_refused(env.get_id(&id, &[]).await, RNF, &gone);
}

#[tokio::test]
async fn bad_names_ids_and_unknown_pools_are_refused() {
    let env = Env::start().await;
    let create = env.ci.create_identity_pool().identity_pool_name("bad/name");
    let create = create.allow_unauthenticated_identities(true).send().await;
    assert_refused(create, INVALID, "1 validation error detected");
    let describe = env
        .ci
        .describe_identity_pool()
        .identity_pool_id("not-an-id");
    assert_refused(
        describe.send().await,
        INVALID,
        "1 validation error detected",
    );
    let gone = format!("IdentityPool '{UNKNOWN_POOL}' not found.");
    let describe = env
        .ci
        .describe_identity_pool()
        .identity_pool_id(UNKNOWN_POOL);
    assert_refused(describe.send().await, RNF, &gone);
    let update = env.ci.update_identity_pool().identity_pool_id(UNKNOWN_POOL);
    let update = update
        .identity_pool_name("x")
        .allow_unauthenticated_identities(true);
    assert_refused(update.send().await, RNF, &gone);
    let roles = env
        .ci
        .set_identity_pool_roles()
        .identity_pool_id(UNKNOWN_POOL);
    let roles = roles.roles("authenticated", role("a")).send().await;
    assert_refused(roles, RNF, &gone);
    let list = env.ci.list_identities().identity_pool_id(UNKNOWN_POOL);
    assert_refused(list.max_results(10).send().await, RNF, &gone);
    assert_refused(env.get_id(UNKNOWN_POOL, &[]).await, RNF, &gone);
}

#[tokio::test]
async fn list_identity_pools_paginates_with_max_results_and_next_token() {
    let env = Env::start().await;
    let mut created = BTreeSet::new();
    for i in 0..7 {
        let id = env.create_pool(&format!("pool {i}"), true, |b| b).await;
        created.insert((id, format!("pool {i}")));
    }
    let (mut seen, mut pages, mut token) = (Vec::new(), Vec::new(), None::<String>);
    loop {
        let page = env.ci.list_identity_pools().max_results(3);
        let page = page
            .set_next_token(token.take())
            .send()
            .await
            .expect("page");
        pages.push(page.identity_pools().len());
        for p in page.identity_pools() {
            let (id, name) = (p.identity_pool_id(), p.identity_pool_name());
            seen.push((id.expect("id").to_owned(), name.expect("name").to_owned()));
        }
        match page.next_token() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, [3, 3, 1]);
    assert_eq!(seen.len(), 7, "no pool listed twice: {seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), created);
    for bad in [0, 61] {
        let list = env.ci.list_identity_pools().max_results(bad).send().await;
        assert_refused(list, INVALID, "1 validation error detected");
    }
    let list = env
        .ci
        .list_identity_pools()
        .max_results(3)
        .next_token("%%%");
    assert_refused(list.send().await, INVALID, "Invalid pagination token.");
}

#[tokio::test]
async fn roles_and_role_mappings_round_trip_and_are_replaced_whole() {
    let env = Env::start().await;
    let pool = env.trusting_pool(true).await;
    let roles = env.ci.get_identity_pool_roles().identity_pool_id(&pool);
    let empty = roles
        .send()
        .await
        .expect("GetIdentityPoolRoles on a new pool");
    assert_eq!(empty.identity_pool_id(), Some(pool.as_str()));
    assert!(empty.roles().is_none_or(|r| r.is_empty()), "{empty:?}");
    assert!(empty.role_mappings().is_none_or(|m| m.is_empty()));

    let token = token_mapping(Amb::AuthenticatedRole);
    let rules = rules_mapping(
        &[
            (
                "email",
                MappingRuleMatchType::StartsWith,
                "admin",
                &role("admin"),
            ),
            (
                "cognito:groups",
                MappingRuleMatchType::Contains,
                "eng",
                &role("eng"),
            ),
        ],
        Amb::Deny,
    );
    let (auth, unauth) = (role("auth"), role("unauth"));
    let pairs = [
        ("authenticated", auth.as_str()),
        ("unauthenticated", &unauth),
    ];
    let mappings = vec![
        (env.mapping_key(), token.clone()),
        ("login.example.com".to_owned(), rules.clone()),
    ];
    env.set_roles(&pool, &pairs, mappings).await;
    let got = env.ci.get_identity_pool_roles().identity_pool_id(&pool);
    let got = got.send().await.expect("GetIdentityPoolRoles");
    let r = got.roles().expect("Roles");
    assert_eq!((r.len(), &r["authenticated"]), (2, &auth));
    assert_eq!(r["unauthenticated"], unauth);
    let m = got.role_mappings().expect("RoleMappings");
    assert_eq!(m.len(), 2);
    assert_eq!(m[&env.mapping_key()], token);
    assert_eq!(m["login.example.com"], rules);

    // A second call replaces roles and mappings whole.
    env.set_roles(&pool, &[("authenticated", &auth)], vec![])
        .await;
    let got = env.ci.get_identity_pool_roles().identity_pool_id(&pool);
    let got = got
        .send()
        .await
        .expect("GetIdentityPoolRoles after replace");
    let r = got.roles().expect("Roles");
    assert_eq!(r.keys().collect::<Vec<_>>(), ["authenticated"]);
    assert!(got.role_mappings().is_none_or(|m| m.is_empty()));
}

#[tokio::test]
async fn role_mappings_are_validated() {
    let env = Env::start().await;
    let pool = env.trusting_pool(false).await;
    let bare = || env.ci.set_identity_pool_roles().identity_pool_id(&pool);
    let set = || bare().roles("authenticated", role("auth"));
    let bad_key = bare().roles("admin", role("x")).send().await;
    // Coral's check of the model's key pattern, before the operation runs.
    assert_refused(
        bad_key,
        INVALID,
        "1 validation error detected: Value at 'roles.admin.key' failed to satisfy constraint: \
         Member must satisfy regular expression pattern: (un)?authenticated",
    );
    let admin = role("admin");
    let rule = (
        "email",
        MappingRuleMatchType::Equals,
        "a@example.com",
        admin.as_str(),
    );
    let too_many = rules_mapping(&vec![rule.clone(); 26], Amb::Deny);
    let res = set()
        .role_mappings(env.mapping_key(), too_many)
        .send()
        .await;
    // The model sets no upper bound here; Cognito's documented limit of 25 is Latchkey's check.
    assert_refused(
        res,
        INVALID,
        "RulesConfiguration.Rules must have 1 to 25 rules.",
    );
    let most = rules_mapping(&vec![rule.clone(); 25], Amb::Deny);
    let res = set().role_mappings(env.mapping_key(), most).send().await;
    res.expect("25 rules are accepted");
    let no_rules = rules_mapping(&[], Amb::Deny);
    let res = set()
        .role_mappings(env.mapping_key(), no_rules)
        .send()
        .await;
    // Coral's length check of the model's RulesConfiguration.Rules (at least 1), before the
    // operation runs.
    assert_refused(
        res,
        INVALID,
        "1 validation error detected: Value at 'roleMappings.",
    );
    let long_claim = "c".repeat(65);
    let rule = (
        long_claim.as_str(),
        MappingRuleMatchType::Equals,
        "v",
        admin.as_str(),
    );
    let res = set().role_mappings(env.mapping_key(), rules_mapping(&[rule], Amb::Deny));
    assert_refused(
        res.send().await,
        INVALID,
        "1 validation error detected: Value at 'roleMappings.",
    );
    // Rejected calls changed nothing: the 25-rule mapping is still there.
    let got = env.ci.get_identity_pool_roles().identity_pool_id(&pool);
    let got = got.send().await.expect("GetIdentityPoolRoles");
    let m = &got.role_mappings().expect("RoleMappings")[&env.mapping_key()];
    assert_eq!(m.rules_configuration().expect("rules").rules().len(), 25);
}

#[tokio::test]
async fn principal_tag_maps_round_trip_and_reach_the_open_id_token() {
    let env = Env::start().await;
    let pool = env.trusting_pool(false).await;
    let provider = env.provider();
    let get = || {
        let req = env.ci.get_principal_tag_attribute_map();
        req.identity_pool_id(&pool)
            .identity_provider_name(&provider)
    };
    let set = || {
        let req = env.ci.set_principal_tag_attribute_map();
        req.identity_pool_id(&pool)
            .identity_provider_name(&provider)
    };
    let unset = get().send().await.expect("GetPrincipalTagAttributeMap");
    assert_eq!(unset.use_defaults(), Some(true));
    assert!(unset.principal_tags().is_none_or(|t| t.is_empty()));

    let token = env.id_token("tagged").await;
    let id_claims = claims(&token);
    let login = [(provider.as_str(), token.as_str())];
    let identity = env.identity(&pool, &login).await;
    // No map for the provider: no tags claim.
    let c = env.verified_open_id_token(&pool, &identity, &login).await;
    assert!(!c.contains_key("https://aws.amazon.com/tags"), "{c:?}");

    let out = set().use_defaults(true).send().await.expect("Set defaults");
    assert_eq!(out.use_defaults(), Some(true));
    assert_eq!(out.identity_provider_name(), Some(provider.as_str()));
    let c = env.verified_open_id_token(&pool, &identity, &login).await;
    let expected = json!({"principal_tags": {
        "username": [id_claims["sub"]], "client": [env.client()]}});
    assert_eq!(c["https://aws.amazon.com/tags"], expected);

    let custom = set()
        .use_defaults(false)
        .principal_tags("mail", "email")
        .principal_tags("who", "cognito:username");
    let out = custom.send().await.expect("Set custom map");
    assert_eq!(out.use_defaults(), Some(false));
    let got = get().send().await.expect("Get custom map");
    assert_eq!(got.use_defaults(), Some(false));
    let tags = got.principal_tags().expect("PrincipalTags");
    assert_eq!((tags.len(), tags["mail"].as_str()), (2, "email"));
    let c = env.verified_open_id_token(&pool, &identity, &login).await;
    let expected = json!({"principal_tags": {
        "mail": ["tagged@example.com"], "who": ["tagged"]}});
    assert_eq!(c["https://aws.amazon.com/tags"], expected);

    let mut many = set().use_defaults(false);
    for i in 0..51 {
        many = many.principal_tags(format!("t{i}"), "sub");
    }
    assert_refused(many.send().await, INVALID, "1 validation error detected");
    let req = env
        .ci
        .get_principal_tag_attribute_map()
        .identity_pool_id(UNKNOWN_POOL);
    let res = req.identity_provider_name(&provider).send().await;
    assert_refused(res, RNF, "IdentityPool");
}
