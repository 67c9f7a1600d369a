//! Cognito's user-pool enums, as the wire and the stored records spell them. Each value
//! (de)serializes as its wire name, so stored records keep the strings they always had.
//! Request enums reach the operations already checked against Cognito's model, so serde's
//! derive only ever sees valid names; a set narrower than the model's (ExplicitAuthFlows) is
//! read as strings and checked with the Cognito text before it is parsed.

use crate::error::{ApiError, ApiResult};

/// Checks every value of a list member is in `allowed` (Cognito's enum message).
pub fn check_enum_list(member: &str, values: &[String], allowed: &[&str]) -> ApiResult<()> {
    if values.iter().any(|v| !allowed.contains(&v.as_str())) {
        return Err(ApiError::constraint(
            member,
            &format!(
                "Member must satisfy constraint: [Member must satisfy enum value set: [{}]]",
                allowed.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Declares a Cognito enum: serde names, `as_str`, `NAMES`, `Display`, `FromStr`, and
/// comparison with a wire name (`pool.mfa_configuration != "OFF"`).
macro_rules! cognito_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $wire)] $variant),+
        }

        impl $name {
            /// Every wire name, in Cognito's order.
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($wire => Ok(Self::$variant),)+
                    _ => Err(UnknownValue),
                }
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    };
}

/// A string that names no value of the enum it was parsed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownValue;

cognito_enum! {
    /// `UserPoolMfaType`: whether sign-in asks for a second factor.
    MfaConfiguration {
        /// No MFA.
        Off = "OFF",
        /// Every user must use MFA.
        On = "ON",
        /// Users who set up MFA use it.
        Optional = "OPTIONAL",
    }
}

cognito_enum! {
    /// `DeletionProtectionType`.
    DeletionProtection {
        /// DeleteUserPool is refused.
        Active = "ACTIVE",
        /// DeleteUserPool works.
        Inactive = "INACTIVE",
    }
}

cognito_enum! {
    /// `DeliveryMediumType`: how a code or invitation is sent.
    DeliveryMedium {
        /// A text message.
        Sms = "SMS",
        /// An email.
        Email = "EMAIL",
    }
}

cognito_enum! {
    /// `ExplicitAuthFlowsType` values Latchkey accepts (the model also has the token-exchange
    /// flows, refused with Cognito's enum text).
    ExplicitAuthFlow {
        /// Legacy: AdminInitiateAuth with a plain password.
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        /// Legacy: custom authentication only.
        CustomAuthFlowOnly = "CUSTOM_AUTH_FLOW_ONLY",
        /// Legacy: InitiateAuth with a plain password.
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        /// AdminInitiateAuth with a plain password.
        AllowAdminUserPasswordAuth = "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        /// Custom authentication (Lambda challenges).
        AllowCustomAuth = "ALLOW_CUSTOM_AUTH",
        /// InitiateAuth with a plain password.
        AllowUserPasswordAuth = "ALLOW_USER_PASSWORD_AUTH",
        /// SRP.
        AllowUserSrpAuth = "ALLOW_USER_SRP_AUTH",
        /// Refresh tokens.
        AllowRefreshTokenAuth = "ALLOW_REFRESH_TOKEN_AUTH",
        /// Choice-based sign-in.
        AllowUserAuth = "ALLOW_USER_AUTH",
    }
}

impl ExplicitAuthFlow {
    /// Whether this is one of the values from before the `ALLOW_` ones.
    pub fn is_legacy(self) -> bool {
        !self.as_str().starts_with("ALLOW_")
    }
}

cognito_enum! {
    /// `TimeUnitsType`: the unit of a token lifetime.
    TimeUnit {
        /// Seconds.
        Seconds = "seconds",
        /// Minutes.
        Minutes = "minutes",
        /// Hours.
        Hours = "hours",
        /// Days.
        Days = "days",
    }
}

impl TimeUnit {
    /// Seconds in one of this unit.
    pub fn seconds(self) -> u64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3600,
            TimeUnit::Days => 86_400,
        }
    }
}

cognito_enum! {
    /// `PreventUserExistenceErrorTypes`.
    PreventUserExistenceErrors {
        /// Unknown users are reported as such.
        Legacy = "LEGACY",
        /// Unknown users answer like wrong passwords or codes.
        Enabled = "ENABLED",
    }
}

cognito_enum! {
    /// `AttributeDataType`: the type of a schema attribute.
    AttributeDataType {
        /// Text.
        String = "String",
        /// An integer.
        Number = "Number",
        /// A date (kept as text).
        DateTime = "DateTime",
        /// true or false.
        Boolean = "Boolean",
    }
}

cognito_enum! {
    /// `MessageActionType` of AdminCreateUser.
    MessageAction {
        /// Invite an existing FORCE_CHANGE_PASSWORD user again.
        Resend = "RESEND",
        /// Send no invitation.
        Suppress = "SUPPRESS",
    }
}

