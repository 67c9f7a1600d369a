//! `auto-confirm`: a PreSignUp trigger (LambdaConfig `PreSignUp`). Confirms every new user and
//! marks their e-mail address and phone number verified; refuses e-mail domains listed in
//! `DENIED_EMAIL_DOMAINS` (comma-separated).

use lambda_runtime::{service_fn, Error, LambdaEvent};
use latchkey_example_triggers::auto_confirm::{handle, DeniedDomains};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let denied = DeniedDomains::from_env();
    let denied = &denied;
    lambda_runtime::run(service_fn(|event: LambdaEvent<_>| async move {
        handle(event.payload, denied)
    }))
    .await
}
