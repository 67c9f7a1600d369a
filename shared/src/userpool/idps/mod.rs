//! A user pool's external identity providers (SAML, OIDC, Google, Facebook, Login with Amazon,
//! Sign in with Apple): the operations that manage them, their `ProviderDetails` per type (with
//! OIDC discovery and SAML metadata), and linking external identities to users.
//!
//! The federated sign-in itself (the redirect to the provider and back) is `crate::federation`'s;
//! it reads providers through the store and finds users with [`linking::linked_user`].

pub mod details;
mod discovery;
pub mod linking;
pub mod ops;
pub mod saml_setup;
pub mod shapes;
#[cfg(test)]
mod tests;

pub use linking::linked_user;
