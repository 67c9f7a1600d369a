//! USER_SRP_AUTH sign-in and TOTP MFA through the REAL Cognito client libraries: pycognito
//! (with pyotp) and amazon-cognito-identity-js (with otplib); choice-based sign-in (USER_AUTH)
//! through Amplify v6 in Node. Each test spawns an in-process
//! server on an ephemeral port and runs one of the driver scripts under `tests/clients/`
//! against it, printing the script's output and asserting it exits 0.
//!
//! The clients are installed into the repo by `bash scripts/clients.sh` (`.venv-clients/` and
//! `tests/clients/node/node_modules/`). Without them each test prints a SKIPPED note and
//! passes, unless `LATCHKEY_REQUIRE_CLIENTS=1` is set (as scripts/test.sh does), where it
//! fails and says to run the install script.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use latchkey_server::ServerOptions;

/// Longest a driver script may run: TOTP checks may wait up to one 30 s step each (moto's
/// suite has three tests that each wait for fresh steps).
const SCRIPT_LIMIT: Duration = Duration::from_secs(600);

/// The workspace root (this crate lives in `tests/`).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// True when the clients are installed; otherwise SKIPPED, or a failure when they are required.
pub(crate) fn clients_present(what: &str, needed: &[PathBuf]) -> bool {
    let missing: Vec<_> = needed.iter().filter(|p| !p.exists()).collect();
    if missing.is_empty() {
        return true;
    }
    let list = missing
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    if std::env::var("LATCHKEY_REQUIRE_CLIENTS").as_deref() == Ok("1") {
        panic!(
            "{what} is not installed (missing {list}) and LATCHKEY_REQUIRE_CLIENTS=1: \
             run `bash scripts/clients.sh` first"
        );
    }
    println!(
        "SKIPPED: {what} is not installed (missing {list}); run `bash scripts/clients.sh` \
         (set LATCHKEY_REQUIRE_CLIENTS=1 to make this a failure)"
    );
    false
}

/// Runs `program args` in the repo root with a time limit; returns (exit ok, stdout+stderr).
pub(crate) fn run_script(program: &Path, args: &[String]) -> (bool, String) {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(repo_root())
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", program.display()));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout")));
    let err = drain(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + SCRIPT_LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the script") {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(100));
    };
    let mut text = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if !stderr.trim().is_empty() {
        text.push_str("--- stderr ---\n");
        text.push_str(&stderr);
    }
    match status {
        Some(s) => (s.success(), text),
        None => {
            text.push_str(&format!("--- killed after {SCRIPT_LIMIT:?} ---\n"));
            (false, text)
        }
    }
}

/// The Python of `.venv-clients` (what `what` needs), once `scripts/clients.sh` has stamped it
/// ready; None (after the SKIPPED note) when it is not there.
fn venv_python(what: &str) -> Option<PathBuf> {
    let root = repo_root();
    let python = root.join(".venv-clients/bin/python");
    // clients.sh writes the stamp once every Python client imports.
    let stamp = root.join(".venv-clients/.latchkey-stamp");
    clients_present(what, &[python.clone(), stamp]).then_some(python)
}

/// `script --endpoint .. --pool-id .. --client-id ..` for `server`'s default pool and client,
/// then `more`.
fn script_args(
    script: &Path,
    server: &latchkey_server::RunningServer,
    more: Vec<String>,
) -> Vec<String> {
    let mut args = vec![
        script.display().to_string(),
        "--endpoint".into(),
        server.url.clone(),
        "--pool-id".into(),
        server.default_pool_id.clone(),
        "--client-id".into(),
        server.default_client_id.clone(),
    ];
    args.extend(more);
    args
}

/// Spawns a server, runs `program script --endpoint .. --pool-id .. --client-id ..` against
/// it, prints the output and asserts success.
async fn drive(what: &str, program: PathBuf, script: PathBuf) {
    drive_with(what, program, |server| {
        script_args(&script, server, Vec::new())
    })
    .await;
}

/// Spawns a server, runs `program` with the arguments `args` makes for it, prints the output
/// and asserts success.
async fn drive_with(
    what: &str,
    program: PathBuf,
    args: impl FnOnce(&latchkey_server::RunningServer) -> Vec<String>,
) {
    drive_on(ServerOptions::in_memory(), what, program, args).await;
}

