//! The user pools (ListUserPools) and one pool: its settings (DescribeUserPool,
//! GetUserPoolMfaConfig) and its app clients (ListUserPoolClients, DescribeUserPoolClient:
//! whether a client has a secret is shown, never the secret).

use super::api::{self, call, date, items, str_of, text};
use super::layout::{esc, facts, link, page_url, table, Form};
use super::{Answer, Cx, Handled, Page};
use serde_json::{json, Value};

/// `GET /_latchkey/console[?token=]`: the pools, a page at a time.
pub async fn home(cx: &Cx<'_>) -> Handled {
    let mut input = json!({ "MaxResults": 60 });
    if !cx.param("token").is_empty() {
        input["NextToken"] = cx.param("token").into();
    }
    let listed = call(cx.app, "ListUserPools", input).await?;
    let rows: Vec<Vec<String>> = items(&listed["UserPools"])
        .iter()
        .map(|p| {
            let id = str_of(p, "Id");
            let q = [("pool", id)];
            vec![
                link(&page_url("/pool", &q), str_of(p, "Name")),
                esc(id),
                esc(&date(&p["CreationDate"])),
                format!(
                    "{} · {}",
                    link(&page_url("/users", &q), "Users"),
                    link(&page_url("/groups", &q), "Groups")
                ),
            ]
        })
        .collect();
    let mut body = table(
        "User pools",
        &["Name", "Pool id", "Created", "Manage"],
        &rows,
        "There are no user pools.",
    );
    if let Some(next) = listed["NextToken"].as_str() {
        body.push_str(&format!(
            "<p>{}</p>\n",
            link(&page_url("", &[("token", next)]), "Next page of pools")
        ));
    }
    body.push_str(&open_pool_form());
    Ok(Answer::Page(Page::new("User pools", body)))
}

/// A form to open a pool by id.
fn open_pool_form() -> String {
    Form::get("open", &page_url("/pool", &[]))
        .inline()
        .input("text", "pool", "Pool id", "", true)
        .finish("Open pool", false)
}

/// `GET /_latchkey/console/pool?pool=`: settings and app clients.
pub async fn pool(cx: &Cx<'_>) -> Handled {
    let pool_id = cx.required("pool")?;
    let id = json!({ "UserPoolId": pool_id });
    let described = call(cx.app, "DescribeUserPool", id.clone()).await?;
    let mfa = call(cx.app, "GetUserPoolMfaConfig", id.clone()).await?;
    let p = &described["UserPool"];
    let mut body = String::from("<h2>Settings</h2>\n");
    body.push_str(&settings(p, &mfa));
    body.push_str(&clients(cx, pool_id).await?);
    let title = format!("Pool {}", str_of(p, "Name"));
    Ok(Answer::Page(Page::new(title, body).of_pool(pool_id)))
}

