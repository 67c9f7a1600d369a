//! The user pool: pools and clients, users, passwords, codes, sign-up, sign-in and tokens.

pub mod auth;
pub mod clients;
pub mod codes;
pub mod filter;
pub mod jwt;
pub mod keys;
pub mod model;
pub mod password;
pub mod pools;
pub mod schema;
pub mod secret_hash;
pub mod signup;
pub mod tokens;
pub mod users;
pub mod wellknown;
