//! `DeviceStore` on DynamoDB: a device is one small item in its user's partition
//! (`DEVICE#{key}`), so deleting the user takes it; its `version` sits beside `data` for the
//! conditional replace, and an unconfirmed key carries a TTL so abandoned keys go away.

use super::keys::*;
use super::ops::sdk;
use super::pools::conflict_if_taken;
use super::DynamoStore;
use crate::error::Error;
use crate::store::{DeviceStore, Page, StoreError};
use crate::userpool::model::Device;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::ReturnValue;

/// The device's item.
fn device_item(device: &Device) -> Result<Item, Error> {
    let mut item = doc_item(
        user_pk(&device.pool_id, &device.username_key),
        device_sk(&device.device_key),
        "device",
        device,
    )?;
    item.insert(VERSION.into(), n(device.version));
    if let Some(expires) = device.expires_ms.filter(|_| !device.confirmed()) {
        item.insert(TTL.into(), ttl_after(expires));
    }
    Ok(item)
}

#[async_trait]
impl DeviceStore for DynamoStore {
    async fn create_device(&self, device: &Device) -> Result<(), StoreError> {
        conflict_if_taken(self.put_new(device_item(device)?).await)
    }

    async fn get_device(
        &self,
        pool_id: &str,
        username_key: &str,
        device_key: &str,
    ) -> Result<Option<Device>, Error> {
        self.get_doc(key(user_pk(pool_id, username_key), device_sk(device_key)))
            .await
    }

    async fn update_device(&self, device: &Device) -> Result<(), StoreError> {
        let Some(read) = device.version.checked_sub(1) else {
            return Err(StoreError::Conflict);
        };
        self.put_versioned(device_item(device)?, read, false).await
    }

    async fn list_devices(
        &self,
        pool_id: &str,
        username_key: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Device>, Error> {
        // A user has a handful of devices: read them all (one strongly consistent query of
        // small items), then page in key order.
        let q = self
            .query()
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(user_pk(pool_id, username_key)))
            .expression_attribute_values(":prefix", s(DEVICE_PREFIX))
            .consistent_read(true);
        let mut rows: Vec<(String, Device)> = Vec::new();
        for item in self.query_all(q).await? {
            let device: Device = from_doc(&item)?;
            if device.confirmed() && after.is_none_or(|a| device.device_key.as_str() > a) {
                rows.push((device.device_key.clone(), device));
            }
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows.truncate(limit.saturating_add(1));
        Ok(crate::store::paged(rows, limit))
    }

    async fn delete_device(
        &self,
        pool_id: &str,
        username_key: &str,
        device_key: &str,
    ) -> Result<bool, Error> {
        let old = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                user_pk(pool_id, username_key),
                device_sk(device_key),
            )))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(old.attributes.is_some_and(|a| !a.is_empty()))
    }
}
