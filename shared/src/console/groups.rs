//! A pool's groups (ListGroups) and one group's members (ListUsersInGroup).

use super::api::{call, date, items, str_of, text};
use super::layout::{esc, link, page_url, table};
use super::{Answer, Cx, Handled, Page};
use serde_json::json;

/// `GET /_latchkey/console/groups?pool=[&group=][&token=]`.
pub async fn page(cx: &Cx<'_>) -> Handled {
    let pool_id = cx.required("pool")?;
    let mut input = json!({ "UserPoolId": pool_id, "Limit": 60 });
    if !cx.param("token").is_empty() {
        input["NextToken"] = cx.param("token").into();
    }
    let listed = call(cx.app, "ListGroups", input).await?;
    let rows: Vec<Vec<String>> = items(&listed["Groups"])
        .iter()
        .map(|g| {
            let name = str_of(g, "GroupName");
            vec![
                link(
                    &page_url("/groups", &[("pool", pool_id), ("group", name)]),
                    name,
                ),
                esc(&text(&g["Description"])),
                esc(&text(&g["Precedence"])),
                esc(&text(&g["RoleArn"])),
                esc(&date(&g["CreationDate"])),
            ]
        })
        .collect();
    let mut body = table(
        "Groups",
        &["Group", "Description", "Precedence", "Role ARN", "Created"],
        &rows,
        "This pool has no groups.",
    );
    if let Some(next) = listed["NextToken"].as_str() {
        let more = page_url("/groups", &[("pool", pool_id), ("token", next)]);
        body.push_str(&format!("<p>{}</p>\n", link(&more, "Next page of groups")));
    }
    let group = cx.param("group");
    if !group.is_empty() {
        body.push_str(&members(cx, pool_id, group).await?);
    }
    Ok(Answer::Page(Page::new("Groups", body).of_pool(pool_id)))
}

/// The members of `group` (a page of 60, with a link to the next).
async fn members(cx: &Cx<'_>, pool_id: &str, group: &str) -> Result<String, crate::ApiError> {
    let mut input = json!({ "UserPoolId": pool_id, "GroupName": group, "Limit": 60 });
    if !cx.param("members").is_empty() {
        input["NextToken"] = cx.param("members").into();
    }
    let listed = call(cx.app, "ListUsersInGroup", input).await?;
    let rows: Vec<Vec<String>> = items(&listed["Users"])
        .iter()
        .map(|u| {
            let username = str_of(u, "Username");
            vec![
                link(
                    &page_url("/user", &[("pool", pool_id), ("username", username)]),
                    username,
                ),
                esc(str_of(u, "UserStatus")),
                esc(&text(&u["Enabled"])),
            ]
        })
        .collect();
    let mut out = table(
        &format!("Members of {group}"),
        &["Username", "Status", "Enabled"],
        &rows,
        "This group has no members.",
    );
    if let Some(next) = listed["NextToken"].as_str() {
        let more = page_url(
            "/groups",
            &[("pool", pool_id), ("group", group), ("members", next)],
        );
        out.push_str(&format!("<p>{}</p>\n", link(&more, "Next page of members")));
    }
    Ok(out)
}
