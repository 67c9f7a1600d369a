//! The identity pools (ListIdentityPools, DescribeIdentityPool) with their roles and role
//! rules (GetIdentityPoolRoles): which logins they take and which role each one gets.

use super::api::{call_identity, items, str_of, text};
use super::layout::{esc, facts, link, list, page_url, table};
use super::{Answer, Cx, Handled, Page};
use serde_json::{json, Value};

/// `GET /_latchkey/console/identity-pools[?token=]`.
pub async fn page(cx: &Cx<'_>) -> Handled {
    let mut input = json!({ "MaxResults": 60 });
    if !cx.param("token").is_empty() {
        input["NextToken"] = cx.param("token").into();
    }
    let listed = call_identity(cx.app, "ListIdentityPools", input).await?;
    let mut body = String::new();
    let pools = items(&listed["IdentityPools"]);
    if pools.is_empty() {
        body.push_str("<p class=\"muted\">There are no identity pools.</p>\n");
    }
    for p in pools {
        let id = json!({ "IdentityPoolId": str_of(p, "IdentityPoolId") });
        let described = call_identity(cx.app, "DescribeIdentityPool", id.clone()).await?;
        let roles = call_identity(cx.app, "GetIdentityPoolRoles", id).await?;
        body.push_str(&section(&described, &roles));
    }
    if let Some(next) = listed["NextToken"].as_str() {
        let more = page_url("/identity-pools", &[("token", next)]);
        body.push_str(&format!(
            "<p>{}</p>\n",
            link(&more, "Next page of identity pools")
        ));
    }
    Ok(Answer::Page(Page::new("Identity pools", body)))
}

/// One identity pool: its logins, roles and rules.
fn section(d: &Value, roles: &Value) -> String {
    let user_pools: Vec<String> = items(&d["CognitoIdentityProviders"])
        .iter()
        .map(|p| {
            format!(
                "{} (client {})",
                str_of(p, "ProviderName"),
                str_of(p, "ClientId")
            )
        })
        .collect();
    let oidc: Vec<String> = d["SupportedLoginProviders"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} ({})", text(v)))
                .collect()
        })
        .unwrap_or_default();
    let mut out = format!("<h2>{}</h2>\n", esc(str_of(d, "IdentityPoolName")));
    out.push_str(&facts(&[
        ("Identity pool id", esc(str_of(d, "IdentityPoolId"))),
        (
            "Guest (unauthenticated) access",
            esc(&text(&d["AllowUnauthenticatedIdentities"])),
        ),
        ("Basic (classic) flow", esc(&text(&d["AllowClassicFlow"]))),
        ("User pools", list(&user_pools)),
        ("Other OIDC providers", list(&oidc)),
        (
            "Authenticated role",
            esc(&text(&roles["Roles"]["authenticated"])),
        ),
        (
            "Unauthenticated role",
            esc(&text(&roles["Roles"]["unauthenticated"])),
        ),
    ]));
    let mut rows = Vec::new();
    if let Some(mappings) = roles["RoleMappings"].as_object() {
        for (provider, m) in mappings {
            let kind = str_of(m, "Type");
            let ambiguous = str_of(m, "AmbiguousRoleResolution");
            let rules = items(&m["RulesConfiguration"]["Rules"]);
            if rules.is_empty() {
                rows.push(vec![
                    esc(provider),
                    esc(kind),
                    esc("the token's cognito:preferred_role / cognito:roles"),
                    esc(&text(&Value::Null)),
                    esc(ambiguous),
                ]);
            }
            for (i, r) in rules.iter().enumerate() {
                let rule = format!(
                    "{}. {} {} \"{}\"",
                    i + 1,
                    str_of(r, "Claim"),
                    str_of(r, "MatchType"),
                    str_of(r, "Value")
                );
                rows.push(vec![
                    esc(provider),
                    esc(kind),
                    esc(&rule),
                    esc(str_of(r, "RoleARN")),
                    esc(ambiguous),
                ]);
            }
        }
    }
    let name = str_of(d, "IdentityPoolName");
    out.push_str(&table(
        &format!("Role rules of {name}"),
        &["Provider", "Type", "Rule", "Role", "When no rule matches"],
        &rows,
        "No role mappings: every login gets the authenticated role.",
    ));
    out
}