cognito_enum! {
    /// The MFA types a user can have set up (`UserMFASettingList`, `PreferredMfaSetting`).
    UserMfaSetting {
        /// A code by SMS.
        SmsMfa = "SMS_MFA",
        /// TOTP from an authenticator app.
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
        /// A code by email.
        EmailOtp = "EMAIL_OTP",
    }
}

cognito_enum! {
    /// `AuthFactorType`: a way to sign in first (`Policies.SignInPolicy.AllowedFirstAuthFactors`,
    /// `GetUserAuthFactors`).
    AuthFactor {
        /// A password, sent (PASSWORD) or proven by SRP (PASSWORD_SRP).
        Password = "PASSWORD",
        /// A one-time code by email.
        EmailOtp = "EMAIL_OTP",
        /// A one-time code by SMS.
        SmsOtp = "SMS_OTP",
        /// A passkey.
        WebAuthn = "WEB_AUTHN",
        /// An authenticator app (in Cognito's model; not a first factor).
        SoftwareToken = "SOFTWARE_TOKEN",
    }
}

cognito_enum! {
    /// `AuthFlowType`: how a sign-in starts.
    AuthFlow {
        /// Secure Remote Password.
        UserSrpAuth = "USER_SRP_AUTH",
        /// A refresh token.
        RefreshTokenAuth = "REFRESH_TOKEN_AUTH",
        /// A refresh token (the older name).
        RefreshToken = "REFRESH_TOKEN",
        /// Lambda-defined challenges.
        CustomAuth = "CUSTOM_AUTH",
        /// Username and password, from a back end (the older name).
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        /// Username and password.
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        /// Username and password, from a back end.
        AdminUserPasswordAuth = "ADMIN_USER_PASSWORD_AUTH",
        /// Choice-based sign-in.
        UserAuth = "USER_AUTH",
    }
}

cognito_enum! {
    /// `ChallengeNameType`: what a sign-in asks next.
    ChallengeName {
        /// A code by SMS (MFA).
        SmsMfa = "SMS_MFA",
        /// A code by email.
        EmailOtp = "EMAIL_OTP",
        /// A TOTP code.
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
        /// Choose an MFA method.
        SelectMfaType = "SELECT_MFA_TYPE",
        /// Set up MFA.
        MfaSetup = "MFA_SETUP",
        /// The SRP password claim.
        PasswordVerifier = "PASSWORD_VERIFIER",
        /// A Lambda-defined challenge.
        CustomChallenge = "CUSTOM_CHALLENGE",
        /// Choose a first factor (USER_AUTH).
        SelectChallenge = "SELECT_CHALLENGE",
        /// Device SRP.
        DeviceSrpAuth = "DEVICE_SRP_AUTH",
        /// The device SRP claim.
        DevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER",
        /// Username and password, from a back end.
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        /// Set a new password.
        NewPasswordRequired = "NEW_PASSWORD_REQUIRED",
        /// A code by SMS.
        SmsOtp = "SMS_OTP",
        /// A password (USER_AUTH).
        Password = "PASSWORD",
        /// A passkey.
        WebAuthn = "WEB_AUTHN",
        /// A password by SRP (USER_AUTH).
        PasswordSrp = "PASSWORD_SRP",
    }
}

cognito_enum! {
    /// `UserImportJobStatusType`.
    ImportJobStatus {
        /// Created, not started.
        Created = "Created",
        /// Started, no row read yet.
        Pending = "Pending",
        /// Rows are being imported.
        InProgress = "InProgress",
        /// StopUserImportJob asked; the runner stops at the next row.
        Stopping = "Stopping",
        /// Not started within 24 hours of its creation.
        Expired = "Expired",
        /// Stopped by StopUserImportJob.
        Stopped = "Stopped",
        /// The file could not be imported.
        Failed = "Failed",
        /// Every row was read.
        Succeeded = "Succeeded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_their_wire_names() {
        assert_eq!(
            serde_json::to_value(MfaConfiguration::Optional).unwrap(),
            "OPTIONAL"
        );
        assert_eq!(
            serde_json::from_value::<TimeUnit>("minutes".into()).unwrap(),
            TimeUnit::Minutes
        );
        assert_eq!(
            "ADMIN_NO_SRP_AUTH".parse(),
            Ok(ExplicitAuthFlow::AdminNoSrpAuth)
        );
        assert!(ExplicitAuthFlow::AdminNoSrpAuth.is_legacy());
        assert!(!ExplicitAuthFlow::AllowUserAuth.is_legacy());
        assert_eq!(
            "ALLOW_TOKEN_EXCHANGE_DELEGATION".parse::<ExplicitAuthFlow>(),
            Err(UnknownValue)
        );
        assert!(DeletionProtection::Active == "ACTIVE");
        assert_eq!(DeliveryMedium::Sms.to_string(), "SMS");
    }
}
