//! TagResource, UntagResource and ListTagsForResource for identity pools: the tags are the
//! pool's `IdentityPoolTags` (also set by Create/UpdateIdentityPool).

use super::pools::{load, pool_not_found};
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::tags::{self, ResourceInput, TagResourceInput, TagsOutput, UntagResourceInput};
use crate::userpool::shapes::Empty;
use crate::App;

/// TagResource.
pub async fn tag_resource(app: &App, input: TagResourceInput) -> ApiResult<Empty> {
    let id = pool_of(app, &input.resource_arn)?;
    let mut pool = load(app, id).await?;
    tags::tag(&mut pool.tags, &input.tags)?;
    save(app, id, &pool).await
}

/// UntagResource.
pub async fn untag_resource(app: &App, input: UntagResourceInput) -> ApiResult<Empty> {
    let id = pool_of(app, &input.resource_arn)?;
    let mut pool = load(app, id).await?;
    tags::untag(&mut pool.tags, &input.tag_keys);
    save(app, id, &pool).await
}

/// ListTagsForResource.
pub async fn list_tags_for_resource(app: &App, input: ResourceInput) -> ApiResult<TagsOutput> {
    let id = pool_of(app, &input.resource_arn)?;
    Ok(TagsOutput {
        tags: load(app, id).await?.tags,
    })
}

async fn save(app: &App, id: &str, pool: &super::model::IdentityPool) -> ApiResult<Empty> {
    app.store
        .update_identity_pool(pool)
        .await
        .map_err(|_| pool_not_found(id))?;
    Ok(Empty {})
}

/// The identity-pool id of an identity-pool ARN of this deployment.
fn pool_of<'a>(app: &App, arn: &'a str) -> ApiResult<&'a str> {
    let s = &app.settings;
    tags::resource_id(
        arn,
        "cognito-identity",
        &s.region,
        &s.account_id,
        "identitypool",
    )
    .ok_or_else(|| {
        ApiError::new(
            ErrorKind::ResourceNotFound,
            format!("Resource {arn} does not exist."),
        )
    })
}
