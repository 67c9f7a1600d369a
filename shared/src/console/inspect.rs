//! The token inspector: a pasted token decoded (header and claims) and verified as a relying
//! party would, against its pool's published JWKS: an RS256 signature by one of the JWKS's
//! keys, `iss` this deployment's issuer of that pool, `token_use` `id` or `access`, `exp`
//! still ahead. Each check has its own verdict; the token is neither kept nor shown again.

use super::api::date;
use super::layout::{esc, page_url, table, Form};
use super::{Answer, Cx, Handled, Page};
use crate::edge::hosted::{self, csrf_ok, CSRF_FIELD};
use crate::error::ApiError;
use crate::identity::jwks::parse_jwks;
use crate::userpool::jwt::{decode_verified, peek_claims};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::StatusCode;
use serde_json::{Map, Value};

/// The paste form.
fn paste_form(cx: &Cx<'_>) -> String {
    Form::post("inspect", &page_url("/token", &[]), &cx.csrf)
        .textarea("token", "Token (an ID or access token)", 8)
        .finish("Inspect", false)
}

/// `GET /_latchkey/console/token`.
pub fn form(cx: &Cx<'_>) -> Handled {
    let body = format!(
        "<p>Paste a token to decode it and verify it against its pool's JWKS.</p>\n{}",
        paste_form(cx)
    );
    Ok(Answer::Page(Page::new("Token inspector", body)))
}

/// One check's outcome: what was checked, and whether it passed with what detail.
struct Check {
    what: &'static str,
    passed: bool,
    detail: String,
}

/// `POST /_latchkey/console/token`.
pub async fn submit(cx: &Cx<'_>) -> Handled {
    let values = hosted::login::form_of(cx.req);
    let page = |notice: &str, status: StatusCode, body: String| {
        Page::new("Token inspector", body)
            .with_notice(notice, false)
            .with_status(status)
    };
    if !csrf_ok(cx.req, values.get(CSRF_FIELD).map(String::as_str)) {
        let p = page(hosted::EXPIRED, StatusCode::FORBIDDEN, paste_form(cx));
        return Ok(Answer::Page(p));
    }
    let token: String = values
        .get("token")
        .map(|t| t.chars().filter(|c| !c.is_whitespace()).collect())
        .unwrap_or_default();
    let (Some(header), Some(claims)) = (header_of(&token), peek_claims(&token)) else {
        let text = "This is not a JSON Web Token (three base64url parts: header, claims, \
                    signature).";
        return Ok(Answer::Page(page(
            text,
            StatusCode::BAD_REQUEST,
            paste_form(cx),
        )));
    };
    let checks = verify(cx, &token, &claims).await?;
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.what)
        .collect();
    let verdict = if failed.is_empty() {
        "Valid: signed by the pool's key, issued here, of a known use, not expired.".to_string()
    } else {
        format!("Not valid: {} failed.", failed.join(", "))
    };
    let rows: Vec<Vec<String>> = checks
        .iter()
        .map(|c| {
            let mark = if c.passed { "Passed" } else { "Failed" };
            vec![esc(c.what), esc(mark), esc(&c.detail)]
        })
        .collect();
    let mut body = table("Checks", &["Check", "Result", "Detail"], &rows, "");
    body.push_str(&table(
        "Claims",
        &["Claim", "Value"],
        &claim_rows(&claims),
        "No claims.",
    ));
    let pretty = serde_json::to_string_pretty(&header).unwrap_or_default();
    body.push_str(&format!("<h2>Header</h2>\n<pre>{}</pre>\n", esc(&pretty)));
    body.push_str("<h2>Inspect another token</h2>\n");
    body.push_str(&paste_form(cx));
    let result = Page::new("Token inspector", body).with_notice(&verdict, failed.is_empty());
    Ok(Answer::Page(result))
}

/// The JWS header, when the token has three parts and the first is a JSON object.
fn header_of(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (Some(h), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
    header.is_object().then_some(header)
}

/// The four checks.
async fn verify(
    cx: &Cx<'_>,
    token: &str,
    claims: &Map<String, Value>,
) -> Result<Vec<Check>, ApiError> {
    let claim = |n: &str| claims.get(n).and_then(Value::as_str).unwrap_or_default();
    let iss = claim("iss");
    let base = format!("{}/", cx.app.settings.issuer_base_url);
    let pool_id = iss
        .strip_prefix(&base)
        .filter(|p| !p.is_empty() && !p.contains('/'));
    let pool = match pool_id {
        Some(id) => cx.app.configs.pool(cx.app.store.as_ref(), id).await?,
        None => None,
    };
    let issuer = Check {
        what: "Issuer",
        passed: pool.is_some(),
        detail: match (&pool, pool_id) {
            (Some(p), _) => format!("{iss}: the pool {} ({})", p.id, p.name),
            (None, Some(id)) => format!("{iss}: no pool {id} here"),
            (None, None) => format!("{iss:?} is not an issuer of this deployment ({base}…)"),
        },
    };
    let signature = match &pool {
        None => Check {
            what: "Signature",
            passed: false,
            detail: "No pool, so no JWKS to check it against.".into(),
        },
        Some(p) => {
            let jwks = crate::userpool::wellknown::jwks_document(cx.app, &p.id).await?;
            let keys = parse_jwks(&serde_json::to_value(&jwks).unwrap_or_default());
            let ok = decode_verified(token, |kid, msg, sig| {
                keys.get(kid)
                    .is_some_and(|k| k.verify_sig(msg, sig).is_ok())
            })
            .is_ok();
            Check {
                what: "Signature",
                passed: ok,
                detail: if ok {
                    "RS256, by a key of the pool's JWKS.".into()
                } else {
                    "Not an RS256 signature by any key of the pool's JWKS.".into()
                },
            }
        }
    };
    let token_use = claim("token_use");
    let usage = Check {
        what: "Token use",
        passed: matches!(token_use, "id" | "access"),
        detail: match token_use {
            "id" => "An ID token.".into(),
            "access" => "An access token.".into(),
            other => format!("{other:?} is neither id nor access."),
        },
    };
    let now = cx.app.clock.now_secs();
    let expiry = match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp > now => Check {
            what: "Expiry",
            passed: true,
            detail: format!("Expires {} (in {} s).", date(&exp.into()), exp - now),
        },
        Some(exp) => Check {
            what: "Expiry",
            passed: false,
            detail: format!("Expired {} ({} s ago).", date(&exp.into()), now - exp),
        },
        None => Check {
            what: "Expiry",
            passed: false,
            detail: "No exp claim.".into(),
        },
    };
    Ok(vec![signature, issuer, usage, expiry])
}

/// Claims as rows; times also as dates.
fn claim_rows(claims: &Map<String, Value>) -> Vec<Vec<String>> {
    claims
        .iter()
        .map(|(name, v)| {
            let mut shown = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if matches!(name.as_str(), "exp" | "iat" | "auth_time") {
                shown = format!("{shown} ({})", date(v));
            }
            vec![format!("<code>{}</code>", esc(name)), esc(&shown)]
        })
        .collect()
}
