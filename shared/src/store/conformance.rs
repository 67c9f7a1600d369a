//! The storage conformance suite: one set of checks, generic over the ports, that every adapter
//! must pass. `conformance_suite!(expr)` expands to one `#[tokio::test]` per check.

use super::{Store, StoreError};

#[path = "conformance_devices.rs"]
mod devices;
#[path = "conformance_grants.rs"]
mod grants;
#[path = "conformance_identities.rs"]
mod identities;
#[path = "conformance_idps.rs"]
mod idps;
#[path = "conformance_imports.rs"]
mod imports;
#[path = "conformance_oauth.rs"]
mod oauth;
#[path = "conformance_portability.rs"]
mod portability;
#[path = "conformance_sends.rs"]
mod sends;
use crate::secret::Secret;
use crate::userpool::model::*;
pub use devices::{devices_are_created_once_and_versioned, devices_go_with_their_user};
pub use grants::{concurrent_takers_get_a_grant_once, grants_are_taken_once};
pub use identities::{
    identities_delete_with_their_logins, identities_merge_atomically, identities_release_logins,
};
pub use idps::{
    concurrent_idp_creates_claim_an_identifier_once, identity_providers_are_unique_per_pool,
    identity_providers_list_in_pages, idp_deletion_releases_identifiers,
    idp_identifiers_move_on_update, pool_deletion_takes_identity_providers,
};
pub use imports::{concurrent_starts_have_one_winner, import_jobs_are_created_once_and_versioned};
pub use oauth::{
    domains_are_claimed_once, pool_deletion_takes_oauth_config,
    resource_servers_are_unique_per_pool, ui_customizations_keep_their_creation,
};
pub use portability::{pool_devices_list_confirmed_ones_in_pages, users_are_imported_whole};
pub use sends::{concurrent_sends_stop_at_the_limit, sends_are_counted_per_window};
use std::collections::BTreeMap;

/// A pool record with placeholder keys (the store never looks inside them).
pub fn sample_pool(id: &str) -> UserPool {
    let key = |kid: &str| StoredKey {
        kid: kid.into(),
        pkcs8: Secret::new("AAAA".into()),
    };
    UserPool {
        id: id.into(),
        name: "pool".into(),
        arn: format!("arn:aws:cognito-idp:us-east-1:000000000000:userpool/{id}"),
        created_ms: 1,
        modified_ms: 1,
        password_policy: PasswordPolicy::default(),
        username_attributes: vec![],
        alias_attributes: vec![],
        auto_verified_attributes: vec!["email".into()],
        schema: vec![],
        username_case_sensitive: false,
        mfa_configuration: crate::userpool::enums::MfaConfiguration::Off,
        deletion_protection: crate::userpool::enums::DeletionProtection::Inactive,
        lambda_config: None,
        messages: VerificationMessages {
            email_message: "{####}".into(),
            email_subject: "s".into(),
            sms_message: "{####}".into(),
        },
        passthrough: Default::default(),
        keys: PoolKeys {
            id: key("a"),
            access: key("b"),
        },
        first_auth_factors: Vec::new(),
        saml_signing: None,
        version: 0,
    }
}

/// A client record.
pub fn sample_client(pool_id: &str, client_id: &str) -> AppClient {
    AppClient {
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        client_name: "c".into(),
        secret: None,
        created_ms: 1,
        modified_ms: 1,
        explicit_auth_flows: vec![],
        refresh_token_validity: 30,
        access_token_validity: 1,
        id_token_validity: 1,
        token_validity_units: TokenValidityUnits::default(),
        read_attributes: None,
        write_attributes: None,
        prevent_user_existence_errors: crate::userpool::enums::PreventUserExistenceErrors::Legacy,
        enable_token_revocation: true,
        auth_session_validity: 3,
        oauth: Default::default(),
        passthrough: Default::default(),
    }
}

/// A user record, version 1.
pub fn sample_user(pool_id: &str, username: &str) -> User {
    let mut attributes = BTreeMap::new();
    attributes.insert("email".to_string(), format!("{username}@example.com"));
    let pool = sample_pool(pool_id);
    User::new(
        &pool,
        username.into(),
        format!("sub-{username}"),
        attributes,
        UserStatus::Unconfirmed,
        None,
        1,
    )
}

