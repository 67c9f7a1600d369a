//! The group claims in tokens (`cognito:groups`, `cognito:roles`, `cognito:preferred_role`):
//! read from the user's groups when tokens are issued.

use super::model::{Group, User, UserPool};
use crate::error::ApiResult;
use crate::App;

/// Group claims for a user in at least one group.
pub struct GroupClaims {
    /// Group names.
    pub names: Vec<String>,
    /// Role ARNs of those groups.
    pub roles: Vec<String>,
    /// The best-precedence group's role, unless a tie at the best precedence has different roles.
    pub preferred_role: Option<String>,
}

/// The claims for `user`; None (and no read) when the user is in no group.
pub async fn claims(app: &App, pool: &UserPool, user: &User) -> ApiResult<Option<GroupClaims>> {
    if user.groups.is_empty() {
        return Ok(None);
    }
    let mut groups = Vec::new();
    for name in &user.groups {
        if let Some(g) = app.store.get_group(&pool.id, name).await? {
            groups.push(g);
        }
    }
    let mut roles: Vec<String> = groups.iter().filter_map(|g| g.role_arn.clone()).collect();
    roles.dedup();
    Ok(Some(GroupClaims {
        names: groups.iter().map(|g| g.name.clone()).collect(),
        roles,
        preferred_role: preferred_role(&groups),
    }))
}

/// Lower precedence wins, None is lowest; a tie at the best with different roles means none.
pub fn preferred_role(groups: &[Group]) -> Option<String> {
    let with_roles: Vec<&Group> = groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let best = with_roles
        .iter()
        .map(|g| g.precedence.unwrap_or(i64::MAX))
        .min()?;
    let mut top: Vec<&String> = with_roles
        .iter()
        .filter(|g| g.precedence.unwrap_or(i64::MAX) == best)
        .filter_map(|g| g.role_arn.as_ref())
        .collect();
    top.dedup();
    (top.len() == 1).then(|| top[0].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(name: &str, precedence: Option<i64>, role: Option<&str>) -> Group {
        Group {
            pool_id: "p".into(),
            name: name.into(),
            description: None,
            role_arn: role.map(str::to_string),
            precedence,
            created_ms: 0,
            modified_ms: 0,
        }
    }

    #[test]
    fn preferred_role_follows_precedence_and_the_tie_rule() {
        let a = g("a", Some(1), Some("arn:a"));
        let b = g("b", Some(2), Some("arn:b"));
        assert_eq!(
            preferred_role(&[b.clone(), a.clone()]).as_deref(),
            Some("arn:a")
        );
        let tie = g("c", Some(1), Some("arn:c"));
        assert_eq!(preferred_role(&[a.clone(), tie]), None);
        let same = g("d", Some(1), Some("arn:a"));
        assert_eq!(preferred_role(&[a.clone(), same]).as_deref(), Some("arn:a"));
        let unranked = g("e", None, Some("arn:e"));
        assert_eq!(
            preferred_role(&[unranked.clone(), b]).as_deref(),
            Some("arn:b")
        );
        assert_eq!(preferred_role(&[unranked]).as_deref(), Some("arn:e"));
        assert_eq!(preferred_role(&[g("f", Some(0), None)]), None);
    }
}
