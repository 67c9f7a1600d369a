//! What a sign-in answers: the reply of InitiateAuth / RespondToAuthChallenge (a challenge, or
//! tokens). The flow and challenge names are Cognito enums ([`crate::userpool::enums`]).

use crate::secret::Secret;
pub use crate::userpool::enums::{AuthFlow, ChallengeName};
use crate::userpool::tokens::Issued;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// The sealed session to answer it with (a bearer of the challenge: never in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<Secret<String>>,
    /// The challenge's parameters.
    pub challenge_parameters: ChallengeParameters,
    /// The tokens, when the sign-in is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<Issued>,
    /// SELECT_CHALLENGE's choices (USER_AUTH).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub available_challenges: Vec<ChallengeName>,
}

impl AuthReply {
    /// A finished sign-in.
    pub fn tokens(issued: Issued) -> Self {
        Self {
            challenge_name: None,
            session: None,
            challenge_parameters: ChallengeParameters::new(),
            authentication_result: Some(issued),
            available_challenges: Vec::new(),
        }
    }

    /// A challenge to answer.
    pub fn challenge(
        name: ChallengeName,
        session: Option<Secret<String>>,
        challenge_parameters: ChallengeParameters,
    ) -> Self {
        Self {
            challenge_name: Some(name),
            session,
            challenge_parameters,
            authentication_result: None,
            available_challenges: Vec::new(),
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
            new_device_metadata: None,
        }))
        .unwrap();
        assert_eq!(
            t,
            serde_json::json!({"ChallengeParameters": {}, "AuthenticationResult":
                {"IdToken": "i", "AccessToken": "a", "ExpiresIn": 3600, "TokenType": "Bearer"}})
        );
    }
}
