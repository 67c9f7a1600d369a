//! Reading an export into a store: the header is checked first (another major version is
//! refused before anything is written), then each line is written through the storage ports
//! with their conditional creates. Users go in batches ([`crate::store::PortabilityStore::
//! import_users`]: one SQLite transaction a batch, concurrent transactions on DynamoDB), each
//! user whole or not at all; identities and devices go several at a time. A record the target
//! already holds is skipped or failed (`--on-conflict`), a bad line is failed with its number,
//! and the import goes on; only a store fault or an unreadable file stops it.

use super::format::{Header, Record};
use super::TransferError;
use crate::store::{Store, StoreError, UserRecord};
use std::collections::{BTreeMap, HashSet};
use std::io::BufRead;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Problems listed in a report (the rest are only counted).
const MAX_LISTED: usize = 1000;

/// What to do with a record the target already holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnConflict {
    /// Count it as skipped and go on; the import succeeds.
    Skip,
    /// Count it as failed and go on; the import fails.
    Fail,
}

/// How to import.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// Records the target already holds.
    pub on_conflict: OnConflict,
    /// Users written per batch.
    pub batch: usize,
    /// Identities or devices written at once.
    pub in_flight: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            on_conflict: OnConflict::Fail,
            batch: 500,
            in_flight: 32,
        }
    }
}

/// A record not imported, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Its line (1 is the header).
    pub line: usize,
    /// Why (ids and names, never a secret).
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    /// The file's header, once read.
    pub header: Option<Header>,
    /// Records written, by kind.
    pub imported: BTreeMap<&'static str, u64>,
    /// Records the target already held, under [`OnConflict::Skip`].
    pub skipped: u64,
    /// Records not written: conflicts under [`OnConflict::Fail`], bad lines.
    pub failed: u64,
    /// The first problems, in line order within each batch.
    pub problems: Vec<Problem>,
    /// Why the import stopped early, if it did.
    pub stopped: Option<String>,
}

impl ImportReport {
    /// Whether every record was imported or skipped.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.stopped.is_none()
    }

    /// Records written.
    pub fn total_imported(&self) -> u64 {
        self.imported.values().sum()
    }

    fn problem(&mut self, line: usize, reason: String, skipped: bool) {
        if skipped {
            self.skipped += 1;
        } else {
            self.failed += 1;
        }
        if self.problems.len() < MAX_LISTED {
            self.problems.push(Problem { line, reason });
        }
    }
}

/// Why the target refused a record, as a reason; None for a store fault (which stops).
fn refusal(record: &Record, e: &StoreError) -> Option<String> {
    let why = match (e, record) {
        (StoreError::Backend(_), _) => return None,
        (StoreError::UsernameTaken, _) => "the username is taken in the target".to_string(),
        (StoreError::AliasTaken(kind), Record::Domain { .. }) => {
            format!("the pool already has a {kind} domain in the target")
        }
        (StoreError::AliasTaken(identifier), Record::IdentityProvider { .. }) => {
            format!("the identifier {identifier} is held by another provider in the target")
        }
        (StoreError::AliasTaken(key), Record::Identity { .. }) => {
            format!("the login {key} is linked to another identity in the target")
        }
        (StoreError::AliasTaken(alias), _) => {
            format!("the alias {alias} is held by another user in the target")
        }
        (StoreError::Conflict, _) => "it already exists in the target".to_string(),
    };
    Some(format!("{}: {why}", record.label()))
}

/// Writes one record (users too, though they normally go in batches).
async fn write_one(store: &dyn Store, record: &Record) -> Result<(), StoreError> {
    match record {
        Record::Setting { key, value } => {
            // A setting already there is a conflict, even with the same value.
            if store.get_setting(key).await?.is_some() {
                return Err(StoreError::Conflict);
            }
            let kept = store.put_setting_once(key, value.expose()).await?;
            if kept == *value.expose() {
                Ok(())
            } else {
                Err(StoreError::Conflict)
            }
        }
        Record::UserPool { record } => store.create_pool(record).await,
        Record::AppClient { record } => store.create_client(record).await,
        Record::ResourceServer { record } => store.create_resource_server(record).await,
        Record::IdentityProvider { record } => store.create_identity_provider(record).await,
        Record::Domain { record } => store.create_domain(record).await,
        Record::UiCustomization { record } => {
            // The port replaces customizations; one already there is a conflict, not replaced.
            let held = store
                .get_ui_customization(&record.pool_id, &record.client_id)
                .await?;
            if held.is_some() {
                return Err(StoreError::Conflict);
            }
            store.put_ui_customization(record).await?;
            Ok(())
        }
        Record::Group { record } => store.create_group(record).await,
        Record::User { record, aliases } => {
            let user = UserRecord {
                user: record.clone(),
                aliases: aliases.clone(),
            };
            let mut outcome = store.import_users(std::slice::from_ref(&user)).await;
            outcome.pop().unwrap_or(Err(StoreError::Conflict))
        }
        Record::Device { record } => store.create_device(record).await,
        Record::IdentityPool { record } => store.create_identity_pool(record).await,
        Record::Identity { record } => store.create_identity(record).await,
    }
}

