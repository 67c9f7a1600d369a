//! Counting what the adapter asks of DynamoDB, for benchmarks and capacity planning: every
//! request (each HTTP attempt, so a retry counts again), by operation, the capacity units
//! DynamoDB reports for it, and the bytes of its request and answer bodies.
//!
//! A [`RequestMeter`] is an SDK interceptor: [`DynamoStore::metered`] puts one on a store's
//! client, and from then on every request of that client asks for
//! `ReturnConsumedCapacity=TOTAL`, is counted as it is sent (by its `X-Amz-Target`), and its
//! answer's `ConsumedCapacity` is added up. Nothing
//! changes at the call sites, and a store without a meter sends exactly what it did before.
//! Counting is a short mutex-guarded map update per request.
//!
//! Units are what the server reports, never computed here. A response without
//! `ConsumedCapacity` (a failed request, or a server that leaves it out: moto answers
//! TransactWriteItems with an empty list) counts as a request with unreported capacity.

use super::DynamoStore;
use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextMut, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::{
    batch_get_item::{BatchGetItemInput, BatchGetItemOutput},
    batch_write_item::{BatchWriteItemInput, BatchWriteItemOutput},
    delete_item::{DeleteItemInput, DeleteItemOutput},
    get_item::{GetItemInput, GetItemOutput},
    put_item::{PutItemInput, PutItemOutput},
    query::{QueryInput, QueryOutput},
    scan::{ScanInput, ScanOutput},
    transact_get_items::{TransactGetItemsInput, TransactGetItemsOutput},
    transact_write_items::{TransactWriteItemsInput, TransactWriteItemsOutput},
    update_item::{UpdateItemInput, UpdateItemOutput},
};
use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// What one DynamoDB operation (GetItem, TransactWriteItems, ...) was asked and charged.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OperationUsage {
    /// Requests sent (HTTP attempts).
    pub requests: u32,
    /// Capacity units the responses reported (`ConsumedCapacity.CapacityUnits`, summed).
    pub capacity_units: f64,
    /// Requests without a capacity figure in their answer (failed, or left out by the server).
    pub unreported: u32,
    /// Bytes of the request bodies sent (the JSON, not the HTTP headers).
    pub request_bytes: u64,
    /// Bytes of the answers' bodies (their `Content-Length`; 0 where an answer has none).
    pub response_bytes: u64,
}

/// Requests and capacity by DynamoDB operation name, since the meter was made or last taken.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    /// By operation name, e.g. `GetItem`.
    pub operations: BTreeMap<String, OperationUsage>,
}

/// Whether a DynamoDB operation reads (its units are read units) rather than writes.
pub fn is_read(operation: &str) -> bool {
    matches!(
        operation,
        "GetItem" | "BatchGetItem" | "Query" | "Scan" | "TransactGetItems"
    )
}

impl Usage {
    /// Everything the operations `pick` accepts, added up.
    pub fn total(&self, pick: impl Fn(&str) -> bool) -> OperationUsage {
        let mut sum = OperationUsage::default();
        for (_, u) in self.operations.iter().filter(|(op, _)| pick(op)) {
            sum.requests += u.requests;
            sum.capacity_units += u.capacity_units;
            sum.unreported += u.unreported;
            sum.request_bytes += u.request_bytes;
            sum.response_bytes += u.response_bytes;
        }
        sum
    }

    /// Read requests and read units.
    pub fn reads(&self) -> OperationUsage {
        self.total(is_read)
    }

    /// Write requests and write units.
    pub fn writes(&self) -> OperationUsage {
        self.total(|op| !is_read(op))
    }
}

/// Counts a client's DynamoDB requests and the capacity they consumed. Cheap to clone (the
/// clones share one count).
#[derive(Clone, Debug, Default)]
pub struct RequestMeter {
    usage: Arc<Mutex<Usage>>,
}

impl RequestMeter {
    /// A meter with nothing counted.
    pub fn new() -> Self {
        Self::default()
    }

    /// What has been counted so far.
    pub fn snapshot(&self) -> Usage {
        self.lock().clone()
    }

