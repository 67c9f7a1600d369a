//! The production store: one DynamoDB table (single-table design) behind every storage port.
//!
//! Uniqueness and atomicity come from conditional writes and transactions, never from a read
//! followed by a write; users, codes and refresh tokens are read strongly consistent. The key
//! schema, the one GSI, the TTL attribute and the requests each method makes are documented in
//! docs/dynamodb.md. Any SDK failure becomes [`Error::Store`] with its cause chain; the SDK's
//! standard retry handles throttling.

mod codes;
mod devices;
mod grants;
mod groups;
mod identities;
mod idps;
mod import_jobs;
pub mod item_size;
mod keys;
mod meter;
mod oauth_config;
mod ops;
mod outbox;
mod pools;
mod portability;
mod send_counts;
mod tokens;
mod users;

pub use meter::{is_read, ItemKey, OperationUsage, RequestMeter, Stored, Touch, Usage, WriteUnits};

use crate::error::Error;
use crate::random::{Csprng, Random};
use aws_sdk_dynamodb::client::Waiters;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;
use keys::{GSI1, GSI1PK, GSI1SK, PK, SK, TTL};
use ops::{build, sdk};
use std::sync::Arc;
use std::time::Duration;

/// How long `create_table` waits for a new table to become ACTIVE.
const TABLE_ACTIVE_WAIT: Duration = Duration::from_secs(300);

/// The DynamoDB adapter: a client and the table name. Cheap to clone (the client is shared).
#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// Jitter for retry pauses.
    random: Arc<dyn Random>,
}

impl std::fmt::Debug for DynamoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DynamoStore")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

impl DynamoStore {
    /// A store over `table` using `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            random: Arc::new(Csprng),
        }
    }

    /// The same store with retry jitter from `random` (the App's randomness port).
    pub fn with_random(mut self, random: Arc<dyn Random>) -> Self {
        self.random = random;
        self
    }

    /// A client from the normal AWS configuration chain (environment, profile, instance
    /// role; `AWS_ENDPOINT_URL_DYNAMODB` points it at any DynamoDB-API server), in us-east-1
    /// when no region is configured.
    pub async fn client_from_env() -> Result<Client, Error> {
        Ok(Client::new(
            &crate::sdk_http::load_config("us-east-1").await?,
        ))
    }

    /// A store over `table` with a client from the normal AWS configuration chain.
    pub async fn from_env(table: impl Into<String>) -> Result<Self, Error> {
        Ok(Self::new(Self::client_from_env().await?, table))
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The DynamoDB client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table if it does not exist (on-demand billing, the key schema and GSI1),
    /// waits until it is ACTIVE, and turns on TTL on the `ttl` attribute. Idempotent.
    pub async fn create_table(client: &Client, name: &str) -> Result<(), Error> {
        let attr = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build)
        };
        let key = |n: &str, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(n)
                .key_type(t)
                .build()
                .map_err(build)
        };
        let gsi1 = GlobalSecondaryIndex::builder()
            .index_name(GSI1)
            .key_schema(key(GSI1PK, KeyType::Hash)?)
            .key_schema(key(GSI1SK, KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(build)?;
        let created = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attr(PK)?)
            .attribute_definitions(attr(SK)?)
            .attribute_definitions(attr(GSI1PK)?)
            .attribute_definitions(attr(GSI1SK)?)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?)
            .global_secondary_indexes(gsi1)
            .send()
            .await;
        if let Err(e) = created {
            let exists = e
                .as_service_error()
                .is_some_and(|se| se.is_resource_in_use_exception());
            if !exists {
                return Err(sdk(e));
            }
        }
        client
            .wait_until_table_exists()
            .table_name(name)
            .wait(TABLE_ACTIVE_WAIT)
            .await
            .map_err(|e| Error::Store(format!("waiting for table {name}: {e}")))?;
        let ttl = client
            .describe_time_to_live()
            .table_name(name)
            .send()
            .await
            .map_err(sdk)?;
        let status = ttl
            .time_to_live_description()
            .and_then(|d| d.time_to_live_status());
        if !matches!(
            status,
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        ) {
            client
                .update_time_to_live()
                .table_name(name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(TTL)
                        .enabled(true)
                        .build()
                        .map_err(build)?,
                )
                .send()
                .await
                .map_err(sdk)?;
        }
        Ok(())
    }
}
