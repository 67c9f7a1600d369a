//! User import jobs through the AWS SDK: GetCSVHeader, CreateUserImportJob, the upload to the
//! job's PreSignedUrl (a plain HTTP PUT, as curl or `requests` would send it), Start, Describe
//! until the job ends, the counts and per-row failures, StopUserImportJob, ListUserImportJobs'
//! pages, Cognito's refusals, and an imported user's way in (PasswordResetRequiredException
//! for any password, then ForgotPassword / ConfirmForgotPassword and a sign-in).

use crate::common;
use crate::lifecycle_support;

use aws_sdk_cognitoidentityprovider::types::{
    UserImportJobStatusType as Status, UserImportJobType, UserStatusType,
};
use common::{api_error, assert_api_error, Harness};
use lifecycle_support::{confirm_forgot, forgot, last_code, signs_in, NEW_PASSWORD};

const ROLE: &str = "arn:aws:iam::000000000000:role/latchkey-import-logs";
const RESET: &str = "Password reset required for the user";

/// The header GetCSVHeader gives for `pool`.
async fn header(h: &Harness, pool: &str) -> Vec<String> {
    let out = h.idp.get_csv_header().user_pool_id(pool).send().await;
    let out = out.unwrap_or_else(|e| panic!("GetCSVHeader failed: {e:?}"));
    assert_eq!(out.user_pool_id(), Some(pool));
    out.csv_header().to_vec()
}

/// A CSV with `header` and one row per `rows` entry, each a list of (column, value).
fn csv(header: &[String], rows: &[&[(&str, &str)]]) -> String {
    let mut out = header.join(",") + "\n";
    for row in rows {
        let line: Vec<String> = header
            .iter()
            .map(|c| {
                let v = row.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v);
                if v.contains(',') {
                    format!("\"{v}\"")
                } else {
                    v.to_string()
                }
            })
            .collect();
        out += &(line.join(",") + "\n");
    }
    out
}

async fn create(h: &Harness, pool: &str, name: &str) -> UserImportJobType {
    let out = h
        .idp
        .create_user_import_job()
        .user_pool_id(pool)
        .job_name(name)
        .cloud_watch_logs_role_arn(ROLE)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUserImportJob failed: {e:?}"));
    out.user_import_job.expect("UserImportJob")
}

/// PUTs `body` to the job's pre-signed URL as AWS's guide does (curl -T with the SSE header).
async fn upload(h: &Harness, job: &UserImportJobType, body: String) -> reqwest::Response {
    let url = job.pre_signed_url().expect("PreSignedUrl");
    h.http
        .put(url)
        .header("content-type", "text/csv")
        .header("x-amz-server-side-encryption", "aws:kms")
        .body(body)
        .send()
        .await
        .expect("upload request")
}

async fn start(h: &Harness, pool: &str, job: &str) -> UserImportJobType {
    let out = h
        .idp
        .start_user_import_job()
        .user_pool_id(pool)
        .job_id(job)
        .send()
        .await
        .unwrap_or_else(|e| panic!("StartUserImportJob failed: {e:?}"));
    out.user_import_job.expect("UserImportJob")
}

async fn describe(h: &Harness, pool: &str, job: &str) -> UserImportJobType {
    let out = h
        .idp
        .describe_user_import_job()
        .user_pool_id(pool)
        .job_id(job)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DescribeUserImportJob failed: {e:?}"));
    out.user_import_job.expect("UserImportJob")
}

