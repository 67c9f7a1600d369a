//! ListWebAuthnCredentials and DeleteWebAuthnCredential: a signed-in user's own passkeys.

use super::register::Empty;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::ids::AccessToken;
use crate::userpool::access::authorize_access;
use crate::userpool::directory::modify_user;
use crate::userpool::model::Passkey;
use crate::App;
use serde::{Deserialize, Serialize};

/// ListWebAuthnCredentials's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListInput {
    access_token: AccessToken,
    next_token: Option<String>,
    max_results: Option<usize>,
}

/// `WebAuthnCredentialDescription`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Description {
    credential_id: String,
    friendly_credential_name: String,
    relying_party_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    authenticator_attachment: Option<String>,
    authenticator_transports: Vec<String>,
    /// Epoch seconds, as Cognito's JSON timestamps are.
    created_at: f64,
}

/// ListWebAuthnCredentials's reply.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListOutput {
    credentials: Vec<Description>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The name shown for a passkey that was given none: what kind of authenticator it is.
pub fn friendly_name(p: &Passkey) -> String {
    if let Some(n) = &p.friendly_name {
        return n.clone();
    }
    match p.attachment.as_deref() {
        Some("platform") => "Platform passkey".into(),
        Some("cross-platform") => "Security key".into(),
        _ => "Passkey".into(),
    }
}

fn describe(p: &Passkey) -> Description {
    Description {
        credential_id: p.id.clone(),
        friendly_credential_name: friendly_name(p),
        relying_party_id: p.relying_party_id.clone(),
        authenticator_attachment: p.attachment.clone(),
        authenticator_transports: p.transports.clone(),
        created_at: p.created_ms as f64 / 1000.0,
    }
}

/// ListWebAuthnCredentials: oldest first; `NextToken` is the id of the last one returned.
pub async fn list_web_authn_credentials(app: &App, input: ListInput) -> ApiResult<ListOutput> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let limit = match input.max_results {
        None | Some(0) => super::MAX_PER_USER,
        Some(n) => n,
    };
    let all = &ctx.user.passkeys;
    let start = match &input.next_token {
        None => 0,
        Some(t) => {
            all.iter()
                .position(|p| &p.id == t)
                .ok_or_else(|| ApiError::invalid("Invalid NextToken."))?
                + 1
        }
    };
    let page: Vec<&Passkey> = all.iter().skip(start).take(limit).collect();
    let next_token = (start + page.len() < all.len())
        .then(|| page.last().map(|p| p.id.clone()))
        .flatten();
    Ok(ListOutput {
        credentials: page.into_iter().map(describe).collect(),
        next_token,
    })
}

/// DeleteWebAuthnCredential's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteInput {
    access_token: AccessToken,
    credential_id: String,
}

/// DeleteWebAuthnCredential: the passkey and its alias claim go in one conditional write.
pub async fn delete_web_authn_credential(app: &App, input: DeleteInput) -> ApiResult<Empty> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let id = input.credential_id;
    modify_user(app, &ctx.pool, ctx.user, |u| {
        let before = u.passkeys.len();
        u.passkeys.retain(|p| p.id != id);
        if u.passkeys.len() == before {
            return Err(ApiError::new(
                ErrorKind::ResourceNotFound,
                "Credential not found.",
            ));
        }
        Ok(())
    })
    .await?;
    Ok(Empty {})
}
