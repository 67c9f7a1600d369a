//! The DynamoDB adapter against a real DynamoDB-API server: the storage conformance suite,
//! races through the store, and an outage.
//!
//! Needs `AWS_ENDPOINT_URL_DYNAMODB` (scripts/moto.sh starts moto; scripts/test.sh sets it).
//! Without it the tests that need a server are skipped with a note; the outage test always
//! runs. Every test makes its own table, so they run in parallel.

use latchkey::store::conformance::sample_user;
use latchkey::store::dynamodb::DynamoStore;
use latchkey::store::{SendCountStore, StoreError, UserStore};
use latchkey::Error;
use std::io::Write;
use std::sync::Once;

/// A store over a new, uniquely named table; `None` (after a note) when no server is set.
async fn fresh_store() -> Option<DynamoStore> {
    static NOTE: Once = Once::new();
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_none() {
        NOTE.call_once(|| {
            // Straight to stderr: the test harness captures print! output of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "note: AWS_ENDPOINT_URL_DYNAMODB is not set; SKIPPING the DynamoDB tests \
                 (scripts/test.sh starts moto via scripts/moto.sh and sets it)"
            );
        });
        return None;
    }
    let client = DynamoStore::client_from_env().await.unwrap();
    let table = format!("latchkey-test-{}", uuid::Uuid::new_v4().simple());
    DynamoStore::create_table(&client, &table).await.unwrap();
    Some(DynamoStore::new(client, table))
}

mod conformance {
    use super::fresh_store;

    latchkey::conformance_suite!(match fresh_store().await {
        Some(store) => store,
        None => return,
    });
}

mod races {
    use super::*;
    use tokio::task::JoinSet;

