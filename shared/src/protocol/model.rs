//! Cognito's own service models (botocore's `service-2.json` for cognito-idp and
//! cognito-identity, trimmed by `scripts/trim-model.py` into `shared/model/`), and request
//! validation driven by them: which operations exist, and every input member's type, length,
//! pattern, enum and range, checked before an operation sees the body.
//!
//! The order is Coral's: a body that is not a JSON object, or a member of the wrong JSON type,
//! is a `SerializationException` (first one found); then every constraint is checked and all
//! violations are reported at once as `InvalidParameterException` "N validation errors
//! detected: ...". Values are never echoed (secrets live in these members).

use super::parse::{camel, parse};
use crate::error::{ApiError, ErrorKind};
use crate::pattern::Pattern;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The two services a body can be addressed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    /// `AWSCognitoIdentityProviderService` (user pools).
    UserPools,
    /// `AWSCognitoIdentityService` (identity pools).
    IdentityPools,
}

/// One service's operations and input shapes.
#[derive(Deserialize)]
pub struct Model {
    operations: HashMap<String, Option<String>>,
    shapes: HashMap<String, Shape>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    String,
    Integer,
    Long,
    Boolean,
    Timestamp,
    Blob,
    Structure,
    List,
    Map,
    Document,
    Double,
    Float,
}

#[derive(Deserialize)]
struct Shape {
    #[serde(rename = "type")]
    kind: Kind,
    #[serde(default)]
    required: Vec<String>,
    min: Option<i64>,
    max: Option<i64>,
    pattern: Option<String>,
    #[serde(rename = "enum")]
    values: Option<Vec<String>>,
    /// Sorted, so violations are reported in one order without sorting per request.
    #[serde(default)]
    members: BTreeMap<String, String>,
    member: Option<String>,
    key: Option<String>,
    value: Option<String>,
    #[serde(skip)]
    regex: OnceLock<Option<Pattern>>,
}

impl Shape {
    fn regex(&self) -> Option<&Pattern> {
        self.regex
            .get_or_init(|| {
                let source = self.pattern.as_deref()?;
                // A pattern the regex crate cannot read is skipped rather than refusing every
                // request (a unit test proves every vendored pattern compiles).
                Pattern::new(source).ok()
            })
            .as_ref()
    }
}

