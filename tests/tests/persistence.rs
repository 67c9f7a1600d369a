//! SQLite persistence across a restart: the default pool and client, users and signing keys
//! survive, so a token issued before the restart still passes GetUser afterwards.

use crate::common;

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use common::{verify_token, Harness, TokenUse};
use latchkey_server::{ServerOptions, StoreChoice};

/// A fixed issuer, so tokens keep their `iss` although the ephemeral port changes.
const ISSUER_BASE: &str = "http://latchkey.test";

/// Removes the data directory when the test ends, pass or fail.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_nanos();
        let dir =
            std::env::temp_dir().join(format!("latchkey-persist-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn sqlite_options(dir: &TempDir) -> ServerOptions {
    ServerOptions {
        store: StoreChoice::Sqlite {
            data_dir: dir.0.clone(),
        },
        issuer_base_url: Some(ISSUER_BASE.to_owned()),
        ..ServerOptions::in_memory()
    }
}

#[tokio::test]
async fn users_pool_and_keys_survive_a_restart() {
    let dir = TempDir::new();

    let first = Harness::start_with(sqlite_options(&dir)).await;
    let (pool, client) = (
        first.server.default_pool_id.clone(),
        first.server.default_client_id.clone(),
    );
    first
        .confirmed_user(&pool, &client, "pat", "pat@example.com")
        .await;
    let before = first.sign_in(&client, "pat").await;
    let jwks_before = first.jwks(&pool).await;
    first.shutdown().await;

    let second = Harness::start_with(sqlite_options(&dir)).await;
    assert_eq!(second.server.default_pool_id, pool, "default pool kept");
    assert_eq!(
        second.server.default_client_id, client,
        "default client kept"
    );

    let issuer = format!("{ISSUER_BASE}/{pool}");
    let discovery = second
        .get_json(&format!("/{pool}/.well-known/openid-configuration"))
        .await;
    assert_eq!(
        discovery["issuer"],
        issuer.as_str(),
        "issuer_base_url is used"
    );
    let jwks_after = second.jwks(&pool).await;
    assert_eq!(jwks_after, jwks_before, "signing keys persisted");

    let access = before.access_token().expect("AccessToken");
    let user = second
        .idp
        .get_user()
        .access_token(access)
        .send()
        .await
        .expect("old token still valid");
    assert_eq!(user.username(), "pat");
    let id = before.id_token().expect("IdToken");
    let claims = verify_token(&jwks_after, &issuer, id, TokenUse::Id, &client);
    assert_eq!(claims["cognito:username"], "pat");

    let after = second.sign_in(&client, "pat").await;
    let claims = verify_token(
        &jwks_after,
        &issuer,
        after.access_token().unwrap(),
        TokenUse::Access,
        &client,
    );
    assert_eq!(claims["username"], "pat");
    second.shutdown().await;
}
