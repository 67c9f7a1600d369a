//! The user-pool domain records as stored: pools and app clients ([`pool`]), users
//! ([`user`]), codes, refresh tokens and messages ([`records`]).

pub mod pool;
pub mod records;
pub mod user;

pub use pool::*;
pub use records::*;
pub use user::*;
