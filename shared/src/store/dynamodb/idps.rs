//! A pool's identity providers on DynamoDB. A provider is its own item (`IDP#{pool}#{name}`,
//! listed under GSI1 `IDPS#{pool}` by name, with a `version`), and each of its `IdpIdentifiers`
//! is a claim item (`IDPID#{pool}#{identifier}`, the provider's name in `value`). A create puts
//! the provider and its claims in one TransactWriteItems, each `attribute_not_exists(PK)`; an
//! update or delete is one transaction conditional on the version it read, claiming the new
//! identifiers and releasing the dropped ones (each release conditional on its holder).

use super::keys::*;
use super::ops::{build, CONDITION_FAILED, TRANSACT_MAX};
use super::pools::conflict_if_taken;
use super::DynamoStore;
use crate::error::Error;
use crate::store::{IdentityProviderStore, Page, StoreError};
use crate::userpool::model::IdentityProvider;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};

/// Times an update or delete re-reads the provider after a concurrent write moved it on.
const VERSION_RETRIES: u32 = 8;

fn idp_key(pool_id: &str, name: &str) -> Item {
    key(idp_pk(pool_id, name), IDP_SK)
}

fn claim_key(pool_id: &str, identifier: &str) -> Item {
    key(idp_identifier_pk(pool_id, identifier), IDP_IDENTIFIER_SK)
}

fn idp_item(idp: &IdentityProvider, version: u64) -> Result<Item, Error> {
    let mut item = with_gsi1(
        doc_item(
            idp_pk(&idp.pool_id, &idp.name),
            IDP_SK,
            "identity_provider",
            idp,
        )?,
        idps_of(&idp.pool_id),
        idp.name.as_str(),
    );
    item.insert(VERSION.into(), n(version));
    Ok(item)
}

fn claim_item(idp: &IdentityProvider, identifier: &str) -> Item {
    let mut item = claim_key(&idp.pool_id, identifier);
    item.insert(KIND.into(), s("idp_identifier"));
    item.insert(VALUE.into(), s(idp.name.as_str()));
    item
}

/// A conditional put as a transaction item; `value` fills `:v` when the condition uses it.
fn put_op(
    table: &str,
    item: Item,
    condition: &str,
    names: &[(&str, &str)],
    value: Option<AttributeValue>,
) -> Result<TransactWriteItem, Error> {
    let mut put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(condition);
    for (alias, name) in names {
        put = put.expression_attribute_names(*alias, *name);
    }
    if let Some(v) = value {
        put = put.expression_attribute_values(":v", v);
    }
    Ok(TransactWriteItem::builder()
        .put(put.build().map_err(build)?)
        .build())
}

/// A delete conditional on `#a = :v` as a transaction item.
fn delete_op(
    table: &str,
    key: Item,
    attribute: &str,
    value: AttributeValue,
) -> Result<TransactWriteItem, Error> {
    let del = Delete::builder()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression("#a = :v")
        .expression_attribute_names("#a", attribute)
        .expression_attribute_values(":v", value)
        .build()
        .map_err(build)?;
    Ok(TransactWriteItem::builder().delete(del).build())
}

/// What the provider item holds now: the record and its version.
type Held = (IdentityProvider, u64);

impl DynamoStore {
    async fn held_idp(&self, pool_id: &str, name: &str) -> Result<Option<Held>, Error> {
        let item = self.get(idp_key(pool_id, name), &[DATA, VERSION]).await?;
        item.map(|item| -> Result<Held, Error> { Ok((from_doc(&item)?, get_n(&item, VERSION)?)) })
            .transpose()
    }

    /// One versioned replacement of `held` by `idp`: Ok(true) when written, Ok(false) when a
    /// concurrent write moved the provider on (the caller reads again).
    async fn replace_idp(&self, idp: &IdentityProvider, held: &Held) -> Result<bool, StoreError> {
        let (old, version) = held;
        let claimed: Vec<&String> = idp
            .idp_identifiers
            .iter()
            .filter(|i| !old.idp_identifiers.contains(i))
            .collect();
        let released: Vec<&String> = old
            .idp_identifiers
            .iter()
            .filter(|i| !idp.idp_identifiers.contains(i))
            .collect();
        let mut ops = vec![put_op(
            &self.table,
            idp_item(idp, version + 1)?,
            "#v = :v",
            &[("#v", VERSION)],
            Some(n(*version)),
        )?];
        for identifier in &claimed {
            ops.push(claim_op(&self.table, idp, identifier)?);
        }
        for identifier in &released {
            ops.push(delete_op(
                &self.table,
                claim_key(&idp.pool_id, identifier),
                VALUE,
                s(idp.name.as_str()),
            )?);
        }
        match self.transact(ops).await? {
            Ok(()) => Ok(true),
            Err(codes) => {
                let taken = codes
                    .iter()
                    .enumerate()
                    .skip(1)
                    .take(claimed.len())
                    .find(|(_, c)| *c == CONDITION_FAILED);
                match taken {
                    Some((i, _)) if codes[0] != CONDITION_FAILED => {
                        Err(StoreError::AliasTaken(claimed[i - 1].to_string()))
                    }
                    _ => Ok(false),
                }
            }
        }
    }

