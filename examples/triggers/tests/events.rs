//! Every sample in `events/triggers/` parses as its `aws_lambda_events` Cognito type, carries
//! the full common envelope, and names the trigger source its file is for; and every file there
//! is covered, so a new sample cannot go unchecked.

use std::path::{Path, PathBuf};

use aws_lambda_events::event::cognito::{
    CognitoEventUserPoolsCreateAuthChallenge, CognitoEventUserPoolsCustomMessage,
    CognitoEventUserPoolsDefineAuthChallenge, CognitoEventUserPoolsHeader,
    CognitoEventUserPoolsMigrateUser, CognitoEventUserPoolsPostAuthentication,
    CognitoEventUserPoolsPostConfirmation, CognitoEventUserPoolsPreAuthentication,
    CognitoEventUserPoolsPreSignup, CognitoEventUserPoolsPreTokenGen,
    CognitoEventUserPoolsPreTokenGenV2, CognitoEventUserPoolsVerifyAuthChallenge,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The samples, each with the `triggerSource` and `version` it must carry.
const SAMPLES: &[(&str, &str, &str)] = &[
    ("pre-sign-up.json", "PreSignUp_SignUp", "1"),
    (
        "post-confirmation.json",
        "PostConfirmation_ConfirmSignUp",
        "1",
    ),
    (
        "pre-authentication.json",
        "PreAuthentication_Authentication",
        "1",
    ),
    (
        "post-authentication.json",
        "PostAuthentication_Authentication",
        "1",
    ),
    (
        "pre-token-generation-v1.json",
        "TokenGeneration_Authentication",
        "1",
    ),
    (
        "pre-token-generation-v2.json",
        "TokenGeneration_Authentication",
        "2",
    ),
    ("custom-message.json", "CustomMessage_SignUp", "1"),
    (
        "user-migration-authentication.json",
        "UserMigration_Authentication",
        "1",
    ),
    (
        "user-migration-forgot-password.json",
        "UserMigration_ForgotPassword",
        "1",
    ),
    (
        "define-auth-challenge.json",
        "DefineAuthChallenge_Authentication",
        "1",
    ),
    (
        "create-auth-challenge.json",
        "CreateAuthChallenge_Authentication",
        "1",
    ),
    (
        "verify-auth-challenge-response.json",
        "VerifyAuthChallengeResponse_Authentication",
        "1",
    ),
];

/// The custom sender samples (no `aws_lambda_events` type, no `response` member), with the
/// `triggerSource` each must carry.
const SENDER_SAMPLES: &[(&str, &str)] = &[
    ("custom-email-sender.json", "CustomEmailSender_SignUp"),
    (
        "custom-email-sender-no-code.json",
        "CustomEmailSender_AccountTakeOverNotification",
    ),
    ("custom-sms-sender.json", "CustomSMSSender_AdminCreateUser"),
];

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events/triggers")
}

