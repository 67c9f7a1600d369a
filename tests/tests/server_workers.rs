//! The server's request workers (one single-threaded runtime per core, connections dealt to
//! them in turn): many keep-alive connections at once are all served, each answer on the
//! connection that asked; and a shutdown ends with idle keep-alive connections still open, which
//! it closes, and after it nothing is accepted.

use crate::common::Harness;

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Keep-alive connections opened at once: more than any machine here has cores.
const CONNECTIONS: usize = 12;

/// GETs the pool's JWKS on `conn` (HTTP/1.1, keep-alive) and returns the answer's body.
async fn get_jwks(conn: &mut TcpStream, pool: &str) -> String {
    let request = format!(
        "GET /{pool}/.well-known/jwks.json HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"
    );
    conn.write_all(request.as_bytes()).await.expect("write");
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = conn.read(&mut buf).await.expect("read");
        assert!(
            n > 0,
            "the server closed a keep-alive connection mid-answer"
        );
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen).to_string();
        let Some(end) = text.find("\r\n\r\n") else {
            continue;
        };
        let head = text[..end].to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .expect("content-length")
            .trim()
            .parse()
            .expect("length");
        if seen.len() >= end + 4 + length {
            return text[end + 4..end + 4 + length].to_string();
        }
    }
}

#[tokio::test]
async fn many_keep_alive_connections_are_served_and_a_shutdown_closes_idle_ones() {
    let h = Harness::start().await;
    let pool = h.server.default_pool_id.clone();
    let addr = h.server.addr;
    // Every connection, twice, all at once: each gets its own complete answers.
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..CONNECTIONS {
        let mut conn = TcpStream::connect(addr).await.expect("connect");
        let pool = pool.clone();
        tasks.spawn(async move {
            let first = get_jwks(&mut conn, &pool).await;
            let second = get_jwks(&mut conn, &pool).await;
            (conn, first, second)
        });
    }
    let mut conns = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let (conn, first, second) = done.expect("a connection's task");
        let keys: serde_json::Value = serde_json::from_str(&first).expect("JWKS is JSON");
        assert_eq!(keys["keys"].as_array().map(Vec::len), Some(2), "{first}");
        assert_eq!(first, second);
        conns.push(conn);
    }
    assert_eq!(conns.len(), CONNECTIONS);

    // All of them idle and open: the shutdown still ends, and closes them.
    tokio::time::timeout(Duration::from_secs(20), h.shutdown())
        .await
        .expect("the shutdown ends with idle keep-alive connections open");
    for mut conn in conns {
        let mut buf = [0u8; 16];
        let read = tokio::time::timeout(Duration::from_secs(5), conn.read(&mut buf))
            .await
            .expect("the server closed the idle connection");
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    }
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing is accepted after the shutdown"
    );
}
