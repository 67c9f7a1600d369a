//! The OAuth front door's settings through the AWS SDK: resource servers (custom scopes), pool
//! domains (prefix and custom, one pool per name, DescribeUserPool's `Domain`/`CustomDomain`,
//! DeleteUserPool refused while a domain exists) and UI customization (checked CSS, PNG/JPEG
//! logos as `data:` URLs, a client falling back to the pool's `ALL` setting).

use crate::common;

use aws_sdk_cognitoidentityprovider::primitives::Blob;
use aws_sdk_cognitoidentityprovider::types::{CustomDomainConfigType, ResourceServerScopeType};
use common::{assert_api_error, Harness};

fn scope(name: &str) -> ResourceServerScopeType {
    ResourceServerScopeType::builder()
        .scope_name(name)
        .scope_description(format!("{name} things"))
        .build()
        .unwrap()
}

fn certificate() -> CustomDomainConfigType {
    CustomDomainConfigType::builder()
        .certificate_arn("arn:aws:acm:us-east-1:123456789012:certificate/abc-123")
        .build()
        .unwrap()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

#[tokio::test]
async fn resource_servers_are_created_listed_updated_and_deleted() {
    let h = Harness::start().await;
    let pool = h.create_pool("rs-pool").await;
    let created = h
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("https://orders.example.com")
        .name("Orders API")
        .scopes(scope("read"))
        .scopes(scope("write"))
        .send()
        .await
        .unwrap();
    let rs = created.resource_server().unwrap();
    assert_eq!(rs.user_pool_id(), Some(pool.as_str()));
    assert_eq!(rs.identifier(), Some("https://orders.example.com"));
    assert_eq!(rs.name(), Some("Orders API"));
    let names: Vec<_> = rs.scopes().iter().map(|s| s.scope_name()).collect();
    assert_eq!(names, ["read", "write"]);

    assert_api_error(
        h.idp
            .create_resource_server()
            .user_pool_id(&pool)
            .identifier("https://orders.example.com")
            .name("Again")
            .send()
            .await,
        "InvalidParameterException",
        &format!("https://orders.example.com already exists in user pool {pool}."),
    );
    h.idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("billing")
        .name("Billing")
        .send()
        .await
        .unwrap();

    let first = h
        .idp
        .list_resource_servers()
        .user_pool_id(&pool)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.resource_servers()[0].identifier(), Some("billing"));
    let second = h
        .idp
        .list_resource_servers()
        .user_pool_id(&pool)
        .max_results(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.resource_servers()[0].identifier(),
        Some("https://orders.example.com")
    );
    assert!(second.next_token().is_none());

    // Update replaces the whole scope list.
    h.idp
        .update_resource_server()
        .user_pool_id(&pool)
        .identifier("billing")
        .name("Billing v2")
        .scopes(scope("pay"))
        .send()
        .await
        .unwrap();
    let described = h
        .idp
        .describe_resource_server()
        .user_pool_id(&pool)
        .identifier("billing")
        .send()
        .await
        .unwrap();
    let rs = described.resource_server().unwrap();
    assert_eq!(rs.name(), Some("Billing v2"));
    assert_eq!(rs.scopes().len(), 1);
    assert_eq!(rs.scopes()[0].scope_description(), "pay things");

    h.idp
        .delete_resource_server()
        .user_pool_id(&pool)
        .identifier("billing")
        .send()
        .await
        .unwrap();
    assert_api_error(
        h.idp
            .describe_resource_server()
            .user_pool_id(&pool)
            .identifier("billing")
            .send()
            .await,
        "ResourceNotFoundException",
        "Resource server billing does not exist.",
    );
    assert_api_error(
        h.idp
            .list_resource_servers()
            .user_pool_id("us-east-1_nope")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool us-east-1_nope does not exist.",
    );
}

