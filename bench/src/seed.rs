//! A SQLite pool seeded with many users fast, for the benchmarks that need a big pool
//! (`portability_bench`, `console_bench`): the pool, its app client and a `bench` group made
//! through the API (real signing keys), then `n` confirmed users `user-00000`… with
//! `user-NNNNN@example.com`, written through the store port as SignUp writes them (alias
//! claims included) with one shared Argon2id hash of [`PASSWORD`]; every 10th user in the group.

use crate::load::call;
use anyhow::{Context, Result};
use latchkey::secret::Secret;
use latchkey::store::sqlite::{Durability, SqliteStore};
use latchkey::store::PoolStore;
use latchkey::userpool::directory::aliases_for;
use latchkey::userpool::model::{User, UserStatus};
use latchkey_server::{ServerOptions, StoreChoice};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

/// Every seeded user's password.
pub const PASSWORD: &str = "Bench-Passw0rd!";

/// Makes the pool, its client and a group through the API; `(pool, client)`.
pub async fn make_pool(store: &StoreChoice) -> Result<(String, String)> {
    let mut opts = ServerOptions::in_memory();
    opts.store = store.clone();
    let server = latchkey_server::spawn(opts).await?;
    let http = reqwest::Client::new();
    let pool = call(
        &http,
        &server.url,
        "CreateUserPool",
        json!({"PoolName": "bench"}),
    )
    .await?;
    let pool = pool["UserPool"]["Id"]
        .as_str()
        .context("pool id")?
        .to_string();
    let client = call(
        &http,
        &server.url,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "bench",
               "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
    )
    .await?;
    let client = client["UserPoolClient"]["ClientId"]
        .as_str()
        .context("client id")?
        .to_string();
    call(
        &http,
        &server.url,
        "CreateGroup",
        json!({"UserPoolId": pool, "GroupName": "bench"}),
    )
    .await?;
    server.shutdown().await;
    Ok((pool, client))
}

/// Creates `n` confirmed users with one shared password hash; every 10th in the group.
pub async fn seed(dir: &Path, pool_id: &str, n: usize) -> Result<()> {
    let store = SqliteStore::open_with(&dir.join("latchkey.db"), Durability::Full)?;
    let pool = PoolStore::get_pool(&store, pool_id)
        .await?
        .context("pool")?;
    let phc = latchkey::userpool::password::hash_password(PASSWORD)?;
    for i in 0..n {
        let name = format!("user-{i:05}");
        let attributes = BTreeMap::from([
            ("email".to_string(), format!("{name}@example.com")),
            ("email_verified".to_string(), "true".to_string()),
        ]);
        let sub = latchkey::random::uuid_v4(&latchkey::random::Csprng);
        let user = User::new(
            &pool,
            name,
            sub,
            attributes,
            UserStatus::Confirmed,
            Some(Secret::new(phc.clone())),
            1_700_000_000_000,
        );
        latchkey::store::UserStore::create_user(&store, &user, &aliases_for(&pool, &user))
            .await
            .map_err(|e| anyhow::anyhow!("create_user: {e}"))?;
        if i % 10 == 0 {
            let mut member = user.clone();
            member.version += 1;
            member.groups = vec!["bench".into()];
            latchkey::store::GroupStore::set_membership(&store, &member, "bench", true)
                .await
                .map_err(|e| anyhow::anyhow!("set_membership: {e}"))?;
        }
    }
    Ok(())
}
