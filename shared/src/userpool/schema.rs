//! Pool schemas: Cognito's standard attributes, custom attributes from CreateUserPool, and the
//! checks user-supplied attributes must pass.

use super::model::{SchemaAttribute, UserPool};
use crate::error::{ApiError, ApiResult};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Standard attributes and their types.
const STANDARD: &[(&str, &str)] = &[
    ("sub", "String"),
    ("name", "String"),
    ("given_name", "String"),
    ("family_name", "String"),
    ("middle_name", "String"),
    ("nickname", "String"),
    ("preferred_username", "String"),
    ("profile", "String"),
    ("picture", "String"),
    ("website", "String"),
    ("email", "String"),
    ("email_verified", "Boolean"),
    ("gender", "String"),
    ("birthdate", "String"),
    ("zoneinfo", "String"),
    ("locale", "String"),
    ("phone_number", "String"),
    ("phone_number_verified", "Boolean"),
    ("address", "String"),
    ("updated_at", "Number"),
];

/// A schema entry as sent in CreateUserPool.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaInput {
    /// Attribute name, 1..20.
    pub name: Option<String>,
    /// String (default), Number, DateTime, Boolean.
    pub attribute_data_type: Option<String>,
    /// Admin-only attribute.
    pub developer_only_attribute: Option<bool>,
    /// Changeable after creation (default true).
    pub mutable: Option<bool>,
    /// Required at sign-up.
    pub required: Option<bool>,
    /// Number bounds.
    pub number_attribute_constraints: Option<Value>,
    /// String bounds.
    pub string_attribute_constraints: Option<Value>,
}

fn standard(name: &str, kind: &str) -> SchemaAttribute {
    let strings = (kind == "String").then(|| {
        let (min, max) = match name {
            "sub" => ("1", "2048"),
            "birthdate" => ("10", "10"),
            _ => ("0", "2048"),
        };
        json!({ "MinLength": min, "MaxLength": max })
    });
    SchemaAttribute {
        name: name.into(),
        attribute_data_type: kind.into(),
        developer_only_attribute: false,
        mutable: name != "sub",
        required: name == "sub",
        number_attribute_constraints: (kind == "Number").then(|| json!({ "MinValue": "0" })),
        string_attribute_constraints: strings,
    }
}

/// The full schema of a new pool: the standard attributes, adjusted and extended by `input`.
pub fn build(input: &[SchemaInput]) -> ApiResult<Vec<SchemaAttribute>> {
    let mut schema: Vec<SchemaAttribute> = STANDARD.iter().map(|(n, k)| standard(n, k)).collect();
    let mut custom = 0;
    for entry in input {
        let name = entry
            .name
            .clone()
            .ok_or_else(|| ApiError::missing_member("schema.member.name"))?;
        if name.is_empty() || name.chars().count() > 20 {
            return Err(ApiError::constraint(
                "schema.member.name",
                "Member must have length less than or equal to 20",
            ));
        }
        let kind = entry
            .attribute_data_type
            .clone()
            .unwrap_or_else(|| "String".into());
        if !["String", "Number", "DateTime", "Boolean"].contains(&kind.as_str()) {
            return Err(ApiError::constraint(
                "schema.member.attributeDataType",
                "Member must satisfy enum value set: [Number, String, Boolean, DateTime]",
            ));
        }
        if let Some(existing) = schema.iter_mut().find(|a| a.name == name) {
            if name == "sub" {
                return Err(ApiError::invalid("sub cannot be modified."));
            }
            existing.required = entry.required.unwrap_or(existing.required);
            existing.mutable = entry.mutable.unwrap_or(existing.mutable);
            continue;
        }
        if entry.required == Some(true) {
            return Err(ApiError::invalid(
                "Required custom attributes are not supported currently.",
            ));
        }
        custom += 1;
        if custom > 50 {
            return Err(ApiError::invalid(
                "Too many custom attributes (at most 50).",
            ));
        }
        schema.push(SchemaAttribute {
            name: format!("custom:{name}"),
            attribute_data_type: kind.clone(),
            developer_only_attribute: entry.developer_only_attribute.unwrap_or(false),
            mutable: entry.mutable.unwrap_or(true),
            required: false,
            number_attribute_constraints: entry.number_attribute_constraints.clone(),
            string_attribute_constraints: entry.string_attribute_constraints.clone().or_else(
                || (kind == "String").then(|| json!({"MinLength": "0", "MaxLength": "2048"})),
            ),
        });
    }
    Ok(schema)
}

