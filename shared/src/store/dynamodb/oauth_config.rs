//! Resource servers, domains and UI customizations on DynamoDB. Resource servers are listed
//! under GSI1 by pool, like groups. A domain is two items written in one transaction: the
//! name's own item (`DOMAIN#{name}`, unique across pools) and the pool's slot for its kind
//! (`DOMAINS#{pool}` / `prefix|custom`), each only if absent. UI customizations live in one
//! partition per pool, set by an UpdateItem that keeps the first creation time.

use super::keys::*;
use super::ops::{build, refused, sdk, CONDITION_FAILED};
use super::pools::conflict_if_taken;
use super::DynamoStore;
use crate::error::Error;
use crate::store::{DomainStore, Page, ResourceServerStore, StoreError, UiCustomizationStore};
use crate::userpool::model::{PoolDomain, ResourceServer, UiCustomization};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, ReturnValue, TransactWriteItem};

fn resource_server_item(server: &ResourceServer) -> Result<Item, Error> {
    Ok(with_gsi1(
        doc_item(
            resource_server_pk(&server.pool_id, &server.identifier),
            RESOURCE_SERVER_SK,
            "resource_server",
            server,
        )?,
        resource_servers_of(&server.pool_id),
        server.identifier.as_str(),
    ))
}

fn domain_item(domain: &PoolDomain) -> Result<Item, Error> {
    let mut item = doc_item(domain_pk(&domain.domain), DOMAIN_SK, "domain", domain)?;
    item.insert(POOL_ID.into(), s(domain.pool_id.as_str()));
    Ok(item)
}

fn slot_key(pool_id: &str, kind: &str) -> Item {
    key(domain_slots_pk(pool_id), kind)
}

/// A conditional delete as a transaction item.
fn delete_op(
    table: &str,
    key: Item,
    condition: &str,
    value: (&str, &str),
) -> Result<TransactWriteItem, Error> {
    let del = Delete::builder()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression(condition)
        .expression_attribute_names("#a", value.0)
        .expression_attribute_values(":v", s(value.1))
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().delete(del).build())
}

#[async_trait]
impl ResourceServerStore for DynamoStore {
    async fn create_resource_server(&self, server: &ResourceServer) -> Result<(), StoreError> {
        conflict_if_taken(self.put_new(resource_server_item(server)?).await)
    }

    async fn get_resource_server(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>, Error> {
        self.get_doc(key(
            resource_server_pk(pool_id, identifier),
            RESOURCE_SERVER_SK,
        ))
        .await
    }

    async fn update_resource_server(&self, server: &ResourceServer) -> Result<(), StoreError> {
        self.put_existing(resource_server_item(server)?).await
    }

    async fn delete_resource_server(&self, pool_id: &str, identifier: &str) -> Result<bool, Error> {
        let old = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                resource_server_pk(pool_id, identifier),
                RESOURCE_SERVER_SK,
            )))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(old.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn list_resource_servers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<ResourceServer>, Error> {
        self.list_under(
            resource_servers_of(pool_id),
            after,
            limit,
            &|_: &ResourceServer| true,
        )
        .await
    }
}

#[async_trait]
impl DomainStore for DynamoStore {
    async fn create_domain(&self, domain: &PoolDomain) -> Result<(), StoreError> {
        let kind = domain.kind.as_str();
        let mut slot = slot_key(&domain.pool_id, kind);
        slot.insert(KIND.into(), s("domain_slot"));
        slot.insert(VALUE.into(), s(domain.domain.as_str()));
        let mut ops = Vec::with_capacity(2);
        for item in [domain_item(domain)?, slot] {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", PK)
                .build()
                .map_err(build)?;
            ops.push(TransactWriteItem::builder().put(put).build());
        }
        match self.transact(ops).await? {
            Ok(()) => Ok(()),
            Err(codes) if codes.first().is_some_and(|c| c == CONDITION_FAILED) => {
                Err(StoreError::Conflict)
            }
            Err(codes) if codes.get(1).is_some_and(|c| c == CONDITION_FAILED) => {
                Err(StoreError::AliasTaken(kind.into()))
            }
            Err(codes) => Err(Error::Store(format!("create_domain cancelled: {codes:?}")).into()),
        }
    }

    async fn get_domain(&self, domain: &str) -> Result<Option<PoolDomain>, Error> {
        self.get_doc(key(domain_pk(domain), DOMAIN_SK)).await
    }

