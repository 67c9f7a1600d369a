//! Pool schemas: Cognito's standard attributes, custom attributes from CreateUserPool, and the
//! checks user-supplied attributes must pass.

use super::enums::AttributeDataType;
use super::model::{
    NumberAttributeConstraints, SchemaAttribute, StringAttributeConstraints, UserPool,
};
use crate::error::{ApiError, ApiResult};
use serde::Deserialize;
use std::collections::BTreeMap;

const STRING: AttributeDataType = AttributeDataType::String;
const BOOLEAN: AttributeDataType = AttributeDataType::Boolean;

/// Standard attributes and their types.
const STANDARD: &[(&str, AttributeDataType)] = &[
    ("sub", STRING),
    ("name", STRING),
    ("given_name", STRING),
    ("family_name", STRING),
    ("middle_name", STRING),
    ("nickname", STRING),
    ("preferred_username", STRING),
    ("profile", STRING),
    ("picture", STRING),
    ("website", STRING),
    ("email", STRING),
    ("email_verified", BOOLEAN),
    ("gender", STRING),
    ("birthdate", STRING),
    ("zoneinfo", STRING),
    ("locale", STRING),
    ("phone_number", STRING),
    ("phone_number_verified", BOOLEAN),
    ("address", STRING),
    ("updated_at", AttributeDataType::Number),
];

/// `{MinLength, MaxLength}` as strings.
fn lengths(min: &str, max: &str) -> StringAttributeConstraints {
    StringAttributeConstraints {
        min_length: Some(min.into()),
        max_length: Some(max.into()),
    }
}

/// A schema entry as sent in CreateUserPool.
#[derive(Deserialize, Debug, Clone)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaInput {
    /// Attribute name, 1..20.
    pub name: Option<String>,
    /// String (default), Number, DateTime, Boolean.
    pub attribute_data_type: Option<AttributeDataType>,
    /// Admin-only attribute.
    pub developer_only_attribute: Option<bool>,
    /// Changeable after creation (default true).
    pub mutable: Option<bool>,
    /// Required at sign-up.
    pub required: Option<bool>,
    /// Number bounds.
    pub number_attribute_constraints: Option<NumberAttributeConstraints>,
    /// String bounds.
    pub string_attribute_constraints: Option<StringAttributeConstraints>,
}

fn standard(name: &str, kind: AttributeDataType) -> SchemaAttribute {
    let strings = (kind == STRING).then(|| match name {
        "sub" => lengths("1", "2048"),
        "birthdate" => lengths("10", "10"),
        _ => lengths("0", "2048"),
    });
    let numbers = (kind == AttributeDataType::Number).then(|| NumberAttributeConstraints {
        min_value: Some("0".into()),
        max_value: None,
    });
    SchemaAttribute {
        name: name.into(),
        attribute_data_type: kind,
        developer_only_attribute: false,
        mutable: name != "sub",
        required: name == "sub",
        number_attribute_constraints: numbers,
        string_attribute_constraints: strings,
    }
}

/// The full schema of a new pool: the standard attributes, adjusted and extended by `input`.
pub fn build(input: &[SchemaInput]) -> ApiResult<Vec<SchemaAttribute>> {
    let mut schema: Vec<SchemaAttribute> = STANDARD.iter().map(|(n, k)| standard(n, *k)).collect();
    let mut custom = Vec::new();
    for entry in input {
        let name = entry_name(entry, "schema")?;
        if let Some(existing) = schema.iter_mut().find(|a| a.name == name) {
            if name == "sub" {
                return Err(ApiError::invalid("sub cannot be modified."));
            }
            existing.required = entry.required.unwrap_or(existing.required);
            existing.mutable = entry.mutable.unwrap_or(existing.mutable);
            continue;
        }
        custom.push(entry.clone());
    }
    add_custom(&mut schema, &custom, "schema")?;
    Ok(schema)
}

/// Most custom attributes a pool may have.
const MAX_CUSTOM: usize = 50;

