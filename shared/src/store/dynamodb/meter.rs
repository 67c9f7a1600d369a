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
//! Units are what the server reports. A response without
//! `ConsumedCapacity` (a failed request, or a server that leaves it out: moto answers
//! TransactWriteItems with an empty list) counts as a request with unreported capacity.
//!
//! Beside them the meter keeps what DynamoDB itself would charge, from the items
//! ([`super::item_size`]): each read's units from the sizes of the items it returned, and each
//! item a write names ([`Touch::Write`]), which [`Usage::write_units`] prices from the item's
//! stored size before and after (the caller's snapshots), as DynamoDB charges the larger image.

use super::item_size::{item_size, read_units, write_units};
use super::keys::{get_s, Item, GSI1PK, GSI1SK, PK, SK};
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
use aws_sdk_dynamodb::types::{AttributeValue, ConsumedCapacity, ReturnConsumedCapacity};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use std::collections::{BTreeMap, HashMap};
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
    /// Item by item, what the requests read and wrote, for units from item sizes.
    pub touches: Vec<Touch>,
}

/// An item's table key (`PK`, `SK`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemKey {
    /// Partition key.
    pub pk: String,
    /// Sort key.
    pub sk: String,
}

impl ItemKey {
    /// The key of `item` (a key map or a whole item); None without string `PK` and `SK`.
    pub fn of(item: &HashMap<String, AttributeValue>) -> Option<Self> {
        Some(Self {
            pk: text(item, PK)?,
            sk: text(item, SK)?,
        })
    }
}

/// An item as stored at one moment: its size and its GSI1 key, if it is in the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stored {
    /// [`item_size`] of the item.
    pub size: usize,
    /// (`GSI1PK`, `GSI1SK`) when the item has them.
    pub index_key: Option<(String, String)>,
}

impl Stored {
    /// `item` as the meter prices it.
    pub fn of(item: &HashMap<String, AttributeValue>) -> Self {
        Self {
            size: item_size(item),
            index_key: text(item, GSI1PK).zip(text(item, GSI1SK)),
        }
    }
}

/// A string attribute of `item`, when it has one.
fn text(item: &Item, name: &str) -> Option<String> {
    get_s(item, name).ok().map(str::to_owned)
}

/// One thing a request did to the table, for pricing by item size.
#[derive(Clone, Debug, PartialEq)]
pub enum Touch {
    /// A read answered: its read units, from the sizes of the items it returned.
    Read {
        /// The DynamoDB operation.
        operation: &'static str,
        /// Read request units.
        units: f64,
    },
    /// An item a write request named (put, updated, deleted or condition-checked).
    Write {
        /// The item's key.
        key: ItemKey,
        /// The new image's size, when the request carries it (a put).
        put_size: Option<usize>,
        /// Part of a TransactWriteItems.
        transactional: bool,
    },
}