impl Model {
    /// The vendored model of `service`, parsed on first use (not at a Lambda's init).
    pub fn of(service: Service) -> &'static Model {
        static IDP: OnceLock<Model> = OnceLock::new();
        static IDENTITY: OnceLock<Model> = OnceLock::new();
        let (cell, text) = match service {
            Service::UserPools => (&IDP, include_str!("../../model/cognito-idp.json")),
            Service::IdentityPools => {
                (&IDENTITY, include_str!("../../model/cognito-identity.json"))
            }
        };
        cell.get_or_init(|| serde_json::from_str(text).expect("the vendored model is valid"))
    }

    /// Whether Cognito has an operation of this name.
    pub fn has_operation(&self, op: &str) -> bool {
        self.operations.contains_key(op)
    }

    /// Checks `body` as the input of `op` (which must exist), and answers it parsed, so the
    /// operation reads its input from this value instead of parsing the body again. An empty
    /// body is `{}`.
    pub fn validate(&self, op: &str, body: &[u8]) -> Result<Value, ApiError> {
        self.validate_value(op, parse(body)?)
    }

    /// [`Model::validate`] for a body already parsed (a REST route fills in members first).
    pub fn validate_value(&self, op: &str, value: Value) -> Result<Value, ApiError> {
        let Value::Object(members) = &value else {
            return Err(ApiError::new(
                ErrorKind::Serialization,
                "A request body must be a JSON object.",
            ));
        };
        let Some(Some(input)) = self.operations.get(op) else {
            return Ok(value);
        };
        let shape = &self.shapes[input];
        self.check_types_struct(shape, members)
            .map_err(|m| ApiError::new(ErrorKind::Serialization, m))?;
        let mut errors = Vec::new();
        self.check_struct(shape, members, At::Root, &mut errors);
        match errors.len() {
            0 => Ok(value),
            1 => Err(ApiError::invalid(format!(
                "1 validation error detected: {}",
                errors[0]
            ))),
            n => Err(ApiError::invalid(format!(
                "{n} validation errors detected: {}",
                errors.join("; ")
            ))),
        }
    }

    fn check_types_struct(
        &self,
        shape: &Shape,
        members: &Map<String, Value>,
    ) -> Result<(), String> {
        for (name, value) in members {
            if let Some(target) = shape.members.get(name) {
                self.check_type(&self.shapes[target], value)?;
            }
        }
        Ok(())
    }

    /// Coral's wire-type check; `null` stands for an absent member.
    fn check_type(&self, shape: &Shape, value: &Value) -> Result<(), String> {
        let found = match value {
            Value::Null => return Ok(()),
            Value::Bool(_) => "class java.lang.Boolean",
            Value::Number(_) => "class com.amazon.coral.value.json.numbers.TruncatingBigNumber",
            Value::String(_) => "STRING_VALUE",
            Value::Array(_) => "Start of list",
            Value::Object(_) => "Start of structure or map",
        };
        let ok = match (&shape.kind, value) {
            (Kind::Document, _) => true,
            (Kind::String | Kind::Blob, Value::String(_)) => true,
            (Kind::Boolean, Value::Bool(_)) => true,
            (Kind::Integer | Kind::Long, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Kind::Double | Kind::Float | Kind::Timestamp, Value::Number(_)) => true,
            (Kind::List, Value::Array(items)) => {
                let member = &self.shapes[shape.member.as_deref().unwrap_or_default()];
                return items.iter().try_for_each(|v| self.check_type(member, v));
            }
            (Kind::Map, Value::Object(entries)) => {
                let target = &self.shapes[shape.value.as_deref().unwrap_or_default()];
                return entries
                    .values()
                    .try_for_each(|v| self.check_type(target, v));
            }
            (Kind::Structure, Value::Object(members)) => {
                return self.check_types_struct(shape, members);
            }
            _ => false,
        };
        if ok {
            return Ok(());
        }
        Err(match value {
            Value::Array(_) | Value::Object(_) => format!("{found} found where not expected."),
            _ => format!("{found} can not be converted to {}", expected(&shape.kind)),
        })
    }

    fn check_struct(
        &self,
        shape: &Shape,
        members: &Map<String, Value>,
        at: At<'_>,
        errors: &mut Vec<String>,
    ) {
        for (name, target) in &shape.members {
            let value = members.get(name.as_str()).filter(|v| !v.is_null());
            if value.is_none() && !shape.required.contains(name) {
                continue;
            }
            let at = At::Member(&at, name);
            match value {
                None => errors.push(format!(
                    "Value null at '{}' failed to satisfy constraint: Member must not be null",
                    at.text()
                )),
                Some(value) => self.check(&self.shapes[target], value, at, errors),
            }
        }
    }

    fn check(&self, shape: &Shape, value: &Value, at: At<'_>, errors: &mut Vec<String>) {
        let mut fail = |constraint: String| errors.push(violation(at, &constraint));
        match value {
            Value::String(s) => {
                if let Some(constraint) = string_violation(shape, s, at) {
                    fail(constraint);
                }
            }
            Value::Number(n) => {
                let Some(n) = n.as_i64() else { return };
                if shape.min.is_some_and(|min| n < min) {
                    fail(format!(
                        "Member must have value greater than or equal to {}",
                        shape.min.unwrap_or_default()
                    ));
                } else if shape.max.is_some_and(|max| n > max) {
                    fail(format!(
                        "Member must have value less than or equal to {}",
                        shape.max.unwrap_or_default()
                    ));
                }
            }
            Value::Array(items) => {
                if let Some(err) = length(shape, items.len() as i64) {
                    fail(err);
                }
                let member = &self.shapes[shape.member.as_deref().unwrap_or_default()];
                for (i, item) in items.iter().enumerate() {
                    if !item.is_null() {
                        self.check(member, item, At::Item(&at, i + 1), errors);
                    }
                }
            }
            Value::Object(entries) => match shape.kind {
                Kind::Structure => self.check_struct(shape, entries, at, errors),
                Kind::Map => {
                    if let Some(err) = length(shape, entries.len() as i64) {
                        fail(err);
                    }
                    let key = &self.shapes[shape.key.as_deref().unwrap_or_default()];
                    let target = &self.shapes[shape.value.as_deref().unwrap_or_default()];
                    for (k, v) in entries {
                        if let Some(constraint) = string_violation(key, k, at) {
                            errors.push(violation(At::Key(&at, k), &constraint));
                        }
                        if !v.is_null() {
                            self.check(target, v, At::Value(&at, k), errors);
                        }
                    }
                }
                _ => {}
            },
            Value::Bool(_) | Value::Null => {}
        }
    }
}

