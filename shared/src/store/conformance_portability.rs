//! The conformance checks of the portability port ([`crate::store::PortabilityStore`]):
//! users imported in bulk are each written whole (record, alias claims, memberships) or not at
//! all, listed back with the claims they hold, and a pool's confirmed devices list in pages.

use super::devices::{confirmed, device};
use super::{sample_pool, sample_user};
use crate::store::{Store, StoreError, UserRecord};

fn record(pool: &str, name: &str, aliases: &[&str], groups: &[&str]) -> UserRecord {
    let mut user = sample_user(pool, name);
    user.groups = groups.iter().map(|g| g.to_string()).collect();
    user.version = 7;
    UserRecord {
        user,
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
    }
}

/// One batch: each user with its claims and memberships, a refused one leaving nothing, and
/// the listing gives back records and claims as written.
pub async fn users_are_imported_whole<S: Store>(s: &S) {
    let p = "us-east-1_import";
    s.create_pool(&sample_pool(p)).await.unwrap();
    s.create_user(&sample_user(p, "held"), &["email:held@example.com".into()])
        .await
        .unwrap();
    let batch = [
        record(
            p,
            "ann",
            &["email:ann@example.com", "phone_number:+15550100"],
            &["admins"],
        ),
        record(p, "bob", &["email:bob@example.com"], &[]),
        // Claims an alias another user holds: nothing of it may stay.
        record(
            p,
            "cat",
            &["email:cat@example.com", "email:held@example.com"],
            &["admins"],
        ),
        record(p, "held", &[], &[]),
    ];
    let outcomes = s.import_users(&batch).await;
    assert_eq!(outcomes.len(), 4);
    assert!(outcomes[0].is_ok() && outcomes[1].is_ok(), "{outcomes:?}");
    assert!(
        matches!(&outcomes[2], Err(StoreError::AliasTaken(a)) if a == "email:held@example.com"),
        "{:?}",
        outcomes[2]
    );
    assert!(matches!(outcomes[3], Err(StoreError::UsernameTaken)));
    assert!(s.get_user(p, "cat").await.unwrap().is_none());
    assert!(s
        .get_user_by_alias(p, "email:cat@example.com")
        .await
        .unwrap()
        .is_none());
    let ann = s
        .get_user_by_alias(p, "phone_number:+15550100")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((ann.username.as_str(), ann.version), ("ann", 7));
    let members = s.list_members(p, "admins", None, 10).await.unwrap();
    let names: Vec<&str> = members.items.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["ann"]);

    let first = s.list_user_records(p, None, 2).await.unwrap();
    let listed: Vec<(&str, &[String])> = first
        .items
        .iter()
        .map(|r| (r.user.username.as_str(), r.aliases.as_slice()))
        .collect();
    assert_eq!(
        listed,
        [
            ("ann", &batch[0].aliases[..]),
            ("bob", &batch[1].aliases[..])
        ]
    );
    assert_eq!(first.items[0].user.groups, ["admins"]);
    let rest = s
        .list_user_records(p, first.next.as_deref(), 2)
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].user.username, "held");
    assert_eq!(rest.items[0].aliases, ["email:held@example.com"]);
    assert!(rest.next.is_none());
}

/// A pool's confirmed devices, of every user, in pages; not another pool's, not unconfirmed.
pub async fn pool_devices_list_confirmed_ones_in_pages<S: Store>(s: &S) {
    let (p, other) = ("us-east-1_pdev", "us-east-1_pdev2");
    for pool in [p, other] {
        s.create_pool(&sample_pool(pool)).await.unwrap();
    }
    let mut wanted = Vec::new();
    for (pool, user, key, confirm) in [
        (p, "alice", "us-east-1_a", true),
        (p, "alice", "us-east-1_b", false),
        (p, "bob", "us-east-1_a", true),
        (p, "carol", "us-east-1_c", true),
        (other, "alice", "us-east-1_z", true),
    ] {
        let fresh = device(pool, user, key);
        s.create_device(&fresh).await.unwrap();
        if confirm {
            let done = confirmed(fresh);
            s.update_device(&done).await.unwrap();
            if pool == p {
                wanted.push(done);
            }
        }
    }
    let mut listed = Vec::new();
    let mut after: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = s.list_pool_devices(p, after.as_deref(), 2).await.unwrap();
        assert!(page.items.len() <= 2);
        pages += 1;
        listed.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert!(pages >= 2, "3 devices in pages of 2");
    listed.sort_by(|a, b| (&a.username_key, &a.device_key).cmp(&(&b.username_key, &b.device_key)));
    assert_eq!(listed, wanted);
}