fn schema_error(name: &str, problem: &str) -> ApiError {
    ApiError::invalid(format!(
        "Attributes did not conform to the schema: {name}: {problem}"
    ))
}

fn bound(constraints: &Option<Value>, key: &str) -> Option<i64> {
    constraints.as_ref()?.get(key)?.as_str()?.parse().ok()
}

/// Checks attributes a caller supplies (SignUp): known names, types, bounds, formats, and no
/// Cognito-managed attributes. `required` also checks required attributes are present.
pub fn validate(
    pool: &UserPool,
    attrs: &BTreeMap<String, String>,
    required: bool,
) -> ApiResult<()> {
    for (name, value) in attrs {
        let Some(def) = pool.schema_attribute(name) else {
            return Err(unknown_attribute(name));
        };
        if name == "sub" || name == "email_verified" || name == "phone_number_verified" {
            return Err(ApiError::invalid(format!(
                "Cannot modify the non-mutable attribute {name}"
            )));
        }
        if value.chars().count() > 2048 {
            return Err(schema_error(
                name,
                "String must be no longer than 2048 characters",
            ));
        }
        match def.attribute_data_type.as_str() {
            "String" => {
                let len = value.chars().count() as i64;
                if let Some(max) = bound(&def.string_attribute_constraints, "MaxLength") {
                    if len > max {
                        return Err(schema_error(
                            name,
                            &format!("String must be no longer than {max} characters"),
                        ));
                    }
                }
                if let Some(min) = bound(&def.string_attribute_constraints, "MinLength") {
                    if len < min {
                        return Err(schema_error(
                            name,
                            &format!("String must be no shorter than {min} characters"),
                        ));
                    }
                }
            }
            "Number" => {
                let n: i64 = value
                    .parse()
                    .map_err(|_| schema_error(name, "Number must be an integer"))?;
                let c = &def.number_attribute_constraints;
                if bound(c, "MinValue").is_some_and(|m| n < m)
                    || bound(c, "MaxValue").is_some_and(|m| n > m)
                {
                    return Err(schema_error(name, "Number is out of range"));
                }
            }
            "Boolean" if super::model::parse_bool(value).is_none() => {
                return Err(schema_error(name, "Boolean must be true or false"));
            }
            _ => {}
        }
        if name == "email" && !is_email(value) {
            return Err(ApiError::invalid("Invalid email address format."));
        }
        if name == "phone_number" && !is_phone(value) {
            return Err(ApiError::invalid("Invalid phone number format."));
        }
    }
    if required {
        if let Some(missing) = pool
            .schema
            .iter()
            .find(|a| a.required && a.name != "sub" && !attrs.contains_key(&a.name))
        {
            return Err(schema_error(&missing.name, "The attribute is required"));
        }
    }
    Ok(())
}

/// The attributes without the Cognito-managed `*_verified` flags (which only Latchkey and
/// administrators set), for checking a stored or admin-supplied set against the schema.
pub fn without_verified(attrs: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    attrs
        .iter()
        .filter(|(k, _)| !k.ends_with("_verified"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Cognito's answer for an attribute the pool's schema does not have.
pub fn unknown_attribute(name: &str) -> ApiError {
    ApiError::invalid(format!(
        "Attributes did not conform to the schema: Type for attribute {{{name}}} could not be determined"
    ))
}

/// A plausible email: one `@`, something before, a dot after, no spaces.
pub fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        _ => false,
    }
}

/// E.164: `+` then 1..15 digits.
pub fn is_phone(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| !d.is_empty() && d.len() <= 15 && d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, kind: &str) -> SchemaInput {
        SchemaInput {
            name: Some(name.into()),
            attribute_data_type: Some(kind.into()),
            developer_only_attribute: None,
            mutable: None,
            required: None,
            number_attribute_constraints: None,
            string_attribute_constraints: Some(json!({"MaxLength": "5"})),
        }
    }

    #[test]
    fn builds_custom_attributes_and_overrides() {
        let mut email = input("email", "String");
        email.required = Some(true);
        let schema = build(&[input("tier", "String"), email]).unwrap();
        assert!(schema.iter().any(|a| a.name == "custom:tier"));
        assert!(schema.iter().find(|a| a.name == "email").unwrap().required);
        let mut req = input("x", "String");
        req.required = Some(true);
        assert!(build(&[req]).is_err());
    }

    #[test]
    fn formats() {
        assert!(is_email("a@b.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@c.d"));
        assert!(is_phone("+15551234567"));
        assert!(!is_phone("5551234"));
    }
}
