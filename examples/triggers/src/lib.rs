//! Example Cognito trigger functions, written as any cargo-lambda function is, against the
//! `aws_lambda_events` Cognito types. They run against Amazon Cognito and Latchkey alike.
//!
//! Each trigger's logic is a plain function over the event (here, so it can be tested with the
//! sample events in `events/triggers/`); each binary in `src/bin/` only hands it to
//! `lambda_runtime`. A handler answers the event with its `response` filled in, or an error,
//! which the user pool reports as `UserLambdaValidationException` "<Trigger> failed with error
//! <message>.".

pub mod add_claims;
pub mod auto_confirm;
pub mod custom_sender;
pub mod migrate_user;

/// The error a trigger returns to refuse: its text is the message the user pool reports.
pub type Error = lambda_runtime::Error;
