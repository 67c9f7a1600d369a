//! The web console at `/_latchkey/console`: server-rendered pages (no scripts) for operators
//! to see and manage user pools, app clients, users, groups and identity pools, read the
//! local outbox and inspect tokens.
//!
//! - who may use it ([`operator`]): a browser on this machine where the local server allows
//!   it, else members of the admin group of the admin pool, signed in through the managed
//!   login ([`signin`]);
//! - every page reads, and every action does, through the wire protocol's own dispatch
//!   ([`api`]), so the model's checks, the operations' rules and the pools' triggers apply,
//!   and refusals show Cognito's message;
//! - every POST form carries managed login's CSRF token (`edge::hosted::csrf_token`), and
//!   every action is confirmed first ([`actions`]);
//! - nothing secret is shown: no password hashes, TOTP keys, client secrets or codes (but
//!   on the local outbox page, which only the local server has).
//!
//! Layers: the edge's router calls [`serve`]; the console uses the edge's helpers (cookies,
//! CSRF, escaping), `protocol`, `oauth`, `userpool` and `identity`. Nothing imports it.

mod actions;
mod api;
mod groups;
mod identity;
mod inspect;
mod layout;
mod operator;
mod outbox;
mod paging;
mod pools;
mod signin;
mod users;

use crate::edge::hosted::{self, csrf_token};
use crate::edge::routes::ConsoleRoute;
use crate::edge::EdgeRequest;
use crate::edge::EdgeResponse;
use crate::error::{ApiError, ErrorKind};
use crate::App;
use http::StatusCode;
use operator::Operator;
use std::collections::HashMap;

/// One request let into the console.
pub(crate) struct Cx<'a> {
    app: &'a App,
    req: &'a EdgeRequest,
    operator: Operator,
    /// The CSRF token every form of the page carries.
    csrf: String,
    /// The query.
    query: HashMap<String, String>,
}

impl Cx<'_> {
    /// A query parameter (empty when absent).
    fn param(&self, name: &str) -> &str {
        self.query.get(name).map(String::as_str).unwrap_or_default()
    }

    /// A required query parameter.
    fn required(&self, name: &str) -> Result<&str, ApiError> {
        match self.param(name) {
            "" => Err(ApiError::invalid(format!(
                "The page needs the {name} parameter."
            ))),
            v => Ok(v),
        }
    }
}

/// What a handler answers.
pub(crate) enum Answer {
    /// A page in the console's layout.
    Page(Page),
    /// A 303 to another console page (after an action).
    Redirect(String),
}

/// A page's parts.
pub(crate) struct Page {
    status: StatusCode,
    title: String,
    /// The pool it is about (its navigation is shown).
    pool: Option<String>,
    /// An outcome: (text, good news).
    notice: Option<(String, bool)>,
    body: String,
}

impl Page {
    /// A 200 page.
    fn new(title: impl Into<String>, body: String) -> Self {
        Self {
            status: StatusCode::OK,
            title: title.into(),
            pool: None,
            notice: None,
            body,
        }
    }

    /// The same page about `pool`.
    fn of_pool(mut self, pool: &str) -> Self {
        self.pool = Some(pool.to_string());
        self
    }

    /// The same page with an outcome.
    fn with_notice(mut self, text: impl Into<String>, good: bool) -> Self {
        self.notice = Some((text.into(), good));
        self
    }

    /// The same page with another status.
    fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }
}

type Handled = Result<Answer, ApiError>;

/// Answers one console request.
pub async fn serve(app: &App, req: &EdgeRequest, route: ConsoleRoute) -> EdgeResponse {
    match route {
        ConsoleRoute::SignIn => return signin::start(app, req).await,
        ConsoleRoute::Callback => return signin::callback(app, req).await,
        _ => {}
    }
    let operator = match operator::identify(app, req).await {
        Ok(o) => o,
        Err(why) => return signin::refused(req, why),
    };
    if route == ConsoleRoute::SignOut {
        return signin::sign_out(app, req).await;
    }
    let (csrf, csrf_cookie) = csrf_token(app, req);
    let cx = Cx {
        app,
        req,
        operator,
        csrf,
        query: signin::query(req),
    };
    let answer = match route {
        ConsoleRoute::Home => pools::home(&cx).await,
        ConsoleRoute::Pool => pools::pool(&cx).await,
        ConsoleRoute::Users => users::list(&cx).await,
        ConsoleRoute::User => users::one(&cx).await,
        ConsoleRoute::Groups => groups::page(&cx).await,
        ConsoleRoute::ActionPage => actions::confirm(&cx).await,
        ConsoleRoute::ActionSubmit => actions::submit(&cx).await,
        ConsoleRoute::IdentityPools => identity::page(&cx).await,
        ConsoleRoute::TokenPage => inspect::form(&cx),
        ConsoleRoute::TokenSubmit => inspect::submit(&cx).await,
        ConsoleRoute::Outbox => outbox::page(&cx).await,
        ConsoleRoute::SignIn | ConsoleRoute::Callback | ConsoleRoute::SignOut => {
            Err(ApiError::invalid("Not a console page."))
        }
    };
    let resp = match answer {
        Ok(Answer::Page(page)) => render(&cx, &page),
        Ok(Answer::Redirect(to)) => hosted::redirect(&to).with_status(StatusCode::SEE_OTHER),
        Err(e) => render(&cx, &failure(&e)),
    };
    csrf_cookie.apply(resp)
}

/// A page in the layout, with the headers every page carries (no framing, scripts, caching
/// or referrer).
fn render(cx: &Cx<'_>, page: &Page) -> EdgeResponse {
    let frame = layout::Frame {
        title: &page.title,
        operator: Some(&cx.operator),
        csrf: &cx.csrf,
        pool: page.pool.as_deref(),
        notice: page.notice.as_ref().map(|(t, g)| (t.as_str(), *g)),
        outbox: cx.app.settings.console.local_outbox,
    };
    let html = layout::render(&frame, &page.body);
    hosted::guarded(EdgeResponse::html(page.status, html))
}

/// The page of a refused read: Cognito's message (400; 404 for what does not exist), or,
/// for a fault, a line saying so (its cause logged).
fn failure(e: &ApiError) -> Page {
    let (status, title, text) = match e.kind {
        ErrorKind::InternalError => {
            tracing::error!(error = %e.message, "console page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Something went wrong. Please try again later.",
            )
        }
        ErrorKind::ResourceNotFound | ErrorKind::UserNotFound => {
            (StatusCode::NOT_FOUND, "Not found", e.message.as_str())
        }
        _ => (
            StatusCode::BAD_REQUEST,
            "Request refused",
            e.message.as_str(),
        ),
    };
    Page::new(title, String::new())
        .with_notice(text, false)
        .with_status(status)
}
