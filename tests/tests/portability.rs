//! Moving a deployment (`latchkey export` / `latchkey import`, `latchkey::portability`): a
//! pool built through the SDK on SQLite (schema, policies, a client with a secret, groups, an
//! identity provider, users with passwords, one with TOTP MFA, an identity pool with identities) is exported,
//! imported into a fresh SQLite store and into DynamoDB (moto, when `AWS_ENDPOINT_URL_DYNAMODB`
//! is set), and a server on each target signs every user in with the same password, completes
//! TOTP MFA with the same secret and accepts the tokens issued before the move. Exporting the
//! target gives back the source's records line for line. Conflicts and bad lines are refused.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, ChallengeNameType, PasswordPolicyType, SchemaAttributeType,
    SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType, UserPoolPolicyType,
};
use latchkey::portability::export::{export, ExportOptions};
use latchkey::portability::import::{import, ImportOptions, ImportReport, OnConflict};
use latchkey_server::{open_store, ServerOptions, StoreChoice};

const ISSUER: &str = "https://auth.example.test";
const USERS: usize = 30;

fn on(store: StoreChoice) -> ServerOptions {
    let mut opts = ServerOptions::in_memory();
    opts.store = store;
    opts.issuer_base_url = Some(ISSUER.into());
    opts
}

/// The export of `store` as lines (header first).
async fn export_lines(store: &StoreChoice) -> Vec<String> {
    let store = open_store(store).await.expect("open store");
    let mut out = Vec::new();
    let options = ExportOptions {
        source: "test".into(),
        exported_at: "20260101T000000Z".into(),
        ..ExportOptions::default()
    };
    export(store.as_ref(), &options, &mut out)
        .await
        .expect("export");
    String::from_utf8(out)
        .expect("UTF-8")
        .lines()
        .map(str::to_owned)
        .collect()
}

async fn import_lines(
    store: &StoreChoice,
    lines: &[String],
    on_conflict: OnConflict,
) -> ImportReport {
    let store = open_store(store).await.expect("open store");
    let text = lines.join("\n");
    let options = ImportOptions {
        on_conflict,
        ..ImportOptions::default()
    };
    import(store, text.as_bytes(), &options).await
}