    /// What has been counted so far, starting the count again from nothing.
    pub fn take(&self) -> Usage {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Usage> {
        // A panic while counting leaves the map consistent (single inserts), so keep going.
        self.usage.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A request for `operation` of `bytes` is being sent; until its answer reports units it
    /// counts as unreported.
    fn sent(&self, operation: &str, bytes: u64) {
        let mut usage = self.lock();
        let entry = usage.operations.entry(operation.to_string()).or_default();
        entry.requests += 1;
        entry.unreported += 1;
        entry.request_bytes += bytes;
    }

    /// An answer of `bytes` to `operation` arrived (whether or not it succeeded).
    fn answered(&self, operation: &str, bytes: u64) {
        let mut usage = self.lock();
        let entry = usage.operations.entry(operation.to_string()).or_default();
        entry.response_bytes += bytes;
    }

    /// An answer to `operation` reported `units`.
    fn reported(&self, operation: &str, units: f64) {
        let mut usage = self.lock();
        let entry = usage.operations.entry(operation.to_string()).or_default();
        entry.capacity_units += units;
        entry.unreported = entry.unreported.saturating_sub(1);
    }
}

/// Sets `ReturnConsumedCapacity=TOTAL` on whichever of `types` the input is.
macro_rules! ask_capacity {
    ($input:expr, $($ty:ty),+) => {
        $(if let Some(i) = $input.downcast_mut::<$ty>() {
            i.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
        })+
    };
}

/// The units in some `ConsumedCapacity` entries; None when there are none.
fn units<'a>(entries: impl Iterator<Item = &'a ConsumedCapacity>) -> Option<f64> {
    entries
        .filter_map(|c| c.capacity_units)
        .fold(None, |sum, u| Some(sum.unwrap_or(0.0) + u))
}

/// The operation an output answers and the units it reports (None when it reports none):
/// `one` lists outputs with a single `ConsumedCapacity`, `many` those with a list of them (one
/// per table), each with its operation's name.
macro_rules! reported {
    ($output:expr, one: [$($one:ident => $one_op:literal),+],
     many: [$($many:ident => $many_op:literal),+]) => {{
        let output = $output;
        let mut found = None;
        $(if let Some(o) = output.downcast_ref::<$one>() {
            found = Some(($one_op, units(o.consumed_capacity.iter())));
        })+
        $(if let Some(o) = output.downcast_ref::<$many>() {
            found = Some(($many_op, units(o.consumed_capacity.iter().flatten())));
        })+
        found
    }};
}

/// The operation a request is for, from its `X-Amz-Target` (`DynamoDB_20120810.GetItem`).
fn operation_of(target: Option<&str>) -> String {
    target
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("unknown")
        .to_string()
}

/// A message's `Content-Length` header as a number (0 when absent or not a number).
fn content_length(header: Option<&str>) -> u64 {
    header.and_then(|v| v.parse().ok()).unwrap_or(0)
}

impl Intercept for RequestMeter {
    fn name(&self) -> &'static str {
        "latchkey::RequestMeter"
    }

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input_mut();
        ask_capacity!(
            input,
            GetItemInput,
            PutItemInput,
            UpdateItemInput,
            DeleteItemInput,
            QueryInput,
            ScanInput,
            BatchGetItemInput,
            BatchWriteItemInput,
            TransactWriteItemsInput,
            TransactGetItemsInput
        );
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        // The SDK's DynamoDB bodies are in memory; a streamed one would say its length.
        let bytes = match request.body().bytes() {
            Some(body) => body.len() as u64,
            None => content_length(request.headers().get("content-length")),
        };
        self.sent(&operation_of(request.headers().get("x-amz-target")), bytes);
        Ok(())
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The request was handed to the HTTP client by now; the operation's name is in the
        // config bag the SDK keeps for the call.
        if let (Some(meta), Some(response)) = (cfg.load::<Metadata>(), context.response()) {
            let bytes = content_length(response.headers().get("content-length"));
            self.answered(meta.name(), bytes);
        }
        let Some(Ok(output)) = context.output_or_error() else {
            return Ok(());
        };
        let found = reported!(
            output,
            one: [GetItemOutput => "GetItem", PutItemOutput => "PutItem",
                  UpdateItemOutput => "UpdateItem", DeleteItemOutput => "DeleteItem",
                  QueryOutput => "Query", ScanOutput => "Scan"],
            many: [BatchGetItemOutput => "BatchGetItem", BatchWriteItemOutput => "BatchWriteItem",
                   TransactWriteItemsOutput => "TransactWriteItems",
                   TransactGetItemsOutput => "TransactGetItems"]
        );
        if let Some((operation, Some(units))) = found {
            self.reported(operation, units);
        }
        Ok(())
    }
}

impl DynamoStore {
    /// The same store (same table, same client settings) with `meter` counting its requests.
    pub fn metered(&self, meter: &RequestMeter) -> Self {
        let config = self
            .client
            .config()
            .to_builder()
            .interceptor(meter.clone())
            .build();
        Self::new(
            aws_sdk_dynamodb::Client::from_conf(config),
            self.table.clone(),
        )
    }
}
