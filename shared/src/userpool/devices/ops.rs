//! The device operations: ConfirmDevice (the device's SRP verifier, after a sign-in handed
//! out its key), and a user's devices listed, read, marked remembered or not, and forgotten,
//! with the user's access token (ListDevices, GetDevice, UpdateDeviceStatus, ForgetDevice) or
//! by an administrator (the Admin* versions). Only confirmed devices are visible; a key is
//! confirmed once, and only by the user it was handed to.

use super::{configuration, load, modify, not_found};
use crate::clock::epoch_seconds;
use crate::error::{ApiError, ApiResult};
use crate::ids::{AccessToken, UserPoolId, Username};
use crate::store::StoreError;
use crate::userpool::access::authorize_access;
use crate::userpool::directory::load_user;
use crate::userpool::model::{Device, User, UserPool};
use crate::userpool::pools::{decode_token, encode_token, load_pool};
use crate::userpool::shapes::{AttributeType, Empty};
use crate::userpool::srp::SrpVerifier;
use crate::App;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// ListDevices' page size when the request names none (the model's largest).
const DEFAULT_LIMIT: usize = 60;

/// `DeviceSecretVerifierConfigType`: base64 of the padded hex the client library makes.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifierConfig {
    password_verifier: Option<String>,
    salt: Option<String>,
}

impl VerifierConfig {
    /// As the SRP verifier the device proof is checked against.
    fn parse(&self) -> ApiResult<SrpVerifier> {
        let bad = || ApiError::invalid("Invalid DeviceSecretVerifierConfig.");
        let decode = |v: &Option<String>| {
            v.as_deref()
                .and_then(|s| STANDARD.decode(s).ok())
                .filter(|b| !b.is_empty())
                .ok_or_else(bad)
        };
        SrpVerifier::from_bytes(&decode(&self.salt)?, &decode(&self.password_verifier)?)
            .ok_or_else(bad)
    }
}

/// ConfirmDevice's request.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceInput {
    access_token: AccessToken,
    device_key: String,
    device_secret_verifier_config: Option<VerifierConfig>,
    device_name: Option<String>,
}

/// ConfirmDevice's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmDeviceOutput {
    /// The pool remembers devices only when the user opts in (UpdateDeviceStatus).
    pub user_confirmation_necessary: bool,
}

/// ConfirmDevice: the device key a sign-in handed this user gets its SRP verifier and name;
/// it is remembered at once unless the pool wants the user's prompt.
pub async fn confirm_device(
    app: &App,
    input: ConfirmDeviceInput,
) -> ApiResult<ConfirmDeviceOutput> {
    let ctx = authorize_access(app, input.access_token.expose()).await?;
    let config = configuration(&ctx.pool).ok_or_else(not_found)?;
    let verifier = input
        .device_secret_verifier_config
        .as_ref()
        .ok_or_else(|| ApiError::invalid("DeviceSecretVerifierConfig is required."))?
        .parse()?;
    let device = load(app, &ctx.pool, &ctx.user, &input.device_key).await?;
    if device.confirmed() {
        return Err(already_confirmed());
    }
    let now = app.clock.now_millis();
    let remembered = !config.device_only_remembered_on_user_prompt;
    let name = input.device_name;
    modify(app, device, |d| {
        d.verifier = Some(verifier);
        d.name = name;
        d.remembered = remembered;
        d.expires_ms = None;
        d.last_authenticated_ms = Some(now);
    })
    .await
    .map_err(|e| match e {
        // Another ConfirmDevice won the race (or the key was forgotten meanwhile).
        StoreError::Conflict => already_confirmed(),
        other => other.into(),
    })?;
    Ok(ConfirmDeviceOutput {
        user_confirmation_necessary: config.device_only_remembered_on_user_prompt,
    })
}

fn already_confirmed() -> ApiError {
    ApiError::invalid("Device has already been confirmed.")
}

/// A confirmed device of `user`, or "Device does not exist."
async fn confirmed(app: &App, pool: &UserPool, user: &User, key: &str) -> ApiResult<Device> {
    Some(load(app, pool, user, key).await?)
        .filter(Device::confirmed)
        .ok_or_else(not_found)
}

/// `DeviceType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceType {
    /// The DeviceKey.
    pub device_key: String,
    /// `device_status`, `device_name`, `device_remembered_status`.
    pub device_attributes: Vec<AttributeType>,
    /// Epoch seconds.
    pub device_create_date: f64,
    /// Epoch seconds.
    pub device_last_modified_date: f64,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_last_authenticated_date: Option<f64>,
}

impl From<&Device> for DeviceType {
    fn from(d: &Device) -> Self {
        let attr = |name: &str, value: &str| AttributeType {
            name: name.into(),
            value: value.into(),
        };
        let mut device_attributes = vec![attr("device_status", "valid")];
        if let Some(name) = &d.name {
            device_attributes.push(attr("device_name", name));
        }
        let status = if d.remembered {
            "remembered"
        } else {
            "not_remembered"
        };
        device_attributes.push(attr("device_remembered_status", status));
        Self {
            device_key: d.device_key.clone(),
            device_attributes,
            device_create_date: epoch_seconds(d.created_ms),
            device_last_modified_date: epoch_seconds(d.modified_ms),
            device_last_authenticated_date: d.last_authenticated_ms.map(epoch_seconds),
        }
    }
}

