//! A pool's users, searched with ListUsers filters and paged with its tokens, and one user:
//! attributes, status, groups, MFA, remembered devices, passkeys and sign-in sessions, with
//! links to every action ([`super::actions`]).

use super::actions::{self, Action};
use super::api::{attributes, call, date, items, str_of, text};
use super::layout::{self, esc, facts, link, page_url, table, Form};
use super::paging::Trail;
use super::{Answer, Cx, Handled, Page};
use crate::error::ApiError;
use crate::userpool::filter::{Filter, SEARCHABLE};
use crate::userpool::model::{User, UserPool};
use crate::userpool::passkeys::manage::friendly_name;
use crate::userpool::srp::timestamp::format_unix;
use serde_json::json;

/// `GET /_latchkey/console/users?pool=[&attr=&op=&value=][&token=][&prev=]` (`prev`: the
/// earlier pages' tokens, [`super::paging`]).
pub async fn list(cx: &Cx<'_>) -> Handled {
    let pool_id = cx.required("pool")?;
    let attr = match cx.param("attr") {
        "" => "username",
        a => a,
    };
    let prefix = cx.param("op") == "^=";
    let value = cx.param("value");
    let mut input = json!({ "UserPoolId": pool_id, "Limit": 60 });
    if !value.is_empty() {
        input["Filter"] = Filter::text(attr, prefix, value).into();
    }
    let trail = Trail::from_query(cx.param("token"), cx.param("prev"));
    if !trail.token().is_empty() {
        input["PaginationToken"] = trail.token().into();
    }
    let search = search_form(pool_id, attr, prefix, value);
    let listed = match call(cx.app, "ListUsers", input).await {
        Ok(l) => l,
        // A bad search shows Cognito's reason above the form again.
        Err(e) if e.kind != crate::ErrorKind::InternalError => {
            let page = Page::new("Users", search)
                .of_pool(pool_id)
                .with_notice(e.message, false)
                .with_status(http::StatusCode::BAD_REQUEST);
            return Ok(Answer::Page(page));
        }
        Err(e) => return Err(e),
    };
    let rows: Vec<Vec<String>> = items(&listed["Users"])
        .iter()
        .map(|u| {
            let attrs = attributes(&u["Attributes"]);
            let get = |n: &str| {
                attrs
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            };
            let username = str_of(u, "Username");
            let q = [("pool", pool_id), ("username", username)];
            vec![
                link(&page_url("/user", &q), username),
                esc(get("email")),
                esc(get("phone_number")),
                esc(str_of(u, "UserStatus")),
                esc(&text(&u["Enabled"])),
                esc(&date(&u["UserCreateDate"])),
            ]
        })
        .collect();
    let mut body = format!(
        "<p>{}</p>\n{search}",
        link(
            &actions::url(pool_id, None, Action::Create, &[]),
            "Create a user"
        )
    );
    let heading = if value.is_empty() {
        "Users".to_string()
    } else {
        format!("Users where {}", Filter::text(attr, prefix, value))
    };
    body.push_str(&table(
        &heading,
        &[
            "Username",
            "Email",
            "Phone number",
            "Status",
            "Enabled",
            "Created",
        ],
        &rows,
        "No users match.",
    ));
    let here = |token: &str, prev: &str| {
        let op = if prefix { "^=" } else { "=" };
        let mut q = vec![
            ("pool", pool_id),
            ("attr", attr),
            ("op", op),
            ("value", value),
        ];
        if !token.is_empty() {
            q.push(("token", token));
        }
        if !prev.is_empty() {
            q.push(("prev", prev));
        }
        page_url("/users", &q)
    };
    let mut pages = Vec::new();
    if !trail.token().is_empty() {
        pages.push(link(&here("", ""), "First page"));
    }
    if let Some((token, prev)) = trail.previous() {
        pages.push(link(&here(&token, &prev), "Previous page"));
    }
    if let Some(next) = listed["PaginationToken"].as_str() {
        let (token, prev) = trail.next(next);
        pages.push(link(&here(&token, &prev), "Next page"));
    }
    if !pages.is_empty() {
        body.push_str(&format!(
            "<nav aria-label=\"Pages of users\"><p>{}</p></nav>\n",
            pages.join(" · ")
        ));
    }
    let mut page = Page::new("Users", body).of_pool(pool_id);
    if let Some(done) = actions::done_text(cx.param("done")) {
        page = page.with_notice(done, true);
    }
    Ok(Answer::Page(page))
}

