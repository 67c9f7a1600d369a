//! The conformance checks of [`crate::store::IdentityProviderStore`]: names and identifiers
//! unique in a pool, identifiers that move with updates and are released by deletes, listing
//! in pages, a race for one identifier, and that deleting a pool takes its providers.

use super::sample_pool;
use crate::store::{Store, StoreError};
use crate::userpool::model::{IdentityProvider, ProviderType};
use std::collections::BTreeMap;

fn idp(pool: &str, name: &str, identifiers: &[&str]) -> IdentityProvider {
    IdentityProvider {
        pool_id: pool.into(),
        name: name.into(),
        provider_type: ProviderType::Oidc,
        details: BTreeMap::from([("client_id".into(), "cid".into())]),
        attribute_mapping: BTreeMap::from([("email".into(), "email".into())]),
        idp_identifiers: identifiers.iter().map(|i| i.to_string()).collect(),
        created_ms: 1,
        modified_ms: 1,
    }
}

async fn holder<S: Store>(s: &S, pool: &str, identifier: &str) -> Option<String> {
    s.get_identity_provider_by_identifier(pool, identifier)
        .await
        .unwrap()
        .map(|i| i.name)
}

/// Names and identifiers are unique in a pool (not across pools), and a refused create
/// writes nothing.
pub async fn identity_providers_are_unique_per_pool<S: Store>(s: &S) {
    let p = "us-east-1_idp";
    s.create_identity_provider(&idp(p, "Corp", &["corp.example", "corp"]))
        .await
        .unwrap();
    assert!(matches!(
        s.create_identity_provider(&idp(p, "Corp", &[])).await,
        Err(StoreError::Conflict)
    ));
    match s
        .create_identity_provider(&idp(p, "Other", &["other", "corp"]))
        .await
    {
        Err(StoreError::AliasTaken(i)) => assert_eq!(i, "corp"),
        other => panic!("expected AliasTaken, got {other:?}"),
    }
    assert!(
        s.get_identity_provider(p, "Other").await.unwrap().is_none(),
        "nothing half-written"
    );
    assert_eq!(holder(s, p, "other").await, None);
    assert_eq!(holder(s, p, "corp").await.as_deref(), Some("Corp"));
    let got = s.get_identity_provider(p, "Corp").await.unwrap().unwrap();
    assert_eq!(got.idp_identifiers, ["corp.example", "corp"]);
    assert_eq!(got.details["client_id"], "cid");
    // Another pool has its own names and identifiers.
    s.create_identity_provider(&idp("us-east-1_idq", "Corp", &["corp"]))
        .await
        .unwrap();
    assert_eq!(
        holder(s, "us-east-1_idq", "corp").await.as_deref(),
        Some("Corp")
    );
    assert_eq!(holder(s, p, "nobody").await, None);
}

