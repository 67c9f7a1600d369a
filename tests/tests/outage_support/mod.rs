//! Support for the DynamoDB outage test: the cuttable proxy between the server and moto, and
//! a capture of the server's log, so the test can check that a fault's cause is logged.
#![allow(dead_code)] // Helpers for one test binary.

mod proxy;

pub use proxy::DynamoProxy;

use std::io::Write;
use std::sync::{Arc, Mutex};

/// The log lines written in this process since [`LogCapture::install`].
#[derive(Clone, Default)]
pub struct LogCapture {
    lines: Arc<Mutex<Vec<u8>>>,
}

impl LogCapture {
    /// Makes this capture the process's tracing subscriber (warnings and errors, plain text).
    /// Call once, before the server starts.
    pub fn install() -> Self {
        let capture = Self::default();
        let writer = capture.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        capture
    }

    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buffer()).into_owned()
    }

    /// Forgets what was logged so far.
    pub fn clear(&self) {
        self.buffer().clear();
    }

    fn buffer(&self) -> std::sync::MutexGuard<'_, Vec<u8>> {
        self.lines.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // Also to the test's output, which the harness shows when the test fails.
        eprint!("{}", String::from_utf8_lossy(buf));
        self.buffer().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
