//! The conformance checks of the device port ([`crate::store::DeviceStore`]): a device key is
//! created once per user, replaced only with a version check, listed (confirmed only) in key
//! order, and goes with its user.

use super::{sample_pool, sample_user};
use crate::store::{Store, StoreError};
use crate::userpool::model::Device;
use crate::userpool::srp::SrpVerifier;

/// An unconfirmed device of `user`.
pub(super) fn device(pool: &str, user: &str, key: &str) -> Device {
    Device {
        pool_id: pool.into(),
        username_key: user.into(),
        device_key: key.into(),
        group_key: "-grp".into(),
        version: 1,
        verifier: None,
        name: None,
        remembered: false,
        created_ms: 1,
        modified_ms: 1,
        last_authenticated_ms: None,
        expires_ms: Some(86_400_000),
    }
}

/// The device after ConfirmDevice.
pub(super) fn confirmed(mut d: Device) -> Device {
    d.version += 1;
    d.verifier = Some(SrpVerifier {
        salt_hex: "ab".into(),
        verifier_hex: "cd".into(),
    });
    d.expires_ms = None;
    d.name = Some("phone".into());
    d
}

/// Keys are unique per user, replacements check versions, listings hold confirmed devices in
/// key order, and deleting says whether one existed.
pub async fn devices_are_created_once_and_versioned<S: Store>(s: &S) {
    let p = "us-east-1_dev";
    s.create_pool(&sample_pool(p)).await.unwrap();
    for key in ["us-east-1_c", "us-east-1_a", "us-east-1_b"] {
        s.create_device(&device(p, "alice", key)).await.unwrap();
    }
    assert!(matches!(
        s.create_device(&device(p, "alice", "us-east-1_a")).await,
        Err(StoreError::Conflict)
    ));
    // Another user may hold the same key: devices live under their user.
    s.create_device(&device(p, "bob", "us-east-1_a"))
        .await
        .unwrap();
    let fresh = s
        .get_device(p, "alice", "us-east-1_a")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fresh, device(p, "alice", "us-east-1_a"));
    assert!(s
        .get_device(p, "carol", "us-east-1_a")
        .await
        .unwrap()
        .is_none());
    assert!(s
        .list_devices(p, "alice", None, 10)
        .await
        .unwrap()
        .items
        .is_empty());

    // Two writers from one read: the first wins, the second is refused.
    let first = confirmed(fresh.clone());
    let mut second = confirmed(fresh);
    second.name = Some("other".into());
    s.update_device(&first).await.unwrap();
    assert!(matches!(
        s.update_device(&second).await,
        Err(StoreError::Conflict)
    ));
    for key in ["us-east-1_b", "us-east-1_c"] {
        let d = s.get_device(p, "alice", key).await.unwrap().unwrap();
        s.update_device(&confirmed(d)).await.unwrap();
    }
    let page = s.list_devices(p, "alice", None, 2).await.unwrap();
    let keys: Vec<&str> = page.items.iter().map(|d| d.device_key.as_str()).collect();
    assert_eq!(keys, ["us-east-1_a", "us-east-1_b"]);
    assert_eq!(page.items[0].name.as_deref(), Some("phone"));
    let next = page.next.expect("a second page");
    let rest = s.list_devices(p, "alice", Some(&next), 2).await.unwrap();
    assert_eq!(rest.items.len(), 1);
    assert_eq!(rest.items[0].device_key, "us-east-1_c");
    assert!(rest.next.is_none());

    assert!(s.delete_device(p, "alice", "us-east-1_b").await.unwrap());
    assert!(!s.delete_device(p, "alice", "us-east-1_b").await.unwrap());
    let gone = confirmed(device(p, "alice", "us-east-1_b"));
    assert!(matches!(
        s.update_device(&gone).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        s.list_devices(p, "alice", None, 10)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
}

/// Deleting a user, or its pool, deletes its devices.
pub async fn devices_go_with_their_user<S: Store>(s: &S) {
    let p = "us-east-1_devgone";
    s.create_pool(&sample_pool(p)).await.unwrap();
    let user = sample_user(p, "alice");
    s.create_user(&user, &[]).await.unwrap();
    let d = confirmed(device(p, &user.username_key, "us-east-1_x"));
    s.create_device(&device(p, &user.username_key, "us-east-1_x"))
        .await
        .unwrap();
    s.update_device(&d).await.unwrap();
    assert!(s.delete_user(p, &user.username_key).await.unwrap());
    assert!(s
        .get_device(p, &user.username_key, "us-east-1_x")
        .await
        .unwrap()
        .is_none());

    let user = sample_user(p, "bob");
    s.create_user(&user, &[]).await.unwrap();
    s.create_device(&device(p, &user.username_key, "us-east-1_y"))
        .await
        .unwrap();
    assert!(s.delete_pool(p).await.unwrap());
    assert!(s
        .get_device(p, &user.username_key, "us-east-1_y")
        .await
        .unwrap()
        .is_none());
}
