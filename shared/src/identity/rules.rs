//! Role selection for an identity pool: pure, no I/O. Given the pool's roles, the provider's
//! role mapping (if any) and the login token's claims, choose the IAM role to assume.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// At most this many rules per provider (the API model allows more; Cognito enforces 25).
pub const MAX_RULES: usize = 25;

/// How a rule compares a claim to its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatchType {
    /// Exact equality.
    Equals,
    /// Substring, or membership when the claim is a list (e.g. `cognito:groups`).
    Contains,
    /// Prefix.
    StartsWith,
    /// Not equal (a missing claim is not equal).
    NotEqual,
}

/// One `MappingRule`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MappingRule {
    /// Claim name (≤ 64).
    pub claim: String,
    /// Comparison.
    pub match_type: MatchType,
    /// Value to compare with (≤ 128).
    pub value: String,
    /// Role chosen on a match.
    #[serde(rename = "RoleARN")]
    pub role_arn: String,
}

/// What to do when no role can be chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AmbiguousRoleResolution {
    /// Fall back to the pool's authenticated role.
    AuthenticatedRole,
    /// Refuse.
    Deny,
}

/// How a provider's role is chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MappingKind {
    /// From the token's `cognito:preferred_role` / `cognito:roles`.
    Token,
    /// From rules evaluated in order.
    Rules(Vec<MappingRule>),
}

/// A provider's `RoleMapping`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleMapping {
    /// Token or Rules.
    pub kind: MappingKind,
    /// Fallback.
    pub ambiguous: AmbiguousRoleResolution,
}

/// Why no role was chosen.
#[derive(Debug, PartialEq, Eq)]
pub enum RoleError {
    /// The pool has no role for this kind of identity.
    NoRole,
    /// Ambiguous with Deny, or a CustomRoleArn the token does not allow.
    Denied,
}

/// The pool's `Roles` map.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PoolRoles {
    /// `Roles.authenticated`.
    pub authenticated: Option<String>,
    /// `Roles.unauthenticated`.
    pub unauthenticated: Option<String>,
}

fn claim_strings(claim: Option<&Value>) -> Vec<String> {
    match claim {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Null => None,
                other => Some(other.to_string()),
            })
            .collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other.to_string()],
    }
}

/// Whether one rule matches the claims.
pub fn rule_matches(rule: &MappingRule, claims: &Map<String, Value>) -> bool {
    let claim = claims.get(&rule.claim);
    let scalar = match claim {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(_)) | Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    match rule.match_type {
        MatchType::Equals => scalar.as_deref() == Some(rule.value.as_str()),
        MatchType::NotEqual => scalar.as_deref() != Some(rule.value.as_str()),
        MatchType::StartsWith => scalar.is_some_and(|s| s.starts_with(&rule.value)),
        MatchType::Contains => match claim {
            Some(Value::Array(_)) => claim_strings(claim).iter().any(|v| v == &rule.value),
            _ => scalar.is_some_and(|s| s.contains(&rule.value)),
        },
    }
}

fn ambiguous(mapping: &RoleMapping, roles: &PoolRoles) -> Result<String, RoleError> {
    match mapping.ambiguous {
        AmbiguousRoleResolution::AuthenticatedRole => {
            roles.authenticated.clone().ok_or(RoleError::NoRole)
        }
        AmbiguousRoleResolution::Deny => Err(RoleError::Denied),
    }
}

