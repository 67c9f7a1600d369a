//! What a sign-in answers: Cognito's `AuthFlowType` and `ChallengeNameType` enums, and the
//! reply of InitiateAuth / RespondToAuthChallenge (a challenge, or tokens).

use crate::userpool::tokens::Issued;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cognito's `AuthFlowType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum AuthFlow {
    UserSrpAuth,
    RefreshTokenAuth,
    RefreshToken,
    CustomAuth,
    AdminNoSrpAuth,
    UserPasswordAuth,
    AdminUserPasswordAuth,
    UserAuth,
}

impl AuthFlow {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserSrpAuth => "USER_SRP_AUTH",
            Self::RefreshTokenAuth => "REFRESH_TOKEN_AUTH",
            Self::RefreshToken => "REFRESH_TOKEN",
            Self::CustomAuth => "CUSTOM_AUTH",
            Self::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            Self::UserPasswordAuth => "USER_PASSWORD_AUTH",
            Self::AdminUserPasswordAuth => "ADMIN_USER_PASSWORD_AUTH",
            Self::UserAuth => "USER_AUTH",
        }
    }
}

/// Cognito's `ChallengeNameType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum ChallengeName {
    SmsMfa,
    EmailOtp,
    SoftwareTokenMfa,
    SelectMfaType,
    MfaSetup,
    PasswordVerifier,
    CustomChallenge,
    SelectChallenge,
    DeviceSrpAuth,
    DevicePasswordVerifier,
    AdminNoSrpAuth,
    NewPasswordRequired,
    SmsOtp,
    Password,
    WebAuthn,
    PasswordSrp,
}

impl ChallengeName {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SmsMfa => "SMS_MFA",
            Self::EmailOtp => "EMAIL_OTP",
            Self::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Self::SelectMfaType => "SELECT_MFA_TYPE",
            Self::MfaSetup => "MFA_SETUP",
            Self::PasswordVerifier => "PASSWORD_VERIFIER",
            Self::CustomChallenge => "CUSTOM_CHALLENGE",
            Self::SelectChallenge => "SELECT_CHALLENGE",
            Self::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            Self::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            Self::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Self::SmsOtp => "SMS_OTP",
            Self::Password => "PASSWORD",
            Self::WebAuthn => "WEB_AUTHN",
            Self::PasswordSrp => "PASSWORD_SRP",
        }
    }
}

/// `ChallengeParameters`: names to strings (structured values travel as JSON strings).
pub type ChallengeParameters = BTreeMap<String, String>;

/// The reply of InitiateAuth, AdminInitiateAuth and both RespondToAuthChallenges: the next
/// challenge, or tokens (`ChallengeParameters` is always present, empty with tokens).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthReply {
    /// The next challenge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<ChallengeName>,
    /// The sealed session to answer it with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The challenge's parameters.
    pub challenge_parameters: ChallengeParameters,
    /// The tokens, when the sign-in is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<Issued>,
}

impl AuthReply {
    /// A finished sign-in.
    pub fn tokens(issued: Issued) -> Self {
        Self {
            challenge_name: None,
            session: None,
            challenge_parameters: ChallengeParameters::new(),
            authentication_result: Some(issued),
        }
    }

    /// A challenge to answer.
    pub fn challenge(
        name: ChallengeName,
        session: Option<String>,
        challenge_parameters: ChallengeParameters,
    ) -> Self {
        Self {
            challenge_name: Some(name),
            session,
            challenge_parameters,
            authentication_result: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_use_the_wire_names() {
        for name in [
            ChallengeName::WebAuthn,
            ChallengeName::SmsMfa,
            ChallengeName::MfaSetup,
        ] {
            let wire = serde_json::to_value(name).unwrap();
            assert_eq!(wire, name.as_str());
            assert_eq!(serde_json::from_value::<ChallengeName>(wire).unwrap(), name);
        }
        for flow in [
            AuthFlow::AdminNoSrpAuth,
            AuthFlow::UserSrpAuth,
            AuthFlow::RefreshToken,
        ] {
            assert_eq!(serde_json::to_value(flow).unwrap(), flow.as_str());
        }
    }

    #[test]
    fn a_challenge_has_no_tokens_and_tokens_no_challenge() {
        let c = serde_json::to_value(AuthReply::challenge(
            ChallengeName::PasswordVerifier,
            None,
            ChallengeParameters::from([("SALT".into(), "ab".into())]),
        ))
        .unwrap();
        assert_eq!(
            c,
            serde_json::json!({"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": {"SALT": "ab"}})
        );
        let t = serde_json::to_value(AuthReply::tokens(Issued {
            id_token: "i".into(),
            access_token: "a".into(),
            refresh_token: None,
            expires_in: 3600,
            token_type: "Bearer",
        }))
        .unwrap();
        assert_eq!(
            t,
            serde_json::json!({"ChallengeParameters": {}, "AuthenticationResult":
                {"IdToken": "i", "AccessToken": "a", "ExpiresIn": 3600, "TokenType": "Bearer"}})
        );
    }
}
