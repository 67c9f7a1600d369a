//! What the delivery tests read: mail delivered to the real SMTP server (aiosmtpd, started by
//! scripts/smtp.sh, keeping a Maildir), and what moto's SES and SNS received
//! (`/moto-api/data.json`). Each test uses its own addresses and numbers, so tests running at
//! once never read each other's messages.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use latchkey_server::ServerOptions;
use serde_json::Value;

/// The SMTP server the README test command starts: (URL, Maildir). `None` outside it.
pub fn smtp() -> Option<(String, PathBuf)> {
    let url = std::env::var("LATCHKEY_TEST_SMTP_URL").ok()?;
    let dir = std::env::var("LATCHKEY_TEST_MAILDIR").ok()?;
    Some((url, PathBuf::from(dir)))
}

/// Whether the tests must have their services (the README test command sets this).
pub fn required() -> bool {
    std::env::var("LATCHKEY_REQUIRE_TRIGGERS").is_ok()
}

/// The SMTP server, or `None` after saying why the test is skipped (a panic when the README
/// test command runs, which always starts it).
pub fn smtp_or_skip(test: &str) -> Option<(String, PathBuf)> {
    let found = smtp();
    if found.is_none() {
        assert!(
            !required(),
            "LATCHKEY_TEST_SMTP_URL is not set: start scripts/smtp.sh"
        );
        eprintln!("{test}: skipped (no SMTP server; run scripts/test.sh or scripts/smtp.sh)");
    }
    found
}

/// In-memory server options sending email through `smtp_url` from `from`.
pub fn with_smtp(smtp_url: &str, from: &str) -> ServerOptions {
    let mut opts = ServerOptions::in_memory();
    opts.delivery.smtp_url = Some(latchkey::secret::Secret::new(smtp_url.to_string()));
    opts.delivery.email_from = Some(from.to_string());
    opts
}

/// A unique address at example.com for one test.
pub fn unique_address(tag: &str) -> String {
    format!(
        "{tag}-{}@example.com",
        &latchkey::random::uuid_v4(&latchkey::random::Csprng)[..8]
    )
}

/// One delivered email, decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

fn parse(raw: &[u8]) -> Option<Mail> {
    use mailparse::MailHeaderMap;
    let m = mailparse::parse_mail(raw).ok()?;
    let header = |h: &str| m.headers.get_first_value(h);
    let mut text = String::new();
    let mut html = None;
    let mut parts = vec![&m];
    while let Some(p) = parts.pop() {
        if p.subparts.is_empty() {
            let body = p.get_body().ok()?;
            if p.ctype.mimetype == "text/html" {
                html = Some(body);
            } else if p.ctype.mimetype == "text/plain" {
                text = body;
            }
        } else {
            parts.extend(p.subparts.iter());
        }
    }
    Some(Mail {
        from: header("From")?,
        to: header("To")?,
        reply_to: header("Reply-To"),
        subject: header("Subject").unwrap_or_default(),
        text,
        html,
    })
}

fn mail_to(maildir: &Path, address: &str) -> Vec<(std::time::SystemTime, Mail)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return found;
    };
    for e in entries.flatten() {
        let Ok(raw) = std::fs::read(e.path()) else {
            continue;
        };
        if let Some(mail) = parse(&raw).filter(|m| m.to.contains(address)) {
            let at = e
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(std::time::UNIX_EPOCH);
            found.push((at, mail));
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found
}

/// Waits (up to 10 s) until `count` messages to `address` arrived; returns them, oldest first.
pub async fn mails(maildir: &Path, address: &str, count: usize) -> Vec<Mail> {
    for _ in 0..100 {
        let found = mail_to(maildir, address);
        if found.len() >= count {
            return found.into_iter().map(|(_, m)| m).collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = mail_to(maildir, address).len();
    panic!("expected {count} mails to {address}, got {got}");
}

/// The messages to `address` right now (for "nothing was sent").
pub fn mails_now(maildir: &Path, address: &str) -> usize {
    mail_to(maildir, address).len()
}

/// The first run of `digits` digits in `text`.
pub fn code_in(text: &str, digits: usize) -> String {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if run == digits {
            return text[i..i + run].to_string();
        }
        i += run.max(1);
    }
    panic!("no {digits}-digit code in {text:?}");
}

// ----- moto: SES and SNS -----------------------------------------------------------------

/// moto's URL (the SES endpoint the README test command exports), or `None`.
pub fn moto() -> Option<String> {
    std::env::var("AWS_ENDPOINT_URL_SESV2").ok()
}

/// moto's SES and SNS, or `None` after saying why the test is skipped.
pub fn moto_or_skip(test: &str) -> Option<String> {
    let found = moto().filter(|_| std::env::var("AWS_ENDPOINT_URL_SNS").is_ok());
    if found.is_none() {
        assert!(
            !required(),
            "AWS_ENDPOINT_URL_SESV2/SNS are not set: start scripts/moto.sh"
        );
        eprintln!("{test}: skipped (no moto; run scripts/test.sh)");
    }
    found
}

/// Verifies an SES email identity in moto (its SES query API, as `aws ses verify-email-identity`).
pub async fn ses_verify(moto: &str, address: &str) {
    let resp = reqwest::Client::new()
        .post(moto)
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0",
        )
        .form(&[
            ("Action", "VerifyEmailIdentity"),
            ("Version", "2010-12-01"),
            ("EmailAddress", address),
        ])
        .send()
        .await
        .expect("moto answers");
    assert!(
        resp.status().is_success(),
        "VerifyEmailIdentity: {}",
        resp.status()
    );
}

async fn moto_data(moto: &str) -> Value {
    reqwest::get(format!("{moto}/moto-api/data.json"))
        .await
        .expect("moto data")
        .json()
        .await
        .expect("moto data is JSON")
}

/// (source, subject, body) of the SES messages to `address`, oldest first.
pub async fn ses_messages(moto: &str, address: &str) -> Vec<(String, String, String)> {
    let data = moto_data(moto).await;
    let all = data["ses"]["Message"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    all.iter()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|t| t == address))
        })
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
            (s("source"), s("subject"), s("body"))
        })
        .collect()
}

/// The SMS texts moto's SNS published to `phone`, oldest first.
pub async fn sms_messages(moto: &str, phone: &str) -> Vec<String> {
    let data = moto_data(moto).await;
    let all = data["sns"]["SMS"].as_array().cloned().unwrap_or_default();
    all.iter()
        .filter(|m| m["phone_number"] == phone)
        .filter_map(|m| m["message"].as_str().map(str::to_string))
        .collect()
}

/// A unique US phone number for one test.
pub fn unique_phone() -> String {
    let n: u64 = latchkey::random::uuid_v4(&latchkey::random::Csprng)
        .bytes()
        .fold(7, |a, b| a.wrapping_mul(31).wrapping_add(u64::from(b)));
    format!("+1555{:07}", n % 10_000_000)
}
