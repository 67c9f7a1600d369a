//! The single-table key schema: every item's `PK`/`SK` and `GSI1PK`/`GSI1SK`, the attribute
//! names, and the conversions between records and items. docs/dynamodb.md is the reference.
//!
//! Pool ids are `{region}_{alphanumerics}` (no `#`), so `USER#{pool}#{username_key}` and
//! `ALIAS#{pool}#{alias}` are unambiguous even when the username or alias contains `#`.

use crate::error::Error;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{de::DeserializeOwned, Serialize};
use std::collections::HashMap;

/// One DynamoDB item.
pub(super) type Item = HashMap<String, AttributeValue>;

/// Partition key attribute.
pub(super) const PK: &str = "PK";
/// Sort key attribute.
pub(super) const SK: &str = "SK";
/// GSI1 partition key: the parent a listing is under.
pub(super) const GSI1PK: &str = "GSI1PK";
/// GSI1 sort key: the listing's order.
pub(super) const GSI1SK: &str = "GSI1SK";
/// The one global secondary index.
pub(super) const GSI1: &str = "GSI1";
/// The record as JSON.
pub(super) const DATA: &str = "data";
/// Item type, for people reading the table.
pub(super) const KIND: &str = "kind";
/// A user's optimistic-concurrency version (N).
pub(super) const VERSION: &str = "version";
/// A user's claimed aliases: a map from alias to `true` (M), so deleting the user finds the
/// claims without an index, and one update can add some and remove others (distinct paths).
pub(super) const ALIASES: &str = "aliases";
/// The username an alias claim or outbox message belongs to.
pub(super) const USERNAME: &str = "username";
/// The pool an app client belongs to.
pub(super) const POOL_ID: &str = "pool_id";
/// A code's wrong attempts (N), kept outside `data` so UpdateItem ADD can count them.
pub(super) const ATTEMPTS: &str = "attempts";
/// A refresh token's revocation (BOOL), kept outside `data` so revoking is one SET.
pub(super) const REVOKED: &str = "revoked";
/// When a refresh token was rotated (N), kept outside `data` so rotating is conditional.
pub(super) const ROTATED_MS: &str = "rotated_ms";
/// A setting's value, or a counter's number.
pub(super) const VALUE: &str = "value";
/// When a message-count window opened (N, epoch ms).
pub(super) const WINDOW_START: &str = "window_start";
/// Messages counted in the open window (N).
pub(super) const SENDS: &str = "sends";
/// The TTL attribute: epoch seconds after which DynamoDB may delete the item.
pub(super) const TTL: &str = "ttl";

/// Sort key of a pool's own item.
pub(super) const POOL_SK: &str = "POOL";
/// Sort key of an app client's item.
pub(super) const CLIENT_SK: &str = "CLIENT";
/// Sort key of a user's own item.
pub(super) const USER_SK: &str = "USER";
/// Sort key of an alias claim.
pub(super) const ALIAS_SK: &str = "ALIAS";
/// Sort key of a refresh token's item.
pub(super) const REFRESH_SK: &str = "RT";
/// Sort-key prefix of a user's codes.
pub(super) const CODE_PREFIX: &str = "CODE#";
/// Sort-key prefix of a user's refresh-token references.
pub(super) const REFRESH_REF_PREFIX: &str = "RT#";
/// Sort key of a group's item.
pub(super) const GROUP_SK: &str = "GROUP";
/// Sort-key prefix of a user's group memberships.
pub(super) const MEMBERSHIP_PREFIX: &str = "GROUP#";
/// Sort-key prefix of a user's devices.
pub(super) const DEVICE_PREFIX: &str = "DEVICE#";
/// GSI1 partition of all pools.
pub(super) const ALL_POOLS: &str = "POOLS";
/// GSI1 partition of all outbox messages.
pub(super) const ALL_OUTBOX: &str = "OUTBOX";

/// How long after expiry an item's TTL falls: DynamoDB deletes lazily anyway, and the domain
/// should keep telling "expired" from "unknown" for a while.
pub(super) const TTL_GRACE_SECS: i64 = 86_400;
/// How long outbox messages are kept (they carry codes).
pub(super) const OUTBOX_KEEP_SECS: i64 = 7 * 86_400;

/// A string attribute.
pub(super) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A number attribute.
pub(super) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