/// Chooses the role. `claims` is None for an unauthenticated identity. `custom_role` is the
/// caller's CustomRoleArn, allowed only when the token lists it in `cognito:roles`.
pub fn choose_role(
    roles: &PoolRoles,
    mapping: Option<&RoleMapping>,
    claims: Option<&Map<String, Value>>,
    custom_role: Option<&str>,
) -> Result<String, RoleError> {
    let Some(claims) = claims else {
        return roles.unauthenticated.clone().ok_or(RoleError::NoRole);
    };
    let token_roles = claim_strings(claims.get("cognito:roles"));
    if let Some(custom) = custom_role {
        return if token_roles.iter().any(|r| r == custom) {
            Ok(custom.to_string())
        } else {
            Err(RoleError::Denied)
        };
    }
    let Some(mapping) = mapping else {
        return roles.authenticated.clone().ok_or(RoleError::NoRole);
    };
    match &mapping.kind {
        MappingKind::Token => {
            if let Some(Value::String(preferred)) = claims.get("cognito:preferred_role") {
                return Ok(preferred.clone());
            }
            match token_roles.as_slice() {
                [only] => Ok(only.clone()),
                _ => ambiguous(mapping, roles),
            }
        }
        MappingKind::Rules(rules) => rules
            .iter()
            .take(MAX_RULES)
            .find(|r| rule_matches(r, claims))
            .map(|r| Ok(r.role_arn.clone()))
            .unwrap_or_else(|| ambiguous(mapping, roles)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }
    fn rule(claim: &str, t: MatchType, value: &str, role: &str) -> MappingRule {
        MappingRule {
            claim: claim.into(),
            match_type: t,
            value: value.into(),
            role_arn: role.into(),
        }
    }
    fn roles() -> PoolRoles {
        PoolRoles {
            authenticated: Some("auth".into()),
            unauthenticated: Some("unauth".into()),
        }
    }
    fn rules(list: Vec<MappingRule>, amb: AmbiguousRoleResolution) -> RoleMapping {
        RoleMapping {
            kind: MappingKind::Rules(list),
            ambiguous: amb,
        }
    }

    #[test]
    fn unauthenticated_and_default_roles() {
        assert_eq!(choose_role(&roles(), None, None, None).unwrap(), "unauth");
        let c = claims(json!({"sub": "x"}));
        assert_eq!(choose_role(&roles(), None, Some(&c), None).unwrap(), "auth");
        let none = PoolRoles::default();
        assert_eq!(choose_role(&none, None, None, None), Err(RoleError::NoRole));
        assert_eq!(
            choose_role(&none, None, Some(&c), None),
            Err(RoleError::NoRole)
        );
    }

    #[test]
    fn token_mapping_uses_preferred_then_single_role() {
        let m = RoleMapping {
            kind: MappingKind::Token,
            ambiguous: AmbiguousRoleResolution::Deny,
        };
        let pref = claims(json!({"cognito:preferred_role": "p", "cognito:roles": ["p", "q"]}));
        assert_eq!(
            choose_role(&roles(), Some(&m), Some(&pref), None).unwrap(),
            "p"
        );
        let single = claims(json!({"cognito:roles": ["q"]}));
        assert_eq!(
            choose_role(&roles(), Some(&m), Some(&single), None).unwrap(),
            "q"
        );
        let many = claims(json!({"cognito:roles": ["p", "q"]}));
        assert_eq!(
            choose_role(&roles(), Some(&m), Some(&many), None),
            Err(RoleError::Denied)
        );
        let fallback = RoleMapping {
            kind: MappingKind::Token,
            ambiguous: AmbiguousRoleResolution::AuthenticatedRole,
        };
        assert_eq!(
            choose_role(&roles(), Some(&fallback), Some(&many), None).unwrap(),
            "auth"
        );
        assert_eq!(
            choose_role(&roles(), Some(&m), Some(&many), Some("q")).unwrap(),
            "q"
        );
        assert_eq!(
            choose_role(&roles(), Some(&m), Some(&many), Some("z")),
            Err(RoleError::Denied)
        );
    }

    #[test]
    fn each_match_type() {
        let c = claims(
            json!({"email": "ann@corp.example", "cognito:groups": ["admins", "dev"], "n": 5}),
        );
        assert!(rule_matches(
            &rule("email", MatchType::Equals, "ann@corp.example", "r"),
            &c
        ));
        assert!(!rule_matches(
            &rule("email", MatchType::Equals, "ann", "r"),
            &c
        ));
        assert!(rule_matches(
            &rule("email", MatchType::StartsWith, "ann@", "r"),
            &c
        ));
        assert!(rule_matches(
            &rule("email", MatchType::Contains, "@corp.", "r"),
            &c
        ));
        assert!(rule_matches(
            &rule("cognito:groups", MatchType::Contains, "admins", "r"),
            &c
        ));
        assert!(!rule_matches(
            &rule("cognito:groups", MatchType::Contains, "adm", "r"),
            &c
        ));
        assert!(rule_matches(
            &rule("email", MatchType::NotEqual, "bob", "r"),
            &c
        ));
        assert!(rule_matches(
            &rule("missing", MatchType::NotEqual, "bob", "r"),
            &c
        ));
        assert!(!rule_matches(
            &rule("missing", MatchType::Equals, "", "r"),
            &c
        ));
        assert!(rule_matches(&rule("n", MatchType::Equals, "5", "r"), &c));
    }

    #[test]
    fn rules_apply_in_order_and_fall_back() {
        let c = claims(json!({"email": "ann@corp.example"}));
        let m = rules(
            vec![
                rule("email", MatchType::StartsWith, "bob", "r1"),
                rule("email", MatchType::Contains, "corp", "r2"),
                rule("email", MatchType::Contains, "ann", "r3"),
            ],
            AmbiguousRoleResolution::Deny,
        );
        assert_eq!(
            choose_role(&roles(), Some(&m), Some(&c), None).unwrap(),
            "r2"
        );
        let nomatch = rules(
            vec![rule("email", MatchType::Equals, "x", "r1")],
            AmbiguousRoleResolution::AuthenticatedRole,
        );
        assert_eq!(
            choose_role(&roles(), Some(&nomatch), Some(&c), None).unwrap(),
            "auth"
        );
        let deny = rules(
            vec![rule("email", MatchType::Equals, "x", "r1")],
            AmbiguousRoleResolution::Deny,
        );
        assert_eq!(
            choose_role(&roles(), Some(&deny), Some(&c), None),
            Err(RoleError::Denied)
        );
    }

    #[test]
    fn only_the_first_25_rules_count() {
        let c = claims(json!({"k": "v"}));
        let mut list: Vec<MappingRule> = (0..MAX_RULES)
            .map(|i| rule("k", MatchType::Equals, &format!("no{i}"), "x"))
            .collect();
        list.push(rule("k", MatchType::Equals, "v", "late"));
        let m = rules(list, AmbiguousRoleResolution::Deny);
        assert_eq!(
            choose_role(&roles(), Some(&m), Some(&c), None),
            Err(RoleError::Denied)
        );
    }

    /// Property: the chosen role is always the role of the FIRST matching rule among the first
    /// 25, and the fallback happens exactly when none matches. Checked over many generated
    /// rule lists and claim sets from a fixed-seed generator.
    #[test]
    fn property_first_match_wins() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let values = ["a", "ab", "abc", "b", "admins", "dev"];
        let types = [
            MatchType::Equals,
            MatchType::Contains,
            MatchType::StartsWith,
            MatchType::NotEqual,
        ];
        for _ in 0..5000 {
            let n = rng.gen_range(0..30);
            let list: Vec<MappingRule> = (0..n)
                .map(|i| {
                    rule(
                        ["c1", "c2", "cognito:groups"][rng.gen_range(0..3)],
                        types[rng.gen_range(0..4)],
                        values[rng.gen_range(0..values.len())],
                        &format!("role{i}"),
                    )
                })
                .collect();
            let mut c = Map::new();
            if rng.gen_bool(0.7) {
                c.insert("c1".into(), json!(values[rng.gen_range(0..values.len())]));
            }
            if rng.gen_bool(0.5) {
                c.insert("c2".into(), json!(values[rng.gen_range(0..values.len())]));
            }
            if rng.gen_bool(0.5) {
                c.insert(
                    "cognito:groups".into(),
                    json!([
                        values[rng.gen_range(0..values.len())],
                        values[rng.gen_range(0..values.len())]
                    ]),
                );
            }
            let amb = if rng.gen_bool(0.5) {
                AmbiguousRoleResolution::Deny
            } else {
                AmbiguousRoleResolution::AuthenticatedRole
            };
            let m = rules(list.clone(), amb);
            let got = choose_role(&roles(), Some(&m), Some(&c), None);
            let expected = list
                .iter()
                .take(MAX_RULES)
                .position(|r| rule_matches(r, &c));
            match (expected, amb) {
                (Some(i), _) => assert_eq!(got.unwrap(), format!("role{i}")),
                (None, AmbiguousRoleResolution::Deny) => assert_eq!(got, Err(RoleError::Denied)),
                (None, AmbiguousRoleResolution::AuthenticatedRole) => {
                    assert_eq!(got.unwrap(), "auth")
                }
            }
            // A rule after the first match never changes the outcome.
            if let Some(i) = expected {
                let mut extended = list.clone();
                extended.insert(i + 1, rule("c1", MatchType::NotEqual, "zzz", "intruder"));
                let again = choose_role(&roles(), Some(&rules(extended, amb)), Some(&c), None);
                assert_eq!(again.unwrap(), format!("role{i}"));
            }
        }
    }
}
