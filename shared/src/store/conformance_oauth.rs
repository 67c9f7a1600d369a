//! The conformance checks of the OAuth front door's ports: resource servers
//! ([`crate::store::ResourceServerStore`]), domains ([`crate::store::DomainStore`]) and UI
//! customizations ([`crate::store::UiCustomizationStore`]), and that deleting a pool takes them.

use super::sample_pool;
use crate::store::{Store, StoreError};
use crate::userpool::model::*;

fn server(pool: &str, identifier: &str, scopes: &[&str]) -> ResourceServer {
    ResourceServer {
        pool_id: pool.into(),
        identifier: identifier.into(),
        name: "api".into(),
        scopes: scopes
            .iter()
            .map(|s| ResourceScope {
                name: (*s).into(),
                description: "d".into(),
            })
            .collect(),
    }
}

fn domain(pool: &str, name: &str, kind: DomainKind) -> PoolDomain {
    PoolDomain {
        domain: name.into(),
        pool_id: pool.into(),
        kind,
        certificate_arn: None,
        managed_login_version: 1,
        created_ms: 1,
        modified_ms: 1,
    }
}

fn ui(pool: &str, client: &str, css: &str, at: i64) -> UiCustomization {
    UiCustomization {
        pool_id: pool.into(),
        client_id: client.into(),
        css: Some(css.into()),
        logo: None,
        css_version: format!("v{at}"),
        created_ms: at,
        modified_ms: at,
    }
}

