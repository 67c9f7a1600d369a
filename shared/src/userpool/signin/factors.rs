//! Which second factor a sign-in asks for, from the pool's MFA setting and methods and the
//! user's MFA settings (as Cognito decides it):
//!
//! - OFF: none. OPTIONAL: the methods the user enabled that the pool allows; none if none.
//! - ON: the same; if the user enabled none, a registered TOTP, else an SMS code to the user's
//!   phone number, else an email code, else MFA_SETUP.
//! - One candidate, or the user's preferred one, is asked for; several: SELECT_MFA_TYPE.

use crate::userpool::enums::{ChallengeName, MfaConfiguration};
use crate::userpool::model::{User, UserPool};
use crate::userpool::pool_mfa;

/// A second factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    /// A code by SMS (SMS_MFA).
    Sms,
    /// A TOTP code (SOFTWARE_TOKEN_MFA).
    Totp,
    /// A code by email (EMAIL_OTP).
    Email,
}

impl Factor {
    /// Every factor, in the order Cognito lists them.
    pub const ALL: [Factor; 3] = [Factor::Sms, Factor::Totp, Factor::Email];

    /// The challenge that asks for it (also its name in `MFAS_CAN_CHOOSE` and `ANSWER`).
    pub fn challenge(self) -> ChallengeName {
        match self {
            Factor::Sms => ChallengeName::SmsMfa,
            Factor::Totp => ChallengeName::SoftwareTokenMfa,
            Factor::Email => ChallengeName::EmailOtp,
        }
    }

    /// The factor a SELECT_MFA_TYPE `ANSWER` names.
    pub fn named(answer: &str) -> Option<Factor> {
        Factor::ALL
            .into_iter()
            .find(|f| f.challenge().as_str() == answer)
    }

    fn allowed(self, pool: &UserPool) -> bool {
        match self {
            Factor::Sms => pool_mfa::sms_allowed(pool),
            Factor::Totp => pool_mfa::software_token_allowed(pool),
            Factor::Email => pool_mfa::email_allowed(pool),
        }
    }

    /// The user has what the factor needs: a registered secret, a phone number, an email.
    fn possible(self, user: &User) -> bool {
        match self {
            Factor::Sms => user.attributes.contains_key("phone_number"),
            Factor::Totp => user.mfa.totp_secret.is_some(),
            Factor::Email => user.attributes.contains_key("email"),
        }
    }

    fn enabled(self, user: &User) -> bool {
        match self {
            Factor::Sms => user.mfa.sms_enabled,
            Factor::Totp => user.mfa.totp_enabled,
            Factor::Email => user.mfa.email_enabled,
        }
    }

    fn preferred(self, user: &User) -> bool {
        match self {
            Factor::Sms => user.mfa.sms_preferred,
            Factor::Totp => user.mfa.totp_preferred,
            Factor::Email => user.mfa.email_preferred,
        }
    }
}

/// What follows the first factor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Next {
    /// Tokens.
    Done,
    /// Ask for this factor.
    Ask(Factor),
    /// Let the user choose among these (SELECT_MFA_TYPE).
    Choose(Vec<Factor>),
    /// MFA is required and the user has no method yet (MFA_SETUP).
    Setup,
}

/// Decides the second factor for `user` in `pool`.
pub fn decide(pool: &UserPool, user: &User) -> Next {
    if pool.mfa_configuration == MfaConfiguration::Off {
        return Next::Done;
    }
    let usable = |f: Factor| f.allowed(pool) && f.possible(user);
    let mut candidates: Vec<Factor> = Factor::ALL
        .into_iter()
        .filter(|f| usable(*f) && f.enabled(user))
        .collect();
    if candidates.is_empty() {
        if pool.mfa_configuration == MfaConfiguration::Optional {
            return Next::Done;
        }
        match [Factor::Totp, Factor::Sms, Factor::Email]
            .into_iter()
            .find(|f| usable(*f))
        {
            Some(f) => candidates.push(f),
            None => return Next::Setup,
        }
    }
    if let Some(p) = candidates.iter().find(|f| f.preferred(user)) {
        return Next::Ask(*p);
    }
    match candidates.as_slice() {
        [one] => Next::Ask(*one),
        _ => Next::Choose(candidates),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::conformance::sample_pool;
    use crate::userpool::model::UserStatus;

    fn pool(mfa: MfaConfiguration, methods: &[&str]) -> UserPool {
        let mut p = sample_pool("us-east-1_Test");
        p.mfa_configuration = mfa;
        for m in methods {
            p.passthrough.insert((*m).into(), serde_json::json!({}));
        }
        p
    }

    fn user(phone: bool, email: bool) -> User {
        let p = sample_pool("us-east-1_Test");
        let status = UserStatus::Confirmed;
        let mut u = User::new(
            &p,
            "alice".into(),
            "s".into(),
            Default::default(),
            status,
            None,
            0,
        );
        if phone {
            u.attributes
                .insert("phone_number".into(), "+15550100".into());
        }
        if email {
            u.attributes.insert("email".into(), "a@example.com".into());
        }
        u
    }

    #[test]
    fn optional_asks_only_for_enabled_methods() {
        let p = pool(MfaConfiguration::Optional, &["SmsMfaConfiguration"]);
        let mut u = user(true, true);
        assert_eq!(decide(&p, &u), Next::Done);
        u.mfa.sms_enabled = true;
        assert_eq!(decide(&p, &u), Next::Ask(Factor::Sms));
    }

    #[test]
    fn on_falls_back_to_what_the_user_has() {
        let p = pool(
            MfaConfiguration::On,
            &["SmsMfaConfiguration", "EmailMfaConfiguration"],
        );
        assert_eq!(decide(&p, &user(true, true)), Next::Ask(Factor::Sms));
        assert_eq!(decide(&p, &user(false, true)), Next::Ask(Factor::Email));
        let totp_off = pool(MfaConfiguration::On, &["SmsMfaConfiguration"]);
        let mut p2 = totp_off.clone();
        p2.passthrough.insert(
            "SoftwareTokenMfaConfiguration".into(),
            serde_json::json!({"Enabled": false}),
        );
        assert_eq!(decide(&p2, &user(false, false)), Next::Setup);
        assert_eq!(decide(&totp_off, &user(false, false)), Next::Setup);
    }

    #[test]
    fn several_enabled_choose_unless_one_is_preferred() {
        let p = pool(
            MfaConfiguration::Optional,
            &["SmsMfaConfiguration", "EmailMfaConfiguration"],
        );
        let mut u = user(true, true);
        u.mfa.sms_enabled = true;
        u.mfa.email_enabled = true;
        assert_eq!(
            decide(&p, &u),
            Next::Choose(vec![Factor::Sms, Factor::Email])
        );
        u.mfa.email_preferred = true;
        assert_eq!(decide(&p, &u), Next::Ask(Factor::Email));
        assert_eq!(Factor::named("EMAIL_OTP"), Some(Factor::Email));
        assert_eq!(Factor::named("NOPE"), None);
    }
}
