//! Conformance checks for the identity verbs that take logins away or move them: releasing
//! logins (UnlinkIdentity, UnlinkDeveloperIdentity), merging one identity into another
//! (MergeDeveloperIdentities) and deleting identities (DeleteIdentities). Each is one atomic,
//! version-checked write.

use crate::identity::model::{Identity, IdentityPool};
use crate::store::{Store, StoreError};

const POOL: &str = "us-east-1:00000000-0000-0000-0000-0000000000a1";

fn pool() -> IdentityPool {
    IdentityPool {
        id: POOL.into(),
        name: "moves".into(),
        allow_unauthenticated: false,
        allow_classic_flow: None,
        supported_login_providers: Default::default(),
        developer_provider_name: Some("dev".into()),
        openid_connect_provider_arns: vec![],
        cognito_identity_providers: vec![],
        saml_provider_arns: vec![],
        tags: Default::default(),
        authenticated_role: None,
        unauthenticated_role: None,
        role_mappings: Default::default(),
        principal_tags: Default::default(),
        created_ms: 1,
    }
}

fn identity(id: &str, keys: &[&str]) -> Identity {
    let mut logins: Vec<String> = Vec::new();
    for k in keys {
        let p = k.split_once('|').map_or(*k, |(p, _)| p).to_string();
        if !logins.contains(&p) {
            logins.push(p);
        }
    }
    Identity {
        pool_id: POOL.into(),
        id: id.into(),
        logins,
        login_keys: keys.iter().map(|k| k.to_string()).collect(),
        created_ms: 1,
        modified_ms: 1,
        version: 1,
        inaccessible: false,
    }
}

async fn owner<S: Store>(s: &S, key: &str) -> Option<String> {
    s.get_identity_by_login(POOL, key)
        .await
        .unwrap()
        .map(|i| i.id)
}

/// Released logins are free at once; a stale release changes nothing.
pub async fn identities_release_logins<S: Store>(s: &S) {
    s.create_identity_pool(&pool()).await.unwrap();
    let a = identity("us-east-1:a1", &["dev|1", "fb|2"]);
    s.create_identity(&a).await.unwrap();
    let mut next = identity("us-east-1:a1", &["dev|1"]);
    next.version = 2;
    s.release_identity_logins(&next, &["fb|2".to_string()])
        .await
        .unwrap();
    assert_eq!(owner(s, "fb|2").await, None);
    assert_eq!(owner(s, "dev|1").await.as_deref(), Some("us-east-1:a1"));
    let stored = s.get_identity("us-east-1:a1").await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.login_keys, ["dev|1"]);
    // Stale: written over version 1, which is gone.
    let mut stale = identity("us-east-1:a1", &[]);
    stale.version = 2;
    stale.inaccessible = true;
    assert!(matches!(
        s.release_identity_logins(&stale, &["dev|1".to_string()])
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(owner(s, "dev|1").await.as_deref(), Some("us-east-1:a1"));
    // A freed login can be claimed by a new identity.
    s.create_identity(&identity("us-east-1:b1", &["fb|2"]))
        .await
        .unwrap();
    assert_eq!(owner(s, "fb|2").await.as_deref(), Some("us-east-1:b1"));
}

/// A merge moves every claim of the source to the destination and deletes the source, all
/// or nothing; of two racing merges of one source, one wins.
pub async fn identities_merge_atomically<S: Store>(s: &S) {
    s.create_identity_pool(&pool()).await.unwrap();
    let src = identity("us-east-1:a2", &["dev|s", "fb|9"]);
    let dst = identity("us-east-1:b2", &["dev|d"]);
    let other = identity("us-east-1:c2", &["dev|o"]);
    for i in [&src, &dst, &other] {
        s.create_identity(i).await.unwrap();
    }
    let mut merged = identity("us-east-1:b2", &["dev|d", "dev|s", "fb|9"]);
    merged.version = 2;
    let mut merged_other = identity("us-east-1:c2", &["dev|o", "dev|s", "fb|9"]);
    merged_other.version = 2;
    let (x, y) = tokio::join!(
        s.merge_identities(&src, &merged),
        s.merge_identities(&src, &merged_other)
    );
    let wins = [&x, &y].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{x:?} {y:?}");
    assert!(matches!(
        if x.is_ok() { &y } else { &x },
        Err(StoreError::Conflict)
    ));
    let winner = if x.is_ok() {
        "us-east-1:b2"
    } else {
        "us-east-1:c2"
    };
    let loser = if x.is_ok() {
        "us-east-1:c2"
    } else {
        "us-east-1:b2"
    };
    assert!(s.get_identity("us-east-1:a2").await.unwrap().is_none());
    assert_eq!(owner(s, "dev|s").await.as_deref(), Some(winner));
    assert_eq!(owner(s, "fb|9").await.as_deref(), Some(winner));
    let untouched = s.get_identity(loser).await.unwrap().unwrap();
    assert_eq!(untouched.version, 1, "the losing merge wrote nothing");
    // The source is gone: merging it again is refused.
    let mut again = s.get_identity(winner).await.unwrap().unwrap();
    again.version += 1;
    assert!(matches!(
        s.merge_identities(&src, &again).await,
        Err(StoreError::Conflict)
    ));
}

/// Deleting an identity frees its logins; a stale or repeated delete is refused.
pub async fn identities_delete_with_their_logins<S: Store>(s: &S) {
    s.create_identity_pool(&pool()).await.unwrap();
    let i = identity("us-east-1:a3", &["dev|x", "fb|y"]);
    s.create_identity(&i).await.unwrap();
    let mut stale = i.clone();
    stale.version = 7;
    assert!(matches!(
        s.delete_identity(&stale).await,
        Err(StoreError::Conflict)
    ));
    assert!(s.get_identity("us-east-1:a3").await.unwrap().is_some());
    s.delete_identity(&i).await.unwrap();
    assert!(s.get_identity("us-east-1:a3").await.unwrap().is_none());
    assert_eq!(owner(s, "dev|x").await, None);
    assert_eq!(owner(s, "fb|y").await, None);
    assert!(matches!(
        s.delete_identity(&i).await,
        Err(StoreError::Conflict)
    ));
    assert!(s
        .list_identities(POOL, None, 10)
        .await
        .unwrap()
        .items
        .is_empty());
}
