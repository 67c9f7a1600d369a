//! The SMTP transport (lettre's SMTP client): `smtp://host:port` (plain; `?tls=required` for
//! STARTTLS, `?tls=opportunistic` to use it when offered), `smtps://host:port` (TLS from the
//! start), optionally `user:pass@`. Connections are made on first use and kept in a small
//! pool, so a server that is down at start costs nothing until a message is sent, and a
//! loopback send reuses its connection.
//!
//! The sockets are Latchkey's own, with `TCP_NODELAY`: lettre writes a message and its final
//! `.` in two writes, and with Nagle's algorithm the second waits for the server's delayed
//! ACK (about 40 ms a message on loopback).

use super::{looks_like_html, plain_text, DeliveryError};
use crate::error::Error;
use crate::secret::Secret;
use crate::userpool::model::OutboundMessage;
use lettre::message::{header::ContentType, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

mod tls_stream;

/// Idle connections kept.
const POOL_SIZE: usize = 16;
/// A connection idle longer than this is closed rather than reused.
const IDLE: Duration = Duration::from_secs(60);

/// How the connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    /// Plain text.
    None,
    /// STARTTLS when the server offers it.
    Opportunistic,
    /// STARTTLS, or fail.
    Required,
    /// TLS from the first byte (`smtps://`).
    Implicit,
}

/// Where and how to connect, from the URL.
#[derive(Debug, PartialEq, Eq)]
struct Server {
    host: String,
    port: u16,
    security: Security,
    user: Option<String>,
    password: Option<Secret<String>>,
}

/// Sends email through one SMTP server.
pub struct SmtpSender {
    server: Server,
    timeout: Duration,
    hello: ClientId,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
    /// The URL without its password, for the banner.
    shown: String,
}

