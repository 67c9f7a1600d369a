//! Social logins in `SupportedLoginProviders` through `aws-sdk-cognitoidentity`: Google and
//! Apple ID tokens checked as OIDC against the issuer's JWKS (the issuers are played on
//! loopback by `OidcIssuer`, reached through `LATCHKEY_PROVIDER_ENDPOINTS`, while tokens keep
//! the real issuer names), Facebook and Login with Amazon access tokens checked by asking the
//! provider (played by `SocialProviders`). Each refusal is its own test: wrong audience,
//! expired, forged, another app's token, unknown token.

use crate::identity_support;

use identity_support::oidc::{tampered, OidcIssuer};
use identity_support::providers::SocialProviders;
use identity_support::{assert_refused, Env};
use latchkey_server::ServerOptions;
use serde_json::json;

const GOOGLE: &str = "accounts.google.com";
const APPLE: &str = "appleid.apple.com";
const FACEBOOK: &str = "graph.facebook.com";
const AMAZON: &str = "www.amazon.com";
const GOOGLE_CLIENT: &str = "1234-web.apps.googleusercontent.com";
const APPLE_CLIENT: &str = "com.example.app";
const FB_APP: &str = "1000000001";
const AMAZON_APP: &str = "amzn1.application.0123456789abcdef";
const AMAZON_CLIENT: &str = "amzn1.application-oa2-client.0123456789abcdef";
const NA: &str = "NotAuthorizedException";

/// A server whose provider endpoints point at the players, and a pool trusting all four.
struct Social {
    env: Env,
    google: OidcIssuer,
    apple: OidcIssuer,
    providers: SocialProviders,
    pool: String,
}

impl Social {
    async fn start() -> Self {
        let (google, apple) = (OidcIssuer::start().await, OidcIssuer::start().await);
        let providers = SocialProviders::start().await;
        let opts = ServerOptions {
            provider_endpoints: providers.endpoints(&google.issuer, &apple.issuer),
            ..ServerOptions::in_memory()
        };
        let env = Env::start_with(opts).await;
        let pool = env
            .create_pool("social", false, |b| {
                b.supported_login_providers(GOOGLE, GOOGLE_CLIENT)
                    .supported_login_providers(APPLE, APPLE_CLIENT)
                    .supported_login_providers(FACEBOOK, FB_APP)
                    .supported_login_providers(AMAZON, AMAZON_APP)
            })
            .await;
        Self {
            env,
            google,
            apple,
            providers,
            pool,
        }
    }

    /// An ID token of `player` claiming issuer `iss`.
    fn id_token(player: &OidcIssuer, iss: &str, sub: &str, aud: &str) -> String {
        let mut claims = player.claims(sub, aud);
        claims.insert("iss".into(), json!(iss));
        player.sign(&claims)
    }

    async fn get_id(&self, provider: &str, token: &str) -> String {
        self.env.identity(&self.pool, &[(provider, token)]).await
    }

    async fn refused(&self, provider: &str, token: &str, message: &str) {
        let res = self.env.get_id(&self.pool, &[(provider, token)]).await;
        assert_refused(res, NA, message);
    }
}

#[tokio::test]
async fn google_id_tokens_map_by_subject_with_either_issuer_form() {
    let s = Social::start().await;
    let t = Social::id_token(
        &s.google,
        "https://accounts.google.com",
        "g-1",
        GOOGLE_CLIENT,
    );
    let id = s.get_id(GOOGLE, &t).await;
    // Google also issues the bare issuer form.
    let bare = Social::id_token(&s.google, "accounts.google.com", "g-1", GOOGLE_CLIENT);
    assert_eq!(s.get_id(GOOGLE, &bare).await, id);
    let other = Social::id_token(
        &s.google,
        "https://accounts.google.com",
        "g-2",
        GOOGLE_CLIENT,
    );
    assert_ne!(s.get_id(GOOGLE, &other).await, id);
    let d = s.env.ci.describe_identity().identity_id(&id).send().await;
    assert_eq!(d.expect("DescribeIdentity").logins(), [GOOGLE]);
    let claims = s
        .env
        .verified_open_id_token(&s.pool, &id, &[(GOOGLE, &t)])
        .await;
    assert_eq!(claims["amr"][1], GOOGLE);
    assert_eq!(claims["amr"][2], "accounts.google.com:CognitoSignIn:g-1");
}

