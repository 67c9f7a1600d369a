//! The console's way to the operations: the wire protocol's own dispatch (the model's checks
//! of every member, the operation, its triggers and rules), so what the console reads and
//! does is exactly the API call an SDK would make, and its errors are Cognito's. Replies are
//! Cognito's JSON shapes, read here for display.

use crate::error::{ApiError, ApiResult};
use crate::protocol::{dispatch, dispatch_identity};
use crate::userpool::srp::timestamp::format_unix;
use crate::App;
use serde_json::Value;

fn body(input: &Value) -> ApiResult<Vec<u8>> {
    serde_json::to_vec(input).map_err(|e| ApiError::internal(&e.into()))
}

/// A user-pool operation.
pub async fn call(app: &App, op: &str, input: Value) -> ApiResult<Value> {
    dispatch(app, op, &body(&input)?).await
}

/// An identity-pool operation.
pub async fn call_identity(app: &App, op: &str, input: Value) -> ApiResult<Value> {
    dispatch_identity(app, op, &body(&input)?).await
}

/// A member as text: strings as they are, numbers, booleans as `Yes` / `No`, lists joined,
/// nothing as a dash.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.is_empty() => "—".into(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

/// A date member (epoch seconds, as the API sends them) as text.
pub fn date(v: &Value) -> String {
    match v.as_f64() {
        Some(secs) => format_unix(secs as i64),
        None => "—".into(),
    }
}

/// A list member's items (none when absent).
pub fn items(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A string member, or empty.
pub fn str_of<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or_default()
}

/// `[{Name, Value}]` attributes as (name, value) pairs.
pub fn attributes(v: &Value) -> Vec<(String, String)> {
    items(v)
        .iter()
        .map(|a| {
            (
                str_of(a, "Name").to_string(),
                str_of(a, "Value").to_string(),
            )
        })
        .collect()
}
