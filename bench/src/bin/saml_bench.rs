//! SAML response checks per second (figures only, nothing asserted): what Latchkey's own
//! verifier (`latchkey::saml::response::verify_response`) costs per sign-in, on Responses made
//! by the real samlify 2.13.1 (`shared/src/saml/fixtures/`): a signed assertion, a signed
//! Response around a signed assertion, and an AES-256-CBC encrypted assertion (RSA-OAEP key
//! transport) in a signed Response. One thread, the median of `--samples` runs of
//! `--iterations` checks each.
//!
//!     cargo run --release -p latchkey-bench --bin saml_bench [-- --iterations 2000 --samples 5]

use anyhow::{bail, Result};
use base64::Engine as _;
use clap::Parser;
use latchkey::saml::response::{verify_response, Expected};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(about = "SAML response checks per second on samlify's fixtures")]
struct Args {
    /// Checks per sample.
    #[arg(long, default_value_t = 2000)]
    iterations: u32,
    /// Samples (the median is reported).
    #[arg(long, default_value_t = 5)]
    samples: usize,
}

const IDP: &str = "https://idp.example.test/metadata";
const SP: &str = "urn:amazon:cognito:sp:us-east-1_abc";
const ACS: &str = "https://auth.example.test/saml2/idpresponse";
const REQUEST: &str = "_req-7f3c2a";
/// A minute after the fixtures' IssueInstant (2026-01-01T00:00:00Z).
const NOW: i64 = 1_767_225_600_000 + 60_000;

fn der(pem: &str) -> Result<Vec<u8>> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    Ok(base64::engine::general_purpose::STANDARD.decode(body)?)
}

fn main() -> Result<()> {
    let args = Args::parse();
    let certs = vec![der(include_str!(
        "../../../shared/src/saml/fixtures/idp_cert.pem"
    ))?];
    let key = der(include_str!("../../../shared/src/saml/fixtures/sp_key.pem"))?;
    let cases = [
        (
            "signed assertion",
            include_str!("../../../shared/src/saml/fixtures/signed_assertion.b64"),
            false,
        ),
        (
            "signed response and assertion",
            include_str!("../../../shared/src/saml/fixtures/signed_both.b64"),
            false,
        ),
        (
            "encrypted assertion (AES-256-CBC, RSA-OAEP), signed response",
            include_str!("../../../shared/src/saml/fixtures/encrypted_cbc.b64"),
            true,
        ),
    ];
    println!("{:<62} {:>10} {:>12}", "response", "checks/s", "us/check");
    for (name, response, encrypted) in cases {
        let expected = Expected {
            idp_entity_id: IDP,
            idp_certificates: &certs,
            audience: SP,
            acs_url: ACS,
            in_response_to: Some(REQUEST),
            decryption_key: encrypted.then_some(key.as_slice()),
            require_encryption: encrypted,
            now_ms: NOW,
        };
        if let Err(e) = verify_response(response, &expected) {
            bail!("{name}: the fixture does not verify: {e}");
        }
        let mut per_check = Vec::with_capacity(args.samples);
        for _ in 0..args.samples {
            let started = Instant::now();
            for _ in 0..args.iterations {
                let assertion = verify_response(response, &expected);
                std::hint::black_box(&assertion);
            }
            per_check.push(started.elapsed().as_secs_f64() / f64::from(args.iterations));
        }
        per_check.sort_by(f64::total_cmp);
        let median = per_check[per_check.len() / 2];
        println!("{name:<62} {:>10.0} {:>12.1}", 1.0 / median, median * 1e6);
    }
    Ok(())
}
