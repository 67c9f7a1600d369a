//! The `jwks` Lambda function: the well-known documents: GET /{poolId}/.well-known/jwks.json and openid-configuration, and the identity issuer's under /cognito-identity/.
//!
//! Everything is in `latchkey::lambda`: the App is built once at init from the environment
//! (docs/lambda.md lists the settings), then each API Gateway v2 event goes through the shared
//! protocol.

use latchkey::lambda::{run, Error, Function};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(Function::Jwks).await
}