impl SmtpSender {
    /// A sender for `url`, connecting within `timeout`. Fails only on a malformed URL; nothing
    /// is connected yet.
    pub fn new(url: &Secret<String>, timeout: Duration) -> Result<Self, Error> {
        let server =
            parse(url.expose()).map_err(|e| Error::Config(format!("LATCHKEY_SMTP_URL: {e}")))?;
        Ok(Self {
            shown: without_password(url.expose()),
            server,
            timeout,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The server, without credentials.
    pub fn describe(&self) -> &str {
        &self.shown
    }

    /// Sends `msg` from `from`.
    pub async fn send(
        &self,
        msg: &OutboundMessage,
        from: &str,
        reply_to: Option<&str>,
    ) -> Result<(), DeliveryError> {
        let email = build(msg, from, reply_to)?;
        let envelope = email.envelope().clone();
        let bytes = email.formatted();
        // A kept connection the server has since closed fails at once: then one fresh try.
        if let Some(mut conn) = self.take_idle() {
            if let Ok(()) = send_on(&mut conn, &envelope, &bytes).await {
                self.keep(conn);
                return Ok(());
            }
        }
        let mut conn = self.connect().await?;
        send_on(&mut conn, &envelope, &bytes).await?;
        self.keep(conn);
        Ok(())
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((conn, since)) = idle.pop() {
            if since.elapsed() < IDLE && !conn.has_broken() {
                return Some(conn);
            }
        }
        None
    }

    fn keep(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < POOL_SIZE && !conn.has_broken() {
            idle.push((conn, Instant::now()));
        }
    }

    /// A new connection: TCP with `TCP_NODELAY`, TLS as the URL says, EHLO, AUTH.
    async fn connect(&self) -> Result<AsyncSmtpConnection, DeliveryError> {
        let s = &self.server;
        let failed =
            |e: &dyn std::fmt::Display| DeliveryError::Failed(format!("{}: {e}", self.shown));
        let tcp = tokio::time::timeout(self.timeout, TcpStream::connect((s.host.as_str(), s.port)))
            .await
            .map_err(|_| DeliveryError::TimedOut(self.timeout.as_millis() as u64))?
            .map_err(|e| failed(&e))?;
        tcp.set_nodelay(true).map_err(|e| failed(&e))?;
        let stream: Box<dyn AsyncTokioStream> = if s.security == Security::Implicit {
            Box::new(
                tls_stream::connect(tcp, &s.host)
                    .await
                    .map_err(|e| failed(&e))?,
            )
        } else {
            Box::new(tcp)
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello)
            .await
            .map_err(|e| failed(&e))?;
        let starttls = match s.security {
            Security::Required => true,
            Security::Opportunistic => conn.can_starttls(),
            _ => false,
        };
        if starttls {
            let params = TlsParameters::new(s.host.clone()).map_err(|e| failed(&e))?;
            conn.starttls(params, &self.hello)
                .await
                .map_err(|e| failed(&e))?;
        }
        if let (Some(user), Some(password)) = (&s.user, &s.password) {
            let credentials = Credentials::new(user.clone(), password.expose().clone());
            conn.auth(&[Mechanism::Plain, Mechanism::Login], &credentials)
                .await
                .map_err(|e| DeliveryError::Refused(format!("{}: AUTH: {e}", self.shown)))?;
        }
        Ok(conn)
    }
}

async fn send_on(
    conn: &mut AsyncSmtpConnection,
    envelope: &lettre::address::Envelope,
    bytes: &[u8],
) -> Result<(), DeliveryError> {
    conn.send(envelope, bytes).await.map(|_| ()).map_err(|e| {
        if e.is_permanent() {
            DeliveryError::Refused(e.to_string())
        } else {
            DeliveryError::Failed(e.to_string())
        }
    })
}

/// Parses `smtp[s]://[user[:pass]@]host[:port][?tls=required|opportunistic]`.
fn parse(url: &str) -> Result<Server, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("expected smtp:// or smtps://")?;
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let rest = rest.trim_end_matches('/');
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    let implicit = match scheme {
        "smtp" => false,
        "smtps" => true,
        other => return Err(format!("unknown scheme {other:?}: use smtp:// or smtps://")),
    };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
            (h, p.parse::<u16>().map_err(|_| format!("bad port {p:?}"))?)
        }
        _ => (hostport, if implicit { 465 } else { 587 }),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err("no host".into());
    }
    let security = match (implicit, query) {
        (true, _) => Security::Implicit,
        (false, q) if q.contains("tls=required") => Security::Required,
        (false, q) if q.contains("tls=opportunistic") => Security::Opportunistic,
        _ => Security::None,
    };
    let decode =
        |s: &str| percent_decode(s).ok_or_else(|| format!("bad percent-encoding in {s:?}"));
    let (user, password) = match userinfo {
        None => (None, None),
        Some(u) => match u.split_once(':') {
            Some((user, pass)) => (Some(decode(user)?), Some(Secret::new(decode(pass)?))),
            None => (Some(decode(u)?), None),
        },
    };
    Ok(Server {
        host: host.to_string(),
        port,
        security,
        user,
        password,
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn mailbox(what: &str, text: &str) -> Result<Mailbox, DeliveryError> {
    text.parse::<Mailbox>()
        .map_err(|e| DeliveryError::Refused(format!("{what} {text:?} is not an address: {e}")))
}

/// The email: HTML with a text alternative when the body is HTML, else plain text.
fn build(
    msg: &OutboundMessage,
    from: &str,
    reply_to: Option<&str>,
) -> Result<Message, DeliveryError> {
    let mut builder = Message::builder()
        .from(mailbox("sender", from)?)
        .to(mailbox("destination", &msg.destination)?)
        .subject(msg.subject.clone());
    if let Some(r) = reply_to {
        builder = builder.reply_to(mailbox("reply-to", r)?);
    }
    let body = msg.message.expose();
    let built = if looks_like_html(body) {
        builder.multipart(MultiPart::alternative_plain_html(
            plain_text(body),
            body.clone(),
        ))
    } else {
        builder.header(ContentType::TEXT_PLAIN).body(body.clone())
    };
    built.map_err(|e| DeliveryError::Refused(format!("message not buildable: {e}")))
}

/// `smtp://user:pass@host:port` → `smtp://user@host:port`.
fn without_password(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_shows_the_password() {
        assert_eq!(
            without_password("smtps://me:s3cret@mail.example.com:465"),
            "smtps://me@mail.example.com:465"
        );
        assert_eq!(
            without_password("smtp://127.0.0.1:2525"),
            "smtp://127.0.0.1:2525"
        );
    }

    #[test]
    fn reads_every_part_of_the_url() {
        let s = parse("smtps://me%40x.com:p%3Ass@mail.example.com").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("mail.example.com", 465, Security::Implicit)
        );
        assert_eq!(s.user.as_deref(), Some("me@x.com"));
        assert_eq!(
            s.password.as_ref().map(|p| p.expose().as_str()),
            Some("p:ss")
        );
        let s = parse("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((s.port, s.security, s.user), (2525, Security::None, None));
        let s = parse("smtp://[::1]:25?tls=required").unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("::1", 25, Security::Required)
        );
        assert!(parse("http://x").is_err());
        assert!(parse("smtp://x:notaport").is_err());
    }

    #[test]
    fn a_malformed_url_is_a_configuration_error() {
        let bad = Secret::new("http://x".to_string());
        assert!(SmtpSender::new(&bad, Duration::from_secs(1)).is_err());
    }
}