/// The search: an attribute ListUsers can filter on, exact or prefix, and a value.
fn search_form(pool_id: &str, attr: &str, prefix: bool, value: &str) -> String {
    let attrs: Vec<(&str, &str)> = SEARCHABLE.iter().map(|a| (*a, *a)).collect();
    let op = if prefix { "^=" } else { "=" };
    Form::get("search", &page_url("/users", &[]))
        .inline()
        .hidden("pool", pool_id)
        .select("attr", "Attribute", &attrs, attr)
        .select(
            "op",
            "Match",
            &[("=", "is exactly"), ("^=", "starts with")],
            op,
        )
        .input("text", "value", "Value", value, false)
        .finish("Search", false)
}

/// `GET /_latchkey/console/user?pool=&username=[&done=]`.
pub async fn one(cx: &Cx<'_>) -> Handled {
    let pool_id = cx.required("pool")?;
    let username = cx.required("username")?;
    let who = json!({ "UserPoolId": pool_id, "Username": username });
    let user = call(cx.app, "AdminGetUser", who.clone()).await?;
    // Actions take any name the user signs in with; the pages use the username.
    let username = str_of(&user, "Username");
    let who = json!({ "UserPoolId": pool_id, "Username": username });
    let mut groups_in = who.clone();
    groups_in["Limit"] = 60.into();
    let groups = call(cx.app, "AdminListGroupsForUser", groups_in).await?;
    let mut devices_in = who.clone();
    devices_in["Limit"] = 60.into();
    let devices = call(cx.app, "AdminListDevices", devices_in).await?;
    let enabled = user["Enabled"].as_bool().unwrap_or(true);
    let mfa = user["UserMFASettingList"].clone();
    let mut body = facts(&[
        ("Username", esc(username)),
        ("Status", esc(str_of(&user, "UserStatus"))),
        ("Enabled", esc(&text(&user["Enabled"]))),
        ("Created", esc(&date(&user["UserCreateDate"]))),
        ("Last modified", esc(&date(&user["UserLastModifiedDate"]))),
        ("MFA methods", esc(&text(&mfa))),
        ("Preferred MFA", esc(&text(&user["PreferredMfaSetting"]))),
    ]);
    body.push_str(&action_links(pool_id, username, &user, enabled));
    let attr_rows: Vec<Vec<String>> = attributes(&user["UserAttributes"])
        .into_iter()
        .map(|(n, v)| vec![esc(&n), esc(&v)])
        .collect();
    body.push_str(&table(
        "Attributes",
        &["Attribute", "Value"],
        &attr_rows,
        "No attributes.",
    ));
    let group_rows: Vec<Vec<String>> = items(&groups["Groups"])
        .iter()
        .map(|g| {
            let name = str_of(g, "GroupName");
            let remove = actions::url(
                pool_id,
                Some(username),
                Action::RemoveFromGroup,
                &[("group", name)],
            );
            vec![
                link(
                    &page_url("/groups", &[("pool", pool_id), ("group", name)]),
                    name,
                ),
                esc(&text(&g["Precedence"])),
                link(&remove, &format!("Remove from {name}")),
            ]
        })
        .collect();
    body.push_str(&table(
        "Groups",
        &["Group", "Precedence", "Action"],
        &group_rows,
        "Not in any group.",
    ));
    let device_rows: Vec<Vec<String>> = items(&devices["Devices"])
        .iter()
        .map(|d| {
            let attrs = attributes(&d["DeviceAttributes"]);
            let attr = |n: &str| {
                attrs
                    .iter()
                    .find(|(k, _)| k == n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            vec![
                format!("<code>{}</code>", esc(str_of(d, "DeviceKey"))),
                esc(&attr("device_name")),
                esc(&attr("device_status")),
                esc(&date(&d["DeviceLastAuthenticatedDate"])),
            ]
        })
        .collect();
    body.push_str(&table(
        "Remembered devices",
        &["Device key", "Name", "Status", "Last signed in"],
        &device_rows,
        "No remembered devices.",
    ));
    let pool = crate::userpool::pools::load_pool(cx.app, pool_id).await?;
    let record = crate::userpool::directory::load_user(cx.app, &pool, username).await?;
    body.push_str(&passkeys(&record));
    body.push_str(&sessions(cx, &pool, username).await?);
    let mut page = Page::new(format!("User {username}"), body).of_pool(pool_id);
    if let Some(done) = actions::done_text(cx.param("done")) {
        page = page.with_notice(done, true);
    }
    Ok(Answer::Page(page))
}

/// Links to the actions that apply to this user.
fn action_links(pool_id: &str, username: &str, user: &serde_json::Value, enabled: bool) -> String {
    let mut which = Vec::new();
    if str_of(user, "UserStatus") == "UNCONFIRMED" {
        which.push(Action::Confirm);
    }
    which.push(if enabled {
        Action::Disable
    } else {
        Action::Enable
    });
    which.extend([
        Action::ResetPassword,
        Action::SetPassword,
        Action::EditAttributes,
        Action::AddToGroup,
        Action::SignOut,
        Action::Delete,
    ]);
    let mut out = String::from("<h2>Actions</h2>\n<ul class=\"actions\">\n");
    for a in which {
        out.push_str(&format!(
            "<li>{}</li>\n",
            link(&actions::url(pool_id, Some(username), a, &[]), a.label())
        ));
    }
    out.push_str("</ul>\n");
    out
}

/// The user's passkeys, as ListWebAuthnCredentials describes them (that operation needs the
/// user's own access token, so they are read from the user's record; never the public key).
fn passkeys(user: &User) -> String {
    let rows: Vec<Vec<String>> = user
        .passkeys
        .iter()
        .map(|p| {
            vec![
                esc(&friendly_name(p)),
                format!("<code>{}</code>", esc(&p.id)),
                esc(&p.relying_party_id),
                esc(p.attachment.as_deref().unwrap_or("—")),
                layout::list(&p.transports),
                esc(&format_unix(p.created_ms / 1000)),
            ]
        })
        .collect();
    table(
        "Passkeys",
        &[
            "Name",
            "Credential ID",
            "Relying party",
            "Attachment",
            "Transports",
            "Registered",
        ],
        &rows,
        "No passkeys.",
    )
}

/// The user's sign-in sessions still running (their refresh tokens: client, when, until
/// when; never the token).
async fn sessions(cx: &Cx<'_>, pool: &UserPool, username: &str) -> Result<String, ApiError> {
    let now = cx.app.clock.now_millis();
    let records = cx
        .app
        .store
        .list_refresh_tokens(&pool.id, &pool.username_key(username))
        .await?;
    let rows: Vec<Vec<String>> = records
        .iter()
        .filter(|r| !r.revoked && r.rotated_ms.is_none() && r.expires_ms > now)
        .map(|r| {
            vec![
                format!("<code>{}</code>", esc(&r.client_id)),
                esc(&format_unix(r.auth_time)),
                esc(&format_unix(r.expires_ms / 1000)),
                esc(r.device_key.as_deref().unwrap_or("—")),
            ]
        })
        .collect();
    Ok(table(
        "Sign-in sessions",
        &["App client", "Signed in", "Refresh token expires", "Device"],
        &rows,
        "No active sessions.",
    ))
}