/// A primary key.
pub(super) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([(PK.to_string(), s(pk)), (SK.to_string(), s(sk))])
}

/// Partition of a pool's own item.
pub(super) fn pool_pk(pool_id: &str) -> String {
    format!("POOL#{pool_id}")
}

/// Partition of an app client (clients are found by id alone).
pub(super) fn client_pk(client_id: &str) -> String {
    format!("CLIENT#{client_id}")
}

/// GSI1 partition of a pool's clients.
pub(super) fn clients_of(pool_id: &str) -> String {
    format!("CLIENTS#{pool_id}")
}

/// Partition of a user: the user item, its codes and its refresh-token references.
pub(super) fn user_pk(pool_id: &str, username_key: &str) -> String {
    format!("USER#{pool_id}#{username_key}")
}

/// GSI1 partition of a pool's users.
pub(super) fn users_of(pool_id: &str) -> String {
    format!("USERS#{pool_id}")
}

/// Partition of an alias claim (`email:a@b.c`).
pub(super) fn alias_pk(pool_id: &str, alias: &str) -> String {
    format!("ALIAS#{pool_id}#{alias}")
}

/// Partition of a group.
pub(super) fn group_pk(pool_id: &str, name: &str) -> String {
    format!("GROUP#{pool_id}#{name}")
}

/// GSI1 partition of a pool's groups.
pub(super) fn groups_of(pool_id: &str) -> String {
    format!("GROUPS#{pool_id}")
}

/// Sort key of a membership in its user's partition.
pub(super) fn membership_sk(group: &str) -> String {
    format!("{MEMBERSHIP_PREFIX}{group}")
}

/// GSI1 partition of a group's memberships.
pub(super) fn members_of(pool_id: &str, group: &str) -> String {
    format!("MEMBERS#{pool_id}#{group}")
}

/// Sort key of a device in its user's partition.
pub(super) fn device_sk(device_key: &str) -> String {
    format!("{DEVICE_PREFIX}{device_key}")
}

/// Sort key of a user's code for one purpose.
pub(super) fn code_sk(purpose: &str) -> String {
    format!("{CODE_PREFIX}{purpose}")
}

/// Partition of a refresh token (found by its hash alone).
pub(super) fn refresh_pk(token_hash: &str) -> String {
    format!("RT#{token_hash}")
}

/// Sort key of a refresh-token reference in its user's partition.
pub(super) fn refresh_ref_sk(token_hash: &str) -> String {
    format!("{REFRESH_REF_PREFIX}{token_hash}")
}

/// Partition of a resource server (pool ids hold no `#`, so the key is unambiguous).
pub(super) fn resource_server_pk(pool_id: &str, identifier: &str) -> String {
    format!("RS#{pool_id}#{identifier}")
}

/// Sort key of a resource server.
pub(super) const RESOURCE_SERVER_SK: &str = "RS";

/// GSI1 partition of a pool's resource servers.
pub(super) fn resource_servers_of(pool_id: &str) -> String {
    format!("RSS#{pool_id}")
}

/// Partition of a domain name's claim (names are unique across pools).
pub(super) fn domain_pk(domain: &str) -> String {
    format!("DOMAIN#{domain}")
}

/// Sort key of a domain's item.
pub(super) const DOMAIN_SK: &str = "DOMAIN";

/// Partition of a pool's domain slots: one item per kind (`prefix`, `custom`), holding the
/// name in `value`, so a pool claims at most one name of each kind.
pub(super) fn domain_slots_pk(pool_id: &str) -> String {
    format!("DOMAINS#{pool_id}")
}

/// Partition of a pool's UI customizations; the sort key is the client id or `ALL`.
pub(super) fn ui_pk(pool_id: &str) -> String {
    format!("UI#{pool_id}")
}

/// When a UI customization was first set (N), kept outside `data` so a set keeps it.
pub(super) const CREATED_MS: &str = "created_ms";

/// Partition of an identity provider (pool ids hold no `#`, so the key is unambiguous).
pub(super) fn idp_pk(pool_id: &str, name: &str) -> String {
    format!("IDP#{pool_id}#{name}")
}

/// Sort key of an identity provider.
pub(super) const IDP_SK: &str = "IDP";

