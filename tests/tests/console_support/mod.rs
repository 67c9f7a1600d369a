//! Helpers of the console's black-box tests: a browser (reqwest with its own cookies, no
//! redirects followed by itself) that opens console pages and runs actions as a person
//! would (the confirmation page, its CSRF token, the ticked box), and the operator setup
//! of a server whose console asks for sign-in.
#![allow(dead_code)] // Not every test uses every helper.

pub mod passkey;

use crate::common::Harness;
pub use crate::oauth_support::{encode, permanent_user, Answer, Browser};
use latchkey_server::ServerOptions;

/// The console's path.
pub const CONSOLE: &str = "/_latchkey/console";
/// The admin group when none is configured.
pub const ADMINS: &str = "latchkey-admins";

/// `{CONSOLE}{page}?{pairs}`.
pub fn at(page: &str, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        format!("{CONSOLE}{page}")
    } else {
        format!("{CONSOLE}{page}?{}", encode(pairs))
    }
}

/// Every page the console answers: HTML with a language, no scripts, no caching, no framing.
pub fn assert_console_page(a: &Answer) {
    assert!(a.body.contains("<html lang=\"en\">"), "{}", a.body);
    assert!(!a.body.to_lowercase().contains("<script"), "{}", a.body);
    let header = |n: &str| {
        a.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("x-frame-options"), "DENY");
    assert!(header("content-security-policy").contains("default-src 'none'"));
    // No password hash (the tests look for the other secrets they made by value).
    assert!(
        !a.body.contains("$argon2"),
        "a password hash on a page: {}",
        a.body
    );
}

/// The console through a browser.
pub struct Console {
    pub browser: Browser,
}

impl Console {
    pub fn new(base: &str) -> Self {
        Self {
            browser: Browser::new(base),
        }
    }

    /// GET a console page (no redirect followed).
    pub async fn get(&mut self, page: &str, pairs: &[(&str, &str)]) -> Answer {
        self.browser.get(&at(page, pairs)).await
    }

    /// GET a console page that must answer 200; checked as every page is.
    pub async fn page(&mut self, page: &str, pairs: &[(&str, &str)]) -> Answer {
        let a = self.get(page, pairs).await;
        assert_eq!(a.status, 200, "{page} {pairs:?}: {}", a.body);
        assert_console_page(&a);
        a
    }

    /// Follows redirects from `a` until a page.
    pub async fn follow(&mut self, mut a: Answer) -> Answer {
        for _ in 0..10 {
            match (a.status, a.location.clone()) {
                (301..=303, Some(to)) => a = self.browser.get(&to).await,
                _ => return a,
            }
        }
        panic!("too many redirects: {:?}", a.location);
    }

    /// An action as a person does it: its confirmation page (200, with a CSRF token), then
    /// the form with `fields` and the ticked box. The answer to the POST.
    pub async fn act(
        &mut self,
        pool: &str,
        username: Option<&str>,
        action: &str,
        query: &[(&str, &str)],
        fields: &[(&str, &str)],
    ) -> Answer {
        let mut q = vec![("pool", pool), ("action", action)];
        q.extend(username.map(|u| ("username", u)));
        q.extend_from_slice(query);
        let confirm = self.page("/action", &q).await;
        let csrf = confirm.hidden("_csrf").expect("a CSRF token");
        let mut form = vec![("_csrf", csrf.as_str()), ("confirm", "yes")];
        form.extend(q.iter().copied());
        form.extend_from_slice(fields);
        self.browser.post_form(&at("/action", &[]), &form).await
    }

    /// [`Console::act`] that must succeed: a 303 back to a page saying it is done.
    pub async fn act_ok(
        &mut self,
        pool: &str,
        username: Option<&str>,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Answer {
        let done = self.act(pool, username, action, &[], fields).await;
        assert_eq!(done.status, 303, "{action}: {}", done.body);
        let page = self.follow(done).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("role=\"status\""), "{}", page.body);
        page
    }
}

/// A server whose console asks everyone to sign in, an operator `admin` (in the admin group
/// of the default pool, the console's pool) and a user `eve` in that pool who is not one.
pub async fn signed_in_server() -> Harness {
    let h = Harness::start_with(ServerOptions::in_memory().with_console_sign_in()).await;
    let pool = h.server.default_pool_id.clone();
    h.idp
        .create_group()
        .user_pool_id(&pool)
        .group_name(ADMINS)
        .send()
        .await
        .expect("CreateGroup");
    for name in ["admin", "eve"] {
        let email = format!("{name}@example.com");
        permanent_user(&h, &pool, name, &[("email", &email)]).await;
    }
    h.idp
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username("admin")
        .group_name(ADMINS)
        .send()
        .await
        .expect("AdminAddUserToGroup");
    h
}

/// The login form the console sends a signed-out browser to, reached by following its
/// redirects from `page`.
pub async fn login_form(c: &mut Console, page: &str) -> Answer {
    let first = c.get(page, &[]).await;
    assert_eq!(first.status, 302, "{}", first.body);
    let to_signin = first.location.clone().unwrap_or_default();
    assert!(to_signin.starts_with(&at("/signin", &[])), "{to_signin}");
    let form = c.follow(first).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.hidden("_csrf").is_some(),
        "the login form: {}",
        form.body
    );
    form
}

/// Signs in on the managed login form the console led to: the answer after the form (a
/// redirect back to the console's callback, or a challenge page).
pub async fn submit_login(
    c: &mut Console,
    form: &Answer,
    username: &str,
    password: &str,
) -> Answer {
    let action = form.form_action().expect("the login form");
    let csrf = form.hidden("_csrf").expect("its CSRF token");
    c.browser
        .post_form(
            &action,
            &[
                ("_csrf", &csrf),
                ("username", username),
                ("password", password),
            ],
        )
        .await
}