    async fn pool_domains(&self, pool_id: &str) -> Result<Vec<PoolDomain>, Error> {
        let mut out = Vec::new();
        for slot in self.partition_items(domain_slots_pk(pool_id)).await? {
            let name = get_s(&slot, VALUE)?;
            // A slot whose domain item is not (or no longer) this pool's is left out.
            if let Some(d) = self.get_domain(name).await? {
                if d.pool_id == pool_id {
                    out.push(d);
                }
            }
        }
        out.sort_by_key(|d| d.kind.as_str());
        Ok(out)
    }

    async fn update_domain(&self, domain: &PoolDomain) -> Result<(), StoreError> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(domain_item(domain)?))
            .condition_expression("#p = :p")
            .expression_attribute_names("#p", POOL_ID)
            .expression_attribute_values(":p", s(domain.pool_id.as_str()))
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e) if refused(&e) => Err(StoreError::Conflict),
            Err(e) => Err(sdk(e).into()),
        }
    }

    async fn delete_domain(&self, pool_id: &str, domain: &str) -> Result<bool, Error> {
        let Some(found) = self.get_domain(domain).await? else {
            return Ok(false);
        };
        if found.pool_id != pool_id {
            return Ok(false);
        }
        let ops = vec![
            delete_op(
                &self.table,
                key(domain_pk(domain), DOMAIN_SK),
                "#a = :v",
                (POOL_ID, pool_id),
            )?,
            delete_op(
                &self.table,
                slot_key(pool_id, found.kind.as_str()),
                "#a = :v",
                (VALUE, domain),
            )?,
        ];
        match self.transact(ops).await? {
            Ok(()) => Ok(true),
            // Released by a concurrent delete in between.
            Err(codes) if codes.iter().any(|c| c == CONDITION_FAILED) => Ok(false),
            Err(codes) => Err(Error::Store(format!("delete_domain cancelled: {codes:?}"))),
        }
    }
}

#[async_trait]
impl UiCustomizationStore for DynamoStore {
    async fn put_ui_customization(
        &self,
        custom: &UiCustomization,
    ) -> Result<UiCustomization, Error> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(ui_pk(&custom.pool_id), custom.client_id.as_str())))
            .update_expression("SET #d = :d, #k = :k, #c = if_not_exists(#c, :c)")
            .expression_attribute_names("#d", DATA)
            .expression_attribute_names("#k", KIND)
            .expression_attribute_names("#c", CREATED_MS)
            .expression_attribute_values(":d", s(serde_json::to_string(custom)?))
            .expression_attribute_values(":k", s("ui_customization"))
            .expression_attribute_values(":c", n(custom.created_ms))
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(sdk)?;
        let created_ms = match out.attributes {
            Some(item) => get_n(&item, CREATED_MS)?,
            None => custom.created_ms,
        };
        Ok(UiCustomization {
            created_ms,
            ..custom.clone()
        })
    }

    async fn get_ui_customization(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<UiCustomization>, Error> {
        let item = self
            .get(key(ui_pk(pool_id), client_id), &[DATA, CREATED_MS])
            .await?;
        item.map(|item| {
            let custom: UiCustomization = from_doc(&item)?;
            Ok(UiCustomization {
                created_ms: get_n(&item, CREATED_MS)?,
                ..custom
            })
        })
        .transpose()
    }
}

impl DynamoStore {
    /// Deletes a pool's resource servers, domains (both items of each) and UI customizations.
    pub(super) async fn delete_pool_oauth_config(&self, pool_id: &str) -> Result<(), Error> {
        let servers = self.gsi1_keys(resource_servers_of(pool_id)).await?;
        self.batch_delete(super::ops::keys_of(&servers)?).await?;
        let mut keys = Vec::new();
        for slot in self.partition_items(domain_slots_pk(pool_id)).await? {
            let name = get_s(&slot, VALUE)?;
            if self
                .get_domain(name)
                .await?
                .is_some_and(|d| d.pool_id == pool_id)
            {
                keys.push(key(domain_pk(name), DOMAIN_SK));
            }
            keys.push(key_of(&slot)?);
        }
        for item in self.partition_items(ui_pk(pool_id)).await? {
            keys.push(key_of(&item)?);
        }
        self.batch_delete(keys).await
    }
}
