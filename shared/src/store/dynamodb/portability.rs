//! Moving a deployment on DynamoDB: users listed under the pool (GSI1) with the alias map
//! their item holds, a pool's devices found by a filtered Scan (devices have no listing of
//! their own, and an export reads the table once rather than querying every user), and users
//! created in bulk, each in its own transaction, up to [`IN_FLIGHT`] at a time.

use super::groups::membership_put;
use super::keys::*;
use super::ops::sdk;
use super::DynamoStore;
use crate::error::Error;
use crate::store::{Page, PortabilityStore, StoreError, UserRecord};
use crate::userpool::model::Device;
use async_trait::async_trait;
use std::collections::HashMap;
use tokio::task::JoinSet;

/// Users written at once by [`PortabilityStore::import_users`].
pub const IN_FLIGHT: usize = 32;

/// A Scan position (a primary key) as the opaque `after` of a page.
fn position(item: &Item) -> Result<String, Error> {
    let pair = (get_s(item, PK)?, get_s(item, SK)?);
    Ok(serde_json::to_string(&pair)?)
}

#[async_trait]
impl PortabilityStore for DynamoStore {
    async fn list_user_records(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<UserRecord>, Error> {
        let found = self
            .scan_under(users_of(pool_id), after, limit.saturating_add(1), |item| {
                let mut aliases = map_keys(item, ALIASES);
                aliases.sort_unstable();
                let record = UserRecord {
                    user: from_doc(item)?,
                    aliases,
                };
                Ok(Some((get_s(item, GSI1SK)?.to_string(), record)))
            })
            .await?;
        Ok(crate::store::paged(found, limit))
    }

    async fn list_pool_devices(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<Device>, Error> {
        let mut start: Option<Item> = match after {
            Some(a) => {
                let (pk, sk): (String, String) = serde_json::from_str(a)?;
                Some(key(pk, sk))
            }
            None => None,
        };
        let mut found: Vec<(String, Device)> = Vec::new();
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .filter_expression("begins_with(#pk, :user) AND begins_with(#sk, :device)")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_names("#sk", SK)
                .expression_attribute_values(":user", s(format!("USER#{pool_id}#")))
                .expression_attribute_values(":device", s(DEVICE_PREFIX))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(sdk)?;
            for item in page.items() {
                let device: Device = from_doc(item)?;
                if device.confirmed() && device.pool_id == pool_id {
                    found.push((position(item)?, device));
                }
                if found.len() > limit {
                    // Resume after the last one kept: any key is a valid Scan start.
                    return Ok(crate::store::paged(found, limit));
                }
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(crate::store::paged(found, limit)),
            }
        }
    }

    async fn import_users(&self, users: &[UserRecord]) -> Vec<Result<(), StoreError>> {
        let mut outcomes: HashMap<usize, Result<(), StoreError>> = HashMap::new();
        let mut running = JoinSet::new();
        for (i, record) in users.iter().enumerate() {
            if running.len() >= IN_FLIGHT {
                if let Some(done) = running.join_next().await {
                    let (j, outcome) = joined(done);
                    outcomes.insert(j, outcome);
                }
            }
            let (store, record) = (self.clone(), record.clone());
            running.spawn(async move { (i, store.import_user(&record).await) });
        }
        while let Some(done) = running.join_next().await {
            let (j, outcome) = joined(done);
            outcomes.insert(j, outcome);
        }
        (0..users.len())
            .map(|i| {
                outcomes.remove(&i).unwrap_or_else(|| {
                    Err(Error::Store("the user's write did not finish".into()).into())
                })
            })
            .collect()
    }
}

/// A finished write's index and outcome (a panicked task has no index: `usize::MAX`).
fn joined(
    done: Result<(usize, Result<(), StoreError>), tokio::task::JoinError>,
) -> (usize, Result<(), StoreError>) {
    done.unwrap_or_else(|e| {
        (
            usize::MAX,
            Err(Error::Store(format!("a user's write failed: {e}")).into()),
        )
    })
}

impl DynamoStore {
    /// One user, its claims and its memberships in one transaction.
    async fn import_user(&self, record: &UserRecord) -> Result<(), StoreError> {
        let user = &record.user;
        let memberships = user
            .groups
            .iter()
            .map(|g| membership_put(&self.table, &user.pool_id, &user.username_key, g))
            .collect::<Result<Vec<_>, Error>>()?;
        self.create_user_with(user, &record.aliases, memberships)
            .await
    }
}