/// [`drive_with`] against a server started with `opts`.
async fn drive_on(
    opts: ServerOptions,
    what: &str,
    program: PathBuf,
    args: impl FnOnce(&latchkey_server::RunningServer) -> Vec<String>,
) {
    let server = latchkey_server::spawn(opts).await.expect("server spawns");
    let args = args(&server);
    let (ok, output) = tokio::task::spawn_blocking(move || run_script(&program, &args))
        .await
        .expect("script thread");
    server.shutdown().await;
    println!("--- {what} ---\n{output}");
    assert!(ok, "{what} checks failed against the server (output above)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pycognito_srp_and_totp() {
    let root = repo_root();
    let Some(python) = venv_python("pycognito (.venv-clients)") else {
        return;
    };
    let script = root.join("tests/clients/pycognito_check.py");
    drive("pycognito", python, script).await;
}

/// Plain boto3 through the code messages of a server that mails through the real SMTP server
/// (codes read from the delivered mail) and through SMS MFA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_codes_by_mail_and_sms_mfa() {
    let root = repo_root();
    let Some(python) = venv_python("boto3 (.venv-clients)") else {
        return;
    };
    let Some((smtp, maildir)) = crate::delivery_support::smtp_or_skip("boto3_codes_by_mail") else {
        return;
    };
    let opts = crate::delivery_support::with_smtp(&smtp, "server@example.com");
    let script = root.join("tests/clients/boto3_delivery_check.py");
    drive_on(opts, "boto3 delivery", python, |server| {
        let more = vec!["--maildir".into(), maildir.display().to_string()];
        script_args(&script, server, more)
    })
    .await;
}

/// Plain boto3 through a CSV user import (header, job, PUT to the pre-signed URL with urllib,
/// start, describe) and an imported user's reset and sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_user_import() {
    let root = repo_root();
    let Some(python) = venv_python("boto3 (.venv-clients)") else {
        return;
    };
    let script = root.join("tests/clients/boto3_import_check.py");
    drive("boto3 import", python, script).await;
}

/// The same boto3 import through the deployment's path: a server with `LATCHKEY_IMPORT_BUCKET`
/// hands out S3's own pre-signed PUT URLs into a bucket on the local S3 (moto, named by
/// `AWS_ENDPOINT_URL_S3`), and the job reads the file from there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_user_import_through_s3() {
    let root = repo_root();
    let Some(python) = venv_python("boto3 (.venv-clients)") else {
        return;
    };
    if std::env::var_os("AWS_ENDPOINT_URL_S3").is_none() {
        println!("SKIPPED boto3 import through S3: AWS_ENDPOINT_URL_S3 names no local S3");
        return;
    }
    let bucket = format!("latchkey-imports-{}", std::process::id());
    let opts = ServerOptions {
        import_bucket: Some(bucket.clone()),
        ..ServerOptions::in_memory()
    };
    let script = root.join("tests/clients/boto3_import_check.py");
    drive_on(opts, "boto3 import through S3", python, |server| {
        script_args(&script, server, vec!["--s3-bucket".into(), bucket])
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_cognito_identity_js_srp_and_totp() {
    let root = repo_root();
    let modules = root.join("tests/clients/node/node_modules");
    let needed = [
        modules.join("amazon-cognito-identity-js"),
        modules.join("otplib"),
        modules.join(".latchkey-stamp"),
    ];
    if !clients_present("amazon-cognito-identity-js (tests/clients/node)", &needed) {
        return;
    }
    let script = root.join("tests/clients/node/check.js");
    drive("amazon-cognito-identity-js", PathBuf::from("node"), script).await;
}

/// Runs the Node script `tests/clients/node/{script}` (`--endpoint URL`) against a fresh
/// server, when the node modules it needs (`modules`) are installed.
async fn drive_node(what: &str, script: &str, modules: &[&str]) {
    let root = repo_root();
    let installed = root.join("tests/clients/node/node_modules");
    let needed: Vec<PathBuf> = modules
        .iter()
        .chain([&".latchkey-stamp"])
        .map(|m| installed.join(m))
        .collect();
    if !clients_present(
        &format!("{} (tests/clients/node)", modules.join(", ")),
        &needed,
    ) {
        return;
    }
    let script = root.join("tests/clients/node").join(script);
    drive_with(what, PathBuf::from("node"), |server| {
        vec![
            script.display().to_string(),
            "--endpoint".into(),
            server.url.clone(),
        ]
    })
    .await;
}

/// Amplify v6 (aws-amplify/auth in Node) through USER_AUTH: autoSignIn after ConfirmSignUp,
/// EMAIL_OTP and SMS_OTP codes, the first-factor selection, PASSWORD_SRP, a wrong code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amplify_user_auth_passwordless() {
    let script = "amplify_user_auth.mjs";
    drive_node("amplify USER_AUTH", script, &["aws-amplify"]).await;
}

/// Remembered devices through amazon-cognito-identity-js and Amplify v6
/// (`tests/clients/node/devices.mjs`): MFA once, the device confirmed and remembered, the next
/// sign-in through DEVICE_SRP_AUTH without MFA, listing and forgetting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn js_clients_remember_devices() {
    let modules = ["amazon-cognito-identity-js", "aws-amplify"];
    drive_node("devices (identity-js, Amplify)", "devices.mjs", &modules).await;
}

/// moto's own Cognito tests that moto verified against real AWS (`-m aws_verified`: sign-up,
/// USER_PASSWORD_AUTH and SRP with secrets, legacy ExplicitAuthFlows, NEW_PASSWORD_REQUIRED,
/// MFA_SETUP and SOFTWARE_TOKEN_MFA, groups and scopes in tokens, forgot password), run as
/// plain boto3 against the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_aws_verified_cognito_tests() {
    let root = repo_root();
    let venv = root.join(".venv-clients");
    let needed = [
        venv.join("bin/python"),
        venv.join("moto-src/tests/test_cognitoidp/test_cognitoidp.py"),
        venv.join(".latchkey-stamp"),
    ];
    if !clients_present("moto's Cognito tests (.venv-clients)", &needed) {
        return;
    }
    let script = root.join("tests/clients/moto/run.sh");
    drive_with("moto aws_verified", PathBuf::from("bash"), |server| {
        vec![script.display().to_string(), server.url.clone()]
    })
    .await;
    // pytest's closing line is in the output above; a failure exits non-zero.
}

