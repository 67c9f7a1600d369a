//! Sign-up confirmation by link (`DefaultEmailOption: CONFIRM_WITH_LINK`): the email carries
//! the pool's EmailMessageByLink with its `{##text##}` made a link to `GET /confirmUser`; the
//! link confirms the user (PostConfirmation fires) and answers an HTML page; used again, or
//! with a forged code, it answers a 400 page.

use crate::common;
use crate::trigger_support;

use aws_sdk_cognitoidentityprovider::types::{
    DefaultEmailOptionType, UserStatusType, VerificationMessageTemplateType,
};
use common::Harness;
use trigger_support::{lambda_config, user_status, TriggerServer};

/// The first link's URL in an HTML email body.
fn link_in(body: &str) -> String {
    let start = body.find("href=\"").expect("a link") + 6;
    let end = start + body[start..].find('"').expect("the link's end");
    body[start..end].replace("&amp;", "&")
}

/// GET `url`: status, content type and page.
async fn get(h: &Harness, url: &str) -> (u16, String, String) {
    let resp = h.http.get(url).send().await.expect("GET");
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, kind, resp.text().await.expect("page"))
}

#[tokio::test]
async fn the_emailed_link_confirms_once_and_fires_post_confirmation() {
    let h = Harness::start().await;
    let t = TriggerServer::start().await;
    let config = lambda_config(&[("PostConfirmation", &t.at("record"))]);
    let template = VerificationMessageTemplateType::builder()
        .default_email_option(DefaultEmailOptionType::ConfirmWithLink)
        .email_message_by_link("Welcome! {##Confirm my account##} to start.")
        .email_subject_by_link("Confirm your account")
        .build();
    let pool = h
        .create_pool_with("links", |b| {
            b.lambda_config(config)
                .verification_message_template(template)
        })
        .await
        .id
        .expect("pool id");
    let client = h.create_client(&pool).await;
    h.sign_up(&client, "lee", "lee@example.com").await;

    let mail = h.outbox(&pool, "lee").await.pop().expect("the email");
    assert_eq!(mail["Subject"], "Confirm your account");
    let body = mail["Message"].as_str().expect("Message");
    assert!(body.starts_with("Welcome! <a href=\""), "{body}");
    assert!(
        body.ends_with(">Confirm my account</a> to start."),
        "{body}"
    );
    let link = link_in(body);
    let code = mail["Code"].as_str().expect("Code");
    let want = format!(
        "{}/confirmUser?client_id={client}&user_name=lee&confirmation_code={code}",
        h.url()
    );
    assert_eq!(link, want);

    let forged = link.replace(code, if code == "000000" { "111111" } else { "000000" });
    let (status, kind, page) = get(&h, &forged).await;
    assert_eq!((status, kind.as_str()), (400, "text/html; charset=utf-8"));
    assert!(
        page.contains("Invalid verification code provided"),
        "{page}"
    );
    assert_eq!(
        user_status(&h, &pool, "lee").await,
        Some(UserStatusType::Unconfirmed)
    );

    let (status, _, page) = get(&h, &link).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("Your registration has been confirmed!"),
        "{page}"
    );
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    assert_eq!(
        user_status(&h, &pool, "lee").await,
        Some(UserStatusType::Confirmed)
    );
    let events = t.events("record");
    assert_eq!(events.len(), 1, "PostConfirmation fired once");
    assert_eq!(events[0]["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(events[0]["callerContext"]["clientId"], client.as_str());

    let (status, _, page) = get(&h, &link).await;
    assert_eq!(status, 400, "used again: {page}");
    assert!(page.contains("Current status is CONFIRMED"), "{page}");

    let (status, _, page) = get(&h, &format!("{}/confirmUser?client_id={client}", h.url())).await;
    assert_eq!(status, 400, "{page}");
    assert!(
        page.contains("Missing required parameter user_name"),
        "{page}"
    );
    h.shutdown().await;
}