/// Pools and clients round-trip, list in order with paging, and delete with their contents.
pub async fn pools_and_clients<S: Store>(s: &S) {
    for id in ["us-east-1_b", "us-east-1_a", "us-east-1_c"] {
        s.create_pool(&sample_pool(id)).await.unwrap();
    }
    assert!(matches!(
        s.create_pool(&sample_pool("us-east-1_a")).await,
        Err(StoreError::Conflict)
    ));
    let page = s.list_pools(None, 2).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["us-east-1_a", "us-east-1_b"]);
    let mut renamed = sample_pool("us-east-1_b");
    renamed.name = "renamed".into();
    renamed.version = 1;
    s.update_pool(&renamed, 0).await.unwrap();
    assert_eq!(
        s.get_pool("us-east-1_b").await.unwrap().unwrap().name,
        "renamed"
    );
    // A write over a version that moved on is refused and changes nothing.
    let mut stale = sample_pool("us-east-1_b");
    stale.name = "stale".into();
    stale.version = 1;
    assert!(matches!(
        s.update_pool(&stale, 0).await,
        Err(StoreError::Conflict)
    ));
    let stored = s.get_pool("us-east-1_b").await.unwrap().unwrap();
    assert_eq!((stored.name.as_str(), stored.version), ("renamed", 1));
    renamed.version = 2;
    renamed.name = "again".into();
    s.update_pool(&renamed, 1).await.unwrap();
    assert_eq!(s.get_pool("us-east-1_b").await.unwrap().unwrap().version, 2);
    assert!(matches!(
        s.update_pool(&sample_pool("us-east-1_zz"), 0).await,
        Err(StoreError::Conflict)
    ));
    let rest = s.list_pools(page.next.as_deref(), 2).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none());

    s.create_client(&sample_client("us-east-1_a", "c1"))
        .await
        .unwrap();
    s.create_client(&sample_client("us-east-1_a", "c2"))
        .await
        .unwrap();
    assert!(matches!(
        s.create_client(&sample_client("us-east-1_a", "c1")).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        s.get_client("c1").await.unwrap().unwrap().pool_id,
        "us-east-1_a"
    );
    assert_eq!(
        s.list_clients("us-east-1_a", None, 10)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let mut changed = sample_client("us-east-1_a", "c2");
    changed.client_name = "changed".into();
    changed.oauth.callback_urls = vec!["https://app.example/cb".into()];
    s.update_client(&changed).await.unwrap();
    let read = s.get_client("c2").await.unwrap().unwrap();
    assert_eq!(read.client_name, "changed");
    assert_eq!(read.oauth, changed.oauth);
    assert!(matches!(
        s.update_client(&sample_client("us-east-1_a", "nope")).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        s.update_client(&sample_client("us-east-1_b", "c2")).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        s.get_client("c2").await.unwrap().unwrap().pool_id,
        "us-east-1_a",
        "a refused update leaves the client as it was"
    );
    assert!(!s.delete_client("us-east-1_b", "c1").await.unwrap());
    assert!(s.delete_client("us-east-1_a", "c1").await.unwrap());
    assert!(s.get_client("c1").await.unwrap().is_none());

    s.create_user(&sample_user("us-east-1_a", "u"), &[])
        .await
        .unwrap();
    assert!(s.delete_pool("us-east-1_a").await.unwrap());
    assert!(s.get_pool("us-east-1_a").await.unwrap().is_none());
    assert!(s.get_client("c2").await.unwrap().is_none());
    assert!(s.get_user("us-east-1_a", "u").await.unwrap().is_none());
    assert!(!s.delete_pool("us-east-1_a").await.unwrap());
}

/// A username and an alias can each be claimed once, and a refused create leaves nothing.
pub async fn users_are_unique<S: Store>(s: &S) {
    let p = "us-east-1_u";
    let alice = sample_user(p, "alice");
    s.create_user(&alice, &["email:a@x.com".into()])
        .await
        .unwrap();
    assert!(matches!(
        s.create_user(&sample_user(p, "alice"), &[]).await,
        Err(StoreError::UsernameTaken)
    ));
    let bob = sample_user(p, "bob");
    match s.create_user(&bob, &["email:a@x.com".into()]).await {
        Err(StoreError::AliasTaken(a)) => assert_eq!(a, "email:a@x.com"),
        other => panic!("expected AliasTaken, got {other:?}"),
    }
    assert!(
        s.get_user(p, "bob").await.unwrap().is_none(),
        "no half-written user"
    );
    let by_alias = s
        .get_user_by_alias(p, "email:a@x.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_alias.username, "alice");
    assert_eq!(s.count_users(p).await.unwrap(), 1);
    // The same username in another pool is a different user.
    s.create_user(&sample_user("us-east-1_other", "alice"), &[])
        .await
        .unwrap();
    assert!(s.delete_user(p, "alice").await.unwrap());
    assert!(s
        .get_user_by_alias(p, "email:a@x.com")
        .await
        .unwrap()
        .is_none());
    s.create_user(&bob, &["email:a@x.com".into()])
        .await
        .unwrap();
}

/// Updates carry the version they read; a stale one is refused.
pub async fn updates_check_versions<S: Store>(s: &S) {
    let p = "us-east-1_v";
    let mut u = sample_user(p, "carol");
    s.create_user(&u, &[]).await.unwrap();
    u.version = 2;
    u.status = UserStatus::Confirmed;
    s.update_user(&u).await.unwrap();
    let stale = u.clone();
    assert!(matches!(
        s.update_user(&stale).await,
        Err(StoreError::Conflict)
    ));
    let got = s.get_user(p, "carol").await.unwrap().unwrap();
    assert_eq!((got.version, got.status), (2, UserStatus::Confirmed));
    let mut ghost = sample_user(p, "ghost");
    ghost.version = 2;
    assert!(matches!(
        s.update_user(&ghost).await,
        Err(StoreError::Conflict)
    ));
}

/// Listing pages through users in key order and applies the filter before paging.
pub async fn lists_users_in_pages<S: Store>(s: &S) {
    let p = "us-east-1_l";
    for name in ["e", "a", "d", "c", "b"] {
        s.create_user(&sample_user(p, name), &[]).await.unwrap();
    }
    let all = |_: &User| true;
    let first = s.list_users(p, None, 2, &all).await.unwrap();
    let names: Vec<_> = first.items.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    let second = s
        .list_users(p, first.next.as_deref(), 2, &all)
        .await
        .unwrap();
    assert_eq!(second.items.len(), 2);
    let third = s
        .list_users(p, second.next.as_deref(), 2, &all)
        .await
        .unwrap();
    assert_eq!(third.items.len(), 1);
    assert!(third.next.is_none());
    let odd = |u: &User| matches!(u.username.as_str(), "a" | "c" | "e");
    let filtered = s.list_users(p, None, 10, &odd).await.unwrap();
    assert_eq!(filtered.items.len(), 3);
}

/// Codes supersede each other, count failures atomically and can be removed.
pub async fn codes_supersede_and_count<S: Store>(s: &S) {
    let code = |hash: &str| PendingCode {
        pool_id: "us-east-1_k".into(),
        username_key: "dave".into(),
        purpose: CodePurpose::SignUp,
        code_hash: Secret::new(hash.into()),
        expires_ms: 10,
        attempts: 0,
    };
    s.put_code(&code("one")).await.unwrap();
    assert_eq!(
        s.record_code_failure("us-east-1_k", "dave", CodePurpose::SignUp)
            .await
            .unwrap(),
        1
    );
    s.put_code(&code("two")).await.unwrap();
    let got = s
        .get_code("us-east-1_k", "dave", CodePurpose::SignUp)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((got.code_hash.expose().as_str(), got.attempts), ("two", 0));
    s.delete_code("us-east-1_k", "dave", CodePurpose::SignUp)
        .await
        .unwrap();
    assert!(s
        .get_code("us-east-1_k", "dave", CodePurpose::SignUp)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        s.record_code_failure("us-east-1_k", "dave", CodePurpose::SignUp)
            .await
            .unwrap(),
        0
    );
}

/// Refresh tokens are found by hash and go with their user.
pub async fn refresh_tokens_round_trip<S: Store>(s: &S) {
    let p = "us-east-1_r";
    s.create_user(&sample_user(p, "erin"), &[]).await.unwrap();
    let rec = RefreshRecord {
        token_hash: "h1".into(),
        pool_id: p.into(),
        client_id: "c".into(),
        username_key: "erin".into(),
        origin_jti: "o".into(),
        auth_time: 5,
        scopes: Some(vec!["openid".into(), "rs/read".into()]),
        expires_ms: 99,
        revoked: false,
        rotated_ms: None,
        device_key: None,
    };
    s.put_refresh_token(&rec).await.unwrap();
    assert_eq!(
        s.get_refresh_token("h1").await.unwrap().unwrap().origin_jti,
        "o"
    );
    assert!(s.get_refresh_token("h2").await.unwrap().is_none());
    let (record, user) = s.get_refresh_session("h1", p, "erin").await.unwrap();
    assert_eq!(record.unwrap().origin_jti, "o");
    assert_eq!(user.unwrap().username, "erin");
    let (record, user) = s.get_refresh_session("h2", p, "nobody").await.unwrap();
    assert!(record.is_none() && user.is_none());
    s.delete_user(p, "erin").await.unwrap();
    assert!(s.get_refresh_token("h1").await.unwrap().is_none());
}

/// Settings are written once; the first value stays.
pub async fn settings_are_write_once<S: Store>(s: &S) {
    assert!(s.get_setting("k").await.unwrap().is_none());
    assert_eq!(s.put_setting_once("k", "one").await.unwrap(), "one");
    assert_eq!(s.put_setting_once("k", "two").await.unwrap(), "one");
}

/// The outbox keeps messages in order and filters by pool and user.
pub async fn outbox_keeps_order<S: Store>(s: &S) {
    let msg = |user: &str, code: &str| OutboundMessage {
        pool_id: "us-east-1_o".into(),
        username: user.into(),
        destination: "x@y.z".into(),
        delivery_medium: crate::userpool::enums::DeliveryMedium::Email,
        purpose: "SignUp".into(),
        code: Secret::new(code.into()),
        subject: "s".into(),
        message: Secret::new(code.into()),
        created_ms: 1,
    };
    let a = s.append_outbox(&msg("u1", "111111")).await.unwrap();
    let b = s.append_outbox(&msg("u2", "222222")).await.unwrap();
    assert!(b > a);
    let all = s.list_outbox(Some("us-east-1_o"), None).await.unwrap();
    assert_eq!(all.len(), 2);
    let u2 = s
        .list_outbox(Some("us-east-1_o"), Some("u2"))
        .await
        .unwrap();
    assert_eq!(u2[0].1.code.expose(), "222222");
}

/// Alias claims move with a user update, atomically; another user's claim is refused.
pub async fn aliases_follow_updates<S: Store>(s: &S) {
    let p = "us-east-1_al";
    let mut ann = sample_user(p, "ann");
    s.create_user(&ann, &["email:a@x.com".into()])
        .await
        .unwrap();
    s.create_user(&sample_user(p, "ben"), &["email:b@x.com".into()])
        .await
        .unwrap();
    ann.version = 2;
    s.update_user_and_aliases(&ann, &["email:new@x.com".into()], &["email:a@x.com".into()])
        .await
        .unwrap();
    assert!(s
        .get_user_by_alias(p, "email:a@x.com")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        s.get_user_by_alias(p, "email:new@x.com")
            .await
            .unwrap()
            .unwrap()
            .username,
        "ann"
    );
    ann.version = 3;
    match s
        .update_user_and_aliases(&ann, &["email:b@x.com".into()], &[])
        .await
    {
        Err(StoreError::AliasTaken(a)) => assert_eq!(a, "email:b@x.com"),
        other => panic!("expected AliasTaken, got {other:?}"),
    }
    let stored = s.get_user(p, "ann").await.unwrap().unwrap();
    assert_eq!(stored.version, 2, "a refused update changes nothing");
    // Re-claiming an alias the user holds is fine.
    s.update_user_and_aliases(&ann, &["email:new@x.com".into()], &[])
        .await
        .unwrap();
}

/// Refresh tokens can be revoked per session or all at once, and rotate exactly once.
pub async fn refresh_tokens_revoke_and_rotate<S: Store>(s: &S) {
    let p = "us-east-1_rr";
    s.create_user(&sample_user(p, "fay"), &[]).await.unwrap();
    let rec = |hash: &str, origin: &str| RefreshRecord {
        token_hash: hash.into(),
        pool_id: p.into(),
        client_id: "c".into(),
        username_key: "fay".into(),
        origin_jti: origin.into(),
        auth_time: 5,
        scopes: None,
        expires_ms: 99,
        revoked: false,
        rotated_ms: None,
        device_key: None,
    };
    s.put_refresh_token(&rec("t1", "o1")).await.unwrap();
    s.put_refresh_token(&rec("t2", "o2")).await.unwrap();
    s.revoke_refresh_tokens(p, "fay", Some("o1")).await.unwrap();
    assert!(s.get_refresh_token("t1").await.unwrap().unwrap().revoked);
    assert!(!s.get_refresh_token("t2").await.unwrap().unwrap().revoked);
    assert_eq!(s.list_refresh_tokens(p, "fay").await.unwrap().len(), 2);
    s.rotate_refresh_token("t2", 7, &rec("t3", "o2"))
        .await
        .unwrap();
    assert!(matches!(
        s.rotate_refresh_token("t2", 8, &rec("t4", "o2")).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        s.get_refresh_token("t2").await.unwrap().unwrap().rotated_ms,
        Some(7)
    );
    assert!(
        s.get_refresh_token("t4").await.unwrap().is_none(),
        "a lost rotation stores nothing"
    );
    s.revoke_refresh_tokens(p, "fay", None).await.unwrap();
    assert!(s
        .list_refresh_tokens(p, "fay")
        .await
        .unwrap()
        .iter()
        .all(|r| r.revoked));
}

/// Groups are unique per pool, list in pages, and memberships move with the user record.
pub async fn groups_and_memberships<S: Store>(s: &S) {
    let p = "us-east-1_g";
    let group = |name: &str| Group {
        pool_id: p.into(),
        name: name.into(),
        description: None,
        role_arn: None,
        precedence: Some(1),
        created_ms: 1,
        modified_ms: 1,
    };
    for name in ["b", "a", "c"] {
        s.create_group(&group(name)).await.unwrap();
    }
    assert!(matches!(
        s.create_group(&group("a")).await,
        Err(StoreError::Conflict)
    ));
    let page = s.list_groups(p, None, 2).await.unwrap();
    assert_eq!(
        page.items
            .iter()
            .map(|g| g.name.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(
        s.list_groups(p, page.next.as_deref(), 2)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let mut g = group("a");
    g.description = Some("admins".into());
    s.update_group(&g).await.unwrap();
    assert_eq!(
        s.get_group(p, "a")
            .await
            .unwrap()
            .unwrap()
            .description
            .as_deref(),
        Some("admins")
    );
    assert!(matches!(
        s.update_group(&group("zz")).await,
        Err(StoreError::Conflict)
    ));

    let mut u = sample_user(p, "gus");
    s.create_user(&u, &[]).await.unwrap();
    u.version = 2;
    u.groups = vec!["a".into()];
    s.set_membership(&u, "a", true).await.unwrap();
    let stale = u.clone();
    assert!(matches!(
        s.set_membership(&stale, "b", true).await,
        Err(StoreError::Conflict)
    ));
    let members = s.list_members(p, "a", None, 10).await.unwrap();
    assert_eq!(members.items[0].groups, ["a"]);
    assert!(s
        .list_members(p, "b", None, 10)
        .await
        .unwrap()
        .items
        .is_empty());
    u.version = 3;
    u.groups.clear();
    s.set_membership(&u, "a", false).await.unwrap();
    assert!(s
        .list_members(p, "a", None, 10)
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(s.delete_group(p, "a").await.unwrap());
    assert!(s.get_group(p, "a").await.unwrap().is_none());
}

/// Identity pools and identities: each login is claimed by one identity, atomically; identity
/// updates are version-checked; deleting a pool frees its logins.
pub async fn identities_claim_logins_once<S: Store>(s: &S) {
    use crate::identity::model::{Identity, IdentityPool};
    let pool = |id: &str| IdentityPool {
        id: id.into(),
        name: "ip".into(),
        allow_unauthenticated: false,
        allow_classic_flow: None,
        supported_login_providers: Default::default(),
        developer_provider_name: None,
        openid_connect_provider_arns: vec![],
        cognito_identity_providers: vec![],
        saml_provider_arns: vec![],
        tags: Default::default(),
        authenticated_role: None,
        unauthenticated_role: None,
        role_mappings: Default::default(),
        principal_tags: Default::default(),
        created_ms: 1,
    };
    let p = "us-east-1:00000000-0000-0000-0000-000000000001";
    s.create_identity_pool(&pool(p)).await.unwrap();
    assert!(matches!(
        s.create_identity_pool(&pool(p)).await,
        Err(StoreError::Conflict)
    ));
    let mut changed = pool(p);
    changed.allow_unauthenticated = true;
    s.update_identity_pool(&changed).await.unwrap();
    assert!(
        s.get_identity_pool(p)
            .await
            .unwrap()
            .unwrap()
            .allow_unauthenticated
    );
    assert_eq!(
        s.list_identity_pools(None, 10).await.unwrap().items.len(),
        1
    );
    let identity = |id: &str, keys: &[&str]| Identity {
        pool_id: p.into(),
        id: id.into(),
        logins: vec!["prov".into()],
        login_keys: keys.iter().map(|k| k.to_string()).collect(),
        created_ms: 1,
        modified_ms: 1,
        version: 1,
        inaccessible: false,
    };
    s.create_identity(&identity("us-east-1:a", &["prov|1"]))
        .await
        .unwrap();
    match s
        .create_identity(&identity("us-east-1:b", &["prov|2", "prov|1"]))
        .await
    {
        Err(StoreError::AliasTaken(k)) => assert_eq!(k, "prov|1"),
        other => panic!("expected AliasTaken, got {other:?}"),
    }
    assert!(
        s.get_identity("us-east-1:b").await.unwrap().is_none(),
        "nothing half-written"
    );
    assert!(s
        .get_identity_by_login(p, "prov|2")
        .await
        .unwrap()
        .is_none());
    let found = s.get_identity_by_login(p, "prov|1").await.unwrap().unwrap();
    assert_eq!(found.id, "us-east-1:a");
    let mut linked = found.clone();
    linked.version = 2;
    linked.login_keys.push("other|9".into());
    s.update_identity(&linked, &["other|9".to_string()])
        .await
        .unwrap();
    assert_eq!(
        s.get_identity_by_login(p, "other|9")
            .await
            .unwrap()
            .unwrap()
            .id,
        "us-east-1:a"
    );
    assert!(matches!(
        s.update_identity(&linked, &[]).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(s.list_identities(p, None, 10).await.unwrap().items.len(), 1);
    assert!(s.delete_identity_pool(p).await.unwrap());
    assert!(s.get_identity("us-east-1:a").await.unwrap().is_none());
    assert!(s
        .get_identity_by_login(p, "prov|1")
        .await
        .unwrap()
        .is_none());
}

/// Expands to one test per conformance check, each on a fresh store made by `$make`.
#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        $crate::conformance_suite!(@tests $make;
            pools_and_clients, users_are_unique, updates_check_versions, lists_users_in_pages,
            codes_supersede_and_count, refresh_tokens_round_trip, settings_are_write_once,
            outbox_keeps_order, aliases_follow_updates, refresh_tokens_revoke_and_rotate,
            groups_and_memberships, identities_claim_logins_once, sends_are_counted_per_window,
            concurrent_sends_stop_at_the_limit, grants_are_taken_once,
            concurrent_takers_get_a_grant_once, resource_servers_are_unique_per_pool,
            domains_are_claimed_once, ui_customizations_keep_their_creation,
            pool_deletion_takes_oauth_config, devices_are_created_once_and_versioned,
            devices_go_with_their_user, import_jobs_are_created_once_and_versioned,
            concurrent_starts_have_one_winner, users_are_imported_whole,
            pool_devices_list_confirmed_ones_in_pages, identity_providers_are_unique_per_pool,
            idp_identifiers_move_on_update, idp_deletion_releases_identifiers,
            identity_providers_list_in_pages, concurrent_idp_creates_claim_an_identifier_once,
            pool_deletion_takes_identity_providers, identities_release_logins,
            identities_merge_atomically, identities_delete_with_their_logins);
    };
    (@tests $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let store = $make;
                $crate::store::conformance::$name(&store).await;
            }
        )*
    };
}