/// The admin console in Debian's chromium (`tests/clients/node/console_browser.mjs`, through
/// playwright-core): an operator of the admin group signs in on the managed login, finds a
/// user with the search form, disables them, resets their password and adds them to a group
/// through the confirmation pages; each main page is screenshotted (into
/// `target/console-screenshots/`) and must have no serious or critical axe-core violation.
/// The changes are then read back through the AWS SDK.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_in_chromium_with_axe_core() {
    use crate::common::{attr, PASSWORD};
    use crate::console_support::{permanent_user, signed_in_server};
    use aws_sdk_cognitoidentityprovider::types::UserStatusType;

    let root = repo_root();
    let modules = root.join("tests/clients/node/node_modules");
    let axe = modules.join("axe-core/axe.min.js");
    let needed = [
        modules.join("playwright-core"),
        axe.clone(),
        modules.join(".latchkey-stamp"),
        PathBuf::from("/usr/bin/chromium"),
    ];
    let what = "playwright-core and axe-core (tests/clients/node), chromium (scripts/browser.sh)";
    if !clients_present(what, &needed) {
        return;
    }
    // The console's pool is the server's default pool; `admin` is in its admin group.
    let h = signed_in_server().await;
    let pool = h.server.default_pool_id.clone();
    let described = h
        .idp
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .expect("DescribeUserPool");
    let pool_name = described
        .user_pool()
        .and_then(|p| p.name())
        .expect("the pool's name")
        .to_string();
    let maria = [
        ("email", "maria.support@example.com"),
        ("email_verified", "true"),
    ];
    permanent_user(&h, &pool, "maria", &maria).await;
    permanent_user(&h, &pool, "mario", &[("email", "mario@example.org")]).await;
    h.idp
        .create_group()
        .user_pool_id(&pool)
        .group_name("support")
        .description("Answers the phone")
        .send()
        .await
        .expect("CreateGroup");
    let client = h.server.default_client_id.clone();
    let signed_in = h.sign_in(&client, "mario").await;
    let id_token = signed_in.id_token().expect("an ID token").to_string();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let shots = target.join("console-screenshots");
    let flags = [
        ("base", h.url()),
        ("pool-id", pool.as_str()),
        ("pool-name", pool_name.as_str()),
        ("operator", "admin"),
        ("password", PASSWORD),
        ("user", "maria"),
        ("other-user", "mario"),
        ("search-prefix", "maria."),
        ("group", "support"),
        ("token", id_token.as_str()),
        ("axe", &axe.display().to_string()),
        ("shots", &shots.display().to_string()),
    ];
    let mut args = vec![root
        .join("tests/clients/node/console_browser.mjs")
        .display()
        .to_string()];
    for (name, value) in flags {
        args.push(format!("--{name}"));
        args.push(value.to_string());
    }
    let (ok, output) = tokio::task::spawn_blocking(move || run_script(Path::new("node"), &args))
        .await
        .expect("script thread");
    println!("--- console in chromium ---\n{output}");
    println!("console screenshots: {}", shots.display());
    assert!(ok, "the console in chromium failed (output above)");
    for page in ["01-pools", "04-user", "09-token-inspector"] {
        let shot = shots.join(format!("{page}.png"));
        let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "a screenshot at {}", shot.display());
    }

    // What the browser did, as the SDK sees it.
    let user = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("maria")
        .send()
        .await
        .expect("AdminGetUser");
    assert!(!user.enabled(), "maria is disabled");
    assert_eq!(user.user_status(), Some(&UserStatusType::ResetRequired));
    let groups = h
        .idp
        .admin_list_groups_for_user()
        .user_pool_id(&pool)
        .username("maria")
        .send()
        .await
        .expect("AdminListGroupsForUser");
    let names: Vec<_> = groups
        .groups()
        .iter()
        .filter_map(|g| g.group_name())
        .collect();
    assert_eq!(names, ["support"]);
    // The reset sent maria a code; mario was left alone.
    let sent = h.outbox(&pool, "maria").await;
    assert!(
        sent.iter().any(|m| m["Purpose"] == "ForgotPassword"),
        "{sent:?}"
    );
    let mario = h
        .idp
        .admin_get_user()
        .user_pool_id(&pool)
        .username("mario")
        .send()
        .await
        .expect("AdminGetUser");
    assert!(mario.enabled());
    assert_eq!(mario.user_status(), Some(&UserStatusType::Confirmed));
    assert_eq!(
        attr(mario.user_attributes(), "email"),
        Some("mario@example.org")
    );
    h.shutdown().await;
}
