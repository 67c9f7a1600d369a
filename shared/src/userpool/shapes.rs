//! Output shapes several user-pool operations share: `AttributeType`, `UserType`, `GroupType`,
//! `CodeDeliveryDetailsType`, the MFA members of GetUser / AdminGetUser, and the empty reply.
//! Dates are epoch seconds (numbers), as Cognito sends them.

use super::enums::{DeliveryMedium, UserMfaSetting};
use super::model::{Group, User};
use crate::clock::epoch_seconds;
use serde::Serialize;

/// The reply of an operation that answers `{}`.
#[derive(Debug, Default, Serialize)]
pub struct Empty {}

/// `AttributeType`: one user attribute.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeType {
    /// `email`, `custom:tier`, ...
    pub name: String,
    /// The value, as a string.
    pub value: String,
}

/// `[{Name, Value}]` of the attributes of `user` (`sub` first) that `visible` accepts.
pub fn attributes(user: &User, visible: impl Fn(&str) -> bool) -> Vec<AttributeType> {
    user.attribute_list()
        .into_iter()
        .filter(|(n, _)| visible(n))
        .map(|(name, value)| AttributeType { name, value })
        .collect()
}

/// `UserType` (ListUsers, AdminCreateUser, ListUsersInGroup): note `Attributes`, not
/// `UserAttributes`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserType {
    /// The internal username.
    pub username: String,
    /// The attributes asked for (all by default).
    pub attributes: Vec<AttributeType>,
    /// Epoch seconds.
    pub user_create_date: f64,
    /// Epoch seconds.
    pub user_last_modified_date: f64,
    /// False after AdminDisableUser.
    pub enabled: bool,
    /// UNCONFIRMED, CONFIRMED, ...
    pub user_status: &'static str,
}

impl UserType {
    /// `user`, with only the attributes named in `only` when given.
    pub fn of(user: &User, only: Option<&[String]>) -> Self {
        Self {
            username: user.username.clone(),
            attributes: attributes(user, |n| only.is_none_or(|o| o.iter().any(|a| a == n))),
            user_create_date: epoch_seconds(user.created_ms),
            user_last_modified_date: epoch_seconds(user.modified_ms),
            enabled: user.enabled,
            user_status: user.status.as_str(),
        }
    }
}

/// The MFA members of GetUser / AdminGetUser, each absent when not set up.
#[derive(Debug, Default, Serialize)]
pub struct MfaSettings {
    /// `UserMFASettingList`: the MFA types the user has enabled.
    #[serde(rename = "UserMFASettingList", skip_serializing_if = "Vec::is_empty")]
    pub setting_list: Vec<UserMfaSetting>,
    /// `PreferredMfaSetting`.
    #[serde(
        rename = "PreferredMfaSetting",
        skip_serializing_if = "Option::is_none"
    )]
    pub preferred: Option<UserMfaSetting>,
}

impl MfaSettings {
    /// `UserMFASettingList` and `PreferredMfaSetting` of `user`.
    pub fn of(user: &User) -> Self {
        use super::enums::UserMfaSetting::{EmailOtp, SmsMfa, SoftwareTokenMfa};
        let m = &user.mfa;
        let each = [
            (SmsMfa, m.sms_enabled, m.sms_preferred),
            (SoftwareTokenMfa, m.totp_enabled, m.totp_preferred),
            (EmailOtp, m.email_enabled, m.email_preferred),
        ];
        Self {
            setting_list: each.iter().filter(|e| e.1).map(|e| e.0).collect(),
            preferred: each.iter().find(|e| e.1 && e.2).map(|e| e.0),
        }
    }
}

/// `GroupType`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupType {
    /// GroupName.
    pub group_name: String,
    /// The pool.
    pub user_pool_id: String,
    /// Epoch seconds.
    pub last_modified_date: f64,
    /// Epoch seconds.
    pub creation_date: f64,
    /// Description, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// IAM role, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Precedence, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precedence: Option<i64>,
}

impl From<&Group> for GroupType {
    fn from(g: &Group) -> Self {
        Self {
            group_name: g.name.clone(),
            user_pool_id: g.pool_id.clone(),
            last_modified_date: epoch_seconds(g.modified_ms),
            creation_date: epoch_seconds(g.created_ms),
            description: g.description.clone(),
            role_arn: g.role_arn.clone(),
            precedence: g.precedence,
        }
    }
}

/// ListGroups' and AdminListGroupsForUser's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListGroupsOutput {
    /// This page.
    pub groups: Vec<GroupType>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListUsersInGroup's reply.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersInGroupOutput {
    /// This page.
    pub users: Vec<UserType>,
    /// The next page's token, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// `CodeDeliveryDetailsType`: where a code went, the destination masked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryDetails {
    /// Masked address or number (`a***@e***`).
    pub destination: String,
    /// EMAIL or SMS.
    pub delivery_medium: DeliveryMedium,
    /// `email` or `phone_number`.
    pub attribute_name: &'static str,
}

/// `{CodeDeliveryDetails}`: the reply of ForgotPassword, ResendConfirmationCode and
/// GetUserAttributeVerificationCode.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryOutput {
    /// Where the code went.
    pub code_delivery_details: CodeDeliveryDetails,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_members_are_left_out() {
        let g = Group {
            pool_id: "p".into(),
            name: "g".into(),
            description: None,
            role_arn: Some("arn:r".into()),
            precedence: Some(0),
            created_ms: 1500,
            modified_ms: 2000,
        };
        assert_eq!(
            serde_json::to_value(GroupType::from(&g)).unwrap(),
            json!({"GroupName": "g", "UserPoolId": "p", "LastModifiedDate": 2.0,
                   "CreationDate": 1.5, "RoleArn": "arn:r", "Precedence": 0})
        );
        assert_eq!(
            serde_json::to_value(MfaSettings::default()).unwrap(),
            json!({})
        );
        let set = MfaSettings {
            setting_list: vec![UserMfaSetting::SoftwareTokenMfa],
            preferred: Some(UserMfaSetting::SoftwareTokenMfa),
        };
        assert_eq!(
            serde_json::to_value(set).unwrap(),
            json!({"UserMFASettingList": ["SOFTWARE_TOKEN_MFA"],
                   "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"})
        );
        assert_eq!(serde_json::to_value(Empty {}).unwrap(), json!({}));
    }
}