fn read(name: &str) -> String {
    let path = events_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What a typed parse of a sample saw of its common envelope.
struct Envelope {
    version: Option<String>,
    has_trigger_source: bool,
    region: Option<String>,
    user_pool_id: Option<String>,
    user_name: Option<String>,
    client_id: Option<String>,
}

/// Parses `name` as `T` and returns the envelope the type saw.
fn parse<T: DeserializeOwned, S>(
    name: &str,
    header: impl Fn(&T) -> &CognitoEventUserPoolsHeader<S>,
) -> Envelope {
    let event: T = serde_json::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let h = header(&event);
    Envelope {
        version: h.version.clone(),
        has_trigger_source: h.trigger_source.is_some(),
        region: h.region.clone(),
        user_pool_id: h.user_pool_id.clone(),
        user_name: h.user_name.clone(),
        client_id: h.caller_context.client_id.clone(),
    }
}

fn typed(name: &str) -> Envelope {
    match name {
        "pre-sign-up.json" => parse(name, |e: &CognitoEventUserPoolsPreSignup| {
            &e.cognito_event_user_pools_header
        }),
        "post-confirmation.json" => parse(name, |e: &CognitoEventUserPoolsPostConfirmation| {
            &e.cognito_event_user_pools_header
        }),
        "pre-authentication.json" => parse(name, |e: &CognitoEventUserPoolsPreAuthentication| {
            &e.cognito_event_user_pools_header
        }),
        "post-authentication.json" => parse(name, |e: &CognitoEventUserPoolsPostAuthentication| {
            &e.cognito_event_user_pools_header
        }),
        "pre-token-generation-v1.json" => parse(name, |e: &CognitoEventUserPoolsPreTokenGen| {
            &e.cognito_event_user_pools_header
        }),
        "pre-token-generation-v2.json" => parse(name, |e: &CognitoEventUserPoolsPreTokenGenV2| {
            &e.cognito_event_user_pools_header
        }),
        "custom-message.json" => parse(name, |e: &CognitoEventUserPoolsCustomMessage| {
            &e.cognito_event_user_pools_header
        }),
        "user-migration-authentication.json" | "user-migration-forgot-password.json" => {
            parse(name, |e: &CognitoEventUserPoolsMigrateUser| {
                &e.cognito_event_user_pools_header
            })
        }
        "define-auth-challenge.json" => {
            parse(name, |e: &CognitoEventUserPoolsDefineAuthChallenge| {
                &e.cognito_event_user_pools_header
            })
        }
        "create-auth-challenge.json" => {
            parse(name, |e: &CognitoEventUserPoolsCreateAuthChallenge| {
                &e.cognito_event_user_pools_header
            })
        }
        "verify-auth-challenge-response.json" => {
            parse(name, |e: &CognitoEventUserPoolsVerifyAuthChallenge| {
                &e.cognito_event_user_pools_header
            })
        }
        other => panic!("{other}: no aws_lambda_events type mapped for this sample"),
    }
}

#[test]
fn every_sample_parses_as_its_type_with_the_full_envelope() {
    for (name, source, version) in SAMPLES {
        let seen = typed(name);
        assert_eq!(seen.version.as_deref(), Some(*version), "{name}: version");
        assert!(
            seen.has_trigger_source,
            "{name}: triggerSource not parsed by the type"
        );
        assert!(seen.region.is_some(), "{name}: region");
        assert!(seen.user_pool_id.is_some(), "{name}: userPoolId");
        assert!(seen.user_name.is_some(), "{name}: userName");
        assert!(seen.client_id.is_some(), "{name}: callerContext.clientId");

        let raw: Value = serde_json::from_str(&read(name)).expect("JSON");
        assert_eq!(raw["triggerSource"], *source, "{name}: triggerSource");
        let mut keys: Vec<&str> = raw
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "callerContext",
                "region",
                "request",
                "response",
                "triggerSource",
                "userName",
                "userPoolId",
                "version"
            ],
            "{name}: envelope members"
        );
        assert!(
            raw["callerContext"]["awsSdkVersion"].is_string(),
            "{name}: callerContext.awsSdkVersion"
        );
        assert!(raw["request"].is_object(), "{name}: request");
        assert!(raw["response"].is_object(), "{name}: response");
    }
}

#[test]
fn every_file_is_a_checked_sample() {
    let mut on_disk: Vec<String> = std::fs::read_dir(events_dir())
        .expect("events/triggers is readable")
        .map(|f| {
            f.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort_unstable();
    let mut listed: Vec<String> = SAMPLES
        .iter()
        .map(|(n, _, _)| n.to_string())
        .chain(SENDER_SAMPLES.iter().map(|(n, _)| n.to_string()))
        .collect();
    listed.sort_unstable();
    assert_eq!(on_disk, listed, "events/triggers/*.json and SAMPLES differ");
}

#[test]
fn every_sender_sample_parses_with_the_envelope_and_no_response() {
    use latchkey_example_triggers::custom_sender::CustomSenderEvent;
    for (name, source) in SENDER_SAMPLES {
        let event: CustomSenderEvent =
            serde_json::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(event.version, "1", "{name}");
        assert_eq!(event.trigger_source, *source, "{name}");
        let sms = source.starts_with("CustomSMSSender_");
        assert_eq!(event.is_sms(), sms, "{name}: request.type");
        let raw: Value = serde_json::from_str(&read(name)).expect("JSON");
        let mut keys: Vec<&str> = raw
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "callerContext",
                "region",
                "request",
                "triggerSource",
                "userName",
                "userPoolId",
                "version"
            ],
            "{name}: envelope members"
        );
        let code = raw["request"]["code"].as_str();
        // An ESDK message of suite 0x0378, base64, as Cognito's codes are.
        assert!(code.is_none_or(|c| c.starts_with("AYADe")), "{name}: code");
    }
}