/// Resource servers: identifiers are unique per pool, pages follow identifier order, updates
/// need an existing server, deletes say whether one existed.
pub async fn resource_servers_are_unique_per_pool<S: Store>(s: &S) {
    let p = "us-east-1_rs";
    for id in ["https://b.example.com", "a-api", "c"] {
        s.create_resource_server(&server(p, id, &["read"]))
            .await
            .unwrap();
    }
    assert!(matches!(
        s.create_resource_server(&server(p, "a-api", &[])).await,
        Err(StoreError::Conflict)
    ));
    s.create_resource_server(&server("us-east-1_other", "a-api", &[]))
        .await
        .unwrap();
    let page = s.list_resource_servers(p, None, 2).await.unwrap();
    let ids: Vec<_> = page.items.iter().map(|r| r.identifier.as_str()).collect();
    assert_eq!(ids, ["a-api", "c"]);
    let rest = s
        .list_resource_servers(p, page.next.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert!(rest.next.is_none());
    let changed = server(p, "a-api", &["read", "write"]);
    s.update_resource_server(&changed).await.unwrap();
    assert_eq!(
        s.get_resource_server(p, "a-api").await.unwrap(),
        Some(changed)
    );
    assert!(matches!(
        s.update_resource_server(&server(p, "nope", &[])).await,
        Err(StoreError::Conflict)
    ));
    assert!(s.delete_resource_server(p, "c").await.unwrap());
    assert!(!s.delete_resource_server(p, "c").await.unwrap());
    assert!(s.get_resource_server(p, "c").await.unwrap().is_none());
}

/// Domains: a name belongs to one pool, a pool holds one name of each kind, and only the
/// owning pool updates or releases it; a released name can be claimed again.
pub async fn domains_are_claimed_once<S: Store>(s: &S) {
    let (a, b) = ("us-east-1_da", "us-east-1_db");
    s.create_domain(&domain(a, "shop", DomainKind::Prefix))
        .await
        .unwrap();
    assert!(matches!(
        s.create_domain(&domain(b, "shop", DomainKind::Prefix))
            .await,
        Err(StoreError::Conflict)
    ));
    match s
        .create_domain(&domain(a, "shop2", DomainKind::Prefix))
        .await
    {
        Err(StoreError::AliasTaken(k)) => assert_eq!(k, "prefix"),
        other => panic!("expected AliasTaken, got {other:?}"),
    }
    assert!(
        s.get_domain("shop2").await.unwrap().is_none(),
        "nothing half-written"
    );
    s.create_domain(&domain(a, "auth.example.com", DomainKind::Custom))
        .await
        .unwrap();
    let kinds: Vec<_> = s
        .pool_domains(a)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.domain, d.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            ("auth.example.com".to_string(), DomainKind::Custom),
            ("shop".to_string(), DomainKind::Prefix)
        ]
    );
    let mut v2 = domain(a, "shop", DomainKind::Prefix);
    v2.managed_login_version = 2;
    s.update_domain(&v2).await.unwrap();
    assert_eq!(s.get_domain("shop").await.unwrap(), Some(v2));
    assert!(matches!(
        s.update_domain(&domain(b, "shop", DomainKind::Prefix))
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(!s.delete_domain(b, "shop").await.unwrap());
    assert!(s.delete_domain(a, "shop").await.unwrap());
    assert!(s.get_domain("shop").await.unwrap().is_none());
    s.create_domain(&domain(b, "shop", DomainKind::Prefix))
        .await
        .unwrap();
    s.create_domain(&domain(a, "shop3", DomainKind::Prefix))
        .await
        .unwrap();
    assert_eq!(s.pool_domains(b).await.unwrap().len(), 1);
}

/// UI customizations: per client key, replaced by a later set that keeps the first creation
/// time.
pub async fn ui_customizations_keep_their_creation<S: Store>(s: &S) {
    let p = "us-east-1_ui";
    let first = s
        .put_ui_customization(&ui(p, "ALL", "a", 10))
        .await
        .unwrap();
    assert_eq!(first.created_ms, 10);
    let second = s
        .put_ui_customization(&ui(p, "ALL", "b", 20))
        .await
        .unwrap();
    assert_eq!((second.created_ms, second.modified_ms), (10, 20));
    let got = s.get_ui_customization(p, "ALL").await.unwrap().unwrap();
    assert_eq!(got.css.as_deref(), Some("b"));
    assert_eq!((got.created_ms, got.modified_ms), (10, 20));
    assert!(s
        .get_ui_customization(p, "client1")
        .await
        .unwrap()
        .is_none());
    assert!(s
        .get_ui_customization("us-east-1_x", "ALL")
        .await
        .unwrap()
        .is_none());
}

/// Deleting a pool deletes its resource servers, domains (freeing the names) and UI
/// customizations, and nothing of another pool.
pub async fn pool_deletion_takes_oauth_config<S: Store>(s: &S) {
    let (p, q) = ("us-east-1_gone", "us-east-1_stay");
    s.create_pool(&sample_pool(p)).await.unwrap();
    s.create_resource_server(&server(p, "api", &["r"]))
        .await
        .unwrap();
    s.create_resource_server(&server(q, "api", &["r"]))
        .await
        .unwrap();
    s.create_domain(&domain(p, "gone", DomainKind::Prefix))
        .await
        .unwrap();
    s.create_domain(&domain(p, "gone.example.com", DomainKind::Custom))
        .await
        .unwrap();
    s.create_domain(&domain(q, "stay", DomainKind::Prefix))
        .await
        .unwrap();
    s.put_ui_customization(&ui(p, "ALL", "a", 1)).await.unwrap();
    assert!(s.delete_pool(p).await.unwrap());
    assert!(s.get_resource_server(p, "api").await.unwrap().is_none());
    assert!(s.get_resource_server(q, "api").await.unwrap().is_some());
    assert!(s.pool_domains(p).await.unwrap().is_empty());
    assert!(s.get_domain("gone").await.unwrap().is_none());
    assert!(s.get_domain("stay").await.unwrap().is_some());
    assert!(s.get_ui_customization(p, "ALL").await.unwrap().is_none());
    s.create_domain(&domain(q, "gone.example.com", DomainKind::Custom))
        .await
        .unwrap();
}
