//! `PUT /_latchkey/import/{jobId}?userPoolId=…&token=…`: the local server's stand-in for the
//! pre-signed S3 URL Cognito hands out for an import job's CSV. Answers like S3: 200 with an
//! empty body, or an XML `<Error>` (403 AccessDenied, 400 EntityTooLarge). Headers S3 would
//! take with a pre-signed PUT (`x-amz-server-side-encryption: aws:kms`, `Content-Type`) are
//! accepted and need nothing here: the file is the data dir's, not S3's.

use super::response::EdgeResponse;
use super::EdgeRequest;
use crate::userpool::imports::upload::{self, Refused};
use crate::App;
use http::StatusCode;
use serde::Deserialize;

const XML: &str = "application/xml";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UploadQuery {
    user_pool_id: String,
    token: String,
}

fn s3_error(status: StatusCode, code: &str, message: &str) -> EdgeResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    EdgeResponse::new(status, XML, body.into_bytes())
}

/// Stores the body as the job's CSV when the URL's token is good.
pub async fn put(app: &App, req: &EdgeRequest, job_id: &str) -> EdgeResponse {
    let Ok(q) = serde_urlencoded::from_str::<UploadQuery>(&req.query) else {
        return s3_error(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            "Query-string authentication requires the userPoolId and token parameters.",
        );
    };
    if req.body_over_limit {
        return too_large();
    }
    match upload::accept(app, &q.user_pool_id, job_id, &q.token, &req.body).await {
        Ok(Ok(())) => EdgeResponse::new(StatusCode::OK, XML, Vec::new()),
        Ok(Err(Refused::TooLarge)) => too_large(),
        Ok(Err(Refused::AccessDenied(message))) => {
            s3_error(StatusCode::FORBIDDEN, "AccessDenied", message)
        }
        Err(e) => s3_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            &e.message,
        ),
    }
}

fn too_large() -> EdgeResponse {
    s3_error(
        StatusCode::BAD_REQUEST,
        "EntityTooLarge",
        "Your proposed upload exceeds the maximum allowed size (100 MB).",
    )
}
