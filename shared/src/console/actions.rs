//! What an operator does to users: create or invite, confirm, disable and enable, reset or
//! set the password, edit attributes, add to and remove from groups, sign out everywhere,
//! delete. Each is a page that says what will happen and asks for a ticked box (no scripts
//! needed), then a POST carrying the CSRF token that runs the one API operation through the
//! wire protocol's dispatch (so triggers and the pool's rules apply). A refusal shows the
//! form again with Cognito's message (400); a missing or wrong CSRF token changes nothing
//! (403).

use super::api::{attributes, call, items, str_of};
use super::layout::{esc, page_url, Form};
use super::{Answer, Cx, Handled, Page};
use crate::edge::hosted::{self, csrf_ok, CSRF_FIELD};
use crate::error::{ApiError, ErrorKind};
use http::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;

/// An action on users.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// AdminCreateUser (with or without an invitation).
    Create,
    /// AdminConfirmSignUp.
    Confirm,
    /// AdminDisableUser.
    Disable,
    /// AdminEnableUser.
    Enable,
    /// AdminResetUserPassword.
    ResetPassword,
    /// AdminSetUserPassword.
    SetPassword,
    /// AdminUpdateUserAttributes (and AdminDeleteUserAttributes for emptied ones).
    EditAttributes,
    /// AdminAddUserToGroup.
    AddToGroup,
    /// AdminRemoveUserFromGroup.
    RemoveFromGroup,
    /// AdminUserGlobalSignOut.
    SignOut,
    /// AdminDeleteUser.
    Delete,
}

const ALL: [Action; 11] = [
    Action::Create,
    Action::Confirm,
    Action::Disable,
    Action::Enable,
    Action::ResetPassword,
    Action::SetPassword,
    Action::EditAttributes,
    Action::AddToGroup,
    Action::RemoveFromGroup,
    Action::SignOut,
    Action::Delete,
];

impl Action {
    /// Its name in URLs and forms.
    fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Confirm => "confirm",
            Action::Disable => "disable",
            Action::Enable => "enable",
            Action::ResetPassword => "reset-password",
            Action::SetPassword => "set-password",
            Action::EditAttributes => "edit-attributes",
            Action::AddToGroup => "add-to-group",
            Action::RemoveFromGroup => "remove-from-group",
            Action::SignOut => "sign-out",
            Action::Delete => "delete",
        }
    }

    fn from_name(name: &str) -> Option<Action> {
        ALL.into_iter().find(|a| a.name() == name)
    }

    /// What a link to it says.
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "Create a user",
            Action::Confirm => "Confirm the sign-up",
            Action::Disable => "Disable",
            Action::Enable => "Enable",
            Action::ResetPassword => "Reset the password",
            Action::SetPassword => "Set a password",
            Action::EditAttributes => "Edit attributes",
            Action::AddToGroup => "Add to a group",
            Action::RemoveFromGroup => "Remove from a group",
            Action::SignOut => "Sign out everywhere",
            Action::Delete => "Delete",
        }
    }

    /// What will happen, said on the confirmation page.
    fn explains(self) -> &'static str {
        match self {
            Action::Create => {
                "Creates the user with a temporary password (AdminCreateUser). With an \
                 invitation, the user is sent their username and password; without one, give \
                 them the temporary password yourself."
            }
            Action::Confirm => "Confirms the user's sign-up without a code (AdminConfirmSignUp).",
            Action::Disable => {
                "The user can no longer sign in, and every session of theirs ends \
                 (AdminDisableUser)."
            }
            Action::Enable => "The user can sign in again (AdminEnableUser).",
            Action::ResetPassword => {
                "The current password stops working; the user is sent a code to choose a new \
                 one (AdminResetUserPassword)."
            }
            Action::SetPassword => {
                "Sets the user's password (AdminSetUserPassword): a permanent one, or a \
                 temporary one the user must change at the next sign-in."
            }
            Action::EditAttributes => {
                "Changes the attributes you edit (AdminUpdateUserAttributes); an emptied \
                 value is deleted (AdminDeleteUserAttributes)."
            }
            Action::AddToGroup => "Adds the user to a group (AdminAddUserToGroup).",
            Action::RemoveFromGroup => {
                "Removes the user from the group (AdminRemoveUserFromGroup)."
            }
            Action::SignOut => {
                "Ends every session of the user: their refresh tokens and the access tokens \
                 issued from them stop working (AdminUserGlobalSignOut)."
            }
            Action::Delete => {
                "Deletes the user and everything of theirs. This cannot be undone \
                 (AdminDeleteUser)."
            }
        }
    }

    /// What the user's page says once it is done.
    fn done(self) -> &'static str {
        match self {
            Action::Create => "User created.",
            Action::Confirm => "Sign-up confirmed.",
            Action::Disable => "User disabled.",
            Action::Enable => "User enabled.",
            Action::ResetPassword => "Password reset: the user was sent a code.",
            Action::SetPassword => "Password set.",
            Action::EditAttributes => "Attributes saved.",
            Action::AddToGroup => "Added to the group.",
            Action::RemoveFromGroup => "Removed from the group.",
            Action::SignOut => "Signed out everywhere.",
            Action::Delete => "User deleted.",
        }
    }

    /// Whether it takes something away.
    fn destructive(self) -> bool {
        matches!(
            self,
            Action::Disable
                | Action::ResetPassword
                | Action::RemoveFromGroup
                | Action::SignOut
                | Action::Delete
        )
    }
}

