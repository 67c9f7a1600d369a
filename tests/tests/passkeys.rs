//! Passkeys end to end through boto3 and a software authenticator
//! (`tests/clients/passkeys_check.py`): registration, listing and deletion, sign-in with the
//! WEB_AUTHN challenge, and each way an answer must be refused. Each test is one scenario of
//! the script on its own in-process server (on a DynamoDB table in the README test command's
//! DynamoDB pass). And Amplify v6's own passkey code in chromium with a
//! CDP virtual authenticator (`tests/clients/node/amplify_passkeys.mjs`).

use crate::common::Harness;
use crate::real_clients::{clients_present, repo_root, run_script};
use std::path::PathBuf;

/// Runs `check` of the passkeys script against a fresh server.
async fn passkeys(check: &str) {
    passkeys_on(check, Harness::start()).await;
}

/// Runs `check` against the server `harness` starts.
async fn passkeys_on(check: &str, harness: impl std::future::Future<Output = Harness>) {
    let root = repo_root();
    let python = root.join(".venv-clients/bin/python");
    let stamp = root.join(".venv-clients/.latchkey-stamp");
    if !clients_present("boto3 (.venv-clients)", &[python.clone(), stamp]) {
        return;
    }
    // The README test command's DynamoDB pass runs these on a DynamoDB table.
    let h = harness.await;
    let args = vec![
        root.join("tests/clients/passkeys_check.py")
            .display()
            .to_string(),
        "--endpoint".into(),
        h.url().to_string(),
        "--check".into(),
        check.into(),
    ];
    let (ok, output) = tokio::task::spawn_blocking(move || run_script(&python, &args))
        .await
        .expect("script thread");
    h.shutdown().await;
    println!("--- passkeys {check} ---\n{output}");
    assert!(ok, "passkeys {check} failed (output above)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_list_and_delete() {
    passkeys("register").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_has_one_owner_until_the_user_goes() {
    passkeys("one_owner").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_refuses_other_origins_and_relying_parties() {
    passkeys("registration_refusals").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_web_authn() {
    passkeys("sign_in").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_authn_is_a_choice_and_unknown_names_get_a_decoy() {
    passkeys("select_and_unknown").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usernameless_sign_in_when_the_pool_opts_in() {
    passkeys("usernameless").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_assertion_is_refused() {
    passkeys("replay").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assertion_from_another_origin_is_refused() {
    passkeys("wrong_origin").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assertion_for_another_relying_party_is_refused() {
    passkeys("wrong_rp_id").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_users_passkey_is_refused() {
    passkeys("other_users_credential").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_counter_that_goes_back_is_refused() {
    passkeys("counter").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_assertions_lock_out_like_wrong_passwords() {
    // On a stopped clock: the lock after five failures lasts a second, and the check that a
    // sixth attempt is refused must not depend on how fast the script runs.
    let clock = latchkey::clock::ManualClock::starting_now();
    passkeys_on("lockout", Harness::start_with_clock(clock)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_verification_preferred_and_required() {
    passkeys("user_verification").await;
}

/// aws-amplify v6: associateWebAuthnCredential, listWebAuthnCredentials, signIn with
/// preferredChallenge WEB_AUTHN and deleteWebAuthnCredential, in chromium.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplify_passkeys_in_chromium() {
    let root = repo_root();
    let modules = root.join("tests/clients/node/node_modules");
    let mut needed: Vec<PathBuf> = [
        "aws-amplify",
        "esbuild",
        "playwright-core",
        ".latchkey-stamp",
    ]
    .iter()
    .map(|p| modules.join(p))
    .collect();
    needed.push(PathBuf::from("/usr/bin/chromium"));
    if !clients_present("aws-amplify, esbuild, playwright-core, chromium", &needed) {
        return;
    }
    let h = Harness::start().await;
    let page_port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let args = vec![
        root.join("tests/clients/node/amplify_passkeys.mjs")
            .display()
            .to_string(),
        "--base".into(),
        h.url().to_string(),
        "--page-port".into(),
        page_port.to_string(),
    ];
    let (ok, output) =
        tokio::task::spawn_blocking(move || run_script(&PathBuf::from("node"), &args))
            .await
            .expect("script thread");
    h.shutdown().await;
    println!("--- amplify passkeys ---\n{output}");
    assert!(ok, "amplify passkeys failed (output above)");
}