/// ListDevices' and AdminListDevices' reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListDevicesOutput {
    /// This page.
    pub devices: Vec<DeviceType>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination_token: Option<String>,
}

/// GetDevice's and AdminGetDevice's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetDeviceOutput {
    /// The device.
    pub device: DeviceType,
}

async fn list(
    app: &App,
    pool: &UserPool,
    user: &User,
    limit: Option<i64>,
    token: Option<&str>,
) -> ApiResult<ListDevicesOutput> {
    let after = decode_token(token)?;
    let limit = match limit {
        Some(n) if n > 0 => usize::try_from(n).unwrap_or(DEFAULT_LIMIT),
        _ => DEFAULT_LIMIT,
    };
    let page = app
        .store
        .list_devices(&pool.id, &user.username_key, after.as_deref(), limit)
        .await?;
    Ok(ListDevicesOutput {
        devices: page.items.iter().map(DeviceType::from).collect(),
        pagination_token: page.next.as_deref().map(encode_token),
    })
}

async fn set_status(
    app: &App,
    pool: &UserPool,
    user: &User,
    key: &str,
    status: Option<&str>,
) -> ApiResult<Empty> {
    let remembered = match status {
        Some("remembered") => true,
        Some("not_remembered") => false,
        _ => return Err(ApiError::invalid("DeviceRememberedStatus is required.")),
    };
    let device = confirmed(app, pool, user, key).await?;
    if device.remembered != remembered {
        modify(app, device, |d| d.remembered = remembered)
            .await
            .map_err(|e| match e {
                StoreError::Conflict => not_found(),
                other => other.into(),
            })?;
    }
    Ok(Empty {})
}

async fn forget(app: &App, pool: &UserPool, user: &User, key: &str) -> ApiResult<Empty> {
    confirmed(app, pool, user, key).await?;
    app.store
        .delete_device(&pool.id, &user.username_key, key)
        .await?;
    Ok(Empty {})
}

/// Who names the device's user: its access token (the user operations), or an
/// administrator with the pool and username (the Admin* operations, signed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// ListDevices, GetDevice, UpdateDeviceStatus, ForgetDevice.
    User,
    /// AdminListDevices, AdminGetDevice, AdminUpdateDeviceStatus, AdminForgetDevice.
    Admin,
}

/// The request of every device operation (each takes the members it names; the model has
/// already refused missing required ones, and the [`Caller`] decides which are read).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceInput {
    access_token: Option<AccessToken>,
    user_pool_id: Option<UserPoolId>,
    username: Option<Username>,
    device_key: Option<String>,
    device_remembered_status: Option<String>,
    limit: Option<i64>,
    pagination_token: Option<String>,
}

impl DeviceInput {
    /// The pool and user: by access token for a user, by pool and username for an admin
    /// (never the other's members, so an unsigned call cannot name another user).
    async fn owner(&self, app: &App, caller: Caller) -> ApiResult<(Arc<UserPool>, User)> {
        match caller {
            Caller::Admin => {
                let missing = || ApiError::invalid("Missing required parameter Username");
                let (pool_id, username) = self
                    .user_pool_id
                    .as_ref()
                    .zip(self.username.as_ref())
                    .ok_or_else(missing)?;
                let pool = load_pool(app, pool_id.as_str()).await?;
                let user = load_user(app, &pool, username.as_str()).await?;
                Ok((pool, user))
            }
            Caller::User => {
                let token = self
                    .access_token
                    .as_ref()
                    .ok_or_else(|| ApiError::invalid("Missing required parameter AccessToken"))?;
                let ctx = authorize_access(app, token.expose()).await?;
                Ok((ctx.pool, ctx.user))
            }
        }
    }

    fn key(&self) -> ApiResult<&str> {
        self.device_key
            .as_deref()
            .ok_or_else(|| ApiError::invalid("Missing required parameter DeviceKey"))
    }
}

/// ListDevices and AdminListDevices.
pub async fn list_devices(
    app: &App,
    caller: Caller,
    input: DeviceInput,
) -> ApiResult<ListDevicesOutput> {
    let (pool, user) = input.owner(app, caller).await?;
    let token = input.pagination_token.as_deref();
    list(app, &pool, &user, input.limit, token).await
}

/// GetDevice and AdminGetDevice.
pub async fn get_device(
    app: &App,
    caller: Caller,
    input: DeviceInput,
) -> ApiResult<GetDeviceOutput> {
    let (pool, user) = input.owner(app, caller).await?;
    let device = confirmed(app, &pool, &user, input.key()?).await?;
    Ok(GetDeviceOutput {
        device: DeviceType::from(&device),
    })
}

/// UpdateDeviceStatus and AdminUpdateDeviceStatus.
pub async fn update_device_status(
    app: &App,
    caller: Caller,
    input: DeviceInput,
) -> ApiResult<Empty> {
    let (pool, user) = input.owner(app, caller).await?;
    let status = input.device_remembered_status.as_deref();
    set_status(app, &pool, &user, input.key()?, status).await
}

/// ForgetDevice and AdminForgetDevice.
pub async fn forget_device(app: &App, caller: Caller, input: DeviceInput) -> ApiResult<Empty> {
    let (pool, user) = input.owner(app, caller).await?;
    forget(app, &pool, &user, input.key()?).await
}