/// A fresh DynamoDB table on moto, or None when no DynamoDB endpoint is configured.
fn dynamodb() -> Option<StoreChoice> {
    if std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_none() {
        eprintln!("note: AWS_ENDPOINT_URL_DYNAMODB is not set; SKIPPING the DynamoDB part");
        return None;
    }
    let table = format!(
        "latchkey-test-{}",
        latchkey::random::uuid_v4(&latchkey::random::Csprng)
    );
    Some(StoreChoice::DynamoDb {
        table,
        create_table: true,
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// What the source holds that the targets must give back.
struct Source {
    pool: String,
    client: String,
    secret_client: String,
    totp_secret: String,
    identity_pool: String,
    identities: Vec<String>,
    /// Tokens of user-0 issued before the move: (id, access).
    tokens: (String, String),
}

async fn build_source(h: &Harness) -> Source {
    let policy = PasswordPolicyType::builder()
        .minimum_length(10)
        .require_symbols(true)
        .build();
    let tier = SchemaAttributeType::builder()
        .name("tier")
        .attribute_data_type(AttributeDataType::String)
        .mutable(true)
        .build();
    let pool = h
        .create_pool_with("moving", |b| {
            b.policies(
                UserPoolPolicyType::builder()
                    .password_policy(policy)
                    .build(),
            )
            .schema(tier)
        })
        .await
        .id
        .expect("pool id");
    h.idp
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .mfa_configuration(UserPoolMfaType::Optional)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .send()
        .await
        .expect("SetUserPoolMfaConfig");
    let client = h.create_client(&pool).await;
    let secret_client = h
        .create_client_with(&pool, |b| b.generate_secret(true))
        .await
        .client_id
        .expect("client id");
    for (group, precedence) in [("admins", 1), ("staff", 2)] {
        h.idp
            .create_group()
            .user_pool_id(&pool)
            .group_name(group)
            .precedence(precedence)
            .send()
            .await
            .expect("CreateGroup");
    }
    let mut google = crate::identity_providers::social();
    google.insert("client_secret".into(), "google-secret".into());
    h.idp
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType::Google)
        .set_provider_details(Some(google))
        .idp_identifiers("moving.example")
        .send()
        .await
        .expect("CreateIdentityProvider");
    for i in 0..USERS {
        let name = format!("user-{i}");
        h.confirmed_user(&pool, &client, &name, &format!("{name}@example.com"))
            .await;
        let group = if i % 3 == 0 { "admins" } else { "staff" };
        if i % 2 == 0 {
            h.idp
                .admin_add_user_to_group()
                .user_pool_id(&pool)
                .username(&name)
                .group_name(group)
                .send()
                .await
                .expect("AdminAddUserToGroup");
        }
    }
    // user-1 turns on TOTP MFA.
    let access = h
        .sign_in(&client, "user-1")
        .await
        .access_token
        .expect("access");
    let associated = h
        .idp
        .associate_software_token()
        .access_token(&access)
        .send()
        .await
        .expect("AssociateSoftwareToken");
    let totp_secret = associated.secret_code.expect("SecretCode");
    let code = latchkey::userpool::totp::code_at(&totp_secret, now()).expect("code");
    h.idp
        .verify_software_token()
        .access_token(&access)
        .user_code(code)
        .send()
        .await
        .expect("VerifySoftwareToken");
    h.idp
        .set_user_mfa_preference()
        .access_token(&access)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .expect("SetUserMFAPreference");
    // An identity pool trusting the pool, with identities of two users.
    let ci = crate::identity_support::identity_client(h.url());
    let provider = crate::identity_support::provider_name(&pool);
    let trusted = aws_sdk_cognitoidentity::types::CognitoIdentityProvider::builder()
        .provider_name(&provider)
        .client_id(&client)
        .build();
    let identity_pool = ci
        .create_identity_pool()
        .identity_pool_name("moving")
        .allow_unauthenticated_identities(true)
        .cognito_identity_providers(trusted)
        .send()
        .await
        .expect("CreateIdentityPool")
        .identity_pool_id
        .clone();
    let tokens = {
        let r = h.sign_in(&client, "user-0").await;
        (r.id_token.expect("id"), r.access_token.expect("access"))
    };
    let mut identities = Vec::new();
    for user in ["user-0", "user-2"] {
        let id_token = h.sign_in(&client, user).await.id_token.expect("id");
        let out = ci
            .get_id()
            .identity_pool_id(&identity_pool)
            .logins(&provider, id_token)
            .send()
            .await
            .expect("GetId");
        identities.push(out.identity_id.expect("IdentityId"));
    }
    identities.sort();
    Source {
        pool,
        client,
        secret_client,
        totp_secret,
        identity_pool,
        identities,
        tokens,
    }
}

/// A server on `target` holds all of `src`: passwords, TOTP, keys, groups, identities.
async fn check_target(target: StoreChoice, src: &Source) {
    let h = Harness::start_with(on(target)).await;
    for i in (0..USERS).filter(|i| *i != 1) {
        h.sign_in(&src.client, &format!("user-{i}")).await;
    }
    let challenge = h
        .password_auth(&src.client, "user-1", PASSWORD)
        .await
        .expect("user-1 password");
    assert_eq!(
        challenge.challenge_name,
        Some(ChallengeNameType::SoftwareTokenMfa)
    );
    // The next step's code: the source already spent the current one.
    let code = latchkey::userpool::totp::code_at(&src.totp_secret, now() + 30).expect("code");
    let done = h
        .respond(
            &src.client,
            ChallengeNameType::SoftwareTokenMfa,
            challenge.session().expect("Session"),
            &[("USERNAME", "user-1"), ("SOFTWARE_TOKEN_MFA_CODE", &code)],
        )
        .await
        .expect("TOTP answered with the same secret");
    assert!(done.authentication_result.is_some());
    // Tokens from before the move verify against the target's JWKS and still work.
    let jwks = h.jwks(&src.pool).await;
    let issuer = format!("{ISSUER}/{}", src.pool);
    verify_token(&jwks, &issuer, &src.tokens.0, TokenUse::Id, &src.client);
    verify_token(&jwks, &issuer, &src.tokens.1, TokenUse::Access, &src.client);
    let me = h
        .idp
        .get_user()
        .access_token(&src.tokens.1)
        .send()
        .await
        .expect("GetUser with a token issued before the move");
    assert_eq!(me.username, "user-0");
    // The client keeps its secret; groups keep their members.
    let described = h
        .idp
        .describe_user_pool_client()
        .user_pool_id(&src.pool)
        .client_id(&src.secret_client)
        .send()
        .await
        .expect("DescribeUserPoolClient");
    assert!(described
        .user_pool_client
        .and_then(|c| c.client_secret)
        .is_some());
    let admins = h
        .idp
        .list_users_in_group()
        .user_pool_id(&src.pool)
        .group_name("admins")
        .send()
        .await
        .expect("ListUsersInGroup");
    let mut names: Vec<String> = admins
        .users()
        .iter()
        .filter_map(|u| u.username.clone())
        .collect();
    names.sort();
    let mut wanted: Vec<String> = (0..USERS)
        .filter(|i| i % 6 == 0)
        .map(|i| format!("user-{i}"))
        .collect();
    wanted.sort();
    assert_eq!(names, wanted);
    // The identity provider keeps its secret and its identifier.
    let google = h
        .idp
        .get_identity_provider_by_identifier()
        .user_pool_id(&src.pool)
        .idp_identifier("moving.example")
        .send()
        .await
        .expect("GetIdentityProviderByIdentifier");
    let google = google.identity_provider().expect("IdentityProvider");
    assert_eq!(google.provider_name(), Some("Google"));
    assert_eq!(
        google.provider_details().expect("details")["client_secret"],
        "google-secret"
    );
    let ci = crate::identity_support::identity_client(h.url());
    let listed = ci
        .list_identities()
        .identity_pool_id(&src.identity_pool)
        .max_results(10)
        .send()
        .await
        .expect("ListIdentities");
    let mut ids: Vec<String> = listed
        .identities()
        .iter()
        .filter_map(|i| i.identity_id.clone())
        .collect();
    ids.sort();
    assert_eq!(ids, src.identities);
    h.shutdown().await;
}

/// The records of an export (header left out), sorted.
fn records(lines: &[String]) -> Vec<String> {
    let mut out = lines[1..].to_vec();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_deployment_keeps_passwords_totp_tokens_groups_and_identities() {
    let dir = TempDir::new("export-src");
    let source_store = StoreChoice::Sqlite {
        data_dir: dir.path().to_path_buf(),
    };
    let h = Harness::start_with(on(source_store.clone())).await;
    let src = build_source(&h).await;
    h.shutdown().await;
    let lines = export_lines(&source_store).await;
    assert!(lines[0].contains(r#""format":"latchkey-export","version":1"#));
    let users = lines
        .iter()
        .filter(|l| l.starts_with(r#"{"kind":"user","#))
        .count();
    assert_eq!(users, USERS);

    // SQLite → SQLite.
    let sqlite_dir = TempDir::new("export-dst");
    let sqlite = StoreChoice::Sqlite {
        data_dir: sqlite_dir.path().to_path_buf(),
    };
    let report = import_lines(&sqlite, &lines, OnConflict::Fail).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.total_imported() as usize, lines.len() - 1);
    assert_eq!(records(&export_lines(&sqlite).await), records(&lines));
    check_target(sqlite.clone(), &src).await;

    // Again into the same store: every record is a conflict, failed or skipped.
    let again = import_lines(&sqlite, &lines, OnConflict::Fail).await;
    assert!(!again.ok());
    assert_eq!(
        (again.total_imported(), again.failed as usize),
        (0, lines.len() - 1)
    );
    let skipped = import_lines(&sqlite, &lines, OnConflict::Skip).await;
    assert!(skipped.ok(), "{skipped:?}");
    assert_eq!(skipped.skipped as usize, lines.len() - 1);

    // SQLite → DynamoDB → SQLite.
    let Some(dynamo) = dynamodb() else {
        return;
    };
    let report = import_lines(&dynamo, &lines, OnConflict::Fail).await;
    assert!(report.ok(), "{report:?}");
    let from_dynamo = export_lines(&dynamo).await;
    assert_eq!(records(&from_dynamo), records(&lines));
    check_target(dynamo, &src).await;
    let back_dir = TempDir::new("export-back");
    let back = StoreChoice::Sqlite {
        data_dir: back_dir.path().to_path_buf(),
    };
    let report = import_lines(&back, &from_dynamo, OnConflict::Fail).await;
    assert!(report.ok(), "{report:?}");
    assert_eq!(records(&export_lines(&back).await), records(&lines));
    check_target(back, &src).await;
}

#[tokio::test]
async fn bad_lines_are_reported_with_their_number_and_fail_the_import() {
    let dir = TempDir::new("export-bad");
    let store = StoreChoice::Sqlite {
        data_dir: dir.path().to_path_buf(),
    };
    let header = r#"{"format":"latchkey-export","version":1,"exported_at":"20260101T000000Z","source":"test"}"#;
    let group = r#"{"kind":"group","record":{"pool_id":"us-east-1_x","name":"g","description":null,"role_arn":null,"precedence":null,"created_ms":1,"modified_ms":1}}"#;
    let lines: Vec<String> = [header, "{oops", r#"{"kind":"session","record":{}}"#, group]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let report = import_lines(&store, &lines, OnConflict::Skip).await;
    assert!(!report.ok());
    assert_eq!((report.failed, report.imported.get("group")), (2, Some(&1)));
    let lines_reported: Vec<usize> = report.problems.iter().map(|p| p.line).collect();
    assert_eq!(lines_reported, [2, 3]);
    assert!(report.problems[1]
        .reason
        .contains(r#"unknown kind "session""#));

    let later = vec![
        header.replace(r#""version":1"#, r#""version":2"#),
        group.to_string(),
    ];
    let refused = import_lines(&store, &later, OnConflict::Fail).await;
    let why = refused
        .stopped
        .clone()
        .expect("a version-2 file is refused");
    assert!(why.contains("version 2 is not supported"), "{why}");
    assert_eq!(refused.total_imported(), 0);
}