#[tokio::test]
async fn google_token_for_another_client_is_refused() {
    let s = Social::start().await;
    let t = Social::id_token(&s.google, "https://accounts.google.com", "g-1", "not-ours");
    s.refused(GOOGLE, &t, "Invalid login token. Invalid audience.")
        .await;
}

#[tokio::test]
async fn google_token_with_a_foreign_issuer_is_refused() {
    let s = Social::start().await;
    let t = Social::id_token(&s.google, "https://evil.example", "g-1", GOOGLE_CLIENT);
    s.refused(
        GOOGLE,
        &t,
        "Invalid login token. Issuer doesn't match providerName",
    )
    .await;
}

#[tokio::test]
async fn expired_google_token_is_refused() {
    let s = Social::start().await;
    let mut claims = s.google.claims("g-1", GOOGLE_CLIENT);
    claims.insert("iss".into(), json!("https://accounts.google.com"));
    claims.insert("exp".into(), json!(1_000));
    let t = s.google.sign(&claims);
    s.refused(GOOGLE, &t, "Invalid login token. Token expired: 1000 >= ")
        .await;
}

#[tokio::test]
async fn forged_google_token_is_refused() {
    let s = Social::start().await;
    let t = Social::id_token(
        &s.google,
        "https://accounts.google.com",
        "g-1",
        GOOGLE_CLIENT,
    );
    let mut claims = s.google.claims("someone-else", GOOGLE_CLIENT);
    claims.insert("iss".into(), json!("https://accounts.google.com"));
    s.refused(GOOGLE, &tampered(&t, &claims), "Invalid login token.")
        .await;
    // Signed by Apple's key, claiming Google: Google's JWKS does not have that key.
    let wrong_key = Social::id_token(
        &s.apple,
        "https://accounts.google.com",
        "g-1",
        GOOGLE_CLIENT,
    );
    s.refused(GOOGLE, &wrong_key, "Invalid login token.").await;
}

#[tokio::test]
async fn apple_id_tokens_are_verified_against_apples_keys() {
    let s = Social::start().await;
    let t = Social::id_token(&s.apple, "https://appleid.apple.com", "a.1", APPLE_CLIENT);
    let id = s.get_id(APPLE, &t).await;
    let again = Social::id_token(&s.apple, "https://appleid.apple.com", "a.1", APPLE_CLIENT);
    assert_eq!(s.get_id(APPLE, &again).await, id);
    let foreign = Social::id_token(&s.apple, "https://appleid.apple.com", "a.1", "com.other");
    s.refused(APPLE, &foreign, "Invalid login token. Invalid audience.")
        .await;
}

#[tokio::test]
async fn facebook_tokens_of_the_configured_app_map_by_user_id() {
    let s = Social::start().await;
    let t = s
        .providers
        .facebook("fb-token-1", FB_APP, "10150000001", 3600);
    let id = s.get_id(FACEBOOK, &t).await;
    let t2 = s
        .providers
        .facebook("fb-token-2", FB_APP, "10150000001", 3600);
    assert_eq!(s.get_id(FACEBOOK, &t2).await, id, "same Facebook user");
    let other = s
        .providers
        .facebook("fb-token-3", FB_APP, "10150000002", 3600);
    assert_ne!(s.get_id(FACEBOOK, &other).await, id);
    let d = s.env.ci.describe_identity().identity_id(&id).send().await;
    assert_eq!(d.expect("DescribeIdentity").logins(), [FACEBOOK]);
    let claims = s
        .env
        .verified_open_id_token(&s.pool, &id, &[(FACEBOOK, &t)])
        .await;
    assert_eq!(
        claims["amr"],
        json!([
            "authenticated",
            FACEBOOK,
            "graph.facebook.com:CognitoSignIn:10150000001"
        ])
    );
    assert!(s.providers.requests() >= 2);
}

#[tokio::test]
async fn facebook_token_of_another_app_is_refused() {
    let s = Social::start().await;
    let t = s
        .providers
        .facebook("fb-other-app", "2000000002", "10150000001", 3600);
    s.refused(FACEBOOK, &t, "Invalid login token. Invalid audience.")
        .await;
}

