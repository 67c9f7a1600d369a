//! User import jobs the Lambda way: started jobs handed to a worker function, run in parts
//! that resume after the rows already done, and (against moto's S3, when
//! `AWS_ENDPOINT_URL_S3` is set) uploads through an S3 pre-signed PUT URL sent by curl as
//! Cognito's documentation shows.

use latchkey::config::Config;
use latchkey::lambda::worker::run_import;
use latchkey::protocol::dispatch;
use latchkey::store::sqlite::SqliteStore;
use latchkey::triggers::invoke::Invokers;
use latchkey::userpool::imports::files::LocalDir;
use latchkey::userpool::imports::worker::{JobTicket, WorkerEvent, WorkerOutcome};
use latchkey::App;
use latchkey_lambda_tests::imports::{csv, header, pending_job, scratch_dir, Recorder};
use latchkey_lambda_tests::Fixture;
use serde_json::{json, Value};
use std::sync::Arc;

async fn call(app: &App, op: &str, body: Value) -> Value {
    dispatch(app, op, body.to_string().as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{op}: {e}"))
}

async fn describe(app: &App, pool_id: &str, job_id: &str) -> Value {
    call(
        app,
        "DescribeUserImportJob",
        json!({"UserPoolId": pool_id, "JobId": job_id}),
    )
    .await["UserImportJob"]
        .clone()
}

async fn pool_of(fixture: &Fixture) -> String {
    fixture
        .values
        .iter()
        .find(|(placeholder, _)| *placeholder == "us-east-1_EXAMPLE01")
        .map(|(_, id)| id.clone())
        .expect("the fixture's pool")
}

fn ticket(pool_id: &str, job_id: &str, version: u64) -> WorkerEvent {
    WorkerEvent {
        job: JobTicket {
            user_pool_id: pool_id.into(),
            job_id: job_id.into(),
            version,
        },
    }
}

#[tokio::test]
async fn a_worker_out_of_time_hands_the_job_on_and_the_next_part_resumes() {
    let fixture = Fixture::new().await.expect("fixture");
    let (app, pool) = (&fixture.app, pool_of(&fixture).await);
    let users = ["part1", "part2", "part3"];
    let job_id = pending_job(app, &pool, &users).await.unwrap().unwrap();
    // The fixture's clock stands still: every part is past its deadline after its first row.
    let deadline = app.clock.now_millis();
    let next = Recorder::default();
    let mut event = ticket(&pool, &job_id, 2);
    let mut outcomes = Vec::new();
    for _ in 0..users.len() {
        let reply = run_import(app, &event, deadline, &next).await;
        outcomes.push(reply.outcome);
        if let Some(handed) = next.taken().last() {
            event.job = handed.clone();
        }
    }
    use WorkerOutcome::{Ended, HandedOn, Skipped};
    assert_eq!(outcomes, [HandedOn, HandedOn, Ended]);
    let job = describe(app, &pool, &job_id).await;
    assert_eq!(job["Status"], "Succeeded", "{job}");
    assert_eq!(job["ImportedUsers"], 3, "{job}");
    assert_eq!(job["FailedUsers"], 0, "{job}");
    // A late or second delivery of a ticket already taken does nothing.
    let first = ticket(&pool, &job_id, 2);
    assert_eq!(
        run_import(app, &first, deadline, &next).await.outcome,
        Skipped
    );
    let user = call(
        app,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "part3"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "RESET_REQUIRED");
}

#[tokio::test]
async fn a_stop_between_parts_ends_the_job_stopped() {
    let fixture = Fixture::new().await.expect("fixture");
    let (app, pool) = (&fixture.app, pool_of(&fixture).await);
    let job_id = pending_job(app, &pool, &["s1", "s2", "s3"])
        .await
        .unwrap()
        .unwrap();
    let next = Recorder::default();
    let deadline = app.clock.now_millis();
    let first = run_import(app, &ticket(&pool, &job_id, 2), deadline, &next).await;
    assert_eq!(first.outcome, WorkerOutcome::HandedOn);
    call(
        app,
        "StopUserImportJob",
        json!({"UserPoolId": pool, "JobId": job_id}),
    )
    .await;
    let handed = next.taken()[0].clone();
    let second = run_import(app, &WorkerEvent { job: handed }, deadline, &next).await;
    assert_eq!(second.outcome, WorkerOutcome::Ended);
    let job = describe(app, &pool, &job_id).await;
    assert_eq!(job["Status"], "Stopped", "{job}");
    assert_eq!(job["ImportedUsers"], 1, "{job}");
}

#[tokio::test]
async fn start_hands_the_job_to_the_worker_and_answers_pending() {
    let fixture = Fixture::new().await.expect("fixture");
    let pool = pool_of(&fixture).await;
    let worker = Arc::new(Recorder::default());
    // The fixture's App again, with a worker: built the way the functions build theirs.
    let config = latchkey_lambda_tests::config().unwrap();
    let triggers = Arc::new(Invokers::new(&config.region));
    let files = Arc::new(LocalDir::new(scratch_dir("start-worker")));
    let app = latchkey::lambda::build_app(&config, fixture.app.store.clone(), None, None, triggers)
        .unwrap()
        .with_import_files(files.clone())
        .with_import_worker(worker.clone());
    let created = call(
        &app,
        "CreateUserImportJob",
        json!({"UserPoolId": pool, "JobName": "w",
        "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/import-logs"}),
    )
    .await;
    let job_id = created["UserImportJob"]["JobId"].as_str().unwrap();
    let start = json!({"UserPoolId": pool, "JobId": job_id});
    // Nothing uploaded yet: refused as before.
    let refused = dispatch(&app, "StartUserImportJob", start.to_string().as_bytes()).await;
    assert!(refused.is_err());
    let file = csv(&header(&app, &pool).await.unwrap(), &["w1"]);
    latchkey::userpool::imports::files::ImportFiles::put(&*files, &pool, job_id, file.as_bytes())
        .await
        .unwrap();
    let started = call(&app, "StartUserImportJob", start).await;
    assert_eq!(started["UserImportJob"]["Status"], "Pending");
    let tickets = worker.taken();
    assert_eq!(tickets.len(), 1);
    assert_eq!(tickets[0].job_id, job_id);
    let reply = run_import(
        &app,
        &WorkerEvent {
            job: tickets[0].clone(),
        },
        app.clock.now_millis() + 900_000,
        worker.as_ref(),
    )
    .await;
    assert_eq!(reply.outcome, WorkerOutcome::Ended);
    assert_eq!(describe(&app, &pool, job_id).await["Status"], "Succeeded");
}

/// moto's S3 endpoint, or None (the test is skipped) when `AWS_ENDPOINT_URL_S3` is unset.
fn s3_endpoint() -> Option<String> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL_S3").ok();
    if endpoint.is_none() {
        eprintln!("skipped: start moto (scripts/moto.sh) and set AWS_ENDPOINT_URL_S3");
    }
    endpoint
}

