//! `add-claims`: a PreTokenGeneration trigger (LambdaConfig `PreTokenGenerationConfig` with
//! `LambdaVersion` `V2_0`). Adds `tenant` (from `custom:tenant`, else "default") to the ID and
//! access tokens, `plan` = "pro" to the ID token, and the scope `latchkey/extra` to the access
//! token.

use aws_lambda_events::event::cognito::CognitoEventUserPoolsPreTokenGenV2;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use latchkey_example_triggers::add_claims::handle;

async fn handler(
    event: LambdaEvent<CognitoEventUserPoolsPreTokenGenV2>,
) -> Result<CognitoEventUserPoolsPreTokenGenV2, Error> {
    handle(event.payload)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handler)).await
}
