//! The `hosted-ui` Lambda function: the OAuth 2.0 endpoints (GET /oauth2/authorize, POST /oauth2/token, GET|POST /oauth2/userInfo, POST /oauth2/revoke, GET /logout) and the managed login pages (GET|POST /login, POST /login/challenge).
//!
//! Everything is in `latchkey::lambda`: the App is built once at init from the environment
//! (docs/lambda.md lists the settings), then each API Gateway v2 event goes through the shared
//! protocol.

use latchkey::lambda::{run, Error, Function};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    run(Function::HostedUi).await
}
