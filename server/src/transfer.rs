//! `latchkey export` and `latchkey import`: the store the server would open, and the file
//! (`-` for stdout/stdin). The work is `latchkey::portability`'s; this opens the ends.

use crate::{open_store, StoreChoice};
use anyhow::Context;
use latchkey::portability::export::{export, Counts, ExportOptions};
use latchkey::portability::import::{import, ImportOptions, ImportReport};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

/// Where the data lives, as the start banner and an export's header say it.
pub fn describe(choice: &StoreChoice) -> String {
    match choice {
        StoreChoice::DynamoDb { table, .. } => format!("DynamoDB table {table}"),
        StoreChoice::InMemory => "in memory (nothing is kept)".to_string(),
        StoreChoice::Sqlite { data_dir } => {
            format!("SQLite at {}", data_dir.join("latchkey.db").display())
        }
    }
}

/// Exports `choice` to `out` (`-`: stdout). A new file is readable by its owner only: it
/// holds password hashes, TOTP secrets, client secrets and signing keys.
pub async fn export_store(
    choice: &StoreChoice,
    mut options: ExportOptions,
    out: &Path,
) -> anyhow::Result<Counts> {
    let store = open_store(choice).await?;
    options.source = describe(choice);
    let mut sink: Box<dyn Write + Send> = if out == Path::new("-") {
        Box::new(BufWriter::new(std::io::stdout()))
    } else {
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let file = open
            .open(out)
            .with_context(|| format!("creating {}", out.display()))?;
        Box::new(BufWriter::with_capacity(1 << 16, file))
    };
    Ok(export(store.as_ref(), &options, sink.as_mut()).await?)
}

/// Imports `input` (`-`: stdin) into `choice`.
pub async fn import_store(
    choice: &StoreChoice,
    input: &Path,
    options: &ImportOptions,
) -> anyhow::Result<ImportReport> {
    let store = open_store(choice).await?;
    let source: Box<dyn BufRead + Send> = if input == Path::new("-") {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let file =
            std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    Ok(import(store, source, options).await)
}
