//! Moving a deployment between stores without lock-in: `latchkey export` writes pools,
//! clients, users (password hashes, TOTP secrets, passkeys, groups), devices, identity pools
//! and identities as a versioned JSON Lines file ([`format`], docs/export-format.md), and
//! `latchkey import` writes it into any store ([`import`]), so users keep their passwords and
//! tokens stay valid when a deployment moves (SQLite ↔ DynamoDB). Everything goes through
//! the storage ports; [`export`] streams a page at a time.

pub mod export;
pub mod format;
pub mod import;

/// Why an export or import stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The store failed (the transfer stops: nothing after it is written).
    #[error(transparent)]
    Store(#[from] crate::error::Error),
    /// The file could not be read or written.
    #[error("{0}: {1}")]
    Io(&'static str, std::io::Error),
    /// What was asked for cannot be done (an unknown pool, a file of another version).
    #[error("{0}")]
    Refused(String),
}