    const POOL: &str = "us-east-1_race";

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_of_fifty_creates_of_a_username_wins() {
        let Some(store) = fresh_store().await else {
            return;
        };
        let mut racers = JoinSet::new();
        for i in 0..50 {
            let store = store.clone();
            racers.spawn(async move {
                let mut user = sample_user(POOL, "racer");
                user.sub = format!("sub-{i}");
                let alias = format!("email:racer{i}@example.com");
                (i, store.create_user(&user, &[alias]).await)
            });
        }
        let (mut won, mut taken) = (Vec::new(), 0);
        while let Some(joined) = racers.join_next().await {
            match joined.unwrap() {
                (i, Ok(())) => won.push(i),
                (_, Err(StoreError::UsernameTaken)) => taken += 1,
                (_, Err(other)) => panic!("unexpected outcome: {other:?}"),
            }
        }
        assert_eq!((won.len(), taken), (1, 49));
        let winner = won[0];
        let stored = store.get_user(POOL, "racer").await.unwrap().unwrap();
        assert_eq!(stored.sub, format!("sub-{winner}"));
        for i in 0..50 {
            let alias = format!("email:racer{i}@example.com");
            let owner = store.get_user_by_alias(POOL, &alias).await.unwrap();
            assert_eq!(
                owner.is_some(),
                i == winner,
                "a loser's alias claim stayed: {i}"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_users_racing_for_an_alias_leave_one_owner_and_no_loser() {
        let Some(store) = fresh_store().await else {
            return;
        };
        for round in 0..10 {
            let alias = format!("email:shared{round}@example.com");
            let names = [format!("ann{round}"), format!("bob{round}")];
            let mut racers = JoinSet::new();
            for name in names.clone() {
                let (store, alias) = (store.clone(), alias.clone());
                racers.spawn(async move {
                    let user = sample_user(POOL, &name);
                    (name, store.create_user(&user, &[alias]).await)
                });
            }
            let mut winners = Vec::new();
            while let Some(joined) = racers.join_next().await {
                match joined.unwrap() {
                    (name, Ok(())) => winners.push(name),
                    (name, Err(StoreError::AliasTaken(a))) => {
                        assert_eq!(a, alias);
                        assert!(
                            store.get_user(POOL, &name).await.unwrap().is_none(),
                            "the loser {name} was left behind"
                        );
                    }
                    (_, Err(other)) => panic!("unexpected outcome: {other:?}"),
                }
            }
            assert_eq!(winners.len(), 1, "round {round}: {winners:?}");
            let owner = store.get_user_by_alias(POOL, &alias).await.unwrap();
            assert_eq!(owner.unwrap().username, winners[0]);
        }
        assert_eq!(
            latchkey::store::PoolStore::count_users(&store, POOL)
                .await
                .unwrap(),
            10
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_of_twenty_updates_from_a_stale_version_wins() {
        let Some(store) = fresh_store().await else {
            return;
        };
        let user = sample_user(POOL, "target");
        store.create_user(&user, &[]).await.unwrap();
        let mut racers = JoinSet::new();
        for i in 0..20 {
            let store = store.clone();
            let mut next = user.clone();
            next.version = 2;
            next.attributes
                .insert("custom:writer".into(), i.to_string());
            racers.spawn(async move { (i, store.update_user(&next).await) });
        }
        let (mut won, mut conflicts) = (Vec::new(), 0);
        while let Some(joined) = racers.join_next().await {
            match joined.unwrap() {
                (i, Ok(())) => won.push(i),
                (_, Err(StoreError::Conflict)) => conflicts += 1,
                (_, Err(other)) => panic!("unexpected outcome: {other:?}"),
            }
        }
        assert_eq!((won.len(), conflicts), (1, 19));
        let stored = store.get_user(POOL, "target").await.unwrap().unwrap();
        assert_eq!(stored.version, 2);
        assert_eq!(
            stored.attributes.get("custom:writer"),
            Some(&won[0].to_string())
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn forty_parallel_sends_count_five_across_a_window_change() {
        let Some(store) = fresh_store().await else {
            return;
        };
        let hour = 3_600_000;
        // An old, full window: every racer finds it over, so they race to open the next one
        // and to count in it.
        for _ in 0..5 {
            assert!(store.count_send(POOL, "dest:x", 0, hour, 5).await.unwrap());
        }
        let mut racers = JoinSet::new();
        for i in 0..40 {
            let store = store.clone();
            racers.spawn(async move { store.count_send(POOL, "dest:x", hour + i, hour, 5).await });
        }
        let mut counted = 0;
        while let Some(joined) = racers.join_next().await {
            if joined.unwrap().unwrap() {
                counted += 1;
            }
        }
        assert_eq!(counted, 5);
    }
}

mod outage {
    use super::*;
    use aws_sdk_dynamodb::config::retry::RetryConfig;
    use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
    use latchkey::store::{PoolStore, TokenStore};
    use std::time::Duration;

    /// A store whose DynamoDB is a closed port, with short timeouts and one retry.
    fn unreachable_store() -> DynamoStore {
        let conf = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
            .endpoint_url("http://127.0.0.1:1")
            .http_client(latchkey::sdk_http::client().unwrap())
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_millis(500))
                    .operation_timeout(Duration::from_secs(3))
                    .build(),
            )
            .build();
        DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(conf), "latchkey-outage")
    }

    fn is_store_error(e: &Error) -> bool {
        matches!(e, Error::Store(msg) if !msg.is_empty())
    }

    #[tokio::test]
    async fn calls_fail_fast_with_a_store_error() {
        let store = unreachable_store();
        // Each call must end with a store error; the timeouts only turn a hang into a failure.
        let bounded = Duration::from_secs(20);
        let got = tokio::time::timeout(bounded, store.get_user("us-east-1_x", "u"))
            .await
            .expect("get_user hung");
        assert!(is_store_error(&got.unwrap_err()));
        let created = tokio::time::timeout(
            bounded,
            store.create_user(&sample_user("us-east-1_x", "u"), &["email:u@x.com".into()]),
        )
        .await
        .expect("create_user hung");
        match created {
            Err(StoreError::Backend(e)) => assert!(is_store_error(&e)),
            other => panic!("expected a backend error, got {other:?}"),
        }
        let listed = tokio::time::timeout(bounded, store.list_pools(None, 10))
            .await
            .expect("list_pools hung");
        assert!(is_store_error(&listed.unwrap_err()));
        let token = tokio::time::timeout(bounded, store.get_refresh_token("h"))
            .await
            .expect("get_refresh_token hung");
        assert!(is_store_error(&token.unwrap_err()));
        let table = tokio::time::timeout(
            bounded,
            DynamoStore::create_table(store.client(), "latchkey-outage"),
        )
        .await
        .expect("create_table hung");
        assert!(is_store_error(&table.unwrap_err()));
    }
}

mod meter {
    use super::*;
    use latchkey::store::dynamodb::{RequestMeter, Touch};

    #[tokio::test]
    async fn a_metered_store_counts_its_requests_and_the_capacity_reported() {
        let Some(store) = fresh_store().await else {
            return;
        };
        let meter = RequestMeter::new();
        let store = store.metered(&meter);
        let pool = "us-east-1_meter";
        store
            .create_user(&sample_user(pool, "m"), &["email:m@example.com".into()])
            .await
            .unwrap();
        store.get_user(pool, "m").await.unwrap().unwrap();
        store.get_user(pool, "nobody").await.unwrap();

        let usage = meter.take();
        let ops: Vec<_> = usage.operations.keys().map(String::as_str).collect();
        assert_eq!(ops, ["GetItem", "TransactWriteItems"]);
        let get = usage.operations["GetItem"];
        assert_eq!(get.requests, 2);
        // Units come back only when asked for (ReturnConsumedCapacity), so any means asked.
        assert!(get.capacity_units > 0.0, "{usage:?}");
        assert_eq!(get.unreported, 0, "{usage:?}");
        // Bytes both ways: every request has a body, and so does every answer (the found
        // user's item, or the units alone).
        assert!(get.request_bytes > 0 && get.response_bytes > 0, "{usage:?}");
        let transaction = usage.operations["TransactWriteItems"];
        assert!(transaction.request_bytes > 0, "{usage:?}");
        assert_eq!((usage.reads().requests, usage.writes().requests), (2, 1));
        assert!(meter.snapshot().operations.is_empty(), "take starts again");

        // Units from item sizes, as DynamoDB would charge: the user and its alias claim are
        // put in one transaction (items under 1 KB: 2 units each), and each strongly
        // consistent GetItem costs one unit, found or not.
        let writes: Vec<_> = usage
            .touches
            .iter()
            .filter_map(|t| match t {
                Touch::Write {
                    put_size,
                    transactional,
                    ..
                } => Some((put_size.is_some(), *transactional)),
                Touch::Read { .. } => None,
            })
            .collect();
        assert_eq!(writes, [(true, true), (true, true)], "{usage:?}");
        assert_eq!(usage.read_units(), 2.0, "{usage:?}");
        let none = std::collections::HashMap::new();
        let units = usage.write_units(&none, &none);
        assert_eq!(units.table, 4.0, "{units:?}");
    }
}
