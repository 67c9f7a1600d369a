//! The `cognito-api` Lambda function: every operation at POST / with X-Amz-Target (what boto3, Amplify and the AWS CLI point at); the signed ones need SigV4 with the admin access key.
//!
//! Everything is in `latchkey::lambda`: the App is built once at init from the environment
//! (docs/lambda.md lists the settings), then each API Gateway v2 event goes through the shared
//! protocol.

use latchkey::lambda::{run, Error, Function};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(Function::CognitoApi).await
}