/// The confirmation page of `action` for `username` (none: a pool action).
pub fn url(pool: &str, username: Option<&str>, action: Action, extra: &[(&str, &str)]) -> String {
    let mut q = vec![("pool", pool), ("action", action.name())];
    if let Some(u) = username {
        q.push(("username", u));
    }
    q.extend_from_slice(extra);
    page_url("/action", &q)
}

/// The outcome line of a finished action, from its name (`done=` on the page it returns to).
pub fn done_text(name: &str) -> Option<&'static str> {
    Action::from_name(name).map(Action::done)
}

/// The form's or query's values.
type Values = HashMap<String, String>;

fn value<'v>(values: &'v Values, name: &str) -> &'v str {
    values.get(name).map(String::as_str).unwrap_or_default()
}

/// `GET /_latchkey/console/action?pool=&action=[&username=][&group=]`.
pub async fn confirm(cx: &Cx<'_>) -> Handled {
    let action = Action::from_name(cx.param("action"))
        .ok_or_else(|| ApiError::invalid("Unknown action."))?;
    form_page(cx, action, &cx.query, None).await
}

/// The confirmation form, with `values` filled in (never passwords) and `refused`: the
/// message and status of a refusal.
async fn form_page(
    cx: &Cx<'_>,
    action: Action,
    values: &Values,
    refused: Option<(&str, StatusCode)>,
) -> Handled {
    let pool = value(values, "pool");
    if pool.is_empty() {
        return Err(ApiError::invalid("The page needs the pool parameter."));
    }
    let username = value(values, "username");
    // The user must exist (and its attributes fill the edit form).
    let user = if action == Action::Create {
        Value::Null
    } else {
        call(
            cx.app,
            "AdminGetUser",
            json!({ "UserPoolId": pool, "Username": username }),
        )
        .await?
    };
    let mut form = Form::post("act", &page_url("/action", &[]), &cx.csrf)
        .hidden("pool", pool)
        .hidden("action", action.name());
    if action != Action::Create {
        form = form.hidden("username", username);
    }
    form = match action {
        Action::Create => form
            .input(
                "text",
                "new_username",
                "Username",
                value(values, "new_username"),
                true,
            )
            .input(
                "email",
                "email",
                "Email address (optional)",
                value(values, "email"),
                false,
            )
            .checkbox("email_verified", "The email address is verified", false)
            .input(
                "text",
                "phone_number",
                "Phone number, +country code (optional)",
                value(values, "phone_number"),
                false,
            )
            .input(
                "password",
                "temporary_password",
                "Temporary password (optional: one is generated)",
                "",
                false,
            )
            .checkbox("invite", "Send the invitation message", false),
        Action::SetPassword => form
            .input("password", "password", "New password", "", true)
            .checkbox(
                "permanent",
                "Permanent (else the user must change it at the next sign-in)",
                false,
            ),
        Action::EditAttributes => {
            let mut form = form;
            for (name, current) in attributes(&user["UserAttributes"]) {
                if name == "sub" {
                    continue;
                }
                let shown = values.get(&format!("attr:{name}")).unwrap_or(&current);
                form = form.input("text", &format!("attr:{name}"), &name, shown, false);
            }
            form.input(
                "text",
                "new_name",
                "New attribute: name",
                value(values, "new_name"),
                false,
            )
            .input(
                "text",
                "new_value",
                "New attribute: value",
                value(values, "new_value"),
                false,
            )
        }
        Action::AddToGroup => {
            let groups = call(
                cx.app,
                "ListGroups",
                json!({ "UserPoolId": pool, "Limit": 60 }),
            )
            .await?;
            let names: Vec<String> = items(&groups["Groups"])
                .iter()
                .map(|g| str_of(g, "GroupName").to_string())
                .collect();
            if names.is_empty() {
                return Err(ApiError::invalid("This pool has no groups."));
            }
            let options: Vec<(&str, &str)> =
                names.iter().map(|n| (n.as_str(), n.as_str())).collect();
            form.select("group", "Group", &options, value(values, "group"))
        }
        Action::RemoveFromGroup => form.hidden("group", value(values, "group")).raw(&format!(
            "<p>Group: <strong>{}</strong></p>\n",
            esc(value(values, "group"))
        )),
        _ => form,
    };
    let what = if action == Action::Create {
        format!("in the pool {pool}")
    } else {
        format!("for the user {username}")
    };
    let confirm_label = format!("I confirm: {} {what}", action.label().to_lowercase());
    let html = form
        .checkbox("confirm", &confirm_label, true)
        .finish(action.label(), action.destructive());
    let back = match action {
        Action::Create => page_url("/users", &[("pool", pool)]),
        _ => page_url("/user", &[("pool", pool), ("username", username)]),
    };
    let body = format!(
        "<p>{}</p>\n{html}<p>{}</p>\n",
        esc(action.explains()),
        super::layout::link(&back, "Cancel")
    );
    let title = if action == Action::Create {
        action.label().to_string()
    } else {
        format!("{}: {username}", action.label())
    };
    let mut page = Page::new(title, body).of_pool(pool);
    if let Some((message, status)) = refused {
        page = page.with_notice(message, false).with_status(status);
    }
    Ok(Answer::Page(page))
}

