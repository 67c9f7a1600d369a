//! The `admin` Lambda function: pool, client, user and identity-pool administration (the signed operations) at POST /admin, behind API Gateway's AWS_IAM authorization.
//!
//! Everything is in `latchkey::lambda`: the App is built once at init from the environment
//! (docs/lambda.md lists the settings), then each API Gateway v2 event goes through the shared
//! protocol.

use latchkey::lambda::{run, Error, Function};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(Function::Admin).await
}
