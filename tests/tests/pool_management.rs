//! Pool and app-client management through the AWS SDK: CreateUserPool, DescribeUserPool,
//! ListUserPools, CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients and the
//! deletes, with the echoed settings and the Cognito ID formats; UpdateUserPool,
//! UpdateUserPoolClient and the clients' OAuth settings in [`updates`].

use crate::common;

mod operations;
mod updates;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, ExplicitAuthFlowsType, PasswordPolicyType, SchemaAttributeType,
    StringAttributeConstraintsType, TimeUnitsType, TokenValidityUnitsType, UserPoolPolicyType,
    VerifiedAttributeType,
};
use common::{assert_api_error, Harness};

fn strict_policy() -> UserPoolPolicyType {
    let password = PasswordPolicyType::builder()
        .minimum_length(10)
        .require_uppercase(true)
        .require_lowercase(true)
        .require_numbers(true)
        .require_symbols(true)
        .temporary_password_validity_days(7)
        .build();
    UserPoolPolicyType::builder()
        .password_policy(password)
        .build()
}

fn tier_attribute() -> SchemaAttributeType {
    let limits = StringAttributeConstraintsType::builder()
        .min_length("1")
        .max_length("32")
        .build();
    SchemaAttributeType::builder()
        .name("tier")
        .attribute_data_type(AttributeDataType::String)
        .mutable(true)
        .string_attribute_constraints(limits)
        .build()
}

fn minutes_minutes_days() -> TokenValidityUnitsType {
    TokenValidityUnitsType::builder()
        .access_token(TimeUnitsType::Minutes)
        .id_token(TimeUnitsType::Minutes)
        .refresh_token(TimeUnitsType::Days)
        .build()
}

fn is_pool_id(id: &str) -> bool {
    id.strip_prefix("us-east-1_")
        .is_some_and(|rest| rest.len() == 9 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[tokio::test]
async fn pools_and_clients_are_created_described_and_listed() {
    let h = Harness::start().await;
    let created = h
        .create_pool_with("loop-pool", |b| {
            b.policies(strict_policy()).schema(tier_attribute())
        })
        .await;
    let pool = created.id().expect("Id").to_owned();
    assert!(is_pool_id(&pool), "pool id {pool}");
    assert_eq!(created.name(), Some("loop-pool"));

    let described = h
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let up = described.user_pool().expect("UserPool");
    assert_eq!(up.id(), Some(pool.as_str()));
    assert_eq!(up.name(), Some("loop-pool"));
    let arn = up.arn().expect("Arn");
    assert!(arn.starts_with("arn:aws:cognito-idp:us-east-1:"), "{arn}");
    assert!(arn.ends_with(&format!(":userpool/{pool}")), "{arn}");
    assert_eq!(
        up.auto_verified_attributes(),
        [VerifiedAttributeType::Email]
    );
    let policy = up
        .policies()
        .and_then(|p| p.password_policy())
        .expect("PasswordPolicy");
    assert_eq!(policy.minimum_length(), Some(10));
    assert!(
        policy.require_uppercase() && policy.require_lowercase(),
        "{policy:?}"
    );
    assert!(
        policy.require_numbers() && policy.require_symbols(),
        "{policy:?}"
    );
    let schema = up.schema_attributes();
    let tier = schema
        .iter()
        .find(|s| s.name() == Some("custom:tier"))
        .expect("custom:tier");
    assert_eq!(tier.attribute_data_type(), Some(&AttributeDataType::String));
    assert!(
        schema.iter().any(|s| s.name() == Some("sub")),
        "standard attributes listed"
    );
    assert!(
        schema.iter().any(|s| s.name() == Some("email")),
        "standard attributes listed"
    );

    let pools = h
        .idp
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    let listed = pools
        .user_pools()
        .iter()
        .find(|p| p.id() == Some(pool.as_str()))
        .expect("listed");
    assert_eq!(listed.name(), Some("loop-pool"));
    let default_pool = h.server.default_pool_id.as_str();
    assert!(
        pools
            .user_pools()
            .iter()
            .any(|p| p.id() == Some(default_pool)),
        "default pool listed"
    );

    let client = h
        .create_client_with(&pool, |b| {
            b.client_name("loop-client")
                .access_token_validity(60)
                .id_token_validity(60)
                .refresh_token_validity(30)
                .token_validity_units(minutes_minutes_days())
        })
        .await;
    let client_id = client.client_id().expect("ClientId").to_owned();
    assert_eq!(client_id.len(), 26, "{client_id}");
    assert!(
        client_id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{client_id}"
    );
    assert_eq!(
        client.client_secret(),
        None,
        "no secret unless GenerateSecret"
    );
    assert_eq!(client.user_pool_id(), Some(pool.as_str()));
    assert_eq!(client.token_validity_units(), Some(&minutes_minutes_days()));
    assert_eq!(client.access_token_validity(), Some(60));
    assert_eq!(client.id_token_validity(), Some(60));
    assert_eq!(client.refresh_token_validity(), 30);

    let described = h
        .idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .send()
        .await
        .unwrap();
    let dc = described.user_pool_client().expect("UserPoolClient");
    assert_eq!(dc.client_id(), Some(client_id.as_str()));
    assert_eq!(dc.client_name(), Some("loop-client"));
    assert_eq!(dc.token_validity_units(), Some(&minutes_minutes_days()));
    let mut flows: Vec<&str> = dc
        .explicit_auth_flows()
        .iter()
        .map(|f| f.as_str())
        .collect();
    flows.sort_unstable();
    let expected = [
        ExplicitAuthFlowsType::AllowAdminUserPasswordAuth,
        ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        ExplicitAuthFlowsType::AllowUserPasswordAuth,
    ];
    assert_eq!(
        flows,
        expected.iter().map(|f| f.as_str()).collect::<Vec<_>>()
    );

    let clients = h
        .idp
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(60)
        .send()
        .await
        .unwrap();
    let listed = clients.user_pool_clients();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].client_id(), Some(client_id.as_str()));
    assert_eq!(listed[0].client_name(), Some("loop-client"));
}

#[tokio::test]
async fn deleting_client_and_pool_makes_them_unknown() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;

    h.idp
        .delete_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    let gone = h
        .idp
        .describe_user_pool_client()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await;
    assert_api_error(
        gone,
        "ResourceNotFoundException",
        &format!("User pool client {client} does not exist."),
    );
    let clients = h
        .idp
        .list_user_pool_clients()
        .user_pool_id(&pool)
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(clients.user_pool_clients().is_empty());

    h.idp
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let gone = h.idp.describe_user_pool().user_pool_id(&pool).send().await;
    assert_api_error(
        gone,
        "ResourceNotFoundException",
        &format!("User pool {pool} does not exist."),
    );
    let pools = h
        .idp
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert!(
        pools
            .user_pools()
            .iter()
            .all(|p| p.id() != Some(pool.as_str())),
        "deleted pool not listed"
    );
}
