//! Remembered devices (cognito-wire.md §10): the pool's `DeviceConfiguration`, the device a
//! sign-in presents (`DEVICE_KEY`), and the key a sign-in on an unknown device is handed
//! (`NewDeviceMetadata`). The API operations on devices are in [`ops`]; the device SRP
//! answers of a sign-in in `signin::device`.
//!
//! A pool tracks devices when its DeviceConfiguration has any member (as in Cognito); else
//! `DEVICE_KEY` is ignored and no key is handed out. A key handed out is stored unconfirmed
//! and lapses after a day unless ConfirmDevice gives it an SRP verifier.

pub mod ops;

use crate::call::Call;
use crate::error::{ApiError, ApiResult, ErrorKind};
use crate::store::StoreError;
use crate::userpool::model::{Device, User, UserPool};
use crate::App;
use serde::{Deserialize, Serialize};

/// How long a key handed out at sign-in waits for ConfirmDevice.
const UNCONFIRMED_MS: i64 = 86_400_000;
/// Characters of a DeviceGroupKey after its leading `-`.
const GROUP_KEY_LEN: usize = 9;
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `DeviceConfigurationType`, as CreateUserPool / UpdateUserPool store it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceConfiguration {
    /// A remembered device signs in with its device proof instead of an MFA code.
    #[serde(default)]
    pub challenge_required_on_new_device: bool,
    /// ConfirmDevice answers `UserConfirmationNecessary` and leaves the device not
    /// remembered until UpdateDeviceStatus (the user opts in); else it is remembered at once.
    #[serde(default)]
    pub device_only_remembered_on_user_prompt: bool,
}

/// The pool's device configuration, when it tracks devices.
pub fn configuration(pool: &UserPool) -> Option<DeviceConfiguration> {
    let value = pool.passthrough.get("DeviceConfiguration")?;
    if value.as_object().is_none_or(|m| m.is_empty()) {
        return None;
    }
    serde_json::from_value(value.clone()).ok()
}

/// Whether a remembered device's proof replaces the MFA code in this pool.
pub fn suppresses_mfa(pool: &UserPool) -> bool {
    configuration(pool).is_some_and(|c| c.challenge_required_on_new_device)
}

/// Cognito's refusal of a device key the user does not have (amazon-cognito-identity-js and
/// Amplify drop their cached key on "Device does not exist." and sign in again without it).
pub fn not_found() -> ApiError {
    ApiError::new(ErrorKind::ResourceNotFound, "Device does not exist.")
}

/// A live device (confirmed, or an unconfirmed key still in time) of `user`, or [`not_found`].
pub async fn load(app: &App, pool: &UserPool, user: &User, device_key: &str) -> ApiResult<Device> {
    let now = app.clock.now_millis();
    app.store
        .get_device(&pool.id, &user.username_key, device_key)
        .await?
        .filter(|d| d.live(now))
        .ok_or_else(not_found)
}

/// The device this sign-in presents (`DEVICE_KEY`) when the pool tracks devices: None when
/// it presents none, [`not_found`] when the key is not a live device of `user`.
pub async fn presented(app: &Call<'_>, pool: &UserPool, user: &User) -> ApiResult<Option<Device>> {
    if configuration(pool).is_none() || app.authorization().is_some() {
        return Ok(None);
    }
    match app.request().device_key() {
        Some(key) => Ok(Some(load(app, pool, user, key).await?)),
        None => Ok(None),
    }
}

/// A new device key for `user`, stored unconfirmed, when the pool tracks devices and the
/// sign-in is an API one (the managed login pages hand out no device keys).
pub async fn track_new(app: &Call<'_>, pool: &UserPool, user: &User) -> ApiResult<Option<Device>> {
    if configuration(pool).is_none() || app.authorization().is_some() {
        return Ok(None);
    }
    let now = app.clock.now_millis();
    let random = app.random.as_ref();
    let device = Device {
        pool_id: pool.id.clone(),
        username_key: user.username_key.clone(),
        device_key: format!("{}_{}", app.settings.region, crate::random::uuid_v4(random)),
        group_key: format!(
            "-{}",
            crate::random::string_from(random, ALPHANUMERIC, GROUP_KEY_LEN)
        ),
        version: 1,
        verifier: None,
        name: None,
        remembered: false,
        created_ms: now,
        modified_ms: now,
        last_authenticated_ms: None,
        expires_ms: Some(now + UNCONFIRMED_MS),
    };
    app.store.create_device(&device).await?;
    Ok(Some(device))
}

/// Applies `change` to a stored device with a version check: Conflict when another writer
/// changed it since `device` was read (the caller decides whether to retry or refuse).
pub async fn modify(
    app: &App,
    mut device: Device,
    change: impl FnOnce(&mut Device),
) -> Result<Device, StoreError> {
    change(&mut device);
    device.version += 1;
    device.modified_ms = app.clock.now_millis();
    app.store.update_device(&device).await?;
    Ok(device)
}
