//! The black-box suite: every test that drives a running Latchkey server through real AWS SDK
//! clients (and the real Cognito client libraries), in one test binary so the workspace links
//! the SDKs once instead of once per file. Each module is one area; run one with a filter,
//! e.g. `cargo test -p latchkey-tests --test suite -- triggers_lambda::`.
//!
//! The DynamoDB outage test is its own binary (`dynamodb_outage`): it installs a
//! process-wide log capture that would mix with these tests' logs.

mod common;
mod console_support;
mod delivery_support;
mod devices_support;
mod federation_support;
mod identity_support;
mod lifecycle_support;
mod oauth_support;
mod trigger_support;

mod concurrency;
mod confirm_link;
mod console;
mod console_signin;
mod delivery;
mod devices;
mod errors;
mod federation;
mod federation_apple;
mod federation_saml;
mod federation_social;
mod hardening;
mod https;
mod identity_credentials;
mod identity_developer;
mod identity_identities;
mod identity_links;
mod identity_oidc;
mod identity_pools;
mod identity_providers;
mod identity_providers_oidc;
mod identity_refusals;
mod identity_saml;
mod identity_social;
mod import_jobs;
mod lifecycle_admin;
mod lifecycle_groups;
mod lifecycle_lockout;
mod lifecycle_recovery;
mod lifecycle_tokens;
mod message_limits;
mod oauth_clients;
mod oauth_flow;
mod oauth_pages;
mod oauth_settings;
mod passkeys;
mod persistence;
mod pool_management;
mod portability;
mod provider_links;
mod real_clients;
mod rest_routes;
mod server_workers;
mod tokens;
mod triggers_custom_sender;
mod triggers_flows;
mod triggers_http;
mod triggers_lambda;
mod user_auth;
mod user_pool_loop;
