//! The check of a UI customization's CSS. The login pages embed it in a `<style>` element, so
//! what is accepted is a small, inert subset:
//!
//! - rules only (no at-rules: `@import`, `@media`, `@font-face`, ...), each of whose selectors
//!   is one of Cognito's customizable classes (`.submitButton-customizable:hover`, ...);
//! - declarations `property: value`, the property lower-case letters and hyphens;
//! - values without anything that can load or run something: no `url(`, `image-set(`,
//!   `expression(`, `javascript:`, no `\` escapes (which could spell those), and no `<`, `>`,
//!   `{`, `}` or `@`.
//!
//! Comments are allowed and dropped.

use crate::error::{ApiError, ApiResult};

/// Cognito's customizable classes (hosted UI classic), with the states it styles.
pub const CLASSES: &[&str] = &[
    ".background-customizable",
    ".banner-customizable",
    ".errorMessage-customizable",
    ".idpButton-customizable",
    ".idpButton-customizable:hover",
    ".idpDescription-customizable",
    ".inputField-customizable",
    ".inputField-customizable:focus",
    ".label-customizable",
    ".legalText-customizable",
    ".logo-customizable",
    ".passwordCheck-notValid-customizable",
    ".passwordCheck-valid-customizable",
    ".redirect-customizable",
    ".socialButton-customizable",
    ".submitButton-customizable",
    ".submitButton-customizable:hover",
    ".textDescription-customizable",
];

/// Value fragments that could load a resource or run script (compared lower-cased).
const FORBIDDEN: &[&str] = &[
    "url(",
    "image-set(",
    "expression(",
    "javascript:",
    "behavior",
];

fn invalid(what: &str) -> ApiError {
    ApiError::invalid(format!("The CSS is not valid: {what}."))
}

fn strip_comments(css: &str) -> ApiResult<String> {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let end = rest[start + 2..]
            .find("*/")
            .ok_or_else(|| invalid("a comment is not closed"))?;
        rest = &rest[start + 2 + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn check_declarations(body: &str) -> ApiResult<()> {
    for decl in body.split(';').map(str::trim).filter(|d| !d.is_empty()) {
        let (property, value) = decl
            .split_once(':')
            .ok_or_else(|| invalid("a declaration has no value"))?;
        let property = property.trim();
        if property.is_empty()
            || !property
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c == b'-')
        {
            return Err(invalid("a property name is not allowed"));
        }
        let lower = value.to_ascii_lowercase();
        if value.trim().is_empty()
            || value.contains(['\\', '<', '>', '@', '{', '}'])
            || FORBIDDEN.iter().any(|f| lower.contains(f))
        {
            return Err(invalid("a value may not load resources"));
        }
    }
    Ok(())
}

/// Checks `css` (see the module's rules); answers InvalidParameterException naming what broke
/// them.
pub fn check(css: &str) -> ApiResult<()> {
    let css = strip_comments(css)?;
    if css.contains('@') {
        return Err(invalid(
            "at-rules such as @import and @media are not allowed",
        ));
    }
    let mut rest = css.as_str();
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return Ok(());
        }
        let open = trimmed
            .find('{')
            .ok_or_else(|| invalid("a rule has no declaration block"))?;
        let close = trimmed[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| invalid("a declaration block is not closed"))?;
        for selector in trimmed[..open].split(',').map(str::trim) {
            if !CLASSES.contains(&selector) {
                return Err(invalid(
                    "only the customizable classes (such as .submitButton-customizable) may be styled",
                ));
            }
        }
        let body = &trimmed[open + 1..close];
        if body.contains('{') {
            return Err(invalid("nested blocks are not allowed"));
        }
        check_declarations(body)?;
        rest = &trimmed[close + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn customizable_classes_pass() {
        let css = "/* brand */ .submitButton-customizable, .submitButton-customizable:hover {
            background-color: #ff9900; font-family: \"Amazon Ember\", sans-serif; }
            .logo-customizable { max-width: 60%; }";
        assert!(check(css).is_ok());
        assert!(check("").is_ok());
    }

    #[test]
    fn other_selectors_and_loads_are_refused() {
        for bad in [
            "body { color: red; }",
            ".label-customizable div { color: red; }",
            "@import 'x.css';",
            "@media (min-width: 1px) { .label-customizable { color: red; } }",
            ".banner-customizable { background: url(https://evil.example/x.png); }",
            ".banner-customizable { background: URL(x); }",
            ".banner-customizable { background: \\75 rl(x); }",
            ".banner-customizable { width: expression(alert(1)); }",
            ".banner-customizable { color: red; } </style><script>",
            ".banner-customizable { color red }",
            ".banner-customizable { color: red;",
            ".banner-customizable { color: red; /* open",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
