//! The console's HTML: one accessible layout (a language, a title, a skip link, a header with
//! the operator and the sign-out form, navigation landmarks, one `h1` in `main`, an outcome
//! in a status or alert region) and the pieces pages are made of: links, sections of tables
//! with column headers, definition lists, and forms whose every input has a label.
//! No scripts. Every value goes through managed login's escaping ([`esc`]); each piece
//! returns HTML for the next to embed.

use super::operator::Operator;
pub use crate::edge::hosted::html::escape as esc;

/// Where the console lives.
pub const BASE: &str = "/_latchkey/console";

/// Plain, readable, keyboard-visible. Text and controls keep at least 4.5:1 contrast (the
/// darkest pair is white on #0b57d0, 6.6:1; the lightest text #4a5560 on white, 7.4:1).
const STYLE: &str = "*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;\
color:#1b1f24;background:#fff;line-height:1.45}a{color:#0b57d0}\
.skip{position:absolute;left:-10000px}.skip:focus{left:1rem;top:1rem;background:#fff;\
padding:.4rem;z-index:1}header{background:#1f2933;color:#fff;padding:.6rem 1.2rem;\
display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}\
header a{color:#fff}header p{margin:0}header form{display:inline;margin:0}\
header button{background:#fff;color:#1f2933;margin:0}.brand{font-weight:700}\
nav ul{list-style:none;margin:0;padding:.5rem 1.2rem;display:flex;flex-wrap:wrap;gap:1.2rem;\
border-bottom:1px solid #c9ced4}main{padding:1rem 1.2rem 3rem;max-width:80rem}\
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}th,td{border:1px solid #c9ced4;padding:.35rem .5rem;\
text-align:left;vertical-align:top}thead th{background:#eef1f4}dl{display:grid;\
grid-template-columns:max-content 1fr;gap:.3rem 1.2rem}dt{font-weight:600}dd{margin:0;\
overflow-wrap:anywhere}.field{margin:.6rem 0}.field label{display:block;margin-bottom:.2rem;\
font-weight:600}.check label{font-weight:400}input[type=text],input[type=password],\
input[type=email],select,textarea{font-size:1rem;padding:.4rem;border:1px solid #4a5560;\
border-radius:3px;max-width:100%}textarea{width:100%;font-family:monospace}\
button{font-size:1rem;padding:.45rem .9rem;border:0;border-radius:3px;background:#0b57d0;\
color:#fff;cursor:pointer;margin-top:.4rem}button.danger{background:#b3261e}\
:focus{outline:3px solid #b95000;outline-offset:2px}.inline{display:flex;flex-wrap:wrap;\
gap:.8rem;align-items:flex-end}.inline .field{margin:0}.muted{color:#4a5560}\
[role=alert]{color:#a00;font-weight:600}[role=status]{color:#0a6b2b;font-weight:600}\
pre{background:#f4f5f7;padding:.6rem;overflow:auto}ul.actions{padding-left:1.2rem}";

/// `path` with `params` as its query, percent-encoded (escape it when writing it out).
pub fn url(path: &str, params: &[(&str, &str)]) -> String {
    if params.is_empty() {
        return path.to_string();
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("{path}?{query}")
}

/// A console page's URL: `{BASE}{page}` with `params`.
pub fn page_url(page: &str, params: &[(&str, &str)]) -> String {
    url(&format!("{BASE}{page}"), params)
}

/// A link.
pub fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(href), esc(text))
}

