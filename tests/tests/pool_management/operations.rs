//! AddCustomAttributes, TagResource / UntagResource / ListTagsForResource (user pools and
//! identity pools) and GetSigningCertificate through the AWS SDKs, and the version check every
//! pool write goes through: concurrent changes to one pool all land.

use crate::common::{api_error, assert_api_error, attribute, Harness, PASSWORD};
use crate::identity_support::identity_client;
use aws_sdk_cognitoidentityprovider::types::{AttributeDataType, SchemaAttributeType};
use base64::Engine;
use std::collections::HashMap;

fn custom(name: &str) -> SchemaAttributeType {
    SchemaAttributeType::builder()
        .name(name)
        .attribute_data_type(AttributeDataType::String)
        .mutable(true)
        .build()
}

/// User `kim` with `custom:tier`, created without an invitation.
async fn create_kim(h: &Harness, pool: &str, tier: &str) {
    h.idp
        .admin_create_user()
        .user_pool_id(pool)
        .username("kim")
        .temporary_password(PASSWORD)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .user_attributes(attribute("custom:tier", tier))
        .send()
        .await
        .unwrap();
}

async fn schema_names(h: &Harness, pool: &str) -> Vec<String> {
    let described = h
        .idp
        .describe_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap();
    let pool = described.user_pool.expect("UserPool");
    pool.schema_attributes()
        .iter()
        .filter_map(|a| a.name().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn custom_attributes_are_added_once_and_then_usable() {
    let h = Harness::start().await;
    let pool = h.create_pool("custom-attrs").await;
    h.idp
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(custom("tier"))
        .send()
        .await
        .unwrap();
    assert!(schema_names(&h, &pool)
        .await
        .contains(&"custom:tier".into()));

    // A name the schema has: refused, and nothing else in the request is added.
    let again = h
        .idp
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(custom("plan"))
        .custom_attributes(custom("tier"))
        .send()
        .await;
    assert_api_error(
        again,
        "InvalidParameterException",
        "custom:tier: Existing attribute already has name custom:tier.",
    );
    assert!(!schema_names(&h, &pool)
        .await
        .contains(&"custom:plan".into()));

    // Required custom attributes: refused, as in Cognito.
    let required = SchemaAttributeType::builder()
        .name("must")
        .attribute_data_type(AttributeDataType::String)
        .required(true)
        .build();
    let refused = h
        .idp
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(required)
        .send()
        .await;
    assert_api_error(
        refused,
        "InvalidParameterException",
        "Required custom attributes are not supported currently.",
    );

    // The new attribute is part of the schema users are checked against.
    create_kim(&h, &pool, "gold").await;
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("kim")
        .send()
        .await
        .unwrap();
    assert!(user
        .user_attributes()
        .iter()
        .any(|a| a.name() == "custom:tier" && a.value() == Some("gold")));

    let missing = h
        .idp
        .add_custom_attributes()
        .user_pool_id("us-east-1_nothere")
        .custom_attributes(custom("x"))
        .send()
        .await;
    assert_eq!(api_error(missing).code, "ResourceNotFoundException");
    h.shutdown().await;
}

#[tokio::test]
async fn concurrent_changes_to_one_pool_all_land() {
    let h = Harness::start().await;
    let pool = h.create_pool("concurrent").await;
    let arn = pool_arn(&h, &pool).await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (idp, pool, arn) = (h.idp.clone(), pool.clone(), arn.clone());
        tasks.push(tokio::spawn(async move {
            // Alternate two kinds of pool change, so both read-modify-write paths race.
            if i % 2 == 0 {
                idp.tag_resource()
                    .resource_arn(&arn)
                    .tags(format!("k{i}"), "v")
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            } else {
                idp.add_custom_attributes()
                    .user_pool_id(&pool)
                    .custom_attributes(custom(&format!("a{i}")))
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| format!("{e:?}"))
            }
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let tags = h
        .idp
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let keys: Vec<&String> = tags.tags().unwrap().keys().collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
    let names = schema_names(&h, &pool).await;
    for i in [1, 3, 5, 7] {
        assert!(names.contains(&format!("custom:a{i}")), "{names:?}");
    }
    h.shutdown().await;
}

async fn pool_arn(h: &Harness, pool: &str) -> String {
    let described = h
        .idp
        .describe_user_pool()
        .user_pool_id(pool)
        .send()
        .await
        .unwrap();
    described.user_pool.unwrap().arn.unwrap()
}

#[tokio::test]
async fn user_pools_are_tagged_untagged_and_listed() {
    let h = Harness::start().await;
    let pool = h
        .create_pool_with("tagged", |b| b.user_pool_tags("team", "a"))
        .await;
    let id = pool.id().unwrap();
    let arn = pool.arn().unwrap();
    h.idp
        .tag_resource()
        .resource_arn(arn)
        .tags("env", "dev")
        .tags("team", "b")
        .send()
        .await
        .unwrap();
    let listed = h
        .idp
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap();
    let expected: HashMap<String, String> = [("env", "dev"), ("team", "b")]
        .map(|(k, v)| (k.into(), v.into()))
        .into();
    assert_eq!(listed.tags(), Some(&expected));
    h.idp
        .untag_resource()
        .resource_arn(arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let described = h
        .idp
        .describe_user_pool()
        .user_pool_id(id)
        .send()
        .await
        .unwrap();
    let tags = described.user_pool.unwrap().user_pool_tags.unwrap();
    assert_eq!(tags.len(), 1);
    assert_eq!(tags["team"], "b");

    let reserved = h
        .idp
        .tag_resource()
        .resource_arn(arn)
        .tags("aws:owner", "me")
        .send()
        .await;
    assert_api_error(
        reserved,
        "InvalidParameterException",
        "Tag key aws:owner is invalid: the aws: prefix is reserved for AWS use.",
    );
    let elsewhere = arn.replace("us-east-1", "eu-west-1");
    let missing = h
        .idp
        .list_tags_for_resource()
        .resource_arn(&elsewhere)
        .send()
        .await;
    assert_api_error(
        missing,
        "ResourceNotFoundException",
        &format!("Resource {elsewhere} does not exist."),
    );
    let too_many = (0..50).fold(h.idp.tag_resource().resource_arn(arn), |b, i| {
        b.tags(format!("k{i}"), "v")
    });
    assert_api_error(
        too_many.send().await,
        "InvalidParameterException",
        "A resource can have at most 50 tags.",
    );
    h.shutdown().await;
}

#[tokio::test]
async fn identity_pools_are_tagged_untagged_and_listed() {
    let h = Harness::start().await;
    let ci = identity_client(h.url());
    let created = ci
        .create_identity_pool()
        .identity_pool_name("tagged")
        .allow_unauthenticated_identities(true)
        .identity_pool_tags("team", "a")
        .send()
        .await
        .unwrap();
    let arn = format!(
        "arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{}",
        created.identity_pool_id()
    );
    ci.tag_resource()
        .resource_arn(&arn)
        .tags("env", "dev")
        .send()
        .await
        .unwrap();
    ci.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    let listed = ci
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let expected: HashMap<String, String> = [("env".to_string(), "dev".to_string())].into();
    assert_eq!(listed.tags(), Some(&expected));
    let described = ci
        .describe_identity_pool()
        .identity_pool_id(created.identity_pool_id())
        .send()
        .await
        .unwrap();
    assert_eq!(described.identity_pool_tags(), Some(&expected));
    let other = ci
        .list_tags_for_resource()
        .resource_arn(arn.replace(
            created.identity_pool_id(),
            "us-east-1:00000000-0000-0000-0000-000000000000",
        ))
        .send()
        .await;
    assert_eq!(api_error(other).code, "ResourceNotFoundException");
    h.shutdown().await;
}

#[tokio::test]
async fn the_signing_certificate_is_made_once_per_pool() {
    let h = Harness::start().await;
    let pool = h.create_pool("saml-cert").await;
    let cert = |pool: String| {
        let idp = h.idp.clone();
        async move {
            idp.get_signing_certificate()
                .user_pool_id(pool)
                .send()
                .await
                .unwrap()
                .certificate
                .expect("Certificate")
        }
    };
    // Two first requests at once answer the same certificate.
    let (a, b) = tokio::join!(cert(pool.clone()), cert(pool.clone()));
    assert_eq!(a, b);
    assert_eq!(cert(pool.clone()).await, a);
    let der = base64::engine::general_purpose::STANDARD
        .decode(&a)
        .expect("base64 DER");
    assert_eq!(der[0], 0x30, "an X.509 certificate is a DER SEQUENCE");
    assert!(
        der.windows(pool.len()).any(|w| w == pool.as_bytes()),
        "the subject names the pool"
    );
    let other = h.create_pool("saml-cert-2").await;
    assert_ne!(cert(other).await, a, "each pool has its own key");
    let missing = h
        .idp
        .get_signing_certificate()
        .user_pool_id("us-east-1_nothere")
        .send()
        .await;
    assert_eq!(api_error(missing).code, "ResourceNotFoundException");
    h.shutdown().await;
}

#[tokio::test]
async fn custom_attributes_change_safely_through_the_schema_extension() {
    let h = Harness::start().await;
    let pool = h.create_pool("schema-ext").await;
    let fixed = SchemaAttributeType::builder()
        .name("tier")
        .attribute_data_type(AttributeDataType::String)
        .mutable(false)
        .build();
    h.idp
        .add_custom_attributes()
        .user_pool_id(&pool)
        .custom_attributes(fixed)
        .send()
        .await
        .unwrap();
    create_kim(&h, &pool, "platinum").await;
    let update = |body: serde_json::Value| {
        let h = &h;
        async move { h.raw_call("UpdateUserPool", body.to_string()).await }
    };
    // Constraints the stored value breaks: refused, naming the user, nothing changed.
    let (status, body) = update(serde_json::json!({"UserPoolId": pool, "Schema": [
        {"Name": "tier", "StringAttributeConstraints": {"MaxLength": "4"}}]}))
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["__type"], "InvalidParameterException");
    assert!(
        body["message"].as_str().unwrap().contains("user kim"),
        "{body}"
    );
    let attr = |names: &aws_sdk_cognitoidentityprovider::operation::describe_user_pool::DescribeUserPoolOutput| {
        names
            .user_pool()
            .unwrap()
            .schema_attributes()
            .iter()
            .find(|a| a.name() == Some("custom:tier"))
            .cloned()
            .unwrap()
    };
    let describe = || h.idp.describe_user_pool().user_pool_id(&pool).send();
    let before = describe().await.unwrap();
    assert_eq!(attr(&before).mutable(), Some(false));

    // Schema alone: the attribute becomes mutable, and the pool's other settings stay.
    let policy_before = before.user_pool().unwrap().policies().cloned();
    let (status, body) = update(serde_json::json!({"UserPoolId": pool, "Schema": [
        {"Name": "custom:tier", "Mutable": true,
         "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"}}]}))
    .await;
    assert_eq!(status, 200, "{body}");
    let after = describe().await.unwrap();
    assert_eq!(attr(&after).mutable(), Some(true));
    assert_eq!(
        after.user_pool().unwrap().policies().cloned(),
        policy_before
    );
    h.idp
        .admin_update_user_attributes()
        .user_pool_id(&pool)
        .username("kim")
        .user_attributes(attribute("custom:tier", "gold"))
        .send()
        .await
        .unwrap();

    // What stays as created.
    for (change, message) in [
        (
            serde_json::json!({"Name": "tier", "AttributeDataType": "Number"}),
            "The data type of custom:tier cannot change after creation.",
        ),
        (
            serde_json::json!({"Name": "email", "Mutable": false}),
            "email is a standard attribute: only custom attributes can change after creation.",
        ),
    ] {
        let (status, body) =
            update(serde_json::json!({"UserPoolId": pool, "Schema": [change]})).await;
        assert_eq!(
            (status, body["message"].as_str()),
            (400, Some(message)),
            "{body}"
        );
    }
    // Cognito's newest members are refused, not silently dropped.
    let (status, body) = update(serde_json::json!({"UserPoolId": pool,
        "KeyConfiguration": {"KeyType": "AWS_OWNED_KEY"}}))
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Latchkey does not support KeyConfiguration yet."
    );
    h.shutdown().await;
}
