//! Reading the local outbox by any name a user signs in with. Messages are stored under the
//! internal username (a UUID in pools with UsernameAttributes), so a lookup by email, phone
//! or alias first finds the user in each pool it may be in.

use super::directory::find_user;
use super::model::{OutboundMessage, UserPool};
use crate::error::ApiResult;
use crate::App;

/// Messages, oldest first, for `pool_id` (or every pool) and the user `name` signs in as (or
/// everyone). A name that finds no user still matches messages stored under it literally
/// (a user deleted since).
pub async fn messages(
    app: &App,
    pool_id: Option<&str>,
    name: Option<&str>,
) -> ApiResult<Vec<(i64, OutboundMessage)>> {
    let Some(name) = name else {
        return Ok(app.store.list_outbox(pool_id, None).await?);
    };
    let mut found = app.store.list_outbox(pool_id, Some(name)).await?;
    for pool in pools(app, pool_id).await? {
        if let Some(user) = find_user(app, &pool, name).await? {
            if user.username != name {
                let more = app.store.list_outbox(Some(&pool.id), Some(&user.username));
                found.extend(more.await?);
            }
        }
    }
    found.sort_by_key(|(id, _)| *id);
    found.dedup_by_key(|(id, _)| *id);
    Ok(found)
}

async fn pools(app: &App, pool_id: Option<&str>) -> ApiResult<Vec<UserPool>> {
    if let Some(id) = pool_id {
        return Ok(app.store.get_pool(id).await?.into_iter().collect());
    }
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let page = app.store.list_pools(after.as_deref(), 60).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(all),
        }
    }
}