/// Describes the job until it has ended (the runner is a background task); a job still
/// running after 3,000 looks is a failure, not a hang.
async fn until_done(h: &Harness, pool: &str, job: &str) -> UserImportJobType {
    for _ in 0..3000 {
        let now = describe(h, pool, job).await;
        match now.status() {
            Some(Status::Succeeded | Status::Failed | Status::Stopped | Status::Expired) => {
                return now
            }
            _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    panic!("import job {job} never ended");
}

/// Create, upload, start, wait: the ended job.
async fn import(h: &Harness, pool: &str, body: String) -> UserImportJobType {
    let job = create(h, pool, "import").await;
    let put = upload(h, &job, body).await;
    assert_eq!(put.status(), 200, "upload answered {:?}", put.text().await);
    let id = job.job_id().expect("JobId").to_string();
    let started = start(h, pool, &id).await;
    assert!(matches!(
        started.status(),
        Some(Status::Pending | Status::InProgress | Status::Succeeded)
    ));
    assert!(started.start_date().is_some());
    until_done(h, pool, &id).await
}

#[tokio::test]
async fn header_create_upload_start_and_counts() {
    let h = Harness::start().await;
    let (pool, client) = h.pool_and_client().await;
    let columns = header(&h, &pool).await;
    for expected in ["email", "email_verified", "phone_number", "name"] {
        assert!(columns.iter().any(|c| c == expected), "{columns:?}");
    }
    assert_eq!(
        &columns[columns.len() - 2..],
        ["cognito:mfa_enabled", "cognito:username"]
    );
    assert!(!columns.iter().any(|c| c == "sub"));

    let job = create(&h, &pool, "first-import").await;
    let id = job.job_id().expect("JobId");
    assert!(id.starts_with("import-"), "{id}");
    assert_eq!(job.status(), Some(&Status::Created));
    assert_eq!(job.job_name(), Some("first-import"));
    assert_eq!(job.cloud_watch_logs_role_arn(), Some(ROLE));
    assert!(job.creation_date().is_some());
    assert_eq!(job.user_pool_id(), Some(pool.as_str()));

    let verified = [("email_verified", "true")];
    let body = csv(
        &columns,
        &[
            &[
                ("cognito:username", "ann"),
                ("email", "ann@example.com"),
                verified[0],
                ("name", "Ann, Jr."),
            ],
            &[
                ("cognito:username", "ben"),
                ("email", "ben@example.com"),
                verified[0],
            ],
            // No verified auto-verified attribute: refused, as Cognito does.
            &[("cognito:username", "cat"), ("email", "cat@example.com")],
            // email_verified without an email.
            &[("cognito:username", "dan"), verified[0]],
            // No username.
            &[("email", "eve@example.com"), verified[0]],
            // An email that is not one.
            &[
                ("cognito:username", "fay"),
                ("email", "not-an-email"),
                verified[0],
            ],
            // A username already imported above.
            &[
                ("cognito:username", "ann"),
                ("email", "ann2@example.com"),
                verified[0],
            ],
        ],
    );
    let put = upload(&h, &job, body.clone()).await;
    assert_eq!(put.status(), 200);
    // The URL is single-use.
    let again = upload(&h, &job, body).await;
    assert_eq!(again.status(), 403);
    assert!(again.text().await.unwrap().contains("AccessDenied"));

    start(&h, &pool, id).await;
    let done = until_done(&h, &pool, id).await;
    assert_eq!(done.status(), Some(&Status::Succeeded), "{done:?}");
    assert_eq!(
        (done.imported_users, done.skipped_users, done.failed_users),
        (2, 0, 5),
        "{done:?}"
    );
    assert_eq!(
        done.completion_message(),
        Some("Import Job Completed Successfully.")
    );
    assert!(done.completion_date().is_some());

    let ann = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await
        .expect("imported user");
    assert_eq!(ann.user_status(), Some(&UserStatusType::ResetRequired));
    let attrs = ann.user_attributes();
    assert_eq!(common::attr(attrs, "name"), Some("Ann, Jr."));
    assert_eq!(common::attr(attrs, "email_verified"), Some("true"));

    // Any password: the reset Cognito asks for. Then the reset, then a sign-in.
    for password in ["whatever-1A!", common::PASSWORD] {
        let signed = h.password_auth(&client, "ann", password).await;
        assert_api_error(signed, "PasswordResetRequiredException", RESET);
    }
    forgot(&h, &client, "ann").await.expect("ForgotPassword");
    let code = last_code(&h, &pool, "ann", "ForgotPassword").await;
    confirm_forgot(&h, &client, "ann", &code, NEW_PASSWORD)
        .await
        .expect("ConfirmForgotPassword");
    signs_in(&h, &client, "ann", NEW_PASSWORD).await;
    h.shutdown().await;
}

#[tokio::test]
async fn a_bad_header_fails_the_whole_file() {
    let h = Harness::start().await;
    let pool = h.create_pool("imports").await;
    let mut columns = header(&h, &pool).await;
    columns.push("favourite_colour".into());
    let body = csv(
        &columns,
        &[&[
            ("cognito:username", "ann"),
            ("email", "a@example.com"),
            ("email_verified", "true"),
        ]],
    );
    let done = import(&h, &pool, body).await;
    assert_eq!(done.status(), Some(&Status::Failed), "{done:?}");
    assert_eq!(done.imported_users, 0);
    assert!(done
        .completion_message()
        .is_some_and(|m| m.contains("favourite_colour")));
    let missing = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ann")
        .send()
        .await;
    assert_api_error(missing, "UserNotFoundException", "User does not exist.");
    // A file that is not CSV at all.
    let job = create(&h, &pool, "broken").await;
    upload(&h, &job, "\"unclosed,quote\n".into()).await;
    let id = job.job_id().unwrap();
    start(&h, &pool, id).await;
    let done = until_done(&h, &pool, id).await;
    assert_eq!(done.status(), Some(&Status::Failed));
    h.shutdown().await;
}

#[tokio::test]
async fn wrong_states_and_unknown_things_are_refused() {
    let h = Harness::start().await;
    let pool = h.create_pool("imports").await;
    let unknown_pool = h
        .idp
        .get_csv_header()
        .user_pool_id("us-east-1_Nope1")
        .send()
        .await;
    assert_api_error(
        unknown_pool,
        "ResourceNotFoundException",
        "User pool us-east-1_Nope1 does not exist.",
    );
    let no_job = h
        .idp
        .describe_user_import_job()
        .user_pool_id(&pool)
        .job_id("import-missing")
        .send()
        .await;
    assert_eq!(api_error(no_job).code, "ResourceNotFoundException");
    let bad_id = h
        .idp
        .describe_user_import_job()
        .user_pool_id(&pool)
        .job_id("job-1")
        .send()
        .await;
    assert_eq!(api_error(bad_id).code, "InvalidParameterException");

    let job = create(&h, &pool, "states").await;
    let id = job.job_id().unwrap().to_string();
    // Not uploaded yet: no start. Not started: no stop.
    let early = h
        .idp
        .start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&id)
        .send()
        .await;
    assert_eq!(api_error(early).code, "PreconditionNotMetException");
    let stop = h
        .idp
        .stop_user_import_job()
        .user_pool_id(&pool)
        .job_id(&id)
        .send()
        .await;
    assert_eq!(api_error(stop).code, "PreconditionNotMetException");
    // A wrong token is refused like S3 refuses a bad signature.
    let url = job.pre_signed_url().unwrap().replace("token=", "token=x");
    let forged = h.http.put(url).body("x").send().await.unwrap();
    assert_eq!(forged.status(), 403);

    let columns = header(&h, &pool).await;
    upload(&h, &job, csv(&columns, &[])).await;
    start(&h, &pool, &id).await;
    // Concurrent or repeated starts: the job starts once.
    let twice = h
        .idp
        .start_user_import_job()
        .user_pool_id(&pool)
        .job_id(&id)
        .send()
        .await;
    assert_eq!(api_error(twice).code, "PreconditionNotMetException");
    let done = until_done(&h, &pool, &id).await;
    assert_eq!(done.status(), Some(&Status::Succeeded));
    h.shutdown().await;
}

#[tokio::test]
async fn a_stopped_job_stops_between_rows() {
    let h = Harness::start().await;
    let pool = h.create_pool("imports").await;
    let columns = header(&h, &pool).await;
    let names: Vec<(String, String)> = (0..3000)
        .map(|i| (format!("user{i:05}"), format!("user{i:05}@example.com")))
        .collect();
    let rows: Vec<Vec<(&str, &str)>> = names
        .iter()
        .map(|(u, e)| {
            vec![
                ("cognito:username", u.as_str()),
                ("email", e.as_str()),
                ("email_verified", "true"),
            ]
        })
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(Vec::as_slice).collect();
    let job = create(&h, &pool, "big").await;
    upload(&h, &job, csv(&columns, &rows)).await;
    let id = job.job_id().unwrap().to_string();
    start(&h, &pool, &id).await;
    let stop = h
        .idp
        .stop_user_import_job()
        .user_pool_id(&pool)
        .job_id(&id)
        .send()
        .await;
    let done = until_done(&h, &pool, &id).await;
    match stop {
        Ok(out) => {
            let stopping = out.user_import_job.unwrap();
            assert_eq!(stopping.status(), Some(&Status::Stopping));
            assert_eq!(done.status(), Some(&Status::Stopped), "{done:?}");
            assert!(done.imported_users < 3000, "{done:?}");
        }
        // The job had already ended (a very fast machine): then it read every row.
        Err(e) => {
            assert_eq!(
                api_error::<(), _>(Err(e)).code,
                "PreconditionNotMetException"
            );
            assert_eq!(done.imported_users, 3000);
        }
    }
    h.shutdown().await;
}

#[tokio::test]
async fn jobs_are_listed_in_pages() {
    let h = Harness::start().await;
    let pool = h.create_pool("imports").await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(create(&h, &pool, &format!("job-{i}")).await.job_id.unwrap());
    }
    made.sort();
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let out = h
            .idp
            .list_user_import_jobs()
            .user_pool_id(&pool)
            .max_results(2)
            .set_pagination_token(token)
            .send()
            .await
            .expect("ListUserImportJobs");
        let page = out.user_import_jobs();
        assert!(page.len() <= 2);
        seen.extend(page.iter().filter_map(|j| j.job_id.clone()));
        token = out.pagination_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, made);
    let bad = h
        .idp
        .list_user_import_jobs()
        .user_pool_id(&pool)
        .max_results(2)
        .pagination_token("garbage")
        .send()
        .await;
    assert_eq!(api_error(bad).code, "InvalidParameterException");
    h.shutdown().await;
}
