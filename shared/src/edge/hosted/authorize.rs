//! `GET /oauth2/authorize`: a request naming an external identity provider goes there
//! ([`super::federation`]); any other signs in with the pool's own pages ([`super::login`]).

use super::{federation, login};
use crate::edge::response::EdgeResponse;
use crate::edge::EdgeRequest;
use crate::App;

/// `GET /oauth2/authorize`.
pub async fn authorize(app: &App, req: &EdgeRequest) -> EdgeResponse {
    let authz = match login::request(app, req).await {
        Ok(a) => a,
        Err(resp) => return resp,
    };
    if authz.provider.is_some() {
        return federation::to_provider(app, req, &authz).await;
    }
    login::authorize_here(app, req, authz).await
}
