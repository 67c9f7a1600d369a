//! The HTML of Latchkey's pages: one accessible layout (a language, a title, one heading, a
//! status or alert region for the outcome, labelled inputs), forms that post back to the same
//! origin with a CSRF token, and no scripts. Every value is escaped here, once.

pub use crate::markup::escape;

/// The built-in look: plain, readable, and overridable by a client's CSS.
const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}\
main{max-width:24rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;\
box-shadow:0 1px 4px rgba(0,0,0,.15)}label{display:block;margin:.8rem 0 .3rem}\
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;\
padding:.5rem;font-size:1rem}button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem}\
[role=alert]{color:#a00}.banner-customizable{text-align:center}";

/// An input of a form.
pub struct Field<'a> {
    /// The `name` (also the `id`).
    pub name: &'a str,
    /// The visible label.
    pub label: &'a str,
    /// `text`, `password`, `email`, ...
    pub kind: &'a str,
    /// A value to fill in.
    pub value: &'a str,
    /// The `autocomplete` hint.
    pub autocomplete: &'a str,
}

/// A form: where it posts, its hidden values (the CSRF token among them), fields and button.
pub struct Form<'a> {
    /// The `action` (path and query, same origin).
    pub action: &'a str,
    /// Hidden inputs.
    pub hidden: Vec<(&'a str, &'a str)>,
    /// Visible inputs.
    pub fields: Vec<Field<'a>>,
    /// Radio choices: (name, [(value, label)]).
    pub choices: Option<(&'a str, Vec<(String, String)>)>,
    /// The submit button's text.
    pub submit: &'a str,
}

impl Form<'_> {
    fn render(&self) -> String {
        let mut out = format!(
            "<form method=\"post\" action=\"{}\">\n",
            escape(self.action)
        );
        for (name, value) in &self.hidden {
            out.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
                escape(name),
                escape(value)
            ));
        }
        for f in &self.fields {
            out.push_str(&format!(
                "<label for=\"{n}\">{l}</label>\n<input id=\"{n}\" name=\"{n}\" type=\"{k}\" \
                 value=\"{v}\" autocomplete=\"{a}\" required>\n",
                n = escape(f.name),
                l = escape(f.label),
                k = escape(f.kind),
                v = escape(f.value),
                a = escape(f.autocomplete),
            ));
        }
        if let Some((name, options)) = &self.choices {
            out.push_str("<fieldset>\n");
            for (i, (value, label)) in options.iter().enumerate() {
                out.push_str(&format!(
                    "<label><input type=\"radio\" name=\"{n}\" value=\"{v}\"{c}> {l}</label>\n",
                    n = escape(name),
                    v = escape(value),
                    l = escape(label),
                    c = if i == 0 { " checked" } else { "" },
                ));
            }
            out.push_str("</fieldset>\n");
        }
        out.push_str(&format!(
            "<button type=\"submit\">{}</button>\n</form>\n",
            escape(self.submit)
        ));
        out
    }
}

/// What a page shows.
pub struct Page<'a> {
    /// Title and heading.
    pub heading: &'a str,
    /// A line under the heading.
    pub text: Option<&'a str>,
    /// A second line, set apart (a key to copy).
    pub note: Option<&'a str>,
    /// An error (an alert region), or an outcome (a status region).
    pub alert: Option<&'a str>,
    /// Whether `alert` is good news.
    pub success: bool,
    /// The form, if any.
    pub form: Option<Form<'a>>,
    /// Links under the form: (href, text).
    pub links: Vec<(String, &'a str)>,
    /// The client's CSS (UI customization), after the built-in style.
    pub css: Option<&'a str>,
    /// The client's logo URL.
    pub logo: Option<&'a str>,
}

impl<'a> Page<'a> {
    /// A page with a heading only.
    pub fn new(heading: &'a str) -> Self {
        Self {
            heading,
            text: None,
            note: None,
            alert: None,
            success: false,
            form: None,
            links: Vec::new(),
            css: None,
            logo: None,
        }
    }

    /// The document.
    pub fn render(&self) -> String {
        let heading = escape(self.heading);
        let mut body = String::new();
        if let Some(logo) = self.logo {
            body.push_str(&format!(
                "<div class=\"banner-customizable\"><img class=\"logo-customizable\" src=\"{}\" \
                 alt=\"\"></div>\n",
                escape(logo)
            ));
        }
        body.push_str(&format!("<h1>{heading}</h1>\n"));
        if let Some(text) = self.text {
            body.push_str(&format!("<p>{}</p>\n", escape(text)));
        }
        if let Some(note) = self.note {
            body.push_str(&format!("<p><code>{}</code></p>\n", escape(note)));
        }
        if let Some(alert) = self.alert {
            let role = if self.success { "status" } else { "alert" };
            body.push_str(&format!("<p role=\"{role}\">{}</p>\n", escape(alert)));
        }
        if let Some(form) = &self.form {
            body.push_str(&form.render());
        }
        for (href, text) in &self.links {
            body.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>\n",
                escape(href),
                escape(text)
            ));
        }
        // Client CSS is text inside <style>: only `</` could end the element early.
        let css = self.css.map(|c| c.replace("</", "")).unwrap_or_default();
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{heading}</title>\n<style>{STYLE}{css}</style>\n</head>\n<body>\n<main>\n\
             {body}</main>\n</body>\n</html>\n"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_inputs_labelled() {
        let mut page = Page::new("Sign in <now>");
        page.alert = Some("\"bad\" & <b>");
        page.form = Some(Form {
            action: "/login?a=1&b=\"2\"",
            hidden: vec![("_csrf", "t<1>")],
            fields: vec![Field {
                name: "username",
                label: "Username",
                kind: "text",
                value: "x\"><script>",
                autocomplete: "username",
            }],
            choices: None,
            submit: "Sign in",
        });
        let html = page.render();
        assert!(html.contains("<title>Sign in &lt;now&gt;</title>"));
        assert!(html.contains("role=\"alert\">&quot;bad&quot; &amp; &lt;b&gt;"));
        assert!(html.contains("action=\"/login?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("<label for=\"username\">Username</label>"));
        assert!(html.contains("value=\"x&quot;&gt;&lt;script&gt;\""));
        assert!(!html.contains("<script"));
    }
}
