//! The conformance checks of the import-job port ([`crate::store::ImportJobStore`]): a job id
//! is created once per pool, every state change is version-checked (of concurrent starts one
//! wins), listings page in job-id order, and jobs go with their pool.

use super::sample_pool;
use crate::store::{Store, StoreError};
use crate::userpool::model::{ImportJob, ImportJobStatus, UploadGrant};

fn job(pool: &str, id: &str) -> ImportJob {
    ImportJob {
        pool_id: pool.into(),
        job_id: id.into(),
        job_name: "nightly".into(),
        cloud_watch_logs_role_arn: "arn:aws:iam::000000000000:role/import".into(),
        pre_signed_url_sealed: "sealed".into(),
        upload: UploadGrant {
            token_hash: "ab".into(),
            expires_ms: 900_000,
            spent: false,
        },
        status: ImportJobStatus::Created,
        created_ms: 1,
        started_ms: None,
        completed_ms: None,
        imported: 0,
        skipped: 0,
        failed: 0,
        rows_done: 0,
        completion_message: None,
        version: 1,
    }
}

/// Ids are unique per pool, a state change needs the version it read, and listings page.
pub async fn import_jobs_are_created_once_and_versioned<S: Store>(s: &S) {
    let p = "us-east-1_imp";
    s.create_pool(&sample_pool(p)).await.unwrap();
    for id in ["import-c", "import-a", "import-b"] {
        s.create_import_job(&job(p, id)).await.unwrap();
    }
    assert!(matches!(
        s.create_import_job(&job(p, "import-a")).await,
        Err(StoreError::Conflict)
    ));
    let read = s.get_import_job(p, "import-a").await.unwrap().unwrap();
    assert_eq!(read, job(p, "import-a"));
    assert!(s.get_import_job(p, "import-z").await.unwrap().is_none());
    assert!(s
        .get_import_job("us-east-1_other", "import-a")
        .await
        .unwrap()
        .is_none());
    let mut started = read.clone();
    started.version = 2;
    started.status = ImportJobStatus::Pending;
    s.update_import_job(&started).await.unwrap();
    // The same change again (a second Start that read version 1) is refused.
    assert!(matches!(
        s.update_import_job(&started).await,
        Err(StoreError::Conflict)
    ));
    let mut ghost = job(p, "import-gone");
    ghost.version = 2;
    assert!(matches!(
        s.update_import_job(&ghost).await,
        Err(StoreError::Conflict)
    ));
    let first = s.list_import_jobs(p, None, 2).await.unwrap();
    let ids: Vec<&str> = first.items.iter().map(|j| j.job_id.as_str()).collect();
    assert_eq!(ids, ["import-a", "import-b"]);
    assert_eq!(first.items[0].status, ImportJobStatus::Pending);
    let rest = s
        .list_import_jobs(p, first.next.as_deref(), 2)
        .await
        .unwrap();
    let ids: Vec<&str> = rest.items.iter().map(|j| j.job_id.as_str()).collect();
    assert_eq!((ids, rest.next), (vec!["import-c"], None));
    assert!(s.delete_pool(p).await.unwrap());
    assert!(s.get_import_job(p, "import-a").await.unwrap().is_none());
    assert!(s
        .list_import_jobs(p, None, 10)
        .await
        .unwrap()
        .items
        .is_empty());
}

/// Of concurrent starts from the same read, exactly one is stored.
pub async fn concurrent_starts_have_one_winner<S: Store>(s: &S) {
    let p = "us-east-1_race";
    s.create_pool(&sample_pool(p)).await.unwrap();
    s.create_import_job(&job(p, "import-r")).await.unwrap();
    let read = s.get_import_job(p, "import-r").await.unwrap().unwrap();
    let start = |at: i64| {
        let mut next = read.clone();
        next.version += 1;
        next.status = ImportJobStatus::Pending;
        next.started_ms = Some(at);
        async move { s.update_import_job(&next).await }
    };
    let all = tokio::join!(start(1), start(2), start(3), start(4), start(5), start(6));
    let results = [all.0, all.1, all.2, all.3, all.4, all.5];
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 1, "one start wins: {results:?}");
    assert!(results
        .iter()
        .all(|r| r.is_ok() || matches!(r, Err(StoreError::Conflict))));
    let stored = s.get_import_job(p, "import-r").await.unwrap().unwrap();
    assert_eq!(stored.version, 2);
}