/// Where a value sits in the input, as Coral names it in a violation
/// (`authParameters.USERNAME.value`, `userAttributes.2.member.name`). Built on the stack as the
/// check descends and written out only when a constraint fails, so a valid request allocates
/// no paths.
#[derive(Clone, Copy)]
enum At<'a> {
    /// The input structure itself.
    Root,
    /// A structure's member, by its model name (written in lower camel case).
    Member(&'a At<'a>, &'a str),
    /// A list's item, numbered from 1.
    Item(&'a At<'a>, usize),
    /// A map entry's key.
    Key(&'a At<'a>, &'a str),
    /// A map entry's value.
    Value(&'a At<'a>, &'a str),
}

impl At<'_> {
    /// The path as Coral writes it.
    fn text(self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(self, out: &mut String) {
        match self {
            At::Root => {}
            At::Member(parent, name) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&camel(name));
            }
            At::Item(parent, i) => {
                parent.write(out);
                out.push_str(&format!(".{i}.member"));
            }
            At::Key(parent, k) => {
                parent.write(out);
                out.push_str(&format!(".{k}.key"));
            }
            At::Value(parent, k) => {
                parent.write(out);
                out.push_str(&format!(".{k}.value"));
            }
        }
    }

    /// Whether this value is inside a pool's `LambdaConfig` (not the member itself).
    fn in_lambda_config(self) -> bool {
        let mut here = self;
        let mut below_top = false;
        loop {
            match here {
                At::Root => return false,
                At::Member(At::Root, name) => return below_top && name == "LambdaConfig",
                At::Member(parent, _)
                | At::Item(parent, _)
                | At::Key(parent, _)
                | At::Value(parent, _) => {
                    below_top = true;
                    here = *parent;
                }
            }
        }
    }
}

/// Coral's text for one broken constraint (the value itself is never echoed).
fn violation(at: At<'_>, constraint: &str) -> String {
    format!(
        "Value at '{}' failed to satisfy constraint: {constraint}",
        at.text()
    )
}

/// The constraint a string breaks, if any: enum, then length, then pattern.
fn string_violation(shape: &Shape, s: &str, at: At<'_>) -> Option<String> {
    if let Some(values) = &shape.values {
        if !values.iter().any(|v| v == s) {
            return Some(format!(
                "Member must satisfy enum value set: [{}]",
                values.join(", ")
            ));
        }
    }
    // A blob's limits are on its bytes, not on the base64 that carries them.
    let len = if matches!(shape.kind, Kind::Blob) {
        let data = s.trim_end_matches('=').len();
        i64::try_from(data * 3 / 4).unwrap_or(i64::MAX)
    } else {
        i64::try_from(s.chars().count()).unwrap_or(i64::MAX)
    };
    if let Some(err) = length(shape, len) {
        return Some(err);
    }
    if trigger_url(at, s) {
        // Latchkey's extension: a trigger may be an http(s) URL.
        return None;
    }
    if shape.regex().is_some_and(|re| !re.is_match(s)) {
        let source = shape.pattern.as_deref().unwrap_or_default();
        return Some(format!(
            "Member must satisfy regular expression pattern: {source}"
        ));
    }
    None
}

/// Whether `value` at `at` is an http(s) URL in a pool's `LambdaConfig`, where Latchkey takes
/// URLs as well as Lambda ARNs (the README's Triggers section).
fn trigger_url(at: At<'_>, value: &str) -> bool {
    (value.starts_with("http://") || value.starts_with("https://")) && at.in_lambda_config()
}

