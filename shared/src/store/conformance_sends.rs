//! The conformance checks of message counts ([`crate::store::SendCountStore`]): windows, keys
//! and pools apart, and concurrent counts that never pass the limit.

use crate::store::Store;

/// Message counts: a window holds `limit`, keys and pools count apart, and a window that is over
/// opens a new one.
pub async fn sends_are_counted_per_window<S: Store>(s: &S) {
    let (p, hour) = ("us-east-1_s", 3_600_000);
    let count = |pool, key, at| s.count_send(pool, key, at, hour, 3);
    for i in 0..3 {
        assert!(count(p, "user:a", 1_000 + i).await.unwrap());
    }
    assert!(!count(p, "user:a", 2_000).await.unwrap());
    assert!(count(p, "user:b", 2_000).await.unwrap());
    assert!(count("us-east-1_t", "user:a", 2_000).await.unwrap());
    assert!(!count(p, "user:a", 999 + hour).await.unwrap());
    // The window opened at 1_000 is over one hour later; a refusal counted nothing.
    for i in 0..3 {
        assert!(count(p, "user:a", 1_000 + hour + i).await.unwrap());
    }
    assert!(!count(p, "user:a", 1_003 + hour).await.unwrap());
    assert!(!s.count_send(p, "user:c", 1, hour, 0).await.unwrap());
}

/// Twelve counts of one key at once, limit five: exactly five are counted.
pub async fn concurrent_sends_stop_at_the_limit<S: Store>(s: &S) {
    let c = |i: i64| s.count_send("us-east-1_s", "dest:x@example.com", 5_000 + i, 3_600_000, 5);
    let all = tokio::join!(
        c(0),
        c(1),
        c(2),
        c(3),
        c(4),
        c(5),
        c(6),
        c(7),
        c(8),
        c(9),
        c(10),
        c(11)
    );
    let counted = [
        all.0, all.1, all.2, all.3, all.4, all.5, all.6, all.7, all.8, all.9, all.10, all.11,
    ]
    .into_iter()
    .map(|r| r.unwrap())
    .filter(|counted| *counted)
    .count();
    assert_eq!(counted, 5);
}
