//! Accepting connections within bounds (the README's limits table lists the figures):
//!
//! - at most [`ServeLimits::max_connections`] open at once, websockets included (a permit
//!   travels with the socket into the upgrade); beyond it the server stops accepting and
//!   new connections wait in the kernel's backlog until one closes;
//! - a request's headers must arrive within [`ServeLimits::header_read_timeout`], which is
//!   also how long a keep-alive connection may sit idle between requests (slow or silent
//!   clients are closed, not kept);
//! - its body within [`BODY_READ_TIMEOUT`] (`crate::server`), and it runs at most
//!   [`crate::server::REQUEST_TIMEOUT`];
//! - accept errors (e.g. too many open files) are logged once, then at most once per
//!   [`ACCEPT_ERROR_LOG_EVERY`] with how many occurred, and accepting pauses a moment
//!   instead of spinning.
//!
//! HTTP/1.1 only (with upgrades for `/graphql/ws`).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Longest the body of a request may take to arrive, whole.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(15);
/// Accept errors are logged at most this often.
pub const ACCEPT_ERROR_LOG_EVERY: Duration = Duration::from_secs(60);
/// How long accepting pauses after an error (the error is usually the process's file limit).
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
/// How long connections in flight may finish after shutdown is asked.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The bounds of [`serve`]; `serve --max-connections` sets the cap.
#[derive(Debug, Clone, Copy)]
pub struct ServeLimits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
}

impl ServeLimits {
    /// The default cap on open connections: well below the usual file limits of 1024 and
    /// more, leaving room for database connections, log files and the snapshot writer.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
    /// The default time for a request's headers (and a keep-alive connection's idleness).
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
}

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
        }
    }
}

/// Serve `app` on `listener` within `limits` until `shutdown` resolves; then stop accepting
/// and let the connections in flight finish (for at most a grace period).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let cap = limits.max_connections.clamp(1, 1_000_000);
    let permits = Arc::new(Semaphore::new(cap));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut accept_errors = AcceptErrors::default();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(64 * 1024);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    accept_errors.record(&e);
                    drop(permit);
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(Counted {
            stream,
            _permit: permit,
        });
        let service = TowerToHyperService::new(app.clone());
        let connection = builder.serve_connection(io, service).with_upgrades();
        let mut stop = stop.clone();
        tokio::spawn(async move {
            tokio::pin!(connection);
            // Errors here are the client's (reset, timed out headers): nothing to log.
            tokio::select! {
                _ = connection.as_mut() => return,
                _ = stop.wait_for(|s| *s) => {}
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    // Every connection holds a permit: all of them back means all closed.
    let all_closed = permits.acquire_many(cap as u32);
    if tokio::time::timeout(SHUTDOWN_GRACE, all_closed).await.is_err() {
        tracing::warn!(
            "connections still open {} s after shutdown began; closing them",
            SHUTDOWN_GRACE.as_secs()
        );
    }
    Ok(())
}

/// A connection that holds one of the [`ServeLimits::max_connections`] permits while open.
struct Counted {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for Counted {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Accept errors, logged without repeating every moment.
#[derive(Default)]
struct AcceptErrors {
    last_logged: Option<tokio::time::Instant>,
    /// Errors since the last line logged.
    unlogged: u64,
}

impl AcceptErrors {
    fn record(&mut self, e: &io::Error) {
        let now = tokio::time::Instant::now();
        match self.last_logged {
            Some(at) if now.duration_since(at) < ACCEPT_ERROR_LOG_EVERY => self.unlogged += 1,
            _ => {
                tracing::error!(
                    error = %e,
                    repeated = self.unlogged,
                    "cannot accept connections (repeats are logged at most once a minute); \
                     raise the file limit (ulimit -n) or lower --max-connections"
                );
                self.last_logged = Some(now);
                self.unlogged = 0;
            }
        }
    }
}
