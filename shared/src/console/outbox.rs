//! The local outbox: the messages a local server "sent" without a transport, codes and all,
//! newest first. Only the local server has this page (the route table gives it no
//! function), and only where it keeps such an outbox.

use super::api::date;
use super::layout::{esc, page_url, table, Form};
use super::{Answer, Cx, Handled, Page};
use crate::error::ApiError;

/// The messages shown at most.
const SHOWN: usize = 200;

/// `GET /_latchkey/console/outbox[?pool=&username=]`.
pub async fn page(cx: &Cx<'_>) -> Handled {
    if !cx.app.settings.console.local_outbox {
        return Err(ApiError::new(
            crate::ErrorKind::ResourceNotFound,
            "This deployment has no local outbox.",
        ));
    }
    let pool = Some(cx.param("pool")).filter(|p| !p.is_empty());
    let username = Some(cx.param("username")).filter(|u| !u.is_empty());
    let messages = crate::userpool::outbox::messages(cx.app, pool, username).await?;
    let rows: Vec<Vec<String>> = messages
        .iter()
        .rev()
        .take(SHOWN)
        .map(|(_, m)| {
            vec![
                esc(&date(&serde_json::Value::from(m.created_ms / 1000))),
                esc(&m.pool_id),
                esc(&m.username),
                esc(&m.destination),
                esc(&m.delivery_medium.to_string()),
                esc(&m.purpose),
                format!("<code>{}</code>", esc(m.code.expose())),
                esc(&m.subject),
            ]
        })
        .collect();
    let filter = Form::get("filter", &page_url("/outbox", &[]))
        .inline()
        .input("text", "pool", "Pool id", cx.param("pool"), false)
        .input(
            "text",
            "username",
            "Username, email or phone",
            cx.param("username"),
            false,
        )
        .finish("Show", false);
    let mut body = format!(
        "<p>Messages this local server kept instead of sending (no SMTP, SES or SNS \
         transport applied), newest first, at most {SHOWN}.</p>\n{filter}"
    );
    body.push_str(&table(
        "Messages",
        &[
            "Sent", "Pool", "Username", "To", "By", "Purpose", "Code", "Subject",
        ],
        &rows,
        "No messages.",
    ));
    Ok(Answer::Page(Page::new("Outbox", body)))
}