/// `POST /_latchkey/console/action`: checked (CSRF token, the ticked box), then run.
pub async fn submit(cx: &Cx<'_>) -> Handled {
    let mut values = hosted::login::form_of(cx.req);
    let Some(action) = Action::from_name(value(&values, "action")) else {
        return Err(ApiError::invalid("Unknown action."));
    };
    // Never shown again.
    let password = values.remove("password").unwrap_or_default();
    let temporary = values.remove("temporary_password").unwrap_or_default();
    if !csrf_ok(cx.req, values.get(CSRF_FIELD).map(String::as_str)) {
        return form_page(
            cx,
            action,
            &values,
            Some((hosted::EXPIRED, StatusCode::FORBIDDEN)),
        )
        .await;
    }
    if value(&values, "confirm") != "yes" {
        let message = "Nothing was done: tick the box to confirm.";
        return form_page(
            cx,
            action,
            &values,
            Some((message, StatusCode::BAD_REQUEST)),
        )
        .await;
    }
    let pool = value(&values, "pool");
    let who = json!({ "UserPoolId": pool, "Username": value(&values, "username") });
    let with = |extra: Value| {
        let mut input = who.clone();
        if let (Some(i), Value::Object(e)) = (input.as_object_mut(), extra) {
            i.extend(e);
        }
        input
    };
    let result = match action {
        Action::Create => create(cx, &values, &temporary).await,
        Action::Confirm => call(cx.app, "AdminConfirmSignUp", who.clone()).await,
        Action::Disable => call(cx.app, "AdminDisableUser", who.clone()).await,
        Action::Enable => call(cx.app, "AdminEnableUser", who.clone()).await,
        Action::ResetPassword => call(cx.app, "AdminResetUserPassword", who.clone()).await,
        Action::SetPassword => {
            let permanent = value(&values, "permanent") == "yes";
            let input = with(json!({ "Password": password, "Permanent": permanent }));
            call(cx.app, "AdminSetUserPassword", input).await
        }
        Action::EditAttributes => edit(cx, &who, &values).await,
        Action::AddToGroup => {
            let input = with(json!({ "GroupName": value(&values, "group") }));
            call(cx.app, "AdminAddUserToGroup", input).await
        }
        Action::RemoveFromGroup => {
            let input = with(json!({ "GroupName": value(&values, "group") }));
            call(cx.app, "AdminRemoveUserFromGroup", input).await
        }
        Action::SignOut => call(cx.app, "AdminUserGlobalSignOut", who.clone()).await,
        Action::Delete => call(cx.app, "AdminDeleteUser", who.clone()).await,
    };
    let reply = match result {
        Ok(reply) => reply,
        Err(e) if e.kind == ErrorKind::InternalError => return Err(e),
        Err(e) => {
            return form_page(
                cx,
                action,
                &values,
                Some((&e.message, StatusCode::BAD_REQUEST)),
            )
            .await
        }
    };
    let done = [("done", action.name())];
    let to = match action {
        Action::Delete => page_url("/users", &[("pool", pool), done[0]]),
        Action::Create => {
            let created = str_of(&reply["User"], "Username");
            page_url("/user", &[("pool", pool), ("username", created), done[0]])
        }
        _ => page_url(
            "/user",
            &[
                ("pool", pool),
                ("username", value(&values, "username")),
                done[0],
            ],
        ),
    };
    Ok(Answer::Redirect(to))
}

