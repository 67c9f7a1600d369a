//! Message bodies: whether a template is HTML, and its plain-text alternative.

/// Whether `body` carries HTML markup (a tag such as `<p>`, `<br/>`, `<a href=…>`), in which
/// case email goes out as HTML with a plain-text alternative.
pub fn looks_like_html(body: &str) -> bool {
    let bytes = body.as_bytes();
    bytes.windows(2).enumerate().any(|(i, w)| {
        w[0] == b'<'
            && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!')
            && body[i..].contains('>')
    })
}

/// The text of an HTML body: tags dropped (`<br>` and block ends become line breaks) and the
/// common entities decoded; link targets are kept after their text.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("");
        if matches!(name, "br" | "p" | "div" | "tr" | "li" | "h1" | "h2" | "h3")
            && (tag.starts_with('/') || name == "br")
        {
            out.push('\n');
        }
        if name == "a" && !tag.starts_with('/') {
            if let Some(href) = attribute(&rest[start + 1..start + end], "href") {
                out.push_str(&format!("[{href}] "));
            }
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let lower = tag.to_ascii_lowercase();
    let at = lower.find(&format!("{name}="))? + name.len() + 1;
    let value = &tag[at..];
    let quote = value.chars().next()?;
    if quote == '"' || quote == '\'' {
        value[1..].split(quote).next()
    } else {
        value.split(|c: char| c.is_whitespace() || c == '>').next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_html_from_text() {
        assert!(looks_like_html("<p>Your code is {####}</p>"));
        assert!(looks_like_html("Code: {####}<br/>Thanks"));
        assert!(!looks_like_html("Your code is {####}. 1 < 2 and 3 > 2"));
        assert!(!looks_like_html("Your verification code is {####}. "));
    }

    #[test]
    fn strips_tags_and_keeps_links() {
        let html =
            "<p>Hello &amp; welcome</p><a href=\"https://x.example/c?a=1&amp;b=2\">Verify</a>";
        assert_eq!(
            plain_text(html),
            "Hello & welcome\n[https://x.example/c?a=1&b=2] Verify"
        );
    }
}
