//! A user's device as stored: the key handed out at sign-in (`NewDeviceMetadata`), and once
//! ConfirmDevice sets its SRP verifier, a tracked device that may be remembered.

use crate::userpool::srp::SrpVerifier;
use serde::{Deserialize, Serialize};

/// A device of one user. Until ConfirmDevice it has no verifier and expires.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Device {
    /// Pool.
    pub pool_id: String,
    /// The owner's storage key.
    pub username_key: String,
    /// `{region}_{uuid}`: the DeviceKey.
    pub device_key: String,
    /// The DeviceGroupKey (device SRP's "pool name").
    pub group_key: String,
    /// Optimistic-concurrency version: an update must carry the stored one plus one.
    pub version: u64,
    /// The device's SRP salt and verifier (ConfirmDevice); None until confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verifier: Option<SrpVerifier>,
    /// DeviceName from ConfirmDevice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `device_remembered_status`: remembered devices may skip MFA.
    #[serde(default)]
    pub remembered: bool,
    /// Creation, epoch ms.
    pub created_ms: i64,
    /// Last change, epoch ms.
    pub modified_ms: i64,
    /// Last device authentication (or confirmation), epoch ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_authenticated_ms: Option<i64>,
    /// When an unconfirmed key lapses, epoch ms (None once confirmed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_ms: Option<i64>,
}

impl Device {
    /// Whether ConfirmDevice gave it a verifier.
    pub fn confirmed(&self) -> bool {
        self.verifier.is_some()
    }

    /// Whether it is confirmed, or an unconfirmed key still in time at `now_ms`.
    pub fn live(&self, now_ms: i64) -> bool {
        self.confirmed() || self.expires_ms.is_none_or(|t| now_ms < t)
    }
}

/// `NewDeviceMetadata` of an authentication result: the key a sign-in on an unknown device
/// is given, for the client to confirm (ConfirmDevice) and present later (`DEVICE_KEY`).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct NewDeviceMetadata {
    /// The DeviceKey.
    pub device_key: String,
    /// The DeviceGroupKey.
    pub device_group_key: String,
}