#[tokio::test]
async fn unknown_or_expired_facebook_tokens_are_refused() {
    let s = Social::start().await;
    s.refused(FACEBOOK, "never-issued", "Invalid login token.")
        .await;
    let expired = s.providers.facebook("fb-expired", FB_APP, "10150000001", 0);
    s.refused(FACEBOOK, &expired, "Invalid login token.").await;
}

#[tokio::test]
async fn login_with_amazon_tokens_map_by_user_id() {
    let s = Social::start().await;
    let user = "amzn1.account.AAAABBBBCCCC";
    let t = s
        .providers
        .amazon("Atza|one", AMAZON_APP, AMAZON_CLIENT, user, 3600);
    let id = s.get_id(AMAZON, &t).await;
    let t2 = s
        .providers
        .amazon("Atza|two", AMAZON_APP, AMAZON_CLIENT, user, 3600);
    assert_eq!(s.get_id(AMAZON, &t2).await, id);
    let claims = s
        .env
        .verified_open_id_token(&s.pool, &id, &[(AMAZON, &t)])
        .await;
    assert_eq!(
        claims["amr"][2],
        format!("www.amazon.com:CognitoSignIn:{user}")
    );
}

#[tokio::test]
async fn login_with_amazon_token_of_another_app_is_refused() {
    let s = Social::start().await;
    let t = s.providers.amazon(
        "Atza|other",
        "amzn1.application.other",
        "amzn1.application-oa2-client.other",
        "amzn1.account.X",
        3600,
    );
    s.refused(AMAZON, &t, "Invalid login token. Invalid audience.")
        .await;
}

#[tokio::test]
async fn unknown_or_expired_login_with_amazon_tokens_are_refused() {
    let s = Social::start().await;
    s.refused(AMAZON, "Atza|never-issued", "Invalid login token.")
        .await;
    let expired = s.providers.amazon(
        "Atza|expired",
        AMAZON_APP,
        AMAZON_CLIENT,
        "amzn1.account.X",
        0,
    );
    s.refused(AMAZON, &expired, "Invalid login token.").await;
}

#[tokio::test]
async fn a_provider_the_pool_does_not_support_is_refused() {
    let s = Social::start().await;
    let pool = s.env.create_pool("google_only", false, |b| {
        b.supported_login_providers(GOOGLE, GOOGLE_CLIENT)
    });
    let pool = pool.await;
    let t = s.providers.facebook("fb-token-x", FB_APP, "1", 3600);
    let res = s.env.get_id(&pool, &[(FACEBOOK, &t)]).await;
    assert_refused(
        res,
        NA,
        "Token is not from a supported provider of this identity pool.",
    );
    assert_eq!(
        s.providers.requests(),
        0,
        "nothing asked of an unsupported provider"
    );
}

#[tokio::test]
async fn facebook_and_amazon_default_principal_tags_reach_the_open_id_token() {
    let s = Social::start().await;
    for provider in [FACEBOOK, AMAZON] {
        s.env
            .ci
            .set_principal_tag_attribute_map()
            .identity_pool_id(&s.pool)
            .identity_provider_name(provider)
            .use_defaults(true)
            .send()
            .await
            .expect("SetPrincipalTagAttributeMap");
    }
    let fb = s.providers.facebook("fb-tags", FB_APP, "10150000007", 3600);
    let id = s.get_id(FACEBOOK, &fb).await;
    let c = s
        .env
        .verified_open_id_token(&s.pool, &id, &[(FACEBOOK, &fb)])
        .await;
    assert_eq!(
        c["https://aws.amazon.com/tags"]["principal_tags"],
        json!({"user_id": ["10150000007"], "app_id": [FB_APP]})
    );
    let user = "amzn1.account.TAGS";
    let lwa = s
        .providers
        .amazon("Atza|tags", AMAZON_APP, AMAZON_CLIENT, user, 3600);
    let id = s.get_id(AMAZON, &lwa).await;
    let c = s
        .env
        .verified_open_id_token(&s.pool, &id, &[(AMAZON, &lwa)])
        .await;
    assert_eq!(
        c["https://aws.amazon.com/tags"]["principal_tags"],
        json!({"user_id": [user], "app_id": [AMAZON_CLIENT]})
    );
}