#[tokio::test]
async fn resource_server_inputs_follow_cognitos_model() {
    let h = Harness::start().await;
    let pool = h.create_pool("rs-limits").await;
    let mut too_many = h
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("api")
        .name("api");
    for i in 0..101 {
        too_many = too_many.scopes(scope(&format!("s{i}")));
    }
    let err = too_many.send().await.unwrap_err();
    assert_eq!(
        err.as_service_error().and_then(|e| e.meta().code()),
        Some("InvalidParameterException")
    );
    // A scope name may not contain `/` (it separates the identifier in `<id>/<scope>`).
    let err = h
        .idp
        .create_resource_server()
        .user_pool_id(&pool)
        .identifier("api")
        .name("api")
        .scopes(scope("a/b"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.as_service_error().and_then(|e| e.meta().code()),
        Some("InvalidParameterException")
    );
}

#[tokio::test]
async fn a_domain_belongs_to_one_pool_and_shows_in_describe_user_pool() {
    let h = Harness::start().await;
    let pool = h.create_pool("domain-a").await;
    let other = h.create_pool("domain-b").await;
    let created = h
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("shop-auth")
        .send()
        .await
        .unwrap();
    assert_eq!(created.managed_login_version(), Some(1));
    assert_api_error(
        h.idp
            .create_user_pool_domain()
            .user_pool_id(&other)
            .domain("shop-auth")
            .send()
            .await,
        "InvalidParameterException",
        "Domain already associated with another user pool.",
    );
    assert_api_error(
        h.idp
            .create_user_pool_domain()
            .user_pool_id(&pool)
            .domain("shop-auth-2")
            .send()
            .await,
        "InvalidParameterException",
        "User pool already has a domain configured.",
    );
    let custom = h
        .idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("auth.shop.example.com")
        .custom_domain_config(certificate())
        .send()
        .await
        .unwrap();
    assert!(custom
        .cloud_front_domain()
        .is_some_and(|d| d.ends_with(".cloudfront.net")));

    let described = h
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let up = described.user_pool().unwrap();
    assert_eq!(up.domain(), Some("shop-auth"));
    assert_eq!(up.custom_domain(), Some("auth.shop.example.com"));

    h.idp
        .update_user_pool_domain()
        .user_pool_id(&pool)
        .domain("shop-auth")
        .managed_login_version(2)
        .send()
        .await
        .unwrap();
    let d = h
        .idp
        .describe_user_pool_domain()
        .domain("shop-auth")
        .send()
        .await
        .unwrap();
    let d = d.domain_description().unwrap();
    assert_eq!(d.user_pool_id(), Some(pool.as_str()));
    assert_eq!(d.domain(), Some("shop-auth"));
    assert_eq!(d.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(d.managed_login_version(), Some(2));
    assert_eq!(d.aws_account_id().map(str::len), Some(12));
    let c = h
        .idp
        .describe_user_pool_domain()
        .domain("auth.shop.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.domain_description()
            .and_then(|d| d.custom_domain_config())
            .map(|c| c.certificate_arn()),
        Some("arn:aws:acm:us-east-1:123456789012:certificate/abc-123")
    );

    assert_api_error(
        h.idp.delete_user_pool().user_pool_id(&pool).send().await,
        "InvalidParameterException",
        "User pool cannot be deleted. It has a domain configured that should be deleted first.",
    );
    assert_api_error(
        h.idp
            .delete_user_pool_domain()
            .user_pool_id(&other)
            .domain("shop-auth")
            .send()
            .await,
        "InvalidParameterException",
        "No such domain or user pool exists.",
    );
    for name in ["shop-auth", "auth.shop.example.com"] {
        h.idp
            .delete_user_pool_domain()
            .user_pool_id(&pool)
            .domain(name)
            .send()
            .await
            .unwrap();
    }
    let gone = h
        .idp
        .describe_user_pool_domain()
        .domain("shop-auth")
        .send()
        .await
        .unwrap();
    assert!(gone.domain_description().unwrap().user_pool_id().is_none());
    // The released name is free for another pool, and the pool can now be deleted.
    h.idp
        .create_user_pool_domain()
        .user_pool_id(&other)
        .domain("shop-auth")
        .send()
        .await
        .unwrap();
    h.idp
        .delete_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_prefix_domain_is_one_lower_case_label() {
    let h = Harness::start().await;
    let pool = h.create_pool("domain-form").await;
    assert_api_error(
        h.idp
            .create_user_pool_domain()
            .user_pool_id(&pool)
            .domain("shop.example.com")
            .send()
            .await,
        "InvalidParameterException",
        "The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$",
    );
}

#[tokio::test]
async fn ui_customization_falls_back_to_the_pools_setting() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let css = ".submitButton-customizable { background-color: #ff9900; }";
    assert_api_error(
        h.idp
            .set_ui_customization()
            .user_pool_id(&pool)
            .css(css)
            .send()
            .await,
        "InvalidParameterException",
        "A domain must be associated with this user pool.",
    );
    h.idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("ui-shop")
        .send()
        .await
        .unwrap();
    let set = h
        .idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .css(css)
        .image_file(Blob::new(PNG))
        .send()
        .await
        .unwrap();
    let all = set.ui_customization().unwrap();
    assert_eq!(all.client_id(), Some("ALL"));
    assert!(all
        .image_url()
        .is_some_and(|u| u.starts_with("data:image/png;base64,iVBORw0KGgo")));
    assert!(all.creation_date().is_some() && all.css_version().is_some());

    // A client without its own setting gets the pool's.
    let got = h
        .idp
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    let got = got.ui_customization().unwrap();
    assert_eq!((got.client_id(), got.css()), (Some("ALL"), Some(css)));

    let own = ".label-customizable { font-weight: 700; }";
    h.idp
        .set_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .css(own)
        .send()
        .await
        .unwrap();
    let got = h
        .idp
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    let got = got.ui_customization().unwrap();
    assert_eq!(got.client_id(), Some(client.as_str()));
    assert_eq!(got.css(), Some(own));
    assert!(got.image_url().is_none());
}

#[tokio::test]
async fn ui_customization_refuses_css_that_loads_and_odd_images() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    h.idp
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("ui-strict")
        .send()
        .await
        .unwrap();
    for css in [
        "body { color: red; }",
        "@import url(https://evil.example/x.css);",
        ".banner-customizable { background: url(https://evil.example/x.png); }",
    ] {
        let err = h
            .idp
            .set_ui_customization()
            .user_pool_id(&pool)
            .css(css)
            .send()
            .await
            .unwrap_err();
        assert_eq!(
            err.as_service_error().and_then(|e| e.meta().code()),
            Some("InvalidParameterException"),
            "{css}"
        );
    }
    assert_api_error(
        h.idp
            .set_ui_customization()
            .user_pool_id(&pool)
            .image_file(Blob::new(&b"GIF89a...."[..]))
            .send()
            .await,
        "InvalidParameterException",
        "The image file must be a PNG or JPEG image.",
    );
    let mut big = PNG.to_vec();
    big.resize(100 * 1024 + 1, 0);
    assert_api_error(
        h.idp
            .set_ui_customization()
            .user_pool_id(&pool)
            .image_file(Blob::new(big))
            .send()
            .await,
        "InvalidParameterException",
        "The image file is larger than the maximum size of 100 KB.",
    );
    assert_api_error(
        h.idp
            .set_ui_customization()
            .user_pool_id(&pool)
            .client_id("nosuchclient")
            .css(".label-customizable { color: red; }")
            .send()
            .await,
        "ResourceNotFoundException",
        "User pool client nosuchclient does not exist.",
    );
    // Nothing refused was stored.
    let got = h
        .idp
        .get_ui_customization()
        .user_pool_id(&pool)
        .client_id(&client)
        .send()
        .await
        .unwrap();
    assert!(got.ui_customization().unwrap().css().is_none());
}
