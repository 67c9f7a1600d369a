//! The storage port of users' devices ([`crate::userpool::model::Device`]): a device lives
//! under its user (so deleting the user takes it), is created once, and is replaced only with
//! a version check, so two ConfirmDevice calls racing on one key cannot both win.

use super::{Page, StoreError};
use crate::error::Error;
use crate::userpool::model::Device;
use async_trait::async_trait;

/// Devices, per user, by device key.
#[async_trait]
pub trait DeviceStore: Send + Sync {
    /// Stores a new device; Conflict when the user already has one with this key. The user's
    /// unconfirmed keys lapsed by `device.created_ms` may be dropped (a TTL or the same write).
    async fn create_device(&self, device: &Device) -> Result<(), StoreError>;
    /// A user's device by key (strongly consistent), confirmed or not, lapsed or not.
    async fn get_device(
        &self,
        pool_id: &str,
        username_key: &str,
        device_key: &str,
    ) -> Result<Option<Device>, Error>;
    /// Replaces a device if its stored version is `device.version - 1`; Conflict otherwise
    /// (also when it is gone).
    async fn update_device(&self, device: &Device) -> Result<(), StoreError>;
    /// A user's confirmed devices in device-key order, after `after`.
    async fn list_devices(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Device>, Error>;
    /// Deletes a device. Returns whether it existed.
    async fn delete_device(
        &self,
        pool_id: &str,
        username_key: &str,
        device_key: &str,
    ) -> Result<bool, Error>;
}