/// curl, as a user runs it: the HTTP status and the response headers and body.
fn curl(args: &[&str]) -> (String, String) {
    let out = std::process::Command::new("curl")
        .args(["-sS", "-i", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (head, status) = text.rsplit_once('\n').unwrap_or(("", ""));
    (status.trim().to_string(), head.to_string())
}

#[tokio::test]
async fn an_s3_pre_signed_url_takes_the_documented_curl_upload() {
    let Some(endpoint) = s3_endpoint() else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let bucket = format!(
        "latchkey-imports-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000
    );
    let (status, body) = curl(&["-X", "PUT", &format!("{endpoint}/{bucket}")]);
    assert_eq!(status, "200", "CreateBucket on moto: {body}");
    let config = Config::load(|k| match k {
        "LATCHKEY_STORE" => Some("memory".into()),
        "LATCHKEY_ISSUER_BASE_URL" => Some("https://auth.example.com".into()),
        "LATCHKEY_IMPORT_BUCKET" => Some(bucket.clone()),
        _ => None,
    })
    .unwrap();
    let sdk = latchkey::sdk_http::load_config(&config.region)
        .await
        .unwrap();
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let triggers = Arc::new(Invokers::new(&config.region));
    let app = latchkey::lambda::build_app(&config, store, None, None, triggers).unwrap();
    let app = latchkey::lambda::with_imports(app, &config.imports, &sdk);

    let pool = call(
        &app,
        "CreateUserPool",
        json!({"PoolName": "s3", "AutoVerifiedAttributes": ["email"]}),
    )
    .await["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let created = call(
        &app,
        "CreateUserImportJob",
        json!({"UserPoolId": pool, "JobName": "s3",
        "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/import-logs"}),
    )
    .await;
    let job_id = created["UserImportJob"]["JobId"].as_str().unwrap();
    let url = created["UserImportJob"]["PreSignedUrl"].as_str().unwrap();
    let object = format!("{endpoint}/{bucket}/imports/{pool}/{job_id}.csv");
    assert!(url.starts_with(&format!("{object}?")), "{url}");
    assert!(url.contains("X-Amz-Expires=3600"), "{url}");
    assert!(
        url.contains("X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption"),
        "the SSE header is signed, not a query parameter: {url}"
    );
    // The same URL on every read of the job.
    assert_eq!(describe(&app, &pool, job_id).await["PreSignedUrl"], url);

    let path = scratch_dir("s3-upload");
    std::fs::create_dir_all(&path).unwrap();
    let file = path.join("users.csv");
    let users = csv(&header(&app, &pool).await.unwrap(), &["s3user1", "s3user2"]);
    std::fs::write(&file, users).unwrap();
    // Cognito's documented upload: curl -v -T FILE -H "x-amz-server-side-encryption:aws:kms" URL
    let file = file.to_string_lossy().to_string();
    let (status, body) = curl(&[
        "-T",
        &file,
        "-H",
        "x-amz-server-side-encryption:aws:kms",
        url,
    ]);
    assert_eq!(status, "200", "{body}");
    // The object is there (read through the functions' own S3 port: signed, as the bucket is
    // private and moto refuses an anonymous HEAD).
    let files = app.imports.files.clone().expect("the S3 adapter");
    assert!(files.exists(&pool, job_id).await.unwrap());

    // No worker configured: the job runs inside StartUserImportJob.
    call(
        &app,
        "StartUserImportJob",
        json!({"UserPoolId": pool, "JobId": job_id}),
    )
    .await;
    let job = describe(&app, &pool, job_id).await;
    assert_eq!(job["Status"], "Succeeded", "{job}");
    assert_eq!(job["ImportedUsers"], 2, "{job}");
    let user = call(
        &app,
        "AdminGetUser",
        json!({"UserPoolId": pool, "Username": "s3user2"}),
    )
    .await;
    assert_eq!(user["UserStatus"], "RESET_REQUIRED");
    // The job removed its file.
    assert!(!files.exists(&pool, job_id).await.unwrap());
    let _ = std::fs::remove_dir_all(path);
}
