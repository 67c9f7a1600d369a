//! The `token-refresh` Lambda function: InitiateAuth REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken, RevokeToken and GlobalSignOut (POST /token/refresh, or X-Amz-Target).
//!
//! Everything is in `latchkey::lambda`: the App is built once at init from the environment
//! (docs/lambda.md lists the settings), then each API Gateway v2 event goes through the shared
//! protocol.

use latchkey::lambda::{run, Error, Function};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(Function::TokenRefresh).await
}
