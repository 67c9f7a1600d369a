//! The conformance checks of grants ([`crate::store::GrantStore`]): found by handle hash until
//! they expire, and taken exactly once even by concurrent takers.

use crate::store::Store;
use crate::userpool::model::GrantRecord;

fn grant(hash: &str, expires_ms: i64) -> GrantRecord {
    GrantRecord {
        handle_hash: hash.into(),
        pool_id: "us-east-1_g".into(),
        data: format!("sealed-{hash}"),
        expires_ms,
    }
}

/// A grant is read until it expires, taken once, and gone afterwards; an expired one is
/// never returned.
pub async fn grants_are_taken_once<S: Store>(s: &S) {
    s.put_grant(&grant("a1", 10_000)).await.unwrap();
    s.put_grant(&grant("b2", 10_000)).await.unwrap();
    let read = s.get_grant("a1", 9_999).await.unwrap().unwrap();
    assert_eq!(
        (read.data.as_str(), read.pool_id.as_str()),
        ("sealed-a1", "us-east-1_g")
    );
    assert!(
        s.get_grant("a1", 10_000).await.unwrap().is_none(),
        "expired"
    );
    assert!(s.get_grant("zz", 0).await.unwrap().is_none());
    let taken = s.take_grant("a1", 5_000).await.unwrap().unwrap();
    assert_eq!(taken.data, "sealed-a1");
    assert!(
        s.take_grant("a1", 5_000).await.unwrap().is_none(),
        "taken twice"
    );
    assert!(s.get_grant("a1", 5_000).await.unwrap().is_none());
    assert!(
        s.take_grant("b2", 10_001).await.unwrap().is_none(),
        "expired"
    );
    assert!(
        s.take_grant("b2", 0).await.unwrap().is_none(),
        "removed when expired"
    );
    assert!(s.put_grant(&grant("b2", 20_000)).await.is_ok());
}

/// Eight takers of one grant at once: exactly one gets it.
pub async fn concurrent_takers_get_a_grant_once<S: Store>(s: &S) {
    s.put_grant(&grant("c3", 10_000)).await.unwrap();
    let t = || s.take_grant("c3", 1_000);
    let all = tokio::join!(t(), t(), t(), t(), t(), t(), t(), t());
    let got = [all.0, all.1, all.2, all.3, all.4, all.5, all.6, all.7]
        .into_iter()
        .filter(|r| r.as_ref().unwrap().is_some())
        .count();
    assert_eq!(got, 1);
}
