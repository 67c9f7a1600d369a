//! Resource tags, shared by both services' TagResource, UntagResource and ListTagsForResource:
//! their request and reply shapes, Cognito's rules (at most 50 tags, no `aws:` keys), and
//! reading a resource id out of its ARN. Each service keeps the tags on its own record.

use crate::error::{ApiError, ApiResult};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Most tags one resource may have.
pub const MAX_TAGS: usize = 50;

/// TagResource's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagResourceInput {
    /// The tagged resource.
    pub resource_arn: String,
    /// Tags to add or overwrite.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// UntagResource's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UntagResourceInput {
    /// The tagged resource.
    pub resource_arn: String,
    /// Keys to remove (absent keys are ignored).
    #[serde(default)]
    pub tag_keys: Vec<String>,
}

/// ListTagsForResource's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceInput {
    /// The tagged resource.
    pub resource_arn: String,
}

/// ListTagsForResource's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagsOutput {
    /// The resource's tags.
    pub tags: Map<String, Value>,
}

/// Adds `add` to `tags` (a key already there takes the new value). Keys starting with `aws:`
/// are AWS's; more than [`MAX_TAGS`] in all is refused. Either way `tags` is unchanged on error.
pub fn tag(tags: &mut Map<String, Value>, add: &BTreeMap<String, String>) -> ApiResult<()> {
    if let Some(reserved) = add
        .keys()
        .find(|k| k.to_ascii_lowercase().starts_with("aws:"))
    {
        return Err(ApiError::invalid(format!(
            "Tag key {reserved} is invalid: the aws: prefix is reserved for AWS use."
        )));
    }
    let total = tags.len() + add.keys().filter(|k| !tags.contains_key(*k)).count();
    if total > MAX_TAGS {
        return Err(ApiError::invalid(format!(
            "A resource can have at most {MAX_TAGS} tags."
        )));
    }
    for (k, v) in add {
        tags.insert(k.clone(), Value::String(v.clone()));
    }
    Ok(())
}

/// Removes `keys` from `tags`.
pub fn untag(tags: &mut Map<String, Value>, keys: &[String]) {
    for k in keys {
        tags.remove(k);
    }
}

/// The id in `arn:aws:<service>:<region>:<account>:<kind>/<id>`, when `arn` names a resource of
/// that kind in this deployment's region and account.
pub fn resource_id<'a>(
    arn: &'a str,
    service: &str,
    region: &str,
    account: &str,
    kind: &str,
) -> Option<&'a str> {
    let prefix = format!("arn:aws:{service}:{region}:{account}:{kind}/");
    arn.strip_prefix(&prefix).filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tags_merge_and_respect_the_limit() {
        let mut tags = Map::new();
        tag(&mut tags, &map(&[("team", "a"), ("env", "dev")])).unwrap();
        tag(&mut tags, &map(&[("team", "b")])).unwrap();
        assert_eq!(tags["team"], "b");
        assert_eq!(tags.len(), 2);
        let many: BTreeMap<String, String> =
            (0..49).map(|i| (format!("k{i}"), "v".into())).collect();
        let before = tags.clone();
        assert!(tag(&mut tags, &many).is_err());
        assert_eq!(
            tags, before,
            "a refused change leaves the tags as they were"
        );
        assert!(tag(&mut tags, &map(&[("aws:x", "v")])).is_err());
        untag(&mut tags, &["env".into(), "missing".into()]);
        assert_eq!(tags.len(), 1);
    }

    #[test]
    fn resource_ids_come_only_from_this_deployment() {
        let arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc";
        let id = resource_id(arn, "cognito-idp", "us-east-1", "000000000000", "userpool");
        assert_eq!(id, Some("us-east-1_abc"));
        assert_eq!(
            resource_id(arn, "cognito-idp", "eu-west-1", "000000000000", "userpool"),
            None
        );
        assert_eq!(
            resource_id(
                arn,
                "cognito-identity",
                "us-east-1",
                "000000000000",
                "identitypool"
            ),
            None
        );
    }
}