/// Records waiting to be written together (all users, or all identities or devices).
struct Importer {
    store: Arc<dyn Store>,
    options: ImportOptions,
    report: ImportReport,
    pending: Vec<(usize, Record)>,
    /// Users of this file not written (their devices are not written either).
    users_left_out: HashSet<(String, String)>,
}

impl Importer {
    /// Counts one outcome; Err when the store failed (the import stops).
    fn outcome(
        &mut self,
        line: usize,
        record: &Record,
        result: Result<(), StoreError>,
    ) -> Result<(), TransferError> {
        let e = match result {
            Ok(()) => {
                *self.report.imported.entry(record.kind()).or_default() += 1;
                return Ok(());
            }
            Err(e) => e,
        };
        let Some(reason) = refusal(record, &e) else {
            let detail = match e {
                StoreError::Backend(b) => b.to_string(),
                other => other.to_string(),
            };
            return Err(TransferError::Refused(format!(
                "line {line} ({}): the store failed: {detail}",
                record.label()
            )));
        };
        if let Record::User { record: user, .. } = record {
            self.users_left_out
                .insert((user.pool_id.clone(), user.username_key.clone()));
        }
        let skip = self.options.on_conflict == OnConflict::Skip;
        self.report.problem(line, reason, skip);
        Ok(())
    }

    /// Writes what is pending.
    async fn flush(&mut self) -> Result<(), TransferError> {
        let pending = std::mem::take(&mut self.pending);
        let Some((_, first)) = pending.first() else {
            return Ok(());
        };
        if matches!(first, Record::User { .. }) {
            let users: Vec<UserRecord> = pending
                .iter()
                .filter_map(|(_, r)| match r {
                    Record::User { record, aliases } => Some(UserRecord {
                        user: record.clone(),
                        aliases: aliases.clone(),
                    }),
                    _ => None,
                })
                .collect();
            let outcomes = self.store.import_users(&users).await;
            for ((line, record), result) in pending.iter().zip(outcomes) {
                self.outcome(*line, record, result)?;
            }
            return Ok(());
        }
        // Identities or devices: several at once, outcomes counted in line order.
        let mut running = JoinSet::new();
        let mut results = BTreeMap::new();
        for (i, (_, record)) in pending.iter().enumerate() {
            if running.len() >= self.options.in_flight.max(1) {
                if let Some(Ok((j, r))) = running.join_next().await {
                    results.insert(j, r);
                }
            }
            let (store, record) = (self.store.clone(), record.clone());
            running.spawn(async move { (i, write_one(store.as_ref(), &record).await) });
        }
        while let Some(done) = running.join_next().await {
            if let Ok((j, r)) = done {
                results.insert(j, r);
            }
        }
        for (i, (line, record)) in pending.iter().enumerate() {
            let result = results.remove(&i).unwrap_or_else(|| {
                Err(crate::error::Error::Store("the write did not finish".into()).into())
            });
            self.outcome(*line, record, result)?;
        }
        Ok(())
    }

    /// Takes one record: batched with its like, or written now.
    async fn take(&mut self, line: usize, record: Record) -> Result<(), TransferError> {
        if let Record::Device { record: d } = &record {
            let owner = (d.pool_id.clone(), d.username_key.clone());
            if self.users_left_out.contains(&owner) {
                let reason = format!("{}: its user was not imported", record.label());
                self.report.problem(line, reason, false);
                return Ok(());
            }
        }
        let batched = matches!(
            record,
            Record::User { .. } | Record::Identity { .. } | Record::Device { .. }
        );
        let same = self
            .pending
            .first()
            .is_some_and(|(_, p)| p.kind() == record.kind());
        if !same || self.pending.len() >= self.options.batch.max(1) {
            self.flush().await?;
        }
        if batched {
            self.pending.push((line, record));
            return Ok(());
        }
        let result = write_one(self.store.as_ref(), &record).await;
        self.outcome(line, &record, result)
    }
}

/// Imports the export read from `input` into `store`. Never fails as a whole: the report says
/// what was written, what was not and why, and why it stopped early if it did.
pub async fn import(
    store: Arc<dyn Store>,
    input: impl BufRead,
    options: &ImportOptions,
) -> ImportReport {
    let mut importer = Importer {
        store,
        options: options.clone(),
        report: ImportReport::default(),
        pending: Vec::new(),
        users_left_out: HashSet::new(),
    };
    if let Err(e) = run(&mut importer, input).await {
        importer.report.stopped = Some(e.to_string());
    }
    importer.report
}

async fn run(importer: &mut Importer, input: impl BufRead) -> Result<(), TransferError> {
    let mut lines = input.lines();
    let first = match lines.next() {
        None => {
            return Err(TransferError::Refused(
                "the file is empty (no header)".into(),
            ))
        }
        Some(line) => line.map_err(|e| TransferError::Io("reading line 1", e))?,
    };
    let header = Header::parse(&first).map_err(TransferError::Refused)?;
    importer.report.header = Some(header);
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        let line = line.map_err(|e| TransferError::Io("reading the file", e))?;
        if line.trim().is_empty() {
            continue;
        }
        match Record::parse(line_no, &line) {
            Ok(record) => importer.take(line_no, record).await?,
            Err(reason) => importer.report.problem(line_no, reason, false),
        }
    }
    importer.flush().await
}