/// A section: a heading, then a table with column headers whose rows' cells are HTML; no
/// rows: a line saying there are none.
pub fn table(heading: &str, head: &[&str], rows: &[Vec<String>], none: &str) -> String {
    let mut out = format!("<h2>{}</h2>\n", esc(heading));
    if rows.is_empty() {
        out.push_str(&format!("<p class=\"muted\">{}</p>\n", esc(none)));
        return out;
    }
    out.push_str("<table>\n<thead><tr>");
    for h in head {
        out.push_str(&format!("<th scope=\"col\">{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// A definition list of (term, HTML).
pub fn facts(pairs: &[(&str, String)]) -> String {
    let mut out = String::from("<dl>\n");
    for (term, value) in pairs {
        out.push_str(&format!("<dt>{}</dt><dd>{value}</dd>\n", esc(term)));
    }
    out.push_str("</dl>\n");
    out
}

/// `items` joined with `, ` (escaped), or a dash.
pub fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        esc(&items.join(", "))
    }
}

/// A form under construction. Inputs get the id `{form}-{name}`, so two forms on one page
/// never share one, and a `<label for>` each.
pub struct Form {
    id: String,
    method: &'static str,
    action: String,
    inline: bool,
    html: String,
}

impl Form {
    /// A POST form to `action` carrying the CSRF token.
    pub fn post(id: &str, action: &str, csrf: &str) -> Self {
        Self::open(id, "post", action).hidden(crate::edge::hosted::CSRF_FIELD, csrf)
    }

    /// A GET form to `action` (searches: no state changes, no token).
    pub fn get(id: &str, action: &str) -> Self {
        Self::open(id, "get", action)
    }

    fn open(id: &str, method: &'static str, action: &str) -> Self {
        Self {
            id: id.to_string(),
            method,
            action: action.to_string(),
            inline: false,
            html: String::new(),
        }
    }

    /// The fields side by side (searches).
    pub fn inline(mut self) -> Self {
        self.inline = true;
        self
    }

    fn field_id(&self, name: &str) -> String {
        esc(&format!("{}-{name}", self.id))
    }

    /// A hidden value.
    pub fn hidden(mut self, name: &str, value: &str) -> Self {
        self.html.push_str(&format!(
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">\n",
            esc(name),
            esc(value)
        ));
        self
    }

    /// A labelled input of `kind` (`text`, `password`, `email`).
    pub fn input(
        mut self,
        kind: &str,
        name: &str,
        label: &str,
        value: &str,
        required: bool,
    ) -> Self {
        let autocomplete = if kind == "password" {
            " autocomplete=\"new-password\""
        } else {
            " autocomplete=\"off\""
        };
        self.html.push_str(&format!(
            "<div class=\"field\"><label for=\"{id}\">{l}</label><input id=\"{id}\" \
             name=\"{n}\" type=\"{k}\" value=\"{v}\"{a}{r}></div>\n",
            id = self.field_id(name),
            l = esc(label),
            n = esc(name),
            k = esc(kind),
            v = esc(value),
            a = autocomplete,
            r = if required { " required" } else { "" },
        ));
        self
    }

    /// A labelled choice among (value, label), `selected` chosen.
    pub fn select(
        mut self,
        name: &str,
        label: &str,
        options: &[(&str, &str)],
        selected: &str,
    ) -> Self {
        let mut opts = String::new();
        for (value, text) in options {
            opts.push_str(&format!(
                "<option value=\"{}\"{}>{}</option>",
                esc(value),
                if *value == selected { " selected" } else { "" },
                esc(text)
            ));
        }
        self.html.push_str(&format!(
            "<div class=\"field\"><label for=\"{id}\">{l}</label><select id=\"{id}\" \
             name=\"{n}\">{opts}</select></div>\n",
            id = self.field_id(name),
            l = esc(label),
            n = esc(name),
        ));
        self
    }

    /// A labelled checkbox (value `yes`).
    pub fn checkbox(mut self, name: &str, label: &str, required: bool) -> Self {
        self.html.push_str(&format!(
            "<div class=\"field check\"><input id=\"{id}\" name=\"{n}\" type=\"checkbox\" \
             value=\"yes\"{r}> <label for=\"{id}\">{l}</label></div>\n",
            id = self.field_id(name),
            n = esc(name),
            l = esc(label),
            r = if required { " required" } else { "" },
        ));
        self
    }

    /// A labelled multi-line input.
    pub fn textarea(mut self, name: &str, label: &str, rows: u32) -> Self {
        self.html.push_str(&format!(
            "<div class=\"field\"><label for=\"{id}\">{l}</label><textarea id=\"{id}\" \
             name=\"{n}\" rows=\"{rows}\" spellcheck=\"false\" required></textarea></div>\n",
            id = self.field_id(name),
            l = esc(label),
            n = esc(name),
        ));
        self
    }

    /// HTML as it is (already escaped), e.g. a note between fields.
    pub fn raw(mut self, html: &str) -> Self {
        self.html.push_str(html);
        self
    }

    /// The form with its submit button (`danger`: styled as a destructive action).
    pub fn finish(self, submit: &str, danger: bool) -> String {
        let class = if self.inline { " class=\"inline\"" } else { "" };
        let button = if danger { " class=\"danger\"" } else { "" };
        format!(
            "<form id=\"{}\" method=\"{}\" action=\"{}\"{class}>\n{}\
             <button type=\"submit\"{button}>{}</button>\n</form>\n",
            esc(&self.id),
            self.method,
            esc(&self.action),
            self.html,
            esc(submit)
        )
    }
}

/// What the layout frames.
pub struct Frame<'a> {
    /// The page's title and `h1`.
    pub title: &'a str,
    /// Who is using the console (None: nobody yet, e.g. a sign-in refusal).
    pub operator: Option<&'a Operator>,
    /// The CSRF token for the sign-out form.
    pub csrf: &'a str,
    /// The pool the page is about (adds the pool's navigation).
    pub pool: Option<&'a str>,
    /// An outcome: (text, good news).
    pub notice: Option<(&'a str, bool)>,
    /// Whether the local outbox page exists here.
    pub outbox: bool,
}

/// The whole document around `body`.
pub fn render(frame: &Frame<'_>, body: &str) -> String {
    let title = esc(frame.title);
    let who = match frame.operator {
        None => String::new(),
        Some(Operator::Local) => "<p>Local access: this machine needs no sign-in</p>".to_string(),
        Some(Operator::Admin { username }) => format!(
            "<p>Signed in as <strong>{}</strong></p>{}",
            esc(username),
            Form::post("signout", &format!("{BASE}/signout"), frame.csrf).finish("Sign out", false)
        ),
    };
    let mut nav = String::new();
    if frame.operator.is_some() {
        let mut items = vec![
            link(BASE, "User pools"),
            link(&page_url("/identity-pools", &[]), "Identity pools"),
            link(&page_url("/token", &[]), "Token inspector"),
        ];
        if frame.outbox {
            items.push(link(&page_url("/outbox", &[]), "Outbox"));
        }
        nav.push_str(&nav_list("Console", &items));
        if let Some(pool) = frame.pool {
            let p = [("pool", pool)];
            let items = [
                link(&page_url("/pool", &p), "Settings and app clients"),
                link(&page_url("/users", &p), "Users"),
                link(&page_url("/groups", &p), "Groups"),
            ];
            nav.push_str(&nav_list(&format!("Pool {pool}"), &items));
        }
    }
    let notice = match frame.notice {
        Some((text, true)) => format!("<p role=\"status\">{}</p>\n", esc(text)),
        Some((text, false)) => format!("<p role=\"alert\">{}</p>\n", esc(text)),
        None => String::new(),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · Latchkey console</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n<header>\n\
         <p class=\"brand\"><a href=\"{BASE}\">Latchkey console</a></p>\n{who}\n</header>\n\
         {nav}<main id=\"main\">\n<h1>{title}</h1>\n{notice}{body}</main>\n</body>\n</html>\n"
    )
}

fn nav_list(label: &str, items: &[String]) -> String {
    let mut out = format!("<nav aria-label=\"{}\"><ul>", esc(label));
    for item in items {
        out.push_str(&format!("<li>{item}</li>"));
    }
    out.push_str("</ul></nav>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_is_escaped_and_labelled() {
        let form = Form::post("f", "/x?a=1&b=\"2\"", "t<")
            .input("text", "name", "Name <b>", "v\"><script>", true)
            .select(
                "op",
                "Operator",
                &[("=", "is"), ("^=", "starts with")],
                "^=",
            )
            .checkbox("confirm", "I am sure", true)
            .finish("Go", true);
        assert!(form.contains("action=\"/x?a=1&amp;b=&quot;2&quot;\""));
        assert!(form.contains("<label for=\"f-name\">Name &lt;b&gt;</label>"));
        assert!(form.contains("value=\"v&quot;&gt;&lt;script&gt;\""));
        assert!(form.contains("<label for=\"f-op\">"));
        assert!(form.contains("<option value=\"^=\" selected>starts with</option>"));
        assert!(form.contains("<label for=\"f-confirm\">I am sure</label>"));
        assert!(form.contains("value=\"t&lt;\""));
        let admin = Operator::Admin {
            username: "<eve>".into(),
        };
        let page = render(
            &Frame {
                title: "Users & <groups>",
                operator: Some(&admin),
                csrf: "c",
                pool: Some("us-east-1_x\"y"),
                notice: Some(("<done>", true)),
                outbox: false,
            },
            &table("Users", &["Name"], &[vec![esc("<x>")]], "none"),
        );
        assert!(page.contains("<html lang=\"en\">"));
        assert!(page.contains("<h1>Users &amp; &lt;groups&gt;</h1>"));
        assert!(page.contains("<strong>&lt;eve&gt;</strong>"));
        assert!(page.contains("pool=us-east-1_x%22y"));
        assert!(page.contains("role=\"status\">&lt;done&gt;"));
        assert!(page.contains("<td>&lt;x&gt;</td>"));
        assert!(!page.contains("<script") && !page.contains("Outbox"));
    }
}