/// The pool's settings that matter day to day.
fn settings(p: &Value, mfa: &Value) -> String {
    let policy = &p["Policies"]["PasswordPolicy"];
    let mut rules = vec![format!(
        "at least {} characters",
        text(&policy["MinimumLength"])
    )];
    for (member, what) in [
        ("RequireUppercase", "an upper-case letter"),
        ("RequireLowercase", "a lower-case letter"),
        ("RequireNumbers", "a number"),
        ("RequireSymbols", "a symbol"),
    ] {
        if policy[member].as_bool() == Some(true) {
            rules.push(what.to_string());
        }
    }
    let factors: Vec<String> = [
        ("SoftwareTokenMfaConfiguration", "authenticator app"),
        ("SmsMfaConfiguration", "SMS"),
        ("EmailMfaConfiguration", "email"),
    ]
    .iter()
    .filter(|(member, _)| match *member {
        "SoftwareTokenMfaConfiguration" => mfa[member]["Enabled"].as_bool() == Some(true),
        _ => mfa[member].is_object(),
    })
    .map(|(_, what)| what.to_string())
    .collect();
    let triggers: Vec<String> = p["LambdaConfig"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let domain = [str_of(p, "Domain"), str_of(p, "CustomDomain")]
        .iter()
        .filter(|d| !d.is_empty())
        .map(|d| d.to_string())
        .collect::<Vec<_>>();
    facts(&[
        ("Pool id", esc(str_of(p, "Id"))),
        ("Name", esc(str_of(p, "Name"))),
        ("ARN", esc(str_of(p, "Arn"))),
        ("Created", esc(&date(&p["CreationDate"]))),
        ("Last modified", esc(&date(&p["LastModifiedDate"]))),
        ("Estimated users", esc(&text(&p["EstimatedNumberOfUsers"]))),
        ("Sign-in names", esc(&sign_in_names(p))),
        (
            "Auto-verified attributes",
            esc(&text(&p["AutoVerifiedAttributes"])),
        ),
        ("MFA", esc(&text(&mfa["MfaConfiguration"]))),
        ("MFA factors", super::layout::list(&factors)),
        (
            "First sign-in factors",
            esc(&text(
                &p["Policies"]["SignInPolicy"]["AllowedFirstAuthFactors"],
            )),
        ),
        ("Password policy", esc(&rules.join(", "))),
        (
            "Temporary passwords valid (days)",
            esc(&text(&policy["TemporaryPasswordValidityDays"])),
        ),
        (
            "Only administrators create users",
            esc(&text(
                &p["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
            )),
        ),
        ("Deletion protection", esc(&text(&p["DeletionProtection"]))),
        ("Triggers", super::layout::list(&triggers)),
        ("Domains", super::layout::list(&domain)),
    ])
}

/// `username`, or the attributes users sign in with instead or as well.
fn sign_in_names(p: &Value) -> String {
    let usernames = api::items(&p["UsernameAttributes"]);
    let aliases = api::items(&p["AliasAttributes"]);
    if !usernames.is_empty() {
        format!("{} (instead of a username)", text(&p["UsernameAttributes"]))
    } else if !aliases.is_empty() {
        format!("username, or {}", text(&p["AliasAttributes"]))
    } else {
        "username".into()
    }
}

/// The pool's app clients, described one by one (a secret is only said to exist).
async fn clients(cx: &Cx<'_>, pool_id: &str) -> Result<String, crate::error::ApiError> {
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut input = json!({ "UserPoolId": pool_id, "MaxResults": 60 });
        if let Some(t) = &token {
            input["NextToken"] = t.as_str().into();
        }
        let listed = call(cx.app, "ListUserPoolClients", input).await?;
        for c in items(&listed["UserPoolClients"]) {
            let described = call(
                cx.app,
                "DescribeUserPoolClient",
                json!({ "UserPoolId": pool_id, "ClientId": str_of(c, "ClientId") }),
            )
            .await?;
            let d = &described["UserPoolClient"];
            let secret = if d.get("ClientSecret").is_some() {
                "Yes (not shown)"
            } else {
                "No"
            };
            let oauth = if d["AllowedOAuthFlowsUserPoolClient"].as_bool() == Some(true) {
                text(&d["AllowedOAuthFlows"])
            } else {
                "—".into()
            };
            rows.push(vec![
                esc(str_of(d, "ClientName")),
                format!("<code>{}</code>", esc(str_of(d, "ClientId"))),
                esc(secret),
                esc(&text(&d["ExplicitAuthFlows"])),
                esc(&oauth),
                esc(&text(&d["AllowedOAuthScopes"])),
                esc(&text(&d["CallbackURLs"])),
            ]);
        }
        match listed["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    Ok(table(
        "App clients",
        &[
            "Name",
            "Client id",
            "Secret",
            "Auth flows",
            "OAuth flows",
            "Scopes",
            "Callback URLs",
        ],
        &rows,
        "This pool has no app clients.",
    ))
}
