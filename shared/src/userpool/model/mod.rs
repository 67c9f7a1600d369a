//! The user-pool domain records as stored: pools and app clients ([`pool`], [`oauth`]), users
//! ([`user`]) with their passkeys ([`passkey`]) and devices ([`device`]), codes, refresh tokens
//! and messages ([`records`]), and what the OAuth front door needs: resource servers, domains,
//! UI customization ([`hosted`]); external identity providers ([`idp`]).

pub mod device;
pub mod hosted;
pub mod idp;
pub mod import_job;
pub mod oauth;
pub mod passkey;
pub mod pool;
pub mod records;
pub mod user;

pub use device::*;
pub use hosted::*;
pub use idp::*;
pub use import_job::*;
pub use oauth::*;
pub use passkey::*;
pub use pool::*;
pub use records::*;
pub use user::*;