/// Adds custom attributes (`custom:<Name>`) to a schema: CreateUserPool's, and
/// AddCustomAttributes'. A name the schema has already, a required custom attribute, or more
/// than [`MAX_CUSTOM`] in all is refused, and then nothing is added.
pub fn add_custom(
    schema: &mut Vec<SchemaAttribute>,
    input: &[SchemaInput],
    member: &str,
) -> ApiResult<()> {
    let mut added: Vec<SchemaAttribute> = Vec::new();
    for entry in input {
        let name = entry_name(entry, member)?;
        let name = name.strip_prefix("custom:").unwrap_or(&name);
        let full = format!("custom:{name}");
        if schema.iter().chain(&added).any(|a| a.name == full) {
            return Err(ApiError::invalid(format!(
                "{full}: Existing attribute already has name {full}."
            )));
        }
        if entry.required == Some(true) {
            return Err(ApiError::invalid(
                "Required custom attributes are not supported currently.",
            ));
        }
        let kind = entry.attribute_data_type.unwrap_or(STRING);
        added.push(SchemaAttribute {
            name: full,
            attribute_data_type: kind,
            developer_only_attribute: entry.developer_only_attribute.unwrap_or(false),
            mutable: entry.mutable.unwrap_or(true),
            required: false,
            number_attribute_constraints: entry.number_attribute_constraints.clone(),
            string_attribute_constraints: entry
                .string_attribute_constraints
                .clone()
                .or_else(|| (kind == STRING).then(|| lengths("0", "2048"))),
        });
    }
    let custom = schema
        .iter()
        .filter(|a| a.name.starts_with("custom:"))
        .count();
    if custom + added.len() > MAX_CUSTOM {
        return Err(ApiError::invalid(format!(
            "Too many custom attributes (at most {MAX_CUSTOM})."
        )));
    }
    schema.extend(added);
    Ok(())
}

/// An entry's `Name`, checked (1..=20 characters).
fn entry_name(entry: &SchemaInput, member: &str) -> ApiResult<String> {
    let name = entry
        .name
        .clone()
        .ok_or_else(|| ApiError::missing_member(&format!("{member}.member.name")))?;
    if name.is_empty() || name.chars().count() > 20 {
        return Err(ApiError::constraint(
            &format!("{member}.member.name"),
            "Member must have length less than or equal to 20",
        ));
    }
    Ok(name)
}

fn schema_error(name: &str, problem: &str) -> ApiError {
    ApiError::invalid(format!(
        "Attributes did not conform to the schema: {name}: {problem}"
    ))
}

fn bound(value: Option<&String>) -> Option<i64> {
    value?.parse().ok()
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
        let strings = def.string_attribute_constraints.as_ref();
        let numbers = def.number_attribute_constraints.as_ref();
        match def.attribute_data_type {
            AttributeDataType::String => {
                let len = value.chars().count() as i64;
                if let Some(max) = bound(strings.and_then(|c| c.max_length.as_ref())) {
                    if len > max {
                        return Err(schema_error(
                            name,
                            &format!("String must be no longer than {max} characters"),
                        ));
                    }
                }
                if let Some(min) = bound(strings.and_then(|c| c.min_length.as_ref())) {
                    if len < min {
                        return Err(schema_error(
                            name,
                            &format!("String must be no shorter than {min} characters"),
                        ));
                    }
                }
            }
            AttributeDataType::Number => {
                let n: i64 = value
                    .parse()
                    .map_err(|_| schema_error(name, "Number must be an integer"))?;
                if bound(numbers.and_then(|c| c.min_value.as_ref())).is_some_and(|m| n < m)
                    || bound(numbers.and_then(|c| c.max_value.as_ref())).is_some_and(|m| n > m)
                {
                    return Err(schema_error(name, "Number is out of range"));
                }
            }
            AttributeDataType::Boolean if super::model::parse_bool(value).is_none() => {
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
            attribute_data_type: Some(kind.parse().unwrap()),
            developer_only_attribute: None,
            mutable: None,
            required: None,
            number_attribute_constraints: None,
            string_attribute_constraints: Some(StringAttributeConstraints {
                min_length: None,
                max_length: Some("5".into()),
            }),
        }
    }

    #[test]
    fn standard_constraints_serialize_as_cognito_sends_them() {
        let schema = build(&[]).unwrap();
        let by_name =
            |n: &str| serde_json::to_value(schema.iter().find(|a| a.name == n).unwrap()).unwrap();
        assert_eq!(
            by_name("updated_at"),
            serde_json::json!({"Name": "updated_at", "AttributeDataType": "Number",
                "DeveloperOnlyAttribute": false, "Mutable": true, "Required": false,
                "NumberAttributeConstraints": {"MinValue": "0"}})
        );
        assert_eq!(
            by_name("sub")["StringAttributeConstraints"],
            serde_json::json!({"MinLength": "1", "MaxLength": "2048"})
        );
        assert!(by_name("email_verified")
            .get("StringAttributeConstraints")
            .is_none());
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