/// An update claims its new identifiers and releases the dropped ones in one write; one held
/// by another provider refuses the whole update; an unknown provider is a Conflict.
pub async fn idp_identifiers_move_on_update<S: Store>(s: &S) {
    let p = "us-east-1_idu";
    s.create_identity_provider(&idp(p, "A", &["x", "y"]))
        .await
        .unwrap();
    let mut a = idp(p, "A", &["y", "w"]);
    a.modified_ms = 2;
    s.update_identity_provider(&a).await.unwrap();
    assert_eq!(holder(s, p, "x").await, None);
    assert_eq!(holder(s, p, "w").await.as_deref(), Some("A"));
    assert_eq!(holder(s, p, "y").await.as_deref(), Some("A"));
    assert_eq!(
        s.get_identity_provider(p, "A")
            .await
            .unwrap()
            .unwrap()
            .modified_ms,
        2
    );
    s.create_identity_provider(&idp(p, "B", &["x"]))
        .await
        .unwrap();
    match s.update_identity_provider(&idp(p, "B", &["z", "w"])).await {
        Err(StoreError::AliasTaken(i)) => assert_eq!(i, "w"),
        other => panic!("expected AliasTaken, got {other:?}"),
    }
    let b = s.get_identity_provider(p, "B").await.unwrap().unwrap();
    assert_eq!(b.idp_identifiers, ["x"], "a refused update changes nothing");
    assert_eq!(holder(s, p, "x").await.as_deref(), Some("B"));
    assert_eq!(holder(s, p, "z").await, None);
    s.update_identity_provider(&idp(p, "B", &[])).await.unwrap();
    assert_eq!(holder(s, p, "x").await, None);
    assert!(matches!(
        s.update_identity_provider(&idp(p, "Nope", &["q"])).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(holder(s, p, "q").await, None);
}

/// A delete says whether the provider existed and releases its identifiers for others.
pub async fn idp_deletion_releases_identifiers<S: Store>(s: &S) {
    let p = "us-east-1_idd";
    s.create_identity_provider(&idp(p, "A", &["a1", "a2"]))
        .await
        .unwrap();
    assert!(s.delete_identity_provider(p, "A").await.unwrap());
    assert!(!s.delete_identity_provider(p, "A").await.unwrap());
    assert!(s.get_identity_provider(p, "A").await.unwrap().is_none());
    assert_eq!(holder(s, p, "a1").await, None);
    s.create_identity_provider(&idp(p, "C", &["a1", "a2"]))
        .await
        .unwrap();
    assert_eq!(holder(s, p, "a2").await.as_deref(), Some("C"));
}

/// A pool's providers list in name order, in pages, and only that pool's.
pub async fn identity_providers_list_in_pages<S: Store>(s: &S) {
    let p = "us-east-1_idl";
    for name in ["Google", "Corp", "SignInWithApple", "Azure", "Facebook"] {
        s.create_identity_provider(&idp(p, name, &[]))
            .await
            .unwrap();
    }
    s.create_identity_provider(&idp("us-east-1_idm", "Okta", &[]))
        .await
        .unwrap();
    let mut names = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = s
            .list_identity_providers(p, after.as_deref(), 2)
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        names.extend(page.items.into_iter().map(|i| i.name));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        names,
        ["Azure", "Corp", "Facebook", "Google", "SignInWithApple"]
    );
    let all = s.list_identity_providers(p, None, 60).await.unwrap();
    assert_eq!((all.items.len(), all.next), (5, None));
}

/// Eight creates claiming one identifier at once: exactly one wins, the others are refused
/// and leave nothing behind.
pub async fn concurrent_idp_creates_claim_an_identifier_once<S: Store>(s: &S) {
    let p = "us-east-1_idr";
    let names = ["P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7"];
    let providers: Vec<IdentityProvider> =
        names.iter().map(|n| idp(p, n, &["shared", n])).collect();
    let c = |i: usize| s.create_identity_provider(&providers[i]);
    let all = tokio::join!(c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7));
    let results = [all.0, all.1, all.2, all.3, all.4, all.5, all.6, all.7];
    let won: Vec<usize> = (0..8).filter(|i| results[*i].is_ok()).collect();
    assert_eq!(won.len(), 1, "exactly one create wins");
    for (i, r) in results.iter().enumerate() {
        if i != won[0] {
            assert!(matches!(r, Err(StoreError::AliasTaken(k)) if k == "shared"));
            assert!(s
                .get_identity_provider(p, names[i])
                .await
                .unwrap()
                .is_none());
            assert_eq!(holder(s, p, names[i]).await, None);
        }
    }
    assert_eq!(holder(s, p, "shared").await.as_deref(), Some(names[won[0]]));
}

/// Deleting a pool deletes its providers and releases their identifiers, and nothing of
/// another pool.
pub async fn pool_deletion_takes_identity_providers<S: Store>(s: &S) {
    let (p, q) = ("us-east-1_idgone", "us-east-1_idstay");
    s.create_pool(&sample_pool(p)).await.unwrap();
    s.create_identity_provider(&idp(p, "Corp", &["corp"]))
        .await
        .unwrap();
    s.create_identity_provider(&idp(p, "Google", &[]))
        .await
        .unwrap();
    s.create_identity_provider(&idp(q, "Corp", &["corp"]))
        .await
        .unwrap();
    assert!(s.delete_pool(p).await.unwrap());
    assert!(s.get_identity_provider(p, "Corp").await.unwrap().is_none());
    assert!(s
        .list_identity_providers(p, None, 10)
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(holder(s, p, "corp").await, None);
    assert_eq!(holder(s, q, "corp").await.as_deref(), Some("Corp"));
    s.create_identity_provider(&idp(p, "Corp", &["corp"]))
        .await
        .unwrap();
}