/// Write units from item sizes, in the table and in GSI1.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct WriteUnits {
    /// The table's items (transactions doubled).
    pub table: f64,
    /// GSI1's entries: an index entry put, deleted or changed for every written item that is
    /// (or was) in the index (projection ALL, so any change reaches it).
    pub index: f64,
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

    /// Read request units from the sizes of the items the reads returned.
    pub fn read_units(&self) -> f64 {
        self.touches
            .iter()
            .map(|t| match t {
                Touch::Read { units, .. } => *units,
                Touch::Write { .. } => 0.0,
            })
            .sum()
    }

    /// Write request units from item sizes: each written item costs by the larger of its
    /// stored images `before` and `after` the requests (and the put image), as DynamoDB
    /// charges; a deleted or never-stored item still costs one unit.
    pub fn write_units(
        &self,
        before: &HashMap<ItemKey, Stored>,
        after: &HashMap<ItemKey, Stored>,
    ) -> WriteUnits {
        let mut units = WriteUnits::default();
        for touch in &self.touches {
            let Touch::Write {
                key,
                put_size,
                transactional,
            } = touch
            else {
                continue;
            };
            let (old, new) = (before.get(key), after.get(key));
            let size = [old.map(|s| s.size), new.map(|s| s.size), *put_size]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(0);
            units.table += write_units(size, *transactional);
            let (old_index, new_index) = (
                old.and_then(|s| s.index_key.as_ref()),
                new.and_then(|s| s.index_key.as_ref()),
            );
            units.index += match (old_index, new_index) {
                (None, None) => 0.0,
                (Some(o), Some(n)) if o == n => write_units(size, false),
                _ => [old_index.and(old), new_index.and(new)]
                    .into_iter()
                    .flatten()
                    .map(|s| write_units(s.size, false))
                    .sum(),
            };
        }
        units
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

    /// Notes what a request did, item by item.
    fn touched(&self, touches: impl IntoIterator<Item = Touch>) {
        self.lock().touches.extend(touches);
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

/// How a read request's items are priced, noted before it is sent for its answer.
#[derive(Clone, Copy, Debug)]
struct ReadKind {
    consistent: bool,
    transactional: bool,
}

impl Storable for ReadKind {
    type Storer = StoreReplace<Self>;
}

/// The read kind of a read request's input; None for writes.
fn read_kind(
    input: &aws_smithy_runtime_api::client::interceptors::context::Input,
) -> Option<ReadKind> {
    let consistent = |c: Option<bool>| ReadKind {
        consistent: c.unwrap_or(false),
        transactional: false,
    };
    if let Some(i) = input.downcast_ref::<GetItemInput>() {
        return Some(consistent(i.consistent_read));
    }
    if let Some(i) = input.downcast_ref::<QueryInput>() {
        return Some(consistent(i.consistent_read));
    }
    if let Some(i) = input.downcast_ref::<ScanInput>() {
        return Some(consistent(i.consistent_read));
    }
    if let Some(i) = input.downcast_ref::<BatchGetItemInput>() {
        let c = i
            .request_items
            .iter()
            .flatten()
            .any(|(_, k)| k.consistent_read == Some(true));
        return Some(consistent(Some(c)));
    }
    input
        .downcast_ref::<TransactGetItemsInput>()
        .map(|_| ReadKind {
            consistent: true,
            transactional: true,
        })
}

/// The items a write request's input names.
fn write_touches(
    input: &aws_smithy_runtime_api::client::interceptors::context::Input,
) -> Vec<Touch> {
    let write = |item: &Item, put: bool, transactional: bool| {
        ItemKey::of(item).map(|key| Touch::Write {
            key,
            put_size: put.then(|| item_size(item)),
            transactional,
        })
    };
    let mut out = Vec::new();
    if let Some(i) = input.downcast_ref::<PutItemInput>() {
        out.extend(i.item.as_ref().and_then(|item| write(item, true, false)));
    } else if let Some(i) = input.downcast_ref::<UpdateItemInput>() {
        out.extend(i.key.as_ref().and_then(|key| write(key, false, false)));
    } else if let Some(i) = input.downcast_ref::<DeleteItemInput>() {
        out.extend(i.key.as_ref().and_then(|key| write(key, false, false)));
    } else if let Some(i) = input.downcast_ref::<BatchWriteItemInput>() {
        for request in i.request_items.iter().flatten().flat_map(|(_, w)| w) {
            if let Some(p) = &request.put_request {
                out.extend(write(&p.item, true, false));
            }
            if let Some(d) = &request.delete_request {
                out.extend(write(&d.key, false, false));
            }
        }
    } else if let Some(i) = input.downcast_ref::<TransactWriteItemsInput>() {
        for item in i.transact_items.iter().flatten() {
            if let Some(p) = &item.put {
                out.extend(write(&p.item, true, true));
            }
            if let Some(u) = &item.update {
                out.extend(write(&u.key, false, true));
            }
            if let Some(d) = &item.delete {
                out.extend(write(&d.key, false, true));
            }
            if let Some(c) = &item.condition_check {
                out.extend(write(&c.key, false, true));
            }
        }
    }
    out
}

/// The read units of a read's answer, from the sizes of the items it returned (Query and
/// Scan price a page's total, the others item by item; an empty answer still costs one).
fn answered_reads(
    output: &aws_smithy_runtime_api::client::interceptors::context::Output,
    kind: ReadKind,
) -> Option<Touch> {
    let price = |size: usize| read_units(size, kind.consistent, kind.transactional);
    let each = |items: &mut dyn Iterator<Item = &Item>| {
        let units: f64 = items.map(|i| price(item_size(i))).sum();
        units.max(price(0))
    };
    let (operation, units) = if let Some(o) = output.downcast_ref::<GetItemOutput>() {
        ("GetItem", price(o.item.as_ref().map_or(0, item_size)))
    } else if let Some(o) = output.downcast_ref::<QueryOutput>() {
        (
            "Query",
            price(o.items.iter().flatten().map(item_size).sum()),
        )
    } else if let Some(o) = output.downcast_ref::<ScanOutput>() {
        ("Scan", price(o.items.iter().flatten().map(item_size).sum()))
    } else if let Some(o) = output.downcast_ref::<BatchGetItemOutput>() {
        let mut items = o.responses.iter().flatten().flat_map(|(_, items)| items);
        ("BatchGetItem", each(&mut items))
    } else if let Some(o) = output.downcast_ref::<TransactGetItemsOutput>() {
        let mut items = o.responses.iter().flatten().filter_map(|r| r.item.as_ref());
        ("TransactGetItems", each(&mut items))
    } else {
        return None;
    };
    Some(Touch::Read { operation, units })
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
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input_mut();
        if let Some(kind) = read_kind(input) {
            cfg.interceptor_state().store_put(kind);
        }
        self.touched(write_touches(input));
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
        if let Some(kind) = cfg.load::<ReadKind>().copied() {
            self.touched(answered_reads(output, kind));
        }
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
