//! `migrate-user`: a UserMigration trigger (LambdaConfig `UserMigration`). Creates users of a
//! small legacy directory compiled into the example (`legacy-alice` / `Legacy-Passw0rd!`) at
//! their first sign-in or ForgotPassword; refuses everyone else.

use aws_lambda_events::event::cognito::CognitoEventUserPoolsMigrateUser;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use latchkey_example_triggers::migrate_user::handle;

async fn handler(
    event: LambdaEvent<CognitoEventUserPoolsMigrateUser>,
) -> Result<CognitoEventUserPoolsMigrateUser, Error> {
    handle(event.payload)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
