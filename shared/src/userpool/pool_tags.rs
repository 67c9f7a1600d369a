//! TagResource, UntagResource and ListTagsForResource for user pools: the tags are the pool's
//! `UserPoolTags` (also set by CreateUserPool and UpdateUserPool, shown by DescribeUserPool),
//! changed over the version read so concurrent tag changes all land.

use super::model::UserPool;
use super::pools::{load_pool, modify_pool};
use super::shapes::Empty;
use crate::error::{ApiError, ApiResult};
use crate::tags::{self, ResourceInput, TagResourceInput, TagsOutput, UntagResourceInput};
use crate::App;
use serde_json::{Map, Value};

/// Where a pool keeps its tags.
const TAGS: &str = "UserPoolTags";

/// TagResource.
pub async fn tag_resource(app: &App, input: TagResourceInput) -> ApiResult<Empty> {
    let id = pool_of(app, &input.resource_arn)?;
    modify_pool(app, id, |pool| {
        let mut current = tags_of(pool);
        tags::tag(&mut current, &input.tags)?;
        pool.passthrough.insert(TAGS.into(), Value::Object(current));
        Ok(Empty {})
    })
    .await
}

/// UntagResource.
pub async fn untag_resource(app: &App, input: UntagResourceInput) -> ApiResult<Empty> {
    let id = pool_of(app, &input.resource_arn)?;
    modify_pool(app, id, |pool| {
        let mut current = tags_of(pool);
        tags::untag(&mut current, &input.tag_keys);
        pool.passthrough.insert(TAGS.into(), Value::Object(current));
        Ok(Empty {})
    })
    .await
}

/// ListTagsForResource.
pub async fn list_tags_for_resource(app: &App, input: ResourceInput) -> ApiResult<TagsOutput> {
    let id = pool_of(app, &input.resource_arn)?;
    let pool = load_pool(app, id).await?;
    Ok(TagsOutput {
        tags: tags_of(&pool),
    })
}

fn tags_of(pool: &UserPool) -> Map<String, Value> {
    match pool.passthrough.get(TAGS) {
        Some(Value::Object(tags)) => tags.clone(),
        _ => Map::new(),
    }
}

/// The pool id of a user-pool ARN of this deployment.
fn pool_of<'a>(app: &App, arn: &'a str) -> ApiResult<&'a str> {
    let s = &app.settings;
    tags::resource_id(arn, "cognito-idp", &s.region, &s.account_id, "userpool").ok_or_else(|| {
        ApiError::new(
            crate::error::ErrorKind::ResourceNotFound,
            format!("Resource {arn} does not exist."),
        )
    })
}