    /// Deletes a pool's identity providers and their identifier claims.
    pub(super) async fn delete_pool_idps(&self, pool_id: &str) -> Result<(), Error> {
        let items = self.gsi1_keys(idps_of(pool_id)).await?;
        let mut keys = Vec::with_capacity(items.len());
        for item in &items {
            let name = get_s(item, GSI1SK)?;
            if let Some((idp, _)) = self.held_idp(pool_id, name).await? {
                keys.extend(idp.idp_identifiers.iter().map(|i| claim_key(pool_id, i)));
            }
            keys.push(key_of(item)?);
        }
        self.batch_delete(keys).await
    }
}

#[async_trait]
impl IdentityProviderStore for DynamoStore {
    async fn create_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError> {
        if idp.idp_identifiers.is_empty() {
            return conflict_if_taken(self.put_new(idp_item(idp, 0)?).await);
        }
        let mut ops = Vec::with_capacity(idp.idp_identifiers.len() + 1);
        ops.push(put_op(
            &self.table,
            idp_item(idp, 0)?,
            "attribute_not_exists(#pk)",
            &[("#pk", PK)],
            None,
        )?);
        for identifier in &idp.idp_identifiers {
            ops.push(claim_op(&self.table, idp, identifier)?);
        }
        match self.transact(ops).await? {
            Ok(()) => Ok(()),
            Err(codes) if codes.first().is_some_and(|c| c == CONDITION_FAILED) => {
                Err(StoreError::Conflict)
            }
            Err(codes) => match codes.iter().skip(1).position(|c| c == CONDITION_FAILED) {
                Some(i) => Err(StoreError::AliasTaken(idp.idp_identifiers[i].clone())),
                None => Err(Error::Store(format!("create_identity_provider: {codes:?}")).into()),
            },
        }
    }

    async fn get_identity_provider(
        &self,
        pool_id: &str,
        name: &str,
    ) -> Result<Option<IdentityProvider>, Error> {
        self.get_doc(idp_key(pool_id, name)).await
    }

    async fn get_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> Result<Option<IdentityProvider>, Error> {
        let Some(claim) = self.get(claim_key(pool_id, identifier), &[VALUE]).await? else {
            return Ok(None);
        };
        let name = get_s(&claim, VALUE)?;
        // A claim whose provider no longer lists it (released meanwhile) finds nothing.
        Ok(self
            .get_identity_provider(pool_id, name)
            .await?
            .filter(|idp| idp.idp_identifiers.iter().any(|i| i == identifier)))
    }

    async fn update_identity_provider(&self, idp: &IdentityProvider) -> Result<(), StoreError> {
        for _ in 0..VERSION_RETRIES {
            let Some(held) = self.held_idp(&idp.pool_id, &idp.name).await? else {
                return Err(StoreError::Conflict);
            };
            let changes = idp
                .idp_identifiers
                .iter()
                .filter(|i| !held.0.idp_identifiers.contains(i))
                .count()
                + held
                    .0
                    .idp_identifiers
                    .iter()
                    .filter(|i| !idp.idp_identifiers.contains(i))
                    .count();
            if changes + 1 > TRANSACT_MAX {
                // Too many for one transaction (all 50 identifiers swapped for 50 others):
                // release the dropped ones first, then claim the new ones.
                let kept = IdentityProvider {
                    idp_identifiers: held
                        .0
                        .idp_identifiers
                        .iter()
                        .filter(|i| idp.idp_identifiers.contains(i))
                        .cloned()
                        .collect(),
                    ..held.0.clone()
                };
                if !self.replace_idp(&kept, &held).await? {
                    continue;
                }
                let held = (kept, held.1 + 1);
                if self.replace_idp(idp, &held).await? {
                    return Ok(());
                }
                continue;
            }
            if self.replace_idp(idp, &held).await? {
                return Ok(());
            }
        }
        Err(
            Error::Store("update_identity_provider: kept losing to concurrent writes".into())
                .into(),
        )
    }

    async fn delete_identity_provider(&self, pool_id: &str, name: &str) -> Result<bool, Error> {
        for _ in 0..VERSION_RETRIES {
            let Some((idp, version)) = self.held_idp(pool_id, name).await? else {
                return Ok(false);
            };
            let mut ops = vec![delete_op(
                &self.table,
                idp_key(pool_id, name),
                VERSION,
                n(version),
            )?];
            for identifier in &idp.idp_identifiers {
                ops.push(delete_op(
                    &self.table,
                    claim_key(pool_id, identifier),
                    VALUE,
                    s(name),
                )?);
            }
            if self.transact(ops).await?.is_ok() {
                return Ok(true);
            }
        }
        Err(Error::Store(
            "delete_identity_provider: kept losing to concurrent writes".into(),
        ))
    }

    async fn list_identity_providers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Page<IdentityProvider>, Error> {
        self.list_under(idps_of(pool_id), after, limit, &|_: &IdentityProvider| true)
            .await
    }
}

/// The write that claims `identifier` for `idp`, refused when another provider holds it.
fn claim_op(
    table: &str,
    idp: &IdentityProvider,
    identifier: &str,
) -> Result<TransactWriteItem, Error> {
    put_op(
        table,
        claim_item(idp, identifier),
        "attribute_not_exists(#pk)",
        &[("#pk", PK)],
        None,
    )
}
