//! UI customization of the hosted pages: SetUICustomization, GetUICustomization, and
//! [`for_client`], which the login pages call for the CSS and logo in force for a client.
//!
//! A client's own customization wins; a client without one falls back to the pool's `ALL`
//! setting, as in Cognito. The CSS is checked by [`super::ui_css`]; the logo must be a PNG or
//! JPEG of at most 100 KB. `ImageUrl` is a `data:` URL of the logo, so every entry point
//! (server and Lambda) serves it without an extra route or bucket.

use super::model::{Logo, LogoType, UiCustomization, ALL_CLIENTS};
use super::pools::load_pool;
use crate::clock::epoch_seconds;
use crate::error::{ApiError, ApiResult};
use crate::ids::UserPoolId;
use crate::App;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Largest logo accepted, bytes (Cognito: 100 KB).
pub const MAX_LOGO_BYTES: usize = 100 * 1024;

/// `UICustomizationType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UiCustomizationType {
    /// The pool.
    pub user_pool_id: String,
    /// The client, or `ALL`.
    pub client_id: String,
    /// The logo as a `data:` URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// The CSS.
    #[serde(rename = "CSS", skip_serializing_if = "Option::is_none")]
    pub css: Option<String>,
    /// The CSS's version.
    #[serde(rename = "CSSVersion", skip_serializing_if = "Option::is_none")]
    pub css_version: Option<String>,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<f64>,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_date: Option<f64>,
}

impl From<&UiCustomization> for UiCustomizationType {
    fn from(u: &UiCustomization) -> Self {
        Self {
            user_pool_id: u.pool_id.clone(),
            client_id: u.client_id.clone(),
            image_url: u.logo.as_ref().map(Logo::data_url),
            css: u.css.clone(),
            css_version: Some(u.css_version.clone()),
            last_modified_date: Some(epoch_seconds(u.modified_ms)),
            creation_date: Some(epoch_seconds(u.created_ms)),
        }
    }
}

/// Set- and GetUICustomization's reply.
#[derive(Debug, Serialize)]
pub struct UiCustomizationOutput {
    /// The customization.
    #[serde(rename = "UICustomization")]
    pub ui_customization: UiCustomizationType,
}

impl Logo {
    /// The logo as a `data:` URL (`ImageUrl`, and the login pages' `<img src>`).
    pub fn data_url(&self) -> String {
        format!("data:{};base64,{}", self.kind.media_type(), self.base64)
    }
}

/// The logo in `ImageFile` (base64 on the wire), checked.
fn logo(image_file: &str) -> ApiResult<Logo> {
    let bytes = STANDARD
        .decode(image_file)
        .map_err(|_| ApiError::invalid("The image file is not valid base64."))?;
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(ApiError::invalid(
            "The image file is larger than the maximum size of 100 KB.",
        ));
    }
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        LogoType::Png
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        LogoType::Jpeg
    } else {
        return Err(ApiError::invalid(
            "The image file must be a PNG or JPEG image.",
        ));
    };
    Ok(Logo {
        kind,
        base64: STANDARD.encode(&bytes),
    })
}

/// The client key a request names: the client (which must be the pool's), or `ALL`.
async fn client_key(app: &App, pool_id: &str, client_id: Option<String>) -> ApiResult<String> {
    match client_id {
        None => Ok(ALL_CLIENTS.to_string()),
        Some(id) if id == ALL_CLIENTS => Ok(id),
        Some(id) => {
            let client = app.configs.client(app.store.as_ref(), &id).await?;
            if client.is_none_or(|c| c.pool_id != pool_id) {
                return Err(ApiError::client_not_found(&id));
            }
            Ok(id)
        }
    }
}

/// SetUICustomization's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SetUiCustomizationInput {
    user_pool_id: UserPoolId,
    client_id: Option<String>,
    #[serde(rename = "CSS")]
    css: Option<String>,
    image_file: Option<String>,
}

/// SetUICustomization: replaces the client's (or the pool's `ALL`) CSS and logo together.
/// The pool needs a domain first, as in Cognito.
pub async fn set_ui_customization(
    app: &App,
    input: SetUiCustomizationInput,
) -> ApiResult<UiCustomizationOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    if let Some(css) = &input.css {
        super::ui_css::check(css)?;
    }
    let logo = input.image_file.as_deref().map(logo).transpose()?;
    if app.store.pool_domains(&pool.id).await?.is_empty() {
        return Err(ApiError::invalid(
            "A domain must be associated with this user pool.",
        ));
    }
    let client_id = client_key(app, &pool.id, input.client_id).await?;
    let now = app.clock.now_millis();
    let stored = app
        .store
        .put_ui_customization(&UiCustomization {
            pool_id: pool.id.clone(),
            client_id,
            css: input.css,
            logo,
            css_version: now.to_string(),
            created_ms: now,
            modified_ms: now,
        })
        .await?;
    Ok(UiCustomizationOutput {
        ui_customization: (&stored).into(),
    })
}

/// GetUICustomization's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetUiCustomizationInput {
    user_pool_id: UserPoolId,
    client_id: Option<String>,
}

/// GetUICustomization: the client's setting, else the pool's `ALL` one, else just the ids.
pub async fn get_ui_customization(
    app: &App,
    input: GetUiCustomizationInput,
) -> ApiResult<UiCustomizationOutput> {
    let pool = load_pool(app, input.user_pool_id.as_str()).await?;
    let key = client_key(app, &pool.id, input.client_id).await?;
    let found = effective(app, &pool.id, &key).await?;
    let ui_customization = match &found {
        Some(u) => u.into(),
        None => UiCustomizationType {
            user_pool_id: pool.id.clone(),
            client_id: key,
            image_url: None,
            css: None,
            css_version: None,
            last_modified_date: None,
            creation_date: None,
        },
    };
    Ok(UiCustomizationOutput { ui_customization })
}

async fn effective(app: &App, pool_id: &str, key: &str) -> ApiResult<Option<UiCustomization>> {
    if key != ALL_CLIENTS {
        if let Some(own) = app.store.get_ui_customization(pool_id, key).await? {
            return Ok(Some(own));
        }
    }
    Ok(app.store.get_ui_customization(pool_id, ALL_CLIENTS).await?)
}

/// The customization in force for a client's hosted pages: its own, else the pool's `ALL`,
/// else none. The CSS was checked when set (safe inside `<style>`); the logo's
/// [`Logo::data_url`] is its `<img src>`.
pub async fn for_client(
    app: &App,
    pool_id: &str,
    client_id: &str,
) -> ApiResult<Option<UiCustomization>> {
    effective(app, pool_id, client_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_png_or_jpeg_up_to_100_kb() {
        let png = STANDARD.encode(b"\x89PNG\r\n\x1a\nrest");
        assert_eq!(logo(&png).unwrap().kind, LogoType::Png);
        assert!(logo(&png)
            .unwrap()
            .data_url()
            .starts_with("data:image/png;base64,iVBOR"));
        let jpeg = STANDARD.encode([0xFF, 0xD8, 0xFF, 0xE0]);
        assert_eq!(logo(&jpeg).unwrap().kind, LogoType::Jpeg);
        assert!(logo(&STANDARD.encode(b"GIF89a")).is_err());
        assert!(logo("***").is_err());
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_LOGO_BYTES + 1, 0);
        assert!(logo(&STANDARD.encode(&big)).is_err());
    }
}