/// GSI1 partition of a pool's identity providers.
pub(super) fn idps_of(pool_id: &str) -> String {
    format!("IDPS#{pool_id}")
}

/// Partition of an `IdpIdentifiers` claim (the provider's name is its `value`).
pub(super) fn idp_identifier_pk(pool_id: &str, identifier: &str) -> String {
    format!("IDPID#{pool_id}#{identifier}")
}

/// Sort key of an identifier claim.
pub(super) const IDP_IDENTIFIER_SK: &str = "IDPID";

/// Partition of a setting.
pub(super) fn setting_pk(name: &str) -> String {
    format!("SETTING#{name}")
}

/// Sort key of a setting.
pub(super) const SETTING_SK: &str = "SETTING";

/// Partition of a message count (`key` is e.g. `user:recovery:jane`).
pub(super) fn sends_pk(pool_id: &str, key: &str) -> String {
    format!("SENDS#{pool_id}#{key}")
}

/// Sort key of a message count.
pub(super) const SENDS_SK: &str = "SENDS";

/// The outbox id counter.
pub(super) const COUNTER_PK: &str = "COUNTER#OUTBOX";
/// Sort key of the counter.
pub(super) const COUNTER_SK: &str = "COUNTER";

/// Partition of a pool's outbox messages.
pub(super) fn outbox_pk(pool_id: &str) -> String {
    format!("OUTBOX#{pool_id}")
}

/// Sort key of an outbox message: its id, zero-padded so string order is numeric order.
pub(super) fn outbox_sk(id: i64) -> String {
    format!("{id:020}")
}

/// TTL (epoch seconds) for something that expires at `expires_ms`.
pub(super) fn ttl_after(expires_ms: i64) -> AttributeValue {
    n(expires_ms.div_euclid(1000) + 1 + TTL_GRACE_SECS)
}

/// An item holding `record` as JSON, under `pk`/`sk`, of type `kind`.
pub(super) fn doc_item<T: Serialize>(
    pk: impl Into<String>,
    sk: impl Into<String>,
    kind: &str,
    record: &T,
) -> Result<Item, Error> {
    let mut item = key(pk, sk);
    item.insert(KIND.into(), s(kind));
    item.insert(DATA.into(), s(serde_json::to_string(record)?));
    Ok(item)
}

/// Adds GSI1 keys (a listing under `parent`, ordered by `order`).
pub(super) fn with_gsi1(mut item: Item, parent: String, order: impl Into<String>) -> Item {
    item.insert(GSI1PK.into(), s(parent));
    item.insert(GSI1SK.into(), s(order));
    item
}

/// A string attribute of an item.
pub(super) fn get_s<'i>(item: &'i Item, name: &str) -> Result<&'i str, Error> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        _ => Err(Error::Decode(format!("item lacks string attribute {name}"))),
    }
}

/// A number attribute of an item.
pub(super) fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, Error> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse()
            .map_err(|_| Error::Decode(format!("attribute {name} is not a valid number"))),
        _ => Err(Error::Decode(format!("item lacks number attribute {name}"))),
    }
}

/// The record stored in an item's `data`.
pub(super) fn from_doc<T: DeserializeOwned>(item: &Item) -> Result<T, Error> {
    Ok(serde_json::from_str(get_s(item, DATA)?)?)
}

/// The keys of a map attribute (absent is empty).
pub(super) fn map_keys(item: &Item, name: &str) -> Vec<String> {
    match item.get(name) {
        Some(AttributeValue::M(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The primary key of an item.
pub(super) fn key_of(item: &Item) -> Result<Item, Error> {
    Ok(key(get_s(item, PK)?, get_s(item, SK)?))
}

/// Partition of a pool's user import jobs.
pub(super) fn imports_of(pool_id: &str) -> String {
    format!("IMPORTS#{pool_id}")
}

/// Sort key of an import job in its pool's partition.
pub(super) fn import_sk(job_id: &str) -> String {
    format!("IMPORT#{job_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_sort_keys_order_numerically() {
        assert!(outbox_sk(9) < outbox_sk(10));
        assert!(outbox_sk(99_999) < outbox_sk(100_000));
    }

    #[test]
    fn ttl_rounds_up_and_adds_grace() {
        assert_eq!(ttl_after(1_500), n(2 + TTL_GRACE_SECS));
    }
}