fn length(shape: &Shape, len: i64) -> Option<String> {
    if let Some(min) = shape.min.filter(|&min| len < min) {
        return Some(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    if let Some(max) = shape.max.filter(|&max| len > max) {
        return Some(format!(
            "Member must have length less than or equal to {max}"
        ));
    }
    None
}

fn expected(kind: &Kind) -> &'static str {
    match kind {
        Kind::String | Kind::Blob => "an String",
        Kind::Integer => "an Integer",
        Kind::Long => "a Long",
        Kind::Boolean => "a Boolean",
        Kind::Timestamp => "a Date",
        Kind::Double | Kind::Float => "a Double",
        Kind::Structure | Kind::Map => "a structure",
        Kind::List => "a list",
        Kind::Document => "a document",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idp() -> &'static Model {
        Model::of(Service::UserPools)
    }

    #[test]
    fn every_vendored_pattern_compiles() {
        for service in [Service::UserPools, Service::IdentityPools] {
            for (name, shape) in &Model::of(service).shapes {
                if let Some(p) = &shape.pattern {
                    assert!(shape.regex().is_some(), "{name}: {p}");
                }
            }
        }
    }

    #[test]
    fn both_models_know_their_operations() {
        assert!(idp().has_operation("InitiateAuth"));
        assert!(idp().has_operation("AddCustomAttributes"));
        assert!(!idp().has_operation("NoSuchOperation"));
        let identity = Model::of(Service::IdentityPools);
        assert!(identity.has_operation("GetCredentialsForIdentity"));
        assert!(identity.operations.len() > 20);
    }

    #[test]
    fn wrong_types_are_serialization_errors() {
        let cases = [
            r#"{"ClientId":"c","Username":"u","Password":"p","ClientMetadata":5}"#,
            r#"{"ClientId":"c","Username":"u","Password":"p","ClientMetadata":{"k":1}}"#,
            r#"{"ClientId":5,"Username":"u","Password":"p"}"#,
            r#"{"ClientId":"c","Username":"u","Password":"p","UserAttributes":{"Name":"x"}}"#,
            r#"["us-east-1_abc"]"#,
            r#""text""#,
        ];
        for body in cases {
            let e = idp().validate("SignUp", body.as_bytes()).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Serialization, "{body}: {}", e.message);
        }
        let e = idp()
            .validate("ListUsers", br#"{"UserPoolId":"a_b","Limit":"5"}"#)
            .unwrap_err();
        assert_eq!(e.message, "STRING_VALUE can not be converted to an Integer");
    }

    #[test]
    fn constraints_are_reported_together() {
        let body = format!(
            r#"{{"UserPoolId":"a_b","Filter":"{}","Limit":61}}"#,
            "x".repeat(257)
        );
        let e = idp().validate("ListUsers", body.as_bytes()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidParameter);
        assert_eq!(
            e.message,
            "2 validation errors detected: Value at 'filter' failed to satisfy constraint: \
             Member must have length less than or equal to 256; Value at 'limit' failed to \
             satisfy constraint: Member must have value less than or equal to 60"
        );
    }

    #[test]
    fn nulls_enums_and_nested_members() {
        let e = idp().validate("SignUp", b"{}").unwrap_err();
        assert!(e
            .message
            .starts_with("2 validation errors detected: Value null at 'clientId'"));
        let e = idp()
            .validate("InitiateAuth", br#"{"ClientId":"c","AuthFlow":"NOPE"}"#)
            .unwrap_err();
        assert!(
            e.message.contains("Member must satisfy enum value set: ["),
            "{}",
            e.message
        );
        let body = br#"{"ClientId":"c","Username":"u","UserAttributes":[{"Name":"","Value":"v"}]}"#;
        let e = idp().validate("SignUp", body).unwrap_err();
        assert!(
            e.message.contains("'userAttributes.1.member.name'"),
            "{}",
            e.message
        );
        let ok = br#"{"ClientId":"c","Username":"u","Password":"p","Unknown":[1]}"#;
        assert!(idp().validate("SignUp", ok).is_ok());
    }

    #[test]
    fn map_entries_are_named_by_key_and_urls_pass_only_as_triggers() {
        let body = format!(
            r#"{{"PoolName":"p","UserPoolTags":{{"":"v","team":"{}"}}}}"#,
            "x".repeat(257)
        );
        let e = idp()
            .validate("CreateUserPool", body.as_bytes())
            .unwrap_err();
        assert!(
            e.message.starts_with("2 validation errors"),
            "{}",
            e.message
        );
        assert!(e.message.contains("'userPoolTags..key'"), "{}", e.message);
        assert!(
            e.message.contains("'userPoolTags.team.value'"),
            "{}",
            e.message
        );
        // Latchkey takes an http(s) URL wherever LambdaConfig takes a Lambda ARN, nested too...
        let triggers = br#"{"PoolName":"p","LambdaConfig":{"PreSignUp":"http://127.0.0.1:9/x",
            "CustomSMSSender":{"LambdaVersion":"V1_0","LambdaArn":"https://sender.example/sms"}}}"#;
        let r = idp().validate("CreateUserPool", triggers);
        assert!(r.is_ok(), "{:?}", r.err().map(|e| e.message));
        // ...and nowhere else.
        let e = idp()
            .validate("CreateUserPool", br#"{"PoolName":"http://127.0.0.1:9/x"}"#)
            .unwrap_err();
        assert!(
            e.message.contains(
                "'poolName' failed to satisfy constraint: Member must satisfy regular expression"
            ),
            "{}",
            e.message
        );
    }
}