/// AdminCreateUser from the create form: the attributes given, the temporary password if
/// one was typed, and the invitation by the media the user has an address for (or none).
async fn create(cx: &Cx<'_>, values: &Values, temporary: &str) -> Result<Value, ApiError> {
    let mut attrs = Vec::new();
    for name in ["email", "phone_number"] {
        let v = value(values, name).trim();
        if !v.is_empty() {
            attrs.push(json!({ "Name": name, "Value": v }));
        }
    }
    if value(values, "email_verified") == "yes" {
        attrs.push(json!({ "Name": "email_verified", "Value": "true" }));
    }
    let mut input = json!({
        "UserPoolId": value(values, "pool"),
        "Username": value(values, "new_username").trim(),
        "UserAttributes": attrs,
    });
    if !temporary.is_empty() {
        input["TemporaryPassword"] = temporary.into();
    }
    if value(values, "invite") == "yes" {
        let mut media = Vec::new();
        if !value(values, "email").trim().is_empty() {
            media.push("EMAIL");
        }
        if !value(values, "phone_number").trim().is_empty() {
            media.push("SMS");
        }
        if !media.is_empty() {
            input["DesiredDeliveryMediums"] = json!(media);
        }
    } else {
        input["MessageAction"] = "SUPPRESS".into();
    }
    call(cx.app, "AdminCreateUser", input).await
}

/// The attributes the edit form changed: AdminUpdateUserAttributes for new values,
/// AdminDeleteUserAttributes for emptied ones.
async fn edit(cx: &Cx<'_>, who: &Value, values: &Values) -> Result<Value, ApiError> {
    let user = call(cx.app, "AdminGetUser", who.clone()).await?;
    let current: HashMap<String, String> =
        attributes(&user["UserAttributes"]).into_iter().collect();
    let mut changed = Vec::new();
    let mut emptied = Vec::new();
    for (field, v) in values {
        let Some(name) = field.strip_prefix("attr:") else {
            continue;
        };
        let v = v.trim();
        match current.get(name) {
            Some(old) if old == v => {}
            Some(_) if v.is_empty() => emptied.push(name.to_string()),
            _ if v.is_empty() => {}
            _ => changed.push(json!({ "Name": name, "Value": v })),
        }
    }
    let new_name = value(values, "new_name").trim();
    if !new_name.is_empty() {
        changed.push(json!({ "Name": new_name, "Value": value(values, "new_value").trim() }));
    }
    if changed.is_empty() && emptied.is_empty() {
        return Err(ApiError::invalid("Nothing was changed."));
    }
    let mut reply = Value::Null;
    if !changed.is_empty() {
        let mut input = who.clone();
        input["UserAttributes"] = Value::Array(changed);
        reply = call(cx.app, "AdminUpdateUserAttributes", input).await?;
    }
    if !emptied.is_empty() {
        let mut input = who.clone();
        input["UserAttributeNames"] = json!(emptied);
        reply = call(cx.app, "AdminDeleteUserAttributes", input).await?;
    }
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_say_what_was_done() {
        for a in ALL {
            assert_eq!(Action::from_name(a.name()), Some(a));
            assert!(!a.explains().is_empty() && !a.label().is_empty());
        }
        assert_eq!(done_text("disable"), Some("User disabled."));
        assert_eq!(done_text("<script>"), None);
        let u = url(
            "p",
            Some("a b"),
            Action::RemoveFromGroup,
            &[("group", "g&h")],
        );
        assert_eq!(
            u,
            "/_latchkey/console/action?pool=p&action=remove-from-group&username=a+b&group=g%26h"
        );
    }
}
